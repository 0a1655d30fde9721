//! The private streams of the exchanges added with the breadth homes, end to end as a bot sees
//! them: a real websocket client (tokio-tungstenite) connects to the exchange's own path on the
//! local exchange, logs in with the message cexsign's signer builds and receives the account's
//! events in the exchange's shape; a login signed wrongly (computed here from the exchange's
//! documented rule, not by the signer) or too long ago is refused with the exchange's frame and
//! the diagnosis, and the connection stays logged out.
//!
//! The expected frames are the exchanges' documented ones (cited per test), written here apart
//! from the homes' writers. The keys are the fake ones of the exchanges' first conformance
//! vectors.

use cexsign::{Credentials, KeySettings, Scheme, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use futures_util::SinkExt as _;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

mod stream_client;
use stream_client::{Socket, connect, next_frame, send};

/// The (fake) key and secret of `scheme`'s first conformance vector.
fn vector_key(scheme: Scheme) -> (String, String) {
    let path = format!("{}/../../tests/vectors/{}.json", env!("CARGO_MANIFEST_DIR"), scheme.id());
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let fields = &document["vectors"][0]["credentials"];
    (fields["api_key"].as_str().unwrap().to_owned(), fields["secret"].as_str().unwrap().to_owned())
}

fn credentials(scheme: Scheme) -> Credentials {
    let (key, secret) = vector_key(scheme);
    Credentials::new().api_key(key).secret(secret)
}

async fn start(scheme: Scheme) -> RunningExchange {
    let account = Account::new(scheme, &credentials(scheme), &KeySettings::new()).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
}

fn signer(scheme: Scheme) -> Box<dyn Signer> {
    scheme.exchange().signer(&credentials(scheme), &KeySettings::new()).unwrap()
}

fn five_minutes_ago() -> Timestamp {
    Timestamp::now().unwrap().offset_by_millis(-300_000).unwrap()
}

fn hmac_hex(secret: &str, text: &str) -> String {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// MEXC futures "WebSocket API": `{"method":"ping"}` is answered `{"channel":"pong","data":<ms>}`.
async fn mexc_pings(socket: &mut Socket) {
    send(socket, r#"{"method":"ping"}"#).await;
    let pong = next_frame(socket).await;
    assert!(pong["channel"] == "pong" && pong["data"].is_u64(), "{pong}");
}

/// MEXC's contract stream, `wss://contract.mexc.com/edge` (MEXC futures "WebSocket API"): the
/// `login` method answered `{"channel":"rs.login","data":"success"}`, then the private data
/// pushed by default with no subscribe, each `{"channel","data","ts"}`: "Order"
/// (`push.personal.order`: orderId, symbol, state, externalOid…) and "Asset"
/// (`push.personal.asset`: currency, availableBalance…). A reconnect logs in afresh.
#[tokio::test]
async fn mexc_contract_stream_logs_in_and_pushes_the_account() {
    let exchange = start(Scheme::Mexc).await;
    let signer = signer(Scheme::Mexc);
    let (key, _) = vector_key(Scheme::Mexc);
    for connect_number in 1..=2 {
        let mut socket = connect(&exchange, "/edge", &[]).await;
        mexc_pings(&mut socket).await;
        let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
        send(&mut socket, login.message_json()).await;
        let answer = next_frame(&mut socket).await;
        assert_eq!((&answer["channel"], &answer["data"]), (&json!("rs.login"), &json!("success")), "{answer}");
        assert!(!answer.to_string().contains(&key), "the key is not echoed: {answer}");
        let order = next_frame(&mut socket).await;
        assert_eq!(order["channel"], "push.personal.order", "{order}");
        let data = &order["data"];
        assert!(data["orderId"].is_string() && data["symbol"] == "BTC_USDT" && data["state"].is_u64(), "{order}");
        assert!(data["externalOid"].is_string() && order["ts"].is_u64(), "{order}");
        let asset = next_frame(&mut socket).await;
        assert_eq!(asset["channel"], "push.personal.asset", "{asset}");
        assert!(asset["data"]["currency"].is_string() && asset["data"]["availableBalance"].is_number(), "{asset}");
        mexc_pings(&mut socket).await;
        assert_eq!(exchange.requests_accepted(), connect_number, "one login per connect");
        socket.close(None).await.unwrap();
    }
    exchange.shutdown().await;
}

/// A login signed over the reqTime alone (not apiKey + reqTime, MEXC's rule) is refused with the
/// signature code 602, the reason naming the signature; one signed five minutes ago with 513,
/// the reason naming the time (the contract's 10 s window). No pushes follow either: the next
/// frame answers the ping. A login with `"subscribe": false` (MEXC's documented field) is the
/// signer's login still.
#[tokio::test]
async fn mexc_refuses_a_wrong_or_stale_login() {
    let exchange = start(Scheme::Mexc).await;
    let signer = signer(Scheme::Mexc);
    let (key, secret) = vector_key(Scheme::Mexc);
    let mut socket = connect(&exchange, "/edge", &[]).await;

    let ts = Timestamp::now().unwrap().unix_millis().to_string();
    let wrong =
        json!({"method": "login", "param": {"apiKey": key, "reqTime": ts, "signature": hmac_hex(&secret, &ts)}});
    send(&mut socket, &wrong.to_string()).await;
    let answer = next_frame(&mut socket).await;
    assert_eq!((&answer["success"], &answer["code"]), (&json!(false), &json!(602)), "{answer}");
    assert!(answer["cexsign_reason"].as_str().is_some_and(|reason| reason.contains("signature")), "{answer}");
    assert!(!answer.to_string().contains(wrong["param"]["signature"].as_str().unwrap()), "{answer}");
    mexc_pings(&mut socket).await;

    let stale = signer.sign_ws(&WsRequest::login(), five_minutes_ago()).unwrap();
    send(&mut socket, stale.message_json()).await;
    let answer = next_frame(&mut socket).await;
    assert_eq!(answer["code"], 513, "{answer}");
    let reason = answer["cexsign_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("timestamp") || reason.contains("window"), "{answer}");
    mexc_pings(&mut socket).await;
    assert_eq!(exchange.requests_accepted(), 0);

    let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
    let mut quiet: Value = serde_json::from_str(login.message_json()).unwrap();
    quiet["subscribe"] = json!(false);
    send(&mut socket, &quiet.to_string()).await;
    assert_eq!(next_frame(&mut socket).await["channel"], "rs.login");
    assert_eq!(exchange.requests_accepted(), 1);
    exchange.shutdown().await;
}

/// Backpack's `signature` array for a subscribe, `[key, base64(Ed25519(seed, signing)), ts,
/// window]`, computed here from Backpack's rule.
fn backpack_signed(signing: &str, ts: &str) -> Value {
    use base64::Engine as _;
    use ed25519_dalek::Signer as _;
    let (key, seed) = vector_key(Scheme::Backpack);
    let seed: [u8; 32] = base64::engine::general_purpose::STANDARD.decode(seed).unwrap().try_into().unwrap();
    let signature = ed25519_dalek::SigningKey::from_bytes(&seed).sign(signing.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(signature.to_bytes());
    json!({"method": "SUBSCRIBE", "params": ["account.orderUpdate"], "signature": [key, signature, ts, "5000"]})
}

/// Backpack's private stream on `wss://ws.backpack.exchange` (Backpack's API reference,
/// "Streams"): a subscribe to an `account.` stream without a signature is refused with an error
/// frame `{"id":null,"error":{"code","message"}}`; the signed subscribe is answered with the
/// stream's data alone, `{"stream":"account.orderUpdate","data":{"e":"orderAccepted","E",…}}`
/// (times in microseconds, `X` the order's state, `i` its id); the protocol's pings are answered
/// with pongs. A reconnect signs afresh.
#[tokio::test]
async fn backpack_signed_subscribe_is_answered_with_the_order_stream() {
    let exchange = start(Scheme::Backpack).await;
    let signer = signer(Scheme::Backpack);
    let mut socket = connect(&exchange, "/", &[]).await;
    send(&mut socket, r#"{"method":"SUBSCRIBE","params":["account.orderUpdate"]}"#).await;
    let refused = next_frame(&mut socket).await;
    assert!(refused["id"].is_null() && refused["error"]["code"].is_string(), "{refused}");
    assert!(refused["error"]["message"].is_string(), "{refused}");
    for connect_number in 1..=2 {
        if connect_number == 2 {
            socket = connect(&exchange, "/", &[]).await;
        }
        let subscribe = WsRequest::subscribe(&["account.orderUpdate"], &[]);
        send(&mut socket, signer.sign_ws(&subscribe, Timestamp::now().unwrap()).unwrap().message_json()).await;
        let event = next_frame(&mut socket).await;
        assert_eq!((&event["stream"], &event["data"]["e"]), (&json!("account.orderUpdate"), &json!("orderAccepted")));
        let data = &event["data"];
        assert!(data["E"].as_u64().is_some_and(|micros| micros > 1_000_000_000_000_000), "microseconds: {event}");
        assert!(data["i"].is_string() && data["X"] == "New" && data["s"].is_string(), "{event}");
        socket.send(Message::Ping(b"alive".to_vec().into())).await.unwrap();
        assert_eq!(next_frame(&mut socket).await, json!({"pong frame": "alive"}));
        assert_eq!(exchange.requests_accepted(), connect_number);
    }
    // A market's stream ("Order update": `account.orderUpdate.<symbol>`), under its own name.
    let market = WsRequest::subscribe(&["account.orderUpdate.SOL_USDC"], &[]);
    send(&mut socket, signer.sign_ws(&market, Timestamp::now().unwrap()).unwrap().message_json()).await;
    let event = next_frame(&mut socket).await;
    assert_eq!((&event["stream"], &event["data"]["s"]), (&json!("account.orderUpdate.SOL_USDC"), &json!("SOL_USDC")));
    exchange.shutdown().await;
}

/// A subscribe signed without the window (`instruction=subscribe&timestamp=…`, Backpack's rule
/// appends `&window=…`) is refused INVALID_SIGNATURE with the reason naming the signature; one
/// signed five minutes ago with a 5 s window is refused INVALID_CLIENT_REQUEST "Request has
/// expired" (AUTH-breadth.md §10), the reason naming the time. Neither is followed by events,
/// and an unsigned subscribe after them is still refused.
#[tokio::test]
async fn backpack_refuses_a_wrong_or_stale_signed_subscribe() {
    let exchange = start(Scheme::Backpack).await;
    let mut socket = connect(&exchange, "/", &[]).await;
    let ts = Timestamp::now().unwrap().unix_millis().to_string();
    let wrong = backpack_signed(&format!("instruction=subscribe&timestamp={ts}"), &ts);
    send(&mut socket, &wrong.to_string()).await;
    let answer = next_frame(&mut socket).await;
    assert_eq!(answer["error"]["code"], "INVALID_SIGNATURE", "{answer}");
    assert!(answer["cexsign_reason"].as_str().is_some_and(|reason| reason.contains("signature")), "{answer}");
    assert!(!answer.to_string().contains(wrong["signature"][1].as_str().unwrap()), "{answer}");

    let stale = five_minutes_ago().unix_millis().to_string();
    let stale = backpack_signed(&format!("instruction=subscribe&timestamp={stale}&window=5000"), &stale);
    send(&mut socket, &stale.to_string()).await;
    let answer = next_frame(&mut socket).await;
    assert_eq!(
        (&answer["error"]["code"], &answer["error"]["message"]),
        (&json!("INVALID_CLIENT_REQUEST"), &json!("Request has expired")),
        "{answer}"
    );
    let reason = answer["cexsign_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("timestamp") || reason.contains("window"), "{answer}");

    send(&mut socket, r#"{"method":"SUBSCRIBE","params":["account.orderUpdate"]}"#).await;
    let refused = next_frame(&mut socket).await;
    assert!(refused["error"]["code"].is_string() && refused.get("stream").is_none(), "{refused}");
    assert_eq!(exchange.requests_accepted(), 0);

    // The same rule, signed now with the window: accepted (the test's own signing is Backpack's).
    let ts = Timestamp::now().unwrap().unix_millis().to_string();
    let right = backpack_signed(&format!("instruction=subscribe&timestamp={ts}&window=5000"), &ts);
    send(&mut socket, &right.to_string()).await;
    assert_eq!(next_frame(&mut socket).await["stream"], "account.orderUpdate");
    exchange.shutdown().await;
}
