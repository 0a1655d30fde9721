//! OKX: a balance GET and an order POST, signed as sent. Runs against the local exchange unless
//! `CEXSIGN_BASE_URL` & co. are set (see `examples/support/mod.rs`).

mod support;

use cexsign::client::RequestBuilderExt;
use cexsign::{Credentials, KeySettings, OkxEnvironment, OkxSigner, Scheme, Timestamp};
use cexsign_local_exchange::Account;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = || {
        Credentials::new()
            .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
            .secret("22582BD0CFF14C41EDBF1AB98506286D")
            .passphrase("Passphrase1!")
    };
    let env = OkxEnvironment::Demo; // demo keys need `x-simulated-trading: 1`; use Live for live keys
    let target =
        support::target(fake, |c| Account::new(Scheme::Okx, c, &KeySettings::new().demo(env == OkxEnvironment::Demo)))
            .await?;
    let signer = OkxSigner::new(&target.credentials, env)?;
    let client = reqwest::Client::new();

    let balance = client.get(format!("{}/api/v5/account/balance?ccy=BTC,USDT", target.base_url));
    support::show(&client, balance.build_signed(&signer, Timestamp::now()?)?).await?;

    // Serialise once; these exact bytes are signed and sent.
    let order = serde_json::json!({"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "1000", "sz": "0.001"});
    let body = serde_json::to_vec(&order)?;
    let post = client
        .post(format!("{}/api/v5/trade/order", target.base_url))
        .header("content-type", "application/json")
        .body(body);
    support::show(&client, post.build_signed(&signer, Timestamp::now()?)?).await?;
    Ok(())
}
