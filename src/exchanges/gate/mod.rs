//! Gate APIv4: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{GateSigner};

use serde_json::{Value, json};

use crate::Timestamp;
use crate::exchange::Exchange;
use crate::server_time::{MILLIS, millis, ServerTimeApi, TimeRoute};

/// Gate, as the engines see it.
pub(crate) const GATE: Exchange = Exchange {
    id: "gate",
    name: "Gate",
    server_time: SERVER_TIME,
};

/// Gate's `GET /api/v4/spot/time`: `{"server_time":<ms>}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v4/spot/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"server_time": now.unix_millis() as u64})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let ms = json.get("server_time").ok_or("no server_time field")?;
    millis(ms).ok_or("server_time is not a millisecond count")
}
