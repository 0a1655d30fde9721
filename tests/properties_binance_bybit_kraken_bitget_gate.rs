//! Property tests for Binance, Bybit, Kraken, Bitget and Gate, each with its own rule for what it
//! signs: Binance signs `query + body` and nothing else, and puts its signature back into the
//! request; Bybit signs the query (GET) or the body, never the method or path; Kraken signs the
//! path and `nonce + body`, never the method or query; Bitget and Gate sign the method, the path,
//! the decoded query and the body.
//!
//! Independent of the crate's own verifier: the Binance and Kraken outputs are fed back as a
//! verifier would receive them and must sign to the same value.

use base64::Engine as _;
use cexsign::{
    BinanceKeyType, BinanceSigner, BitgetSigner, BybitKeyType, BybitSigner, Credentials, GateSigner, KrakenSigner,
    Method, SignOptions, SignableRequest, SignedRequest, Signer, Timestamp, TimestampFormat, WireTimestamp,
    decode_query,
};
use proptest::prelude::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases) }
}

fn regex(pattern: &str) -> impl Strategy<Value = String> + use<> {
    proptest::string::string_regex(pattern).expect("a valid pattern")
}

fn method() -> impl Strategy<Value = Method> {
    prop::sample::select(vec![Method::Get, Method::Post, Method::Put, Method::Delete])
}

fn path() -> impl Strategy<Value = String> {
    regex("/[a-zA-Z0-9/_.-]{1,30}")
}

/// A parameter string `k=v&k=v` as a form or query carries it: percent escapes of ASCII bytes,
/// `+`, no `timestamp`, `signature` or `nonce` parameter (the signers own those).
fn params() -> impl Strategy<Value = String> {
    let pair = regex("[a-zA-Z]{1,8}=([a-zA-Z0-9._~,:+-]|%[2-7][0-9A-F]){0,12}")
        .prop_filter("not a parameter the signer owns", |p| {
            !["timestamp=", "signature=", "nonce=", "recvWindow="].iter().any(|owned| p.starts_with(owned))
        });
    prop::collection::vec(pair, 0..6).prop_map(|pairs| pairs.join("&"))
}

/// Milliseconds in a realistic range (2001–2286).
fn millis() -> impl Strategy<Value = u64> {
    1_000_000_000_000..10_000_000_000_000u64
}

fn secret() -> impl Strategy<Value = String> {
    regex("[A-Za-z0-9]{16,64}")
}

fn creds(secret: &str) -> Credentials {
    Credentials::new().api_key("prop-key").secret(secret).passphrase("prop-pass")
}

fn kraken_secret(raw: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(raw)
}

fn request<'a>(method: Method, path: &'a str, query: &'a str, body: &'a [u8]) -> SignableRequest<'a> {
    SignableRequest::new(method, path).unwrap().with_query(query).unwrap().with_body(body)
}

fn keep() -> SignOptions {
    SignOptions::new().keep_prehash()
}

/// The value of the last parameter of a `k=v&…` string, which must be `signature`.
fn last_signature_param(wire: &str) -> &str {
    let (_, last) = wire.rsplit_once('&').unwrap_or(("", wire));
    last.strip_prefix("signature=").expect("signature is the last parameter")
}

fn percent_decode(text: &str) -> String {
    decode_query(text).unwrap().into_owned()
}

fn header_values_are_wire_safe(signed: &SignedRequest) -> Result<(), TestCaseError> {
    for (name, value) in signed.headers() {
        prop_assert!(value.as_bytes().iter().all(|b| b.is_ascii_graphic()), "{name}: {value:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn binance_signs_query_plus_body_and_appends_the_signature_last(
        secret in secret(), query in params(), body in params(), ts in millis(),
        method in method(), path in path(), other_path in path(), other_method in method(),
    ) {
        let signer = BinanceSigner::new(&creds(&secret), BinanceKeyType::Hmac).unwrap();
        let at = Timestamp::from_unix_millis(ts);
        let signed = signer.sign_with(&request(method, &path, &query, body.as_bytes()), at, &keep()).unwrap();
        header_values_are_wire_safe(&signed)?;
        // Neither the method nor the path is signed.
        let elsewhere = signer.sign(&request(other_method, &other_path, &query, body.as_bytes()), at).unwrap();
        prop_assert_eq!(signed.signature(), elsewhere.signature());
        // The parameters go into the body when there is one, else into the query.
        let (carrier, wire) = if body.is_empty() {
            prop_assert!(signed.wire_body().is_none());
            (&query, signed.wire_query().unwrap().to_owned())
        } else {
            prop_assert!(signed.wire_query().is_none());
            (&body, String::from_utf8(signed.wire_body().unwrap().to_vec()).unwrap())
        };
        prop_assert!(wire.starts_with(carrier.as_str()));
        prop_assert_eq!(last_signature_param(&wire), signed.signature());
        prop_assert_eq!(wire.matches("timestamp=").count(), 1);
        // The prehash is exactly what is sent, minus the signature parameter: query then body.
        let unsigned = wire.rsplit_once("&signature=").unwrap().0;
        let expected = if body.is_empty() { unsigned.to_owned() } else { format!("{query}{unsigned}") };
        prop_assert_eq!(signed.prehash().unwrap().as_bytes(), expected.as_bytes());
        // A verifier re-signing what it received (signature stripped) gets the same value.
        let wire_ts = WireTimestamp::parse(TimestampFormat::UnixMillis, &ts.to_string()).unwrap();
        let received = if body.is_empty() {
            signer.sign_at(&request(method, &path, unsigned, &[]), &wire_ts, &SignOptions::new())
        } else {
            signer.sign_at(&request(method, &path, &query, unsigned.as_bytes()), &wire_ts, &SignOptions::new())
        }
        .unwrap();
        prop_assert_eq!(received.signature(), signed.signature());
    }

    #[test]
    fn binance_base64_signatures_are_percent_encoded_on_the_wire(query in params(), ts in millis()) {
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f\n-----END PRIVATE KEY-----\n";
        let signer = BinanceSigner::new(&creds(pem), BinanceKeyType::Ed25519).unwrap();
        let signed = signer.sign(&request(Method::Get, "/api/v3/account", &query, &[]), Timestamp::from_unix_millis(ts)).unwrap();
        let sent = last_signature_param(signed.wire_query().unwrap());
        prop_assert!(!sent.contains(['+', '/', '=']), "{sent}");
        prop_assert_eq!(percent_decode(sent), signed.signature());
        prop_assert_eq!(base64::engine::general_purpose::STANDARD.decode(signed.signature()).unwrap().len(), 64);
    }

    #[test]
    fn bybit_signs_the_query_of_a_get_and_the_body_of_a_post(
        secret in secret(), query in params(), body in params(), ts in millis(), path in path(), other_path in path(),
        window in 1..60_000u64,
    ) {
        let signer = BybitSigner::new(&creds(&secret), BybitKeyType::Hmac)
            .unwrap()
            .with_recv_window(std::time::Duration::from_millis(window))
            .unwrap();
        let at = Timestamp::from_unix_millis(ts);
        let get = signer.sign_with(&request(Method::Get, &path, &query, &[]), at, &keep()).unwrap();
        let post = signer.sign_with(&request(Method::Post, &path, &query, body.as_bytes()), at, &keep()).unwrap();
        header_values_are_wire_safe(&get)?;
        let window = window.to_string();
        prop_assert_eq!(get.header("x-bapi-recv-window").unwrap(), window.as_str());
        let expected_get = format!("{ts}prop-key{window}{query}");
        prop_assert_eq!(get.prehash().unwrap().as_bytes(), expected_get.as_bytes());
        let post_payload = if body.is_empty() { &query } else { &body };
        let expected_post = format!("{ts}prop-key{window}{post_payload}");
        prop_assert_eq!(post.prehash().unwrap().as_bytes(), expected_post.as_bytes());
        // The path is not signed.
        let moved = signer.sign(&request(Method::Get, &other_path, &query, &[]), at).unwrap();
        prop_assert_eq!(get.signature(), moved.signature());
    }

    #[test]
    fn kraken_signs_the_path_and_nonce_plus_body_only(
        raw in prop::collection::vec(any::<u8>(), 64), body in params(), ts in millis(), path in path(),
        other_path in path(), query in params(), method in method(),
    ) {
        let signer = KrakenSigner::new(&creds(&kraken_secret(&raw))).unwrap();
        let at = Timestamp::from_unix_millis(ts);
        let signed = signer.sign_with(&request(Method::Post, &path, "", body.as_bytes()), at, &keep()).unwrap();
        header_values_are_wire_safe(&signed)?;
        // The nonce was added at the front of the body; signing what is sent gives the same value.
        let sent = signed.wire_body().unwrap().to_vec();
        let nonce_param = format!("nonce={ts}");
        prop_assert!(sent.starts_with(nonce_param.as_bytes()));
        prop_assert_eq!(signed.prehash().unwrap().as_bytes(), [ts.to_string().as_bytes(), &sent].concat());
        let resent = signer.sign(&request(method, &path, &query, &sent), at).unwrap();
        prop_assert_eq!(resent.signature(), signed.signature());
        prop_assert!(resent.wire_body().is_none());
        // The path is signed.
        if other_path != path {
            let moved = signer.sign(&request(Method::Post, &other_path, "", &sent), at).unwrap();
            prop_assert_ne!(moved.signature(), signed.signature());
        }
    }

    #[test]
    fn bitget_and_gate_sign_the_decoded_query_the_method_and_the_body(
        secret in secret(), query in params(), body in params(), ts in millis(), path in path(),
    ) {
        let bitget = BitgetSigner::new(&creds(&secret)).unwrap();
        let gate = GateSigner::new(&creds(&secret)).unwrap();
        let secs = Timestamp::from_unix_secs(ts / 1000);
        let decoded = percent_decode(&query);
        // A query that differs on the wire but decodes alike signs alike.
        let reencoded = query.replace('+', "%20");
        for signer in [&bitget as &dyn Signer, &gate] {
            let a = signer.sign_with(&request(Method::Post, &path, &query, body.as_bytes()), secs, &keep()).unwrap();
            header_values_are_wire_safe(&a)?;
            let prehash = a.prehash().unwrap().as_str().unwrap().to_owned();
            if !decoded.is_empty() {
                prop_assert!(prehash.contains(&decoded), "{prehash} lacks {decoded}");
            }
            let b = signer.sign(&request(Method::Post, &path, &reencoded, body.as_bytes()), secs).unwrap();
            prop_assert_eq!(a.signature(), b.signature());
            let put = signer.sign(&request(Method::Put, &path, &query, body.as_bytes()), secs).unwrap();
            prop_assert_ne!(a.signature(), put.signature(), "the method is signed");
            let more = format!("{body}x");
            let longer = signer.sign(&request(Method::Post, &path, &query, more.as_bytes()), secs).unwrap();
            prop_assert_ne!(a.signature(), longer.signature(), "the body is signed");
        }
    }
}
