//! Bitfinex's errors (AUTH-breadth.md §2, ccxt's `exceptions` table): REST answers
//! `["error", <code>, "<message>"]` with HTTP 500 (authentication) or 400; the websocket answers
//! the `auth` event with `{"event":"auth","status":"FAILED","code":<code>,"msg":"<message>"}`.
//! The code is shared by several messages (10100 is any authentication failure), so the entries
//! are matched by message first, then by code.

use serde_json::{Value, json};

use crate::rejection::Refusal::*;
use crate::rejection::RejectionKind::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, NextStep, Read, Reader, Response};

/// Bitfinex's error table; each entry's code is the message the local exchange sends, the
/// numeric code its [`body`] puts next to it.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        // Not a clock problem: the nonce was not above the last one the key used.
        E::new("nonce: small", TimestampOutsideWindow, 500)
            .message("nonce: small")
            .words(&["nonce: small"])
            .rest(&[Nonce, InvalidTimestamp, Expired])
            .ws(&[Nonce, InvalidTimestamp, Expired]),
        E::new("apikey: digest invalid", InvalidSignature, 500)
            .message("apikey: digest invalid")
            .words(&["digest invalid"])
            .rest(&[Signature, Passphrase, Environment, RecvWindow, KeyType, CdnBlocked])
            .ws(&[Signature, Passphrase, Environment, RecvWindow, KeyType, CdnBlocked]),
        E::new("apikey: invalid", InvalidKey, 500)
            .message("apikey: invalid")
            .words(&["apikey: invalid"])
            .rest(&[UnknownKey, KeyFormat, Missing])
            .ws(&[UnknownKey, KeyFormat, Missing]),
        E::new("ERR_RATE_LIMIT", RateLimited, 429),
        E::new("permission", PermissionDenied, 500).words(&["permission"]),
        E::not_auth("invalid request", 400).message("invalid request").words(&["invalid request"]).rest(&[Malformed, BodyTooLarge]).ws(&[Malformed, BodyTooLarge]),
    ],
    reader: Reader::Custom(read),
    // Bitfinex has no time window: a refused nonce wants a fresh, larger nonce, not a resync.
    next_steps: &[(TimestampOutsideWindow, NextStep::RetryOnce)],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// The numeric code Bitfinex sends with a message: 10114 for a small nonce, 10001 for a generic
/// error (a malformed request), 10100 for every other authentication failure.
fn numeric(message: &str) -> u32 {
    match message {
        "nonce: small" => 10114,
        "invalid request" | "ERR_RATE_LIMIT" => 10001,
        _ => 10100,
    }
}

/// REST: `["error", <code>, "<message>"]`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!(["error", numeric(answer.code), answer.code]))
}

/// Websocket: `{"event":"auth","status":"FAILED","chanId":0,"code","msg"}`.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"event": "auth", "status": "FAILED", "chanId": 0, "code": numeric(answer.code), "msg": answer.code}))
}

/// `["error", code, message]` (REST) or `{"event":"auth","status":"FAILED","code","msg"}`
/// (websocket): the message names the entry and is reported as its code (the numeric code,
/// 10100, is shared by several).
fn read(response: &Response<'_>) -> Vec<Read> {
    let message = match response.json {
        Some(Value::Array(items)) if items.first().and_then(Value::as_str) == Some("error") => {
            items.get(2).and_then(Value::as_str)
        }
        Some(Value::Object(event)) if event.get("status").and_then(Value::as_str) == Some("FAILED") => {
            event.get("msg").and_then(Value::as_str)
        }
        _ => return Vec::new(),
    };
    let Some(message) = message else { return Vec::new() };
    vec![Read { key: message.to_owned(), code: Some(message.to_owned()), message: Some(message.to_owned()) }]
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use crate::rejection::{NextStep, RejectionKind, classify};

    fn kind(status: u16, body: &str) -> Option<RejectionKind> {
        classify(Scheme::Bitfinex, status, body.as_bytes()).map(|r| r.kind)
    }

    /// The answers AUTH-breadth.md §2 lists.
    #[test]
    fn answers_from_auth_breadth() {
        use RejectionKind::*;
        assert_eq!(kind(500, r#"["error",10100,"apikey: digest invalid"]"#), Some(InvalidSignature));
        assert_eq!(kind(500, r#"["error",10100,"apikey: invalid"]"#), Some(InvalidKey));
        let small = classify(Scheme::Bitfinex, 500, br#"["error",10114,"nonce: small"]"#).unwrap();
        assert_eq!((small.kind, small.next_step), (TimestampOutsideWindow, NextStep::RetryOnce));
        assert_eq!(
            kind(200, r#"{"event":"auth","status":"FAILED","chanId":0,"code":10100,"msg":"apikey: digest invalid"}"#),
            Some(InvalidSignature)
        );
        assert_eq!(kind(200, r#"{"event":"auth","status":"OK","chanId":0,"userId":1}"#), None);
        assert_eq!(kind(200, r#"[["exchange","USD",10,0,10,null,null]]"#), None);
    }
}
