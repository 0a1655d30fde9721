//! The `Content-Type` of a request body, checked where the exchange is documented to refuse a
//! body it does not read as `application/json` (OKX, KuCoin, Bitget, Gate), and nowhere else.
//!
//! The expected answers are the exchanges' documented ones, written out here: OKX 50006 (HTTP
//! 400), KuCoin HTTP 415 with 415000, Bitget 40007 (HTTP 400), Gate `INVALID_CONTENT_TYPE`.

use serde_json::{Value, json};

use super::binance_bybit_kraken_bitget_gate as others;
use super::{KucoinKeyVersion, Method, Req, RunningExchange, cba, cbe, delta, kucoin, now, okx, sign};
use cexsign::{BybitKeyType, Signer};

const ORDER: &str = r#"{"symbol":"BTC-USDT","side":"buy","size":"0.0001","price":"30000"}"#;

/// One server with the accounts of both test files.
async fn start() -> RunningExchange {
    others::with_accounts(super::configured()).start().await.unwrap()
}

/// A POST of a JSON body, signed as sent, with this `Content-Type` (none for `None`).
fn post(signer: &dyn Signer, path: &str, content_type: Option<&str>) -> Req {
    let signed = sign(signer, Method::Post, path, "", ORDER, now());
    let req = Req::signed(Method::Post, path, "", ORDER, &signed);
    match content_type {
        Some(kind) => req.header("content-type", kind),
        None => req,
    }
}

/// The exchanges that refuse a JSON body sent as another media type, with their documented
/// status and the fields of their documented answer.
fn enforcing() -> Vec<(Box<dyn Signer>, &'static str, u16, Value)> {
    vec![
        (
            Box::new(okx()),
            "/api/v5/trade/order",
            400,
            json!({"code": "50006", "msg": "Invalid Content_Type, please use \"application/json\" format"}),
        ),
        (
            Box::new(kucoin(KucoinKeyVersion::V2)),
            "/api/v1/orders",
            415,
            json!({"code": "415000", "msg": "Unsupported Media Type"}),
        ),
        (
            Box::new(others::bitget()),
            "/api/v2/spot/trade/place-order",
            400,
            json!({"code": "40007", "msg": "Invalid Content_Type，please use \"application/json\" format"}),
        ),
        (
            Box::new(others::gate()),
            "/api/v4/spot/orders",
            400,
            json!({"label": "INVALID_CONTENT_TYPE", "message": "Invalid Content-Type header"}),
        ),
    ]
}

#[tokio::test]
async fn a_json_body_sent_as_another_media_type_gets_the_exchanges_own_refusal() {
    let exchange = start().await;
    for (signer, path, status, fields) in enforcing() {
        let scheme = signer.scheme();
        for wrong in ["application/x-www-form-urlencoded", "text/plain; charset=utf-8", "multipart/form-data"] {
            let resp = post(&*signer, path, Some(wrong)).send(&exchange).await;
            assert_eq!(resp.status, status, "{scheme:?} {wrong}: {resp:?}");
            let json = resp.json();
            for (name, value) in fields.as_object().unwrap() {
                assert_eq!(&json[name], value, "{scheme:?} {wrong}: {}", resp.body);
            }
            let reason = resp.reason();
            let media_type = wrong.split(';').next().unwrap();
            assert!(reason.contains(&format!("Content-Type: {media_type}")), "{scheme:?}: {reason}");
            assert!(
                reason.contains("only as application/json: send it with Content-Type: application/json"),
                "{reason}"
            );
        }
    }
}

#[tokio::test]
async fn a_json_body_sent_as_json_or_without_a_content_type_is_accepted() {
    let exchange = start().await;
    for (signer, path, _, _) in enforcing() {
        let scheme = signer.scheme();
        // The media type is compared without its parameters and ignoring case. A request that
        // declares none is not refused: no exchange documents what it answers then.
        for right in [Some("application/json"), Some("Application/JSON; charset=utf-8"), None] {
            let resp = post(&*signer, path, right).send(&exchange).await;
            assert_eq!(resp.status, 200, "{scheme:?} {right:?}: {resp:?}");
            assert_eq!(resp.json()["cexsign"], "accepted");
        }
    }
}

#[tokio::test]
async fn a_request_without_a_body_is_not_held_to_a_content_type() {
    let exchange = start().await;
    for (signer, path, _, _) in enforcing() {
        let signed = sign(&*signer, Method::Get, path, "limit=1", "", now());
        let req = Req::signed(Method::Get, path, "limit=1", "", &signed).header("content-type", "text/plain");
        let resp = req.send(&exchange).await;
        assert_eq!(resp.status, 200, "{:?}: {resp:?}", signer.scheme());
    }
}

#[tokio::test]
async fn exchanges_whose_documents_are_silent_refuse_no_media_type() {
    let exchange = start().await;
    let silent: [(Box<dyn Signer>, &str); 4] = [
        (Box::new(delta()), "/v2/orders"),
        (Box::new(cbe()), "/orders"),
        (Box::new(cba()), "/api/v3/brokerage/orders"),
        (Box::new(others::bybit(BybitKeyType::Hmac)), "/v5/order/create"),
    ];
    for (signer, path) in silent {
        let resp = post(&*signer, path, Some("text/plain")).send(&exchange).await;
        assert_eq!(resp.status, 200, "{:?}: {resp:?}", signer.scheme());
    }
}
