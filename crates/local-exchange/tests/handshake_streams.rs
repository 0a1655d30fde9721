//! The private streams whose authentication is no login message, end to end through a real
//! websocket client (tokio-tungstenite): credentials on the upgrade request itself (BitMEX's
//! handshake headers, Upbit's bearer token), and a challenge the server issues per connection
//! (Kraken Futures). Each is accepted and serves an event; a wrong signature is refused with the
//! exchange's frame and the diagnosis; a stale one is refused where there is a window.
//!
//! The credentials are signed here from the exchanges' documented rules (AUTH-breadth.md), not
//! with cexsign's signers, and the expected frames are the exchanges' documented ones.

use std::time::Duration;

use cexsign::{Credentials, KeySettings, Scheme};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use futures_util::{SinkExt as _, StreamExt as _};
use hmac::{KeyInit as _, Mac as _};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn start(scheme: Scheme, key: &str, secret: &str) -> RunningExchange {
    let credentials = Credentials::new().api_key(key).secret(secret);
    let account = Account::new(scheme, &credentials, &KeySettings::new()).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
}

/// Connects to `path` with these headers on the upgrade request; the upgrade must be accepted.
async fn connect(exchange: &RunningExchange, path: &str, headers: &[(&'static str, String)]) -> Socket {
    let mut request = format!("ws://{}{path}", exchange.local_addr()).into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.status(), 101);
    socket
}

async fn send(socket: &mut Socket, text: &str) {
    socket.send(Message::text(text)).await.unwrap();
}

/// The next text frame as JSON, within a few seconds.
async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("an answer within 10 s")
            .expect("the connection stays open")
            .unwrap();
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

/// The server closes the connection (with a close frame, or by dropping it).
async fn closed(socket: &mut Socket) {
    match tokio::time::timeout(Duration::from_secs(10), socket.next()).await.expect("closed within 10 s") {
        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {}
        Some(Ok(other)) => panic!("a frame after the refusal: {other:?}"),
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

// ---- BitMEX: handshake headers -------------------------------------------------------------

/// BitMEX's docs' example key (AUTH-breadth.md §4).
const BITMEX_KEY: &str = "LAqUlngMIQkIUjXMUreyu3qn";
const BITMEX_SECRET: &str = "chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO";

/// `api-expires`, `api-key`, `api-signature` = hex(HMAC-SHA256(secret, "GET/realtime" +
/// expires)), as bitmex-ws's `__get_auth` sends them (AUTH-breadth.md §4).
fn bitmex_headers(secret: &str, expires: u64) -> Vec<(&'static str, String)> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("GET/realtime{expires}").as_bytes());
    vec![
        ("api-expires", expires.to_string()),
        ("api-key", BITMEX_KEY.to_owned()),
        ("api-signature", hex::encode(mac.finalize().into_bytes())),
    ]
}

#[test]
fn the_docs_sample_signature_is_what_these_headers_carry() {
    // AUTH-breadth.md §4: the ws login over "GET/realtime1518064236".
    let headers = bitmex_headers(BITMEX_SECRET, 1_518_064_236);
    assert_eq!(headers[2].1, "6d459dc02866d35a2b965edeecc68063d488e296b77982235fc6eca24b934945");
}

#[tokio::test]
async fn bitmex_handshake_headers_log_in_without_a_login_message() {
    let exchange = start(Scheme::Bitmex, BITMEX_KEY, BITMEX_SECRET).await;
    let accepted = exchange.requests_accepted();
    let mut socket = connect(&exchange, "/realtime", &bitmex_headers(BITMEX_SECRET, now_secs() + 60)).await;
    // BitMEX "Subscriptions": {"success":true,"subscribe":"order",…}, then the table's partial.
    send(&mut socket, r#"{"op":"subscribe","args":["order"]}"#).await;
    let subscribed = next_json(&mut socket).await;
    assert!(subscribed["success"] == true && subscribed["subscribe"] == "order", "{subscribed}");
    let event = next_json(&mut socket).await;
    assert!(event["table"] == "order" && event["action"] == "partial", "{event}");
    assert!(event["data"][0]["orderID"].is_string(), "{event}");
    assert_eq!(exchange.requests_accepted(), accepted + 1);
    exchange.shutdown().await;
}

#[tokio::test]
async fn bitmex_without_handshake_headers_is_not_logged_in() {
    let exchange = start(Scheme::Bitmex, BITMEX_KEY, BITMEX_SECRET).await;
    let mut socket = connect(&exchange, "/realtime", &[]).await;
    send(&mut socket, r#"{"op":"subscribe","args":["order"]}"#).await;
    // BitMEX: an account-locked topic before authentication, status 401.
    let refused = next_json(&mut socket).await;
    assert_eq!(refused["status"], 401, "{refused}");
    assert_eq!(refused["request"]["op"], "subscribe", "{refused}");
    exchange.shutdown().await;
}

/// A refusal of handshake headers: BitMEX's `{"status":401,"error":…}` frame with the
/// diagnosis, then the connection closes; nothing presented is echoed.
async fn bitmex_refused(headers: Vec<(&'static str, String)>) -> Value {
    let exchange = start(Scheme::Bitmex, BITMEX_KEY, BITMEX_SECRET).await;
    let mut socket = connect(&exchange, "/realtime", &headers).await;
    let refused = next_json(&mut socket).await;
    assert_eq!(refused["status"], 401, "{refused}");
    assert!(refused["cexsign_reason"].is_string(), "{refused}");
    let text = refused.to_string();
    assert!(!text.contains(&headers[2].1) && !text.contains(BITMEX_SECRET), "{text}");
    closed(&mut socket).await;
    assert_eq!(exchange.requests_accepted(), 0);
    exchange.shutdown().await;
    refused
}

#[tokio::test]
async fn bitmex_handshake_headers_signed_with_another_secret_are_refused() {
    let other = "0000000000000000000000000000000000000000000000000";
    let refused = bitmex_refused(bitmex_headers(other, now_secs() + 60)).await;
    assert_eq!(refused["error"], "Signature not valid.", "{refused}");
    assert!(refused["cexsign_diagnosis"].is_object() || refused["cexsign_diagnosis"].is_string(), "{refused}");
}

#[tokio::test]
async fn bitmex_handshake_headers_that_expired_are_refused() {
    let refused = bitmex_refused(bitmex_headers(BITMEX_SECRET, now_secs() - 30)).await;
    assert_eq!(refused["error"], "This request has expired - `expires` is in the past.", "{refused}");
}

#[tokio::test]
async fn bitmex_topics_named_in_the_url_are_subscribed_once_the_headers_log_in() {
    let exchange = start(Scheme::Bitmex, BITMEX_KEY, BITMEX_SECRET).await;
    // bitmex-ws's URL: filtered and public topics, which the local exchange does not serve, and
    // the account's margin, which it does.
    let path = "/realtime?subscribe=execution:XBTUSD,instrument:XBTUSD,order:XBTUSD,margin";
    let mut socket = connect(&exchange, path, &bitmex_headers(BITMEX_SECRET, now_secs() + 60)).await;
    let subscribed = next_json(&mut socket).await;
    assert!(subscribed["success"] == true && subscribed["subscribe"] == "margin", "{subscribed}");
    let event = next_json(&mut socket).await;
    assert!(event["table"] == "margin" && event["action"] == "partial", "{event}");
    exchange.shutdown().await;
}
