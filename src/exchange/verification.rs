//! How a verifier (the local exchange) recognises and checks an exchange's signed requests,
//! written down as data in each exchange's home: [`Routing`] says which requests are the
//! exchange's, [`RestVerification`] what is checked beyond the signature.

use http::HeaderMap;

use super::KeySettings;
use crate::rejection::Refusal;

/// Which REST requests are meant for an exchange: the headers that mark them, and the paths it
/// owns.
///
/// A verifier serving several exchanges on one address routes a request to the exchange, among
/// those with a [`Mark`] the request carries, of lowest [`precedence`](Self::precedence); a
/// request that carries no exchange's marks goes to the exchange owning the longest prefix of
/// its path.
///
/// ```
/// use cexsign::Scheme;
/// let routing = Scheme::Okx.exchange().routing;
/// let mut headers = http::HeaderMap::new();
/// headers.insert("OK-ACCESS-KEY", http::HeaderValue::from_static("key"));
/// assert!(routing.marks_request(&headers, "/api/v5/account/balance"));
/// assert!(routing.paths.contains(&"/api/v5/"));
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Routing {
    /// The headers that mark a request as this exchange's: any one of them does.
    pub marks: &'static [Mark],
    /// The path prefixes the exchange owns, for requests that carry no exchange's marks (the
    /// longest matching prefix wins; `""` owns whatever no other exchange owns).
    pub paths: &'static [&'static str],
    /// Which exchange a request carrying the marks of several is for: the lowest number wins.
    /// Exchanges with distinctive header names come first; those sharing generic names (`api-key`,
    /// `key`, `sign`) order among themselves by it (Kraken's `API-Sign` before Delta's `api-key`),
    /// and the Coinbase APIs, which share `CB-ACCESS-*`, come last. Every exchange has its own.
    pub precedence: u8,
}

impl Routing {
    /// Marks and paths.
    pub const fn new(marks: &'static [Mark], paths: &'static [&'static str], precedence: u8) -> Self {
        Self { marks, paths, precedence }
    }

    /// Whether a request to `path` with these headers carries one of the exchange's marks.
    pub fn marks_request(&self, headers: &HeaderMap, path: &str) -> bool {
        self.marks.iter().any(|mark| mark.matches(headers, path))
    }

    /// The length of the longest of the exchange's path prefixes `path` starts with.
    pub fn owns(&self, path: &str) -> Option<usize> {
        self.paths.iter().filter(|prefix| path.starts_with(**prefix)).map(|prefix| prefix.len()).max()
    }
}

/// A header that marks a request as an exchange's, optionally only under a path prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mark {
    /// The header.
    pub header: HeaderMatch,
    /// Only requests whose path starts with this mark the exchange's (Coinbase Advanced Trade's
    /// `CB-ACCESS-*` under `/api/v3/`, Kraken's `API-Key` under `/0/`).
    pub under: Option<&'static str>,
}

/// How a [`Mark`] names its header (names are compared ignoring case, as HTTP does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderMatch {
    /// A header of exactly this name.
    Named(&'static str),
    /// Any header whose name starts with this (`ok-access-`).
    Prefixed(&'static str),
    /// `Authorization: Bearer <token>` (the scheme name in any case).
    Bearer,
    /// `Authorization: <scheme> …`, for this scheme name (in any case): Deribit's
    /// `deri-hmac-sha256`.
    AuthorizationScheme(&'static str),
}

impl Mark {
    /// A header of exactly this name.
    pub const fn named(name: &'static str) -> Self {
        Self { header: HeaderMatch::Named(name), under: None }
    }

    /// Any header whose name starts with `prefix`.
    pub const fn prefixed(prefix: &'static str) -> Self {
        Self { header: HeaderMatch::Prefixed(prefix), under: None }
    }

    /// An `Authorization: Bearer <token>` header.
    pub const BEARER: Mark = Mark { header: HeaderMatch::Bearer, under: None };

    /// An `Authorization: <scheme> …` header for this scheme name.
    pub const fn authorization(scheme: &'static str) -> Self {
        Self { header: HeaderMatch::AuthorizationScheme(scheme), under: None }
    }

    /// The same mark, counted only for paths starting with `prefix`.
    pub const fn under(self, prefix: &'static str) -> Self {
        Self { header: self.header, under: Some(prefix) }
    }

    /// Whether a request to `path` with these headers carries the mark.
    pub fn matches(&self, headers: &HeaderMap, path: &str) -> bool {
        if self.under.is_some_and(|prefix| !path.starts_with(prefix)) {
            return false;
        }
        match self.header {
            HeaderMatch::Named(name) => headers.contains_key(name),
            HeaderMatch::Prefixed(prefix) => headers.keys().any(|name| {
                name.as_str()
                    .as_bytes()
                    .get(..prefix.len())
                    .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
            }),
            HeaderMatch::Bearer => headers
                .get(http::header::AUTHORIZATION)
                .and_then(|value| value.as_bytes().get(..7))
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case(b"bearer ")),
            HeaderMatch::AuthorizationScheme(scheme) => headers.get(http::header::AUTHORIZATION).is_some_and(|value| {
                let value = value.as_bytes();
                value.get(..scheme.len()).is_some_and(|name| name.eq_ignore_ascii_case(scheme.as_bytes()))
                    && value.get(scheme.len()) == Some(&b' ')
            }),
        }
    }
}

/// How a verifier (the local exchange) checks a signed REST request of the exchange, beyond
/// recomputing its signature with the key's signer.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum RestVerification {
    /// The generic check of the auth headers [`rest_auth`](super::Exchange::rest_auth) names: each
    /// present (the passphrase where there is one), the key registered, the timestamp in the
    /// signer's format (or [`rest_timestamp_accepted`](super::Exchange::rest_timestamp_accepted))
    /// and within its [`TimestampRule`], the passphrase, the signature; plus the exchange's
    /// [`ExtraCheck`]s.
    Headers(HeaderCheck),
    /// A JWT in `Authorization: Bearer`, signed with the key (whose name is its `kid`), bound to
    /// the request by a `uri` claim and valid for a short time (Coinbase CDP).
    BearerToken,
    /// The signature is a parameter of the query or form body it signs (the last one), next to
    /// a timestamp and a receive window parameter; the key is a header (Binance).
    SignedParameters,
    /// Auth headers whose signature covers a receive window the request sends in a header of
    /// its own, which is the window its timestamp is held to (Bybit).
    SentReceiveWindow,
    /// A nonce inside the body, signed with it, which must grow from one request of a key to the
    /// next; no time window (Kraken).
    BodyNonce,
    /// The auth values are the items of one `Authorization: <scheme> name=value,…` header, named
    /// by [`rest_auth`](super::Exchange::rest_auth), with a nonce item signed with them that a key
    /// may use once within the window; otherwise checked as [`Headers`](Self::Headers) checks
    /// (Deribit's `deri-hmac-sha256 id=…,ts=…,sig=…,nonce=…`).
    AuthorizationItems(AuthorizationItems),
    /// No auth header: the JSON body carries a recoverable signature (ECDSA `r`, `s`, `v`) and a
    /// millisecond nonce, and the account is the one whose key the signature recovers to; a nonce
    /// a key may use once, within the window (Hyperliquid's EIP-712 actions).
    RecoveredSigner(RecoveredSigner),
    /// A JWT in `Authorization: Bearer` that carries no time: its claims name the key and a
    /// nonce the key may use once ([`NonceToken`]). The signer's token for the request as
    /// received, signed with that nonce, is the only one accepted; any request parameters it
    /// binds (a hash of them) are the signer's to compute (Upbit's `query_hash`).
    NonceToken(NonceToken),
    /// No auth header: the JSON body carries the key, a nonce and an HMAC signature as fields of
    /// its own, named by [`rest_auth`](super::Exchange::rest_auth) (key, signature, timestamp),
    /// next to what they sign. The verifier reads the key and the nonce from the body, holds the
    /// nonce to the window, signs the body as received again with the key's signer at that nonce
    /// and compares the signature field it writes with the one received (Crypto.com's `api_key`,
    /// `sig` and `nonce`).
    SignedBody(SignedBody),
}

/// What the check of a [`RestVerification::SignedBody`] request needs beyond the field names.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SignedBody {
    /// How the signature is laid out, for the refusal of one that does not match.
    pub signature_layout: &'static str,
    /// The known wrong ways of signing a body, a function in the exchange's home: given the key's
    /// credentials and the body as received, the name and fix of the mistake whose signature the
    /// body carries, if it is one of them. The diagnosis tells it.
    pub mistake: fn(&crate::Credentials, &[u8]) -> Option<String>,
}

impl SignedBody {
    /// The signature's layout and the finder of known mistakes.
    pub const fn new(
        signature_layout: &'static str,
        mistake: fn(&crate::Credentials, &[u8]) -> Option<String>,
    ) -> Self {
        Self { signature_layout, mistake }
    }
}

/// The text of a top-level field of a JSON object body, as a [`RestVerification::SignedBody`]
/// verifier reads it: a string's text, a number's decimal text; `None` when the body is no JSON
/// object, or the field is absent, empty or of another type.
///
/// ```
/// let body = br#"{"api_key":"k","nonce":1587523073344,"id":"7"}"#;
/// assert_eq!(cexsign::body_field(body, "nonce").as_deref(), Some("1587523073344"));
/// assert_eq!(cexsign::body_field(body, "api_key").as_deref(), Some("k"));
/// assert_eq!(cexsign::body_field(b"[1]", "id"), None);
/// ```
pub fn body_field(body: &[u8], name: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    match value.get(name)? {
        serde_json::Value::String(text) if !text.is_empty() => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The claims of a [`RestVerification::NonceToken`] token a verifier reads before re-signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NonceToken {
    /// The claim naming the API key (`access_key`).
    pub key: &'static str,
    /// The claim carrying the single-use nonce (`nonce`).
    pub nonce: &'static str,
    /// How the signature is laid out, for the refusal of one that does not match.
    pub signature_layout: &'static str,
}

impl NonceToken {
    /// The key's claim, the nonce's claim and the signature's layout.
    pub const fn new(key: &'static str, nonce: &'static str, signature_layout: &'static str) -> Self {
        Self { key, nonce, signature_layout }
    }
}

/// How a verifier finds who signed a body that carries its own signature (see
/// [`RestVerification::RecoveredSigner`]): functions in the exchange's home.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RecoveredSigner {
    /// Reads a received body: its nonce and the id of the key that signed it, recovered once as
    /// a live key's signature and once as a demo key's (the environment is signed, not sent).
    pub recover: fn(&[u8]) -> Result<Recovered, Refused>,
    /// The id a key's account is known by (its address), from the key's credentials.
    pub key_id: fn(&crate::Credentials) -> Result<String, crate::Error>,
    /// The path of the endpoint that reads signed bodies (`/exchange`).
    pub path: &'static str,
}

/// Who signed a body and when (see [`RecoveredSigner::recover`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recovered {
    /// The nonce (Unix milliseconds).
    pub nonce: u64,
    /// The instant after which the signed body is refused (Unix milliseconds), when it carries one.
    pub expires: Option<u64>,
    /// The key id the signature recovers to, read as a live key's.
    pub live: String,
    /// The key id it recovers to, read as a demo (test environment) key's.
    pub demo: String,
}

impl Recovered {
    /// Who signed a body at `nonce`, as a live and as a demo key.
    pub fn new(nonce: u64, expires: Option<u64>, live: String, demo: String) -> Self {
        Self { nonce, expires, live, demo }
    }
}

/// What the check of an Authorization header made of items needs (see
/// [`RestVerification::AuthorizationItems`]).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AuthorizationItems {
    /// The Authorization scheme's name (`deri-hmac-sha256`), compared ignoring case.
    pub scheme: &'static str,
    /// The item that carries the nonce.
    pub nonce: &'static str,
    /// The rest of the check: the timestamp rule, the signature layout, the sync hint.
    pub check: HeaderCheck,
}

impl AuthorizationItems {
    /// The scheme's name, the nonce item's, and the rest of the check.
    pub const fn new(scheme: &'static str, nonce: &'static str, check: HeaderCheck) -> Self {
        Self { scheme, nonce, check }
    }
}

/// The value of the item `name` of an `Authorization: <scheme> name=value,…` header value (names
/// compared ignoring case, values trimmed); `None` when it has no such item, or it is empty.
///
/// ```
/// let value = "deri-hmac-sha256 id=AMANDA,ts=1576074319000,sig=9bfb,nonce=1iqt2wls";
/// assert_eq!(cexsign::authorization_item(value, "nonce"), Some("1iqt2wls"));
/// assert_eq!(cexsign::authorization_item(value, "ID"), Some("AMANDA"));
/// assert_eq!(cexsign::authorization_item("Bearer abc", "sig"), None);
/// ```
pub fn authorization_item<'v>(value: &'v str, name: &str) -> Option<&'v str> {
    let (_, items) = value.trim_start().split_once(' ')?;
    items
        .split(',')
        .filter_map(|item| item.split_once('='))
        .find(|(item, _)| item.trim().eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// What the generic header check needs to know about an exchange (see
/// [`RestVerification::Headers`]).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct HeaderCheck {
    /// What the timestamp header means, and so how it is held to the server clock.
    pub timestamp: TimestampRule,
    /// The exchange's checks beyond the signature, each at its point of the verification.
    pub extra: &'static [ExtraCheck],
    /// The signature, as a rejection describes it (`base64(HMAC-SHA256(secret, timestamp + ...))`).
    pub signature_layout: &'static str,
    /// How a rejected stale timestamp is to be fixed, followed by the exchange's server-time path
    /// (`sign with a fresh timestamp, offset by GET`).
    pub sync_hint: &'static str,
    /// Said when a request carries the key header but no passphrase header at all (Coinbase
    /// Exchange: Advanced Trade's legacy keys send none, and belong under `/api/v3/`).
    pub passphrase_absent_hint: Option<&'static str>,
    /// Why a passphrase does not match, for keys whose passphrase header is not the plain
    /// passphrase (KuCoin v2 and v3 keys); `None` (or an answer of `None`) gives the plain reason.
    /// Takes the key's settings and the passphrase header's name.
    pub passphrase_reason: Option<fn(&KeySettings, &str) -> Option<String>>,
    /// The `Content-Type` a request with a body must be sent with, where the exchange is
    /// documented (or credibly reported) to refuse another one.
    pub body_type: BodyType,
    /// The widest window a request may state for itself, in the header the description's
    /// [`recv_window_header`](super::DiagnosisFacts::recv_window_header) names, and sign
    /// (Backpack's `X-Window`, at most 60 s): a request that sends one is held to it and signed
    /// with it, one outside 1 ms to `widest` refused as a receive window; `None` where the window
    /// is the exchange's own ([`Exchange::window`](super::Exchange::window)).
    pub widest_sent_window: Option<std::time::Duration>,
}

impl HeaderCheck {
    /// A check of the timestamp as the instant of signing, with no extra checks.
    pub const fn new(signature_layout: &'static str) -> Self {
        Self {
            timestamp: TimestampRule::SignedAt,
            extra: &[],
            signature_layout,
            sync_hint: "sign with a fresh timestamp, offset by GET",
            passphrase_absent_hint: None,
            passphrase_reason: None,
            body_type: BodyType::NOT_CHECKED,
            widest_sent_window: None,
        }
    }

    /// Sets [`timestamp`](Self::timestamp).
    pub const fn timestamp(mut self, rule: TimestampRule) -> Self {
        self.timestamp = rule;
        self
    }

    /// Sets [`extra`](Self::extra).
    pub const fn extra(mut self, extra: &'static [ExtraCheck]) -> Self {
        self.extra = extra;
        self
    }

    /// Sets [`sync_hint`](Self::sync_hint).
    pub const fn sync_hint(mut self, hint: &'static str) -> Self {
        self.sync_hint = hint;
        self
    }

    /// Sets [`passphrase_absent_hint`](Self::passphrase_absent_hint).
    pub const fn passphrase_absent_hint(mut self, hint: &'static str) -> Self {
        self.passphrase_absent_hint = Some(hint);
        self
    }

    /// Sets [`passphrase_reason`](Self::passphrase_reason).
    pub const fn passphrase_reason(mut self, reason: fn(&KeySettings, &str) -> Option<String>) -> Self {
        self.passphrase_reason = Some(reason);
        self
    }

    /// Sets [`body_type`](Self::body_type).
    pub const fn body_type(mut self, body_type: BodyType) -> Self {
        self.body_type = body_type;
        self
    }

    /// Sets [`widest_sent_window`](Self::widest_sent_window).
    pub const fn sent_window_up_to(mut self, widest: std::time::Duration) -> Self {
        self.widest_sent_window = Some(widest);
        self
    }
}

/// What an exchange requires of the `Content-Type` of a REST request that carries a body, and
/// what it answers otherwise.
///
/// ```
/// use cexsign::BodyType;
/// let json = BodyType::required("application/json");
/// let sent = |content_type: &'static str| {
///     let mut headers = http::HeaderMap::new();
///     headers.insert("content-type", http::HeaderValue::from_static(content_type));
///     headers
/// };
/// assert!(json.accepts(&sent("Application/JSON; charset=utf-8")));
/// assert!(!json.accepts(&sent("application/x-www-form-urlencoded")));
/// assert!(!json.accepts(&sent("text/plain")));
/// // No Content-Type at all is not refused: the exchanges' documents do not say it is.
/// assert!(json.accepts(&http::HeaderMap::new()));
/// assert!(BodyType::NOT_CHECKED.accepts(&sent("text/plain")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyType {
    /// The media type a body must be declared as (`application/json`), compared without its
    /// parameters and ignoring case; `None` where the exchange's documentation says nothing
    /// about refusing another one, so that a verifier refuses nothing on this account.
    pub required: Option<&'static str>,
}

impl BodyType {
    /// Not checked: the exchange is not documented to refuse a body for its `Content-Type`.
    pub const NOT_CHECKED: Self = Self { required: None };

    /// A body must be sent as `media_type`: a request with a body that declares another
    /// `Content-Type` is refused with the exchange's [`Refusal::ContentType`] entry. One that
    /// declares none is not: what the exchanges answer it is not documented.
    pub const fn required(media_type: &'static str) -> Self {
        Self { required: Some(media_type) }
    }

    /// Whether a request with a body and these headers is not refused for its `Content-Type`:
    /// it declares the required one, or none.
    pub fn accepts(&self, headers: &HeaderMap) -> bool {
        let Some(required) = self.required else { return true };
        Self::sent(headers).is_none_or(|sent| sent.eq_ignore_ascii_case(required.as_bytes()))
    }

    /// The media type of a request's `Content-Type`, without its parameters and surrounding
    /// spaces (`application/json` of `application/json; charset=utf-8`); `None` when there is
    /// none.
    pub fn sent(headers: &HeaderMap) -> Option<&[u8]> {
        let value = headers.get(http::header::CONTENT_TYPE)?.as_bytes();
        let end = value.iter().position(|b| *b == b';').unwrap_or(value.len());
        Some(value[..end].trim_ascii())
    }
}

/// What a request's timestamp header means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampRule {
    /// The instant the request was signed: accepted within the exchange's
    /// [`window`](super::Exchange::window) of the server clock, either way.
    SignedAt,
    /// The instant the request stops being valid (BitMEX's `api-expires`): accepted while it lies
    /// ahead of the server clock, and at most the exchange's [`window`](super::Exchange::window)
    /// ahead (no limit when it has none).
    Expires,
    /// A nonce, not a time: any integer above the last one the key used (its REST requests and
    /// websocket logins share the count), so milliseconds and microseconds both do until a key
    /// has seen the larger; only a request that verifies moves the key's nonce forward. No window.
    Nonce,
    /// A nonce the client may leave out: the header absent and nothing signed in its place.
    /// When sent, it is held as a [`Nonce`](Self::Nonce). A request without one is signed by the
    /// key's signer for a client that sends none, the one an empty
    /// [`timestamp_sample`](crate::KeySettings::timestamp_sample) builds.
    OptionalNonce,
}

impl RestVerification {
    /// Whether a request may leave its timestamp header out ([`TimestampRule::OptionalNonce`]).
    pub fn timestamp_optional(&self) -> bool {
        matches!(self, Self::Headers(HeaderCheck { timestamp: TimestampRule::OptionalNonce, .. }))
    }
}

/// A check an exchange makes beyond the signature, at one point of the generic header check.
/// Each reads the request's headers (and, once the key is known, the settings it was
/// registered with) and refuses with a [`Refused`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum ExtraCheck {
    /// Before the auth headers are read (Delta's CDN blocks requests without a `User-Agent`).
    Request(fn(&HeaderMap) -> Result<(), Refused>),
    /// Once the key's account is found, before the timestamp is read (OKX: the demo-trading
    /// header matches the key).
    Key(fn(&KeySettings, &HeaderMap) -> Result<(), Refused>),
    /// After the timestamp window, just before the passphrase is compared (KuCoin: the
    /// key-version header matches the key).
    BeforePassphrase(fn(&KeySettings, &HeaderMap) -> Result<(), Refused>),
}

/// An [`ExtraCheck`]'s refusal: what the exchange answers (its error-table entry) and why, in
/// plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refused {
    /// The entry of the exchange's error table to answer with.
    pub refusal: Refusal,
    /// What was wrong and how to fix it.
    pub reason: String,
}

impl Refused {
    /// A refusal and its reason.
    pub fn new(refusal: Refusal, reason: impl Into<String>) -> Self {
        Self { refusal, reason: reason.into() }
    }
}

/// A header's value as text, as a verifier reads it: `None` when absent or blank; bytes that are
/// not UTF-8 read as U+FFFD.
pub fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<std::borrow::Cow<'h, str>> {
    let value = headers.get(name)?;
    if value.as_bytes().iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(String::from_utf8_lossy(value.as_bytes()))
}
