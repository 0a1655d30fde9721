//! Bybit's error codes (AUTH-more.md): REST `retCode`/`retMsg`, mostly with HTTP 200; the
//! websocket `auth` answer has no code, only `ret_msg`.

use serde_json::json;

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Read, Reader, RequestTime, Response, field};

/// Bybit's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        // An unreadable timestamp is as far from the server's clock as a stale one. After
        // `Expired`, Bybit appends the two instants and the window it held the request to.
        E::new("10002", TimestampOutsideWindow, 200)
            .message("invalid request, please check your server timestamp or recv_window param")
            .rest(&[MissingHeader("X-BAPI-TIMESTAMP"), InvalidTimestamp, Expired]),
        // Bybit answers an invalid key with HTTP 401, everything else with 200.
        E::new("10003", InvalidKey, 401)
            .message("API key is invalid.")
            .rest(&[MissingHeader("X-BAPI-API-KEY"), UnknownKey, KeyFormat]),
        // Followed by ` origin_string[…]`, the string Bybit signed, when it got that far.
        E::new("10004", InvalidSignature, 200)
            .message("error sign!")
            .rest(&[Missing, Signature, Passphrase, Environment, Nonce, KeyType, CdnBlocked]),
        E::new("10005", PermissionDenied, 200),
        E::new("10006", RateLimited, 200),
        E::new("10018", RateLimited, 200),
        E::new("10010", IpNotAllowed, 200),
        E::new("33004", KeyExpiredOrLegacy, 200),
        E::not_auth("10001", 200).message("Request parameter error.").rest(&[RecvWindow]),
        // Websocket `auth`: the message is the code.
        E::new("API key is invalid.", InvalidKey, 200).message("API key is invalid.").ws(&[UnknownKey, KeyFormat]),
        E::new("error sign", InvalidSignature, 200)
            .message("error sign")
            .ws(&[Signature, Passphrase, Environment, CdnBlocked, Nonce, KeyType]),
        E::not_auth("Params Error", 200)
            .message("Params Error")
            .ws(&[InvalidTimestamp, Expired, RecvWindow, Missing, Malformed, BodyTooLarge]),
        // Orders (Bybit v5 "Error Codes", UTA / trade: 110072; ccxt's bybit.ts maps it to
        // InvalidOrder): HTTP 200 with the `retCode`, as every Bybit business error.
        E::not_auth("110072", 200).message("OrderLinkedID is duplicate"),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"retCode","retMsg","result","retExtInfo","time"}`; a stale request's message names the
/// instants and the window it was held to, a bad signature's the string the server signed (for
/// the client to compare with its own).
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    let mut msg = answer.message.to_owned();
    if let Some(RequestTime::Outside { sent, server, window }) = answer.time {
        msg.push_str(&format!(
            ". req_timestamp[{}],server_timestamp[{}],recv_window[{}]",
            sent.unix_millis(),
            server.unix_millis(),
            window.as_millis()
        ));
    }
    if let (Some(InvalidSignature), Some(prehash)) = (answer.kind(), answer.prehash) {
        msg = format!("{msg} origin_string[{prehash}]");
    }
    let code = answer.numeric_code();
    AnswerBody::Json(json!({"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": answer.now_millis()}))
}

/// Websocket `auth`: `{"success":false,"ret_msg","op":"auth","conn_id"}` (no code), echoing the
/// login's `req_id`.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    let mut body = json!({"success": false, "ret_msg": answer.message, "op": "auth", "conn_id": answer.connection_id});
    if let Some(req_id) = answer.login.and_then(|m| m.get("req_id")) {
        body["req_id"] = req_id.clone();
    }
    AnswerBody::Json(body)
}

/// REST: `retCode`/`retMsg`; websocket: a failed `{"success":false,"ret_msg"}` names the error
/// by its message.
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json else { return Vec::new() };
    if let Some(code) = field(json, "retCode") {
        return vec![Read { key: code.clone(), code: Some(code), message: field(json, "retMsg") }];
    }
    match (json.get("success").and_then(serde_json::Value::as_bool), field(json, "ret_msg")) {
        (Some(false), Some(message)) => vec![Read { key: message.clone(), code: None, message: Some(message) }],
        _ => Vec::new(),
    }
}
