//! The diagnosis of rejected requests, end to end.
//!
//! Every mistake of the catalogue is produced the way a user's code produces it: a small
//! hand-written client below builds the prehash by string concatenation and MACs it, as the
//! snippets in support threads do, with one bug switched on (key and secret swapped in the
//! constructor, `json.dumps` with its default spaces, `hexdigest()`, ...). The request it sends
//! is then diagnosed and the verdict must name that bug. No test pokes at the expected value.
//! Every correct request of the conformance vectors diagnoses as correct, and garbage input is a
//! typed error, never a panic.

#[path = "../examples/conformance/runner.rs"]
#[allow(dead_code)]
mod runner;

use std::collections::BTreeSet;

use base64::Engine as _;
use cexsign::diagnose::{Case, Diagnosis, MistakeCode, SentRequest, diagnose};
use cexsign::{
    Credentials, Error, KucoinKeyVersion, Method, OkxEnvironment, OkxSigner, Scheme, SignableRequest, Signer,
    Timestamp, TimestampFormat,
};
use hmac::{KeyInit, Mac};
use serde_json::Value;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
/// Node's `Buffer.from(text, "base64")`: padding optional, trailing bits ignored.
const B64_LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

// ---------------------------------------------------------------------------------------------
// Fake keys (AUTH.md's worked examples).

struct Fake {
    key: &'static str,
    secret: &'static str,
    passphrase: Option<&'static str>,
}

fn fake(scheme: Scheme) -> Fake {
    let f = |key, secret, passphrase| Fake { key, secret, passphrase };
    match scheme {
        Scheme::Okx => {
            f("985d5b66-57ce-40fb-b714-afc0b9787083", "22582BD0CFF14C41EDBF1AB98506286D", Some("Passphrase1!"))
        }
        Scheme::Kucoin => f("6422da9c97b45100018c6e62", "cde06451-dbed", Some("1111111")),
        Scheme::Delta => {
            f("a207900b7693435a8fa9230a38195d", "7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f", None)
        }
        Scheme::CoinbaseExchange => f(
            "0123456789abcdef0123456789abcdef",
            "3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==",
            Some("testpassphrase"),
        ),
        Scheme::CoinbaseAdvancedHmac => f("4wRFpLxVyT8hZ2Qn", "kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA", None),
        _ => f(CDP_ED_KEY, CDP_ED_SECRET, None),
    }
}

const CDP_ED_KEY: &str = "22222222-2222-4222-8222-222222222222";
const CDP_ED_SECRET: &str = "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==";
const CDP_ES_KEY: &str =
    "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111";
const CDP_ES_SECRET: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49
AwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR
s8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==
-----END EC PRIVATE KEY-----
";

fn credentials(scheme: Scheme) -> Credentials {
    let f = fake(scheme);
    let c = Credentials::new().api_key(f.key).secret(f.secret);
    match f.passphrase {
        Some(p) => c.passphrase(p),
        None => c,
    }
}

/// 2023-11-14T22:13:20.123Z.
const AT_MS: u64 = 1_700_000_000_123;

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn decode_form(text: &str) -> String {
    cexsign::decode_query(text).unwrap().into_owned()
}

/// Python's default `json.dumps` layout for the compact bodies used here (no `:` or `,` inside
/// strings), with `ensure_ascii` escapes.
fn python_dumps(compact: &str) -> String {
    let spaced = compact.replace("\":", "\": ").replace(",\"", ", \"");
    spaced.chars().map(|c| if c.is_ascii() { c.to_string() } else { format!("\\u{:04x}", c as u32) }).collect()
}

// ---------------------------------------------------------------------------------------------
// A user's hand-written HMAC client, with one bug switched on.

/// What the user's code sends and what it signs, before the bug is applied.
struct Request {
    method: &'static str,
    path: &'static str,
    query: &'static str,
    body: &'static str,
}

const GET: Request = Request { method: "GET", path: "/api/orders", query: "symbol=BTC-USDT&note=a%2Cb%21", body: "" };
const POST: Request = Request {
    method: "POST",
    path: "/api/orders",
    query: "",
    body: r#"{"symbol":"BTC-USDT","side":"buy","size":"0.01","remark":"龙"}"#,
};

/// The request a bug shows up on.
fn request_for(bug: Option<MistakeCode>) -> &'static Request {
    use MistakeCode::*;
    match bug {
        Some(
            QueryNotSigned
            | QuerySigned
            | QuerySignedWithoutQuestionMark
            | QuerySignedUnencoded
            | QuerySignedEncoded
            | QueryEncodingDiffers
            | QueryOrderDiffers,
        ) => &GET,
        _ => &POST,
    }
}

/// Signs and "sends" `request` the way a user's code for `scheme` does, with `bug`.
fn user_rest(scheme: Scheme, bug: Option<MistakeCode>, okx_demo_key: bool) -> SentRequest {
    use MistakeCode::*;
    let f = fake(scheme);
    let request = request_for(bug);
    let is = |code| bug == Some(code);
    // The constructor called with key and secret in the wrong order.
    let (key, secret) = if is(KeySecretSwapped) { (f.secret, f.key) } else { (f.key, f.secret) };

    // The timestamp, as the user's code renders it.
    let at = Timestamp::from_unix_millis(AT_MS);
    let ts = match scheme {
        Scheme::Okx if is(TimestampFormatWrong) => "2023-11-14T22:13:20Z".to_owned(), // no milliseconds
        Scheme::Okx => TimestampFormat::Iso8601Millis.render(at).unwrap(),
        Scheme::Kucoin if is(TimestampSecondsForMilliseconds) => (AT_MS / 1000).to_string(),
        Scheme::Kucoin if is(TimestampFormatWrong) => "1700000000.123".to_owned(), // str(time.time())
        Scheme::Kucoin => AT_MS.to_string(),
        _ if is(TimestampMillisecondsForSeconds) => AT_MS.to_string(),
        Scheme::CoinbaseExchange if is(TimestampFormatWrong) => "2023-11-14T22:13:20Z".to_owned(),
        _ if is(TimestampFormatWrong) => "1700000000.123".to_owned(),
        _ => (AT_MS / 1000).to_string(),
    };
    // The clock read a second time for the prehash.
    let signed_ts = if is(TimestampHeaderDiffers) {
        match scheme {
            Scheme::Okx => TimestampFormat::Iso8601Millis.render(Timestamp::from_unix_millis(AT_MS + 7)).unwrap(),
            Scheme::Kucoin => (AT_MS + 7).to_string(),
            _ => (AT_MS / 1000 + 1).to_string(),
        }
    } else {
        ts.clone()
    };

    let method = if is(MethodLowercase) { request.method.to_ascii_lowercase() } else { request.method.to_owned() };
    let path = if is(PathMissingLeadingSlash) {
        request.path[1..].to_owned()
    } else if is(PathIncludesHost) {
        // The base URL concatenated into the signed path.
        let base = match scheme {
            Scheme::Okx => "https://www.okx.com",
            Scheme::Kucoin => "https://api.kucoin.com",
            Scheme::Delta => "https://api.india.delta.exchange",
            Scheme::CoinbaseExchange => "https://api.exchange.coinbase.com",
            _ => "https://api.coinbase.com",
        };
        format!("{base}{}", request.path)
    } else {
        request.path.to_owned()
    };

    // The query: what goes on the wire, and what the user's code signs.
    let mut sent_query = request.query.to_owned();
    let mut signed_query = match scheme {
        Scheme::Kucoin => decode_form(request.query),  // KuCoin signs it decoded
        Scheme::CoinbaseAdvancedHmac => String::new(), // not signed
        _ => request.query.to_owned(),
    };
    let mut question_mark = true;
    if is(QueryNotSigned) {
        signed_query.clear();
    } else if is(QuerySigned) {
        signed_query = request.query.to_owned();
    } else if is(QuerySignedWithoutQuestionMark) {
        question_mark = false;
    } else if is(QuerySignedUnencoded) {
        signed_query = decode_form(request.query); // the dict joined by '&', then requests encodes it
    } else if is(QuerySignedEncoded) {
        signed_query = request.query.to_owned();
    } else if is(QueryEncodingDiffers) {
        // urlencode() signed; the HTTP client sends the comma and the bang unencoded.
        sent_query = "symbol=BTC-USDT&note=a,b!".to_owned();
        signed_query = request.query.to_owned();
    } else if is(QueryOrderDiffers) {
        // Sorted for signing (an obsolete API's advice), sent in insertion order.
        signed_query = match scheme {
            Scheme::Kucoin => decode_form("note=a%2Cb%21&symbol=BTC-USDT"),
            _ => "note=a%2Cb%21&symbol=BTC-USDT".to_owned(),
        };
    }
    let query_part = match (signed_query.is_empty(), question_mark) {
        (true, _) => String::new(),
        (false, true) => format!("?{signed_query}"),
        (false, false) => signed_query,
    };

    // The body: sent as is, signed as the user's code serialised it.
    let (sent_body, signed_body) = if is(BodyReserialized) {
        // json=obj sends compact JSON; the signature was over json.dumps(obj).
        (request.body.to_owned(), python_dumps(request.body))
    } else if is(EmptyBodyAsBraces) {
        (String::new(), "{}".to_owned())
    } else {
        (request.body.to_owned(), request.body.to_owned())
    };

    let prehash = match scheme {
        Scheme::Delta if !is(DeltaWrongOrder) && !is(PrehashOrderWrong) => {
            format!("{method}{signed_ts}{path}{query_part}{signed_body}")
        }
        _ if is(PrehashOrderWrong) => format!("{method}{path}{signed_ts}{query_part}{signed_body}"),
        _ => format!("{signed_ts}{method}{path}{query_part}{signed_body}"),
    };

    // The HMAC key, as the user's code derives it.
    let hmac_key: Vec<u8> = if is(PassphraseAsSecret) {
        let passphrase = f.passphrase.unwrap();
        match scheme {
            Scheme::CoinbaseExchange => B64_LENIENT.decode(passphrase).unwrap(),
            _ => passphrase.as_bytes().to_vec(),
        }
    } else if is(SecretBase64Decoded) {
        // Python's b64decode drops characters outside the alphabet.
        let kept: String = secret.chars().filter(|c| c.is_ascii_alphanumeric() || "+/=".contains(*c)).collect();
        B64_LENIENT.decode(kept).unwrap()
    } else if is(SecretHexDecoded) {
        hex::decode(secret).unwrap()
    } else if scheme == Scheme::CoinbaseExchange && !is(SecretNotBase64Decoded) {
        B64_LENIENT.decode(secret).unwrap()
    } else {
        secret.as_bytes().to_vec()
    };
    let mac = if is(HmacArgumentsSwapped) {
        hmac_sha256(prehash.as_bytes(), &hmac_key)
    } else {
        hmac_sha256(&hmac_key, prehash.as_bytes())
    };
    let hex_output = matches!(scheme, Scheme::Delta | Scheme::CoinbaseAdvancedHmac);
    let hex_output = if is(HexInsteadOfBase64) || is(Base64InsteadOfHex) { !hex_output } else { hex_output };
    let signature = if hex_output { hex::encode(mac) } else { B64.encode(mac) };

    // The headers.
    // The URL is built from the base and the path with its '/': the wire path is always right.
    let sent = SentRequest::rest(&method, request.path).with_query(&sent_query).with_body(sent_body);
    let passphrase = if is(PassphraseWrong) { Some("TradingPassword1") } else { f.passphrase };
    match scheme {
        Scheme::Okx => {
            let environment = if okx_demo_key { OkxEnvironment::Demo } else { OkxEnvironment::Live };
            let mut sent = sent
                .with_okx_environment(environment)
                .with_auth("OK-ACCESS-KEY", key)
                .with_auth("OK-ACCESS-SIGN", &signature)
                .with_auth("OK-ACCESS-TIMESTAMP", &ts)
                .with_auth("OK-ACCESS-PASSPHRASE", passphrase.unwrap());
            let demo_header = (okx_demo_key && !is(OkxDemoHeaderMissing)) || is(OkxDemoHeaderOnLiveKey);
            if demo_header {
                sent = sent.with_auth("x-simulated-trading", "1");
            }
            sent
        }
        Scheme::Kucoin => {
            let hmac_passphrase = B64.encode(hmac_sha256(secret.as_bytes(), passphrase.unwrap().as_bytes()));
            let sent = sent
                .with_kucoin_key_version(KucoinKeyVersion::V3)
                .with_auth("KC-API-KEY", key)
                .with_auth("KC-API-SIGN", &signature)
                .with_auth("KC-API-TIMESTAMP", &ts);
            if is(KucoinPassphrasePlain) {
                // python-kucoin: the version-1 form, plain passphrase and no version header.
                sent.with_auth("KC-API-PASSPHRASE", passphrase.unwrap())
            } else if is(KucoinKeyVersionMismatch) {
                sent.with_auth("KC-API-PASSPHRASE", &hmac_passphrase)
            } else {
                sent.with_auth("KC-API-PASSPHRASE", &hmac_passphrase).with_auth("KC-API-KEY-VERSION", "3")
            }
        }
        Scheme::Delta => sent
            .with_auth("api-key", key)
            .with_auth("timestamp", &ts)
            .with_auth("signature", &signature)
            .with_auth("User-Agent", "my-bot/1.0"),
        Scheme::CoinbaseExchange => sent
            .with_auth("CB-ACCESS-KEY", key)
            .with_auth("CB-ACCESS-SIGN", &signature)
            .with_auth("CB-ACCESS-TIMESTAMP", &ts)
            .with_auth("CB-ACCESS-PASSPHRASE", passphrase.unwrap()),
        _ => sent
            .with_auth("CB-ACCESS-KEY", key)
            .with_auth("CB-ACCESS-SIGN", &signature)
            .with_auth("CB-ACCESS-TIMESTAMP", &ts),
    }
}

/// A user's websocket login or subscribe message, with `bug`.
fn user_ws(scheme: Scheme, bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    let f = fake(scheme);
    let is = |code| bug == Some(code);
    let ts = if is(TimestampMillisecondsForSeconds) { AT_MS.to_string() } else { (AT_MS / 1000).to_string() };
    let (sent, prehash) = match scheme {
        Scheme::Okx => (SentRequest::ws(&[], &[]), format!("{ts}GET/users/self/verify")),
        Scheme::Delta if is(DeltaWrongOrder) => (SentRequest::ws(&[], &[]), format!("{ts}GET/live")),
        Scheme::Delta => (SentRequest::ws(&[], &[]), format!("GET{ts}/live")),
        Scheme::CoinbaseExchange => (SentRequest::ws(&["full"], &["BTC-USD"]), format!("{ts}GET/users/self/verify")),
        _ => (SentRequest::ws(&["level2"], &["BTC-USD", "ETH-USD"]), format!("{ts}level2BTC-USD,ETH-USD")),
    };
    let key: Vec<u8> = if scheme == Scheme::CoinbaseExchange && !is(SecretNotBase64Decoded) {
        B64.decode(f.secret).unwrap()
    } else {
        f.secret.as_bytes().to_vec()
    };
    let mac = hmac_sha256(&key, prehash.as_bytes());
    let hex_output = matches!(scheme, Scheme::Delta | Scheme::CoinbaseAdvancedHmac) != is(Base64InsteadOfHex);
    let signature = if hex_output { hex::encode(mac) } else { B64.encode(mac) };
    match scheme {
        Scheme::Okx => sent
            .with_auth("apiKey", f.key)
            .with_auth("passphrase", f.passphrase.unwrap())
            .with_auth("timestamp", &ts)
            .with_auth("sign", &signature),
        Scheme::Delta => {
            sent.with_auth("api-key", f.key).with_auth("signature", &signature).with_auth("timestamp", &ts)
        }
        Scheme::CoinbaseExchange => sent
            .with_auth("signature", &signature)
            .with_auth("key", f.key)
            .with_auth("passphrase", f.passphrase.unwrap())
            .with_auth("timestamp", &ts),
        _ => sent.with_auth("api_key", f.key).with_auth("timestamp", &ts).with_auth("signature", &signature),
    }
}

// ---------------------------------------------------------------------------------------------
// A user's hand-written Coinbase CDP JWT code, with one bug switched on.

enum CdpKey {
    Ed,
    Es,
}

fn cdp_credentials(key: &CdpKey) -> Credentials {
    match key {
        CdpKey::Ed => Credentials::new().api_key(CDP_ED_KEY).secret(CDP_ED_SECRET),
        CdpKey::Es => Credentials::new().api_key(CDP_ES_KEY).secret(CDP_ES_SECRET),
    }
}

fn sign_jws(key: &CdpKey, input: &[u8], der: bool) -> Vec<u8> {
    match key {
        CdpKey::Ed => {
            let bytes = B64.decode(CDP_ED_SECRET).unwrap();
            let pair: [u8; 64] = bytes.try_into().unwrap();
            let signing = ed25519_dalek::SigningKey::from_keypair_bytes(&pair).unwrap();
            ed25519_dalek::Signer::sign(&signing, input).to_bytes().to_vec()
        }
        CdpKey::Es => {
            use p256::pkcs8::DecodePrivateKey as _;
            let secret = p256::SecretKey::from_sec1_pem(CDP_ES_SECRET)
                .or_else(|_| p256::SecretKey::from_pkcs8_pem(CDP_ES_SECRET))
                .unwrap();
            let signing = p256::ecdsa::SigningKey::from(secret);
            let signature: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(&signing, input);
            if der { signature.to_der().as_bytes().to_vec() } else { signature.to_bytes().to_vec() }
        }
    }
}

/// A CDP request `GET /api/v3/brokerage/accounts?limit=1` with the token the user's code built.
fn user_cdp(key: &CdpKey, bug: Option<MistakeCode>) -> SentRequest {
    SentRequest::rest("GET", "/api/v3/brokerage/accounts")
        .with_query("limit=1")
        .with_host("api.coinbase.com")
        .with_auth("Authorization", &format!("Bearer {}", cdp_token(key, bug)))
}

/// The token the user's code builds for `GET /api/v3/brokerage/accounts?limit=1`.
fn cdp_token(key: &CdpKey, bug: Option<MistakeCode>) -> String {
    use MistakeCode::*;
    let is = |code| bug == Some(code);
    let name = match key {
        CdpKey::Ed => CDP_ED_KEY,
        CdpKey::Es if is(JwtKidNotFullName) => CDP_ES_KEY.rsplit('/').next().unwrap(),
        CdpKey::Es => CDP_ES_KEY,
    };
    let alg = match key {
        CdpKey::Ed => "EdDSA",
        CdpKey::Es => "ES256",
    };
    let (path, query) = ("/api/v3/brokerage/accounts", "limit=1");
    let uri = if is(JwtUriHasQuery) {
        format!("GET api.coinbase.com{path}?{query}")
    } else if is(JwtUriLowercaseMethod) {
        format!("get api.coinbase.com{path}")
    } else if is(JwtUriHasScheme) {
        format!("GET https://api.coinbase.com{path}")
    } else if is(JwtUriWrongHost) {
        format!("GET api.coinbase.com:443{path}")
    } else if is(PathMissingLeadingSlash) {
        format!("GET api.coinbase.com{}", &path[1..])
    } else if is(JwtUriOtherEndpoint) {
        "GET api.coinbase.com/api/v3/brokerage/orders/historical/batch".to_owned() // reused from the last call
    } else {
        format!("GET api.coinbase.com{path}")
    };
    let nbf: u64 = if is(TimestampMillisecondsForSeconds) { AT_MS } else { AT_MS / 1000 };
    let header = format!(r#"{{"alg":"{alg}","kid":"{name}","nonce":"0123456789abcdef0123456789abcdef","typ":"JWT"}}"#);
    let claims = format!(r#"{{"sub":"{name}","iss":"cdp","nbf":{nbf},"exp":{},"uri":"{uri}"}}"#, nbf + 120);
    let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let input = format!("{}.{}", b64url.encode(header), b64url.encode(claims));
    let signature = sign_jws(key, input.as_bytes(), is(JwtSignatureDer));
    format!("{input}.{}", b64url.encode(signature))
}

// ---------------------------------------------------------------------------------------------
// Assertions.

const HMAC_SCHEMES: [Scheme; 5] =
    [Scheme::Okx, Scheme::Kucoin, Scheme::Delta, Scheme::CoinbaseExchange, Scheme::CoinbaseAdvancedHmac];

fn assert_no_secret(diagnosis: &Diagnosis, scheme: Scheme) {
    let f = fake(scheme);
    let text = format!("{diagnosis:?} {diagnosis} {}", diagnosis.to_json());
    assert!(!text.contains(f.secret), "{scheme:?}: the verdict shows the secret: {text}");
    if let Some(passphrase) = f.passphrase {
        assert!(!text.contains(passphrase), "{scheme:?}: the verdict shows the passphrase: {text}");
    }
}

fn expect(scheme: Scheme, code: MistakeCode, diagnosis: Result<Diagnosis, Error>) -> (Scheme, MistakeCode) {
    let diagnosis = diagnosis.unwrap_or_else(|e| panic!("{scheme:?} {code}: error {e}"));
    assert_eq!(diagnosis.code(), Some(code), "{scheme:?} {code}: got {diagnosis}");
    assert_eq!(diagnosis.verdict(), "mistake");
    assert!(diagnosis.explanation().starts_with(code.explanation()));
    assert_no_secret(&diagnosis, scheme);
    (scheme, code)
}

// ---------------------------------------------------------------------------------------------
// The catalogue, scheme by scheme.

#[test]
fn every_catalogue_mistake_is_named_for_every_scheme_it_applies_to() {
    let mut covered: BTreeSet<(&'static str, MistakeCode)> = BTreeSet::new();
    let mut note = |(scheme, code): (Scheme, MistakeCode)| covered.insert((scheme.id(), code));

    // HMAC schemes, REST.
    for scheme in HMAC_SCHEMES {
        for code in MistakeCode::for_scheme(scheme) {
            let sent = match code {
                MistakeCode::OkxDemoHeaderMissing => user_rest(scheme, Some(code), true),
                // OKX REST timestamps are ISO: its milliseconds mistake is the websocket login's.
                MistakeCode::TimestampMillisecondsForSeconds if scheme == Scheme::Okx => continue,
                _ => user_rest(scheme, Some(code), false),
            };
            note(expect(scheme, code, diagnose(scheme, &credentials(scheme), &sent)));
        }
    }
    // OKX: the websocket login in milliseconds.
    let code = MistakeCode::TimestampMillisecondsForSeconds;
    note(expect(
        Scheme::Okx,
        code,
        diagnose(Scheme::Okx, &credentials(Scheme::Okx), &user_ws(Scheme::Okx, Some(code))),
    ));

    // Coinbase CDP tokens.
    for code in MistakeCode::for_scheme(Scheme::CoinbaseCdp) {
        let key = match code {
            MistakeCode::JwtSignatureDer | MistakeCode::JwtKidNotFullName => CdpKey::Es,
            _ => CdpKey::Ed,
        };
        let sent = user_cdp(&key, Some(code));
        note(expect(Scheme::CoinbaseCdp, code, diagnose(Scheme::CoinbaseCdp, &cdp_credentials(&key), &sent)));
    }

    // Every (scheme, code) pair the catalogue declares was produced and named above.
    let mut missing = Vec::new();
    for scheme in Scheme::ALL {
        for code in MistakeCode::for_scheme(scheme) {
            if !covered.contains(&(scheme.id(), code)) {
                missing.push(format!("{} {code}", scheme.id()));
            }
        }
    }
    assert!(missing.is_empty(), "not covered: {missing:?}");
}

#[test]
fn the_users_client_without_a_bug_is_correct() {
    for scheme in HMAC_SCHEMES {
        for demo in [false, true] {
            if demo && scheme != Scheme::Okx {
                continue;
            }
            let credentials = credentials(scheme);
            let diagnosis = diagnose(scheme, &credentials, &user_rest(scheme, None, demo)).unwrap();
            assert_eq!(diagnosis.verdict(), "correct", "{scheme:?}: {diagnosis}");
            assert!(diagnosis.explanation().contains("window"), "{diagnosis}");
            assert_no_secret(&diagnosis, scheme);
        }
        let ws = user_ws(scheme, None);
        if scheme != Scheme::Kucoin {
            let diagnosis = diagnose(scheme, &credentials(scheme), &ws).unwrap();
            assert_eq!(diagnosis.verdict(), "correct", "{scheme:?} ws: {diagnosis}");
        }
    }
    for key in [CdpKey::Ed, CdpKey::Es] {
        let diagnosis = diagnose(Scheme::CoinbaseCdp, &cdp_credentials(&key), &user_cdp(&key, None)).unwrap();
        assert_eq!(diagnosis.verdict(), "correct", "{diagnosis}");
    }
}

#[test]
fn websocket_messages_are_diagnosed_too() {
    let cases = [
        (Scheme::Delta, MistakeCode::DeltaWrongOrder),
        (Scheme::CoinbaseExchange, MistakeCode::SecretNotBase64Decoded),
        (Scheme::CoinbaseAdvancedHmac, MistakeCode::Base64InsteadOfHex),
        (Scheme::Delta, MistakeCode::TimestampMillisecondsForSeconds),
    ];
    for (scheme, code) in cases {
        expect(scheme, code, diagnose(scheme, &credentials(scheme), &user_ws(scheme, Some(code))));
    }
}

#[test]
fn an_hmac_keyed_with_the_api_key_alone_is_a_swap() {
    // `hmac.new(self.api_key, ...)`: the key header is right, only the HMAC key is wrong.
    for scheme in HMAC_SCHEMES {
        let f = fake(scheme);
        let signer_like = user_rest(scheme, None, false);
        let prehash_key: Vec<u8> = if scheme == Scheme::CoinbaseExchange {
            B64_LENIENT.decode(f.key).unwrap()
        } else {
            f.key.as_bytes().to_vec()
        };
        // Re-sign the correct prehash (taken from the signer) with the API key.
        let signer = runner_signer(scheme);
        let request = SignableRequest::new(Method::Post, POST.path).unwrap().with_body(POST.body.as_bytes());
        let wire = cexsign::WireTimestamp::parse(
            match scheme {
                Scheme::Okx => TimestampFormat::Iso8601Millis,
                Scheme::Kucoin => TimestampFormat::UnixMillis,
                _ => TimestampFormat::UnixSeconds,
            },
            &match scheme {
                Scheme::Okx => TimestampFormat::Iso8601Millis.render(Timestamp::from_unix_millis(AT_MS)).unwrap(),
                Scheme::Kucoin => AT_MS.to_string(),
                _ => (AT_MS / 1000).to_string(),
            },
        )
        .unwrap();
        let signed = signer.sign_at(&request, &wire, &cexsign::SignOptions::new().keep_prehash()).unwrap();
        let mac = hmac_sha256(&prehash_key, signed.prehash().unwrap().as_bytes());
        let signature = if matches!(scheme, Scheme::Delta | Scheme::CoinbaseAdvancedHmac) {
            hex::encode(mac)
        } else {
            B64.encode(mac)
        };
        let sign_header = match scheme {
            Scheme::Okx => "OK-ACCESS-SIGN",
            Scheme::Kucoin => "KC-API-SIGN",
            Scheme::Delta => "signature",
            _ => "CB-ACCESS-SIGN",
        };
        let sent = signer_like.with_auth(sign_header, &signature);
        expect(scheme, MistakeCode::KeySecretSwapped, diagnose(scheme, &credentials(scheme), &sent));
    }
}

fn runner_signer(scheme: Scheme) -> Box<dyn Signer> {
    let c = credentials(scheme);
    match scheme {
        Scheme::Okx => Box::new(OkxSigner::new(&c, OkxEnvironment::Live).unwrap()),
        Scheme::Kucoin => Box::new(cexsign::KucoinSigner::new(&c, KucoinKeyVersion::V3).unwrap()),
        Scheme::Delta => Box::new(cexsign::DeltaSigner::new(&c).unwrap()),
        Scheme::CoinbaseExchange => Box::new(cexsign::CoinbaseExchangeSigner::new(&c).unwrap()),
        _ => Box::new(cexsign::CoinbaseAdvancedHmacSigner::new(&c).unwrap()),
    }
}

#[test]
fn a_signature_from_another_secret_is_unknown_with_the_expected_prehash() {
    let other = Credentials::new()
        .api_key(fake(Scheme::Okx).key)
        .secret("00000000000000000000000000000000")
        .passphrase("Passphrase1!");
    let signer = OkxSigner::new(&other, OkxEnvironment::Live).unwrap();
    let request = SignableRequest::new(Method::Get, "/api/v5/account/balance").unwrap().with_query("ccy=BTC").unwrap();
    let signed = signer.sign(&request, Timestamp::from_unix_millis(1_607_418_537_715)).unwrap();
    let sent = SentRequest::rest("GET", "/api/v5/account/balance").with_query("ccy=BTC").with_signed(&signed);
    let diagnosis = diagnose(Scheme::Okx, &credentials(Scheme::Okx), &sent).unwrap();
    let Diagnosis::Unknown { expected_prehash, differing, .. } = &diagnosis else { panic!("{diagnosis}") };
    assert_eq!(
        expected_prehash.as_ref().unwrap().as_str(),
        Some("2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC")
    );
    assert_eq!(differing, &["OK-ACCESS-SIGN"]);
    let json = diagnosis.to_json();
    assert_eq!(json["verdict"], "unknown");
    assert_eq!(json["mistake"], Value::Null);
    assert_eq!(json["differing"][0], "OK-ACCESS-SIGN");
    assert_no_secret(&diagnosis, Scheme::Okx);
}

#[test]
fn a_right_signature_with_the_trading_password_is_a_wrong_passphrase() {
    for scheme in [Scheme::Okx, Scheme::Kucoin, Scheme::CoinbaseExchange] {
        let diagnosis =
            diagnose(scheme, &credentials(scheme), &user_rest(scheme, Some(MistakeCode::PassphraseWrong), false));
        expect(scheme, MistakeCode::PassphraseWrong, diagnosis);
    }
}

// ---------------------------------------------------------------------------------------------
// The conformance vectors: every one is a correct request.

#[test]
fn every_conformance_vector_diagnoses_as_correct() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for vector in file["vectors"].as_array().unwrap() {
            let id = vector["id"].as_str().unwrap();
            let case = Case::from_json(&vector.to_string()).unwrap_or_else(|e| panic!("{id}: {e}"));
            let diagnosis = case.diagnose().unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(diagnosis.verdict(), "correct", "{id}: {diagnosis}");
            count += 1;
        }
    }
    assert!(count >= 100, "only {count} vectors");
    // The runner agrees on which vectors exist (a vector the runner cannot load would be skipped).
    assert_eq!(runner::load(&dir).unwrap().len(), count);
}

#[test]
fn a_vector_with_its_signature_tampered_is_not_correct() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/kucoin.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let mut vector = file["vectors"][2].clone();
    // The docs' own negative example: the same GET signed over the encoded query.
    let sign = vector["expected"]["headers"]["KC-API-SIGN"].as_str().unwrap().to_owned();
    let case = Case::from_json(&vector.to_string()).unwrap();
    assert_eq!(case.diagnose().unwrap().verdict(), "correct");
    let wrong = if sign.starts_with('A') { sign.replacen('A', "B", 1) } else { format!("A{}", &sign[1..]) };
    vector["expected"]["headers"]["KC-API-SIGN"] = Value::String(wrong);
    assert_eq!(Case::from_json(&vector.to_string()).unwrap().diagnose().unwrap().verdict(), "unknown");
}

// ---------------------------------------------------------------------------------------------
// Garbage in: typed errors, never a panic.

#[test]
fn garbage_input_is_a_typed_error() {
    let okx = credentials(Scheme::Okx);
    let good = user_rest(Scheme::Okx, None, false);
    let is_input_error = |result: Result<Diagnosis, Error>, what: &str| match result {
        Err(Error::InvalidDiagnosisInput { problem }) => {
            assert!(!problem.contains(fake(Scheme::Okx).secret), "{what}: {problem}");
            problem
        }
        other => panic!("{what}: {other:?}"),
    };

    // A truncated signature, one with a stray quote, a missing header.
    let signature = "dI6rrL9rXW/HdaPKJ/6LC1OgvH4/PYju6R3CqixMTNQ=";
    let problem = is_input_error(
        diagnose(Scheme::Okx, &okx, &good.clone().with_auth("OK-ACCESS-SIGN", &signature[..40])),
        "truncated",
    );
    assert!(problem.contains("OK-ACCESS-SIGN"), "{problem}");
    is_input_error(
        diagnose(Scheme::Okx, &okx, &good.clone().with_auth("OK-ACCESS-SIGN", &format!("\"{signature}\""))),
        "quoted",
    );
    let problem = is_input_error(
        diagnose(Scheme::Okx, &okx, &good.clone().with_auth("OK-ACCESS-SIGN", &B64.encode([0u8; 20]))),
        "20 bytes",
    );
    assert!(problem.contains("20 bytes"), "{problem}");
    let problem =
        is_input_error(diagnose(Scheme::Okx, &okx, &good.clone().with_auth("OK-ACCESS-TIMESTAMP", "  ")), "blank");
    assert!(problem.contains("OK-ACCESS-TIMESTAMP"), "{problem}");

    // The wrong scheme: OKX headers diagnosed as KuCoin.
    let problem = is_input_error(diagnose(Scheme::Kucoin, &credentials(Scheme::Kucoin), &good), "wrong scheme");
    assert!(problem.contains("KC-API-KEY"), "{problem}");

    // Invalid base64 where the scheme needs it: the signer's own typed error.
    let bad_secret = Credentials::new().api_key("k").secret("not base64!").passphrase("p");
    let sent = user_rest(Scheme::CoinbaseExchange, None, false);
    assert!(matches!(diagnose(Scheme::CoinbaseExchange, &bad_secret, &sent), Err(Error::SecretNotBase64 { .. })));

    // A request an HTTP client could not send; a method no exchange knows.
    let spaced = SentRequest::rest("GET", "/x").with_query("a=b c");
    assert!(matches!(diagnose(Scheme::Okx, &okx, &spaced), Err(Error::InvalidQuery { .. })));
    assert!(matches!(diagnose(Scheme::Okx, &okx, &SentRequest::rest("FETCH", "/x")), Err(Error::InvalidMethod)));

    // KuCoin has no websocket login.
    let ws = SentRequest::ws(&[], &[]).with_auth("KC-API-SIGN", signature);
    assert!(matches!(diagnose(Scheme::Kucoin, &credentials(Scheme::Kucoin), &ws), Err(Error::WsUnsupported { .. })));

    // Tokens that are not JWTs.
    let cdp = cdp_credentials(&CdpKey::Ed);
    for token in ["Bearer", "Bearer abc", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer e30.e30.!!!"] {
        let sent = SentRequest::rest("GET", "/api/v3/brokerage/accounts").with_auth("Authorization", token);
        is_input_error(diagnose(Scheme::CoinbaseCdp, &cdp, &sent), token);
    }
    // A token cut short: the signature is too short to be one.
    let token = cdp_token(&CdpKey::Ed, None);
    for cut in [3, 8, 20] {
        let sent = SentRequest::rest("GET", "/api/v3/brokerage/accounts")
            .with_auth("Authorization", &format!("Bearer {}", &token[..token.len() - cut]));
        is_input_error(diagnose(Scheme::CoinbaseCdp, &cdp, &sent), "truncated token");
    }
}

#[test]
fn malformed_cases_are_errors_that_never_quote_the_input() {
    let secret = "MARKER-SECRET-9f8e7d";
    for (json, needle) in [
        ("not json", "not valid JSON"),
        ("[]", "JSON object"),
        ("{}", "\"scheme\""),
        (r#"{"scheme":"binance"}"#, "unknown scheme"),
        (r#"{"scheme":"okx","path":"/x","credentials":{"secret":7}, "sent":{}}"#, "credentials.secret"),
        (
            &format!(r#"{{"scheme":"okx","path":"/x","credentials":{{"secret":"{secret}"}},"sent":[1]}}"#),
            "sent must be",
        ),
        (&format!(r#"{{"scheme":"okx","path":"/x","credentials":{{"secret":"{secret}"}}}}"#), "no \"sent\""),
        (
            &format!(r#"{{"scheme":"kucoin","path":"/x","credentials":{{"key_version":"{secret}"}},"sent":{{}}}}"#),
            "key_version",
        ),
        (
            &format!(r#"{{"scheme":"okx","path":"/x","sent":{{"OK-ACCESS-SIGN":{{"v":"{secret}"}}}}}}"#),
            "sent.OK-ACCESS-SIGN",
        ),
        (&format!(r#"{{"scheme":"okx","kind":"{secret}","path":"/x","sent":{{}}}}"#), "kind"),
    ] {
        let Err(error) = Case::from_json(json) else { panic!("{json} was accepted") };
        let message = error.to_string();
        assert!(message.contains(needle), "{json}: {message}");
        assert!(!message.contains(secret), "{json}: {message}");
    }
    // Well-formed, but the credentials cannot sign: the signer's error, without the secret.
    let json =
        format!(r#"{{"scheme":"okx","path":"/x","credentials":{{"api_key":"k","secret":"{secret}"}},"sent":{{}}}}"#);
    let error = Case::from_json(&json).unwrap().diagnose().unwrap_err();
    assert!(!error.to_string().contains(secret), "{error}");
}

mod never_panics {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any header values, any path and body: a verdict or a typed error.
        #[test]
        fn arbitrary_auth_values(
            scheme in 0usize..6,
            ws in any::<bool>(),
            sign in "[ -~]{0,90}",
            timestamp in "[0-9TZ:.-]{0,30}",
            passphrase in "[ -~]{0,20}",
            path in "[ -~]{0,30}",
            body in "[ -~]{0,40}",
        ) {
            let scheme = Scheme::ALL[scheme];
            let base = if ws { SentRequest::ws(&["user"], &["BTC-USD"]) } else {
                SentRequest::rest("POST", &path).with_body(body.clone())
            };
            let mut sent = base;
            for name in ["OK-ACCESS-KEY", "KC-API-KEY", "api-key", "CB-ACCESS-KEY", "apiKey", "key", "api_key"] {
                sent = sent.with_auth(name, fake(scheme).key);
            }
            for name in ["OK-ACCESS-SIGN", "KC-API-SIGN", "signature", "CB-ACCESS-SIGN", "sign"] {
                sent = sent.with_auth(name, &sign);
            }
            for name in ["OK-ACCESS-TIMESTAMP", "KC-API-TIMESTAMP", "timestamp", "CB-ACCESS-TIMESTAMP"] {
                sent = sent.with_auth(name, &timestamp);
            }
            for name in ["OK-ACCESS-PASSPHRASE", "KC-API-PASSPHRASE", "CB-ACCESS-PASSPHRASE", "passphrase"] {
                sent = sent.with_auth(name, &passphrase);
            }
            sent = sent.with_auth("Authorization", &format!("Bearer {sign}")).with_auth("jwt", &sign);
            let credentials = if scheme == Scheme::CoinbaseCdp { cdp_credentials(&CdpKey::Ed) } else { credentials(scheme) };
            let _ = diagnose(scheme, &credentials, &sent);
        }
    }
}

#[test]
fn the_readme_counts_the_codes_per_scheme_right() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let row = readme.lines().find(|l| l.contains("**codes per scheme**")).expect("the README's catalogue table");
    let documented: Vec<usize> = row.split('|').filter_map(|cell| cell.trim().trim_matches('*').parse().ok()).collect();
    let order = [
        Scheme::Okx,
        Scheme::Kucoin,
        Scheme::Delta,
        Scheme::CoinbaseExchange,
        Scheme::CoinbaseAdvancedHmac,
        Scheme::CoinbaseCdp,
    ];
    let actual: Vec<usize> = order.iter().map(|s| MistakeCode::for_scheme(*s).count()).collect();
    assert_eq!(documented, actual);
    for code in MistakeCode::ALL {
        assert!(readme.contains(&format!("`{}`", code.as_str())), "{code} is not in the README table");
    }
}

#[test]
fn a_large_body_is_diagnosed_in_bounded_time() {
    // 512 KiB of JSON signed with another secret: every search runs, none may hash for minutes.
    let items: Vec<String> = (0..20_000).map(|i| format!(r#"{{"id":{i},"px":"1.5"}}"#)).collect();
    let body = format!(r#"{{"orders":[{}]}}"#, items.join(","));
    assert!(body.len() > 400_000);
    let other = Credentials::new().api_key(fake(Scheme::Kucoin).key).secret("another-secret").passphrase("1111111");
    let signer = cexsign::KucoinSigner::new(&other, KucoinKeyVersion::V3).unwrap();
    let request = SignableRequest::new(Method::Post, "/api/v1/orders/multi").unwrap().with_body(body.as_bytes());
    let signed = signer.sign(&request, Timestamp::from_unix_millis(AT_MS)).unwrap();
    let sent = SentRequest::rest("POST", "/api/v1/orders/multi").with_body(body).with_signed(&signed);
    let started = std::time::Instant::now();
    let diagnosis = diagnose(Scheme::Kucoin, &credentials(Scheme::Kucoin), &sent).unwrap();
    assert_eq!(diagnosis.verdict(), "unknown", "{diagnosis}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}", started.elapsed());
}
