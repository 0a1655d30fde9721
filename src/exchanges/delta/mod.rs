//! Delta Exchange v2: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{DeltaSigner, DeltaWsAuthType};

use std::time::Duration;

use serde_json::{Value, json};

use crate::Timestamp;
use crate::exchange::Exchange;
use crate::server_time::{MICROS, integer, ServerTimeApi, TimeRoute};

/// Delta Exchange, as the engines see it.
pub(crate) const DELTA: Exchange = Exchange {
    id: "delta",
    name: "Delta Exchange",
    server_time: SERVER_TIME,
};

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
