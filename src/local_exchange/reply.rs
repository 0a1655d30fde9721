//! What the local exchange answers: each exchange's own status codes and error bodies, plus the
//! `cexsign_reason` / `cexsign_expected_prehash` / `cexsign_diagnosis` diagnostics.
//!
//! Every rejection is one [`Failure`] (what went wrong, in exchange-neutral terms) with a reason
//! in plain English and, when the server got far enough to compute it, the expected prehash.
//! [`rest_rejection`] and [`ws_rejection`] turn it into the exchange's response; this file is
//! the whole error-mapping table.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use http_body_util::Full;
use hyper::Response;
use serde_json::{Value, json};

use crate::diagnose::Diagnosis;
use crate::{Prehash, Scheme};

/// Longest diagnostic header value sent; longer values are left out (the JSON body, where
/// there is one, still carries them).
const MAX_DIAGNOSTIC_HEADER: usize = 4096;

/// Whether a reply counts as an accepted request, a rejected one, or neither (server time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Accepted,
    Rejected,
    Neutral,
}

/// A response, before it becomes a hyper one.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: &'static str,
    pub(crate) body: String,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) verdict: Verdict,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, body: &Value, verdict: Verdict) -> Self {
        // Serialising a `Value` cannot fail (its keys are strings).
        let body = serde_json::to_string(body).unwrap_or_default();
        Self { status, content_type: "application/json", body, headers: Vec::new(), verdict }
    }

    pub(crate) fn text(status: StatusCode, body: &str, verdict: Verdict) -> Self {
        Self { status, content_type: "text/plain", body: body.to_owned(), headers: Vec::new(), verdict }
    }

    /// Adds the `cexsign-diagnosis` header: the verdict as compact JSON, escaped like the other
    /// diagnostic headers, when there is one and it fits.
    fn with_diagnosis_header(mut self, diagnosis: Option<&Diagnosis>) -> Self {
        if let Some(value) = diagnosis.and_then(|d| diagnostic_header(&diagnosis_json(d).to_string())) {
            self.headers.push((HeaderName::from_static("cexsign-diagnosis"), value));
        }
        self
    }

    /// Adds the diagnostic headers: the reason always, the prehash when it fits.
    fn with_diagnostics(mut self, reason: &str, prehash: Option<&Prehash>) -> Self {
        if let Some(value) = diagnostic_header(reason) {
            self.headers.push((HeaderName::from_static("cexsign-reason"), value));
        }
        if let Some(value) = prehash.and_then(|p| diagnostic_header(&p.to_string())) {
            self.headers.push((HeaderName::from_static("cexsign-expected-prehash"), value));
        }
        self
    }

    pub(crate) fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        for (name, value) in self.headers {
            headers.append(name, value);
        }
        response
    }
}

/// `text` as the inside of a JSON string literal restricted to visible ASCII and space: what a
/// response header can carry. Non-ASCII and control characters become `\uXXXX` (UTF-16 units),
/// so wrapping the result in quotes and JSON-decoding it gives back the text.
pub(crate) fn ascii_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

fn diagnostic_header(text: &str) -> Option<HeaderValue> {
    let escaped = ascii_escape(text);
    if escaped.len() > MAX_DIAGNOSTIC_HEADER {
        return None;
    }
    HeaderValue::from_str(&escaped).ok()
}

/// What went wrong, independent of how an exchange words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A required auth header (or message field) is missing or empty; the upper-case name.
    MissingHeader(&'static str),
    /// No account has this key.
    UnknownKey,
    /// OKX: demo key without `x-simulated-trading: 1`, or a live key with it.
    Environment,
    /// The timestamp does not parse in the scheme's format; the text as received.
    InvalidTimestamp { raw: String, server_secs: u64 },
    /// The timestamp is outside the window.
    Expired { request_secs: u64, server_secs: u64 },
    /// The passphrase (or KuCoin's key-version header) is wrong.
    Passphrase,
    /// The signature does not match (or could not be recomputed for this request).
    Signature,
    /// Delta: no `User-Agent`.
    CdnBlocked,
    /// The body is over the size limit.
    BodyTooLarge,
    /// The request or message could not be read (body I/O error, bad JSON, wrong field types).
    Malformed,
}

/// A rejected request: the failure, a reason in plain English, the expected prehash, and the
/// diagnosis of the mistake (when the key is known and the request could be diagnosed).
#[derive(Debug)]
pub(crate) struct Rejection {
    pub(crate) failure: Failure,
    pub(crate) reason: String,
    pub(crate) prehash: Option<Prehash>,
    /// Boxed: a rejection travels in `Err` through every check.
    pub(crate) diagnosis: Option<Box<Diagnosis>>,
}

impl Rejection {
    pub(crate) fn new(failure: Failure, reason: impl Into<String>) -> Self {
        Self { failure, reason: reason.into(), prehash: None, diagnosis: None }
    }

    pub(crate) fn with_prehash(mut self, prehash: Option<Prehash>) -> Self {
        self.prehash = prehash;
        self
    }

    pub(crate) fn with_diagnosis(mut self, diagnosis: Option<Diagnosis>) -> Self {
        self.diagnosis = diagnosis.map(Box::new);
        self
    }

    /// Whether the failure is about what the client signed or sent with a known key, so that a
    /// diagnosis can name the mistake (missing headers, unknown keys and unreadable requests are
    /// not).
    pub(crate) fn is_diagnosable(&self) -> bool {
        matches!(
            self.failure,
            Failure::Environment
                | Failure::InvalidTimestamp { .. }
                | Failure::Expired { .. }
                | Failure::Passphrase
                | Failure::Signature
        )
    }
}

/// The diagnosis as the local exchange shows it: `{"verdict", "mistake", "explanation"}` and,
/// for an unknown one, `differing` (the expected prehash is `cexsign_expected_prehash`).
fn diagnosis_json(diagnosis: &Diagnosis) -> Value {
    let mut value = diagnosis.to_json();
    if let Value::Object(fields) = &mut value {
        fields.remove("expected_prehash");
    }
    value
}

fn okx_missing_code(header: &str) -> &'static str {
    match header {
        "OK-ACCESS-KEY" => "50103",
        "OK-ACCESS-PASSPHRASE" => "50104",
        "OK-ACCESS-SIGN" => "50106",
        _ => "50107",
    }
}

/// Appends `cexsign_reason` and (when known) `cexsign_expected_prehash` and
/// `cexsign_diagnosis` to a JSON error body.
fn with_cexsign_fields(mut body: Value, rejection: &Rejection) -> Value {
    if let Value::Object(fields) = &mut body {
        fields.insert("cexsign_reason".to_owned(), json!(rejection.reason));
        if let Some(prehash) = &rejection.prehash {
            fields.insert("cexsign_expected_prehash".to_owned(), json!(prehash.to_string()));
        }
        if let Some(diagnosis) = &rejection.diagnosis {
            fields.insert("cexsign_diagnosis".to_owned(), diagnosis_json(diagnosis));
        }
    }
    body
}

const BODY_TOO_LARGE_CODE: &str = "cexsign_body_too_large";
const MALFORMED_CODE: &str = "cexsign_bad_request";

/// The REST response for a rejection, in the exchange's own shape.
pub(crate) fn rest_rejection(scheme: Scheme, rejection: Rejection) -> Reply {
    use Failure::*;
    let unauthorized = StatusCode::UNAUTHORIZED;
    let (status, body) = match scheme {
        Scheme::Okx => {
            let (status, code, msg) = match &rejection.failure {
                MissingHeader(header) => {
                    (unauthorized, okx_missing_code(header), format!("Request header {header} can not be empty"))
                }
                UnknownKey => (unauthorized, "50111", "Invalid OK-ACCESS-KEY".to_owned()),
                Environment => (unauthorized, "50101", "APIKey does not match current environment".to_owned()),
                InvalidTimestamp { .. } => (unauthorized, "50112", "Invalid OK-ACCESS-TIMESTAMP".to_owned()),
                Expired { .. } => (unauthorized, "50102", "Timestamp request expired".to_owned()),
                Passphrase => (unauthorized, "50105", "OK-ACCESS-PASSPHRASE incorrect".to_owned()),
                Signature | CdnBlocked => (unauthorized, "50113", "Invalid Sign".to_owned()),
                BodyTooLarge => {
                    (StatusCode::PAYLOAD_TOO_LARGE, BODY_TOO_LARGE_CODE, "Request body too large".to_owned())
                }
                Malformed => (StatusCode::BAD_REQUEST, MALFORMED_CODE, "Bad request".to_owned()),
            };
            (status, Some(json!({"msg": msg, "code": code})))
        }
        Scheme::Kucoin => {
            let (status, code, msg) = match &rejection.failure {
                MissingHeader(_) => (
                    unauthorized,
                    "400001",
                    "Please check the header of your request for KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE",
                ),
                UnknownKey => (unauthorized, "400003", "KC-API-KEY not exists"),
                InvalidTimestamp { .. } | Expired { .. } => (unauthorized, "400002", "Invalid KC-API-TIMESTAMP"),
                Passphrase | Environment => (unauthorized, "400004", "Invalid KC-API-PASSPHRASE"),
                Signature | CdnBlocked => (unauthorized, "400005", "Invalid KC-API-SIGN"),
                BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, BODY_TOO_LARGE_CODE, "Request body too large"),
                Malformed => (StatusCode::BAD_REQUEST, MALFORMED_CODE, "Bad request"),
            };
            (status, Some(json!({"code": code, "msg": msg})))
        }
        Scheme::Delta => {
            let failed = |error: Value| json!({"error": error, "success": false});
            let code = |code: &str| json!({"code": code});
            let expired = |request_time: Value, server_secs: u64| {
                failed(json!({
                    "code": "expired_signature",
                    "context": {"request_time": request_time, "server_time": server_secs},
                }))
            };
            let (status, body) = match &rejection.failure {
                CdnBlocked => {
                    (StatusCode::FORBIDDEN, json!({"error": "Forbidden", "message": "Request blocked by CDN"}))
                }
                MissingHeader(_) => (unauthorized, failed(json!("unauthorized"))),
                UnknownKey => (unauthorized, failed(code("invalid_api_key"))),
                InvalidTimestamp { raw, server_secs } => (unauthorized, expired(json!(raw), *server_secs)),
                Expired { request_secs, server_secs } => (unauthorized, expired(json!(request_secs), *server_secs)),
                Signature | Passphrase | Environment => (unauthorized, failed(code("Signature Mismatch"))),
                BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, failed(code(BODY_TOO_LARGE_CODE))),
                Malformed => (StatusCode::BAD_REQUEST, failed(code(MALFORMED_CODE))),
            };
            (status, Some(body))
        }
        Scheme::CoinbaseExchange => {
            let (status, message) = match &rejection.failure {
                MissingHeader(header) => (unauthorized, format!("{header} header is required")),
                UnknownKey => (unauthorized, "Invalid API Key".to_owned()),
                InvalidTimestamp { .. } => (unauthorized, "invalid timestamp".to_owned()),
                Expired { .. } => (unauthorized, "request timestamp expired".to_owned()),
                Passphrase | Environment => (unauthorized, "Invalid Passphrase".to_owned()),
                Signature | CdnBlocked => (unauthorized, "invalid signature".to_owned()),
                BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "request body too large".to_owned()),
                Malformed => (StatusCode::BAD_REQUEST, "bad request".to_owned()),
            };
            (status, Some(json!({"message": message})))
        }
        // Coinbase Advanced Trade (legacy HMAC and CDP): a plain `Unauthorized`, no reason given.
        _ => match &rejection.failure {
            BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, None),
            Malformed => (StatusCode::BAD_REQUEST, None),
            _ => (unauthorized, None),
        },
    };
    let reply = match body {
        Some(body) => Reply::json(status, &with_cexsign_fields(body, &rejection), Verdict::Rejected),
        None => Reply::text(status, status.canonical_reason().unwrap_or("Unauthorized"), Verdict::Rejected),
    };
    reply
        .with_diagnostics(&rejection.reason, rejection.prehash.as_ref())
        .with_diagnosis_header(rejection.diagnosis.as_deref())
}

/// The response of the websocket-login check endpoint for a rejection, in the exchange's own
/// websocket error shape. Authentication failures are HTTP 401, unreadable messages 400.
/// `delta_type` is the `type` of a Delta message (`key-auth` or the older `auth`), echoed back.
pub(crate) fn ws_rejection(scheme: Scheme, rejection: Rejection, delta_type: &str) -> Reply {
    use Failure::*;
    let status = match rejection.failure {
        Malformed | MissingHeader(_) => StatusCode::BAD_REQUEST,
        BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNAUTHORIZED,
    };
    let body = match scheme {
        Scheme::Okx => {
            let (code, msg) = match rejection.failure {
                UnknownKey => ("60005", "Invalid OK-ACCESS-KEY"),
                InvalidTimestamp { .. } => ("60004", "Invalid timestamp"),
                Expired { .. } => ("60006", "Timestamp request expired"),
                Passphrase | Environment => ("60024", "Wrong passphrase"),
                Signature | CdnBlocked => ("60007", "Invalid sign"),
                MissingHeader(_) | Malformed | BodyTooLarge => ("60012", "Invalid request"),
            };
            json!({"event": "error", "code": code, "msg": msg})
        }
        Scheme::Delta => {
            let (status_code, error) = match rejection.failure {
                UnknownKey => (404, "api_key_not_found"),
                InvalidTimestamp { .. } | Expired { .. } => (408, "request_expired"),
                Signature | Passphrase | Environment | CdnBlocked => (401, "invalid_signature"),
                MissingHeader(_) | Malformed | BodyTooLarge => (400, "incomplete_payload"),
            };
            let mut body = json!({
                "type": delta_type,
                "success": false,
                "status_code": status_code,
                "error": error,
            });
            if status_code == 408 {
                body["message"] = json!("Timestamp header outside of allowed time window");
            }
            body
        }
        _ => {
            let message = match rejection.failure {
                MissingHeader(_) | Malformed | BodyTooLarge => "invalid message",
                _ => "authentication failure",
            };
            json!({"type": "error", "message": message})
        }
    };
    Reply::json(status, &with_cexsign_fields(body, &rejection), Verdict::Rejected)
        .with_diagnostics(&rejection.reason, rejection.prehash.as_ref())
        .with_diagnosis_header(rejection.diagnosis.as_deref())
}

/// A cexsign-level error (unknown `/cexsign/` path, wrong method): not an exchange's shape.
pub(crate) fn cexsign_error(status: StatusCode, reason: &str) -> Reply {
    let body = json!({"cexsign": "rejected", "cexsign_reason": reason});
    Reply::json(status, &body, Verdict::Rejected).with_diagnostics(reason, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_escape_round_trips_through_json() {
        for text in ["plain", "tab\there", "quote\" back\\slash", "é 龙 🦀", "\u{7f}\u{0}"] {
            let escaped = ascii_escape(text);
            assert!(escaped.bytes().all(|b| b == b' ' || b.is_ascii_graphic()), "{escaped}");
            let decoded: String = serde_json::from_str(&format!("\"{escaped}\"")).unwrap();
            assert_eq!(decoded, text);
        }
        assert_eq!(ascii_escape("é"), "\\u00e9");
    }
}
