//! BitMEX: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.
//!
//! BitMEX's `api-expires` is an *expiry*, not a signing time: whole Unix seconds after which
//! BitMEX refuses the request. The description maps it onto the fields every exchange has:
//!
//! - `rest_auth.timestamp` is `api-expires` and the recipe's [`Part::Timestamp`] its text: the
//!   prehash holds the value as sent, whatever it means.
//! - `window` is `None`: BitMEX has no window around a signing time. It accepts any `expires`
//!   still in the future (how far ahead it tolerates is not documented), so a symmetric window
//!   would judge a valid request wrong. [`KeySettings::expires_in`] says how far ahead the signer
//!   puts it (5 s by default), [`KeySettings::ws_expiry`] the same for the login.
//! - What the description cannot say: that the timestamp is an expiry (valid while
//!   `now < expires`), so an engine that checks a timestamp against the server clock (the local
//!   exchange, the diagnosis of a clock skew) cannot check BitMEX's without being told.

mod errors;
mod signer;

pub use signer::{BITMEX_DEFAULT_EXPIRES_IN, BITMEX_DEFAULT_WS_EXPIRY, BitmexSigner};

use serde_json::{Value, json};

use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing, TimestampRule};
use crate::exchange::WsLogin;
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, iso_millis};
use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};

/// BitMEX, as the engines see it.
pub(crate) const BITMEX: Exchange = Exchange {
    id: "bitmex",
    name: "BitMEX",
    // The "timestamp" is `api-expires`, an expiry (see the module docs).
    rest_auth: Some(AuthNames::new("api-key", "api-signature", "api-expires", None)),
    // `{"op":"authKeyExpires","args":[key, expires, signature]}`: the fields name the args.
    ws_auth: Some(AuthNames::new("api_key", "signature", "expires", None)),
    ws_api_auth: None,
    ws_login: WsLogin::Resigned,
    // An expiry, not a timestamp in a window (see the module docs).
    private_stream: PRIVATE_STREAM,
    window: None,
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["www.bitmex.com", "testnet.bitmex.com"],
    // `api-expires` and `api-signature` are BitMEX's own names (Delta and Kraken send an
    // `api-key` too); its paths are under KuCoin's `/api/v1/`, so it owns none.
    routing: Routing::new(&[Mark::named("api-expires"), Mark::named("api-signature")], &[], 65),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new("hex(HMAC-SHA256(secret, VERB + path + ?query + expires + body))")
            .timestamp(TimestampRule::Expires)
            .sync_hint("sign every request (and retry) with an expiry a few seconds ahead; server time: GET"),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixSeconds],
        timestamp_in: Carrier::Header,
        // The expiry after the query, before the body.
        parts: &[
            Part::Method,
            Part::Path,
            Part::Query { form: QueryForm::AsSent, question_mark: true },
            Part::Timestamp,
            Part::Body,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        // The mistakes tests/diagnose/breadth.rs makes as a user's client would, each named by
        // the diagnosis and by the local exchange.
        mistakes: &[
            M::KeySecretSwapped, M::Base64InsteadOfHex, M::HmacArgumentsSwapped, M::MethodLowercase, M::QueryNotSigned,
            M::QuerySignedWithoutQuestionMark, M::QuerySignedUnencoded, M::QueryOrderDiffers,
            M::EmptyBodyAsBraces,
            M::BodyReserialized, M::PathMissingLeadingSlash, M::PathIncludesHost, M::TimestampHeaderDiffers,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `expires_in` (how far ahead `api-expires` lies) and `ws_expiry` (the login's).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let mut signer = BitmexSigner::new(credentials)?;
    if let Some(after) = settings.expires_in {
        signer = signer.with_expires_in(after);
    }
    if let Some(after) = settings.ws_expiry {
        signer = signer.with_ws_expiry(after);
    }
    Ok(Box::new(signer))
}

/// BitMEX's `GET /api/v1` (the API's root): `{"name":"BitMEX API","version":…,"timestamp":"<ISO ms>"}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v1", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"name": "BitMEX API", "version": "1.2.0", "timestamp": iso_millis(now)})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let text = json.get("timestamp").ok_or("no timestamp field")?.as_str().ok_or("timestamp is not a string")?;
    TimestampFormat::Iso8601Millis.parse(text).map_err(|_| "timestamp is not an ISO-8601 time with milliseconds")
}

/// BitMEX orders ("Order" > `POST /order`): `POST /api/v1/order`, JSON or form body, with
/// `clOrdID`; a repeat is refused with 400 "Duplicate clOrdID". Busy: 503 "currently overloaded".
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("clOrdID")),
    placing: &[crate::exchange::PlaceOrder::post("/api/v1/order")],
    duplicate: crate::exchange::DuplicateOrder::Refused("Duplicate clOrdID"),
    busy: &["The system is currently overloaded. Please try again later."],
};

/// `wss://ws.bitmex.com/realtime` (testnet `ws.testnet.bitmex.com`): `authKeyExpires`, then
/// `{"op":"subscribe","args":["order"]}`. BitMEX's websocket docs ("Authentication": answered
/// `{"success":true,"request":…}`; "Subscriptions": one `{"success":true,"subscribe":<topic>,
/// "request":…}` per topic, then the table's `partial`; "Heartbeats": the text `ping` answered
/// with `pong`; an account-locked topic before authentication is refused with status 401).
/// Assumed: the idle limit (the docs name none; 60 s), the 400 wording for an unknown table,
/// and that a topic with a filter (`order:XBTUSD`) is not served here.
///
/// The login may instead be handshake headers: `api-expires`, `api-key`, `api-signature` on the
/// upgrade, signed as a REST `GET /realtime` (AUTH-breadth.md §4; BitMEX's own sample adapter
/// bitmex-ws and sample market maker send only these). Refused, the socket is still opened and
/// gets `{"status":401,"error":…}`: the sample market maker, which authenticates only by these
/// headers, reads a `status` 401 frame as "API Key incorrect" (`ws_thread.py`); that the
/// connection then closes is assumed. Topics named in the URL (`?subscribe=margin`, as
/// bitmex-ws does) are subscribed once the headers log the connection in.
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/realtime",
    idle: std::time::Duration::from_secs(60),
    ping: crate::exchange::StreamPing::Text { ping: "ping", pong: "pong" },
    channels: &["order", "margin"],
    answers: crate::exchange::StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    subscribe: crate::exchange::StreamSubscribe {
        sample: r#"{"op":"subscribe","args":["order"]}"#,
        ..crate::exchange::PrivateStream::NONE.subscribe
    },
    handshake: Some(crate::exchange::StreamHandshake::OPTIONAL),
    // "Subscriptions": topics may be named in the URL, `/realtime?subscribe=instrument,order`.
    subscribe_in_url: "subscribe",
    ..crate::exchange::PrivateStream::NONE
};

/// `{"success":true,"subscribe":<topic>,"request":…}`, one per topic.
fn stream_subscribed(sent: &crate::exchange::StreamMessage<'_>) -> Vec<Value> {
    sent.args
        .iter()
        .map(|topic| json!({"success": true, "subscribe": topic, "request": sent.message}))
        .collect()
}

/// The table's `partial`: the key's open order, or its margin.
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let time = TimestampFormat::Iso8601Millis.render(sent.now).unwrap_or_default();
    match sent.channel("") {
        Some("margin") => json!({
            "table": "margin", "action": "partial", "keys": ["account", "currency"], "filter": {"account": 2},
            "data": [{
                "account": 2, "currency": "XBt", "amount": 1_000_000, "walletBalance": 1_000_000,
                "availableMargin": 1_000_000, "timestamp": time,
            }],
        }),
        _ => json!({
            "table": "order", "action": "partial", "keys": ["orderID"], "filter": {"account": 2},
            "data": [{
                "orderID": "b0c3b1a2-0000-4000-8000-00000000c5e1", "clOrdID": "cexsign1", "account": 2,
                "symbol": "XBTUSD", "side": "Buy", "orderQty": 100, "price": 30000, "ordType": "Limit",
                "ordStatus": "New", "leavesQty": 100, "cumQty": 0, "transactTime": time, "timestamp": time,
            }],
        }),
    }
}

/// `{"status","error","meta":{},"request":…}`: 401 before authentication, 400 for an unknown
/// table; refused handshake headers: 401 with the REST answer's message (no request to echo).
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    if sent.refusal == Some(crate::exchange::StreamRefusal::HandshakeRefused) {
        let error = sent.message.get("error").and_then(|error| error.get("message")).cloned();
        return json!({"status": 401, "error": error.unwrap_or_else(|| "Signature not valid.".into()), "meta": {}});
    }
    let (status, error) = match sent.refusal {
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => {
            (401, "User requested an account-locked subscription but no authorization has been provided.".to_owned())
        }
        _ => (400, format!("Unknown table: {}", sent.channel("").unwrap_or_default())),
    };
    json!({"status": status, "error": error, "meta": {}, "request": sent.message})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_time_round_trips() {
        let now = Timestamp::from_unix_millis(1_718_007_977_123);
        let answer = SERVER_TIME.endpoint.answer(now);
        assert_eq!(answer["timestamp"], "2024-06-10T08:26:17.123Z");
        assert_eq!((SERVER_TIME.read)(&answer), Ok(now));
        assert!((SERVER_TIME.read)(&json!({"timestamp": 1718007977})).is_err());
    }
}
