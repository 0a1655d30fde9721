//! Upbit Open API: a JWT per request in `Authorization: Bearer`, REST and the private websocket.
//!
//! The token is HS256 (or HS512, which Upbit also accepts) over header `{"alg","typ":"JWT"}` and
//! claims `{"access_key","nonce"}` plus, when the request has parameters, `"query_hash":
//! hex(SHA-512(q))` and `"query_hash_alg":"SHA512"` (AUTH-breadth.md §9). `q` is the parameters
//! as `k=v&…` WITHOUT URL-encoding: the query as sent, percent-decoded (Upbit's sample hashes
//! `unquote(urlencode(params, doseq=True))`, so a `+` stays a `+`); or a JSON body's fields in
//! body order, arrays as `key[]=v1&key[]=v2`. [`UpbitSigner::query_hash_input`] is that
//! relation, so what is hashed can be recomputed from what is sent. No timestamp is signed: the
//! nonce, a fresh UUID v4 per token, is single-use. The method and path are not signed.
//!
//! The private websocket (`wss://api.upbit.com/websocket/v1/private`) takes the same token,
//! without query claims, in its handshake's `Authorization` header.

use std::fmt;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde::de::{MapAccess, Visitor};
use serde_json::Value;
use sha2::Digest as _;

use crate::credentials::ApiKey;
use crate::exchanges::common::{CompactJws, compact_jws, hmac_secret, ws_auth};
use crate::mac::{HmacKey, HmacSha512Key, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat, WireTimestamp,
    WsAuth, WsField, WsRequest,
};

/// The JWT algorithm an Upbit token is signed with.
///
/// `#[non_exhaustive]`: a `match` needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UpbitJwtAlgorithm {
    /// HMAC-SHA256 (`HS256`), what Upbit's samples, its SDK, pyupbit and ccxt sign with.
    #[default]
    Hs256,
    /// HMAC-SHA512 (`HS512`), which Upbit also accepts.
    Hs512,
}

impl UpbitJwtAlgorithm {
    /// The JWT `alg` value.
    pub const fn alg(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Hs512 => "HS512",
        }
    }
}

enum UpbitKey {
    Hs256(HmacKey),
    Hs512(HmacSha512Key),
}

/// Signs Upbit requests (`api.upbit.com` and the regional hosts) and the private websocket's
/// handshake.
///
/// The secret key's UTF-8 bytes are the HMAC key (it is not base64-decoded). Each token carries
/// a fresh UUID v4 nonce; [`SignOptions::with_nonce`] fixes one for tests.
///
/// ```
/// use cexsign::{Credentials, Method, SignOptions, SignableRequest, Signer, Timestamp, UpbitSigner};
/// // AUTH-breadth.md §9's worked example.
/// let signer = UpbitSigner::new(&Credentials::new().api_key("upbitACCESSKEY").secret("upbitSECRETKEY"))?;
/// let request = SignableRequest::new(Method::Get, "/v1/orders/open")?
///     .with_query("market=KRW-BTC&states%5B%5D=wait&states%5B%5D=watch")?;
/// // The bytes hashed are the query as sent, percent-decoded.
/// assert_eq!(
///     UpbitSigner::query_hash_input(&request)?.as_deref(),
///     Some("market=KRW-BTC&states[]=wait&states[]=watch")
/// );
/// let options = SignOptions::new().with_nonce("00000000-0000-4000-8000-000000000000");
/// let signed = signer.sign_with(&request, Timestamp::from_unix_secs(0), &options)?;
/// assert_eq!(signed.signature(), "ahumyloRBNXTMPMp7Q4iH9FDj74XQlIjo4J9_vVD_9k");
/// assert!(signed.header("authorization").unwrap().starts_with("Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
/// # Ok::<(), cexsign::Error>(())
/// ```
pub struct UpbitSigner {
    access_key: ApiKey,
    key: UpbitKey,
    headers: HeaderLayout,
}

impl fmt::Debug for UpbitSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpbitSigner")
            .field("access_key", &self.access_key)
            .field("algorithm", &self.algorithm())
            .field("secret_key", &"[REDACTED]")
            .finish()
    }
}

static AUTHORIZATION: http::HeaderName = http::header::AUTHORIZATION;

impl UpbitSigner {
    /// Checks the access key and the secret key, and keys the HMAC once (HS256).
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        Self::with_algorithm(credentials, UpbitJwtAlgorithm::Hs256)
    }

    /// The same, signing with `algorithm`.
    pub fn with_algorithm(credentials: &Credentials, algorithm: UpbitJwtAlgorithm) -> Result<Self, Error> {
        let scheme = Scheme::Upbit;
        let access_key = credentials.require_api_key(scheme)?;
        let secret = hmac_secret(
            credentials,
            scheme,
            "Upbit keys are HMAC keys: paste the secret key shown when the Open API key was issued, as text",
        )?;
        let key = match algorithm {
            UpbitJwtAlgorithm::Hs256 => UpbitKey::Hs256(HmacKey::new(secret.as_bytes())),
            UpbitJwtAlgorithm::Hs512 => UpbitKey::Hs512(HmacSha512Key::new(secret.as_bytes())),
        };
        Ok(Self { access_key, key, headers: HeaderLayout::new([(&AUTHORIZATION, HeaderSource::Token)]) })
    }

    /// The algorithm the tokens are signed with.
    pub fn algorithm(&self) -> UpbitJwtAlgorithm {
        match self.key {
            UpbitKey::Hs256(_) => UpbitJwtAlgorithm::Hs256,
            UpbitKey::Hs512(_) => UpbitJwtAlgorithm::Hs512,
        }
    }

    /// What a request's `query_hash` is the SHA-512 of, derived from the bytes it sends: the
    /// query as sent, percent-decoded (`%XX` to its byte, `+` left as it is, order kept); or,
    /// without a query, the JSON body's fields as `k=v` joined by `&` in body order (strings as
    /// they are, numbers and booleans as their JSON text, an array as `k[]=v` per item, `k` kept
    /// when it already ends in `[]`). `None` when the request has no parameters (no query claims).
    ///
    /// Refused: a request with both a query and a body (Upbit hashes one set of parameters), a
    /// body that is not a JSON object, a field that is `null` or an object.
    pub fn query_hash_input(request: &SignableRequest<'_>) -> Result<Option<String>, Error> {
        let query = request.query();
        let body = request.body();
        match (query.is_empty(), body.is_empty()) {
            (true, true) => Ok(None),
            (false, true) => percent_decoded(query).map(Some),
            (true, false) => body_as_query(body).map(Some),
            (false, false) => Err(Error::InvalidBody {
                scheme: Scheme::Upbit,
                problem: "the request has both a query and a body: Upbit hashes one set of parameters, so send them \
                          in the query (GET, DELETE) or in the JSON body (POST), not both",
            }),
        }
    }

    fn token(&self, query_hash: Option<&str>, options: &SignOptions) -> Result<CompactJws, Error> {
        let fresh;
        let nonce = match options.nonce() {
            Some("") => {
                return Err(Error::InvalidAuthValue {
                    scheme: Scheme::Upbit,
                    field: "nonce",
                    problem: "the nonce is empty: give a fresh UUID per request, or leave it out for a random one",
                });
            }
            Some(nonce) => nonce,
            None => {
                fresh = fresh_uuid();
                &fresh
            }
        };
        let header = Header { alg: self.algorithm().alg(), typ: "JWT" };
        let claims = Claims {
            access_key: self.access_key.as_str(),
            nonce,
            query_hash,
            query_hash_alg: query_hash.map(|_| "SHA512"),
        };
        compact_jws("Bearer ", &header, &claims, options, |input| {
            let input = PrehashParts::new().push(input);
            let mut mac = arrayvec::ArrayVec::<u8, 64>::new();
            match &self.key {
                UpbitKey::Hs256(key) => mac.extend(key.mac(&input)),
                UpbitKey::Hs512(key) => mac.extend(key.mac(&input)),
            }
            Ok(mac)
        })
    }
}

#[derive(Serialize)]
struct Header {
    alg: &'static str,
    typ: &'static str,
}

/// The claims in the order PyJWT and ccxt write them (the vectors' layout).
#[derive(Serialize)]
struct Claims<'a> {
    access_key: &'a str,
    nonce: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    query_hash: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query_hash_alg: Option<&'static str>,
}

#[derive(Serialize)]
struct Handshake<'a> {
    #[serde(rename = "Authorization")]
    authorization: &'a str,
}

impl Signer for UpbitSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Upbit
    }

    /// Upbit signs no time; this is the format a timestamp would be read in where one is given.
    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    fn ws_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    /// The timestamp is not used: the token's nonce replaces it.
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        _timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let query_hash = Self::query_hash_input(request)?.map(|q| hex::encode(sha2::Sha512::digest(q.as_bytes())));
        let mut jws = self.token(query_hash.as_deref(), options)?;
        let mut signed = SignedRequest::new("", &jws.signature, jws.prehash.take(), &self.headers);
        // Base64url parts and dots: a valid header value.
        signed.set_token(jws.into_text());
        Ok(signed)
    }

    /// The handshake's `Authorization: Bearer <token>` (no query claims), given as the field
    /// `Authorization`; the message is that header as a JSON object, since Upbit's private
    /// socket signs no message of its own.
    fn sign_ws_at(
        &self,
        _request: &WsRequest<'_>,
        _timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let mut jws = self.token(None, options)?;
        let (prehash, signature) = (jws.prehash.take(), jws.signature);
        let authorization = jws.into_text();
        let fields = vec![WsField::sensitive("Authorization", authorization.as_str())];
        Ok(ws_auth(&Handshake { authorization: &authorization }, fields, "", &signature, prehash))
    }
}

/// `%XX` to its byte, nothing else (Python's `unquote`: a `+` stays a `+`); UTF-8 required.
fn percent_decoded(query: &str) -> Result<String, Error> {
    let bytes = query.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(Error::MalformedQuery { position: i })?;
            let digit = |d: u8| char::from(d).to_digit(16).ok_or(Error::MalformedQuery { position: i });
            out.push((digit(hex[0])? << 4 | digit(hex[1])?) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| Error::MalformedQuery { position: wire_offset(bytes, e.utf8_error().valid_up_to()) })
}

/// The offset in the wire query of the byte that decodes to output byte `decoded`.
fn wire_offset(wire: &[u8], decoded: usize) -> usize {
    let mut input = 0;
    for _ in 0..decoded {
        input += if wire.get(input) == Some(&b'%') { 3 } else { 1 };
    }
    input
}

fn invalid_body(problem: &'static str) -> Error {
    Error::InvalidBody { scheme: Scheme::Upbit, problem }
}

/// A JSON object's fields in the order the body lists them (serde_json's map sorts its keys).
struct OrderedFields(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for OrderedFields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = OrderedFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedFields, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry::<String, Value>()? {
                    fields.push(field);
                }
                Ok(OrderedFields(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// The JSON body's fields rendered as `k=v&…`, in body order.
fn body_as_query(body: &[u8]) -> Result<String, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let fields = serde::Deserialize::deserialize(&mut deserializer)
        .and_then(|fields: OrderedFields| deserializer.end().map(|()| fields))
        .map_err(|_| invalid_body("the body is not a JSON object: Upbit hashes a JSON body's fields, send one object"))?;
    let mut out = String::with_capacity(body.len());
    let mut push = |key: &str, value: &str| {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    };
    for (key, value) in &fields.0 {
        match value {
            Value::Array(items) => {
                let key = if key.ends_with("[]") { key.clone() } else { format!("{key}[]") };
                for item in items {
                    push(&key, &scalar(item)?);
                }
            }
            other => push(key, &scalar(other)?),
        }
    }
    Ok(out)
}

/// A field's value as the hashed query writes it.
fn scalar(value: &Value) -> Result<String, Error> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(flag) => Ok(flag.to_string()),
        Value::Null => Err(invalid_body("a field is null: leave the field out instead (Upbit's query has no null)")),
        Value::Array(_) | Value::Object(_) => Err(invalid_body(
            "a field holds an object or a nested array: Upbit's parameters are flat (a value, or an array of values)",
        )),
    }
}

/// A UUID v4 no other token of this process carries: 128 bits from the standard library's
/// randomly keyed SipHash over a counter (keyed afresh per process), with the version and
/// variant bits set. Upbit asks for a nonce used once, not an unguessable one.
fn fresh_uuid() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let state = std::collections::hash_map::RandomState::new();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let half = |salt: u64| {
        let mut hasher = state.build_hasher();
        hasher.write_u64(count);
        hasher.write_u64(salt);
        hasher.finish()
    };
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&half(0).to_be_bytes());
    bytes[8..].copy_from_slice(&half(1).to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Method;

    fn request<'a>(method: Method, query: &'a str, body: &'a [u8]) -> SignableRequest<'a> {
        SignableRequest::new(method, "/v1/orders").unwrap().with_query(query).unwrap().with_body(body)
    }

    #[test]
    fn the_hashed_query_is_the_sent_query_percent_decoded() {
        let hashed = |query| UpbitSigner::query_hash_input(&request(Method::Get, query, b"")).unwrap();
        assert_eq!(hashed(""), None);
        assert_eq!(hashed("start_time=2024-06-08T12%3A30%3A45%2B09%3A00").as_deref(), Some("start_time=2024-06-08T12:30:45+09:00"));
        // Python's unquote leaves `+` alone.
        assert_eq!(hashed("a=b+c").as_deref(), Some("a=b+c"));
        assert_eq!(hashed("id=%EC%A3%BC%EB%AC%B8").as_deref(), Some("id=주문"));
        let malformed = UpbitSigner::query_hash_input(&request(Method::Get, "a=100%", b"")).unwrap_err();
        assert_eq!(malformed, Error::MalformedQuery { position: 5 });
    }

    #[test]
    fn a_body_is_hashed_as_its_fields_in_body_order() {
        let hashed = |body: &[u8]| UpbitSigner::query_hash_input(&request(Method::Post, "", body));
        assert_eq!(hashed(br#"{"z":"1","a":2,"m":true}"#).unwrap().as_deref(), Some("z=1&a=2&m=true"));
        assert_eq!(hashed(br#"{"uuids":["x","y"],"states[]":["a"]}"#).unwrap().as_deref(), Some("uuids[]=x&uuids[]=y&states[]=a"));
        for refused in [&b"[1]"[..], b"{\"a\":null}", b"{\"a\":{\"b\":1}}", b"{\"a\":1} x", b"not json"] {
            assert!(matches!(hashed(refused), Err(Error::InvalidBody { .. })), "{}", String::from_utf8_lossy(refused));
        }
        let both = UpbitSigner::query_hash_input(&request(Method::Post, "a=1", b"{}")).unwrap_err();
        assert!(both.to_string().contains("not both"), "{both}");
    }

    #[test]
    fn fresh_nonces_are_distinct_uuid_v4() {
        let (a, b) = (fresh_uuid(), fresh_uuid());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn hs512_tokens_name_their_algorithm_and_verify() {
        use hmac::{KeyInit, Mac};
        let credentials = Credentials::new().api_key("upbitACCESSKEY").secret("upbitSECRETKEY");
        let signer = UpbitSigner::with_algorithm(&credentials, UpbitJwtAlgorithm::Hs512).unwrap();
        let options = SignOptions::new().with_nonce("n");
        let signed = signer.sign_with(&request(Method::Get, "", b""), crate::Timestamp::from_unix_secs(0), &options).unwrap();
        let token = signed.header("authorization").unwrap().strip_prefix("Bearer ").unwrap();
        let (input, signature) = token.rsplit_once('.').unwrap();
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        assert_eq!(b64.decode(input.split('.').next().unwrap()).unwrap(), br#"{"alg":"HS512","typ":"JWT"}"#);
        let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(b"upbitSECRETKEY").unwrap();
        mac.update(input.as_bytes());
        assert_eq!(b64.decode(signature).unwrap(), mac.finalize().into_bytes().to_vec());
    }

    #[test]
    fn secrets_stay_out_of_debug_and_an_empty_nonce_is_refused() {
        let credentials = Credentials::new().api_key("upbitACCESSKEY").secret("upbitSECRETKEY");
        let signer = UpbitSigner::new(&credentials).unwrap();
        assert!(!format!("{signer:?}").contains("upbitSECRETKEY"));
        let err = signer
            .sign_with(&request(Method::Get, "", b""), crate::Timestamp::from_unix_secs(0), &SignOptions::new().with_nonce(""))
            .unwrap_err();
        assert!(err.to_string().contains("nonce"), "{err}");
        assert!(matches!(UpbitSigner::new(&Credentials::new().api_key("k")), Err(Error::MissingCredential { .. })));
    }
}
