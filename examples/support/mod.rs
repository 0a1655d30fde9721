//! Where the per-exchange examples send their requests: the embedded local exchange with fake
//! credentials (the default), or a real exchange when these environment variables are set:
//!
//! | variable | meaning |
//! |---|---|
//! | `CEXSIGN_BASE_URL` | the exchange's REST base URL, e.g. `https://www.okx.com` |
//! | `CEXSIGN_API_KEY` | your API key (CDP: the key name or id) |
//! | `CEXSIGN_SECRET` | your API secret (CDP: the private key) |
//! | `CEXSIGN_PASSPHRASE` | your API passphrase, where the exchange has one |
//!
//! Never set them in tests or CI: the examples would then place real orders.

use cexsign::Credentials;
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};

/// A base URL and the credentials to use there.
pub struct Target {
    pub base_url: String,
    pub credentials: Credentials,
    // Keeps the local exchange running for as long as the target lives.
    _local: Option<RunningExchange>,
}

/// The real exchange if `CEXSIGN_BASE_URL` is set, otherwise a local exchange that knows the fake
/// key. `fake` gives fresh copies of the fake credentials; `account` registers them.
pub async fn target(
    fake: impl Fn() -> Credentials,
    account: impl FnOnce(&Credentials) -> Result<Account, cexsign::Error>,
) -> Result<Target, Box<dyn std::error::Error>> {
    if let Ok(base_url) = std::env::var("CEXSIGN_BASE_URL") {
        let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} must be set with CEXSIGN_BASE_URL"));
        let mut credentials = Credentials::new().api_key(var("CEXSIGN_API_KEY")?).secret(var("CEXSIGN_SECRET")?);
        if let Ok(passphrase) = std::env::var("CEXSIGN_PASSPHRASE") {
            credentials = credentials.passphrase(passphrase);
        }
        println!("sending to the real exchange at {base_url}");
        return Ok(Target { base_url, credentials, _local: None });
    }
    let local = LocalExchange::new().with_account(account(&fake())?).start().await?;
    println!("sending to the local exchange at {} (set CEXSIGN_BASE_URL & co. for a real one)", local.base_url());
    Ok(Target { base_url: local.base_url().to_owned(), credentials: fake(), _local: Some(local) })
}

/// Sends a request and prints the status line and body.
pub async fn show(client: &reqwest::Client, request: reqwest::Request) -> Result<(), reqwest::Error> {
    let line = format!("{} {}", request.method(), request.url().path());
    let response = client.execute(request).await?;
    println!("{line} -> {}\n  {}", response.status(), response.text().await?);
    Ok(())
}
