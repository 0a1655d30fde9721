//! Secrets never print: not through `Debug` of any public type that holds one, not through a
//! header map the signed headers were applied to, and not through an error.

use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, KucoinKeyVersion,
    KucoinSigner, Method, OkxEnvironment, OkxSigner, SignOptions, SignableRequest, Signer, Timestamp, WsRequest,
};

const SECRET: &str = "SECRETMARKx9QvT2wL8pZ3mR7kB4nC6d";
const PASSPHRASE: &str = "PASSMARKq7Wz";
// base64 of 64 bytes; its first characters are a recognisable marker.
const CB_SECRET: &str = "SECRETMARK+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==";
const ED25519_64: &str = "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==";
const ES256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49\nAwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR\ns8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==\n-----END EC PRIVATE KEY-----\n";

fn credentials(secret: &str) -> Credentials {
    Credentials::new().api_key("visible-key").secret(secret).passphrase(PASSPHRASE)
}

fn assert_hidden(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        // Any 12-character window of the secret would be a leak.
        let probe = &secret[..12];
        assert!(!text.contains(probe), "{what} leaks a secret: {text}");
    }
}

fn signers() -> Vec<(Box<dyn Signer>, Vec<&'static str>)> {
    vec![
        (Box::new(OkxSigner::new(&credentials(SECRET), OkxEnvironment::Demo).unwrap()), vec![SECRET, PASSPHRASE]),
        (Box::new(KucoinSigner::new(&credentials(SECRET), KucoinKeyVersion::V1).unwrap()), vec![SECRET, PASSPHRASE]),
        (Box::new(KucoinSigner::new(&credentials(SECRET), KucoinKeyVersion::V3).unwrap()), vec![SECRET, PASSPHRASE]),
        (Box::new(CoinbaseExchangeSigner::new(&credentials(CB_SECRET)).unwrap()), vec![CB_SECRET, PASSPHRASE]),
        (Box::new(DeltaSigner::new(&credentials(SECRET)).unwrap()), vec![SECRET]),
        (Box::new(CoinbaseAdvancedHmacSigner::new(&credentials(SECRET)).unwrap()), vec![SECRET]),
        (Box::new(CoinbaseCdpSigner::new(&credentials(ED25519_64)).unwrap()), vec![ED25519_64]),
        (Box::new(CoinbaseCdpSigner::new(&credentials(ES256_PEM)).unwrap()), vec!["MHcCAQEEIMJ6Nuyvw0gB"]),
    ]
}

#[test]
fn credentials_debug_redacts_secret_and_passphrase() {
    let text = format!("{:?}", credentials(SECRET));
    assert_hidden("Credentials", &text, &[SECRET, PASSPHRASE]);
    assert!(text.contains("visible-key") && text.contains("[REDACTED]"), "{text}");
}

#[test]
fn signer_debug_redacts_key_material() {
    for (signer, secrets) in signers() {
        assert_hidden(&format!("{:?} signer", signer.scheme()), &format!("{signer:?}"), &secrets);
        assert_hidden("signer (pretty)", &format!("{signer:#?}"), &secrets);
    }
}

#[test]
fn signed_request_and_header_map_hide_passphrases_and_tokens() {
    let request = SignableRequest::new(Method::Post, "/api/v5/trade/order").unwrap().with_body(b"{}");
    for (signer, secrets) in signers() {
        let signed = signer.sign(&request, Timestamp::from_unix_secs(1_700_000_000)).unwrap();
        assert_hidden("SignedRequest", &format!("{signed:?}"), &secrets);
        let mut map = http::HeaderMap::new();
        signed.apply_to(&mut map);
        assert_hidden("HeaderMap", &format!("{map:?}"), &secrets);
        // Passphrase headers and bearer tokens are secrets in their own right.
        for (name, value) in signed.headers() {
            let secret_bearing = name.as_str().ends_with("passphrase") || name == http::header::AUTHORIZATION;
            assert_eq!(value.is_sensitive(), secret_bearing, "{name} sensitivity");
            if secret_bearing {
                assert!(!format!("{signed:?}").contains(value.to_str().unwrap()), "{name} printed");
            }
        }
    }
}

#[test]
fn websocket_auth_debug_hides_passphrase_and_token() {
    for (signer, secrets) in signers() {
        let Ok(auth) = signer.sign_ws(&WsRequest::subscribe(&["user"], &["BTC-USD"]), Timestamp::from_unix_secs(1))
        else {
            continue; // KuCoin has no websocket login
        };
        let text = format!("{auth:?}");
        assert_hidden("WsAuth", &text, &secrets);
        for field in auth.fields().iter().filter(|f| f.is_sensitive()) {
            assert!(!text.contains(field.value()), "sensitive ws field {} printed", field.name());
        }
    }
}

#[test]
fn prehash_debug_shows_only_a_length() {
    let signer = DeltaSigner::new(&credentials(SECRET)).unwrap();
    let request = SignableRequest::new(Method::Post, "/v2/orders").unwrap().with_body(b"{\"size\":3}");
    let signed = signer.sign_with(&request, Timestamp::from_unix_secs(1), &SignOptions::new().keep_prehash()).unwrap();
    let prehash = signed.prehash().unwrap();
    assert_eq!(format!("{prehash:?}"), "Prehash(25 bytes)");
    assert_eq!(prehash.to_string(), "POST1/v2/orders{\"size\":3}");
}

#[test]
fn construction_errors_never_echo_the_secret() {
    let bad_cb = Credentials::new().api_key("k").secret(SECRET).passphrase(PASSPHRASE);
    let err = CoinbaseExchangeSigner::new(&bad_cb).unwrap_err();
    assert_hidden("error", &format!("{err} {err:?}"), &[SECRET, PASSPHRASE]);

    let bad_cdp = Credentials::new().api_key("k").secret(SECRET);
    let err = CoinbaseCdpSigner::new(&bad_cdp).unwrap_err();
    assert_hidden("error", &format!("{err} {err:?}"), &[SECRET]);

    let newline_passphrase = Credentials::new().api_key("k").secret(SECRET).passphrase("PASSMARKq7Wz\n");
    let err = OkxSigner::new(&newline_passphrase, OkxEnvironment::Live).unwrap_err();
    assert_hidden("error", &format!("{err} {err:?}"), &[SECRET, PASSPHRASE]);
}

#[test]
fn signature_comparison_is_exact() {
    let signer = DeltaSigner::new(&credentials(SECRET)).unwrap();
    let request = SignableRequest::new(Method::Get, "/v2/orders").unwrap();
    let signed = signer.sign(&request, Timestamp::from_unix_secs(1)).unwrap();
    assert!(signed.signature_matches(signed.signature()));
    let mut other = signed.signature().to_owned();
    other.replace_range(0..1, if other.starts_with('0') { "1" } else { "0" });
    assert!(!signed.signature_matches(&other));
    assert!(!signed.signature_matches(&signed.signature()[1..]));
}
