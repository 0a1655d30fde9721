//! Bitfinex API v2: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.
//!
//! Bitfinex's `bfx-nonce` is a nonce, not a time (AUTH-breadth.md §2): any integer above the last
//! one the key used, REST and websocket alike, with no window around the server clock. The
//! description says so with [`TimestampRule::Nonce`] and `window: None`; Bitfinex publishes no
//! server-time endpoint ([`ServerTimeApi::NONE`]), as nothing in its auth needs its clock.

mod errors;
mod signer;

pub use signer::BitfinexSigner;

use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing,
    TimestampRule, WsLogin, WsSigning,
};
use crate::recipe::{Algorithm, Carrier, Part, Recipe, SignatureEncoding, Signing};
use crate::server_time::ServerTimeApi;
use crate::{Credentials, Error, Signer, TimestampFormat};

/// Bitfinex, as the engines see it.
pub(crate) const BITFINEX: Exchange = Exchange {
    id: "bitfinex",
    name: "Bitfinex",
    // The "timestamp" is the nonce (see the module docs).
    rest_auth: Some(AuthNames::new("bfx-apikey", "bfx-signature", "bfx-nonce", None)),
    // `{"event":"auth","apiKey","authSig","authNonce":<int>,"authPayload":"AUTH"+nonce}`.
    ws_auth: Some(AuthNames::new("apiKey", "authSig", "authNonce", None)),
    ws_api_auth: None,
    ws_login: WsLogin::Resigned,
    // A nonce, not a time in a window (see the module docs).
    window: None,
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.bitfinex.com"],
    // `bfx-*` are Bitfinex's own names; Delta owns `/v2/`, Bitfinex its authenticated endpoints
    // under it.
    routing: Routing::new(
        &[Mark::named("bfx-apikey"), Mark::named("bfx-signature"), Mark::named("bfx-nonce")],
        &["/v2/auth/"],
        62,
    ),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new("hex(HMAC-SHA384(secret, \"/api\" + path + nonce + body))")
            .timestamp(TimestampRule::Nonce)
            .sync_hint("sign every request (and retry) with a fresh, larger nonce; Bitfinex has no time endpoint"),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: ServerTimeApi::NONE,
    errors: errors::ERRORS,
    // "/api" + path + nonce + body: no method, no query; no body signs nothing after the nonce.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMicros, TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[Part::Literal("/api"), Part::Path, Part::Timestamp, Part::Body],
        keys: &[Signing::hmac(Algorithm::HmacSha384, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Login { prefix: "AUTH" },
        window_in_words: Some("none: the nonce must only exceed the last nonce this key used, REST and websocket alike"),
        pitfalls: "Bitfinex: nonce: small means a nonce not above the last one the key used (two processes sharing a key, or a switch from the official SDK's microseconds to ccxt's milliseconds: only a new key goes back).",
        // The mistakes tests/diagnose/breadth.rs makes as a user's client would, each named by
        // the diagnosis and by the local exchange.
        mistakes: &[
            M::KeySecretSwapped, M::Base64InsteadOfHex, M::HmacArgumentsSwapped, M::EmptyBodyAsBraces, M::BodyReserialized,
            M::PathMissingLeadingSlash, M::PathIncludesHost, M::TimestampHeaderDiffers,
        ],
        ..DiagnosisFacts::NONE
    },
    private_stream: crate::exchange::PrivateStream::NONE,
    orders: ORDERS,
};

/// Microsecond nonces, or milliseconds when `timestamp_sample` has 13 digits or fewer (a ccxt
/// key).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let signer = BitfinexSigner::new(credentials)?;
    if settings.timestamp_sample.as_ref().is_some_and(|sample| sample.len() <= 13) {
        return Ok(Box::new(signer.with_millisecond_nonce()));
    }
    Ok(Box::new(signer))
}

/// An order's client id is `cid`, an integer in the body of
/// `POST /v2/auth/w/order/submit` (docs.bitfinex.com, "Submit Order"); what Bitfinex answers a
/// `cid` the key already used that day is not documented, nor is a "busy, not processed" code.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("cid")),
    placing: &[crate::exchange::PlaceOrder::post("/v2/auth/w/order/submit")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};
