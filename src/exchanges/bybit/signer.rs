//! Bybit v5: REST with HMAC or RSA keys, and the websocket `op: auth`.
//!
//! The prehash is `timestamp + api_key + recv_window + payload`, where the payload is the query
//! exactly as sent for GET and the body exactly as sent otherwise; the method and path are not
//! signed. HMAC keys give lower-case hex, RSA keys base64 RSASSA-PKCS1-v1_5 SHA-256. The
//! websocket auth signs `"GET/realtime" + expires`, `expires` being a future instant in ms.

use std::time::Duration;

use http::HeaderName;

use crate::exchanges::common::{ApiSigningKey, plain_value};
use crate::credentials::ApiKey;
use crate::mac::PrehashParts;
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Method, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, Timestamp,
    TimestampFormat, WireTimestamp, WsAuth, WsField, WsRequest,
};

static X_BAPI_API_KEY: HeaderName = HeaderName::from_static("x-bapi-api-key");
static X_BAPI_TIMESTAMP: HeaderName = HeaderName::from_static("x-bapi-timestamp");
static X_BAPI_SIGN: HeaderName = HeaderName::from_static("x-bapi-sign");
static X_BAPI_RECV_WINDOW: HeaderName = HeaderName::from_static("x-bapi-recv-window");

/// The kind of a Bybit API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BybitKeyType {
    /// A system-generated key: the secret is an HMAC secret, signatures are hex.
    #[default]
    Hmac,
    /// A self-generated RSA key: the secret is its PKCS#8 or PKCS#1 PEM private key, signatures
    /// are base64 (feature `pem-keys`, on by default).
    #[cfg(feature = "pem-keys")]
    #[cfg_attr(docsrs, doc(cfg(feature = "pem-keys")))]
    Rsa,
}

/// Signs Bybit v5 requests.
///
/// ```
/// use cexsign::{BybitKeyType, BybitSigner, Credentials, Method, SignableRequest, Signer, Timestamp};
/// // The v5 guide's GET example, with AUTH-more.md's fake secret.
/// let signer = BybitSigner::new(
///     &Credentials::new().api_key("XXXXXXXXXX").secret("vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W"),
///     BybitKeyType::Hmac,
/// )?;
/// let request = SignableRequest::new(Method::Get, "/v5/order/realtime")?
///     .with_query("category=option&symbol=BTC-29JUL22-25000-C")?;
/// let signed = signer.sign(&request, Timestamp::from_unix_millis(1_658_384_314_791))?;
/// assert_eq!(signed.signature(), "6a8b5ae5f32a50c613d3ca92af27a4f037777ec188038724eccc4dd630a0023c");
/// assert_eq!(signed.header("X-BAPI-RECV-WINDOW").unwrap(), "5000");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct BybitSigner {
    api_key: ApiKey,
    key: ApiSigningKey,
    recv_window: RecvWindow,
    ws_expiry: Duration,
}

/// `recv_window` as signed and sent: decimal milliseconds, with the header layout that carries it.
#[derive(Debug, Clone)]
struct RecvWindow {
    text: arrayvec::ArrayString<20>,
    headers: HeaderLayout,
}

impl RecvWindow {
    fn new(window: Duration, api_key: &ApiKey) -> Result<Self, Error> {
        let millis = window.as_millis();
        if millis == 0 || !window.subsec_nanos().is_multiple_of(1_000_000) {
            return Err(Error::InvalidParameters {
                scheme: Scheme::Bybit,
                problem: "recv_window must be a positive whole number of milliseconds (default 5000)",
            });
        }
        let mut text = arrayvec::ArrayString::new();
        std::fmt::Write::write_fmt(&mut text, format_args!("{millis}")).map_err(|_| Error::InvalidParameters {
            scheme: Scheme::Bybit,
            problem: "recv_window is too large: use at most a few seconds",
        })?;
        Ok(Self { headers: header_layout(api_key, &text), text })
    }
}

/// The headers, with the API key and `recv_window` values sent unchanged on every request.
fn header_layout(api_key: &ApiKey, recv_window: &str) -> HeaderLayout {
    HeaderLayout::new([
        (&X_BAPI_API_KEY, HeaderSource::Fixed(api_key.header_value())),
        (&X_BAPI_TIMESTAMP, HeaderSource::Timestamp),
        (&X_BAPI_SIGN, HeaderSource::Signature),
        (&X_BAPI_RECV_WINDOW, HeaderSource::Fixed(plain_value(recv_window))),
    ])
}

impl BybitSigner {
    /// Checks the credentials and parses or keys the secret once. An HMAC key given a PEM
    /// secret, or an RSA key given anything but a PEM private key, is an error here.
    pub fn new(credentials: &Credentials, key_type: BybitKeyType) -> Result<Self, Error> {
        let scheme = Scheme::Bybit;
        let api_key = credentials.require_api_key(scheme)?;
        let key = match key_type {
            BybitKeyType::Hmac => {
                ApiSigningKey::hmac(credentials, scheme, "BybitKeyType::Rsa for a self-generated RSA key")?
            }
            #[cfg(feature = "pem-keys")]
            BybitKeyType::Rsa => ApiSigningKey::rsa(credentials, scheme)?,
        };
        let recv_window = RecvWindow::new(Duration::from_millis(5000), &api_key)?;
        Ok(Self { api_key, key, recv_window, ws_expiry: WS_EXPIRY })
    }

    /// Sets `recv_window` (default 5000 ms): how long after its timestamp the server still
    /// accepts the request. It is signed and sent in `X-BAPI-RECV-WINDOW`.
    pub fn with_recv_window(mut self, window: Duration) -> Result<Self, Error> {
        self.recv_window = RecvWindow::new(window, &self.api_key)?;
        Ok(self)
    }

    /// Sets how far after the signing instant a websocket auth expires (default 10 s, as
    /// ccxt; pybit uses 1 s). [`Signer::sign_ws_at`] takes the expiry itself.
    pub fn with_ws_expiry(mut self, after: Duration) -> Self {
        self.ws_expiry = after;
        self
    }
}

const WS_EXPIRY: Duration = Duration::from_secs(10);

impl BybitSigner {
    /// Signs with the `recv_window` a received request carries in `X-BAPI-RECV-WINDOW` instead of
    /// the signer's own: Bybit signs whatever window the client sent, so a verifier must too.
    /// The window is decimal milliseconds, as on the wire (1 to 20 digits).
    ///
    /// For verifiers (the local exchange); a bot signs with [`Signer::sign`].
    pub fn sign_at_recv_window(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        recv_window: &str,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        if recv_window.is_empty() || recv_window.len() > 20 || !recv_window.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidParameters {
                scheme: Scheme::Bybit,
                problem: "recv_window must be a whole number of milliseconds (e.g. 5000)",
            });
        }
        let headers = header_layout(&self.api_key, recv_window);
        self.sign_in_window(request, timestamp, recv_window, &headers, options)
    }

    fn sign_in_window(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        recv_window: &str,
        headers: &HeaderLayout,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let timestamp = timestamp.text_in(self.rest_timestamp_format())?;
        // GET signs the query; POST (and anything else carrying a body) the body.
        let payload = match request.method() {
            Method::Get => request.query().as_bytes(),
            _ if request.body().is_empty() => request.query().as_bytes(),
            _ => request.body(),
        };
        let prehash = PrehashParts::of([timestamp, self.api_key.as_str(), recv_window], payload);
        let (signature, prehash) = self.key.sign(prehash, options)?;
        let signed = SignedRequest::new(timestamp, &signature, prehash, headers);
        Ok(signed)
    }
}

#[derive(serde::Serialize)]
struct AuthMessage<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    req_id: Option<&'a str>,
    op: &'static str,
    args: (&'a str, u64, &'a str),
}

impl Signer for BybitSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Bybit
    }

    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        self.sign_in_window(request, timestamp, &self.recv_window.text, &self.recv_window.headers, options)
    }

    /// Signs as of `at`: the auth expires [`BybitSigner::with_ws_expiry`] later.
    fn sign_ws_with(&self, request: &WsRequest<'_>, at: Timestamp, options: &SignOptions) -> Result<WsAuth, Error> {
        let expires = at.offset_by_millis(i64::try_from(self.ws_expiry.as_millis()).unwrap_or(i64::MAX))?;
        self.sign_ws_at(request, &WireTimestamp::render(self.ws_timestamp_format(), expires)?, options)
    }

    /// The `{"op":"auth","args":[api_key, expires, signature]}` message; `timestamp` is the
    /// expiry (ms, in the future), sent as a number.
    fn sign_ws_at(
        &self,
        request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let expires = timestamp.text_in(self.ws_timestamp_format())?;
        let prehash = PrehashParts::new().push_str("GET/realtime").push_str(expires);
        let (signature, prehash) = self.key.sign(prehash, options)?;
        let expires_number: u64 = expires.parse().map_err(|_| Error::TimestampOutOfRange { format: "Unix ms" })?;
        let message =
            AuthMessage { req_id: request.id(), op: "auth", args: (self.api_key.as_str(), expires_number, &signature) };
        let fields = vec![
            WsField::new("api_key", self.api_key.as_str()),
            WsField::new("expires", expires),
            WsField::new("signature", &*signature),
        ];
        Ok(crate::exchanges::common::ws_auth(&message, fields, expires, &signature, prehash))
    }
}
