//! Bitget v2: REST and the websocket `op: login`.
//!
//! `base64(HMAC-SHA256(secret, timestamp + METHOD + path + "?" + decoded query + body))`, the
//! timestamp in milliseconds. Bitget verifies the *percent-decoded* query (as KuCoin does), so
//! `symbol=%E9%BE%99...` on the wire is signed as `symbol=龙...`. The websocket login signs
//! `seconds + "GET/user/verify"`. The passphrase goes in plain text.

use http::HeaderName;

use crate::exchanges::common::{Form, KeyForms, hmac_secret, mac, op_login, refuse_swapped, timestamp_method_path_query_body};
use crate::credentials::{ApiKey, HeaderSecret};
use crate::mac::{Encoding, HmacKey};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat, WireTimestamp,
    WsAuth, WsRequest, decode_query,
};

static ACCESS_KEY: HeaderName = HeaderName::from_static("access-key");
static ACCESS_SIGN: HeaderName = HeaderName::from_static("access-sign");
static ACCESS_TIMESTAMP: HeaderName = HeaderName::from_static("access-timestamp");
static ACCESS_PASSPHRASE: HeaderName = HeaderName::from_static("access-passphrase");

const WS_VERIFY_PATH: &str = "/user/verify";

/// Signs Bitget v2 requests.
///
/// Send query parameters sorted by name, as Bitget's docs require; the signer signs them in the
/// order given.
///
/// ```
/// use cexsign::{BitgetSigner, Credentials, Method, SignableRequest, Signer, Timestamp};
/// let signer = BitgetSigner::new(
///     &Credentials::new()
///         .api_key("bg_0123456789abcdef0123456789abcdef")
///         .secret("f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1")
///         .passphrase("Passphrase1#"),
/// )?;
/// let request = SignableRequest::new(Method::Get, "/api/v2/mix/market/depth")?.with_query("limit=20&symbol=BTCUSDT")?;
/// let signed = signer.sign(&request, Timestamp::from_unix_millis(1_700_000_000_000))?;
/// assert_eq!(signed.signature(), "0KK1ibEr3F3V45oRlzrjez7qpdwM6UUEDTib/lxFjLM=");
/// assert_eq!(signed.header("ACCESS-TIMESTAMP").unwrap(), "1700000000000");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct BitgetSigner {
    api_key: ApiKey,
    key: HmacKey,
    passphrase: HeaderSecret,
    headers: HeaderLayout,
}

/// Bitget API keys are `bg_` and 32 hex characters, secrets 64 hex characters (`AUTH-more.md`
/// §Bitget).
const KEY_FORMS: KeyForms = KeyForms {
    key: (Form::PrefixedHex("bg_", 32), "bg_ and 32 hex characters"),
    secret: (Form::Hex(64), "64 hex characters"),
};

impl BitgetSigner {
    /// Checks the credentials (API key, secret, passphrase) and keys the HMAC once.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::Bitget;
        let secret =
            hmac_secret(credentials, scheme, "Bitget keys are HMAC keys: use the secret shown at key creation")?;
        let api_key = credentials.require_api_key(scheme)?;
        refuse_swapped(credentials, scheme, KEY_FORMS)?;
        let passphrase = HeaderSecret::new(credentials.require_passphrase(scheme)?.to_owned(), "passphrase")?;
        let headers = HeaderLayout::new([
            (&ACCESS_KEY, HeaderSource::Fixed(api_key.header_value())),
            (&ACCESS_SIGN, HeaderSource::Signature),
            (&ACCESS_TIMESTAMP, HeaderSource::Timestamp),
            (&ACCESS_PASSPHRASE, HeaderSource::Fixed(passphrase.header_value())),
        ]);
        Ok(Self { api_key, key: HmacKey::new(secret.as_bytes()), passphrase, headers })
    }
}

impl Signer for BitgetSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Bitget
    }

    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
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
        let query = decode_query(request.query())?;
        let method = request.method().as_str();
        let prehash = timestamp_method_path_query_body(timestamp, method, request.path(), &query, request.body());
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Base64, options);
        let signed = SignedRequest::new(timestamp, &signature, prehash, &self.headers);
        Ok(signed)
    }

    /// The `{"op":"login","args":[{apiKey, passphrase, timestamp, sign}]}` message; the
    /// timestamp is in seconds. Subscribe to private channels after it succeeds.
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
