//! Retries that never place an order twice, offline: for every exchange, three orders go
//! through [`SafeRetries`] outside the [`SigningMiddleware`] to a local exchange that fails on
//! purpose — one meets a 429 with `Retry-After`, one a 503, one a lost response after the order
//! was placed — and each must end placed exactly once.
//!
//! ```text
//! cargo run --example safe_retries --features middleware
//! ```
//!
//! The last line is `N/N exchanges: each order placed exactly once`. Where an exchange
//! de-duplicates on its client order id, the policy repeats the order and the exchange refuses
//! the copy (or answers with the first); where its docs do not say it does, the policy does not
//! repeat an order whose fate is unknown: it answers "order state unknown", and the bot asks the
//! exchange for the order by its client order id before sending it again.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use cexsign::clock::SystemClock;
use cexsign::middleware::{RetryOutcome, SafeRetries, SigningMiddleware};
use cexsign::{Credentials, KeySettings, Scheme, Signer};
use cexsign_local_exchange::{Account, Fault, FaultRule, LocalExchange, RunningExchange};
use serde_json::Value;

/// A scheme's first conformance-vector key.
struct Venue {
    scheme: Scheme,
    api_key: String,
    signer: Arc<dyn Signer>,
    account: Option<Account>,
}

fn venues() -> Result<Vec<Venue>, Box<dyn std::error::Error>> {
    let mut venues = Vec::new();
    for scheme in Scheme::ALL {
        let path = format!("{}/tests/vectors/{}.json", env!("CARGO_MANIFEST_DIR"), scheme.id());
        let document: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let key = &document["vectors"][0]["credentials"];
        let text = |name: &str| key[name].as_str().unwrap_or_default().to_owned();
        let mut credentials = Credentials::new().api_key(text("api_key")).secret(text("secret"));
        // BitMart's vectors name the passphrase `memo`.
        if let Some(passphrase) = key["passphrase"].as_str().or_else(|| key["memo"].as_str()) {
            credentials = credentials.passphrase(passphrase);
        }
        let mut settings = KeySettings::new();
        if let Some(version) = key["key_version"].as_u64() {
            settings = settings.key_version(u32::try_from(version)?);
        }
        if let Some(key_type) = key["key_type"].as_str() {
            settings = settings.key_type(key_type);
        }
        let signer: Arc<dyn Signer> = Arc::from(scheme.exchange().signer(&credentials, &settings)?);
        let account = Account::new(scheme, &credentials, &settings)?;
        venues.push(Venue { scheme, api_key: text("api_key"), signer, account: Some(account) });
    }
    Ok(venues)
}

/// An order with a client order id, in the body type the exchange takes (a form for Binance and
/// Kraken, JSON elsewhere).
fn order(scheme: Scheme, client_order_id: &str) -> (&'static str, String) {
    let field = scheme.exchange().orders.client_order_id.map_or("clientOrderId", |id| id.field);
    match scheme {
        Scheme::Binance | Scheme::Kraken => (
            "application/x-www-form-urlencoded",
            format!("symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.001&price=30000&{field}={client_order_id}"),
        ),
        // An order action (its key order is signed), the client order id its order's `c`.
        Scheme::Hyperliquid => (
            "application/json",
            format!(
                r#"{{"type":"order","orders":[{{"a":0,"b":true,"p":"30000","s":"0.001","r":false,"t":{{"limit":{{"tif":"Gtc"}}}},"c":"{client_order_id}"}}],"grouping":"na"}}"#
            ),
        ),
        _ => {
            let mut body = serde_json::json!({"symbol": "BTC-USDT", "side": "buy", "size": "0.001", "price": "30000"});
            body[field] = Value::from(client_order_id);
            ("application/json", body.to_string())
        }
    }
}

/// Places one order as a careful bot does; says how it ended.
async fn place(
    client: &reqwest_middleware::ClientWithMiddleware,
    exchange: &RunningExchange,
    venue: &Venue,
    path: &str,
    client_order_id: &str,
) -> Result<&'static str, String> {
    let (content_type, body) = order(venue.scheme, client_order_id);
    let send = || {
        client
            .post(format!("{}{path}", exchange.base_url()))
            .header("content-type", content_type)
            .body(body.clone())
            .send()
    };
    match send().await {
        Ok(response) => {
            let text = response.text().await.map_err(|e| e.to_string())?;
            if text.contains(r#""cexsign":"accepted""#) { Ok("placed") } else { Err(format!("refused: {text}")) }
        }
        Err(error) => match RetryOutcome::of(&error) {
            Some(RetryOutcome::PlacedByEarlierAttempt { .. }) => {
                Ok("placed; its repeat refused by its client order id")
            }
            Some(RetryOutcome::StateUnknown { .. }) => {
                // What the exchange's order-query endpoint would tell: is there an order with
                // this client order id?
                if exchange.has_order(venue.scheme, &venue.api_key, client_order_id) {
                    return Ok("state unknown; found by its client order id, not resent");
                }
                let response = send().await.map_err(|e| e.to_string())?;
                let text = response.text().await.map_err(|e| e.to_string())?;
                if text.contains(r#""cexsign":"accepted""#) {
                    Ok("state unknown; not found by its client order id, resent and placed")
                } else {
                    Err(format!("resent and refused: {text}"))
                }
            }
            _ => Err(error.to_string()),
        },
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let mut venues = venues()?;
    let exchange = venues
        .iter_mut()
        .filter_map(|venue| venue.account.take())
        .fold(LocalExchange::new(), LocalExchange::with_account);
    let exchange = exchange.start().await?;
    let mut exactly_once = 0;
    for venue in &venues {
        let client = reqwest_middleware::ClientBuilder::new(
            reqwest::Client::builder().user_agent("cexsign-safe-retries").timeout(Duration::from_secs(10)).build()?,
        )
        // Outside signing: every attempt it allows is signed afresh below it.
        .with(
            SafeRetries::new(venue.scheme)
                .with_backoff(Duration::from_millis(20))
                .with_max_wait(Duration::from_secs(2)),
        )
        .with(SigningMiddleware::from_arc(Arc::clone(&venue.signer), Arc::new(SystemClock)))
        .build();
        let exchange_info = venue.scheme.exchange();
        let path = exchange_info.orders.placing[0].path.replace('*', "usdt");
        let mut all_once = true;
        let mut told = Vec::new();
        for (what, fault, client_order_id) in [
            ("429", Fault::rate_limited(Duration::from_secs(1)), "t-safe-429"),
            ("503", Fault::Status(503), "t-safe-503"),
            ("lost response", Fault::lose_response(), "t-safe-lost"),
        ] {
            exchange.add_faults(FaultRule::new(path.clone()).method("POST").key(venue.api_key.clone()).then(fault));
            let placed_before = exchange.orders_placed();
            let outcome = place(&client, &exchange, venue, &path, client_order_id).await;
            let placed = exchange.orders_placed() - placed_before;
            let once = placed == 1 && exchange.has_order(venue.scheme, &venue.api_key, client_order_id);
            all_once &= once && outcome.is_ok();
            told.push(format!("{what}: {} ({placed} placed)", outcome.map_or_else(|e| e, str::to_owned)));
            exchange.clear_faults();
        }
        exactly_once += usize::from(all_once);
        println!("{} — {}", exchange_info.name, told.join("; "));
    }
    println!("{exactly_once}/{} exchanges: each order placed exactly once", venues.len());
    Ok(exactly_once == venues.len())
}
