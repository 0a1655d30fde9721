//! KuCoin, API key versions 1–3: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{KucoinKeyVersion, KucoinSigner};

use crate::exchange::Exchange;
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::TimestampFormat;

/// KuCoin, as the engines see it.
pub(crate) const KUCOIN: Exchange = Exchange {
    id: "kucoin",
    name: "KuCoin",
    // The key version changes the passphrase header, not the prehash: one recipe for all three.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Timestamp,
            Part::Method,
            Part::Path,
            // KuCoin signs the query as it was before URL-encoding.
            Part::Query { form: QueryForm::Decoded, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
};
