//! Coinbase Advanced Trade: everything cexsign knows about it, for both kinds of key — legacy
//! HMAC keys (`hmac`) and CDP keys, signed as ES256 or Ed25519 JWTs (`cdp`, feature `cdp`).
//!
//! The two schemes share the API: its hosts, its server time and its error answers (`errors`).

#[cfg(feature = "cdp")]
mod cdp;
mod errors;
mod hmac;

#[cfg(feature = "cdp")]
pub use cdp::{CdpKeyType, CoinbaseCdpSigner};
pub use hmac::CoinbaseAdvancedHmacSigner;

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Scheme, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing};
use crate::exchange::{JwtMessage, WsAccepted, WsLogin, WsMessage, WsPart};
use crate::recipe::{Algorithm, Carrier, NotARecipe, Part, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, SECONDS, ServerTimeApi, TimeRoute, decimal_seconds, iso_seconds, millis};

/// Advanced Trade is served on one host for both kinds of key.
const HOSTS: &[&str] = &["api.coinbase.com"];

/// Coinbase Advanced Trade with a legacy HMAC key.
pub(crate) const HMAC: Exchange = Exchange {
    id: "coinbase_advanced_hmac",
    name: "Coinbase Advanced Trade (legacy HMAC)",
    rest_auth: Some(AuthNames::new("CB-ACCESS-KEY", "CB-ACCESS-SIGN", "CB-ACCESS-TIMESTAMP", None)),
    ws_auth: Some(AuthNames::new("api_key", "signature", "timestamp", None)),
    ws_api_auth: None,
    ws_login: WsLogin::Signed(&[WsMessage::new(
        &[
            WsPart::Type(&["subscribe"]),
            WsPart::Products("product_ids"),
            WsPart::Channel("channel"),
            WsPart::Key,
            WsPart::Timestamp,
            WsPart::Signature,
        ],
        ws_subscriptions,
    )]),
    private_stream: HMAC_STREAM,
    window: Some(Duration::from_secs(30)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: HOSTS,
    // Legacy keys send the same `CB-ACCESS-*` headers as Coinbase Exchange: under `/api/v3/` they
    // are Advanced Trade's. A request without auth headers under /api/v3/brokerage/ is CDP's.
    routing: Routing::new(&[Mark::prefixed("cb-access-").under("/api/v3/")], &[], 100),
    rest_verification: RestVerification::Headers(HeaderCheck::new(
        "hex(HMAC-SHA256(secret, timestamp + METHOD + path + body)), the query NOT signed",
    )),
    signer: hmac_signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::HMAC_ERRORS,
    // The v3 endpoints do not sign the query.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixSeconds],
        timestamp_in: Carrier::Header,
        parts: &[Part::Timestamp, Part::Method, Part::Path, Part::Body],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        pitfalls: "Legacy Coinbase HMAC keys were expired in February 2025: create a CDP key.",
        mistakes: &[
            M::KeySecretSwapped, M::TimestampMillisecondsForSeconds, M::TimestampFormatWrong, M::Base64InsteadOfHex,
            M::SecretBase64Decoded, M::HmacArgumentsSwapped, M::MethodLowercase, M::QuerySigned,
            M::EmptyBodyAsBraces, M::BodyReserialized, M::PathMissingLeadingSlash, M::PathIncludesHost,
            M::PrehashOrderWrong, M::TimestampHeaderDiffers,
        ],
        rest_only: &[
            M::MethodLowercase, M::PathMissingLeadingSlash, M::PrehashOrderWrong,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// The kinds of CDP key, as the token's `alg` names them.
const CDP_KEY_TYPES: &[&str] = &["ES256", "EdDSA"];

/// Coinbase Advanced Trade with a CDP key.
pub(crate) const CDP: Exchange = Exchange {
    id: "coinbase_cdp_jwt",
    name: "Coinbase CDP",
    // A bearer JWT carries the key name, the time and the signature.
    rest_auth: None,
    ws_auth: None,
    ws_api_auth: None,
    // The same token in a subscribe, or alone.
    ws_login: WsLogin::Jwt(JwtMessage {
        token: "jwt",
        channel: "channel",
        types: &["subscribe", "unsubscribe"],
        products: "product_ids",
        answer: ws_subscriptions,
    }),
    private_stream: CDP_STREAM,
    // The token's own `nbf`/`exp` bound it (at most 120 s).
    window: Some(Duration::from_secs(120)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: HOSTS,
    routing: Routing::new(&[Mark::BEARER], &["/api/v3/brokerage/"], 90),
    rest_verification: RestVerification::BearerToken,
    signer: cdp_signer,
    key_variants: KeyVariants { key_types: CDP_KEY_TYPES, ..KeyVariants::NONE },
    server_time: SERVER_TIME,
    errors: errors::CDP_ERRORS,
    recipe: Err(NotARecipe {
        reason: "CDP keys sign a JWT: the signed bytes are base64url-encoded JSON (a header with a fresh random \
                 nonce, claims with an expiry and a `uri` of method, host and path), not a concatenation of \
                 request parts, and ES256 signatures are randomised",
    }),
    diagnosis: DiagnosisFacts {
        window_in_words: Some("the token's 120 s"),
        pitfalls: "Coinbase CDP: 403 \"Missing required scopes\" means the key lacks a permission.",
        mistakes: &[
            M::TimestampMillisecondsForSeconds, M::PathMissingLeadingSlash, M::JwtSignatureDer,
            M::JwtKidNotFullName, M::JwtUriHasQuery, M::JwtUriLowercaseMethod, M::JwtUriHasScheme,
            M::JwtUriWrongHost, M::JwtUriOtherEndpoint,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// Legacy HMAC keys take no settings.
fn hmac_signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(CoinbaseAdvancedHmacSigner::new(credentials)?))
}

/// `key_type` (`ES256` or `EdDSA`, checked against the key), `host` and `expires_in`.
#[cfg(feature = "cdp")]
fn cdp_signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let mut signer = CoinbaseCdpSigner::new(credentials)?;
    if let Some(expected) = settings.key_type_among(Scheme::CoinbaseCdp, CDP_KEY_TYPES)? {
        if signer.key_type().alg() != expected {
            return Err(Error::InvalidKeySetting {
                scheme: Scheme::CoinbaseCdp,
                setting: "key_type",
                expected: format!("{} (what the key given is)", signer.key_type().alg()),
            });
        }
    }
    if let Some(host) = &settings.host {
        signer = signer.with_host(host)?;
    }
    if let Some(expires_in) = settings.expires_in {
        signer = signer.with_expires_in(expires_in)?;
    }
    Ok(Box::new(signer))
}

/// Without the `cdp` feature there is no CDP signer.
#[cfg(not(feature = "cdp"))]
fn cdp_signer(_: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Err(Error::KeyTypeUnsupported {
        scheme: Scheme::CoinbaseCdp,
        problem: "Coinbase CDP keys are signed with the `cdp` feature (on by default)",
    })
}

/// Advanced Trade's `GET /api/v3/brokerage/time`, both epochs strings:
/// `{"iso":…,"epochSeconds":"<s>","epochMillis":"<ms>"}`; and the older Coinbase App v2
/// `GET /v2/time`: `{"data":{"iso":…,"epoch":<s>}}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v3/brokerage/time", resolution: MILLIS, answer: time_answer },
    also: &[TimeRoute { path: "/v2/time", resolution: SECONDS, answer: v2_time_answer }],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({
        "iso": iso_seconds(now),
        "epochSeconds": now.unix_secs().to_string(),
        "epochMillis": now.unix_millis().to_string(),
    })
}

fn v2_time_answer(now: Timestamp) -> Value {
    json!({"data": {"iso": iso_seconds(now), "epoch": now.unix_secs()}})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    if let Some(ms) = json.get("epochMillis") {
        return millis(ms).ok_or("epochMillis is not a millisecond count");
    }
    let secs = json.get("epochSeconds").or_else(|| json.pointer("/data/epoch"));
    let secs = secs.ok_or("no epochMillis, epochSeconds or data.epoch field")?;
    decimal_seconds(secs).ok_or("the epoch field is not a number of seconds")
}

/// Advanced Trade's answer to a subscribe: a `subscriptions` message listing what is subscribed.
fn ws_subscriptions(accepted: &WsAccepted<'_>) -> Value {
    let mut subscriptions = serde_json::Map::new();
    if let Some(channel) = accepted.channel() {
        subscriptions.insert(channel.to_owned(), json!(accepted.product_ids));
    }
    json!({
        "channel": "subscriptions",
        "client_id": "",
        "timestamp": iso_seconds(accepted.now),
        "sequence_num": 0,
        "events": [{"subscriptions": subscriptions}],
    })
}

/// Coinbase Advanced Trade orders ("Create Order"): `POST /api/v3/brokerage/orders`, JSON body,
/// with the required `client_order_id`: "if the ID provided is not unique, the order fails to be
/// created and the order corresponding to that ID is returned" (the Create Order reference, as
/// quoted by the SDKs' request models). No "busy, not processed" answer beyond 429.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("client_order_id")),
    placing: &[crate::exchange::PlaceOrder::post("/api/v3/brokerage/orders")],
    duplicate: crate::exchange::DuplicateOrder::ReturnsExisting,
    busy: &[],
};

/// `wss://advanced-trade-ws-user.coinbase.com`, at `/` (coinbase-advanced-py's `WSUserClient`,
/// `WS_USER_BASE_URL`; the Advanced Trade websocket guide's "User Order Data Endpoint"): every
/// subscribe is signed on its own, so the signed subscribe is the login. The docs'
/// "Subscribe": one channel per message, `{"type":"subscribe","product_ids","channel"}` plus
/// the key's fields, answered by a `subscriptions` message; "User channel": a `user` message
/// whose first event is a `snapshot` of the key's orders; "Heartbeats channel": a
/// `heartbeats` message with `current_time` and `heartbeat_counter`; no application-level
/// ping (heartbeats keep a quiet connection open), only the protocol's frames. A subscribe
/// without the key's fields is refused `{"type":"error","message":"authentication failure"}`
/// (coinbase-advanced-py#92). Assumed: the idle limit (the docs close a connection that sends
/// no subscribe within 5 s and a channel without updates within 60-90 s: 60 s here); an
/// unknown channel's error message; heartbeats, which the exchange serves without a key too,
/// are served here only to a signed subscribe.
const fn user_stream(signed_by: &'static str) -> crate::exchange::PrivateStream {
    crate::exchange::PrivateStream {
        path: "/",
        idle: Duration::from_secs(60),
        channels: &["user", "heartbeats"],
        answers: crate::exchange::StreamAnswers {
            event: stream_event,
            refused: stream_refused,
            ..crate::exchange::PrivateStream::NONE.answers
        },
        subscribe: crate::exchange::StreamSubscribe {
            when: ("type", "subscribe"),
            list: "",
            channel: "channel",
            sample: r#"{"type":"subscribe","product_ids":["BTC-USD"],"channel":"user"}"#,
        },
        login: crate::exchange::StreamLogin::SignedSubscribe { signed_by, channel: &["user"], products: &["BTC-USD"] },
        ..crate::exchange::PrivateStream::NONE
    }
}

/// A legacy key signs each subscribe with `api_key`, `timestamp` and `signature`.
const HMAC_STREAM: crate::exchange::PrivateStream = user_stream("signature");

/// A CDP key's subscribe carries a fresh `jwt`.
const CDP_STREAM: crate::exchange::PrivateStream = user_stream("jwt");

/// Advanced Trade's envelope: every message names its channel, the client, the time and the
/// connection's sequence number.
fn envelope(sent: &crate::exchange::StreamMessage<'_>, channel: &str, sequence: u64, events: Value) -> Value {
    let timestamp = TimestampFormat::Iso8601Millis.render(sent.now).unwrap_or_default();
    json!({"channel": channel, "client_id": "", "timestamp": timestamp, "sequence_num": sequence, "events": events})
}

/// The `user` channel's first message, a snapshot of one open order of the subscribed product;
/// or a heartbeat.
fn stream_event(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let time = TimestampFormat::Iso8601Millis.render(sent.now).unwrap_or_default();
    if sent.channel("channel") == Some("heartbeats") {
        // Go's time formatting, as the docs' example shows it.
        let current_time = format!("{} +0000 UTC", time.trim_end_matches('Z').replacen('T', " ", 1));
        return envelope(sent, "heartbeats", 1, json!([{"current_time": current_time, "heartbeat_counter": "1"}]));
    }
    let product_id = sent
        .message
        .get("product_ids")
        .and_then(|products| products.get(0))
        .and_then(Value::as_str)
        .unwrap_or("BTC-USD");
    let order = json!({
        "order_id": "0e5bbd5a-7e4f-4a8b-9e3a-2b1fc0a5c0de", "client_order_id": "c0ffee00-0000-4000-8000-0000000ad7a1",
        "cumulative_quantity": "0", "leaves_quantity": "0.001", "avg_price": "0", "total_fees": "0",
        "status": "OPEN", "product_id": product_id, "creation_time": time, "order_side": "BUY",
        "order_type": "Limit", "limit_price": "30000", "cancel_reason": "", "reject_reason": "",
        "total_value_after_fees": "30.045", "contract_expiry_type": "UNKNOWN_CONTRACT_EXPIRY_TYPE",
        "product_type": "SPOT", "risk_managed_by": "UNKNOWN_RISK_MANAGEMENT_TYPE",
        "time_in_force": "GOOD_UNTIL_CANCELLED", "trigger_status": "INVALID_ORDER_TYPE",
    });
    let positions = json!({"perpetual_futures_positions": [], "expiring_futures_positions": []});
    envelope(sent, "user", 1, json!([{"type": "snapshot", "orders": [order], "positions": positions}]))
}

/// `{"type":"error","message":…}`: Coinbase's websocket error frame.
fn stream_refused(sent: &crate::exchange::StreamMessage<'_>) -> Value {
    let message = match sent.refusal {
        Some(crate::exchange::StreamRefusal::NotLoggedIn) => "authentication failure".to_owned(),
        _ => format!("failure to subscribe: unknown channel {:?}", sent.channel("channel").unwrap_or_default()),
    };
    json!({"type": "error", "message": message})
}
