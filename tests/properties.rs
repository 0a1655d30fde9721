//! Property tests over random requests, credentials and instants.
//!
//! - Every HMAC signature depends on every byte it should depend on (path, query, body,
//!   timestamp, secret), and on nothing else: the same inputs give the same signature.
//! - Every header value the signers produce can go on the wire untouched.
//! - `decode_query` never panics, reports malformed input as `MalformedQuery` at the input byte
//!   where it starts, and inverts percent-encoding.
//! - Each `TimestampFormat` parses back what it renders.
//! - Secrets and passphrases never show in `Debug` or in an error.

use std::borrow::Cow;
use std::time::Duration;

use base64::Engine as _;
#[cfg(feature = "cdp")]
use cexsign::{CdpKeyType, CoinbaseCdpSigner, KeySettings, Scheme};
use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, Error, KucoinKeyVersion,
    KucoinSigner, Method, OkxEnvironment, OkxSigner, SignOptions, SignableRequest, SignedRequest, Signer, Timestamp,
    TimestampFormat, WsRequest, decode_query,
};
use hmac::{KeyInit, Mac};
use proptest::prelude::*;
use proptest::sample::Index;

const SECRET_MARK: &str = "SECRETMARK";
const PASS_MARK: &str = "PASSMARK";
/// The last instant every format can write: 9999-12-31T23:59:59.999999999Z.
const MAX_SECS: u64 = 253_402_300_799;
#[cfg(feature = "cdp")]
const ES256_KEY_NAME: &str =
    "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111";
#[cfg(feature = "cdp")]
const ES256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49
AwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR
s8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==
-----END EC PRIVATE KEY-----
";

// ---------------------------------------------------------------------------------------------
// The HMAC schemes, each with the rule for what it signs.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hmac {
    Okx,
    OkxDemo,
    KucoinV1,
    KucoinV2,
    KucoinV3,
    Delta,
    CoinbaseExchange,
    /// Coinbase Exchange with `1700000000.123` timestamps.
    CoinbaseExchangeMillis,
    CoinbaseAdvanced,
}

const HMAC_SCHEMES: [Hmac; 9] = [
    Hmac::Okx,
    Hmac::OkxDemo,
    Hmac::KucoinV1,
    Hmac::KucoinV2,
    Hmac::KucoinV3,
    Hmac::Delta,
    Hmac::CoinbaseExchange,
    Hmac::CoinbaseExchangeMillis,
    Hmac::CoinbaseAdvanced,
];

/// How a scheme puts the query in its prehash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueryRule {
    /// The wire bytes.
    Raw,
    /// The form-decoded query (KuCoin).
    Decoded,
    /// Not at all (Coinbase Advanced Trade v3).
    NotSigned,
}

impl Hmac {
    fn build(self, keys: &Keys) -> Result<Box<dyn Signer>, Error> {
        self.build_with(&keys.api_key, self.secret(keys), &keys.passphrase)
    }

    fn build_with(self, api_key: &str, secret: &str, passphrase: &str) -> Result<Box<dyn Signer>, Error> {
        let credentials = Credentials::new().api_key(api_key).secret(secret).passphrase(passphrase);
        Ok(match self {
            Hmac::Okx => Box::new(OkxSigner::new(&credentials, OkxEnvironment::Live)?),
            Hmac::OkxDemo => Box::new(OkxSigner::new(&credentials, OkxEnvironment::Demo)?),
            Hmac::KucoinV1 => Box::new(KucoinSigner::new(&credentials, KucoinKeyVersion::V1)?),
            Hmac::KucoinV2 => Box::new(KucoinSigner::new(&credentials, KucoinKeyVersion::V2)?),
            Hmac::KucoinV3 => Box::new(KucoinSigner::new(&credentials, KucoinKeyVersion::V3)?),
            Hmac::Delta => Box::new(DeltaSigner::new(&credentials)?),
            Hmac::CoinbaseExchange => Box::new(CoinbaseExchangeSigner::new(&credentials)?),
            Hmac::CoinbaseExchangeMillis => {
                Box::new(CoinbaseExchangeSigner::new(&credentials)?.with_fraction_digits(3)?)
            }
            Hmac::CoinbaseAdvanced => Box::new(CoinbaseAdvancedHmacSigner::new(&credentials)?),
        })
    }

    /// Coinbase Exchange secrets are the base64 of 64 bytes; the others are used as text.
    fn base64_secret(self) -> bool {
        matches!(self, Hmac::CoinbaseExchange | Hmac::CoinbaseExchangeMillis)
    }

    fn secret(self, keys: &Keys) -> &str {
        if self.base64_secret() { &keys.base64_secret } else { &keys.text_secret }
    }

    fn query_rule(self) -> QueryRule {
        match self {
            Hmac::KucoinV1 | Hmac::KucoinV2 | Hmac::KucoinV3 => QueryRule::Decoded,
            Hmac::CoinbaseAdvanced => QueryRule::NotSigned,
            _ => QueryRule::Raw,
        }
    }

    /// The timestamp as the scheme writes it, and the header that carries it.
    fn timestamp(self) -> (TimestampFormat, &'static str) {
        match self {
            Hmac::Okx | Hmac::OkxDemo => (TimestampFormat::Iso8601Millis, "ok-access-timestamp"),
            Hmac::KucoinV1 | Hmac::KucoinV2 | Hmac::KucoinV3 => (TimestampFormat::UnixMillis, "kc-api-timestamp"),
            Hmac::Delta => (TimestampFormat::UnixSeconds, "timestamp"),
            Hmac::CoinbaseExchange | Hmac::CoinbaseAdvanced => (TimestampFormat::UnixSeconds, "cb-access-timestamp"),
            Hmac::CoinbaseExchangeMillis => (TimestampFormat::UnixSecondsFraction { digits: 3 }, "cb-access-timestamp"),
        }
    }

    /// Whether the passphrase header carries the passphrase as given (not a derivation of it).
    fn sends_plain_passphrase(self) -> Option<&'static str> {
        match self {
            Hmac::Okx | Hmac::OkxDemo => Some("ok-access-passphrase"),
            Hmac::KucoinV1 => Some("kc-api-passphrase"),
            Hmac::CoinbaseExchange | Hmac::CoinbaseExchangeMillis => Some("cb-access-passphrase"),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs and their strategies.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Keys {
    api_key: String,
    /// Used by every HMAC scheme but Coinbase Exchange.
    text_secret: String,
    /// Standard base64 of 64 bytes, for Coinbase Exchange.
    base64_secret: String,
    passphrase: String,
}

#[derive(Debug, Clone)]
struct Req {
    method: Method,
    path: String,
    query: String,
    body: Vec<u8>,
    at: Timestamp,
}

impl Req {
    fn with_parts<'a>(&self, path: &'a str, query: &'a str, body: &'a [u8]) -> SignableRequest<'a> {
        SignableRequest::new(self.method, path)
            .and_then(|r| r.with_query(query))
            .map(|r| r.with_body(body))
            .expect("the strategies generate wire-form paths and queries")
    }

    fn signable(&self) -> SignableRequest<'_> {
        self.with_parts(&self.path, &self.query, &self.body)
    }
}

/// `cases` cases per property; failures are reported with their minimal input but not written
/// to a regressions file next to this one.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases) }
}

/// Visible ASCII without `?` and `#`.
const PATH_CHARS: &str = "[!-\"$->@-~]";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn method() -> impl Strategy<Value = Method> {
    prop::sample::select(vec![
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Delete,
        Method::Patch,
        Method::Head,
        Method::Options,
    ])
}

/// `/` then at least one visible ASCII character other than `?` and `#`; never `://`, which
/// `SignableRequest::new` refuses as a URL pasted in place of a path.
fn wire_path() -> impl Strategy<Value = String> {
    regex(&format!("/{PATH_CHARS}{{1,40}}")).prop_filter("not a URL", |path| !path.contains("://"))
}

fn regex(pattern: &str) -> impl Strategy<Value = String> + use<> {
    proptest::string::string_regex(pattern).expect("a valid pattern")
}

/// A wire query: visible ASCII without `#`, not starting with `?`, with `+` and percent escapes of
/// ASCII bytes (so KuCoin can decode it), possibly empty.
fn wire_query() -> impl Strategy<Value = String> {
    let first = "([!-\"$&->@-~]|%[2-7][0-9a-fA-F])";
    let rest = "([!-\"$&-~]|%[2-7][0-9a-fA-F])";
    prop_oneof![
        1 => Just(String::new()),
        6 => regex(&format!("{first}{rest}{{0,30}}")),
    ]
}

/// A body of 1..200 arbitrary bytes (the crate signs bytes, never re-serialises them).
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 1..200)
}

/// Any instant from 1970 to the end of 9999, to the nanosecond.
fn instant() -> impl Strategy<Value = Timestamp> {
    (0..=MAX_SECS, 0..1_000_000_000u32)
        .prop_map(|(secs, nanos)| Timestamp::from_duration_since_epoch(Duration::new(secs, nanos)))
}

/// A passphrase: visible ASCII and interior spaces.
fn passphrase() -> impl Strategy<Value = String> {
    "[!-~]([ -~]{0,30}[!-~])?"
}

fn keys() -> impl Strategy<Value = Keys> {
    ("[!-~]{1,40}", "[A-Za-z0-9]{16,64}", prop::collection::vec(any::<u8>(), 64), passphrase()).prop_map(
        |(api_key, text_secret, raw, passphrase)| Keys { api_key, text_secret, base64_secret: b64(&raw), passphrase },
    )
}

fn request() -> impl Strategy<Value = Req> {
    (method(), wire_path(), wire_query(), body(), instant()).prop_map(|(method, path, query, body, at)| Req {
        method,
        path,
        query,
        body,
        at,
    })
}

/// Replaces byte `at` of `text` with a byte from `allowed` that differs from it.
fn alter(text: &str, at: usize, allowed: &[u8], pick: Index) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut choice = pick.index(allowed.len());
    if allowed[choice] == bytes[at] {
        choice = (choice + 1) % allowed.len();
    }
    bytes[at] = allowed[choice];
    String::from_utf8(bytes).expect("ASCII in, ASCII out")
}

fn bytes_where(keep: impl Fn(u8) -> bool) -> Vec<u8> {
    (0u8..=127).filter(|&b| keep(b)).collect()
}

fn sign(signer: &dyn Signer, request: &SignableRequest<'_>, at: Timestamp) -> SignedRequest {
    signer.sign(request, at).expect("a valid request signs")
}

// ---------------------------------------------------------------------------------------------
// (a) The signature depends on exactly what it should.
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn same_inputs_give_the_same_signature(keys in keys(), req in request()) {
        for scheme in HMAC_SCHEMES {
            // Two signers built from the same credentials, and the same signer twice.
            let (first, second) = (scheme.build(&keys)?, scheme.build(&keys)?);
            let a = sign(first.as_ref(), &req.signable(), req.at);
            let b = sign(first.as_ref(), &req.signable(), req.at);
            let c = sign(second.as_ref(), &req.signable(), req.at);
            prop_assert_eq!(a.signature(), b.signature(), "{:?}", scheme);
            prop_assert_eq!(a.signature(), c.signature(), "{:?}", scheme);
            let headers = |s: &SignedRequest| {
                s.headers().map(|(n, v)| (n.clone(), v.as_bytes().to_vec())).collect::<Vec<_>>()
            };
            prop_assert_eq!(headers(&a), headers(&c), "{:?}", scheme);
            // And the signature is the one in the headers.
            prop_assert!(a.headers().any(|(_, v)| v.as_bytes() == a.signature().as_bytes()), "{:?}", scheme);
        }
    }

    #[test]
    fn altering_a_path_byte_changes_the_signature(
        keys in keys(), req in request(), at in any::<Index>(), pick in any::<Index>(),
    ) {
        // Byte 0 is the leading '/', which must stay.
        let position = 1 + at.index(req.path.len() - 1);
        let path = alter(&req.path, position, &bytes_where(|b| b.is_ascii_graphic() && b != b'?' && b != b'#'), pick);
        prop_assume!(!path.contains("://"));
        for scheme in HMAC_SCHEMES {
            let signer = scheme.build(&keys)?;
            let original = sign(signer.as_ref(), &req.signable(), req.at);
            let altered = sign(signer.as_ref(), &req.with_parts(&path, &req.query, &req.body), req.at);
            prop_assert_ne!(original.signature(), altered.signature(), "{:?}: {} vs {}", scheme, req.path, path);
        }
    }

    #[test]
    fn altering_a_query_byte_changes_the_signature_where_the_query_is_signed(
        keys in keys(), mut req in request(), at in any::<Index>(), pick in any::<Index>(),
    ) {
        if req.query.is_empty() {
            req.query.push_str("a=1");
        }
        let query =
            alter(&req.query, at.index(req.query.len()), &bytes_where(|b| b.is_ascii_graphic() && b != b'?' && b != b'#'), pick);
        for scheme in HMAC_SCHEMES {
            let signer = scheme.build(&keys)?;
            let original = sign(signer.as_ref(), &req.signable(), req.at);
            let result = signer.sign(&req.with_parts(&req.path, &query, &req.body), req.at);
            match scheme.query_rule() {
                QueryRule::Raw => {
                    prop_assert_ne!(original.signature(), result?.signature().to_owned(), "{:?}: {} vs {}", scheme, req.query, query);
                }
                QueryRule::NotSigned => {
                    prop_assert_eq!(original.signature(), result?.signature().to_owned(), "{:?}: {} vs {}", scheme, req.query, query);
                }
                // KuCoin signs the decoded query: a new malformed escape is refused, `%4a` and `%4A`
                // sign alike, and any other change shows.
                QueryRule::Decoded => match decode_query(&query) {
                    Err(expected) => prop_assert_eq!(result.unwrap_err(), expected, "{:?}: {}", scheme, query),
                    Ok(decoded) if decoded == decode_query(&req.query)? => {
                        prop_assert_eq!(original.signature(), result?.signature().to_owned(), "{:?}: {} vs {}", scheme, req.query, query);
                    }
                    Ok(_) => {
                        prop_assert_ne!(original.signature(), result?.signature().to_owned(), "{:?}: {} vs {}", scheme, req.query, query);
                    }
                },
            }
        }
    }

    #[test]
    fn adding_a_query_changes_the_signature_where_the_query_is_signed(
        keys in keys(), mut req in request(), query in "[a-z]{1,8}=[0-9]{1,8}",
    ) {
        req.query.clear();
        for scheme in HMAC_SCHEMES {
            let signer = scheme.build(&keys)?;
            let original = sign(signer.as_ref(), &req.signable(), req.at);
            let with_query = sign(signer.as_ref(), &req.with_parts(&req.path, &query, &req.body), req.at);
            let changed = original.signature() != with_query.signature();
            prop_assert_eq!(changed, scheme.query_rule() != QueryRule::NotSigned, "{:?}", scheme);
        }
    }

    #[test]
    fn altering_a_body_byte_changes_the_signature(
        keys in keys(), req in request(), at in any::<Index>(), flip in 1..=255u8,
    ) {
        let mut body = req.body.clone();
        body[at.index(req.body.len())] ^= flip;
        for scheme in HMAC_SCHEMES {
            let signer = scheme.build(&keys)?;
            let original = sign(signer.as_ref(), &req.signable(), req.at);
            let altered = sign(signer.as_ref(), &req.with_parts(&req.path, &req.query, &body), req.at);
            prop_assert_ne!(original.signature(), altered.signature(), "{:?}", scheme);
        }
    }

    #[test]
    fn a_different_timestamp_changes_the_signature(
        keys in keys(),
        req in request(),
        step in prop_oneof![1..1_000u64, (1..1_000u64).prop_map(|ms| ms * 1_000_000), 1..10_000_000_000u64],
    ) {
        let later = Timestamp::from_duration_since_epoch(req.at.duration_since_epoch() + Duration::from_nanos(step));
        prop_assume!(later.unix_secs() <= MAX_SECS);
        for scheme in HMAC_SCHEMES {
            let signer = scheme.build(&keys)?;
            let original = sign(signer.as_ref(), &req.signable(), req.at);
            let altered = sign(signer.as_ref(), &req.signable(), later);
            // What was signed is the instant given, in the scheme's format, as sent.
            let (format, header) = scheme.timestamp();
            for (signed, at) in [(&original, req.at), (&altered, later)] {
                prop_assert_eq!(signed.timestamp(), format.render(at)?, "{:?}", scheme);
                prop_assert_eq!(signed.header(header).map(|v| v.as_bytes()), Some(signed.timestamp().as_bytes()));
            }
            // Instants that the scheme writes alike (same second for a seconds scheme) sign alike.
            if original.timestamp() == altered.timestamp() {
                prop_assert_eq!(original.signature(), altered.signature(), "{:?}", scheme);
            } else {
                prop_assert_ne!(original.signature(), altered.signature(), "{:?}", scheme);
            }
        }
    }

    #[test]
    fn altering_a_secret_byte_changes_the_signature(
        keys in keys(), req in request(), at in any::<Index>(), pick in any::<Index>(),
    ) {
        let alphanumeric = bytes_where(|b| b.is_ascii_alphanumeric());
        let base64_alphabet = bytes_where(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
        for scheme in HMAC_SCHEMES {
            let secret = scheme.secret(&keys);
            let original = sign(scheme.build(&keys)?.as_ref(), &req.signable(), req.at);
            if scheme.base64_secret() {
                // Alter a base64 character (not the padding): either the secret no longer decodes
                // to 64 bytes (the last character carries 4 bits that must be zero) or the key
                // changed.
                let altered = alter(secret, at.index(secret.len() - 2), &base64_alphabet, pick);
                match scheme.build_with(&keys.api_key, &altered, &keys.passphrase) {
                    Err(err) => prop_assert!(matches!(err, Error::SecretNotBase64 { .. }), "{:?}: {}", scheme, err),
                    Ok(signer) => {
                        let signed = sign(signer.as_ref(), &req.signable(), req.at);
                        prop_assert_ne!(original.signature(), signed.signature(), "{:?}", scheme);
                    }
                }
            } else {
                let altered = alter(secret, at.index(secret.len()), &alphanumeric, pick);
                let signer = scheme.build_with(&keys.api_key, &altered, &keys.passphrase)?;
                let signed = sign(signer.as_ref(), &req.signable(), req.at);
                prop_assert_ne!(original.signature(), signed.signature(), "{:?}", scheme);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (b) Header values go on the wire as they are.
// ---------------------------------------------------------------------------------------------

fn assert_wire_safe(signed: &SignedRequest, scheme: &str) -> Result<(), TestCaseError> {
    prop_assert!(signed.headers().len() > 0, "{}: no headers", scheme);
    for (name, value) in signed.header_values() {
        let bytes = value.as_bytes();
        prop_assert!(!bytes.is_empty(), "{}: {} is empty", scheme, name);
        prop_assert!(
            bytes.iter().all(|&b| b == b' ' || b.is_ascii_graphic()),
            "{}: {} has a byte outside visible ASCII and space: {:?}",
            scheme,
            name,
            bytes
        );
        prop_assert!(!bytes.contains(&b'\r') && !bytes.contains(&b'\n'), "{}: {} has CR or LF", scheme, name);
        // A server trims surrounding whitespace, which would change a signed or compared value.
        prop_assert!(bytes[0] != b' ' && bytes[bytes.len() - 1] != b' ', "{}: {} has surrounding spaces", scheme, name);
        prop_assert!(value.to_str().is_ok(), "{}: {} is not text", scheme, name);
    }
    Ok(())
}

#[cfg(feature = "cdp")]
/// A random Ed25519 key in the portal's form: base64 of seed ‖ public key.
fn ed25519_secret() -> impl Strategy<Value = String> {
    any::<[u8; 32]>().prop_map(|seed| {
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let mut pair = seed.to_vec();
        pair.extend_from_slice(key.verifying_key().as_bytes());
        b64(&pair)
    })
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn header_values_are_visible_ascii_without_line_breaks(keys in keys(), req in request()) {
        for scheme in HMAC_SCHEMES {
            let signed = sign(scheme.build(&keys)?.as_ref(), &req.signable(), req.at);
            assert_wire_safe(&signed, &format!("{scheme:?}"))?;
        }
    }

    #[cfg(feature = "cdp")]
    #[test]
    fn cdp_header_values_are_visible_ascii_without_line_breaks(
        keys in keys(), req in request(), ed25519 in ed25519_secret(),
    ) {
        let es256 = CoinbaseCdpSigner::new(&Credentials::new().api_key(keys.api_key.as_str()).secret(ES256_PEM))?;
        let eddsa = CoinbaseCdpSigner::new(&Credentials::new().api_key(keys.api_key.as_str()).secret(ed25519))?;
        prop_assert_eq!(es256.key_type(), CdpKeyType::Es256);
        prop_assert_eq!(eddsa.key_type(), CdpKeyType::EdDsa);
        for signer in [es256, eddsa] {
            let signed = sign(&signer, &req.signable(), req.at);
            assert_wire_safe(&signed, &format!("{:?}", signer.key_type()))?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (c) decode_query.
// ---------------------------------------------------------------------------------------------

/// Percent-encodes `text` the way a form encoder may: spaces as `+`, alphanumerics as they are,
/// every other byte as `%XX` in either case.
fn form_encode(text: &str, upper: &[bool]) -> String {
    let mut out = String::new();
    for (i, &b) in text.as_bytes().iter().enumerate() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() => out.push(char::from(b)),
            b if upper[i % upper.len()] => out.push_str(&format!("%{b:02X}")),
            b => out.push_str(&format!("%{b:02x}")),
        }
    }
    out
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn decode_query_never_panics(text in any::<String>()) {
        if let Err(err) = decode_query(&text) {
            prop_assert!(matches!(err, Error::MalformedQuery { position } if position < text.len()), "{:?}", err);
        }
    }

    #[test]
    fn decode_query_on_visible_ascii_is_ok_or_malformed(
        text in prop_oneof!["[!-~]{0,64}", "[%+0-9a-fA-FgG=&]{0,32}"],
    ) {
        match decode_query(&text) {
            Ok(decoded) => {
                // Each escape shrinks three bytes to one; nothing grows.
                prop_assert!(decoded.len() <= text.len());
                // A '+' survives only as an escape; a bare one became a space.
                let escaped_plus = text.contains("%2B") || text.contains("%2b");
                prop_assert!(!decoded.contains('+') || escaped_plus, "{} -> {}", text, decoded);
            }
            Err(Error::MalformedQuery { position }) => {
                prop_assert!(position < text.len(), "{} at {}", text, position);
                prop_assert!(text.contains('%'), "only a '%' can be malformed: {}", text);
            }
            Err(other) => prop_assert!(false, "{}: unexpected {:?}", text, other),
        }
    }

    #[test]
    fn decode_query_without_escapes_is_the_identity(text in "[^%+]{0,64}") {
        let decoded = decode_query(&text)?;
        prop_assert!(matches!(decoded, Cow::Borrowed(_)));
        prop_assert_eq!(decoded, text.as_str());
    }

    #[test]
    fn decode_query_turns_only_plus_into_space_when_there_is_no_percent(text in "[!-$&-~]{0,64}") {
        prop_assert_eq!(decode_query(&text)?, text.replace('+', " "));
    }

    #[test]
    fn decode_query_inverts_form_encoding(text in any::<String>(), upper in prop::collection::vec(any::<bool>(), 1..8)) {
        let encoded = form_encode(&text, &upper);
        prop_assert_eq!(decode_query(&encoded)?, text.as_str(), "{}", encoded);
    }

    #[test]
    fn a_bad_escape_is_reported_at_its_percent(
        prefix in "([!-\"$&-*,-~]|%[2-7][0-9a-fA-F]){0,20}",
        bad in prop::sample::select(vec!["%", "%4", "%zz", "%4g", "%g4", "% 1"]),
        suffix in "[a-z=&]{0,10}",
    ) {
        // A '%' at the very end, or followed by anything but two hex digits.
        let bad = if bad == "% 1" { "%-1" } else { bad };
        let suffix = if bad == "%" || bad == "%4" { String::new() } else { suffix };
        let query = format!("{prefix}{bad}{suffix}");
        prop_assert_eq!(decode_query(&query).unwrap_err(), Error::MalformedQuery { position: prefix.len() }, "{}", query);
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// The offset names the input byte where the bad sequence starts, as the message says ("at
    /// byte N"), even when escapes before it have shrunk the decoded text.
    #[test]
    fn invalid_utf8_is_reported_at_the_percent_that_starts_it(
        prefix in "([!-\"$&-*,-~]|%[2-7][0-9a-fA-F]|%C3%A9){0,20}",
        bad in prop::sample::select(vec!["%ff", "%FE", "%80", "%C3%28", "%E9%BE", "%c3"]),
        suffix in "[a-z=&]{0,10}",
    ) {
        let query = format!("{prefix}{bad}{suffix}");
        prop_assert_eq!(decode_query(&query).unwrap_err(), Error::MalformedQuery { position: prefix.len() }, "{}", query);
    }
}

// ---------------------------------------------------------------------------------------------
// (d) Timestamp formats parse back what they render.
// ---------------------------------------------------------------------------------------------

fn millis_instant() -> impl Strategy<Value = Timestamp> {
    (0..=MAX_SECS * 1_000 + 999).prop_map(Timestamp::from_unix_millis)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn unix_seconds_round_trip(secs in any::<u64>()) {
        let at = Timestamp::from_unix_secs(secs);
        let text = TimestampFormat::UnixSeconds.render(at)?;
        prop_assert_eq!(&text, &secs.to_string());
        prop_assert_eq!(TimestampFormat::UnixSeconds.parse(&text)?, at);
    }

    #[test]
    fn unix_millis_round_trip(millis in any::<u64>()) {
        let at = Timestamp::from_unix_millis(millis);
        let text = TimestampFormat::UnixMillis.render(at)?;
        prop_assert_eq!(&text, &millis.to_string());
        prop_assert_eq!(TimestampFormat::UnixMillis.parse(&text)?, at);
    }

    #[test]
    fn iso_8601_millis_round_trip(at in millis_instant()) {
        let text = TimestampFormat::Iso8601Millis.render(at)?;
        prop_assert_eq!(text.len(), 24, "{}", text);
        prop_assert_eq!(TimestampFormat::Iso8601Millis.parse(&text)?, at, "{}", text);
    }

    #[test]
    fn iso_8601_millis_truncates_below_a_millisecond(at in instant()) {
        let text = TimestampFormat::Iso8601Millis.render(at)?;
        let parsed = TimestampFormat::Iso8601Millis.parse(&text)?;
        prop_assert_eq!(parsed.unix_millis(), at.unix_millis(), "{}", text);
    }

    #[test]
    fn unix_seconds_with_millis_round_trip(at in millis_instant()) {
        let format = TimestampFormat::UnixSecondsFraction { digits: 3 };
        let text = format.render(at)?;
        prop_assert_eq!(text.split_once('.').map(|(_, f)| f.len()), Some(3), "{}", text);
        prop_assert_eq!(format.parse(&text)?, at, "{}", text);
    }

    #[test]
    fn unix_seconds_fraction_truncates_to_its_digits(at in instant(), digits in 1..=9u8) {
        let format = TimestampFormat::UnixSecondsFraction { digits };
        let text = format.render(at)?;
        let unit = 10u32.pow(9 - u32::from(digits));
        let since = at.duration_since_epoch();
        let truncated = Duration::new(since.as_secs(), since.subsec_nanos() / unit * unit);
        prop_assert_eq!(format.parse(&text)?.duration_since_epoch(), truncated, "{}", text);
    }

    #[test]
    fn instants_that_render_alike_are_within_the_format_resolution(a in millis_instant(), b in millis_instant()) {
        // Rendering is injective at millisecond resolution for the millisecond formats.
        for format in [TimestampFormat::UnixMillis, TimestampFormat::Iso8601Millis, TimestampFormat::UnixSecondsFraction { digits: 3 }] {
            prop_assert_eq!(format.render(a)? == format.render(b)?, a == b, "{:?}", format);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (e) Secrets never print.
// ---------------------------------------------------------------------------------------------

/// A marked secret with 16..64 random alphanumerics after the mark.
fn marked_text_secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{16,64}".prop_map(|tail| format!("{SECRET_MARK}{tail}"))
}

/// A marked base64 secret that decodes to 64 bytes (Coinbase Exchange): 86 characters whose last
/// one carries 4 zero bits, then `==`.
fn marked_exchange_secret() -> impl Strategy<Value = String> {
    ("[A-Za-z0-9+/]{75}", "[AQgw]").prop_map(|(body, last)| format!("{SECRET_MARK}{body}{last}=="))
}

#[cfg(feature = "cdp")]
/// A marked base64 Ed25519 seed: 43 characters whose last one carries 2 zero bits, then `=`.
fn marked_ed25519_secret() -> impl Strategy<Value = String> {
    ("[A-Za-z0-9+/]{32}", "[AEIMQUYcgkosw048]").prop_map(|(body, last)| format!("{SECRET_MARK}{body}{last}="))
}

fn marked_passphrase() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!@#$%^&*]{4,32}".prop_map(|tail| format!("{PASS_MARK}{tail}"))
}

fn assert_hidden(shown: &str, secrets: &[&str], what: &str) -> Result<(), TestCaseError> {
    prop_assert!(!shown.contains(SECRET_MARK), "{} shows the secret: {}", what, shown);
    prop_assert!(!shown.contains(PASS_MARK), "{} shows the passphrase: {}", what, shown);
    for secret in secrets {
        prop_assert!(!shown.contains(secret), "{} shows {}: {}", what, secret, shown);
    }
    Ok(())
}

fn kucoin_derived_passphrase(secret: &str, passphrase: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(passphrase.as_bytes());
    b64(&mac.finalize().into_bytes())
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn secrets_and_passphrases_never_show_in_debug(
        text_secret in marked_text_secret(),
        exchange_secret in marked_exchange_secret(),
        passphrase in marked_passphrase(),
        req in request(),
    ) {
        let keys = Keys {
            api_key: "key-1".to_owned(),
            text_secret: text_secret.clone(),
            base64_secret: exchange_secret.clone(),
            passphrase: passphrase.clone(),
        };
        let kept = SignOptions::new().keep_prehash();
        for scheme in HMAC_SCHEMES {
            let secret = scheme.secret(&keys);
            let credentials = Credentials::new().api_key("key-1").secret(secret).passphrase(passphrase.as_str());
            let what = format!("{scheme:?}");
            assert_hidden(&format!("{credentials:?}"), &[secret, &passphrase], &format!("{what} credentials"))?;
            let signer = scheme.build(&keys)?;
            assert_hidden(&format!("{signer:?}"), &[secret, &passphrase], &format!("{what} signer"))?;

            let signed = signer.sign_with(&req.signable(), req.at, &kept)?;
            let shown = format!("{signed:?}");
            assert_hidden(&shown, &[secret, &passphrase], &format!("{what} signed request"))?;
            let mut map = http::HeaderMap::new();
            signed.apply_to(&mut map);
            assert_hidden(&format!("{map:?}"), &[secret, &passphrase], &format!("{what} header map"))?;

            // The passphrase is on the wire, just not in Debug.
            if let Some(header) = scheme.sends_plain_passphrase() {
                let value = signed.header(header).expect("passphrase header");
                prop_assert_eq!(value.as_bytes(), passphrase.as_bytes(), "{}", what);
                prop_assert!(signed.is_sensitive(header), "{}", what);
                let built = signed.header_values().find(|(name, _)| name.as_str() == header).expect("passphrase value").1;
                prop_assert!(built.is_sensitive(), "{}", what);
            }
            if matches!(scheme, Hmac::KucoinV2 | Hmac::KucoinV3) {
                let derived = kucoin_derived_passphrase(secret, &passphrase);
                let value = signed.header("kc-api-passphrase").expect("passphrase header");
                prop_assert_eq!(value.as_bytes(), derived.as_bytes(), "{}", what);
                prop_assert!(signed.is_sensitive("kc-api-passphrase"), "{}", what);
                prop_assert!(!shown.contains(&derived), "{} shows the derived passphrase: {}", what, shown);
            }

            // Websocket logins carry the passphrase in the message; Debug must not.
            let subscribe = WsRequest::subscribe(&["level2"], &["BTC-USD"]);
            if let Ok(ws) = signer.sign_ws(&subscribe, req.at) {
                assert_hidden(&format!("{ws:?}"), &[secret, &passphrase], &format!("{what} websocket auth"))?;
            }
        }
    }

    #[cfg(feature = "cdp")]
    #[test]
    fn cdp_keys_never_show_in_debug(secret in marked_ed25519_secret(), req in request()) {
        let credentials = Credentials::new().api_key("22222222-2222-4222-8222-222222222222").secret(secret.as_str());
        assert_hidden(&format!("{credentials:?}"), &[&secret], "CDP credentials")?;
        let signer = CoinbaseCdpSigner::new(&credentials)?;
        prop_assert_eq!(signer.key_type(), CdpKeyType::EdDsa);
        let seed = base64::engine::general_purpose::STANDARD.decode(&secret).expect("valid base64");
        let seed_hex = hex::encode(&seed);
        assert_hidden(&format!("{signer:?}"), &[&secret, &seed_hex], "CDP signer")?;
        let signed = signer.sign(&req.signable(), req.at)?;
        let shown = format!("{signed:?}");
        assert_hidden(&shown, &[&secret, &seed_hex], "CDP signed request")?;
        // The bearer token is a credential for two minutes: hidden as well.
        let bearer = signed.header("authorization").expect("authorization header");
        prop_assert!(signed.is_sensitive("authorization"));
        let built = signed.header_values().next().expect("the bearer header").1;
        prop_assert!(built.is_sensitive());
        let token = bearer.trim_start_matches("Bearer ");
        prop_assert!(!shown.contains(token), "CDP signed request shows the token: {}", shown);

        let es256 = CoinbaseCdpSigner::new(&Credentials::new().api_key(ES256_KEY_NAME).secret(ES256_PEM))?;
        let pem_body = ES256_PEM.lines().nth(1).expect("PEM body line");
        assert_hidden(&format!("{es256:?}"), &[pem_body], "ES256 signer")?;
    }

    #[test]
    fn construction_errors_never_show_the_secret_or_passphrase(
        secret in marked_text_secret(),
        passphrase in marked_passphrase(),
        version in any::<u32>().prop_filter("not 1, 2 or 3", |v| !(1..=3).contains(v)),
        split in any::<Index>(),
    ) {
        let at = 1 + split.index(passphrase.len() - 1);
        let passphrase_with_newline = format!("{}\n{}", &passphrase[..at], &passphrase[at..]);
        let secret_with_newline = format!("{secret}\n");
        let secret_with_space = format!(" {secret}");
        let creds = |secret: &str, passphrase: &str| Credentials::new().api_key("key-1").secret(secret).passphrase(passphrase);

        let version_error = KucoinKeyVersion::try_from(version).unwrap_err();
        prop_assert_eq!(&version_error, &Error::UnsupportedKeyVersion { version });
        prop_assert!(version_error.to_string().contains(&version.to_string()));

        let mut errors: Vec<(&str, Error)> = vec![("KuCoin key version", version_error)];
        for scheme in HMAC_SCHEMES {
            let valid_secret = if scheme.base64_secret() { b64(&[7; 64]) } else { secret.clone() };
            if scheme.sends_plain_passphrase().is_some() {
                let err = scheme.build_with("key-1", &valid_secret, &passphrase_with_newline).map(|_| ()).unwrap_err();
                errors.push(("passphrase with a newline", err));
            }
            if scheme.sends_plain_passphrase().is_some() || matches!(scheme, Hmac::KucoinV2 | Hmac::KucoinV3) {
                let secret = valid_secret;
                let err = scheme.build_with("key-1", &secret, &format!("{passphrase} ")).map(|_| ()).unwrap_err();
                errors.push(("passphrase with a trailing space", err));
            }
            let err = scheme.build_with("key-1", &secret_with_newline, &passphrase).map(|_| ()).unwrap_err();
            errors.push(("secret with a trailing newline", err));
            let err = scheme.build_with("key-1", &secret_with_space, &passphrase).map(|_| ()).unwrap_err();
            errors.push(("secret with a leading space", err));
        }
        // A text secret where Coinbase Exchange wants base64 of 64 bytes.
        errors.push(("Exchange secret not base64", CoinbaseExchangeSigner::new(&creds(&secret, &passphrase)).unwrap_err()));
        // No passphrase at all.
        errors.push((
            "missing passphrase",
            OkxSigner::new(&Credentials::new().api_key("key-1").secret(secret.as_str()), OkxEnvironment::Live)
                .unwrap_err(),
        ));
        // CDP secrets that are not keys.
        #[cfg(feature = "cdp")]
        {
            errors.push(("CDP text secret", CoinbaseCdpSigner::new(&creds(&secret, &passphrase)).unwrap_err()));
            let pem = format!("-----BEGIN EC PRIVATE KEY-----\n{secret}\n-----END EC PRIVATE KEY-----\n");
            errors.push(("CDP bad PEM", CoinbaseCdpSigner::new(&creds(&pem, &passphrase)).unwrap_err()));
        }

        for (what, err) in &errors {
            assert_hidden(&err.to_string(), &[&secret, &passphrase], &format!("{what} (Display)"))?;
            assert_hidden(&format!("{err:?}"), &[&secret, &passphrase], &format!("{what} (Debug)"))?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (f) What a signer signs, the local exchange verifies; and the method and every credential
//     are covered.
// ---------------------------------------------------------------------------------------------

impl Hmac {
    /// A path prefix the local exchange routes to this scheme (legacy Advanced Trade keys are
    /// told from Coinbase Exchange keys by the `/api/v3/` path).
    fn path_prefix(self) -> &'static str {
        match self {
            Hmac::Okx | Hmac::OkxDemo => "/api/v5",
            Hmac::KucoinV1 | Hmac::KucoinV2 | Hmac::KucoinV3 => "/api/v1",
            Hmac::Delta => "/v2",
            Hmac::CoinbaseExchange | Hmac::CoinbaseExchangeMillis => "/exchange",
            Hmac::CoinbaseAdvanced => "/api/v3",
        }
    }

    /// Whether the scheme has a passphrase.
    fn has_passphrase(self) -> bool {
        !matches!(self, Hmac::Delta | Hmac::CoinbaseAdvanced)
    }

    fn account(self, keys: &Keys) -> Result<cexsign_local_exchange::Account, Error> {
        use cexsign_local_exchange::Account;
        let credentials = Credentials::new()
            .api_key(keys.api_key.as_str())
            .secret(self.secret(keys))
            .passphrase(keys.passphrase.as_str());
        match self {
            Hmac::Okx => Account::new(Scheme::Okx, &credentials, &KeySettings::new()),
            Hmac::OkxDemo => Account::new(Scheme::Okx, &credentials, &KeySettings::new().demo(true)),
            Hmac::KucoinV1 => Account::new(Scheme::Kucoin, &credentials, &KeySettings::new().key_version(1)),
            Hmac::KucoinV2 => Account::new(Scheme::Kucoin, &credentials, &KeySettings::new().key_version(2)),
            Hmac::KucoinV3 => Account::new(Scheme::Kucoin, &credentials, &KeySettings::new().key_version(3)),
            Hmac::Delta => Account::new(Scheme::Delta, &credentials, &KeySettings::new()),
            Hmac::CoinbaseExchange | Hmac::CoinbaseExchangeMillis => {
                Account::new(Scheme::CoinbaseExchange, &credentials, &KeySettings::new())
            }
            Hmac::CoinbaseAdvanced => Account::new(Scheme::CoinbaseAdvancedHmac, &credentials, &KeySettings::new()),
        }
    }
}

/// `text` without the four visible ASCII characters an HTTP request-target cannot carry as they
/// are (`"`, `<`, `>`, a backtick): a URL parser would percent-encode them before sending.
fn sendable(text: &str) -> String {
    text.replace(['"', '<', '>', '`'], "_")
}

/// The request-target of a path and query, if an HTTP server reads back exactly that path and
/// query from it (else the request cannot be sent as signed, whoever signs it).
fn sendable_target(path: &str, query: &str) -> Option<String> {
    let target = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
    let uri: http::Uri = target.parse().ok()?;
    (uri.path() == path && uri.query().unwrap_or_default() == query).then_some(target)
}

/// Verifies `signed` with the local exchange's in-process verifier, at the signing instant.
fn verify(
    verifier: &cexsign_local_exchange::Verifier,
    method: &str,
    target: &str,
    signed: &SignedRequest,
    body: &[u8],
    at: Timestamp,
) -> http::Response<String> {
    let mut headers = http::HeaderMap::new();
    signed.apply_to(&mut headers);
    headers.insert("user-agent", http::HeaderValue::from_static("cexsign-properties")); // Delta's CDN
    headers.insert("host", http::HeaderValue::from_static("127.0.0.1:8080")); // CDP's uri claim
    verifier.check_at(method, target, &headers, body, at)
}

proptest! {
    #![proptest_config(config(48))]

    /// Sign, then verify as the exchange does from the raw request: accepted, for every scheme,
    /// any request and any instant; and the same headers on another method are rejected (for one
    /// scheme per case: a rejection runs the verifier's diagnosis, tens of milliseconds in a
    /// debug build).
    #[test]
    fn every_signature_verifies_and_covers_the_method(
        keys in keys(), req in request(), other in method(), pick in any::<Index>(),
    ) {
        let rejected_for = HMAC_SCHEMES[pick.index(HMAC_SCHEMES.len())];
        use cexsign_local_exchange::LocalExchange;
        let mut req = req;
        req.query = sendable(&req.query);
        for scheme in HMAC_SCHEMES {
            let path = format!("{}{}", scheme.path_prefix(), sendable(&req.path));
            let target = sendable_target(&path, &req.query).expect("a sendable target");
            let verifier = LocalExchange::new().with_account(scheme.account(&keys)?).verifier();
            let signed = sign(scheme.build(&keys)?.as_ref(), &req.with_parts(&path, &req.query, &req.body), req.at);
            let answer = verify(&verifier, req.method.as_str(), &target, &signed, &req.body, req.at);
            prop_assert_eq!(answer.status(), 200, "{:?}: {} {}: {}", scheme, req.method.as_str(), target, answer.body());
            prop_assert!(answer.body().contains(r#""cexsign":"accepted""#), "{:?}: {}", scheme, answer.body());
            if other != req.method && scheme == rejected_for {
                let answer = verify(&verifier, other.as_str(), &target, &signed, &req.body, req.at);
                prop_assert_eq!(answer.status(), 401, "{:?}: {} accepted for {}", scheme, other.as_str(), req.method.as_str());
            }
        }
    }

    #[cfg(feature = "cdp")]
    #[test]
    fn every_cdp_token_verifies_and_covers_the_method(req in request(), ed25519 in ed25519_secret(), other in method()) {
        use cexsign_local_exchange::{Account, LocalExchange};
        let mut req = req;
        req.query = sendable(&req.query);
        let path = format!("/api/v3{}", sendable(&req.path));
        let target = sendable_target(&path, &req.query).expect("a sendable target");
        let ed25519 = Credentials::new().api_key("22222222-2222-4222-8222-222222222222").secret(ed25519);
        let es256 = Credentials::new().api_key(ES256_KEY_NAME).secret(ES256_PEM);
        for credentials in [ed25519, es256] {
            let verifier = LocalExchange::new()
                .with_account(Account::new(Scheme::CoinbaseCdp, &credentials, &KeySettings::new())?)
                .with_cdp_host_alias("api.coinbase.com")
                .verifier();
            // The token's window is checked against the server clock: sign at a recent instant.
            let at = Timestamp::from_unix_secs(1_700_000_000 + req.at.unix_secs() % 100_000_000);
            let signed = sign(&CoinbaseCdpSigner::new(&credentials)?, &req.with_parts(&path, &req.query, &req.body), at);
            let answer = verify(&verifier, req.method.as_str(), &target, &signed, &req.body, at);
            prop_assert_eq!(answer.status(), 200, "{} {}: {}", req.method.as_str(), target, answer.body());
            if other != req.method {
                let answer = verify(&verifier, other.as_str(), &target, &signed, &req.body, at);
                prop_assert_eq!(answer.status(), 401, "{} accepted for {}", other.as_str(), req.method.as_str());
            }
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn a_different_method_changes_the_signature(keys in keys(), req in request(), other in method()) {
        prop_assume!(other != req.method);
        let mut altered = req.clone();
        altered.method = other;
        for scheme in HMAC_SCHEMES {
            let signer = scheme.build(&keys)?;
            let original = sign(signer.as_ref(), &req.signable(), req.at);
            let changed = sign(signer.as_ref(), &altered.signable(), req.at);
            prop_assert_ne!(original.signature(), changed.signature(), "{:?}: {:?} vs {:?}", scheme, req.method, other);
        }
    }

    /// The API key and the passphrase are in what is sent (headers), so changing either changes
    /// the output; the secret changes the signature (tested above).
    #[test]
    fn a_different_api_key_or_passphrase_changes_the_output(
        keys in keys(), req in request(), other_key in "[!-~]{1,40}", other_passphrase in passphrase(),
    ) {
        let headers = |s: &SignedRequest| s.headers().map(|(n, v)| (n.clone(), v.as_bytes().to_vec())).collect::<Vec<_>>();
        for scheme in HMAC_SCHEMES {
            let original = sign(scheme.build(&keys)?.as_ref(), &req.signable(), req.at);
            if other_key != keys.api_key {
                let signer = scheme.build_with(&other_key, scheme.secret(&keys), &keys.passphrase)?;
                let changed = sign(signer.as_ref(), &req.signable(), req.at);
                prop_assert_ne!(headers(&original), headers(&changed), "{:?}: api key", scheme);
            }
            if scheme.has_passphrase() && other_passphrase != keys.passphrase {
                let signer = scheme.build_with(&keys.api_key, scheme.secret(&keys), &other_passphrase)?;
                let changed = sign(signer.as_ref(), &req.signable(), req.at);
                prop_assert_ne!(headers(&original), headers(&changed), "{:?}: passphrase", scheme);
            }
        }
    }

    /// CDP tokens, with the nonce pinned: the method, the key name and the key each change the
    /// token.
    #[cfg(feature = "cdp")]
    #[test]
    fn cdp_tokens_cover_the_method_the_key_name_and_the_key(
        req in request(), other in method(), a in ed25519_secret(), b in ed25519_secret(), other_name in "[a-z0-9-]{8,36}",
    ) {
        let at = Timestamp::from_unix_secs(1_700_000_000);
        let options = SignOptions::new().with_nonce("00000000000000000000000000000000ffffffffffffffffffffffffffffffff");
        let name = "22222222-2222-4222-8222-222222222222";
        let signer = |name: &str, secret: &str| CoinbaseCdpSigner::new(&Credentials::new().api_key(name).secret(secret));
        let token = |signer: &CoinbaseCdpSigner, req: &Req| {
            signer.sign_with(&req.signable(), at, &options).map(|s| s.signature().to_owned())
        };
        let original = token(&signer(name, &a)?, &req)?;
        prop_assert_eq!(&original, &token(&signer(name, &a)?, &req)?, "a pinned nonce makes the token reproducible");
        if other != req.method {
            let mut altered = req.clone();
            altered.method = other;
            prop_assert_ne!(&original, &token(&signer(name, &a)?, &altered)?, "method");
        }
        if other_name != name {
            prop_assert_ne!(&original, &token(&signer(&other_name, &a)?, &req)?, "key name");
        }
        if a != b {
            prop_assert_ne!(&original, &token(&signer(name, &b)?, &req)?, "key");
        }
    }

    /// Decoding is stable: a decoded query with nothing left to decode decodes to itself, and a
    /// wire timestamp renders and parses back to the same text and instant.
    #[test]
    fn decoding_a_decoded_query_is_stable(text in prop_oneof!["[!-~]{0,64}", "([a-z=&+]|%[0-9a-fA-F]{2}){0,24}"]) {
        if let Ok(decoded) = decode_query(&text) {
            if !decoded.contains(['%', '+']) {
                prop_assert_eq!(decode_query(&decoded)?, decoded.clone(), "{}", text);
            }
        }
    }

    #[test]
    fn wire_timestamps_round_trip_through_the_parsers(at in instant(), digits in 0..=9u8) {
        let formats = [
            TimestampFormat::UnixSeconds,
            TimestampFormat::UnixMillis,
            TimestampFormat::Iso8601Millis,
            TimestampFormat::UnixSecondsFraction { digits },
        ];
        for format in formats {
            let wire = cexsign::WireTimestamp::render(format, at)?;
            let parsed = cexsign::WireTimestamp::parse(format, wire.as_str())?;
            prop_assert_eq!(parsed.as_str(), wire.as_str());
            prop_assert_eq!(parsed.instant(), format.parse(wire.as_str())?);
            prop_assert_eq!(format.render(parsed.instant())?, wire.as_str(), "{:?}", format);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (g) Arbitrary input: no panic, and no secret in any error (Display, Debug, source chain) or
//     panic message.
// ---------------------------------------------------------------------------------------------

/// Display, Debug and every `source()` of an error, as one text.
fn error_chain(error: &Error) -> String {
    let mut text = format!("{error} {error:?}");
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(&format!(" {inner} {inner:?}"));
        source = inner.source();
    }
    text
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Any text, or a marked secret with a character a header cannot carry.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[ -~]{0,40}", "[\\x00-\\x1f\\x7f é龙]{0,8}[A-Za-z0-9]{0,20}"]
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn arbitrary_credentials_and_requests_never_panic_nor_show_a_secret(
        api_key in hostile_text(),
        secret_tail in hostile_text(),
        passphrase_tail in hostile_text(),
        method in hostile_text(),
        path in prop_oneof![hostile_text(), wire_path()],
        query in prop_oneof![hostile_text(), wire_query()],
        body in body(),
        at in prop_oneof![instant(), any::<u64>().prop_map(Timestamp::from_unix_secs)],
    ) {
        let secret = format!("{SECRET_MARK}{secret_tail}");
        let passphrase = format!("{PASS_MARK}{passphrase_tail}");
        let outcome = std::panic::catch_unwind(|| -> Vec<String> {
            let mut shown = Vec::new();
            let credentials = Credentials::new().api_key(api_key.as_str()).secret(secret.as_str()).passphrase(passphrase.as_str());
            let mut signers: Vec<Result<Box<dyn Signer>, Error>> =
                HMAC_SCHEMES.iter().map(|scheme| scheme.build_with(&api_key, &secret, &passphrase)).collect();
            #[cfg(feature = "cdp")]
            signers.push(CoinbaseCdpSigner::new(&credentials).map(|s| Box::new(s) as Box<dyn Signer>));
            shown.push(format!("{credentials:?}"));
            let request = method
                .parse::<Method>()
                .and_then(|m| SignableRequest::new(m, &path))
                .and_then(|r| r.with_query(&query))
                .map(|r| r.with_body(&body));
            if let Err(error) = &request {
                shown.push(error_chain(error));
            }
            for signer in &signers {
                let signer = match signer {
                    Ok(signer) => signer,
                    Err(error) => {
                        shown.push(error_chain(error));
                        continue;
                    }
                };
                shown.push(format!("{signer:?}"));
                if let Ok(request) = &request {
                    match signer.sign_with(request, at, &SignOptions::new().keep_prehash()) {
                        Ok(signed) => shown.push(format!("{signed:?}")),
                        Err(error) => shown.push(error_chain(&error)),
                    }
                }
                match signer.sign_ws(&WsRequest::subscribe(&[method.as_str()], &[query.as_str()]), at) {
                    Ok(ws) => shown.push(format!("{ws:?}")),
                    Err(error) => shown.push(error_chain(&error)),
                }
            }
            shown
        });
        match outcome {
            Ok(shown) => {
                for text in shown {
                    assert_hidden(&text, &[&secret, &passphrase], "an error or Debug output")?;
                }
            }
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                assert_hidden(&message, &[&secret, &passphrase], "a panic message")?;
                prop_assert!(false, "signing panicked: {}", message);
            }
        }
    }
}
