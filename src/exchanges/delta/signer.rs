//! Delta Exchange v2 (India and Global): REST and the websocket `key-auth` message.
//!
//! `hex(HMAC-SHA256(secret, METHOD + timestamp + path + "?" + query + body))`: the method comes
//! first, unlike the other schemes. Timestamps are whole Unix seconds, valid for 5 seconds.

use serde::Serialize;

use crate::exchanges::common::{hmac_secret, mac, query_separator, ws_auth};
use crate::credentials::ApiKey;
use crate::mac::{Encoding, HmacKey, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat, WireTimestamp,
    WsAuth, WsField, WsRequest,
};
use http::HeaderName;

static API_KEY: HeaderName = HeaderName::from_static("api-key");
static TIMESTAMP: HeaderName = HeaderName::from_static("timestamp");
static SIGNATURE: HeaderName = HeaderName::from_static("signature");

/// The `type` of Delta's websocket auth message.
///
/// `#[non_exhaustive]`: Delta has renamed this message type before; a `match` needs a `_` arm.
///
/// ```compile_fail,E0004
/// fn name(kind: cexsign::DeltaWsAuthType) -> &'static str {
///     match kind {
///         cexsign::DeltaWsAuthType::Auth => "auth",
///         cexsign::DeltaWsAuthType::KeyAuth => "key-auth",
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DeltaWsAuthType {
    /// `"key-auth"`: current on Delta India (since October 2025).
    #[default]
    KeyAuth,
    /// `"auth"`: the older message, still the one documented for Delta Global.
    Auth,
}

impl DeltaWsAuthType {
    /// The value of the message's `type` field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::KeyAuth => "key-auth",
            Self::Auth => "auth",
        }
    }
}

/// Signs Delta Exchange v2 requests.
///
/// Delta's CDN also requires a `User-Agent` header on authenticated requests; it is not an auth
/// header, so set it on your client.
///
/// ```
/// use cexsign::{Credentials, DeltaSigner, Method, SignableRequest, Signer, Timestamp};
/// let signer = DeltaSigner::new(
///     &Credentials::new()
///         .api_key("a207900b7693435a8fa9230a38195d")
///         .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f"),
/// )?;
/// let request = SignableRequest::new(Method::Get, "/v2/orders")?.with_query("product_id=1&state=open")?;
/// let signed = signer.sign(&request, Timestamp::from_unix_secs(1_542_110_948))?;
/// assert_eq!(signed.signature(), "4e38dda3e6477092f360ba70399266d8145630b22bcc34c0ec7f804d5746877a");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct DeltaSigner {
    api_key: ApiKey,
    key: HmacKey,
    ws_auth_type: DeltaWsAuthType,
    headers: HeaderLayout,
}

impl DeltaSigner {
    /// Checks the credentials (API key and secret) and keys the HMAC once.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::Delta;
        let api_key = credentials.require_api_key(scheme)?;
        let headers = HeaderLayout::new([
            (&API_KEY, HeaderSource::Fixed(api_key.header_value())),
            (&TIMESTAMP, HeaderSource::Timestamp),
            (&SIGNATURE, HeaderSource::Signature),
        ]);
        Ok(Self {
            api_key,
            key: HmacKey::new(
                hmac_secret(credentials, scheme, "Delta API keys are HMAC keys: paste the API secret shown at key creation")?
                    .as_bytes(),
            ),
            ws_auth_type: DeltaWsAuthType::default(),
            headers,
        })
    }

    /// Chooses the websocket auth message type (`key-auth` by default).
    pub fn with_ws_auth_type(mut self, ws_auth_type: DeltaWsAuthType) -> Self {
        self.ws_auth_type = ws_auth_type;
        self
    }
}

#[derive(Serialize)]
struct AuthMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    payload: AuthPayload<'a>,
}

#[derive(Serialize)]
struct AuthPayload<'a> {
    #[serde(rename = "api-key")]
    api_key: &'a str,
    signature: &'a str,
    timestamp: &'a str,
}

impl Signer for DeltaSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Delta
    }

    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixSeconds
    }

    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let timestamp = timestamp.text_in(self.rest_timestamp_format())?;
        let (method, path, query) = (request.method().as_str(), request.path(), request.query());
        let separator = query_separator(query);
        let prehash = PrehashParts::of([method, timestamp, path, separator, query], request.body());
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Hex, options);
        let signed = SignedRequest::new(timestamp, &signature, prehash, &self.headers);
        Ok(signed)
    }

    /// The `{"type":"key-auth","payload":{...}}` message, signed as `GET` + timestamp + `/live`.
    fn sign_ws_at(
        &self,
        _request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let timestamp = timestamp.text_in(self.ws_timestamp_format())?;
        let prehash = PrehashParts::new().push_str("GET").push_str(timestamp).push_str("/live");
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Hex, options);
        let message = AuthMessage {
            kind: self.ws_auth_type.as_str(),
            payload: AuthPayload { api_key: self.api_key.as_str(), signature: &signature, timestamp },
        };
        let fields = vec![
            WsField::new("api-key", self.api_key.as_str()),
            WsField::new("signature", signature.as_str()),
            WsField::new("timestamp", timestamp),
        ];
        Ok(ws_auth(&message, fields, timestamp, &signature, prehash))
    }
}
