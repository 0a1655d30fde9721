//! An exchange's private websocket stream, written down as data in its home: the path it is
//! served on, how a client subscribes to a private channel, how long a quiet connection lives
//! and how pings are answered ([`PrivateStream`]). The login on the stream is the home's
//! [`WsLogin`](crate::WsLogin), checked as it is everywhere else; the frames whose shape no
//! data can say (a subscribe's answer, an event, a refusal) are the home's functions
//! ([`StreamAnswers`]). A verifying server (the local exchange) serves the stream from this
//! description alone.
//!
//! # Reconnecting
//!
//! A login is signed at connect time, never kept: a bot that reconnects signs a fresh login
//! ([`PrivateStream::login_request`] through [`Signer::sign_ws`](crate::Signer::sign_ws), with
//! the time of this connect) and sends it before it subscribes again. A resent login carries a
//! stale timestamp or expiry (OKX, Bybit, BitMEX refuse it). Where the login is a token
//! ([`StreamLogin::Token`], KuCoin and Kraken), the token is likewise fetched afresh per connect:
//! see [`StreamToken`].

use std::time::Duration;

use serde_json::{Map, Value};

use super::StreamToken;
use crate::{Method, SignableRequest, Timestamp, WsRequest};

/// An exchange's private websocket stream.
///
/// ```
/// use cexsign::Scheme;
/// assert_eq!(Scheme::Okx.exchange().private_stream.path, "/ws/v5/private");
/// assert!(!cexsign::PrivateStream::NONE.is_served());
/// // KuCoin's stream takes a token fetched over signed REST: see `StreamToken`.
/// assert!(Scheme::Kucoin.exchange().private_stream.token().is_some());
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct PrivateStream {
    /// The path of the private stream on the exchange's websocket host (`/ws/v5/private`);
    /// empty where none is described.
    pub path: &'static str,
    /// How long a connection may stay silent (no message from the client) before the exchange
    /// drops it.
    pub idle: Duration,
    /// How a client keeps the connection alive beyond the protocol's own ping frames.
    pub ping: StreamPing,
    /// How a subscribe message reads.
    pub subscribe: StreamSubscribe,
    /// The private channels served: each pushes one event after it is subscribed.
    pub channels: &'static [&'static str],
    /// The frames the exchange writes.
    pub answers: StreamAnswers,
    /// Whether the login is a message of its own or the signed subscribe itself.
    pub login: StreamLogin,
    /// The frame the exchange writes as soon as a client connects, before any message (KuCoin's
    /// `welcome`), from the connect URL's query parameters as [`StreamMessage::message`]; `None`
    /// where it writes nothing first.
    pub greeting: Option<fn(&StreamMessage<'_>) -> Value>,
    /// The account channels whose events follow an accepted login with no subscribe, one event
    /// each in this order (Bitfinex's snapshots on channel 0); empty where a client subscribes
    /// to each private channel. They need not be in [`Self::channels`], which a subscribe names.
    pub pushed_on_login: &'static [&'static str],
    /// Other requests the stream answers, logged in or not (Deribit's `public/set_heartbeat`);
    /// none by default.
    pub requests: &'static [StreamRequest],
    /// Where the stream (also) takes credentials on the websocket upgrade request itself
    /// (BitMEX's handshake headers, Upbit's bearer token); `None` where it does not.
    pub handshake: Option<StreamHandshake>,
    /// The connect URL's query parameter naming topics (comma-separated) a connection logged in
    /// by its [`Self::handshake`] is subscribed to at once, as if it had sent the subscribe
    /// (BitMEX's `?subscribe=`); empty where the URL subscribes to nothing. Topics the stream
    /// does not serve (public ones, filtered ones) are left unanswered.
    pub subscribe_in_url: &'static str,
    /// Where the signed messages sign a challenge the server issues to the connection instead
    /// of a time ([`WsLogin::Challenged`](crate::WsLogin::Challenged)): how it is asked for and
    /// answered; `None` where there is none.
    pub challenge: Option<StreamChallenge>,
    /// Whether the client's messages are JSON arrays of objects (Upbit's
    /// `[{"ticket":…},{"type":"myOrder"},{"format":"DEFAULT"}]`), each read as a subscribe of
    /// the array's objects that name a channel ([`Self::read_message`]); `false` by default.
    pub array_messages: bool,
    /// Whether an accepted login (or signed subscribe) is answered with a frame of its own
    /// before the events; `false` where the exchange writes only the events (Backpack answers
    /// a subscribe with nothing but its stream's data). A refused login is always answered.
    pub login_answered: bool,
}

/// A challenge the stream issues on request, remembered for the connection it was issued on:
/// a signed message must carry back (in its layout's [`WsPart::Data`](crate::WsPart::Data)
/// field) one this connection was issued, for the key that asked, or it is refused
/// ([`StreamRefusal::ChallengeRefused`]) before its signature is checked (Kraken Futures'
/// `{"event":"challenge","api_key":…}`).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct StreamChallenge {
    /// The request asking for one: this field has this value.
    pub request: (&'static str, &'static str),
    /// The field of the request naming the key that asks.
    pub key: &'static str,
    /// The exchange's answer, given the challenge issued.
    pub issued: fn(&StreamMessage<'_>, &str) -> Value,
    /// The field of that answer holding the challenge (what a client signs).
    pub issued_in: &'static str,
}

impl StreamChallenge {
    /// A challenge asked for by `request`, the key in `key`, answered by `issued` with the
    /// challenge in its field `issued_in`.
    pub const fn new(
        request: (&'static str, &'static str),
        key: &'static str,
        issued: fn(&StreamMessage<'_>, &str) -> Value,
        issued_in: &'static str,
    ) -> Self {
        Self { request, key, issued, issued_in }
    }

    /// The request asking for a challenge for `api_key`.
    pub fn request_message(&self, api_key: &str) -> String {
        let (field, value) = self.request;
        let mut message = Map::new();
        message.insert(field.to_owned(), Value::from(value));
        message.insert(self.key.to_owned(), Value::from(api_key));
        Value::Object(message).to_string()
    }

    /// The challenge in the exchange's answer to that request.
    pub fn read<'a>(&self, answer: &'a Value) -> Option<&'a str> {
        answer.get(self.issued_in)?.as_str()
    }
}

/// Credentials on the websocket upgrade request: the upgrade is a signed REST `GET` of the
/// stream's path ([`PrivateStream::handshake_request`]), carrying the auth headers the home's
/// REST requests carry, and it is verified by the home's
/// [`RestVerification`](crate::RestVerification): one check for REST and the stream (BitMEX's
/// `api-expires`, `api-key`, `api-signature` over `GET/realtime` + expires; Upbit's
/// `Authorization: Bearer` token without a query hash). A refused handshake is still upgraded:
/// the stream writes its refusal ([`StreamRefusal::HandshakeRefused`], about the REST answer the
/// exchange would give, as [`StreamMessage::message`]) and closes the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamHandshake {
    /// Whether a connection without the credentials is refused (Upbit's private endpoint);
    /// else it is served unauthenticated and may still log in with a message (BitMEX).
    pub required: bool,
}

impl StreamHandshake {
    /// Credentials the upgrade must carry.
    pub const REQUIRED: Self = Self { required: true };
    /// Credentials the upgrade may carry, instead of a login message.
    pub const OPTIONAL: Self = Self { required: false };
}

/// A request a stream answers besides its login, pings and subscribes: a JSON message whose
/// `field` is `value`, answered with the home's frames.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct StreamRequest {
    /// The field that names the request.
    pub field: &'static str,
    /// Its value.
    pub value: &'static str,
    /// The exchange's frames in answer, in order.
    pub answer: fn(&StreamMessage<'_>) -> Vec<Value>,
}

impl StreamRequest {
    /// A request named by `field` being `value`, answered by `answer`.
    pub const fn new(field: &'static str, value: &'static str, answer: fn(&StreamMessage<'_>) -> Vec<Value>) -> Self {
        Self { field, value, answer }
    }
}

impl PrivateStream {
    /// No private stream described.
    pub const NONE: Self = Self {
        path: "",
        idle: Duration::from_secs(30),
        ping: StreamPing::Frames,
        subscribe: StreamSubscribe { when: ("op", "subscribe"), list: "args", channel: "channel", sample: "" },
        channels: &[],
        answers: StreamAnswers { subscribed: no_frames, event: no_frame, refused: no_frame },
        login: StreamLogin::Message,
        greeting: None,
        pushed_on_login: &[],
        requests: &[],
        handshake: None,
        subscribe_in_url: "",
        challenge: None,
        array_messages: false,
        login_answered: true,
    };

    /// A client's message as the stream reads it: where the stream's messages are arrays
    /// ([`Self::array_messages`]), an array becomes the subscribe `{when: …, list: [its objects
    /// that name a channel]}` ([`StreamSubscribe`]), at most `limit` of them (a ticket or a
    /// format is no subscription); any other message is itself.
    ///
    /// ```
    /// use cexsign::Scheme;
    /// let stream = Scheme::Upbit.exchange().private_stream;
    /// let sent = serde_json::json!([{"ticket": "t"}, {"type": "myOrder"}]);
    /// let read = stream.read_message(sent, 8);
    /// let elements = stream.subscribe.elements(&read, 8);
    /// assert_eq!(elements.len(), 1);
    /// assert_eq!(stream.subscribe.channel(elements[0]), Some("myOrder"));
    /// ```
    pub fn read_message(&self, message: Value, limit: usize) -> Value {
        let Value::Array(items) = message else { return message };
        if !self.array_messages || self.subscribe.list.is_empty() || self.subscribe.list.contains('.') {
            return Value::Array(items);
        }
        let named: Vec<Value> =
            items.into_iter().filter(|item| self.subscribe.channel(item).is_some()).take(limit).collect();
        let (field, value) = self.subscribe.when;
        let mut read = Map::new();
        read.insert(field.to_owned(), Value::from(value));
        read.insert(self.subscribe.list.to_owned(), Value::Array(named));
        Value::Object(read)
    }

    /// Whether the exchange's private stream is described (and so served by a verifier).
    pub fn is_served(&self) -> bool {
        !self.path.is_empty()
    }

    /// What a client signs to log in on this stream: [`WsRequest::login`] where the login is a
    /// message of its own, else the signed subscribe to the stream's first private channel.
    ///
    /// ```
    /// use cexsign::Scheme;
    /// let stream = Scheme::Okx.exchange().private_stream;
    /// assert!(stream.login_request().channels().is_empty());
    /// ```
    pub fn login_request(&self) -> WsRequest<'static> {
        match self.login {
            StreamLogin::SignedSubscribe { channel, products, .. } => WsRequest::subscribe(channel, products),
            StreamLogin::Session { logon, .. } => WsRequest::api(logon, &[]),
            // A token stream has no signed message: `WsRequest::login` is refused by its signer
            // with what to do instead.
            StreamLogin::Message | StreamLogin::Token(_) => WsRequest::login(),
        }
    }

    /// The subscribe a client signs on its own, without logging in first, where the stream has
    /// one: a session's [`StreamLogin::Session::signed_subscribe`] (Binance's
    /// `userDataStream.subscribe.signature`, for keys that cannot log on).
    ///
    /// Sign it afresh on every connect: a reconnecting bot's old message has a stale timestamp.
    ///
    /// ```
    /// use cexsign::{Credentials, KeySettings, Scheme, Timestamp};
    /// assert!(Scheme::Okx.exchange().private_stream.signed_subscribe_request().is_none());
    /// // Binance: an HMAC key cannot send session.logon, so it subscribes by signature.
    /// let binance = Scheme::Binance.exchange();
    /// let credentials = Credentials::new()
    ///     .api_key("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A")
    ///     .secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
    /// let signer = binance.signer(&credentials, &KeySettings::new())?;
    /// let request = binance.private_stream.signed_subscribe_request().unwrap();
    /// let message = signer.sign_ws(&request, Timestamp::now()?)?;
    /// assert!(message.message_json().contains(r#""method":"userDataStream.subscribe.signature""#));
    /// # Ok::<(), cexsign::Error>(())
    /// ```
    pub fn signed_subscribe_request(&self) -> Option<WsRequest<'static>> {
        match self.login {
            StreamLogin::Session { signed_subscribe, .. } if !signed_subscribe.is_empty() => {
                Some(WsRequest::api(signed_subscribe, &[]))
            }
            _ => None,
        }
    }

    /// The REST request a client signs to authenticate the websocket upgrade, where the stream
    /// takes credentials there ([`Self::handshake`]): a `GET` of the stream's path, whose signed
    /// headers go on the upgrade request. Sign it afresh on every connect.
    ///
    /// ```
    /// use cexsign::{Credentials, KeySettings, Scheme, Timestamp};
    /// assert!(Scheme::Okx.exchange().private_stream.handshake_request().is_none());
    /// let bitmex = Scheme::Bitmex.exchange();
    /// let credentials = Credentials::new()
    ///     .api_key("LAqUlngMIQkIUjXMUreyu3qn")
    ///     .secret("chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO");
    /// let signer = bitmex.signer(&credentials, &KeySettings::new())?;
    /// let upgrade = bitmex.private_stream.handshake_request().unwrap();
    /// let signed = signer.sign(&upgrade, Timestamp::now()?)?;
    /// assert!(signed.header("api-signature").is_some());
    /// # Ok::<(), cexsign::Error>(())
    /// ```
    pub fn handshake_request(&self) -> Option<SignableRequest<'static>> {
        self.handshake?;
        SignableRequest::new(Method::Get, self.path).ok()
    }

    /// The token a client fetches over signed REST before it connects, where the stream's login
    /// is one ([`StreamLogin::Token`]).
    pub fn token(&self) -> Option<&StreamToken> {
        match &self.login {
            StreamLogin::Token(token) => Some(token),
            _ => None,
        }
    }
}

/// How a client authenticates on a private stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamLogin {
    /// A login message of its own (OKX `op: login`, Bybit `op: auth`, Delta `key-auth`), after
    /// which subscribes are not signed.
    Message,
    /// The login is the subscribe: a subscribe that carries `signed_by` is signed, checked as a
    /// login, and both authenticates and subscribes; its accepted answer is the subscribe's
    /// answer. A subscribe to a private channel without it is refused as not logged in, however
    /// many signed subscribes came before (Gate's `auth`, Coinbase Exchange's `signature`).
    SignedSubscribe {
        /// The field whose presence makes a subscribe a signed one.
        signed_by: &'static str,
        /// The channel a client signs a subscribe to (one element).
        channel: &'static [&'static str],
        /// The products it names.
        products: &'static [&'static str],
    },
    /// A websocket API session: every message is a request (`{"id", "method", "params"}`),
    /// signed in its own params and checked as the home's
    /// [`WsLogin::SignedParams`](crate::WsLogin::SignedParams) says. The request named `logon`
    /// logs the session in: afterwards the subscribe ([`PrivateStream::subscribe`]) is served and
    /// requests may leave out the key and signature (the session's key is used; their
    /// timestamp is still checked). Before it, a request signed on its own is answered without
    /// logging the session in, and `signed_subscribe`, signed on its own, subscribes without
    /// logging in (Binance's `session.logon` and `userDataStream.subscribe.signature`).
    Session {
        /// The request that logs the session in.
        logon: &'static str,
        /// The subscribe signed on its own (empty where there is none).
        signed_subscribe: &'static str,
    },
    /// No signed message: the client first asks for a token with a signed REST request and
    /// shows it to the stream, in the connect URL (KuCoin) or in each private subscribe
    /// (Kraken). See [`StreamToken`] for the reconnect pattern.
    Token(StreamToken),
}

impl StreamLogin {
    /// Whether a signed subscribe is the login.
    pub fn is_signed_subscribe(&self) -> bool {
        matches!(self, Self::SignedSubscribe { .. })
    }
}

fn no_frames(_: &StreamMessage<'_>) -> Vec<Value> {
    Vec::new()
}

fn no_frame(_: &StreamMessage<'_>) -> Value {
    Value::Null
}

/// How a client pings the exchange at the application level (the protocol's ping frames are
/// always answered with pong frames).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum StreamPing {
    /// Only the protocol's ping frames.
    Frames,
    /// A text frame of exactly `ping`, answered with a text frame of `pong` (OKX, Bitget).
    Text {
        /// The client's text.
        ping: &'static str,
        /// The exchange's answer.
        pong: &'static str,
    },
    /// A JSON message whose `field` is `value` (Bybit `{"op":"ping"}`), answered by `answer`.
    Json {
        /// The field that marks a ping.
        field: &'static str,
        /// Its value.
        value: &'static str,
        /// The exchange's answer.
        answer: fn(&StreamMessage<'_>) -> Value,
    },
}

/// How a subscribe message reads: `{"op": "subscribe", "args": [...]}` with each element a
/// channel's name or an object naming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamSubscribe {
    /// The message is a subscribe when this field has this value.
    pub when: (&'static str, &'static str),
    /// The array of what it subscribes to: a field, or a dotted path to a nested one (Delta's
    /// `payload.channels`); empty where the message itself names its one channel (Gate's
    /// `{"channel": "spot.orders", "event": "subscribe"}`).
    pub list: &'static str,
    /// In an object element of that array, the field naming the channel; a string element is
    /// the channel's name itself (Bybit's `"order"`).
    pub channel: &'static str,
    /// A subscribe to one private channel, as the exchange's docs write it: what a client (or
    /// an example) sends once logged in.
    pub sample: &'static str,
}

impl StreamSubscribe {
    /// The elements of a subscribe `message` names (the message itself where [`Self::list`] is
    /// empty), at most `limit` of them.
    pub fn elements<'m>(&self, message: &'m Value, limit: usize) -> Vec<&'m Value> {
        if self.list.is_empty() {
            return vec![message];
        }
        let list = self.list.split('.').try_fold(message, |value, field| value.get(field));
        match list {
            Some(Value::Array(items)) => items.iter().take(limit).collect(),
            _ => Vec::new(),
        }
    }

    /// The channel an element names: the element itself when it is a string, else its
    /// [`Self::channel`] field.
    pub fn channel<'m>(&self, element: &'m Value) -> Option<&'m str> {
        // A dotted field names a nested one (Kraken's `params.channel`).
        element
            .as_str()
            .or_else(|| self.channel.split('.').try_fold(element, |value, field| value.get(field))?.as_str())
    }
}

/// The frames an exchange writes on its private stream, from what the client sent.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct StreamAnswers {
    /// The answers to a subscribe of the served channels in [`StreamMessage::args`] (OKX: one
    /// per channel; Bybit: one per message).
    pub subscribed: fn(&StreamMessage<'_>) -> Vec<Value>,
    /// The event a subscribed channel pushes, for the one element in [`StreamMessage::args`].
    pub event: fn(&StreamMessage<'_>) -> Value,
    /// The error frame for a refused subscribe ([`StreamMessage::refusal`] says why).
    pub refused: fn(&StreamMessage<'_>) -> Value,
}

/// Why a subscribe is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamRefusal {
    /// The connection has not logged in.
    NotLoggedIn,
    /// The channel is not one the stream serves (or the element names none).
    UnknownChannel,
    /// The stream token shown is not one the exchange issued to this exchange's accounts, or
    /// it has expired ([`StreamLogin::Token`]).
    TokenRefused,
    /// The credentials on the upgrade request are refused, or missing where they are required
    /// ([`StreamHandshake`]); [`StreamMessage::message`] is the REST answer the exchange would
    /// give such a request.
    HandshakeRefused,
    /// A signed message carries a challenge this connection was not issued for its key
    /// ([`StreamChallenge`]).
    ChallengeRefused,
}

/// What a stream frame is written from.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct StreamMessage<'a> {
    /// The client's message.
    pub message: &'a Map<String, Value>,
    /// The elements of its subscribe list the frame is about, as sent.
    pub args: &'a [&'a Value],
    /// Why it is refused, for a refusal.
    pub refusal: Option<StreamRefusal>,
    /// The key the connection logged in with (empty before a login).
    pub api_key: &'a str,
    /// The server's clock.
    pub now: Timestamp,
    /// The id the server gives the connection.
    pub connection_id: &'a str,
}

impl<'a> StreamMessage<'a> {
    /// A frame about `message`, with no elements and no refusal.
    pub fn new(message: &'a Map<String, Value>, api_key: &'a str, now: Timestamp, connection_id: &'a str) -> Self {
        Self { message, args: &[], refusal: None, api_key, now, connection_id }
    }

    /// The same, about these elements of the subscribe list.
    pub fn args(self, args: &'a [&'a Value]) -> Self {
        Self { args, ..self }
    }

    /// The same, refused for `refusal`.
    pub fn refused(self, refusal: StreamRefusal) -> Self {
        Self { refusal: Some(refusal), ..self }
    }

    /// The first element's channel name: the element itself when it is a string, else its
    /// `field`.
    pub fn channel(&self, field: &str) -> Option<&'a str> {
        let arg = self.args.first()?;
        arg.as_str().or_else(|| arg.get(field)?.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;

    /// A served stream's sample subscribe is a subscribe as its own description reads one, to a
    /// channel it serves, and its login is one a verifier can check.
    #[test]
    fn every_served_stream_samples_a_subscribe_to_a_served_channel() {
        for scheme in Scheme::ALL {
            let exchange = scheme.exchange();
            let stream = &exchange.private_stream;
            if !stream.is_served() {
                continue;
            }
            let logs_in = exchange.ws_login.has_login() || stream.token().is_some() || stream.handshake.is_some();
            assert!(stream.path.starts_with('/') && logs_in, "{}", exchange.id);
            if !stream.pushed_on_login.is_empty() {
                // Its events follow the login: there is no private subscribe to sample (checked
                // in `a_stream_that_pushes_on_login_needs_no_subscribe`).
                continue;
            }
            let sample = stream.read_message(serde_json::from_str(stream.subscribe.sample).expect(exchange.id), 8);
            let (field, value) = stream.subscribe.when;
            assert_eq!(sample[field], value, "{}", exchange.id);
            let first = stream.subscribe.elements(&sample, 1);
            let channel = first.first().and_then(|first| stream.subscribe.channel(first));
            assert!(channel.is_some_and(|name| stream.channels.contains(&name)), "{}", exchange.id);
            if let StreamLogin::SignedSubscribe { signed_by, channel, .. } = stream.login {
                // The sample is the unsigned subscribe; the signed one names a served channel.
                assert!(sample.get(signed_by).is_none(), "{}", exchange.id);
                assert!(channel.len() == 1 && stream.channels.contains(&channel[0]), "{}", exchange.id);
            }
        }
    }

    /// A stream whose events follow the login logs in with a message of its own (a signed
    /// subscribe would name what it pushes); a greeting is a JSON object.
    #[test]
    fn a_stream_that_pushes_on_login_needs_no_subscribe() {
        for scheme in Scheme::ALL {
            let exchange = scheme.exchange();
            let stream = &exchange.private_stream;
            if let Some(greeting) = stream.greeting {
                let greeting = greeting(&StreamMessage::new(&Map::new(), "", Timestamp::from_unix_millis(0), ""));
                assert!(greeting.is_object(), "{}", exchange.id);
            }
            if stream.pushed_on_login.is_empty() {
                continue;
            }
            assert!(stream.is_served() && stream.login == StreamLogin::Message, "{}", exchange.id);
        }
    }

    /// A login answered with nothing of its own is followed by events (its signed subscribe's,
    /// or those pushed on login): else a client could not tell it was accepted.
    #[test]
    fn an_unanswered_login_is_followed_by_events() {
        for scheme in Scheme::ALL {
            let exchange = scheme.exchange();
            let stream = &exchange.private_stream;
            if !stream.login_answered {
                let events_follow = stream.login.is_signed_subscribe() || !stream.pushed_on_login.is_empty();
                assert!(stream.is_served() && events_follow, "{}", exchange.id);
            }
        }
    }
}
