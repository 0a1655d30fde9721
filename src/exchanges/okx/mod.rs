//! OKX v5, live and demo trading: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{OkxEnvironment, OkxSigner};

use crate::exchange::Exchange;

/// OKX, as the engines see it.
pub(crate) const OKX: Exchange = Exchange {
    id: "okx",
    name: "OKX",
    errors: errors::ERRORS,
};
