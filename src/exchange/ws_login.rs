//! How an exchange's websocket login (or signed subscribe) message reads, written down as data
//! in each exchange's home: [`WsLogin`] says how the message is checked, [`WsMessage`] where its
//! auth values sit, what it must say to be a login and what the exchange signs, and each home's
//! answer function what the exchange answers. The local exchange's websocket check reads it; a
//! websocket server can read the same description.

use serde_json::{Map, Value};

use crate::{Timestamp, TimestampFormat};

/// How a verifier checks an exchange's websocket login.
///
/// ```
/// use cexsign::{Scheme, WsLogin};
/// assert!(matches!(Scheme::Okx.exchange().ws_login, WsLogin::Signed(_)));
/// assert!(Scheme::Kucoin.exchange().ws_login.instead().is_some());
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum WsLogin {
    /// The message must be exactly the login the key's signer writes at the instant (or expiry)
    /// it carries: found by re-signing, with no layout written down.
    Resigned,
    /// The exchange has no signed websocket message (the private socket takes a token from a
    /// signed REST call): the sentence says what to do instead.
    Absent {
        /// What to sign instead, as a sentence.
        instead: &'static str,
    },
    /// An HMAC-signed JSON message, in one of these layouts: the first whose
    /// [`when`](WsMessage::when) holds is the one checked.
    Signed(&'static [WsMessage]),
    /// HMAC-signed messages that carry no time: each signs a challenge the server sent for the
    /// connection (the layout's [`WsPart::Data`]) instead, so none is held to a window. Read as
    /// [`Signed`](Self::Signed) layouts are, without their timestamp.
    Challenged(&'static [WsMessage]),
    /// `{"op": …, "args": [key, expires, signature]}`: the login carries an expiry, which must lie
    /// ahead, instead of a timestamp in a window.
    Expires(ExpiresLogin),
    /// A JWT in the message (the same token as on REST, without a `uri` claim).
    Jwt(JwtMessage),
    /// Checked as [`Self::Resigned`], except that the login may carry the `optional` fields the
    /// signer does not write and may send a number the signer writes as its decimal text; and
    /// answered with the exchange's own frame (Bitfinex's `auth` event) written by `answer`
    /// rather than with the login echoed back.
    ResignedAnswered {
        /// Fields a client may add (Bitfinex's `filter` and `dms`).
        optional: &'static [&'static str],
        /// The exchange's answer to an accepted login.
        answer: WsAnswer,
    },
    /// A websocket API whose every request is signed in its own params (`apiKey`, `timestamp`,
    /// `signature` among them), checked by the exchange's REST parameter rules.
    SignedParams(WsApi),
}

impl WsLogin {
    /// Whether the exchange has a websocket login or signed message to check.
    pub fn has_login(&self) -> bool {
        !matches!(self, WsLogin::Absent { .. })
    }

    /// What to do instead, for an exchange without a signed websocket message.
    pub fn instead(&self) -> Option<&'static str> {
        match self {
            WsLogin::Absent { instead } => Some(instead),
            _ => None,
        }
    }
}

/// One layout of a signed websocket message: its parts in the order the exchange lays them
/// out (and a verifier reads them), and the answer to an accepted one.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct WsMessage {
    /// The layout applies when this top-level field has this string value; `None`: always.
    pub when: Option<(&'static str, &'static str)>,
    /// Which of the home's names its auth fields use.
    pub names: WsNames,
    /// The parts, in order.
    pub parts: &'static [WsPart],
    /// The exchange's answer to an accepted message.
    pub answer: WsAnswer,
}

impl WsMessage {
    /// A layout that always applies, its auth fields named by the home's `ws_auth`.
    pub const fn new(parts: &'static [WsPart], answer: WsAnswer) -> Self {
        Self { when: None, names: WsNames::Login, parts, answer }
    }

    /// The same layout, applying only when `field` is `value`.
    pub const fn when(self, field: &'static str, value: &'static str) -> Self {
        Self { when: Some((field, value)), ..self }
    }

    /// The same layout, its auth fields named by `names`.
    pub const fn names(self, names: WsNames) -> Self {
        Self { names, ..self }
    }
}

/// Which of an exchange's [`AuthNames`](crate::AuthNames) name a message's auth fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WsNames {
    /// [`Exchange::ws_auth`](crate::Exchange::ws_auth), the login's.
    Login,
    /// [`Exchange::ws_api_auth`](crate::Exchange::ws_api_auth), a websocket API call's.
    ApiCall,
}

/// One part of a signed websocket message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WsPart {
    /// `"op"` has this value (`login`, `auth`).
    Op(&'static str),
    /// `"type"` has one of these values.
    Type(&'static [&'static str]),
    /// The auth values that follow sit in the object that is the first element of this array
    /// (`"args": [{…}]`).
    InFirstArg(&'static str),
    /// The parts that follow sit in this object (`"payload": {…}`), whose `method` field, when
    /// one is named, must have this value.
    InObject {
        /// The object's field.
        field: &'static str,
        /// The value its `method` field must have.
        method: Option<&'static str>,
    },
    /// Some client sends the key under this other name: the answer names the right one.
    KeyMisnamed {
        /// The other name.
        name: &'static str,
        /// Who sends it.
        by: &'static str,
    },
    /// The API key.
    Key,
    /// The signature.
    Signature,
    /// The timestamp (a string, or a bare integer some SDKs send).
    Timestamp,
    /// The passphrase.
    Passphrase,
    /// An optional array of the product ids the signature covers.
    Products(&'static str),
    /// The one channel the signature covers.
    Channel(&'static str),
    /// The channels the signature covers: names, or `{"name", "product_ids"}` objects with their
    /// own products (else the message's).
    Channels(&'static str),
    /// The event (`subscribe`, `unsubscribe`) the signature covers.
    Event(&'static str),
    /// A websocket API login: the channel, which must end in `suffix`, is the call signed
    /// (`named` lists the channels in words).
    LoginChannel {
        /// The channel field.
        field: &'static str,
        /// How a login channel ends.
        suffix: &'static str,
        /// The login channels, in words.
        named: &'static str,
    },
    /// A field that, when present, must be an empty object (it is signed as `{}`).
    EmptyObject(&'static str),
    /// This field has this string value (Deribit's `"method": "public/auth"`, `"grant_type":
    /// "client_signature"`).
    Field(&'static str, &'static str),
    /// The nonce the client chose for this message, in this field; signed with it.
    Nonce(&'static str),
    /// Free text the message signs, in this field (absent: empty): Deribit's `data`.
    Data(&'static str),
}

/// Builds an exchange's answer to an accepted websocket message.
pub type WsAnswer = fn(&WsAccepted<'_>) -> Value;

/// What an answer to an accepted websocket message is written from.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct WsAccepted<'a> {
    /// The message as received.
    pub message: &'a Map<String, Value>,
    /// The key it was signed with (empty where the message carries a token instead).
    pub api_key: &'a str,
    /// The channels it names, each with its product ids.
    pub channels: &'a [(&'a str, Vec<&'a str>)],
    /// The message's product ids.
    pub product_ids: &'a [&'a str],
    /// The event it names.
    pub event: Option<&'a str>,
    /// The websocket API call it makes.
    pub call: Option<&'a str>,
    /// Its timestamp, as sent.
    pub timestamp: Option<&'a str>,
    /// The server's clock.
    pub now: Timestamp,
    /// The id the server gives the connection.
    pub connection_id: &'a str,
}

impl<'a> WsAccepted<'a> {
    /// An accepted message, with no channels, products or event.
    pub fn new(message: &'a Map<String, Value>, api_key: &'a str, now: Timestamp, connection_id: &'a str) -> Self {
        Self {
            message,
            api_key,
            channels: &[],
            product_ids: &[],
            event: None,
            call: None,
            timestamp: None,
            now,
            connection_id,
        }
    }

    /// The same, naming `channels` and `product_ids`.
    pub fn subscribed(self, channels: &'a [(&'a str, Vec<&'a str>)], product_ids: &'a [&'a str]) -> Self {
        Self { channels, product_ids, ..self }
    }

    /// The same, naming `event`.
    pub fn event(self, event: Option<&'a str>) -> Self {
        Self { event, ..self }
    }

    /// The same, naming the API `call` and the `timestamp` it was signed at.
    pub fn call(self, call: &'a str, timestamp: &'a str) -> Self {
        Self { call: Some(call), timestamp: Some(timestamp), ..self }
    }

    /// The first channel's name.
    pub fn channel(&self) -> Option<&'a str> {
        self.channels.first().map(|(name, _)| *name)
    }
}

/// A login that carries an expiry in positional args: `{"op", "args": [key, expires, signature]}`,
/// the names from the home's `ws_auth`.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ExpiresLogin {
    /// The `op` value.
    pub op: &'static str,
    /// How the expiry is written.
    pub format: TimestampFormat,
    /// The expiry's unit, in words (`Unix milliseconds`).
    pub unit: &'static str,
    /// How far ahead the expiry should lie, as a sentence for a login that has expired.
    pub ahead: &'static str,
    /// What is signed, in words, for a signature that does not match.
    pub signs: &'static str,
    /// The answer to an accepted login.
    pub answer: WsAnswer,
}

/// A websocket API whose requests are signed in their own params.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct WsApi {
    /// The call that logs the session in, after which calls go unsigned (`session.logon`).
    pub logon: &'static str,
    /// The answer to an accepted call.
    pub answer: WsAnswer,
}

/// A message that carries a JWT: a bare token, or a subscribe (or unsubscribe) to a channel.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct JwtMessage {
    /// The token's field.
    pub token: &'static str,
    /// The channel's field; when present, the message's `type` must be one of `types`.
    pub channel: &'static str,
    /// The message types a message naming a channel may have.
    pub types: &'static [&'static str],
    /// The product ids' field.
    pub products: &'static str,
    /// The answer to an accepted message.
    pub answer: WsAnswer,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;

    /// A verifier can read every home's layouts: the auth fields they use are named, each
    /// carries a key, a signature and a timestamp, and the last applies to any message.
    #[test]
    fn every_signed_layout_names_what_it_carries() {
        for scheme in Scheme::ALL {
            let exchange = scheme.exchange();
            match exchange.ws_login {
                WsLogin::Signed(layouts) => {
                    assert!(layouts.last().is_some_and(|layout| layout.when.is_none()), "{}", exchange.id);
                    for layout in layouts {
                        let names = match layout.names {
                            WsNames::Login => exchange.ws_auth,
                            WsNames::ApiCall => exchange.ws_api_auth,
                        };
                        let names = names.unwrap_or_else(|| panic!("{}: a layout without auth names", exchange.id));
                        for part in [WsPart::Key, WsPart::Signature, WsPart::Timestamp] {
                            assert!(layout.parts.contains(&part), "{}: no {part:?}", exchange.id);
                        }
                        if layout.parts.contains(&WsPart::Passphrase) {
                            assert!(names.passphrase.is_some(), "{}: an unnamed passphrase", exchange.id);
                        }
                    }
                }
                WsLogin::Absent { instead } => {
                    assert!(exchange.ws_auth.is_none() && instead.contains(exchange.name), "{}", exchange.id);
                }
                WsLogin::Jwt(_) => assert!(exchange.ws_auth.is_none(), "{}", exchange.id),
                _ => assert!(exchange.ws_auth.is_some(), "{}", exchange.id),
            }
        }
    }
}
