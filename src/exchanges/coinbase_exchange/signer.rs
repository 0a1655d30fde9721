//! Coinbase Exchange (formerly Coinbase Pro / GDAX): REST and the websocket subscribe fields.
//!
//! `base64(HMAC-SHA256(base64_decode(secret), timestamp + METHOD + path + "?" + query + body))`.
//! The only scheme here whose secret is base64-decoded before use; the timestamp is Unix seconds,
//! optionally with a decimal fraction.

use serde::Serialize;

use crate::exchanges::common::{Form, KeyForms, base64_secret, mac, refuse_swapped, timestamp_method_path_query_body, ws_auth};
use crate::credentials::{ApiKey, HeaderSecret};
use crate::mac::{Encoding, HmacKey, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat, WireTimestamp,
    WsAuth, WsField, WsRequest,
};
use http::HeaderName;

static CB_ACCESS_KEY: HeaderName = HeaderName::from_static("cb-access-key");
static CB_ACCESS_SIGN: HeaderName = HeaderName::from_static("cb-access-sign");
static CB_ACCESS_TIMESTAMP: HeaderName = HeaderName::from_static("cb-access-timestamp");
static CB_ACCESS_PASSPHRASE: HeaderName = HeaderName::from_static("cb-access-passphrase");

/// Signs Coinbase Exchange requests.
///
/// ```
/// use cexsign::{CoinbaseExchangeSigner, Credentials, Method, SignableRequest, Signer, Timestamp};
/// let signer = CoinbaseExchangeSigner::new(
///     &Credentials::new()
///         .api_key("0123456789abcdef0123456789abcdef")
///         .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
///         .passphrase("testpassphrase"),
/// )?
/// .with_fraction_digits(3)?;
/// let request = SignableRequest::new(Method::Get, "/orders")?.with_query("status=done&limit=2")?;
/// let signed = signer.sign(&request, Timestamp::from_unix_millis(1_700_000_000_123))?;
/// assert_eq!(signed.timestamp(), "1700000000.123");
/// assert_eq!(signed.signature(), "ZlVMCMOet6xyvAS4KhwMHNPkv/bsOekwpci6BSLmE80=");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct CoinbaseExchangeSigner {
    api_key: ApiKey,
    key: HmacKey,
    passphrase: HeaderSecret,
    timestamp_format: TimestampFormat,
    headers: HeaderLayout,
}

const SECRET_LEN: usize = 64;
const WS_VERIFY_PATH: &str = "/users/self/verify";

/// Coinbase Exchange API keys are 32 hex characters and secrets standard base64 of 64 bytes, 88
/// characters (`AUTH.md` §Coinbase Exchange).
const KEY_FORMS: KeyForms =
    KeyForms { key: (Form::Hex(32), "32 hex characters"), secret: (Form::Base64(88), "88 base64 characters") };

impl CoinbaseExchangeSigner {
    /// Checks the credentials, base64-decodes the secret (it must decode to 64 bytes) and keys
    /// the HMAC once. Timestamps are whole seconds until [`Self::with_fraction_digits`].
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::CoinbaseExchange;
        let api_key = credentials.require_api_key(scheme)?;
        refuse_swapped(credentials, scheme, KEY_FORMS)?;
        let hint = "Coinbase Exchange keys are HMAC keys: paste the base64 API secret shown at key creation";
        let decoded = base64_secret(credentials, scheme, hint, Some(SECRET_LEN))?;
        let passphrase = HeaderSecret::new(credentials.require_passphrase(scheme)?.to_owned(), "passphrase")?;
        let headers = HeaderLayout::new([
            (&CB_ACCESS_KEY, HeaderSource::Fixed(api_key.header_value())),
            (&CB_ACCESS_SIGN, HeaderSource::Signature),
            (&CB_ACCESS_TIMESTAMP, HeaderSource::Timestamp),
            (&CB_ACCESS_PASSPHRASE, HeaderSource::Fixed(passphrase.header_value())),
        ]);
        Ok(Self {
            api_key,
            key: HmacKey::new(&decoded),
            passphrase,
            timestamp_format: TimestampFormat::UnixSeconds,
            headers,
        })
    }

    /// Sends the timestamp with this many decimal digits (0–9, e.g. 3 for `1700000000.123`);
    /// Coinbase accepts decimals.
    pub fn with_fraction_digits(mut self, digits: u8) -> Result<Self, Error> {
        if digits > 9 {
            return Err(Error::TimestampOutOfRange { format: "Unix seconds with more than 9 fractional digits" });
        }
        self.timestamp_format = match digits {
            0 => TimestampFormat::UnixSeconds,
            digits => TimestampFormat::UnixSecondsFraction { digits },
        };
        Ok(self)
    }
}

/// Coinbase Exchange takes whole seconds or seconds with a decimal fraction of any length.
fn accepts_seconds(format: TimestampFormat) -> bool {
    matches!(format, TimestampFormat::UnixSeconds | TimestampFormat::UnixSecondsFraction { .. })
}

#[derive(Serialize)]
struct SubscribeMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    product_ids: &'a [&'a str],
    channels: &'a [&'a str],
    signature: &'a str,
    key: &'a str,
    passphrase: &'a str,
    timestamp: &'a str,
}

impl Signer for CoinbaseExchangeSigner {
    fn scheme(&self) -> Scheme {
        Scheme::CoinbaseExchange
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
        let timestamp = timestamp.text_if(accepts_seconds, self.timestamp_format)?;
        let method = request.method().as_str();
        let prehash =
            timestamp_method_path_query_body(timestamp, method, request.path(), request.query(), request.body());
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Base64, options);
        let signed = SignedRequest::new(timestamp, &signature, prehash, &self.headers);
        Ok(signed)
    }

    /// The `subscribe` message with `signature`, `key`, `passphrase` and `timestamp`, signed as
    /// `GET /users/self/verify`.
    fn sign_ws_at(
        &self,
        request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let timestamp = timestamp.text_if(accepts_seconds, self.timestamp_format)?;
        let prehash = PrehashParts::new().push_str(timestamp).push_str("GET").push_str(WS_VERIFY_PATH);
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Base64, options);
        let message = SubscribeMessage {
            kind: "subscribe",
            product_ids: request.product_ids(),
            channels: crate::exchanges::common::channels(request)?,
            signature: &signature,
            key: self.api_key.as_str(),
            passphrase: self.passphrase.expose(),
            timestamp,
        };
        let fields = vec![
            WsField::new("signature", signature.as_str()),
            WsField::new("key", self.api_key.as_str()),
            WsField::sensitive("passphrase", self.passphrase.expose()),
            WsField::new("timestamp", timestamp),
        ];
        Ok(ws_auth(&message, fields, timestamp, &signature, prehash))
    }
}
