//! MEXC's contract API through a real socket: GETs with a query and POSTs with a JSON body,
//! signed by the reqwest layer, are accepted by the local exchange (which verifies them from
//! MEXC's description alone: its auth names, its window, its signer, its error table); a query
//! sent unsorted is sent as it is signed; a POST signed as sorted `k=v` pairs while its JSON body
//! is sent (what pymexc 1.3.1 does), a stale Request-Time and an unknown key are refused in
//! MEXC's own shape and classify to the kind they were sent for; the contract websocket login
//! verifies, and the contract server time answers. Spot requests (`/api/v3/`, signed inside
//! their parameters) are verified too and refused with spot's codes in spot's shape: pymexc's
//! `%20` signed but `+` sent (diagnosed), a stale timestamp, a recvWindow above 60000, an
//! unknown key.
//!
//! Expected values come from MEXC's documented error answers (AUTH-breadth.md §6) and the
//! conformance vectors' credentials, never from the server's own output.

#![cfg(feature = "reqwest")]

use cexsign::client::RequestBuilderExt;
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{Credentials, MexcSigner, Scheme, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::RunningExchange;
use hmac::{KeyInit as _, Mac as _};
use serde_json::{Value, json};

mod loopback_common;
use loopback_common::send;

fn vector_key() -> (String, String) {
    loopback_common::vector_key(Scheme::Mexc)
}

fn credentials() -> Credentials {
    loopback_common::credentials(Scheme::Mexc)
}

async fn exchange() -> RunningExchange {
    loopback_common::start(Scheme::Mexc).await
}

/// hex(HMAC-SHA256(secret, prehash)), written here from AUTH-breadth.md §6, not by the crate.
fn hmac_hex(secret: &str, prehash: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(prehash.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn contract_requests_are_accepted_and_bad_ones_refused_in_mexcs_shape() {
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::new();
    let signer = MexcSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();

    // A GET whose query is not in MEXC's rendering (unsorted, a raw comma): sent as signed.
    let get = client
        .get(format!("{base}/api/v1/private/order/list/history_orders?symbol=BTC_USDT&states=3,4&page_num=1"))
        .build_signed(&signer, now)
        .unwrap();
    assert_eq!(get.url().query(), Some("page_num=1&states=3%2C4&symbol=BTC_USDT"));
    let (status, body) = send(get).await;
    assert_eq!(status, 200, "{body}");
    let order =
        r#"{"symbol":"BTC_USDT","price":64250.5,"vol":1,"side":1,"type":1,"openType":1,"externalOid":"loop-1"}"#;
    let post = client
        .post(format!("{base}/api/v1/private/order/submit"))
        .header("content-type", "application/json")
        .body(order)
        .build_signed(&signer, now)
        .unwrap();
    let (status, body) = send(post).await;
    assert_eq!(status, 200, "{body}");

    // pymexc 1.3.1's futures POST: the JSON sent, its fields signed as sorted k=v pairs.
    let (key, secret) = vector_key();
    let ts = now.unix_millis().to_string();
    let pairs = "externalOid=loop-2&openType=1&price=64250.5&side=1&symbol=BTC_USDT&type=1&vol=1";
    let pymexc = client
        .post(format!("{base}/api/v1/private/order/submit"))
        .header("ApiKey", &key)
        .header("Request-Time", &ts)
        .header("Signature", hmac_hex(&secret, &format!("{key}{ts}{pairs}")))
        .header("content-type", "application/json")
        .body(order.replace("loop-1", "loop-2"))
        .build()
        .unwrap();
    let (status, body) = send(pymexc).await;
    assert_eq!((&body["success"], &body["code"]), (&json!(false), &json!(602)), "{status} {body}");
    let rejection = classify(Scheme::Mexc, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);

    // The same order signed over its body as sent, by hand: accepted.
    let body3 = order.replace("loop-1", "loop-3");
    let by_hand = client
        .post(format!("{base}/api/v1/private/order/submit"))
        .header("ApiKey", &key)
        .header("Request-Time", &ts)
        .header("Signature", hmac_hex(&secret, &format!("{key}{ts}{body3}")))
        .header("content-type", "application/json")
        .body(body3)
        .build()
        .unwrap();
    let (status, body) = send(by_hand).await;
    assert_eq!(status, 200, "{body}");

    // A minute old: outside the ten-second window.
    let assets = |signer: &MexcSigner, at: Timestamp| {
        client.get(format!("{base}/api/v1/private/account/assets")).build_signed(signer, at).unwrap()
    };
    let stale = now.offset_by_millis(-60_000).unwrap();
    let (status, body) = send(assets(&signer, stale)).await;
    assert_eq!(&body["code"], &json!(513), "{status} {body}");
    let rejection = classify(Scheme::Mexc, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::TimestampOutsideWindow);

    // An unknown key.
    let stranger = MexcSigner::new(&Credentials::new().api_key("mx0vStranger01").secret("s3cret")).unwrap();
    let (status, body) = send(assets(&stranger, now)).await;
    assert_eq!(&body["code"], &json!(401), "{status} {body}");
    let rejection = classify(Scheme::Mexc, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidKey);

    // Server time, as the contract API answers GET /api/v1/contract/ping.
    let (status, time) = send(client.get(format!("{base}/api/v1/contract/ping")).build().unwrap()).await;
    assert_eq!((status, &time["success"], &time["code"]), (200, &json!(true), &json!(0)), "{time}");
    assert!(time["data"].as_u64().is_some_and(|ms| u128::from(ms).abs_diff(now.unix_millis()) < 60_000));
    exchange.shutdown().await;
}

#[tokio::test]
async fn the_contract_websocket_login_verifies_and_a_forged_one_is_refused() {
    let exchange = exchange().await;
    let url = format!("{}/cexsign/ws/mexc", exchange.base_url());
    let signer = MexcSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();
    let login = signer.sign_ws(&WsRequest::login(), now).unwrap();
    let message: Value = serde_json::from_str(login.message_json()).unwrap();
    let (key, secret) = vector_key();
    let ts = now.unix_millis().to_string();
    let expected = json!({"method": "login", "param": {"apiKey": key, "reqTime": ts, "signature": hmac_hex(&secret, &format!("{key}{ts}"))}});
    assert_eq!(message, expected);
    let ws = |body: String| reqwest::Client::new().post(&url).body(body).build().unwrap();
    let (status, answer) = send(ws(login.message_json().to_owned())).await;
    assert_eq!(status, 200, "{answer}");

    // Signed over the reqTime alone: refused.
    let forged =
        json!({"method": "login", "param": {"apiKey": key, "reqTime": ts, "signature": hmac_hex(&secret, &ts)}});
    let (status, answer) = send(ws(forged.to_string())).await;
    assert_eq!(&answer["code"], &json!(602), "{status} {answer}");
    let rejection = classify(Scheme::Mexc, status, answer.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);
    exchange.shutdown().await;
}

/// A spot request signed by hand as AUTH-breadth.md §6 states it: the query exactly as sent,
/// `signature` appended last, the key in `X-MEXC-APIKEY`.
fn spot_by_hand(base: &str, method: reqwest::Method, path: &str, signed: &str, sent: &str) -> reqwest::Request {
    let (key, secret) = vector_key();
    let signature = hmac_hex(&secret, signed);
    reqwest::Client::new()
        .request(method, format!("{base}{path}?{sent}&signature={signature}"))
        .header("X-MEXC-APIKEY", key)
        .build()
        .unwrap()
}

#[tokio::test]
async fn spot_requests_are_verified_and_bad_ones_refused_with_spot_codes() {
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::new();
    let signer = MexcSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();
    let ts = now.unix_millis();

    // The crate's signer: a GET, and an order whose parameters all travel in the query.
    let account = client.get(format!("{base}/api/v3/account")).build_signed(&signer, now).unwrap();
    let (status, body) = send(account).await;
    assert_eq!((status, &body["cexsign"]), (200, &json!("accepted")), "{body}");
    let order = client
        .post(format!("{base}/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11"))
        .build_signed(&signer, now)
        .unwrap();
    let (status, body) = send(order).await;
    assert_eq!((status, &body["cexsign"]), (200, &json!("accepted")), "{body}");

    // By hand, with a recvWindow: accepted.
    let query = format!("symbol=BTCUSDT&limit=5&recvWindow=5000&timestamp={ts}");
    let (status, body) = send(spot_by_hand(&base, reqwest::Method::GET, "/api/v3/myTrades", &query, &query)).await;
    assert_eq!((status, &body["cexsign"]), (200, &json!("accepted")), "{body}");

    // pymexc 1.3.1's spot bug: `%20` signed, `+` sent. Refused as spot answers a signature it
    // cannot verify, {"code":700002,"msg"}, and diagnosed.
    let signed = format!("coin=USDT&memo=vg%20bot&timestamp={ts}");
    let sent = format!("coin=USDT&memo=vg+bot&timestamp={ts}");
    let (status, body) =
        send(spot_by_hand(&base, reqwest::Method::GET, "/api/v3/capital/withdraw", &signed, &sent)).await;
    assert_eq!((&body["code"], &body["msg"]), (&json!(700002), &json!("Signature for this request is not valid.")));
    assert!(body.get("success").is_none(), "spot's shape, not the contract's: {body}");
    let rejection = classify(Scheme::Mexc, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);
    assert_eq!(body["cexsign_diagnosis"]["mistake"], json!("query-encoding-differs"), "{body}");

    // A minute old: outside spot's default recvWindow of 5 s (contract's 10 s would not matter).
    let stale = format!("timestamp={}", ts - 60_000);
    let (status, body) = send(spot_by_hand(&base, reqwest::Method::GET, "/api/v3/account", &stale, &stale)).await;
    assert_eq!(&body["code"], &json!(700003), "{status} {body}");
    let rejection = classify(Scheme::Mexc, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::TimestampOutsideWindow);
    // 7 s old is inside a recvWindow of 10000 the request states.
    let widened = format!("recvWindow=10000&timestamp={}", Timestamp::now().unwrap().unix_millis() - 7_000);
    let (status, body) = send(spot_by_hand(&base, reqwest::Method::GET, "/api/v3/account", &widened, &widened)).await;
    assert_eq!((status, &body["cexsign"]), (200, &json!("accepted")), "{body}");

    // A recvWindow above 60000.
    let wide = format!("recvWindow=70000&timestamp={ts}");
    let (status, body) = send(spot_by_hand(&base, reqwest::Method::GET, "/api/v3/account", &wide, &wide)).await;
    assert_eq!((&body["code"], &body["msg"]), (&json!(700005), &json!("recvWindow must less than 60000")), "{status}");

    // An unknown key.
    let stranger = MexcSigner::new(&Credentials::new().api_key("mx0vStranger01").secret("s3cret")).unwrap();
    let unknown = client.get(format!("{base}/api/v3/account")).build_signed(&stranger, now).unwrap();
    let (status, body) = send(unknown).await;
    assert_eq!(&body["code"], &json!(10072), "{status} {body}");
    let rejection = classify(Scheme::Mexc, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidKey);
    exchange.shutdown().await;
}
