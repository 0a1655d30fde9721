//! Binance's private stream, its WebSocket API at `/ws-api/v3`, end to end through a real
//! websocket client (tokio-tungstenite): `session.logon` with an Ed25519 key and the requests a
//! logged-on session sends unsigned; per-request signed methods with HMAC, RSA and Ed25519 keys;
//! `userDataStream.subscribe` and `userDataStream.subscribe.signature` each followed by an
//! event; `ping`; the refusals (a subscribe before the logon, a logon with an HMAC key, a
//! percent-encoded param, a stale timestamp, a repeated client order id) in Binance's frame;
//! and the server ending the connection on purpose (the fault injection), after some messages
//! or on demand, with or without a close frame, so that a reconnect is testable.
//!
//! The expected frames are those of binance-spot-api-docs `web-socket-api.md` (cited per
//! case), written here apart from the home's writers; the keys are the fake ones of
//! `tests/vectors/binance.json`.

use std::time::Duration;

use cexsign::{Credentials, KeySettings, Scheme, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::{Account, Fault, FaultRule, LocalExchange, RunningExchange, StreamEnd};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

mod stream_client;
use stream_client::{Socket, connect, next_json, send};

/// Binance's WebSocket API.
const WS_API: &str = "/ws-api/v3";

const VECTORS: &str = include_str!("../../../tests/vectors/binance.json");

/// The first key of the vectors with this key type.
fn key(key_type: &str) -> (Credentials, KeySettings) {
    let document: Value = serde_json::from_str(VECTORS).unwrap();
    let vectors = document["vectors"].as_array().unwrap();
    let fields = vectors.iter().map(|v| &v["credentials"]).find(|c| c["key_type"] == key_type).unwrap();
    let credentials =
        Credentials::new().api_key(fields["api_key"].as_str().unwrap()).secret(fields["secret"].as_str().unwrap());
    (credentials, KeySettings::new().key_type(key_type))
}

fn api_key(key_type: &str) -> String {
    let document: Value = serde_json::from_str(VECTORS).unwrap();
    let vectors = document["vectors"].as_array().unwrap();
    let fields = vectors.iter().map(|v| &v["credentials"]).find(|c| c["key_type"] == key_type).unwrap();
    fields["api_key"].as_str().unwrap().to_owned()
}

fn signer(key_type: &str) -> Box<dyn Signer> {
    let (credentials, settings) = key(key_type);
    Scheme::Binance.exchange().signer(&credentials, &settings).unwrap()
}

async fn start() -> RunningExchange {
    let mut exchange = LocalExchange::new();
    for key_type in ["HMAC", "Ed25519", "RSA"] {
        let (credentials, settings) = key(key_type);
        exchange = exchange.with_account(Account::new(Scheme::Binance, &credentials, &settings).unwrap());
    }
    exchange.start().await.unwrap()
}

fn signed(signer: &dyn Signer, request: &WsRequest<'_>, at: Timestamp) -> String {
    signer.sign_ws(request, at).unwrap().message_json().to_owned()
}

fn now() -> Timestamp {
    Timestamp::now().unwrap()
}

/// `{"id","status":200,"result":{…}}` for this request id ("Response format").
fn ok<'v>(frame: &'v Value, id: &str) -> &'v Value {
    assert_eq!((frame["id"].as_str(), frame["status"].as_u64()), (Some(id), Some(200)), "{frame}");
    assert!(frame.get("error").is_none(), "{frame}");
    &frame["result"]
}

/// `{"id","status","error":{"code","msg"}}`: the status and code.
fn error(frame: &Value, id: &str) -> (u64, i64) {
    assert_eq!(frame["id"].as_str(), Some(id), "{frame}");
    assert!(frame["error"]["msg"].is_string(), "{frame}");
    (frame["status"].as_u64().unwrap(), frame["error"]["code"].as_i64().unwrap())
}

/// "Event format": `{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E","u","B":[{"a","f","l"}]}}`.
fn assert_account_event(frame: &Value) {
    assert_eq!(frame["subscriptionId"], 0, "{frame}");
    let event = &frame["event"];
    assert_eq!(event["e"], "outboundAccountPosition", "{frame}");
    assert!(event["E"].is_u64() && event["u"].is_u64(), "{frame}");
    let balance = &event["B"][0];
    assert!(balance["a"].is_string() && balance["f"].is_string() && balance["l"].is_string(), "{frame}");
}

#[tokio::test]
async fn a_session_logs_on_with_ed25519_subscribes_and_sends_unsigned_requests() {
    let exchange = start().await;
    let ed25519 = signer("Ed25519");
    let mut socket = connect(&exchange, WS_API, &[]).await;
    // The protocol's ping is answered with a pong frame ("Test connectivity", note).
    socket.send(Message::Ping(b"alive".to_vec().into())).await.unwrap();
    // "Test connectivity": {"id","method":"ping"} -> {"id","status":200,"result":{}}.
    send(&mut socket, r#"{"id":"ping-1","method":"ping"}"#).await;
    assert_eq!(ok(&next_json(&mut socket).await, "ping-1"), &json!({}));

    // "Subscribe to User Data Stream" needs an authenticated session.
    send(&mut socket, r#"{"id":"sub-0","method":"userDataStream.subscribe"}"#).await;
    let refused = next_json(&mut socket).await;
    assert_eq!(error(&refused, "sub-0"), (401, -1002));

    // "Log in with API key (SIGNED)": the session's status.
    send(&mut socket, &signed(ed25519.as_ref(), &WsRequest::api("session.logon", &[]).with_id("logon-1"), now())).await;
    let logged_on = next_json(&mut socket).await;
    let status = ok(&logged_on, "logon-1");
    assert_eq!(status["apiKey"], api_key("Ed25519"));
    assert!(status["authorizedSince"].is_u64() && status["serverTime"].is_u64(), "{logged_on}");

    send(&mut socket, r#"{"id":"sub-1","method":"userDataStream.subscribe"}"#).await;
    assert_eq!(ok(&next_json(&mut socket).await, "sub-1"), &json!({"subscriptionId": 0}));
    assert_account_event(&next_json(&mut socket).await);

    // After the logon, requests leave out apiKey and signature; the timestamp stays.
    let ms = now().unix_millis();
    send(
        &mut socket,
        &json!({"id": "acct-1", "method": "account.status", "params": {"timestamp": ms as u64}}).to_string(),
    )
    .await;
    let account = next_json(&mut socket).await;
    assert!(ok(&account, "acct-1")["balances"][0]["asset"].is_string(), "{account}");
    let stale = now().unix_millis() - 10_000;
    send(
        &mut socket,
        &json!({"id": "acct-2", "method": "account.status", "params": {"timestamp": stale as u64}}).to_string(),
    )
    .await;
    assert_eq!(error(&next_json(&mut socket).await, "acct-2"), (400, -1021));

    // An order goes through the order book: a repeated newClientOrderId is refused with -2010.
    let order = |id: &str| {
        json!({"id": id, "method": "order.place", "params": {
            "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "price": "23416.10000000",
            "quantity": "0.00847000", "newClientOrderId": "cexsign-ws-1", "timestamp": now().unix_millis() as u64,
        }})
        .to_string()
    };
    send(&mut socket, &order("order-1")).await;
    let placed = next_json(&mut socket).await;
    let result = ok(&placed, "order-1");
    assert_eq!((result["clientOrderId"].as_str(), result["status"].as_str()), (Some("cexsign-ws-1"), Some("NEW")));
    send(&mut socket, &order("order-2")).await;
    let duplicate = next_json(&mut socket).await;
    assert_eq!(error(&duplicate, "order-2"), (400, -2010));
    assert_eq!(exchange.orders_placed(), 1);
    assert!(exchange.has_order(Scheme::Binance, &api_key("Ed25519"), "cexsign-ws-1"));
    exchange.shutdown().await;
}

#[tokio::test]
async fn every_key_type_signs_each_request_and_subscribes_by_signature() {
    let exchange = start().await;
    let mut socket = connect(&exchange, WS_API, &[]).await;
    for key_type in ["HMAC", "RSA", "Ed25519"] {
        let signer = signer(key_type);
        // "Account information (USER_DATA)", signed on its own.
        let request = WsRequest::api("account.status", &[]).with_id("acct");
        send(&mut socket, &signed(signer.as_ref(), &request, now())).await;
        let answer = next_json(&mut socket).await;
        assert!(ok(&answer, "acct")["balances"].is_array(), "{key_type}: {answer}");
        // A signed request does not log the session in.
        send(&mut socket, r#"{"id":"sub","method":"userDataStream.subscribe"}"#).await;
        assert_eq!(error(&next_json(&mut socket).await, "sub"), (401, -1002), "{key_type}");
        // "Subscribe to User Data Stream through signature subscription (USER_STREAM)".
        let request = WsRequest::api("userDataStream.subscribe.signature", &[]).with_id("sig-sub");
        send(&mut socket, &signed(signer.as_ref(), &request, now())).await;
        assert_eq!(ok(&next_json(&mut socket).await, "sig-sub"), &json!({"subscriptionId": 0}), "{key_type}");
        assert_account_event(&next_json(&mut socket).await);
    }
    // A signed order, per request, with an HMAC key.
    let params =
        [("symbol", json!("BTCUSDT")), ("side", json!("SELL")), ("type", json!("MARKET")), ("quantity", json!("1"))];
    let request = WsRequest::api("order.place", &params).with_id("o-1");
    send(&mut socket, &signed(signer("HMAC").as_ref(), &request, now())).await;
    assert_eq!(ok(&next_json(&mut socket).await, "o-1")["side"], "SELL");
    assert_eq!(exchange.orders_placed(), 1);
    exchange.shutdown().await;
}

#[tokio::test]
async fn wrong_requests_are_refused_with_binance_frames_and_the_diagnosis() {
    let exchange = start().await;
    let mut socket = connect(&exchange, WS_API, &[]).await;
    let hmac = signer("HMAC");

    // A connector bug: the values percent-encoded in the signed payload, sent raw (binance-connector
    // 3.13.0, binance-sdk-spot 13.2.0, python-binance 1.0.37); Binance signs them raw.
    let encoded = [("symbol", json!("%E5%B8%81%E5%AE%89USDT")), ("side", json!("BUY")), ("quantity", json!("1"))];
    let message = signed(hmac.as_ref(), &WsRequest::api("order.test", &encoded).with_id("enc"), now());
    let mut raw: Value = serde_json::from_str(&message).unwrap();
    raw["params"]["symbol"] = json!("币安USDT");
    send(&mut socket, &raw.to_string()).await;
    let refused = next_json(&mut socket).await;
    assert_eq!(error(&refused, "enc"), (400, -1022));
    assert_eq!(refused["cexsign_diagnosis"]["mistake"], "binance-ws-values-percent-encoded", "{refused}");
    assert!(refused["cexsign_expected_prehash"].as_str().unwrap().contains("symbol=币安USDT"), "{refused}");
    assert!(!refused.to_string().contains(raw["params"]["signature"].as_str().unwrap()), "signature echoed");

    // A stale timestamp: -1021.
    let ago = Timestamp::from_unix_millis(now().unix_millis() as u64 - 10_000);
    let message = signed(hmac.as_ref(), &WsRequest::api("userDataStream.subscribe.signature", &[]).with_id("old"), ago);
    send(&mut socket, &message).await;
    assert_eq!(error(&next_json(&mut socket).await, "old"), (400, -1021));

    // session.logon with an HMAC key (Ed25519 only): the Ed25519 logon's message, HMAC key's name.
    let logon = signed(signer("Ed25519").as_ref(), &WsRequest::api("session.logon", &[]).with_id("l"), now());
    let mut logon: Value = serde_json::from_str(&logon).unwrap();
    logon["params"]["apiKey"] = json!(api_key("HMAC"));
    send(&mut socket, &logon.to_string()).await;
    let refused = next_json(&mut socket).await;
    assert_eq!(error(&refused, "l"), (401, -1002));

    // Without a logon, an unsigned request names the missing apiKey (-1102).
    send(&mut socket, &json!({"id": "u", "method": "account.status", "params": {"timestamp": 1}}).to_string()).await;
    assert_eq!(error(&next_json(&mut socket).await, "u"), (400, -1102));
    assert_eq!(exchange.requests_accepted(), 0);
    exchange.shutdown().await;
}

/// How the server ended the connection: `Some(code)` for a close frame, `None` for a drop
/// without one. Text frames before it are skipped.
async fn ended(socket: &mut Socket) -> Option<CloseCode> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await.expect("the end within 10 s") {
            Some(Ok(Message::Close(frame))) => return Some(frame.expect("a close frame with a code").code),
            None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn the_exchange_ends_a_stream_after_some_messages_or_on_demand() {
    let exchange = start().await;
    let ping = |id: &str| json!({"id": id, "method": "ping"}).to_string();

    // Two messages answered, the third ends the connection with a close frame (1001).
    exchange
        .add_faults(FaultRule::stream("/ws-api/v3").times(2, Fault::Pass).then(Fault::EndStream(StreamEnd::Closed)));
    let mut socket = connect(&exchange, WS_API, &[]).await;
    for id in ["p1", "p2"] {
        send(&mut socket, &ping(id)).await;
        ok(&next_json(&mut socket).await, id);
    }
    send(&mut socket, &ping("p3")).await;
    assert_eq!(ended(&mut socket).await, Some(CloseCode::Away));

    // A rule for one key fires only once the connection logged on with it; then the connection
    // is dropped without a close frame. A reconnect logs on afresh.
    let ed25519 = signer("Ed25519");
    exchange
        .add_faults(FaultRule::stream("/ws-api/*").key(api_key("Ed25519")).then(Fault::EndStream(StreamEnd::Dropped)));
    let mut socket = connect(&exchange, WS_API, &[]).await;
    send(&mut socket, &ping("before")).await;
    ok(&next_json(&mut socket).await, "before");
    send(&mut socket, &signed(ed25519.as_ref(), &WsRequest::api("session.logon", &[]).with_id("l1"), now())).await;
    ok(&next_json(&mut socket).await, "l1");
    send(&mut socket, &ping("after")).await;
    assert_eq!(ended(&mut socket).await, None);
    let mut socket = connect(&exchange, WS_API, &[]).await;
    send(&mut socket, &signed(ed25519.as_ref(), &WsRequest::api("session.logon", &[]).with_id("l2"), now())).await;
    ok(&next_json(&mut socket).await, "l2");
    send(&mut socket, r#"{"id":"s","method":"userDataStream.subscribe"}"#).await;
    ok(&next_json(&mut socket).await, "s");
    assert_account_event(&next_json(&mut socket).await);

    // On demand: every open stream at once.
    let mut other = connect(&exchange, WS_API, &[]).await;
    send(&mut other, &ping("o")).await;
    ok(&next_json(&mut other).await, "o");
    assert_eq!(exchange.end_private_streams(StreamEnd::Closed), 2);
    assert_eq!(ended(&mut socket).await, Some(CloseCode::Away));
    assert_eq!(ended(&mut other).await, Some(CloseCode::Away));
    let mut socket = connect(&exchange, WS_API, &[]).await;
    send(&mut socket, &ping("q")).await;
    ok(&next_json(&mut socket).await, "q");
    assert_eq!(exchange.end_private_streams(StreamEnd::Dropped), 1);
    assert_eq!(ended(&mut socket).await, None);
    exchange.shutdown().await;
}
