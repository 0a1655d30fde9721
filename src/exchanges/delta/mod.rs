//! Delta Exchange v2: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{DeltaSigner, DeltaWsAuthType};

use std::time::Duration;

use crate::exchange::{AuthNames, Exchange};

/// Delta Exchange, as the engines see it.
pub(crate) const DELTA: Exchange = Exchange {
    id: "delta",
    name: "Delta Exchange",
    rest_auth: Some(AuthNames::new("api-key", "signature", "timestamp", None)),
    ws_auth: Some(AuthNames::new("api-key", "signature", "timestamp", None)),
    ws_api_auth: None,
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.india.delta.exchange", "api.delta.exchange", "cdn-ind.testnet.deltaex.org", "testnet-api.delta.exchange"],
};
