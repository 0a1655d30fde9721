//! Requests authenticated by a bearer JWT that carries no time, only the key and a single-use
//! nonce in its claims ([`RestVerification::NonceToken`]): Upbit's `Authorization: Bearer <jwt>`.
//!
//! [`RestVerification::NonceToken`]: cexsign::RestVerification::NonceToken
//!
//! In order: the bearer token; its claims, naming the key and the nonce; the key registered; the
//! token the key's signer writes for the request as received, with that nonce. Claims that differ
//! from the signer's (a parameter hash over other bytes than those received) are refused as
//! unreadable parameters, an otherwise different token as a wrong signature. Last the nonce,
//! which a key may use once. Only a request that verifies records its nonce. The token must be
//! the signer's byte for byte: a JSON layout other than the compact one the SDKs write is refused.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::State;
use super::reply::{Failure, Rejection};
use super::verify::{Accepted, RawRequest, bearer_token, find_account, signable};
use cexsign::{NonceToken, Scheme, SignOptions, Timestamp, WireTimestamp};

/// How long the server remembers a nonce: the exchange has no window, so a nonce is refused
/// again for as long as a test server plausibly runs (the store is bounded in size).
const NONCE_MEMORY: Duration = Duration::from_secs(24 * 60 * 60);

/// The claims of a JWT, when they are base64url of a JSON object.
pub(crate) fn claims_of(token: &str) -> Option<Map<String, Value>> {
    let claims = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Verifies a REST request carrying a nonce token.
pub(crate) fn verify_rest(
    state: &State,
    scheme: Scheme,
    check: &NonceToken,
    request: &RawRequest<'_>,
    now: Timestamp,
) -> Result<Accepted, Rejection> {
    let Some(token) = bearer_token(request.headers) else {
        return Err(Rejection::new(
            Failure::MissingHeader("Authorization"),
            format!(
                "no Authorization: Bearer <jwt> header: send a JWT whose claims carry {} and {}",
                check.key, check.nonce
            ),
        ));
    };
    if token.split('.').count() != 3 {
        return Err(Rejection::new(
            Failure::Malformed,
            "the bearer token is not a JWT: expected three dot-separated parts",
        ));
    }
    let Some(claims) = claims_of(&token) else {
        return Err(Rejection::new(Failure::Malformed, "the JWT claims are not unpadded base64url of a JSON object"));
    };
    let claim = |name: &'static str| {
        claims.get(name).and_then(Value::as_str).filter(|value| !value.is_empty()).ok_or_else(|| {
            Rejection::new(Failure::Malformed, format!("the JWT claims have no string {name:?}, or it is empty"))
        })
    };
    let key = claim(check.key)?;
    let nonce = claim(check.nonce)?;
    let account = find_account(state, scheme, key)?;
    let signer = account.signer();

    let options = SignOptions::new().keep_prehash().with_nonce(nonce);
    let wire = WireTimestamp::render(signer.rest_timestamp_format(), now)
        .map_err(|error| Rejection::new(Failure::Malformed, error.to_string()))?;
    let expected = signable(request.method, request.path, request.query.unwrap_or(""), request.body)
        .and_then(|signable| {
            signer
                .sign_at(&signable, &wire, &options)
                .map_err(|e| format!("the request cannot be signed as received: {e}"))
        })
        .map_err(|reason| Rejection::new(Failure::Malformed, reason))?;
    let prehash = expected.prehash().cloned();
    let expected_token = expected.header("authorization").and_then(|value| value.strip_prefix("Bearer ")).unwrap_or("");
    if expected_token != token {
        let expected_claims = claims_of(expected_token).unwrap_or_default();
        let mut differing: Vec<&str> = expected_claims
            .iter()
            .filter(|(name, value)| claims.get(name.as_str()) != Some(*value))
            .map(|(name, _)| name.as_str())
            .chain(claims.keys().map(String::as_str).filter(|name| !expected_claims.contains_key(*name)))
            .collect();
        differing.sort_unstable();
        differing.dedup();
        if !differing.is_empty() {
            let reason = format!(
                "the JWT claims {differing:?} differ from those the key's signer writes for the request as received \
                 (the parameter hash is over the parameters as received, not URL-encoded, in the order sent, and a \
                 request without parameters has none)"
            );
            return Err(Rejection::new(Failure::Malformed, reason).with_prehash(prehash).signing_mistake());
        }
        let reason = format!(
            "the JWT does not verify with the key's secret ({}): the token was altered, signed with another secret, \
             or its header or claims are laid out otherwise than as compact JSON in the SDKs' order",
            check.signature_layout
        );
        return Err(Rejection::new(Failure::Signature, reason).with_prehash(prehash));
    }
    state
        .used_nonces
        .record(scheme, account.api_key(), nonce, now, NONCE_MEMORY)
        .map_err(|reason| Rejection::new(Failure::Nonce, reason).with_prehash(prehash))?;
    Ok(Accepted { api_key: account.api_key().to_owned(), timestamp: nonce.to_owned() })
}
