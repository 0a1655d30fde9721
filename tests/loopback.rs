//! Sign what is sent, proven through a real socket: every scheme signs with the reqwest layer,
//! sends to the local exchange on 127.0.0.1, and the server recomputes the signature from the
//! raw request-target and body it received.

#![cfg(feature = "reqwest")]

use std::time::Duration;

use cexsign::client::{RequestBuilderExt, ReqwestSigner};
use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, KeySettings,
    KucoinKeyVersion, KucoinSigner, Method, OkxEnvironment, OkxSigner, Scheme, SignableRequest, Signer, Timestamp,
    WsRequest,
};
use cexsign_local_exchange::{Account, LocalExchange, RunningExchange};
use serde_json::Value;

const ES256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMJ6Nuyvw0gB+82i+o/KVHaannrQ4SKKWvhpzwGrkwwloAoGCCqGSM49\nAwEHoUQDQgAEWuTIbglnon85VzfaG9a6rJqGnU+BXFoq0/yZa6wyOOOJO9yFSPOR\ns8adAA2jVCwOOE9sQuiwOc5afSZ6im89Hw==\n-----END EC PRIVATE KEY-----\n";

fn okx_credentials(passphrase: &str) -> Credentials {
    Credentials::new()
        .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
        .secret("22582BD0CFF14C41EDBF1AB98506286D")
        .passphrase(passphrase)
}
fn kucoin_credentials(passphrase: &str) -> Credentials {
    Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase(passphrase)
}
fn delta_credentials() -> Credentials {
    Credentials::new()
        .api_key("a207900b7693435a8fa9230a38195d")
        .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f")
}
fn exchange_credentials(passphrase: &str) -> Credentials {
    Credentials::new()
        .api_key("0123456789abcdef0123456789abcdef")
        .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
        .passphrase(passphrase)
}
fn legacy_credentials() -> Credentials {
    Credentials::new().api_key("4wRFpLxVyT8hZ2Qn").secret("kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA")
}
fn ed25519_credentials() -> Credentials {
    Credentials::new()
        .api_key("22222222-2222-4222-8222-222222222222")
        .secret("rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==")
}
fn es256_credentials() -> Credentials {
    Credentials::new()
        .api_key("organizations/00000000-0000-4000-8000-000000000000/apiKeys/11111111-1111-4111-8111-111111111111")
        .secret(ES256_PEM)
}

/// One signer per scheme (and per key flavour), with the path family its exchange uses.
struct Venue {
    name: &'static str,
    signer: Box<dyn Signer>,
    prefix: &'static str,
    has_delete: bool,
}

fn venues() -> Vec<Venue> {
    let v = |name, signer: Box<dyn Signer>, prefix, has_delete| Venue { name, signer, prefix, has_delete };
    vec![
        v(
            "okx live",
            Box::new(OkxSigner::new(&okx_credentials("Passphrase1!"), OkxEnvironment::Live).unwrap()),
            "/api/v5",
            false,
        ),
        v(
            "kucoin v3",
            Box::new(KucoinSigner::new(&kucoin_credentials("1111111"), KucoinKeyVersion::V3).unwrap()),
            "/api/v1",
            true,
        ),
        v("delta", Box::new(DeltaSigner::new(&delta_credentials()).unwrap()), "/v2", true),
        v(
            "coinbase exchange",
            Box::new(
                CoinbaseExchangeSigner::new(&exchange_credentials("testpassphrase"))
                    .unwrap()
                    .with_fraction_digits(3)
                    .unwrap(),
            ),
            "",
            true,
        ),
        v(
            "coinbase legacy",
            Box::new(CoinbaseAdvancedHmacSigner::new(&legacy_credentials()).unwrap()),
            "/api/v3/brokerage",
            true,
        ),
        v("cdp ed25519", Box::new(CoinbaseCdpSigner::new(&ed25519_credentials()).unwrap()), "/api/v3/brokerage", true),
        v("cdp es256", Box::new(CoinbaseCdpSigner::new(&es256_credentials()).unwrap()), "/api/v3/brokerage", true),
    ]
}

async fn exchange() -> RunningExchange {
    LocalExchange::new()
        .with_account(Account::new(Scheme::Okx, &okx_credentials("Passphrase1!"), &KeySettings::new()).unwrap())
        .with_account(
            Account::new(Scheme::Kucoin, &kucoin_credentials("1111111"), &KeySettings::new().key_version(3)).unwrap(),
        )
        .with_account(Account::new(Scheme::Delta, &delta_credentials(), &KeySettings::new()).unwrap())
        .with_account(
            Account::new(Scheme::CoinbaseExchange, &exchange_credentials("testpassphrase"), &KeySettings::new())
                .unwrap(),
        )
        .with_account(Account::new(Scheme::CoinbaseAdvancedHmac, &legacy_credentials(), &KeySettings::new()).unwrap())
        .with_account(Account::new(Scheme::CoinbaseCdp, &ed25519_credentials(), &KeySettings::new()).unwrap())
        .with_account(Account::new(Scheme::CoinbaseCdp, &es256_credentials(), &KeySettings::new()).unwrap())
        .start()
        .await
        .unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().user_agent("cexsign-tests").timeout(Duration::from_secs(10)).build().unwrap()
}

/// Sends and returns (status, body text).
async fn send(client: &reqwest::Client, request: reqwest::Request) -> (u16, String) {
    let response = client.execute(request).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn assert_accepted(client: &reqwest::Client, venue: &Venue, request: reqwest::Request, what: &str) {
    let target = format!("{} {}", request.method(), request.url());
    let (status, body) = send(client, request).await;
    assert_eq!(status, 200, "{}: {what}: {target} was rejected: {body}", venue.name);
    let echo: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(echo["cexsign"], "accepted", "{}: {body}", venue.name);
}

#[tokio::test]
async fn tricky_queries_are_accepted_for_every_scheme() {
    let exchange = exchange().await;
    let client = client();
    let queries = [
        "a=b c",                              // the URL parser sends %20; that is what gets signed
        "a=b+c",                              // + kept as +
        "path=a%2Fb",                         // an encoded slash
        "x=%20&y=+",                          // both spellings of a space
        "k=1&k=2&k=1",                        // duplicate keys, order kept
        "empty=&also=",                       // empty values
        "note=龙🚀",                          // raw UTF-8, percent-encoded by the URL parser
        "note=%E9%BE%99",                     // already encoded UTF-8
        "ccy=BTC,ETH&t=2024-06-08T12:30:45Z", // commas and colons left as is
    ];
    for venue in venues() {
        for query in queries {
            let url = format!("{}{}/tricky?{query}", exchange.base_url(), venue.prefix);
            let request = client.get(url).build_signed(venue.signer.as_ref(), Timestamp::now().unwrap()).unwrap();
            assert_accepted(&client, &venue, request, query).await;
        }
    }
}

#[tokio::test]
async fn bodies_are_signed_byte_for_byte() {
    let exchange = exchange().await;
    let client = client();
    let big =
        format!("{{\"orders\":[{}]}}", vec![r#"{"px":"1.0","sz":"2","side":"buy","note":"filler"}"#; 90].join(","));
    assert!(big.len() > 4096);
    let bodies = [
        r#"{"note":"龙🚀","escaped":"\u9f99"}"#.to_owned(), // raw UTF-8 next to a \u escape
        r#"{"instId": "BTC-USDT", "sz": "1"}"#.to_owned(),  // spaces after : and ,
        String::new(),                                      // empty POST: nothing appended, not {}
        big,                                                // > 4 KB batch
    ];
    for venue in venues() {
        for body in &bodies {
            let url = format!("{}{}/orders", exchange.base_url(), venue.prefix);
            let request = client
                .post(url)
                .body(body.clone())
                .build_signed(venue.signer.as_ref(), Timestamp::now().unwrap())
                .unwrap();
            assert_accepted(&client, &venue, request, &format!("body of {} bytes", body.len())).await;
        }
    }
}

#[tokio::test]
async fn delete_with_a_query_and_methods_typed_in_lower_case() {
    let exchange = exchange().await;
    let client = client();
    for venue in venues() {
        let at = Timestamp::now().unwrap();
        if venue.has_delete {
            let url = format!("{}{}/orders?symbol=BTC-USDT&tradeType=TRADE", exchange.base_url(), venue.prefix);
            let request = client.delete(url).build_signed(venue.signer.as_ref(), at).unwrap();
            assert_accepted(&client, &venue, request, "DELETE with query").await;
        }
        // The caller types "post"; the crate's Method makes it POST before reqwest sees it.
        let method: Method = "post".parse().unwrap();
        let url = format!("{}{}/orders", exchange.base_url(), venue.prefix);
        let request = client.request(method.into(), url).body("{}").build_signed(venue.signer.as_ref(), at).unwrap();
        assert_accepted(&client, &venue, request, "lower-case method").await;
    }
}

#[tokio::test]
async fn websocket_logins_are_verified_by_the_server() {
    let exchange = exchange().await;
    let client = client();
    for venue in venues() {
        let Ok(auth) = venue.signer.sign_ws(&WsRequest::subscribe(&["user"], &["BTC-USD"]), Timestamp::now().unwrap())
        else {
            assert_eq!(venue.signer.scheme(), Scheme::Kucoin);
            continue;
        };
        let url = format!("{}/cexsign/ws/{}", exchange.base_url(), venue.signer.scheme().id());
        let (status, body) =
            send(&client, client.post(&url).body(auth.message_json().to_owned()).build().unwrap()).await;
        assert_eq!(status, 200, "{}: {body}", venue.name);
        // Flip one character of the signature field: rejected.
        let tampered = auth.message_json().replacen(auth.signature(), &flip_first(auth.signature()), 1);
        let (status, body) = send(&client, client.post(&url).body(tampered).build().unwrap()).await;
        assert_ne!(status, 200, "{}: a tampered ws login was accepted: {body}", venue.name);
    }
}

fn flip_first(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// Signs a request, then lets `spoil` change it before it is sent.
async fn rejected(
    exchange: &RunningExchange,
    signer: &dyn Signer,
    method: reqwest::Method,
    path_and_query: &str,
    body: &str,
    at: Timestamp,
    spoil: impl FnOnce(&mut reqwest::Request),
) -> (u16, Value) {
    let client = client();
    let mut request = client
        .request(method, format!("{}{path_and_query}", exchange.base_url()))
        .body(body.to_owned())
        .build_signed(signer, at)
        .unwrap();
    spoil(&mut request);
    let (status, text) = send(&client, request).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test]
async fn tampered_body_and_query_get_each_exchanges_invalid_signature_error() {
    let exchange = exchange().await;
    let now = Timestamp::now().unwrap();
    let okx = OkxSigner::new(&okx_credentials("Passphrase1!"), OkxEnvironment::Live).unwrap();
    let (status, body) =
        rejected(&exchange, &okx, reqwest::Method::POST, "/api/v5/trade/order", r#"{"sz":"1"}"#, now, |r| {
            *r.body_mut() = Some(r#"{"sz":"9"}"#.into());
        })
        .await;
    assert_eq!((status, body["code"].as_str()), (401, Some("50113")), "{body}");
    assert!(body["cexsign_expected_prehash"].as_str().unwrap().ends_with(r#"{"sz":"9"}"#), "{body}");

    let kucoin = KucoinSigner::new(&kucoin_credentials("1111111"), KucoinKeyVersion::V3).unwrap();
    let (status, body) =
        rejected(&exchange, &kucoin, reqwest::Method::GET, "/api/v1/orders?symbol=BTC-USDT", "", now, |r| {
            r.url_mut().set_query(Some("symbol=ETH-USDT"));
        })
        .await;
    assert_eq!((status, body["code"].as_str()), (401, Some("400005")), "{body}");

    let delta = DeltaSigner::new(&delta_credentials()).unwrap();
    let (status, body) = rejected(&exchange, &delta, reqwest::Method::GET, "/v2/orders?product_id=1", "", now, |r| {
        r.url_mut().set_query(Some("product_id=2"));
    })
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["success"], false, "{body}");

    let exchange_signer = CoinbaseExchangeSigner::new(&exchange_credentials("testpassphrase")).unwrap();
    let (status, body) = rejected(&exchange, &exchange_signer, reqwest::Method::POST, "/orders", "{}", now, |r| {
        *r.body_mut() = Some("{ }".into());
    })
    .await;
    assert_eq!((status, body["message"].as_str()), (401, Some("invalid signature")), "{body}");

    let cdp = CoinbaseCdpSigner::new(&ed25519_credentials()).unwrap();
    let (status, body) = rejected(&exchange, &cdp, reqwest::Method::GET, "/api/v3/brokerage/accounts", "", now, |r| {
        r.url_mut().set_path("/api/v3/brokerage/orders");
    })
    .await;
    assert_eq!((status, body), (401, Value::String("Unauthorized".into())));
}

#[tokio::test]
async fn expired_timestamps_get_each_exchanges_expiry_error() {
    let exchange = exchange().await;
    let stale = Timestamp::from_unix_secs(Timestamp::now().unwrap().unix_secs() - 120);
    let okx = OkxSigner::new(&okx_credentials("Passphrase1!"), OkxEnvironment::Live).unwrap();
    let (status, body) =
        rejected(&exchange, &okx, reqwest::Method::GET, "/api/v5/account/balance", "", stale, |_| {}).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("50102")), "{body}");

    // KuCoin's window is 5 s: 10 s is already too old.
    let ten_seconds_ago = Timestamp::from_unix_millis(Timestamp::now().unwrap().unix_millis() as u64 - 10_000);
    let kucoin = KucoinSigner::new(&kucoin_credentials("1111111"), KucoinKeyVersion::V3).unwrap();
    let (status, body) =
        rejected(&exchange, &kucoin, reqwest::Method::GET, "/api/v1/accounts", "", ten_seconds_ago, |_| {}).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("400002")), "{body}");

    let delta = DeltaSigner::new(&delta_credentials()).unwrap();
    let (status, body) =
        rejected(&exchange, &delta, reqwest::Method::GET, "/v2/orders", "", ten_seconds_ago, |_| {}).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "expired_signature", "{body}");

    let exchange_signer = CoinbaseExchangeSigner::new(&exchange_credentials("testpassphrase")).unwrap();
    let (status, body) =
        rejected(&exchange, &exchange_signer, reqwest::Method::GET, "/accounts", "", stale, |_| {}).await;
    assert_eq!((status, body["message"].as_str()), (401, Some("request timestamp expired")), "{body}");

    let cdp = CoinbaseCdpSigner::new(&ed25519_credentials()).unwrap();
    let (status, _) =
        rejected(&exchange, &cdp, reqwest::Method::GET, "/api/v3/brokerage/accounts", "", stale, |_| {}).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn wrong_passphrase_and_missing_demo_header() {
    let exchange = LocalExchange::new()
        .with_account(
            Account::new(Scheme::Okx, &okx_credentials("Passphrase1!"), &KeySettings::new().demo(true)).unwrap(),
        )
        .with_account(
            Account::new(Scheme::Kucoin, &kucoin_credentials("1111111"), &KeySettings::new().key_version(2)).unwrap(),
        )
        .with_account(
            Account::new(Scheme::CoinbaseExchange, &exchange_credentials("testpassphrase"), &KeySettings::new())
                .unwrap(),
        )
        .start()
        .await
        .unwrap();
    let now = Timestamp::now().unwrap();

    let wrong = OkxSigner::new(&okx_credentials("not-it"), OkxEnvironment::Demo).unwrap();
    let (status, body) =
        rejected(&exchange, &wrong, reqwest::Method::GET, "/api/v5/account/balance", "", now, |_| {}).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("50105")), "{body}");

    // A demo key signed as live: no `x-simulated-trading: 1`.
    let live = OkxSigner::new(&okx_credentials("Passphrase1!"), OkxEnvironment::Live).unwrap();
    let (status, body) =
        rejected(&exchange, &live, reqwest::Method::GET, "/api/v5/account/balance", "", now, |_| {}).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("50101")), "{body}");
    let demo = OkxSigner::new(&okx_credentials("Passphrase1!"), OkxEnvironment::Demo).unwrap();
    let (status, body) =
        rejected(&exchange, &demo, reqwest::Method::GET, "/api/v5/account/balance", "", now, |_| {}).await;
    assert_eq!(status, 200, "{body}");

    let kucoin = KucoinSigner::new(&kucoin_credentials("2222222"), KucoinKeyVersion::V2).unwrap();
    let (status, body) = rejected(&exchange, &kucoin, reqwest::Method::GET, "/api/v1/accounts", "", now, |_| {}).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("400004")), "{body}");
    // The right passphrase sent in clear with a v2 key (the v1 form): also refused.
    let plain = KucoinSigner::new(&kucoin_credentials("1111111"), KucoinKeyVersion::V1).unwrap();
    let (status, body) = rejected(&exchange, &plain, reqwest::Method::GET, "/api/v1/accounts", "", now, |_| {}).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("400004")), "{body}");

    let cb = CoinbaseExchangeSigner::new(&exchange_credentials("wrong")).unwrap();
    let (status, body) = rejected(&exchange, &cb, reqwest::Method::GET, "/accounts", "", now, |_| {}).await;
    assert_eq!((status, body["message"].as_str()), (401, Some("Invalid Passphrase")), "{body}");
}

/// python-okx signs `?ccy=BTC ETH` with a raw space while the wire carries `%20`: OKX rejects
/// it. KuCoin's rule is the opposite: the wire is encoded and the decoded query is signed.
#[tokio::test]
async fn unencoded_query_signed_while_the_wire_is_encoded() {
    let exchange = exchange().await;
    let client = client();
    let now = Timestamp::now().unwrap();

    let okx = OkxSigner::new(&okx_credentials("Passphrase1!"), OkxEnvironment::Live).unwrap();
    // What python-okx does: sign the query as it was before encoding (`ccy=BTC,ETH`) and send
    // the encoded one (`ccy=BTC%2CETH`). (The pure API refuses a raw space, so the comma stands
    // in for it here.)
    let unencoded =
        SignableRequest::new(Method::Get, "/api/v5/account/bills").unwrap().with_query("ccy=BTC,ETH").unwrap();
    let signed = okx.sign(&unencoded, now).unwrap();
    let mut request =
        client.get(format!("{}/api/v5/account/bills?ccy=BTC%2CETH", exchange.base_url())).build().unwrap();
    signed.apply_to(request.headers_mut());
    let (status, body) = send(&client, request).await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((status, body["code"].as_str()), (401, Some("50113")), "{body}");
    assert!(body["cexsign_expected_prehash"].as_str().unwrap().ends_with("?ccy=BTC%2CETH"), "{body}");

    // ... and the right way: sign the built request.
    let mut request =
        client.get(format!("{}/api/v5/account/bills?ccy=BTC%2CETH", exchange.base_url())).build().unwrap();
    okx.sign_reqwest(&mut request, now).unwrap();
    assert_eq!(send(&client, request).await.0, 200);

    // KuCoin: the wire carries %2C, the signature covers `,` — accepted.
    let kucoin = KucoinSigner::new(&kucoin_credentials("1111111"), KucoinKeyVersion::V3).unwrap();
    let request = client
        .get(format!("{}/api/v1/orders?symbol=BTC-USDT%2CETH-USDT&remark=a+b%21", exchange.base_url()))
        .build_signed(&kucoin, now)
        .unwrap();
    assert_eq!(send(&client, request).await.0, 200);
}

#[tokio::test]
async fn server_time_endpoints_answer_in_each_exchanges_shape() {
    let exchange = exchange().await;
    let client = client();
    let get = async |path: &str| -> Value {
        let text = client.get(format!("{}{path}", exchange.base_url())).send().await.unwrap().text().await.unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let now_ms = Timestamp::now().unwrap().unix_millis() as i64;
    let near = |ms: i64| (ms - now_ms).abs() < 5_000;

    let okx: Value = get("/api/v5/public/time").await;
    assert!(near(okx["data"][0]["ts"].as_str().unwrap().parse().unwrap()), "{okx}");
    let kucoin: Value = get("/api/v1/timestamp").await;
    assert!(near(kucoin["data"].as_i64().unwrap()), "{kucoin}");
    let coinbase: Value = get("/api/v3/brokerage/time").await;
    assert!(near(coinbase["epochMillis"].as_str().unwrap().parse().unwrap()), "{coinbase}");
    let exchange_time: Value = get("/time").await;
    assert!(near((exchange_time["epoch"].as_f64().unwrap() * 1000.0) as i64), "{exchange_time}");
    let delta: Value = get("/v2/settings").await;
    assert!(near(delta["result"]["server_time"].as_i64().unwrap() / 1000), "{delta}");
}
