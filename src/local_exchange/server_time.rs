//! The unauthenticated server-time endpoints, one per exchange, answering with the server clock
//! (system clock plus the configured offset) in each exchange's own shape and units.

use http::StatusCode;

use super::json::{Json, int, s};
use super::reply::{Reply, Verdict};
use crate::{Timestamp, TimestampFormat};

/// The time response for `path`, if it is a server-time endpoint.
pub(crate) fn endpoint(path: &str, now: Timestamp) -> Option<Reply> {
    let millis = now.unix_millis();
    let secs = now.unix_secs();
    let body = match path {
        // OKX: {"code":"0","msg":"","data":[{"ts":"<ms>"}]}
        "/api/v5/public/time" => Json::object([
            ("code", s("0")),
            ("msg", s("")),
            ("data", Json::Array(vec![Json::object([("ts", s(millis.to_string()))])])),
        ]),
        // KuCoin: {"code":"200000","msg":"success","data":<ms>}
        "/api/v1/timestamp" => {
            Json::object([("code", s("200000")), ("msg", s("success")), ("data", int(millis as i128))])
        }
        // Coinbase Advanced Trade: both epochs are strings.
        "/api/v3/brokerage/time" => Json::object([
            ("iso", s(iso_seconds(now))),
            ("epochSeconds", s(secs.to_string())),
            ("epochMillis", s(millis.to_string())),
        ]),
        // Coinbase App v2: {"data":{"iso":…,"epoch":<s>}}
        "/v2/time" => Json::object([("data", Json::object([("iso", s(iso_seconds(now))), ("epoch", int(secs))]))]),
        // Coinbase Exchange: epoch in decimal seconds, a JSON number.
        "/time" => {
            Json::object([("iso", s(iso_millis(now))), ("epoch", Json::Number(format!("{secs}.{:03}", millis % 1000)))])
        }
        // Delta (undocumented, used by ccxt): microseconds.
        "/v2/settings" => Json::object([
            ("success", Json::Bool(true)),
            ("result", Json::object([("server_time", int(now.duration_since_epoch().as_micros() as i128))])),
        ]),
        _ => return None,
    };
    Some(Reply::json(StatusCode::OK, &body, Verdict::Neutral))
}

/// `2024-02-27T03:37:14.333Z` (the epoch in seconds if the year cannot be written).
pub(crate) fn iso_millis(now: Timestamp) -> String {
    TimestampFormat::Iso8601Millis.render(now).unwrap_or_else(|_| now.unix_secs().to_string())
}

/// `2024-02-27T03:37:14Z`.
pub(crate) fn iso_seconds(now: Timestamp) -> String {
    let millis = iso_millis(now);
    match millis.get(..19) {
        Some(seconds) if millis.len() == 24 => format!("{seconds}Z"),
        _ => millis,
    }
}
