//! Websocket authentication: what to subscribe to in, the auth fields and the whole message out.
//!
//! Each scheme fills a [`WsAuth`] from its own file, signing through the same MAC path as its
//! REST requests.

use std::fmt;

use crate::Prehash;

/// What a websocket login, subscribe or signed API message is for.
///
/// Login-only schemes (OKX, Delta, Bybit, Bitget) ignore the channels; Coinbase and Gate
/// subscribe messages carry them; Binance's WebSocket API and Gate's ws API sign a method call
/// ([`WsRequest::api`]).
///
/// ```
/// use cexsign::WsRequest;
/// use serde_json::json;
/// let login = WsRequest::login();
/// let level2 = WsRequest::subscribe(&["level2"], &["BTC-USD", "ETH-USD"]);
/// assert_eq!(level2.channels(), ["level2"]);
/// assert!(login.product_ids().is_empty());
///
/// let params = [("symbol", json!("BTCUSDT")), ("side", json!("BUY")), ("recvWindow", json!(5000))];
/// let order = WsRequest::api("order.place", &params).with_id("req-1");
/// assert_eq!(order.method(), Some("order.place"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsRequest<'a> {
    channels: &'a [&'a str],
    product_ids: &'a [&'a str],
    method: Option<&'a str>,
    params: &'a [(&'a str, serde_json::Value)],
    id: Option<&'a str>,
    event: Option<&'a str>,
    data: Option<&'a str>,
}

impl<'a> WsRequest<'a> {
    /// A login message with no subscription (OKX `op: login`, Delta `key-auth`, Bybit `op: auth`,
    /// Bitget `op: login`).
    pub const fn login() -> Self {
        Self { channels: &[], product_ids: &[], method: None, params: &[], id: None, event: None, data: None }
    }

    /// A subscribe message for these channels and products, in the order given. Coinbase Advanced
    /// Trade and Gate take exactly one channel per message.
    pub const fn subscribe(channels: &'a [&'a str], product_ids: &'a [&'a str]) -> Self {
        Self { channels, product_ids, method: None, params: &[], id: None, event: None, data: None }
    }

    /// A signed API call: Binance WebSocket API (`method` such as `"order.place"` or
    /// `"session.logon"`, with its params; the signer adds `apiKey`, `timestamp` and
    /// `signature`), or Gate's ws API login (`method` is the channel, `"spot.login"`).
    ///
    /// Param values are JSON strings, numbers or booleans, sent as given; Binance signs their
    /// text, sorted by name and not percent-encoded.
    pub const fn api(method: &'a str, params: &'a [(&'a str, serde_json::Value)]) -> Self {
        Self { channels: &[], product_ids: &[], method: Some(method), params, id: None, event: None, data: None }
    }

    /// Sets the request id echoed in the response (Binance `id`, Gate `req_id`).
    pub const fn with_id(mut self, id: &'a str) -> Self {
        self.id = Some(id);
        self
    }

    /// Sets the event of a Gate channel message (default `"subscribe"`; `"unsubscribe"`).
    pub const fn with_event(mut self, event: &'a str) -> Self {
        self.event = Some(event);
        self
    }

    /// Sets free text the login signs and carries, which the exchange keeps with the session
    /// (Deribit's `data` in `public/auth`; empty by default).
    pub const fn with_data(mut self, data: &'a str) -> Self {
        self.data = Some(data);
        self
    }

    /// The API method, for [`WsRequest::api`] requests.
    pub fn method(&self) -> Option<&'a str> {
        self.method
    }

    /// The API params, for [`WsRequest::api`] requests.
    pub fn params(&self) -> &'a [(&'a str, serde_json::Value)] {
        self.params
    }

    /// The request id, if one was set.
    pub fn id(&self) -> Option<&'a str> {
        self.id
    }

    /// The Gate event, if one was set.
    pub fn event(&self) -> Option<&'a str> {
        self.event
    }

    /// The free text the login signs, if any was set.
    pub fn data(&self) -> Option<&'a str> {
        self.data
    }

    /// The channels.
    pub fn channels(&self) -> &'a [&'a str] {
        self.channels
    }

    /// The product ids.
    pub fn product_ids(&self) -> &'a [&'a str] {
        self.product_ids
    }
}

/// One auth field of a websocket message.
#[derive(Clone, PartialEq, Eq)]
pub struct WsField {
    name: &'static str,
    value: String,
    sensitive: bool,
}

impl WsField {
    pub(crate) fn new(name: &'static str, value: impl Into<String>) -> Self {
        Self { name, value: value.into(), sensitive: false }
    }

    pub(crate) fn sensitive(name: &'static str, value: impl Into<String>) -> Self {
        Self { name, value: value.into(), sensitive: true }
    }

    /// The field name as the exchange spells it (`apiKey`, `sign`, `jwt`, ...).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The value, always a string on the wire.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the value is a secret (a passphrase or a bearer token).
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }
}

impl fmt::Debug for WsField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = if self.sensitive { &"[REDACTED]" } else { &self.value };
        f.debug_tuple("WsField").field(&self.name).field(value).finish()
    }
}

/// A signed websocket login or subscribe message.
///
/// The message holds the passphrase or token for some schemes, so `Debug` shows the fields
/// (secrets redacted) but not the message; send it with [`WsAuth::message_json`].
#[derive(Clone)]
pub struct WsAuth {
    fields: Vec<WsField>,
    message: String,
    timestamp: String,
    signature: String,
    prehash: Option<Prehash>,
}

impl WsAuth {
    pub(crate) fn new(
        fields: Vec<WsField>,
        message: String,
        timestamp: String,
        signature: String,
        prehash: Option<Prehash>,
    ) -> Self {
        Self { fields, message, timestamp, signature, prehash }
    }

    /// The auth fields, in message order.
    pub fn fields(&self) -> &[WsField] {
        &self.fields
    }

    /// One field's value by exact name.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|f| f.name == name).map(|f| f.value.as_str())
    }

    /// The whole message to send, as compact JSON.
    pub fn message_json(&self) -> &str {
        &self.message
    }

    /// The timestamp as signed.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// The signature (for JWTs: the token's signature part; the token is the `jwt` field).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The prehash, when it was asked for.
    pub fn prehash(&self) -> Option<&Prehash> {
        self.prehash.as_ref()
    }
}

impl fmt::Debug for WsAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsAuth")
            .field("fields", &self.fields)
            .field("timestamp", &self.timestamp)
            .field("message_len", &self.message.len())
            .finish_non_exhaustive()
    }
}
