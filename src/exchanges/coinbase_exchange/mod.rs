//! Coinbase Exchange (formerly Coinbase Pro): everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{CoinbaseExchangeSigner};

use crate::exchange::Exchange;

/// Coinbase Exchange, as the engines see it.
pub(crate) const COINBASE_EXCHANGE: Exchange = Exchange {
    id: "coinbase_exchange",
    name: "Coinbase Exchange",
    errors: errors::ERRORS,
};
