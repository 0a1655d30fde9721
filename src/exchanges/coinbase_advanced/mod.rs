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

use crate::exchange::{AuthNames, Exchange, KeySettings};
use crate::{Credentials, Error, Scheme, Signer};

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
    signer: hmac_signer,
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
    signer: cdp_signer,
};

/// Legacy HMAC keys take no settings.
fn hmac_signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(CoinbaseAdvancedHmacSigner::new(credentials)?))
}

/// `key_type` (`ES256` or `EdDSA`, checked against the key), `host` and `expires_in`.
#[cfg(feature = "cdp")]
fn cdp_signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let mut signer = CoinbaseCdpSigner::new(credentials)?;
    if let Some(expected) = settings.key_type_among(Scheme::CoinbaseCdp, &["ES256", "EdDSA"])? {
        if signer.key_type().alg() != expected {
            return Err(Error::InvalidKeySetting {
                scheme: Scheme::CoinbaseCdp,
                setting: "key_type",
                expected: format!("{} (what the key given is)", signer.key_type().alg()),
            });
        }
    }
    if let Some(host) = &settings.host {
        signer = signer.with_host(host)?;
    }
    if let Some(expires_in) = settings.expires_in {
        signer = signer.with_expires_in(expires_in)?;
    }
    Ok(Box::new(signer))
}

/// Without the `cdp` feature there is no CDP signer.
#[cfg(not(feature = "cdp"))]
fn cdp_signer(_: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Err(Error::KeyTypeUnsupported {
        scheme: Scheme::CoinbaseCdp,
        problem: "Coinbase CDP keys are signed with the `cdp` feature (on by default)",
    })
}
