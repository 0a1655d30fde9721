//! Gate APIv4: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{GateSigner};

use std::time::Duration;

use crate::TimestampFormat;
use crate::exchange::{AuthNames, Exchange, KeySettings};
use crate::{Credentials, Error, Signer};

/// Gate, as the engines see it.
pub(crate) const GATE: Exchange = Exchange {
    id: "gate",
    name: "Gate",
    rest_auth: Some(AuthNames::new("KEY", "SIGN", "Timestamp", None)),
    ws_auth: Some(AuthNames::new("KEY", "SIGN", "time", None)),
    ws_api_auth: Some(AuthNames::new("api_key", "signature", "timestamp", None)),
    window: Some(Duration::from_secs(60)),
    // gate-api sends `str(time.time())`; its websocket messages carry whole seconds.
    rest_timestamp_accepted: Some(TimestampFormat::UnixSecondsFraction { digits: 3 }),
    ws_timestamp_accepted: None,
    hosts: &["api.gateio.ws", "fx-api-testnet.gateio.ws", "api.gate.io"],
    signer,
};

/// Gate signers take no settings.
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(GateSigner::new(credentials)?))
}
