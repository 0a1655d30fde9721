//! Upbit through a real socket: GETs with an encoded query and POSTs with a JSON body, signed by
//! the reqwest layer, are accepted by the local exchange (which verifies them from Upbit's
//! description alone: its nonce token check, its signer, its error table); a token whose
//! query_hash is over the still-encoded query (what pyupbit 0.2.34 sends), a nonce sent twice, a
//! wrong secret and an unknown key are refused in Upbit's own shape and classify to the kind
//! they were sent for.
//!
//! The wrong tokens are written here from AUTH-breadth.md §9 (base64url JSON, HMAC-SHA256,
//! SHA-512), not by the crate; expected values come from Upbit's documented error names.

#![cfg(feature = "reqwest")]

use base64::Engine as _;
use cexsign::client::RequestBuilderExt;
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{Credentials, Scheme, Timestamp, UpbitSigner};
use cexsign_local_exchange::RunningExchange;
use hmac::{KeyInit as _, Mac as _};
use serde_json::{Value, json};
use sha2::Digest as _;

mod loopback_common;
use loopback_common::send;

fn vector_key() -> (String, String) {
    loopback_common::vector_key(Scheme::Upbit)
}

fn credentials() -> Credentials {
    loopback_common::credentials(Scheme::Upbit)
}

async fn exchange() -> RunningExchange {
    loopback_common::start(Scheme::Upbit).await
}

/// An HS256 token as AUTH-breadth.md §9 lays it out, with the given claims.
fn token(secret: &str, claims: &Value) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let input = format!("{}.{}", b64.encode(r#"{"alg":"HS256","typ":"JWT"}"#), b64.encode(claims.to_string()));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64.encode(mac.finalize().into_bytes()))
}

fn sha512_hex(text: &str) -> String {
    hex::encode(sha2::Sha512::digest(text.as_bytes()))
}

fn refused_as(status: u16, body: &Value, name: &str, kind: RejectionKind) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["name"], name, "{body}");
    let classified = classify(Scheme::Upbit, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(classified.kind, kind, "{body}");
}

#[tokio::test]
async fn signed_requests_are_accepted_and_bad_ones_refused_in_upbits_shape() {
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::new();
    let signer = UpbitSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();
    let (key, secret) = vector_key();

    // A GET whose query needs encoding, a GET without parameters, a POST with a JSON body.
    let target = "/v1/orders/closed?market=KRW-BTC&start_time=2024-06-08T12%3A30%3A45%2B09%3A00";
    let get = client.get(format!("{base}{target}")).build_signed(&signer, now).unwrap();
    let (status, body) = send(get).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(client.get(format!("{base}/v1/accounts")).build_signed(&signer, now).unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let order = r#"{"market":"KRW-BTC","side":"bid","volume":"0.0015","price":"95000000","ord_type":"limit","identifier":"vg-loop-1"}"#;
    let post = client
        .post(format!("{base}/v1/orders"))
        .header("content-type", "application/json")
        .body(order)
        .build_signed(&signer, now)
        .unwrap();
    let (status, body) = send(post).await;
    assert_eq!(status, 200, "{body}");

    // pyupbit 0.2.34: the query_hash of the query still encoded.
    let encoded = "market=KRW-BTC&start_time=2024-06-08T12%3A30%3A45%2B09%3A00";
    let claims = json!({"access_key": key, "nonce": "6f1c7d3e-0000-4000-8000-000000000001",
        "query_hash": sha512_hex(encoded), "query_hash_alg": "SHA512"});
    let bearer = format!("Bearer {}", token(&secret, &claims));
    let (status, body) =
        send(client.get(format!("{base}{target}")).header("authorization", &bearer).build().unwrap()).await;
    refused_as(status, &body, "invalid_query_payload", RejectionKind::InvalidSignature);

    // The decoded query is right; the same token twice is a used nonce.
    let claims = json!({"access_key": key, "nonce": "6f1c7d3e-0000-4000-8000-000000000002",
        "query_hash": sha512_hex("market=KRW-BTC&start_time=2024-06-08T12:30:45+09:00"), "query_hash_alg": "SHA512"});
    let bearer = format!("Bearer {}", token(&secret, &claims));
    let (status, body) =
        send(client.get(format!("{base}{target}")).header("authorization", &bearer).build().unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        send(client.get(format!("{base}{target}")).header("authorization", &bearer).build().unwrap()).await;
    refused_as(status, &body, "nonce_used", RejectionKind::TimestampOutsideWindow);

    // Another secret, and a key nobody registered.
    let claims = json!({"access_key": key, "nonce": "6f1c7d3e-0000-4000-8000-000000000003"});
    let bearer = format!("Bearer {}", token("not-the-secret", &claims));
    let (status, body) =
        send(client.get(format!("{base}/v1/accounts")).header("authorization", &bearer).build().unwrap()).await;
    refused_as(status, &body, "jwt_verification", RejectionKind::InvalidSignature);
    let claims = json!({"access_key": "someoneElsesKey", "nonce": "6f1c7d3e-0000-4000-8000-000000000004"});
    let bearer = format!("Bearer {}", token(&secret, &claims));
    let (status, body) =
        send(client.get(format!("{base}/v1/accounts")).header("authorization", &bearer).build().unwrap()).await;
    refused_as(status, &body, "invalid_access_key", RejectionKind::InvalidKey);

    exchange.shutdown().await;
}

#[test]
fn the_diagnosis_names_a_hash_over_the_encoded_query_and_passes_the_right_token() {
    use cexsign::diagnose::{SentRequest, diagnose};
    let (key, secret) = vector_key();
    let encoded = "market=KRW-BTC&start_time=2024-06-08T12%3A30%3A45%2B09%3A00";
    let sent = |query_hash: String| {
        let claims = json!({"access_key": key, "nonce": "6f1c7d3e-0000-4000-8000-000000000005",
            "query_hash": query_hash, "query_hash_alg": "SHA512"});
        SentRequest::rest("GET", "/v1/orders/closed")
            .with_query(encoded)
            .with_auth("Authorization", &format!("Bearer {}", token(&secret, &claims)))
    };
    let wrong = diagnose(Scheme::Upbit, &credentials(), &sent(sha512_hex(encoded))).unwrap();
    assert_eq!(wrong.code(), Some(cexsign::diagnose::MistakeCode::QuerySignedEncoded), "{wrong}");
    assert!(wrong.explanation().contains("still URL-encoded"), "{wrong}");
    let right = sent(sha512_hex("market=KRW-BTC&start_time=2024-06-08T12:30:45+09:00"));
    let right = diagnose(Scheme::Upbit, &credentials(), &right).unwrap();
    assert_eq!(right.verdict(), "correct", "{right}");
}
