//! Requests whose body carries its own recoverable signature
//! ([`RestVerification::RecoveredSigner`]): Hyperliquid's actions, `{"action", "nonce",
//! "signature": {"r", "s", "v"}, …}` with no auth header.
//!
//! [`RestVerification::RecoveredSigner`]: cexsign::RestVerification::RecoveredSigner
//!
//! In order: the body, read by the exchange's own `recover` (which recomputes the signed digest
//! from the body as received and recovers the signer's key id from `r`, `s` and `v`); the key it
//! recovers to registered (as a live key, or as a demo key: the environment is signed, not
//! sent); the nonce within the window; the body's own expiry, if it carries one, not passed; last
//! the nonce, which a key may use once within the window. A wrong signature cannot be told from
//! an unknown key: it recovers to another key id, and is answered as the exchange answers an
//! unknown one, naming the id recovered.

use std::time::Duration;

use super::State;
use super::reply::{Failure, Rejection};
use super::verify::{Accepted, RawRequest, check_window, window};
use cexsign::{RecoveredSigner, Scheme, Timestamp, TimestampFormat, WireTimestamp};

/// Verifies a REST request that carries a recoverable signature in its body.
pub(crate) fn verify_rest(
    state: &State,
    scheme: Scheme,
    signer: &RecoveredSigner,
    request: &RawRequest<'_>,
    now: Timestamp,
) -> Result<Accepted, Rejection> {
    if request.path != signer.path {
        return Err(Rejection::new(
            Failure::Malformed,
            format!("signed {} bodies are sent to POST {}", scheme.name(), signer.path),
        ));
    }
    let recovered = (signer.recover)(request.body)
        .map_err(|refused| Rejection::new(Failure::of_refusal(refused.refusal), refused.reason))?;
    let live = state.account(scheme, &recovered.live).filter(|account| !account.settings().demo);
    let demo = state.account(scheme, &recovered.demo).filter(|account| account.settings().demo);
    let Some(account) = live.or(demo) else {
        // The key the signature recovers to is registered, but for the other environment.
        let other = state.account(scheme, &recovered.demo).or_else(|| state.account(scheme, &recovered.live));
        if let Some(other) = other {
            let (registered, signed) = if other.settings().demo { ("demo", "live") } else { ("live", "demo") };
            return Err(Rejection::new(
                Failure::Environment,
                format!(
                    "the signature recovers to {} when read as a {signed} key's, but that key is registered as a \
                     {registered} key: sign for the key's own environment (the `demo` setting)",
                    other.api_key()
                ),
            ));
        }
        return Err(Rejection::new(
            Failure::UnknownKey,
            format!(
                "User or API Wallet {} does not exist: the signature recovers to that address, which no account \
                 has. A wrong signature reads this way: the digest the server computed from the body as received \
                 (the action's msgpack in its JSON key order, the nonce, the vault, the network) is not the one \
                 signed",
                recovered.live
            ),
        ));
    };
    let nonce = recovered.nonce.to_string();
    let wire = WireTimestamp::parse(TimestampFormat::UnixMillis, &nonce)
        .map_err(|error| Rejection::new(Failure::Nonce, format!("nonce {nonce}: {error}")))?;
    check_window(&wire, now, window(scheme), "use the current time in milliseconds as the nonce")?;
    if let Some(expires) = recovered.expires {
        if now.unix_millis() > u128::from(expires) {
            return Err(Rejection::new(
                Failure::Expired { request: Timestamp::from_unix_millis(expires), server: now, window: Duration::ZERO },
                format!("the body expired at {expires} ms (its expiresAfter): sign it again with a later expiry"),
            ));
        }
    }
    state
        .used_nonces
        .record(scheme, account.api_key(), &nonce, now, window(scheme))
        .map_err(|reason| Rejection::new(Failure::Nonce, reason))?;
    Ok(Accepted { api_key: account.api_key().to_owned(), timestamp: nonce })
}
