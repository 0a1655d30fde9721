//! Every exchange's private websocket stream, as a bot uses it: connect to the local exchange
//! with a real websocket client, log in with the message the signer builds, subscribe to a
//! private channel (one message where the exchange's login is a signed subscribe), receive one
//! event, have the exchange drop the connection (the local exchange's fault injection: at once
//! and without a close frame the first time, with a close frame on the client's next message the
//! second), reconnect and log in again with a fresh signature.
//!
//! The exchanges are those whose home describes a private stream
//! ([`PrivateStream`](cexsign::PrivateStream)); the keys are the fake ones of their conformance
//! vectors (`tests/vectors/<scheme id>.json`). Ends with
//! `N/N exchanges: private stream authenticated, event received, re-authenticated after reconnect`.
//!
//! ```text
//! cargo run --example ws_login
//! ```

use std::error::Error;
use std::time::Duration;

use cexsign::{Credentials, KeySettings, Scheme, Signer, Timestamp};
use cexsign_local_exchange::{Account, Fault, FaultRule, LocalExchange, RunningExchange, StreamEnd};
use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The first key of the scheme's conformance vectors, with the settings it states.
fn vector_key(scheme: Scheme) -> Result<(Credentials, KeySettings), Box<dyn Error>> {
    let path = format!("{}/tests/vectors/{}.json", env!("CARGO_MANIFEST_DIR"), scheme.id());
    let document: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let fields = &document["vectors"][0]["credentials"];
    let text = |name: &str| fields[name].as_str().map(str::to_owned);
    let mut credentials =
        Credentials::new().api_key(text("api_key").ok_or("no api_key")?).secret(text("secret").ok_or("no secret")?);
    // BitMart's vectors name the passphrase `memo`.
    if let Some(passphrase) = text("passphrase").or_else(|| text("memo")) {
        credentials = credentials.passphrase(passphrase);
    }
    let mut settings = KeySettings::new();
    if let Some(key_type) = text("key_type") {
        settings = settings.key_type(key_type);
    }
    Ok((credentials, settings))
}

/// The next text frame, within a few seconds.
async fn next_text(socket: &mut Socket) -> Result<String, Box<dyn Error>> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await? {
            Some(Ok(Message::Text(text))) => return Ok(text.to_string()),
            Some(Ok(Message::Close(_))) | None => return Err("the connection closed".into()),
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(error.into()),
        }
    }
}

/// Reads until the server ends the connection: how it ended (a close frame's code, or a drop).
async fn ended_by_server(socket: &mut Socket) -> Result<String, Box<dyn Error>> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await? {
            Some(Ok(Message::Close(frame))) => {
                return Ok(format!("close frame {}", frame.map_or(0, |frame| u16::from(frame.code))));
            }
            None | Some(Err(_)) => return Ok("dropped without a close frame".to_owned()),
            Some(Ok(_)) => {}
        }
    }
}

/// One connection: a fresh login (accepted: the exchange's count of accepted logins grows),
/// the home's sample subscribe, its answer and one event; then the exchange ends the
/// connection (`end`: at once, or on the client's next message). Returns the event and how the
/// connection ended.
async fn session(
    exchange: &RunningExchange,
    scheme: Scheme,
    signer: &dyn Signer,
    end: StreamEnd,
) -> Result<(String, String), Box<dyn Error>> {
    let stream = &scheme.exchange().private_stream;
    let url = format!("ws://{}{}", exchange.local_addr(), stream.path);
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
    let accepted = exchange.requests_accepted();
    let now = Timestamp::now()?;
    // A key that cannot log in (Binance's HMAC and RSA keys: session.logon is Ed25519 only)
    // subscribes with the subscribe it signs on its own, where the stream has one.
    let (login, signed_subscribe) =
        match (signer.sign_ws(&stream.login_request(), now), stream.signed_subscribe_request()) {
            (Ok(login), _) => (login, stream.login.is_signed_subscribe()),
            (Err(_), Some(subscribe)) => (signer.sign_ws(&subscribe, now)?, true),
            (Err(error), None) => return Err(error.into()),
        };
    socket.send(Message::text(login.message_json())).await?;
    let answer = next_text(&mut socket).await?;
    if exchange.requests_accepted() != accepted + 1 {
        return Err(format!("login refused: {answer}").into());
    }
    // Where the signed subscribe is the login, its answer is the subscribe's.
    let subscribed = if signed_subscribe {
        answer
    } else {
        socket.send(Message::text(stream.subscribe.sample)).await?;
        next_text(&mut socket).await?
    };
    let event = next_text(&mut socket).await?;
    if serde_json::from_str::<serde_json::Value>(&event).is_err() {
        return Err(format!("no event after the subscribe ({subscribed}): {event}").into());
    }
    // The exchange ends the connection from its side: every open stream at once, or a fault
    // scheduled for the client's next message on the stream.
    match end {
        StreamEnd::Dropped => {
            exchange.end_private_streams(end);
        }
        _ => {
            exchange.add_faults(FaultRule::stream(stream.path).then(Fault::EndStream(end)));
            socket.send(Message::text(stream.subscribe.sample)).await?;
        }
    }
    let ended = ended_by_server(&mut socket).await?;
    Ok((event, ended))
}

async fn run(scheme: Scheme) -> Result<(), Box<dyn Error>> {
    let (credentials, settings) = vector_key(scheme)?;
    let account = Account::new(scheme, &credentials, &settings)?;
    let exchange = LocalExchange::new().with_account(account).start().await?;
    let signer = scheme.exchange().signer(&credentials, &settings)?;
    let (event, ended) = session(&exchange, scheme, signer.as_ref(), StreamEnd::Dropped).await?;
    println!("{:<18} {} authenticated, event: {event}", scheme.id(), scheme.exchange().private_stream.path);
    println!("{:<18} the exchange ended the connection: {ended}", scheme.id());
    let (_, ended) = session(&exchange, scheme, signer.as_ref(), StreamEnd::Closed).await?;
    println!("{:<18} reconnected, re-authenticated with a fresh login, event received; then {ended}", scheme.id());
    exchange.shutdown().await;
    Ok(())
}

#[tokio::main]
async fn main() {
    let schemes: Vec<Scheme> =
        Scheme::ALL.into_iter().filter(|scheme| scheme.exchange().private_stream.is_served()).collect();
    let mut passed = 0;
    for scheme in &schemes {
        match run(*scheme).await {
            Ok(()) => passed += 1,
            Err(error) => println!("{:<18} FAILED: {error}", scheme.id()),
        }
    }
    println!(
        "{passed}/{} exchanges: private stream authenticated, event received, re-authenticated after reconnect",
        schemes.len()
    );
    if passed != schemes.len() {
        std::process::exit(1);
    }
}
