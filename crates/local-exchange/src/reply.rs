//! What the local exchange answers: each exchange's own status codes and error bodies, plus the
//! `cexsign_reason` / `cexsign_expected_prehash` / `cexsign_diagnosis` diagnostics.
//!
//! Every rejection is one [`Failure`] (what went wrong, in exchange-neutral terms) with a reason
//! in plain English and, when the server got far enough to compute it, the expected prehash.
//! [`rest_rejection`] and [`ws_rejection`] turn it into the exchange's response: the code, status
//! and message come from the exchange's error table in cexsign (the one
//! `cexsign::rejection::classify` reads), found by the failure's [`Refusal`], and so does how
//! the exchange lays them out (the table's writers).

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use http_body_util::Full;
use hyper::Response;
use serde_json::{Map, Value, json};

use std::time::Duration;

use super::diagnosis::{Outcome, PendingDiagnosis};
use cexsign::diagnose::Diagnosis;
use cexsign::rejection::{AnswerBody, Channel, ErrorAnswer, ErrorCode, Refusal, RequestTime};
use cexsign::{Prehash, Scheme, Timestamp};

/// Longest diagnostic header value sent; longer values are left out (the JSON body, where
/// there is one, still carries them).
const MAX_DIAGNOSTIC_HEADER: usize = 4096;
/// The longest expected prehash written out in an error body: a longer one (a large body's) is
/// given by its length and SHA-256 (`cexsign_expected_prehash_bytes`,
/// `cexsign_expected_prehash_sha256`), so that an answer is never as large as the request.
const MAX_BODY_PREHASH: usize = 64 * 1024;

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
    /// Whether the connection is closed instead of sending it (a fault on purpose, see
    /// [`crate::faults`]).
    pub(crate) drop_connection: bool,
    /// A rejection whose diagnosis is still to run (see [`crate::diagnosis`]): `body` is empty
    /// until [`with_diagnosis`](Self::with_diagnosis) finishes it.
    awaiting: Option<Box<Awaiting>>,
}

/// What a reply awaiting its diagnosis keeps: the diagnosis to run (until it is taken to run)
/// and the JSON body to add its verdict to (`None`: a text body, the verdict goes in the header
/// only).
#[derive(Debug)]
struct Awaiting {
    diagnosis: Option<PendingDiagnosis>,
    body: Option<Value>,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, body: &Value, verdict: Verdict) -> Self {
        // Serialising a `Value` cannot fail (its keys are strings).
        let body = serde_json::to_string(body).unwrap_or_default();
        Self {
            status,
            content_type: "application/json",
            body,
            headers: Vec::new(),
            verdict,
            drop_connection: false,
            awaiting: None,
        }
    }

    pub(crate) fn text(status: StatusCode, body: &str, verdict: Verdict) -> Self {
        Self {
            status,
            content_type: "text/plain",
            body: body.to_owned(),
            headers: Vec::new(),
            verdict,
            drop_connection: false,
            awaiting: None,
        }
    }

    /// The diagnosis this rejection asks for, to be run: once taken, the reply awaits its
    /// [`Outcome`].
    pub(crate) fn take_diagnosis(&mut self) -> Option<PendingDiagnosis> {
        self.awaiting.as_mut()?.diagnosis.take()
    }

    /// Finishes a reply awaiting its diagnosis: `cexsign_diagnosis` in a JSON body and the
    /// `cexsign-diagnosis` header (escaped like the other diagnostic headers, when it fits);
    /// neither when there is no outcome.
    pub(crate) fn with_diagnosis(mut self, outcome: Option<Outcome>) -> Self {
        let Some(awaiting) = self.awaiting.take() else {
            return self;
        };
        let shown = outcome.as_ref().map(outcome_json);
        if let Some(mut body) = awaiting.body {
            if let (Value::Object(fields), Some(shown)) = (&mut body, &shown) {
                fields.insert("cexsign_diagnosis".to_owned(), shown.clone());
            }
            // Serialising a `Value` cannot fail (its keys are strings).
            self.body = serde_json::to_string(&body).unwrap_or_default();
        }
        if let Some(value) = shown.and_then(|shown| diagnostic_header(&shown.to_string())) {
            self.headers.push((HeaderName::from_static("cexsign-diagnosis"), value));
        }
        self
    }

    /// Adds the diagnostic headers: the reason always, the prehash when it fits.
    fn with_diagnostics(mut self, reason: &str, prehash: Option<&Prehash>) -> Self {
        if let Some(value) = diagnostic_header(reason) {
            self.headers.push((HeaderName::from_static("cexsign-reason"), value));
        }
        // Its text is at least as long as its bytes: a prehash too long is not written out.
        let prehash = prehash.filter(|p| p.as_bytes().len() <= MAX_DIAGNOSTIC_HEADER);
        if let Some(value) = prehash.and_then(|p| diagnostic_header(&p.to_string())) {
            self.headers.push((HeaderName::from_static("cexsign-expected-prehash"), value));
        }
        self
    }

    pub(crate) fn into_response(self) -> Response<Full<Bytes>> {
        // A reply is finished before it is sent; one that was not goes without a diagnosis.
        let reply = self.with_diagnosis(None);
        let mut response = Response::new(Full::new(Bytes::from(reply.body)));
        *response.status_mut() = reply.status;
        let headers = response.headers_mut();
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
        for (name, value) in reply.headers {
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
    // Escaping never shortens a text: one too long (a large body's prehash) is not escaped.
    if text.len() > MAX_DIAGNOSTIC_HEADER {
        return None;
    }
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
    /// A body sent with a `Content-Type` the exchange does not read it as
    /// ([`BodyType`](cexsign::BodyType)).
    ContentType,
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
    /// Boxed, as the diagnosis: a rejection travels in `Err` through every check.
    pub(crate) prehash: Option<Box<Prehash>>,
    /// Boxed: a rejection travels in `Err` through every check.
    pub(crate) diagnosis: Option<Box<PendingDiagnosis>>,
    /// What was signed differs from what was received, whatever the failure is answered as (a
    /// parameter hash over other bytes, which an exchange may answer as unreadable parameters).
    signing_mistake: bool,
    /// The path prefix of the API whose codes answer it ([`ErrorCode::under`]); `None` for
    /// the exchange's main API.
    pub(crate) under: Option<&'static str>,
}

impl Rejection {
    pub(crate) fn new(failure: Failure, reason: impl Into<String>) -> Self {
        Self { failure, reason: reason.into(), prehash: None, diagnosis: None, signing_mistake: false, under: None }
    }

    /// Marks the rejection as a difference between what was signed and what was received, so
    /// that it is diagnosed whatever its failure.
    pub(crate) fn signing_mistake(mut self) -> Self {
        self.signing_mistake = true;
        self
    }

    /// Answered with the codes of the API under this path prefix ([`ErrorCode::under`]).
    pub(crate) fn under(mut self, under: Option<&'static str>) -> Self {
        self.under = under;
        self
    }

    pub(crate) fn with_prehash(mut self, prehash: Option<Prehash>) -> Self {
        self.prehash = prehash.map(Box::new);
        self
    }

    /// Hides every registered passphrase of the scheme in the expected prehash. A passphrase a
    /// scheme signs but never sends (BitMart's memo) is a secret the requester may not know:
    /// anyone holding only the API key would otherwise read it back from a rejection.
    pub(crate) fn hiding_passphrases(mut self, state: &crate::State, scheme: Scheme) -> Self {
        // A prehash too large to be shown is answered by its digest only.
        if let Some(prehash) = self.prehash.as_mut().filter(|prehash| prehash.as_bytes().len() <= MAX_BODY_PREHASH) {
            let mut bytes = prehash.as_bytes().to_vec();
            let mut hidden = false;
            for account in state.accounts_of(scheme) {
                hidden |= account.hide_passphrase_in(&mut bytes);
            }
            if hidden {
                **prehash = Prehash::new(bytes);
            }
        }
        self
    }

    /// Asks for the diagnosis of the mistake, run once the answer is laid out (see
    /// [`crate::diagnosis`]).
    pub(crate) fn with_diagnosis(mut self, diagnosis: PendingDiagnosis) -> Self {
        self.diagnosis = Some(Box::new(diagnosis));
        self
    }

    /// Whether the failure is about what the client signed or sent with a known key, so that a
    /// diagnosis can name the mistake (missing headers, unknown keys and unreadable requests are
    /// not).
    pub(crate) fn is_diagnosable(&self) -> bool {
        self.signing_mistake
            || matches!(
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

/// The outcome of a diagnosis as `cexsign_diagnosis` shows it: the diagnosis (see
/// [`diagnosis_json`]), with `"budget": "exhausted"` when its verdict is `unknown` because the
/// search was cut short; or, when it was skipped (the server's diagnosis pool was busy), an
/// `unknown` verdict with `"budget": "skipped"`.
fn outcome_json(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Diagnosed(diagnosis, spent) => {
            let mut value = diagnosis_json(diagnosis);
            if let (Value::Object(fields), Diagnosis::Unknown { .. }, true) = (&mut value, diagnosis, spent.cut_short) {
                fields.insert("budget".to_owned(), json!("exhausted"));
            }
            value
        }
        Outcome::Skipped => json!({
            "verdict": "unknown",
            "mistake": null,
            "explanation": "Not diagnosed: every thread of the local exchange's diagnosis pool was busy with other \
                rejections. Send the request again when the load is lower, check it with a Verifier, or run \
                `cexsign diagnose` on it.",
            "differing": [],
            "budget": "skipped",
        }),
    }
}

/// Appends `cexsign_reason` and (when known) `cexsign_expected_prehash` to a JSON error body
/// (`cexsign_diagnosis` is added once the diagnosis has run: [`Reply::with_diagnosis`]).
fn with_cexsign_fields(mut body: Value, rejection: &Rejection) -> Value {
    if let Value::Object(fields) = &mut body {
        fields.insert("cexsign_reason".to_owned(), json!(rejection.reason));
        match &rejection.prehash {
            Some(prehash) if prehash.as_bytes().len() <= MAX_BODY_PREHASH => {
                fields.insert("cexsign_expected_prehash".to_owned(), json!(prehash.to_string()));
            }
            // A megabyte body's prehash is a megabyte: its length and digest say as much.
            Some(prehash) => {
                use sha2::Digest as _;
                let digest = sha2::Sha256::digest(prehash.as_bytes());
                let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
                fields.insert("cexsign_expected_prehash_bytes".to_owned(), json!(prehash.as_bytes().len()));
                fields.insert("cexsign_expected_prehash_sha256".to_owned(), json!(hex));
            }
            None => {}
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
            Refusal::ContentType => Failure::ContentType,
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
            Failure::ContentType => Refusal::ContentType,
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
        Self::under(scheme, channel, failure, None)
    }

    /// The answer of the API under a path prefix ([`ErrorCode::under`]; `None`: the main API).
    pub(crate) fn under(scheme: Scheme, channel: Channel, failure: &Failure, under: Option<&str>) -> Self {
        let Some(entry) = scheme.exchange().errors.answer_under(channel, failure.refusal(), under) else {
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

    /// The answer as the exchange's writer lays it out: with what the rejection knows of the
    /// request (its timestamp, the expected prehash), the refused websocket message and the
    /// server clock.
    fn laid_out<'a>(
        &'a self,
        rejection: &'a Rejection,
        response_status: StatusCode,
        login: Option<&'a Map<String, Value>>,
        now: Timestamp,
    ) -> ErrorAnswer<'a> {
        let time = match &rejection.failure {
            Failure::InvalidTimestamp { raw, server_secs } => {
                Some(RequestTime::Unreadable { sent: raw, server_secs: *server_secs })
            }
            Failure::Expired { request, server, window } => {
                Some(RequestTime::Outside { sent: *request, server: *server, window: *window })
            }
            _ => None,
        };
        ErrorAnswer {
            refusal: rejection.failure.refusal(),
            entry: self.entry,
            code: self.code,
            message: &self.message,
            status: self.status.as_u16(),
            response_status: response_status.as_u16(),
            time,
            prehash: rejection.prehash.as_deref(),
            now,
            login,
            connection_id: WS_CONNECTION_ID,
        }
    }
}

/// The REST response for a rejection, in the exchange's own shape, with the code, status and
/// message from the exchange's error table, laid out by its table's writer
/// ([`ErrorTable::body`](cexsign::rejection::ErrorTable::body)); `now` is the server clock
/// (some exchanges put it in their error bodies).
pub(crate) fn rest_rejection(scheme: Scheme, rejection: Rejection, now: Timestamp) -> Reply {
    let Some(write) = scheme.exchange().errors.body else {
        return not_served(scheme);
    };
    let answer = Answer::under(scheme, Channel::Rest, &rejection.failure, rejection.under);
    let body = write(&answer.laid_out(&rejection, answer.status, None, now));
    rejected(answer.status, body, rejection)
}

/// The response of the websocket-login check endpoint for a rejection, in the exchange's own
/// websocket error shape, with the code and message from the exchange's error table, laid out
/// by its table's websocket writer
/// ([`ErrorTable::ws_body`](cexsign::rejection::ErrorTable::ws_body)). Authentication failures
/// are HTTP 401, unreadable messages 400. `message` is the posted message when it was a JSON
/// object: the answer may echo its request ids.
pub(crate) fn ws_rejection(
    scheme: Scheme,
    rejection: Rejection,
    message: Option<&Map<String, Value>>,
    now: Timestamp,
) -> Reply {
    use Failure::*;
    let Some(write) = scheme.exchange().errors.ws_body else {
        return not_served(scheme);
    };
    let status = match rejection.failure {
        Malformed | MissingHeader(_) => StatusCode::BAD_REQUEST,
        BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNAUTHORIZED,
    };
    let answer = Answer::new(scheme, Channel::Ws, &rejection.failure);
    let body = write(&answer.laid_out(&rejection, status, message, now));
    rejected(status, body, rejection)
}

/// A rejection's response: the body the exchange's writer laid out (a JSON one with the
/// `cexsign_*` fields added) and the diagnostic headers.
fn rejected(status: StatusCode, body: AnswerBody, mut rejection: Rejection) -> Reply {
    let diagnosis = rejection.diagnosis.take();
    let reply = match (body, diagnosis) {
        (AnswerBody::Json(body), None) => {
            Reply::json(status, &with_cexsign_fields(body, &rejection), Verdict::Rejected)
        }
        // Serialised once the diagnosis is added.
        (AnswerBody::Json(body), Some(diagnosis)) => Reply {
            awaiting: Some(Box::new(Awaiting {
                diagnosis: Some(*diagnosis),
                body: Some(with_cexsign_fields(body, &rejection)),
            })),
            ..Reply::json(status, &Value::Null, Verdict::Rejected)
        },
        (AnswerBody::Text(text), diagnosis) => Reply {
            awaiting: diagnosis.map(|diagnosis| Box::new(Awaiting { diagnosis: Some(*diagnosis), body: None })),
            ..Reply::text(status, text, Verdict::Rejected)
        },
    };
    reply.with_diagnostics(&rejection.reason, rejection.prehash.as_deref())
}
/// The connection id the websocket answers name (Bybit `conn_id`, Gate `client_id`): the check
/// endpoint has no connection, so one fixed id.
pub(crate) const WS_CONNECTION_ID: &str = "cexsign-local";

/// Whether the local exchange knows how `scheme`'s exchange lays out its REST error answers:
/// from the writer in its error table
/// ([`ErrorTable::body`](cexsign::rejection::ErrorTable::body)). A scheme without one is not
/// served here, and its refusals are [`not_served`], never another exchange's shape.
#[cfg(test)]
pub(crate) fn lays_out_errors(scheme: Scheme) -> bool {
    scheme.exchange().errors.body.is_some()
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
