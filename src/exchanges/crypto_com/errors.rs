//! Crypto.com Exchange's errors (AUTH-breadth.md §8; Crypto.com Exchange API v1 "Response and
//! Reason Codes"; ccxt 4.5.90's `cryptocom` exceptions): every answer, REST or websocket, is
//! `{"id":…,"method":…,"code":<number>,"message":"…"}`, `code` 0 on success. An authentication
//! failure comes with HTTP 401, other refusals with 400 (429 for the rate limit).
//!
//! A REST refusal is written without the request's `id` and `method` (`id` -1, as Crypto.com
//! answers a request it could not read; the method the path names is not known to the writer),
//! a websocket one echoes the `public/auth` request's `id`.

use serde_json::{Value, json};

use crate::rejection::Refusal::*;
use crate::rejection::RejectionKind::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Read, Reader, Response, field};

/// Crypto.com's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        // "Authentication failure": an unknown key, a wrong signature, a missing field.
        E::new("40101", InvalidSignature, 401)
            .message("Authentication failure")
            .rest(&[UnknownKey, KeyFormat, Signature, Passphrase, Environment, RecvWindow, KeyType, Missing, CdnBlocked])
            .ws(&[UnknownKey, KeyFormat, Signature, Passphrase, Environment, RecvWindow, KeyType, Missing, CdnBlocked]),
        // "Nonce value differs by more than 60 seconds".
        E::new("40102", TimestampOutsideWindow, 400)
            .message("Nonce value differs by more than 60 seconds")
            .rest(&[Expired, InvalidTimestamp, Nonce])
            .ws(&[Expired, InvalidTimestamp, Nonce]),
        E::new("40103", IpNotAllowed, 401).message("IP address not whitelisted"),
        E::new("10002", InvalidKey, 401).message("UNAUTHORIZED"),
        E::new("10003", IpNotAllowed, 401).message("IP_ILLEGAL"),
        E::new("10007", TimestampOutsideWindow, 400).message("INVALID_NONCE"),
        E::new("10006", RateLimited, 429).message("TOO_MANY_REQUESTS"),
        // A client order id the account already has open.
        E::not_auth("204", 400).message("DUPLICATE_CLORDID"),
        E::not_auth("10004", 400).message("BAD_REQUEST").rest(&[Malformed, BodyTooLarge, ContentType]).ws(&[Malformed, BodyTooLarge]),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

fn answer(id: Value, method: Value, error: &ErrorAnswer<'_>) -> Value {
    json!({"id": id, "method": method, "code": error.numeric_code(), "message": error.message})
}

/// REST: `{"id":-1,"method":"","code","message"}`.
fn body(error: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(answer(Value::from(-1), Value::from(""), error))
}

/// Websocket: the answer to the `public/auth` request, echoing its id.
fn ws_body(error: &ErrorAnswer<'_>) -> AnswerBody {
    let id = error.login.and_then(|login| login.get("id")).cloned().unwrap_or(Value::Null);
    AnswerBody::Json(answer(id, Value::from("public/auth"), error))
}

/// `code` (a number, 0 on success) and `message`.
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json else { return Vec::new() };
    let Some(code) = field(json, "code").filter(|code| code != "0") else {
        return Vec::new();
    };
    let message = json.get("message").and_then(Value::as_str).map(str::to_owned);
    vec![Read { key: code.clone(), code: Some(code), message }]
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use crate::rejection::{RejectionKind, classify};

    fn kind(status: u16, body: &str) -> Option<RejectionKind> {
        classify(Scheme::CryptoCom, status, body.as_bytes()).map(|r| r.kind)
    }

    /// The answers AUTH-breadth.md §8 and Crypto.com's reason codes show.
    #[test]
    fn documented_answers() {
        use RejectionKind::*;
        let answer = |code: u32, message: &str| {
            format!(r#"{{"id":11,"method":"private/create-order","code":{code},"message":"{message}"}}"#)
        };
        assert_eq!(kind(401, &answer(40101, "Authentication failure")), Some(InvalidSignature));
        assert_eq!(kind(400, &answer(40102, "Nonce value differs by more than 60 seconds")), Some(TimestampOutsideWindow));
        assert_eq!(kind(401, &answer(40103, "IP address not whitelisted")), Some(IpNotAllowed));
        assert_eq!(kind(400, &answer(10007, "INVALID_NONCE")), Some(TimestampOutsideWindow));
        assert_eq!(kind(429, &answer(10006, "TOO_MANY_REQUESTS")), Some(RateLimited));
        assert_eq!(kind(200, r#"{"id":11,"method":"private/user-balance","code":0,"result":{"data":[]}}"#), None);
    }
}
