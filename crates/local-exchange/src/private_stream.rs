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
//! whose stream it is (until a login is accepted, a later message one of them claims may decide
//! again). A connection can be ended on purpose, after some messages or on demand
//! ([`crate::faults`], `StreamEnd`), so that a client's reconnect is testable.
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
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Message, Role, WebSocketConfig};

use super::State;
use super::diagnosis;
use super::faults::StreamEnd;
use super::orders::{Placement, duplicate_ws_answer};
use super::reply::{Verdict, WS_CONNECTION_ID, cexsign_error};
use super::signed_parameters;
use super::stream_tokens::TokenRefused;
use super::verify::{self, RawRequest};
use super::ws;
use cexsign::{
    PlaceOrder, PrivateStream, Scheme, StreamChallenge, StreamLogin, StreamMessage, StreamPing, StreamRefusal,
    StreamToken, TokenShown, WsLogin, WsPart,
};

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

/// The connect URL's query parameter that carries a stream's token, where its stream takes
/// the token there.
fn token_parameter(scheme: Scheme) -> Option<&'static str> {
    match scheme.exchange().private_stream.token()?.shown {
        TokenShown::Query { token, .. } => Some(token),
        _ => None,
    }
}

/// The connect URL's query parameters (decoded as a form is), at most [`MAX_SUBSCRIPTIONS`].
fn query_parameters(query: Option<&str>) -> Map<String, Value> {
    let mut parameters = Map::new();
    for pair in query.unwrap_or_default().split('&').filter(|pair| !pair.is_empty()).take(MAX_SUBSCRIPTIONS) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |text| cexsign::decode_query(text).map(|text| text.into_owned()).unwrap_or_default();
        parameters.entry(decode(name)).or_insert_with(|| Value::String(decode(value)));
    }
    parameters
}

/// Of the streams served at a path, those a connection can be: where its URL carries a
/// stream's token parameter, the streams that take their token there; else the others.
fn streams_for(schemes: Vec<Scheme>, parameters: &Map<String, Value>) -> Vec<Scheme> {
    let carries = |scheme: &Scheme| token_parameter(*scheme).is_some_and(|name| parameters.contains_key(name));
    if schemes.iter().any(carries) {
        return schemes.into_iter().filter(carries).collect();
    }
    schemes.into_iter().filter(|scheme| token_parameter(*scheme).is_none()).collect()
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
    names_a_channel(stream, message) || carries_login(scheme, message)
}

/// Whether a message is a subscribe of `stream`'s whose first element names a channel (a
/// subscribe that is its own element must name it in the home's channel field, so another
/// home's subscribe with the same marker is not read as one).
fn names_a_channel(stream: &PrivateStream, message: &Value) -> bool {
    let (field, value) = stream.subscribe.when;
    message.get(field).and_then(Value::as_str) == Some(value)
        && stream.subscribe.elements(message, 1).first().is_some_and(|first| stream.subscribe.channel(first).is_some())
}

/// Whether a message carries `scheme`'s own login: its websocket key field at the top level or
/// in an object one level down, or the field that signs its subscribe on a subscribe it can
/// read. This outweighs a subscribe another home could read too (two homes whose subscribes
/// read alike are told apart by the fields that sign them).
fn carries_login(scheme: Scheme, message: &Value) -> bool {
    let exchange = scheme.exchange();
    let stream = &exchange.private_stream;
    if let StreamLogin::SignedSubscribe { signed_by, .. } = stream.login {
        if message.get(signed_by).is_some() && names_a_channel(stream, message) {
            return true;
        }
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
    let parameters = query_parameters(request.uri().query());
    let schemes = streams_for(streams_at(request.uri().path()), &parameters);
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
    let upgrade = UpgradeRequest { headers: request.headers().clone() };
    let upgraded = hyper::upgrade::on(request);
    let state = Arc::clone(state);
    let session: Session = Box::pin(async move {
        let Ok(upgraded) = upgraded.await else { return };
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let socket = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
        serve(state, schemes, parameters, upgrade, socket).await;
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
async fn serve<S>(
    state: Arc<State>,
    schemes: Vec<Scheme>,
    parameters: Map<String, Value>,
    upgrade: UpgradeRequest,
    mut socket: WebSocketStream<S>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut chosen = match schemes.as_slice() {
        [scheme] => Some(*scheme),
        _ => None,
    };
    let mut connection = Connection { api_key: None, challenges: Vec::new() };
    let mut ends = state.faults.stream_ends();
    let path = schemes.first().map(|scheme| scheme.exchange().private_stream.path).unwrap_or_default();
    if let Some(scheme) = chosen {
        if let Err(refused) = handshake(&state, scheme, &upgrade, &mut connection).await {
            let _ = socket.send(Message::text(refused)).await;
            let frame = CloseFrame {
                code: CloseCode::Policy,
                reason: "cexsign: the upgrade request's credentials were refused".into(),
            };
            let _ = socket.close(Some(frame)).await;
            return;
        }
        for frame in subscribed_in_url(&state, scheme, &parameters, &connection) {
            if socket.send(Message::text(frame)).await.is_err() {
                return;
            }
        }
        match connected(&state, scheme, &parameters, &mut connection) {
            Ok(Some(greeting)) => {
                if socket.send(Message::text(greeting)).await.is_err() {
                    return;
                }
            }
            Ok(None) => {}
            Err(refused) => {
                let _ = socket.send(Message::text(refused)).await;
                let _ = socket.close(None).await;
                return;
            }
        }
    }
    loop {
        let idle = match chosen {
            Some(scheme) => scheme.exchange().private_stream.idle,
            None => schemes.iter().map(|scheme| scheme.exchange().private_stream.idle).min().unwrap_or_default(),
        };
        let next = tokio::time::timeout(idle.max(Duration::from_secs(1)), socket.next());
        let message = tokio::select! {
            end = ends.recv() => match end {
                Ok(end) => return end_stream(socket, end).await,
                // Ends were missed (the next one is read on the next turn).
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            message = next => match message {
                Ok(Some(Ok(message))) => message,
                _ => break,
            },
        };
        let key = connection.api_key.as_deref().unwrap_or_default();
        if matches!(message, Message::Text(_) | Message::Binary(_)) {
            if let Some(end) = state.faults.stream_message(path, key) {
                return end_stream(socket, end).await;
            }
        }
        let bytes = match message {
            Message::Text(text) => Bytes::from(text),
            Message::Binary(bytes) => bytes,
            // The codec has queued the answering close frame (RFC 6455 section 5.5.1: an endpoint
            // that receives a close frame sends one back), but it goes out only on the next read
            // or flush, and `close` refuses to write once the peer has closed: flushed here, or
            // the client sees its clean close end as a dropped connection (1006) and reconnects.
            Message::Close(_) => {
                let _ = socket.flush().await;
                return;
            }
            // The protocol's pings are answered by the codec itself.
            _ => continue,
        };
        // Until a login is accepted, a message another home claims may decide again: an
        // unsigned subscribe may read alike for two homes, and only the login tells them apart.
        let scheme = match chosen {
            Some(scheme) if schemes.len() == 1 || connection.api_key.is_some() => scheme,
            _ => {
                let message = serde_json::from_slice::<Value>(&bytes).ok();
                let carrying = message
                    .as_ref()
                    .and_then(|message| schemes.iter().copied().find(|scheme| carries_login(*scheme, message)));
                let claimed = carrying
                    .or_else(|| schemes.iter().copied().find(|scheme| claims(*scheme, &bytes, message.as_ref())));
                let Some(scheme) = claimed.or(chosen).or_else(|| schemes.first().copied()) else { break };
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

/// Ends a connection on purpose (an injected fault): without a close frame, or with one saying
/// the server is going away.
async fn end_stream<S>(mut socket: WebSocketStream<S>, end: StreamEnd)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if end == StreamEnd::Closed {
        let frame = CloseFrame {
            code: CloseCode::Away,
            reason: "cexsign: the connection was ended by an injected fault".into(),
        };
        let _ = socket.close(Some(frame)).await;
    }
    // Dropped here: the connection closes without (another) close frame.
}

/// What a connection's session keeps of its upgrade request: its headers, where a stream
/// takes credentials there.
struct UpgradeRequest {
    headers: http::HeaderMap,
}

/// Whether an upgrade request carries any of `scheme`'s REST auth headers (an `Authorization`
/// header where the home names none).
fn carries_credentials(scheme: Scheme, headers: &http::HeaderMap) -> bool {
    match scheme.exchange().rest_auth {
        Some(names) => [names.key, names.signature, names.timestamp].iter().any(|name| headers.contains_key(*name)),
        None => headers.contains_key(header::AUTHORIZATION),
    }
}

/// The credentials on the upgrade request, where `scheme`'s stream takes them there (the home's
/// `handshake`): checked by the home's REST verification as the signed `GET` of the stream's
/// path they are (the query is not signed: BitMEX's clients subscribe in it), logging the
/// connection in. Refused: the stream's refusal frame about the REST answer, with its
/// `cexsign_reason` and `cexsign_diagnosis`.
async fn handshake(
    state: &Arc<State>,
    scheme: Scheme,
    upgrade: &UpgradeRequest,
    connection: &mut Connection,
) -> Result<(), String> {
    let stream = &scheme.exchange().private_stream;
    let Some(handshake) = stream.handshake else { return Ok(()) };
    if !handshake.required && !carries_credentials(scheme, &upgrade.headers) {
        return Ok(());
    }
    let request = RawRequest { method: "GET", path: stream.path, query: None, headers: &upgrade.headers, body: &[] };
    let reply = verify::rest(state, scheme, &request, state.now());
    let reply = diagnosis::finish_on_pool(state, reply).await.with_diagnosis(None);
    state.record(reply.verdict);
    let answer = match serde_json::from_str::<Value>(&reply.body) {
        Ok(Value::Object(answer)) => answer,
        _ => Map::new(),
    };
    if reply.verdict == Verdict::Accepted {
        connection.api_key = answer.get("api_key").and_then(Value::as_str).map(str::to_owned);
        return Ok(());
    }
    let sent = StreamMessage::new(&answer, "", state.now(), WS_CONNECTION_ID);
    let mut frame = (stream.answers.refused)(&sent.refused(StreamRefusal::HandshakeRefused));
    if let Value::Object(fields) = &mut frame {
        for (name, value) in answer.iter().filter(|(name, _)| name.starts_with("cexsign_")) {
            fields.insert(name.clone(), value.clone());
        }
    }
    Err(frame.to_string())
}

/// The subscribe a connection logged in by its handshake makes in its URL (the home's
/// `subscribe_in_url`), of the topics the stream serves: answered as that subscribe sent as a
/// message would be, each followed by its event.
fn subscribed_in_url(
    state: &State,
    scheme: Scheme,
    parameters: &Map<String, Value>,
    connection: &Connection,
) -> Vec<String> {
    let stream = &scheme.exchange().private_stream;
    let (Some(api_key), false) = (connection.api_key.as_deref(), stream.subscribe_in_url.is_empty()) else {
        return Vec::new();
    };
    let named = parameters.get(stream.subscribe_in_url).and_then(Value::as_str).unwrap_or_default();
    let topics: Vec<Value> = named
        .split(',')
        .filter(|topic| stream.channels.contains(topic))
        .take(MAX_SUBSCRIPTIONS)
        .map(Value::from)
        .collect();
    if topics.is_empty() || stream.subscribe.list.is_empty() || stream.subscribe.list.contains('.') {
        return Vec::new();
    }
    let (field, value) = stream.subscribe.when;
    let mut message = Map::new();
    message.insert(field.to_owned(), Value::from(value));
    message.insert(stream.subscribe.list.to_owned(), Value::Array(topics));
    let sent = StreamMessage::new(&message, api_key, state.now(), WS_CONNECTION_ID);
    served(stream, &Value::Object(message.clone()), sent, true)
}

/// What a connection knows: the key it logged in with, and the challenges it was issued (each
/// with the key that asked).
struct Connection {
    api_key: Option<String>,
    challenges: Vec<(String, String)>,
}

/// The most challenges one connection keeps (the oldest forgotten first).
const MAX_CHALLENGES: usize = 8;

/// A fresh challenge, a random UUID v4 (as Kraken Futures' are), remembered for the connection
/// and the key named in the request; the exchange's answer.
fn issue_challenge(
    challenge: &StreamChallenge,
    challenges: &mut Vec<(String, String)>,
    sent: &StreamMessage<'_>,
) -> Option<String> {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    let uuid = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
    let key = sent.message.get(challenge.key).and_then(Value::as_str).unwrap_or_default();
    if challenges.len() >= MAX_CHALLENGES {
        challenges.remove(0);
    }
    challenges.push((key.to_owned(), uuid.clone()));
    Some((challenge.issued)(sent, &uuid).to_string())
}

/// Where the stream issues challenges: a signed message whose challenge this connection was not
/// issued, for the key it carries, is refused with the exchange's frame and why.
fn unissued_challenge(
    scheme: Scheme,
    stream: &PrivateStream,
    connection: &Connection,
    sent: StreamMessage<'_>,
) -> Option<String> {
    let challenge = stream.challenge?;
    let exchange = scheme.exchange();
    let WsLogin::Challenged(layouts) = exchange.ws_login else { return None };
    let field = layouts.iter().flat_map(|layout| layout.parts).find_map(|part| match part {
        WsPart::Data(field) => Some(*field),
        _ => None,
    })?;
    let key_field = exchange.ws_auth.map(|names| names.key).unwrap_or(challenge.key);
    let shown = sent.message.get(field).and_then(Value::as_str).unwrap_or_default();
    let key = sent.message.get(key_field).and_then(Value::as_str).unwrap_or_default();
    if connection.challenges.iter().any(|(asked_by, issued)| asked_by == key && issued == shown) {
        return None;
    }
    let (name, value) = challenge.request;
    let reason = format!(
        "the {field} is not a challenge this connection was issued for this key: ask for one on this connection \
         with {{\"{name}\":\"{value}\",\"{}\":<key>}} and sign it (a challenge is per connection, never reused \
         from another)",
        challenge.key
    );
    let mut frame = (stream.answers.refused)(&sent.refused(StreamRefusal::ChallengeRefused));
    if let Value::Object(fields) = &mut frame {
        fields.insert("cexsign_reason".to_owned(), Value::String(reason));
    }
    Some(frame.to_string())
}

/// A new connection to `scheme`'s stream: where the stream takes its token in the connect URL,
/// the token is checked (refused: the exchange's error frame with `cexsign_reason`, and the
/// connection closes) and logs the connection in; then the stream's greeting, if it has one.
fn connected(
    state: &State,
    scheme: Scheme,
    parameters: &Map<String, Value>,
    connection: &mut Connection,
) -> Result<Option<String>, String> {
    let stream = &scheme.exchange().private_stream;
    if let (Some(token), Some(name)) = (stream.token(), token_parameter(scheme)) {
        let shown = parameters.get(name).and_then(Value::as_str);
        match state.stream_tokens.check(scheme, shown, state.now()) {
            Ok(api_key) => {
                state.record(Verdict::Accepted);
                connection.api_key = Some(api_key);
            }
            Err(refused) => {
                state.record(Verdict::Rejected);
                let sent = StreamMessage::new(parameters, "", state.now(), WS_CONNECTION_ID);
                return Err(token_refused(stream, sent, &refused.reason(token)));
            }
        }
    }
    let Some(greeting) = stream.greeting else { return Ok(None) };
    let api_key = connection.api_key.as_deref().unwrap_or_default();
    Ok(Some(greeting(&StreamMessage::new(parameters, api_key, state.now(), WS_CONNECTION_ID)).to_string()))
}

/// The exchange's refusal of a stream token, with why in `cexsign_reason`.
fn token_refused(stream: &PrivateStream, sent: StreamMessage<'_>, reason: &str) -> String {
    let mut frame = (stream.answers.refused)(&sent.refused(StreamRefusal::TokenRefused));
    if let Value::Object(fields) = &mut frame {
        fields.insert("cexsign_reason".to_owned(), Value::String(reason.to_owned()));
    }
    frame.to_string()
}

/// A subscribe to a stream that takes its token in each subscribe (at `path`): the token
/// checked, then the subscribe served as the key's.
fn token_subscribe(
    state: &State,
    scheme: Scheme,
    token: &StreamToken,
    path: &str,
    message: &Value,
    connection: &mut Connection,
) -> Vec<String> {
    let stream = &scheme.exchange().private_stream;
    let Some(object) = message.as_object() else { return Vec::new() };
    let shown = path.split('.').try_fold(message, |value, field| value.get(field)).and_then(Value::as_str);
    match state.stream_tokens.check(scheme, shown, state.now()) {
        Ok(api_key) => {
            state.record(Verdict::Accepted);
            let sent = StreamMessage::new(object, &api_key, state.now(), WS_CONNECTION_ID);
            let frames = served(stream, message, sent, true);
            connection.api_key = Some(api_key);
            frames
        }
        Err(refused) => {
            state.record(Verdict::Rejected);
            let sent = StreamMessage::new(object, "", state.now(), WS_CONNECTION_ID);
            if refused == TokenRefused::Missing {
                let mut frame = (stream.answers.refused)(&sent.refused(StreamRefusal::NotLoggedIn));
                if let Value::Object(fields) = &mut frame {
                    fields.insert("cexsign_reason".to_owned(), Value::String(refused.reason(token)));
                }
                return vec![frame.to_string()];
            }
            vec![token_refused(stream, sent, &refused.reason(token))]
        }
    }
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
    let message = serde_json::from_slice::<Value>(bytes)
        .ok()
        .map(|message| stream.read_message(message, MAX_SUBSCRIPTIONS))
        .filter(Value::is_object);
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
        if let Some(challenge) = &stream.challenge {
            let (field, value) = challenge.request;
            if object.get(field).and_then(Value::as_str) == Some(value) {
                return issue_challenge(challenge, &mut connection.challenges, &sent).into_iter().collect();
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
            if let Some(token @ StreamToken { shown: TokenShown::Field(path), .. }) = stream.token() {
                return token_subscribe(state, scheme, token, path, message, connection);
            }
            match stream.login {
                StreamLogin::SignedSubscribe { signed_by, .. } if object.contains_key(signed_by) => {
                    if let Some(refused) = unissued_challenge(scheme, stream, connection, sent) {
                        state.record(Verdict::Rejected);
                        return vec![refused];
                    }
                    signed_subscribe = true;
                }
                StreamLogin::SignedSubscribe { .. } => return subscribe(stream, false, message, sent),
                _ => return subscribe(stream, connection.api_key.is_some(), message, sent),
            }
        }
    }
    if let (StreamLogin::Session { logon, signed_subscribe }, Some(object)) = (stream.login, object) {
        return session_request(state, scheme, stream, connection, bytes, object, (logon, signed_subscribe)).await;
    }
    // Anything else is a login, checked (and answered) as `POST /cexsign/ws/<id>` would be.
    let reply = ws::check(state, scheme.id(), bytes, state.now());
    let reply = diagnosis::finish_on_pool(state, reply).await.with_diagnosis(None);
    state.record(reply.verdict);
    let mut frames = vec![reply.body];
    if reply.verdict == Verdict::Accepted {
        // Where the exchange answers a login with its events alone, they are the first frames.
        if !stream.login_answered {
            frames.clear();
        }
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

/// A request on a websocket API session (`StreamLogin::Session`): checked as
/// `POST /cexsign/ws/<id>` would check it, once a logged-on session's key and signature are put
/// in where it leaves them out. Accepted, the logon logs the session in, an order goes through
/// the order book (a repeated client order id refused with the exchange's frame), and the
/// subscribe signed on its own is followed by its event; nothing else logs the session in.
async fn session_request(
    state: &Arc<State>,
    scheme: Scheme,
    stream: &PrivateStream,
    connection: &mut Connection,
    bytes: &[u8],
    object: &Map<String, Value>,
    (logon, signed_subscribe): (&str, &str),
) -> Vec<String> {
    let now = state.now();
    let filled =
        connection.api_key.as_deref().and_then(|key| signed_parameters::on_session(state, scheme, key, object, now));
    let filled_bytes = filled.as_ref().map(|filled| Value::Object(filled.clone()).to_string());
    let bytes = filled_bytes.as_deref().map_or(bytes, str::as_bytes);
    let object = filled.as_ref().unwrap_or(object);
    let reply = ws::check(state, scheme.id(), bytes, now);
    let reply = diagnosis::finish_on_pool(state, reply).await.with_diagnosis(None);
    if reply.verdict != Verdict::Accepted {
        state.record(reply.verdict);
        return vec![reply.body];
    }
    let method = object.get("method").and_then(Value::as_str).unwrap_or_default();
    let key_name = scheme.exchange().ws_auth.map(|names| names.key).unwrap_or_default();
    let params = object.get("params");
    let key = params.and_then(|params| params.get(key_name)).and_then(Value::as_str).unwrap_or_default().to_owned();
    if scheme.exchange().orders.places_order(PlaceOrder::WS_API, method) {
        let body = params.map(Value::to_string).unwrap_or_default();
        let placement = state.orders.place(scheme, &key, PlaceOrder::WS_API, method, None, body.as_bytes());
        if let Placement::Duplicate(entry) = placement {
            if let Some(frame) = duplicate_ws_answer(scheme, entry, object, now) {
                state.record(Verdict::Rejected);
                return vec![frame.to_string()];
            }
        }
    }
    state.record(reply.verdict);
    let mut frames = vec![reply.body];
    if method == logon {
        connection.api_key = Some(key);
    } else if method == signed_subscribe {
        let message = Value::Object(object.clone());
        let sent = StreamMessage::new(object, &key, now, WS_CONNECTION_ID);
        frames.extend(served(stream, &message, sent, false));
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
