//! A retry policy that never places an order twice: [`SafeRetries`] repeats a request only when
//! the exchange certainly did not act on it, or when acting twice is harmless, and otherwise
//! says so with a typed [`RetryOutcome`] instead of guessing.
//!
//! What it reads is the exchange's home ([`crate::Orders`]): which requests place orders, where
//! a client order id sits, whether the exchange de-duplicates on it, and which of its answers
//! mean "busy, not processed"; and its error table, through [`classify`], for rate limits.

use std::time::Duration;

use http::Extensions;
use reqwest_middleware::{Middleware, Next};

use super::{CLASSIFY_AT_MOST, Prefixed, rebuild};
use crate::Scheme;
use crate::client::read_at_most;
use crate::rejection::{RejectionKind, Response, classify};

/// Retries that never place an order twice. Register it **outside** (before) the
/// [`SigningMiddleware`](super::SigningMiddleware), so that every attempt is signed afresh.
///
/// An attempt is repeated (up to [`with_max_retries`](Self::with_max_retries) times, backing
/// off exponentially and never sooner than a `Retry-After` says) when:
///
/// * the exchange certainly did not act on it: the connection could not be opened, the
///   answer is HTTP 429 or the exchange's rate-limit code, or one of the codes the exchange
///   documents as "busy, not processed" ([`Orders::busy`](crate::Orders::busy));
/// * or acting twice is harmless: a `GET`, `HEAD` or `OPTIONS`, or an order carrying a client
///   order id the exchange de-duplicates on
///   ([`DuplicateOrder::is_deduplicated`](crate::DuplicateOrder::is_deduplicated)) — its
///   repeat is refused or answered with the first order, never placed.
///
/// Anything else that leaves the outcome open — a connection lost after the request was sent, a
/// timeout, a 5xx without a "not processed" code — on a request that is not safe to repeat is
/// not retried: it ends in [`RetryOutcome::StateUnknown`] ("query it by its client order id, or
/// list the open orders"). When a repeated order is refused as a duplicate, the outcome is
/// [`RetryOutcome::PlacedByEarlierAttempt`]: the first attempt placed it and its answer was
/// lost. Every other response is returned as it came. Streaming bodies are never repeated.
///
/// ```
/// use std::sync::Arc;
/// use cexsign::clock::OffsetClock;
/// use cexsign::middleware::{ResyncOnTimestampRejection, SafeRetries, SigningMiddleware};
/// use cexsign::{Credentials, OkxEnvironment, OkxSigner, Scheme};
///
/// let clock = Arc::new(OffsetClock::new());
/// let signer = OkxSigner::new(
///     &Credentials::new().api_key("k").secret("22582BD0CFF14C41EDBF1AB98506286D").passphrase("p"),
///     OkxEnvironment::Live,
/// )?;
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     // outermost: decides whether an attempt may be repeated...
///     .with(SafeRetries::new(Scheme::Okx))
///     .with(ResyncOnTimestampRejection::new(Scheme::Okx, "https://www.okx.com", Arc::clone(&clock)))
///     // ...and every attempt is signed afresh.
///     .with(SigningMiddleware::new(signer, clock))
///     .build();
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SafeRetries {
    scheme: Scheme,
    max_retries: u32,
    backoff: Duration,
    max_wait: Duration,
}

/// How a request through [`SafeRetries`] ended when no response can say it: returned as
/// `reqwest_middleware::Error::Middleware`, read back with [`RetryOutcome::of`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RetryOutcome {
    /// The request may or may not have been acted on (its answer was lost, timed out, or was a
    /// server error that does not say), and repeating it could act twice: query the order by
    /// its client order id (or list the open orders) before sending it again.
    #[error(
        "order state unknown after {attempts} attempt(s): {cause}; the request was not repeated because the exchange \
         could act on it twice (send a client order id the exchange de-duplicates on to make it safe): query the \
         order by its client order id, or list the open orders, before sending it again"
    )]
    StateUnknown {
        /// The attempts made.
        attempts: u32,
        /// The client order id the request carries, if any.
        client_order_id: Option<String>,
        /// What left the outcome open.
        cause: String,
    },
    /// A repeat of the order was refused because its client order id was already used: an
    /// earlier attempt placed it and its answer was lost. Query it by that id.
    #[error(
        "the order was placed by an earlier attempt whose answer was lost: the exchange refused the repeat by its \
         client order id; query the order by that id"
    )]
    PlacedByEarlierAttempt {
        /// The attempts made.
        attempts: u32,
        /// The client order id the exchange refused the repeat for.
        client_order_id: String,
    },
}

impl RetryOutcome {
    /// The outcome inside an error of a client that has [`SafeRetries`], if that is what it is.
    pub fn of(error: &reqwest_middleware::Error) -> Option<&RetryOutcome> {
        match error {
            reqwest_middleware::Error::Middleware(inner) => inner.downcast_ref::<RetryOutcome>(),
            _ => None,
        }
    }
}

impl SafeRetries {
    /// For requests to `scheme`'s exchange: at most 3 retries, backing off from 200 ms, waiting at
    /// most 10 s before one.
    pub fn new(scheme: Scheme) -> Self {
        Self { scheme, max_retries: 3, backoff: Duration::from_millis(200), max_wait: Duration::from_secs(10) }
    }

    /// At most `retries` repeats of one request.
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first wait between attempts; it doubles with each further one.
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// The longest wait before a repeat: a `Retry-After` asking for longer ends the retries
    /// (the response is returned).
    pub fn with_max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    fn backoff_for(&self, retry: u32) -> Duration {
        self.backoff.saturating_mul(1u32 << retry.min(16)).min(self.max_wait)
    }
}

/// What the policy knows about one request before sending it.
struct Request {
    /// The client order id it carries, if it places an order with one.
    client_order_id: Option<String>,
    /// Whether sending it twice is harmless.
    repeatable: bool,
}

impl SafeRetries {
    fn judge(&self, request: &reqwest::Request) -> Request {
        let orders = &self.scheme.exchange().orders;
        let method = request.method().as_str();
        let url = request.url();
        let body = request.body().and_then(reqwest::Body::as_bytes).unwrap_or_default();
        let client_order_id =
            if orders.places_order(method, url.path()) { orders.client_order_id_in(url.query(), body) } else { None };
        let idempotent = matches!(request.method(), &http::Method::GET | &http::Method::HEAD | &http::Method::OPTIONS);
        let repeatable = idempotent || (client_order_id.is_some() && orders.duplicate.is_deduplicated());
        Request { client_order_id, repeatable }
    }

    /// Whether a response's body must be read to judge it: always for an error status, and for
    /// a success where the exchange answers a rate limit, a busy code or a duplicate with 200.
    fn reads_success_bodies(&self) -> bool {
        let exchange = self.scheme.exchange();
        let orders = &exchange.orders;
        let duplicate = orders.duplicate_entry(&exchange.errors).map(|entry| entry.code);
        exchange.errors.codes.iter().any(|entry| {
            entry.status == 200
                && (entry.kind == Some(RejectionKind::RateLimited)
                    || orders.busy.contains(&entry.code)
                    || Some(entry.code) == duplicate)
        })
    }
}

/// What a response says about the request.
enum Verdict {
    /// The exchange did not act: repeat after at least this long (a `Retry-After`).
    NotProcessed(Option<Duration>),
    /// The exchange refused an order as a duplicate of one it placed.
    Duplicate,
    /// A server error that does not say whether the request was acted on.
    Unknown,
    /// Anything else: the answer.
    Answer,
}

impl SafeRetries {
    fn verdict(&self, status: u16, headers: &http::HeaderMap, body: Option<&[u8]>) -> Verdict {
        let retry_after = headers
            .get(http::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        if status == 429 {
            return Verdict::NotProcessed(retry_after);
        }
        if let Some(body) = body {
            let exchange = self.scheme.exchange();
            let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
            let text = String::from_utf8_lossy(body);
            let response = Response { status, json: json.as_ref(), text: &text };
            let code = exchange.errors.read(&response).iter().find_map(|read| exchange.errors.lookup(read));
            if let Some(code) = code {
                if exchange.orders.busy.contains(&code.code) || code.kind == Some(RejectionKind::RateLimited) {
                    return Verdict::NotProcessed(retry_after);
                }
                if exchange.orders.duplicate_entry(&exchange.errors).is_some_and(|entry| entry.code == code.code) {
                    return Verdict::Duplicate;
                }
            } else if classify(self.scheme, status, body).is_some_and(|r| r.kind == RejectionKind::RateLimited) {
                return Verdict::NotProcessed(retry_after);
            }
        }
        if status >= 500 { Verdict::Unknown } else { Verdict::Answer }
    }
}

#[async_trait::async_trait]
impl Middleware for SafeRetries {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let judged = self.judge(&request);
        let reads_success_bodies = self.reads_success_bodies();
        let mut pending = Some(request);
        let mut attempts = 0u32;
        loop {
            let Some(request) = pending.take() else {
                // Unreachable: every path that loops puts the next attempt back.
                return Err(reqwest_middleware::Error::middleware(RetryOutcome::StateUnknown {
                    attempts,
                    client_order_id: judged.client_order_id,
                    cause: "no request left to send".to_owned(),
                }));
            };
            let replay = request.try_clone();
            attempts += 1;
            let retries_left = replay.is_some() && attempts <= self.max_retries;
            let unknown = |cause: String| {
                reqwest_middleware::Error::middleware(RetryOutcome::StateUnknown {
                    attempts,
                    client_order_id: judged.client_order_id.clone(),
                    cause,
                })
            };
            let wait = match next.clone().run(request, extensions).await {
                Err(error) => {
                    let never_sent = matches!(&error, reqwest_middleware::Error::Reqwest(e) if e.is_connect());
                    if !retries_left {
                        return if never_sent || judged.repeatable {
                            Err(error)
                        } else {
                            Err(unknown(error.to_string()))
                        };
                    }
                    if !never_sent && !judged.repeatable {
                        return Err(unknown(error.to_string()));
                    }
                    self.backoff_for(attempts - 1)
                }
                Ok(response) => {
                    let status = response.status();
                    let version = response.version();
                    let headers = response.headers().clone();
                    let (body, response) = if status.is_success() && !reads_success_bodies && status != 429 {
                        (None, Some(response))
                    } else {
                        let (head, rest) = read_at_most(response, CLASSIFY_AT_MOST).await?;
                        match rest {
                            // Too long to be an exchange's error answer: handed on unread past the cap.
                            Some(rest) => {
                                let body = reqwest::Body::wrap(Prefixed { head: Some(head.into()), rest });
                                return Ok(rebuild(status, version, headers, body));
                            }
                            None => (Some(head), None),
                        }
                    };
                    let verdict = self.verdict(status.as_u16(), &headers, body.as_deref());
                    let answer = |body: Option<Vec<u8>>, response: Option<reqwest::Response>| match response {
                        Some(response) => response,
                        None => {
                            rebuild(status, version, headers.clone(), reqwest::Body::from(body.unwrap_or_default()))
                        }
                    };
                    match verdict {
                        Verdict::Answer => return Ok(answer(body, response)),
                        Verdict::Duplicate => match (&judged.client_order_id, attempts > 1) {
                            (Some(id), true) => {
                                return Err(reqwest_middleware::Error::middleware(
                                    RetryOutcome::PlacedByEarlierAttempt { attempts, client_order_id: id.clone() },
                                ));
                            }
                            _ => return Ok(answer(body, response)),
                        },
                        Verdict::Unknown if !judged.repeatable => {
                            return Err(unknown(format!("HTTP {status} without a \"not processed\" code")));
                        }
                        Verdict::Unknown if !retries_left => return Ok(answer(body, response)),
                        Verdict::Unknown => self.backoff_for(attempts - 1),
                        Verdict::NotProcessed(_) if !retries_left => return Ok(answer(body, response)),
                        Verdict::NotProcessed(retry_after) => {
                            let wait = retry_after.unwrap_or_default().max(self.backoff_for(attempts - 1));
                            if wait > self.max_wait {
                                return Ok(answer(body, response));
                            }
                            wait
                        }
                    }
                }
            };
            tokio::time::sleep(wait).await;
            pending = replay;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: http::Method, url: &str, body: &str) -> reqwest::Request {
        let mut request = reqwest::Request::new(method, url.parse().unwrap());
        *request.body_mut() = Some(reqwest::Body::from(body.to_owned()));
        request
    }

    #[test]
    fn an_order_is_repeatable_only_with_an_id_the_exchange_deduplicates_on() {
        let okx = SafeRetries::new(Scheme::Okx);
        let order = |body| request(http::Method::POST, "https://www.okx.com/api/v5/trade/order", body);
        assert!(okx.judge(&order(r#"{"clOrdId":"a1"}"#)).repeatable);
        assert!(!okx.judge(&order(r#"{"instId":"BTC-USDT"}"#)).repeatable);
        assert!(okx.judge(&request(http::Method::GET, "https://www.okx.com/api/v5/account/balance", "")).repeatable);
        assert!(!okx.judge(&request(http::Method::POST, "https://www.okx.com/api/v5/asset/withdrawal", "")).repeatable);
        // Delta's docs do not say a repeated client_order_id is refused: not repeatable.
        let delta = SafeRetries::new(Scheme::Delta);
        let order = request(http::Method::POST, "https://api.delta.exchange/v2/orders", r#"{"client_order_id":"a"}"#);
        assert!(!delta.judge(&order).repeatable);
    }

    #[test]
    fn busy_rate_limited_duplicate_and_server_errors_are_told_apart() {
        let okx = SafeRetries::new(Scheme::Okx);
        let none = http::HeaderMap::new();
        let verdict = |status, body: &str| okx.verdict(status, &none, Some(body.as_bytes()));
        assert!(matches!(verdict(200, r#"{"code":"50013","msg":"busy"}"#), Verdict::NotProcessed(None)));
        assert!(matches!(verdict(429, r#"{"code":"50011","msg":""}"#), Verdict::NotProcessed(None)));
        assert!(matches!(verdict(200, r#"{"code":"51016","msg":"Duplicated clOrdId"}"#), Verdict::Duplicate));
        let placed_before =
            r#"{"code":"1","msg":"All operations failed","data":[{"sCode":"51016","sMsg":"Duplicated clOrdId"}]}"#;
        assert!(matches!(verdict(200, placed_before), Verdict::Duplicate));
        let busy = r#"{"code":"1","msg":"All operations failed","data":[{"sCode":"50013","sMsg":"Systems are busy"}]}"#;
        assert!(matches!(verdict(200, busy), Verdict::NotProcessed(None)));
        let refused =
            r#"{"code":"1","msg":"All operations failed","data":[{"sCode":"51008","sMsg":"Insufficient balance"}]}"#;
        assert!(matches!(verdict(200, refused), Verdict::Answer));
        assert!(matches!(verdict(502, "<html>bad gateway</html>"), Verdict::Unknown));
        assert!(matches!(verdict(200, r#"{"code":"0","data":[]}"#), Verdict::Answer));
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("3"));
        assert!(
            matches!(okx.verdict(429, &headers, None), Verdict::NotProcessed(Some(d)) if d == Duration::from_secs(3))
        );
    }

    #[test]
    fn the_backoff_doubles_up_to_the_longest_wait() {
        let policy = SafeRetries::new(Scheme::Okx)
            .with_backoff(Duration::from_millis(100))
            .with_max_wait(Duration::from_millis(350));
        let waits: Vec<_> = (0..4).map(|retry| policy.backoff_for(retry).as_millis()).collect();
        assert_eq!(waits, [100, 200, 350, 350]);
    }
}
