//! Delta Exchange's error codes, from AUTH.md: REST answers carry `error` as a string
//! (`"SignatureExpired"`) or an object (`{"code":"expired_signature"}`); websocket auth answers
//! carry it as a string next to `status_code`.

use serde_json::{Value, json};

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Read, Reader, Refusal, RequestTime, Response, field};

/// Delta's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("SignatureExpired", TimestampOutsideWindow, 401),
        // Delta reports an unreadable timestamp as expired too, with what it read as the
        // request time.
        E::new("expired_signature", TimestampOutsideWindow, 401).rest(&[InvalidTimestamp, Expired]),
        E::new("InvalidApiKey", InvalidKey, 401),
        E::new("invalid_api_key", InvalidKey, 401).rest(&[UnknownKey, KeyFormat]),
        E::new("Signature Mismatch", InvalidSignature, 401)
            .rest(&[Signature, Passphrase, Environment, Nonce, RecvWindow, KeyType]),
        E::new("invalid_signature", InvalidSignature, 401)
            .ws(&[Signature, Passphrase, Environment, CdnBlocked, Nonce, RecvWindow, KeyType]),
        E::new("SignatureMismatch", InvalidSignature, 401),
        E::new("UnauthorizedApiAccess", PermissionDenied, 401),
        E::new("ip_not_whitelisted_for_api_key", IpNotAllowed, 401),
        E::new("ip_not_whitelisted", IpNotAllowed, 401),
        E::new("unauthorized", MissingCredentials, 401).rest(&[Missing]),
        // Cloudflare in front of Delta refuses a request without a User-Agent before any auth.
        E::new("Forbidden", BlockedByCdn, 403).message("Request blocked by CDN").code_and_words(&["cdn"]).rest(&[CdnBlocked]),
        E::new("rate_limit_exceeded", RateLimited, 429),
        E::new("RateLimitExceeded", RateLimited, 429),
        // Websocket auth: the status is `status_code` in the message.
        E::new("api_key_not_found", InvalidKey, 404).ws(&[UnknownKey, KeyFormat]),
        E::new("request_expired", TimestampOutsideWindow, 408)
            .message("Timestamp header outside of allowed time window")
            .ws(&[InvalidTimestamp, Expired]),
        E::new("incomplete_payload", MissingCredentials, 400).ws(&[Missing, Malformed, BodyTooLarge]),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"error":{"code"},"success":false}`, with the request's and the server's time for a
/// stale or unreadable timestamp, the bare code for a missing header, and the CDN's own answer
/// (no `success`) when it blocks the request.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    let (code, msg) = (answer.code, answer.message);
    let failed = |error: Value| json!({"error": error, "success": false});
    let expired = |request_time: Value, server_secs: u64| {
        failed(json!({
            "code": code,
            "context": {"request_time": request_time, "server_time": server_secs},
        }))
    };
    AnswerBody::Json(match (answer.refusal, answer.time) {
        // The CDN's answer, not Delta's: no `success`.
        (Refusal::CdnBlocked, _) => json!({"error": code, "message": msg}),
        (Refusal::MissingHeader(_), _) => failed(json!(code)),
        (_, Some(RequestTime::Unreadable { sent, server_secs })) => expired(json!(sent), server_secs),
        (_, Some(RequestTime::Outside { sent, server, .. })) => expired(json!(sent.unix_secs()), server.unix_secs()),
        _ => failed(json!({"code": code})),
    })
}

/// Websocket: `{"type","success":false,"status_code","error","message"}`, `type` echoing the
/// login's (`auth`, else `key-auth`), no `message` when the table gives none.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    let delta_type = match answer.login.and_then(|m| m.get("type")).and_then(Value::as_str) {
        Some("auth") => "auth",
        _ => "key-auth",
    };
    let mut body = json!({
        "type": delta_type,
        "success": false,
        "status_code": answer.status,
        "error": answer.code,
    });
    if !answer.message.is_empty() {
        body["message"] = json!(answer.message);
    }
    AnswerBody::Json(body)
}

/// `error` is a string or an object with a `code`; the message is top-level.
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json else { return Vec::new() };
    let code = match json.get("error") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => match o.get("code").and_then(Value::as_str) {
            Some(code) => code.to_owned(),
            None => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    vec![Read { key: code.clone(), code: Some(code), message: field(json, "message") }]
}
