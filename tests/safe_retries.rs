//! The retry recipes, against a local exchange that fails on purpose: [`SafeRetries`] places
//! every order exactly once, on every exchange; a plain transient-retry layer around the signing
//! layer (the trap) places an order twice when it carries no client order id, and is saved by
//! the exchange's duplicate refusal when it carries one the exchange de-duplicates on.

#![cfg(all(feature = "middleware", feature = "cdp"))]

mod venues;

use std::sync::Arc;
use std::time::Duration;

use cexsign::clock::SystemClock;
use cexsign::middleware::{RetryOutcome, SafeRetries, SigningMiddleware};
use cexsign::{DuplicateOrder, Scheme};
use cexsign_local_exchange::{Fault, FaultRule};
use http::Extensions;
use reqwest_middleware::{ClientWithMiddleware, Middleware, Next};
use venues::{Venue, local_exchange, venues};

/// The trap: repeats any attempt that failed or answered 5xx, as a transient-retry layer does.
struct PlainTransientRetry;

#[async_trait::async_trait]
impl Middleware for PlainTransientRetry {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let replay = request.try_clone().unwrap();
        match next.clone().run(request, extensions).await {
            Ok(response) if !response.status().is_server_error() => Ok(response),
            _ => next.run(replay, extensions).await,
        }
    }
}

fn signing(venue: &Venue) -> SigningMiddleware {
    SigningMiddleware::from_arc(Arc::<dyn cexsign::Signer>::from(venue.signer()), Arc::new(SystemClock))
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder().user_agent("cexsign-tests").timeout(Duration::from_secs(10)).build().unwrap()
}

fn safe_client(venue: &Venue) -> ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(http_client())
        .with(SafeRetries::new(venue.scheme).with_backoff(Duration::from_millis(5)))
        .with(signing(venue))
        .build()
}

fn trap_client(venue: &Venue) -> ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(http_client()).with(PlainTransientRetry).with(signing(venue)).build()
}

async fn post_order(
    client: &ClientWithMiddleware,
    base_url: &str,
    venue: &Venue,
    id: Option<&str>,
) -> reqwest_middleware::Result<reqwest::Response> {
    // Kraken's nonce is the millisecond clock: never two signatures in one.
    tokio::time::sleep(Duration::from_millis(2)).await;
    let (content_type, body) = venue.order_body(id);
    client
        .post(format!("{base_url}{}", venue.order_path()))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
}

#[tokio::test]
async fn a_lost_response_through_the_safe_policy_places_exactly_one_order_on_every_exchange() {
    let venues = venues();
    let exchange = local_exchange(&venues).start().await.unwrap();
    for venue in &venues {
        let name = venue.scheme.exchange().id;
        let id = "t-lost-1";
        exchange.add_faults(FaultRule::new(venue.order_path()).key(venue.api_key.clone()).then(Fault::lose_response()));
        let placed = exchange.orders_placed();
        let outcome = post_order(&safe_client(venue), exchange.base_url(), venue, Some(id)).await;
        assert_eq!(exchange.orders_placed() - placed, 1, "{name}");
        match venue.scheme.exchange().orders.duplicate {
            DuplicateOrder::Refused(_) => assert!(
                matches!(
                    outcome.as_ref().map_err(RetryOutcome::of),
                    Err(Some(RetryOutcome::PlacedByEarlierAttempt { attempts: 2, .. }))
                ),
                "{name}: {outcome:?}"
            ),
            DuplicateOrder::ReturnsExisting => assert_eq!(outcome.unwrap().status(), 200, "{name}"),
            _ => {
                let error = outcome.unwrap_err();
                let Some(RetryOutcome::StateUnknown { attempts, client_order_id, .. }) = RetryOutcome::of(&error)
                else {
                    panic!("{name}: {error:?}");
                };
                assert_eq!((*attempts, client_order_id.as_deref()), (1, Some(id)), "{name}");
                assert!(error.to_string().contains("query the order by its client order id"), "{error}");
            }
        }
    }
    exchange.shutdown().await;
}

#[tokio::test]
async fn busy_and_rate_limited_answers_are_repeated_after_retry_after_and_place_one_order() {
    let venues = venues();
    let exchange = local_exchange(&venues).start().await.unwrap();
    let okx = venues.iter().find(|v| v.scheme == Scheme::Okx).unwrap();
    exchange.add_faults(FaultRule::new("*").then(Fault::Busy).then(Fault::rate_limited(Duration::from_secs(1))));
    let started = std::time::Instant::now();
    // No client order id: repeating is safe only because the exchange said it did not act.
    let response = post_order(&safe_client(okx), exchange.base_url(), okx, None).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was not honoured");
    assert_eq!(exchange.orders_placed(), 1);
    let faults: Vec<_> = exchange.verified_requests().iter().map(|echo| echo["fault"].clone()).collect();
    assert_eq!(faults, [serde_json::json!("busy"), serde_json::json!("rate_limited 1s"), serde_json::Value::Null]);
    exchange.shutdown().await;
}

#[tokio::test]
async fn a_server_error_on_an_order_without_an_id_is_not_repeated_by_the_safe_policy() {
    let venues = venues();
    let exchange = local_exchange(&venues).start().await.unwrap();
    let okx = venues.iter().find(|v| v.scheme == Scheme::Okx).unwrap();
    exchange.add_faults(FaultRule::new("*").then(Fault::StatusAfterProcessing(503)));
    let error = post_order(&safe_client(okx), exchange.base_url(), okx, None).await.unwrap_err();
    assert!(matches!(
        RetryOutcome::of(&error),
        Some(RetryOutcome::StateUnknown { attempts: 1, client_order_id: None, .. })
    ));
    assert_eq!(exchange.orders_placed(), 1);
    exchange.shutdown().await;
}

#[tokio::test]
async fn the_trap_places_an_order_twice_without_an_id_and_the_exchange_refuses_the_copy_with_one() {
    let venues = venues();
    let exchange = local_exchange(&venues).start().await.unwrap();
    let okx = venues.iter().find(|v| v.scheme == Scheme::Okx).unwrap();
    // The Why of issue 17: one 503 after the exchange acted, a plain retry outside signing.
    exchange.add_faults(FaultRule::new("*").then(Fault::StatusAfterProcessing(503)));
    let response = post_order(&trap_client(okx), exchange.base_url(), okx, None).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(exchange.orders_placed(), 2, "the trap placed the order twice");
    // With a client order id OKX de-duplicates on, the copy is refused, not placed.
    exchange.add_faults(FaultRule::new("*").then(Fault::StatusAfterProcessing(503)));
    let response = post_order(&trap_client(okx), exchange.base_url(), okx, Some("trap-1")).await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["data"][0]["sCode"], "51016", "{body}");
    assert_eq!(exchange.orders_placed(), 3);
    exchange.shutdown().await;
}
