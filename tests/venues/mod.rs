//! One account per scheme, from the fake keys of its conformance vectors, and a local exchange
//! that has them all: for the tests that place orders on every exchange.

#![allow(dead_code)]

use std::time::Duration;

use cexsign::client::RequestBuilderExt;
use cexsign::{Credentials, KeySettings, Scheme, Signer, Timestamp};
use cexsign_local_exchange::{Account, LocalExchange};
use serde_json::Value;

/// A scheme's first vector key: its credentials and settings.
pub struct Venue {
    pub scheme: Scheme,
    pub api_key: String,
    pub credentials: Credentials,
    pub settings: KeySettings,
}

impl Venue {
    pub fn signer(&self) -> Box<dyn Signer> {
        self.scheme.exchange().signer(&self.credentials, &self.settings).unwrap()
    }

    pub fn account(&self) -> Account {
        Account::new(self.scheme, &self.credentials, &self.settings).unwrap()
    }

    /// The first order-placing path of the exchange (a `*` segment filled in).
    pub fn order_path(&self) -> String {
        self.scheme.exchange().orders.placing[0].path.replace('*', "usdt")
    }

    /// An order body carrying `client_order_id` (when given), in the body type the exchange
    /// takes: a form for Binance and Kraken, JSON for the others. Returns (content type, body).
    pub fn order_body(&self, client_order_id: Option<&str>) -> (&'static str, String) {
        let field = self.scheme.exchange().orders.client_order_id.unwrap().field;
        match self.scheme {
            Scheme::Binance | Scheme::Kraken => {
                let mut body = "symbol=BTCUSDT&side=BUY&quantity=0.001".to_owned();
                if let Some(id) = client_order_id {
                    body.push_str(&format!("&{field}={id}"));
                }
                ("application/x-www-form-urlencoded", body)
            }
            // An order action; its orders carry the client order id as `c`.
            Scheme::Hyperliquid => {
                let mut order = serde_json::json!({"a": 0, "b": true, "p": "30000", "s": "0.001", "r": false});
                order["t"] = serde_json::json!({"limit": {"tif": "Gtc"}});
                if let Some(id) = client_order_id {
                    order["c"] = Value::from(id);
                }
                let action = format!(r#"{{"type":"order","orders":[{order}],"grouping":"na"}}"#);
                ("application/json", action)
            }
            _ => {
                let mut body = serde_json::json!({"symbol": "BTC-USDT", "side": "buy", "size": "0.001"});
                if let Some(id) = client_order_id {
                    body[field] = Value::from(id);
                }
                ("application/json", body.to_string())
            }
        }
    }

    /// The order, signed now (every call signs afresh, as a retry through a signing layer does).
    pub fn signed_order(
        &self,
        client: &reqwest::Client,
        base_url: &str,
        client_order_id: Option<&str>,
    ) -> reqwest::Request {
        // Kraken's nonce is the millisecond clock and must grow: never two signatures in one.
        std::thread::sleep(Duration::from_millis(2));
        let (content_type, body) = self.order_body(client_order_id);
        client
            .post(format!("{base_url}{}", self.order_path()))
            .header("content-type", content_type)
            .body(body)
            .build_signed(&*self.signer(), Timestamp::now().unwrap())
            .unwrap()
    }
}

pub fn venues() -> Vec<Venue> {
    Scheme::ALL
        .into_iter()
        .map(|scheme| {
            let path = format!("{}/tests/vectors/{}.json", env!("CARGO_MANIFEST_DIR"), scheme.id());
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let c = &doc["vectors"][0]["credentials"];
            let api_key = c["api_key"].as_str().unwrap().to_owned();
            let mut credentials = Credentials::new().api_key(api_key.clone()).secret(c["secret"].as_str().unwrap());
            // BitMart's vectors name the passphrase `memo`.
            if let Some(passphrase) = c["passphrase"].as_str().or_else(|| c["memo"].as_str()) {
                credentials = credentials.passphrase(passphrase);
            }
            let mut settings = KeySettings::new();
            if let Some(version) = c["key_version"].as_u64() {
                settings = settings.key_version(u32::try_from(version).unwrap());
            }
            if let Some(key_type) = c["key_type"].as_str() {
                settings = settings.key_type(key_type);
            }
            Venue { scheme, api_key, credentials, settings }
        })
        .collect()
}

pub fn local_exchange(venues: &[Venue]) -> LocalExchange {
    venues.iter().fold(LocalExchange::new(), |exchange, venue| exchange.with_account(venue.account()))
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().user_agent("cexsign-tests").timeout(Duration::from_secs(10)).build().unwrap()
}

/// Sends and returns (status, body as JSON, or the text as a JSON string).
pub async fn send(client: &reqwest::Client, request: reqwest::Request) -> (u16, Value) {
    let response = client.execute(request).await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}
