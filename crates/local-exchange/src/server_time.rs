//! The unauthenticated server-time endpoints, one per exchange, answering with the server clock
//! (system clock plus the configured offset) in each exchange's own shape and units.

use http::StatusCode;
use serde_json::json;

use super::reply::{Reply, Verdict};
use cexsign::{Timestamp, TimestampFormat};

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
        // Binance Spot and USDⓈ-M futures: {"serverTime":<ms>}.
        "/api/v3/time" | "/fapi/v1/time" => json!({"serverTime": millis as u64}),
        // Bybit v5: seconds and nanoseconds as strings, and the response time in ms.
        "/v5/market/time" => json!({
            "retCode": 0,
            "retMsg": "OK",
            "result": {
                "timeSecond": secs.to_string(),
                "timeNano": now.duration_since_epoch().as_nanos().to_string(),
            },
            "retExtInfo": {},
            "time": millis as u64,
        }),
        // Kraken: whole seconds and an RFC 1123 date (two-digit year, as Kraken writes it).
        "/0/public/Time" => json!({"error": [], "result": {"unixtime": secs, "rfc1123": kraken_rfc1123(now)}}),
        // Bitget v2: the milliseconds as a string.
        "/api/v2/public/time" => json!({
            "code": "00000",
            "msg": "success",
            "requestTime": millis as u64,
            "data": {"serverTime": millis.to_string()},
        }),
        // Gate APIv4: milliseconds.
        "/api/v4/spot/time" => json!({"server_time": millis as u64}),
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

/// Kraken's `rfc1123` field: `Sun,  7 Jun 20 04:07:53 +0000` (day space-padded, two-digit year).
fn kraken_rfc1123(now: Timestamp) -> String {
    let Ok(secs) = i64::try_from(now.unix_secs()) else {
        return String::new();
    };
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(secs) else {
        return String::new();
    };
    let weekday = match t.weekday() {
        time::Weekday::Monday => "Mon",
        time::Weekday::Tuesday => "Tue",
        time::Weekday::Wednesday => "Wed",
        time::Weekday::Thursday => "Thu",
        time::Weekday::Friday => "Fri",
        time::Weekday::Saturday => "Sat",
        time::Weekday::Sunday => "Sun",
    };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS[usize::from(u8::from(t.month())) - 1];
    format!(
        "{weekday}, {:>2} {month} {:02} {:02}:{:02}:{:02} +0000",
        t.day(),
        t.year().rem_euclid(100),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kraken_rfc1123_matches_the_docs_example() {
        // The example of Kraken's docs: unixtime 1591502873.
        assert_eq!(kraken_rfc1123(Timestamp::from_unix_secs(1_591_502_873)), "Sun,  7 Jun 20 04:07:53 +0000");
        assert_eq!(kraken_rfc1123(Timestamp::from_unix_secs(1_700_000_000)), "Tue, 14 Nov 23 22:13:20 +0000");
    }

    /// The bodies the local exchange serves, byte for byte: the exchanges' SDKs in `interop/`
    /// parse them, so a refactoring of how they are produced must not change a byte.
    #[test]
    fn every_answer_is_byte_for_byte_as_pinned() {
        let sub_second = Timestamp::from_duration_since_epoch(std::time::Duration::new(1_709_005_034, 333_123_456));
        let whole_second = Timestamp::from_unix_secs(1_591_502_873);
        let pinned = [
            (sub_second, "/api/v5/public/time", r#"{"code":"0","data":[{"ts":"1709005034333"}],"msg":""}"#),
            (sub_second, "/api/v1/timestamp", r#"{"code":"200000","data":1709005034333,"msg":"success"}"#),
            (
                sub_second,
                "/api/v3/brokerage/time",
                r#"{"epochMillis":"1709005034333","epochSeconds":"1709005034","iso":"2024-02-27T03:37:14Z"}"#,
            ),
            (sub_second, "/v2/time", r#"{"data":{"epoch":1709005034,"iso":"2024-02-27T03:37:14Z"}}"#),
            (sub_second, "/time", r#"{"epoch":1709005034.333,"iso":"2024-02-27T03:37:14.333Z"}"#),
            (sub_second, "/v2/settings", r#"{"result":{"server_time":1709005034333123},"success":true}"#),
            (sub_second, "/api/v3/time", r#"{"serverTime":1709005034333}"#),
            (sub_second, "/fapi/v1/time", r#"{"serverTime":1709005034333}"#),
            (
                sub_second,
                "/v5/market/time",
                r#"{"result":{"timeNano":"1709005034333123456","timeSecond":"1709005034"},"retCode":0,"retExtInfo":{},"retMsg":"OK","time":1709005034333}"#,
            ),
            (
                sub_second,
                "/0/public/Time",
                r#"{"error":[],"result":{"rfc1123":"Tue, 27 Feb 24 03:37:14 +0000","unixtime":1709005034}}"#,
            ),
            (
                sub_second,
                "/api/v2/public/time",
                r#"{"code":"00000","data":{"serverTime":"1709005034333"},"msg":"success","requestTime":1709005034333}"#,
            ),
            (sub_second, "/api/v4/spot/time", r#"{"server_time":1709005034333}"#),
            (whole_second, "/api/v5/public/time", r#"{"code":"0","data":[{"ts":"1591502873000"}],"msg":""}"#),
            (whole_second, "/api/v1/timestamp", r#"{"code":"200000","data":1591502873000,"msg":"success"}"#),
            (
                whole_second,
                "/api/v3/brokerage/time",
                r#"{"epochMillis":"1591502873000","epochSeconds":"1591502873","iso":"2020-06-07T04:07:53Z"}"#,
            ),
            (whole_second, "/v2/time", r#"{"data":{"epoch":1591502873,"iso":"2020-06-07T04:07:53Z"}}"#),
            (whole_second, "/time", r#"{"epoch":1591502873.0,"iso":"2020-06-07T04:07:53.000Z"}"#),
            (whole_second, "/v2/settings", r#"{"result":{"server_time":1591502873000000},"success":true}"#),
            (whole_second, "/api/v3/time", r#"{"serverTime":1591502873000}"#),
            (whole_second, "/fapi/v1/time", r#"{"serverTime":1591502873000}"#),
            (
                whole_second,
                "/v5/market/time",
                r#"{"result":{"timeNano":"1591502873000000000","timeSecond":"1591502873"},"retCode":0,"retExtInfo":{},"retMsg":"OK","time":1591502873000}"#,
            ),
            (
                whole_second,
                "/0/public/Time",
                r#"{"error":[],"result":{"rfc1123":"Sun,  7 Jun 20 04:07:53 +0000","unixtime":1591502873}}"#,
            ),
            (
                whole_second,
                "/api/v2/public/time",
                r#"{"code":"00000","data":{"serverTime":"1591502873000"},"msg":"success","requestTime":1591502873000}"#,
            ),
            (whole_second, "/api/v4/spot/time", r#"{"server_time":1591502873000}"#),
        ];
        for (at, path, body) in pinned {
            let reply = endpoint(path, at).unwrap_or_else(|| panic!("{path} is not served"));
            assert_eq!(
                (reply.status, reply.content_type, reply.body.as_str()),
                (StatusCode::OK, "application/json", body)
            );
        }
        assert!(endpoint("/api/v5/public/times", sub_second).is_none());
    }
}
