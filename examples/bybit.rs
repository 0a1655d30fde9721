//! Bybit v5: an open-orders GET and an order POST, signed as sent, and the websocket auth
//! message. Runs against the local exchange unless `CEXSIGN_BASE_URL` & co. are set (see
//! `examples/support/mod.rs`); `CEXSIGN_KEY_TYPE=RSA` for a self-generated RSA key (the secret is
//! then its PEM private key).

mod support;

use std::time::Duration;

use cexsign::client::RequestBuilderExt;
use cexsign::{BybitKeyType, BybitSigner, Credentials, KeySettings, Scheme, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::Account;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // AUTH-more.md's fake secret, with the key of Bybit's own examples.
    let fake = || Credentials::new().api_key("XXXXXXXXXX").secret("vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W");
    let key_type = match std::env::var("CEXSIGN_KEY_TYPE").as_deref() {
        Ok("RSA") => BybitKeyType::Rsa,
        _ => BybitKeyType::Hmac,
    };
    let target =
        support::target(fake, |c| Account::new(Scheme::Bybit, c, &KeySettings::new().key_type(key_type.name())))
            .await?;
    let signer = BybitSigner::new(&target.credentials, key_type)?.with_recv_window(Duration::from_millis(5000))?;
    let client = reqwest::Client::new();

    // GET signs the query exactly as sent: keep the order and the encoding you send.
    let orders = client.get(format!("{}/v5/order/realtime?category=linear&symbol=BTCUSDT", target.base_url));
    support::show(&client, orders.build_signed(&signer, Timestamp::now()?)?).await?;

    // POST signs the body exactly as sent: serialise once.
    let order = serde_json::json!({"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "30000"});
    let post = client
        .post(format!("{}/v5/order/create", target.base_url))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&order)?);
    support::show(&client, post.build_signed(&signer, Timestamp::now()?)?).await?;

    // The private stream's auth expires 10 s after signing (BybitSigner::with_ws_expiry).
    let auth = signer.sign_ws(&WsRequest::login(), Timestamp::now()?)?;
    println!("v5/private auth message: {}", auth.message_json());
    Ok(())
}
