//! A host clock that is 90 s behind the exchange: the first signed request is rejected with the
//! exchange's timestamp error, the client syncs once from the server-time endpoint, and every
//! later request is accepted. Then the same through the middleware, which does it by itself.
//!
//! Every exchange of the registry whose home states a time bound (a window, or BitMEX's expiry)
//! and a server-time endpoint takes part, with the key and the first REST request of its
//! conformance vectors (`tests/vectors/<scheme id>.json`) that the local exchange takes as the
//! exchange's; the others are listed with what their home says instead (Kraken's nonce has no
//! window, so a skewed clock cannot get a Kraken request rejected).
//!
//! ```text
//! cargo run --example skewed_clock --features middleware
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use cexsign::client::{RequestBuilderExt, sync};
use cexsign::clock::{Clock, OffsetClock};
use cexsign::middleware::{ResyncOnTimestampRejection, SigningMiddleware};
use cexsign::rejection::classify;
use cexsign::{Exchange, HeaderCheck, RestVerification, Scheme, Signer, Timestamp, TimestampRule};
use cexsign_local_exchange::{Account, LocalExchange};

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{VectorRequest, rest_requests, vector_key};

const AHEAD_MILLIS: i64 = 90_000;

/// How far past a window wider than 90 s the exchange's clock is set (a CDP token lives 120 s,
/// so a 90 s skew is still inside it; 150 s is not).
const PAST_WINDOW_MILLIS: i64 = 30_000;

/// Why a scheme cannot show a skew fixed by one sync, in its home's words; `None` when it can.
fn left_out(exchange: &Exchange) -> Option<String> {
    let words = exchange.diagnosis.window_in_words.unwrap_or("none stated");
    let expires = matches!(
        exchange.rest_verification,
        RestVerification::Headers(HeaderCheck { timestamp: TimestampRule::Expires, .. })
    );
    if exchange.window.is_none() && !expires {
        return Some(format!("no time window ({words}): a skewed clock gets nothing rejected"));
    }
    if exchange.server_time.routes().next().is_none() {
        return Some(format!("no server-time endpoint to sync from (its window: {words})"));
    }
    None
}

/// How far ahead of this host the exchange's clock is for a scheme: 90 s, or further past a
/// wider window.
fn skew_millis(exchange: &Exchange) -> i64 {
    let past = exchange
        .window
        .map_or(0, |window| i64::try_from(window.as_millis()).unwrap_or(i64::MAX).saturating_add(PAST_WINDOW_MILLIS));
    AHEAD_MILLIS.max(past)
}

/// A vector's request, signed at `at`: its method, path and body; its query left out (the
/// schemes that sign inside the query put their own timestamp and signature there).
fn signed(
    client: &reqwest::Client,
    base: &str,
    request: &VectorRequest,
    signer: &dyn Signer,
    at: Timestamp,
) -> Result<reqwest::Request, Box<dyn std::error::Error>> {
    let method = reqwest::Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())?;
    let mut builder = client.request(method, format!("{base}{}", request.path));
    if !request.body.is_empty() {
        let json = request.body.starts_with('{') || request.body.starts_with('[');
        let content_type = if json { "application/json" } else { "application/x-www-form-urlencoded" };
        builder = builder.header("content-type", content_type).body(request.body.clone());
    }
    Ok(builder.build_signed(signer, at)?)
}

/// The first of the scheme's vector requests that the local exchange takes as the exchange's
/// (the signed request carries its marks, or its path is the exchange's).
fn routed_request(
    client: &reqwest::Client,
    base: &str,
    scheme: Scheme,
    signer: &dyn Signer,
) -> Result<VectorRequest, Box<dyn std::error::Error>> {
    let routing = &scheme.exchange().routing;
    for request in rest_requests(scheme)? {
        let Ok(built) = signed(client, base, &request, signer, Timestamp::now()?) else { continue };
        if routing.marks_request(built.headers(), &request.path) || routing.owns(&request.path).is_some() {
            return Ok(request);
        }
    }
    Err(format!("{}: no vector request the local exchange routes to it", scheme.id()).into())
}

/// Whether the local exchange accepted a request: its echo, not only a 200 (Bybit and Kraken
/// answer rejections with HTTP 200 too).
fn accepted(status: u16, body: &[u8]) -> bool {
    status == 200 && serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|echo| echo["cexsign"] == "accepted")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut exchange = LocalExchange::new().with_clock_offset_millis(AHEAD_MILLIS);
    let mut taking_part = Vec::new();
    for scheme in Scheme::ALL {
        if let Some(reason) = left_out(scheme.exchange()) {
            println!("{:<22} left out: {reason}", scheme.id());
            continue;
        }
        let (credentials, settings) = vector_key(scheme)?;
        let signer: Arc<dyn Signer> = Arc::from(scheme.exchange().signer(&credentials, &settings)?);
        exchange = exchange.with_account(Account::new(scheme, &credentials, &settings)?);
        taking_part.push((scheme, signer));
    }
    let exchange = exchange.start().await?;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::builder().user_agent("cexsign-skew-example").build()?;
    println!("\nlocal exchange at {base}, its clock {} s ahead of this host's\n", AHEAD_MILLIS / 1000);

    let mut venues = Vec::new();
    for (scheme, signer) in taking_part {
        let request = routed_request(&client, &base, scheme, signer.as_ref())?;
        venues.push((scheme, signer, request));
    }

    let mut good = 0;
    for (scheme, signer, request) in &venues {
        let clock = OffsetClock::new();
        let skew = skew_millis(scheme.exchange());
        exchange.set_clock_offset_millis(skew);

        let first = signed(&client, &base, request, signer.as_ref(), clock.now()?)?;
        let response = client.execute(first).await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        let verdict = classify(*scheme, status, &body);
        // Show the exchange's own body, without the local exchange's diagnostics.
        let shown = match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Object(mut fields)) => {
                fields.retain(|name, _| !name.starts_with("cexsign_"));
                serde_json::Value::Object(fields).to_string()
            }
            _ => String::from_utf8_lossy(&body).into_owned(),
        };
        let kind = verdict.as_ref().map_or("accepted".to_owned(), |r| format!("{:?} -> {:?}", r.kind, r.next_step));
        println!("{:<22} {} {}", scheme.id(), request.method, request.path);
        println!("{:<22} unsynced: {status} {} [{kind}]", "", shown.chars().take(90).collect::<String>());

        let started = Instant::now();
        let observed = sync(&client, &base, *scheme, &clock).await?;
        let took = started.elapsed();
        println!(
            "{:<22} synced once: offset {:+} ms (round trip {:?}, sync took {:.2} ms)",
            "",
            observed.offset_millis,
            observed.round_trip,
            took.as_secs_f64() * 1000.0
        );

        let mut accepted_after = 0;
        for _ in 0..3 {
            let again = signed(&client, &base, request, signer.as_ref(), clock.now()?)?;
            let response = client.execute(again).await?;
            let status = response.status().as_u16();
            accepted_after += usize::from(accepted(status, &response.bytes().await?));
        }
        println!("{:<22} after sync: {accepted_after}/3 accepted\n", "");
        let rejected_first = !accepted(status, &body) && verdict.is_some();
        good += usize::from(rejected_first && accepted_after == 3 && (observed.offset_millis - skew).abs() < 1_000);
    }

    // The middleware does the same by itself: one rejected attempt, one resync, one fresh attempt
    // (Binance's retry re-appends a fresh timestamp and signature; Bybit rejects with HTTP 200).
    exchange.set_clock_offset_millis(AHEAD_MILLIS);
    for (scheme, signer, request) in
        venues.iter().filter(|(s, ..)| [Scheme::Okx, Scheme::Binance, Scheme::Bybit].contains(s))
    {
        let clock = Arc::new(OffsetClock::new());
        let client = reqwest_middleware::ClientBuilder::new(client.clone())
            .with(ResyncOnTimestampRejection::new(*scheme, base.clone(), Arc::clone(&clock)))
            .with(SigningMiddleware::from_arc(Arc::clone(signer), clock.clone()))
            .build();
        let before = exchange.requests_served();
        let method = reqwest::Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())?;
        let response = client.request(method, format!("{base}{}", request.path)).send().await?;
        let status = response.status().as_u16();
        let verdict = if accepted(status, &response.bytes().await?) { "accepted" } else { "rejected" };
        println!(
            "middleware ({}): {verdict} after {} requests to the exchange; clock offset now {:+} ms",
            scheme.id(),
            exchange.requests_served() - before,
            clock.offset_millis()
        );
    }

    println!("\n{good}/{} schemes: rejected before sync, accepted after one sync", venues.len());
    exchange.shutdown().await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    std::process::exit(if good == venues.len() { 0 } else { 1 });
}
