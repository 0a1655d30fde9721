//! The catalogue mistakes that are mutations of a scheme's published [`Recipe`]: one engine that
//! reads the recipe from the exchange's home and changes it the way buggy client code does,
//! instead of re-describing the scheme's prehash.
//!
//! Routed here so far (REST requests, with the raw secret): the digest written in hex instead of
//! raw ([`MistakeCode::KrakenDigestHex`]), the digest's hash changed
//! ([`MistakeCode::GateBodyHashSha256`]) and the HMAC's algorithm changed
//! ([`MistakeCode::GateHmacSha256`]). A mutation is tried once, charged to the diagnosis's budget
//! before it is hashed; the signature is compared in constant time.

use std::borrow::Cow;

use super::budget::Meter;
use super::catalogue::MistakeCode;
use super::hmac::ct_str_eq;
use crate::recipe::{Algorithm, DigestOutput, Hash, KeyKind, Part, Recipe, RecipeInputs, Signing};
use crate::{Credentials, Method, Scheme, SignableRequest, TimestampFormat, WireTimestamp};

/// A REST request as the exchange read it, with the raw secret.
pub(crate) struct RestRequest<'a> {
    pub(crate) scheme: Scheme,
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    /// The query as sent.
    pub(crate) query: &'a str,
    pub(crate) body: &'a [u8],
    /// The timestamp (Kraken: the nonce) as sent, and its format.
    pub(crate) timestamp: &'a str,
    pub(crate) format: TimestampFormat,
    pub(crate) api_key: &'a str,
    pub(crate) secret: &'a str,
    /// The signature as the exchange read it.
    pub(crate) signature: &'a str,
}

/// The recipe as a mistake changes it.
struct Mutation<'r> {
    parts: Cow<'r, [Part]>,
    signing: Signing,
}

/// Whether the mutation of the scheme's recipe for `code` reproduces the signature sent
/// (`Some(None)`), `None` when it does not, cannot be tried, or `code` is no recipe mutation.
pub(crate) fn reconstruct(code: MistakeCode, sent: &RestRequest<'_>, meter: &Meter) -> Option<Option<String>> {
    let recipe = sent.scheme.exchange().recipe.as_ref().ok()?;
    let signing = *recipe.signing(KeyKind::Hmac)?;
    let mutation = mutate(recipe, signing, code)?;
    let method: Method = sent.method.parse().ok()?;
    let request = SignableRequest::new(method, sent.path).ok()?.with_query(sent.query).ok()?.with_body(sent.body);
    let timestamp = WireTimestamp::parse(sent.format, sent.timestamp).ok()?;
    let credentials = Credentials::new().api_key(sent.api_key).secret(sent.secret);
    let inputs = RecipeInputs::new(sent.scheme, &request, &timestamp, &credentials);
    // The digest parts hash the body as the prehash is written: charged first.
    if !meter.candidate(2 * (sent.body.len() + sent.query.len() + sent.path.len()) + 64) {
        return None;
    }
    let prehash = recipe.prehash_of(&mutation.parts, &inputs).ok()?;
    let signature = mutation.signing.sign(sent.scheme, &credentials, &prehash).ok()?;
    ct_str_eq(&signature, sent.signature).then_some(None)
}

/// The recipe changed as `code` describes, when that changes it.
fn mutate(recipe: &Recipe, signing: Signing, code: MistakeCode) -> Option<Mutation<'static>> {
    use MistakeCode::*;
    let digest = |change: fn(Hash, DigestOutput) -> Option<(Hash, DigestOutput)>| {
        let mut changed = false;
        let parts: Vec<Part> = recipe
            .parts
            .iter()
            .map(|part| match *part {
                Part::Digest { hash, output, of } => match change(hash, output) {
                    Some((hash, output)) => {
                        changed = true;
                        Part::Digest { hash, output, of }
                    }
                    None => *part,
                },
                other => other,
            })
            .collect();
        changed.then_some(Mutation { parts: Cow::Owned(parts), signing })
    };
    match code {
        KrakenDigestHex => digest(|hash, output| (output == DigestOutput::Raw).then_some((hash, DigestOutput::Hex))),
        GateBodyHashSha256 => digest(|hash, output| (hash == Hash::Sha512).then_some((Hash::Sha256, output))),
        GateHmacSha256 => (signing.algorithm == Algorithm::HmacSha512).then_some(Mutation {
            parts: Cow::Borrowed(recipe.parts),
            signing: Signing { algorithm: Algorithm::HmacSha256, ..signing },
        }),
        _ => None,
    }
}
