//! KuCoin, API key versions 1–3: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer, `errors` the error table; this file is the description the
//! engines read.

mod errors;
mod signer;

pub use signer::{KucoinKeyVersion, KucoinSigner};

use std::time::Duration;

use crate::exchange::{AuthNames, Exchange, KeySettings, Mark, Routing};
use crate::{Credentials, Error, Signer};
use serde_json::{Value, json};

use crate::Timestamp;
use crate::server_time::{millis, MILLIS, ServerTimeApi, TimeRoute};
use crate::recipe::{Algorithm, Carrier, Part, QueryForm, Recipe, SignatureEncoding, Signing};
use crate::TimestampFormat;

/// KuCoin, as the engines see it.
pub(crate) const KUCOIN: Exchange = Exchange {
    id: "kucoin",
    name: "KuCoin",
    rest_auth: Some(AuthNames::new("KC-API-KEY", "KC-API-SIGN", "KC-API-TIMESTAMP", Some("KC-API-PASSPHRASE"))),
    // KuCoin's private websocket takes a token fetched over REST: no signed message.
    ws_auth: None,
    ws_api_auth: None,
    window: Some(Duration::from_secs(5)),
    rest_timestamp_accepted: None,
    ws_timestamp_accepted: None,
    hosts: &["api.kucoin.com", "api-futures.kucoin.com"],
    routing: Routing::new(&[Mark::prefixed("kc-api-")], &["/api/v1/"], 20),
    signer,
    server_time: SERVER_TIME,
    errors: errors::ERRORS,
    // The key version changes the passphrase header, not the prehash: one recipe for all three.
    recipe: Ok(Recipe {
        timestamps: &[TimestampFormat::UnixMillis],
        timestamp_in: Carrier::Header,
        parts: &[
            Part::Timestamp,
            Part::Method,
            Part::Path,
            // KuCoin signs the query as it was before URL-encoding.
            Part::Query { form: QueryForm::Decoded, question_mark: true },
            Part::Body,
        ],
        keys: &[Signing::hmac(Algorithm::HmacSha256, SignatureEncoding::Base64)],
        signature_in: Carrier::Header,
    }),
};

/// `key_version` is the version shown next to the key (default 3, the current one).
fn signer(credentials: &Credentials, settings: &KeySettings) -> Result<Box<dyn Signer>, Error> {
    let version = settings.key_version.map(KucoinKeyVersion::try_from).transpose()?.unwrap_or_default();
    Ok(Box::new(KucoinSigner::new(credentials, version)?))
}

/// KuCoin's `GET /api/v1/timestamp`: `{"code":"200000","msg":"success","data":<ms>}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v1/timestamp", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"code": "200000", "msg": "success", "data": now.unix_millis() as u64})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let data = json.get("data").ok_or("no data field")?;
    millis(data).ok_or("data is not a millisecond count")
}
