//! The diagnosis of a bearer JWT that carries no time, only the key and a single-use nonce in
//! its claims ([`RestVerification::NonceToken`](crate::RestVerification::NonceToken)).
//!
//! The request as sent is signed again with the key's signer and the nonce the token carries:
//! the same token is correct. Otherwise the catalogue's mistakes the exchange's home declares are
//! looked for: a parameter hash over the query as sent (still URL-encoded), over the parameters
//! sorted, or over a body's JSON text; with the raw secret, a key claim that is the secret, and
//! right claims signed with the secret decoded or with the API key. A handful of hashes of the
//! request as sent, whatever its size. Else the claims that differ are named.

use base64::Engine as _;
use serde_json::{Map, Value};
use sha2::Digest as _;

use hmac::{KeyInit as _, Mac as _};

use super::hmac::ct_str_eq;
use super::{Context, Diagnosis, MistakeCode, SentRequest, Target};
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
    let declared = |code: MistakeCode| code.applies_to(ctx.scheme);
    let key_claim = claims.get(check.key).and_then(Value::as_str).unwrap_or_default();
    if let Some(secrets) = &ctx.secrets {
        if declared(MistakeCode::KeySecretSwapped) && ct_str_eq(secrets.secret, key_claim) {
            let found = format!("the {} claim is the secret", check.key);
            return Ok(Diagnosis::mistake(MistakeCode::KeySecretSwapped, Some(found)));
        }
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
        if let Some((code, found)) = signing_key_mistake(ctx, token).filter(|(code, _)| declared(*code)) {
            return Ok(Diagnosis::mistake(code, Some(found.to_owned())));
        }
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
    if let Some((code, found)) = hash_mistake(sent, sent_hash).filter(|(code, _)| declared(*code)) {
        return Ok(Diagnosis::mistake(code, Some(found.to_owned())));
    }
    Ok(Diagnosis::unknown(
        prehash,
        differing.clone(),
        format!(
            "The claims {differing:?} differ from those the key's signer writes for this request (the expected \
             signing input is its header and claims)."
        ),
    ))
}

/// Which wrong key signed the token's own header and claims, with the raw secret: the secret
/// decoded (base64) or the API key. The token's `alg` names the HMAC (HS256 or HS512).
fn signing_key_mistake(ctx: &Context<'_>, token: &str) -> Option<(MistakeCode, &'static str)> {
    let secrets = ctx.secrets.as_ref()?;
    let (input, signature) = token.rsplit_once('.')?;
    let header = token.split('.').next()?;
    let header: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    let mac = |key: &[u8]| -> Option<String> {
        let bytes = match header.get("alg").and_then(Value::as_str)? {
            "HS256" => hmac::Hmac::<sha2::Sha256>::new_from_slice(key)
                .ok()?
                .chain_update(input)
                .finalize()
                .into_bytes()
                .to_vec(),
            "HS512" => hmac::Hmac::<sha2::Sha512>::new_from_slice(key)
                .ok()?
                .chain_update(input)
                .finalize()
                .into_bytes()
                .to_vec(),
            _ => return None,
        };
        Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    };
    let decodings = super::rewrite::secret_decodings(secrets.secret);
    if decodings.iter().any(|key| mac(key).is_some_and(|m| ct_str_eq(&m, signature))) {
        return Some((MistakeCode::SecretBase64Decoded, "the token was signed with the secret base64-decoded"));
    }
    if mac(ctx.api_key.as_bytes()).is_some_and(|m| ct_str_eq(&m, signature)) {
        return Some((MistakeCode::KeySecretSwapped, "the token was signed with the API key as the HMAC key"));
    }
    None
}

/// What a wrong parameter hash was taken over, where it is one of the known wrong inputs: the
/// query still URL-encoded (as sent, or with only its `[]` decoded), the parameters sorted, a
/// body's JSON text.
fn hash_mistake(sent: &SentRequest, sent_hash: &str) -> Option<(MistakeCode, &'static str)> {
    let Target::Rest { query, body, .. } = &sent.target else { return None };
    if sent_hash.is_empty() {
        return None;
    }
    let sha = |text: &[u8]| hex::encode(sha2::Sha512::digest(text));
    let query = query.strip_prefix('?').unwrap_or(query);
    if !query.is_empty() {
        let brackets_decoded = query.replace("%5B", "[").replace("%5D", "]");
        if [query, brackets_decoded.as_str()].iter().any(|q| sha(q.as_bytes()) == sent_hash) {
            return Some((
                MistakeCode::QuerySignedEncoded,
                "the query_hash is the SHA-512 of the query still URL-encoded (pyupbit 0.2.34 hashes it so)",
            ));
        }
        let sorted = |text: &str| {
            let mut pairs: Vec<&str> = text.split('&').collect();
            pairs.sort_unstable();
            (pairs.len() > 1).then(|| pairs.join("&"))
        };
        let decoded = crate::decode_query(query).ok();
        let candidates = [sorted(query), decoded.as_deref().and_then(sorted)];
        if candidates.iter().flatten().any(|q| sha(q.as_bytes()) == sent_hash) {
            return Some((MistakeCode::QueryOrderDiffers, "the query_hash is over the parameters sorted by name"));
        }
    }
    if !body.is_empty() && sha(body) == sent_hash {
        return Some((
            MistakeCode::BodyReserialized,
            "the query_hash is the SHA-512 of the body's JSON text, not of its fields as k=v&… in body order",
        ));
    }
    None
}
