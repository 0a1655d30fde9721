//! The `cexsign` command-line tool (feature `cli`): sign a request, verify the auth headers
//! someone sent, or diagnose a rejected request, from a shell or from another language.
//!
//! Credentials come from flags, environment variables (`CEXSIGN_API_KEY`, `CEXSIGN_SECRET`,
//! `CEXSIGN_PASSPHRASE`, `CEXSIGN_KEY_FILE`) or a JSON key file (Coinbase's key files work as
//! they are). The secret and the passphrase are never printed: not in output, not in errors, not
//! in `--help` (whose environment values are hidden).
//!
//! Exit codes: 0 success (for `verify`, the headers are correct); 1 `verify` found them wrong;
//! 2 bad input (usage, credentials, a request that cannot be signed, a case that is not JSON).

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use cexsign::diagnose::{Case, Diagnosis, SentRequest, diagnose};
use cexsign::{
    Credentials, KeySettings, Method, Scheme, SignOptions, SignableRequest, SignedRequest, Signer, Timestamp,
    WireTimestamp,
};
use clap::{Args, Parser, Subcommand};
use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

const EXAMPLES: &str = "\
Examples:
  # Sign a GET for OKX with credentials from the environment, at a fixed timestamp
  export CEXSIGN_API_KEY=985d5b66-57ce-40fb-b714-afc0b9787083 CEXSIGN_SECRET=... CEXSIGN_PASSPHRASE=...
  cexsign sign --scheme okx --path /api/v5/account/balance --query ccy=BTC --timestamp 2020-12-08T09:08:57.715Z

  # Sign a POST and print a ready curl command (the passphrase is read from $CEXSIGN_PASSPHRASE)
  cexsign sign --scheme kucoin --method POST --path /api/v1/orders --body-file order.json --curl https://api.kucoin.com

  # Check the headers another program sent
  cexsign verify --scheme delta --path /v2/orders --query product_id=1 \\
      -H 'api-key: a207900b7693435a8fa9230a38195d' -H 'timestamp: 1542110948' -H 'signature: 4e38dd...'

  # Name the mistake behind a 401 (one JSON case on stdin, one JSON verdict on stdout)
  cexsign diagnose < case.json

  # Coinbase CDP keys from the downloaded key file
  cexsign sign --scheme coinbase_cdp_jwt --key-file cdp_api_key.json --path /api/v3/brokerage/accounts

  # Binance signs inside the request: the query (or body) to send is printed with its signature
  cexsign sign --scheme binance --key-type ed25519 --path /api/v3/account --query omitZeroBalances=true \\
      --recv-window 5000

  # Bybit with a recv_window of 10 s
  cexsign sign --scheme bybit --path /v5/order/realtime --query category=linear --recv-window 10000

Schemes: okx, kucoin, delta, coinbase_exchange, coinbase_advanced_hmac, coinbase_cdp_jwt, binance, bybit, kraken,
bitget, gate.
Exit codes: 0 success; 1 verify: the headers are wrong; 2 bad input.";

const DIAGNOSE_HELP: &str = "\
The case is one JSON object with the field names of the conformance vectors:
  {\"scheme\": \"okx\", \"kind\": \"rest\",
   \"credentials\": {\"api_key\": \"...\", \"secret\": \"...\", \"passphrase\": \"...\"},
   \"method\": \"POST\", \"path\": \"/api/v5/trade/order\", \"query\": \"\", \"body\": \"{...}\",
   \"options\": {\"demo\": false},
   \"sent\": {\"OK-ACCESS-KEY\": \"...\", \"OK-ACCESS-SIGN\": \"...\", \"OK-ACCESS-TIMESTAMP\": \"...\", ...}}
credentials may be left out and given with flags, environment variables or a key file instead;
credentials.key_type is HMAC, Ed25519 or RSA for Binance (HMAC or RSA for Bybit).
Binance: the query or body carries the signature parameter exactly as sent; sent holds X-MBX-APIKEY.
options: demo (OKX key environment), host, key_version (KuCoin), channel/channels, product_ids (websocket);
Binance WebSocket API: method and params; Gate: channel, event, payload.
A conformance vector is a case too (its expected headers and fields are taken as sent).

Output: {\"verdict\": \"correct\" | \"mistake\" | \"unknown\", \"mistake\": CODE or null, \"explanation\": \"...\"}
(unknown verdicts also carry expected_prehash and differing). The exit code is 0 whatever the verdict.

Example:
  echo '{\"scheme\":\"delta\",\"method\":\"GET\",\"path\":\"/v2/orders\",\"query\":\"product_id=1\",
        \"sent\":{\"api-key\":\"a207...\",\"timestamp\":\"1542110948\",\"signature\":\"...\"}}' \\
    | CEXSIGN_API_KEY=a207... CEXSIGN_SECRET=... cexsign diagnose";

/// Byte-exact request signing for crypto exchanges: sign, verify, diagnose.
#[derive(Parser)]
#[command(name = "cexsign", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign a request: print the auth headers and the prehash (or a curl command).
    #[command(after_help = EXAMPLES)]
    Sign(SignArgs),
    /// Check the auth headers someone sent for a request; exit 1 when they are wrong.
    #[command(after_help = EXAMPLES)]
    Verify(VerifyArgs),
    /// Read one JSON case on stdin and print the diagnosis as one JSON object.
    #[command(after_help = DIAGNOSE_HELP)]
    Diagnose(DiagnoseArgs),
}

#[derive(Args)]
struct CredentialArgs {
    /// The API key (Coinbase CDP: the key name, or the key id of an Ed25519 key).
    #[arg(long, env = "CEXSIGN_API_KEY")]
    api_key: Option<String>,
    /// The API secret (Coinbase CDP: the private key). Prefer the environment or a key file: a
    /// flag is visible to other users in the process list.
    #[arg(long, env = "CEXSIGN_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// The API key's passphrase (OKX, KuCoin, Coinbase Exchange; BitMart's memo).
    #[arg(long, env = "CEXSIGN_PASSPHRASE", hide_env_values = true)]
    passphrase: Option<String>,
    /// A JSON key file: Coinbase's `{"name"|"id", "privateKey"}`, or
    /// `{"api_key", "secret", "passphrase" (or BitMart's "memo"), "key_version"}`. Flags and environment variables win.
    #[arg(long, env = "CEXSIGN_KEY_FILE")]
    key_file: Option<PathBuf>,
}

#[derive(Args)]
struct RequestArgs {
    /// The signing scheme.
    #[arg(long, env = "CEXSIGN_SCHEME", value_parser = SchemeParser)]
    scheme: Scheme,
    /// The HTTP method, in upper case as it is sent (`sign` refuses `post`, as the library does).
    #[arg(long, default_value = "GET")]
    method: String,
    /// The path as sent, starting with `/` (e.g. /api/v5/account/balance).
    #[arg(long)]
    path: String,
    /// The query exactly as sent: percent-encoded, without `?`.
    #[arg(long, default_value = "")]
    query: String,
    /// The body exactly as sent.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// Read the body from this file (`-`: stdin), byte for byte.
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// KuCoin: the key version shown on the API-management page (1, 2 or 3; default 3).
    #[arg(long, env = "CEXSIGN_KUCOIN_KEY_VERSION")]
    key_version: Option<u32>,
    /// Binance: hmac, ed25519 or rsa; Bybit: hmac or rsa. Default: hmac, or for a PEM secret
    /// ed25519 (Binance; rsa if it is not an Ed25519 key) or rsa (Bybit).
    #[arg(long, value_parser = parse_key_type)]
    key_type: Option<KeyType>,
    /// Bybit: recv_window in milliseconds (default 5000), sent in X-BAPI-RECV-WINDOW and signed.
    /// Binance: appends recvWindow=<ms> to requests that have none.
    #[arg(long)]
    recv_window: Option<u64>,
    /// OKX: the key is a demo-trading key (sends, or expects, x-simulated-trading: 1).
    #[arg(long)]
    demo: bool,
    /// The API host, for the Coinbase CDP `uri` claim (default api.coinbase.com, or the --curl host).
    #[arg(long)]
    host: Option<String>,
}

#[derive(Args)]
struct SignArgs {
    #[command(flatten)]
    request: RequestArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
    /// Sign at this timestamp, written in the scheme's format (default: now).
    #[arg(long)]
    timestamp: Option<String>,
    /// Coinbase Exchange: decimal digits of the timestamp (0-9; default 0).
    #[arg(long)]
    fraction_digits: Option<u8>,
    /// Print a curl command for this base URL (e.g. https://www.okx.com) instead of the headers.
    #[arg(long, value_name = "BASE_URL")]
    curl: Option<String>,
    /// Print the headers and prehash as one JSON object.
    #[arg(long, conflicts_with = "curl")]
    json: bool,
    /// Also print derived secret header values (KuCoin's HMAC'd passphrase, a CDP bearer token).
    /// The passphrase itself is never printed: curl commands read it from $CEXSIGN_PASSPHRASE.
    #[arg(long)]
    show_sensitive: bool,
    /// Print only the value of this auth header, derived secret values included (what a printed
    /// curl command runs in `$(...)`); the plain passphrase is never printed.
    #[arg(long, value_name = "HEADER", conflicts_with_all = ["curl", "json"])]
    value_of: Option<String>,
}

#[derive(Args)]
struct VerifyArgs {
    #[command(flatten)]
    request: RequestArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
    /// A header that was sent, `Name: value` (repeat for each auth header).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", required = true)]
    headers: Vec<String>,
    /// Print the verdict as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct DiagnoseArgs {
    #[command(flatten)]
    credentials: CredentialArgs,
}

/// A Binance or Bybit key type, as given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyType {
    Hmac,
    Ed25519,
    Rsa,
}

fn parse_key_type(text: &str) -> Result<KeyType, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "hmac" => Ok(KeyType::Hmac),
        "ed25519" | "eddsa" => Ok(KeyType::Ed25519),
        "rsa" => Ok(KeyType::Rsa),
        _ => Err("unknown key type; use hmac, ed25519 or rsa".to_owned()),
    }
}

impl KeyType {
    /// The name the exchanges' API pages give it.
    fn name(self) -> &'static str {
        match self {
            KeyType::Hmac => "HMAC",
            KeyType::Ed25519 => "Ed25519",
            KeyType::Rsa => "RSA",
        }
    }
}

/// An error for the user: printed as `cexsign: error: ...`, exit code 2.
struct Failure(String);

impl From<cexsign::Error> for Failure {
    fn from(error: cexsign::Error) -> Self {
        match error {
            // The library names its setter; here the flags and variables are what to set.
            cexsign::Error::MissingCredential { scheme, field, setter } => {
                let flag = setter.replace('_', "-");
                let variable = format!("CEXSIGN_{}", setter.to_ascii_uppercase());
                Failure(format!("{scheme} keys need the {field}: give --{flag}, set {variable}, or use --key-file"))
            }
            error => Failure(error.to_string()),
        }
    }
}

fn fail<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(message.into()))
}

/// `--scheme`: every id of `Scheme::ALL` (listed in `--help` and in the error for an unknown
/// one), read leniently by [`parse_scheme`].
#[derive(Clone)]
struct SchemeParser;

impl clap::builder::TypedValueParser for SchemeParser {
    type Value = Scheme;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Scheme, clap::Error> {
        let text = value.to_str().ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8).with_cmd(cmd))?;
        parse_scheme(text).map_err(|message| {
            let arg = arg.map_or_else(|| "--scheme".to_owned(), ToString::to_string);
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value '{text}' for '{arg}': {message}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(Scheme::ALL.into_iter().map(|scheme| clap::builder::PossibleValue::new(scheme.id()))))
    }
}

fn parse_scheme(text: &str) -> Result<Scheme, String> {
    let normalised = text.trim().to_ascii_lowercase().replace('-', "_");
    let alias = match normalised.as_str() {
        "coinbase_cdp" | "cdp" => "coinbase_cdp_jwt",
        "coinbase_advanced" | "coinbase_hmac" => "coinbase_advanced_hmac",
        other => other,
    };
    Scheme::from_id(alias).ok_or_else(|| {
        let ids: Vec<&str> = Scheme::ALL.iter().map(|s| s.id()).collect();
        format!("unknown scheme; use one of {}", ids.join(", "))
    })
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap may quote an argument it could not place; never let that be a secret.
            let text = scrub(&error.render().to_string());
            if error.use_stderr() {
                eprint!("{text}");
            } else {
                print!("{text}");
            }
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    let outcome = match cli.command {
        Command::Sign(args) => sign(args),
        Command::Verify(args) => verify(args),
        Command::Diagnose(args) => diagnose_stdin(args),
    };
    match outcome {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("cexsign: error: {}", scrub(&message));
            ExitCode::from(2)
        }
    }
}

/// Replaces every secret the process was given (in its arguments or environment) with
/// `[REDACTED]`: a last line of defence for messages built from user input.
fn scrub(text: &str) -> String {
    let mut secrets: Vec<String> = Vec::new();
    for name in ["CEXSIGN_SECRET", "CEXSIGN_PASSPHRASE"] {
        secrets.extend(std::env::var(name).ok());
    }
    let args: Vec<String> = std::env::args().collect();
    for (i, arg) in args.iter().enumerate() {
        for flag in ["--secret", "--passphrase"] {
            if arg == flag {
                secrets.extend(args.get(i + 1).cloned());
            } else if let Some(value) = arg.strip_prefix(flag).and_then(|rest| rest.strip_prefix('=')) {
                secrets.push(value.to_owned());
            }
        }
    }
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret.as_str(), "[REDACTED]");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Credentials.

/// The credentials from flags and environment variables, completed from the key file.
struct Loaded {
    credentials: Credentials,
    /// A copy of the passphrase, to recognise its header (never printed); wiped on drop.
    passphrase: Option<Zeroizing<String>>,
    key_version: Option<u32>,
}

fn credentials(args: &CredentialArgs) -> Result<Loaded, Failure> {
    let mut api_key = args.api_key.clone();
    let mut secret = args.secret.clone();
    let mut passphrase = args.passphrase.clone();
    let mut key_version = None;
    if let Some(path) = &args.key_file {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| Failure(format!("key file {shown}: {e}")))?;
        let Ok(Value::Object(file)) = serde_json::from_str::<Value>(&text) else {
            return fail(format!("key file {shown} is not a JSON object"));
        };
        let field = |names: &[&str]| -> Result<Option<String>, Failure> {
            for name in names {
                match file.get(*name) {
                    Some(Value::String(value)) => return Ok(Some(value.clone())),
                    Some(Value::Null) | None => {}
                    Some(_) => return fail(format!("key file {shown}: \"{name}\" must be a string")),
                }
            }
            Ok(None)
        };
        api_key = api_key.or(field(&["name", "id", "api_key", "apiKey", "key"])?);
        secret = secret.or(field(&["privateKey", "private_key", "secret"])?);
        passphrase = passphrase.or(field(&["passphrase", "memo"])?);
        key_version = match file.get("key_version") {
            Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
    }
    let mut credentials = Credentials::new();
    if let Some(api_key) = api_key {
        credentials = credentials.api_key(api_key);
    }
    if let Some(secret) = secret {
        credentials = credentials.secret(secret);
    }
    let passphrase = passphrase.map(Zeroizing::new);
    if let Some(passphrase) = &passphrase {
        credentials = credentials.passphrase(passphrase.as_str());
    }
    Ok(Loaded { credentials, passphrase, key_version })
}

fn body(request: &RequestArgs) -> Result<Vec<u8>, Failure> {
    match (&request.body, &request.body_file) {
        (Some(body), _) => Ok(body.clone().into_bytes()),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure(format!("reading the body from stdin: {e}")))?;
            Ok(bytes)
        }
        (None, Some(path)) => std::fs::read(path).map_err(|e| Failure(format!("body file {}: {e}", path.display()))),
        (None, None) => Ok(Vec::new()),
    }
}

// ---------------------------------------------------------------------------------------------
// sign

/// The host of a base URL (`https://api.coinbase.com/` → `api.coinbase.com`).
fn url_host(base: &str) -> Option<String> {
    let after = base.split_once("://").map_or(base, |(_, rest)| rest);
    let host = after.split('/').next()?;
    let host = if host.starts_with('[') { host } else { host.rsplit_once(':').map_or(host, |(h, _)| h) };
    (!host.is_empty()).then(|| host.to_owned())
}

/// The key's settings the request's flags and the key file state.
fn key_settings(request: &RequestArgs, key_version: Option<u32>) -> KeySettings {
    let mut settings = KeySettings::new().demo(request.demo);
    if let Some(key_type) = request.key_type {
        settings = settings.key_type(key_type.name());
    }
    if let Some(version) = request.key_version.or(key_version) {
        settings = settings.key_version(version);
    }
    settings
}

fn build_signer(args: &SignArgs, loaded: &Loaded) -> Result<Box<dyn Signer>, Failure> {
    let request = &args.request;
    let mut settings = key_settings(request, loaded.key_version);
    if let Some(ms) = request.recv_window {
        settings = settings.recv_window(Duration::from_millis(ms));
    }
    if let Some(timestamp) = &args.timestamp {
        settings = settings.timestamp_sample(timestamp.as_str());
    }
    settings = settings.fraction_digits(args.fraction_digits.unwrap_or(0));
    if let Some(host) = request.host.clone().or_else(|| args.curl.as_deref().and_then(url_host)) {
        settings = settings.host(host);
    }
    Ok(request.scheme.exchange().signer(&loaded.credentials, &settings)?)
}

/// How a header value is shown.
enum Shown {
    Value(String),
    /// The plain passphrase: never printed.
    Passphrase,
    /// A derived secret value, printed only with --show-sensitive.
    Hidden,
}

fn shown_headers(
    scheme: Scheme,
    signed: &SignedRequest,
    passphrase: Option<&str>,
    show_sensitive: bool,
) -> Vec<(String, Shown)> {
    signed
        .headers()
        .map(|(name, value)| {
            let text = value.to_owned();
            let shown = if !signed.is_sensitive(name.as_str()) {
                Shown::Value(text)
            } else if passphrase.is_some_and(|p| constant_time_eq(p, &text)) {
                Shown::Passphrase
            } else if show_sensitive {
                Shown::Value(text)
            } else {
                Shown::Hidden
            };
            (display_name(scheme, name.as_str()), shown)
        })
        .collect()
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Header names as the exchanges' docs spell them: the exchange's auth names as its
/// description writes them, other headers upper case (lower case for an exchange that spells its
/// own so).
fn display_name(scheme: Scheme, lower: &str) -> String {
    let auth = scheme.exchange().rest_auth;
    let documented = auth.iter().flat_map(|n| [n.key, n.signature, n.timestamp].into_iter().chain(n.passphrase));
    match documented.into_iter().find(|name| name.eq_ignore_ascii_case(lower)) {
        Some(name) => name.to_owned(),
        None if lower == "authorization" => "Authorization".to_owned(),
        None if is_demo_header(scheme, lower) || auth.is_some_and(|n| n.lower_case()) => lower.to_owned(),
        None => lower.to_ascii_uppercase(),
    }
}

/// Whether `lower` is the exchange's demo-trading header, spelled in lower case as the exchange
/// does (OKX's `x-simulated-trading`).
fn is_demo_header(scheme: Scheme, lower: &str) -> bool {
    scheme.exchange().diagnosis.demo_header.is_some_and(|name| name.eq_ignore_ascii_case(lower))
}

/// The query and body to send: the signer's when it rewrote them (Binance appends its
/// parameters and signature, Kraken adds a missing nonce), else the request's own.
fn wire_parts<'a>(signed: &'a SignedRequest, query: &'a str, body: &'a [u8]) -> (&'a str, &'a [u8]) {
    (signed.wire_query().unwrap_or(query), signed.wire_body().unwrap_or(body))
}

/// The Content-Type of a body: a form for Binance and Kraken form bodies, JSON otherwise.
fn content_type(body: &[u8]) -> &'static str {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => "application/json",
        _ => "application/x-www-form-urlencoded",
    }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `--method` as an `http::Method` converts into the library's `Method`.
fn http_method(text: &str) -> Result<Method, Failure> {
    let method = http::Method::from_bytes(text.as_bytes()).map_err(|_| cexsign::Error::InvalidMethod)?;
    Ok(Method::try_from(&method)?)
}

/// The arguments of a `cexsign sign` that prints one header's value, for a curl command to run
/// in place of a derived secret value: the request's own arguments and the timestamp it was
/// signed at, never a credential (those come from the same environment variables as here).
fn value_command(args: &SignArgs, signed: &SignedRequest, host: Option<&str>, name: &str) -> String {
    let request = &args.request;
    let mut words: Vec<String> = vec!["cexsign".into(), "sign".into(), "--scheme".into(), request.scheme.id().into()];
    let mut push = |flag: &str, value: Option<String>| {
        if let Some(value) = value {
            words.push(flag.to_owned());
            words.push(shell_quote(&value));
        }
    };
    push("--method", Some(request.method.clone()));
    push("--path", Some(request.path.clone()));
    push("--query", Some(request.query.clone()).filter(|q| !q.is_empty()));
    push("--body", request.body.clone());
    push("--body-file", request.body_file.as_ref().filter(|p| p.as_os_str() != "-").map(|p| p.display().to_string()));
    push("--key-version", request.key_version.map(|v| v.to_string()));
    push("--key-type", request.key_type.map(|k| k.name().to_ascii_lowercase()));
    push("--recv-window", request.recv_window.map(|ms| ms.to_string()));
    push("--host", host.map(str::to_owned));
    push("--fraction-digits", args.fraction_digits.map(|d| d.to_string()));
    push("--timestamp", Some(signed.timestamp().to_owned()));
    push("--api-key", args.credentials.api_key.clone().filter(|_| std::env::var_os("CEXSIGN_API_KEY").is_none()));
    push("--key-file", args.credentials.key_file.as_ref().map(|p| p.display().to_string()));
    push("--value-of", Some(name.to_owned()));
    if request.demo {
        words.push("--demo".into());
    }
    words.join(" ")
}

fn sign(args: SignArgs) -> Result<ExitCode, Failure> {
    let loaded = credentials(&args.credentials)?;
    let signer = build_signer(&args, &loaded)?;
    let request_args = &args.request;
    // As the library takes an `http::Method`: sent as written, so a lower-case one is refused
    // with the library's own message rather than upper-cased behind the user's back.
    let method = http_method(&request_args.method)?;
    let body = body(request_args)?;
    let request = SignableRequest::new(method, &request_args.path)?.with_query(&request_args.query)?.with_body(&body);
    let options = SignOptions::new().keep_prehash();
    let signed = match &args.timestamp {
        Some(text) => {
            // What the exchange accepts, where it is looser than what its signer writes
            // (Coinbase Exchange's and Gate's decimal seconds).
            let format =
                request_args.scheme.exchange().rest_timestamp_accepted.unwrap_or(signer.rest_timestamp_format());
            signer.sign_at(&request, &WireTimestamp::parse(format, text)?, &options)?
        }
        None => signer.sign_with(&request, Timestamp::now()?, &options)?,
    };
    let headers = shown_headers(
        request_args.scheme,
        &signed,
        loaded.passphrase.as_deref().map(String::as_str),
        args.show_sensitive,
    );
    if let Some(wanted) = &args.value_of {
        let Some((name, _)) = headers.iter().find(|(name, _)| name.eq_ignore_ascii_case(wanted)) else {
            return fail(format!("{} sends no header {wanted}", request_args.scheme));
        };
        let Some(value) = signed.header(name) else { return fail(format!("no value for {name}")) };
        if headers.iter().any(|(n, shown)| n == name && matches!(shown, Shown::Passphrase)) {
            return fail(format!("{name} is the passphrase itself, never printed: use $CEXSIGN_PASSPHRASE"));
        }
        println!("{value}");
        return Ok(ExitCode::SUCCESS);
    }
    let prehash = signed.prehash().map(ToString::to_string).unwrap_or_default();
    let (wire_query, wire_body) = wire_parts(&signed, &request_args.query, &body);
    let hidden_note = || {
        eprintln!("note: secret header values derived from your credentials are not printed; add --show-sensitive");
    };

    if let Some(base) = &args.curl {
        let mut url = format!("{}{}", base.trim_end_matches('/'), request_args.path);
        if !wire_query.is_empty() {
            url.push('?');
            url.push_str(wire_query);
        }
        let mut command = format!("curl -sS -X {} {}", method.as_str(), shell_quote(&url));
        let mut used_passphrase = false;
        let mut hidden = false;
        let mut derived = String::new();
        for (name, shown) in &headers {
            match shown {
                Shown::Value(value) => {
                    command.push_str(&format!(" \\\n  -H {}", shell_quote(&format!("{name}: {value}"))))
                }
                Shown::Passphrase => {
                    used_passphrase = true;
                    command.push_str(&format!(" \\\n  -H \"{name}: $CEXSIGN_PASSPHRASE\""));
                }
                Shown::Hidden => {
                    // Derived from the secret (KuCoin's HMAC'd passphrase, a CDP bearer token): the
                    // command runs cexsign to make it, from the same environment, when it runs.
                    // A shell variable set first, so the command stops when cexsign fails.
                    hidden = true;
                    let host = args.request.host.clone().or_else(|| url_host(base));
                    let value = value_command(&args, &signed, host.as_deref(), name);
                    let variable = format!("CEXSIGN_{}", name.to_ascii_uppercase().replace('-', "_"));
                    derived.push_str(&format!("{variable}=$({value}) && \\\n"));
                    command.push_str(&format!(" \\\n  -H \"{name}: ${variable}\""));
                }
            }
        }
        if !wire_body.is_empty() {
            command.push_str(&format!(" \\\n  -H 'Content-Type: {}'", content_type(wire_body)));
            command.push_str(&format!(" \\\n  --data-raw {}", shell_quote(&String::from_utf8_lossy(wire_body))));
        }
        println!("{derived}{command}");
        if used_passphrase {
            eprintln!("note: the command reads the passphrase from $CEXSIGN_PASSPHRASE: export it before running it");
        }
        if hidden {
            eprintln!(
                "note: the command runs cexsign for each value derived from your secret: export CEXSIGN_SECRET (and \
                 CEXSIGN_PASSPHRASE, CEXSIGN_API_KEY, or CEXSIGN_KEY_FILE) before running it"
            );
        }
        return Ok(ExitCode::SUCCESS);
    }

    let render = |shown: &Shown| match shown {
        Shown::Value(value) => value.clone(),
        Shown::Passphrase => "<your passphrase, not printed>".to_owned(),
        Shown::Hidden => "<sensitive, not printed: add --show-sensitive>".to_owned(),
    };
    if args.json {
        let mut map = Map::new();
        for (name, shown) in &headers {
            map.insert(name.clone(), Value::String(render(shown)));
        }
        let mut output = json!({
            "scheme": request_args.scheme.id(),
            "headers": map,
            "timestamp": signed.timestamp(),
            "signature": signed.signature(),
            "prehash": prehash,
        });
        if signed.rewrites_request() {
            output["wire"] = json!({"query": wire_query, "body": String::from_utf8_lossy(wire_body)});
        }
        println!("{output}");
    } else {
        for (name, shown) in &headers {
            println!("{name}: {}", render(shown));
        }
        // Binance signs inside the request, and Kraken may add the nonce: what to send.
        if signed.rewrites_request() {
            println!("query: {wire_query}");
            println!("body: {}", String::from_utf8_lossy(wire_body));
        }
        if prehash.contains('\n') {
            // A prehash of several lines (Gate's is five): one line of output, newlines as \n.
            println!("prehash (\\n = newline): {}", prehash.replace('\n', "\\n"));
        } else {
            println!("prehash: {prehash}");
        }
    }
    if headers.iter().any(|(_, shown)| matches!(shown, Shown::Hidden)) {
        hidden_note();
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------------
// verify

fn verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    let loaded = credentials(&args.credentials)?;
    let request = &args.request;
    let mut sent =
        SentRequest::rest(&request.method, &request.path).with_query(&request.query).with_body(body(request)?);
    for header in &args.headers {
        let Some((name, value)) = header.split_once(':') else {
            return fail("each --header is `Name: value` (a header without ':' was given)");
        };
        if name.trim().is_empty() {
            return fail("a --header has an empty name");
        }
        sent = sent.with_auth(name.trim(), value.trim());
    }
    if let Some(host) = &request.host {
        sent = sent.with_host(host);
    }
    sent = sent.with_settings(key_settings(request, loaded.key_version));
    let diagnosis = diagnose(request.scheme, &loaded.credentials, &sent)?;
    if args.json {
        println!("{}", serde_json::to_string(&diagnosis).map_err(|e| Failure(e.to_string()))?);
    } else {
        println!("{diagnosis}");
        if let Diagnosis::Unknown { expected_prehash: Some(prehash), .. } = &diagnosis {
            println!("expected prehash: {prehash}");
        }
    }
    Ok(if diagnosis.verdict() == "correct" { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

// ---------------------------------------------------------------------------------------------
// diagnose

fn diagnose_stdin(args: DiagnoseArgs) -> Result<ExitCode, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure(format!("reading the case from stdin (it must be UTF-8 JSON): {e}")))?;
    if text.trim().is_empty() {
        return fail("no case on stdin: pipe one JSON object (see cexsign diagnose --help)");
    }
    let Loaded { credentials: fallback, key_version, .. } = credentials(&args.credentials)?;
    let mut case = Case::from_json(&text)?.with_fallback_credentials(fallback);
    if let Some(version) = key_version {
        case = case.with_fallback_key_version(version);
    }
    let diagnosis = case.diagnose()?;
    println!("{}", serde_json::to_string(&diagnosis).map_err(|e| Failure(e.to_string()))?);
    Ok(ExitCode::SUCCESS)
}
