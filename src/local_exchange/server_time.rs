//! The unauthenticated server-time endpoints, one per exchange, answering with the server clock
//! (system clock plus the configured offset) in each exchange's own shape and units.

use http::StatusCode;
use serde_json::json;

use super::reply::{Reply, Verdict};
use crate::{Timestamp, TimestampFormat};

/// The time response for `path`, if it is a server-time endpoint.
pub(crate) fn endpoint(path: &str, now: Timestamp) -> Option<Reply> {
    let millis = now.unix_millis();
    let secs = now.unix_secs();
    let body = match path {
        // OKX: {"code":"0","msg":"","data":[{"ts":"<ms>"}]}
        "/api/v5/public/time" => json!({"code": "0", "msg": "", "data": [{"ts": millis.to_string()}]}),
        // KuCoin: {"code":"200000","msg":"success","data":<ms>}
        "/api/v1/timestamp" => json!({"code": "200000", "msg": "success", "data": millis as u64}),
        // Coinbase Advanced Trade: both epochs are strings.
        "/api/v3/brokerage/time" => json!({
            "iso": iso_seconds(now),
            "epochSeconds": secs.to_string(),
            "epochMillis": millis.to_string(),
        }),
        // Coinbase App v2: {"data":{"iso":…,"epoch":<s>}}
        "/v2/time" => json!({"data": {"iso": iso_seconds(now), "epoch": secs}}),
        // Coinbase Exchange: epoch in decimal seconds (millisecond precision), a JSON number.
        "/time" => json!({"iso": iso_millis(now), "epoch": millis as f64 / 1000.0}),
        // Delta (undocumented, used by ccxt): microseconds.
        "/v2/settings" => {
            json!({"success": true, "result": {"server_time": now.duration_since_epoch().as_micros() as u64}})
        }
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
