//! The private websocket streams, end to end as a bot sees them: a real websocket client
//! (tokio-tungstenite) connects to the exchange's own private-stream path on the local
//! exchange, logs in with the message cexsign's signer builds, pings, subscribes to a private
//! channel and receives its event; a second connection that subscribes before logging in is
//! refused, and a wrong login gets the exchange's error frame with the diagnosis; a third
//! connection logs in afresh, as a reconnecting bot does. Where the exchange's login is its
//! signed subscribe (Gate, Coinbase Exchange, Coinbase Advanced), that one message logs in and
//! subscribes; where its account events follow the login unasked (Bitfinex), they come with no
//! subscribe.
//!
//! The expected frames are the exchanges' documented ones (cited per case), written here apart
//! from the homes' writers.

use std::time::Duration;

use cexsign::{Credentials, KeySettings, Scheme, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One exchange's private stream, as its docs describe it.
struct Case {
    scheme: Scheme,
    credentials: Credentials,
    settings: KeySettings,
    path: &'static str,
    /// The exchange's application-level ping (none: the protocol's ping frames only), and what
    /// its answer must satisfy.
    ping: Option<&'static str>,
    pong: fn(&str) -> bool,
    /// A subscribe to a private channel.
    subscribe: Value,
    /// The login was accepted (where a signed subscribe is the login: the subscribe's answer,
    /// followed by the event).
    logged_in: fn(&Value) -> bool,
    /// The subscribe was accepted.
    subscribed: fn(&Value) -> bool,
    /// The event pushed.
    event: fn(&Value) -> bool,
    /// A subscribe before the login is refused.
    not_logged_in: fn(&Value) -> bool,
    /// A wrong login: the message, and its error frame.
    wrong_login: fn(&dyn Signer) -> String,
    refused_login: fn(&Value) -> bool,
    /// The mistake the diagnosis names in the wrong login (none: the exchange's login is checked
    /// by re-signing it, which names no catalogue mistake; the refusal then says in
    /// `cexsign_reason` what to check).
    mistake: Option<&'static str>,
}

fn okx() -> Case {
    Case {
        scheme: Scheme::Okx,
        credentials: Credentials::new()
            .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
            .secret("22582BD0CFF14C41EDBF1AB98506286D")
            .passphrase("Passphrase1!"),
        settings: KeySettings::new(),
        path: "/ws/v5/private",
        // OKX "Connect": send the text `ping`, expect the text `pong`.
        ping: Some("ping"),
        pong: |text| text == "pong",
        subscribe: json!({"id": "1", "op": "subscribe", "args": [{"channel": "orders", "instType": "ANY"}]}),
        // OKX "Login": {"event":"login","code":"0","msg":"","connId":…}.
        logged_in: |frame| frame["event"] == "login" && frame["code"] == "0",
        // OKX "Subscribe": {"id","event":"subscribe","arg":{…},"connId"}.
        subscribed: |frame| frame["event"] == "subscribe" && frame["arg"]["channel"] == "orders" && frame["id"] == "1",
        // OKX "Order channel" push: {"arg":{"channel":"orders","instType":…,"uid"},"data":[{ordId,…}]}.
        event: |frame| {
            frame["arg"]["channel"] == "orders"
                && frame["arg"]["uid"].is_string()
                && frame["data"][0]["ordId"].is_string()
                && frame["data"][0]["instId"].is_string()
        },
        // OKX websocket error 60011 "Please log in".
        not_logged_in: |frame| frame["event"] == "error" && frame["code"] == "60011",
        // A hex signature where OKX takes base64.
        wrong_login: |signer| {
            let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            let mac = base64_decode(login.signature());
            message["args"][0]["sign"] = json!(hex::encode(mac));
            message.to_string()
        },
        // OKX websocket error 60007 "Invalid sign".
        refused_login: |frame| frame["event"] == "error" && frame["code"] == "60007",
        mistake: Some("hex-instead-of-base64"),
    }
}

fn bybit() -> Case {
    Case {
        scheme: Scheme::Bybit,
        credentials: Credentials::new().api_key("XXXXXXXXXXXXXXXXXX").secret("YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY"),
        settings: KeySettings::new(),
        path: "/v5/private",
        // Bybit "How to send the heartbeat packet": {"req_id","op":"ping"}; a private stream
        // answers {"req_id","op":"pong","args":[<ms>],"conn_id"}.
        ping: Some(r#"{"req_id":"hb-1","op":"ping"}"#),
        pong: |text| {
            let pong: Value = serde_json::from_str(text).unwrap_or_default();
            pong["op"] == "pong" && pong["req_id"] == "hb-1" && pong["args"][0].is_string()
        },
        subscribe: json!({"req_id": "sub-1", "op": "subscribe", "args": ["order"]}),
        // Bybit "Connect": {"success":true,"ret_msg":"","op":"auth","conn_id":…}.
        logged_in: |frame| frame["success"] == true && frame["op"] == "auth",
        subscribed: |frame| frame["success"] == true && frame["op"] == "subscribe" && frame["req_id"] == "sub-1",
        // Bybit "Order" push: {"id","topic":"order","creationTime","data":[{orderId,…}]}.
        event: |frame| {
            frame["topic"] == "order" && frame["creationTime"].is_u64() && frame["data"][0]["orderId"].is_string()
        },
        // Assumed: {"success":false,"ret_msg":"Request not authorized","op":"subscribe"}.
        not_logged_in: |frame| frame["success"] == false && frame["op"] == "subscribe",
        // A base64 signature where Bybit takes hex.
        wrong_login: |signer| {
            use base64::Engine as _;
            let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            let mac = hex::decode(login.signature()).unwrap();
            message["args"][2] = json!(base64::engine::general_purpose::STANDARD.encode(mac));
            message.to_string()
        },
        refused_login: |frame| frame["success"] == false && frame["op"] == "auth",
        mistake: Some("base64-instead-of-hex"),
    }
}

fn bitget() -> Case {
    Case {
        scheme: Scheme::Bitget,
        credentials: Credentials::new()
            .api_key("bg_0123456789abcdef0123456789abcdef")
            .secret("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
            .passphrase("BitgetPass1"),
        settings: KeySettings::new(),
        path: "/v2/ws/private",
        // Bitget "Websocket API": send the text `ping`, expect `pong`.
        ping: Some("ping"),
        pong: |text| text == "pong",
        subscribe: json!({"op": "subscribe", "args": [{"instType": "SPOT", "channel": "orders", "instId": "default"}]}),
        // Bitget "Login": {"event":"login","code":0,"msg":""}.
        logged_in: |frame| frame["event"] == "login" && frame["code"] == 0,
        subscribed: |frame| frame["event"] == "subscribe" && frame["arg"]["channel"] == "orders",
        // Bitget "Order Channel" push: {"action":"snapshot","arg":{…},"data":[{orderId,…}],"ts"}.
        event: |frame| {
            frame["action"] == "snapshot"
                && frame["arg"]["channel"] == "orders"
                && frame["data"][0]["orderId"].is_string()
                && frame["ts"].is_u64()
        },
        // Bitget websocket error 30004 "User needs to log in".
        not_logged_in: |frame| frame["event"] == "error" && frame["code"] == 30004,
        // A hex signature where Bitget takes base64.
        wrong_login: |signer| {
            let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            let mac = base64_decode(login.signature());
            message["args"][0]["sign"] = json!(hex::encode(mac));
            message.to_string()
        },
        // Bitget websocket error 30015 "Invalid signature".
        refused_login: |frame| frame["event"] == "error" && frame["code"] == 30015,
        mistake: Some("hex-instead-of-base64"),
    }
}

fn gate() -> Case {
    Case {
        scheme: Scheme::Gate,
        credentials: Credentials::new()
            .api_key("a1a9d1abd6b184059827d73a31bed2a1")
            .secret("7dab7dd4d38c0b75bc0fd56c8ac2021690dcba6a6c494560b83c72abf26635fe"),
        settings: KeySettings::new(),
        path: "/ws/v4/",
        // Gate "Application ping/pong": {"time","channel":"spot.ping"} -> channel "spot.pong".
        ping: Some(r#"{"time":1700000000,"channel":"spot.ping"}"#),
        pong: |text| {
            let pong: Value = serde_json::from_str(text).unwrap_or_default();
            pong["channel"] == "spot.pong" && pong["time"].is_u64()
        },
        // The unsigned subscribe; the signed one (with `auth`) is the login.
        subscribe: json!({"time": 1700000000, "channel": "spot.orders", "event": "subscribe", "payload": ["BTC_USDT"]}),
        // Gate "Server response": {"time","channel","event":"subscribe","result":{"status":"success"}}.
        logged_in: |frame| {
            frame["channel"] == "spot.orders" && frame["event"] == "subscribe" && frame["result"]["status"] == "success"
        },
        subscribed: |frame| frame["event"] == "subscribe" && frame["result"]["status"] == "success",
        // Gate "Orders channel" push: {"time","channel":"spot.orders","event":"update","result":[{id,…}]}.
        event: |frame| {
            frame["channel"] == "spot.orders"
                && frame["event"] == "update"
                && frame["result"][0]["id"].is_string()
                && frame["result"][0]["currency_pair"] == "BTC_USDT"
        },
        // Gate's error object, {"error":{"code","message"}} (its code assumed).
        not_logged_in: |frame| frame["event"] == "subscribe" && frame["error"]["code"].is_u64(),
        // A base64 signature where Gate takes hex.
        wrong_login: |signer| {
            use base64::Engine as _;
            let request = Scheme::Gate.exchange().private_stream.login_request();
            let login = signer.sign_ws(&request, Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            let mac = hex::decode(login.signature()).unwrap();
            message["auth"]["SIGN"] = json!(base64::engine::general_purpose::STANDARD.encode(mac));
            message.to_string()
        },
        // Gate error code 4, an authentication failure.
        refused_login: |frame| frame["error"]["code"] == 4 && frame["channel"] == "spot.orders",
        mistake: Some("base64-instead-of-hex"),
    }
}

fn delta() -> Case {
    Case {
        scheme: Scheme::Delta,
        credentials: Credentials::new()
            .api_key("nuiXd97xo3iUMP18SlErlzyRPRWtue")
            .secret("7uQWNdIVh7dyz86GKB2AGO4Q3Vk5sXp7o0GEcXoLZJs7Icn5n3kM51NBOdlx"),
        settings: KeySettings::new(),
        path: "/",
        // Delta "Ping/Pong": {"type":"ping"} -> {"type":"pong"}.
        ping: Some(r#"{"type":"ping"}"#),
        pong: |text| serde_json::from_str::<Value>(text).is_ok_and(|pong| pong["type"] == "pong"),
        subscribe: json!({"type": "subscribe", "payload": {"channels": [{"name": "orders", "symbols": ["all"]}]}}),
        // Delta key-auth: {"type":"key-auth","success":true,…}.
        logged_in: |frame| frame["type"] == "key-auth" && frame["success"] == true,
        // Delta "Subscribe": {"type":"subscriptions","channels":[{"name","symbols"}]}.
        subscribed: |frame| {
            frame["type"] == "subscriptions"
                && frame["channels"][0]["name"] == "orders"
                && frame["channels"][0].get("error").is_none()
        },
        // Delta "Orders": {"type":"orders","action","symbol","order_id","state","timestamp",…}.
        event: |frame| {
            frame["type"] == "orders"
                && frame["action"] == "create"
                && frame["order_id"].is_u64()
                && frame["timestamp"].is_u64()
        },
        // Delta "Subscribe", error response: the channel's entry carries "…Unauthorized user".
        not_logged_in: |frame| {
            frame["type"] == "subscriptions"
                && frame["channels"][0]["name"] == "orders"
                && frame["channels"][0]["error"].as_str().is_some_and(|error| error.contains("Unauthorized"))
        },
        // A base64 signature where Delta takes hex.
        wrong_login: |signer| {
            use base64::Engine as _;
            let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            let mac = hex::decode(login.signature()).unwrap();
            message["payload"]["signature"] = json!(base64::engine::general_purpose::STANDARD.encode(mac));
            message.to_string()
        },
        refused_login: |frame| frame["type"] == "key-auth" && frame["success"] == false,
        mistake: Some("base64-instead-of-hex"),
    }
}

fn coinbase_exchange() -> Case {
    Case {
        scheme: Scheme::CoinbaseExchange,
        credentials: Credentials::new()
            .api_key("5bd9648ac7e4fdcc16dd7a1440d15ffc")
            .secret("T1hJuyrdyEZN5xKuzicSiu4MgLajrysBDcMYFFKtXpPfNO5eqX93vdAFKWWF/IQ3UXo9bhWptz76qPNDYXyFew==")
            .passphrase("12gywsouo6a"),
        settings: KeySettings::new(),
        path: "/",
        // Coinbase Exchange's feed has no application-level ping: the protocol's frames only.
        ping: None,
        pong: |_| true,
        // The unsigned subscribe; the signed one (key, passphrase, timestamp, signature) is the login.
        subscribe: json!({"type": "subscribe", "product_ids": ["BTC-USD"], "channels": ["user"]}),
        // Coinbase Exchange "Subscribe": {"type":"subscriptions","channels":[{"name","product_ids"}]}.
        logged_in: |frame| frame["type"] == "subscriptions" && frame["channels"][0]["name"] == "user",
        subscribed: |frame| frame["type"] == "subscriptions",
        // Coinbase Exchange "User channel" / "Full channel": a `received` with the key's user_id.
        event: |frame| {
            frame["type"] == "received"
                && frame["product_id"] == "BTC-USD"
                && frame["order_id"].is_string()
                && frame["user_id"].is_string()
        },
        // Coinbase Exchange "Errors": {"type":"error","message"} (its reason assumed).
        not_logged_in: |frame| frame["type"] == "error" && frame["message"].is_string(),
        // A hex signature where Coinbase Exchange takes base64.
        wrong_login: |signer| {
            let request = Scheme::CoinbaseExchange.exchange().private_stream.login_request();
            let login = signer.sign_ws(&request, Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            let mac = base64_decode(login.signature());
            message["signature"] = json!(hex::encode(mac));
            message.to_string()
        },
        refused_login: |frame| frame["type"] == "error" && frame["message"].is_string(),
        mistake: Some("hex-instead-of-base64"),
    }
}

fn bitmex() -> Case {
    Case {
        scheme: Scheme::Bitmex,
        credentials: Credentials::new()
            .api_key("OqlUt16EeAyDyv7vhRYLNZVD")
            .secret("WUfhDg-huzNtcFauPHrEPxk6WLvqGLQy06nac5dQ689qufGZ"),
        settings: KeySettings::new(),
        path: "/realtime",
        // BitMEX "Heartbeats": the text `ping`, answered with `pong`.
        ping: Some("ping"),
        pong: |text| text == "pong",
        subscribe: json!({"op": "subscribe", "args": ["order"]}),
        // BitMEX "Authentication": {"success":true,"request":{"op":"authKeyExpires",…}}.
        logged_in: |frame| frame["success"] == true && frame["request"]["op"] == "authKeyExpires",
        // BitMEX "Subscriptions": {"success":true,"subscribe":"order","request":{…}}.
        subscribed: |frame| frame["success"] == true && frame["subscribe"] == "order",
        // BitMEX table data: {"table":"order","action":"partial","keys","data":[{orderID,…}]}.
        event: |frame| {
            frame["table"] == "order" && frame["action"] == "partial" && frame["data"][0]["orderID"].is_string()
        },
        // BitMEX: an account-locked topic before authentication, status 401.
        not_logged_in: |frame| frame["status"] == 401 && frame["request"]["op"] == "subscribe",
        // A base64 signature where BitMEX takes hex.
        wrong_login: |signer| {
            use base64::Engine as _;
            let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            let mac = hex::decode(login.signature()).unwrap();
            message["args"][2] = json!(base64::engine::general_purpose::STANDARD.encode(mac));
            message.to_string()
        },
        // BitMEX's websocket error: {"status":401,"error":…}.
        refused_login: |frame| frame["status"] == 401 && frame["error"].is_string(),
        // BitMEX's login is checked by re-signing it: no catalogue mistake is named.
        mistake: None,
    }
}

/// Coinbase Advanced's legacy key secret (its conformance vectors' key).
const ADVANCED_HMAC_SECRET: &str = "TfoQYfhkBr2DJusf57i19YOYjU1btmGP";

/// Coinbase Advanced Trade's user stream, for either kind of key: the same frames.
fn coinbase_advanced(scheme: Scheme, credentials: Credentials) -> Case {
    Case {
        scheme,
        credentials,
        settings: KeySettings::new(),
        // `wss://advanced-trade-ws-user.coinbase.com` (coinbase-advanced-py's WSUserClient).
        path: "/",
        // No application-level ping: the protocol's frames (and the heartbeats channel).
        ping: None,
        pong: |_| true,
        // Advanced Trade "Subscribe": one channel per message.
        subscribe: json!({"type": "subscribe", "product_ids": ["BTC-USD"], "channel": "user"}),
        // Advanced Trade "Subscribe": {"channel":"subscriptions","events":[{"subscriptions":{"user":[…]}}]}.
        logged_in: |frame| {
            frame["channel"] == "subscriptions" && frame["events"][0]["subscriptions"]["user"][0] == "BTC-USD"
        },
        subscribed: |frame| frame["channel"] == "subscriptions",
        // Advanced Trade "User channel": {"channel":"user","events":[{"type":"snapshot","orders":[{…}]}]}.
        event: |frame| {
            let order = &frame["events"][0]["orders"][0];
            frame["channel"] == "user"
                && frame["sequence_num"].is_u64()
                && frame["events"][0]["type"] == "snapshot"
                && order["order_id"].is_string()
                && order["product_id"] == "BTC-USD"
                && order["status"].is_string()
        },
        // coinbase-advanced-py#92: {"type":"error","message":"authentication failure"}.
        not_logged_in: |frame| frame["type"] == "error" && frame["message"] == "authentication failure",
        wrong_login: |_| unreachable!("set per kind of key"),
        refused_login: |frame| frame["type"] == "error" && frame["message"] == "authentication failure",
        mistake: None,
    }
}

fn coinbase_advanced_hmac() -> Case {
    let credentials = Credentials::new().api_key("PyAVmUBhzXDVsg5l").secret(ADVANCED_HMAC_SECRET);
    Case {
        // The founding thread's mistake: the HMAC's arguments swapped, the prehash
        // (timestamp + channel + product ids) used as the key and the secret as the message.
        wrong_login: |signer| {
            use hmac::{KeyInit as _, Mac as _};
            let request = Scheme::CoinbaseAdvancedHmac.exchange().private_stream.login_request();
            let login = signer.sign_ws(&request, Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            let prehash = format!("{}userBTC-USD", message["timestamp"].as_str().unwrap());
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(prehash.as_bytes()).unwrap();
            mac.update(ADVANCED_HMAC_SECRET.as_bytes());
            message["signature"] = json!(hex::encode(mac.finalize().into_bytes()));
            message.to_string()
        },
        mistake: Some("hmac-arguments-swapped"),
        ..coinbase_advanced(Scheme::CoinbaseAdvancedHmac, credentials)
    }
}

fn coinbase_cdp() -> Case {
    let credentials = Credentials::new()
        .api_key("organizations/832644cc-74ce-4c20-af3d-deaadcc1dbc2/apiKeys/5d38a39c-8990-4f01-9cb4-ef9fc866326d")
        .secret(
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIHa7TZVmXIBV5rL2D32G5QX1LVLXOBGjtyedP12V4cbGoAoGCCqGSM49\n\
             AwEHoUQDQgAEFWIj0fjBlqRrpRfFZWlDLejcItih300h/N/P0XDmauN+4SwqDIvm\n\
             5oQP16yoF/5Cme8qsjKd21KA5JVyY23EbQ==\n-----END EC PRIVATE KEY-----\n",
        );
    Case {
        // The token's ES256 signature DER-encoded where a JWT carries the raw r || s.
        wrong_login: |signer| {
            use base64::Engine as _;
            let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let request = Scheme::CoinbaseCdp.exchange().private_stream.login_request();
            let login = signer.sign_ws(&request, Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            let token = message["jwt"].as_str().unwrap().to_owned();
            let (signed, signature) = token.rsplit_once('.').unwrap();
            let raw = p256::ecdsa::Signature::from_slice(&url.decode(signature).unwrap()).unwrap();
            message["jwt"] = json!(format!("{signed}.{}", url.encode(raw.to_der().as_bytes())));
            message.to_string()
        },
        mistake: Some("jwt-signature-der"),
        ..coinbase_advanced(Scheme::CoinbaseCdp, credentials)
    }
}

/// BitMart's key secret and memo (its conformance vectors' key).
const BITMART_SECRET: &str = "4eedcf19e1593576341a9592d4a12adb7fd32a1cb93c6f2f25b83fa955caef6c";
const BITMART_MEMO: &str = "vg-memo-01";

fn bitmart() -> Case {
    Case {
        scheme: Scheme::Bitmart,
        credentials: Credentials::new()
            .api_key("849f22ff6ea8426c9319409e9339f09003088318")
            .secret(BITMART_SECRET)
            .passphrase(BITMART_MEMO),
        settings: KeySettings::new(),
        // BitMart spot "Server URL": wss://ws-manager-compress.bitmart.com/user?protocol=1.1.
        path: "/user",
        // BitMart spot "Stay Connected": the text `ping`, answered with `pong`.
        ping: Some("ping"),
        pong: |text| text == "pong",
        subscribe: json!({"op": "subscribe", "args": ["spot/user/order:BTC_USDT"]}),
        // BitMart spot "Login": {"event":"login"}, no errorCode.
        logged_in: |frame| frame == &json!({"event": "login"}),
        // BitMart spot "Order Progress": {"event":"subscribe","topic":"spot/user/order:BTC_USDT"}.
        subscribed: |frame| frame == &json!({"event": "subscribe", "topic": "spot/user/order:BTC_USDT"}),
        // BitMart spot "Order Progress" push: {"table":"spot/user/order","data":[{order_id,…}]}.
        event: |frame| {
            frame["table"] == "spot/user/order"
                && frame["data"][0]["symbol"] == "BTC_USDT"
                && frame["data"][0]["order_id"].is_string()
                && frame["data"][0]["order_state"].is_string()
        },
        // BitMart spot "Error Code": 91006 "User not logged in".
        not_logged_in: |frame| frame["event"] == "subscribe" && frame["errorCode"] == "91006",
        // Signed over the REST prehash's shape (timestamp#memo#) instead of timestamp#memo#bitmart.WebSocket.
        wrong_login: |signer| {
            use hmac::{KeyInit as _, Mac as _};
            let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            let prehash = format!("{}#{BITMART_MEMO}#", message["args"][1].as_str().unwrap());
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(BITMART_SECRET.as_bytes()).unwrap();
            mac.update(prehash.as_bytes());
            message["args"][2] = json!(hex::encode(mac.finalize().into_bytes()));
            message.to_string()
        },
        // BitMart's login error frame, {"event":"login","errorCode","errorMessage"} (the REST
        // code of the same refusal: 30005).
        refused_login: |frame| frame["event"] == "login" && frame["errorCode"] == "30005",
        // BitMart's login is checked by re-signing it: no catalogue mistake is named.
        mistake: None,
    }
}

fn bitfinex() -> Case {
    Case {
        scheme: Scheme::Bitfinex,
        // AUTH-breadth.md §2's worked example key.
        credentials: Credentials::new()
            .api_key("bfxKEY0123456789")
            .secret("bfxSECRET0123456789abcdefghijklmnopqrstuvw"),
        settings: KeySettings::new(),
        path: "/ws/2",
        // Bitfinex "Ping/Pong": {"event":"ping","cid"} -> {"event":"pong","ts","cid"}.
        ping: Some(r#"{"event":"ping","cid":1234}"#),
        pong: |text| {
            let pong: Value = serde_json::from_str(text).unwrap_or_default();
            pong["event"] == "pong" && pong["cid"] == 1234 && pong["ts"].is_u64()
        },
        // Account channels are not subscribed by name: this is refused logged in or not.
        subscribe: json!({"event": "subscribe", "channel": "os"}),
        // Bitfinex "Authenticated Channels": {"event":"auth","status":"OK","chanId":0,"userId",…}.
        logged_in: |frame| {
            frame["event"] == "auth" && frame["status"] == "OK" && frame["chanId"] == 0 && frame["userId"].is_u64()
        },
        subscribed: |_| false,
        // Bitfinex "Account Info": [0,"os",[[ID,GID,CID,SYMBOL,…,STATUS (13),…,PRICE (16),…]]] and
        // [0,"ws",[[WALLET_TYPE,CURRENCY,BALANCE,UNSETTLED_INTEREST,BALANCE_AVAILABLE,…]]].
        event: |frame| {
            let order = &frame[2][0];
            let orders = frame[1] == "os" && order[0].is_u64() && order[3].is_string() && order[13].is_string();
            let wallet = &frame[2][0];
            let wallets = frame[1] == "ws" && wallet[0].is_string() && wallet[1].is_string() && wallet[2].is_number();
            frame[0] == 0 && (orders || wallets)
        },
        // Bitfinex's error event, code 10302 (unknown channel).
        not_logged_in: |frame| frame["event"] == "error" && frame["code"] == 10302,
        // One hex digit of the signature changed.
        wrong_login: |signer| {
            let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            message["authSig"] = json!(flip_first_hex_digit(login.signature()));
            message.to_string()
        },
        // AUTH-breadth.md §2: {"event":"auth","status":"FAILED","chanId":0,"code":10100,"msg"}.
        refused_login: |frame| {
            frame["event"] == "auth"
                && frame["status"] == "FAILED"
                && frame["code"] == 10100
                && frame["msg"].is_string()
        },
        // Bitfinex's login is checked by re-signing it: no catalogue mistake is named.
        mistake: None,
    }
}

fn deribit() -> Case {
    Case {
        scheme: Scheme::Deribit,
        // AUTH-breadth.md §5's worked example key (Deribit's docs).
        credentials: Credentials::new().api_key("AMANDA").secret("AMANDASECRECT"),
        settings: KeySettings::new(),
        path: "/ws/api/v2",
        // Deribit "public/test": answered {"jsonrpc":"2.0","id","result":{"version"}}.
        ping: Some(r#"{"jsonrpc":"2.0","id":8212,"method":"public/test","params":{}}"#),
        pong: |text| {
            let pong: Value = serde_json::from_str(text).unwrap_or_default();
            pong["jsonrpc"] == "2.0" && pong["id"] == 8212 && pong["result"]["version"].is_string()
        },
        subscribe: json!({
            "jsonrpc": "2.0", "id": 42, "method": "private/subscribe",
            "params": {"channels": ["user.orders.any.any.raw"]},
        }),
        // Deribit "public/auth": the result carries access_token, expires_in, refresh_token,
        // scope and token_type, under the request's id (the signer's login is id 1).
        logged_in: |frame| {
            let result = &frame["result"];
            frame["jsonrpc"] == "2.0"
                && frame["id"] == 1
                && result["access_token"].is_string()
                && result["expires_in"].is_u64()
                && result["refresh_token"].is_string()
                && result["scope"].is_string()
                && result["token_type"] == "bearer"
        },
        // Deribit "private/subscribe": {"jsonrpc":"2.0","id":42,"result":[<channels>]}.
        subscribed: |frame| frame["id"] == 42 && frame["result"] == json!(["user.orders.any.any.raw"]),
        // Deribit "Notifications" and "user.orders.(kind).(currency).raw": method subscription,
        // params {channel, data: {order_id, order_state, instrument_name, …}}, no id.
        event: |frame| {
            let data = &frame["params"]["data"];
            frame["method"] == "subscription"
                && frame.get("id").is_none()
                && frame["params"]["channel"] == "user.orders.any.any.raw"
                && data["order_id"].is_string()
                && data["order_state"] == "open"
                && data["instrument_name"].is_string()
        },
        // Deribit's JSON-RPC error 10000 authorization_required, under the request's id.
        not_logged_in: |frame| {
            frame["id"] == 42
                && frame["error"]["code"] == 10000
                && frame["error"]["message"] == "authorization_required"
        },
        // One hex digit of the signature changed.
        wrong_login: |signer| {
            let login = signer.sign_ws(&WsRequest::login(), Timestamp::now().unwrap()).unwrap();
            let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
            message["params"]["signature"] = json!(flip_first_hex_digit(login.signature()));
            message.to_string()
        },
        // AUTH-breadth.md §5: 13009 unauthorized covers a bad signature.
        refused_login: |frame| {
            frame["jsonrpc"] == "2.0"
                && frame["id"] == 1
                && frame["error"]["code"] == 13009
                && frame.get("result").is_none()
        },
        // Deribit declares no catalogue mistakes yet: the signature is compared.
        mistake: None,
    }
}

/// The signature with its first hex digit changed.
fn flip_first_hex_digit(signature: &str) -> String {
    match signature.strip_prefix('0') {
        Some(rest) => format!("1{rest}"),
        None => format!("0{}", &signature[1..]),
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

async fn start(case: &Case) -> RunningExchange {
    let account = Account::new(case.scheme, &case.credentials, &case.settings).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
}

async fn connect(exchange: &RunningExchange, path: &str) -> Socket {
    let url = format!("ws://{}{path}", exchange.local_addr());
    let (socket, response) = tokio_tungstenite::connect_async(url).await.unwrap();
    assert_eq!(response.status(), 101);
    socket
}

async fn send(socket: &mut Socket, text: &str) {
    socket.send(Message::text(text)).await.unwrap();
}

/// The next text frame (the protocol's own frames skipped), within a few seconds.
async fn next_text(socket: &mut Socket) -> String {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("an answer within 10 s")
            .expect("the connection stays open")
            .unwrap();
        match message {
            Message::Text(text) => return text.to_string(),
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

async fn next_json(socket: &mut Socket) -> Value {
    let text = next_text(socket).await;
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"))
}

/// The login the stream takes, freshly signed.
fn login(scheme: Scheme, signer: &dyn Signer) -> String {
    let request = scheme.exchange().private_stream.login_request();
    signer.sign_ws(&request, Timestamp::now().unwrap()).unwrap().message_json().to_owned()
}

/// Where the exchange greets a new connection (Bitfinex's `info` event), the greeting comes
/// first, before the client says anything: it is read, and must be the exchange's documented
/// one (checked per exchange in its own test).
async fn greeted(case: &Case, socket: &mut Socket) {
    if case.scheme.exchange().private_stream.greeting.is_some() {
        let greeting = next_json(socket).await;
        assert!(greeting.is_object(), "{} greeting: {greeting}", case.scheme.id());
    }
}

/// Logs in, and subscribes unless the login was the subscribe; then receives the event.
async fn log_in_and_subscribe(case: &Case, socket: &mut Socket, signer: &dyn Signer, when: &str) {
    let name = case.scheme.id();
    let signed_subscribe = case.scheme.exchange().private_stream.login.is_signed_subscribe();
    // The protocol's ping, answered by a pong frame (skipped when reading text frames).
    socket.send(Message::Ping(b"alive".to_vec().into())).await.unwrap();
    send(socket, &login(case.scheme, signer)).await;
    let answer = next_json(socket).await;
    assert!((case.logged_in)(&answer), "{name} login{when}: {answer}");
    // Where the account's events follow the login unasked (Bitfinex), they come now, one per
    // channel the home pushes, and there is no subscribe.
    let pushed = case.scheme.exchange().private_stream.pushed_on_login;
    for channel in pushed {
        let event = next_json(socket).await;
        assert!((case.event)(&event), "{name} {channel} pushed after the login{when}: {event}");
    }
    if !pushed.is_empty() {
        if let Some(ping) = case.ping {
            send(socket, ping).await;
            let pong = next_text(socket).await;
            assert!((case.pong)(&pong), "{name} pong: {pong}");
        }
        return;
    }
    if !signed_subscribe {
        if let Some(ping) = case.ping {
            send(socket, ping).await;
            let pong = next_text(socket).await;
            assert!((case.pong)(&pong), "{name} pong: {pong}");
        }
        send(socket, &case.subscribe.to_string()).await;
        let answer = next_json(socket).await;
        assert!((case.subscribed)(&answer), "{name} subscribe{when}: {answer}");
    }
    let event = next_json(socket).await;
    assert!((case.event)(&event), "{name} event{when}: {event}");
    if signed_subscribe {
        if let Some(ping) = case.ping {
            send(socket, ping).await;
            let pong = next_text(socket).await;
            assert!((case.pong)(&pong), "{name} pong: {pong}");
        }
    }
}

async fn run(case: Case) {
    let name = case.scheme.id();
    assert_eq!(case.scheme.exchange().private_stream.path, case.path, "{name}");
    let exchange = start(&case).await;
    let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();

    // Log in, ping, subscribe, receive the event.
    let mut socket = connect(&exchange, case.path).await;
    greeted(&case, &mut socket).await;
    log_in_and_subscribe(&case, &mut socket, signer.as_ref(), "").await;
    socket.close(None).await.unwrap();

    // A second connection: a subscribe before the login, then a wrong login.
    let mut socket = connect(&exchange, case.path).await;
    greeted(&case, &mut socket).await;
    send(&mut socket, &case.subscribe.to_string()).await;
    let answer = next_json(&mut socket).await;
    assert!((case.not_logged_in)(&answer), "{name} subscribe before login: {answer}");
    send(&mut socket, &(case.wrong_login)(signer.as_ref())).await;
    let answer = next_json(&mut socket).await;
    assert!((case.refused_login)(&answer), "{name} wrong login: {answer}");
    match case.mistake {
        Some(mistake) => assert_eq!(answer["cexsign_diagnosis"]["mistake"], mistake, "{name} diagnosis: {answer}"),
        None => assert!(
            answer["cexsign_reason"].as_str().is_some_and(|reason| reason.contains("signature")),
            "{name}: {answer}"
        ),
    }
    // Still not logged in.
    send(&mut socket, &case.subscribe.to_string()).await;
    let answer = next_json(&mut socket).await;
    assert!((case.not_logged_in)(&answer), "{name} subscribe after a wrong login: {answer}");
    drop(socket);

    // Reconnect with a fresh login.
    let mut socket = connect(&exchange, case.path).await;
    greeted(&case, &mut socket).await;
    log_in_and_subscribe(&case, &mut socket, signer.as_ref(), " after reconnect").await;
    assert_eq!(exchange.requests_accepted(), 2, "{name}: two logins accepted");
    exchange.shutdown().await;
}

#[tokio::test]
async fn okx_private_stream() {
    run(okx()).await;
}

#[tokio::test]
async fn bybit_private_stream() {
    run(bybit()).await;
}

#[tokio::test]
async fn bitget_private_stream() {
    run(bitget()).await;
}

#[tokio::test]
async fn gate_private_stream() {
    run(gate()).await;
}

#[tokio::test]
async fn delta_private_stream() {
    run(delta()).await;
}

#[tokio::test]
async fn coinbase_exchange_private_stream() {
    run(coinbase_exchange()).await;
}

#[tokio::test]
async fn bitmex_private_stream() {
    run(bitmex()).await;
}

#[tokio::test]
async fn coinbase_advanced_hmac_private_stream() {
    run(coinbase_advanced_hmac()).await;
}

#[tokio::test]
async fn coinbase_cdp_private_stream() {
    run(coinbase_cdp()).await;
}

/// A login signed five minutes ago is refused with the exchange's frame, and the connection
/// stays logged out; where the exchange names the fault, the answer says it is the time.
async fn stale_login_is_refused(case: Case, refused: fn(&Value) -> bool) {
    let name = case.scheme.id();
    let exchange = start(&case).await;
    let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();
    let mut socket = connect(&exchange, case.path).await;
    let request = case.scheme.exchange().private_stream.login_request();
    let stale = Timestamp::from_unix_millis(u64::try_from(Timestamp::now().unwrap().unix_millis()).unwrap() - 300_000);
    send(&mut socket, signer.sign_ws(&request, stale).unwrap().message_json()).await;
    let answer = next_json(&mut socket).await;
    assert!(refused(&answer), "{name} stale login: {answer}");
    let reason = answer["cexsign_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("timestamp") || reason.contains("expired"), "{name} names the time: {answer}");
    send(&mut socket, &case.subscribe.to_string()).await;
    let answer = next_json(&mut socket).await;
    assert!((case.not_logged_in)(&answer), "{name} subscribe after a stale login: {answer}");
    assert_eq!(exchange.requests_accepted(), 0, "{name}");
    exchange.shutdown().await;
}

#[tokio::test]
async fn coinbase_advanced_stale_logins_are_refused() {
    let refused: fn(&Value) -> bool = |frame| frame["type"] == "error" && frame["message"] == "authentication failure";
    stale_login_is_refused(coinbase_advanced_hmac(), refused).await;
    stale_login_is_refused(coinbase_cdp(), refused).await;
}

/// On the path Coinbase Advanced shares with Coinbase Exchange and Delta, an unsigned subscribe
/// before the login does not bind the connection to the wrong kind of key: the CDP login that
/// follows is still checked as CDP's.
#[tokio::test]
async fn an_unsigned_subscribe_first_leaves_either_kind_of_key_free_to_log_in() {
    for case in [coinbase_cdp(), coinbase_advanced_hmac()] {
        let name = case.scheme.id();
        let exchange = start(&case).await;
        let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();
        let mut socket = connect(&exchange, "/").await;
        send(&mut socket, &case.subscribe.to_string()).await;
        let answer = next_json(&mut socket).await;
        assert!((case.not_logged_in)(&answer), "{name}: {answer}");
        send(&mut socket, &login(case.scheme, signer.as_ref())).await;
        let answer = next_json(&mut socket).await;
        assert!((case.logged_in)(&answer), "{name}: {answer}");
        let event = next_json(&mut socket).await;
        assert!((case.event)(&event), "{name}: {event}");
        exchange.shutdown().await;
    }
}

/// Advanced Trade "Heartbeats channel": a signed subscribe to `heartbeats` is answered and
/// followed by {"channel":"heartbeats","events":[{"current_time","heartbeat_counter"}]}; a
/// channel Advanced Trade's user stream does not serve is refused with its error frame.
#[tokio::test]
async fn coinbase_advanced_serves_heartbeats_and_refuses_an_unknown_channel() {
    for case in [coinbase_cdp(), coinbase_advanced_hmac()] {
        let name = case.scheme.id();
        let exchange = start(&case).await;
        let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();
        let mut socket = connect(&exchange, "/").await;
        let heartbeats =
            signer.sign_ws(&WsRequest::subscribe(&["heartbeats"], &[]), Timestamp::now().unwrap()).unwrap();
        send(&mut socket, heartbeats.message_json()).await;
        let answer = next_json(&mut socket).await;
        assert!(
            answer["channel"] == "subscriptions" && answer["events"][0]["subscriptions"]["heartbeats"].is_array(),
            "{name}: {answer}"
        );
        let event = next_json(&mut socket).await;
        assert_eq!(event["channel"], "heartbeats", "{name}: {event}");
        assert!(
            event["events"][0]["heartbeat_counter"].is_string() && event["events"][0]["current_time"].is_string(),
            "{name}: {event}"
        );
        let level2 =
            signer.sign_ws(&WsRequest::subscribe(&["level2"], &["BTC-USD"]), Timestamp::now().unwrap()).unwrap();
        send(&mut socket, level2.message_json()).await;
        // The login's own answer (the signature is good), then the refusal of the channel.
        let _ = next_json(&mut socket).await;
        let refused = next_json(&mut socket).await;
        assert!(
            refused["type"] == "error" && refused["message"].as_str().is_some_and(|m| m.contains("level2")),
            "{name}: {refused}"
        );
        exchange.shutdown().await;
    }
}

#[tokio::test]
async fn bitmart_private_stream() {
    run(bitmart()).await;
}

#[tokio::test]
async fn a_bitmart_stale_login_is_refused() {
    // BitMart "Error Code" (REST): 30007, the timestamp outside its minute.
    stale_login_is_refused(bitmart(), |frame| frame["event"] == "login" && frame["errorCode"] == "30007").await;
}

/// BitMart's other private topics: the balance change, a topic not served refused with 90004.
#[tokio::test]
async fn bitmart_serves_the_balance_topic_and_refuses_an_unknown_one() {
    let case = bitmart();
    let exchange = start(&case).await;
    let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();
    let mut socket = connect(&exchange, case.path).await;
    send(&mut socket, &login(case.scheme, signer.as_ref())).await;
    assert_eq!(next_json(&mut socket).await, json!({"event": "login"}));
    send(&mut socket, r#"{"op":"subscribe","args":["spot/user/balance:BALANCE_UPDATE","spot/user/margin:BTC_USDT"]}"#)
        .await;
    // BitMart "Error Code": 90004 "Invalid channel param".
    let refused = next_json(&mut socket).await;
    assert_eq!((&refused["event"], &refused["errorCode"]), (&json!("subscribe"), &json!("90004")), "{refused}");
    let subscribed = next_json(&mut socket).await;
    assert_eq!(subscribed, json!({"event": "subscribe", "topic": "spot/user/balance:BALANCE_UPDATE"}));
    // BitMart "Balance Change": {"table":"spot/user/balance","data":[{event_type,event_time,balance_details}]}.
    let event = next_json(&mut socket).await;
    assert_eq!(event["table"], "spot/user/balance", "{event}");
    assert!(event["data"][0]["balance_details"][0]["ccy"].is_string(), "{event}");
    assert!(event["data"][0]["event_type"].is_string(), "{event}");
    exchange.shutdown().await;
}

#[tokio::test]
async fn bitfinex_private_stream() {
    run(bitfinex()).await;
}

#[tokio::test]
async fn deribit_private_stream() {
    run(deribit()).await;
}

/// Bitfinex greets a connection with its `info` event ("Info Messages": version 2, platform
/// status 1 for operative) before the client speaks; a login whose nonce is not above the key's
/// last one (the same login sent again, as a reconnect that reuses it) is refused with
/// `nonce: small` (10114), and the connection stays logged out.
#[tokio::test]
async fn bitfinex_greets_and_refuses_a_reused_nonce() {
    let case = bitfinex();
    let exchange = start(&case).await;
    let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();
    let login = login(case.scheme, signer.as_ref());

    let mut socket = connect(&exchange, case.path).await;
    let info = next_json(&mut socket).await;
    assert_eq!((&info["event"], &info["version"], &info["platform"]["status"]), (&json!("info"), &json!(2), &json!(1)));
    send(&mut socket, &login).await;
    assert!((case.logged_in)(&next_json(&mut socket).await));
    drop(socket);

    let mut socket = connect(&exchange, case.path).await;
    next_json(&mut socket).await;
    send(&mut socket, &login).await;
    let answer = next_json(&mut socket).await;
    assert_eq!(
        (&answer["event"], &answer["status"], &answer["code"], &answer["msg"]),
        (&json!("auth"), &json!("FAILED"), &json!(10114), &json!("nonce: small")),
        "{answer}"
    );
    assert!(!answer.to_string().contains("bfxKEY0123456789"), "the key is not echoed: {answer}");
    // No account snapshot follows a refused login: the next frame answers the ping.
    send(&mut socket, case.ping.unwrap()).await;
    let pong = next_text(&mut socket).await;
    assert!((case.pong)(&pong), "{pong}");
    assert_eq!(exchange.requests_accepted(), 1);
    exchange.shutdown().await;
}

/// bitfinex-api-py's login (`bfxapi/websocket/_client/bfx_websocket_client.py`): `authNonce` as
/// a string, as the docs' field table types it, and `"filter": null` ("Authenticated Channels":
/// `dms` and `filter` are optional) is accepted; a field Bitfinex does not name is not.
#[tokio::test]
async fn bitfinex_takes_the_official_sdks_login() {
    let case = bitfinex();
    let exchange = start(&case).await;
    let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();
    let as_sdk = |at: Timestamp, extra: (&str, Value)| {
        let login = signer.sign_ws(&WsRequest::login(), at).unwrap();
        let mut message: Value = serde_json::from_str(login.message_json()).unwrap();
        let nonce = message["authNonce"].to_string();
        message["authNonce"] = json!(nonce);
        message["filter"] = Value::Null;
        message[extra.0] = extra.1;
        message.to_string()
    };
    let now = Timestamp::now().unwrap();

    let mut socket = connect(&exchange, case.path).await;
    next_json(&mut socket).await;
    send(&mut socket, &as_sdk(now, ("dms", json!(4)))).await;
    let answer = next_json(&mut socket).await;
    assert!((case.logged_in)(&answer), "{answer}");
    assert!((case.event)(&next_json(&mut socket).await));
    drop(socket);

    let mut socket = connect(&exchange, case.path).await;
    next_json(&mut socket).await;
    send(&mut socket, &as_sdk(now.offset_by_millis(1).unwrap(), ("channel", json!("os")))).await;
    let answer = next_json(&mut socket).await;
    assert!((case.refused_login)(&answer), "{answer}");
    assert_eq!(exchange.requests_accepted(), 1);
    exchange.shutdown().await;
}

/// A Deribit login signed five minutes ago is refused with 13009 under its request id, the
/// reason naming the window; a `private/subscribe` after it is still refused.
#[tokio::test]
async fn deribit_refuses_a_stale_login() {
    let case = deribit();
    let exchange = start(&case).await;
    let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();
    let stale = Timestamp::now().unwrap().offset_by_millis(-300_000).unwrap();
    let login = signer.sign_ws(&WsRequest::login(), stale).unwrap();

    let mut socket = connect(&exchange, case.path).await;
    send(&mut socket, login.message_json()).await;
    let answer = next_json(&mut socket).await;
    assert!((case.refused_login)(&answer), "{answer}");
    let reason = answer["cexsign_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("window") || reason.contains("timestamp"), "{answer}");
    send(&mut socket, &case.subscribe.to_string()).await;
    assert!((case.not_logged_in)(&next_json(&mut socket).await));
    assert_eq!(exchange.requests_accepted(), 0);
    exchange.shutdown().await;
}

/// Deribit's `public/set_heartbeat` is answered `ok` under its id ("public/set_heartbeat"), and a
/// `heartbeat` notification of type `test_request` follows, which the client answers with
/// `public/test` ("heartbeat" channel); no login is needed.
#[tokio::test]
async fn deribit_heartbeat_asks_for_a_test_request() {
    let case = deribit();
    let exchange = start(&case).await;
    let mut socket = connect(&exchange, case.path).await;
    send(&mut socket, r#"{"jsonrpc":"2.0","id":9098,"method":"public/set_heartbeat","params":{"interval":30}}"#).await;
    let answer = next_json(&mut socket).await;
    assert_eq!((&answer["id"], &answer["result"]), (&json!(9098), &json!("ok")), "{answer}");
    let heartbeat = next_json(&mut socket).await;
    assert_eq!((&heartbeat["method"], &heartbeat["params"]["type"]), (&json!("heartbeat"), &json!("test_request")));
    send(&mut socket, case.ping.unwrap()).await;
    let pong = next_text(&mut socket).await;
    assert!((case.pong)(&pong), "{pong}");
    assert_eq!(exchange.requests_accepted(), 0);
    exchange.shutdown().await;
}

/// Deribit's portfolio channel named with the currency's code upper-case (ccxt 4.5.90's
/// `watch_balance` subscribes `user.portfolio.BTC`, `.ETH`, `.SOL`, `.USDC`) is served like
/// `user.portfolio.btc`: listed in the subscribe's answer, then its notification.
#[tokio::test]
async fn deribit_serves_the_portfolio_channel_named_upper_case() {
    let case = deribit();
    let exchange = start(&case).await;
    let signer = case.scheme.exchange().signer(&case.credentials, &case.settings).unwrap();
    let mut socket = connect(&exchange, case.path).await;
    send(&mut socket, &login(case.scheme, signer.as_ref())).await;
    let answer = next_json(&mut socket).await;
    assert!((case.logged_in)(&answer), "{answer}");
    send(
        &mut socket,
        r#"{"jsonrpc":"2.0","id":43,"method":"private/subscribe","params":{"channels":["user.portfolio.BTC"]}}"#,
    )
    .await;
    let subscribed = next_json(&mut socket).await;
    assert_eq!(
        (&subscribed["id"], &subscribed["result"]),
        (&json!(43), &json!(["user.portfolio.BTC"])),
        "{subscribed}"
    );
    let event = next_json(&mut socket).await;
    assert_eq!(event["method"], "subscription", "{event}");
    assert_eq!(event["params"]["channel"], "user.portfolio.BTC", "{event}");
    assert_eq!(event["params"]["data"]["currency"], "BTC", "{event}");
    assert!(event["params"]["data"]["equity"].is_number(), "{event}");
    exchange.shutdown().await;
}

/// An upgrade that asks for another websocket version than 13 is refused with 400.
#[tokio::test]
async fn an_upgrade_of_another_protocol_version_is_refused() {
    let case = okx();
    let exchange = start(&case).await;
    let url = format!("ws://{}/ws/v5/private", exchange.local_addr());
    let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
    request.headers_mut().insert("sec-websocket-version", "8".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(request).await.unwrap_err();
    assert!(refused.to_string().contains("400"), "{refused}");
    exchange.shutdown().await;
}
