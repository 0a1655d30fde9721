//! OKX v5: REST (live and demo) and the websocket `op: login`.
//!
//! `base64(HMAC-SHA256(secret, timestamp + METHOD + path + "?" + query + body))`, the timestamp in
//! ISO-8601 UTC with milliseconds; the websocket login signs `seconds + "GET/users/self/verify"`.
//! The secret looks like hex but is used as raw text.

use crate::exchanges::common::{Form, KeyForms, hmac_secret, mac, op_login, refuse_swapped, timestamp_method_path_query_body};
use crate::credentials::{ApiKey, HeaderSecret};
use crate::mac::{Encoding, HmacKey};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat, WireTimestamp,
    WsAuth, WsRequest,
};
use http::HeaderName;

static OK_ACCESS_KEY: HeaderName = HeaderName::from_static("ok-access-key");
static OK_ACCESS_SIGN: HeaderName = HeaderName::from_static("ok-access-sign");
static OK_ACCESS_TIMESTAMP: HeaderName = HeaderName::from_static("ok-access-timestamp");
static OK_ACCESS_PASSPHRASE: HeaderName = HeaderName::from_static("ok-access-passphrase");
static X_SIMULATED_TRADING: HeaderName = HeaderName::from_static("x-simulated-trading");

/// Which OKX trading environment the key belongs to. Demo keys are separate keys, created under
/// Demo Trading; using one without the demo header (or the reverse) gives `50101`.
///
/// `#[non_exhaustive]`: OKX may open another environment; a `match` needs a `_` arm.
///
/// ```compile_fail,E0004
/// // A match without `_` does not compile outside the crate.
/// fn header(env: cexsign::OkxEnvironment) -> bool {
///     match env {
///         cexsign::OkxEnvironment::Live => false,
///         cexsign::OkxEnvironment::Demo => true,
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum OkxEnvironment {
    /// Live trading: no `x-simulated-trading` header.
    #[default]
    Live,
    /// Demo trading: `x-simulated-trading: 1` on every request.
    Demo,
}

/// Signs OKX v5 requests.
///
/// ```
/// use cexsign::{Credentials, Method, OkxEnvironment, OkxSigner, SignableRequest, Signer, Timestamp};
/// let signer = OkxSigner::new(
///     &Credentials::new().api_key("my-key").secret("22582BD0CFF14C41EDBF1AB98506286D").passphrase("pass"),
///     OkxEnvironment::Demo,
/// )?;
/// let request = SignableRequest::new(Method::Get, "/api/v5/account/balance")?;
/// let signed = signer.sign(&request, Timestamp::from_unix_millis(1_607_418_537_715))?;
/// assert_eq!(signed.timestamp(), "2020-12-08T09:08:57.715Z");
/// assert_eq!(signed.header("x-simulated-trading").unwrap(), "1");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct OkxSigner {
    api_key: ApiKey,
    key: HmacKey,
    passphrase: HeaderSecret,
    environment: OkxEnvironment,
    headers: HeaderLayout,
}

const WS_VERIFY_PATH: &str = "/users/self/verify";

/// OKX API keys are UUIDs and secrets 32 upper-case hex characters (`AUTH.md` §OKX; the OKX v5
/// docs' example key `985d5b66-57ce-40fb-b714-afc0b9787083`, secret `22582BD0CFF14C41EDBF1AB98506286D`).
const KEY_FORMS: KeyForms = KeyForms { key: (Form::Uuid, "a UUID"), secret: (Form::Hex(32), "32 hex characters") };

impl OkxSigner {
    /// Checks the credentials (API key, secret, passphrase) and keys the HMAC once.
    pub fn new(credentials: &Credentials, environment: OkxEnvironment) -> Result<Self, Error> {
        let scheme = Scheme::Okx;
        let api_key = credentials.require_api_key(scheme)?;
        refuse_swapped(credentials, scheme, KEY_FORMS)?;
        let secret = hmac_secret(credentials, scheme, "OKX API keys are HMAC keys: paste the secret key shown at key creation")?;
        let passphrase = HeaderSecret::new(credentials.require_passphrase(scheme)?.to_owned(), "passphrase")?;
        let demo = (environment == OkxEnvironment::Demo)
            .then(|| (&X_SIMULATED_TRADING, HeaderSource::Fixed(http::HeaderValue::from_static("1"))));
        let headers = HeaderLayout::new(
            [
                (&OK_ACCESS_KEY, HeaderSource::Fixed(api_key.header_value())),
                (&OK_ACCESS_SIGN, HeaderSource::Signature),
                (&OK_ACCESS_TIMESTAMP, HeaderSource::Timestamp),
                (&OK_ACCESS_PASSPHRASE, HeaderSource::Fixed(passphrase.header_value())),
            ]
            .into_iter()
            .chain(demo),
        );
        Ok(Self {
            api_key,
            key: HmacKey::new(secret.as_bytes()),
            passphrase,
            environment,
            headers,
        })
    }

    /// The environment the signer was built for.
    pub fn environment(&self) -> OkxEnvironment {
        self.environment
    }
}

impl Signer for OkxSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Okx
    }

    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::Iso8601Millis
    }

    fn ws_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixSeconds
    }

    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let timestamp = timestamp.text_in(self.rest_timestamp_format())?;
        let method = request.method().as_str();
        let prehash =
            timestamp_method_path_query_body(timestamp, method, request.path(), request.query(), request.body());
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Base64, options);
        let signed = SignedRequest::new(timestamp, &signature, prehash, &self.headers);
        Ok(signed)
    }

    /// The `{"op":"login","args":[...]}` message; the timestamp is in seconds. Channels are not
    /// part of the login (subscribe after it succeeds).
    fn sign_ws_at(
        &self,
        _request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let timestamp = timestamp.text_in(self.ws_timestamp_format())?;
        Ok(op_login(&self.key, &self.api_key, &self.passphrase, timestamp, WS_VERIFY_PATH, options))
    }
}
