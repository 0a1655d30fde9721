//! The HTTP side: the [`LocalExchange`] builder, the accept loop on the caller's tokio runtime
//! with its cap on open connections, request routing, body reading with a size cap and a
//! deadline, and the [`RunningExchange`] handle.

use std::collections::HashMap;
use std::collections::VecDeque;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt as _, Full};
use hyper::body::{Body as _, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::task::{AbortHandle, JoinHandle, JoinSet};

use super::account::Account;
use super::background::Background;
use super::diagnosis;
use super::faults::{self, ConnectionDropped, FaultRule, Faults};
use super::orders::OrderBook;
use super::reply::{Failure, Rejection, Reply, Verdict, cexsign_error, rest_rejection, ws_rejection};
use super::verify::{self, RawRequest};
use super::{private_stream, server_time, ws};
use cexsign::{Scheme, Timestamp};

/// The default cap on request bodies: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The default time a client has to send a request's headers, and to start the next request
/// on a kept-alive connection: 30 s.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The default time a client has to send a request's whole body, once its headers are in: 30 s.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The default time a connection may go without finishing a request before, when the server is
/// full and another connection waits, it is closed to make room: 1 s. A client that holds its
/// connection without finishing a request (slow headers, a trickled body, silence) gives way
/// to one that is ready, instead of holding its place until its read deadline (30 s).
pub const DEFAULT_STALLED_AFTER: Duration = Duration::from_secs(1);

/// The default cap on connections served at once: 512, half the usual soft limit of 1024 open
/// files, so that the server (and a test client in the same process) keeps descriptors to spare.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// A body of up to this many bytes is read and checked at once, on the request worker: hashing
/// 64 KiB costs about 0.2 ms. A larger one waits for room in [`LARGE_BODY_BUDGET`] before it is
/// read, and is checked on the background threads.
const SMALL_BODY_BYTES: usize = 64 * 1024;

/// The bytes of large bodies read or checked at once (or the body cap, if that is larger): what
/// bounds the server's memory however many clients send a large body at the same time. A large
/// body waits (within the body-read timeout) until the ones before it are answered.
const LARGE_BODY_BUDGET: usize = 8 * 1024 * 1024;

/// The permits of [`LARGE_BODY_BUDGET`], one per KiB.
fn large_body_permits(max_body_bytes: usize) -> usize {
    LARGE_BODY_BUDGET.max(max_body_bytes).div_ceil(1024)
}

/// hyper's read buffer per connection: 64 KiB instead of its default of about 400 KiB, so that
/// hundreds of connections streaming bodies hold tens of megabytes at most.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// A local exchange, configured but not started: register accounts, then [`start`](Self::start).
///
/// One listener serves every scheme; see the [module docs](super) for the routing, the checks
/// and the answers.
///
/// ```
/// use std::io::{Read as _, Write as _};
///
/// use cexsign_local_exchange::{Account, LocalExchange};
/// use cexsign::{Credentials, KeySettings, Method, OkxEnvironment, OkxSigner, Scheme, SignableRequest, Signer, Timestamp};
///
/// let credentials = Credentials::new()
///     .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
///     .secret("22582BD0CFF14C41EDBF1AB98506286D")
///     .passphrase("Passphrase1!");
/// let runtime = tokio::runtime::Runtime::new()?;
/// let account = Account::new(Scheme::Okx, &credentials, &KeySettings::new())?;
/// let exchange = runtime.block_on(LocalExchange::new().with_account(account).start())?;
///
/// // Sign a request as a bot would, and send it as plain HTTP/1.1.
/// let signer = OkxSigner::new(&credentials, OkxEnvironment::Live)?;
/// let request = SignableRequest::new(Method::Get, "/api/v5/account/balance")?.with_query("ccy=BTC")?;
/// let signed = signer.sign(&request, Timestamp::now()?)?;
/// let mut http = format!(
///     "GET /api/v5/account/balance?ccy=BTC HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
///     exchange.local_addr()
/// );
/// for (name, value) in signed.headers() {
///     http.push_str(&format!("{name}: {value}\r\n"));
/// }
/// http.push_str("\r\n");
/// let mut stream = std::net::TcpStream::connect(exchange.local_addr())?;
/// stream.write_all(http.as_bytes())?;
/// let mut response = String::new();
/// stream.read_to_string(&mut response)?;
///
/// assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
/// assert!(response.contains(r#""cexsign":"accepted""#) && response.contains(r#""scheme":"okx""#));
/// assert_eq!(exchange.requests_accepted(), 1);
/// runtime.block_on(exchange.shutdown());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LocalExchange {
    accounts: Vec<Account>,
    clock_offset_millis: i64,
    max_body_bytes: usize,
    header_read_timeout: Duration,
    body_read_timeout: Duration,
    max_connections: usize,
    stalled_after: Duration,
    cdp_host_aliases: Vec<String>,
    fault_rules: Vec<FaultRule>,
}

impl Default for LocalExchange {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for LocalExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalExchange")
            .field("accounts", &self.accounts)
            .field("clock_offset_millis", &self.clock_offset_millis)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("max_connections", &self.max_connections)
            .field("stalled_after", &self.stalled_after)
            .field("cdp_host_aliases", &self.cdp_host_aliases)
            .field("fault_rules", &self.fault_rules)
            .finish()
    }
}

impl LocalExchange {
    /// No accounts, the server clock on the system clock, a 1 MiB body cap, 30 s to send the
    /// headers and 30 s to send the body, at most 512 connections served at once.
    pub fn new() -> Self {
        Self {
            accounts: Vec::new(),
            clock_offset_millis: 0,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            stalled_after: DEFAULT_STALLED_AFTER,
            cdp_host_aliases: Vec::new(),
            fault_rules: Vec::new(),
        }
    }

    /// Registers an API key. A key registered twice for the same scheme keeps the last account.
    pub fn with_account(mut self, account: Account) -> Self {
        self.accounts.push(account);
        self
    }

    /// Skews the server clock: server time = system clock + `offset_millis` (negative: the
    /// server is behind). Simulates a client clock that drifted; the server-time endpoints and
    /// every window check use the skewed clock. Adjustable later with
    /// [`RunningExchange::set_clock_offset_millis`].
    pub fn with_clock_offset_millis(mut self, offset_millis: i64) -> Self {
        self.clock_offset_millis = offset_millis;
        self
    }

    /// Caps request bodies at `max_body_bytes` (default [`DEFAULT_MAX_BODY_BYTES`]); a larger
    /// body gets HTTP 413 in the exchange's error shape. A `Content-Length` over the cap is
    /// answered before any of the body is read (and instead of `100 Continue` when the request
    /// asks for it); a chunked body is cut off as soon as it passes the cap.
    pub fn with_max_body_bytes(mut self, max_body_bytes: usize) -> Self {
        self.max_body_bytes = max_body_bytes;
        self
    }

    /// The time a client has to send a request's headers, counted from the first byte it may
    /// send (for a kept-alive connection, from the end of the previous answer); default
    /// [`DEFAULT_HEADER_READ_TIMEOUT`]. A client that is slower has its connection closed
    /// without an answer (there is no request yet to answer).
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// The time a client has to send a request's whole body, counted from the end of its
    /// headers; default [`DEFAULT_BODY_READ_TIMEOUT`]. A slower body gets HTTP 408 and the
    /// connection is closed.
    pub fn with_body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Serves at most `max_connections` connections at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`]; at least 1). Further connections are not refused: they wait
    /// in the listener's backlog, unaccepted, until a place frees, so a client that opens many
    /// sees latency rather than errors, and the connections already served keep their pace. A
    /// place frees when a served connection closes, or when one has gone
    /// [`with_stalled_after`](Self::with_stalled_after) without finishing a request while
    /// another waits: that one is closed to make room (a silent or slow client gives way to a
    /// ready one). The header and body timeouts bound how long it holds a place otherwise.
    pub fn with_max_connections(mut self, max_connections: usize) -> Self {
        self.max_connections = max_connections.max(1);
        self
    }

    /// How long a connection may go without finishing a request (since it opened, or since its
    /// last answer) before, when the server is full and another connection waits, it is closed
    /// to make room (default [`DEFAULT_STALLED_AFTER`]).
    pub fn with_stalled_after(mut self, stalled_after: Duration) -> Self {
        self.stalled_after = stalled_after;
        self
    }

    /// Also accepts Coinbase CDP tokens whose `uri` claim names `host` (e.g. `api.coinbase.com`,
    /// so a signer configured for production works unchanged), besides the request's own
    /// `Host` header without its port.
    pub fn with_cdp_host_alias(mut self, host: impl Into<String>) -> Self {
        self.cdp_host_aliases.push(host.into());
        self
    }

    /// Schedules faults on purpose: latency, a busy or rate-limited answer, a connection closed
    /// before or after the request is acted on (see [`FaultRule`] and [`Fault`](crate::Fault)). Rules are tried in the
    /// order given.
    pub fn with_faults(mut self, rule: FaultRule) -> Self {
        self.fault_rules.push(rule);
        self
    }

    /// Starts serving on `127.0.0.1` at a free port, as a task on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<RunningExchange> {
        self.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts serving on `addr` (port 0: a free port), as a task on the current tokio runtime.
    pub async fn bind(self, addr: SocketAddr) -> std::io::Result<RunningExchange> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let state = Arc::new(self.into_state());
        let (shutdown, shutdown_signal) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&state), shutdown_signal));
        Ok(RunningExchange {
            base_url: format!("http://{local_addr}"),
            local_addr,
            state,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The same verification without a server: a [`Verifier`] answers one request at a time,
    /// synchronously, in the calling thread, with no socket, no runtime and no I/O.
    ///
    /// For checking requests in process (a unit test of a bot's signing code, a fuzzer, a proxy
    /// that verifies before forwarding). The accounts, clock offset, body cap and CDP host
    /// aliases configured so far apply.
    pub fn verifier(self) -> Verifier {
        Verifier { state: self.into_state() }
    }

    pub(crate) fn into_state(self) -> State {
        let mut accounts: HashMap<Scheme, HashMap<String, Account>> = HashMap::new();
        for account in self.accounts {
            accounts.entry(account.scheme()).or_default().insert(account.api_key().to_owned(), account);
        }
        State {
            accounts,
            clock_offset_millis: AtomicI64::new(self.clock_offset_millis),
            max_body_bytes: self.max_body_bytes,
            header_read_timeout: self.header_read_timeout,
            body_read_timeout: self.body_read_timeout,
            max_connections: self.max_connections,
            stalled_after: self.stalled_after,
            cdp_host_aliases: self.cdp_host_aliases,
            accepted: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            served: AtomicU64::new(0),
            faults: Faults::new(self.fault_rules),
            orders: OrderBook::default(),
            stream_tokens: super::stream_tokens::StreamTokens::default(),
            accepted_log: Mutex::new(VecDeque::new()),
            kraken_nonces: Mutex::new(HashMap::new()),
            used_nonces: Default::default(),
            diagnoses: diagnosis::Pool::new(),
            background: Background::new(),
            large_bodies: Arc::new(Semaphore::new(large_body_permits(self.max_body_bytes))),
            started: Instant::now(),
        }
    }
}

/// The local exchange's verifier, without the server: built with [`LocalExchange::verifier`].
///
/// [`check`](Self::check) answers one request exactly as the running server would answer it
/// over HTTP — the same routing, the same checks in the same order, the same status, body and
/// `cexsign-*` headers — from the request's method, request-target, headers and body bytes.
/// It never panics on malformed input. It is `Send + Sync`: share it between threads freely.
///
/// ```
/// use cexsign_local_exchange::{Account, LocalExchange};
/// use cexsign::{Credentials, DeltaSigner, KeySettings, Method, Scheme, SignableRequest, Signer, Timestamp};
///
/// let credentials = Credentials::new()
///     .api_key("a207900b7693435a8fa9230a38195d")
///     .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f");
/// let account = Account::new(Scheme::Delta, &credentials, &KeySettings::new())?;
/// let verifier = LocalExchange::new().with_account(account).verifier();
///
/// let signer = DeltaSigner::new(&credentials)?;
/// let body = br#"{"product_id":27,"size":1,"side":"buy","order_type":"market_order"}"#;
/// let request = SignableRequest::new(Method::Post, "/v2/orders")?.with_body(body);
/// let mut headers = http::HeaderMap::new();
/// signer.sign(&request, Timestamp::now()?)?.apply_to(&mut headers);
/// headers.insert("user-agent", http::HeaderValue::from_static("my-bot/1.0"));
///
/// let answer = verifier.check("POST", "/v2/orders", &headers, body);
/// assert_eq!(answer.status(), 200, "{}", answer.body());
/// assert!(answer.body().contains(r#""cexsign":"accepted""#));
///
/// // One byte of the body changed after signing: Delta's own error, and the reason.
/// let altered = br#"{"product_id":28,"size":1,"side":"buy","order_type":"market_order"}"#;
/// let answer = verifier.check("POST", "/v2/orders", &headers, altered);
/// assert_eq!(answer.status(), 401);
/// assert!(answer.body().contains("Signature Mismatch"));
/// assert!(answer.headers().contains_key("cexsign-expected-prehash"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Verifier {
    state: State,
}

impl Verifier {
    /// Verifies one request at the verifier's clock (the system clock plus the configured
    /// offset) and returns the response the server would send.
    ///
    /// `method` and `target` are as on the request line: the method token, and the path with
    /// the optional `?query`, still percent-encoded (an absolute URL also works, as it does over
    /// HTTP). `headers` must include `Host` where the scheme needs it (Coinbase CDP's `uri`
    /// claim). What an HTTP server would refuse before routing — a method that is not an HTTP
    /// token, a target that is not a URI — gets HTTP 400 with a `cexsign_reason`.
    pub fn check(&self, method: &str, target: &str, headers: &http::HeaderMap, body: &[u8]) -> Response<String> {
        self.check_at(method, target, headers, body, self.state.now())
    }

    /// [`check`](Self::check) with the server clock reading `now` (the clock offset is not
    /// added): for deterministic tests of the window checks.
    pub fn check_at(
        &self,
        method: &str,
        target: &str,
        headers: &http::HeaderMap,
        body: &[u8],
        now: Timestamp,
    ) -> Response<String> {
        let reply = verify_one(&self.state, method, target, headers, body, now);
        string_response(diagnosis::finish_inline(&self.state, reply))
    }

    /// The verifier's clock now (the system clock plus the configured offset).
    pub fn server_time(&self) -> Timestamp {
        self.state.now()
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let accounts: Vec<&Account> = self.state.accounts.values().flat_map(HashMap::values).collect();
        f.debug_struct("Verifier")
            .field("accounts", &accounts)
            .field("clock_offset_millis", &self.state.clock_offset_millis.load(Ordering::Relaxed))
            .field("max_body_bytes", &self.state.max_body_bytes)
            .finish_non_exhaustive()
    }
}

/// A started local exchange. Dropping it stops the server (the task is aborted); prefer
/// [`shutdown`](Self::shutdown) to wait for it.
pub struct RunningExchange {
    base_url: String,
    local_addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningExchange {
    /// `http://127.0.0.1:PORT`, without a trailing slash: the base URL to give a client.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections, closes the open ones and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Responses sent so far (accepted, rejected and server-time answers).
    pub fn requests_served(&self) -> u64 {
        self.state.served.load(Ordering::Relaxed)
    }

    /// Requests whose authentication verified (REST and websocket-login checks).
    pub fn requests_accepted(&self) -> u64 {
        self.state.accepted.load(Ordering::Relaxed)
    }

    /// Requests rejected (authentication failures, oversized or unreadable requests, orders
    /// repeating a client order id the exchange refuses twice).
    pub fn requests_rejected(&self) -> u64 {
        self.state.rejected.load(Ordering::Relaxed)
    }

    /// Makes the next `count` requests that verify correctly fail with `status` anyway (e.g. 503),
    /// after verification: to test that a client's retries are signed afresh.
    ///
    /// Kept for compatibility: the same as a [`FaultRule`] for every path with `count` times
    /// [`Fault::StatusAfterProcessing`](crate::Fault::StatusAfterProcessing) (an order is
    /// placed), answered with
    /// `{"cexsign":"injected failure","status","verified":true}`; each call replaces what the
    /// previous one injected.
    pub fn inject_failures(&self, count: u32, status: StatusCode) {
        self.state.faults.inject_failures(count, status);
    }

    /// Adds a rule of faults while running, after those in force (see [`FaultRule`]).
    pub fn add_faults(&self, rule: FaultRule) {
        self.state.faults.add(rule);
    }

    /// Removes every fault still scheduled.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// Ends every open private-stream connection now, from the server's side (see
    /// [`StreamEnd`](crate::StreamEnd)): a bot's reconnect, tested on demand. Returns how many
    /// were open.
    pub fn end_private_streams(&self, end: crate::StreamEnd) -> usize {
        self.state.faults.end_streams(end)
    }

    /// How many orders were placed: verified requests on an exchange's order-placing paths,
    /// less the repeated client order ids it does not place twice (see the crate docs, "Orders").
    pub fn orders_placed(&self) -> u64 {
        self.state.orders.placed()
    }

    /// Whether the key registered under `scheme` placed an order with this client order id:
    /// what a bot asks the exchange (by its order-query endpoint) when an order's answer was
    /// lost. Only the latest [`MAX_CLIENT_ORDER_IDS_PER_KEY`](crate::MAX_CLIENT_ORDER_IDS_PER_KEY)
    /// ids of a key are remembered.
    pub fn has_order(&self, scheme: Scheme, api_key: &str, client_order_id: &str) -> bool {
        self.state.orders.has(scheme, api_key, client_order_id)
    }

    /// The success echoes of the most recent verified REST requests (up to 1024, oldest
    /// first), including those answered with an injected failure: each holds the `scheme`,
    /// `method`, `path`, `query`, `body_bytes` and the `timestamp` the server verified, plus
    /// `fault`, the fault that fired (`status 503`, `lost_response`...), and `order`, what it
    /// did to the order book (`placed`, `duplicate refused`...), when they apply.
    pub fn verified_requests(&self) -> Vec<serde_json::Value> {
        self.state.accepted_log.lock().map(|log| log.iter().cloned().collect()).unwrap_or_default()
    }

    /// Changes the server clock skew while running (see [`LocalExchange::with_clock_offset_millis`]).
    pub fn set_clock_offset_millis(&self, offset_millis: i64) {
        self.state.clock_offset_millis.store(offset_millis, Ordering::Relaxed);
    }

    /// The current server clock skew in milliseconds.
    pub fn clock_offset_millis(&self) -> i64 {
        self.state.clock_offset_millis.load(Ordering::Relaxed)
    }

    /// The server clock now (system clock plus the skew).
    pub fn server_time(&self) -> Timestamp {
        self.state.now()
    }
}

impl fmt::Debug for RunningExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningExchange")
            .field("base_url", &self.base_url)
            .field("requests_served", &self.requests_served())
            .finish_non_exhaustive()
    }
}

impl Drop for RunningExchange {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// What the request handlers share: the accounts (fixed once started), the clock and counters.
pub(crate) struct State {
    accounts: HashMap<Scheme, HashMap<String, Account>>,
    clock_offset_millis: AtomicI64,
    max_body_bytes: usize,
    header_read_timeout: Duration,
    body_read_timeout: Duration,
    max_connections: usize,
    stalled_after: Duration,
    pub(crate) cdp_host_aliases: Vec<String>,
    accepted: AtomicU64,
    rejected: AtomicU64,
    served: AtomicU64,
    /// The faults scheduled on purpose (see [`crate::faults`]).
    pub(crate) faults: Faults,
    /// The orders placed and the client order ids used (see [`crate::orders`]).
    pub(crate) orders: OrderBook,
    /// The private-stream tokens granted (see [`crate::stream_tokens`]).
    pub(crate) stream_tokens: super::stream_tokens::StreamTokens,
    accepted_log: Mutex<VecDeque<serde_json::Value>>,
    /// The last nonce each Kraken key used (Kraken requires them to increase).
    pub(crate) kraken_nonces: Mutex<HashMap<String, u64>>,
    /// The nonces each key used within the window, where a nonce may be used once.
    pub(crate) used_nonces: super::authorization_items::UsedNonces,
    /// Where the server diagnoses its rejections, off the request workers.
    pub(crate) diagnoses: diagnosis::Pool,
    /// Where the costly work runs: diagnoses, and the verifications of large bodies and of
    /// RSA signatures.
    pub(crate) background: Background,
    /// The large bodies being read or checked at once, in KiB ([`LARGE_BODY_BUDGET`]).
    large_bodies: Arc<Semaphore>,
    /// When the state was made: the origin of the connections' last-answered times.
    started: Instant,
}

impl State {
    /// The account registered for `key` under `scheme`.
    pub(crate) fn account(&self, scheme: Scheme, key: &str) -> Option<&Account> {
        self.accounts.get(&scheme)?.get(key)
    }

    /// Every account with this key, whatever its scheme (for "registered under another scheme").
    pub(crate) fn accounts_with_key<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s Account> + 's {
        self.accounts.values().filter_map(move |by_key| by_key.get(key))
    }

    /// Every account registered under `scheme`.
    pub(crate) fn accounts_of(&self, scheme: Scheme) -> impl Iterator<Item = &Account> {
        self.accounts.get(&scheme).into_iter().flat_map(HashMap::values)
    }

    /// The server clock: the system clock plus the offset, saturating at the epoch.
    pub(crate) fn now(&self) -> Timestamp {
        let system = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let offset = self.clock_offset_millis.load(Ordering::Relaxed);
        let magnitude = Duration::from_millis(offset.unsigned_abs());
        let skewed = if offset >= 0 {
            system.checked_add(magnitude).unwrap_or(system)
        } else {
            system.saturating_sub(magnitude)
        };
        Timestamp::from_duration_since_epoch(skewed)
    }

    /// Adds a verified request's echo to the log (the latest 1024).
    pub(crate) fn log_verified(&self, echo: serde_json::Value) {
        if let Ok(mut log) = self.accepted_log.lock() {
            if log.len() == 1024 {
                log.pop_front();
            }
            log.push_back(echo);
        }
    }

    pub(crate) fn record(&self, verdict: Verdict) {
        self.served.fetch_add(1, Ordering::Relaxed);
        match verdict {
            Verdict::Accepted => self.accepted.fetch_add(1, Ordering::Relaxed),
            Verdict::Rejected => self.rejected.fetch_add(1, Ordering::Relaxed),
            Verdict::Neutral => 0,
        };
    }
}

/// A connection being served: how to close it, and when it last finished a request.
struct Served {
    close: AbortHandle,
    answered: Arc<AtomicU64>,
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, mut shutdown: oneshot::Receiver<()>) {
    // Dropping the set (when this task ends or is aborted) aborts every open connection.
    let mut connections = JoinSet::new();
    let mut served: HashMap<tokio::task::Id, Served> = HashMap::new();
    let now_millis = || millis(state.started.elapsed());
    // A connection accepted while the server was full, waiting for a place.
    let mut waiting: Option<TcpStream> = None;
    loop {
        // A finished connection counts until reaped, which the `join_next` branch does at once.
        if let Some(stream) = waiting.take() {
            if connections.len() < state.max_connections {
                let answered = Arc::new(AtomicU64::new(now_millis()));
                let close = connections.spawn(serve_connection(stream, Arc::clone(&state), Arc::clone(&answered)));
                served.insert(close.id(), Served { close, answered });
            } else {
                // Full: the connection that has gone longest without an answer gives way, if
                // that is longer than `stalled_after`; its place frees once it is reaped.
                let now = now_millis();
                let stalest = served.values().min_by_key(|s| s.answered.load(Ordering::Relaxed));
                let stalled =
                    |s: &&Served| now.saturating_sub(s.answered.load(Ordering::Relaxed)) >= millis(state.stalled_after);
                if let Some(stalest) = stalest.filter(stalled) {
                    stalest.close.abort();
                }
                waiting = Some(stream);
            }
        }
        tokio::select! {
            _ = &mut shutdown => break,
            // Only one connection waits accepted: the others wait in the kernel's backlog.
            accepted = listener.accept(), if waiting.is_none() => match accepted {
                Ok((stream, _)) => waiting = Some(stream),
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(ended) = connections.join_next_with_id(), if !connections.is_empty() => {
                let id = match ended {
                    Ok((id, ())) => id,
                    Err(error) => error.id(),
                };
                served.remove(&id);
            }
            // While one waits, look again for a stalled connection now and then.
            () = tokio::time::sleep((state.stalled_after / 4).max(Duration::from_millis(10))), if waiting.is_some() => {}
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

async fn serve_connection(stream: TcpStream, state: Arc<State>, answered: Arc<AtomicU64>) {
    let _ = stream.set_nodelay(true);
    let header_read_timeout = state.header_read_timeout;
    let started = state.started;
    let session = private_stream::SessionSlot::default();
    let slot = Arc::clone(&session);
    let service = service_fn(move |request| {
        let state = Arc::clone(&state);
        let answered = Arc::clone(&answered);
        // A websocket upgrade on an exchange's private-stream path: answered here, its session
        // run below once hyper hands the socket over.
        let mut request = request;
        let upgraded = private_stream::upgrade(&state, &mut request, &slot);
        async move {
            if let Some(upgraded) = upgraded {
                // An open private stream is never closed to make room for a waiting connection:
                // the exchange's own idle limit (its home's `idle`) ends a silent one.
                answered.store(u64::MAX, Ordering::Relaxed);
                return Ok(upgraded);
            }
            let reply = respond(&state, request).await;
            state.record(reply.verdict);
            answered.store(millis(started.elapsed()), Ordering::Relaxed);
            // A fault on purpose (crate::faults): hyper closes the connection without an answer.
            if reply.drop_connection {
                return Err(ConnectionDropped);
            }
            Ok::<Response<Full<Bytes>>, ConnectionDropped>(reply.into_response())
        }
    });
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_read_timeout).max_buf_size(READ_BUFFER_BYTES);
    // A client that hangs up mid-request is not the server's problem.
    let _ = builder.serve_connection(TokioIo::new(stream), service).with_upgrades().await;
    let session = session.lock().ok().and_then(|mut slot| slot.take());
    if let Some(session) = session {
        session.await;
    }
}

fn body_too_large(max_body_bytes: usize) -> Rejection {
    Rejection::new(
        Failure::BodyTooLarge,
        format!("the request body is over the local exchange's limit of {max_body_bytes} bytes"),
    )
}

/// Why a request's body was not read.
enum Unread {
    /// Too large or unreadable: answered in the exchange's error shape.
    Rejected(Rejection),
    /// Not all there within the body-read timeout: answered with 408 and the connection closed.
    TimedOut(Reply),
}

/// A request's body, read, and the room it holds in the large-body budget until it is answered.
struct ReadBody {
    bytes: Bytes,
    _room: Option<OwnedSemaphorePermit>,
}

/// Reads the whole body, up to the cap and within the body-read timeout.
///
/// A declared `Content-Length` over the cap is refused before the body is polled, so hyper
/// neither reads it nor sends `100 Continue`. A body over [`SMALL_BODY_BYTES`] (or of unknown
/// length, counted at the cap) first waits for room in the large-body budget, within the same
/// timeout: while it waits, hyper reads none of it. The frames are copied into one buffer as
/// they arrive and dropped at once: a frame can hold on to a whole read buffer of hyper's
/// however few bytes it carries, so keeping them until the end (as collecting them would) costs
/// kilobytes per TCP segment of a trickled body. The buffer is allocated once for a declared
/// length; one of unknown length grows by doubling, never past the cap.
async fn read_body(mut body: Incoming, state: &State) -> Result<ReadBody, Unread> {
    let max_body_bytes = state.max_body_bytes;
    let hint = body.size_hint();
    let declared = usize::try_from(hint.lower()).unwrap_or(usize::MAX);
    if declared > max_body_bytes {
        return Err(Unread::Rejected(body_too_large(max_body_bytes)));
    }
    let known = hint.upper().and_then(|upper| usize::try_from(upper).ok()).filter(|upper| *upper == declared);
    let large = known.is_none_or(|length| length > SMALL_BODY_BYTES);
    let large_bodies = Arc::clone(&state.large_bodies);
    let read = async move {
        let room = if large {
            let kib = known.unwrap_or(max_body_bytes).div_ceil(1024);
            let kib = u32::try_from(kib).unwrap_or(u32::MAX);
            // Never closed: the semaphore lives as long as the state.
            large_bodies.acquire_many_owned(kib).await.ok()
        } else {
            None
        };
        let mut buffer = Vec::with_capacity(known.unwrap_or(0));
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|error| {
                Rejection::new(Failure::Malformed, format!("the request body could not be read: {error}"))
            })?;
            if let Ok(data) = frame.into_data() {
                if data.len() > max_body_bytes - buffer.len() {
                    return Err(body_too_large(max_body_bytes));
                }
                if buffer.capacity() - buffer.len() < data.len() {
                    let wanted = (buffer.len() + data.len()).max(buffer.capacity() * 2).min(max_body_bytes);
                    buffer.reserve_exact(wanted - buffer.len());
                }
                buffer.extend_from_slice(&data);
            }
        }
        Ok(ReadBody { bytes: Bytes::from(buffer), _room: room })
    };
    match tokio::time::timeout(state.body_read_timeout, read).await {
        Ok(read) => read.map_err(Unread::Rejected),
        Err(_) => Err(Unread::TimedOut(body_timed_out(state.body_read_timeout))),
    }
}

fn body_timed_out(timeout: Duration) -> Reply {
    let reason = format!(
        "the request body did not arrive within the local exchange's body-read timeout of {} ms",
        timeout.as_millis()
    );
    let mut reply = cexsign_error(StatusCode::REQUEST_TIMEOUT, &reason);
    // The rest of the body may still be on its way: the connection cannot carry another request.
    reply.headers.push((http::header::CONNECTION, http::HeaderValue::from_static("close")));
    reply
}

/// Where a request goes, decided from its method and path alone (before its body is read).
enum Route<'a> {
    /// Answered without looking at the body: a cexsign error or a server-time endpoint.
    Answered(Reply),
    /// The websocket-login check for this scheme id.
    WsLogin(&'a str),
    /// A signed REST request for this exchange.
    Rest(Scheme),
}

fn route<'a>(method: &http::Method, path: &'a str, headers: &http::HeaderMap, now: Timestamp) -> Route<'a> {
    if let Some(id) = path.strip_prefix(ws::PREFIX) {
        if method != http::Method::POST {
            return Route::Answered(cexsign_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "POST the websocket login or subscribe message as the body",
            ));
        }
        return Route::WsLogin(id);
    }
    if path.starts_with("/cexsign/") {
        return Route::Answered(cexsign_error(
            StatusCode::NOT_FOUND,
            "unknown cexsign endpoint: the only one is POST /cexsign/ws/<scheme id> (okx, delta, coinbase_exchange, \
             coinbase_advanced_hmac, coinbase_cdp_jwt, binance, bybit, bitget, gate)",
        ));
    }
    if method == http::Method::GET {
        if let Some(reply) = server_time::endpoint(path, now) {
            return Route::Answered(reply);
        }
    }
    Route::Rest(verify::dispatch(headers, path))
}

/// The websocket-login check of a posted message (or of why its body could not be read).
fn ws_login(state: &State, id: &str, body: Result<&[u8], Rejection>, now: Timestamp) -> Reply {
    match body {
        Ok(body) => ws::check(state, id, body, now),
        Err(rejection) => match Scheme::from_id(id) {
            Some(scheme) if ws::has_login(scheme) => ws_rejection(scheme, rejection, None, now),
            _ => {
                let status = match rejection.failure {
                    Failure::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                    _ => StatusCode::BAD_REQUEST,
                };
                cexsign_error(status, &rejection.reason)
            }
        },
    }
}

/// Answers one request; the diagnosis of a rejection runs on the diagnosis pool, off the
/// request workers (see [`diagnosis`]).
async fn respond(state: &Arc<State>, request: Request<Incoming>) -> Reply {
    let (reply, _room) = verify_request(state, request).await;
    // The body's room in the large-body budget is held until its diagnosis is done too.
    diagnosis::finish_on_pool(state, reply).await
}

/// Routes one request: the websocket-login check, the server-time endpoints, else a signed
/// REST request for the exchange its headers (or path) name. A check that costs more than a
/// signature over a small body (a large body, an RSA key's signature) runs on the background
/// threads. Returns the reply and the body's room in the large-body budget.
async fn verify_request(state: &Arc<State>, request: Request<Incoming>) -> (Reply, Option<OwnedSemaphorePermit>) {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let route = match route(&parts.method, path, &parts.headers, state.now()) {
        Route::Answered(reply) => return (reply, None),
        Route::WsLogin(id) => Err(id.to_owned()),
        Route::Rest(scheme) => Ok(scheme),
    };
    let body = match read_body(body, state).await {
        Ok(body) => body,
        Err(Unread::TimedOut(reply)) => return (reply, None),
        // The clock is read again once the body is in, as the exchanges do.
        Err(Unread::Rejected(rejection)) => {
            let reply = match route {
                Err(id) => ws_login(state, &id, Err(rejection), state.now()),
                Ok(scheme) => rest_rejection(scheme, rejection, state.now()),
            };
            return (reply, None);
        }
    };
    let ReadBody { bytes, _room: room } = body;
    let costly = bytes.len() > SMALL_BODY_BYTES
        || route.as_ref().is_ok_and(|scheme| verify::signs_slowly(state, *scheme, &parts.headers));
    let check = {
        let state = Arc::clone(state);
        move || {
            let reply = match &route {
                Err(id) => ws_login(&state, id, Ok(&bytes), state.now()),
                Ok(scheme) => verify::rest(&state, *scheme, &raw_request(&parts, &bytes), state.now()),
            };
            (reply, route, parts, bytes)
        }
    };
    let checked = if costly { state.background.run(check).await } else { Some(check()) };
    let Some((reply, route, parts, bytes)) = checked else {
        let reply = cexsign_error(StatusCode::INTERNAL_SERVER_ERROR, "the local exchange failed to check this request");
        return (reply, room);
    };
    let reply = match route {
        // Faults on purpose and the order book (crate::faults, crate::orders).
        Ok(scheme) => {
            let reply = faults::serve_verified(state, scheme, &raw_request(&parts, &bytes), reply).await;
            // A stream-token request, verified: answered with a grant (crate::stream_tokens).
            super::stream_tokens::serve_verified(state, scheme, &raw_request(&parts, &bytes), reply)
        }
        Err(_) => reply,
    };
    (reply, room)
}

/// A request as received, from its parts and body.
fn raw_request<'a>(parts: &'a http::request::Parts, body: &'a [u8]) -> RawRequest<'a> {
    RawRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body,
    }
}

/// [`Verifier::check_at`]: one request, already read, answered as [`respond`] answers it
/// (without the injected failures and the log of verified requests, which are the running
/// server's).
fn verify_one(
    state: &State,
    method: &str,
    target: &str,
    headers: &http::HeaderMap,
    body: &[u8],
    now: Timestamp,
) -> Reply {
    // What hyper refuses before a request reaches the service.
    let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
        return cexsign_error(StatusCode::BAD_REQUEST, "the method is not an HTTP token");
    };
    let Ok(uri) = target.parse::<http::Uri>() else {
        return cexsign_error(StatusCode::BAD_REQUEST, "the request-target is not a valid URI");
    };
    let path = uri.path();
    let body = if body.len() > state.max_body_bytes { Err(body_too_large(state.max_body_bytes)) } else { Ok(body) };
    match route(&method, path, headers, now) {
        Route::Answered(reply) => reply,
        Route::WsLogin(id) => ws_login(state, id, body, now),
        Route::Rest(scheme) => match body {
            Err(rejection) => rest_rejection(scheme, rejection, now),
            Ok(body) => {
                let request = RawRequest { method: method.as_str(), path, query: uri.query(), headers, body };
                verify::rest(state, scheme, &request, now)
            }
        },
    }
}

/// A reply as an `http::Response` with a text body: what [`Verifier`] returns.
fn string_response(reply: Reply) -> Response<String> {
    let mut response = Response::new(reply.body);
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static(reply.content_type));
    for (name, value) in reply.headers {
        headers.append(name, value);
    }
    response
}
