//! Hyperliquid through a real socket: actions signed by the reqwest layer (the body rewritten to
//! `{"action","nonce","signature","vaultAddress"}`) are accepted by the local exchange, which
//! finds the account by the address the signature recovers to; an action whose keys were
//! re-ordered after signing, a testnet signature from a mainnet key, a repeated nonce and a
//! nonce days old are refused in Hyperliquid's own shape (`{"status":"err","response":…}`) and
//! classify to the kind they were sent for.
//!
//! Expected values come from Hyperliquid's documented answers (AUTH-breadth.md §1) and the
//! conformance vectors' key and address, never from the server's own output.

#![cfg(all(feature = "reqwest", feature = "hyperliquid"))]

use cexsign::client::RequestBuilderExt;
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{Credentials, HyperliquidNetwork, HyperliquidSigner, KeySettings, Scheme, Timestamp};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use serde_json::Value;

/// The first Hyperliquid vector's (fake) key and the address the vectors give for it.
fn vector_key() -> (String, String) {
    let path = format!("{}/tests/vectors/hyperliquid.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let c = &doc["vectors"][0]["credentials"];
    (c["secret"].as_str().unwrap().to_owned(), c["api_key"].as_str().unwrap().to_owned())
}

fn credentials() -> Credentials {
    Credentials::new().secret(vector_key().0)
}

async fn exchange() -> RunningExchange {
    let account = Account::new(Scheme::Hyperliquid, &credentials(), &KeySettings::new()).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
}

async fn send(request: reqwest::Request) -> (u16, Value) {
    let response = reqwest::Client::new().execute(request).await.unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null))
}

const ORDER: &str = r#"{"type":"order","orders":[{"a":0,"b":true,"p":"64089.9","s":"0.0015","r":false,"t":{"limit":{"tif":"Gtc"}}}],"grouping":"na"}"#;

/// The order with its top-level keys sorted, as an unordered map serialises it.
const SORTED: &str = r#"{"grouping":"na","orders":[{"a":0,"b":true,"p":"64089.9","r":false,"s":"0.0015","t":{"limit":{"tif":"Gtc"}}}],"type":"order"}"#;

fn refused_as(status: u16, body: &Value, words: &str, kind: RejectionKind) {
    assert_eq!((status, body["status"].as_str()), (200, Some("err")), "{body}");
    let response = body["response"].as_str().unwrap();
    assert!(response.contains(words), "{response}");
    let rejection = classify(Scheme::Hyperliquid, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, kind, "{body}");
}

#[tokio::test]
async fn signed_actions_are_accepted_and_bad_ones_refused_in_hyperliquids_shape() {
    let exchange = exchange().await;
    let url = format!("{}/exchange", exchange.base_url());
    let client = reqwest::Client::new();
    let signer = HyperliquidSigner::new(&credentials()).unwrap();
    let (_, address) = vector_key();
    assert_eq!(signer.address(), address);
    let now = Timestamp::now().unwrap();
    let post = |action: &str, signer: &HyperliquidSigner, at: Timestamp| {
        client.post(&url).header("content-type", "application/json").body(action.to_owned()).build_signed(signer, at)
    };

    // Accepted: the account is the address the vectors give for the key.
    let (status, body) = send(post(ORDER, &signer, now).unwrap()).await;
    assert_eq!((status, body["cexsign"].as_str()), (200, Some("accepted")), "{body}");
    assert_eq!(body["api_key"].as_str().unwrap(), address);

    // The same nonce again.
    let (status, body) = send(post(ORDER, &signer, now).unwrap()).await;
    refused_as(status, &body, "Invalid nonce", RejectionKind::TimestampOutsideWindow);

    // Signed over the sorted keys, sent in the documented order: another digest, so another
    // (unknown) address.
    let later = now.offset_by_millis(1).unwrap();
    let sorted = post(SORTED, &signer, later).unwrap();
    let sent = std::str::from_utf8(sorted.body().unwrap().as_bytes().unwrap()).unwrap().replacen(SORTED, ORDER, 1);
    assert!(sent.starts_with(&format!(r#"{{"action":{ORDER},"nonce":"#)), "{sent}");
    let reordered = client.post(&url).header("content-type", "application/json").body(sent).build().unwrap();
    let (status, body) = send(reordered).await;
    refused_as(status, &body, "does not exist", RejectionKind::InvalidSignature);
    assert!(body["cexsign_reason"].to_string().contains("recovers to"), "{body}");

    // A testnet signature from a key registered for mainnet.
    let testnet = HyperliquidSigner::new(&credentials()).unwrap().with_network(HyperliquidNetwork::Testnet);
    let (status, body) = send(post(ORDER, &testnet, now.offset_by_millis(2).unwrap()).unwrap()).await;
    refused_as(status, &body, "does not exist", RejectionKind::InvalidSignature);

    // Three days old: outside (server time - 2 days, server time + 1 day).
    let stale = now.offset_by_millis(-3 * 86_400_000).unwrap();
    let (status, body) = send(post(ORDER, &signer, stale).unwrap()).await;
    refused_as(status, &body, "Invalid nonce", RejectionKind::TimestampOutsideWindow);

    // Not an action at all: the exchange's 422.
    let garbage = client.post(&url).header("content-type", "application/json").body("{\"action\":1}").build().unwrap();
    let response = reqwest::Client::new().execute(garbage).await.unwrap();
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().starts_with("Failed to deserialize the JSON body"));
}

#[tokio::test]
async fn a_vault_and_an_expiry_are_signed_and_checked() {
    let exchange = exchange().await;
    let url = format!("{}/exchange", exchange.base_url());
    let client = reqwest::Client::new();
    let now = Timestamp::now().unwrap();
    let signer = HyperliquidSigner::new(&credentials())
        .unwrap()
        .with_vault_address("0x3d809aff929eb0486b94b0d589e338795a7b1d12")
        .unwrap()
        .with_expires_after(std::time::Duration::from_secs(60));
    let request =
        client.post(&url).header("content-type", "application/json").body(ORDER).build_signed(&signer, now).unwrap();
    let body: Value = serde_json::from_slice(request.body().unwrap().as_bytes().unwrap()).unwrap();
    assert_eq!(body["vaultAddress"], "0x3d809aff929eb0486b94b0d589e338795a7b1d12");
    assert_eq!(body["expiresAfter"].as_u64().unwrap(), body["nonce"].as_u64().unwrap() + 60_000);
    let (status, answer) = send(request).await;
    assert_eq!((status, answer["cexsign"].as_str()), (200, Some("accepted")), "{answer}");

    // Expired two minutes ago (signed with a nonce three minutes old).
    let old = now.offset_by_millis(-180_000).unwrap();
    let request =
        client.post(&url).header("content-type", "application/json").body(ORDER).build_signed(&signer, old).unwrap();
    let (status, answer) = send(request).await;
    assert_eq!(answer["status"], "err", "{answer}");
    assert_eq!(status, 200);
}
