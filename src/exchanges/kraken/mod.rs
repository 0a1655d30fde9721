//! Kraken spot REST: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{KrakenSigner};

use crate::exchange::Exchange;

/// Kraken, as the engines see it.
pub(crate) const KRAKEN: Exchange = Exchange {
    id: "kraken",
    name: "Kraken",
};
