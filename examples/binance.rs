//! Binance: an account GET and an order POST, signed as sent. The signer appends `recvWindow`,
//! `timestamp` and `signature` to the query (GET) or the form body (POST) and the reqwest layer
//! writes them into the request. Runs against the local exchange unless `CEXSIGN_BASE_URL` & co.
//! are set (see `examples/support/mod.rs`); `CEXSIGN_KEY_TYPE` = `HMAC` (default), `Ed25519`
//! or `RSA` says what kind of key `CEXSIGN_SECRET` is (Ed25519/RSA: the PEM private key).

mod support;

use std::time::Duration;

use cexsign::client::RequestBuilderExt;
use cexsign::{BinanceKeyType, BinanceSigner, Credentials, KeySettings, Scheme, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::Account;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The key and secret of Binance's own signing examples (fakes).
    let fake = || {
        Credentials::new()
            .api_key("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A")
            .secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
    };
    let key_type = match std::env::var("CEXSIGN_KEY_TYPE").as_deref() {
        Ok("Ed25519") => BinanceKeyType::Ed25519,
        Ok("RSA") => BinanceKeyType::Rsa,
        _ => BinanceKeyType::Hmac,
    };
    let target =
        support::target(fake, |c| Account::new(Scheme::Binance, c, &KeySettings::new().key_type(key_type.name())))
            .await?;
    let signer = BinanceSigner::new(&target.credentials, key_type)?.with_recv_window(Duration::from_millis(5000))?;
    let client = reqwest::Client::new();

    // Leave timestamp and signature out: the signer adds them as the last parameters.
    let account = client.get(format!("{}/api/v3/account?omitZeroBalances=true", target.base_url));
    support::show(&client, account.build_signed(&signer, Timestamp::now()?)?).await?;

    // A form body, percent-encoded once; these exact bytes (plus the appended parameters) are
    // signed and sent.
    let form = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=30000";
    let order = client
        .post(format!("{}/api/v3/order", target.base_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form);
    support::show(&client, order.build_signed(&signer, Timestamp::now()?)?).await?;

    // The WebSocket API signs its params (sorted, not percent-encoded) instead.
    let params = [("symbol", serde_json::json!("BTCUSDT")), ("side", serde_json::json!("BUY"))];
    let ws = signer.sign_ws(&WsRequest::api("order.test", &params).with_id("1"), Timestamp::now()?)?;
    println!("ws-api/v3 message: {}", ws.message_json());
    Ok(())
}
