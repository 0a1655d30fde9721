//! Binance's error codes (AUTH-more.md): REST `{"code":-1022,"msg"}`, and the WebSocket API's
//! `{"status":400,"error":{"code":-1022,"msg"}}` with the same codes, statuses and messages.

use serde_json::json;

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, field, Read, Reader, Refusal, Response};

const EXPIRED: &[Refusal] = &[Expired];
const AHEAD: &[Refusal] = &[ExpiredAhead];
const TIMESTAMP: &[Refusal] = &[InvalidTimestamp];
const MISSING: &[Refusal] = &[Missing];
// A missing key header and a key that is not 64 alphanumerics are the same error.
const KEY_FORMAT: &[Refusal] = &[MissingHeader("X-MBX-APIKEY"), KeyFormat];
const UNKNOWN_KEY: &[Refusal] = &[UnknownKey];
const RECV_WINDOW: &[Refusal] = &[RecvWindow];
const KEY_TYPE: &[Refusal] = &[KeyType];
const SIGNATURE: &[Refusal] = &[Signature, Passphrase, Environment, Nonce, CdnBlocked];

/// Binance's error table: REST and the WebSocket API answer alike.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("-1021", TimestampOutsideWindow, 400)
            .message("Timestamp for this request was 1000ms ahead of the server's time.")
            .rest(AHEAD)
            .ws(AHEAD),
        E::new("-1021", TimestampOutsideWindow, 400)
            .message("Timestamp for this request is outside of the recvWindow.")
            .rest(EXPIRED)
            .ws(EXPIRED),
        E::new("-1022", InvalidSignature, 400).message("Signature for this request is not valid.").rest(SIGNATURE).ws(SIGNATURE),
        E::new("-1102", MissingCredentials, 400)
            .message("Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.")
            .rest(TIMESTAMP)
            .ws(TIMESTAMP),
        E::new("-1102", MissingCredentials, 400)
            .message("Mandatory parameter '{}' was not sent, was empty/null, or malformed.")
            .rest(MISSING)
            .ws(MISSING),
        E::new("-2014", InvalidKey, 401).message("API-key format invalid.").rest(KEY_FORMAT).ws(KEY_FORMAT),
        // Unknown key, IP not allowed or missing permission: Binance does not say which.
        E::new("-2015", InvalidKey, 401).message("Invalid API-key, IP, or permissions for action.").rest(UNKNOWN_KEY).ws(UNKNOWN_KEY),
        E::new("-1002", PermissionDenied, 401).message("You are not authorized to execute this request.").rest(KEY_TYPE).ws(KEY_TYPE),
        E::new("-1003", RateLimited, 429),
        E::new("-1015", RateLimited, 429),
        E::not_auth("-1131", 400).message("recvWindow must be less than 60000").rest(RECV_WINDOW).ws(RECV_WINDOW),
        // Orders (Binance Spot "Error codes": -2010 NEW_ORDER_REJECTED carries several messages;
        // "Duplicate order sent." is the one for a `newClientOrderId` already in use; -1008
        // SERVER_BUSY, "overloaded ... try again in a few minutes", an answer on Binance's side,
        // which its "HTTP Return Codes" section puts under 5XX).
        E::not_auth("-2010", 400).message("Duplicate order sent.").code_and_words(&["duplicate order"]),
        E::not_auth("-1008", 503)
            .message("Server is currently overloaded with other requests. Please try again in a few minutes."),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"code":-1022,"msg"}`, the code a number.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"code": answer.numeric_code(), "msg": answer.message}))
}

/// WebSocket API: `{"id","status","error":{"code","msg"}}`, echoing the request's `id`.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    let error = json!({"code": answer.numeric_code(), "msg": answer.message});
    AnswerBody::Json(json!({"id": answer.login_field("id"), "status": answer.status, "error": error}))
}

/// REST: top-level `code`/`msg`; WebSocket API: inside `error`.
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json else { return Vec::new() };
    let error = json.get("error").filter(|e| e.is_object()).unwrap_or(json);
    let Some(code) = field(error, "code") else { return Vec::new() };
    vec![Read { key: code.clone(), code: Some(code), message: field(error, "msg") }]
}

