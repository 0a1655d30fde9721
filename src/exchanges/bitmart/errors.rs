//! BitMart's errors: REST answers `{"code":<number>,"message","trace"}` (AUTH-breadth.md §7;
//! BitMart's "Error Code" list, ccxt's `bitmart` exceptions, HTTP 401/403), the spot websocket
//! `{"event":"login","errorCode","errorMessage"}` (BitMart's spot websocket docs, "Failed
//! Response Format", whose example is 91002 "API KEY not found"). A success carries `code` 1000.

use serde_json::json;

use crate::rejection::Refusal::*;
use crate::rejection::RejectionKind::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Read, Reader, Response, field};

/// BitMart's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("30001", MissingCredentials, 401).message("Header X-BM-KEY is empty").rest(&[MissingHeader("X-BM-KEY")]),
        E::new("30002", InvalidKey, 401).message("Header X-BM-KEY not found").rest(&[UnknownKey, KeyFormat]),
        E::new("30003", PermissionDenied, 401).message("Header X-BM-KEY has frozen"),
        E::new("30004", MissingCredentials, 401).message("Header X-BM-SIGN is empty").rest(&[MissingHeader("X-BM-SIGN")]),
        // A wrong memo, method or payload all reach the exchange as a signature it cannot
        // verify: BitMart has no code of its own for them.
        E::new("30005", InvalidSignature, 401)
            .message("Header X-BM-SIGN is wrong")
            .rest(&[Signature, Passphrase, Environment, Nonce, RecvWindow, KeyType, CdnBlocked])
            // The websocket login's codes besides 91002 are not documented where we read: the
            // local exchange answers a refused login with the REST code of the same refusal.
            .ws(&[Signature, Passphrase, Environment, Nonce, RecvWindow, KeyType, CdnBlocked]),
        // The timestamp header is the one left when the key and the sign are present.
        E::new("30006", MalformedTimestamp, 401)
            .message("Header X-BM-TIMESTAMP is empty")
            .rest(&[MissingHeader("X-BM-TIMESTAMP"), Missing])
            .ws(&[Missing]),
        E::new("30007", TimestampOutsideWindow, 401)
            .message("Header X-BM-TIMESTAMP range. Within a minute")
            .rest(&[Expired])
            .ws(&[Expired]),
        E::new("30008", MalformedTimestamp, 401)
            .message("Header X-BM-TIMESTAMP invalid format")
            .rest(&[InvalidTimestamp])
            .ws(&[InvalidTimestamp]),
        E::new("30010", IpNotAllowed, 403),
        E::new("30011", InvalidKey, 403).message("Header X-BM-KEY over expire time"),
        E::new("30012", PermissionDenied, 403).message("Header X-BM-KEY is forbidden to request it"),
        E::new("30013", RateLimited, 429).message("Request too many requests"),
        E::not_auth("30014", 503).message("Service unavailable"),
        // Websocket login (spot): the documented example.
        E::new("91002", InvalidKey, 200).message("API KEY not found").ws(&[UnknownKey, KeyFormat]),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// REST: `{"code":<number>,"message","trace"}`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    let code = answer.code.parse::<u64>().map_or_else(|_| json!(answer.code), |code| json!(code));
    AnswerBody::Json(json!({"code": code, "message": answer.message, "trace": "cexsign-local"}))
}

/// Websocket login (spot): `{"event":"login","errorCode","errorMessage"}`, as strings.
fn ws_body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"event": "login", "errorCode": answer.code, "errorMessage": answer.message}))
}

/// `code` and `message` (REST), or `errorCode` and `errorMessage` (websocket); `code` 1000 is a
/// success.
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json.filter(|json| json.is_object()) else { return Vec::new() };
    let (code, message) = match field(json, "errorCode") {
        Some(code) => (code, field(json, "errorMessage")),
        None => match field(json, "code") {
            Some(code) => (code, field(json, "message")),
            None => return Vec::new(),
        },
    };
    if code == "1000" {
        return Vec::new();
    }
    vec![Read { key: code.clone(), code: Some(code), message }]
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use crate::rejection::{RejectionKind, classify};

    fn kind(status: u16, body: &str) -> Option<RejectionKind> {
        classify(Scheme::Bitmart, status, body.as_bytes()).map(|r| r.kind)
    }

    /// The answers AUTH-breadth.md §7 and BitMart's docs show.
    #[test]
    fn documented_answers() {
        use RejectionKind::*;
        assert_eq!(kind(401, r#"{"code":30005,"message":"Header X-BM-SIGN is wrong","trace":"x"}"#), Some(InvalidSignature));
        assert_eq!(kind(401, r#"{"code":30007,"message":"Header X-BM-TIMESTAMP range. Within a minute"}"#), Some(TimestampOutsideWindow));
        assert_eq!(kind(403, r#"{"code":30010,"message":"IP is forbidden"}"#), Some(IpNotAllowed));
        assert_eq!(kind(200, r#"{"event":"login","errorCode":"91002","errorMessage":"API KEY not found"}"#), Some(InvalidKey));
        assert_eq!(kind(200, r#"{"code":1000,"message":"OK","data":{"server_time":1}}"#), None);
        assert_eq!(kind(200, r#"{"event":"login"}"#), None);
    }
}
