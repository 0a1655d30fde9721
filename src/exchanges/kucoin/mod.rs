//! KuCoin, API key versions 1–3: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{KucoinKeyVersion, KucoinSigner};

use std::time::Duration;

use crate::exchange::{AuthNames, Exchange};

/// KuCoin, as the engines see it.
pub(crate) const KUCOIN: Exchange = Exchange {
    id: "kucoin",
    name: "KuCoin",
    rest_auth: Some(AuthNames::new("KC-API-KEY", "KC-API-SIGN", "KC-API-TIMESTAMP", Some("KC-API-PASSPHRASE"))),
    // KuCoin's private websocket takes a token fetched over REST: no signed message.
    ws_auth: None,
    ws_api_auth: None,
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.kucoin.com", "api-futures.kucoin.com"],
};
