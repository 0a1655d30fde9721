//! Requests whose JSON body carries the key, a nonce and an HMAC signature as fields of its own
//! ([`RestVerification::SignedBody`]): Crypto.com's `{"id","method","api_key","params","nonce",
//! "sig"}`, with no auth header.
//!
//! [`RestVerification::SignedBody`]: cexsign::RestVerification::SignedBody
//!
//! In order: the body, a JSON object (serde_json refuses nesting deeper than 128, and the body is
//! capped before it is read); the key field, registered; the nonce field, a millisecond time
//! within the window; the signature field; last the signature the key's signer writes for the
//! body as received at that nonce (the signer renders what it signs from the body's own fields,
//! so what was signed is what was sent), compared in constant time.

use subtle::ConstantTimeEq as _;

use super::State;
use super::reply::{Failure, Rejection};
use super::verify::{Accepted, RawRequest, check_window, find_account, signable, window};
use cexsign::{AuthNames, Scheme, SignOptions, SignedBody, Timestamp, TimestampFormat, WireTimestamp, body_field};

/// Verifies a REST request whose body carries its own signature fields.
pub(crate) fn verify_rest(
    state: &State,
    scheme: Scheme,
    check: &SignedBody,
    request: &RawRequest<'_>,
    now: Timestamp,
) -> Result<Accepted, Rejection> {
    let names = scheme.exchange().rest_auth.unwrap_or(AuthNames::new("api_key", "sig", "nonce", None));
    if serde_json::from_slice::<serde_json::Value>(request.body).map_or(true, |body| !body.is_object()) {
        return Err(Rejection::new(
            Failure::Malformed,
            format!(
                "the body is not a JSON object: {} requests are a JSON body carrying {}, {} and {}",
                scheme.name(),
                names.key,
                names.timestamp,
                names.signature
            ),
        ));
    }
    let missing = |name: &'static str| {
        Rejection::new(Failure::MissingHeader(name), format!("the body has no {name} field (or it is empty)"))
    };
    let key = body_field(request.body, names.key).ok_or_else(|| missing(names.key))?;
    let account = find_account(state, scheme, &key)?;
    let nonce = body_field(request.body, names.timestamp).ok_or_else(|| missing(names.timestamp))?;
    let wire = WireTimestamp::parse(TimestampFormat::UnixMillis, &nonce).map_err(|error| {
        Rejection::new(
            Failure::InvalidTimestamp { raw: nonce.clone(), server_secs: now.unix_secs() },
            format!("{} {nonce:?}: {error}", names.timestamp),
        )
    })?;
    check_window(
        &wire,
        now,
        window(scheme),
        format_args!("send the current time in milliseconds as {}", names.timestamp),
    )?;
    let sent = body_field(request.body, names.signature).ok_or_else(|| missing(names.signature))?;
    let expected = signable(request.method, request.path, request.query.unwrap_or(""), request.body)
        .and_then(|signable| {
            account
                .signer()
                .sign_at(&signable, &wire, &SignOptions::new().keep_prehash())
                .map_err(|e| format!("the request cannot be signed as received: {e}"))
        })
        .map_err(|reason| Rejection::new(Failure::Malformed, reason))?;
    let prehash = expected.prehash().cloned();
    let wanted = expected.signature_fields().find(|(name, _)| *name == names.signature).map_or("", |(_, v)| v);
    if !bool::from(wanted.as_bytes().ct_eq(sent.as_bytes())) {
        let reason = format!(
            "{} does not match {}; the expected prehash is what the server signed from the body as received",
            names.signature, check.signature_layout
        );
        return Err(Rejection::new(Failure::Signature, reason).with_prehash(prehash));
    }
    Ok(Accepted { api_key: account.api_key().to_owned(), timestamp: nonce })
}
