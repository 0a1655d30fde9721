//! An exchange's private websocket stream, written down as data in its home: the path it is
//! served on, how a client subscribes to a private channel, how long a quiet connection lives
//! and how pings are answered ([`PrivateStream`]). The login on the stream is the home's
//! [`WsLogin`](crate::WsLogin), checked as it is everywhere else; the frames whose shape no
//! data can say (a subscribe's answer, an event, a refusal) are the home's functions
//! ([`StreamAnswers`]). A verifying server (the local exchange) serves the stream from this
//! description alone.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::{Timestamp, WsRequest};

/// An exchange's private websocket stream.
///
/// ```
/// use cexsign::Scheme;
/// assert_eq!(Scheme::Okx.exchange().private_stream.path, "/ws/v5/private");
/// assert!(!Scheme::Kucoin.exchange().private_stream.is_served());
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
    /// The account channels whose events follow an accepted login with no subscribe, one event
    /// each in this order (Bitfinex's snapshots on channel 0); empty where a client subscribes
    /// to each private channel. They need not be in [`Self::channels`], which a subscribe names.
    pub pushed_on_login: &'static [&'static str],
    /// The frame the exchange sends as soon as a connection opens, before the client says
    /// anything (Bitfinex's `info` event), as JSON text; empty for none.
    pub greeting: &'static str,
    /// Other requests the stream answers, logged in or not (Deribit's `public/set_heartbeat`);
    /// none by default.
    pub requests: &'static [StreamRequest],
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
        pushed_on_login: &[],
        greeting: "",
        requests: &[],
    };

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
            StreamLogin::Message => WsRequest::login(),
            StreamLogin::SignedSubscribe { channel, products, .. } => WsRequest::subscribe(channel, products),
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
        element.as_str().or_else(|| element.get(self.channel)?.as_str())
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
            assert!(stream.path.starts_with('/') && exchange.ws_login.has_login(), "{}", exchange.id);
            if !stream.pushed_on_login.is_empty() {
                // Its events follow the login: there is no private subscribe to sample (checked
                // in `a_stream_that_pushes_on_login_needs_no_subscribe`).
                continue;
            }
            let sample: Value = serde_json::from_str(stream.subscribe.sample).expect(exchange.id);
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
            if !stream.greeting.is_empty() {
                let greeting: Value = serde_json::from_str(stream.greeting).expect(exchange.id);
                assert!(greeting.is_object(), "{}", exchange.id);
            }
            if stream.pushed_on_login.is_empty() {
                continue;
            }
            assert!(stream.is_served() && stream.login == StreamLogin::Message, "{}", exchange.id);
        }
    }
}
