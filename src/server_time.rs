//! Each exchange's server-time endpoint: the request to make and a pure parser of its answer.
//!
//! Nothing here does I/O. [`crate::client::sync`] (feature `reqwest`) makes the request and
//! feeds the [`crate::clock::OffsetClock`]; anyone with another HTTP client can do the same with
//! [`ServerTime::path`] and [`ServerTime::parse`]. The HTTP `Date` header, present on every
//! response, is a coarse (one second) fallback: [`parse_http_date`].

use serde_json::Value;

use crate::{Error, Scheme, Timestamp, TimestampFormat};

/// Where and how a scheme's exchange tells the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerTime {
    scheme: Scheme,
}

impl ServerTime {
    /// The server-time endpoint of `scheme`'s exchange.
    pub const fn of(scheme: Scheme) -> Self {
        Self { scheme }
    }

    /// The path to `GET` (no authentication), relative to the REST base URL:
    ///
    /// | scheme | path | answer |
    /// |---|---|---|
    /// | OKX | `/api/v5/public/time` | `{"data":[{"ts":"<ms>"}]}` |
    /// | KuCoin | `/api/v1/timestamp` | `{"data":<ms>}` |
    /// | Coinbase Advanced / CDP | `/api/v3/brokerage/time` | `{"epochMillis":"<ms>", "epochSeconds":"<s>"}` (strings) |
    /// | Coinbase Exchange | `/time` | `{"epoch":<decimal seconds>}` |
    /// | Delta | `/v2/settings` (undocumented; Delta documents no time endpoint) | `{"result":{"server_time":<µs>}}` |
    /// | Binance | `/api/v3/time` (USDⓈ-M: `/fapi/v1/time`, same answer) | `{"serverTime":<ms>}` |
    /// | Bybit | `/v5/market/time` | `{"result":{"timeNano":"<ns>","timeSecond":"<s>"},"time":<ms>}` |
    /// | Kraken | `/0/public/Time` | `{"error":[],"result":{"unixtime":<s>}}` |
    /// | Bitget | `/api/v2/public/time` | `{"data":{"serverTime":"<ms>"}}` |
    /// | Gate | `/api/v4/spot/time` | `{"server_time":<ms>}` |
    pub const fn path(self) -> &'static str {
        match self.scheme {
            Scheme::Okx => "/api/v5/public/time",
            Scheme::Kucoin => "/api/v1/timestamp",
            Scheme::CoinbaseAdvancedHmac | Scheme::CoinbaseCdp => "/api/v3/brokerage/time",
            Scheme::CoinbaseExchange => "/time",
            Scheme::Delta => "/v2/settings",
            Scheme::Binance => "/api/v3/time",
            Scheme::Bybit => "/v5/market/time",
            Scheme::Kraken => "/0/public/Time",
            Scheme::Bitget => "/api/v2/public/time",
            Scheme::Gate => "/api/v4/spot/time",
        }
    }

    /// Reads the server's time from the endpoint's response body.
    ///
    /// ```
    /// use cexsign::{Scheme, Timestamp};
    /// use cexsign::server_time::ServerTime;
    /// let body = br#"{"code":"0","msg":"","data":[{"ts":"1597026383085"}]}"#;
    /// assert_eq!(ServerTime::of(Scheme::Okx).parse(body)?, Timestamp::from_unix_millis(1_597_026_383_085));
    /// # Ok::<(), cexsign::Error>(())
    /// ```
    pub fn parse(self, body: &[u8]) -> Result<Timestamp, Error> {
        let scheme = self.scheme;
        let invalid = |problem| Error::InvalidServerTime { scheme, problem };
        let json: Value = serde_json::from_slice(body).map_err(|_| invalid("the body is not JSON"))?;
        match scheme {
            Scheme::Okx => {
                let ts = json.pointer("/data/0/ts").ok_or_else(|| invalid("no data[0].ts field"))?;
                millis(ts).ok_or_else(|| invalid("data[0].ts is not a millisecond count"))
            }
            Scheme::Kucoin => {
                let data = json.get("data").ok_or_else(|| invalid("no data field"))?;
                millis(data).ok_or_else(|| invalid("data is not a millisecond count"))
            }
            Scheme::CoinbaseAdvancedHmac | Scheme::CoinbaseCdp => {
                if let Some(ms) = json.get("epochMillis") {
                    return millis(ms).ok_or_else(|| invalid("epochMillis is not a millisecond count"));
                }
                // The older v2 endpoint: {"data":{"epoch":<s>}}.
                let secs = json.get("epochSeconds").or_else(|| json.pointer("/data/epoch"));
                let secs = secs.ok_or_else(|| invalid("no epochMillis, epochSeconds or data.epoch field"))?;
                decimal_seconds(secs).ok_or_else(|| invalid("the epoch field is not a number of seconds"))
            }
            Scheme::CoinbaseExchange => {
                let epoch = json.get("epoch").ok_or_else(|| invalid("no epoch field"))?;
                decimal_seconds(epoch).ok_or_else(|| invalid("epoch is not a number of seconds"))
            }
            Scheme::Delta => {
                let micros =
                    json.pointer("/result/server_time").ok_or_else(|| invalid("no result.server_time field"))?;
                let micros = integer(micros).ok_or_else(|| invalid("result.server_time is not a microsecond count"))?;
                Ok(Timestamp::from_duration_since_epoch(std::time::Duration::from_micros(micros)))
            }
            Scheme::Binance => {
                let ms = json.get("serverTime").ok_or_else(|| invalid("no serverTime field"))?;
                millis(ms).ok_or_else(|| invalid("serverTime is not a millisecond count"))
            }
            Scheme::Bybit => {
                // timeNano is the finest reading; `time` (ms, the response time) is the fallback.
                if let Some(nanos) = json.pointer("/result/timeNano") {
                    let nanos = integer(nanos).ok_or_else(|| invalid("result.timeNano is not a nanosecond count"))?;
                    return Ok(Timestamp::from_duration_since_epoch(std::time::Duration::from_nanos(nanos)));
                }
                let ms = json.get("time").ok_or_else(|| invalid("no result.timeNano or time field"))?;
                millis(ms).ok_or_else(|| invalid("time is not a millisecond count"))
            }
            Scheme::Kraken => {
                if json.get("error").and_then(Value::as_array).is_some_and(|e| !e.is_empty()) {
                    return Err(invalid("the error array is not empty"));
                }
                let secs = json.pointer("/result/unixtime").ok_or_else(|| invalid("no result.unixtime field"))?;
                integer(secs)
                    .map(Timestamp::from_unix_secs)
                    .ok_or_else(|| invalid("result.unixtime is not a second count"))
            }
            Scheme::Bitget => {
                let ms = json.pointer("/data/serverTime").ok_or_else(|| invalid("no data.serverTime field"))?;
                millis(ms).ok_or_else(|| invalid("data.serverTime is not a millisecond count"))
            }
            Scheme::Gate => {
                let ms = json.get("server_time").ok_or_else(|| invalid("no server_time field"))?;
                millis(ms).ok_or_else(|| invalid("server_time is not a millisecond count"))
            }
        }
    }
}

/// A non-negative integer, given as a JSON number or a string of digits.
fn integer(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        _ => None,
    }
}

fn millis(value: &Value) -> Option<Timestamp> {
    integer(value).map(Timestamp::from_unix_millis)
}

/// Seconds with an optional decimal fraction, as a JSON number or string (`1420674445.201`).
fn decimal_seconds(value: &Value) -> Option<Timestamp> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    // Fractions finer than nanoseconds (never seen) are cut rather than refused; anything but
    // digits is refused before cutting, so the cut never falls inside a character.
    let text = match text.split_once('.') {
        Some((_, fraction)) if !fraction.bytes().all(|b| b.is_ascii_digit()) => return None,
        Some((whole, fraction)) if fraction.len() > 9 => format!("{whole}.{}", &fraction[..9]),
        _ => text,
    };
    TimestampFormat::UnixSecondsFraction { digits: 3 }.parse(&text).ok()
}

/// Reads an HTTP `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`): one-second resolution, on every
/// response of every exchange.
///
/// ```
/// use cexsign::server_time::parse_http_date;
/// assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT")?.unix_secs(), 784_111_777);
/// assert!(parse_http_date("yesterday").is_err());
/// # Ok::<(), cexsign::Error>(())
/// ```
pub fn parse_http_date(value: &str) -> Result<Timestamp, Error> {
    let invalid = Error::InvalidTimestamp { format: "HTTP date", example: "Sun, 06 Nov 1994 08:49:37 GMT" };
    let time = httpdate::parse_http_date(value).map_err(|_| invalid.clone())?;
    Timestamp::from_system_time(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(scheme: Scheme, body: &str) -> Result<Timestamp, Error> {
        ServerTime::of(scheme).parse(body.as_bytes())
    }

    #[test]
    fn every_documented_shape() {
        let ms = Timestamp::from_unix_millis;
        assert_eq!(
            parse(Scheme::Okx, r#"{"code":"0","msg":"","data":[{"ts":"1597026383085"}]}"#).unwrap(),
            ms(1_597_026_383_085)
        );
        assert_eq!(
            parse(Scheme::Kucoin, r#"{"code":"200000","msg":"success","data":1546837113087}"#).unwrap(),
            ms(1_546_837_113_087)
        );
        let coinbase = r#"{"iso":"2024-02-27T03:37:14Z","epochSeconds":"1709005034","epochMillis":"1709005034333"}"#;
        assert_eq!(parse(Scheme::CoinbaseCdp, coinbase).unwrap(), ms(1_709_005_034_333));
        assert_eq!(parse(Scheme::CoinbaseAdvancedHmac, coinbase).unwrap(), ms(1_709_005_034_333));
        assert_eq!(
            parse(Scheme::CoinbaseCdp, r#"{"data":{"iso":"2020-05-12T14:47:59Z","epoch":1589295679}}"#).unwrap(),
            Timestamp::from_unix_secs(1_589_295_679)
        );
        assert_eq!(
            parse(Scheme::CoinbaseExchange, r#"{"iso":"2015-01-07T23:47:25.201Z","epoch":1420674445.201}"#).unwrap(),
            ms(1_420_674_445_201)
        );
        assert_eq!(
            parse(Scheme::Delta, r#"{"success":true,"result":{"server_time":1718007932123456}}"#).unwrap(),
            Timestamp::from_duration_since_epoch(std::time::Duration::from_micros(1_718_007_932_123_456))
        );
    }

    #[test]
    fn garbage_is_a_typed_error() {
        let cases = [
            (Scheme::Okx, "", "not JSON"),
            (Scheme::Okx, r#"{"data":[]}"#, "no data[0].ts"),
            (Scheme::Okx, r#"{"data":[{"ts":"-5"}]}"#, "not a millisecond count"),
            (Scheme::Okx, r#"{"data":[{"ts":1.5}]}"#, "not a millisecond count"),
            (Scheme::Kucoin, r#"{"data":"soon"}"#, "not a millisecond count"),
            (Scheme::Kucoin, "[1,2]", "no data field"),
            (Scheme::CoinbaseCdp, r#"{"iso":"x"}"#, "no epochMillis"),
            (Scheme::CoinbaseExchange, r#"{"epoch":"1e9"}"#, "not a number of seconds"),
            (Scheme::CoinbaseExchange, r#"{"epoch":-1.5}"#, "not a number of seconds"),
            // Found by fuzzing: a non-digit fraction used to be cut inside a character.
            (Scheme::CoinbaseExchange, r#"{"epoch":"1.12345678é"}"#, "not a number of seconds"),
            (Scheme::CoinbaseCdp, r#"{"epochSeconds":"1.1234567890é"}"#, "not a number of seconds"),
            (Scheme::Delta, r#"{"result":{"server_time":null}}"#, "not a microsecond count"),
            (Scheme::Delta, "\u{0}\u{ff}", "not JSON"),
        ];
        for (scheme, body, phrase) in cases {
            let err = parse(scheme, body).unwrap_err();
            assert!(err.to_string().contains(phrase), "{scheme:?} {body}: {err}");
        }
    }

    #[test]
    fn endpoints_match_the_local_exchange_and_the_docs() {
        assert_eq!(ServerTime::of(Scheme::Okx).path(), "/api/v5/public/time");
        assert_eq!(ServerTime::of(Scheme::CoinbaseExchange).path(), "/time");
        assert_eq!(ServerTime::of(Scheme::Delta).path(), "/v2/settings");
    }
}
