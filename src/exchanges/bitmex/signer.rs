//! BitMEX: REST (`api-expires`) and the websocket `authKeyExpires` login.
//!
//! `hex(HMAC-SHA256(secret, VERB + path + "?" + query + expires + body))`, the secret used as
//! given. `expires` is not a signing time but the instant after which BitMEX refuses the
//! request, in whole Unix **seconds** (milliseconds are the classic mistake). The websocket login
//! signs `"GET/realtime" + expires` the same way.

use std::time::Duration;

use http::HeaderName;
use serde::Serialize;

use crate::credentials::ApiKey;
use crate::exchanges::common::{hmac_secret, mac, query_separator, ws_auth};
use crate::mac::{Encoding, HmacKey, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, Timestamp, TimestampFormat,
    WireTimestamp, WsAuth, WsField, WsRequest,
};

static API_EXPIRES: HeaderName = HeaderName::from_static("api-expires");
static API_KEY: HeaderName = HeaderName::from_static("api-key");
static API_SIGNATURE: HeaderName = HeaderName::from_static("api-signature");

/// How far ahead of the signing instant a REST request expires by default: 5 s, as ccxt and
/// BitMEX's sample market maker.
pub const BITMEX_DEFAULT_EXPIRES_IN: Duration = Duration::from_secs(5);

/// How far ahead of the signing instant a websocket login expires by default.
pub const BITMEX_DEFAULT_WS_EXPIRY: Duration = Duration::from_secs(60);

/// Signs BitMEX requests (`www.bitmex.com` and `testnet.bitmex.com`, paths `/api/v1/…`).
///
/// [`Signer::sign`] takes the signing instant and sends `api-expires` =
/// that instant + [`with_expires_in`](Self::with_expires_in) (5 s by default), in whole seconds.
/// [`Signer::sign_at`] takes the `api-expires` value itself, as a verifier receives it.
///
/// ```
/// use cexsign::{BitmexSigner, Credentials, Method, SignableRequest, Signer, Timestamp};
/// use std::time::Duration;
/// // BitMEX's documented sample key, and its sample calculation ("API Key Authentication").
/// let signer = BitmexSigner::new(
///     &Credentials::new()
///         .api_key("LAqUlngMIQkIUjXMUreyu3qn")
///         .secret("chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO"),
/// )?
/// .with_expires_in(Duration::from_secs(5));
/// let request = SignableRequest::new(Method::Get, "/api/v1/instrument")?;
/// // Signed at 1518064231, the request expires at 1518064236.
/// let signed = signer.sign(&request, Timestamp::from_unix_secs(1_518_064_231))?;
/// assert_eq!(signed.header("api-expires").unwrap(), "1518064236");
/// assert_eq!(signed.signature(), "c7682d435d0cfe87c16098df34ef2eb5a549d4c5a3c2b1f0f77b8af73423bf00");
///
/// // The websocket login: {"op":"authKeyExpires","args":[key, expires, signature]}.
/// let login = signer
///     .with_ws_expiry(Duration::ZERO)
///     .sign_ws(&cexsign::WsRequest::login(), Timestamp::from_unix_secs(1_518_064_236))?;
/// assert_eq!(
///     login.message_json(),
///     r#"{"op":"authKeyExpires","args":["LAqUlngMIQkIUjXMUreyu3qn",1518064236,"6d459dc02866d35a2b965edeecc68063d488e296b77982235fc6eca24b934945"]}"#
/// );
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug)]
pub struct BitmexSigner {
    api_key: ApiKey,
    key: HmacKey,
    expires_in: Duration,
    ws_expiry: Duration,
    headers: HeaderLayout,
}

impl BitmexSigner {
    /// Checks the credentials (API key and secret; no passphrase) and keys the HMAC once.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::Bitmex;
        let api_key = credentials.require_api_key(scheme)?;
        let secret = hmac_secret(credentials, scheme, "BitMEX keys are HMAC only: give the 48-character API secret, not a private key")?;
        let headers = HeaderLayout::new([
            (&API_EXPIRES, HeaderSource::Timestamp),
            (&API_KEY, HeaderSource::Fixed(api_key.header_value())),
            (&API_SIGNATURE, HeaderSource::Signature),
        ]);
        Ok(Self {
            api_key,
            key: HmacKey::new(secret.as_bytes()),
            expires_in: BITMEX_DEFAULT_EXPIRES_IN,
            ws_expiry: BITMEX_DEFAULT_WS_EXPIRY,
            headers,
        })
    }

    /// Sets how far after the signing instant a REST request expires (default 5 s). Longer
    /// survives a slower network or a clock behind BitMEX's, and widens the replay window of a
    /// captured request. Zero sends the signing instant itself, which BitMEX already counts as
    /// expired: only for tests and vectors whose instant is the expiry.
    pub fn with_expires_in(mut self, after: Duration) -> Self {
        self.expires_in = after;
        self
    }

    /// Sets how far after the signing instant a websocket login expires (default 60 s; BitMEX's
    /// sample market maker uses an hour).
    pub fn with_ws_expiry(mut self, after: Duration) -> Self {
        self.ws_expiry = after;
        self
    }

    /// The expiry of something signed at `at`, `after` later.
    fn expiry(at: Timestamp, after: Duration) -> Result<Timestamp, Error> {
        let millis = i64::try_from(after.as_millis()).map_err(|_| Error::TimestampOutOfRange { format: "a time" })?;
        at.offset_by_millis(millis)
    }
}

#[derive(Serialize)]
struct AuthMessage<'a> {
    op: &'static str,
    args: (&'a str, u64, &'a str),
}

impl Signer for BitmexSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Bitmex
    }

    /// `api-expires`: whole Unix seconds (an expiry, not the signing time).
    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixSeconds
    }

    /// The login's `expires`: whole Unix seconds.
    fn ws_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixSeconds
    }

    /// Signs as of `at`: `api-expires` is `at` + [`BitmexSigner::with_expires_in`].
    fn sign_with(
        &self,
        request: &SignableRequest<'_>,
        at: Timestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let expires = Self::expiry(at, self.expires_in)?;
        self.sign_at(request, &WireTimestamp::render(self.rest_timestamp_format(), expires)?, options)
    }

    /// `timestamp` is the `api-expires` value, used verbatim.
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let expires = timestamp.text_in(self.rest_timestamp_format())?;
        let (method, path, query) = (request.method().as_str(), request.path(), request.query());
        let prehash =
            PrehashParts::of([method, path, query_separator(query), query, expires], request.body());
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Hex, options);
        Ok(SignedRequest::new(expires, &signature, prehash, &self.headers))
    }

    /// Signs as of `at`: the login expires [`BitmexSigner::with_ws_expiry`] later.
    fn sign_ws_with(&self, request: &WsRequest<'_>, at: Timestamp, options: &SignOptions) -> Result<WsAuth, Error> {
        let expires = Self::expiry(at, self.ws_expiry)?;
        self.sign_ws_at(request, &WireTimestamp::render(self.ws_timestamp_format(), expires)?, options)
    }

    /// The `{"op":"authKeyExpires","args":[api_key, expires, signature]}` login; `timestamp` is
    /// the expiry (seconds), sent as a number. The same three values also authenticate the
    /// websocket handshake as `api-key`, `api-expires` and `api-signature` headers.
    fn sign_ws_at(
        &self,
        _request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let expires = timestamp.text_in(self.ws_timestamp_format())?;
        let prehash = PrehashParts::new().push_str("GET/realtime").push_str(expires);
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Hex, options);
        let expires_number = timestamp.instant().unix_secs();
        let message = AuthMessage { op: "authKeyExpires", args: (self.api_key.as_str(), expires_number, &signature) };
        let fields = vec![
            WsField::new("api_key", self.api_key.as_str()),
            WsField::new("expires", expires),
            WsField::new("signature", signature.as_str()),
        ];
        Ok(ws_auth(&message, fields, expires, &signature, prehash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Method;

    fn signer() -> BitmexSigner {
        let credentials = Credentials::new()
            .api_key("LAqUlngMIQkIUjXMUreyu3qn")
            .secret("chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO");
        BitmexSigner::new(&credentials).unwrap()
    }

    /// AUTH-breadth.md's worked example (BitMEX's documented sample calculation).
    #[test]
    fn documented_examples() {
        let signer = signer();
        let at = |text| WireTimestamp::parse(TimestampFormat::UnixSeconds, text).unwrap();
        let options = SignOptions::new().keep_prehash();
        let get = SignableRequest::new(Method::Get, "/api/v1/instrument").unwrap();
        let signed = signer.sign_at(&get, &at("1518064236"), &options).unwrap();
        assert_eq!(signed.prehash().unwrap().as_str(), Some("GET/api/v1/instrument1518064236"));
        assert_eq!(signed.signature(), "c7682d435d0cfe87c16098df34ef2eb5a549d4c5a3c2b1f0f77b8af73423bf00");
        let query = get.with_query("filter=%7B%22symbol%22%3A+%22XBTM15%22%7D").unwrap();
        let signed = signer.sign_at(&query, &at("1518064237"), &options).unwrap();
        assert_eq!(signed.signature(), "e2f422547eecb5b3cb29ade2127e21b858b235b386bfa45e1c1756eb3383919f");
        let body = br#"{"symbol":"XBTM15","price":219.0,"clOrdID":"mm_bitmex_1a/oemUeQ4CAJZgP3fjHsA","orderQty":98}"#;
        let post = SignableRequest::new(Method::Post, "/api/v1/order").unwrap().with_body(body);
        let signed = signer.sign_at(&post, &at("1518064238"), &options).unwrap();
        assert_eq!(signed.signature(), "1749cd2ccae4aa49048ae09f0b95110cee706e0944e6a14ad0b3a8cb45bd336b");
        let delete = SignableRequest::new(Method::Delete, "/api/v1/order").unwrap().with_body(br#"{"clOrdID":"vg-1"}"#);
        let signed = signer.sign_at(&delete, &at("1518064240"), &options).unwrap();
        assert_eq!(signed.signature(), "9aedf08908fa3b30cb9e5a1d922cffe1f2b85418be1b409ab3a7b76423238888");
        let login = signer.sign_ws_at(&WsRequest::login(), &at("1518064236"), &options).unwrap();
        assert_eq!(login.signature(), "6d459dc02866d35a2b965edeecc68063d488e296b77982235fc6eca24b934945");
    }

    #[test]
    fn api_expires_lies_ahead_of_the_signing_instant() {
        let request = SignableRequest::new(Method::Get, "/api/v1/user").unwrap();
        let now = Timestamp::from_unix_millis(1_700_000_000_900);
        let signed = signer().sign(&request, now).unwrap();
        assert_eq!(signed.header("api-expires").unwrap(), "1700000005");
        let signed = signer().with_expires_in(Duration::from_secs(30)).sign(&request, now).unwrap();
        assert_eq!(signed.header("api-expires").unwrap(), "1700000030");
        let login = signer().sign_ws(&WsRequest::login(), now).unwrap();
        assert_eq!(login.timestamp(), "1700000060");
    }

    #[test]
    fn expires_in_milliseconds_is_refused() {
        let request = SignableRequest::new(Method::Get, "/api/v1/user").unwrap();
        let wire = WireTimestamp::parse(TimestampFormat::UnixMillis, "1700000000000").unwrap();
        let err = signer().sign_at(&request, &wire, &SignOptions::new()).unwrap_err();
        assert!(err.to_string().contains("integer Unix seconds"), "{err}");
    }

    #[test]
    fn a_pem_key_is_refused_with_the_reason() {
        let credentials =
            Credentials::new().api_key("key").secret("-----BEGIN PRIVATE KEY-----\nMC4CAQAw\n-----END PRIVATE KEY-----\n");
        let err = BitmexSigner::new(&credentials).unwrap_err();
        assert!(matches!(err, Error::PemGivenAsHmacSecret { scheme: Scheme::Bitmex, .. }), "{err}");
    }
}
