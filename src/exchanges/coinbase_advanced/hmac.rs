//! Coinbase Advanced Trade with legacy HMAC keys: REST and the websocket subscribe fields.
//!
//! `hex(HMAC-SHA256(secret, timestamp + METHOD + path + body))`; the query is **not** signed on
//! the v3 endpoints. Coinbase expired these keys in February 2025 (new keys are CDP keys, see
//! [`crate::CoinbaseCdpSigner`]); the scheme is kept for old accounts, tools and vectors.

use serde::Serialize;

use crate::exchanges::common::{mac, ws_auth};
use crate::credentials::ApiKey;
use crate::exchanges::common::hmac_secret;
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

/// Signs Coinbase Advanced Trade requests with a legacy HMAC key.
///
/// ```
/// use cexsign::{CoinbaseAdvancedHmacSigner, Credentials, Method, SignableRequest, Signer, Timestamp};
/// let signer = CoinbaseAdvancedHmacSigner::new(
///     &Credentials::new().api_key("4wRFpLxVyT8hZ2Qn").secret("kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA"),
/// )?;
/// // The query is sent but not signed.
/// let request = SignableRequest::new(Method::Get, "/api/v3/brokerage/accounts")?.with_query("limit=1")?;
/// let signed = signer.sign(&request, Timestamp::from_unix_secs(1_700_000_000))?;
/// assert_eq!(signed.signature(), "4db049543ed2b9e7f32a4d552f177af6a8e3b5d71a71b86708bd2715940d1875");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct CoinbaseAdvancedHmacSigner {
    api_key: ApiKey,
    key: HmacKey,
    headers: HeaderLayout,
}

impl CoinbaseAdvancedHmacSigner {
    /// Checks the credentials (API key and secret) and keys the HMAC once.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::CoinbaseAdvancedHmac;
        let api_key = credentials.require_api_key(scheme)?;
        let headers = HeaderLayout::new([
            (&CB_ACCESS_KEY, HeaderSource::Fixed(api_key.header_value())),
            (&CB_ACCESS_SIGN, HeaderSource::Signature),
            (&CB_ACCESS_TIMESTAMP, HeaderSource::Timestamp),
        ]);
        // A PEM is a CDP key, which signs JWTs: CoinbaseCdpSigner.
        let secret = hmac_secret(credentials, scheme, "a PEM is a CDP key: build CoinbaseCdpSigner for it")?;
        Ok(Self { api_key, key: HmacKey::new(secret.as_bytes()), headers })
    }
}

#[derive(Serialize)]
struct SubscribeMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    product_ids: &'a [&'a str],
    channel: &'a str,
    api_key: &'a str,
    timestamp: &'a str,
    signature: &'a str,
}

impl Signer for CoinbaseAdvancedHmacSigner {
    fn scheme(&self) -> Scheme {
        Scheme::CoinbaseAdvancedHmac
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
        let prehash =
            PrehashParts::of([timestamp, request.method().as_str(), request.path()], request.body());
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Hex, options);
        let signed = SignedRequest::new(timestamp, &signature, prehash, &self.headers);
        Ok(signed)
    }

    /// A subscribe message for exactly one channel, signed over
    /// `timestamp + channel + product_ids.join(",")`.
    fn sign_ws_at(
        &self,
        request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let [channel] = crate::exchanges::common::channels(request)? else {
            return Err(Error::InvalidWsRequest {
                problem: "Coinbase Advanced Trade takes exactly one channel per subscribe message; send one message per channel",
            });
        };
        let timestamp = timestamp.text_in(self.ws_timestamp_format())?;
        let products = request.product_ids().join(",");
        let prehash = PrehashParts::new().push_str(timestamp).push_str(channel).push_str(&products);
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Hex, options);
        let message = SubscribeMessage {
            kind: "subscribe",
            product_ids: request.product_ids(),
            channel,
            api_key: self.api_key.as_str(),
            timestamp,
            signature: &signature,
        };
        let fields = vec![
            WsField::new("api_key", self.api_key.as_str()),
            WsField::new("timestamp", timestamp),
            WsField::new("signature", signature.as_str()),
        ];
        Ok(ws_auth(&message, fields, timestamp, &signature, prehash))
    }
}
