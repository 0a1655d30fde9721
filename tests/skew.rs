//! Clock skew and retries through real HTTP on loopback: the local exchange runs ahead of the
//! host, the classifier names the rejection, one sync fixes it, and every retry is signed afresh
//! when the retry is registered outside the signer.

#![cfg(feature = "middleware")]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cexsign::client::{RequestBuilderExt, sync};
use cexsign::clock::{Clock, OffsetClock};
use cexsign::middleware::{ResyncOnTimestampRejection, SigningMiddleware};
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{
    BinanceKeyType, BinanceSigner, BitgetSigner, BybitKeyType, BybitSigner, CoinbaseAdvancedHmacSigner,
    CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, Error, GateSigner, KeySettings,
    KucoinKeyVersion, KucoinSigner, OkxEnvironment, OkxSigner, Scheme, Signer, Timestamp,
};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use http::Extensions;
use reqwest_middleware::{Middleware, Next};

struct Venue {
    scheme: Scheme,
    signer: Arc<dyn Signer>,
    path: &'static str,
}

fn venues_and_exchange() -> (Vec<Venue>, LocalExchange) {
    let okx = Credentials::new().api_key("okx-key").secret("22582BD0CFF14C41EDBF1AB98506286D").passphrase("pass");
    let kucoin = || Credentials::new().api_key("kucoin-key").secret("kucoin-secret").passphrase("pass");
    let delta = || Credentials::new().api_key("delta-key").secret("delta-secret");
    let exchange = || {
        Credentials::new()
            .api_key("cbx-key")
            .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
            .passphrase("pass")
    };
    let legacy = || Credentials::new().api_key("legacy-key").secret("legacy-secret");
    let cdp = || {
        Credentials::new()
            .api_key("22222222-2222-4222-8222-222222222222")
            .secret("rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==")
    };
    let binance = || {
        Credentials::new()
            .api_key("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A")
            .secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
    };
    let bybit = || Credentials::new().api_key("XXXXXXXXXX").secret("vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W");
    let bitget = || {
        Credentials::new()
            .api_key("bg_0123456789abcdef0123456789abcdef")
            .secret("f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1")
            .passphrase("Passphrase1#")
    };
    let gate = || Credentials::new().api_key("gate-key").secret("gate-secret");
    let local = LocalExchange::new()
        .with_account(Account::new(Scheme::Okx, &okx, &KeySettings::new()).unwrap())
        .with_account(Account::new(Scheme::Kucoin, &kucoin(), &KeySettings::new().key_version(3)).unwrap())
        .with_account(Account::new(Scheme::Delta, &delta(), &KeySettings::new()).unwrap())
        .with_account(Account::new(Scheme::CoinbaseExchange, &exchange(), &KeySettings::new()).unwrap())
        .with_account(Account::new(Scheme::CoinbaseAdvancedHmac, &legacy(), &KeySettings::new()).unwrap())
        .with_account(Account::new(Scheme::CoinbaseCdp, &cdp(), &KeySettings::new()).unwrap())
        .with_account(Account::new(Scheme::Binance, &binance(), &KeySettings::new().key_type("HMAC")).unwrap())
        .with_account(Account::new(Scheme::Bybit, &bybit(), &KeySettings::new().key_type("HMAC")).unwrap())
        .with_account(Account::new(Scheme::Bitget, &bitget(), &KeySettings::new()).unwrap())
        .with_account(Account::new(Scheme::Gate, &gate(), &KeySettings::new()).unwrap());
    let v = |scheme, signer: Arc<dyn Signer>, path| Venue { scheme, signer, path };
    let venues = vec![
        v(Scheme::Okx, Arc::new(OkxSigner::new(&okx, OkxEnvironment::Live).unwrap()), "/api/v5/account/balance"),
        v(Scheme::Kucoin, Arc::new(KucoinSigner::new(&kucoin(), KucoinKeyVersion::V3).unwrap()), "/api/v1/accounts"),
        v(Scheme::Delta, Arc::new(DeltaSigner::new(&delta()).unwrap()), "/v2/wallet/balances"),
        v(Scheme::CoinbaseExchange, Arc::new(CoinbaseExchangeSigner::new(&exchange()).unwrap()), "/accounts"),
        v(
            Scheme::CoinbaseAdvancedHmac,
            Arc::new(CoinbaseAdvancedHmacSigner::new(&legacy()).unwrap()),
            "/api/v3/brokerage/accounts",
        ),
        v(Scheme::CoinbaseCdp, Arc::new(CoinbaseCdpSigner::new(&cdp()).unwrap()), "/api/v3/brokerage/accounts"),
        // Kraken has no time window (only an increasing nonce): no skew can get it rejected.
        v(Scheme::Binance, Arc::new(BinanceSigner::new(&binance(), BinanceKeyType::Hmac).unwrap()), "/api/v3/account"),
        v(Scheme::Bybit, Arc::new(BybitSigner::new(&bybit(), BybitKeyType::Hmac).unwrap()), "/v5/account/info"),
        v(Scheme::Bitget, Arc::new(BitgetSigner::new(&bitget()).unwrap()), "/api/v2/spot/account/info"),
        v(Scheme::Gate, Arc::new(GateSigner::new(&gate()).unwrap()), "/api/v4/spot/accounts"),
    ];
    (venues, local)
}

/// Skew that each scheme must reject: 90 s, except CDP, whose 120 s token still covers 90 s.
fn rejected_skew(scheme: Scheme) -> i64 {
    if scheme == Scheme::CoinbaseCdp { 150_000 } else { 90_000 }
}

/// Whether the local exchange accepted: its echo, not only a 200 (Bybit rejects with HTTP 200).
async fn accepted(response: reqwest::Response) -> bool {
    let status = response.status();
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or_default();
    status == 200 && body["cexsign"] == "accepted"
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().user_agent("cexsign-tests").build().unwrap()
}

#[tokio::test]
async fn without_sync_the_verdict_is_the_timestamp_not_the_signature() {
    let (venues, local) = venues_and_exchange();
    let exchange = local.start().await.unwrap();
    let client = client();
    for venue in &venues {
        exchange.set_clock_offset_millis(rejected_skew(venue.scheme));
        let url = format!("{}{}", exchange.base_url(), venue.path);
        let request = client.get(url).build_signed(venue.signer.as_ref(), Timestamp::now().unwrap()).unwrap();
        let response = client.execute(request).await.unwrap();
        let status = response.status().as_u16();
        let reason =
            response.headers().get("cexsign-reason").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let body = response.bytes().await.unwrap();
        let rejection = classify(venue.scheme, status, &body).expect("a rejection");
        match venue.scheme {
            // Coinbase answers a bare `Unauthorized`: the client cannot tell, the local exchange
            // says why in its diagnostic header.
            Scheme::CoinbaseCdp | Scheme::CoinbaseAdvancedHmac => {
                assert!(
                    matches!(rejection.kind, RejectionKind::Unspecified | RejectionKind::KeyExpiredOrLegacy),
                    "{:?}",
                    rejection
                );
                assert!(reason.contains("behind the server clock") || reason.contains("exp"), "{reason}");
            }
            _ => assert_eq!(rejection.kind, RejectionKind::TimestampOutsideWindow, "{:?}", venue.scheme),
        }
        assert_ne!(rejection.kind, RejectionKind::InvalidSignature);
    }
}

#[tokio::test]
async fn one_sync_fixes_a_server_90_seconds_ahead_for_every_scheme() {
    let (venues, local) = venues_and_exchange();
    let exchange = local.start().await.unwrap();
    let client = client();
    for venue in &venues {
        let skew = rejected_skew(venue.scheme);
        exchange.set_clock_offset_millis(skew);
        let clock = OffsetClock::new();
        let observed = sync(&client, exchange.base_url(), venue.scheme, &clock).await.unwrap();
        // Loopback round trips are well under the bound, so the midpoint is within a few ms.
        assert!((observed.offset_millis - skew).abs() < 250, "{:?}: {observed:?}", venue.scheme);
        for _ in 0..3 {
            let url = format!("{}{}", exchange.base_url(), venue.path);
            let request = client.get(url).build_signed(venue.signer.as_ref(), clock.now().unwrap()).unwrap();
            assert!(accepted(client.execute(request).await.unwrap()).await, "{:?}", venue.scheme);
        }
    }
}

#[tokio::test]
async fn the_resync_middleware_recovers_with_exactly_one_extra_attempt() {
    let (venues, local) = venues_and_exchange();
    let exchange = local.start().await.unwrap();
    for venue in &venues {
        exchange.set_clock_offset_millis(rejected_skew(venue.scheme));
        let clock = Arc::new(OffsetClock::new());
        let client = reqwest_middleware::ClientBuilder::new(client())
            .with(ResyncOnTimestampRejection::new(venue.scheme, exchange.base_url(), Arc::clone(&clock)))
            .with(SigningMiddleware::from_arc(Arc::clone(&venue.signer), clock.clone()))
            .build();
        let before = exchange.requests_served();
        let response = client.get(format!("{}{}", exchange.base_url(), venue.path)).send().await.unwrap();
        assert!(accepted(response).await, "{:?}", venue.scheme);
        // rejected attempt + server-time request + fresh attempt
        assert_eq!(exchange.requests_served() - before, 3, "{:?}", venue.scheme);
        // Now synced: the next request goes through first time.
        let before = exchange.requests_served();
        let response = client.get(format!("{}{}", exchange.base_url(), venue.path)).send().await.unwrap();
        assert_eq!(exchange.requests_served() - before, 1, "{:?}", venue.scheme);
        assert!(accepted(response).await, "{:?}", venue.scheme);
    }
}

#[tokio::test]
async fn the_resync_middleware_leaves_other_rejections_alone() {
    let (venues, local) = venues_and_exchange();
    let exchange = local.start().await.unwrap();
    let okx = &venues[0];
    let clock = Arc::new(OffsetClock::new());
    let client = reqwest_middleware::ClientBuilder::new(client())
        .with(ResyncOnTimestampRejection::new(Scheme::Okx, exchange.base_url(), Arc::clone(&clock)))
        .with(SigningMiddleware::from_arc(Arc::clone(&okx.signer), clock.clone()))
        .build();
    // A demo header on a live key: 50101, not a clock problem; one attempt, body intact.
    let before = exchange.requests_served();
    let response = client
        .get(format!("{}/api/v5/account/balance", exchange.base_url()))
        .header("x-simulated-trading", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(exchange.requests_served() - before, 1);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "50101");
    assert!(!clock.is_synced());
}

/// A clock that moves one second forward on every read, so even whole-second schemes give each
/// attempt its own timestamp.
#[derive(Debug)]
struct SteppingClock(AtomicU64);

impl Clock for SteppingClock {
    fn now(&self) -> Result<Timestamp, Error> {
        Ok(Timestamp::from_unix_secs(self.0.fetch_add(1, Ordering::SeqCst)))
    }
}

/// Retries once on a 503, like any generic retry layer.
struct RetryOn503;

#[async_trait::async_trait]
impl Middleware for RetryOn503 {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let replay = request.try_clone().unwrap();
        let response = next.clone().run(request, extensions).await?;
        if response.status() == 503 { next.run(replay, extensions).await } else { Ok(response) }
    }
}

async fn timestamps_seen_with(
    exchange: &RunningExchange,
    venue: &Venue,
    retry_outside_signing: bool,
) -> (u16, Vec<String>) {
    let clock: Arc<dyn Clock> = Arc::new(SteppingClock(AtomicU64::new(Timestamp::now().unwrap().unix_secs() - 2)));
    let signing = SigningMiddleware::from_arc(Arc::clone(&venue.signer), clock);
    let builder = reqwest_middleware::ClientBuilder::new(client());
    let client = if retry_outside_signing {
        builder.with(RetryOn503).with(signing)
    } else {
        builder.with(signing).with(RetryOn503)
    }
    .build();
    let seen_before = exchange.verified_requests().len();
    exchange.inject_failures(1, http::StatusCode::SERVICE_UNAVAILABLE);
    let status = client.get(format!("{}{}", exchange.base_url(), venue.path)).send().await.unwrap().status().as_u16();
    let seen = exchange.verified_requests()[seen_before..]
        .iter()
        .map(|echo| echo["timestamp"].as_str().unwrap_or_default().to_owned())
        .collect();
    (status, seen)
}

#[tokio::test]
async fn a_forced_503_then_200_arrives_as_two_requests_with_two_timestamps_both_valid() {
    let (venues, local) = venues_and_exchange();
    let exchange = local.start().await.unwrap();
    for venue in &venues {
        let (status, seen) = timestamps_seen_with(&exchange, venue, true).await;
        assert_eq!(status, 200, "{:?}", venue.scheme);
        // Both attempts were verified by the server (the first then answered 503 anyway) ...
        assert_eq!(seen.len(), 2, "{:?}: {seen:?}", venue.scheme);
        // ... and each carried its own timestamp.
        assert_ne!(seen[0], seen[1], "{:?}", venue.scheme);
    }
}

#[tokio::test]
async fn a_retry_registered_inside_signing_resends_the_stale_signature() {
    let (venues, local) = venues_and_exchange();
    let exchange = local.start().await.unwrap();
    let (status, seen) = timestamps_seen_with(&exchange, &venues[0], false).await;
    assert_eq!(status, 200);
    assert_eq!(seen.len(), 2);
    // The wrong order replays the first attempt's timestamp: fine within 30 s here, a rejection
    // once the window has passed (or on a 5 s exchange after a backoff).
    assert_eq!(seen[0], seen[1]);
}
