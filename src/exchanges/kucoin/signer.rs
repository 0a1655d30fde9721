//! KuCoin (spot, margin, futures) REST, key versions 1, 2 and 3.
//!
//! `base64(HMAC-SHA256(secret, timestamp + METHOD + path + "?" + decoded query + body))`, the
//! timestamp in milliseconds. KuCoin is the one scheme here that signs the *decoded* query
//! (`%21` signed as `!`, `+` as a space) while the wire carries the encoded one. For key versions
//! 2 and 3 the passphrase header is `base64(HMAC-SHA256(secret, passphrase))`, computed once here.
//!
//! The private websocket has no login message of its own: its token comes from a signed
//! `POST /api/v1/bullet-private` with an empty body, an ordinary REST request.

use base64::Engine as _;

use crate::exchanges::common::{Form, KeyForms, hmac_secret, mac, refuse_swapped, timestamp_method_path_query_body};
use crate::credentials::HeaderSecret;
use crate::mac::{Encoding, HmacKey, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat, WireTimestamp,
    WsAuth, WsRequest, decode_query,
};
use http::HeaderName;

static KC_API_KEY: HeaderName = HeaderName::from_static("kc-api-key");
static KC_API_SIGN: HeaderName = HeaderName::from_static("kc-api-sign");
static KC_API_TIMESTAMP: HeaderName = HeaderName::from_static("kc-api-timestamp");
static KC_API_PASSPHRASE: HeaderName = HeaderName::from_static("kc-api-passphrase");
static KC_API_KEY_VERSION: HeaderName = HeaderName::from_static("kc-api-key-version");

/// The KuCoin API key version, shown next to the key on the API-management page.
///
/// `#[non_exhaustive]`: KuCoin has added key versions before (v2, then v3); a `match` needs a
/// `_` arm.
///
/// ```compile_fail,E0004
/// fn number(version: cexsign::KucoinKeyVersion) -> u8 {
///     match version {
///         cexsign::KucoinKeyVersion::V1 => 1,
///         cexsign::KucoinKeyVersion::V2 => 2,
///         cexsign::KucoinKeyVersion::V3 => 3,
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum KucoinKeyVersion {
    /// Version 1 (retired in 2021): plain passphrase, no version header.
    V1,
    /// Version 2: HMAC'd passphrase, `KC-API-KEY-VERSION: 2`.
    V2,
    /// Version 3, the current one: HMAC'd passphrase, `KC-API-KEY-VERSION: 3`.
    #[default]
    V3,
}

impl TryFrom<u32> for KucoinKeyVersion {
    type Error = Error;

    fn try_from(version: u32) -> Result<Self, Error> {
        match version {
            1 => Ok(Self::V1),
            2 => Ok(Self::V2),
            3 => Ok(Self::V3),
            version => Err(Error::UnsupportedKeyVersion { version }),
        }
    }
}

/// Signs KuCoin requests.
///
/// ```
/// use cexsign::{Credentials, KucoinKeyVersion, KucoinSigner, Method, SignableRequest, Signer, Timestamp};
/// let signer = KucoinSigner::new(
///     &Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111"),
///     KucoinKeyVersion::V2,
/// )?;
/// let request = SignableRequest::new(Method::Get, "/api/v1/sub/api-key")?
///     .with_query("apiKey=67b3&subName=test&passphrase=abc%21%40%2311")?;
/// let signed = signer.sign(&request, Timestamp::from_unix_millis(1_680_885_532_722))?;
/// assert_eq!(signed.signature(), "q/dCTdmNJ+cb73LTri5Cez8JRHsKXXrNNV3i6zdb/RM=");
/// assert_eq!(signed.header("KC-API-KEY-VERSION").unwrap(), "2");
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct KucoinSigner {
    key: HmacKey,
    version: KucoinKeyVersion,
    headers: HeaderLayout,
}

impl KucoinKeyVersion {
    /// The `KC-API-KEY-VERSION` header value; version 1 keys send none.
    fn header_text(self) -> Option<&'static str> {
        match self {
            KucoinKeyVersion::V1 => None,
            KucoinKeyVersion::V2 => Some("2"),
            KucoinKeyVersion::V3 => Some("3"),
        }
    }
}

/// KuCoin API keys are 24 hex characters and secrets UUIDs (`AUTH.md` §KuCoin; the KuCoin docs'
/// example key `6422da9c97b45100018c6e62`).
const KEY_FORMS: KeyForms =
    KeyForms { key: (Form::Hex(24), "24 hex characters"), secret: (Form::Uuid, "a UUID") };

impl KucoinSigner {
    /// Checks the credentials and derives, once, everything the key version needs.
    pub fn new(credentials: &Credentials, version: KucoinKeyVersion) -> Result<Self, Error> {
        let scheme = Scheme::Kucoin;
        let api_key = credentials.require_api_key(scheme)?;
        refuse_swapped(credentials, scheme, KEY_FORMS)?;
        let secret = hmac_secret(credentials, scheme, "KuCoin API keys are HMAC keys: paste the API secret shown at key creation")?;
        let key = HmacKey::new(secret.as_bytes());
        let passphrase = credentials.require_passphrase(scheme)?;
        let passphrase = match version {
            KucoinKeyVersion::V1 => passphrase.to_owned(),
            KucoinKeyVersion::V2 | KucoinKeyVersion::V3 => {
                let mac = key.mac(&PrehashParts::new().push_str(passphrase));
                base64::engine::general_purpose::STANDARD.encode(mac)
            }
        };
        let passphrase = HeaderSecret::new(passphrase, "passphrase")?;
        let version_header = version
            .header_text()
            .map(|text| (&KC_API_KEY_VERSION, HeaderSource::Fixed(http::HeaderValue::from_static(text))));
        let headers = HeaderLayout::new(
            [
                (&KC_API_KEY, HeaderSource::Fixed(api_key.header_value())),
                (&KC_API_SIGN, HeaderSource::Signature),
                (&KC_API_TIMESTAMP, HeaderSource::Timestamp),
                (&KC_API_PASSPHRASE, HeaderSource::Fixed(passphrase.header_value())),
            ]
            .into_iter()
            .chain(version_header),
        );
        Ok(Self { key, version, headers })
    }

    /// The key version the signer was built for.
    pub fn key_version(&self) -> KucoinKeyVersion {
        self.version
    }
}

impl Signer for KucoinSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Kucoin
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
        let timestamp = timestamp.text_in(self.rest_timestamp_format())?;
        let query = decode_query(request.query())?;
        let method = request.method().as_str();
        let prehash = timestamp_method_path_query_body(timestamp, method, request.path(), &query, request.body());
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Base64, options);
        let signed = SignedRequest::new(timestamp, &signature, prehash, &self.headers);
        Ok(signed)
    }

    /// KuCoin has no websocket login message: sign `POST /api/v1/bullet-private` (empty body)
    /// as a REST request and connect with the token it returns.
    fn sign_ws_at(
        &self,
        _request: &WsRequest<'_>,
        _timestamp: &WireTimestamp,
        _options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        Err(Error::WsUnsupported {
            scheme: Scheme::Kucoin,
            hint: "sign POST /api/v1/bullet-private (empty body) as a REST request and connect with the token it returns",
        })
    }
}
