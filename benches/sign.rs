//! What one `sign` costs, per scheme and input, next to the floor and to the way signers are
//! commonly written today, all over the identical prehash bytes in the same run.
//!
//! Groups are `<scheme>/<input>`; inputs are `get_query` (a GET with a 4-parameter query),
//! `post_order` (a ~200-byte order body) and `batch_4k` (a ~4 KB batch body). In each group:
//!
//! - `floor`: the least any signer can do. HMAC schemes: clone a pre-keyed HMAC-SHA256 state,
//!   update with the prehash, finalize (no encoding, no headers). CDP: the bare signature with the
//!   key parsed once (ring for ES256, ed25519-dalek for Ed25519).
//! - `peer_style`: `format!` the prehash, key a new HMAC from the secret, hex/base64 into a new
//!   `String` — how today's crates do it. CDP: parse the PEM/base64 key on every call, then sign.
//! - `cexsign`: the full `Signer::sign` call, returning the header values.
//!
//! Each floor is checked against the crate's own prehash before anything is measured, so the
//! three rows hash the same bytes. `throughput/*` signs with one shared signer from 1 and 2
//! threads.
//!
//! `cargo bench --bench sign` (full) or `cargo bench --bench sign -- --quick` (about a minute).

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use cexsign::{
    CdpKeyType, CoinbaseAdvancedHmacSigner, CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner,
    KucoinKeyVersion, KucoinSigner, Method, OkxEnvironment, OkxSigner, SignOptions, SignableRequest, Signer, Timestamp,
};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

const OKX_SECRET: &str = "22582BD0CFF14C41EDBF1AB98506286D";
const KUCOIN_SECRET: &str = "e45a1784-62de-4b74-9a02-8238680fbb7e";
const DELTA_SECRET: &str = "7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f";
const EXCHANGE_SECRET: &str =
    "3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==";
const LEGACY_SECRET: &str = "kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA";
const ED25519_SECRET: &str = "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==";
const ES256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49\nAwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR\ns8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==\n-----END EC PRIVATE KEY-----\n";

/// A ~200-byte limit order.
const ORDER: &str = r#"{"clientOid":"5c52e11203aa4b7c9d3e8f10a2b4c6d8","side":"buy","symbol":"BTC-USDT","type":"limit","price":"30000.1","size":"0.0001","timeInForce":"GTC","postOnly":false,"remark":"grid-7"}"#;
const QUERY: &str = "symbol=BTC-USDT&status=active&limit=50&startAt=1718007932000";

fn batch() -> String {
    let order = r#"{"clientOid":"5c52e11203aa4b7c9d3e8f10a2b4c6d8","side":"buy","price":"30000.1","size":"0.0001"}"#;
    format!("{{\"symbol\":\"BTC-USDT\",\"orderList\":[{}]}}", vec![order; 42].join(","))
}

#[derive(Clone, Copy)]
enum Out {
    Hex,
    Base64,
}

/// An HMAC scheme: its signer, its secret as the HMAC key, how its peers format the prehash.
struct HmacScheme {
    name: &'static str,
    signer: Box<dyn Signer>,
    key: Vec<u8>,
    out: Out,
    path: &'static str,
}

fn hmac_schemes() -> Vec<HmacScheme> {
    let with_passphrase = |secret: &str| Credentials::new().api_key("key").secret(secret).passphrase("pass");
    let plain = |secret: &str| Credentials::new().api_key("key").secret(secret);
    let exchange_key = base64::engine::general_purpose::STANDARD.decode(EXCHANGE_SECRET).unwrap();
    vec![
        HmacScheme {
            name: "okx",
            signer: Box::new(OkxSigner::new(&with_passphrase(OKX_SECRET), OkxEnvironment::Live).unwrap()),
            key: OKX_SECRET.as_bytes().to_vec(),
            out: Out::Base64,
            path: "/api/v5/trade/order",
        },
        HmacScheme {
            name: "kucoin",
            signer: Box::new(KucoinSigner::new(&with_passphrase(KUCOIN_SECRET), KucoinKeyVersion::V3).unwrap()),
            key: KUCOIN_SECRET.as_bytes().to_vec(),
            out: Out::Base64,
            path: "/api/v1/orders",
        },
        HmacScheme {
            name: "delta",
            signer: Box::new(DeltaSigner::new(&plain(DELTA_SECRET)).unwrap()),
            key: DELTA_SECRET.as_bytes().to_vec(),
            out: Out::Hex,
            path: "/v2/orders",
        },
        HmacScheme {
            name: "coinbase_exchange",
            signer: Box::new(CoinbaseExchangeSigner::new(&with_passphrase(EXCHANGE_SECRET)).unwrap()),
            key: exchange_key,
            out: Out::Base64,
            path: "/orders",
        },
        HmacScheme {
            name: "coinbase_advanced_hmac",
            signer: Box::new(CoinbaseAdvancedHmacSigner::new(&plain(LEGACY_SECRET)).unwrap()),
            key: LEGACY_SECRET.as_bytes().to_vec(),
            out: Out::Hex,
            path: "/api/v3/brokerage/orders",
        },
    ]
}

/// The three inputs: (name, method, query, body).
fn inputs(batch: &str) -> [(&'static str, Method, &'static str, &str); 3] {
    [
        ("get_query", Method::Get, QUERY, ""),
        ("post_order", Method::Post, "", ORDER),
        ("batch_4k", Method::Post, "", batch),
    ]
}

const AT: Timestamp = Timestamp::from_unix_millis(1_718_007_932_123);

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1))
}

fn bench_hmac(c: &mut Criterion) {
    let batch = batch();
    for scheme in hmac_schemes() {
        for (input, method, query, body) in inputs(&batch) {
            let request = SignableRequest::new(method, scheme.path)
                .unwrap()
                .with_query(query)
                .unwrap()
                .with_body(body.as_bytes());
            let signed = scheme.signer.sign_with(&request, AT, &SignOptions::new().keep_prehash()).unwrap();
            let prehash = signed.prehash().unwrap().as_bytes().to_vec();
            let timestamp = signed.timestamp().to_owned();
            let keyed = HmacSha256::new_from_slice(&scheme.key).unwrap();
            // The floor and peer-style rows hash exactly the bytes the crate signed.
            let tag = keyed.clone().chain_update(&prehash).finalize().into_bytes();
            let expected = match scheme.out {
                Out::Hex => hex::encode(tag),
                Out::Base64 => base64::engine::general_purpose::STANDARD.encode(tag),
            };
            assert_eq!(expected, signed.signature(), "{} {input}: the floor MACs other bytes", scheme.name);
            let prehash_text = String::from_utf8(prehash.clone()).unwrap();
            let peer_prehash = peer_parts(scheme.name, &timestamp, method.as_str(), scheme.path, query, body);
            assert_eq!(peer_prehash, prehash_text, "{} {input}: the peer-style prehash differs", scheme.name);

            let mut group = c.benchmark_group(format!("{}/{input}", scheme.name));
            group.bench_function("floor", |b| {
                b.iter(|| black_box(keyed.clone().chain_update(black_box(&prehash)).finalize().into_bytes()))
            });
            group.bench_function("peer_style", |b| {
                b.iter(|| {
                    let prehash =
                        peer_parts(scheme.name, black_box(&timestamp), method.as_str(), scheme.path, query, body);
                    let mut mac = HmacSha256::new_from_slice(black_box(&scheme.key)).unwrap();
                    mac.update(prehash.as_bytes());
                    let tag = mac.finalize().into_bytes();
                    black_box(match scheme.out {
                        Out::Hex => hex::encode(tag),
                        Out::Base64 => base64::engine::general_purpose::STANDARD.encode(tag),
                    })
                })
            });
            group.bench_function("cexsign", |b| {
                b.iter(|| black_box(scheme.signer.sign(black_box(&request), AT).unwrap()))
            });
            group.finish();
        }
    }
}

/// The prehash as peers build it: one `format!` per request.
fn peer_parts(scheme: &str, ts: &str, method: &str, path: &str, query: &str, body: &str) -> String {
    let q = if query.is_empty() { String::new() } else { format!("?{query}") };
    match scheme {
        "delta" => format!("{method}{ts}{path}{q}{body}"),
        "coinbase_advanced_hmac" => format!("{ts}{method}{path}{body}"),
        _ => format!("{ts}{method}{path}{q}{body}"),
    }
}

fn bench_cdp(c: &mut Criterion) {
    let batch = batch();
    for (name, key_name, secret) in [
        ("cdp_es256", "organizations/o/apiKeys/k", ES256_PEM),
        ("cdp_eddsa", "22222222-2222-4222-8222-222222222222", ED25519_SECRET),
    ] {
        let signer = CoinbaseCdpSigner::new(&Credentials::new().api_key(key_name).secret(secret)).unwrap();
        let rng = ring::rand::SystemRandom::new();
        let es256 = || {
            let key = p256::SecretKey::from_sec1_pem(ES256_PEM).unwrap();
            ring::signature::EcdsaKeyPair::from_private_key_and_public_key(
                &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                &key.to_bytes(),
                &key.public_key().to_sec1_bytes(),
                &rng,
            )
            .unwrap()
        };
        let ed25519 = || {
            let bytes: [u8; 64] =
                base64::engine::general_purpose::STANDARD.decode(ED25519_SECRET).unwrap().try_into().unwrap();
            ed25519_dalek::SigningKey::from_keypair_bytes(&bytes).unwrap()
        };
        let es256_once = es256();
        let ed25519_once = ed25519();
        for (input, method, query, body) in inputs(&batch) {
            let request = SignableRequest::new(method, "/api/v3/brokerage/orders")
                .unwrap()
                .with_query(query)
                .unwrap()
                .with_body(body.as_bytes());
            let signed = signer.sign_with(&request, AT, &SignOptions::new().keep_prehash()).unwrap();
            let input_bytes = signed.prehash().unwrap().as_bytes().to_vec();
            let mut group = c.benchmark_group(format!("{name}/{input}"));
            match signer.key_type() {
                CdpKeyType::Es256 => {
                    group.bench_function("floor", |b| {
                        b.iter(|| black_box(es256_once.sign(&rng, black_box(&input_bytes)).unwrap()))
                    });
                    group.bench_function("peer_style", |b| {
                        b.iter(|| black_box(es256().sign(&rng, black_box(&input_bytes)).unwrap()))
                    });
                }
                CdpKeyType::EdDsa => {
                    use ed25519_dalek::Signer as _;
                    group.bench_function("floor", |b| b.iter(|| black_box(ed25519_once.sign(black_box(&input_bytes)))));
                    group.bench_function("peer_style", |b| {
                        b.iter(|| black_box(ed25519().sign(black_box(&input_bytes))))
                    });
                }
            }
            group.bench_function("cexsign", |b| b.iter(|| black_box(signer.sign(black_box(&request), AT).unwrap())));
            group.finish();
        }
    }
}

/// Signatures per second from one shared signer, on 1 and on 2 threads.
fn bench_throughput(c: &mut Criterion) {
    let signer =
        OkxSigner::new(&Credentials::new().api_key("key").secret(OKX_SECRET).passphrase("pass"), OkxEnvironment::Live)
            .unwrap();
    let request = SignableRequest::new(Method::Post, "/api/v5/trade/order").unwrap().with_body(ORDER.as_bytes());
    let mut group = c.benchmark_group("throughput/okx_post_order");
    for threads in [1usize, 2] {
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter_custom(|iterations| {
                let per_thread = iterations.div_ceil(threads as u64);
                let started = Instant::now();
                std::thread::scope(|scope| {
                    for _ in 0..threads {
                        scope.spawn(|| {
                            for _ in 0..per_thread {
                                black_box(signer.sign(black_box(&request), AT).unwrap());
                            }
                        });
                    }
                });
                // Wall time per signature: with perfect scaling, 2 threads halve it.
                started.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group! { name = benches; config = config(); targets = bench_hmac, bench_cdp, bench_throughput }
criterion_main!(benches);
