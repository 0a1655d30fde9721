//! KuCoin, API key versions 1–3: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{KucoinKeyVersion, KucoinSigner};

use std::time::Duration;

use crate::exchange::{AuthNames, Exchange, KeySettings};
use crate::{Credentials, Error, Signer};

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
    signer,
};

/// `key_version` is the version shown next to the key (default 3, the current one).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let version = settings.key_version.map(KucoinKeyVersion::try_from).transpose()?.unwrap_or_default();
    Ok(Box::new(KucoinSigner::new(credentials, version)?))
}
