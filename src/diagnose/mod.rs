//! Diagnosing a rejected request: given the credentials, the request exactly as it went on the
//! wire and the auth headers (or websocket fields) that were sent, name the mistake that
//! produced them.
//!
//! [`diagnose`] recomputes the signature the exchange expects, then tries each known mistake of
//! the [catalogue](MistakeCode) — the way buggy client code would have built the prehash or the
//! headers — and returns the first one that reproduces what was sent exactly:
//!
//! * [`Diagnosis::Correct`]: the signature is right; the rejection comes from the clock, the
//!   key's permissions, the IP allow-list or the environment;
//! * [`Diagnosis::Mistake`]: a catalogue entry, with its explanation and fix;
//! * [`Diagnosis::Unknown`]: no known mistake reproduces it; the expected prehash and the
//!   headers that differ are given to compare by hand.
//!
//! The schemes whose prehash is timestamp + method + path (OKX, KuCoin, Delta, Coinbase Exchange
//! and Advanced, Bitget) are rebuilt in one module, Binance, Bybit, Kraken and Gate in another;
//! Ed25519 and RSA signatures (Binance, Bybit) are deterministic, so a rebuilt mistake is checked
//! by verifying the signature sent with the key's public key.
//!
//! The catalogue mistakes that are pure mutations of a scheme's published
//! [`Recipe`](crate::recipe::Recipe) go through one generic engine that reads it. Every search
//! runs within a [`Budget`] (candidates, bytes hashed, asymmetric operations); when it runs out,
//! the verdict is an `Unknown` that says so.
//!
//! Signatures are compared in constant time. Nothing here echoes a secret: verdicts, errors and
//! `Debug` output name headers and fields, never a credential's value. [`Case`] reads the same
//! inputs from JSON (the `cexsign diagnose` command), and the
//! local exchange (the `cexsign-local-exchange` crate) puts a diagnosis in every rejection it can diagnose
//! (`cexsign_diagnosis`).

mod budget;
mod case;
mod catalogue;
#[cfg(feature = "cdp")]
mod cdp;
mod hmac;
mod nonce_token;
mod recipe_engine;
mod recipe_prehash;
mod resigned;
mod rewrite;

use std::fmt;

use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

pub use budget::{Budget, Spent};
pub use case::Case;
pub use catalogue::MistakeCode;

use crate::recipe::SecretForm;
use crate::{Credentials, Error, KeySettings, Prehash, Scheme, SignedRequest, Signer, WsAuth};
#[cfg(feature = "cdp")]
pub use cdp::{CdpPublicKey, token_kid, verify_jws};

/// A request (or a websocket login or subscribe message) as it was sent, with the auth values it
/// carried and what is known about the key.
///
/// Header and field names are matched case-insensitively; values are compared as sent (HTTP
/// trims the spaces around a header value, so surrounding whitespace is ignored). `Debug` shows
/// names and sizes only: the values may hold a passphrase or a bearer token.
///
/// ```
/// use cexsign::diagnose::SentRequest;
/// let sent = SentRequest::rest("get", "/api/v5/account/balance")
///     .with_query("ccy=BTC")
///     .with_auth("OK-ACCESS-SIGN", "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=")
///     .with_auth("OK-ACCESS-PASSPHRASE", "Passphrase1!");
/// assert!(!format!("{sent:?}").contains("Passphrase1!"));
/// ```
#[derive(Clone)]
pub struct SentRequest {
    pub(crate) target: Target,
    pub(crate) auth: Vec<(String, String)>,
    pub(crate) host: Option<String>,
    pub(crate) settings: Option<KeySettings>,
}

/// What was sent: an HTTP request or a websocket message.
#[derive(Clone)]
pub(crate) enum Target {
    Rest {
        method: String,
        path: String,
        query: String,
        body: Vec<u8>,
    },
    Ws {
        channels: Vec<String>,
        product_ids: Vec<String>,
        /// The call of a signed API message: the Binance WebSocket API method, or Gate's ws API
        /// login channel (`spot.login`).
        method: Option<String>,
        /// The Binance WebSocket API params, without `apiKey`, `timestamp` and `signature`.
        params: Vec<(String, Value)>,
        /// The event of a Gate channel message (`subscribe` when not given).
        event: Option<String>,
    },
}

impl SentRequest {
    /// An HTTP request: the method as sent (any case) and the path as the client had it — it
    /// normally starts with `/`; a path without it, or with the scheme and host in front, is
    /// taken as the path the client signed and mapped to the path on the request line.
    pub fn rest(method: &str, path: &str) -> Self {
        Self::new(Target::Rest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: String::new(),
            body: Vec::new(),
        })
    }

    /// A websocket login or subscribe message for these channels and products (OKX, Delta, Bybit
    /// and Bitget logins have none; a Coinbase Advanced subscribe and a Gate channel message have
    /// exactly one channel). Binance WebSocket API calls and Gate's ws API login are
    /// [`ws_api`](Self::ws_api) messages.
    pub fn ws(channels: &[&str], product_ids: &[&str]) -> Self {
        Self::new(Target::Ws {
            channels: channels.iter().map(|c| (*c).to_owned()).collect(),
            product_ids: product_ids.iter().map(|p| (*p).to_owned()).collect(),
            method: None,
            params: Vec::new(),
            event: None,
        })
    }

    /// A signed websocket API call: a Binance WebSocket API request (`"order.place"`,
    /// `"session.logon"`, ...) with its params as sent, or Gate's ws API login (`method` is the
    /// channel, `"spot.login"`, with no params). `apiKey`, `timestamp` and `signature` found
    /// among the params are taken as the auth fields sent (unless given with
    /// [`with_auth`](Self::with_auth)).
    ///
    /// ```
    /// use cexsign::diagnose::SentRequest;
    /// use serde_json::json;
    /// let sent = SentRequest::ws_api("order.place", &[("symbol", json!("BTCUSDT")), ("recvWindow", json!(5000))])
    ///     .with_auth("apiKey", "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A")
    ///     .with_auth("timestamp", "1645423376532")
    ///     .with_auth("signature", "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24");
    /// assert!(format!("{sent:?}").contains("order.place"));
    /// ```
    pub fn ws_api(method: &str, params: &[(&str, Value)]) -> Self {
        let mut sent = Self::new(Target::Ws {
            channels: Vec::new(),
            product_ids: Vec::new(),
            method: Some(method.to_owned()),
            params: Vec::new(),
            event: None,
        });
        let mut kept = Vec::with_capacity(params.len());
        for (name, value) in params {
            if matches!(*name, "apiKey" | "timestamp" | "signature") {
                let text = match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                sent.auth.push(((*name).to_owned(), text));
            } else {
                kept.push(((*name).to_owned(), value.clone()));
            }
        }
        if let Target::Ws { params, .. } = &mut sent.target {
            *params = kept;
        }
        sent
    }

    /// The event of a Gate channel message (`subscribe`, the default, or `unsubscribe`).
    pub fn with_ws_event(mut self, event: &str) -> Self {
        if let Target::Ws { event: e, .. } = &mut self.target {
            *e = Some(event.to_owned());
        }
        self
    }

    fn new(target: Target) -> Self {
        Self { target, auth: Vec::new(), host: None, settings: None }
    }

    /// The query exactly as sent, percent-encoded, without `?` (ignored for websocket messages).
    pub fn with_query(mut self, query: &str) -> Self {
        if let Target::Rest { query: q, .. } = &mut self.target {
            query.clone_into(q);
        }
        self
    }

    /// The body bytes exactly as sent (ignored for websocket messages).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        if let Target::Rest { body: b, .. } = &mut self.target {
            *b = body.into();
        }
        self
    }

    /// One auth header (REST) or message field (websocket) as sent: `OK-ACCESS-SIGN`,
    /// `KC-API-KEY-VERSION`, `x-simulated-trading`, `Authorization`, `X-BAPI-RECV-WINDOW`,
    /// `Content-Type` (checked for Kraken), `sign`, `jwt`, `expires`, ...
    pub fn with_auth(mut self, name: &str, value: &str) -> Self {
        self.auth.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.auth.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Every header of `headers` (values that are not UTF-8 are taken lossily, so they match
    /// nothing).
    pub fn with_headers(mut self, headers: &http::HeaderMap) -> Self {
        for (name, value) in headers {
            self = self.with_auth(name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
        }
        self
    }

    /// The headers a signer produced (to diagnose what a [`Signer`] sent).
    pub fn with_signed(mut self, signed: &SignedRequest) -> Self {
        for (name, value) in signed.headers() {
            self = self.with_auth(name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
        }
        self
    }

    /// The fields of a signed websocket message.
    pub fn with_ws_auth(mut self, auth: &WsAuth) -> Self {
        for field in auth.fields() {
            self = self.with_auth(field.name(), field.value());
        }
        self
    }

    /// The host the request went to (`api.coinbase.com`): the Coinbase CDP `uri` claim must name
    /// it (default `api.coinbase.com`), and a prehash that wrongly includes the host is looked
    /// for with it.
    pub fn with_host(mut self, host: &str) -> Self {
        self.host = Some(host.to_owned());
        self
    }

    /// The key's settings, as its signer was built with ([`KeySettings`]: OKX's demo flag, the
    /// KuCoin key's version, the Binance or Bybit key type, ...). Unknown by default: each
    /// scheme's default settings sign, and what depends on the key's environment (OKX's
    /// `x-simulated-trading`) is not checked.
    ///
    /// ```
    /// use cexsign::KeySettings;
    /// use cexsign::diagnose::SentRequest;
    /// let sent = SentRequest::rest("GET", "/api/v1/accounts").with_settings(KeySettings::new().key_version(2));
    /// assert!(format!("{sent:?}").contains("key_version: Some(2)"));
    /// ```
    pub fn with_settings(mut self, settings: KeySettings) -> Self {
        self.settings = Some(settings);
        self
    }

    /// An HTTP request as it went on the wire: its method, request-target (the path on the
    /// request line, then `?` and the query when one was sent) and body; `None` for a websocket
    /// message. With [`auth_fields`](Self::auth_fields), what it takes to send the request again
    /// (to the local exchange, say).
    ///
    /// ```
    /// use cexsign::diagnose::SentRequest;
    /// let sent = SentRequest::rest("GET", "api/v5/account/balance").with_query("ccy=BTC");
    /// assert_eq!(sent.wire_request(), Some(("GET", "/api/v5/account/balance?ccy=BTC".to_owned(), &b""[..])));
    /// ```
    pub fn wire_request(&self) -> Option<(&str, String, &[u8])> {
        let Target::Rest { method, path, query, body } = &self.target else { return None };
        let path = wire_path(path).map_or_else(|_| path.clone(), |(path, _)| path);
        let target = if query.is_empty() { path } else { format!("{path}?{query}") };
        Some((method, target, body))
    }

    /// A websocket API call's method and params, without its auth fields (Binance's
    /// `order.place`); `None` for an HTTP request or a message that is no such call.
    pub fn ws_call(&self) -> Option<(&str, &[(String, Value)])> {
        match &self.target {
            Target::Ws { method: Some(method), params, .. } => Some((method, params)),
            _ => None,
        }
    }

    /// The auth headers (REST) or message fields (websocket), by name and value, as given.
    pub fn auth_fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.auth.iter().map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The value of an auth header or field, by case-insensitive name, trimmed; `None` when
    /// absent or blank.
    /// A value that is no header of its own is looked for among the items of the
    /// `Authorization` header (Deribit's `id=…,ts=…,sig=…,nonce=…`).
    pub(crate) fn auth_value(&self, name: &str) -> Option<&str> {
        let named =
            |wanted: &str| self.auth.iter().find(|(n, _)| n.eq_ignore_ascii_case(wanted)).map(|(_, v)| v.trim());
        named(name)
            .filter(|v| !v.is_empty())
            .or_else(|| named("authorization").and_then(|value| crate::exchange::authorization_item(value, name)))
    }

    pub(crate) fn is_ws(&self) -> bool {
        matches!(self.target, Target::Ws { .. })
    }
}

impl fmt::Debug for SentRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.auth.iter().map(|(n, _)| n.as_str()).collect();
        let mut s = f.debug_struct("SentRequest");
        match &self.target {
            Target::Rest { method, path, query, body } => {
                s.field("method", method).field("path", path).field("query", query).field("body_len", &body.len())
            }
            Target::Ws { channels, product_ids, method, params, event } => {
                let params: Vec<&str> = params.iter().map(|(name, _)| name.as_str()).collect();
                s.field("channels", channels)
                    .field("product_ids", product_ids)
                    .field("method", method)
                    .field("params", &params)
                    .field("event", event)
            }
        };
        s.field("auth", &names).field("host", &self.host).field("settings", &self.settings).finish()
    }
}

/// The verdict on a rejected request.
///
/// The explanations never hold a credential. `Debug` shows the expected prehash's length only
/// (it holds the request body); read it with [`Diagnosis::expected_prehash`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Diagnosis {
    /// The signature (and every auth header) is right: look at the clock, the key's
    /// permissions, the IP allow-list and the environment.
    Correct {
        /// Where a rejection of a correctly signed request comes from, for this scheme.
        explanation: String,
    },
    /// The first catalogue mistake that reproduces what was sent.
    Mistake {
        /// The mistake.
        code: MistakeCode,
        /// Its explanation and fix, and what was found in this request.
        explanation: String,
    },
    /// No catalogue mistake reproduces what was sent.
    Unknown {
        /// The prehash the exchange computes for the request as sent (for Coinbase CDP: the JWS
        /// signing input it expects), when it could be computed.
        expected_prehash: Option<Prehash>,
        /// The auth headers or fields whose values differ from the expected ones.
        differing: Vec<String>,
        /// What to compare, and what differs.
        explanation: String,
    },
}

impl Diagnosis {
    pub(crate) fn correct(explanation: String) -> Self {
        Self::Correct { explanation }
    }

    pub(crate) fn mistake(code: MistakeCode, found: Option<String>) -> Self {
        let mut explanation = code.explanation().to_owned();
        if let Some(found) = found {
            explanation.push_str(" Found: ");
            explanation.push_str(&found);
            explanation.push('.');
        }
        Self::Mistake { code, explanation }
    }

    pub(crate) fn unknown(expected_prehash: Option<Prehash>, differing: Vec<String>, explanation: String) -> Self {
        Self::Unknown { expected_prehash, differing, explanation }
    }

    /// `"correct"`, `"mistake"` or `"unknown"`.
    pub fn verdict(&self) -> &'static str {
        match self {
            Self::Correct { .. } => "correct",
            Self::Mistake { .. } => "mistake",
            Self::Unknown { .. } => "unknown",
        }
    }

    /// The mistake, for a [`Diagnosis::Mistake`].
    pub fn code(&self) -> Option<MistakeCode> {
        match self {
            Self::Mistake { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The explanation, whatever the verdict.
    pub fn explanation(&self) -> &str {
        match self {
            Self::Correct { explanation } | Self::Mistake { explanation, .. } | Self::Unknown { explanation, .. } => {
                explanation
            }
        }
    }

    /// The expected prehash, for a [`Diagnosis::Unknown`].
    pub fn expected_prehash(&self) -> Option<&Prehash> {
        match self {
            Self::Unknown { expected_prehash, .. } => expected_prehash.as_ref(),
            _ => None,
        }
    }

    /// The verdict as JSON: `{"verdict", "mistake", "explanation"}`, plus `expected_prehash`
    /// and `differing` for an unknown one. This is what the local exchange puts in
    /// `cexsign_diagnosis`; serialising the diagnosis itself (it is `Serialize`, as
    /// `cexsign diagnose` prints it) gives the same fields in that order.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| json!({"verdict": self.verdict()}))
    }
}

impl serde::Serialize for Diagnosis {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let unknown = match self {
            Self::Unknown { expected_prehash, differing, .. } => Some((expected_prehash, differing)),
            _ => None,
        };
        let mut fields = serializer.serialize_struct("Diagnosis", if unknown.is_some() { 5 } else { 3 })?;
        fields.serialize_field("verdict", self.verdict())?;
        fields.serialize_field("mistake", &self.code().map(MistakeCode::as_str))?;
        fields.serialize_field("explanation", self.explanation())?;
        if let Some((expected_prehash, differing)) = unknown {
            fields.serialize_field("expected_prehash", &expected_prehash.as_ref().map(ToString::to_string))?;
            fields.serialize_field("differing", differing)?;
        }
        fields.end()
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mistake { code, explanation } => write!(f, "mistake {code}: {explanation}"),
            other => write!(f, "{}: {}", other.verdict(), other.explanation()),
        }
    }
}

/// The raw credentials, when the diagnosis has them (the local exchange keeps none).
pub struct Secrets<'a> {
    /// The raw secret (HMAC) or private key (PEM), as the user holds it.
    pub secret: &'a str,
    /// The passphrase, for the schemes that have one.
    pub passphrase: Option<&'a str>,
}

impl<'a> Secrets<'a> {
    /// The raw secrets of `credentials` as the diagnosis of `scheme` reads them: a PEM private
    /// key (Ed25519, RSA) as given, an HMAC secret and the passphrase as the signer takes them;
    /// `None` for a scheme whose requests carry a signed token (Coinbase CDP), checked with the
    /// key's public key instead. The local exchange keeps its accounts' secrets through this.
    pub fn of(scheme: Scheme, credentials: &'a Credentials) -> Result<Option<Self>, Error> {
        let exchange = scheme.exchange();
        if Engine::of(exchange) == Engine::Token {
            return Ok(None);
        }
        let pem = exchange.recipe.is_ok_and(|recipe| recipe.keys.iter().any(|k| k.secret == SecretForm::Pem));
        if pem && is_pem(credentials.require_secret_as_given(scheme)?) {
            // Ed25519 and RSA secrets are multi-line PEM, checked by the key's signer.
            return Ok(Some(Secrets { secret: credentials.require_secret_as_given(scheme)?, passphrase: None }));
        }
        Ok(Some(Secrets {
            secret: credentials.require_secret(scheme)?,
            passphrase: credentials.passphrase.as_ref().map(|p| p.expose_secret()),
        }))
    }
}

/// Everything a diagnosis knows about the key.
pub struct Context<'a> {
    /// The scheme the key belongs to.
    pub scheme: Scheme,
    /// The key's correct signer.
    pub signer: &'a dyn Signer,
    /// The API key (Coinbase CDP: the key name).
    pub api_key: &'a str,
    /// The raw secrets, when the diagnosing party has them (the CLI); without them, mistakes in
    /// how the secret is used are not looked for.
    pub secrets: Option<Secrets<'a>>,
    /// The key's settings, when known (the checks of headers that depend on them, such as OKX's
    /// demo header or KuCoin's key version, read them; unknown, each scheme's defaults apply and
    /// an environment is not checked).
    pub settings: Option<KeySettings>,
    /// The hosts the request may have gone to (Coinbase CDP: the `uri` host, the first one
    /// expected).
    pub hosts: Vec<String>,
    #[cfg(feature = "cdp")]
    /// Coinbase CDP: the key's public key, to verify a token with.
    pub cdp_key: Option<CdpPublicKey>,
}

#[cfg(test)]
impl<'a> Context<'a> {
    /// This context as the local exchange has it: the key's signer and API key, no raw secret.
    pub(crate) fn signer_only(&self) -> Context<'a> {
        Context {
            scheme: self.scheme,
            signer: self.signer,
            api_key: self.api_key,
            secrets: None,
            settings: self.settings.clone(),
            hosts: Vec::new(),
            #[cfg(feature = "cdp")]
            cdp_key: None,
        }
    }
}

/// Diagnoses a request that was sent with `credentials` under `scheme`.
///
/// `sent` is the request as it went on the wire, with the auth headers (or websocket fields)
/// it carried. The credentials must be the ones the client used; they are checked as the
/// scheme's signer checks them (a Coinbase Exchange secret must be base64, ...).
///
/// Errors are for input that cannot be diagnosed — an auth header missing or truncated, a
/// request an HTTP client could not send, a token that is not a JWT, KuCoin and Kraken websocket
/// messages (they have none: diagnose the REST request for the token) — never for a wrong
/// signature, which is what the verdict is about.
///
/// Binance signs inside the request: give its query or body exactly as sent, `signature`
/// parameter included (or the signature as an auth value named `signature`), and
/// `X-MBX-APIKEY`. Ed25519 and RSA keys (Binance, Bybit) are told from their PEM secret, or set
/// with [`SentRequest::with_settings`] ([`KeySettings::key_type`]); Bybit's
/// `recv_window` is read from `X-BAPI-RECV-WINDOW`, Kraken's nonce from the body.
///
/// ```
/// use cexsign::diagnose::{Diagnosis, MistakeCode, SentRequest, diagnose};
/// use cexsign::{Credentials, Method, OkxEnvironment, OkxSigner, Scheme, SignableRequest, Signer, Timestamp};
///
/// let credentials = Credentials::new()
///     .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
///     .secret("22582BD0CFF14C41EDBF1AB98506286D")
///     .passphrase("Passphrase1!");
/// let signer = OkxSigner::new(&credentials, OkxEnvironment::Live)?;
///
/// // A client signs the compact JSON, then its HTTP library sends it re-serialised with spaces.
/// let signed_body = r#"{"instId":"BTC-USDT","side":"buy","sz":"2"}"#;
/// let sent_body = r#"{"instId": "BTC-USDT", "side": "buy", "sz": "2"}"#;
/// let request = SignableRequest::new(Method::Post, "/api/v5/trade/order")?.with_body(signed_body.as_bytes());
/// let signed = signer.sign(&request, Timestamp::from_unix_millis(1_607_418_537_715))?;
///
/// let sent = SentRequest::rest("POST", "/api/v5/trade/order").with_body(sent_body).with_signed(&signed);
/// let diagnosis = diagnose(Scheme::Okx, &credentials, &sent)?;
/// assert_eq!(diagnosis.code(), Some(MistakeCode::BodyReserialized));
/// assert!(diagnosis.explanation().contains("serialised twice"));
///
/// // The body the signature was made for diagnoses as correct.
/// let sent = SentRequest::rest("POST", "/api/v5/trade/order").with_body(signed_body).with_signed(&signed);
/// assert!(matches!(diagnose(Scheme::Okx, &credentials, &sent)?, Diagnosis::Correct { .. }));
/// // Nothing in a verdict holds the secret or the passphrase.
/// assert!(!diagnosis.to_json().to_string().contains("22582BD0"));
/// # Ok::<(), cexsign::Error>(())
/// ```
pub fn diagnose(scheme: Scheme, credentials: &Credentials, sent: &SentRequest) -> Result<Diagnosis, Error> {
    diagnose_within(scheme, credentials, sent, Budget::default()).map(|(diagnosis, _)| diagnosis)
}

/// [`diagnose`] within `budget`, with what the search spent of it.
///
/// ```
/// use cexsign::diagnose::{Budget, SentRequest, diagnose_within};
/// use cexsign::{Credentials, Scheme};
///
/// let credentials = Credentials::new().api_key("k").secret("another-secret").passphrase("p");
/// let sent = SentRequest::rest("GET", "/api/v5/account/balance")
///     .with_query("ccy=BTC")
///     .with_auth("OK-ACCESS-KEY", "k")
///     .with_auth("OK-ACCESS-SIGN", "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=")
///     .with_auth("OK-ACCESS-TIMESTAMP", "2020-12-08T09:08:57.715Z")
///     .with_auth("OK-ACCESS-PASSPHRASE", "p");
/// let (diagnosis, spent) = diagnose_within(Scheme::Okx, &credentials, &sent, Budget::new(100, 1 << 20, 0))?;
/// assert_eq!(diagnosis.verdict(), "unknown");
/// assert!(spent.cut_short && spent.candidates <= 100);
/// assert!(diagnosis.explanation().contains("cut short"));
/// # Ok::<(), cexsign::Error>(())
/// ```
pub fn diagnose_within(
    scheme: Scheme,
    credentials: &Credentials,
    sent: &SentRequest,
    budget: Budget,
) -> Result<(Diagnosis, Spent), Error> {
    with_context(scheme, credentials, sent, |ctx| run_within(ctx, sent, budget))?
}

/// Builds the context of a diagnosis with the raw credentials (the key's signer, the secret)
/// and hands it to `f`.
pub(crate) fn with_context<T>(
    scheme: Scheme,
    credentials: &Credentials,
    sent: &SentRequest,
    f: impl FnOnce(&Context<'_>) -> T,
) -> Result<T, Error> {
    let exchange = scheme.exchange();
    let api_key = credentials.require_api_key(scheme)?;
    // A scheme without a recipe signs a token, checked by the token engine.
    let token = Engine::of(exchange) == Engine::Token;
    #[cfg(not(feature = "cdp"))]
    if token {
        return Err(Error::InvalidDiagnosisInput {
            problem: "Coinbase CDP tokens are diagnosed with the `cdp` feature (on by default)".to_owned(),
        });
    }
    let mut settings = sent.settings.clone().unwrap_or_default();
    // A signed receive window is signed as sent (a header that is not whole milliseconds is
    // reported by the diagnosis itself).
    let window = exchange.diagnosis.recv_window_header.and_then(|name| sent.auth_value(name));
    if let Some(ms) = window.and_then(|w| w.parse::<u64>().ok()).filter(|w| *w > 0) {
        settings = settings.recv_window(std::time::Duration::from_millis(ms));
    }
    // A timestamp the exchange takes as optional, left out: the signer of a client that sends
    // none (an empty timestamp sample).
    let rest = matches!(sent.target, Target::Rest { .. });
    let untimed = exchange.rest_auth.is_some_and(|names| sent.auth_value(names.timestamp).is_none());
    if rest && untimed && exchange.rest_verification.timestamp_optional() {
        settings = settings.timestamp_sample("");
    }
    let signer = exchange.signer(credentials, &settings)?;
    let secrets = Secrets::of(scheme, credentials)?;
    let ctx = Context {
        scheme,
        signer: signer.as_ref(),
        api_key: api_key.as_str(),
        secrets,
        settings: sent.settings.clone(),
        hosts: hosts(scheme, sent.host.as_deref()),
        #[cfg(feature = "cdp")]
        cdp_key: if token { Some(CdpPublicKey::of(credentials)?) } else { None },
    };
    Ok(f(&ctx))
}

/// Whether a secret is a PEM private key (an Ed25519 or RSA key) rather than an HMAC secret.
pub(crate) fn is_pem(secret: &str) -> bool {
    secret.trim_start().starts_with("-----BEGIN")
}

/// A websocket message as a verifier read it, as a [`SentRequest`] with the scheme's field names
/// (`timestamp` is Bybit's expiry and Gate's `time`; a Binance or Gate API call keeps its method
/// and params).
pub fn ws_sent(
    scheme: Scheme,
    request: &crate::WsRequest<'_>,
    api_key: &str,
    timestamp: &str,
    passphrase: Option<&str>,
    signature: &str,
) -> SentRequest {
    let names = ws_names(scheme, request.method().is_some());
    let (key, sign, time, passphrase_name) = (names.key, names.signature, names.timestamp, names.passphrase);
    let mut sent = match request.method() {
        Some(method) => {
            let params: Vec<(&str, Value)> = request.params().iter().map(|(n, v)| (*n, v.clone())).collect();
            SentRequest::ws_api(method, &params)
        }
        None => SentRequest::ws(request.channels(), request.product_ids()),
    };
    if let Some(event) = request.event() {
        sent = sent.with_ws_event(event);
    }
    sent = sent.with_auth(key, api_key).with_auth(time, timestamp).with_auth(sign, signature);
    if let (Some(name), Some(passphrase)) = (passphrase_name, passphrase) {
        sent = sent.with_auth(name, passphrase);
    }
    sent
}

/// The names of the auth fields of a websocket message of `scheme` (`api`: a websocket API call,
/// which some exchanges sign under other names than their login).
pub(crate) fn ws_names(scheme: Scheme, api: bool) -> crate::exchange::AuthNames {
    let exchange = scheme.exchange();
    match exchange.ws_api_auth {
        Some(names) if api => names,
        _ => hmac::names(scheme, true),
    }
}

/// The hosts a request may have gone to: the one given; when none is, for a scheme whose
/// bearer token names the host (Coinbase CDP), the exchange's main host.
pub(crate) fn hosts(scheme: Scheme, given: Option<&str>) -> Vec<String> {
    let exchange = scheme.exchange();
    match given {
        Some(host) => vec![host.to_owned()],
        None if exchange.rest_auth.is_none() => exchange.hosts.iter().take(1).map(|h| (*h).to_owned()).collect(),
        None => Vec::new(),
    }
}

/// Runs the diagnosis with what `ctx` knows (the local exchange builds its own context from a
/// registered account).
pub fn run(ctx: &Context<'_>, sent: &SentRequest) -> Result<Diagnosis, Error> {
    run_within(ctx, sent, Budget::default()).map(|(diagnosis, _)| diagnosis)
}

/// [`run`] within `budget`, with what the search spent of it.
pub fn run_within(ctx: &Context<'_>, sent: &SentRequest, budget: Budget) -> Result<(Diagnosis, Spent), Error> {
    let meter = budget::Meter::new(budget);
    let exchange = ctx.scheme.exchange();
    let diagnosis = match Engine::of(exchange) {
        #[cfg(feature = "cdp")]
        Engine::Token => cdp::diagnose(ctx, sent),
        #[cfg(not(feature = "cdp"))]
        Engine::Token => Err(Error::InvalidDiagnosisInput {
            problem: "Coinbase CDP tokens are diagnosed with the `cdp` feature (on by default)".to_owned(),
        }),
        Engine::NonceToken(check) => nonce_token::diagnose(ctx, sent, &check),
        Engine::Parameters => recipe_prehash::diagnose(ctx, sent, &meter),
        Engine::Headers => hmac::diagnose(ctx, sent, &meter),
        Engine::NotRebuilt => resigned::diagnose(ctx, sent, &meter),
    }?;
    Ok((diagnosis, meter.spent()))
}

/// Which engine rebuilds a scheme's mistakes, told from its recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    /// No recipe: the request carries a signed token (Coinbase CDP).
    Token,
    /// An HMAC-SHA256 of the timestamp, method and path (in some order), the query and the
    /// body, carried in headers.
    Headers,
    /// Anything more: a timestamp or signature carried as a parameter of the request (Binance,
    /// Kraken), a digest part (Kraken, Gate), the API key or a receive window signed (Bybit),
    /// another MAC (Gate's HMAC-SHA512), an asymmetric key (Binance, Bybit).
    Parameters,
    /// No recipe and no token: what is signed is not request parts (a canonical rendering the
    /// signer builds, an EIP-712 digest of the body), so no mistake is rebuilt; the request is
    /// signed again and compared as a whole ([`resigned`]).
    NotRebuilt,
    /// A token with no time, re-signed with the nonce it carries
    /// ([`RestVerification::NonceToken`](crate::RestVerification::NonceToken)).
    NonceToken(crate::NonceToken),
}

impl Engine {
    /// The engine of an exchange: nonce tokens where its verification says it sends them, else
    /// its recipe's, or for a scheme without one, the token engine where requests carry a bearer
    /// token and none otherwise.
    fn of(exchange: &crate::exchange::Exchange) -> Self {
        match &exchange.recipe {
            _ if matches!(exchange.rest_verification, crate::exchange::RestVerification::NonceToken(_)) => {
                match exchange.rest_verification {
                    crate::exchange::RestVerification::NonceToken(check) => Self::NonceToken(check),
                    _ => Self::NotRebuilt,
                }
            }
            Err(_) if !matches!(exchange.rest_verification, crate::exchange::RestVerification::BearerToken) => {
                Self::NotRebuilt
            }
            recipe => Self::for_recipe(recipe),
        }
    }

    fn for_recipe(recipe: &Result<crate::recipe::Recipe, crate::recipe::NotARecipe>) -> Self {
        use crate::recipe::{Algorithm, Carrier, Part};
        let Ok(recipe) = recipe else { return Self::Token };
        let headers = recipe.timestamp_in == Carrier::Header && recipe.signature_in == Carrier::Header;
        let plain_parts = recipe
            .parts
            .iter()
            .all(|part| matches!(part, Part::Timestamp | Part::Method | Part::Path | Part::Query { .. } | Part::Body));
        let hmac_sha256 = recipe.keys.iter().all(|key| key.algorithm == Algorithm::HmacSha256);
        if headers && plain_parts && hmac_sha256 { Self::Headers } else { Self::Parameters }
    }
}

/// The path on the request line for a path as the client had it, and the host it named, if
/// any: `api/v5/x` is `/api/v5/x`, `https://www.okx.com/api/v5/x` is `/api/v5/x` on
/// `www.okx.com`.
pub(crate) fn wire_path(given: &str) -> Result<(String, Option<String>), Error> {
    if given.starts_with('/') {
        return Ok((given.to_owned(), None));
    }
    let (host, rest) = match given.split_once("://") {
        Some((_, after)) => match after.find('/') {
            Some(i) => (Some(&after[..i]), &after[i + 1..]),
            None => (Some(after), ""),
        },
        None => match given.split_once('/') {
            // A first segment with a dot is a host name (`www.okx.com/api/v5/...`).
            Some((first, rest)) if first.contains('.') => (Some(first), rest),
            _ => (None, given),
        },
    };
    if given.is_empty() {
        return Err(Error::InvalidPath {
            problem: "is empty: give the path from the API docs, starting with '/' (e.g. /api/v5/account/balance)",
        });
    }
    Ok((format!("/{rest}"), host.filter(|h| !h.is_empty()).map(str::to_owned)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_paths() {
        assert_eq!(wire_path("/api/v5/x").unwrap(), ("/api/v5/x".to_owned(), None));
        assert_eq!(wire_path("api/v5/x").unwrap(), ("/api/v5/x".to_owned(), None));
        assert_eq!(
            wire_path("https://www.okx.com/api/v5/x").unwrap(),
            ("/api/v5/x".to_owned(), Some("www.okx.com".to_owned()))
        );
        assert_eq!(
            wire_path("www.okx.com/api/v5/x").unwrap(),
            ("/api/v5/x".to_owned(), Some("www.okx.com".to_owned()))
        );
        assert!(wire_path("").is_err());
    }

    /// The engine each scheme's recipe picks is the one written for it.
    #[test]
    fn recipes_pick_the_engines() {
        for scheme in Scheme::ALL {
            let expected = match scheme {
                Scheme::CoinbaseCdp => Engine::Token,
                // Nonce tokens: `nonce_tokens_pick_their_engine`.
                Scheme::Upbit => continue,
                Scheme::Binance
                | Scheme::Bybit
                | Scheme::Kraken
                | Scheme::Gate
                | Scheme::Bitfinex
                | Scheme::Deribit
                | Scheme::Bitmart
                | Scheme::KrakenFutures => Engine::Parameters,
                Scheme::Mexc => Engine::Parameters,
                Scheme::Hyperliquid => Engine::NotRebuilt,
                Scheme::Backpack => Engine::NotRebuilt,
                Scheme::CryptoCom => Engine::NotRebuilt,
                _ => Engine::Headers,
            };
            assert_eq!(Engine::of(scheme.exchange()), expected, "{scheme:?}");
        }
    }

    /// An exchange sending nonce tokens is diagnosed by re-signing them, whatever its recipe says.
    #[test]
    fn nonce_tokens_pick_their_engine() {
        for scheme in Scheme::ALL {
            let exchange = scheme.exchange();
            match exchange.rest_verification {
                crate::RestVerification::NonceToken(check) => {
                    assert_eq!(Engine::of(exchange), Engine::NonceToken(check), "{scheme:?}")
                }
                _ => assert!(!matches!(Engine::of(exchange), Engine::NonceToken(_)), "{scheme:?}"),
            }
        }
    }

    #[test]
    fn sent_request_debug_hides_values() {
        let sent = SentRequest::rest("GET", "/x").with_auth("OK-ACCESS-PASSPHRASE", "hunter2").with_body("secret-body");
        let debug = format!("{sent:?}");
        assert!(!debug.contains("hunter2") && !debug.contains("secret-body"), "{debug}");
        assert!(debug.contains("OK-ACCESS-PASSPHRASE"));
    }
}
