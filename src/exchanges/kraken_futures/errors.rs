//! Kraken Futures' errors (AUTH-breadth.md §3; Kraken's "Futures REST" docs): a refused request
//! answers `{"result":"error","error":"<code>","serverTime":"<ISO time>"}`, the code a word such
//! as `authenticationError`, with HTTP 401 for authentication and 200 otherwise. The websocket
//! answers `{"event":"error","message":"…"}`.

use serde_json::json;

use crate::rejection::Refusal::*;
use crate::rejection::RejectionKind::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Read, Reader, Response, field};

/// Kraken Futures' error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        // Kraken Futures has one code for every authentication failure: a missing or unknown key,
        // a wrong Authent (the path with /derivatives, the decoded parameters, the secret text).
        E::new("authenticationError", InvalidSignature, 401)
            .rest(&[Signature, Passphrase, Environment, RecvWindow, KeyType, CdnBlocked, Missing, UnknownKey, KeyFormat])
            // The websocket's answer to a wrong subscribe is not documented where we read: the
            // local exchange answers every refused one with this code.
            .ws(&[
                Signature, Passphrase, Environment, RecvWindow, KeyType, CdnBlocked, Missing, UnknownKey, KeyFormat,
                InvalidTimestamp, Expired, Nonce,
            ]),
        // A nonce not above the key's last one; not a clock problem: a fresh nonce fixes it.
        E::new("nonceBelowThreshold", TimestampOutsideWindow, 200).rest(&[Nonce, InvalidTimestamp, Expired]),
        E::new("nonceDuplicate", TimestampOutsideWindow, 200),
        E::new("apiLimitExceeded", RateLimited, 200),
        // Not an authentication failure (ccxt's krakenfutures maps it to ExchangeNotAvailable);
        // whether the request was acted on is not documented where we read.
        E::not_auth("Unavailable", 200),
    ],
    reader: Reader::Custom(read),
    // No time window: a refused nonce wants a fresh, larger nonce, not a resync.
    next_steps: &[(TimestampOutsideWindow, crate::rejection::NextStep::RetryOnce)],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// `{"result":"error","error":<code>,"serverTime":<ISO time>}`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"result": "error", "error": answer.code, "serverTime": crate::server_time::iso_millis(answer.now)}))
}

/// `{"event":"error","message":<code>}`.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"event": "error", "message": answer.code}))
}

/// `error` of a `"result":"error"` answer (REST), or `message` of an `"event":"error"` one
/// (websocket).
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json.filter(|json| json.is_object()) else { return Vec::new() };
    let code = if json.get("result").and_then(|r| r.as_str()) == Some("error") {
        field(json, "error")
    } else if json.get("event").and_then(|e| e.as_str()) == Some("error") {
        field(json, "message")
    } else {
        None
    };
    code.map(|code| vec![Read { key: code.clone(), code: Some(code.clone()), message: Some(code) }]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use crate::rejection::{RejectionKind, classify};

    fn kind(status: u16, body: &str) -> Option<RejectionKind> {
        classify(Scheme::KrakenFutures, status, body.as_bytes()).map(|r| r.kind)
    }

    /// The answers AUTH-breadth.md §3 shows.
    #[test]
    fn documented_answers() {
        use RejectionKind::*;
        let auth = r#"{"result":"error","error":"authenticationError","serverTime":"2016-02-25T09:45:53.818Z"}"#;
        assert_eq!(kind(401, auth), Some(InvalidSignature));
        let nonce = r#"{"result":"error","error":"nonceBelowThreshold","serverTime":"2016-02-25T09:45:53.818Z"}"#;
        assert_eq!(kind(200, nonce), Some(TimestampOutsideWindow));
        assert_eq!(kind(200, r#"{"result":"error","error":"apiLimitExceeded"}"#), Some(RateLimited));
        assert_eq!(kind(200, r#"{"result":"success","serverTime":"2016-02-25T09:45:53.818Z"}"#), None);
    }
}
