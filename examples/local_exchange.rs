//! Runs the local exchange standalone, with one fake account per scheme, for bots written in any
//! language: point the bot's base URL at it and it answers as the exchange would, with the
//! expected prehash on every rejection.
//!
//! ```text
//! cargo run --example local_exchange -- --port 8080 [--host 127.0.0.1]
//! ```
//!
//! Prints the base URL and the fake credentials as JSON on stdout, then serves until Ctrl-C.
//! The credentials are the fake worked-example keys of the signing spec: printing them is the
//! point.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use cexsign::local_exchange::{Account, LocalExchange};
use cexsign::{Credentials, KucoinKeyVersion, OkxEnvironment};
use serde::Serialize;

const USAGE: &str = "usage: local_exchange [--port PORT] [--host ADDRESS]

  --port PORT     port to listen on (default 0: any free port)
  --host ADDRESS  address to bind (default 127.0.0.1)";

const CDP_ES256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49
AwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR
s8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==
-----END EC PRIVATE KEY-----
";

/// One fake account as printed.
#[derive(Serialize)]
struct FakeAccount {
    scheme: &'static str,
    label: &'static str,
    api_key: &'static str,
    secret: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    passphrase: Option<&'static str>,
    notes: &'static str,
}

impl FakeAccount {
    fn credentials(&self) -> Credentials {
        let credentials = Credentials::new().api_key(self.api_key).secret(self.secret);
        match self.passphrase {
            Some(passphrase) => credentials.passphrase(passphrase),
            None => credentials,
        }
    }

    fn account(&self) -> Result<Account, cexsign::Error> {
        let credentials = self.credentials();
        match self.label {
            "OKX live" => Account::okx(&credentials, OkxEnvironment::Live),
            "OKX demo" => Account::okx(&credentials, OkxEnvironment::Demo),
            "KuCoin v1" => Account::kucoin(&credentials, KucoinKeyVersion::V1),
            "KuCoin v2" => Account::kucoin(&credentials, KucoinKeyVersion::V2),
            "KuCoin v3" => Account::kucoin(&credentials, KucoinKeyVersion::V3),
            "Delta" => Account::delta(&credentials),
            "Coinbase Exchange" => Account::coinbase_exchange(&credentials),
            "Coinbase Advanced (legacy HMAC)" => Account::coinbase_advanced_hmac(&credentials),
            _ => Account::coinbase_cdp(&credentials),
        }
    }
}

fn fake_accounts() -> Vec<FakeAccount> {
    let okx_secret = "22582BD0CFF14C41EDBF1AB98506286D";
    let kucoin_note = "KuCoin signs the percent-DECODED query; v2/v3 keys send base64(HMAC(secret, passphrase)) and \
                       KC-API-KEY-VERSION 2 or 3";
    vec![
        FakeAccount {
            scheme: "okx",
            label: "OKX live",
            api_key: "985d5b66-57ce-40fb-b714-afc0b9787083",
            secret: okx_secret,
            passphrase: Some("Passphrase1!"),
            notes: "no x-simulated-trading header (or 0)",
        },
        FakeAccount {
            scheme: "okx",
            label: "OKX demo",
            api_key: "demo-985d5b66-57ce-40fb-b714-afc0b9787083",
            secret: okx_secret,
            passphrase: Some("Passphrase1!"),
            notes: "send x-simulated-trading: 1",
        },
        FakeAccount {
            scheme: "kucoin",
            label: "KuCoin v1",
            api_key: "6422da9c97b45100018c6e61",
            secret: "cde06451-dbed",
            passphrase: Some("1111111"),
            notes: "plain passphrase, no KC-API-KEY-VERSION (or 1)",
        },
        FakeAccount {
            scheme: "kucoin",
            label: "KuCoin v2",
            api_key: "6422da9c97b45100018c6e62",
            secret: "cde06451-dbed",
            passphrase: Some("1111111"),
            notes: kucoin_note,
        },
        FakeAccount {
            scheme: "kucoin",
            label: "KuCoin v3",
            api_key: "6422da9c97b45100018c6e63",
            secret: "cde06451-dbed",
            passphrase: Some("1111111"),
            notes: kucoin_note,
        },
        FakeAccount {
            scheme: "delta",
            label: "Delta",
            api_key: "a207900b7693435a8fa9230a38195d",
            secret: "7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f",
            passphrase: None,
            notes: "send a User-Agent header (Delta's CDN answers 403 without one); window 5 s",
        },
        FakeAccount {
            scheme: "coinbase_exchange",
            label: "Coinbase Exchange",
            api_key: "0123456789abcdef0123456789abcdef",
            secret: "3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==",
            passphrase: Some("testpassphrase"),
            notes: "paths outside /api/v3/; the secret is base64-decoded before use",
        },
        FakeAccount {
            scheme: "coinbase_advanced_hmac",
            label: "Coinbase Advanced (legacy HMAC)",
            api_key: "4wRFpLxVyT8hZ2Qn",
            secret: "kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA",
            passphrase: None,
            notes: "paths under /api/v3/; the query is not signed; rejections are a plain Unauthorized, reason in the \
                    cexsign-reason header",
        },
        FakeAccount {
            scheme: "coinbase_cdp_jwt",
            label: "Coinbase CDP (ES256)",
            api_key: "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111",
            secret: CDP_ES256_PEM,
            passphrase: None,
            notes: "JWT uri host: this server's host (no port) or api.coinbase.com",
        },
        FakeAccount {
            scheme: "coinbase_cdp_jwt",
            label: "Coinbase CDP (Ed25519)",
            api_key: "22222222-2222-4222-8222-222222222222",
            secret: "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==",
            passphrase: None,
            notes: "JWT uri host: this server's host (no port) or api.coinbase.com",
        },
    ]
}

#[derive(Serialize)]
struct Startup {
    base_url: String,
    note: &'static str,
    server_time: [&'static str; 6],
    websocket_login_check: String,
    accounts: Vec<FakeAccount>,
}

/// `--port` and `--host`, parsed by hand.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<SocketAddr>, String> {
    let mut host = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port = 0u16;
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or(format!("{name} needs a value"));
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
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(SocketAddr::new(host, port)))
}

#[tokio::main]
async fn main() -> ExitCode {
    let addr = match parse_args(std::env::args().skip(1)) {
        Ok(Some(addr)) => addr,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("{problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let accounts = fake_accounts();
    let mut exchange = LocalExchange::new().with_cdp_host_alias("api.coinbase.com");
    for fake in &accounts {
        match fake.account() {
            Ok(account) => exchange = exchange.with_account(account),
            Err(error) => {
                eprintln!("{}: {error}", fake.label);
                return ExitCode::FAILURE;
            }
        }
    }
    let running = match exchange.bind(addr).await {
        Ok(running) => running,
        Err(error) => {
            eprintln!("cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };

    let startup = Startup {
        base_url: running.base_url().to_owned(),
        note: "fake credentials for the local exchange only; every rejection carries cexsign_reason and \
               cexsign_expected_prehash",
        server_time: [
            "GET /api/v5/public/time",
            "GET /api/v1/timestamp",
            "GET /api/v3/brokerage/time",
            "GET /v2/time",
            "GET /time",
            "GET /v2/settings",
        ],
        websocket_login_check: format!("POST {}/cexsign/ws/<scheme>", running.base_url()),
        accounts,
    };
    match serde_json::to_string_pretty(&startup) {
        Ok(json) => println!("{json}"),
        Err(error) => {
            eprintln!("cannot print the startup JSON: {error}");
            return ExitCode::FAILURE;
        }
    }
    eprintln!("local exchange listening on {}; Ctrl-C to stop", running.base_url());

    // Serve until the process is interrupted (Ctrl-C ends it).
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<SocketAddr>, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_port_and_host() {
        assert_eq!(args(&[]).unwrap(), Some("127.0.0.1:0".parse().unwrap()));
        assert_eq!(args(&["--port", "8080"]).unwrap(), Some("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(args(&["--port=8081", "--host", "::1"]).unwrap(), Some("[::1]:8081".parse().unwrap()));
        assert_eq!(args(&["--help"]).unwrap(), None);
        assert!(args(&["--port"]).is_err());
        assert!(args(&["--port", "99999"]).is_err());
        assert!(args(&["--host", "localhost"]).is_err());
        assert!(args(&["--verbose"]).is_err());
    }

    #[test]
    fn every_fake_account_registers() {
        let accounts = fake_accounts();
        assert_eq!(accounts.len(), 10);
        for fake in &accounts {
            let account = fake.account().unwrap();
            assert_eq!(account.scheme().id(), fake.scheme, "{}", fake.label);
        }
    }
}
