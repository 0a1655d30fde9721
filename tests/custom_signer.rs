//! A signer for an exchange cexsign does not know, written outside the crate as a user would:
//! it implements `SignRequest`, builds its output with `SignedRequest::from_parts`, and the
//! reqwest layer and the signing middleware sign with it.

#![cfg(feature = "middleware")]

use std::sync::{Arc, Mutex};

use cexsign::client::RequestBuilderExt as _;
use cexsign::clock::FixedClock;
use cexsign::middleware::SigningMiddleware;
use cexsign::{
    Error, HeaderLayout, HeaderSource, Prehash, SignOptions, SignRequest, SignableRequest, SignedRequest, Timestamp,
};
use http::{HeaderName, HeaderValue};
use sha2::Digest as _;

static X_TOY_KEY: HeaderName = HeaderName::from_static("x-toy-key");
static X_TOY_TS: HeaderName = HeaderName::from_static("x-toy-ts");
static X_TOY_SIGN: HeaderName = HeaderName::from_static("x-toy-sign");

/// A toy exchange: hex(SHA-256(secret + ts + METHOD + path + "?" + query + body)).
#[derive(Debug)]
struct ToySigner {
    secret: String,
    headers: HeaderLayout,
}

impl ToySigner {
    fn new(key: &str, secret: &str) -> Self {
        let headers = HeaderLayout::new([
            (&X_TOY_KEY, HeaderSource::Fixed(HeaderValue::from_str(key).unwrap())),
            (&X_TOY_TS, HeaderSource::Timestamp),
            (&X_TOY_SIGN, HeaderSource::Signature),
        ]);
        Self { secret: secret.to_owned(), headers }
    }
}

fn prehash(ts: &str, request: &SignableRequest<'_>) -> Vec<u8> {
    let query = if request.query().is_empty() { String::new() } else { format!("?{}", request.query()) };
    [ts.as_bytes(), request.method().as_str().as_bytes(), request.path().as_bytes(), query.as_bytes(), request.body()]
        .concat()
}

impl SignRequest for ToySigner {
    fn sign_request(
        &self,
        request: &SignableRequest<'_>,
        at: Timestamp,
        options: &SignOptions,
    ) -> Result<SignedRequest, Error> {
        let ts = at.unix_secs().to_string();
        let message = prehash(&ts, request);
        let signature = hex::encode(sha2::Sha256::digest([self.secret.as_bytes(), &message].concat()));
        let signed = SignedRequest::from_parts(&self.headers, &ts, &signature)?;
        Ok(if options.keeps_prehash() { signed.with_prehash(Prehash::new(message)) } else { signed })
    }
}

fn expected(ts: &str, method: &str, path_query: &str, body: &[u8]) -> String {
    let text = [b"toy-secret".as_slice(), ts.as_bytes(), method.as_bytes(), path_query.as_bytes(), body].concat();
    hex::encode(sha2::Sha256::digest(text))
}

#[test]
fn a_signer_of_ones_own_signs_reqwest_requests() {
    let signer = ToySigner::new("toy-key", "toy-secret");
    let at = Timestamp::from_unix_secs(1_700_000_000);
    let request = reqwest::Client::new()
        .post("http://127.0.0.1:1/v1/order?symbol=BTC")
        .body(r#"{"qty":1}"#)
        .build_signed(&signer, at)
        .unwrap();
    let headers = request.headers();
    assert_eq!(headers["x-toy-key"], "toy-key");
    assert_eq!(headers["x-toy-ts"], "1700000000");
    assert_eq!(headers["x-toy-sign"], expected("1700000000", "POST", "/v1/order?symbol=BTC", br#"{"qty":1}"#).as_str());
    // The kept prehash is the toy's own.
    let signable = SignableRequest::new(cexsign::Method::Get, "/x").unwrap();
    let kept = signer.sign_request(&signable, at, &SignOptions::new().keep_prehash()).unwrap();
    assert_eq!(kept.prehash().unwrap().as_bytes(), b"1700000000GET/x");
}

#[test]
fn signed_request_from_parts_refuses_what_a_header_cannot_carry() {
    let layout = HeaderLayout::new([(&X_TOY_SIGN, HeaderSource::Signature)]);
    assert!(SignedRequest::from_parts(&layout, "1", "ab\ncd").is_err());
    assert!(SignedRequest::from_parts(&layout, "", "abcd").is_err());
    assert!(SignedRequest::from_parts(&layout, &"9".repeat(33), "abcd").is_err());
    assert!(SignedRequest::from_parts(&layout, "1", "").is_err());
    let signed = SignedRequest::from_parts(&layout, "1", "abcd").unwrap();
    assert!(signed.with_wire_query("a=b c").is_err());
    let token = SignedRequest::from_parts(&HeaderLayout::new([(&X_TOY_KEY, HeaderSource::Token)]), "1", "s").unwrap();
    let token = token.with_token("secret-token".to_owned()).unwrap();
    assert_eq!(token.header("x-toy-key"), Some("secret-token"));
    assert!(token.is_sensitive("x-toy-key"));
    assert!(!format!("{token:?}").contains("secret-token"));
}

/// The end of the chain: records the request it is handed and answers 200 without any network.
struct Recorder(Arc<Mutex<Vec<http::HeaderMap>>>);

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for Recorder {
    async fn handle(
        &self,
        request: reqwest::Request,
        _: &mut http::Extensions,
        _: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        self.0.lock().unwrap().push(request.headers().clone());
        Ok(reqwest::Response::from(http::Response::new(reqwest::Body::from("ok"))))
    }
}

#[tokio::test]
async fn the_signing_middleware_signs_with_a_signer_of_ones_own() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let clock = Arc::new(FixedClock(Timestamp::from_unix_secs(1_700_000_123)));
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(SigningMiddleware::new(ToySigner::new("toy-key", "toy-secret"), clock.clone()))
        .with(Recorder(Arc::clone(&seen)))
        .build();
    let response = client.get("http://127.0.0.1:1/v1/balance").send().await.unwrap();
    assert_eq!(response.status(), 200);
    // Shared behind an Arc as well.
    let shared: Arc<ToySigner> = Arc::new(ToySigner::new("toy-key", "toy-secret"));
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(SigningMiddleware::from_arc(shared, clock))
        .with(Recorder(Arc::clone(&seen)))
        .build();
    client.delete("http://127.0.0.1:1/v1/order?id=7").send().await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0]["x-toy-sign"], expected("1700000123", "GET", "/v1/balance", b"").as_str());
    assert_eq!(seen[1]["x-toy-sign"], expected("1700000123", "DELETE", "/v1/order?id=7", b"").as_str());
}
