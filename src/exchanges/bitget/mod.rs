//! Bitget v2: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{BitgetSigner};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing};
use crate::exchange::BodyType;
use crate::exchange::{WsAccepted, WsLogin, WsMessage, WsPart};
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, millis};

/// Bitget, as the engines see it.
pub(crate) const BITGET: Exchange = Exchange {
    id: "bitget",
    name: "Bitget",
    rest_auth: Some(AuthNames::new("ACCESS-KEY", "ACCESS-SIGN", "ACCESS-TIMESTAMP", Some("ACCESS-PASSPHRASE"))),
    ws_auth: Some(AuthNames::new("apiKey", "sign", "timestamp", Some("passphrase"))),
    ws_api_auth: None,
    ws_login: WsLogin::Signed(&[WsMessage::new(
        &[
            WsPart::Op("login"),
            WsPart::InFirstArg("args"),
            // The docs and ccxt send apiKey.
            WsPart::KeyMisnamed { name: "api_key", by: "python-bitget's field" },
            WsPart::Key,
            WsPart::Passphrase,
            WsPart::Timestamp,
            WsPart::Signature,
        ],
        ws_answer,
    )]),
    // Bitget's signature page states no window; 30 s is what third-party guides cite.
    private_stream: PRIVATE_STREAM,
    window: Some(Duration::from_secs(30)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.bitget.com"],
    // Named one by one: CORS preflights send `access-control-*` headers.
    routing: Routing::new(
        &[Mark::named("access-key"), Mark::named("access-sign"), Mark::named("access-timestamp"), Mark::named("access-passphrase")],
        &["/api/v2/"],
        50,
    ),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new(
            "base64(HMAC-SHA256(secret, timestamp + METHOD + path + ?query + body)) with the query percent-DECODED",
        )
        // Bitget refuses a body not sent as application/json with 40007 "Invalid Content_Type"
        // (its REST error codes; ccxt's `bitget` exceptions): `errors.rs`.
        .body_type(BodyType::required("application/json")),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Timestamp,
            Part::Method,
            Part::Path,
            // Bitget signs the percent-decoded query, as KuCoin does.
            Part::Query { form: QueryForm::Decoded, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        window_in_words: Some("about 30 s"),
        pitfalls: "Bitget: 40012 is a wrong passphrase; demo trading needs the paptrading: 1 header.",
        mistakes: &[
            M::BitgetWsApiKeyField, M::KeySecretSwapped, M::TimestampMillisecondsForSeconds,
            M::TimestampSecondsForMilliseconds, M::TimestampFormatWrong, M::PassphraseWrong, M::HexInsteadOfBase64,
            M::SecretBase64Decoded, M::SecretHexDecoded, M::PassphraseAsSecret, M::HmacArgumentsSwapped,
            M::MethodLowercase, M::QueryNotSigned, M::QuerySignedWithoutQuestionMark, M::QuestionMarkWithoutQuery,
            M::QuerySignedEncoded, M::QueryOrderDiffers, M::EmptyBodyAsBraces, M::BodyReserialized,
            M::PathMissingLeadingSlash, M::PathIncludesHost, M::PrehashOrderWrong, M::TimestampHeaderDiffers,
        ],
        ws_key_misnamed: Some("api_key"),
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// Bitget signers take no settings.
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(BitgetSigner::new(credentials)?))
}

/// Bitget's `GET /api/v2/public/time`: `{"data":{"serverTime":"<ms>"}}`, the milliseconds as a
/// string.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v2/public/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    let millis = now.unix_millis();
    json!({
        "code": "00000",
        "msg": "success",
        "requestTime": millis as u64,
        "data": {"serverTime": millis.to_string()},
    })
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let ms = json.pointer("/data/serverTime").ok_or("no data.serverTime field")?;
    millis(ms).ok_or("data.serverTime is not a millisecond count")
}

/// Bitget's answer to an accepted websocket login.
fn ws_answer(_: &WsAccepted<'_>) -> Value {
    json!({"event": "login", "code": 0})
}

/// Bitget orders (v2 "Spot" > "Place Order", "Futures" > "Place Order"): JSON body with
/// `clientOid`; a repeat is refused with 40786 "Duplicate clientOid". Bitget's error table names
/// no "busy, not processed" code beyond 429.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("clientOid")),
    placing: &[
        crate::exchange::PlaceOrder::post("/api/v2/spot/trade/place-order"),
        crate::exchange::PlaceOrder::post("/api/v2/mix/order/place-order"),
    ],
    duplicate: crate::exchange::DuplicateOrder::Refused("40786"),
    busy: &[],
};
/// `wss://ws.bitget.com/v2/ws/private`: `op: login`, then
/// `{"op":"subscribe","args":[{"instType":"SPOT","channel":"orders","instId":"default"}]}`.
/// Bitget's v2 websocket docs ("Websocket API": send the text `ping` every 30 s, answered `pong`;
/// a connection that sends no ping for 2 minutes is dropped; error codes 30001 "Channel does not
/// exist", 30004 "User needs to log in"; "Order Channel" for the push's shape).
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/v2/ws/private",
    idle: Duration::from_secs(120),
    ping: crate::exchange::StreamPing::Text { ping: "ping", pong: "pong" },
    channels: &["orders", "account"],
    answers: crate::exchange::StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    subscribe: crate::exchange::StreamSubscribe {
        sample: r#"{"op":"subscribe","args":[{"instType":"SPOT","channel":"orders","instId":"default"}]}"#,
        ..crate::exchange::PrivateStream::NONE.subscribe
    },
    ..crate::exchange::PrivateStream::NONE
};

/// `{"event":"subscribe","arg":{…}}`, one per channel.
fn stream_subscribed(sent: &crate::exchange::StreamMessage<'_>) -> Vec<Value> {
    sent.args.iter().map(|arg| json!({"event": "subscribe", "arg": arg})).collect()
}

/// One push: `{"action":"snapshot","arg":{…},"data":[...],"ts"}` (an order that went live, or a
/// balance).
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let ms = sent.now.unix_millis();
    let arg = sent.args.first().map_or_else(|| json!({}), |arg| (*arg).clone());
    let data = match sent.channel("channel") {
        Some("account") => json!([{"coin": "USDT", "available": "10000", "frozen": "0", "locked": "0", "uTime": ms.to_string()}]),
        _ => json!([{
            "instId": "BTCUSDT", "orderId": "1116575486574931968", "clientOid": "cexsign1", "size": "0.01",
            "orderType": "limit", "force": "gtc", "side": "buy", "price": "30000", "status": "live",
            "accBaseVolume": "0", "cTime": ms.to_string(), "uTime": ms.to_string(),
        }]),
    };
    json!({"action": "snapshot", "arg": arg, "data": data, "ts": ms})
}

/// `{"event":"error","code","msg"}`: 30004 before a login, 30001 for a channel that does not exist.
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let (code, msg) = match sent.refusal {
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => (30004, "User needs to log in"),
        _ => (30001, "Channel does not exist"),
    };
    let mut answer = json!({"event": "error", "code": code, "msg": msg});
    if let Some(arg) = sent.args.first() {
        answer["arg"] = (*arg).clone();
    }
    answer
}
