//! Binance Spot and USDⓈ-M futures: HMAC, Ed25519 and RSA keys, REST and the WebSocket API: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{BinanceKeyType, BinanceSigner};

use crate::exchange::Exchange;
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::TimestampFormat;

/// Binance, as the engines see it.
pub(crate) const BINANCE: Exchange = Exchange {
    id: "binance",
    name: "Binance",
    // The payload is the query and the body as sent, joined with nothing; `timestamp` is one of
    // its parameters, and the signature is appended as the last one.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis, TimestampFormat::UnixMicros],
        timestamp_in: Carrier::Parameter("timestamp"),
        parts: &[Part::Query { form: QueryForm::AsSent, question_mark: false }, Part::Body],
        keys: &[
            Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex),
            Signing::pem(Algorithm::Ed25519),
            Signing::pem(Algorithm::RsaPkcs1Sha256),
        ],
        signature_in: Carrier::Parameter("signature"),
    }),
};
