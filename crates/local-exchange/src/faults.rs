//! Faults on purpose: what the local exchange does to a verified request besides answering it,
//! so that a bot can test offline what it does when the exchange is slow, busy, rate-limiting,
//! or gone — and above all when an order went through but its answer never arrived.
//!
//! A [`FaultRule`] matches requests by method, path pattern and API key, and holds a schedule:
//! each matching verified request takes the next [`Fault`] of it, until the schedule runs out.
//! Rules are given to [`LocalExchange::with_faults`](crate::LocalExchange::with_faults) or, while
//! running, [`RunningExchange::add_faults`](crate::RunningExchange::add_faults); the first rule
//! that matches and still has a fault fires. The verified-request log
//! ([`RunningExchange::verified_requests`](crate::RunningExchange::verified_requests)) names the
//! fault that fired (`"fault"`) and what the request did to the order book (`"order"`).
//!
//! Every answer is the exchange's own where its home says what it is: a 429 carries the body of
//! its rate-limit code, a busy answer the first of its documented "busy, not processed" codes
//! ([`cexsign::Orders::busy`]). Faults apply to REST requests that verified; rejections are
//! answered as always.
//!
//! A private stream's connection can be ended on purpose, so that a bot's reconnect (and its
//! fresh login) is testable: a rule made with [`FaultRule::stream`] is taken by each message a
//! client sends on the stream, and [`Fault::EndStream`] ends the connection instead of answering
//! it (after N messages: N passes, then the end); or at once, every open stream, through
//! [`RunningExchange::end_private_streams`](crate::RunningExchange::end_private_streams). The end
//! is abrupt (no close frame, as a dropped network) or a close frame, as an exchange that goes
//! away sends ([`StreamEnd`]).

use std::collections::VecDeque;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use http::{HeaderName, HeaderValue, StatusCode};
use serde_json::{Value, json};

use super::orders::{Placement, duplicate_answer, table_answer};
use super::reply::{Reply, Verdict};
use super::server::State;
use super::verify::RawRequest;
use cexsign::Scheme;
use cexsign::rejection::{Refusal, RejectionKind};

/// The most rules the local exchange holds at once; more are dropped (oldest kept).
pub const MAX_FAULT_RULES: usize = 256;

/// The most faults one rule's schedule holds; more are dropped.
pub const MAX_SCHEDULE: usize = 4096;

/// One fault, done to one verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Nothing: the request is served as usual (a gap in a schedule).
    Pass,
    /// Answer with this HTTP status instead, before acting on the request (a gateway's 502, 503
    /// or 504): nothing is placed.
    Status(u16),
    /// Act on the request (an order is placed), then answer with this HTTP status anyway: a
    /// gateway that timed out waiting for the exchange's answer (Binance documents such a 503 as
    /// "execution status unknown").
    StatusAfterProcessing(u16),
    /// Answer 429 with a `Retry-After` of this many whole seconds and the body of the
    /// exchange's rate-limit code, before acting on the request: nothing is placed.
    RateLimited {
        /// The `Retry-After` sent (rounded up to whole seconds).
        retry_after: Duration,
    },
    /// Answer with the exchange's first documented "busy, not processed" code (its status and
    /// body), before acting on the request: nothing is placed. An exchange that documents none
    /// gets a 503 saying so.
    Busy,
    /// Wait this long, then serve the request as usual.
    Latency(Duration),
    /// Close the connection without an answer, before acting on the request: nothing is placed.
    CloseBeforeProcessing,
    /// Act on the request (an order is placed), then, after `after`, close the connection
    /// without an answer: the client sees a reset, or its own timeout if that is shorter.
    LoseResponse {
        /// How long to hold the connection before closing it.
        after: Duration,
    },
    /// On a private stream ([`FaultRule::stream`]): end the connection instead of answering the
    /// message. A REST request that takes it is served as usual.
    EndStream(StreamEnd),
}

/// How the local exchange ends a private stream's connection on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamEnd {
    /// The connection is closed without a close frame, as a dropped network or a crashed
    /// server does: the client reads an error (a reset without the closing handshake) or the
    /// end of the stream.
    Dropped,
    /// A close frame first (1001 "going away", as a server restarting sends), then the
    /// connection is closed.
    Closed,
}

/// The method a private stream's messages are matched with: a rule for it
/// ([`FaultRule::stream`]) applies to them and to no REST request, and no rule without it
/// applies to them.
pub const STREAM_METHOD: &str = "WEBSOCKET";

impl Fault {
    /// A 429 with `Retry-After` ([`Fault::RateLimited`]).
    pub fn rate_limited(retry_after: Duration) -> Self {
        Fault::RateLimited { retry_after }
    }

    /// The response lost at once after the order was placed ([`Fault::LoseResponse`]).
    pub fn lose_response() -> Self {
        Fault::LoseResponse { after: Duration::ZERO }
    }

    /// Whether the request is refused before the exchange acts on it.
    fn before_processing(&self) -> bool {
        matches!(self, Fault::Status(_) | Fault::RateLimited { .. } | Fault::Busy | Fault::CloseBeforeProcessing)
    }
}

impl fmt::Display for Fault {
    /// How the verified-request log names it: `status 503`, `rate_limited 2s`, `busy`,
    /// `latency 250ms`, `closed_before_processing`, `lost_response` (and what
    /// [`str::parse`] reads back).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Pass => f.write_str("pass"),
            Fault::Status(status) => write!(f, "status {status}"),
            Fault::StatusAfterProcessing(status) => write!(f, "status_after_processing {status}"),
            Fault::RateLimited { retry_after } => write!(f, "rate_limited {}s", retry_after_secs(*retry_after)),
            Fault::Busy => f.write_str("busy"),
            Fault::Latency(delay) => write!(f, "latency {}ms", delay.as_millis()),
            Fault::CloseBeforeProcessing => f.write_str("closed_before_processing"),
            Fault::LoseResponse { after } if after.is_zero() => f.write_str("lost_response"),
            Fault::LoseResponse { after } => write!(f, "lost_response {}ms", after.as_millis()),
            Fault::EndStream(StreamEnd::Dropped) => f.write_str("stream_dropped"),
            Fault::EndStream(StreamEnd::Closed) => f.write_str("stream_closed"),
        }
    }
}

/// A fault written as the verified-request log names it ([`Fault`]'s `Display`): `pass`,
/// `status 503`, `rate_limited 2s`, `busy`, `latency 250ms`, `closed_before_processing`,
/// `lost_response`, `lost_response 5s` (held 5 s, then closed): how the standalone local
/// exchange's configuration writes a schedule.
///
/// ```
/// use std::time::Duration;
/// use cexsign_local_exchange::Fault;
/// assert_eq!("rate_limited 2s".parse::<Fault>(), Ok(Fault::rate_limited(Duration::from_secs(2))));
/// assert_eq!("latency 250ms".parse::<Fault>(), Ok(Fault::Latency(Duration::from_millis(250))));
/// assert!("status 42".parse::<Fault>().is_err());
/// ```
impl std::str::FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let expected = "pass, status <100-599>, status_after_processing <100-599>, rate_limited <duration>, busy, latency <duration>, \
                        closed_before_processing, lost_response or lost_response <duration>, stream_dropped, stream_closed";
        let (name, argument) = match text.trim().split_once(' ') {
            Some((name, argument)) => (name, Some(argument.trim())),
            None => (text.trim(), None),
        };
        let duration = |argument: Option<&str>| argument.and_then(parse_duration);
        let fault = match (name, argument) {
            ("pass", None) => Fault::Pass,
            ("busy", None) => Fault::Busy,
            ("closed_before_processing", None) => Fault::CloseBeforeProcessing,
            ("stream_dropped", None) => Fault::EndStream(StreamEnd::Dropped),
            ("stream_closed", None) => Fault::EndStream(StreamEnd::Closed),
            ("lost_response", None) => Fault::lose_response(),
            ("lost_response", after) => {
                Fault::LoseResponse { after: duration(after).ok_or("a duration: 5s or 250ms")? }
            }
            ("status" | "status_after_processing", Some(status)) => match status.parse::<u16>() {
                Ok(status @ 100..=599) if name == "status" => Fault::Status(status),
                Ok(status @ 100..=599) => Fault::StatusAfterProcessing(status),
                _ => return Err(format!("{text:?}: the status is not an HTTP status (100-599)")),
            },
            ("rate_limited", retry_after) => Fault::RateLimited {
                retry_after: duration(retry_after).ok_or("rate_limited: a duration: 2s or 500ms")?,
            },
            ("latency", delay) => Fault::Latency(duration(delay).ok_or("latency: a duration: 250ms or 1s")?),
            _ => return Err(format!("{text:?} is not a fault: expected {expected}")),
        };
        Ok(fault)
    }
}

/// `250ms` or `2s`, at most an hour.
fn parse_duration(text: &str) -> Option<Duration> {
    let duration = if let Some(millis) = text.strip_suffix("ms") {
        Duration::from_millis(millis.parse().ok()?)
    } else {
        Duration::from_secs(text.strip_suffix('s')?.parse().ok()?)
    };
    (duration <= Duration::from_secs(3600)).then_some(duration)
}

/// Which requests a schedule of faults applies to, and the schedule.
///
/// ```
/// use std::time::Duration;
/// use cexsign_local_exchange::{Fault, FaultRule};
/// // The first order POSTed to OKX is placed but its answer is lost; the second is told to back
/// // off for a second; the third goes through.
/// let rule = FaultRule::new("/api/v5/trade/order")
///     .method("POST")
///     .then(Fault::lose_response())
///     .then(Fault::rate_limited(Duration::from_secs(1)));
/// assert_eq!(rule.remaining(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    method: Option<String>,
    path: String,
    key: Option<String>,
    schedule: VecDeque<Fault>,
    /// The compatible answer of [`RunningExchange::inject_failures`](crate::RunningExchange::inject_failures).
    legacy: bool,
}

impl FaultRule {
    /// A rule for the paths `pattern` matches: a path exactly, a prefix ending in `*`
    /// (`/api/v5/*`), or `*` for every path. Any method and key, and an empty schedule.
    pub fn new(pattern: impl Into<String>) -> Self {
        Self { method: None, path: pattern.into(), key: None, schedule: VecDeque::new(), legacy: false }
    }

    /// A rule for the messages a client sends on the private streams whose path `pattern`
    /// matches (as [`FaultRule::new`] reads it): each message takes the next fault, and
    /// [`Fault::EndStream`] ends the connection instead of answering it; other faults let the
    /// message be answered as usual. Only the messages of a connection logged in with a key
    /// match a rule for that key ([`FaultRule::key`]).
    ///
    /// ```
    /// use cexsign_local_exchange::{Fault, FaultRule, StreamEnd};
    /// // Answer three messages on Binance's stream, then drop the connection.
    /// let rule = FaultRule::stream("/ws-api/v3").times(3, Fault::Pass).then(Fault::EndStream(StreamEnd::Dropped));
    /// assert_eq!(rule.remaining(), 4);
    /// ```
    pub fn stream(pattern: impl Into<String>) -> Self {
        Self::new(pattern).method(STREAM_METHOD)
    }

    /// Only requests with this method (case-insensitive).
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Only requests verified for this API key.
    pub fn key(mut self, api_key: impl Into<String>) -> Self {
        self.key = Some(api_key.into());
        self
    }

    /// Adds a fault at the end of the schedule.
    pub fn then(mut self, fault: Fault) -> Self {
        if self.schedule.len() < MAX_SCHEDULE {
            self.schedule.push_back(fault);
        }
        self
    }

    /// Adds `count` times the same fault at the end of the schedule.
    pub fn times(mut self, count: usize, fault: Fault) -> Self {
        for _ in 0..count.min(MAX_SCHEDULE - self.schedule.len()) {
            self.schedule.push_back(fault.clone());
        }
        self
    }

    /// The faults left in the schedule.
    pub fn remaining(&self) -> usize {
        self.schedule.len()
    }

    pub(crate) fn legacy(mut self) -> Self {
        self.legacy = true;
        self
    }

    fn matches(&self, method: &str, path: &str, key: &str) -> bool {
        let path_matches = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        };
        // A stream's messages are taken by stream rules only, and those by nothing else.
        let for_streams = self.method.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(STREAM_METHOD));
        path_matches
            && for_streams == method.eq_ignore_ascii_case(STREAM_METHOD)
            && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.key.as_deref().is_none_or(|k| k == key)
    }
}

/// The rules in force, in the order they were given, and the open private streams' ear for an
/// end on demand.
#[derive(Debug)]
pub(crate) struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    stream_ends: tokio::sync::broadcast::Sender<StreamEnd>,
}

impl Default for Faults {
    fn default() -> Self {
        // Each open stream holds a receiver; an end is one message, so a short queue is enough.
        let (stream_ends, _) = tokio::sync::broadcast::channel(4);
        Self { rules: Mutex::default(), stream_ends }
    }
}

impl Faults {
    /// What an open private stream listens to for an end on demand.
    pub(crate) fn stream_ends(&self) -> tokio::sync::broadcast::Receiver<StreamEnd> {
        self.stream_ends.subscribe()
    }

    /// Ends every open private stream now; how many were open.
    pub(crate) fn end_streams(&self, end: StreamEnd) -> usize {
        self.stream_ends.send(end).unwrap_or(0)
    }

    /// The end a message on the private stream at `path` takes from the stream rules, if its
    /// fault is one (`key`: the key the connection logged in with, empty before).
    pub(crate) fn stream_message(&self, path: &str, key: &str) -> Option<StreamEnd> {
        match self.next(STREAM_METHOD, path, key)? {
            (Fault::EndStream(end), _) => Some(end),
            _ => None,
        }
    }

    pub(crate) fn new(rules: Vec<FaultRule>) -> Self {
        let faults = Self::default();
        for rule in rules {
            faults.add(rule);
        }
        faults
    }

    pub(crate) fn add(&self, rule: FaultRule) {
        if let Ok(mut rules) = self.rules.lock() {
            if rules.len() < MAX_FAULT_RULES && !rule.schedule.is_empty() {
                rules.push(rule);
            }
        }
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut rules) = self.rules.lock() {
            rules.clear();
        }
    }

    /// The compatible [`RunningExchange::inject_failures`](crate::RunningExchange::inject_failures):
    /// replaces the failures it injected before.
    pub(crate) fn inject_failures(&self, count: u32, status: StatusCode) {
        if let Ok(mut rules) = self.rules.lock() {
            rules.retain(|rule| !rule.legacy);
        }
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        self.add(FaultRule::new("*").times(count, Fault::StatusAfterProcessing(status.as_u16())).legacy());
    }

    /// The next fault for a verified request, taken from the first matching rule that has one,
    /// and whether that rule is the compatible one.
    fn next(&self, method: &str, path: &str, key: &str) -> Option<(Fault, bool)> {
        let mut rules = self.rules.lock().ok()?;
        let index = rules.iter().position(|rule| rule.matches(method, path, key))?;
        let rule = &mut rules[index];
        let fault = rule.schedule.pop_front()?;
        let legacy = rule.legacy;
        if rule.schedule.is_empty() {
            rules.remove(index);
        }
        Some((fault, legacy))
    }
}

/// The answer to a verified REST request, with the faults scheduled for it and the orders it
/// places; rejections go through untouched. Logs every verified request.
pub(crate) async fn serve_verified(state: &State, scheme: Scheme, request: &RawRequest<'_>, reply: Reply) -> Reply {
    if reply.verdict != Verdict::Accepted {
        return reply;
    }
    let echo: Option<Value> = serde_json::from_str(&reply.body).ok();
    let key = echo.as_ref().and_then(|echo| echo["api_key"].as_str()).unwrap_or_default().to_owned();
    let fired = state.faults.next(request.method, request.path, &key);
    if let Some((Fault::Latency(delay), _)) = &fired {
        tokio::time::sleep(*delay).await;
    }
    let placement = match &fired {
        Some((fault, _)) if fault.before_processing() => Placement::NotAnOrder,
        _ => state.orders.place(scheme, &key, request.method, request.path, request.query, request.body),
    };
    if let Some(mut echo) = echo {
        if let Value::Object(fields) = &mut echo {
            if let Some((fault, _)) = &fired {
                fields.insert("fault".to_owned(), json!(fault.to_string()));
            }
            if let Some(order) = placement.logged() {
                fields.insert("order".to_owned(), json!(order));
            }
        }
        state.log_verified(echo);
    }
    let now = state.now();
    let reply = match placement {
        Placement::Duplicate(entry) => duplicate_answer(scheme, entry, now),
        _ => reply,
    };
    let Some((fault, legacy)) = fired else {
        return reply;
    };
    match fault {
        Fault::Pass | Fault::Latency(_) | Fault::EndStream(_) => reply,
        Fault::StatusAfterProcessing(status) if legacy => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let body = json!({"cexsign": "injected failure", "status": status.as_u16(), "verified": true});
            Reply::json(status, &body, Verdict::Neutral)
        }
        Fault::Status(status) | Fault::StatusAfterProcessing(status) => {
            let processed = matches!(fault, Fault::StatusAfterProcessing(_));
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let body = json!({"cexsign": "injected fault", "status": status.as_u16(), "processed": processed});
            Reply::json(status, &body, Verdict::Neutral)
        }
        Fault::RateLimited { retry_after } => {
            let reason = "injected fault: rate-limited before the request was processed";
            let entry = scheme.exchange().errors.codes.iter().find(|e| e.kind == Some(RejectionKind::RateLimited));
            let mut reply = match entry {
                Some(entry) => {
                    table_answer(scheme, entry, Refusal::NotProcessed, Some(StatusCode::TOO_MANY_REQUESTS), reason, now)
                }
                None => {
                    Reply::json(StatusCode::TOO_MANY_REQUESTS, &json!({"cexsign": "injected fault"}), Verdict::Neutral)
                }
            };
            reply.verdict = Verdict::Neutral;
            reply.headers.push((http::header::RETRY_AFTER, HeaderValue::from(retry_after_secs(retry_after))));
            reply
        }
        Fault::Busy => {
            let exchange = scheme.exchange();
            let mut reply = match exchange.orders.busy_entries(&exchange.errors).next() {
                Some(entry) => table_answer(
                    scheme,
                    entry,
                    Refusal::NotProcessed,
                    None,
                    "injected fault: the exchange was busy and did not process the request",
                    now,
                ),
                None => Reply::json(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &json!({
                        "cexsign": "injected fault",
                        "cexsign_reason": "busy: this exchange documents no \"busy, not processed\" answer of its own",
                    }),
                    Verdict::Neutral,
                ),
            };
            reply.verdict = Verdict::Neutral;
            reply
        }
        Fault::CloseBeforeProcessing => dropped(reply),
        Fault::LoseResponse { after } => {
            tokio::time::sleep(after).await;
            dropped(reply)
        }
    }
}

/// A reply never sent: the connection is closed instead.
fn dropped(mut reply: Reply) -> Reply {
    reply.drop_connection = true;
    reply.headers.push((HeaderName::from_static("cexsign-fault"), HeaderValue::from_static("dropped")));
    reply
}

fn retry_after_secs(retry_after: Duration) -> u64 {
    retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0)
}

/// Why the server closed a connection without an answer: a fault on purpose.
#[derive(Debug)]
pub(crate) struct ConnectionDropped;

impl fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection closed on purpose by an injected fault")
    }
}

impl std::error::Error for ConnectionDropped {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_is_taken_in_order_by_matching_requests_only() {
        let faults = Faults::new(vec![
            FaultRule::new("/api/v5/*").method("post").key("k").then(Fault::Busy).then(Fault::Pass),
            FaultRule::new("*").then(Fault::Status(502)),
        ]);
        assert_eq!(faults.next("GET", "/api/v5/x", "k"), Some((Fault::Status(502), false)));
        assert_eq!(faults.next("POST", "/api/v5/x", "other"), None);
        assert_eq!(faults.next("POST", "/api/v5/x", "k"), Some((Fault::Busy, false)));
        assert_eq!(faults.next("POST", "/v5/x", "k"), None);
        assert_eq!(faults.next("POST", "/api/v5/y", "k"), Some((Fault::Pass, false)));
        assert_eq!(faults.next("POST", "/api/v5/y", "k"), None);
    }

    #[test]
    fn inject_failures_replaces_what_it_injected_before() {
        let faults = Faults::default();
        faults.inject_failures(3, StatusCode::SERVICE_UNAVAILABLE);
        faults.inject_failures(1, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(faults.next("GET", "/a", ""), Some((Fault::StatusAfterProcessing(500), true)));
        assert_eq!(faults.next("GET", "/a", ""), None);
        faults.inject_failures(0, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(faults.next("GET", "/a", ""), None);
    }

    #[test]
    fn every_fault_reads_back_as_the_log_names_it() {
        for fault in [
            Fault::Pass,
            Fault::Status(503),
            Fault::StatusAfterProcessing(504),
            Fault::rate_limited(Duration::from_secs(2)),
            Fault::Busy,
            Fault::Latency(Duration::from_millis(250)),
            Fault::CloseBeforeProcessing,
            Fault::lose_response(),
            Fault::LoseResponse { after: Duration::from_millis(1500) },
        ] {
            assert_eq!(fault.to_string().parse::<Fault>(), Ok(fault.clone()), "{fault}");
        }
        for wrong in ["", "status", "status 99", "latency", "latency 2h", "latency 7200s", "busy 1s", "explode"] {
            assert!(wrong.parse::<Fault>().is_err(), "{wrong:?}");
        }
    }

    #[test]
    fn stream_rules_are_taken_by_stream_messages_only() {
        let faults = Faults::new(vec![
            FaultRule::new("*").then(Fault::Busy),
            FaultRule::stream("/ws-api/*").then(Fault::Pass).then(Fault::EndStream(StreamEnd::Closed)),
        ]);
        assert_eq!(faults.stream_message("/ws/v5/private", ""), None);
        assert_eq!(faults.stream_message("/ws-api/v3", ""), None);
        assert_eq!(faults.stream_message("/ws-api/v3", ""), Some(StreamEnd::Closed));
        assert_eq!(faults.stream_message("/ws-api/v3", ""), None);
        // The REST rule was not taken by the stream's messages, nor a stream rule by REST.
        let faults = Faults::new(vec![FaultRule::stream("*").then(Fault::EndStream(StreamEnd::Dropped))]);
        assert_eq!(faults.next("GET", "/api/v3/account", ""), None);
        assert_eq!(faults.stream_message("/v5/private", "k"), Some(StreamEnd::Dropped));
        for (text, end) in [("stream_dropped", StreamEnd::Dropped), ("stream_closed", StreamEnd::Closed)] {
            assert_eq!(text.parse::<Fault>(), Ok(Fault::EndStream(end)));
            assert_eq!(Fault::EndStream(end).to_string(), text);
        }
    }

    #[test]
    fn retry_after_is_rounded_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(1)), 1);
        assert_eq!(Fault::rate_limited(Duration::from_millis(10)).to_string(), "rate_limited 1s");
    }
}
