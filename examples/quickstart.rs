//! The main job, end to end: starts the embedded local exchange, then for every scheme signs and
//! sends real HTTP requests with reqwest — a GET with a tricky query, a POST with a JSON body and
//! the websocket login — and finally one request with a classic mistake, to show the
//! exchange-shaped rejection. Fake credentials, loopback only.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use std::process::ExitCode;
use std::time::Duration;

use cexsign::client::RequestBuilderExt;
use cexsign::local_exchange::{Account, LocalExchange};
use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, Error,
    KucoinKeyVersion, KucoinSigner, OkxEnvironment, OkxSigner, Scheme, Signer, Timestamp, WsRequest,
};

/// One scheme's fake key, its signer, and the requests a bot typically sends.
struct Venue {
    signer: Box<dyn Signer>,
    account: Option<Account>,
    get: &'static str,
    post: (&'static str, &'static str),
}

fn venues() -> Result<Vec<Venue>, Error> {
    let okx = Credentials::new()
        .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
        .secret("22582BD0CFF14C41EDBF1AB98506286D")
        .passphrase("Passphrase1!");
    let kucoin =
        || Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111");
    let delta = || {
        Credentials::new()
            .api_key("a207900b7693435a8fa9230a38195d")
            .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f")
    };
    let exchange = || {
        Credentials::new()
            .api_key("0123456789abcdef0123456789abcdef")
            .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
            .passphrase("testpassphrase")
    };
    let legacy = || Credentials::new().api_key("4wRFpLxVyT8hZ2Qn").secret("kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA");
    let cdp = || {
        Credentials::new()
            .api_key("22222222-2222-4222-8222-222222222222")
            .secret("rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==")
    };
    let okx_order = r#"{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"30000","sz":"0.01"}"#;
    let kucoin_order = r#"{"clientOid":"5c52e11203aa","side":"buy","symbol":"BTC-USDT","type":"limit","price":"30000","size":"0.01","remark":"龙"}"#;
    let delta_order = r#"{"order_type":"limit_order","size":3,"side":"buy","limit_price":"0.0005","product_id":16}"#;
    let exchange_order = r#"{"product_id":"BTC-USD","side":"buy","type":"limit","price":"1.0","size":"1.0"}"#;
    let coinbase_order = r#"{"client_order_id":"0000-1","product_id":"BTC-USD","side":"BUY","order_configuration":{"market_market_ioc":{"quote_size":"10"}}}"#;
    Ok(vec![
        Venue {
            signer: Box::new(OkxSigner::new(&okx, OkxEnvironment::Demo)?),
            account: Some(Account::okx(&okx, OkxEnvironment::Demo)?),
            get: "/api/v5/account/bills?ccy=BTC,ETH&type=2&after=&begin=1700000000000",
            post: ("/api/v5/trade/order", okx_order),
        },
        Venue {
            signer: Box::new(KucoinSigner::new(&kucoin(), KucoinKeyVersion::V3)?),
            account: Some(Account::kucoin(&kucoin(), KucoinKeyVersion::V3)?),
            get: "/api/v1/accounts/ledgers?currency=BTC&remark=Long-term+portfolio%21&note=%E9%BE%99",
            post: ("/api/v1/orders", kucoin_order),
        },
        Venue {
            signer: Box::new(DeltaSigner::new(&delta())?),
            account: Some(Account::delta(&delta())?),
            get: "/v2/orders?product_ids=27%2C139&states=open&states=pending",
            post: ("/v2/orders", delta_order),
        },
        Venue {
            signer: Box::new(CoinbaseExchangeSigner::new(&exchange())?.with_fraction_digits(3)?),
            account: Some(Account::coinbase_exchange(&exchange())?),
            get: "/orders?status=done&status=open&product_id=BTC-USD&limit=2",
            post: ("/orders", exchange_order),
        },
        Venue {
            signer: Box::new(CoinbaseCdpSigner::new(&cdp())?),
            account: Some(Account::coinbase_cdp(&cdp())?),
            get: "/api/v3/brokerage/orders/historical/fills?product_ids=BTC-USD&start_sequence_timestamp=2024-06-08T12%3A30%3A45Z",
            post: ("/api/v3/brokerage/orders", coinbase_order),
        },
        Venue {
            signer: Box::new(CoinbaseAdvancedHmacSigner::new(&legacy())?),
            account: Some(Account::coinbase_advanced_hmac(&legacy())?),
            get: "/api/v3/brokerage/accounts?limit=1&cursor=",
            post: ("/api/v3/brokerage/orders", coinbase_order),
        },
    ])
}

/// What a request came back with: the status, the exchange's own body (without the local
/// exchange's `cexsign_*` diagnostics), the local exchange's explanation and its diagnosis of
/// the mistake (`cexsign_diagnosis`: the catalogue code, or `correct` / `unknown`).
struct Reply {
    status: u16,
    body: String,
    reason: String,
    diagnosis: Option<String>,
}

/// `code: explanation` of a `cexsign_diagnosis` object.
fn diagnosis_line(diagnosis: &serde_json::Value) -> Option<String> {
    let code = diagnosis["mistake"].as_str().or_else(|| diagnosis["verdict"].as_str())?;
    let explanation = diagnosis["explanation"].as_str().unwrap_or_default();
    // The first sentence says what is wrong (for a correct signature: the first two, where else
    // to look); the fix follows `Fix:`.
    let sentences = if code == "correct" { 2 } else { 1 };
    let what: String = explanation.split_inclusive(". ").take(sentences).collect();
    let fix = explanation.split_once(" Fix: ").map(|(_, fix)| fix.split(" Found: ").next().unwrap_or(fix));
    Some(match fix {
        Some(fix) => format!("{code}: {} Fix: {fix}", what.trim_end()),
        None => format!("{code}: {}", what.trim_end()),
    })
}

async fn send(client: &reqwest::Client, request: reqwest::Request) -> Reply {
    let response = match client.execute(request).await {
        Ok(response) => response,
        Err(e) => {
            return Reply { status: 0, body: e.without_url().to_string(), reason: String::new(), diagnosis: None };
        }
    };
    let status = response.status().as_u16();
    // The header is JSON-string escaped to stay visible ASCII.
    let header_reason = response
        .headers()
        .get("cexsign-reason")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| serde_json::from_str::<String>(&format!("\"{v}\"")).ok());
    let header_diagnosis = response
        .headers()
        .get("cexsign-diagnosis")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| serde_json::from_str::<String>(&format!("\"{v}\"")).ok())
        .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok());
    let text = response.text().await.unwrap_or_default();
    let (body, reason, diagnosis) = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Object(mut fields)) => {
            let reason = fields.remove("cexsign_reason").and_then(|r| r.as_str().map(str::to_owned));
            fields.remove("cexsign_expected_prehash");
            let diagnosis = fields.remove("cexsign_diagnosis");
            (serde_json::Value::Object(fields).to_string(), reason, diagnosis)
        }
        _ => (text, None, None),
    };
    let diagnosis = diagnosis.or(header_diagnosis).as_ref().and_then(diagnosis_line);
    Reply { status, body, reason: reason.or(header_reason).unwrap_or_default(), diagnosis }
}

fn line(scheme: Scheme, what: &str, reply: &Reply) {
    let verdict = if reply.status == 200 { "accepted".to_owned() } else { format!("REJECTED {}", reply.body) };
    println!("{:<22} {what:<64} {} {verdict}", scheme.id(), reply.status);
}

/// Signs correctly, then breaks the request the way bots do, and returns (what, request).
fn with_mistake(
    venue: &Venue,
    client: &reqwest::Client,
    base: &str,
    now: Timestamp,
) -> Result<(String, reqwest::Request), Error> {
    let scheme = venue.signer.scheme();
    let (path, body) = venue.post;
    let post = |at| client.post(format!("{base}{path}")).body(body).build_signed(venue.signer.as_ref(), at);
    Ok(match scheme {
        Scheme::Okx => {
            let mut request = post(now)?;
            let spaced = body.replace("\":", "\": ").replace(',', ", ");
            *request.body_mut() = Some(spaced.into());
            ("mistake: JSON re-serialised with spaces after signing".into(), request)
        }
        Scheme::Kucoin => {
            let mut request = post(now)?;
            request.headers_mut().remove("kc-api-key-version");
            ("mistake: KC-API-KEY-VERSION dropped for a v3 key".into(), request)
        }
        Scheme::Delta => {
            let mut request = client.get(format!("{base}{}", venue.get)).build_signed(venue.signer.as_ref(), now)?;
            let reencoded = request.url().query().unwrap_or_default().replace("%2C", ",");
            request.url_mut().set_query(Some(&reencoded));
            ("mistake: query re-encoded after signing (%2C sent as ,)".into(), request)
        }
        Scheme::CoinbaseExchange => {
            let mut request = client.get(format!("{base}{}", venue.get)).build_signed(venue.signer.as_ref(), now)?;
            let mut pairs: Vec<&str> = request.url().query().unwrap_or_default().split('&').collect();
            pairs.sort_unstable();
            let sorted = pairs.join("&");
            request.url_mut().set_query(Some(&sorted));
            ("mistake: query parameters sorted after signing".into(), request)
        }
        Scheme::CoinbaseCdp => {
            let mut request = post(now)?;
            request.url_mut().set_path("/api/v3/brokerage/orders/batch_cancel");
            ("mistake: JWT built for another endpoint (uri claim)".into(), request)
        }
        _ => {
            let stale = Timestamp::from_unix_secs(now.unix_secs() - 90);
            ("mistake: timestamp 90 s old (a retry resent unchanged)".into(), post(stale)?)
        }
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("quickstart: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut venues = venues()?;
    let mut exchange = LocalExchange::new();
    for account in venues.iter_mut().filter_map(|venue| venue.account.take()) {
        exchange = exchange.with_account(account);
    }
    let exchange = exchange.start().await?;
    let base = exchange.base_url().to_owned();
    // Delta's CDN rejects requests without a User-Agent, and reqwest sends none by default.
    let client =
        reqwest::Client::builder().user_agent("cexsign-quickstart/0.1").timeout(Duration::from_secs(10)).build()?;
    println!("local exchange listening on {base}\n");

    let mut accepted = 0;
    for venue in &venues {
        let scheme = venue.signer.scheme();
        let now = Timestamp::now()?;
        let mut ok = true;

        let get = client.get(format!("{base}{}", venue.get)).build_signed(venue.signer.as_ref(), now)?;
        let what = format!("GET {}?{}", get.url().path(), get.url().query().unwrap_or_default());
        let reply = send(&client, get).await;
        line(scheme, &what, &reply);
        ok &= reply.status == 200;

        let (path, json) = venue.post;
        let post = client
            .post(format!("{base}{path}"))
            .header("content-type", "application/json")
            .body(json)
            .build_signed(venue.signer.as_ref(), now)?;
        let reply = send(&client, post).await;
        line(scheme, &format!("POST {path} ({} byte JSON body)", json.len()), &reply);
        ok &= reply.status == 200;

        let (what, reply) = match venue.signer.sign_ws(&WsRequest::subscribe(&["user"], &["BTC-USD"]), now) {
            Ok(ws) => {
                let url = format!("{base}/cexsign/ws/{}", scheme.id());
                let fields: Vec<&str> = ws.fields().iter().map(|f| f.name()).collect();
                let reply = send(&client, client.post(url).body(ws.message_json().to_owned()).build()?).await;
                (format!("websocket auth ({})", fields.join(", ")), reply)
            }
            // KuCoin's private socket takes a token from a signed REST call instead of a login.
            Err(Error::WsUnsupported { .. }) => {
                let bullet =
                    client.post(format!("{base}/api/v1/bullet-private")).build_signed(venue.signer.as_ref(), now)?;
                ("websocket token: POST /api/v1/bullet-private (empty body)".to_owned(), send(&client, bullet).await)
            }
            Err(e) => return Err(e.into()),
        };
        line(scheme, &what, &reply);
        ok &= reply.status == 200;

        let (what, bad) = with_mistake(venue, &client, &base, now)?;
        let reply = send(&client, bad).await;
        if reply.status == 200 {
            println!("{:<22} {what:<64} 200 ACCEPTED, but it should have been rejected", scheme.id());
        } else {
            println!("{:<22} {what:<64} {} {}", scheme.id(), reply.status, reply.body);
            println!("{:<22} ↳ {}", "", reply.reason);
            if let Some(diagnosis) = &reply.diagnosis {
                println!("{:<22} ↳ diagnosis: {diagnosis}", "");
            }
        }
        ok &= reply.status != 200;

        println!();
        accepted += usize::from(ok);
    }
    println!("{accepted}/{} schemes accepted by the local exchange", venues.len());
    exchange.shutdown().await;
    Ok(if accepted == venues.len() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
