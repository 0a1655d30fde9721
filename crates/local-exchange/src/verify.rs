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
use super::account::Account;
use super::diagnosis::PendingDiagnosis;
use super::jwt::{self, UriCheck};
use super::reply::{Failure, Rejection, Reply, Verdict, rest_rejection};
use super::signed_parameters::ParameterSigned;
use super::{authorization_items, body_nonce, nonce_token, sent_receive_window, signed_parameters};
use cexsign::diagnose::{Budget, CdpPublicKey, Context, Diagnosis, SentRequest, Spent};
use cexsign::server_time::ServerTime;
use cexsign::{
    AuthNames, BodyType, ExtraCheck, HeaderCheck, KeySettings, Method, Refused, RestVerification, Scheme, SignOptions,
    SignableRequest, SignedRequest, Signer, Timestamp, TimestampFormat, TimestampRule, WireTimestamp,
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
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<Cow<'_, str>> {
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

/// An auth value: its own header, or else an item of the `Authorization` header (Deribit's
/// `id=…`, [`cexsign::authorization_item`]).
fn auth_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<Cow<'h, str>> {
    header(headers, name).or_else(|| {
        let value = header(headers, "authorization")?;
        cexsign::authorization_item(&value, name).map(|item| Cow::Owned(item.to_owned()))
    })
}

/// The auth headers of a scheme, as its description spells them (header lookups ignore case).
/// Every scheme verified here by its headers has them; one without (Coinbase CDP, verified by
/// its token) reads as sending none.
fn auth_names(scheme: Scheme) -> AuthNames {
    scheme.exchange().rest_auth.unwrap_or(AuthNames::new("authorization", "authorization", "authorization", None))
}

/// Whether the key a request presents signs with RSA, whose check (a private-key signature to
/// compare with) costs a millisecond: such a request is checked on the background threads.
pub(crate) fn signs_slowly(state: &State, scheme: Scheme, headers: &HeaderMap) -> bool {
    auth_value(headers, auth_names(scheme).key)
        .and_then(|key| state.account(scheme, &key))
        .is_some_and(Account::signs_slowly)
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
    // A path whose requests the home's recipe signs inside their parameters (a layout picked by
    // path) is verified so, whatever the description's verification of its other requests.
    let outcome = if let Some(api) = ParameterSigned::by_path(scheme, request.path) {
        signed_parameters::verify_rest(state, scheme, api, request, now)
    } else {
        match scheme.exchange().rest_verification {
            RestVerification::Headers(check) => verify_hmac(state, scheme, &check, request, now),
            RestVerification::BearerToken => verify_bearer(state, scheme, request, now),
            RestVerification::SignedParameters => {
                signed_parameters::verify_rest(state, scheme, ParameterSigned::of(scheme), request, now)
            }
            RestVerification::SentReceiveWindow => sent_receive_window::verify_rest(state, scheme, request, now),
            RestVerification::BodyNonce => body_nonce::verify_rest(state, scheme, request, now),
            RestVerification::AuthorizationItems(items) => {
                authorization_items::verify_rest(state, scheme, &items, request, now)
            }
            RestVerification::NonceToken(check) => nonce_token::verify_rest(state, scheme, &check, request, now),
            RestVerification::RecoveredSigner(signer) => {
                super::recovered_signer::verify_rest(state, scheme, &signer, request, now)
            }
            RestVerification::SignedBody(check) => super::signed_body::verify_rest(state, scheme, &check, request, now),
            _ => Err(Rejection::new(
                Failure::Malformed,
                format!("the local exchange has no verifier for {} requests", scheme.name()),
            )),
        }
    }
    .map_err(|rejection| with_routing_hint(rejection, request).hiding_passphrases(state, scheme));
    match outcome {
        Ok(accepted) => success(scheme, request, accepted),
        // An unknown key is diagnosed when it still leads to a registered key: a key header
        // holding that key's secret (key and secret swapped), a token naming it by its bare id.
        Err(rejection)
            if rejection.is_diagnosable() || matches!(rejection.failure, Failure::UnknownKey | Failure::KeyFormat) =>
        {
            match diagnose_rest(state, scheme, request) {
                Some(diagnosis) => rest_rejection(scheme, rejection.with_diagnosis(diagnosis), now),
                None => rest_rejection(scheme, rejection, now),
            }
        }
        Err(rejection) => rest_rejection(scheme, rejection, now),
    }
}

/// The diagnosis of a rejected request from a registered key (`cexsign_diagnosis`), to run once
/// the rejection is answered.
fn diagnose_rest(state: &State, scheme: Scheme, request: &RawRequest<'_>) -> Option<PendingDiagnosis> {
    let signed_body = matches!(scheme.exchange().rest_verification, RestVerification::SignedBody(_));
    let in_body = |name: &str| signed_body.then(|| cexsign::body_field(request.body, name)).flatten();
    let (account, hosts) = match scheme.exchange().rest_auth {
        // A token that carries no time names its key in a claim; a key and secret swapped, the
        // claim is the secret.
        None if matches!(scheme.exchange().rest_verification, RestVerification::NonceToken(_)) => {
            let RestVerification::NonceToken(check) = scheme.exchange().rest_verification else { return None };
            let claims = bearer_token(request.headers).and_then(|token| nonce_token::claims_of(&token))?;
            let key = claims.get(check.key).and_then(serde_json::Value::as_str)?;
            (state.account(scheme, key).or_else(|| account_with_secret(state, scheme, key))?, Vec::new())
        }
        // A signature recovered to an unknown address names no key: the account is the one a
        // mistaken rendering the home describes recovers to.
        None if matches!(scheme.exchange().rest_verification, RestVerification::RecoveredSigner(_)) => {
            (account_a_rendering_recovers_to(state, scheme, request)?, Vec::new())
        }
        // A bearer token (Coinbase CDP) names its key in its `kid`.
        None => {
            let kid = bearer_token(request.headers).and_then(|token| cexsign::diagnose::token_kid(&token))?;
            let mut hosts: Vec<String> = request_host(request.headers).map(Cow::into_owned).into_iter().collect();
            hosts.extend(state.cdp_host_aliases.iter().cloned());
            (state.account(scheme, &kid).or_else(|| account_named_by_id(state, scheme, &kid))?, hosts)
        }
        Some(names) => {
            // Where the path picks a layout signed inside the parameters, its key header; where
            // the body carries the auth values, the key in the body.
            let key_name = ParameterSigned::by_path(scheme, request.path).map_or(names.key, |api| api.key_header);
            let key = auth_value(request.headers, key_name).map(Cow::into_owned).or_else(|| in_body(names.key))?;
            (state.account(scheme, &key).or_else(|| account_with_secret(state, scheme, &key))?, Vec::new())
        }
    };
    let mut sent = SentRequest::rest(request.method, request.path)
        .with_query(request.query.unwrap_or(""))
        .with_body(request.body)
        .with_headers(request.headers);
    // Auth values the body carries as fields of its own are given as sent.
    for name in scheme.exchange().rest_auth.iter().flat_map(|names| [names.key, names.signature, names.timestamp]) {
        if let Some(value) = in_body(name) {
            sent = sent.with_auth(name, &value);
        }
    }
    Some(PendingDiagnosis::new(account, hosts, sent))
}

/// Diagnoses what a registered account received, within `budget`: the whole catalogue, with the
/// raw secret the account was registered with, exactly as `cexsign diagnose` runs it with the
/// user's credentials (the key's settings and, for Bybit, the signer of the `recv_window` sent).
/// A key that signs tokens (Coinbase CDP) has no secret to look for mistakes with: its token is
/// checked with its public key.
pub(crate) fn diagnose_with_account(
    account: &Account,
    hosts: Vec<String>,
    sent: &SentRequest,
    budget: Budget,
) -> Option<(Diagnosis, Spent)> {
    if let Some(credentials) = account.credentials() {
        let sent = sent.clone().with_settings(account.settings().clone());
        return cexsign::diagnose::diagnose_within(account.scheme(), &credentials, &sent, budget).ok();
    }
    let cdp_key =
        account.cdp().map(|key| CdpPublicKey { key_type: key.signer.key_type(), public_key: key.public_key.clone() });
    let context = Context {
        scheme: account.scheme(),
        signer: account.signer(),
        api_key: account.api_key(),
        secrets: None,
        settings: Some(account.settings().clone()),
        hosts,
        cdp_key,
    };
    cexsign::diagnose::run_within(&context, sent, budget).ok()
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

/// How many registered keys an unknown-key reason lists.
const KEYS_LISTED: usize = 5;

/// The account registered for `key` under `scheme`, or the unknown-key rejection: it names the
/// scheme the key is registered under, when it is another one, or the swap, when the key sent
/// is a registered key's secret. The reason never quotes the value sent (it may be a secret):
/// it gives its length and the keys registered under the scheme (the server's own fake keys).
pub(crate) fn find_account<'s>(state: &'s State, scheme: Scheme, key: &str) -> Result<&'s Account, Rejection> {
    if let Some(account) = state.account(scheme, key) {
        return Ok(account);
    }
    let name = scheme.name();
    if let Some(account) = account_with_secret(state, scheme, key) {
        let reason = format!(
            "the API key sent is not a key but the secret of a registered {} key: the API key and the secret were \
             swapped (a real key whose secret went out in a header must be rotated)",
            account.describe()
        );
        return Err(Rejection::new(Failure::UnknownKey, reason));
    }
    let elsewhere = state.accounts_with_key(key).map(Account::describe).collect::<Vec<_>>();
    let reason = if elsewhere.is_empty() {
        let mut registered: Vec<String> =
            state.accounts_of(scheme).map(|account| format!("{:?}", account.api_key())).collect();
        registered.sort();
        let listed = match registered.len() {
            0 => format!("no {name} key is registered"),
            n if n > KEYS_LISTED => {
                format!("the registered {name} keys include {}", registered[..KEYS_LISTED].join(", "))
            }
            _ => format!("the registered {name} keys are {}", registered.join(", ")),
        };
        format!(
            "no {name} account is registered with the API key sent ({} characters, not quoted: it may be a \
             secret); {listed}",
            key.chars().count()
        )
    } else {
        format!(
            "the API key sent is registered as a {} key, but this request was routed to {name} (by its auth headers \
             and path)",
            elsewhere.join(" and "),
        )
    };
    Err(Rejection::new(Failure::UnknownKey, reason))
}

/// The account of `scheme` whose key name ends in the path segment `id` (a token naming its key
/// by the bare key id instead of its full name, `organizations/…/apiKeys/<id>`).
fn account_named_by_id<'s>(state: &'s State, scheme: Scheme, id: &str) -> Option<&'s Account> {
    state.accounts_of(scheme).find(|account| account.api_key().rsplit_once('/').is_some_and(|(_, last)| last == id))
}

/// The most accounts of a scheme a recovered signature is tried against (each a few recoveries).
/// The account whose address the signature of `request` recovers to over one of the mistaken
/// renderings the home describes (the signature names no key of its own): one recovery per
/// candidate, the address looked up.
fn account_a_rendering_recovers_to<'s>(
    state: &'s State,
    scheme: Scheme,
    request: &RawRequest<'_>,
) -> Option<&'s Account> {
    let renderings = scheme.exchange().diagnosis.renderings?;
    let signer = renderings.signer?;
    let body = std::str::from_utf8(request.body).ok()?;
    let signable =
        cexsign::SignableRequest::new(request.method.parse().ok()?, request.path).ok()?.with_body(request.body);
    (renderings.candidates)(&signable, "")
        .iter()
        .filter(|(code, ..)| scheme.exchange().diagnosis.mistakes.contains(code))
        .find_map(|(_, hash, _)| signer(hash.as_bytes(), body).and_then(|address| state.account(scheme, &address)))
}

/// The account of `scheme` whose raw secret `value` is (key and secret swapped), compared in
/// constant time with the secret of every account of the scheme.
pub(crate) fn account_with_secret<'s>(state: &'s State, scheme: Scheme, value: &str) -> Option<&'s Account> {
    state
        .accounts_of(scheme)
        .fold(None, |found, account| if account.secret_matches(value) { Some(account) } else { found })
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
struct SyncHint(Scheme, &'static str);

impl std::fmt::Display for SyncHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.1, ServerTime::of(self.0).path())
    }
}

/// The expiry check of a timestamp that is an expiry ([`TimestampRule::Expires`]): `Ok` while it
/// lies ahead of the server clock, at most `max_ahead` ahead.
pub(crate) fn check_expiry(
    field: &str,
    sent: &WireTimestamp,
    now: Timestamp,
    max_ahead: Option<Duration>,
    sync_hint: impl std::fmt::Display,
) -> Result<(), Rejection> {
    let sent_at = sent.instant().duration_since_epoch();
    let now_at = now.duration_since_epoch();
    let window = max_ahead.unwrap_or(Duration::ZERO);
    let expired =
        |reason: String| Rejection::new(Failure::Expired { request: sent.instant(), server: now, window }, reason);
    if sent_at <= now_at {
        return Err(expired(format!(
            "{field} {} is {:.3} s behind the server clock: the request has expired (it must lie in the future); \
             {sync_hint}",
            sent.as_str(),
            (now_at - sent_at).as_secs_f64(),
        )));
    }
    match max_ahead {
        Some(max) if sent_at - now_at > max => Err(expired(format!(
            "{field} {} is {:.3} s ahead of the server clock (allowed: at most {} s ahead); {sync_hint}",
            sent.as_str(),
            (sent_at - now_at).as_secs_f64(),
            max.as_secs()
        ))),
        _ => Ok(()),
    }
}

/// The nonce check of a timestamp that is a nonce ([`TimestampRule::Nonce`]): `Ok`, and recorded
/// as the key's last nonce, when it is above the last one the key used. A key keeps its highest
/// nonce for good, so one far ahead of any clock (`u64::MAX`) would lock it for the life of the
/// server: a nonce above the clock in nanoseconds (the finest scale clients use) plus a day is
/// refused before it is recorded.
pub(crate) fn check_nonce(
    account: &Account,
    field: &str,
    sent: &WireTimestamp,
    now: Timestamp,
) -> Result<(), Rejection> {
    const DAY_NANOS: u64 = 86_400 * 1_000_000_000;
    let text = sent.as_str();
    let nonce: u64 = text
        .parse()
        .map_err(|_| Rejection::new(Failure::Nonce, format!("{field} {text:?} is not an unsigned 64-bit integer")))?;
    let ceiling =
        u64::try_from(now.unix_millis()).unwrap_or(u64::MAX).saturating_mul(1_000_000).saturating_add(DAY_NANOS);
    if nonce > ceiling {
        let reason = format!(
            "{field} {nonce} is above {ceiling}, this server's clock in nanoseconds plus a day: a nonce that far ahead \
             would lock the key (the exchange keeps the highest nonce a key used, and a new key is the only way back); \
             derive the nonce from the current time"
        );
        return Err(Rejection::new(Failure::Nonce, reason));
    }
    account.advance_nonce(nonce).map_err(|last| {
        let reason = format!(
            "{field} {nonce} is not above {last}, the last nonce this key used (REST and websocket share the count): \
             use an always-increasing nonce, one process per key, and one unit per key (a key that has seen \
             microseconds refuses milliseconds until a new key is made)"
        );
        Rejection::new(Failure::Nonce, reason)
    })
}

/// An exchange's extra check's refusal, as a rejection.
fn refused(refused: Refused) -> Rejection {
    Rejection::new(Failure::of_refusal(refused.refusal), refused.reason)
}

fn verify_hmac(
    state: &State,
    scheme: Scheme,
    check: &HeaderCheck,
    request: &RawRequest<'_>,
    now: Timestamp,
) -> Result<Accepted, Rejection> {
    let headers = request.headers;
    let names = auth_names(scheme);
    let extra = |stage: fn(&ExtraCheck) -> Option<ExtraFn>, settings: &KeySettings| {
        check.extra.iter().filter_map(stage).try_for_each(|check| check(settings, headers)).map_err(refused)
    };

    // 0. What the exchange refuses before reading the auth headers (Delta's CDN, a body sent
    // with a Content-Type the exchange does not read it as).
    for extra in check.extra {
        if let ExtraCheck::Request(check) = extra {
            check(headers).map_err(refused)?;
        }
    }
    check_body_type(scheme, check.body_type, request)?;

    // 1. Every auth header present.
    let required = |shown: &'static str| {
        header(headers, shown).ok_or_else(|| {
            let mut reason = format!("the {shown} header is missing or empty");
            if let Some(hint) = missing_hint(check, &names, headers, request.path) {
                reason.push_str("; ");
                reason.push_str(hint);
            }
            Rejection::new(Failure::MissingHeader(shown), reason)
        })
    };
    let key = required(names.key)?;
    let passphrase = names.passphrase.map(required).transpose()?;
    let sign = required(names.signature)?;
    // A nonce the exchange takes as optional may be left out: nothing is signed in its place.
    let optional = check.timestamp == TimestampRule::OptionalNonce;
    let timestamp = match header(headers, names.timestamp) {
        None if optional => None,
        _ => Some(required(names.timestamp)?),
    };

    // 2. The account, and what the exchange checks once the key is known (OKX: the environment
    // header matches the key).
    let account = find_account(state, scheme, &key)?;
    extra(key_stage, account.settings())?;

    // 2b. A window the request states for itself (Backpack's X-Window), within the exchange's
    // bounds; signed with it, so the key's signer is built again with that window where its own
    // differs.
    let sent_window = sent_window(scheme, check, headers)?;
    let rebuilt = match sent_window {
        Some(sent) if Some(sent) != account.settings().recv_window.or(scheme.exchange().window) => Some(
            signer_with_window(scheme, account, sent).map_err(|reason| Rejection::new(Failure::Signature, reason))?,
        ),
        _ => None,
    };
    let signer = rebuilt.as_deref().unwrap_or_else(|| account.signer());

    // 3. The timestamp parses (the window is checked once the expected prehash is known).
    let format = received_format(scheme, signer.rest_timestamp_format(), false);
    let wire = timestamp
        .as_ref()
        .map(|timestamp| {
            WireTimestamp::parse(format, timestamp).map_err(|error| {
                Rejection::new(
                    Failure::InvalidTimestamp { raw: timestamp.clone().into_owned(), server_secs: now.unix_secs() },
                    format!("{} {:?}: {error}", names.timestamp, timestamp),
                )
            })
        })
        .transpose()?;

    // The expected signature, from the raw method, path, query and body.
    let expected = match &wire {
        Some(wire) => recompute(signer, request, wire),
        None => recompute_untimed(scheme, account, request),
    };
    let prehash = expected.as_ref().ok().and_then(|signed| signed.prehash().cloned());

    // 3b. The window, or the expiry.
    let hint = SyncHint(scheme, check.sync_hint);
    match (check.timestamp, &wire) {
        (TimestampRule::Expires, Some(wire)) => {
            check_expiry(names.timestamp, wire, now, scheme.exchange().window, hint)
        }
        // A nonce is held to the key's last one once the signature is known to be right.
        (TimestampRule::Nonce | TimestampRule::OptionalNonce, _) | (_, None) => Ok(()),
        (_, Some(wire)) => check_window(wire, now, sent_window.unwrap_or_else(|| window(scheme)), hint),
    }
    .map_err(|r| r.with_prehash(prehash.clone()))?;

    // 4. The passphrase (and what the exchange checks with it: KuCoin's key version).
    extra(passphrase_stage, account.settings()).map_err(|r| r.with_prehash(prehash.clone()))?;
    if let (Some(sent), Some(shown)) = (&passphrase, names.passphrase) {
        if !account.passphrase_matches(sent) {
            let reason = check.passphrase_reason.and_then(|reason| reason(account.settings(), shown));
            let reason = reason.unwrap_or_else(|| plain_passphrase_reason(shown));
            return Err(Rejection::new(Failure::Passphrase, reason).with_prehash(prehash));
        }
    }

    // 5. The signature.
    let expected = expected.map_err(|reason| Rejection::new(Failure::Signature, reason))?;
    if !expected.signature_matches(&sign) {
        let reason = signature_reason(check.signature_layout, names.signature);
        return Err(Rejection::new(Failure::Signature, reason).with_prehash(prehash));
    }
    // 6. A nonce above the key's last one (only a request that verifies moves it).
    if let (TimestampRule::Nonce | TimestampRule::OptionalNonce, Some(wire)) = (check.timestamp, &wire) {
        check_nonce(account, names.timestamp, wire, now).map_err(|r| r.with_prehash(prehash))?;
    }
    Ok(Accepted { api_key: key.into_owned(), timestamp: wire.map(|wire| wire.as_str().to_owned()).unwrap_or_default() })
}

/// A request with a body is refused when the exchange reads bodies only as one media type and
/// the request declares another: the exchange would not read the body it signed.
fn check_body_type(scheme: Scheme, body_type: BodyType, request: &RawRequest<'_>) -> Result<(), Rejection> {
    let Some(required) = body_type.required else { return Ok(()) };
    if request.body.is_empty() || body_type.accepts(request.headers) {
        return Ok(());
    }
    // Shown as sent, cut short: a header is the client's, not a credential, but may be long.
    let sent: String =
        BodyType::sent(request.headers).map(String::from_utf8_lossy).unwrap_or_default().chars().take(64).collect();
    let reason = format!(
        "the body was sent with Content-Type: {sent}, but {} reads a request body only as {required}: send it with \
         Content-Type: {required} (the same body bytes that were signed)",
        scheme.name()
    );
    Err(Rejection::new(Failure::ContentType, reason))
}

/// An extra check that reads the key's settings.
type ExtraFn = fn(&KeySettings, &HeaderMap) -> Result<(), Refused>;

fn key_stage(check: &ExtraCheck) -> Option<ExtraFn> {
    match check {
        ExtraCheck::Key(check) => Some(*check),
        _ => None,
    }
}

fn passphrase_stage(check: &ExtraCheck) -> Option<ExtraFn> {
    match check {
        ExtraCheck::BeforePassphrase(check) => Some(*check),
        _ => None,
    }
}

/// Signs the request as received with the account's signer, keeping the prehash. The error is
/// a reason: the request target cannot be signed as it is.
fn recompute(signer: &dyn Signer, request: &RawRequest<'_>, wire: &WireTimestamp) -> Result<SignedRequest, String> {
    let signable = signable(request.method, request.path, request.query.unwrap_or(""), request.body)?;
    signer.sign_at(&signable, wire, &SignOptions::new().keep_prehash()).map_err(unsignable)
}

/// The window a request states for itself, where the exchange lets it
/// ([`HeaderCheck::widest_sent_window`], in the header its description names): whole
/// milliseconds, 1 to the widest; for a request that sends none, the exchange's default window,
/// which is then what it signs (Backpack: "If no X-Window header is passed the default value of
/// 5000 still needs to be added to the signing string"); `None` where the exchange takes none.
fn sent_window(scheme: Scheme, check: &HeaderCheck, headers: &HeaderMap) -> Result<Option<Duration>, Rejection> {
    let (Some(widest), Some(name)) = (check.widest_sent_window, scheme.exchange().diagnosis.recv_window_header) else {
        return Ok(None);
    };
    let Some(raw) = header(headers, name) else { return Ok(Some(window(scheme))) };
    let millis =
        (raw.len() <= 12 && raw.bytes().all(|b| b.is_ascii_digit())).then(|| raw.parse::<u64>().ok()).flatten();
    match millis.map(Duration::from_millis) {
        Some(window) if !window.is_zero() && window <= widest => Ok(Some(window)),
        _ => {
            let shown: String = raw.chars().take(24).collect();
            Err(Rejection::new(
                Failure::RecvWindow,
                format!(
                    "{name} {shown:?} is not a window {} takes: whole milliseconds, 1 to {} (the default, when it is \
                     not sent, is {} ms)",
                    scheme.name(),
                    widest.as_millis(),
                    window(scheme).as_millis()
                ),
            ))
        }
    }
}

/// The key's signer built again with another window (a request that states and signs its own):
/// the description's signer for the key's credentials and settings, with that `recv_window`.
fn signer_with_window(scheme: Scheme, account: &Account, window: Duration) -> Result<Box<dyn Signer>, String> {
    let credentials = account.credentials().ok_or("the key's credentials are not kept: it cannot sign again")?;
    let settings = account.settings().clone().recv_window(window);
    scheme.exchange().signer(&credentials, &settings).map_err(unsignable)
}

/// The expected signature of a request that left out a timestamp the exchange takes as
/// optional: signed by the key's signer for a client that sends none (built from an empty
/// timestamp sample).
fn recompute_untimed(scheme: Scheme, account: &Account, request: &RawRequest<'_>) -> Result<SignedRequest, String> {
    let credentials = account.credentials().ok_or("the key's credentials are not kept: it cannot sign again")?;
    let settings = account.settings().clone().timestamp_sample("");
    let signer = scheme.exchange().signer(&credentials, &settings).map_err(unsignable)?;
    let signable = signable(request.method, request.path, request.query.unwrap_or(""), request.body)?;
    signer.sign_with(&signable, Timestamp::from_unix_millis(0), &SignOptions::new().keep_prehash()).map_err(unsignable)
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

fn plain_passphrase_reason(shown: &str) -> String {
    format!(
        "{shown} does not match the key's passphrase (the one chosen when the API key was created, not the \
         account's login or trading password)"
    )
}

fn signature_reason(layout: &str, shown: &str) -> String {
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
fn missing_hint(check: &HeaderCheck, names: &AuthNames, headers: &HeaderMap, path: &str) -> Option<&'static str> {
    let has = |name: &str| headers.contains_key(name);
    let passphrase_absent = names.passphrase.is_some_and(|name| !has(name)) && has(names.key);
    match check.passphrase_absent_hint {
        Some(hint) if passphrase_absent => Some(hint),
        _ if by_headers(headers, path).is_none() => {
            Some("no auth headers were sent: the exchange was chosen from the path")
        }
        _ => None,
    }
}

/// A request authenticated by a bearer JWT ([`RestVerification::BearerToken`]).
fn verify_bearer(
    state: &State,
    scheme: Scheme,
    request: &RawRequest<'_>,
    now: Timestamp,
) -> Result<Accepted, Rejection> {
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
    let verified = jwt::verify_for(state, scheme, &token, now, check)
        .map_err(|failure| Rejection::new(failure.failure, failure.reason))?;
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
