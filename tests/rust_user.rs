//! The crate as a Rust user meets it (issue 19): swapped key and secret refused with the fix,
//! secrets in the wrong form named, `http::Method` accepted, a signer of one's own in the reqwest
//! layer and the middleware.

use base64::Engine as _;
use cexsign::{
    BitgetSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, Error, GateSigner, KrakenSigner, KucoinKeyVersion,
    KucoinSigner, Method, OkxEnvironment, OkxSigner, Scheme, SignableRequest, Signer, Timestamp,
};

const UUID: &str = "985d5b66-57ce-40fb-b714-afc0b9787083";
const HEX32: &str = "22582BD0CFF14C41EDBF1AB98506286D";
const HEX24: &str = "6422da9c97b45100018c6e62";
const HEX64: &str = "39f3d9ef7bdefbed63506d477fab6f952c50612692b7ba41faaa67445b42dd5d";
const CB_SECRET: &str = "3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==";
const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHLSyh54CHgd6L5+7r7wlyVlPGtPjAFAfbdXdJTiZn9L\n-----END PRIVATE KEY-----\n";

fn creds(key: &str, secret: &str) -> Credentials {
    Credentials::new().api_key(key).secret(secret.to_owned()).passphrase("pass-1")
}

fn swapped(err: Error, scheme: Scheme, key_looks_like: &str, secret_looks_like: &str) {
    let text = err.to_string();
    assert!(
        matches!(&err, Error::KeyAndSecretSwapped { scheme: s, key_looks_like: k, secret_looks_like: v }
            if *s == scheme && *k == key_looks_like && *v == secret_looks_like),
        "{scheme:?}: {err:?}"
    );
    assert!(text.contains("they are swapped") && text.contains("`Credentials::api_key`"), "{text}");
}

#[test]
fn key_and_secret_given_the_wrong_way_round_are_refused_with_the_fix() {
    swapped(
        OkxSigner::new(&creds(HEX32, UUID), OkxEnvironment::Live).unwrap_err(),
        Scheme::Okx,
        "32 hex characters",
        "a UUID",
    );
    swapped(
        KucoinSigner::new(&creds("e45a1784-62de-4b74-9a02-8238680fbb7e", HEX24), KucoinKeyVersion::V3).unwrap_err(),
        Scheme::Kucoin,
        "a UUID",
        "24 hex characters",
    );
    swapped(
        CoinbaseExchangeSigner::new(&creds(CB_SECRET, "5bd9648ac7e4fdcc16dd7a1440d15ffc")).unwrap_err(),
        Scheme::CoinbaseExchange,
        "88 base64 characters",
        "32 hex characters",
    );
    swapped(
        GateSigner::new(&creds(HEX64, "a1a9d1abd6b184059827d73a31bed2a1")).unwrap_err(),
        Scheme::Gate,
        "64 hex characters",
        "32 hex characters",
    );
    swapped(
        BitgetSigner::new(&creds(HEX64, "bg_d9783a24ddc4e4535d80b7a6101aab20")).unwrap_err(),
        Scheme::Bitget,
        "64 hex characters",
        "bg_ and 32 hex characters",
    );
    let kraken_key = "RmOzOqvNafwopRcxN0LH9UdYy8PTRkzf2D1voflt3q7QN5b8WVar68Qi";
    swapped(
        KrakenSigner::new(&creds(CB_SECRET, kraken_key)).unwrap_err(),
        Scheme::Kraken,
        "88 base64 characters",
        "56 base64 characters",
    );
    // The message names forms, never the values.
    let text = OkxSigner::new(&creds(HEX32, UUID), OkxEnvironment::Live).unwrap_err().to_string();
    assert!(!text.contains(HEX32) && !text.contains(UUID), "{text}");
}

#[test]
fn only_a_pair_swapped_both_ways_is_refused() {
    // The right way round, and a key or secret of another form (a test's made-up key), pass.
    assert!(OkxSigner::new(&creds(UUID, HEX32), OkxEnvironment::Live).is_ok());
    assert!(OkxSigner::new(&creds(HEX32, "my-secret"), OkxEnvironment::Live).is_ok());
    assert!(OkxSigner::new(&creds("my-key", UUID), OkxEnvironment::Live).is_ok());
    assert!(KucoinSigner::new(&creds(HEX24, UUID), KucoinKeyVersion::V3).is_ok());
    assert!(CoinbaseExchangeSigner::new(&creds("5bd9648ac7e4fdcc16dd7a1440d15ffc", CB_SECRET)).is_ok());
}

#[test]
fn a_pem_key_given_to_an_hmac_signer_is_named() {
    let okx = OkxSigner::new(&creds(UUID, PEM), OkxEnvironment::Live).unwrap_err();
    let delta = DeltaSigner::new(&creds("k", PEM)).unwrap_err();
    let kucoin = KucoinSigner::new(&creds(HEX24, PEM), KucoinKeyVersion::V3).unwrap_err();
    let exchange = CoinbaseExchangeSigner::new(&creds("k", PEM)).unwrap_err();
    let kraken = KrakenSigner::new(&creds("k", PEM)).unwrap_err();
    for err in [okx, delta, kucoin, exchange, kraken] {
        assert!(matches!(err, Error::PemGivenAsHmacSecret { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("the secret is a PEM private key") && !text.contains("whitespace"), "{text}");
    }
}

#[test]
fn a_url_safe_base64_secret_is_named_with_the_fix() {
    let url_safe = CB_SECRET.replace('+', "-").replace('/', "_");
    for err in [
        CoinbaseExchangeSigner::new(&creds("k", &url_safe)).unwrap_err(),
        KrakenSigner::new(&creds("k", &url_safe)).unwrap_err(),
    ] {
        assert!(matches!(err, Error::SecretInWrongForm { seen: "URL-safe base64 ('-' and '_')", .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("must be standard base64") && text.contains("replace each '-' with '+'"), "{text}");
    }
}

#[test]
fn a_hex_secret_where_base64_is_due_is_named() {
    for err in [
        CoinbaseExchangeSigner::new(&creds("k", HEX64)).unwrap_err(),
        KrakenSigner::new(&creds("k", HEX64)).unwrap_err(),
    ] {
        assert!(matches!(err, Error::SecretInWrongForm { seen: "hex", .. }), "{err:?}");
        assert!(err.to_string().contains("it looks like hex: a hex string is an API key"), "{err}");
    }
    // Where the secret is raw text, hex is an ordinary secret (OKX's are hex).
    assert!(OkxSigner::new(&creds(UUID, HEX64), OkxEnvironment::Live).is_ok());
}

#[test]
fn a_whitespace_damaged_secret_is_named_for_every_hmac_signer() {
    let damaged = format!("{CB_SECRET}\n");
    let errors = [
        OkxSigner::new(&creds(UUID, &format!("{HEX32}\n")), OkxEnvironment::Live).map(drop),
        KucoinSigner::new(&creds(HEX24, &format!(" {UUID}")), KucoinKeyVersion::V3).map(drop),
        DeltaSigner::new(&creds("k", "abc\r\n")).map(drop),
        CoinbaseExchangeSigner::new(&creds("k", &damaged)).map(drop),
        KrakenSigner::new(&creds("k", &damaged)).map(drop),
        GateSigner::new(&creds("k", &format!("{HEX64} "))).map(drop),
    ];
    for err in errors {
        assert_eq!(err.unwrap_err(), Error::CredentialWhitespace { field: "secret" });
    }
}

#[test]
fn kraken_signs_with_a_secret_of_any_length_as_hmac_does() {
    use hmac::{Mac as _, digest::KeyInit as _};
    use sha2::Digest as _;
    // 40 bytes, as in python-kraken-sdk's golden test.
    let key: Vec<u8> = (0u8..40).map(|i| i.wrapping_mul(7).wrapping_add(3)).collect();
    let secret = base64::engine::general_purpose::STANDARD.encode(&key);
    let signer = KrakenSigner::new(&creds("k", &secret)).unwrap();
    let body = b"nonce=1616492376594&ordertype=limit";
    let request = SignableRequest::new(Method::Post, "/0/private/AddOrder").unwrap().with_body(body);
    let signed = signer.sign(&request, Timestamp::from_unix_millis(1_616_492_376_594)).unwrap();
    // AUTH-more.md: base64(HMAC-SHA512(base64_decode(secret), path + SHA256(nonce + body))).
    let mut message = b"/0/private/AddOrder".to_vec();
    message.extend_from_slice(&sha2::Sha256::digest([&b"1616492376594"[..], body].concat()));
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(&key).unwrap();
    mac.update(&message);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(signed.signature(), expected);
}

#[test]
fn http_method_is_accepted_where_a_method_is_taken_and_lower_case_is_refused() {
    for (http, ours) in
        [(http::Method::GET, Method::Get), (http::Method::POST, Method::Post), (http::Method::DELETE, Method::Delete)]
    {
        assert_eq!(Method::try_from(&http).unwrap(), ours);
        assert_eq!(Method::try_from(http.clone()).unwrap(), ours);
        assert_eq!(http::Method::from(ours), http);
        let request = SignableRequest::new(http.try_into().unwrap(), "/p").unwrap();
        assert_eq!(request.method(), ours);
    }
    let lower = http::Method::from_bytes(b"post").unwrap();
    assert_eq!(Method::try_from(&lower).unwrap_err(), Error::MethodNotUpperCase);
    assert_eq!(Method::try_from(http::Method::from_bytes(b"PURGE").unwrap()).unwrap_err(), Error::InvalidMethod);
}

#[test]
fn credentials_from_env_errors_name_the_variable_never_a_value() {
    // No variable with this prefix exists in the test environment.
    let err = Credentials::from_env("CEXSIGN_TEST_NEVER_SET").unwrap_err();
    assert_eq!(err, Error::MissingEnvVar { name: "CEXSIGN_TEST_NEVER_SET_API_KEY".into(), problem: "is not set" });
    assert_eq!(
        err.to_string(),
        "the environment variable CEXSIGN_TEST_NEVER_SET_API_KEY is not set: export it before starting the program"
    );
}
