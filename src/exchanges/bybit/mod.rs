//! Bybit v5: HMAC and RSA keys: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{BybitKeyType, BybitSigner};

use crate::exchange::Exchange;

/// Bybit, as the engines see it.
pub(crate) const BYBIT: Exchange = Exchange {
    id: "bybit",
    name: "Bybit",
    errors: errors::ERRORS,
};
