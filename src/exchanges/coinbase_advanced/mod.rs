//! Coinbase Advanced Trade: everything cexsign knows about it, for both kinds of key — legacy
//! HMAC keys (`hmac`) and CDP keys, signed as ES256 or Ed25519 JWTs (`cdp`, feature `cdp`).
//!
//! The two schemes share the API: its hosts, its server time and its error answers.

#[cfg(feature = "cdp")]
mod cdp;
mod hmac;

#[cfg(feature = "cdp")]
pub use cdp::{CdpKeyType, CoinbaseCdpSigner};
pub use hmac::CoinbaseAdvancedHmacSigner;

use std::time::Duration;

use crate::exchange::{AuthNames, Exchange};

/// Advanced Trade is served on one host for both kinds of key.
const HOSTS: &[&str] = &["api.coinbase.com"];

/// Coinbase Advanced Trade with a legacy HMAC key.
pub(crate) const HMAC: Exchange = Exchange {
    id: "coinbase_advanced_hmac",
    name: "Coinbase Advanced Trade (legacy HMAC)",
    rest_auth: Some(AuthNames::new("CB-ACCESS-KEY", "CB-ACCESS-SIGN", "CB-ACCESS-TIMESTAMP", None)),
    ws_auth: Some(AuthNames::new("api_key", "signature", "timestamp", None)),
    ws_api_auth: None,
    window: Some(Duration::from_secs(30)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: HOSTS,
};

/// Coinbase Advanced Trade with a CDP key.
pub(crate) const CDP: Exchange = Exchange {
    id: "coinbase_cdp_jwt",
    name: "Coinbase CDP",
    // A bearer JWT carries the key name, the time and the signature.
    rest_auth: None,
    ws_auth: None,
    ws_api_auth: None,
    // The token's own `nbf`/`exp` bound it (at most 120 s).
    window: Some(Duration::from_secs(120)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: HOSTS,
};
