//! Delta Exchange: a wallet GET and an order POST, signed as sent. Runs against the local
//! exchange unless `CEXSIGN_BASE_URL` & co. are set (see `examples/support/mod.rs`).

mod support;

use cexsign::client::RequestBuilderExt;
use cexsign::{Credentials, DeltaSigner, KeySettings, Scheme, Timestamp};
use cexsign_local_exchange::Account;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = || {
        Credentials::new()
            .api_key("a207900b7693435a8fa9230a38195d")
            .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f")
    };
    let target = support::target(fake, |c| Account::new(Scheme::Delta, c, &KeySettings::new())).await?;
    let signer = DeltaSigner::new(&target.credentials)?;
    // Delta's CDN blocks authenticated requests without a User-Agent; reqwest sends none by default.
    let client = reqwest::Client::builder().user_agent("my-bot/1.0").build()?;

    let balances = client.get(format!("{}/v2/wallet/balances", target.base_url));
    support::show(&client, balances.build_signed(&signer, Timestamp::now()?)?).await?;

    let order = serde_json::json!({"product_id": 27, "size": 1, "side": "buy", "order_type": "limit_order", "limit_price": "1000"});
    let body = serde_json::to_vec(&order)?;
    let post =
        client.post(format!("{}/v2/orders", target.base_url)).header("content-type", "application/json").body(body);
    support::show(&client, post.build_signed(&signer, Timestamp::now()?)?).await?;
    Ok(())
}
