//! Upbit Open API: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.
//!
//! Upbit sends a JWT in `Authorization: Bearer` (AUTH-breadth.md §9): HS256 (or HS512) over the
//! access key, a UUID nonce and, when the request has parameters, the SHA-512 of those
//! parameters as an unencoded query. No time is signed and there is no window: each nonce is
//! used once ([`RestVerification::NonceToken`]). Upbit publishes no server-time endpoint
//! ([`ServerTimeApi::NONE`]), as nothing in its auth needs its clock. The bytes hashed are
//! derived from the bytes sent by [`UpbitSigner::query_hash_input`].

mod errors;
mod signer;

pub use signer::{UpbitJwtAlgorithm, UpbitSigner};

use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    DiagnosisFacts, Exchange, KeySettings, KeyVariants, Mark, NonceToken, RestVerification, Routing, WsLogin,
};
use crate::recipe::NotARecipe;
use crate::server_time::ServerTimeApi;
use crate::{Credentials, Error, Signer};

/// Upbit, as the engines see it.
pub(crate) const UPBIT: Exchange = Exchange {
    id: "upbit",
    name: "Upbit",
    // The bearer token carries the key, the nonce and the signature.
    rest_auth: None,
    ws_auth: None,
    ws_api_auth: None,
    ws_login: WsLogin::Absent {
        instead: "Upbit has no websocket login message: open wss://api.upbit.com/websocket/v1/private with the \
                  handshake header Authorization: Bearer <token>, the token sign_ws writes (no query claims)",
    },
    private_stream: crate::exchange::PrivateStream::NONE,
    // No timestamp: the nonce is single-use instead.
    window: None,
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    // The Korean exchange and its regional APIs (Singapore, Indonesia, Thailand), same scheme.
    hosts: &["api.upbit.com", "sg-api.upbit.com", "id-api.upbit.com", "th-api.upbit.com"],
    // A bearer token under Upbit's `/v1/` (Coinbase CDP's are under `/api/v3/` and `/v2/`).
    routing: Routing::new(&[Mark::BEARER.under("/v1/")], &["/v1/"], 85),
    rest_verification: RestVerification::NonceToken(NonceToken::new(
        "access_key",
        "nonce",
        "base64url(HMAC-SHA256(secret, base64url(header) + \".\" + base64url(claims))), claims access_key, nonce and, \
         with parameters, query_hash = hex(SHA-512(the parameters unencoded)), query_hash_alg SHA512",
    )),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: ServerTimeApi::NONE,
    errors: errors::ERRORS,
    recipe: Err(NotARecipe {
        reason: "Upbit signs a JWT: the signed bytes are base64url-encoded JSON claims holding a fresh UUID nonce and \
                 a SHA-512 of the parameters, not a concatenation of request parts",
    }),
    diagnosis: DiagnosisFacts {
        window_in_words: Some("no window: each nonce is used once"),
        pitfalls: "Upbit: query_hash is the SHA-512 of the parameters WITHOUT URL-encoding (the query as sent, \
                   percent-decoded; a JSON body's fields as k=v in body order, arrays as k[]=v): hashing the encoded \
                   query (pyupbit 0.2.34 does) fails with invalid_query_payload as soon as a value holds ':', '+', a \
                   space or non-ASCII. Sorting the parameters, or hashing a POST body's JSON text, fails the same \
                   way. The secret key is used as text (not base64-decoded); every request needs a new nonce.",
        // AUTH-breadth.md §9's mistakes, as tests/diagnose/breadth.rs makes them, each named by
        // the diagnosis and by the local exchange: the encoded query hashed (pyupbit 0.2.34),
        // sorted parameters, a body's JSON text, the secret base64-decoded, key and secret swapped.
        mistakes: &[
            M::KeySecretSwapped, M::SecretBase64Decoded, M::QuerySignedEncoded, M::QueryOrderDiffers,
            M::BodyReserialized,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// Upbit keys take no settings: the engines sign HS256, as Upbit's samples and SDKs do (HS512
/// is [`UpbitSigner::with_algorithm`]'s).
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(UpbitSigner::new(credentials)?))
}

/// Upbit places orders with `POST /v1/orders`, whose optional `identifier` is the client's own
/// id for the order (Upbit's "주문하기" (place order) reference). What it answers a repeated
/// identifier is not documented where we read.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("identifier")),
    placing: &[crate::exchange::PlaceOrder::post("/v1/orders")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};
