//! OKX v5, live and demo trading: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{OkxEnvironment, OkxSigner};

use serde_json::{Value, json};

use crate::Timestamp;
use crate::exchange::Exchange;
use crate::server_time::{millis, MILLIS, ServerTimeApi, TimeRoute};

/// OKX, as the engines see it.
pub(crate) const OKX: Exchange = Exchange {
    id: "okx",
    name: "OKX",
    server_time: SERVER_TIME,
};

/// OKX's `GET /api/v5/public/time`: `{"code":"0","msg":"","data":[{"ts":"<ms>"}]}`.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/api/v5/public/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"code": "0", "msg": "", "data": [{"ts": now.unix_millis().to_string()}]})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let ts = json.pointer("/data/0/ts").ok_or("no data[0].ts field")?;
    millis(ts).ok_or("data[0].ts is not a millisecond count")
}
