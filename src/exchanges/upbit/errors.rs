//! Upbit's errors: `{"error":{"name":"<name>","message":"<message>"}}`, the authentication ones
//! with HTTP 401 (AUTH-breadth.md §9; Upbit's "에러 코드" (error code) table; ccxt's `upbit`
//! exceptions map `jwt_verification` and `invalid_access_key` to AuthenticationError). The name
//! is the code.

use serde_json::json;

use crate::rejection::Refusal::*;
use crate::rejection::RejectionKind::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, NextStep, Read, Reader, Response, field};

/// Upbit's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("no_authorization_token", MissingCredentials, 401)
            .message("Authorization token is not provided.")
            .rest(&[MissingHeader("Authorization"), Missing]),
        E::new("invalid_access_key", InvalidKey, 401).message("잘못된 엑세스 키입니다.").rest(&[UnknownKey, KeyFormat]),
        // The token is not a JWT Upbit reads, or its query_hash is not the SHA-512 of the
        // parameters received: a wrong hash input (the URL-encoded query, sorted parameters, the
        // JSON text) ends here, not at jwt_verification.
        E::new("invalid_query_payload", InvalidSignature, 401)
            .message("JWT 토큰의 쿼리 정보가 일치하지 않습니다.")
            .rest(&[Malformed]),
        E::new("jwt_verification", InvalidSignature, 401)
            .message("Failed to verify Jwt token.")
            .rest(&[Signature, Passphrase, Environment, InvalidTimestamp, Expired, RecvWindow, KeyType, CdnBlocked]),
        // Not a clock problem: Upbit has no time window, only nonces used once.
        E::new("nonce_used", TimestampOutsideWindow, 401).message("이미 요청한 nonce값이 다시 사용되었습니다.").rest(&[Nonce]),
        E::new("expired_access_key", KeyExpiredOrLegacy, 401).message("API 키가 만료되었습니다."),
        E::new("no_authorization_i_p", IpNotAllowed, 401).message("This is not a verified IP."),
        E::new("out_of_scope", PermissionDenied, 401).message("권한이 부족합니다."),
        E::not_auth("validation_error", 400).message("잘못된 API 요청입니다.").rest(&[BodyTooLarge, ContentType]),
    ],
    reader: Reader::Custom(read),
    // A used nonce wants a fresh token, not a clock resync.
    next_steps: &[(TimestampOutsideWindow, NextStep::RetryOnce)],
    body: Some(body),
    ws_body: None,
};

/// `{"error":{"name","message"}}`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"error": {"name": answer.code, "message": answer.message}}))
}

/// `error.name` and `error.message`.
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(error) = response.json.and_then(|json| json.get("error")).filter(|error| error.is_object()) else {
        return Vec::new();
    };
    let Some(name) = field(error, "name") else { return Vec::new() };
    vec![Read { key: name.clone(), code: Some(name), message: field(error, "message") }]
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use crate::rejection::{RejectionKind, classify};

    fn kind(status: u16, body: &str) -> Option<RejectionKind> {
        classify(Scheme::Upbit, status, body.as_bytes()).map(|r| r.kind)
    }

    /// The answers AUTH-breadth.md §9 and Upbit's error table show.
    #[test]
    fn documented_answers() {
        use RejectionKind::*;
        assert_eq!(kind(401, r#"{"error":{"name":"jwt_verification","message":"Failed to verify Jwt token."}}"#), Some(InvalidSignature));
        assert_eq!(kind(401, r#"{"error":{"name":"invalid_query_payload","message":"x"}}"#), Some(InvalidSignature));
        assert_eq!(kind(401, r#"{"error":{"name":"invalid_access_key","message":"x"}}"#), Some(InvalidKey));
        assert_eq!(kind(401, r#"{"error":{"name":"nonce_used","message":"x"}}"#), Some(TimestampOutsideWindow));
        assert_eq!(kind(401, r#"{"error":{"name":"no_authorization_token","message":"x"}}"#), Some(MissingCredentials));
        assert_eq!(kind(401, r#"{"error":{"name":"expired_access_key","message":"x"}}"#), Some(KeyExpiredOrLegacy));
        assert_eq!(kind(200, r#"[{"currency":"KRW","balance":"1"}]"#), None);
    }
}
