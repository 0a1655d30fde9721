//! Runs the local exchange standalone, for bots written in any language: point the bot's (or
//! its SDK's) base URL at it and it answers as the exchange would, with the expected prehash on
//! every rejection.
//!
//! ```text
//! cargo run --example local_exchange -- [--port PORT] [--host ADDRESS]
//!     [--credentials FILE|-] [--print-config] [--show-secrets] [--serve-seconds N]
//!     [--faults FILE]
//! ```
//!
//! On start it prints its configuration as one JSON object on stdout (pretty-printed; with
//! `--print-config`, on a single line, for scripts to read), then serves until it is killed
//! (SIGINT/SIGTERM), or for `--serve-seconds` seconds. It never reads stdin except for
//! `--credentials -`, so it keeps serving in the background with stdin closed.
//!
//! # Credentials
//!
//! Without `--credentials`, fake accounts for every scheme and variant are registered: the
//! signing spec's worked-example keys (OKX live and demo, KuCoin v1/v2/v3, Delta, Coinbase
//! Exchange, Coinbase Advanced legacy HMAC, CDP ES256 and Ed25519), and for every scheme they do
//! not cover, the fake keys of its conformance vectors, read from `tests/vectors/<scheme id>.json`
//! (Binance HMAC, Ed25519 and RSA, Bybit HMAC and RSA, Kraken, Bitget, Gate, BitMEX). They are
//! printed in full (printing them is the point). `--credentials FILE`
//! (`-` for stdin) registers the accounts of a JSON file instead, in the credential format of
//! the conformance vectors plus a `scheme` field:
//!
//! ```json
//! [
//!   {"scheme": "okx", "api_key": "…", "secret": "…", "passphrase": "…", "demo": false},
//!   {"scheme": "okx", "api_key": "…", "secret": "…", "passphrase": "…", "demo": true},
//!   {"scheme": "kucoin", "api_key": "…", "secret": "…", "passphrase": "…", "key_version": 2},
//!   {"scheme": "delta", "api_key": "…", "secret": "…"},
//!   {"scheme": "coinbase_exchange", "api_key": "…", "secret": "<88-char base64>", "passphrase": "…"},
//!   {"scheme": "coinbase_advanced_hmac", "api_key": "…", "secret": "…"},
//!   {"scheme": "coinbase_cdp_jwt", "api_key": "organizations/…/apiKeys/…", "secret": "-----BEGIN EC PRIVATE KEY-----\n…", "key_type": "ES256"},
//!   {"scheme": "binance", "api_key": "…", "secret": "-----BEGIN PRIVATE KEY-----\n…", "key_type": "Ed25519"},
//!   {"scheme": "bybit", "api_key": "…", "secret": "…"},
//!   {"scheme": "kraken", "api_key": "…", "secret": "<88-char base64>"},
//!   {"scheme": "bitget", "api_key": "bg_…", "secret": "…", "passphrase": "…"},
//!   {"scheme": "gate", "api_key": "…", "secret": "…"},
//!   {"scheme": "bitmex", "api_key": "…", "secret": "…"}
//! ]
//! ```
//!
//! * `scheme`: a scheme id (`okx`, `kucoin`, `delta`, `coinbase_exchange`,
//!   `coinbase_advanced_hmac`, `coinbase_cdp_jwt`, `binance`, `bybit`, `kraken`, `bitget`,
//!   `gate`, `bitmex`: every id of the registry); several entries may share a scheme.
//! * `passphrase`: required where the exchange has one (its description's auth names list a
//!   passphrase: OKX, KuCoin, Coinbase Exchange, Bitget); refused for the others.
//! * `key_version`, `demo` and `key_type`: the settings that tell a scheme's keys apart, each
//!   refused for a scheme whose description lists none (`Exchange::key_variants`); their values
//!   are judged by the scheme's own signer. Today: `key_version` for KuCoin (`1`, `2` or `3`,
//!   default `3`, the official SDK's); `demo` for OKX (`true` for a demo-trading key, which must
//!   send `x-simulated-trading: 1`); `key_type` for CDP (`ES256` or `EdDSA`, checked against the
//!   key), Binance (`HMAC`, `Ed25519` or `RSA`: the secret is then the PKCS#8 PEM private key)
//!   and Bybit (`HMAC` or `RSA`), told from the secret when not given.
//! * `label` (a name for the printout) and `notes` are optional and otherwise ignored.
//!
//! The file may also be an object: `{"accounts": [...]}` (so a printed configuration can be fed
//! back), or one entry, or a list of entries, per scheme id: `{"delta": {...}, "okx": [...]}`.
//! An unknown field, an unknown scheme, or the same key twice for one scheme is an error.
//!
//! # Faults on purpose
//!
//! `--faults FILE` schedules faults (see `cexsign_local_exchange::FaultRule`): a JSON list of
//! rules, each with an optional `method`, a `path` pattern (exact, a prefix ending in `*`, or
//! `*`; default `*`), an optional `key`, and a `schedule`: the faults the matching verified
//! requests take, in turn, written as the verified-request log names them:
//!
//! ```json
//! [
//!   {"method": "POST", "path": "/api/v5/trade/order", "schedule": ["lost_response", "status 503", "rate_limited 2s"]},
//!   {"path": "/api/v3/*", "key": "…", "schedule": ["latency 250ms", "busy", "closed_before_processing"]}
//! ]
//! ```
//!
//! `pass` (served as usual), `status <code>` (a gateway's answer, nothing placed),
//! `status_after_processing <code>` (the order placed, then that status answered),
//! `rate_limited <duration>` (429, `Retry-After`, the exchange's rate-limit body), `busy` (the
//! exchange's documented "busy, not processed" answer), `latency <duration>`,
//! `closed_before_processing` (the connection closed, nothing placed), `lost_response` or
//! `lost_response <duration>` (the order placed, the connection closed at once or after the
//! duration). On a private stream (`"method": "WEBSOCKET"` and the stream's path, each message
//! the client sends taking the next fault), `stream_dropped` or `stream_closed` ends the
//! connection without or with a close frame. The file may also be an object `{"faults": [...]}`.
//!
//! # The printed configuration
//!
//! `base_url` (`http://HOST:PORT`), `base_urls` (the same URL per scheme id: one listener serves
//! every scheme and dispatches on the auth headers, so each SDK's base URL or host option is set
//! to it), `cdp_jwt_hosts` (the hosts a CDP token's `uri` claim may name), the server-time
//! endpoints, the websocket login check URL, and `accounts`: the credentials in use. Secrets and
//! passphrases of accounts from `--credentials` are left out (`"secret_shown": false`) unless
//! `--show-secrets` is given; the built-in fakes are always shown. An account's `label`, unless
//! given, is the scheme's name and the key's variant (`KuCoin v2`, `OKX demo`, `Binance (RSA)`);
//! its `notes`, unless given, are what the exchange's description says a client must get right
//! (the signature's layout, the timestamp window, the pitfalls).

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use cexsign::Scheme;
use cexsign_local_exchange::{
    AccountEntry, Fault, FaultRule, LocalExchange, RegisteredAccount, parse_accounts_document, register_accounts,
    vector_account_entries, worked_example_accounts,
};
use serde::Serialize;
use serde_json::Value;

const USAGE: &str = "usage: local_exchange [--port PORT] [--host ADDRESS] [--credentials FILE|-] [--print-config]
                      [--show-secrets] [--serve-seconds N]

  --port PORT          port to listen on (default 0: any free port)
  --host ADDRESS       address to bind (default 127.0.0.1)
  --credentials FILE   register the accounts of this JSON file (- for stdin) instead of the built-in fakes
  --print-config       print the configuration as one line of JSON (default: pretty-printed)
  --show-secrets       also print the secrets and passphrases given with --credentials
  --serve-seconds N    stop after N seconds (default: serve until killed)
  --faults FILE        schedule faults on purpose (latency, busy, 429, closed or lost answers) from this JSON file";

/// The CDP host a production-configured SDK names in its JWT `uri` claim.
const CDP_PRODUCTION_HOST: &str = "api.coinbase.com";

/// Where the conformance vectors are, whose fake keys are built in for the schemes the signing
/// spec's worked examples do not cover.
const VECTORS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");

/// The built-in fakes: the signing spec's worked-example keys, and for every other scheme the
/// fake keys of its conformance vectors (`tests/vectors/<scheme id>.json`).
fn built_in_entries() -> Result<Vec<AccountEntry>, String> {
    built_in_entries_from(Path::new(VECTORS_DIR))
}

fn built_in_entries_from(vectors: &Path) -> Result<Vec<AccountEntry>, String> {
    let mut entries = worked_example_accounts();
    for scheme in Scheme::ALL {
        if entries.iter().any(|entry| entry.scheme() == scheme.id()) {
            continue;
        }
        let path = vectors.join(format!("{}.json", scheme.id()));
        let file = std::fs::read_to_string(&path)
            .map_err(|e| format!("the built-in {scheme} keys: cannot read {}: {e}", path.display()))?;
        let keys = vector_account_entries(scheme, &file);
        if keys.is_empty() {
            return Err(format!("the built-in {scheme} keys: {} has no vector with credentials", path.display()));
        }
        entries.extend(keys);
    }
    Ok(entries)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    BuiltIn,
    File(PathBuf),
    Stdin,
}

#[derive(Debug, PartialEq, Eq)]
struct Options {
    addr: SocketAddr,
    source: Source,
    print_config: bool,
    show_secrets: bool,
    serve_seconds: Option<u64>,
    faults: Option<PathBuf>,
}

/// The arguments, parsed by hand; `None` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut host = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port = 0u16;
    let mut options = Options {
        addr: SocketAddr::new(host, port),
        source: Source::BuiltIn,
        print_config: false,
        show_secrets: false,
        serve_seconds: None,
        faults: None,
    };
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or(format!("{name} needs a value"));
        let flag = |inline: &Option<String>| match inline {
            Some(_) => Err(format!("{name} takes no value")),
            None => Ok(true),
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" | "-p" => {
                let text = value()?;
                port = text.parse().map_err(|_| format!("--port: {text:?} is not a port number (0-65535)"))?;
            }
            "--host" => {
                let text = value()?;
                host = text.parse().map_err(|_| format!("--host: {text:?} is not an IP address"))?;
            }
            "--credentials" => {
                let text = value()?;
                options.source = if text == "-" { Source::Stdin } else { Source::File(PathBuf::from(text)) };
            }
            "--serve-seconds" => {
                let text = value()?;
                let seconds = text.parse().map_err(|_| format!("--serve-seconds: {text:?} is not a whole number"))?;
                options.serve_seconds = Some(seconds);
            }
            "--faults" => options.faults = Some(PathBuf::from(value()?)),
            "--print-config" => options.print_config = flag(&inline)?,
            "--show-secrets" => options.show_secrets = flag(&inline)?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    options.addr = SocketAddr::new(host, port);
    Ok(Some(options))
}

/// The accounts to register, from the built-in fakes or the credentials document.
fn load_accounts(source: &Source) -> Result<Vec<RegisteredAccount>, String> {
    let entries = match source {
        Source::BuiltIn => built_in_entries()?,
        Source::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            parse_accounts_document(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        Source::Stdin => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read stdin: {e}"))?;
            parse_accounts_document(&text).map_err(|e| format!("stdin: {e}"))?
        }
    };
    register_accounts(entries)
}

#[derive(Serialize)]
struct Config<'a> {
    base_url: &'a str,
    base_urls: serde_json::Map<String, Value>,
    host: String,
    port: u16,
    cdp_jwt_hosts: Vec<String>,
    credentials: String,
    note: &'static str,
    server_time: Vec<String>,
    websocket_login_check: String,
    accounts: Vec<cexsign_local_exchange::PrintedAccount<'a>>,
}

fn config<'a>(base_url: &'a str, addr: SocketAddr, options: &Options, accounts: &'a [RegisteredAccount]) -> Config<'a> {
    let base_urls = Scheme::ALL.iter().map(|s| (s.id().to_owned(), Value::String(base_url.to_owned()))).collect();
    let host = addr.ip().to_string();
    let show_secret = options.source == Source::BuiltIn || options.show_secrets;
    Config {
        base_url,
        base_urls,
        host: host.clone(),
        port: addr.port(),
        cdp_jwt_hosts: vec![host, CDP_PRODUCTION_HOST.to_owned()],
        credentials: match &options.source {
            Source::BuiltIn => {
                "built-in fakes (the signing spec's worked-example keys, and the conformance vectors' keys of the \
                 other schemes)"
                    .to_owned()
            }
            Source::File(path) => format!("file {}", path.display()),
            Source::Stdin => "stdin".to_owned(),
        },
        note: "fake credentials for the local exchange only; one listener serves every scheme (dispatching on the \
               auth headers); every rejection carries cexsign_reason and cexsign_expected_prehash",
        server_time: server_time_endpoints(),
        websocket_login_check: format!("POST {base_url}/cexsign/ws/<scheme>"),
        accounts: accounts.iter().map(|a| a.printed(show_secret)).collect(),
    }
}

/// Every scheme's server-time endpoints, once each (Coinbase's APIs share theirs).
fn server_time_endpoints() -> Vec<String> {
    let mut endpoints: Vec<String> = Vec::new();
    for scheme in Scheme::ALL {
        let api = &scheme.exchange().server_time;
        for route in std::iter::once(&api.endpoint).chain(api.also) {
            let endpoint = format!("GET {}", route.path);
            if !endpoints.contains(&endpoint) {
                endpoints.push(endpoint);
            }
        }
    }
    endpoints
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("{problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let accounts = match load_accounts(&options.source) {
        Ok(accounts) => accounts,
        Err(problem) => {
            eprintln!("{problem}");
            return ExitCode::from(2);
        }
    };

    let mut exchange = LocalExchange::new().with_cdp_host_alias(CDP_PRODUCTION_HOST);
    if let Some(path) = &options.faults {
        let rules = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|text| parse_faults(&text).map_err(|e| format!("{}: {e}", path.display())));
        match rules {
            Ok(rules) => exchange = rules.into_iter().fold(exchange, LocalExchange::with_faults),
            Err(problem) => {
                eprintln!("{problem}");
                return ExitCode::from(2);
            }
        }
    }
    for registered in &accounts {
        match registered.account() {
            Ok(account) => exchange = exchange.with_account(account),
            Err(error) => {
                eprintln!("{}: {error}", registered.label());
                return ExitCode::from(2);
            }
        }
    }
    let running = match exchange.bind(options.addr).await {
        Ok(running) => running,
        Err(error) => {
            eprintln!("cannot listen on {}: {error}", options.addr);
            return ExitCode::FAILURE;
        }
    };

    let config = config(running.base_url(), running.local_addr(), &options, &accounts);
    let printed =
        if options.print_config { serde_json::to_string(&config) } else { serde_json::to_string_pretty(&config) };
    let mut stdout = std::io::stdout().lock();
    let written = match printed {
        Ok(json) => writeln!(stdout, "{json}").and_then(|()| stdout.flush()),
        Err(error) => Err(std::io::Error::other(error)),
    };
    drop(stdout);
    if let Err(error) = written {
        eprintln!("cannot print the configuration: {error}");
        return ExitCode::FAILURE;
    }
    match options.serve_seconds {
        Some(seconds) => {
            eprintln!("local exchange listening on {} for {seconds} s", running.base_url());
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            let served = running.requests_served();
            running.shutdown().await;
            eprintln!("local exchange stopped after {seconds} s ({served} requests served)");
        }
        None => {
            eprintln!("local exchange listening on {}; Ctrl-C to stop", running.base_url());
            // Serve until the process is killed (SIGINT/SIGTERM end it).
            std::future::pending::<()>().await;
        }
    }
    ExitCode::SUCCESS
}

/// The fault rules of a `--faults` document (see the module docs).
fn parse_faults(text: &str) -> Result<Vec<FaultRule>, String> {
    let document: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let rules = match &document {
        Value::Array(rules) => rules,
        Value::Object(fields) => match fields.get("faults") {
            Some(Value::Array(rules)) if fields.len() == 1 => rules,
            _ => return Err("expected a list of rules, or {\"faults\": [...]}".to_owned()),
        },
        _ => return Err("expected a list of rules, or {\"faults\": [...]}".to_owned()),
    };
    rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let at = format!("rule {index}");
            let Value::Object(fields) = rule else { return Err(format!("{at}: not an object")) };
            if let Some(unknown) = fields.keys().find(|k| !["method", "path", "key", "schedule"].contains(&k.as_str()))
            {
                return Err(format!("{at}: unknown field {unknown:?}"));
            }
            let text = |name: &str| match fields.get(name) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(format!("{at}: {name} is not a string")),
            };
            let mut built = FaultRule::new(text("path")?.unwrap_or_else(|| "*".to_owned()));
            if let Some(method) = text("method")? {
                built = built.method(method);
            }
            if let Some(key) = text("key")? {
                built = built.key(key);
            }
            let Some(Value::Array(schedule)) = fields.get("schedule") else {
                return Err(format!("{at}: schedule is not a list of faults"));
            };
            for fault in schedule {
                let fault = fault.as_str().ok_or(format!("{at}: a fault is not a string"))?;
                built = built.then(fault.parse::<Fault>().map_err(|e| format!("{at}: {e}"))?);
            }
            Ok(built)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use cexsign::{KeySettings, RestVerification};

    use super::*;

    #[test]
    fn a_faults_document_reads_into_rules() {
        let rules = parse_faults(
            r#"{"faults": [{"method": "POST", "path": "/api/v5/trade/order", "schedule": ["lost_response", "rate_limited 2s"]},
                           {"schedule": ["busy"]}]}"#,
        )
        .unwrap();
        let expected = FaultRule::new("/api/v5/trade/order")
            .method("POST")
            .then(Fault::lose_response())
            .then(Fault::rate_limited(Duration::from_secs(2)));
        assert_eq!(rules, [expected, FaultRule::new("*").then(Fault::Busy)]);
        for wrong in [
            r#"[{"schedule": ["explode"]}]"#,
            r#"[{"path": 3, "schedule": []}]"#,
            r#"[{"schedule": ["busy"], "when": "now"}]"#,
            r#"[{"path": "/x"}]"#,
            r#"{"rules": []}"#,
        ] {
            assert!(parse_faults(wrong).is_err(), "{wrong}");
        }
    }

    fn args(list: &[&str]) -> Result<Option<Options>, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    fn addr(list: &[&str]) -> SocketAddr {
        args(list).unwrap().unwrap().addr
    }

    #[test]
    fn parses_arguments() {
        assert_eq!(addr(&[]), "127.0.0.1:0".parse().unwrap());
        assert_eq!(addr(&["--port", "8080"]), "127.0.0.1:8080".parse().unwrap());
        assert_eq!(addr(&["--port=8081", "--host", "::1"]), "[::1]:8081".parse().unwrap());
        let all = args(&["--credentials", "c.json", "--print-config", "--show-secrets", "--serve-seconds=5"]);
        let all = all.unwrap().unwrap();
        assert_eq!(all.source, Source::File("c.json".into()));
        assert!(all.print_config && all.show_secrets);
        assert_eq!(all.serve_seconds, Some(5));
        assert_eq!(args(&["--credentials", "-"]).unwrap().unwrap().source, Source::Stdin);
        assert_eq!(args(&["--help"]).unwrap(), None);
        for bad in [
            &["--port"][..],
            &["--port", "99999"],
            &["--host", "localhost"],
            &["--verbose"],
            &["--print-config=yes"],
            &["--serve-seconds", "soon"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_built_in_account_registers() {
        let accounts = built_in_entries().and_then(register_accounts).unwrap();
        // 10 worked-example keys for six schemes; the vectors' keys of the others: Binance 3,
        // Bybit 2, Kraken, Bitget, Gate, BitMEX, Bitfinex, Deribit, BitMart, Kraken Futures, MEXC,
        // Hyperliquid, Backpack, Upbit and Crypto.com 1 each.
        assert_eq!(accounts.len(), 28);
        for registered in &accounts {
            let account = registered.account().unwrap();
            assert_eq!(account.scheme(), registered.scheme(), "{}", registered.label());
        }
        for scheme in Scheme::ALL {
            assert!(accounts.iter().any(|a| a.scheme() == scheme), "no built-in {scheme}");
        }
        let labels: Vec<&str> = accounts.iter().map(|a| a.label()).collect();
        for label in
            ["KuCoin v1", "Coinbase CDP (Ed25519)", "Binance (Ed25519)", "Binance (RSA)", "Bybit (RSA)", "Bitget"]
        {
            assert!(labels.contains(&label), "{label}: {labels:?}");
        }
    }

    #[test]
    fn every_scheme_states_the_key_settings_its_signer_reads() {
        let accounts = built_in_entries().and_then(register_accounts).unwrap();
        for scheme in Scheme::ALL {
            let credentials = accounts.iter().find(|a| a.scheme() == scheme).unwrap().credentials();
            let variants = scheme.exchange().key_variants;
            if !variants.key_types.is_empty() {
                let settings = KeySettings::new().key_type("no-such-key-type");
                let Err(refused) = scheme.exchange().signer(&credentials, &settings) else {
                    panic!("{scheme} takes any key type");
                };
                let refused = refused.to_string();
                for key_type in variants.key_types {
                    assert!(refused.contains(key_type), "{scheme}: {refused}");
                }
            }
            if let Some(beyond) = variants.key_versions.iter().max().map(|v| v + 1) {
                let settings = KeySettings::new().key_version(beyond);
                assert!(scheme.exchange().signer(&credentials, &settings).is_err(), "{scheme} v{beyond}");
            }
        }
    }

    #[test]
    fn built_in_labels_and_notes_come_from_the_descriptions() {
        let accounts = built_in_entries().and_then(register_accounts).unwrap();
        let bitmex = accounts.iter().find(|a| a.scheme() == Scheme::Bitmex).expect("a built-in BitMEX key");
        assert_eq!(bitmex.label(), "BitMEX");
        let Some(RestVerification::Headers(check)) = Some(Scheme::Bitmex.exchange().rest_verification) else {
            panic!("BitMEX keys are verified by the generic header check");
        };
        assert!(bitmex.notes().contains(check.signature_layout), "{}", bitmex.notes());
        let binance = accounts.iter().find(|a| a.label() == "Binance (Ed25519)").unwrap();
        assert_eq!(binance.key_type(), Some("Ed25519"));
        assert!(binance.notes().contains("recvWindow"), "{}", binance.notes());
        let kucoin = register_accounts(
            parse_accounts_document(r#"[{"scheme":"kucoin","api_key":"k","secret":"s","passphrase":"p"}]"#).unwrap(),
        )
        .unwrap();
        assert_eq!((kucoin[0].key_version(), kucoin[0].label()), (Some(3), "KuCoin v3"));
        let given = r#"[{"scheme":"bybit","api_key":"k","secret":"s","key_type":"hmac"}]"#;
        assert_eq!(register_accounts(parse_accounts_document(given).unwrap()).unwrap()[0].label(), "Bybit (HMAC)");
    }

    #[test]
    fn a_key_type_not_given_is_told_from_the_secret() {
        let accounts = built_in_entries().and_then(register_accounts).unwrap();
        for given in accounts.iter().filter(|a| a.key_type().is_some()) {
            // The entry as printed with its secrets, less its key type.
            let mut entry = serde_json::to_value(given.printed(true)).unwrap();
            let fields = entry.as_object_mut().unwrap();
            fields.retain(|name, _| ["scheme", "api_key", "secret", "passphrase"].contains(&name.as_str()));
            let told = register_accounts(parse_accounts_document(&entry.to_string()).unwrap()).unwrap();
            assert_eq!((told[0].key_type(), told[0].account().unwrap().scheme()), (given.key_type(), given.scheme()));
        }
    }

    #[test]
    fn built_in_keys_need_the_vectors() {
        let error = built_in_entries_from(Path::new("/nonexistent/vectors")).unwrap_err();
        assert!(error.contains("/nonexistent/vectors/") && error.contains("cannot read"), "{error}");
    }

    #[test]
    fn serves_every_schemes_server_time() {
        let endpoints = server_time_endpoints();
        for scheme in Scheme::ALL {
            let endpoint = format!("GET {}", scheme.exchange().server_time.endpoint.path);
            assert!(endpoints.contains(&endpoint), "{scheme}: {endpoints:?}");
        }
        let unique: HashSet<&String> = endpoints.iter().collect();
        assert_eq!(unique.len(), endpoints.len(), "{endpoints:?}");
    }

    #[test]
    fn a_printed_configuration_reads_back() {
        let accounts = built_in_entries().and_then(register_accounts).unwrap();
        let options = args(&[]).unwrap().unwrap();
        let printed = serde_json::to_string(&config("http://127.0.0.1:1", options.addr, &options, &accounts)).unwrap();
        let again = register_accounts(parse_accounts_document(&printed).unwrap()).unwrap();
        assert_eq!(again.len(), accounts.len());
        for (a, b) in accounts.iter().zip(&again) {
            let secrets = |account: &RegisteredAccount| serde_json::to_value(account.printed(true)).unwrap();
            assert_eq!(secrets(a), secrets(b));
            assert_eq!((a.key_version(), a.key_type(), a.demo()), (b.key_version(), b.key_type(), b.demo()));
        }
    }

    #[test]
    fn secrets_from_a_file_are_not_echoed_unless_asked() {
        let text = r#"[{"scheme":"okx","api_key":"k","secret":"SECRET-1","passphrase":"PASS-1"}]"#;
        let accounts = register_accounts(parse_accounts_document(text).unwrap()).unwrap();
        let mut options = args(&["--credentials", "c.json"]).unwrap().unwrap();
        let hidden = serde_json::to_string(&config("http://x", options.addr, &options, &accounts)).unwrap();
        assert!(!hidden.contains("SECRET-1") && !hidden.contains("PASS-1"), "{hidden}");
        assert!(hidden.contains(r#""secret_shown":false"#), "{hidden}");
        options.show_secrets = true;
        let shown = serde_json::to_string(&config("http://x", options.addr, &options, &accounts)).unwrap();
        assert!(shown.contains("SECRET-1") && shown.contains("PASS-1"), "{shown}");
    }
}
