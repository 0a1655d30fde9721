//! Coinbase Exchange (formerly Coinbase Pro): everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{CoinbaseExchangeSigner};

use crate::exchange::Exchange;
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::TimestampFormat;

/// Coinbase Exchange, as the engines see it.
pub(crate) const COINBASE_EXCHANGE: Exchange = Exchange {
    id: "coinbase_exchange",
    name: "Coinbase Exchange",
    recipe: Ok(Recipe {
        // Integer seconds, or seconds with a fraction (the docs allow decimals).
        timestamps: &[TimestampFormat::UnixSeconds, TimestampFormat::UnixSecondsFraction { digits: 3 }],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Timestamp,
            Part::Method,
            Part::Path,
            Part::Query { form: QueryForm::AsSent, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac_base64_secret(Algorithm::HmacSha256, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
};
