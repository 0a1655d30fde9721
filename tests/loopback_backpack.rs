//! Backpack through a real socket: GETs with a query and POSTs with a JSON body, signed by the
//! reqwest layer, are accepted by the local exchange (which verifies them from Backpack's
//! description alone: its auth names, its window, its signer, its error table); a request whose
//! query is sent in another order and encoding than it is signed is accepted too (Backpack signs
//! the parameters, not their layout); unsorted parameters, a stale timestamp and an unknown key
//! are refused in Backpack's own shape and classify to the kind they were sent for; the server
//! time answers. Each request is held to the window it sends in `X-Window` (and signs), up to
//! Backpack's 60000 ms; a window above that, or not a whole number of milliseconds, is refused.
//!
//! Expected signatures are computed here with ed25519-dalek over strings written from
//! AUTH-breadth.md §10, never taken from the server's output.

#![cfg(all(feature = "reqwest", feature = "pem-keys"))]

use base64::Engine as _;
use cexsign::client::RequestBuilderExt;
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{BackpackSigner, Credentials, KeySettings, Scheme, Signer, Timestamp};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use serde_json::{Value, json};

mod loopback_common;
use loopback_common::send;

fn vector_key() -> (String, String) {
    loopback_common::vector_key(Scheme::Backpack)
}

fn credentials() -> Credentials {
    loopback_common::credentials(Scheme::Backpack)
}

async fn exchange() -> RunningExchange {
    loopback_common::start(Scheme::Backpack).await
}

/// base64(Ed25519(seed, text)), written here from AUTH-breadth.md §10, not by the crate.
fn ed25519_b64(text: &str) -> String {
    let b64 = &base64::engine::general_purpose::STANDARD;
    let seed: [u8; 32] = b64.decode(vector_key().1).unwrap().try_into().unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    b64.encode(ed25519_dalek::Signer::sign(&key, text.as_bytes()).to_bytes())
}

#[tokio::test]
async fn signed_requests_are_accepted_and_bad_ones_refused_in_backpacks_shape() {
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::new();
    let signer = BackpackSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();

    // A GET with a query and a POST with a JSON body (with a boolean).
    let get = client.get(format!("{base}/api/v1/orders?symbol=SOL_USDC")).build_signed(&signer, now).unwrap();
    let (status, body) = send(get).await;
    assert_eq!(status, 200, "{body}");
    let order = r#"{"symbol":"SOL_USDC","side":"Bid","orderType":"Limit","price":"150.00","quantity":"1","postOnly":true,"clientId":7}"#;
    let post = client
        .post(format!("{base}/api/v1/order"))
        .header("content-type", "application/json")
        .body(order)
        .build_signed(&signer, now)
        .unwrap();
    let (status, body) = send(post).await;
    assert_eq!(status, 200, "{body}");

    // By hand: the query sent unsorted and percent-encoded, the sorted decoded string signed.
    let (key, _) = vector_key();
    let ts = now.unix_millis().to_string();
    let by_hand = |query: &str, signed: &str| {
        client
            .get(format!("{base}/wapi/v1/history/fills?{query}"))
            .header("X-API-Key", &key)
            .header("X-Timestamp", &ts)
            .header("X-Window", "5000")
            .header("X-Signature", ed25519_b64(signed))
            .build()
            .unwrap()
    };
    let sorted = format!("instruction=fillHistoryQueryAll&limit=100&symbol=SOL_USDC&timestamp={ts}&window=5000");
    assert_eq!(send(by_hand("symbol=SOL%5FUSDC&limit=100", &sorted)).await.0, 200);

    // The parameters signed in the order sent: a wrong signature.
    let unsorted = format!("instruction=fillHistoryQueryAll&symbol=SOL_USDC&limit=100&timestamp={ts}&window=5000");
    let (status, body) = send(by_hand("symbol=SOL_USDC&limit=100", &unsorted)).await;
    assert_eq!((status, &body["code"]), (401, &json!("INVALID_SIGNATURE")), "{body}");
    let rejection = classify(Scheme::Backpack, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);

    // Two minutes old: outside the 5 s window.
    let capital = |at: Timestamp| client.get(format!("{base}/api/v1/capital")).build_signed(&signer, at).unwrap();
    let (status, body) = send(capital(now.offset_by_millis(-120_000).unwrap())).await;
    assert_eq!((status, &body["code"]), (400, &json!("INVALID_CLIENT_REQUEST")), "{body}");
    let rejection = classify(Scheme::Backpack, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::TimestampOutsideWindow);

    // An unknown key (a valid key pair of another seed).
    let stranger = BackpackSigner::new(
        &Credentials::new()
            .api_key("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=")
            .secret("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
    )
    .unwrap();
    let (status, body) = send(client.get(format!("{base}/api/v1/capital")).build_signed(&stranger, now).unwrap()).await;
    assert_eq!((status, &body["code"]), (401, &json!("UNAUTHORIZED")), "{body}");

    // Server time, as Backpack answers GET /api/v1/time: Unix milliseconds.
    let (status, time) = send(client.get(format!("{base}/api/v1/time")).build().unwrap()).await;
    assert_eq!(status, 200, "{time}");
    assert!(time.as_u64().is_some_and(|ms| u128::from(ms).abs_diff(now.unix_millis()) < 60_000), "{time}");
    exchange.shutdown().await;
}

#[tokio::test]
async fn the_private_subscribe_verifies_and_a_forged_one_is_refused() {
    let exchange = exchange().await;
    let url = format!("{}/cexsign/ws/backpack", exchange.base_url());
    let signer = BackpackSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();
    let subscribe = signer.sign_ws(&cexsign::WsRequest::subscribe(&["account.orderUpdate"], &[]), now).unwrap();
    let (key, _) = vector_key();
    let ts = now.unix_millis().to_string();
    let signature = ed25519_b64(&format!("instruction=subscribe&timestamp={ts}&window=5000"));
    let expected =
        json!({"method": "SUBSCRIBE", "params": ["account.orderUpdate"], "signature": [key, signature, ts, "5000"]});
    assert_eq!(serde_json::from_str::<Value>(subscribe.message_json()).unwrap(), expected);
    let ws = |body: String| reqwest::Client::new().post(&url).body(body).build().unwrap();
    let (status, answer) = send(ws(subscribe.message_json().to_owned())).await;
    assert_eq!(status, 200, "{answer}");

    // Signed without the window: refused as a wrong signature.
    let forged_signature = ed25519_b64(&format!("instruction=subscribe&timestamp={ts}"));
    let forged = json!({"method": "SUBSCRIBE", "params": ["account.orderUpdate"], "signature": [key, forged_signature, ts, "5000"]});
    let (_, answer) = send(ws(forged.to_string())).await;
    assert_eq!(answer["error"]["code"], json!("INVALID_SIGNATURE"), "{answer}");
    let rejection = classify(Scheme::Backpack, 200, answer.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);
    exchange.shutdown().await;
}

/// `GET /api/v1/capital` signed by hand at `ts` with the window `window` sent in `X-Window` and
/// signed as AUTH-breadth.md §10 writes it (`instruction=balanceQuery&timestamp=…&window=…`).
fn capital_with_window(base: &str, ts: u128, window: &str) -> reqwest::Request {
    let (key, _) = vector_key();
    reqwest::Client::new()
        .get(format!("{base}/api/v1/capital"))
        .header("X-API-Key", key)
        .header("X-Timestamp", ts.to_string())
        .header("X-Window", window)
        .header("X-Signature", ed25519_b64(&format!("instruction=balanceQuery&timestamp={ts}&window={window}")))
        .build()
        .unwrap()
}

#[tokio::test]
async fn each_request_is_held_to_the_window_it_sends_up_to_sixty_seconds() {
    // The key is registered with the default window: the request's own X-Window decides.
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let now = || Timestamp::now().unwrap().unix_millis();

    // 30 s old: outside the default 5 s, inside a window of 45000 the request sends and signs.
    let (status, body) = send(capital_with_window(&base, now() - 30_000, "45000")).await;
    assert_eq!((status, &body["cexsign"]), (200, &json!("accepted")), "{body}");
    let (status, body) = send(capital_with_window(&base, now() - 30_000, "5000")).await;
    assert_eq!((status, &body["code"]), (400, &json!("INVALID_CLIENT_REQUEST")), "{body}");
    let rejection = classify(Scheme::Backpack, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::TimestampOutsideWindow);

    // A narrower window holds too: 3 s old is outside 2000.
    let (status, body) = send(capital_with_window(&base, now() - 3_000, "2000")).await;
    assert_eq!((status, &body["code"]), (400, &json!("INVALID_CLIENT_REQUEST")), "{body}");

    // The largest window Backpack takes, 60000, is taken; above it, or none at all, is refused
    // as a client request error, not as an expiry.
    let (status, body) = send(capital_with_window(&base, now() - 50_000, "60000")).await;
    assert_eq!((status, &body["cexsign"]), (200, &json!("accepted")), "{body}");
    for window in ["60001", "0", "5s", "-5000"] {
        let (status, body) = send(capital_with_window(&base, now(), window)).await;
        assert_eq!((status, &body["code"]), (400, &json!("INVALID_CLIENT_REQUEST")), "{window}: {body}");
        let rejection = classify(Scheme::Backpack, status, body.to_string().as_bytes());
        assert_ne!(rejection.map(|r| r.kind), Some(RejectionKind::TimestampOutsideWindow), "{window}: {body}");
    }

    // The crate's signer with a window of its own: accepted 20 s late.
    let signer = BackpackSigner::new(&credentials()).unwrap().with_window(std::time::Duration::from_secs(30)).unwrap();
    let late = Timestamp::now().unwrap().offset_by_millis(-20_000).unwrap();
    let request = reqwest::Client::new().get(format!("{base}/api/v1/capital")).build_signed(&signer, late).unwrap();
    let (status, body) = send(request).await;
    assert_eq!((status, &body["cexsign"]), (200, &json!("accepted")), "{body}");
    exchange.shutdown().await;
}

#[tokio::test]
async fn a_request_without_x_window_signs_the_default_whatever_the_keys_window() {
    // A key registered with a 30 s window; its request sends no X-Window, so Backpack's default
    // 5000 is signed ("If no X-Window header is passed the default value of 5000 still needs to
    // be added to the signing string") and holds.
    let settings = KeySettings::new().recv_window(std::time::Duration::from_secs(30));
    let account = Account::new(Scheme::Backpack, &credentials(), &settings).unwrap();
    let exchange = LocalExchange::new().with_account(account).start().await.unwrap();
    let base = exchange.base_url().to_owned();
    let (key, _) = vector_key();
    let unwindowed = |ts: u128, signed_window: &str| {
        reqwest::Client::new()
            .get(format!("{base}/api/v1/capital"))
            .header("X-API-Key", &key)
            .header("X-Timestamp", ts.to_string())
            .header(
                "X-Signature",
                ed25519_b64(&format!("instruction=balanceQuery&timestamp={ts}&window={signed_window}")),
            )
            .build()
            .unwrap()
    };
    let now = || Timestamp::now().unwrap().unix_millis();
    let (status, body) = send(unwindowed(now(), "5000")).await;
    assert_eq!((status, &body["cexsign"]), (200, &json!("accepted")), "{body}");
    // Signed with the key's 30000 while sending none: not what Backpack signs.
    let (status, body) = send(unwindowed(now(), "30000")).await;
    assert_eq!((status, &body["code"]), (401, &json!("INVALID_SIGNATURE")), "{body}");
    // And held to the default: 10 s old is outside 5 s.
    let (status, body) = send(unwindowed(now() - 10_000, "5000")).await;
    assert_eq!((status, &body["code"]), (400, &json!("INVALID_CLIENT_REQUEST")), "{body}");
    exchange.shutdown().await;
}
