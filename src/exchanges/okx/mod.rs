//! OKX v5, live and demo trading: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{OkxEnvironment, OkxSigner};

use crate::exchange::Exchange;
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::TimestampFormat;

/// OKX, as the engines see it.
pub(crate) const OKX: Exchange = Exchange {
    id: "okx",
    name: "OKX",
    // Demo trading adds a header; the prehash is the same.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::Iso8601Millis],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Timestamp,
            Part::Method,
            Part::Path,
            Part::Query { form: QueryForm::AsSent, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
};
