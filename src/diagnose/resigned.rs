//! The diagnosis of schemes whose signature is no [`Recipe`](crate::recipe::Recipe) of request
//! parts and no bearer token: a canonical rendering the scheme's signer builds from the request
//! (sorted parameters under a call name, say), described by its
//! [`NotARecipe`](crate::recipe::NotARecipe).
//!
//! The request as sent is signed again with the key's signer, at the timestamp it carries, and
//! every auth value compared with the one sent. A signature that differs is reported with the
//! string the exchange signs for the request as sent (the expected prehash), to compare with the
//! client's; no catalogue mistake is rebuilt (the catalogue's variants are variants of request
//! parts), the exchange's pitfalls saying what usually differs.

use super::{Context, Diagnosis, SentRequest, Target};
use crate::{Error, Method, SignOptions, SignableRequest, WireTimestamp, WsRequest};

/// Diagnoses `sent` by signing it again with `ctx.signer`.
pub(super) fn diagnose(ctx: &Context<'_>, sent: &SentRequest) -> Result<Diagnosis, Error> {
    let names = super::hmac::names(ctx.scheme, sent.is_ws());
    let missing = |what: &str| Error::InvalidDiagnosisInput {
        problem: format!("the {what} ({}) was not given: give every auth value as sent", names.timestamp),
    };
    let timestamp = sent.auth_value(names.timestamp).ok_or_else(|| missing("timestamp"))?;
    let options = SignOptions::new().keep_prehash();
    let (expected, prehash): (Vec<(String, String)>, _) = match &sent.target {
        Target::Rest { method, path, query, body } => {
            let method: Method = method.parse()?;
            let (path, _) = super::wire_path(path)?;
            let request = SignableRequest::new(method, &path)?.with_query(query)?.with_body(body);
            let wire = WireTimestamp::parse(ctx.signer.rest_timestamp_format(), timestamp)?;
            let signed = ctx.signer.sign_at(&request, &wire, &options)?;
            let values = signed.headers().map(|(name, value)| (name.as_str().to_owned(), value.to_owned())).collect();
            (values, signed.prehash().cloned())
        }
        Target::Ws { channels, product_ids, .. } => {
            let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
            let product_ids: Vec<&str> = product_ids.iter().map(String::as_str).collect();
            let request = WsRequest::subscribe(&channels, &product_ids);
            let wire = WireTimestamp::parse(ctx.signer.ws_timestamp_format(), timestamp)?;
            let auth = ctx.signer.sign_ws_at(&request, &wire, &options)?;
            let values = auth.fields().iter().map(|f| (f.name().to_owned(), f.value().to_owned())).collect();
            (values, auth.prehash().cloned())
        }
    };
    let differing: Vec<String> = expected
        .iter()
        .filter(|(name, value)| sent.auth_value(name) != Some(value.as_str()))
        .map(|(name, _)| name.clone())
        .collect();
    if differing.is_empty() {
        return Ok(Diagnosis::correct(super::hmac::correct_explanation(ctx.scheme)));
    }
    let mut explanation = format!(
        "{} differ from what the key signs for this request as sent; compare the string you signed with the \
         expected prehash.",
        differing.join(", ")
    );
    let pitfalls = ctx.scheme.exchange().diagnosis.pitfalls;
    if !pitfalls.is_empty() {
        explanation.push(' ');
        explanation.push_str(pitfalls);
    }
    Ok(Diagnosis::unknown(prehash, differing, explanation))
}
