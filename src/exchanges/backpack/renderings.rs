//! Backpack's mistaken signing strings (AUTH-breadth.md §10, "Common mistakes"), as the
//! diagnosis looks for them: a short fixed list of renderings of a request that clients are known
//! to sign instead of Backpack's, each verified against the signature sent with the key's public
//! key (the API key), and the signature the API key makes when used as the seed.

use super::signer::INSTRUCTIONS;
use crate::SignableRequest;
use crate::diagnose::MistakeCode as M;
use crate::exchange::Renderings;

/// What the diagnosis reads to name Backpack's mistakes.
pub(super) const RENDERINGS: Renderings =
    Renderings { candidates, verifies, asymmetric: true, signed_with_api_key, signer: None };

/// The expected signing string cut into `instruction=<call>&`, the sorted parameters (each
/// followed by `&`) and `timestamp=…&window=…`; `None` for a batch (several instructions).
fn parts(expected: &str) -> Option<(&str, &str, &str)> {
    let rest = expected.strip_prefix("instruction=")?;
    let call_end = rest.find('&')? + "instruction=".len() + 1;
    let tail_at = expected.rfind("timestamp=")?;
    if tail_at < call_end || expected[call_end..].contains("instruction=") {
        return None;
    }
    Some((&expected[..call_end], &expected[call_end..tail_at], &expected[tail_at..]))
}

/// `k=v&…&` pairs (each followed by `&`) as a list.
fn pairs(params: &str) -> Vec<&str> {
    params.split_terminator('&').collect()
}

fn name(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(name, _)| name)
}

/// The renderings clients sign by mistake: another instruction (the same path's under another
/// method, or ccxt's empty one), booleans as Python writes them, `timestamp` and `window` not
/// last, the parameters in the order sent, the values still percent-encoded.
fn candidates(request: &SignableRequest<'_>, expected: &str) -> Vec<(M, String, &'static str)> {
    let mut out = Vec::new();
    let Some((call, params, tail)) = parts(expected) else { return out };
    let own = &call["instruction=".len()..call.len() - 1];
    let others = INSTRUCTIONS
        .iter()
        .filter(|(_, path, name)| *path == request.path() && *name != own)
        .map(|(_, _, name)| *name)
        .chain(std::iter::once(""));
    for other in others {
        let text = format!("instruction={other}&{params}{tail}");
        let what = if other.is_empty() {
            "the instruction signed is empty (ccxt looks it up by a lower-case method)"
        } else {
            "the instruction signed is another method's on this path"
        };
        out.push((M::InstructionWrong, text, what));
    }
    let pythonic = format!("&{params}").replace("=true&", "=True&").replace("=false&", "=False&");
    if pythonic[1..] != *params {
        out.push((M::BooleanCapitalized, format!("{call}{}{tail}", &pythonic[1..]), "booleans signed as True/False"));
    }
    if !params.is_empty() {
        let what = "timestamp and window signed before the parameters, not last";
        out.push((M::PrehashOrderWrong, format!("{call}{tail}&{}", params.trim_end_matches('&')), what));
        let mut all = pairs(params);
        all.extend(tail.split('&'));
        all.sort_by_key(|pair| name(pair));
        let what = "timestamp and window sorted among the parameters, not last";
        out.push((M::PrehashOrderWrong, format!("{call}{}", all.join("&")), what));
    }
    let query = request.query();
    if !query.is_empty() {
        let decoded: Vec<String> = url::form_urlencoded::parse(query.as_bytes()).map(|(k, v)| format!("{k}={v}")).collect();
        let as_sent = format!("{call}{}&{tail}", decoded.join("&"));
        if as_sent != expected {
            out.push((M::QueryOrderDiffers, as_sent, "the parameters signed in the order sent, not sorted by name"));
        }
        let mut encoded: Vec<&str> = query.split('&').collect();
        encoded.sort_by_key(|pair| name(pair));
        let encoded = format!("{call}{}&{tail}", encoded.join("&"));
        if encoded != expected {
            out.push((M::QuerySignedEncoded, encoded, "the values signed still URL-encoded"));
        }
    } else if let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(request.body()) {
        // serde_json's map is sorted by name, as Backpack sorts.
        let encoded: Vec<String> = fields
            .iter()
            .filter_map(|(name, value)| {
                let text = match value {
                    serde_json::Value::String(text) => text.clone(),
                    serde_json::Value::Bool(_) | serde_json::Value::Number(_) => value.to_string(),
                    _ => return None,
                };
                Some(format!("{name}={}", url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()))
            })
            .collect();
        let encoded = format!("{call}{}&{tail}", encoded.join("&"));
        if encoded != expected {
            out.push((M::QuerySignedEncoded, encoded, "the values signed URL-encoded"));
        }
    }
    out
}

#[cfg(feature = "pem-keys")]
/// The 32 bytes the base64 API key holds (Backpack's API key is the Ed25519 public key).
fn key_bytes(api_key: &str) -> Option<[u8; 32]> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(api_key.trim()).ok()?;
    <[u8; 32]>::try_from(bytes.as_slice()).ok()
}

#[cfg(feature = "pem-keys")]
fn verifies(_: M, api_key: &str, _: Option<&str>, text: &[u8], signature: &str) -> bool {
    use base64::Engine as _;
    let Some(public) = key_bytes(api_key) else { return false };
    let Ok(public) = ed25519_dalek::VerifyingKey::from_bytes(&public) else { return false };
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else { return false };
    let Ok(signature) = ed25519_dalek::Signature::from_slice(&signature) else { return false };
    public.verify_strict(text, &signature).is_ok()
}

#[cfg(not(feature = "pem-keys"))]
fn verifies(_: M, _: &str, _: Option<&str>, _: &[u8], _: &str) -> bool {
    false
}

/// The public key's 32 bytes taken for the seed.
#[cfg(feature = "pem-keys")]
fn signed_with_api_key(api_key: &str, text: &[u8]) -> Option<String> {
    use base64::Engine as _;
    let seed = key_bytes(api_key)?;
    let signature = ed25519_dalek::Signer::sign(&ed25519_dalek::SigningKey::from_bytes(&seed), text);
    Some(base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()))
}

#[cfg(not(feature = "pem-keys"))]
fn signed_with_api_key(_: &str, _: &[u8]) -> Option<String> {
    None
}
