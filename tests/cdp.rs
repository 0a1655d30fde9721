//! Coinbase CDP keys: every accepted key encoding loads the same key, tokens have the official
//! SDK's shape, nonces are fresh, and the `uri` claim never carries the query.

#![cfg(feature = "cdp")]

use base64::Engine as _;
use cexsign::{
    CdpKeyType, CoinbaseCdpSigner, Credentials, Method, SignOptions, SignableRequest, Signer, Timestamp, WsRequest,
};
use serde_json::{Value, json};

const KEY_NAME: &str =
    "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111";
const ES256_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49\nAwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR\ns8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==\n-----END EC PRIVATE KEY-----\n";
// The same key as PKCS#8 (openssl pkcs8 -topk8 -nocrypt).
const ES256_PKCS8: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwno27K/DSAH7zaL6\nj8pUdpqeetDhIopa+GnPAauTDCWhRANCAARa5MhuCWeifzlXN9ob1rqsmoadT4Fc\nWirT/JlrrDI444k73IVI85Gzxp0ADaNULA44T2xC6LA5zlp9JnqKbz0f\n-----END PRIVATE KEY-----\n";
const ED25519_ID: &str = "22222222-2222-4222-8222-222222222222";
const ED25519_64: &str = "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==";
// The same key's seed wrapped as PKCS#8 (RFC 8410).
const ED25519_PKCS8: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIK5aq+4tsSJQZQSIG9YsUuQyHRBjUH3GkgukyeasLi6P\n-----END PRIVATE KEY-----\n";
const NONCE: &str = "00000000000000000000000000000000ffffffffffffffffffffffffffffffff";

fn signer(name: &str, secret: &str) -> CoinbaseCdpSigner {
    CoinbaseCdpSigner::new(&Credentials::new().api_key(name).secret(secret)).unwrap()
}

fn b64url(part: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()
}

fn decode(token: &str) -> (Value, Value, String, Vec<u8>) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    (
        serde_json::from_slice(&b64url(parts[0])).unwrap(),
        serde_json::from_slice(&b64url(parts[1])).unwrap(),
        format!("{}.{}", parts[0], parts[1]),
        b64url(parts[2]),
    )
}

fn bearer(signed: &cexsign::SignedRequest) -> String {
    signed.header("authorization").unwrap().strip_prefix("Bearer ").unwrap().to_owned()
}

fn verify_es256(public_sec1: &[u8], input: &str, signature: &[u8]) {
    use p256::ecdsa::signature::Verifier as _;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_sec1).unwrap();
    let signature = p256::ecdsa::Signature::from_slice(signature).unwrap();
    key.verify(input.as_bytes(), &signature).unwrap();
}

#[test]
fn es256_loads_from_sec1_pkcs8_and_escaped_newlines() {
    let sec1 = signer(KEY_NAME, ES256_SEC1);
    let pkcs8 = signer(KEY_NAME, ES256_PKCS8);
    let escaped = signer(KEY_NAME, &ES256_SEC1.replace('\n', "\\n"));
    let no_trailing_newline = signer(KEY_NAME, ES256_SEC1.trim_end());
    assert_eq!(sec1.key_type(), CdpKeyType::Es256);
    for other in [&pkcs8, &escaped, &no_trailing_newline] {
        assert_eq!(other.key_type(), CdpKeyType::Es256);
        assert_eq!(other.public_key(), sec1.public_key());
    }
    assert_eq!(sec1.public_key().len(), 65);
}

#[test]
fn ed25519_loads_from_64_bytes_32_byte_seed_pkcs8_and_spaced_base64() {
    let full = signer(ED25519_ID, ED25519_64);
    let seed = base64::engine::general_purpose::STANDARD.decode(ED25519_64).unwrap();
    let seed = base64::engine::general_purpose::STANDARD.encode(&seed[..32]);
    let spaced = format!(" {}\n{} ", &ED25519_64[..40], &ED25519_64[40..]);
    for other in [signer(ED25519_ID, &seed), signer(ED25519_ID, ED25519_PKCS8), signer(ED25519_ID, &spaced)] {
        assert_eq!(other.key_type(), CdpKeyType::EdDsa);
        assert_eq!(other.public_key(), full.public_key());
    }
}

#[test]
fn worked_example_tokens_are_reproduced_byte_for_byte() {
    // AUTH.md §2, Ed25519, official SDK with the nonce pinned.
    let signer = signer(ED25519_ID, ED25519_64);
    let request = SignableRequest::new(Method::Get, "/api/v3/brokerage/accounts").unwrap();
    let options = SignOptions::new().with_nonce(NONCE);
    let signed = signer.sign_with(&request, Timestamp::from_unix_secs(1_700_000_000), &options).unwrap();
    assert!(
        bearer(&signed)
            .ends_with(".comk7uEPgEZoSRRtuKCYv1sI7AuFB_WOrbt8jeRpuBumUk9Egcwo7V7v0_8bjd8FqRGz4IZ1hEcknm9-5_vFAg")
    );
    let ws = signer.sign_ws_with(&WsRequest::login(), Timestamp::from_unix_secs(1_700_000_000), &options).unwrap();
    assert!(
        ws.field("jwt")
            .unwrap()
            .ends_with(".D6BChJFJdHB-Eg967ScZUoWOU8KLAh-_PeSCcr27HP0VI9sMbEOKM3Pw7GS6II_fRjSiOJ0RjFA66G4OM_WEBQ")
    );
}

#[test]
fn es256_token_has_the_sdk_shape_and_verifies_under_our_public_key() {
    let signer = signer(KEY_NAME, ES256_SEC1);
    let request = SignableRequest::new("post".parse().unwrap(), "/api/v3/brokerage/orders")
        .unwrap()
        .with_query("ignored=1")
        .unwrap()
        .with_body(b"{}");
    let options = SignOptions::new().with_nonce(NONCE).keep_prehash();
    let signed = signer.sign_with(&request, Timestamp::from_unix_secs(1_700_000_000), &options).unwrap();
    let (header, claims, input, signature) = decode(&bearer(&signed));
    assert_eq!(header, json!({"alg": "ES256", "kid": KEY_NAME, "nonce": NONCE, "typ": "JWT"}));
    assert_eq!(
        claims,
        json!({"sub": KEY_NAME, "iss": "cdp", "nbf": 1_700_000_000u64, "exp": 1_700_000_120u64,
               "uri": "POST api.coinbase.com/api/v3/brokerage/orders"})
    );
    // AUTH.md §2's ES256 signing input for the same key, nonce and GET request differs only in
    // its claims; here the signing input must be exactly the token's first two parts.
    assert_eq!(signed.prehash().unwrap().as_str(), Some(input.as_str()));
    assert_eq!(signature.len(), 64);
    verify_es256(&signer.public_key(), &input, &signature);
    assert_eq!(signed.timestamp(), "1700000000");
}

#[test]
fn header_json_key_order_and_claim_order_match_the_official_sdk() {
    let signer = signer(ED25519_ID, ED25519_64);
    let request = SignableRequest::new(Method::Get, "/api/v3/brokerage/accounts").unwrap();
    let options = SignOptions::new().with_nonce(NONCE).keep_prehash();
    let signed = signer.sign_with(&request, Timestamp::from_unix_secs(1_700_000_000), &options).unwrap();
    let input = signed.prehash().unwrap().as_str().unwrap().to_owned();
    let (header, claims) = input.split_once('.').unwrap();
    assert_eq!(
        String::from_utf8(b64url(header)).unwrap(),
        format!(r#"{{"alg":"EdDSA","kid":"{ED25519_ID}","nonce":"{NONCE}","typ":"JWT"}}"#)
    );
    assert_eq!(
        String::from_utf8(b64url(claims)).unwrap(),
        format!(
            r#"{{"sub":"{ED25519_ID}","iss":"cdp","nbf":1700000000,"exp":1700000120,"uri":"GET api.coinbase.com/api/v3/brokerage/accounts"}}"#
        )
    );
}

#[test]
fn every_token_gets_a_fresh_64_hex_nonce() {
    let signer = signer(ED25519_ID, ED25519_64);
    let request = SignableRequest::new(Method::Get, "/api/v3/brokerage/accounts").unwrap();
    let at = Timestamp::from_unix_secs(1_700_000_000);
    let nonces: Vec<String> = (0..8)
        .map(|_| decode(&bearer(&signer.sign(&request, at).unwrap())).0["nonce"].as_str().unwrap().to_owned())
        .collect();
    for nonce in &nonces {
        assert_eq!(nonce.len(), 64);
        assert!(nonce.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{nonce}");
    }
    let mut unique = nonces.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), nonces.len(), "nonces repeat");
}

#[test]
fn uri_uses_the_request_host_or_the_configured_one_and_never_the_query() {
    let at = Timestamp::from_unix_secs(1_700_000_000);
    let request =
        SignableRequest::new(Method::Get, "/platform/v2/evm/accounts").unwrap().with_query("pageSize=20").unwrap();
    let default_host = signer(ED25519_ID, ED25519_64);
    let uri = |signed: &cexsign::SignedRequest| decode(&bearer(signed)).1["uri"].as_str().unwrap().to_owned();
    assert_eq!(uri(&default_host.sign(&request, at).unwrap()), "GET api.coinbase.com/platform/v2/evm/accounts");
    let on_request = request.with_host("api.cdp.coinbase.com").unwrap();
    assert_eq!(uri(&default_host.sign(&on_request, at).unwrap()), "GET api.cdp.coinbase.com/platform/v2/evm/accounts");
    let configured = signer(ED25519_ID, ED25519_64).with_host("api.cdp.coinbase.com").unwrap();
    assert_eq!(uri(&configured.sign(&request, at).unwrap()), "GET api.cdp.coinbase.com/platform/v2/evm/accounts");
}

#[test]
fn websocket_token_has_no_uri_and_rides_in_the_subscribe_message() {
    let signer = signer(KEY_NAME, ES256_SEC1);
    let at = Timestamp::from_unix_secs(1_700_000_000);
    let auth = signer.sign_ws(&WsRequest::subscribe(&["user"], &["BTC-USD"]), at).unwrap();
    let jwt = auth.field("jwt").unwrap();
    let (_, claims, input, signature) = decode(jwt);
    assert_eq!(claims, json!({"sub": KEY_NAME, "iss": "cdp", "nbf": 1_700_000_000u64, "exp": 1_700_000_120u64}));
    verify_es256(&signer.public_key(), &input, &signature);
    let message: Value = serde_json::from_str(auth.message_json()).unwrap();
    assert_eq!(message, json!({"type": "subscribe", "product_ids": ["BTC-USD"], "channel": "user", "jwt": jwt}));
}

#[test]
fn expiry_is_configurable() {
    let signer = signer(ED25519_ID, ED25519_64).with_expires_in(std::time::Duration::from_secs(60)).unwrap();
    let request = SignableRequest::new(Method::Get, "/x").unwrap();
    let signed = signer.sign(&request, Timestamp::from_unix_secs(100)).unwrap();
    assert_eq!(decode(&bearer(&signed)).1["exp"], json!(160));
    let err = signer.with_expires_in(std::time::Duration::ZERO).unwrap_err();
    assert!(err.to_string().contains("at least one second"));
}
