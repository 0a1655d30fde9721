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
use crate::exchange::{PrivateStream, StreamAnswers, StreamMessage, StreamPing, StreamRefusal, StreamRequest, StreamSubscribe};
use crate::exchange::{WsAccepted, WsLogin, WsMessage, WsPart, WsSigning};
use crate::rejection::RejectionKind;
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
            M::QuerySignedWithoutQuestionMark, M::QuerySignedUnencoded, M::QueryOrderDiffers, M::EmptyBodyAsBraces,
            M::BodyReserialized, M::PathMissingLeadingSlash, M::PathIncludesHost, M::TimestampHeaderDiffers,
            M::TimestampSecondsForMilliseconds,
        ],
        ..DiagnosisFacts::NONE
    },
    private_stream: PRIVATE_STREAM,
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

/// `wss://www.deribit.com/ws/api/v2` (test `test.deribit.com`): JSON-RPC 2.0 (docs.deribit.com,
/// "JSON-RPC 2.0 Protocol", "Notifications"). `public/auth` with the `client_signature` grant
/// logs in and is answered with the session's tokens ([`ws_answer`]); `private/subscribe` with
/// `params.channels` is answered with the list of channels subscribed ("private/subscribe"), then
/// each channel's `subscription` notification (`{"jsonrpc","method":"subscription","params":
/// {"channel","data"}}`, "Notifications"); `public/test` is answered with the API version
/// ("public/test"), `public/set_heartbeat` with `ok` and a `test_request` (`stream_heartbeat`).
/// Every answer echoes the request's `id`. A private subscribe before the login
/// is refused with 10000 `authorization_required` from the error table. Served: the order
/// updates of every instrument (`user.orders.any.any.raw`, data as in
/// "user.orders.(kind).(currency).raw") and the BTC portfolio (`user.portfolio.btc`, and
/// `user.portfolio.BTC` as ccxt 4.5.90's `watch_balance` names it: the currency's code upper-case,
/// which Deribit serves, as ccxt#17533's demo of it shows).
/// Assumed: the idle limit (Deribit names none; a connection that leaves a `test_request`
/// unanswered is closed by Deribit, not here),
/// and that a channel Deribit does not know is left out of the list answered (an empty list
/// here).
const PRIVATE_STREAM: PrivateStream = PrivateStream {
    path: "/ws/api/v2",
    idle: Duration::from_secs(120),
    ping: StreamPing::Json { field: "method", value: "public/test", answer: stream_test },
    subscribe: StreamSubscribe {
        when: ("method", "private/subscribe"),
        list: "params.channels",
        channel: "",
        sample: r#"{"jsonrpc":"2.0","id":42,"method":"private/subscribe","params":{"channels":["user.orders.any.any.raw"]}}"#,
    },
    channels: &["user.orders.any.any.raw", "user.portfolio.btc", "user.portfolio.BTC"],
    answers: StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    requests: &[StreamRequest::new("method", "public/set_heartbeat", stream_heartbeat)],
    ..PrivateStream::NONE
};

/// `public/set_heartbeat`: `"ok"` ("public/set_heartbeat"), then a `heartbeat` notification of
/// type `test_request`, which a client answers with `public/test` ("heartbeat" channel). Deribit
/// sends it after `interval` seconds, and again every interval; here it comes at once, once,
/// so that a client's answer to it is exercised without waiting.
fn stream_heartbeat(sent: &StreamMessage<'_>) -> Vec<Value> {
    vec![
        json!({"jsonrpc": "2.0", "id": request_id(sent), "result": "ok"}),
        json!({"jsonrpc": "2.0", "method": "heartbeat", "params": {"type": "test_request"}}),
    ]
}

/// The request's `id`, echoed by its answer.
fn request_id(sent: &StreamMessage<'_>) -> Value {
    sent.message.get("id").cloned().unwrap_or(Value::Null)
}

/// `public/test`: `{"jsonrpc":"2.0","id","result":{"version"}}`.
fn stream_test(sent: &StreamMessage<'_>) -> Value {
    json!({"jsonrpc": "2.0", "id": request_id(sent), "result": {"version": "1.2.26"}})
}

/// `private/subscribe`: the channels subscribed, one answer for the request.
fn stream_subscribed(sent: &StreamMessage<'_>) -> Vec<Value> {
    vec![json!({"jsonrpc": "2.0", "id": request_id(sent), "result": sent.args})]
}

/// The channel's `subscription` notification: an open order, or the BTC portfolio.
fn stream_event(sent: &StreamMessage<'_>) -> Value {
    let now = u64::try_from(sent.now.unix_millis()).unwrap_or_default();
    let channel = sent.channel("").unwrap_or_default();
    let data = if channel.starts_with("user.portfolio.") {
        json!({
            "currency": "BTC", "equity": 1.0, "balance": 1.0, "available_funds": 1.0, "available_withdrawal_funds": 1.0,
            "initial_margin": 0.0, "maintenance_margin": 0.0, "margin_balance": 1.0, "total_pl": 0.0,
        })
    } else {
        json!({
            "order_id": "cexsign-1", "order_state": "open", "order_type": "limit", "direction": "buy",
            "instrument_name": "BTC-PERPETUAL", "amount": 10, "filled_amount": 0, "price": 30000.0,
            "average_price": 0, "label": "cexsign1", "time_in_force": "good_til_cancelled", "post_only": false,
            "reduce_only": false, "api": true, "creation_timestamp": now, "last_update_timestamp": now,
        })
    };
    json!({"jsonrpc": "2.0", "method": "subscription", "params": {"channel": channel, "data": data}})
}

/// A private subscribe before the login: the error table's missing-credentials entry (10000
/// `authorization_required`); a channel Deribit does not know: left out of the (empty) list
/// answered.
fn stream_refused(sent: &StreamMessage<'_>) -> Value {
    let missing = errors::ERRORS.codes.iter().find(|entry| entry.kind == Some(RejectionKind::MissingCredentials));
    match (sent.refusal, missing) {
        (Some(StreamRefusal::NotLoggedIn), Some(entry)) => json!({
            "jsonrpc": "2.0",
            "id": request_id(sent),
            "error": {"message": entry.message, "code": entry.code.parse::<u32>().unwrap_or_default()},
        }),
        _ => json!({"jsonrpc": "2.0", "id": request_id(sent), "result": []}),
    }
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
