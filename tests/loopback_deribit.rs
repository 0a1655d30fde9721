//! Deribit through a real socket: requests signed by the reqwest layer (the `deri-hmac-sha256`
//! Authorization header) are accepted by the local exchange, which verifies them from Deribit's
//! description alone (its Authorization items, its window, its recipe-shaped signer, its error
//! table); a stale, replayed, mis-signed or unknown-key request is refused in Deribit's JSON-RPC
//! shape and classifies to the kind it was sent for; the `public/auth` `client_signature` login
//! verifies.
//!
//! Expected values come from Deribit's documented error codes (AUTH-breadth.md §5, ccxt's table)
//! and the conformance vectors' credentials, never from the server's own output.

#![cfg(feature = "reqwest")]

use cexsign::client::RequestBuilderExt;
use cexsign::rejection::{RejectionKind, classify};
use cexsign::{Credentials, DeribitSigner, KeySettings, Scheme, SignOptions, Signer, Timestamp, WsRequest};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use serde_json::Value;

/// The first Deribit vector's (fake) credentials.
fn credentials() -> Credentials {
    let path = format!("{}/tests/vectors/deribit.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let c = &doc["vectors"][0]["credentials"];
    Credentials::new().api_key(c["api_key"].as_str().unwrap()).secret(c["secret"].as_str().unwrap())
}

async fn exchange() -> RunningExchange {
    let account = Account::new(Scheme::Deribit, &credentials(), &KeySettings::new()).unwrap();
    LocalExchange::new().with_account(account).start().await.unwrap()
}

async fn send(request: reqwest::Request) -> (u16, Value) {
    let response = reqwest::Client::new().execute(request).await.unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null))
}

fn code(body: &Value) -> Option<i64> {
    body["error"]["code"].as_i64()
}

#[tokio::test]
async fn signed_requests_are_accepted_and_bad_ones_refused_in_deribits_shape() {
    let exchange = exchange().await;
    let base = exchange.base_url().to_owned();
    let client = reqwest::Client::new();
    let signer = DeribitSigner::new(&credentials()).unwrap();
    let now = Timestamp::now().unwrap();

    // A GET with a form-encoded label in the query, and a JSON-RPC POST.
    let get = client
        .get(format!("{base}/api/v2/private/buy?instrument_name=BTC-PERPETUAL&amount=10&label=vg+bot+%231"))
        .build_signed(&signer, now)
        .unwrap();
    let (status, body) = send(get).await;
    assert_eq!(status, 200, "{body}");
    let rpc = r#"{"jsonrpc":"2.0","id":1,"method":"private/get_positions","params":{"currency":"BTC"}}"#;
    let post = client
        .post(format!("{base}/api/v2/private/get_positions"))
        .header("content-type", "application/json")
        .body(rpc)
        .build_signed(&signer, now)
        .unwrap();
    let (status, body) = send(post).await;
    assert_eq!(status, 200, "{body}");

    // The same request twice: the nonce may be used once.
    let request = client.get(format!("{base}/api/v2/private/get_subaccounts")).build_signed(&signer, now).unwrap();
    let replay = request.try_clone().unwrap();
    assert_eq!(send(request).await.0, 200);
    let (status, body) = send(replay).await;
    assert_eq!((status, code(&body)), (400, Some(13009)), "{body}");
    assert_eq!(body["error"]["message"], "unauthorized");

    // Signed five minutes ago.
    let stale = Timestamp::from_unix_secs(now.unix_secs() - 300);
    let expired = client.get(format!("{base}/api/v2/private/get_subaccounts")).build_signed(&signer, stale).unwrap();
    let (status, body) = send(expired).await;
    assert_eq!((status, code(&body)), (400, Some(13009)), "{body}");

    // The right key with another secret.
    let wrong = Credentials::new().api_key("ben2Kvln").secret("not-the-secret");
    let forged = client
        .get(format!("{base}/api/v2/private/get_subaccounts"))
        .build_signed(&DeribitSigner::new(&wrong).unwrap(), now)
        .unwrap();
    let (status, body) = send(forged).await;
    assert_eq!((status, code(&body)), (400, Some(13009)), "{body}");
    let rejection = classify(Scheme::Deribit, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidSignature);

    // An unknown key.
    let stranger = Credentials::new().api_key("AAAAAAAA").secret("Zqwec49jTayxWHZLMvMf0qCovBAzDq9Et93ozpX0RoA");
    let unknown = client
        .get(format!("{base}/api/v2/private/get_subaccounts"))
        .build_signed(&DeribitSigner::new(&stranger).unwrap(), now)
        .unwrap();
    let (status, body) = send(unknown).await;
    assert_eq!((status, code(&body)), (400, Some(13004)), "{body}");
    assert_eq!(body["error"]["message"], "invalid_credentials");
    let rejection = classify(Scheme::Deribit, status, body.to_string().as_bytes()).unwrap();
    assert_eq!(rejection.kind, RejectionKind::InvalidKey);

    // A request without its nonce item.
    let signed = signer.sign(&cexsign::SignableRequest::new(cexsign::Method::Get, "/api/v2/private/x").unwrap(), now);
    let header = signed.unwrap().header("authorization").unwrap().to_owned();
    let without_nonce = header.rsplit_once(",nonce=").unwrap().0.to_owned();
    let request =
        client.get(format!("{base}/api/v2/private/x")).header("authorization", without_nonce).build().unwrap();
    let (status, body) = send(request).await;
    assert_eq!((status, code(&body)), (400, Some(10000)), "{body}");
    exchange.shutdown().await;
}

#[tokio::test]
async fn the_client_signature_login_verifies_and_a_tampered_one_does_not() {
    let exchange = exchange().await;
    let url = format!("{}/cexsign/ws/deribit", exchange.base_url());
    let signer = DeribitSigner::new(&credentials()).unwrap();
    let request = WsRequest::login().with_data("loopback");
    let login = signer.sign_ws_with(&request, Timestamp::now().unwrap(), &SignOptions::new()).unwrap();
    let message: Value = serde_json::from_str(login.message_json()).unwrap();
    assert_eq!(message["method"], "public/auth");
    assert_eq!(message["params"]["grant_type"], "client_signature");
    let post = |body: String| reqwest::Client::new().post(&url).body(body).build().unwrap();
    let (status, answer) = send(post(login.message_json().to_owned())).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["result"]["token_type"], "bearer", "{answer}");

    // Other data than signed.
    let (status, answer) = send(post(login.message_json().replace("loopback", "elsewhere"))).await;
    assert_eq!((status, code(&answer)), (401, Some(13009)), "{answer}");
    exchange.shutdown().await;
}
