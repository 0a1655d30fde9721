//! Signing cost per scheme, next to two HMAC baselines over the same prehash bytes.
//!
//! - `sign/*`: the full `signer.sign(&request, at)` call (timestamp rendering, MAC, encoding and
//!   the header list), for a POST with a ~150-byte JSON body and a GET with a query.
//! - `floor/*`: the least any HMAC signer can do: clone a pre-keyed HMAC-SHA256 state, MAC the
//!   prehash, base64 the tag. No timestamp rendering, no headers.
//! - `peer_style/*`: how signers are commonly written today: `format!` the prehash into a
//!   `String`, key a new HMAC from the secret on every call, base64 into a new `String`. The
//!   timestamp string is handed in already rendered and no header is built, so this flatters
//!   the peer style. `peer_style/okx_post_with_headers` adds both, for a like-for-like figure.
//! - `parts/*`: timestamp rendering alone, the main piece of `sign` that the floor leaves out.
//!
//! The baselines are checked against the crate's own signature before anything is measured.
//!
//! Run with `cargo bench --bench sign`; `cargo bench --bench sign -- --test` runs each once.

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
#[cfg(feature = "cdp")]
use cexsign::{CdpKeyType, CoinbaseCdpSigner};
use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, KucoinKeyVersion, KucoinSigner,
    Method, OkxEnvironment, OkxSigner, SignOptions, SignableRequest, Signer, Timestamp, TimestampFormat,
};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};
use http::{HeaderName, HeaderValue};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// An OKX limit order (142 bytes).
const OKX_BODY: &str = r#"{"instId":"BTC-USDT","tdMode":"cash","clOrdId":"b15a1d2c8e4f4a7d9e0c3b6a5f8d2e1c","side":"buy","ordType":"limit","px":"30000.1","sz":"0.0001"}"#;
/// The KuCoin order from its docs (152 bytes).
const KUCOIN_BODY: &str = r#"{"symbol":"BTC-USDT","side":"buy","size":"0.0001","price":"30000","type":"limit","clientOid":"2b802154-8d31-42e6-88ea-c8c18d3e4822","tradeType":"TRADE"}"#;
/// A Delta limit order (152 bytes).
const DELTA_BODY: &str = r#"{"product_id":27,"product_symbol":"BTCUSD","size":10,"side":"buy","order_type":"limit_order","limit_price":"59000","client_order_id":"a1b2c3d4e5f6g7h8"}"#;
/// A Coinbase Exchange limit order (156 bytes).
const EXCHANGE_BODY: &str = r#"{"product_id":"BTC-USD","side":"buy","type":"limit","price":"30000.00","size":"0.0010","client_oid":"7e9b7b7a-5c3e-4d8a-9a61-2f4f1f0c9b21","post_only":true}"#;
/// A Coinbase Advanced Trade limit order (162 bytes), also used for the CDP keys.
const ADVANCED_BODY: &str = r#"{"client_order_id":"0f8c3e9a-2d1b-4a5e","product_id":"BTC-USD","side":"BUY","order_configuration":{"limit_limit_gtc":{"base_size":"0.001","limit_price":"30000"}}}"#;

const OKX_API_KEY: &str = "985d5b66-57ce-40fb-b714-afc0b9787083";
const OKX_SECRET: &str = "22582BD0CFF14C41EDBF1AB98506286D";
const OKX_PASSPHRASE: &str = "Passphrase1!";
const EXCHANGE_SECRET: &str =
    "3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==";
#[cfg(feature = "cdp")]
const ED25519_SECRET: &str = "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==";
#[cfg(feature = "cdp")]
const ES256_KEY_NAME: &str =
    "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111";
#[cfg(feature = "cdp")]
const ES256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49
AwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR
s8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==
-----END EC PRIVATE KEY-----
";

/// 2023-11-14T22:13:20.123Z.
const AT: Timestamp = Timestamp::from_unix_millis(1_700_000_000_123);

fn signers() -> Vec<(&'static str, Box<dyn Signer>, &'static str)> {
    let okx = OkxSigner::new(
        &Credentials::new().api_key(OKX_API_KEY).secret(OKX_SECRET).passphrase(OKX_PASSPHRASE),
        OkxEnvironment::Live,
    );
    let kucoin = KucoinSigner::new(
        &Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111"),
        KucoinKeyVersion::V3,
    );
    let delta = DeltaSigner::new(
        &Credentials::new()
            .api_key("a207900b7693435a8fa9230a38195d")
            .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f"),
    );
    let exchange = CoinbaseExchangeSigner::new(
        &Credentials::new()
            .api_key("0123456789abcdef0123456789abcdef")
            .secret(EXCHANGE_SECRET)
            .passphrase("testpassphrase"),
    )
    .and_then(|s| s.with_fraction_digits(3));
    let advanced = CoinbaseAdvancedHmacSigner::new(
        &Credentials::new().api_key("4wRFpLxVyT8hZ2Qn").secret("kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA"),
    );
    let mut signers = vec![
        ("okx", Box::new(okx.expect("OKX credentials")) as Box<dyn Signer>, OKX_BODY),
        ("kucoin_v3", Box::new(kucoin.expect("KuCoin credentials")), KUCOIN_BODY),
        ("delta", Box::new(delta.expect("Delta credentials")), DELTA_BODY),
        ("coinbase_exchange", Box::new(exchange.expect("Coinbase Exchange credentials")), EXCHANGE_BODY),
        ("coinbase_advanced_hmac", Box::new(advanced.expect("Coinbase Advanced credentials")), ADVANCED_BODY),
    ];
    signers.extend(cdp_signers());
    signers
}

#[cfg(feature = "cdp")]
fn cdp_signers() -> Vec<(&'static str, Box<dyn Signer>, &'static str)> {
    let es256 = CoinbaseCdpSigner::new(&Credentials::new().api_key(ES256_KEY_NAME).secret(ES256_PEM));
    let eddsa = CoinbaseCdpSigner::new(
        &Credentials::new().api_key("22222222-2222-4222-8222-222222222222").secret(ED25519_SECRET),
    );
    let es256 = es256.expect("ES256 key from AUTH.md");
    let eddsa = eddsa.expect("Ed25519 key from AUTH.md");
    assert_eq!(es256.key_type(), CdpKeyType::Es256);
    assert_eq!(eddsa.key_type(), CdpKeyType::EdDsa);
    // A fresh random nonce per token, as in real use.
    vec![("cdp_es256", Box::new(es256), ADVANCED_BODY), ("cdp_eddsa", Box::new(eddsa), ADVANCED_BODY)]
}

/// Without the `cdp` feature only the HMAC schemes are measured.
#[cfg(not(feature = "cdp"))]
fn cdp_signers() -> Vec<(&'static str, Box<dyn Signer>, &'static str)> {
    Vec::new()
}

/// The POST and the GET each scheme is measured on, with the paths its API uses.
fn requests(scheme: &str, body: &'static str) -> (SignableRequest<'static>, SignableRequest<'static>) {
    let (post_path, get_path, query) = match scheme {
        "okx" => ("/api/v5/trade/order", "/api/v5/trade/orders-pending", "instType=SPOT&instId=BTC-USDT&limit=100"),
        "kucoin_v3" => ("/api/v1/orders", "/api/v1/orders", "status=active&symbol=BTC-USDT&tradeType=TRADE"),
        "delta" => ("/v2/orders", "/v2/orders", "product_ids=27&states=open,pending&page_size=100"),
        "coinbase_exchange" => ("/orders", "/orders", "status=open&product_id=BTC-USD&limit=100"),
        _ => ("/api/v3/brokerage/orders", "/api/v3/brokerage/orders/historical/batch", "product_ids=BTC-USD&limit=100"),
    };
    let post = SignableRequest::new(Method::Post, post_path).expect("valid path").with_body(body.as_bytes());
    let get = SignableRequest::new(Method::Get, get_path).and_then(|r| r.with_query(query)).expect("valid GET");
    (post, get)
}

/// The floor: a pre-keyed state cloned per call, base64 into a stack buffer.
fn floor_hmac_b64(keyed: &HmacSha256, prehash: &[u8]) -> [u8; 44] {
    let mut mac = keyed.clone();
    mac.update(prehash);
    let tag = mac.finalize().into_bytes();
    let mut out = [0u8; 44];
    let written = base64::engine::general_purpose::STANDARD
        .encode_slice(tag.as_slice(), &mut out)
        .expect("44 bytes hold the base64 of 32");
    debug_assert_eq!(written, 44);
    out
}

/// The peer style: `format!` the prehash, re-key per call, base64 into a new `String`.
fn peer_style_okx(secret: &str, timestamp: &str, method: &str, path: &str, query: &str, body: &str) -> String {
    let prehash = if query.is_empty() {
        format!("{timestamp}{method}{path}{body}")
    } else {
        format!("{timestamp}{method}{path}?{query}{body}")
    };
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(prehash.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The peer style doing the rest of what `sign` does: render the ISO timestamp and build the same
/// four header values (the passphrase marked sensitive).
fn peer_style_okx_with_headers(
    credentials: [&str; 3],
    at: Timestamp,
    request: [&str; 4],
) -> (Vec<(HeaderName, HeaderValue)>, String, String) {
    let [api_key, secret, passphrase] = credentials;
    let [method, path, query, body] = request;
    let since = at.duration_since_epoch();
    let secs = i64::try_from(since.as_secs()).expect("in range");
    let t = time::OffsetDateTime::from_unix_timestamp(secs).expect("in range");
    let timestamp = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        since.subsec_millis()
    );
    let signature = peer_style_okx(secret, &timestamp, method, path, query, body);
    let mut passphrase = HeaderValue::from_str(passphrase).expect("visible ASCII");
    passphrase.set_sensitive(true);
    let headers = vec![
        (HeaderName::from_static("ok-access-key"), HeaderValue::from_str(api_key).expect("visible ASCII")),
        (HeaderName::from_static("ok-access-sign"), HeaderValue::from_str(&signature).expect("base64")),
        (HeaderName::from_static("ok-access-timestamp"), HeaderValue::from_str(&timestamp).expect("ISO")),
        (HeaderName::from_static("ok-access-passphrase"), passphrase),
    ];
    (headers, timestamp, signature)
}

fn bench_sign(c: &mut Criterion) {
    let signers = signers();
    let mut group = c.benchmark_group("sign");
    for (scheme, signer, body) in &signers {
        let (post, get) = requests(scheme, body);
        for (kind, request) in [("post", post), ("get", get)] {
            // Signing must work before it is timed.
            signer.sign(&request, AT).expect("signs");
            group.bench_function(format!("{scheme}_{kind}"), |b| {
                b.iter(|| signer.sign(black_box(&request), black_box(AT)).expect("signs"))
            });
        }
    }
    group.finish();
}

fn bench_baselines(c: &mut Criterion) {
    let okx = &signers()[0];
    assert_eq!(okx.0, "okx");
    let (post, get) = requests(okx.0, okx.2);
    let keyed = HmacSha256::new_from_slice(OKX_SECRET.as_bytes()).expect("HMAC takes any key length");
    let kept = SignOptions::new().keep_prehash();

    let mut floor = c.benchmark_group("floor");
    let mut peer = Vec::new();
    for (kind, request) in [("post", post), ("get", get)] {
        // The baselines MAC exactly the bytes the crate MACs, and agree with it.
        let signed = okx.1.sign_with(&request, AT, &kept).expect("signs");
        let prehash = signed.prehash().expect("kept").as_bytes().to_vec();
        assert_eq!(floor_hmac_b64(&keyed, &prehash).as_slice(), signed.signature().as_bytes());
        let body = std::str::from_utf8(request.body()).expect("UTF-8 body");
        let (method, path, query) = (request.method().as_str(), request.path(), request.query());
        let peer_signature = peer_style_okx(OKX_SECRET, signed.timestamp(), method, path, query, body);
        assert_eq!(peer_signature, signed.signature());

        let name = if kind == "post" { "hmac_b64".to_owned() } else { format!("hmac_b64_{kind}") };
        floor.bench_function(name, |b| b.iter(|| floor_hmac_b64(black_box(&keyed), black_box(&prehash))));
        let (headers, _, _) =
            peer_style_okx_with_headers([OKX_API_KEY, OKX_SECRET, OKX_PASSPHRASE], AT, [method, path, query, body]);
        let ours: Vec<_> = signed.headers().map(|(n, v)| (n.clone(), v.clone())).collect();
        assert_eq!(headers, ours);
        peer.push((kind, signed.timestamp().to_owned(), method, path, query, body));
    }
    floor.finish();

    let mut group = c.benchmark_group("peer_style");
    for (kind, timestamp, method, path, query, body) in &peer {
        group.bench_function(format!("okx_{kind}"), |b| {
            b.iter(|| {
                peer_style_okx(
                    black_box(OKX_SECRET),
                    black_box(timestamp),
                    black_box(method),
                    black_box(path),
                    black_box(query),
                    black_box(body),
                )
            })
        });
    }
    let (_, _, method, path, query, body) = peer[0];
    group.bench_function("okx_post_with_headers", |b| {
        b.iter(|| {
            peer_style_okx_with_headers(
                black_box([OKX_API_KEY, OKX_SECRET, OKX_PASSPHRASE]),
                black_box(AT),
                black_box([method, path, query, body]),
            )
        })
    });
    group.finish();

    // Pieces of `sign` that the HMAC floor leaves out.
    let mut parts = c.benchmark_group("parts");
    parts.bench_function("render_iso8601_millis", |b| {
        b.iter(|| TimestampFormat::Iso8601Millis.render(black_box(AT)).expect("in range"))
    });
    parts.bench_function("render_unix_secs", |b| {
        b.iter(|| TimestampFormat::UnixSeconds.render(black_box(AT)).expect("in range"))
    });
    parts.finish();
}

fn config() -> Criterion {
    Criterion::default().measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_sign, bench_baselines
}
criterion_main!(benches);
