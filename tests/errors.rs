//! One negative test per kind of bad input: each is a typed error, raised at construction where
//! possible, whose message names the problem and the fix.

use std::time::{Duration, UNIX_EPOCH};

use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, Error,
    KucoinKeyVersion, KucoinSigner, Method, OkxEnvironment, OkxSigner, SignableRequest, Signer, Timestamp,
    TimestampFormat, WsRequest,
};

const OKX_SECRET: &str = "22582BD0CFF14C41EDBF1AB98506286D";
const CB_EXCHANGE_SECRET: &str =
    "3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==";
const ED25519_64: &str = "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==";

fn okx(credentials: Credentials) -> Result<OkxSigner, Error> {
    OkxSigner::new(&credentials, OkxEnvironment::Live)
}

fn okx_credentials() -> Credentials {
    Credentials::new().api_key("key").secret(OKX_SECRET).passphrase("pass")
}

fn message(err: Error) -> String {
    err.to_string()
}

#[test]
fn empty_api_key_secret_and_passphrase() {
    let err = okx(Credentials::new().api_key("").secret(OKX_SECRET).passphrase("p")).unwrap_err();
    assert_eq!(err, Error::EmptyCredential { field: "API key" });
    assert!(message(err).contains("the API key is empty"));

    let err = okx(Credentials::new().api_key("k").secret("  ").passphrase("p")).unwrap_err();
    assert!(message(err).contains("the secret is empty"));

    let err = okx(Credentials::new().api_key("k").secret(OKX_SECRET).passphrase("")).unwrap_err();
    assert!(message(err).contains("the passphrase is empty"));
}

#[test]
fn missing_fields_name_the_setter() {
    let err = okx(Credentials::new().api_key("k").secret(OKX_SECRET)).unwrap_err();
    let text = message(err);
    assert!(text.contains("OKX keys need the passphrase"), "{text}");
    assert!(text.contains("Credentials::passphrase"), "{text}");

    let err = DeltaSigner::new(&Credentials::new().secret("s")).unwrap_err();
    assert!(message(err).contains("Delta Exchange keys need the API key"));
    let err = DeltaSigner::new(&Credentials::new().api_key("k")).unwrap_err();
    assert!(message(err).contains("Credentials::secret"));
}

#[test]
fn secret_with_trailing_newline_is_refused() {
    let err = DeltaSigner::new(&Credentials::new().api_key("k").secret("abc\n")).unwrap_err();
    assert_eq!(err, Error::CredentialWhitespace { field: "secret" });
    assert!(message(err).contains("starts or ends with whitespace or contains a line break"));
    let err = okx(Credentials::new().api_key("k").secret(OKX_SECRET).passphrase(" pass")).unwrap_err();
    assert!(message(err).contains("the passphrase starts or ends with whitespace"));
}

#[test]
fn coinbase_exchange_secret_must_be_base64_of_64_bytes() {
    for bad in ["testpassphrase", "not base64 at all!", "AAAA", "0123456789abcdef0123456789abcdef"] {
        let credentials = Credentials::new().api_key("k").secret(bad).passphrase("p");
        let err = CoinbaseExchangeSigner::new(&credentials).unwrap_err();
        let text = message(err);
        assert!(text.contains("Coinbase Exchange secret must be standard base64"), "{text}");
        assert!(text.contains("did you paste the passphrase"), "{text}");
    }
    let good = Credentials::new().api_key("k").secret(CB_EXCHANGE_SECRET).passphrase("p");
    assert!(CoinbaseExchangeSigner::new(&good).is_ok());
}

#[test]
fn cdp_secret_that_is_neither_pem_nor_base64_key() {
    let cdp = |secret: &str| CoinbaseCdpSigner::new(&Credentials::new().api_key("k").secret(secret));
    let text = message(cdp("definitely not a key!").unwrap_err());
    assert!(text.contains("neither a PEM key nor base64"), "{text}");

    let text = message(cdp("AAAAAAAAAAAAAAAAAAAAAA==").unwrap_err()); // 16 bytes
    assert!(text.contains("must decode to 32 bytes"), "{text}");

    let text = message(cdp("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAZ3mvVsJFOs2Few4fxb9Q4MmNmBOqhkxL+npjiYoeH84=\n-----END PUBLIC KEY-----\n").unwrap_err());
    assert!(text.contains("unsupported PEM type"), "{text}");

    let text = message(cdp("-----BEGIN EC PRIVATE KEY-----\nnot really\n-----END EC PRIVATE KEY-----").unwrap_err());
    assert!(text.contains("did not parse as a P-256 key"), "{text}");
}

#[test]
fn cdp_64_byte_key_whose_public_half_does_not_match() {
    use base64::Engine as _;
    let mut bytes = base64::engine::general_purpose::STANDARD.decode(ED25519_64).unwrap();
    bytes[40] ^= 1;
    let tampered = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let err = CoinbaseCdpSigner::new(&Credentials::new().api_key("k").secret(tampered)).unwrap_err();
    assert!(message(err).contains("is not the public key of its first half"));
    // The untampered key and its 32-byte seed both load, to the same key.
    let full = CoinbaseCdpSigner::new(&Credentials::new().api_key("k").secret(ED25519_64)).unwrap();
    let seed = base64::engine::general_purpose::STANDARD.encode(&bytes[..32]);
    let from_seed = CoinbaseCdpSigner::new(&Credentials::new().api_key("k").secret(seed)).unwrap();
    assert_eq!(full.public_key(), from_seed.public_key());
}

#[test]
fn kucoin_key_version_other_than_1_to_3() {
    for version in [0, 4, 7] {
        let err = KucoinKeyVersion::try_from(version).unwrap_err();
        assert_eq!(err, Error::UnsupportedKeyVersion { version });
        assert!(message(err).contains("KuCoin key version must be 1, 2 or 3"));
    }
    assert_eq!(KucoinKeyVersion::try_from(2).unwrap(), KucoinKeyVersion::V2);
}

#[test]
fn header_bound_values_with_cr_lf_or_invisible_characters() {
    for bad_key in ["key\r\n", "ke y", "kéy", "key\u{7f}", "\tkey"] {
        let err = okx(Credentials::new().api_key(bad_key).secret(OKX_SECRET).passphrase("p")).unwrap_err();
        assert_eq!(err, Error::InvalidHeaderValue { field: "API key" }, "{bad_key:?}");
        assert!(message(err).contains("contains CR, LF or another character that is not visible ASCII"));
    }
    for bad_passphrase in ["pa\nss", "pa\rss", "pa\u{0}ss", "pass\n"] {
        let err = okx(Credentials::new().api_key("k").secret(OKX_SECRET).passphrase(bad_passphrase)).unwrap_err();
        assert_eq!(err, Error::CredentialWhitespace { field: "passphrase" }, "{bad_passphrase:?}");
        assert!(message(err).contains("contains a line break or control character"));
        // Refused for every scheme, even where the passphrase is HMAC'd rather than sent.
        let kucoin = Credentials::new().api_key("k").secret("s").passphrase(bad_passphrase);
        assert!(KucoinSigner::new(&kucoin, KucoinKeyVersion::V3).is_err());
    }
    let err = okx(Credentials::new().api_key("k").secret(OKX_SECRET).passphrase("påss")).unwrap_err();
    assert_eq!(err, Error::InvalidHeaderValue { field: "passphrase" });
    // KuCoin v2/v3 send an HMAC of the passphrase, so any text is fine there, but not for v1.
    let unicode = Credentials::new().api_key("k").secret("s").passphrase("påss");
    assert!(KucoinSigner::new(&unicode, KucoinKeyVersion::V3).is_ok());
    let err = KucoinSigner::new(&unicode, KucoinKeyVersion::V1).unwrap_err();
    assert!(message(err).contains("the passphrase contains CR, LF"));
}

#[test]
fn path_must_start_with_a_slash_and_hold_no_query_or_fragment() {
    let cases = [
        ("api/v5/account/balance", "must start with '/'"),
        ("", "is empty"),
        ("https://www.okx.com/api/v5/account/balance", "includes a scheme and host"),
        ("/api/v5/account/balance?ccy=BTC", "pass the query separately"),
        ("/api/v5/x#frag", "contains '#'"),
        ("/api/v5/a b", "percent-encode it"),
        ("/api/v5/x\r\nX-Evil: 1", "percent-encode it"),
    ];
    for (path, phrase) in cases {
        let err = SignableRequest::new(Method::Get, path).unwrap_err();
        assert!(matches!(err, Error::InvalidPath { .. }));
        assert!(message(err).contains(phrase), "{path:?}");
    }
}

#[test]
fn query_in_wire_form_only() {
    let request = SignableRequest::new(Method::Get, "/x").unwrap();
    let cases = [
        ("?a=1", "starts with '?'"),
        ("a=1#frag", "contains '#'"),
        ("a=b c", "percent-encode it exactly as it goes on the wire"),
        ("a=龙", "percent-encode it"),
        ("a=1\n", "percent-encode it"),
    ];
    for (query, phrase) in cases {
        let err = request.with_query(query).unwrap_err();
        assert!(matches!(err, Error::InvalidQuery { .. }));
        assert!(message(err).contains(phrase), "{query:?}");
    }
}

#[test]
fn unknown_or_empty_method() {
    for bad in ["", "FETCH", "GE T", "get\n"] {
        assert_eq!(bad.parse::<Method>().unwrap_err(), Error::InvalidMethod);
    }
    assert!(message(Error::InvalidMethod).contains("must be one of GET, POST, PUT, DELETE"));
    assert_eq!(Method::try_from(&http::Method::from_bytes(b"PURGE").unwrap()).unwrap_err(), Error::InvalidMethod);
}

#[test]
fn host_must_be_bare() {
    let request = SignableRequest::new(Method::Get, "/x").unwrap();
    for (host, phrase) in [
        ("https://api.coinbase.com", "includes a scheme"),
        ("api.coinbase.com/api", "includes a path"),
        ("api.coinbase.com:443", "includes a port"),
        ("", "is empty"),
    ] {
        assert!(message(request.with_host(host).unwrap_err()).contains(phrase), "{host}");
    }
}

#[test]
fn timestamp_before_1970_or_not_representable() {
    let err = Timestamp::from_system_time(UNIX_EPOCH - Duration::from_millis(1)).unwrap_err();
    assert!(message(err).contains("before 1970"));

    // Year 10000 cannot be written as OKX's ISO-8601 timestamp: an error, not a panic.
    let signer = okx(okx_credentials()).unwrap();
    let request = SignableRequest::new(Method::Get, "/api/v5/account/balance").unwrap();
    let err = signer.sign(&request, Timestamp::from_unix_secs(253_402_300_800)).unwrap_err();
    assert!(message(err).contains("cannot be written as ISO-8601"));

    let err = TimestampFormat::Iso8601Millis.parse("2020-12-08T09:08:57Z").unwrap_err();
    assert!(message(err).contains("timestamp is not valid ISO-8601"));

    let err = CoinbaseExchangeSigner::new(&Credentials::new().api_key("k").secret(CB_EXCHANGE_SECRET).passphrase("p"))
        .unwrap()
        .with_fraction_digits(10)
        .unwrap_err();
    assert!(message(err).contains("more than 9 fractional digits"));
}

#[test]
fn malformed_percent_escape_in_a_kucoin_query() {
    let signer =
        KucoinSigner::new(&Credentials::new().api_key("k").secret("s").passphrase("p"), KucoinKeyVersion::V3).unwrap();
    let request = SignableRequest::new(Method::Get, "/api/v1/orders").unwrap().with_query("remark=100%").unwrap();
    let err = signer.sign(&request, Timestamp::from_unix_millis(1)).unwrap_err();
    assert_eq!(err, Error::MalformedQuery { position: 10 });
    assert!(message(err).contains("encode a literal '%' as %25"));
}

#[test]
fn websocket_requests_that_do_not_fit_the_scheme() {
    let kucoin =
        KucoinSigner::new(&Credentials::new().api_key("k").secret("s").passphrase("p"), KucoinKeyVersion::V3).unwrap();
    let err = kucoin.sign_ws(&WsRequest::login(), Timestamp::from_unix_secs(1)).unwrap_err();
    assert!(message(err).contains("bullet-private"));

    let advanced = CoinbaseAdvancedHmacSigner::new(&Credentials::new().api_key("k").secret("s")).unwrap();
    let two = WsRequest::subscribe(&["level2", "ticker"], &["BTC-USD"]);
    let err = advanced.sign_ws(&two, Timestamp::from_unix_secs(1)).unwrap_err();
    assert!(message(err).contains("exactly one channel per subscribe message"));
}

#[test]
fn errors_compose_with_std_error() {
    fn takes_std_error(_: &dyn std::error::Error) {}
    takes_std_error(&Error::InvalidMethod);
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(Error::TimestampBeforeEpoch);
    assert!(boxed.to_string().contains("1970"));
}

#[test]
fn a_wire_timestamp_in_the_wrong_format_is_refused() {
    use cexsign::WireTimestamp;
    let signer =
        KucoinSigner::new(&Credentials::new().api_key("k").secret("s").passphrase("p"), KucoinKeyVersion::V3).unwrap();
    let request = SignableRequest::new(Method::Get, "/api/v1/accounts").unwrap();
    // Seconds where KuCoin wants milliseconds: the classic 400002.
    let seconds = WireTimestamp::parse(TimestampFormat::UnixSeconds, "1700000000").unwrap();
    let err = signer.sign_at(&request, &seconds, &Default::default()).unwrap_err();
    assert!(message(err).contains("must be integer Unix milliseconds (e.g. 1700000000123)"));
    // OKX: ISO for REST, seconds for the websocket login, and not the other way round.
    let okx = okx(okx_credentials()).unwrap();
    assert!(okx.sign_at(&request, &seconds, &Default::default()).is_err());
    assert!(okx.sign_ws_at(&WsRequest::login(), &seconds, &Default::default()).is_ok());
    let iso = WireTimestamp::parse(TimestampFormat::Iso8601Millis, "2020-12-08T09:08:57.715Z").unwrap();
    let err = okx.sign_ws_at(&WsRequest::login(), &iso, &Default::default()).unwrap_err();
    assert!(message(err).contains("must be integer Unix seconds"));
}

mod more_schemes {
    //! Binance, Bybit, Kraken, Bitget and Gate: key-type mix-ups and request shapes they cannot sign.

    use cexsign::{
        BinanceKeyType, BinanceSigner, BitgetSigner, BybitKeyType, BybitSigner, Credentials, Error, GateSigner,
        KrakenSigner, Method, Scheme, SignableRequest, Signer, Timestamp, WsRequest,
    };

    const HMAC_SECRET: &str = "GIsDpAoelnXNYpEyVK9SHKjGt06JjNQCisCeuMxRIEUweq4DoLSOMkS0Zd6TKSe1";
    const KRAKEN_SECRET: &str =
        "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";
    const AT: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);

    fn pem(file: &str, id: &str) -> String {
        let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let vector = doc["vectors"].as_array().unwrap().iter().find(|v| v["id"] == id).unwrap();
        vector["credentials"]["secret"].as_str().unwrap().to_owned()
    }

    fn ed25519_pem() -> String {
        pem("binance.json", "binance-pub-22-ed25519-get")
    }

    fn rsa_pem() -> String {
        pem("bybit.json", "bybit-pub-17-rsa-get")
    }

    fn creds(secret: &str) -> Credentials {
        Credentials::new().api_key("key").secret(secret).passphrase("pass")
    }

    #[test]
    fn an_rsa_key_that_is_not_pem_is_refused_at_construction() {
        let err = BybitSigner::new(&creds(HMAC_SECRET), BybitKeyType::Rsa).unwrap_err();
        assert!(matches!(err, Error::InvalidPrivateKey { scheme: Scheme::Bybit, key_type: "RSA", .. }), "{err}");
        assert!(err.to_string().contains("looks like an HMAC secret"), "{err}");
        let err = BinanceSigner::new(
            &creds("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"),
            BinanceKeyType::Rsa,
        )
        .unwrap_err();
        assert!(err.to_string().contains("not an RSA PKCS#8 key"), "{err}");
        let public = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA9sO3iWSCqcPnZ4SoeZiN5kQ8ZBWkn0RApf+6OXGEdds=\n-----END PUBLIC KEY-----\n";
        let err = BinanceSigner::new(&creds(public), BinanceKeyType::Rsa).unwrap_err();
        assert!(err.to_string().contains("a PUBLIC KEY cannot sign"), "{err}");
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----";
        let err = BinanceSigner::new(&creds(encrypted), BinanceKeyType::Rsa).unwrap_err();
        assert!(err.to_string().contains("-nocrypt"), "{err}");
    }

    #[test]
    fn a_key_of_the_other_type_is_named() {
        // An Ed25519 PEM where RSA is expected, and the reverse.
        let err = BinanceSigner::new(&creds(&ed25519_pem()), BinanceKeyType::Rsa).unwrap_err();
        assert!(err.to_string().contains("an Ed25519 key?"), "{err}");
        let err = BinanceSigner::new(&creds(&rsa_pem()), BinanceKeyType::Ed25519).unwrap_err();
        assert!(err.to_string().contains("an RSA key?"), "{err}");
        // A PEM key given to an HMAC signer.
        let err = BybitSigner::new(&creds(&rsa_pem()), BybitKeyType::Hmac).unwrap_err();
        assert_eq!(
            err,
            Error::PemGivenAsHmacSecret {
                scheme: Scheme::Bybit,
                hint: "BybitKeyType::Rsa for a self-generated RSA key"
            }
        );
        let err = BinanceSigner::new(&creds(&ed25519_pem()), BinanceKeyType::Hmac).unwrap_err();
        assert!(err.to_string().contains("BinanceKeyType::Ed25519"), "{err}");
        for err in
            [GateSigner::new(&creds(&rsa_pem())).unwrap_err(), BitgetSigner::new(&creds(&rsa_pem())).unwrap_err()]
        {
            assert!(matches!(err, Error::PemGivenAsHmacSecret { .. }), "{err}");
        }
    }

    #[test]
    fn a_pem_pasted_with_literal_backslash_n_still_parses() {
        let escaped = ed25519_pem().replace('\n', "\\n");
        assert!(BinanceSigner::new(&creds(&escaped), BinanceKeyType::Ed25519).is_ok());
    }

    #[test]
    fn a_kraken_secret_that_is_not_base64_is_refused_and_any_length_is_taken() {
        for secret in ["not base64!", "bm90IDY0IGJ5dGVz="] {
            let err = KrakenSigner::new(&creds(secret)).unwrap_err();
            assert_eq!(err, Error::SecretNotBase64 { scheme: Scheme::Kraken, expected: "64 bytes" }, "{secret}");
            assert!(err.to_string().contains("Kraken secret must be standard base64"), "{err}");
        }
        assert!(KrakenSigner::new(&creds(KRAKEN_SECRET)).is_ok());
        // Issue 19: Kraken issues 64-byte secrets, but HMAC and Kraken's own SDK take any length
        // (python-kraken-sdk's golden test signs with a 40-byte key), so the signer does too:
        // 48 and 12 bytes (these two were refused before).
        for secret in [HMAC_SECRET, "bm90IDY0IGJ5dGVz"] {
            assert!(KrakenSigner::new(&creds(secret)).is_ok(), "{secret}");
        }
    }

    #[test]
    fn bitget_needs_its_passphrase() {
        let err = BitgetSigner::new(&Credentials::new().api_key("k").secret(HMAC_SECRET)).unwrap_err();
        assert!(err.to_string().contains("Bitget keys need the passphrase"), "{err}");
    }

    fn binance() -> BinanceSigner {
        BinanceSigner::new(&creds(HMAC_SECRET), BinanceKeyType::Hmac).unwrap()
    }

    #[test]
    fn binance_refuses_a_request_it_would_sign_wrongly() {
        let get = |query| SignableRequest::new(Method::Get, "/api/v3/order").unwrap().with_query(query).unwrap();
        // A stale timestamp parameter: signing it at another instant would be refused as -1021/-1022.
        let err = binance().sign(&get("symbol=BTCUSDT&timestamp=1"), AT).unwrap_err();
        assert!(err.to_string().contains("leave timestamp out"), "{err}");
        // The same timestamp is signed as is, not appended twice.
        let signed = binance().sign(&get("symbol=BTCUSDT&timestamp=1700000000000"), AT).unwrap();
        assert_eq!(signed.wire_query().unwrap().matches("timestamp=").count(), 1);
        let err = binance().sign(&get("symbol=BTCUSDT&signature=abc"), AT).unwrap_err();
        assert!(err.to_string().contains("already has a signature parameter"), "{err}");
        // Raw UTF-8 in a form body: Binance wants it percent-encoded before signing.
        let post = SignableRequest::new(Method::Post, "/api/v3/order").unwrap().with_body("symbol=币安".as_bytes());
        let err = binance().sign(&post, AT).unwrap_err();
        assert!(matches!(err, Error::InvalidBody { scheme: Scheme::Binance, .. }), "{err}");
        assert!(err.to_string().contains("percent-encode"), "{err}");
        // Seconds are not a Binance timestamp.
        let seconds = cexsign::WireTimestamp::parse(cexsign::TimestampFormat::UnixSeconds, "1700000000").unwrap();
        let err = binance().sign_at(&get("a=1"), &seconds, &Default::default()).unwrap_err();
        assert!(matches!(err, Error::TimestampFormatMismatch { .. }), "{err}");
    }

    #[test]
    fn binance_recv_window_is_bounded() {
        use std::time::Duration;
        for bad in [Duration::ZERO, Duration::from_millis(60_001), Duration::from_nanos(5_000_000_001)] {
            let err = binance().with_recv_window(bad).unwrap_err();
            assert!(err.to_string().contains("at most 60000 ms"), "{bad:?}: {err}");
        }
        let signer = binance().with_recv_window(Duration::from_micros(6_000_346)).unwrap();
        let signed = signer.sign(&SignableRequest::new(Method::Get, "/api/v3/account").unwrap(), AT).unwrap();
        assert_eq!(
            signed.wire_query().unwrap().split("&signature=").next().unwrap(),
            "recvWindow=6000.346&timestamp=1700000000000"
        );
    }

    #[test]
    fn binance_websocket_requests_are_checked() {
        let err = binance().sign_ws(&WsRequest::login(), AT).unwrap_err();
        assert!(err.to_string().contains("WsRequest::api"), "{err}");
        // Found by the verifier fuzz target: an empty method was signed, and refused by Binance.
        for method in ["", "order place"] {
            let err = binance().sign_ws(&WsRequest::api(method, &[]), AT).unwrap_err();
            assert!(err.to_string().contains("method is empty or holds spaces"), "{method:?}: {err}");
        }
        // session.logon is for Ed25519 keys only.
        let err = binance().sign_ws(&WsRequest::api("session.logon", &[]), AT).unwrap_err();
        assert!(matches!(err, Error::KeyTypeUnsupported { scheme: Scheme::Binance, .. }), "{err}");
        let ed25519 = BinanceSigner::new(&creds(&ed25519_pem()), BinanceKeyType::Ed25519).unwrap();
        assert!(ed25519.sign_ws(&WsRequest::api("session.logon", &[]), AT).is_ok());
        let params = [("timestamp", serde_json::json!(1))];
        let err = binance().sign_ws(&WsRequest::api("order.place", &params), AT).unwrap_err();
        assert!(err.to_string().contains("the signer adds them"), "{err}");
        let params = [("symbol", serde_json::json!("A")), ("symbol", serde_json::json!("B"))];
        let err = binance().sign_ws(&WsRequest::api("order.place", &params), AT).unwrap_err();
        assert!(err.to_string().contains("appears twice"), "{err}");
        let params = [("list", serde_json::json!(["A"]))];
        let err = binance().sign_ws(&WsRequest::api("order.place", &params), AT).unwrap_err();
        assert!(err.to_string().contains("strings, numbers or booleans"), "{err}");
    }

    #[test]
    fn kraken_refuses_a_body_whose_nonce_it_cannot_sign() {
        let signer = KrakenSigner::new(&creds(KRAKEN_SECRET)).unwrap();
        let post =
            |body: &'static [u8]| SignableRequest::new(Method::Post, "/0/private/Balance").unwrap().with_body(body);
        let err = signer.sign(&post(b"nonce=1&nonce=2"), AT).unwrap_err();
        assert!(err.to_string().contains("two nonce parameters"), "{err}");
        let err = signer.sign(&post(b"nonce=12a"), AT).unwrap_err();
        assert!(err.to_string().contains("unsigned integer"), "{err}");
        let err = signer.sign(&post(b"{\"nonce\":\"1\""), AT).unwrap_err();
        assert!(err.to_string().contains("must be a JSON object"), "{err}");
        // Found by the verifier fuzz target: `{` alone used to get a nonce inserted.
        let err = signer.sign(&post(b"{"), AT).unwrap_err();
        assert!(err.to_string().contains("must be a JSON object"), "{err}");
        // A verifier signing at another nonce than the body's is told so.
        let wire = cexsign::WireTimestamp::parse(cexsign::TimestampFormat::UnixMillis, "5").unwrap();
        let err = signer.sign_at(&post(b"nonce=4"), &wire, &Default::default()).unwrap_err();
        assert!(err.to_string().contains("nonce differs"), "{err}");
        // No nonce: one is added, to form and JSON bodies alike (each by a fresh signer: one
        // signer's nonces strictly increase, so a second request at AT would get AT + 1 ms).
        let fresh = || KrakenSigner::new(&creds(KRAKEN_SECRET)).unwrap();
        let signed = fresh().sign(&post(b"{\"asset\":\"XBT\"}"), AT).unwrap();
        assert_eq!(signed.wire_body().unwrap(), br#"{"nonce":"1700000000000","asset":"XBT"}"#);
        let signed = fresh().sign(&post(b"{ }"), AT).unwrap();
        assert_eq!(signed.wire_body().unwrap(), br#"{"nonce":"1700000000000" }"#);
        let signed = fresh().sign(&post(b"asset=XBT"), AT).unwrap();
        assert_eq!(signed.wire_body().unwrap(), b"nonce=1700000000000&asset=XBT");
        let err = signer.sign_ws(&WsRequest::login(), AT).unwrap_err();
        assert!(err.to_string().contains("GetWebSocketsToken"), "{err}");
    }

    #[test]
    fn gate_and_bybit_websocket_requests_are_checked() {
        let gate = GateSigner::new(&creds(HMAC_SECRET)).unwrap();
        let err = gate.sign_ws(&WsRequest::subscribe(&["spot.orders", "spot.balances"], &[]), AT).unwrap_err();
        assert!(err.to_string().contains("exactly one channel"), "{err}");
        let params = [("a", serde_json::json!(1))];
        let err = gate.sign_ws(&WsRequest::api("spot.login", &params), AT).unwrap_err();
        assert!(err.to_string().contains("takes no params"), "{err}");
        let err = gate.sign_ws(&WsRequest::api("", &[]), AT).unwrap_err();
        assert!(err.to_string().contains("names its channel"), "{err}");
        let bybit = BybitSigner::new(&creds(HMAC_SECRET), BybitKeyType::Hmac).unwrap();
        let err = bybit.with_recv_window(std::time::Duration::ZERO).unwrap_err();
        assert!(err.to_string().contains("positive whole number of milliseconds"), "{err}");
        // The ws auth expires after the signing instant (10 s by default).
        let bybit = BybitSigner::new(&creds(HMAC_SECRET), BybitKeyType::Hmac).unwrap();
        let auth = bybit.sign_ws(&WsRequest::login(), AT).unwrap();
        assert_eq!(auth.field("expires"), Some("1700000010000"));
    }
}

#[test]
fn key_settings_a_scheme_does_not_take() {
    use cexsign::{KeySettings, Scheme};
    let credentials = Credentials::new().api_key("key").secret(OKX_SECRET);
    let err = Scheme::Bybit.exchange().signer(&credentials, &KeySettings::new().key_type("Ed25519")).unwrap_err();
    assert!(matches!(err, Error::InvalidKeySetting { scheme: Scheme::Bybit, setting: "key_type", .. }), "{err}");
    assert_eq!(message(err), "Bybit keys take a key_type of HMAC or RSA");
    let err = Scheme::Binance.exchange().signer(&credentials, &KeySettings::new().key_type("DSA")).unwrap_err();
    assert_eq!(message(err), "Binance keys take a key_type of HMAC, Ed25519 or RSA");
    let err = Scheme::Delta.exchange().signer(&credentials, &KeySettings::new().ws_auth_type("login")).unwrap_err();
    assert_eq!(message(err), "Delta Exchange keys take a ws_auth_type of key-auth or auth");
    // A CDP key type is checked against the key itself.
    let pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49\nAwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR\ns8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==\n-----END EC PRIVATE KEY-----\n";
    let cdp = Credentials::new().api_key("organizations/o/apiKeys/k").secret(pem);
    let err = Scheme::CoinbaseCdp.exchange().signer(&cdp, &KeySettings::new().key_type("EdDSA")).unwrap_err();
    assert_eq!(message(err), "Coinbase CDP keys take a key_type of ES256 (what the key given is)");
}

/// A hostile server time (year ~5.9 million) synced into a clock: signing then fails with a typed
/// error instead of overflowing the ISO date (a debug-build panic before; fuzz input
/// `fuzz/regressions/timestamps/iso-date-of-a-far-future-instant-overflows-the-julian-day`).
#[test]
fn a_far_future_server_time_is_an_error_when_signing_not_an_overflow() {
    use cexsign::Scheme;
    use cexsign::clock::{Clock, FixedClock, OffsetClock};
    use cexsign::server_time::ServerTime;

    let local = Timestamp::from_unix_millis(1_733_300_000_000);
    let server = ServerTime::of(Scheme::Binance).parse(br#"{"serverTime":185400000000000000}"#).unwrap();
    let clock = OffsetClock::with_base(FixedClock(local));
    clock.observe(local, server, local).unwrap();
    let at = clock.now().unwrap();
    assert_eq!(at.unix_millis(), 185_400_000_000_000_000);

    let request = SignableRequest::new(Method::Get, "/api/v5/account/balance").unwrap();
    let error = okx(okx_credentials()).unwrap().sign(&request, at).unwrap_err();
    assert!(matches!(error, Error::TimestampOutOfRange { .. }), "{error:?}");
    assert!(message(error).contains("ISO"), "the message names the format");
}
