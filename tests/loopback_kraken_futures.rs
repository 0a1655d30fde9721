//! Kraken Futures through a real socket: GETs with a query and POSTs with a form body, signed by
//! the reqwest layer with the optional Nonce and without it (as ccxt sends them), are accepted by
//! the local exchange, which verifies them from Kraken Futures' description alone; a replayed
//! nonce, a request signed over the full `/derivatives` path, a Nonce sent but not hashed and an
//! unknown key are refused in Kraken Futures' shape and classify to the kind they were sent for;
//! a private subscribe signed over its challenge verifies, one signed over the challenge text
//! itself does not; the server time reads from `serverTime`.
//!
//! Expected values come from AUTH-breadth.md §3 (the Authent formula, the error answers) and the
//! conformance vectors' credentials, never from the server's own output.

#![cfg(feature = "reqwest")]

use base64::Engine as _;
use cexsign::client::RequestBuilderExt;
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{Credentials, KrakenFuturesSigner, Scheme, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::RunningExchange;
use hmac::{KeyInit as _, Mac as _};
use serde_json::{Value, json};
use sha2::Digest as _;

mod loopback_common;
use loopback_common::send;

fn vector_key() -> (String, String) {
    loopback_common::vector_key(Scheme::KrakenFutures)
}

fn credentials() -> Credentials {
    loopback_common::credentials(Scheme::KrakenFutures)
}

async fn exchange() -> RunningExchange {
    loopback_common::start(Scheme::KrakenFutures).await
}

/// base64(HMAC-SHA512(base64_decode(secret), SHA256(input))), written here from AUTH-breadth.md
/// §3, not by the crate.
fn authent(secret: &str, input: &str) -> String {
    let key = base64::engine::general_purpose::STANDARD.decode(secret).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(&key).unwrap();
    mac.update(&sha2::Sha256::digest(input.as_bytes()));
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn signed_requests_are_accepted_and_bad_ones_refused_in_kraken_futures_shape() {
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::new();
    let signer = KrakenFuturesSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();

    // A GET with a percent-encoded query and a POST with a form body, each with a Nonce.
    let fills = client
        .get(format!("{base}/derivatives/api/v3/fills?lastFillTime=2024-06-08T12%3A30%3A45.000Z"))
        .build_signed(&signer, now)
        .unwrap();
    assert!(fills.headers().contains_key("nonce"));
    let (status, body) = send(fills).await;
    assert_eq!(status, 200, "{body}");
    let order = "orderType=lmt&symbol=PF_XBTUSD&side=buy&size=1&limitPrice=30000&cliOrdId=loopback-kf-1";
    let post = client
        .post(format!("{base}/derivatives/api/v3/sendorder"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(order)
        .build_signed(&signer, now)
        .unwrap();
    let (status, body) = send(post).await;
    assert_eq!(status, 200, "{body}");

    // Without the optional Nonce (ccxt's requests), including a history path signed whole.
    let bare = KrakenFuturesSigner::new(&credentials()).unwrap().without_nonce();
    for path in ["/derivatives/api/v3/openpositions", "/api/history/v3/executions?count=10"] {
        let request = client.get(format!("{base}{path}")).build_signed(&bare, now).unwrap();
        assert!(!request.headers().contains_key("nonce"));
        let (status, body) = send(request).await;
        assert_eq!(status, 200, "{path}: {body}");
    }

    // The same Nonce again: below the key's threshold.
    let (key, secret) = vector_key();
    let nonce = now.unix_millis().to_string();
    let replay = client
        .get(format!("{base}/derivatives/api/v3/accounts"))
        .header("APIKey", &key)
        .header("Nonce", &nonce)
        .header("Authent", authent(&secret, &format!("{nonce}/api/v3/accounts")))
        .build()
        .unwrap();
    let (status, body) = send(replay).await;
    assert_eq!((&body["result"], &body["error"]), (&json!("error"), &json!("nonceBelowThreshold")), "{body}");
    let rejection = classify(Scheme::KrakenFutures, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::TimestampOutsideWindow);

    // Signed over the full path, /derivatives included: a wrong Authent.
    let full_path = client
        .get(format!("{base}/derivatives/api/v3/accounts"))
        .header("APIKey", &key)
        .header("Authent", authent(&secret, "/derivatives/api/v3/accounts"))
        .build()
        .unwrap();
    let (status, body) = send(full_path).await;
    assert_eq!((status, &body["error"]), (401, &json!("authenticationError")), "{body}");
    let rejection = classify(Scheme::KrakenFutures, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);

    // A Nonce sent but not hashed.
    let later = (now.unix_millis() + 5_000).to_string();
    let unhashed = client
        .get(format!("{base}/derivatives/api/v3/accounts"))
        .header("APIKey", &key)
        .header("Nonce", &later)
        .header("Authent", authent(&secret, "/api/v3/accounts"))
        .build()
        .unwrap();
    let (status, body) = send(unhashed).await;
    assert_eq!((status, &body["error"]), (401, &json!("authenticationError")), "{body}");

    // An unknown key.
    let stranger = KrakenFuturesSigner::new(&Credentials::new().api_key("stranger").secret(secret.as_str())).unwrap();
    let request = client.get(format!("{base}/derivatives/api/v3/accounts")).build_signed(&stranger, now).unwrap();
    let (status, body) = send(request).await;
    assert_eq!((status, &body["error"]), (401, &json!("authenticationError")), "{body}");

    // Server time: every answer's serverTime, here the public instruments list's.
    let (status, time) = send(client.get(format!("{base}/derivatives/api/v3/instruments")).build().unwrap()).await;
    assert_eq!(status, 200, "{time}");
    let server = cexsign::TimestampFormat::Iso8601Millis.parse(time["serverTime"].as_str().unwrap()).unwrap();
    assert!(server.unix_millis().abs_diff(now.unix_millis()) < 60_000);
    exchange.shutdown().await;
}

#[tokio::test]
async fn a_subscribe_signed_over_its_challenge_verifies_and_a_forged_one_is_refused() {
    let exchange = exchange().await;
    let url = format!("{}/cexsign/ws/kraken_futures", exchange.base_url());
    let signer = KrakenFuturesSigner::new(&credentials()).unwrap();
    let challenge = "c100b894-1729-464d-ace1-52dbce11db42";
    let subscribe = WsRequest::subscribe(&["open_orders"], &[]).with_data(challenge);
    let auth = signer.sign_ws(&subscribe, Timestamp::now().unwrap()).unwrap();
    let message: Value = serde_json::from_str(auth.message_json()).unwrap();
    let (key, secret) = vector_key();
    assert_eq!(
        message,
        json!({"event": "subscribe", "feed": "open_orders", "api_key": key, "original_challenge": challenge,
               "signed_challenge": authent(&secret, challenge)})
    );
    let ws = |body: String| reqwest::Client::new().post(&url).body(body).build().unwrap();
    let (status, answer) = send(ws(auth.message_json().to_owned())).await;
    assert_eq!((status, &answer["event"], &answer["feed"]), (200, &json!("subscribed"), &json!("open_orders")));

    // The challenge HMACed as text, without its SHA-256 first: refused.
    let key_bytes = base64::engine::general_purpose::STANDARD.decode(&secret).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(&key_bytes).unwrap();
    mac.update(challenge.as_bytes());
    let forged = json!({"event": "subscribe", "feed": "open_orders", "api_key": key, "original_challenge": challenge,
                        "signed_challenge": base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())});
    let (_, answer) = send(ws(forged.to_string())).await;
    assert_eq!((&answer["event"], &answer["message"]), (&json!("error"), &json!("authenticationError")), "{answer}");
    let rejection = classify(Scheme::KrakenFutures, 200, answer.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);
    exchange.shutdown().await;
}
