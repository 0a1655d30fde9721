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
use futures_util::StreamExt as _;
use hmac::{KeyInit as _, Mac as _};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

mod stream_client;
use stream_client::{Socket, connect, next_json, send};

async fn start(scheme: Scheme, key: &str, secret: &str) -> RunningExchange {
    let credentials = Credentials::new().api_key(key).secret(secret);
    let account = Account::new(scheme, &credentials, &KeySettings::new()).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
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

// ---- Kraken Futures: a challenge per connection ---------------------------------------------

/// The docs' websocket example key (AUTH-breadth.md §3).
const KRAKEN_FUTURES_KEY: &str = "CMl2SeSn09Tz+2tWuzPfdaJdsahq6qv5UaexXuQ3SnahDQU/gO3aT+";
const KRAKEN_FUTURES_SECRET: &str =
    "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm";

/// base64(HMAC-SHA512(base64_decode(secret), SHA256(challenge))) (AUTH-breadth.md §3).
fn signed_challenge(secret: &str, challenge: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let key = base64::engine::general_purpose::STANDARD.decode(secret).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(&key).unwrap();
    mac.update(&sha2::Sha256::digest(challenge.as_bytes()));
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[test]
fn the_docs_signed_challenge_is_what_this_signs() {
    let signed = signed_challenge(KRAKEN_FUTURES_SECRET, "c100b894-1729-464d-ace1-52dbce11db42");
    assert_eq!(signed, "4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A==");
}

/// Asks for a challenge: `{"event":"challenge","message":<UUID>}`.
async fn challenge(socket: &mut Socket) -> String {
    send(socket, &serde_json::json!({"event": "challenge", "api_key": KRAKEN_FUTURES_KEY}).to_string()).await;
    let answer = next_json(socket).await;
    assert_eq!(answer["event"], "challenge", "{answer}");
    let challenge = answer["message"].as_str().unwrap().to_owned();
    // A UUID (v4: random).
    let groups: Vec<usize> = challenge.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{challenge}");
    assert_eq!(&challenge[14..15], "4", "{challenge}");
    challenge
}

fn private_subscribe(feed: &str, challenge: &str, signed: &str) -> String {
    serde_json::json!({
        "event": "subscribe", "feed": feed, "api_key": KRAKEN_FUTURES_KEY,
        "original_challenge": challenge, "signed_challenge": signed,
    })
    .to_string()
}

#[tokio::test]
async fn kraken_futures_signed_challenge_subscribes_to_a_private_feed() {
    let exchange = start(Scheme::KrakenFutures, KRAKEN_FUTURES_KEY, KRAKEN_FUTURES_SECRET).await;
    let mut socket = connect(&exchange, "/ws/v1", &[]).await;
    let issued = challenge(&mut socket).await;
    let signed = signed_challenge(KRAKEN_FUTURES_SECRET, &issued);
    send(&mut socket, &private_subscribe("open_orders", &issued, &signed)).await;
    // Kraken "open_orders": {"event":"subscribed","feed":"open_orders",…}, then the snapshot.
    let subscribed = next_json(&mut socket).await;
    assert!(subscribed["event"] == "subscribed" && subscribed["feed"] == "open_orders", "{subscribed}");
    let event = next_json(&mut socket).await;
    assert_eq!(event["feed"], "open_orders_snapshot", "{event}");
    assert!(event["orders"][0]["order_id"].is_string(), "{event}");
    // The same challenge signs the connection's next private subscribe.
    send(&mut socket, &private_subscribe("balances", &issued, &signed)).await;
    assert_eq!(next_json(&mut socket).await["event"], "subscribed");
    assert_eq!(next_json(&mut socket).await["feed"], "balances_snapshot");
    assert_eq!(exchange.requests_accepted(), 2);
    exchange.shutdown().await;
}

#[tokio::test]
async fn kraken_futures_challenges_are_per_connection() {
    let exchange = start(Scheme::KrakenFutures, KRAKEN_FUTURES_KEY, KRAKEN_FUTURES_SECRET).await;
    let mut first = connect(&exchange, "/ws/v1", &[]).await;
    let mut second = connect(&exchange, "/ws/v1", &[]).await;
    let issued = challenge(&mut first).await;
    let other = challenge(&mut second).await;
    assert_ne!(issued, other);
    // The first connection's challenge, rightly signed, shown on the second.
    let signed = signed_challenge(KRAKEN_FUTURES_SECRET, &issued);
    send(&mut second, &private_subscribe("open_orders", &issued, &signed)).await;
    let refused = next_json(&mut second).await;
    assert_eq!(refused["event"], "error", "{refused}");
    assert!(refused["cexsign_reason"].as_str().unwrap().contains("this connection"), "{refused}");
    assert!(!refused.to_string().contains(&signed), "{refused}");
    // A challenge this server never issued (the docs' example), rightly signed.
    let documented = "c100b894-1729-464d-ace1-52dbce11db42";
    send(
        &mut second,
        &private_subscribe("open_orders", documented, &signed_challenge(KRAKEN_FUTURES_SECRET, documented)),
    )
    .await;
    assert_eq!(next_json(&mut second).await["event"], "error");
    assert_eq!(exchange.requests_accepted(), 0);
    exchange.shutdown().await;
}

#[tokio::test]
async fn kraken_futures_refuses_a_wrong_signature_and_an_unsigned_private_subscribe() {
    let exchange = start(Scheme::KrakenFutures, KRAKEN_FUTURES_KEY, KRAKEN_FUTURES_SECRET).await;
    let mut socket = connect(&exchange, "/ws/v1", &[]).await;
    send(&mut socket, r#"{"event":"subscribe","feed":"open_orders"}"#).await;
    let unsigned = next_json(&mut socket).await;
    assert_eq!(unsigned["event"], "error", "{unsigned}");
    let issued = challenge(&mut socket).await;
    // Signed with the secret's text as the HMAC key (not base64-decoded).
    let wrong = {
        use base64::Engine as _;
        use sha2::Digest as _;
        let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(KRAKEN_FUTURES_SECRET.as_bytes()).unwrap();
        mac.update(&sha2::Sha256::digest(issued.as_bytes()));
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    };
    send(&mut socket, &private_subscribe("open_orders", &issued, &wrong)).await;
    let refused = next_json(&mut socket).await;
    assert_eq!(refused["event"], "error", "{refused}");
    // Kraken Futures' websocket error code, and why: the challenge the server signed.
    assert_eq!(refused["message"], "authenticationError", "{refused}");
    assert!(refused["cexsign_reason"].as_str().unwrap().contains("signature"), "{refused}");
    assert_eq!(refused["cexsign_expected_prehash"], issued.as_str(), "{refused}");
    assert!(!refused.to_string().contains(&wrong), "{refused}");
    assert_eq!(exchange.requests_accepted(), 0);
    exchange.shutdown().await;
}

// ---- Upbit: a bearer token on the upgrade ---------------------------------------------------

/// Upbit's vector key (tests/vectors/upbit.json).
const UPBIT_KEY: &str = "pdY7QibvO8tLw7AffHpDzaIAhNP9GO9GZPzgwkQI";
const UPBIT_SECRET: &str = "eyTyGHJPSPr5PKgOCXrTyMCBYc3qoZFZrRQgCp3Y";
const UPBIT_PATH: &str = "/websocket/v1/private";

/// `Authorization: Bearer <JWT>`: HS256 over `{"access_key","nonce"}`, no query hash, the
/// secret's text the HMAC key (AUTH-breadth.md §9, Upbit's "인증" example).
fn upbit_bearer(secret: &str, nonce: &str) -> Vec<(&'static str, String)> {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = b64(serde_json::json!({"access_key": UPBIT_KEY, "nonce": nonce}).to_string().as_bytes());
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{header}.{claims}").as_bytes());
    let token = format!("{header}.{claims}.{}", b64(&mac.finalize().into_bytes()));
    vec![("authorization", format!("Bearer {token}"))]
}

#[tokio::test]
async fn upbit_bearer_token_on_the_upgrade_serves_my_order() {
    let exchange = start(Scheme::Upbit, UPBIT_KEY, UPBIT_SECRET).await;
    let headers = upbit_bearer(UPBIT_SECRET, "0b1c2d3e-0000-4000-8000-000000000001");
    let mut socket = connect(&exchange, UPBIT_PATH, &headers).await;
    assert_eq!(exchange.requests_accepted(), 1);
    // "연결 관리": the text PING is answered {"status":"UP"}.
    send(&mut socket, "PING").await;
    assert_eq!(next_json(&mut socket).await, serde_json::json!({"status": "UP"}));
    // "내 주문 및 체결": the request is an array; no acknowledgement, the data follows.
    send(&mut socket, r#"[{"ticket":"test example"},{"type":"myOrder"},{"format":"DEFAULT"}]"#).await;
    let event = next_json(&mut socket).await;
    assert!(event["type"] == "myOrder" && event["uuid"].is_string() && event["ask_bid"].is_string(), "{event}");
    assert_eq!(event["stream_type"], "REALTIME", "{event}");
    // Both types in one request: one message each.
    send(&mut socket, r#"[{"ticket":"t2"},{"type":"myOrder","codes":["KRW-BTC"]},{"type":"myAsset"}]"#).await;
    assert_eq!(next_json(&mut socket).await["type"], "myOrder");
    let asset = next_json(&mut socket).await;
    assert!(asset["type"] == "myAsset" && asset["assets"][0]["currency"].is_string(), "{asset}");
    exchange.shutdown().await;
}

/// A refused token: Upbit's INVALID_AUTH frame with why, then the connection closes.
async fn upbit_refused(exchange: &RunningExchange, headers: &[(&'static str, String)]) -> Value {
    let mut socket = connect(exchange, UPBIT_PATH, headers).await;
    let refused = next_json(&mut socket).await;
    assert_eq!(refused["error"]["name"], "INVALID_AUTH", "{refused}");
    assert!(refused["cexsign_reason"].is_string(), "{refused}");
    if let Some((_, value)) = headers.first() {
        let token = value.trim_start_matches("Bearer ");
        let signature = token.rsplit('.').next().unwrap();
        assert!(!refused.to_string().contains(signature), "{refused}");
    }
    assert!(!refused.to_string().contains(UPBIT_SECRET), "{refused}");
    closed(&mut socket).await;
    refused
}

#[tokio::test]
async fn upbit_refuses_a_token_signed_with_another_secret_a_reused_nonce_and_none() {
    let exchange = start(Scheme::Upbit, UPBIT_KEY, UPBIT_SECRET).await;
    let other = "0000000000000000000000000000000000000000";
    let refused = upbit_refused(&exchange, &upbit_bearer(other, "0b1c2d3e-0000-4000-8000-000000000002")).await;
    // Why, as Upbit's REST verification says it (jwt_verification's reason).
    assert!(refused["cexsign_reason"].as_str().unwrap().contains("another secret"), "{refused}");
    // A nonce is used once: a reconnect must sign a fresh token.
    let headers = upbit_bearer(UPBIT_SECRET, "0b1c2d3e-0000-4000-8000-000000000003");
    drop(connect(&exchange, UPBIT_PATH, &headers).await);
    let reused = upbit_refused(&exchange, &headers).await;
    assert!(reused["cexsign_reason"].as_str().unwrap().contains("nonce"), "{reused}");
    upbit_refused(&exchange, &[]).await;
    assert_eq!(exchange.requests_accepted(), 1);
    exchange.shutdown().await;
}
