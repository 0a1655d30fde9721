//! Kraken spot REST: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{KrakenSigner};

use crate::exchange::{AuthNames, Exchange, KeySettings};
use crate::{Credentials, Error, Signer};

/// Kraken, as the engines see it.
pub(crate) const KRAKEN: Exchange = Exchange {
    id: "kraken",
    name: "Kraken",
    // The nonce is a field of the body.
    rest_auth: Some(AuthNames::new("API-Key", "API-Sign", "nonce", None)),
    // Kraken's private websocket takes a token fetched over REST: no signed message.
    ws_auth: None,
    ws_api_auth: None,
    // No window: the nonce only has to grow.
    window: None,
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.kraken.com"],
    signer,
};

/// Kraken signers take no settings.
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(KrakenSigner::new(credentials)?))
}
