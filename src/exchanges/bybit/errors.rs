//! Bybit's error codes (AUTH-more.md): REST `retCode`/`retMsg`, mostly with HTTP 200; the
//! websocket `auth` answer has no code, only `ret_msg`.

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{ErrorCode as E, ErrorTable, Read, Reader, Response, field};

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
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: None,
};

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
