//! Gate's error labels (AUTH-more.md): REST `{"label","message"}`; the websocket API login
//! answers them in `data.errs`, a channel message in `error.message` as `"LABEL: message"`.

use serde_json::{Value, json};

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, field, Read, Reader, Refusal, Response};

const MISSING: &[Refusal] = &[Missing];
const KEY: &[Refusal] = &[UnknownKey, KeyFormat];
// Gate documents no separate label for an unreadable Timestamp: it is as far from the server
// time as a stale one.
const EXPIRED: &[Refusal] = &[InvalidTimestamp, Expired];
const SIGNATURE: &[Refusal] = &[Signature, Passphrase, Environment, Nonce, RecvWindow, KeyType, CdnBlocked];

/// Gate's error table: REST and websocket answer the same labels.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("INVALID_SIGNATURE", InvalidSignature, 401).message("Invalid signature").rest(SIGNATURE).ws(SIGNATURE),
        E::new("INVALID_KEY", InvalidKey, 401).message("Invalid API Key").rest(KEY).ws(KEY),
        E::new("INVALID_CREDENTIALS", InvalidKey, 401),
        E::new("MISSING_REQUIRED_HEADER", MissingCredentials, 401)
            .message("Missing required authentication header")
            .rest(MISSING)
            .ws(MISSING),
        E::new("REQUEST_EXPIRED", TimestampOutsideWindow, 401)
            .message("Request Timestamp is far from the server time")
            .rest(EXPIRED)
            .ws(EXPIRED),
        E::new("IP_FORBIDDEN", IpNotAllowed, 403),
        E::new("READ_ONLY", PermissionDenied, 403),
        E::new("FORBIDDEN", PermissionDenied, 403),
        E::new("TOO_MANY_REQUESTS", RateLimited, 429),
        // Gate APIv4 docs, label list, "Request parameter or format related": INVALID_CONTENT_TYPE
        // "Invalid Content-Type header" (also ccxt 4.5.90 `gate.py` exceptions); the docs give no
        // status per label, and this group is answered with 400.
        E::not_auth("INVALID_CONTENT_TYPE", 400).message("Invalid Content-Type header").rest(&[ContentType]),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"label","message"}`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"label": answer.code, "message": answer.message}))
}

/// Websocket: the ws API login (`spot.login`, event `api`) answers with a response header and
/// `errs`, as for any API call; a channel message with Gate's ws error object.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    let (code, msg) = (answer.code, answer.message);
    let channel = answer.login_field("channel");
    if answer.login_field("event") == json!("api") {
        let req_id = answer
            .login
            .and_then(|m| m.get("payload"))
            .and_then(|payload| payload.get("req_id"))
            .cloned()
            .unwrap_or(Value::Null);
        return AnswerBody::Json(json!({
            "request_id": req_id,
            "ack": false,
            "header": {
                "response_time": answer.now_millis().to_string(),
                "status": answer.response_status.to_string(),
                "channel": channel,
                "event": "api",
                "client_id": answer.connection_id,
            },
            "data": {"errs": {"label": code, "message": msg}},
        }));
    }
    // Code 4 is an authentication failure, 2 an invalid argument, 1 an unreadable request.
    let ws_code = match answer.refusal {
        Refusal::Malformed | Refusal::BodyTooLarge => 1,
        Refusal::MissingHeader(_) => 2,
        _ => 4,
    };
    AnswerBody::Json(json!({
        "time": answer.now.unix_secs(),
        "time_ms": answer.now_millis(),
        "channel": channel,
        "event": answer.login_field("event"),
        "error": {"code": ws_code, "message": format!("{code}: {msg}")},
        "result": {"status": "failed"},
    }))
}

/// `label` at the top (REST), in `data.errs` (websocket API) or before the `": "` of a channel
/// error's message.
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json else { return Vec::new() };
    let errs = json.pointer("/data/errs").unwrap_or(json);
    if let Some(label) = field(errs, "label") {
        return vec![Read { key: label.clone(), code: Some(label), message: field(errs, "message") }];
    }
    let channel_error = json.get("error").and_then(|e| field(e, "message"));
    match channel_error.as_deref().and_then(|m| m.split_once(": ")) {
        Some((label, message)) => {
            vec![Read { key: label.to_owned(), code: Some(label.to_owned()), message: Some(message.to_owned()) }]
        }
        None => Vec::new(),
    }
}
