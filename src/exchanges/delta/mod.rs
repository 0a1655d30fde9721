//! Delta Exchange v2: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{DeltaSigner, DeltaWsAuthType};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Scheme, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, ExtraCheck, HeaderCheck, KeySettings, KeyVariants, Mark, Refused, RestVerification, Routing, header_text};
use crate::exchange::{WsAccepted, WsLogin, WsMessage, WsPart};
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::rejection::Refusal;
use crate::server_time::{MICROS, ServerTimeApi, TimeRoute, integer};

/// Delta Exchange, as the engines see it.
pub(crate) const DELTA: Exchange = Exchange {
    id: "delta",
    name: "Delta Exchange",
    rest_auth: Some(AuthNames::new("api-key", "signature", "timestamp", None)),
    ws_auth: Some(AuthNames::new("api-key", "signature", "timestamp", None)),
    ws_api_auth: None,
    // `ws_auth_type` picks the message type.
    ws_login: WsLogin::Signed(&[WsMessage::new(
        &[WsPart::Type(&["key-auth", "auth"]), WsPart::InObject { field: "payload", method: None }, WsPart::Key, WsPart::Signature, WsPart::Timestamp],
        ws_answer,
    )]),
    private_stream: PRIVATE_STREAM,
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.india.delta.exchange", "api.delta.exchange", "cdn-ind.testnet.deltaex.org", "testnet-api.delta.exchange"],
    routing: Routing::new(&[Mark::named("api-key"), Mark::named("signature")], &["/v2/"], 70),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new("hex(HMAC-SHA256(secret, METHOD + timestamp + path + ?query + body))")
            .extra(&[ExtraCheck::Request(user_agent_present)])
            .sync_hint("sign every request (and retry) with a fresh timestamp; server time: GET"),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixSeconds],
        timestamp_in: Carrier::Header,
        // The method first, unlike Coinbase and OKX.
        parts: &[
            Part::Method,
            Part::Timestamp,
            Part::Path,
            Part::Query { form: QueryForm::AsSent, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        pitfalls: "Delta: authenticated requests need a User-Agent header, and India keys the India host.",
        mistakes: &[
            M::KeySecretSwapped, M::TimestampMillisecondsForSeconds, M::TimestampFormatWrong, M::Base64InsteadOfHex,
            M::SecretBase64Decoded, M::SecretHexDecoded, M::HmacArgumentsSwapped, M::MethodLowercase,
            M::QueryNotSigned, M::QuerySignedWithoutQuestionMark, M::QuerySignedUnencoded, M::QueryEncodingDiffers,
            M::QueryOrderDiffers, M::EmptyBodyAsBraces, M::BodyReserialized, M::PathMissingLeadingSlash,
            M::PathIncludesHost, M::DeltaWrongOrder, M::PrehashOrderWrong, M::TimestampHeaderDiffers,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `ws_auth_type` picks the websocket auth message (`key-auth` by default, or `auth`).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let ws_auth_type = match settings.ws_auth_type.as_deref() {
        None | Some("key-auth") => DeltaWsAuthType::KeyAuth,
        Some("auth") => DeltaWsAuthType::Auth,
        Some(_) => {
            return Err(Error::InvalidKeySetting {
                scheme: Scheme::Delta,
                setting: "ws_auth_type",
                expected: "key-auth or auth".to_owned(),
            });
        }
    };
    Ok(Box::new(DeltaSigner::new(credentials)?.with_ws_auth_type(ws_auth_type)))
}

/// Delta's `GET /v2/settings` (undocumented, used by ccxt; Delta documents no time endpoint):
/// `{"success":true,"result":{"server_time":<µs>}}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/v2/settings", resolution: MICROS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"success": true, "result": {"server_time": now.duration_since_epoch().as_micros() as u64}})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let micros = json.pointer("/result/server_time").ok_or("no result.server_time field")?;
    let micros = integer(micros).ok_or("result.server_time is not a microsecond count")?;
    Ok(Timestamp::from_duration_since_epoch(Duration::from_micros(micros)))
}

/// Delta's CDN blocks authenticated requests without a User-Agent before the origin sees them.
fn user_agent_present(headers: &http::HeaderMap) -> Result<(), Refused> {
    let authenticated = headers.contains_key("api-key") || headers.contains_key("signature");
    if authenticated && header_text(headers, "user-agent").is_none() {
        return Err(Refused::new(
            Refusal::CdnBlocked,
            "Delta's CDN blocks authenticated requests without a User-Agent header (reqwest sends none by default: set one on the client)",
        ));
    }
    Ok(())
}

/// Delta's answer to an accepted websocket login: the message's own type.
fn ws_answer(accepted: &WsAccepted<'_>) -> Value {
    let kind = accepted.message.get("type").and_then(Value::as_str).unwrap_or("key-auth");
    json!({"type": kind, "success": true, "status_code": 200, "status": "authenticated"})
}

/// Delta orders ("Place Order"): `POST /v2/orders`, JSON body, with `client_order_id` (up to 32
/// characters). Delta's docs do not say what it answers a repeated one, nor name a "busy, not
/// processed" answer beyond 429.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("client_order_id")),
    placing: &[crate::exchange::PlaceOrder::post("/v2/orders")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};

/// `wss://socket.delta.exchange` (India: `socket.india.delta.exchange`), at `/`: `key-auth`,
/// then `{"type":"subscribe","payload":{"channels":[{"name":"orders","symbols":["all"]}]}}`.
/// Delta's websocket docs ("Websocket Feed": no activity within 60 s after connecting ends the
/// connection; "Subscribe": the `subscriptions` answer, whose channel entries carry an `error`
/// such as "subscription forbidden on <channel>. Unauthorized user" for a private channel
/// before auth; "Ping/Pong": `{"type":"ping"}` answered with `{"type":"pong"}`; "Orders" and
/// "Margins" for the pushes). Assumed: the wording of the error for a channel that does not
/// exist.
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/",
    idle: Duration::from_secs(60),
    ping: crate::exchange::StreamPing::Json { field: "type", value: "ping", answer: stream_pong },
    channels: &["orders", "margins"],
    answers: crate::exchange::StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    subscribe: crate::exchange::StreamSubscribe {
        when: ("type", "subscribe"),
        list: "payload.channels",
        channel: "name",
        sample: r#"{"type":"subscribe","payload":{"channels":[{"name":"orders","symbols":["all"]}]}}"#,
    },
    ..crate::exchange::PrivateStream::NONE
};

/// `{"type":"pong"}`.
fn stream_pong(_: &crate::exchange::StreamMessage<'_>) -> Value {
    json!({"type": "pong"})
}

/// `{"type":"subscriptions","channels":[…]}`: the channels as subscribed.
fn stream_subscribed(sent: &crate::exchange::StreamMessage<'_>) -> Vec<Value> {
    vec![json!({"type": "subscriptions", "channels": sent.args})]
}

/// One push: an order created, or a margin update (timestamps in microseconds).
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let micros = u64::try_from(sent.now.unix_millis()).unwrap_or(u64::MAX / 1000).saturating_mul(1000);
    match sent.channel("name") {
        Some("margins") => json!({
            "type": "margins", "balance": "10000", "available_balance": "10000", "order_margin": "0",
            "position_margin": "0", "commission": "0", "portfolio_margin": "0", "asset_id": 14,
            "asset_symbol": "USD", "timestamp": micros,
        }),
        _ => json!({
            "type": "orders", "action": "create", "reason": "", "symbol": "BTCUSD", "product_id": 27,
            "order_id": 1592130, "client_order_id": "cexsign1", "size": 1, "unfilled_size": 1,
            "average_fill_price": null, "limit_price": "30000", "side": "buy", "cancellation_reason": null,
            "stop_order_type": null, "bracket_order": false, "state": "open", "seq_no": 1, "timestamp": micros,
        }),
    }
}

/// The `subscriptions` answer with an `error` in each refused channel's entry.
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let named = |arg: &Value| arg.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let channels: Vec<String> = match sent.refusal {
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => sent
            .message
            .get("payload")
            .and_then(|payload| payload.get("channels"))
            .and_then(Value::as_array)
            .map(|channels| channels.iter().take(64).map(named).collect())
            .unwrap_or_default(),
        _ => sent.args.iter().map(|arg| named(arg)).collect(),
    };
    let entries: Vec<Value> = channels
        .iter()
        .map(|name| {
            let error = match sent.refusal {
                Some(crate::exchange::StreamRefusal::NotLoggedIn) => format!("subscription forbidden on {name}. Unauthorized user"),
                _ => format!("subscription forbidden on {name}. Invalid channel"),
            };
            json!({"name": name, "error": error})
        })
        .collect();
    json!({"type": "subscriptions", "channels": entries})
}
