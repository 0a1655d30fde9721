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
use serde_json::{Map, Value, json};

use std::time::Duration;

use cexsign::diagnose::Diagnosis;
use cexsign::{Prehash, Scheme, Timestamp};

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
    /// A required auth header (or message field, or Binance parameter) is missing or empty; the
    /// name as the exchange spells it. Binance: also an `X-MBX-APIKEY` not in its key format.
    MissingHeader(&'static str),
    /// No account has this key.
    UnknownKey,
    /// Binance: an unregistered key that is not in Binance's key format either (64 letters and
    /// digits), which Binance answers differently from an unknown well-formed key.
    KeyFormat,
    /// OKX: demo key without `x-simulated-trading: 1`, or a live key with it.
    Environment,
    /// The timestamp does not parse in the scheme's format; the text as received.
    InvalidTimestamp { raw: String, server_secs: u64 },
    /// The timestamp is outside the window: the instant sent, the server clock, and the window
    /// the request was held to (Binance's `recvWindow`, Bybit's `recv_window`).
    Expired { request: Timestamp, server: Timestamp, window: Duration },
    /// The passphrase (or KuCoin's key-version header) is wrong.
    Passphrase,
    /// The signature does not match (or could not be recomputed for this request).
    Signature,
    /// Kraken: the nonce is missing, unreadable, or not above the last one the key used.
    Nonce,
    /// Binance `recvWindow` above 60000 ms or unreadable; Bybit `X-BAPI-RECV-WINDOW` unreadable.
    RecvWindow,
    /// Binance `session.logon` with a key that is not Ed25519.
    KeyType,
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
                | Failure::Nonce
                | Failure::RecvWindow
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

/// The REST response for a rejection, in the exchange's own shape; `now` is the server clock
/// (Bybit and Bitget put it in their error bodies).
pub(crate) fn rest_rejection(scheme: Scheme, rejection: Rejection, now: Timestamp) -> Reply {
    use Failure::*;
    let unauthorized = StatusCode::UNAUTHORIZED;
    let (status, body) = match scheme {
        Scheme::Okx => {
            let (status, code, msg) = match &rejection.failure {
                MissingHeader(header) => {
                    (unauthorized, okx_missing_code(header), format!("Request header {header} can not be empty"))
                }
                UnknownKey | KeyFormat => (unauthorized, "50111", "Invalid OK-ACCESS-KEY".to_owned()),
                Environment => (unauthorized, "50101", "APIKey does not match current environment".to_owned()),
                InvalidTimestamp { .. } => (unauthorized, "50112", "Invalid OK-ACCESS-TIMESTAMP".to_owned()),
                Expired { .. } => (unauthorized, "50102", "Timestamp request expired".to_owned()),
                Passphrase => (unauthorized, "50105", "OK-ACCESS-PASSPHRASE incorrect".to_owned()),
                Signature | CdnBlocked | Nonce | RecvWindow | KeyType => {
                    (unauthorized, "50113", "Invalid Sign".to_owned())
                }
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
                UnknownKey | KeyFormat => (unauthorized, "400003", "KC-API-KEY not exists"),
                InvalidTimestamp { .. } | Expired { .. } => (unauthorized, "400002", "Invalid KC-API-TIMESTAMP"),
                Passphrase | Environment => (unauthorized, "400004", "Invalid KC-API-PASSPHRASE"),
                Signature | CdnBlocked | Nonce | RecvWindow | KeyType => {
                    (unauthorized, "400005", "Invalid KC-API-SIGN")
                }
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
                UnknownKey | KeyFormat => (unauthorized, failed(code("invalid_api_key"))),
                InvalidTimestamp { raw, server_secs } => (unauthorized, expired(json!(raw), *server_secs)),
                Expired { request, server, .. } => {
                    (unauthorized, expired(json!(request.unix_secs()), server.unix_secs()))
                }
                Signature | Passphrase | Environment | Nonce | RecvWindow | KeyType => {
                    (unauthorized, failed(code("Signature Mismatch")))
                }
                BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, failed(code(BODY_TOO_LARGE_CODE))),
                Malformed => (StatusCode::BAD_REQUEST, failed(code(MALFORMED_CODE))),
            };
            (status, Some(body))
        }
        Scheme::CoinbaseExchange => {
            let (status, message) = match &rejection.failure {
                MissingHeader(header) => (unauthorized, format!("{header} header is required")),
                UnknownKey | KeyFormat => (unauthorized, "Invalid API Key".to_owned()),
                InvalidTimestamp { .. } => (unauthorized, "invalid timestamp".to_owned()),
                Expired { .. } => (unauthorized, "request timestamp expired".to_owned()),
                Passphrase | Environment => (unauthorized, "Invalid Passphrase".to_owned()),
                Signature | CdnBlocked | Nonce | RecvWindow | KeyType => (unauthorized, "invalid signature".to_owned()),
                BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "request body too large".to_owned()),
                Malformed => (StatusCode::BAD_REQUEST, "bad request".to_owned()),
            };
            (status, Some(json!({"message": message})))
        }
        Scheme::Binance => {
            let (status, code, msg) = binance_error(&rejection.failure);
            (status, Some(json!({"code": code, "msg": msg})))
        }
        Scheme::Bybit => {
            let (status, code, msg) = bybit_error(&rejection);
            (status, Some(json!({"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": millis(now)})))
        }
        Scheme::Kraken => {
            // Kraken answers HTTP 200 with a non-empty `error` array.
            let (status, error) = match &rejection.failure {
                MissingHeader("API-Sign") | Signature => (StatusCode::OK, "EAPI:Invalid signature"),
                MissingHeader(_) | UnknownKey | KeyFormat => (StatusCode::OK, "EAPI:Invalid key"),
                Nonce | InvalidTimestamp { .. } | Expired { .. } => (StatusCode::OK, "EAPI:Invalid nonce"),
                Passphrase | Environment | RecvWindow | KeyType | CdnBlocked => {
                    (StatusCode::OK, "EAPI:Invalid signature")
                }
                BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, BODY_TOO_LARGE_CODE),
                Malformed => (StatusCode::BAD_REQUEST, MALFORMED_CODE),
            };
            (status, Some(json!({"error": [error]})))
        }
        Scheme::Bitget => {
            let bad_request = StatusCode::BAD_REQUEST;
            let (status, code, msg) = match &rejection.failure {
                MissingHeader("ACCESS-KEY") => (bad_request, "40001", "ACCESS_KEY cannot be empty"),
                MissingHeader("ACCESS-SIGN") => (bad_request, "40003", "Signature cannot be empty"),
                MissingHeader("ACCESS-PASSPHRASE") => (bad_request, "40011", "ACCESS_PASSPHRASE cannot be empty"),
                MissingHeader(_) | InvalidTimestamp { .. } => (bad_request, "40005", "Invalid ACCESS_TIMESTAMP"),
                UnknownKey | KeyFormat => (bad_request, "40006", "Invalid ACCESS_KEY"),
                Expired { .. } => (bad_request, "40008", "Request timestamp expired"),
                Passphrase | Environment => (bad_request, "40012", "apikey/password is incorrect"),
                Signature | CdnBlocked | Nonce | RecvWindow | KeyType => (bad_request, "40009", "sign signature error"),
                BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, BODY_TOO_LARGE_CODE, "Request body too large"),
                Malformed => (bad_request, MALFORMED_CODE, "Bad request"),
            };
            (status, Some(json!({"code": code, "msg": msg, "requestTime": millis(now), "data": null})))
        }
        Scheme::Gate => {
            let (status, label, message) = gate_error(&rejection.failure);
            (status, Some(json!({"label": label, "message": message})))
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

/// The Unix milliseconds of an instant, as a JSON number.
fn millis(at: Timestamp) -> u64 {
    u64::try_from(at.unix_millis()).unwrap_or(u64::MAX)
}

/// Binance's HTTP status, code and message for a failure; the WebSocket API answers the same
/// code and message with the same status inside the message.
fn binance_error(failure: &Failure) -> (StatusCode, Value, String) {
    use Failure::*;
    let (bad_request, unauthorized) = (StatusCode::BAD_REQUEST, StatusCode::UNAUTHORIZED);
    let (status, code, msg) = match failure {
        // A missing key header and a key that is not 64 alphanumerics are the same error.
        MissingHeader("X-MBX-APIKEY") | KeyFormat => (unauthorized, json!(-2014), "API-key format invalid.".to_owned()),
        MissingHeader(parameter) => (
            bad_request,
            json!(-1102),
            format!("Mandatory parameter '{parameter}' was not sent, was empty/null, or malformed."),
        ),
        InvalidTimestamp { .. } => (
            bad_request,
            json!(-1102),
            "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.".to_owned(),
        ),
        UnknownKey => (unauthorized, json!(-2015), "Invalid API-key, IP, or permissions for action.".to_owned()),
        Expired { request, server, .. } if request > server => {
            (bad_request, json!(-1021), "Timestamp for this request was 1000ms ahead of the server's time.".to_owned())
        }
        Expired { .. } => {
            (bad_request, json!(-1021), "Timestamp for this request is outside of the recvWindow.".to_owned())
        }
        RecvWindow => (bad_request, json!(-1131), "recvWindow must be less than 60000".to_owned()),
        KeyType => (unauthorized, json!(-1002), "You are not authorized to execute this request.".to_owned()),
        Signature | Passphrase | Environment | Nonce | CdnBlocked => {
            (bad_request, json!(-1022), "Signature for this request is not valid.".to_owned())
        }
        BodyTooLarge => {
            (StatusCode::PAYLOAD_TOO_LARGE, json!(BODY_TOO_LARGE_CODE), "Request body too large".to_owned())
        }
        Malformed => (bad_request, json!(MALFORMED_CODE), "Bad request".to_owned()),
    };
    (status, code, msg)
}

/// Bybit's HTTP status, `retCode` and `retMsg`. Bybit answers most errors with HTTP 200 and a
/// non-zero `retCode`; an invalid key comes back as HTTP 401. A signature error echoes the
/// string the server signed (`origin_string[…]`), for the client to compare with its own.
fn bybit_error(rejection: &Rejection) -> (StatusCode, Value, String) {
    use Failure::*;
    let ok = StatusCode::OK;
    let window_error = "invalid request, please check your server timestamp or recv_window param";
    let (status, code, msg) = match &rejection.failure {
        MissingHeader("X-BAPI-API-KEY") | UnknownKey | KeyFormat => {
            (StatusCode::UNAUTHORIZED, json!(10003), "API key is invalid.".to_owned())
        }
        MissingHeader("X-BAPI-TIMESTAMP") | InvalidTimestamp { .. } => (ok, json!(10002), window_error.to_owned()),
        Expired { request, server, window } => (
            ok,
            json!(10002),
            format!(
                "{window_error}. req_timestamp[{}],server_timestamp[{}],recv_window[{}]",
                request.unix_millis(),
                server.unix_millis(),
                window.as_millis()
            ),
        ),
        RecvWindow => (ok, json!(10001), "Request parameter error.".to_owned()),
        MissingHeader(_) | Signature | Passphrase | Environment | Nonce | KeyType | CdnBlocked => {
            let msg = match &rejection.prehash {
                Some(prehash) => format!("error sign! origin_string[{prehash}]"),
                None => "error sign!".to_owned(),
            };
            (ok, json!(10004), msg)
        }
        BodyTooLarge => {
            (StatusCode::PAYLOAD_TOO_LARGE, json!(BODY_TOO_LARGE_CODE), "Request body too large".to_owned())
        }
        Malformed => (StatusCode::BAD_REQUEST, json!(MALFORMED_CODE), "Bad request".to_owned()),
    };
    (status, code, msg)
}

/// Gate's HTTP status, `label` and `message` (REST, and the ws API login's `errs`).
fn gate_error(failure: &Failure) -> (StatusCode, &'static str, &'static str) {
    use Failure::*;
    let unauthorized = StatusCode::UNAUTHORIZED;
    match failure {
        MissingHeader(_) => (unauthorized, "MISSING_REQUIRED_HEADER", "Missing required authentication header"),
        UnknownKey | KeyFormat => (unauthorized, "INVALID_KEY", "Invalid API Key"),
        // Gate documents no separate label for an unreadable Timestamp: it is as far from the
        // server time as a stale one.
        InvalidTimestamp { .. } | Expired { .. } => {
            (unauthorized, "REQUEST_EXPIRED", "Request Timestamp is far from the server time")
        }
        Signature | Passphrase | Environment | Nonce | RecvWindow | KeyType | CdnBlocked => {
            (unauthorized, "INVALID_SIGNATURE", "Invalid signature")
        }
        BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, BODY_TOO_LARGE_CODE, "Request body too large"),
        Malformed => (StatusCode::BAD_REQUEST, MALFORMED_CODE, "Bad request"),
    }
}

/// The response of the websocket-login check endpoint for a rejection, in the exchange's own
/// websocket error shape. Authentication failures are HTTP 401, unreadable messages 400.
/// `message` is the posted message when it was a JSON object: its request ids (Binance `id`,
/// Bybit `req_id`, Gate `req_id`, channel and event, Delta `type`) are echoed back.
pub(crate) fn ws_rejection(
    scheme: Scheme,
    rejection: Rejection,
    message: Option<&Map<String, Value>>,
    now: Timestamp,
) -> Reply {
    use Failure::*;
    let status = match rejection.failure {
        Malformed | MissingHeader(_) => StatusCode::BAD_REQUEST,
        BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNAUTHORIZED,
    };
    let field = |name: &str| message.and_then(|m| m.get(name)).cloned().unwrap_or(Value::Null);
    let body = match scheme {
        Scheme::Okx => {
            let (code, msg) = match rejection.failure {
                UnknownKey | KeyFormat => ("60005", "Invalid OK-ACCESS-KEY"),
                InvalidTimestamp { .. } => ("60004", "Invalid timestamp"),
                Expired { .. } => ("60006", "Timestamp request expired"),
                Passphrase | Environment => ("60024", "Wrong passphrase"),
                Signature | CdnBlocked | Nonce | RecvWindow | KeyType => ("60007", "Invalid sign"),
                MissingHeader(_) | Malformed | BodyTooLarge => ("60012", "Invalid request"),
            };
            json!({"event": "error", "code": code, "msg": msg})
        }
        Scheme::Delta => {
            let delta_type = match message.and_then(|m| m.get("type")).and_then(Value::as_str) {
                Some("auth") => "auth",
                _ => "key-auth",
            };
            let (status_code, error) = match rejection.failure {
                UnknownKey | KeyFormat => (404, "api_key_not_found"),
                InvalidTimestamp { .. } | Expired { .. } => (408, "request_expired"),
                Signature | Passphrase | Environment | CdnBlocked | Nonce | RecvWindow | KeyType => {
                    (401, "invalid_signature")
                }
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
        Scheme::Binance => {
            let (status, code, msg) = binance_error(&rejection.failure);
            json!({"id": field("id"), "status": status.as_u16(), "error": {"code": code, "msg": msg}})
        }
        Scheme::Bybit => {
            let msg = match rejection.failure {
                UnknownKey | KeyFormat => "API key is invalid.",
                Signature | Passphrase | Environment | CdnBlocked | Nonce | KeyType => "error sign",
                InvalidTimestamp { .. } | Expired { .. } | RecvWindow | MissingHeader(_) | Malformed | BodyTooLarge => {
                    "Params Error"
                }
            };
            let mut body = json!({"success": false, "ret_msg": msg, "op": "auth", "conn_id": WS_CONNECTION_ID});
            if let Some(req_id) = message.and_then(|m| m.get("req_id")) {
                body["req_id"] = req_id.clone();
            }
            body
        }
        Scheme::Bitget => {
            let (code, msg) = match rejection.failure {
                UnknownKey | KeyFormat | MissingHeader("apiKey") => (30011, "Invalid ACCESS_KEY"),
                Passphrase | MissingHeader("passphrase") => (30012, "Invalid ACCESS_PASSPHRASE"),
                InvalidTimestamp { .. } | MissingHeader("timestamp") => (30013, "Invalid ACCESS_TIMESTAMP"),
                Expired { .. } => (30014, "Request timestamp expired"),
                Signature | Environment | CdnBlocked | Nonce | RecvWindow | KeyType | MissingHeader("sign") => {
                    (30015, "Invalid signature")
                }
                MissingHeader(_) => (30005, "Login failed"),
                Malformed | BodyTooLarge => (30002, "Illegal request"),
            };
            json!({"event": "error", "code": code, "msg": msg})
        }
        Scheme::Gate => {
            let (_, label, text) = gate_error(&rejection.failure);
            let channel = field("channel");
            if field("event") == json!("api") {
                // The ws API (`spot.login`): a response header and `errs`, as for any API call.
                let req_id = message
                    .and_then(|m| m.get("payload"))
                    .and_then(|payload| payload.get("req_id"))
                    .cloned()
                    .unwrap_or(Value::Null);
                json!({
                    "request_id": req_id,
                    "ack": false,
                    "header": {
                        "response_time": millis(now).to_string(),
                        "status": status.as_str(),
                        "channel": channel,
                        "event": "api",
                        "client_id": WS_CONNECTION_ID,
                    },
                    "data": {"errs": {"label": label, "message": text}},
                })
            } else {
                // A channel message: Gate's ws error object (code 4 is an authentication failure,
                // 2 an invalid argument, 1 an unreadable request).
                let code = match rejection.failure {
                    Malformed | BodyTooLarge => 1,
                    MissingHeader(_) => 2,
                    _ => 4,
                };
                json!({
                    "time": now.unix_secs(),
                    "time_ms": millis(now),
                    "channel": channel,
                    "event": field("event"),
                    "error": {"code": code, "message": format!("{label}: {text}")},
                    "result": {"status": "failed"},
                })
            }
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

/// The connection id the websocket answers name (Bybit `conn_id`, Gate `client_id`): the check
/// endpoint has no connection, so one fixed id.
pub(crate) const WS_CONNECTION_ID: &str = "cexsign-local";

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
