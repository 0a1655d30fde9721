//! Gate's error labels (AUTH-more.md): REST `{"label","message"}`; the websocket API login
//! answers them in `data.errs`, a channel message in `error.message` as `"LABEL: message"`.

use crate::rejection::RejectionKind::*;
use crate::rejection::Refusal::*;
use crate::rejection::{ErrorCode as E, ErrorTable, Read, Reader, Refusal, Response, field};

const MISSING: &[Refusal] = &[Missing];
const KEY: &[Refusal] = &[UnknownKey, KeyFormat];
// Gate documents no separate label for an unreadable Timestamp: it is as far from the server
// time as a stale one.
const EXPIRED: &[Refusal] = &[InvalidTimestamp, Expired];
const SIGNATURE: &[Refusal] = &[Signature, Passphrase, Environment, Nonce, RecvWindow, KeyType, CdnBlocked];

/// Gate's error table: REST and websocket answer the same labels.
pub(crate) const ERRORS: ErrorTable = ErrorTable {
    codes: &[
        E::new("INVALID_SIGNATURE", InvalidSignature, 401).message("Invalid signature").rest(SIGNATURE).ws(SIGNATURE),
        E::new("INVALID_KEY", InvalidKey, 401).message("Invalid API Key").rest(KEY).ws(KEY),
        E::new("INVALID_CREDENTIALS", InvalidKey, 401),
        E::new("MISSING_REQUIRED_HEADER", MissingCredentials, 401)
            .message("Missing required authentication header")
            .rest(MISSING)
            .ws(MISSING),
        E::new("REQUEST_EXPIRED", TimestampOutsideWindow, 401)
            .message("Request Timestamp is far from the server time")
            .rest(EXPIRED)
            .ws(EXPIRED),
        E::new("IP_FORBIDDEN", IpNotAllowed, 403),
        E::new("READ_ONLY", PermissionDenied, 403),
        E::new("FORBIDDEN", PermissionDenied, 403),
        E::new("TOO_MANY_REQUESTS", RateLimited, 429),
    ],
    reader: Reader::Custom(read),
    next_steps: &[],
    body: None,
};

/// `label` at the top (REST), in `data.errs` (websocket API) or before the `": "` of a channel
/// error's message.
fn read(response: &Response<'_>) -> Vec<Read> {
    let Some(json) = response.json else { return Vec::new() };
    let errs = json.pointer("/data/errs").unwrap_or(json);
    if let Some(label) = field(errs, "label") {
        return vec![Read { key: label.clone(), code: Some(label), message: field(errs, "message") }];
    }
    let channel_error = json.get("error").and_then(|e| field(e, "message"));
    match channel_error.as_deref().and_then(|m| m.split_once(": ")) {
        Some((label, message)) => {
            vec![Read { key: label.to_owned(), code: Some(label.to_owned()), message: Some(message.to_owned()) }]
        }
        None => Vec::new(),
    }
}
