//! KuCoin, API key versions 1–3: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{KucoinKeyVersion, KucoinSigner};

use serde_json::{Value, json};

use crate::Timestamp;
use crate::exchange::Exchange;
use crate::server_time::{millis, MILLIS, ServerTimeApi, TimeRoute};

/// KuCoin, as the engines see it.
pub(crate) const KUCOIN: Exchange = Exchange {
    id: "kucoin",
    name: "KuCoin",
    server_time: SERVER_TIME,
};

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
