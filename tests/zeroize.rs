//! Secrets are wiped before their memory is given back: proven by looking at that memory.
//!
//! A test-only global allocator hands out zero-filled blocks and, while a probe is armed, scans
//! every block the program frees for the first bytes of each secret (its text, and its decoded
//! bytes where the crate decodes it). A secret kept in a `secrecy` box, a `Zeroizing` buffer or
//! a zeroizing key type is overwritten before it is freed, so it is never found; a copy kept in
//! a plain `String`, `Vec` or `http::HeaderValue` is found. Reallocation goes through `alloc`,
//! copy and `dealloc`, so a buffer that grew while holding a secret counts as a freed copy too.
//!
//! What this cannot see: copies on the stack, copies in blocks still allocated when the probe
//! is disarmed (none here: everything is dropped inside the probe), and copies the operating
//! system makes (swap, core dumps).
//!
//! The library forbids unsafe code; this test binary implements `GlobalAlloc` (an unsafe trait)
//! by delegating to the system allocator, and reads each block it frees, which it zero-filled
//! when allocating, so every byte it reads was written. It holds a single test, so no other
//! test allocates while it scans.

#![cfg(feature = "cdp")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use base64::Engine as _;
use cexsign::{
    BinanceKeyType, BinanceSigner, BitgetSigner, BybitKeyType, BybitSigner, CoinbaseAdvancedHmacSigner,
    CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, GateSigner, KeySettings, KrakenSigner,
    KucoinKeyVersion, KucoinSigner, Method, OkxEnvironment, OkxSigner, Scheme, SignableRequest, Signer, Timestamp,
    WsRequest,
};
use cexsign_local_exchange::Account;

struct Scanning;

static ARMED: AtomicBool = AtomicBool::new(false);
static NEEDLES: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
static FOUND: [AtomicUsize; 4] = [const { AtomicUsize::new(0) }; 4];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|window| window == needle)
}

// SAFETY: every call is delegated unchanged to the system allocator; `alloc` asks it for zeroed
// memory so that `dealloc` reads only initialised bytes of a block that is still allocated.
unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes, zero-filled at allocation.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            // Never block inside the allocator: the probe holds the lock only while disarmed.
            if let Ok(needles) = NEEDLES.try_lock() {
                for (found, needle) in FOUND.iter().zip(needles.iter()) {
                    if contains(block, needle) {
                        found.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Scanning = Scanning;

/// Runs `work` with the probe armed and returns, per needle, how many freed blocks held it.
fn freed_copies(needles: &[&[u8]], work: impl FnOnce()) -> Vec<usize> {
    assert!(needles.len() <= FOUND.len());
    *NEEDLES.lock().unwrap() = needles.iter().map(|n| n.to_vec()).collect();
    for found in &FOUND {
        found.store(0, Ordering::SeqCst);
    }
    ARMED.store(true, Ordering::SeqCst);
    work();
    ARMED.store(false, Ordering::SeqCst);
    FOUND[..needles.len()].iter().map(|f| f.load(Ordering::SeqCst)).collect()
}

/// An owned copy with no spare capacity, so that handing it to `Credentials` moves the block
/// as it is (a `String` with spare capacity would be shrunk, i.e. copied, by the conversion).
fn owned(text: &str) -> String {
    let mut owned = String::with_capacity(text.len());
    owned.push_str(text);
    assert_eq!(owned.capacity(), owned.len());
    owned
}

/// Signs a REST request and a websocket login with `signer`, then drops everything.
fn use_signer(signer: &dyn Signer) {
    // Schemes that sign inside their parameters (Binance) read a form body, never JSON.
    let signs_parameters = signer
        .scheme()
        .exchange()
        .recipe
        .as_ref()
        .is_ok_and(|recipe| matches!(recipe.signature_in, cexsign::recipe::Carrier::Parameter(_)));
    let body: &[u8] = if signs_parameters { b"side=BUY" } else { br#"{"side":"BUY"}"# };
    let request = SignableRequest::new(Method::Post, "/api/v3/brokerage/orders")
        .and_then(|r| r.with_query("a=1"))
        .unwrap()
        .with_body(body);
    let at = Timestamp::from_unix_secs(1_700_000_000);
    drop(signer.sign(&request, at).unwrap());
    let _ = signer.sign_ws(&WsRequest::subscribe(&["user"], &["BTC-USD"]), at);
}

const HMAC_SECRET: &str = "ZEROIZEPROBEhmac-7f3c9a1e5b2d8c4f6a0b";
const PASSPHRASE: &str = "PASSPROBE-q7Wz3k";
const PEM_ES256: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49
AwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR
s8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==
-----END EC PRIVATE KEY-----
";

#[test]
fn secrets_are_wiped_before_their_memory_is_freed() {
    let mut report = Vec::new();
    let probe16 = |text: &str| text.as_bytes()[..16].to_vec();

    // The probe sees what it should: a plain `String` freed with the secret in it, and not a
    // `SecretString`.
    let plain = owned(HMAC_SECRET);
    assert_eq!(freed_copies(&[&probe16(HMAC_SECRET)], move || drop(plain)), [1], "the probe sees a plain copy");
    let boxed = secrecy::SecretString::from(owned(HMAC_SECRET));
    assert_eq!(freed_copies(&[&probe16(HMAC_SECRET)], move || drop(boxed)), [0], "the probe sees no wiped copy");

    // A clone of the credentials holds its own boxed copies: dropping the original and the clone
    // frees two blocks holding the secret and two holding the passphrase, all four wiped.
    let (secret, passphrase) = (owned(HMAC_SECRET), owned(PASSPHRASE));
    let found = freed_copies(&[&probe16(HMAC_SECRET), &probe16(PASSPHRASE)], move || {
        let original = Credentials::new().api_key("visible-key").secret(secret).passphrase(passphrase);
        let copy = original.clone();
        drop(original);
        drop(copy);
    });
    report.push(format!("credentials and their clone: secret {} freed copies, passphrase {}", found[0], found[1]));
    assert_eq!(found, [0, 0], "a clone of the credentials was freed without being wiped");

    // HMAC schemes: the secret text (the keyed HMAC state holds no copy of it), and the
    // passphrase, which is sent in a header.
    type Build = fn(&Credentials) -> Box<dyn Signer>;
    let hmac: [(&str, Build); 10] = [
        ("binance", |c| Box::new(BinanceSigner::new(c, BinanceKeyType::Hmac).unwrap())),
        ("bybit", |c| Box::new(BybitSigner::new(c, BybitKeyType::Hmac).unwrap())),
        ("bitget", |c| Box::new(BitgetSigner::new(c).unwrap())),
        ("gate", |c| Box::new(GateSigner::new(c).unwrap())),
        ("okx", |c| Box::new(OkxSigner::new(c, OkxEnvironment::Live).unwrap())),
        ("kucoin v1", |c| Box::new(KucoinSigner::new(c, KucoinKeyVersion::V1).unwrap())),
        ("kucoin v3", |c| Box::new(KucoinSigner::new(c, KucoinKeyVersion::V3).unwrap())),
        ("delta", |c| Box::new(DeltaSigner::new(c).unwrap())),
        ("coinbase advanced", |c| Box::new(CoinbaseAdvancedHmacSigner::new(c).unwrap())),
        ("local exchange account (okx)", |c| {
            drop(Account::new(Scheme::Okx, c, &KeySettings::new().demo(true)).unwrap());
            Box::new(OkxSigner::new(c, OkxEnvironment::Demo).unwrap())
        }),
    ];
    let (secret_needle, passphrase_needle) = (probe16(HMAC_SECRET), probe16(PASSPHRASE));
    for (name, build) in hmac {
        let (secret, passphrase) = (owned(HMAC_SECRET), owned(PASSPHRASE));
        let found = freed_copies(&[&secret_needle, &passphrase_needle], move || {
            let credentials = Credentials::new().api_key("visible-key").secret(secret).passphrase(passphrase);
            let signer = build(&credentials);
            use_signer(signer.as_ref());
        });
        report.push(format!("{name}: secret {} freed copies, passphrase {}", found[0], found[1]));
        assert_eq!(found[0], 0, "{name}: the secret was freed without being wiped");
    }

    // Coinbase Exchange and Kraken: the base64 text and the 64 bytes it decodes to.
    let key: Vec<u8> = (0u8..64).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
    let text = base64::engine::general_purpose::STANDARD.encode(&key);
    let (text_needle, key_needle) = (probe16(&text), key[..16].to_vec());
    let decoded: [(&str, Build); 2] = [
        ("coinbase exchange", |c| Box::new(CoinbaseExchangeSigner::new(c).unwrap())),
        ("kraken", |c| Box::new(KrakenSigner::new(c).unwrap())),
    ];
    for (name, build) in decoded {
        let secret = owned(&text);
        let found = freed_copies(&[&text_needle, &key_needle], move || {
            let credentials = Credentials::new().api_key("visible-key").secret(secret).passphrase(owned(PASSPHRASE));
            use_signer(build(&credentials).as_ref());
        });
        report.push(format!("{name}: secret text {} freed copies, decoded key {}", found[0], found[1]));
        assert_eq!(found, [0, 0], "{name}: the secret was freed without being wiped");
    }

    // Binance Ed25519 and RSA, Bybit RSA keys: the PEM text and the DER it decodes to (for
    // Ed25519 the seed). Not covered for RSA: ring's `RsaKeyPair` keeps the private key as
    // big-number limbs, which a search for the key's bytes cannot find, and does not wipe them
    // (THREAT_MODEL.md).
    let vectors: serde_json::Value = serde_json::from_str(include_str!("vectors/binance.json")).unwrap();
    let pem_of = |key_type: &str| {
        let vector = vectors["vectors"].as_array().unwrap().iter().find(|v| v["credentials"]["key_type"] == key_type);
        vector.unwrap()["credentials"]["secret"].as_str().unwrap().to_owned()
    };
    type BuildPem = fn(&Credentials) -> Box<dyn Signer>;
    let pem_keys: [(&str, String, BuildPem); 3] = [
        ("binance ed25519", pem_of("Ed25519"), |c| Box::new(BinanceSigner::new(c, BinanceKeyType::Ed25519).unwrap())),
        ("binance rsa", pem_of("RSA"), |c| Box::new(BinanceSigner::new(c, BinanceKeyType::Rsa).unwrap())),
        ("bybit rsa", pem_of("RSA"), |c| Box::new(BybitSigner::new(c, BybitKeyType::Rsa).unwrap())),
    ];
    for (name, pem, build) in pem_keys {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD.decode(&body).unwrap();
        // The seed of an Ed25519 PKCS#8 key is its last 32 bytes; for RSA, bytes from the middle
        // of the private key (past the modulus), which no public value contains.
        let secret_bytes = if der.len() < 100 { der[der.len() - 32..][..16].to_vec() } else { der[600..616].to_vec() };
        // The end of a base64 line of the key body (the start of the first line is the same
        // for every key of a type: the PKCS#8 header).
        let lines: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let line = lines[lines.len().min(2) - 1];
        let pem_needle = line.as_bytes()[line.len() - 16..].to_vec();
        let secret = owned(&pem);
        let found = freed_copies(&[&pem_needle, &secret_bytes], move || {
            let credentials = Credentials::new().api_key("visible-key").secret(secret);
            use_signer(build(&credentials).as_ref());
        });
        report.push(format!("{name}: PEM text {} freed copies, private key bytes {}", found[0], found[1]));
        assert_eq!(found, [0, 0], "{name}: the key was freed without being wiped");
    }

    // Coinbase CDP, Ed25519: the base64 text of seed ‖ public key, and the seed.
    let seed: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(73).wrapping_add(5));
    let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
    let text = base64::engine::general_purpose::STANDARD.encode([&seed[..], public.as_bytes()].concat());
    let (text_needle, seed_needle) = (probe16(&text), seed[..16].to_vec());
    let secret = owned(&text);
    let found = freed_copies(&[&text_needle, &seed_needle], move || {
        let credentials = Credentials::new().api_key("22222222-2222-4222-8222-222222222222").secret(secret);
        let signer: Box<dyn Signer> = Box::new(CoinbaseCdpSigner::new(&credentials).unwrap());
        use_signer(signer.as_ref());
    });
    report.push(format!("coinbase cdp ed25519: secret text {} freed copies, seed {}", found[0], found[1]));
    let ed25519 = found;

    // Coinbase CDP, ES256: the PEM text and the private scalar as bytes (p256 parses the PEM and
    // wipes what it decoded). Not covered: ring's `EcdsaKeyPair` keeps the scalar in Montgomery
    // form (and a nonce key derived from it), which a search for the key's bytes cannot find,
    // and does not wipe them (see THREAT_MODEL.md).
    let der = base64::engine::general_purpose::STANDARD.decode(PEM_ES256.lines().skip(1).take(3).collect::<String>());
    let scalar = der.unwrap()[7..39].to_vec();
    let (pem_needle, scalar_needle) =
        (PEM_ES256.lines().nth(1).unwrap().as_bytes()[..16].to_vec(), scalar[..16].to_vec());
    let secret = owned(PEM_ES256);
    let found = freed_copies(&[&pem_needle, &scalar_needle], move || {
        let credentials = Credentials::new()
            .api_key("organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111")
            .secret(secret);
        let signer: Box<dyn Signer> = Box::new(CoinbaseCdpSigner::new(&credentials).unwrap());
        use_signer(signer.as_ref());
    });
    report.push(format!("coinbase cdp es256: PEM text {} freed copies, private scalar {}", found[0], found[1]));
    let es256 = found;

    // The same PEM as found in .env files, with a literal `\n` for each line break.
    let secret = owned(&PEM_ES256.replace('\n', "\\n"));
    let found = freed_copies(&[&pem_needle, &scalar_needle], move || {
        let credentials = Credentials::new()
            .api_key("organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111")
            .secret(secret);
        let signer: Box<dyn Signer> = Box::new(CoinbaseCdpSigner::new(&credentials).unwrap());
        use_signer(signer.as_ref());
    });
    report.push(format!(
        "coinbase cdp es256, escaped newlines: PEM text {} freed copies, private scalar {}",
        found[0], found[1]
    ));
    let es256_escaped = found;

    println!("{}", report.join("\n"));
    assert_eq!(ed25519, [0, 0], "coinbase cdp ed25519: the key was freed without being wiped");
    assert_eq!(es256, [0, 0], "coinbase cdp es256: the key was freed without being wiped");
    // Found by this test and fixed: the key parser used to normalise the secret text into growing
    // `String`s (`str::replace` for literal `\n`, `collect` to drop whitespace from base64), each
    // outgrown buffer freed unwiped with a prefix of the secret in it.
    assert_eq!(
        es256_escaped,
        [0, 0],
        "coinbase cdp es256 with escaped newlines: the key was freed without being wiped"
    );
}
