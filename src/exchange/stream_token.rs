//! A private stream whose login is a token fetched over signed REST (KuCoin's `bullet-private`,
//! Kraken's `GetWebSocketsToken`), written down as data in the exchange's home: the request that
//! asks for one, the answer that grants one (one sample, two readers: the local exchange writes
//! its grants into it, a client reads them out of it), and where the stream takes the token.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::{Error, Method, SignableRequest};

/// How a stream's token is fetched, granted and shown: the home's data, reached through
/// [`PrivateStream::token`](crate::PrivateStream::token).
///
/// # Reconnecting
///
/// A token is fetched at connect time, as a login message is signed at connect time. At every
/// connect (the first and each reconnect) a bot:
///
/// 1. signs [`StreamToken::request`] afresh (a fresh timestamp or nonce: a resent request is
///    refused, KuCoin's for its 5 s window, Kraken's for its used nonce) and sends it;
/// 2. reads the answer with [`StreamToken::grant`];
/// 3. connects to [`StreamGrant::connect_url`] and subscribes with [`StreamGrant::subscribe`],
///    pinging every [`StreamGrant::ping_interval`] where the exchange names one.
///
/// A token is never kept for the next connect: it expires (KuCoin's after 24 hours, refused on
/// connect with `{"type":"error","code":401}`; Kraken's after 15 minutes unless in use, refused
/// on subscribe with `ESession:Invalid session`). A token is not the key's secret, but it is the
/// account's: log neither it nor a grant's URL beside the key.
///
/// KuCoin (the token in the connect URL):
///
/// ```
/// use cexsign::{Credentials, KeySettings, Scheme, Timestamp};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let stream = Scheme::Kucoin.exchange().private_stream;
/// let token = stream.token().expect("KuCoin's stream takes a token");
/// let credentials = Credentials::new().api_key("key").secret("secret").passphrase("passphrase");
/// let signer = Scheme::Kucoin.exchange().signer(&credentials, &KeySettings::new())?;
/// // At each connect: sign the token request afresh, POST it (as `token.content_type`) ...
/// let signed = signer.sign(&token.request()?, Timestamp::now()?)?;
/// assert_eq!(token.path, "/api/v1/bullet-private");
/// assert!(signed.header("KC-API-SIGN").is_some() && signed.wire_body().is_none());
/// // ... read the grant from the answer ...
/// let answer = br#"{"code":"200000","data":{"token":"2neAiuYvAU61ZD","instanceServers":[
///     {"endpoint":"wss://ws-api-spot.kucoin.com/","encrypt":true,"protocol":"websocket",
///      "pingInterval":18000,"pingTimeout":10000}]}}"#;
/// let grant = token.grant(answer)?;
/// // ... connect there (KuCoin greets with `welcome`), subscribe, ping every 18 s.
/// assert_eq!(grant.connect_url("bot-1"), "wss://ws-api-spot.kucoin.com/?token=2neAiuYvAU61ZD&connectId=bot-1");
/// assert_eq!(grant.subscribe(stream.subscribe.sample)?, stream.subscribe.sample);
/// assert_eq!(grant.ping_interval(), Some(std::time::Duration::from_secs(18)));
/// // A refusal grants nothing (read it with `cexsign::rejection`).
/// assert!(token.grant(br#"{"code":"400005","msg":"Invalid KC-API-SIGN"}"#).is_err());
/// # Ok(()) }
/// ```
///
/// Kraken (the nonce added to the body by the signer; the token in each subscribe):
///
/// ```
/// use cexsign::{Credentials, KeySettings, Scheme, Timestamp};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let stream = Scheme::Kraken.exchange().private_stream;
/// let token = stream.token().expect("Kraken's stream takes a token");
/// let credentials = Credentials::new().api_key("key").secret("c2VjcmV0");
/// let signer = Scheme::Kraken.exchange().signer(&credentials, &KeySettings::new())?;
/// let signed = signer.sign(&token.request()?, Timestamp::from_unix_millis(1_700_000_000_000))?;
/// // POST the body the signer wrote, as a form.
/// assert_eq!(signed.wire_body(), Some(&b"nonce=1700000000000"[..]));
/// assert_eq!(token.content_type, "application/x-www-form-urlencoded");
/// let grant = token.grant(br#"{"error":[],"result":{"token":"WW91ciB0b2tlbg","expires":900}}"#)?;
/// assert_eq!(grant.connect_url("unused"), "wss://ws-auth.kraken.com/v2");
/// let subscribe: serde_json::Value = serde_json::from_str(&grant.subscribe(stream.subscribe.sample)?)?;
/// assert_eq!(subscribe["params"]["token"], "WW91ciB0b2tlbg");
/// assert_eq!(subscribe["params"]["channel"], "executions");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamToken {
    /// The token request's path (`/api/v1/bullet-private`); it is a `POST`.
    pub path: &'static str,
    /// The `Content-Type` the request is sent with (its body is empty, or the nonce a signer
    /// adds: [`SignedRequest::wire_body`](crate::SignedRequest::wire_body)).
    pub content_type: &'static str,
    /// The exchange's answer that grants a token, as its docs print it: a verifier writes its
    /// own token (and endpoint) in at [`Self::token_at`] (and [`TokenEndpoint::In`]), a client
    /// reads them from there.
    pub granted: &'static str,
    /// The JSON pointer of the token in the answer (`/data/token`).
    pub token_at: &'static str,
    /// Where the stream's URL comes from.
    pub endpoint: TokenEndpoint,
    /// The JSON pointer of the interval, in milliseconds, at which the exchange wants a ping
    /// (KuCoin's `pingInterval`); empty where the answer names none.
    pub ping_interval_at: &'static str,
    /// How long a token may be used to connect or subscribe once issued.
    pub lifetime: Duration,
    /// Where the stream takes the token.
    pub shown: TokenShown,
}

/// Where a token stream's URL comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenEndpoint {
    /// The answer names it, at this JSON pointer (KuCoin's `instanceServers[0].endpoint`).
    In(&'static str),
    /// It is fixed (Kraken's `wss://ws-auth.kraken.com/v2`).
    Fixed(&'static str),
}

/// Where a stream takes its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenShown {
    /// In the connect URL's query: `?<token>=…&<connection>=<a client-chosen id>` (KuCoin's
    /// `token` and `connectId`).
    Query {
        /// The token's parameter.
        token: &'static str,
        /// The parameter of the client's connection id.
        connection: &'static str,
    },
    /// In every private subscribe, at this dotted path (Kraken's `params.token`).
    Field(&'static str),
}

impl StreamToken {
    /// The request to sign and send for a token: `POST` [`Self::path`], with no body (a signer
    /// that carries its nonce in the body adds it: send the signed request's `wire_body`).
    pub fn request(&self) -> Result<SignableRequest<'static>, Error> {
        SignableRequest::new(Method::Post, self.path)
    }

    /// Reads the exchange's answer (its body): the token, the URL to connect to and the ping
    /// interval. An answer without a token (a refusal) is an
    /// [`Error::InvalidStreamToken`], which never repeats the answer.
    pub fn grant(&self, answer: &[u8]) -> Result<StreamGrant, Error> {
        let invalid = |problem| Error::InvalidStreamToken { path: self.path, problem };
        let answer: Value = serde_json::from_slice(answer).map_err(|_| invalid("the answer is not JSON"))?;
        let token = answer.pointer(self.token_at).and_then(Value::as_str).filter(|token| !token.is_empty());
        let token = token.ok_or_else(|| invalid("no token where the exchange puts it (is it a refusal?)"))?;
        let endpoint = match self.endpoint {
            TokenEndpoint::Fixed(url) => url,
            TokenEndpoint::In(at) => answer
                .pointer(at)
                .and_then(Value::as_str)
                .filter(|url| url.starts_with("wss://") || url.starts_with("ws://"))
                .ok_or_else(|| invalid("no websocket endpoint where the exchange names it"))?,
        };
        let ping_interval = match self.ping_interval_at {
            "" => None,
            at => {
                let millis = answer.pointer(at).and_then(Value::as_u64);
                Some(Duration::from_millis(millis.ok_or_else(|| invalid("no ping interval in milliseconds"))?))
            }
        };
        Ok(StreamGrant { token: token.to_owned(), endpoint: endpoint.to_owned(), ping_interval, shown: self.shown })
    }
}

/// A token granted for one connection: where to connect, what to subscribe with, how often to
/// ping. Its `Debug` output leaves the token out.
#[derive(Clone, PartialEq, Eq)]
pub struct StreamGrant {
    token: String,
    endpoint: String,
    ping_interval: Option<Duration>,
    shown: TokenShown,
}

impl StreamGrant {
    /// The token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The stream's endpoint, as granted (or fixed), without the token.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// How often the exchange wants a ping, where its answer says.
    pub fn ping_interval(&self) -> Option<Duration> {
        self.ping_interval
    }

    /// The URL to connect to: the endpoint, with the token and `connect_id` (an id the client
    /// chooses for the connection) in its query where the exchange takes them there.
    pub fn connect_url(&self, connect_id: &str) -> String {
        match self.shown {
            TokenShown::Query { token, connection } => {
                let separator = if self.endpoint.contains('?') { '&' } else { '?' };
                format!(
                    "{}{separator}{token}={}&{connection}={}",
                    self.endpoint,
                    percent_encoded(&self.token),
                    percent_encoded(connect_id)
                )
            }
            TokenShown::Field(_) => self.endpoint.clone(),
        }
    }

    /// A subscribe message (a JSON object) with the token in it where the exchange takes it
    /// there (Kraken's `params.token`); unchanged where the token is in the URL.
    pub fn subscribe(&self, subscribe: &str) -> Result<String, Error> {
        let TokenShown::Field(path) = self.shown else { return Ok(subscribe.to_owned()) };
        let invalid =
            || Error::InvalidWsRequest { problem: "the subscribe to carry a stream token is not a JSON object" };
        let mut message: Value = serde_json::from_str(subscribe).map_err(|_| invalid())?;
        let mut at = &mut message;
        let mut fields = path.split('.').peekable();
        while let Some(field) = fields.next() {
            let object = at.as_object_mut().ok_or_else(invalid)?;
            if fields.peek().is_none() {
                object.insert(field.to_owned(), Value::String(self.token.clone()));
                break;
            }
            at = object.entry(field).or_insert_with(|| Value::Object(serde_json::Map::new()));
        }
        Ok(message.to_string())
    }
}

impl fmt::Debug for StreamGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamGrant")
            .field("token", &format_args!("<{} characters>", self.token.len()))
            .field("endpoint", &self.endpoint)
            .field("ping_interval", &self.ping_interval)
            .finish()
    }
}

/// `text` percent-encoded for a query value: unreserved characters kept, everything else
/// escaped (KuCoin's tokens carry `+`, `/` and `=`).
fn percent_encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KRAKEN_LIKE: StreamToken = StreamToken {
        path: "/0/private/GetWebSocketsToken",
        content_type: "application/x-www-form-urlencoded",
        granted: r#"{"error":[],"result":{"token":"","expires":900}}"#,
        token_at: "/result/token",
        endpoint: TokenEndpoint::Fixed("wss://ws-auth.kraken.com/v2"),
        ping_interval_at: "",
        lifetime: Duration::from_secs(900),
        shown: TokenShown::Field("params.token"),
    };

    #[test]
    fn a_field_token_goes_into_the_subscribe_and_not_the_url() {
        let grant = KRAKEN_LIKE.grant(br#"{"error":[],"result":{"token":"WW91ciB0b2tlbg==","expires":900}}"#).unwrap();
        assert_eq!(grant.connect_url("x"), "wss://ws-auth.kraken.com/v2");
        assert_eq!(grant.ping_interval(), None);
        let subscribe =
            grant.subscribe(r#"{"method":"subscribe","params":{"channel":"executions"},"req_id":1}"#).unwrap();
        let subscribe: Value = serde_json::from_str(&subscribe).unwrap();
        assert_eq!(subscribe["params"]["token"], "WW91ciB0b2tlbg==");
        assert_eq!(subscribe["params"]["channel"], "executions");
        assert!(grant.subscribe("[1]").is_err());
        assert!(!format!("{grant:?}").contains("WW91"));
    }

    #[test]
    fn a_refusal_grants_nothing_and_is_not_repeated() {
        let refused = KRAKEN_LIKE.grant(br#"{"error":["EAPI:Invalid key"]}"#).unwrap_err();
        assert!(matches!(refused, Error::InvalidStreamToken { .. }));
        assert!(!refused.to_string().contains("EAPI"), "{refused}");
        assert!(KRAKEN_LIKE.grant(b"not json").is_err());
        assert!(KRAKEN_LIKE.grant(br#"{"error":[],"result":{"token":""}}"#).is_err());
    }

    #[test]
    fn a_query_token_is_percent_encoded() {
        let grant = StreamGrant {
            token: "a+b/c=".to_owned(),
            endpoint: "wss://h/".to_owned(),
            ping_interval: None,
            shown: TokenShown::Query { token: "token", connection: "connectId" },
        };
        assert_eq!(grant.connect_url("id 1"), "wss://h/?token=a%2Bb%2Fc%3D&connectId=id%201");
    }
}
