//! Coinbase Exchange (formerly Coinbase Pro): everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{CoinbaseExchangeSigner};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Scheme, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing};
use crate::exchange::{WsAccepted, WsLogin, WsMessage, WsPart};
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, decimal_seconds, iso_millis};

/// Coinbase Exchange, as the engines see it.
pub(crate) const COINBASE_EXCHANGE: Exchange = Exchange {
    id: "coinbase_exchange",
    name: "Coinbase Exchange",
    rest_auth: Some(AuthNames::new("CB-ACCESS-KEY", "CB-ACCESS-SIGN", "CB-ACCESS-TIMESTAMP", Some("CB-ACCESS-PASSPHRASE"))),
    ws_auth: Some(AuthNames::new("key", "signature", "timestamp", Some("passphrase"))),
    ws_api_auth: None,
    // A signed subscribe: the signature covers the channels and products.
    ws_login: WsLogin::Signed(&[WsMessage::new(
        &[
            WsPart::Type(&["subscribe"]),
            WsPart::Products("product_ids"),
            WsPart::Channels("channels"),
            WsPart::Signature,
            WsPart::Key,
            WsPart::Passphrase,
            WsPart::Timestamp,
        ],
        ws_answer,
    )]),
    private_stream: PRIVATE_STREAM,
    window: Some(Duration::from_secs(30)),
    // Whole or decimal seconds, whatever precision the client sends.
    rest_timestamp_accepted: Some(TimestampFormat::UnixSecondsFraction { digits: 3 }),
    ws_timestamp_accepted: Some(TimestampFormat::UnixSecondsFraction { digits: 3 }),
    hosts: &["api.exchange.coinbase.com", "api-public.sandbox.exchange.coinbase.com", "api.pro.coinbase.com"],
    // Its API is at the root: every path no other exchange owns, and `CB-ACCESS-*` outside
    // Advanced Trade's `/api/v3/`.
    routing: Routing::new(&[Mark::prefixed("cb-access-")], &[""], 110),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new(
            "base64(HMAC-SHA256(base64_decode(secret), timestamp + METHOD + path + ?query + body))",
        )
        .passphrase_absent_hint(
            "requests outside /api/v3/ are verified as Coinbase Exchange, which needs CB-ACCESS-PASSPHRASE; \
             Advanced Trade paths start with /api/v3/",
        ),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    recipe: Ok(Recipe {
        // Integer seconds, or seconds with a fraction (the docs allow decimals).
        timestamps: &[TimestampFormat::UnixSeconds, TimestampFormat::UnixSecondsFraction { digits: 3 }],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Timestamp,
            Part::Method,
            Part::Path,
            Part::Query { form: QueryForm::AsSent, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac_base64_secret(Algorithm::HmacSha256, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        pitfalls: "Coinbase Exchange: sandbox and production keys are separate.",
        mistakes: &[
            M::KeySecretSwapped, M::TimestampMillisecondsForSeconds, M::TimestampFormatWrong, M::PassphraseWrong,
            M::HexInsteadOfBase64, M::SecretNotBase64Decoded, M::PassphraseAsSecret, M::HmacArgumentsSwapped,
            M::MethodLowercase, M::QueryNotSigned, M::QuerySignedWithoutQuestionMark, M::QuerySignedUnencoded,
            M::QueryEncodingDiffers, M::QueryOrderDiffers, M::EmptyBodyAsBraces, M::BodyReserialized,
            M::PathMissingLeadingSlash, M::PathIncludesHost, M::PrehashOrderWrong, M::TimestampHeaderDiffers,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `fraction_digits` (else the decimals of `timestamp_sample`, else none) sets the precision of
/// the seconds sent.
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let sampled = settings.timestamp_sample.as_deref().and_then(|t| t.split_once('.')).map(|(_, f)| f.len());
    let digits = match (settings.fraction_digits, sampled) {
        (Some(digits), _) => digits,
        (None, Some(digits)) => u8::try_from(digits).map_err(|_| Error::InvalidKeySetting {
            scheme: Scheme::CoinbaseExchange,
            setting: "timestamp_sample",
            expected: "seconds with at most 9 decimals".to_owned(),
        })?,
        (None, None) => 0,
    };
    Ok(Box::new(CoinbaseExchangeSigner::new(credentials)?.with_fraction_digits(digits)?))
}

/// Coinbase Exchange's `GET /time`: `{"iso":…,"epoch":<decimal seconds>}`, the epoch a JSON
/// number with millisecond precision.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"iso": iso_millis(now), "epoch": now.unix_millis() as f64 / 1000.0})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let epoch = json.get("epoch").ok_or("no epoch field")?;
    decimal_seconds(epoch).ok_or("epoch is not a number of seconds")
}

/// Coinbase Exchange's answer to an accepted subscribe: every channel with its products.
fn ws_answer(accepted: &WsAccepted<'_>) -> Value {
    let channels: Vec<Value> = accepted
        .channels
        .iter()
        .map(|(name, products)| json!({"name": name, "product_ids": products}))
        .collect();
    json!({"type": "subscriptions", "channels": channels})
}

/// Coinbase Exchange orders ("Create a new order"): `POST /orders`, JSON body, with `client_oid`
/// (a UUID). Its docs do not say what it answers a repeated `client_oid`, nor name a "busy, not
/// processed" answer beyond 429.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("client_oid")),
    placing: &[crate::exchange::PlaceOrder::post("/orders")],
    duplicate: crate::exchange::DuplicateOrder::Undocumented,
    busy: &[],
};

/// `wss://ws-feed.exchange.coinbase.com`, at `/`: the login *is* the subscribe. Coinbase
/// Exchange's websocket docs ("Authentication": a `subscribe` carrying `key`, `passphrase`,
/// `timestamp` and `signature`, signed as `GET /users/self/verify`; "Subscribe": the
/// `subscriptions` answer; "User channel": the full channel's messages for the key's own
/// orders, e.g. `received`; the feed has no application-level ping, only the protocol's
/// frames). Assumed: the idle limit (the docs' 5 s is until the first subscribe, which this
/// description cannot say: 60 s) and the error frames' `reason` wording; the docs give
/// `{"type":"error","message"}`.
const PRIVATE_STREAM: crate::exchange::PrivateStream = crate::exchange::PrivateStream {
    path: "/",
    idle: Duration::from_secs(60),
    channels: &["user"],
    answers: crate::exchange::StreamAnswers {
        event: stream_event,
        refused: stream_refused,
        ..crate::exchange::PrivateStream::NONE.answers
    },
    subscribe: crate::exchange::StreamSubscribe {
        when: ("type", "subscribe"),
        list: "channels",
        channel: "name",
        sample: r#"{"type":"subscribe","product_ids":["BTC-USD"],"channels":["user"]}"#,
    },
    login: crate::exchange::StreamLogin::SignedSubscribe {
        signed_by: "signature",
        channel: &["user"],
        products: &["BTC-USD"],
    },
    ..crate::exchange::PrivateStream::NONE
};

/// One `user` channel message: the key's own order `received` (its `user_id` and
/// `profile_id` are present only on authenticated messages).
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let time = TimestampFormat::Iso8601Millis.render(sent.now).unwrap_or_default();
    let product_id = sent
        .message
        .get("product_ids")
        .and_then(|products| products.get(0))
        .and_then(Value::as_str)
        .unwrap_or("BTC-USD");
    json!({
        "type": "received", "time": time, "product_id": product_id, "sequence": 10,
        "order_id": "d50ec984-77a8-460a-b958-66f114b0de9b", "size": "0.01", "price": "30000",
        "side": "buy", "order_type": "limit", "client_oid": "c0ffee00-0000-4000-8000-00000000c5e1",
        "user_id": "5844eceecf7e803e259d0365", "profile_id": "765d1549-9660-4be2-97d4-fa2d65fa3352",
    })
}

/// `{"type":"error","message":"Failed to subscribe","reason":…}`.
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let reason = match sent.refusal {
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => "user channel requires authentication".to_owned(),
        _ => format!("{} is not a valid channel", sent.channel("name").unwrap_or_default()),
    };
    json!({"type": "error", "message": "Failed to subscribe", "reason": reason})
}
