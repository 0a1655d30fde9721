//! A bounded load test on loopback: how much a rejected request costs the local exchange, and
//! whether clients sending garbage slow a legitimate client down.
//!
//! ```text
//! cargo run --release -p cexsign-local-exchange --example garbage_load -- [--seconds S] [--clients N]
//! ```
//!
//! Each scenario starts a fresh server in a child process (this example run as `serve`: the
//! local exchange on a multi-threaded tokio runtime, one worker per core), so that its peak RSS
//! (`VmHWM`) and its CPU time (`utime + stime`) are the server's alone. Then `N` clients (32 by
//! default) send one kind of request as fast as the server answers, on keep-alive connections,
//! while one more client sends valid OKX requests one after another and times each:
//!
//! * `accepted`: valid OKX requests;
//! * `okx-wrong-hmac`: OKX requests whose HMAC signature is wrong;
//! * `bybit-wrong-rsa`: Bybit requests from an RSA key whose signature is wrong;
//! * `binance-1mib-pairs`: Binance orders whose form body is 1 MiB of `a&a&a…`, wrongly signed.
//!
//! Per scenario it prints the requests per second of the `N` clients, the server's CPU time per
//! request (all requests answered, the legitimate client's included), its peak RSS, and the
//! requests per second and p50/p99 latency of the legitimate client. `--clients 1 --no-probe`
//! (one client, no legitimate one) gives the CPU time of one request of each kind; `--only
//! NAME` runs one scenario; `--seconds 1` is the short form CI runs.
//!
//! It fails (exit code 1) when a valid request is not accepted, a garbage one is accepted or
//! answered with a 5xx, or the server dies.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cexsign::{
    Credentials, KeySettings, Method, OkxEnvironment, OkxSigner, Scheme, SignableRequest, Signer, Timestamp,
};
use cexsign_local_exchange::{Account, LocalExchange};

const OKX_KEY: &str = "985d5b66-57ce-40fb-b714-afc0b9787083";
const OKX_SECRET: &str = "22582BD0CFF14C41EDBF1AB98506286D";
const OKX_PASSPHRASE: &str = "Passphrase1!";
/// The fake Binance HMAC key of the conformance vectors.
const BINANCE_KEY: &str = "C46V6pErzPaPPtavwsHoSgicV6bP7veu5L1ePAZt0YdLnwDUrp5aRntNz4v8l6YR";
const BINANCE_SECRET: &str = "GIsDpAoelnXNYpEyVK9SHKjGt06JjNQCisCeuMxRIEUweq4DoLSOMkS0Zd6TKSe1";
/// The fake Bybit keys of the conformance vectors (the RSA one is read from them).
const BYBIT_VECTORS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/bybit.json"));
const BYBIT_RSA_VECTOR: &str = "bybit-pub-17-rsa-get";
const BODY_BYTES: usize = 1024 * 1024;
/// What the local exchange's answer to an accepted request holds.
const ACCEPTED: &[u8] = br#""cexsign":"accepted""#;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Accepted,
    OkxWrongHmac,
    BybitWrongRsa,
    BinancePairs,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Accepted, Kind::OkxWrongHmac, Kind::BybitWrongRsa, Kind::BinancePairs];

    fn name(self) -> &'static str {
        match self {
            Kind::Accepted => "accepted",
            Kind::OkxWrongHmac => "okx-wrong-hmac",
            Kind::BybitWrongRsa => "bybit-wrong-rsa",
            Kind::BinancePairs => "binance-1mib-pairs",
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        return serve();
    }
    let mut seconds = 5.0_f64;
    let mut clients = 32_usize;
    let mut only: Option<String> = None;
    let mut probe = true;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--seconds" => seconds = iter.next().and_then(|s| s.parse().ok()).unwrap_or(seconds),
            "--clients" => clients = iter.next().and_then(|s| s.parse().ok()).unwrap_or(clients),
            "--only" => only = iter.next().cloned(),
            "--no-probe" => probe = false,
            other => {
                eprintln!("unknown argument {other:?}");
                return ExitCode::FAILURE;
            }
        }
    }
    let mut failed = false;
    println!(
        "{:<20} {:>10} {:>12} {:>12} {:>10} {:>10} {:>10}",
        "scenario", "req/s", "cpu ms/req", "peak RSS MB", "legit r/s", "p50 ms", "p99 ms"
    );
    for kind in Kind::ALL {
        if only.as_deref().is_some_and(|only| only != kind.name()) {
            continue;
        }
        match scenario(kind, clients, probe, Duration::from_secs_f64(seconds)) {
            Ok(report) => println!("{report}"),
            Err(error) => {
                println!("{:<20} FAILED: {error}", kind.name());
                failed = true;
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// The server side: the local exchange with the three accounts, until stdin closes.
fn serve() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let started = runtime.block_on(async {
        let okx = Credentials::new().api_key(OKX_KEY).secret(OKX_SECRET).passphrase(OKX_PASSPHRASE);
        let binance = Credentials::new().api_key(BINANCE_KEY).secret(BINANCE_SECRET);
        let (bybit_key, bybit_pem) = bybit_rsa();
        let bybit = Credentials::new().api_key(bybit_key).secret(bybit_pem);
        LocalExchange::new()
            .with_account(Account::new(Scheme::Okx, &okx, &KeySettings::new())?)
            .with_account(Account::new(Scheme::Binance, &binance, &KeySettings::new().key_type("HMAC"))?)
            .with_account(Account::new(Scheme::Bybit, &bybit, &KeySettings::new().key_type("RSA"))?)
            .start()
            .await
            .map_err(|error| Box::new(error) as Box<dyn std::error::Error>)
    });
    let exchange = match started {
        Ok(exchange) => exchange,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    println!("port {}", exchange.local_addr().port());
    let _ = std::io::stdout().flush();
    // Serve until the parent closes stdin (or dies).
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(exchange);
    ExitCode::SUCCESS
}

fn bybit_rsa() -> (String, String) {
    let vectors: serde_json::Value = serde_json::from_str(BYBIT_VECTORS).expect("bybit.json is JSON");
    let vector = vectors["vectors"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["id"] == BYBIT_RSA_VECTOR))
        .expect("the RSA vector");
    let text = |name: &str| vector["credentials"][name].as_str().expect("a credential").to_owned();
    (text("api_key"), text("secret"))
}

/// What a client sends: one request, built afresh (fresh timestamp) each time.
struct Request {
    method: &'static str,
    target: String,
    headers: Vec<(String, String)>,
    body: Arc<Vec<u8>>,
}

fn millis() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()
}

fn okx_request(signer: &OkxSigner, wrong: bool) -> Request {
    let path = "/api/v5/account/balance";
    let signable = SignableRequest::new(Method::Get, path).and_then(|r| r.with_query("ccy=BTC")).expect("signable");
    let signed = signer.sign(&signable, Timestamp::now().expect("clock")).expect("signed");
    let headers = signed
        .headers()
        .map(|(name, value)| {
            let value = if wrong && name.as_str().eq_ignore_ascii_case("OK-ACCESS-SIGN") {
                "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=".to_owned()
            } else {
                value.to_owned()
            };
            (name.as_str().to_owned(), value)
        })
        .collect();
    Request { method: "GET", target: format!("{path}?ccy=BTC"), headers, body: Arc::new(Vec::new()) }
}

fn garbage(kind: Kind, okx: &OkxSigner, bybit_key: &str, pairs: &Arc<Vec<u8>>) -> Request {
    match kind {
        Kind::Accepted => okx_request(okx, false),
        Kind::OkxWrongHmac => okx_request(okx, true),
        Kind::BybitWrongRsa => Request {
            method: "GET",
            target: "/v5/order/realtime?category=option&symbol=BTC-29JUL22-25000-C&limit=10".to_owned(),
            headers: vec![
                ("X-BAPI-API-KEY".to_owned(), bybit_key.to_owned()),
                ("X-BAPI-TIMESTAMP".to_owned(), millis().to_string()),
                ("X-BAPI-RECV-WINDOW".to_owned(), "5000".to_owned()),
                ("X-BAPI-SIGN".to_owned(), format!("{}==", "A".repeat(342))),
            ],
            body: Arc::new(Vec::new()),
        },
        Kind::BinancePairs => Request {
            method: "POST",
            target: format!("/api/v3/order?timestamp={}&signature=00", millis()),
            headers: vec![
                ("X-MBX-APIKEY".to_owned(), BINANCE_KEY.to_owned()),
                ("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned()),
            ],
            body: Arc::clone(pairs),
        },
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    reader: BufReader<TcpStream>,
    port: u16,
}

impl Connection {
    fn open(port: u16) -> std::io::Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Self { reader: BufReader::new(stream), port })
    }

    /// Sends `request` and reads the answer: its status and body.
    fn send(&mut self, request: &Request) -> std::io::Result<(u16, Vec<u8>)> {
        let mut head = format!("{} {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n", request.method, request.target, self.port);
        for (name, value) in &request.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", request.body.len()));
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(&request.body)?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status =
            line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, format!("bad status line {line:?}"))
            })?;
        let mut length = 0usize;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((name, value)) = trimmed.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok((status, body))
    }
}

/// The server child: its port, and its pid for `/proc`.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start() -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = Command::new(exe)
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        let port = line.trim().strip_prefix("port ").and_then(|p| p.parse().ok()).ok_or("the server did not start")?;
        Ok(Self { child, port })
    }

    fn proc_status(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|line| line.starts_with(field))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// User plus system CPU time, in clock ticks.
    fn cpu_ticks(&self) -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        let after = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        // Fields 14 and 15 of stat (utime, stime), counted from after the command name.
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Clock ticks per second (`getconf CLK_TCK`: 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

fn scenario(kind: Kind, clients: usize, probe: bool, duration: Duration) -> Result<String, String> {
    let mut server = Server::start()?;
    let port = server.port;
    let okx = Arc::new(
        OkxSigner::new(
            &Credentials::new().api_key(OKX_KEY).secret(OKX_SECRET).passphrase(OKX_PASSPHRASE),
            OkxEnvironment::Live,
        )
        .map_err(|e| e.to_string())?,
    );
    let bybit_key = Arc::new(bybit_rsa().0);
    let pairs: Arc<Vec<u8>> = Arc::new(b"a&".iter().copied().cycle().take(BODY_BYTES).collect());
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let cpu_before = server.cpu_ticks().ok_or("no /proc stat for the server")?;
    let started = Instant::now();

    let mut threads = Vec::new();
    for _ in 0..clients {
        let (okx, bybit_key, pairs, stop, sent) =
            (Arc::clone(&okx), Arc::clone(&bybit_key), Arc::clone(&pairs), Arc::clone(&stop), Arc::clone(&sent));
        threads.push(std::thread::spawn(move || -> Result<(), String> {
            let mut connection = Connection::open(port).map_err(|e| e.to_string())?;
            while !stop.load(Ordering::Relaxed) {
                let request = garbage(kind, &okx, &bybit_key, &pairs);
                let (status, body) = connection.send(&request).map_err(|e| format!("{}: {e}", kind.name()))?;
                // Some exchanges answer a rejection with HTTP 200 (Bybit, Kraken).
                let accepted = status == 200 && body.windows(ACCEPTED.len()).any(|w| w == ACCEPTED);
                let expected = if kind == Kind::Accepted { accepted } else { !accepted && status < 500 };
                if !expected {
                    return Err(format!("{}: HTTP {status}: {}", kind.name(), String::from_utf8_lossy(&body)));
                }
                sent.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    // The legitimate client: one valid request at a time, each timed.
    let mut latencies = Vec::new();
    let mut legit_error = None;
    match Connection::open(port) {
        Ok(_) if !probe => std::thread::sleep(duration),
        Ok(mut connection) => {
            while started.elapsed() < duration {
                let request = okx_request(&okx, false);
                let at = Instant::now();
                match connection.send(&request) {
                    Ok((200, _)) => latencies.push(at.elapsed()),
                    Ok((status, body)) => {
                        legit_error =
                            Some(format!("a valid request got HTTP {status}: {}", String::from_utf8_lossy(&body)));
                        break;
                    }
                    Err(error) => {
                        legit_error = Some(format!("a valid request failed: {error}"));
                        break;
                    }
                }
            }
        }
        Err(error) => legit_error = Some(error.to_string()),
    }
    let probe_elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    // The requests under way are answered and counted, with what they cost.
    let mut client_error = None;
    for thread in threads {
        if let Ok(Err(error)) = thread.join() {
            client_error.get_or_insert(error);
        }
    }
    let elapsed = started.elapsed();
    let cpu_after = server.cpu_ticks();
    let garbage_sent = sent.load(Ordering::Relaxed);
    let peak_kb = server.proc_status("VmHWM:");
    if !server.alive() {
        return Err("the server died".to_owned());
    }
    if let Some(error) = legit_error.or(client_error) {
        return Err(error);
    }
    latencies.sort();
    let percentile = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len().max(1)) - 1;
        latencies.get(i).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    // The legitimate client's requests cost about what accepted ones do: counted with the others.
    let requests = garbage_sent + latencies.len() as u64;
    let cpu_ms = cpu_after.map_or(f64::NAN, |after| (after - cpu_before) as f64 / TICKS_PER_SECOND * 1000.0);
    Ok(format!(
        "{:<20} {:>10.0} {:>12.3} {:>12.1} {:>10.0} {:>10.3} {:>10.3}",
        kind.name(),
        garbage_sent as f64 / elapsed.as_secs_f64(),
        cpu_ms / requests.max(1) as f64,
        peak_kb.map_or(f64::NAN, |kb| kb as f64 / 1024.0),
        latencies.len() as f64 / probe_elapsed.as_secs_f64(),
        percentile(0.5),
        percentile(0.99),
    ))
}
