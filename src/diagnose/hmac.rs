//! The diagnosis of HMAC-signed requests and websocket messages whose prehash is built from a
//! timestamp, a method and a path (OKX, KuCoin, Delta, Coinbase Exchange, Coinbase Advanced
//! legacy keys, Bitget).
//!
//! The request as sent is turned into a *baseline*: the pieces of the scheme's prehash (the
//! timestamp text from the header, the upper-case method, the wire path, the query as the
//! scheme signs it, the body bytes) in the scheme's order. Each catalogue entry is a set of
//! *variants* of that baseline — the same pieces as a buggy client would have put them together
//! — and a variant reproduces the mistake when its MAC equals the one sent (compared in constant
//! time).
//!
//! MACs are computed by an oracle: with the raw credentials, from the prehash pieces directly
//! (every variant); with only a [`Signer`] (the local exchange keeps no raw secret), by signing a
//! request that yields the variant's prehash. Only variants that keep the key, the method, the
//! path and the scheme's order can be written that way (they differ in timestamp, query or body);
//! the others are skipped. A variant whose query is no request (a raw space, no `?`) is still
//! one of them: everything after the path is signed as the body of a request without a query,
//! and the MAC kept only when the signer's prehash is the variant's, byte for byte.

use std::borrow::Cow;

use base64::Engine as _;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use super::budget::Meter;
use super::catalogue::{MistakeCode, MistakeSearch};
use super::rewrite;
use super::{Context, Diagnosis, SentRequest, Target};
use crate::exchange::AuthNames;
use crate::mac::{Encoding, HmacKey, PrehashParts};
use crate::{
    Error, KucoinKeyVersion, Method, Prehash, Scheme, SignOptions, SignableRequest, Signer, TimestampFormat,
    WireTimestamp, WsRequest,
};

/// The names under which `scheme` reads its auth values, on REST or in its websocket message
/// (as written in the exchange's description). A scheme without a signed websocket message falls
/// back to its REST names; one whose auth values all travel in a bearer token (Coinbase CDP,
/// diagnosed elsewhere) has no names, so every value reads as not given.
pub(crate) fn names(scheme: Scheme, ws: bool) -> AuthNames {
    let exchange = scheme.exchange();
    let ws_names = if ws { exchange.ws_auth } else { None };
    ws_names.or(exchange.rest_auth).unwrap_or(AuthNames::new("", "", "", None))
}

/// How a header name a signer produced is spelled in messages (`OK-ACCESS-SIGN`, `api-key`).
pub(crate) fn display_name(scheme: Scheme, lower: &str) -> String {
    match lower {
        "authorization" => "Authorization".to_owned(),
        _ if scheme.exchange().diagnosis.demo_header.is_some_and(|name| name.eq_ignore_ascii_case(lower)) => {
            lower.to_owned()
        }
        _ if scheme.exchange().rest_auth.is_some_and(|names| names.lower_case()) => lower.to_owned(),
        _ => lower.to_ascii_uppercase(),
    }
}

/// One piece of the three that every HMAC prehash here starts with, in some order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Timestamp,
    Method,
    Path,
}

const TIMESTAMP_FIRST: [Slot; 3] = [Slot::Timestamp, Slot::Method, Slot::Path];
const METHOD_FIRST: [Slot; 3] = [Slot::Method, Slot::Timestamp, Slot::Path];

/// How a scheme treats the query in its prehash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueryMode {
    /// `?` + the query exactly as sent.
    AsSent,
    /// `?` + the percent-decoded query (KuCoin).
    Decoded,
    /// Not signed (Coinbase Advanced Trade).
    NotSigned,
}

struct Layout {
    order: [Slot; 3],
    /// The slot the query follows where it is not the last of the three (BitMEX signs it after
    /// the path, before the timestamp); `None`: after the three.
    query_after: Option<Slot>,
    query: QueryMode,
    encoding: Encoding,
    /// The HMAC key is the base64-decoded secret (Coinbase Exchange).
    decoded_secret: bool,
}

/// The scheme's prehash as this engine rebuilds it, read from its recipe (the engine is picked
/// for recipes of timestamp, method and path, the query and the body, HMAC-SHA256).
fn layout(scheme: Scheme) -> Layout {
    use crate::recipe::{Part, QueryForm, SecretForm, SignatureEncoding};
    let recipe = scheme.exchange().recipe.ok();
    let parts = recipe.map_or(&[][..], |r| r.parts);
    let mut slots = parts.iter().filter_map(|part| match part {
        Part::Timestamp => Some(Slot::Timestamp),
        Part::Method => Some(Slot::Method),
        Part::Path => Some(Slot::Path),
        _ => None,
    });
    let order = match (slots.next(), slots.next(), slots.next()) {
        (Some(a), Some(b), Some(c)) => [a, b, c],
        _ => TIMESTAMP_FIRST,
    };
    // The slot the query part comes after, where it is not the last of the three.
    let mut last_slot = None;
    let mut query_after = None;
    for part in parts {
        match part {
            Part::Timestamp => last_slot = Some(Slot::Timestamp),
            Part::Method => last_slot = Some(Slot::Method),
            Part::Path => last_slot = Some(Slot::Path),
            Part::Query { .. } if query_after.is_none() => query_after = last_slot,
            _ => {}
        }
    }
    let query_after = query_after.filter(|slot| *slot != order[2]);
    let query = parts
        .iter()
        .find_map(|part| match part {
            Part::Query { form: QueryForm::Decoded, .. } => Some(QueryMode::Decoded),
            Part::Query { .. } => Some(QueryMode::AsSent),
            _ => None,
        })
        .unwrap_or(QueryMode::NotSigned);
    let key = recipe.and_then(|r| r.keys.first());
    let encoding = match key.map(|k| k.encoding) {
        Some(SignatureEncoding::Base64) => Encoding::Base64,
        _ => Encoding::Hex,
    };
    let decoded_secret = key.is_some_and(|k| k.secret == SecretForm::Base64);
    Layout { order, query_after, query, encoding, decoded_secret }
}

/// The order and the two fixed pieces of a websocket login's prehash, as the key's signer writes
/// it: the text before and after its timestamp (Delta: `GET` and `/live`), or, when the timestamp
/// comes first, what follows it split at its first `/` (OKX: `GET` and `/users/self/verify`;
/// Coinbase Advanced: its channel and products, in one piece).
fn ws_pieces(signer: &dyn Signer, ws: &Ws, names: AuthNames) -> Result<([Slot; 3], String, String), Error> {
    let channels: Vec<&str> = ws.channels.iter().map(String::as_str).collect();
    let products: Vec<&str> = ws.product_ids.iter().map(String::as_str).collect();
    let request = WsRequest::subscribe(&channels, &products);
    let at = crate::Timestamp::from_unix_millis(1_700_000_000_000);
    let auth = signer.sign_ws_with(&request, at, &SignOptions::new().keep_prehash())?;
    let timestamp = auth.field(names.timestamp).unwrap_or(auth.timestamp());
    let prehash = auth.prehash().and_then(Prehash::as_str).unwrap_or_default();
    let Some((before, after)) = prehash.split_once(timestamp).filter(|_| !timestamp.is_empty()) else {
        return Err(Error::InvalidDiagnosisInput {
            problem: "this scheme's websocket login prehash has no timestamp to rebuild it around".to_owned(),
        });
    };
    Ok(if before.is_empty() {
        let (method, path) = after.find('/').map_or((after, ""), |i| after.split_at(i));
        (TIMESTAMP_FIRST, method.to_owned(), path.to_owned())
    } else {
        (METHOD_FIRST, before.to_owned(), after.to_owned())
    })
}

/// The sent MAC, decoded. `encoding` is `None` for upper-case hex (which no scheme sends).
struct SentMac {
    bytes: [u8; 32],
    encoding: Option<Encoding>,
}

fn decode_signature(name: &str, text: &str) -> Result<SentMac, Error> {
    let is_hex = !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit());
    let bytes = if is_hex && text.len().is_multiple_of(2) {
        hex::decode(text).ok()
    } else {
        base64::engine::general_purpose::STANDARD.decode(text).ok()
    };
    let Some(bytes) = bytes else {
        return Err(Error::InvalidDiagnosisInput {
            problem: format!(
                "the {name} value is neither hex nor standard base64: was it truncated, quoted or copied with extra \
                 characters?"
            ),
        });
    };
    let Ok(bytes) = <[u8; 32]>::try_from(bytes.as_slice()) else {
        return Err(Error::InvalidDiagnosisInput {
            problem: format!(
                "the {name} value decodes to {} bytes, not the 32 bytes of an HMAC-SHA256: was it truncated, or made \
                 with another hash?",
                bytes.len()
            ),
        });
    };
    let encoding = if is_hex {
        (!text.bytes().any(|b| b.is_ascii_uppercase())).then_some(Encoding::Hex)
    } else {
        Some(Encoding::Base64)
    };
    Ok(SentMac { bytes, encoding })
}

/// Which key a variant is MACed with.
#[derive(Clone, Copy)]
enum KeyChoice<'k> {
    /// The scheme's own key derivation from the secret.
    Correct,
    /// Other key bytes (the API key, a decoded secret, the passphrase, ...).
    Bytes(&'k [u8]),
}

/// The pieces of one prehash.
#[derive(Clone)]
struct Variant<'a> {
    key: KeyChoice<'a>,
    /// `HMAC(key = prehash, message = secret)`.
    args_swapped: bool,
    order: [Slot; 3],
    /// The slot the query follows, where not the last of the three.
    query_after: Option<Slot>,
    timestamp: Cow<'a, str>,
    method: Cow<'a, str>,
    path: Cow<'a, str>,
    /// The query as it appears in the prehash.
    query: Option<Cow<'a, str>>,
    question_mark: bool,
    body: Cow<'a, [u8]>,
    /// When the variant is an ordinary request the signer can sign: its wire query.
    request: Option<Cow<'a, str>>,
}

impl Variant<'_> {
    fn parts(&self) -> PrehashParts<'_> {
        let mut parts = PrehashParts::new();
        for slot in self.order {
            parts = parts.push_str(match slot {
                Slot::Timestamp => &self.timestamp,
                Slot::Method => &self.method,
                Slot::Path => &self.path,
            });
            if Some(slot) == self.query_after {
                parts = self.push_query(parts);
            }
        }
        if self.query_after.is_none() {
            parts = self.push_query(parts);
        }
        parts.push(&self.body)
    }

    fn push_query<'p>(&'p self, mut parts: PrehashParts<'p>) -> PrehashParts<'p> {
        if let Some(query) = &self.query {
            if self.question_mark {
                parts = parts.push_str("?");
            }
            parts = parts.push_str(query);
        }
        parts
    }
}

/// The correct HMAC key, when the raw secret is known.
struct Keys {
    bytes: Zeroizing<Vec<u8>>,
    key: HmacKey,
}

/// What the signer produces for the request as sent, at the sent timestamp.
struct Expected {
    signature: String,
    /// (lower-case header name or exact field name, value).
    values: Vec<(String, String)>,
    prehash: Option<Prehash>,
}

/// The websocket message being diagnosed.
struct Ws {
    channels: Vec<String>,
    product_ids: Vec<String>,
}

struct Diagnoser<'c, 's> {
    ctx: &'c Context<'c>,
    meter: &'c Meter,
    sent: &'s SentRequest,
    ws: Option<Ws>,
    layout: Layout,
    names: AuthNames,
    format: TimestampFormat,
    key: &'s str,
    sign: &'s str,
    timestamp: &'s str,
    passphrase: Option<&'s str>,
    mac: SentMac,
    method: String,
    path: String,
    /// The host named by a path given with its host.
    given_host: Option<String>,
    query: &'s str,
    body: &'s [u8],
    /// The query as the scheme signs it.
    signed_query: Option<String>,
    keys: Option<Keys>,
    expected: Option<Expected>,
}

/// Diagnoses an HMAC request with `ctx` (whose scheme is not Coinbase CDP).
pub(crate) fn diagnose(ctx: &Context<'_>, sent: &SentRequest, meter: &Meter) -> Result<Diagnosis, Error> {
    let d = Diagnoser::new(ctx, sent, meter)?;
    Ok(super::catalogue::walk(ctx.scheme, sent.is_ws(), &d, meter))
}

impl<'c, 's> Diagnoser<'c, 's> {
    fn new(ctx: &'c Context<'c>, sent: &'s SentRequest, meter: &'c Meter) -> Result<Self, Error> {
        let scheme = ctx.scheme;
        let mut ws_order = None;
        let (ws, method, path, given_host, query, body) = match &sent.target {
            Target::Rest { method, path, query, body } => {
                let parsed: Method = method.parse()?;
                let (path, given_host) = super::wire_path(path)?;
                let query = query.strip_prefix('?').unwrap_or(query);
                // Validates the request as an HTTP client would send it (typed errors).
                SignableRequest::new(parsed, &path)?.with_query(query)?;
                (None, parsed.as_str().to_owned(), path, given_host, query, body.as_slice())
            }
            Target::Ws { channels, product_ids, .. } => {
                let ws = Ws { channels: channels.clone(), product_ids: product_ids.clone() };
                let (order, method, path) = ws_pieces(ctx.signer, &ws, names(scheme, true))?;
                ws_order = Some(order);
                (Some(ws), method, path, None, "", &[][..])
            }
        };
        let names = names(scheme, ws.is_some());
        let value = |name: &'static str| {
            sent.auth_value(name).ok_or_else(|| Error::InvalidDiagnosisInput {
                problem: format!(
                    "the {name} {} was not given (or is empty): give every auth value that was sent",
                    if ws.is_some() { "field" } else { "header" }
                ),
            })
        };
        // A login key under the name some clients misspell it as (python-bitget's `api_key`) is
        // read there too, so that the header check can name the mistake instead of failing on a
        // missing field.
        let misnamed = ws.as_ref().and(scheme.exchange().diagnosis.ws_key_misnamed);
        let key = value(names.key).or_else(|e| misnamed.and_then(|name| sent.auth_value(name)).ok_or(e))?;
        let sign = value(names.signature)?;
        let timestamp = value(names.timestamp)?;
        let passphrase = names.passphrase.map(value).transpose()?;
        let mac = decode_signature(names.signature, sign)?;

        let mut layout = layout(scheme);
        if let Some(order) = ws_order {
            layout.order = order;
        }
        let signed_query = if ws.is_some() || query.is_empty() {
            None
        } else {
            match layout.query {
                QueryMode::AsSent => Some(query.to_owned()),
                QueryMode::Decoded => Some(crate::decode_query(query)?.into_owned()),
                QueryMode::NotSigned => None,
            }
        };
        let signer_format =
            if ws.is_some() { ctx.signer.ws_timestamp_format() } else { ctx.signer.rest_timestamp_format() };
        // Where the exchange accepts looser timestamps than its signer sends (Coinbase Exchange's
        // decimal seconds), the header is read in the looser format.
        let exchange = scheme.exchange();
        let accepted = if ws.is_some() { exchange.ws_timestamp_accepted } else { exchange.rest_timestamp_accepted };
        let format = accepted.unwrap_or(signer_format);
        let keys = match &ctx.secrets {
            Some(secrets) => {
                let bytes = if layout.decoded_secret {
                    base64::engine::general_purpose::STANDARD
                        .decode(secrets.secret)
                        .map_err(|_| Error::SecretNotBase64 { scheme, expected: "64 bytes" })?
                } else {
                    secrets.secret.as_bytes().to_vec()
                };
                let bytes = Zeroizing::new(bytes);
                Some(Keys { key: HmacKey::new(&bytes), bytes })
            }
            None => None,
        };
        let mut d = Diagnoser {
            ctx,
            meter,
            sent,
            ws,
            layout,
            names,
            format,
            key,
            sign,
            timestamp,
            passphrase,
            mac,
            method,
            path,
            given_host,
            query,
            body,
            signed_query,
            keys,
            expected: None,
        };
        d.expected = d.expected()?;
        Ok(d)
    }

    /// The signer's output for the request as sent, at the sent timestamp (none when the
    /// timestamp is not in the scheme's format).
    fn expected(&self) -> Result<Option<Expected>, Error> {
        let Ok(wire) = WireTimestamp::parse(self.format, self.timestamp) else { return Ok(None) };
        let options = SignOptions::new().keep_prehash();
        match &self.ws {
            None => {
                let method: Method = self.method.parse()?;
                let request = SignableRequest::new(method, &self.path)?.with_query(self.query)?.with_body(self.body);
                let signed = self.ctx.signer.sign_at(&request, &wire, &options)?;
                let values = signed
                    .headers()
                    .map(|(name, value)| {
                        (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
                    })
                    .collect();
                Ok(Some(Expected {
                    signature: signed.signature().to_owned(),
                    values,
                    prehash: signed.prehash().cloned(),
                }))
            }
            Some(ws) => {
                let channels: Vec<&str> = ws.channels.iter().map(String::as_str).collect();
                let products: Vec<&str> = ws.product_ids.iter().map(String::as_str).collect();
                let auth = self.ctx.signer.sign_ws_at(&WsRequest::subscribe(&channels, &products), &wire, &options)?;
                let values = auth.fields().iter().map(|f| (f.name().to_owned(), f.value().to_owned())).collect();
                Ok(Some(Expected { signature: auth.signature().to_owned(), values, prehash: auth.prehash().cloned() }))
            }
        }
    }

    fn is_ws(&self) -> bool {
        self.ws.is_some()
    }

    // ----------------------------------------------------------------------------------------
    // The baseline and the oracle.

    fn baseline(&self) -> Variant<'_> {
        Variant {
            key: KeyChoice::Correct,
            args_swapped: false,
            order: self.layout.order,
            query_after: self.layout.query_after,
            timestamp: Cow::Borrowed(self.timestamp),
            method: Cow::Borrowed(&self.method),
            path: Cow::Borrowed(&self.path),
            query: self.signed_query.as_deref().map(Cow::Borrowed),
            question_mark: true,
            body: Cow::Borrowed(self.body),
            request: Some(Cow::Borrowed(self.query)),
        }
    }

    /// A baseline variant that is not an ordinary request (prehash-level only).
    fn raw_variant(&self) -> Variant<'_> {
        Variant { request: None, ..self.baseline() }
    }

    /// The MAC of a variant, or `None` when this oracle cannot compute it.
    fn mac_of(&self, variant: &Variant<'_>) -> Option<[u8; 32]> {
        if !self.meter.candidate(variant.parts().parts().iter().map(|part| part.len()).sum()) {
            return None;
        }
        if let Some(keys) = &self.keys {
            let parts = variant.parts();
            if variant.args_swapped {
                return Some(HmacKey::new(&parts.to_vec()).mac(&PrehashParts::new().push(&keys.bytes)));
            }
            return Some(match variant.key {
                KeyChoice::Correct => keys.key.mac(&parts),
                KeyChoice::Bytes(bytes) => HmacKey::new(bytes).mac(&parts),
            });
        }
        self.signer_mac(variant)
    }

    /// The MAC through the signer, for variants with the scheme's key, order, method and path.
    fn signer_mac(&self, variant: &Variant<'_>) -> Option<[u8; 32]> {
        let standard = matches!(variant.key, KeyChoice::Correct)
            && !variant.args_swapped
            && variant.order == self.layout.order
            && variant.method == self.method
            && variant.path == self.path;
        if !standard {
            return None;
        }
        let wire = WireTimestamp::parse(self.format, &variant.timestamp).ok()?;
        let options = SignOptions::new();
        let signature = match (&self.ws, variant.request.as_deref()) {
            (None, Some(wire_query)) if variant.question_mark => {
                let method: Method = self.method.parse().ok()?;
                let request = SignableRequest::new(method, &self.path)
                    .ok()?
                    .with_query(wire_query)
                    .ok()?
                    .with_body(&variant.body);
                self.ctx.signer.sign_at(&request, &wire, &options).ok()?.signature().to_owned()
            }
            (None, _) => self.tail_signature(variant, &wire)?,
            (Some(ws), Some(_)) if variant.question_mark => {
                let channels: Vec<&str> = ws.channels.iter().map(String::as_str).collect();
                let products: Vec<&str> = ws.product_ids.iter().map(String::as_str).collect();
                let request = WsRequest::subscribe(&channels, &products);
                self.ctx.signer.sign_ws_at(&request, &wire, &options).ok()?.signature().to_owned()
            }
            (Some(_), _) => return None,
        };
        let bytes = match self.layout.encoding {
            Encoding::Hex => hex::decode(signature).ok()?,
            Encoding::Base64 => base64::engine::general_purpose::STANDARD.decode(signature).ok()?,
        };
        bytes.try_into().ok()
    }

    /// The signature of a REST variant that is no request (its query holds a raw space, or is
    /// signed without its `?`): every scheme here ends its prehash with the `?` + query and the
    /// body, verbatim, so what follows the path is signed as the body of a request without a
    /// query. Kept only when the signer's prehash is exactly the variant's.
    fn tail_signature(&self, variant: &Variant<'_>, wire: &WireTimestamp) -> Option<String> {
        let prehash = variant.parts().to_vec();
        let head = Variant { query: None, body: Cow::Borrowed(&[]), ..variant.clone() }.parts().to_vec();
        let tail = prehash.strip_prefix(head.as_slice())?;
        let method: Method = self.method.parse().ok()?;
        let request = SignableRequest::new(method, &self.path).ok()?.with_body(tail);
        let signed = self.ctx.signer.sign_at(&request, wire, &SignOptions::new().keep_prehash()).ok()?;
        (signed.prehash()?.as_bytes() == prehash.as_slice()).then(|| signed.signature().to_owned())
    }

    fn mac_equals(&self, mac: &[u8; 32]) -> bool {
        mac.ct_eq(&self.mac.bytes).into()
    }

    /// Whether the variant reproduces the sent signature exactly (MAC and encoding).
    fn reproduces(&self, variant: &Variant<'_>) -> bool {
        self.mac.encoding == Some(self.layout.encoding) && self.mac_of(variant).is_some_and(|mac| self.mac_equals(&mac))
    }

    /// The candidates of one search (nearby timestamps, query orders) within its share of the
    /// budget: every one for ordinary requests, fewer for large bodies.
    fn share<I: Iterator>(&self, candidates: I) -> impl Iterator<Item = I::Item> {
        self.meter.share(candidates, self.body.len() + self.query.len() + self.path.len() + 64)
    }

    /// The first variant that reproduces the signature, with its description. Candidates are
    /// drawn one at a time, and none once the budget is spent.
    fn first<'v>(&self, candidates: impl IntoIterator<Item = (Variant<'v>, Option<String>)>) -> Option<Option<String>> {
        self.meter.first(candidates, |variant| self.reproduces(variant))
    }

    // ----------------------------------------------------------------------------------------
    // Header checks.

    /// The demo header sent (its value), when the exchange has one.
    fn demo_header(&self) -> Option<&str> {
        self.ctx.scheme.exchange().diagnosis.demo_header.and_then(|name| self.sent.auth_value(name))
    }

    /// The exchange's key-version header (empty when it has none).
    fn version_header(&self) -> &'static str {
        self.ctx.scheme.exchange().diagnosis.key_version_header.unwrap_or_default()
    }

    /// The KuCoin key's version: the one its settings name, else the default.
    fn kucoin_version(&self) -> KucoinKeyVersion {
        let stated = self.ctx.settings.as_ref().and_then(|s| s.key_version);
        stated.and_then(|v| KucoinKeyVersion::try_from(v).ok()).unwrap_or_default()
    }

    /// Whether the key is a demo-trading key, when its settings are known.
    fn demo_key(&self) -> Option<bool> {
        self.ctx.settings.as_ref().map(|s| s.demo)
    }

    fn kucoin_version_problem(&self) -> Option<String> {
        let header = self.version_header();
        let sent = self.sent.auth_value(header);
        match (self.kucoin_version(), sent) {
            (KucoinKeyVersion::V1, None | Some("1")) => None,
            (KucoinKeyVersion::V2 | KucoinKeyVersion::V3, Some("2" | "3")) => None,
            (KucoinKeyVersion::V1, Some(other)) => Some(format!("the key is version 1 but {header} is {other:?}")),
            (version, None) => Some(format!(
                "the key is version {} but {header} was not sent",
                if version == KucoinKeyVersion::V2 { 2 } else { 3 }
            )),
            (_, Some(other)) => Some(format!("{header} is {other:?}; this key needs 2 or 3")),
        }
    }

    /// Without the raw credentials (the local exchange), a plain passphrase cannot be told from a
    /// wrong one: that takes HMAC(secret, passphrase sent), which the key's signer never computes.
    /// When a version 2 or 3 key's request has no version header and a passphrase that is not
    /// the key's HMAC'd one either, `found` says so and names the mistake to confirm.
    fn kucoin_passphrase_note(&self, mut found: String) -> String {
        let v2_or_v3 = self.kucoin_version() != KucoinKeyVersion::V1;
        let no_header = self.sent.auth_value(self.version_header()).is_none();
        let passphrase_name = self.names.passphrase.unwrap_or_default();
        let hmaced = self.expected.as_ref().and_then(|expected| self.expected_value(expected, passphrase_name));
        let other_passphrase = matches!((hmaced, self.passphrase), (Some(h), Some(sent)) if !ct_str_eq(h, sent));
        if self.ctx.secrets.is_none() && v2_or_v3 && no_header && other_passphrase {
            found.push_str(&format!(
                ", and {passphrase_name} is not this key's base64(HMAC(secret, passphrase)) either: if it is the \
                 plain passphrase (the whole version-1 form, as python-kucoin sends it), the mistake is \
                 kucoin-passphrase-plain, which only a diagnosis with the secret can confirm (`cexsign diagnose`)",
            ));
        }
        found
    }

    fn key_secret_swapped(&self) -> Option<Option<String>> {
        let secrets = self.ctx.secrets.as_ref()?;
        if ct_str_eq(secrets.secret, self.key) {
            return Some(Some(format!("the {} value is the secret", self.names.key)));
        }
        let api_key = self.ctx.api_key;
        let mut keys: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        if self.layout.decoded_secret {
            keys.extend(rewrite::secret_decodings(api_key));
        }
        keys.push(Zeroizing::new(api_key.as_bytes().to_vec()));
        self.first(keys.iter().map(|k| (Variant { key: KeyChoice::Bytes(k), ..self.raw_variant() }, None)))
            .map(|_| Some("the signature was computed with the API key as the HMAC key".to_owned()))
    }

    // ----------------------------------------------------------------------------------------
    // The signature is right: the remaining header checks, or the correct verdict.

    fn expected_value<'e>(&self, expected: &'e Expected, name: &str) -> Option<&'e str> {
        expected.values.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    // ----------------------------------------------------------------------------------------
    // Signature reconstructions.

    // ----------------------------------------------------------------------------------------
    // No mistake found.
}

/// The explanation of a correct signature: where else a rejection comes from.
pub(crate) fn correct_explanation(scheme: Scheme) -> String {
    let facts = scheme.exchange().diagnosis;
    let stated;
    let window = match facts.window_in_words {
        Some(words) => words,
        None => {
            stated = described_window(scheme);
            &stated
        }
    };
    let extra = if facts.pitfalls.is_empty() { String::new() } else { format!(" {}", facts.pitfalls) };
    format!(
        "The signature is correct for this request and these credentials. A rejection then comes from elsewhere: \
         the timestamp outside the exchange's window ({window}; sync with the server time and sign every attempt \
         afresh), a key without the needed permission, an IP address not on the key's allow-list, or another \
         environment or region than the key's.{extra}"
    )
}

/// The window a scheme's description states, for schemes without their own wording here.
fn described_window(scheme: Scheme) -> String {
    match scheme.exchange().window {
        Some(window) => format!("{} s", window.as_secs()),
        None => "cexsign's description of this exchange states none: see its documentation".to_owned(),
    }
}

/// Whether `query` can go on the wire as it is (what `SignableRequest::with_query` accepts).
fn wire_query_ok(query: &str) -> bool {
    SignableRequest::new(Method::Get, "/").and_then(|r| r.with_query(query)).is_ok()
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Compares two strings in constant time (for their common length; lengths are not secret).
pub(crate) fn ct_str_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

impl MistakeSearch for Diagnoser<'_, '_> {
    fn header_mistake(&self, code: MistakeCode) -> Option<Option<String>> {
        use MistakeCode::*;
        let found = |yes: bool| yes.then_some(None);
        match code {
            OkxDemoHeaderMissing => found(self.demo_key() == Some(true) && self.demo_header() != Some("1")),
            OkxDemoHeaderOnLiveKey => found(self.demo_key() == Some(false) && self.demo_header() == Some("1")),
            KucoinPassphrasePlain => {
                let v2_or_v3 = self.kucoin_version() != KucoinKeyVersion::V1;
                let plain = self.ctx.secrets.as_ref().and_then(|s| s.passphrase);
                found(v2_or_v3 && matches!((plain, self.passphrase), (Some(p), Some(sent)) if ct_str_eq(p, sent)))
            }
            KucoinKeyVersionMismatch => {
                self.kucoin_version_problem().map(|found| Some(self.kucoin_passphrase_note(found)))
            }
            BitgetWsApiKeyField => found(self.is_ws() && self.sent.auth_value(self.names.key).is_none()),
            KeySecretSwapped => self.key_secret_swapped(),
            TimestampMillisecondsForSeconds => {
                let seconds =
                    matches!(self.format, TimestampFormat::UnixSeconds | TimestampFormat::UnixSecondsFraction { .. });
                found(seconds && is_digits(self.timestamp) && self.timestamp.len() >= 13)
            }
            TimestampSecondsForMilliseconds => found(
                self.format == TimestampFormat::UnixMillis && is_digits(self.timestamp) && self.timestamp.len() <= 11,
            ),
            TimestampFormatWrong => {
                let bad = WireTimestamp::parse(self.format, self.timestamp).is_err();
                bad.then(|| Some(format!("{} is {:?}", self.names.timestamp, self.timestamp)))
            }
            _ => None,
        }
    }

    fn when_signature_is_right(&self) -> Option<Diagnosis> {
        let expected = self.expected.as_ref()?;
        if !ct_str_eq(&expected.signature, self.sign) {
            return None;
        }
        if let (Some(name), Some(sent)) = (self.names.passphrase, self.passphrase) {
            if !self.expected_value(expected, name).is_some_and(|value| ct_str_eq(value, sent)) {
                return Some(Diagnosis::mistake(
                    MistakeCode::PassphraseWrong,
                    Some(format!("{name} does not match this key's passphrase")),
                ));
            }
        }
        if self.expected_value(expected, self.names.key).is_none_or(|value| value != self.key) {
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
        Some(Diagnosis::correct(correct_explanation(self.ctx.scheme)))
    }

    fn reconstruct(&self, code: MistakeCode) -> Option<Option<String>> {
        use MistakeCode::*;
        match code {
            HexInsteadOfBase64 | Base64InsteadOfHex => {
                let other = match code {
                    HexInsteadOfBase64 => Encoding::Hex,
                    _ => Encoding::Base64,
                };
                let applies = self.layout.encoding != other && self.mac.encoding == Some(other);
                let mac = if applies { self.mac_of(&self.baseline()) } else { None };
                mac.is_some_and(|mac| self.mac_equals(&mac)).then_some(None)
            }
            SecretNotBase64Decoded => {
                let secrets = self.ctx.secrets.as_ref()?;
                let raw = secrets.secret.as_bytes();
                self.first([(Variant { key: KeyChoice::Bytes(raw), ..self.raw_variant() }, None)])
            }
            SecretBase64Decoded => {
                let decodings = rewrite::secret_decodings(self.ctx.secrets.as_ref()?.secret);
                self.first(decodings.iter().map(|k| (Variant { key: KeyChoice::Bytes(k), ..self.raw_variant() }, None)))
            }
            SecretHexDecoded => {
                let decoded = rewrite::secret_hex_decoding(self.ctx.secrets.as_ref()?.secret)?;
                self.first([(Variant { key: KeyChoice::Bytes(&decoded), ..self.raw_variant() }, None)])
            }
            PassphraseAsSecret => {
                let passphrase = self.ctx.secrets.as_ref()?.passphrase?;
                let mut keys = vec![Zeroizing::new(passphrase.as_bytes().to_vec())];
                if self.layout.decoded_secret {
                    keys.extend(rewrite::secret_decodings(passphrase));
                }
                self.first(keys.iter().map(|k| (Variant { key: KeyChoice::Bytes(k), ..self.raw_variant() }, None)))
            }
            HmacArgumentsSwapped => self.first([(Variant { args_swapped: true, ..self.raw_variant() }, None)]),
            MethodLowercase => {
                let lower = self.method.to_ascii_lowercase();
                self.first([(Variant { method: Cow::Owned(lower), ..self.raw_variant() }, None)])
            }
            QueryNotSigned => {
                self.signed_query.as_ref()?;
                self.first([(Variant { query: None, request: Some(Cow::Borrowed("")), ..self.baseline() }, None)])
            }
            QuerySigned => {
                if self.query.is_empty() {
                    return None;
                }
                let variant = Variant { query: Some(Cow::Borrowed(self.query)), ..self.raw_variant() };
                self.first([(variant, None)])
            }
            QuerySignedWithoutQuestionMark => {
                self.signed_query.as_ref()?;
                self.first([(Variant { question_mark: false, ..self.raw_variant() }, None)])
            }
            QuestionMarkWithoutQuery => {
                if !self.query.is_empty() {
                    return None;
                }
                self.first([(Variant { query: Some(Cow::Borrowed("")), ..self.raw_variant() }, None)])
            }
            QuerySignedUnencoded => {
                let decoded = crate::decode_query(self.query).ok()?;
                if decoded == self.query {
                    return None;
                }
                let request = wire_query_ok(&decoded).then(|| Cow::Owned(decoded.to_string()));
                let variant = Variant { query: Some(Cow::Owned(decoded.into_owned())), request, ..self.baseline() };
                self.first([(variant, None)])
            }
            QuerySignedEncoded => {
                let decoded = self.signed_query.as_deref()?;
                if decoded == self.query {
                    return None;
                }
                let request = Some(Cow::Owned(rewrite::kucoin_wire_for(self.query)));
                self.first([(Variant { query: Some(Cow::Borrowed(self.query)), request, ..self.baseline() }, None)])
            }
            QueryEncodingDiffers => {
                if self.query.is_empty() {
                    return None;
                }
                let candidates = rewrite::query_encodings(self.query);
                self.first(candidates.into_iter().map(|signed| {
                    let detail = Some(format!("signed query: {signed}"));
                    let request = wire_query_ok(&signed).then(|| Cow::Owned(signed.clone()));
                    (Variant { query: Some(Cow::Owned(signed)), request, ..self.baseline() }, detail)
                }))
            }
            QueryOrderDiffers => {
                let candidates = rewrite::query_orders(self.query);
                self.first(self.share(candidates).filter_map(|order| {
                    let keys: Vec<&str> =
                        rewrite::query_pairs(&order).iter().map(|p| p.split_once('=').map_or(*p, |(k, _)| k)).collect();
                    let detail = Some(format!("signed in the order {}", keys.join(", ")));
                    let query = match self.layout.query {
                        QueryMode::Decoded => crate::decode_query(&order).ok()?.into_owned(),
                        _ => order.clone(),
                    };
                    Some((
                        Variant { query: Some(Cow::Owned(query)), request: Some(Cow::Owned(order)), ..self.baseline() },
                        detail,
                    ))
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
                self.first([(Variant { body: Cow::Borrowed(body), ..self.baseline() }, Some(detail.to_owned()))])
            }
            BodyReserialized => {
                let candidates = rewrite::body_variants(self.body);
                self.first(candidates.into_iter().map(|(body, what)| {
                    (Variant { body: Cow::Owned(body), ..self.baseline() }, Some(format!("the body signed was {what}")))
                }))
            }
            PathMissingLeadingSlash => {
                let path = self.path.strip_prefix('/')?;
                self.first([(Variant { path: Cow::Borrowed(path), ..self.raw_variant() }, None)])
            }
            PathIncludesHost => {
                let mut hosts: Vec<&str> = Vec::new();
                hosts.extend(self.given_host.as_deref());
                hosts.extend(self.ctx.hosts.iter().map(String::as_str));
                hosts.extend(self.ctx.scheme.exchange().hosts);
                hosts.dedup();
                let candidates = hosts.into_iter().flat_map(|host| {
                    ["https://", "http://", ""].into_iter().map(move |prefix| format!("{prefix}{host}"))
                });
                self.first(candidates.map(|prefix| {
                    let detail = Some(format!("the prehash path started with {prefix}"));
                    (Variant { path: Cow::Owned(format!("{prefix}{}", self.path)), ..self.raw_variant() }, detail)
                }))
            }
            DeltaWrongOrder => self.first([(Variant { order: TIMESTAMP_FIRST, ..self.raw_variant() }, None)]),
            PrehashOrderWrong => {
                const ALL_ORDERS: [[Slot; 3]; 6] = [
                    [Slot::Timestamp, Slot::Method, Slot::Path],
                    [Slot::Timestamp, Slot::Path, Slot::Method],
                    [Slot::Method, Slot::Timestamp, Slot::Path],
                    [Slot::Method, Slot::Path, Slot::Timestamp],
                    [Slot::Path, Slot::Timestamp, Slot::Method],
                    [Slot::Path, Slot::Method, Slot::Timestamp],
                ];
                // The order an earlier, more specific mistake (Delta's) already looked for.
                let delta_order = DeltaWrongOrder.applies_to(self.ctx.scheme).then_some(TIMESTAMP_FIRST);
                let orders =
                    ALL_ORDERS.into_iter().filter(|order| *order != self.layout.order && Some(*order) != delta_order);
                self.first(orders.map(|order| {
                    let names: Vec<&str> = order
                        .iter()
                        .map(|slot| match slot {
                            Slot::Timestamp => "timestamp",
                            Slot::Method => "method",
                            Slot::Path => "path",
                        })
                        .collect();
                    (Variant { order, ..self.raw_variant() }, Some(format!("signed as {}", names.join(" + "))))
                }))
            }
            TimestampHeaderDiffers => {
                // In the format the header is actually written in (Coinbase Exchange: with as many
                // fractional digits as it has).
                let format = WireTimestamp::parse(self.format, self.timestamp).ok()?.format();
                let candidates = rewrite::nearby_timestamps(format, self.timestamp)?;
                // Nearest first: a large body shortens the search, not its start.
                self.first(self.share(candidates.into_iter()).map(|timestamp| {
                    let detail = Some(format!("the prehash used {timestamp}, the header {}", self.timestamp));
                    (Variant { timestamp: Cow::Owned(timestamp), ..self.baseline() }, detail)
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
                    let same = self.sent.auth_value(name).is_some_and(|sent| ct_str_eq(sent, value));
                    if !same {
                        differing.push(if self.is_ws() { name.clone() } else { display_name(self.ctx.scheme, name) });
                    }
                }
                expected.prehash.clone()
            }
            None => {
                differing.push(self.names.timestamp.to_owned());
                differing.push(self.names.signature.to_owned());
                self.keys.as_ref().map(|_| Prehash::new(self.baseline().parts().to_vec()))
            }
        };
        let mut explanation = String::from(
            "No mistake in the catalogue reproduces the signature sent. Compare the expected prehash byte for byte \
             with the one your code signed (body bytes, query order and encoding, method case, timestamp text), and \
             check that the secret is the one that belongs to this API key.",
        );
        if !differing.is_empty() {
            explanation.push_str(&format!(" Differing: {}.", differing.join(", ")));
        }
        if self.keys.is_none() {
            explanation.push_str(
                " (Mistakes in how the secret is used — key and secret swapped, a decoded secret, the passphrase as \
                 the key, a lower-case method, another prehash order — are checked only with the raw credentials: run \
                 `cexsign diagnose`.)",
            );
        }
        Diagnosis::unknown(prehash, differing, explanation)
    }
}

#[cfg(test)]
mod tests {
    use hmac::{KeyInit as _, Mac as _};

    use super::*;
    use crate::{Credentials, Timestamp};

    /// (scheme, credentials, the HMAC key bytes), AUTH.md's fake keys.
    fn keys() -> Vec<(Scheme, Credentials, Vec<u8>)> {
        let cb_secret = "3Mo69ouxWw+EaVHXlArOsO0jGrKt8/g6PaDAIFwwYsHWzAfA3aVOlpo+8nX8i0tsgb08o1VDlHib7tPuVSP08g==";
        let c = |key: &str, secret: &str, passphrase: Option<&str>| {
            let credentials = Credentials::new().api_key(key).secret(secret);
            match passphrase {
                Some(p) => credentials.passphrase(p),
                None => credentials,
            }
        };
        vec![
            (
                Scheme::Okx,
                c("985d5b66-57ce-40fb-b714-afc0b9787083", "22582BD0CFF14C41EDBF1AB98506286D", Some("Passphrase1!")),
                b"22582BD0CFF14C41EDBF1AB98506286D".to_vec(),
            ),
            (
                Scheme::Kucoin,
                c("6422da9c97b45100018c6e62", "cde06451-dbed", Some("1111111")),
                b"cde06451-dbed".to_vec(),
            ),
            (
                Scheme::Delta,
                c(
                    "a207900b7693435a8fa9230a38195d",
                    "7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f",
                    None,
                ),
                b"7b6f39dcf660ec1c7c664f612c60410a2bd0c258416b498bf0311f94228f".to_vec(),
            ),
            (
                Scheme::CoinbaseExchange,
                c("0123456789abcdef0123456789abcdef", cb_secret, Some("testpassphrase")),
                base64::engine::general_purpose::STANDARD.decode(cb_secret).unwrap(),
            ),
            (
                Scheme::CoinbaseAdvancedHmac,
                c("4wRFpLxVyT8hZ2Qn", "kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA", None),
                b"kZ3mQ9vX1pL7tR2wY8nB4cD6fG0hJ5sA".to_vec(),
            ),
            (
                Scheme::Bitget,
                c(
                    "bg_0123456789abcdef0123456789abcdef",
                    "f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1",
                    Some("Passphrase1#"),
                ),
                b"f3a1c0e29b7d4c58a6e2f91b3d7c5a08e4b6f2d9c1a3e5b7d9f0a2c4e6b8d0f1".to_vec(),
            ),
        ]
    }

    /// (with the raw credentials, as the local exchange: the key's signer only).
    fn both(scheme: Scheme, credentials: &Credentials, sent: &SentRequest) -> (Option<MistakeCode>, Diagnosis) {
        let full = crate::diagnose::diagnose(scheme, credentials, sent).unwrap().code();
        let signer_only = crate::diagnose::with_context(scheme, credentials, sent, |ctx| {
            let signer_only = ctx.signer_only();
            diagnose(&signer_only, sent, &Meter::new(crate::diagnose::Budget::default())).unwrap()
        })
        .unwrap();
        (full, signer_only)
    }

    /// A user's prehash, built by hand with `tail` after the path, MACed with the raw key, sent
    /// with the other auth headers the key's signer gives the request.
    fn sent_with_tail(
        scheme: Scheme,
        credentials: &Credentials,
        key: &[u8],
        method: &str,
        tail: &str,
        query: &str,
    ) -> SentRequest {
        let path = "/api/orders";
        let at = Timestamp::from_unix_millis(1_700_000_000_123);
        let signer = crate::diagnose::with_context(scheme, credentials, &SentRequest::rest("GET", path), |ctx| {
            let request = SignableRequest::new(Method::Get, path).unwrap().with_query(query).unwrap();
            ctx.signer.sign(&request, at).unwrap()
        })
        .unwrap();
        let timestamp = signer.timestamp().to_owned();
        let prehash = match scheme {
            Scheme::Delta => format!("{method}{timestamp}{path}{tail}"),
            _ => format!("{timestamp}{method}{path}{tail}"),
        };
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        mac.update(prehash.as_bytes());
        let mac = mac.finalize().into_bytes();
        let signature = match scheme {
            Scheme::Delta | Scheme::CoinbaseAdvancedHmac => hex::encode(mac),
            _ => base64::engine::general_purpose::STANDARD.encode(mac),
        };
        let sign_header = names(scheme, false).signature;
        SentRequest::rest(method, path).with_query(query).with_signed(&signer).with_auth(sign_header, &signature)
    }

    /// Mistakes after the path that no request reproduces — a raw space in the signed query, the
    /// query signed without its `?`, a `?` with no query — are named without the raw secret too:
    /// the tail after the path is signed as a body. A lower-case method is not: it is in the
    /// prehash's head, which the signer always writes upper-case.
    #[test]
    fn mistakes_after_the_path_are_named_without_the_secret() {
        let query = "symbol=BTC-USDT&note=a%20b";
        let decoded = "symbol=BTC-USDT&note=a b";
        for (scheme, credentials, key) in keys() {
            let signs_decoded = matches!(scheme, Scheme::Kucoin | Scheme::Bitget);
            let mut cases: Vec<(MistakeCode, &str, String, &str)> = Vec::new();
            if scheme == Scheme::CoinbaseAdvancedHmac {
                cases.push((MistakeCode::QuerySigned, "GET", format!("?{query}"), query));
            } else {
                let signed = if signs_decoded { decoded } else { query };
                cases.push((MistakeCode::QuerySignedWithoutQuestionMark, "GET", signed.to_owned(), query));
            }
            if !signs_decoded && scheme != Scheme::CoinbaseAdvancedHmac {
                cases.push((MistakeCode::QuerySignedUnencoded, "GET", format!("?{decoded}"), query));
            }
            if scheme == Scheme::Bitget {
                cases.push((MistakeCode::QuestionMarkWithoutQuery, "GET", "?".to_owned(), ""));
            }
            for (code, method, tail, query) in cases {
                let sent = sent_with_tail(scheme, &credentials, &key, method, &tail, query);
                let (full, signer_only) = both(scheme, &credentials, &sent);
                assert_eq!(full, Some(code), "{scheme:?} {code:?} with the secret");
                assert_eq!(signer_only.code(), Some(code), "{scheme:?} {code:?} without it: {signer_only}");
            }
            // The right tail with the method in lower case: named with the secret only.
            let right = match scheme {
                Scheme::CoinbaseAdvancedHmac => String::new(),
                _ if signs_decoded => format!("?{decoded}"),
                _ => format!("?{query}"),
            };
            let sent = sent_with_tail(scheme, &credentials, &key, "get", &right, query);
            let (full, signer_only) = both(scheme, &credentials, &sent);
            assert_eq!(full, Some(MistakeCode::MethodLowercase), "{scheme:?}");
            assert_eq!(signer_only.verdict(), "unknown", "{scheme:?}: {signer_only}");
            assert!(signer_only.explanation().contains("lower-case method"), "{scheme:?}: {signer_only}");
        }
    }
}
