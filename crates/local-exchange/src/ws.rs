//! The websocket-login check: `POST /cexsign/ws/<scheme id>` with a login or subscribe message.
//!
//! There is no websocket server. A bot posts the exact message it would send on the socket
//! (what [`Signer::sign_ws_at`](cexsign::Signer::sign_ws_at) produces) and gets the exchange's
//! login or subscription answer, or its websocket error. The signature is recomputed with the
//! account's signer from the message's own channels, products and timestamp; the timestamp
//! window and passphrase are checked as on the exchange.
//!
//! What a message looks like, what is signed and what the exchange answers is read from the
//! exchange's home ([`WsLogin`]); this module names no exchange.

use std::borrow::Cow;

use http::StatusCode;
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq as _;

use super::State;
use super::account::Account;
use super::diagnosis::PendingDiagnosis;
use super::jwt::{self, UriCheck};
use super::reply::{Failure, Rejection, Reply, Verdict, WS_CONNECTION_ID, cexsign_error, ws_rejection};
use super::signed_parameters;
use super::verify::{account_with_secret, check_window, find_account, received_format, window};
use cexsign::{
    AuthNames, ExpiresLogin, JwtMessage, Scheme, SignOptions, Timestamp, WireTimestamp, WsAccepted, WsAnswer, WsAuth,
    WsLogin, WsMessage, WsNames, WsPart, WsRequest,
};

/// The path prefix of the check endpoint.
pub(crate) const PREFIX: &str = "/cexsign/ws/";

/// Whether a scheme has a websocket login or signed message to check here (some exchanges take
/// a token from a signed REST call instead).
pub(crate) fn has_login(scheme: Scheme) -> bool {
    scheme.exchange().ws_login.has_login()
}

/// Answers one posted websocket message for the scheme named by `id`.
pub(crate) fn check(state: &State, id: &str, body: &[u8], now: Timestamp) -> Reply {
    let Some(scheme) = Scheme::from_id(id) else {
        let ids: Vec<&str> = Scheme::ALL.into_iter().filter(|s| has_login(*s)).map(Scheme::id).collect();
        return cexsign_error(
            StatusCode::NOT_FOUND,
            &format!("unknown scheme id {id:?} in {PREFIX}<id>; use one of {}", ids.join(", ")),
        );
    };
    let login = scheme.exchange().ws_login;
    if let Some(instead) = login.instead() {
        return cexsign_error(StatusCode::NOT_FOUND, instead);
    }
    let message = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(message)) => message,
        Ok(_) => return ws_rejection(scheme, malformed("the message is not a JSON object"), None, now),
        Err(error) => return ws_rejection(scheme, malformed(format!("the message is not JSON: {error}")), None, now),
    };
    let outcome = match login {
        WsLogin::Signed(layouts) => signed(state, scheme, layouts, &message, false, now),
        WsLogin::Challenged(layouts) => signed(state, scheme, layouts, &message, true, now),
        WsLogin::Expires(login) => expires(state, scheme, &login, &message, now),
        WsLogin::Jwt(token) => with_token(state, scheme, &token, &message, now),
        // The params are held to the exchange's REST parameter rules, which live with its REST
        // verifier; their order as sent is for the diagnosis (the map sorts them by name).
        WsLogin::SignedParams(api) => {
            let order = params_order(body);
            signed_parameters::verify_ws(state, scheme, &api, &message, order.as_deref(), now).map_err(|rejection| {
                let key = signed_params_field(scheme, &message, |names| names.key).unwrap_or_default();
                let sent = || signed_params_as_sent(scheme, &message, order.as_deref());
                with_swapped_key_diagnosis(state, scheme, &key, sent, rejection)
            })
        }
        WsLogin::ResignedAnswered { optional, answer } => {
            by_resigning(state, scheme, &message, now, Some((optional, answer)))
        }
        _ => by_resigning(state, scheme, &message, now, None),
    };
    match outcome {
        Ok(body) => Reply::json(StatusCode::OK, &body, Verdict::Accepted),
        Err(rejection) => ws_rejection(scheme, rejection.hiding_passphrases(state, scheme), Some(&message), now),
    }
}

/// A login whose key went under another field name (python-bitget's `api_key`): when that field
/// holds a registered key, the diagnosis of the fields as they were named.
fn with_misnamed_key_diagnosis(
    state: &State,
    scheme: Scheme,
    object: &Map<String, Value>,
    field: &str,
    rejection: Rejection,
) -> Rejection {
    let Some(account) = object.get(field).and_then(Value::as_str).and_then(|key| state.account(scheme, key)) else {
        return rejection;
    };
    rejection.with_diagnosis(PendingDiagnosis::new(account, Vec::new(), fields_as_sent(object)))
}

/// The string fields of a message object as the auth values of a websocket case, under the
/// names they were sent with.
fn fields_as_sent(object: &Map<String, Value>) -> cexsign::diagnose::SentRequest {
    object
        .iter()
        .filter_map(|(name, value)| value.as_str().map(|text| (name, text)))
        .fold(cexsign::diagnose::SentRequest::ws(&[], &[]), |sent, (name, text)| sent.with_auth(name, text))
}

/// One auth value of a request whose auth values are among its `params` (named as the
/// exchange's websocket auth names say), as text.
fn signed_params_field(
    scheme: Scheme,
    message: &Map<String, Value>,
    name: fn(&AuthNames) -> &'static str,
) -> Option<String> {
    let names = scheme.exchange().ws_auth?;
    match message.get("params")?.get(name(&names))? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A request signed inside its `params` as sent: its method, its params besides the auth
/// values in the order sent (`order`), and the auth values.
fn signed_params_as_sent(
    scheme: Scheme,
    message: &Map<String, Value>,
    order: Option<&[String]>,
) -> cexsign::diagnose::SentRequest {
    let method = message.get("method").and_then(Value::as_str).unwrap_or_default();
    let auth = scheme.exchange().ws_auth.map(|names| [names.key, names.timestamp, names.signature]);
    let mut params: Vec<(&str, Value)> = match message.get("params") {
        Some(Value::Object(params)) => params
            .iter()
            .filter(|(name, _)| !auth.is_some_and(|auth| auth.contains(&name.as_str())))
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect(),
        _ => Vec::new(),
    };
    if let Some(order) = order {
        params.sort_by_key(|(name, _)| order.iter().position(|sent| sent == name));
    }
    let text = |name| signed_params_field(scheme, message, name).unwrap_or_default();
    let (key, timestamp, signature) = (text(|n| n.key), text(|n| n.timestamp), text(|n| n.signature));
    cexsign::diagnose::ws_sent(scheme, &WsRequest::api(method, &params), &key, &timestamp, None, &signature)
}

/// An unknown key that is a registered account's secret (key and secret swapped): the
/// rejection carries the diagnosis of the message as sent (`key-secret-swapped`), as a REST
/// request's does. The diagnosis names the field, never its value.
fn with_swapped_key_diagnosis(
    state: &State,
    scheme: Scheme,
    key: &str,
    sent: impl FnOnce() -> cexsign::diagnose::SentRequest,
    rejection: Rejection,
) -> Rejection {
    if !matches!(rejection.failure, Failure::UnknownKey | Failure::KeyFormat) {
        return rejection;
    }
    match account_with_secret(state, scheme, key) {
        Some(account) => rejection.with_diagnosis(PendingDiagnosis::new(account, Vec::new(), sent())),
        None => rejection,
    }
}

/// The most params whose sent order is kept: a request message names a handful.
const MAX_ORDERED_PARAMS: usize = 256;

/// The names of a message's `params` object in the order they were sent (a `serde_json` map
/// keeps them sorted by name, and a signer that does not sort signs them in this order), read
/// by one more pass over the message that keeps nothing but these names. `None` when the
/// message does not parse, has no `params` object, or names more than [`MAX_ORDERED_PARAMS`].
fn params_order(body: &[u8]) -> Option<Vec<String>> {
    use serde::Deserializer as _;
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};

    /// The message object: its `params` value is read by [`Names`], the rest skipped.
    struct Message;
    /// An object's names in order, its values skipped.
    struct Names;

    impl<'de> Visitor<'de> for Message {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut order = None;
            while let Some(name) = map.next_key::<String>()? {
                if name == "params" {
                    order = map.next_value_seed(Names)?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(order)
        }
    }

    impl<'de> DeserializeSeed<'de> for Names {
        type Value = Option<Vec<String>>;
        fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Names {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a params object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut names = Vec::new();
            let mut within = true;
            while let Some(name) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                within &= names.len() < MAX_ORDERED_PARAMS;
                if within {
                    names.push(name);
                }
            }
            Ok(within.then_some(names))
        }
    }

    let mut deserializer = serde_json::Deserializer::from_slice(body);
    deserializer.deserialize_map(Message).ok().flatten()
}

fn malformed(reason: impl Into<String>) -> Rejection {
    Rejection::new(Failure::Malformed, reason)
}

/// A required string field.
fn text<'m>(object: &'m Map<String, Value>, name: &'static str) -> Result<&'m str, Rejection> {
    match object.get(name) {
        Some(Value::String(value)) if !value.is_empty() => Ok(value),
        Some(Value::String(_)) | None => Err(Rejection::new(
            Failure::MissingHeader(name),
            format!("the message has no (or an empty) {name:?} field"),
        )),
        Some(_) => Err(malformed(format!("the {name:?} field must be a string"))),
    }
}

/// A timestamp field: a string, or a bare integer (some SDKs send one) taken as its digits.
fn timestamp_text<'m>(object: &'m Map<String, Value>, name: &'static str) -> Result<Cow<'m, str>, Rejection> {
    match object.get(name) {
        Some(Value::Number(number)) if number.is_u64() => Ok(Cow::Owned(number.to_string())),
        _ => text(object, name).map(Cow::Borrowed),
    }
}

/// An optional array of strings.
fn strings<'m>(object: &'m Map<String, Value>, name: &'static str) -> Result<Vec<&'m str>, Rejection> {
    match object.get(name) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().ok_or_else(|| malformed(format!("{name:?} must be an array of strings"))))
            .collect(),
        Some(_) => Err(malformed(format!("{name:?} must be an array of strings"))),
    }
}

fn require_type(object: &Map<String, Value>, expected: &[&str]) -> Result<(), Rejection> {
    let found = object.get("type").and_then(Value::as_str);
    if found.is_some_and(|found| expected.contains(&found)) {
        Ok(())
    } else {
        Err(malformed(format!("the message type must be {:?}, found {found:?}", expected.join("\" or \""))))
    }
}

/// The HMAC checks shared by the login messages: timestamp, window, passphrase, signature.
struct Sent<'a> {
    timestamp: &'a str,
    passphrase: Option<&'a str>,
    signature: &'a str,
    /// The nonce the message carries, where its layout has one.
    nonce: Option<&'a str>,
    /// The message carries no time ([`WsLogin::Challenged`]): re-signed at the server clock,
    /// which the signer does not read, and held to no window.
    untimed: bool,
}

/// The checks, and on a rejection the diagnosis of the message (`cexsign_diagnosis`).
fn verify_hmac(
    scheme: Scheme,
    account: &Account,
    sent: &Sent<'_>,
    request: &WsRequest<'_>,
    now: Timestamp,
) -> Result<(), Rejection> {
    check_hmac(scheme, account, sent, request, now).map_err(|rejection| {
        if !rejection.is_diagnosable() {
            return rejection;
        }
        let message = cexsign::diagnose::ws_sent(
            scheme,
            request,
            account.api_key(),
            sent.timestamp,
            sent.passphrase,
            sent.signature,
        );
        let diagnosis = PendingDiagnosis::new(account, Vec::new(), message);
        rejection.with_diagnosis(diagnosis)
    })
}

fn check_hmac(
    scheme: Scheme,
    account: &Account,
    sent: &Sent<'_>,
    request: &WsRequest<'_>,
    now: Timestamp,
) -> Result<(), Rejection> {
    let signer = account.signer();
    let format = received_format(scheme, signer.ws_timestamp_format(), true);
    let wire =
        if sent.untimed { WireTimestamp::render(format, now) } else { WireTimestamp::parse(format, sent.timestamp) };
    let wire = wire.map_err(|error| {
        Rejection::new(
            Failure::InvalidTimestamp { raw: sent.timestamp.to_owned(), server_secs: now.unix_secs() },
            format!("timestamp {:?}: {error}", sent.timestamp),
        )
    })?;
    let options = SignOptions::new().keep_prehash();
    let options = match sent.nonce {
        Some(nonce) => options.with_nonce(nonce),
        None => options,
    };
    let expected: Result<WsAuth, String> = signer
        .sign_ws_at(request, &wire, &options)
        .map_err(|error| format!("the message cannot be signed as received: {error}"));
    let prehash = expected.as_ref().ok().and_then(|auth| auth.prehash().cloned());
    if !sent.untimed {
        check_window(&wire, now, window(scheme), "sign the login with a fresh timestamp")
            .map_err(|r| r.with_prehash(prehash.clone()))?;
    }
    if let Some(passphrase) = sent.passphrase {
        if !account.passphrase_matches(passphrase) {
            return Err(Rejection::new(
                Failure::Passphrase,
                "the passphrase does not match the key's (the one chosen when the API key was created)",
            )
            .with_prehash(prehash));
        }
    }
    let expected = expected.map_err(|reason| Rejection::new(Failure::Signature, reason))?;
    if !bool::from(expected.signature().as_bytes().ct_eq(sent.signature.as_bytes())) {
        return Err(Rejection::new(
            Failure::Signature,
            "the signature does not match; cexsign_expected_prehash is what the server signed for this message",
        )
        .with_prehash(prehash));
    }
    Ok(())
}

/// `a` or `an`, before an exchange's name in a sentence.
fn article(name: &str) -> &'static str {
    if name.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" }
}

fn is_auth(part: &WsPart) -> bool {
    matches!(part, WsPart::Key | WsPart::Signature | WsPart::Timestamp | WsPart::Passphrase)
}

/// The field an auth part names.
fn auth_name(names: &AuthNames, part: &WsPart) -> Option<&'static str> {
    match part {
        WsPart::Key => Some(names.key),
        WsPart::Signature => Some(names.signature),
        WsPart::Timestamp => Some(names.timestamp),
        WsPart::Passphrase => Some(names.passphrase.unwrap_or("passphrase")),
        _ => None,
    }
}

/// What a signed message carries, read part by part.
#[derive(Default)]
struct Read<'m> {
    key: Option<&'m str>,
    signature: Option<&'m str>,
    timestamp: Option<Cow<'m, str>>,
    passphrase: Option<&'m str>,
    products: Vec<&'m str>,
    /// Each channel with its products, from a channels array.
    channels: Vec<(&'m str, Vec<&'m str>)>,
    channel: Option<&'m str>,
    /// The call a websocket API login signs.
    call: Option<&'m str>,
    event: Option<&'m str>,
    nonce: Option<&'m str>,
    data: Option<&'m str>,
}

impl<'m> Read<'m> {
    /// The subscriptions read: the call's or the channel's, else the channels array's.
    fn subscriptions(&self) -> Vec<(&'m str, Vec<&'m str>)> {
        match (self.call, self.channel) {
            (Some(channel), _) | (None, Some(channel)) => vec![(channel, self.products.clone())],
            (None, None) => self.channels.clone(),
        }
    }

    /// The request the signature covers, as the message reads so far (`subscribes`: the layout
    /// names channels).
    fn request<'a>(&'a self, channel_names: &'a [&'a str], subscribes: bool) -> WsRequest<'a> {
        let request = match self.call {
            Some(call) => WsRequest::api(call, &[]),
            None if subscribes => {
                let request = WsRequest::subscribe(channel_names, &self.products);
                match self.event {
                    Some(event) => request.with_event(event),
                    None => request,
                }
            }
            None => WsRequest::login(),
        };
        match self.data {
            Some(data) => request.with_data(data),
            None => request,
        }
    }
}

/// A message in one of the exchange's signed layouts: read in the layout's order, the account
/// found once its auth values are read, the request the signature covers rebuilt from what the
/// message says, then the HMAC checks.
fn signed(
    state: &State,
    scheme: Scheme,
    layouts: &[WsMessage],
    message: &Map<String, Value>,
    untimed: bool,
    now: Timestamp,
) -> Result<Value, Rejection> {
    let exchange = scheme.exchange();
    let name = exchange.name;
    let applies = |layout: &&WsMessage| {
        layout.when.is_none_or(|(field, value)| message.get(field).and_then(Value::as_str) == Some(value))
    };
    let Some(layout) = layouts.iter().find(applies) else {
        return Err(malformed(format!("the message is none of {name}'s signed websocket messages")));
    };
    let names = match layout.names {
        WsNames::ApiCall => exchange.ws_api_auth,
        _ => exchange.ws_auth,
    };
    let Some(names) = names else {
        return Err(malformed(format!("{name} names no websocket auth fields")));
    };
    let parts = layout.parts;
    let last_auth = parts.iter().rposition(is_auth);
    let subscribes = parts.iter().any(|part| matches!(part, WsPart::Channel(_) | WsPart::Channels(_)));
    // What the message is, in the exchange's word (`login`, `subscribe`), for the answers.
    let mut kind = "login";
    let mut object = message;
    let mut read = Read::default();
    let mut account = None;
    for (index, part) in parts.iter().enumerate() {
        match *part {
            WsPart::Op(op) => {
                kind = op;
                if message.get("op").and_then(Value::as_str) != Some(op) {
                    return Err(malformed(format!("{} {name} {op} message has \"op\":\"{op}\"", article(name))));
                }
            }
            WsPart::Type(types) => {
                kind = types.first().copied().unwrap_or(kind);
                require_type(message, types)?;
            }
            WsPart::InFirstArg(field) => {
                let Some(Value::Object(args)) =
                    object.get(field).and_then(Value::as_array).and_then(|args| args.first())
                else {
                    let fields: Vec<&str> = parts[index..].iter().filter_map(|part| auth_name(&names, part)).collect();
                    return Err(malformed(format!(
                        "{} {name} {kind} message has \"{field}\": [{{{}}}]",
                        article(name),
                        fields.join(", ")
                    )));
                };
                object = args;
            }
            WsPart::InObject { field, method } => {
                let Some(Value::Object(inner)) = object.get(field) else {
                    let reason = match method {
                        None => format!("the message has no \"{field}\" object"),
                        Some(method) => {
                            let fields: Vec<String> = parts[index..]
                                .iter()
                                .filter_map(|part| auth_name(&names, part))
                                .map(|name| format!("\"{name}\""))
                                .collect();
                            format!(
                                "a private channel message carries \"{field}\": {{\"method\": \"{method}\", {}}}",
                                fields.join(", ")
                            )
                        }
                    };
                    return Err(Rejection::new(Failure::MissingHeader(field), reason));
                };
                if let Some(method) = method {
                    if inner.get("method").and_then(Value::as_str) != Some(method) {
                        return Err(malformed(format!("{field}.method must be \"{method}\"")));
                    }
                }
                object = inner;
            }
            WsPart::KeyMisnamed { name: other, by } => {
                if !object.contains_key(names.key) && object.contains_key(other) {
                    let rejection = Rejection::new(
                        Failure::MissingHeader(names.key),
                        format!("the {kind} names the key {other:?} ({by}); {name}'s {kind} field is {:?}", names.key),
                    );
                    return Err(with_misnamed_key_diagnosis(state, scheme, object, other, rejection));
                }
            }
            WsPart::Key => read.key = Some(text(object, names.key)?),
            WsPart::Signature => read.signature = Some(text(object, names.signature)?),
            WsPart::Timestamp => read.timestamp = Some(timestamp_text(object, names.timestamp)?),
            WsPart::Passphrase => {
                read.passphrase = Some(text(object, names.passphrase.unwrap_or("passphrase"))?);
            }
            WsPart::Products(field) => read.products = strings(object, field)?,
            WsPart::Channel(field) => read.channel = Some(text(object, field)?),
            WsPart::Channels(field) => read.channels = channels(object, field, &read.products, kind, name)?,
            WsPart::Event(field) => read.event = Some(text(object, field)?),
            WsPart::LoginChannel { field, suffix, named } => {
                let channel = text(object, field)?;
                if !channel.ends_with(suffix) {
                    return Err(malformed(format!(
                        "this endpoint checks the ws API login (channel {named}), not {channel:?}"
                    )));
                }
                read.call = Some(channel);
            }
            WsPart::EmptyObject(field) => match object.get(field) {
                None => {}
                Some(Value::Object(value)) if value.is_empty() => {}
                Some(_) => return Err(malformed(format!("a login's {field} is {{}} (it is signed as \"{{}}\")"))),
            },
            WsPart::Field(field, value) => {
                if object.get(field).and_then(Value::as_str) != Some(value) {
                    return Err(malformed(format!(
                        "{} {name} {kind} message has \"{field}\": \"{value}\"",
                        article(name)
                    )));
                }
            }
            WsPart::Nonce(field) => read.nonce = Some(text(object, field)?),
            WsPart::Data(field) => {
                read.data = match object.get(field) {
                    None | Some(Value::Null) => None,
                    Some(Value::String(data)) => Some(data.as_str()),
                    Some(_) => return Err(malformed(format!("the {kind}'s {field:?} must be a string"))),
                };
            }
            _ => return Err(malformed(format!("{name}'s websocket message has a part this server cannot read"))),
        }
        if Some(index) == last_auth {
            let key = read.key.ok_or_else(|| missing(names.key))?;
            // Every auth value is read by now, and the channels a signed subscribe names.
            let sent = || {
                let channels = read.subscriptions();
                let channel_names: Vec<&str> = channels.iter().map(|(name, _)| *name).collect();
                let request = read.request(&channel_names, subscribes);
                let timestamp = read.timestamp.as_deref().unwrap_or_default();
                let signature = read.signature.unwrap_or_default();
                cexsign::diagnose::ws_sent(scheme, &request, key, timestamp, read.passphrase, signature)
            };
            account = Some(
                find_account(state, scheme, key)
                    .map_err(|rejection| with_swapped_key_diagnosis(state, scheme, key, sent, rejection))?,
            );
        }
    }
    let account = account.ok_or_else(|| missing(names.key))?;
    // A challenged message signs no time (the server's challenge stands in for it).
    let timestamp = match read.timestamp.as_deref() {
        None if untimed => "",
        timestamp => timestamp.ok_or_else(|| missing(names.timestamp))?,
    };
    let signature = read.signature.ok_or_else(|| missing(names.signature))?;
    let sent = Sent { timestamp, passphrase: read.passphrase, signature, nonce: read.nonce, untimed };

    let channels = read.subscriptions();
    let channel_names: Vec<&str> = channels.iter().map(|(name, _)| *name).collect();
    let request = read.request(&channel_names, subscribes);
    verify_hmac(scheme, account, &sent, &request, now)?;
    let accepted = WsAccepted::new(message, account.api_key(), now, WS_CONNECTION_ID)
        .subscribed(&channels, &read.products)
        .event(read.event);
    Ok((layout.answer)(&accepted))
}

fn missing(name: &'static str) -> Rejection {
    Rejection::new(Failure::MissingHeader(name), format!("the message has no (or an empty) {name:?} field"))
}

/// A channels array: names, or `{"name": ..., "product_ids": [...]}` objects, each with its
/// own products or else the message's.
fn channels<'m>(
    object: &'m Map<String, Value>,
    field: &'static str,
    product_ids: &[&'m str],
    kind: &str,
    name: &str,
) -> Result<Vec<(&'m str, Vec<&'m str>)>, Rejection> {
    let Some(Value::Array(items)) = object.get(field) else {
        return Err(malformed(format!("{} {name} {kind} message has a \"{field}\" array", article(name))));
    };
    // Each channel takes the message's products unless it names its own: a hostile message of
    // many channels and many products would multiply them.
    let mut pairs = 0usize;
    items
        .iter()
        .map(|item| {
            let (name, products) = match item {
                Value::String(name) => (name.as_str(), product_ids.to_vec()),
                Value::Object(channel) => {
                    let name = text(channel, "name")?;
                    let own = strings(channel, "product_ids")?;
                    (name, if own.is_empty() { product_ids.to_vec() } else { own })
                }
                _ => return Err(malformed(format!("{field} must be names or {{\"name\": ...}} objects"))),
            };
            pairs = pairs.saturating_add(products.len().max(1));
            if pairs > MAX_SUBSCRIPTIONS {
                return Err(malformed(format!(
                    "the message subscribes to more than {MAX_SUBSCRIPTIONS} channel and product pairs, more than \
                     this server checks in one message"
                )));
            }
            Ok((name, products))
        })
        .collect()
}

/// The most channel and product pairs one subscribe may name here.
const MAX_SUBSCRIPTIONS: usize = 10_000;

/// `{"op", "args": [key, expires, signature]}`: the expiry must lie ahead and the signature
/// cover it.
fn expires(
    state: &State,
    scheme: Scheme,
    login: &ExpiresLogin,
    message: &Map<String, Value>,
    now: Timestamp,
) -> Result<Value, Rejection> {
    let exchange = scheme.exchange();
    let (name, op) = (exchange.name, login.op);
    let Some(names) = exchange.ws_auth else {
        return Err(malformed(format!("{name} names no websocket auth fields")));
    };
    if message.get("op").and_then(Value::as_str) != Some(op) {
        return Err(malformed(format!("{} {name} {op} message has \"op\":\"{op}\"", article(name))));
    }
    let shape = format!("[{}, {}, {}]", names.key, names.timestamp, names.signature);
    let Some(Value::Array(args)) = message.get("args") else {
        return Err(malformed(format!("{} {name} {op} message has \"args\": {shape}", article(name))));
    };
    let [key, expires, signature] = args.as_slice() else {
        return Err(malformed(format!("\"args\" holds exactly three values: {shape}")));
    };
    let text = |value: &Value, name: &'static str| match value {
        Value::String(text) if !text.is_empty() => Ok(text.clone()),
        _ => Err(Rejection::new(Failure::MissingHeader(name), format!("args: {name} must be a non-empty string"))),
    };
    let (key, signature) = (text(key, names.key)?, text(signature, names.signature)?);
    // Some SDKs send the expiry as a number, others as a string.
    let expires = match expires {
        Value::Number(number) => number.to_string(),
        other => text(other, names.timestamp)?,
    };
    let account = find_account(state, scheme, &key).map_err(|rejection| {
        let sent = || cexsign::diagnose::ws_sent(scheme, &WsRequest::login(), &key, &expires, None, &signature);
        with_swapped_key_diagnosis(state, scheme, &key, sent, rejection)
    })?;
    let field = names.timestamp;
    let wire = WireTimestamp::parse(login.format, &expires).map_err(|error| {
        Rejection::new(
            Failure::InvalidTimestamp { raw: expires.clone(), server_secs: now.unix_secs() },
            format!("{field} {expires:?}: {error} ({} in the future)", login.unit),
        )
    })?;
    let expected = account
        .signer()
        .sign_ws_at(&WsRequest::login(), &wire, &SignOptions::new().keep_prehash())
        .map_err(|error| format!("the message cannot be signed as received: {error}"));
    let prehash = expected.as_ref().ok().and_then(|auth| auth.prehash().cloned());
    let outcome = (|| {
        if wire.instant() <= now {
            return Err(Rejection::new(
                Failure::Expired { request: wire.instant(), server: now, window: std::time::Duration::ZERO },
                format!(
                    "{field} {expires} is not in the future (server clock {} ms): {}",
                    now.unix_millis(),
                    login.ahead
                ),
            )
            .with_prehash(prehash.clone()));
        }
        let expected = expected.map_err(|reason| Rejection::new(Failure::Signature, reason))?;
        if !bool::from(expected.signature().as_bytes().ct_eq(signature.as_bytes())) {
            return Err(Rejection::new(
                Failure::Signature,
                format!("the signature does not match {} (cexsign_expected_prehash)", login.signs),
            )
            .with_prehash(prehash.clone()));
        }
        Ok(())
    })();
    outcome.map_err(|rejection| {
        let sent = cexsign::diagnose::ws_sent(scheme, &WsRequest::login(), &key, &expires, None, &signature);
        let diagnosis = PendingDiagnosis::new(account, Vec::new(), sent);
        rejection.with_diagnosis(diagnosis)
    })?;
    Ok((login.answer)(&WsAccepted::new(message, account.api_key(), now, WS_CONNECTION_ID)))
}

/// A message carrying a JWT: alone, or in a subscribe to one channel.
fn with_token(
    state: &State,
    scheme: Scheme,
    layout: &JwtMessage,
    message: &Map<String, Value>,
    now: Timestamp,
) -> Result<Value, Rejection> {
    let token = text(message, layout.token)?;
    let channel = match message.get(layout.channel) {
        None => None,
        Some(_) => {
            require_type(message, layout.types)?;
            Some(text(message, layout.channel)?)
        }
    };
    let product_ids = strings(message, layout.products)?;
    let verified = jwt::verify(state, token, now, UriCheck::Ws).map_err(|rejection| {
        // The diagnosis of a token from a registered key (`cexsign_diagnosis`).
        let account = cexsign::diagnose::token_kid(token).and_then(|kid| state.account(scheme, &kid));
        match account {
            Some(account) if rejection.is_diagnosable() => {
                let message = cexsign::diagnose::SentRequest::ws(&[], &[]).with_auth(layout.token, token);
                let diagnosis = PendingDiagnosis::new(account, Vec::new(), message);
                rejection.with_diagnosis(diagnosis)
            }
            _ => rejection,
        }
    })?;
    let channels: Vec<(&str, Vec<&str>)> = channel.map(|name| (name, product_ids.clone())).into_iter().collect();
    let accepted =
        WsAccepted::new(message, verified.account.api_key(), now, WS_CONNECTION_ID).subscribed(&channels, &product_ids);
    Ok((layout.answer)(&accepted))
}

/// The most scalars of a message read as candidate keys and timestamps: a login message has a
/// handful, so this bounds the re-signing of a hostile one.
const MAX_SCALARS: usize = 16;

/// The login of a scheme this module does not name, checked by re-signing: the message must be
/// exactly the one the key's signer writes for a login (or a subscribe to the channels a
/// top-level list of the message names) at the instant (or expiry) it carries.
/// The key and the instant are found among the message's scalars (at most [`MAX_SCALARS`]);
/// the instant is then held to the exchange's timestamp rule, as on REST. Where the home
/// answers it (`answered`: its optional fields and its answer), the login is compared field by
/// field ([`same_login`]) and answered by the home; else it must equal the signer's exactly and
/// is answered with the login echoed back.
fn by_resigning(
    state: &State,
    scheme: Scheme,
    message: &Map<String, Value>,
    now: Timestamp,
    answered: Option<(&[&str], WsAnswer)>,
) -> Result<Value, Rejection> {
    let mut scalars = Vec::new();
    collect_scalars(&Value::Object(message.clone()), &mut scalars, 0);
    let Some(account) = scalars.iter().find_map(|scalar| state.account(scheme, scalar)) else {
        let names = scheme.exchange().ws_auth.map_or("the API key", |names| names.key);
        return Err(Rejection::new(
            Failure::UnknownKey,
            format!("no {} account is registered with the key this login carries ({names})", scheme.name()),
        ));
    };
    let signer = account.signer();
    let format = received_format(scheme, signer.ws_timestamp_format(), true);
    let sent = Value::Object(message.clone());
    // A login, or a signed subscribe naming its channels in a top-level list of strings.
    let lists: Vec<Vec<&str>> = message
        .values()
        .filter_map(Value::as_array)
        .filter(|items| items.len() <= MAX_SCALARS)
        .filter_map(|items| items.iter().map(Value::as_str).collect::<Option<Vec<&str>>>())
        .take(2)
        .collect();
    // A login carrying an id of its own is signed with it (Crypto.com's public/auth).
    let id = match message.get("id") {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    };
    let requests: Vec<WsRequest<'_>> = std::iter::once(WsRequest::login())
        .chain(id.as_deref().map(|id| WsRequest::login().with_id(id)))
        .chain(lists.iter().map(|list| WsRequest::subscribe(list, &[])))
        .collect();
    for scalar in &scalars {
        let Ok(wire) = WireTimestamp::parse(format, scalar) else { continue };
        for request in &requests {
            let Ok(expected) = signer.sign_ws_at(request, &wire, &SignOptions::new()) else { continue };
            let Ok(expected) = serde_json::from_str::<Value>(expected.message_json()) else { continue };
            let same = match answered {
                Some((optional, _)) => same_login(&expected, message, optional),
                None => expected == sent,
            };
            if same {
                check_ws_time(scheme, account, &wire, now)?;
                return Ok(match answered {
                    Some((_, answer)) => answer(&WsAccepted::new(message, account.api_key(), now, WS_CONNECTION_ID)),
                    None => json!({"success": true, "request": sent}),
                });
            }
        }
    }
    Err(Rejection::new(
        Failure::Signature,
        format!(
            "the login is not the one the key's signer writes at the instant it carries: check the signature and \
             that the message is {}'s login, field for field",
            scheme.name()
        ),
    ))
}

/// Whether `sent` is the `expected` login field for field, where a number may be sent as its
/// decimal text and the `optional` fields may be added.
fn same_login(expected: &Value, sent: &Map<String, Value>, optional: &[&str]) -> bool {
    let Some(expected) = expected.as_object() else { return false };
    let extra = sent.keys().all(|name| expected.contains_key(name) || optional.contains(&name.as_str()));
    extra
        && expected.iter().all(|(name, value)| match (value, sent.get(name)) {
            (Value::Number(number), Some(Value::String(text))) => number.to_string() == *text,
            (value, Some(sent)) => value == sent,
            (_, None) => false,
        })
}

/// A login's instant held to the exchange's REST rule: an expiry must lie ahead, a nonce above
/// the key's last one, a timestamp within the window.
fn check_ws_time(scheme: Scheme, account: &Account, wire: &WireTimestamp, now: Timestamp) -> Result<(), Rejection> {
    let exchange = scheme.exchange();
    let hint = "sign the login with a fresh timestamp";
    match exchange.rest_verification {
        cexsign::RestVerification::Headers(check) if check.timestamp == cexsign::TimestampRule::Expires => {
            let field = exchange.ws_auth.map_or("expires", |names| names.timestamp);
            super::verify::check_expiry(field, wire, now, exchange.window, hint)
        }
        cexsign::RestVerification::Headers(check) if check.timestamp == cexsign::TimestampRule::Nonce => {
            let field = exchange.ws_auth.map_or("nonce", |names| names.timestamp);
            super::verify::check_nonce(account, field, wire, now)
        }
        _ => check_window(wire, now, window(scheme), hint),
    }
}

/// The string and number leaves of a message, in order, at most [`MAX_SCALARS`] and four levels
/// deep.
fn collect_scalars(value: &Value, out: &mut Vec<String>, depth: usize) {
    if out.len() >= MAX_SCALARS || depth > 4 {
        return;
    }
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Number(number) => out.push(number.to_string()),
        Value::Array(items) => items.iter().for_each(|item| collect_scalars(item, out, depth + 1)),
        Value::Object(fields) => fields.values().for_each(|field| collect_scalars(field, out, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(object) => object,
            _ => Map::new(),
        }
    }

    #[test]
    fn channels_take_the_message_products_unless_they_name_their_own() {
        let message = object(json!({"channels": ["level2", {"name": "ticker", "product_ids": ["ETH-USD"]}]}));
        let read = channels(&message, "channels", &["BTC-USD"], "subscribe", "Coinbase Exchange").unwrap();
        assert_eq!(read, vec![("level2", vec!["BTC-USD"]), ("ticker", vec!["ETH-USD"])]);
        let refused = channels(&object(json!({})), "channels", &[], "subscribe", "Coinbase Exchange").unwrap_err();
        assert_eq!(refused.reason, "a Coinbase Exchange subscribe message has a \"channels\" array");
    }

    #[test]
    fn many_channels_of_many_products_are_refused_before_they_multiply() {
        let products: Vec<String> = (0..1000).map(|i| format!("P{i}")).collect();
        let products: Vec<&str> = products.iter().map(String::as_str).collect();
        let message = object(json!({"channels": vec!["level2"; 1000]}));
        let refused = channels(&message, "channels", &products, "subscribe", "Coinbase Exchange").unwrap_err();
        assert_eq!(refused.failure, Failure::Malformed);
        assert!(channels(&message, "channels", &products[..10], "subscribe", "Coinbase Exchange").is_ok());
    }

    #[test]
    fn params_are_named_in_the_order_sent() {
        let sent = br#"{"id":"1","params":{"symbol":"BTCUSDT","side":{"nested":[1,{"x":2}]},"apiKey":"k","b\u0061":0},"method":"order.place"}"#;
        assert_eq!(params_order(sent).unwrap(), ["symbol", "side", "apiKey", "ba"]);
        // No params object, params of another type, a message that is not JSON: no order.
        assert_eq!(params_order(br#"{"id":"1","method":"order.place"}"#), None);
        assert_eq!(params_order(br#"{"params":[1,2]}"#), None);
        assert_eq!(params_order(br#"{"params":{"a":1"#), None);
        assert_eq!(params_order(b"[]"), None);
        // More names than are kept: none kept.
        let many: Vec<String> = (0..=MAX_ORDERED_PARAMS).map(|i| format!("\"p{i}\":{i}")).collect();
        let message = format!("{{\"params\":{{{}}}}}", many.join(","));
        assert_eq!(params_order(message.as_bytes()), None);
        let within = format!("{{\"params\":{{{}}}}}", many[..MAX_ORDERED_PARAMS].join(","));
        assert_eq!(params_order(within.as_bytes()).map(|names| names.len()), Some(MAX_ORDERED_PARAMS));
    }

    #[test]
    fn the_article_reads_before_the_name() {
        assert_eq!(format!("{} OKX", article("OKX")), "an OKX");
        assert_eq!(format!("{} Bybit", article("Bybit")), "a Bybit");
    }
}
