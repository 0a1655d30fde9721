//! Faults on purpose, through real HTTP: the local exchange answers busy, rate-limited and
//! failing requests with the exchange's own bodies, delays answers, closes connections before
//! it acts on a request, and loses the answer to an order it placed — and its log says which
//! fault fired.

#![cfg(all(feature = "reqwest", feature = "cdp"))]

mod venues;

use std::time::{Duration, Instant};

use cexsign::Scheme;
use cexsign::rejection::{Read, RejectionKind, Response, classify};
use cexsign_local_exchange::{Fault, FaultRule, LocalExchange, RunningExchange};
use serde_json::Value;
use venues::{Venue, client, local_exchange, send, venues};

fn okx(venues: &[Venue]) -> &Venue {
    venues.iter().find(|v| v.scheme == Scheme::Okx).unwrap()
}

fn last_logged(exchange: &RunningExchange) -> Value {
    exchange.verified_requests().last().cloned().unwrap_or_default()
}

/// What each exchange documents as "busy, not processed", written down from its docs: (HTTP
/// status, code); `None` where its docs name no such answer.
fn expected_busy(scheme: Scheme) -> Option<(u16, &'static str)> {
    match scheme {
        Scheme::Okx => Some((503, "50001")),
        Scheme::Binance => Some((503, "-1008")),
        Scheme::Kraken => Some((200, "EService:Unavailable")),
        Scheme::Bitmex => Some((503, "The system is currently overloaded. Please try again later.")),
        _ => None,
    }
}

fn code_in(scheme: Scheme, status: u16, body: &Value) -> Option<&'static str> {
    let text = body.to_string();
    let response = Response { status, json: Some(body), text: &text };
    let table = &scheme.exchange().errors;
    table.read(&response).iter().find_map(|read: &Read| table.lookup(read)).map(|entry| entry.code)
}

#[tokio::test]
async fn a_429_carries_retry_after_and_the_exchanges_rate_limit_body_and_places_nothing() {
    let venues = venues();
    let exchange = local_exchange(&venues).start().await.unwrap();
    let client = client();
    for venue in &venues {
        let name = venue.scheme.exchange().id;
        let placed = exchange.orders_placed();
        exchange.add_faults(FaultRule::new(venue.order_path()).then(Fault::rate_limited(Duration::from_millis(1500))));
        let response = client.execute(venue.signed_order(&client, exchange.base_url(), Some("t-429"))).await.unwrap();
        assert_eq!(response.status(), 429, "{name}");
        assert_eq!(response.headers()["retry-after"], "2", "{name}");
        let body = response.text().await.unwrap();
        let rejection = classify(venue.scheme, 429, body.as_bytes()).unwrap();
        assert_eq!(rejection.kind, RejectionKind::RateLimited, "{name}: {body}");
        assert_eq!(exchange.orders_placed(), placed, "{name}");
        assert_eq!(last_logged(&exchange)["fault"], "rate_limited 2s", "{name}");
        assert!(last_logged(&exchange).get("order").is_none(), "{name}");
        // Nothing was placed, so the same id goes through next.
        let (status, body) = send(&client, venue.signed_order(&client, exchange.base_url(), Some("t-429"))).await;
        assert_eq!((status, body["cexsign"].as_str()), (200, Some("accepted")), "{name}: {body}");
        assert_eq!(exchange.orders_placed(), placed + 1, "{name}");
    }
    exchange.shutdown().await;
}

#[tokio::test]
async fn busy_is_the_exchanges_documented_not_processed_answer() {
    let venues = venues();
    let exchange = local_exchange(&venues).start().await.unwrap();
    let client = client();
    for venue in &venues {
        let name = venue.scheme.exchange().id;
        let placed = exchange.orders_placed();
        exchange.add_faults(FaultRule::new(venue.order_path()).method("POST").then(Fault::Busy));
        let (status, body) = send(&client, venue.signed_order(&client, exchange.base_url(), Some("t-busy"))).await;
        match expected_busy(venue.scheme) {
            Some((expected_status, code)) => {
                assert_eq!(status, expected_status, "{name}: {body}");
                assert_eq!(code_in(venue.scheme, status, &body), Some(code), "{name}: {body}");
            }
            None => {
                assert_eq!(status, 503, "{name}: {body}");
                assert_eq!(body["cexsign"], "injected fault", "{name}: {body}");
            }
        }
        assert_eq!(exchange.orders_placed(), placed, "{name}");
        assert_eq!(last_logged(&exchange)["fault"], "busy", "{name}");
    }
    exchange.shutdown().await;
}

#[tokio::test]
async fn a_status_fault_answers_before_processing_and_only_matching_requests_take_it() {
    let venues = venues();
    let okx = okx(&venues);
    let other_key = &venues.iter().find(|v| v.scheme == Scheme::Kucoin).unwrap().api_key;
    let exchange = local_exchange(&venues)
        .with_faults(FaultRule::new("/api/v5/*").method("POST").key(other_key.clone()).then(Fault::Status(500)))
        .with_faults(FaultRule::new("/api/v5/*").method("POST").key(okx.api_key.clone()).then(Fault::Status(502)))
        .start()
        .await
        .unwrap();
    let client = client();
    let (status, body) = send(&client, okx.signed_order(&client, exchange.base_url(), Some("s1"))).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["processed"], false, "{body}");
    assert_eq!(exchange.orders_placed(), 0);
    assert_eq!(last_logged(&exchange)["fault"], "status 502");
    // The schedule ran out: the next one goes through, and the other key's rule never fired.
    let (status, body) = send(&client, okx.signed_order(&client, exchange.base_url(), Some("s1"))).await;
    assert_eq!((status, body["cexsign"].as_str()), (200, Some("accepted")), "{body}");
    assert_eq!(exchange.orders_placed(), 1);
    assert!(last_logged(&exchange).get("fault").is_none());
    exchange.shutdown().await;
}

#[tokio::test]
async fn latency_delays_the_answer_and_is_logged() {
    let venues = venues();
    let okx = okx(&venues);
    let exchange = local_exchange(&venues)
        .with_faults(FaultRule::new("*").then(Fault::Latency(Duration::from_millis(300))))
        .start()
        .await
        .unwrap();
    let client = client();
    let started = Instant::now();
    let (status, body) = send(&client, okx.signed_order(&client, exchange.base_url(), Some("l1"))).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!((status, body["cexsign"].as_str()), (200, Some("accepted")), "{body}");
    assert_eq!(last_logged(&exchange)["fault"], "latency 300ms");
    assert_eq!(last_logged(&exchange)["order"], "placed");
    exchange.shutdown().await;
}

#[tokio::test]
async fn a_connection_closed_before_processing_places_nothing() {
    let venues = venues();
    let okx = okx(&venues);
    let exchange = local_exchange(&venues)
        .with_faults(FaultRule::new("/api/v5/trade/order").then(Fault::CloseBeforeProcessing))
        .start()
        .await
        .unwrap();
    let client = client();
    let error = client.execute(okx.signed_order(&client, exchange.base_url(), Some("c1"))).await.unwrap_err();
    assert!(!error.is_timeout() && !error.is_status(), "{error:?}");
    assert_eq!(exchange.orders_placed(), 0);
    assert_eq!(last_logged(&exchange)["fault"], "closed_before_processing");
    let (status, body) = send(&client, okx.signed_order(&client, exchange.base_url(), Some("c1"))).await;
    assert_eq!((status, body["cexsign"].as_str()), (200, Some("accepted")), "{body}");
    exchange.shutdown().await;
}

#[tokio::test]
async fn a_lost_response_places_the_order_and_its_retry_is_refused_by_its_client_order_id() {
    let venues = venues();
    let okx = okx(&venues);
    let exchange = local_exchange(&venues)
        .with_faults(FaultRule::new("/api/v5/trade/order").method("POST").then(Fault::lose_response()))
        .start()
        .await
        .unwrap();
    let client = client();
    let error = client.execute(okx.signed_order(&client, exchange.base_url(), Some("lost1"))).await.unwrap_err();
    assert!(!error.is_status(), "{error:?}");
    // The order exists although the client never heard so.
    assert_eq!(exchange.orders_placed(), 1);
    assert_eq!(last_logged(&exchange)["fault"], "lost_response");
    assert_eq!(last_logged(&exchange)["order"], "placed");
    let (status, body) = send(&client, okx.signed_order(&client, exchange.base_url(), Some("lost1"))).await;
    assert_eq!((status, body["data"][0]["sCode"].as_str()), (200, Some("51016")), "{body}");
    assert_eq!(exchange.orders_placed(), 1);
    assert_eq!(last_logged(&exchange)["order"], "duplicate refused");
    exchange.shutdown().await;
}

#[tokio::test]
async fn a_response_held_past_the_clients_timeout_is_a_timeout_and_the_order_is_placed() {
    let venues = venues();
    let okx = okx(&venues);
    let exchange = LocalExchange::new()
        .with_account(okx.account())
        .with_faults(FaultRule::new("*").then(Fault::LoseResponse { after: Duration::from_secs(3) }))
        .start()
        .await
        .unwrap();
    let client = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let error = client.execute(okx.signed_order(&client, exchange.base_url(), Some("t1"))).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(exchange.orders_placed(), 1);
    assert_eq!(last_logged(&exchange)["fault"], "lost_response 3000ms");
    exchange.shutdown().await;
}

#[tokio::test]
async fn faults_added_while_running_take_their_turn_in_order() {
    let venues = venues();
    let okx = okx(&venues);
    let exchange = local_exchange(&venues).start().await.unwrap();
    exchange.add_faults(FaultRule::new("*").then(Fault::Status(503)).then(Fault::Pass).then(Fault::Busy));
    let client = client();
    let mut statuses = Vec::new();
    for id in ["o1", "o2", "o3", "o4"] {
        statuses.push(send(&client, okx.signed_order(&client, exchange.base_url(), Some(id))).await.0);
    }
    assert_eq!(statuses, [503, 200, 503, 200]);
    let faults: Vec<Value> = exchange.verified_requests().iter().map(|echo| echo["fault"].clone()).collect();
    assert_eq!(faults, [Value::from("status 503"), Value::from("pass"), Value::from("busy"), Value::Null]);
    assert_eq!(exchange.orders_placed(), 2);
    exchange.shutdown().await;
}
