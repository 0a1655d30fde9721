//! The diagnosis of a scheme that signs no request parts (no recipe) and sends its signature as
//! named fields of the body (an ECDSA `r`, `s`, `v`): no mistake can be rebuilt by re-signing
//! altered parts, so the request is checked as a whole.
//!
//! Given the body as signed and the instant it was signed at (a `timestamp` among the sent
//! values, with the signature's fields), the key's signer signs it again and each field is
//! compared, as a number where it is hex. Given the whole body as sent, the exchange's own
//! `recover` ([`RestVerification::RecoveredSigner`]) says which key signed it, compared with the
//! key's own id.

use super::{Context, Diagnosis, SentRequest, Target, hmac::correct_explanation};
use crate::exchange::RestVerification;
use crate::{Credentials, Error, Method, SignOptions, SignableRequest, WireTimestamp};

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

pub(crate) fn diagnose(ctx: &Context<'_>, sent: &SentRequest) -> Result<Diagnosis, Error> {
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
    let secrets = ctx.secrets.as_ref().ok_or_else(|| {
        invalid(format!("{} signatures are checked against the key's address: give the key's secret", exchange.name))
    })?;
    let key = (recovered_signer.key_id)(&Credentials::new().secret(secrets.secret.to_owned()))?;
    let recovered = (recovered_signer.recover)(body).map_err(|refused| invalid(refused.reason))?;
    let demo = ctx.settings.as_ref().is_some_and(|settings| settings.demo);
    let (signer, other) = if demo { (&recovered.demo, &recovered.live) } else { (&recovered.live, &recovered.demo) };
    if signer.eq_ignore_ascii_case(&key) {
        return Ok(Diagnosis::correct(correct_explanation(ctx.scheme)));
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
