//! The `cexsign` binary, run as a user runs it: flags, environment variables, key files, stdin;
//! its output, its exit codes, and that no secret ever reaches stdout or stderr.
#![cfg(feature = "cli")]

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
            "post",
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
    let sent: serde_json::Map<String, Value> = signed
        .headers()
        .map(|(name, value)| (name.as_str().to_owned(), Value::String(value.to_str().unwrap().to_owned())))
        .collect();
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
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/delta.json")).unwrap(),
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
        (vec!["diagnose"], Some(r#"{"scheme":"binance","path":"/x","sent":{}}"#), "unknown scheme"),
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
    for scheme in ["okx", "kucoin", "delta", "coinbase_advanced_hmac"] {
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
