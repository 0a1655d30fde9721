//! OKX's error codes: REST `501xx` (`{"code","msg"}`) and websocket login `600xx`
//! (`{"event":"error","code","msg"}`), from AUTH.md.

use serde_json::json;

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Reader};

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
        // and `sCode` 51016 inside `data[0]` under an outer `code` "1"; the local exchange answers
        // it flat, `{"code":"51016","msg"}`, which its reader reads the same way.
        E::not_auth("51016", 200).message("Duplicated clOrdId"),
        E::not_auth("50001", 503).message("Service temporarily unavailable. Try again later"),
        E::not_auth("50013", 200).message("Systems are busy. Please try again later"),
    ],
    reader: Reader::Fields { code: "code", message: "msg" },
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"code","msg"}`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"code": answer.code, "msg": answer.message}))
}

/// Websocket login: `{"event":"error","code","msg"}`.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"event": "error", "code": answer.code, "msg": answer.message}))
}
