//! The `cexsign` binary, run as a user runs it: flags, environment variables, key files, stdin;
//! its output, its exit codes, and that no secret ever reaches stdout or stderr.

use std::io::Write as _;
use std::process::{Command, Stdio};

use base64::Engine as _;
use cexsign::{Credentials, Method, OkxEnvironment, OkxSigner, SignableRequest, Signer, Timestamp};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_cexsign");

const OKX_KEY: &str = "985d5b66-57ce-40fb-b714-afc0b9787083";
const OKX_SECRET: &str = "22582BD0CFF14C41EDBF1AB98506286D";
const OKX_PASSPHRASE: &str = "Passphrase1!";
const OKX_TS: &str = "2020-12-08T09:08:57.715Z";

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary with `args`, only the `CEXSIGN_*` variables given in `env`, and `stdin`.
fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (name, _) in std::env::vars() {
        if name.starts_with("CEXSIGN_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().expect("the cexsign binary runs");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).unwrap();
    }
    drop(pipe);
    let output = child.wait_with_output().unwrap();
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn okx_env() -> [(&'static str, &'static str); 3] {
    [("CEXSIGN_API_KEY", OKX_KEY), ("CEXSIGN_SECRET", OKX_SECRET), ("CEXSIGN_PASSPHRASE", OKX_PASSPHRASE)]
}

fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cexsign-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

// ---------------------------------------------------------------------------------------------
// sign

#[test]
fn sign_prints_the_headers_and_the_prehash_of_the_worked_example() {
    let out = run(
        &["sign", "--scheme", "okx", "--path", "/api/v5/account/balance", "--query", "ccy=BTC", "--timestamp", OKX_TS],
        &okx_env(),
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "OK-ACCESS-KEY: 985d5b66-57ce-40fb-b714-afc0b9787083\n\
         OK-ACCESS-SIGN: HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=\n\
         OK-ACCESS-TIMESTAMP: 2020-12-08T09:08:57.715Z\n\
         OK-ACCESS-PASSPHRASE: <your passphrase, not printed>\n\
         prehash: 2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC\n"
    );
}

#[test]
fn sign_takes_flags_and_a_body_file_and_prints_json() {
    let body =
        r#"{"instId":"BTC-USDT","tdMode":"cash","clOrdId":"b15","side":"buy","ordType":"limit","px":"2.15","sz":"2"}"#;
    let file = temp_file("order.json", body);
    let out = run(
        &[
            "sign",
            "--scheme",
            "okx",
            "--method",
            "POST",
            "--path",
            "/api/v5/trade/order",
            "--body-file",
            file.to_str().unwrap(),
            "--timestamp",
            OKX_TS,
            "--api-key",
            OKX_KEY,
            "--secret",
            OKX_SECRET,
            "--passphrase",
            OKX_PASSPHRASE,
            "--json",
        ],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["signature"], "dI6rrL9rXW/HdaPKJ/6LC1OgvH4/PYju6R3CqixMTNQ=");
    assert_eq!(json["headers"]["OK-ACCESS-SIGN"], json["signature"]);
    assert_eq!(json["prehash"], format!("{OKX_TS}POST/api/v5/trade/order{body}"));
    // The body from stdin gives the same signature.
    let out = run(
        &[
            "sign",
            "--scheme",
            "okx",
            "--method",
            "POST",
            "--path",
            "/api/v5/trade/order",
            "--body-file",
            "-",
            "--timestamp",
            OKX_TS,
            "--json",
        ],
        &okx_env(),
        Some(body),
    );
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["signature"], "dI6rrL9rXW/HdaPKJ/6LC1OgvH4/PYju6R3CqixMTNQ=");
}

#[test]
fn sign_curl_reads_the_passphrase_from_the_environment() {
    let out = run(
        &[
            "sign",
            "--scheme",
            "okx",
            "--method",
            "POST",
            "--path",
            "/api/v5/trade/order",
            "--body",
            r#"{"note":"it's"}"#,
            "--timestamp",
            OKX_TS,
            "--curl",
            "https://www.okx.com/",
        ],
        &okx_env(),
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("curl -sS -X POST 'https://www.okx.com/api/v5/trade/order'"), "{}", out.stdout);
    assert!(out.stdout.contains(r#"-H "OK-ACCESS-PASSPHRASE: $CEXSIGN_PASSPHRASE""#), "{}", out.stdout);
    assert!(out.stdout.contains(r#"--data-raw '{"note":"it'\''s"}'"#), "{}", out.stdout);
    assert!(out.stdout.contains("-H 'Content-Type: application/json'"));
    assert!(out.stderr.contains("$CEXSIGN_PASSPHRASE"), "{}", out.stderr);
    assert!(!out.stdout.contains(OKX_PASSPHRASE) && !out.stderr.contains(OKX_PASSPHRASE));
}

#[test]
fn derived_secret_headers_need_show_sensitive() {
    // KuCoin v2: the HMAC'd passphrase (AUTH.md: rl1Ki0...).
    let env = [
        ("CEXSIGN_API_KEY", "6422da9c97b45100018c6e62"),
        ("CEXSIGN_SECRET", "cde06451-dbed"),
        ("CEXSIGN_PASSPHRASE", "1111111"),
    ];
    let args = [
        "sign",
        "--scheme",
        "kucoin",
        "--key-version",
        "2",
        "--path",
        "/api/v1/accounts",
        "--timestamp",
        "1680885532722",
    ];
    let out = run(&args, &env, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("KC-API-PASSPHRASE: <sensitive, not printed: add --show-sensitive>"), "{}", out.stdout);
    assert!(out.stdout.contains("KC-API-KEY-VERSION: 2"));
    assert!(out.stderr.contains("--show-sensitive"));
    let out = run(&[&args[..], &["--show-sensitive"]].concat(), &env, None);
    assert!(out.stdout.contains("KC-API-PASSPHRASE: rl1Ki0WuwidRT48JnoGQo+AJ4UtZ6mQEKt6F5XYVnT4="), "{}", out.stdout);
    // A version-1 key sends the plain passphrase: never printed, even when asked.
    let out =
        run(&["sign", "--scheme", "kucoin", "--key-version", "1", "--path", "/x", "--show-sensitive"], &env, None);
    assert!(out.stdout.contains("KC-API-PASSPHRASE: <your passphrase, not printed>"), "{}", out.stdout);
}

#[test]
fn coinbase_cdp_key_files_work_as_downloaded() {
    let es = temp_file(
        "cdp_api_key.json",
        r#"{"name": "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111",
  "privateKey": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49\nAwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR\ns8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==\n-----END EC PRIVATE KEY-----\n"}"#,
    );
    let ed = temp_file(
        "ed25519.json",
        r#"{"id": "22222222-2222-4222-8222-222222222222",
  "privateKey": "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA=="}"#,
    );
    for (file, alg) in [(&es, "ES256"), (&ed, "EdDSA")] {
        let base = [
            "sign",
            "--scheme",
            "coinbase_cdp_jwt",
            "--key-file",
            file.to_str().unwrap(),
            "--path",
            "/api/v3/brokerage/accounts",
        ];
        let out = run(&base, &[], None);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("Authorization: <sensitive, not printed: add --show-sensitive>"), "{}", out.stdout);
        let out = run(&[&base[..], &["--show-sensitive", "--curl", "https://api.coinbase.com"]].concat(), &[], None);
        let token = out.stdout.split("Bearer ").nth(1).unwrap().split('\'').next().unwrap();
        let claims = token.split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        assert_eq!(claims["uri"], "GET api.coinbase.com/api/v3/brokerage/accounts");
        let header = token.split('.').next().unwrap();
        let header: Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
        assert_eq!(header["alg"], alg);
    }
}

// ---------------------------------------------------------------------------------------------
// verify

fn okx_headers(sign: &str, timestamp: &str) -> Vec<String> {
    vec![
        format!("OK-ACCESS-KEY: {OKX_KEY}"),
        format!("OK-ACCESS-SIGN: {sign}"),
        format!("OK-ACCESS-TIMESTAMP: {timestamp}"),
        format!("OK-ACCESS-PASSPHRASE: {OKX_PASSPHRASE}"),
    ]
}

fn verify(headers: &[String], extra: &[&str]) -> Output {
    let mut args = vec!["verify", "--scheme", "okx", "--path", "/api/v5/account/balance", "--query", "ccy=BTC"];
    for header in headers {
        args.push("-H");
        args.push(header);
    }
    args.extend(extra);
    run(&args, &okx_env(), None)
}

#[test]
fn verify_exits_0_for_correct_headers_and_1_with_the_mistake_otherwise() {
    let out = verify(&okx_headers("HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=", OKX_TS), &[]);
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("correct: "), "{}", out.stdout);

    // The same signature sent with the next millisecond in the header: the clock read twice.
    let out = verify(&okx_headers("HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=", "2020-12-08T09:08:57.716Z"), &[]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.starts_with("mistake timestamp-header-differs: "), "{}", out.stdout);

    // A signature from another key: unknown, with the expected prehash.
    let other = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let out = verify(&okx_headers(&other, OKX_TS), &["--json"]);
    assert_eq!(out.code, 1);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["verdict"], "unknown");
    assert_eq!(json["expected_prehash"], format!("{OKX_TS}GET/api/v5/account/balance?ccy=BTC"));
    assert!(!out.stdout.contains(OKX_SECRET) && !out.stdout.contains(OKX_PASSPHRASE));
}

// ---------------------------------------------------------------------------------------------
// diagnose

/// A client that signs compact JSON and sends it re-serialised with spaces.
fn reserialised_case(with_credentials: bool) -> String {
    let credentials = Credentials::new().api_key(OKX_KEY).secret(OKX_SECRET).passphrase(OKX_PASSPHRASE);
    let signer = OkxSigner::new(&credentials, OkxEnvironment::Live).unwrap();
    let body = r#"{"instId":"BTC-USDT","side":"buy","sz":"2"}"#;
    let request = SignableRequest::new(Method::Post, "/api/v5/trade/order").unwrap().with_body(body.as_bytes());
    let signed = signer.sign(&request, Timestamp::from_unix_millis(1_607_418_537_715)).unwrap();
    let sent: serde_json::Map<String, Value> =
        signed.headers().map(|(name, value)| (name.as_str().to_owned(), Value::String(value.to_owned()))).collect();
    let mut case = serde_json::json!({
        "scheme": "okx",
        "method": "POST",
        "path": "/api/v5/trade/order",
        "query": "",
        "body": r#"{"instId": "BTC-USDT", "side": "buy", "sz": "2"}"#,
        "options": {"demo": false},
        "sent": sent,
    });
    if with_credentials {
        case["credentials"] =
            serde_json::json!({"api_key": OKX_KEY, "secret": OKX_SECRET, "passphrase": OKX_PASSPHRASE});
    }
    case.to_string()
}

#[test]
fn diagnose_reads_a_case_on_stdin_and_prints_one_json_verdict() {
    let out = run(&["diagnose"], &[], Some(&reserialised_case(true)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(
        out.stdout.starts_with(r#"{"verdict":"mistake","mistake":"body-reserialized","explanation":""#),
        "{}",
        out.stdout
    );
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(json["explanation"].as_str().unwrap().contains("Fix:"));

    // Credentials left out of the case come from the environment or flags.
    let out = run(&["diagnose"], &okx_env(), Some(&reserialised_case(false)));
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap()["mistake"], "body-reserialized", "{}", out.stderr);
    let out = run(
        &["diagnose", "--api-key", OKX_KEY, "--secret", OKX_SECRET, "--passphrase", OKX_PASSPHRASE],
        &[],
        Some(&reserialised_case(false)),
    );
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap()["mistake"], "body-reserialized", "{}", out.stderr);

    // A conformance vector is a correct case.
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/delta.json")).unwrap(),
    )
    .unwrap();
    let out = run(&["diagnose"], &[], Some(&vectors["vectors"][1].to_string()));
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap()["verdict"], "correct", "{}", out.stderr);
}

#[test]
fn bad_input_gets_a_clear_error_and_exit_code_2() {
    for (args, stdin, needle) in [
        (vec!["diagnose"], Some("{\"scheme\": "), "not valid JSON"),
        (vec!["diagnose"], Some(""), "no case on stdin"),
        (vec!["diagnose"], Some(r#"{"scheme":"nope","path":"/x","sent":{}}"#), "unknown scheme"),
        (vec!["diagnose"], Some(r#"{"scheme":"binance","path":"/x","sent":{}}"#), "X-MBX-APIKEY header"),
        (vec!["sign", "--scheme", "bybit", "--path", "/x", "--key-type", "ed25519"], None, "HMAC or RSA"),
        (vec!["sign", "--scheme", "binance", "--path", "/x", "--key-type", "dsa"], None, "unknown key type"),
        (vec!["sign", "--scheme", "binance", "--path", "/x", "--key-type", "rsa"], None, "PEM"),
        (
            vec!["diagnose"],
            Some(r#"{"scheme":"okx","path":"/x","sent":{"OK-ACCESS-SIGN":"x"}}"#),
            "OK-ACCESS-KEY header",
        ),
        (vec!["sign", "--scheme", "okx", "--path", "api/v5/x"], None, "must start with '/'"),
        (vec!["sign", "--scheme", "okx", "--path", "/x", "--timestamp", "1607418537715"], None, "timestamp"),
        (vec!["sign", "--scheme", "okx", "--path", "/x", "--query", "a=b c"], None, "query string"),
        (vec!["sign", "--scheme", "okx", "--path", "/x", "--method", "FETCH"], None, "HTTP method"),
        (vec!["sign", "--scheme", "nope", "--path", "/x"], None, "unknown scheme"),
        (
            vec!["sign", "--scheme", "okx", "--path", "/x", "--body", "a", "--body-file", "f"],
            None,
            "cannot be used with",
        ),
        (vec!["sign", "--scheme", "okx", "--path", "/x", "--key-file", "/no/such/file.json"], None, "key file"),
        (vec!["verify", "--scheme", "okx", "--path", "/x"], None, "--header"),
        (vec!["verify", "--scheme", "okx", "--path", "/x", "-H", "no colon"], None, "Name: value"),
        (vec!["verify", "--scheme", "okx", "--path", "/x", "-H", "OK-ACCESS-SIGN: abc"], None, "OK-ACCESS-KEY"),
    ] {
        let out = run(&args, &okx_env(), stdin);
        assert_eq!(out.code, 2, "{args:?}: {} {}", out.stdout, out.stderr);
        assert!(out.stderr.contains(needle), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
    }
    let out = run(&["sign", "--scheme", "okx", "--path", "/x"], &[], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--api-key") && out.stderr.contains("CEXSIGN_API_KEY"), "{}", out.stderr);
}

#[test]
fn help_has_examples() {
    let out = run(&["--help"], &[], None);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("Examples:") && out.stdout.contains("cexsign diagnose < case.json"), "{}", out.stdout);
    let out = run(&["sign", "--help"], &[], None);
    assert!(out.stdout.contains("--curl") && out.stdout.contains("CEXSIGN_SECRET") && out.stdout.contains("Examples:"));
    let out = run(&["diagnose", "--help"], &[], None);
    assert!(out.stdout.contains("\"verdict\"") && out.stdout.contains("conformance vector"), "{}", out.stdout);
}

// ---------------------------------------------------------------------------------------------
// No secret ever printed.

#[test]
fn a_marker_secret_never_reaches_stdout_or_stderr() {
    const SECRET: &str = "MARKERsecretZQ9x7w";
    const PASSPHRASE: &str = "MARKERpassKQ3v8";
    let env = [("CEXSIGN_API_KEY", "marker-key"), ("CEXSIGN_SECRET", SECRET), ("CEXSIGN_PASSPHRASE", PASSPHRASE)];
    let key_file = temp_file(
        "marker.json",
        &format!(r#"{{"api_key":"marker-key","secret":"{SECRET}","passphrase":"{PASSPHRASE}","key_version":2}}"#),
    );
    let key_file = key_file.to_str().unwrap();
    let flags = ["--api-key", "marker-key", "--secret", SECRET, "--passphrase", PASSPHRASE];
    let case = |secret: &str, sent: &str| {
        format!(
            r#"{{"scheme":"okx","method":"GET","path":"/api/v5/account/balance","credentials":{{"api_key":"marker-key","secret":"{secret}","passphrase":"{PASSPHRASE}"}},"sent":{sent}}}"#
        )
    };
    let wrong = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
    // A PEM "key" whose base64 body is the marker: it cannot parse, and must not be echoed.
    let pem_marker = format!("-----BEGIN PRIVATE KEY-----\n{SECRET}\n-----END PRIVATE KEY-----\n");
    let okx_sent = format!(
        r#"{{"OK-ACCESS-KEY":"marker-key","OK-ACCESS-SIGN":"{wrong}","OK-ACCESS-TIMESTAMP":"{OKX_TS}","OK-ACCESS-PASSPHRASE":"{PASSPHRASE}"}}"#
    );
    let swapped_sent = format!(
        r#"{{"OK-ACCESS-KEY":"{SECRET}","OK-ACCESS-SIGN":"{wrong}","OK-ACCESS-TIMESTAMP":"{OKX_TS}","OK-ACCESS-PASSPHRASE":"{PASSPHRASE}"}}"#
    );
    /// Arguments, environment, stdin.
    type Run<'e> = (Vec<String>, Vec<(&'e str, &'e str)>, Option<String>);
    let mut runs: Vec<Run<'_>> = Vec::new();
    let owned = |args: &[&str]| args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    for scheme in ["okx", "kucoin", "delta", "coinbase_advanced_hmac", "binance", "bybit", "bitget", "gate"] {
        let base = ["sign", "--scheme", scheme, "--path", "/api/x", "--method", "POST", "--body", "{}"];
        runs.push((owned(&[&base[..], &["--show-sensitive"]].concat()), env.to_vec(), None));
        runs.push((
            owned(&[&base[..], &["--curl", "https://example.com", "--show-sensitive"]].concat()),
            env.to_vec(),
            None,
        ));
        runs.push((owned(&[&base[..], &["--json"], &flags[..]].concat()), Vec::new(), None));
        runs.push((owned(&[&base[..], &["--key-file", key_file]].concat()), Vec::new(), None));
    }
    // Errors: a secret that is not base64 where it must be, a CDP secret that is not a key,
    // clap errors after a secret flag, a bad path.
    runs.push((owned(&["sign", "--scheme", "coinbase_exchange", "--path", "/x"]), env.to_vec(), None));
    runs.push((owned(&["sign", "--scheme", "coinbase_cdp_jwt", "--path", "/x"]), env.to_vec(), None));
    // The AUTH-more schemes: a secret that is not base64 (Kraken), not a PEM key (Binance and Bybit
    // asymmetric keys), a PEM that does not parse, with the marker inside it.
    runs.push((
        owned(&["sign", "--scheme", "kraken", "--method", "POST", "--path", "/0/private/Balance"]),
        env.to_vec(),
        None,
    ));
    for (scheme, key_type) in [("binance", "ed25519"), ("binance", "rsa"), ("bybit", "rsa")] {
        runs.push((owned(&["sign", "--scheme", scheme, "--key-type", key_type, "--path", "/x"]), env.to_vec(), None));
        runs.push((
            owned(&["sign", "--scheme", scheme, "--key-type", key_type, "--path", "/x", "--secret", &pem_marker]),
            vec![("CEXSIGN_API_KEY", "marker-key")],
            None,
        ));
    }
    runs.push((
        owned(&["sign", "--scheme", "binance", "--path", "/x", "--json"]),
        vec![("CEXSIGN_API_KEY", "marker-key"), ("CEXSIGN_SECRET", &pem_marker)],
        None,
    ));
    runs.push((owned(&["sign", "--secret", SECRET, "--scheme", "okx", "--path", "/x", "--bogus"]), Vec::new(), None));
    runs.push((owned(&["sign", &format!("--passphrase={PASSPHRASE}"), "--path", "/x"]), Vec::new(), None));
    runs.push((owned(&["sign", "--scheme", "okx", "--path", "x"]), env.to_vec(), None));
    // clap quotes a stray argument: the same text as a secret given before is redacted.
    runs.push((owned(&["sign", "--scheme", "okx", "--path", "/x", "--secret", SECRET, SECRET]), Vec::new(), None));
    runs.push((owned(&["sign", "--scheme", "okx", "--path", "/x", PASSPHRASE]), env.to_vec(), None));
    // verify and diagnose, right and wrong.
    runs.push((
        owned(&[
            "verify",
            "--scheme",
            "okx",
            "--path",
            "/x",
            "-H",
            &format!("OK-ACCESS-SIGN: {wrong}"),
            "-H",
            "OK-ACCESS-KEY: marker-key",
            "-H",
            &format!("OK-ACCESS-TIMESTAMP: {OKX_TS}"),
            "-H",
            &format!("OK-ACCESS-PASSPHRASE: {PASSPHRASE}"),
            "--json",
        ]),
        env.to_vec(),
        None,
    ));
    runs.push((owned(&["diagnose"]), Vec::new(), Some(case(SECRET, &okx_sent))));
    runs.push((owned(&["diagnose"]), Vec::new(), Some(case(SECRET, &swapped_sent))));
    runs.push((owned(&["diagnose"]), Vec::new(), Some(case(SECRET, "[1]"))));
    runs.push((owned(&["diagnose"]), Vec::new(), Some(case(SECRET, "{}"))));
    runs.push((
        owned(&["diagnose"]),
        Vec::new(),
        Some(format!(r#"{{"scheme":"okx","credentials":{{"secret":{SECRET}}}}}"#)),
    ));
    runs.push((
        owned(&["diagnose"]),
        Vec::new(),
        Some(format!(r#"{{"scheme":"kucoin","path":"/x","credentials":{{"key_version":"{SECRET}"}},"sent":{{}}}}"#)),
    ));
    runs.push((
        owned(&["diagnose", "--key-file", key_file]),
        Vec::new(),
        Some(r#"{"scheme":"kucoin","path":"/x","sent":{}}"#.to_owned()),
    ));
    // Diagnoses of the AUTH-more schemes with the marker as the secret: wrong signatures, the key
    // header carrying the secret (key-secret-swapped names it without quoting it).
    for (scheme, sent) in [
        (
            "bybit",
            format!(
                r#"{{"X-BAPI-API-KEY":"{SECRET}","X-BAPI-SIGN":"{}","X-BAPI-TIMESTAMP":"1700000000000","X-BAPI-RECV-WINDOW":"5000"}}"#,
                "ab".repeat(32)
            ),
        ),
        (
            "bitget",
            format!(
                r#"{{"ACCESS-KEY":"marker-key","ACCESS-SIGN":"{wrong}","ACCESS-TIMESTAMP":"1700000000000","ACCESS-PASSPHRASE":"{PASSPHRASE}"}}"#
            ),
        ),
        ("gate", format!(r#"{{"KEY":"{SECRET}","SIGN":"{}","Timestamp":"1700000000"}}"#, "cd".repeat(64))),
    ] {
        runs.push((
            owned(&["diagnose"]),
            Vec::new(),
            Some(format!(
                r#"{{"scheme":"{scheme}","method":"GET","path":"/x","credentials":{{"api_key":"marker-key","secret":"{SECRET}","passphrase":"{PASSPHRASE}"}},"sent":{sent}}}"#
            )),
        ));
    }
    runs.push((
        owned(&["diagnose"]),
        Vec::new(),
        Some(format!(
            r#"{{"scheme":"binance","method":"GET","path":"/x","query":"timestamp=1700000000000&signature={}","credentials":{{"api_key":"marker-key","secret":"{SECRET}"}},"sent":{{"X-MBX-APIKEY":"{SECRET}"}}}}"#,
            "ef".repeat(32)
        )),
    ));

    let mut exercised_errors = 0;
    for (args, env, stdin) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args, env, stdin.as_deref());
        for marker in [SECRET, PASSPHRASE] {
            assert!(!out.stdout.contains(marker), "{args:?} printed a secret on stdout: {}", out.stdout);
            assert!(!out.stderr.contains(marker), "{args:?} printed a secret on stderr: {}", out.stderr);
        }
        assert!(!out.stdout.is_empty() || !out.stderr.is_empty(), "{args:?}: no output at all");
        exercised_errors += usize::from(out.code != 0);
    }
    assert!(exercised_errors >= 8, "only {exercised_errors} error paths exercised");
}

// ---------------------------------------------------------------------------------------------
// The AUTH-more schemes (the values are AUTH-more.md's worked examples).

const BINANCE_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const BINANCE_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const ED25519_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f
-----END PRIVATE KEY-----
";
const BINANCE_ORDER: &str = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1";

#[test]
fn sign_binance_prints_the_query_to_send_with_its_signature() {
    let env = [("CEXSIGN_API_KEY", BINANCE_KEY), ("CEXSIGN_SECRET", BINANCE_SECRET)];
    // Binance's own "SIGNED Endpoint Examples": the signature goes last in the query.
    let args = [
        "sign",
        "--scheme",
        "binance",
        "--method",
        "POST",
        "--path",
        "/api/v3/order",
        "--query",
        BINANCE_ORDER,
        "--recv-window",
        "5000",
        "--timestamp",
        "1499827319559",
    ];
    let out = run(&args, &env, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let signature = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
    assert!(out.stdout.starts_with(&format!("X-MBX-APIKEY: {BINANCE_KEY}\n")), "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!(
            "query: {BINANCE_ORDER}&recvWindow=5000&timestamp=1499827319559&signature={signature}\n"
        )),
        "{}",
        out.stdout
    );
    // The same with a body: the parameters and the signature go in the body, sent as a form.
    let body_args =
        [&args[..7], &["--body", BINANCE_ORDER, "--recv-window", "5000", "--timestamp", "1499827319559"]].concat();
    let out = run(&[&body_args[..], &["--curl", "https://api.binance.com"]].concat(), &env, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("'https://api.binance.com/api/v3/order' \\"), "{}", out.stdout);
    assert!(out.stdout.contains("-H 'Content-Type: application/x-www-form-urlencoded'"), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("&signature={signature}'")), "{}", out.stdout);
    let out = run(&[&body_args[..], &["--json"]].concat(), &env, None);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["signature"], signature);
    assert_eq!(json["wire"]["query"], "");
    assert!(json["wire"]["body"].as_str().unwrap().ends_with(&format!("&signature={signature}")));

    // An Ed25519 key (the seed 00..1f), told by its PEM: base64, percent-encoded on the wire.
    let env = [("CEXSIGN_API_KEY", BINANCE_KEY), ("CEXSIGN_SECRET", ED25519_PEM)];
    let out = run(
        &[
            "sign",
            "--scheme",
            "binance",
            "--path",
            "/api/v3/account",
            "--query",
            "omitZeroBalances=true&recvWindow=5000",
            "--timestamp",
            "1700000000000",
        ],
        &env,
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "&signature=%2BTpnsldUYzPdNiRymLtkqVSZvlpar9CntXqNDJXPwJp3nntq2mxz0eycoq9ddoYgGl6uEXu2vHWT7OxkwsYbAA%3D%3D\n"
        ),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("MC4CAQAw") && !out.stderr.contains("MC4CAQAw"));
}

#[test]
fn sign_bybit_kraken_bitget_and_gate_give_the_published_signatures() {
    /// The environment, the arguments after `sign`, a line the output must hold.
    type SignCase<'a> = (&'a [(&'a str, &'a str)], Vec<&'a str>, &'a str);
    let cases: [SignCase<'_>; 5] = [
        (
            &[("CEXSIGN_API_KEY", "XXXXXXXXXX"), ("CEXSIGN_SECRET", "vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W")],
            vec![
                "--scheme",
                "bybit",
                "--path",
                "/v5/order/realtime",
                "--query",
                "category=option&symbol=BTC-29JUL22-25000-C",
                "--timestamp",
                "1658384314791",
            ],
            "X-BAPI-SIGN: 6a8b5ae5f32a50c613d3ca92af27a4f037777ec188038724eccc4dd630a0023c\nX-BAPI-RECV-WINDOW: 5000\n",
        ),
        (
            &[
                ("CEXSIGN_API_KEY", "kraken-key"),
                (
                    "CEXSIGN_SECRET",
                    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
                ),
            ],
            vec![
                "--scheme",
                "kraken",
                "--method",
                "POST",
                "--path",
                "/0/private/AddOrder",
                "--body",
                "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
            ],
            "API-Sign: 4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==\n",
        ),
        (
            &[
                ("CEXSIGN_API_KEY", "bg_0123456789abcdef0123456789abcdef"),
                ("CEXSIGN_SECRET", "f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1"),
                ("CEXSIGN_PASSPHRASE", "Passphrase1#"),
            ],
            vec![
                "--scheme",
                "bitget",
                "--path",
                "/api/v2/mix/market/depth",
                "--query",
                "limit=20&symbol=BTCUSDT",
                "--timestamp",
                "1700000000000",
            ],
            "ACCESS-SIGN: 0KK1ibEr3F3V45oRlzrjez7qpdwM6UUEDTib/lxFjLM=\n",
        ),
        (
            &[("CEXSIGN_API_KEY", "key"), ("CEXSIGN_SECRET", "secret")],
            vec![
                "--scheme",
                "gate",
                "--path",
                "/api/v4/futures/orders",
                "--query",
                "contract=BTC_USD&status=finished&limit=50",
                "--timestamp",
                "1541993715",
            ],
            "SIGN: 55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6fb3faf24deff16790d726b66ac9f74526668b13bd01029199cc4fcc522418b8a\n",
        ),
        (
            // Kraken without a nonce in the body: the signer adds it, and the body to send is printed.
            &[
                ("CEXSIGN_API_KEY", "kraken-key"),
                (
                    "CEXSIGN_SECRET",
                    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
                ),
            ],
            vec![
                "--scheme",
                "kraken",
                "--method",
                "POST",
                "--path",
                "/0/private/GetWebSocketsToken",
                "--timestamp",
                "1700000000000",
            ],
            "body: nonce=1700000000000\n",
        ),
    ];
    for (env, args, needle) in cases {
        let out = run(&[&["sign"], &args[..]].concat(), env, None);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(out.stdout.contains(needle), "{args:?}: {}", out.stdout);
        for (name, value) in env {
            if *name != "CEXSIGN_API_KEY" {
                assert!(!out.stdout.contains(value) && !out.stderr.contains(value), "{args:?} printed {name}");
            }
        }
    }
    // AUTH-more.md's GetWebSocketsToken example gives that body's API-Sign.
    let out = run(
        &[
            "sign",
            "--scheme",
            "kraken",
            "--method",
            "POST",
            "--path",
            "/0/private/GetWebSocketsToken",
            "--timestamp",
            "1700000000000",
            "--json",
        ],
        &[
            ("CEXSIGN_API_KEY", "kraken-key"),
            (
                "CEXSIGN_SECRET",
                "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
            ),
        ],
        None,
    );
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json["signature"],
        "L/HkUJA19dVkFWobMGRZ+ieHJspDjuRKCO4HaDSDOJLC6G5uhsGzdjFlh7pqRkri+0xgT0dgSyICpRtNqxzHsg=="
    );
    assert_eq!(json["wire"]["body"], "nonce=1700000000000");
}

#[test]
fn verify_and_diagnose_binance_bybit_kraken_bitget_gate() {
    let env = [("CEXSIGN_API_KEY", BINANCE_KEY), ("CEXSIGN_SECRET", BINANCE_SECRET)];
    let signature = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
    let verify_binance = |query: &str| {
        let header = format!("X-MBX-APIKEY: {BINANCE_KEY}");
        run(
            &[
                "verify",
                "--scheme",
                "binance",
                "--method",
                "POST",
                "--path",
                "/api/v3/order",
                "--query",
                query,
                "-H",
                &header,
            ],
            &env,
            None,
        )
    };
    let out = verify_binance(&format!("{BINANCE_ORDER}&recvWindow=5000&timestamp=1499827319559&signature={signature}"));
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("correct: "), "{}", out.stdout);
    // The same parameters with the signature sorted into the middle.
    let out = verify_binance(&format!("{BINANCE_ORDER}&recvWindow=5000&signature={signature}&timestamp=1499827319559"));
    assert_eq!(out.code, 1);
    assert!(out.stdout.starts_with("mistake binance-signature-not-last: "), "{}", out.stdout);

    // Bybit: the v5 guide's signature (recv_window 5000) sent with X-BAPI-RECV-WINDOW: 10000.
    let out = run(
        &[
            "verify",
            "--scheme",
            "bybit",
            "--path",
            "/v5/order/realtime",
            "--query",
            "category=option&symbol=BTC-29JUL22-25000-C",
            "-H",
            "X-BAPI-API-KEY: XXXXXXXXXX",
            "-H",
            "X-BAPI-TIMESTAMP: 1658384314791",
            "-H",
            "X-BAPI-SIGN: 6a8b5ae5f32a50c613d3ca92af27a4f037777ec188038724eccc4dd630a0023c",
            "-H",
            "X-BAPI-RECV-WINDOW: 10000",
            "--json",
        ],
        &[("CEXSIGN_API_KEY", "XXXXXXXXXX"), ("CEXSIGN_SECRET", "vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W")],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["mistake"], "bybit-recv-window-differs", "{}", out.stdout);

    // The docs' negatives, as diagnose cases: Gate and Bitget signed over the encoded query.
    let gate = r#"{"scheme":"gate","method":"GET","path":"/api/v4/spot/batch_fee","query":"currency_pairs=BTC_USDT%2CETH_USDT",
        "credentials":{"api_key":"key","secret":"secret"},
        "sent":{"KEY":"key","Timestamp":"1700000000","SIGN":"3e42e8b144b2d7fa85b36d6934034f3d6e6336b77ab5131fb59c2db021a8bf6d845c5f11de80baf6db9722ffac97f449cb8b5190b913ea894f84f75831ea2fab"}}"#;
    let bitget = r#"{"scheme":"bitget","method":"GET","path":"/api/v2/mix/account/account",
        "query":"marginCoin=USDT&productType=USDT-FUTURES&symbol=%E9%BE%99%E8%99%BEUSDT",
        "credentials":{"api_key":"bg_0123456789abcdef0123456789abcdef","secret":"f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1","passphrase":"Passphrase1#"},
        "sent":{"ACCESS-KEY":"bg_0123456789abcdef0123456789abcdef","ACCESS-TIMESTAMP":"1700000000000","ACCESS-PASSPHRASE":"Passphrase1#",
                "ACCESS-SIGN":"URhis1L0aB7+6csyURI9FA28MnZXkRsp+GSVVarC9nA="}}"#;
    for case in [gate, bitget] {
        let out = run(&["diagnose"], &[], Some(case));
        assert_eq!(out.code, 0, "{}", out.stderr);
        let json: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(json["mistake"], "query-signed-encoded", "{}", out.stdout);
        assert!(!out.stdout.contains("Passphrase1#"));
    }

    // One vector of each file is a correct case, key types included.
    for (file, index) in
        [("binance", 21), ("binance", 27), ("binance", 31), ("bybit", 17), ("kraken", 12), ("bitget", 16), ("gate", 17)]
    {
        let path = format!("{}/../../tests/vectors/{file}.json", env!("CARGO_MANIFEST_DIR"));
        let vectors: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let vector = &vectors["vectors"][index];
        let out = run(&["diagnose"], &[], Some(&vector.to_string()));
        assert_eq!(out.code, 0, "{file} {index}: {}", out.stderr);
        let json: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(json["verdict"], "correct", "{}: {}", vector["id"], out.stdout);
        let secret = vector["credentials"]["secret"].as_str().unwrap();
        let body_line = secret.lines().nth(1).unwrap_or(secret);
        assert!(!out.stdout.contains(body_line), "{}", vector["id"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 19: curl commands that run as printed, the library's method rule, scheme values in --help.
// ---------------------------------------------------------------------------------------------

/// Runs a printed curl command in bash with `curl` replaced by a function that prints each of its
/// arguments on a line, `cexsign` on the PATH, and only the `CEXSIGN_*` variables in `env`.
fn run_printed(command: &str, env: &[(&str, &str)]) -> Output {
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let script = format!("set -e\ncurl() {{ printf '%s\\n' \"$@\"; }}\n{command}");
    let mut shell = Command::new("bash");
    shell.arg("-c").arg(script).env("PATH", path);
    for (name, _) in std::env::vars() {
        if name.starts_with("CEXSIGN_") {
            shell.env_remove(name);
        }
    }
    let output = shell.envs(env.iter().copied()).output().expect("bash runs");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn a_kucoin_curl_command_runs_as_printed_with_the_derived_passphrase_from_the_environment() {
    // KuCoin v2: KC-API-PASSPHRASE is base64(HMAC-SHA256(secret, passphrase)); AUTH.md's worked
    // example gives rl1Ki0WuwidRT48JnoGQo+AJ4UtZ6mQEKt6F5XYVnT4= for these credentials.
    let env = [
        ("CEXSIGN_API_KEY", "6422da9c97b45100018c6e62"),
        ("CEXSIGN_SECRET", "cde06451-dbed"),
        ("CEXSIGN_PASSPHRASE", "1111111"),
    ];
    let args = [
        "sign",
        "--scheme",
        "kucoin",
        "--key-version",
        "2",
        "--path",
        "/api/v1/accounts",
        "--timestamp",
        "1680885532722",
        "--curl",
        "https://api.kucoin.com",
    ];
    let out = run(&args, &env, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("show-sensitive") && !out.stdout.contains("rl1Ki0"), "{}", out.stdout);
    assert!(out.stderr.contains("CEXSIGN_SECRET"), "{}", out.stderr);
    let ran = run_printed(&out.stdout, &env);
    assert_eq!(ran.code, 0, "{}\n{}", out.stdout, ran.stderr);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert!(lines.contains(&"KC-API-PASSPHRASE: rl1Ki0WuwidRT48JnoGQo+AJ4UtZ6mQEKt6F5XYVnT4="), "{}", ran.stdout);
    assert!(lines.contains(&"KC-API-KEY-VERSION: 2"), "{}", ran.stdout);
    assert!(lines.contains(&"https://api.kucoin.com/api/v1/accounts"), "{}", ran.stdout);
    // Without the secret in the environment the command fails rather than sending a bad header.
    let ran = run_printed(&out.stdout, &env[..1]);
    assert_ne!(ran.code, 0, "{}", ran.stdout);
}

#[test]
fn a_cdp_curl_command_runs_as_printed_with_a_fresh_token() {
    let key_file = temp_file(
        "cdp_curl.json",
        r#"{"id": "22222222-2222-4222-8222-222222222222",
  "privateKey": "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA=="}"#,
    );
    let key_file = key_file.to_str().unwrap();
    let args = [
        "sign",
        "--scheme",
        "coinbase_cdp_jwt",
        "--key-file",
        key_file,
        "--path",
        "/api/v3/brokerage/accounts",
        "--curl",
        "https://api.coinbase.com",
    ];
    let out = run(&args, &[], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("show-sensitive") && !out.stdout.contains("Bearer ey"), "{}", out.stdout);
    let ran = run_printed(&out.stdout, &[]);
    assert_eq!(ran.code, 0, "{}\n{}", out.stdout, ran.stderr);
    let header = ran.stdout.lines().find(|l| l.starts_with("Authorization: Bearer ")).expect(&ran.stdout);
    let token = header.trim_start_matches("Authorization: Bearer ");
    let claims = token.split('.').nth(1).unwrap();
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["uri"], "GET api.coinbase.com/api/v3/brokerage/accounts");
}

#[test]
fn a_lower_case_method_is_refused_with_the_librarys_message() {
    let out = run(&["sign", "--scheme", "okx", "--method", "post", "--path", "/api/v5/trade/order"], &okx_env(), None);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains(&cexsign::Error::MethodNotUpperCase.to_string()), "{}", out.stderr);
    // The library refuses the same method, from an http::Method, with that error.
    let lower = http::Method::from_bytes(b"post").unwrap();
    assert_eq!(Method::try_from(&lower).unwrap_err(), cexsign::Error::MethodNotUpperCase);
}

#[test]
fn scheme_values_are_listed_in_help() {
    let out = run(&["sign", "--help"], &[], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let listed = out.stdout.split("possible values:").nth(1).expect(&out.stdout);
    let listed = listed.split(']').next().unwrap();
    for scheme in cexsign::Scheme::ALL {
        assert!(listed.contains(scheme.id()), "{} missing from: {listed}", scheme.id());
    }
    // The lenient spellings still work, and an unknown one lists the values.
    assert_eq!(run(&["sign", "--scheme", "Coinbase-CDP", "--path", "/x", "--help"], &[], None).code, 0);
    let out = run(&["sign", "--scheme", "ftx", "--path", "/x"], &okx_env(), None);
    assert!(out.stderr.contains("unknown scheme; use one of okx") || out.stderr.contains("okx"), "{}", out.stderr);
}
