//! Load on loopback: 64 concurrent tasks share one signer per scheme and send requests through
//! one reqwest client to the local exchange, which verifies every one of them.
//!
//! Every request has its own body and query (task and sequence number) and is signed at its own
//! `Timestamp::now()`, so the server's check proves that each signature covers that request's
//! body and timestamp — a signer shared between tasks never mixes two requests up. The server's
//! echo is compared with what was signed, the server's counters must show zero rejections, and
//! the whole run is bounded by a timeout (no deadlock).
//!
//! Task `t` sends its `i`-th request with signer `(t + i) % 7`: OKX, KuCoin v3, Delta, Coinbase
//! Exchange, Coinbase Advanced (legacy HMAC), and Coinbase CDP with an Ed25519 and an ES256 key.
//!
//! This is the issue's full load, 64 tasks × 2,000 requests = 128,000 requests, in CI too: about
//! 40 s in a debug build on two cores (3,200-3,500 requests/s), 4.5 s in release (28,000/s).
//! The rate is printed with `--nocapture`:
//!
//! ```sh
//! cargo test --release --test load -- --nocapture
//! ```

#![cfg(feature = "reqwest")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use cexsign::client::ReqwestSigner as _;
use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, KeySettings,
    KucoinKeyVersion, KucoinSigner, OkxEnvironment, OkxSigner, Scheme, Signer, Timestamp,
};
use cexsign_local_exchange::{Account, LocalExchange};
use serde_json::Value;

/// Concurrent tasks.
const TASKS: usize = 64;
/// Requests per task: 64 × 2,000 = 128,000 requests.
const REQUESTS_PER_TASK: usize = 2_000;
/// Far beyond a debug run with both cores busy with other work (about 100 s).
const DEADLINE: Duration = Duration::from_secs(300);

const ES256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49\nAwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR\ns8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==\n-----END EC PRIVATE KEY-----\n";

/// The credentials of each venue, with the path prefix its exchange uses.
fn keys() -> Vec<(&'static str, &'static str, Credentials)> {
    vec![
        (
            "okx",
            "/api/v5/trade",
            Credentials::new()
                .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
                .secret("22582BD0CFF14C41EDBF1AB98506286D")
                .passphrase("Passphrase1!"),
        ),
        (
            "kucoin",
            "/api/v1",
            Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111"),
        ),
        (
            "delta",
            "/v2",
            Credentials::new()
                .api_key("a207900b7693435a8fa9230a38195d")
                .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f"),
        ),
        (
            "coinbase exchange",
            "",
            Credentials::new()
                .api_key("0123456789abcdef0123456789abcdef")
                .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
                .passphrase("testpassphrase"),
        ),
        (
            "coinbase advanced (legacy)",
            "/api/v3/brokerage",
            Credentials::new().api_key("4wRFpLxVyT8hZ2Qn").secret("kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA"),
        ),
        (
            "coinbase cdp ed25519",
            "/api/v3/brokerage",
            Credentials::new()
                .api_key("22222222-2222-4222-8222-222222222222")
                .secret("rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA=="),
        ),
        (
            "coinbase cdp es256",
            "/api/v3/brokerage",
            Credentials::new()
                .api_key(
                    "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111",
                )
                .secret(ES256_PEM),
        ),
    ]
}

struct Venue {
    name: &'static str,
    prefix: &'static str,
    signer: Box<dyn Signer>,
}

/// What a run measured.
struct Measured {
    requests: usize,
    elapsed: Duration,
}

async fn load(requests_per_task: usize, deadline: Duration) -> Measured {
    let mut exchange = LocalExchange::new().with_cdp_host_alias("api.coinbase.com");
    let mut venues = Vec::new();
    for (name, prefix, credentials) in keys() {
        let (account, signer): (Account, Box<dyn Signer>) = match name {
            "okx" => (
                Account::new(Scheme::Okx, &credentials, &KeySettings::new()).unwrap(),
                Box::new(OkxSigner::new(&credentials, OkxEnvironment::Live).unwrap()),
            ),
            "kucoin" => (
                Account::new(Scheme::Kucoin, &credentials, &KeySettings::new().key_version(3)).unwrap(),
                Box::new(KucoinSigner::new(&credentials, KucoinKeyVersion::V3).unwrap()),
            ),
            "delta" => (
                Account::new(Scheme::Delta, &credentials, &KeySettings::new()).unwrap(),
                Box::new(DeltaSigner::new(&credentials).unwrap()),
            ),
            "coinbase exchange" => (
                Account::new(Scheme::CoinbaseExchange, &credentials, &KeySettings::new()).unwrap(),
                Box::new(CoinbaseExchangeSigner::new(&credentials).unwrap().with_fraction_digits(3).unwrap()),
            ),
            "coinbase advanced (legacy)" => (
                Account::new(Scheme::CoinbaseAdvancedHmac, &credentials, &KeySettings::new()).unwrap(),
                Box::new(CoinbaseAdvancedHmacSigner::new(&credentials).unwrap()),
            ),
            _ => (
                Account::new(Scheme::CoinbaseCdp, &credentials, &KeySettings::new()).unwrap(),
                Box::new(CoinbaseCdpSigner::new(&credentials).unwrap()),
            ),
        };
        exchange = exchange.with_account(account);
        venues.push(Venue { name, prefix, signer });
    }
    let exchange = exchange.start().await.unwrap();
    let venues = Arc::new(venues);
    let client = reqwest::Client::builder()
        .user_agent("cexsign-load-test") // Delta's CDN wants one
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let base_url: Arc<str> = exchange.base_url().into();

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let (venues, client, base_url) = (Arc::clone(&venues), client.clone(), Arc::clone(&base_url));
        tasks.spawn(async move {
            for seq in 0..requests_per_task {
                let venue = &venues[(task + seq) % venues.len()];
                // Unique per request: the body, the query and (mostly) the timestamp.
                let body = format!(r#"{{"task":{task},"seq":{seq},"side":"buy","sz":"0.001"}}"#);
                let query = format!("task={task}&seq={seq}");
                let url = format!("{base_url}{}/orders?{query}", venue.prefix);
                let mut request = client.post(url).body(body.clone()).build().unwrap();
                let signed = venue.signer.sign_reqwest(&mut request, Timestamp::now().unwrap()).unwrap();
                let response = client.execute(request).await.unwrap();
                let status = response.status().as_u16();
                let text = response.text().await.unwrap();
                assert_eq!(status, 200, "{}: task {task} request {seq} rejected: {text}", venue.name);
                // The server verified the signature over what it received; its echo says what
                // that was: this request's own body, query and timestamp.
                let echo: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(echo["cexsign"], "accepted", "{}: {text}", venue.name);
                assert_eq!(echo["body_bytes"], body.len(), "{}: {text}", venue.name);
                assert_eq!(echo["query"], query.as_str(), "{}: {text}", venue.name);
                assert_eq!(echo["timestamp"], signed.timestamp(), "{}: {text}", venue.name);
            }
            requests_per_task
        });
    }
    let sent = tokio::time::timeout(deadline, async {
        let mut sent = 0;
        while let Some(done) = tasks.join_next().await {
            sent += done.expect("a load task failed");
        }
        sent
    })
    .await
    .unwrap_or_else(|_| panic!("the load did not finish within {deadline:?}: deadlock or starvation"));
    let elapsed = started.elapsed();

    assert_eq!(sent, TASKS * requests_per_task);
    assert_eq!(exchange.requests_rejected(), 0, "the local exchange rejected requests");
    assert_eq!(exchange.requests_accepted(), sent as u64, "every request was verified and accepted");
    exchange.shutdown().await;
    Measured { requests: sent, elapsed }
}

#[tokio::test(flavor = "multi_thread")]
async fn sixty_four_tasks_share_one_signer_per_scheme_for_128_000_requests() {
    let measured = load(REQUESTS_PER_TASK, DEADLINE).await;
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let rate = measured.requests as f64 / measured.elapsed.as_secs_f64();
    println!(
        "load: {} requests ({TASKS} tasks) in {:.2} s: {rate:.0} requests/s ({profile} build), zero rejected",
        measured.requests,
        measured.elapsed.as_secs_f64()
    );
}
