//! Gate APIv4: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{GateSigner};

use crate::exchange::Exchange;
use crate::recipe::{Algorithm, Carrier, DigestOutput, Hash, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::TimestampFormat;

/// Gate, as the engines see it.
pub(crate) const GATE: Exchange = Exchange {
    id: "gate",
    name: "Gate",
    // Five lines: method, path, decoded query, hex SHA-512 of the body, timestamp.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixSeconds, TimestampFormat::UnixSecondsFraction { digits: 3 }],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Method,
            Part::Literal("\n"),
            Part::Path,
            Part::Literal("\n"),
            Part::Query { form: QueryForm::Decoded, question_mark: false },
            Part::Literal("\n"),
            Part::Digest { hash: Hash::Sha512, output: DigestOutput::Hex, of: &[Part::Body] },
            Part::Literal("\n"),
            Part::Timestamp,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha512, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
};
