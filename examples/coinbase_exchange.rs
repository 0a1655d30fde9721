//! Coinbase Exchange: an accounts GET and an order POST, signed as sent. Runs against the local
//! exchange unless `CEXSIGN_BASE_URL` & co. are set (see `examples/support/mod.rs`).

mod support;

use cexsign::client::RequestBuilderExt;
use cexsign::{CoinbaseExchangeSigner, Credentials, KeySettings, Scheme, Timestamp};
use cexsign_local_exchange::Account;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = || {
        Credentials::new()
            .api_key("0123456789abcdef0123456789abcdef")
            .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
            .passphrase("testpassphrase")
    };
    let target = support::target(fake, |c| Account::new(Scheme::CoinbaseExchange, c, &KeySettings::new())).await?;
    let signer = CoinbaseExchangeSigner::new(&target.credentials)?; // the base64 secret is decoded here, once
    let client = reqwest::Client::builder().user_agent("my-bot/1.0").build()?;

    let accounts = client.get(format!("{}/accounts", target.base_url));
    support::show(&client, accounts.build_signed(&signer, Timestamp::now()?)?).await?;

    let order = serde_json::json!({"product_id": "BTC-USD", "side": "buy", "type": "limit", "price": "1000.00", "size": "0.001"});
    let body = serde_json::to_vec(&order)?;
    let post = client.post(format!("{}/orders", target.base_url)).header("content-type", "application/json").body(body);
    support::show(&client, post.build_signed(&signer, Timestamp::now()?)?).await?;
    Ok(())
}
