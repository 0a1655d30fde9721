//! The unauthenticated server-time endpoints: every route of every exchange's
//! [`ServerTimeApi`](cexsign::server_time::ServerTimeApi), answering with the server clock
//! (system clock plus the configured offset). The paths and answers are the exchanges' homes'
//! (in `cexsign`); this module only routes to them.

use http::StatusCode;

use super::reply::{Reply, Verdict};
use cexsign::{Scheme, Timestamp};

/// The time response for `path`, if it is a server-time endpoint.
pub(crate) fn endpoint(path: &str, now: Timestamp) -> Option<Reply> {
    let route = Scheme::ALL
        .iter()
        .flat_map(|scheme| scheme.exchange().server_time.routes())
        .find(|route| route.path == path)?;
    Some(Reply::json(StatusCode::OK, &route.answer(now), Verdict::Neutral))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cexsign::server_time::ServerTime;

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

    /// For every scheme and every route of its description, what is served for an instant reads
    /// back through the public `ServerTime` API as that instant cut to the route's resolution:
    /// the renderer and the parser, written side by side in the exchange's home, agree.
    #[test]
    fn every_served_answer_parses_back_to_its_instant() {
        use std::time::Duration;
        let instants = [
            Duration::new(1_709_005_034, 333_123_456),
            Duration::new(1_591_502_873, 0),
            Duration::new(1_700_000_000, 999_999_999),
            Duration::new(4_102_444_800, 500_000_001),
        ];
        let mut checked = 0;
        for scheme in Scheme::ALL {
            let server_time = ServerTime::of(scheme);
            for route in server_time.api().routes() {
                let tick = route.resolution.as_nanos();
                assert!([1, 1_000, 1_000_000, 1_000_000_000].contains(&tick), "{scheme:?} {}", route.path);
                for since_epoch in instants {
                    let at = Timestamp::from_duration_since_epoch(since_epoch);
                    let reply = endpoint(route.path, at).unwrap_or_else(|| panic!("{} is not served", route.path));
                    let parsed = server_time
                        .parse(reply.body.as_bytes())
                        .unwrap_or_else(|e| panic!("{scheme:?} {}: {e}: {}", route.path, reply.body));
                    let cut = u64::try_from(since_epoch.as_nanos() / tick * tick).unwrap();
                    assert_eq!(
                        parsed,
                        Timestamp::from_duration_since_epoch(Duration::from_nanos(cut)),
                        "{scheme:?} {} at {since_epoch:?}: {}",
                        route.path,
                        reply.body
                    );
                    checked += 1;
                }
            }
        }
        // Every scheme's endpoint (schemes whose exchange has none, `ServerTimeApi::NONE`, not
        // counted), plus Coinbase App v2 (both Coinbase Advanced schemes) and Binance USDⓈ-M.
        let with_endpoint = Scheme::ALL.into_iter().filter(|s| !ServerTime::of(*s).path().is_empty()).count();
        assert_eq!(checked, (with_endpoint + 3) * instants.len());
    }

    /// A path is served with one exchange's answer: two exchanges' routes never share a path
    /// (the schemes of one API, Coinbase Advanced's HMAC and CDP, share all of theirs).
    #[test]
    fn no_path_is_two_exchanges_time() {
        for a in Scheme::ALL {
            for b in Scheme::ALL {
                let (a_api, b_api) = (ServerTime::of(a).api(), ServerTime::of(b).api());
                if a_api.endpoint.path == b_api.endpoint.path {
                    continue;
                }
                for route in a_api.routes() {
                    assert!(b_api.routes().all(|other| other.path != route.path), "{a:?} and {b:?}: {}", route.path);
                }
            }
        }
    }
}
