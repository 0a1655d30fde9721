//! What the loopback test of one exchange needs besides its own cases: the fake key of the
//! exchange's first conformance vector, a local exchange with that key's account, and a way to
//! send a signed request and read the answer as JSON.

#![allow(dead_code)]

use cexsign::{Credentials, KeySettings, Scheme};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use serde_json::Value;

/// The (fake) API key and secret of `scheme`'s first conformance vector.
pub fn vector_key(scheme: Scheme) -> (String, String) {
    let path = format!("{}/tests/vectors/{}.json", env!("CARGO_MANIFEST_DIR"), scheme.id());
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let c = &doc["vectors"][0]["credentials"];
    (c["api_key"].as_str().unwrap().to_owned(), c["secret"].as_str().unwrap().to_owned())
}

/// The credentials of [`vector_key`].
pub fn credentials(scheme: Scheme) -> Credentials {
    let (key, secret) = vector_key(scheme);
    Credentials::new().api_key(key).secret(secret)
}

/// A local exchange with one account: `scheme`'s vector key, default settings.
pub async fn start(scheme: Scheme) -> RunningExchange {
    let account = Account::new(scheme, &credentials(scheme), &KeySettings::new()).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
}

/// Sends `request`: its status and its body as JSON (`Null` when it is not JSON).
pub async fn send(request: reqwest::Request) -> (u16, Value) {
    let response = reqwest::Client::new().execute(request).await.unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null))
}
