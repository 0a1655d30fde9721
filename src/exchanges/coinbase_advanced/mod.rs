//! Coinbase Advanced Trade: everything cexsign knows about it, for both kinds of key — legacy
//! HMAC keys (`hmac`) and CDP keys, signed as ES256 or Ed25519 JWTs (`cdp`, feature `cdp`).
//!
//! The two schemes share the API: its hosts, its server time and its error answers.

#[cfg(feature = "cdp")]
mod cdp;
mod hmac;

#[cfg(feature = "cdp")]
pub use cdp::{CdpKeyType, CoinbaseCdpSigner};
pub use hmac::CoinbaseAdvancedHmacSigner;

use serde_json::{Value, json};

use crate::Timestamp;
use crate::exchange::Exchange;
use crate::server_time::{MILLIS, SECONDS, ServerTimeApi, TimeRoute, decimal_seconds, iso_seconds, millis};

/// Coinbase Advanced Trade with a legacy HMAC key.
pub(crate) const HMAC: Exchange = Exchange {
    id: "coinbase_advanced_hmac",
    name: "Coinbase Advanced Trade (legacy HMAC)",
    server_time: SERVER_TIME,
};

/// Coinbase Advanced Trade with a CDP key.
pub(crate) const CDP: Exchange = Exchange {
    id: "coinbase_cdp_jwt",
    name: "Coinbase CDP",
    server_time: SERVER_TIME,
};

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
