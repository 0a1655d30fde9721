//! Bitget's error codes: REST `400xx` (`{"code","msg","requestTime","data"}`, HTTP 400) and
//! websocket login `300xx` (`{"event":"error","code","msg"}`).

use serde_json::json;

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Reader};

/// Bitget's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("40001", MissingCredentials, 400).message("ACCESS_KEY cannot be empty").rest(&[MissingHeader("ACCESS-KEY")]),
        E::new("40002", MissingCredentials, 400),
        E::new("40003", MissingCredentials, 400).message("Signature cannot be empty").rest(&[MissingHeader("ACCESS-SIGN")]),
        E::new("40011", MissingCredentials, 400)
            .message("ACCESS_PASSPHRASE cannot be empty")
            .rest(&[MissingHeader("ACCESS-PASSPHRASE")]),
        E::new("40004", TimestampOutsideWindow, 400),
        E::new("40008", TimestampOutsideWindow, 400).message("Request timestamp expired").rest(&[Expired]),
        // A missing ACCESS-TIMESTAMP is the header left once the others are named.
        E::new("40005", MalformedTimestamp, 400).message("Invalid ACCESS_TIMESTAMP").rest(&[Missing, InvalidTimestamp]),
        E::new("40006", InvalidKey, 400).message("Invalid ACCESS_KEY").rest(&[UnknownKey, KeyFormat]),
        E::new("40037", InvalidKey, 400),
        E::new("40009", InvalidSignature, 400)
            .message("sign signature error")
            .rest(&[Signature, CdnBlocked, Nonce, RecvWindow, KeyType]),
        E::new("40010", InvalidSignature, 400),
        E::new("40012", InvalidPassphrase, 400).message("apikey/password is incorrect").rest(&[Passphrase, Environment]),
        E::new("40014", PermissionDenied, 400),
        E::new("40018", IpNotAllowed, 400),
        E::new("429", RateLimited, 429),
        // A body sent with another Content-Type than application/json (Bitget's REST error codes,
        // 40007 "Invalid Content_Type, please use application/json format"; ccxt 4.5.90
        // `bitget.py` exceptions '40007'); HTTP 400 like Bitget's other 400xx codes.
        E::not_auth("40007", 400)
            .message("Invalid Content_Type，please use \"application/json\" format")
            .rest(&[ContentType]),
        // Websocket login.
        E::new("30011", InvalidKey, 200).message("Invalid ACCESS_KEY").ws(&[UnknownKey, KeyFormat, MissingHeader("apiKey")]),
        E::new("30012", InvalidPassphrase, 200)
            .message("Invalid ACCESS_PASSPHRASE")
            .ws(&[Passphrase, MissingHeader("passphrase")]),
        E::new("30013", MalformedTimestamp, 200)
            .message("Invalid ACCESS_TIMESTAMP")
            .ws(&[InvalidTimestamp, MissingHeader("timestamp")]),
        E::new("30014", TimestampOutsideWindow, 200).message("Request timestamp expired").ws(&[Expired]),
        E::new("30015", InvalidSignature, 200)
            .message("Invalid signature")
            .ws(&[Signature, Environment, CdnBlocked, Nonce, RecvWindow, KeyType, MissingHeader("sign")]),
        E::new("30005", Unspecified, 200).message("Login failed").ws(&[Missing]),
        E::not_auth("30002", 200).message("Illegal request").ws(&[Malformed, BodyTooLarge]),
        // Orders (Bitget's error-code table, 40786 "Duplicate clientOid"; its v1 python SDK shows the
        // failed answer `{"code":"40786","msg":"Duplicate clientOid","requestTime"}`).
        E::not_auth("40786", 400).message("Duplicate clientOid"),
    ],
    reader: Reader::Fields { code: "code", message: "msg" },
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"code","msg","requestTime","data":null}`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"code": answer.code, "msg": answer.message, "requestTime": answer.now_millis(), "data": null}))
}

/// Websocket login: `{"event":"error","code","msg"}`, the code a number.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"event": "error", "code": answer.numeric_code(), "msg": answer.message}))
}
