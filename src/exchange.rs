//! What cexsign knows about one exchange, written down once as data: an [`Exchange`].
//!
//! Each exchange's home (`src/exchanges/<exchange>/`) publishes one `Exchange` per scheme it
//! signs with, and the registry (`src/exchanges/mod.rs`) lists them. The engines — the
//! rejection classifier, server-time sync, the diagnosis, the local exchange and the CLI —
//! read these descriptions instead of naming exchanges, so adding an exchange is a new home and
//! one registry line.

mod diagnosis;
mod orders;
mod private_stream;
mod stream_token;
mod verification;
mod ws_login;

pub use diagnosis::{DiagnosisFacts, Renderings, WsSigning};
pub use orders::{ClientOrderId, DuplicateOrder, Orders, PlaceOrder};
pub use private_stream::StreamChallenge;
pub use private_stream::StreamHandshake;
pub use private_stream::StreamLogin;
pub use private_stream::StreamRequest;
pub use private_stream::{PrivateStream, StreamAnswers, StreamMessage, StreamPing, StreamRefusal, StreamSubscribe};
pub use stream_token::{StreamGrant, StreamToken, TokenEndpoint, TokenShown};
pub use verification::{AuthorizationItems, NonceToken, authorization_item};
pub use verification::{
    BodyType, ExtraCheck, HeaderCheck, HeaderMatch, Mark, Refused, RestVerification, Routing, TimestampRule,
    header_text,
};
pub use verification::{Recovered, RecoveredSigner};
pub use verification::{SignedBody, body_field};
pub use ws_login::{ExpiresLogin, JwtMessage, WsAccepted, WsAnswer, WsApi, WsLogin, WsMessage, WsNames, WsPart};

use std::time::Duration;

use crate::recipe::{NotARecipe, Recipe};
use crate::rejection::ErrorTable;
use crate::server_time::ServerTimeApi;
use crate::{Credentials, Error, Scheme, Signer, TimestampFormat};

/// Everything the engines need to know about one scheme of one exchange.
///
/// Reached through [`Scheme::exchange`](crate::Scheme::exchange).
///
/// ```
/// use cexsign::Scheme;
/// let okx = Scheme::Okx.exchange();
/// assert_eq!(okx.id, "okx");
/// assert_eq!(okx.name, "OKX");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Exchange {
    /// The stable id, as in the conformance vectors' file names (`"okx"`, `"coinbase_cdp_jwt"`).
    pub id: &'static str,
    /// A human name (`"Coinbase Exchange"`).
    pub name: &'static str,
    /// Where a REST request carries its auth values, spelled as the exchange documents them;
    /// `None` when a bearer token carries them all (Coinbase CDP).
    pub rest_auth: Option<AuthNames>,
    /// The fields of its websocket login (or signed subscribe) message, when it has one.
    pub ws_auth: Option<AuthNames>,
    /// The fields of a signed websocket API call, where they differ from the login's (Gate).
    pub ws_api_auth: Option<AuthNames>,
    /// How its websocket login (or signed message) reads and is checked, and what the exchange
    /// answers; or, without one, what to do instead.
    pub ws_login: WsLogin,
    /// Its private websocket stream: the path, how a private channel is subscribed and what it
    /// pushes, how pings are answered ([`PrivateStream::NONE`] where none is described). The
    /// login on it is [`ws_login`](Self::ws_login).
    pub private_stream: PrivateStream,
    /// How far a REST timestamp may lie from the server clock, either way, by default (Binance
    /// and Bybit: the default receive window, which a request may widen); `None` where there is
    /// no window (Kraken's nonce only has to grow).
    pub window: Option<Duration>,
    /// The timestamp format the exchange accepts on REST, where it is looser than what its
    /// signer sends (Coinbase Exchange and Gate take whole or decimal seconds).
    pub rest_timestamp_accepted: Option<TimestampFormat>,
    /// The same for its websocket messages.
    pub ws_timestamp_accepted: Option<TimestampFormat>,
    /// The hosts its REST API is served on (production, regional and test hosts), the first
    /// the main one: a prehash that wrongly includes the host names one of them.
    pub hosts: &'static [&'static str],
    /// Which requests are the exchange's, for a verifier serving several exchanges on one
    /// address (the local exchange): the headers that mark them and the paths it owns.
    pub routing: Routing,
    /// How a verifier (the local exchange) checks a signed REST request beyond its signature:
    /// which checks apply, what the timestamp means, the exchange's extra checks.
    pub rest_verification: RestVerification,
    /// Builds the scheme's signer for a key from its credentials and settings, so that the
    /// engines (CLI, conformance runner, diagnosis) build any scheme's signer the same way.
    pub signer: BuildSigner,
    /// What tells one key of the scheme from another beyond its credentials (its type, version
    /// or trading environment): the [`KeySettings`] a key is registered with.
    pub key_variants: KeyVariants,
    /// Where the exchange tells the time, how its answer reads, and what it answers.
    pub server_time: ServerTimeApi,
    /// The exchange's error codes, what each means, and how its responses name them: read by
    /// [`rejection::classify`](crate::rejection::classify) and by the local exchange.
    pub errors: ErrorTable,
    /// How a REST request is signed, as data ([`Recipe`]): what the diagnosis mutates and a test
    /// checks the signer against. Coinbase CDP keys sign a JWT instead ([`NotARecipe`] says why).
    pub recipe: Result<Recipe, NotARecipe>,
    /// What the diagnosis tells about the exchange when a signature is right: its window in
    /// words and its pitfalls.
    pub diagnosis: DiagnosisFacts,
    /// Where an order carries a client order id, which requests place orders, what the exchange
    /// answers a repeated id and which of its answers mean it did not act: what a safe retry
    /// reads ([`Orders::NONE`] where nothing is known).
    pub orders: Orders,
}

impl Exchange {
    /// The signer for a key of this scheme (see [`KeySettings`] for what each scheme reads).
    ///
    /// ```
    /// use cexsign::{Credentials, KeySettings, Scheme};
    /// let credentials = Credentials::new().api_key("key").secret("secret").passphrase("pass");
    /// let signer = Scheme::Okx.exchange().signer(&credentials, &KeySettings::new().demo(true))?;
    /// assert_eq!(signer.scheme(), Scheme::Okx);
    /// # Ok::<(), cexsign::Error>(())
    /// ```
    pub fn signer(&self, credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
        (self.signer)(credentials, settings)
    }
}

/// How an exchange builds its signer for a key (see [`Exchange::signer`]).
pub type BuildSigner = fn(&Credentials, &KeySettings) -> Result<Box<dyn Signer>, Error>;

/// What a key's signer needs beyond its credentials, for any scheme: each exchange reads the
/// settings that apply to it and ignores the rest.
///
/// | setting | read by |
/// |---|---|
/// | `key_type` (`HMAC`, `Ed25519`, `RSA`, `ES256`; absent: told from the secret) | Binance, Bybit, Coinbase CDP (checked against the key) |
/// | `key_version` | KuCoin |
/// | `demo` | OKX, Hyperliquid (testnet) |
/// | `recv_window` | Binance, Bybit |
/// | `timestamp_sample` (a timestamp as the client sends it) | Coinbase Exchange (its fraction digits), Binance (milliseconds or microseconds) |
/// | `fraction_digits` | Coinbase Exchange |
/// | `host` | Coinbase CDP |
/// | `expires_in` | Coinbase CDP (the token's life), schemes whose REST timestamp is an expiry (how far ahead of the signing instant it lies) |
/// | `ws_auth_type` (`auth`, `key-auth`; BitMart: `spot`, `futures`) | Delta, BitMart |
/// | `ws_expiry` | Bybit |
/// | `vault_address` | Hyperliquid (the vault or sub-account an L1 action trades for) |
/// | `expires_after` | Hyperliquid (how long after its nonce an action expires) |
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeySettings {
    /// The kind of key, as the exchange's API page names it; `None` tells it from the secret.
    pub key_type: Option<String>,
    /// The key's version (KuCoin 1, 2 or 3).
    pub key_version: Option<u32>,
    /// A demo-trading key (OKX).
    pub demo: bool,
    /// The receive window to sign with (Binance, Bybit).
    pub recv_window: Option<Duration>,
    /// A timestamp as the client sends it, where the exchange accepts several shapes; empty
    /// where the client sends none and the exchange's is optional
    /// ([`TimestampRule::OptionalNonce`]).
    pub timestamp_sample: Option<String>,
    /// How many decimals of a second to send (Coinbase Exchange; else told from
    /// `timestamp_sample`).
    pub fraction_digits: Option<u8>,
    /// The host the token names (Coinbase CDP).
    pub host: Option<String>,
    /// How long a token (Coinbase CDP) or a request that carries its own expiry stays valid
    /// after the signing instant.
    pub expires_in: Option<Duration>,
    /// The websocket auth message type (Delta: `auth` or `key-auth`; BitMart: the `spot` or
    /// `futures` login).
    pub ws_auth_type: Option<String>,
    /// How far ahead the websocket login's expiry lies (Bybit).
    pub ws_expiry: Option<Duration>,
    /// The vault or sub-account address an action trades for (Hyperliquid's `vaultAddress`).
    pub vault_address: Option<String>,
    /// How long after its nonce an action stops being accepted (Hyperliquid's `expiresAfter`).
    pub expires_after: Option<Duration>,
}

impl KeySettings {
    /// No settings: every scheme's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`key_type`](Self::key_type).
    pub fn key_type(mut self, key_type: impl Into<String>) -> Self {
        self.key_type = Some(key_type.into());
        self
    }

    /// Sets [`key_version`](Self::key_version).
    pub fn key_version(mut self, version: u32) -> Self {
        self.key_version = Some(version);
        self
    }

    /// Sets [`demo`](Self::demo).
    pub fn demo(mut self, demo: bool) -> Self {
        self.demo = demo;
        self
    }

    /// Sets [`recv_window`](Self::recv_window).
    pub fn recv_window(mut self, window: Duration) -> Self {
        self.recv_window = Some(window);
        self
    }

    /// Sets [`timestamp_sample`](Self::timestamp_sample).
    pub fn timestamp_sample(mut self, timestamp: impl Into<String>) -> Self {
        self.timestamp_sample = Some(timestamp.into());
        self
    }

    /// Sets [`fraction_digits`](Self::fraction_digits).
    pub fn fraction_digits(mut self, digits: u8) -> Self {
        self.fraction_digits = Some(digits);
        self
    }

    /// Sets [`host`](Self::host).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Sets [`expires_in`](Self::expires_in).
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = Some(expires_in);
        self
    }

    /// Sets [`ws_auth_type`](Self::ws_auth_type).
    pub fn ws_auth_type(mut self, ws_auth_type: impl Into<String>) -> Self {
        self.ws_auth_type = Some(ws_auth_type.into());
        self
    }

    /// Sets [`ws_expiry`](Self::ws_expiry).
    pub fn ws_expiry(mut self, after: Duration) -> Self {
        self.ws_expiry = Some(after);
        self
    }

    /// Sets [`vault_address`](Self::vault_address).
    pub fn vault_address(mut self, address: impl Into<String>) -> Self {
        self.vault_address = Some(address.into());
        self
    }

    /// Sets [`expires_after`](Self::expires_after).
    pub fn expires_after(mut self, after: Duration) -> Self {
        self.expires_after = Some(after);
        self
    }

    /// Whether the secret is a PEM private key rather than an HMAC secret.
    #[cfg_attr(not(feature = "pem-keys"), allow(dead_code))]
    pub(crate) fn is_pem(credentials: &Credentials, scheme: Scheme) -> Result<bool, Error> {
        Ok(credentials.require_secret_as_given(scheme)?.trim_start().starts_with("-----BEGIN"))
    }

    /// The key type, refusing one `scheme` does not know (`known`: the names it takes, matched
    /// case-insensitively).
    pub(crate) fn key_type_among<'k>(&self, scheme: Scheme, known: &[&'k str]) -> Result<Option<&'k str>, Error> {
        let Some(given) = self.key_type.as_deref() else {
            return Ok(None);
        };
        known.iter().find(|k| k.eq_ignore_ascii_case(given)).map(|k| Some(*k)).ok_or(Error::InvalidKeySetting {
            scheme,
            setting: "key_type",
            expected: match known.split_last() {
                Some((last, [])) => (*last).to_owned(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => String::new(),
            },
        })
    }
}

/// The [`KeySettings`] that describe a key itself, as the exchange issued it, rather than how a
/// request is signed with it: `key_type`, `key_version` and `demo`. A scheme's signer reads only
/// those listed here, so a verifier registering keys (the local exchange) refuses the others and
/// names a key by these.
///
/// ```
/// use cexsign::Scheme;
/// assert_eq!(Scheme::Bybit.exchange().key_variants.key_types, ["HMAC", "RSA"]);
/// assert!(Scheme::Okx.exchange().key_variants.demo);
/// assert!(Scheme::Delta.exchange().key_variants.key_versions.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyVariants {
    /// The `key_type`s the scheme takes, spelled as its signer takes them; empty when it has one
    /// kind of key.
    pub key_types: &'static [&'static str],
    /// The `key_version`s it takes, the one assumed when none is given first; empty when its keys
    /// have no version.
    pub key_versions: &'static [u32],
    /// Whether each key is either a demo-trading or a live one (`demo`).
    pub demo: bool,
}

impl KeyVariants {
    /// One kind of key: no key type, version or trading environment to tell.
    pub const NONE: Self = Self { key_types: &[], key_versions: &[], demo: false };
}

/// The names under which an exchange reads the auth values of a request or message.
///
/// For REST these are header names (case-insensitive on the wire), except where the exchange
/// takes a value elsewhere: Binance's `signature` and `timestamp` are query or form parameters,
/// Kraken's `nonce` is a body field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthNames {
    /// The API key.
    pub key: &'static str,
    /// The signature.
    pub signature: &'static str,
    /// The timestamp (Bybit's websocket expiry, Kraken's nonce).
    pub timestamp: &'static str,
    /// The passphrase, for exchanges that have one.
    pub passphrase: Option<&'static str>,
}

impl AuthNames {
    /// Names for the key, signature, timestamp and passphrase.
    pub const fn new(
        key: &'static str,
        signature: &'static str,
        timestamp: &'static str,
        passphrase: Option<&'static str>,
    ) -> Self {
        Self { key, signature, timestamp, passphrase }
    }

    /// Whether the exchange spells these names in lower case (Delta's `api-key`), so that
    /// messages name them as it does.
    pub fn lower_case(&self) -> bool {
        !self.key.bytes().any(|b| b.is_ascii_uppercase())
    }
}
