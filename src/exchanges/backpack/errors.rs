//! Backpack's errors (AUTH-breadth.md §10; Backpack's API reference, "Errors"): REST answers
//! `{"code":"INVALID_SIGNATURE","message":"…"}` with HTTP 401 (authentication) or 400 (a
//! request it cannot read, an expired one among them: its code is `INVALID_CLIENT_REQUEST`, told
//! apart by its message). The private stream answers a refused subscription with the same pair
//! inside `{"id":null,"error":{"code","message"}}`.

use serde_json::json;

use crate::rejection::Refusal::*;
use crate::rejection::RejectionKind::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Read, Reader, Response, field};

/// Backpack's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        // A timestamp outside `timestamp + window`, or too far ahead: a client request error
        // whose message says it expired.
        E::new("INVALID_CLIENT_REQUEST", TimestampOutsideWindow, 400)
            .message("Request has expired")
            .code_and_words(&["expired"])
            .rest(&[InvalidTimestamp, Expired, ExpiredAhead])
            .ws(&[InvalidTimestamp, Expired, ExpiredAhead]),
        // An X-Window outside 1 ms to 60 s: a client request error too. Its message is not
        // documented where we read; this one names what is wrong without claiming an expiry.
        E::not_auth("INVALID_CLIENT_REQUEST", 400)
            .message("Invalid X-Window: at most 60000 milliseconds")
            .rest(&[RecvWindow])
            .ws(&[RecvWindow]),
        E::new("INVALID_SIGNATURE", InvalidSignature, 401)
            .message("Invalid signature, could not verify signature")
            .rest(&[Signature, Passphrase, Environment, Nonce, KeyType, CdnBlocked])
            .ws(&[Signature, Passphrase, Environment, Nonce, KeyType, CdnBlocked]),
        E::new("UNAUTHORIZED", InvalidKey, 401)
            .message("Unauthorized")
            .rest(&[UnknownKey, KeyFormat, Missing])
            .ws(&[UnknownKey, KeyFormat, Missing]),
        E::new("TOO_MANY_REQUESTS", RateLimited, 429),
        E::not_auth("INVALID_CLIENT_REQUEST", 400)
            .message("Invalid client request")
            .rest(&[Malformed, BodyTooLarge, ContentType])
            .ws(&[Malformed, BodyTooLarge]),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"code","message"}`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"code": answer.code, "message": answer.message}))
}

/// The private stream: `{"id":null,"error":{"code","message"}}`.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"id": null, "error": {"code": answer.code, "message": answer.message}}))
}

/// `code` and `message`, top-level (REST) or inside `error` (the private stream).
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json else { return Vec::new() };
    let object = json.get("error").filter(|error| error.is_object()).unwrap_or(json);
    let Some(code) = field(object, "code") else { return Vec::new() };
    vec![Read { key: code.clone(), code: Some(code), message: field(object, "message") }]
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use crate::rejection::{RejectionKind, classify};

    fn kind(status: u16, body: &str) -> Option<RejectionKind> {
        classify(Scheme::Backpack, status, body.as_bytes()).map(|r| r.kind)
    }

    /// The answers AUTH-breadth.md §10 lists.
    #[test]
    fn answers_from_auth_breadth() {
        use RejectionKind::*;
        assert_eq!(kind(401, r#"{"code":"INVALID_SIGNATURE","message":"Invalid signature"}"#), Some(InvalidSignature));
        assert_eq!(kind(401, r#"{"code":"UNAUTHORIZED","message":"Unauthorized"}"#), Some(InvalidKey));
        assert_eq!(kind(400, r#"{"code":"INVALID_CLIENT_REQUEST","message":"Request has expired"}"#), Some(TimestampOutsideWindow));
        assert_eq!(kind(400, r#"{"code":"INVALID_CLIENT_REQUEST","message":"Invalid market"}"#), None);
        assert_eq!(kind(200, r#"{"id":null,"error":{"code":"INVALID_SIGNATURE","message":"x"}}"#), Some(InvalidSignature));
        assert_eq!(kind(200, r#"{"BTC":{"available":"1","locked":"0","staked":"0"}}"#), None);
    }
}
