//! KuCoin: a ledger GET (the query is signed decoded) and an order POST, signed as sent. Runs
//! against the local exchange unless `CEXSIGN_BASE_URL` & co. are set (see `examples/support/mod.rs`).

mod support;

use cexsign::client::RequestBuilderExt;
use cexsign::{Credentials, KeySettings, KucoinKeyVersion, KucoinSigner, Scheme, Timestamp};
use cexsign_local_exchange::Account;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = || Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111");
    let version = KucoinKeyVersion::V3; // as shown next to the key on KuCoin's API page
    let target = support::target(fake, |c| Account::new(Scheme::Kucoin, c, &KeySettings::new().key_version(3))).await?;
    let signer = KucoinSigner::new(&target.credentials, version)?;
    let client = reqwest::Client::new();

    let ledgers = client.get(format!("{}/api/v1/accounts/ledgers?currency=BTC&bizType=Exchange", target.base_url));
    support::show(&client, ledgers.build_signed(&signer, Timestamp::now()?)?).await?;

    let order = serde_json::json!({"clientOid": "5c52e11203aa", "side": "buy", "symbol": "BTC-USDT", "type": "limit", "price": "1000", "size": "0.001"});
    let body = serde_json::to_vec(&order)?;
    let post =
        client.post(format!("{}/api/v1/orders", target.base_url)).header("content-type", "application/json").body(body);
    support::show(&client, post.build_signed(&signer, Timestamp::now()?)?).await?;
    Ok(())
}
