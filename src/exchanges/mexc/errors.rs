//! MEXC's errors, spot and contract in one table (AUTH-breadth.md §6; MEXC's spot v3 "Error
//! Code" list and futures "Error code" list; ccxt's `mexc` exceptions). Spot answers
//! `{"code":700002,"msg"}`, contract `{"success":false,"code":602,"message"}`; a contract
//! success carries `"code":0`.
//!
//! The local exchange verifies both APIs: the spot codes are answered to spot requests only
//! ([`ErrorCode::under`](crate::rejection::ErrorCode::under)), the others to contract requests. MEXC's contract API
//! is reported to answer its refusals with HTTP 200; the statuses written here are those of its
//! spot API and ccxt's reading (401 for the key and the signature), which is also what the local
//! exchange sends: a client reads the code from the body either way.

use serde_json::json;

use crate::rejection::Refusal::*;
use crate::rejection::RejectionKind::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Read, Reader, Response, field};

/// Everything the signature covers, or a header the generic check does not name: MEXC answers
/// them all as a signature it cannot verify.
const SIGNATURE: &[crate::rejection::Refusal] =
    &[Signature, MissingHeader("Signature"), Passphrase, Environment, Nonce, RecvWindow, KeyType, CdnBlocked];

/// The spot API's path prefix (the description's `LAYOUTS`), whose refusals take spot's codes.
const SPOT: &str = super::LAYOUTS.prefix;

/// What spot answers as a signature it cannot verify: everything the signature covers.
const SPOT_SIGNATURE: &[crate::rejection::Refusal] =
    &[Signature, MissingHeader("signature"), Passphrase, Environment, Nonce, KeyType, CdnBlocked, Missing];

/// MEXC's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        // Contract ("Futures > Error code").
        E::new("401", InvalidKey, 401)
            .message("Unauthorized")
            .rest(&[MissingHeader("ApiKey"), UnknownKey, KeyFormat])
            .ws(&[UnknownKey, KeyFormat]),
        E::new("402", KeyExpiredOrLegacy, 401).message("Api_key expired"),
        E::new("406", IpNotAllowed, 401).message("Access IP is not in the whitelist"),
        E::new("510", RateLimited, 429).message("Excessive frequency of requests"),
        E::new("513", TimestampOutsideWindow, 401)
            .message("Invalid request(for open api serves time more or less than 10 seconds)")
            .rest(&[Expired])
            .ws(&[Expired]),
        E::new("602", InvalidSignature, 401).message("Signature verification failed!").rest(SIGNATURE).ws(SIGNATURE),
        // ccxt's table: an unreadable or absent Request-Time.
        E::new("10073", MalformedTimestamp, 401)
            .message("Invalid Request-Time")
            .rest(&[MissingHeader("Request-Time"), InvalidTimestamp, Missing])
            .ws(&[InvalidTimestamp, Missing]),
        // Spot ("Spot V3 > Error Code"), as Binance's with MEXC's numbers, answered to
        // requests under `/api/v3/` (the spot layout of the description's recipe): an absent or
        // malformed key 700001 (Binance's -2014), an unknown one 10072 (-2015), the signature
        // 700002 (-1022), the timestamp 700003 (-1021), a recvWindow above 60000 700005.
        E::new("10072", InvalidKey, 401).message("Api key info invalid").under(SPOT).rest(&[UnknownKey]),
        E::new("700001", InvalidKey, 401)
            .message("API-key format invalid.")
            .under(SPOT)
            .rest(&[MissingHeader("X-MEXC-APIKEY"), KeyFormat]),
        E::new("700002", InvalidSignature, 400)
            .message("Signature for this request is not valid.")
            .under(SPOT)
            .rest(SPOT_SIGNATURE),
        E::new("700003", TimestampOutsideWindow, 400)
            .message("Timestamp for this request is outside of the recvWindow.")
            .under(SPOT)
            .rest(&[Expired, InvalidTimestamp, MissingHeader("timestamp")]),
        E::not_auth("700005", 400)
            .message("recvWindow must less than 60000")
            .under(SPOT)
            .rest(&[RecvWindow, MissingHeader("recvWindow")]),
        E::new("700006", IpNotAllowed, 400).message("IP [] not in the ip white list"),
        E::new("700007", PermissionDenied, 403).message("No permission to access the endpoint."),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(body),
};

/// Contract: `{"success":false,"code":<number>,"message"}` (the websocket login's refusal shape
/// is not documented where we read: the local exchange answers it the same way); spot, Binance's
/// `{"code":<number>,"msg"}`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    if answer.entry.is_some_and(|entry| entry.under == Some(SPOT)) {
        return AnswerBody::Json(json!({"code": answer.numeric_code(), "msg": answer.message}));
    }
    AnswerBody::Json(json!({"success": false, "code": answer.numeric_code(), "message": answer.message}))
}

/// `code` with spot's `msg` or contract's `message`; contract's `code` 0 is a success.
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json.filter(|json| json.is_object()) else { return Vec::new() };
    let Some(code) = field(json, "code") else { return Vec::new() };
    if code == "0" || code == "200" {
        return Vec::new();
    }
    let message = field(json, "msg").or_else(|| field(json, "message"));
    vec![Read { key: code.clone(), code: Some(code), message }]
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use crate::rejection::{RejectionKind, classify};

    fn kind(status: u16, body: &str) -> Option<RejectionKind> {
        classify(Scheme::Mexc, status, body.as_bytes()).map(|r| r.kind)
    }

    /// The answers AUTH-breadth.md §6 shows, spot and contract.
    #[test]
    fn documented_answers() {
        use RejectionKind::*;
        assert_eq!(kind(400, r#"{"code":700002,"msg":"Signature for this request is not valid."}"#), Some(InvalidSignature));
        assert_eq!(kind(400, r#"{"code":700003,"msg":"Timestamp for this request is outside of the recvWindow."}"#), Some(TimestampOutsideWindow));
        assert_eq!(kind(400, r#"{"code":10072,"msg":"Api key info invalid"}"#), Some(InvalidKey));
        assert_eq!(kind(200, r#"{"success":false,"code":602,"message":"Signature verification failed!"}"#), Some(InvalidSignature));
        assert_eq!(kind(200, r#"{"success":false,"code":10073,"message":"Invalid Request-Time"}"#), Some(MalformedTimestamp));
        assert_eq!(kind(200, r#"{"success":true,"code":0,"data":1718095903352}"#), None);
    }
}
