//! The [`Signer`] trait, its output [`SignedRequest`], and the [`Scheme`] names.
//!
//! Signing is pure: credentials (held by the signer), a [`SignableRequest`] and a [`Timestamp`]
//! in, headers out. No clock is read and nothing is sent. The output is a value that can be
//! applied to any `http::HeaderMap` or `http::Request`; when signing fails nothing has been
//! applied anywhere.

use std::fmt;
use std::sync::Arc;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::{Error, SignableRequest, Timestamp, TimestampFormat, WireTimestamp, WsAuth, WsRequest};

/// The signing schemes this crate implements; the ids match the vector file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// Coinbase Advanced Trade with legacy HMAC keys ([`crate::CoinbaseAdvancedHmacSigner`]).
    CoinbaseAdvancedHmac,
    /// Coinbase CDP keys, ES256 or Ed25519 JWTs ([`crate::CoinbaseCdpSigner`]).
    CoinbaseCdp,
    /// Coinbase Exchange, formerly Coinbase Pro ([`crate::CoinbaseExchangeSigner`]).
    CoinbaseExchange,
    /// Delta Exchange v2 ([`crate::DeltaSigner`]).
    Delta,
    /// KuCoin, key versions 1–3 ([`crate::KucoinSigner`]).
    Kucoin,
    /// OKX v5, live and demo ([`crate::OkxSigner`]).
    Okx,
    /// Binance Spot and USDⓈ-M: HMAC, Ed25519 and RSA keys ([`crate::BinanceSigner`]).
    Binance,
    /// Bybit v5: HMAC and RSA keys ([`crate::BybitSigner`]).
    Bybit,
    /// Kraken spot REST ([`crate::KrakenSigner`]).
    Kraken,
    /// Bitget v2 ([`crate::BitgetSigner`]).
    Bitget,
    /// Gate APIv4 ([`crate::GateSigner`]).
    Gate,
}

impl Scheme {
    /// Every scheme, in a stable order.
    pub const ALL: [Scheme; 11] = [
        Scheme::CoinbaseAdvancedHmac,
        Scheme::CoinbaseCdp,
        Scheme::CoinbaseExchange,
        Scheme::Delta,
        Scheme::Kucoin,
        Scheme::Okx,
        Scheme::Binance,
        Scheme::Bybit,
        Scheme::Kraken,
        Scheme::Bitget,
        Scheme::Gate,
    ];

    /// The stable id, as in the conformance vectors (`"okx"`, `"coinbase_cdp_jwt"`, ...).
    pub const fn id(self) -> &'static str {
        match self {
            Scheme::CoinbaseAdvancedHmac => "coinbase_advanced_hmac",
            Scheme::CoinbaseCdp => "coinbase_cdp_jwt",
            Scheme::CoinbaseExchange => "coinbase_exchange",
            Scheme::Delta => "delta",
            Scheme::Kucoin => "kucoin",
            Scheme::Okx => "okx",
            Scheme::Binance => "binance",
            Scheme::Bybit => "bybit",
            Scheme::Kraken => "kraken",
            Scheme::Bitget => "bitget",
            Scheme::Gate => "gate",
        }
    }

    /// The scheme with this id.
    pub fn from_id(id: &str) -> Option<Scheme> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }

    /// A human name ("Coinbase Exchange").
    pub const fn name(self) -> &'static str {
        match self {
            Scheme::CoinbaseAdvancedHmac => "Coinbase Advanced Trade (legacy HMAC)",
            Scheme::CoinbaseCdp => "Coinbase CDP",
            Scheme::CoinbaseExchange => "Coinbase Exchange",
            Scheme::Delta => "Delta Exchange",
            Scheme::Kucoin => "KuCoin",
            Scheme::Okx => "OKX",
            Scheme::Binance => "Binance",
            Scheme::Bybit => "Bybit",
            Scheme::Kraken => "Kraken",
            Scheme::Bitget => "Bitget",
            Scheme::Gate => "Gate",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Per-call choices that do not change what a correct signature is.
///
/// ```
/// use cexsign::SignOptions;
/// let options = SignOptions::new().keep_prehash();
/// assert!(options.keeps_prehash());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignOptions {
    keep_prehash: bool,
    nonce: Option<String>,
}

impl SignOptions {
    /// Defaults: no prehash kept, a fresh random nonce where the scheme uses one.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keep the exact prehash in the output, for debugging a rejected request.
    pub fn keep_prehash(mut self) -> Self {
        self.keep_prehash = true;
        self
    }

    /// Use this nonce instead of a random one (Coinbase CDP JWTs). For tests and conformance
    /// vectors only: a live exchange rejects a reused nonce.
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Whether the prehash is kept.
    pub fn keeps_prehash(&self) -> bool {
        self.keep_prehash
    }

    /// The injected nonce, if any.
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }
}

/// Signs requests for one API key of one exchange scheme.
///
/// Object-safe: a bot can hold `Box<dyn Signer>` or `Arc<dyn Signer>` per venue.
///
/// ```
/// use cexsign::{Credentials, Method, OkxEnvironment, OkxSigner, SignableRequest, Signer, Timestamp};
///
/// let signer: Box<dyn Signer> = Box::new(OkxSigner::new(
///     &Credentials::new()
///         .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
///         .secret("22582BD0CFF14C41EDBF1AB98506286D")
///         .passphrase("Passphrase1!"),
///     OkxEnvironment::Live,
/// )?);
/// let request = SignableRequest::new(Method::Get, "/api/v5/account/balance")?.with_query("ccy=BTC")?;
/// let at = cexsign::TimestampFormat::Iso8601Millis.parse("2020-12-08T09:08:57.715Z")?;
/// let signed = signer.sign(&request, at)?;
/// assert_eq!(signed.signature(), "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=");
/// assert_eq!(signed.header("OK-ACCESS-TIMESTAMP").unwrap(), "2020-12-08T09:08:57.715Z");
///
/// let mut headers = http::HeaderMap::new();
/// signed.apply_to(&mut headers);
/// assert_eq!(headers.len(), 4);
/// # Ok::<(), cexsign::Error>(())
/// ```
pub trait Signer: Send + Sync + fmt::Debug {
    /// The scheme this signer implements.
    fn scheme(&self) -> Scheme;

    /// How this signer writes REST timestamps.
    fn rest_timestamp_format(&self) -> TimestampFormat;

    /// How this signer writes websocket login timestamps (OKX: seconds, where REST uses ISO).
    fn ws_timestamp_format(&self) -> TimestampFormat {
        self.rest_timestamp_format()
    }

    /// Signs `request` with a timestamp already on the wire: its text is used verbatim. This is
    /// how a verifier recomputes the signature of a request it received. A timestamp in another
    /// format than the scheme's is an error, not a signature that fails later.
    fn sign_at(
        &self,
        request: &SignableRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error>;

    /// Builds the websocket login or subscribe authentication with a wire timestamp, through the
    /// same MAC path as REST.
    fn sign_ws_at(
        &self,
        request: &WsRequest<'_>,
        timestamp: &WireTimestamp,
        options: &SignOptions,
    ) -> Result<WsAuth, Error>;

    /// Signs `request` as of `at`, with per-call options.
    fn sign_with(
        &self,
        request: &SignableRequest<'_>,
        at: Timestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        self.sign_at(request, &WireTimestamp::render(self.rest_timestamp_format(), at)?, options)
    }

    /// Signs `request` as of `at`.
    fn sign(&self, request: &SignableRequest<'_>, at: Timestamp) -> Result<SignedRequest, Error> {
        self.sign_with(request, at, &SignOptions::default())
    }

    /// Builds the websocket authentication as of `at`, with per-call options.
    fn sign_ws_with(&self, request: &WsRequest<'_>, at: Timestamp, options: &SignOptions) -> Result<WsAuth, Error> {
        self.sign_ws_at(request, &WireTimestamp::render(self.ws_timestamp_format(), at)?, options)
    }

    /// Builds the websocket authentication as of `at`.
    fn sign_ws(&self, request: &WsRequest<'_>, at: Timestamp) -> Result<WsAuth, Error> {
        self.sign_ws_with(request, at, &SignOptions::default())
    }
}

/// The exact message that was MACed (for JWTs: the JWS signing input).
///
/// Kept only when asked for with [`SignOptions::keep_prehash`]. It holds no secret, but it does
/// hold the request body, so `Debug` shows only its length; print it deliberately with
/// `Display` or read [`Prehash::as_bytes`].
#[derive(Clone, PartialEq, Eq)]
pub struct Prehash(Vec<u8>);

impl Prehash {
    pub(crate) fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as text, when they are UTF-8 (always, for the schemes here, given a UTF-8 body).
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl fmt::Debug for Prehash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prehash({} bytes)", self.0.len())
    }
}

impl fmt::Display for Prehash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

/// The result of signing one request: the auth headers, and what went into them.
///
/// Signing writes nothing to the heap that it does not have to: the timestamp and the signature
/// are kept inline, the API key and passphrase headers are shared with the signer, and an
/// `http::HeaderValue` is built only when the headers are applied ([`SignedRequest::apply_to`],
/// [`SignedRequest::header_values`]). Read the values as text with [`SignedRequest::headers`] to
/// hand them to any other HTTP client.
///
/// Secret-bearing header values (passphrases, bearer tokens) are marked sensitive: `Debug` of a
/// `SignedRequest` shows `[REDACTED]` for them, and so does `Debug` of an `http::HeaderMap` they
/// are applied to.
///
/// Most schemes only add headers. Binance signs inside the request: its `timestamp` and
/// `signature` parameters are appended to the query or the form body, so its output also
/// carries the query or body to send instead ([`SignedRequest::wire_query`],
/// [`SignedRequest::wire_body`]); Kraken does the same when it adds the `nonce` to the body.
/// [`SignedRequest::apply_to_request`] and the reqwest layer apply both.
#[derive(Clone)]
pub struct SignedRequest {
    layout: HeaderLayout,
    timestamp: arrayvec::ArrayString<32>,
    signature: SignatureText,
    rewrite: Rewrite,
    extras: Option<Box<Extras>>,
}

/// The part of the request a scheme that signs inside it sends instead of the original.
#[derive(Clone, Default)]
enum Rewrite {
    /// Headers only: send the query and body as they were.
    #[default]
    None,
    /// The query to send (Binance GET/DELETE: `timestamp` and `signature` appended).
    Query(String),
    /// The body to send (Binance forms, Kraken's added nonce).
    Body(Vec<u8>),
}

/// What only some requests carry, boxed so that the common output stays small and cheap to move.
#[derive(Clone, Default)]
struct Extras {
    prehash: Option<Prehash>,
    /// Secret text made for this request alone (a CDP bearer token): [`HeaderSource::Token`].
    /// Wiped on drop; the `HeaderValue` built from it when applied belongs to `http`.
    token: Option<zeroize::Zeroizing<String>>,
}

/// The auth headers a signer sends, in order, and where each value comes from.
///
/// Built once with the signer and shared by every [`SignedRequest`] it makes: signing fills in
/// the timestamp and the signature, and the API key and passphrase values are never copied.
#[derive(Clone)]
pub(crate) struct HeaderLayout(Arc<[(&'static HeaderName, HeaderSource)]>);

/// Where one auth header's value comes from.
#[derive(Clone)]
pub(crate) enum HeaderSource {
    /// The same value on every request (API key, passphrase, a constant), built once.
    Fixed(HeaderValue),
    /// The signed timestamp, as [`SignedRequest::timestamp`] holds it.
    Timestamp,
    /// The signature, as [`SignedRequest::signature`] holds it.
    Signature,
    /// The request's own secret token (a CDP bearer token).
    #[cfg_attr(not(feature = "cdp"), allow(dead_code))]
    Token,
}

impl HeaderSource {
    fn is_sensitive(&self) -> bool {
        match self {
            HeaderSource::Fixed(value) => value.is_sensitive(),
            HeaderSource::Timestamp | HeaderSource::Signature => false,
            HeaderSource::Token => true,
        }
    }
}

impl HeaderLayout {
    pub(crate) fn new(headers: impl IntoIterator<Item = (&'static HeaderName, HeaderSource)>) -> Self {
        Self(headers.into_iter().collect())
    }

    fn entries(&self) -> &[(&'static HeaderName, HeaderSource)] {
        &self.0
    }
}

impl fmt::Debug for HeaderLayout {
    /// Names, and the fixed values that are not secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn shown(source: &HeaderSource) -> &str {
            match source {
                HeaderSource::Fixed(value) if !value.is_sensitive() => value.to_str().unwrap_or("[not text]"),
                HeaderSource::Timestamp => "<timestamp>",
                HeaderSource::Signature => "<signature>",
                HeaderSource::Fixed(_) | HeaderSource::Token => "[REDACTED]",
            }
        }
        f.debug_map().entries(self.entries().iter().map(|(name, source)| (name.as_str(), shown(source)))).finish()
    }
}

/// A signature as text: inline up to 128 characters (every HMAC, Ed25519 and JWT signature
/// here), on the heap beyond (RSA signatures).
#[derive(Debug, Clone)]
enum SignatureText {
    Inline(arrayvec::ArrayString<128>),
    Heap(Box<str>),
}

impl SignatureText {
    fn as_str(&self) -> &str {
        match self {
            Self::Inline(text) => text,
            Self::Heap(text) => text,
        }
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a SignedRequest);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (name, source) in self.0.layout.entries() {
                    let value = if source.is_sensitive() { "[REDACTED]" } else { self.0.text_of(source) };
                    map.entry(&name.as_str(), &value);
                }
                map.finish()
            }
        }
        f.debug_struct("SignedRequest")
            .field("headers", &Headers(self))
            .field("timestamp", &self.timestamp.as_str())
            .field("signature", &self.signature())
            .field("prehash", &self.prehash())
            .field("wire_query", &self.wire_query())
            .field("wire_body", &self.wire_body().map(|body| format!("{} bytes", body.len())))
            .finish()
    }
}

impl SignedRequest {
    /// The output of one signature: `timestamp` is a rendered wire timestamp (at most 32
    /// characters by construction), `layout` the signer's headers.
    pub(crate) fn new(timestamp: &str, signature: &str, prehash: Option<Prehash>, layout: &HeaderLayout) -> Self {
        // Texts are pushed into the new value, not built apart and moved in: moving a just-written
        // buffer stalls on store forwarding, and this is every request's hot path.
        let mut signed = Self {
            layout: layout.clone(),
            timestamp: arrayvec::ArrayString::new(),
            signature: SignatureText::Inline(arrayvec::ArrayString::new()),
            rewrite: Rewrite::None,
            extras: None,
        };
        // Cannot fail: every wire timestamp fits (see `WireTimestamp`).
        let _ = signed.timestamp.try_push_str(timestamp);
        if let SignatureText::Inline(inline) = &mut signed.signature {
            if inline.try_push_str(signature).is_err() {
                signed.signature = SignatureText::Heap(signature.into());
            }
        }
        if prehash.is_some() {
            signed.extras().prehash = prehash;
        }
        signed
    }

    fn extras(&mut self) -> &mut Extras {
        self.extras.get_or_insert_default()
    }

    /// Records the query to send instead of the signed request's (the scheme appended to it).
    pub(crate) fn set_wire_query(&mut self, query: String) {
        self.rewrite = Rewrite::Query(query);
    }

    /// Records the body to send instead of the signed request's.
    pub(crate) fn set_wire_body(&mut self, body: Vec<u8>) {
        self.rewrite = Rewrite::Body(body);
    }

    /// Records the secret token a [`HeaderSource::Token`] header carries: visible ASCII, checked
    /// by the caller.
    #[cfg_attr(not(feature = "cdp"), allow(dead_code))]
    pub(crate) fn set_token(&mut self, token: String) {
        self.extras().token = Some(zeroize::Zeroizing::new(token));
    }

    /// The query to send in place of the request's, without `?`, when the scheme signs inside
    /// the query (Binance appends `timestamp` and `signature`). `None`: send the query as it was.
    pub fn wire_query(&self) -> Option<&str> {
        match &self.rewrite {
            Rewrite::Query(query) => Some(query),
            _ => None,
        }
    }

    /// The body to send in place of the request's, when the scheme signs inside the body
    /// (Binance form bodies, Kraken's added `nonce`). `None`: send the body as it was.
    pub fn wire_body(&self) -> Option<&[u8]> {
        match &self.rewrite {
            Rewrite::Body(body) => Some(body),
            _ => None,
        }
    }

    /// Whether sending this request takes more than its headers: the query or body changed.
    pub fn rewrites_request(&self) -> bool {
        !matches!(self.rewrite, Rewrite::None)
    }

    fn text_of<'a>(&'a self, source: &'a HeaderSource) -> &'a str {
        match source {
            // Fixed values are built from visible ASCII (and spaces, for passphrases).
            HeaderSource::Fixed(value) => value.to_str().unwrap_or_default(),
            HeaderSource::Timestamp => &self.timestamp,
            HeaderSource::Signature => self.signature(),
            HeaderSource::Token => {
                self.extras.as_ref().and_then(|extras| extras.token.as_deref()).map_or("", String::as_str)
            }
        }
    }

    fn header_value_of(&self, source: &HeaderSource) -> HeaderValue {
        if let HeaderSource::Fixed(value) = source {
            return value.clone();
        }
        let mut value = HeaderValue::from_str(self.text_of(source))
            .expect("timestamps, encoded signatures and tokens are visible ASCII");
        value.set_sensitive(source.is_sensitive());
        value
    }

    /// The auth headers as text, in the order the scheme's reference SDK sends them: what to set
    /// on a request of any HTTP client. Sensitive values are included (see
    /// [`SignedRequest::is_sensitive`]).
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&HeaderName, &str)> {
        self.layout.entries().iter().map(|(name, source)| (*name, self.text_of(source)))
    }

    /// The auth headers as `http::HeaderValue`s (secret ones marked sensitive), built on each
    /// call: what [`SignedRequest::apply_to`] inserts.
    pub fn header_values(&self) -> impl ExactSizeIterator<Item = (&HeaderName, HeaderValue)> {
        self.layout.entries().iter().map(|(name, source)| (*name, self.header_value_of(source)))
    }

    /// One auth header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.source(name).map(|source| self.text_of(source))
    }

    /// Whether the auth header `name` carries a secret (a passphrase, a bearer token): keep it
    /// out of logs.
    pub fn is_sensitive(&self, name: &str) -> bool {
        self.source(name).is_some_and(HeaderSource::is_sensitive)
    }

    fn source(&self, name: &str) -> Option<&HeaderSource> {
        self.layout.entries().iter().find(|(header, _)| header.as_str().eq_ignore_ascii_case(name)).map(|(_, s)| s)
    }

    /// The timestamp exactly as it was signed and as it appears in the headers.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// The signature as it appears on the wire (for JWTs: the token's signature part).
    pub fn signature(&self) -> &str {
        self.signature.as_str()
    }

    /// Whether `sent` is this signature, compared in constant time (for verifiers: a local
    /// exchange, a diagnosis of a rejected request).
    pub fn signature_matches(&self, sent: &str) -> bool {
        use subtle::ConstantTimeEq as _;
        self.signature().as_bytes().ct_eq(sent.as_bytes()).into()
    }

    /// The prehash, when [`SignOptions::keep_prehash`] asked for it.
    pub fn prehash(&self) -> Option<&Prehash> {
        self.extras.as_ref().and_then(|extras| extras.prehash.as_ref())
    }

    /// Sets the auth headers on `headers`, replacing any previous value of the same name.
    pub fn apply_to(&self, headers: &mut HeaderMap) {
        for (name, value) in self.header_values() {
            headers.insert(name.clone(), value);
        }
    }

    /// Sets the auth headers on an `http::Request`, and its query or body where the scheme
    /// signs inside them (see [`SignedRequest::rewrites_request`]). On error the request is left
    /// unchanged.
    pub fn apply_to_request<B: From<Vec<u8>>>(&self, request: &mut http::Request<B>) -> Result<(), Error> {
        if let Some(query) = self.wire_query() {
            let path = request.uri().path();
            let path_and_query = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
            let mut parts = request.uri().clone().into_parts();
            parts.path_and_query = Some(
                http::uri::PathAndQuery::try_from(path_and_query)
                    .map_err(|e| Error::RequestBuild { problem: e.to_string() })?,
            );
            *request.uri_mut() =
                http::Uri::from_parts(parts).map_err(|e| Error::RequestBuild { problem: e.to_string() })?;
        }
        if let Some(body) = self.wire_body() {
            *request.body_mut() = B::from(body.to_vec());
        }
        self.apply_to(request.headers_mut());
        Ok(())
    }

    /// The auth headers as a new map.
    pub fn into_header_map(self) -> HeaderMap {
        let mut map = HeaderMap::with_capacity(self.layout.entries().len());
        self.apply_to(&mut map);
        map
    }
}
