//! Bybit v5: HMAC and RSA keys: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{BybitKeyType, BybitSigner};

use std::time::Duration;

use serde_json::{Value, json};

use crate::Timestamp;
use crate::exchange::Exchange;
use crate::server_time::{NANOS, integer, millis, ServerTimeApi, TimeRoute};

/// Bybit, as the engines see it.
pub(crate) const BYBIT: Exchange = Exchange {
    id: "bybit",
    name: "Bybit",
    server_time: SERVER_TIME,
};

/// Bybit's `GET /v5/market/time`: seconds and nanoseconds as strings, and the response time in
/// ms: `{"result":{"timeNano":"<ns>","timeSecond":"<s>"},"time":<ms>}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/v5/market/time", resolution: NANOS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({
        "retCode": 0,
        "retMsg": "OK",
        "result": {
            "timeSecond": now.unix_secs().to_string(),
            "timeNano": now.duration_since_epoch().as_nanos().to_string(),
        },
        "retExtInfo": {},
        "time": now.unix_millis() as u64,
    })
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    // timeNano is the finest reading; `time` (ms, the response time) is the fallback.
    if let Some(nanos) = json.pointer("/result/timeNano") {
        let nanos = integer(nanos).ok_or("result.timeNano is not a nanosecond count")?;
        return Ok(Timestamp::from_duration_since_epoch(Duration::from_nanos(nanos)));
    }
    let ms = json.get("time").ok_or("no result.timeNano or time field")?;
    millis(ms).ok_or("time is not a millisecond count")
}
