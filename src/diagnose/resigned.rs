//! The diagnosis of a scheme that signs no request parts (no recipe) and no bearer token: a
//! canonical rendering its signer builds from the request (Backpack's sorted parameters under an
//! instruction name), or a digest of the body (Hyperliquid's EIP-712 action). No mistake can be
//! rebuilt by re-signing altered parts, so the request is checked as a whole by the key's own
//! signer, at the instant it carries:
//!
//! * a signature carried in headers (or websocket fields) is compared with every auth value the
//!   signer writes, and a difference reported with the string the exchange signs for the
//!   request as sent (the expected prehash), the exchange's pitfalls saying what usually differs;
//! * a signature carried as named fields of the body (an ECDSA `r`, `s`, `v`) is compared field
//!   by field, as a number where it is hex; given the whole body without its instant, the
//!   exchange's own `recover` ([`RestVerification::RecoveredSigner`]) says which key signed it.
//!
//! Where the home describes its clients' mistaken renderings ([`Renderings`]), a wrong signature
//! in headers (or in the body's own fields, Crypto.com's `sig`) is first looked for among them,
//! each of the catalogue's codes it declares: the key header (or field) carrying the secret,
//! before anything is signed; each mistaken rendering verified with the key's public key
//! (Backpack) or signed again with its secret (Crypto.com's HMAC); then the expected string
//! signed with the API key as the secret. Each verification or signature is charged to the
//! budget, and the search stops where the budget does.

use super::budget::Meter;
use super::hmac::ct_str_eq;
use super::{Context, Diagnosis, MistakeCode, SentRequest, Target, hmac::correct_explanation};
#[cfg(doc)]
use crate::exchange::Renderings;
use crate::exchange::{AuthNames, RestVerification};
use crate::{Credentials, Error, Method, Prehash, SignOptions, SignableRequest, WireTimestamp, WsRequest};

/// Diagnoses `sent` by signing it again with `ctx.signer`: where the scheme names auth headers,
/// the signature travels in them; else in the body.
pub(crate) fn diagnose(ctx: &Context<'_>, sent: &SentRequest, meter: &Meter) -> Result<Diagnosis, Error> {
    if ctx.scheme.exchange().rest_auth.is_some() { in_headers(ctx, sent, meter) } else { in_body(ctx, sent, meter) }
}

fn invalid(problem: impl Into<String>) -> Error {
    Error::InvalidDiagnosisInput { problem: problem.into() }
}

/// A hex number or a decimal as the exchange reads it: no `0x`, no leading zeros, lower case.
fn as_number(value: &str) -> String {
    let value = value.trim().to_ascii_lowercase();
    let digits = value.strip_prefix("0x").unwrap_or(&value);
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() }
}

/// A signature carried as named fields of the body (an ECDSA `r`, `s`, `v`).
fn in_body(ctx: &Context<'_>, sent: &SentRequest, meter: &Meter) -> Result<Diagnosis, Error> {
    let exchange = ctx.scheme.exchange();
    let reason = exchange.recipe.as_ref().err().map_or("", |not| not.reason);
    let Target::Rest { method, path, query, body } = &sent.target else {
        return Err(invalid(format!(
            "{} websocket messages are diagnosed as the REST request they carry: give that request",
            exchange.name
        )));
    };
    if let Some(timestamp) = sent.auth_value("timestamp") {
        let method: Method = method.parse()?;
        let request = SignableRequest::new(method, path)?.with_query(query)?.with_body(body);
        let wire = WireTimestamp::parse(ctx.signer.rest_timestamp_format(), timestamp)?;
        let expected = ctx.signer.sign_at(&request, &wire, &SignOptions::new().keep_prehash())?;
        if expected.signature_fields().next().is_none() {
            return Err(invalid(format!("{}: {reason}", exchange.name)));
        }
        let differing: Vec<String> = expected
            .signature_fields()
            .filter(|(name, value)| sent.auth_value(name).is_none_or(|sent| as_number(sent) != as_number(value)))
            .map(|(name, _)| name.to_owned())
            .collect();
        if differing.is_empty() {
            return Ok(Diagnosis::correct(correct_explanation(ctx.scheme)));
        }
        let explanation = format!(
            "The signature's {} differ from the key's own signature of this body at this nonce: what was signed is \
             not this body, this nonce and this key's settings (network, vault, expiry). {reason}. The expected \
             prehash is the signing input computed from the body as sent.",
            differing.join(", ")
        );
        return Ok(Diagnosis::unknown(expected.prehash().cloned(), differing, explanation));
    }
    let RestVerification::RecoveredSigner(recovered_signer) = exchange.rest_verification else {
        return Err(invalid(format!("{}: {reason}", exchange.name)));
    };
    // Without the secret (the local exchange's account, registered by its address), the API key
    // is the address.
    let key = match ctx.secrets.as_ref() {
        Some(secrets) => (recovered_signer.key_id)(&Credentials::new().secret(secrets.secret.to_owned()))?,
        None if ctx.api_key.is_empty() => {
            return Err(invalid(format!(
                "{} signatures are checked against the key's address: give the key's secret",
                exchange.name
            )));
        }
        None => ctx.api_key.to_owned(),
    };
    let recovered = (recovered_signer.recover)(body).map_err(|refused| invalid(refused.reason))?;
    let demo = ctx.settings.as_ref().is_some_and(|settings| settings.demo);
    let (signer, other) = if demo { (&recovered.demo, &recovered.live) } else { (&recovered.live, &recovered.demo) };
    if signer.eq_ignore_ascii_case(&key) {
        return Ok(Diagnosis::correct(correct_explanation(ctx.scheme)));
    }
    if let Some(found) = recovered_mistake(ctx, path, body, &key, meter) {
        return Ok(found);
    }
    let explanation = if other.eq_ignore_ascii_case(&key) {
        format!(
            "The body was signed by this key for the other environment ({}): sign with the key's own `demo` setting.",
            if demo { "live" } else { "demo" }
        )
    } else {
        format!(
            "The signature recovers to {signer}, not to the key's {key}: the digest signed is not the one computed \
             from the body as sent (re-serialised after signing, or signed with other settings). {reason}."
        )
    };
    Ok(Diagnosis::unknown(None, vec!["signature".to_owned()], explanation))
}

/// The first of the catalogue's mistakes the home declares whose rendering the body's signature
/// recovers to `address` over, where the home describes its clients' mistaken renderings (each a
/// hash, checked by recovery, charged to the budget).
fn recovered_mistake(ctx: &Context<'_>, path: &str, body: &[u8], address: &str, meter: &Meter) -> Option<Diagnosis> {
    let renderings = ctx.scheme.exchange().diagnosis.renderings?;
    let text = std::str::from_utf8(body).ok()?;
    let request = SignableRequest::new(Method::Post, path).ok()?.with_body(body);
    let candidates = (renderings.candidates)(&request, "")
        .into_iter()
        .filter(|(code, ..)| code.applies_to_rest(ctx.scheme))
        .map(|(code, hash, what)| (hash, (code, what)));
    let candidates = candidates.map(|(hash, (code, what))| ((code, hash), (code, what)));
    let recovers = |(code, hash): &(MistakeCode, String)| {
        meter.candidate(body.len())
            && meter.asymmetric()
            && (renderings.verifies)(*code, address, None, hash.as_bytes(), text)
    };
    let (code, what) = meter.first(candidates, recovers)?;
    Some(Diagnosis::mistake(code, Some(what.to_owned())))
}

/// A signature carried in headers (or websocket fields): the request signed again at the
/// timestamp it carries, every auth value compared.
fn in_headers(ctx: &Context<'_>, sent: &SentRequest, meter: &Meter) -> Result<Diagnosis, Error> {
    let names = super::hmac::names(ctx.scheme, sent.is_ws());
    let missing = |what: &str| Error::InvalidDiagnosisInput {
        problem: format!("the {what} ({}) was not given: give every auth value as sent", names.timestamp),
    };
    // Where the body carries the auth values as its own fields, they are read there when not given.
    let signed_body = matches!(ctx.scheme.exchange().rest_verification, RestVerification::SignedBody(_));
    let value_of = |name: &str| -> Option<String> {
        sent.auth_value(name).map(str::to_owned).or_else(|| match &sent.target {
            Target::Rest { body, .. } if signed_body => crate::exchange::body_field(body, name),
            _ => None,
        })
    };
    if let Some(found) = key_carries_secret(ctx, sent, &names, &value_of) {
        return Ok(found);
    }
    let timestamp = value_of(names.timestamp).ok_or_else(|| missing("timestamp"))?;
    let timestamp = timestamp.as_str();
    let options = SignOptions::new().keep_prehash();
    let (expected, prehash): (Vec<(String, String)>, _) = match &sent.target {
        Target::Rest { method, path, query, body } => {
            let method: Method = method.parse()?;
            let (path, _) = super::wire_path(path)?;
            let request = SignableRequest::new(method, &path)?.with_query(query)?.with_body(body);
            let wire = WireTimestamp::parse(ctx.signer.rest_timestamp_format(), timestamp)?;
            let signed = ctx.signer.sign_at(&request, &wire, &options)?;
            // A signature the body carries as a field of its own is compared as an auth value.
            let values = signed
                .headers()
                .map(|(name, value)| (name.as_str().to_owned(), value.to_owned()))
                .chain(signed.signature_fields().map(|(name, value)| (name.to_owned(), value.to_owned())))
                .collect();
            (values, signed.prehash().cloned())
        }
        Target::Ws { channels, product_ids, .. } => {
            let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
            let product_ids: Vec<&str> = product_ids.iter().map(String::as_str).collect();
            let mut request = WsRequest::subscribe(&channels, &product_ids);
            // A message id given among the auth values is signed as sent (Crypto.com's public/auth).
            let id = value_of("id");
            if let Some(id) = id.as_deref() {
                request = request.with_id(id);
            }
            let wire = WireTimestamp::parse(ctx.signer.ws_timestamp_format(), timestamp)?;
            let auth = ctx.signer.sign_ws_at(&request, &wire, &options)?;
            let values = auth.fields().iter().map(|f| (f.name().to_owned(), f.value().to_owned())).collect();
            (values, auth.prehash().cloned())
        }
    };
    let differing: Vec<String> = expected
        .iter()
        .filter(|(name, value)| value_of(name).as_deref() != Some(value.as_str()))
        .map(|(name, _)| name.clone())
        .collect();
    if differing.is_empty() {
        return Ok(Diagnosis::correct(super::hmac::correct_explanation(ctx.scheme)));
    }
    if let Some(found) = named_mistake(ctx, sent, &names, &value_of, prehash.as_ref(), meter) {
        return Ok(found);
    }
    let mut explanation = format!(
        "{} differ from what the key signs for this request as sent; compare the string you signed with the \
         expected prehash.",
        differing.join(", ")
    );
    // A known wrong way of signing the body, named by the exchange's home.
    if let (RestVerification::SignedBody(check), Some(secrets), Target::Rest { body, .. }) =
        (ctx.scheme.exchange().rest_verification, ctx.secrets.as_ref(), &sent.target)
    {
        let credentials = Credentials::new().api_key(ctx.api_key.to_owned()).secret(secrets.secret.to_owned());
        if let Some(mistake) = (check.mistake)(&credentials, body) {
            // What was found first: it is the fix.
            explanation = format!("{mistake} {explanation}");
        }
    }
    if meter.spent().cut_short {
        explanation.push_str(
            " The search was cut short by its budget (candidates, bytes hashed or asymmetric operations): some \
             mistakes of the catalogue were not tried for this request.",
        );
    }
    let pitfalls = ctx.scheme.exchange().diagnosis.pitfalls;
    if !pitfalls.is_empty() {
        explanation.push(' ');
        explanation.push_str(pitfalls);
    }
    Ok(Diagnosis::unknown(prehash, differing, explanation))
}

/// The first of the catalogue's mistakes the home declares that reproduces a wrong REST
/// signature, where the home describes its clients' mistaken renderings.
fn named_mistake(
    ctx: &Context<'_>,
    sent: &SentRequest,
    names: &AuthNames,
    value_of: &dyn Fn(&str) -> Option<String>,
    expected: Option<&Prehash>,
    meter: &Meter,
) -> Option<Diagnosis> {
    let renderings = ctx.scheme.exchange().diagnosis.renderings?;
    let Target::Rest { method, path, query, body } = &sent.target else { return None };
    let declared = |code: MistakeCode| code.applies_to_rest(ctx.scheme);
    let swapped = MistakeCode::KeySecretSwapped;
    let secret = ctx.secrets.as_ref().map(|secrets| secrets.secret);
    let signature = value_of(names.signature)?;
    let signature = signature.as_str();
    let expected = expected?.as_str()?;
    let method: Method = method.parse().ok()?;
    let (path, _) = super::wire_path(path).ok()?;
    let request = SignableRequest::new(method, &path).ok()?.with_query(query).ok()?.with_body(body);
    let candidates = (renderings.candidates)(&request, expected)
        .into_iter()
        .filter(|(code, ..)| declared(*code))
        .map(|(code, text, what)| ((code, text), (code, what)));
    let charge = |bytes: usize| meter.candidate(bytes) && (!renderings.asymmetric || meter.asymmetric());
    let verifies = |(code, text): &(MistakeCode, String)| {
        charge(text.len()) && (renderings.verifies)(*code, ctx.api_key, secret, text.as_bytes(), signature)
    };
    if let Some((code, what)) = meter.first(candidates, verifies) {
        return Some(Diagnosis::mistake(code, Some(what.to_owned())));
    }
    let with_api_key = declared(swapped)
        && charge(expected.len())
        && (renderings.signed_with_api_key)(ctx.api_key, expected.as_bytes())
            .is_some_and(|made| ct_str_eq(&made, signature));
    with_api_key.then(|| Diagnosis::mistake(swapped, Some("signed with the API key taken for the secret".to_owned())))
}

/// The key header (or body field) carrying the secret, where the home describes its clients'
/// mistaken renderings and declares the swap: told before the request is signed again, which a
/// signer that reads the key from the body refuses for another key.
fn key_carries_secret(
    ctx: &Context<'_>,
    sent: &SentRequest,
    names: &AuthNames,
    value_of: &dyn Fn(&str) -> Option<String>,
) -> Option<Diagnosis> {
    ctx.scheme.exchange().diagnosis.renderings?;
    let Target::Rest { .. } = &sent.target else { return None };
    let swapped = MistakeCode::KeySecretSwapped;
    let secret = ctx.secrets.as_ref()?.secret;
    if !swapped.applies_to_rest(ctx.scheme) || !ct_str_eq(secret, &value_of(names.key)?) {
        return None;
    }
    let carrier = match ctx.scheme.exchange().rest_verification {
        RestVerification::SignedBody(_) => "body field",
        _ => "header",
    };
    Some(Diagnosis::mistake(swapped, Some(format!("the {} {carrier} carries the secret", names.key))))
}
