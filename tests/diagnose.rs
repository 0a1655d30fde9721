//! The diagnosis of rejected requests, end to end.
//!
//! Every mistake of the catalogue is produced the way a user's code produces it: a small
//! hand-written client below builds the prehash by string concatenation and MACs it, as the
//! snippets in support threads do, with one bug switched on (key and secret swapped in the
//! constructor, `json.dumps` with its default spaces, `hexdigest()`, ...). The request it sends
//! is then diagnosed and the verdict must name that bug. No test pokes at the expected value.
//! Every correct request of the conformance vectors diagnoses as correct, and garbage input is a
//! typed error, never a panic.

#[path = "diagnose/breadth.rs"]
mod breadth;
#[path = "../examples/conformance/runner.rs"]
#[allow(dead_code)]
mod runner;

use std::collections::BTreeSet;

use base64::Engine as _;
use cexsign::diagnose::{Budget, Case, Diagnosis, MistakeCode, SentRequest, diagnose, diagnose_within};
use cexsign::{
    Credentials, Error, KeySettings, KucoinKeyVersion, Method, OkxEnvironment, OkxSigner, Scheme, SignableRequest,
    Signer, Timestamp, TimestampFormat,
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
        // AUTH-more.md's worked examples (Gate: a vector's hex secret, so that hex-decoding it is a
        // mistake one can make).
        Scheme::Binance => f(BINANCE_KEY, BINANCE_SECRET, None),
        Scheme::Bybit => f("XXXXXXXXXX", "vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W", None),
        Scheme::Kraken => f(
            "RmOzOqvNafwopRcxN0LH9UdYy8PTRkzf2D1voflt3q7QN5b8WVar68Qi",
            "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
            None,
        ),
        Scheme::Bitget => f(
            "bg_0123456789abcdef0123456789abcdef",
            "f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1",
            Some("Passphrase1#"),
        ),
        Scheme::Gate => f(
            "a1a9d1abd6b184059827d73a31bed2a1",
            "7dab7dd4d38c0b75bc0fd56c8ac2021690dcba6a6c494560b83c72abf26635fe",
            None,
        ),
        Scheme::Bitmex
        | Scheme::Bitfinex
        | Scheme::Deribit
        | Scheme::Bitmart
        | Scheme::KrakenFutures
        | Scheme::Mexc
        | Scheme::Upbit
        | Scheme::Backpack
        | Scheme::CryptoCom => {
            let (key, secret, memo) = breadth::fake(scheme);
            f(key, secret, memo)
        }
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
        Scheme::Kucoin | Scheme::Bitget if is(TimestampSecondsForMilliseconds) => (AT_MS / 1000).to_string(),
        Scheme::Kucoin | Scheme::Bitget if is(TimestampFormatWrong) => "1700000000.123".to_owned(), // str(time.time())
        Scheme::Kucoin | Scheme::Bitget => AT_MS.to_string(),
        _ if is(TimestampMillisecondsForSeconds) => AT_MS.to_string(),
        Scheme::CoinbaseExchange if is(TimestampFormatWrong) => "2023-11-14T22:13:20Z".to_owned(),
        _ if is(TimestampFormatWrong) => "1700000000.123".to_owned(),
        _ => (AT_MS / 1000).to_string(),
    };
    // The clock read a second time for the prehash.
    let signed_ts = if is(TimestampHeaderDiffers) {
        match scheme {
            Scheme::Okx => TimestampFormat::Iso8601Millis.render(Timestamp::from_unix_millis(AT_MS + 7)).unwrap(),
            Scheme::Kucoin | Scheme::Bitget => (AT_MS + 7).to_string(),
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
            Scheme::Bitget => "https://api.bitget.com",
            _ => "https://api.coinbase.com",
        };
        format!("{base}{}", request.path)
    } else {
        request.path.to_owned()
    };

    // The query: what goes on the wire, and what the user's code signs.
    let mut sent_query = request.query.to_owned();
    let mut signed_query = match scheme {
        Scheme::Kucoin | Scheme::Bitget => decode_form(request.query), // KuCoin and Bitget sign it decoded
        Scheme::CoinbaseAdvancedHmac => String::new(),                 // not signed
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
            Scheme::Kucoin | Scheme::Bitget => decode_form("note=a%2Cb%21&symbol=BTC-USDT"),
            _ => "note=a%2Cb%21&symbol=BTC-USDT".to_owned(),
        };
    }
    let query_part = match (signed_query.is_empty(), question_mark) {
        // `path + "?" + urlencode(params)` with no params.
        (true, _) if is(QuestionMarkWithoutQuery) => "?".to_owned(),
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
        Scheme::Bitget => sent
            .with_auth("ACCESS-KEY", key)
            .with_auth("ACCESS-SIGN", &signature)
            .with_auth("ACCESS-TIMESTAMP", &ts)
            .with_auth("ACCESS-PASSPHRASE", passphrase.unwrap()),
        Scheme::Okx => {
            let mut sent = sent
                .with_settings(KeySettings::new().demo(okx_demo_key))
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
                .with_settings(KeySettings::new().key_version(3))
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
        Scheme::Bitget => (SentRequest::ws(&[], &[]), format!("{ts}GET/user/verify")),
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
        Scheme::Bitget => sent
            // python-bitget's WsLoginReq names the key api_key.
            .with_auth(if is(BitgetWsApiKeyField) { "api_key" } else { "apiKey" }, f.key)
            .with_auth("passphrase", f.passphrase.unwrap())
            .with_auth("timestamp", &ts)
            .with_auth("sign", &signature),
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
// The AUTH-more schemes: a user's hand-written Binance, Bybit, Kraken and Gate clients, each with
// one bug switched on. Signatures are computed here with hmac/sha2, ed25519-dalek and ring.

/// Binance's own published HMAC key (rest-api.md, "SIGNED Endpoint Examples").
const BINANCE_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const BINANCE_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
/// AUTH-more.md's fake Ed25519 key: the seed 00 01 02 ... 1f.
const ED25519_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f
-----END PRIVATE KEY-----
";

/// A vector's credential secret (the RSA keys are long: they are read from the vectors).
fn vector_secret(file: &str, id: &str) -> String {
    let path = format!("{}/tests/vectors/{file}.json", env!("CARGO_MANIFEST_DIR"));
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let vector = file["vectors"].as_array().unwrap().iter().find(|v| v["id"] == id).unwrap();
    vector["credentials"]["secret"].as_str().unwrap().to_owned()
}

fn hmac_sha512(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn ed25519_sign(pem: &str, message: &[u8]) -> Vec<u8> {
    use ed25519_dalek::pkcs8::DecodePrivateKey as _;
    let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem).unwrap();
    ed25519_dalek::Signer::sign(&key, message).to_bytes().to_vec()
}

fn rsa_sign(pem: &str, message: &[u8]) -> Vec<u8> {
    let (_, der) = pem_rfc7468::decode_vec(pem.as_bytes()).unwrap();
    let pair = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let mut signature = vec![0u8; pair.public().modulus_len()];
    pair.sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), message, &mut signature).unwrap();
    signature
}

/// `quote(text, safe='')` for the three base64 characters that need it.
fn url_encode_base64(text: &str) -> String {
    text.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
}

/// A Binance or Bybit key type, as the user's client holds it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum KeyType {
    Hmac,
    Ed25519,
    Rsa,
}

fn binance_secret(key_type: KeyType) -> String {
    match key_type {
        KeyType::Hmac => BINANCE_SECRET.to_owned(),
        KeyType::Ed25519 => ED25519_PEM.to_owned(),
        KeyType::Rsa => vector_secret("binance", "binance-pub-27-rsa-get"),
    }
}

fn binance_credentials(key_type: KeyType) -> Credentials {
    Credentials::new().api_key(BINANCE_KEY).secret(binance_secret(key_type))
}

/// Signs `payload` the way the user's code does: HMAC hex, or base64 Ed25519/RSA.
fn binance_like_signature(key_type: KeyType, secret: &str, payload: &str, bug: Option<MistakeCode>) -> String {
    use MistakeCode::*;
    let is = |code| bug == Some(code);
    match key_type {
        KeyType::Hmac => {
            let key: Vec<u8> =
                if is(SecretBase64Decoded) { B64_LENIENT.decode(secret).unwrap() } else { secret.as_bytes().to_vec() };
            let mac = if is(HmacArgumentsSwapped) {
                hmac_sha256(payload.as_bytes(), &key)
            } else {
                hmac_sha256(&key, payload.as_bytes())
            };
            if is(Base64InsteadOfHex) { B64.encode(mac) } else { hex::encode(mac) }
        }
        KeyType::Ed25519 | KeyType::Rsa => {
            let raw = if key_type == KeyType::Ed25519 {
                ed25519_sign(secret, payload.as_bytes())
            } else {
                rsa_sign(secret, payload.as_bytes())
            };
            if is(HexInsteadOfBase64) { hex::encode(raw) } else { B64.encode(raw) }
        }
    }
}

/// A Binance REST request as the user's code builds it: the parameters it signs, the query and
/// body it sends, the signature appended as the last parameter.
fn user_binance(key_type: KeyType, bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    let is = |code| bug == Some(code);
    let secret_text = binance_secret(key_type);
    // The constructor called with key and secret in the wrong order.
    let (key, secret) = if is(KeySecretSwapped) {
        (secret_text.clone(), BINANCE_KEY.to_owned())
    } else {
        (BINANCE_KEY.to_owned(), secret_text)
    };
    let mut ts_ms = 1_700_000_000_123u64;
    if is(BinanceSignatureNotUrlEncoded) {
        // A moment whose Ed25519 signature has a '+' in it (most do).
        while !binance_like_signature(key_type, &secret, &format!("omitZeroBalances=true&timestamp={ts_ms}"), None)
            .contains('+')
        {
            ts_ms += 1;
        }
    }
    let ts = match bug {
        Some(TimestampSecondsForMilliseconds) => (ts_ms / 1000).to_string(),
        Some(TimestampFormatWrong) => format!("{ts_ms}.456"), // time.time() * 1000, not rounded
        _ => ts_ms.to_string(),
    };
    let recv = if is(BinanceRecvWindowTooLarge) { "70000" } else { "5000" };
    let account = format!("omitZeroBalances=true&recvWindow={recv}&timestamp={ts}");
    // (method, path, the payload signed, the query sent, the body sent), before the signature.
    let (method, path, signed, query, body): (&str, &str, String, String, String) = match bug {
        Some(QuerySignedUnencoded) => (
            // The parameters joined raw, then encoded by the HTTP client (python-binance PR 1618).
            "GET",
            "/api/v3/myTrades",
            format!("symbol=币安人生USDT&timestamp={ts}"),
            format!("symbol=%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT&timestamp={ts}"),
            String::new(),
        ),
        Some(QueryEncodingDiffers) => (
            // urlencode() signed; the HTTP client sent the comma as it is.
            "GET",
            "/api/v3/allOrders",
            format!("symbol=BTCUSDT&note=a%2Cb&timestamp={ts}"),
            format!("symbol=BTCUSDT&note=a,b&timestamp={ts}"),
            String::new(),
        ),
        Some(QueryOrderDiffers) => (
            // Sorted for signing (python-binance's _order_params), sent in the caller's order.
            "GET",
            "/api/v3/account",
            format!("omitZeroBalances=true&recvWindow=5000&timestamp={ts}"),
            format!("timestamp={ts}&omitZeroBalances=true&recvWindow=5000"),
            String::new(),
        ),
        Some(FormBodyReencoded) => (
            // The label signed with %20, sent by requests' data=dict with '+'.
            "POST",
            "/sapi/v1/capital/withdraw/apply",
            String::new(),
            String::new(),
            format!("coin=USDT&network=TRX&amount=25.5&name=Long-term+portfolio&timestamp={ts}"),
        ),
        Some(BinancePayloadJoinedWithAmpersand) => (
            // Binance's own mixed example, the two parts joined with '&'.
            "POST",
            "/api/v3/order",
            format!(
                "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp={ts}"
            ),
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC".to_owned(),
            format!("quantity=1&price=0.1&recvWindow=5000&timestamp={ts}"),
        ),
        Some(BinanceParamAddedAfterSigning) => (
            // A wrapper appends the timestamp after the caller signed.
            "GET",
            "/api/v3/account",
            "omitZeroBalances=true&recvWindow=5000".to_owned(),
            format!("omitZeroBalances=true&recvWindow=5000&timestamp={ts}"),
            String::new(),
        ),
        Some(BinanceSignatureSigned) => {
            // A retry re-signs the query of the failed attempt, its signature included.
            let first = binance_like_signature(key_type, &secret, &account, None);
            let previous = format!("{account}&signature={first}");
            ("GET", "/api/v3/account", previous.clone(), previous, String::new())
        }
        _ => ("GET", "/api/v3/account", account.clone(), account, String::new()),
    };
    let signed = match bug {
        Some(FormBodyReencoded) => {
            format!("coin=USDT&network=TRX&amount=25.5&name=Long-term%20portfolio&timestamp={ts}")
        }
        Some(BinanceSignatureNotUrlEncoded) => format!("omitZeroBalances=true&timestamp={ts}"),
        _ if signed.is_empty() => body.clone(),
        _ => signed,
    };
    let query = if is(BinanceSignatureNotUrlEncoded) { signed.clone() } else { query };
    let signature = binance_like_signature(key_type, &secret, &signed, bug);
    let value = if is(BinanceSignatureNotUrlEncoded) { signature } else { url_encode_base64(&signature) };
    let (query, body) = if is(BinanceSignatureNotLast) {
        // The params dict sorted after the signature was put in it.
        (format!("omitZeroBalances=true&recvWindow=5000&signature={value}&timestamp={ts}"), body)
    } else if body.is_empty() {
        (format!("{query}&signature={value}"), body)
    } else {
        (query, format!("{body}&signature={value}"))
    };
    SentRequest::rest(method, path).with_query(&query).with_body(body).with_auth("X-MBX-APIKEY", &key)
}

/// AUTH-breadth.md §6's worked-example key and secret.
const MEXC_SPOT_KEY: (&str, &str) = ("mx0vglBqh6abc123", "45d0b3c26f2644f19bfb98b07741b2f5");

/// A MEXC spot request as the user's code builds it (AUTH-breadth.md §6: `hex(HMAC-SHA256(secret,
/// query))` over the query exactly as sent, appended as the last parameter `signature`, the key
/// in `X-MEXC-APIKEY`), with the query signed in one form and sent in another.
fn user_mexc_spot(bug: Option<MistakeCode>) -> SentRequest {
    let ts = 1_700_000_000_123u64;
    let (path, signed, sent) = match bug {
        // pymexc 1.3.1: `%20` signed, `+` sent.
        Some(MistakeCode::QueryEncodingDiffers) => (
            "/api/v3/capital/withdraw",
            format!("coin=USDT&memo=vg%20bot&timestamp={ts}"),
            format!("coin=USDT&memo=vg+bot&timestamp={ts}"),
        ),
        // The parameters sorted after signing.
        Some(MistakeCode::QueryOrderDiffers) => (
            "/api/v3/myTrades",
            format!("symbol=BTCUSDT&limit=5&timestamp={ts}"),
            format!("limit=5&symbol=BTCUSDT&timestamp={ts}"),
        ),
        _ => ("/api/v3/account", format!("timestamp={ts}"), format!("timestamp={ts}")),
    };
    let (key, secret) = MEXC_SPOT_KEY;
    let signature = hex::encode(hmac_sha256(secret.as_bytes(), signed.as_bytes()));
    SentRequest::rest("GET", path).with_query(&format!("{sent}&signature={signature}")).with_auth("X-MEXC-APIKEY", key)
}

/// A Binance WebSocket API request (the docs' `order.place`), as the user's code signs it.
fn user_binance_ws(key_type: KeyType, bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    let is = |code| bug == Some(code);
    let ts = "1645423376532";
    let symbol = if is(BinanceWsValuesPercentEncoded) { "币安人生USDT" } else { "BTCUSDT" };
    let params: Vec<(&str, String)> = vec![
        ("symbol", symbol.to_owned()),
        ("side", "SELL".to_owned()),
        ("type", "LIMIT".to_owned()),
        ("timeInForce", "GTC".to_owned()),
        ("quantity", "0.01000000".to_owned()),
        ("price", "52000.00".to_owned()),
        ("recvWindow", "100".to_owned()),
    ];
    let (method, params) =
        if is(BinanceSessionLogonNeedsEd25519) { ("session.logon", Vec::new()) } else { ("order.place", params) };
    let mut signed: Vec<(&str, String)> = params.clone();
    signed.push(("apiKey", BINANCE_KEY.to_owned()));
    signed.push(("timestamp", ts.to_owned()));
    if !is(BinanceWsParamsNotSorted) {
        signed.sort();
    }
    let payload: Vec<String> = signed
        .iter()
        .map(|(name, value)| {
            if is(BinanceWsValuesPercentEncoded) {
                // binance-connector: urlencode(sorted params).
                format!("{name}={}", url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>())
            } else {
                format!("{name}={value}")
            }
        })
        .collect();
    let signature = binance_like_signature(key_type, &binance_secret(key_type), &payload.join("&"), bug);
    let params: Vec<(&str, Value)> = params
        .iter()
        .map(|(name, value)| {
            let value = if *name == "recvWindow" { Value::from(100) } else { Value::from(value.as_str()) };
            (*name, value)
        })
        .collect();
    SentRequest::ws_api(method, &params)
        .with_auth("apiKey", BINANCE_KEY)
        .with_auth("timestamp", ts)
        .with_auth("signature", &signature)
}

fn bybit_secret(key_type: KeyType) -> String {
    match key_type {
        KeyType::Rsa => vector_secret("bybit", "bybit-pub-17-rsa-get"),
        _ => fake(Scheme::Bybit).secret.to_owned(),
    }
}

fn bybit_credentials(key_type: KeyType) -> Credentials {
    Credentials::new().api_key(fake(Scheme::Bybit).key).secret(bybit_secret(key_type))
}

/// A Bybit v5 REST request (the v5 guide's examples) as the user's code signs it.
fn user_bybit(key_type: KeyType, bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    let is = |code| bug == Some(code);
    let f = fake(Scheme::Bybit);
    let secret_text = bybit_secret(key_type);
    let (key, secret) =
        if is(KeySecretSwapped) { (f.secret.to_owned(), f.key.to_owned()) } else { (f.key.to_owned(), secret_text) };
    let ts_ms = 1_658_384_314_791u64;
    let ts = match bug {
        Some(TimestampSecondsForMilliseconds) => (ts_ms / 1000).to_string(),
        Some(TimestampFormatWrong) => "1658384314.791".to_owned(),
        _ => ts_ms.to_string(),
    };
    let signed_ts = if is(TimestampHeaderDiffers) { (ts_ms + 7).to_string() } else { ts.clone() };
    // recv_window: sent in the header, and signed.
    let (header_window, signed_window) = match bug {
        Some(BybitRecvWindowInSeconds) => ("5", "5"),
        Some(BybitRecvWindowDiffers) => ("10000", "5000"),
        _ => ("5000", "5000"),
    };
    // (method, path, query sent, body sent, payload signed)
    let (method, path, query, body, payload): (&str, &str, &str, &str, String) = match bug {
        Some(BodyReserialized) => {
            // Compact JSON signed; the HTTP client sent the docs' spaced body.
            ("POST", "/v5/order/create", "", r#"{"category": "option"}"#, r#"{"category":"option"}"#.to_owned())
        }
        Some(EmptyBodyAsBraces) => ("POST", "/v5/order/cancel-all", "", "", "{}".to_owned()),
        Some(QueryNotSigned) => {
            ("GET", "/v5/order/realtime", "category=option&symbol=BTC-29JUL22-25000-C", "", String::new())
        }
        Some(QuerySignedUnencoded) => (
            // The cursor Bybit returned, signed decoded, sent as received.
            "GET",
            "/v5/position/list",
            "category=linear&cursor=132818%3A1%2C132818%3A1",
            "",
            "category=linear&cursor=132818:1,132818:1".to_owned(),
        ),
        Some(QueryEncodingDiffers) => (
            "GET",
            "/v5/position/list",
            "category=linear&cursor=132818:1,132818:1",
            "",
            "category=linear&cursor=132818%3A1%2C132818%3A1".to_owned(),
        ),
        Some(QueryOrderDiffers) => (
            // pybit sorts the parameters it signs; this client sent them in its own order.
            "GET",
            "/v5/order/realtime",
            "symbol=BTC-29JUL22-25000-C&category=option",
            "",
            "category=option&symbol=BTC-29JUL22-25000-C".to_owned(),
        ),
        _ => (
            "GET",
            "/v5/order/realtime",
            "category=option&symbol=BTC-29JUL22-25000-C",
            "",
            "category=option&symbol=BTC-29JUL22-25000-C".to_owned(),
        ),
    };
    let prehash = format!("{signed_ts}{key}{signed_window}{payload}");
    let signature = binance_like_signature(key_type, &secret, &prehash, bug);
    SentRequest::rest(method, path)
        .with_query(query)
        .with_body(body)
        .with_auth("X-BAPI-API-KEY", &key)
        .with_auth("X-BAPI-TIMESTAMP", &ts)
        .with_auth("X-BAPI-SIGN", &signature)
        .with_auth("X-BAPI-RECV-WINDOW", header_window)
}

/// A Bybit websocket `op: auth` as the user's code signs it.
fn user_bybit_ws(bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    let f = fake(Scheme::Bybit);
    let expires = if bug == Some(TimestampSecondsForMilliseconds) { "1700000011" } else { "1700000011000" };
    let prehash =
        if bug == Some(BybitWsExpiresNotSigned) { "GET/realtime".to_owned() } else { format!("GET/realtime{expires}") };
    let signature = hex::encode(hmac_sha256(f.secret.as_bytes(), prehash.as_bytes()));
    SentRequest::ws(&[], &[])
        .with_auth("api_key", f.key)
        .with_auth("expires", expires)
        .with_auth("signature", &signature)
}

/// A Kraken private request (the docs' AddOrder) as the user's code signs it.
fn user_kraken(bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    use sha2::Digest as _;
    let is = |code| bug == Some(code);
    let f = fake(Scheme::Kraken);
    let (key, secret) = if is(KeySecretSwapped) { (f.secret, f.key) } else { (f.key, f.secret) };
    let nonce = "1616492376594";
    let form = format!("nonce={nonce}&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25");
    let json = format!(
        r#"{{"nonce":"{nonce}","ordertype":"limit","pair":"XBTUSD","price":"37500","type":"buy","volume":"1.25"}}"#
    );
    // (body sent, body hashed)
    let (sent_body, signed_body) = match bug {
        Some(KrakenNonceMissing) => {
            let body = "ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25".to_owned();
            (body.clone(), body)
        }
        // The dict re-ordered by the HTTP client after the urlencoded form was signed.
        Some(FormBodyReencoded) => {
            (format!("ordertype=limit&pair=XBTUSD&nonce={nonce}&price=37500&type=buy&volume=1.25"), form.clone())
        }
        Some(BodyReserialized) => (json.clone(), python_dumps(&json)),
        Some(KrakenContentTypeMismatch) => (json.clone(), json.clone()),
        _ => (form.clone(), form.clone()),
    };
    let hashed_nonce = match bug {
        Some(KrakenNonceNotHashed | KrakenNonceMissing) => String::new(),
        // The nonce generated a second time for the signature.
        Some(KrakenNonceDiffers) => "1616492376597".to_owned(),
        _ => nonce.to_owned(),
    };
    let digest = sha2::Sha256::digest(format!("{hashed_nonce}{signed_body}").as_bytes());
    let path = match bug {
        Some(PathMissingLeadingSlash) => "0/private/AddOrder",
        Some(PathIncludesHost) => "https://api.kraken.com/0/private/AddOrder",
        _ => "/0/private/AddOrder",
    };
    let mut message = path.as_bytes().to_vec();
    if is(KrakenDigestHex) {
        message.extend_from_slice(hex::encode(digest).as_bytes());
    } else {
        message.extend_from_slice(&digest);
    }
    let hmac_key =
        if is(SecretNotBase64Decoded) { secret.as_bytes().to_vec() } else { B64_LENIENT.decode(secret).unwrap() };
    let mac =
        if is(HmacArgumentsSwapped) { hmac_sha512(&message, &hmac_key) } else { hmac_sha512(&hmac_key, &message) };
    let signature = if is(HexInsteadOfBase64) { hex::encode(mac) } else { B64.encode(mac) };
    let content_type = if is(KrakenContentTypeMismatch) || !sent_body.starts_with('{') {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    SentRequest::rest("POST", "/0/private/AddOrder")
        .with_body(sent_body)
        .with_auth("API-Key", key)
        .with_auth("API-Sign", &signature)
        .with_auth("Content-Type", content_type)
}

/// A Gate APIv4 request as the user's code signs it.
fn user_gate(bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    use sha2::Digest as _;
    let is = |code| bug == Some(code);
    let f = fake(Scheme::Gate);
    let (key, secret) = if is(KeySecretSwapped) { (f.secret, f.key) } else { (f.key, f.secret) };
    let ts = match bug {
        Some(TimestampMillisecondsForSeconds) => "1700000000123",
        Some(TimestampFormatWrong) => "2023-11-14T22:13:20Z",
        _ => "1700000000",
    };
    let signed_ts = if is(TimestampHeaderDiffers) { "1700000001" } else { ts };
    let order = r#"{"currency_pair":"BTC_USDT","side":"buy","amount":"0.001","price":"30000","text":"t-龙"}"#;
    // (method, path, query sent, body sent)
    let (method, path, query, body) = match bug {
        Some(QuerySignedEncoded | GateEmptyBodyHashLine | GateQueryInPath | EmptyBodyAsBraces) => {
            ("GET", "/api/v4/spot/batch_fee", "currency_pairs=BTC_USDT%2CETH_USDT", "")
        }
        Some(QueryOrderDiffers) => ("GET", "/api/v4/spot/my_trades", "limit=10&currency_pair=BTC_USDT", ""),
        _ => ("POST", "/api/v4/spot/orders", "", order),
    };
    let signed_method = if is(MethodLowercase) { method.to_ascii_lowercase() } else { method.to_owned() };
    let signed_path = match bug {
        Some(GatePathMissingPrefix) => path.trim_start_matches("/api/v4").to_owned(), // base URL ends in /api/v4
        Some(PathMissingLeadingSlash) => path[1..].to_owned(),
        Some(PathIncludesHost) => format!("https://api.gateio.ws{path}"),
        Some(GateQueryInPath) => format!("{path}?{query}"),
        _ => path.to_owned(),
    };
    let signed_query = match bug {
        Some(QuerySignedEncoded) => query.to_owned(),
        Some(GateQueryInPath) => String::new(),
        // Sorted for signing, sent in insertion order.
        Some(QueryOrderDiffers) => "currency_pair=BTC_USDT&limit=10".to_owned(),
        _ => decode_form(query),
    };
    let signed_body = match bug {
        Some(BodyReserialized) => python_dumps(order),
        Some(EmptyBodyAsBraces) => "{}".to_owned(),
        _ => body.to_owned(),
    };
    let body_hash = match bug {
        Some(GateBodyHashSha256) => hex::encode(sha2::Sha256::digest(signed_body.as_bytes())),
        Some(GateEmptyBodyHashLine) => String::new(),
        _ => hex::encode(sha2::Sha512::digest(signed_body.as_bytes())),
    };
    let prehash = format!("{signed_method}\n{signed_path}\n{signed_query}\n{body_hash}\n{signed_ts}");
    let hmac_key = if is(SecretHexDecoded) { hex::decode(secret).unwrap() } else { secret.as_bytes().to_vec() };
    let mac = if is(GateHmacSha256) {
        hmac_sha256(&hmac_key, prehash.as_bytes()).to_vec()
    } else if is(HmacArgumentsSwapped) {
        hmac_sha512(prehash.as_bytes(), &hmac_key)
    } else {
        hmac_sha512(&hmac_key, prehash.as_bytes())
    };
    let signature = if is(Base64InsteadOfHex) { B64.encode(mac) } else { hex::encode(mac) };
    SentRequest::rest(method, path)
        .with_query(query)
        .with_body(body)
        .with_auth("KEY", key)
        .with_auth("SIGN", &signature)
        .with_auth("Timestamp", ts)
}

/// A Gate websocket channel subscribe (or, `login`, the ws API login) as the user's code signs it.
fn user_gate_ws(login: bool, bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    let f = fake(Scheme::Gate);
    let time = if bug == Some(TimestampMillisecondsForSeconds) { "1700000000123" } else { "1700000000" };
    let prehash = if login {
        format!("api\nspot.login\n{{}}\n{time}")
    } else {
        format!("channel=spot.orders&event=subscribe&time={time}")
    };
    let signature = hex::encode(hmac_sha512(f.secret.as_bytes(), prehash.as_bytes()));
    if login {
        SentRequest::ws_api("spot.login", &[])
            .with_auth("api_key", f.key)
            .with_auth("signature", &signature)
            .with_auth("timestamp", time)
    } else {
        SentRequest::ws(&["spot.orders"], &["BTC_USDT"])
            .with_auth("KEY", f.key)
            .with_auth("SIGN", &signature)
            .with_auth("time", time)
    }
}

/// The request that shows `code` for one of the four schemes, with the credentials it was made
/// with.
fn more_case(scheme: Scheme, code: MistakeCode) -> (SentRequest, Credentials) {
    use MistakeCode::*;
    match scheme {
        Scheme::Binance => {
            let key_type = match code {
                HexInsteadOfBase64 | BinanceSignatureNotUrlEncoded => KeyType::Ed25519,
                _ => KeyType::Hmac,
            };
            let sent = match code {
                BinanceSessionLogonNeedsEd25519 | BinanceWsValuesPercentEncoded | BinanceWsParamsNotSorted => {
                    user_binance_ws(key_type, Some(code))
                }
                _ => user_binance(key_type, Some(code)),
            };
            (sent, binance_credentials(key_type))
        }
        Scheme::Bybit => {
            let key_type = if code == HexInsteadOfBase64 { KeyType::Rsa } else { KeyType::Hmac };
            let sent = match code {
                BybitWsExpiresNotSigned => user_bybit_ws(Some(code)),
                _ => user_bybit(key_type, Some(code)),
            };
            (sent, bybit_credentials(key_type))
        }
        Scheme::Kraken => (user_kraken(Some(code)), credentials(scheme)),
        _ => (user_gate(Some(code)), credentials(scheme)),
    }
}

// ---------------------------------------------------------------------------------------------
// Assertions.

/// The schemes whose prehash is timestamp, method and path (the user client above).
const HMAC_SCHEMES: [Scheme; 6] = [
    Scheme::Okx,
    Scheme::Kucoin,
    Scheme::Delta,
    Scheme::CoinbaseExchange,
    Scheme::CoinbaseAdvancedHmac,
    Scheme::Bitget,
];

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
                // OKX REST timestamps are ISO and Bitget's milliseconds: their milliseconds mistake
                // is the websocket login's.
                MistakeCode::TimestampMillisecondsForSeconds | MistakeCode::BitgetWsApiKeyField
                    if matches!(scheme, Scheme::Okx | Scheme::Bitget) =>
                {
                    user_ws(scheme, Some(code))
                }
                _ => user_rest(scheme, Some(code), false),
            };
            note(expect(scheme, code, diagnose(scheme, &credentials(scheme), &sent)));
        }
    }

    // Coinbase CDP tokens.
    for code in MistakeCode::for_scheme(Scheme::CoinbaseCdp) {
        let key = match code {
            MistakeCode::JwtSignatureDer | MistakeCode::JwtKidNotFullName => CdpKey::Es,
            _ => CdpKey::Ed,
        };
        let sent = user_cdp(&key, Some(code));
        note(expect(Scheme::CoinbaseCdp, code, diagnose(Scheme::CoinbaseCdp, &cdp_credentials(&key), &sent)));
    }

    // Binance, Bybit, Kraken and Gate.
    for scheme in [Scheme::Binance, Scheme::Bybit, Scheme::Kraken, Scheme::Gate] {
        for code in MistakeCode::for_scheme(scheme) {
            let (sent, credentials) = more_case(scheme, code);
            note(expect(scheme, code, diagnose(scheme, &credentials, &sent)));
        }
    }

    // The exchanges of AUTH-breadth.md.
    for scheme in breadth::SCHEMES {
        for code in MistakeCode::for_scheme(scheme) {
            let sent = breadth::user_rest(scheme, Some(code));
            note(expect(scheme, code, diagnose(scheme, &credentials(scheme), &sent)));
        }
    }

    // Hyperliquid: no key travels, the signature recovers to the key's address over what the bug hashed.
    #[cfg(feature = "hyperliquid")]
    for code in MistakeCode::for_scheme(Scheme::Hyperliquid) {
        let credentials = Credentials::new().api_key(breadth::HYPERLIQUID_ADDRESS).secret(breadth::HYPERLIQUID_KEY);
        let sent = breadth::hyperliquid(Some(code));
        note(expect(Scheme::Hyperliquid, code, diagnose(Scheme::Hyperliquid, &credentials, &sent)));
    }

    // MEXC spot: its two pitfalls (the rest of MEXC's codes are made by `breadth` above).
    for code in [MistakeCode::QueryEncodingDiffers, MistakeCode::QueryOrderDiffers] {
        let (key, secret) = MEXC_SPOT_KEY;
        let credentials = Credentials::new().api_key(key).secret(secret);
        note(expect(Scheme::Mexc, code, diagnose(Scheme::Mexc, &credentials, &user_mexc_spot(Some(code)))));
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
    for scheme in breadth::SCHEMES {
        let diagnosis = diagnose(scheme, &credentials(scheme), &breadth::user_rest(scheme, None)).unwrap();
        assert_eq!(diagnosis.verdict(), "correct", "{scheme:?}: {diagnosis}");
        assert_no_secret(&diagnosis, scheme);
    }
    #[cfg(feature = "hyperliquid")]
    {
        let credentials = Credentials::new().api_key(breadth::HYPERLIQUID_ADDRESS).secret(breadth::HYPERLIQUID_KEY);
        let diagnosis = diagnose(Scheme::Hyperliquid, &credentials, &breadth::hyperliquid(None)).unwrap();
        assert_eq!(diagnosis.verdict(), "correct", "{diagnosis}");
        let diagnosis = diagnose(Scheme::Hyperliquid, &credentials, &breadth::hyperliquid_usd_send(false)).unwrap();
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
                Scheme::Kucoin | Scheme::Bitget => TimestampFormat::UnixMillis,
                _ => TimestampFormat::UnixSeconds,
            },
            &match scheme {
                Scheme::Okx => TimestampFormat::Iso8601Millis.render(Timestamp::from_unix_millis(AT_MS)).unwrap(),
                Scheme::Kucoin | Scheme::Bitget => AT_MS.to_string(),
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
            Scheme::Bitget => "ACCESS-SIGN",
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
        Scheme::Bitget => Box::new(cexsign::BitgetSigner::new(&c).unwrap()),
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
    for scheme in [Scheme::Okx, Scheme::Kucoin, Scheme::CoinbaseExchange, Scheme::Bitget] {
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
    let mut schemes = BTreeSet::new();
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
            schemes.insert(case.scheme().id());
            count += 1;
        }
    }
    // 112 vectors of the six schemes of ../shared/vectors, 105 of the five of ../shared/vectors-more,
    // 19 of BitMEX, 17 of Bitfinex, 17 of Deribit, 16 of BitMart, 18 of Kraken Futures, 20 of MEXC,
    // 22 of Hyperliquid, 16 of Backpack, 15 of Upbit and 16 of Crypto.com from ../shared/vectors-breadth.
    assert_eq!(count, 393, "the vector files hold 393 vectors");
    assert_eq!(schemes.len(), 21, "{schemes:?}");
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
        (r#"{"scheme":"nope"}"#, "unknown scheme"),
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
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any header values, any path, query and body, every scheme: a verdict or a typed error.
        #[test]
        fn arbitrary_auth_values(
            scheme in 0usize..11,
            kind in 0usize..3,
            sign in "[ -~]{0,90}",
            timestamp in "[0-9TZ:.-]{0,30}",
            passphrase in "[ -~]{0,20}",
            path in "[ -~]{0,30}",
            query in "(signature=)?[ -~]{0,40}",
            body in "(nonce=)?[ -~]{0,40}",
        ) {
            let scheme = Scheme::ALL[scheme];
            let base = match kind {
                0 => SentRequest::rest("POST", &path).with_query(&query).with_body(body.clone()),
                1 => SentRequest::ws(&["user"], &["BTC-USD"]),
                _ => SentRequest::ws_api(&path, &[("symbol", Value::from(body.as_str())), ("n", Value::from(7))]),
            };
            let mut sent = base;
            for name in [
                "OK-ACCESS-KEY", "KC-API-KEY", "api-key", "CB-ACCESS-KEY", "apiKey", "key", "api_key", "X-MBX-APIKEY",
                "X-BAPI-API-KEY", "ACCESS-KEY",
            ] {
                sent = sent.with_auth(name, fake(scheme).key);
            }
            for name in
                ["OK-ACCESS-SIGN", "KC-API-SIGN", "signature", "CB-ACCESS-SIGN", "sign", "X-BAPI-SIGN", "API-Sign", "ACCESS-SIGN"]
            {
                sent = sent.with_auth(name, &sign);
            }
            for name in [
                "OK-ACCESS-TIMESTAMP", "KC-API-TIMESTAMP", "timestamp", "CB-ACCESS-TIMESTAMP", "X-BAPI-TIMESTAMP",
                "X-BAPI-RECV-WINDOW", "ACCESS-TIMESTAMP", "expires", "time",
            ] {
                sent = sent.with_auth(name, &timestamp);
            }
            for name in
                ["OK-ACCESS-PASSPHRASE", "KC-API-PASSPHRASE", "CB-ACCESS-PASSPHRASE", "passphrase", "ACCESS-PASSPHRASE"]
            {
                sent = sent.with_auth(name, &passphrase);
            }
            sent = sent.with_auth("Authorization", &format!("Bearer {sign}")).with_auth("jwt", &sign);
            let credentials = if scheme == Scheme::CoinbaseCdp { cdp_credentials(&CdpKey::Ed) } else { credentials(scheme) };
            let _ = diagnose(scheme, &credentials, &sent);
        }
    }
}

mod never_panics_with_a_random_signature {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Well-formed Binance, Bybit, Kraken, Bitget and Gate requests carrying a random signature: every
        /// search runs, and the verdict is "unknown" (a random MAC reproduces no mistake).
        #[test]
        fn random_signatures_are_unknown(
            scheme in prop::sample::select(vec![Scheme::Binance, Scheme::Bybit, Scheme::Kraken, Scheme::Bitget, Scheme::Gate]),
            mac in prop::collection::vec(any::<u8>(), 64),
            ts in 1_600_000_000_000u64..1_800_000_000_000,
            query in "[a-z]{1,4}=([a-z0-9]|%2C){0,6}(&[a-z]{1,4}=[A-Za-z0-9]{0,5}){0,3}",
            post in any::<bool>(),
        ) {
            let f = fake(scheme);
            let hex32 = hex::encode(&mac[..32]);
            let (method, query, body) = if post {
                ("POST", String::new(), format!(r#"{{"a":"{}","q":"{query}"}}"#, &hex32[..8]))
            } else {
                ("GET", query, String::new())
            };
            let secs = (ts / 1000).to_string();
            let millis = ts.to_string();
            let sent = match scheme {
                Scheme::Binance => {
                    let params = if query.is_empty() { format!("timestamp={millis}") } else { format!("{query}&timestamp={millis}") };
                    SentRequest::rest(method, "/api/v3/order")
                        .with_query(&format!("{params}&signature={hex32}"))
                        .with_auth("X-MBX-APIKEY", f.key)
                }
                Scheme::Bybit => SentRequest::rest(method, "/v5/order/create")
                    .with_query(&query)
                    .with_body(body)
                    .with_auth("X-BAPI-API-KEY", f.key)
                    .with_auth("X-BAPI-TIMESTAMP", &millis)
                    .with_auth("X-BAPI-SIGN", &hex32)
                    .with_auth("X-BAPI-RECV-WINDOW", "5000"),
                Scheme::Kraken => SentRequest::rest("POST", "/0/private/AddOrder")
                    .with_body(format!("nonce={millis}&{query}"))
                    .with_auth("API-Key", f.key)
                    .with_auth("API-Sign", &B64.encode(&mac)),
                Scheme::Bitget => SentRequest::rest(method, "/api/v2/spot/trade/place-order")
                    .with_query(&query)
                    .with_body(body)
                    .with_auth("ACCESS-KEY", f.key)
                    .with_auth("ACCESS-SIGN", &B64.encode(&mac[..32]))
                    .with_auth("ACCESS-TIMESTAMP", &millis)
                    .with_auth("ACCESS-PASSPHRASE", f.passphrase.unwrap()),
                _ => SentRequest::rest(method, "/api/v4/spot/orders")
                    .with_query(&query)
                    .with_body(body)
                    .with_auth("KEY", f.key)
                    .with_auth("SIGN", &hex::encode(&mac))
                    .with_auth("Timestamp", &secs),
            };
            let diagnosis = diagnose(scheme, &credentials(scheme), &sent).unwrap();
            prop_assert_eq!(diagnosis.verdict(), "unknown", "{:?}: {}", scheme, diagnosis);
            assert_no_secret(&diagnosis, scheme);
        }
    }
}

#[test]
fn the_readme_counts_the_codes_per_scheme_right() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/exchanges_reference.rs")).unwrap();
    let count_row = |marker: &str| -> Vec<usize> {
        let row = readme.lines().find(|l| l.contains(marker)).unwrap_or_else(|| panic!("no {marker} row"));
        row.split('|').filter_map(|cell| cell.trim().trim_matches('*').parse().ok()).collect()
    };
    for (marker, order) in [
        (
            "**codes per scheme**",
            &[
                Scheme::Okx,
                Scheme::Kucoin,
                Scheme::Delta,
                Scheme::CoinbaseExchange,
                Scheme::CoinbaseAdvancedHmac,
                Scheme::CoinbaseCdp,
            ][..],
        ),
        (
            "**codes per scheme (AUTH-more)**",
            &[Scheme::Binance, Scheme::Bybit, Scheme::Kraken, Scheme::Bitget, Scheme::Gate][..],
        ),
        (
            "**codes per scheme (AUTH-breadth)**",
            &[
                Scheme::Bitmex,
                Scheme::Bitfinex,
                Scheme::Deribit,
                Scheme::Bitmart,
                Scheme::KrakenFutures,
                Scheme::Mexc,
                Scheme::Upbit,
                Scheme::Backpack,
                Scheme::CryptoCom,
            ][..],
        ),
    ] {
        let actual: Vec<usize> = order.iter().map(|s| MistakeCode::for_scheme(*s).count()).collect();
        assert_eq!(count_row(marker), actual, "{marker}");
    }
    // Hyperliquid's codes are declared with its signer (feature `hyperliquid`).
    #[cfg(feature = "hyperliquid")]
    assert_eq!(
        count_row("**codes per scheme (Hyperliquid)**"),
        [MistakeCode::for_scheme(Scheme::Hyperliquid).count()],
        "Hyperliquid"
    );
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

// ---------------------------------------------------------------------------------------------
// The AUTH-more clients: right without a bug, and checked against published signatures.

#[test]
fn the_more_clients_reproduce_the_published_signatures() {
    // AUTH-more.md §1 (Binance's keys): GET /api/v3/account, HMAC and the Ed25519 seed 00..1f.
    let payload = "omitZeroBalances=true&recvWindow=5000&timestamp=1700000000000";
    assert_eq!(
        binance_like_signature(KeyType::Hmac, BINANCE_SECRET, payload, None),
        "821af6641542547413c6f4364e0c62f100d8d746e0ed17277e290acd6214876f"
    );
    assert_eq!(
        binance_like_signature(KeyType::Ed25519, ED25519_PEM, payload, None),
        "+TpnsldUYzPdNiRymLtkqVSZvlpar9CntXqNDJXPwJp3nntq2mxz0eycoq9ddoYgGl6uEXu2vHWT7OxkwsYbAA=="
    );
    // The docs' WebSocket API order.place.
    let sent = user_binance_ws(KeyType::Hmac, None);
    let diagnosis = diagnose(Scheme::Binance, &binance_credentials(KeyType::Hmac), &sent).unwrap();
    assert_eq!(diagnosis.verdict(), "correct", "{diagnosis}");
    let ws_signature = "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24";
    let tampered = sent.clone().with_auth("signature", &ws_signature.replace('a', "b"));
    assert_eq!(diagnose(Scheme::Binance, &binance_credentials(KeyType::Hmac), &tampered).unwrap().verdict(), "unknown");
    assert_eq!(
        binance_like_signature(
            KeyType::Hmac,
            BINANCE_SECRET,
            &format!(
                "apiKey={BINANCE_KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&\
                 timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
            ),
            None
        ),
        ws_signature
    );

    // AUTH-more.md §2: the v5 guide's GET (the client's request for it is correct, and the
    // signer gives the published value for it), and the compact-body negative.
    let sent = user_bybit(KeyType::Hmac, None);
    let diagnosis = diagnose(Scheme::Bybit, &bybit_credentials(KeyType::Hmac), &sent).unwrap();
    assert_eq!(diagnosis.verdict(), "correct", "{diagnosis}");
    let request = cexsign::SignableRequest::new(Method::Get, "/v5/order/realtime")
        .unwrap()
        .with_query("category=option&symbol=BTC-29JUL22-25000-C")
        .unwrap();
    let signer = cexsign::BybitSigner::new(&bybit_credentials(KeyType::Hmac), cexsign::BybitKeyType::Hmac).unwrap();
    assert_eq!(
        signer.sign(&request, Timestamp::from_unix_millis(1_658_384_314_791)).unwrap().signature(),
        "6a8b5ae5f32a50c613d3ca92af27a4f037777ec188038724eccc4dd630a0023c"
    );
    let compact = hex::encode(hmac_sha256(
        fake(Scheme::Bybit).secret.as_bytes(),
        br#"1658385579423XXXXXXXXXX5000{"category":"option"}"#,
    ));
    assert_eq!(compact, "e46adb86696baf45781b0c1437ab5a8411dc08393f5b3631b4e48a4299e672f5");
    let sent = SentRequest::rest("POST", "/v5/order/create")
        .with_body(r#"{"category": "option"}"#)
        .with_auth("X-BAPI-API-KEY", "XXXXXXXXXX")
        .with_auth("X-BAPI-TIMESTAMP", "1658385579423")
        .with_auth("X-BAPI-SIGN", &compact)
        .with_auth("X-BAPI-RECV-WINDOW", "5000");
    let diagnosis = diagnose(Scheme::Bybit, &bybit_credentials(KeyType::Hmac), &sent).unwrap();
    assert_eq!(diagnosis.code(), Some(MistakeCode::BodyReserialized), "{diagnosis}");
    assert!(diagnosis.explanation().contains("compact"), "{diagnosis}");
    assert_eq!(
        hex::encode(hmac_sha256(fake(Scheme::Bybit).secret.as_bytes(), b"GET/realtime1700000011000")),
        "2f0db67b7211ff6e7f36a45251380103a355dbf83338afdd4f91bae26bb2856f"
    );

    // AUTH-more.md §3: the docs' AddOrder with the docs' API-Sign is correct, and so is the
    // client's request for it: the client signs it as the docs do.
    let docs = SentRequest::rest("POST", "/0/private/AddOrder")
        .with_body("nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25")
        .with_auth("API-Key", fake(Scheme::Kraken).key)
        .with_auth(
            "API-Sign",
            "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==",
        );
    for sent in [docs, user_kraken(None)] {
        let diagnosis = diagnose(Scheme::Kraken, &credentials(Scheme::Kraken), &sent).unwrap();
        assert_eq!(diagnosis.verdict(), "correct", "{diagnosis}");
    }

    // AUTH-more.md §5 (Gate's keys "key" and "secret"): the docs' GET, the ws subscribe and login.
    use sha2::Digest as _;
    let empty = hex::encode(sha2::Sha512::digest(b""));
    let get = format!("GET\n/api/v4/futures/orders\ncontract=BTC_USD&status=finished&limit=50\n{empty}\n1541993715");
    assert!(hex::encode(hmac_sha512(b"secret", get.as_bytes())).starts_with("55f84ea195d6fe57ce62464daaa7c3c0"));
    assert!(
        hex::encode(hmac_sha512(b"secret", b"channel=spot.orders&event=subscribe&time=1700000000"))
            .starts_with("0dc17b76097b2726573e30bde2a792ce")
    );
    assert!(hex::encode(hmac_sha512(b"secret", b"api\nspot.login\n{}\n1700000000")).starts_with("03cd3c385a7f3b50"));
}

#[test]
fn the_more_clients_without_a_bug_are_correct() {
    let mut cases: Vec<(Scheme, Credentials, SentRequest)> = Vec::new();
    for key_type in [KeyType::Hmac, KeyType::Ed25519, KeyType::Rsa] {
        cases.push((Scheme::Binance, binance_credentials(key_type), user_binance(key_type, None)));
        cases.push((Scheme::Binance, binance_credentials(key_type), user_binance_ws(key_type, None)));
    }
    for key_type in [KeyType::Hmac, KeyType::Rsa] {
        cases.push((Scheme::Bybit, bybit_credentials(key_type), user_bybit(key_type, None)));
    }
    cases.push((Scheme::Bybit, bybit_credentials(KeyType::Hmac), user_bybit_ws(None)));
    cases.push((Scheme::Kraken, credentials(Scheme::Kraken), user_kraken(None)));
    cases.push((Scheme::Gate, credentials(Scheme::Gate), user_gate(None)));
    cases.push((Scheme::Gate, credentials(Scheme::Gate), user_gate_ws(false, None)));
    cases.push((Scheme::Gate, credentials(Scheme::Gate), user_gate_ws(true, None)));
    for (scheme, credentials, sent) in cases {
        let diagnosis = diagnose(scheme, &credentials, &sent).unwrap_or_else(|e| panic!("{scheme:?} {sent:?}: {e}"));
        assert_eq!(diagnosis.verdict(), "correct", "{scheme:?} {sent:?}: {diagnosis}");
        assert!(diagnosis.explanation().contains("window"), "{diagnosis}");
        assert_no_secret(&diagnosis, scheme);
    }
}

#[test]
fn more_websocket_mistakes_are_diagnosed_too() {
    let code = MistakeCode::TimestampMillisecondsForSeconds;
    for login in [false, true] {
        expect(
            Scheme::Gate,
            code,
            diagnose(Scheme::Gate, &credentials(Scheme::Gate), &user_gate_ws(login, Some(code))),
        );
    }
    let code = MistakeCode::TimestampSecondsForMilliseconds;
    expect(Scheme::Bybit, code, diagnose(Scheme::Bybit, &credentials(Scheme::Bybit), &user_bybit_ws(Some(code))));
    // A session.logon with an Ed25519 key is right; the same with an HMAC key is the mistake.
    let logon = SentRequest::ws_api("session.logon", &[]);
    let payload = format!("apiKey={BINANCE_KEY}&timestamp=1700000000000");
    let signature = binance_like_signature(KeyType::Ed25519, ED25519_PEM, &payload, None);
    assert_eq!(signature, "t8ovbNw0wOoUScqwsxKfw5Y1i2/39eKeYGSRWcJt6Kj9/OORAv/A/KpnxUsgjD44IFaXbq/8C3HLztPBPC8ADg==");
    let sent = logon
        .with_auth("apiKey", BINANCE_KEY)
        .with_auth("timestamp", "1700000000000")
        .with_auth("signature", &signature);
    let diagnosis = diagnose(Scheme::Binance, &binance_credentials(KeyType::Ed25519), &sent).unwrap();
    assert_eq!(diagnosis.verdict(), "correct", "{diagnosis}");
    // Kraken has no signed websocket message: a typed error pointing at the token request.
    let ws = SentRequest::ws(&[], &[]).with_auth("API-Sign", "x");
    assert!(matches!(diagnose(Scheme::Kraken, &credentials(Scheme::Kraken), &ws), Err(Error::WsUnsupported { .. })));
}

#[test]
fn an_rsa_signature_from_another_key_is_diagnosed_in_bounded_time() {
    // Every candidate of every search (about 4000 nearby timestamps, query orders, bodies) is an
    // RSA verification: the whole diagnosis must still be quick.
    let other = vector_secret("binance", "binance-pub-27-rsa-get");
    let prehash = "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C&limit=10";
    let signature = B64.encode(rsa_sign(&other, prehash.as_bytes()));
    let sent = SentRequest::rest("GET", "/v5/order/realtime")
        .with_query("category=option&symbol=BTC-29JUL22-25000-C&limit=10")
        .with_auth("X-BAPI-API-KEY", "XXXXXXXXXX")
        .with_auth("X-BAPI-TIMESTAMP", "1658384314791")
        .with_auth("X-BAPI-SIGN", &signature)
        .with_auth("X-BAPI-RECV-WINDOW", "5000");
    let started = std::time::Instant::now();
    let diagnosis = diagnose(Scheme::Bybit, &bybit_credentials(KeyType::Rsa), &sent).unwrap();
    assert_eq!(diagnosis.verdict(), "unknown", "{diagnosis}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------------
// The interop suite's SDK bugs (interop/suite.py), rebuilt here byte for byte: each request is
// the one the SDK put on the wire (captured from the SDK with the interop suite's fake keys and
// a fixed clock), its signature rebuilt from the SDK's own prehash code. `cexsign diagnose`
// (given the credentials) and the local exchange (which keeps only the key's signer) must name
// the same mistake.

/// interop/credentials.json's fake keys.
const INTEROP_BINANCE_KEY: &str = "d3ea45d2f2768661901c9d5a53efcc09ffe5aa4ead9a80893405793b753372a6";
const INTEROP_BINANCE_SECRET: &str = "50966ecb8898c361d07b83042589d632d7efd5686bd504985fb4e9a98be96601";
const INTEROP_OKX_KEY: &str = "2d1f9f0c-8aa4-4b16-8520-8392f6960ac5";
const INTEROP_OKX_SECRET: &str = "391DB7265B47E389ED1397ED8D6974E6";
const INTEROP_OKX_PASSPHRASE: &str = "Interop-Pass1!";
const INTEROP_KUCOIN_V2_KEY: &str = "5fcc3fc8c62fe1e4e6b16e76";
const INTEROP_KUCOIN_V2_SECRET: &str = "a40bd890-da2f-4dcf-be18-6230f3f64a18";
const INTEROP_KUCOIN_V2_PASSPHRASE: &str = "interop-v2#pass";

/// Python's `urllib.parse.quote_plus`, as `requests` form-encodes `data=[(k, v), ...]`.
fn quote_plus(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) => out.push(char::from(b)),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The local exchange's verdict on one request, at `now`: (status, the `cexsign_diagnosis`).
fn local_exchange_answer(
    account: cexsign_local_exchange::Account,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    now: Timestamp,
) -> (u16, Value) {
    let verifier = cexsign_local_exchange::LocalExchange::new().with_account(account).verifier();
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        map.insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), http::HeaderValue::from_str(value).unwrap());
    }
    let answer = verifier.check_at(method, target, &map, body, now);
    let json: Value = serde_json::from_str(answer.body()).unwrap_or(Value::Null);
    (answer.status().as_u16(), json["cexsign_diagnosis"].clone())
}

/// python-binance 1.0.37 `Client.order_limit_buy(symbol='BTCUSDT', quantity='0.001',
/// price='30000', newClientOrderId='grid:1/a')`: `_generate_signature` joins the sorted pairs raw
/// (`grid:1/a`), `requests` form-encodes the same pairs for the body (`grid%3A1%2Fa`).
#[test]
fn python_binance_form_body_signed_with_its_values_raw() {
    let pairs = [
        ("newClientOrderId", "grid:1/a"),
        ("price", "30000"),
        ("quantity", "0.001"),
        ("recvWindow", "10000"),
        ("side", "BUY"),
        ("symbol", "BTCUSDT"),
        ("timeInForce", "GTC"),
        ("timestamp", "1700000000000"),
        ("type", "LIMIT"),
    ];
    let signed: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let signature = hex::encode(hmac_sha256(INTEROP_BINANCE_SECRET.as_bytes(), signed.join("&").as_bytes()));
    let mut sent: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v))).collect();
    sent.push(format!("signature={signature}"));
    let body = sent.join("&");
    // What python-binance 1.0.37 sent, captured with this key at 1700000000 s.
    assert_eq!(
        body,
        "newClientOrderId=grid%3A1%2Fa&price=30000&quantity=0.001&recvWindow=10000&side=BUY&symbol=BTCUSDT\
         &timeInForce=GTC&timestamp=1700000000000&type=LIMIT\
         &signature=39f9d8d774e83c95cb3f532c125ee65e1ec43390a5d471d75319f37bcde3e8cc"
    );

    let credentials = Credentials::new().api_key(INTEROP_BINANCE_KEY).secret(INTEROP_BINANCE_SECRET);
    let request = SentRequest::rest("POST", "/api/v3/order")
        .with_body(body.as_str())
        .with_auth("X-MBX-APIKEY", INTEROP_BINANCE_KEY);
    let diagnosis = diagnose(Scheme::Binance, &credentials, &request).unwrap();
    assert_eq!(diagnosis.code(), Some(MistakeCode::QuerySignedUnencoded), "{diagnosis}");

    {
        use cexsign_local_exchange::Account;
        let account = || Account::new(Scheme::Binance, &credentials, &KeySettings::new().key_type("HMAC")).unwrap();
        let headers = [("X-MBX-APIKEY", INTEROP_BINANCE_KEY), ("Content-Type", "application/x-www-form-urlencoded")];
        let now = Timestamp::from_unix_millis(1_700_000_000_000);
        let (status, diagnosis) =
            local_exchange_answer(account(), "POST", "/api/v3/order", &headers, body.as_bytes(), now);
        assert_eq!(status / 100, 4);
        assert_eq!(diagnosis["mistake"], "query-signed-unencoded", "{diagnosis}");
        // The body it signed, sent as signed (':' and '/' may travel raw in a form), is accepted.
        let raw = format!("{}&signature={signature}", signed.join("&"));
        let (status, _) = local_exchange_answer(account(), "POST", "/api/v3/order", &headers, raw.as_bytes(), now);
        assert_eq!(status, 200);
    }
}

/// python-okx 0.4.4 `AccountAPI(flag='0').get_account_balance(ccy='BTC, ETH')`: `pre_hash` signs
/// the query as written (`ccy=BTC, ETH`, a raw space), httpx sends it encoded (`ccy=BTC,%20ETH`).
/// A raw space is no request the signer could sign: the local exchange checks the prehash tail.
#[test]
fn python_okx_query_signed_with_a_raw_space() {
    let timestamp = "2023-11-14T22:13:20.123Z";
    let prehash = format!("{timestamp}GET/api/v5/account/balance?ccy=BTC, ETH");
    let signature = B64.encode(hmac_sha256(INTEROP_OKX_SECRET.as_bytes(), prehash.as_bytes()));
    // What python-okx 0.4.4 sent with this key and its clock fixed at `timestamp`.
    assert_eq!(signature, "KlOWp/gCmtCy4BxC0fLgqgsDeEs7QceSIpGrjJMrusE=");
    let headers = [
        ("OK-ACCESS-KEY", INTEROP_OKX_KEY),
        ("OK-ACCESS-SIGN", signature.as_str()),
        ("OK-ACCESS-TIMESTAMP", timestamp),
        ("OK-ACCESS-PASSPHRASE", INTEROP_OKX_PASSPHRASE),
        ("x-simulated-trading", "0"),
    ];
    let credentials =
        Credentials::new().api_key(INTEROP_OKX_KEY).secret(INTEROP_OKX_SECRET).passphrase(INTEROP_OKX_PASSPHRASE);
    let mut request = SentRequest::rest("GET", "/api/v5/account/balance")
        .with_query("ccy=BTC,%20ETH")
        .with_settings(KeySettings::new().demo(false));
    for (name, value) in headers {
        request = request.with_auth(name, value);
    }
    let diagnosis = diagnose(Scheme::Okx, &credentials, &request).unwrap();
    assert_eq!(diagnosis.code(), Some(MistakeCode::QuerySignedUnencoded), "{diagnosis}");

    {
        use cexsign_local_exchange::Account;
        let account = || Account::new(Scheme::Okx, &credentials, &KeySettings::new()).unwrap();
        let now = Timestamp::from_unix_millis(AT_MS);
        let target = "/api/v5/account/balance?ccy=BTC,%20ETH";
        let (status, diagnosis) = local_exchange_answer(account(), "GET", target, &headers, b"", now);
        assert_eq!(status / 100, 4);
        assert_eq!(diagnosis["mistake"], "query-signed-unencoded", "{diagnosis}");
        // Signed another way than the catalogue knows (a trailing space): no mistake is named.
        let other = B64.encode(hmac_sha256(INTEROP_OKX_SECRET.as_bytes(), format!("{prehash} ").as_bytes()));
        let mut headers = headers;
        headers[1].1 = other.as_str();
        let (_, diagnosis) = local_exchange_answer(account(), "GET", target, &headers, b"", now);
        assert_eq!(diagnosis["mistake"], Value::Null, "{diagnosis}");
    }
}

/// python-kucoin 2.2.0 with a version 2 key: the whole version-1 form, the passphrase in clear
/// text and no KC-API-KEY-VERSION. With the secret it is kucoin-passphrase-plain; the local
/// exchange, which keeps no secret, cannot compute HMAC(secret, passphrase sent) to tell a plain
/// passphrase from a wrong one: it names the missing header and says what to confirm.
#[test]
fn python_kucoin_sends_the_version_1_form_for_a_version_2_key() {
    let timestamp = "1700000000123";
    let prehash = format!("{timestamp}GET/api/v1/accounts?currency=USDT&type=trade");
    let signature = B64.encode(hmac_sha256(INTEROP_KUCOIN_V2_SECRET.as_bytes(), prehash.as_bytes()));
    // What python-kucoin sent with this key at 1700000000.123 s.
    assert_eq!(signature, "Kf3jtkQkx5o4ykqO8v3trwRGIsoTySAwffZ8+k7J3k8=");
    let headers = [
        ("KC-API-KEY", INTEROP_KUCOIN_V2_KEY),
        ("KC-API-PASSPHRASE", INTEROP_KUCOIN_V2_PASSPHRASE),
        ("KC-API-TIMESTAMP", timestamp),
        ("KC-API-SIGN", signature.as_str()),
        ("KC-API-PARTNER", "python-kucoinspot"),
    ];
    let credentials = Credentials::new()
        .api_key(INTEROP_KUCOIN_V2_KEY)
        .secret(INTEROP_KUCOIN_V2_SECRET)
        .passphrase(INTEROP_KUCOIN_V2_PASSPHRASE);
    let mut request = SentRequest::rest("GET", "/api/v1/accounts")
        .with_query("currency=USDT&type=trade")
        .with_settings(KeySettings::new().key_version(2));
    for (name, value) in headers {
        request = request.with_auth(name, value);
    }
    let diagnosis = diagnose(Scheme::Kucoin, &credentials, &request).unwrap();
    assert_eq!(diagnosis.code(), Some(MistakeCode::KucoinPassphrasePlain), "{diagnosis}");

    {
        use cexsign_local_exchange::Account;
        let account = || Account::new(Scheme::Kucoin, &credentials, &KeySettings::new().key_version(2)).unwrap();
        let now = Timestamp::from_unix_millis(1_700_000_000_123);
        let target = "/api/v1/accounts?currency=USDT&type=trade";
        // The local exchange keeps the key's raw passphrase: it names what `diagnose` names.
        let (status, diagnosis) = local_exchange_answer(account(), "GET", target, &headers, b"", now);
        assert_eq!(status / 100, 4);
        assert_eq!(diagnosis["mistake"], "kucoin-passphrase-plain", "{diagnosis}");
        let explanation = diagnosis["explanation"].as_str().unwrap();
        assert!(!explanation.contains(INTEROP_KUCOIN_V2_PASSPHRASE), "{explanation}");
        // The HMAC'd passphrase without the header: only the header is missing, nothing to confirm.
        let hmaced =
            B64.encode(hmac_sha256(INTEROP_KUCOIN_V2_SECRET.as_bytes(), INTEROP_KUCOIN_V2_PASSPHRASE.as_bytes()));
        let mut headers = headers;
        headers[1].1 = hmaced.as_str();
        let (_, diagnosis) = local_exchange_answer(account(), "GET", target, &headers, b"", now);
        assert_eq!(diagnosis["mistake"], "kucoin-key-version-mismatch", "{diagnosis}");
        assert!(!diagnosis["explanation"].as_str().unwrap().contains("kucoin-passphrase-plain"), "{diagnosis}");
    }
}

/// A Kraken client that joins its pairs raw for the signature (`close[price]=38000`) and hands
/// `requests` the dict, which form-encodes the brackets (`close%5Bprice%5D=38000`).
#[test]
fn a_kraken_form_body_signed_with_its_values_raw() {
    use sha2::Digest as _;
    let f = fake(Scheme::Kraken);
    let nonce = "1616492376594";
    let pairs = [
        ("nonce", nonce),
        ("ordertype", "limit"),
        ("pair", "XBTUSD"),
        ("price", "37500"),
        ("type", "buy"),
        ("volume", "1.25"),
        ("close[ordertype]", "limit"),
        ("close[price]", "38000"),
    ];
    let signed: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let sent: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v))).collect();
    let (signed, sent) = (signed.join("&"), sent.join("&"));
    assert!(sent.contains("close%5Bprice%5D=38000"), "{sent}");
    let path = "/0/private/AddOrder";
    let mut message = path.as_bytes().to_vec();
    message.extend_from_slice(&sha2::Sha256::digest(format!("{nonce}{signed}").as_bytes()));
    let signature = B64.encode(hmac_sha512(&B64.decode(f.secret).unwrap(), &message));
    let request = SentRequest::rest("POST", path)
        .with_body(sent.as_str())
        .with_auth("API-Key", f.key)
        .with_auth("API-Sign", &signature)
        .with_auth("Content-Type", "application/x-www-form-urlencoded");
    let diagnosis = diagnose(Scheme::Kraken, &credentials(Scheme::Kraken), &request).unwrap();
    assert_eq!(diagnosis.code(), Some(MistakeCode::FormBodyReencoded), "{diagnosis}");
    assert!(diagnosis.explanation().contains("close[price]=38000"), "{diagnosis}");

    {
        let account =
            cexsign_local_exchange::Account::new(Scheme::Kraken, &credentials(Scheme::Kraken), &KeySettings::new())
                .unwrap();
        let headers = [
            ("API-Key", f.key),
            ("API-Sign", signature.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ];
        let now = Timestamp::from_unix_millis(1_616_492_376_594);
        let (status, diagnosis) = local_exchange_answer(account, "POST", path, &headers, sent.as_bytes(), now);
        assert_eq!(status / 100, 2, "Kraken answers errors with HTTP 200");
        assert_eq!(diagnosis["mistake"], "form-body-reencoded", "{diagnosis}");
    }
}

// ---------------------------------------------------------------------------------------------
// The budget: hostile requests finish within it, read from the counters the search exposes
// (never from the wall clock).

/// Diagnoses within the default budget and checks that nothing was overspent.
fn within_default(
    scheme: Scheme,
    credentials: &Credentials,
    sent: &SentRequest,
) -> (Diagnosis, cexsign::diagnose::Spent) {
    let budget = Budget::default();
    let (diagnosis, spent) = diagnose_within(scheme, credentials, sent, budget).unwrap();
    assert!(spent.candidates <= budget.candidates, "{spent:?}");
    assert!(spent.bytes_hashed <= budget.bytes_hashed, "{spent:?}");
    assert!(spent.asymmetric_ops <= budget.asymmetric_ops, "{spent:?}");
    (diagnosis, spent)
}

#[test]
fn a_binance_form_body_of_thousands_of_pairs_stays_within_the_budget() {
    // 64 KiB of distinct pairs: dropping each pair in turn is one 64 KiB payload per pair (700 MiB).
    let pairs: String = (0..9_000).map(|i| format!("{i:x}&")).collect();
    let body = format!("{pairs}timestamp=1700000000000&signature={}", "0".repeat(64));
    assert!(body.len() > 40_000);
    let sent = SentRequest::rest("POST", "/api/v3/order").with_body(body).with_auth("X-MBX-APIKEY", BINANCE_KEY);
    let credentials = binance_credentials(KeyType::Hmac);
    let (diagnosis, spent) = within_default(Scheme::Binance, &credentials, &sent);
    assert_eq!(diagnosis.verdict(), "unknown", "{diagnosis}");
    assert!(spent.cut_short, "{spent:?}");
    assert!(diagnosis.explanation().contains("cut short"), "{diagnosis}");
    // A smaller budget: the search stops sooner, still with a verdict.
    let small = Budget::new(100_000, 1 << 20, 0);
    let (diagnosis, spent) = diagnose_within(Scheme::Binance, &credentials, &sent, small).unwrap();
    assert_eq!(diagnosis.verdict(), "unknown");
    assert!(spent.cut_short && spent.bytes_hashed <= 1 << 20, "{spent:?}");
}

/// AUTH-breadth.md §10: "using [...] the public key as seed". The API key is right, the
/// signature made with its bytes as the seed: the key taken for the secret, named by the
/// diagnosis and the local exchange.
#[test]
fn a_backpack_signature_made_with_the_public_key_as_seed_is_a_swap() {
    let (key, _, _) = breadth::fake(Scheme::Backpack);
    let sent = breadth::backpack_signed(None, key, key);
    let credentials = credentials(Scheme::Backpack);
    let diagnosis = diagnose(Scheme::Backpack, &credentials, &sent).unwrap();
    assert_eq!(diagnosis.code(), Some(MistakeCode::KeySecretSwapped), "{diagnosis}");
    assert_no_secret(&diagnosis, Scheme::Backpack);
    let local = local_exchange_mistake(Scheme::Backpack, &credentials, &KeySettings::new(), &sent);
    assert_eq!(local, Ok(Some("key-secret-swapped".to_owned())));
}

/// Backpack's mistaken renderings are each one Ed25519 verification, charged to the budget: with
/// none to spend, a mistake is not named and the verdict says the search was cut short; with two,
/// the first candidates fit and the later ones do not.
#[test]
fn backpack_renderings_are_verified_within_the_budget() {
    let credentials = credentials(Scheme::Backpack);
    let sent = breadth::user_rest(Scheme::Backpack, Some(MistakeCode::BooleanCapitalized));
    let (diagnosis, spent) = within_default(Scheme::Backpack, &credentials, &sent);
    assert_eq!(diagnosis.code(), Some(MistakeCode::BooleanCapitalized), "{diagnosis}");
    assert!(spent.asymmetric_ops >= 1 && spent.asymmetric_ops <= 8, "{spent:?}");
    for ops in [0, 1] {
        let budget = Budget::new(16_384, 64 << 20, ops);
        let (diagnosis, spent) = diagnose_within(Scheme::Backpack, &credentials, &sent, budget).unwrap();
        assert_eq!(diagnosis.verdict(), "unknown", "{diagnosis}");
        assert!(diagnosis.explanation().contains("cut short"), "{diagnosis}");
        assert!(spent.cut_short && spent.asymmetric_ops <= ops, "{spent:?}");
    }
}

#[test]
fn a_form_body_of_one_pair_repeated_is_searched_once_per_distinct_pair() {
    // 64 KiB of `a&a&…`: leaving out any one `a` gives the same payload, tried once.
    let body = format!("{}timestamp=1700000000000&signature={}", "a&".repeat(32 * 1024), "0".repeat(64));
    let sent = SentRequest::rest("POST", "/api/v3/order").with_body(body).with_auth("X-MBX-APIKEY", BINANCE_KEY);
    let credentials = binance_credentials(KeyType::Hmac);
    let (diagnosis, spent) = within_default(Scheme::Binance, &credentials, &sent);
    assert_eq!(diagnosis.verdict(), "unknown", "{diagnosis}");
    assert!(!spent.cut_short, "{spent:?}");
    assert!(spent.candidates < 1_000, "one candidate per pair would be 32,770: {spent:?}");
}

#[test]
fn a_query_of_twelve_pairs_stays_within_the_budget() {
    let query: Vec<String> = (0..12).rev().map(|i| format!("k{i:02}=v{i}")).collect();
    let f = fake(Scheme::Okx);
    let sent = SentRequest::rest("GET", "/api/v5/account/balance")
        .with_query(&query.join("&"))
        .with_auth("OK-ACCESS-KEY", f.key)
        .with_auth("OK-ACCESS-SIGN", "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=")
        .with_auth("OK-ACCESS-TIMESTAMP", "2020-12-08T09:08:57.715Z")
        .with_auth("OK-ACCESS-PASSPHRASE", f.passphrase.unwrap());
    let (diagnosis, spent) = within_default(Scheme::Okx, &credentials(Scheme::Okx), &sent);
    assert_eq!(diagnosis.verdict(), "unknown", "{diagnosis}");
    // Every search ran to its end: ±2000 ms of timestamps and a few hundred other candidates,
    // no permutation of twelve pairs.
    assert!(!spent.cut_short, "{spent:?}");
    assert!(spent.candidates < 4_500, "{spent:?}");
    // Six pairs: every distinct order is tried, within the same budget.
    let sent = sent.with_query("f=6&e=5&d=4&c=3&b=2&a=1");
    let (_, six) = within_default(Scheme::Okx, &credentials(Scheme::Okx), &sent);
    assert!(!six.cut_short && six.candidates >= spent.candidates + 700, "{six:?} {spent:?}");
}

#[cfg(feature = "pem-keys")]
#[test]
fn a_wrong_bybit_rsa_signature_stays_within_the_asymmetric_budget() {
    let sent = SentRequest::rest("GET", "/v5/order/realtime")
        .with_query("category=option&symbol=BTC-29JUL22-25000-C&limit=10")
        .with_auth("X-BAPI-API-KEY", "XXXXXXXXXX")
        .with_auth("X-BAPI-TIMESTAMP", "1658384314791")
        .with_auth("X-BAPI-SIGN", &"A".repeat(342))
        .with_auth("X-BAPI-RECV-WINDOW", "5000");
    let credentials = bybit_credentials(KeyType::Rsa);
    let (diagnosis, spent) = within_default(Scheme::Bybit, &credentials, &sent);
    assert_eq!(diagnosis.verdict(), "unknown", "{diagnosis}");
    assert!(spent.cut_short && spent.asymmetric_ops == Budget::default().asymmetric_ops, "{spent:?}");
    // As the local exchange diagnoses: each candidate is an RSA signature by the key's signer.
    let signer = cexsign::BybitSigner::new(&credentials, cexsign::BybitKeyType::Rsa).unwrap();
    let context = cexsign::diagnose::Context {
        scheme: Scheme::Bybit,
        signer: &signer,
        api_key: "XXXXXXXXXX",
        secrets: None,
        settings: None,
        hosts: Vec::new(),
        #[cfg(feature = "cdp")]
        cdp_key: None,
    };
    let (diagnosis, spent) = cexsign::diagnose::run_within(&context, &sent, Budget::new(16_384, 64 << 20, 32)).unwrap();
    assert_eq!(diagnosis.verdict(), "unknown", "{diagnosis}");
    assert!(spent.cut_short && spent.asymmetric_ops == 32, "{spent:?}");
}

/// A case without `kind` whose `sent` names the scheme's websocket login fields is read as a
/// websocket login, even with a `path` (the socket's URL path); one naming both websocket fields
/// and REST headers must say its kind.
#[test]
fn a_case_without_kind_is_told_by_the_fields_it_sent() {
    let okx = OkxSigner::new(
        &Credentials::new().api_key("ws-key").secret("22582BD0CFF14C41EDBF1AB98506286D").passphrase("pass"),
        OkxEnvironment::Live,
    )
    .unwrap();
    let auth = okx.sign_ws(&cexsign::WsRequest::login(), Timestamp::from_unix_secs(1_700_000_000)).unwrap();
    let case = |sent: serde_json::Value| {
        serde_json::json!({
            "scheme": "okx",
            "credentials": {"api_key": "ws-key", "secret": "22582BD0CFF14C41EDBF1AB98506286D", "passphrase": "pass"},
            "path": "/ws/v5/private",
            "sent": sent,
        })
        .to_string()
    };
    let login = serde_json::json!({
        "apiKey": "ws-key", "passphrase": "pass",
        "timestamp": auth.field("timestamp").unwrap(), "sign": auth.field("sign").unwrap(),
    });
    let diagnosis = Case::from_json(&case(login.clone())).unwrap().diagnose().unwrap();
    assert_eq!(diagnosis.verdict(), "correct", "{diagnosis}");

    let mut mixed = login;
    mixed["OK-ACCESS-KEY"] = "ws-key".into();
    let error = Case::from_json(&case(mixed)).unwrap_err().to_string();
    assert!(
        error.contains("apiKey") && error.contains("OK-ACCESS-KEY") && error.contains("\"kind\": \"ws\""),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------------
// The local exchange names what the diagnosis names.

/// The server clock a case is replayed at: the instant its client signed at.
fn replay_instant(scheme: Scheme, ws: bool) -> Timestamp {
    Timestamp::from_unix_millis(match (scheme, ws) {
        (Scheme::Binance, false) => 1_700_000_000_123,
        (Scheme::Binance, true) => 1_645_423_376_532,
        // 50 ms later: a recv_window written in seconds (5 ms) has run out, as it would have
        // on the way to Bybit.
        (Scheme::Bybit, false) => 1_658_384_314_841,
        // The login's expiry lies 11 s ahead.
        (Scheme::Bybit, true) => 1_700_000_000_000,
        _ => AT_MS,
    })
}

/// A websocket message of `scheme` carrying `sent`'s fields, as the exchange's docs lay it out
/// (the local exchange checks it at `POST /cexsign/ws/<scheme id>`); `None` for a layout not
/// replayed here.
fn ws_message(scheme: Scheme, sent: &SentRequest) -> Option<String> {
    let number_or_text = |value: &str| value.parse::<u64>().map_or_else(|_| Value::from(value), Value::from);
    let fields: serde_json::Map<String, Value> =
        sent.auth_fields().map(|(name, value)| (name.to_owned(), Value::from(value))).collect();
    let message = match scheme {
        Scheme::Binance => {
            // Written out by hand: the params in the order the client sent (and signed) them,
            // which a serde_json map would sort.
            let (method, params) = sent.ws_call()?;
            let mut all: Vec<(&str, Value)> =
                params.iter().map(|(name, value)| (name.as_str(), value.clone())).collect();
            for (name, value) in sent.auth_fields() {
                let value = if name == "timestamp" { number_or_text(value) } else { Value::from(value) };
                all.push((name, value));
            }
            let all: Vec<String> = all.iter().map(|(name, value)| format!("{}:{value}", Value::from(*name))).collect();
            return Some(format!(r#"{{"id":"1","method":{},"params":{{{}}}}}"#, Value::from(method), all.join(",")));
        }
        Scheme::Bybit => {
            let field = |name: &str| sent.auth_fields().find(|(n, _)| *n == name).map(|(_, v)| v.to_owned());
            let expires = number_or_text(&field("expires")?);
            Some(serde_json::json!({"op": "auth", "args": [field("api_key")?, expires, field("signature")?]}))
        }
        Scheme::Okx | Scheme::Bitget => Some(serde_json::json!({"op": "login", "args": [fields]})),
        _ => None,
    };
    message.map(|message| message.to_string())
}

/// The mistake the local exchange's `cexsign_diagnosis` names for `sent`, from an account
/// registered with `credentials` and `settings`: REST requests go as HTTP requests, websocket
/// messages to the websocket check endpoint. The diagnosis is read from the body, or from the
/// `cexsign-diagnosis` header where the exchange answers in plain text (Coinbase Advanced).
fn local_exchange_mistake(
    scheme: Scheme,
    credentials: &Credentials,
    settings: &KeySettings,
    sent: &SentRequest,
) -> Result<Option<String>, String> {
    let account = cexsign_local_exchange::Account::new(scheme, credentials, settings).map_err(|e| e.to_string())?;
    let verifier = cexsign_local_exchange::LocalExchange::new().with_account(account).verifier();
    let mut headers = http::HeaderMap::new();
    let (method, target, body) = match sent.wire_request() {
        Some((method, target, body)) => {
            for (name, value) in sent.auth_fields() {
                let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
                headers.insert(name, http::HeaderValue::from_str(value).map_err(|e| e.to_string())?);
            }
            if let Some(host) = scheme.exchange().hosts.first() {
                headers.entry(http::header::HOST).or_insert(http::HeaderValue::from_static(host));
            }
            (method.to_owned(), target, body.to_vec())
        }
        None => {
            let message = ws_message(scheme, sent).ok_or("no websocket layout")?;
            ("POST".to_owned(), format!("/cexsign/ws/{}", scheme.id()), message.into_bytes())
        }
    };
    let answer =
        verifier.check_at(&method, &target, &headers, &body, replay_instant(scheme, sent.wire_request().is_none()));
    let from_body = serde_json::from_str::<Value>(answer.body()).ok().map(|json| json["cexsign_diagnosis"].clone());
    let from_header = answer
        .headers()
        .get("cexsign-diagnosis")
        .and_then(|value| value.to_str().ok())
        // JSON-string escaped.
        .and_then(|text| serde_json::from_str::<String>(&format!("\"{text}\"")).ok())
        .and_then(|text| serde_json::from_str::<Value>(&text).ok());
    let diagnosis = from_body.filter(|d| !d.is_null()).or(from_header).unwrap_or(Value::Null);
    Ok(diagnosis["mistake"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| (!diagnosis.is_null()).then(|| format!("(no mistake: {diagnosis})"))))
}

/// Every mistake of the catalogue, produced as in
/// [`every_catalogue_mistake_is_named_for_every_scheme_it_applies_to`] and replayed to the local
/// exchange: its answer's `cexsign_diagnosis` names the code `diagnose` names, for every scheme
/// the request can be replayed for, and every code is named for at least one scheme.
#[test]
fn the_local_exchange_names_every_mistake_the_diagnosis_names() {
    let mut cases: Vec<(Scheme, MistakeCode, Credentials, KeySettings, SentRequest)> = Vec::new();
    for scheme in HMAC_SCHEMES {
        for code in MistakeCode::for_scheme(scheme) {
            let demo = code == MistakeCode::OkxDemoHeaderMissing;
            let sent = match code {
                MistakeCode::OkxDemoHeaderMissing => user_rest(scheme, Some(code), true),
                MistakeCode::TimestampMillisecondsForSeconds | MistakeCode::BitgetWsApiKeyField
                    if matches!(scheme, Scheme::Okx | Scheme::Bitget) =>
                {
                    user_ws(scheme, Some(code))
                }
                _ => user_rest(scheme, Some(code), false),
            };
            let settings = match scheme {
                Scheme::Okx => KeySettings::new().demo(demo),
                Scheme::Kucoin => KeySettings::new().key_version(3),
                _ => KeySettings::new(),
            };
            cases.push((scheme, code, credentials(scheme), settings, sent));
        }
    }
    for code in MistakeCode::for_scheme(Scheme::CoinbaseCdp) {
        let key = match code {
            MistakeCode::JwtSignatureDer | MistakeCode::JwtKidNotFullName => CdpKey::Es,
            _ => CdpKey::Ed,
        };
        let sent = user_cdp(&key, Some(code));
        cases.push((Scheme::CoinbaseCdp, code, cdp_credentials(&key), KeySettings::new(), sent));
    }
    for scheme in [Scheme::Binance, Scheme::Bybit, Scheme::Kraken, Scheme::Gate] {
        for code in MistakeCode::for_scheme(scheme) {
            let (sent, credentials) = more_case(scheme, code);
            cases.push((scheme, code, credentials, KeySettings::new(), sent));
        }
    }
    for scheme in breadth::SCHEMES {
        for code in MistakeCode::for_scheme(scheme) {
            let sent = breadth::user_rest(scheme, Some(code));
            cases.push((scheme, code, credentials(scheme), KeySettings::new(), sent));
        }
    }
    #[cfg(feature = "hyperliquid")]
    for code in MistakeCode::for_scheme(Scheme::Hyperliquid) {
        let credentials = Credentials::new().api_key(breadth::HYPERLIQUID_ADDRESS).secret(breadth::HYPERLIQUID_KEY);
        cases.push((Scheme::Hyperliquid, code, credentials, KeySettings::new(), breadth::hyperliquid(Some(code))));
    }
    // Coinbase Advanced's HMAC keys are served under /api/v3/ (the user client's /api/orders is
    // Coinbase Exchange's): its own mistake, the query signed, on one of its paths.
    let advanced = Scheme::CoinbaseAdvancedHmac;
    let (path, query, ts) = ("/api/v3/brokerage/accounts", "limit=1", (AT_MS / 1000).to_string());
    let secret = fake(advanced).secret;
    let signature = hex::encode(hmac_sha256(secret.as_bytes(), format!("{ts}GET{path}?{query}").as_bytes()));
    let sent = SentRequest::rest("GET", path)
        .with_query(query)
        .with_auth("CB-ACCESS-KEY", fake(advanced).key)
        .with_auth("CB-ACCESS-SIGN", &signature)
        .with_auth("CB-ACCESS-TIMESTAMP", &ts);
    cases.push((advanced, MistakeCode::QuerySigned, credentials(advanced), KeySettings::new(), sent));

    let mut named: BTreeSet<MistakeCode> = BTreeSet::new();
    let mut differing = Vec::new();
    for (scheme, code, credentials, settings, sent) in &cases {
        let (scheme, code) = (*scheme, *code);
        // The client's request, as the CLI diagnoses it.
        assert_eq!(diagnose(scheme, credentials, sent).unwrap().code(), Some(code), "{} {code}", scheme.id());
        // The user client's /api/orders is Coinbase Exchange's, not Coinbase Advanced's (the same
        // codes are replayed for Coinbase Exchange, and Advanced's own one above).
        if scheme == Scheme::CoinbaseAdvancedHmac
            && sent.wire_request().is_some_and(|(_, t, _)| t.starts_with("/api/orders"))
        {
            continue;
        }
        if breadth::is_mexc_spot(scheme, sent) {
            continue;
        }
        match local_exchange_mistake(scheme, credentials, settings, sent) {
            Ok(Some(local)) if local == code.as_str() => {
                named.insert(code);
            }
            other => differing.push(format!("{} {code}: the local exchange named {other:?}", scheme.id())),
        }
    }
    let unnamed: Vec<&str> =
        MistakeCode::ALL.iter().filter(|code| !named.contains(code)).map(|code| code.as_str()).collect();
    assert!(differing.is_empty() && unnamed.is_empty(), "differing: {differing:#?}\nnever named: {unnamed:?}");
}
