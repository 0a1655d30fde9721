//! The closing handshake of the private streams: a client that closes its connection gets a
//! close frame back (RFC 6455 section 5.5.1: "If an endpoint receives a Close frame and did not
//! previously send a Close frame, the endpoint MUST send a Close frame in response"), so its
//! close ends cleanly instead of looking like a dropped connection (1006), which clients such
//! as bitfinex-api-py answer by reconnecting. Checked on a stream that greets first (Bitfinex)
//! and on one that waits for the client (OKX), before and after a message.

use std::time::Duration;

use cexsign::{Credentials, KeySettings, Scheme};
use cexsign_local_exchange::{Account, LocalExchange};
use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// Connects to `path`, sends `before` (if any), closes with 1000 and returns what came back
/// after the close: the server's close frame, if it sent one before the connection ended.
async fn close_answer(
    scheme: Scheme,
    credentials: Credentials,
    path: &str,
    before: Option<&str>,
) -> Option<CloseFrame> {
    let account = Account::new(scheme, &credentials, &KeySettings::new()).unwrap();
    let exchange = LocalExchange::new().with_account(account).start().await.unwrap();
    let url = format!("ws://{}{path}", exchange.local_addr());
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    if let Some(text) = before {
        socket.send(Message::text(text)).await.unwrap();
        // Its answer (and any greeting) read, so that only the close is left in flight.
        tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap();
    }
    socket.send(Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "bye".into() }))).await.unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("the server ends the connection")
        {
            Some(Ok(Message::Close(frame))) => return frame,
            Some(Ok(_)) => continue,
            // The connection ended without a close frame from the server.
            Some(Err(_)) | None => return None,
        }
    }
}

fn okx() -> Credentials {
    Credentials::new()
        .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
        .secret("22582BD0CFF14C41EDBF1AB98506286D")
        .passphrase("Passphrase1!")
}

fn bitfinex() -> Credentials {
    Credentials::new().api_key("bfxKEY0123456789").secret("bfxSECRET0123456789abcdefghijklmnopqrstuvw")
}

#[tokio::test]
async fn a_client_close_is_answered_with_a_close_frame() {
    let frame = close_answer(Scheme::Okx, okx(), "/ws/v5/private", None).await;
    assert_eq!(frame.map(|frame| frame.code), Some(CloseCode::Normal), "the client's close is echoed");
}

#[tokio::test]
async fn a_close_after_a_ping_is_answered_with_a_close_frame() {
    // OKX "Connect": the text `ping`, answered `pong`.
    let frame = close_answer(Scheme::Okx, okx(), "/ws/v5/private", Some("ping")).await;
    assert_eq!(frame.map(|frame| frame.code), Some(CloseCode::Normal));
}

#[tokio::test]
async fn a_close_on_a_greeting_stream_is_answered_with_a_close_frame() {
    // Bitfinex greets with its `info` event first; answers a ping with a pong.
    let frame = close_answer(Scheme::Bitfinex, bitfinex(), "/ws/2", Some(r#"{"event":"ping","cid":1}"#)).await;
    assert_eq!(frame.map(|frame| frame.code), Some(CloseCode::Normal));
}
