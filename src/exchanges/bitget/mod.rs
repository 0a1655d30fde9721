//! Bitget v2: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{BitgetSigner};

use std::time::Duration;

use crate::exchange::{AuthNames, Exchange, KeySettings};
use crate::{Credentials, Error, Signer};

/// Bitget, as the engines see it.
pub(crate) const BITGET: Exchange = Exchange {
    id: "bitget",
    name: "Bitget",
    rest_auth: Some(AuthNames::new("ACCESS-KEY", "ACCESS-SIGN", "ACCESS-TIMESTAMP", Some("ACCESS-PASSPHRASE"))),
    ws_auth: Some(AuthNames::new("apiKey", "sign", "timestamp", Some("passphrase"))),
    ws_api_auth: None,
    // Bitget's signature page states no window; 30 s is what third-party guides cite.
    window: Some(Duration::from_secs(30)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.bitget.com"],
    signer,
};

/// Bitget signers take no settings.
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(BitgetSigner::new(credentials)?))
}
