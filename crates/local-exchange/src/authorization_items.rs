//! Requests whose auth values are the items of one `Authorization: <scheme> name=value,…` header
//! ([`RestVerification::AuthorizationItems`]): Deribit's
//! `deri-hmac-sha256 id=…,ts=…,sig=…,nonce=…`.
//!
//! [`RestVerification::AuthorizationItems`]: cexsign::RestVerification::AuthorizationItems
//!
//! In order: the header, naming the exchange's scheme; each item (the key, timestamp and
//! signature as the description's `rest_auth` names them, and the nonce); the key registered; the
//! timestamp in the signer's format and within the window; the signature, recomputed with the
//! nonce sent; last the nonce, which a key may use once within the window. Only a request that
//! verifies records its nonce.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::State;
use super::reply::{Failure, Rejection};
use super::verify::{
    Accepted, RawRequest, check_expiry, check_window, find_account, header, received_format, signable, unsignable,
    window,
};
use cexsign::server_time::ServerTime;
use cexsign::{AuthorizationItems, Scheme, SignOptions, Timestamp, TimestampRule, WireTimestamp, authorization_item};

/// How many nonces the server keeps at most: a key that signs faster than this within the window
/// is refused rather than let the server's memory grow.
const MAX_NONCES: usize = 100_000;

/// The nonces used within the window, per scheme and key, with the instant each request carried.
#[derive(Debug, Default)]
pub(crate) struct UsedNonces(Mutex<HashMap<(Scheme, String, String), Timestamp>>);

impl UsedNonces {
    /// Records `nonce` for `key`, or says why it cannot be used: it was, within `window`, or the
    /// server holds as many nonces as it keeps.
    pub(crate) fn record(
        &self,
        scheme: Scheme,
        key: &str,
        nonce: &str,
        now: Timestamp,
        window: Duration,
    ) -> Result<(), String> {
        let mut used = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = (scheme, key.to_owned(), nonce.to_owned());
        let recent = |at: &Timestamp| now.duration_since_epoch().saturating_sub(at.duration_since_epoch()) <= window;
        if used.get(&entry).is_some_and(recent) {
            return Err(format!(
                "nonce {nonce:?} was already used by this key within the last {} s: send a new nonce with every \
                 request (and every retry)",
                window.as_secs()
            ));
        }
        if used.len() >= MAX_NONCES {
            used.retain(|_, at| recent(at));
            if used.len() >= MAX_NONCES {
                return Err(format!(
                    "this server keeps at most {MAX_NONCES} nonces within the window, and they are all in use: sign \
                     fewer requests at once"
                ));
            }
        }
        used.insert(entry, now);
        Ok(())
    }
}

/// Verifies a REST request whose auth values are items of its Authorization header.
pub(crate) fn verify_rest(
    state: &State,
    scheme: Scheme,
    items: &AuthorizationItems,
    request: &RawRequest<'_>,
    now: Timestamp,
) -> Result<Accepted, Rejection> {
    let exchange = scheme.exchange();
    let layout = format!("{} id=<client_id>,ts=<ms>,sig=<hex>,nonce=<nonce>", items.scheme);
    let Some(names) = exchange.rest_auth else {
        return Err(Rejection::new(Failure::Malformed, format!("{} names no auth items", exchange.name)));
    };
    let Some(value) = header(request.headers, "authorization") else {
        return Err(Rejection::new(
            Failure::MissingHeader("Authorization"),
            format!("the Authorization header is missing or empty: send Authorization: {layout}"),
        ));
    };
    let named = value.trim_start().split(' ').next().unwrap_or_default();
    if !named.eq_ignore_ascii_case(items.scheme) {
        return Err(Rejection::new(
            Failure::MissingHeader("Authorization"),
            format!(
                "the Authorization header names another scheme than {} ({} characters, not quoted): send \
                 Authorization: {layout}",
                items.scheme,
                named.chars().count()
            ),
        ));
    }
    let item = |name: &'static str| {
        authorization_item(&value, name).ok_or_else(|| {
            Rejection::new(
                Failure::MissingHeader(name),
                format!("the Authorization header has no {name}=… item, or it is empty: send Authorization: {layout}"),
            )
        })
    };
    let key = item(names.key)?;
    let timestamp = item(names.timestamp)?;
    let sign = item(names.signature)?;
    let nonce = item(items.nonce)?;

    let account = find_account(state, scheme, key)?;
    let signer = account.signer();
    let format = received_format(scheme, signer.rest_timestamp_format(), false);
    let wire = WireTimestamp::parse(format, timestamp).map_err(|error| {
        Rejection::new(
            Failure::InvalidTimestamp { raw: timestamp.to_owned(), server_secs: now.unix_secs() },
            format!("{} {timestamp:?}: {error}", names.timestamp),
        )
    })?;

    let options = SignOptions::new().keep_prehash().with_nonce(nonce);
    let expected = signable(request.method, request.path, request.query.unwrap_or(""), request.body)
        .and_then(|signable| signer.sign_at(&signable, &wire, &options).map_err(unsignable));
    let prehash = expected.as_ref().ok().and_then(|signed| signed.prehash().cloned());

    let hint = format!("{} {}", items.check.sync_hint, ServerTime::of(scheme).path());
    match items.check.timestamp {
        TimestampRule::Expires => check_expiry(names.timestamp, &wire, now, exchange.window, hint),
        _ => check_window(&wire, now, window(scheme), hint),
    }
    .map_err(|rejection| rejection.with_prehash(prehash.clone()))?;

    let expected = expected.map_err(|reason| Rejection::new(Failure::Signature, reason))?;
    if !expected.signature_matches(sign) {
        let reason = format!(
            "{} does not match {}; the expected prehash (cexsign_expected_prehash, or the cexsign-expected-prehash \
             header) is what the server signed from the request as received, with the {} item sent: compare it byte \
             for byte with what the client signed (method case, query as sent, the newline after the body)",
            names.signature, items.check.signature_layout, items.nonce
        );
        return Err(Rejection::new(Failure::Signature, reason).with_prehash(prehash));
    }

    let window = exchange.window.unwrap_or(Duration::ZERO);
    state
        .used_nonces
        .record(scheme, account.api_key(), nonce, now, window)
        .map_err(|reason| Rejection::new(Failure::Nonce, reason).with_prehash(prehash))?;
    Ok(Accepted { api_key: account.api_key().to_owned(), timestamp: wire.as_str().to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_used_once_within_the_window() {
        let used = UsedNonces::default();
        let now = Timestamp::from_unix_millis(1_700_000_000_000);
        let window = Duration::from_secs(60);
        assert!(used.record(Scheme::ALL[0], "k", "n1", now, window).is_ok());
        let again = used.record(Scheme::ALL[0], "k", "n1", now, window).unwrap_err();
        assert!(again.contains("already used"), "{again}");
        // Another key, or the same key once the window has passed.
        assert!(used.record(Scheme::ALL[0], "other", "n1", now, window).is_ok());
        let later = Timestamp::from_unix_millis(1_700_000_061_000);
        assert!(used.record(Scheme::ALL[0], "k", "n1", later, window).is_ok());
    }
}
