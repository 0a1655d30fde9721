//! Coinbase CDP JWT verification, for REST (`Authorization: Bearer`) and websocket subscribes.
//!
//! The checks of the official SDK's token layout: three base64url parts, `kid` naming a
//! registered key, `alg` matching its key type, the signature verified with its public key
//! (ES256 as raw `r‖s`, or Ed25519), `sub` = `kid`, `nbf`/`exp` against the server clock with a
//! lifetime of at most 120 s, and the request binding (REST: a `uri` string, or a `uris` array
//! holding it, equal to `METHOD host path`; websocket: neither). Every defect is a
//! [`Rejection`] with a reason; no input panics.
//!
//! As lenient as the live API is known to be (AUTH.md §2, "Claim variants seen in the wild"):
//! `iss` may be `cdp` (the official SDK) or `coinbase-cloud` (older SDKs, ccxt's ES256 tokens),
//! `aud` and `iat` are ignored, and ccxt's Ed25519 `uris: [uri]` array is accepted.

use base64::Engine as _;
use serde_json::Value;

use super::State;
use super::account::Account;
use super::reply::{Failure, Rejection};
use super::verify::find_account;
use cexsign::{RestVerification, Scheme, Timestamp};

/// How far in the future `nbf` may be (clock skew between client and server).
const NBF_LEEWAY_SECS: u64 = 5;
/// The longest token lifetime Coinbase accepts.
const MAX_LIFETIME_SECS: u64 = 120;

/// What the `uri` claim must be.
pub(crate) enum UriCheck<'a> {
    /// A REST token: `uri` = upper-case method, a space, one of `hosts`, then the path.
    Rest { method: &'a str, path: &'a str, hosts: &'a [&'a str] },
    /// A websocket token: no `uri` claim at all.
    Ws,
}

/// A token that verified.
pub(crate) struct Verified<'s> {
    pub(crate) account: &'s Account,
    pub(crate) nbf: u64,
}

fn reject(reason: impl Into<String>) -> Rejection {
    Rejection::new(Failure::Signature, reason)
}

fn decode_part(part: &str, what: &str) -> Result<serde_json::Map<String, Value>, Rejection> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| reject(format!("the JWT {what} is not unpadded base64url")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(reject(format!("the JWT {what} is not a JSON object"))),
    }
}

fn string_field<'v>(map: &'v serde_json::Map<String, Value>, name: &str, what: &str) -> Result<&'v str, Rejection> {
    map.get(name).and_then(Value::as_str).ok_or_else(|| reject(format!("the JWT {what} has no string {name:?}")))
}

fn integer_claim(claims: &serde_json::Map<String, Value>, name: &str) -> Result<u64, Rejection> {
    claims.get(name).and_then(Value::as_u64).ok_or_else(|| {
        reject(format!("the JWT claim {name:?} is missing or not a non-negative integer (Unix seconds)"))
    })
}

/// Verifies `token` against the registered keys of the exchange whose requests carry bearer
/// tokens ([`RestVerification::BearerToken`]), at server time `now`.
pub(crate) fn verify<'s>(
    state: &'s State,
    token: &str,
    now: Timestamp,
    uri: UriCheck<'_>,
) -> Result<Verified<'s>, Rejection> {
    let bearer = |scheme: &Scheme| matches!(scheme.exchange().rest_verification, RestVerification::BearerToken);
    match Scheme::ALL.into_iter().find(bearer) {
        Some(scheme) => verify_for(state, scheme, token, now, uri),
        None => Err(Rejection::new(Failure::UnknownKey, "no exchange here authenticates with bearer tokens")),
    }
}

/// Verifies `token` against the registered keys of `scheme`, at server time `now`.
pub(crate) fn verify_for<'s>(
    state: &'s State,
    scheme: Scheme,
    token: &str,
    now: Timestamp,
    uri: UriCheck<'_>,
) -> Result<Verified<'s>, Rejection> {
    let parts: Vec<&str> = token.split('.').collect();
    let &[header_part, claims_part, signature_part] = parts.as_slice() else {
        return Err(reject(format!("not a JWT: expected three dot-separated parts, found {}", parts.len())));
    };
    let header = decode_part(header_part, "header")?;
    let alg = string_field(&header, "alg", "header")?;
    let kid = string_field(&header, "kid", "header")?;
    let account = find_account(state, scheme, kid)?;
    let Some(key) = account.cdp() else {
        return Err(Rejection::new(
            Failure::UnknownKey,
            "the token's kid names a registered key that is not a CDP key",
        ));
    };
    if alg != key.alg() {
        return Err(reject(format!("the JWT alg is {alg:?} but key {kid:?} is an {} key", key.alg())));
    }
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signature_part)
        .map_err(|_| reject("the JWT signature is not unpadded base64url"))?;
    let signing_input = &token.as_bytes()[..header_part.len() + 1 + claims_part.len()];
    if !key.verify(signing_input, &signature) {
        let hint = if signature.len() != 64 {
            format!(
                " (it is {} bytes; {} signatures are 64 bytes{})",
                signature.len(),
                key.alg(),
                if key.alg() == "ES256" { ", raw r||s, not DER" } else { "" }
            )
        } else {
            String::new()
        };
        return Err(reject(format!(
            "the JWT signature does not verify with the public key of {kid:?}{hint}: the token was altered or signed with another key"
        )));
    }

    let claims = decode_part(claims_part, "claims")?;
    let sub = string_field(&claims, "sub", "claims")?;
    if sub != kid {
        return Err(reject(format!("the JWT sub {sub:?} differs from kid {kid:?}: both are the full key name")));
    }
    let iss = string_field(&claims, "iss", "claims")?;
    if iss != "cdp" && iss != "coinbase-cloud" {
        return Err(reject(format!(
            "the JWT iss is {iss:?}; it must be \"cdp\" (the official SDK's, or the older \"coinbase-cloud\")"
        )));
    }
    let nbf = integer_claim(&claims, "nbf")?;
    let exp = integer_claim(&claims, "exp")?;
    let now_secs = now.unix_secs();
    let expired = |reason: String| {
        let window = std::time::Duration::from_secs(MAX_LIFETIME_SECS);
        Rejection::new(Failure::Expired { request: Timestamp::from_unix_secs(nbf), server: now, window }, reason)
    };
    if nbf > now_secs.saturating_add(NBF_LEEWAY_SECS) {
        return Err(expired(format!(
            "the JWT nbf {nbf} is {} s ahead of the server clock ({now_secs}); the client clock runs ahead",
            nbf - now_secs
        )));
    }
    if exp <= now_secs {
        return Err(expired(format!(
            "the JWT expired: exp {exp} is not after the server clock ({now_secs}); build a fresh token per request"
        )));
    }
    if exp <= nbf || exp - nbf > MAX_LIFETIME_SECS {
        return Err(reject(format!(
            "the JWT lifetime exp - nbf = {} s; it must be between 1 and {MAX_LIFETIME_SECS} s",
            i128::from(exp) - i128::from(nbf)
        )));
    }

    match uri {
        UriCheck::Ws => {
            if claims.contains_key("uri") || claims.contains_key("uris") {
                return Err(reject("websocket JWTs carry no uri claim: build the token without a request"));
            }
        }
        UriCheck::Rest { method, path, hosts } => {
            let method = method.to_ascii_uppercase();
            let expected: Vec<String> = hosts.iter().map(|host| format!("{method} {host}{path}")).collect();
            // `uri` (the official SDK) or a one-element `uris` array (ccxt's Ed25519 tokens).
            let from_array = claims.get("uris").and_then(Value::as_array).and_then(|uris| match uris.as_slice() {
                [Value::String(only)] => Some(only.as_str()),
                _ => None,
            });
            let Some(sent) = claims.get("uri").and_then(Value::as_str).or(from_array) else {
                return Err(reject(format!(
                    "the JWT has no uri claim (a string, or a uris array with one string); expected {:?}",
                    expected[0]
                )));
            };
            if !expected.iter().any(|e| e == sent) {
                let hint = if sent.contains('?') {
                    "; the uri never contains the query"
                } else if sent.contains("://") {
                    "; the uri has no scheme"
                } else {
                    "; the host is the request's Host without the port (set it with CoinbaseCdpSigner::with_host)"
                };
                return Err(reject(format!("the JWT uri is {sent:?}, expected {}{hint}", quoted_list(&expected))));
            }
        }
    }
    Ok(Verified { account, nbf })
}

fn quoted_list(items: &[String]) -> String {
    items.iter().map(|item| format!("{item:?}")).collect::<Vec<_>>().join(" or ")
}
