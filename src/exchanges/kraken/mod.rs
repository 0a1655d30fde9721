//! Kraken spot REST: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{KrakenSigner};

use crate::exchange::Exchange;
use crate::recipe::{Algorithm, Carrier, DigestOutput, Hash, Part, Recipe, SignatureEncoding, Signing};
use crate::TimestampFormat;

/// Kraken, as the engines see it.
pub(crate) const KRAKEN: Exchange = Exchange {
    id: "kraken",
    name: "Kraken",
    // The nonce travels in the body and is hashed in front of it; the method is not signed.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Parameter("nonce"),
        parts: &[
            Part::Path,
            Part::Digest { hash: Hash::Sha256, output: DigestOutput::Raw, of: &[Part::Timestamp, Part::Body] },
        ],
        keys: &[Signing::hmac_base64_secret(Algorithm::HmacSha512, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
};
