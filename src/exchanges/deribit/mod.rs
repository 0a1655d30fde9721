//! Deribit (API v2): everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.
//!
//! Deribit's usual flow is OAuth (`public/auth`, then `Authorization: Bearer <token>`); what
//! cexsign signs are the two ways that need no token: the `deri-hmac-sha256` Authorization header
//! on every REST request, and the `client_signature` grant of `public/auth` (websocket or REST).
//! The header carries the key, the timestamp, the signature and a nonce as its items
//! (`id=…,ts=…,sig=…,nonce=…`, in any order), so `rest_auth` names items, not headers, and the
//! local exchange reads them with [`RestVerification::AuthorizationItems`].
//!
//! Window: the timestamp "must be close to server time", the tolerance is not stated
//! (AUTH-breadth.md §5 and Deribit's API docs as read); the local exchange holds it to 60 s
//! either way, and refuses a nonce a key already used within that window.

mod errors;
mod signer;

pub use signer::DeribitSigner;

use std::time::Duration;

use serde_json::{Value, json};

use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, AuthorizationItems, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing};
use crate::exchange::{WsAccepted, WsLogin, WsMessage, WsPart, WsSigning};
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, integer};
use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};

/// Deribit, as the engines see it.
pub(crate) const DERIBIT: Exchange = Exchange {
    id: "deribit",
    name: "Deribit",
    // The items of `Authorization: deri-hmac-sha256 id=…,ts=…,sig=…,nonce=…`.
    rest_auth: Some(AuthNames::new("id", "sig", "ts", None)),
    // The params of `public/auth` with `grant_type: client_signature`.
    ws_auth: Some(AuthNames::new("client_id", "signature", "timestamp", None)),
    ws_api_auth: None,
    ws_login: WsLogin::Signed(&[WsMessage::new(
        &[
            WsPart::Field("method", "public/auth"),
            WsPart::InObject { field: "params", method: None },
            WsPart::Field("grant_type", "client_signature"),
            WsPart::Key,
            WsPart::Timestamp,
            WsPart::Nonce("nonce"),
            WsPart::Data("data"),
            WsPart::Signature,
        ],
        ws_answer,
    )]),
    // Not stated by Deribit (see the module docs): the local exchange's choice.
    window: Some(Duration::from_secs(60)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["www.deribit.com", "test.deribit.com"],
    // Its Authorization scheme is its own; `/api/v2/private/` is under Bitget's `/api/v2/`, which
    // has no `private/`.
    routing: Routing::new(&[Mark::authorization(signer::AUTH_SCHEME)], &["/api/v2/private/"], 15),
    rest_verification: RestVerification::AuthorizationItems(AuthorizationItems::new(
        signer::AUTH_SCHEME,
        "nonce",
        HeaderCheck::new(
            "hex(HMAC-SHA256(secret, ts + \"\\n\" + nonce + \"\\n\" + METHOD + \"\\n\" + path + ?query + \"\\n\" + body + \"\\n\"))",
        )
        .sync_hint("sign every request with a fresh ts (milliseconds) and a new nonce, offset by GET"),
    )),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Timestamp,
            Part::Literal("\n"),
            Part::Nonce("nonce"),
            Part::Literal("\n"),
            Part::Method,
            Part::Literal("\n"),
            Part::Path,
            Part::Query { form: QueryForm::AsSent, question_mark: true },
            Part::Literal("\n"),
            Part::Body,
            // After the body, even an empty one.
            Part::Literal("\n"),
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Joined { separator: "\n", nonce: "nonce", data: "data" },
        pitfalls: "Deribit: every request needs a nonce of its own (the same in the header and in the signed string), \
                   and public/auth sends its timestamp as an integer.",
        // The mistakes tests/diagnose/breadth.rs makes as a user's client would, each named by
        // the diagnosis and by the local exchange.
        mistakes: &[
            M::KeySecretSwapped, M::Base64InsteadOfHex, M::HmacArgumentsSwapped, M::MethodLowercase, M::QueryNotSigned,
            M::QuerySignedUnencoded, M::QueryOrderDiffers, M::EmptyBodyAsBraces,
            M::BodyReserialized, M::PathMissingLeadingSlash, M::PathIncludesHost, M::TimestampHeaderDiffers,
            M::TimestampSecondsForMilliseconds,
        ],
        ..DiagnosisFacts::NONE
    },
    private_stream: crate::exchange::PrivateStream::NONE,
    orders: ORDERS,
};

/// Deribit places orders with `private/buy` and `private/sell` (JSON-RPC over HTTP, the params
/// in the query or the body). Its `label` (at most 64 characters) is the order's own tag: Deribit
/// does not refuse a repeated one (it need not be unique, so a repeat is not de-duplicated), but
/// a bot can look an order up by it (`private/get_order_state_by_label`), which is what a retry
/// whose outcome is unknown needs. Deribit documents no "busy, not processed" code.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("label")),
    placing: &[
        crate::exchange::PlaceOrder::post("/api/v2/private/buy"),
        crate::exchange::PlaceOrder::post("/api/v2/private/sell"),
    ],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};

/// Deribit's keys have no settings of their own.
fn signer(credentials: &Credentials, _settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(DeribitSigner::new(credentials)?))
}

/// Deribit's answer to an accepted `public/auth`: the JSON-RPC result with a session's tokens
/// (made up here: the local exchange issues none it would accept).
fn ws_answer(accepted: &WsAccepted<'_>) -> Value {
    let id = accepted.message.get("id").cloned().unwrap_or(Value::Null);
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "result": {
            "access_token": format!("cexsign-local-{}", accepted.connection_id),
            "expires_in": 31_536_000,
            "refresh_token": format!("cexsign-local-refresh-{}", accepted.connection_id),
            "scope": "connection mainaccount",
            "token_type": "bearer",
        },
        "testnet": true,
    })
}

/// Deribit's `GET /api/v2/public/get_time`: `{"jsonrpc":"2.0","result":<ms>,…}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v2/public/get_time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    let millis = u64::try_from(now.unix_millis()).unwrap_or(u64::MAX);
    let micros = millis.saturating_mul(1000);
    json!({"jsonrpc": "2.0", "result": millis, "testnet": true, "usIn": micros, "usOut": micros, "usDiff": 0})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let millis = json.get("result").ok_or("no result field")?;
    let millis = integer(millis).ok_or("result is not a millisecond count")?;
    Ok(Timestamp::from_unix_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_time_round_trips() {
        let now = Timestamp::from_unix_millis(1_550_147_385_946);
        let answer = SERVER_TIME.endpoint.answer(now);
        assert_eq!(answer["result"], 1_550_147_385_946_u64);
        assert_eq!((SERVER_TIME.read)(&answer), Ok(now));
        // AUTH-breadth.md §5's answer.
        let documented = json!({"jsonrpc": "2.0", "result": 1_550_147_385_946_u64, "testnet": false});
        assert_eq!((SERVER_TIME.read)(&documented), Ok(now));
        assert!((SERVER_TIME.read)(&json!({"result": "soon"})).is_err());
    }
}
