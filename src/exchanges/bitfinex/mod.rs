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

use std::time::Duration;

use serde_json::{Value, json};

use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing,
    TimestampRule, WsLogin, WsSigning,
};
use crate::exchange::{
    PrivateStream, StreamAnswers, StreamMessage, StreamPing, StreamSubscribe, WsAccepted,
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
    // The docs' field table types `authNonce` as a string (bitfinex-api-py sends one, with
    // `"filter": null`; the docs' example and this signer send an integer); `dms` and `filter`
    // are optional ("Authenticated Channels").
    ws_login: WsLogin::ResignedAnswered { optional: &["filter", "dms"], answer: ws_answer },
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
    private_stream: PRIVATE_STREAM,
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

/// `wss://api.bitfinex.com/ws/2`, Bitfinex's authenticated websocket (docs.bitfinex.com, "General"
/// and "Authenticated Channels"). On connect the server sends its `info` event ("Info
/// Messages": the version, and `platform.status` 1 for operative). The `auth` event logs in; once
/// accepted, the account information channel (`chanId` 0) needs no subscribe: "any authenticated
/// connection is automatically subscribed" ("Account Info", "Wallets"), and its snapshots follow
/// the login: here the orders' (`os`) and the wallets' (`ws`). `{"event":"ping","cid"}` is
/// answered `{"event":"pong","ts","cid"}` ("Ping/Pong"). Account channels cannot be subscribed by
/// name, so a `subscribe` to one is refused with the public channels' error event, code 10302
/// ("Unknown channel": the code table of bitfinex-api-node's v1 docs and of Bitfinex.Net; the
/// wording is assumed). Assumed: the idle limit (Bitfinex names none; it sends heartbeats), the
/// order of the snapshots (the docs show each alone) and the served numbers.
const PRIVATE_STREAM: PrivateStream = PrivateStream {
    path: "/ws/2",
    idle: Duration::from_secs(120),
    ping: StreamPing::Json { field: "event", value: "ping", answer: stream_pong },
    subscribe: StreamSubscribe { when: ("event", "subscribe"), list: "", channel: "channel", sample: "" },
    channels: &[],
    answers: StreamAnswers { event: stream_event, refused: stream_refused, ..PrivateStream::NONE.answers },
    pushed_on_login: &["os", "ws"],
    greeting: Some(info),
    ..PrivateStream::NONE
};

/// The accepted `auth` event: `{"event":"auth","status":"OK","chanId":0,"userId","auth_id",
/// "caps"}` ("Authenticated Channels"; bitfinex-api-py reads `userId` and `caps` from it). The
/// key is not echoed.
fn ws_answer(accepted: &WsAccepted<'_>) -> Value {
    let both = json!({"read": 1, "write": 1});
    json!({
        "event": "auth",
        "status": "OK",
        "chanId": 0,
        "userId": 1_234_567,
        "auth_id": format!("cexsign-local-{}", accepted.connection_id),
        "caps": {
            "orders": both, "account": {"read": 1, "write": 0}, "funding": both, "history": {"read": 1, "write": 0},
            "wallets": both, "withdraw": {"read": 0, "write": 0}, "positions": both,
        },
    })
}

/// `{"event":"pong","ts":<ms>,"cid":<the ping's>}`.
fn stream_pong(sent: &StreamMessage<'_>) -> Value {
    let cid = sent.message.get("cid").cloned().unwrap_or(Value::Null);
    json!({"event": "pong", "ts": sent.now.unix_millis(), "cid": cid})
}

/// A snapshot on channel 0: `[0,"os",[order…]]` (an order is the 32-field array of "Orders":
/// ID, GID, CID, SYMBOL, MTS_CREATE, MTS_UPDATE, AMOUNT, AMOUNT_ORIG, TYPE, TYPE_PREV, MTS_TIF,
/// _, FLAGS, STATUS, _, _, PRICE, PRICE_AVG, PRICE_TRAILING, PRICE_AUX_LIMIT, _, _, _, NOTIFY,
/// HIDDEN, PLACED_ID, _, _, ROUTING, _, _, META) or `[0,"ws",[wallet…]]` (WALLET_TYPE, CURRENCY,
/// BALANCE, UNSETTLED_INTEREST, BALANCE_AVAILABLE, DESCRIPTION, META; the docs' example leaves
/// the last three null in a snapshot).
fn stream_event(sent: &StreamMessage<'_>) -> Value {
    let now = sent.now.unix_millis();
    match sent.channel("") {
        Some("ws") => json!([0, "ws", [["exchange", "USD", 1000.0, 0, 1000.0, null, null], ["exchange", "BTC", 0.5, 0, 0.5, null, null]]]),
        _ => json!([0, "os", [[
            123_456_789_u64, null, 1, "tBTCUSD", now, now, 0.001, 0.001, "EXCHANGE LIMIT", null, null, null,
            0, "ACTIVE", null, null, 30000.0, 0, 0, 0, null, null, null, 0, 0, null, null, null,
            "API>BFX", null, null, {},
        ]]]),
    }
}

/// The error event of a refused subscribe, logged in or not: no account channel is subscribed
/// by name.
fn stream_refused(sent: &StreamMessage<'_>) -> Value {
    let channel = sent.message.get("channel").cloned().unwrap_or(Value::Null);
    json!({"event": "error", "channel": channel, "code": 10302, "msg": "subscribe: unknown channel"})
}

/// Bitfinex "Info Messages": the `info` event a connection opens with (version 2, platform status
/// 1 for operative).
fn info(_: &crate::exchange::StreamMessage<'_>) -> Value {
    json!({"event": "info", "version": 2, "serverId": "c2d8d9e4-4f5b-4d8e-9f1a-6c0c5e7b2a11", "platform": {"status": 1}})
}
