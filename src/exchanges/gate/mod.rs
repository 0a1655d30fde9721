//! Gate APIv4: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{GateSigner};

use crate::exchange::Exchange;

/// Gate, as the engines see it.
pub(crate) const GATE: Exchange = Exchange {
    id: "gate",
    name: "Gate",
    errors: errors::ERRORS,
};
