//! cexsign for Python: the extension module `cexsign._native` behind the `cexsign` package.
//!
//! It owns the crossing between Python and the Rust crates, and nothing else: a signer built
//! from a scheme id and the accounts-document checks (so a Python key is refused for exactly the
//! reasons `local_exchange --credentials` refuses it), signing a request or a websocket message
//! into plain Python values, the local exchange on a runtime of its own, the diagnosis of a case,
//! and one exception type carrying the Rust error's message. It names no exchange: the Python
//! classes (`OkxSigner`, …) are made from `schemes()`, which reads the registry.
//!
//! Secrets cross once, into Rust, when a signer is built; no Python value returned here holds
//! one except the auth headers a request must carry (a passphrase header), which the package's
//! `SignedHeaders` hides from its `repr`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::sync::Mutex;
use std::time::Duration;

use cexsign::{KeySettings, Method, Scheme, SignOptions, SignableRequest, Timestamp, WsRequest};
use cexsign_local_exchange::{LocalExchange, RegisteredAccount, RunningExchange};
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use zeroize::Zeroizing;

create_exception!(
    cexsign,
    CexsignError,
    PyValueError,
    "A request cexsign will not sign, a key it will not take, a case it cannot read: the message says what to fix."
);

fn error(message: impl ToString) -> PyErr {
    CexsignError::new_err(message.to_string())
}

fn scheme_of(id: &str) -> PyResult<Scheme> {
    Scheme::from_id(id).ok_or_else(|| {
        let ids: Vec<&str> = Scheme::ALL.iter().map(|s| s.id()).collect();
        error(format!("unknown scheme {id:?} (one of: {})", ids.join(", ")))
    })
}

/// A duration given as whole milliseconds or a `datetime.timedelta`.
fn duration(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<Duration>> {
    let Some(value) = value else { return Ok(None) };
    if let Ok(millis) = value.extract::<u64>() {
        return Ok(Some(Duration::from_millis(millis)));
    }
    value
        .extract::<Duration>()
        .map(Some)
        .map_err(|_| error(format!("{name} must be whole milliseconds (an int >= 0) or a datetime.timedelta")))
}

/// The instant to sign at: now, unix milliseconds, or a timestamp exactly as it goes on the wire
/// (read in the signer's own format).
fn instant(value: Option<&Bound<'_, PyAny>>, wire_format: cexsign::TimestampFormat) -> PyResult<Timestamp> {
    match value {
        None => Timestamp::now().map_err(error),
        Some(value) if value.is_none() => Timestamp::now().map_err(error),
        Some(value) => {
            if let Ok(millis) = value.extract::<u64>() {
                return Ok(Timestamp::from_unix_millis(millis));
            }
            if let Ok(text) = value.extract::<String>() {
                // A scheme that sends no time is signed at an instant it never reads.
                if text.is_empty() {
                    return Ok(Timestamp::from_unix_millis(0));
                }
                return wire_format.parse(&text).map_err(error);
            }
            Err(error("timestamp must be None (now), unix milliseconds (an int >= 0), or the timestamp text as sent"))
        }
    }
}

fn body_bytes(body: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(bytes) = body.cast::<PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    if let Ok(text) = body.extract::<String>() {
        return Ok(text.into_bytes());
    }
    if let Ok(bytes) = body.extract::<Vec<u8>>() {
        return Ok(bytes);
    }
    Err(error("body must be bytes or str: the exact bytes sent (serialise your JSON once, send those bytes)"))
}

/// A key of one scheme, checked as the accounts document checks it, and its signer.
///
/// Python's `cexsign.Signer` (and every `<Exchange>Signer`) wraps one.
#[pyclass(module = "cexsign._native", name = "Signer", frozen)]
pub struct PySigner {
    account: RegisteredAccount,
    settings: KeySettings,
    signer: Box<dyn cexsign::Signer>,
}

#[pymethods]
impl PySigner {
    #[new]
    #[pyo3(signature = (
        scheme, api_key, secret, passphrase=None, *, key_type=None, key_version=None, demo=None,
        recv_window=None, timestamp_sample=None, fraction_digits=None, host=None, expires_in=None,
        ws_auth_type=None, ws_expiry=None, vault_address=None, expires_after=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        scheme: &str,
        api_key: &str,
        secret: &str,
        passphrase: Option<&str>,
        key_type: Option<&str>,
        key_version: Option<u32>,
        demo: Option<bool>,
        recv_window: Option<&Bound<'_, PyAny>>,
        timestamp_sample: Option<&str>,
        fraction_digits: Option<u8>,
        host: Option<&str>,
        expires_in: Option<&Bound<'_, PyAny>>,
        ws_auth_type: Option<&str>,
        ws_expiry: Option<&Bound<'_, PyAny>>,
        vault_address: Option<&str>,
        expires_after: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let scheme = scheme_of(scheme)?;
        // One entry of the accounts document: checked as `--credentials` checks it.
        let mut entry = serde_json::json!({"scheme": scheme.id(), "api_key": api_key, "secret": secret});
        if let Some(passphrase) = passphrase {
            entry["passphrase"] = passphrase.into();
        }
        if let Some(key_type) = key_type {
            entry["key_type"] = key_type.into();
        }
        if let Some(version) = key_version {
            entry["key_version"] = version.into();
        }
        // Where demo keys are keys of their own (OKX), `demo` is the key's variant, checked by
        // the accounts document; elsewhere it is a signing setting (Hyperliquid's testnet).
        let demo_is_variant = scheme.exchange().key_variants.demo;
        if let Some(demo) = demo.filter(|_| demo_is_variant) {
            entry["demo"] = demo.into();
        }
        let text = Zeroizing::new(entry.to_string());
        drop(entry);
        let account = cexsign_local_exchange::parse_accounts_document(&text)
            .and_then(cexsign_local_exchange::register_accounts)
            .map_err(error)?
            .pop()
            .ok_or_else(|| error("no account"))?;
        let mut settings = account.key_settings();
        if let Some(demo) = demo.filter(|_| !demo_is_variant) {
            settings = settings.demo(demo);
        }
        if let Some(window) = duration(recv_window, "recv_window")? {
            settings = settings.recv_window(window);
        }
        if let Some(sample) = timestamp_sample {
            settings = settings.timestamp_sample(sample);
        }
        if let Some(digits) = fraction_digits {
            settings = settings.fraction_digits(digits);
        }
        if let Some(host) = host {
            settings = settings.host(host);
        }
        if let Some(after) = duration(expires_in, "expires_in")? {
            settings = settings.expires_in(after);
        }
        if let Some(ws_auth_type) = ws_auth_type {
            settings = settings.ws_auth_type(ws_auth_type);
        }
        if let Some(after) = duration(ws_expiry, "ws_expiry")? {
            settings = settings.ws_expiry(after);
        }
        if let Some(vault) = vault_address {
            settings = settings.vault_address(vault);
        }
        if let Some(after) = duration(expires_after, "expires_after")? {
            settings = settings.expires_after(after);
        }
        let signer = scheme.exchange().signer(&account.credentials(), &settings).map_err(error)?;
        Ok(Self { account, settings, signer })
    }

    /// The scheme id (`"okx"`).
    #[getter]
    fn scheme(&self) -> &'static str {
        self.account.scheme().id()
    }

    /// The API key (not a secret).
    #[getter]
    fn api_key(&self) -> &str {
        self.account.api_key()
    }

    /// The settings that tell this key from others of its scheme: `(key_type, key_version, demo)`.
    #[getter]
    fn variant(&self) -> (Option<&'static str>, Option<u32>, Option<bool>) {
        (self.account.key_type(), self.account.key_version(), self.account.demo())
    }

    /// Signs one REST request: `(headers, signature, wire_query, wire_body, signature_fields,
    /// prehash)`, each header as `(name, value, sensitive)`.
    #[pyo3(signature = (method, path, query="", body=None, timestamp=None, *, host=None, nonce=None, keep_prehash=false))]
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: &str,
        query: &str,
        body: Option<&Bound<'py, PyAny>>,
        timestamp: Option<&Bound<'py, PyAny>>,
        host: Option<&str>,
        nonce: Option<&str>,
        keep_prehash: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let body = match body {
            Some(body) if !body.is_none() => body_bytes(body)?,
            _ => Vec::new(),
        };
        let method: Method = method.parse().map_err(error)?;
        let at = instant(timestamp, self.signer.rest_timestamp_format())?;
        let mut request = SignableRequest::new(method, path).map_err(error)?.with_query(query).map_err(error)?;
        request = request.with_body(&body);
        if let Some(host) = host {
            request = request.with_host(host).map_err(error)?;
        }
        let mut options = SignOptions::new();
        if keep_prehash {
            options = options.keep_prehash();
        }
        if let Some(nonce) = nonce {
            options = options.with_nonce(nonce);
        }
        let signed = self.signer.sign_with(&request, at, &options).map_err(error)?;
        let out = PyDict::new(py);
        let headers = PyList::empty(py);
        for (name, value) in signed.header_values() {
            let text = value.to_str().map_err(|_| error(format!("header {name} is not visible ASCII")))?;
            headers.append((name.as_str(), text, value.is_sensitive()))?;
        }
        out.set_item("headers", headers)?;
        out.set_item("signature", signed.signature())?;
        out.set_item("rewrites_request", signed.rewrites_request())?;
        out.set_item("wire_query", signed.wire_query())?;
        out.set_item("wire_body", signed.wire_body().map(|body| PyBytes::new(py, body)))?;
        let fields = PyDict::new(py);
        for (name, value) in signed.signature_fields() {
            fields.set_item(name, value)?;
        }
        out.set_item("signature_fields", fields)?;
        out.set_item("prehash", signed.prehash().map(ToString::to_string))?;
        Ok(out)
    }

    /// Signs one websocket login, signed subscribe or signed API call: `(message, fields,
    /// signature, prehash)`, the message as JSON text and the fields as `(name, value, sensitive)`.
    #[pyo3(signature = (
        timestamp=None, *, channels=Vec::new(), product_ids=Vec::new(), method=None, params=None,
        id=None, event=None, data=None, nonce=None, keep_prehash=false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn sign_ws<'py>(
        &self,
        py: Python<'py>,
        timestamp: Option<&Bound<'py, PyAny>>,
        channels: Vec<String>,
        product_ids: Vec<String>,
        method: Option<&str>,
        params: Option<&str>,
        id: Option<&str>,
        event: Option<&str>,
        data: Option<&str>,
        nonce: Option<&str>,
        keep_prehash: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let at = instant(timestamp, self.signer.ws_timestamp_format())?;
        let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
        let product_ids: Vec<&str> = product_ids.iter().map(String::as_str).collect();
        // The params as `[[name, value], ...]`: kept in the order given (a JSON object read
        // into serde_json's map would come out sorted).
        let params: Vec<(String, serde_json::Value)> = match params {
            None => Vec::new(),
            Some(text) => serde_json::from_str(text).map_err(|_| error("params must be name/value pairs"))?,
        };
        let params: Vec<(&str, serde_json::Value)> = params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let mut request = match method {
            Some(method) => WsRequest::api(method, &params),
            None => WsRequest::subscribe(&channels, &product_ids),
        };
        if let Some(id) = id {
            request = request.with_id(id);
        }
        if let Some(event) = event {
            request = request.with_event(event);
        }
        if let Some(data) = data {
            request = request.with_data(data);
        }
        let mut options = SignOptions::new();
        if keep_prehash {
            options = options.keep_prehash();
        }
        if let Some(nonce) = nonce {
            options = options.with_nonce(nonce);
        }
        let auth = self.signer.sign_ws_with(&request, at, &options).map_err(error)?;
        let out = PyDict::new(py);
        out.set_item("message", auth.message_json())?;
        let fields = PyList::empty(py);
        for field in auth.fields() {
            fields.append((field.name(), field.value(), field.is_sensitive()))?;
        }
        out.set_item("fields", fields)?;
        out.set_item("signature", auth.signature())?;
        out.set_item("prehash", auth.prehash().map(ToString::to_string))?;
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!("<cexsign._native.Signer {} key {:?}>", self.account.scheme().id(), self.account.api_key())
    }
}

impl PySigner {
    /// The local exchange's account for this key.
    fn local_account(&self) -> PyResult<cexsign_local_exchange::Account> {
        cexsign_local_exchange::Account::new(self.account.scheme(), &self.account.credentials(), &self.settings)
            .map_err(error)
    }
}

/// The registry as Python reads it: one dict per scheme, in the registry's order.
#[pyfunction]
fn schemes(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for scheme in Scheme::ALL {
        let exchange = scheme.exchange();
        let variants = exchange.key_variants;
        let item = PyDict::new(py);
        item.set_item("id", scheme.id())?;
        item.set_item("name", scheme.name())?;
        item.set_item("takes_passphrase", cexsign_local_exchange::takes_passphrase(exchange))?;
        item.set_item("key_types", variants.key_types.to_vec())?;
        item.set_item("key_versions", variants.key_versions.to_vec())?;
        item.set_item("demo", variants.demo)?;
        item.set_item("private_stream", exchange.private_stream.path)?;
        list.append(item)?;
    }
    Ok(list)
}

/// The signing spec's worked-example accounts (fake keys), as an accounts document (JSON text
/// with the secrets: printing them is the point).
#[pyfunction]
fn worked_example_accounts() -> PyResult<String> {
    let accounts =
        cexsign_local_exchange::register_accounts(cexsign_local_exchange::worked_example_accounts()).map_err(error)?;
    let printed: Vec<_> = accounts.iter().map(|account| account.printed(true)).collect();
    serde_json::to_string(&printed).map_err(error)
}

/// Diagnoses one case (the JSON `cexsign diagnose` reads); the verdict as JSON text.
#[pyfunction]
fn diagnose(py: Python<'_>, case: &str) -> PyResult<String> {
    let case = Zeroizing::new(case.to_owned());
    // The diagnosis is bounded work; the GIL is not held for it.
    py.detach(|| {
        let case = cexsign::diagnose::Case::from_json(&case).map_err(|e| e.to_string())?;
        let diagnosis = case.diagnose().map_err(|e| e.to_string())?;
        serde_json::to_string(&diagnosis).map_err(|e| e.to_string())
    })
    .map_err(error)
}

/// `PascalCase` Debug name of a unit variant as Python reads it: `snake_case`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Classifies an exchange's answer (`rejection::classify`): `(kind, next_step, code, message)`,
/// or None when it is not an auth rejection.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn classify(
    scheme: &str,
    status: u16,
    body: &[u8],
) -> PyResult<Option<(String, String, Option<String>, Option<String>)>> {
    let scheme = scheme_of(scheme)?;
    Ok(cexsign::rejection::classify(scheme, status, body).map(|rejection| {
        (
            snake_case(&format!("{:?}", rejection.kind)),
            snake_case(&format!("{:?}", rejection.next_step)),
            rejection.code,
            rejection.message,
        )
    }))
}

/// The scheme's server-time endpoint: the path to `GET`, unauthenticated; an error naming the
/// exchange's window where it has none.
#[pyfunction]
fn server_time_path(scheme: &str) -> PyResult<&'static str> {
    let scheme = scheme_of(scheme)?;
    let exchange = scheme.exchange();
    if exchange.server_time.routes().next().is_none() {
        let words = exchange.diagnosis.window_in_words.unwrap_or("none stated");
        return Err(error(format!("{} has no server-time endpoint to sync from (its window: {words})", scheme.name())));
    }
    Ok(cexsign::server_time::ServerTime::of(scheme).path())
}

/// Reads the server's time (unix milliseconds) from the answer of its server-time endpoint.
#[pyfunction]
fn parse_server_time(scheme: &str, body: &[u8]) -> PyResult<u128> {
    let at = cexsign::server_time::ServerTime::of(scheme_of(scheme)?).parse(body).map_err(error)?;
    Ok(at.unix_millis())
}

/// The host's clock corrected by server-time observations (`clock::OffsetClock`: the midpoint
/// of the round trip, slow round trips discarded, the latest good observation wins).
#[pyclass(module = "cexsign._native", name = "OffsetClock", frozen)]
pub struct PyOffsetClock {
    clock: cexsign::clock::OffsetClock,
}

fn millis(value: u64) -> Timestamp {
    Timestamp::from_unix_millis(value)
}

#[pymethods]
impl PyOffsetClock {
    #[new]
    fn new() -> Self {
        Self { clock: cexsign::clock::OffsetClock::new() }
    }

    /// The corrected time, unix milliseconds.
    fn now(&self) -> PyResult<u128> {
        use cexsign::clock::Clock as _;
        Ok(self.clock.now().map_err(error)?.unix_millis())
    }

    /// The host's own time (what to stamp `sent` and `received` with), unix milliseconds.
    fn host_now(&self) -> PyResult<u128> {
        Ok(self.clock.base_now().map_err(error)?.unix_millis())
    }

    /// Feeds one observation; the offset it gives, or an error saying why it was discarded.
    fn observe(&self, sent_ms: u64, server_ms: u64, received_ms: u64) -> PyResult<i64> {
        let observation = self.clock.observe(millis(sent_ms), millis(server_ms), millis(received_ms)).map_err(error)?;
        Ok(observation.offset_millis)
    }

    /// Server minus host, in milliseconds.
    #[getter]
    fn offset_ms(&self) -> i64 {
        self.clock.offset_millis()
    }

    /// Whether an observation has been taken.
    #[getter]
    fn synced(&self) -> bool {
        self.clock.is_synced()
    }
}

/// A running local exchange on a runtime of its own (two worker threads), stopped by `stop` or
/// when collected.
#[pyclass(module = "cexsign._native", name = "LocalExchange", frozen)]
pub struct PyLocalExchange {
    running: Mutex<Option<(tokio::runtime::Runtime, RunningExchange)>>,
    base_url: String,
    port: u16,
    accounts: String,
}

fn running<T>(
    exchange: &PyLocalExchange,
    read: impl FnOnce(&tokio::runtime::Runtime, &RunningExchange) -> T,
) -> PyResult<T> {
    let guard =
        exchange.running.lock().map_err(|_| PyRuntimeError::new_err("the local exchange's lock is poisoned"))?;
    match guard.as_ref() {
        Some((runtime, running)) => Ok(read(runtime, running)),
        None => Err(PyRuntimeError::new_err("the local exchange is stopped")),
    }
}

#[pymethods]
impl PyLocalExchange {
    #[new]
    #[pyo3(signature = (accounts=None, signers=Vec::new(), *, host="127.0.0.1", port=0, clock_offset_ms=0, cdp_host_alias="api.coinbase.com"))]
    fn new(
        py: Python<'_>,
        accounts: Option<&str>,
        signers: Vec<PyRef<'_, PySigner>>,
        host: &str,
        port: u16,
        clock_offset_ms: i64,
        cdp_host_alias: &str,
    ) -> PyResult<Self> {
        let mut exchange =
            LocalExchange::new().with_cdp_host_alias(cdp_host_alias).with_clock_offset_millis(clock_offset_ms);
        let mut registered = Vec::new();
        if let Some(text) = accounts {
            registered = cexsign_local_exchange::parse_accounts_document(text)
                .and_then(cexsign_local_exchange::register_accounts)
                .map_err(error)?;
            for account in &registered {
                exchange = exchange.with_account(account.account().map_err(error)?);
            }
        }
        for signer in &signers {
            exchange = exchange.with_account(signer.local_account()?);
        }
        if registered.is_empty() && signers.is_empty() {
            return Err(error("no accounts: give an accounts document, signers, or both"));
        }
        let mut printed: Vec<serde_json::Value> = Vec::new();
        for account in &registered {
            printed.push(serde_json::to_value(account.printed(false)).map_err(error)?);
        }
        for signer in &signers {
            printed.push(serde_json::to_value(signer.account.printed(false)).map_err(error)?);
        }
        let addr: std::net::SocketAddr = format!("{host}:{port}")
            .parse()
            .or_else(|_| format!("[{host}]:{port}").parse())
            .map_err(|_| error(format!("host {host:?} is not an IP address")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("cexsign-local-exchange")
            .enable_all()
            .build()
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the local exchange's runtime: {e}")))?;
        let running = py
            .detach(|| runtime.block_on(exchange.bind(addr)))
            .map_err(|e| PyRuntimeError::new_err(format!("cannot listen on {addr}: {e}")))?;
        let base_url = running.base_url().to_owned();
        let port = running.local_addr().port();
        Ok(Self {
            running: Mutex::new(Some((runtime, running))),
            base_url,
            port,
            accounts: serde_json::to_string(&printed).map_err(error)?,
        })
    }

    /// `http://127.0.0.1:<port>`: every scheme's base URL.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The port it listens on.
    #[getter]
    fn port(&self) -> u16 {
        self.port
    }

    /// The registered accounts as JSON text, without secrets.
    #[getter]
    fn accounts(&self) -> &str {
        &self.accounts
    }

    /// Whether it still serves.
    #[getter]
    fn running(&self) -> bool {
        self.running.lock().is_ok_and(|guard| guard.is_some())
    }

    /// `(served, accepted, rejected, orders placed)`.
    fn counts(&self) -> PyResult<(u64, u64, u64, u64)> {
        running(self, |_, running| {
            (
                running.requests_served(),
                running.requests_accepted(),
                running.requests_rejected(),
                running.orders_placed(),
            )
        })
    }

    /// The verified requests, as JSON text (a list).
    fn verified_requests(&self) -> PyResult<String> {
        running(self, |_, running| serde_json::to_string(&running.verified_requests()))?.map_err(error)
    }

    /// Moves its clock: the server time is the host's plus `offset_ms`.
    fn set_clock_offset_ms(&self, offset_ms: i64) -> PyResult<()> {
        running(self, |_, running| running.set_clock_offset_millis(offset_ms))
    }

    /// Its clock, in unix milliseconds.
    fn server_time_ms(&self) -> PyResult<u128> {
        running(self, |_, running| running.server_time().unix_millis())
    }

    /// Stops serving (idempotent); waits for the connections to close.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let taken =
            self.running.lock().map_err(|_| PyRuntimeError::new_err("the local exchange's lock is poisoned"))?.take();
        if let Some((runtime, running)) = taken {
            py.detach(|| {
                runtime.block_on(running.shutdown());
                runtime.shutdown_timeout(Duration::from_secs(2));
            });
        }
        Ok(())
    }

    fn __repr__(&self) -> String {
        let state = if self.running() { "serving" } else { "stopped" };
        format!("<cexsign._native.LocalExchange {} {state}>", self.base_url)
    }
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("CexsignError", m.py().get_type::<CexsignError>())?;
    m.add_class::<PySigner>()?;
    m.add_class::<PyLocalExchange>()?;
    m.add_function(wrap_pyfunction!(schemes, m)?)?;
    m.add_function(wrap_pyfunction!(worked_example_accounts, m)?)?;
    m.add_function(wrap_pyfunction!(diagnose, m)?)?;
    m.add_function(wrap_pyfunction!(classify, m)?)?;
    m.add_function(wrap_pyfunction!(server_time_path, m)?)?;
    m.add_function(wrap_pyfunction!(parse_server_time, m)?)?;
    m.add_class::<PyOffsetClock>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
