//! End-to-end tests of the local exchange: a real server on 127.0.0.1:0, raw HTTP/1.1 over
//! `tokio::net::TcpStream`, requests signed with the crate's own signers. This file covers the
//! server and the exchanges verified by their auth headers (OKX, KuCoin, Delta, Coinbase);
//! `binance_bybit_kraken_bitget_gate.rs` the five with rules of their own.

mod binance_bybit_kraken_bitget_gate;
mod content_type;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, KeySettings,
    KucoinKeyVersion, KucoinSigner, Method, OkxEnvironment, OkxSigner, Scheme, SignOptions, SignableRequest,
    SignedRequest, Signer, Timestamp, WireTimestamp, WsRequest,
};
use cexsign_local_exchange::{Account, DEFAULT_MAX_BODY_BYTES, LocalExchange, RunningExchange};

// ---------------------------------------------------------------------------------------------
// Fake credentials (AUTH.md worked examples and the rustdoc examples).

const OKX_KEY: &str = "985d5b66-57ce-40fb-b714-afc0b9787083";
const OKX_DEMO_KEY: &str = "demo-985d5b66-57ce-40fb-b714-afc0b9787083";
const KUCOIN_V1_KEY: &str = "6422da9c97b45100018c6e61";
const KUCOIN_V2_KEY: &str = "6422da9c97b45100018c6e62";
const KUCOIN_V3_KEY: &str = "6422da9c97b45100018c6e63";
const DELTA_KEY: &str = "a207900b7693435a8fa9230a38195d";
const CBE_KEY: &str = "0123456789abcdef0123456789abcdef";
const CBA_KEY: &str = "4wRFpLxVyT8hZ2Qn";
const CDP_ED_KEY: &str = "22222222-2222-4222-8222-222222222222";
const CDP_ED_SECRET: &str = "rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==";
const CDP_ES_KEY: &str =
    "organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111";
const CDP_ES_SECRET: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49
AwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR
s8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==
-----END EC PRIVATE KEY-----
";

fn okx_credentials(key: &str, passphrase: &str) -> Credentials {
    Credentials::new().api_key(key).secret("22582BD0CFF14C41EDBF1AB98506286D").passphrase(passphrase)
}
fn kucoin_credentials(key: &str, passphrase: &str) -> Credentials {
    Credentials::new().api_key(key).secret("cde06451-dbed").passphrase(passphrase)
}
fn delta_credentials(key: &str) -> Credentials {
    Credentials::new().api_key(key).secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f")
}
fn cbe_credentials(key: &str, passphrase: &str) -> Credentials {
    Credentials::new()
        .api_key(key)
        .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
        .passphrase(passphrase)
}
fn cba_credentials(key: &str) -> Credentials {
    Credentials::new().api_key(key).secret("kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA")
}
fn cdp_credentials(key: &str, secret: &str) -> Credentials {
    Credentials::new().api_key(key).secret(secret)
}

fn configured() -> LocalExchange {
    LocalExchange::new()
        .with_account(
            Account::new(Scheme::Okx, &okx_credentials(OKX_KEY, "Passphrase1!"), &KeySettings::new()).unwrap(),
        )
        .with_account(
            Account::new(Scheme::Okx, &okx_credentials(OKX_DEMO_KEY, "DemoPass1!"), &KeySettings::new().demo(true))
                .unwrap(),
        )
        .with_account(
            Account::new(
                Scheme::Kucoin,
                &kucoin_credentials(KUCOIN_V1_KEY, "1111111"),
                &KeySettings::new().key_version(1),
            )
            .unwrap(),
        )
        .with_account(
            Account::new(
                Scheme::Kucoin,
                &kucoin_credentials(KUCOIN_V2_KEY, "1111111"),
                &KeySettings::new().key_version(2),
            )
            .unwrap(),
        )
        .with_account(
            Account::new(
                Scheme::Kucoin,
                &kucoin_credentials(KUCOIN_V3_KEY, "1111111"),
                &KeySettings::new().key_version(3),
            )
            .unwrap(),
        )
        .with_account(Account::new(Scheme::Delta, &delta_credentials(DELTA_KEY), &KeySettings::new()).unwrap())
        .with_account(
            Account::new(Scheme::CoinbaseExchange, &cbe_credentials(CBE_KEY, "testpassphrase"), &KeySettings::new())
                .unwrap(),
        )
        .with_account(
            Account::new(Scheme::CoinbaseAdvancedHmac, &cba_credentials(CBA_KEY), &KeySettings::new()).unwrap(),
        )
        .with_account(
            Account::new(Scheme::CoinbaseCdp, &cdp_credentials(CDP_ED_KEY, CDP_ED_SECRET), &KeySettings::new())
                .unwrap(),
        )
        .with_account(
            Account::new(Scheme::CoinbaseCdp, &cdp_credentials(CDP_ES_KEY, CDP_ES_SECRET), &KeySettings::new())
                .unwrap(),
        )
}

async fn start() -> RunningExchange {
    configured().start().await.unwrap()
}

fn okx() -> OkxSigner {
    OkxSigner::new(&okx_credentials(OKX_KEY, "Passphrase1!"), OkxEnvironment::Live).unwrap()
}
fn okx_demo() -> OkxSigner {
    OkxSigner::new(&okx_credentials(OKX_DEMO_KEY, "DemoPass1!"), OkxEnvironment::Demo).unwrap()
}
fn kucoin(version: KucoinKeyVersion) -> KucoinSigner {
    let key = match version {
        KucoinKeyVersion::V1 => KUCOIN_V1_KEY,
        KucoinKeyVersion::V2 => KUCOIN_V2_KEY,
        KucoinKeyVersion::V3 => KUCOIN_V3_KEY,
        other => panic!("no test account for KuCoin key version {other:?}"),
    };
    KucoinSigner::new(&kucoin_credentials(key, "1111111"), version).unwrap()
}
fn delta() -> DeltaSigner {
    DeltaSigner::new(&delta_credentials(DELTA_KEY)).unwrap()
}
fn cbe() -> CoinbaseExchangeSigner {
    CoinbaseExchangeSigner::new(&cbe_credentials(CBE_KEY, "testpassphrase")).unwrap()
}
fn cba() -> CoinbaseAdvancedHmacSigner {
    CoinbaseAdvancedHmacSigner::new(&cba_credentials(CBA_KEY)).unwrap()
}
fn cdp_ed() -> CoinbaseCdpSigner {
    CoinbaseCdpSigner::new(&cdp_credentials(CDP_ED_KEY, CDP_ED_SECRET)).unwrap().with_host("127.0.0.1").unwrap()
}
fn cdp_es() -> CoinbaseCdpSigner {
    CoinbaseCdpSigner::new(&cdp_credentials(CDP_ES_KEY, CDP_ES_SECRET)).unwrap().with_host("127.0.0.1").unwrap()
}

/// One scheme's typical requests: a GET with a query and a POST with a body.
struct Case {
    name: &'static str,
    signer: Box<dyn Signer>,
    get: (&'static str, &'static str),
    post: (&'static str, &'static str),
}

fn cases() -> Vec<Case> {
    let case = |name, signer: Box<dyn Signer>, get, post| Case { name, signer, get, post };
    let okx_post = ("/api/v5/trade/order", r#"{"instId":"BTC-USDT","tdMode":"cash","side":"buy","sz":"2"}"#);
    let kucoin_get = ("/api/v1/accounts/ledgers", "currency=BTC&remark=Long-term+portfolio%21");
    let kucoin_post = ("/api/v1/orders", r#"{"symbol":"BTC-USDT","side":"buy","size":"0.0001","price":"30000"}"#);
    let cb_post = ("/api/v3/brokerage/orders", r#"{"client_order_id":"0000-1","product_id":"BTC-USD","side":"BUY"}"#);
    vec![
        case("okx live", Box::new(okx()), ("/api/v5/account/balance", "ccy=BTC"), okx_post),
        case("okx demo", Box::new(okx_demo()), ("/api/v5/account/balance", "ccy=BTC"), okx_post),
        case("kucoin v1", Box::new(kucoin(KucoinKeyVersion::V1)), kucoin_get, kucoin_post),
        case("kucoin v2", Box::new(kucoin(KucoinKeyVersion::V2)), kucoin_get, kucoin_post),
        case("kucoin v3", Box::new(kucoin(KucoinKeyVersion::V3)), kucoin_get, kucoin_post),
        case(
            "delta",
            Box::new(delta()),
            ("/v2/orders", "product_id=1&state=open"),
            ("/v2/orders", r#"{"order_type":"limit_order","size":3,"side":"buy","product_id":16}"#),
        ),
        case(
            "coinbase exchange",
            Box::new(cbe()),
            ("/orders", "status=done&limit=2"),
            ("/orders", r#"{"product_id":"BTC-USD","side":"buy","type":"limit","price":"1.0","size":"1.0"}"#),
        ),
        case("coinbase advanced", Box::new(cba()), ("/api/v3/brokerage/accounts", "limit=1"), cb_post),
        case("cdp ed25519", Box::new(cdp_ed()), ("/api/v3/brokerage/accounts", "limit=1"), cb_post),
        case("cdp es256", Box::new(cdp_es()), ("/api/v3/brokerage/accounts", "limit=1"), cb_post),
    ]
}

// ---------------------------------------------------------------------------------------------
// A raw HTTP/1.1 client.

#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    pub(crate) body: Vec<u8>,
}

impl Req {
    pub(crate) fn new(method: &str, target: &str) -> Self {
        Self { method: method.into(), target: target.into(), headers: Vec::new(), body: Vec::new() }
    }

    /// A request with the signed headers (and a User-Agent, which Delta requires).
    pub(crate) fn signed(method: Method, path: &str, query: &str, body: &str, signed: &SignedRequest) -> Self {
        let target = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
        let mut req = Self::new(method.as_str(), &target).body(body).header("user-agent", "cexsign-tests");
        for (name, value) in signed.headers() {
            req = req.header(name.as_str(), value.as_bytes());
        }
        req
    }

    pub(crate) fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers.push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    pub(crate) fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    pub(crate) fn replace(self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.without(name).header(name, value)
    }

    pub(crate) fn body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = body.as_ref().to_vec();
        self
    }

    pub(crate) fn to_bytes(&self, addr: SocketAddr, close: bool) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\nhost: {addr}\r\n", self.method, self.target).into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("content-length: {}\r\n", self.body.len()).as_bytes());
        if close {
            out.extend_from_slice(b"connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    pub(crate) async fn send(&self, exchange: &RunningExchange) -> Resp {
        let addr = exchange.local_addr();
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(&self.to_bytes(addr, true)).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        Resp::parse(&raw)
    }
}

#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Resp {
    pub(crate) fn parse(raw: &[u8]) -> Self {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no header end in {text:?}"));
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap();
                (name.trim().to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        Self { status, headers, body: body.to_owned() }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The exchange's error code: OKX/KuCoin `code`, Delta `error.code` (or `error`), Coinbase
    /// Exchange `message`, Coinbase Advanced the plain body.
    pub(crate) fn code(&self) -> String {
        let Ok(json) = serde_json::from_str::<Value>(&self.body) else {
            return self.body.clone();
        };
        let text = |v: &Value| v.as_str().map(str::to_owned);
        text(&json["code"])
            .or_else(|| text(&json["error"]["code"]))
            .or_else(|| text(&json["error"]))
            .or_else(|| text(&json["message"]))
            .unwrap_or_else(|| json.to_string())
    }

    pub(crate) fn reason(&self) -> String {
        let from_body = serde_json::from_str::<Value>(&self.body)
            .ok()
            .and_then(|json| json["cexsign_reason"].as_str().map(str::to_owned));
        from_body.or_else(|| self.header("cexsign-reason").map(str::to_owned)).unwrap_or_default()
    }
}

/// Signs `method path?query body` with `signer` at `at`.
pub(crate) fn sign(
    signer: &dyn Signer,
    method: Method,
    path: &str,
    query: &str,
    body: &str,
    at: Timestamp,
) -> SignedRequest {
    let request = SignableRequest::new(method, path).unwrap().with_query(query).unwrap().with_body(body.as_bytes());
    signer.sign(&request, at).unwrap()
}

pub(crate) fn now() -> Timestamp {
    Timestamp::now().unwrap()
}

pub(crate) fn ago(secs: u64) -> Timestamp {
    Timestamp::from_duration_since_epoch(now().duration_since_epoch() - Duration::from_secs(secs))
}

pub(crate) fn ahead(secs: u64) -> Timestamp {
    Timestamp::from_duration_since_epoch(now().duration_since_epoch() + Duration::from_secs(secs))
}

/// A signed request for a case, GET or POST, at `at`.
fn case_request(case: &Case, post: bool, at: Timestamp) -> Req {
    if post {
        let (path, body) = case.post;
        Req::signed(Method::Post, path, "", body, &sign(&*case.signer, Method::Post, path, "", body, at))
    } else {
        let (path, query) = case.get;
        Req::signed(Method::Get, path, query, "", &sign(&*case.signer, Method::Get, path, query, "", at))
    }
}

fn expected_code(scheme: Scheme, failure: &str) -> &'static str {
    match (scheme, failure) {
        (Scheme::Okx, "signature") => "50113",
        (Scheme::Okx, "expired") => "50102",
        (Scheme::Okx, "passphrase") => "50105",
        (Scheme::Okx, "unknown key") => "50111",
        (Scheme::Kucoin, "signature") => "400005",
        (Scheme::Kucoin, "expired") => "400002",
        (Scheme::Kucoin, "passphrase") => "400004",
        (Scheme::Kucoin, "unknown key") => "400003",
        (Scheme::Delta, "signature") => "Signature Mismatch",
        (Scheme::Delta, "expired") => "expired_signature",
        (Scheme::Delta, "unknown key") => "invalid_api_key",
        (Scheme::CoinbaseExchange, "signature") => "invalid signature",
        (Scheme::CoinbaseExchange, "expired") => "request timestamp expired",
        (Scheme::CoinbaseExchange, "passphrase") => "Invalid Passphrase",
        (Scheme::CoinbaseExchange, "unknown key") => "Invalid API Key",
        (Scheme::CoinbaseAdvancedHmac | Scheme::CoinbaseCdp, _) => "Unauthorized",
        other => panic!("no expectation for {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// REST: acceptance.

#[tokio::test]
async fn every_scheme_accepts_a_signed_get_with_query_and_post_with_body() {
    let exchange = start().await;
    for case in cases() {
        for post in [false, true] {
            let req = case_request(&case, post, now());
            let resp = req.send(&exchange).await;
            assert_eq!(resp.status, 200, "{} post={post}: {resp:?}", case.name);
            let json = resp.json();
            assert_eq!(json["cexsign"], "accepted");
            assert_eq!(json["scheme"], case.signer.scheme().id(), "{}", case.name);
            let (path, query, body) = if post { (case.post.0, "", case.post.1) } else { (case.get.0, case.get.1, "") };
            assert_eq!(json["path"], path);
            assert_eq!(json["query"], query);
            assert_eq!(json["method"], if post { "POST" } else { "GET" });
            assert_eq!(json["body_bytes"], body.len());
            assert!(!json["api_key"].as_str().unwrap().is_empty());
            assert!(resp.header("date").is_some(), "every response has a Date header");
        }
    }
    assert_eq!(exchange.requests_accepted(), 2 * cases().len() as u64);
    assert_eq!(exchange.requests_rejected(), 0);
    exchange.shutdown().await;
}

#[tokio::test]
async fn echo_names_the_key_and_timestamp_as_received() {
    let exchange = start().await;
    let at = now();
    let signed = sign(&okx(), Method::Get, "/api/v5/account/balance", "ccy=BTC", "", at);
    let json = Req::signed(Method::Get, "/api/v5/account/balance", "ccy=BTC", "", &signed).send(&exchange).await.json();
    assert_eq!(json["api_key"], OKX_KEY);
    assert_eq!(json["timestamp"], signed.timestamp());
    // Unknown paths are verified the same way: the local exchange has no business logic.
    let signed = sign(&okx(), Method::Get, "/no/such/endpoint", "", "", at);
    let resp =
        Req::signed(Method::Get, "/no/such/endpoint", "", "", &signed).replace("host", "x").send(&exchange).await;
    // (a Host header the client chose does not matter for HMAC schemes)
    assert_eq!(resp.status, 200, "{resp:?}");
}

#[tokio::test]
async fn coinbase_exchange_accepts_integer_and_decimal_timestamps() {
    let exchange = start().await;
    for digits in [0, 1, 3, 6, 9] {
        let signer = cbe().with_fraction_digits(digits).unwrap();
        let signed = sign(&signer, Method::Get, "/orders", "status=done", "", now());
        let resp = Req::signed(Method::Get, "/orders", "status=done", "", &signed).send(&exchange).await;
        assert_eq!(resp.status, 200, "{digits} digits: {resp:?}");
    }
}

#[tokio::test]
async fn lower_case_method_on_the_wire_is_verified_as_sent() {
    let exchange = start().await;
    let signed = sign(&okx(), Method::Delete, "/api/v5/x", "", "", now());
    let mut req = Req::signed(Method::Delete, "/api/v5/x", "", "", &signed);
    req.method = "delete".into();
    let resp = req.send(&exchange).await;
    assert_eq!(resp.status, 200, "{resp:?}");
    assert_eq!(resp.json()["method"], "delete");
    // An unknown method cannot be signed: the signature error, with the reason.
    let mut req = Req::signed(Method::Get, "/api/v5/x", "", "", &sign(&okx(), Method::Get, "/api/v5/x", "", "", now()));
    req.method = "FETCH".into();
    let resp = req.send(&exchange).await;
    assert_eq!((resp.status, resp.code().as_str()), (401, "50113"));
    assert!(resp.reason().contains("HTTP method"), "{}", resp.reason());
}

// ---------------------------------------------------------------------------------------------
// REST: rejections.

#[tokio::test]
async fn tampered_body_gives_each_exchange_invalid_signature_with_the_expected_prehash() {
    let exchange = start().await;
    for case in cases() {
        let scheme = case.signer.scheme();
        let (path, body) = case.post;
        let signed = sign(&*case.signer, Method::Post, path, "", body, now());
        // The classic: the body sent is serialised differently from the one signed.
        let tampered = body.replace(",", ", ");
        let mut req = Req::signed(Method::Post, path, "", &tampered, &signed);
        if scheme == Scheme::CoinbaseCdp {
            // A CDP token does not sign the body; it signs the method and path.
            req.target = "/api/v3/brokerage/orders/batch_cancel".into();
        }
        let resp = req.send(&exchange).await;
        assert_eq!(resp.status, 401, "{}: {resp:?}", case.name);
        assert_eq!(resp.code(), expected_code(scheme, "signature"), "{}: {resp:?}", case.name);
        assert!(!resp.reason().is_empty(), "{}", case.name);
        if scheme == Scheme::CoinbaseCdp {
            assert!(resp.reason().contains("uri"), "{}", resp.reason());
            continue;
        }
        // What the server signed: the request as received, i.e. with the tampered body.
        let wire = WireTimestamp::parse(
            scheme.exchange().rest_timestamp_accepted.unwrap_or(case.signer.rest_timestamp_format()),
            signed.timestamp(),
        )
        .unwrap();
        let request = SignableRequest::new(Method::Post, path).unwrap().with_body(tampered.as_bytes());
        let expected = case.signer.sign_at(&request, &wire, &SignOptions::new().keep_prehash()).unwrap();
        let expected = expected.prehash().unwrap().to_string();
        assert!(expected.ends_with(&tampered));
        match scheme {
            Scheme::CoinbaseAdvancedHmac => {
                assert_eq!(resp.body, "Unauthorized");
                assert_eq!(resp.header("cexsign-expected-prehash"), Some(ascii_escape(&expected).as_str()));
            }
            _ => assert_eq!(resp.json()["cexsign_expected_prehash"], expected, "{}", case.name),
        }
    }
    assert_eq!(exchange.requests_accepted(), 0);
    assert_eq!(exchange.requests_rejected(), cases().len() as u64);
}

#[tokio::test]
async fn tampered_query_and_path_are_rejected() {
    let exchange = start().await;
    for case in cases() {
        let mut req = case_request(&case, false, now());
        req.target = req.target.replace("limit=1", "limit=2").replace("ccy=BTC", "ccy=ETH");
        req.target = req.target.replace("currency=BTC", "currency=ETH").replace("product_id=1", "product_id=2");
        req.target = req.target.replace("status=done", "status=open");
        let resp = req.send(&exchange).await;
        match case.signer.scheme() {
            // The v3 HMAC scheme and CDP tokens do not sign the query.
            Scheme::CoinbaseAdvancedHmac | Scheme::CoinbaseCdp => assert_eq!(resp.status, 200, "{}", case.name),
            scheme => assert_eq!(resp.code(), expected_code(scheme, "signature"), "{}: {resp:?}", case.name),
        }
        let mut req = case_request(&case, false, now());
        req.target = req.target.replacen('/', "/x/", 1);
        let resp = req.send(&exchange).await;
        assert_eq!(resp.status, 401, "{}: {resp:?}", case.name);
    }
}

#[tokio::test]
async fn kucoin_signs_the_decoded_query() {
    let exchange = start().await;
    // Signed in the encoded form (the classic mistake): rejected, and the expected prehash shows
    // the decoded query.
    let path = "/api/v1/sub/api-key";
    let query = "apiKey=67b3&subName=test&passphrase=abc%21%40%2311";
    let signed = sign(&kucoin(KucoinKeyVersion::V3), Method::Get, path, query, "", now());
    let good = Req::signed(Method::Get, path, query, "", &signed);
    assert_eq!(good.send(&exchange).await.status, 200);
    let wrong_sign = okx_style_encoded_signature(&signed, path, query);
    let resp = good.replace("kc-api-sign", wrong_sign).send(&exchange).await;
    assert_eq!(resp.code(), "400005");
    let prehash = resp.json()["cexsign_expected_prehash"].as_str().unwrap().to_owned();
    assert!(prehash.ends_with("GET/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc!@#11"), "{prehash}");
    assert!(resp.reason().contains("DECODED"), "{}", resp.reason());
    // A malformed escape cannot be decoded: the signature error, with the reason.
    let bad = "q=100%";
    let signed = sign(&kucoin(KucoinKeyVersion::V3), Method::Get, path, "q=100", "", now());
    let resp = Req::signed(Method::Get, path, bad, "", &signed).send(&exchange).await;
    assert_eq!(resp.code(), "400005");
    assert!(resp.reason().contains("malformed percent escape"), "{}", resp.reason());
}

/// base64(HMAC(secret, ts + GET + path + ?encoded query)): what a client that forgets KuCoin's
/// decoding sends.
fn okx_style_encoded_signature(signed: &SignedRequest, path: &str, query: &str) -> String {
    let prehash = format!("{}GET{path}?{query}", signed.timestamp());
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(b"cde06451-dbed", &prehash))
}

/// HMAC-SHA256 computed apart from the crate's own MAC path, by the `hmac` crate directly.
pub(crate) fn hmac_sha256(secret: &[u8], message: &str) -> Vec<u8> {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[tokio::test]
async fn expired_timestamps_get_each_exchange_expired_error() {
    let exchange = start().await;
    for case in cases() {
        let scheme = case.signer.scheme();
        // CDP: a token whose exp (nbf + 120) has passed.
        let age = if scheme == Scheme::CoinbaseCdp { 200 } else { 40 };
        let resp = case_request(&case, false, ago(age)).send(&exchange).await;
        assert_eq!(resp.status, 401, "{}: {resp:?}", case.name);
        assert_eq!(resp.code(), expected_code(scheme, "expired"), "{}: {resp:?}", case.name);
        assert!(resp.reason().contains("behind") || resp.reason().contains("expired"), "{}", resp.reason());
        if scheme == Scheme::Delta {
            let context = &resp.json()["error"]["context"];
            assert!(context["request_time"].as_u64().unwrap() + 39 <= context["server_time"].as_u64().unwrap());
        }
        // Too far ahead is rejected too.
        let resp = case_request(&case, false, ahead(age)).send(&exchange).await;
        assert_eq!(resp.status, 401, "{} ahead: {resp:?}", case.name);
    }
}

#[tokio::test]
async fn windows_are_per_exchange() {
    let exchange = start().await;
    let status = |resp: Resp| resp.status;
    // OKX and Coinbase: 30 s; KuCoin and Delta: 5 s.
    for (case, secs, accepted) in
        [(0, 20, true), (6, 20, true), (2, 8, false), (5, 8, false), (4, 3, true), (5, 3, true)]
    {
        let case = &cases()[case];
        for at in [ago(secs), ahead(secs)] {
            let code = status(case_request(case, true, at).send(&exchange).await);
            assert_eq!(code == 200, accepted, "{} at ±{secs} s: {code}", case.name);
        }
    }
}

#[tokio::test]
async fn wrong_passphrases_are_rejected() {
    let exchange = start().await;
    let signers: Vec<(Box<dyn Signer>, &str, &str)> = vec![
        (
            Box::new(OkxSigner::new(&okx_credentials(OKX_KEY, "wrong"), OkxEnvironment::Live).unwrap()),
            "/api/v5/account/balance",
            "50105",
        ),
        (
            Box::new(KucoinSigner::new(&kucoin_credentials(KUCOIN_V3_KEY, "wrong"), KucoinKeyVersion::V3).unwrap()),
            "/api/v1/accounts",
            "400004",
        ),
        (
            Box::new(CoinbaseExchangeSigner::new(&cbe_credentials(CBE_KEY, "wrong")).unwrap()),
            "/accounts",
            "Invalid Passphrase",
        ),
    ];
    for (signer, path, code) in signers {
        let signed = sign(&*signer, Method::Get, path, "", "", now());
        let resp = Req::signed(Method::Get, path, "", "", &signed).send(&exchange).await;
        assert_eq!((resp.status, resp.code()), (401, code.to_owned()), "{resp:?}");
        // The signature itself was right: the prehash is shown all the same.
        assert!(resp.json()["cexsign_expected_prehash"].is_string());
        assert!(!resp.body.contains("Passphrase1!") && !resp.body.contains("testpassphrase"));
    }
    // KuCoin v3 key with the plain passphrase (python-kucoin's v1 form).
    let signed = sign(&kucoin(KucoinKeyVersion::V3), Method::Get, "/api/v1/accounts", "", "", now());
    let resp = Req::signed(Method::Get, "/api/v1/accounts", "", "", &signed)
        .replace("kc-api-passphrase", "1111111")
        .send(&exchange)
        .await;
    assert_eq!(resp.code(), "400004");
    assert!(resp.reason().contains("HMAC"), "{}", resp.reason());
}

#[tokio::test]
async fn kucoin_key_version_header_rules() {
    let exchange = start().await;
    let path = "/api/v1/accounts";
    for (version, header, accepted) in [
        (KucoinKeyVersion::V3, Some("3"), true),
        (KucoinKeyVersion::V3, Some("2"), true),
        (KucoinKeyVersion::V2, Some("3"), true),
        (KucoinKeyVersion::V2, Some("2"), true),
        (KucoinKeyVersion::V3, None, false),
        (KucoinKeyVersion::V2, None, false),
        (KucoinKeyVersion::V3, Some("1"), false),
        (KucoinKeyVersion::V3, Some("4"), false),
        (KucoinKeyVersion::V1, None, true),
        (KucoinKeyVersion::V1, Some("1"), true),
        (KucoinKeyVersion::V1, Some("2"), false),
    ] {
        let signed = sign(&kucoin(version), Method::Get, path, "", "", now());
        let mut req = Req::signed(Method::Get, path, "", "", &signed).without("kc-api-key-version");
        if let Some(header) = header {
            req = req.header("kc-api-key-version", header);
        }
        let resp = req.send(&exchange).await;
        if accepted {
            assert_eq!(resp.status, 200, "{version:?} {header:?}: {resp:?}");
        } else {
            assert_eq!(resp.code(), "400004", "{version:?} {header:?}: {resp:?}");
            assert!(resp.reason().contains("KC-API-KEY-VERSION"), "{}", resp.reason());
        }
    }
}

#[tokio::test]
async fn okx_environment_must_match_the_key() {
    let exchange = start().await;
    let path = "/api/v5/account/balance";
    let demo = Req::signed(Method::Get, path, "", "", &sign(&okx_demo(), Method::Get, path, "", "", now()));
    let resp = demo.clone().without("x-simulated-trading").send(&exchange).await;
    assert_eq!((resp.status, resp.code().as_str()), (401, "50101"), "{resp:?}");
    assert!(resp.reason().contains("x-simulated-trading: 1"));
    assert_eq!(demo.send(&exchange).await.status, 200);
    let live = Req::signed(Method::Get, path, "", "", &sign(&okx(), Method::Get, path, "", "", now()));
    assert_eq!(live.clone().header("x-simulated-trading", "1").send(&exchange).await.code(), "50101");
    // python-okx sends 0 for live.
    assert_eq!(live.header("x-simulated-trading", "0").send(&exchange).await.status, 200);
}

#[tokio::test]
async fn unknown_keys_get_each_exchange_unknown_key_error() {
    let exchange = start().await;
    let signers: Vec<Box<dyn Signer>> = vec![
        Box::new(OkxSigner::new(&okx_credentials("nobody", "p"), OkxEnvironment::Live).unwrap()),
        Box::new(KucoinSigner::new(&kucoin_credentials("nobody", "p"), KucoinKeyVersion::V3).unwrap()),
        Box::new(DeltaSigner::new(&delta_credentials("nobody")).unwrap()),
        Box::new(CoinbaseExchangeSigner::new(&cbe_credentials("nobody", "p")).unwrap()),
        Box::new(CoinbaseAdvancedHmacSigner::new(&cba_credentials("nobody")).unwrap()),
        Box::new(
            CoinbaseCdpSigner::new(&cdp_credentials("nobody", CDP_ED_SECRET)).unwrap().with_host("127.0.0.1").unwrap(),
        ),
    ];
    for signer in signers {
        let scheme = signer.scheme();
        let path = match scheme {
            Scheme::Okx => "/api/v5/account/balance",
            Scheme::Kucoin => "/api/v1/accounts",
            Scheme::Delta => "/v2/orders",
            Scheme::CoinbaseExchange => "/orders",
            _ => "/api/v3/brokerage/accounts",
        };
        let resp = Req::signed(Method::Get, path, "", "", &sign(&*signer, Method::Get, path, "", "", now()))
            .send(&exchange)
            .await;
        assert_eq!((resp.status, resp.code()), (401, expected_code(scheme, "unknown key").to_owned()), "{scheme:?}");
        // The key sent is never quoted back (it may be a secret): its length and the registered
        // keys are.
        assert!(!resp.reason().contains("nobody") && resp.reason().contains("6 characters"), "{}", resp.reason());
    }
    // A Coinbase Exchange key on an Advanced Trade path: the reason says where the key belongs.
    let path = "/api/v3/brokerage/accounts";
    let resp =
        Req::signed(Method::Get, path, "", "", &sign(&cbe(), Method::Get, path, "", "", now())).send(&exchange).await;
    assert_eq!(resp.body, "Unauthorized");
    assert!(resp.reason().contains("registered as a Coinbase Exchange key"), "{}", resp.reason());
}

#[tokio::test]
async fn requests_without_auth_headers_get_the_missing_header_error_by_path() {
    let exchange = start().await;
    for (path, status, code) in [
        ("/api/v5/account/balance", 401, "50103"),
        ("/api/v1/accounts", 401, "400001"),
        ("/v2/orders", 401, "unauthorized"),
        ("/api/v3/brokerage/accounts", 401, "Unauthorized"),
        ("/v2/accounts", 401, "unauthorized"),
        ("/orders", 401, "CB-ACCESS-KEY header is required"),
        ("/", 401, "CB-ACCESS-KEY header is required"),
    ] {
        let resp = Req::new("GET", path).send(&exchange).await;
        assert_eq!((resp.status, resp.code()), (status, code.to_owned()), "{path}: {resp:?}");
        assert!(resp.header("cexsign-reason").is_some(), "{path}");
    }
    if let Value::Object(body) = Req::new("GET", "/v2/orders").send(&exchange).await.json() {
        assert_eq!(body["success"], false);
    } else {
        panic!("Delta's error is an object");
    }
}

#[tokio::test]
async fn each_missing_okx_header_has_its_code() {
    let exchange = start().await;
    let path = "/api/v5/account/balance";
    let req = Req::signed(Method::Get, path, "", "", &sign(&okx(), Method::Get, path, "", "", now()));
    for (header, code) in [
        ("ok-access-key", "50103"),
        ("ok-access-passphrase", "50104"),
        ("ok-access-sign", "50106"),
        ("ok-access-timestamp", "50107"),
    ] {
        assert_eq!(req.clone().without(header).send(&exchange).await.code(), code, "{header}");
        assert_eq!(req.clone().replace(header, "").send(&exchange).await.code(), code, "{header} empty");
    }
    let resp = req.clone().replace("ok-access-timestamp", "2020-12-08 09:08:57.715Z").send(&exchange).await;
    assert_eq!(resp.code(), "50112");
    let resp = req.without("cb-access-key").without("ok-access-key").without("ok-access-passphrase");
    let resp = resp.without("ok-access-sign").without("ok-access-timestamp").send(&exchange).await;
    assert_eq!(resp.code(), "50103");
}

#[tokio::test]
async fn other_missing_headers() {
    let exchange = start().await;
    let path = "/orders";
    let cb = Req::signed(Method::Get, path, "", "", &sign(&cbe(), Method::Get, path, "", "", now()));
    let resp = cb.clone().without("cb-access-passphrase").send(&exchange).await;
    assert_eq!(resp.code(), "CB-ACCESS-PASSPHRASE header is required");
    assert!(resp.reason().contains("/api/v3/"), "{}", resp.reason());
    let resp = cb.without("cb-access-sign").send(&exchange).await;
    assert_eq!(resp.code(), "CB-ACCESS-SIGN header is required");
    let path = "/v2/orders";
    let d = Req::signed(Method::Get, path, "", "", &sign(&delta(), Method::Get, path, "", "", now()));
    assert_eq!(d.clone().without("signature").send(&exchange).await.code(), "unauthorized");
    assert_eq!(d.without("timestamp").send(&exchange).await.code(), "unauthorized");
    let path = "/api/v1/accounts";
    let k =
        Req::signed(Method::Get, path, "", "", &sign(&kucoin(KucoinKeyVersion::V3), Method::Get, path, "", "", now()));
    assert_eq!(k.without("kc-api-timestamp").send(&exchange).await.code(), "400001");
}

#[tokio::test]
async fn delta_requires_a_user_agent() {
    let exchange = start().await;
    let path = "/v2/orders";
    let req = Req::signed(Method::Get, path, "", "", &sign(&delta(), Method::Get, path, "", "", now()));
    let resp = req.clone().without("user-agent").send(&exchange).await;
    assert_eq!(resp.status, 403);
    let json = resp.json();
    assert_eq!((json["error"].as_str(), json["message"].as_str()), (Some("Forbidden"), Some("Request blocked by CDN")));
    assert!(resp.reason().contains("User-Agent"));
    assert_eq!(req.send(&exchange).await.status, 200);
    // Other exchanges do not need one.
    let path = "/api/v5/account/balance";
    let okx_req = Req::signed(Method::Get, path, "", "", &sign(&okx(), Method::Get, path, "", "", now()));
    assert_eq!(okx_req.without("user-agent").send(&exchange).await.status, 200);
}

#[tokio::test]
async fn bad_utf8_and_odd_header_values_are_rejected_not_panics() {
    let exchange = start().await;
    let path = "/api/v5/account/balance";
    let req = Req::signed(Method::Get, path, "", "", &sign(&okx(), Method::Get, path, "", "", now()));
    for (header, code) in [
        ("ok-access-key", "50111"),
        ("ok-access-timestamp", "50112"),
        ("ok-access-passphrase", "50105"),
        ("ok-access-sign", "50113"),
    ] {
        let resp = req.clone().replace(header, b"\xff\xfe\x80abc").send(&exchange).await;
        assert_eq!((resp.status, resp.code()), (401, code.to_owned()), "{header}");
    }
    // Non-UTF-8 body bytes are signed as bytes.
    let body = "{\"x\":\"\u{e9}\"}";
    let signed = sign(&okx(), Method::Post, path, "", body, now());
    let mut bytes = body.as_bytes().to_vec();
    bytes[7] = 0xff;
    let resp = Req::signed(Method::Post, path, "", body, &signed).body(&bytes).send(&exchange).await;
    assert_eq!(resp.code(), "50113");
    assert!(resp.json()["cexsign_expected_prehash"].as_str().unwrap().contains('\u{fffd}'));
    // Coinbase Advanced shows the prehash in a header, escaped to ASCII.
    let path = "/api/v3/brokerage/orders";
    let signed = sign(&cba(), Method::Post, path, "", body, now());
    let resp = Req::signed(Method::Post, path, "", "{\"x\":\"\u{e8}\"}", &signed).send(&exchange).await;
    assert_eq!(resp.body, "Unauthorized");
    assert!(resp.header("cexsign-expected-prehash").unwrap().ends_with(r#"{\"x\":\"\u00e8\"}"#), "{resp:?}");
}

// ---------------------------------------------------------------------------------------------
// Coinbase CDP tokens.

/// A token signed with the Ed25519 test key, with any header and claims.
fn forge(header: &Value, claims: &Value) -> String {
    let b64 = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let secret = base64::engine::general_purpose::STANDARD.decode(CDP_ED_SECRET).unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&secret[..32].try_into().unwrap());
    let input = format!("{}.{}", b64.encode(header.to_string()), b64.encode(claims.to_string()));
    let signature = ed25519_dalek::Signer::sign(&key, input.as_bytes()).to_bytes();
    format!("{input}.{}", b64.encode(signature))
}

fn claims(uri: Option<&str>, nbf: u64, lifetime: u64) -> Value {
    let mut claims = serde_json::json!({"sub": CDP_ED_KEY, "iss": "cdp", "nbf": nbf, "exp": nbf + lifetime});
    if let Some(uri) = uri {
        claims["uri"] = uri.into();
    }
    claims
}

fn ed_header() -> Value {
    serde_json::json!({"alg": "EdDSA", "kid": CDP_ED_KEY, "nonce": "abc", "typ": "JWT"})
}

async fn bearer(exchange: &RunningExchange, token: &str) -> Resp {
    Req::new("GET", "/api/v3/brokerage/accounts")
        .header("authorization", format!("Bearer {token}"))
        .send(exchange)
        .await
}

#[tokio::test]
async fn cdp_claims_are_checked() {
    let exchange = start().await;
    let t = now().unix_secs();
    let uri = "GET 127.0.0.1/api/v3/brokerage/accounts";
    let ok = forge(&ed_header(), &claims(Some(uri), t, 120));
    assert_eq!(bearer(&exchange, &ok).await.status, 200, "the forging helper makes valid tokens");

    let mut wrong_alg = ed_header();
    wrong_alg["alg"] = "ES256".into();
    let mut wrong_sub = claims(Some(uri), t, 120);
    wrong_sub["sub"] = "someone".into();
    let mut wrong_iss = claims(Some(uri), t, 120);
    wrong_iss["iss"] = "someone-else".into();
    // The live API takes ccxt's variants (AUTH.md §2): iss "coinbase-cloud", aud, iat, and the
    // uri as a one-element "uris" array. A "uris" array for another endpoint is still refused.
    let mut ccxt_es256 = claims(Some(uri), t, 120);
    ccxt_es256["iss"] = "coinbase-cloud".into();
    ccxt_es256["aud"] = serde_json::json!(["retail_rest_api_proxy"]);
    ccxt_es256["iat"] = serde_json::json!(t);
    let mut ccxt_eddsa = claims(None, t, 120);
    ccxt_eddsa["uris"] = serde_json::json!([uri]);
    ccxt_eddsa["aud"] = serde_json::json!(["cdp_service"]);
    for (token, what) in
        [(forge(&ed_header(), &ccxt_es256), "iss coinbase-cloud"), (forge(&ed_header(), &ccxt_eddsa), "uris")]
    {
        assert_eq!(bearer(&exchange, &token).await.status, 200, "{what}");
    }
    let mut uris = claims(None, t, 120);
    uris["uris"] = serde_json::json!(["GET 127.0.0.1/api/v3/brokerage/orders"]);
    let mut float_nbf = claims(Some(uri), t, 120);
    float_nbf["nbf"] = serde_json::json!(t as f64 + 0.5);
    for (token, reason) in [
        (forge(&wrong_alg, &claims(Some(uri), t, 120)), "alg"),
        (forge(&ed_header(), &wrong_sub), "sub"),
        (forge(&ed_header(), &wrong_iss), "iss"),
        (forge(&ed_header(), &uris), "uri"),
        (forge(&ed_header(), &float_nbf), "nbf"),
        (forge(&ed_header(), &claims(Some(&format!("{uri}?limit=1")), t, 120)), "query"),
        (forge(&ed_header(), &claims(Some("GET api.coinbase.com/api/v3/brokerage/accounts"), t, 120)), "Host"),
        (forge(&ed_header(), &claims(Some("get 127.0.0.1/api/v3/brokerage/accounts"), t, 120)), "uri"),
        (forge(&ed_header(), &claims(Some("GET 127.0.0.1/api/v3/brokerage/orders"), t, 120)), "uri"),
        (forge(&ed_header(), &claims(Some(uri), t, 121)), "lifetime"),
        (forge(&ed_header(), &claims(Some(uri), t + 2, 0)), "lifetime"),
        (forge(&ed_header(), &claims(Some(uri), t + 30, 60)), "ahead"),
        (forge(&ed_header(), &claims(Some(uri), t - 130, 120)), "expired"),
        (forge(&ed_header(), &claims(None, t, 120)), "no uri claim"),
    ] {
        let resp = bearer(&exchange, &token).await;
        assert_eq!((resp.status, resp.body.as_str()), (401, "Unauthorized"), "{reason}");
        let got = resp.header("cexsign-reason").unwrap();
        assert!(got.contains(reason), "expected {reason:?} in {got:?}");
    }
    // nbf up to 5 s ahead is tolerated.
    assert_eq!(bearer(&exchange, &forge(&ed_header(), &claims(Some(uri), t + 4, 120))).await.status, 200);
    // A signature from another key does not verify; nor does a swapped-in claims part.
    let es = sign(&cdp_es(), Method::Get, "/api/v3/brokerage/accounts", "", "", now());
    let es_token = es.header("authorization").unwrap().strip_prefix("Bearer ").unwrap().to_owned();
    let ok_parts: Vec<&str> = ok.split('.').collect();
    let es_parts: Vec<&str> = es_token.split('.').collect();
    let spliced = format!("{}.{}.{}", ok_parts[0], ok_parts[1], es_parts[2]);
    assert!(bearer(&exchange, &spliced).await.header("cexsign-reason").unwrap().contains("does not verify"));
    let spliced = format!("{}.{}.{}", ok_parts[0], es_parts[1], ok_parts[2]);
    assert_eq!(bearer(&exchange, &spliced).await.status, 401);
}

#[tokio::test]
async fn cdp_host_alias_accepts_a_production_configured_signer() {
    let production = CoinbaseCdpSigner::new(&cdp_credentials(CDP_ED_KEY, CDP_ED_SECRET)).unwrap();
    let path = "/api/v3/brokerage/accounts";
    let strict = start().await;
    let req = Req::signed(Method::Get, path, "", "", &sign(&production, Method::Get, path, "", "", now()));
    let resp = req.send(&strict).await;
    assert_eq!(resp.status, 401);
    assert!(resp.header("cexsign-reason").unwrap().contains("with_host"), "{resp:?}");
    let lenient = configured().with_cdp_host_alias("api.coinbase.com").start().await.unwrap();
    assert_eq!(req.send(&lenient).await.status, 200);
}

#[tokio::test]
async fn garbage_jwts_are_unauthorized() {
    let exchange = start().await;
    let valid = forge(&ed_header(), &claims(Some("GET 127.0.0.1/api/v3/brokerage/accounts"), now().unix_secs(), 120));
    for token in [
        "",
        "garbage",
        "a.b",
        "a.b.c",
        "a.b.c.d",
        "....",
        "!!!.@@@.###",
        "e30.e30.e30",
        "W10.W10.AAAA",
        "bnVsbA.bnVsbA.AA",
        "eyJhbGciOiJFZERTQSJ9.e30.AA",
        &valid[..valid.len() - 3],
        &format!("{valid}="),
        &valid.replace('.', ".."),
    ] {
        let resp = bearer(&exchange, token).await;
        assert_eq!((resp.status, resp.body.as_str()), (401, "Unauthorized"), "{token:?}");
        assert!(resp.header("cexsign-reason").is_some(), "{token:?}");
    }
    // Mutating every byte of a valid token never panics and never verifies (in process, through
    // the same verification the server runs).
    let verifier = configured().verifier();
    let check = |token: &str| {
        let mut headers = http::HeaderMap::new();
        headers.insert("host", http::HeaderValue::from_static("127.0.0.1"));
        let Ok(bearer) = http::HeaderValue::from_str(&format!("Bearer {token}")) else { return false };
        headers.insert("authorization", bearer);
        verifier.check_at("GET", "/api/v3/brokerage/accounts", &headers, b"", now()).status() == 200
    };
    assert!(check(&valid));
    let bytes = valid.as_bytes();
    for i in 0..bytes.len() {
        for replacement in [b'A', b'.', b'_', 0xff] {
            if bytes[i] == replacement {
                continue;
            }
            let mut mutated = bytes.to_vec();
            mutated[i] = replacement;
            let mutated = String::from_utf8_lossy(&mutated);
            if mutated != valid {
                // Base64 has slack bits in the last character of each part; those flips decode
                // to the same bytes and legitimately verify.
                let same_bytes = decode_parts(&mutated) == decode_parts(&valid);
                assert!(!check(&mutated) || same_bytes, "mutation at {i} verified: {mutated}");
            }
        }
        assert!(!check(&valid[..i]), "truncated at {i}");
    }
}

fn decode_parts(token: &str) -> Option<Vec<Vec<u8>>> {
    token.split('.').map(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok()).collect()
}

// ---------------------------------------------------------------------------------------------
// Bodies, connections, clock, lifecycle.

#[tokio::test]
async fn bodies_over_the_cap_get_413_and_the_server_keeps_serving() {
    let exchange = start().await;
    let addr = exchange.local_addr();
    let path = "/api/v5/trade/order";
    let big = vec![b'x'; DEFAULT_MAX_BODY_BYTES + 1];
    let signed = sign(&okx(), Method::Post, path, "", "", now());
    let req = Req::signed(Method::Post, path, "", "", &signed).body(&big);
    // Declared by Content-Length: refused before it is read. The writer may see a reset.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let bytes = req.to_bytes(addr, true);
    let (mut reader, mut writer) = stream.split();
    let (_, raw) = tokio::join!(async { writer.write_all(&bytes).await.is_ok() }, async {
        let mut raw = Vec::new();
        let _ = reader.read_to_end(&mut raw).await;
        raw
    });
    let resp = Resp::parse(&raw);
    assert_eq!((resp.status, resp.code().as_str()), (413, "cexsign_body_too_large"), "{resp:?}");
    assert!(resp.reason().contains("limit"));

    // Chunked, with no length given: cut off once over the cap.
    let small = configured().with_max_body_bytes(1000).start().await.unwrap();
    let addr = small.local_addr();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v2/orders HTTP/1.1\r\nhost: {addr}\r\napi-key: {DELTA_KEY}\r\nsignature: x\r\ntimestamp: 1\r\nuser-agent: t\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    let (mut reader, mut writer) = stream.split();
    let (_, raw) = tokio::join!(
        async {
            writer.write_all(head.as_bytes()).await?;
            for _ in 0..100 {
                writer.write_all(b"64\r\n").await?;
                writer.write_all(&[b'y'; 100]).await?;
                writer.write_all(b"\r\n").await?;
            }
            writer.write_all(b"0\r\n\r\n").await
        },
        async {
            let mut raw = Vec::new();
            let _ = reader.read_to_end(&mut raw).await;
            raw
        }
    );
    let resp = Resp::parse(&raw);
    assert_eq!((resp.status, resp.code().as_str()), (413, "cexsign_body_too_large"), "{resp:?}");
    // Exactly at the cap is fine.
    let body = format!("{{\"p\":\"{}\"}}", "z".repeat(992));
    assert_eq!(body.len(), 1000);
    let signed = sign(&delta(), Method::Post, "/v2/orders", "", &body, now());
    assert_eq!(Req::signed(Method::Post, "/v2/orders", "", &body, &signed).send(&small).await.status, 200);

    // Both servers still answer.
    let signed = sign(&okx(), Method::Post, path, "", "{}", now());
    assert_eq!(Req::signed(Method::Post, path, "", "{}", &signed).send(&exchange).await.status, 200);
    assert!(exchange.requests_rejected() >= 1);
}

#[tokio::test]
async fn server_time_endpoints_have_each_exchange_shape() {
    let exchange = start().await;
    let before = now().unix_millis() as u64;
    let get = |path: &'static str| {
        let exchange = &exchange;
        async move {
            let resp = Req::new("GET", path).send(exchange).await;
            assert_eq!(resp.status, 200, "{path}");
            assert_eq!(resp.header("content-type"), Some("application/json"));
            assert!(resp.header("date").is_some());
            resp.json()
        }
    };
    let okx = get("/api/v5/public/time").await;
    assert_eq!((okx["code"].as_str(), okx["msg"].as_str()), (Some("0"), Some("")));
    let ms: u64 = okx["data"][0]["ts"].as_str().unwrap().parse().unwrap();
    let kucoin = get("/api/v1/timestamp").await;
    assert_eq!((kucoin["code"].as_str(), kucoin["msg"].as_str()), (Some("200000"), Some("success")));
    let kucoin_ms = kucoin["data"].as_u64().unwrap();
    let cb = get("/api/v3/brokerage/time").await;
    let cb_s: u64 = cb["epochSeconds"].as_str().unwrap().parse().unwrap();
    let cb_ms: u64 = cb["epochMillis"].as_str().unwrap().parse().unwrap();
    assert!(cb["iso"].as_str().unwrap().ends_with('Z') && cb["iso"].as_str().unwrap().len() == 20);
    let v2 = get("/v2/time").await;
    let v2_s = v2["data"]["epoch"].as_u64().unwrap();
    assert!(v2["data"]["iso"].is_string());
    let exchange_time = get("/time").await;
    let epoch = exchange_time["epoch"].as_f64().unwrap();
    assert!(exchange_time["iso"].as_str().unwrap().len() == 24);
    let delta = get("/v2/settings").await;
    assert_eq!(delta["success"], true);
    let micros = delta["result"]["server_time"].as_u64().unwrap();
    let after = now().unix_millis() as u64;
    for (name, value) in [
        ("okx", ms),
        ("kucoin", kucoin_ms),
        ("cb ms", cb_ms),
        ("cb s", cb_s * 1000),
        ("v2", v2_s * 1000),
        ("exchange", (epoch * 1000.0) as u64),
        ("delta", micros / 1000),
    ] {
        assert!(value + 1000 >= before && value <= after, "{name}: {value} not in {before}..{after}");
    }
    // Only GET; a POST to a time path is an ordinary (unsigned) request.
    assert_eq!(Req::new("POST", "/api/v5/public/time").send(&exchange).await.code(), "50103");
}

#[tokio::test]
async fn clock_offset_moves_server_time_and_windows() {
    let exchange = configured().with_clock_offset_millis(3_600_000).start().await.unwrap();
    let resp = Req::new("GET", "/api/v1/timestamp").send(&exchange).await;
    let server_ms = resp.json()["data"].as_u64().unwrap();
    let local_ms = now().unix_millis() as u64;
    assert!(server_ms.abs_diff(local_ms + 3_600_000) < 2000, "{server_ms} vs {local_ms}");
    let path = "/api/v5/account/balance";
    let fresh = || Req::signed(Method::Get, path, "", "", &sign(&okx(), Method::Get, path, "", "", now()));
    let resp = fresh().send(&exchange).await;
    assert_eq!(resp.code(), "50102");
    assert!(resp.reason().contains("behind the server clock"), "{}", resp.reason());
    // A bot that syncs to the server's clock is accepted.
    let synced = Timestamp::from_unix_millis(server_ms);
    let req = Req::signed(Method::Get, path, "", "", &sign(&okx(), Method::Get, path, "", "", synced));
    assert_eq!(req.send(&exchange).await.status, 200);
    exchange.set_clock_offset_millis(-200_000);
    assert_eq!(exchange.clock_offset_millis(), -200_000);
    assert!(exchange.server_time() < now());
    // Server behind: a CDP token's nbf is in its future.
    let signed = sign(&cdp_ed(), Method::Get, "/api/v3/brokerage/accounts", "", "", now());
    let resp = Req::signed(Method::Get, "/api/v3/brokerage/accounts", "", "", &signed).send(&exchange).await;
    assert!(resp.header("cexsign-reason").unwrap().contains("ahead of the server clock"), "{resp:?}");
    exchange.set_clock_offset_millis(0);
    assert_eq!(fresh().send(&exchange).await.status, 200);
}

/// One keep-alive connection reading exactly one response per request.
struct KeepAlive {
    stream: BufReader<TcpStream>,
    addr: SocketAddr,
}

impl KeepAlive {
    async fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Self { stream: BufReader::new(stream), addr }
    }

    async fn send(&mut self, req: &Req) -> Resp {
        self.stream.get_mut().write_all(&req.to_bytes(self.addr, false)).await.unwrap();
        let mut head = Vec::new();
        loop {
            let mut line = Vec::new();
            self.stream.read_until(b'\n', &mut line).await.unwrap();
            assert!(!line.is_empty(), "connection closed");
            head.extend_from_slice(&line);
            if line == b"\r\n" {
                break;
            }
        }
        let mut resp = Resp::parse(&head);
        let length: usize = resp.header("content-length").unwrap().parse().unwrap();
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.unwrap();
        resp.body = String::from_utf8(body).unwrap();
        resp
    }
}

// A multi-thread runtime, as bots use: the server runs on the worker threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_connection_serves_sequential_requests() {
    let exchange = start().await;
    let mut connection = KeepAlive::connect(exchange.local_addr()).await;
    let signer = okx();
    let path = "/api/v5/account/balance";
    let count = 1000;
    let started = Instant::now();
    for i in 0..count {
        let query = format!("ccy=BTC&n={i}");
        let signed = sign(&signer, Method::Get, path, &query, "", now());
        let resp = connection.send(&Req::signed(Method::Get, path, &query, "", &signed)).await;
        assert_eq!(resp.status, 200, "{resp:?}");
    }
    let elapsed = started.elapsed();
    // Interleaved rejections do not close the connection.
    let resp = connection.send(&Req::new("GET", path)).await;
    assert_eq!(resp.code(), "50103");
    let resp = connection.send(&Req::new("GET", "/api/v5/public/time")).await;
    assert_eq!(resp.status, 200);
    assert_eq!(exchange.requests_accepted(), count);
    assert_eq!(exchange.requests_rejected(), 1);
    assert_eq!(exchange.requests_served(), count + 2);
    eprintln!(
        "{count} signed + verified requests on one connection: {:.1} us each",
        elapsed.as_secs_f64() * 1e6 / count as f64
    );
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let exchange = start().await;
    let addr = exchange.local_addr();
    assert_eq!(exchange.base_url(), format!("http://{addr}"));
    assert!(addr.ip().is_loopback() && addr.port() != 0);
    let open = KeepAlive::connect(addr).await;
    exchange.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err(), "no longer accepting");
    let mut rest = Vec::new();
    let mut stream = open.stream.into_inner();
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut rest)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "open connections are closed: {read:?}");

    let dropped = start().await;
    let addr = dropped.local_addr();
    drop(dropped);
    let deadline = Instant::now() + Duration::from_secs(2);
    while TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting after drop");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn cexsign_paths_are_reserved() {
    let exchange = start().await;
    let resp = Req::new("GET", "/cexsign/ws/okx").send(&exchange).await;
    assert_eq!(resp.status, 405);
    let resp = Req::new("GET", "/cexsign/other").send(&exchange).await;
    assert_eq!(resp.status, 404);
    assert!(resp.reason().contains("/cexsign/ws/"));
}

// ---------------------------------------------------------------------------------------------
// Websocket logins over HTTP.

pub(crate) async fn ws(exchange: &RunningExchange, id: &str, message: &str) -> Resp {
    Req::new("POST", &format!("/cexsign/ws/{id}")).body(message).send(exchange).await
}

pub(crate) fn ws_message(signer: &dyn Signer, request: &WsRequest<'_>, at: Timestamp) -> String {
    signer.sign_ws(request, at).unwrap().message_json().to_owned()
}

#[tokio::test]
async fn ws_logins_are_accepted() {
    let exchange = start().await;
    let subscribe = WsRequest::subscribe(&["level2"], &["BTC-USD", "ETH-USD"]);
    let resp = ws(&exchange, "okx", &ws_message(&okx(), &WsRequest::login(), now())).await;
    assert_eq!(resp.json(), serde_json::json!({"event": "login", "code": "0", "msg": "", "connId": "local"}));
    let resp = ws(&exchange, "okx", &ws_message(&okx_demo(), &WsRequest::login(), now())).await;
    assert_eq!(resp.status, 200);
    let resp = ws(&exchange, "delta", &ws_message(&delta(), &WsRequest::login(), now())).await;
    assert_eq!(
        resp.json(),
        serde_json::json!({"type": "key-auth", "success": true, "status_code": 200, "status": "authenticated"})
    );
    let old = delta().with_ws_auth_type(cexsign::DeltaWsAuthType::Auth);
    let resp = ws(&exchange, "delta", &ws_message(&old, &WsRequest::login(), now())).await;
    assert_eq!(resp.json()["type"], "auth");
    let resp =
        ws(&exchange, "coinbase_exchange", &ws_message(&cbe(), &WsRequest::subscribe(&["full"], &["BTC-USD"]), now()))
            .await;
    assert_eq!(
        resp.json(),
        serde_json::json!({"type": "subscriptions", "channels": [{"name": "full", "product_ids": ["BTC-USD"]}]})
    );
    let decimal = cbe().with_fraction_digits(3).unwrap();
    assert_eq!(ws(&exchange, "coinbase_exchange", &ws_message(&decimal, &subscribe, now())).await.status, 200);
    let resp = ws(&exchange, "coinbase_advanced_hmac", &ws_message(&cba(), &subscribe, now())).await;
    assert_eq!(resp.status, 200, "{resp:?}");
    assert_eq!(resp.json()["events"][0]["subscriptions"]["level2"], serde_json::json!(["BTC-USD", "ETH-USD"]));
    for signer in [cdp_ed(), cdp_es()] {
        let resp = ws(
            &exchange,
            "coinbase_cdp_jwt",
            &ws_message(&signer, &WsRequest::subscribe(&["user"], &["BTC-USD"]), now()),
        )
        .await;
        assert_eq!(resp.status, 200, "{resp:?}");
        assert_eq!(resp.json()["channel"], "subscriptions");
        let resp = ws(&exchange, "coinbase_cdp_jwt", &ws_message(&signer, &WsRequest::login(), now())).await;
        assert_eq!(resp.status, 200, "{resp:?}");
    }
    // OKX's ws timestamp may be a bare integer (python-okx).
    let message: Value = serde_json::from_str(&ws_message(&okx(), &WsRequest::login(), now())).unwrap();
    let mut numeric = message.clone();
    numeric["args"][0]["timestamp"] = message["args"][0]["timestamp"].as_str().unwrap().parse::<u64>().unwrap().into();
    assert_eq!(ws(&exchange, "okx", &numeric.to_string()).await.status, 200);
    assert_eq!(exchange.requests_accepted(), 12);
}

/// Replaces a string field (by JSON pointer) of a message.
pub(crate) fn edit(message: &str, pointer: &str, value: &str) -> String {
    let mut json: Value = serde_json::from_str(message).unwrap();
    *json.pointer_mut(pointer).unwrap() = value.into();
    json.to_string()
}

#[tokio::test]
async fn ws_logins_are_rejected_in_each_exchange_shape() {
    let exchange = start().await;
    let okx_login = ws_message(&okx(), &WsRequest::login(), now());
    for (message, code) in [
        (edit(&okx_login, "/args/0/sign", "AAAA"), "60007"),
        (ws_message(&okx(), &WsRequest::login(), ago(40)), "60006"),
        (edit(&okx_login, "/args/0/passphrase", "wrong"), "60024"),
        (edit(&okx_login, "/args/0/apiKey", "nobody"), "60005"),
        (edit(&okx_login, "/args/0/timestamp", "2020-12-08T09:08:57.715Z"), "60004"),
        (edit(&okx_login, "/op", "subscribe"), "60012"),
    ] {
        let resp = ws(&exchange, "okx", &message).await;
        let json = resp.json();
        assert_eq!((json["event"].as_str(), json["code"].as_str()), (Some("error"), Some(code)), "{resp:?}");
        assert!(json["cexsign_reason"].is_string());
    }
    let bad_sign = ws(&exchange, "okx", &edit(&okx_login, "/args/0/sign", "AAAA")).await;
    assert_eq!(bad_sign.status, 401);
    assert!(bad_sign.json()["cexsign_expected_prehash"].as_str().unwrap().ends_with("GET/users/self/verify"));

    let delta_login = ws_message(&delta(), &WsRequest::login(), now());
    for (message, status_code, error) in [
        (edit(&delta_login, "/payload/signature", "00"), 401, "invalid_signature"),
        (ws_message(&delta(), &WsRequest::login(), ago(10)), 408, "request_expired"),
        (edit(&delta_login, "/payload/api-key", "nobody"), 404, "api_key_not_found"),
        (edit(&delta_login, "/payload/api-key", ""), 400, "incomplete_payload"),
    ] {
        let resp = ws(&exchange, "delta", &message).await;
        let json = resp.json();
        assert_eq!(json["success"], false);
        assert_eq!(
            (json["status_code"].as_u64(), json["error"].as_str()),
            (Some(status_code), Some(error)),
            "{resp:?}"
        );
    }

    let subscribe = WsRequest::subscribe(&["level2"], &["BTC-USD"]);
    let cbe_message = ws_message(&cbe(), &subscribe, now());
    let cba_message = ws_message(&cba(), &subscribe, now());
    let cdp_message = ws_message(&cdp_ed(), &subscribe, now());
    let rest_token = sign(&cdp_ed(), Method::Get, "/api/v3/brokerage/accounts", "", "", now());
    let rest_token = rest_token.header("authorization").unwrap()[7..].to_owned();
    for (id, message, reason) in [
        ("coinbase_exchange", edit(&cbe_message, "/signature", "AAAA"), "signature"),
        ("coinbase_exchange", edit(&cbe_message, "/passphrase", "wrong"), "passphrase"),
        ("coinbase_exchange", ws_message(&cbe(), &subscribe, ago(40)), "behind"),
        ("coinbase_exchange", edit(&cbe_message, "/key", "nobody"), "no Coinbase Exchange account is registered"),
        ("coinbase_advanced_hmac", edit(&cba_message, "/signature", "00"), "signature"),
        // The channel and products are signed.
        ("coinbase_advanced_hmac", edit(&cba_message, "/channel", "user"), "signature"),
        ("coinbase_advanced_hmac", edit(&cba_message, "/product_ids/0", "ETH-USD"), "signature"),
        ("coinbase_advanced_hmac", ws_message(&cba(), &subscribe, ahead(40)), "ahead"),
        ("coinbase_cdp_jwt", edit(&cdp_message, "/jwt", "garbage"), "three"),
        ("coinbase_cdp_jwt", edit(&cdp_message, "/jwt", &rest_token), "uri"),
        ("coinbase_cdp_jwt", ws_message(&cdp_ed(), &subscribe, ago(200)), "expired"),
    ] {
        let resp = ws(&exchange, id, &message).await;
        assert_eq!(resp.status, 401, "{id} {reason}: {resp:?}");
        let json = resp.json();
        assert_eq!((json["type"].as_str(), json["message"].as_str()), (Some("error"), Some("authentication failure")));
        let got = json["cexsign_reason"].as_str().unwrap();
        assert!(got.contains(reason), "{id}: expected {reason:?} in {got:?}");
    }
}

#[tokio::test]
async fn ws_endpoint_refuses_malformed_messages() {
    let exchange = start().await;
    for (id, body) in [
        ("okx", "not json"),
        ("okx", "[]"),
        ("okx", r#"{"op":"login","args":[]}"#),
        ("okx", r#"{"op":"login","args":[{"apiKey":5}]}"#),
        ("delta", "\u{ff}\u{fe}"),
        ("delta", r#"{"type":"key-auth"}"#),
        ("delta", r#"{"type":"nope","payload":{}}"#),
        ("coinbase_exchange", r#"{"type":"subscribe","channels":[1]}"#),
        ("coinbase_exchange", r#"{"type":"subscribe"}"#),
        ("coinbase_advanced_hmac", r#"{"type":"subscribe","channel":"x","product_ids":[1]}"#),
        ("coinbase_cdp_jwt", r#"{"jwt":null}"#),
        ("coinbase_cdp_jwt", "{}"),
    ] {
        let resp = ws(&exchange, id, body).await;
        assert_eq!(resp.status, 400, "{id} {body}: {resp:?}");
        assert!(resp.json()["cexsign_reason"].is_string());
    }
    let resp = ws(&exchange, "kucoin", "{}").await;
    assert_eq!(resp.status, 404);
    assert!(resp.reason().contains("bullet-private"));
    let resp = ws(&exchange, "no-such-exchange", "{}").await;
    assert_eq!(resp.status, 404);
    assert!(resp.reason().contains("coinbase_cdp_jwt") && resp.reason().contains("gate"), "{}", resp.reason());
    let big = "x".repeat(DEFAULT_MAX_BODY_BYTES + 10);
    let resp = ws(&exchange, "okx", &big).await;
    assert_eq!((resp.status, resp.json()["event"].as_str(), resp.code().as_str()), (413, Some("error"), "60012"));
    assert!(resp.reason().contains("limit"));
}

#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<LocalExchange>();
    send_sync::<RunningExchange>();
    send_sync::<Account>();
}

#[test]
fn accounts_read_their_key_from_the_signer() {
    let account =
        Account::new(Scheme::Okx, &okx_credentials(OKX_KEY, "Passphrase1!"), &KeySettings::new().demo(true)).unwrap();
    assert_eq!((account.scheme(), account.api_key()), (Scheme::Okx, OKX_KEY));
    assert!(account.passphrase_matches("Passphrase1!") && !account.passphrase_matches("Passphrase1"));
    let v3 =
        Account::new(Scheme::Kucoin, &kucoin_credentials(KUCOIN_V3_KEY, "1111111"), &KeySettings::new().key_version(3))
            .unwrap();
    assert!(v3.passphrase_matches("rl1Ki0WuwidRT48JnoGQo+AJ4UtZ6mQEKt6F5XYVnT4="));
    assert!(!v3.passphrase_matches("1111111"));
    let es =
        Account::new(Scheme::CoinbaseCdp, &cdp_credentials(CDP_ES_KEY, CDP_ES_SECRET), &KeySettings::new()).unwrap();
    assert_eq!((es.scheme(), es.api_key()), (Scheme::CoinbaseCdp, CDP_ES_KEY));
    // The account verifies with the key's public key: an uncompressed P-256 point (65 bytes) or
    // an Ed25519 key (32); the CDP acceptance tests above exercise it.
    assert_eq!(CoinbaseCdpSigner::new(&cdp_credentials(CDP_ES_KEY, CDP_ES_SECRET)).unwrap().public_key().len(), 65);
    let ed =
        Account::new(Scheme::CoinbaseCdp, &cdp_credentials(CDP_ED_KEY, CDP_ED_SECRET), &KeySettings::new()).unwrap();
    assert_eq!((ed.scheme(), ed.api_key()), (Scheme::CoinbaseCdp, CDP_ED_KEY));
    assert_eq!(CoinbaseCdpSigner::new(&cdp_credentials(CDP_ED_KEY, CDP_ED_SECRET)).unwrap().public_key().len(), 32);
    assert!(!ed.passphrase_matches(""));
    let debug = format!("{:?}", configured());
    assert!(!debug.contains("Passphrase1!") && !debug.contains("cde06451") && !debug.contains("MHcCAQEE"), "{debug}");
    assert!(Account::new(Scheme::Delta, &Credentials::new().api_key("k"), &KeySettings::new()).is_err());
}

// ---------------------------------------------------------------------------------------------
// cexsign_diagnosis: the mistake named in the rejection.

/// The diagnosis of a rejection: the body's `cexsign_diagnosis`, or the `cexsign-diagnosis`
/// header (Coinbase Advanced answers a plain `Unauthorized`).
pub(crate) fn diagnosis_of(resp: &Resp) -> Value {
    let from_body = serde_json::from_str::<Value>(&resp.body).ok().map(|json| json["cexsign_diagnosis"].clone());
    match from_body {
        Some(value) if !value.is_null() => value,
        _ => {
            let header = resp.header("cexsign-diagnosis").unwrap_or_else(|| panic!("no diagnosis in {resp:?}"));
            let text: String = serde_json::from_str(&format!("\"{header}\"")).unwrap();
            serde_json::from_str(&text).unwrap()
        }
    }
}

fn assert_diagnosed(resp: &Resp, verdict: &str, mistake: Option<&str>, what: &str) {
    assert_eq!(resp.status / 100, 4, "{what}: {resp:?}");
    let diagnosis = diagnosis_of(resp);
    assert_eq!(diagnosis["verdict"], verdict, "{what}: {diagnosis}");
    assert_eq!(diagnosis["mistake"].as_str(), mistake, "{what}: {diagnosis}");
    assert!(diagnosis["explanation"].as_str().is_some_and(|e| !e.is_empty()), "{what}: {diagnosis}");
    assert!(diagnosis.get("expected_prehash").is_none(), "{what}: the prehash is cexsign_expected_prehash");
}

#[tokio::test]
async fn rejections_carry_the_diagnosis_of_the_mistake() {
    let exchange = start().await;

    // OKX: JSON re-serialised with spaces after signing.
    let (path, body) = ("/api/v5/trade/order", r#"{"instId":"BTC-USDT","side":"buy","sz":"2"}"#);
    let signed = sign(&okx(), Method::Post, path, "", body, now());
    let resp = Req::signed(Method::Post, path, "", body, &signed)
        .body(r#"{"instId": "BTC-USDT", "side": "buy", "sz": "2"}"#)
        .send(&exchange)
        .await;
    assert_diagnosed(&resp, "mistake", Some("body-reserialized"), "okx body");

    // OKX: a demo key without the demo header.
    let signed = sign(&okx_demo(), Method::Get, "/api/v5/account/balance", "", "", now());
    let resp = Req::signed(Method::Get, "/api/v5/account/balance", "", "", &signed)
        .without("x-simulated-trading")
        .send(&exchange)
        .await;
    assert_diagnosed(&resp, "mistake", Some("okx-demo-header-missing"), "okx demo");

    // KuCoin: the version header dropped for a v3 key; the encoded query signed.
    let signed = sign(&kucoin(KucoinKeyVersion::V3), Method::Get, "/api/v1/accounts", "", "", now());
    let resp = Req::signed(Method::Get, "/api/v1/accounts", "", "", &signed)
        .without("kc-api-key-version")
        .send(&exchange)
        .await;
    assert_diagnosed(&resp, "mistake", Some("kucoin-key-version-mismatch"), "kucoin version");
    let (path, query) = ("/api/v1/sub/api-key", "apiKey=67b3&subName=test&passphrase=abc%21%40%2311");
    let signed = sign(&kucoin(KucoinKeyVersion::V3), Method::Get, path, query, "", now());
    let resp = Req::signed(Method::Get, path, query, "", &signed)
        .replace("kc-api-sign", okx_style_encoded_signature(&signed, path, query))
        .send(&exchange)
        .await;
    assert_diagnosed(&resp, "mistake", Some("query-signed-encoded"), "kucoin encoded query");

    // Delta: the query re-encoded after signing (%2C sent as ,).
    let signed = sign(&delta(), Method::Get, "/v2/orders", "product_ids=27%2C139&state=open", "", now());
    let resp =
        Req::signed(Method::Get, "/v2/orders", "product_ids=27,139&state=open", "", &signed).send(&exchange).await;
    assert_diagnosed(&resp, "mistake", Some("query-encoding-differs"), "delta query");

    // Coinbase Exchange: the query sorted after signing; a wrong passphrase.
    let signed = sign(&cbe(), Method::Get, "/orders", "status=done&limit=2", "", now());
    let resp = Req::signed(Method::Get, "/orders", "limit=2&status=done", "", &signed).send(&exchange).await;
    assert_diagnosed(&resp, "mistake", Some("query-order-differs"), "cbe order");
    let resp = Req::signed(Method::Get, "/orders", "status=done&limit=2", "", &signed)
        .replace("cb-access-passphrase", "trading-password")
        .send(&exchange)
        .await;
    assert_diagnosed(&resp, "mistake", Some("passphrase-wrong"), "cbe passphrase");

    // Coinbase Advanced: a correct signature, 90 s old: the clock.
    let signed = sign(&cba(), Method::Get, "/api/v3/brokerage/accounts", "", "", ago(90));
    let resp = Req::signed(Method::Get, "/api/v3/brokerage/accounts", "", "", &signed).send(&exchange).await;
    assert_eq!(resp.body, "Unauthorized");
    assert_diagnosed(&resp, "correct", None, "cba expired");
    assert!(diagnosis_of(&resp)["explanation"].as_str().unwrap().contains("window"));

    // Coinbase CDP: a token built for another endpoint.
    let t = now().unix_secs();
    let token = forge(&ed_header(), &claims(Some("GET 127.0.0.1/api/v3/brokerage/orders"), t, 120));
    assert_diagnosed(&bearer(&exchange, &token).await, "mistake", Some("jwt-uri-other-endpoint"), "cdp uri");
    let token = forge(&ed_header(), &claims(Some("GET 127.0.0.1/api/v3/brokerage/accounts?limit=1"), t, 120));
    assert_diagnosed(&bearer(&exchange, &token).await, "mistake", Some("jwt-uri-has-query"), "cdp query");

    // A key-handling mistake: the server keeps the raw fake secret it was given, so it names it
    // as `cexsign diagnose` does (an HMAC keyed with the API key).
    let swapped = Credentials::new().api_key(DELTA_KEY).secret(DELTA_KEY);
    let signed = sign(&DeltaSigner::new(&swapped).unwrap(), Method::Get, "/v2/orders", "", "", now());
    let resp = Req::signed(Method::Get, "/v2/orders", "", "", &signed).send(&exchange).await;
    assert_diagnosed(&resp, "mistake", Some("key-secret-swapped"), "delta swapped");

    // Nothing to diagnose without a registered key.
    let signed = sign(&delta(), Method::Get, "/v2/orders", "", "", now());
    let resp =
        Req::signed(Method::Get, "/v2/orders", "", "", &signed).replace("api-key", "nobody").send(&exchange).await;
    assert_eq!(resp.status, 401);
    assert!(resp.json().get("cexsign_diagnosis").is_none() && resp.header("cexsign-diagnosis").is_none());
}

#[tokio::test]
async fn websocket_rejections_carry_the_diagnosis() {
    let exchange = start().await;
    // OKX login with a hex signature.
    let login = okx().sign_ws(&WsRequest::login(), now()).unwrap();
    let mac = base64::engine::general_purpose::STANDARD.decode(login.signature()).unwrap();
    let message = edit(login.message_json(), "/args/0/sign", &hex::encode(mac));
    let resp = ws(&exchange, "okx", &message).await;
    assert_diagnosed(&resp, "mistake", Some("hex-instead-of-base64"), "okx ws hex");
    // Delta key-auth with a correct signature but an old timestamp.
    let old = ws_message(&delta(), &WsRequest::login(), ago(60));
    assert_diagnosed(&ws(&exchange, "delta", &old).await, "correct", None, "delta ws expired");
    // A CDP websocket token with a uri claim.
    let t = now().unix_secs();
    let token = forge(&ed_header(), &claims(Some("GET 127.0.0.1/api/v3/brokerage/accounts"), t, 120));
    let resp = ws(&exchange, "coinbase_cdp_jwt", &serde_json::json!({"jwt": token}).to_string()).await;
    assert_diagnosed(&resp, "unknown", None, "cdp ws uri");
}

/// A header value as the local exchange writes it: printable ASCII kept, `"` and `\\` escaped,
/// anything else as `\\uXXXX` UTF-16 units (written here apart from the server's own).
fn ascii_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// An account describes itself by its exchange's name and, where the home lists key variants,
/// the key's own.
#[test]
fn an_account_describes_its_key_variant() {
    let described = |scheme: Scheme, credentials: &Credentials, settings: &KeySettings| {
        Account::new(scheme, credentials, settings).unwrap().describe()
    };
    let okx = okx_credentials("k", "p");
    assert_eq!(described(Scheme::Okx, &okx, &KeySettings::new()), "OKX (live)");
    assert_eq!(described(Scheme::Okx, &okx, &KeySettings::new().demo(true)), "OKX (demo)");
    let kucoin = kucoin_credentials("k", "p");
    assert_eq!(described(Scheme::Kucoin, &kucoin, &KeySettings::new()), "KuCoin (v3)");
    assert_eq!(described(Scheme::Kucoin, &kucoin, &KeySettings::new().key_version(1)), "KuCoin (v1)");
    assert_eq!(described(Scheme::Delta, &delta_credentials("k"), &KeySettings::new()), "Delta Exchange");
}
