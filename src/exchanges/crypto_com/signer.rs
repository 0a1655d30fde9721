//! Crypto.com Exchange API v1: an HMAC-SHA256 `sig` carried in the JSON-RPC style body.
//!
//! `sig = hex(HMAC-SHA256(secret, method + id + api_key + paramString + nonce))` (AUTH-breadth.md
//! §8), `id` and `nonce` as the decimal text the body carries (or the text of a string). The
//! paramString is a canonical rendering of `params`, not the bytes sent: keys sorted, each key
//! followed by its value — a string as is, a number as its decimal text, `null` as `null`,
//! booleans `true`/`false`, a list as its items one after the other, an object (in a list or as a
//! value) rendered the same way, recursively. The JSON layout, key order and whitespace of the
//! body are not signed.
//!
//! Because the signature is over a rendering, [`CryptoComSigner::param_string`] and
//! [`CryptoComSigner::signing_string`] build it from the JSON a request sends: a verifier (the
//! local exchange) rebuilds it from the body it received, so "signed = sent" stays provable.
//!
//! The rendering recurses at most [`MAX_DEPTH`] objects deep (`params` itself is the first):
//! Crypto.com's own sample stops recursing at that depth and renders deeper values with Python's
//! `str()`, which no other client reproduces, so deeper input is refused with
//! [`Error::InvalidParameters`] rather than guessed, and never recursed into (no stack growth on
//! untrusted bodies). Crypto.com's deepest documented request, `private/create-order-list`,
//! nests two (`params.order_list[i]`).


use serde::Serialize;
use serde_json::{Map, Value};

use crate::credentials::ApiKey;
use crate::exchanges::common::{hmac_secret, mac, ws_auth};
use crate::mac::{Encoding, HmacKey, PrehashParts};
use crate::signer::HeaderLayout;
use crate::{
    Credentials, Error, Method, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat,
    WireTimestamp, WsAuth, WsField, WsRequest,
};

const SCHEME: Scheme = Scheme::CryptoCom;

/// How many objects deep the paramString recurses: `params` (1), an object in one of its lists
/// (2), an object in a list of that object (3); a list adds no depth (its items are rendered one
/// after the other) and a list directly in a list is refused. Crypto.com's sample (`MAX_LEVEL = 3`) and ccxt
/// 4.5.90 (`maxLevel = 3`) stop at the same depth; anything deeper is refused.
pub const MAX_DEPTH: usize = 3;

/// The path under which Crypto.com's REST methods are served (`/exchange/v1/private/…`): the
/// method is the path's tail.
pub(crate) const PATH_PREFIX: &str = "/exchange/v1/";

/// The websocket login's method.
const AUTH_METHOD: &str = "public/auth";

fn invalid(problem: &'static str) -> Error {
    Error::InvalidParameters { scheme: SCHEME, problem }
}

const TOO_DEEP: &str = "params nest objects more than 3 deep (params, an object in a list, an object in its list): \
                        Crypto.com's own rendering stops recursing there, so such params cannot be signed reliably; \
                        flatten them";

/// Signs Crypto.com Exchange API v1 requests (`api.crypto.com/exchange/v1/private/…`) and the
/// websocket `public/auth` login (`wss://stream.crypto.com/exchange/v1/user`).
///
/// A request's body is either the params alone (`{"instrument_name":"BTC_USDT",…}`, or empty):
/// the signer sends `{"id","method","api_key","params","nonce","sig"}` with the method read from
/// the path and the nonce (the signing instant, in ms) as the id, as ccxt does; or the whole
/// request without `sig` (an object with a `method`), whose `id`, `method`, `api_key`, `params`
/// and `nonce` are signed as they are written, and `sig` appended. Either way the body to send is
/// [`SignedRequest::wire_body`] and the signature its `sig` field
/// ([`SignedRequest::signature_fields`]).
///
/// ```
/// use cexsign::{CryptoComSigner, Credentials, Method, SignOptions, SignableRequest, Signer, Timestamp, WsRequest};
/// // AUTH-breadth.md §8's worked example: key `token`, secret `secretKey`, id 11.
/// let signer = CryptoComSigner::new(&Credentials::new().api_key("token").secret("secretKey"))?;
/// let body = br#"{"id":11,"method":"private/create-order","api_key":"token","params":{"instrument_name":"BTC_USDT","side":"BUY","type":"LIMIT","price":"30000","quantity":"0.01","exec_inst":["POST_ONLY"]},"nonce":1587523073344}"#;
/// let order = SignableRequest::new(Method::Post, "/exchange/v1/private/create-order")?.with_body(body);
/// let at = Timestamp::from_unix_millis(1_587_523_073_344);
/// let signed = signer.sign_with(&order, at, &SignOptions::new().keep_prehash())?;
/// assert_eq!(
///     signed.prehash().unwrap().to_string(),
///     "private/create-order11tokenexec_instPOST_ONLYinstrument_nameBTC_USDTprice30000quantity0.01sideBUYtypeLIMIT1587523073344"
/// );
/// let sig = "5569c98e7159bbad879a68ae00d64b43cb31693d1e750bb312411d42921daa9b";
/// assert_eq!(signed.signature_fields().collect::<Vec<_>>(), [("sig", sig)]);
/// assert!(std::str::from_utf8(signed.wire_body().unwrap())?.ends_with(&format!(r#","nonce":1587523073344,"sig":"{sig}"}}"#)));
///
/// let login = signer.sign_ws_with(&WsRequest::login().with_id("11"), at, &SignOptions::new())?;
/// assert_eq!(login.signature(), "b9dbce0c7d41b9cba8747e194d3efc38329783e55346a60728a244d12a9453d0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CryptoComSigner {
    api_key: ApiKey,
    key: HmacKey,
    headers: HeaderLayout,
}

/// The parts of a request Crypto.com signs, as the body carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Envelope {
    id: String,
    method: String,
    api_key: String,
    params: String,
    nonce: String,
}

impl Envelope {
    fn prehash(&self) -> String {
        [self.method.as_str(), &self.id, &self.api_key, &self.params, &self.nonce].concat()
    }
}

/// The text an `id` or `nonce` is signed as: a number's decimal text, a string's text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(text.clone()),
        _ => None,
    }
}

impl CryptoComSigner {
    /// Checks the credentials (the API key, the secret as given; no passphrase) and keys the
    /// HMAC once. The API key goes into the body as a JSON string and into the signed text, so
    /// it must be visible ASCII.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let api_key = credentials.require_api_key(SCHEME)?;
        if !crate::credentials::is_visible_ascii(api_key.as_str()) || api_key.as_str().contains(['"', '\\']) {
            return Err(Error::InvalidAuthValue {
                scheme: SCHEME,
                field: "API key",
                problem: "the API key is sent as the body's api_key string and signed as text: copy the API Key from \
                          the API management page, without quotes, spaces or backslashes",
            });
        }
        let secret = hmac_secret(
            credentials,
            SCHEME,
            "Crypto.com keys sign with the API secret (HMAC-SHA256), not a private key",
        )?;
        Ok(Self { api_key, key: HmacKey::new(secret.as_bytes()), headers: HeaderLayout::new([]) })
    }

    /// Crypto.com's paramString of `params` (an object; `null` or absent params are the empty
    /// string): keys sorted, each followed by its value rendered as the module docs say. Refuses
    /// params that are not an object and lists or objects nested deeper than [`MAX_DEPTH`].
    ///
    /// ```
    /// use cexsign::CryptoComSigner;
    /// let params = serde_json::json!({"side": "BUY", "exec_inst": ["POST_ONLY"], "limit": 20, "tag": null});
    /// assert_eq!(CryptoComSigner::param_string(&params)?, "exec_instPOST_ONLYlimit20sideBUYtagnull");
    /// // Four objects deep: params, an order in its list, an object in that order's list, and one more.
    /// let deep = serde_json::json!({"a": [{"b": [{"c": [{"d": 1}]}]}]});
    /// assert!(CryptoComSigner::param_string(&deep).is_err());
    /// # Ok::<(), cexsign::Error>(())
    /// ```
    pub fn param_string(params: &Value) -> Result<String, Error> {
        match params {
            Value::Null => Ok(String::new()),
            Value::Object(map) => Ok(render_as(&Ordered::object(map, 1)?, Style::Exchange)),
            _ => Err(invalid("params must be a JSON object: Crypto.com signs its keys sorted with their values")),
        }
    }

    /// The string Crypto.com signs for a request body as sent or received
    /// (`{"id","method","api_key","params","nonce",…}`, `sig` ignored): `method + id + api_key +
    /// paramString + nonce`. A verifier calls it with the body it received; a test, with the body
    /// a signer wrote, to prove the signature covers the params actually sent.
    ///
    /// ```
    /// use cexsign::CryptoComSigner;
    /// let sent = br#"{"id":11,"method":"public/auth","api_key":"token","nonce":1587523073344,"sig":"00"}"#;
    /// assert_eq!(CryptoComSigner::signing_string(sent)?, "public/auth11token1587523073344");
    /// # Ok::<(), cexsign::Error>(())
    /// ```
    pub fn signing_string(body: &[u8]) -> Result<String, Error> {
        let value: Value = serde_json::from_slice(body).map_err(|_| invalid(NOT_A_REQUEST))?;
        let Value::Object(map) = value else { return Err(invalid(NOT_A_REQUEST)) };
        Ok(envelope(&map)?.prehash())
    }

    /// The hex HMAC of `prehash` with this key (the diagnosis signs known wrong strings with it).
    pub(crate) fn hmac_hex(&self, prehash: &str) -> String {
        self.sig(prehash, &SignOptions::new()).0
    }

    /// Signs `prehash` (hex, lower case).
    fn sig(&self, prehash: &str, options: &SignOptions) -> (String, Option<crate::Prehash>) {
        let (signature, kept) = mac(&self.key, PrehashParts::new().push_str(prehash), Encoding::Hex, options);
        (signature.as_str().to_owned(), kept)
    }
}

const NOT_A_REQUEST: &str = "the body is not a Crypto.com request: a JSON object with id, method, api_key, params \
                             and nonce";

/// Reads the signed parts of a request object.
fn envelope(map: &Map<String, Value>) -> Result<Envelope, Error> {
    let id = map.get("id").and_then(scalar_text).ok_or(invalid("the request has no id (a number or a string)"))?;
    let method = map
        .get("method")
        .and_then(Value::as_str)
        .ok_or(invalid("the request has no method string (e.g. private/create-order)"))?;
    let api_key = map.get("api_key").and_then(Value::as_str).ok_or(invalid("the request has no api_key string"))?;
    let nonce = map
        .get("nonce")
        .and_then(scalar_text)
        .ok_or(invalid("the request has no nonce (the time in milliseconds, a number)"))?;
    let params = CryptoComSigner::param_string(map.get("params").unwrap_or(&Value::Null))?;
    Ok(Envelope { id, method: method.to_owned(), api_key: api_key.to_owned(), params, nonce })
}

/// A JSON value with its object keys in the order they came in (sorted, from a
/// [`serde_json::Value`]; as sent, from the body's text), checked against the depth bound when
/// built, so rendering it never recurses deeper than [`MAX_DEPTH`] objects.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ordered {
    Scalar(Value),
    List(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

/// How the params are rendered: Crypto.com's way, or one of the known wrong ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Keys sorted, `null`, `true`/`false`.
    Exchange,
    /// `null` as `None` (Python's `str(None)`, ccxt 4.5.90).
    PythonNone,
    /// Booleans as `True`/`False` (Python's `str(True)`).
    PythonBool,
    /// Keys in the order sent.
    Unsorted,
}

impl Ordered {
    /// `value`, an object `depth` objects deep (params is 1), within the bound.
    pub(crate) fn object(value: &Map<String, Value>, depth: usize) -> Result<Self, Error> {
        if depth > MAX_DEPTH {
            return Err(invalid(TOO_DEEP));
        }
        let mut entries = Vec::with_capacity(value.len());
        for (key, item) in value {
            entries.push((key.clone(), Self::value(item, depth)?));
        }
        Ok(Self::Object(entries))
    }

    /// A value found in an object `depth` deep. A list adds no depth (its items are rendered one
    /// after the other); a list directly in a list is refused, so each step of the recursion goes
    /// one object deeper.
    fn value(value: &Value, depth: usize) -> Result<Self, Error> {
        Ok(match value {
            Value::Object(map) => Self::object(map, depth + 1)?,
            Value::Array(items) => {
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    list.push(match item {
                        Value::Array(_) => return Err(invalid(LIST_IN_LIST)),
                        Value::Object(map) => Self::object(map, depth + 1)?,
                        scalar => Self::Scalar(scalar.clone()),
                    });
                }
                Self::List(list)
            }
            scalar => Self::Scalar(scalar.clone()),
        })
    }

    /// The paramString of this object, in `style`.
    fn render(&self, style: Style, out: &mut String) {
        match self {
            Self::Scalar(value) => match value {
                Value::Null if style == Style::PythonNone => out.push_str("None"),
                Value::Null => out.push_str("null"),
                Value::Bool(true) if style == Style::PythonBool => out.push_str("True"),
                Value::Bool(false) if style == Style::PythonBool => out.push_str("False"),
                Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
                Value::Number(number) => out.push_str(&number.to_string()),
                Value::String(text) => out.push_str(text),
                // Built by `value`: containers are never scalars.
                Value::Array(_) | Value::Object(_) => {}
            },
            Self::List(items) => items.iter().for_each(|item| item.render(style, out)),
            Self::Object(entries) => {
                let mut entries: Vec<&(String, Ordered)> = entries.iter().collect();
                if style != Style::Unsorted {
                    entries.sort_by(|a, b| a.0.cmp(&b.0));
                }
                for (key, value) in entries {
                    out.push_str(key);
                    value.render(style, out);
                }
            }
        }
    }
}

/// The params rendered in `style`; `None` where they cannot be (not an object, too deep).
pub(crate) fn render_as(params: &Ordered, style: Style) -> String {
    let mut out = String::new();
    params.render(style, &mut out);
    out
}

/// The params of a body's text with their keys in the order sent; `None` when the body is not a
/// JSON object whose params are an object within the bound.
pub(crate) fn params_as_sent(body: &[u8]) -> Option<Ordered> {
    #[derive(serde::Deserialize)]
    struct Sent {
        #[serde(default)]
        params: Option<InOrder>,
    }
    let sent: Sent = serde_json::from_slice(body).ok()?;
    sent.params.map(|p| p.0)
}

/// A JSON object read with its keys in the order they come (serde_json's own map sorts them).
struct InOrder(Ordered);

impl<'de> serde::Deserialize<'de> for InOrder {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Reads any JSON value, objects as their entries in order.
        struct Any;
        impl<'de> serde::de::DeserializeSeed<'de> for Any {
            type Value = Ordered;
            fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Ordered, D::Error> {
                deserializer.deserialize_any(self)
            }
        }
        impl<'de> serde::de::Visitor<'de> for Any {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::from(v)))
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element_seed(Any)? {
                    items.push(item);
                }
                Ok(Ordered::List(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    entries.push((key, map.next_value_seed(Any)?));
                }
                Ok(Ordered::Object(entries))
            }
        }
        // serde_json stops at 128 levels; the rendering of a mistake is bounded by that.
        deserializer.deserialize_any(Any).map(InOrder)
    }
}

const LIST_IN_LIST: &str = "a list inside a list: Crypto.com documents no such params and its clients render them \
                            differently; send a list of objects or of scalars";

/// The JSON text of a string (quoted and escaped).
fn json_string(text: &str) -> String {
    Value::from(text).to_string()
}

#[derive(Serialize)]
struct AuthMessage<'a> {
    id: Value,
    method: &'a str,
    api_key: &'a str,
    sig: &'a str,
    nonce: Value,
}

/// A number's JSON text where `text` is one (an id or nonce of digits), else a string.
fn number_or_string(text: &str) -> Value {
    text.parse::<u64>().map_or_else(|_| Value::from(text), Value::from)
}

impl Signer for CryptoComSigner {
    fn scheme(&self) -> Scheme {
        SCHEME
    }

    /// `nonce`: integer Unix milliseconds.
    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    /// Signs the body (see the type's docs): the params alone, wrapped in a request with the
    /// nonce as its id; or a whole request, signed as written, whose `nonce` must be `timestamp`
    /// and whose `api_key` this signer's. A request that already carries a `sig` (one received)
    /// is signed without it and its body is not rewritten.
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let nonce = timestamp.text_in(self.rest_timestamp_format())?;
        if request.method() != Method::Post {
            return Err(invalid("Crypto.com's private methods are called with POST, the request as a JSON body"));
        }
        if !request.query().is_empty() {
            return Err(invalid("Crypto.com signs the params of the JSON body, not a query: move them into params"));
        }
        let body = request.body();
        let parsed: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else {
            serde_json::from_slice(body).map_err(|_| invalid("the body is not JSON: send the params as a JSON object"))?
        };
        let Value::Object(map) = parsed else {
            return Err(invalid("the body is not a JSON object: send the params (or the whole request) as an object"));
        };
        let (envelope, wire) = if map.contains_key("method") {
            let envelope = envelope(&map)?;
            if envelope.api_key != self.api_key.as_str() {
                return Err(invalid("the body's api_key is not this signer's API key: sign with the key it names"));
            }
            if envelope.nonce != nonce {
                return Err(invalid(
                    "the body's nonce is not the signing instant: leave the nonce to the signer (send the params \
                     alone) or sign at the nonce written",
                ));
            }
            // The request as written, `sig` appended before its closing brace.
            let wire = (!map.contains_key("sig"))
                .then(|| String::from_utf8_lossy(body).trim_end().strip_suffix('}').unwrap_or_default().to_owned());
            (envelope, wire)
        } else {
            let method = request.path().strip_prefix(PATH_PREFIX).unwrap_or(request.path().trim_start_matches('/'));
            let params = CryptoComSigner::param_string(&Value::Object(map))?;
            let envelope = Envelope {
                id: nonce.to_owned(),
                method: method.to_owned(),
                api_key: self.api_key.as_str().to_owned(),
                params,
                nonce: nonce.to_owned(),
            };
            let raw = if body.iter().all(u8::is_ascii_whitespace) { "{}".into() } else { String::from_utf8_lossy(body) };
            let head = format!(
                "{{\"id\":{nonce},\"method\":{},\"api_key\":{},\"params\":{},\"nonce\":{nonce}",
                json_string(method),
                json_string(self.api_key.as_str()),
                raw.trim()
            );
            (envelope, Some(head))
        };
        let (sig, prehash) = self.sig(&envelope.prehash(), options);
        let mut signed = SignedRequest::new(nonce, &sig, prehash, &self.headers);
        if let Some(head) = wire {
            signed.set_wire_body(format!("{head},\"sig\":\"{sig}\"}}").into_bytes());
        }
        Ok(signed.with_signature_fields([("sig", sig)]))
    }

    /// `{"id","method":"public/auth","api_key","sig","nonce"}` over `public/auth + id + api_key +
    /// nonce` (no params); the id is the request's (the nonce by default).
    fn sign_ws_at(&self, request: &WsRequest<'_>, timestamp: &WireTimestamp, options: &SignOptions) -> Result<WsAuth, Error> {
        let nonce = timestamp.text_in(self.ws_timestamp_format())?;
        let method = request.method().unwrap_or(AUTH_METHOD);
        if method != AUTH_METHOD {
            return Err(Error::InvalidWsRequest {
                problem: "Crypto.com signs one websocket message, public/auth; the calls after it are not signed",
            });
        }
        let id = request.id().unwrap_or(nonce);
        let envelope = Envelope {
            id: id.to_owned(),
            method: method.to_owned(),
            api_key: self.api_key.as_str().to_owned(),
            params: String::new(),
            nonce: nonce.to_owned(),
        };
        let (sig, prehash) = self.sig(&envelope.prehash(), options);
        let message = AuthMessage {
            id: number_or_string(id),
            method,
            api_key: self.api_key.as_str(),
            sig: &sig,
            nonce: number_or_string(nonce),
        };
        let fields = vec![
            WsField::new("id", id),
            WsField::new("api_key", self.api_key.as_str()),
            WsField::new("sig", sig.as_str()),
            WsField::new("nonce", nonce),
        ];
        Ok(ws_auth(&message, fields, nonce, &sig, prehash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;
    use serde_json::json;

    fn signer() -> CryptoComSigner {
        CryptoComSigner::new(&Credentials::new().api_key("token").secret("secretKey")).unwrap()
    }

    fn sign(path: &str, body: &[u8], nonce: u64) -> Result<SignedRequest, Error> {
        let request = SignableRequest::new(Method::Post, path)?.with_body(body);
        signer().sign_with(&request, Timestamp::from_unix_millis(nonce), &SignOptions::new().keep_prehash())
    }

    /// The params alone: wrapped with the nonce as id, the method from the path; the body sent
    /// carries the params exactly as given and the signature covers them.
    #[test]
    fn params_alone_are_wrapped() {
        let params = br#"{"side":"BUY","instrument_name":"BTC_USDT"}"#;
        let signed = sign("/exchange/v1/private/create-order", params, 1_587_523_073_344).unwrap();
        let wire = std::str::from_utf8(signed.wire_body().unwrap()).unwrap();
        let sent: Value = serde_json::from_str(wire).unwrap();
        assert_eq!(sent["id"], json!(1_587_523_073_344_u64));
        assert_eq!(sent["method"], "private/create-order");
        assert_eq!(sent["params"], json!({"side": "BUY", "instrument_name": "BTC_USDT"}));
        assert_eq!(sent["sig"].as_str(), signed.signature_fields().next().map(|(_, v)| v));
        assert_eq!(
            CryptoComSigner::signing_string(wire.as_bytes()).unwrap(),
            "private/create-order1587523073344tokeninstrument_nameBTC_USDTsideBUY1587523073344"
        );
        assert_eq!(signed.prehash().unwrap().to_string(), CryptoComSigner::signing_string(wire.as_bytes()).unwrap());
        // An empty body: empty params.
        let empty = sign("/exchange/v1/private/user-balance", b"", 1).unwrap();
        let wire: Value = serde_json::from_slice(empty.wire_body().unwrap()).unwrap();
        assert_eq!(wire["params"], json!({}));
    }

    /// A whole request is checked against the signer: its key and its nonce.
    #[test]
    fn whole_request_is_checked() {
        let other_key = br#"{"id":1,"method":"private/x","api_key":"other","params":{},"nonce":5}"#;
        assert!(sign("/exchange/v1/private/x", other_key, 5).is_err());
        let other_nonce = br#"{"id":1,"method":"private/x","api_key":"token","params":{},"nonce":6}"#;
        assert!(sign("/exchange/v1/private/x", other_nonce, 5).is_err());
        // A string nonce (ccxt's) is signed as its text.
        let strings = br#"{"id":"5","method":"private/x","api_key":"token","params":{},"nonce":"5"}"#;
        let signed = sign("/exchange/v1/private/x", strings, 5).unwrap();
        assert_eq!(signed.prehash().unwrap().to_string(), "private/x5token5");
        // A received request (with its sig) is signed without it and not rewritten.
        let received = br#"{"id":"5","method":"private/x","api_key":"token","params":{},"nonce":"5","sig":"00"}"#;
        let again = sign("/exchange/v1/private/x", received, 5).unwrap();
        assert!(again.wire_body().is_none());
        assert_eq!(again.signature_fields().collect::<Vec<_>>(), signed.signature_fields().collect::<Vec<_>>());
    }

    #[test]
    fn rendering_rules() {
        let render = |v: Value| CryptoComSigner::param_string(&v);
        assert_eq!(render(json!({})).unwrap(), "");
        assert_eq!(render(Value::Null).unwrap(), "");
        assert_eq!(render(json!({"b": true, "a": false, "c": 1.5})).unwrap(), "afalsebtruec1.5");
        assert_eq!(
            render(json!({"order_list": [{"z": "1", "a": "2"}, {"m": null}], "c": "L"})).unwrap(),
            "cLorder_lista2z1mnull"
        );
        assert_eq!(render(json!({"o": {"y": 1, "x": 2}})).unwrap(), "ox2y1");
        // Three objects deep is the limit: params, an object in a list, an object in its list.
        assert_eq!(render(json!({"l": [{"k": ["a", "b"]}]})).unwrap(), "lkab");
        assert_eq!(render(json!({"l": [{"k": [{"x": [1, 2]}]}]})).unwrap(), "lkx12");
        assert!(render(json!({"l": [{"k": [{"m": [{"x": 1}]}]}]})).is_err());
        assert_eq!(render(json!({"o": {"p": {"q": 1}}})).unwrap(), "opq1");
        assert!(render(json!({"o": {"p": {"q": {"r": 1}}}})).is_err());
        assert!(render(json!({"l": [[1]]})).is_err());
        assert!(render(json!([1])).is_err());
    }

    /// Any depth of nesting is refused without recursing into it: no stack overflow.
    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let mut value = json!(1);
        for _ in 0..100 {
            value = json!({ "a": [value] });
        }
        // serde_json's own parser stops at 128 levels; a Value built in memory is deeper still.
        assert!(CryptoComSigner::param_string(&value).is_err());
        let body = format!(r#"{{"id":1,"method":"m","api_key":"token","nonce":1,"params":{}}}"#, value);
        assert!(CryptoComSigner::signing_string(body.as_bytes()).is_err());
    }

    /// How many objects deep a value nests (a list adds none), as the bound counts.
    fn depth(value: &Value) -> usize {
        match value {
            Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
            Value::Array(items) => items.iter().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-z0-9_]{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(8, 64, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Any params: rendered when they nest at most MAX_DEPTH objects and hold no list in a
        /// list, refused with a typed error otherwise; never a panic.
        #[test]
        fn any_params_are_rendered_or_refused(params in json_value()) {
            let params = match params {
                Value::Object(map) => Value::Object(map),
                other => json!({"p": other}),
            };
            let lists_in_lists = params.to_string().contains("[[") || params.to_string().contains(",[");
            match CryptoComSigner::param_string(&params) {
                Ok(_) => proptest::prop_assert!(depth(&params) <= MAX_DEPTH),
                Err(Error::InvalidParameters { .. }) => {
                    proptest::prop_assert!(depth(&params) > MAX_DEPTH || lists_in_lists)
                }
                Err(other) => proptest::prop_assert!(false, "{other:?}"),
            }
        }

        /// Any bytes as a received body: a signing string or a typed error, never a panic.
        #[test]
        fn any_body_is_read_or_refused(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = CryptoComSigner::signing_string(&body);
        }
    }

    #[test]
    fn credentials_are_checked() {
        assert!(CryptoComSigner::new(&Credentials::new().secret("s")).is_err());
        assert!(CryptoComSigner::new(&Credentials::new().api_key("a key").secret("s")).is_err());
        assert!(CryptoComSigner::new(&Credentials::new().api_key("k\"ey").secret("s")).is_err());
        assert!(CryptoComSigner::new(&Credentials::new().api_key("key")).is_err());
        assert!(format!("{:?}", signer()).contains("REDACTED"));
    }

    #[test]
    fn only_public_auth_is_signed_on_the_websocket() {
        let at = Timestamp::from_unix_millis(1_587_523_073_344);
        let login = signer().sign_ws_with(&WsRequest::login(), at, &SignOptions::new().keep_prehash()).unwrap();
        assert_eq!(login.prehash().unwrap().to_string(), "public/auth1587523073344token1587523073344");
        let message: Value = serde_json::from_str(login.message_json()).unwrap();
        assert_eq!(message["id"], json!(1_587_523_073_344_u64));
        assert_eq!(message["method"], "public/auth");
        assert!(signer().sign_ws_with(&WsRequest::api("private/get-order-detail", &[]), at, &SignOptions::new()).is_err());
    }
}
