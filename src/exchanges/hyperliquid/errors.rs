//! Hyperliquid's errors (AUTH-breadth.md §1; Hyperliquid's "Exchange endpoint" docs; ccxt's
//! `hyperliquid.handle_errors`): an action is answered with HTTP 200 and
//! `{"status":"err","response":"<text>"}`, the text the only thing that names the error, so the
//! entries are matched by its words. A wrong signature is not reported as such: it recovers to
//! another address, which no account has, and comes back as `User or API Wallet 0x… does not
//! exist.`. A body the exchange cannot read as an action is answered with HTTP 422 and the text
//! `Failed to deserialize the JSON body into the target type…`.

use serde_json::json;

use crate::rejection::Refusal::*;
use crate::rejection::RejectionKind::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, NextStep, Read, Reader, Response};

/// Hyperliquid's error table; each entry's code is the text the local exchange sends.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        // The address is the one the signature recovers to, which the local exchange names in
        // its reason; the text is matched without it.
        E::new("User or API Wallet does not exist.", InvalidSignature, 200)
            .message("User or API Wallet does not exist.")
            .words(&["does not exist"])
            .rest(&[UnknownKey, KeyFormat, Signature, Environment, Missing, Passphrase, RecvWindow, KeyType, CdnBlocked]),
        // Out of (server time - 2 days, server time + 1 day), or one of the key's 100 highest
        // nonces already, or below the smallest of them.
        E::new("Invalid nonce", TimestampOutsideWindow, 200)
            .message("Invalid nonce: duplicate nonce or nonce outside the accepted window")
            .words(&["invalid nonce"])
            .rest(&[Nonce, Expired, ExpiredAhead, InvalidTimestamp]),
        E::new("429", RateLimited, 429),
        E::not_auth("Failed to deserialize the JSON body into the target type", 422)
            .message("Failed to deserialize the JSON body into the target type")
            .words(&["failed to deserialize"])
            .rest(&[Malformed, BodyTooLarge, ContentType]),
    ],
    reader: Reader::Custom(read),
    // A refused nonce wants a fresh one (the current time in ms), not a clock resync first: the
    // window is days wide.
    next_steps: &[(TimestampOutsideWindow, NextStep::RetryOnce)],
    body: Some(body),
    // No websocket login to refuse: a `post` is answered as its REST request would be.
    ws_body: None,
};

/// REST: `{"status":"err","response":"<text>"}`; an unreadable body: the bare text (HTTP 422).
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    if answer.status == 422 {
        return AnswerBody::Text("Failed to deserialize the JSON body into the target type");
    }
    AnswerBody::Json(json!({"status": "err", "response": answer.message}))
}

/// `status: "err"` with its `response` text; a websocket post's `type: "error"` payload; a bare
/// text answer (422).
fn read(response: &Response<'_>) -> Vec<Read> {
    let text = match response.json {
        Some(json) if json.get("status").and_then(|s| s.as_str()) == Some("err") => {
            json.get("response").and_then(|r| r.as_str()).map(str::to_owned)
        }
        Some(json) if json.pointer("/data/response/type").and_then(|t| t.as_str()) == Some("error") => {
            json.pointer("/data/response/payload").and_then(|p| p.as_str()).map(str::to_owned)
        }
        Some(_) => None,
        None if response.status == 429 => return vec![Read { key: "429".to_owned(), code: None, message: None }],
        None if !response.text.trim().is_empty() && response.status >= 400 => Some(response.text.to_owned()),
        None => None,
    };
    text.map(|text| vec![Read { key: text.clone(), code: None, message: Some(text) }]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use crate::rejection::{RejectionKind, classify};

    fn kind(status: u16, body: &str) -> Option<RejectionKind> {
        classify(Scheme::Hyperliquid, status, body.as_bytes()).map(|r| r.kind)
    }

    /// The answers AUTH-breadth.md §1 and ccxt's error handling show.
    #[test]
    fn documented_answers() {
        use RejectionKind::*;
        assert_eq!(
            kind(200, r#"{"status":"err","response":"User or API Wallet 0x0123456789abcdef0123456789abcdef01234567 does not exist."}"#),
            Some(InvalidSignature)
        );
        assert_eq!(kind(200, r#"{"status":"err","response":"Invalid nonce: duplicate nonce"}"#), Some(TimestampOutsideWindow));
        assert_eq!(kind(200, r#"{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":1}}]}}}"#), None);
        assert_eq!(kind(422, "Failed to deserialize the JSON body into the target type: missing field `nonce`"), None);
    }
}
