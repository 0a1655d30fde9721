//! Binance Spot and USDⓈ-M futures: HMAC, Ed25519 and RSA keys, REST and the WebSocket API: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{BinanceKeyType, BinanceSigner};

use std::time::Duration;

use crate::exchange::{AuthNames, Exchange};

/// Binance, as the engines see it.
pub(crate) const BINANCE: Exchange = Exchange {
    id: "binance",
    name: "Binance",
    // The signature and timestamp are query or form parameters.
    rest_auth: Some(AuthNames::new("X-MBX-APIKEY", "signature", "timestamp", None)),
    // The WebSocket API signs each request's params.
    ws_auth: Some(AuthNames::new("apiKey", "signature", "timestamp", None)),
    ws_api_auth: None,
    // The default recvWindow; a request may send its own, up to 60 s.
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.binance.com", "fapi.binance.com", "testnet.binance.vision"],
};
