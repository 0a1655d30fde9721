//! What cexsign knows about one exchange, written down once as data: an [`Exchange`].
//!
//! Each exchange's home (`src/exchanges/<exchange>/`) publishes one `Exchange` per scheme it
//! signs with, and the registry (`src/exchanges/mod.rs`) lists them. The engines — the
//! rejection classifier, server-time sync, the diagnosis, the local exchange and the CLI —
//! read these descriptions instead of naming exchanges, so adding an exchange is a new home and
//! one registry line.

use std::time::Duration;

use crate::TimestampFormat;

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
