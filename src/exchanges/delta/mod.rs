//! Delta Exchange v2: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{DeltaSigner, DeltaWsAuthType};

use std::time::Duration;

use crate::exchange::{AuthNames, Exchange, KeySettings};
use crate::{Credentials, Error, Scheme, Signer};

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
    signer,
};

/// `ws_auth_type` picks the websocket auth message (`key-auth` by default, or `auth`).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let ws_auth_type = match settings.ws_auth_type.as_deref() {
        None | Some("key-auth") => DeltaWsAuthType::KeyAuth,
        Some("auth") => DeltaWsAuthType::Auth,
        Some(_) => {
            return Err(Error::InvalidKeySetting {
                scheme: Scheme::Delta,
                setting: "ws_auth_type",
                expected: "key-auth or auth".to_owned(),
            });
        }
    };
    Ok(Box::new(DeltaSigner::new(credentials)?.with_ws_auth_type(ws_auth_type)))
}
