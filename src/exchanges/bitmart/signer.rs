//! BitMart (spot and futures v2): REST and the websocket login.
//!
//! `X-BM-SIGN = hex(HMAC-SHA256(secret, timestamp + "#" + memo + "#" + payload))`, the timestamp
//! in milliseconds, the payload the query as sent (without `?`) for a GET and the JSON body as
//! sent otherwise (AUTH-breadth.md §7). The memo is the key's third credential, chosen at key
//! creation: signed, never sent. The method and the path are not signed. The websocket login
//! signs `timestamp + "#" + memo + "#bitmart.WebSocket"`.

use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use crate::credentials::ApiKey;
use crate::exchanges::common::{Form, KeyForms, hmac_secret, mac, refuse_swapped, ws_auth};
use crate::mac::{Encoding, HmacKey, PrehashParts};
use crate::signer::{HeaderLayout, HeaderSource};
use crate::{
    Credentials, Error, Method, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, TimestampFormat,
    WireTimestamp, WsAuth, WsField, WsRequest,
};
use http::HeaderName;

static X_BM_KEY: HeaderName = HeaderName::from_static("x-bm-key");
static X_BM_SIGN: HeaderName = HeaderName::from_static("x-bm-sign");
static X_BM_TIMESTAMP: HeaderName = HeaderName::from_static("x-bm-timestamp");

/// What the websocket login signs after the memo.
const WS_SUFFIX: &str = "#bitmart.WebSocket";

/// BitMart keys are 40 hex characters and secrets 64 (AUTH-breadth.md §7; the docs' FAQ key
/// `80618e45710812162b04892c7ee5ead4a3cc3e56`).
const KEY_FORMS: KeyForms = KeyForms { key: (Form::Hex(40), "40 hex characters"), secret: (Form::Hex(64), "64 hex characters") };

/// Which BitMart websocket the login is for: the two sign the same string but lay the message
/// out differently.
///
/// `#[non_exhaustive]`: a `match` needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BitmartWsMarket {
    /// Spot (`wss://ws-manager-compress.bitmart.com/user?protocol=1.1`):
    /// `{"op":"login","args":[key, timestamp, sign]}`.
    #[default]
    Spot,
    /// Futures (`wss://openapi-ws-v2.bitmart.com/user?protocol=1.1`):
    /// `{"action":"access","args":[key, timestamp, sign, "web"]}`.
    Futures,
}

impl BitmartWsMarket {
    /// The name a [`KeySettings::ws_auth_type`](crate::KeySettings::ws_auth_type) gives it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Spot => "spot",
            Self::Futures => "futures",
        }
    }
}

/// Signs BitMart requests (spot `api-cloud.bitmart.com`, futures `api-cloud-v2.bitmart.com`) and
/// the websocket login.
///
/// The memo is given as the passphrase ([`Credentials::passphrase`]).
///
/// ```
/// use cexsign::{BitmartSigner, Credentials, Method, SignableRequest, Signer, Timestamp, WsRequest};
/// // BitMart's FAQ key (AUTH-breadth.md §7's worked example).
/// let signer = BitmartSigner::new(
///     &Credentials::new()
///         .api_key("80618e45710812162b04892c7ee5ead4a3cc3e56")
///         .secret("6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9")
///         .passphrase("test001"),
/// )?;
/// let order = SignableRequest::new(Method::Post, "/spot/v1/submit_order")?
///     .with_body(br#"{"symbol":"BTC_USDT","price":"8600","count":"100"}"#);
/// let signed = signer.sign(&order, Timestamp::from_unix_millis(1_589_793_796_145))?;
/// assert_eq!(signed.header("x-bm-timestamp").unwrap(), "1589793796145");
/// assert_eq!(signed.signature(), "c31dc326bf87f38bfb49a3f8494961abfa291bd549d0d98d9578e87516cee46d");
///
/// // A GET signs its query.
/// let query = SignableRequest::new(Method::Get, "/v1")?.with_query("contract_id=1&category=1")?;
/// let signed = signer.sign(&query, Timestamp::from_unix_millis(1_589_267_764_859))?;
/// assert_eq!(signed.signature(), "6d5e774446448073f68e99c28ace86503451bed1fd44e43f80b9b518937c4ef1");
///
/// let login = signer.sign_ws(&WsRequest::login(), Timestamp::from_unix_millis(1_589_267_764_859))?;
/// assert_eq!(login.signature(), "3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556");
/// # Ok::<(), cexsign::Error>(())
/// ```
pub struct BitmartSigner {
    api_key: ApiKey,
    key: HmacKey,
    memo: SecretString,
    ws_market: BitmartWsMarket,
    headers: HeaderLayout,
}

impl std::fmt::Debug for BitmartSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BitmartSigner")
            .field("api_key", &self.api_key)
            .field("key", &"[REDACTED]")
            .field("memo", &"[REDACTED]")
            .field("ws_market", &self.ws_market)
            .finish()
    }
}

impl BitmartSigner {
    /// Checks the credentials (API key, secret and memo) and keys the HMAC once.
    pub fn new(credentials: &Credentials) -> Result<Self, Error> {
        let scheme = Scheme::Bitmart;
        let api_key = credentials.require_api_key(scheme)?;
        refuse_swapped(credentials, scheme, KEY_FORMS)?;
        let secret = hmac_secret(
            credentials,
            scheme,
            "BitMart API keys are HMAC keys: paste the 64-hex-character secret shown at key creation",
        )?;
        let memo = memo(credentials, scheme)?;
        let headers = HeaderLayout::new([
            (&X_BM_KEY, HeaderSource::Fixed(api_key.header_value())),
            (&X_BM_SIGN, HeaderSource::Signature),
            (&X_BM_TIMESTAMP, HeaderSource::Timestamp),
        ]);
        Ok(Self {
            api_key,
            key: HmacKey::new(secret.as_bytes()),
            memo,
            ws_market: BitmartWsMarket::default(),
            headers,
        })
    }

    /// Writes the login of this market's websocket (spot by default).
    pub fn with_ws_market(mut self, market: BitmartWsMarket) -> Self {
        self.ws_market = market;
        self
    }

    /// The `timestamp#memo#` every BitMart prehash starts with.
    fn prehash<'a>(&'a self, timestamp: &'a str) -> PrehashParts<'a> {
        PrehashParts::new().push_str(timestamp).push_str("#").push_str(self.memo.expose_secret()).push_str("#")
    }
}

/// The memo, BitMart's third credential, given as the passphrase: the same text as at key
/// creation (BitMart compares it byte for byte; a copied memo with a trailing space or newline
/// signs another string).
fn memo(credentials: &Credentials, scheme: Scheme) -> Result<SecretString, Error> {
    let memo = credentials.passphrase.as_ref().ok_or(Error::MissingCredential {
        scheme,
        field: "memo (the text chosen when the key was created)",
        setter: "passphrase",
    })?;
    let text = memo.expose_secret();
    if text.is_empty() {
        return Err(Error::EmptyCredential { field: "memo" });
    }
    if text.trim() != text || text.chars().any(char::is_control) {
        return Err(Error::CredentialWhitespace { field: "memo" });
    }
    Ok(SecretString::from(text.to_owned()))
}

#[derive(Serialize)]
struct SpotLogin<'a> {
    op: &'static str,
    args: [&'a str; 3],
}

#[derive(Serialize)]
struct FuturesAccess<'a> {
    action: &'static str,
    args: [&'a str; 4],
}

impl Signer for BitmartSigner {
    fn scheme(&self) -> Scheme {
        Scheme::Bitmart
    }

    fn rest_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    fn ws_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::UnixMillis
    }

    /// The payload is the query as sent for a GET (or a request without a body), the body as
    /// sent otherwise: BitMart's GETs carry their parameters in the query, its POSTs in a JSON
    /// body.
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let timestamp = timestamp.text_in(self.rest_timestamp_format())?;
        let body = request.body();
        let payload = if request.method() == Method::Get || body.is_empty() { request.query().as_bytes() } else { body };
        let prehash = self.prehash(timestamp).push(payload);
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Hex, options);
        Ok(SignedRequest::new(timestamp, &signature, prehash, &self.headers))
    }

    /// Spot `{"op":"login","args":[key, ts, sign]}` or futures
    /// `{"action":"access","args":[key, ts, sign, "web"]}`, both signing
    /// `timestamp#memo#bitmart.WebSocket`.
    fn sign_ws_at(
        &self,
        _request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error> {
        let timestamp = timestamp.text_in(self.ws_timestamp_format())?;
        let prehash = PrehashParts::new().push_str(timestamp).push_str("#").push_str(self.memo.expose_secret()).push_str(WS_SUFFIX);
        let (signature, prehash) = mac(&self.key, prehash, Encoding::Hex, options);
        let key = self.api_key.as_str();
        let fields = vec![
            WsField::new("api_key", key),
            WsField::new("timestamp", timestamp),
            WsField::new("sign", signature.as_str()),
        ];
        Ok(match self.ws_market {
            BitmartWsMarket::Futures => {
                let message = FuturesAccess { action: "access", args: [key, timestamp, signature.as_str(), "web"] };
                ws_auth(&message, fields, timestamp, &signature, prehash)
            }
            BitmartWsMarket::Spot => {
                let message = SpotLogin { op: "login", args: [key, timestamp, signature.as_str()] };
                ws_auth(&message, fields, timestamp, &signature, prehash)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;

    const KEY: &str = "80618e45710812162b04892c7ee5ead4a3cc3e56";
    const SECRET: &str = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9";

    fn signer() -> BitmartSigner {
        BitmartSigner::new(&Credentials::new().api_key(KEY).secret(SECRET).passphrase("test001")).unwrap()
    }

    /// AUTH-breadth.md §7's worked example, with its prehashes.
    #[test]
    fn worked_example() {
        let options = SignOptions::new().keep_prehash();
        let at = WireTimestamp::parse(TimestampFormat::UnixMillis, "1589267764859").unwrap();
        let get = SignableRequest::new(Method::Get, "/v1").unwrap().with_query("contract_id=1&category=1").unwrap();
        let signed = signer().sign_at(&get, &at, &options).unwrap();
        assert_eq!(signed.prehash().unwrap().as_str(), Some("1589267764859#test001#contract_id=1&category=1"));
        let login = signer().sign_ws_at(&WsRequest::login(), &at, &options).unwrap();
        assert_eq!(login.prehash().unwrap().as_str(), Some("1589267764859#test001#bitmart.WebSocket"));
        assert_eq!(
            login.message_json(),
            r#"{"op":"login","args":["80618e45710812162b04892c7ee5ead4a3cc3e56","1589267764859","3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556"]}"#
        );
        let futures = signer().with_ws_market(BitmartWsMarket::Futures);
        let access = futures.sign_ws_at(&WsRequest::login(), &at, &options).unwrap();
        assert_eq!(
            access.message_json(),
            r#"{"action":"access","args":["80618e45710812162b04892c7ee5ead4a3cc3e56","1589267764859","3ceeb7e1b8cb165a975e28a2e2dfaca4d30b358873c0351c1a071d8c83314556","web"]}"#
        );
    }

    /// A GET signs its query, never an empty payload (what the official SDK signs); a POST its body.
    #[test]
    fn the_payload_is_the_query_of_a_get_and_the_body_of_a_post() {
        let options = SignOptions::new().keep_prehash();
        let at = Timestamp::from_unix_millis(1_718_015_890_069);
        let get = SignableRequest::new(Method::Get, "/spot/v4/query/open-orders").unwrap().with_query("symbol=BTC_USDT").unwrap();
        let signed = signer().sign_with(&get, at, &options).unwrap();
        assert_eq!(signed.prehash().unwrap().as_str(), Some("1718015890069#test001#symbol=BTC_USDT"));
        let post = SignableRequest::new(Method::Post, "/spot/v4/cancel_all").unwrap().with_body(b"{}");
        let signed = signer().sign_with(&post, at, &options).unwrap();
        assert_eq!(signed.prehash().unwrap().as_str(), Some("1718015890069#test001#{}"));
        let bare = SignableRequest::new(Method::Get, "/account/v1/wallet").unwrap();
        let signed = signer().sign_with(&bare, at, &options).unwrap();
        assert_eq!(signed.prehash().unwrap().as_str(), Some("1718015890069#test001#"));
    }

    #[test]
    fn the_memo_is_checked_with_a_fix_in_the_message() {
        let base = || Credentials::new().api_key(KEY).secret(SECRET);
        let missing = BitmartSigner::new(&base()).unwrap_err();
        assert!(missing.to_string().contains("memo") && missing.to_string().contains("Credentials::passphrase"), "{missing}");
        let empty = BitmartSigner::new(&base().passphrase("")).unwrap_err();
        assert_eq!(empty, Error::EmptyCredential { field: "memo" });
        let newline = BitmartSigner::new(&base().passphrase("test001\n")).unwrap_err();
        assert_eq!(newline, Error::CredentialWhitespace { field: "memo" });
        assert!(!newline.to_string().contains("test001"));
    }

    #[test]
    fn a_pem_key_swapped_credentials_or_a_damaged_secret_are_refused_with_the_reason() {
        let pem = Credentials::new()
            .api_key(KEY)
            .secret("-----BEGIN PRIVATE KEY-----\nMC4CAQAw\n-----END PRIVATE KEY-----\n")
            .passphrase("test001");
        let err = BitmartSigner::new(&pem).unwrap_err();
        assert!(matches!(err, Error::PemGivenAsHmacSecret { scheme: Scheme::Bitmart, .. }), "{err}");
        let swapped = Credentials::new().api_key(SECRET).secret(KEY).passphrase("test001");
        let err = BitmartSigner::new(&swapped).unwrap_err();
        assert!(matches!(err, Error::KeyAndSecretSwapped { scheme: Scheme::Bitmart, .. }), "{err}");
        let spaced = Credentials::new().api_key(KEY).secret(format!("{SECRET} ")).passphrase("test001");
        assert_eq!(BitmartSigner::new(&spaced).unwrap_err(), Error::CredentialWhitespace { field: "secret" });
    }

    #[test]
    fn debug_hides_the_secret_and_the_memo() {
        let shown = format!("{:?}", signer());
        assert!(!shown.contains("6c6c9854") && !shown.contains("test001"), "{shown}");
    }
}
