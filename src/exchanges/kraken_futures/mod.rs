//! Kraken Futures (derivatives REST and the websocket challenge): everything cexsign knows
//! about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.
//!
//! Kraken Futures is not Kraken spot (`kraken/`): it signs `postData + nonce + endpointPath`
//! (AUTH-breadth.md §3), the nonce is an optional `Nonce` header rather than a body field, and the
//! path is signed without its leading `/derivatives` ([`Part::PathWithoutPrefix`]). A key's settings choose whether the nonce
//! is sent: an empty `timestamp_sample` (a client that sends no timestamp, as ccxt) sends none.

mod errors;
mod signer;

pub use signer::KrakenFuturesSigner;

use serde_json::{Value, json};

use crate::diagnose::MistakeCode as M;
use crate::exchange::{
    AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing,
    TimestampRule, WsAccepted, WsLogin, WsMessage, WsPart, WsSigning,
};
use crate::recipe::{Algorithm, Carrier, DigestOutput, Hash, Part, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, iso_millis};
use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};

/// Kraken Futures, as the engines see it.
pub(crate) const KRAKEN_FUTURES: Exchange = Exchange {
    id: "kraken_futures",
    name: "Kraken Futures",
    // "APIKey", "Authent" and the optional "Nonce" (Kraken's "Futures REST", Authentication).
    rest_auth: Some(AuthNames::new("APIKey", "Authent", "Nonce", None)),
    // Each private subscribe carries the key, the challenge and the signed challenge; there is
    // no time in it (the challenge stands in for one).
    ws_auth: Some(AuthNames::new("api_key", "signed_challenge", "original_challenge", None)),
    ws_api_auth: None,
    // `{"event":"subscribe","feed":…,"api_key":…,"original_challenge":…,"signed_challenge":…}`
    // (Kraken's "Futures WebSocket", challenge and private feeds). Not checked here: that the
    // challenge is one the server issued to this key.
    ws_login: WsLogin::Challenged(&[WsMessage::new(
        &[
            WsPart::Event("event"),
            WsPart::Channel("feed"),
            WsPart::Key,
            WsPart::Data("original_challenge"),
            WsPart::Signature,
        ],
        ws_answer,
    )]),
    private_stream: PRIVATE_STREAM,
    // No window: the nonce, when sent, only has to grow.
    window: None,
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["futures.kraken.com", "demo-futures.kraken.com"],
    // `Authent` is Kraken Futures' own header name; `/derivatives/` and `/api/history/` its paths.
    routing: Routing::new(&[Mark::named("authent")], &["/derivatives/", "/api/history/"], 33),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new(
            "base64(HMAC-SHA512(base64_decode(secret), SHA256(postData + nonce + path without /derivatives)))",
        )
        .timestamp(TimestampRule::OptionalNonce)
        .sync_hint("send a Nonce above the last one this key used (milliseconds), or none; the time is in every answer's serverTime, e.g."),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // SHA-256 of postData (the query, or the body of a POST) + the nonce (nothing when no Nonce
    // header is sent) + the path without /derivatives; the digest's raw bytes are HMACed.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[Part::Digest {
            hash: Hash::Sha256,
            output: DigestOutput::Raw,
            of: &[Part::QueryOrBody, Part::Timestamp, Part::PathWithoutPrefix(signer::UNSIGNED_PREFIX)],
        }],
        keys: &[Signing::hmac_base64_secret(Algorithm::HmacSha512, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Challenge { field: "original_challenge" },
        window_in_words: Some("none: a Nonce, when sent, must only exceed the last nonce this key used"),
        pitfalls: "Kraken Futures: sign the path without /derivatives (/api/v3/sendorder for \
                   /derivatives/api/v3/sendorder; /api/history/… whole), the parameters exactly as sent, \
                   percent-encoding included (hashed decoded before 20 Feb 2024), the SHA-256 digest as raw bytes, \
                   with the base64-decoded secret; a Nonce header must be both sent and hashed, or neither. Kraken \
                   spot's order (path + SHA256(nonce + data)) is another scheme.",
        // The mistakes tests/diagnose/breadth.rs makes as a user's client would (AUTH-breadth.md
        // §3's among them), each named by the diagnosis and by the local exchange.
        mistakes: &[
            M::KeySecretSwapped, M::HexInsteadOfBase64, M::SecretNotBase64Decoded, M::HmacArgumentsSwapped,
            M::KrakenDigestHex, M::KrakenNonceNotHashed, M::QueryNotSigned, M::QuerySignedUnencoded,
            M::QueryOrderDiffers, M::FormBodyReencoded, M::PathPrefixNotStripped, M::TimestampHeaderDiffers,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// Sends a `Nonce` header unless `timestamp_sample` is given and empty (a client that sends no
/// timestamp, as ccxt's krakenfutures).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let signer = KrakenFuturesSigner::new(credentials)?;
    Ok(match settings.timestamp_sample.as_deref() {
        Some("") => Box::new(signer.without_nonce()),
        _ => Box::new(signer),
    })
}

/// `{"event":"subscribed","feed":…,"api_key":…,"original_challenge":…}` (or `unsubscribed`), as
/// Kraken's docs show a private feed's answer.
fn ws_answer(accepted: &WsAccepted<'_>) -> Value {
    let event = match accepted.message.get("event").and_then(Value::as_str) {
        Some("unsubscribe") => "unsubscribed",
        _ => "subscribed",
    };
    json!({
        "event": event,
        "feed": accepted.message.get("feed").cloned().unwrap_or(Value::Null),
        "api_key": accepted.api_key,
        "original_challenge": accepted.message.get("original_challenge").cloned().unwrap_or(Value::Null),
    })
}

/// `wss://futures.kraken.com/ws/v1` (Kraken's "Futures WebSocket" guide; its "challenge",
/// "open_orders" and "balances" pages): `{"event":"challenge","api_key":…}` is answered
/// `{"event":"challenge","message":<UUID>}`, a challenge the server keeps for the connection;
/// every private subscribe carries `api_key`, `original_challenge` and `signed_challenge` and is
/// answered `{"event":"subscribed",…}` (the login's answer, [`ws_answer`]), then the feed's
/// snapshot (`open_orders_snapshot`, `balances_snapshot`). A ping at least every 60 s keeps the
/// connection (the protocol's, as Kraken's sample implementation sends). Errors are
/// `{"event":"error","message":…}`; only `Json Error` is documented, so the wordings for a
/// challenge not issued (`Invalid challenge`) and an unknown feed (`Invalid feed`) are assumed.
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/ws/v1",
    idle: std::time::Duration::from_secs(60),
    subscribe: crate::exchange::StreamSubscribe {
        when: ("event", "subscribe"),
        list: "",
        channel: "feed",
        sample: r#"{"event":"subscribe","feed":"open_orders"}"#,
    },
    channels: &["open_orders", "balances"],
    answers: crate::exchange::StreamAnswers { subscribed: stream_subscribed, event: stream_event, refused: stream_refused },
    login: crate::exchange::StreamLogin::SignedSubscribe {
        signed_by: "signed_challenge",
        channel: &["open_orders"],
        products: &[],
    },
    challenge: Some(crate::exchange::StreamChallenge::new(("event", "challenge"), "api_key", stream_challenge, "message")),
    ..crate::exchange::PrivateStream::NONE
};

/// `{"event":"challenge","message":<the challenge>}`.
fn stream_challenge(_: &crate::exchange::StreamMessage<'_>, challenge: &str) -> Value {
    json!({"event": "challenge", "message": challenge})
}

/// `{"event":"subscribed","feed":…}` per feed.
fn stream_subscribed(sent: &crate::exchange::StreamMessage<'_>) -> Vec<Value> {
    sent.args.iter().map(|arg| json!({"event": "subscribed", "feed": arg.get("feed")})).collect()
}

/// The feed's snapshot: the key's open order, or its balances.
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let time = sent.now.unix_millis();
    match sent.channel("feed") {
        Some("balances") => json!({
            "feed": "balances_snapshot", "account": "cexsign-account", "seq": 0, "timestamp": time,
            "holding": {}, "futures": {},
            "flex_futures": {"currencies": {"USD": {"quantity": 1000.0, "value": 1000.0}}, "balance_value": 1000.0},
        }),
        _ => json!({
            "feed": "open_orders_snapshot", "account": "cexsign-account",
            "orders": [{
                "instrument": "PF_XBTUSD", "time": time, "last_update_time": time, "qty": 1.0, "filled": 0.0,
                "limit_price": 30000.0, "stop_price": 0.0, "type": "limit", "order_id": "c5e1c5e1-0000-4000-8000-00000000c5e1",
                "cli_ord_id": "cexsign1", "direction": 0, "reduce_only": false,
            }],
        }),
    }
}

/// `{"event":"error","message":…}`.
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let message = match sent.refusal {
        Some(crate::exchange::StreamRefusal::UnknownChannel) => "Invalid feed",
        _ => "Invalid challenge",
    };
    json!({"event": "error", "message": message})
}

/// Kraken Futures places orders with `POST /derivatives/api/v3/sendorder` (form body), with an
/// optional `cliOrdId` (Kraken's "Send order"; the conformance vectors). What it answers a
/// repeated `cliOrdId`, and which answer means "busy, not processed", are not documented where
/// we read (its `Unavailable` error does not say whether the order was acted on).
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("cliOrdId")),
    placing: &[crate::exchange::PlaceOrder::post("/derivatives/api/v3/sendorder")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};

/// Kraken Futures has no time endpoint of its own: every answer carries `serverTime` (ISO 8601,
/// milliseconds), e.g. the public `GET /derivatives/api/v3/instruments`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/derivatives/api/v3/instruments", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"result": "success", "instruments": [], "serverTime": iso_millis(now)})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let time = json.get("serverTime").and_then(Value::as_str).ok_or("no serverTime field")?;
    TimestampFormat::Iso8601Millis.parse(time).map_err(|_| "serverTime is not an ISO 8601 time with milliseconds")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_time_round_trips() {
        let now = Timestamp::from_unix_millis(1_456_393_553_818);
        let answer = SERVER_TIME.endpoint.answer(now);
        assert_eq!((SERVER_TIME.read)(&answer), Ok(now));
        // The example of Kraken's docs.
        let documented = json!({"result": "success", "serverTime": "2016-02-25T09:45:53.818Z"});
        assert_eq!((SERVER_TIME.read)(&documented), Ok(now));
        assert!((SERVER_TIME.read)(&json!({"result": "success"})).is_err());
    }

    #[test]
    fn an_empty_timestamp_sample_sends_no_nonce() {
        let credentials = Credentials::new()
            .api_key("my-key")
            .secret("7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm");
        let request = crate::SignableRequest::new(crate::Method::Get, "/derivatives/api/v3/accounts").unwrap();
        let at = Timestamp::from_unix_millis(1_700_000_000_000);
        let plain = signer(&credentials, &KeySettings::new()).unwrap().sign(&request, at).unwrap();
        assert_eq!(plain.header("Nonce"), Some("1700000000000"));
        let bare = signer(&credentials, &KeySettings::new().timestamp_sample("")).unwrap().sign(&request, at).unwrap();
        assert_eq!(bare.header("Nonce"), None);
        assert_ne!(plain.signature(), bare.signature());
    }
}
