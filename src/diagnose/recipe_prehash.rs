//! The diagnosis of the schemes whose prehash is rebuilt by walking their recipe's parts rather
//! than from a `timestamp + METHOD + path` start: a signature that travels as a parameter of the
//! request it signs (the payload being the request's own parameters), a prehash that holds the API
//! key and the receive window, a digest of the body (and of a nonce the body carries), Ed25519 and
//! RSA keys. What each exchange does is read from its home: its [`Recipe`] (parts, keys, where the
//! timestamp and the signature travel) and its [`DiagnosisFacts`] (what the recipe does not say:
//! a nonce in the body, the receive-window header, the websocket message it signs). The schemes
//! that start with `timestamp + METHOD + path` are diagnosed in [`super::hmac`].
//!
//! As there, the request as sent gives a baseline (the pieces of the scheme's prehash) and each
//! catalogue entry rebuilds the prehash the way buggy client code builds it. A variant reproduces
//! the mistake when it yields the signature that was sent:
//!
//! * HMACs are recomputed and compared in constant time;
//! * Ed25519 and RSA PKCS#1 v1.5 signatures are deterministic, so a variant is checked by
//!   verifying the signature sent over the variant's prehash with the key's public key — the same
//!   answer as signing it and comparing, at a fraction of the cost of an RSA signature per
//!   candidate;
//! * without the raw secret (the local exchange keeps none), only variants that are ordinary
//!   requests are checked, by signing them with the key's signer. Where the signature travels
//!   inside the request, the prehash is the payload itself, so any ASCII variant is one: it is
//!   signed as the body of a request without a query, and kept only when the signer's prehash is
//!   the variant's, byte for byte.

use std::borrow::Cow;

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use serde_json::Value;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use super::budget::Meter;
use super::catalogue::{MistakeCode, MistakeSearch};
use super::hmac::{correct_explanation, ct_str_eq};
use super::{Context, Diagnosis, SentRequest, Target, rewrite};
use crate::exchange::{AuthNames, DiagnosisFacts, Exchange, WsSigning};
use crate::recipe::{
    Algorithm, Carrier, DigestOutput, Hash, Part, QueryForm, Recipe, SecretForm, SignatureEncoding, Signing,
};
use crate::{
    Error, Method, Prehash, Scheme, SignOptions, SignableRequest, Timestamp, TimestampFormat, WireTimestamp, WsRequest,
};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The hash under an HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    Sha256,
    Sha384,
    Sha512,
}

/// How a signature is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Hex,
    Base64,
}

/// The key, when the raw secret is known.
enum Key {
    Hmac {
        alg: Alg,
        bytes: Zeroizing<Vec<u8>>,
    },
    #[cfg(feature = "pem-keys")]
    Ed25519(ed25519_dalek::VerifyingKey),
    /// The public key, DER `RSAPublicKey`.
    #[cfg(feature = "pem-keys")]
    Rsa(Vec<u8>),
}

impl Key {
    fn is_hmac(&self) -> bool {
        matches!(self, Key::Hmac { .. })
    }
}

/// Which key a variant is MACed with.
#[derive(Clone, Copy)]
enum KeyChoice<'k> {
    Correct,
    Bytes(&'k [u8]),
}

/// An ordinary request (or message) that yields a variant's prehash when the signer signs it:
/// how a variant is checked without the raw secret.
#[derive(Clone)]
enum Resign {
    Rest { query: String, body: Vec<u8>, timestamp: String },
    Ws { timestamp: String },
}

/// One candidate prehash and how it is signed.
#[derive(Clone)]
struct Variant<'k> {
    prehash: Vec<u8>,
    key: KeyChoice<'k>,
    /// `HMAC(key = prehash, message = secret)`.
    args_swapped: bool,
    /// Another encoding than the scheme's.
    encoding: Option<Enc>,
    /// Another hash than the scheme's (HMAC keys only).
    alg: Option<Alg>,
    resign: Option<Resign>,
}

impl<'k> Variant<'k> {
    fn new(prehash: Vec<u8>) -> Self {
        Self { prehash, key: KeyChoice::Correct, args_swapped: false, encoding: None, alg: None, resign: None }
    }

    fn resign(mut self, resign: Resign) -> Self {
        self.resign = Some(resign);
        self
    }

    fn keyed(mut self, key: &'k [u8]) -> Self {
        self.key = KeyChoice::Bytes(key);
        self
    }

    /// Whether the signer, signing `resign`, produces exactly this variant.
    fn is_standard(&self) -> bool {
        matches!(self.key, KeyChoice::Correct) && !self.args_swapped && self.encoding.is_none() && self.alg.is_none()
    }
}

/// The pieces of a REST prehash, as signed.
#[derive(Clone)]
struct Pieces<'p> {
    /// The timestamp, or the nonce hashed.
    timestamp: Cow<'p, str>,
    method: Cow<'p, str>,
    path: Cow<'p, str>,
    /// The query in the recipe's form (the payload's, without the signature, when the signature
    /// travels inside the request).
    query: Cow<'p, str>,
    body: Cow<'p, [u8]>,
    recv_window: Cow<'p, str>,
    tweak: Tweak,
}

/// The ways a recipe's prehash is mis-assembled beyond its pieces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Tweak {
    #[default]
    None,
    /// The query and the body joined with `&`.
    Ampersand,
    /// A digest without the timestamp (nonce) it should cover.
    NoNonce,
    /// A digest left out (its line empty).
    EmptyHashLine,
    /// The path written whole where the recipe strips a prefix from it.
    FullPath,
    /// The query written without the `?` the recipe puts before it.
    NoQuestionMark,
}

/// The websocket message being diagnosed.
enum Ws {
    /// A WebSocket API call signing its params ([`WsSigning::Params`]).
    ParamsCall { method: String, params: Vec<(String, Value)> },
    /// A login signed over fixed text and its timestamp ([`WsSigning::Login`]).
    Login { prefix: &'static str },
    /// A channel message carrying `auth` ([`WsSigning::ChannelOrApiLogin`]).
    Channel { channel: String, event: String, products: Vec<String> },
    /// An API login naming its channel ([`WsSigning::ChannelOrApiLogin`]).
    ApiLogin { channel: String },
    /// A login over its timestamp, nonce and free text ([`WsSigning::Joined`]); the nonce is the
    /// engine's.
    Joined { separator: &'static str, data: String },
    /// A login over its timestamp, the key's passphrase and fixed text
    /// ([`WsSigning::TimestampPassphrase`]).
    TimestampPassphrase { separator: &'static str, suffix: &'static str },
    /// A subscribe over the server's challenge ([`WsSigning::Challenge`]): no time is signed.
    Challenge { challenge: String, feeds: Vec<String>, event: Option<String> },
    /// A login over the key sent and its timestamp ([`WsSigning::KeyTimestamp`]).
    KeyTimestamp,
}

/// How many of the parameters after a misplaced signature parameter an explanation names.
const MAX_NAMED_AFTER: usize = 8;

/// Where the signature parameter was found in the request it signs, and the payload without it.
struct SignatureParameter {
    /// The value as on the wire (percent-encoded, or not).
    raw_signature: String,
    /// The parameters that follow it in its part of the request.
    after: Vec<String>,
    /// The payload keeping every `signature` parameter but the last (a re-signed retry).
    with_earlier: Option<(String, String)>,
}

/// What the signer produces for the request as sent.
struct Expected {
    signature: String,
    /// (lower-case header name or exact field name, value).
    values: Vec<(String, String)>,
    prehash: Option<Prehash>,
}

struct Engine<'c, 's> {
    ctx: &'c Context<'c>,
    meter: &'c Meter,
    sent: &'s SentRequest,
    scheme: Scheme,
    exchange: &'static Exchange,
    /// The REST prehash, as its home writes it.
    recipe: &'static Recipe,
    facts: DiagnosisFacts,
    /// The parameter the signature travels in, when it travels inside the request it signs.
    signature_param: Option<&'static str>,
    /// How the recipe signs the query (`None`: it does not).
    query_form: Option<QueryForm>,
    /// The recipe signs the query of a GET or a request without a body, else the body.
    query_or_body: bool,
    ws: Option<Ws>,
    names: AuthNames,
    key_sent: String,
    /// The signature as the exchange reads it.
    sign: String,
    /// The timestamp header, field or parameter, or the body's nonce (empty when there is none).
    timestamp: String,
    format: TimestampFormat,
    recv_window: String,
    /// The nonce sent, where the recipe signs one ([`Part::Nonce`]; empty otherwise).
    nonce: String,
    method: String,
    path: String,
    given_host: Option<String>,
    /// The query as signed: in the recipe's form, the payload's (without the signature) when the
    /// signature travels inside the request.
    query: String,
    /// The query as sent (without the signature parameter).
    wire_query: String,
    body: Vec<u8>,
    signature_wire: Option<SignatureParameter>,
    encoding: Enc,
    key: Option<Key>,
    expected: Option<Expected>,
    /// The signer refused the websocket call for this key type (a logon some keys cannot make).
    logon_refused: bool,
    /// Without the secret: the receive window the key's signer signs with, when it is not the
    /// header's (the exchange signs the header's, so the signer cannot rebuild its prehash).
    signer_window: Option<String>,
}

fn invalid(problem: impl Into<String>) -> Error {
    Error::InvalidDiagnosisInput { problem: problem.into() }
}

/// Diagnoses a request of a scheme whose prehash this module rebuilds, with `ctx`.
pub(crate) fn diagnose(ctx: &Context<'_>, sent: &SentRequest, meter: &Meter) -> Result<Diagnosis, Error> {
    let e = Engine::new(ctx, sent, meter)?;
    Ok(super::catalogue::walk(ctx.scheme, e.ws.is_some(), &e, meter))
}

/// The `k=v` pairs of a query or form body (none for an empty one).
fn pairs(text: &str) -> Vec<&str> {
    rewrite::query_pairs(text)
}

/// The spans (start, end) of the `k=v` pairs of a query or form body (none for an empty one),
/// found lazily: a long form is never split into a list. A byte loop, not `memchr`: a dense
/// form (`a&a&…`) has a separator every other byte, where a vectorised search pays its setup
/// on every pair.
fn pair_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut start = (!bytes.is_empty()).then_some(0);
    std::iter::from_fn(move || {
        let from = start?;
        let end = bytes[from..].iter().position(|&b| b == b'&').map_or(bytes.len(), |offset| from + offset);
        start = (end < bytes.len()).then_some(end + 1);
        Some((from, end))
    })
}

/// `text` without the pairs at `removed` (spans of whole pairs, in order), the rest joined by
/// `&` as before. Only the removed pairs are visited: the text between them is copied whole.
fn without_spans(text: &str, removed: impl Iterator<Item = (usize, usize)>) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut first = true;
    let mut keep = |segment: &str| {
        if !std::mem::take(&mut first) {
            kept.push('&');
        }
        kept.push_str(segment);
    };
    // The start of the text not yet copied: always the start of a pair, or past the end.
    let mut cursor = 0;
    for (start, end) in removed {
        if start > cursor {
            // The pairs before this one, without the `&` that ends them.
            keep(&text[cursor..start - 1]);
        }
        cursor = end + 1;
    }
    if cursor <= text.len() && !text.is_empty() {
        keep(&text[cursor..]);
    }
    kept
}

fn pair_key(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(key, _)| key)
}

/// The value of the first `name` pair, read lazily: a long form is not split into a list for one
/// lookup.
fn param<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let pair = crate::form::pairs_named(text.as_bytes(), name).next()?;
    // The value ends at `&` or the end of the text: a character boundary.
    Some(pair.value_start.map_or("", |start| &text[start..pair.end]))
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_lower_hex(text: &str) -> bool {
    !text.is_empty() && text.len().is_multiple_of(2) && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The nonce `name` of a body (form `name=…` or JSON `"name"`), when it has exactly one.
fn body_nonce(body: &[u8], name: &str) -> Option<String> {
    if is_json(body) {
        let object: serde_json::Map<String, Value> = serde_json::from_slice(body).ok()?;
        return match object.get(name)? {
            Value::String(nonce) => Some(nonce.clone()),
            Value::Number(nonce) if nonce.is_u64() => Some(nonce.to_string()),
            _ => None,
        };
    }
    let text = std::str::from_utf8(body).ok()?;
    let mut values = text.split('&').filter_map(|pair| pair.strip_prefix(name)?.strip_prefix('='));
    let nonce = values.next()?;
    values.next().is_none().then(|| nonce.to_owned())
}

fn is_json(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

fn hmac_bytes(alg: Alg, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    match alg {
        Alg::Sha256 => {
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
            for part in parts {
                mac.update(part);
            }
            mac.finalize().into_bytes().to_vec()
        }
        Alg::Sha384 => {
            let mut mac = hmac::Hmac::<Sha384>::new_from_slice(key).expect("HMAC accepts keys of any length");
            for part in parts {
                mac.update(part);
            }
            mac.finalize().into_bytes().to_vec()
        }
        Alg::Sha512 => {
            let mut mac = hmac::Hmac::<Sha512>::new_from_slice(key).expect("HMAC accepts keys of any length");
            for part in parts {
                mac.update(part);
            }
            mac.finalize().into_bytes().to_vec()
        }
    }
}

fn enc(encoding: SignatureEncoding) -> Enc {
    match encoding {
        SignatureEncoding::Base64 => Enc::Base64,
        _ => Enc::Hex,
    }
}

/// The length of an HMAC signature as the signing writes it.
fn hmac_signature_len(signing: &Signing) -> usize {
    let bytes: usize = match signing.algorithm {
        Algorithm::HmacSha512 => 64,
        Algorithm::HmacSha384 => 48,
        _ => 32,
    };
    match signing.encoding {
        SignatureEncoding::Base64 => bytes.div_ceil(3) * 4,
        _ => bytes * 2,
    }
}

fn encode(bytes: &[u8], encoding: Enc) -> String {
    match encoding {
        Enc::Hex => hex::encode(bytes),
        Enc::Base64 => B64.encode(bytes),
    }
}

/// How a header name a signer produced is spelled in messages: as the exchange documents it
/// when it is one of its auth names, else in upper case.
fn display_header(names: Option<AuthNames>, lower: &str) -> String {
    let documented = names.and_then(|names| {
        [names.key, names.signature, names.timestamp].into_iter().find(|name| name.eq_ignore_ascii_case(lower))
    });
    documented.map_or_else(|| lower.to_ascii_uppercase(), str::to_owned)
}

/// A WebSocket API payload of signed params: `k=v` pairs joined by `&`.
fn join_pairs(pairs: &[(&str, Cow<'_, str>)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

fn param_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl<'c, 's> Engine<'c, 's> {
    fn new(ctx: &'c Context<'c>, sent: &'s SentRequest, meter: &'c Meter) -> Result<Self, Error> {
        let scheme = ctx.scheme;
        let exchange = scheme.exchange();
        let recipe = exchange.recipe.as_ref().map_err(|not| invalid(not.to_string()))?;
        let value = |name: &str, what: &str| {
            sent.auth_value(name).map(str::to_owned).ok_or_else(|| {
                invalid(format!("the {name} {what} was not given (or is empty): give every auth value that was sent"))
            })
        };
        // The layout this request is signed with, where the recipe picks it by path, and the
        // auth names it carries there.
        let (recipe, path_names) = match &sent.target {
            Target::Rest { path, .. } => match super::wire_path(path) {
                Ok((path, _)) => recipe.for_path(&path),
                Err(_) => (recipe, None),
            },
            _ => (recipe, None),
        };
        let parts = recipe.parts;
        let signature_param = match recipe.signature_in {
            Carrier::Parameter(name) => Some(name),
            _ => None,
        };
        // Inside a digest too (Kraken Futures hashes its parameters before the HMAC).
        let query_form = find_part(parts, &|part| match part {
            Part::Query { form, .. } => Some(*form),
            Part::QueryOrBody => Some(QueryForm::AsSent),
            _ => None,
        });
        let mut e = Engine {
            ctx,
            meter,
            sent,
            scheme,
            exchange,
            recipe,
            facts: exchange.diagnosis,
            signature_param,
            query_form,
            query_or_body: find_part(parts, &|part| (*part == Part::QueryOrBody).then_some(())).is_some(),
            ws: None,
            names: path_names.unwrap_or_else(|| super::hmac::names(scheme, false)),
            key_sent: String::new(),
            sign: String::new(),
            timestamp: String::new(),
            format: TimestampFormat::UnixMillis,
            recv_window: String::new(),
            nonce: String::new(),
            method: "GET".to_owned(),
            path: String::new(),
            given_host: None,
            query: String::new(),
            wire_query: String::new(),
            body: Vec::new(),
            signature_wire: None,
            encoding: Enc::Hex,
            key: None,
            expected: None,
            logon_refused: false,
            signer_window: None,
        };
        e.key = e.key()?;
        match &sent.target {
            Target::Rest { method, path, query, body } => {
                let parsed: Method = method.parse()?;
                let (path, given_host) = super::wire_path(path)?;
                let query = query.strip_prefix('?').unwrap_or(query);
                SignableRequest::new(parsed, &path)?.with_query(query)?;
                e.method = parsed.as_str().to_owned();
                e.path = path;
                e.given_host = given_host;
                e.wire_query = query.to_owned();
                e.body = body.clone();
                let names = e.names;
                e.key_sent = value(names.key, "header")?;
                match signature_param {
                    Some(signature) => e.signature_parameter_rest(signature)?,
                    None => {
                        e.sign = value(names.signature, "header")?;
                        e.timestamp = match (e.facts.nonce_in_body, recipe.timestamp_in) {
                            (true, Carrier::Parameter(nonce)) => body_nonce(&e.body, nonce).unwrap_or_default(),
                            // Left out where the exchange's is optional: signed as nothing.
                            _ if exchange.rest_verification.timestamp_optional() => {
                                sent.auth_value(names.timestamp).unwrap_or_default().to_owned()
                            }
                            _ => value(names.timestamp, "header")?,
                        };
                        if let Some(header) = e.facts.recv_window_header {
                            // Absent, the exchange signs its default window (as the local exchange does).
                            let default = exchange.window.map(|w| w.as_millis().to_string()).unwrap_or_default();
                            e.recv_window = sent.auth_value(header).map_or(default, str::to_owned);
                        }
                        if let Some(name) = parts.iter().find_map(|part| match part {
                            Part::Nonce(name) => Some(*name),
                            _ => None,
                        }) {
                            e.nonce = value(name, "header")?;
                        }
                        e.query = match query_form {
                            Some(QueryForm::Decoded) => crate::decode_query(&e.wire_query)?.into_owned(),
                            Some(_) => e.wire_query.clone(),
                            None => String::new(),
                        };
                    }
                }
                e.format = e.rest_format();
            }
            Target::Ws { channels, product_ids, method, params, event } => {
                let ws = match e.facts.ws_signing {
                    WsSigning::Params => {
                        let method = method.clone().ok_or_else(|| {
                            invalid(format!(
                                "a {} WebSocket API message is a method call: give its method and params \
                                 (SentRequest::ws_api, or options.method and options.params)",
                                exchange.name
                            ))
                        })?;
                        Ws::ParamsCall { method, params: params.clone() }
                    }
                    WsSigning::Login { prefix } => Ws::Login { prefix },
                    WsSigning::KeyTimestamp => Ws::KeyTimestamp,
                    WsSigning::TimestampPassphrase { separator, suffix } => {
                        Ws::TimestampPassphrase { separator, suffix }
                    }
                    WsSigning::Joined { separator, nonce, data } => {
                        e.nonce = value(nonce, "field")?;
                        Ws::Joined { separator, data: sent.auth_value(data).unwrap_or_default().to_owned() }
                    }
                    WsSigning::Unsigned { hint } => return Err(Error::WsUnsupported { scheme, hint }),
                    WsSigning::Challenge { field } => Ws::Challenge {
                        challenge: value(field, "field")?,
                        feeds: channels.clone(),
                        event: event.clone(),
                    },
                    WsSigning::ChannelOrApiLogin { one_channel } => match (method, channels.as_slice()) {
                        (Some(channel), _) => Ws::ApiLogin { channel: channel.clone() },
                        (None, [channel]) => Ws::Channel {
                            channel: channel.clone(),
                            event: event.clone().unwrap_or_else(|| "subscribe".to_owned()),
                            products: product_ids.clone(),
                        },
                        (None, _) => return Err(Error::InvalidWsRequest { problem: one_channel }),
                    },
                };
                let names = super::ws_names(scheme, method.is_some());
                e.names = names;
                e.ws = Some(ws);
                e.key_sent = value(names.key, "field")?;
                e.sign = value(names.signature, "field")?;
                e.timestamp = value(names.timestamp, "field")?;
                e.names = names;
                e.format = e.whole_format();
            }
        }
        let hmac = e.hmac_signing();
        let asymmetric = e.asymmetric_signing();
        e.encoding = match (&e.key, asymmetric) {
            (Some(key), Some(asymmetric)) if !key.is_hmac() => enc(asymmetric.encoding),
            // Without the secret the key type is unknown: an HMAC signature has the HMAC's length
            // (64 hex characters for SHA-256), an Ed25519 or RSA one another.
            (None, Some(asymmetric)) if e.sign.len() != hmac_signature_len(hmac) => enc(asymmetric.encoding),
            _ => enc(hmac.encoding),
        };
        if e.facts.hex_signature_any_case && e.encoding == Enc::Hex && e.sign.bytes().all(|b| b.is_ascii_hexdigit()) {
            e.sign.make_ascii_lowercase();
        }
        e.expected = e.expected()?;
        if let (Some(header), None, None) = (e.facts.recv_window_header, &e.ws, &e.key) {
            let signer_window = e.expected.as_ref().and_then(|expected| {
                expected.values.iter().find(|(n, _)| n.eq_ignore_ascii_case(header)).map(|(_, v)| v.clone())
            });
            e.signer_window = signer_window.filter(|w| *w != e.recv_window);
        }
        Ok(e)
    }

    /// How an HMAC key signs (the recipe's first signing: HMAC keys come first).
    fn hmac_signing(&self) -> &'static Signing {
        &self.recipe.keys[0]
    }

    /// How the scheme's asymmetric (PEM) keys sign, if it takes any.
    fn asymmetric_signing(&self) -> Option<&'static Signing> {
        self.recipe.keys.iter().find(|signing| signing.secret == SecretForm::Pem)
    }

    /// How a REST timestamp is read: with as many decimals as it has where the exchange takes
    /// fractional seconds, else as [`whole_format`](Self::whole_format).
    fn rest_format(&self) -> TimestampFormat {
        if self.recipe.accepts_timestamp(TimestampFormat::UnixSecondsFraction { digits: 9 }) {
            return TimestampFormat::UnixSecondsFraction { digits: 9 };
        }
        self.whole_format()
    }

    /// An integer timestamp: in microseconds when the scheme takes them and the text has more
    /// digits than milliseconds do, else in the scheme's own format.
    fn whole_format(&self) -> TimestampFormat {
        if self.recipe.accepts_timestamp(TimestampFormat::UnixMicros) && self.timestamp.len() > 13 {
            return TimestampFormat::UnixMicros;
        }
        self.recipe.timestamps.first().copied().unwrap_or(TimestampFormat::UnixMillis)
    }

    /// The key from the raw secret, when it is known.
    fn key(&self) -> Result<Option<Key>, Error> {
        let Some(secrets) = &self.ctx.secrets else { return Ok(None) };
        let secret = secrets.secret;
        if self.asymmetric_signing().is_some() && super::is_pem(secret) {
            #[cfg(feature = "pem-keys")]
            {
                use crate::keys::PrivateKey;
                // The scheme's PEM key kinds in the recipe's order: the first that parses.
                let mut parsed = Err(invalid("no PEM key kind"));
                for signing in self.recipe.keys.iter().filter(|signing| signing.secret == SecretForm::Pem) {
                    parsed = match signing.algorithm {
                        Algorithm::Ed25519 => PrivateKey::ed25519_from_pem(self.scheme, secret),
                        _ => PrivateKey::rsa_from_pem(self.scheme, secret),
                    };
                    if parsed.is_ok() {
                        break;
                    }
                }
                return Ok(Some(match parsed? {
                    PrivateKey::Ed25519(signing) => Key::Ed25519(signing.verifying_key()),
                    PrivateKey::Rsa { pair, .. } => Key::Rsa(pair.public().as_ref().to_vec()),
                }));
            }
            #[cfg(not(feature = "pem-keys"))]
            return Ok(None);
        }
        let hmac = self.hmac_signing();
        let alg = match hmac.algorithm {
            Algorithm::HmacSha512 => Alg::Sha512,
            Algorithm::HmacSha384 => Alg::Sha384,
            _ => Alg::Sha256,
        };
        let bytes = match hmac.secret {
            SecretForm::Base64 => {
                B64.decode(secret).map_err(|_| Error::SecretNotBase64 { scheme: self.scheme, expected: "64 bytes" })?
            }
            _ => secret.as_bytes().to_vec(),
        };
        Ok(Some(Key::Hmac { alg, bytes: Zeroizing::new(bytes) }))
    }

    /// A signature that travels as a parameter of the request it signs: finds the last one and
    /// splits it from the payload, whose `timestamp` parameter is the timestamp.
    fn signature_parameter_rest(&mut self, name: &'static str) -> Result<(), Error> {
        let exchange = self.exchange.name;
        let body = String::from_utf8(self.body.clone())
            .map_err(|_| invalid(format!("a {exchange} body is a form (k=v&k=v): this one is not UTF-8 text")))?;
        let query = self.wire_query.clone();
        // Reading the form takes a few passes over it: charged like hashing, so that what is
        // left for the search shrinks with the size of the request.
        self.meter.hash(2 * (query.len() + body.len()));
        // Every signature parameter: (in the body?, its span), the query's first.
        let mut found: Vec<(bool, (usize, usize))> = Vec::new();
        for (in_body, text) in [(false, &query), (true, &body)] {
            found.extend(crate::form::pairs_named(text.as_bytes(), name).map(|pair| (in_body, (pair.start, pair.end))));
        }
        let signatures_in = |in_body: bool| found.iter().filter(move |(b, _)| *b == in_body).map(|(_, span)| *span);
        match found.last().copied() {
            Some((in_body, (start, end))) => {
                let carrier = if in_body { &body } else { &query };
                let raw = carrier[start..end].split_once('=').map_or("", |(_, v)| v).to_owned();
                // Named in an explanation only: a few are enough.
                let rest = carrier.get(end + 1..).unwrap_or("");
                let mut after: Vec<String> =
                    pair_spans(rest).take(MAX_NAMED_AFTER + 1).map(|(s, e)| pair_key(&rest[s..e]).to_owned()).collect();
                if after.len() > MAX_NAMED_AFTER {
                    after[MAX_NAMED_AFTER] = "…".to_owned();
                }
                let with_earlier = (found.len() > 1).then(|| {
                    let last = |b: bool| (b == in_body).then_some((start, end));
                    (without_spans(&query, last(false).into_iter()), without_spans(&body, last(true).into_iter()))
                });
                self.sign = crate::decode_query(&raw).map(Cow::into_owned).unwrap_or_else(|_| raw.clone());
                self.signature_wire = Some(SignatureParameter { raw_signature: raw, after, with_earlier });
                self.query = without_spans(&query, signatures_in(false));
                self.body = without_spans(&body, signatures_in(true)).into_bytes();
            }
            None => {
                // The signature given on its own, next to a request without it.
                self.sign = self.sent.auth_value(name).map(str::to_owned).ok_or_else(|| {
                    invalid(format!(
                        "no {name} parameter in the query or body (nor a {name} value): give the query and body \
                         exactly as sent, {name} included"
                    ))
                })?;
                self.signature_wire =
                    Some(SignatureParameter { raw_signature: String::new(), after: Vec::new(), with_earlier: None });
                self.query = query;
            }
        }
        let timestamp = match self.recipe.timestamp_in {
            Carrier::Parameter(timestamp) => timestamp,
            _ => self.names.timestamp,
        };
        let payload_body = String::from_utf8_lossy(&self.body).into_owned();
        self.timestamp = param(&self.query, timestamp)
            .or_else(|| param(&payload_body, timestamp))
            .map(str::to_owned)
            .ok_or_else(|| {
            invalid(format!(
                "the request has no {timestamp} parameter: {}; add {timestamp}=<ms> before signing",
                self.facts.missing_timestamp_answer
            ))
        })?;
        Ok(())
    }

    // ----------------------------------------------------------------------------------------
    // What the signer produces.

    /// The options the signer signs with: the nonce sent, where the recipe signs one.
    fn sign_options(&self, keep: bool) -> SignOptions {
        let options = if keep { SignOptions::new().keep_prehash() } else { SignOptions::new() };
        if self.nonce.is_empty() { options } else { options.with_nonce(self.nonce.as_str()) }
    }

    /// Signs the REST request with this query, body and timestamp.
    fn sign_rest(&self, query: &str, body: &[u8], timestamp: &str, keep: bool) -> Result<Expected, Error> {
        let method: Method = self.method.parse()?;
        let request = SignableRequest::new(method, &self.path)?.with_query(query)?.with_body(body);
        let options = self.sign_options(keep);
        let signed = if self.facts.nonce_in_body || self.untimed(timestamp) {
            // The signer takes the nonce from the body, or sends none (built so for a request
            // that left its optional timestamp out).
            self.ctx.signer.sign_with(&request, Timestamp::from_unix_millis(0), &options)?
        } else {
            self.ctx.signer.sign_at(&request, &WireTimestamp::parse(self.format, timestamp)?, &options)?
        };
        let mut values: Vec<(String, String)> = signed
            .headers()
            .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        if let Some(name) = self.signature_param {
            values.push((name.to_owned(), signed.signature().to_owned()));
        }
        Ok(Expected { signature: signed.signature().to_owned(), values, prehash: signed.prehash().cloned() })
    }

    /// Whether a REST request signs no timestamp: it left out one the exchange takes as optional.
    fn untimed(&self, timestamp: &str) -> bool {
        self.ws.is_none() && timestamp.is_empty() && self.exchange.rest_verification.timestamp_optional()
    }

    /// Signs the websocket message at this timestamp.
    fn sign_ws(&self, timestamp: &str, keep: bool) -> Result<Expected, Error> {
        let wire = match self.ws {
            // The challenge stands in for a time: the signer reads none.
            Some(Ws::Challenge { .. }) => WireTimestamp::render(self.format, Timestamp::from_unix_millis(0))?,
            _ => WireTimestamp::parse(self.format, timestamp)?,
        };
        let options = self.sign_options(keep);
        let auth = match self.ws.as_ref().expect("a websocket message") {
            Ws::ParamsCall { method, params } => {
                let params: Vec<(&str, Value)> = params.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
                self.ctx.signer.sign_ws_at(&WsRequest::api(method, &params), &wire, &options)?
            }
            Ws::Login { .. } | Ws::TimestampPassphrase { .. } | Ws::KeyTimestamp => {
                self.ctx.signer.sign_ws_at(&WsRequest::login(), &wire, &options)?
            }
            Ws::Joined { data, .. } => {
                self.ctx.signer.sign_ws_at(&WsRequest::login().with_data(data), &wire, &options)?
            }
            Ws::ApiLogin { channel } => self.ctx.signer.sign_ws_at(&WsRequest::api(channel, &[]), &wire, &options)?,
            Ws::Challenge { challenge, feeds, event } => {
                let channels: Vec<&str> = feeds.iter().map(String::as_str).collect();
                let request = WsRequest::subscribe(&channels, &[]).with_data(challenge);
                let request = match event {
                    Some(event) => request.with_event(event),
                    None => request,
                };
                self.ctx.signer.sign_ws_at(&request, &wire, &options)?
            }
            Ws::Channel { channel, event, products } => {
                let channels = [channel.as_str()];
                let products: Vec<&str> = products.iter().map(String::as_str).collect();
                let request = WsRequest::subscribe(&channels, &products).with_event(event);
                self.ctx.signer.sign_ws_at(&request, &wire, &options)?
            }
        };
        let values = auth.fields().iter().map(|f| (f.name().to_owned(), f.value().to_owned())).collect();
        Ok(Expected { signature: auth.signature().to_owned(), values, prehash: auth.prehash().cloned() })
    }

    /// The signer's output for the message as sent (none when the timestamp is not in the
    /// scheme's format, the body has no nonce, or the payload the signer refuses).
    fn expected(&mut self) -> Result<Option<Expected>, Error> {
        if self.ws.is_some() {
            let challenge = matches!(self.ws, Some(Ws::Challenge { .. }));
            if !challenge && WireTimestamp::parse(self.format, &self.timestamp).is_err() {
                return Ok(None);
            }
            return match self.sign_ws(&self.timestamp, true) {
                Ok(expected) => Ok(Some(expected)),
                Err(Error::KeyTypeUnsupported { .. }) => {
                    self.logon_refused = true;
                    Ok(None)
                }
                Err(error) => Err(error),
            };
        }
        let usable = if self.facts.nonce_in_body {
            !self.timestamp.is_empty()
        } else if self.untimed(&self.timestamp) {
            true
        } else {
            WireTimestamp::parse(self.format, &self.timestamp).is_ok()
        };
        if !usable {
            return Ok(None);
        }
        match self.sign_rest(&self.request_query(), &self.body, &self.timestamp, true) {
            Ok(expected) => Ok(Some(expected)),
            // A payload the signer refuses (raw UTF-8 or spaces) is still what was sent; the
            // diagnosis rebuilds it without the signer.
            Err(Error::InvalidBody { .. } | Error::InvalidParameters { .. }) if self.signature_param.is_some() => {
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    // ----------------------------------------------------------------------------------------
    // Prehashes.

    fn pieces(&self) -> Pieces<'_> {
        Pieces {
            timestamp: Cow::Borrowed(&self.timestamp),
            method: Cow::Borrowed(&self.method),
            path: Cow::Borrowed(&self.path),
            query: Cow::Borrowed(&self.query),
            body: Cow::Borrowed(&self.body),
            recv_window: Cow::Borrowed(&self.recv_window),
            tweak: Tweak::None,
        }
    }

    /// Whether a recipe that signs the query or the body signs the query: a GET, or a request
    /// without a body.
    fn signs_query_not_body(&self) -> bool {
        self.method == "GET" || self.body.is_empty()
    }

    /// Whether the recipe signs the body rather than the query of this request.
    fn signs_body_not_query(&self) -> bool {
        self.query_or_body && !self.signs_query_not_body()
    }

    fn rest_prehash(&self, p: &Pieces<'_>) -> Vec<u8> {
        let mut out = Vec::with_capacity(p.query.len() + p.body.len() + p.path.len() + 160);
        let digests = self.recipe.parts.iter().any(|part| matches!(part, Part::Digest { .. }));
        // The body's digest is hashed while the candidate is built: charged first.
        if digests && !self.meter.hash(p.body.len() + p.timestamp.len()) {
            return out;
        }
        self.write_parts(self.recipe.parts, p, false, &mut |bytes| out.extend_from_slice(bytes));
        out
    }

    /// Feeds `parts` of the recipe, from the pieces, to `out` (`in_digest`: a digest's input,
    /// streamed into the hash rather than copied).
    fn write_parts(&self, parts: &[Part], p: &Pieces<'_>, in_digest: bool, out: &mut dyn FnMut(&[u8])) {
        for (i, part) in parts.iter().enumerate() {
            match *part {
                Part::Timestamp if in_digest && p.tweak == Tweak::NoNonce => {}
                Part::Timestamp => out(p.timestamp.as_bytes()),
                Part::Method => out(p.method.as_bytes()),
                Part::Path => out(p.path.as_bytes()),
                Part::PathWithoutPrefix(_) if p.tweak == Tweak::FullPath => out(p.path.as_bytes()),
                Part::PathWithoutPrefix(prefix) => out(crate::recipe::path_without_prefix(&p.path, prefix).as_bytes()),
                Part::Query { question_mark, .. } => {
                    if question_mark && p.tweak != Tweak::NoQuestionMark && !p.query.is_empty() {
                        out(b"?");
                    }
                    out(p.query.as_bytes());
                    if p.tweak == Tweak::Ampersand && parts.get(i + 1) == Some(&Part::Body) {
                        out(b"&");
                    }
                }
                Part::Body => out(&p.body),
                // As the exchange picks it from the request sent (its method, not a variant's).
                Part::QueryOrBody if self.method == "GET" || p.body.is_empty() => out(p.query.as_bytes()),
                Part::QueryOrBody => out(&p.body),
                Part::Literal(text) => out(text.as_bytes()),
                Part::ApiKey => out(self.key_sent.as_bytes()),
                // Signed, never sent: the key's own, which the diagnosis was handed.
                Part::Passphrase => {
                    out(self.ctx.secrets.as_ref().and_then(|s| s.passphrase).unwrap_or_default().as_bytes())
                }
                Part::RecvWindow => out(p.recv_window.as_bytes()),
                Part::Nonce(_) => out(self.nonce.as_bytes()),
                Part::ByPath(layouts) => self.write_parts(layouts.pick(&p.path).parts, p, in_digest, out),
                Part::Digest { .. } if p.tweak == Tweak::EmptyHashLine => {}
                Part::Digest { hash, output, of } => {
                    let digest = match hash {
                        Hash::Sha256 => {
                            let mut hasher = Sha256::new();
                            self.write_parts(of, p, true, &mut |bytes| hasher.update(bytes));
                            hasher.finalize().to_vec()
                        }
                        Hash::Sha512 => {
                            let mut hasher = Sha512::new();
                            self.write_parts(of, p, true, &mut |bytes| hasher.update(bytes));
                            hasher.finalize().to_vec()
                        }
                    };
                    match output {
                        DigestOutput::Raw => out(&digest),
                        DigestOutput::Hex => out(hex::encode(digest).as_bytes()),
                    }
                }
            }
        }
    }

    /// The nonce the body carries, when the recipe's timestamp is a parameter.
    fn body_nonce(&self, body: &[u8]) -> Option<String> {
        match self.recipe.timestamp_in {
            Carrier::Parameter(name) => body_nonce(body, name),
            _ => None,
        }
    }

    /// The websocket prehash at `timestamp`.
    fn ws_prehash(&self, timestamp: &str) -> Vec<u8> {
        match self.ws.as_ref().expect("a websocket message") {
            Ws::ParamsCall { .. } => self.params_payload(timestamp, true, None).into_bytes(),
            Ws::Login { prefix } => format!("{prefix}{timestamp}").into_bytes(),
            Ws::KeyTimestamp => [self.key_sent.as_str(), timestamp].concat().into_bytes(),
            Ws::TimestampPassphrase { separator, suffix } => {
                let passphrase = self.ctx.secrets.as_ref().and_then(|s| s.passphrase).unwrap_or_default();
                [timestamp, separator, passphrase, suffix].concat().into_bytes()
            }
            Ws::Joined { separator, data } => {
                [timestamp, separator, &self.nonce, separator, data].concat().into_bytes()
            }
            Ws::ApiLogin { channel } => format!("api\n{channel}\n{{}}\n{timestamp}").into_bytes(),
            Ws::Challenge { challenge, .. } => challenge.clone().into_bytes(),
            Ws::Channel { channel, event, .. } => {
                format!("channel={channel}&event={event}&time={timestamp}").into_bytes()
            }
        }
    }

    /// The pairs of a WebSocket API call that signs its params: the params, the key and the
    /// timestamp fields, in the params' order with the two added at the end.
    fn params_pairs(&self, timestamp: &str) -> Vec<(&str, Cow<'_, str>)> {
        let Some(Ws::ParamsCall { params, .. }) = &self.ws else { return Vec::new() };
        let mut out: Vec<(&str, Cow<'_, str>)> =
            params.iter().map(|(name, value)| (name.as_str(), Cow::Owned(param_text(value)))).collect();
        out.push((self.names.key, Cow::Borrowed(self.key_sent.as_str())));
        out.push((self.names.timestamp, Cow::Owned(timestamp.to_owned())));
        out
    }

    /// The payload of a WebSocket API call that signs its params, sorted or not, its values
    /// percent-encoded by the given encoding or not.
    fn params_payload(&self, timestamp: &str, sorted: bool, encoding: Option<usize>) -> String {
        let mut pairs = self.params_pairs(timestamp);
        if sorted {
            pairs.sort_by(|a, b| a.0.cmp(b.0));
        }
        if let Some(which) = encoding {
            for (_, value) in &mut pairs {
                if let Some(encoded) = rewrite::component_encodings(value).into_iter().nth(which) {
                    *value = Cow::Owned(encoded);
                }
            }
        }
        join_pairs(&pairs)
    }

    fn baseline(&self) -> Variant<'_> {
        match &self.ws {
            Some(_) => {
                Variant::new(self.ws_prehash(&self.timestamp)).resign(Resign::Ws { timestamp: self.timestamp.clone() })
            }
            None => Variant::new(self.rest_prehash(&self.pieces())).resign(self.resign_rest(
                &self.request_query(),
                &self.body,
                &self.timestamp,
            )),
        }
    }

    /// The query to sign through the signer for the baseline: the payload's when the signature
    /// travels inside the request, the wire query otherwise.
    fn request_query(&self) -> String {
        if self.signature_param.is_some() { self.query.clone() } else { self.wire_query.clone() }
    }

    fn resign_rest(&self, query: &str, body: &[u8], timestamp: &str) -> Resign {
        Resign::Rest { query: query.to_owned(), body: body.to_vec(), timestamp: timestamp.to_owned() }
    }

    /// A REST variant from pieces, checked through the signer as `resign` when given.
    fn rest_variant(&self, pieces: &Pieces<'_>, resign: Option<Resign>) -> Variant<'_> {
        let mut variant = Variant::new(self.rest_prehash(pieces));
        variant.resign = resign;
        variant
    }

    // ----------------------------------------------------------------------------------------
    // The oracle.

    /// Whether `variant` yields the signature `sent` (as the exchange reads it).
    fn yields(&self, variant: &Variant<'_>, sent: &str) -> bool {
        if !self.meter.candidate(variant.prehash.len()) {
            return false;
        }
        match &self.key {
            Some(key) => self.key_yields(key, variant, sent),
            None => self.signer_yields(variant, sent),
        }
    }

    fn key_yields(&self, key: &Key, variant: &Variant<'_>, sent: &str) -> bool {
        let encoding = variant.encoding.unwrap_or(self.encoding);
        match key {
            Key::Hmac { alg, bytes } => {
                let alg = variant.alg.unwrap_or(*alg);
                let key_bytes: &[u8] = match variant.key {
                    KeyChoice::Correct => bytes,
                    KeyChoice::Bytes(other) => other,
                };
                let mac = if variant.args_swapped {
                    hmac_bytes(alg, &variant.prehash, &[key_bytes])
                } else {
                    hmac_bytes(alg, key_bytes, &[&variant.prehash])
                };
                ct_str_eq(&encode(&mac, encoding), sent)
            }
            #[cfg(feature = "pem-keys")]
            Key::Ed25519(public) => {
                if !variant.is_standard() && variant.encoding.is_none() || !self.meter.asymmetric() {
                    return false;
                }
                let Some(bytes) = decode(sent, encoding) else { return false };
                let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes) else { return false };
                // verify_strict: the deterministic signer never produces the malleable forms.
                public.verify_strict(&variant.prehash, &signature).is_ok()
            }
            #[cfg(feature = "pem-keys")]
            Key::Rsa(public) => {
                if !variant.is_standard() && variant.encoding.is_none() || !self.meter.asymmetric() {
                    return false;
                }
                let Some(bytes) = decode(sent, encoding) else { return false };
                ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, public)
                    .verify(&variant.prehash, &bytes)
                    .is_ok()
            }
        }
    }

    /// Through the signer, for variants that are an ordinary request.
    fn signer_yields(&self, variant: &Variant<'_>, sent: &str) -> bool {
        if !variant.is_standard() || (self.signer_window.is_some() && self.ws.is_none()) {
            return false;
        }
        // Where asymmetric keys sign in another encoding than HMAC keys, a signature in theirs is
        // an Ed25519 or RSA one.
        let asymmetric = self.asymmetric_signing().is_some_and(|asymmetric| {
            asymmetric.encoding != self.hmac_signing().encoding && self.encoding == enc(asymmetric.encoding)
        });
        if asymmetric && !self.meter.asymmetric() {
            return false;
        }
        let signed = match &variant.resign {
            Some(Resign::Rest { query, body, timestamp }) if self.ws.is_none() => {
                self.sign_rest(query, body, timestamp, false)
            }
            Some(Resign::Ws { timestamp }) if self.ws.is_some() => self.sign_ws(timestamp, false),
            None if self.signature_param.is_some() && self.ws.is_none() => {
                return self.payload_yields(variant, sent);
            }
            _ => return false,
        };
        signed.is_ok_and(|expected| ct_str_eq(&expected.signature, sent))
    }

    /// Where the signature travels inside the request, the payload is signed as it is (the query,
    /// then the body): a variant's prehash is the payload of a request without a query and with
    /// that prehash as its body. The signer appends what the payload lacks (the timestamp, its
    /// receive window) and refuses what it cannot sign (a signature parameter, non-ASCII bytes), so
    /// the variant counts only when the signer's prehash is exactly the variant's.
    fn payload_yields(&self, variant: &Variant<'_>, sent: &str) -> bool {
        let Ok(expected) = self.sign_rest("", &variant.prehash, &self.timestamp, true) else { return false };
        let same = expected.prehash.as_ref().is_some_and(|prehash| prehash.as_bytes() == variant.prehash.as_slice());
        same && ct_str_eq(&expected.signature, sent)
    }

    fn reproduces(&self, variant: &Variant<'_>) -> bool {
        self.yields(variant, &self.sign)
    }

    /// The candidates of one search within its share of the budget (as in the HMAC diagnosis).
    fn share<I: Iterator>(&self, candidates: I) -> impl Iterator<Item = I::Item> {
        self.meter.share(candidates, self.body.len() + self.query.len() + self.path.len() + 64)
    }

    /// The first variant that reproduces the signature; candidates are drawn one at a time, and
    /// none once the budget is spent.
    fn first<'v>(&self, candidates: impl IntoIterator<Item = (Variant<'v>, Option<String>)>) -> Option<Option<String>> {
        self.meter.first(candidates, |variant| self.reproduces(variant))
    }

    /// A mutation of the scheme's recipe ([`super::recipe_engine`]), for REST requests with an
    /// HMAC secret.
    fn recipe_mutation(&self, code: MistakeCode) -> Option<Option<String>> {
        if self.ws.is_some() || !self.key.as_ref().is_some_and(Key::is_hmac) {
            return None;
        }
        let sent = super::recipe_engine::RestRequest {
            scheme: self.scheme,
            method: &self.method,
            path: &self.path,
            query: &self.wire_query,
            body: &self.body,
            timestamp: &self.timestamp,
            format: self.format,
            api_key: &self.key_sent,
            secret: self.ctx.secrets.as_ref()?.secret,
            signature: &self.sign,
        };
        super::recipe_engine::reconstruct(code, &sent, self.meter)
    }

    // ----------------------------------------------------------------------------------------
    // Header checks.

    fn key_secret_swapped(&self) -> Option<Option<String>> {
        let secrets = self.ctx.secrets.as_ref()?;
        if ct_str_eq(secrets.secret, &self.key_sent) {
            return Some(Some(format!("the {} value is the secret", self.names.key)));
        }
        if !self.key.as_ref()?.is_hmac() {
            return None;
        }
        let api_key = self.ctx.api_key;
        let mut keys: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        if self.hmac_signing().secret == SecretForm::Base64 {
            keys.extend(rewrite::secret_decodings(api_key));
        }
        keys.push(Zeroizing::new(api_key.as_bytes().to_vec()));
        let baseline = self.baseline();
        self.first(keys.iter().map(|k| (baseline.clone().keyed(k), None)))
            .map(|_| Some("the signature was computed with the API key as the HMAC key".to_owned()))
    }

    // ----------------------------------------------------------------------------------------
    // The signature is right.

    // ----------------------------------------------------------------------------------------
    // Signature reconstructions.

    // ----------------------------------------------------------------------------------------
    // No mistake found.
}

/// The first of `parts`, or of the parts a digest among them hashes, that `pick` picks out.
fn find_part<T>(parts: &[Part], pick: &dyn Fn(&Part) -> Option<T>) -> Option<T> {
    parts.iter().find_map(|part| match part {
        Part::Digest { of, .. } => find_part(of, pick),
        other => pick(other),
    })
}

/// Whether `parts` (or a digest or layout inside them) sign `path` without a prefix it starts with.
fn strips_a_prefix(parts: &[Part], path: &str) -> bool {
    parts.iter().any(|part| match *part {
        Part::PathWithoutPrefix(prefix) => crate::recipe::path_without_prefix(path, prefix) != path,
        Part::Digest { of, .. } => strips_a_prefix(of, path),
        Part::ByPath(layouts) => strips_a_prefix(layouts.pick(path).parts, path),
        _ => false,
    })
}

/// Whether `query` can go on the wire as it is.
fn wire_query_ok(query: &str) -> bool {
    SignableRequest::new(Method::Get, "/").and_then(|r| r.with_query(query)).is_ok()
}

#[cfg(feature = "pem-keys")]
fn decode(text: &str, encoding: Enc) -> Option<Vec<u8>> {
    match encoding {
        Enc::Hex => hex::decode(text).ok(),
        Enc::Base64 => B64.decode(text).ok(),
    }
}

impl MistakeSearch for Engine<'_, '_> {
    fn header_mistake(&self, code: MistakeCode) -> Option<Option<String>> {
        use MistakeCode::*;
        let found = |yes: bool| yes.then_some(None);
        match code {
            BinanceSignatureNotLast => {
                let wire = self.signature_wire.as_ref()?;
                let name = self.signature_param?;
                (!wire.after.is_empty())
                    .then(|| Some(format!("the {name} parameter is followed by {}", wire.after.join(", "))))
            }
            BinanceSignatureNotUrlEncoded => {
                let wire = self.signature_wire.as_ref()?;
                if !wire.raw_signature.contains('+') {
                    return None;
                }
                // The value with its `+` kept (the exchange reads them as spaces).
                let escaped = wire.raw_signature.replace('+', "%2B");
                let literal = crate::decode_query(&escaped).ok()?;
                found(self.yields(&self.baseline(), &literal))
            }
            BinanceRecvWindowTooLarge => {
                let body = String::from_utf8_lossy(&self.body);
                let (name, widest) = self.facts.recv_window_parameter?;
                let window = param(&self.query, name).or_else(|| param(&body, name))?;
                let millis: f64 = window.parse().ok()?;
                (millis > widest.as_millis() as f64).then(|| Some(format!("{name} is {window}")))
            }
            BinanceSessionLogonNeedsEd25519 => {
                let Some(Ws::ParamsCall { method, .. }) = &self.ws else { return None };
                if Some(method.as_str()) != self.facts.ws_logon_method {
                    return None;
                }
                let not_ed25519 = match &self.key {
                    #[cfg(feature = "pem-keys")]
                    Some(Key::Ed25519(_)) => false,
                    Some(_) => true,
                    None => self.logon_refused,
                };
                found(not_ed25519)
            }
            KrakenNonceMissing => found(self.facts.nonce_in_body && self.timestamp.is_empty()),
            KeySecretSwapped => self.key_secret_swapped(),
            TimestampSecondsForMilliseconds => found(is_digits(&self.timestamp) && self.timestamp.len() <= 11),
            TimestampMillisecondsForSeconds => found(is_digits(&self.timestamp) && self.timestamp.len() >= 13),
            TimestampFormatWrong => {
                let bad = !self.facts.nonce_in_body && WireTimestamp::parse(self.format, &self.timestamp).is_err();
                bad.then(|| Some(format!("{} is {:?}", self.names.timestamp, self.timestamp)))
            }
            _ => None,
        }
    }

    fn when_signature_is_right(&self) -> Option<Diagnosis> {
        let expected = self.expected.as_ref()?;
        if !ct_str_eq(&expected.signature, &self.sign) {
            return None;
        }
        use MistakeCode::*;
        let window_header = self.facts.recv_window_header;
        if let (Some(window), Some(header)) = (&self.signer_window, window_header) {
            // Signed with the key's usual window, sent with another.
            return Some(Diagnosis::mistake(
                BybitRecvWindowDiffers,
                Some(format!("signed with recv_window {window:?}, {header} is {}", self.recv_window)),
            ));
        }
        if let (Some(header), None) = (window_header, &self.ws) {
            if let Ok(window) = self.recv_window.parse::<u64>() {
                // Nobody means a window of a minute or less in milliseconds; 5, 10 or 60 are seconds.
                if window <= 60 {
                    return Some(Diagnosis::mistake(
                        BybitRecvWindowInSeconds,
                        Some(format!("{header} is {window}, i.e. {window} ms")),
                    ));
                }
            }
        }
        if self.facts.content_type_must_match_body {
            if let Some(content_type) = self.sent.auth_value("Content-Type") {
                let says_json = content_type.to_ascii_lowercase().contains("json");
                if says_json != is_json(&self.body) {
                    return Some(Diagnosis::mistake(
                        KrakenContentTypeMismatch,
                        Some(format!(
                            "a {} body sent as {content_type}",
                            if is_json(&self.body) { "JSON" } else { "form" }
                        )),
                    ));
                }
            }
        }
        let named =
            |name: &str| expected.values.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        // A key that is an item of the Authorization header (Deribit's `id=…`) is read from there.
        let expected_key = named(self.names.key).or_else(|| {
            named("authorization").and_then(|value| crate::exchange::authorization_item(value, self.names.key))
        });
        if expected_key.is_none_or(|value| value != self.key_sent) {
            return Some(Diagnosis::unknown(
                None,
                vec![self.names.key.to_owned()],
                format!(
                    "The signature is right for the secret given, but the {} sent is not the API key given with it: \
                     the key and the secret sent do not belong together, or the diagnosis was given other credentials \
                     than the client used. Fix: send the API key that belongs to the secret.",
                    self.names.key
                ),
            ));
        }
        Some(Diagnosis::correct(correct_explanation(self.scheme)))
    }

    fn reconstruct(&self, code: MistakeCode) -> Option<Option<String>> {
        use MistakeCode::*;
        let hmac = self.key.as_ref().is_some_and(Key::is_hmac);
        let rest = self.ws.is_none();
        match code {
            HexInsteadOfBase64 => {
                if self.encoding != Enc::Base64 || !is_lower_hex(&self.sign) {
                    return None;
                }
                self.first([(Variant { encoding: Some(Enc::Hex), ..self.baseline() }, None)])
            }
            Base64InsteadOfHex => {
                if self.encoding != Enc::Hex || !hmac || B64.decode(&self.sign).is_err() {
                    return None;
                }
                self.first([(Variant { encoding: Some(Enc::Base64), ..self.baseline() }, None)])
            }
            GateHmacSha256 if rest => self.recipe_mutation(code),
            GateHmacSha256 => {
                if !hmac {
                    return None;
                }
                self.first([(Variant { alg: Some(Alg::Sha256), ..self.baseline() }, None)])
            }
            KrakenDigestHex | GateBodyHashSha256 => self.recipe_mutation(code),
            SecretNotBase64Decoded => {
                let raw = self.ctx.secrets.as_ref()?.secret.as_bytes();
                self.first([(self.baseline().keyed(raw), None)])
            }
            SecretBase64Decoded => {
                if !hmac {
                    return None;
                }
                let decodings = rewrite::secret_decodings(self.ctx.secrets.as_ref()?.secret);
                self.first(decodings.iter().map(|k| (self.baseline().keyed(k), None)))
            }
            SecretHexDecoded => {
                let decoded = rewrite::secret_hex_decoding(self.ctx.secrets.as_ref()?.secret)?;
                self.first([(self.baseline().keyed(&decoded), None)])
            }
            HmacArgumentsSwapped => {
                if !hmac {
                    return None;
                }
                self.first([(Variant { args_swapped: true, ..self.baseline() }, None)])
            }
            MethodLowercase => {
                let lower = self.method.to_ascii_lowercase();
                let pieces = Pieces { method: Cow::Owned(lower), ..self.pieces() };
                self.first([(self.rest_variant(&pieces, None), None)])
            }
            KrakenNonceNotHashed => {
                self.first([(self.rest_variant(&Pieces { tweak: Tweak::NoNonce, ..self.pieces() }, None), None)])
            }
            GateEmptyBodyHashLine => {
                if !self.body.is_empty() {
                    return None;
                }
                self.first([(self.rest_variant(&Pieces { tweak: Tweak::EmptyHashLine, ..self.pieces() }, None), None)])
            }
            GatePathMissingPrefix => {
                // The prefix the exchange's paths share (Gate's `/api/v4`), left out.
                let rest_of_path = self.exchange.routing.paths.iter().find_map(|prefix| {
                    self.path.strip_prefix(prefix.trim_end_matches('/')).filter(|_| !prefix.is_empty())
                })?;
                let candidates = [rest_of_path.to_owned(), rest_of_path.trim_start_matches('/').to_owned()];
                self.first(candidates.into_iter().map(|path| {
                    let detail = Some(format!("the path signed was {path}"));
                    (self.rest_variant(&Pieces { path: Cow::Owned(path), ..self.pieces() }, None), detail)
                }))
            }
            GateQueryInPath => {
                if self.wire_query.is_empty() {
                    return None;
                }
                let mut candidates = Vec::new();
                for in_path in [&self.wire_query, &self.query] {
                    for query_line in ["", self.query.as_str()] {
                        let path = format!("{}?{in_path}", self.path);
                        candidates.push(Pieces {
                            path: Cow::Owned(path),
                            query: Cow::Owned(query_line.to_owned()),
                            ..self.pieces()
                        });
                    }
                }
                self.first(candidates.iter().map(|p| (self.rest_variant(p, None), None)))
            }
            BybitRecvWindowDiffers => {
                const WINDOWS: [&str; 12] =
                    ["5000", "10000", "20000", "60000", "3000", "1000", "30000", "50000", "", "5", "10", "20"];
                let candidates = WINDOWS.iter().filter(|w| **w != self.recv_window);
                self.first(candidates.map(|window| {
                    let detail = Some(format!(
                        "signed with recv_window {:?}, {} is {}",
                        window,
                        self.facts.recv_window_header.unwrap_or_default(),
                        self.recv_window
                    ));
                    (self.rest_variant(&Pieces { recv_window: Cow::Borrowed(window), ..self.pieces() }, None), detail)
                }))
            }
            BybitWsExpiresNotSigned => {
                let WsSigning::Login { prefix } = self.facts.ws_signing else { return None };
                self.first([(Variant::new(prefix.as_bytes().to_vec()), None)])
            }
            BinancePayloadJoinedWithAmpersand => {
                if self.query.is_empty() || self.body.is_empty() {
                    return None;
                }
                self.first([(self.rest_variant(&Pieces { tweak: Tweak::Ampersand, ..self.pieces() }, None), None)])
            }
            BinanceSignatureSigned => {
                let wire = self.signature_wire.as_ref()?;
                let name = self.signature_param?;
                let mut candidates: Vec<(Pieces<'_>, &str)> = Vec::new();
                if let Some((query, body)) = &wire.with_earlier {
                    candidates.push((
                        Pieces { query: Cow::Borrowed(query), body: Cow::Borrowed(body.as_bytes()), ..self.pieces() },
                        "an earlier signature parameter was signed with the rest",
                    ));
                }
                // An empty placeholder at the end of the part that carries the parameters.
                let placeholder =
                    |text: &str| if text.is_empty() { format!("{name}=") } else { format!("{text}&{name}=") };
                if self.body.is_empty() {
                    candidates.push((
                        Pieces { query: Cow::Owned(placeholder(&self.query)), ..self.pieces() },
                        "an empty signature parameter was signed",
                    ));
                } else {
                    let body = placeholder(&String::from_utf8_lossy(&self.body));
                    candidates.push((
                        Pieces { body: Cow::Owned(body.into_bytes()), ..self.pieces() },
                        "an empty signature parameter was signed",
                    ));
                }
                self.first(candidates.iter().map(|(p, what)| (self.rest_variant(p, None), Some((*what).to_owned()))))
            }
            BinanceParamAddedAfterSigning => {
                // One payload per pair left out, built one at a time as the budget allows. Leaving
                // out either of two equal neighbours gives the same payload: it is tried once.
                let body = String::from_utf8_lossy(&self.body);
                let candidates = [(false, self.query.as_str()), (true, &*body)]
                    .into_iter()
                    .flat_map(|(in_body, text)| {
                        let mut previous = None;
                        pair_spans(text).filter_map(move |span| {
                            let pair = &text[span.0..span.1];
                            (previous.replace(pair) != Some(pair)).then_some((in_body, text, span))
                        })
                    })
                    .map(|(in_body, text, span)| {
                        let kept = without_spans(text, [span].into_iter());
                        let pieces = if in_body {
                            Pieces { body: Cow::Owned(kept.into_bytes()), ..self.pieces() }
                        } else {
                            Pieces { query: Cow::Owned(kept), ..self.pieces() }
                        };
                        let detail = format!("{} was not in the signed payload", pair_key(&text[span.0..span.1]));
                        (self.rest_variant(&pieces, None), Some(detail))
                    });
                self.first(candidates)
            }
            BinanceWsValuesPercentEncoded => {
                let candidates = (0..4).map(|which| self.params_payload(&self.timestamp, true, Some(which)));
                let baseline = self.params_payload(&self.timestamp, true, None);
                let mut seen = vec![baseline];
                let mut unique = Vec::new();
                for candidate in candidates {
                    if !seen.contains(&candidate) {
                        seen.push(candidate.clone());
                        unique.push(candidate);
                    }
                }
                self.first(unique.into_iter().map(|payload| (Variant::new(payload.into_bytes()), None)))
            }
            BinanceWsParamsNotSorted => {
                let pairs = self.params_pairs(&self.timestamp);
                let n = pairs.len();
                if n < 2 {
                    return None;
                }
                // The params in the order given, apiKey and timestamp placed where code adds them.
                let (params, added) = pairs.split_at(n - 2);
                let layouts: [Vec<&(&str, Cow<'_, str>)>; 4] = [
                    params.iter().chain(added).collect(),
                    added.iter().chain(params).collect(),
                    [&added[0]].into_iter().chain(params).chain([&added[1]]).collect(),
                    [&added[1], &added[0]].into_iter().chain(params).collect(),
                ];
                let sorted = self.params_payload(&self.timestamp, true, None);
                let candidates: Vec<String> = layouts
                    .iter()
                    .map(|layout| join_pairs(&layout.iter().map(|(n, v)| (*n, v.clone())).collect::<Vec<_>>()))
                    .filter(|payload| *payload != sorted)
                    .collect();
                self.first(candidates.into_iter().map(|payload| (Variant::new(payload.into_bytes()), None)))
            }
            QueryNotSigned => {
                if self.wire_query.is_empty() || !self.signs_query_not_body() {
                    return None;
                }
                let pieces = Pieces { query: Cow::Borrowed(""), ..self.pieces() };
                let resign = self.resign_rest("", &self.body, &self.timestamp);
                self.first([(self.rest_variant(&pieces, Some(resign)), None)])
            }
            QuerySignedWithoutQuestionMark => {
                let marked = find_part(self.recipe.parts, &|part| {
                    matches!(part, Part::Query { question_mark: true, .. }).then_some(())
                });
                if self.query.is_empty() || marked.is_none() {
                    return None;
                }
                let pieces = Pieces { tweak: Tweak::NoQuestionMark, ..self.pieces() };
                self.first([(self.rest_variant(&pieces, None), None)])
            }
            QuerySignedUnencoded => {
                if self.signs_body_not_query() {
                    return None;
                }
                let body = String::from_utf8_lossy(&self.body).into_owned();
                let decoders: [fn(&str) -> Option<String>; 2] = [
                    |text| crate::decode_query(text).ok().map(Cow::into_owned).filter(|d| d != text),
                    rewrite::decode_non_ascii,
                ];
                let mut candidates = Vec::new();
                for decoder in decoders {
                    let query = decoder(&self.query);
                    // Where the signature travels inside the request, the body is part of the payload.
                    let body_decoded = if self.signature_param.is_some() { decoder(&body) } else { None };
                    if query.is_none() && body_decoded.is_none() {
                        continue;
                    }
                    candidates.push(Pieces {
                        query: Cow::Owned(query.unwrap_or_else(|| self.query.clone())),
                        body: Cow::Owned(body_decoded.map_or_else(|| self.body.clone(), String::into_bytes)),
                        ..self.pieces()
                    });
                }
                self.first(candidates.iter().map(|p| {
                    // A scheme that signs the wire query (with the signature in a header): a decoded
                    // one that can go on the wire is a request (a payload carrying its signature is
                    // checked as it is, see `payload_yields`).
                    let signs_wire_query = self.query_form == Some(QueryForm::AsSent) && self.signature_param.is_none();
                    let resign = (signs_wire_query && wire_query_ok(&p.query))
                        .then(|| self.resign_rest(&p.query, &p.body, &self.timestamp));
                    (self.rest_variant(p, resign), None)
                }))
            }
            QueryEncodingDiffers => {
                if self.query.is_empty() || self.signs_body_not_query() {
                    return None;
                }
                let candidates = rewrite::query_encodings(&self.query);
                self.first(candidates.into_iter().map(|signed| {
                    let detail = Some(format!("signed query: {signed}"));
                    let resign = wire_query_ok(&signed).then(|| self.resign_rest(&signed, &self.body, &self.timestamp));
                    (self.rest_variant(&Pieces { query: Cow::Owned(signed), ..self.pieces() }, resign), detail)
                }))
            }
            QueryOrderDiffers => {
                if self.signs_body_not_query() {
                    return None;
                }
                let source = if self.signature_param.is_some() { &self.query } else { &self.wire_query };
                let candidates = rewrite::query_orders(source);
                self.first(self.share(candidates).filter_map(|order| {
                    let keys: Vec<&str> = pairs(&order).into_iter().map(pair_key).collect();
                    let detail = Some(format!("signed in the order {}", keys.join(", ")));
                    let signed = match self.query_form {
                        Some(QueryForm::Decoded) => crate::decode_query(&order).ok()?.into_owned(),
                        _ => order.clone(),
                    };
                    let resign = self.resign_rest(&order, &self.body, &self.timestamp);
                    Some((
                        self.rest_variant(&Pieces { query: Cow::Owned(signed), ..self.pieces() }, Some(resign)),
                        detail,
                    ))
                }))
            }
            QuerySignedEncoded => {
                if self.query == self.wire_query {
                    return None;
                }
                let resign = self.resign_rest(&rewrite::kucoin_wire_for(&self.wire_query), &self.body, &self.timestamp);
                let pieces = Pieces { query: Cow::Borrowed(&self.wire_query), ..self.pieces() };
                self.first([(self.rest_variant(&pieces, Some(resign)), None)])
            }
            FormBodyReencoded => {
                if self.body.is_empty() || is_json(&self.body) {
                    return None;
                }
                let body = String::from_utf8_lossy(&self.body).into_owned();
                let orders = self.share(rewrite::query_orders(&body)).map(|order| {
                    let keys: Vec<&str> = pairs(&order).into_iter().map(pair_key).collect();
                    let detail = format!("the body signed in the order {}", keys.join(", "));
                    (order, detail)
                });
                // The values signed decoded (`close[price]` signed, `close%5Bprice%5D` sent: the
                // pairs joined raw for signing, then form-encoded by the HTTP client). Where the
                // body is part of a payload carrying its signature, query-signed-unencoded, earlier
                // in the catalogue, names that first.
                let decoded = || crate::decode_query(&body).ok().filter(|decoded| *decoded != body);
                let encodings = std::iter::once(())
                    .flat_map(|()| rewrite::query_encodings(&body))
                    .map(|b| {
                        let detail = format!("the body signed was {b}");
                        (b, detail)
                    })
                    .chain(std::iter::once(()).filter_map(|()| {
                        let decoded = decoded()?.into_owned();
                        let detail = format!("the body signed was {decoded}");
                        Some((decoded, detail))
                    }));
                self.first(orders.chain(encodings).map(|(signed, detail)| {
                    // A nonce in the body: a re-ordered body is still a request.
                    let resign = (self.facts.nonce_in_body && self.body_nonce(signed.as_bytes()).is_some())
                        .then(|| self.resign_rest(&self.wire_query, signed.as_bytes(), &self.timestamp));
                    (
                        self.rest_variant(&Pieces { body: Cow::Owned(signed.into_bytes()), ..self.pieces() }, resign),
                        Some(detail),
                    )
                }))
            }
            EmptyBodyAsBraces => {
                let (body, detail): (&[u8], _) = if self.body.is_empty() {
                    (b"{}", "`{}` signed, no body sent")
                } else if self.body.iter().filter(|b| !b.is_ascii_whitespace()).eq(b"{}".iter()) {
                    (b"", "no body signed, `{}` sent")
                } else {
                    return None;
                };
                let resign = self.resign_rest(&self.wire_query, body, &self.timestamp);
                let pieces = Pieces { body: Cow::Borrowed(body), ..self.pieces() };
                self.first([(self.rest_variant(&pieces, Some(resign)), Some(detail.to_owned()))])
            }
            BodyReserialized => {
                if self.query_or_body && self.signs_query_not_body() {
                    return None;
                }
                let candidates = rewrite::body_variants(&self.body);
                self.first(candidates.into_iter().map(|(body, what)| {
                    let resign = (!self.facts.nonce_in_body
                        || self.body_nonce(&body).as_deref() == Some(&self.timestamp))
                    .then(|| self.resign_rest(&self.wire_query, &body, &self.timestamp));
                    let pieces = Pieces { body: Cow::Owned(body), ..self.pieces() };
                    (self.rest_variant(&pieces, resign), Some(format!("the body signed was {what}")))
                }))
            }
            PathPrefixNotStripped => {
                if !strips_a_prefix(self.recipe.parts, &self.path) {
                    return None;
                }
                let pieces = Pieces { tweak: Tweak::FullPath, ..self.pieces() };
                self.first([(self.rest_variant(&pieces, None), Some(format!("the path signed was {}", self.path)))])
            }
            PathMissingLeadingSlash => {
                let path = self.path.strip_prefix('/')?;
                self.first([(self.rest_variant(&Pieces { path: Cow::Borrowed(path), ..self.pieces() }, None), None)])
            }
            PathIncludesHost => {
                let mut hosts: Vec<&str> = Vec::new();
                hosts.extend(self.given_host.as_deref());
                hosts.extend(self.ctx.hosts.iter().map(String::as_str));
                hosts.extend(self.scheme.exchange().hosts);
                hosts.dedup();
                let candidates = hosts.into_iter().flat_map(|host| {
                    ["https://", "http://", ""].into_iter().map(move |prefix| format!("{prefix}{host}"))
                });
                self.first(candidates.map(|prefix| {
                    let detail = Some(format!("the prehash path started with {prefix}"));
                    let pieces = Pieces { path: Cow::Owned(format!("{prefix}{}", self.path)), ..self.pieces() };
                    (self.rest_variant(&pieces, None), detail)
                }))
            }
            TimestampHeaderDiffers => {
                let format = WireTimestamp::parse(self.format, &self.timestamp).ok()?.format();
                let candidates = rewrite::nearby_timestamps(format, &self.timestamp)?;
                self.first(self.share(candidates.into_iter()).map(|timestamp| {
                    let detail =
                        Some(format!("the prehash used {timestamp}, the {} {}", self.names.timestamp, self.timestamp));
                    let variant = if rest {
                        let resign = self.resign_rest(&self.wire_query, &self.body, &timestamp);
                        self.rest_variant(&Pieces { timestamp: Cow::Owned(timestamp), ..self.pieces() }, Some(resign))
                    } else {
                        Variant::new(self.ws_prehash(&timestamp)).resign(Resign::Ws { timestamp })
                    };
                    (variant, detail)
                }))
            }
            KrakenNonceDiffers => {
                let nonce: u64 = self.timestamp.parse().ok()?;
                let candidates = (1..=2000u64).flat_map(|n| [nonce.checked_add(n), nonce.checked_sub(n)]).flatten();
                let candidates = self.share(candidates);
                self.first(candidates.map(|hashed| {
                    let detail = Some(format!("the nonce hashed was {hashed}, the body's {}", self.timestamp));
                    let pieces = Pieces { timestamp: Cow::Owned(hashed.to_string()), ..self.pieces() };
                    (self.rest_variant(&pieces, None), detail)
                }))
            }
            _ => None,
        }
    }

    fn unknown(&self) -> Diagnosis {
        let mut differing: Vec<String> = Vec::new();
        let prehash = match &self.expected {
            Some(expected) => {
                for (name, value) in &expected.values {
                    let sent = if Some(name.as_str()) == self.signature_param && self.signature_wire.is_some() {
                        Some(self.sign.as_str())
                    } else {
                        self.sent.auth_value(name)
                    };
                    if !sent.is_some_and(|sent| ct_str_eq(sent, value)) {
                        differing.push(if self.ws.is_some() || Some(name.as_str()) == self.signature_param {
                            name.clone()
                        } else {
                            display_header(self.exchange.rest_auth, name)
                        });
                    }
                }
                // Built with the signer's recv_window, not the header's: not the exchange's.
                if self.signer_window.is_some() { None } else { expected.prehash.clone() }
            }
            None => {
                differing.push(self.names.signature.to_owned());
                None
            }
        };
        let mut explanation = String::from(
            "No mistake in the catalogue reproduces the signature sent. Compare the expected prehash byte for byte \
             with the one your code signed (parameter order and encoding, body bytes, timestamp text), and check that \
             the secret is the one that belongs to this API key.",
        );
        if !differing.is_empty() {
            explanation.push_str(&format!(" Differing: {}.", differing.join(", ")));
        }
        if self.key.is_none() {
            explanation.push_str(
                " (Mistakes in how the secret is used — key and secret swapped, a decoded secret, another prehash \
                 layout — are checked only with the raw credentials: run `cexsign diagnose`.)",
            );
        }
        Diagnosis::unknown(prehash, differing, explanation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::{Budget, Case, with_context};

    /// Every vector of tests/vectors (Bitget's are diagnosed by the HMAC module).
    fn vectors() -> Vec<Value> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
        let mut out = Vec::new();
        for name in ["binance", "bybit", "kraken", "gate"] {
            let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
            let file: Value = serde_json::from_str(&text).unwrap();
            out.extend(file["vectors"].as_array().unwrap().iter().cloned());
        }
        out
    }

    /// The prehash this module builds for the request as sent is the vector's, byte for byte,
    /// and it yields the vector's signature both with the raw key and through the signer alone.
    #[test]
    fn pairs_are_removed_by_span_and_the_rest_joined_as_split() {
        let spans = |text: &str| pair_spans(text).collect::<Vec<_>>();
        assert_eq!(spans(""), []);
        assert_eq!(spans("a=1&&b&"), [(0, 3), (4, 4), (5, 6), (7, 7)]);
        for text in ["a=1&b=2&c=3", "a&&b", "&a", "a&", "x", "&", "&&"] {
            let split: Vec<&str> = text.split('&').collect();
            for (index, span) in pair_spans(text).enumerate() {
                let mut kept = split.clone();
                kept.remove(index);
                assert_eq!(without_spans(text, [span].into_iter()), kept.join("&"), "{text:?} without pair {index}");
            }
            assert_eq!(without_spans(text, std::iter::empty()), text);
        }
        assert_eq!(without_spans("s=1&a=2&s=3&b", [(0, 3), (8, 11)].into_iter()), "a=2&b");
    }

    #[test]
    fn the_baseline_is_every_vectors_prehash() {
        let vectors = vectors();
        assert_eq!(vectors.len(), 87);
        for vector in &vectors {
            let id = vector["id"].as_str().unwrap();
            let case = Case::from_json(&vector.to_string()).unwrap();
            let (scheme, credentials, sent) = case.parts();
            let expected = &vector["expected"];
            let meter = Meter::new(Budget::default());
            with_context(scheme, credentials, sent, |ctx| {
                let engine = Engine::new(ctx, sent, &meter).unwrap_or_else(|e| panic!("{id}: {e}"));
                let baseline = engine.baseline();
                match scheme {
                    // The vector gives the HMAC input (path + raw digest) in hex.
                    Scheme::Kraken => {
                        assert_eq!(hex::encode(&baseline.prehash), expected["hmac_input_hex"].as_str().unwrap(), "{id}")
                    }
                    _ => assert_eq!(
                        String::from_utf8(baseline.prehash.clone()).unwrap(),
                        expected["prehash"].as_str().unwrap(),
                        "{id}"
                    ),
                }
                assert!(engine.key.is_some(), "{id}");
                assert!(engine.reproduces(&baseline), "{id}: the raw key does not yield the signature");
                // As the local exchange diagnoses: the signer, no raw secret.
                let signer_only = ctx.signer_only();
                let engine = Engine::new(&signer_only, sent, &meter).unwrap();
                assert!(engine.key.is_none());
                assert!(engine.reproduces(&engine.baseline()), "{id}: the signer does not yield the signature");
            })
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        }
    }

    /// Diagnoses as the local exchange does: the key's signer, no raw secret.
    fn signer_only(scheme: Scheme, credentials: &crate::Credentials, sent: &SentRequest) -> Diagnosis {
        with_context(scheme, credentials, sent, |ctx| {
            let signer_only = ctx.signer_only();
            super::diagnose(&signer_only, sent, &Meter::new(Budget::default()))
        })
        .unwrap()
        .unwrap()
    }

    /// Diagnoses with this account signer (the local exchange's, built once per key).
    fn with_account_signer(scheme: Scheme, signer: &dyn crate::Signer, api_key: &str, sent: &SentRequest) -> Diagnosis {
        let context = Context {
            scheme,
            signer,
            api_key,
            secrets: None,
            settings: None,
            hosts: Vec::new(),
            #[cfg(feature = "cdp")]
            cdp_key: None,
        };
        super::diagnose(&context, sent, &Meter::new(Budget::default())).unwrap()
    }

    fn headers(sent: SentRequest, signed: &crate::SignedRequest) -> SentRequest {
        sent.with_signed(signed)
    }

    /// Mistakes that are ordinary requests are found without the secret: the user's code is
    /// played here by the signer itself, signing one request and sending another.
    #[test]
    fn request_level_mistakes_are_found_without_the_secret() {
        use crate::{BybitKeyType, BybitSigner, Credentials, KrakenSigner, Signer};
        let bybit = Credentials::new().api_key("XXXXXXXXXX").secret("vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W");
        let signer = BybitSigner::new(&bybit, BybitKeyType::Hmac).unwrap();
        let at = Timestamp::from_unix_millis(1_658_384_314_791);
        let request = SignableRequest::new(Method::Get, "/v5/order/realtime")
            .unwrap()
            .with_query("category=option&symbol=BTC-29JUL22-25000-C")
            .unwrap();
        let signed = signer.sign(&request, at).unwrap();
        // Sorted for signing, sent in another order.
        let sent = headers(
            SentRequest::rest("GET", "/v5/order/realtime").with_query("symbol=BTC-29JUL22-25000-C&category=option"),
            &signed,
        );
        assert_eq!(signer_only(Scheme::Bybit, &bybit, &sent).code(), Some(MistakeCode::QueryOrderDiffers));
        // The clock read twice: the header 3 ms later than the prehash.
        let sent = headers(
            SentRequest::rest("GET", "/v5/order/realtime").with_query("category=option&symbol=BTC-29JUL22-25000-C"),
            &signed,
        )
        .with_auth("X-BAPI-TIMESTAMP", "1658384314794");
        assert_eq!(signer_only(Scheme::Bybit, &bybit, &sent).code(), Some(MistakeCode::TimestampHeaderDiffers));
        // The key's signer signs recv_window 5000: a request signed so but sent with 10000 is the
        // recv_window mistake, and one signed with 10000 cannot be checked without the secret.
        let sent = headers(
            SentRequest::rest("GET", "/v5/order/realtime").with_query("category=option&symbol=BTC-29JUL22-25000-C"),
            &signed,
        );
        let wider = sent.clone().with_auth("X-BAPI-RECV-WINDOW", "10000");
        let account = |sent: &SentRequest| with_account_signer(Scheme::Bybit, &signer, "XXXXXXXXXX", sent);
        assert_eq!(account(&wider).code(), Some(MistakeCode::BybitRecvWindowDiffers));
        let prehash10 = b"1658384314791XXXXXXXXXX10000category=option&symbol=BTC-29JUL22-25000-C";
        let signed10 = hex::encode(hmac_bytes(Alg::Sha256, b"vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W", &[prehash10]));
        let diagnosis = account(&wider.with_auth("X-BAPI-SIGN", &signed10));
        assert_eq!(diagnosis.verdict(), "unknown", "{diagnosis}");
        assert!(diagnosis.expected_prehash().is_none(), "the signer's prehash is not the exchange's");
        // With the secret, the same request is correct: the signer is built with the header's window.
        assert_eq!(
            crate::diagnose::diagnose(
                Scheme::Bybit,
                &bybit,
                &sent.clone().with_auth("X-BAPI-RECV-WINDOW", "10000").with_auth("X-BAPI-SIGN", &signed10)
            )
            .unwrap()
            .verdict(),
            "correct"
        );
        // HMAC(prehash, secret) needs the secret to be rebuilt: unknown, and the verdict says so.
        let prehash = b"1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C";
        let swapped = hex::encode(hmac_bytes(Alg::Sha256, prehash, &[b"vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W"]));
        let sent = sent.with_auth("X-BAPI-TIMESTAMP", "1658384314791").with_auth("X-BAPI-SIGN", &swapped);
        let diagnosis = signer_only(Scheme::Bybit, &bybit, &sent);
        assert_eq!(diagnosis.verdict(), "unknown");
        assert!(diagnosis.explanation().contains("cexsign diagnose"), "{diagnosis}");

        // Kraken: the form re-ordered after signing.
        let kraken = Credentials::new()
            .api_key("k")
            .secret("kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==");
        let signer = KrakenSigner::new(&kraken).unwrap();
        let request = SignableRequest::new(Method::Post, "/0/private/AddOrder")
            .unwrap()
            .with_body(b"nonce=1616492376594&pair=XBTUSD&type=buy");
        let signed = signer.sign(&request, at).unwrap();
        let sent = headers(
            SentRequest::rest("POST", "/0/private/AddOrder").with_body("pair=XBTUSD&nonce=1616492376594&type=buy"),
            &signed,
        );
        assert_eq!(signer_only(Scheme::Kraken, &kraken, &sent).code(), Some(MistakeCode::FormBodyReencoded));
    }

    #[cfg(feature = "pem-keys")]
    #[test]
    fn binance_key_type_mistakes_are_found_without_the_secret() {
        use crate::{BinanceKeyType, BinanceSigner, Credentials, Signer};
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f\n-----END PRIVATE KEY-----\n";
        let key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
        let ed25519 = Credentials::new().api_key(key).secret(pem);
        let signer = BinanceSigner::new(&ed25519, BinanceKeyType::Ed25519).unwrap();
        // A moment whose signature holds a '+', sent without percent-encoding.
        let mut ms = 1_700_000_000_000u64;
        let signed = loop {
            let request = SignableRequest::new(Method::Get, "/api/v3/account")
                .unwrap()
                .with_query("omitZeroBalances=true")
                .unwrap();
            let signed = signer.sign(&request, Timestamp::from_unix_millis(ms)).unwrap();
            if signed.signature().contains('+') {
                break signed;
            }
            ms += 1;
        };
        let query = format!("omitZeroBalances=true&timestamp={ms}&signature={}", signed.signature());
        let sent = SentRequest::rest("GET", "/api/v3/account").with_query(&query).with_auth("X-MBX-APIKEY", key);
        let diagnosis = signer_only(Scheme::Binance, &ed25519, &sent);
        assert_eq!(diagnosis.code(), Some(MistakeCode::BinanceSignatureNotUrlEncoded), "{diagnosis}");
        // The wire query as the signer gives it is right.
        let sent = SentRequest::rest("GET", "/api/v3/account")
            .with_query(signed.wire_query().unwrap())
            .with_auth("X-MBX-APIKEY", key);
        assert_eq!(signer_only(Scheme::Binance, &ed25519, &sent).verdict(), "correct");

        // session.logon with an HMAC key: the signer refuses it, and the diagnosis says why.
        let hmac =
            Credentials::new().api_key(key).secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
        let sent = SentRequest::ws_api("session.logon", &[])
            .with_auth("apiKey", key)
            .with_auth("timestamp", "1700000000000")
            .with_auth("signature", &"ab".repeat(32));
        assert_eq!(
            signer_only(Scheme::Binance, &hmac, &sent).code(),
            Some(MistakeCode::BinanceSessionLogonNeedsEd25519)
        );
    }

    /// The local exchange reads a websocket message into a [`SentRequest`] with `ws_sent`: the
    /// field names and the call must be the scheme's for the diagnosis to find them.
    #[test]
    fn ws_sent_names_the_fields_of_every_scheme() {
        use crate::{BybitKeyType, BybitSigner, Credentials, GateSigner, Signer, WireTimestamp};
        let gate = Credentials::new().api_key("key").secret("secret");
        let signer = GateSigner::new(&gate).unwrap();
        let wire = WireTimestamp::parse(TimestampFormat::UnixSeconds, "1700000000").unwrap();
        let channels = ["spot.orders"];
        let products = ["BTC_USDT"];
        for request in [WsRequest::subscribe(&channels, &products), WsRequest::api("spot.login", &[])] {
            let auth = signer.sign_ws_at(&request, &wire, &SignOptions::new()).unwrap();
            let sent = crate::diagnose::ws_sent(Scheme::Gate, &request, "key", "1700000000", None, auth.signature());
            assert_eq!(signer_only(Scheme::Gate, &gate, &sent).verdict(), "correct", "{request:?}");
            // The time in the message a second after the one signed.
            let sent = crate::diagnose::ws_sent(Scheme::Gate, &request, "key", "1700000001", None, auth.signature());
            assert_eq!(signer_only(Scheme::Gate, &gate, &sent).code(), Some(MistakeCode::TimestampHeaderDiffers));
        }
        let bybit = Credentials::new().api_key("XXXXXXXXXX").secret("vJ3kQ9mN2pL7xR4tY8wZ1cB6dF0gH5sAq2W");
        let signer = BybitSigner::new(&bybit, BybitKeyType::Hmac).unwrap();
        let wire = WireTimestamp::parse(TimestampFormat::UnixMillis, "1700000011000").unwrap();
        let auth = signer.sign_ws_at(&WsRequest::login(), &wire, &SignOptions::new()).unwrap();
        let sent = crate::diagnose::ws_sent(
            Scheme::Bybit,
            &WsRequest::login(),
            "XXXXXXXXXX",
            "1700000011000",
            None,
            auth.signature(),
        );
        assert_eq!(signer_only(Scheme::Bybit, &bybit, &sent).verdict(), "correct");
    }
}
