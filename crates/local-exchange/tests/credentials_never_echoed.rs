//! No answer of the local exchange carries a key, secret or passphrase value a client presented,
//! whatever is wrong with the request: key and secret swapped, a wrong passphrase, an unknown
//! key, over REST and the websocket check endpoint. A key header holding a registered key's
//! secret is named `key-secret-swapped`, and an account's Debug shows neither its secret nor its
//! passphrase.

use cexsign::{
    Credentials, KeySettings, Method, Scheme, SignOptions, SignableRequest, Signer, Timestamp, WireTimestamp, WsLogin,
    WsRequest,
};
use cexsign_local_exchange::{Account, LocalExchange, Verifier};

/// The instant every request is signed at and checked at.
const AT: Timestamp = Timestamp::from_unix_millis(1_700_000_000_123);

/// A registered key: distinctive fake values, so that any echo of them is found.
struct Key {
    scheme: Scheme,
    api_key: &'static str,
    secret: &'static str,
    passphrase: Option<&'static str>,
    settings: KeySettings,
    /// A path the exchange owns (the routing of requests with its auth headers).
    path: &'static str,
    query: &'static str,
    body: &'static str,
    content_type: Option<&'static str>,
}

fn keys() -> Vec<Key> {
    let key = |scheme, api_key, secret, passphrase, path| Key {
        scheme,
        api_key,
        secret,
        passphrase,
        settings: KeySettings::new(),
        path,
        query: "limit=1",
        body: "",
        content_type: None,
    };
    vec![
        key(
            Scheme::Okx,
            "0b1c2d3e-okx-key-0001",
            "5EC2E70A0B1C2D3E4F5061728394A5B6",
            Some("OkxPassphrase!1"),
            "/api/v5/account/balance",
        ),
        Key {
            settings: KeySettings::new().key_version(2),
            ..key(
                Scheme::Kucoin,
                "6422da9c97b45100018c0001",
                "kucoin-secret-value-0001",
                Some("KucoinPassphrase01"),
                "/api/v1/accounts",
            )
        },
        key(Scheme::Delta, "deltaapikey0001", "deltasecretvalue0123456789abcdef", None, "/v2/orders"),
        key(
            Scheme::CoinbaseExchange,
            "0123456789abcdef0123456789ab0001",
            "Y29pbmJhc2UtZXhjaGFuZ2UtZmFrZS1zZWNyZXQtMDAwMXh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA==",
            Some("CoinbasePassphrase01"),
            "/orders",
        ),
        key(
            Scheme::CoinbaseAdvancedHmac,
            "AdvancedKey0001",
            "AdvancedSecretValue0123456789ab",
            None,
            "/api/v3/brokerage/accounts",
        ),
        key(
            Scheme::Binance,
            "BinanceKey0001aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "BinanceSecret0001bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            None,
            "/api/v3/account",
        ),
        key(Scheme::Bybit, "BybitKey0001", "BybitSecretValue0123456789abcdef", None, "/v5/order/realtime"),
        key(
            Scheme::Bitget,
            "bg_bitgetkey0001",
            "bitgetsecretvalue0123456789abcdef",
            Some("BitgetPassphrase01"),
            "/api/v2/spot/account/assets",
        ),
        key(Scheme::Gate, "gateapikey0001", "gatesecretvalue0123456789abcdef", None, "/api/v4/spot/accounts"),
        Key {
            query: "",
            body: "nonce=1700000000123&pair=XBTUSD",
            content_type: Some("application/x-www-form-urlencoded"),
            ..key(
                Scheme::Kraken,
                "KrakenApiKey0001",
                "a3Jha2VuLWZha2Utc2VjcmV0LTAwMDF5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eQ==",
                None,
                "/0/private/Balance",
            )
        },
    ]
}

fn credentials(key: &Key, passphrase: Option<&str>) -> Credentials {
    let credentials = Credentials::new().api_key(key.api_key).secret(key.secret);
    match passphrase {
        Some(passphrase) => credentials.passphrase(passphrase),
        None => credentials,
    }
}

fn verifier(keys: &[Key]) -> Verifier {
    keys.iter()
        .fold(LocalExchange::new(), |exchange, key| {
            let account = Account::new(key.scheme, &credentials(key, key.passphrase), &key.settings).unwrap();
            exchange.with_account(account)
        })
        .verifier()
}

fn signer(key: &Key, passphrase: Option<&str>) -> Box<dyn Signer> {
    key.scheme.exchange().signer(&credentials(key, passphrase), &key.settings).unwrap()
}

/// The answer to `key`'s request signed by `signer`, with `edit` applied to its headers.
fn rest_answer(
    verifier: &Verifier,
    key: &Key,
    signer: &dyn Signer,
    edit: impl FnOnce(&mut http::HeaderMap),
) -> http::Response<String> {
    let request = SignableRequest::new(Method::Get, key.path).unwrap().with_query(key.query).unwrap();
    let request = if key.body.is_empty() { request } else { request.with_body(key.body.as_bytes()) };
    let signed = signer.sign(&request, AT).unwrap();
    let query = signed.wire_query().unwrap_or(key.query);
    let body = signed.wire_body().unwrap_or(key.body.as_bytes()).to_vec();
    let target = if query.is_empty() { key.path.to_owned() } else { format!("{}?{query}", key.path) };
    let mut headers = signed.into_header_map();
    headers.insert("user-agent", http::HeaderValue::from_static("my-bot/1.0"));
    if let Some(content_type) = key.content_type {
        headers.insert("content-type", http::HeaderValue::from_static(content_type));
    }
    edit(&mut headers);
    verifier.check_at(if key.body.is_empty() { "GET" } else { "POST" }, &target, &headers, &body, AT)
}

/// Everything an answer says: status, body and every header.
fn answer_text(answer: &http::Response<String>) -> String {
    let headers: Vec<String> = answer
        .headers()
        .iter()
        .map(|(name, value)| format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())))
        .collect();
    format!("{} {}\n{}", answer.status(), answer.body(), headers.join("\n"))
}

fn assert_never_shown(what: &str, answer: &http::Response<String>, values: &[&str]) {
    // Some exchanges answer errors with HTTP 200 (Kraken, Bybit): an acceptance says so.
    assert!(!answer.body().contains(r#""cexsign":"accepted""#), "{what}: accepted: {}", answer_text(answer));
    let text = answer_text(answer);
    for value in values {
        assert!(!text.contains(value), "{what}: the answer shows {value:?}:\n{text}");
    }
}

/// The key header's name of `key`'s scheme.
fn key_header(key: &Key) -> &'static str {
    key.scheme.exchange().rest_auth.expect("an HMAC scheme names its key header").key
}

#[test]
fn a_key_header_holding_the_secret_is_named_a_swap_and_never_shown() {
    let keys = keys();
    let verifier = verifier(&keys);
    for key in &keys {
        let what = format!("{} key and secret swapped", key.scheme.id());
        let signer = signer(key, key.passphrase);
        let answer = rest_answer(&verifier, key, &*signer, |headers| {
            headers.insert(key_header(key), http::HeaderValue::from_str(key.secret).unwrap());
        });
        let mut secrets = vec![key.secret];
        secrets.extend(key.passphrase);
        assert_never_shown(&what, &answer, &secrets);
        let text = answer_text(&answer);
        assert!(text.contains("key-secret-swapped"), "{what}: not named:\n{text}");
        assert!(text.contains("swapped"), "{what}: the reason does not say so:\n{text}");
    }
}

#[test]
fn a_wrong_passphrase_is_never_shown() {
    let keys = keys();
    let verifier = verifier(&keys);
    for key in keys.iter().filter(|key| key.passphrase.is_some()) {
        let wrong = "TradingPassword-Wrong7";
        let signer = signer(key, Some(wrong));
        let answer = rest_answer(&verifier, key, &*signer, |_| {});
        let what = format!("{} wrong passphrase", key.scheme.id());
        assert_never_shown(&what, &answer, &[key.secret, key.passphrase.unwrap(), wrong]);
        assert!(answer_text(&answer).contains("passphrase-wrong"), "{what}: {}", answer_text(&answer));
    }
}

#[test]
fn an_unknown_key_is_never_shown() {
    let keys = keys();
    let verifier = verifier(&keys);
    for key in &keys {
        let unknown = "UnknownKeyValue0077";
        let signer = signer(key, key.passphrase);
        let answer = rest_answer(&verifier, key, &*signer, |headers| {
            headers.insert(key_header(key), http::HeaderValue::from_static(unknown));
        });
        let mut values = vec![key.secret, unknown];
        values.extend(key.passphrase);
        assert_never_shown(&format!("{} unknown key", key.scheme.id()), &answer, &values);
    }
}

#[test]
fn websocket_logins_with_the_secret_as_key_or_a_wrong_passphrase_never_show_them() {
    let keys = keys();
    let verifier = verifier(&keys);
    let mut checked = 0;
    for key in &keys {
        let wrong = "TradingPassword-Wrong7";
        for (what, passphrase, swap) in [("swapped", key.passphrase, true), ("wrong passphrase", Some(wrong), false)] {
            if !swap && key.passphrase.is_none() {
                continue;
            }
            let signer = signer(key, passphrase);
            let Ok(at) = WireTimestamp::render(signer.ws_timestamp_format(), AT) else { continue };
            let Ok(login) = signer.sign_ws_at(&WsRequest::login(), &at, &SignOptions::new()) else { continue };
            let message = login.message_json().to_owned();
            let message = if swap { message.replace(key.api_key, key.secret) } else { message };
            let target = format!("/cexsign/ws/{}", key.scheme.id());
            let answer = verifier.check_at("POST", &target, &http::HeaderMap::new(), message.as_bytes(), AT);
            let mut values = vec![key.secret, wrong];
            values.extend(key.passphrase);
            assert_never_shown(&format!("{} ws {what}", key.scheme.id()), &answer, &values);
            checked += 1;
        }
    }
    assert!(checked >= 6, "only {checked} websocket logins were checked");
}

#[test]
fn a_websocket_login_with_the_secret_as_key_is_named_a_swap_as_on_rest() {
    let keys = keys();
    let verifier = verifier(&keys);
    let mut named = Vec::new();
    for key in &keys {
        // The logins read field by field (the others are re-signed whole, or take their key
        // from elsewhere).
        if !matches!(
            key.scheme.exchange().ws_login,
            WsLogin::Signed(_) | WsLogin::Expires(_) | WsLogin::SignedParams(_)
        ) {
            continue;
        }
        let what = format!("{} ws key and secret swapped", key.scheme.id());
        let signer = signer(key, key.passphrase);
        let at = WireTimestamp::render(signer.ws_timestamp_format(), AT).unwrap();
        // A login; where the exchange (or this key type) has none, a signed subscribe to one
        // channel, or a signed API call.
        let options = SignOptions::new();
        let login = signer
            .sign_ws_at(&WsRequest::login(), &at, &options)
            .or_else(|_| signer.sign_ws_at(&WsRequest::subscribe(&["user"], &["BTC-USD"]), &at, &options))
            .or_else(|_| signer.sign_ws_at(&WsRequest::api("account.status", &[]), &at, &options))
            .unwrap();
        assert!(login.message_json().contains(key.api_key), "{what}: {}", login.message_json());
        let message = login.message_json().replace(key.api_key, key.secret);
        let target = format!("/cexsign/ws/{}", key.scheme.id());
        let answer = verifier.check_at("POST", &target, &http::HeaderMap::new(), message.as_bytes(), AT);
        let mut secrets = vec![key.secret];
        secrets.extend(key.passphrase);
        assert_never_shown(&what, &answer, &secrets);
        let body: serde_json::Value = serde_json::from_str(answer.body()).unwrap();
        assert_eq!(body["cexsign_diagnosis"]["mistake"], "key-secret-swapped", "{what}: {}", answer.body());
        assert!(body["cexsign_reason"].as_str().unwrap().contains("swapped"), "{what}: {}", answer.body());
        named.push(key.scheme);
    }
    let expected = [
        Scheme::Binance,
        Scheme::Okx,
        Scheme::Delta,
        Scheme::CoinbaseExchange,
        Scheme::CoinbaseAdvancedHmac,
        Scheme::Bybit,
        Scheme::Bitget,
        Scheme::Gate,
    ];
    for scheme in expected {
        assert!(named.contains(&scheme), "{scheme:?} was not checked: {named:?}");
    }
}

#[test]
fn an_account_debug_shows_neither_secret_nor_passphrase() {
    for key in keys() {
        let account = Account::new(key.scheme, &credentials(&key, key.passphrase), &key.settings).unwrap();
        let debug = format!("{account:?} {account:#?}");
        assert!(!debug.contains(key.secret), "{debug}");
        if let Some(passphrase) = key.passphrase {
            assert!(!debug.contains(passphrase), "{debug}");
        }
    }
}

/// BitMart signs its key's memo (`timestamp#memo#body`) but never sends it: the expected
/// prehash of a rejection would carry it to anyone holding only the API key. It is shown as
/// `<passphrase>`; nor does the websocket login's answer show it.
#[test]
fn a_passphrase_signed_but_never_sent_is_hidden_in_the_expected_prehash() {
    let memo = "BitmartMemoValue-0042";
    let key = Key {
        body: r#"{"symbol":"BTC_USDT","side":"buy"}"#,
        content_type: Some("application/json"),
        query: "",
        ..keys().remove(0)
    };
    let key = Key {
        scheme: Scheme::Bitmart,
        api_key: "bitmartapikey0001",
        secret: "bitmartsecretvalue0123456789abcdef",
        passphrase: Some(memo),
        path: "/spot/v2/submit_order",
        ..key
    };
    let verifier = verifier(std::slice::from_ref(&key));
    let wrong_secret = Key { secret: "bitmartsecretvalue0123456789abcdeX", settings: key.settings.clone(), ..key };
    let answer = rest_answer(&verifier, &key, &*signer(&wrong_secret, key.passphrase), |_| {});
    assert_never_shown("bitmart wrong secret", &answer, &[key.secret, wrong_secret.secret, memo]);
    let body: serde_json::Value = serde_json::from_str(answer.body()).unwrap();
    let prehash = body["cexsign_expected_prehash"].as_str().expect("the expected prehash is shown");
    assert!(prehash.contains("#<passphrase>#"), "{prehash}");

    let signer = signer(&wrong_secret, key.passphrase);
    let at = WireTimestamp::render(signer.ws_timestamp_format(), AT).unwrap();
    let login = signer.sign_ws_at(&WsRequest::login(), &at, &SignOptions::new()).unwrap();
    let answer =
        verifier.check_at("POST", "/cexsign/ws/bitmart", &http::HeaderMap::new(), login.message_json().as_bytes(), AT);
    // (BitMart's login is checked by re-signing it whole: its answer carries no prehash.)
    assert_never_shown("bitmart ws wrong secret", &answer, &[key.secret, wrong_secret.secret, memo]);
}
