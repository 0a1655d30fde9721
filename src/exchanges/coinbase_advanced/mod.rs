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
    private_stream: crate::exchange::PrivateStream::NONE,
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
    // The token's own `nbf`/`exp` bound it (at most 120 s).
    private_stream: crate::exchange::PrivateStream::NONE,
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
