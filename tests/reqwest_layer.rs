//! The reqwest layer signs the built request's own bytes, refuses what it cannot sign, and
//! leaves the request untouched when it fails. (Sending over a real socket: `loopback.rs`.)

#![cfg(feature = "reqwest")]

use cexsign::client::{RequestBuilderExt, ReqwestSigner, signable};
use cexsign::{
    CoinbaseCdpSigner, Credentials, Error, KucoinKeyVersion, KucoinSigner, Method, OkxEnvironment, OkxSigner,
    SignOptions, SignableRequest, Signer, Timestamp,
};

fn okx() -> OkxSigner {
    OkxSigner::new(
        &Credentials::new().api_key("k").secret("22582BD0CFF14C41EDBF1AB98506286D").passphrase("p"),
        OkxEnvironment::Live,
    )
    .unwrap()
}

const AT: Timestamp = Timestamp::from_unix_millis(1_700_000_000_123);

#[test]
fn signs_the_query_as_the_url_parser_wrote_it() {
    let client = reqwest::Client::new();
    // Typed with a space and a quote: the URL parser sends %20 and %22, and that is what is signed.
    let request = client.get("http://localhost:1/api/v5/x?a=b c&q=\"v\"").build_signed(&okx(), AT).unwrap();
    assert_eq!(request.url().query(), Some("a=b%20c&q=%22v%22"));
    let expected = okx()
        .sign(&SignableRequest::new(Method::Get, "/api/v5/x").unwrap().with_query("a=b%20c&q=%22v%22").unwrap(), AT)
        .unwrap();
    assert_eq!(request.headers()["ok-access-sign"], expected.signature());
}

#[test]
fn signs_the_body_bytes_that_are_sent() {
    let body = "{\"instId\": \"BTC-USDT\", \"note\": \"龙\"}";
    let request = reqwest::Client::new()
        .post("http://localhost:1/api/v5/trade/order")
        .body(body)
        .build_signed(&okx(), AT)
        .unwrap();
    let expected = okx()
        .sign(&SignableRequest::new(Method::Post, "/api/v5/trade/order").unwrap().with_body(body.as_bytes()), AT)
        .unwrap();
    assert_eq!(request.headers()["ok-access-sign"], expected.signature());
    assert_eq!(request.body().unwrap().as_bytes(), Some(body.as_bytes()));
}

#[test]
fn a_streaming_body_is_an_error_and_the_request_is_unchanged() {
    let path = std::env::temp_dir().join(format!("cexsign-stream-{}.json", std::process::id()));
    std::fs::write(&path, b"{}").unwrap();
    let file = tokio::fs::File::from_std(std::fs::File::open(&path).unwrap());
    let mut request = reqwest::Client::new()
        .post("http://localhost:1/api/v5/trade/order")
        .body(reqwest::Body::from(file))
        .build()
        .unwrap();
    let err = okx().sign_reqwest(&mut request, AT).unwrap_err();
    assert_eq!(err, Error::StreamingBody);
    assert!(err.to_string().contains("never sign a stream as empty"));
    assert!(request.headers().is_empty(), "headers were added on error");
    std::fs::remove_file(path).ok();
}

#[test]
fn on_a_signing_error_the_request_is_unchanged() {
    let kucoin =
        KucoinSigner::new(&Credentials::new().api_key("k").secret("s").passphrase("p"), KucoinKeyVersion::V3).unwrap();
    // The URL parser keeps a malformed escape as is; KuCoin must decode it to sign: an error.
    let mut request = reqwest::Client::new().get("http://localhost:1/api/v1/orders?remark=100%zz").build().unwrap();
    request.headers_mut().insert("x-mine", "1".parse().unwrap());
    let before = format!("{request:?}");
    let err = kucoin.sign_reqwest(&mut request, AT).unwrap_err();
    assert!(matches!(err, Error::MalformedQuery { .. }));
    assert_eq!(format!("{request:?}"), before);
    assert_eq!(request.headers().len(), 1);
}

#[test]
fn a_lower_case_method_would_be_sent_lower_case_so_it_is_refused() {
    let method = reqwest::Method::from_bytes(b"get").unwrap();
    let err = reqwest::Client::new().request(method, "http://localhost:1/x").build_signed(&okx(), AT).unwrap_err();
    assert_eq!(err, Error::MethodNotUpperCase);
}

#[test]
fn cdp_uri_claim_takes_the_url_host_without_port_or_query() {
    let signer = CoinbaseCdpSigner::new(
        &Credentials::new()
            .api_key("22222222-2222-4222-8222-222222222222")
            .secret("rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA=="),
    )
    .unwrap();
    let mut request =
        reqwest::Client::new().get("http://127.0.0.1:8443/api/v3/brokerage/accounts?limit=1").build().unwrap();
    let options = SignOptions::new().keep_prehash();
    let signed = signer.sign_reqwest_with(&mut request, AT, &options).unwrap();
    let claims = signed.prehash().unwrap().as_str().unwrap().split('.').nth(1).unwrap().to_owned();
    use base64::Engine as _;
    let claims = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert!(claims.contains(r#""uri":"GET 127.0.0.1/api/v3/brokerage/accounts""#), "{claims}");
}

#[test]
fn signable_reflects_the_built_request() {
    let request = reqwest::Client::new().delete("http://example.test/api/v1/orders?symbol=BTC-USDT").build().unwrap();
    let signable = signable(&request).unwrap();
    assert_eq!(signable.method(), Method::Delete);
    assert_eq!(signable.path(), "/api/v1/orders");
    assert_eq!(signable.query(), "symbol=BTC-USDT");
    assert_eq!(signable.host(), Some("example.test"));
    assert!(signable.body().is_empty());
    let _: &dyn Signer = &okx();
}

/// One vector of tests/vectors: its inputs and what the wire must carry.
fn more_vector(file: &str, id: &str) -> serde_json::Value {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["vectors"].as_array().unwrap().iter().find(|v| v["id"] == id).unwrap().clone()
}

fn binance(vector: &serde_json::Value, key_type: cexsign::BinanceKeyType) -> cexsign::BinanceSigner {
    let c = &vector["credentials"];
    cexsign::BinanceSigner::new(
        &Credentials::new().api_key(c["api_key"].as_str().unwrap()).secret(c["secret"].as_str().unwrap()),
        key_type,
    )
    .unwrap()
}

#[test]
fn binance_signature_is_appended_to_the_query_the_request_sends() {
    // Built without timestamp: the signer appends it and the signature, as in the vector's wire.
    let vector = more_vector("binance.json", "binance-pub-22-ed25519-get");
    let signer = binance(&vector, cexsign::BinanceKeyType::Ed25519);
    let at = Timestamp::from_unix_millis(vector["timestamp"].as_str().unwrap().parse().unwrap());
    let request = reqwest::Client::new()
        .get("http://localhost:1/api/v3/account?recvWindow=5000")
        .build_signed(&signer, at)
        .unwrap();
    assert_eq!(request.url().query().unwrap(), vector["expected"]["wire"]["query"].as_str().unwrap());
    assert_eq!(request.headers()["x-mbx-apikey"], vector["credentials"]["api_key"].as_str().unwrap());
    assert!(request.body().is_none());
}

#[test]
fn binance_signature_is_appended_to_the_form_body_the_request_sends() {
    let vector = more_vector("binance.json", "binance-pub-07-post-form-body");
    let signer = binance(&vector, cexsign::BinanceKeyType::Hmac);
    let at = Timestamp::from_unix_millis(vector["timestamp"].as_str().unwrap().parse().unwrap());
    let body = vector["body"].as_str().unwrap().to_owned();
    let request = reqwest::Client::new()
        .post("http://localhost:1/api/v3/order")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .build_signed(&signer, at)
        .unwrap();
    let sent = request.body().unwrap().as_bytes().unwrap();
    assert_eq!(sent, vector["expected"]["wire"]["body"].as_str().unwrap().as_bytes());
    assert_eq!(request.url().query(), None);
}

#[test]
fn kraken_nonce_is_added_to_the_body_the_request_sends() {
    let vector = more_vector("kraken.json", "kraken-pub-11-ws-token");
    let c = &vector["credentials"];
    let signer = cexsign::KrakenSigner::new(
        &Credentials::new().api_key(c["api_key"].as_str().unwrap()).secret(c["secret"].as_str().unwrap()),
    )
    .unwrap();
    let at = Timestamp::from_unix_millis(vector["timestamp"].as_str().unwrap().parse().unwrap());
    // The vector's body is exactly `nonce=<timestamp>`: sent empty, the signer must produce it.
    let request = reqwest::Client::new()
        .post("http://localhost:1/0/private/GetWebSocketsToken")
        .build_signed(&signer, at)
        .unwrap();
    assert_eq!(request.body().unwrap().as_bytes().unwrap(), vector["body"].as_str().unwrap().as_bytes());
    assert_eq!(request.headers()["api-sign"], vector["expected"]["headers"]["API-Sign"].as_str().unwrap());
}

#[test]
fn a_failed_binance_signing_leaves_the_request_unchanged() {
    let vector = more_vector("binance.json", "binance-pub-01-get-timestamp-only");
    let signer = binance(&vector, cexsign::BinanceKeyType::Hmac);
    // A timestamp parameter that is not the signing instant: refused, nothing rewritten.
    let mut request = reqwest::Client::new().get("http://localhost:1/api/v3/account?timestamp=1").build().unwrap();
    let err = signer.sign_reqwest(&mut request, AT).unwrap_err();
    assert!(matches!(err, Error::InvalidParameters { .. }), "{err}");
    assert_eq!(request.url().query(), Some("timestamp=1"));
    assert!(request.headers().is_empty());
}

/// A JSON body for Binance, which reads parameters from the query and a form body only: the
/// reqwest layer refuses it with the signer's error instead of appending `&timestamp=…` to it.
#[test]
fn a_json_body_for_binance_is_refused_not_mangled() {
    let binance =
        cexsign::BinanceSigner::new(&Credentials::new().api_key("key").secret("secret"), cexsign::BinanceKeyType::Hmac)
            .unwrap();
    let at = Timestamp::from_unix_millis(1_700_000_000_000);
    let client = reqwest::Client::new();
    for body in [r#"{"symbol":"BTCUSDT","side":"BUY"}"#, " [1]"] {
        let error = client
            .post("https://api.binance.com/api/v3/order")
            .header("content-type", "application/json")
            .body(body)
            .build_signed(&binance, at)
            .unwrap_err();
        assert!(matches!(error, Error::InvalidBody { .. }), "{error:?}");
        assert!(error.to_string().contains("never JSON"), "{error}");
    }
    // The same parameters as a form are signed.
    let form = client
        .post("https://api.binance.com/api/v3/order")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("symbol=BTCUSDT&side=BUY")
        .build_signed(&binance, at)
        .unwrap();
    let sent = form.body().and_then(reqwest::Body::as_bytes).unwrap();
    assert!(sent.starts_with(b"symbol=BTCUSDT&side=BUY&timestamp=1700000000000&signature="));
}
