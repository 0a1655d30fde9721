//! Bitfinex API v2: authenticated REST (`POST /v2/auth/…`) and the websocket `auth` event.
//!
//! `bfx-signature = hex(HMAC-SHA384(secret, "/api" + path + nonce + body))`, the secret used as
//! given. The nonce is not a time but an integer that must exceed the last one the key used
//! (REST and websocket share the count): bitfinex-api-py sends microseconds, ccxt milliseconds,
//! and a key that has seen microseconds refuses milliseconds. Neither the method nor a query is
//! signed, and a request without a body signs nothing after the nonce (not `{}`). The websocket
//! `auth` event signs `"AUTH" + nonce` the same way.

use http::HeaderName;
use serde::Serialize;

use crate::credentials::ApiKey;
use crate::exchanges::common::{hmac_secret, ws_auth};
use crate::mac::{Encoding, HmacSha384Key, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Prehash, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat,
    WireTimestamp, WsAuth, WsField, WsRequest,
};

static BFX_NONCE: HeaderName = HeaderName::from_static("bfx-nonce");
static BFX_APIKEY: HeaderName = HeaderName::from_static("bfx-apikey");
static BFX_SIGNATURE: HeaderName = HeaderName::from_static("bfx-signature");

/// What Bitfinex puts in front of the request path in the prehash: the path as its gateway
/// sees it (`/api/v2/auth/…`).
const PATH_PREFIX: &str = "/api";

/// Signs Bitfinex API v2 requests (`api.bitfinex.com`, paths `/v2/auth/…`) and the websocket
/// `auth` event (`wss://api.bitfinex.com/ws/2`).
///
/// The nonce is the signing instant in microseconds, as Bitfinex's official SDK sends it;
/// [`with_millisecond_nonce`](Self::with_millisecond_nonce) sends milliseconds, as ccxt does. Use
/// one unit per key for good: Bitfinex only checks that a key's nonces grow.
///
/// ```
/// use cexsign::{BitfinexSigner, Credentials, Method, SignableRequest, Signer, Timestamp, WsRequest};
/// // AUTH-breadth.md's worked example (fake key and secret).
/// let signer = BitfinexSigner::new(
///     &Credentials::new().api_key("bfxKEY0123456789").secret("bfxSECRET0123456789abcdefghijklmnopqrstuvw"),
/// )?;
/// let at = Timestamp::from_unix_millis(1_700_000_000_000);
/// let body = br#"{"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0.001","price":"30000"}"#;
/// let order = SignableRequest::new(Method::Post, "/v2/auth/w/order/submit")?.with_body(body);
/// let signed = signer.sign(&order, at)?;
/// assert_eq!(signed.header("bfx-nonce").unwrap(), "1700000000000000");
/// assert_eq!(
///     signed.signature(),
///     "6b021b6d09c0d9428f08ddd91b7f4915760ab2827853d884d996087e0971904e31190095c41b5f8c4f7bfe8c706b8f8b"
/// );
///
/// // No body: nothing is signed after the nonce.
/// let wallets = SignableRequest::new(Method::Post, "/v2/auth/r/wallets")?;
/// assert_eq!(
///     signer.sign(&wallets, at)?.signature(),
///     "2eb23171f8b45498276226f3df15173e1d4d3242039d2d38ab0fdc84ec7cf4f2f7cbfce57e41d0b39c738744ee728007"
/// );
///
/// // The websocket auth event signs "AUTH" + nonce.
/// let login = signer.sign_ws(&WsRequest::login(), at)?;
/// assert_eq!(
///     login.signature(),
///     "1c5be48b827a34e3e5f4b9c4989c490087a24d7b42ab84153a3530c57198dd7f083c4a59efae63769f740a4f6c700780"
/// );
/// # Ok::<(), cexsign::Error>(())
/// ```
pub struct BitfinexSigner {
    api_key: ApiKey,
    key: HmacSha384Key,
    nonce_format: TimestampFormat,
    headers: HeaderLayout,
}

impl std::fmt::Debug for BitfinexSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BitfinexSigner")
            .field("api_key", &self.api_key)
            .field("key", &"[REDACTED]")
            .field("nonce_format", &self.nonce_format)
            .finish()
    }
}

impl BitfinexSigner {
    /// Checks the credentials (API key and secret; no passphrase) and keys the HMAC once.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::Bitfinex;
        let api_key = credentials.require_api_key(scheme)?;
        let secret = hmac_secret(
            credentials,
            scheme,
            "Bitfinex keys are HMAC only: give the API key secret (a 43-character string), not a private key",
        )?;
        let headers = HeaderLayout::new([
            (&BFX_NONCE, HeaderSource::Timestamp),
            (&BFX_APIKEY, HeaderSource::Fixed(api_key.header_value())),
            (&BFX_SIGNATURE, HeaderSource::Signature),
        ]);
        let key = HmacSha384Key::new(secret.as_bytes());
        Ok(Self { api_key, key, nonce_format: TimestampFormat::UnixMicros, headers })
    }

    /// Sends the nonce in milliseconds (ccxt's unit) instead of microseconds. Only for a key
    /// that has never seen a microsecond nonce: Bitfinex refuses every smaller nonce with
    /// `nonce: small` until a new key is made.
    pub fn with_millisecond_nonce(mut self) -> Self {
        self.nonce_format = TimestampFormat::UnixMillis;
        self
    }

    /// The nonce's text: any integer nonce is signed as sent, whichever unit it counts in.
    fn nonce<'t>(&self, timestamp: &'t WireTimestamp) -> Result<&'t str, Error> {
        timestamp.text_if(|f| matches!(f, TimestampFormat::UnixMicros | TimestampFormat::UnixMillis), self.nonce_format)
    }

    /// HMAC-SHA384 of the parts, hex (96 characters), and the prehash if asked.
    fn mac(&self, prehash: PrehashParts<'_>, options: &SignOptions) -> (String, Option<Prehash>) {
        let signature = Encoding::Hex.encode_into::<48, 96>(&self.key.mac(&prehash));
        (signature.to_string(), options.keeps_prehash().then(|| Prehash::new(prehash.to_vec())))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AuthEvent<'a> {
    event: &'static str,
    api_key: &'a str,
    auth_sig: &'a str,
    auth_nonce: u64,
    auth_payload: &'a str,
}

impl Signer for BitfinexSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Bitfinex
    }

    /// `bfx-nonce`: microseconds, or milliseconds with [`BitfinexSigner::with_millisecond_nonce`].
    fn rest_timestamp_format(&self) -> TimestampFormat {
        self.nonce_format
    }

    /// The auth event's `authNonce`: the same unit as REST (they share the key's count).
    fn ws_timestamp_format(&self) -> TimestampFormat {
        self.nonce_format
    }

    /// `timestamp` is the nonce, signed as sent (microseconds or milliseconds).
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        if !request.query().is_empty() {
            return Err(Error::InvalidParameters {
                scheme: Scheme::Bitfinex,
                problem: "Bitfinex signs no query: send the parameters of an authenticated endpoint in the JSON body",
            });
        }
        let nonce = self.nonce(timestamp)?;
        let prehash = PrehashParts::of([PATH_PREFIX, request.path(), nonce], request.body());
        let (signature, prehash) = self.mac(prehash, options);
        Ok(SignedRequest::new(nonce, &signature, prehash, &self.headers))
    }

    /// `{"event":"auth","apiKey","authSig","authNonce":<int>,"authPayload":"AUTH"+nonce}`.
    fn sign_ws_at(
        &self,
        _request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let nonce = self.nonce(timestamp)?;
        let payload = format!("AUTH{nonce}");
        let (signature, prehash) = self.mac(PrehashParts::new().push_str(&payload), options);
        let auth_nonce: u64 = nonce.parse().map_err(|_| Error::TimestampOutOfRange { format: "an integer nonce" })?;
        let message = AuthEvent {
            event: "auth",
            api_key: self.api_key.as_str(),
            auth_sig: &signature,
            auth_nonce,
            auth_payload: &payload,
        };
        let fields = vec![
            WsField::new("apiKey", self.api_key.as_str()),
            WsField::new("authNonce", nonce),
            WsField::new("authPayload", payload.as_str()),
            WsField::new("authSig", signature.as_str()),
        ];
        Ok(ws_auth(&message, fields, nonce, &signature, prehash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Method, Timestamp};

    fn signer() -> BitfinexSigner {
        let credentials =
            Credentials::new().api_key("bfxKEY0123456789").secret("bfxSECRET0123456789abcdefghijklmnopqrstuvw");
        BitfinexSigner::new(&credentials).unwrap()
    }

    /// AUTH-breadth.md's worked example, fed as the nonce text a verifier receives.
    #[test]
    fn worked_example() {
        let nonce = WireTimestamp::parse(TimestampFormat::UnixMicros, "1700000000000000").unwrap();
        let options = SignOptions::new().keep_prehash();
        let wallets = SignableRequest::new(Method::Post, "/v2/auth/r/wallets").unwrap();
        let signed = signer().sign_at(&wallets, &nonce, &options).unwrap();
        assert_eq!(signed.prehash().unwrap().as_str(), Some("/api/v2/auth/r/wallets1700000000000000"));
        assert_eq!(
            signed.signature(),
            "2eb23171f8b45498276226f3df15173e1d4d3242039d2d38ab0fdc84ec7cf4f2f7cbfce57e41d0b39c738744ee728007"
        );
        let login = signer().sign_ws_at(&WsRequest::login(), &nonce, &options).unwrap();
        assert_eq!(login.prehash().unwrap().as_str(), Some("AUTH1700000000000000"));
        assert_eq!(
            login.message_json(),
            r#"{"event":"auth","apiKey":"bfxKEY0123456789","authSig":"1c5be48b827a34e3e5f4b9c4989c490087a24d7b42ab84153a3530c57198dd7f083c4a59efae63769f740a4f6c700780","authNonce":1700000000000000,"authPayload":"AUTH1700000000000000"}"#
        );
    }

    #[test]
    fn the_nonce_unit_is_chosen_once() {
        let request = SignableRequest::new(Method::Post, "/v2/auth/r/wallets").unwrap().with_body(b"{}");
        let at = Timestamp::from_unix_millis(1_718_015_890_323);
        assert_eq!(signer().sign(&request, at).unwrap().header("bfx-nonce"), Some("1718015890323000"));
        let millis = signer().with_millisecond_nonce().sign(&request, at).unwrap();
        assert_eq!(millis.header("bfx-nonce"), Some("1718015890323"));
    }

    #[test]
    fn a_query_or_a_non_integer_nonce_is_refused() {
        let query = SignableRequest::new(Method::Post, "/v2/auth/r/wallets").unwrap().with_query("a=1").unwrap();
        let nonce = WireTimestamp::parse(TimestampFormat::UnixMicros, "1700000000000000").unwrap();
        let err = signer().sign_at(&query, &nonce, &SignOptions::new()).unwrap_err();
        assert!(err.to_string().contains("JSON body"), "{err}");
        let request = SignableRequest::new(Method::Post, "/v2/auth/r/wallets").unwrap();
        let iso = WireTimestamp::parse(TimestampFormat::Iso8601Millis, "2023-11-14T22:13:20.123Z").unwrap();
        assert!(signer().sign_at(&request, &iso, &SignOptions::new()).is_err());
    }

    #[test]
    fn a_pem_key_or_a_missing_secret_is_refused_with_the_reason() {
        let pem =
            Credentials::new().api_key("key").secret("-----BEGIN PRIVATE KEY-----\nMC4CAQAw\n-----END PRIVATE KEY-----\n");
        let err = BitfinexSigner::new(&pem).unwrap_err();
        assert!(matches!(err, Error::PemGivenAsHmacSecret { scheme: Scheme::Bitfinex, .. }), "{err}");
        assert!(BitfinexSigner::new(&Credentials::new().api_key("key")).is_err());
        assert!(BitfinexSigner::new(&Credentials::new().secret("secret")).is_err());
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!("{:?}", signer());
        assert!(!shown.contains("bfxSECRET"), "{shown}");
    }
}
