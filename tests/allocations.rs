//! Heap allocations per `sign` call, per scheme, counted by a global allocator. An HMAC `sign`
//! of the first five schemes allocates nothing: the timestamp and signature are kept inline and
//! the API key and passphrase headers are shared with the signer. Applying the output to an
//! `http::HeaderMap` then builds the two per-request values (signature and timestamp) as slices
//! of one shared buffer: one allocation per request applied (`http::HeaderValue` has no inline
//! storage; before, one allocation each).
//!
//! Binance, Bybit, Kraken, Bitget and Gate are held to upper bounds measured
//! here, each allocation named next to its bound: some of them return the query or body to send
//! (Binance, Kraken), and a few allocate scratch on the hot path.
//!
//! This binary holds a single test so that no other test allocates while it counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use cexsign::{
    BinanceKeyType, BinanceSigner, BitgetSigner, BybitKeyType, BybitSigner, CoinbaseAdvancedHmacSigner,
    CoinbaseExchangeSigner, Credentials, DeltaSigner, GateSigner, KrakenSigner, KucoinKeyVersion, KucoinSigner, Method,
    OkxEnvironment, OkxSigner, SignableRequest, Signer, Timestamp,
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// `GlobalAlloc` is an unsafe trait; this test binary (not the library, which forbids unsafe code)
// implements it by delegating every call unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_per_sign(signer: &dyn Signer, request: &SignableRequest<'_>) -> usize {
    let at = Timestamp::from_unix_millis(1_718_007_932_123);
    // Warm up: the first clone of a stored header value shares its buffer once.
    drop(signer.sign(request, at).unwrap());
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let rounds = 100;
    for _ in 0..rounds {
        drop(signer.sign(request, at).unwrap());
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) / rounds
}

/// `sign`, then `apply_to` a map that already holds the headers (as a client reusing its map).
fn allocations_per_sign_and_apply(signer: &dyn Signer, request: &SignableRequest<'_>) -> usize {
    let at = Timestamp::from_unix_millis(1_718_007_932_123);
    let mut headers = http::HeaderMap::new();
    signer.sign(request, at).unwrap().apply_to(&mut headers);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let rounds = 100;
    for _ in 0..rounds {
        signer.sign(request, at).unwrap().apply_to(&mut headers);
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) / rounds
}

#[test]
fn hmac_schemes_allocate_only_the_returned_header_values() {
    let creds = || Credentials::new().api_key("key").secret("22582BD0CFF14C41EDBF1AB98506286D").passphrase("pass");
    let exchange = Credentials::new()
        .api_key("key")
        .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
        .passphrase("pass");
    let signers: Vec<(&str, Box<dyn Signer>)> = vec![
        ("okx", Box::new(OkxSigner::new(&creds(), OkxEnvironment::Demo).unwrap())),
        ("kucoin", Box::new(KucoinSigner::new(&creds(), KucoinKeyVersion::V3).unwrap())),
        ("delta", Box::new(DeltaSigner::new(&creds()).unwrap())),
        ("coinbase_exchange", Box::new(CoinbaseExchangeSigner::new(&exchange).unwrap())),
        ("coinbase_advanced_hmac", Box::new(CoinbaseAdvancedHmacSigner::new(&creds()).unwrap())),
    ];
    let order = br#"{"symbol":"BTC-USDT","side":"buy","price":"30000","size":"0.0001"}"#;
    let post = SignableRequest::new(Method::Post, "/api/v1/orders").unwrap().with_body(order);
    let get =
        SignableRequest::new(Method::Get, "/api/v1/orders").unwrap().with_query("symbol=BTC-USDT&limit=50").unwrap();
    // KuCoin decodes the query it signs: an encoded one costs one more allocation.
    let encoded = SignableRequest::new(Method::Get, "/api/v1/orders").unwrap().with_query("remark=a%20b").unwrap();
    let mut report = Vec::new();
    for (name, signer) in &signers {
        for (input, request) in [("post", &post), ("get", &get), ("encoded_get", &encoded)] {
            let count = allocations_per_sign(signer.as_ref(), request);
            report.push(format!("{name}/{input}: {count}"));
            let decoding = usize::from(*name == "kucoin" && input == "encoded_get");
            assert_eq!(count, decoding, "{name} {input}: {count} allocations per sign");
        }
        let count = allocations_per_sign_and_apply(signer.as_ref(), &post);
        report.push(format!("{name}/post+apply_to: {count}"));
        assert_eq!(count, 1, "{name}: {count} allocations to sign and apply, beyond the one shared value buffer");
    }
    more_schemes(&mut report);
    println!("allocations per sign: {}", report.join(", "));
}

/// Counts each row and holds it to its bound: `(row, signer, request, bound)`.
fn check(report: &mut Vec<String>, rows: &[(&str, &dyn Signer, &SignableRequest<'_>, usize)]) {
    for &(name, signer, request, bound) in rows {
        let count = allocations_per_sign(signer, request);
        report.push(format!("{name}: {count}"));
        assert!(count <= bound, "{name}: {count} allocations per sign, more than the {bound} measured");
    }
}

const SECRET: &str = "GIsDpAoelnXNYpEyVK9SHKjGt06JjNQCisCeuMxRIEUweq4DoLSOMkS0Zd6TKSe1";
/// A form body as Binance takes it.
const BINANCE_FORM: &[u8] = b"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.0001&price=30000";
const ORDER: &[u8] = br#"{"symbol":"BTCUSDT","side":"buy","price":"30000","size":"0.0001"}"#;

fn hmac(secret: &str) -> Credentials {
    Credentials::new().api_key("key").secret(secret)
}

/// Binance, Bybit, Kraken, Bitget and Gate with HMAC keys: each (signer, request) row with the
/// most allocations one `sign` may make, each bound being the count measured when it was written
/// and each allocation named. Counted in the same test as the schemes above (this binary runs one
/// test, so nothing else allocates meanwhile).
fn more_schemes(report: &mut Vec<String>) {
    let kraken_secret = "G4uFqj49aBxIh+tgxotpGEz1h9erPk6l0L3g8PAm1FppFM3lIbkNpcsqoBajzVb8GF64Ct7baTv4tSpmGyPRQg==";
    let binance = BinanceSigner::new(&hmac(SECRET), BinanceKeyType::Hmac).unwrap();
    let bybit = BybitSigner::new(&hmac(SECRET), BybitKeyType::Hmac).unwrap();
    let kraken = KrakenSigner::new(&hmac(kraken_secret)).unwrap();
    let bitget = BitgetSigner::new(&hmac(SECRET).passphrase("pass")).unwrap();
    let gate = GateSigner::new(&hmac(SECRET)).unwrap();

    let binance_get =
        SignableRequest::new(Method::Get, "/api/v3/openOrders").unwrap().with_query("symbol=BTCUSDT&limit=50").unwrap();
    let binance_post = SignableRequest::new(Method::Post, "/api/v3/order").unwrap().with_body(BINANCE_FORM);
    let json_post = SignableRequest::new(Method::Post, "/api/v2/spot/trade/place-order").unwrap().with_body(ORDER);
    let get = SignableRequest::new(Method::Get, "/api/v4/spot/orders")
        .unwrap()
        .with_query("currency_pair=BTC_USDT&status=open")
        .unwrap();
    let encoded_get = SignableRequest::new(Method::Get, "/api/v4/spot/batch_fee")
        .unwrap()
        .with_query("currency_pairs=BTC_USDT%2CETH_USDT")
        .unwrap();
    let kraken_form = SignableRequest::new(Method::Post, "/0/private/AddOrder")
        .unwrap()
        .with_body(b"ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25");
    let kraken_form_nonce = SignableRequest::new(Method::Post, "/0/private/AddOrder")
        .unwrap()
        .with_body(b"nonce=1718007932123&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25");
    let kraken_json = SignableRequest::new(Method::Post, "/0/private/AddOrder").unwrap().with_body(ORDER);

    check(
        report,
        &[
            // The returned wire query/body (`SignedRequest::wire_query`/`wire_body`: the
            // parameters plus timestamp and signature), built in place and signed from its own
            // slices. The hex signature is stored inline; Binance has no timestamp or signature
            // header (X-MBX-APIKEY is shared with the signer).
            ("binance_hmac/get", &binance, &binance_get, 1),
            ("binance_hmac/post", &binance, &binance_post, 1),
            // Nothing: the timestamp and signature are inline, the key and recv-window headers
            // shared with the signer.
            ("bybit_hmac/get", &bybit, &get, 0),
            ("bybit_hmac/post", &bybit, &json_post, 0),
            // A form body without a nonce: the returned wire body (`nonce=…&` + body).
            ("kraken/form", &kraken, &kraken_form, 1),
            // A form body carrying its nonce: the nonce copied out of the body once.
            ("kraken/form_nonce", &kraken, &kraken_form_nonce, 1),
            // A JSON body without a nonce: the wire body. The body is scanned for a "nonce"
            // member, nothing built.
            ("kraken/json", &kraken, &kraken_json, 1),
            // Nothing; an encoded query is decoded into one `String` (Bitget signs the decoded
            // query, as KuCoin).
            ("bitget/get", &bitget, &get, 0),
            ("bitget/encoded_get", &bitget, &encoded_get, 1),
            ("bitget/post", &bitget, &json_post, 0),
            // Nothing (the body's SHA-512 line is on the stack); an encoded query is decoded into
            // one `String`.
            ("gate/get", &gate, &get, 0),
            ("gate/encoded_get", &gate, &encoded_get, 1),
            ("gate/post", &gate, &json_post, 0),
        ],
    );
    #[cfg(feature = "pem-keys")]
    private_keys(report, &binance_post, &json_post);
    #[cfg(feature = "cdp")]
    cdp_tokens(report, &json_post);
}

/// A Coinbase CDP token (ES256 and Ed25519 keys): the JSON of its two parts and the signature
/// stay on the stack, and the token is written once, after `Bearer `, into one `String`; the
/// signed request keeps it in its boxed extras. Before: 17 allocations per token.
#[cfg(feature = "cdp")]
fn cdp_tokens(report: &mut Vec<String>, post: &SignableRequest<'_>) {
    use cexsign::CoinbaseCdpSigner;
    let es256 = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49\nAwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR\ns8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==\n-----END EC PRIVATE KEY-----\n";
    let ed25519 = "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==";
    let name = "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111";
    let es256 = CoinbaseCdpSigner::new(&Credentials::new().api_key(name).secret(es256)).unwrap();
    let ed25519 = CoinbaseCdpSigner::new(&Credentials::new().api_key(name).secret(ed25519)).unwrap();
    for (row, signer) in [("cdp_es256/post", &es256), ("cdp_eddsa/post", &ed25519)] {
        let count = allocations_per_sign(signer, post);
        report.push(format!("{row}: {count}"));
        assert!(count <= 5, "{row}: {count} allocations per token, more than 5");
    }
}

/// The first PEM private key of `key_type` in a conformance vector file.
#[cfg(feature = "pem-keys")]
fn pem_key(vectors: &str, key_type: &str) -> String {
    let file: serde_json::Value = serde_json::from_str(vectors).unwrap();
    let vector = file["vectors"].as_array().unwrap().iter().find(|v| v["credentials"]["key_type"] == key_type).unwrap();
    vector["credentials"]["secret"].as_str().unwrap().to_owned()
}

/// Binance Ed25519 and RSA keys, Bybit RSA keys (the keys of tests/vectors).
#[cfg(feature = "pem-keys")]
fn private_keys(report: &mut Vec<String>, binance_post: &SignableRequest<'_>, json_post: &SignableRequest<'_>) {
    let binance_vectors = include_str!("vectors/binance.json");
    let rsa_pem = pem_key(binance_vectors, "RSA");
    let binance_ed25519 = BinanceSigner::new(&hmac(&pem_key(binance_vectors, "Ed25519")), BinanceKeyType::Ed25519);
    let binance_rsa = BinanceSigner::new(&hmac(&rsa_pem), BinanceKeyType::Rsa).unwrap();
    let bybit_rsa = pem_key(include_str!("vectors/bybit.json"), "RSA");
    let bybit_rsa = BybitSigner::new(&hmac(&bybit_rsa), BybitKeyType::Rsa).unwrap();

    // What a bare ring RSA PKCS#1 SHA-256 signature allocates by itself (its big-number
    // scratch): the RSA rows add the crate's own to it.
    let ring_rsa = {
        let (_, der) = pem_rfc7468::decode_vec(rsa_pem.replace("\\n", "\n").as_bytes()).unwrap();
        let pair = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
        let rng = ring::rand::SystemRandom::new();
        let mut signature = vec![0u8; pair.public().modulus_len()];
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        pair.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, BINANCE_FORM, &mut signature).unwrap();
        ALLOCATIONS.load(Ordering::Relaxed) - before
    };
    report.push(format!("bare ring RSA sign: {ring_rsa}"));
    check(
        report,
        &[
            // Binance HMAC's one (the wire body), plus the joined prehash handed to ed25519-dalek
            // (the HMAC path streams the parts) and the base64 `String` of the signature (88
            // characters, then copied inline).
            ("binance_ed25519/post", &binance_ed25519.unwrap(), binance_post, 3),
            // Binance HMAC's one, the joined prehash, the signature buffer, its base64 `String`
            // and the returned 344-character signature (past the 128 kept inline), plus ring's.
            ("binance_rsa/post", &binance_rsa, binance_post, 5 + ring_rsa),
            // The joined prehash, the signature buffer, its base64 `String`, the returned
            // signature on the heap, plus ring's.
            ("bybit_rsa/post", &bybit_rsa, json_post, 4 + ring_rsa),
        ],
    );
}
