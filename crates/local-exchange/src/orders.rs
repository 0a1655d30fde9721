//! The orders the local exchange has seen placed, and the client order ids each key used: a
//! verified request on one of the exchange's order-placing paths ([`cexsign::Orders::placing`])
//! places an order, unless it repeats a client order id the same key already used on an
//! exchange that refuses repeats ([`cexsign::DuplicateOrder::Refused`]: answered with the
//! exchange's own duplicate error, from its error table) or answers them with the existing order
//! ([`cexsign::DuplicateOrder::ReturnsExisting`]: accepted, nothing placed). Where the exchange's
//! docs do not say, a repeated id places a second order, as far as anyone knows it would.
//!
//! Memory is bounded: at most [`MAX_CLIENT_ORDER_IDS_PER_KEY`] ids are remembered per key (the
//! oldest forgotten first), and keys are the registered accounts' only.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use super::reply::{Reply, Verdict, WS_CONNECTION_ID};
use cexsign::rejection::{AnswerBody, ErrorAnswer, ErrorCode, Refusal};
use cexsign::{DuplicateOrder, Scheme, Timestamp};

/// How many client order ids the local exchange remembers per key: the most recent 4096. An id
/// older than that is forgotten, and an order repeating it is placed again.
pub const MAX_CLIENT_ORDER_IDS_PER_KEY: usize = 4096;

/// What a verified request did to the order book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// It is not an order (not one of the exchange's order-placing requests).
    NotAnOrder,
    /// It placed an order.
    Placed,
    /// It repeated a client order id the exchange refuses to take twice: nothing placed.
    Duplicate(&'static ErrorCode),
    /// It repeated a client order id the exchange answers with the existing order: nothing
    /// placed.
    Existing,
}

impl Placement {
    /// How the verified-request log names it; `None` for a request that is not an order.
    pub(crate) fn logged(&self) -> Option<&'static str> {
        match self {
            Placement::NotAnOrder => None,
            Placement::Placed => Some("placed"),
            Placement::Duplicate(_) => Some("duplicate refused"),
            Placement::Existing => Some("duplicate answered with the existing order"),
        }
    }
}

/// The client order ids one key used, oldest first.
#[derive(Debug, Default)]
struct Used {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

/// The orders placed and the client order ids remembered per (scheme, key).
#[derive(Debug, Default)]
pub(crate) struct OrderBook {
    used: Mutex<HashMap<(Scheme, String), Used>>,
    placed: AtomicU64,
}

impl OrderBook {
    /// Orders placed since the start.
    pub(crate) fn placed(&self) -> u64 {
        self.placed.load(Ordering::Relaxed)
    }

    /// Whether `key` placed an order with this client order id (among the ids remembered).
    pub(crate) fn has(&self, scheme: Scheme, key: &str, client_order_id: &str) -> bool {
        let Ok(used) = self.used.lock() else { return false };
        used.get(&(scheme, key.to_owned())).is_some_and(|used| used.ids.contains(client_order_id))
    }

    /// Places the order a verified request carries, if it is one: see the [module docs](self).
    pub(crate) fn place(
        &self,
        scheme: Scheme,
        key: &str,
        method: &str,
        path: &str,
        query: Option<&str>,
        body: &[u8],
    ) -> Placement {
        let exchange = scheme.exchange();
        let orders = &exchange.orders;
        if !orders.places_order(method, path) {
            return Placement::NotAnOrder;
        }
        if let Some(id) = orders.client_order_id_in(query, body) {
            let Ok(mut used) = self.used.lock() else {
                return Placement::NotAnOrder;
            };
            let used = used.entry((scheme, key.to_owned())).or_default();
            // Where the exchange's docs do not say it refuses a repeat, the repeat is placed.
            if used.ids.contains(&id) && orders.duplicate.is_deduplicated() {
                return match (orders.duplicate, orders.duplicate_entry(&exchange.errors)) {
                    (DuplicateOrder::Refused(_), Some(entry)) => Placement::Duplicate(entry),
                    _ => Placement::Existing,
                };
            }
            if used.ids.contains(&id) {
                self.placed.fetch_add(1, Ordering::Relaxed);
                return Placement::Placed;
            }
            if used.order.len() == MAX_CLIENT_ORDER_IDS_PER_KEY {
                if let Some(oldest) = used.order.pop_front() {
                    used.ids.remove(&oldest);
                }
            }
            used.ids.insert(id.clone());
            used.order.push_back(id);
        }
        self.placed.fetch_add(1, Ordering::Relaxed);
        Placement::Placed
    }
}

/// The exchange's answer with one entry of its error table, laid out by its table's writer, at
/// `status` (the entry's own when `None`), with `cexsign_reason` added to a JSON body.
pub(crate) fn table_answer(
    scheme: Scheme,
    entry: &'static ErrorCode,
    refusal: Refusal,
    status: Option<StatusCode>,
    reason: &str,
    now: Timestamp,
) -> Reply {
    let status = status.unwrap_or_else(|| StatusCode::from_u16(entry.status).unwrap_or(StatusCode::BAD_REQUEST));
    let Some(write) = scheme.exchange().errors.body else {
        return Reply::json(status, &json!({"cexsign": "refused", "cexsign_reason": reason}), Verdict::Rejected);
    };
    let answer = ErrorAnswer {
        refusal,
        entry: Some(entry),
        code: entry.code,
        message: entry.message,
        status: status.as_u16(),
        response_status: status.as_u16(),
        time: None,
        prehash: None,
        now,
        login: None,
        connection_id: WS_CONNECTION_ID,
    };
    let mut reply = match write(&answer) {
        AnswerBody::Json(mut body) => {
            if let Value::Object(fields) = &mut body {
                fields.insert("cexsign_reason".to_owned(), json!(reason));
            }
            Reply::json(status, &body, Verdict::Rejected)
        }
        AnswerBody::Text(text) => Reply::text(status, text, Verdict::Rejected),
    };
    if let Ok(value) = HeaderValue::from_str(reason) {
        reply.headers.push((http::HeaderName::from_static("cexsign-reason"), value));
    }
    reply
}

/// The answer to an order repeating a client order id.
pub(crate) fn duplicate_answer(scheme: Scheme, entry: &'static ErrorCode, now: Timestamp) -> Reply {
    table_answer(
        scheme,
        entry,
        Refusal::DuplicateOrder,
        None,
        "this key already placed an order with this client order id: the exchange refuses the repeat and places \
         nothing",
        now,
    )
}

/// The websocket API's answer to an order repeating a client order id: the exchange's
/// websocket error frame for the table's entry, echoing the request's id, with
/// `cexsign_reason`; `None` where the exchange has no websocket error frame.
pub(crate) fn duplicate_ws_answer(
    scheme: Scheme,
    entry: &'static ErrorCode,
    message: &serde_json::Map<String, Value>,
    now: Timestamp,
) -> Option<Value> {
    let write = scheme.exchange().errors.ws_body?;
    let answer = ErrorAnswer {
        refusal: Refusal::DuplicateOrder,
        entry: Some(entry),
        code: entry.code,
        message: entry.message,
        status: entry.status,
        response_status: entry.status,
        time: None,
        prehash: None,
        now,
        login: Some(message),
        connection_id: WS_CONNECTION_ID,
    };
    match write(&answer) {
        AnswerBody::Json(mut body) => {
            if let Value::Object(fields) = &mut body {
                let reason = "this key already placed an order with this client order id: the exchange refuses the \
                              repeat and places nothing";
                fields.insert("cexsign_reason".to_owned(), json!(reason));
            }
            Some(body)
        }
        AnswerBody::Text(text) => Some(Value::from(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_forgets_its_oldest_ids_past_the_cap() {
        let book = OrderBook::default();
        let place = |id: usize| {
            let body = format!(r#"{{"clOrdId":"id{id}"}}"#);
            book.place(Scheme::Okx, "k", "POST", "/api/v5/trade/order", None, body.as_bytes())
        };
        for id in 0..MAX_CLIENT_ORDER_IDS_PER_KEY + 1 {
            assert_eq!(place(id), Placement::Placed);
        }
        // id0 was forgotten; id1 is still remembered.
        assert_eq!(place(0), Placement::Placed);
        assert!(matches!(place(2), Placement::Duplicate(entry) if entry.code == "51016"));
        let used = book.used.lock().unwrap();
        assert_eq!(used[&(Scheme::Okx, "k".to_owned())].ids.len(), MAX_CLIENT_ORDER_IDS_PER_KEY);
    }

    #[test]
    fn ids_are_remembered_per_key_and_only_for_orders() {
        let book = OrderBook::default();
        let body = br#"{"clOrdId":"same"}"#;
        assert_eq!(book.place(Scheme::Okx, "a", "POST", "/api/v5/trade/order", None, body), Placement::Placed);
        assert_eq!(book.place(Scheme::Okx, "b", "POST", "/api/v5/trade/order", None, body), Placement::Placed);
        assert_eq!(book.place(Scheme::Okx, "a", "GET", "/api/v5/trade/order", None, body), Placement::NotAnOrder);
        assert_eq!(book.place(Scheme::Okx, "a", "POST", "/api/v5/account/balance", None, body), Placement::NotAnOrder);
        assert_eq!(book.placed(), 2);
    }
}
