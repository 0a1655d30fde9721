//! Crypto.com Exchange (API v1): everything cexsign knows about it.
//!
//! `signer` is the signer, `errors` the error table; this file is the description the engines
//! read.
//!
//! Crypto.com signs a JSON-RPC style body (AUTH-breadth.md §8): `POST /exchange/v1/<method>`
//! with `{"id","method","api_key","params","nonce","sig"}`, the `sig` an HMAC-SHA256 over
//! `method + id + api_key + paramString + nonce`, paramString a canonical rendering of `params`
//! (keys sorted, lists flattened, objects recursed). No header carries anything: the key, the
//! nonce and the signature are body fields, which `rest_auth` names and the local exchange reads
//! with [`RestVerification::SignedBody`]. The rendering is no [`Recipe`](crate::recipe::Recipe)
//! of request parts; [`CryptoComSigner::signing_string`] builds it from the body sent.

mod errors;
mod renderings;
mod signer;

pub use signer::{CryptoComSigner, MAX_DEPTH as CRYPTO_COM_MAX_DEPTH};

use std::time::Duration;

use serde_json::Value;

use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    AuthNames, DiagnosisFacts, Exchange, KeySettings, KeyVariants, RestVerification, Routing, SignedBody, WsLogin,
    WsSigning,
};
use crate::exchange::{PrivateStream, StreamAnswers, StreamMessage, StreamPing, StreamRefusal, StreamRequest, StreamSubscribe};
use crate::recipe::NotARecipe;
use crate::server_time::ServerTimeApi;
use crate::{Credentials, Error, Signer};

/// Crypto.com Exchange, as the engines see it.
pub(crate) const CRYPTO_COM: Exchange = Exchange {
    id: "crypto_com",
    name: "Crypto.com Exchange",
    // Fields of the JSON body, not headers (see the module docs).
    rest_auth: Some(AuthNames::new("api_key", "sig", "nonce", None)),
    // `{"id","method":"public/auth","api_key","sig","nonce"}`.
    ws_auth: Some(AuthNames::new("api_key", "sig", "nonce", None)),
    ws_api_auth: None,
    // Checked by signing it again; answered `{"id","method":"public/auth","code":0}`.
    ws_login: WsLogin::ResignedAnswered { optional: &[], answer: ws_answer },
    private_stream: PRIVATE_STREAM,
    // "the nonce … must be within 60 seconds of the server time" (Digital Signature; 40102).
    window: Some(Duration::from_secs(60)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.crypto.com", "uat-api.3ona.co"],
    // No header marks its requests: the path does (under Hyperliquid's `/exchange`, longer).
    routing: Routing::new(&[], &[signer::PATH_PREFIX], 36),
    rest_verification: RestVerification::SignedBody(SignedBody::new(
        "hex(HMAC-SHA256(secret, method + id + api_key + paramString + nonce)), paramString the params' keys sorted, \
         each followed by its value (null as null, lists item by item, objects recursively)",
        known_mistake,
    )),
    signer,
    key_variants: KeyVariants::NONE,
    // No time endpoint: every answer carries the server's time as `t` (ms), which a client can
    // read; the HTTP Date header is the fallback here.
    server_time: ServerTimeApi::NONE,
    errors: errors::ERRORS,
    recipe: Err(NotARecipe {
        reason: "Crypto.com signs a canonical rendering of the body's params (keys sorted, lists flattened, objects \
                 recursed, null as null) between the method, id and key and the nonce, all read from the JSON body, \
                 not a concatenation of request parts",
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Unsigned {
            hint: "Crypto.com's public/auth signs public/auth + id + api_key + nonce: compare it with \
                   CryptoComSigner::sign_ws",
        },
        window_in_words: Some("a nonce within 60 s of server time, either way (responses carry the server time as t)"),
        pitfalls: "Crypto.com: sig is over method + id + api_key + paramString + nonce with the id and nonce exactly as \
                   the body carries them; paramString is the params' keys sorted, each followed by its value — not \
                   the params' JSON text — with null as null (not None), lists item by item (order_list's orders \
                   each rendered sorted) and true/false in lower case.",
        // AUTH-breadth.md §8's mistakes, as tests/diagnose/breadth.rs makes them, each named by
        // the diagnosis and the local exchange: the params signed as JSON text or unsorted, null
        // as None (ccxt 4.5.90), booleans as True, another id or nonce signed than sent; and the
        // catalogue's key and secret swapped, HMAC arguments swapped, base64 for hex.
        mistakes: &[
            M::KeySecretSwapped, M::Base64InsteadOfHex, M::HmacArgumentsSwapped, M::BooleanCapitalized,
            M::NullAsNone, M::ParamsSignedAsJson, M::ParamsUnsorted, M::RequestIdDiffers, M::TimestampHeaderDiffers,
        ],
        rest_only: &[M::KeySecretSwapped, M::Base64InsteadOfHex, M::HmacArgumentsSwapped, M::TimestampHeaderDiffers],
        renderings: Some(renderings::RENDERINGS),
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `wss://stream.crypto.com/exchange/v1/user` (Crypto.com Exchange API v1, "Websocket
/// Subscriptions"): `public/auth` logs in and is answered `{"id","method":"public/auth","code":0}`
/// ([`ws_answer`]); `subscribe` with `params.channels` is answered `{"id","method":"subscribe",
/// "code":0}`, then each channel pushes `{"id":-1,"method":"subscribe","code":0,"result":
/// {"subscription","channel","data"}}` (`user.order.{instrument_name}`, `user.balance`). The
/// server sends `public/heartbeat` (every 30 s, Crypto.com says; here once, at once on connect,
/// so that a client's answer is exercised without waiting), and a client answers it with
/// `public/respond-heartbeat` carrying the same id, which Crypto.com does not answer. A private
/// subscribe before the login is refused 10002 `UNAUTHORIZED`, an unknown channel 10004
/// `BAD_REQUEST`. Assumed: the idle limit (Crypto.com closes a connection that leaves a
/// heartbeat unanswered; no other limit is stated), and the order event's fields beyond those
/// the docs' sample shows.
const PRIVATE_STREAM: PrivateStream = PrivateStream {
    path: "/exchange/v1/user",
    idle: Duration::from_secs(60),
    ping: StreamPing::Frames,
    subscribe: StreamSubscribe {
        when: ("method", "subscribe"),
        list: "params.channels",
        channel: "",
        sample: r#"{"id":2,"method":"subscribe","params":{"channels":["user.order.BTCUSD-PERP"]},"nonce":1587523073344}"#,
    },
    channels: &["user.order.BTCUSD-PERP", "user.order.BTC_USDT", "user.order", "user.balance"],
    answers: StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    greeting: Some(stream_heartbeat),
    requests: &[StreamRequest::new("method", "public/respond-heartbeat", no_answer)],
    ..PrivateStream::NONE
};

/// The request's `id`, echoed by its answer.
fn request_id(sent: &StreamMessage<'_>) -> Value {
    sent.message.get("id").cloned().unwrap_or(Value::Null)
}

/// `public/heartbeat`, its id the server's time in ms.
fn stream_heartbeat(sent: &StreamMessage<'_>) -> Value {
    let now = u64::try_from(sent.now.unix_millis()).unwrap_or_default();
    serde_json::json!({"id": now, "method": "public/heartbeat", "code": 0})
}

/// `public/respond-heartbeat` is not answered.
fn no_answer(_: &StreamMessage<'_>) -> Vec<Value> {
    Vec::new()
}

/// `subscribe`: one answer per request.
fn stream_subscribed(sent: &StreamMessage<'_>) -> Vec<Value> {
    vec![serde_json::json!({"id": request_id(sent), "method": "subscribe", "code": 0})]
}

/// The channel's push: an open order, or the account's balance.
fn stream_event(sent: &StreamMessage<'_>) -> Value {
    let now = u64::try_from(sent.now.unix_millis()).unwrap_or_default();
    let subscription = sent.args.first().and_then(|arg| arg.as_str()).unwrap_or_default();
    let (channel, data) = if subscription == "user.balance" {
        let balance = serde_json::json!({"total_available_balance": "1.00000000", "total_margin_balance": "1.00000000",
            "total_initial_margin": "0", "total_maintenance_margin": "0", "total_position_cost": "0",
            "total_cash_balance": "1.00000000", "instrument_name": "USD", "total_session_unrealized_pnl": "0",
            "total_session_realized_pnl": "0", "is_liquidating": false, "position_balances": []});
        ("user.balance", balance)
    } else {
        let instrument = subscription.strip_prefix("user.order.").unwrap_or("BTCUSD-PERP");
        let order = serde_json::json!({"account_id": "cexsign-local", "order_id": "cexsign-1", "client_oid": "cexsign1",
            "order_type": "LIMIT", "time_in_force": "GOOD_TILL_CANCEL", "side": "BUY", "exec_inst": [],
            "quantity": "0.0015", "limit_price": "30000", "order_value": "45", "avg_price": "0",
            "cumulative_quantity": "0", "cumulative_value": "0", "cumulative_fee": "0", "status": "ACTIVE",
            "instrument_name": instrument, "create_time": now, "update_time": now});
        ("user.order", order)
    };
    serde_json::json!({"id": -1, "method": "subscribe", "code": 0,
        "result": {"subscription": subscription, "channel": channel, "data": [data]}})
}

/// A private subscribe before the login: 10002 `UNAUTHORIZED`; an unknown channel: 10004
/// `BAD_REQUEST` (both in the error table).
fn stream_refused(sent: &StreamMessage<'_>) -> Value {
    let (code, message) = match sent.refusal {
        Some(StreamRefusal::NotLoggedIn) => (10002, "UNAUTHORIZED"),
        _ => (10004, "BAD_REQUEST"),
    };
    serde_json::json!({"id": request_id(sent), "method": "subscribe", "code": code, "message": message})
}

/// An accepted `public/auth`: `{"id":…,"method":"public/auth","code":0}` (Crypto.com's
/// "public/auth" response), the request's id echoed.
fn ws_answer(accepted: &crate::exchange::WsAccepted<'_>) -> Value {
    let id = accepted.message.get("id").cloned().unwrap_or(Value::Null);
    serde_json::json!({"id": id, "method": "public/auth", "code": 0})
}

/// Crypto.com keys take no settings.
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(CryptoComSigner::new(credentials)?))
}

/// `private/create-order`'s optional `client_oid` (at most 36 characters; "private/create-order"):
/// in the params a bot signs, and in the request sent. An id the account already has is refused
/// with 204 `DUPLICATE_CLORDID` ("Response and Reason Codes").
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("client_oid").also_at(&["/params/client_oid"])),
    placing: &[crate::exchange::PlaceOrder::post("/exchange/v1/private/create-order")],
    duplicate: crate::exchange::DuplicateOrder::Refused("204"),
    busy: &[],
};

/// The mistakes AUTH-breadth.md §8 lists, each made on the body as received with the key's
/// secret: the first whose signature is the body's `sig` is named, with its fix.
fn known_mistake(credentials: &Credentials, body: &[u8]) -> Option<String> {
    let signer = CryptoComSigner::new(credentials).ok()?;
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else { return None };
    let sent = crate::exchange::body_field(body, "sig")?;
    let text = |name: &str| crate::exchange::body_field(body, name).unwrap_or_default();
    let (id, method, api_key, nonce) = (text("id"), text("method"), text("api_key"), text("nonce"));
    let params = map.get("params").cloned().unwrap_or(Value::Null);
    let signs = |prehash: String| signer.hmac_hex(&prehash) == sent.to_ascii_lowercase();
    let with = |params_text: &str| [method.as_str(), &id, &api_key, params_text, &nonce].concat();
    let sorted = match &params {
        Value::Object(params) => signer::Ordered::object(params, 1).ok(),
        _ => None,
    };
    let rendered = |style: Style| sorted.as_ref().map(|params| signer::render_as(params, style));
    let candidates: [(Option<String>, &str); 5] = [
        (
            rendered(Style::PythonNone),
            "the params were rendered with null as None (Python's str(None), ccxt 4.5.90's params_to_string): \
             render null as null",
        ),
        (
            rendered(Style::PythonBool),
            "the params were rendered with booleans as True/False (Python's str()): render them true/false",
        ),
        (
            map.get("params").map(|p| p.to_string()),
            "the params were signed as their JSON text: sign their keys sorted, each followed by its value",
        ),
        (
            signer::params_as_sent(body).map(|params| signer::render_as(&params, Style::Unsorted)),
            "the params' keys were signed in the order sent, not sorted: sort them (in every nested order too)",
        ),
        (
            Some(String::new()),
            "the params were left out of the signed string: sign them between the api_key and the nonce",
        ),
    ];
    for (params_text, explanation) in candidates {
        if let Some(params_text) = params_text {
            if signs(with(&params_text)) {
                return Some(format!("Found: {explanation}."));
            }
        }
    }
    // A different id or nonce signed than sent: the one signed cannot be read back, only told.
    let rendered = CryptoComSigner::param_string(&params).ok()?;
    let other_id = signs([method.as_str(), &nonce, &api_key, &rendered, &nonce].concat()) && id != nonce;
    other_id.then(|| {
        "Found: the nonce was signed as the id, but the body sends another id: sign the id sent (or send the nonce \
         as the id)."
            .to_owned()
    })
}

use signer::Style;
