//! The command-line tool never prints the secret or the passphrase: not on success, not in an
//! error, whatever the scheme.

const SECRET: &str = "SECRETMARKx9QvT2wL8pZ3mR7kB4nC6d";
const PASSPHRASE: &str = "PASSMARKq7Wz";
// base64 of 64 bytes; its first characters are a recognisable marker.
const CB_SECRET: &str = "SECRETMARK+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==";
const ED25519_64: &str = "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==";

// ---------------------------------------------------------------------------------------------
// The command-line tool never prints the secret or the passphrase.
// ---------------------------------------------------------------------------------------------

mod cli {
    use std::process::{Command, Stdio};

    use super::{CB_SECRET, ED25519_64, PASSPHRASE, SECRET};

    /// Runs `cexsign` with the credentials in the environment and returns stdout + stderr.
    fn run(args: &[&str], secret: &str, stdin: &str) -> (bool, String) {
        use std::io::Write as _;
        let mut child = Command::new(env!("CARGO_BIN_EXE_cexsign"))
            .args(args)
            .env("CEXSIGN_API_KEY", "visible-key")
            .env("CEXSIGN_SECRET", secret)
            .env("CEXSIGN_PASSPHRASE", PASSPHRASE)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the cexsign binary runs");
        // A command that does not read stdin may exit first: a broken pipe is not a failure.
        let _ = child.stdin.take().expect("stdin").write_all(stdin.as_bytes());
        let output = child.wait_with_output().expect("cexsign exits");
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.success(), text)
    }

    fn assert_no_secret(args: &[&str], secret: &str, stdin: &str) -> bool {
        let (success, text) = run(args, secret, stdin);
        for hidden in [secret, PASSPHRASE] {
            assert!(!text.contains(&hidden[..12]), "cexsign {args:?} printed a secret:\n{text}");
        }
        success
    }

    #[test]
    fn the_cli_never_prints_the_secret_or_the_passphrase() {
        let okx = ["--scheme", "okx", "--path", "/api/v5/account/balance", "--query", "ccy=BTC"];
        let with = |extra: &[&'static str]| -> Vec<&'static str> { okx.iter().chain(extra).copied().collect() };
        let sign = |extra: &[&'static str]| -> Vec<&'static str> { [&["sign"][..], &with(extra)].concat() };
        // Every output mode of `sign`, including the one that prints derived secrets.
        assert!(assert_no_secret(&sign(&[]), SECRET, ""), "a plain sign succeeds");
        for extra in [&["--json"][..], &["--curl", "https://www.okx.com"], &["--show-sensitive"], &["--verbose"]] {
            assert_no_secret(&sign(extra), SECRET, "");
        }
        for scheme in ["kucoin", "delta", "coinbase_advanced_hmac"] {
            let args = ["sign", "--scheme", scheme, "--path", "/x", "--json", "--show-sensitive"];
            assert_no_secret(&args, SECRET, "");
        }
        assert_no_secret(&["sign", "--scheme", "coinbase_exchange", "--path", "/orders", "--json"], CB_SECRET, "");
        assert_no_secret(&["sign", "--scheme", "coinbase_cdp_jwt", "--path", "/x", "--show-sensitive"], ED25519_64, "");
        // Wrong secrets: the errors name the problem, not the value.
        assert_no_secret(&["sign", "--scheme", "coinbase_exchange", "--path", "/orders"], SECRET, "");
        assert_no_secret(&["sign", "--scheme", "coinbase_cdp_jwt", "--path", "/x"], SECRET, "");
        // verify and diagnose, right and wrong.
        let verify = ["verify", "--scheme", "delta", "--path", "/v2/orders", "-H", "api-key: visible-key"];
        assert_no_secret(&verify, SECRET, "");
        assert_no_secret(&[&verify[..], &["--json", "--verbose"]].concat(), SECRET, "");
        let case = r#"{"scheme":"delta","method":"GET","path":"/v2/orders","query":"","sent":{"api-key":"visible-key","timestamp":"1542110948","signature":"00"}}"#;
        assert_no_secret(&["diagnose"], SECRET, case);
        assert_no_secret(&["diagnose", "--verbose"], SECRET, case);
        assert_no_secret(&["diagnose"], SECRET, "not json");
        // Help and usage errors, with the secrets in the environment.
        assert_no_secret(&["sign", "--help"], SECRET, "");
        assert_no_secret(&["--verbose"], SECRET, "");
        assert_no_secret(&["sign"], SECRET, "");
    }
}
