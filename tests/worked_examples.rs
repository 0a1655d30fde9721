//! The worked examples of the signing spec (AUTH.md), independent of the vector files, plus the
//! negative examples it marks as wrong: the signer must not produce those.

use cexsign::{
    CoinbaseAdvancedHmacSigner, CoinbaseExchangeSigner, Credentials, DeltaSigner, KucoinKeyVersion, KucoinSigner,
    Method, OkxEnvironment, OkxSigner, SignOptions, SignableRequest, Signer, Timestamp, TimestampFormat, WsRequest,
};

fn request<'a>(method: &str, path: &'a str, query: &'a str, body: &'a str) -> SignableRequest<'a> {
    SignableRequest::new(method.parse().unwrap(), path).unwrap().with_query(query).unwrap().with_body(body.as_bytes())
}

fn prehash_of(signer: &dyn Signer, request: &SignableRequest<'_>, at: Timestamp) -> String {
    let signed = signer.sign_with(request, at, &SignOptions::new().keep_prehash()).unwrap();
    signed.prehash().unwrap().to_string()
}

#[test]
fn coinbase_advanced_legacy() {
    let signer = CoinbaseAdvancedHmacSigner::new(
        &Credentials::new().api_key("4wRFpLxVyT8hZ2Qn").secret("kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA"),
    )
    .unwrap();
    let at = Timestamp::from_unix_secs(1_700_000_000);
    let get = request("GET", "/api/v3/brokerage/accounts", "limit=1", "");
    assert_eq!(prehash_of(&signer, &get, at), "1700000000GET/api/v3/brokerage/accounts");
    assert_eq!(
        signer.sign(&get, at).unwrap().signature(),
        "4db049543ed2b9e7f32a4d552f177af6a8e3b5d71a71b86708bd2715940d1875"
    );
    let b1 = r#"{"client_order_id":"0000-1","product_id":"BTC-USD","side":"BUY","order_configuration":{"market_market_ioc":{"quote_size":"10"}}}"#;
    let post = request("post", "/api/v3/brokerage/orders", "", b1);
    assert_eq!(
        signer.sign(&post, at).unwrap().signature(),
        "d7d7f1dcb59f62d2bd56dd75ab964197072c9553f35acae1a202b1ae57d96ba8"
    );
    let ws = signer.sign_ws(&WsRequest::subscribe(&["level2"], &["BTC-USD", "ETH-USD"]), at).unwrap();
    assert_eq!(ws.signature(), "31fa5b8c1b3116fb910cd43cee1a76817952ae7d26941a04c7151db886a07c63");
}

#[test]
fn coinbase_exchange_and_its_undecoded_secret_negative() {
    let signer = CoinbaseExchangeSigner::new(
        &Credentials::new()
            .api_key("0123456789abcdef0123456789abcdef")
            .secret("3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==")
            .passphrase("testpassphrase"),
    )
    .unwrap()
    .with_fraction_digits(3)
    .unwrap();
    let at = TimestampFormat::UnixSecondsFraction { digits: 3 }.parse("1700000000.123").unwrap();
    let get = request("GET", "/orders", "status=done&limit=2", "");
    let signed = signer.sign(&get, at).unwrap();
    assert_eq!(signed.signature(), "ZlVMCMOet6xyvAS4KhwMHNPkv/bsOekwpci6BSLmE80=");
    assert_ne!(signed.signature(), "KLy0Bwl+GOetM2sXTzsHTwnqL9zZ4t5fojtyeJQophQ=", "secret used without decoding");
    assert_eq!(signed.header("cb-access-timestamp").unwrap(), "1700000000.123");
    let b3 = r#"{"product_id":"BTC-USD","side":"buy","type":"limit","price":"1.0","size":"1.0"}"#;
    assert_eq!(
        signer.sign(&request("POST", "/orders", "", b3), at).unwrap().signature(),
        "3iaFokobrPlxxGiRfsMXGoEVqnQWjS2ebFSAl4lvu2Q="
    );
    let whole_seconds = signer.with_fraction_digits(0).unwrap();
    let ws =
        whole_seconds.sign_ws(&WsRequest::subscribe(&["full"], &["BTC-USD"]), Timestamp::from_unix_secs(1_700_000_000));
    assert_eq!(ws.unwrap().signature(), "1Se5m1HNkfggZDlJk30vwLurrgxyXIRvxBPZioT7maA=");
}

#[test]
fn delta() {
    let signer = DeltaSigner::new(
        &Credentials::new()
            .api_key("a207900b7693435a8fa9230a38195d")
            .secret("7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f"),
    )
    .unwrap();
    let at = Timestamp::from_unix_secs(1_542_110_948);
    let get = request("get", "/v2/orders", "product_id=1&state=open", "");
    assert_eq!(prehash_of(&signer, &get, at), "GET1542110948/v2/orders?product_id=1&state=open");
    assert_eq!(
        signer.sign(&get, at).unwrap().signature(),
        "4e38dda3e6477092f360ba70399266d8145630b22bcc34c0ec7f804d5746877a"
    );
    let b4 = r#"{"order_type":"limit_order","size":3,"side":"buy","limit_price":"0.0005","product_id":16}"#;
    assert_eq!(
        signer.sign(&request("POST", "/v2/orders", "", b4), at).unwrap().signature(),
        "21227523c4a51990f857251a8397466b975c46d9afecc62db9abbe5a92f43964"
    );
    let ws = signer.sign_ws(&WsRequest::login(), at).unwrap();
    assert_eq!(ws.signature(), "ded5dbc0ebdbfba13e67d156ae2ed86a674396b933d27b3062b43848e3d6cf61");
    assert!(ws.message_json().starts_with(r#"{"type":"key-auth","payload":{"api-key":"#));
}

#[test]
fn kucoin_docs_example_and_the_encoded_query_negative() {
    let credentials =
        || Credentials::new().api_key("6422da9c97b45100018c6e62").secret("cde06451-dbed").passphrase("1111111");
    let signer = KucoinSigner::new(&credentials(), KucoinKeyVersion::V3).unwrap();
    let at = Timestamp::from_unix_millis(1_680_885_532_722);
    let b5 = r#"{"symbol":"BTC-USDT","side":"buy","size":"0.0001","price":"30000","type":"limit","clientOid":"2b802154-8d31-42e6-88ea-c8c18d3e4822","tradeType":"TRADE"}"#;
    let post = signer.sign(&request("POST", "/api/v1/orders", "", b5), at).unwrap();
    assert_eq!(post.signature(), "ncPuAcZW8WYUZyvblRVVgMfYoVH+FlCTO6K45/FMLFQ=");
    assert_eq!(post.header("kc-api-passphrase").unwrap(), "rl1Ki0WuwidRT48JnoGQo+AJ4UtZ6mQEKt6F5XYVnT4=");
    assert_eq!(post.header("kc-api-key-version").unwrap(), "3");

    let get = request("GET", "/api/v1/sub/api-key", "apiKey=67b3&subName=test&passphrase=abc%21%40%2311", "");
    assert_eq!(
        prehash_of(&signer, &get, at),
        "1680885532722GET/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc!@#11"
    );
    let signature = signer.sign(&get, at).unwrap().signature().to_owned();
    assert_eq!(signature, "q/dCTdmNJ+cb73LTri5Cez8JRHsKXXrNNV3i6zdb/RM=");
    assert_ne!(signature, "+sG4HE9VkojrVbOeSiJBRDXsXiWr9Y7HS6BfM8xOCgQ=", "the encoded query was signed");

    let bullet = signer.sign(&request("POST", "/api/v1/bullet-private", "", ""), at).unwrap();
    assert_eq!(bullet.signature(), "z8PzDW6jTB2e1pOzMl+y2VD91CtlRdMwWkkFBu1Cin0=");

    let v1 = KucoinSigner::new(&credentials(), KucoinKeyVersion::V1).unwrap();
    let signed = v1.sign(&request("POST", "/api/v1/bullet-private", "", ""), at).unwrap();
    assert_eq!(signed.header("kc-api-passphrase").unwrap(), "1111111");
    assert!(signed.header("kc-api-key-version").is_none());
    assert_eq!(signed.signature(), bullet.signature(), "the version changes headers, not the signature");
}

#[test]
fn okx_live_demo_and_ws_login() {
    let credentials = || {
        Credentials::new()
            .api_key("985d5b66-57ce-40fb-b714-afc0b9787083")
            .secret("22582BD0CFF14C41EDBF1AB98506286D")
            .passphrase("Passphrase1!")
    };
    let live = OkxSigner::new(&credentials(), OkxEnvironment::Live).unwrap();
    let at = TimestampFormat::Iso8601Millis.parse("2020-12-08T09:08:57.715Z").unwrap();
    let get = request("GET", "/api/v5/account/balance", "ccy=BTC", "");
    let signed = live.sign(&get, at).unwrap();
    assert_eq!(signed.signature(), "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=");
    assert!(signed.header("x-simulated-trading").is_none());
    let b6 =
        r#"{"instId":"BTC-USDT","tdMode":"cash","clOrdId":"b15","side":"buy","ordType":"limit","px":"2.15","sz":"2"}"#;
    let demo = OkxSigner::new(&credentials(), OkxEnvironment::Demo).unwrap();
    let post = demo.sign(&request("POST", "/api/v5/trade/order", "", b6), at).unwrap();
    assert_eq!(post.signature(), "dI6rrL9rXW/HdaPKJ/6LC1OgvH4/PYju6R3CqixMTNQ=");
    assert_eq!(post.header("x-simulated-trading").unwrap(), "1");
    let login = live.sign_ws(&WsRequest::login(), Timestamp::from_unix_secs(1_538_054_050)).unwrap();
    assert_eq!(login.signature(), "+LdIr8lkkvhr5hoA3g9TMC0+uQJ849ftAcocA/ouu4M=");
    assert_eq!(
        login.message_json(),
        r#"{"op":"login","args":[{"apiKey":"985d5b66-57ce-40fb-b714-afc0b9787083","passphrase":"Passphrase1!","timestamp":"1538054050","sign":"+LdIr8lkkvhr5hoA3g9TMC0+uQJ849ftAcocA/ouu4M="}]}"#
    );
}

#[test]
fn lower_case_methods_are_signed_upper_case_by_every_scheme() {
    let at = Timestamp::from_unix_millis(1_700_000_000_000);
    let signers: Vec<Box<dyn Signer>> = vec![
        Box::new(
            OkxSigner::new(&Credentials::new().api_key("k").secret("s").passphrase("p"), OkxEnvironment::Live).unwrap(),
        ),
        Box::new(
            KucoinSigner::new(&Credentials::new().api_key("k").secret("s").passphrase("p"), KucoinKeyVersion::V2)
                .unwrap(),
        ),
        Box::new(DeltaSigner::new(&Credentials::new().api_key("k").secret("s")).unwrap()),
        Box::new(CoinbaseAdvancedHmacSigner::new(&Credentials::new().api_key("k").secret("s")).unwrap()),
    ];
    for signer in signers {
        for (lower, upper) in
            [("get", Method::Get), ("post", Method::Post), ("delete", Method::Delete), ("Put", Method::Put)]
        {
            let a = request(lower, "/p", "", "{}");
            let b = SignableRequest::new(upper, "/p").unwrap().with_body(b"{}");
            let prehash = prehash_of(signer.as_ref(), &a, at);
            assert!(prehash.contains(upper.as_str()), "{prehash}");
            assert!(!prehash.contains(lower) || lower == upper.as_str(), "{prehash}");
            assert_eq!(signer.sign(&a, at).unwrap().signature(), signer.sign(&b, at).unwrap().signature());
        }
    }
}
