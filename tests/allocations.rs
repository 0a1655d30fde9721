//! Heap allocations per `sign` call, per scheme, counted by a global allocator. The two returned
//! header values (signature and timestamp) each own one allocation (`http::HeaderValue` has no
//! inline storage); everything else on the HMAC hot path stays on the stack.
//!
//! This binary holds a single test so that no other test allocates while it counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, KucoinKeyVersion, KucoinSigner,
    Method, OkxEnvironment, OkxSigner, SignableRequest, Signer, Timestamp,
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
            assert_eq!(count, 2 + decoding, "{name} {input}: {count} allocations per sign");
        }
    }
    println!("allocations per sign: {}", report.join(", "));
}
