//! How an exchange tells one order from a retried copy of it: where a request that places an
//! order carries the client's own order id, and what the exchange answers when an id is sent
//! again ([`Orders`]), plus which of its answers say it did not act on a request at all.
//!
//! A signing layer re-signs every attempt, so a retried `POST` is a new, valid order unless the
//! exchange de-duplicates on a client order id. These facts are what a safe retry policy and the
//! local exchange read; each home writes them down with its sources.

use crate::rejection::{ErrorCode, ErrorTable};

/// Where a request placing an order carries its client order id, the paths that place orders,
/// and what the exchange does with a repeated id.
///
/// ```
/// use cexsign::{DuplicateOrder, Scheme};
/// let okx = &Scheme::Okx.exchange().orders;
/// assert_eq!(okx.client_order_id.map(|id| id.field), Some("clOrdId"));
/// assert!(matches!(okx.duplicate, DuplicateOrder::Refused("51016")));
/// assert!(okx.places_order("POST", "/api/v5/trade/order"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Orders {
    /// The field that carries a client order id when an order is placed; `None` where the
    /// exchange takes none.
    pub client_order_id: Option<ClientOrderId>,
    /// The requests that place one order (method and path, as on the request line).
    pub placing: &'static [PlaceOrder],
    /// What the exchange answers an order whose client order id the same key already used.
    pub duplicate: DuplicateOrder,
    /// The codes of the exchange's error table ([`ErrorTable::codes`]) that it documents as "busy,
    /// not processed: try again"; empty where its docs say no such thing.
    pub busy: &'static [&'static str],
}

impl Orders {
    /// Nothing known: no client order id, no order-placing path, the duplicate answer
    /// undocumented, no "busy" code.
    pub const NONE: Self =
        Self { client_order_id: None, placing: &[], duplicate: DuplicateOrder::Undocumented, busy: &[] };

    /// Whether `method` `path` places an order on this exchange.
    pub fn places_order(&self, method: &str, path: &str) -> bool {
        self.placing.iter().any(|p| p.method.eq_ignore_ascii_case(method) && p.matches(path))
    }

    /// The client order id a request carries, read from the body (a JSON object's top-level
    /// field, or a form field) or else the query, as sent (not percent-decoded: a retried copy
    /// is byte for byte the same). `None` when it carries none or is not an order.
    pub fn client_order_id_in(&self, query: Option<&str>, body: &[u8]) -> Option<String> {
        let id = self.client_order_id?;
        let field = id.field;
        from_json(body, field)
            .or_else(|| id.also.iter().find_map(|pointer| from_json(body, pointer)))
            .or_else(|| from_form(body, field))
            .or_else(|| from_form(query?.as_bytes(), field))
    }

    /// The error-table entry the exchange answers a repeated client order id with, when it
    /// refuses one.
    pub fn duplicate_entry(&self, table: &ErrorTable) -> Option<&'static ErrorCode> {
        match self.duplicate {
            DuplicateOrder::Refused(code) => table.codes.iter().find(|entry| entry.code == code),
            _ => None,
        }
    }

    /// The error-table entries the exchange documents as "busy, not processed".
    pub fn busy_entries<'t>(&'t self, table: &'t ErrorTable) -> impl Iterator<Item = &'static ErrorCode> + 't {
        table.codes.iter().filter(|entry| self.busy.contains(&entry.code))
    }
}

impl Default for Orders {
    fn default() -> Self {
        Self::NONE
    }
}

/// The field carrying a client order id, as the exchange spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientOrderId {
    /// The body or query field (`clOrdId`, `newClientOrderId`, `text`...); a JSON pointer
    /// (starting with `/`) where the id sits deeper in a JSON body (Hyperliquid's first order's
    /// `/action/orders/0/c`).
    pub field: &'static str,
    /// What every id must start with (Gate's `t-`); empty when anything goes.
    pub prefix: &'static str,
    /// JSON pointers to the same id in the body as the signer sends it, where signing wraps the
    /// request's body (Hyperliquid's action inside `{"action": …}`).
    pub also: &'static [&'static str],
}

impl ClientOrderId {
    /// A field that takes any id.
    pub const fn new(field: &'static str) -> Self {
        Self { field, prefix: "", also: &[] }
    }

    /// The id also read at these JSON pointers of the body (see [`also`](Self::also)).
    pub const fn also_at(self, pointers: &'static [&'static str]) -> Self {
        Self { also: pointers, ..self }
    }

    /// A field whose ids must start with `prefix`.
    pub const fn with_prefix(field: &'static str, prefix: &'static str) -> Self {
        Self { field, prefix, also: &[] }
    }
}

/// A request that places one order: its method and path. A `*` in the path stands for one
/// segment (Gate's `/api/v4/futures/*/orders`, the settle currency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlaceOrder {
    /// The method, upper case.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
}

impl PlaceOrder {
    /// `POST path`.
    pub const fn post(path: &'static str) -> Self {
        Self { method: "POST", path }
    }

    /// The method of a [`PlaceOrder`] that is a websocket API request rather than an HTTP one.
    pub const WS_API: &'static str = "WS-API";

    /// A websocket API request that places an order (Binance's `order.place`): its method is
    /// [`PlaceOrder::WS_API`] and its path the request's name; its params are read as a JSON
    /// body.
    pub const fn ws_api(request: &'static str) -> Self {
        Self { method: Self::WS_API, path: request }
    }

    /// Whether a request's path is this one.
    pub fn matches(&self, path: &str) -> bool {
        let mut wanted = self.path.split('/');
        let mut given = path.split('/');
        loop {
            match (wanted.next(), given.next()) {
                (None, None) => return true,
                (Some("*"), Some(segment)) if !segment.is_empty() => {}
                (Some(w), Some(g)) if w == g => {}
                _ => return false,
            }
        }
    }
}

/// What an exchange answers an order whose client order id the same key already used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DuplicateOrder {
    /// It refuses it with this code of its error table, and places nothing.
    Refused(&'static str),
    /// It places nothing and answers with the order that id already names (Coinbase Advanced).
    ReturnsExisting,
    /// Its docs do not say: a retry carrying the same id is not known to be safe.
    Undocumented,
}

impl DuplicateOrder {
    /// Whether a repeated id is known not to place a second order.
    pub const fn is_deduplicated(self) -> bool {
        !matches!(self, DuplicateOrder::Undocumented)
    }
}

/// Longest client order id read: ids are short (OKX 32, Binance 36 characters); anything longer
/// is not one.
const MAX_ID_BYTES: usize = 256;

fn from_json(body: &[u8], field: &str) -> Option<String> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let value = if field.starts_with('/') { json.pointer(field) } else { json.get(field) };
    let id = match value? {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!id.is_empty() && id.len() <= MAX_ID_BYTES).then_some(id)
}

fn from_form(form: &[u8], field: &str) -> Option<String> {
    form.split(|b| *b == b'&').find_map(|pair| {
        let value = pair.strip_prefix(field.as_bytes())?.strip_prefix(b"=")?;
        let id = std::str::from_utf8(value).ok()?;
        (!id.is_empty() && id.len() <= MAX_ID_BYTES).then(|| id.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;

    #[test]
    fn the_id_is_read_from_a_json_body_a_form_or_the_query() {
        let orders = Orders { client_order_id: Some(ClientOrderId::new("cid")), ..Orders::NONE };
        assert_eq!(orders.client_order_id_in(None, br#" {"a":1,"cid":"x-1"}"#).as_deref(), Some("x-1"));
        assert_eq!(orders.client_order_id_in(None, br#"{"cid":42}"#).as_deref(), Some("42"));
        assert_eq!(orders.client_order_id_in(None, b"a=1&cid=x%3A1").as_deref(), Some("x%3A1"));
        assert_eq!(orders.client_order_id_in(Some("cid=q&b=2"), b"").as_deref(), Some("q"));
        assert_eq!(orders.client_order_id_in(None, b"xcid=1&cidx=2"), None);
        assert_eq!(orders.client_order_id_in(None, br#"{"cid":""}"#), None);
        assert_eq!(orders.client_order_id_in(None, br#"[{"cid":"a"}]"#), None);
        assert_eq!(Orders::NONE.client_order_id_in(Some("cid=q"), b""), None);
    }

    #[test]
    fn a_star_stands_for_one_segment() {
        let place = PlaceOrder::post("/api/v4/futures/*/orders");
        assert!(place.matches("/api/v4/futures/usdt/orders"));
        assert!(!place.matches("/api/v4/futures//orders"));
        assert!(!place.matches("/api/v4/futures/usdt/orders/1"));
        assert!(PlaceOrder::post("/v2/orders").matches("/v2/orders"));
    }

    #[test]
    fn every_code_an_exchange_names_is_in_its_error_table_and_not_an_auth_rejection() {
        for scheme in Scheme::ALL {
            let exchange = scheme.exchange();
            let orders = &exchange.orders;
            if let DuplicateOrder::Refused(code) = orders.duplicate {
                let entry = orders.duplicate_entry(&exchange.errors);
                let entry = entry.unwrap_or_else(|| panic!("{}: {code} not in its table", exchange.id));
                assert_eq!(entry.kind, None, "{}: {code}", exchange.id);
                assert!(orders.client_order_id.is_some(), "{}", exchange.id);
            }
            assert_eq!(orders.busy_entries(&exchange.errors).count(), orders.busy.len(), "{}", exchange.id);
            for entry in orders.busy_entries(&exchange.errors) {
                assert_eq!(entry.kind, None, "{}: {}", exchange.id, entry.code);
            }
            assert!(!orders.placing.is_empty(), "{}: no order-placing path", exchange.id);
            assert!(orders.client_order_id.is_some(), "{}: no client order id", exchange.id);
        }
    }
}
