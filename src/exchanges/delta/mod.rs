//! Delta Exchange v2: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{DeltaSigner, DeltaWsAuthType};

use crate::exchange::Exchange;
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::TimestampFormat;

/// Delta Exchange, as the engines see it.
pub(crate) const DELTA: Exchange = Exchange {
    id: "delta",
    name: "Delta Exchange",
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixSeconds],
        timestamp_in: Carrier::Header,
        // The method first, unlike Coinbase and OKX.
        parts: &[
            Part::Method,
            Part::Timestamp,
            Part::Path,
            Part::Query { form: QueryForm::AsSent, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
};
