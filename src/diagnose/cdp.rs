//! The diagnosis of Coinbase CDP tokens (`Authorization: Bearer <jwt>`, or a websocket `jwt`
//! field).
//!
//! A token's "signature" is the whole token: it is decoded, its signature verified with the
//! key's public key (ES256 as raw `r‖s`, or Ed25519), and its claims compared with what the
//! official SDK puts there for this request. The checks run in catalogue order:
//! `jwt-signature-der`, `jwt-kid-not-full-name`, `timestamp-milliseconds-for-seconds` (`nbf`),
//! then the `uri` claim (`jwt-uri-has-query`, `jwt-uri-lowercase-method`, `jwt-uri-has-scheme`,
//! `jwt-uri-wrong-host`, `path-missing-leading-slash`, `jwt-uri-other-endpoint`). A token that
//! does not verify with the key at all is `Unknown`: nothing in it can be trusted.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::catalogue::MistakeCode;
use super::{Context, Diagnosis, SentRequest, Target};
use crate::{CdpKeyType, Error, Method, Prehash};

/// A CDP key as a verifier sees it: its type and public key.
#[derive(Debug, Clone)]
pub struct CdpPublicKey {
    /// ES256 or Ed25519.
    pub key_type: CdpKeyType,
    /// Uncompressed SEC1 point (ES256) or the 32-byte Ed25519 key, as
    /// [`CoinbaseCdpSigner::public_key`](crate::CoinbaseCdpSigner::public_key) gives it.
    pub public_key: Vec<u8>,
}

impl CdpPublicKey {
    /// The public key of the CDP key in `credentials` (its secret is the private key).
    pub(crate) fn of(credentials: &crate::Credentials) -> Result<Self, Error> {
        let signer = crate::CoinbaseCdpSigner::new(credentials)?;
        Ok(Self { key_type: signer.key_type(), public_key: signer.public_key() })
    }
}

/// Verifies a JWS signature (ES256 raw `r‖s`, or Ed25519) over `message` with a CDP public key
/// as [`CoinbaseCdpSigner::public_key`](crate::CoinbaseCdpSigner::public_key) gives it. The one
/// JWS check of the crate: the local exchange's verifier calls it too.
pub fn verify_jws(key_type: CdpKeyType, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let algorithm: &dyn ring::signature::VerificationAlgorithm = match key_type {
        CdpKeyType::Es256 => &ring::signature::ECDSA_P256_SHA256_FIXED,
        CdpKeyType::EdDsa => &ring::signature::ED25519,
    };
    ring::signature::UnparsedPublicKey::new(algorithm, public_key).verify(message, signature).is_ok()
}

/// Whether `signature` is a DER-encoded ES256 signature over `message` by `key`.
fn verifies_as_der(key: &CdpPublicKey, message: &[u8], signature: &[u8]) -> bool {
    key.key_type == CdpKeyType::Es256
        && ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, &key.public_key)
            .verify(message, signature)
            .is_ok()
}

/// The `kid` of a token's header, when the token has a decodable header naming one (to find
/// the key a rejected token claims to be from).
pub fn token_kid(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    decode_json(header, "header").ok()?.get("kid")?.as_str().map(str::to_owned)
}

fn invalid(problem: impl Into<String>) -> Error {
    Error::InvalidDiagnosisInput { problem: problem.into() }
}

fn decode_json(part: &str, what: &str) -> Result<Map<String, Value>, Error> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| invalid(format!("the JWT {what} is not unpadded base64url: was the token truncated?")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid(format!("the JWT {what} is not a JSON object: was the token truncated?"))),
    }
}

/// The token sent: the bearer token (REST) or the `jwt` field (websocket).
fn sent_token(sent: &SentRequest, ws: bool) -> Result<&str, Error> {
    if ws {
        return sent
            .auth_value("jwt")
            .ok_or_else(|| invalid("the jwt field was not given (or is empty): give the token that was sent"));
    }
    let value = sent
        .auth_value("authorization")
        .ok_or_else(|| invalid("the Authorization header was not given (or is empty): give the Bearer token sent"))?;
    let token = value.get(..7).filter(|p| p.eq_ignore_ascii_case("bearer ")).map(|_| value[7..].trim());
    token.filter(|t| !t.is_empty()).ok_or_else(|| invalid("the Authorization header is not `Bearer <jwt>`"))
}

/// The claims JSON the official SDK writes, in its order.
fn expected_claims(key_name: &str, nbf: u64, exp: u64, uri: Option<&str>) -> String {
    let text = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut json = format!("{{\"sub\":{},\"iss\":\"cdp\",\"nbf\":{nbf},\"exp\":{exp}", text(key_name));
    if let Some(uri) = uri {
        json.push_str(&format!(",\"uri\":{}", text(uri)));
    }
    json.push('}');
    json
}

/// Diagnoses a CDP token with `ctx`.
pub(crate) fn diagnose(ctx: &Context<'_>, sent: &SentRequest) -> Result<Diagnosis, Error> {
    let key = ctx
        .cdp_key
        .as_ref()
        .ok_or_else(|| invalid("no public key for this Coinbase CDP key (internal: built without the signer)"))?;
    let ws = sent.is_ws();
    let field = if ws { "jwt" } else { "Authorization" };
    let token = sent_token(sent, ws)?;
    let parts: Vec<&str> = token.split('.').collect();
    let &[header_part, claims_part, signature_part] = parts.as_slice() else {
        return Err(invalid(format!(
            "the token is not a JWT: expected three dot-separated parts, found {}",
            parts.len()
        )));
    };
    let header = decode_json(header_part, "header")?;
    let claims = decode_json(claims_part, "claims")?;
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signature_part)
        .map_err(|_| invalid("the JWT signature is not unpadded base64url: was the token truncated?"))?;
    let signing_input = &token.as_bytes()[..header_part.len() + 1 + claims_part.len()];
    let key_name = ctx.api_key;
    let string = |map: &Map<String, Value>, name: &str| map.get(name).and_then(Value::as_str).map(str::to_owned);

    // What the token should have been: the sent header, the SDK's claims for this request.
    let (method, path) = match &sent.target {
        Target::Rest { method, path, .. } => {
            let method: Method = method.parse()?;
            (Some(method), Some(super::wire_path(path)?.0))
        }
        Target::Ws { .. } => (None, None),
    };
    let main_host = ctx.scheme.exchange().hosts.first().copied().unwrap_or_default();
    let host = ctx.hosts.first().map_or(main_host, String::as_str);
    let expected_uri = match (method, &path) {
        (Some(method), Some(path)) => Some(format!("{} {host}{path}", method.as_str())),
        _ => None,
    };
    let nbf = claims.get("nbf").and_then(Value::as_u64);
    let exp = claims.get("exp").and_then(Value::as_u64);
    let unknown = |differing: Vec<String>, why: String| {
        let expected = nbf.map(|nbf| {
            let claims = expected_claims(key_name, nbf, nbf.saturating_add(120), expected_uri.as_deref());
            let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims);
            Prehash::new(format!("{header_part}.{b64}").into_bytes())
        });
        Diagnosis::unknown(
            expected,
            differing,
            format!(
                "{why} The expected JWS signing input keeps the header sent and carries the claims the official SDK \
                 writes for this request (sub = kid = the key name, iss \"cdp\", exp = nbf + 120{}).",
                expected_uri.as_deref().map(|uri| format!(", uri \"{uri}\"")).unwrap_or_default()
            ),
        )
    };

    // 1. The signature, with the key's public key.
    if !verify_jws(key.key_type, &key.public_key, signing_input, &signature) {
        if verifies_as_der(key, signing_input, &signature) {
            return Ok(Diagnosis::mistake(MistakeCode::JwtSignatureDer, Some(format!("{} bytes", signature.len()))));
        }
        if signature.len() != 64 {
            return Err(invalid(format!(
                "the JWT signature is {} bytes, not the 64 of an ES256 (r||s) or Ed25519 signature: was the token \
                 truncated?",
                signature.len()
            )));
        }
        let alg = string(&header, "alg").unwrap_or_default();
        let hint = if alg != key.key_type.alg() {
            format!(" Its header says alg {alg:?}, but this key is an {} key.", key.key_type.alg())
        } else {
            String::new()
        };
        return Ok(unknown(
            vec![field.to_owned()],
            format!(
                "The token's signature does not verify with this key's public key: it was signed with another key \
                 (check that the key name and the private key come from the same key file) or altered after \
                 signing.{hint}"
            ),
        ));
    }

    // 2. The key name in kid and sub.
    let kid = string(&header, "kid").unwrap_or_default();
    let sub = string(&claims, "sub").unwrap_or_default();
    for (name, value) in [("kid", &kid), ("sub", &sub)] {
        if value != key_name {
            if !value.is_empty() && key_name.ends_with(&format!("/apiKeys/{value}")) {
                return Ok(Diagnosis::mistake(
                    MistakeCode::JwtKidNotFullName,
                    Some(format!("{name} is the bare key id")),
                ));
            }
            return Ok(unknown(
                vec![name.to_owned()],
                format!("The token's {name} is not the key name given with the private key."),
            ));
        }
    }

    // 3. nbf in seconds.
    let Some(nbf_value) = nbf else {
        return Ok(unknown(vec!["nbf".to_owned()], "The token has no integer nbf claim (Unix seconds).".to_owned()));
    };
    if nbf_value >= 100_000_000_000 {
        return Ok(Diagnosis::mistake(
            MistakeCode::TimestampMillisecondsForSeconds,
            Some(format!("nbf is {nbf_value}")),
        ));
    }

    // 4. The uri claim.
    match (&expected_uri, string(&claims, "uri"), method, &path) {
        (Some(expected), Some(uri), Some(method), Some(path)) => {
            let right = ctx.hosts.iter().any(|host| uri == format!("{} {host}{path}", method.as_str()));
            if !right {
                if let Some(code) = uri_mistake(&uri, method.as_str(), path, &ctx.hosts) {
                    return Ok(Diagnosis::mistake(code, Some(format!("uri is {uri:?}, expected {expected:?}"))));
                }
                return Ok(unknown(
                    vec!["uri".to_owned()],
                    format!("The token's uri is {uri:?}, expected {expected:?}."),
                ));
            }
        }
        (Some(_), None, _, _) => {
            return Ok(unknown(
                vec!["uri".to_owned()],
                "The token has no uri claim (a websocket token sent to a REST endpoint?): REST tokens carry \
                 `METHOD host path`."
                    .to_owned(),
            ));
        }
        (None, Some(_), _, _) => {
            return Ok(unknown(
                vec!["uri".to_owned()],
                "The websocket token carries a uri claim; websocket tokens are built without a request (no uri)."
                    .to_owned(),
            ));
        }
        _ => {}
    }

    // 5. The rest of the SDK's layout.
    let iss = string(&claims, "iss").unwrap_or_default();
    if iss != "cdp" {
        return Ok(unknown(
            vec!["iss".to_owned()],
            format!("The token's iss is {iss:?}; the official SDK sends \"cdp\" (older SDKs sent \"coinbase-cloud\")."),
        ));
    }
    match exp {
        Some(exp) if exp > nbf_value && exp - nbf_value <= 120 => {}
        _ => {
            return Ok(unknown(
                vec!["exp".to_owned()],
                "The token's exp is missing or not between nbf + 1 and nbf + 120 (Coinbase's maximum lifetime)."
                    .to_owned(),
            ));
        }
    }
    Ok(Diagnosis::correct(super::hmac::correct_explanation(ctx.scheme)))
}

/// The catalogue entry a wrong `uri` claim matches, if any: `sent` against the expected
/// `METHOD host path` for each allowed host.
fn uri_mistake(sent: &str, method: &str, path: &str, hosts: &[String]) -> Option<MistakeCode> {
    let (sent_method, rest) = sent.split_once(' ')?;
    let right_target = |target: &str| hosts.iter().any(|host| target == format!("{host}{path}"));
    if sent_method == method {
        if let Some((target, _)) = rest.split_once('?') {
            if right_target(target) {
                return Some(MistakeCode::JwtUriHasQuery);
            }
        }
    }
    if sent_method != method && sent_method.eq_ignore_ascii_case(method) && right_target(rest) {
        return Some(MistakeCode::JwtUriLowercaseMethod);
    }
    if sent_method == method {
        for scheme in ["https://", "http://"] {
            if rest.strip_prefix(scheme).is_some_and(right_target) {
                return Some(MistakeCode::JwtUriHasScheme);
            }
        }
        if let Some(host) = rest.strip_suffix(path) {
            if !host.is_empty() && !host.contains('/') && !hosts.iter().any(|h| h == host) {
                return Some(MistakeCode::JwtUriWrongHost);
            }
        }
        if hosts.iter().any(|host| rest == format!("{host}{}", &path[1..])) {
            return Some(MistakeCode::PathMissingLeadingSlash);
        }
    }
    // The right host, another method or path: a token built for another request.
    let other_target = hosts.iter().any(|host| rest.strip_prefix(host.as_str()).is_some_and(|p| p.starts_with('/')));
    other_target.then_some(MistakeCode::JwtUriOtherEndpoint)
}
