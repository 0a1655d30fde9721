//! Bybit v5: HMAC and RSA keys: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{BybitKeyType, BybitSigner};

use std::time::Duration;

use crate::exchange::{AuthNames, Exchange};

/// Bybit, as the engines see it.
pub(crate) const BYBIT: Exchange = Exchange {
    id: "bybit",
    name: "Bybit",
    rest_auth: Some(AuthNames::new("X-BAPI-API-KEY", "X-BAPI-SIGN", "X-BAPI-TIMESTAMP", None)),
    // The login's timestamp is an expiry.
    ws_auth: Some(AuthNames::new("api_key", "signature", "expires", None)),
    ws_api_auth: None,
    // The default X-BAPI-RECV-WINDOW; a request may send its own.
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.bybit.com", "api-testnet.bybit.com"],
};
