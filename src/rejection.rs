//! What an exchange's auth rejection means, and what to do next: from (scheme, HTTP status,
//! response body) to a typed [`Rejection`].
//!
//! This module owns the vocabulary of an exchange's error table ([`ErrorTable`], [`ErrorCode`])
//! and the one engine that reads it, [`classify`]. The tables themselves live in each
//! exchange's home (reached through [`Exchange::errors`](crate::Exchange::errors)), written once
//! from the exchanges' documented error codes (OKX `501xx`/`600xx`, KuCoin `4000xx`, Coinbase's
//! plain `Unauthorized`, v2 error ids and Exchange messages, Delta's error codes, Binance's
//! negative codes, Bybit `retCode`s, Kraken `EAPI:` errors, Bitget's five-digit codes and Gate
//! labels): the local exchange renders its rejections from the same tables, so the two cannot
//! disagree. A rejection is a verdict about a response, not an [`crate::Error`]: the request was
//! signed and sent; the server said no.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::{Prehash, Scheme, Timestamp};

/// The kind of auth rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectionKind {
    /// The timestamp is outside the exchange's window: the clock is off or a signature was reused.
    TimestampOutsideWindow,
    /// The timestamp header is missing or not in the exchange's format.
    MalformedTimestamp,
    /// The signature does not match what the exchange computed.
    InvalidSignature,
    /// The API key is unknown (or belongs to another region or environment's host).
    InvalidKey,
    /// The passphrase is wrong (or, on KuCoin, sent in the wrong form for the key version).
    InvalidPassphrase,
    /// The key exists but is for the other environment (OKX demo vs live).
    WrongEnvironment,
    /// The key has expired, or is of a retired kind (Coinbase legacy HMAC keys, Feb 2025).
    KeyExpiredOrLegacy,
    /// The caller's IP address is not on the key's allow-list.
    IpNotAllowed,
    /// The key lacks the permission the endpoint needs.
    PermissionDenied,
    /// Too many requests.
    RateLimited,
    /// An auth header is missing.
    MissingCredentials,
    /// The request was blocked before auth (Delta's CDN without a `User-Agent`).
    BlockedByCdn,
    /// The exchange refused without saying why (Coinbase Advanced's plain `Unauthorized`).
    Unspecified,
}

/// What to do about a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NextStep {
    /// Fetch the server time, correct the clock, re-sign and retry once.
    ResyncAndRetryOnce,
    /// Re-sign with a fresh timestamp (and JWT) and retry once; if it fails again, check the
    /// configuration.
    RetryOnce,
    /// Wait (honour `Retry-After` if present) before retrying.
    BackOff,
    /// Retrying cannot help: fix the key, secret, passphrase, environment or code.
    FixConfiguration,
    /// The key cannot work: stop and create a new one.
    Stop,
}

/// An exchange's auth rejection, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// What kind of rejection.
    pub kind: RejectionKind,
    /// What to do next.
    pub next_step: NextStep,
    /// The exchange's own code, when it gave one (`50113`, `400005`, `expired_signature`, ...).
    pub code: Option<String>,
    /// The exchange's own message, when it gave one.
    pub message: Option<String>,
}

impl RejectionKind {
    /// The usual next step for this kind.
    pub const fn next_step(self) -> NextStep {
        match self {
            RejectionKind::TimestampOutsideWindow => NextStep::ResyncAndRetryOnce,
            RejectionKind::Unspecified => NextStep::RetryOnce,
            RejectionKind::RateLimited => NextStep::BackOff,
            RejectionKind::KeyExpiredOrLegacy => NextStep::Stop,
            _ => NextStep::FixConfiguration,
        }
    }
}

/// Classifies a response. `None` when it is not an auth rejection (a success, or an error about
/// the order itself).
///
/// The scheme's [`ErrorTable`] reads the body and names the code; a response it does not
/// recognise falls back on the status (429, 401, 403), whatever the exchange.
///
/// ```
/// use cexsign::Scheme;
/// use cexsign::rejection::{NextStep, RejectionKind, classify};
/// let r = classify(Scheme::Okx, 401, br#"{"msg":"Timestamp request expired","code":"50102"}"#).unwrap();
/// assert_eq!(r.kind, RejectionKind::TimestampOutsideWindow);
/// assert_eq!(r.next_step, NextStep::ResyncAndRetryOnce);
/// assert!(classify(Scheme::Okx, 200, br#"{"code":"0","data":[]}"#).is_none());
/// ```
pub fn classify(scheme: Scheme, status: u16, body: &[u8]) -> Option<Rejection> {
    let table = &scheme.exchange().errors;
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let text = String::from_utf8_lossy(body);
    let response = Response { status, json: json.as_ref(), text: &text };
    let found = table.read(&response).into_iter().find_map(|read| {
        let kind = table.lookup(&read)?.kind?;
        Some((kind, read.code, read.message))
    });
    let by_status = match status {
        429 => Some((RejectionKind::RateLimited, None, None)),
        401 => Some((RejectionKind::Unspecified, None, None)),
        403 => Some((RejectionKind::PermissionDenied, None, None)),
        _ => None,
    };
    let (kind, code, message) = found.or(by_status)?;
    Some(Rejection { kind, next_step: table.next_step(kind), code, message })
}

/// One error an exchange answers, as its error table writes it down.
///
/// Built by the exchange's home; read by [`classify`] and by the local exchange, which sends
/// `code`, `status` and `message` for the refusals listed in `rest` and `ws`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorCode {
    /// The code as the exchange writes it (`"50113"`, `"-1022"`, `"EAPI:Invalid nonce"`,
    /// `"INVALID_SIGNATURE"`); for an exchange that answers with a message only, the message.
    pub code: &'static str,
    /// What the code means; `None` when it is not an auth rejection (an unreadable request, a
    /// bad parameter), which [`classify`] leaves to the status.
    pub kind: Option<RejectionKind>,
    /// The HTTP status the exchange answers it with (for a websocket answer, the status the
    /// message carries, or 200 when it carries none).
    pub status: u16,
    /// The exchange's message, as the local exchange sends it; `{}` stands for the name of the
    /// missing header or parameter. Empty when the exchange sends none.
    pub message: &'static str,
    /// How a response is recognised as this code.
    pub matching: Match,
    /// What the local exchange answers with this code over REST.
    #[doc(hidden)]
    pub rest: &'static [Refusal],
    /// What the local exchange answers with this code on a websocket login.
    #[doc(hidden)]
    pub ws: &'static [Refusal],
    /// The path prefix of the API whose refusals the local exchange answers with this code, for
    /// an exchange whose APIs answer with codes of their own (MEXC spot `/api/v3/`, beside its
    /// contract API); `None` for the exchange's main API. [`classify`] reads every code alike.
    #[doc(hidden)]
    pub under: Option<&'static str>,
}

/// How [`classify`] recognises a response as an [`ErrorCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Match {
    /// The code read from the body is exactly [`ErrorCode::code`].
    Code,
    /// The message, lowercased, contains all these words (exchanges that answer text only).
    Words(&'static [&'static str]),
    /// Both: the code is exactly [`ErrorCode::code`] and the lowercased message contains all
    /// these words.
    CodeAndWords(&'static [&'static str]),
}

/// Why a verifier refuses a request, in exchange-neutral terms: what the local exchange sends
/// an [`ErrorCode`] for. The local exchange maps each of its failures to one of these and
/// answers with the table entry that lists it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// This header (message field, Binance parameter) is missing or empty, as the exchange
    /// spells it.
    MissingHeader(&'static str),
    /// A header is missing that no entry names with [`Refusal::MissingHeader`].
    Missing,
    /// No account has this key.
    UnknownKey,
    /// The key is not in the exchange's key format.
    KeyFormat,
    /// The key is for the other environment (OKX demo vs live).
    Environment,
    /// The timestamp does not parse.
    InvalidTimestamp,
    /// The timestamp is outside the window.
    Expired,
    /// The timestamp is ahead of the server's clock by more than the window allows; entries
    /// that do not list it answer as for [`Refusal::Expired`].
    ExpiredAhead,
    /// The passphrase (or KuCoin's key version) is wrong.
    Passphrase,
    /// The signature does not match.
    Signature,
    /// Kraken's nonce is missing, unreadable or not increasing.
    Nonce,
    /// The receive window is unreadable or too large.
    RecvWindow,
    /// The key type cannot be used here (Binance `session.logon` needs Ed25519).
    KeyType,
    /// The request was blocked before auth (Delta's CDN without a `User-Agent`).
    CdnBlocked,
    /// The body was sent with a `Content-Type` the exchange does not read it as (OKX, KuCoin,
    /// Bitget and Gate read a body only as `application/json`).
    ContentType,
    /// The request or message could not be read.
    Malformed,
    /// The body is over the size limit.
    BodyTooLarge,
    /// An order repeats a client order id the key already used ([`crate::Orders::duplicate`]).
    DuplicateOrder,
    /// The exchange did not act on the request: it was busy or rate-limited
    /// ([`crate::Orders::busy`]).
    NotProcessed,
}

impl Refusal {
    /// The refusal an entry is looked up by when none lists this one.
    const fn fallback(self) -> Option<Refusal> {
        match self {
            Refusal::MissingHeader(_) => Some(Refusal::Missing),
            Refusal::ExpiredAhead => Some(Refusal::Expired),
            _ => None,
        }
    }
}

/// Where the local exchange answers: a REST response or a websocket login.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A REST response.
    Rest,
    /// A websocket login answer.
    Ws,
}

/// A response as a [`Reader`] sees it.
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The body, when it is JSON.
    pub json: Option<&'a Value>,
    /// The body as text (lossily decoded).
    pub text: &'a str,
}

/// What a [`Reader`] found in a response: the code to look up in the table, and what the
/// [`Rejection`] reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Read {
    /// What [`Match::Code`] compares with [`ErrorCode::code`].
    pub key: String,
    /// The exchange's code as the rejection reports it (`None` when the exchange gives none).
    pub code: Option<String>,
    /// The exchange's message; what [`Match::Words`] looks in.
    pub message: Option<String>,
}

/// How an exchange's response body says which error it is.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Reader {
    /// The code and the message are top-level fields of a JSON object, numbers or strings
    /// (`{"code":"50113","msg":"Invalid Sign"}`).
    Fields {
        /// The code's field.
        code: &'static str,
        /// The message's field.
        message: &'static str,
    },
    /// The exchange's own reading: every candidate, in order; the first the table knows wins.
    Custom(fn(&Response<'_>) -> Vec<Read>),
}

/// An exchange's errors, written once: read by [`classify`] and rendered by the local exchange.
///
/// ```
/// use cexsign::Scheme;
/// use cexsign::rejection::RejectionKind;
/// let entry = Scheme::Okx.exchange().errors.codes.iter().find(|e| e.code == "50113").unwrap();
/// assert_eq!((entry.kind, entry.status), (Some(RejectionKind::InvalidSignature), 401));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ErrorTable {
    /// Every code, in the order they are tried.
    pub codes: &'static [ErrorCode],
    /// How a body names its code.
    pub reader: Reader,
    /// Where this exchange's next step differs from [`RejectionKind::next_step`].
    pub next_steps: &'static [(RejectionKind, NextStep)],
    /// How the exchange lays out a REST error response around a code and message, for a server
    /// that answers as the exchange does (the local exchange); `None` where no such server
    /// knows it.
    pub body: Option<ErrorBody>,
    /// The same for the exchange's answer to a refused websocket login; `None` where the exchange
    /// has no login to answer (KuCoin and Kraken take a token from a REST call).
    pub ws_body: Option<ErrorBody>,
}

/// Writes an exchange's error response to a refusal (REST or websocket login), from the code
/// and message of its table and what the exchange puts around them.
pub type ErrorBody = fn(&ErrorAnswer<'_>) -> AnswerBody;

/// A refusal as a server answering like the exchange sends it: what an [`ErrorBody`] lays out.
///
/// Built by the local exchange; besides the table's code and message, it carries what some
/// exchanges repeat in their answers (the instants of a stale request, the string the server
/// signed, ids of the refused message).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct ErrorAnswer<'a> {
    /// Why the request was refused.
    pub refusal: Refusal,
    /// The table's entry sent; `None` for a request the server could not read, which the
    /// exchange's table has no code for (the server then answers with its own code).
    pub entry: Option<&'static ErrorCode>,
    /// The code sent: the entry's, or the server's own.
    pub code: &'a str,
    /// The message sent: the entry's, with the missing header's name in place of `{}`.
    pub message: &'a str,
    /// The status the code is answered with (over REST, the response's status).
    pub status: u16,
    /// The status of the HTTP response carrying a websocket answer (the local exchange's
    /// check endpoint): 400 for an unreadable message, 413 for an oversized one, else 401.
    pub response_status: u16,
    /// The request's timestamp, when it was refused for it.
    pub time: Option<RequestTime<'a>>,
    /// The string the server signed, when it got far enough to compute it.
    pub prehash: Option<&'a Prehash>,
    /// The server clock.
    pub now: Timestamp,
    /// The websocket message refused, when it was a JSON object (never over REST).
    pub login: Option<&'a Map<String, Value>>,
    /// The connection id a websocket answer names.
    pub connection_id: &'a str,
}

/// The timestamp a request was refused for.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum RequestTime<'a> {
    /// It does not parse: the text as received, and the server clock in Unix seconds.
    Unreadable {
        /// The timestamp as received.
        sent: &'a str,
        /// The server clock, in Unix seconds.
        server_secs: u64,
    },
    /// It is outside the window: the instant sent, the server clock, and the window the
    /// request was held to.
    Outside {
        /// The instant the request carries.
        sent: Timestamp,
        /// The server clock.
        server: Timestamp,
        /// The window the request was held to.
        window: Duration,
    },
}

/// An error response's body, as an [`ErrorBody`] writes it.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerBody {
    /// A JSON body.
    Json(Value),
    /// A plain-text body (Coinbase Advanced Trade's bare `Unauthorized`).
    Text(&'static str),
}

impl ErrorAnswer<'_> {
    /// The code as a JSON number when it is one (Binance, Bybit, Bitget's websocket), else a
    /// string.
    pub fn numeric_code(&self) -> Value {
        self.code.parse::<i64>().map_or_else(|_| Value::from(self.code), Value::from)
    }

    /// The server clock in Unix milliseconds.
    pub fn now_millis(&self) -> u64 {
        u64::try_from(self.now.unix_millis()).unwrap_or(u64::MAX)
    }

    /// The field `name` of the refused websocket message, or `null`.
    pub fn login_field(&self, name: &str) -> Value {
        self.login.and_then(|message| message.get(name)).cloned().unwrap_or(Value::Null)
    }

    /// What the entry sent means; `None` for the server's own codes.
    pub fn kind(&self) -> Option<RejectionKind> {
        self.entry.and_then(|entry| entry.kind)
    }
}

impl ErrorTable {
    /// Whether the exchange answers some REST auth rejections with HTTP 200 (Bybit's `retCode`,
    /// Kraken's `error` array): a client must read the body of a success to find them.
    pub fn rejects_rest_with_success_status(&self) -> bool {
        self.codes.iter().any(|code| code.status == 200 && code.kind.is_some() && !code.rest.is_empty())
    }

    /// Reads a response's candidate codes.
    pub fn read(&self, response: &Response<'_>) -> Vec<Read> {
        match self.reader {
            Reader::Fields { code, message } => response
                .json
                .and_then(|json| {
                    let code = field(json, code)?;
                    Some(Read { key: code.clone(), code: Some(code), message: field(json, message) })
                })
                .into_iter()
                .collect(),
            Reader::Custom(read) => read(response),
        }
    }

    /// The first entry that recognises a read.
    pub fn lookup(&self, read: &Read) -> Option<&'static ErrorCode> {
        let words_in = |words: &[&str]| {
            let lower = read.message.as_deref().unwrap_or_default().to_ascii_lowercase();
            words.iter().all(|w| lower.contains(w))
        };
        self.codes.iter().find(|entry| match entry.matching {
            Match::Code => read.key == entry.code,
            Match::Words(words) => words_in(words),
            Match::CodeAndWords(words) => read.key == entry.code && words_in(words),
        })
    }

    /// What to do about a rejection of this kind on this exchange.
    pub fn next_step(&self, kind: RejectionKind) -> NextStep {
        self.next_steps.iter().find(|(k, _)| *k == kind).map_or(kind.next_step(), |(_, step)| *step)
    }

    /// The entry the local exchange answers a refusal with, on a channel; `None` when the
    /// exchange has no code for it (the local exchange then answers with its own).
    #[doc(hidden)]
    pub fn answer(&self, channel: Channel, refusal: Refusal) -> Option<&'static ErrorCode> {
        self.answer_under(channel, refusal, None)
    }

    /// The entry the local exchange answers a refusal with for a request of the API under
    /// `under` ([`ErrorCode::under`]; `None`: the exchange's main API): only that API's entries.
    #[doc(hidden)]
    pub fn answer_under(&self, channel: Channel, refusal: Refusal, under: Option<&str>) -> Option<&'static ErrorCode> {
        let lists = |entry: &ErrorCode, refusal: Refusal| {
            entry.under == under
                && match channel {
                    Channel::Rest => entry.rest.contains(&refusal),
                    Channel::Ws => entry.ws.contains(&refusal),
                }
        };
        let mut refusal = Some(refusal);
        while let Some(r) = refusal {
            if let Some(entry) = self.codes.iter().find(|entry| lists(entry, r)) {
                return Some(entry);
            }
            refusal = r.fallback();
        }
        None
    }
}

impl ErrorCode {
    /// A code that means `kind`, answered with `status`.
    pub(crate) const fn new(code: &'static str, kind: RejectionKind, status: u16) -> Self {
        Self { code, kind: Some(kind), status, message: "", matching: Match::Code, rest: &[], ws: &[], under: None }
    }

    /// A code that is not an auth rejection, answered with `status`.
    pub(crate) const fn not_auth(code: &'static str, status: u16) -> Self {
        Self { code, kind: None, status, message: "", matching: Match::Code, rest: &[], ws: &[], under: None }
    }

    /// The message the local exchange sends with it.
    pub(crate) const fn message(mut self, message: &'static str) -> Self {
        self.message = message;
        self
    }

    /// Recognised by the words of the message (and not by the code).
    pub(crate) const fn words(mut self, words: &'static [&'static str]) -> Self {
        self.matching = Match::Words(words);
        self
    }

    /// Recognised by the code and the words of the message.
    pub(crate) const fn code_and_words(mut self, words: &'static [&'static str]) -> Self {
        self.matching = Match::CodeAndWords(words);
        self
    }

    /// What the local exchange sends it for over REST.
    pub(crate) const fn rest(mut self, refusals: &'static [Refusal]) -> Self {
        self.rest = refusals;
        self
    }

    /// What the local exchange sends it for on a websocket login.
    pub(crate) const fn ws(mut self, refusals: &'static [Refusal]) -> Self {
        self.ws = refusals;
        self
    }

    /// Answered only to requests of the API under this path prefix ([`ErrorCode::under`]).
    pub(crate) const fn under(mut self, prefix: &'static str) -> Self {
        self.under = Some(prefix);
        self
    }
}

/// A top-level field as text, whether the exchange sends a string or a number.
pub(crate) fn field(json: &Value, name: &str) -> Option<String> {
    match json.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RejectionKind::*;

    fn kind(scheme: Scheme, status: u16, body: &str) -> Option<RejectionKind> {
        classify(scheme, status, body.as_bytes()).map(|r| r.kind)
    }

    #[test]
    fn okx_codes_from_auth_md() {
        let okx = |code: &str| kind(Scheme::Okx, 401, &format!(r#"{{"msg":"x","code":"{code}"}}"#));
        assert_eq!(okx("50101"), Some(WrongEnvironment));
        assert_eq!(okx("50102"), Some(TimestampOutsideWindow));
        assert_eq!(okx("50103"), Some(MissingCredentials));
        assert_eq!(okx("50104"), Some(MissingCredentials));
        assert_eq!(okx("50105"), Some(InvalidPassphrase));
        assert_eq!(okx("50106"), Some(MissingCredentials));
        assert_eq!(okx("50107"), Some(MalformedTimestamp));
        assert_eq!(okx("50110"), Some(IpNotAllowed));
        assert_eq!(okx("50111"), Some(InvalidKey));
        assert_eq!(okx("50112"), Some(MalformedTimestamp));
        assert_eq!(okx("50113"), Some(InvalidSignature));
        assert_eq!(okx("50114"), Some(InvalidSignature));
        assert_eq!(okx("50119"), Some(InvalidKey));
        for (code, expected) in [
            ("60004", MalformedTimestamp),
            ("60005", InvalidKey),
            ("60006", TimestampOutsideWindow),
            ("60007", InvalidSignature),
            ("60009", Unspecified),
            ("60024", InvalidPassphrase),
            ("60031", InvalidKey),
        ] {
            let body = format!(r#"{{"event":"error","code":"{code}","msg":"m"}}"#);
            assert_eq!(kind(Scheme::Okx, 200, &body), Some(expected), "{code}");
        }
        assert_eq!(kind(Scheme::Okx, 200, r#"{"code":"0","msg":"","data":[]}"#), None);
        let r = classify(Scheme::Okx, 401, br#"{"msg":"Invalid Sign","code":"50113"}"#).unwrap();
        assert_eq!((r.code.as_deref(), r.message.as_deref()), (Some("50113"), Some("Invalid Sign")));
        assert_eq!(r.next_step, NextStep::FixConfiguration);
    }

    #[test]
    fn kucoin_codes_from_auth_md() {
        for (code, expected) in [
            ("400001", MissingCredentials),
            ("400002", TimestampOutsideWindow),
            ("400003", InvalidKey),
            ("400004", InvalidPassphrase),
            ("400005", InvalidSignature),
            ("400006", IpNotAllowed),
            ("400007", PermissionDenied),
            ("400201", InvalidSignature),
            ("429000", RateLimited),
        ] {
            let body = format!(r#"{{"code":"{code}","msg":"m"}}"#);
            assert_eq!(kind(Scheme::Kucoin, 401, &body), Some(expected), "{code}");
        }
        assert_eq!(kind(Scheme::Kucoin, 200, r#"{"code":"200000","data":{}}"#), None);
    }

    #[test]
    fn coinbase_exchange_messages_from_auth_md() {
        for (message, expected) in [
            ("invalid signature", InvalidSignature),
            ("Invalid API Key", InvalidKey),
            ("Invalid Passphrase", InvalidPassphrase),
            ("request timestamp expired", TimestampOutsideWindow),
        ] {
            let body = format!(r#"{{"message":"{message}"}}"#);
            assert_eq!(kind(Scheme::CoinbaseExchange, 401, &body), Some(expected), "{message}");
        }
        // Some clients saw 400 for a bad signature.
        assert_eq!(kind(Scheme::CoinbaseExchange, 400, r#"{"message":"invalid signature"}"#), Some(InvalidSignature));
    }

    #[test]
    fn coinbase_advanced_plain_unauthorized_and_v2_errors() {
        assert_eq!(kind(Scheme::CoinbaseCdp, 401, "Unauthorized"), Some(Unspecified));
        assert_eq!(classify(Scheme::CoinbaseCdp, 401, b"Unauthorized").unwrap().next_step, NextStep::RetryOnce);
        let legacy = classify(Scheme::CoinbaseAdvancedHmac, 401, b"Unauthorized").unwrap();
        assert_eq!((legacy.kind, legacy.next_step), (KeyExpiredOrLegacy, NextStep::RetryOnce));
        for (message, expected) in [
            ("invalid signature", InvalidSignature),
            ("invalid api key", InvalidKey),
            ("request timestamp expired", TimestampOutsideWindow),
        ] {
            let body = format!(r#"{{"errors":[{{"id":"authentication_error","message":"{message}"}}]}}"#);
            assert_eq!(kind(Scheme::CoinbaseCdp, 401, &body), Some(expected), "{message}");
        }
        let scopes = r#"{"error":"PERMISSION_DENIED","error_details":"Missing required scopes","message":"Missing required scopes"}"#;
        assert_eq!(kind(Scheme::CoinbaseCdp, 403, scopes), Some(PermissionDenied));
        assert_eq!(
            kind(Scheme::CoinbaseCdp, 200, r#"{"type":"error","message":"authentication failure"}"#),
            Some(Unspecified)
        );
        assert_eq!(kind(Scheme::CoinbaseCdp, 200, r#"{"accounts":[]}"#), None);
    }

    #[test]
    fn delta_codes_from_auth_md() {
        for (body, expected) in [
            (r#"{"error":"SignatureExpired","message":"your signature has expired"}"#, TimestampOutsideWindow),
            (
                r#"{"error":{"code":"expired_signature","context":{"request_time":1,"server_time":9}},"success":false}"#,
                TimestampOutsideWindow,
            ),
            (r#"{"error":"InvalidApiKey","message":"Api Key not found"}"#, InvalidKey),
            (r#"{"error":{"code":"invalid_api_key"},"success":false}"#, InvalidKey),
            (r#"{"success":false,"error":{"code":"Signature Mismatch"}}"#, InvalidSignature),
            (r#"{"error":{"code":"invalid_signature"}}"#, InvalidSignature),
            (r#"{"error":"UnauthorizedApiAccess","message":"Api Key not authorised"}"#, PermissionDenied),
            (r#"{"success":false,"error":{"code":"ip_not_whitelisted_for_api_key"}}"#, IpNotAllowed),
            (r#"{"error":"Forbidden","message":"Request blocked by CDN"}"#, BlockedByCdn),
            (r#"{"error":"unauthorized","success":false}"#, MissingCredentials),
            (
                r#"{"type":"key-auth","success":false,"status_code":408,"error":"request_expired"}"#,
                TimestampOutsideWindow,
            ),
        ] {
            assert_eq!(kind(Scheme::Delta, 401, body), Some(expected), "{body}");
        }
    }

    #[test]
    fn every_table_recognises_its_own_codes() {
        // An entry shadowed by an earlier one with another meaning would never be read.
        for scheme in Scheme::ALL {
            let table = &scheme.exchange().errors;
            for entry in table.codes {
                // Entries recognised by words and sending no message carry the words in the code.
                let message = if entry.message.is_empty() { entry.code } else { entry.message };
                let message = message.replace("{}", "X-HEADER");
                let read = Read { key: entry.code.to_owned(), code: None, message: Some(message) };
                let found = table.lookup(&read).map(|e| e.kind);
                assert_eq!(found, Some(entry.kind), "{}: {}", scheme.exchange().id, entry.code);
            }
        }
    }

    #[test]
    fn next_steps_differ_where_the_exchange_says_so() {
        let step = |scheme: Scheme, kind: RejectionKind| scheme.exchange().errors.next_step(kind);
        assert_eq!(step(Scheme::Kraken, TimestampOutsideWindow), NextStep::RetryOnce);
        assert_eq!(step(Scheme::Okx, TimestampOutsideWindow), NextStep::ResyncAndRetryOnce);
        assert_eq!(step(Scheme::CoinbaseAdvancedHmac, KeyExpiredOrLegacy), NextStep::RetryOnce);
        assert_eq!(step(Scheme::Bybit, KeyExpiredOrLegacy), NextStep::Stop);
        let nonce = classify(Scheme::Kraken, 200, br#"{"error":["EGeneral:Internal error","EAPI:Invalid nonce"]}"#);
        let nonce = nonce.unwrap();
        assert_eq!((nonce.kind, nonce.next_step), (TimestampOutsideWindow, NextStep::RetryOnce));
        assert_eq!(nonce.code.as_deref(), Some("EAPI:Invalid nonce"));
    }

    #[test]
    fn websocket_answers_without_a_code_are_read_by_their_message() {
        let bybit = r#"{"success":false,"ret_msg":"error sign","op":"auth","conn_id":"c"}"#;
        assert_eq!(kind(Scheme::Bybit, 200, bybit), Some(InvalidSignature));
        let gate_api = r#"{"ack":false,"data":{"errs":{"label":"INVALID_KEY","message":"Invalid API Key"}}}"#;
        assert_eq!(kind(Scheme::Gate, 200, gate_api), Some(InvalidKey));
        let gate_channel = r#"{"error":{"code":4,"message":"REQUEST_EXPIRED: Request Timestamp is far"}}"#;
        assert_eq!(kind(Scheme::Gate, 200, gate_channel), Some(TimestampOutsideWindow));
        assert_eq!(
            kind(Scheme::Bitget, 200, r#"{"event":"error","code":30015,"msg":"Invalid signature"}"#),
            Some(InvalidSignature)
        );
    }

    #[test]
    fn unknown_bodies_fall_back_on_the_status() {
        assert_eq!(kind(Scheme::Okx, 429, "slow down"), Some(RateLimited));
        assert_eq!(kind(Scheme::Kucoin, 401, "<html>"), Some(Unspecified));
        assert_eq!(kind(Scheme::Delta, 403, ""), Some(PermissionDenied));
        assert_eq!(kind(Scheme::Delta, 500, "oops"), None);
        assert_eq!(kind(Scheme::Okx, 200, "\u{0}\u{1}garbage"), None);
    }
}
