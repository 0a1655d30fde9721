//! The main job, end to end: starts the embedded local exchange, then for every scheme signs and
//! sends real HTTP requests with reqwest — a GET with a tricky query, a POST with a JSON body and
//! the websocket login — and finally one request with a classic mistake, to show the
//! exchange-shaped rejection. Fake credentials, loopback only.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use std::process::ExitCode;
use std::time::Duration;

use cexsign::CryptoComSigner;
use cexsign::client::RequestBuilderExt;
use cexsign::{
    BackpackSigner, BinanceKeyType, BinanceSigner, BitfinexSigner, BitgetSigner, BitmartSigner, BitmexSigner,
    BybitKeyType, BybitSigner, CoinbaseAdvancedHmacSigner, CoinbaseCdpSigner, CoinbaseExchangeSigner, Credentials,
    DeltaSigner, DeribitSigner, Error, GateSigner, HyperliquidSigner, KeySettings, KrakenFuturesSigner, KrakenSigner,
    KucoinKeyVersion, KucoinSigner, Method, MexcSigner, OkxEnvironment, OkxSigner, Scheme, SignOptions,
    SignableRequest, Signer, Timestamp, UpbitSigner, WireTimestamp, WsAuth, WsRequest,
};
use cexsign_local_exchange::{Account, LocalExchange};

/// One scheme's fake key, its signer, and the requests a bot typically sends.
struct Venue {
    signer: Box<dyn Signer>,
    account: Option<Account>,
    /// A GET with a tricky query (Kraken, whose private API is POST only: a form body).
    tricky: First,
    /// A POST with a JSON body (Binance: a form body, the only kind it takes).
    post: (&'static str, &'static str),
    ws: Ws,
}

/// The first request of a venue.
enum First {
    Get(&'static str),
    FormPost(&'static str, &'static str),
}

/// How a venue authenticates its websocket.
enum Ws {
    /// A subscribe message carrying the auth (Coinbase, Gate) or a login (OKX, Delta, Bybit,
    /// Bitget, which ignore the channels).
    Subscribe(&'static [&'static str], &'static [&'static str]),
    /// A signed API call (Binance's WebSocket API).
    Api(&'static str),
    /// No login message: a token from this signed REST call (KuCoin, Kraken).
    Token(&'static str),
    /// A private subscribe to these feeds signed over the challenge the server sent (Kraken
    /// Futures).
    Challenge(&'static [&'static str], &'static str),
    /// No login at all: private channels are subscribed by account address, unsigned
    /// (Hyperliquid); what the venue says instead.
    Unsigned(&'static str),
}

/// A Hyperliquid order action, its keys in the SDK's order.
const HYPERLIQUID_ORDER: &str = r#"{"type":"order","orders":[{"a":0,"b":true,"p":"64089.9","s":"0.0015","r":false,"t":{"limit":{"tif":"Gtc"}},"c":"0x1957bca15338f1b5170896711d82e4e9"}],"grouping":"na"}"#;

/// The Ed25519 key of the Binance vectors (a random fake).
const BINANCE_ED25519_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIHLSyh54CHgd6L5+7r7wlywf3JGF7fyqrEO2h98cT7SL
-----END PRIVATE KEY-----
";

fn venues() -> Result<Vec<Venue>, Error> {
    let okx = Credentials::new()
        .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
        .secret("22582BD0CFF14C41EDBF1AB98506286D")
        .passphrase("Passphrase1!");
    let kucoin =
        || Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111");
    let delta = || {
        Credentials::new()
            .api_key("a207900b7693435a8fa9230a38195d")
            .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f")
    };
    let exchange = || {
        Credentials::new()
            .api_key("0123456789abcdef0123456789abcdef")
            .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
            .passphrase("testpassphrase")
    };
    let legacy = || Credentials::new().api_key("4wRFpLxVyT8hZ2Qn").secret("kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA");
    let cdp = || {
        Credentials::new()
            .api_key("22222222-2222-4222-8222-222222222222")
            .secret("rlqr7i2xIlBlBIgb1ixS5DIdEGNQfcaSC6TJ5qwuLo+DIhgifpoVpR+Mj+fR9uFB3GjUknENdYqU+75wo3h+rA==")
    };
    let okx_order = r#"{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"30000","sz":"0.01"}"#;
    let kucoin_order = r#"{"clientOid":"5c52e11203aa","side":"buy","symbol":"BTC-USDT","type":"limit","price":"30000","size":"0.01","remark":"龙"}"#;
    let delta_order = r#"{"order_type":"limit_order","size":3,"side":"buy","limit_price":"0.0005","product_id":16}"#;
    let exchange_order = r#"{"product_id":"BTC-USD","side":"buy","type":"limit","price":"1.0","size":"1.0"}"#;
    let coinbase_order = r#"{"client_order_id":"0000-1","product_id":"BTC-USD","side":"BUY","order_configuration":{"market_market_ioc":{"quote_size":"10"}}}"#;
    // The five more schemes use the random fake keys of the conformance vectors (tests/vectors).
    let binance = || {
        Credentials::new()
            .api_key("rjtqhXsl1Wt5vNLDwtMIXNTowET1mtUt6aSXzjHVDI4YoNcSkw1pJ5SXoqw2mzaK")
            .secret(BINANCE_ED25519_PEM)
    };
    let bybit = || Credentials::new().api_key("ER7hE18bmyErarazk9").secret("8Jk3YlhaMspugwldvQHRsExWJi192pdqO03j");
    let kraken = || {
        Credentials::new()
            .api_key("RmOzOqvNafwopRcxN0LH9UdYy8PTRkzf2D1voflt3q7QN5b8WVar68Qi")
            .secret("G4uFqj49aBxIh+tgxotpGEz1h9erPk6l0L3g8PAm1FppFM3lIbkNpcsqoBajzVb8GF64Ct7baTv4tSpmGyPRQg==")
    };
    let bitget = || {
        Credentials::new()
            .api_key("bg_d9783a24ddc4e4535d80b7a6101aab20")
            .secret("39f3d9ef7bdefbed63506d477fab6f952c50612692b7ba41faaa67445b42dd5d")
            .passphrase("qgfqGQbpPP#N1O")
    };
    let gate = || {
        Credentials::new()
            .api_key("a1a9d1abd6b184059827d73a31bed2a1")
            .secret("7dab7dd4d38c0b75bc0fd56c8ac2021690dcba6a6c494560b83c72abf26635fe")
    };
    let binance_order = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.0015&price=64250.5";
    let bybit_order = r#"{"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "30000"}"#;
    let kraken_batch = r#"{"orders":["OG5V2Y-RYKVL-DT3V3B","OP3TRO-MDQG7-2Q6XX2"]}"#;
    let bitget_order = r#"{"symbol":"BTCUSDT","side":"buy","orderType":"limit","force":"gtc","price":"30000","size":"0.001","clientOid":"vg:0001"}"#;
    let gate_order =
        r#"{"text":"t-vg","currency_pair":"BTC_USDT","type":"limit","side":"buy","amount":"0.001","price":"30000"}"#;
    let bitmex = || {
        Credentials::new()
            .api_key("OqlUt16EeAyDyv7vhRYLNZVD")
            .secret("WUfhDg-huzNtcFauPHrEPxk6WLvqGLQy06nac5dQ689qufGZ")
    };
    let bitmex_order =
        r#"{"symbol":"XBTUSD","side":"Buy","orderQty":100,"price":60000,"ordType":"Limit","clOrdID":"vg-0001"}"#;
    let bitfinex = || {
        Credentials::new()
            .api_key("juuVA6PtvFe1fV31ONXTVqNj8tQLaCLxwL90EjTiAgK")
            .secret("L01gmaZFnxCWPdmV7tGdJOiVbxuARP8wxq67tq4wVAw")
    };
    let bitfinex_order =
        r#"{"type":"EXCHANGE LIMIT","symbol":"tBTCUST","amount":"0.0015","price":"62965.5","cid":7577507837353}"#;
    let deribit = || Credentials::new().api_key("ben2Kvln").secret("Zqwec49jTayxWHZLMvMf0qCovBAzDq9Et93ozpX0RoA");
    let deribit_order = r#"{"jsonrpc":"2.0","id":1,"method":"private/buy","params":{"instrument_name":"BTC-PERPETUAL","amount":10,"type":"limit","price":64250.5,"label":"vg-0001"}}"#;
    // BitMart's third credential is the memo chosen at key creation, given as the passphrase.
    let bitmart = || {
        Credentials::new()
            .api_key("849f22ff6ea8426c9319409e9339f09003088318")
            .secret("4eedcf19e1593576341a9592d4a12adb7fd32a1cb93c6f2f25b83fa955caef6c")
            .passphrase("vg-memo-01")
    };
    let bitmart_order = r#"{"symbol":"BTC_USDT","side":"buy","type":"limit","size":"0.0015","price":"64089.87","client_order_id":"vge6cd0033b7a6e6a7"}"#;
    // Kraken Futures' private key is base64 (64 bytes once decoded); its orders are form bodies.
    let kraken_futures = || {
        Credentials::new()
            .api_key("V+Yjqaho5np/S325kBzw/0Wch4qv+7OgSJjIz7RYUoGaQOvBf8hS9343")
            .secret("PKxpyRhZNLC5vTaXXuWtQjxbIOzGmKFC1PTxyMY7eBFSIiqunU2g2OsNUcO+2XxKobd3w9XxvoCH8ZLPcUT0Bw==")
    };
    let kraken_futures_order =
        "orderType=lmt&symbol=PF_XBTUSD&side=buy&size=0.0015&limitPrice=64036.3&cliOrdId=quickstart-kf-0001";
    // MEXC: one key for spot and contract; the quickstart drives the contract API.
    let mexc = || Credentials::new().api_key("mx0vzyccRd0ZpaniVb").secret("5da245ea1b7ea10467ecfeac598d8fce");
    let mexc_order = r#"{"symbol":"BTC_USDT","price":64250.5,"vol":1,"leverage":10,"side":1,"type":1,"openType":1,"externalOid":"vg-f844b43b7ef71d9d"}"#;
    // Hyperliquid's key is a wallet's private key; the account is its address. The action's key
    // order is signed (msgpack keeps it).
    let hyperliquid =
        || Credentials::new().secret("0x1a200dd7760f08613dae49a978f9c7b759e18e0c734156b9cdc3f062aeb661c9");
    let hyperliquid_cancel = r#"{"type":"cancel","cancels":[{"a":0,"o":27161311709}]}"#;
    // Upbit signs no time: a JWT with a nonce used once and the SHA-512 of the decoded parameters.
    let upbit = || {
        Credentials::new()
            .api_key("pdY7QibvO8tLw7AffHpDzaIAhNP9GO9GZPzgwkQI")
            .secret("eyTyGHJPSPr5PKgOCXrTyMCBYc3qoZFZrRQgCp3Y")
    };
    let upbit_order = r#"{"market":"KRW-BTC","side":"bid","volume":"0.0015","price":"90000000","ord_type":"limit","identifier":"quickstart-upbit-0001"}"#;
    // Backpack's secret is the base64 Ed25519 seed; the API key is its public key.
    let backpack = || {
        Credentials::new()
            .api_key("ab6aXLIdgm2EkBjqnCJvIKPJ0GdPWIIajevXiCcKGO0=")
            .secret("hYKOvyp+Y/RXR+Upm6E03HTBbd4mkfA6rg9+Z2TIvfQ=")
    };
    let backpack_order = r#"{"symbol":"SOL_USDC","side":"Bid","orderType":"Limit","price":"149.62","quantity":"0.0015","postOnly":true,"clientId":69124173}"#;
    // Crypto.com signs the params' keys sorted between the method, id, key and nonce; the body
    // sent is the whole request with its `sig` (the signer wraps the params given).
    let crypto_com = || Credentials::new().api_key("LBC1Qha760WroHgzDQxeaJ").secret("9i7mkrsCBWKacCZjFWljqm");
    let crypto_com_order = r#"{"instrument_name":"BTC_USDT","side":"BUY","type":"LIMIT","price":"64089.87","quantity":"0.0015","client_oid":"quickstart-cdc-0001","exec_inst":["POST_ONLY"]}"#;
    Ok(vec![
        Venue {
            signer: Box::new(OkxSigner::new(&okx, OkxEnvironment::Demo)?),
            account: Some(Account::new(Scheme::Okx, &okx, &KeySettings::new().demo(true))?),
            tricky: First::Get("/api/v5/account/bills?ccy=BTC,ETH&type=2&after=&begin=1700000000000"),
            post: ("/api/v5/trade/order", okx_order),
            ws: Ws::Subscribe(&[], &[]),
        },
        Venue {
            signer: Box::new(KucoinSigner::new(&kucoin(), KucoinKeyVersion::V3)?),
            account: Some(Account::new(Scheme::Kucoin, &kucoin(), &KeySettings::new().key_version(3))?),
            tricky: First::Get("/api/v1/accounts/ledgers?currency=BTC&remark=Long-term+portfolio%21&note=%E9%BE%99"),
            post: ("/api/v1/orders", kucoin_order),
            ws: Ws::Token("/api/v1/bullet-private"),
        },
        Venue {
            signer: Box::new(DeltaSigner::new(&delta())?),
            account: Some(Account::new(Scheme::Delta, &delta(), &KeySettings::new())?),
            tricky: First::Get("/v2/orders?product_ids=27%2C139&states=open&states=pending"),
            post: ("/v2/orders", delta_order),
            ws: Ws::Subscribe(&[], &[]),
        },
        Venue {
            signer: Box::new(CoinbaseExchangeSigner::new(&exchange())?.with_fraction_digits(3)?),
            account: Some(Account::new(Scheme::CoinbaseExchange, &exchange(), &KeySettings::new())?),
            tricky: First::Get("/orders?status=done&status=open&product_id=BTC-USD&limit=2"),
            post: ("/orders", exchange_order),
            ws: Ws::Subscribe(&["user"], &["BTC-USD"]),
        },
        Venue {
            signer: Box::new(CoinbaseCdpSigner::new(&cdp())?),
            account: Some(Account::new(Scheme::CoinbaseCdp, &cdp(), &KeySettings::new())?),
            tricky: First::Get(
                "/api/v3/brokerage/orders/historical/fills?product_ids=BTC-USD&start_sequence_timestamp=2024-06-08T12%3A30%3A45Z",
            ),
            post: ("/api/v3/brokerage/orders", coinbase_order),
            ws: Ws::Subscribe(&["user"], &["BTC-USD"]),
        },
        Venue {
            signer: Box::new(CoinbaseAdvancedHmacSigner::new(&legacy())?),
            account: Some(Account::new(Scheme::CoinbaseAdvancedHmac, &legacy(), &KeySettings::new())?),
            tricky: First::Get("/api/v3/brokerage/accounts?limit=1&cursor="),
            post: ("/api/v3/brokerage/orders", coinbase_order),
            ws: Ws::Subscribe(&["user"], &["BTC-USD"]),
        },
        Venue {
            signer: Box::new(BinanceSigner::new(&binance(), BinanceKeyType::Ed25519)?),
            account: Some(Account::new(Scheme::Binance, &binance(), &KeySettings::new().key_type("Ed25519"))?),
            tricky: First::Get("/api/v3/openOrders?symbol=%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT&recvWindow=5000"),
            post: ("/api/v3/order", binance_order),
            ws: Ws::Api("session.logon"),
        },
        Venue {
            signer: Box::new(BybitSigner::new(&bybit(), BybitKeyType::Hmac)?),
            account: Some(Account::new(Scheme::Bybit, &bybit(), &KeySettings::new().key_type("HMAC"))?),
            tricky: First::Get("/v5/order/history?category=spot&limit=50&cursor=132818%3A1%2C132818%3A1"),
            post: ("/v5/order/create", bybit_order),
            ws: Ws::Subscribe(&[], &[]),
        },
        Venue {
            signer: Box::new(KrakenSigner::new(&kraken())?),
            account: Some(Account::new(Scheme::Kraken, &kraken(), &KeySettings::new())?),
            tricky: First::FormPost(
                "/0/private/AddOrder",
                "ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25&oflags=post%2Cfciq",
            ),
            post: ("/0/private/CancelOrderBatch", kraken_batch),
            ws: Ws::Token("/0/private/GetWebSocketsToken"),
        },
        Venue {
            signer: Box::new(BitgetSigner::new(&bitget())?),
            account: Some(Account::new(Scheme::Bitget, &bitget(), &KeySettings::new())?),
            tricky: First::Get(
                "/api/v2/mix/account/account?marginCoin=USDT&productType=USDT-FUTURES&symbol=%E9%BE%99%E8%99%BEUSDT",
            ),
            post: ("/api/v2/spot/trade/place-order", bitget_order),
            ws: Ws::Subscribe(&[], &[]),
        },
        Venue {
            signer: Box::new(GateSigner::new(&gate())?),
            account: Some(Account::new(Scheme::Gate, &gate(), &KeySettings::new())?),
            tricky: First::Get("/api/v4/spot/my_trades?currency_pair=BTC_USDT&text=t-vg+2024-06-08%2012%3A30&limit=10"),
            post: ("/api/v4/spot/orders", gate_order),
            ws: Ws::Subscribe(&["spot.orders"], &["BTC_USDT"]),
        },
        Venue {
            signer: Box::new(BitmexSigner::new(&bitmex())?),
            account: Some(Account::new(Scheme::Bitmex, &bitmex(), &KeySettings::new())?),
            tricky: First::Get("/api/v1/order?symbol=XBTUSD&filter=%7B%22open%22%3A%20true%7D&reverse=true"),
            post: ("/api/v1/order", bitmex_order),
            ws: Ws::Subscribe(&[], &[]),
        },
        Venue {
            signer: Box::new(BitfinexSigner::new(&bitfinex())?),
            account: Some(Account::new(Scheme::Bitfinex, &bitfinex(), &KeySettings::new())?),
            tricky: First::FormPost("/v2/auth/r/orders/tBTCUST/hist", r#"{"start":1717921532000,"limit":25}"#),
            post: ("/v2/auth/w/order/submit", bitfinex_order),
            ws: Ws::Subscribe(&[], &[]),
        },
        Venue {
            signer: Box::new(DeribitSigner::new(&deribit())?),
            account: Some(Account::new(Scheme::Deribit, &deribit(), &KeySettings::new())?),
            tricky: First::Get(
                "/api/v2/private/get_user_trades_by_currency?currency=BTC&kind=future&count=20&label=vg+bot+%231",
            ),
            post: ("/api/v2/private/buy", deribit_order),
            ws: Ws::Subscribe(&[], &[]),
        },
        Venue {
            signer: Box::new(BitmartSigner::new(&bitmart())?),
            account: Some(Account::new(Scheme::Bitmart, &bitmart(), &KeySettings::new())?),
            tricky: First::Get("/account/v1/wallet?currency=BTC%2CETH%2CSOL"),
            post: ("/spot/v2/submit_order", bitmart_order),
            ws: Ws::Subscribe(&[], &[]),
        },
        Venue {
            signer: Box::new(KrakenFuturesSigner::new(&kraken_futures())?),
            account: Some(Account::new(Scheme::KrakenFutures, &kraken_futures(), &KeySettings::new())?),
            tricky: First::Get("/derivatives/api/v3/fills?lastFillTime=2024-06-08T12%3A30%3A45.000Z"),
            post: ("/derivatives/api/v3/sendorder", kraken_futures_order),
            ws: Ws::Challenge(&["open_orders"], "c100b894-1729-464d-ace1-52dbce11db42"),
        },
        Venue {
            signer: Box::new(MexcSigner::new(&mexc())?),
            account: Some(Account::new(Scheme::Mexc, &mexc(), &KeySettings::new())?),
            tricky: First::Get("/api/v1/private/order/list/history_orders?symbol=BTC_USDT&states=3%2C4&page_num=1"),
            post: ("/api/v1/private/order/submit", mexc_order),
            ws: Ws::Subscribe(&[], &[]),
        },
        Venue {
            signer: Box::new(HyperliquidSigner::new(&hyperliquid())?),
            account: Some(Account::new(Scheme::Hyperliquid, &hyperliquid(), &KeySettings::new())?),
            tricky: First::FormPost("/exchange", hyperliquid_cancel),
            post: ("/exchange", HYPERLIQUID_ORDER),
            ws: Ws::Unsigned("no websocket login: user channels take the address; a ws post is signed as REST"),
        },
        Venue {
            signer: Box::new(UpbitSigner::new(&upbit())?),
            account: Some(Account::new(Scheme::Upbit, &upbit(), &KeySettings::new())?),
            tricky: First::Get("/v1/orders/closed?market=KRW-BTC&start_time=2024-06-08T12%3A30%3A45%2B09%3A00"),
            post: ("/v1/orders", upbit_order),
            ws: Ws::Unsigned("no websocket login message: the handshake carries the same Authorization: Bearer token"),
        },
        Venue {
            signer: Box::new(BackpackSigner::new(&backpack())?),
            account: Some(Account::new(Scheme::Backpack, &backpack(), &KeySettings::new())?),
            tricky: First::Get("/wapi/v1/history/fills?symbol=SOL_USDC&limit=100&from=1717937474000"),
            post: ("/api/v1/order", backpack_order),
            ws: Ws::Subscribe(&["account.orderUpdate"], &[]),
        },
        Venue {
            signer: Box::new(CryptoComSigner::new(&crypto_com())?),
            account: Some(Account::new(Scheme::CryptoCom, &crypto_com(), &KeySettings::new())?),
            tricky: First::FormPost(
                "/exchange/v1/private/get-order-history",
                r#"{"instrument_name":null,"start_time":1717953520000,"end_time":1718039920000,"limit":100}"#,
            ),
            post: ("/exchange/v1/private/create-order", crypto_com_order),
            ws: Ws::Subscribe(&[], &[]),
        },
    ])
}

/// What a request came back with: the status, the exchange's own body (without the local
/// exchange's `cexsign_*` diagnostics), the local exchange's explanation and its diagnosis of
/// the mistake (`cexsign_diagnosis`: the catalogue code, or `correct` / `unknown`).
struct Reply {
    status: u16,
    body: String,
    reason: String,
    diagnosis: Option<String>,
}

impl Reply {
    /// Accepted: HTTP 200 and no `cexsign-reason`. The status alone does not tell: Bybit and
    /// Kraken answer their authentication errors with HTTP 200, as the real exchanges do.
    fn accepted(&self) -> bool {
        self.status == 200 && self.reason.is_empty()
    }
}

/// `code: explanation` of a `cexsign_diagnosis` object.
fn diagnosis_line(diagnosis: &serde_json::Value) -> Option<String> {
    let code = diagnosis["mistake"].as_str().or_else(|| diagnosis["verdict"].as_str())?;
    let explanation = diagnosis["explanation"].as_str().unwrap_or_default();
    // The first sentence says what is wrong (for a correct signature: the first two, where else
    // to look); the fix follows `Fix:`.
    let sentences = if code == "correct" { 2 } else { 1 };
    let what: String = explanation.split_inclusive(". ").take(sentences).collect();
    let fix = explanation.split_once(" Fix: ").map(|(_, fix)| fix.split(" Found: ").next().unwrap_or(fix));
    Some(match fix {
        Some(fix) => format!("{code}: {} Fix: {fix}", what.trim_end()),
        None => format!("{code}: {}", what.trim_end()),
    })
}

async fn send(client: &reqwest::Client, request: reqwest::Request) -> Reply {
    let response = match client.execute(request).await {
        Ok(response) => response,
        Err(e) => {
            return Reply { status: 0, body: e.without_url().to_string(), reason: String::new(), diagnosis: None };
        }
    };
    let status = response.status().as_u16();
    // The header is JSON-string escaped to stay visible ASCII.
    let header_reason = response
        .headers()
        .get("cexsign-reason")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| serde_json::from_str::<String>(&format!("\"{v}\"")).ok());
    let header_diagnosis = response
        .headers()
        .get("cexsign-diagnosis")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| serde_json::from_str::<String>(&format!("\"{v}\"")).ok())
        .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok());
    let text = response.text().await.unwrap_or_default();
    let (body, reason, diagnosis) = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Object(mut fields)) => {
            let reason = fields.remove("cexsign_reason").and_then(|r| r.as_str().map(str::to_owned));
            fields.remove("cexsign_expected_prehash");
            let diagnosis = fields.remove("cexsign_diagnosis");
            (serde_json::Value::Object(fields).to_string(), reason, diagnosis)
        }
        _ => (text, None, None),
    };
    let diagnosis = diagnosis.or(header_diagnosis).as_ref().and_then(diagnosis_line);
    Reply { status, body, reason: reason.or(header_reason).unwrap_or_default(), diagnosis }
}

fn line(scheme: Scheme, what: &str, reply: &Reply) {
    let verdict = if reply.accepted() { "accepted".to_owned() } else { format!("REJECTED {}", reply.body) };
    println!("{:<22} {what:<64} {} {verdict}", scheme.id(), reply.status);
}

/// The Content-Type of a body: JSON, or a form (Binance, Kraken).
fn content_type(body: &str) -> &'static str {
    if body.starts_with('{') { "application/json" } else { "application/x-www-form-urlencoded" }
}

/// The websocket message of a venue, signed at `at`.
fn ws_auth(venue: &Venue, at: Timestamp) -> Result<Option<WsAuth>, Error> {
    Ok(match venue.ws {
        Ws::Subscribe(channels, products) => Some(venue.signer.sign_ws(&WsRequest::subscribe(channels, products), at)?),
        Ws::Api(method) => Some(venue.signer.sign_ws(&WsRequest::api(method, &[]).with_id("quickstart-1"), at)?),
        Ws::Token(_) | Ws::Unsigned(_) => None,
        Ws::Challenge(feeds, challenge) => {
            Some(venue.signer.sign_ws(&WsRequest::subscribe(feeds, &[]).with_data(challenge), at)?)
        }
    })
}

/// Signs correctly, then breaks the request the way bots do, and returns (what, request).
/// `now` is the instant the venue's earlier requests were signed at.
fn with_mistake(
    venue: &Venue,
    client: &reqwest::Client,
    base: &str,
    now: Timestamp,
) -> Result<(String, reqwest::Request), Error> {
    let scheme = venue.signer.scheme();
    let signer = venue.signer.as_ref();
    let (path, body) = venue.post;
    let post = |at| {
        client
            .post(format!("{base}{path}"))
            .header("content-type", content_type(body))
            .body(body)
            .build_signed(signer, at)
    };
    let get = |at| match venue.tricky {
        First::Get(target) => client.get(format!("{base}{target}")).build_signed(signer, at),
        First::FormPost(target, body) => client.post(format!("{base}{target}")).body(body).build_signed(signer, at),
    };
    Ok(match scheme {
        Scheme::Okx => {
            let mut request = post(now)?;
            let spaced = body.replace("\":", "\": ").replace(',', ", ");
            *request.body_mut() = Some(spaced.into());
            ("mistake: JSON re-serialised with spaces after signing".into(), request)
        }
        Scheme::Kucoin => {
            let mut request = post(now)?;
            request.headers_mut().remove("kc-api-key-version");
            ("mistake: KC-API-KEY-VERSION dropped for a v3 key".into(), request)
        }
        Scheme::Delta => {
            let mut request = get(now)?;
            let reencoded = request.url().query().unwrap_or_default().replace("%2C", ",");
            request.url_mut().set_query(Some(&reencoded));
            ("mistake: query re-encoded after signing (%2C sent as ,)".into(), request)
        }
        Scheme::CoinbaseExchange | Scheme::Gate => {
            let mut request = get(now)?;
            let mut pairs: Vec<&str> = request.url().query().unwrap_or_default().split('&').collect();
            pairs.sort_unstable();
            let sorted = pairs.join("&");
            request.url_mut().set_query(Some(&sorted));
            ("mistake: query parameters sorted after signing".into(), request)
        }
        Scheme::CoinbaseCdp => {
            let mut request = post(now)?;
            request.url_mut().set_path("/api/v3/brokerage/orders/batch_cancel");
            ("mistake: JWT built for another endpoint (uri claim)".into(), request)
        }
        Scheme::Binance => {
            // An Ed25519 signature is base64: look for one with a '+' (about three in four).
            let mut at = now;
            let mut request = get(at)?;
            for _ in 0..100 {
                if request.url().query().unwrap_or_default().contains("%2B") {
                    break;
                }
                at = at.offset_by_millis(-1)?;
                request = get(at)?;
            }
            let raw = request.url().query().unwrap_or_default().replace("%2B", "+");
            request.url_mut().set_query(Some(&raw));
            ("mistake: base64 signature put on the URL unencoded (+ arrives as a space)".into(), request)
        }
        Scheme::Bybit => {
            let mut request = post(now)?;
            let compact = body.replace("\": ", "\":").replace(", ", ",");
            *request.body_mut() = Some(compact.into());
            ("mistake: body re-serialised compactly after signing (json=...)".into(), request)
        }
        Scheme::Kraken => {
            // A retry resent unchanged carries a nonce the key already used (the earlier requests
            // were signed from `now` on). Signing again would not: the signer gives each request
            // a new nonce; a nonce the bot writes into the body itself is signed as is.
            let nonce = now.offset_by_millis(1)?.unix_millis();
            let resent = body.replacen('{', &format!("{{\"nonce\":\"{nonce}\","), 1);
            let request = client
                .post(format!("{base}{path}"))
                .header("content-type", content_type(&resent))
                .body(resent)
                .build_signed(signer, now)?;
            ("mistake: a retry resent with a nonce already used".into(), request)
        }
        Scheme::KrakenFutures => {
            // A retry resent unchanged carries the Nonce of a request already sent; signing
            // again would not: the signer's nonces strictly increase.
            let mut request = get(now)?;
            let used = WireTimestamp::render(signer.rest_timestamp_format(), now)?;
            let url = request.url().clone();
            let signable =
                SignableRequest::new(Method::Get, url.path())?.with_query(url.query().unwrap_or_default())?;
            let signed = signer.sign_at(&signable, &used, &SignOptions::new())?;
            for (name, value) in signed.header_values() {
                request.headers_mut().insert(name.clone(), value);
            }
            ("mistake: a retry resent with a Nonce already used".into(), request)
        }
        Scheme::Hyperliquid => {
            // Signed over the action as given, sent re-serialised from a map that sorts its keys.
            let mut request = post(now)?;
            let sent = request.body().and_then(|b| b.as_bytes()).map(|b| String::from_utf8_lossy(b).into_owned());
            let sorted = r#"{"grouping":"na","orders":[{"a":0,"b":true,"c":"0x1957bca15338f1b5170896711d82e4e9","p":"64089.9","r":false,"s":"0.0015","t":{"limit":{"tif":"Gtc"}}}],"type":"order"}"#;
            *request.body_mut() = Some(sent.unwrap_or_default().replacen(HYPERLIQUID_ORDER, sorted, 1).into());
            ("mistake: action re-serialised with sorted keys after signing".into(), request)
        }
        Scheme::Upbit => {
            // The token signed with a secret that is not this access key's.
            let wrong = Credentials::new()
                .api_key("pdY7QibvO8tLw7AffHpDzaIAhNP9GO9GZPzgwkQI")
                .secret("qTbRkQ1Xn7Vb2Wc5Zd8Ef0Gh3Jk6Lm9Np2Qr5St8");
            let (path, _) = venue.post;
            let request = client
                .post(format!("{base}{path}"))
                .header("content-type", "application/json")
                .body(body)
                .build_signed(&UpbitSigner::new(&wrong)?, now)?;
            ("mistake: the token signed with another key's secret".into(), request)
        }
        Scheme::CryptoCom => {
            // ccxt 4.5.90 renders null as None: signed over "None", sent as null.
            let mut request = client
                .post(format!("{base}/exchange/v1/private/get-order-history"))
                .header("content-type", "application/json")
                .body(r#"{"instrument_name":"None","limit":20}"#)
                .build_signed(signer, now)?;
            let sent = request.body().and_then(|b| b.as_bytes()).map(|b| String::from_utf8_lossy(b).into_owned());
            *request.body_mut() = Some(sent.unwrap_or_default().replacen("\"None\"", "null", 1).into());
            ("mistake: null signed as None (ccxt 4.5.90's params_to_string)".into(), request)
        }
        Scheme::Bitget => {
            let wrong = Credentials::new()
                .api_key("bg_d9783a24ddc4e4535d80b7a6101aab20")
                .secret("39f3d9ef7bdefbed63506d477fab6f952c50612692b7ba41faaa67445b42dd5d")
                .passphrase("my-login-password");
            let request = client
                .get(format!("{base}/api/v2/spot/account/info"))
                .build_signed(&BitgetSigner::new(&wrong)?, now)?;
            ("mistake: the login password used as the API passphrase".into(), request)
        }
        _ => {
            let stale = Timestamp::from_unix_secs(now.unix_secs() - 90);
            ("mistake: timestamp 90 s old (a retry resent unchanged)".into(), post(stale)?)
        }
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("quickstart: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut venues = venues()?;
    let mut exchange = LocalExchange::new();
    for account in venues.iter_mut().filter_map(|venue| venue.account.take()) {
        exchange = exchange.with_account(account);
    }
    let exchange = exchange.start().await?;
    let base = exchange.base_url().to_owned();
    // Delta's CDN rejects requests without a User-Agent, and reqwest sends none by default.
    let client =
        reqwest::Client::builder().user_agent("cexsign-quickstart/0.1").timeout(Duration::from_secs(10)).build()?;
    println!("local exchange listening on {base}\n");

    let mut accepted = 0;
    for venue in &venues {
        let scheme = venue.signer.scheme();
        let signer = venue.signer.as_ref();
        let now = Timestamp::now()?;
        // One millisecond apart: Kraken's nonces must increase (the others do not mind).
        let at = |millis| now.offset_by_millis(millis);
        let mut ok = true;

        let (what, first) = match venue.tricky {
            First::Get(target) => {
                let get = client.get(format!("{base}{target}")).build_signed(signer, at(0)?)?;
                (format!("GET {}?{}", get.url().path(), get.url().query().unwrap_or_default()), get)
            }
            First::FormPost(path, form) => {
                let post = client
                    .post(format!("{base}{path}"))
                    .header("content-type", content_type(form))
                    .body(form)
                    .build_signed(signer, at(0)?)?;
                let kind = if form.starts_with('{') { "JSON" } else { "form" };
                (format!("POST {path} ({kind} body: {form})"), post)
            }
        };
        let reply = send(&client, first).await;
        line(scheme, &what, &reply);
        ok &= reply.accepted();

        let (path, body) = venue.post;
        let kind = if body.starts_with('{') { "JSON" } else { "form" };
        let post = client
            .post(format!("{base}{path}"))
            .header("content-type", content_type(body))
            .body(body)
            .build_signed(signer, at(1)?)?;
        let reply = send(&client, post).await;
        line(scheme, &format!("POST {path} ({} byte {kind} body)", body.len()), &reply);
        ok &= reply.accepted();

        let (what, reply) = match (ws_auth(venue, at(2)?)?, &venue.ws) {
            (Some(ws), _) => {
                let url = format!("{base}/cexsign/ws/{}", scheme.id());
                let fields: Vec<&str> = ws.fields().iter().map(|f| f.name()).collect();
                let reply = send(&client, client.post(url).body(ws.message_json().to_owned()).build()?).await;
                (format!("websocket auth ({})", fields.join(", ")), reply)
            }
            // KuCoin's and Kraken's private sockets take a token from a signed REST call instead.
            (None, Ws::Token(path)) => {
                let token = client
                    .post(format!("{base}{path}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .build_signed(signer, at(2)?)?;
                (format!("websocket token: POST {path} (empty body)"), send(&client, token).await)
            }
            (None, Ws::Unsigned(instead)) => {
                println!("{:<22} {instead}", scheme.id());
                (String::new(), Reply { status: 200, body: String::new(), reason: String::new(), diagnosis: None })
            }
            (None, _) => return Err("a venue without a websocket message or token call".into()),
        };
        if !what.is_empty() {
            line(scheme, &what, &reply);
        }
        ok &= reply.accepted();

        let (what, bad) = with_mistake(venue, &client, &base, now)?;
        let reply = send(&client, bad).await;
        if reply.accepted() {
            println!("{:<22} {what:<64} 200 ACCEPTED, but it should have been rejected", scheme.id());
        } else {
            println!("{:<22} {what:<64} {} {}", scheme.id(), reply.status, reply.body);
            println!("{:<22} ↳ {}", "", reply.reason);
            if let Some(diagnosis) = &reply.diagnosis {
                println!("{:<22} ↳ diagnosis: {diagnosis}", "");
            }
        }
        ok &= !reply.accepted();

        println!();
        accepted += usize::from(ok);
    }
    println!("{accepted}/{} schemes accepted by the local exchange", venues.len());
    exchange.shutdown().await;
    Ok(if accepted == venues.len() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
