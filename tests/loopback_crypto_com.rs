//! Crypto.com Exchange through a real socket: params signed by the reqwest layer (which sends
//! the whole request with its `sig`) are accepted by the local exchange, which verifies them from
//! Crypto.com's description alone (its body fields, its window, its signer, its error table); a
//! request written by hand, its keys in another order and its id and nonce as strings (as ccxt
//! sends them), is accepted too (the JSON layout is not signed); the mistakes AUTH-breadth.md §8
//! lists are refused with 40101 in Crypto.com's shape and named by the diagnosis; a stale nonce
//! is refused with 40102; an unknown key with 40101; nesting deeper than the bound is refused,
//! not recursed into.
//!
//! Expected signatures are computed here with hmac/sha2 over strings written from
//! AUTH-breadth.md §8, never taken from the server's output.

#![cfg(feature = "reqwest")]

use futures_util::{SinkExt as _, StreamExt as _};

use cexsign::client::RequestBuilderExt;
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{CryptoComSigner, Scheme, Timestamp};
use cexsign_local_exchange::RunningExchange;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};

mod loopback_common;
use loopback_common::send;

const CREATE_ORDER: &str = "/exchange/v1/private/create-order";

async fn exchange() -> RunningExchange {
    loopback_common::start(Scheme::CryptoCom).await
}

/// hex(HMAC-SHA256(secret, text)), written here from AUTH-breadth.md §8, not by the crate.
fn sig(text: &str) -> String {
    let (_, secret) = loopback_common::vector_key(Scheme::CryptoCom);
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn by_hand(base: &str, body: &Value) -> reqwest::Request {
    by_hand_text(base, body.to_string())
}

fn by_hand_text(base: &str, body: String) -> reqwest::Request {
    reqwest::Client::new()
        .post(format!("{base}{CREATE_ORDER}"))
        .header("content-type", "application/json")
        .body(body)
        .build()
        .unwrap()
}

#[tokio::test]
async fn signed_bodies_are_accepted_and_wrong_ones_refused_in_crypto_coms_shape() {
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let (key, _) = loopback_common::vector_key(Scheme::CryptoCom);
    let signer = CryptoComSigner::new(&loopback_common::credentials(Scheme::CryptoCom)).unwrap();
    let now = Timestamp::now().unwrap();
    let nonce = now.unix_millis().to_string();

    // The params alone, signed and wrapped by the reqwest layer.
    let params = r#"{"instrument_name":"BTC_USDT","side":"BUY","type":"LIMIT","price":"30000","quantity":"0.01","exec_inst":["POST_ONLY"],"client_oid":"cexsign-1"}"#;
    let request = reqwest::Client::new()
        .post(format!("{base}{CREATE_ORDER}"))
        .header("content-type", "application/json")
        .body(params)
        .build_signed(&signer, now)
        .unwrap();
    // What goes on the wire is signed over the params actually sent.
    let sent = request.body().and_then(|body| body.as_bytes()).unwrap().to_vec();
    let sent_json: Value = serde_json::from_slice(&sent).unwrap();
    assert_eq!(sent_json["params"], serde_json::from_str::<Value>(params).unwrap());
    let prehash = format!(
        "private/create-order{nonce}{key}client_oidcexsign-1exec_instPOST_ONLYinstrument_nameBTC_USDTprice30000quantity0.01sideBUYtypeLIMIT{nonce}"
    );
    assert_eq!(CryptoComSigner::signing_string(&sent).unwrap(), prehash);
    assert_eq!(sent_json["sig"], sig(&prehash));
    let (status, body) = send(request).await;
    assert_eq!(status, 200, "{body}");
    assert!(exchange.has_order(Scheme::CryptoCom, &key, "cexsign-1"));

    // By hand: keys in another order, id and nonce as strings (ccxt 4.5.90's body), a null.
    let params = json!({"limit": 20, "instrument_name": null});
    let signed = format!("private/get-order-history{nonce}{key}instrument_namenulllimit20{nonce}");
    let mut request = json!({"sig": sig(&signed), "nonce": nonce, "params": params, "api_key": key,
        "method": "private/get-order-history", "id": nonce});
    let (status, body) = send(by_hand(&base, &request)).await;
    assert_eq!(status, 200, "{body}");

    // The mistakes of AUTH-breadth.md §8, each refused 40101 and named.
    let wrong = [
        (format!("private/get-order-history{nonce}{key}instrument_nameNonelimit20{nonce}"), "None"),
        (format!("private/get-order-history{nonce}{key}{}{nonce}", params), "JSON text"),
        (format!("private/get-order-history{nonce}{key}limit20instrument_namenull{nonce}"), "not sorted"),
    ];
    for (signed, named) in wrong {
        request["sig"] = Value::from(sig(&signed));
        // The params sent in the order the unsorted string signs them (serde_json sorts a map).
        let text = request.to_string().replace(
            r#""params":{"instrument_name":null,"limit":20}"#,
            r#""params":{"limit":20,"instrument_name":null}"#,
        );
        assert!(text.contains(r#"{"limit":20,"#), "{text}");
        let (status, body) = send(by_hand_text(&base, text)).await;
        assert_eq!((status, &body["code"]), (401, &json!(40101)), "{body}");
        assert_eq!(body["message"], "Authentication failure");
        let rejection = classify(Scheme::CryptoCom, status, body.to_string().as_bytes()).unwrap();
        assert_eq!(rejection.kind, RejectionKind::InvalidSignature);
        let diagnosis = body["cexsign_diagnosis"]["explanation"].as_str().unwrap_or_default();
        assert!(diagnosis.contains(named), "{named}: {body}");
    }

    // Booleans as Python writes them.
    let flags = json!({"instrument_name": "BTCUSD-PERP", "reduce_only": true});
    let signed = format!("private/create-order7{key}instrument_nameBTCUSD-PERPreduce_onlyTrue{nonce}");
    let booleans = json!({"id": 7, "method": "private/create-order", "api_key": key, "params": flags,
        "nonce": u64::try_from(now.unix_millis()).unwrap(), "sig": sig(&signed)});
    let (status, body) = send(by_hand(&base, &booleans)).await;
    assert_eq!(status, 401, "{body}");
    assert!(body["cexsign_diagnosis"]["explanation"].as_str().unwrap_or_default().contains("True"), "{body}");

    // The nonce signed as the id while another id is sent.
    let signed = format!("private/get-order-history{nonce}{key}instrument_namenulllimit20{nonce}");
    let other_id = json!({"id": 42, "method": "private/get-order-history", "api_key": key, "params": params,
        "nonce": nonce, "sig": sig(&signed)});
    let (status, body) = send(by_hand(&base, &other_id)).await;
    assert_eq!(status, 401, "{body}");
    assert!(body["cexsign_diagnosis"]["explanation"].as_str().unwrap_or_default().contains("id"), "{body}");

    // Two minutes old: outside the 60 s window.
    let stale = (now.unix_millis() - 120_000).to_string();
    let signed = format!("private/user-balance{stale}{key}{stale}");
    let old = json!({"id": stale, "method": "private/user-balance", "api_key": key, "params": {}, "nonce": stale,
        "sig": sig(&signed)});
    let (status, body) = send(by_hand(&base, &old)).await;
    assert_eq!((status, &body["code"]), (400, &json!(40102)), "{body}");
    let rejection = classify(Scheme::CryptoCom, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::TimestampOutsideWindow);

    // An unknown key.
    let signed = format!("private/user-balance{nonce}stranger{nonce}");
    let stranger = json!({"id": nonce, "method": "private/user-balance", "api_key": "stranger", "params": {},
        "nonce": nonce, "sig": sig(&signed)});
    let (status, body) = send(by_hand(&base, &stranger)).await;
    assert_eq!((status, &body["code"]), (401, &json!(40101)), "{body}");

    // Params nested deeper than the bound: refused as unreadable, without recursing.
    // 30 levels are read as JSON and refused by the signer's bound; 100 (200 JSON levels) by the
    // JSON parser's own limit.
    for levels in [4, 30, 100] {
        let mut deep = json!("x");
        for _ in 0..levels {
            deep = json!({ "order_list": [deep] });
        }
        let nested = json!({"id": 1, "method": "private/create-order-list", "api_key": key, "params": deep,
            "nonce": nonce, "sig": "00"});
        let (status, body) = send(by_hand(&base, &nested)).await;
        assert_eq!((status, &body["code"]), (400, &json!(10004)), "{levels}: {body}");
    }
    exchange.shutdown().await;
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text frame, as JSON.
async fn next_json(socket: &mut Socket) -> Value {
    loop {
        if let tokio_tungstenite::tungstenite::Message::Text(text) = socket.next().await.unwrap().unwrap() {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

/// The private stream: the server's heartbeat first, answered by the client; `public/auth`
/// answered `{"id","method":"public/auth","code":0}`; a subscribe to `user.balance` answered, then
/// its event, in Crypto.com's shape.
#[tokio::test]
async fn the_private_stream_logs_in_and_pushes_the_balance() {
    use tokio_tungstenite::tungstenite::Message;
    let exchange = exchange().await;
    let url = format!("{}/exchange/v1/user", exchange.base_url().replacen("http", "ws", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let heartbeat = next_json(&mut socket).await;
    assert_eq!(heartbeat["method"], "public/heartbeat", "{heartbeat}");
    let answer = json!({"id": heartbeat["id"], "method": "public/respond-heartbeat"});
    socket.send(Message::text(answer.to_string())).await.unwrap();

    let signer = CryptoComSigner::new(&loopback_common::credentials(Scheme::CryptoCom)).unwrap();
    let login = cexsign::WsRequest::login().with_id("11");
    let login = cexsign::Signer::sign_ws(&signer, &login, Timestamp::now().unwrap()).unwrap();
    socket.send(Message::text(login.message_json().to_owned())).await.unwrap();
    assert_eq!(next_json(&mut socket).await, json!({"id": 11, "method": "public/auth", "code": 0}));

    let subscribe = json!({"id": 12, "method": "subscribe", "params": {"channels": ["user.balance"]}});
    socket.send(Message::text(subscribe.to_string())).await.unwrap();
    assert_eq!(next_json(&mut socket).await, json!({"id": 12, "method": "subscribe", "code": 0}));
    let event = next_json(&mut socket).await;
    assert_eq!(event["result"]["subscription"], "user.balance", "{event}");
    assert_eq!(event["code"], 0, "{event}");
    exchange.shutdown().await;
}
