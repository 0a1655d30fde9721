//! The local exchange for Binance, Bybit, Kraken, Bitget and Gate: requests signed by the
//! crate's signers accepted over real HTTP, every rejection path in each exchange's shape, the
//! websocket checks, the server-time endpoints, and every conformance vector of
//! `tests/vectors` (and the worked examples of AUTH-more.md) verified at its own timestamp.
//!
//! Expected values come from the vectors, the exchanges' documentation or are rebuilt here from
//! the request's parts; never from the server's own output.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Req, Resp, ago, ahead, now, sign, ws, ws_message};
use cexsign::server_time::ServerTime;
use cexsign::{
    BinanceKeyType, BinanceSigner, BitgetSigner, BybitKeyType, BybitSigner, Credentials, GateSigner, KeySettings,
    KrakenSigner, Method, Scheme, SignedRequest, Signer, Timestamp, TimestampFormat, WireTimestamp, WsRequest,
};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange, Verifier};

// ---------------------------------------------------------------------------------------------
// Fake credentials: those of the conformance vectors (random fakes), read from the files.

const BINANCE_VECTORS: &str = include_str!("../../../../tests/vectors/binance.json");
const BYBIT_VECTORS: &str = include_str!("../../../../tests/vectors/bybit.json");
const KRAKEN_VECTORS: &str = include_str!("../../../../tests/vectors/kraken.json");
const BITGET_VECTORS: &str = include_str!("../../../../tests/vectors/bitget.json");
const GATE_VECTORS: &str = include_str!("../../../../tests/vectors/gate.json");
const ALL_VECTORS: [&str; 5] = [BINANCE_VECTORS, BYBIT_VECTORS, KRAKEN_VECTORS, BITGET_VECTORS, GATE_VECTORS];

fn vectors(file: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(file).unwrap();
    doc["vectors"].as_array().unwrap().clone()
}

fn credentials_of(credentials: &Value) -> Credentials {
    let mut out = Credentials::new()
        .api_key(credentials["api_key"].as_str().unwrap())
        .secret(credentials["secret"].as_str().unwrap());
    if let Some(passphrase) = credentials["passphrase"].as_str() {
        out = out.passphrase(passphrase);
    }
    out
}

/// The credentials of the first vector of `file` with this key type (any, if `None`).
fn fake(file: &str, key_type: Option<&str>) -> (Credentials, String) {
    let vector =
        vectors(file).into_iter().find(|v| key_type.is_none_or(|kind| v["credentials"]["key_type"] == kind)).unwrap();
    (credentials_of(&vector["credentials"]), vector["credentials"]["api_key"].as_str().unwrap().to_owned())
}

fn binance_kind(kind: BinanceKeyType) -> &'static str {
    match kind {
        BinanceKeyType::Hmac => "HMAC",
        BinanceKeyType::Ed25519 => "Ed25519",
        BinanceKeyType::Rsa => "RSA",
        _ => unreachable!("the vectors have HMAC, Ed25519 and RSA keys"),
    }
}

fn binance_credentials(kind: BinanceKeyType) -> Credentials {
    fake(BINANCE_VECTORS, Some(binance_kind(kind))).0
}
fn bybit_credentials(kind: BybitKeyType) -> Credentials {
    fake(BYBIT_VECTORS, Some(if kind == BybitKeyType::Hmac { "HMAC" } else { "RSA" })).0
}
fn binance(kind: BinanceKeyType) -> BinanceSigner {
    BinanceSigner::new(&binance_credentials(kind), kind).unwrap()
}
pub(super) fn bybit(kind: BybitKeyType) -> BybitSigner {
    BybitSigner::new(&bybit_credentials(kind), kind).unwrap()
}
fn kraken() -> KrakenSigner {
    KrakenSigner::new(&fake(KRAKEN_VECTORS, None).0).unwrap()
}
pub(super) fn bitget() -> BitgetSigner {
    BitgetSigner::new(&fake(BITGET_VECTORS, None).0).unwrap()
}
pub(super) fn gate() -> GateSigner {
    GateSigner::new(&fake(GATE_VECTORS, None).0).unwrap()
}

fn key(file: &str, key_type: Option<&str>) -> String {
    fake(file, key_type).1
}

fn configured() -> LocalExchange {
    with_accounts(LocalExchange::new())
}

/// `exchange` with the fake accounts of these five exchanges.
pub(super) fn with_accounts(mut exchange: LocalExchange) -> LocalExchange {
    for kind in [BinanceKeyType::Hmac, BinanceKeyType::Ed25519, BinanceKeyType::Rsa] {
        exchange = exchange.with_account(
            Account::new(Scheme::Binance, &binance_credentials(kind), &KeySettings::new().key_type(kind.name()))
                .unwrap(),
        );
    }
    for kind in [BybitKeyType::Hmac, BybitKeyType::Rsa] {
        exchange = exchange.with_account(
            Account::new(Scheme::Bybit, &bybit_credentials(kind), &KeySettings::new().key_type(kind.name())).unwrap(),
        );
    }
    exchange
        .with_account(Account::new(Scheme::Kraken, &fake(KRAKEN_VECTORS, None).0, &KeySettings::new()).unwrap())
        .with_account(Account::new(Scheme::Bitget, &fake(BITGET_VECTORS, None).0, &KeySettings::new()).unwrap())
        .with_account(Account::new(Scheme::Gate, &fake(GATE_VECTORS, None).0, &KeySettings::new()).unwrap())
}

async fn start() -> RunningExchange {
    configured().start().await.unwrap()
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// What a request body is, for its Content-Type.
fn content_type(body: &[u8]) -> Option<&'static str> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => None,
        Some(b'{' | b'[') => Some("application/json"),
        Some(_) => Some("application/x-www-form-urlencoded"),
    }
}

/// The request to send for `signed`: its auth headers, and the query or body the scheme signed
/// inside (Binance's parameters) or added to (Kraken's nonce).
fn wire(method: Method, path: &str, query: &str, body: &[u8], signed: &SignedRequest) -> Req {
    let query = signed.wire_query().unwrap_or(query);
    let body = signed.wire_body().unwrap_or(body);
    let mut req = Req::signed(method, path, query, "", signed).body(body);
    if let Some(kind) = content_type(body) {
        req = req.header("content-type", kind);
    }
    req
}

/// Signs and builds the request at `at`.
fn signed(signer: &dyn Signer, method: Method, path: &str, query: &str, body: &str, at: Timestamp) -> Req {
    wire(method, path, query, body.as_bytes(), &sign(signer, method, path, query, body, at))
}

fn millis_after(at: Timestamp, millis: u64) -> Timestamp {
    Timestamp::from_duration_since_epoch(at.duration_since_epoch() + Duration::from_millis(millis))
}

/// The first character of a signature changed to another hex digit (a valid character in hex
/// and base64 alike, so only the value is wrong).
fn tamper(signature: &str) -> String {
    let replacement = if signature.starts_with('0') { "1" } else { "0" };
    format!("{replacement}{}", &signature[1..])
}

/// A header value of a request being built.
fn header_of(req: &Req, name: &str) -> String {
    let (_, value) = req.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).unwrap();
    String::from_utf8(value.clone()).unwrap()
}

/// A body of at least 4 KB: a JSON batch of orders.
fn batch_json(min_len: usize) -> String {
    let mut orders = Vec::new();
    let mut i = 0;
    loop {
        let price = format!("{}.5", 30000 + i);
        let id = format!("vg-{i:04}");
        orders.push(json!({"symbol": "BTCUSDT", "side": "Buy", "qty": "0.001", "price": price, "orderLinkId": id}));
        let body = json!({"category": "linear", "request": orders}).to_string();
        if body.len() >= min_len {
            return body;
        }
        i += 1;
    }
}

/// `text` percent-encoded for a form value (everything but unreserved characters).
fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Checks one request with an in-process verifier at a fixed server clock.
fn check(verifier: &Verifier, req: &Req, now: Timestamp) -> Resp {
    let mut headers = http::HeaderMap::new();
    for (name, value) in &req.headers {
        headers.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(value).unwrap(),
        );
    }
    let response = verifier.check_at(&req.method, &req.target, &headers, &req.body, now);
    Resp {
        status: response.status().as_u16(),
        headers: response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
            .collect(),
        body: response.body().clone(),
    }
}

fn assert_accepted(resp: &Resp, scheme: Scheme, what: &str) {
    assert_eq!(resp.status, 200, "{what}: {resp:?}");
    let json = resp.json();
    assert_eq!((json["cexsign"].as_str(), json["scheme"].as_str()), (Some("accepted"), Some(scheme.id())), "{what}");
}

/// Binance's `{"code": <int>, "msg"}`.
fn binance_code(resp: &Resp) -> (u16, i64) {
    (resp.status, resp.json()["code"].as_i64().unwrap_or_else(|| panic!("no Binance code in {resp:?}")))
}

/// Bybit's `{"retCode": <int>, "retMsg", "result", "retExtInfo", "time"}`.
fn bybit_code(resp: &Resp) -> (u16, i64) {
    let json = resp.json();
    assert!(json["result"].is_object() && json["retExtInfo"].is_object() && json["time"].is_u64(), "{resp:?}");
    (resp.status, json["retCode"].as_i64().unwrap_or_else(|| panic!("no retCode in {resp:?}")))
}

/// Kraken's `{"error": ["…"]}` (HTTP 200).
fn kraken_error(resp: &Resp) -> String {
    assert_eq!(resp.status, 200, "Kraken answers errors with HTTP 200: {resp:?}");
    let json = resp.json();
    let errors = json["error"].as_array().unwrap_or_else(|| panic!("no error array in {resp:?}"));
    assert_eq!(errors.len(), 1, "{resp:?}");
    errors[0].as_str().unwrap().to_owned()
}

/// Bitget's `{"code": "<5 digits>", "msg", "requestTime", "data": null}`.
fn bitget_code(resp: &Resp) -> (u16, String) {
    let json = resp.json();
    assert!(json["requestTime"].is_u64() && json["data"].is_null() && json["msg"].is_string(), "{resp:?}");
    (resp.status, json["code"].as_str().unwrap().to_owned())
}

/// Gate's `{"label", "message"}`.
fn gate_label(resp: &Resp) -> (u16, String) {
    let json = resp.json();
    assert!(json["message"].is_string(), "{resp:?}");
    (resp.status, json["label"].as_str().unwrap_or_else(|| panic!("no label in {resp:?}")).to_owned())
}

// ---------------------------------------------------------------------------------------------
// Acceptance: the crate's signers, over real HTTP.

/// One signer and the requests a bot sends with it.
struct Case {
    name: &'static str,
    signer: Box<dyn Signer>,
    requests: Vec<(Method, &'static str, &'static str, String)>,
}

fn cases() -> Vec<Case> {
    let big_json = batch_json(4096);
    let big_form = format!("batchOrders={}", form_encode(&batch_json(4096)));
    assert!(big_json.len() >= 4096 && big_form.len() >= 4096);
    let binance_requests = || {
        vec![
            (
                Method::Get,
                "/api/v3/openOrders",
                "symbol=%E5%B8%81%E5%AE%89USDT&origClientOrderId=vg%3A2024-06-01%2F5665&recvWindow=5000",
                String::new(),
            ),
            (Method::Delete, "/api/v3/order", "symbol=BTCUSDT&orderId=5236660369", String::new()),
            (
                Method::Post,
                "/api/v3/order",
                "",
                "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.0015&price=64250.5".to_owned(),
            ),
            (Method::Post, "/api/v3/userDataStream", "", String::new()),
            (Method::Post, "/fapi/v1/batchOrders", "", big_form.clone()),
        ]
    };
    let bybit_requests = || {
        vec![
            (Method::Get, "/v5/order/history", "category=spot&limit=50&cursor=132818%3A1%2C132818%3A1", String::new()),
            (
                Method::Post,
                "/v5/order/create",
                "",
                r#"{"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "30000", "orderLinkId": "龙-1"}"#.to_owned(),
            ),
            (Method::Post, "/v5/account/upgrade-to-uta", "", String::new()),
            (Method::Post, "/v5/order/create-batch", "", big_json.clone()),
        ]
    };
    let kraken_requests = vec![
        (Method::Post, "/0/private/Balance", "", String::new()),
        (
            Method::Post,
            "/0/private/AddOrder",
            "",
            "ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25&oflags=post%2Cfciq".to_owned(),
        ),
        (
            Method::Post,
            "/0/private/CancelOrderBatch",
            "",
            r#"{"orders": ["OG5V2Y-RYKVL-DT3V3B", "OP3TRO-MDQG7-2Q6XX2"]}"#.to_owned(),
        ),
        (Method::Post, "/0/private/AddOrderBatch", "", big_json.clone()),
        (Method::Post, "/0/private/Withdraw", "", format!("nonce=9{}&asset=XBT&key=my%20wallet", now().unix_millis())),
    ];
    let bitget_requests = vec![
        (
            Method::Get,
            "/api/v2/mix/account/account",
            "marginCoin=USDT&productType=USDT-FUTURES&symbol=%E9%BE%99%E8%99%BEUSDT",
            String::new(),
        ),
        (
            Method::Post,
            "/api/v2/spot/trade/place-order",
            "",
            r#"{"symbol":"BTCUSDT","side":"buy","orderType":"limit","force":"gtc","price":"30000","size":"0.001","clientOid":"vg:0001"}"#
                .to_owned(),
        ),
        (Method::Post, "/api/v2/spot/trade/cancel-symbol-order", "", String::new()),
        (Method::Post, "/api/v2/spot/trade/batch-orders", "", big_json.clone()),
    ];
    let gate_requests = vec![
        (Method::Get, "/api/v4/spot/batch_fee", "currency_pairs=BTC_USDT%2CETH_USDT", String::new()),
        (Method::Get, "/api/v4/spot/my_trades", "currency_pair=BTC_USDT&text=t-vg+2024-06-08%2012%3A30", String::new()),
        (
            Method::Post,
            "/api/v4/spot/orders",
            "",
            r#"{"text":"t-vg","currency_pair":"BTC_USDT","type":"limit","side":"buy","amount":"0.001","price":"30000"}"#
                .to_owned(),
        ),
        (Method::Delete, "/api/v4/spot/orders/261599740185", "currency_pair=BTC_USDT", String::new()),
        (Method::Post, "/api/v4/spot/batch_orders", "", big_json.clone()),
    ];
    vec![
        Case { name: "binance hmac", signer: Box::new(binance(BinanceKeyType::Hmac)), requests: binance_requests() },
        Case {
            name: "binance ed25519",
            signer: Box::new(binance(BinanceKeyType::Ed25519)),
            requests: binance_requests(),
        },
        Case { name: "binance rsa", signer: Box::new(binance(BinanceKeyType::Rsa)), requests: binance_requests() },
        Case { name: "bybit hmac", signer: Box::new(bybit(BybitKeyType::Hmac)), requests: bybit_requests() },
        Case { name: "bybit rsa", signer: Box::new(bybit(BybitKeyType::Rsa)), requests: bybit_requests() },
        Case { name: "kraken", signer: Box::new(kraken()), requests: kraken_requests },
        Case { name: "bitget", signer: Box::new(bitget()), requests: bitget_requests },
        Case { name: "gate", signer: Box::new(gate()), requests: gate_requests },
    ]
}

#[tokio::test]
async fn binance_bybit_kraken_bitget_gate_accept_what_their_signers_sign() {
    let exchange = start().await;
    let mut sent = 0;
    for case in cases() {
        let scheme = case.signer.scheme();
        let start = now();
        for (i, (method, path, query, body)) in case.requests.iter().enumerate() {
            // Kraken's nonces must increase: one millisecond apart.
            let at = millis_after(start, i as u64);
            let req = signed(&*case.signer, *method, path, query, body, at);
            let resp = req.send(&exchange).await;
            let what = format!("{} {method} {path}", case.name);
            assert_accepted(&resp, scheme, &what);
            let json = resp.json();
            let (wire_path, wire_query) = req.target.split_once('?').unwrap_or((&req.target, ""));
            assert_eq!((json["method"].as_str(), json["path"].as_str()), (Some(method.as_str()), Some(wire_path)));
            assert_eq!(json["query"], wire_query, "{what}");
            assert_eq!(json["body_bytes"], req.body.len(), "{what}");
            sent += 1;
        }
    }
    assert_eq!(exchange.requests_accepted(), sent);
    assert_eq!(exchange.requests_rejected(), 0);
}

#[tokio::test]
async fn binance_signature_and_timestamp_are_wherever_the_payload_is() {
    let exchange = start().await;
    let signer = binance(BinanceKeyType::Hmac);
    // Microsecond timestamps and a recvWindow with decimals.
    let micro = binance(BinanceKeyType::Hmac).with_microsecond_timestamps();
    let resp = signed(&micro, Method::Get, "/api/v3/account", "recvWindow=6000.346", "", now()).send(&exchange).await;
    assert_accepted(&resp, Scheme::Binance, "microseconds");
    assert_eq!(resp.json()["timestamp"].as_str().unwrap().len(), 16);
    // Upper-case hex: Binance's HMAC signatures are not case-sensitive.
    let req = signed(&signer, Method::Get, "/api/v3/account", "omitZeroBalances=true", "", now());
    let (path, query) = req.target.split_once('?').unwrap();
    let (head, signature) = query.rsplit_once("&signature=").unwrap();
    let mut upper = req.clone();
    upper.target = format!("{path}?{head}&signature={}", signature.to_ascii_uppercase());
    assert_accepted(&upper.send(&exchange).await, Scheme::Binance, "upper-case hex");
    // Mixed layout (Binance's third docs example): some parameters in the query, the rest and
    // the signature in the body; the payload is query + body joined with nothing.
    let request = cexsign::SignableRequest::new(Method::Post, "/api/v3/order")
        .unwrap()
        .with_query("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC")
        .unwrap()
        .with_body(b"quantity=1&price=0.1");
    let signed_mixed = signer.sign(&request, now()).unwrap();
    assert!(signed_mixed.wire_body().is_some() && signed_mixed.wire_query().is_none());
    let req = wire(
        Method::Post,
        "/api/v3/order",
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
        b"quantity=1&price=0.1",
        &signed_mixed,
    );
    assert_accepted(&req.send(&exchange).await, Scheme::Binance, "mixed query and body");
}

// ---------------------------------------------------------------------------------------------
// Binance rejections.

#[tokio::test]
async fn binance_rejections() {
    let exchange = start().await;
    let signer = binance(BinanceKeyType::Hmac);
    let get = |at| signed(&signer, Method::Get, "/api/v3/account", "omitZeroBalances=true", "", at);

    // A wrong signature: -1022, HTTP 400, and the payload the server signed.
    let req = get(now());
    let (path, query) = req.target.split_once('?').unwrap();
    let (head, signature) = query.rsplit_once("&signature=").unwrap();
    let mut bad = req.clone();
    bad.target = format!("{path}?{head}&signature={}", tamper(signature));
    let resp = bad.send(&exchange).await;
    assert_eq!(binance_code(&resp), (400, -1022), "{resp:?}");
    assert_eq!(resp.json()["msg"], "Signature for this request is not valid.");
    assert_eq!(resp.json()["cexsign_expected_prehash"], head, "the payload is the query without the signature");

    // The signature not last: moved before another parameter.
    let mut moved = req.clone();
    moved.target = format!("{path}?signature={signature}&{head}");
    let resp = moved.send(&exchange).await;
    assert_eq!(binance_code(&resp), (400, -1022));
    assert!(resp.reason().contains("last"), "{}", resp.reason());

    // No signature at all, an empty one, and no timestamp: -1102 naming the parameter.
    let mut none = req.clone();
    none.target = format!("{path}?{head}");
    let resp = none.send(&exchange).await;
    assert_eq!(binance_code(&resp), (400, -1102));
    assert!(resp.json()["msg"].as_str().unwrap().contains("'signature'"), "{resp:?}");
    let mut empty = req.clone();
    empty.target = format!("{path}?{head}&signature=");
    assert_eq!(binance_code(&empty.send(&exchange).await), (400, -1102));
    let mut no_timestamp = req.clone();
    no_timestamp.target = format!("{path}?omitZeroBalances=true&signature={signature}");
    let resp = no_timestamp.send(&exchange).await;
    assert_eq!(binance_code(&resp), (400, -1102));
    assert!(resp.json()["msg"].as_str().unwrap().contains("'timestamp'"), "{resp:?}");

    // Keys: missing header and malformed key -2014 (401), a well-formed unknown one -2015 (401).
    assert_eq!(binance_code(&req.clone().without("x-mbx-apikey").send(&exchange).await), (401, -2014));
    assert_eq!(binance_code(&req.clone().replace("x-mbx-apikey", "not-a-key").send(&exchange).await), (401, -2014));
    let unknown = "A".repeat(64);
    let resp = req.clone().replace("x-mbx-apikey", &unknown).send(&exchange).await;
    assert_eq!(binance_code(&resp), (401, -2015));
    assert_eq!(resp.json()["msg"], "Invalid API-key, IP, or permissions for action.");

    // Time: 6 s old with the default 5000 ms window; 2 s ahead; a wider window accepts the first.
    let resp = get(ago(6)).send(&exchange).await;
    assert_eq!(binance_code(&resp), (400, -1021));
    assert_eq!(resp.json()["msg"], "Timestamp for this request is outside of the recvWindow.");
    let resp = get(ahead(2)).send(&exchange).await;
    assert_eq!(binance_code(&resp), (400, -1021));
    assert_eq!(resp.json()["msg"], "Timestamp for this request was 1000ms ahead of the server's time.");
    assert_accepted(&get(ago(3)).send(&exchange).await, Scheme::Binance, "3 s old");
    assert_accepted(&get(millis_after(now(), 500)).send(&exchange).await, Scheme::Binance, "0.5 s ahead");
    let wide = binance(BinanceKeyType::Hmac).with_recv_window(Duration::from_millis(10_000)).unwrap();
    let resp = signed(&wide, Method::Get, "/api/v3/account", "", "", ago(6)).send(&exchange).await;
    assert_accepted(&resp, Scheme::Binance, "recvWindow 10000, 6 s old");
    // recvWindow above 60000: -1131.
    let resp = signed(&signer, Method::Get, "/api/v3/account", "recvWindow=60001", "", now()).send(&exchange).await;
    assert_eq!(binance_code(&resp), (400, -1131));

    // Query and body joined with & in the payload (a classic): the signature is wrong.
    let body = "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1";
    let query = "newOrderRespType=ACK";
    let sent = signed(&signer, Method::Post, "/api/v3/order", query, body, now());
    let sent_body = String::from_utf8(sent.body.clone()).unwrap();
    let (payload, _) = sent_body.rsplit_once("&signature=").unwrap();
    let joined = hex::encode(super::hmac_sha256(
        b"GIsDpAoelnXNYpEyVK9SHKjGt06JjNQCisCeuMxRIEUweq4DoLSOMkS0Zd6TKSe1",
        &format!("{query}&{payload}"),
    ));
    let resp = sent.clone().body(format!("{payload}&signature={joined}")).send(&exchange).await;
    assert_eq!(binance_code(&resp), (400, -1022));
    assert_eq!(resp.json()["cexsign_expected_prehash"], format!("{query}{payload}"));
    assert_accepted(&sent.send(&exchange).await, Scheme::Binance, "query + body signed with nothing between");
}

#[tokio::test]
async fn binance_base64_signatures_must_be_percent_encoded() {
    let exchange = start().await;
    let signer = binance(BinanceKeyType::Ed25519);
    // Find a signature with a '+' in it (about one in three).
    let mut at = now();
    let (req, signature) = loop {
        let req = signed(&signer, Method::Get, "/api/v3/account", "recvWindow=5000", "", at);
        let raw = sign(&signer, Method::Get, "/api/v3/account", "recvWindow=5000", "", at).signature().to_owned();
        if raw.contains('+') {
            break (req, raw);
        }
        at = millis_after(at, 1);
    };
    assert!(req.target.contains("%2B") && !req.target.contains('+'), "the signer encodes it: {}", req.target);
    assert_accepted(&req.send(&exchange).await, Scheme::Binance, "encoded base64");
    // The same signature put on the URL raw: its '+' arrives as a space.
    let (head, _) = req.target.rsplit_once("&signature=").unwrap();
    let mut raw = req.clone();
    raw.target = format!("{head}&signature={signature}");
    let resp = raw.send(&exchange).await;
    assert_eq!(binance_code(&resp), (400, -1022));
    assert!(resp.reason().contains("%2B"), "{}", resp.reason());
    // Base64 signatures are case-sensitive.
    let mut lower = req.clone();
    let (head, tail) = req.target.rsplit_once("&signature=").unwrap();
    lower.target = format!("{head}&signature={}", tail.to_ascii_lowercase());
    assert_eq!(binance_code(&lower.send(&exchange).await), (400, -1022));
}

// ---------------------------------------------------------------------------------------------
// Bybit rejections.

#[tokio::test]
async fn bybit_rejections() {
    let exchange = start().await;
    let signer = bybit(BybitKeyType::Hmac);
    let key = key(BYBIT_VECTORS, Some("HMAC"));
    let query = "category=linear&symbol=BTCUSDT";
    let get = |at| signed(&signer, Method::Get, "/v5/order/realtime", query, "", at);

    // A wrong signature: retCode 10004 (HTTP 200), the message echoing what the server signed.
    let req = get(now());
    let timestamp = header_of(&req, "x-bapi-timestamp");
    let resp = req.clone().replace("x-bapi-sign", tamper(&header_of(&req, "x-bapi-sign"))).send(&exchange).await;
    assert_eq!(bybit_code(&resp), (200, 10004));
    assert_eq!(resp.json()["retMsg"], format!("error sign! origin_string[{timestamp}{key}5000{query}]"));
    assert_eq!(resp.json()["cexsign_expected_prehash"], format!("{timestamp}{key}5000{query}"));

    // The query sent in another order than signed.
    let mut reordered = req.clone();
    reordered.target = "/v5/order/realtime?symbol=BTCUSDT&category=linear".into();
    let resp = reordered.send(&exchange).await;
    assert_eq!(bybit_code(&resp), (200, 10004));
    assert_eq!(
        resp.json()["retMsg"],
        format!("error sign! origin_string[{timestamp}{key}5000symbol=BTCUSDT&category=linear]")
    );

    // X-BAPI-RECV-WINDOW differing from the recv_window signed: 10004 with the header's window.
    let resp = req.clone().replace("x-bapi-recv-window", "20000").send(&exchange).await;
    assert_eq!(bybit_code(&resp), (200, 10004));
    assert_eq!(resp.json()["cexsign_expected_prehash"], format!("{timestamp}{key}20000{query}"));
    // A window that is not a number: 10001.
    assert_eq!(bybit_code(&req.clone().replace("x-bapi-recv-window", "5s").send(&exchange).await), (200, 10001));
    // No window header: Bybit's default 5000, which is what was signed.
    assert_accepted(&req.clone().without("x-bapi-recv-window").send(&exchange).await, Scheme::Bybit, "default 5000");

    // Keys: unknown or missing, 10003 with HTTP 401.
    let resp = req.clone().replace("x-bapi-api-key", "nobody").send(&exchange).await;
    assert_eq!(bybit_code(&resp), (401, 10003));
    // The key sent is never quoted back (it may be a secret).
    assert!(!resp.reason().contains("nobody") && resp.reason().contains("6 characters"), "{}", resp.reason());
    assert_eq!(bybit_code(&req.clone().without("x-bapi-api-key").send(&exchange).await), (401, 10003));
    assert_eq!(bybit_code(&req.clone().without("x-bapi-sign").send(&exchange).await), (200, 10004));
    assert_eq!(bybit_code(&req.clone().without("x-bapi-timestamp").send(&exchange).await), (200, 10002));
    assert_eq!(bybit_code(&req.clone().replace("x-bapi-timestamp", "1700000000").send(&exchange).await).1, 10002);

    // Time: server_time - recv_window <= timestamp < server_time + 1000.
    let resp = get(ago(6)).send(&exchange).await;
    assert_eq!(bybit_code(&resp), (200, 10002));
    let message = resp.json()["retMsg"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("invalid request, please check your server timestamp or recv_window param. req_timestamp[")
            && message.ends_with(",recv_window[5000]"),
        "{message}"
    );
    assert_eq!(bybit_code(&get(ahead(2)).send(&exchange).await), (200, 10002));
    assert_accepted(&get(ago(4)).send(&exchange).await, Scheme::Bybit, "4 s old");
    assert_accepted(&get(millis_after(now(), 500)).send(&exchange).await, Scheme::Bybit, "0.5 s ahead");
    // A 20 s window, signed and sent: 10 s old is accepted.
    let wide = bybit(BybitKeyType::Hmac).with_recv_window(Duration::from_secs(20)).unwrap();
    let resp = signed(&wide, Method::Get, "/v5/order/realtime", query, "", ago(10)).send(&exchange).await;
    assert_accepted(&resp, Scheme::Bybit, "recv_window 20000, 10 s old");

    // POST: the body re-serialised after signing (AUTH-more.md's negative example shape).
    let body = r#"{"category": "option"}"#;
    let post = signed(&signer, Method::Post, "/v5/order/create", "", body, now());
    let resp = post.clone().body(r#"{"category":"option"}"#).send(&exchange).await;
    assert_eq!(bybit_code(&resp), (200, 10004));
    let timestamp = header_of(&post, "x-bapi-timestamp");
    assert_eq!(
        resp.json()["retMsg"],
        format!(r#"error sign! origin_string[{timestamp}{key}5000{{"category":"option"}}]"#)
    );
}

/// Binance reads parameters from the query and a form body only: a body sent as JSON, or one that
/// is JSON, is not read, so the parameters it carries are missing (-1102) and the reason says why.
#[tokio::test]
async fn binance_does_not_read_a_json_body() {
    let exchange = start().await;
    let signer = binance(BinanceKeyType::Hmac);
    let form = signed(&signer, Method::Post, "/api/v3/order", "", "symbol=BTCUSDT&side=BUY", now());
    assert_accepted(&form.clone().send(&exchange).await, Scheme::Binance, "a signed form body");

    let signed_form = String::from_utf8(form.body.clone()).unwrap();
    let as_json = form.clone().replace("content-type", "application/json");
    let json_appended = form.clone().body(format!(r#"{{"symbol":"BTCUSDT","side":"BUY"}}&{}"#, &signed_form[24..]));
    for (req, what) in [(as_json, "a form sent as application/json"), (json_appended, "JSON with the params appended")]
    {
        let resp = req.send(&exchange).await;
        assert_eq!(binance_code(&resp), (400, -1102), "{what}: {resp:?}");
        assert!(resp.reason().contains("the body is JSON, which Binance does not read"), "{what}: {}", resp.reason());
    }
}

// ---------------------------------------------------------------------------------------------
// Kraken rejections.

#[tokio::test]
async fn kraken_rejections() {
    let exchange = start().await;
    // Each request by a fresh signer, so that its nonce is its instant exactly (one signer
    // makes its nonces strictly increase): what is tested here is the server's nonce rule.
    let path = "/0/private/AddOrder";
    let body = "ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25";
    let base = now();
    let at = |i| millis_after(base, i);

    // A wrong signature: HTTP 200, EAPI:Invalid signature; it does not use up the nonce.
    let req = signed(&kraken(), Method::Post, path, "", body, at(1));
    let bad = req.clone().replace("api-sign", tamper(&header_of(&req, "api-sign")));
    let resp = bad.send(&exchange).await;
    assert_eq!(kraken_error(&resp), "EAPI:Invalid signature");
    let nonce = base.unix_millis() + 1;
    assert_eq!(resp.json()["cexsign_expected_prehash"], format!("{nonce}nonce={nonce}&{body}"));
    assert_accepted(&req.send(&exchange).await, Scheme::Kraken, "first use of the nonce");

    // The same nonce again, and a smaller one: EAPI:Invalid nonce.
    let resp = req.send(&exchange).await;
    assert_eq!(kraken_error(&resp), "EAPI:Invalid nonce");
    assert!(resp.reason().contains(&nonce.to_string()), "{}", resp.reason());
    let older = signed(&kraken(), Method::Post, path, "", body, at(0));
    assert_eq!(kraken_error(&older.send(&exchange).await), "EAPI:Invalid nonce");
    // A larger one still works.
    assert_accepted(
        &signed(&kraken(), Method::Post, path, "", body, at(2)).send(&exchange).await,
        Scheme::Kraken,
        "+1",
    );

    // Keys: unknown or missing, EAPI:Invalid key; a missing API-Sign, EAPI:Invalid signature.
    let req = signed(&kraken(), Method::Post, path, "", body, at(10));
    let resp = req.clone().replace("api-key", "nobody").send(&exchange).await;
    assert_eq!(kraken_error(&resp), "EAPI:Invalid key");
    assert_eq!(kraken_error(&req.clone().without("api-key").send(&exchange).await), "EAPI:Invalid key");
    assert_eq!(kraken_error(&req.clone().without("api-sign").send(&exchange).await), "EAPI:Invalid signature");

    // The body re-encoded after signing (%2C sent as ,).
    let comma = "ordertype=limit&pair=XBTUSD&oflags=post%2Cfciq";
    let req = signed(&kraken(), Method::Post, path, "", comma, at(11));
    let body_sent = String::from_utf8(req.body.clone()).unwrap().replace("%2C", ",");
    assert_eq!(kraken_error(&req.clone().body(body_sent).send(&exchange).await), "EAPI:Invalid signature");

    // A JSON body sent as a form: no nonce can be read.
    let json_body = r#"{"orders":["OG5V2Y-RYKVL-DT3V3B"]}"#;
    let req = signed(&kraken(), Method::Post, "/0/private/CancelOrderBatch", "", json_body, at(12));
    let resp = req.clone().replace("content-type", "application/x-www-form-urlencoded").send(&exchange).await;
    assert_eq!(kraken_error(&resp), "EAPI:Invalid nonce");
    assert!(resp.reason().contains("application/json"), "{}", resp.reason());
    assert_accepted(&req.send(&exchange).await, Scheme::Kraken, "JSON body");
    // No nonce at all.
    let resp = req.clone().body(r#"{"orders":[]}"#).send(&exchange).await;
    assert_eq!(kraken_error(&resp), "EAPI:Invalid nonce");

    // After a 1e8-scale nonce (python-kraken-sdk's), milliseconds are too small.
    let big_nonce = format!("nonce={}00000&{body}", base.unix_millis());
    let req = signed(&kraken(), Method::Post, path, "", &big_nonce, at(13));
    assert_accepted(&req.send(&exchange).await, Scheme::Kraken, "1e8-scale nonce");
    let resp = signed(&kraken(), Method::Post, path, "", body, at(14)).send(&exchange).await;
    assert_eq!(kraken_error(&resp), "EAPI:Invalid nonce");
}

/// A nonce far ahead of any clock (u64::MAX) is refused instead of recorded: recorded, it would
/// lock the key for the life of the server. Nanosecond nonces, the finest scale clients use, pass.
#[tokio::test]
async fn a_kraken_nonce_far_ahead_of_the_clock_does_not_lock_the_key() {
    let exchange = start().await;
    let signer = kraken();
    let path = "/0/private/Balance";
    let base = now();
    for nonce in [u64::MAX, u64::MAX / 2] {
        let resp = signed(&signer, Method::Post, path, "", &format!("nonce={nonce}"), base).send(&exchange).await;
        assert_eq!(kraken_error(&resp), "EAPI:Invalid nonce", "{nonce}");
        assert!(resp.reason().contains("would lock the key"), "{}", resp.reason());
    }
    // The key still takes millisecond nonces, then a nanosecond one.
    let resp = signed(&signer, Method::Post, path, "", "", millis_after(base, 1)).send(&exchange).await;
    assert_accepted(&resp, Scheme::Kraken, "milliseconds after a refused u64::MAX");
    let nanos = base.unix_millis() * 1_000_000 + 5;
    let resp = signed(&signer, Method::Post, path, "", &format!("nonce={nanos}"), base).send(&exchange).await;
    assert_accepted(&resp, Scheme::Kraken, "nanoseconds");
}

// ---------------------------------------------------------------------------------------------
// Bitget and Gate rejections.

#[tokio::test]
async fn bitget_rejections() {
    let exchange = start().await;
    let signer = bitget();
    let path = "/api/v2/spot/trade/unfilled-orders";
    let query = "limit=100&symbol=BTCUSDT";
    let req = signed(&signer, Method::Get, path, query, "", now());
    let code = |resp: Resp| bitget_code(&resp);

    let resp = req.clone().replace("access-sign", tamper(&header_of(&req, "access-sign"))).send(&exchange).await;
    let timestamp = header_of(&req, "access-timestamp");
    assert_eq!(resp.json()["cexsign_expected_prehash"], format!("{timestamp}GET{path}?{query}"));
    assert_eq!(code(resp), (400, "40009".to_owned()));
    assert_eq!(code(req.clone().replace("access-key", "bg_nobody").send(&exchange).await), (400, "40006".into()));
    let resp = req.clone().replace("access-passphrase", "trading-password").send(&exchange).await;
    assert!(!resp.body.contains("qgfqGQbpPP#N1O"), "the passphrase is never echoed");
    assert_eq!(code(resp), (400, "40012".into()));
    for (header, expected) in [
        ("access-key", "40001"),
        ("access-sign", "40003"),
        ("access-passphrase", "40011"),
        ("access-timestamp", "40005"),
    ] {
        assert_eq!(code(req.clone().without(header).send(&exchange).await).1, expected, "without {header}");
    }
    assert_eq!(code(req.clone().replace("access-timestamp", "1700000000.5").send(&exchange).await).1, "40005");
    // 30 s either way.
    let get = |at| signed(&signer, Method::Get, path, query, "", at);
    assert_eq!(code(get(ago(40)).send(&exchange).await), (400, "40008".into()));
    assert_eq!(code(get(ahead(40)).send(&exchange).await), (400, "40008".into()));
    assert_accepted(&get(ago(20)).send(&exchange).await, Scheme::Bitget, "20 s old");
    // The classic: the percent-encoded query signed (ccxt issue 28888).
    let path = "/api/v2/spot/trade/orderInfo";
    let req = signed(&signer, Method::Get, path, "clientOid=vg%3A2024%3A1", "", now());
    assert_accepted(&req.send(&exchange).await, Scheme::Bitget, "decoded query signed");
    let timestamp = header_of(&req, "access-timestamp");
    let encoded = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        super::hmac_sha256(
            b"39f3d9ef7bdefbed63506d477fab6f952c50612692b7ba41faaa67445b42dd5d",
            &format!("{timestamp}GET{path}?clientOid=vg%3A2024%3A1"),
        ),
    );
    let resp = req.replace("access-sign", encoded).send(&exchange).await;
    assert_eq!(resp.json()["cexsign_expected_prehash"], format!("{timestamp}GET{path}?clientOid=vg:2024:1"));
    assert_eq!(code(resp).1, "40009");
}

#[tokio::test]
async fn gate_rejections() {
    let exchange = start().await;
    let signer = gate();
    let path = "/api/v4/spot/batch_fee";
    let query = "currency_pairs=BTC_USDT%2CETH_USDT";
    let req = signed(&signer, Method::Get, path, query, "", now());
    let label = |resp: Resp| gate_label(&resp);

    let resp = req.clone().replace("sign", tamper(&header_of(&req, "sign"))).send(&exchange).await;
    let timestamp = header_of(&req, "timestamp");
    let empty_sha512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
    assert_eq!(
        resp.json()["cexsign_expected_prehash"],
        format!("GET\n{path}\ncurrency_pairs=BTC_USDT,ETH_USDT\n{empty_sha512}\n{timestamp}")
    );
    assert_eq!(label(resp), (401, "INVALID_SIGNATURE".to_owned()));
    assert_eq!(label(req.clone().replace("key", "nobody").send(&exchange).await), (401, "INVALID_KEY".into()));
    for header in ["key", "sign", "timestamp"] {
        let resp = req.clone().without(header).send(&exchange).await;
        assert_eq!(label(resp), (401, "MISSING_REQUIRED_HEADER".into()), "without {header}");
    }
    // 60 s either way; fractional seconds as gate-api sends them.
    let get = |at| signed(&signer, Method::Get, path, query, "", at);
    assert_eq!(label(get(ago(70)).send(&exchange).await), (401, "REQUEST_EXPIRED".into()));
    assert_eq!(label(get(ahead(70)).send(&exchange).await), (401, "REQUEST_EXPIRED".into()));
    assert_accepted(&get(ago(50)).send(&exchange).await, Scheme::Gate, "50 s old");
    let fractional = WireTimestamp::render(TimestampFormat::UnixSecondsFraction { digits: 6 }, now()).unwrap();
    let request = cexsign::SignableRequest::new(Method::Get, path).unwrap().with_query(query).unwrap();
    let signed_fraction = signer.sign_at(&request, &fractional, &cexsign::SignOptions::new()).unwrap();
    assert!(signed_fraction.timestamp().contains('.'));
    let resp = wire(Method::Get, path, query, b"", &signed_fraction).send(&exchange).await;
    assert_accepted(&resp, Scheme::Gate, "fractional seconds");
    assert_eq!(resp.json()["timestamp"], fractional.as_str());
    assert_eq!(label(req.clone().replace("timestamp", "yesterday").send(&exchange).await).1, "REQUEST_EXPIRED");
    // The body hashed with SHA-256 instead of SHA-512 (or not at all): a wrong signature.
    let body = r#"{"currency_pair":"BTC_USDT","side":"buy","amount":"1","price":"1"}"#;
    let post = signed(&signer, Method::Post, "/api/v4/spot/orders", "", body, now());
    assert_accepted(&post.clone().send(&exchange).await, Scheme::Gate, "POST");
    let resp = post.body(r#"{"currency_pair": "BTC_USDT"}"#).send(&exchange).await;
    assert_eq!(label(resp).1, "INVALID_SIGNATURE");
}

// ---------------------------------------------------------------------------------------------
// Routing and server time.

#[tokio::test]
async fn requests_are_routed_by_their_auth_headers_then_by_path() {
    let exchange = start().await;
    // Kraken sends API-Key like Delta's api-key: its API-Sign routes it to Kraken.
    let req = signed(&kraken(), Method::Post, "/0/private/Balance", "", "", now());
    assert_accepted(&req.clone().send(&exchange).await, Scheme::Kraken, "Kraken headers");
    // On Delta's path it is still verified as Kraken (and fails: Kraken signs the path).
    let mut elsewhere = req.clone();
    elsewhere.target = "/v2/orders".into();
    assert_eq!(kraken_error(&elsewhere.send(&exchange).await), "EAPI:Invalid signature");
    // Without its API-Sign, a Kraken path tells it from Delta.
    assert_eq!(kraken_error(&req.clone().without("api-sign").send(&exchange).await), "EAPI:Invalid signature");
    // Gate's KEY/SIGN/Timestamp are not Delta's api-key/signature/timestamp.
    let req = signed(&gate(), Method::Get, "/api/v4/spot/accounts", "", "", now());
    assert_accepted(&req.clone().send(&exchange).await, Scheme::Gate, "Gate headers");
    let mut elsewhere = req.clone();
    elsewhere.target = "/v2/orders".into();
    assert_eq!(gate_label(&elsewhere.send(&exchange).await), (401, "INVALID_SIGNATURE".to_owned()));
    // And Delta's are not Gate's.
    let delta = cexsign::DeltaSigner::new(
        &Credentials::new().api_key("a207900b7693435a8fa9230a38195d").secret("7b6f39dcf660ec1c7c664f612c60410a"),
    )
    .unwrap();
    let resp = signed(&delta, Method::Get, "/api/v4/spot/accounts", "", "", now()).send(&exchange).await;
    assert_eq!(resp.json()["error"]["code"], "invalid_api_key", "{resp:?}");
    // Without auth headers: by path, with the exchange's missing-key error.
    for (path, check) in [
        ("/api/v3/account", "binance"),
        ("/sapi/v1/capital/config/getall", "binance"),
        ("/fapi/v2/balance", "binance"),
        ("/v5/account/info", "bybit"),
        ("/0/private/Balance", "kraken"),
        ("/api/v2/spot/account/info", "bitget"),
        ("/api/v4/spot/accounts", "gate"),
        ("/api/v3/brokerage/accounts", "coinbase"),
    ] {
        let resp = Req::new("GET", path).send(&exchange).await;
        match check {
            "binance" => assert_eq!(binance_code(&resp), (401, -2014), "{path}"),
            "bybit" => assert_eq!(bybit_code(&resp), (401, 10003), "{path}"),
            "kraken" => assert_eq!(kraken_error(&resp), "EAPI:Invalid key", "{path}"),
            "bitget" => assert_eq!(bitget_code(&resp), (400, "40001".to_owned()), "{path}"),
            "gate" => assert_eq!(gate_label(&resp), (401, "MISSING_REQUIRED_HEADER".to_owned()), "{path}"),
            _ => assert_eq!((resp.status, resp.body.as_str()), (401, "Unauthorized"), "{path}"),
        }
        assert!(resp.reason().contains("no auth headers"), "{path}: {}", resp.reason());
    }
    // A CORS preflight's access-control-* headers are not Bitget's.
    let resp = Req::new("GET", "/orders").header("access-control-request-method", "GET").send(&exchange).await;
    assert_eq!(resp.json()["message"], "CB-ACCESS-KEY header is required");
}

#[tokio::test]
async fn server_time_endpoints_answer_in_each_shape_on_the_server_clock() {
    let offset = 3_600_000;
    let exchange = configured().with_clock_offset_millis(offset).start().await.unwrap();
    for (scheme, path) in [
        (Scheme::Binance, "/api/v3/time"),
        (Scheme::Binance, "/fapi/v1/time"),
        (Scheme::Bybit, "/v5/market/time"),
        (Scheme::Kraken, "/0/public/Time"),
        (Scheme::Bitget, "/api/v2/public/time"),
        (Scheme::Gate, "/api/v4/spot/time"),
    ] {
        let before = now().unix_millis() + u128::from(offset.unsigned_abs());
        let resp = Req::new("GET", path).send(&exchange).await;
        let after = now().unix_millis() + u128::from(offset.unsigned_abs());
        assert_eq!(resp.status, 200, "{path}: {resp:?}");
        let parsed = ServerTime::of(scheme).parse(resp.body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
        // Kraken tells whole seconds.
        let slack = if scheme == Scheme::Kraken { 1000 } else { 0 };
        assert!(
            parsed.unix_millis() + slack >= before && parsed.unix_millis() <= after,
            "{path}: {} not in {before}..{after}",
            parsed.unix_millis()
        );
        let json = resp.json();
        match scheme {
            Scheme::Bybit => {
                assert_eq!((json["retCode"].as_i64(), json["retMsg"].as_str()), (Some(0), Some("OK")));
                let secs: u64 = json["result"]["timeSecond"].as_str().unwrap().parse().unwrap();
                let nanos: u128 = json["result"]["timeNano"].as_str().unwrap().parse().unwrap();
                assert_eq!(u128::from(secs), nanos / 1_000_000_000);
                assert!(json["time"].is_u64() && json["retExtInfo"].is_object());
            }
            Scheme::Kraken => {
                assert_eq!(json["error"], json!([]));
                let rfc = json["result"]["rfc1123"].as_str().unwrap();
                assert!(rfc.ends_with(" +0000") && rfc.len() == 29, "{rfc:?}");
            }
            Scheme::Bitget => {
                assert_eq!((json["code"].as_str(), json["msg"].as_str()), (Some("00000"), Some("success")));
                assert!(json["data"]["serverTime"].is_string() && json["requestTime"].is_u64());
            }
            Scheme::Binance => assert!(json["serverTime"].is_u64()),
            _ => assert!(json["server_time"].is_u64()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Websocket checks.

#[tokio::test]
async fn ws_logins_of_binance_bybit_bitget_gate_are_accepted() {
    let exchange = start().await;
    // Binance WebSocket API: a signed order (HMAC and RSA), session.logon with Ed25519.
    let params = [
        ("symbol", json!("BTCUSDT")),
        ("side", json!("SELL")),
        ("type", json!("LIMIT")),
        ("timeInForce", json!("GTC")),
        ("price", json!("52000.00")),
        ("quantity", json!("0.01000000")),
        ("recvWindow", json!(5000)),
    ];
    let order = WsRequest::api("order.place", &params).with_id("req-1");
    for kind in [BinanceKeyType::Hmac, BinanceKeyType::Rsa, BinanceKeyType::Ed25519] {
        let resp = ws(&exchange, "binance", &ws_message(&binance(kind), &order, now())).await;
        assert_eq!(resp.status, 200, "{kind:?}: {resp:?}");
        let json = resp.json();
        assert_eq!((json["id"].as_str(), json["status"].as_u64()), (Some("req-1"), Some(200)), "{json}");
        assert!(json["result"].is_object());
    }
    let logon = WsRequest::api("session.logon", &[]).with_id("logon-1");
    let resp = ws(&exchange, "binance", &ws_message(&binance(BinanceKeyType::Ed25519), &logon, now())).await;
    let json = resp.json();
    assert_eq!((json["id"].as_str(), json["status"].as_u64()), (Some("logon-1"), Some(200)), "{json}");
    assert_eq!(json["result"]["apiKey"], key(BINANCE_VECTORS, Some("Ed25519")));

    // Bybit op: auth, expires as a number (pybit) or a string (ccxt), with req_id echoed.
    let auth = ws_message(&bybit(BybitKeyType::Hmac), &WsRequest::login().with_id("auth-1"), now());
    let resp = ws(&exchange, "bybit", &auth).await;
    assert_eq!(
        resp.json(),
        json!({"success": true, "ret_msg": "", "op": "auth", "conn_id": "cexsign-local", "req_id": "auth-1"})
    );
    let mut as_string: Value = serde_json::from_str(&auth).unwrap();
    as_string["args"][1] = json!(as_string["args"][1].to_string());
    assert_eq!(ws(&exchange, "bybit", &as_string.to_string()).await.json()["success"], true);
    let resp = ws(&exchange, "bybit", &ws_message(&bybit(BybitKeyType::Rsa), &WsRequest::login(), now())).await;
    assert_eq!(resp.json()["success"], true, "{resp:?}");

    // Bitget op: login.
    let resp = ws(&exchange, "bitget", &ws_message(&bitget(), &WsRequest::login(), now())).await;
    assert_eq!(resp.json(), json!({"event": "login", "code": 0}));

    // Gate: a private channel subscribe, and the ws API login.
    let subscribe = WsRequest::subscribe(&["spot.orders"], &["BTC_USDT"]);
    let resp = ws(&exchange, "gate", &ws_message(&gate(), &subscribe, now())).await;
    let json = resp.json();
    assert_eq!((json["channel"].as_str(), json["event"].as_str()), (Some("spot.orders"), Some("subscribe")));
    assert_eq!(json["result"], json!({"status": "success"}));
    let unsubscribe = subscribe.with_event("unsubscribe");
    let resp = ws(&exchange, "gate", &ws_message(&gate(), &unsubscribe, now())).await;
    assert_eq!(resp.json()["event"], "unsubscribe");
    let login = WsRequest::api("spot.login", &[]).with_id("login-1");
    let resp = ws(&exchange, "gate", &ws_message(&gate(), &login, now())).await;
    let json = resp.json();
    assert_eq!((json["header"]["status"].as_str(), json["request_id"].as_str()), (Some("200"), Some("login-1")));
    assert_eq!(json["data"]["result"]["api_key"], key(GATE_VECTORS, None));
    assert_eq!(exchange.requests_accepted(), 11);
}

#[tokio::test]
async fn ws_logins_of_binance_bybit_bitget_gate_are_refused_in_each_shape() {
    let exchange = start().await;
    let edit = super::edit;

    // Binance.
    let params = [("symbol", json!("BTCUSDT")), ("side", json!("BUY")), ("quantity", json!("1"))];
    let order = WsRequest::api("order.place", &params).with_id("o-1");
    let hmac = binance(BinanceKeyType::Hmac);
    let message = ws_message(&hmac, &order, now());
    let binance_error = |resp: &Resp| {
        let json = resp.json();
        assert_eq!(json["id"], "o-1", "{json}");
        (resp.status, json["status"].as_u64().unwrap(), json["error"]["code"].as_i64().unwrap())
    };
    let resp = ws(&exchange, "binance", &edit(&message, "/params/signature", "00")).await;
    assert_eq!(binance_error(&resp), (401, 400, -1022));
    assert!(resp.json()["cexsign_expected_prehash"].as_str().unwrap().starts_with("apiKey="));
    let resp = ws(&exchange, "binance", &edit(&message, "/params/apiKey", &"B".repeat(64))).await;
    assert_eq!(binance_error(&resp), (401, 401, -2015));
    let resp = ws(&exchange, "binance", &ws_message(&hmac, &order, ago(10))).await;
    assert_eq!(binance_error(&resp), (401, 400, -1021));
    let mut unsigned: Value = serde_json::from_str(&message).unwrap();
    unsigned["params"].as_object_mut().unwrap().remove("signature");
    assert_eq!(binance_error(&ws(&exchange, "binance", &unsigned.to_string()).await), (400, 400, -1102));
    // A param changed after signing; a value percent-encoded when signed but sent raw.
    let resp = ws(&exchange, "binance", &edit(&message, "/params/quantity", "2")).await;
    assert_eq!(binance_error(&resp).2, -1022);
    let encoded = [("symbol", json!("%E5%B8%81%E5%AE%89USDT"))];
    let message = ws_message(&hmac, &WsRequest::api("order.test", &encoded).with_id("o-1"), now());
    let resp = ws(&exchange, "binance", &edit(&message, "/params/symbol", "币安USDT")).await;
    assert_eq!(binance_error(&resp).2, -1022);
    assert!(resp.json()["cexsign_expected_prehash"].as_str().unwrap().contains("symbol=币安USDT"));
    // session.logon with an HMAC key: built from an Ed25519 logon with the HMAC key's name.
    let logon = ws_message(&binance(BinanceKeyType::Ed25519), &WsRequest::api("session.logon", &[]), now());
    let resp = ws(&exchange, "binance", &edit(&logon, "/params/apiKey", &key(BINANCE_VECTORS, Some("HMAC")))).await;
    let json = resp.json();
    assert_eq!((resp.status, json["status"].as_u64(), json["error"]["code"].as_i64()), (401, Some(401), Some(-1002)));
    assert!(resp.reason().contains("Ed25519"), "{}", resp.reason());

    // Bybit.
    let signer = bybit(BybitKeyType::Hmac);
    let auth = ws_message(&signer, &WsRequest::login(), now());
    let bybit_refusal = |resp: &Resp| {
        let json = resp.json();
        assert_eq!((json["success"].as_bool(), json["op"].as_str()), (Some(false), Some("auth")), "{json}");
        json["ret_msg"].as_str().unwrap().to_owned()
    };
    assert_eq!(bybit_refusal(&ws(&exchange, "bybit", &edit(&auth, "/args/2", "00")).await), "error sign");
    let past = signer.sign_ws_at(
        &WsRequest::login(),
        &WireTimestamp::render(TimestampFormat::UnixMillis, ago(1)).unwrap(),
        &cexsign::SignOptions::new(),
    );
    let resp = ws(&exchange, "bybit", past.unwrap().message_json()).await;
    assert_eq!(bybit_refusal(&resp), "Params Error");
    assert!(resp.reason().contains("not in the future"), "{}", resp.reason());
    // expires in seconds (a classic): long past as milliseconds.
    let seconds = signer.sign_ws_at(
        &WsRequest::login(),
        &WireTimestamp::render(TimestampFormat::UnixMillis, Timestamp::from_unix_millis(now().unix_secs() + 10))
            .unwrap(),
        &cexsign::SignOptions::new(),
    );
    assert_eq!(bybit_refusal(&ws(&exchange, "bybit", seconds.unwrap().message_json()).await), "Params Error");
    let mut other_key: Value = serde_json::from_str(&auth).unwrap();
    other_key["args"][0] = json!("nobody");
    assert_eq!(bybit_refusal(&ws(&exchange, "bybit", &other_key.to_string()).await), "API key is invalid.");
    assert_eq!(ws(&exchange, "bybit", r#"{"op":"auth","args":["k",1]}"#).await.status, 400);

    // Bitget.
    let login = ws_message(&bitget(), &WsRequest::login(), now());
    let bitget_code = |resp: Resp| {
        let json = resp.json();
        assert_eq!(json["event"], "error", "{json}");
        json["code"].as_i64().unwrap()
    };
    assert_eq!(bitget_code(ws(&exchange, "bitget", &edit(&login, "/args/0/sign", "AAAA")).await), 30015);
    assert_eq!(bitget_code(ws(&exchange, "bitget", &edit(&login, "/args/0/passphrase", "x")).await), 30012);
    assert_eq!(bitget_code(ws(&exchange, "bitget", &edit(&login, "/args/0/apiKey", "bg_x")).await), 30011);
    assert_eq!(bitget_code(ws(&exchange, "bitget", &ws_message(&bitget(), &WsRequest::login(), ago(40))).await), 30014);
    // Milliseconds where Bitget's login wants seconds.
    let millis = now().unix_millis().to_string();
    assert_eq!(bitget_code(ws(&exchange, "bitget", &edit(&login, "/args/0/timestamp", &millis)).await), 30014);
    // python-bitget's api_key field.
    let mut renamed: Value = serde_json::from_str(&login).unwrap();
    let args = renamed["args"][0].as_object_mut().unwrap();
    let key_value = args.remove("apiKey").unwrap();
    args.insert("api_key".into(), key_value);
    let resp = ws(&exchange, "bitget", &renamed.to_string()).await;
    assert!(resp.reason().contains("api_key"), "{}", resp.reason());
    assert_eq!(bitget_code(resp), 30011);

    // Gate.
    let subscribe = ws_message(&gate(), &WsRequest::subscribe(&["spot.orders"], &["BTC_USDT"]), now());
    let gate_error = |resp: Resp| {
        let json = resp.json();
        assert_eq!(json["result"], json!({"status": "failed"}), "{json}");
        json["error"]["message"].as_str().unwrap().to_owned()
    };
    assert!(
        gate_error(ws(&exchange, "gate", &edit(&subscribe, "/auth/SIGN", "00")).await).starts_with("INVALID_SIGNATURE")
    );
    assert!(
        gate_error(ws(&exchange, "gate", &edit(&subscribe, "/channel", "spot.balances")).await)
            .starts_with("INVALID_SIGNATURE")
    );
    assert!(
        gate_error(ws(&exchange, "gate", &edit(&subscribe, "/auth/KEY", "nobody")).await).starts_with("INVALID_KEY")
    );
    let old = ws_message(&gate(), &WsRequest::subscribe(&["spot.orders"], &["BTC_USDT"]), ago(70));
    assert!(gate_error(ws(&exchange, "gate", &old).await).starts_with("REQUEST_EXPIRED"));
    let login = ws_message(&gate(), &WsRequest::api("spot.login", &[]).with_id("l-1"), now());
    let resp = ws(&exchange, "gate", &edit(&login, "/payload/signature", "00")).await;
    let json = resp.json();
    assert_eq!((resp.status, json["header"]["status"].as_str()), (401, Some("401")));
    assert_eq!(
        (json["request_id"].as_str(), json["data"]["errs"]["label"].as_str()),
        (Some("l-1"), Some("INVALID_SIGNATURE"))
    );

    // Kraken: no login message.
    let resp = ws(&exchange, "kraken", "{}").await;
    assert_eq!(resp.status, 404);
    assert!(resp.reason().contains("GetWebSocketsToken"), "{}", resp.reason());
    assert_eq!(exchange.requests_accepted(), 0);
}

// ---------------------------------------------------------------------------------------------
// The conformance vectors and AUTH-more.md's worked examples, at their own timestamps.

/// The account of a vector's credentials.
fn vector_account(scheme: &str, credentials: &Value) -> Account {
    let c = credentials_of(credentials);
    match (scheme, credentials["key_type"].as_str()) {
        ("binance", Some("Ed25519")) => Account::new(Scheme::Binance, &c, &KeySettings::new().key_type("Ed25519")),
        ("binance", Some("RSA")) => Account::new(Scheme::Binance, &c, &KeySettings::new().key_type("RSA")),
        ("binance", _) => Account::new(Scheme::Binance, &c, &KeySettings::new().key_type("HMAC")),
        ("bybit", Some("RSA")) => Account::new(Scheme::Bybit, &c, &KeySettings::new().key_type("RSA")),
        ("bybit", _) => Account::new(Scheme::Bybit, &c, &KeySettings::new().key_type("HMAC")),
        ("kraken", _) => Account::new(Scheme::Kraken, &c, &KeySettings::new()),
        ("bitget", _) => Account::new(Scheme::Bitget, &c, &KeySettings::new()),
        _ => Account::new(Scheme::Gate, &c, &KeySettings::new()),
    }
    .unwrap()
}

/// The server clock at which a vector's timestamp is fresh.
fn vector_clock(scheme: &str, timestamp: &str, ws: bool) -> Timestamp {
    let digits: u64 = timestamp.parse().unwrap();
    match scheme {
        // Binance: milliseconds, or microseconds.
        "binance" if timestamp.len() >= 16 => Timestamp::from_duration_since_epoch(Duration::from_micros(digits)),
        // Bybit's ws timestamp is the expiry: the clock reads 5 s before it.
        "bybit" if ws => Timestamp::from_unix_millis(digits - 5000),
        "binance" | "bybit" => Timestamp::from_unix_millis(digits),
        "bitget" if !ws => Timestamp::from_unix_millis(digits),
        "bitget" | "gate" => Timestamp::from_unix_secs(digits),
        // Kraken has no clock window: any instant.
        _ => now(),
    }
}

#[test]
fn every_vector_more_is_accepted_at_its_timestamp() {
    let mut counted = (0, 0);
    for file in ALL_VECTORS {
        for vector in vectors(file) {
            let id = vector["id"].as_str().unwrap();
            let scheme = vector["scheme"].as_str().unwrap();
            // A fresh verifier per vector: Kraken's nonces go back and forth between vectors.
            let verifier = LocalExchange::new().with_account(vector_account(scheme, &vector["credentials"])).verifier();
            let timestamp = vector["timestamp"].as_str().unwrap();
            let expected = &vector["expected"];
            let resp = if vector["kind"] == "ws" {
                let req = Req::new("POST", &format!("/cexsign/ws/{scheme}")).body(expected["message"].to_string());
                counted.1 += 1;
                check(&verifier, &req, vector_clock(scheme, timestamp, true))
            } else {
                // HTTP sends the method upper case; Binance sends the query and body with the
                // signature appended (`expected.wire`), the others as they are.
                let method = vector["method"].as_str().unwrap().to_ascii_uppercase();
                let (query, body) = match expected.get("wire") {
                    Some(wire) => (wire["query"].as_str().unwrap(), wire["body"].as_str().unwrap()),
                    None => (vector["query"].as_str().unwrap(), vector["body"].as_str().unwrap()),
                };
                let path = vector["path"].as_str().unwrap();
                let target = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
                let mut req = Req::new(&method, &target).body(body);
                for (name, value) in expected["headers"].as_object().unwrap() {
                    req = req.header(name, value.as_str().unwrap());
                }
                let kind = match vector["options"]["body_encoding"].as_str() {
                    Some("json") => Some("application/json"),
                    Some(_) => Some("application/x-www-form-urlencoded"),
                    None => content_type(body.as_bytes()),
                };
                if let Some(kind) = kind.filter(|_| !body.is_empty()) {
                    req = req.header("content-type", kind);
                }
                counted.0 += 1;
                check(&verifier, &req, vector_clock(scheme, timestamp, false))
            };
            assert_eq!(resp.status, 200, "{id}: {resp:?}");
            let json = resp.json();
            let accepted = json["cexsign"] == "accepted"
                || json["status"] == 200
                || json["success"] == true
                || json["event"] == "login"
                || json["result"]["status"] == "success"
                || json["header"]["status"] == "200";
            assert!(accepted, "{id}: {json}");
        }
    }
    // 94 REST and 11 ws vectors (105 in all, as the conformance runner counts them).
    assert_eq!(counted, (94, 11), "every vector was sent");
}

/// AUTH-more.md's worked examples whose signatures the exchanges published or the spec computed
/// independently: accepted, and the negative ones rejected with the exchange's code.
#[test]
fn worked_examples_of_the_spec() {
    // Binance's docs: HMAC, payload in the body, and the mixed query + body layout.
    let docs = Credentials::new()
        .api_key("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A")
        .secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
    let verifier = LocalExchange::new()
        .with_account(Account::new(Scheme::Binance, &docs, &KeySettings::new().key_type("HMAC")).unwrap())
        .verifier();
    let at = Timestamp::from_unix_millis(1_499_827_319_559);
    let key_header = ("X-MBX-APIKEY", "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A");
    let body = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000\
                &timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
    let req = Req::new("POST", "/api/v3/order").header(key_header.0, key_header.1).body(body);
    assert_accepted(&check(&verifier, &req, at), Scheme::Binance, "docs body");
    let req = Req::new("POST", &format!("/api/v3/order?{body}")).header(key_header.0, key_header.1);
    assert_accepted(&check(&verifier, &req, at), Scheme::Binance, "docs query");
    let mixed = Req::new("POST", "/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC")
        .header(key_header.0, key_header.1)
        .body(
            "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559\
             &signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77",
        );
    assert_accepted(&check(&verifier, &mixed, at), Scheme::Binance, "docs mixed");
    // The docs' WebSocket API example.
    let message = json!({"id": "4885f793", "method": "order.place", "params": {
        "apiKey": key_header.1, "price": "52000.00", "quantity": "0.01000000", "recvWindow": 100, "side": "SELL",
        "symbol": "BTCUSDT", "timeInForce": "GTC", "timestamp": 1_645_423_376_532_u64, "type": "LIMIT",
        "signature": "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"}});
    let req = Req::new("POST", "/cexsign/ws/binance").body(message.to_string());
    let resp = check(&verifier, &req, Timestamp::from_unix_millis(1_645_423_376_532));
    assert_eq!(resp.json()["status"], 200, "{resp:?}");
    // recvWindow 100: 150 ms later it has expired.
    let resp = check(&verifier, &req, Timestamp::from_unix_millis(1_645_423_376_682));
    assert_eq!(resp.json()["error"]["code"], -1021, "{resp:?}");

    // Bybit's guide examples with AUTH-more.md's secret; the compact-body negative gets 10004.
    let credentials = Credentials::new().api_key("XXXXXXXXXX").secret("vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W");
    let verifier = LocalExchange::new()
        .with_account(Account::new(Scheme::Bybit, &credentials, &KeySettings::new().key_type("HMAC")).unwrap())
        .verifier();
    let bybit_req = |target: &str, body: &str, ts: &str, sign: &str| {
        Req::new(if body.is_empty() { "GET" } else { "POST" }, target)
            .header("X-BAPI-API-KEY", "XXXXXXXXXX")
            .header("X-BAPI-TIMESTAMP", ts)
            .header("X-BAPI-SIGN", sign)
            .header("X-BAPI-RECV-WINDOW", "5000")
            .body(body)
    };
    let get = bybit_req(
        "/v5/order/realtime?category=option&symbol=BTC-29JUL22-25000-C",
        "",
        "1658384314791",
        "6a8b5ae5f32a50c613d3ca92af27a4f037777ec188038724eccc4dd630a0023c",
    );
    assert_accepted(&check(&verifier, &get, Timestamp::from_unix_millis(1_658_384_314_791)), Scheme::Bybit, "get");
    let at = Timestamp::from_unix_millis(1_658_385_579_423);
    let post = bybit_req(
        "/v5/order/create",
        r#"{"category": "option"}"#,
        "1658385579423",
        "d9359f1a4dc6369363310089cb4202cdb3370b8455545589214e9a7f782fed4b",
    );
    assert_accepted(&check(&verifier, &post, at), Scheme::Bybit, "post");
    let negative =
        post.clone().replace("X-BAPI-SIGN", "e46adb86696baf45781b0c1437ab5a8411dc08393f5b3631b4e48a4299e672f5");
    let resp = check(&verifier, &negative, at);
    assert_eq!(bybit_code(&resp), (200, 10004));
    assert_eq!(
        resp.json()["retMsg"],
        r#"error sign! origin_string[1658385579423XXXXXXXXXX5000{"category": "option"}]"#
    );
    let auth = json!({"op": "auth", "args": ["XXXXXXXXXX", 1_700_000_011_000_u64,
        "2f0db67b7211ff6e7f36a45251380103a355dbf83338afdd4f91bae26bb2856f"]});
    let req = Req::new("POST", "/cexsign/ws/bybit").body(auth.to_string());
    assert_eq!(check(&verifier, &req, Timestamp::from_unix_secs(1_700_000_000)).json()["success"], true);
    assert_eq!(check(&verifier, &req, Timestamp::from_unix_secs(1_700_000_012)).json()["success"], false);

    // Kraken's guide example (the key name is not signed).
    let credentials = Credentials::new()
        .api_key("docs-key")
        .secret("kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==");
    let verifier = LocalExchange::new()
        .with_account(Account::new(Scheme::Kraken, &credentials, &KeySettings::new()).unwrap())
        .verifier();
    let req = Req::new("POST", "/0/private/AddOrder")
        .header("API-Key", "docs-key")
        .header("API-Sign", "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25");
    assert_accepted(&check(&verifier, &req, now()), Scheme::Kraken, "kraken docs");
    assert_eq!(kraken_error(&check(&verifier, &req, now())), "EAPI:Invalid nonce", "a replay");

    // Bitget: the decoded-query example and its encoded-query negative (40009).
    let credentials = Credentials::new()
        .api_key("bg_0123456789abcdef0123456789abcdef")
        .secret("f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1")
        .passphrase("Passphrase1#");
    let verifier = LocalExchange::new()
        .with_account(Account::new(Scheme::Bitget, &credentials, &KeySettings::new()).unwrap())
        .verifier();
    let at = Timestamp::from_unix_millis(1_700_000_000_000);
    let bitget_req = |sign: &str| {
        Req::new(
            "GET",
            "/api/v2/mix/account/account?marginCoin=USDT&productType=USDT-FUTURES&symbol=%E9%BE%99%E8%99%BEUSDT",
        )
        .header("ACCESS-KEY", "bg_0123456789abcdef0123456789abcdef")
        .header("ACCESS-SIGN", sign)
        .header("ACCESS-TIMESTAMP", "1700000000000")
        .header("ACCESS-PASSPHRASE", "Passphrase1#")
    };
    assert_accepted(
        &check(&verifier, &bitget_req("1sVJJCVk1aLPh/GPLUCs38OThMgCgZpcHKo5J801lmQ="), at),
        Scheme::Bitget,
        "bitget",
    );
    let resp = check(&verifier, &bitget_req("URhis1L0aB7+6csyURI9FA28MnZXkRsp+GSVVarC9nA="), at);
    assert_eq!(bitget_code(&resp), (400, "40009".to_owned()));
    let login = json!({"op": "login", "args": [{
        "apiKey": "bg_0123456789abcdef0123456789abcdef",
        "passphrase": "Passphrase1#",
        "timestamp": "1700000000",
        "sign": "B9eenFwTdbc4PkUBuLqtt5OBdaFcX7tPCUSL2QD6Whg=",
    }]});
    let req = Req::new("POST", "/cexsign/ws/bitget").body(login.to_string());
    assert_eq!(check(&verifier, &req, at).json(), json!({"event": "login", "code": 0}));

    // Gate's docs examples (key "key", secret "secret"), the %2C example and its negative.
    let verifier = LocalExchange::new()
        .with_account(
            Account::new(Scheme::Gate, &Credentials::new().api_key("key").secret("secret"), &KeySettings::new())
                .unwrap(),
        )
        .verifier();
    let gate_req = |target: &str, ts: &str, sign: &str| {
        Req::new("GET", target).header("KEY", "key").header("Timestamp", ts).header("SIGN", sign)
    };
    let docs = gate_req(
        "/api/v4/futures/orders?contract=BTC_USD&status=finished&limit=50",
        "1541993715",
        "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6fb3faf24deff16790d726b66ac9f74526668b13bd01029199cc4fcc522418b8a",
    );
    assert_accepted(&check(&verifier, &docs, Timestamp::from_unix_secs(1_541_993_715)), Scheme::Gate, "gate docs");
    let post = Req::new("POST", "/api/v4/futures/orders")
        .header("KEY", "key")
        .header("Timestamp", "1541993715")
        .header("SIGN", "eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541fc4c2c14017581b4199a1418d54471c269c03a38d788d802e2c306c37636389f0")
        .body(r#"{"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"}"#);
    assert_accepted(&check(&verifier, &post, Timestamp::from_unix_secs(1_541_993_715)), Scheme::Gate, "gate docs post");
    let at = Timestamp::from_unix_secs(1_700_000_000);
    let comma = gate_req(
        "/api/v4/spot/batch_fee?currency_pairs=BTC_USDT%2CETH_USDT",
        "1700000000",
        "fa200eb1be0c23cb8970a09224a5ceea14dbf89695c1b322655316ea77968692392330a63d21df52d266afaf4a1391b579a98541f0d25aceacbacceb5a0f4a40",
    );
    assert_accepted(&check(&verifier, &comma, at), Scheme::Gate, "gate decoded comma");
    let negative = comma.replace(
        "SIGN",
        "3e42e8b144b2d7fa85b36d6934034f3d6e6336b77ab5131fb59c2db021a8bf6d845c5f11de80baf6db9722ffac97f449cb8b5190b913ea894f84f75831ea2fab",
    );
    assert_eq!(gate_label(&check(&verifier, &negative, at)), (401, "INVALID_SIGNATURE".to_owned()));
}

// ---------------------------------------------------------------------------------------------
// Accounts.

#[test]
fn new_accounts_read_their_key_and_keep_secrets_out_of_debug() {
    let binance = Account::new(
        Scheme::Binance,
        &binance_credentials(BinanceKeyType::Ed25519),
        &KeySettings::new().key_type("Ed25519"),
    )
    .unwrap();
    assert_eq!(
        (binance.scheme(), binance.api_key()),
        (Scheme::Binance, key(BINANCE_VECTORS, Some("Ed25519")).as_str())
    );
    assert_eq!(binance.describe(), "Binance (Ed25519)");
    let bybit = Account::new(Scheme::Bybit, &bybit_credentials(BybitKeyType::Rsa), &KeySettings::new().key_type("RSA"))
        .unwrap();
    assert_eq!((bybit.scheme(), bybit.api_key()), (Scheme::Bybit, key(BYBIT_VECTORS, Some("RSA")).as_str()));
    let bitget = Account::new(Scheme::Bitget, &fake(BITGET_VECTORS, None).0, &KeySettings::new()).unwrap();
    assert!(bitget.passphrase_matches("qgfqGQbpPP#N1O") && !bitget.passphrase_matches("qgfqGQbpPP#N1"));
    let gate = Account::new(Scheme::Gate, &fake(GATE_VECTORS, None).0, &KeySettings::new()).unwrap();
    assert_eq!(gate.api_key(), "a1a9d1abd6b184059827d73a31bed2a1");
    let kraken = Account::new(Scheme::Kraken, &fake(KRAKEN_VECTORS, None).0, &KeySettings::new()).unwrap();
    assert_eq!(kraken.api_key(), key(KRAKEN_VECTORS, None));
    let debug = format!("{:?}", configured());
    for secret in ["qgfqGQbpPP", "GIsDpAoel", "PRIVATE KEY", "8Jk3Ylha", "G4uFqj49", "7dab7dd4"] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
    // Wrong credentials fail at registration, not at the first request.
    assert!(
        Account::new(
            Scheme::Binance,
            &binance_credentials(BinanceKeyType::Ed25519),
            &KeySettings::new().key_type("HMAC")
        )
        .is_err()
    );
    assert!(
        Account::new(Scheme::Kraken, &Credentials::new().api_key("k").secret("not base64"), &KeySettings::new())
            .is_err()
    );
    assert!(
        Account::new(Scheme::Bitget, &Credentials::new().api_key("k").secret("s"), &KeySettings::new()).is_err(),
        "no passphrase"
    );
}

// ---------------------------------------------------------------------------------------------
// Untrusted input.

/// Every byte of valid Binance, Bybit, Kraken, Bitget and Gate requests and messages, replaced in turn: the verifier
/// answers (4xx, or 200 where the change is not signed, such as Bybit's method), never panics.
#[test]
fn mutated_requests_and_messages_never_panic() {
    let verifier = configured().verifier();
    let at = now();
    let mut requests = Vec::new();
    // HMAC keys only: an RSA signature per mutation makes the test minutes long in debug builds,
    // and the parsing it exercises is the same for every key type.
    for case in cases().into_iter().filter(|case| !case.name.contains("rsa") && !case.name.contains("ed25519")) {
        for (i, (method, path, query, body)) in case.requests.iter().take(2).enumerate() {
            requests.push(signed(&*case.signer, *method, path, query, body, millis_after(at, i as u64)));
        }
    }
    let params = [("symbol", json!("BTCUSDT")), ("recvWindow", json!(5000))];
    for (id, message) in [
        ("binance", ws_message(&binance(BinanceKeyType::Hmac), &WsRequest::api("order.test", &params), at)),
        ("bybit", ws_message(&bybit(BybitKeyType::Hmac), &WsRequest::login().with_id("1"), at)),
        ("bitget", ws_message(&bitget(), &WsRequest::login(), at)),
        ("gate", ws_message(&gate(), &WsRequest::subscribe(&["spot.orders"], &["BTC_USDT"]), at)),
        ("gate", ws_message(&gate(), &WsRequest::api("spot.login", &[]).with_id("l"), at)),
    ] {
        requests.push(Req::new("POST", &format!("/cexsign/ws/{id}")).body(message));
    }
    // Every rejection is diagnosed (a catalogue of recomputations, tens of ms in a debug build):
    // sample about 12 positions per part, spread over every field of these short requests.
    let positions = |len: usize| (0..len).step_by(len.div_ceil(12).max(1));
    let mut checked = 0;
    for req in &requests {
        let original = check(&verifier, req, at);
        assert!(original.status < 500, "{original:?}");
        for i in positions(req.body.len()) {
            for replacement in [b'&', b'"', 0xff] {
                let mut mutated = req.clone();
                mutated.body[i] = replacement;
                let resp = check(&verifier, &mutated, at);
                assert!(resp.status < 500, "{resp:?}");
                checked += 1;
            }
        }
        for i in positions(req.target.len()) {
            for replacement in ['&', '%', '='] {
                let mut mutated = req.clone();
                mutated.target.replace_range(i..=i, &replacement.to_string());
                let resp = check(&verifier, &mutated, at);
                assert!(resp.status < 500, "{resp:?}");
                checked += 1;
            }
        }
        for (h, (_, value)) in req.headers.iter().enumerate() {
            for i in positions(value.len()) {
                for replacement in [b' ', 0xff] {
                    let mut mutated = req.clone();
                    mutated.headers[h].1[i] = replacement;
                    let resp = check(&verifier, &mutated, at);
                    assert!(resp.status < 500, "{resp:?}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 800, "{checked}");
}

/// The accounts the per-exchange constructors' examples built, through `Account::new`: each
/// knows its scheme and key, and Debug never shows a passphrase.
#[test]
fn accounts_know_their_scheme_and_key() {
    let new = |scheme: Scheme, credentials: &Credentials, settings: &KeySettings| {
        let account = Account::new(scheme, credentials, settings).unwrap();
        (account.scheme(), account.api_key().to_owned(), format!("{account:?}"))
    };
    let binance_key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    let binance = Credentials::new()
        .api_key(binance_key)
        .secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
    let (scheme, key, _) = new(Scheme::Binance, &binance, &KeySettings::new().key_type("HMAC"));
    assert_eq!((scheme, key.as_str()), (Scheme::Binance, binance_key));
    let bybit = Credentials::new().api_key("XXXXXXXXXX").secret("vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W");
    let (scheme, key, _) = new(Scheme::Bybit, &bybit, &KeySettings::new().key_type("HMAC"));
    assert_eq!((scheme, key.as_str()), (Scheme::Bybit, "XXXXXXXXXX"));
    let kraken = Credentials::new()
        .api_key("my-kraken-key")
        .secret("kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==");
    let (scheme, key, _) = new(Scheme::Kraken, &kraken, &KeySettings::new());
    assert_eq!((scheme, key.as_str()), (Scheme::Kraken, "my-kraken-key"));
    let bitget = Credentials::new()
        .api_key("bg_0123456789abcdef0123456789abcdef")
        .secret("f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1")
        .passphrase("Passphrase1#");
    let (scheme, _, debug) = new(Scheme::Bitget, &bitget, &KeySettings::new());
    assert_eq!(scheme, Scheme::Bitget);
    assert!(!debug.contains("Passphrase1#"), "{debug}");
    let (scheme, key, _) = new(Scheme::Gate, &Credentials::new().api_key("key").secret("secret"), &KeySettings::new());
    assert_eq!((scheme, key.as_str()), (Scheme::Gate, "key"));
}
