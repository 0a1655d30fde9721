//! Binance Spot and USDⓈ-M futures: REST and the WebSocket API, with HMAC, Ed25519 or RSA keys.
//!
//! The payload is `query + body`, joined with nothing, exactly as sent; no method, no path, no
//! sorting. `timestamp` (and `recvWindow`) are ordinary parameters inside it, and the signature
//! goes back into the request as its last parameter, `signature=<value>`, in whichever part
//! carries the parameters (the body when there is one, else the query). HMAC keys give hex;
//! Ed25519 and RSA keys give base64, percent-encoded in the parameter.
//!
//! The WebSocket API signs its params instead: `apiKey`, `timestamp` and the request's params,
//! sorted by name and joined `k=v&…` with their raw values (no percent-encoding, unlike REST).

use std::fmt::Write as _;
use std::sync::LazyLock;
use std::time::Duration;

use http::HeaderName;
use memchr::memmem::Finder;

use crate::exchanges::common::ApiSigningKey;
use crate::credentials::ApiKey;
use crate::form;
use crate::mac::PrehashParts;
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat, WireTimestamp,
    WsAuth, WsField, WsRequest,
};

static X_MBX_APIKEY: HeaderName = HeaderName::from_static("x-mbx-apikey");

/// The kind of a Binance API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BinanceKeyType {
    /// A system-generated HMAC key: the secret is used as raw text, signatures are hex.
    #[default]
    Hmac,
    /// An Ed25519 key you generated: the secret is its PKCS#8 PEM private key (feature
    /// `pem-keys`, on by default). The only key type `session.logon` accepts.
    #[cfg(feature = "pem-keys")]
    #[cfg_attr(docsrs, doc(cfg(feature = "pem-keys")))]
    Ed25519,
    /// An RSA key you generated: the secret is its PKCS#8 or PKCS#1 PEM private key (feature
    /// `pem-keys`, on by default).
    #[cfg(feature = "pem-keys")]
    #[cfg_attr(docsrs, doc(cfg(feature = "pem-keys")))]
    Rsa,
}

/// Signs Binance Spot and USDⓈ-M requests.
///
/// Build the request *without* `timestamp` and `signature`: the signer appends
/// `recvWindow` (if configured), `timestamp` and `signature` to the body when the request has
/// one, else to the query, and returns the query or body to send in
/// [`SignedRequest::wire_query`] / [`SignedRequest::wire_body`] (the reqwest layer applies it). A
/// request that already carries `timestamp` is signed as is, if it is the timestamp being signed.
///
/// ```
/// use cexsign::{BinanceKeyType, BinanceSigner, Credentials, Method, SignableRequest, Signer, Timestamp};
/// // The keys and request of Binance's own "SIGNED Endpoint Examples".
/// let signer = BinanceSigner::new(
///     &Credentials::new()
///         .api_key("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A")
///         .secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"),
///     BinanceKeyType::Hmac,
/// )?
/// .with_recv_window(std::time::Duration::from_millis(5000))?;
/// let request = SignableRequest::new(Method::Post, "/api/v3/order")?
///     .with_query("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1")?;
/// let signed = signer.sign(&request, Timestamp::from_unix_millis(1_499_827_319_559))?;
/// assert_eq!(signed.signature(), "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
/// assert_eq!(
///     signed.wire_query().unwrap(),
///     "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000\
///      &timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
/// );
/// assert_eq!(signed.header("X-MBX-APIKEY").unwrap(), "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct BinanceSigner {
    api_key: ApiKey,
    key: ApiSigningKey,
    recv_window: Option<String>,
    timestamp_format: TimestampFormat,
    headers: HeaderLayout,
}

impl BinanceSigner {
    /// Checks the credentials and parses or keys the secret once. An HMAC key given a PEM
    /// secret, or an Ed25519/RSA key given anything but its PEM private key, is an error here.
    pub fn new(credentials: &Credentials, key_type: BinanceKeyType) -> Result<Self, Error> {
        let scheme = Scheme::Binance;
        let api_key = credentials.require_api_key(scheme)?;
        let key = match key_type {
            BinanceKeyType::Hmac => {
                ApiSigningKey::hmac(credentials, scheme, "BinanceKeyType::Ed25519 or BinanceKeyType::Rsa")?
            }
            #[cfg(feature = "pem-keys")]
            BinanceKeyType::Ed25519 => ApiSigningKey::ed25519(credentials, scheme)?,
            #[cfg(feature = "pem-keys")]
            BinanceKeyType::Rsa => ApiSigningKey::rsa(credentials, scheme)?,
        };
        let headers = HeaderLayout::new([(&X_MBX_APIKEY, HeaderSource::Fixed(api_key.header_value()))]);
        Ok(Self { api_key, key, recv_window: None, timestamp_format: TimestampFormat::UnixMillis, headers })
    }

    /// Appends `recvWindow` to every request that does not carry one: how long after its
    /// timestamp Binance still accepts it (Binance's default 5000 ms; at most 60000 ms, with up
    /// to three decimals, e.g. 6000.346 ms).
    pub fn with_recv_window(mut self, window: Duration) -> Result<Self, Error> {
        let micros = window.as_micros();
        if micros == 0 || micros > 60_000_000 || !window.subsec_nanos().is_multiple_of(1_000) {
            return Err(Error::InvalidParameters {
                scheme: Scheme::Binance,
                problem: "recvWindow must be above 0 and at most 60000 ms, in whole microseconds (5000 ms is advised)",
            });
        }
        let (millis, fraction) = (micros / 1000, micros % 1000);
        self.recv_window = Some(if fraction == 0 { millis.to_string() } else { format!("{millis}.{fraction:03}") });
        Ok(self)
    }

    /// Writes `timestamp` in microseconds instead of milliseconds (Binance accepts both).
    pub fn with_microsecond_timestamps(mut self) -> Self {
        self.timestamp_format = TimestampFormat::UnixMicros;
        self
    }
}

/// The parameters of a request the signer owns or reads, found in the query then the body
/// (first occurrence wins, as Binance reads them).
#[derive(Debug, Default, PartialEq, Eq)]
struct OwnParams<'a> {
    signature: bool,
    timestamp: Option<&'a [u8]>,
    recv_window: bool,
}

/// Forms up to this long are read pair by pair: no searcher to set up, so a 4-pair, 60-byte
/// query takes 207 fewer instructions than the finders (callgrind). A 180-byte, 9-pair order form
/// takes 314 more: past a few pairs the three SIMD searches win, and they cost the same whatever
/// the number of pairs.
const PAIR_WALK_MAX: usize = 128;

impl<'a> OwnParams<'a> {
    /// Every request is scanned, within a budget whatever the form holds.
    fn scan(query: &'a [u8], body: &'a [u8]) -> Self {
        if query.len() + body.len() <= PAIR_WALK_MAX {
            let mut own = OwnParams::default();
            own.walk(query);
            own.walk(body);
            own
        } else {
            Self::find(query, body)
        }
    }

    /// Each name searched for with a finder built once.
    fn find(query: &'a [u8], body: &'a [u8]) -> Self {
        static SIGNATURE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("signature"));
        static TIMESTAMP: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("timestamp"));
        static RECV_WINDOW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("recvWindow"));
        let first = |finder: &Finder<'static>| {
            let in_query = form::first_named(query, finder).map(|pair| pair.value(query));
            in_query.or_else(|| form::first_named(body, finder).map(|pair| pair.value(body)))
        };
        OwnParams {
            signature: first(&SIGNATURE).is_some(),
            timestamp: first(&TIMESTAMP),
            recv_window: first(&RECV_WINDOW).is_some(),
        }
    }

    /// Reads `form`'s pairs in order.
    fn walk(&mut self, form: &'a [u8]) {
        for (name, value) in form::pairs(form) {
            match name {
                b"signature" => self.signature = true,
                b"timestamp" => {
                    self.timestamp.get_or_insert(value);
                }
                b"recvWindow" => self.recv_window = true,
                _ => {}
            }
        }
    }
}

/// Appends a signature as a query or form value: base64 with the three characters that are not
/// safe there percent-encoded (hex signatures have none).
fn encode_signature(signature: &str, out: &mut Vec<u8>) {
    let mut start = 0;
    for (at, byte) in signature.bytes().enumerate() {
        let escaped = match byte {
            b'+' => "%2B",
            b'/' => "%2F",
            b'=' => "%3D",
            _ => continue,
        };
        out.extend_from_slice(&signature.as_bytes()[start..at]);
        out.extend_from_slice(escaped.as_bytes());
        start = at + 1;
    }
    out.extend_from_slice(&signature.as_bytes()[start..]);
}

/// A string as a JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

fn invalid(scheme: Scheme, problem: &'static str) -> Error {
    Error::InvalidParameters { scheme, problem }
}

/// What an exchange that signs inside its parameters (Binance's rule) says when a body cannot
/// carry them: its scheme, and its two refusals in its own words.
#[derive(Debug)]
pub(crate) struct ParameterRules {
    /// The scheme the errors name.
    pub(crate) scheme: Scheme,
    /// Why a body with non-ASCII bytes is refused.
    pub(crate) ascii_body: &'static str,
    /// Why a JSON body is refused.
    pub(crate) form_body: &'static str,
}

/// Binance's wording.
const BINANCE_PARAMETERS: ParameterRules = ParameterRules {
    scheme: Scheme::Binance,
    ascii_body: "a Binance body is a form (k=v&k=v) of ASCII: percent-encode non-ASCII characters before signing",
    form_body: "Binance reads parameters from the query and an application/x-www-form-urlencoded body (k=v&k=v), \
                never JSON: send the parameters as a form or in the query",
};

/// Signs a request inside its own parameters: `query + body` exactly as sent (with
/// `recvWindow` and `timestamp` appended when absent) is the payload, and the signature goes
/// back as the last parameter of the body when there is one, else of the query. Binance's REST
/// rule, which MEXC's spot API shares.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_in_parameters(
    rules: &ParameterRules,
    key: &ApiSigningKey,
    recv_window: Option<&str>,
    headers: &HeaderLayout,
    request: &SignableRequest<'_>,
    timestamp: &str,
    options: &SignOptions,
) -> Result<SignedRequest, Error> {
    let (query, body) = (request.query(), request.body());
    // Binance: "any non-ASCII character must be percent-encoded before signing". (`is_ascii`
    // is the word-at-a-time check; the query is visible ASCII by construction. The body is
    // then handled as bytes: ASCII needs no second, UTF-8 pass.)
    if !body.is_ascii() {
        return Err(Error::InvalidBody {
            scheme: rules.scheme,
            problem: rules.ascii_body,
        });
    }
    // Binance reads parameters from the query and a form body only: appending `&timestamp=…`
    // to a JSON body would send a body that is neither, and that Binance does not read.
    if matches!(body.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'[')) {
        return Err(Error::InvalidBody {
            scheme: rules.scheme,
            problem: rules.form_body,
        });
    }
    let query = query.as_bytes();
    let own = OwnParams::scan(query, body);
    if own.signature {
        return Err(invalid(rules.scheme, "the request already has a signature parameter: build it without one"));
    }
    let sent_timestamp = own.timestamp;
    if sent_timestamp.is_some_and(|sent| sent != timestamp.as_bytes()) {
        return Err(invalid(rules.scheme, 
            "the request's timestamp parameter is not the timestamp being signed: leave timestamp out (the signer \
             appends it)",
        ));
    }
    // The parameters the signer appends, to the body when there is one, else to the query.
    let in_body = !body.is_empty();
    let carrier = if in_body { body } else { query };
    // One buffer: the carrier, the appended parameters, then (after signing) the signature,
    // whose base64 characters may each take three once percent-encoded.
    let mut wire = Vec::with_capacity(carrier.len() + 64 + timestamp.len() + 3 * key.signature_len());
    wire.extend_from_slice(carrier);
    let append = |wire: &mut Vec<u8>, name: &[u8], value: &[u8]| {
        if !wire.is_empty() {
            wire.push(b'&');
        }
        wire.extend_from_slice(name);
        wire.extend_from_slice(value);
    };
    if let Some(window) = recv_window {
        if !own.recv_window {
            append(&mut wire, b"recvWindow=", window.as_bytes());
        }
    }
    if sent_timestamp.is_none() {
        append(&mut wire, b"timestamp=", timestamp.as_bytes());
    }
    let prehash = if in_body {
        PrehashParts::new().push(query).push(&wire)
    } else {
        PrehashParts::new().push(&wire).push(body)
    };
    let (signature, prehash) = key.sign(prehash, options)?;
    append(&mut wire, b"signature=", b"");
    if key.signs_in_hex() {
        wire.extend_from_slice(signature.as_bytes());
    } else {
        encode_signature(&signature, &mut wire);
    }
    let mut signed = SignedRequest::new(timestamp, &signature, prehash, headers);
    if in_body {
        signed.set_wire_body(wire);
    } else {
        // The query was text and everything appended is ASCII.
        let wire = String::from_utf8(wire).map_err(|_| invalid(rules.scheme, "the query must be text"))?;
        signed.set_wire_query(wire);
    }
    Ok(signed)
}

impl Signer for BinanceSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Binance
    }

    fn rest_timestamp_format(&self) -> TimestampFormat {
        self.timestamp_format
    }

    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let timestamp = timestamp.text_if(
            |f| matches!(f, TimestampFormat::UnixMillis | TimestampFormat::UnixMicros),
            self.timestamp_format,
        )?;
        sign_in_parameters(&BINANCE_PARAMETERS, &self.key, self.recv_window.as_deref(), &self.headers, request, timestamp, options)
    }

    /// A signed WebSocket API request, `WsRequest::api(method, params)`: the message is
    /// `{"id", "method", "params": {…sorted…, "signature"}}` with `apiKey` and `timestamp`
    /// (a number) added to the params. `session.logon` needs an Ed25519 key.
    fn sign_ws_at(
        &self,
        request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let timestamp = timestamp.text_if(
            |f| matches!(f, TimestampFormat::UnixMillis | TimestampFormat::UnixMicros),
            self.timestamp_format,
        )?;
        let method = request.method().ok_or(Error::InvalidWsRequest {
            problem: "Binance WebSocket API requests are method calls: use WsRequest::api(\"order.place\", &params) \
                      (or \"session.logon\" with no params)",
        })?;
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::InvalidWsRequest {
                problem: "the WebSocket API method is empty or holds spaces or control characters: name it, e.g. \
                          \"order.place\"",
            });
        }
        if method == "session.logon" && !self.key.is_ed25519() {
            return Err(Error::KeyTypeUnsupported {
                scheme: Scheme::Binance,
                problem: "session.logon needs an Ed25519 key; with an HMAC or RSA key, sign every request instead",
            });
        }
        // (name, value text, value as JSON)
        let mut params: Vec<(&str, String, String)> = Vec::with_capacity(request.params().len() + 3);
        for (name, value) in request.params() {
            if matches!(*name, "apiKey" | "timestamp" | "signature") {
                return Err(Error::InvalidWsRequest {
                    problem: "leave apiKey, timestamp and signature out of the params: the signer adds them",
                });
            }
            let text = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Number(number) => number.to_string(),
                serde_json::Value::Bool(flag) => flag.to_string(),
                _ => {
                    return Err(Error::InvalidWsRequest {
                        problem: "Binance param values are strings, numbers or booleans",
                    });
                }
            };
            params.push((name, text, value.to_string()));
        }
        params.push(("apiKey", self.api_key.as_str().to_owned(), json_string(self.api_key.as_str())));
        params.push(("timestamp", timestamp.to_owned(), timestamp.to_owned()));
        if let Some(window) = &self.recv_window {
            if !params.iter().any(|(name, ..)| *name == "recvWindow") {
                params.push(("recvWindow", window.clone(), window.clone()));
            }
        }
        params.sort_by(|a, b| a.0.cmp(b.0));
        if params.windows(2).any(|pair| pair[0].0 == pair[1].0) {
            return Err(Error::InvalidWsRequest { problem: "a param name appears twice: give each param once" });
        }
        let mut payload = String::with_capacity(params.iter().map(|(n, t, _)| n.len() + t.len() + 2).sum());
        for (i, (name, text, _)) in params.iter().enumerate() {
            if i > 0 {
                payload.push('&');
            }
            payload.push_str(name);
            payload.push('=');
            payload.push_str(text);
        }
        let (signature, prehash) = self.key.sign(PrehashParts::new().push_str(&payload), options)?;
        let mut message = String::with_capacity(payload.len() + signature.len() + 96);
        let id = match request.id() {
            Some(id) => json_string(id),
            None => "null".to_owned(),
        };
        let _ = write!(message, "{{\"id\":{id},\"method\":{},\"params\":{{", json_string(method));
        for (name, _, json) in &params {
            let _ = write!(message, "{}:{json},", json_string(name));
        }
        let _ = write!(message, "\"signature\":{}}}}}", json_string(&signature));
        let fields = vec![
            WsField::new("apiKey", self.api_key.as_str()),
            WsField::new("timestamp", timestamp),
            WsField::new("signature", &*signature),
        ];
        Ok(WsAuth::new(fields, message, timestamp.to_owned(), signature.to_string(), prehash))
    }
}

/// The WebSocket API messages a bot builds, checked byte for byte against Binance's docs'
/// worked examples (web-socket-api.md, "SIGNED request example (HMAC)") and AUTH-more.md's
/// Ed25519 row, whose signatures were computed apart from this signer. The params are signed
/// sorted by name with their raw values: NOT percent-encoded (some connectors percent-encode
/// them and are refused with -1022).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Timestamp, WsRequest};
    use serde_json::json;

    /// The pair walk (short forms) and the finders (long ones) read every form alike.
    mod own_params {
        use super::*;
        use proptest::prelude::*;

        fn form() -> impl Strategy<Value = Vec<u8>> {
            let piece = prop::sample::select(vec![
                "signature", "timestamp", "recvWindow", "=", "&", "1", "x", "stamp", "time", "Window=5",
                "&timestamp=1", "&timestamp=2", "&timestamp", "&signature", "&recvWindow=5",
            ]);
            prop::collection::vec(piece, 0..16).prop_map(|pieces| pieces.concat().into_bytes())
        }

        proptest! {
            #[test]
            fn walk_and_finders_agree(query in form(), body in form()) {
                let mut walked = OwnParams::default();
                walked.walk(&query);
                walked.walk(&body);
                prop_assert_eq!(walked, OwnParams::find(&query, &body));
            }
        }

        #[test]
        fn forms_past_the_walk_limit_are_read_alike() {
            let long = format!("{}&timestamp=7&signature=x", "a&".repeat(PAIR_WALK_MAX));
            let own = OwnParams::scan(long.as_bytes(), b"");
            assert_eq!(own, OwnParams { signature: true, timestamp: Some(b"7"), recv_window: false });
        }
    }

    const DOCS_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    const DOCS_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    fn docs_hmac() -> BinanceSigner {
        BinanceSigner::new(&Credentials::new().api_key(DOCS_KEY).secret(DOCS_SECRET), BinanceKeyType::Hmac).unwrap()
    }

    #[test]
    fn the_docs_order_place_examples_sign_raw_sorted_params() {
        let ascii = [
            ("symbol", json!("BTCUSDT")),
            ("side", json!("SELL")),
            ("type", json!("LIMIT")),
            ("timeInForce", json!("GTC")),
            ("quantity", json!("0.01000000")),
            ("price", json!("52000.00")),
            ("recvWindow", json!(100)),
        ];
        let at = Timestamp::from_unix_millis(1_645_423_376_532);
        let auth = docs_hmac().sign_ws(&WsRequest::api("order.place", &ascii), at).unwrap();
        assert_eq!(auth.signature(), "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24");
        // The non-ASCII symbol is signed as is, never percent-encoded.
        let non_ascii = [
            ("symbol", json!("１２３４５６")),
            ("side", json!("BUY")),
            ("type", json!("LIMIT")),
            ("timeInForce", json!("GTC")),
            ("quantity", json!("1.00000000")),
            ("price", json!("0.10000000")),
            ("recvWindow", json!(5000)),
        ];
        let request = WsRequest::api("order.place", &non_ascii);
        let options = SignOptions::new().keep_prehash();
        let wire = WireTimestamp::render(TimestampFormat::UnixMillis, at).unwrap();
        let auth = docs_hmac().sign_ws_at(&request, &wire, &options).unwrap();
        assert_eq!(auth.signature(), "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd");
        let prehash = String::from_utf8(auth.prehash().unwrap().as_bytes().to_vec()).unwrap();
        assert_eq!(
            prehash,
            "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=0.10000000&quantity=1.00000000\
             &recvWindow=5000&side=BUY&symbol=１２３４５６&timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
        );
    }

    /// "Subscribe to User Data Stream through signature subscription": params apiKey and
    /// timestamp, signed as `apiKey=…&timestamp=…`. The docs' own example is signed with a key
    /// whose private half is not published; this one's signature is
    /// `echo -n 'apiKey=vmPU…&timestamp=1747385641636' | openssl dgst -sha256 -hmac <docs secret>`.
    #[test]
    fn user_data_stream_subscribe_signature_is_built_for_an_hmac_key() {
        let request = WsRequest::api("userDataStream.subscribe.signature", &[]).with_id("d3df8a22-98ea-4fe0-9f4e-0fcea5d418b7");
        let auth = docs_hmac().sign_ws(&request, Timestamp::from_unix_millis(1_747_385_641_636)).unwrap();
        assert_eq!(
            auth.message_json(),
            "{\"id\":\"d3df8a22-98ea-4fe0-9f4e-0fcea5d418b7\",\"method\":\"userDataStream.subscribe.signature\",\
             \"params\":{\"apiKey\":\"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\",\
             \"timestamp\":1747385641636,\
             \"signature\":\"681110a6057ad58657af22f5640fab9dd17418834cdfccdc81be8b0f7b2cde3e\"}}"
        );
    }

    /// AUTH-more.md's Ed25519 row (seed 00 01 … 1f): `session.logon` and the signed subscribe
    /// share the payload `apiKey=…&timestamp=…`, so the same signature.
    #[cfg(feature = "pem-keys")]
    #[test]
    fn session_logon_and_the_signed_subscribe_are_built_for_an_ed25519_key() {
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f\n-----END PRIVATE KEY-----\n";
        let signer =
            BinanceSigner::new(&Credentials::new().api_key(DOCS_KEY).secret(pem), BinanceKeyType::Ed25519).unwrap();
        let at = Timestamp::from_unix_millis(1_700_000_000_000);
        let expected = "t8ovbNw0wOoUScqwsxKfw5Y1i2/39eKeYGSRWcJt6Kj9/OORAv/A/KpnxUsgjD44IFaXbq/8C3HLztPBPC8ADg==";
        for method in ["session.logon", "userDataStream.subscribe.signature"] {
            let auth = signer.sign_ws(&WsRequest::api(method, &[]).with_id("1"), at).unwrap();
            assert_eq!(auth.signature(), expected, "{method}");
            assert_eq!(
                auth.message_json(),
                format!(
                    "{{\"id\":\"1\",\"method\":\"{method}\",\"params\":{{\"apiKey\":\"{DOCS_KEY}\",\
                     \"timestamp\":1700000000000,\"signature\":\"{expected}\"}}}}"
                )
            );
        }
        // An HMAC key cannot log on, but can sign the subscribe.
        assert!(docs_hmac().sign_ws(&WsRequest::api("session.logon", &[]), at).is_err());
        assert!(docs_hmac().sign_ws(&WsRequest::api("userDataStream.subscribe.signature", &[]), at).is_ok());
    }
}
