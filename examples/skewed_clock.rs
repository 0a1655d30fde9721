//! A host clock that is 90 s behind the exchange: the first signed request is rejected with the
//! exchange's timestamp error, the client syncs once from the server-time endpoint, and every
//! later request is accepted. Then the same through the middleware, which does it by itself.
//!
//! ```text
//! cargo run --example skewed_clock --features middleware
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use cexsign::client::{RequestBuilderExt, sync};
use cexsign::clock::{Clock, OffsetClock};
use cexsign::local_exchange::{Account, LocalExchange};
use cexsign::middleware::{ResyncOnTimestampRejection, SigningMiddleware};
use cexsign::rejection::classify;
use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, KucoinKeyVersion,
    KucoinSigner, OkxEnvironment, OkxSigner, Scheme, Signer,
};

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
            Account::okx(&c, OkxEnvironment::Live)?,
            "/api/v5/account/balance",
        ),
        Scheme::Kucoin => (
            Arc::new(KucoinSigner::new(&c, KucoinKeyVersion::V3)?),
            Account::kucoin(&c, KucoinKeyVersion::V3)?,
            "/api/v1/accounts",
        ),
        Scheme::Delta => (Arc::new(DeltaSigner::new(&c)?), Account::delta(&c)?, "/v2/wallet/balances"),
        Scheme::CoinbaseExchange => {
            (Arc::new(CoinbaseExchangeSigner::new(&c)?), Account::coinbase_exchange(&c)?, "/accounts")
        }
        Scheme::CoinbaseAdvancedHmac => (
            Arc::new(CoinbaseAdvancedHmacSigner::new(&c)?),
            Account::coinbase_advanced_hmac(&c)?,
            "/api/v3/brokerage/accounts",
        ),
        _ => (Arc::new(CoinbaseCdpSigner::new(&c)?), Account::coinbase_cdp(&c)?, "/api/v3/brokerage/accounts"),
    })
}

const SCHEMES: [Scheme; 6] = [
    Scheme::Okx,
    Scheme::Kucoin,
    Scheme::Delta,
    Scheme::CoinbaseExchange,
    Scheme::CoinbaseAdvancedHmac,
    Scheme::CoinbaseCdp,
];

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

        let mut accepted = 0;
        for _ in 0..3 {
            let request = client.get(format!("{base}{path}")).build_signed(signer.as_ref(), clock.now()?)?;
            accepted += usize::from(client.execute(request).await?.status().is_success());
        }
        println!("{:<22} after sync: {accepted}/3 accepted\n", "");
        good += usize::from(status != 200 && accepted == 3 && (observed.offset_millis - skew).abs() < 1_000);
    }

    // The middleware does the same by itself: one rejected attempt, one resync, one fresh attempt.
    exchange.set_clock_offset_millis(AHEAD_MILLIS);
    let clock = Arc::new(OffsetClock::new());
    let (_, signer, path) = &venues[0];
    let client = reqwest_middleware::ClientBuilder::new(client.clone())
        .with(ResyncOnTimestampRejection::new(Scheme::Okx, base.clone(), Arc::clone(&clock)))
        .with(SigningMiddleware::from_arc(Arc::clone(signer), clock.clone()))
        .build();
    let before = exchange.requests_served();
    let response = client.get(format!("{base}{path}")).send().await?;
    println!(
        "middleware (okx): {} after {} requests to the exchange; clock offset now {:+} ms",
        response.status(),
        exchange.requests_served() - before,
        clock.offset_millis()
    );

    println!("\n{good}/6 schemes: rejected before sync, accepted after one sync");
    exchange.shutdown().await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    std::process::exit(if good == 6 { 0 } else { 1 });
}
