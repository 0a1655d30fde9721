//! Bitget v2: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{BitgetSigner};

use crate::exchange::Exchange;

/// Bitget, as the engines see it.
pub(crate) const BITGET: Exchange = Exchange {
    id: "bitget",
    name: "Bitget",
    errors: errors::ERRORS,
};
