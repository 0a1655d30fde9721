//! Crypto.com's mistaken signing strings (AUTH-breadth.md §8, "Common mistakes"), as the
//! diagnosis looks for them: a short fixed list of strings built from the body as received that
//! clients are known to sign instead of Crypto.com's, each signed again with the key's secret
//! (an HMAC, charged to the diagnosis' budget) and compared with the body's `sig`.

use serde_json::Value;
use subtle::ConstantTimeEq as _;

use super::signer::{self, Ordered, Style};
use crate::SignableRequest;
use crate::diagnose::MistakeCode as M;
use crate::exchange::{Renderings, body_field};
use crate::mac::{Encoding, HmacKey, PrehashParts};

/// What the diagnosis reads to name Crypto.com's mistakes.
pub(super) const RENDERINGS: Renderings = Renderings { candidates, verifies, asymmetric: false, signed_with_api_key, signer: None };

/// How many milliseconds either side of the body's nonce a second clock reading is looked for.
const NEARBY_NONCES: u64 = 3;

/// The params as JSON text, in the key order given: compact (`separators=(",",":")`) or as
/// Python's `json.dumps` writes it (`", "` and `": "`). Bounded by the params' depth bound.
fn json_text(params: &Ordered, python: bool, out: &mut String) {
    let (comma, colon) = if python { (", ", ": ") } else { (",", ":") };
    match params {
        Ordered::Scalar(value) => out.push_str(&value.to_string()),
        Ordered::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                json_text(item, python, out);
            }
            out.push(']');
        }
        Ordered::Object(entries) => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push_str(colon);
                json_text(value, python, out);
            }
            out.push('}');
        }
    }
}

/// The renderings clients sign by mistake, each `method + id + api_key + <params> + nonce` with
/// one part wrong: null as `None`, booleans as `True`/`False`, the params' JSON text (compact or
/// Python's), their keys unsorted, the nonce signed as the id (ccxt's id) while another id is
/// sent, a nonce a few milliseconds off; then the expected string itself, signed with the HMAC's
/// arguments swapped or encoded in base64.
fn candidates(request: &SignableRequest<'_>, expected: &str) -> Vec<(M, String, &'static str)> {
    let mut out = Vec::new();
    let body = request.body();
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else { return out };
    let text = |name: &str| body_field(body, name).unwrap_or_default();
    let (id, method, api_key, nonce) = (text("id"), text("method"), text("api_key"), text("nonce"));
    let with = |params: &str| [method.as_str(), &id, &api_key, params, &nonce].concat();
    let sorted = match map.get("params") {
        Some(Value::Object(params)) => Ordered::object(params, 1).ok(),
        _ => None,
    };
    let as_sent = signer::params_as_sent(body);
    let mut push = |code: M, text: String, what: &'static str| {
        if text != expected {
            out.push((code, text, what));
        }
    };
    if let Some(sorted) = &sorted {
        push(M::NullAsNone, with(&signer::render_as(sorted, Style::PythonNone)), "null signed as None");
        push(M::BooleanCapitalized, with(&signer::render_as(sorted, Style::PythonBool)), "booleans signed as True/False");
    }
    if let Some(as_sent) = &as_sent {
        for (python, what) in [(false, "the params signed as their JSON text"), (true, "the params signed as json.dumps text")] {
            let mut json = String::new();
            json_text(as_sent, python, &mut json);
            push(M::ParamsSignedAsJson, with(&json), what);
        }
        push(M::ParamsUnsorted, with(&signer::render_as(as_sent, Style::Unsorted)), "the params' keys signed in the order sent, not sorted");
    }
    let rendered = sorted.as_ref().map_or_else(String::new, |sorted| signer::render_as(sorted, Style::Exchange));
    if id != nonce {
        let nonce_as_id = [method.as_str(), &nonce, &api_key, &rendered, &nonce].concat();
        push(M::RequestIdDiffers, nonce_as_id, "the nonce signed as the id, another id sent");
    }
    if let Ok(sent) = nonce.parse::<u64>() {
        for delta in 1..=NEARBY_NONCES {
            for other in [sent.checked_add(delta), sent.checked_sub(delta)].into_iter().flatten() {
                let text = [method.as_str(), &id, &api_key, &rendered, &other.to_string()].concat();
                push(M::TimestampHeaderDiffers, text, "a nonce a few milliseconds off signed, not the one sent");
            }
        }
    }
    out.push((M::HmacArgumentsSwapped, expected.to_owned(), "the HMAC keyed with the prehash, the secret as message"));
    out.push((M::Base64InsteadOfHex, expected.to_owned(), "the right HMAC, base64-encoded"));
    out
}

/// Whether `signature` is the HMAC of `text` made the way `code` says (arguments swapped,
/// base64), else `hex(HMAC-SHA256(secret, text))`, compared in constant time.
fn verifies(code: M, _: &str, secret: Option<&str>, text: &[u8], signature: &str) -> bool {
    let Some(secret) = secret else { return false };
    let made = match code {
        M::HmacArgumentsSwapped => HmacKey::new(text).sign(&PrehashParts::new().push(secret.as_bytes()), Encoding::Hex),
        M::Base64InsteadOfHex => HmacKey::new(secret.as_bytes()).sign(&PrehashParts::new().push(text), Encoding::Base64),
        _ => HmacKey::new(secret.as_bytes()).sign(&PrehashParts::new().push(text), Encoding::Hex),
    };
    let sent = if code == M::Base64InsteadOfHex { signature.to_owned() } else { signature.to_ascii_lowercase() };
    made.as_bytes().ct_eq(sent.as_bytes()).into()
}

/// The HMAC keyed with the API key: the key and the secret swapped in the client's call.
fn signed_with_api_key(api_key: &str, text: &[u8]) -> Option<String> {
    Some(HmacKey::new(api_key.as_bytes()).sign(&PrehashParts::new().push(text), Encoding::Hex).as_str().to_owned())
}
