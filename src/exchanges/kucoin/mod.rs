//! KuCoin, API key versions 1–3: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{KucoinKeyVersion, KucoinSigner};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, ExtraCheck, HeaderCheck, KeySettings, KeyVariants, Mark, Refused, RestVerification, Routing, header_text};
use crate::exchange::BodyType;
use crate::exchange::WsLogin;
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::rejection::Refusal;
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, millis};

/// KuCoin, as the engines see it.
pub(crate) const KUCOIN: Exchange = Exchange {
    id: "kucoin",
    name: "KuCoin",
    rest_auth: Some(AuthNames::new("KC-API-KEY", "KC-API-SIGN", "KC-API-TIMESTAMP", Some("KC-API-PASSPHRASE"))),
    // KuCoin's private websocket takes a token fetched over REST: no signed message.
    ws_auth: None,
    ws_api_auth: None,
    ws_login: WsLogin::Absent {
        instead: "KuCoin has no websocket login message: sign POST /api/v1/bullet-private (empty body) as a REST request \
                  and connect with the token it returns",
    },
    private_stream: PRIVATE_STREAM,
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.kucoin.com", "api-futures.kucoin.com"],
    routing: Routing::new(&[Mark::prefixed("kc-api-")], &["/api/v1/"], 20),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new(
            "base64(HMAC-SHA256(secret, timestamp + METHOD + path + ?query + body)) with the query percent-DECODED",
        )
        .extra(&[ExtraCheck::BeforePassphrase(key_version_matches)])
        .passphrase_reason(passphrase_reason)
        // KuCoin answers HTTP 415 "Unsupported Media Type. You need to use: application/json."
        // (its error-code page; body 415000 as ccxt's `kucoin` exceptions record it): `errors.rs`.
        .body_type(BodyType::required("application/json")),
    ),
    signer,
    key_variants: KeyVariants { key_versions: &[3, 2, 1], ..KeyVariants::NONE },
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // The key version changes the passphrase header, not the prehash: one recipe for all three.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Timestamp,
            Part::Method,
            Part::Path,
            // KuCoin signs the query as it was before URL-encoding.
            Part::Query { form: QueryForm::Decoded, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        pitfalls: "KuCoin: a spot token or key does not work on the futures host.",
        mistakes: &[
            M::KucoinPassphrasePlain, M::KucoinKeyVersionMismatch, M::KeySecretSwapped,
            M::TimestampSecondsForMilliseconds, M::TimestampFormatWrong, M::PassphraseWrong, M::HexInsteadOfBase64,
            M::SecretBase64Decoded, M::PassphraseAsSecret, M::HmacArgumentsSwapped, M::MethodLowercase,
            M::QueryNotSigned, M::QuerySignedWithoutQuestionMark, M::QuerySignedEncoded, M::QueryOrderDiffers,
            M::EmptyBodyAsBraces, M::BodyReserialized, M::PathMissingLeadingSlash, M::PathIncludesHost,
            M::PrehashOrderWrong, M::TimestampHeaderDiffers,
        ],
        key_version_header: Some("KC-API-KEY-VERSION"),
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `key_version` is the version shown next to the key (default 3, the current one).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let version = settings.key_version.map(KucoinKeyVersion::try_from).transpose()?.unwrap_or_default();
    Ok(Box::new(KucoinSigner::new(credentials, version)?))
}

/// KuCoin's `GET /api/v1/timestamp`: `{"code":"200000","msg":"success","data":<ms>}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v1/timestamp", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"code": "200000", "msg": "success", "data": now.unix_millis() as u64})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let data = json.get("data").ok_or("no data field")?;
    millis(data).ok_or("data is not a millisecond count")
}

/// The key's version, as registered (the current one when not given).
fn key_version(settings: &KeySettings) -> KucoinKeyVersion {
    settings.key_version.and_then(|v| KucoinKeyVersion::try_from(v).ok()).unwrap_or_default()
}

fn version_name(version: KucoinKeyVersion) -> &'static str {
    match version {
        KucoinKeyVersion::V1 => "v1",
        KucoinKeyVersion::V2 => "v2",
        _ => "v3",
    }
}

/// `KC-API-KEY-VERSION` matches the key: none or `1` for a v1 key, `2` or `3` for a v2 or v3
/// key (the official SDK sends 3, ccxt 2).
fn key_version_matches(settings: &KeySettings, headers: &http::HeaderMap) -> Result<(), Refused> {
    let version = key_version(settings);
    let sent = header_text(headers, "kc-api-key-version");
    let problem = match (version, sent.as_deref().map(str::trim)) {
        (KucoinKeyVersion::V1, None | Some("1")) => return Ok(()),
        (KucoinKeyVersion::V2 | KucoinKeyVersion::V3, Some("2" | "3")) => return Ok(()),
        (KucoinKeyVersion::V1, Some(other)) => {
            format!("this is a v1 key: send no KC-API-KEY-VERSION header (or 1), not {other:?}")
        }
        (_, None) => format!(
            "this is a {} key but KC-API-KEY-VERSION is missing: KuCoin then reads KC-API-PASSPHRASE as the plain \
             passphrase; send KC-API-KEY-VERSION: {} with the HMAC'd passphrase",
            version_name(version),
            if version == KucoinKeyVersion::V2 { "2" } else { "3" }
        ),
        (_, Some(other)) => format!("KC-API-KEY-VERSION must be 2 or 3 for this key, not {other:?}"),
    };
    Err(Refused::new(Refusal::Passphrase, problem))
}

/// v2 and v3 keys send the passphrase HMAC'd, which a wrong passphrase's reason says.
fn passphrase_reason(settings: &KeySettings, shown: &str) -> Option<String> {
    let version = key_version(settings);
    (version != KucoinKeyVersion::V1).then(|| {
        format!(
            "{shown} does not match: for KuCoin ({}) keys it is base64(HMAC-SHA256(secret, passphrase)), not the \
             plain passphrase; and it is the API key's passphrase, not the trading or login password",
            version_name(version)
        )
    })
}

/// KuCoin orders ("Place Order", classic and high-frequency): `POST /api/v1/orders` and `POST
/// /api/v1/hf/orders`, JSON body, `clientOid` (a UUID is recommended): a repeat among the key's
/// active orders is refused with 400100 `clientOidDuplicated`. KuCoin documents no "busy" code
/// beyond 429000 (too many requests) and a bare HTTP 503.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("clientOid")),
    placing: &[crate::exchange::PlaceOrder::post("/api/v1/orders"), crate::exchange::PlaceOrder::post("/api/v1/hf/orders")],
    duplicate: crate::exchange::DuplicateOrder::Refused("400100"),
    busy: &[],
};

/// KuCoin's private stream (spot, "WebSocket" > "Apply connect token" and "Private channels" of
/// its API docs; kucoin-universal-sdk's `WebSocketService`, python-kucoin's `KucoinSocketManager`):
/// a signed `POST /api/v1/bullet-private` (empty body) grants a token and an instance server
/// (`wss://ws-api-spot.kucoin.com/`, `pingInterval` 18 s, `pingTimeout` 10 s); the client
/// connects to `<endpoint>?token=<token>&connectId=<its id>`, is greeted with
/// `{"id":<connectId>,"type":"welcome"}`, subscribes with `{"id","type":"subscribe","topic",
/// "privateChannel":true,"response":true}` (answered `{"id","type":"ack"}`) and pings with
/// `{"id","type":"ping"}` (answered `pong`). A connection silent for pingInterval + pingTimeout
/// is dropped. A bad or expired token is refused on connect with `{"type":"error","code":401,
/// "data":"token is expired"}` (as ccxt's and XChange's users quote it). The token lives 24 hours
/// (KuCoin's docs; XChange#4740). Assumed: the refusal of an unknown topic (404, "topic … is not
/// found").
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/",
    idle: Duration::from_secs(28),
    ping: crate::exchange::StreamPing::Json { field: "type", value: "ping", answer: stream_pong },
    channels: &["/spotMarket/tradeOrders", "/account/balance"],
    answers: crate::exchange::StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    subscribe: crate::exchange::StreamSubscribe {
        when: ("type", "subscribe"),
        list: "",
        channel: "topic",
        sample: r#"{"id":"cexsign-1","type":"subscribe","topic":"/spotMarket/tradeOrders","privateChannel":true,"response":true}"#,
    },
    login: crate::exchange::StreamLogin::Token(crate::exchange::StreamToken {
        path: "/api/v1/bullet-private",
        content_type: "application/json",
        granted: r#"{"code":"200000","data":{"token":"","instanceServers":[{"endpoint":"wss://ws-api-spot.kucoin.com/","encrypt":true,"protocol":"websocket","pingInterval":18000,"pingTimeout":10000}]}}"#,
        token_at: "/data/token",
        endpoint: crate::exchange::TokenEndpoint::In("/data/instanceServers/0/endpoint"),
        ping_interval_at: "/data/instanceServers/0/pingInterval",
        lifetime: Duration::from_secs(24 * 60 * 60),
        shown: crate::exchange::TokenShown::Query { token: "token", connection: "connectId" },
    }),
    greeting: Some(stream_welcome),
    pushed_on_login: &[],
    requests: &[],
    login_answered: true,
};

/// The `id` a frame answers: the message's own, or (on connect) the client's `connectId`.
fn stream_id(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    sent.message.get("id").or_else(|| sent.message.get("connectId")).cloned().unwrap_or(Value::Null)
}

/// `{"id":<connectId>,"type":"welcome"}`.
fn stream_welcome(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    json!({"id": stream_id(sent), "type": "welcome"})
}

/// `{"id","type":"pong"}`, echoing the ping's `id`.
fn stream_pong(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    json!({"id": stream_id(sent), "type": "pong"})
}

/// `{"id","type":"ack"}`, once per subscribe.
fn stream_subscribed(sent: &crate::exchange::StreamMessage<'_>) -> Vec<Value> {
    vec![json!({"id": stream_id(sent), "type": "ack"})]
}

/// One push: an order that went on the book (`orderChange`, type `open`), or a balance change.
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let ms = sent.now.unix_millis() as u64;
    let nanos = u64::try_from(sent.now.duration_since_epoch().as_nanos()).unwrap_or(u64::MAX);
    match sent.message.get("topic").and_then(Value::as_str) {
        Some("/account/balance") => json!({
            "type": "message", "topic": "/account/balance", "subject": "account.balance", "channelType": "private",
            "data": {"accountId": "548674591753", "currency": "USDT", "total": "10000", "available": "10000",
                     "hold": "0", "availableChange": "0", "holdChange": "0", "relationEvent": "trade.hold",
                     "relationEventId": "354689988084000", "time": ms.to_string()},
        }),
        _ => json!({
            "type": "message", "topic": "/spotMarket/tradeOrders", "subject": "orderChange", "channelType": "private",
            "data": {"symbol": "BTC-USDT", "orderType": "limit", "side": "buy", "orderId": "5efab07953bdea00089965d2",
                     "type": "open", "orderTime": nanos, "size": "0.01", "filledSize": "0", "price": "30000",
                     "clientOid": "cexsign1", "remainSize": "0.01", "status": "open", "ts": nanos},
        }),
    }
}

/// `{"id","type":"error","code","data"}`: 401 "token is expired" for a token refused on
/// connect, 404 for a topic that does not exist (assumed wording).
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let topic = sent.message.get("topic").and_then(Value::as_str).unwrap_or_default();
    let (code, data) = match sent.refusal {
        Some(crate::exchange::StreamRefusal::TokenRefused | crate::exchange::StreamRefusal::NotLoggedIn) => {
            (401, "token is expired".to_owned())
        }
        _ => (404, format!("topic {topic} is not found")),
    };
    json!({"id": stream_id(sent), "type": "error", "code": code, "data": data})
}
