//! Secrets never print: not through `Debug` of any public type that holds one, not through a
//! header map the signed headers were applied to, and not through an error.

use cexsign::{
    BinanceKeyType, BinanceSigner, BitgetSigner, BybitKeyType, BybitSigner, CoinbaseAdvancedHmacSigner,
    CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, GateSigner, KrakenSigner, KucoinKeyVersion,
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

/// A PEM private key of the conformance vectors (by vector id), and a piece of its key body that
/// must never show.
fn vector_pem(file: &str, id: &str) -> (String, &'static str) {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let vector = doc["vectors"].as_array().unwrap().iter().find(|v| v["id"] == id).unwrap();
    let pem = vector["credentials"]["secret"].as_str().unwrap().to_owned();
    let body_line: &'static str = Box::leak(pem.lines().nth(1).unwrap().to_owned().into_boxed_str());
    (pem, &body_line[8..])
}

fn signers() -> Vec<(Box<dyn Signer>, Vec<&'static str>)> {
    let (ed25519, ed25519_marker) = vector_pem("binance.json", "binance-pub-22-ed25519-get");
    let (binance_rsa, binance_rsa_marker) = vector_pem("binance.json", "binance-pub-27-rsa-get");
    let (bybit_rsa, bybit_rsa_marker) = vector_pem("bybit.json", "bybit-pub-17-rsa-get");
    vec![
        (Box::new(BinanceSigner::new(&credentials(SECRET), BinanceKeyType::Hmac).unwrap()), vec![SECRET]),
        (Box::new(BinanceSigner::new(&credentials(&ed25519), BinanceKeyType::Ed25519).unwrap()), vec![ed25519_marker]),
        (
            Box::new(BinanceSigner::new(&credentials(&binance_rsa), BinanceKeyType::Rsa).unwrap()),
            vec![binance_rsa_marker],
        ),
        (Box::new(BybitSigner::new(&credentials(SECRET), BybitKeyType::Hmac).unwrap()), vec![SECRET]),
        (Box::new(BybitSigner::new(&credentials(&bybit_rsa), BybitKeyType::Rsa).unwrap()), vec![bybit_rsa_marker]),
        (Box::new(KrakenSigner::new(&credentials(CB_SECRET)).unwrap()), vec![CB_SECRET]),
        (Box::new(BitgetSigner::new(&credentials(SECRET)).unwrap()), vec![SECRET, PASSPHRASE]),
        (Box::new(GateSigner::new(&credentials(SECRET)).unwrap()), vec![SECRET]),
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

/// An order body the scheme reads: a form for the schemes that sign inside their parameters
/// (Binance refuses JSON), else JSON.
fn order_body(signer: &dyn Signer) -> &'static [u8] {
    let recipe = signer.scheme().exchange().recipe.as_ref();
    let form = recipe.is_ok_and(|r| matches!(r.signature_in, cexsign::recipe::Carrier::Parameter(_)));
    if form { b"x=1" } else { b"{}" }
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
    for (signer, secrets) in signers() {
        let body = order_body(signer.as_ref());
        let request = SignableRequest::new(Method::Post, "/api/v5/trade/order").unwrap().with_body(body);
        let signed = signer.sign(&request, Timestamp::from_unix_secs(1_700_000_000)).unwrap();
        assert_hidden("SignedRequest", &format!("{signed:?}"), &secrets);
        let mut map = http::HeaderMap::new();
        signed.apply_to(&mut map);
        assert_hidden("HeaderMap", &format!("{map:?}"), &secrets);
        // Passphrase headers and bearer tokens are secrets in their own right.
        for ((name, text), (_, value)) in signed.headers().zip(signed.header_values()) {
            let secret_bearing = name.as_str().ends_with("passphrase") || name == http::header::AUTHORIZATION;
            assert_eq!(value.is_sensitive(), secret_bearing, "{name} sensitivity");
            assert_eq!(signed.is_sensitive(name.as_str()), secret_bearing, "{name} sensitivity");
            assert_eq!(value.to_str().unwrap(), text, "{name}: the built value is the text");
            if secret_bearing {
                assert!(!format!("{signed:?}").contains(text), "{name} printed");
            }
        }
    }
}

#[test]
fn websocket_auth_debug_hides_passphrase_and_token() {
    for (signer, secrets) in signers() {
        let at = Timestamp::from_unix_secs(1);
        let subscribe = signer.sign_ws(&WsRequest::subscribe(&["user"], &["BTC-USD"]), at);
        // Binance signs WebSocket API calls instead.
        let Ok(auth) = subscribe.or_else(|_| signer.sign_ws(&WsRequest::api("account.status", &[]), at)) else {
            continue; // KuCoin and Kraken have no websocket login
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

// ---------------------------------------------------------------------------------------------
// Secret-holding types: never `Clone`, wiped on drop.
// ---------------------------------------------------------------------------------------------

/// Compiles only if none of the types implements `Clone` (the technique of
/// `static_assertions::assert_not_impl_any!`): with `Clone`, the two blanket impls below both
/// apply and `some_item` is ambiguous. A cloned secret is one more copy to wipe, and one that
/// outlives the original's drop.
macro_rules! assert_not_clone {
    ($($ty:ty),* $(,)?) => {$(
        const _: fn() = || {
            trait AmbiguousIfClone<A> {
                fn some_item() {}
            }
            impl<T: ?Sized> AmbiguousIfClone<()> for T {}
            struct IsClone;
            impl<T: ?Sized + Clone> AmbiguousIfClone<IsClone> for T {}
            let _ = <$ty as AmbiguousIfClone<_>>::some_item;
        };
    )*};
}

// `Credentials` is `Clone` (a test hands one copy to a local exchange's account and builds its
// signer from the other): each copy's secret is its own zeroizing box, which tests/zeroize.rs
// checks, and `credentials_clone_stays_redacted` below checks a copy's Debug.
assert_not_clone!(
    OkxSigner,
    KucoinSigner,
    DeltaSigner,
    CoinbaseExchangeSigner,
    CoinbaseAdvancedHmacSigner,
    CoinbaseCdpSigner,
);

// The local exchange holds signers and passphrases too.

assert_not_clone!(
    cexsign_local_exchange::Account,
    cexsign_local_exchange::LocalExchange,
    cexsign_local_exchange::Verifier,
);

fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop + ?Sized>() {}

/// What the crate's secret-holding types are made of wipes itself on drop: the `secrecy` boxes
/// of `Credentials` and of the passphrase kept by a signer, the keyed HMAC state of every HMAC
/// signer (`hmac` with its `zeroize` feature), `Zeroizing` buffers for decoded secrets, and the
/// Ed25519 key of a CDP signer. That the crate's types hold these (and no other copy) is shown
/// by tests/zeroize.rs, which scans freed memory.
#[test]
fn the_building_blocks_of_secret_holding_types_wipe_themselves() {
    zeroize_on_drop::<secrecy::SecretString>();
    zeroize_on_drop::<secrecy::SecretBox<[u8]>>();
    // `hmac::Hmac<Sha256>` does not carry the marker itself, but everything it holds does: the
    // inner and outer SHA-256 states keyed with the secret, and the block buffer.
    zeroize_on_drop::<<sha2::Sha256 as hmac::digest::block_api::CoreProxy>::Core>();
    zeroize_on_drop::<hmac::digest::block_api::Buffer<hmac::block_api::HmacCore<sha2::Sha256>>>();
    zeroize_on_drop::<zeroize::Zeroizing<Vec<u8>>>();
    zeroize_on_drop::<zeroize::Zeroizing<String>>();
    zeroize_on_drop::<ed25519_dalek::SigningKey>();

    // Through their own API: wiping leaves only zero bytes behind.
    use secrecy::ExposeSecret as _;
    use zeroize::Zeroize as _;
    let mut secret = secrecy::SecretString::from(SECRET);
    secret.zeroize();
    assert!(secret.expose_secret().bytes().all(|b| b == 0));
    let mut buffer = zeroize::Zeroizing::new(SECRET.as_bytes().to_vec());
    buffer.zeroize();
    assert!(buffer.iter().all(|&b| b == 0));
}

#[test]
fn an_http_request_carrying_the_headers_hides_them_in_debug() {
    for (signer, secrets) in signers() {
        let body = order_body(signer.as_ref());
        let request = SignableRequest::new(Method::Post, "/api/v5/trade/order").unwrap().with_body(body);
        let signed = signer.sign(&request, Timestamp::from_unix_secs(1_700_000_000)).unwrap();
        let mut http_request = http::Request::new(Vec::<u8>::new());
        signed.apply_to_request(&mut http_request).unwrap();
        let shown = format!("{http_request:?}");
        assert_hidden("http::Request", &shown, &secrets);
        for (name, value) in signed.headers().filter(|(name, _)| signed.is_sensitive(name.as_str())) {
            assert!(!shown.contains(value), "{name} printed: {shown}");
            assert!(shown.contains("Sensitive"), "{shown}");
        }
        let map = signed.into_header_map();
        let shown = format!("{map:?}");
        assert_hidden("into_header_map", &shown, &secrets);
    }
}

#[test]
fn credentials_clone_stays_redacted() {
    let original =
        Credentials::new().api_key("visible-key").secret("CLONEPROBE-secret-1").passphrase("CLONEPROBE-pass");
    let copy = original.clone();
    drop(original);
    let shown = format!("{copy:?}");
    assert!(shown.contains("visible-key") && shown.contains("[REDACTED]"), "{shown}");
    assert!(!shown.contains("CLONEPROBE"), "a clone's Debug shows a secret: {shown}");
    // The copy still signs: it holds the secret, not a redacted placeholder.
    let signer = OkxSigner::new(&copy, cexsign::OkxEnvironment::Live).unwrap();
    assert!(!format!("{signer:?}").contains("CLONEPROBE"));
}
