//! Signs one realistic request per exchange scheme with fake credentials and shows what would be
//! sent: the request line, the exact prehash and the auth headers (secrets redacted).
//!
//! ```text
//! cargo run --example quickstart
//! ```

use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, KucoinKeyVersion,
    KucoinSigner, Method, OkxEnvironment, OkxSigner, SignOptions, SignableRequest, Signer, Timestamp, WsRequest,
};

/// Fake credentials in each exchange's format (the worked examples of the signing spec).
fn signers() -> Result<Vec<Box<dyn Signer>>, cexsign::Error> {
    Ok(vec![
        Box::new(OkxSigner::new(
            &Credentials::new()
                .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
                .secret("22582BD0CFF14C41EDBF1AB98506286D")
                .passphrase("Passphrase1!"),
            OkxEnvironment::Demo,
        )?),
        Box::new(KucoinSigner::new(
            &Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111"),
            KucoinKeyVersion::V3,
        )?),
        Box::new(DeltaSigner::new(
            &Credentials::new()
                .api_key("a207900b7693435a8fa9230a38195d")
                .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f"),
        )?),
        Box::new(CoinbaseExchangeSigner::new(
            &Credentials::new()
                .api_key("0123456789abcdef0123456789abcdef")
                .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
                .passphrase("testpassphrase"),
        )?),
        Box::new(CoinbaseAdvancedHmacSigner::new(
            &Credentials::new().api_key("4wRFpLxVyT8hZ2Qn").secret("kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA"),
        )?),
        Box::new(CoinbaseCdpSigner::new(
            &Credentials::new()
                .api_key("22222222-2222-4222-8222-222222222222")
                .secret("rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA=="),
        )?),
    ])
}

/// One typical private request per scheme: (method, path, query, body).
fn request_for(scheme: cexsign::Scheme) -> (Method, &'static str, &'static str, &'static str) {
    use cexsign::Scheme::*;
    match scheme {
        Okx => (
            Method::Post,
            "/api/v5/trade/order",
            "",
            r#"{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"30000","sz":"0.01"}"#,
        ),
        Kucoin => (Method::Get, "/api/v1/accounts/ledgers", "currency=BTC&remark=Long-term+portfolio", ""),
        Delta => (
            Method::Post,
            "/v2/orders",
            "",
            r#"{"order_type":"limit_order","size":3,"side":"buy","limit_price":"0.0005","product_id":16}"#,
        ),
        CoinbaseExchange => (Method::Get, "/orders", "status=done&limit=2", ""),
        CoinbaseAdvancedHmac => (Method::Get, "/api/v3/brokerage/accounts", "limit=1", ""),
        _ => (
            Method::Post,
            "/api/v3/brokerage/orders",
            "",
            r#"{"client_order_id":"0000-1","product_id":"BTC-USD","side":"BUY","order_configuration":{"market_market_ioc":{"quote_size":"10"}}}"#,
        ),
    }
}

fn main() -> Result<(), cexsign::Error> {
    let now = Timestamp::now()?;
    let options = SignOptions::new().keep_prehash();
    for signer in signers()? {
        let scheme = signer.scheme();
        let (method, path, query, body) = request_for(scheme);
        let request = SignableRequest::new(method, path)?.with_query(query)?.with_body(body.as_bytes());
        let signed = signer.sign_with(&request, now, &options)?;

        println!("== {scheme}");
        let separator = if query.is_empty() { "" } else { "?" };
        println!("   {method} {path}{separator}{query}");
        if let Some(prehash) = signed.prehash() {
            println!("   prehash: {prehash}");
        }
        for (name, value) in signed.headers() {
            let shown = if value.is_sensitive() { "[REDACTED]" } else { value.to_str().unwrap_or("[not text]") };
            println!("   {name}: {shown}");
        }
        if !body.is_empty() {
            println!("   body: {body}");
        }
        match signer.sign_ws(&WsRequest::subscribe(&["user"], &["BTC-USD"]), now) {
            Ok(ws) => {
                let fields: Vec<String> = ws
                    .fields()
                    .iter()
                    .map(|f| format!("{}={}", f.name(), if f.is_sensitive() { "[REDACTED]" } else { f.value() }))
                    .collect();
                println!("   websocket auth: {}", fields.join(" "));
            }
            Err(not_applicable) => println!("   websocket auth: {not_applicable}"),
        }
        println!();
    }
    Ok(())
}
