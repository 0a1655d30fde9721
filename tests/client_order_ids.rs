//! A retried order carrying the same client order id is not placed twice where the exchange
//! de-duplicates on it: through real HTTP, every exchange's local double refuses the repeat
//! with the exchange's own duplicate error, and places both copies of an order without an id.

#![cfg(all(feature = "reqwest", feature = "cdp"))]

mod venues;

use cexsign::rejection::{Read, Response};
use cexsign::{DuplicateOrder, Scheme};
use serde_json::Value;
use venues::{client, local_exchange, send, venues};

/// What each exchange answers a repeated client order id with, written down here from the
/// exchanges' docs (not read from the homes): (HTTP status, code as the exchange's reader names
/// it), or `None` where the exchange places nothing and returns the existing order, or where its
/// docs do not say (the order is placed again).
fn expected_duplicate(scheme: Scheme) -> Option<(u16, &'static str)> {
    match scheme {
        Scheme::Okx => Some((200, "51016")),
        Scheme::Binance => Some((400, "-2010")),
        Scheme::Bybit => Some((200, "110072")),
        Scheme::Kucoin => Some((400, "400100")),
        Scheme::Bitget => Some((400, "40786")),
        Scheme::Bitmex => Some((400, "Duplicate clOrdID")),
        // "Response and Reason Codes": 204 DUPLICATE_CLORDID, HTTP 400.
        Scheme::CryptoCom => Some((400, "204")),
        _ => None,
    }
}

/// The code of the exchange's error table that its reader recognises in an answer (what
/// `rejection::classify` would report).
fn code_in(scheme: Scheme, status: u16, body: &Value) -> Option<&'static str> {
    let text = body.to_string();
    let response = Response { status, json: Some(body), text: &text };
    let table = &scheme.exchange().errors;
    table.read(&response).iter().find_map(|read: &Read| table.lookup(read)).map(|entry| entry.code)
}

#[tokio::test]
async fn a_repeated_client_order_id_is_refused_as_the_exchange_refuses_it() {
    let venues = venues();
    let exchange = local_exchange(&venues).start().await.unwrap();
    let client = client();
    for venue in &venues {
        let id = "t-cexsign-retry-1";
        let name = venue.scheme.exchange().id;
        let placed_before = exchange.orders_placed();
        let (status, first) = send(&client, venue.signed_order(&client, exchange.base_url(), Some(id))).await;
        assert_eq!((status, first["cexsign"].as_str()), (200, Some("accepted")), "{name}: {first}");
        // The same order, signed afresh: what a retry through a signing layer sends.
        let (status, second) = send(&client, venue.signed_order(&client, exchange.base_url(), Some(id))).await;
        let placed = exchange.orders_placed() - placed_before;
        match expected_duplicate(venue.scheme) {
            Some((expected_status, expected_code)) => {
                assert_eq!(status, expected_status, "{name}: {second}");
                assert_eq!(code_in(venue.scheme, status, &second), Some(expected_code), "{name}: {second}");
                assert_ne!(second["cexsign"], "accepted", "{name}");
                assert_eq!(placed, 1, "{name}: placed twice");
                // Not an auth rejection: a client must not "fix its keys" over it.
                assert!(
                    cexsign::rejection::classify(venue.scheme, status, second.to_string().as_bytes())
                        .is_none_or(|r| r.kind == cexsign::rejection::RejectionKind::RateLimited),
                    "{name}"
                );
            }
            None if venue.scheme.exchange().orders.duplicate == DuplicateOrder::ReturnsExisting => {
                assert_eq!((status, second["cexsign"].as_str()), (200, Some("accepted")), "{name}: {second}");
                assert_eq!(placed, 1, "{name}: placed twice");
            }
            None => {
                assert_eq!((status, second["cexsign"].as_str()), (200, Some("accepted")), "{name}: {second}");
                assert_eq!(placed, 2, "{name}: the docs do not say the repeat is refused");
            }
        }
        let log = exchange.verified_requests();
        let last = log.last().unwrap();
        assert_eq!(last["scheme"], name);
        assert!(last["order"].as_str().is_some(), "{name}: {last}");
    }
    exchange.shutdown().await;
}

#[tokio::test]
async fn orders_without_a_client_order_id_are_all_placed() {
    let venues = venues();
    let exchange = local_exchange(&venues).start().await.unwrap();
    let client = client();
    for venue in &venues {
        let name = venue.scheme.exchange().id;
        let placed_before = exchange.orders_placed();
        for _ in 0..2 {
            let (status, body) = send(&client, venue.signed_order(&client, exchange.base_url(), None)).await;
            assert_eq!((status, body["cexsign"].as_str()), (200, Some("accepted")), "{name}: {body}");
        }
        assert_eq!(exchange.orders_placed() - placed_before, 2, "{name}");
    }
    exchange.shutdown().await;
}

#[tokio::test]
async fn ids_are_per_key_and_other_ids_are_placed() {
    let venues = venues();
    let exchange = local_exchange(&venues).start().await.unwrap();
    let client = client();
    let okx = venues.iter().find(|v| v.scheme == Scheme::Okx).unwrap();
    for id in ["a1", "a2"] {
        let (status, body) = send(&client, okx.signed_order(&client, exchange.base_url(), Some(id))).await;
        assert_eq!((status, body["cexsign"].as_str()), (200, Some("accepted")), "{body}");
    }
    let (_, body) = send(&client, okx.signed_order(&client, exchange.base_url(), Some("a1"))).await;
    // OKX's place-order answer: HTTP 200, the order's own code in data[0].sCode.
    assert_eq!((body["code"].as_str(), body["msg"].as_str()), (Some("1"), Some("All operations failed")), "{body}");
    assert_eq!(body["data"][0]["sCode"], "51016", "{body}");
    assert_eq!(body["data"][0]["sMsg"], "Duplicated clOrdId", "{body}");
    assert_eq!(exchange.orders_placed(), 2);
    exchange.shutdown().await;
}
