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
    private_stream: crate::exchange::PrivateStream::NONE,
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
