//! BitMEX's errors (AUTH-breadth.md): REST answers `{"error":{"message","name":"HTTPError"}}`
//! with no code, so the message's words say what went wrong; the websocket answers
//! `{"status":401,"error":"<message>","request":{…}}`. The entries are tried in order.

use serde_json::{Value, json};

use crate::rejection::Refusal::*;
use crate::rejection::RejectionKind::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Read, Reader, Response};

/// BitMEX's error table; each entry's code is the message the local exchange would send.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        // BitMEX appends "Current time: <unix s>" to this message; it answers it with 400 (the
        // spec lists it under 401; the sample market maker's issues show 400).
        E::new("This request has expired - `expires` is in the past.", TimestampOutsideWindow, 400)
            .message("This request has expired - `expires` is in the past.")
            .words(&["expires", "in the past"])
            .rest(&[Expired])
            .ws(&[Expired]),
        E::new("Signature not valid.", InvalidSignature, 401)
            .message("Signature not valid.")
            .words(&["signature not valid"])
            .rest(&[Signature, Passphrase, Environment, Nonce, RecvWindow, KeyType, CdnBlocked, InvalidTimestamp])
            .ws(&[Signature, Passphrase, Environment, Nonce, RecvWindow, KeyType, CdnBlocked, InvalidTimestamp]),
        E::new("Invalid API Key.", InvalidKey, 401)
            .message("Invalid API Key.")
            .words(&["invalid api key"])
            .rest(&[UnknownKey, KeyFormat])
            .ws(&[UnknownKey, KeyFormat]),
        E::new("This key is disabled.", KeyExpiredOrLegacy, 403).words(&["key is disabled"]),
        E::new("Missing API key.", MissingCredentials, 401).message("Missing API key.").words(&["missing api key"]).rest(&[Missing]),
        E::new("Rate limit exceeded", RateLimited, 429).words(&["rate limit exceeded"]),
        E::new("Access Denied", PermissionDenied, 403).words(&["access denied"]),
        E::new("not permitted", PermissionDenied, 403).words(&["not permitted"]),
        E::not_auth("Invalid request", 400).message("Invalid request").words(&["invalid request"]).ws(&[Missing, Malformed, BodyTooLarge]),
        // Orders: a repeated `clOrdID` is refused with HTTP 400 "Duplicate clOrdID" (BitMEX's
        // sample-market-maker `bitmex.py` recovers from exactly this answer after a retried POST);
        // an overloaded BitMEX sheds load with 503 before processing (BitMEX API docs, "Overload";
        // the sample market maker retries it).
        E::not_auth("Duplicate clOrdID", 400).message("Duplicate clOrdID").words(&["duplicate clordid"]),
        E::not_auth("The system is currently overloaded. Please try again later.", 503)
            .message("The system is currently overloaded. Please try again later.")
            .words(&["currently overloaded"]),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"error":{"message","name":"HTTPError"}}` (the code is the message: BitMEX sends
/// none).
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"error": {"message": answer.message, "name": "HTTPError"}}))
}

/// Websocket: `{"status","error"}`.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"status": 401, "error": answer.message}))
}

/// `error` is an object with a `message` (REST) or the message itself (websocket); BitMEX gives
/// no code, so the rejection reports none.
fn read(response: &Response<'_>) -> Vec<Read> {
    let message = match response.json.and_then(|json| json.get("error")) {
        Some(Value::String(message)) => message.clone(),
        Some(Value::Object(error)) => match error.get("message").and_then(Value::as_str) {
            Some(message) => message.to_owned(),
            None => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    vec![Read { key: String::new(), code: None, message: Some(message) }]
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use crate::rejection::{NextStep, RejectionKind, classify};

    fn kind(status: u16, body: &str) -> Option<RejectionKind> {
        classify(Scheme::Bitmex, status, body.as_bytes()).map(|r| r.kind)
    }

    #[test]
    fn messages_from_auth_breadth() {
        use RejectionKind::*;
        let rest = |message: &str| format!(r#"{{"error":{{"message":"{message}","name":"HTTPError"}}}}"#);
        assert_eq!(kind(401, &rest("Signature not valid.")), Some(InvalidSignature));
        assert_eq!(kind(401, &rest("Invalid API Key.")), Some(InvalidKey));
        let expired = rest("This request has expired - `expires` is in the past. Current time: 1516534870");
        let r = classify(Scheme::Bitmex, 400, expired.as_bytes()).unwrap();
        assert_eq!((r.kind, r.next_step, r.code), (TimestampOutsideWindow, NextStep::ResyncAndRetryOnce, None));
        assert_eq!(kind(401, r#"{"status":401,"error":"Signature not valid.","request":{"op":"authKeyExpires"}}"#), Some(InvalidSignature));
        assert_eq!(kind(429, &rest("Rate limit exceeded, retry in 1 seconds.")), Some(RateLimited));
        assert_eq!(kind(200, r#"[{"orderID":"x"}]"#), None);
    }
}
