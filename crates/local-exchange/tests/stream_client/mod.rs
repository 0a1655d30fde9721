//! A bot's side of a private stream in the local exchange's tests: a real websocket client
//! (tokio-tungstenite) that connects to a path of a running local exchange, sends text and reads
//! the next frame. Shared by the stream tests so each of them states only its exchange's frames.

// Each test crate includes this module and uses the part it needs.
#![allow(dead_code)]

use std::time::Duration;

use cexsign_local_exchange::RunningExchange;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A client's websocket connection.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Connects to `path` (with its query) with these headers on the upgrade request; the upgrade
/// must be accepted.
pub async fn connect(exchange: &RunningExchange, path: &str, headers: &[(&'static str, String)]) -> Socket {
    let mut request = format!("ws://{}{path}", exchange.local_addr()).into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.status(), 101);
    socket
}

/// Sends one text frame.
pub async fn send(socket: &mut Socket, text: &str) {
    socket.send(Message::text(text)).await.unwrap();
}

/// The next text frame as JSON (the protocol's own frames skipped), within 10 s; a close fails
/// the test.
pub async fn next_json(socket: &mut Socket) -> Value {
    next(socket, false).await
}

/// The next text frame as JSON or, where the exchange answers pings with the protocol's own
/// frames, a pong frame as `{"pong frame": <payload>}`, within 10 s; a close fails the test.
pub async fn next_frame(socket: &mut Socket) -> Value {
    next(socket, true).await
}

async fn next(socket: &mut Socket, pongs: bool) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("an answer within 10 s")
            .expect("the connection stays open")
            .unwrap();
        match message {
            Message::Text(text) => {
                return serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"));
            }
            Message::Pong(payload) if pongs => return json!({"pong frame": String::from_utf8_lossy(&payload)}),
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}
