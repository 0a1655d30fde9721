//! BitMEX through a real socket: requests signed by the reqwest layer are accepted by the local
//! exchange (which verifies them from BitMEX's description alone: its auth names, its expiry rule,
//! its recipe-shaped signer, its error table), an expired or mis-signed one is refused in BitMEX's
//! own shape and classifies to the kind it was sent for, and the websocket login verifies.
//!
//! Expected values come from BitMEX's documented error messages (AUTH-breadth.md) and the
//! conformance vectors' credentials, never from the server's own output.

#![cfg(feature = "reqwest")]

use std::time::Duration;

use cexsign::client::RequestBuilderExt;
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{BitmexSigner, Credentials, KeySettings, Scheme, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use serde_json::Value;

/// The first BitMEX vector's (fake) credentials.
fn credentials() -> Credentials {
    let path = format!("{}/tests/vectors/bitmex.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let c = &doc["vectors"][0]["credentials"];
    Credentials::new().api_key(c["api_key"].as_str().unwrap()).secret(c["secret"].as_str().unwrap())
}

async fn exchange() -> RunningExchange {
    let account = Account::new(Scheme::Bitmex, &credentials(), &KeySettings::new()).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
}

async fn send(request: reqwest::Request) -> (u16, Value) {
    let response = reqwest::Client::new().execute(request).await.unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null))
}

#[tokio::test]
async fn signed_requests_are_accepted_and_bad_ones_refused_in_bitmexs_shape() {
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::new();
    let signer = BitmexSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();

    // A GET with a JSON filter in the query, and a POST with a JSON body.
    let get = client
        .get(format!("{base}/api/v1/order?symbol=XBTUSD&filter=%7B%22open%22%3A%20true%7D"))
        .build_signed(&signer, now)
        .unwrap();
    assert_eq!(send(get).await.0, 200);
    let order = r#"{"symbol":"XBTUSD","side":"Buy","orderQty":100,"ordType":"Market"}"#;
    let post = client
        .post(format!("{base}/api/v1/order"))
        .header("content-type", "application/json")
        .body(order)
        .build_signed(&signer, now)
        .unwrap();
    assert_eq!(send(post).await.0, 200);

    // Signed 60 s ago: its expiry (5 s after signing) has passed.
    let stale = Timestamp::from_unix_secs(now.unix_secs() - 60);
    let expired = client.get(format!("{base}/api/v1/user")).build_signed(&signer, stale).unwrap();
    let (status, body) = send(expired).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "This request has expired - `expires` is in the past.");
    assert_eq!(body["error"]["name"], "HTTPError");
    let rejection = classify(Scheme::Bitmex, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::TimestampOutsideWindow);

    // The right key with another secret.
    let wrong = Credentials::new().api_key("OqlUt16EeAyDyv7vhRYLNZVD").secret("not-the-secret");
    let forged =
        client.get(format!("{base}/api/v1/user")).build_signed(&BitmexSigner::new(&wrong).unwrap(), now).unwrap();
    let (status, body) = send(forged).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["message"], "Signature not valid.");
    let rejection = classify(Scheme::Bitmex, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);

    // An unknown key.
    let stranger = Credentials::new().api_key("AAAAAAAAAAAAAAAAAAAAAAAA").secret("WUfhDg-huzNtcFauPHrEPxk6");
    let unknown =
        client.get(format!("{base}/api/v1/user")).build_signed(&BitmexSigner::new(&stranger).unwrap(), now).unwrap();
    let (status, body) = send(unknown).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["message"], "Invalid API Key.");
    exchange.shutdown().await;
}

#[tokio::test]
async fn the_websocket_login_verifies_and_a_tampered_one_does_not() {
    let exchange = exchange().await;
    let url = format!("{}/cexsign/ws/bitmex", exchange.base_url());
    let signer = BitmexSigner::new(&credentials()).unwrap().with_ws_expiry(Duration::from_secs(30));
    let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
    let message: Value = serde_json::from_str(login.message_json()).unwrap();
    assert_eq!(message["op"], "authKeyExpires");
    let post = |body: String| reqwest::Client::new().post(&url).body(body).build().unwrap();
    let (status, answer) = send(post(login.message_json().to_owned())).await;
    assert_eq!((status, &answer["success"]), (200, &Value::Bool(true)), "{answer}");

    // One hex digit of the signature changed.
    let signature = login.signature();
    let flipped = match signature.strip_prefix('0') {
        Some(rest) => format!("1{rest}"),
        None => format!("0{}", &signature[1..]),
    };
    let (status, answer) = send(post(login.message_json().replace(signature, &flipped))).await;
    assert_eq!(status, 401);
    assert_eq!(answer["error"], "Signature not valid.");
    exchange.shutdown().await;
}
