//! Every exchange's private websocket stream, as a bot uses it: connect to the local exchange
//! with a real websocket client, log in with the message the signer builds, subscribe to a
//! private channel (one message where the exchange's login is a signed subscribe, none where
//! its account events follow the login), receive one event, drop the connection, reconnect and
//! log in again with a fresh signature.
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
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
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

/// One connection: a fresh login (accepted: the exchange's count of accepted logins grows),
/// the home's sample subscribe, its answer and one event. Returns the event.
async fn session(exchange: &RunningExchange, scheme: Scheme, signer: &dyn Signer) -> Result<String, Box<dyn Error>> {
    let stream = &scheme.exchange().private_stream;
    let url = format!("ws://{}{}", exchange.local_addr(), stream.path);
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
    // An exchange that greets a connection (Bitfinex's `info`) does so before the login.
    if !stream.greeting.is_empty() {
        next_text(&mut socket).await?;
    }
    let accepted = exchange.requests_accepted();
    let login = signer.sign_ws(&stream.login_request(), Timestamp::now()?)?;
    socket.send(Message::text(login.message_json())).await?;
    let answer = next_text(&mut socket).await?;
    if exchange.requests_accepted() != accepted + 1 {
        return Err(format!("login refused: {answer}").into());
    }
    // Where the signed subscribe is the login, its answer is the subscribe's; where the events
    // follow the login unasked, there is no subscribe.
    let subscribed = if stream.login.is_signed_subscribe() || !stream.pushed_on_login.is_empty() {
        answer
    } else {
        socket.send(Message::text(stream.subscribe.sample)).await?;
        next_text(&mut socket).await?
    };
    let event = next_text(&mut socket).await?;
    if serde_json::from_str::<serde_json::Value>(&event).is_err() {
        return Err(format!("no event after the subscribe ({subscribed}): {event}").into());
    }
    // The client goes away without a close handshake, as a dropped network does.
    drop(socket);
    Ok(event)
}

async fn run(scheme: Scheme) -> Result<(), Box<dyn Error>> {
    let (credentials, settings) = vector_key(scheme)?;
    let account = Account::new(scheme, &credentials, &settings)?;
    let exchange = LocalExchange::new().with_account(account).start().await?;
    let signer = scheme.exchange().signer(&credentials, &settings)?;
    let event = session(&exchange, scheme, signer.as_ref()).await?;
    println!("{:<18} {} authenticated, event: {event}", scheme.id(), scheme.exchange().private_stream.path);
    session(&exchange, scheme, signer.as_ref()).await?;
    println!("{:<18} reconnected, re-authenticated with a fresh login, event received", scheme.id());
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
