//! Kraken spot REST: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{KrakenSigner};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, KeySettings, KeyVariants, Mark, RestVerification, Routing, WsSigning};
use crate::exchange::WsLogin;
use crate::recipe::{Algorithm, Carrier, DigestOutput, Hash, Part, Recipe, SignatureEncoding, Signing};
use crate::server_time::{SECONDS, ServerTimeApi, TimeRoute, integer};

/// Kraken, as the engines see it.
pub(crate) const KRAKEN: Exchange = Exchange {
    id: "kraken",
    name: "Kraken",
    // The nonce is a field of the body.
    rest_auth: Some(AuthNames::new("API-Key", "API-Sign", "nonce", None)),
    // Kraken's private websocket takes a token fetched over REST: no signed message.
    ws_auth: None,
    ws_api_auth: None,
    ws_login: WsLogin::Absent {
        instead: "Kraken's websocket has no signed login message: sign POST /0/private/GetWebSocketsToken as a REST \
                  request (this server verifies it) and put the token it returns in the ws v2 subscribe messages",
    },
    private_stream: PRIVATE_STREAM,
    // No window: the nonce only has to grow.
    window: None,
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.kraken.com"],
    // Kraken sends `API-Key` too: its `API-Sign` (or, without one, its `/0/` paths) must win over
    // Delta's `api-key`, hence a precedence before Delta's.
    routing: Routing::new(&[Mark::named("api-sign"), Mark::named("api-key").under("/0/")], &["/0/private/", "/0/"], 60),
    rest_verification: RestVerification::BodyNonce,
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // The nonce travels in the body and is hashed in front of it; the method is not signed.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Parameter("nonce"),
        parts: &[
            Part::Path,
            Part::Digest { hash: Hash::Sha256, output: DigestOutput::Raw, of: &[Part::Timestamp, Part::Body] },
        ],
        keys: &[Signing::hmac_base64_secret(Algorithm::HmacSha512, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Unsigned { hint: "diagnose the signed POST /0/private/GetWebSocketsToken REST request instead" },
        nonce_in_body: true,
        content_type_must_match_body: true,
        window_in_words: Some("none: the nonce must only exceed the last nonce this key used"),
        pitfalls: "Kraken: EAPI:Invalid nonce means a nonce not above the last one (two processes sharing a key, or a switch from 1e8-scale nonces back to milliseconds); with 2FA on the key, otp must be in the body.",
        mistakes: &[
            M::KrakenNonceMissing, M::KeySecretSwapped, M::KrakenContentTypeMismatch, M::HexInsteadOfBase64,
            M::SecretNotBase64Decoded, M::HmacArgumentsSwapped, M::KrakenDigestHex, M::KrakenNonceNotHashed,
            M::FormBodyReencoded, M::BodyReserialized, M::PathMissingLeadingSlash, M::PathIncludesHost,
            M::KrakenNonceDiffers,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// Kraken signers take no settings.
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(KrakenSigner::new(credentials)?))
}

/// Kraken's `GET /0/public/Time`: whole seconds and an RFC 1123 date,
/// `{"error":[],"result":{"unixtime":<s>,"rfc1123":…}}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/0/public/Time", resolution: SECONDS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"error": [], "result": {"unixtime": now.unix_secs(), "rfc1123": rfc1123(now)}})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    if json.get("error").and_then(Value::as_array).is_some_and(|e| !e.is_empty()) {
        return Err("the error array is not empty");
    }
    let secs = json.pointer("/result/unixtime").ok_or("no result.unixtime field")?;
    integer(secs).map(Timestamp::from_unix_secs).ok_or("result.unixtime is not a second count")
}

/// Kraken's `rfc1123` field: `Sun,  7 Jun 20 04:07:53 +0000` (day space-padded, two-digit year,
/// as Kraken writes it).
fn rfc1123(now: Timestamp) -> String {
    let Ok(secs) = i64::try_from(now.unix_secs()) else {
        return String::new();
    };
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(secs) else {
        return String::new();
    };
    let weekday = match t.weekday() {
        time::Weekday::Monday => "Mon",
        time::Weekday::Tuesday => "Tue",
        time::Weekday::Wednesday => "Wed",
        time::Weekday::Thursday => "Thu",
        time::Weekday::Friday => "Fri",
        time::Weekday::Saturday => "Sat",
        time::Weekday::Sunday => "Sun",
    };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS[usize::from(u8::from(t.month())) - 1];
    format!(
        "{weekday}, {:>2} {month} {:02} {:02}:{:02}:{:02} +0000",
        t.day(),
        t.year().rem_euclid(100),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Kraken orders (REST "Add Order"): `POST /0/private/AddOrder`, form (or JSON) body, with
/// `cl_ord_id` (`userref` is an integer tag that need not be unique, so it is no idempotency key).
/// Kraken's docs do not say what it answers a repeated `cl_ord_id`: a retry carrying one is not
/// known to be safe. Busy: EService:Unavailable and EService:Busy.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("cl_ord_id")),
    placing: &[crate::exchange::PlaceOrder::post("/0/private/AddOrder")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &["EService:Unavailable", "EService:Busy"],
};

/// Kraken's private stream, websocket v2 (docs.kraken.com: "Spot WebSocket Authentication",
/// "Get Websockets Token", "executions", "ping"; python-kraken-sdk's `SpotWSClient`): a signed
/// `POST /0/private/GetWebSocketsToken` (nonce body) grants `{"token","expires":900}`; the
/// client connects to `wss://ws-auth.kraken.com/v2` and puts the token in every private
/// subscribe, `{"method":"subscribe","params":{"channel":"executions","token"},"req_id"}`,
/// answered `{"method":"subscribe","result":{"channel",…},"success":true,"time_in","time_out",
/// "req_id"}` and followed by the channel's `snapshot`. `{"method":"ping","req_id"}` is answered
/// `{"method":"pong","req_id","time_in","time_out"}`. A token is to be used within 15 minutes;
/// an unknown or expired one is refused `{"error":"ESession:Invalid session","method":
/// "subscribe","success":false,…}` (Kraken support's wording for a stale token, quoted in
/// XChange#3697; the v2 frame as kraken v2 clients parse it). The connection closes after about
/// a minute without traffic. Assumed: the wording of a subscribe without a token and of an
/// unknown channel (`EGeneral:Invalid arguments:…`).
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/v2",
    idle: Duration::from_secs(60),
    ping: crate::exchange::StreamPing::Json { field: "method", value: "ping", answer: stream_pong },
    channels: &["executions", "balances"],
    answers: crate::exchange::StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    subscribe: crate::exchange::StreamSubscribe {
        when: ("method", "subscribe"),
        list: "",
        channel: "params.channel",
        sample: r#"{"method":"subscribe","params":{"channel":"executions","snap_orders":true},"req_id":1}"#,
    },
    login: crate::exchange::StreamLogin::Token(crate::exchange::StreamToken {
        path: "/0/private/GetWebSocketsToken",
        content_type: "application/x-www-form-urlencoded",
        granted: r#"{"error":[],"result":{"token":"","expires":900}}"#,
        token_at: "/result/token",
        endpoint: crate::exchange::TokenEndpoint::Fixed("wss://ws-auth.kraken.com/v2"),
        ping_interval_at: "",
        lifetime: Duration::from_secs(900),
        shown: crate::exchange::TokenShown::Field("params.token"),
    }),
    ..crate::exchange::PrivateStream::NONE
};

/// The channel a subscribe names (`params.channel`).
fn stream_channel<'a>(sent: &crate::exchange::StreamMessage<'a>) -> &'a str {
    sent.message.get("params").and_then(|params| params.get("channel")).and_then(Value::as_str).unwrap_or_default()
}

/// Every v2 answer's tail: `time_in`, `time_out` (RFC 3339, microseconds) and the `req_id`.
fn stream_answer(sent: &crate::exchange::StreamMessage<'_>, mut answer: Value) -> Value {
    let now = rfc3339_micros(sent.now);
    answer["time_in"] = json!(now);
    answer["time_out"] = json!(now);
    if let Some(req_id) = sent.message.get("req_id") {
        answer["req_id"] = req_id.clone();
    }
    answer
}

fn stream_pong(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    stream_answer(sent, json!({"method": "pong"}))
}

fn stream_subscribed(sent: &crate::exchange::StreamMessage<'_>) -> Vec<Value> {
    let result = json!({"channel": stream_channel(sent), "snapshot": true, "maxratecount": 180});
    vec![stream_answer(sent, json!({"method": "subscribe", "result": result, "success": true}))]
}

/// The channel's snapshot: one open order, or the balances.
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let timestamp = rfc3339_micros(sent.now);
    match stream_channel(sent) {
        "balances" => json!({
            "channel": "balances", "type": "snapshot", "sequence": 1,
            "data": [{"asset": "USD", "asset_class": "currency", "balance": 10000.0,
                      "wallets": [{"type": "spot", "id": "main", "balance": 10000.0}]}],
        }),
        _ => json!({
            "channel": "executions", "type": "snapshot", "sequence": 1,
            "data": [{"order_id": "OK4GJX-KSTLS-7DZZO5", "cl_ord_id": "cexsign1", "symbol": "BTC/USD",
                      "side": "buy", "order_type": "limit", "order_qty": 0.01, "limit_price": 30000.0,
                      "time_in_force": "GTC", "order_status": "new", "exec_type": "new", "cum_qty": 0.0,
                      "cum_cost": 0.0, "timestamp": timestamp}],
        }),
    }
}

/// `{"error","method":"subscribe","success":false,…}`.
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let error = match sent.refusal {
        Some(crate::exchange::StreamRefusal::TokenRefused) => "ESession:Invalid session".to_owned(),
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => "EGeneral:Invalid arguments:token required".to_owned(),
        _ => format!("EGeneral:Invalid arguments:channel {} not found", stream_channel(sent)),
    };
    stream_answer(sent, json!({"error": error, "method": "subscribe", "success": false}))
}

/// `2023-09-22T10:33:05.709950Z`, as Kraken's v2 messages write times.
fn rfc3339_micros(now: Timestamp) -> String {
    let since = now.duration_since_epoch();
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(i64::try_from(since.as_secs()).unwrap_or(i64::MAX)) else {
        return String::new();
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        since.subsec_micros()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kraken_rfc1123_matches_the_docs_example() {
        // The example of Kraken's docs: unixtime 1591502873.
        assert_eq!(rfc1123(Timestamp::from_unix_secs(1_591_502_873)), "Sun,  7 Jun 20 04:07:53 +0000");
        assert_eq!(rfc1123(Timestamp::from_unix_secs(1_700_000_000)), "Tue, 14 Nov 23 22:13:20 +0000");
    }

    /// AUTH-more.md's GetWebSocketsToken row (the key of Kraken's "Spot REST Authentication"
    /// guide): the stream's token request, signed at 1700000000000, adds that nonce and signs it.
    #[test]
    fn the_stream_token_request_signs_as_the_spec_row() {
        let credentials = Credentials::new().api_key("key").secret(
            "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
        );
        let token = PRIVATE_STREAM.token().unwrap();
        let signer = KrakenSigner::new(&credentials).unwrap();
        let signed = signer.sign(&token.request().unwrap(), Timestamp::from_unix_millis(1_700_000_000_000)).unwrap();
        assert_eq!(signed.wire_body(), Some(&b"nonce=1700000000000"[..]));
        assert_eq!(
            signed.signature(),
            "L/HkUJA19dVkFWobMGRZ+ieHJspDjuRKCO4HaDSDOJLC6G5uhsGzdjFlh7pqRkri+0xgT0dgSyICpRtNqxzHsg=="
        );
    }

    #[test]
    fn kraken_v2_times_are_rfc3339_with_microseconds() {
        let at = Timestamp::from_duration_since_epoch(Duration::from_micros(1_695_378_785_709_950));
        assert_eq!(rfc3339_micros(at), "2023-09-22T10:33:05.709950Z");
    }
}
