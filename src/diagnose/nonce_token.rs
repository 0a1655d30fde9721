//! The diagnosis of a bearer JWT that carries no time, only the key and a single-use nonce in
//! its claims ([`RestVerification::NonceToken`](crate::RestVerification::NonceToken)).
//!
//! The request as sent is signed again with the key's signer and the nonce the token carries:
//! the same token is correct. Otherwise the claims that differ are named, and a parameter hash
//! the key's signer would have written over the query as sent (still URL-encoded), or over the
//! parameters sorted, is recognised as that mistake.

use base64::Engine as _;
use serde_json::{Map, Value};
use sha2::Digest as _;

use super::{Context, Diagnosis, SentRequest, Target};
use crate::{Error, Method, NonceToken, SignOptions, SignableRequest, Timestamp, WsRequest};

fn invalid(problem: impl Into<String>) -> Error {
    Error::InvalidDiagnosisInput { problem: problem.into() }
}

fn claims_of(token: &str) -> Option<Map<String, Value>> {
    let claims = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn bearer(value: &str) -> Option<&str> {
    value.get(..7).filter(|p| p.eq_ignore_ascii_case("bearer ")).map(|_| value[7..].trim()).filter(|t| !t.is_empty())
}

/// Diagnoses the token `sent` carries, for an exchange checked as `check` says.
pub(crate) fn diagnose(ctx: &Context<'_>, sent: &SentRequest, check: &NonceToken) -> Result<Diagnosis, Error> {
    let value = sent
        .auth_value("authorization")
        .ok_or_else(|| invalid("the Authorization header was not given (or is empty): give the Bearer token sent"))?;
    let token = bearer(value).ok_or_else(|| invalid("the Authorization header is not `Bearer <jwt>`"))?;
    if token.split('.').count() != 3 {
        return Err(invalid("the token is not a JWT: expected three dot-separated parts (was it truncated?)"));
    }
    let claims = claims_of(token).ok_or_else(|| {
        invalid("the JWT claims are not unpadded base64url of a JSON object: was the token truncated?")
    })?;
    let nonce = claims.get(check.nonce).and_then(Value::as_str).filter(|nonce| !nonce.is_empty()).ok_or_else(|| {
        invalid(format!("the JWT claims carry no {:?}: every token needs a fresh nonce", check.nonce))
    })?;
    let options = SignOptions::new().keep_prehash().with_nonce(nonce);
    let at = Timestamp::from_unix_secs(0);
    let (expected, prehash) = match &sent.target {
        Target::Rest { method, path, query, body } => {
            let method: Method = method.parse()?;
            let (path, _) = super::wire_path(path)?;
            let request = SignableRequest::new(method, &path)?.with_query(query)?.with_body(body);
            let signed = ctx.signer.sign_with(&request, at, &options)?;
            let token = signed.header("authorization").and_then(bearer).unwrap_or_default().to_owned();
            (token, signed.prehash().cloned())
        }
        Target::Ws { .. } => {
            let auth = ctx.signer.sign_ws_with(&WsRequest::login(), at, &options)?;
            let token = auth.field("Authorization").and_then(bearer).unwrap_or_default().to_owned();
            (token, auth.prehash().cloned())
        }
    };
    if expected == token {
        return Ok(Diagnosis::correct(format!(
            "The token is the one the key's signer writes for this request with the nonce it carries. If {} \
             refused it, the nonce was used before (send a new one with every request and every retry) or the key \
             lacks the permission.",
            ctx.scheme.exchange().name
        )));
    }
    let wanted = claims_of(&expected).unwrap_or_default();
    let mut differing: Vec<String> = wanted
        .iter()
        .filter(|(name, value)| claims.get(name.as_str()) != Some(*value))
        .map(|(name, _)| name.clone())
        .chain(claims.keys().filter(|name| !wanted.contains_key(*name)).cloned())
        .collect();
    differing.sort_unstable();
    differing.dedup();
    if differing.is_empty() {
        return Ok(Diagnosis::unknown(
            prehash,
            vec!["Authorization".to_owned()],
            format!(
                "The claims are right but the signature is not ({}): the secret key differs from the one issued with \
                 this access key (used as text, not base64-decoded), or the header or claims are laid out otherwise \
                 than the compact JSON signed.",
                check.signature_layout
            ),
        ));
    }
    let sent_hash = claims.get("query_hash").and_then(Value::as_str).unwrap_or_default();
    let hint = hash_hint(sent, sent_hash);
    Ok(Diagnosis::unknown(
        prehash,
        differing.clone(),
        format!(
            "The claims {differing:?} differ from those the key's signer writes for this request (the expected \
             signing input is its header and claims).{hint}"
        ),
    ))
}

/// What a wrong parameter hash was taken over, where it is one of the known wrong inputs.
fn hash_hint(sent: &SentRequest, sent_hash: &str) -> &'static str {
    let Target::Rest { query, body, .. } = &sent.target else { return "" };
    let sha = |text: &[u8]| hex::encode(sha2::Sha512::digest(text));
    if sent_hash.is_empty() {
        return "";
    }
    if !query.is_empty() && sha(query.as_bytes()) == sent_hash {
        return " The query_hash sent is the SHA-512 of the query still URL-encoded: hash it decoded (pyupbit 0.2.34 \
                 hashes the encoded query).";
    }
    if !body.is_empty() && sha(body) == sent_hash {
        return " The query_hash sent is the SHA-512 of the body's JSON text: hash its fields as k=v&… in body order.";
    }
    let mut pairs: Vec<&str> = query.split('&').collect();
    pairs.sort_unstable();
    if pairs.len() > 1 && sha(pairs.join("&").as_bytes()) == sent_hash {
        return " The query_hash sent is over the parameters sorted: hash them in the order sent.";
    }
    ""
}
