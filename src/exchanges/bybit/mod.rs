//! Bybit v5: HMAC and RSA keys: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{BybitKeyType, BybitSigner};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Scheme, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, KeySettings, KeyVariants, Mark, RestVerification, Routing, WsSigning};
use crate::exchange::{ExpiresLogin, WsAccepted, WsLogin};
use crate::recipe::{Algorithm, Carrier, Part, Recipe, SignatureEncoding, Signing};
use crate::server_time::{NANOS, ServerTimeApi, TimeRoute, integer, millis};

/// Bybit, as the engines see it.
pub(crate) const BYBIT: Exchange = Exchange {
    id: "bybit",
    name: "Bybit",
    rest_auth: Some(AuthNames::new("X-BAPI-API-KEY", "X-BAPI-SIGN", "X-BAPI-TIMESTAMP", None)),
    // The login's timestamp is an expiry.
    ws_auth: Some(AuthNames::new("api_key", "signature", "expires", None)),
    ws_api_auth: None,
    ws_login: WsLogin::Expires(ExpiresLogin {
        op: "auth",
        format: TimestampFormat::UnixMillis,
        unit: "Unix milliseconds",
        ahead: "expires is Unix milliseconds a few seconds ahead (pybit: now + 1 s, ccxt: now + 10 s), not seconds",
        signs: "HMAC-SHA256 hex of \"GET/realtime\" + expires",
        answer: ws_answer,
    }),
    // The default X-BAPI-RECV-WINDOW; a request may send its own.
    private_stream: PRIVATE_STREAM,
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.bybit.com", "api-testnet.bybit.com"],
    routing: Routing::new(&[Mark::prefixed("x-bapi-")], &["/v5/"], 40),
    rest_verification: RestVerification::SentReceiveWindow,
    signer,
    key_variants: KeyVariants { key_types: KEY_TYPES, ..KeyVariants::NONE },
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[Part::Timestamp, Part::ApiKey, Part::RecvWindow, Part::QueryOrBody],
        keys: &[
            Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex),
            Signing::pem(Algorithm::RsaPkcs1Sha256),
        ],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Login { prefix: "GET/realtime" },
        recv_window_header: Some("X-BAPI-RECV-WINDOW"),
        window_in_words: Some("recv_window after the timestamp, 5 s by default, and no more than 1 s ahead"),
        pitfalls: "Bybit: 10002 is the clock or recv_window, 10003 a testnet, demo or regional key on the wrong host, 10010 an IP not bound to the key.",
        mistakes: &[
            M::KeySecretSwapped, M::TimestampSecondsForMilliseconds, M::TimestampFormatWrong,
            M::BybitRecvWindowInSeconds, M::HexInsteadOfBase64, M::Base64InsteadOfHex, M::SecretBase64Decoded,
            M::HmacArgumentsSwapped, M::BybitRecvWindowDiffers, M::BybitWsExpiresNotSigned, M::QueryNotSigned,
            M::QuerySignedUnencoded, M::QueryEncodingDiffers, M::QueryOrderDiffers, M::EmptyBodyAsBraces,
            M::BodyReserialized, M::TimestampHeaderDiffers,
        ],
        rest_only: &[
            M::TimestampHeaderDiffers,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// The key types Bybit issues, as its API page names them.
const KEY_TYPES: &[&str] = &["HMAC", "RSA"];

impl BybitKeyType {
    /// The key type `settings` name, else RSA for a PEM key and HMAC otherwise. The one place
    /// that tells them apart: the registry's signer builder, the diagnosis and the local exchange
    /// all ask here.
    #[cfg_attr(not(feature = "pem-keys"), allow(unused_variables))]
    pub fn for_key(credentials: &Credentials, settings: &KeySettings) -> Result<Self, Error> {
        Ok(match settings.key_type_among(Scheme::Bybit, KEY_TYPES)? {
            Some("HMAC") => BybitKeyType::Hmac,
            #[cfg(feature = "pem-keys")]
            Some(_) => BybitKeyType::Rsa,
            #[cfg(not(feature = "pem-keys"))]
            Some(_) => {
                return Err(Error::KeyTypeUnsupported {
                    scheme: Scheme::Bybit,
                    problem: "RSA keys are signed with the `pem-keys` feature (on by default)",
                });
            }
            #[cfg(feature = "pem-keys")]
            None if KeySettings::is_pem(credentials, Scheme::Bybit)? => BybitKeyType::Rsa,
            // A PEM key without `pem-keys` is refused by the HMAC signer, with the reason.
            None => BybitKeyType::Hmac,
        })
    }

    /// The name Bybit's API page gives it (`HMAC`, `RSA`).
    pub fn name(self) -> &'static str {
        match self {
            BybitKeyType::Hmac => "HMAC",
            #[cfg(feature = "pem-keys")]
            BybitKeyType::Rsa => "RSA",
        }
    }
}

/// `key_type` (else RSA for a PEM key, HMAC otherwise), `recv_window` and `ws_expiry`.
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let key_type = BybitKeyType::for_key(credentials, settings)?;
    let mut signer = BybitSigner::new(credentials, key_type)?;
    if let Some(window) = settings.recv_window {
        signer = signer.with_recv_window(window)?;
    }
    if let Some(after) = settings.ws_expiry {
        signer = signer.with_ws_expiry(after);
    }
    Ok(Box::new(signer))
}

/// Bybit's `GET /v5/market/time`: seconds and nanoseconds as strings, and the response time in
/// ms: `{"result":{"timeNano":"<ns>","timeSecond":"<s>"},"time":<ms>}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/v5/market/time", resolution: NANOS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({
        "retCode": 0,
        "retMsg": "OK",
        "result": {
            "timeSecond": now.unix_secs().to_string(),
            "timeNano": now.duration_since_epoch().as_nanos().to_string(),
        },
        "retExtInfo": {},
        "time": now.unix_millis() as u64,
    })
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    // timeNano is the finest reading; `time` (ms, the response time) is the fallback.
    if let Some(nanos) = json.pointer("/result/timeNano") {
        let nanos = integer(nanos).ok_or("result.timeNano is not a nanosecond count")?;
        return Ok(Timestamp::from_duration_since_epoch(Duration::from_nanos(nanos)));
    }
    let ms = json.get("time").ok_or("no result.timeNano or time field")?;
    millis(ms).ok_or("time is not a millisecond count")
}

/// Bybit's answer to an accepted websocket login, echoing its `req_id`.
fn ws_answer(accepted: &WsAccepted<'_>) -> Value {
    let mut answer = json!({"success": true, "ret_msg": "", "op": "auth", "conn_id": accepted.connection_id});
    if let Some(req_id) = accepted.message.get("req_id") {
        answer["req_id"] = req_id.clone();
    }
    answer
}

/// Bybit orders (v5 "Trade" > "Place Order"): `POST /v5/order/create`, JSON body, `orderLinkId`
/// (up to 36 characters, unique per key): a repeat is refused with 110072. Bybit's error pages
/// name no "busy, not processed" code (10016 is a server error whose outcome they do not state).
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("orderLinkId")),
    placing: &[crate::exchange::PlaceOrder::post("/v5/order/create")],
    duplicate: crate::exchange::DuplicateOrder::Refused("110072"),
    busy: &[],
};
/// `wss://stream.bybit.com/v5/private`: `op: auth`, then `{"op":"subscribe","args":["order"]}`.
/// Bybit's v5 websocket docs ("Connect": a private connection with no ping-pong and no push is
/// cut after 10 minutes by default, `max_active_time` shortens it; "How to send the heartbeat
/// packet": `{"req_id","op":"ping"}`, answered on private streams with `op: pong`; "Order" for
/// the push's shape). The refusals' messages are assumed: the docs show no failed subscribe.
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/v5/private",
    idle: Duration::from_secs(600),
    ping: crate::exchange::StreamPing::Json { field: "op", value: "ping", answer: stream_pong },
    channels: &["order", "wallet"],
    answers: crate::exchange::StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    subscribe: crate::exchange::StreamSubscribe {
        sample: r#"{"req_id":"cexsign-1","op":"subscribe","args":["order"]}"#,
        ..crate::exchange::PrivateStream::NONE.subscribe
    },
    ..crate::exchange::PrivateStream::NONE
};

/// `{"req_id","op":"pong","args":[<server ms>],"conn_id"}`.
fn stream_pong(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let mut answer = json!({"op": "pong", "args": [sent.now.unix_millis().to_string()], "conn_id": sent.connection_id});
    if let Some(req_id) = sent.message.get("req_id") {
        answer["req_id"] = req_id.clone();
    }
    answer
}

/// `{"success":true,"ret_msg":"","op":"subscribe","conn_id"}`, once per message.
fn stream_subscribed(sent: &crate::exchange::StreamMessage<'_>) -> Vec<Value> {
    vec![stream_op_answer(sent, true, "")]
}

fn stream_op_answer(sent: &crate::exchange::StreamMessage<'_>, success: bool, ret_msg: &str) -> Value {
    let mut answer = json!({"success": success, "ret_msg": ret_msg, "op": "subscribe", "conn_id": sent.connection_id});
    if let Some(req_id) = sent.message.get("req_id") {
        answer["req_id"] = req_id.clone();
    }
    answer
}

/// One push: `{"id","topic","creationTime","data":[...]}` (an order that went live, or a wallet).
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let ms = sent.now.unix_millis();
    let topic = sent.channel("topic").unwrap_or("order");
    let data = match topic {
        "wallet" => json!([{"accountType": "UNIFIED", "totalEquity": "10000", "coin": [{"coin": "USDT", "equity": "10000", "walletBalance": "10000"}]}]),
        _ => json!([{
            "category": "spot", "symbol": "BTCUSDT", "orderId": "1321052653536515584", "orderLinkId": "cexsign1",
            "side": "Buy", "orderType": "Limit", "price": "30000", "qty": "0.01", "orderStatus": "New",
            "timeInForce": "GTC", "cumExecQty": "0", "createdTime": ms.to_string(), "updatedTime": ms.to_string(),
        }]),
    };
    json!({"id": format!("{}-{ms}", sent.connection_id), "topic": topic, "creationTime": ms, "data": data})
}

/// `{"success":false,"ret_msg",…}`: "Request not authorized" before `auth`, "error:handler not
/// found,topic:<topic>" for a topic that does not exist (assumed, as Bybit's servers word them).
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let ret_msg = match sent.refusal {
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => "Request not authorized".to_owned(),
        _ => format!("error:handler not found,topic:{}", sent.channel("topic").unwrap_or_default()),
    };
    stream_op_answer(sent, false, &ret_msg)
}
