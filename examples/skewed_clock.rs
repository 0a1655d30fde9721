//! A host clock that is 90 s behind the exchange: the first signed request is rejected with the
//! exchange's timestamp error, the client syncs once from the server-time endpoint, and every
//! later request is accepted. Then the same through the middleware, which does it by itself.
//!
//! Every scheme with a time window takes part; Kraken has none (only an increasing nonce), so a
//! skewed clock cannot get a Kraken request rejected and it is left out.
//!
//! ```text
//! cargo run --example skewed_clock --features middleware
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use cexsign::client::{RequestBuilderExt, sync};
use cexsign::clock::{Clock, OffsetClock};
use cexsign::middleware::{ResyncOnTimestampRejection, SigningMiddleware};
use cexsign::rejection::classify;
use cexsign::{
    BinanceKeyType, BinanceSigner, BitgetSigner, BybitKeyType, BybitSigner, CoinbaseAdvancedHmacSigner,
    CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, GateSigner, KeySettings, KucoinKeyVersion,
    KucoinSigner, OkxEnvironment, OkxSigner, Scheme, Signer,
};
use cexsign_local_exchange::{Account, LocalExchange};

const AHEAD_MILLIS: i64 = 90_000;

fn credentials(scheme: Scheme) -> Credentials {
    match scheme {
        Scheme::Okx => Credentials::new()
            .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
            .secret("22582BD0CFF14C41EDBF1AB98506286D")
            .passphrase("Passphrase1!"),
        Scheme::Kucoin => {
            Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111")
        }
        Scheme::Delta => Credentials::new()
            .api_key("a207900b7693435a8fa9230a38195d")
            .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f"),
        Scheme::CoinbaseExchange => Credentials::new()
            .api_key("0123456789abcdef0123456789abcdef")
            .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
            .passphrase("testpassphrase"),
        Scheme::CoinbaseAdvancedHmac => {
            Credentials::new().api_key("4wRFpLxVyT8hZ2Qn").secret("kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA")
        }
        Scheme::Binance => Credentials::new()
            .api_key("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A")
            .secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"),
        Scheme::Bybit => Credentials::new().api_key("XXXXXXXXXX").secret("vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W"),
        Scheme::Bitget => Credentials::new()
            .api_key("bg_0123456789abcdef0123456789abcdef")
            .secret("f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1")
            .passphrase("Passphrase1#"),
        Scheme::Gate => Credentials::new()
            .api_key("a1a9d1abd6b184059827d73a31bed2a1")
            .secret("7dab7dd4d38c0b75bc0fd56c8ac2021690dcba6a6c494560b83c72abf26635fe"),
        _ => Credentials::new()
            .api_key("22222222-2222-4222-8222-222222222222")
            .secret("rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA=="),
    }
}

fn signer_and_account(scheme: Scheme) -> Result<(Arc<dyn Signer>, Account, &'static str), cexsign::Error> {
    let c = credentials(scheme);
    Ok(match scheme {
        Scheme::Okx => (
            Arc::new(OkxSigner::new(&c, OkxEnvironment::Live)?),
            Account::new(Scheme::Okx, &c, &KeySettings::new())?,
            "/api/v5/account/balance",
        ),
        Scheme::Kucoin => (
            Arc::new(KucoinSigner::new(&c, KucoinKeyVersion::V3)?),
            Account::new(Scheme::Kucoin, &c, &KeySettings::new().key_version(3))?,
            "/api/v1/accounts",
        ),
        Scheme::Delta => (
            Arc::new(DeltaSigner::new(&c)?),
            Account::new(Scheme::Delta, &c, &KeySettings::new())?,
            "/v2/wallet/balances",
        ),
        Scheme::CoinbaseExchange => (
            Arc::new(CoinbaseExchangeSigner::new(&c)?),
            Account::new(Scheme::CoinbaseExchange, &c, &KeySettings::new())?,
            "/accounts",
        ),
        Scheme::CoinbaseAdvancedHmac => (
            Arc::new(CoinbaseAdvancedHmacSigner::new(&c)?),
            Account::new(Scheme::CoinbaseAdvancedHmac, &c, &KeySettings::new())?,
            "/api/v3/brokerage/accounts",
        ),
        Scheme::Binance => (
            Arc::new(BinanceSigner::new(&c, BinanceKeyType::Hmac)?),
            Account::new(Scheme::Binance, &c, &KeySettings::new().key_type("HMAC"))?,
            "/api/v3/account",
        ),
        Scheme::Bybit => (
            Arc::new(BybitSigner::new(&c, BybitKeyType::Hmac)?),
            Account::new(Scheme::Bybit, &c, &KeySettings::new().key_type("HMAC"))?,
            "/v5/account/info",
        ),
        Scheme::Bitget => (
            Arc::new(BitgetSigner::new(&c)?),
            Account::new(Scheme::Bitget, &c, &KeySettings::new())?,
            "/api/v2/spot/account/info",
        ),
        Scheme::Gate => (
            Arc::new(GateSigner::new(&c)?),
            Account::new(Scheme::Gate, &c, &KeySettings::new())?,
            "/api/v4/spot/accounts",
        ),
        _ => (
            Arc::new(CoinbaseCdpSigner::new(&c)?),
            Account::new(Scheme::CoinbaseCdp, &c, &KeySettings::new())?,
            "/api/v3/brokerage/accounts",
        ),
    })
}

const SCHEMES: [Scheme; 10] = [
    Scheme::Okx,
    Scheme::Kucoin,
    Scheme::Delta,
    Scheme::CoinbaseExchange,
    Scheme::CoinbaseAdvancedHmac,
    Scheme::CoinbaseCdp,
    Scheme::Binance,
    Scheme::Bybit,
    Scheme::Bitget,
    Scheme::Gate,
];

/// Whether the local exchange accepted a request: its echo, not only a 200 (Bybit and Kraken
/// answer rejections with HTTP 200 too).
fn accepted(status: u16, body: &[u8]) -> bool {
    status == 200 && serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|echo| echo["cexsign"] == "accepted")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut exchange = LocalExchange::new().with_clock_offset_millis(AHEAD_MILLIS);
    let mut venues = Vec::new();
    for scheme in SCHEMES {
        let (signer, account, path) = signer_and_account(scheme)?;
        exchange = exchange.with_account(account);
        venues.push((scheme, signer, path));
    }
    let exchange = exchange.start().await?;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::builder().user_agent("cexsign-skew-example").build()?;
    println!("local exchange at {base}, its clock {} s ahead of this host's\n", AHEAD_MILLIS / 1000);

    let mut good = 0;
    for (scheme, signer, path) in &venues {
        let clock = OffsetClock::new();
        // A CDP token lives 120 s, so a 90 s skew is still inside it; 150 s is not.
        let skew = if *scheme == Scheme::CoinbaseCdp { 150_000 } else { AHEAD_MILLIS };
        exchange.set_clock_offset_millis(skew);

        let first = client.get(format!("{base}{path}")).build_signed(signer.as_ref(), clock.now()?)?;
        let response = client.execute(first).await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        let verdict = classify(*scheme, status, &body);
        // Show the exchange's own body, without the local exchange's diagnostics.
        let shown = match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Object(mut fields)) => {
                fields.retain(|name, _| !name.starts_with("cexsign_"));
                serde_json::Value::Object(fields).to_string()
            }
            _ => String::from_utf8_lossy(&body).into_owned(),
        };
        let kind = verdict.as_ref().map_or("accepted".to_owned(), |r| format!("{:?} -> {:?}", r.kind, r.next_step));
        println!("{:<22} unsynced: {status} {} [{kind}]", scheme.id(), shown.chars().take(90).collect::<String>());

        let started = Instant::now();
        let observed = sync(&client, &base, *scheme, &clock).await?;
        let took = started.elapsed();
        println!(
            "{:<22} synced once: offset {:+} ms (round trip {:?}, sync took {:.2} ms)",
            "",
            observed.offset_millis,
            observed.round_trip,
            took.as_secs_f64() * 1000.0
        );

        let mut accepted_after = 0;
        for _ in 0..3 {
            let request = client.get(format!("{base}{path}")).build_signed(signer.as_ref(), clock.now()?)?;
            let response = client.execute(request).await?;
            let status = response.status().as_u16();
            accepted_after += usize::from(accepted(status, &response.bytes().await?));
        }
        println!("{:<22} after sync: {accepted_after}/3 accepted\n", "");
        let rejected_first = !accepted(status, &body) && verdict.is_some();
        good += usize::from(rejected_first && accepted_after == 3 && (observed.offset_millis - skew).abs() < 1_000);
    }

    // The middleware does the same by itself: one rejected attempt, one resync, one fresh attempt
    // (Binance's retry re-appends a fresh timestamp and signature; Bybit rejects with HTTP 200).
    exchange.set_clock_offset_millis(AHEAD_MILLIS);
    for (scheme, signer, path) in
        venues.iter().filter(|(s, ..)| [Scheme::Okx, Scheme::Binance, Scheme::Bybit].contains(s))
    {
        let clock = Arc::new(OffsetClock::new());
        let client = reqwest_middleware::ClientBuilder::new(client.clone())
            .with(ResyncOnTimestampRejection::new(*scheme, base.clone(), Arc::clone(&clock)))
            .with(SigningMiddleware::from_arc(Arc::clone(signer), clock.clone()))
            .build();
        let before = exchange.requests_served();
        let response = client.get(format!("{base}{path}")).send().await?;
        let status = response.status().as_u16();
        let verdict = if accepted(status, &response.bytes().await?) { "accepted" } else { "rejected" };
        println!(
            "middleware ({}): {verdict} after {} requests to the exchange; clock offset now {:+} ms",
            scheme.id(),
            exchange.requests_served() - before,
            clock.offset_millis()
        );
    }

    println!("\n{good}/{} schemes: rejected before sync, accepted after one sync", SCHEMES.len());
    exchange.shutdown().await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    std::process::exit(if good == SCHEMES.len() { 0 } else { 1 });
}
