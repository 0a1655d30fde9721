//! What the local exchange answers: each exchange's own status codes and error bodies, plus the
//! `cexsign_reason` / `cexsign_expected_prehash` / `cexsign_diagnosis` diagnostics.
//!
//! Every rejection is one [`Failure`] (what went wrong, in exchange-neutral terms) with a reason
//! in plain English and, when the server got far enough to compute it, the expected prehash.
//! [`rest_rejection`] and [`ws_rejection`] turn it into the exchange's response: the code, status
//! and message come from the exchange's error table in cexsign (the one
//! `cexsign::rejection::classify` reads), found by the failure's [`Refusal`]; this file keeps
//! only how each exchange lays them out in its body.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use http_body_util::Full;
use hyper::Response;
use serde_json::{Map, Value, json};

use std::time::Duration;

use cexsign::diagnose::Diagnosis;
use cexsign::rejection::{Channel, ErrorCode, Refusal, RejectionKind};
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

impl Failure {
    /// The refusal the exchange's error table lists this failure under.
    /// The failure an exchange's extra check refused with ([`cexsign::Refused`]); refusals that
    /// carry data the check cannot give (a timestamp, the window) read as unreadable requests.
    pub(crate) fn of_refusal(refusal: Refusal) -> Failure {
        match refusal {
            Refusal::MissingHeader(name) => Failure::MissingHeader(name),
            Refusal::UnknownKey => Failure::UnknownKey,
            Refusal::KeyFormat => Failure::KeyFormat,
            Refusal::Environment => Failure::Environment,
            Refusal::Passphrase => Failure::Passphrase,
            Refusal::Signature => Failure::Signature,
            Refusal::Nonce => Failure::Nonce,
            Refusal::RecvWindow => Failure::RecvWindow,
            Refusal::KeyType => Failure::KeyType,
            Refusal::CdnBlocked => Failure::CdnBlocked,
            Refusal::BodyTooLarge => Failure::BodyTooLarge,
            _ => Failure::Malformed,
        }
    }

    pub(crate) fn refusal(&self) -> Refusal {
        match self {
            Failure::MissingHeader(name) => Refusal::MissingHeader(name),
            Failure::UnknownKey => Refusal::UnknownKey,
            Failure::KeyFormat => Refusal::KeyFormat,
            Failure::Environment => Refusal::Environment,
            Failure::InvalidTimestamp { .. } => Refusal::InvalidTimestamp,
            Failure::Expired { request, server, .. } if request > server => Refusal::ExpiredAhead,
            Failure::Expired { .. } => Refusal::Expired,
            Failure::Passphrase => Refusal::Passphrase,
            Failure::Signature => Refusal::Signature,
            Failure::Nonce => Refusal::Nonce,
            Failure::RecvWindow => Refusal::RecvWindow,
            Failure::KeyType => Refusal::KeyType,
            Failure::CdnBlocked => Refusal::CdnBlocked,
            Failure::BodyTooLarge => Refusal::BodyTooLarge,
            Failure::Malformed => Refusal::Malformed,
        }
    }
}

/// What the exchange answers a failure with: its table's entry, or — for a request the local
/// exchange could not read, which the exchange's table has no code for — the local exchange's
/// own code.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The table's entry; `None` for the local exchange's own codes.
    pub(crate) entry: Option<&'static ErrorCode>,
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    /// The entry's message with the missing header's name in place of `{}`.
    pub(crate) message: String,
}

impl Answer {
    pub(crate) fn new(scheme: Scheme, channel: Channel, failure: &Failure) -> Self {
        let Some(entry) = scheme.exchange().errors.answer(channel, failure.refusal()) else {
            let (status, code, message) = match failure {
                Failure::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, BODY_TOO_LARGE_CODE, "Request body too large"),
                _ => (StatusCode::BAD_REQUEST, MALFORMED_CODE, "Bad request"),
            };
            return Self { entry: None, status, code, message: message.to_owned() };
        };
        let message = match failure {
            Failure::MissingHeader(name) => entry.message.replace("{}", name),
            _ => entry.message.to_owned(),
        };
        let status = StatusCode::from_u16(entry.status).unwrap_or(StatusCode::UNAUTHORIZED);
        Self { entry: Some(entry), status, code: entry.code, message }
    }

    /// The code as a JSON number when it is one (Binance, Bybit, Bitget's websocket), else a
    /// string.
    fn numeric_code(&self) -> Value {
        self.code.parse::<i64>().map_or_else(|_| json!(self.code), |n| json!(n))
    }

    fn kind(&self) -> Option<RejectionKind> {
        self.entry.and_then(|entry| entry.kind)
    }
}

/// The REST response for a rejection, in the exchange's own shape, with the code, status and
/// message from the exchange's error table; `now` is the server clock (Bybit and Bitget put it
/// in their error bodies).
pub(crate) fn rest_rejection(scheme: Scheme, rejection: Rejection, now: Timestamp) -> Reply {
    use Failure::*;
    if !lays_out_errors(scheme) {
        return not_served(scheme);
    }
    let answer = Answer::new(scheme, Channel::Rest, &rejection.failure);
    let (code, msg) = (answer.code, answer.message.as_str());
    let written = scheme.exchange().errors.body.map(|write| write(code, msg, Channel::Rest));
    let body = match scheme {
        _ if written.is_some() => written,
        Scheme::Delta => {
            let failed = |error: Value| json!({"error": error, "success": false});
            let expired = |request_time: Value, server_secs: u64| {
                failed(json!({
                    "code": code,
                    "context": {"request_time": request_time, "server_time": server_secs},
                }))
            };
            Some(match &rejection.failure {
                // The CDN's answer, not Delta's: no `success`.
                CdnBlocked => json!({"error": code, "message": msg}),
                MissingHeader(_) => failed(json!(code)),
                InvalidTimestamp { raw, server_secs } => expired(json!(raw), *server_secs),
                Expired { request, server, .. } => expired(json!(request.unix_secs()), server.unix_secs()),
                _ => failed(json!({"code": code})),
            })
        }
        // Coinbase Exchange's messages are lowercase, its refusals of unreadable requests too.
        Scheme::CoinbaseExchange if answer.entry.is_none() => Some(json!({"message": msg.to_lowercase()})),
        Scheme::CoinbaseExchange => Some(json!({"message": msg})),
        Scheme::Binance => Some(json!({"code": answer.numeric_code(), "msg": msg})),
        Scheme::Bybit => {
            let mut msg = msg.to_owned();
            if let Expired { request, server, window } = &rejection.failure {
                // Bybit names the instants and the window it held the request to.
                msg.push_str(&format!(
                    ". req_timestamp[{}],server_timestamp[{}],recv_window[{}]",
                    request.unix_millis(),
                    server.unix_millis(),
                    window.as_millis()
                ));
            }
            if let (Some(RejectionKind::InvalidSignature), Some(prehash)) = (answer.kind(), &rejection.prehash) {
                // Bybit echoes the string it signed, for the client to compare with its own.
                msg = format!("{msg} origin_string[{prehash}]");
            }
            let code = answer.numeric_code();
            Some(json!({"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": millis(now)}))
        }
        Scheme::Bitget => Some(json!({"code": code, "msg": msg, "requestTime": millis(now), "data": null})),
        Scheme::Gate => Some(json!({"label": code, "message": msg})),
        // Coinbase Advanced Trade (legacy HMAC and CDP): a plain `Unauthorized`, no reason given.
        _ => None,
    };
    let status = answer.status;
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

/// The response of the websocket-login check endpoint for a rejection, in the exchange's own
/// websocket error shape, with the code and message from the exchange's error table.
/// Authentication failures are HTTP 401, unreadable messages 400. `message` is the posted
/// message when it was a JSON object: its request ids (Binance `id`, Bybit `req_id`, Gate
/// `req_id`, channel and event, Delta `type`) are echoed back.
pub(crate) fn ws_rejection(
    scheme: Scheme,
    rejection: Rejection,
    message: Option<&Map<String, Value>>,
    now: Timestamp,
) -> Reply {
    use Failure::*;
    if !lays_out_errors(scheme) {
        return not_served(scheme);
    }
    let status = match rejection.failure {
        Malformed | MissingHeader(_) => StatusCode::BAD_REQUEST,
        BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNAUTHORIZED,
    };
    let answer = Answer::new(scheme, Channel::Ws, &rejection.failure);
    let (code, msg) = (answer.code, answer.message.as_str());
    let field = |name: &str| message.and_then(|m| m.get(name)).cloned().unwrap_or(Value::Null);
    let written = scheme.exchange().errors.body.map(|write| write(code, msg, Channel::Ws));
    let body = match scheme {
        _ if written.is_some() => written.unwrap_or_default(),
        Scheme::Delta => {
            let delta_type = match message.and_then(|m| m.get("type")).and_then(Value::as_str) {
                Some("auth") => "auth",
                _ => "key-auth",
            };
            let mut body = json!({
                "type": delta_type,
                "success": false,
                "status_code": answer.status.as_u16(),
                "error": code,
            });
            if !msg.is_empty() {
                body["message"] = json!(msg);
            }
            body
        }
        Scheme::Binance => {
            json!({"id": field("id"), "status": answer.status.as_u16(), "error": {"code": answer.numeric_code(), "msg": msg}})
        }
        Scheme::Bybit => {
            let mut body = json!({"success": false, "ret_msg": msg, "op": "auth", "conn_id": WS_CONNECTION_ID});
            if let Some(req_id) = message.and_then(|m| m.get("req_id")) {
                body["req_id"] = req_id.clone();
            }
            body
        }
        Scheme::Bitget => json!({"event": "error", "code": answer.numeric_code(), "msg": msg}),
        Scheme::Gate => {
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
                    "data": {"errs": {"label": code, "message": msg}},
                })
            } else {
                // A channel message: Gate's ws error object (code 4 is an authentication failure,
                // 2 an invalid argument, 1 an unreadable request).
                let ws_code = match rejection.failure {
                    Malformed | BodyTooLarge => 1,
                    MissingHeader(_) => 2,
                    _ => 4,
                };
                json!({
                    "time": now.unix_secs(),
                    "time_ms": millis(now),
                    "channel": channel,
                    "event": field("event"),
                    "error": {"code": ws_code, "message": format!("{code}: {msg}")},
                    "result": {"status": "failed"},
                })
            }
        }
        // Coinbase (Exchange and Advanced Trade): `{"type":"error","message"}`.
        _ => json!({"type": "error", "message": msg}),
    };
    Reply::json(status, &with_cexsign_fields(body, &rejection), Verdict::Rejected)
        .with_diagnostics(&rejection.reason, rejection.prehash.as_ref())
        .with_diagnosis_header(rejection.diagnosis.as_deref())
}

/// The connection id the websocket answers name (Bybit `conn_id`, Gate `client_id`): the check
/// endpoint has no connection, so one fixed id.
pub(crate) const WS_CONNECTION_ID: &str = "cexsign-local";

/// Whether the local exchange knows how `scheme`'s exchange lays out its error answers: from
/// the writer in its error table ([`ErrorTable::body`](cexsign::rejection::ErrorTable::body)),
/// or for the exchanges whose answers carry more than a code and a message (the instants of a
/// stale request, the prehash, echoed ids), the `match scheme` bodies of [`rest_rejection`] and
/// [`ws_rejection`]. A scheme with neither is not served here, and its refusals are
/// [`not_served`], never another exchange's shape.
pub(crate) fn lays_out_errors(scheme: Scheme) -> bool {
    scheme.exchange().errors.body.is_some()
        || matches!(
            scheme,
            Scheme::Delta
                | Scheme::CoinbaseExchange
                | Scheme::CoinbaseAdvancedHmac
                | Scheme::CoinbaseCdp
                | Scheme::Binance
                | Scheme::Bybit
                | Scheme::Bitget
                | Scheme::Gate
        )
}

/// The answer for a scheme the local exchange does not serve: a cexsign-level 501 that says so.
pub(crate) fn not_served(scheme: Scheme) -> Reply {
    cexsign_error(
        StatusCode::NOT_IMPLEMENTED,
        &format!("the local exchange does not serve {scheme} yet: it has no error-body layout for it"),
    )
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
