//! Coinbase Exchange (formerly Coinbase Pro): everything cexsign knows about it.
//!
//! `signer` is the hand-tuned signer; this file is the description the engines read.

mod signer;

pub use signer::{CoinbaseExchangeSigner};

use serde_json::{Value, json};

use crate::Timestamp;
use crate::exchange::Exchange;
use crate::server_time::{MILLIS, decimal_seconds, iso_millis, ServerTimeApi, TimeRoute};

/// Coinbase Exchange, as the engines see it.
pub(crate) const COINBASE_EXCHANGE: Exchange = Exchange {
    id: "coinbase_exchange",
    name: "Coinbase Exchange",
    server_time: SERVER_TIME,
};

/// Coinbase Exchange's `GET /time`: `{"iso":…,"epoch":<decimal seconds>}`, the epoch a JSON
/// number with millisecond precision.
const SERVER_TIME: ServerTimeApi = ServerTimeApi {
    endpoint: TimeRoute { path: "/time", resolution: MILLIS, answer: time_answer },
    also: &[],
    read: read_time,
};

fn time_answer(now: Timestamp) -> Value {
    json!({"iso": iso_millis(now), "epoch": now.unix_millis() as f64 / 1000.0})
}

fn read_time(json: &Value) -> Result<Timestamp, &'static str> {
    let epoch = json.get("epoch").ok_or("no epoch field")?;
    decimal_seconds(epoch).ok_or("epoch is not a number of seconds")
}
