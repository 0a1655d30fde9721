//! Coinbase Advanced Trade: everything cexsign knows about it, for both kinds of key — legacy
//! HMAC keys (`hmac`) and CDP keys, signed as ES256 or Ed25519 JWTs (`cdp`, feature `cdp`).
//!
//! The two schemes share the API: its hosts, its server time and its error answers.

#[cfg(feature = "cdp")]
mod cdp;
mod hmac;

#[cfg(feature = "cdp")]
pub use cdp::{CdpKeyType, CoinbaseCdpSigner};
pub use hmac::CoinbaseAdvancedHmacSigner;

use crate::TimestampFormat;
use crate::exchange::Exchange;
use crate::recipe::{Algorithm, Carrier, NotARecipe, Part, Recipe, SignatureEncoding, Signing};

/// Coinbase Advanced Trade with a legacy HMAC key.
pub(crate) const HMAC: Exchange = Exchange {
    id: "coinbase_advanced_hmac",
    name: "Coinbase Advanced Trade (legacy HMAC)",
    // The v3 endpoints do not sign the query.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixSeconds],
        timestamp_in: Carrier::Header,
        parts: &[Part::Timestamp, Part::Method, Part::Path, Part::Body],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
};

/// Coinbase Advanced Trade with a CDP key.
pub(crate) const CDP: Exchange = Exchange {
    id: "coinbase_cdp_jwt",
    name: "Coinbase CDP",
    recipe: Err(NotARecipe {
        reason: "CDP keys sign a JWT: the signed bytes are base64url-encoded JSON (a header with a fresh random \
                 nonce, claims with an expiry and a `uri` of method, host and path), not a concatenation of \
                 request parts, and ES256 signatures are randomised",
    }),
};
