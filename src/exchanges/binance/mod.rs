//! Binance Spot and USDⓈ-M futures: HMAC, Ed25519 and RSA keys, REST and the WebSocket API: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{BinanceKeyType, BinanceSigner};
// The rule of signing inside the parameters, which MEXC's spot API shares.
pub(crate) use signer::{ParameterRules, sign_in_parameters};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Scheme, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, KeySettings, KeyVariants, Mark, RestVerification, Routing, WsSigning};
use crate::exchange::{WsAccepted, WsApi, WsLogin};
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, millis};

/// Binance, as the engines see it.
pub(crate) const BINANCE: Exchange = Exchange {
    id: "binance",
    name: "Binance",
    // The signature and timestamp are query or form parameters.
    rest_auth: Some(AuthNames::new("X-MBX-APIKEY", "signature", "timestamp", None)),
    // The WebSocket API signs each request's params.
    ws_auth: Some(AuthNames::new("apiKey", "signature", "timestamp", None)),
    ws_api_auth: None,
    ws_login: WsLogin::SignedParams(WsApi { logon: WS_LOGON, answer: ws_answer }),
    private_stream: PRIVATE_STREAM,
    // The default recvWindow; a request may send its own, up to 60 s.
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.binance.com", "fapi.binance.com", "testnet.binance.vision"],
    // Binance Spot's own prefix; Coinbase Advanced's paths are all under /api/v3/brokerage/,
    // which is longer and wins.
    routing: Routing::new(&[Mark::named("x-mbx-apikey")], &["/api/v3/", "/sapi/", "/fapi/"], 30),
    rest_verification: RestVerification::SignedParameters,
    signer,
    key_variants: KeyVariants { key_types: KEY_TYPES, ..KeyVariants::NONE },
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // The payload is the query and the body as sent, joined with nothing; `timestamp` is one of
    // its parameters, and the signature is appended as the last one.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis, TimestampFormat::UnixMicros],
        timestamp_in: Carrier::Parameter("timestamp"),
        parts: &[Part::Query { form: QueryForm::AsSent, question_mark: false }, Part::Body],
        keys: &[
            Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex),
            Signing::pem(Algorithm::Ed25519),
            Signing::pem(Algorithm::RsaPkcs1Sha256),
        ],
        signature_in: Carrier::Parameter("signature"),
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Params,
        hex_signature_any_case: true,
        missing_timestamp_answer: "Binance answers -1102 (a mandatory parameter was not sent)",
        recv_window_parameter: Some(("recvWindow", Duration::from_secs(60))),
        ws_logon_method: Some("session.logon"),
        window_in_words: Some("recvWindow after the timestamp, 5 s by default and 60 s at most, and no more than 1 s ahead"),
        pitfalls: "Binance: -1021 is the clock or recvWindow, -2015 a key from Binance.US or the testnet on api.binance.com (or an IP or permission problem).",
        mistakes: &[
            M::BinanceSignatureNotLast, M::BinanceSignatureNotUrlEncoded, M::BinanceRecvWindowTooLarge,
            M::BinanceSessionLogonNeedsEd25519, M::KeySecretSwapped, M::TimestampSecondsForMilliseconds,
            M::TimestampFormatWrong, M::HexInsteadOfBase64, M::Base64InsteadOfHex, M::SecretBase64Decoded,
            M::HmacArgumentsSwapped, M::BinancePayloadJoinedWithAmpersand, M::BinanceSignatureSigned,
            M::BinanceParamAddedAfterSigning, M::BinanceWsValuesPercentEncoded, M::BinanceWsParamsNotSorted,
            M::QuerySignedUnencoded, M::QueryEncodingDiffers, M::QueryOrderDiffers, M::FormBodyReencoded,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `key_type` (else Ed25519 for a PEM key that is one, RSA for another PEM key, HMAC
/// otherwise), `recv_window`, and microsecond timestamps when `timestamp_sample` has more than
/// 13 digits.
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let mut signer = BinanceSigner::new(credentials, BinanceKeyType::for_key(credentials, settings)?)?;
    if settings.timestamp_sample.as_ref().is_some_and(|t| t.len() > 13) {
        signer = signer.with_microsecond_timestamps();
    }
    if let Some(window) = settings.recv_window {
        signer = signer.with_recv_window(window)?;
    }
    Ok(Box::new(signer))
}

impl BinanceKeyType {
    /// The key type `settings` name, else the one the secret is: Ed25519 for a PEM key that
    /// parses as one, RSA for another PEM key, HMAC otherwise. The one place that tells them
    /// apart: the registry's signer builder, the diagnosis and the local exchange all ask here.
    #[cfg_attr(not(feature = "pem-keys"), allow(unused_variables))]
    pub fn for_key(credentials: &Credentials, settings: &KeySettings) -> Result<Self, Error> {
        key_type(credentials, settings)
    }

    /// The name Binance's API page gives it (`HMAC`, `Ed25519`, `RSA`).
    pub fn name(self) -> &'static str {
        match self {
            BinanceKeyType::Hmac => "HMAC",
            #[cfg(feature = "pem-keys")]
            BinanceKeyType::Ed25519 => "Ed25519",
            #[cfg(feature = "pem-keys")]
            BinanceKeyType::Rsa => "RSA",
        }
    }
}

/// The key types Binance issues, as its API page names them.
const KEY_TYPES: &[&str] = &["HMAC", "Ed25519", "RSA"];

#[cfg_attr(not(feature = "pem-keys"), allow(unused_variables))]
fn key_type(credentials: &Credentials, settings: &KeySettings) -> Result<BinanceKeyType, Error> {
    match settings.key_type_among(Scheme::Binance, KEY_TYPES)? {
        Some("HMAC") => Ok(BinanceKeyType::Hmac),
        #[cfg(feature = "pem-keys")]
        Some("Ed25519") => Ok(BinanceKeyType::Ed25519),
        #[cfg(feature = "pem-keys")]
        Some(_) => Ok(BinanceKeyType::Rsa),
        #[cfg(not(feature = "pem-keys"))]
        Some(_) => Err(Error::KeyTypeUnsupported {
            scheme: Scheme::Binance,
            problem: "Ed25519 and RSA keys are signed with the `pem-keys` feature (on by default)",
        }),
        #[cfg(feature = "pem-keys")]
        None if KeySettings::is_pem(credentials, Scheme::Binance)? => {
            let pem = credentials.require_secret_as_given(Scheme::Binance)?;
            let ed25519 = crate::keys::PrivateKey::ed25519_from_pem(Scheme::Binance, pem).is_ok();
            Ok(if ed25519 { BinanceKeyType::Ed25519 } else { BinanceKeyType::Rsa })
        }
        // A PEM key without `pem-keys` is refused by the HMAC signer, with the reason.
        None => Ok(BinanceKeyType::Hmac),
    }
}

/// Binance's `GET /api/v3/time` (Spot), and USDⓈ-M futures' `GET /fapi/v1/time` with the same
/// answer: `{"serverTime":<ms>}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v3/time", resolution: MILLIS, answer: time_answer },
    also: &[TimeRoute { path: "/fapi/v1/time", resolution: MILLIS, answer: time_answer }],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"serverTime": now.unix_millis() as u64})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let ms = json.get("serverTime").ok_or("no serverTime field")?;
    millis(ms).ok_or("serverTime is not a millisecond count")
}

/// The WebSocket API call that logs the session in (Ed25519 keys only).
const WS_LOGON: &str = "session.logon";

/// The subscribe signed on its own, for keys that cannot log on (HMAC and RSA keys): web-socket-api.md
/// "Subscribe to User Data Stream through signature subscription (USER_STREAM)", params `apiKey`,
/// `timestamp`, `signature` (and `recvWindow`), answered like the logged-on subscribe.
const WS_SIGNED_SUBSCRIBE: &str = "userDataStream.subscribe.signature";

/// Binance's answer to an accepted WebSocket API call (web-socket-api.md, each method's
/// "Response"): the session's state for `session.logon`, a `subscriptionId` for the signed
/// subscribe, the account for `account.status`, the new order for `order.place`; other calls,
/// which this server does not carry out, are answered with what was accepted. Every answer
/// carries `rateLimits`, as Binance's do unless a session turns them off.
fn ws_answer(accepted: &WsAccepted<'_>) -> Value {
    let server_time = u64::try_from(accepted.now.unix_millis()).unwrap_or(u64::MAX);
    let param = |name: &str| accepted.message.get("params").and_then(|params| params.get(name)).cloned();
    let result = match accepted.call {
        Some(WS_LOGON) => json!({
            "apiKey": accepted.api_key,
            "authorizedSince": server_time,
            "connectedSince": server_time,
            "returnRateLimits": false,
            "serverTime": server_time,
            "userDataStream": false,
        }),
        Some(WS_SIGNED_SUBSCRIBE) => json!({"subscriptionId": SUBSCRIPTION_ID}),
        // "Account information (USER_DATA)".
        Some("account.status") => json!({
            "makerCommission": 15, "takerCommission": 15, "buyerCommission": 0, "sellerCommission": 0,
            "canTrade": true, "canWithdraw": true, "canDeposit": true, "brokered": false,
            "requireSelfTradePrevention": false, "preventSor": false, "updateTime": server_time,
            "accountType": "SPOT",
            "balances": [
                {"asset": "BTC", "free": "1.00000000", "locked": "0.00000000"},
                {"asset": "USDT", "free": "10000.00000000", "locked": "0.00000000"},
            ],
            "permissions": ["SPOT"], "uid": 354_937_868,
        }),
        // "Place new order (TRADE)", the RESULT response: the order is on the book.
        Some("order.place") => json!({
            "symbol": param("symbol").unwrap_or(Value::Null),
            "orderId": 12_569_099_453_u64,
            "orderListId": -1,
            "clientOrderId": param("newClientOrderId").unwrap_or_else(|| json!("cexsignLocalOrder1")),
            "transactTime": server_time,
            "price": param("price").unwrap_or_else(|| json!("0.00000000")),
            "origQty": param("quantity").unwrap_or_else(|| json!("0.00000000")),
            "executedQty": "0.00000000",
            "origQuoteOrderQty": "0.00000000",
            "cummulativeQuoteQty": "0.00000000",
            "status": "NEW",
            "timeInForce": param("timeInForce").unwrap_or_else(|| json!("GTC")),
            "type": param("type").unwrap_or_else(|| json!("LIMIT")),
            "side": param("side").unwrap_or(Value::Null),
            "workingTime": server_time,
            "selfTradePreventionMode": "NONE",
        }),
        _ => {
            json!({"cexsign": "accepted", "method": accepted.call, "apiKey": accepted.api_key, "timestamp": accepted.timestamp})
        }
    };
    ws_result(accepted.message, result)
}

/// `{"id", "status": 200, "result", "rateLimits"}` (web-socket-api.md "Response format"; the
/// weight counted is the request's own, as on a fresh connection).
fn ws_result(message: &serde_json::Map<String, Value>, result: Value) -> Value {
    json!({
        "id": message.get("id").cloned().unwrap_or(Value::Null),
        "status": 200,
        "result": result,
        "rateLimits": [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000, "count": 2}],
    })
}

/// The id of a connection's first User Data Stream subscription (web-socket-api.md, "User Data
/// Stream requests": `"subscriptionId": 0`); events carry it.
const SUBSCRIPTION_ID: u64 = 0;

/// Binance's private stream is its WebSocket API (`wss://ws-api.binance.com:443/ws-api/v3`):
/// spot user data left the REST listenKey for it on 2026-02-20 (hummingbot#8035). Sources:
/// binance-spot-api-docs `web-socket-api.md` ("Session Authentication", "Test connectivity",
/// "User Data Stream requests", "Event format"), binance-sdk-spot's `SpotWebSocketAPI`
/// (`session_logon`, `user_data_stream_subscribe`, `user_data_stream_subscribe_signature`).
///
/// - `session.logon` (Ed25519 keys only) logs the session in; afterwards requests leave out
///   `apiKey` and `signature` (the `timestamp` stays) and `userDataStream.subscribe` is served.
/// - Any signed request (`account.status`, `order.place`...) is answered on its own, with any
///   key type, without logging the session in; `userDataStream.subscribe.signature` subscribes
///   that way. The params are signed sorted by name and NOT percent-encoded (the opposite of
///   REST); binance-connector 3.13.0, binance-sdk-spot 13.2.0 and python-binance 1.0.37
///   percent-encode them, and are refused with -1022 (`binance-ws-values-percent-encoded`).
/// - `{"id","method":"ping"}` is answered `{"id","status":200,"result":{}}`; protocol pings get
///   pongs. Binance drops a connection that answers no ping for a minute (its server pings every
///   20 s), and every connection after 24 h; a client's own messages are what keeps it here.
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/ws-api/v3",
    idle: Duration::from_secs(60),
    ping: crate::exchange::StreamPing::Json { field: "method", value: "ping", answer: stream_pong },
    channels: &["userDataStream.subscribe", WS_SIGNED_SUBSCRIBE],
    answers: crate::exchange::StreamAnswers {
        subscribed: stream_subscribed,
        event: stream_event,
        refused: stream_refused,
    },
    subscribe: crate::exchange::StreamSubscribe {
        when: ("method", "userDataStream.subscribe"),
        // The request names its one subscription by its method.
        list: "",
        channel: "method",
        sample: r#"{"id":"cexsign-1","method":"userDataStream.subscribe"}"#,
    },
    login: crate::exchange::StreamLogin::Session { logon: WS_LOGON, signed_subscribe: WS_SIGNED_SUBSCRIBE },
    ..crate::exchange::PrivateStream::NONE
};

/// "Test connectivity": `{"id","status":200,"result":{},"rateLimits"}`.
fn stream_pong(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    ws_result(sent.message, json!({}))
}

/// "Subscribe to User Data Stream": `{"id","status":200,"result":{"subscriptionId":0}}`.
fn stream_subscribed(sent: &crate::exchange::StreamMessage<'_>) -> Vec<Value> {
    vec![ws_result(sent.message, json!({"subscriptionId": SUBSCRIPTION_ID}))]
}

/// One User Data Stream event, as the WebSocket API wraps it ("Event format"):
/// `{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E","u","B":[{"a","f","l"}]}}`
/// (user-data-stream.md "Account Update").
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let ms = u64::try_from(sent.now.unix_millis()).unwrap_or(u64::MAX);
    json!({
        "subscriptionId": SUBSCRIPTION_ID,
        "event": {
            "e": "outboundAccountPosition",
            "E": ms,
            "u": ms,
            "B": [
                {"a": "BTC", "f": "1.00000000", "l": "0.00000000"},
                {"a": "USDT", "f": "10000.00000000", "l": "0.00000000"},
            ],
        },
    })
}

/// A subscribe refused: before `session.logon`, -1002 "You are not authorized to execute this
/// request." with status 401 (assumed: the docs say the subscribe "requires an authenticated
/// WebSocket connection" without the error; -1002 is the table's code for a request the key
/// may not make); anything else (a subscribe this stream does not serve), -1102 naming `method`.
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let (code, status) = match sent.refusal {
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => ("-1002", 401),
        _ => ("-1102", 400),
    };
    let entry = errors::ERRORS.codes.iter().find(|entry| entry.code == code);
    let msg = entry.map(|entry| entry.message.replace("'{}'", "'method'")).unwrap_or_default();
    json!({
        "id": sent.message.get("id").cloned().unwrap_or(Value::Null),
        "status": status,
        "error": {"code": code.parse::<i64>().unwrap_or_default(), "msg": msg},
    })
}

/// Binance orders (Spot "Trading endpoints" > "New order", USDⓈ-M "New Order"): `POST
/// /api/v3/order` and `POST /fapi/v1/order`, parameters in the query or a form body, with
/// `newClientOrderId` ("a unique id among open orders"): a repeat is refused with -2010
/// "Duplicate order sent.". Busy: -1008 SERVER_BUSY. Binance also documents -1007 TIMEOUT
/// ("execution status unknown") and HTTP 503 without a code as *unknown*, not as unprocessed.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("newClientOrderId")),
    // The WebSocket API's "Place new order (TRADE)" takes the same params, `newClientOrderId` among them.
    placing: &[
        crate::exchange::PlaceOrder::post("/api/v3/order"),
        crate::exchange::PlaceOrder::post("/fapi/v1/order"),
        crate::exchange::PlaceOrder::ws_api("order.place"),
    ],
    duplicate: crate::exchange::DuplicateOrder::Refused("-2010"),
    busy: &["-1008"],
};
