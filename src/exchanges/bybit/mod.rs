//! Bybit v5: HMAC and RSA keys: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{BybitKeyType, BybitSigner};

use crate::exchange::Exchange;
use crate::recipe::{Algorithm, Carrier, Part, Recipe, SignatureEncoding, Signing};
use crate::TimestampFormat;

/// Bybit, as the engines see it.
pub(crate) const BYBIT: Exchange = Exchange {
    id: "bybit",
    name: "Bybit",
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[Part::Timestamp, Part::ApiKey, Part::RecvWindow, Part::QueryOrBody],
        keys: &[
            Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex),
            Signing::pem(Algorithm::RsaPkcs1Sha256),
        ],
        signature_in: Carrier::Header,
    }),
};
