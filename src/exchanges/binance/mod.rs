//! Binance Spot and USDⓈ-M futures: HMAC, Ed25519 and RSA keys, REST and the WebSocket API: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{BinanceKeyType, BinanceSigner};
// The rule of signing inside the parameters, which MEXC's spot API shares.
pub(crate) use signer::{ParameterRules, sign_in_parameters};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Scheme, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, KeySettings, KeyVariants, Mark, RestVerification, Routing, WsSigning};
use crate::exchange::{WsAccepted, WsApi, WsLogin};
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, millis};

/// Binance, as the engines see it.
pub(crate) const BINANCE: Exchange = Exchange {
    id: "binance",
    name: "Binance",
    // The signature and timestamp are query or form parameters.
    rest_auth: Some(AuthNames::new("X-MBX-APIKEY", "signature", "timestamp", None)),
    // The WebSocket API signs each request's params.
    ws_auth: Some(AuthNames::new("apiKey", "signature", "timestamp", None)),
    ws_api_auth: None,
    ws_login: WsLogin::SignedParams(WsApi { logon: WS_LOGON, answer: ws_answer }),
    // The default recvWindow; a request may send its own, up to 60 s.
    private_stream: crate::exchange::PrivateStream::NONE,
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.binance.com", "fapi.binance.com", "testnet.binance.vision"],
    // Binance Spot's own prefix; Coinbase Advanced's paths are all under /api/v3/brokerage/,
    // which is longer and wins.
    routing: Routing::new(&[Mark::named("x-mbx-apikey")], &["/api/v3/", "/sapi/", "/fapi/"], 30),
    rest_verification: RestVerification::SignedParameters,
    signer,
    key_variants: KeyVariants { key_types: KEY_TYPES, ..KeyVariants::NONE },
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // The payload is the query and the body as sent, joined with nothing; `timestamp` is one of
    // its parameters, and the signature is appended as the last one.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis, TimestampFormat::UnixMicros],
        timestamp_in: Carrier::Parameter("timestamp"),
        parts: &[Part::Query { form: QueryForm::AsSent, question_mark: false }, Part::Body],
        keys: &[
            Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Hex),
            Signing::pem(Algorithm::Ed25519),
            Signing::pem(Algorithm::RsaPkcs1Sha256),
        ],
        signature_in: Carrier::Parameter("signature"),
    }),
    diagnosis: DiagnosisFacts {
        ws_signing: WsSigning::Params,
        hex_signature_any_case: true,
        missing_timestamp_answer: "Binance answers -1102 (a mandatory parameter was not sent)",
        recv_window_parameter: Some(("recvWindow", Duration::from_secs(60))),
        ws_logon_method: Some("session.logon"),
        window_in_words: Some("recvWindow after the timestamp, 5 s by default and 60 s at most, and no more than 1 s ahead"),
        pitfalls: "Binance: -1021 is the clock or recvWindow, -2015 a key from Binance.US or the testnet on api.binance.com (or an IP or permission problem).",
        mistakes: &[
            M::BinanceSignatureNotLast, M::BinanceSignatureNotUrlEncoded, M::BinanceRecvWindowTooLarge,
            M::BinanceSessionLogonNeedsEd25519, M::KeySecretSwapped, M::TimestampSecondsForMilliseconds,
            M::TimestampFormatWrong, M::HexInsteadOfBase64, M::Base64InsteadOfHex, M::SecretBase64Decoded,
            M::HmacArgumentsSwapped, M::BinancePayloadJoinedWithAmpersand, M::BinanceSignatureSigned,
            M::BinanceParamAddedAfterSigning, M::BinanceWsValuesPercentEncoded, M::BinanceWsParamsNotSorted,
            M::QuerySignedUnencoded, M::QueryEncodingDiffers, M::QueryOrderDiffers, M::FormBodyReencoded,
        ],
        ..DiagnosisFacts::NONE
    },
    orders: ORDERS,
};

/// `key_type` (else Ed25519 for a PEM key that is one, RSA for another PEM key, HMAC
/// otherwise), `recv_window`, and microsecond timestamps when `timestamp_sample` has more than
/// 13 digits.
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let mut signer = BinanceSigner::new(credentials, BinanceKeyType::for_key(credentials, settings)?)?;
    if settings.timestamp_sample.as_ref().is_some_and(|t| t.len() > 13) {
        signer = signer.with_microsecond_timestamps();
    }
    if let Some(window) = settings.recv_window {
        signer = signer.with_recv_window(window)?;
    }
    Ok(Box::new(signer))
}

impl BinanceKeyType {
    /// The key type `settings` name, else the one the secret is: Ed25519 for a PEM key that
    /// parses as one, RSA for another PEM key, HMAC otherwise. The one place that tells them
    /// apart: the registry's signer builder, the diagnosis and the local exchange all ask here.
    #[cfg_attr(not(feature = "pem-keys"), allow(unused_variables))]
    pub fn for_key(credentials: &Credentials, settings: &KeySettings) -> Result<Self, Error> {
        key_type(credentials, settings)
    }

    /// The name Binance's API page gives it (`HMAC`, `Ed25519`, `RSA`).
    pub fn name(self) -> &'static str {
        match self {
            BinanceKeyType::Hmac => "HMAC",
            #[cfg(feature = "pem-keys")]
            BinanceKeyType::Ed25519 => "Ed25519",
            #[cfg(feature = "pem-keys")]
            BinanceKeyType::Rsa => "RSA",
        }
    }
}

/// The key types Binance issues, as its API page names them.
const KEY_TYPES: &[&str] = &["HMAC", "Ed25519", "RSA"];

#[cfg_attr(not(feature = "pem-keys"), allow(unused_variables))]
fn key_type(credentials: &Credentials, settings: &KeySettings) -> Result<BinanceKeyType, Error> {
    match settings.key_type_among(Scheme::Binance, KEY_TYPES)? {
        Some("HMAC") => Ok(BinanceKeyType::Hmac),
        #[cfg(feature = "pem-keys")]
        Some("Ed25519") => Ok(BinanceKeyType::Ed25519),
        #[cfg(feature = "pem-keys")]
        Some(_) => Ok(BinanceKeyType::Rsa),
        #[cfg(not(feature = "pem-keys"))]
        Some(_) => Err(Error::KeyTypeUnsupported {
            scheme: Scheme::Binance,
            problem: "Ed25519 and RSA keys are signed with the `pem-keys` feature (on by default)",
        }),
        #[cfg(feature = "pem-keys")]
        None if KeySettings::is_pem(credentials, Scheme::Binance)? => {
            let pem = credentials.require_secret_as_given(Scheme::Binance)?;
            let ed25519 = crate::keys::PrivateKey::ed25519_from_pem(Scheme::Binance, pem).is_ok();
            Ok(if ed25519 { BinanceKeyType::Ed25519 } else { BinanceKeyType::Rsa })
        }
        // A PEM key without `pem-keys` is refused by the HMAC signer, with the reason.
        None => Ok(BinanceKeyType::Hmac),
    }
}

/// Binance's `GET /api/v3/time` (Spot), and USDⓈ-M futures' `GET /fapi/v1/time` with the same
/// answer: `{"serverTime":<ms>}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v3/time", resolution: MILLIS, answer: time_answer },
    also: &[TimeRoute { path: "/fapi/v1/time", resolution: MILLIS, answer: time_answer }],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"serverTime": now.unix_millis() as u64})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let ms = json.get("serverTime").ok_or("no serverTime field")?;
    millis(ms).ok_or("serverTime is not a millisecond count")
}

/// The WebSocket API call that logs the session in (Ed25519 keys only).
const WS_LOGON: &str = "session.logon";

/// Binance's answer to an accepted WebSocket API call: the session's state for a logon; other
/// calls, which this server does not carry out, are answered with what was accepted.
fn ws_answer(accepted: &WsAccepted<'_>) -> Value {
    let server_time = u64::try_from(accepted.now.unix_millis()).unwrap_or(u64::MAX);
    let result = if accepted.call == Some(WS_LOGON) {
        json!({
            "apiKey": accepted.api_key,
            "authorizedSince": server_time,
            "connectedSince": server_time,
            "returnRateLimits": false,
            "serverTime": server_time,
            "userDataStream": false,
        })
    } else {
        json!({"cexsign": "accepted", "method": accepted.call, "apiKey": accepted.api_key, "timestamp": accepted.timestamp})
    };
    json!({"id": accepted.message.get("id").cloned().unwrap_or(Value::Null), "status": 200, "result": result})
}

/// Binance orders (Spot "Trading endpoints" > "New order", USDⓈ-M "New Order"): `POST
/// /api/v3/order` and `POST /fapi/v1/order`, parameters in the query or a form body, with
/// `newClientOrderId` ("a unique id among open orders"): a repeat is refused with -2010
/// "Duplicate order sent.". Busy: -1008 SERVER_BUSY. Binance also documents -1007 TIMEOUT
/// ("execution status unknown") and HTTP 503 without a code as *unknown*, not as unprocessed.
const ORDERS: crate::exchange::Orders = crate::exchange::Orders {
    client_order_id: Some(crate::exchange::ClientOrderId::new("newClientOrderId")),
    placing: &[crate::exchange::PlaceOrder::post("/api/v3/order"), crate::exchange::PlaceOrder::post("/fapi/v1/order")],
    duplicate: crate::exchange::DuplicateOrder::Refused("-2010"),
    busy: &["-1008"],
};
