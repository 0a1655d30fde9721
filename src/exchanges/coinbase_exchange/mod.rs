//! Coinbase Exchange (formerly Coinbase Pro): everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{CoinbaseExchangeSigner};

use std::time::Duration;

use crate::TimestampFormat;
use crate::exchange::{AuthNames, Exchange};

/// Coinbase Exchange, as the engines see it.
pub(crate) const COINBASE_EXCHANGE: Exchange = Exchange {
    id: "coinbase_exchange",
    name: "Coinbase Exchange",
    rest_auth: Some(AuthNames::new("CB-ACCESS-KEY", "CB-ACCESS-SIGN", "CB-ACCESS-TIMESTAMP", Some("CB-ACCESS-PASSPHRASE"))),
    ws_auth: Some(AuthNames::new("key", "signature", "timestamp", Some("passphrase"))),
    ws_api_auth: None,
    window: Some(Duration::from_secs(30)),
    // Whole or decimal seconds, whatever precision the client sends.
    rest_timestamp_accepted: Some(TimestampFormat::UnixSecondsFraction { digits: 3 }),
    ws_timestamp_accepted: Some(TimestampFormat::UnixSecondsFraction { digits: 3 }),
    hosts: &["api.exchange.coinbase.com", "api-public.sandbox.exchange.coinbase.com", "api.pro.coinbase.com"],
};
