//! MEXC: spot v3 and futures ("contract") REST, and the contract websocket login, with one key.
//!
//! The two APIs sign differently (AUTH-breadth.md §6), and the request's path says which one it
//! is for ([`MexcApi::of_path`]):
//!
//! - **spot** (`/api/v3/…`) signs as Binance does: `hex(HMAC-SHA256(secret, query + body))`
//!   over the parameters exactly as sent, `timestamp` (and `recvWindow`) among them, the
//!   signature appended as the last parameter `signature`; the key goes in `X-MEXC-APIKEY`.
//!   The rule is the Binance home's [`sign_in_parameters`], not a copy of it.
//! - **contract** (`/api/v1/private/…`) signs `api_key + Request-Time + paramString` into
//!   `Signature` (hex), with `ApiKey` and `Request-Time` beside it. paramString is the body as
//!   sent for a POST (the JSON itself, never re-sorted), and for a GET or DELETE (a request
//!   without a body) the query's
//!   pairs sorted by name with each value URL-encoded as MEXC's Java sample does
//!   (`URLEncoder.encode(v).replace("+", "%20")`). That is a canonical rendering, not the bytes
//!   sent: the signer sends the query in exactly that rendering
//!   ([`SignedRequest::wire_query`] when it differs), so what is signed is what is sent;
//!   [`MexcSigner::contract_param_string`] shows the rendering of any query.
//!
//! The contract websocket login signs `api_key + reqTime`; spot's private streams take a
//! listenKey from the signed `POST /api/v3/userDataStream` instead.

use std::borrow::Cow;
use std::time::Duration;

use http::HeaderName;
use serde::Serialize;

use super::super::binance::{ParameterRules, sign_in_parameters};
use crate::credentials::ApiKey;
use crate::exchanges::common::{ApiSigningKey, ws_auth};
use crate::mac::PrehashParts;
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Method, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat,
    WireTimestamp, WsAuth, WsField, WsRequest,
};

static X_MEXC_APIKEY: HeaderName = HeaderName::from_static("x-mexc-apikey");
static API_KEY: HeaderName = HeaderName::from_static("apikey");
static REQUEST_TIME: HeaderName = HeaderName::from_static("request-time");
static SIGNATURE: HeaderName = HeaderName::from_static("signature");

/// MEXC secrets are 32 hex characters (AUTH-breadth.md §6's example
/// `45d0b3c26f2644f19bfb98b07741b2f5`), keys `mx0` and then letters and digits (`mx0vglBqh6abc123`,
/// no documented length): both together in the wrong places were swapped.
fn refuse_swapped(credentials: &Credentials) -> Result<(), Error> {
    use secrecy::ExposeSecret as _;
    let (Some(key), Some(secret)) = (credentials.api_key.as_deref(), credentials.secret.as_ref()) else {
        return Ok(());
    };
    let secret = secret.expose_secret();
    let secret_like = key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit());
    let key_like = secret.len() > 3 && secret.starts_with("mx0") && secret.bytes().all(|b| b.is_ascii_alphanumeric());
    if secret_like && key_like {
        return Err(Error::KeyAndSecretSwapped {
            scheme: Scheme::Mexc,
            key_looks_like: "32 hex characters",
            secret_looks_like: "mx0 followed by letters and digits",
        });
    }
    Ok(())
}

/// How MEXC's spot API words the refusals of a body that cannot carry its parameters.
const SPOT_PARAMETERS: ParameterRules = ParameterRules {
    scheme: Scheme::Mexc,
    ascii_body: "a MEXC spot body is a form (k=v&k=v) of ASCII: percent-encode non-ASCII characters before signing",
    form_body: "MEXC spot signs its parameters in the query or an application/x-www-form-urlencoded body (k=v&k=v), \
                never JSON (ccxt and pymexc send them all in the query): send them as a form or in the query",
};

/// Which MEXC API a request is for: they sign differently.
///
/// `#[non_exhaustive]`: a `match` needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MexcApi {
    /// Spot v3 (`https://api.mexc.com/api/v3/…`): signed inside its parameters.
    Spot,
    /// Futures, "contract" (`https://contract.mexc.com/api/v1/private/…`): signed into headers.
    Contract,
}

impl MexcApi {
    /// The API a path belongs to: spot's paths all start `/api/v3/`; every other path (the
    /// contract API's are under `/api/v1/`) is signed as a contract request.
    ///
    /// ```
    /// use cexsign::MexcApi;
    /// assert_eq!(MexcApi::of_path("/api/v3/order"), MexcApi::Spot);
    /// assert_eq!(MexcApi::of_path("/api/v1/private/order/submit"), MexcApi::Contract);
    /// ```
    pub fn of_path(path: &str) -> Self {
        if path.starts_with("/api/v3/") { MexcApi::Spot } else { MexcApi::Contract }
    }

    /// `spot` or `contract`, as the conformance vectors' `api` option names it.
    pub const fn as_str(self) -> &'static str {
        match self {
            MexcApi::Spot => "spot",
            MexcApi::Contract => "contract",
        }
    }
}

/// Signs MEXC spot and contract requests and the contract websocket login, with one key (MEXC
/// keys work for both APIs; the path picks the rule, see [`MexcApi::of_path`]).
///
/// ```
/// use cexsign::{Credentials, MexcSigner, Method, SignableRequest, Signer, Timestamp};
/// // AUTH-breadth.md §6's worked example (fake key).
/// let signer = MexcSigner::new(
///     &Credentials::new().api_key("mx0vglBqh6abc123").secret("45d0b3c26f2644f19bfb98b07741b2f5"),
/// )?;
/// // Spot: the signature is the last query parameter.
/// let order = SignableRequest::new(Method::Post, "/api/v3/order")?.with_query(
///     "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000&timestamp=1644489390087",
/// )?;
/// let signed = signer.sign(&order, Timestamp::from_unix_millis(1_644_489_390_087))?;
/// assert_eq!(signed.signature(), "fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a");
/// assert!(signed.wire_query().unwrap().ends_with("&signature=fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a"));
/// assert_eq!(signed.header("X-MEXC-APIKEY").unwrap(), "mx0vglBqh6abc123");
///
/// // Contract: api_key + Request-Time + the sorted, encoded query.
/// let batch = SignableRequest::new(Method::Get, "/api/v1/private/order/batch_query")?.with_query("order_ids=101%2C102")?;
/// let signed = signer.sign(&batch, Timestamp::from_unix_millis(1_700_000_000_000))?;
/// assert_eq!(signed.header("Signature").unwrap(), "01dc7409e04223ea2ca53fdbb670b678d23bfdf98a23c5c77fe0a0e4899bd2e5");
/// assert_eq!(signed.header("Request-Time").unwrap(), "1700000000000");
///
/// // Contract POST: the JSON body as sent.
/// let submit = SignableRequest::new(Method::Post, "/api/v1/private/order/submit")?
///     .with_body(br#"{"symbol":"BTC_USDT","price":30000,"vol":1,"side":1,"type":1,"openType":1}"#);
/// let signed = signer.sign(&submit, Timestamp::from_unix_millis(1_700_000_000_000))?;
/// assert_eq!(signed.signature(), "d7ae837a141b50fb72c997eb9a5f66e93c7ff981d8f50eda07bcc9014fe26a88");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct MexcSigner {
    api_key: ApiKey,
    key: ApiSigningKey,
    recv_window: Option<String>,
    spot_headers: HeaderLayout,
    contract_headers: HeaderLayout,
}

impl MexcSigner {
    /// Checks the credentials (an HMAC secret, not swapped with the key) and keys the HMAC once.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::Mexc;
        let api_key = credentials.require_api_key(scheme)?;
        refuse_swapped(credentials)?;
        let key = ApiSigningKey::hmac(
            credentials,
            scheme,
            "MEXC API keys are HMAC keys: paste the 32-hex-character secret shown when the key was created",
        )?;
        let spot_headers = HeaderLayout::new([(&X_MEXC_APIKEY, HeaderSource::Fixed(api_key.header_value()))]);
        let contract_headers = HeaderLayout::new([
            (&API_KEY, HeaderSource::Fixed(api_key.header_value())),
            (&REQUEST_TIME, HeaderSource::Timestamp),
            (&SIGNATURE, HeaderSource::Signature),
        ]);
        Ok(Self { api_key, key, recv_window: None, spot_headers, contract_headers })
    }

    /// Appends `recvWindow` to every spot request that does not carry one: how long after its
    /// timestamp MEXC still accepts it (MEXC's default 5000 ms; at most 60000 ms, whole
    /// milliseconds). Contract requests are not changed.
    pub fn with_recv_window(mut self, window: Duration) -> Result<Self, Error> {
        let millis = window.as_millis();
        if millis == 0 || millis > 60_000 || !window.subsec_nanos().is_multiple_of(1_000_000) {
            return Err(Error::InvalidParameters {
                scheme: Scheme::Mexc,
                problem: "recvWindow must be above 0 and at most 60000 ms, in whole milliseconds (5000 ms is MEXC's \
                          default)",
            });
        }
        self.recv_window = Some(millis.to_string());
        Ok(self)
    }

    /// The contract API's paramString for a query as sent: its pairs sorted by name, each name
    /// and value percent-decoded (`+` read as a space) and encoded again as MEXC's Java sample
    /// does (letters, digits and `.-*_` kept, a space as `%20`, every other byte `%XX` in upper
    /// case), joined with `&`. Borrowed when the query already is that rendering (what ccxt and
    /// pymexc send). A contract GET or DELETE is sent with exactly this query.
    ///
    /// ```
    /// use cexsign::MexcSigner;
    /// assert_eq!(MexcSigner::contract_param_string("symbol=BTC_USDT&page_num=1")?, "page_num=1&symbol=BTC_USDT");
    /// assert_eq!(MexcSigner::contract_param_string("order_ids=1,2&note=a+b")?, "note=a%20b&order_ids=1%2C2");
    /// # Ok::<(), cexsign::Error>(())
    /// ```
    pub fn contract_param_string(query: &str) -> Result<Cow<'_, str>, Error> {
        let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut offset = 0;
        for pair in query.split('&') {
            let start = offset;
            offset += pair.len() + 1;
            if pair.is_empty() {
                continue;
            }
            let (name, value, value_at) = match pair.split_once('=') {
                Some((name, value)) => (name, value, start + name.len() + 1),
                None => (pair, "", start + pair.len()),
            };
            pairs.push((decode(name, start)?, decode(value, value_at)?));
        }
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = String::with_capacity(query.len() + 16);
        for (i, (name, value)) in pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            encode(name, &mut out);
            out.push('=');
            encode(value, &mut out);
        }
        Ok(if out == query { Cow::Borrowed(query) } else { Cow::Owned(out) })
    }

    fn sign_contract(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &str,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let prefix = PrehashParts::new().push_str(self.api_key.as_str()).push_str(timestamp);
        // The query of a GET, or of a request without a body (MEXC's DELETEs carry their
        // parameters in the query); the body as sent otherwise.
        if request.method() == Method::Get || request.body().is_empty() {
            let params = Self::contract_param_string(request.query())?;
            let (signature, prehash) = self.key.sign(prefix.push_str(&params), options)?;
            let mut signed = SignedRequest::new(timestamp, &signature, prehash, &self.contract_headers);
            if let Cow::Owned(params) = params {
                signed.set_wire_query(params);
            }
            Ok(signed)
        } else {
            let (signature, prehash) = self.key.sign(prefix.push(request.body()), options)?;
            Ok(SignedRequest::new(timestamp, &signature, prehash, &self.contract_headers))
        }
    }
}

/// One query component percent-decoded, `+` as a space; `at` is its offset in the query.
fn decode(text: &str, at: usize) -> Result<Vec<u8>, Error> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(byte.ok_or(Error::MalformedQuery { position: at + i })?);
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    Ok(out)
}

/// Java's `URLEncoder.encode` with `+` replaced by `%20`, as MEXC's contract sample signs.
fn encode(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'*' | b'_') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

#[derive(Serialize)]
struct Login<'a> {
    method: &'static str,
    param: LoginParam<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginParam<'a> {
    api_key: &'a str,
    req_time: &'a str,
    signature: &'a str,
}

impl Signer for MexcSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Mexc
    }

    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    fn ws_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    /// Spot or contract, by the request's path ([`MexcApi::of_path`]).
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let timestamp = timestamp.text_in(TimestampFormat::UnixMillis)?;
        match MexcApi::of_path(request.path()) {
            MexcApi::Spot => sign_in_parameters(
                &SPOT_PARAMETERS,
                &self.key,
                self.recv_window.as_deref(),
                &self.spot_headers,
                request,
                timestamp,
                options,
            ),
            MexcApi::Contract => self.sign_contract(request, timestamp, options),
        }
    }

    /// The contract websocket login (`wss://contract.mexc.com/edge`):
    /// `{"method":"login","param":{"apiKey","reqTime","signature"}}`, signing `api_key + reqTime`.
    fn sign_ws_at(
        &self,
        _request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let timestamp = timestamp.text_in(TimestampFormat::UnixMillis)?;
        let prehash = PrehashParts::new().push_str(self.api_key.as_str()).push_str(timestamp);
        let (signature, prehash) = self.key.sign(prehash, options)?;
        let key = self.api_key.as_str();
        let fields = vec![
            WsField::new("apiKey", key),
            WsField::new("reqTime", timestamp),
            WsField::new("signature", &*signature),
        ];
        let message = Login { method: "login", param: LoginParam { api_key: key, req_time: timestamp, signature: &signature } };
        Ok(ws_auth(&message, fields, timestamp, &signature, prehash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;

    const KEY: &str = "mx0vglBqh6abc123";
    const SECRET: &str = "45d0b3c26f2644f19bfb98b07741b2f5";

    fn signer() -> MexcSigner {
        MexcSigner::new(&Credentials::new().api_key(KEY).secret(SECRET)).unwrap()
    }

    /// AUTH-breadth.md §6's worked example, with its prehashes.
    #[test]
    fn worked_example_prehashes() {
        let options = SignOptions::new().keep_prehash();
        let at = Timestamp::from_unix_millis(1_700_000_000_000);
        let get = SignableRequest::new(Method::Get, "/api/v1/private/order/batch_query")
            .unwrap()
            .with_query("order_ids=101%2C102")
            .unwrap();
        let signed = signer().sign_with(&get, at, &options).unwrap();
        assert_eq!(signed.prehash().unwrap().as_str(), Some("mx0vglBqh6abc1231700000000000order_ids=101%2C102"));
        assert!(!signed.rewrites_request(), "a query already in MEXC's rendering is sent as it is");
    }

    /// A contract GET is signed and sent sorted and encoded as MEXC's Java sample renders it:
    /// the signed string and the sent query are the same bytes.
    #[test]
    fn a_contract_query_is_sent_as_it_is_signed() {
        let options = SignOptions::new().keep_prehash();
        let at = Timestamp::from_unix_millis(1_700_000_000_000);
        let get = SignableRequest::new(Method::Get, "/api/v1/private/order/list/history_orders")
            .unwrap()
            .with_query("symbol=BTC_USDT&page_num=1&ids=1,2&note=a+b~")
            .unwrap();
        let signed = signer().sign_with(&get, at, &options).unwrap();
        let sent = "ids=1%2C2&note=a%20b%7E&page_num=1&symbol=BTC_USDT";
        assert_eq!(signed.wire_query(), Some(sent));
        assert_eq!(signed.prehash().unwrap().as_str().unwrap(), format!("{KEY}1700000000000{sent}"));
        let broken = SignableRequest::new(Method::Get, "/api/v1/private/x").unwrap().with_query("a=%zz").unwrap();
        assert_eq!(signer().sign_with(&broken, at, &options).unwrap_err(), Error::MalformedQuery { position: 2 });
    }

    /// Spot is Binance's rule with MEXC's header and words: a JSON body is refused.
    #[test]
    fn spot_signs_inside_the_parameters() {
        let at = Timestamp::from_unix_millis(1_718_007_932_335);
        let json = SignableRequest::new(Method::Post, "/api/v3/order").unwrap().with_body(br#"{"a":1}"#);
        let err = signer().sign(&json, at).unwrap_err();
        assert!(matches!(err, Error::InvalidBody { scheme: Scheme::Mexc, .. }) && err.to_string().contains("MEXC spot"), "{err}");
        let windowed = signer().with_recv_window(Duration::from_millis(5000)).unwrap();
        let account = SignableRequest::new(Method::Get, "/api/v3/account").unwrap();
        let signed = windowed.sign(&account, at).unwrap();
        assert!(signed.wire_query().unwrap().starts_with("recvWindow=5000&timestamp=1718007932335&signature="));
        assert!(signed.header("ApiKey").is_none() && signed.header("X-MEXC-APIKEY").is_some());
        assert!(signer().with_recv_window(Duration::from_millis(60_001)).is_err());
        assert!(signer().with_recv_window(Duration::from_micros(5_000_500)).is_err());
    }

    #[test]
    fn the_login_is_the_contract_websocket_layout() {
        let login = signer().sign_ws(&WsRequest::login(), Timestamp::from_unix_millis(1_700_000_000_000)).unwrap();
        let expected = format!(
            r#"{{"method":"login","param":{{"apiKey":"{KEY}","reqTime":"1700000000000","signature":"{}"}}}}"#,
            login.signature()
        );
        assert_eq!(login.message_json(), expected);
    }

    #[test]
    fn swapped_or_pem_credentials_are_refused_with_the_reason() {
        let swapped = Credentials::new().api_key(SECRET).secret(KEY);
        let err = MexcSigner::new(&swapped).unwrap_err();
        assert!(matches!(err, Error::KeyAndSecretSwapped { scheme: Scheme::Mexc, .. }), "{err}");
        let pem = Credentials::new().api_key(KEY).secret("-----BEGIN PRIVATE KEY-----\nMC4CAQAw\n-----END PRIVATE KEY-----\n");
        assert!(matches!(MexcSigner::new(&pem).unwrap_err(), Error::PemGivenAsHmacSecret { scheme: Scheme::Mexc, .. }));
        let shown = format!("{:?}", signer());
        assert!(!shown.contains(SECRET), "{shown}");
    }
}
