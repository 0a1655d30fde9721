//! Diagnoses one hostile rejected request and prints the verdict and what the search spent:
//! `cargo run --release --example hostile_diagnosis -- binance-form|query12|bybit-rsa|bybit-rsa-signer`.
//! Run it under `/usr/bin/time -v` to read the peak memory and the CPU time.

use cexsign::diagnose::{Budget, Context, SentRequest, run_within};
use cexsign::{
    BinanceKeyType, BinanceSigner, BybitKeyType, BybitSigner, Credentials, OkxEnvironment, OkxSigner, Scheme, Signer,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let case = std::env::args().nth(1).unwrap_or_else(|| "binance-form".to_owned());
    let (scheme, credentials, sent, with_secret) = match case.as_str() {
        "binance-form" => {
            // 64 KiB of `a&a&…`: one copy of the payload per pair, were they all built.
            let body = format!("{}timestamp=1700000000000&signature={}", "a&".repeat(32 * 1024), "0".repeat(64));
            let credentials = Credentials::new().api_key("key").secret("binance-secret");
            let sent = SentRequest::rest("POST", "/api/v3/order").with_body(body).with_auth("X-MBX-APIKEY", "key");
            (Scheme::Binance, credentials, sent, true)
        }
        "query12" => {
            let query: Vec<String> = (0..12).rev().map(|i| format!("k{i:02}=v{i}")).collect();
            let credentials = Credentials::new().api_key("key").secret("okx-secret").passphrase("pass");
            let sent = SentRequest::rest("GET", "/api/v5/account/balance")
                .with_query(&query.join("&"))
                .with_auth("OK-ACCESS-KEY", "key")
                .with_auth("OK-ACCESS-SIGN", "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=")
                .with_auth("OK-ACCESS-TIMESTAMP", "2020-12-08T09:08:57.715Z")
                .with_auth("OK-ACCESS-PASSPHRASE", "pass");
            (Scheme::Okx, credentials, sent, true)
        }
        "bybit-rsa" | "bybit-rsa-signer" => {
            let vectors: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string("tests/vectors/bybit.json")?)?;
            let pem = vectors["vectors"]
                .as_array()
                .and_then(|v| v.iter().find(|v| v["id"] == "bybit-pub-17-rsa-get"))
                .and_then(|v| v["credentials"]["secret"].as_str())
                .ok_or("no RSA vector")?
                .to_owned();
            let credentials = Credentials::new().api_key("XXXXXXXXXX").secret(pem);
            let sent = SentRequest::rest("GET", "/v5/order/realtime")
                .with_query("category=option&symbol=BTC-29JUL22-25000-C&limit=10")
                .with_auth("X-BAPI-API-KEY", "XXXXXXXXXX")
                .with_auth("X-BAPI-TIMESTAMP", "1658384314791")
                .with_auth("X-BAPI-SIGN", &"A".repeat(342))
                .with_auth("X-BAPI-RECV-WINDOW", "5000");
            (Scheme::Bybit, credentials, sent, case == "bybit-rsa")
        }
        other => return Err(format!("unknown case {other}").into()),
    };
    let signer: Box<dyn Signer> = match scheme {
        Scheme::Binance => Box::new(BinanceSigner::new(&credentials, BinanceKeyType::Hmac)?),
        Scheme::Okx => Box::new(OkxSigner::new(&credentials, OkxEnvironment::Live)?),
        _ => Box::new(BybitSigner::new(&credentials, BybitKeyType::Rsa)?),
    };
    let started = std::time::Instant::now();
    if with_secret {
        let (diagnosis, spent) = cexsign::diagnose::diagnose_within(scheme, &credentials, &sent, Budget::default())?;
        println!("{case}: {} in {:?}; spent {spent:?}", diagnosis.verdict(), started.elapsed());
    } else {
        // As the local exchange diagnoses: the key's signer, no raw secret.
        let context = Context {
            scheme,
            signer: signer.as_ref(),
            api_key: "XXXXXXXXXX",
            secrets: None,
            settings: None,
            hosts: Vec::new(),
            cdp_key: None,
        };
        let (diagnosis, spent) = run_within(&context, &sent, Budget::default())?;
        println!("{case}: {} in {:?}; spent {spent:?}", diagnosis.verdict(), started.elapsed());
    }
    Ok(())
}
