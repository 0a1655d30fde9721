//! KuCoin's error codes (`{"code","msg"}`), from AUTH.md.

use serde_json::json;

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{AnswerBody, ErrorAnswer, ErrorCode as E, ErrorTable, Reader};

/// KuCoin's error table.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("400001", MissingCredentials, 401)
            .message("Please check the header of your request for KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE")
            .rest(&[Missing]),
        // KuCoin answers an unreadable timestamp and a stale one alike.
        E::new("400002", TimestampOutsideWindow, 401).message("Invalid KC-API-TIMESTAMP").rest(&[InvalidTimestamp, Expired]),
        E::new("400003", InvalidKey, 401).message("KC-API-KEY not exists").rest(&[UnknownKey, KeyFormat]),
        E::new("400004", InvalidPassphrase, 401).message("Invalid KC-API-PASSPHRASE").rest(&[Passphrase, Environment]),
        E::new("400005", InvalidSignature, 401)
            .message("Invalid KC-API-SIGN")
            .rest(&[Signature, CdnBlocked, Nonce, RecvWindow, KeyType]),
        E::new("400006", IpNotAllowed, 401),
        E::new("400007", PermissionDenied, 401),
        E::new("400201", InvalidSignature, 401),
        E::new("429000", RateLimited, 429),
        // A body sent with another Content-Type than application/json: HTTP 415 (KuCoin docs,
        // error codes, "415 Unsupported Media Type. You need to use: application/json."), with
        // the body `{"code":"415000","msg":"Unsupported Media Type"}` (ccxt 4.5.90 `kucoin.py`).
        E::not_auth("415000", 415).message("Unsupported Media Type").rest(&[ContentType]),
        // Orders: KuCoin answers a `clientOid` already used by one of the key's active orders with
        // its general parameter-error code 400100 and this message (JKorf/Kucoin.Net#120; its
        // docs say only that the id must be unique, and kucoin-api-docs#468 reports it is not
        // enforced against filled or cancelled orders). The HTTP status is not in those sources:
        // 400, KuCoin's status for an invalid request.
        E::not_auth("400100", 400)
            .message("validation.createOrder.clientOidDuplicated")
            .code_and_words(&["clientoidduplicated"]),
    ],
    reader: Reader::Fields { code: "code", message: "msg" },
    next_steps: &[],
    body: Some(body),
    // KuCoin's private websocket takes a token from REST: no login to answer.
    ws_body: None,
};

/// `{"code","msg"}`.
fn body(answer: &ErrorAnswer<'_>) -> AnswerBody {
    AnswerBody::Json(json!({"code": answer.code, "msg": answer.message}))
}
