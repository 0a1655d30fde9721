//! Coinbase Advanced Trade's errors (AUTH.md), for both kinds of key: a plain `Unauthorized`
//! that gives no reason, v2 endpoints' `{"errors":[{"id","message"}]}`, a 403
//! `{"error":"PERMISSION_DENIED","error_details"}` for missing scopes, and the websocket's
//! `{"type":"error","message":"authentication failure"}`.
//!
//! The two schemes differ in what a reasonless refusal most likely means: legacy HMAC keys were
//! all expired in February 2025, so for them it is the key itself.

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use serde_json::json;

use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, NextStep, Read, Reader, Refusal, Response, field};

/// Everything the local exchange refuses for a reason: Coinbase does not say which.
const REFUSED: &[Refusal] =
    &[UnknownKey, KeyFormat, Environment, InvalidTimestamp, Expired, Passphrase, Signature, Nonce, RecvWindow, KeyType, CdnBlocked];
/// What the local exchange refuses as a plain `Unauthorized` over REST: a missing header too.
const REFUSED_REST: &[Refusal] = &[
    Missing,
    UnknownKey,
    KeyFormat,
    Environment,
    InvalidTimestamp,
    Expired,
    Passphrase,
    Signature,
    Nonce,
    RecvWindow,
    KeyType,
    CdnBlocked,
];

/// The table of one kind of key: `reasonless` is what a refusal without a reason means for it.
macro_rules! table {
    ($reasonless:expr) => {
        &[
            E::new("rate_limit_exceeded", RateLimited, 429),
            E::new("expired_token", TimestampOutsideWindow, 401),
            E::new("revoked_token", InvalidKey, 401),
            E::new("invalid_token", InvalidKey, 401),
            // Before the words: a reasonless refusal's text is not a v2 message.
            E::new(PERMISSION_DENIED, PermissionDenied, 403),
            E::new(UNAUTHORIZED, $reasonless, 401).message(UNAUTHORIZED).rest(REFUSED_REST),
            E::new(AUTHENTICATION_FAILURE, $reasonless, 200).message(AUTHENTICATION_FAILURE).ws(REFUSED),
            E::new("request timestamp expired", TimestampOutsideWindow, 401).words(&["timestamp"]),
            E::new("invalid signature", InvalidSignature, 401).words(&["invalid signature"]),
            E::new("invalid api key", InvalidKey, 401).words(&["api key"]),
            E::new("missing required scopes", PermissionDenied, 403).words(&["scope"]),
            E::new("permission denied", PermissionDenied, 403).words(&["permission"]),
            E::not_auth("invalid message", 200).message("invalid message").ws(&[Missing, Malformed, BodyTooLarge]),
        ]
    };
}

/// The key a 403 is read as, whatever its `error` field says.
const PERMISSION_DENIED: &str = "PERMISSION_DENIED";
/// Coinbase's plain-text refusal (and the key any other 401 is read as).
const UNAUTHORIZED: &str = "Unauthorized";
/// The websocket's refusal.
const AUTHENTICATION_FAILURE: &str = "authentication failure";

/// Coinbase Advanced with a legacy HMAC key.
pub(crate) const HMAC_ERRORS: ErrorTable = ErrorTable {
    codes: table!(KeyExpiredOrLegacy),
    reader: Reader::Custom(read),
    // Coinbase gives no reason: a clock off by more than the window looks the same as an
    // expired legacy key, so one resynced attempt comes before giving up on the key.
    next_steps: &[(KeyExpiredOrLegacy, NextStep::RetryOnce)],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// Coinbase Advanced with a CDP key.
pub(crate) const CDP_ERRORS: ErrorTable = ErrorTable {
    codes: table!(Unspecified),
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: the status line's reason as plain text (`Unauthorized`): no reason given.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    let status = http::StatusCode::from_u16(answer.status).ok();
    AnswerBody::Text(status.and_then(|status| status.canonical_reason()).unwrap_or(UNAUTHORIZED))
}

/// Websocket: `{"type":"error","message"}`.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"type": "error", "message": answer.message}))
}

/// v2 errors by id, then by message; any 403 as missing permission; any 401, a plain
/// `Unauthorized` or the websocket's `authentication failure` as a refusal without a reason.
fn read(response: &Response<'_>) -> Vec<Read> {
    let json = response.json;
    if let Some(error) = json.and_then(|j| j.pointer("/errors/0")) {
        let id = field(error, "id");
        return vec![Read { key: id.clone().unwrap_or_default(), code: id, message: field(error, "message") }];
    }
    if response.status == 403 {
        let details = json.and_then(|j| field(j, "error_details")).or_else(|| json.and_then(|j| field(j, "message")));
        let code = json.and_then(|j| field(j, "error"));
        return vec![Read { key: PERMISSION_DENIED.to_owned(), code, message: details }];
    }
    let ws_failure = json.and_then(|j| field(j, "message")).is_some_and(|m| m == AUTHENTICATION_FAILURE);
    let text = response.text.trim();
    if response.status == 401 || text == UNAUTHORIZED || ws_failure {
        let key = if ws_failure { AUTHENTICATION_FAILURE } else { UNAUTHORIZED };
        return vec![Read { key: key.to_owned(), code: None, message: Some(text.chars().take(200).collect()) }];
    }
    Vec::new()
}
