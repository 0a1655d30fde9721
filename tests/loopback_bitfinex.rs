//! Bitfinex through a real socket: requests signed by the reqwest layer are accepted by the local
//! exchange (which verifies them from Bitfinex's description alone: its auth names, its nonce
//! rule, its signer, its error table), a reused nonce or a mis-signed request is refused in
//! Bitfinex's own shape and classifies to the kind it was sent for, and the websocket auth event
//! verifies and shares the key's nonce count with REST.
//!
//! Expected values come from Bitfinex's documented error answers (AUTH-breadth.md §2) and the
//! conformance vectors' credentials, never from the server's own output.

#![cfg(feature = "reqwest")]

use cexsign::client::RequestBuilderExt;
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{BitfinexSigner, Credentials, KeySettings, Scheme, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use serde_json::{Value, json};

/// The first Bitfinex vector's (fake) credentials.
fn credentials() -> Credentials {
    let path = format!("{}/tests/vectors/bitfinex.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let c = &doc["vectors"][0]["credentials"];
    Credentials::new().api_key(c["api_key"].as_str().unwrap()).secret(c["secret"].as_str().unwrap())
}

async fn exchange() -> RunningExchange {
    let account = Account::new(Scheme::Bitfinex, &credentials(), &KeySettings::new()).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
}

async fn send(request: reqwest::Request) -> (u16, Value) {
    let response = reqwest::Client::new().execute(request).await.unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null))
}

#[tokio::test]
async fn signed_requests_are_accepted_and_bad_ones_refused_in_bitfinexs_shape() {
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::new();
    let signer = BitfinexSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();
    let post = |path: &str, body: &'static str, at: Timestamp, signer: &BitfinexSigner| {
        client
            .post(format!("{base}{path}"))
            .header("content-type", "application/json")
            .body(body)
            .build_signed(signer, at)
            .unwrap()
    };

    // No body (the official SDK's way), then a JSON body, each with a larger nonce.
    assert_eq!(send(post("/v2/auth/r/wallets", "", now, &signer)).await.0, 200);
    let order = r#"{"type":"EXCHANGE LIMIT","symbol":"tBTCUST","amount":"0.0015","price":"62965.5"}"#;
    let later = now.offset_by_millis(1).unwrap();
    assert_eq!(send(post("/v2/auth/w/order/submit", order, later, &signer)).await.0, 200);

    // The same nonce again (a retry resent unchanged), then a millisecond nonce after
    // microseconds: both "small".
    for (at, signer) in [
        (later, BitfinexSigner::new(&credentials()).unwrap()),
        (later, BitfinexSigner::new(&credentials()).unwrap().with_millisecond_nonce()),
    ] {
        let (status, body) = send(post("/v2/auth/w/order/submit", order, at, &signer)).await;
        assert_eq!((status, &body), (500, &json!(["error", 10114, "nonce: small"])));
        let rejection = classify(Scheme::Bitfinex, status, body.to_string().as_bytes()).unwrap();
        assert_eq!(rejection.kind, RejectionKind::TimestampOutsideWindow);
    }

    // The right key with another secret: refused, and its nonce does not move the key's count.
    let key = "juuVA6PtvFe1fV31ONXTVqNj8tQLaCLxwL90EjTiAgK";
    let wrong = BitfinexSigner::new(&Credentials::new().api_key(key).secret("not-the-secret")).unwrap();
    let forged_at = now.offset_by_millis(5).unwrap();
    let (status, body) = send(post("/v2/auth/r/wallets", "", forged_at, &wrong)).await;
    assert_eq!((status, &body), (500, &json!(["error", 10100, "apikey: digest invalid"])));
    let rejection = classify(Scheme::Bitfinex, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);
    assert_eq!(send(post("/v2/auth/r/wallets", "", now.offset_by_millis(2).unwrap(), &signer)).await.0, 200);

    // An unknown key.
    let stranger = BitfinexSigner::new(&Credentials::new().api_key("AAAA").secret("BBBB")).unwrap();
    let (status, body) = send(post("/v2/auth/r/wallets", "", now.offset_by_millis(3).unwrap(), &stranger)).await;
    assert_eq!((status, &body), (500, &json!(["error", 10100, "apikey: invalid"])));
    exchange.shutdown().await;
}

#[tokio::test]
async fn the_websocket_auth_event_verifies_and_shares_the_nonce_count() {
    let exchange = exchange().await;
    let url = format!("{}/cexsign/ws/bitfinex", exchange.base_url());
    let signer = BitfinexSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();
    let login = signer.sign_ws(&WsRequest::login(), now).unwrap();
    let message: Value = serde_json::from_str(login.message_json()).unwrap();
    assert_eq!(message["event"], "auth");
    let ws = |body: String| reqwest::Client::new().post(&url).body(body).build().unwrap();
    let (status, answer) = send(ws(login.message_json().to_owned())).await;
    assert_eq!(status, 200, "{answer}");

    // A REST request with the same nonce comes after it: small.
    let rest = reqwest::Client::new()
        .post(format!("{}/v2/auth/r/wallets", exchange.base_url()))
        .build_signed(&signer, now)
        .unwrap();
    assert_eq!(send(rest).await.1, json!(["error", 10114, "nonce: small"]));

    // One hex digit of the signature changed, with a fresh nonce.
    let fresh = signer.sign_ws(&WsRequest::login(), now.offset_by_millis(1).unwrap()).unwrap();
    let signature = fresh.signature();
    let flipped = match signature.strip_prefix('0') {
        Some(rest) => format!("1{rest}"),
        None => format!("0{}", &signature[1..]),
    };
    let (_, answer) = send(ws(fresh.message_json().replace(signature, &flipped))).await;
    assert_eq!(
        (&answer["event"], &answer["status"], &answer["code"]),
        (&json!("auth"), &json!("FAILED"), &json!(10100))
    );
    exchange.shutdown().await;
}
