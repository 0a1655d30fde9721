//! Coinbase Exchange's errors, from AUTH.md: no codes, only a `{"message"}` whose words say
//! what went wrong. The entries are tried in order, so the more specific words come first.

use serde_json::json;

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, field, Read, Reader, Response};

/// Coinbase Exchange's error table; each entry's code is the message the local exchange sends.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("request timestamp expired", TimestampOutsideWindow, 401)
            .message("request timestamp expired")
            .words(&["timestamp", "expired"])
            .rest(&[Expired]),
        E::new("invalid timestamp", MalformedTimestamp, 401)
            .message("invalid timestamp")
            .words(&["invalid timestamp"])
            .rest(&[InvalidTimestamp]),
        E::new("invalid signature", InvalidSignature, 401)
            .message("invalid signature")
            .words(&["invalid signature"])
            .rest(&[Signature, CdnBlocked, Nonce, RecvWindow, KeyType]),
        E::new("Invalid API Key", InvalidKey, 401)
            .message("Invalid API Key")
            .words(&["invalid api key"])
            .rest(&[UnknownKey, KeyFormat]),
        E::new("Invalid Passphrase", InvalidPassphrase, 401)
            .message("Invalid Passphrase")
            .words(&["invalid passphrase"])
            .rest(&[Passphrase, Environment]),
        E::new("rate limit exceeded", RateLimited, 429).words(&["rate limit"]),
        E::new("whitelist", IpNotAllowed, 401).words(&["whitelist"]),
        E::new("ip address", IpNotAllowed, 401).words(&["ip address"]),
        E::new("{} header is required", MissingCredentials, 401)
            .message("{} header is required")
            .words(&["header is required"])
            .rest(&[Missing]),
        E::new("forbidden", PermissionDenied, 403).words(&["forbidden"]),
        E::new("permission", PermissionDenied, 403).words(&["permission"]),
        // Websocket: Coinbase's feed answers a refused subscription without a reason.
        E::new("authentication failure", Unspecified, 200)
            .message("authentication failure")
            .words(&["authentication failure"])
            .ws(&[UnknownKey, KeyFormat, Environment, InvalidTimestamp, Expired, Passphrase, Signature, Nonce, RecvWindow, KeyType, CdnBlocked]),
        E::not_auth("invalid message", 200).message("invalid message").words(&["invalid message"]).ws(&[Missing, Malformed, BodyTooLarge]),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"message"}`; Coinbase Exchange's messages are lowercase, its refusals of unreadable
/// requests too.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(match answer.entry {
        None => json!({"message": answer.message.to_lowercase()}),
        Some(_) => json!({"message": answer.message}),
    })
}

/// Websocket: `{"type":"error","message"}`.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"type": "error", "message": answer.message}))
}

/// The message is all there is: no code to report.
fn read(response: &Response<'_>) -> Vec<Read> {
    let message = response.json.and_then(|json| field(json, "message"));
    message.map(|message| Read { key: String::new(), code: None, message: Some(message) }).into_iter().collect()
}
