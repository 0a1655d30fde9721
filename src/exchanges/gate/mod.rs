//! Gate APIv4: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{GateSigner};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing, WsSigning};
use crate::exchange::BodyType;
use crate::exchange::{WsAccepted, WsLogin, WsMessage, WsNames, WsPart};
use crate::recipe::{Algorithm, Carrier, DigestOutput, Hash, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, millis};

/// Gate, as the engines see it.
pub(crate) const GATE: Exchange = Exchange {
    id: "gate",
    name: "Gate",
    rest_auth: Some(AuthNames::new("KEY", "SIGN", "Timestamp", None)),
    ws_auth: Some(AuthNames::new("KEY", "SIGN", "time", None)),
    ws_api_auth: Some(AuthNames::new("api_key", "signature", "timestamp", None)),
    // A private channel message carries `auth`; the ws API logs in on `spot.login` / `futures.login`.
    ws_login: WsLogin::Signed(&[
        WsMessage::new(
            &[
                WsPart::LoginChannel { field: "channel", suffix: ".login", named: "spot.login or futures.login" },
                WsPart::Event("event"),
                WsPart::InObject { field: "payload", method: None },
                WsPart::Key,
                WsPart::Signature,
                WsPart::Timestamp,
                WsPart::EmptyObject("req_param"),
            ],
            ws_api_answer,
        )
        .when("event", "api")
        .names(WsNames::ApiCall),
        WsMessage::new(
            &[
                WsPart::Channel("channel"),
                WsPart::Event("event"),
                WsPart::Timestamp,
                WsPart::Products("payload"),
                WsPart::InObject { field: "auth", method: Some("api_key") },
                WsPart::Key,
                WsPart::Signature,
            ],
            ws_channel_answer,
        ),
    ]),
    private_stream: PRIVATE_STREAM,
    window: Some(Duration::from_secs(60)),
    // gate-api sends `str(time.time())`; its websocket messages carry whole seconds.
    rest_timestamp_accepted: Some(TimestampFormat::UnixSecondsFraction { digits: 3 }),
    ws_timestamp_accepted: None,
    hosts: &["api.gateio.ws", "fx-api-testnet.gateio.ws", "api.gate.io"],
    // Gate's `KEY` and `SIGN` (HTTP names are case-insensitive); Delta's are `api-key` and
    // `signature`, and both send a `timestamp`, which therefore decides nothing.
    routing: Routing::new(&[Mark::named("key"), Mark::named("sign")], &["/api/v4/"], 80),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new(
            "hex(HMAC-SHA512(secret, METHOD + \\n + path (with /api/v4) + \\n + percent-DECODED query + \\n + \
             hex(SHA512(body)) + \\n + Timestamp))",
        )
        .sync_hint("sign with a fresh timestamp (seconds), offset by GET")
        // Gate's label list has INVALID_CONTENT_TYPE "Invalid Content-Type header" (APIv4 docs,
        // "Request parameter or format related"; ccxt's `gate` exceptions): `errors.rs`.
        .body_type(BodyType::required("application/json")),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // Five lines: method, path, decoded query, hex SHA-512 of the body, timestamp.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixSeconds, TimestampFormat::UnixSecondsFraction { digits: 3 }],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Method,
            Part::Literal("\n"),
            Part::Path,
            Part::Literal("\n"),
            Part::Query { form: QueryForm::Decoded, question_mark: false },
            Part::Literal("\n"),
            Part::Digest { hash: Hash::Sha512, output: DigestOutput::Hex, of: &[Part::Body] },
            Part::Literal("\n"),
            Part::Timestamp,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha512, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::ChannelOrApiLogin {
            one_channel: "a Gate channel message names exactly one channel (options.channel); the ws API login names its channel as the method (spot.login)",
        },
        pitfalls: "Gate: REQUEST_EXPIRED is the clock; futures testnet keys need the testnet host.",
        mistakes: &[
            M::KeySecretSwapped, M::TimestampMillisecondsForSeconds, M::TimestampFormatWrong, M::Base64InsteadOfHex,
            M::GateHmacSha256, M::SecretHexDecoded, M::HmacArgumentsSwapped, M::MethodLowercase,
            M::GateBodyHashSha256, M::GateEmptyBodyHashLine, M::GatePathMissingPrefix, M::GateQueryInPath,
            M::QuerySignedEncoded, M::QueryOrderDiffers, M::EmptyBodyAsBraces, M::BodyReserialized,
            M::PathMissingLeadingSlash, M::PathIncludesHost, M::TimestampHeaderDiffers,
        ],
        rest_only: &[
            M::MethodLowercase, M::PathMissingLeadingSlash,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// Gate signers take no settings.
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(GateSigner::new(credentials)?))
}

/// Gate's `GET /api/v4/spot/time`: `{"server_time":<ms>}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v4/spot/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"server_time": now.unix_millis() as u64})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let ms = json.get("server_time").ok_or("no server_time field")?;
    millis(ms).ok_or("server_time is not a millisecond count")
}

/// Gate's answer to an accepted private channel message.
fn ws_channel_answer(accepted: &WsAccepted<'_>) -> Value {
    json!({
        "time": accepted.now.unix_secs(),
        "time_ms": u64::try_from(accepted.now.unix_millis()).unwrap_or(u64::MAX),
        "channel": accepted.channel(),
        "event": accepted.event,
        "result": {"status": "success"},
    })
}

/// Gate's answer to an accepted ws API login.
fn ws_api_answer(accepted: &WsAccepted<'_>) -> Value {
    let response_time = u64::try_from(accepted.now.unix_millis()).unwrap_or(u64::MAX).to_string();
    let request_id = accepted.message.get("payload").and_then(|payload| payload.get("req_id"));
    json!({
        "request_id": request_id.cloned().unwrap_or(Value::Null),
        "ack": false,
        "header": {
            "response_time": response_time,
            "status": "200",
            "channel": accepted.channel(),
            "event": "api",
            "client_id": accepted.connection_id,
        },
        "data": {"result": {"api_key": accepted.api_key, "uid": "0"}},
    })
}

/// Gate orders (API v4 "Spot" > "Create an order", "Futures" > "Create a futures order"): JSON
/// body with `text`, a user label that must start with `t-`. Gate's docs do not say it refuses a
/// repeated `text`, nor name a "busy, not processed" label beyond 429 TOO_MANY_REQUESTS.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::with_prefix("text", "t-")),
    placing: &[crate::exchange::PlaceOrder::post("/api/v4/spot/orders"), crate::exchange::PlaceOrder::post("/api/v4/futures/*/orders")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};

/// `wss://api.gateio.ws/ws/v4/` (Gate APIv4 websocket docs, "Server URL"): a private channel
/// is subscribed by a channel message that carries `auth` {method `api_key`, `KEY`, `SIGN`}, so
/// the signed subscribe is the login, one per private channel ("Authentication"). The client
/// pings with `{"time","channel":"spot.ping"}` and gets `spot.pong` ("Application ping/pong").
/// The push is `{"time","time_ms","channel","event":"update","result":[...]}` ("Orders
/// channel", "Spot balance channel"). Assumed: the idle limit (the docs name none; 60 s), and
/// the refusals' codes (the docs' error codes: 2 invalid argument, 4 authentication failure)
/// and messages.
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/ws/v4/",
    idle: Duration::from_secs(60),
    ping: crate::exchange::StreamPing::Json { field: "channel", value: "spot.ping", answer: stream_pong },
    channels: &["spot.orders", "spot.balances"],
    answers: crate::exchange::StreamAnswers {
        event: stream_event,
        refused: stream_refused,
        ..crate::exchange::PrivateStream::NONE.answers
    },
    subscribe: crate::exchange::StreamSubscribe {
        when: ("event", "subscribe"),
        list: "",
        channel: "channel",
        sample: r#"{"time":1700000000,"channel":"spot.orders","event":"subscribe","payload":["BTC_USDT"]}"#,
    },
    login: crate::exchange::StreamLogin::SignedSubscribe { signed_by: "auth", channel: &["spot.orders"], products: &["BTC_USDT"] },
    ..crate::exchange::PrivateStream::NONE
};

/// The head every Gate frame starts with: the server's time, the channel and the event.
fn stream_frame(sent: &crate::exchange::StreamMessage<'_>, channel: &str, event: &str) -> Value {
    json!({
        "time": sent.now.unix_secs(),
        "time_ms": u64::try_from(sent.now.unix_millis()).unwrap_or(u64::MAX),
        "channel": channel,
        "event": event,
    })
}

/// `{"time","time_ms","channel":"spot.pong","event":"","result":null}`.
fn stream_pong(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let mut pong = stream_frame(sent, "spot.pong", "");
    pong["result"] = Value::Null;
    pong
}

/// One push: an order put on the book, or a balance.
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let channel = sent.channel("channel").unwrap_or("spot.orders");
    let secs = sent.now.unix_secs().to_string();
    let ms = sent.now.unix_millis().to_string();
    let result = match channel {
        "spot.balances" => json!([{
            "timestamp": secs, "timestamp_ms": ms, "user": "1000001", "currency": "USDT", "change": "0",
            "total": "10000", "available": "10000", "freeze": "0", "freeze_change": "0", "change_type": "order-create",
        }]),
        _ => json!([{
            "id": "399123456", "text": "t-cexsign1", "create_time": secs, "update_time": secs,
            "create_time_ms": ms, "update_time_ms": ms, "currency_pair": "BTC_USDT", "type": "limit",
            "account": "spot", "side": "buy", "amount": "0.01", "price": "30000", "time_in_force": "gtc",
            "left": "0.01", "filled_total": "0", "fee": "0", "user": 1000001, "event": "put",
        }]),
    };
    let mut frame = stream_frame(sent, channel, "update");
    frame["result"] = result;
    frame
}

/// `{…,"error":{"code","message"},"result":{"status":"failed"}}`: 4 for a private channel's
/// subscribe without `auth`, 2 for a channel that does not exist (assumed wording).
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let channel = sent.message.get("channel").and_then(Value::as_str).unwrap_or_default();
    let (code, message) = match sent.refusal {
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => (4, "Authentication fail: a private channel's subscribe carries auth".to_owned()),
        _ => (2, format!("Invalid argument provided: unknown channel {channel}")),
    };
    let mut frame = stream_frame(sent, channel, "subscribe");
    frame["error"] = json!({"code": code, "message": message});
    frame["result"] = json!({"status": "failed"});
    frame
}
