//! MEXC (spot v3 and futures "contract"): everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.
//!
//! One scheme, not two: the conformance vectors are one set (`mexc.json`, every vector's scheme
//! `mexc`, the API an `options.api` of each), and one MEXC key signs for both APIs, so a
//! per-key setting choosing one would make a key's signer refuse half its own requests. The
//! request's path tells the APIs apart (`/api/v3/` spot, `/api/v1/` contract) and the signer
//! follows it ([`MexcApi::of_path`]), and so does its recipe ([`Part::ByPath`]). The
//! description's auth names, verification and window are the contract API's, which the local exchange's generic header check verifies; spot signs
//! inside its parameters as Binance does, with its key in `X-MEXC-APIKEY` (the recipe's spot
//! layout says so), and the local exchange verifies a request under the layout's prefix with its
//! verifier of parameter-signed requests, answering with the spot codes of the error table.

mod errors;
mod signer;

pub use signer::{MexcApi, MexcSigner};

use std::time::Duration;

use serde_json::{Value, json};

use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing,
    WsLogin, WsSigning,
};
use crate::exchange::{PrivateStream, StreamAnswers, StreamMessage, StreamPing, WsAccepted};
use crate::recipe::{Algorithm, ByPath, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, millis};
use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};

/// MEXC, as the engines see it.
pub(crate) const MEXC: Exchange = Exchange {
    id: "mexc",
    name: "MEXC",
    // The contract API's headers; spot sends only `X-MEXC-APIKEY`, its `signature` and
    // `timestamp` being query parameters.
    rest_auth: Some(AuthNames::new("ApiKey", "Signature", "Request-Time", None)),
    // The contract login's `param` fields.
    ws_auth: Some(AuthNames::new("apiKey", "signature", "reqTime", None)),
    ws_api_auth: None,
    // The contract login, answered `rs.login` (see `PRIVATE_STREAM`); `subscribe: false` may
    // be added to it to turn off the pushes that follow it.
    ws_login: WsLogin::ResignedAnswered { optional: &["subscribe"], answer: ws_logged_in },
    private_stream: PRIVATE_STREAM,
    // Contract: error 513 "for open api serves time more or less than 10 seconds" (a
    // `Recv-Window` header may widen it). Spot's recvWindow is 5 s by default, 60 s at most.
    window: Some(Duration::from_secs(10)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.mexc.com", "contract.mexc.com"],
    // `Request-Time` is MEXC's own name; `ApiKey` (no dash) is too. The contract's private paths
    // are longer than KuCoin's `/api/v1/`.
    // Spot's `X-MEXC-APIKEY` is MEXC's own name too.
    routing: Routing::new(
        &[Mark::named("request-time"), Mark::named("apikey"), Mark::named("x-mexc-apikey")],
        &["/api/v1/private/", "/api/v1/contract/"],
        45,
    ),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new(
            "hex(HMAC-SHA256(secret, ApiKey + Request-Time + paramString)), paramString the JSON body as sent for a \
             POST and, for a GET or DELETE, the query's pairs sorted by name with values URL-encoded (%20 for a \
             space)",
        )
        .sync_hint("sign every request with a fresh Request-Time (milliseconds), offset by GET"),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // Two layouts, picked by path (`LAYOUTS`); the outer carriers are the contract's.
    recipe: Ok(Recipe {
        timestamps: CONTRACT.timestamps,
        timestamp_in: CONTRACT.timestamp_in,
        parts: &[Part::ByPath(&LAYOUTS)],
        keys: CONTRACT.keys,
        signature_in: CONTRACT.signature_in,
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::KeyTimestamp,
        window_in_words: Some(
            "contract: Request-Time within 10 s of the server clock; spot: recvWindow after the timestamp, 5 s by \
             default and 60 s at most",
        ),
        pitfalls: "MEXC: the path picks the rule. Contract (/api/v1/private/) signs ApiKey + Request-Time + \
                   paramString: for a POST the JSON body exactly as sent, never its parameters as sorted k=v pairs \
                   (pymexc 1.3.1 signs sorted pairs and sends JSON: 602); for a GET or DELETE the parameters sorted \
                   by name, values URL-encoded with %20 for a space (a '+' signed or sent for a space differs). Spot \
                   (/api/v3/) signs the query and body exactly as sent, the signature appended last: signing %20 \
                   but sending '+' (pymexc 1.3.1), or re-sorting the parameters after signing, is 700002.",
        // The mistakes tests/diagnose/breadth.rs makes as a user's client would (AUTH-breadth.md
        // §6's among them: pymexc's sorted pairs for a contract POST are body-reserialized, its
        // raw contract GET values query-signed-unencoded, its spot %20 for '+' query-encoding-differs).
        mistakes: &[
            M::KeySecretSwapped, M::TimestampSecondsForMilliseconds, M::Base64InsteadOfHex, M::SecretHexDecoded,
            M::HmacArgumentsSwapped, M::QueryNotSigned, M::QuerySignedUnencoded, M::QueryEncodingDiffers,
            M::QueryOrderDiffers, M::EmptyBodyAsBraces, M::BodyReserialized, M::TimestampHeaderDiffers,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// The path picks the layout (see the module's docs): spot signs the query and the body exactly
/// as sent (Binance's rule, `timestamp` a parameter in them, `signature` appended last, the key
/// in `X-MEXC-APIKEY`); contract signs the key, the Request-Time, then the query of a GET or a
/// request without a body (sent sorted and encoded as it is signed, see
/// [`MexcSigner::contract_param_string`]) or else the body as sent, into headers.
const LAYOUTS: ByPath = ByPath {
    prefix: "/api/v3/",
    then: Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Parameter("timestamp"),
        parts: &[Part::Query { form: QueryForm::AsSent, question_mark: false }, Part::Body],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)],
        signature_in: Carrier::Parameter("signature"),
    },
    then_auth: AuthNames::new("X-MEXC-APIKEY", "signature", "timestamp", None),
    otherwise: CONTRACT,
};

/// The contract API's layout, which the description's auth names and verification are for.
const CONTRACT: Recipe = Recipe {
    timestamps: &[TimestampFormat::UnixMillis],
    timestamp_in: Carrier::Header,
    parts: &[Part::ApiKey, Part::Timestamp, Part::QueryOrBody],
    keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)],
    signature_in: Carrier::Header,
};

/// `recv_window`: the spot `recvWindow` appended to spot requests that carry none.
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let mut signer = MexcSigner::new(credentials)?;
    if let Some(window) = settings.recv_window {
        signer = signer.with_recv_window(window)?;
    }
    Ok(Box::new(signer))
}

/// Contract orders (`POST /api/v1/private/order/submit`, JSON body) carry the client's own id
/// in `externalOid` (the vectors' and ccxt's `clientOrderId` mapping). Spot's
/// `newClientOrderId` on `POST /api/v3/order` is not listed: the place-order description names
/// one field for the exchange, and spot's order placing is not modelled. What MEXC answers a
/// repeated id is not documented where we read.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("externalOid")),
    placing: &[crate::exchange::PlaceOrder::post("/api/v1/private/order/submit")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};

/// The contract API's `GET /api/v1/contract/ping`: `{"success":true,"code":0,"data":<ms>}`.
/// Spot's `GET /api/v3/time` answers `{"serverTime":<ms>}`, Binance's path and shape: the
/// reader takes both, the local exchange serves the path once (as Binance's).
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v1/contract/ping", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"success": true, "code": 0, "data": u64::try_from(now.unix_millis()).unwrap_or(u64::MAX)})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    if let Some(ms) = json.get("serverTime") {
        return millis(ms).ok_or("serverTime is not a millisecond count");
    }
    let ms = json.get("data").ok_or("no data or serverTime field")?;
    millis(ms).ok_or("data is not a millisecond count")
}

/// The contract API's private stream, `wss://contract.mexc.com/edge` (MEXC futures "WebSocket
/// API"; ccxt 4.5's `mexc` ws urls `swap`). The `login` method (the contract websocket layout the
/// signer writes) is answered `{"channel":"rs.login","data":"success","ts"}`; once logged in, "all
/// private data is pushed by default" with no subscribe (a login carrying `"subscribe": false`
/// turns that off, and `personal.filter` narrows it: neither is modelled here, the pushes follow
/// every accepted login): here an order (`push.personal.order`) and the assets
/// (`push.personal.asset`), each `{"channel","data","ts"}`. `{"method":"ping"}` is answered
/// `{"channel":"pong","data":<ms>}`, and a connection that sends no ping for a minute is closed.
/// A refused login is answered in the error table's shape (`{"success":false,"code","message"}`):
/// MEXC's own refusal frame (`rs.error`, as users' debugging scripts name it) is not documented
/// where we read. Spot's private stream (a listenKey from `POST /api/v3/userDataStream`, then
/// protobuf pushes on `wss://wbs-api.mexc.com/ws`) is not described: a home describes one stream,
/// and the local exchange does not verify MEXC spot requests.
const PRIVATE_STREAM: PrivateStream = PrivateStream {
    path: "/edge",
    idle: Duration::from_secs(60),
    ping: StreamPing::Json { field: "method", value: "ping", answer: stream_pong },
    answers: StreamAnswers { event: stream_event, refused: stream_refused, ..PrivateStream::NONE.answers },
    pushed_on_login: &["push.personal.order", "push.personal.asset"],
    ..PrivateStream::NONE
};

/// `{"channel":"rs.login","data":"success","ts"}`: the key is not echoed.
fn ws_logged_in(accepted: &WsAccepted<'_>) -> Value {
    json!({"channel": "rs.login", "data": "success", "ts": millis_of(accepted.now)})
}

fn millis_of(now: Timestamp) -> u64 {
    u64::try_from(now.unix_millis()).unwrap_or(u64::MAX)
}

/// `{"channel":"pong","data":<server ms>}`.
fn stream_pong(sent: &StreamMessage<'_>) -> Value {
    json!({"channel": "pong", "data": millis_of(sent.now)})
}

/// One push (MEXC futures "WebSocket API", private channels "Order" and "Asset"): an open limit
/// order (`state` 2: uncompleted; `side` 1: open long; `externalOid` the client's id), or the
/// USDT asset.
fn stream_event(sent: &StreamMessage<'_>) -> Value {
    let ms = millis_of(sent.now);
    let (channel, data) = match sent.channel("") {
        Some("push.personal.asset") => (
            "push.personal.asset",
            json!({
                "currency": "USDT", "positionMargin": 0, "availableBalance": 10000, "cashBalance": 10000,
                "frozenBalance": 0, "equity": 10000, "unrealized": 0, "bonus": 0,
            }),
        ),
        _ => (
            "push.personal.order",
            json!({
                "orderId": "739113577038255616", "symbol": "BTC_USDT", "positionId": 0, "price": 30000, "vol": 1,
                "leverage": 20, "side": 1, "category": 1, "orderType": 1, "dealAvgPrice": 0, "dealVol": 0,
                "orderMargin": 1.5, "usedMargin": 0, "takerFee": 0, "makerFee": 0, "profit": 0,
                "feeCurrency": "USDT", "openType": 1, "state": 2, "errorCode": 0, "externalOid": "cexsign1",
                "createTime": ms, "updateTime": ms,
            }),
        ),
    };
    json!({"channel": channel, "data": data, "ts": ms})
}

/// A message the stream does not serve: MEXC's error channel, `{"channel":"rs.error","data"}`
/// (assumed: its wording is not documented where we read).
fn stream_refused(sent: &StreamMessage<'_>) -> Value {
    json!({"channel": "rs.error", "data": "unsupported method", "ts": millis_of(sent.now)})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_time_round_trips_and_reads_spot_too() {
        let now = Timestamp::from_unix_millis(1_718_095_903_352);
        let answer = SERVER_TIME.endpoint.answer(now);
        assert_eq!((SERVER_TIME.read)(&answer), Ok(now));
        assert_eq!((SERVER_TIME.read)(&json!({"serverTime": 1_718_095_903_352_u64})), Ok(now));
        assert!((SERVER_TIME.read)(&json!({"success": true, "data": "soon"})).is_err());
        assert!((SERVER_TIME.read)(&json!({})).is_err());
    }
}
