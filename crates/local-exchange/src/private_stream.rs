//! The private websocket streams: a websocket upgrade on an exchange's private-stream path (its
//! home's [`PrivateStream`]) is accepted on the same port as REST, and the connection then
//! speaks the exchange's frames: its login checked by the same websocket-login check as
//! `POST /cexsign/ws/<id>` (so the answer is the exchange's own success or error frame, with
//! the same `cexsign_diagnosis`), subscribes to its private channels answered and served one
//! event each, its pings answered. Where the exchange's login is its signed subscribe (the
//! home's `StreamLogin::SignedSubscribe`), that subscribe is checked as a login and, accepted,
//! followed by its channels' events. Where the exchange pushes account events after a login
//! with no subscribe (the home's `pushed_on_login`), they follow the accepted login, and an
//! exchange that greets a new connection (the home's `greeting`) does so first. Where several
//! exchanges serve the same path on their own hosts, the connection's first message decides
//! whose stream it is.
//!
//! tokio-tungstenite is the well-kept tokio websocket crate, and the one bots already use: the
//! upgrade happens on hyper's own connection, so only its frame codec and the handshake's accept
//! key are used here. This module names no exchange.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt as _, StreamExt as _};
use http::{HeaderValue, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Message, Role, WebSocketConfig};

use super::State;
use super::diagnosis;
use super::reply::{Verdict, WS_CONNECTION_ID, cexsign_error};
use super::ws;
use cexsign::{PrivateStream, Scheme, StreamLogin, StreamMessage, StreamPing, StreamRefusal};

/// The largest message (and frame) read: a login or subscribe is a few hundred bytes.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The most elements of one subscribe list read.
const MAX_SUBSCRIPTIONS: usize = 64;

/// A websocket session, run by the connection's task once hyper has handed over the socket
/// (so it counts against the connection cap and ends with the server).
pub(crate) type Session = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where the connection's service leaves an accepted upgrade's session for the connection's
/// task to run.
pub(crate) type SessionSlot = Arc<Mutex<Option<Session>>>;

/// The schemes whose private stream is served at `path` (several where exchanges share a path
/// on their own hosts: Delta's and Coinbase Exchange's are both `/`).
fn streams_at(path: &str) -> Vec<Scheme> {
    Scheme::ALL
        .into_iter()
        .filter(|scheme| {
            let stream = &scheme.exchange().private_stream;
            stream.is_served() && stream.path == path
        })
        .collect()
}

/// Whether a connection's message is one of `scheme`'s, told from what its home already says:
/// its ping, a subscribe whose list it can read, or its websocket key field at the top level or
/// in an object one level down (a login).
fn claims(scheme: Scheme, bytes: &[u8], message: Option<&Value>) -> bool {
    let exchange = scheme.exchange();
    let stream = &exchange.private_stream;
    let field_is =
        |message: &Value, field: &str, value: &str| message.get(field).and_then(Value::as_str) == Some(value);
    match (stream.ping, message) {
        (StreamPing::Text { ping, .. }, _) if bytes == ping.as_bytes() => return true,
        (StreamPing::Json { field, value, .. }, Some(message)) if field_is(message, field, value) => return true,
        _ => {}
    }
    let Some(message) = message else { return false };
    let (field, value) = stream.subscribe.when;
    if field_is(message, field, value) && !stream.subscribe.elements(message, 1).is_empty() {
        return true;
    }
    let Some(key) = exchange.ws_auth.as_ref().map(|names| names.key) else { return false };
    let carries_key = |object: &Value| object.as_object().is_some_and(|fields| fields.contains_key(key));
    carries_key(message) || message.as_object().is_some_and(|fields| fields.values().any(carries_key))
}

/// Answers a websocket upgrade on an exchange's private-stream path, leaving the session in
/// `slot`; `None` when the request is not one (it is then routed as before).
pub(crate) fn upgrade(
    state: &Arc<State>,
    request: &mut Request<Incoming>,
    slot: &SessionSlot,
) -> Option<Response<Full<Bytes>>> {
    let asks_upgrade = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("websocket"));
    let schemes = streams_at(request.uri().path());
    if !asks_upgrade || schemes.is_empty() {
        return None;
    }
    let refuse = |reason: &str| cexsign_error(StatusCode::BAD_REQUEST, reason).into_response();
    if request.method() != http::Method::GET {
        return Some(refuse("a websocket upgrade is a GET request"));
    }
    if request.headers().get(header::SEC_WEBSOCKET_VERSION).map(HeaderValue::as_bytes) != Some(b"13") {
        return Some(refuse("a websocket upgrade sends Sec-WebSocket-Version: 13"));
    }
    let Some(key) = request.headers().get(header::SEC_WEBSOCKET_KEY) else {
        return Some(refuse("a websocket upgrade sends a Sec-WebSocket-Key"));
    };
    let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) else {
        return Some(refuse("the Sec-WebSocket-Key cannot be answered"));
    };
    let upgraded = hyper::upgrade::on(request);
    let state = Arc::clone(state);
    let session: Session = Box::pin(async move {
        let Ok(upgraded) = upgraded.await else { return };
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let socket = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
        serve(state, schemes, socket).await;
    });
    if let Ok(mut slot) = slot.lock() {
        *slot = Some(session);
    }
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    Some(response)
}

/// One connection: each message from the client answered in order until it closes, goes
/// silent for longer than the exchange allows, or breaks the protocol. Where several exchanges
/// serve the path, the first message one of them claims decides whose stream it is.
async fn serve<S>(state: Arc<State>, schemes: Vec<Scheme>, mut socket: WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut chosen = match schemes.as_slice() {
        [scheme] => Some(*scheme),
        _ => None,
    };
    let mut connection = Connection { api_key: None };
    // An exchange that greets a new connection does so before the client speaks; on a path
    // several exchanges share, nobody is known to greet yet.
    if let Some(scheme) = chosen {
        let greeting = scheme.exchange().private_stream.greeting;
        if !greeting.is_empty() && socket.send(Message::text(greeting)).await.is_err() {
            return;
        }
    }
    loop {
        let idle = match chosen {
            Some(scheme) => scheme.exchange().private_stream.idle,
            None => schemes.iter().map(|scheme| scheme.exchange().private_stream.idle).min().unwrap_or_default(),
        };
        let message = match tokio::time::timeout(idle.max(Duration::from_secs(1)), socket.next()).await {
            Ok(Some(Ok(message))) => message,
            _ => break,
        };
        let bytes = match message {
            Message::Text(text) => Bytes::from(text),
            Message::Binary(bytes) => bytes,
            Message::Close(_) => break,
            // The protocol's pings are answered by the codec itself.
            _ => continue,
        };
        let scheme = match chosen {
            Some(scheme) => scheme,
            None => {
                let message = serde_json::from_slice::<Value>(&bytes).ok();
                let claimed = schemes.iter().copied().find(|scheme| claims(*scheme, &bytes, message.as_ref()));
                let Some(scheme) = claimed.or_else(|| schemes.first().copied()) else { break };
                *chosen.insert(scheme)
            }
        };
        let stream = &scheme.exchange().private_stream;
        for frame in answer(&state, scheme, stream, &mut connection, &bytes).await {
            if socket.send(Message::text(frame)).await.is_err() {
                return;
            }
        }
    }
    let _ = socket.close(None).await;
}

/// What a connection knows: the key it logged in with.
struct Connection {
    api_key: Option<String>,
}

/// The frames that answer one message: a ping's pong, another request's answer, a subscribe's
/// answers and events (or its refusal), else the login check's answer. Where a signed subscribe is the login, it is
/// checked as one and, accepted, followed by its channels' events.
async fn answer(
    state: &Arc<State>,
    scheme: Scheme,
    stream: &PrivateStream,
    connection: &mut Connection,
    bytes: &[u8],
) -> Vec<String> {
    if let StreamPing::Text { ping, pong } = stream.ping {
        if bytes == ping.as_bytes() {
            return vec![pong.to_owned()];
        }
    }
    let message = serde_json::from_slice::<Value>(bytes).ok().filter(Value::is_object);
    let object = message.as_ref().and_then(Value::as_object);
    let mut signed_subscribe = false;
    if let (Some(message), Some(object)) = (&message, object) {
        let api_key = connection.api_key.as_deref().unwrap_or_default();
        let sent = StreamMessage::new(object, api_key, state.now(), WS_CONNECTION_ID);
        if let StreamPing::Json { field, value, answer } = stream.ping {
            if object.get(field).and_then(Value::as_str) == Some(value) {
                return vec![answer(&sent).to_string()];
            }
        }
        let request = stream
            .requests
            .iter()
            .find(|request| object.get(request.field).and_then(Value::as_str) == Some(request.value));
        if let Some(request) = request {
            return (request.answer)(&sent).iter().map(Value::to_string).collect();
        }
        let (field, value) = stream.subscribe.when;
        if object.get(field).and_then(Value::as_str) == Some(value) {
            match stream.login {
                StreamLogin::SignedSubscribe { signed_by, .. } if object.contains_key(signed_by) => {
                    signed_subscribe = true;
                }
                StreamLogin::SignedSubscribe { .. } => return subscribe(stream, false, message, sent),
                _ => return subscribe(stream, connection.api_key.is_some(), message, sent),
            }
        }
    }
    // Anything else is a login, checked (and answered) as `POST /cexsign/ws/<id>` would be.
    let reply = ws::check(state, scheme.id(), bytes, state.now());
    let reply = diagnosis::finish_on_pool(state, reply).await.with_diagnosis(None);
    state.record(reply.verdict);
    let mut frames = vec![reply.body];
    if reply.verdict == Verdict::Accepted {
        connection.api_key = logged_in_key(state, scheme, object);
        if let (true, Some(message), Some(object)) = (signed_subscribe, &message, object) {
            let api_key = connection.api_key.as_deref().unwrap_or_default();
            let sent = StreamMessage::new(object, api_key, state.now(), WS_CONNECTION_ID);
            frames.extend(served(stream, message, sent, false));
        } else if let Some(object) = object {
            let api_key = connection.api_key.as_deref().unwrap_or_default();
            let sent = StreamMessage::new(object, api_key, state.now(), WS_CONNECTION_ID);
            frames.extend(pushed_on_login(stream, sent));
        }
    }
    frames
}

/// The events that follow an accepted login with no subscribe: one per channel the home lists.
fn pushed_on_login(stream: &PrivateStream, sent: StreamMessage<'_>) -> Vec<String> {
    let mut frames = Vec::new();
    for channel in stream.pushed_on_login {
        let channel = Value::from(*channel);
        let args = [&channel];
        frames.push((stream.answers.event)(&sent.args(&args)).to_string());
    }
    frames
}

/// The registered key an accepted login carries (among its string values).
fn logged_in_key(state: &State, scheme: Scheme, message: Option<&Map<String, Value>>) -> Option<String> {
    let mut strings = Vec::new();
    if let Some(message) = message {
        collect_strings(&Value::Object(message.clone()), &mut strings, 0);
    }
    Some(strings.into_iter().find(|text| state.account(scheme, text).is_some()).unwrap_or_default())
}

fn collect_strings(value: &Value, out: &mut Vec<String>, depth: usize) {
    if out.len() >= 16 || depth > 4 {
        return;
    }
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, out, depth + 1)),
        Value::Object(fields) => fields.values().for_each(|field| collect_strings(field, out, depth + 1)),
        _ => {}
    }
}

/// A subscribe: refused before a login, else served.
fn subscribe(stream: &PrivateStream, logged_in: bool, message: &Value, sent: StreamMessage<'_>) -> Vec<String> {
    if !logged_in {
        return vec![(stream.answers.refused)(&sent.refused(StreamRefusal::NotLoggedIn)).to_string()];
    }
    served(stream, message, sent, true)
}

/// A logged-in subscribe: each unknown channel refused, the served ones answered (unless the
/// login's answer already was the subscribe's: `answered` false) and served one event each.
fn served(stream: &PrivateStream, message: &Value, sent: StreamMessage<'_>, answered: bool) -> Vec<String> {
    let answers = &stream.answers;
    let args = stream.subscribe.elements(message, MAX_SUBSCRIPTIONS);
    let (served, unknown): (Vec<&Value>, Vec<&Value>) = args
        .into_iter()
        .partition(|arg| stream.subscribe.channel(arg).is_some_and(|name| stream.channels.contains(&name)));
    let mut frames: Vec<String> = Vec::new();
    for arg in &unknown {
        let refused = sent.args(std::slice::from_ref(arg)).refused(StreamRefusal::UnknownChannel);
        frames.push((answers.refused)(&refused).to_string());
    }
    if served.is_empty() {
        if unknown.is_empty() {
            frames.push((answers.refused)(&sent.refused(StreamRefusal::UnknownChannel)).to_string());
        }
        return frames;
    }
    if answered {
        frames.extend((answers.subscribed)(&sent.args(&served)).iter().map(Value::to_string));
    }
    for arg in &served {
        frames.push((answers.event)(&sent.args(std::slice::from_ref(arg))).to_string());
    }
    frames
}
