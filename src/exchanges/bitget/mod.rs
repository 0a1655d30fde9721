//! Bitget v2: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{BitgetSigner};

use std::time::Duration;

use serde_json::{Value, json};

use crate::{Credentials, Error, Signer, Timestamp, TimestampFormat};
use crate::diagnose::MistakeCode as M;
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, HeaderCheck, KeySettings, KeyVariants, Mark, RestVerification, Routing};
use crate::exchange::BodyType;
use crate::exchange::{WsAccepted, WsLogin, WsMessage, WsPart};
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::server_time::{MILLIS, ServerTimeApi, TimeRoute, millis};

/// Bitget, as the engines see it.
pub(crate) const BITGET: Exchange = Exchange {
    id: "bitget",
    name: "Bitget",
    rest_auth: Some(AuthNames::new("ACCESS-KEY", "ACCESS-SIGN", "ACCESS-TIMESTAMP", Some("ACCESS-PASSPHRASE"))),
    ws_auth: Some(AuthNames::new("apiKey", "sign", "timestamp", Some("passphrase"))),
    ws_api_auth: None,
    ws_login: WsLogin::Signed(&[WsMessage::new(
        &[
            WsPart::Op("login"),
            WsPart::InFirstArg("args"),
            // The docs and ccxt send apiKey.
            WsPart::KeyMisnamed { name: "api_key", by: "python-bitget's field" },
            WsPart::Key,
            WsPart::Passphrase,
            WsPart::Timestamp,
            WsPart::Signature,
        ],
        ws_answer,
    )]),
    // Bitget's signature page states no window; 30 s is what third-party guides cite.
    private_stream: crate::exchange::PrivateStream::NONE,
    window: Some(Duration::from_secs(30)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.bitget.com"],
    // Named one by one: CORS preflights send `access-control-*` headers.
    routing: Routing::new(
        &[Mark::named("access-key"), Mark::named("access-sign"), Mark::named("access-timestamp"), Mark::named("access-passphrase")],
        &["/api/v2/"],
        50,
    ),
    rest_verification: RestVerification::Headers(
        HeaderCheck::new(
            "base64(HMAC-SHA256(secret, timestamp + METHOD + path + ?query + body)) with the query percent-DECODED",
        )
        // Bitget refuses a body not sent as application/json with 40007 "Invalid Content_Type"
        // (its REST error codes; ccxt's `bitget` exceptions): `errors.rs`.
        .body_type(BodyType::required("application/json")),
    ),
    signer,
    key_variants: KeyVariants::NONE,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Timestamp,
            Part::Method,
            Part::Path,
            // Bitget signs the percent-decoded query, as KuCoin does.
            Part::Query { form: QueryForm::Decoded, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
    diagnosis: DiagnosisFacts {
        window_in_words: Some("about 30 s"),
        pitfalls: "Bitget: 40012 is a wrong passphrase; demo trading needs the paptrading: 1 header.",
        mistakes: &[
            M::BitgetWsApiKeyField, M::KeySecretSwapped, M::TimestampMillisecondsForSeconds,
            M::TimestampSecondsForMilliseconds, M::TimestampFormatWrong, M::PassphraseWrong, M::HexInsteadOfBase64,
            M::SecretBase64Decoded, M::SecretHexDecoded, M::PassphraseAsSecret, M::HmacArgumentsSwapped,
            M::MethodLowercase, M::QueryNotSigned, M::QuerySignedWithoutQuestionMark, M::QuestionMarkWithoutQuery,
            M::QuerySignedEncoded, M::QueryOrderDiffers, M::EmptyBodyAsBraces, M::BodyReserialized,
            M::PathMissingLeadingSlash, M::PathIncludesHost, M::PrehashOrderWrong, M::TimestampHeaderDiffers,
        ],
        ws_key_misnamed: Some("api_key"),
        ..DiagnosisFacts::NONE
    },
};

/// Bitget signers take no settings.
fn signer(credentials: &Credentials, _: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    Ok(Box::new(BitgetSigner::new(credentials)?))
}

/// Bitget's `GET /api/v2/public/time`: `{"data":{"serverTime":"<ms>"}}`, the milliseconds as a
/// string.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v2/public/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    let millis = now.unix_millis();
    json!({
        "code": "00000",
        "msg": "success",
        "requestTime": millis as u64,
        "data": {"serverTime": millis.to_string()},
    })
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let ms = json.pointer("/data/serverTime").ok_or("no data.serverTime field")?;
    millis(ms).ok_or("data.serverTime is not a millisecond count")
}

/// Bitget's answer to an accepted websocket login.
fn ws_answer(_: &WsAccepted<'_>) -> Value {
    json!({"event": "login", "code": 0})
}
