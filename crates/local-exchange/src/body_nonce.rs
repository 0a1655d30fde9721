//! Requests whose nonce travels in the body ([`RestVerification::BodyNonce`]), by Kraken spot's
//! rules: `API-Key`, `API-Sign`, and the `nonce` body parameter.
//!
//! [`RestVerification::BodyNonce`]: cexsign::RestVerification::BodyNonce
//!
//! In Kraken's order: the key known (`EAPI:Invalid key`, also for a missing `API-Key`), an
//! `API-Sign` present, a nonce in the body (form or JSON, read as the `Content-Type` says; a
//! body without one reads by its first character), the signature
//! `base64(HMAC-SHA512(base64_decode(secret), path + SHA256(nonce + body)))` over the body as
//! received (`EAPI:Invalid signature`), and last the nonce, which must be above the last one
//! the key used (`EAPI:Invalid nonce`). There is no time window: only requests that verify
//! move a key's nonce forward. Errors are HTTP 200 with a non-empty `error` array, as on Kraken.

use std::borrow::Cow;

use serde_json::Value;

use super::State;
use super::reply::{Failure, Rejection};
use super::verify::{Accepted, RawRequest, find_account, header, signable, unsignable};
use cexsign::{Scheme, SignOptions, Timestamp, TimestampFormat, WireTimestamp};

/// Verifies a REST request. Kraken checks nonce order only; the server clock only bounds how far
/// ahead a nonce may be ([`nonce_ceiling`]).
pub(crate) fn verify_rest(
    state: &State,
    scheme: Scheme,
    request: &RawRequest<'_>,
    now: Timestamp,
) -> Result<Accepted, Rejection> {
    let headers = request.headers;
    let Some(key) = header(headers, "api-key") else {
        return Err(Rejection::new(
            Failure::MissingHeader("API-Key"),
            "the API-Key header is missing or empty (Kraken reports it as an invalid key)",
        ));
    };
    let account = find_account(state, scheme, &key)?;
    let Some(sign) = header(headers, "api-sign") else {
        return Err(Rejection::new(Failure::MissingHeader("API-Sign"), "the API-Sign header is missing or empty"));
    };

    let text = body_nonce(request.body, header(headers, "content-type").as_deref())?;
    let nonce: u64 = text
        .parse()
        .map_err(|_| Rejection::new(Failure::Nonce, format!("nonce {text:?} is not an unsigned 64-bit integer")))?;
    let wire = WireTimestamp::parse(TimestampFormat::UnixMillis, &text)
        .map_err(|error| Rejection::new(Failure::Nonce, format!("nonce {text:?}: {error}")))?;

    let expected = signable(request.method, request.path, request.query.unwrap_or(""), request.body)
        .and_then(|signable| {
            account.signer().sign_at(&signable, &wire, &SignOptions::new().keep_prehash()).map_err(unsignable)
        })
        .map_err(|reason| Rejection::new(Failure::Signature, reason))?;
    // Kraken's prehash is binary (the path, then a SHA-256 digest); its SHA-256 input,
    // `nonce + body`, is what the client can compare.
    let prehash = expected.prehash().cloned();
    if !expected.signature_matches(&sign) {
        return Err(Rejection::new(
            Failure::Signature,
            "API-Sign does not match base64(HMAC-SHA512(base64_decode(secret), path + SHA256(nonce + body))): the \
             digest enters as its 32 raw bytes, the path is /0/private/… without the host, and the body is hashed \
             exactly as sent (cexsign_expected_prehash is the SHA-256 input, nonce + body)",
        )
        .with_prehash(prehash));
    }

    // A key keeps its highest nonce for good: one far ahead of any clock (u64::MAX) would lock
    // the key for the life of the server, so it is refused before it is recorded.
    let ceiling = nonce_ceiling(now);
    if nonce > ceiling {
        let reason = format!(
            "nonce {nonce} is above {ceiling}, this server's clock in nanoseconds plus a day: a nonce that far ahead \
             would lock the key (Kraken keeps the highest nonce a key used, and a new key is the only way back); \
             derive the nonce from the current time (milliseconds, as most SDKs do, or micro- or nanoseconds)"
        );
        return Err(Rejection::new(Failure::Nonce, reason).with_prehash(prehash));
    }
    // Only a request that verifies moves the key's nonce forward, as on Kraken.
    let mut nonces = state.kraken_nonces.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let last = nonces.entry(account.api_key().to_owned()).or_insert(0);
    if nonce <= *last {
        let reason = format!(
            "nonce {nonce} is not above {}, the last nonce this key used: use an always-increasing nonce (one \
             process per key; never go back from a 1e8-scale nonce to milliseconds)",
            *last
        );
        return Err(Rejection::new(Failure::Nonce, reason).with_prehash(prehash));
    }
    *last = nonce;
    Ok(Accepted { api_key: account.api_key().to_owned(), timestamp: text.into_owned() })
}

/// The highest nonce recorded: the clock in nanoseconds (the finest scale clients use) plus a day.
fn nonce_ceiling(now: Timestamp) -> u64 {
    const DAY_NANOS: u64 = 86_400 * 1_000_000_000;
    u64::try_from(now.unix_millis()).unwrap_or(u64::MAX).saturating_mul(1_000_000).saturating_add(DAY_NANOS)
}

/// The nonce the body carries, read as its `Content-Type` says (form or JSON; without one, by
/// the body's first character).
fn body_nonce<'b>(body: &'b [u8], content_type: Option<&str>) -> Result<Cow<'b, str>, Rejection> {
    let json = match content_type.map(str::to_ascii_lowercase) {
        Some(kind) if kind.contains("json") => true,
        Some(kind) if kind.contains("x-www-form-urlencoded") => false,
        _ => body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
    };
    let missing = |reason: String| Rejection::new(Failure::Nonce, reason);
    let shown = if json { "application/json" } else { "application/x-www-form-urlencoded" };
    if json {
        let object: serde_json::Map<String, Value> = serde_json::from_slice(body).map_err(|_| {
            missing(format!("the body is not a JSON object, but the request says {shown}: no nonce can be read"))
        })?;
        match object.get("nonce") {
            Some(Value::String(nonce)) => Ok(Cow::Owned(nonce.clone())),
            Some(Value::Number(nonce)) => Ok(Cow::Owned(nonce.to_string())),
            _ => Err(missing("the JSON body has no \"nonce\" (a string of digits)".to_owned())),
        }
    } else {
        let text = std::str::from_utf8(body).map_err(|_| missing("the form body is not UTF-8".to_owned()))?;
        let mut nonces = text.split('&').filter_map(|pair| pair.strip_prefix("nonce="));
        let nonce = nonces.next().ok_or_else(|| {
            let hint = if text.trim_start().starts_with('{') {
                ": the body is JSON but is read as a form (send Content-Type: application/json)"
            } else {
                ""
            };
            missing(format!("the form body has no nonce=… parameter{hint}"))
        })?;
        if nonces.next().is_some() {
            return Err(missing("the body carries two nonce parameters".to_owned()));
        }
        Ok(Cow::Borrowed(nonce))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_read_as_the_content_type_says() {
        let form = b"nonce=1700000000000&pair=XBTUSD";
        assert_eq!(body_nonce(form, None).unwrap(), "1700000000000");
        assert_eq!(body_nonce(form, Some("application/x-www-form-urlencoded")).unwrap(), "1700000000000");
        let json = br#"{"nonce":"1700000000001","orders":[]}"#;
        assert_eq!(body_nonce(json, None).unwrap(), "1700000000001");
        assert_eq!(body_nonce(json, Some("application/json; charset=utf-8")).unwrap(), "1700000000001");
        assert_eq!(body_nonce(br#"{"nonce":1700000000002}"#, None).unwrap(), "1700000000002");
        // JSON sent as a form, or the reverse: no nonce.
        let error = body_nonce(json, Some("application/x-www-form-urlencoded")).unwrap_err();
        assert!(error.reason.contains("Content-Type: application/json"), "{}", error.reason);
        assert_eq!(body_nonce(form, Some("application/json")).unwrap_err().failure, Failure::Nonce);
        assert_eq!(body_nonce(b"pair=XBTUSD", None).unwrap_err().failure, Failure::Nonce);
        assert_eq!(body_nonce(b"nonce=1&nonce=2", None).unwrap_err().failure, Failure::Nonce);
        assert_eq!(body_nonce(b"\xff", None).unwrap_err().failure, Failure::Nonce);
    }
}
