//! A user's hand-written client for the exchanges of AUTH-breadth.md whose homes declare
//! catalogue mistakes (BitMEX, Bitfinex, Deribit, BitMart, Kraken Futures, MEXC, Upbit, Backpack, Crypto.com), with one bug switched on. Each
//! prehash is written here from AUTH-breadth.md's rules, not from the homes' recipes, so that a
//! recipe that drifted from the documented rule fails these tests instead of agreeing with them.

use base64::Engine as _;
use cexsign::Scheme;
use cexsign::diagnose::{MistakeCode, SentRequest};
use hmac::{KeyInit as _, Mac as _};

use super::{B64, python_dumps};

/// AUTH-breadth.md's worked-example keys: (API key, secret, BitMart's memo).
pub(super) fn fake(scheme: Scheme) -> (&'static str, &'static str, Option<&'static str>) {
    match scheme {
        Scheme::Bitmex => ("LAqUlngMIQkIUjXMUreyu3qn", "chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO", None),
        Scheme::Bitfinex => ("bfxKEY0123456789", "bfxSECRET0123456789abcdefghijklmnopqrstuvw", None),
        Scheme::Deribit => ("AMANDA", "AMANDASECRECT", None),
        // The key of the first public vector; the secret is §3's worked example (the docs' ws key).
        // The key of the public vectors.
        Scheme::Upbit => ("pdY7QibvO8tLw7AffHpDzaIAhNP9GO9GZPzgwkQI", "eyTyGHJPSPr5PKgOCXrTyMCBYc3qoZFZrRQgCp3Y", None),
        // §10's worked example: the seed 00 01 … 1f and its public key.
        Scheme::Backpack => {
            ("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", None)
        }
        Scheme::Mexc => ("mx0vglBqh6abc123", "45d0b3c26f2644f19bfb98b07741b2f5", None),
        // §8's worked example.
        Scheme::CryptoCom => ("token", "secretKey", None),
        Scheme::KrakenFutures => (
            "V+Yjqaho5np/S325kBzw/0Wch4qv+7OgSJjIz7RYUoGaQOvBf8hS9343",
            "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm",
            None,
        ),
        _ => (
            "80618e45710812162b04892c7ee5ead4a3cc3e56",
            "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9",
            Some("test001"),
        ),
    }
}

pub(super) const SCHEMES: [Scheme; 9] = [
    Scheme::Bitmex,
    Scheme::Bitfinex,
    Scheme::Deribit,
    Scheme::Bitmart,
    Scheme::KrakenFutures,
    Scheme::Mexc,
    Scheme::Upbit,
    Scheme::Backpack,
    Scheme::CryptoCom,
];

fn hmac_sha384(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha384>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// The request each bug shows up on: (method, path, query, body), as sent.
fn request(scheme: Scheme, bug: Option<MistakeCode>) -> (&'static str, &'static str, &'static str, &'static str) {
    use MistakeCode::*;
    let query_bug =
        matches!(bug, Some(QueryNotSigned | QuerySignedWithoutQuestionMark | QuerySignedUnencoded | QueryOrderDiffers));
    let empty_body = bug == Some(EmptyBodyAsBraces);
    match scheme {
        Scheme::Bitmex if query_bug => ("GET", "/api/v1/order", "symbol=XBTUSD&filter=%7B%22open%22%3A+true%7D", ""),
        Scheme::Bitmex if empty_body => ("GET", "/api/v1/position", "", ""),
        Scheme::Bitmex => {
            ("POST", "/api/v1/order", "", r#"{"symbol":"XBTUSD","orderQty":10,"price":30000,"text":"龙"}"#)
        }
        Scheme::Bitfinex if empty_body => ("POST", "/v2/auth/r/wallets", "", ""),
        Scheme::Bitfinex => (
            "POST",
            "/v2/auth/w/order/submit",
            "",
            r#"{"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0.001","price":"30000","meta":{"note":"龙"}}"#,
        ),
        Scheme::Deribit if query_bug => (
            "GET",
            "/api/v2/private/get_open_orders_by_currency",
            "kind=future&currency=BTC&label=vg%20bot%20%E2%9C%93",
            "",
        ),
        Scheme::Deribit if empty_body => ("GET", "/api/v2/private/get_subaccounts", "", ""),
        Scheme::Deribit => (
            "POST",
            "/api/v2/private/buy",
            "",
            r#"{"jsonrpc":"2.0","id":7,"method":"private/buy","params":{"instrument_name":"BTC-PERPETUAL","amount":10,"label":"龙"}}"#,
        ),
        _ if query_bug => ("GET", "/spot/v4/query/history-orders", "symbol=BTC_USDT&orderMode=spot&note=a%2Cb", ""),
        // A POST without a body (what a cancel-all of every symbol can be): `{}` signed, nothing sent.
        _ if empty_body => ("POST", "/spot/v4/cancel_all", "", ""),
        _ => (
            "POST",
            "/spot/v2/submit_order",
            "",
            r#"{"symbol":"BTC_USDT","side":"buy","type":"limit","size":"0.0015","price":"30000","client_order_id":"vg龙"}"#,
        ),
    }
}

/// Signs and "sends" a request the way a user's code for `scheme` does, with `bug`.
pub(super) fn user_rest(scheme: Scheme, bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    if scheme == Scheme::KrakenFutures {
        return kraken_futures(bug);
    }
    if scheme == Scheme::Mexc {
        return mexc(bug);
    }
    if scheme == Scheme::Upbit {
        return upbit(bug);
    }
    if scheme == Scheme::Backpack {
        return backpack(bug);
    }
    if scheme == Scheme::CryptoCom {
        return crypto_com(bug);
    }
    let is = |code| bug == Some(code);
    let (key, secret, memo) = fake(scheme);
    let (key, secret) = if is(KeySecretSwapped) { (secret, key) } else { (key, secret) };
    let (method, path, query, body) = request(scheme, bug);

    // The timestamp each scheme sends: BitMEX an expiry in seconds, Bitfinex a nonce in
    // microseconds, Deribit and BitMart milliseconds.
    let sent_ts = match (scheme, bug) {
        (Scheme::Bitmex, _) => "1700000005".to_owned(),
        (Scheme::Bitfinex, _) => "1700000000123000".to_owned(),
        (_, Some(TimestampSecondsForMilliseconds)) => "1700000000".to_owned(),
        _ => "1700000000123".to_owned(),
    };
    let signed_ts = match (scheme, bug) {
        (Scheme::Bitmex, Some(TimestampHeaderDiffers)) => "1700000006".to_owned(),
        (Scheme::Bitfinex, Some(TimestampHeaderDiffers)) => "1700000000122999".to_owned(),
        (_, Some(TimestampHeaderDiffers)) => "1700000000124".to_owned(),
        _ => sent_ts.clone(),
    };

    let signed_method = if is(MethodLowercase) { method.to_ascii_lowercase() } else { method.to_owned() };
    let signed_path = match bug {
        Some(PathMissingLeadingSlash) => path[1..].to_owned(),
        Some(PathIncludesHost) => format!("https://{}{path}", scheme.exchange().hosts[0]),
        _ => path.to_owned(),
    };
    let decoded_query = cexsign::decode_query(query).unwrap().into_owned();
    // The query as the user's code signs it, without its `?`.
    let signed_query = match bug {
        Some(QueryNotSigned) => String::new(),
        Some(QuerySignedUnencoded) => decoded_query,
        // Sorted for signing, sent as built.
        Some(QueryOrderDiffers) => {
            let mut pairs: Vec<&str> = query.split('&').collect();
            pairs.sort_unstable();
            pairs.join("&")
        }
        _ => query.to_owned(),
    };
    let question_mark = !signed_query.is_empty() && !is(QuerySignedWithoutQuestionMark);
    let signed_body = match bug {
        Some(BodyReserialized) => python_dumps(body),
        Some(EmptyBodyAsBraces) => "{}".to_owned(),
        _ => body.to_owned(),
    };
    let path_and_query = format!("{signed_path}{}{signed_query}", if question_mark { "?" } else { "" });

    let prehash = match scheme {
        Scheme::Bitmex => format!("{signed_method}{path_and_query}{signed_ts}{signed_body}"),
        Scheme::Bitfinex => format!("/api{signed_path}{signed_ts}{signed_body}"),
        Scheme::Deribit => {
            format!("{signed_ts}\n{}\n{signed_method}\n{path_and_query}\n{signed_body}\n", deribit_nonce())
        }
        // BitMart signs the query of a GET (without `?`) or the body, after the memo.
        _ => {
            let payload = if method == "GET" { signed_query.clone() } else { signed_body.clone() };
            format!("{signed_ts}#{}#{payload}", memo.unwrap())
        }
    };
    let hmac_key = if is(SecretHexDecoded) { hex::decode(secret).unwrap() } else { secret.as_bytes().to_vec() };
    let (prehash, hmac_key) =
        if is(HmacArgumentsSwapped) { (hmac_key, prehash.into_bytes()) } else { (prehash.into_bytes(), hmac_key) };
    let signature = if scheme == Scheme::Bitfinex {
        hmac_sha384(&hmac_key, &prehash)
    } else {
        super::hmac_sha256(&hmac_key, &prehash).to_vec()
    };
    let signature = if is(Base64InsteadOfHex) { B64.encode(signature) } else { hex::encode(signature) };

    let sent = SentRequest::rest(method, path).with_query(query).with_body(body);
    match scheme {
        Scheme::Bitmex => {
            sent.with_auth("api-key", key).with_auth("api-signature", &signature).with_auth("api-expires", &sent_ts)
        }
        Scheme::Bitfinex => {
            sent.with_auth("bfx-apikey", key).with_auth("bfx-signature", &signature).with_auth("bfx-nonce", &sent_ts)
        }
        Scheme::Deribit => sent.with_auth(
            "Authorization",
            &format!("deri-hmac-sha256 id={key},ts={sent_ts},sig={signature},nonce={}", deribit_nonce()),
        ),
        _ => sent.with_auth("X-BM-KEY", key).with_auth("X-BM-SIGN", &signature).with_auth("X-BM-TIMESTAMP", &sent_ts),
    }
}

/// Deribit's nonce: any text of the client's, once per request.
fn deribit_nonce() -> &'static str {
    "1iqt2wls"
}

fn hmac_sha512(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Kraken Futures (§3): `Authent = base64(HMAC-SHA512(base64_decode(secret), SHA256(postData +
/// nonce + endpointPath)))`, postData the query or form body as sent, endpointPath the path
/// without its leading `/derivatives`; the nonce in a `Nonce` header.
fn kraken_futures(bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    use sha2::Digest as _;
    let is = |code| bug == Some(code);
    let (key, secret, _) = fake(Scheme::KrakenFutures);
    let (key, secret) = if is(KeySecretSwapped) { (secret, key) } else { (key, secret) };
    let query_bug = matches!(bug, Some(QueryNotSigned | QuerySignedUnencoded | QueryOrderDiffers));
    let (method, path, query, body) = if query_bug {
        ("GET", "/derivatives/api/v3/fills", "symbol=PF_XBTUSD&lastFillTime=2024-06-08T12%3A30%3A45.000Z", "")
    } else {
        (
            "POST",
            "/derivatives/api/v3/sendorder",
            "",
            "orderType=lmt&symbol=PF_XBTUSD&side=buy&size=1&limitPrice=30000&cliOrdId=vg%3A1",
        )
    };
    let nonce = "1700000000123";
    let hashed_nonce = match bug {
        Some(TimestampHeaderDiffers) => "1700000000124",
        Some(KrakenNonceNotHashed) => "",
        _ => nonce,
    };
    let post_data = match bug {
        Some(QueryNotSigned) => String::new(),
        Some(QuerySignedUnencoded) => cexsign::decode_query(query).unwrap().into_owned(),
        // The parameters sorted by name when they are encoded for signing, sent as built.
        Some(QueryOrderDiffers) => {
            let mut pairs: Vec<&str> = query.split('&').collect();
            pairs.sort_unstable();
            pairs.join("&")
        }
        // The dict encoded again for signing, in another order than the body sent.
        Some(FormBodyReencoded) => {
            let mut pairs: Vec<&str> = body.split('&').collect();
            pairs.sort_unstable();
            pairs.join("&")
        }
        _ if method == "GET" => query.to_owned(),
        _ => body.to_owned(),
    };
    let endpoint = if is(PathPrefixNotStripped) { path } else { path.strip_prefix("/derivatives").unwrap() };
    let digest = sha2::Sha256::digest(format!("{post_data}{hashed_nonce}{endpoint}").as_bytes()).to_vec();
    let message = if is(KrakenDigestHex) { hex::encode(&digest).into_bytes() } else { digest };
    let hmac_key = if is(SecretNotBase64Decoded) { secret.as_bytes().to_vec() } else { B64.decode(secret).unwrap() };
    let mac =
        if is(HmacArgumentsSwapped) { hmac_sha512(&message, &hmac_key) } else { hmac_sha512(&hmac_key, &message) };
    let authent = if is(HexInsteadOfBase64) { hex::encode(mac) } else { B64.encode(mac) };
    SentRequest::rest(method, path)
        .with_query(query)
        .with_body(body)
        .with_auth("APIKey", key)
        .with_auth("Authent", &authent)
        .with_auth("Nonce", nonce)
}

/// Whether `sent` is a MEXC spot request (`/api/v3/`), which the local exchange does not verify
/// (MEXC's home says so): its mistakes are checked with the diagnosis alone.
pub(super) fn is_mexc_spot(scheme: Scheme, sent: &SentRequest) -> bool {
    scheme == Scheme::Mexc && sent.wire_request().is_some_and(|(_, target, _)| target.starts_with("/api/v3/"))
}

/// MEXC (§6). Contract (`/api/v1/private/`): `Signature = hex(HMAC-SHA256(secret, ApiKey +
/// Request-Time + paramString))`, paramString the JSON body of a POST as sent, or a GET's
/// parameters sorted by name with their values URL-encoded. Spot (`/api/v3/`): the query as sent,
/// `timestamp` among its parameters, `&signature=` appended last, the key in `X-MEXC-APIKEY`.
fn mexc(bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    let is = |code| bug == Some(code);
    let (key, secret, _) = fake(Scheme::Mexc);
    let (key, secret) = if is(KeySecretSwapped) { (secret, key) } else { (key, secret) };
    let hmac_key = if is(SecretHexDecoded) { hex::decode(secret).unwrap() } else { secret.as_bytes().to_vec() };
    let mac = |message: &str| {
        let (k, m) = if is(HmacArgumentsSwapped) {
            (message.as_bytes().to_vec(), hmac_key.clone())
        } else {
            (hmac_key.clone(), message.as_bytes().to_vec())
        };
        let mac = super::hmac_sha256(&k, &m);
        if is(Base64InsteadOfHex) { B64.encode(mac) } else { hex::encode(mac) }
    };

    // Spot: pymexc signs `%20` and sends `+`; a client that sorts its parameters for signing
    // sends them as built.
    if matches!(bug, Some(QueryEncodingDiffers | QueryOrderDiffers)) {
        let sent = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&newClientOrderId=vg+1&recvWindow=5000\
                    &timestamp=1700000000123";
        let signed = if is(QueryEncodingDiffers) {
            sent.replace('+', "%20")
        } else {
            let mut pairs: Vec<&str> = sent.split('&').collect();
            pairs.sort_unstable();
            pairs.join("&")
        };
        let query = format!("{sent}&signature={}", mac(&signed));
        return SentRequest::rest("POST", "/api/v3/order").with_query(&query).with_auth("X-MEXC-APIKEY", key);
    }

    // Contract. A GET's parameters go sorted by name and encoded, as MEXC signs them.
    let query_bug = matches!(bug, Some(QueryNotSigned | QuerySignedUnencoded));
    let (method, path, query, body) = if query_bug {
        ("GET", "/api/v1/private/order/batch_query", "order_ids=101%2C102&symbol=BTC_USDT", "")
    } else if is(EmptyBodyAsBraces) {
        // A cancel-all of every symbol: no body sent, `{}` signed.
        ("POST", "/api/v1/private/order/cancel_all", "", "")
    } else {
        (
            "POST",
            "/api/v1/private/order/submit",
            "",
            r#"{"symbol":"BTC_USDT","price":30000,"vol":1,"side":1,"type":1,"openType":1,"externalOid":"vg-1"}"#,
        )
    };
    let sent_ts = if is(TimestampSecondsForMilliseconds) { "1700000000" } else { "1700000000123" };
    let signed_ts = if is(TimestampHeaderDiffers) { "1700000000124" } else { sent_ts };
    let param_string = match bug {
        Some(QueryNotSigned) => String::new(),
        // pymexc: the values joined raw for signing, encoded by the HTTP client.
        Some(QuerySignedUnencoded) => cexsign::decode_query(query).unwrap().into_owned(),
        Some(EmptyBodyAsBraces) => "{}".to_owned(),
        // pymexc 1.3.1: the JSON body's fields signed as k=v pairs sorted by name.
        Some(BodyReserialized) => {
            "externalOid=vg-1&openType=1&price=30000&side=1&symbol=BTC_USDT&type=1&vol=1".to_owned()
        }
        _ if method == "GET" => query.to_owned(),
        _ => body.to_owned(),
    };
    let signature = mac(&format!("{key}{signed_ts}{param_string}"));
    SentRequest::rest(method, path)
        .with_query(query)
        .with_body(body)
        .with_auth("ApiKey", key)
        .with_auth("Request-Time", sent_ts)
        .with_auth("Signature", &signature)
}

/// Upbit (§9): `Authorization: Bearer <JWT>`, HS256 over the compact header and claims
/// `{"access_key", "nonce"[, "query_hash", "query_hash_alg":"SHA512"]}`, query_hash =
/// hex(SHA-512(q)), q the parameters unencoded: a GET's query in the order sent, decoded; a JSON
/// body's fields as k=v in body order.
fn upbit(bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    use sha2::Digest as _;
    let is = |code| bug == Some(code);
    let (key, secret, _) = fake(Scheme::Upbit);
    let (key, secret) = if is(KeySecretSwapped) { (secret, key) } else { (key, secret) };
    let (method, path, query, body, fields) = match bug {
        // pyupbit 0.2.34: `urlencode(params)` hashed, so a ':' or '+' is hashed encoded.
        Some(QuerySignedEncoded) => {
            ("GET", "/v1/orders/closed", "market=KRW-BTC&start_time=2024-06-08T12%3A30%3A45%2B09%3A00", "", "")
        }
        Some(QueryOrderDiffers) => {
            ("GET", "/v1/orders/open", "states%5B%5D=wait&states%5B%5D=watch&market=KRW-BTC", "", "")
        }
        _ => (
            "POST",
            "/v1/orders",
            "",
            r#"{"market":"KRW-BTC","side":"bid","volume":"0.01","price":"100","ord_type":"limit","identifier":"vg-1"}"#,
            "market=KRW-BTC&side=bid&volume=0.01&price=100&ord_type=limit&identifier=vg-1",
        ),
    };
    let q = match bug {
        Some(QuerySignedEncoded) => query.to_owned(),
        // `sorted(params)` hashed, the query sent as built.
        Some(QueryOrderDiffers) => {
            let decoded = cexsign::decode_query(query).unwrap().into_owned();
            let mut pairs: Vec<&str> = decoded.split('&').collect();
            pairs.sort_unstable();
            pairs.join("&")
        }
        Some(BodyReserialized) => body.to_owned(),
        _ if method == "GET" => cexsign::decode_query(query).unwrap().into_owned(),
        _ => fields.to_owned(),
    };
    let query_hash = hex::encode(sha2::Sha512::digest(q.as_bytes()));
    let nonce = "00000000-0000-4000-8000-000000000000";
    let claims =
        format!(r#"{{"access_key":"{key}","nonce":"{nonce}","query_hash":"{query_hash}","query_hash_alg":"SHA512"}}"#);
    let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let input = format!("{}.{}", b64url.encode(r#"{"alg":"HS256","typ":"JWT"}"#), b64url.encode(claims));
    let hmac_key = if is(SecretBase64Decoded) { B64.decode(secret).unwrap() } else { secret.as_bytes().to_vec() };
    let signature = b64url.encode(super::hmac_sha256(&hmac_key, input.as_bytes()));
    SentRequest::rest(method, path)
        .with_query(query)
        .with_body(body)
        .with_auth("Authorization", &format!("Bearer {input}.{signature}"))
}

/// Backpack (§10): `X-Signature` = base64(Ed25519(seed, `instruction=<call>&` + the parameters
/// sorted by key as `k=v`, not URL-encoded, booleans `true`/`false`, + `&timestamp=<ms>&window=<ms>`)),
/// the parameters being the query's (GET) or the JSON body's fields; `X-API-Key` is the base64
/// public key, the secret the base64 seed.
fn backpack(bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    let is = |code| bug == Some(code);
    let (key, secret, _) = fake(Scheme::Backpack);
    let (key, secret) = if is(KeySecretSwapped) { (secret, key) } else { (key, secret) };
    backpack_signed(bug, key, secret)
}

/// Backpack's request for `bug`, with `key` in `X-API-Key` and signed with the seed `secret`
/// holds (base64).
pub(super) fn backpack_signed(bug: Option<MistakeCode>, key: &str, secret: &str) -> SentRequest {
    use MistakeCode::*;
    let is = |code| bug == Some(code);
    let (ts, window) = ("1700000000000", "5000");
    // The request, its instruction, and its parameters as the client holds them (decoded, in the
    // order it built them).
    let (method, path, query, body, instruction, mut params): (&str, &str, &str, &str, &str, Vec<(&str, &str)>) =
        match bug {
            Some(QueryOrderDiffers | QuerySignedEncoded) => (
                "GET",
                "/wapi/v1/history/fills",
                "symbol=SOL_USDC&marketType=SPOT%2CPERP&from=1717937474000",
                "",
                "fillHistoryQueryAll",
                vec![("symbol", "SOL_USDC"), ("marketType", "SPOT,PERP"), ("from", "1717937474000")],
            ),
            // ccxt looks the instruction up by the method string: a lower-case method finds none.
            Some(InstructionWrong) => (
                "DELETE",
                "/api/v1/order",
                "",
                r#"{"orderId":"111947737399771136","symbol":"SOL_USDC"}"#,
                "",
                vec![("orderId", "111947737399771136"), ("symbol", "SOL_USDC")],
            ),
            _ => (
                "POST",
                "/api/v1/order",
                "",
                r#"{"symbol":"SOL_USDC","side":"Bid","orderType":"Limit","price":"150.00","quantity":"1","postOnly":true}"#,
                "orderExecute",
                vec![
                    ("symbol", "SOL_USDC"),
                    ("side", "Bid"),
                    ("orderType", "Limit"),
                    ("price", "150.00"),
                    ("quantity", "1"),
                    ("postOnly", if is(BooleanCapitalized) { "True" } else { "true" }),
                ],
            ),
        };
    if !is(QueryOrderDiffers) {
        params.sort_by_key(|(name, _)| *name);
    }
    let mut signing = vec![format!("instruction={instruction}")];
    let time = [format!("timestamp={ts}"), format!("window={window}")];
    if is(PrehashOrderWrong) {
        signing.extend(time.iter().cloned());
    }
    for (name, value) in &params {
        let value: String = if is(QuerySignedEncoded) {
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
        } else {
            (*value).to_owned()
        };
        signing.push(format!("{name}={value}"));
    }
    if !is(PrehashOrderWrong) {
        signing.extend(time.iter().cloned());
    }
    let seed: [u8; 32] = B64.decode(secret).unwrap().try_into().unwrap();
    let signature =
        ed25519_dalek::Signer::sign(&ed25519_dalek::SigningKey::from_bytes(&seed), signing.join("&").as_bytes());
    let signature = B64.encode(signature.to_bytes());
    if bug.is_none() && secret == fake(Scheme::Backpack).1 {
        // §10's worked example, byte for byte.
        assert_eq!(
            signature,
            "eSsRBfzvSdu7OzL1P8l1sAwuq1nelAN1L/QE8++DVQzTdUGcN7pfIZzAXJuPNEK6Pklq0zdOJFOL+TLszuLtBA=="
        );
    }
    SentRequest::rest(method, path)
        .with_query(query)
        .with_body(body)
        .with_auth("X-API-Key", key)
        .with_auth("X-Signature", &signature)
        .with_auth("X-Timestamp", ts)
        .with_auth("X-Window", window)
}

/// Crypto.com's paramString (§8): the keys sorted, each followed by its value: a scalar's text,
/// `null` as `null` (`None` with `null_as`), booleans as `bool_as` writes them, a list item by
/// item, an object rendered the same way; `sorted` false keeps the order the client built.
fn crypto_com_param_string(
    params: &[(&str, serde_json::Value)],
    sorted: bool,
    null_as: &str,
    bool_as: fn(bool) -> String,
) -> String {
    fn value(v: &serde_json::Value, sorted: bool, null_as: &str, bool_as: fn(bool) -> String) -> String {
        match v {
            serde_json::Value::Null => null_as.to_owned(),
            serde_json::Value::Bool(b) => bool_as(*b),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Array(items) => items.iter().map(|item| value(item, sorted, null_as, bool_as)).collect(),
            serde_json::Value::Object(map) => {
                let pairs: Vec<(&str, serde_json::Value)> = map.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                crypto_com_param_string(&pairs, sorted, null_as, bool_as)
            }
        }
    }
    let mut pairs: Vec<&(&str, serde_json::Value)> = params.iter().collect();
    if sorted {
        pairs.sort_by_key(|(name, _)| *name);
    }
    pairs.iter().map(|(name, v)| format!("{name}{}", value(v, sorted, null_as, bool_as))).collect()
}

/// Crypto.com (§8): `sig = hex(HMAC-SHA256(secret, method + id + api_key + paramString +
/// nonce))`, id and nonce as decimal text, sent as the body's `sig` next to `id`, `method`,
/// `api_key`, `params` and `nonce`; no header. The params are §8's worked example's (in the order
/// a client builds them, not sorted), with a null (`client_oid`, which ccxt 4.5.90 renders
/// `None`) or a boolean (`reduce_only`, Python's `True`) where the bug needs one.
fn crypto_com(bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    use serde_json::{Value, json};
    let is = |code| bug == Some(code);
    let (key, secret, _) = fake(Scheme::CryptoCom);
    let (key, secret) = if is(KeySecretSwapped) { (secret, key) } else { (key, secret) };
    let method = "private/create-order";
    let mut params: Vec<(&str, Value)> = vec![
        ("instrument_name", json!("BTC_USDT")),
        ("side", json!("BUY")),
        ("type", json!("LIMIT")),
        ("price", json!("30000")),
        ("quantity", json!("0.01")),
        ("exec_inst", json!(["POST_ONLY"])),
    ];
    if is(NullAsNone) {
        params.push(("client_oid", Value::Null));
    }
    if is(BooleanCapitalized) {
        params.push(("reduce_only", json!(true)));
    }
    let lower = |b: bool| b.to_string();
    let python = |b: bool| if b { "True".to_owned() } else { "False".to_owned() };
    let params_json = format!(
        "{{{}}}",
        params.iter().map(|(name, v)| format!("{}:{v}", Value::from(*name))).collect::<Vec<_>>().join(",")
    );
    let param_string = match bug {
        Some(NullAsNone) => crypto_com_param_string(&params, true, "None", lower),
        Some(BooleanCapitalized) => crypto_com_param_string(&params, true, "null", python),
        Some(ParamsUnsorted) => crypto_com_param_string(&params, false, "null", lower),
        // `json.dumps(params)` signed, the params sent as JSON.
        Some(ParamsSignedAsJson) => super::python_dumps(&params_json),
        _ => crypto_com_param_string(&params, true, "null", lower),
    };
    let (id, nonce) = ("11", "1700000000123");
    // ccxt's habit (the nonce as the id) signed, while the body carries the client's own id.
    let signed_id = if is(RequestIdDiffers) { nonce } else { id };
    // The clock read again for the signature.
    let signed_nonce = if is(TimestampHeaderDiffers) { "1700000000122" } else { nonce };
    let prehash = format!("{method}{signed_id}{key}{param_string}{signed_nonce}");
    let mac = if is(HmacArgumentsSwapped) {
        super::hmac_sha256(prehash.as_bytes(), secret.as_bytes())
    } else {
        super::hmac_sha256(secret.as_bytes(), prehash.as_bytes())
    };
    let sig = if is(Base64InsteadOfHex) { B64.encode(mac) } else { hex::encode(mac) };
    if bug.is_none() {
        // §8's worked example, byte for byte (its nonce).
        let example = format!("{method}{id}{key}{param_string}1587523073344");
        assert_eq!(
            hex::encode(super::hmac_sha256(secret.as_bytes(), example.as_bytes())),
            "5569c98e7159bbad879a68ae00d64b43cb31693d1e750bb312411d42921daa9b"
        );
    }
    let body = format!(
        r#"{{"id":{id},"method":"{method}","api_key":"{key}","params":{params_json},"nonce":{nonce},"sig":"{sig}"}}"#
    );
    SentRequest::rest("POST", &format!("/exchange/v1/{method}")).with_body(body.as_str())
}

/// §1's worked-example key (its address `0x14791697260E4c9A71f18484C9f997B308e59325`).
#[cfg(feature = "hyperliquid")]
pub(super) const HYPERLIQUID_KEY: &str = "0x0123456789012345678901234567890123456789012345678901234567890123";

/// §1's worked-example address: the API key (the account traded for is the key's own).
#[cfg(feature = "hyperliquid")]
pub(super) const HYPERLIQUID_ADDRESS: &str = "0x14791697260E4c9A71f18484C9f997B308e59325";

#[cfg(feature = "hyperliquid")]
fn keccak(parts: &[&[u8]]) -> [u8; 32] {
    use sha3::Digest as _;
    let mut hasher = sha3::Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// An L1 action's EIP-712 hash (§1 steps 2–4): `connectionId = keccak256(data)`, the `Agent`
/// struct under the `Exchange` domain (chainId 1337, zero verifying contract), source `"a"`.
#[cfg(feature = "hyperliquid")]
fn l1_hash(data: &[u8]) -> [u8; 32] {
    let word = |value: u64| {
        let mut word = [0u8; 32];
        word[24..].copy_from_slice(&value.to_be_bytes());
        word
    };
    let domain = keccak(&[
        &keccak(&[b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"]),
        &keccak(&[b"Exchange"]),
        &keccak(&[b"1"]),
        &word(1337),
        &[0u8; 32],
    ]);
    let agent = keccak(&[&keccak(&[b"Agent(string source,bytes32 connectionId)"]), &keccak(&[b"a"]), &keccak(&[data])]);
    keccak(&[&[0x19, 0x01], &domain, &agent])
}

/// RFC 6979 ECDSA over `hash` with §1's key, low-s: (`r`, `s` as `0x` hex numbers without
/// leading zeros, as the SDK writes them; `v` = 27 + recovery id).
#[cfg(feature = "hyperliquid")]
fn hyperliquid_sign(hash: &[u8; 32]) -> (String, String, u8) {
    let secret = hex::decode(HYPERLIQUID_KEY.trim_start_matches("0x")).unwrap();
    let key = k256::ecdsa::SigningKey::from_slice(&secret).unwrap();
    let (signature, recovery) = key.sign_prehash_recoverable(hash);
    let bytes = signature.to_bytes();
    let number = |half: &[u8]| format!("0x{}", hex::encode(half).trim_start_matches('0'));
    (number(&bytes[..32]), number(&bytes[32..]), 27 + recovery.to_byte())
}

/// A msgpack map in the order given, or sorted by key where a client sorts it.
#[cfg(feature = "hyperliquid")]
fn msgpack_map(mut pairs: Vec<(&str, rmpv::Value)>, sort: bool) -> rmpv::Value {
    if sort {
        pairs.sort_by_key(|(key, _)| *key);
    }
    rmpv::Value::Map(pairs.into_iter().map(|(key, value)| (rmpv::Value::from(key), value)).collect())
}

/// Hyperliquid (§1): an L1 `order` action (the worked example's), `data = msgpack(action) ||
/// nonce (8 bytes BE) || 0x00` (no vault), signed as the `Agent` of `keccak256(data)`; the body
/// sent carries the action's JSON in the SDK's key order, prices and sizes as strings.
#[cfg(feature = "hyperliquid")]
pub(super) fn hyperliquid(bug: Option<MistakeCode>) -> SentRequest {
    use MistakeCode::*;
    use rmpv::Value;
    let is = |code| bug == Some(code);
    // The SDK's own signing test (§1's worked example, docs): the dummy action at nonce 0.
    let dummy = msgpack_map(vec![("type", Value::from("dummy")), ("num", Value::from(100_000_000_000u64))], false);
    let mut data = Vec::new();
    rmpv::encode::write_value(&mut data, &dummy).unwrap();
    data.extend_from_slice(&0u64.to_be_bytes());
    data.push(0);
    assert_eq!(
        hyperliquid_sign(&l1_hash(&data)),
        (
            "0x53749d5b30552aeb2fca34b530185976545bb22d0b3ce6f62e31be961a59298".to_owned(),
            "0x755c40ba9bf05223521753995abb2f73ab3229be8ec921f350cb447e384d8ed8".to_owned(),
            27
        )
    );

    if is(UserActionL1Domain) {
        return hyperliquid_usd_send(true);
    }
    let sort = is(BodyReserialized);
    let number = |text: &str| if is(NumberAsFloat) { Value::F64(text.parse().unwrap()) } else { Value::from(text) };
    let limit = msgpack_map(vec![("tif", Value::from("Gtc"))], sort);
    let order = msgpack_map(
        vec![
            ("a", Value::from(0u64)),
            ("b", Value::Boolean(true)),
            ("p", number("30000")),
            ("s", number("0.001")),
            ("r", Value::Boolean(false)),
            ("t", msgpack_map(vec![("limit", limit)], sort)),
        ],
        sort,
    );
    let action = msgpack_map(
        vec![("type", Value::from("order")), ("orders", Value::Array(vec![order])), ("grouping", Value::from("na"))],
        sort,
    );
    let nonce: u64 = 1_700_000_000_000;
    let mut data = Vec::new();
    rmpv::encode::write_value(&mut data, &action).unwrap();
    data.extend_from_slice(&if is(NonceLittleEndian) { nonce.to_le_bytes() } else { nonce.to_be_bytes() });
    // No vault: the single flag 0x00 (20 zero bytes with the bug).
    if is(VaultNullAsZeroAddress) {
        data.extend_from_slice(&[0; 20]);
    } else {
        data.push(0);
    }
    // An expiry, where the bug is about it: `0x00 || expiresAfter (8 bytes BE)`.
    let expires_after: u64 = 1_700_000_060_000;
    if is(ExpiresAfterUnprefixed) {
        data.extend_from_slice(&expires_after.to_be_bytes());
    }
    let (r, s, v) = hyperliquid_sign(&l1_hash(&data));
    if bug.is_none() {
        // §1's worked example, byte for byte.
        assert_eq!(
            hex::encode(&data),
            "83a474797065a56f72646572a66f72646572739186a16100a162c3a170a53330303030a173a5302e303031a172c2a17481a56c69\
             6d697481a3746966a3477463a867726f7570696e67a26e610000018bcfe5680000"
        );
        assert_eq!(hex::encode(keccak(&[&data])), "27015072154fc147842efc672ab345311190856b5143f4b2def65830657fb15d");
        assert!(r.starts_with("0x1c49acd5") && r.ends_with("13b0") && s.starts_with("0x116243a5"), "{r} {s}");
        assert!(s.ends_with("5fce") && v == 27, "{s} {v}");
    }
    let action = r#"{"type":"order","orders":[{"a":0,"b":true,"p":"30000","s":"0.001","r":false,"t":{"limit":{"tif":"Gtc"}}}],"grouping":"na"}"#;
    let expiry = if is(ExpiresAfterUnprefixed) { format!(r#","expiresAfter":{expires_after}"#) } else { String::new() };
    let body = format!(
        r#"{{"action":{action},"nonce":{nonce},"signature":{{"r":"{r}","s":"{s}","v":{v}}},"vaultAddress":null{expiry}}}"#
    );
    SentRequest::rest("POST", "/exchange").with_body(body)
}

/// §1's user-signed worked example (`usdSend`): EIP-712 typed data
/// `HyperliquidTransaction:UsdSend(string hyperliquidChain,string destination,string amount,uint64
/// time)` under the `HyperliquidSignTransaction` domain (version 1, chain id signatureChainId
/// 0x66eee), or, `l1_domain`, under the L1 domain (`Exchange`, chain id 1337). No vaultAddress.
#[cfg(feature = "hyperliquid")]
pub(super) fn hyperliquid_usd_send(l1_domain: bool) -> SentRequest {
    let word = |value: u64| {
        let mut word = [0u8; 32];
        word[24..].copy_from_slice(&value.to_be_bytes());
        word
    };
    let domain = |name: &[u8], chain_id: u64| {
        keccak(&[
            &keccak(&[b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"]),
            &keccak(&[name]),
            &keccak(&[b"1"]),
            &word(chain_id),
            &[0u8; 32],
        ])
    };
    let time: u64 = 1_700_000_000_000;
    let message = keccak(&[
        &keccak(&[
            b"HyperliquidTransaction:UsdSend(string hyperliquidChain,string destination,string amount,uint64 time)",
        ]),
        &keccak(&[b"Mainnet"]),
        &keccak(&[b"0x0000000000000000000000000000000000000001"]),
        &keccak(&[b"1"]),
        &word(time),
    ]);
    let own = [&[0x19, 0x01][..], &domain(b"HyperliquidSignTransaction", 0x66eee), &message].concat();
    assert!(hex::encode(&own).starts_with("1901feb1393c"));
    let (r, s, v) = hyperliquid_sign(&keccak(&[&own]));
    // §1's worked example.
    assert!(r.starts_with("0x2866ef91") && r.ends_with("d5f1") && s.starts_with("0x32826870"), "{r} {s}");
    assert!(s.ends_with("cead") && v == 27, "{s} {v}");
    let (r, s, v) = if l1_domain {
        hyperliquid_sign(&keccak(&[&[0x19, 0x01], &domain(b"Exchange", 1337), &message]))
    } else {
        (r, s, v)
    };
    let action = r#"{"type":"usdSend","signatureChainId":"0x66eee","hyperliquidChain":"Mainnet","destination":"0x0000000000000000000000000000000000000001","amount":"1","time":1700000000000}"#;
    let body = format!(r#"{{"action":{action},"nonce":{time},"signature":{{"r":"{r}","s":"{s}","v":{v}}}}}"#);
    SentRequest::rest("POST", "/exchange").with_body(body)
}
