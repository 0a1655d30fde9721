//! reqwest-middleware layers: [`SigningMiddleware`] signs every request it sees with the clock it
//! holds, and [`ResyncOnTimestampRejection`] turns one timestamp rejection into a clock resync
//! and one fresh attempt.
//! [`SafeRetries`] repeats a request only when that cannot place an order twice.
//!
//! # Order matters
//!
//! Register retries **outside** signing, so each attempt passes through the signer again and
//! carries a fresh timestamp and signature. A retry registered inside (after) signing resends
//! the old signature, which every exchange here rejects once its window has passed.
//!
//! A plain transient-retry layer (reqwest-retry's `RetryTransientMiddleware`) outside signing
//! is the opposite trap: every repeat is a *new, valid* order, so a 503 or a lost answer after
//! the exchange accepted a `POST` places the order twice. Use [`SafeRetries`] instead: it repeats
//! only what the exchange certainly did not act on, or what it de-duplicates by client order id.
//!
//! ```
//! use std::sync::Arc;
//! use cexsign::clock::OffsetClock;
//! use cexsign::middleware::{ResyncOnTimestampRejection, SigningMiddleware};
//! use cexsign::{Credentials, OkxEnvironment, OkxSigner};
//!
//! let clock = Arc::new(OffsetClock::new());
//! let signer = OkxSigner::new(
//!     &Credentials::new().api_key("k").secret("22582BD0CFF14C41EDBF1AB98506286D").passphrase("p"),
//!     OkxEnvironment::Live,
//! )?;
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     // outermost: sees the rejection, resyncs, and sends the request down again...
//!     .with(ResyncOnTimestampRejection::for_signer(&signer, "https://www.okx.com", Arc::clone(&clock)))
//!     // ...through the signer, which signs that attempt with the corrected clock.
//!     .with(SigningMiddleware::new(signer, clock))
//!     .build();
//! # Ok::<(), cexsign::Error>(())
//! ```

mod retries;

pub use retries::{RetryOutcome, SafeRetries};

use std::sync::Arc;

use http::Extensions;
use reqwest_middleware::{Middleware, Next};

use crate::client::{ReqwestSigner, read_at_most, sync};
use crate::clock::{Clock, OffsetClock, SystemClock};
use crate::rejection::{NextStep, classify};
use crate::{Scheme, SignRequest, Signer};

/// Signs each request that passes through it, with a timestamp read from its clock at that
/// moment. Holds the signer and clock behind `Arc`s, so one instance serves any number of
/// concurrent requests.
///
/// It signs with any [`SignRequest`]: a [`Signer`] of the crate, or one of your own.
///
/// A bot that picks its exchange at run time shares one `Arc<dyn Signer>`:
///
/// ```
/// use std::sync::Arc;
/// use cexsign::clock::SystemClock;
/// use cexsign::middleware::SigningMiddleware;
/// use cexsign::{Credentials, KeySettings, Scheme, Signer};
///
/// let credentials = Credentials::new().api_key("k").secret("a-delta-secret");
/// let signer: Arc<dyn Signer> = Arc::from(Scheme::Delta.exchange().signer(&credentials, &KeySettings::new())?);
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(SigningMiddleware::from_arc(Arc::clone(&signer), Arc::new(SystemClock)))
///     .build();
/// // `client.get(url).send().await` is signed, every attempt afresh.
/// # drop(client);
/// # Ok::<(), cexsign::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SigningMiddleware {
    signer: Arc<dyn SignRequest>,
    clock: Arc<dyn Clock>,
}

impl SigningMiddleware {
    /// Signs with `signer`, reading `clock` once per attempt.
    pub fn new(signer: impl SignRequest + 'static, clock: Arc<dyn Clock>) -> Self {
        Self { signer: Arc::new(signer), clock }
    }

    /// Shares a signer that is already behind an `Arc` (an `Arc<dyn Signer>` included).
    pub fn from_arc<S: SignRequest + ?Sized + 'static>(signer: Arc<S>, clock: Arc<dyn Clock>) -> Self {
        Self { signer: Arc::new(Shared(signer)), clock }
    }
}

/// A signer behind an `Arc` of any (possibly unsized) type, signing as the one it shares.
#[derive(Debug)]
struct Shared<S: ?Sized>(Arc<S>);

impl<S: SignRequest + ?Sized> SignRequest for Shared<S> {
    fn sign_request(
        &self,
        request: &crate::SignableRequest<'_>,
        at: crate::Timestamp,
        options: &crate::SignOptions,
    ) -> Result<crate::SignedRequest, crate::Error> {
        self.0.sign_request(request, at, options)
    }
}

#[async_trait::async_trait]
impl Middleware for SigningMiddleware {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let at = self.clock.now().map_err(reqwest_middleware::Error::middleware)?;
        self.signer.sign_reqwest(&mut request, at).map_err(reqwest_middleware::Error::middleware)?;
        next.run(request, extensions).await
    }
}

/// On a response the classifier reads as "timestamp outside window" (or, for Coinbase, whose
/// plain `Unauthorized` gives no reason, as worth one fresh attempt), fetches the exchange's
/// server time once, corrects the [`OffsetClock`] and sends the request down the chain once more
/// (through the signer, which signs it afresh). At most one extra attempt per request; every
/// other response is passed through untouched. Requests with a streaming body, which cannot be
/// replayed, are never retried.
///
/// Bybit and Kraken answer auth rejections with HTTP 200 (`retCode` 10002, `EAPI:Invalid nonce`),
/// so for them successful responses are read and classified too (and rebuilt unchanged); for the
/// other exchanges a 2xx passes through unread.
#[derive(Debug, Clone)]
pub struct ResyncOnTimestampRejection<C: Clock = SystemClock> {
    scheme: Scheme,
    base_url: String,
    clock: Arc<OffsetClock<C>>,
    time_client: reqwest::Client,
}

impl<C: Clock + 'static> ResyncOnTimestampRejection<C> {
    /// For requests to `scheme`'s exchange at `base_url`, correcting `clock` (the one the
    /// [`SigningMiddleware`] reads).
    pub fn new(scheme: Scheme, base_url: impl Into<String>, clock: Arc<OffsetClock<C>>) -> Self {
        Self { scheme, base_url: base_url.into(), clock, time_client: reqwest::Client::new() }
    }

    /// For requests signed by `signer`, whose scheme names the exchange (its server time, its
    /// rejections), at `base_url`, correcting `clock` (the one the [`SigningMiddleware`] reads).
    pub fn for_signer(
        signer: &(impl Signer + ?Sized),
        base_url: impl Into<String>,
        clock: Arc<OffsetClock<C>>,
    ) -> Self {
        Self::new(signer.scheme(), base_url, clock)
    }

    /// Fetches server time with this client instead of a default one (proxies, TLS settings).
    pub fn with_time_client(mut self, client: reqwest::Client) -> Self {
        self.time_client = client;
        self
    }
}

#[async_trait::async_trait]
impl<C: Clock + 'static> Middleware for ResyncOnTimestampRejection<C> {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let replay = request.try_clone();
        let response = next.clone().run(request, extensions).await?;
        let rejects_with_200 = self.scheme.exchange().errors.rejects_rest_with_success_status();
        let Some(replay) = replay.filter(|_| rejects_with_200 || !response.status().is_success()) else {
            return Ok(response);
        };
        // Reading the body to classify it consumes the response; it is rebuilt unchanged. A
        // rejection is a short body: a longer one is handed on unread past the cap.
        let status = response.status();
        let version = response.version();
        let headers = response.headers().clone();
        let (head, rest) = read_at_most(response, CLASSIFY_AT_MOST).await?;
        if let Some(rest) = rest {
            return Ok(rebuild(
                status,
                version,
                headers,
                reqwest::Body::wrap(Prefixed { head: Some(head.into()), rest }),
            ));
        }
        let rejection = classify(self.scheme, status.as_u16(), &head);
        let worth_a_resync =
            rejection.is_some_and(|r| matches!(r.next_step, NextStep::ResyncAndRetryOnce | NextStep::RetryOnce));
        if worth_a_resync && sync(&self.time_client, &self.base_url, self.scheme, &self.clock).await.is_ok() {
            return next.run(replay, extensions).await;
        }
        Ok(rebuild(status, version, headers, reqwest::Body::from(head)))
    }
}

/// The most of a response body read to classify it: an exchange's rejection is a few hundred
/// bytes, and a hostile or huge answer must not be buffered whole.
pub const CLASSIFY_AT_MOST: usize = 64 * 1024;

fn rebuild(
    status: http::StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
    body: reqwest::Body,
) -> reqwest::Response {
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}

/// A body whose first bytes were already read: those, then the rest as it arrives.
struct Prefixed {
    head: Option<bytes::Bytes>,
    rest: reqwest::Body,
}

impl http_body::Body for Prefixed {
    type Data = bytes::Bytes;
    type Error = reqwest::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if let Some(head) = self.head.take().filter(|head| !head.is_empty()) {
            return std::task::Poll::Ready(Some(Ok(http_body::Frame::data(head))));
        }
        std::pin::Pin::new(&mut self.rest).poll_frame(cx)
    }
}
