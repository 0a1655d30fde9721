//! Server time: the type each exchange's home describes its server-time endpoint with
//! ([`ServerTimeApi`]), and [`ServerTime`], the request to make and a pure parser of the answer.
//!
//! An exchange's endpoint paths, the reader of its answer and the answer itself (what the
//! exchange sends when its clock reads a given instant) are written once, in its home
//! (`src/exchanges/<exchange>/`), so that the client side ([`ServerTime`]) and the local
//! exchange, which serves the answers, cannot disagree. The helpers the homes share to read and
//! write times live here.
//!
//! Nothing here does I/O. [`crate::client::sync`] (feature `reqwest`) makes the request and
//! feeds the [`crate::clock::OffsetClock`]; anyone with another HTTP client can do the same with
//! [`ServerTime::path`] and [`ServerTime::parse`]. The HTTP `Date` header, present on every
//! response, is a coarse (one second) fallback: [`parse_http_date`].

use std::time::Duration;

use serde_json::Value;

use crate::{Error, Scheme, Timestamp, TimestampFormat};

/// How one exchange tells the time: the endpoints answering with its clock, and how their
/// answers read. One per exchange API (Coinbase Advanced's two schemes share one).
///
/// Reached through [`Exchange::server_time`](crate::Exchange::server_time):
///
/// ```
/// use cexsign::{Scheme, Timestamp};
/// let binance = &Scheme::Binance.exchange().server_time;
/// let paths: Vec<_> = binance.routes().map(|route| route.path).collect();
/// assert_eq!(paths, ["/api/v3/time", "/fapi/v1/time"]);
/// let now = Timestamp::from_unix_millis(1_700_000_000_123);
/// assert_eq!(binance.endpoint.answer(now).to_string(), r#"{"serverTime":1700000000123}"#);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ServerTimeApi {
    /// The endpoint to sync with ([`ServerTime::path`]).
    pub endpoint: TimeRoute,
    /// Other endpoints of the same exchange that tell the same clock (Binance USDⓈ-M's
    /// `/fapi/v1/time`, Coinbase App's `/v2/time`): [`ServerTime::parse`] reads their answers
    /// too, and the local exchange serves them.
    pub also: &'static [TimeRoute],
    /// Reads the time from a JSON answer of any of the routes; the error says what is wrong
    /// without quoting the body.
    pub(crate) read: fn(&Value) -> Result<Timestamp, &'static str>,
}

impl ServerTimeApi {
    /// An exchange that publishes no server-time endpoint (its nonce has no window, so nothing
    /// needs its clock): the endpoint's path is empty, it has no [`routes`](Self::routes), and
    /// [`crate::client::sync`] reads the HTTP `Date` header of the API's base URL instead.
    pub const NONE: ServerTimeApi = ServerTimeApi {
        endpoint: TimeRoute { path: "", resolution: SECONDS, answer: |_| Value::Null },
        also: &[],
        read: |_| Err("the exchange has no server-time endpoint: read the HTTP Date header"),
    };

    /// Every endpoint that tells this clock: [`endpoint`](Self::endpoint), then [`also`](Self::also);
    /// none for [`ServerTimeApi::NONE`].
    pub fn routes(&self) -> impl Iterator<Item = &TimeRoute> {
        std::iter::once(&self.endpoint).filter(|route| !route.path.is_empty()).chain(self.also)
    }
}

/// One endpoint answering with the server clock: its path and its answer.
#[derive(Debug)]
#[non_exhaustive]
pub struct TimeRoute {
    /// The path to `GET` (no authentication), relative to the REST base URL.
    pub path: &'static str,
    /// The finest unit the answer tells the time in (one second, millisecond, microsecond or
    /// nanosecond): the answer for an instant reads back as that instant cut to this unit.
    pub resolution: Duration,
    /// The answer's JSON body when the server clock reads the given instant.
    pub(crate) answer: fn(Timestamp) -> Value,
}

impl TimeRoute {
    /// The JSON body the exchange answers with when its clock reads `now`, in its own shape and
    /// units: what the local exchange serves. (Written as JSON, the object keys come sorted.)
    pub fn answer(&self, now: Timestamp) -> Value {
        (self.answer)(now)
    }
}

/// A resolution of one second.
pub(crate) const SECONDS: Duration = Duration::from_secs(1);
/// A resolution of one millisecond.
pub(crate) const MILLIS: Duration = Duration::from_millis(1);
/// A resolution of one microsecond.
pub(crate) const MICROS: Duration = Duration::from_micros(1);
/// A resolution of one nanosecond.
pub(crate) const NANOS: Duration = Duration::from_nanos(1);

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

    /// The description this reads: `scheme`'s [`Exchange::server_time`](crate::Exchange::server_time).
    pub const fn api(self) -> &'static ServerTimeApi {
        &self.scheme.exchange().server_time
    }

    /// The path to `GET` (no authentication), relative to the REST base URL: the
    /// [`endpoint`](ServerTimeApi::endpoint) of the exchange's [`ServerTimeApi`], which also
    /// gives the answer's shape ([`TimeRoute::answer`]) and resolution.
    ///
    /// ```
    /// use cexsign::Scheme;
    /// use cexsign::server_time::ServerTime;
    /// assert_eq!(ServerTime::of(Scheme::Kraken).path(), "/0/public/Time");
    /// ```
    pub const fn path(self) -> &'static str {
        self.api().endpoint.path
    }

    /// Reads the server's time from the response body of any of the exchange's
    /// [`routes`](ServerTimeApi::routes).
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
        (self.api().read)(&json).map_err(invalid)
    }
}

/// A non-negative integer, given as a JSON number or a string of digits.
pub(crate) fn integer(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        _ => None,
    }
}

/// Integer milliseconds, as a JSON number or a string of digits.
pub(crate) fn millis(value: &Value) -> Option<Timestamp> {
    integer(value).map(Timestamp::from_unix_millis)
}

/// Seconds with an optional decimal fraction, as a JSON number or string (`1420674445.201`).
pub(crate) fn decimal_seconds(value: &Value) -> Option<Timestamp> {
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
