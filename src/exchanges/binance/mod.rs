//! Binance Spot and USDⓈ-M futures: HMAC, Ed25519 and RSA keys, REST and the WebSocket API: everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{BinanceKeyType, BinanceSigner};

use serde_json::{Value, json};

use crate::Timestamp;
use crate::exchange::Exchange;
use crate::server_time::{MILLIS, millis, ServerTimeApi, TimeRoute};

/// Binance, as the engines see it.
pub(crate) const BINANCE: Exchange = Exchange {
    id: "binance",
    name: "Binance",
    server_time: SERVER_TIME,
};

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
