//! The private streams whose login is a token fetched over signed REST (KuCoin, Kraken), end
//! to end as a bot runs them: sign the token request with cexsign's signer, send it over HTTP,
//! read the grant with the home's `StreamToken`, connect a real websocket client (tokio-
//! tungstenite) where the grant says, ping, subscribe to a private channel and receive its
//! event; then reconnect with a fresh token. Refused: a token request with a wrong signature
//! (the exchange's REST rejection with the diagnosis), a stale one (KuCoin's window), a token
//! the exchange never granted, one granted to another exchange and an expired one (each in the
//! exchange's own frame, with `cexsign_reason`).
//!
//! The expected frames are the exchanges' documented ones (cited per case), written here apart
//! from the homes' writers.

use std::time::Duration;

use base64::Engine as _;
use cexsign::{Credentials, KeySettings, Scheme, Signer, StreamGrant, Timestamp};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One exchange's token stream, as its docs describe it.
struct Case {
    scheme: Scheme,
    credentials: Credentials,
    settings: KeySettings,
    /// The path the token is asked for on.
    token_path: &'static str,
    /// The stream's path on the exchange's websocket host.
    stream_path: &'static str,
    /// The frame the exchange writes first on connect, if any.
    greeting: Option<fn(&Value) -> bool>,
    ping: &'static str,
    pong: fn(&Value) -> bool,
    /// A subscribe to a private channel (the token added where the exchange takes it).
    subscribe: &'static str,
    subscribed: fn(&Value) -> bool,
    event: fn(&Value) -> bool,
    /// A token refused: unknown, of another exchange, or expired.
    token_refused: fn(&Value) -> bool,
    /// The REST rejection of a token request whose signature is hex where base64 is due.
    signature_refused: fn(u16, &Value) -> bool,
}

fn kucoin() -> Case {
    Case {
        scheme: Scheme::Kucoin,
        credentials: Credentials::new()
            .api_key("0e384aa99b24052991de7bd1")
            .secret("e45a1784-62de-4b74-9a02-8238680fbb7e")
            .passphrase("E9XjbN7j!@#VA"),
        settings: KeySettings::new().key_version(2),
        // KuCoin "Apply connect token" (private): POST /api/v1/bullet-private.
        token_path: "/api/v1/bullet-private",
        // Its instance server wss://ws-api-spot.kucoin.com/.
        stream_path: "/",
        // KuCoin: {"id":<connectId>,"type":"welcome"} on connect.
        greeting: Some(|frame| frame["type"] == "welcome" && frame["id"] == "bot-1"),
        // KuCoin "Ping": {"id","type":"ping"} -> {"id","type":"pong"}.
        ping: r#"{"id":"hb-1","type":"ping"}"#,
        pong: |frame| frame["type"] == "pong" && frame["id"] == "hb-1",
        subscribe: r#"{"id":"sub-1","type":"subscribe","topic":"/spotMarket/tradeOrders","privateChannel":true,"response":true}"#,
        // KuCoin "Subscribe": {"id","type":"ack"}.
        subscribed: |frame| frame["type"] == "ack" && frame["id"] == "sub-1",
        // KuCoin "Private Order Change": {"type":"message","topic":"/spotMarket/tradeOrders",
        // "subject":"orderChange","channelType":"private","data":{orderId,symbol,type,…}}.
        event: |frame| {
            frame["type"] == "message"
                && frame["topic"] == "/spotMarket/tradeOrders"
                && frame["subject"] == "orderChange"
                && frame["channelType"] == "private"
                && frame["data"]["orderId"].is_string()
                && frame["data"]["symbol"].is_string()
        },
        // KuCoin refuses a bad token on connect: {"type":"error","code":401,"data":"token is expired"}.
        token_refused: |frame| frame["type"] == "error" && frame["code"] == 401,
        // KuCoin 400005 "Invalid KC-API-SIGN", HTTP 401.
        signature_refused: |status, body| status == 401 && body["code"] == "400005",
    }
}

fn kraken() -> Case {
    Case {
        scheme: Scheme::Kraken,
        credentials: Credentials::new()
            .api_key("RmOzOqvNafwopRcxN0LH9UdYy8PTRkzf2D1voflt3q7QN5b8WVar68Qi")
            .secret("G4uFqj49aBxIh+tgxotpGEz1h9erPk6l0L3g8PAm1FppFM3lIbkNpcsqoBajzVb8GF64Ct7baTv4tSpmGyPRQg=="),
        settings: KeySettings::new(),
        // Kraken "Get Websockets Token": POST /0/private/GetWebSocketsToken.
        token_path: "/0/private/GetWebSocketsToken",
        // wss://ws-auth.kraken.com/v2.
        stream_path: "/v2",
        greeting: None,
        // Kraken v2 "ping": {"method":"ping","req_id"} -> {"method":"pong","req_id","time_in","time_out"}.
        ping: r#"{"method":"ping","req_id":7}"#,
        pong: |frame| frame["method"] == "pong" && frame["req_id"] == 7 && frame["time_out"].is_string(),
        subscribe: r#"{"method":"subscribe","params":{"channel":"executions","snap_orders":true},"req_id":2}"#,
        // Kraken v2 "executions" subscribe ack: {"method":"subscribe","result":{"channel":
        // "executions",…},"success":true,"time_in","time_out","req_id"}.
        subscribed: |frame| {
            frame["method"] == "subscribe"
                && frame["success"] == true
                && frame["result"]["channel"] == "executions"
                && frame["req_id"] == 2
        },
        // Kraken v2 "executions" snapshot: {"channel":"executions","type":"snapshot","data":[{order_id,…}]}.
        event: |frame| {
            frame["channel"] == "executions"
                && frame["type"] == "snapshot"
                && frame["data"][0]["order_id"].is_string()
                && frame["data"][0]["symbol"].is_string()
        },
        // Kraken: a stale token is "ESession:Invalid session", success false.
        token_refused: |frame| {
            frame["method"] == "subscribe" && frame["success"] == false && frame["error"] == "ESession:Invalid session"
        },
        // Kraken "EAPI:Invalid key" (its signature refusal), HTTP 200 with the error array.
        signature_refused: |_, body| body["error"][0].as_str().is_some_and(|error| error.starts_with("EAPI:Invalid")),
    }
}

async fn start(case: &Case) -> RunningExchange {
    let account = Account::new(case.scheme, &case.credentials, &case.settings).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
}

/// POSTs `body` with `headers` over a fresh HTTP/1.1 connection: the status and the JSON body.
async fn post(exchange: &RunningExchange, path: &str, headers: &[(String, String)], body: &[u8]) -> (u16, Value) {
    let mut stream = TcpStream::connect(exchange.local_addr()).await.unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        exchange.local_addr(),
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or_else(|error| panic!("{error}: {body}")))
}

/// The token request, signed as of `at` (its signature rewritten by `mangle`), and its answer.
async fn ask_token(
    case: &Case,
    exchange: &RunningExchange,
    signer: &dyn Signer,
    at: Timestamp,
    mangle: fn(&str) -> String,
) -> (u16, Value) {
    let token = case.scheme.exchange().private_stream.token().unwrap();
    assert_eq!(token.path, case.token_path);
    let signed = signer.sign(&token.request().unwrap(), at).unwrap();
    let signature = signed.signature().to_owned();
    let mut headers: Vec<(String, String)> = signed
        .headers()
        .map(|(name, value)| {
            let value = if value == signature { mangle(value) } else { value.to_owned() };
            (name.to_string(), value)
        })
        .collect();
    headers.push(("content-type".to_owned(), token.content_type.to_owned()));
    let body = signed.wire_body().unwrap_or_default().to_vec();
    post(exchange, token.path, &headers, &body).await
}

/// A granted token, read by the home's reader.
async fn grant(case: &Case, exchange: &RunningExchange, signer: &dyn Signer) -> StreamGrant {
    let (status, answer) = ask_token(case, exchange, signer, Timestamp::now().unwrap(), str::to_owned).await;
    assert_eq!(status, 200, "{}: {answer}", case.scheme.id());
    let token = case.scheme.exchange().private_stream.token().unwrap();
    token.grant(answer.to_string().as_bytes()).unwrap()
}

/// The URL the grant says, on the local exchange: where the grant names an endpoint it is the
/// local exchange's own; a fixed one (Kraken's) is the real exchange's, whose path is kept.
fn local_url(case: &Case, exchange: &RunningExchange, grant: &StreamGrant) -> String {
    let url = grant.connect_url("bot-1");
    let local = format!("ws://{}", exchange.local_addr());
    if url.starts_with(&local) {
        return url;
    }
    let rest = url.split_once("://").map(|(_, rest)| rest).unwrap();
    let path = &rest[rest.find('/').unwrap()..];
    assert!(path.starts_with(case.stream_path), "{url}");
    format!("{local}{path}")
}

async fn connect(url: &str) -> Socket {
    let (socket, response) = tokio_tungstenite::connect_async(url).await.unwrap();
    assert_eq!(response.status(), 101);
    socket
}

/// The next text frame as JSON (the protocol's own frames skipped), within a few seconds.
async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("an answer within 10 s")
            .expect("the connection stays open")
            .unwrap();
        match message {
            Message::Text(text) => {
                return serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"));
            }
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

/// Whether the server closes the connection next (a close frame or the end of the stream).
async fn closes(socket: &mut Socket) -> bool {
    let next = tokio::time::timeout(Duration::from_secs(10), socket.next()).await;
    matches!(next, Ok(None | Some(Ok(Message::Close(_)) | Err(_))))
}

/// Connects where the grant says, pings, subscribes and receives the event.
async fn stream_session(case: &Case, exchange: &RunningExchange, grant: &StreamGrant, when: &str) {
    let name = case.scheme.id();
    let mut socket = connect(&local_url(case, exchange, grant)).await;
    if let Some(greeting) = case.greeting {
        let frame = next_json(&mut socket).await;
        assert!(greeting(&frame), "{name} greeting{when}: {frame}");
    }
    socket.send(Message::Ping(b"alive".to_vec().into())).await.unwrap();
    socket.send(Message::text(case.ping)).await.unwrap();
    let pong = next_json(&mut socket).await;
    assert!((case.pong)(&pong), "{name} pong{when}: {pong}");
    socket.send(Message::text(grant.subscribe(case.subscribe).unwrap())).await.unwrap();
    let answer = next_json(&mut socket).await;
    assert!((case.subscribed)(&answer), "{name} subscribe{when}: {answer}");
    let event = next_json(&mut socket).await;
    assert!((case.event)(&event), "{name} event{when}: {event}");
    drop(socket);
}

/// Shows `grant`'s token to the stream: refused in the exchange's frame, with `cexsign_reason`
/// containing `why`.
async fn refused(case: &Case, exchange: &RunningExchange, grant: &StreamGrant, why: &str) {
    let name = case.scheme.id();
    let mut socket = connect(&local_url(case, exchange, grant)).await;
    if case.greeting.is_none() {
        socket.send(Message::text(grant.subscribe(case.subscribe).unwrap())).await.unwrap();
    }
    let frame = next_json(&mut socket).await;
    assert!((case.token_refused)(&frame), "{name} token refused ({why}): {frame}");
    let reason = frame["cexsign_reason"].as_str().unwrap_or_default();
    assert!(reason.contains(why), "{name} reason: {frame}");
    assert!(!frame.to_string().contains(grant.token()), "{name}: the token is not echoed");
    if case.greeting.is_some() {
        // Refused on connect: the connection ends.
        assert!(closes(&mut socket).await, "{name}: the connection closes after a refused token");
    }
}

/// A grant for a token the exchange never issued, built from a real one's answer.
fn forged(case: &Case, exchange: &RunningExchange, real: &StreamGrant) -> StreamGrant {
    let token = case.scheme.exchange().private_stream.token().unwrap();
    let mut answer: Value = serde_json::from_str(token.granted).unwrap();
    *answer.pointer_mut(token.token_at).unwrap() = Value::String("Zm9yZ2VkIHRva2Vu+/==".to_owned());
    if let cexsign::TokenEndpoint::In(at) = token.endpoint {
        *answer.pointer_mut(at).unwrap() = Value::String(real.endpoint().to_owned());
    }
    let _ = exchange;
    token.grant(answer.to_string().as_bytes()).unwrap()
}

async fn run(case: Case) {
    let name = case.scheme.id();
    assert_eq!(case.scheme.exchange().private_stream.path, case.stream_path, "{name}");
    let exchange = start(&case).await;
    let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();

    // Token, connect, ping, subscribe, event.
    let first = grant(&case, &exchange, signer.as_ref()).await;
    if let cexsign::TokenEndpoint::In(_) = case.scheme.exchange().private_stream.token().unwrap().endpoint {
        // The local exchange points the bot at itself, never at the real exchange.
        assert!(first.endpoint().starts_with(&format!("ws://{}", exchange.local_addr())), "{name}: {first:?}");
    }
    stream_session(&case, &exchange, &first, "").await;

    // A token request with a hex signature where base64 is due: the REST rejection and its
    // diagnosis; nothing granted.
    let hex = |signature: &str| hex::encode(base64::engine::general_purpose::STANDARD.decode(signature).unwrap());
    let (status, answer) = ask_token(&case, &exchange, signer.as_ref(), Timestamp::now().unwrap(), hex).await;
    assert!((case.signature_refused)(status, &answer), "{name} wrong signature: {status} {answer}");
    assert_eq!(answer["cexsign_diagnosis"]["mistake"], "hex-instead-of-base64", "{name}: {answer}");
    assert!(answer.pointer("/data/token").is_none() && answer.pointer("/result/token").is_none(), "{name}");

    // A token never granted, and the real one shown to another exchange's stream.
    refused(&case, &exchange, &forged(&case, &exchange, &first), "never granted").await;

    // Reconnect with a fresh token.
    let second = grant(&case, &exchange, signer.as_ref()).await;
    assert_ne!(second.token(), first.token(), "{name}: a fresh token per connect");
    stream_session(&case, &exchange, &second, " after reconnect").await;

    // An hour and a day later, both tokens have expired.
    exchange.set_clock_offset_millis(25 * 60 * 60 * 1000);
    refused(&case, &exchange, &second, "expired").await;
    exchange.shutdown().await;
}

#[tokio::test]
async fn kucoin_token_stream() {
    run(kucoin()).await;
}

#[tokio::test]
async fn kraken_token_stream() {
    run(kraken()).await;
}

/// KuCoin's token request signed 60 s ago is outside its 5 s window: refused, no token.
#[tokio::test]
async fn a_stale_kucoin_token_request_is_refused() {
    let case = kucoin();
    let exchange = start(&case).await;
    let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();
    let stale = Timestamp::from_duration_since_epoch(
        Timestamp::now().unwrap().duration_since_epoch() - Duration::from_secs(60),
    );
    let (status, answer) = ask_token(&case, &exchange, signer.as_ref(), stale, str::to_owned).await;
    // KuCoin 400002 "KC-API-TIMESTAMP Invalid".
    assert_eq!(answer["code"], "400002", "{status} {answer}");
    assert!(answer.pointer("/data/token").is_none());
    exchange.shutdown().await;
}

/// A token granted to KuCoin's key is not Kraken's: both registered, the KuCoin token shown to
/// Kraken's stream is refused as another exchange's.
#[tokio::test]
async fn a_token_is_tied_to_its_exchange() {
    let (kucoin, kraken) = (kucoin(), kraken());
    let exchange = LocalExchange::new()
        .with_account(Account::new(kucoin.scheme, &kucoin.credentials, &kucoin.settings).unwrap())
        .with_account(Account::new(kraken.scheme, &kraken.credentials, &kraken.settings).unwrap())
        .start()
        .await
        .unwrap();
    let signer = kucoin.scheme.exchange().signer(&kucoin.credentials, &kucoin.settings).unwrap();
    let granted = grant(&kucoin, &exchange, signer.as_ref()).await;
    let kraken_token = kraken.scheme.exchange().private_stream.token().unwrap();
    let answer = serde_json::json!({"error": [], "result": {"token": granted.token(), "expires": 900}});
    let shown = kraken_token.grant(answer.to_string().as_bytes()).unwrap();
    refused(&kraken, &exchange, &shown, "another exchange").await;
    exchange.shutdown().await;
}

/// A Kraken subscribe without a token is refused as not authenticated, with what to do.
#[tokio::test]
async fn a_kraken_subscribe_without_a_token_is_refused() {
    let case = kraken();
    let exchange = start(&case).await;
    let mut socket = connect(&format!("ws://{}/v2", exchange.local_addr())).await;
    socket.send(Message::text(case.subscribe)).await.unwrap();
    let frame = next_json(&mut socket).await;
    assert!(frame["success"] == false && frame["method"] == "subscribe" && frame["error"].is_string(), "{frame}");
    assert!(frame["cexsign_reason"].as_str().is_some_and(|reason| reason.contains("GetWebSocketsToken")), "{frame}");
    exchange.shutdown().await;
}

/// A connection to `/` without a token is not KuCoin's: Delta's and Coinbase Exchange's
/// streams still share that path, decided by the first message.
#[tokio::test]
async fn a_connection_without_a_token_is_not_kucoins() {
    let case = kucoin();
    let exchange = start(&case).await;
    let mut socket = connect(&format!("ws://{}/", exchange.local_addr())).await;
    // Delta's ping, answered by Delta's pong: no KuCoin welcome came first.
    socket.send(Message::text(r#"{"type":"ping"}"#)).await.unwrap();
    let frame = next_json(&mut socket).await;
    assert_eq!(frame["type"], "pong", "{frame}");
    exchange.shutdown().await;
}

/// A reconnecting bot that resends the token request it signed before is refused: Kraken's
/// nonce must grow ("EAPI:Invalid nonce"), so each connect signs afresh.
#[tokio::test]
async fn a_resent_kraken_token_request_is_refused() {
    let case = kraken();
    let exchange = start(&case).await;
    let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();
    let token = case.scheme.exchange().private_stream.token().unwrap();
    let signed = signer.sign(&token.request().unwrap(), Timestamp::now().unwrap()).unwrap();
    let mut headers: Vec<(String, String)> =
        signed.headers().map(|(name, value)| (name.to_string(), value.to_owned())).collect();
    headers.push(("content-type".to_owned(), token.content_type.to_owned()));
    let body = signed.wire_body().unwrap().to_vec();
    let (_, first) = post(&exchange, token.path, &headers, &body).await;
    assert!(first["result"]["token"].is_string(), "{first}");
    let (_, resent) = post(&exchange, token.path, &headers, &body).await;
    assert_eq!(resent["error"][0], "EAPI:Invalid nonce", "{resent}");
    assert!(resent.pointer("/result/token").is_none());
    exchange.shutdown().await;
}
