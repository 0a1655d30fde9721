//! BitMart through a real socket: GETs with a query and POSTs with a JSON body, signed by the
//! reqwest layer, are accepted by the local exchange (which verifies them from BitMart's
//! description alone: its auth names, its window, its signer, its error table); a GET signed
//! over an empty payload (what BitMart's official Python SDK sends), a wrong memo, a stale
//! timestamp and an unknown key are refused in BitMart's own shape and classify to the kind they
//! were sent for; the websocket login verifies, and its server time answers.
//!
//! Expected values come from BitMart's documented error answers (AUTH-breadth.md §7) and the
//! conformance vectors' credentials, never from the server's own output.

#![cfg(feature = "reqwest")]

use cexsign::client::RequestBuilderExt;
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{BitmartSigner, Credentials, KeySettings, Scheme, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use hmac::{KeyInit as _, Mac as _};
use serde_json::{Value, json};

/// The first BitMart vector's (fake) credentials: key, secret and memo.
fn vector_key() -> (String, String, String) {
    let path = format!("{}/tests/vectors/bitmart.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let c = &doc["vectors"][0]["credentials"];
    let text = |name: &str| c[name].as_str().unwrap().to_owned();
    (text("api_key"), text("secret"), text("memo"))
}

fn credentials_with_memo(memo: &str) -> Credentials {
    let (key, secret, _) = vector_key();
    Credentials::new().api_key(key).secret(secret).passphrase(memo)
}

fn credentials() -> Credentials {
    credentials_with_memo(&vector_key().2)
}

async fn exchange() -> RunningExchange {
    let account = Account::new(Scheme::Bitmart, &credentials(), &KeySettings::new()).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
}

async fn send(request: reqwest::Request) -> (u16, Value) {
    let response = reqwest::Client::new().execute(request).await.unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null))
}

/// hex(HMAC-SHA256(secret, prehash)), written here from AUTH-breadth.md §7, not by the crate.
fn hmac_hex(secret: &str, prehash: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(prehash.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn signed_requests_are_accepted_and_bad_ones_refused_in_bitmarts_shape() {
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::new();
    let signer = BitmartSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();

    // A GET with a query and a POST with a JSON body.
    let get = client
        .get(format!("{base}/spot/v4/query/open-orders?symbol=BTC_USDT&orderMode=spot&limit=100"))
        .build_signed(&signer, now)
        .unwrap();
    let (status, body) = send(get).await;
    assert_eq!(status, 200, "{body}");
    let order = r#"{"symbol":"BTC_USDT","side":"buy","type":"limit","size":"0.0015","price":"64089.87"}"#;
    let post = client
        .post(format!("{base}/spot/v2/submit_order"))
        .header("content-type", "application/json")
        .body(order)
        .build_signed(&signer, now)
        .unwrap();
    let (status, body) = send(post).await;
    assert_eq!(status, 200, "{body}");

    // The official SDK's GET: the query sent, an empty payload signed.
    let (key, secret, memo) = vector_key();
    let ts = now.unix_millis().to_string();
    let sdk = client
        .get(format!("{base}/spot/v4/query/open-orders?symbol=BTC_USDT"))
        .header("X-BM-KEY", &key)
        .header("X-BM-TIMESTAMP", &ts)
        .header("X-BM-SIGN", hmac_hex(&secret, &format!("{ts}#{memo}#")))
        .build()
        .unwrap();
    let (status, body) = send(sdk).await;
    assert_eq!((status, &body["code"], &body["message"]), (401, &json!(30005), &json!("Header X-BM-SIGN is wrong")));
    let rejection = classify(Scheme::Bitmart, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);

    // The same GET signed over its query, by hand: accepted.
    let by_hand = client
        .get(format!("{base}/spot/v4/query/open-orders?symbol=BTC_USDT"))
        .header("X-BM-KEY", &key)
        .header("X-BM-TIMESTAMP", &ts)
        .header("X-BM-SIGN", hmac_hex(&secret, &format!("{ts}#{memo}#symbol=BTC_USDT")))
        .build()
        .unwrap();
    assert_eq!(send(by_hand).await.0, 200);

    // A memo with another case: a wrong signature.
    let other_memo = BitmartSigner::new(&credentials_with_memo(&memo.to_uppercase())).unwrap();
    let wallet = |signer: &BitmartSigner, at: Timestamp| {
        client.get(format!("{base}/account/v1/wallet")).build_signed(signer, at).unwrap()
    };
    let (status, body) = send(wallet(&other_memo, now)).await;
    assert_eq!((status, &body["code"]), (401, &json!(30005)));

    // Two minutes old: outside the one-minute window.
    let stale = now.offset_by_millis(-120_000).unwrap();
    let (status, body) = send(wallet(&signer, stale)).await;
    assert_eq!((status, &body["code"]), (401, &json!(30007)), "{body}");
    let rejection = classify(Scheme::Bitmart, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::TimestampOutsideWindow);

    // An unknown key.
    let stranger =
        BitmartSigner::new(&Credentials::new().api_key("0123abcd").secret("s3cret").passphrase("m")).unwrap();
    let (status, body) = send(wallet(&stranger, now)).await;
    assert_eq!((status, &body["code"], &body["message"]), (401, &json!(30002), &json!("Header X-BM-KEY not found")));

    // Server time, as BitMart answers GET /system/time.
    let (status, time) = send(client.get(format!("{base}/system/time")).build().unwrap()).await;
    assert_eq!((status, &time["code"]), (200, &json!(1000)), "{time}");
    assert!(time["data"]["server_time"].as_u64().is_some_and(|ms| u128::from(ms).abs_diff(now.unix_millis()) < 60_000));
    exchange.shutdown().await;
}

#[tokio::test]
async fn the_websocket_login_verifies_and_a_forged_one_is_refused() {
    let exchange = exchange().await;
    let url = format!("{}/cexsign/ws/bitmart", exchange.base_url());
    let signer = BitmartSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();
    let login = signer.sign_ws(&WsRequest::login(), now).unwrap();
    let message: Value = serde_json::from_str(login.message_json()).unwrap();
    assert_eq!(message["op"], "login");
    let (key, secret, memo) = vector_key();
    let ts = now.unix_millis().to_string();
    assert_eq!(message["args"], json!([key, ts, hmac_hex(&secret, &format!("{ts}#{memo}#bitmart.WebSocket"))]));
    let ws = |body: String| reqwest::Client::new().post(&url).body(body).build().unwrap();
    let (status, answer) = send(ws(login.message_json().to_owned())).await;
    assert_eq!(status, 200, "{answer}");

    // Signed over the REST prehash's shape instead (no "bitmart.WebSocket"): refused.
    let forged = json!({"op": "login", "args": [key, ts, hmac_hex(&secret, &format!("{ts}#{memo}#"))]});
    let (_, answer) = send(ws(forged.to_string())).await;
    assert_eq!((&answer["event"], &answer["errorCode"]), (&json!("login"), &json!("30005")), "{answer}");
    let rejection = classify(Scheme::Bitmart, 200, answer.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);
    exchange.shutdown().await;
}
