//! Coinbase Advanced Trade with a CDP key (Ed25519 or ECDSA): an accounts GET and an order POST,
//! each with a fresh JWT. Runs against the local exchange unless `CEXSIGN_BASE_URL` & co. are set
//! (see `examples/support/mod.rs`; CEXSIGN_API_KEY is the key name/id, CEXSIGN_SECRET the private key).

mod support;

use cexsign::client::RequestBuilderExt;
use cexsign::{CoinbaseCdpSigner, Credentials, KeySettings, Scheme, Timestamp};
use cexsign_local_exchange::Account;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = || {
        Credentials::new()
            .api_key("22222222-2222-4222-8222-222222222222")
            .secret("rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==")
    };
    let target = support::target(fake, |c| Account::new(Scheme::CoinbaseCdp, c, &KeySettings::new())).await?;
    let signer = CoinbaseCdpSigner::new(&target.credentials)?; // the key is parsed here, once
    let client = reqwest::Client::new();

    // The JWT's uri claim takes the host from the URL, never the query.
    let accounts = client.get(format!("{}/api/v3/brokerage/accounts?limit=10", target.base_url));
    support::show(&client, accounts.build_signed(&signer, Timestamp::now()?)?).await?;

    let order = serde_json::json!({"client_order_id": "0000-1", "product_id": "BTC-USD", "side": "BUY", "order_configuration": {"market_market_ioc": {"quote_size": "10"}}});
    let body = serde_json::to_vec(&order)?;
    let post = client
        .post(format!("{}/api/v3/brokerage/orders", target.base_url))
        .header("content-type", "application/json")
        .body(body);
    support::show(&client, post.build_signed(&signer, Timestamp::now()?)?).await?;
    Ok(())
}
