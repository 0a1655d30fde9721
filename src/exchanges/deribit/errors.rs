//! Deribit's errors (AUTH-breadth.md §5, ccxt's `deribit` exceptions table): JSON-RPC answers
//! `{"jsonrpc":"2.0","error":{"message":"invalid_credentials","code":13004},"testnet":false,
//! "usIn":…,"usOut":…,"usDiff":…}`, over REST and on the websocket alike (there with the
//! request's `id`). The message is the code's name in snake case.
//!
//! Deribit's documentation lists no code of its own for a timestamp outside its window or a
//! reused nonce; its `13009 unauthorized` covers a "bad signature", so the local exchange answers
//! those with it, and its reason says which it was. The HTTP status of an error answer is 400
//! (JSON-RPC errors are not told apart by status), 429 for the rate limit.

use serde_json::{Value, json};

use crate::rejection::Refusal::*;
use crate::rejection::RejectionKind::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Read, Reader, Response, field};

/// Deribit's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("13004", InvalidKey, 400).message("invalid_credentials").rest(&[UnknownKey, KeyFormat]).ws(&[UnknownKey, KeyFormat]),
        E::new("13009", InvalidSignature, 400)
            .message("unauthorized")
            .rest(&[Signature, Nonce, InvalidTimestamp, Expired, Passphrase, Environment, RecvWindow, KeyType, CdnBlocked])
            .ws(&[Signature, Nonce, InvalidTimestamp, Expired, Passphrase, Environment, RecvWindow, KeyType, CdnBlocked]),
        E::new("10000", MissingCredentials, 400).message("authorization_required").rest(&[Missing]),
        E::new("13021", PermissionDenied, 400).message("forbidden"),
        E::new("10028", RateLimited, 429).message("too_many_requests"),
        E::not_auth("11050", 400).message("bad_request").rest(&[Malformed, BodyTooLarge]).ws(&[Missing, Malformed, BodyTooLarge]),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: Some(body),
    ws_body: Some(ws_body),
};

/// The JSON-RPC error answer, with Deribit's timing fields (microseconds).
fn answer(id: Value, answer: &ErrorAnswer<'_>) -> Value {
    let micros = u64::try_from(answer.now.unix_millis()).unwrap_or(u64::MAX).saturating_mul(1000);
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"message": answer.message, "code": answer.numeric_code()},
        "testnet": true,
        "usIn": micros,
        "usOut": micros,
        "usDiff": 0,
    })
}

/// REST: the JSON-RPC answer without an id (the request's is in its body, which a rejected
/// request is not read for).
fn body(error: &ErrorAnswer<'_>) -> AnswerBody {
    let mut body = answer(Value::Null, error);
    if let Some(object) = body.as_object_mut() {
        object.remove("id");
    }
    AnswerBody::Json(body)
}

/// Websocket: the JSON-RPC answer to the `public/auth` request, echoing its id.
fn ws_body(error: &ErrorAnswer<'_>) -> AnswerBody {
    let id = error.login.and_then(|login| login.get("id")).cloned().unwrap_or(Value::Null);
    AnswerBody::Json(answer(id, error))
}

/// `error.code` (a number) and `error.message`.
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(error) = response.json.and_then(|json| json.get("error")) else {
        return Vec::new();
    };
    let Some(code) = field(error, "code") else {
        return Vec::new();
    };
    let message = error.get("message").and_then(Value::as_str).map(str::to_owned);
    vec![Read { key: code.clone(), code: Some(code), message }]
}

#[cfg(test)]
mod tests {
    use crate::Scheme;
    use crate::rejection::{RejectionKind, classify};

    fn kind(status: u16, body: &str) -> Option<RejectionKind> {
        classify(Scheme::Deribit, status, body.as_bytes()).map(|r| r.kind)
    }

    #[test]
    fn codes_from_auth_breadth() {
        use RejectionKind::*;
        // As Deribit answered a key it did not know (ccxt issue 8696).
        let invalid = r#"{"jsonrpc":"2.0","error":{"message":"invalid_credentials","code":13004},"testnet":false,"usIn":1616444742558343,"usOut":1616444742558590,"usDiff":247}"#;
        assert_eq!(kind(400, invalid), Some(InvalidKey));
        let rpc = |code: u32, message: &str| format!(r#"{{"jsonrpc":"2.0","error":{{"message":"{message}","code":{code}}}}}"#);
        assert_eq!(kind(400, &rpc(13009, "unauthorized")), Some(InvalidSignature));
        assert_eq!(kind(400, &rpc(10000, "authorization_required")), Some(MissingCredentials));
        assert_eq!(kind(400, &rpc(13021, "forbidden")), Some(PermissionDenied));
        assert_eq!(kind(429, &rpc(10028, "too_many_requests")), Some(RateLimited));
        assert_eq!(kind(200, r#"{"jsonrpc":"2.0","result":{"equity":1.0}}"#), None);
    }
}
