//! What one `sign` costs, per scheme and input, next to the floor and to the way signers are
//! commonly written today, all over the identical prehash bytes in the same run.
//!
//! Groups are `<scheme>/<input>`; inputs are `get_query` (a GET with a 4-parameter query),
//! `post_order` (a ~200-byte order body) and `batch_4k` (a ~4 KB batch body). In each group:
//!
//! - `floor`: the baseline issue 21 set. HMAC schemes: clone `hmac`'s pre-keyed `Mac` state,
//!   update with the prehash, finalize (no encoding, no headers). CDP: the bare signature with the
//!   key parsed once (ring for ES256, ed25519-dalek for Ed25519).
//! - `floor_core` (HMAC-SHA256 schemes): the same MAC driven through `hmac`'s block API, as the
//!   crate's own MAC loop drives it (a clone of the keyed `HmacCore`, a fresh block buffer,
//!   `finalize_fixed_core`): cheaper than `floor`, which also clones the `Mac` wrapper's buffer and
//!   moves the wrapper into `finalize`. The goals are ratios to `floor`, as issue 21 set them;
//!   `cexsign / floor_core` is what the crate spends past its own MAC.
//! - `peer_style`: `format!` the prehash, key a new HMAC from the secret, hex/base64 into a new
//!   `String` — how today's crates do it. CDP: parse the PEM/base64 key on every call, then sign.
//! - `cexsign`: the full `Signer::sign` call: the output holds the timestamp and signature
//!   inline and shares the signer's fixed header values, as text ready for any HTTP client.
//! - `cexsign_apply` (the first five HMAC schemes): `sign`, then `apply_to` an `http::HeaderMap`
//!   the caller reuses, which builds the signature and timestamp `HeaderValue`s: what a request
//!   sent through `http` costs.
//! - `cexsign_reqwest` (the same five): `sign_reqwest` on a built `reqwest::Request` whose header
//!   map is reused (its method, URL path and query and body read back from it, signed, the
//!   headers set): what a request sent through the reqwest layer costs.
//!
//! Binance, Bybit, Kraken, Bitget and Gate, in the same shape:
//!
//! - `binance`, `bybit`, `bitget`: `floor` and `floor_core` as above (HMAC-SHA256 over the
//!   prehash). Binance's `cexsign` and `peer_style` also produce the query/body to send (the
//!   request is built without `timestamp` and `signature`; the signer appends both and returns
//!   the wire query or body); its floors do not. Binance's `post_order` and `batch_4k` are form bodies of the same sizes (an
//!   order; `batchOrders=` with a percent-encoded JSON list).
//! - `kraken`: floor = SHA-256 of `nonce + body` (the crate's kept prehash), then a pre-keyed
//!   HMAC-SHA512 clone over the path and the 32-byte digest. No `get_query` (Kraken signs POST
//!   bodies); the JSON bodies carry no nonce, so the signer adds it and returns the body to send
//!   (as `peer_style` does); `post_form` is a ~200-byte form body, Kraken's usual encoding.
//! - `gate`: floor = SHA-512 of the body into hex on the stack, then a pre-keyed HMAC-SHA512 clone
//!   over the prehash around that line.
//! - `binance_ed25519`, `binance_rsa`, `bybit_rsa` (the PEM keys of tests/vectors): floor =
//!   the bare ed25519-dalek / ring RSASSA-PKCS1-v1_5 SHA-256 signature with the key parsed once;
//!   `peer_style` parses the PEM on every call, then signs. Ed25519 on `post_order` and
//!   `batch_4k`; RSA on `post_order` only (the private-key operation, ~0.5 ms, dwarfs the hash of
//!   any body).
//!
//! Each floor is checked against the crate's own prehash (or signature) before anything is
//! measured, so the three rows hash the same bytes; the peer-style signature (and query/body to
//! send) is checked equal to the crate's. `throughput/*` signs with one shared signer from 1 and 2
//! threads.
//!
//! `cargo bench --bench sign` (full) or `cargo bench --bench sign -- --quick` (about 25 s on
//! 2 cores).

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use cexsign::client::ReqwestSigner as _;
use cexsign::{
    BinanceKeyType, BinanceSigner, BitgetSigner, BybitKeyType, BybitSigner, CdpKeyType, CoinbaseAdvancedHmacSigner,
    CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, GateSigner, KrakenSigner, KucoinKeyVersion,
    KucoinSigner, Method, OkxEnvironment, OkxSigner, SignOptions, SignableRequest, SignedRequest, Signer, Timestamp,
};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};
use sha2::Digest as _;
// The peer-style rows encode hex as today's crates do, with `hex` 0.4 (the crate's own `hex` is
// `const-hex`).
use hex_04 as peer_hex;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;
type CoreSha256 = hmac::block_api::HmacCore<sha2::Sha256>;

/// HMAC-SHA256 through `hmac`'s block API over the joined prehash: the `floor_core` row.
fn floor_core(core: &CoreSha256, prehash: &[u8]) -> [u8; 32] {
    use hmac::digest::block_api::{Buffer, FixedOutputCore as _, UpdateCore as _};
    let mut core = core.clone();
    let mut buffer = Buffer::<CoreSha256>::default();
    buffer.digest_blocks(prehash, |blocks| core.update_blocks(blocks));
    let mut out = Default::default();
    core.finalize_fixed_core(&mut buffer, &mut out);
    out.into()
}

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
            let core = CoreSha256::new_from_slice(&scheme.key).unwrap();
            assert_eq!(
                floor_core(&core, &prehash),
                <[u8; 32]>::from(tag),
                "{} {input}: floor_core differs",
                scheme.name
            );
            group.bench_function("floor_core", |b| b.iter(|| black_box(floor_core(&core, black_box(&prehash)))));
            group.bench_function("peer_style", |b| {
                b.iter(|| {
                    let prehash =
                        peer_parts(scheme.name, black_box(&timestamp), method.as_str(), scheme.path, query, body);
                    let mut mac = HmacSha256::new_from_slice(black_box(&scheme.key)).unwrap();
                    mac.update(prehash.as_bytes());
                    let tag = mac.finalize().into_bytes();
                    black_box(match scheme.out {
                        Out::Hex => peer_hex::encode(tag),
                        Out::Base64 => base64::engine::general_purpose::STANDARD.encode(tag),
                    })
                })
            });
            group.bench_function("cexsign", |b| {
                b.iter(|| black_box(scheme.signer.sign(black_box(&request), AT).unwrap()))
            });
            // What a client pays per request: sign, then set the headers on a map it reuses
            // (building the signature and timestamp `HeaderValue`s).
            let mut headers = http::HeaderMap::new();
            group.bench_function("cexsign_apply", |b| {
                b.iter(|| {
                    scheme.signer.sign(black_box(&request), AT).unwrap().apply_to(&mut headers);
                    black_box(&headers);
                })
            });
            // The same through the reqwest layer: a built `reqwest::Request` signed in place (its
            // method, URL path and query, and body read back from it; its header map reused).
            let mut built = reqwest::Client::new()
                .request(method.as_str().parse().unwrap(), format!("https://api.example.com{}?{query}", scheme.path))
                .body(body.to_owned())
                .build()
                .unwrap();
            if query.is_empty() {
                built.url_mut().set_query(None);
            }
            group.bench_function("cexsign_reqwest", |b| {
                b.iter(|| black_box(scheme.signer.as_ref().sign_reqwest(black_box(&mut built), AT).unwrap()))
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
                // CdpKeyType is non_exhaustive: a key type added later has no floor to compare with.
                _ => {}
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

type HmacSha512 = hmac::Hmac<sha2::Sha512>;

// Binance, Bybit, Kraken, Bitget and Gate: the fake credentials of AUTH-more.md and tests/vectors.
const BINANCE_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const BYBIT_KEY: &str = "XXXXXXXXXX";
const BYBIT_SECRET: &str = "vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W";
const KRAKEN_SECRET: &str = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";
const BITGET_SECRET: &str = "f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1";
const GATE_SECRET: &str = "7dab7dd4d38c0b75bc0fd56c8ac2021690dcba6a6c494560b83c72abf26635fe";

/// A ~200-byte Binance order, as the form body Binance takes.
const BINANCE_ORDER: &str = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.0001&price=30000.1\
                             &newClientOrderId=5c52e11203aa4b7c9d3e8f10a2b4c6d8&newOrderRespType=ACK\
                             &selfTradePreventionMode=EXPIRE_TAKER&strategyId=7";
/// A ~200-byte Kraken AddOrder form body (Kraken's usual encoding), without its nonce.
const KRAKEN_ORDER: &str = "ordertype=limit&pair=XBTUSD&price=37500.1&type=buy&volume=0.0001&oflags=post\
                            &timeinforce=GTC&userref=7&cl_ord_id=5c52e112-03aa-4b7c-9d3e-8f10a2b4c6d8\
                            &close%5Bordertype%5D=limit&close%5Bprice%5D=38000";

/// A ~4 KB Binance form body: `batchOrders=` and a percent-encoded JSON list of 16 orders.
fn binance_batch() -> String {
    let order = r#"{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","quantity":"0.0001","price":"30000.1","timeInForce":"GTC","newClientOrderId":"5c52e11203aa4b7c9d3e8f10a2b4c6d8"}"#;
    let list = format!("[{}]", vec![order; 16].join(","));
    let mut body = String::from("batchOrders=");
    for byte in list.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            body.push(char::from(byte));
        } else {
            body.push_str(&format!("%{byte:02X}"));
        }
    }
    body
}

/// Binance, Bybit, Kraken, Bitget and Gate: each signs a payload of its own layout.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PayloadScheme {
    Binance,
    Bybit,
    Kraken,
    Bitget,
    Gate,
}

impl PayloadScheme {
    const ALL: [PayloadScheme; 5] = [
        PayloadScheme::Binance,
        PayloadScheme::Bybit,
        PayloadScheme::Kraken,
        PayloadScheme::Bitget,
        PayloadScheme::Gate,
    ];

    fn name(self) -> &'static str {
        match self {
            PayloadScheme::Binance => "binance",
            PayloadScheme::Bybit => "bybit",
            PayloadScheme::Kraken => "kraken",
            PayloadScheme::Bitget => "bitget",
            PayloadScheme::Gate => "gate",
        }
    }

    fn path(self) -> &'static str {
        match self {
            PayloadScheme::Binance => "/api/v3/order",
            PayloadScheme::Bybit => "/v5/order/create",
            PayloadScheme::Kraken => "/0/private/AddOrder",
            PayloadScheme::Bitget => "/api/v2/spot/trade/place-order",
            PayloadScheme::Gate => "/api/v4/spot/orders",
        }
    }

    fn signer(self) -> Box<dyn Signer> {
        let plain = |secret: &str| Credentials::new().api_key("key").secret(secret);
        match self {
            PayloadScheme::Binance => {
                Box::new(BinanceSigner::new(&plain(BINANCE_SECRET), BinanceKeyType::Hmac).unwrap())
            }
            PayloadScheme::Bybit => Box::new(
                BybitSigner::new(&Credentials::new().api_key(BYBIT_KEY).secret(BYBIT_SECRET), BybitKeyType::Hmac)
                    .unwrap(),
            ),
            PayloadScheme::Kraken => Box::new(KrakenSigner::new(&plain(KRAKEN_SECRET)).unwrap()),
            PayloadScheme::Bitget => Box::new(BitgetSigner::new(&plain(BITGET_SECRET).passphrase("pass")).unwrap()),
            PayloadScheme::Gate => Box::new(GateSigner::new(&plain(GATE_SECRET)).unwrap()),
        }
    }

    /// The HMAC key: the raw secret, except Kraken's base64-decoded one.
    fn key(self) -> Vec<u8> {
        match self {
            PayloadScheme::Binance => BINANCE_SECRET.as_bytes().to_vec(),
            PayloadScheme::Bybit => BYBIT_SECRET.as_bytes().to_vec(),
            PayloadScheme::Kraken => base64::engine::general_purpose::STANDARD.decode(KRAKEN_SECRET).unwrap(),
            PayloadScheme::Bitget => BITGET_SECRET.as_bytes().to_vec(),
            PayloadScheme::Gate => GATE_SECRET.as_bytes().to_vec(),
        }
    }

    /// The inputs measured: (name, method, query, body). Binance takes form bodies (same sizes as
    /// the JSON ones); Kraken signs POST bodies only (no `get_query`), measured on the shared JSON
    /// bodies and on a ~200-byte form (`post_form`, Kraken's usual encoding).
    fn inputs<'a>(self, batch: &'a str, binance_batch: &'a str) -> Vec<(&'static str, Method, &'static str, &'a str)> {
        match self {
            PayloadScheme::Binance => vec![
                ("get_query", Method::Get, QUERY, ""),
                ("post_order", Method::Post, "", BINANCE_ORDER),
                ("batch_4k", Method::Post, "", binance_batch),
            ],
            PayloadScheme::Kraken => vec![
                ("post_order", Method::Post, "", ORDER),
                ("batch_4k", Method::Post, "", batch),
                ("post_form", Method::Post, "", KRAKEN_ORDER),
            ],
            _ => inputs(batch).to_vec(),
        }
    }
}

/// The floor of Binance, Bybit, Kraken, Bitget and Gate: the MAC over the crate's own prehash bytes with a
/// pre-keyed state, plus the body hash the scheme itself defines (no encoding, no headers, no
/// wire query/body).
enum MoreFloor {
    /// Binance, Bybit, Bitget: clone a pre-keyed HMAC-SHA256, update with the prehash, finalize.
    Sha256 { keyed: HmacSha256, prehash: Vec<u8> },
    /// Kraken: SHA-256 of `nonce + body` (the kept prehash), then clone a pre-keyed HMAC-SHA512,
    /// update with the path and the 32-byte digest, finalize.
    Kraken { keyed: HmacSha512, path: &'static str, nonce_body: Vec<u8> },
    /// Gate: SHA-512 of the body into hex on the stack, then clone a pre-keyed HMAC-SHA512, update
    /// with the prehash before the hex line, the hex, the rest (`"\n" + timestamp`), finalize.
    Gate { keyed: HmacSha512, head: Vec<u8>, body: Vec<u8>, tail: Vec<u8> },
}

fn floor_sha256(keyed: &HmacSha256, prehash: &[u8]) -> [u8; 32] {
    keyed.clone().chain_update(prehash).finalize().into_bytes().into()
}

fn floor_kraken(keyed: &HmacSha512, path: &str, nonce_body: &[u8]) -> [u8; 64] {
    let digest = sha2::Sha256::digest(nonce_body);
    keyed.clone().chain_update(path.as_bytes()).chain_update(digest).finalize().into_bytes().into()
}

fn floor_gate(keyed: &HmacSha512, head: &[u8], body: &[u8], tail: &[u8]) -> [u8; 64] {
    let mut line = [0u8; 128];
    hex::encode_to_slice(sha2::Sha512::digest(body), &mut line).unwrap();
    keyed.clone().chain_update(head).chain_update(line).chain_update(tail).finalize().into_bytes().into()
}

impl MoreFloor {
    fn new(scheme: PayloadScheme, key: &[u8], prehash: &[u8], path: &'static str, body: &str, timestamp: &str) -> Self {
        match scheme {
            PayloadScheme::Kraken => MoreFloor::Kraken {
                keyed: HmacSha512::new_from_slice(key).unwrap(),
                path,
                nonce_body: prehash.to_vec(),
            },
            PayloadScheme::Gate => {
                // The prehash ends with hex(SHA512(body)) + "\n" + timestamp.
                let hex_at = prehash.len() - timestamp.len() - 1 - 128;
                let body_hex = hex::encode(sha2::Sha512::digest(body.as_bytes()));
                assert_eq!(&prehash[hex_at..hex_at + 128], body_hex.as_bytes(), "gate: the body line differs");
                MoreFloor::Gate {
                    keyed: HmacSha512::new_from_slice(key).unwrap(),
                    head: prehash[..hex_at].to_vec(),
                    body: body.as_bytes().to_vec(),
                    tail: prehash[hex_at + 128..].to_vec(),
                }
            }
            _ => MoreFloor::Sha256 { keyed: HmacSha256::new_from_slice(key).unwrap(), prehash: prehash.to_vec() },
        }
    }

    /// The floor's MAC in the scheme's encoding, to check it against the crate's signature.
    fn encoded(&self, scheme: PayloadScheme) -> String {
        let tag = match self {
            MoreFloor::Sha256 { keyed, prehash } => floor_sha256(keyed, prehash).to_vec(),
            MoreFloor::Kraken { keyed, path, nonce_body } => floor_kraken(keyed, path, nonce_body).to_vec(),
            MoreFloor::Gate { keyed, head, body, tail } => floor_gate(keyed, head, body, tail).to_vec(),
        };
        match scheme {
            PayloadScheme::Kraken | PayloadScheme::Bitget => base64::engine::general_purpose::STANDARD.encode(tag),
            _ => hex::encode(tag),
        }
    }

    fn bench(&self, group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
        match self {
            MoreFloor::Sha256 { keyed, prehash } => {
                group.bench_function("floor", |b| b.iter(|| black_box(floor_sha256(keyed, black_box(prehash)))));
                let (core, _) = hmac::digest::block_api::CoreProxy::decompose(keyed.clone());
                assert_eq!(floor_core(&core, prehash), floor_sha256(keyed, prehash), "floor_core differs");
                group.bench_function("floor_core", |b| b.iter(|| black_box(floor_core(&core, black_box(prehash)))))
            }
            MoreFloor::Kraken { keyed, path, nonce_body } => group
                .bench_function("floor", |b| b.iter(|| black_box(floor_kraken(keyed, path, black_box(nonce_body))))),
            MoreFloor::Gate { keyed, head, body, tail } => group.bench_function("floor", |b| {
                b.iter(|| black_box(floor_gate(keyed, black_box(head), black_box(body), black_box(tail))))
            }),
        };
    }
}

/// Binance, Bybit, Kraken, Bitget and Gate as their signers are commonly written: `format!` the prehash (and,
/// for Binance and Kraken, the query/body to send with its timestamp or nonce), key a new HMAC
/// from the secret, hex/base64 into a new `String`. Returns the signature and the query/body to
/// send (Binance, Kraken).
fn peer_payload_scheme(
    scheme: PayloadScheme,
    key: &[u8],
    ts: &str,
    method: Method,
    path: &str,
    query: &str,
    body: &str,
) -> (String, Option<String>) {
    let b64 = &base64::engine::general_purpose::STANDARD;
    match scheme {
        PayloadScheme::Binance => {
            // binance-rs style: the parameters plus the timestamp, then the signature appended.
            let params = if body.is_empty() { query } else { body };
            let params = if params.is_empty() { format!("timestamp={ts}") } else { format!("{params}&timestamp={ts}") };
            let mut mac = HmacSha256::new_from_slice(key).unwrap();
            mac.update(params.as_bytes());
            let signature = peer_hex::encode(mac.finalize().into_bytes());
            let wire = format!("{params}&signature={signature}");
            (signature, Some(wire))
        }
        PayloadScheme::Bybit => {
            let payload = if method == Method::Get { query } else { body };
            let prehash = format!("{ts}{BYBIT_KEY}5000{payload}");
            let mut mac = HmacSha256::new_from_slice(key).unwrap();
            mac.update(prehash.as_bytes());
            (peer_hex::encode(mac.finalize().into_bytes()), None)
        }
        PayloadScheme::Kraken => {
            // The body with its nonce first, as the signer sends it; then SHA-256(nonce + body).
            let body = match body.strip_prefix('{') {
                Some(members) => format!("{{\"nonce\":\"{ts}\",{members}"),
                None => format!("nonce={ts}&{body}"),
            };
            let digest = sha2::Sha256::digest(format!("{ts}{body}").as_bytes());
            let mut mac = HmacSha512::new_from_slice(key).unwrap();
            mac.update(path.as_bytes());
            mac.update(&digest);
            (b64.encode(mac.finalize().into_bytes()), Some(body))
        }
        PayloadScheme::Bitget => {
            let q = if query.is_empty() { String::new() } else { format!("?{query}") };
            let prehash = format!("{ts}{}{path}{q}{body}", method.as_str());
            let mut mac = HmacSha256::new_from_slice(key).unwrap();
            mac.update(prehash.as_bytes());
            (b64.encode(mac.finalize().into_bytes()), None)
        }
        PayloadScheme::Gate => {
            // gate-api style.
            let hashed = peer_hex::encode(sha2::Sha512::digest(body.as_bytes()));
            let prehash = format!("{}\n{path}\n{query}\n{hashed}\n{ts}", method.as_str());
            let mut mac = HmacSha512::new_from_slice(key).unwrap();
            mac.update(prehash.as_bytes());
            (peer_hex::encode(mac.finalize().into_bytes()), None)
        }
    }
}

/// The query or body the signer says to send, as text.
fn wire_text(signed: &SignedRequest) -> Option<String> {
    signed
        .wire_query()
        .map(str::to_owned)
        .or_else(|| signed.wire_body().map(|b| String::from_utf8(b.to_vec()).unwrap()))
}

fn bench_more_hmac(c: &mut Criterion) {
    let batch = batch();
    let binance_batch = binance_batch();
    for scheme in PayloadScheme::ALL {
        let signer = scheme.signer();
        let key = scheme.key();
        let path = scheme.path();
        for (input, method, query, body) in scheme.inputs(&batch, &binance_batch) {
            let what = format!("{} {input}", scheme.name());
            let request =
                SignableRequest::new(method, path).unwrap().with_query(query).unwrap().with_body(body.as_bytes());
            let signed = signer.sign_with(&request, AT, &SignOptions::new().keep_prehash()).unwrap();
            let prehash = signed.prehash().unwrap().as_bytes().to_vec();
            let timestamp = signed.timestamp().to_owned();
            // The floor and peer-style rows hash exactly the bytes the crate signed; the peer
            // sends the same query/body.
            let floor = MoreFloor::new(scheme, &key, &prehash, path, body, &timestamp);
            assert_eq!(floor.encoded(scheme), signed.signature(), "{what}: the floor MACs other bytes");
            let (peer_signature, peer_wire) = peer_payload_scheme(scheme, &key, &timestamp, method, path, query, body);
            assert_eq!(peer_signature, signed.signature(), "{what}: the peer-style signature differs");
            assert_eq!(peer_wire, wire_text(&signed), "{what}: the peer-style query/body differs");

            let mut group = c.benchmark_group(format!("{}/{input}", scheme.name()));
            floor.bench(&mut group);
            group.bench_function("peer_style", |b| {
                b.iter(|| {
                    black_box(peer_payload_scheme(
                        scheme,
                        black_box(&key),
                        black_box(&timestamp),
                        method,
                        path,
                        query,
                        body,
                    ))
                })
            });
            group.bench_function("cexsign", |b| b.iter(|| black_box(signer.sign(black_box(&request), AT).unwrap())));
            group.finish();
        }
    }
}

/// The Binance and Bybit keys that are not HMAC.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PrivateKind {
    BinanceEd25519,
    BinanceRsa,
    BybitRsa,
}

/// The first PEM private key of `key_type` in a conformance vector file.
fn vector_pem(vectors: &str, key_type: &str) -> String {
    let file: serde_json::Value = serde_json::from_str(vectors).unwrap();
    let vector = file["vectors"].as_array().unwrap().iter().find(|v| v["credentials"]["key_type"] == key_type).unwrap();
    vector["credentials"]["secret"].as_str().unwrap().to_owned()
}

fn rsa_pair(pem: &str) -> ring::signature::RsaKeyPair {
    let (label, der) = pem_rfc7468::decode_vec(pem.as_bytes()).unwrap();
    assert_eq!(label, "PRIVATE KEY");
    ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap()
}

fn ed25519_key(pem: &str) -> ed25519_dalek::SigningKey {
    use ed25519_dalek::pkcs8::DecodePrivateKey as _;
    ed25519_dalek::SigningKey::from_pkcs8_pem(pem).unwrap()
}

/// Peer-style Ed25519/RSA signing: parse the PEM on every call, then build and sign as the HMAC
/// peers do (Binance: the body plus timestamp, the base64 signature percent-encoded into it).
fn peer_private(
    kind: PrivateKind,
    pem: &str,
    rng: &ring::rand::SystemRandom,
    ts: &str,
    body: &str,
) -> (String, Option<String>) {
    let b64 = &base64::engine::general_purpose::STANDARD;
    let sign = |message: &[u8]| match kind {
        PrivateKind::BinanceEd25519 => b64.encode(ed25519_dalek::Signer::sign(&ed25519_key(pem), message).to_bytes()),
        PrivateKind::BinanceRsa | PrivateKind::BybitRsa => {
            let pair = rsa_pair(pem);
            let mut signature = vec![0u8; pair.public().modulus_len()];
            pair.sign(&ring::signature::RSA_PKCS1_SHA256, rng, message, &mut signature).unwrap();
            b64.encode(signature)
        }
    };
    match kind {
        PrivateKind::BybitRsa => (sign(format!("{ts}{BYBIT_KEY}5000{body}").as_bytes()), None),
        PrivateKind::BinanceEd25519 | PrivateKind::BinanceRsa => {
            let params = format!("{body}&timestamp={ts}");
            let signature = sign(params.as_bytes());
            let encoded = signature.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
            let wire = format!("{params}&signature={encoded}");
            (signature, Some(wire))
        }
    }
}

/// Binance Ed25519 and RSA keys and Bybit RSA keys (the keys of tests/vectors). The floor
/// is the bare signature over the crate's prehash with the key parsed once (ed25519-dalek; ring
/// RSASSA-PKCS1-v1_5 SHA-256); peer-style parses the PEM on every call.
fn bench_private_keys(c: &mut Criterion) {
    let binance_vectors = include_str!("../tests/vectors/binance.json");
    let bybit_vectors = include_str!("../tests/vectors/bybit.json");
    let binance_batch = binance_batch();
    let rng = ring::rand::SystemRandom::new();
    let b64 = &base64::engine::general_purpose::STANDARD;
    let rows = [
        (PrivateKind::BinanceEd25519, "binance_ed25519", vector_pem(binance_vectors, "Ed25519")),
        (PrivateKind::BinanceRsa, "binance_rsa", vector_pem(binance_vectors, "RSA")),
        (PrivateKind::BybitRsa, "bybit_rsa", vector_pem(bybit_vectors, "RSA")),
    ];
    for (kind, name, pem) in &rows {
        let kind = *kind;
        let credentials = Credentials::new().api_key(if kind == PrivateKind::BybitRsa { BYBIT_KEY } else { "key" });
        let credentials = credentials.secret(pem.as_str());
        let (signer, inputs): (Box<dyn Signer>, Vec<(&str, &str)>) = match kind {
            PrivateKind::BinanceEd25519 => (
                Box::new(BinanceSigner::new(&credentials, BinanceKeyType::Ed25519).unwrap()),
                vec![("post_order", BINANCE_ORDER), ("batch_4k", &binance_batch)],
            ),
            PrivateKind::BinanceRsa => (
                Box::new(BinanceSigner::new(&credentials, BinanceKeyType::Rsa).unwrap()),
                vec![("post_order", BINANCE_ORDER)],
            ),
            PrivateKind::BybitRsa => {
                (Box::new(BybitSigner::new(&credentials, BybitKeyType::Rsa).unwrap()), vec![("post_order", ORDER)])
            }
        };
        for (input, body) in inputs {
            let what = format!("{name} {input}");
            let path = if kind == PrivateKind::BybitRsa { "/v5/order/create" } else { "/api/v3/order" };
            let request = SignableRequest::new(Method::Post, path).unwrap().with_body(body.as_bytes());
            let signed = signer.sign_with(&request, AT, &SignOptions::new().keep_prehash()).unwrap();
            let prehash = signed.prehash().unwrap().as_bytes().to_vec();
            let timestamp = signed.timestamp().to_owned();
            let (peer_signature, peer_wire) = peer_private(kind, pem, &rng, &timestamp, body);
            assert_eq!(peer_signature, signed.signature(), "{what}: the peer-style signature differs");
            assert_eq!(peer_wire, wire_text(&signed), "{what}: the peer-style body differs");

            let mut group = c.benchmark_group(format!("{name}/{input}"));
            if kind == PrivateKind::BinanceEd25519 {
                use ed25519_dalek::Signer as _;
                let key = ed25519_key(pem);
                assert_eq!(b64.encode(key.sign(&prehash).to_bytes()), signed.signature(), "{what}: floor differs");
                group.bench_function("floor", |b| b.iter(|| black_box(key.sign(black_box(&prehash)))));
            } else {
                let pair = rsa_pair(pem);
                let mut signature = vec![0u8; pair.public().modulus_len()];
                pair.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, &prehash, &mut signature).unwrap();
                assert_eq!(b64.encode(&signature), signed.signature(), "{what}: the floor signs other bytes");
                group.bench_function("floor", |b| {
                    b.iter(|| {
                        pair.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, black_box(&prehash), &mut signature)
                            .unwrap();
                        black_box(&signature);
                    })
                });
            }
            group.bench_function("peer_style", |b| {
                b.iter(|| black_box(peer_private(kind, black_box(pem), &rng, black_box(&timestamp), body)))
            });
            group.bench_function("cexsign", |b| b.iter(|| black_box(signer.sign(black_box(&request), AT).unwrap())));
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_hmac, bench_cdp, bench_more_hmac, bench_private_keys, bench_throughput
}
criterion_main!(benches);
