//! OKX v5, live and demo trading: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{OkxEnvironment, OkxSigner};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, ExtraCheck, HeaderCheck, KeySettings, KeyVariants, Mark, Refused, RestVerification, Routing, header_text};
use crate::exchange::BodyType;
use crate::exchange::{WsAccepted, WsLogin, WsMessage, WsPart};
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::rejection::Refusal;
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, millis};

/// OKX, as the engines see it.
pub(crate) const OKX: Exchange = Exchange {
    id: "okx",
    name: "OKX",
    rest_auth: Some(AuthNames::new("OK-ACCESS-KEY", "OK-ACCESS-SIGN", "OK-ACCESS-TIMESTAMP", Some("OK-ACCESS-PASSPHRASE"))),
    ws_auth: Some(AuthNames::new("apiKey", "sign", "timestamp", Some("passphrase"))),
    ws_api_auth: None,
    ws_login: WsLogin::Signed(&[WsMessage::new(
        &[WsPart::Op("login"), WsPart::InFirstArg("args"), WsPart::Key, WsPart::Passphrase, WsPart::Timestamp, WsPart::Signature],
        ws_answer,
    )]),
    private_stream: PRIVATE_STREAM,
    window: Some(Duration::from_secs(30)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["www.okx.com", "eea.okx.com", "my.okx.com", "aws.okx.com"],
    routing: Routing::new(&[Mark::prefixed("ok-access-")], &["/api/v5/"], 10),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new("base64(HMAC-SHA256(secret, timestamp + METHOD + path + ?query + body))")
            .extra(&[ExtraCheck::Key(environment_matches)])
            // OKX refuses a body not sent as application/json with 50006 (its error-code list;
            // ccxt's `okx` exceptions): `errors.rs`.
            .body_type(BodyType::required("application/json")),
    ),
    signer,
    key_variants: KeyVariants { demo: true, ..KeyVariants::NONE },
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // Demo trading adds a header; the prehash is the same.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::Iso8601Millis],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Timestamp,
            Part::Method,
            Part::Path,
            Part::Query { form: QueryForm::AsSent, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        pitfalls: "OKX: demo keys need x-simulated-trading: 1, and EEA keys the EEA host (50119).",
        mistakes: &[
            M::OkxDemoHeaderMissing, M::OkxDemoHeaderOnLiveKey, M::KeySecretSwapped,
            M::TimestampMillisecondsForSeconds, M::TimestampFormatWrong, M::PassphraseWrong, M::HexInsteadOfBase64,
            M::SecretBase64Decoded, M::SecretHexDecoded, M::PassphraseAsSecret, M::HmacArgumentsSwapped,
            M::MethodLowercase, M::QueryNotSigned, M::QuerySignedWithoutQuestionMark, M::QuerySignedUnencoded,
            M::QueryEncodingDiffers, M::QueryOrderDiffers, M::EmptyBodyAsBraces, M::BodyReserialized,
            M::PathMissingLeadingSlash, M::PathIncludesHost, M::PrehashOrderWrong, M::TimestampHeaderDiffers,
        ],
        demo_header: Some("x-simulated-trading"),
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `demo` picks the demo-trading environment.
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let environment = if settings.demo { OkxEnvironment::Demo } else { OkxEnvironment::Live };
    Ok(Box::new(OkxSigner::new(credentials, environment)?))
}

/// OKX's `GET /api/v5/public/time`: `{"code":"0","msg":"","data":[{"ts":"<ms>"}]}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v5/public/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"code": "0", "msg": "", "data": [{"ts": now.unix_millis().to_string()}]})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let ts = json.pointer("/data/0/ts").ok_or("no data[0].ts field")?;
    millis(ts).ok_or("data[0].ts is not a millisecond count")
}

/// The demo-trading header matches the key: `x-simulated-trading: 1` with a demo key, absent
/// (or `0`) with a live one (else `50101`).
fn environment_matches(settings: &KeySettings, headers: &http::HeaderMap) -> Result<(), Refused> {
    let demo_header = header_text(headers, "x-simulated-trading").as_deref().map(str::trim) == Some("1");
    match (settings.demo, demo_header) {
        (true, false) => Err(Refused::new(
            Refusal::Environment,
            "this is a demo-trading key: send x-simulated-trading: 1 with every request",
        )),
        (false, true) => Err(Refused::new(
            Refusal::Environment,
            "this is a live key but the request sent x-simulated-trading: 1 (demo trading); leave the header out or send 0",
        )),
        _ => Ok(()),
    }
}

/// OKX's answer to an accepted websocket login.
fn ws_answer(_: &WsAccepted<'_>) -> Value {
    json!({"event": "login", "code": "0", "msg": "", "connId": "local"})
}

/// OKX orders (v5 docs, "Trading" > "Place order"): `POST /api/v5/trade/order` with a JSON body
/// whose `clOrdId` (up to 32 letters and digits) OKX keeps unique per key: a repeat is refused
/// with 51016. Busy: 50001 (HTTP 503) and 50013, both "try again later".
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("clOrdId")),
    placing: &[crate::exchange::PlaceOrder::post("/api/v5/trade/order")],
    duplicate: crate::exchange::DuplicateOrder::Refused("51016"),
    busy: &["50001", "50013"],
};
/// `wss://ws.okx.com:8443/ws/v5/private` (demo: `wspap.okx.com`, same path): log in, then
/// `{"op":"subscribe","args":[{"channel":"orders","instType":"ANY"}]}`. OKX's websocket docs
/// ("Connect": a connection without a subscription or a push for 30 s is dropped, a client sends
/// the text `ping` and gets `pong`; "Subscribe"; "Order channel" for the push's shape).
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/ws/v5/private",
    idle: Duration::from_secs(30),
    ping: crate::exchange::StreamPing::Text { ping: "ping", pong: "pong" },
    channels: &["orders", "account"],
    answers: crate::exchange::StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    subscribe: crate::exchange::StreamSubscribe {
        sample: r#"{"op":"subscribe","args":[{"channel":"orders","instType":"ANY"}]}"#,
        ..crate::exchange::PrivateStream::NONE.subscribe
    },
    ..crate::exchange::PrivateStream::NONE
};

/// `{"event":"subscribe","arg":{…},"connId":…}`, one per channel (with the request's `id`).
fn stream_subscribed(sent: &crate::exchange::StreamMessage<'_>) -> Vec<Value> {
    sent.args
        .iter()
        .map(|arg| {
            let mut answer = json!({"event": "subscribe", "arg": arg, "connId": sent.connection_id});
            if let Some(id) = sent.message.get("id") {
                answer["id"] = id.clone();
            }
            answer
        })
        .collect()
}

/// One push: `{"arg": {…, "uid"}, "data": [...]}` (an order that went live, or a balance).
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let ts = sent.now.unix_millis().to_string();
    let mut arg = sent.args.first().map_or_else(|| json!({}), |arg| (*arg).clone());
    arg["uid"] = json!("77982378738415879");
    let data = match sent.channel("channel") {
        Some("account") => json!([{"uTime": ts, "totalEq": "10000", "details": [{"ccy": "USDT", "eq": "10000", "availBal": "10000", "uTime": ts}]}]),
        _ => json!([{
            "instType": "SPOT", "instId": "BTC-USDT", "ordId": "312269865356374016", "clOrdId": "cexsign1",
            "px": "30000", "sz": "0.01", "side": "buy", "ordType": "limit", "state": "live",
            "accFillSz": "0", "fillSz": "0", "uTime": ts, "cTime": ts, "code": "0", "msg": "",
        }]),
    };
    json!({"arg": arg, "data": data})
}

/// `{"event":"error","code":…,"msg":…,"connId":…}`: 60011 "Please log in" before a login,
/// 60018 for a channel that does not exist (OKX's websocket error codes).
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let (code, msg) = match sent.refusal {
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => ("60011", "Please log in".to_owned()),
        _ => ("60018", format!("Wrong URL or channel:{}, doesn't exist", sent.channel("channel").unwrap_or_default())),
    };
    json!({"event": "error", "code": code, "msg": msg, "connId": sent.connection_id})
}
