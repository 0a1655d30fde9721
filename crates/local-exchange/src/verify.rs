//! REST verification: which exchange a request is for, and the checks each exchange makes, in
//! its order, on the raw request target and body bytes.
//!
//! Nothing the client sent is trusted: the signature is recomputed with the account's signer
//! from the method, path, query and body exactly as received, and compared in constant time.

use std::borrow::Cow;
use std::time::Duration;

use http::HeaderMap;
use serde_json::json;

use super::State;
use super::account::{Account, kucoin_version_name};
use super::jwt::{self, UriCheck};
use super::reply::{Failure, Rejection, Reply, Verdict, rest_rejection};
use super::{binance, bybit, kraken};
use cexsign::diagnose::{CdpPublicKey, Context, Diagnosis, SentRequest};
use cexsign::server_time::ServerTime;
use cexsign::{
    AuthNames, KucoinKeyVersion, Method, OkxEnvironment, Scheme, SignOptions, SignableRequest, SignedRequest,
    Timestamp, TimestampFormat, WireTimestamp,
};

/// A request as received: nothing normalised.
pub(crate) struct RawRequest<'a> {
    /// The method token from the request line, case as received.
    pub(crate) method: &'a str,
    /// The path as received (still percent-encoded).
    pub(crate) path: &'a str,
    /// The query as received, without `?`.
    pub(crate) query: Option<&'a str>,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

/// Which exchange a request is meant for: by its auth headers, else by its path.
pub(crate) fn dispatch(headers: &HeaderMap, path: &str) -> Scheme {
    by_headers(headers, path).unwrap_or_else(|| by_path(path))
}

/// The exchange whose auth headers the request carries, if any: among the exchanges whose
/// description marks the request ([`Routing`](cexsign::Routing)), the one of lowest precedence.
fn by_headers(headers: &HeaderMap, path: &str) -> Option<Scheme> {
    Scheme::ALL
        .into_iter()
        .filter(|scheme| scheme.exchange().routing.marks_request(headers, path))
        .min_by_key(|scheme| scheme.exchange().routing.precedence)
}

/// The exchange a request without auth headers is for: the one owning the longest prefix of
/// its path (Coinbase Exchange, at the root, owns the rest).
fn by_path(path: &str) -> Scheme {
    // `None` (owns no prefix of the path) orders below every length.
    Scheme::ALL
        .into_iter()
        .max_by_key(|scheme| scheme.exchange().routing.owns(path))
        .expect("the registry lists exchanges")
}

#[cfg(test)]
pub(crate) fn bearer_token_for_tests(headers: &HeaderMap) -> bool {
    bearer_token(headers).is_some()
}

/// The token of an `Authorization: Bearer <token>` header (scheme name in any case).
fn bearer_token(headers: &HeaderMap) -> Option<Cow<'_, str>> {
    let value = headers.get(http::header::AUTHORIZATION)?;
    let text = String::from_utf8_lossy(value.as_bytes());
    let prefix = text.get(..7)?;
    if !prefix.eq_ignore_ascii_case("bearer ") {
        return None;
    }
    Some(match text {
        Cow::Borrowed(text) => Cow::Borrowed(text[7..].trim()),
        Cow::Owned(text) => Cow::Owned(text[7..].trim().to_owned()),
    })
}

/// A header's value as text: `None` when absent or empty; bytes that are not UTF-8 become
/// U+FFFD, so such a value matches no key, passphrase, timestamp or signature.
pub(crate) fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<Cow<'h, str>> {
    let value = headers.get(name)?;
    if value.as_bytes().iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(String::from_utf8_lossy(value.as_bytes()))
}

/// The auth headers of a scheme, as its description spells them (header lookups ignore case).
/// Every scheme verified here by its headers has them; one without (Coinbase CDP, verified by
/// its token) reads as sending none.
fn auth_names(scheme: Scheme) -> AuthNames {
    scheme.exchange().rest_auth.unwrap_or(AuthNames::new("authorization", "authorization", "authorization", None))
}

/// The header carrying the API key, by scheme (for the diagnosis of a rejection).
fn key_header(scheme: Scheme) -> &'static str {
    auth_names(scheme).key
}

/// The timestamp window of a scheme: its description's (REST and websocket logins share it).
pub(crate) fn window(scheme: Scheme) -> Duration {
    scheme.exchange().window.unwrap_or(Duration::ZERO)
}

/// How received timestamps are parsed: the account's format, unless the exchange accepts a
/// looser one (Coinbase Exchange's and Gate's whole or decimal seconds).
pub(crate) fn received_format(scheme: Scheme, signer_format: TimestampFormat, ws: bool) -> TimestampFormat {
    let exchange = scheme.exchange();
    let accepted = if ws { exchange.ws_timestamp_accepted } else { exchange.rest_timestamp_accepted };
    accepted.unwrap_or(signer_format)
}

/// What was verified, echoed back on success.
pub(crate) struct Accepted {
    pub(crate) api_key: String,
    pub(crate) timestamp: String,
}

/// Verifies a REST request for `scheme` and answers as that exchange would.
pub(crate) fn rest(state: &State, scheme: Scheme, request: &RawRequest<'_>, now: Timestamp) -> Reply {
    let outcome = match scheme {
        Scheme::CoinbaseCdp => verify_cdp(state, request, now),
        Scheme::Binance => binance::verify_rest(state, request, now),
        Scheme::Bybit => bybit::verify_rest(state, request, now),
        Scheme::Kraken => kraken::verify_rest(state, request),
        _ => verify_hmac(state, scheme, request, now),
    }
    .map_err(|rejection| with_routing_hint(rejection, request));
    match outcome {
        Ok(accepted) => success(scheme, request, accepted),
        Err(rejection) if rejection.is_diagnosable() => {
            let diagnosis = diagnose_rest(state, scheme, request);
            rest_rejection(scheme, rejection.with_diagnosis(diagnosis), now)
        }
        Err(rejection) => rest_rejection(scheme, rejection, now),
    }
}

/// The diagnosis of a rejected request from a registered key (`cexsign_diagnosis`).
fn diagnose_rest(state: &State, scheme: Scheme, request: &RawRequest<'_>) -> Option<Diagnosis> {
    let (account, hosts) = match scheme {
        Scheme::CoinbaseCdp => {
            let kid = bearer_token(request.headers).and_then(|token| cexsign::diagnose::token_kid(&token))?;
            let mut hosts: Vec<String> = request_host(request.headers).map(Cow::into_owned).into_iter().collect();
            hosts.extend(state.cdp_host_aliases.iter().cloned());
            (state.account(scheme, &kid)?, hosts)
        }
        _ => (state.account(scheme, &header(request.headers, key_header(scheme))?)?, Vec::new()),
    };
    let sent = SentRequest::rest(request.method, request.path)
        .with_query(request.query.unwrap_or(""))
        .with_body(request.body)
        .with_headers(request.headers);
    diagnose_with_account(account, hosts, &sent)
}

/// Diagnoses what a registered account received. The account keeps no raw secret, so the
/// mistakes in how the secret is used are not looked for; the others are, through its signer.
pub(crate) fn diagnose_with_account(account: &Account, hosts: Vec<String>, sent: &SentRequest) -> Option<Diagnosis> {
    let cdp_key =
        account.cdp().map(|key| CdpPublicKey { key_type: key.signer.key_type(), public_key: key.public_key.clone() });
    let context = Context {
        scheme: account.scheme(),
        signer: account.signer(),
        api_key: account.api_key(),
        secrets: None,
        okx_environment: account.okx_environment(),
        kucoin_version: account.kucoin_version().unwrap_or_default(),
        hosts,
        cdp_key,
    };
    cexsign::diagnose::run(&context, sent).ok()
}

fn success(scheme: Scheme, request: &RawRequest<'_>, accepted: Accepted) -> Reply {
    let body = json!({
        "cexsign": "accepted",
        "scheme": scheme.id(),
        "api_key": accepted.api_key,
        "method": request.method,
        "path": request.path,
        "query": request.query.unwrap_or(""),
        "body_bytes": request.body.len(),
        "timestamp": accepted.timestamp,
    });
    Reply::json(http::StatusCode::OK, &body, Verdict::Accepted)
}

/// The account registered for `key` under `scheme`, or the unknown-key rejection (naming the
/// scheme the key is registered under, when it is another one).
pub(crate) fn find_account<'s>(state: &'s State, scheme: Scheme, key: &str) -> Result<&'s Account, Rejection> {
    if let Some(account) = state.account(scheme, key) {
        return Ok(account);
    }
    let elsewhere = state.accounts_with_key(key).map(Account::describe).collect::<Vec<_>>();
    let reason = if elsewhere.is_empty() {
        format!("no {} account is registered with API key {key:?}", scheme.name())
    } else {
        format!(
            "API key {key:?} is registered as a {} key, but this request was routed to {} (by its auth headers and path)",
            elsewhere.join(" and "),
            scheme.name()
        )
    };
    Err(Rejection::new(Failure::UnknownKey, reason))
}

/// The window check: `Ok` when `|sent - now| <= window`.
pub(crate) fn check_window(
    sent: &WireTimestamp,
    now: Timestamp,
    window: Duration,
    sync_hint: impl std::fmt::Display,
) -> Result<(), Rejection> {
    let sent_at = sent.instant().duration_since_epoch();
    let now_at = now.duration_since_epoch();
    let (skew, direction) =
        if sent_at >= now_at { (sent_at - now_at, "ahead of") } else { (now_at - sent_at, "behind") };
    if skew <= window {
        return Ok(());
    }
    Err(Rejection::new(
        Failure::Expired { request: sent.instant(), server: now, window },
        format!(
            "timestamp {} is {:.3} s {direction} the server clock (allowed: {} s either way); {sync_hint}",
            sent.as_str(),
            skew.as_secs_f64(),
            window.as_secs()
        ),
    ))
}

/// What to do about a stale timestamp, naming the exchange's own server-time endpoint.
struct SyncHint(Scheme);

impl std::fmt::Display for SyncHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = ServerTime::of(self.0).path();
        match self.0 {
            Scheme::Delta => {
                write!(f, "sign every request (and retry) with a fresh timestamp; server time: GET {path}")
            }
            Scheme::Gate => write!(f, "sign with a fresh timestamp (seconds), offset by GET {path}"),
            _ => write!(f, "sign with a fresh timestamp, offset by GET {path}"),
        }
    }
}

fn verify_hmac(state: &State, scheme: Scheme, request: &RawRequest<'_>, now: Timestamp) -> Result<Accepted, Rejection> {
    let headers = request.headers;
    let names = auth_names(scheme);

    // Delta's CDN blocks authenticated requests without a User-Agent before the origin sees them.
    let delta_auth = headers.contains_key("api-key") || headers.contains_key("signature");
    if scheme == Scheme::Delta && delta_auth && header(headers, "user-agent").is_none() {
        return Err(Rejection::new(
            Failure::CdnBlocked,
            "Delta's CDN blocks authenticated requests without a User-Agent header (reqwest sends none by default: set one on the client)",
        ));
    }

    // 1. Every auth header present.
    let required = |shown: &'static str| {
        header(headers, shown).ok_or_else(|| {
            let mut reason = format!("the {shown} header is missing or empty");
            if let Some(hint) = missing_hint(scheme, headers, request.path) {
                reason.push_str("; ");
                reason.push_str(hint);
            }
            Rejection::new(Failure::MissingHeader(shown), reason)
        })
    };
    let key = required(names.key)?;
    let passphrase = names.passphrase.map(required).transpose()?;
    let sign = required(names.signature)?;
    let timestamp = required(names.timestamp)?;

    // 2. The account.
    let account = find_account(state, scheme, &key)?;

    // OKX: the environment header must match the key.
    if let Some(environment) = account.okx_environment() {
        let simulated = header(headers, "x-simulated-trading");
        let demo_header = simulated.as_deref().map(str::trim) == Some("1");
        match (environment, demo_header) {
            (OkxEnvironment::Demo, false) => {
                return Err(Rejection::new(
                    Failure::Environment,
                    "this is a demo-trading key: send x-simulated-trading: 1 with every request",
                ));
            }
            (OkxEnvironment::Live, true) => {
                return Err(Rejection::new(
                    Failure::Environment,
                    "this is a live key but the request sent x-simulated-trading: 1 (demo trading); leave the header out or send 0",
                ));
            }
            _ => {}
        }
    }

    // 3. The timestamp parses (the window is checked once the expected prehash is known).
    let signer = account.signer();
    let format = received_format(scheme, signer.rest_timestamp_format(), false);
    let wire = WireTimestamp::parse(format, &timestamp).map_err(|error| {
        Rejection::new(
            Failure::InvalidTimestamp { raw: timestamp.clone().into_owned(), server_secs: now.unix_secs() },
            format!("{} {:?}: {error}", names.timestamp, timestamp),
        )
    })?;

    // The expected signature, from the raw method, path, query and body.
    let expected = recompute(account, request, &wire);
    let prehash = expected.as_ref().ok().and_then(|signed| signed.prehash().cloned());

    // 3b. The window.
    check_window(&wire, now, window(scheme), SyncHint(scheme)).map_err(|r| r.with_prehash(prehash.clone()))?;

    // 4. The passphrase (and KuCoin's key version).
    if let Some(version) = account.kucoin_version() {
        check_kucoin_version(version, header(headers, "kc-api-key-version").as_deref())
            .map_err(|r| r.with_prehash(prehash.clone()))?;
    }
    if let (Some(sent), Some(shown)) = (&passphrase, names.passphrase) {
        if !account.passphrase_matches(sent) {
            return Err(Rejection::new(Failure::Passphrase, passphrase_reason(account, shown)).with_prehash(prehash));
        }
    }

    // 5. The signature.
    let expected = expected.map_err(|reason| Rejection::new(Failure::Signature, reason))?;
    if !expected.signature_matches(&sign) {
        return Err(Rejection::new(Failure::Signature, signature_reason(scheme, names.signature)).with_prehash(prehash));
    }
    Ok(Accepted { api_key: key.into_owned(), timestamp: wire.as_str().to_owned() })
}

/// Signs the request as received with the account's signer, keeping the prehash. The error is
/// a reason: the request target cannot be signed as it is.
fn recompute(account: &Account, request: &RawRequest<'_>, wire: &WireTimestamp) -> Result<SignedRequest, String> {
    let signable = signable(request.method, request.path, request.query.unwrap_or(""), request.body)?;
    account.signer().sign_at(&signable, wire, &SignOptions::new().keep_prehash()).map_err(unsignable)
}

/// The request as the signers take it, from the method, path, query and body as received. The
/// error is a reason: the request cannot be signed as it is (an unknown method, a query with
/// raw spaces, ...).
pub(crate) fn signable<'a>(
    method: &str,
    path: &'a str,
    query: &'a str,
    body: &'a [u8],
) -> Result<SignableRequest<'a>, String> {
    let method: Method = method.parse().map_err(unsignable)?;
    Ok(SignableRequest::new(method, path).and_then(|r| r.with_query(query)).map_err(unsignable)?.with_body(body))
}

/// Why a received request could not be signed again.
pub(crate) fn unsignable(error: cexsign::Error) -> String {
    format!("the request cannot be signed as received: {error}")
}

fn check_kucoin_version(version: KucoinKeyVersion, sent: Option<&str>) -> Result<(), Rejection> {
    let sent = sent.map(str::trim);
    let problem = match (version, sent) {
        (KucoinKeyVersion::V1, None | Some("1")) => return Ok(()),
        (KucoinKeyVersion::V2 | KucoinKeyVersion::V3, Some("2" | "3")) => return Ok(()),
        (KucoinKeyVersion::V1, Some(other)) => {
            format!("this is a v1 key: send no KC-API-KEY-VERSION header (or 1), not {other:?}")
        }
        (_, None) => format!(
            "this is a {} key but KC-API-KEY-VERSION is missing: KuCoin then reads KC-API-PASSPHRASE as the plain \
             passphrase; send KC-API-KEY-VERSION: {} with the HMAC'd passphrase",
            kucoin_version_name(version),
            if version == KucoinKeyVersion::V2 { "2" } else { "3" }
        ),
        (_, Some(other)) => format!("KC-API-KEY-VERSION must be 2 or 3 for this key, not {other:?}"),
    };
    Err(Rejection::new(Failure::Passphrase, problem))
}

fn passphrase_reason(account: &Account, shown: &str) -> String {
    match account.kucoin_version() {
        Some(KucoinKeyVersion::V2 | KucoinKeyVersion::V3) => format!(
            "{shown} does not match: for {} keys it is base64(HMAC-SHA256(secret, passphrase)), not the plain \
             passphrase; and it is the API key's passphrase, not the trading or login password",
            account.describe()
        ),
        _ => format!(
            "{shown} does not match the key's passphrase (the one chosen when the API key was created, not the \
             account's login or trading password)"
        ),
    }
}

fn signature_reason(scheme: Scheme, shown: &str) -> String {
    let layout = match scheme {
        Scheme::Okx => "base64(HMAC-SHA256(secret, timestamp + METHOD + path + ?query + body))",
        Scheme::Kucoin => {
            "base64(HMAC-SHA256(secret, timestamp + METHOD + path + ?query + body)) with the query percent-DECODED"
        }
        Scheme::Delta => "hex(HMAC-SHA256(secret, METHOD + timestamp + path + ?query + body))",
        Scheme::CoinbaseExchange => {
            "base64(HMAC-SHA256(base64_decode(secret), timestamp + METHOD + path + ?query + body))"
        }
        Scheme::Bitget => {
            "base64(HMAC-SHA256(secret, timestamp + METHOD + path + ?query + body)) with the query percent-DECODED"
        }
        Scheme::Gate => {
            "hex(HMAC-SHA512(secret, METHOD + \\n + path (with /api/v4) + \\n + percent-DECODED query + \\n + \
             hex(SHA512(body)) + \\n + Timestamp))"
        }
        _ => "hex(HMAC-SHA256(secret, timestamp + METHOD + path + body)), the query NOT signed",
    };
    format!(
        "{shown} does not match {layout}; the expected prehash (cexsign_expected_prehash, or the \
         cexsign-expected-prehash header) is what the server signed from the request as received: compare it byte for byte with what the client signed (body bytes, query order and encoding, \
         method case, timestamp text)"
    )
}

/// A missing-header rejection of a request that carries no auth headers at all says so: the
/// exchange was then chosen by path, which the client may not expect.
fn with_routing_hint(mut rejection: Rejection, request: &RawRequest<'_>) -> Rejection {
    const HINT: &str = "no auth headers were sent: the exchange was chosen from the path";
    let missing = matches!(rejection.failure, Failure::MissingHeader(_));
    if missing && by_headers(request.headers, request.path).is_none() && !rejection.reason.contains(HINT) {
        rejection.reason.push_str("; ");
        rejection.reason.push_str(HINT);
    }
    rejection
}

/// A hint when the request carries another scheme's headers (mixed clients, copied code), or
/// none at all.
fn missing_hint(scheme: Scheme, headers: &HeaderMap, path: &str) -> Option<&'static str> {
    let has = |name: &str| headers.contains_key(name);
    match scheme {
        Scheme::CoinbaseExchange if !has("cb-access-passphrase") && has("cb-access-key") => Some(
            "requests outside /api/v3/ are verified as Coinbase Exchange, which needs CB-ACCESS-PASSPHRASE; \
             Advanced Trade paths start with /api/v3/",
        ),
        _ if by_headers(headers, path).is_none() => {
            Some("no auth headers were sent: the exchange was chosen from the path")
        }
        _ => None,
    }
}

fn verify_cdp(state: &State, request: &RawRequest<'_>, now: Timestamp) -> Result<Accepted, Rejection> {
    let Some(token) = bearer_token(request.headers) else {
        // Routed here by path: the request carries no auth headers at all.
        let reason =
            "no Authorization: Bearer <jwt> header (Coinbase CDP keys) and no CB-ACCESS-* headers (legacy keys)";
        return Err(Rejection::new(Failure::MissingHeader("Authorization"), reason));
    };
    let Some(host) = request_host(request.headers) else {
        return Err(Rejection::new(
            Failure::Signature,
            "the request has no Host header, so the JWT uri claim cannot be checked",
        ));
    };
    let mut hosts = vec![host.as_ref()];
    hosts.extend(state.cdp_host_aliases.iter().map(String::as_str));
    let check = UriCheck::Rest { method: request.method, path: request.path, hosts: &hosts };
    let verified =
        jwt::verify(state, &token, now, check).map_err(|failure| Rejection::new(failure.failure, failure.reason))?;
    Ok(Accepted { api_key: verified.account.api_key().to_owned(), timestamp: verified.nbf.to_string() })
}

/// The request's `Host` header without the port (`127.0.0.1`, `[::1]`, `api.coinbase.com`).
fn request_host(headers: &HeaderMap) -> Option<Cow<'_, str>> {
    let host = header(headers, "host")?;
    let trimmed = host.trim();
    let without_port = if trimmed.starts_with('[') {
        match trimmed.find(']') {
            Some(end) => &trimmed[..=end],
            None => trimmed,
        }
    } else {
        trimmed.rsplit_once(':').map_or(trimmed, |(name, _)| name)
    };
    Some(Cow::Owned(without_port.to_owned()))
}

/// The time rule Binance and Bybit share: a request is refused when its timestamp is 1 s or more
/// ahead of the server clock, or older than the receive window it was sent with. The fields
/// name what the exchange's answer names.
pub(crate) struct ReceiveWindowRule {
    /// The timestamp's name on the wire (`timestamp`, `X-BAPI-TIMESTAMP`).
    pub(crate) field: &'static str,
    /// How the exchange words its limit ahead ("Binance accepts at most 1 s ahead").
    pub(crate) ahead: &'static str,
    /// The window's name on the wire (`recvWindow`, `recv_window`).
    pub(crate) window_name: &'static str,
    /// The exchange's server-time endpoint, to sync with ([`ServerTime::path`]).
    pub(crate) time_endpoint: &'static str,
}

impl ReceiveWindowRule {
    const AHEAD_LIMIT: Duration = Duration::from_millis(1000);

    pub(crate) fn check(&self, sent: &WireTimestamp, now: Timestamp, window: Duration) -> Result<(), Rejection> {
        let (sent_at, now_at) = (sent.instant().duration_since_epoch(), now.duration_since_epoch());
        let expired =
            |reason: String| Rejection::new(Failure::Expired { request: sent.instant(), server: now, window }, reason);
        if sent_at >= now_at + Self::AHEAD_LIMIT {
            return Err(expired(format!(
                "{} {} is {:.3} s ahead of the server clock; {}: sync with GET {}",
                self.field,
                sent.as_str(),
                (sent_at - now_at).as_secs_f64(),
                self.ahead,
                self.time_endpoint
            )));
        }
        if now_at > sent_at && now_at - sent_at > window {
            return Err(expired(format!(
                "{} {} is {:.3} s behind the server clock, more than {} ({} ms): sign with a fresh timestamp, \
                 offset by GET {}",
                self.field,
                sent.as_str(),
                (now_at - sent_at).as_secs_f64(),
                self.window_name,
                window.as_millis(),
                self.time_endpoint
            )));
        }
        Ok(())
    }
}
