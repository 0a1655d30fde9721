//! Kraken spot REST: `API-Sign = base64(HMAC-SHA512(base64_decode(secret), path + SHA256(nonce + body)))`.
//!
//! The nonce is a body parameter (form `nonce=…` or JSON `"nonce":"…"`) and the hash runs over
//! the nonce text followed by the body exactly as sent; the digest enters the HMAC as its 32 raw
//! bytes. The method is not signed. Kraken's websocket has no signed login: its token comes
//! from the signed REST call `POST /0/private/GetWebSocketsToken`.

use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderName;
use sha2::{Digest as _, Sha256};

use crate::exchanges::common::{Form, KeyForms, base64_secret, refuse_swapped};
use crate::mac::{Encoding, HmacSha512Key, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Prehash, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, Timestamp,
    TimestampFormat, WireTimestamp, WsAuth, WsRequest,
};

static API_KEY: HeaderName = HeaderName::from_static("api-key");
static API_SIGN: HeaderName = HeaderName::from_static("api-sign");

/// Signs Kraken spot REST requests.
///
/// The nonce is taken from the body when it has one (the caller's counter, signed as is);
/// otherwise the signer adds `nonce=<ms>` (form) or `"nonce":"<ms>"` (JSON) at the front of the
/// body and returns the body to send in [`SignedRequest::wire_body`], so a retry re-signed at a
/// later instant carries a larger nonce.
///
/// ```
/// use cexsign::{Credentials, KrakenSigner, Method, SignableRequest, Signer, Timestamp};
/// // The example of Kraken's "Spot REST Authentication" guide.
/// let signer = KrakenSigner::new(&Credentials::new().api_key("my-key").secret(
///     "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
/// ))?;
/// let body = b"nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25";
/// let request = SignableRequest::new(Method::Post, "/0/private/AddOrder")?.with_body(body);
/// let signed = signer.sign(&request, Timestamp::from_unix_millis(1_616_492_376_594))?;
/// assert_eq!(
///     signed.signature(),
///     "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
/// );
///
/// // Without a nonce in the body, the signer adds one and says what to send.
/// let request = SignableRequest::new(Method::Post, "/0/private/Balance")?;
/// let signed = signer.sign(&request, Timestamp::from_unix_millis(1_700_000_000_000))?;
/// assert_eq!(signed.wire_body().unwrap(), b"nonce=1700000000000");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct KrakenSigner {
    key: HmacSha512Key,
    headers: HeaderLayout,
    /// The last nonce this signer added: Kraken refuses a nonce not above the key's last one,
    /// so two requests signed within one millisecond get consecutive nonces, not the same.
    last_nonce: AtomicU64,
}

/// Kraken API keys are 56 characters and private keys standard base64 of 64 bytes, 88 characters
/// (`AUTH-more.md` §Kraken).
const KEY_FORMS: KeyForms = KeyForms {
    key: (Form::Base64(56), "56 base64 characters"),
    secret: (Form::Base64(88), "88 base64 characters"),
};

impl KrakenSigner {
    /// Checks the credentials and base64-decodes the secret once (Kraken's decode to 64 bytes;
    /// any length is taken, as HMAC and Kraken's SDK take it).
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::Kraken;
        let api_key = credentials.require_api_key(scheme)?;
        refuse_swapped(credentials, scheme, KEY_FORMS)?;
        // Kraken issues 64-byte secrets, but HMAC takes a key of any length and so does Kraken's
        // own SDK (python-kraken-sdk's golden test signs with a 40-byte key): no length is refused.
        let hint = "Kraken API keys are HMAC keys: paste the base64 private key shown at key creation";
        let decoded = base64_secret(credentials, scheme, hint, None)?;
        let headers = HeaderLayout::new([
            (&API_KEY, HeaderSource::Fixed(api_key.header_value())),
            (&API_SIGN, HeaderSource::Signature),
        ]);
        Ok(Self { key: HmacSha512Key::new(&decoded), headers, last_nonce: AtomicU64::new(0) })
    }

    /// Signs with `nonce`, adding it to the body unless the body already carries it.
    fn sign_nonce(
        &self,
        request: &SignableRequest<'_>,
        nonce: &str,
        body_has_nonce: bool,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let added = (!body_has_nonce).then(|| with_nonce(request.body(), nonce));
        let body = added.as_deref().unwrap_or(request.body());
        let mut digest = Sha256::new();
        digest.update(nonce.as_bytes());
        digest.update(body);
        let digest: [u8; 32] = digest.finalize().into();
        let prehash = PrehashParts::new().push_str(request.path()).push(&digest);
        let signature = self.key.sign(&prehash, Encoding::Base64);
        let kept = options.keeps_prehash().then(|| Prehash::new([nonce.as_bytes(), body].concat()));
        let mut signed = SignedRequest::new(nonce, &signature, kept, &self.headers);
        if let Some(body) = added {
            signed.set_wire_body(body);
        }
        Ok(signed)
    }
}

/// How the body is encoded, told by its first character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyEncoding {
    Form,
    Json,
}

impl BodyEncoding {
    fn of(body: &[u8]) -> Self {
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Self::Json,
            _ => Self::Form,
        }
    }
}

/// The `nonce` value carried by the body, as text; `None` when there is none.
fn body_nonce(body: &[u8]) -> Result<Option<String>, Error> {
    let invalid = |problem| Error::InvalidBody { scheme: Scheme::Kraken, problem };
    match BodyEncoding::of(body) {
        BodyEncoding::Json => json_nonce(body).map_err(invalid),
        BodyEncoding::Form => {
            let text = std::str::from_utf8(body).map_err(|_| invalid("a form body must be UTF-8 text"))?;
            let mut values = text.split('&').filter_map(|pair| pair.strip_prefix("nonce="));
            let nonce = values.next();
            if values.next().is_some() {
                return Err(invalid("the body carries two nonce parameters: send exactly one"));
            }
            Ok(nonce.map(str::to_owned))
        }
    }
}

/// A JSON body's top-level `nonce` member, found by a scan rather than a parse: a 2.5 KB order
/// list was parsed whole on every `sign` to find it (2.07x the floor).
///
/// The body must be one object: its first and last non-blank bytes `{` and `}` (a nonce is
/// inserted after the first when it has none; `{` alone is refused, as fuzzing found). A body in
/// which neither `"nonce"` nor an escape occurs has no nonce member: two SIMD searches answer
/// that, the usual case (the signer adds the nonce). Otherwise one pass finds the top-level members
/// (a string at depth 1 followed by `:`; braces balanced outside strings; nothing after the
/// object) and reads the one `nonce`: an unsigned integer or a string (keys written with escapes
/// decoded by serde_json). The other members' values are the exchange's to judge, not read.
fn json_nonce(body: &[u8]) -> Result<Option<String>, &'static str> {
    const NOT_AN_OBJECT: &str = "a body starting with '{' must be a JSON object (with at most one nonce)";
    const BAD_NONCE: &str = "the JSON nonce must be an unsigned integer or a string of digits";
    let blank = |b: &u8| b.is_ascii_whitespace();
    let first = body.iter().position(|b| !blank(b)).filter(|&at| body[at] == b'{').ok_or(NOT_AN_OBJECT)?;
    let last = body.iter().rposition(|b| !blank(b)).filter(|&at| at > first && body[at] == b'}').ok_or(NOT_AN_OBJECT)?;
    if memchr::memmem::find(body, b"\"nonce\"").is_none() && memchr::memchr(b'\\', body).is_none() {
        return Ok(None);
    }
    let next_solid = |at: usize| body.get(at..).and_then(|rest| rest.iter().position(|b| !blank(b))).map(|n| at + n);
    // The index of the quote closing the string whose content starts at `at`.
    let string_end = |mut at: usize| -> Result<usize, &'static str> {
        while let Some(&b) = body.get(at) {
            match b {
                b'"' => return Ok(at),
                b'\\' => at += 2,
                _ => at += 1,
            }
        }
        Err(NOT_AN_OBJECT)
    };
    // A string's text: as written, or decoded where it has escapes.
    let text = |open: usize, close: usize| -> Result<String, &'static str> {
        let raw = &body[open + 1..close];
        if memchr::memchr(b'\\', raw).is_none() {
            return std::str::from_utf8(raw).map(str::to_owned).map_err(|_| NOT_AN_OBJECT);
        }
        serde_json::from_slice(&body[open..=close]).map_err(|_| NOT_AN_OBJECT)
    };
    let (mut at, mut depth, mut nonce) = (first, 0usize, None);
    while let Some(&b) = body.get(at) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    // The object ends here, and so must the body.
                    return if at == last { Ok(nonce) } else { Err(NOT_AN_OBJECT) };
                }
            }
            b'"' => {
                let open = at;
                let close = string_end(open + 1)?;
                at = close;
                // A string at depth 1 followed by `:` is a member's name.
                let colon = next_solid(close + 1).filter(|&next| depth == 1 && body[next] == b':');
                if let Some(colon) = colon {
                    let raw = &body[open + 1..close];
                    let named_nonce =
                        raw == b"nonce" || (memchr::memchr(b'\\', raw).is_some() && text(open, close)? == "nonce");
                    if named_nonce {
                        if nonce.is_some() {
                            return Err(NOT_AN_OBJECT);
                        }
                        let value = next_solid(colon + 1).ok_or(NOT_AN_OBJECT)?;
                        nonce = Some(match body[value] {
                            b'"' => {
                                let end = string_end(value + 1)?;
                                at = end;
                                text(value, end)?
                            }
                            b'0'..=b'9' => {
                                let end = value + body[value..].iter().take_while(|b| b.is_ascii_digit()).count();
                                // `1.5`, `1e3` and numbers past u64 are not unsigned integers.
                                if matches!(body.get(end), Some(b'.' | b'e' | b'E')) {
                                    return Err(BAD_NONCE);
                                }
                                let number = std::str::from_utf8(&body[value..end]).map_err(|_| BAD_NONCE)?;
                                number.parse::<u64>().map_err(|_| BAD_NONCE)?;
                                at = end - 1;
                                number.to_owned()
                            }
                            _ => return Err(BAD_NONCE),
                        });
                    }
                }
            }
            _ => {}
        }
        at += 1;
    }
    Err(NOT_AN_OBJECT)
}

/// The body with `nonce` added at its front.
fn with_nonce(body: &[u8], nonce: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + nonce.len() + 12);
    match BodyEncoding::of(body) {
        BodyEncoding::Form => {
            out.extend_from_slice(b"nonce=");
            out.extend_from_slice(nonce.as_bytes());
            if !body.is_empty() {
                out.push(b'&');
                out.extend_from_slice(body);
            }
        }
        BodyEncoding::Json => {
            // body_nonce has parsed it as an object: the first '{' opens it.
            let open = body.iter().position(|&b| b == b'{').expect("a JSON object");
            let empty = body[open + 1..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'}');
            out.extend_from_slice(&body[..=open]);
            out.extend_from_slice(b"\"nonce\":\"");
            out.extend_from_slice(nonce.as_bytes());
            out.push(b'"');
            if !empty {
                out.push(b',');
            }
            out.extend_from_slice(&body[open + 1..]);
        }
    }
    out
}

fn is_nonce(text: &str) -> bool {
    !text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit())
}

impl Signer for KrakenSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Kraken
    }

    /// The nonce the signer adds: milliseconds (any larger-scale nonce in the body is kept).
    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    /// A nonce already in the body is signed as is (`at` is then unused: Kraken has no time
    /// window, only an increasing nonce); otherwise `at` in milliseconds is added as the nonce.
    fn sign_with(
        &self,
        request: &SignableRequest<'_>,
        at: Timestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let sent = body_nonce(request.body())?;
        let nonce = match &sent {
            Some(nonce) if is_nonce(nonce) => WireTimestamp::parse(TimestampFormat::UnixMillis, nonce)?,
            Some(_) => {
                return Err(Error::InvalidBody {
                    scheme: Scheme::Kraken,
                    problem: "the body's nonce must be an unsigned integer (up to 20 digits)",
                });
            }
            None => {
                let at = u64::try_from(at.unix_millis()).unwrap_or(u64::MAX);
                let previous = self
                    .last_nonce
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| Some(at.max(last.saturating_add(1))))
                    .unwrap_or(at);
                let nonce = at.max(previous.saturating_add(1));
                WireTimestamp::render(TimestampFormat::UnixMillis, Timestamp::from_unix_millis(nonce))?
            }
        };
        self.sign_nonce(request, nonce.as_str(), sent.is_some(), options)
    }

    /// Signs with `timestamp` as the nonce. A body that already carries a nonce must carry this
    /// one; a body without one gets it added.
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let nonce = timestamp.as_str();
        if !is_nonce(nonce) {
            return Err(Error::TimestampFormatMismatch {
                expected: "an unsigned integer nonce",
                example: "1700000000000",
            });
        }
        match body_nonce(request.body())? {
            Some(sent) if sent != nonce => Err(Error::InvalidParameters {
                scheme: Scheme::Kraken,
                problem: "the body's nonce differs from the nonce being signed: leave nonce out of the body (the \
                          signer adds it) or sign with the body's nonce",
            }),
            sent => self.sign_nonce(request, nonce, sent.is_some(), options),
        }
    }

    /// Kraken's websocket has no login message of its own.
    fn sign_ws_at(
        &self,
        _request: &WsRequest<'_>,
        _timestamp: &WireTimestamp,
        _options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        Err(Error::WsUnsupported {
            scheme: Scheme::Kraken,
            hint: "sign POST /0/private/GetWebSocketsToken as a REST request and put the token it returns in the \
                   ws v2 subscribe messages",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan answers as a parse of the whole body would: serde_json reading the one member.
    fn parsed(body: &[u8]) -> Result<Option<String>, ()> {
        #[derive(serde::Deserialize)]
        struct JsonNonce {
            #[serde(default, rename = "nonce")]
            _nonce: Option<serde::de::IgnoredAny>,
        }
        // The struct refuses a repeated member; the map tells a `null` nonce (refused: a second
        // nonce would be inserted beside it) from none.
        serde_json::from_slice::<JsonNonce>(body).map_err(|_| ())?;
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body).map_err(|_| ())?;
        match object.get("nonce").cloned() {
            None => Ok(None),
            Some(serde_json::Value::String(nonce)) => Ok(Some(nonce)),
            Some(serde_json::Value::Number(nonce)) if nonce.is_u64() => Ok(Some(nonce.to_string())),
            Some(_) => Err(()),
        }
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let key = prop_oneof!["nonce", "nonce ", "a", "\\PC{0,6}"];
        let leaf = prop_oneof![
            any::<u64>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "\\PC{0,8}".prop_map(serde_json::Value::from),
            "[{}\\[\\]\\\\\":,]{0,6}".prop_map(serde_json::Value::from),
            any::<bool>().prop_map(serde_json::Value::from),
            Just(serde_json::Value::Null),
        ];
        leaf.prop_recursive(4, 24, 4, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map(key.clone(), inner, 0..4)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Any JSON object, compact or pretty: the scan finds what the parse finds.
        #[test]
        fn the_scan_agrees_with_the_parse_on_any_object(
            members in proptest::collection::btree_map(
                proptest::prop_oneof!["nonce", "a", "b"], json_value(), 0..5),
            pretty in proptest::bool::ANY,
        ) {
            let object = serde_json::Value::Object(members.into_iter().collect());
            let body = if pretty { serde_json::to_vec_pretty(&object) } else { serde_json::to_vec(&object) }.unwrap();
            proptest::prop_assert_eq!(json_nonce(&body).map_err(|_| ()), parsed(&body));
        }
    }

    #[test]
    fn a_json_nonce_is_found_by_the_scan_as_a_parse_finds_it() {
        let bodies: [&[u8]; 22] = [
            br#"{}"#,
            br#" { "nonce" : "1700000000000" } "#,
            br#"{"nonce":1700000000000,"orders":["a","b"]}"#,
            br#"{"orders":[{"nonce":1}],"nonce":"2"}"#,
            br#"{"a":"nonce","b":{"nonce":3}}"#,
            br#"{"a":"}{\"","nonce":"4"}"#,
            br#"{"non\u0063e":"5"}"#,
            br#"{"nonce":"6","x":{"y":[{"z":"}"}]}}"#,
            br#"{"list":["nonce",{"nonce":7}]}"#,
            br#"{"nonce":"with \" quote"}"#,
            br#"{"nonce":18446744073709551615}"#,
            br#"{"nonce":18446744073709551616}"#,
            br#"{"nonce":1.5}"#,
            br#"{"nonce":1e3}"#,
            br#"{"nonce":-1}"#,
            br#"{"nonce":true}"#,
            br#"{"nonce":null}"#,
            br#"{"nonce":1,"nonce":2}"#,
            br#"{"#,
            br#"{"a":1} {"#,
            br#"{"a":"x\"}"#,
            br#"{"a":"\"nonce\":1"}"#,
        ];
        for body in bodies {
            let scanned = json_nonce(body).map_err(|_| ());
            assert_eq!(scanned, parsed(body), "{}", String::from_utf8_lossy(body));
        }
        // Deep nesting is a loop, not recursion: no stack to exhaust (serde_json stops at 128
        // levels; the scan reads any depth in one pass).
        let deep = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
        assert_eq!(json_nonce(deep.as_bytes()), Ok(None));
        let deep = format!("{{\"nonce\":\"8\",\"b\":{deep}}}");
        assert_eq!(json_nonce(deep.as_bytes()), Ok(Some("8".to_owned())));
        // What the scan does not judge: a body between `{` and `}` in which no `"nonce"` (nor any
        // escape) occurs has no nonce, whatever else is malformed in it: the exchange refuses
        // such a body, not the signer.
        for body in [&b"{{}}"[..], br#"{"a":"unterminated}"#, br#"{"a":{"b":1}"#] {
            assert_eq!(json_nonce(body), Ok(None), "{}", String::from_utf8_lossy(body));
        }
        let nested = format!("{{\"nonce\":\"9\",\"x\":{}1{}}}", "[".repeat(50_000), "]".repeat(50_000));
        assert_eq!(json_nonce(nested.as_bytes()), Ok(Some("9".to_owned())));
    }

    #[test]
    fn requests_signed_within_one_millisecond_get_increasing_nonces() {
        let credentials = Credentials::new().api_key("my-key").secret(
            "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
        );
        let signer = KrakenSigner::new(&credentials).unwrap();
        let request = SignableRequest::new(crate::Method::Post, "/0/private/Balance").unwrap();
        let at = Timestamp::from_unix_millis(1_700_000_000_000);
        let nonces: Vec<String> =
            (0..3).map(|_| signer.sign(&request, at).unwrap().timestamp().to_owned()).collect();
        assert_eq!(nonces, ["1700000000000", "1700000000001", "1700000000002"]);
        // A later instant is taken as it is.
        let later = signer.sign(&request, Timestamp::from_unix_millis(1_700_000_000_500)).unwrap();
        assert_eq!(later.timestamp(), "1700000000500");
        // A nonce the caller puts in the body is signed as is.
        let own = SignableRequest::new(crate::Method::Post, "/0/private/Balance").unwrap().with_body(b"nonce=5");
        assert_eq!(signer.sign(&own, at).unwrap().timestamp(), "5");
    }
}
