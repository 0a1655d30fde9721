//! BitMart (spot and futures v2): everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.
//!
//! BitMart signs `timestamp#memo#payload` (AUTH-breadth.md §7): the memo is the key's third
//! credential, signed but never sent, so `rest_auth` names no passphrase header and the recipe
//! signs [`Part::Passphrase`]. The payload is the query of a GET and the body of a POST; spot and
//! futures sign alike. The websocket login is checked by re-signing it with the key's signer
//! (spot's `op: login` layout, the signer's default) and answered as BitMart does; the spot
//! private stream is served at `/user`.

mod errors;
mod signer;

pub use signer::{BitmartSigner, BitmartWsMarket};

use std::time::Duration;

use serde_json::{Value, json};

use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing,
    WsLogin, WsSigning,
};
use crate::recipe::{Algorithm, Carrier, Part, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, integer};
use crate::{Credentials, Error, Scheme, Signer, Timestamp, TimestampFormat};

/// BitMart, as the engines see it.
pub(crate) const BITMART: Exchange = Exchange {
    id: "bitmart",
    name: "BitMart",
    rest_auth: Some(AuthNames::new("X-BM-KEY", "X-BM-SIGN", "X-BM-TIMESTAMP", None)),
    // The login's `args` are positional: [key, timestamp, sign] (futures adds "web"); these are
    // the names the conformance vectors give them.
    ws_auth: Some(AuthNames::new("api_key", "sign", "timestamp", None)),
    ws_api_auth: None,
    ws_login: WsLogin::ResignedAnswered { optional: &[], answer: ws_logged_in },
    private_stream: PRIVATE_STREAM,
    // "within 1 minute of server time" (BitMart docs' FAQ; 30007).
    window: Some(Duration::from_secs(60)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api-cloud.bitmart.com", "api-cloud-v2.bitmart.com"],
    // `X-BM-*` are BitMart's own names; no other exchange serves `/spot/`, `/account/` or
    // `/contract/`.
    routing: Routing::new(&[Mark::prefixed("x-bm-")], &["/spot/", "/account/", "/contract/"], 25),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new("hex(HMAC-SHA256(secret, timestamp + \"#\" + memo + \"#\" + (query of a GET | body)))")
            .sync_hint("sign every request with a fresh X-BM-TIMESTAMP (milliseconds), offset by GET"),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // timestamp#memo#payload: no method, no path; the query of a GET (without `?`), the body
    // otherwise, nothing after the second `#` when there is neither.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[Part::Timestamp, Part::Literal("#"), Part::Passphrase, Part::Literal("#"), Part::QueryOrBody],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::TimestampPassphrase { separator: "#", suffix: "#bitmart.WebSocket" },
        pitfalls: "BitMart: the memo is signed, never sent: a memo that differs from the one chosen at key creation \
                   (case, a trailing space) is a wrong X-BM-SIGN (30005). A GET signs its query exactly as sent, \
                   without '?' (BitMart's docs, ccxt and the conformance vectors); the official \
                   bitmart-python-sdk-api 2.8.0 signs an empty payload for every GET, so its GETs with a query \
                   do not verify.",
        // The mistakes tests/diagnose/breadth.rs makes as a user's client would, each named by
        // the diagnosis and by the local exchange.
        mistakes: &[
            M::KeySecretSwapped, M::Base64InsteadOfHex, M::HmacArgumentsSwapped, M::SecretHexDecoded, M::QueryNotSigned,
            M::QuerySignedUnencoded, M::QueryOrderDiffers, M::EmptyBodyAsBraces, M::BodyReserialized,
            M::TimestampHeaderDiffers, M::TimestampSecondsForMilliseconds,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `ws_auth_type` picks the websocket login: `spot` (the default, `op: login`) or `futures`
/// (`action: access`).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let market = match settings.ws_auth_type.as_deref() {
        None => BitmartWsMarket::Spot,
        Some(name) if name.eq_ignore_ascii_case("spot") => BitmartWsMarket::Spot,
        Some(name) if name.eq_ignore_ascii_case("futures") => BitmartWsMarket::Futures,
        Some(_) => {
            return Err(Error::InvalidKeySetting {
                scheme: Scheme::Bitmart,
                setting: "ws_auth_type",
                expected: "spot or futures".to_owned(),
            });
        }
    };
    Ok(Box::new(BitmartSigner::new(credentials)?.with_ws_market(market)))
}

/// BitMart places spot orders with `POST /spot/v2/submit_order` and futures orders with
/// `POST /contract/private/submit-order` (its API docs), each with an optional
/// `client_order_id` in the JSON body. What it answers a repeated id, and which code means "not
/// processed", are not documented where we read.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("client_order_id")),
    placing: &[
        crate::exchange::PlaceOrder::post("/spot/v2/submit_order"),
        crate::exchange::PlaceOrder::post("/contract/private/submit-order"),
    ],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};

/// BitMart's `GET /system/time`: `{"code":1000,"message":"OK","data":{"server_time":<ms>}}`
/// (AUTH-breadth.md §7).
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/system/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    let millis = u64::try_from(now.unix_millis()).unwrap_or(u64::MAX);
    json!({"code": 1000, "trace": "cexsign-local", "message": "OK", "data": {"server_time": millis}})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let millis = json.pointer("/data/server_time").ok_or("no data.server_time field")?;
    let millis = integer(millis).ok_or("data.server_time is not a millisecond count")?;
    Ok(Timestamp::from_unix_millis(millis))
}

/// BitMart's answer to an accepted login: spot `{"event":"login"}` (its spot websocket docs,
/// "Login"; hummingbot's BitMart user-stream tests), futures `{"action":"access","success":true}`
/// (its futures v2 websocket docs, "Login").
fn ws_logged_in(accepted: &crate::exchange::WsAccepted<'_>) -> Value {
    match accepted.message.get("action").and_then(Value::as_str) {
        Some("access") => json!({"action": "access", "success": true}),
        _ => json!({"event": "login"}),
    }
}

/// The spot private stream, `wss://ws-manager-compress.bitmart.com/user?protocol=1.1` (BitMart's
/// spot websocket docs, "Server URL"; ccxt's `bitmart` ws urls): `op: login`, then
/// `{"op":"subscribe","args":["<channel>:<filter>"]}`, each topic answered
/// `{"event":"subscribe","topic"}` and pushed as `{"table","data":[…]}` ("Order Progress",
/// "Balance Change"); the text `ping` answered `pong` ("Stay Connected": a client pings when
/// it has heard nothing for N < 20 s, so 20 s is the idle limit here). Errors
/// `{"event","errorCode","errorMessage"}`: 91006 "User not logged in", 90004 "Invalid channel
/// param" ("Error Code"). The topics served are the docs' own examples (a topic names its
/// filter, and the description lists whole topics). The futures stream (`action: access`,
/// `{"action":"subscribe","args":["futures/order"]}`) is served at the same path on another
/// host and speaks another dialect: one description holds one, so it is not served here.
/// Assumed: a refused login leaves the connection open (BitMart's docs say it closes it).
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/user",
    idle: Duration::from_secs(20),
    ping: crate::exchange::StreamPing::Text { ping: "ping", pong: "pong" },
    subscribe: crate::exchange::StreamSubscribe {
        when: ("op", "subscribe"),
        list: "args",
        channel: "",
        sample: r#"{"op":"subscribe","args":["spot/user/order:BTC_USDT"]}"#,
    },
    channels: &["spot/user/order:BTC_USDT", "spot/user/orders:ALL_SYMBOLS", "spot/user/balance:BALANCE_UPDATE"],
    answers: crate::exchange::StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    ..crate::exchange::PrivateStream::NONE
};

/// One `{"event":"subscribe","topic"}` per topic.
fn stream_subscribed(sent: &crate::exchange::StreamMessage<'_>) -> Vec<Value> {
    sent.args.iter().filter_map(|topic| topic.as_str()).map(|topic| json!({"event": "subscribe", "topic": topic})).collect()
}

/// The push of a subscribed topic: `{"table":"<channel>","data":[…]}`, an order of the topic's
/// symbol (BTC_USDT for all symbols) or a balance change.
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let topic = sent.channel("").unwrap_or_default();
    let (table, filter) = topic.split_once(':').unwrap_or((topic, ""));
    let millis = sent.now.unix_millis().to_string();
    if table == "spot/user/balance" {
        let change = json!({
            "event_type": "TRANSACTION_COMPLETED", "event_time": millis,
            "balance_details": [{"ccy": "USDT", "av_bal": "970.00", "fz_bal": "30.00"}],
        });
        return json!({"table": table, "data": [change]});
    }
    let symbol = if filter.contains('_') && filter != "ALL_SYMBOLS" { filter } else { "BTC_USDT" };
    let order = json!({
        "symbol": symbol, "side": "buy", "type": "limit", "notional": "", "size": "0.0100000000",
        "ms_t": millis, "price": "30000.0000000000", "filled_notional": "0.0000000000",
        "filled_size": "0.0000000000", "margin_trading": "0", "state": "4", "order_id": "2147857398",
        "order_type": "0", "last_fill_time": "0", "last_fill_price": "0", "last_fill_count": "0",
        "exec_type": "M", "detail_id": "", "client_order_id": "cexsign1", "create_time": millis,
        "update_time": millis, "order_mode": "spot", "entrust_type": "NORMAL", "order_state": "new",
        "dealFee": "0", "deal_fee_coin_name": "",
    });
    json!({"table": table, "data": [order]})
}

/// `{"event":"subscribe","errorCode","errorMessage"}`: 91006 before the login, 90004 for a
/// topic not served.
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let (code, message) = match sent.refusal {
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => ("91006", "User not logged in"),
        _ => ("90004", "Invalid channel param"),
    };
    json!({"event": "subscribe", "errorCode": code, "errorMessage": message})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_time_round_trips() {
        let now = Timestamp::from_unix_millis(1_527_777_538_000);
        let answer = SERVER_TIME.endpoint.answer(now);
        assert_eq!((SERVER_TIME.read)(&answer), Ok(now));
        let documented = json!({"code": 1000, "trace": "x", "message": "OK", "data": {"server_time": 1_527_777_538_000_u64}});
        assert_eq!((SERVER_TIME.read)(&documented), Ok(now));
        assert!((SERVER_TIME.read)(&json!({"data": {"server_time": "soon"}})).is_err());
    }

    /// BitMart's docs: spot "Login" answers `{"event":"login"}`, futures v2 "Login"
    /// `{"action":"access","success":true}`.
    #[test]
    fn an_accepted_login_is_answered_as_its_market_does() {
        let answer = |message: Value| {
            let Value::Object(message) = message else { unreachable!() };
            ws_logged_in(&crate::exchange::WsAccepted::new(&message, "k", Timestamp::from_unix_millis(1), "c"))
        };
        assert_eq!(answer(json!({"op": "login", "args": ["k", "1", "s"]})), json!({"event": "login"}));
        assert_eq!(
            answer(json!({"action": "access", "args": ["k", "1", "s", "web"]})),
            json!({"action": "access", "success": true})
        );
    }

    #[test]
    fn the_ws_market_is_a_setting() {
        let credentials = Credentials::new()
            .api_key("80618e45710812162b04892c7ee5ead4a3cc3e56")
            .secret("6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9")
            .passphrase("test001");
        let futures = signer(&credentials, &KeySettings::new().ws_auth_type("futures")).unwrap();
        let at = Timestamp::from_unix_millis(1_589_267_764_859);
        assert!(futures.sign_ws(&crate::WsRequest::login(), at).unwrap().message_json().starts_with(r#"{"action":"access""#));
        let err = signer(&credentials, &KeySettings::new().ws_auth_type("margin")).unwrap_err();
        assert!(err.to_string().contains("spot or futures"), "{err}");
    }
}
