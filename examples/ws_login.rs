//! Every exchange's private websocket stream, as a bot uses it: connect to the local exchange
//! with a real websocket client, log in with the message the signer builds, subscribe to a
//! private channel (one message where the exchange's login is a signed subscribe, none where
//! its account events follow the login), receive one event, have the exchange drop the
//! connection (the local exchange's fault injection: at once and without a close frame the first
//! time, with a close frame on the client's next message the second), reconnect and log in again
//! with a fresh signature. Where the stream's login is a token
//! ([`StreamToken`](cexsign::StreamToken): KuCoin, Kraken), each connect first asks for a fresh
//! token with a freshly signed REST request, and connects and subscribes as the grant says.
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

use cexsign::{Scheme, Signer, StreamGrant, StreamToken, Timestamp};
use cexsign_local_exchange::{Account, Fault, FaultRule, LocalExchange, RunningExchange, StreamEnd};
use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

#[path = "support/vectors.rs"]
mod vectors;
use vectors::vector_key;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The API key of the scheme's first conformance vector.
fn vector_api_key(scheme: Scheme) -> Result<String, Box<dyn Error>> {
    let path = format!("{}/tests/vectors/{}.json", env!("CARGO_MANIFEST_DIR"), scheme.id());
    let document: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    Ok(document["vectors"][0]["credentials"]["api_key"].as_str().ok_or("no api_key")?.to_owned())
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

/// A fresh token for one connect: the token request signed now, sent over HTTP, its grant
/// read by the home's reader (a refusal is the exchange's answer, with the diagnosis).
async fn fetch_token(
    exchange: &RunningExchange,
    token: &StreamToken,
    signer: &dyn Signer,
) -> Result<StreamGrant, Box<dyn Error>> {
    let signed = signer.sign(&token.request()?, Timestamp::now()?)?;
    let body = signed.wire_body().unwrap_or_default().to_vec();
    let mut request = reqwest::Client::new()
        .post(format!("{}{}", exchange.base_url(), token.path))
        .header("content-type", token.content_type)
        .body(body);
    for (name, value) in signed.headers() {
        request = request.header(name.as_str(), value);
    }
    let answer = request.send().await?.bytes().await?;
    token.grant(&answer).map_err(|error| format!("{error}: {}", String::from_utf8_lossy(&answer)).into())
}

/// Where to connect on the local exchange: the grant's URL where it is the local exchange's own
/// (it names itself in the grants it writes), else the stream's path with the grant's query.
fn local_url(exchange: &RunningExchange, path: &str, url: &str) -> String {
    let local = format!("ws://{}", exchange.local_addr());
    if url.starts_with(&local) {
        return url.to_owned();
    }
    let query = url.split_once('?').map(|(_, query)| format!("?{query}")).unwrap_or_default();
    format!("{local}{path}{query}")
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
    let accepted = exchange.requests_accepted();
    let grant = match stream.token() {
        Some(token) => Some(fetch_token(exchange, token, signer).await?),
        None => None,
    };
    let url = grant.as_ref().map_or_else(|| stream.path.to_owned(), |grant| grant.connect_url("ws-login"));
    let mut upgrade = local_url(exchange, stream.path, &url).into_client_request()?;
    // Where the upgrade itself must carry the credentials (Upbit's bearer token), the stream's
    // handshake request is signed now (a fresh nonce per connect) and its headers sent on it.
    let handshake = stream.handshake.is_some_and(|handshake| handshake.required);
    if let (true, Some(request)) = (handshake, stream.handshake_request()) {
        let signed = signer.sign(&request, Timestamp::now()?)?;
        for (name, value) in signed.headers() {
            upgrade.headers_mut().insert(http::HeaderName::from_bytes(name.as_str().as_bytes())?, value.parse()?);
        }
    }
    let (mut socket, _) = tokio_tungstenite::connect_async(upgrade).await?;
    // An exchange that greets a connection (KuCoin's `welcome`, Bitfinex's `info`) does so
    // before anything else.
    if stream.greeting.is_some() {
        next_text(&mut socket).await?;
    }
    // Where the exchange answers a login with its events alone (Backpack), the first one came
    // in the login's place.
    let mut first_event = None;
    let subscribed = if handshake {
        // The upgrade was the login: the subscribe follows, answered only where the exchange
        // acknowledges one (Upbit sends the data alone).
        if exchange.requests_accepted() != accepted + 1 {
            return Err("the upgrade's credentials were refused".into());
        }
        socket.send(Message::text(stream.subscribe.sample)).await?;
        let sample = stream.read_message(serde_json::from_str(stream.subscribe.sample)?, 8);
        let elements = stream.subscribe.elements(&sample, 8);
        let object = serde_json::Map::new();
        let probe = cexsign::StreamMessage::new(&object, "", Timestamp::now()?, "ws-login").args(&elements);
        if (stream.answers.subscribed)(&probe).is_empty() {
            String::from("(no acknowledgement)")
        } else {
            next_text(&mut socket).await?
        }
    } else if let Some(grant) = &grant {
        // The token is the login: the subscribe carries the token where the exchange takes it.
        socket.send(Message::text(grant.subscribe(stream.subscribe.sample)?)).await?;
        let answer = next_text(&mut socket).await?;
        if exchange.requests_accepted() < accepted + 2 {
            return Err(format!("token refused: {answer}").into());
        }
        answer
    } else {
        // Where the login signs a challenge the server issues to the connection (Kraken
        // Futures), it is asked for first, on this connection.
        let challenge = match &stream.challenge {
            Some(challenge) => {
                socket.send(Message::text(challenge.request_message(&vector_api_key(scheme)?))).await?;
                let answer: serde_json::Value = serde_json::from_str(&next_text(&mut socket).await?)?;
                Some(challenge.read(&answer).ok_or("no challenge in the answer")?.to_owned())
            }
            None => None,
        };
        let login_request = match &challenge {
            Some(challenge) => stream.login_request().with_data(challenge),
            None => stream.login_request(),
        };
        let now = Timestamp::now()?;
        // A key that cannot log in (Binance's HMAC and RSA keys: session.logon is Ed25519 only)
        // subscribes with the subscribe it signs on its own, where the stream has one.
        let (login, signed_subscribe) = match (signer.sign_ws(&login_request, now), stream.signed_subscribe_request()) {
            (Ok(login), _) => (login, stream.login.is_signed_subscribe()),
            (Err(_), Some(subscribe)) => (signer.sign_ws(&subscribe, now)?, true),
            (Err(error), None) => return Err(error.into()),
        };
        socket.send(Message::text(login.message_json())).await?;
        let answer = next_text(&mut socket).await?;
        if exchange.requests_accepted() != accepted + 1 {
            return Err(format!("login refused: {answer}").into());
        }
        // Where the signed subscribe is the login, its answer is the subscribe's; where the
        // events follow the login unasked, there is no subscribe.
        if !stream.login_answered {
            first_event = Some(answer.clone());
            answer
        } else if signed_subscribe || !stream.pushed_on_login.is_empty() {
            answer
        } else {
            socket.send(Message::text(stream.subscribe.sample)).await?;
            next_text(&mut socket).await?
        }
    };
    let event = match first_event {
        Some(event) => event,
        None => next_text(&mut socket).await?,
    };
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
    let stream = &scheme.exchange().private_stream;
    let fresh =
        if stream.token().is_some() || stream.handshake.is_some_and(|h| h.required) { "token" } else { "login" };
    println!("{:<18} reconnected, re-authenticated with a fresh {fresh}, event received; then {ended}", scheme.id());
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
