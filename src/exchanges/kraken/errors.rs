//! Kraken's errors (AUTH-more.md): HTTP 200 with a non-empty `error` array of
//! `"EAPI:Invalid signature"`-style strings.

use serde_json::{Value, json};

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, NextStep, Read, Reader, Response};

/// Kraken's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("EAPI:Invalid signature", InvalidSignature, 200)
            .rest(&[MissingHeader("API-Sign"), Signature, Passphrase, Environment, RecvWindow, KeyType, CdnBlocked]),
        // Kraken also reports a wrongly computed API-Sign this way.
        E::new("EAPI:Invalid key", InvalidKey, 200).rest(&[Missing, UnknownKey, KeyFormat]),
        // Not a clock problem: the nonce was not above the last one the key saw.
        E::new("EAPI:Invalid nonce", TimestampOutsideWindow, 200).rest(&[Nonce, InvalidTimestamp, Expired]),
        E::new("EGeneral:Permission denied", PermissionDenied, 200),
        E::new("EAPI:Rate limit exceeded", RateLimited, 200),
        E::new("EGeneral:Invalid arguments:Nonce", MalformedTimestamp, 200),
        // Not processed (Kraken's REST "Errors" page: EService:Unavailable "the matching engine or
        // API is offline", EService:Busy "request can't be made at this time"; ccxt's kraken maps
        // both to ExchangeNotAvailable). EService:Deadline elapsed is not listed here: Kraken may
        // have acted on the request.
        E::not_auth("EService:Unavailable", 200),
        E::not_auth("EService:Busy", 200),
    ],
    reader: Reader::Custom(read),
    // Kraken has no time window: a refused nonce wants a fresh, larger nonce, not a resync.
    next_steps: &[(TimestampOutsideWindow, NextStep::RetryOnce)],
    body: Some(body),
    // Kraken's websocket takes a token from REST: no login to answer.
    ws_body: None,
};

/// HTTP 200 with a non-empty `error` array.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"error": [answer.code]}))
}

/// Every string of the `error` array is a candidate; each is its own code and message.
fn read(response: &Response<'_>) -> Vec<Read> {
    let errors = response.json.and_then(|json| json.get("error")).and_then(Value::as_array);
    errors
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|e| Read { key: e.to_owned(), code: Some(e.to_owned()), message: Some(e.to_owned()) })
        .collect()
}
