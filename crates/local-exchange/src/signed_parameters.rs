//! Requests signed inside their own parameters ([`RestVerification::SignedParameters`]), by
//! Binance's rules: REST requests, and WebSocket API requests.
//!
//! [`RestVerification::SignedParameters`]: cexsign::RestVerification::SignedParameters
//!
//! REST: the `signature` parameter must be the last parameter of the query or of the form body.
//! It is cut off (with its `&`), percent-decoded, and compared with the signature the account's
//! signer computes over what remains, `query + body` exactly as received; the `timestamp`
//! (milliseconds or microseconds) and `recvWindow` (default 5000 ms, at most 60000 ms, up to
//! three decimals) parameters are read from there too. Binance's checks, in its order: the
//! `X-MBX-APIKEY` header (-2014 missing or malformed, -2015 unknown), the mandatory `signature`
//! and `timestamp` parameters (-1102), `recvWindow` (-1131), the time rule
//! `timestamp < serverTime + 1000` and `serverTime - timestamp <= recvWindow` (-1021), then the
//! signature (-1022). HMAC signatures are hex and, as on Binance, not case-sensitive.
//!
//! WebSocket API: `{"id", "method", "params": {apiKey, timestamp, signature, …}}`, the same
//! checks on the params, the signature recomputed over the sorted params with their raw values;
//! `session.logon` only for Ed25519 keys (-1002 otherwise).

use std::time::Duration;

use serde_json::{Map, Value};

use super::State;
use super::account::Account;
use super::diagnosis::PendingDiagnosis;
use super::reply::{Failure, Rejection, WS_CONNECTION_ID};
use super::verify::{Accepted, RawRequest, ReceiveWindowRule, find_account, header, signable, unsignable};
use cexsign::form::pairs_named;
use cexsign::recipe::{Carrier, Part};
use cexsign::server_time::ServerTime;
use cexsign::{
    BinanceKeyType, Scheme, SignOptions, SignedRequest, Timestamp, TimestampFormat, WireTimestamp, WsAccepted, WsApi,
    WsRequest,
};

/// Binance's default `recvWindow`.
const DEFAULT_RECV_WINDOW: Duration = Duration::from_millis(5000);
/// The largest `recvWindow` Binance accepts.
const MAX_RECV_WINDOW: Duration = Duration::from_millis(60_000);
/// Where a parameter-signed request carries its key, and whose codes answer it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParameterSigned {
    /// The key's header, as the exchange spells it (`X-MBX-APIKEY`).
    pub(crate) key_header: &'static str,
    /// The path prefix of the API whose codes answer ([`cexsign::rejection::ErrorCode::under`]);
    /// `None` for the exchange's main API.
    pub(crate) under: Option<&'static str>,
    /// Whether an unknown key is also checked against Binance's key format (64 letters and
    /// digits): for the exchange whose description is verified this way, not for an API that
    /// a home's recipe signs this way under a path prefix and states no key format for.
    pub(crate) key_format: bool,
}

impl ParameterSigned {
    /// The exchange's own REST verification ([`cexsign::RestVerification::SignedParameters`]):
    /// the key in its description's key header.
    pub(crate) fn of(scheme: Scheme) -> Self {
        let key_header = scheme.exchange().rest_auth.map_or("X-MBX-APIKEY", |names| names.key);
        Self { key_header, under: None, key_format: true }
    }

    /// The layout a home's recipe picks for requests under a path prefix, when it signs inside
    /// the parameters ([`cexsign::recipe::Part::ByPath`], MEXC spot's `/api/v3/`).
    pub(crate) fn by_path(scheme: Scheme, path: &str) -> Option<Self> {
        let recipe = scheme.exchange().recipe.as_ref().ok()?;
        recipe.parts.iter().find_map(|part| match part {
            Part::ByPath(by)
                if path.starts_with(by.prefix) && matches!(by.then.signature_in, Carrier::Parameter(_)) =>
            {
                Some(Self { key_header: by.then_auth.key, under: Some(by.prefix), key_format: false })
            }
            _ => None,
        })
    }
}

/// Verifies a REST request, its key in `api.key_header`; a rejection is answered with the codes
/// of `api.under`.
pub(crate) fn verify_rest(
    state: &State,
    scheme: Scheme,
    api: ParameterSigned,
    request: &RawRequest<'_>,
    now: Timestamp,
) -> Result<Accepted, Rejection> {
    verify_rest_checks(state, scheme, api, request, now).map_err(|rejection| rejection.under(api.under))
}

fn verify_rest_checks(
    state: &State,
    scheme: Scheme,
    api: ParameterSigned,
    request: &RawRequest<'_>,
    now: Timestamp,
) -> Result<Accepted, Rejection> {
    let name = scheme.exchange().name;
    // 1. The key header.
    let Some(key) = header(request.headers, api.key_header) else {
        return Err(Rejection::new(
            Failure::MissingHeader(api.key_header),
            format!(
                "the {} header is missing or empty: {name}'s only auth header (the signature is a parameter)",
                api.key_header
            ),
        ));
    };
    let account = account_of(state, scheme, &key, api.key_format)?;

    // 2. The signature parameter, last in the query or the body.
    let query = request.query.unwrap_or("");
    let body = std::str::from_utf8(request.body).map_err(|_| {
        Rejection::new(
            Failure::Signature,
            "the body is not UTF-8: a Binance body is an application/x-www-form-urlencoded form of visible ASCII",
        )
    })?;
    // Binance reads parameters from the query and an application/x-www-form-urlencoded body only:
    // a JSON body is not read, so whatever it carries (`&timestamp=…&signature=…` appended to it
    // included) is not there.
    let json_type =
        header(request.headers, "content-type").is_some_and(|kind| kind.to_ascii_lowercase().contains("json"));
    let json_body =
        !body.is_empty() && (json_type || matches!(body.trim_start().as_bytes().first(), Some(b'{' | b'[')));
    let body = if json_body { "" } else { body };
    let unread = |mut rejection: Rejection| {
        if json_body {
            rejection.reason = format!(
                "{} (the body is JSON, which {name} does not read: send the parameters in the query or as an \
                 application/x-www-form-urlencoded body)",
                rejection.reason
            );
        }
        rejection
    };
    let (query_pairs, body_pairs) = (Pairs::scan(query), Pairs::scan(body));
    let (query, body, sent_signature) =
        cut_signature(query, body, query_pairs.signatures + body_pairs.signatures).map_err(unread)?;

    // 3. timestamp and recvWindow, from the parameters that were signed (the signature, cut
    // off, is neither).
    let wire = timestamp_param(query_pairs.timestamp.or(body_pairs.timestamp), now).map_err(unread)?;
    let window = recv_window(query_pairs.recv_window.or(body_pairs.recv_window)).map_err(unread)?;

    // The expected signature over `query + body` as received, without the signature.
    let expected = signable(request.method, request.path, query, body.as_bytes()).and_then(|signable| {
        account.signer().sign_at(&signable, &wire, &SignOptions::new().keep_prehash()).map_err(unsignable)
    });
    let prehash = expected.as_ref().ok().and_then(|signed| signed.prehash().cloned());

    // 4. The time rule.
    time_rule(scheme).check(&wire, now, window).map_err(|r| unread(r.with_prehash(prehash.clone())))?;

    // 5. The signature.
    let expected = expected.map_err(|reason| unread(Rejection::new(Failure::Signature, reason)))?;
    if !matches(account, &expected, &sent_signature) {
        let reason = format!(
            "signature does not match {}(payload) where the payload is the query and the body exactly as received, \
             joined with nothing, without the trailing &signature=… (cexsign_expected_prehash); a base64 signature \
             must be percent-encoded (+ as %2B, / as %2F, = as %3D): an unencoded + arrives as a space",
            match account.binance_key_type() {
                Some(BinanceKeyType::Hmac) | None => "hex(HMAC-SHA256(secret, …))",
                Some(BinanceKeyType::Ed25519) => "base64(Ed25519 …)",
                Some(BinanceKeyType::Rsa) => "base64(RSASSA-PKCS1-v1_5-SHA256 …)",
                Some(_) => "the key's signature",
            }
        );
        return Err(unread(Rejection::new(Failure::Signature, reason).with_prehash(prehash)));
    }
    Ok(Accepted { api_key: account.api_key().to_owned(), timestamp: wire.as_str().to_owned() })
}

/// The account of a key under `scheme`, or Binance's answer: -2015 for a well-formed unknown
/// key, -2014 for one that is not 64 letters and digits either (where `key_format` applies;
/// otherwise every unknown key is the first).
fn account_of<'s>(state: &'s State, scheme: Scheme, key: &str, key_format: bool) -> Result<&'s Account, Rejection> {
    find_account(state, scheme, key).map_err(|rejection| {
        let well_formed = !key_format || (key.len() == 64 && key.bytes().all(|b| b.is_ascii_alphanumeric()));
        if well_formed {
            rejection
        } else {
            let reason = format!("{}; and it is not in Binance's key format (64 letters and digits)", rejection.reason);
            Rejection::new(Failure::KeyFormat, reason)
        }
    })
}

/// What a `k=v&k=v` form holds of the parameters Binance reads itself: how many `signature`
/// parameters, and the raw values of the first `timestamp` and `recvWindow`. Each name is
/// searched for ([`cexsign::form`]), never the form split: a megabyte of `a&a&…` is half a
/// million pairs.
#[derive(Debug, Default, PartialEq, Eq)]
struct Pairs<'a> {
    signatures: usize,
    timestamp: Option<&'a str>,
    recv_window: Option<&'a str>,
}

impl<'a> Pairs<'a> {
    fn scan(params: &'a str) -> Self {
        // The first with a value (a bare name has none); values end at `&` or the end, so at
        // character boundaries.
        let first = |name| {
            let start = pairs_named(params.as_bytes(), name).find_map(|pair| Some((pair.value_start?, pair.end)));
            start.map(|(start, end)| &params[start..end])
        };
        Pairs {
            signatures: pairs_named(params.as_bytes(), "signature").count(),
            timestamp: first("timestamp"),
            recv_window: first("recvWindow"),
        }
    }
}

/// The query and body without the signature parameter, and the signature (percent-decoded),
/// given how many `signature` parameters the two hold. The parameter must be present once,
/// non-empty, and the last of the query or of the body.
fn cut_signature<'a>(query: &'a str, body: &'a str, count: usize) -> Result<(&'a str, &'a str, String), Rejection> {
    let missing = || {
        Rejection::new(
            Failure::MissingHeader("signature"),
            "no signature parameter (or an empty one): append &signature=<value> as the last parameter of the query \
             or of the form body",
        )
    };
    let (query, body, raw) = match (count, last_signature(query), last_signature(body)) {
        (0, ..) => return Err(missing()),
        (1, Some((rest, raw)), None) => (rest, body, raw),
        (1, None, Some((rest, raw))) => (query, rest, raw),
        (1, ..) => {
            return Err(Rejection::new(
                Failure::Signature,
                "the signature parameter is not the last parameter of the query or of the body: Binance signs every \
                 parameter before it, so append it last",
            ));
        }
        _ => {
            return Err(Rejection::new(
                Failure::Signature,
                "the signature parameter is sent more than once: send exactly one, last",
            ));
        }
    };
    if raw.is_empty() {
        return Err(missing());
    }
    let signature = cexsign::decode_query(raw)
        .map_err(|_| Rejection::new(Failure::Signature, "the signature parameter has a malformed percent escape"))?;
    Ok((query, body, signature.into_owned()))
}

/// `params` without its last parameter when that one is `signature=…`, and the raw value.
fn last_signature(params: &str) -> Option<(&str, &str)> {
    let (rest, last) = params.rsplit_once('&').unwrap_or(("", params));
    last.strip_prefix("signature=").map(|raw| (rest, raw))
}

/// The `timestamp` parameter as a wire timestamp: milliseconds, or microseconds for values of
/// 10^14 and above (milliseconds reach that in the year 5138).
fn timestamp_param(raw: Option<&str>, now: Timestamp) -> Result<WireTimestamp, Rejection> {
    let raw = raw.filter(|raw| !raw.is_empty()).ok_or_else(|| {
        Rejection::new(
            Failure::MissingHeader("timestamp"),
            "no timestamp parameter: signed requests carry timestamp=<Unix ms> among the signed parameters",
        )
    })?;
    let invalid = || {
        Rejection::new(
            Failure::InvalidTimestamp { raw: raw.to_owned(), server_secs: now.unix_secs() },
            format!("timestamp {raw:?} is not Unix milliseconds (or microseconds)"),
        )
    };
    let value: u64 = raw.parse().map_err(|_| invalid())?;
    let format = if value >= 100_000_000_000_000 { TimestampFormat::UnixMicros } else { TimestampFormat::UnixMillis };
    WireTimestamp::parse(format, raw).map_err(|_| invalid())
}

/// The `recvWindow` parameter: milliseconds with up to three decimals, at most 60000.
fn recv_window(raw: Option<&str>) -> Result<Duration, Rejection> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_RECV_WINDOW);
    };
    let window = parse_millis(raw).ok_or_else(|| {
        Rejection::new(
            Failure::MissingHeader("recvWindow"),
            format!("recvWindow {raw:?} is not a number of milliseconds (up to three decimals, e.g. 5000 or 6000.346)"),
        )
    })?;
    if window > MAX_RECV_WINDOW {
        return Err(Rejection::new(
            Failure::RecvWindow,
            format!("recvWindow {raw} is above Binance's maximum of 60000 ms (5000 or less is advised)"),
        ));
    }
    Ok(window)
}

/// `5000` or `6000.346` milliseconds.
fn parse_millis(raw: &str) -> Option<Duration> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !digits(whole) || fraction.len() > 3 || !digits(fraction) {
        return None;
    }
    if raw.ends_with('.') {
        return None;
    }
    let micros: u64 = whole.parse::<u64>().ok()? * 1000 + format!("{fraction:0<3}").parse::<u64>().ok()?;
    Some(Duration::from_micros(micros))
}

/// Binance's time rule: `timestamp < serverTime + 1000` and `serverTime - timestamp <= recvWindow`.
const fn time_rule(scheme: Scheme) -> ReceiveWindowRule {
    ReceiveWindowRule {
        field: "timestamp",
        ahead: "at most 1 s ahead is accepted",
        window_name: "recvWindow",
        time_endpoint: ServerTime::of(scheme).path(),
    }
}

/// Whether `sent` is the expected signature: HMAC (hex) signatures in any case, as Binance reads
/// them, the base64 ones exactly. Compared in constant time.
fn matches(account: &Account, expected: &SignedRequest, sent: &str) -> bool {
    match account.binance_key_type() {
        Some(BinanceKeyType::Hmac) => expected.signature_matches(&sent.to_ascii_lowercase()),
        _ => expected.signature_matches(sent),
    }
}

// ---------------------------------------------------------------------------------------------
// WebSocket API.

/// Checks a WebSocket API request message by Binance's parameter rules, and answers as the
/// home's `api` says.
pub(crate) fn verify_ws(
    state: &State,
    scheme: Scheme,
    api: &WsApi,
    message: &Map<String, Value>,
    order: Option<&[String]>,
    now: Timestamp,
) -> Result<Value, Rejection> {
    let malformed = |reason: &str| Rejection::new(Failure::Malformed, reason.to_owned());
    let method = match message.get("method") {
        Some(Value::String(method)) if !method.is_empty() => method.as_str(),
        _ => return Err(malformed("a WebSocket API request has a \"method\" string (e.g. \"order.place\")")),
    };
    let params = match message.get("params") {
        Some(Value::Object(params)) => params,
        None => return Err(missing_param("apiKey")),
        Some(_) => return Err(malformed("\"params\" must be an object")),
    };
    let key = match params.get("apiKey") {
        Some(Value::String(key)) if !key.is_empty() => key,
        Some(Value::String(_)) | None => return Err(missing_param("apiKey")),
        Some(_) => return Err(malformed("params.apiKey must be a string")),
    };
    let account = account_of(state, scheme, key, true)?;
    check_ws(scheme, api, method, params, account, message, now)
        .map_err(|rejection| with_ws_diagnosis(scheme, method, params, order, account, rejection))
}

/// A request on a session that logged on: where it leaves out the key and signature (as a
/// logged-on session may), the session's key and the signature the account's signer gives its
/// params are put in, so the request is then checked like any other (its timestamp and window
/// still hold). The signature is the server's own, held by the local exchange and never sent.
/// `None` when the request needs nothing filled in or cannot be signed as it stands (no
/// timestamp: the check then refuses it for that).
pub(crate) fn on_session(
    state: &State,
    scheme: Scheme,
    session_key: &str,
    message: &Map<String, Value>,
    now: Timestamp,
) -> Option<Map<String, Value>> {
    let method = message.get("method")?.as_str()?;
    let params = match message.get("params") {
        Some(Value::Object(params)) => params.clone(),
        None => Map::new(),
        Some(_) => return None,
    };
    if params.contains_key("signature") {
        return None;
    }
    // Another key named without its signature is not the session's to sign.
    match params.get("apiKey") {
        Some(Value::String(key)) if key == session_key => {}
        None => {}
        Some(_) => return None,
    }
    let key = session_key.to_owned();
    let account = state.account(scheme, &key)?;
    let timestamp = match params.get("timestamp") {
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::String(text)) => text.clone(),
        _ => return None,
    };
    let wire = timestamp_param(Some(&timestamp), now).ok()?;
    let others = signed_params(&params);
    let signed = account.signer().sign_ws_at(&WsRequest::api(method, &others), &wire, &SignOptions::new()).ok()?;
    let mut params = params;
    params.insert("apiKey".to_owned(), Value::String(key));
    params.insert("signature".to_owned(), Value::String(signed.signature().to_owned()));
    let mut filled = message.clone();
    filled.insert("params".to_owned(), Value::Object(params));
    Some(filled)
}

/// The diagnosis of a rejected WebSocket API request from a registered key
/// (`cexsign_diagnosis`), as `cexsign diagnose` makes it from the same params.
fn with_ws_diagnosis(
    scheme: Scheme,
    method: &str,
    params: &Map<String, Value>,
    order: Option<&[String]>,
    account: &Account,
    rejection: Rejection,
) -> Rejection {
    if !(rejection.is_diagnosable() || rejection.failure == Failure::KeyType) {
        return rejection;
    }
    let text = |name: &str| match params.get(name) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    };
    let mut others = signed_params(params);
    // In the order they were sent (`order`, from ws.rs), which a signer that does not sort signs.
    if let Some(order) = order {
        others.sort_by_key(|(name, _)| order.iter().position(|sent| sent == name));
    }
    let sent = cexsign::diagnose::ws_sent(
        scheme,
        &WsRequest::api(method, &others),
        account.api_key(),
        &text("timestamp"),
        None,
        &text("signature"),
    );
    rejection.with_diagnosis(PendingDiagnosis::new(account, Vec::new(), sent))
}

/// The params the signer signs besides the apiKey and timestamp it adds itself.
fn signed_params(params: &Map<String, Value>) -> Vec<(&str, Value)> {
    params
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "apiKey" | "timestamp" | "signature"))
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect()
}

/// The checks of a WebSocket API request once its key is known, in Binance's order.
fn check_ws(
    scheme: Scheme,
    api: &WsApi,
    method: &str,
    params: &Map<String, Value>,
    account: &Account,
    message: &Map<String, Value>,
    now: Timestamp,
) -> Result<Value, Rejection> {
    let malformed = |reason: &str| Rejection::new(Failure::Malformed, reason.to_owned());
    if method == api.logon && account.binance_key_type() != Some(BinanceKeyType::Ed25519) {
        return Err(Rejection::new(
            Failure::KeyType,
            format!(
                "{} takes Ed25519 keys only and this is a {} key: sign every request instead",
                api.logon,
                account.describe()
            ),
        ));
    }
    let timestamp = match params.get("timestamp") {
        Some(Value::Number(number)) => Some(number.to_string()),
        Some(Value::String(text)) => Some(text.clone()),
        None => None,
        Some(_) => return Err(malformed("params.timestamp must be a number")),
    };
    let wire = timestamp_param(timestamp.as_deref(), now)?;
    let window = match params.get("recvWindow") {
        None => DEFAULT_RECV_WINDOW,
        Some(Value::Number(number)) => recv_window(Some(&number.to_string()))?,
        Some(Value::String(text)) => recv_window(Some(text))?,
        Some(_) => return Err(malformed("params.recvWindow must be a number")),
    };
    let sent_signature = match params.get("signature") {
        Some(Value::String(signature)) if !signature.is_empty() => signature.as_str(),
        Some(Value::String(_)) | None => return Err(missing_param("signature")),
        Some(_) => return Err(malformed("params.signature must be a string")),
    };

    let others = signed_params(params);
    let expected = account
        .signer()
        .sign_ws_at(&WsRequest::api(method, &others), &wire, &SignOptions::new().keep_prehash())
        .map_err(|error| format!("the message cannot be signed as received: {error}"));
    let prehash = expected.as_ref().ok().and_then(|auth| auth.prehash().cloned());
    time_rule(scheme).check(&wire, now, window).map_err(|r| r.with_prehash(prehash.clone()))?;
    let expected = expected.map_err(|reason| Rejection::new(Failure::Signature, reason))?;
    let sent = match account.binance_key_type() {
        Some(BinanceKeyType::Hmac) => sent_signature.to_ascii_lowercase(),
        _ => sent_signature.to_owned(),
    };
    use subtle::ConstantTimeEq as _;
    if !bool::from(expected.signature().as_bytes().ct_eq(sent.as_bytes())) {
        return Err(Rejection::new(
            Failure::Signature,
            "params.signature does not match: the payload is every param but signature, apiKey and timestamp \
             included, sorted by name and joined k=v&… with the raw values, NOT percent-encoded \
             (cexsign_expected_prehash)",
        )
        .with_prehash(prehash));
    }

    let accepted = WsAccepted::new(message, account.api_key(), now, WS_CONNECTION_ID).call(method, wire.as_str());
    Ok((api.answer)(&accepted))
}

fn missing_param(name: &'static str) -> Rejection {
    Rejection::new(Failure::MissingHeader(name), format!("params has no (or an empty) {name:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recv_windows_parse_like_binance() {
        assert_eq!(parse_millis("5000"), Some(Duration::from_millis(5000)));
        assert_eq!(parse_millis("6000.346"), Some(Duration::from_micros(6_000_346)));
        assert_eq!(parse_millis("6000.3"), Some(Duration::from_micros(6_000_300)));
        for bad in ["", ".5", "5.", "5.1234", "-5", "5e3", "1 000", "9999999999999"] {
            assert_eq!(parse_millis(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_signature_is_cut_only_when_last() {
        assert_eq!(last_signature("a=1&signature=xy"), Some(("a=1", "xy")));
        assert_eq!(last_signature("signature=xy"), Some(("", "xy")));
        assert_eq!(last_signature("signature=xy&a=1"), None);
        assert_eq!(last_signature("mysignature=xy"), None);
        let cut = |query, body| {
            let count = Pairs::scan(query).signatures + Pairs::scan(body).signatures;
            cut_signature(query, body, count)
        };
        let (query, body, signature) = cut("a=1", "b=2&signature=%2Bq%3D").unwrap();
        assert_eq!((query, body, signature.as_str()), ("a=1", "b=2", "+q="));
        // An unencoded + is a space, as Binance reads it.
        assert_eq!(cut("a=1&signature=+q", "").unwrap().2, " q");
        assert_eq!(cut("a=1", "").unwrap_err().failure, Failure::MissingHeader("signature"));
        assert_eq!(cut("a=1&signature=", "").unwrap_err().failure, Failure::MissingHeader("signature"));
        assert_eq!(cut("signature=x&a=1", "").unwrap_err().failure, Failure::Signature);
        assert_eq!(cut("a=1&signature=x", "signature=y").unwrap_err().failure, Failure::Signature);
    }

    #[test]
    fn one_pass_finds_the_first_timestamp_and_window_and_counts_signatures() {
        let found = Pairs::scan("recvWindow=5000&ts=1&timestamp=12&signature=a&timestamp=13&signature&s=1&t&r");
        assert_eq!(found, Pairs { signatures: 2, timestamp: Some("12"), recv_window: Some("5000") });
        // A name without `=` has no value; a longer or shorter name is another parameter.
        let found = Pairs::scan("timestamp&timestamps=1&timestam=2&recvWindow&signatures=3");
        assert_eq!(found, Pairs::default());
        assert_eq!(Pairs::scan("timestamp=&timestamp=9").timestamp, Some(""));
        assert_eq!(Pairs::scan(""), Pairs::default());
        assert_eq!(Pairs::scan("é=1&timestamp=é").timestamp, Some("é"));
    }
}
