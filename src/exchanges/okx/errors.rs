//! OKX's error codes: REST `501xx` (`{"code","msg"}`) and websocket login `600xx`
//! (`{"event":"error","code","msg"}`), from AUTH.md. An order refused by the trading engine is
//! HTTP 200 with `{"code":"1","msg":"All operations failed","data":[{"sCode","sMsg",…}]}`: its
//! own code is in `data`.

use serde_json::{Value, json};

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Read, Reader, Refusal, Response, field};

/// Every header's "can not be empty" answer has the same message.
const EMPTY: &str = "Request header {} can not be empty";

/// OKX's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("50101", WrongEnvironment, 401).message("APIKey does not match current environment").rest(&[Environment]),
        E::new("50102", TimestampOutsideWindow, 401).message("Timestamp request expired").rest(&[Expired]),
        E::new("50103", MissingCredentials, 401).message(EMPTY).rest(&[MissingHeader("OK-ACCESS-KEY")]),
        E::new("50104", MissingCredentials, 401).message(EMPTY).rest(&[MissingHeader("OK-ACCESS-PASSPHRASE")]),
        E::new("50105", InvalidPassphrase, 401).message("OK-ACCESS-PASSPHRASE incorrect").rest(&[Passphrase]),
        E::new("50106", MissingCredentials, 401).message(EMPTY).rest(&[MissingHeader("OK-ACCESS-SIGN")]),
        // The timestamp header is the one left when the key, passphrase and sign are present.
        E::new("50107", MalformedTimestamp, 401).message(EMPTY).rest(&[Missing]),
        E::new("50110", IpNotAllowed, 401),
        E::new("50111", InvalidKey, 401).message("Invalid OK-ACCESS-KEY").rest(&[UnknownKey, KeyFormat]),
        E::new("50112", MalformedTimestamp, 401).message("Invalid OK-ACCESS-TIMESTAMP").rest(&[InvalidTimestamp]),
        // OKX has no code of its own for a Kraken nonce, a receive window or a key type: a
        // signature it cannot verify is what the client sees.
        E::new("50113", InvalidSignature, 401)
            .message("Invalid Sign")
            .rest(&[Signature, CdnBlocked, Nonce, RecvWindow, KeyType]),
        E::new("50114", InvalidSignature, 401),
        E::new("50119", InvalidKey, 401),
        E::new("50011", RateLimited, 429),
        E::new("50061", RateLimited, 429),
        E::new("50120", PermissionDenied, 401),
        E::new("50121", PermissionDenied, 401),
        E::new("50122", PermissionDenied, 401),
        // A body sent with another Content-Type than application/json (OKX docs, error codes,
        // REST "General": 50006, HTTP 400; ccxt 4.5.90 `okx.py` exceptions '50006').
        E::not_auth("50006", 400)
            .message("Invalid Content_Type, please use \"application/json\" format")
            .rest(&[ContentType]),
        // Websocket login.
        E::new("60004", MalformedTimestamp, 200).message("Invalid timestamp").ws(&[InvalidTimestamp]),
        E::new("60005", InvalidKey, 200).message("Invalid OK-ACCESS-KEY").ws(&[UnknownKey, KeyFormat]),
        E::new("60006", TimestampOutsideWindow, 200).message("Timestamp request expired").ws(&[Expired]),
        E::new("60007", InvalidSignature, 200)
            .message("Invalid sign")
            .ws(&[Signature, CdnBlocked, Nonce, RecvWindow, KeyType]),
        E::new("60009", Unspecified, 200),
        E::new("60024", InvalidPassphrase, 200).message("Wrong passphrase").ws(&[Passphrase, Environment]),
        E::new("60031", InvalidKey, 200),
        E::not_auth("60012", 200).message("Invalid request").ws(&[Missing, Malformed, BodyTooLarge]),
        // Orders (OKX v5 docs, "Error Code" > "REST API" > "Trade"; ccxt's okx.ts maps 51016 to
        // InvalidOrder, 50013 to ExchangeNotAvailable). OKX answers a repeated `clOrdId` with HTTP 200
        // and `sCode` 51016 inside `data[0]` under an outer `code` "1" (see `body`).
        E::not_auth("51016", 200).message("Duplicated clOrdId"),
        E::not_auth("50001", 503).message("Service temporarily unavailable. Try again later"),
        E::not_auth("50013", 200).message("Systems are busy. Please try again later"),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"code","msg"}`; an order refused by the trading engine (a repeated `clOrdId`) as
/// OKX's place-order answers it, the code in `data[0].sCode`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    if answer.refusal == Refusal::DuplicateOrder {
        let order = json!({"clOrdId": "", "ordId": "", "sCode": answer.code, "sMsg": answer.message, "tag": "",
            "ts": answer.now_millis().to_string()});
        return AnswerBody::Json(json!({"code": "1", "msg": "All operations failed", "data": [order]}));
    }
    AnswerBody::Json(json!({"code": answer.code, "msg": answer.message}))
}

/// Most orders' codes read from one answer's `data` (a batch holds at most 20).
const DATA_READ_AT_MOST: usize = 20;

/// The top-level `code` and `msg`, then each order's `sCode` and `sMsg` in `data` (not its
/// successes, `"0"`).
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json else { return Vec::new() };
    let read = |item: &Value, code: &str, message: &str| {
        let code = field(item, code).filter(|code| code != "0")?;
        Some(Read { key: code.clone(), code: Some(code), message: field(item, message) })
    };
    let data = json.get("data").and_then(Value::as_array).into_iter().flatten().take(DATA_READ_AT_MOST);
    read(json, "code", "msg").into_iter().chain(data.filter_map(|item| read(item, "sCode", "sMsg"))).collect()
}

/// Websocket login: `{"event":"error","code","msg"}`.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"event": "error", "code": answer.code, "msg": answer.message}))
}
