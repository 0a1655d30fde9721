//! The transformations buggy client code applies between signing and sending, reproduced from
//! what was sent: other JSON serialisations of the body, other percent-encodings and orders of
//! the query, decodings of the secret, nearby timestamps.
//!
//! Each function returns candidates only: the diagnosis keeps the one (if any) whose signature
//! equals the one sent. Nothing here sees a secret except [`secret_decodings`], which returns
//! key bytes in zeroizing buffers.

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::{Timestamp, TimestampFormat};

/// How a re-serialisation writes its separators and non-ASCII characters.
#[derive(Debug, Clone, Copy)]
struct Style {
    /// `","` or `", "`.
    item: &'static str,
    /// `":"` or `": "`.
    key: &'static str,
    /// Indentation per level (pretty printing), which also puts each item on its own line.
    indent: Option<usize>,
    escapes: Escapes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escapes {
    /// Strings copied as they are.
    Keep,
    /// Non-ASCII characters written as `\uXXXX` (UTF-16 units), lower-case hex (Python's
    /// `ensure_ascii`) or upper-case.
    Ascii { upper: bool },
    /// `\uXXXX` escapes of non-ASCII characters written as the raw UTF-8 characters.
    Raw,
}

/// The JSON serialisations of `body` that client code commonly signs instead of the one it
/// sends (or sends instead of the one it signs), each with a short description. Empty when
/// `body` is not JSON. Key order is preserved except in the explicitly sorted variants.
pub(crate) fn body_variants(body: &[u8]) -> Vec<(Vec<u8>, &'static str)> {
    let Ok(text) = std::str::from_utf8(body) else { return Vec::new() };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else { return Vec::new() };
    if !value.is_object() && !value.is_array() {
        return Vec::new();
    }
    let compact = |escapes| Style { item: ",", key: ":", indent: None, escapes };
    let spaced = |escapes| Style { item: ", ", key: ": ", indent: None, escapes };
    let pretty = |indent, escapes| Style { item: ",", key: ": ", indent: Some(indent), escapes };
    let styles: [(Style, &'static str); 10] = [
        (compact(Escapes::Keep), "compact, without spaces"),
        (
            spaced(Escapes::Ascii { upper: false }),
            "with spaces after ':' and ',' and \\uXXXX escapes (Python's json.dumps default)",
        ),
        (spaced(Escapes::Keep), "with spaces after ':' and ','"),
        (compact(Escapes::Ascii { upper: false }), "compact with \\uXXXX escapes of non-ASCII characters"),
        (compact(Escapes::Ascii { upper: true }), "compact with upper-case \\uXXXX escapes of non-ASCII characters"),
        (compact(Escapes::Raw), "compact with non-ASCII characters unescaped"),
        (spaced(Escapes::Raw), "with spaces after ':' and ',' and non-ASCII characters unescaped"),
        (pretty(2, Escapes::Keep), "pretty-printed with a 2-space indent"),
        (pretty(4, Escapes::Keep), "pretty-printed with a 4-space indent"),
        (pretty(2, Escapes::Ascii { upper: false }), "pretty-printed with a 2-space indent and \\uXXXX escapes"),
    ];
    let mut out: Vec<(Vec<u8>, &'static str)> = Vec::new();
    let mut push = |candidate: String, what: &'static str| {
        let bytes = candidate.into_bytes();
        if bytes != body && !out.iter().any(|(seen, _)| *seen == bytes) {
            out.push((bytes, what));
        }
    };
    for (style, what) in styles {
        push(reformat(text, style), what);
    }
    // serde_json's map is ordered by key: this is the sorted-keys serialisation.
    let sorted = serde_json::to_string(&value).unwrap_or_default();
    push(reformat(&sorted, spaced(Escapes::Ascii { upper: false })), "with keys sorted (json.dumps(sort_keys=True))");
    push(sorted, "with keys sorted, compact");
    // The fields signed as a query would be (a client that signs every request's parameters
    // the same way), where they are all plain values.
    if let Some(fields) = value.as_object() {
        let mut names: Vec<&String> = fields.keys().collect();
        names.sort_unstable();
        let pairs: Option<Vec<String>> = names
            .into_iter()
            .map(|name| match &fields[name] {
                serde_json::Value::String(text) => Some(format!("{name}={text}")),
                serde_json::Value::Number(number) => Some(format!("{name}={number}")),
                serde_json::Value::Bool(yes) => Some(format!("{name}={yes}")),
                _ => None,
            })
            .collect();
        if let Some(pairs) = pairs.filter(|pairs| !pairs.is_empty()) {
            push(pairs.join("&"), "as its fields' k=v pairs sorted by name, not its JSON text");
        }
    }
    out
}

/// Re-emits the JSON text `text` token by token in `style`: whitespace outside strings is
/// dropped and separators rewritten; strings, numbers and literals are kept verbatim except for
/// the escapes `style` changes. `text` must be valid JSON (checked by the caller).
fn reformat(text: &str, style: Style) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut depth = 0usize;
    let mut chars = text.char_indices().peekable();
    let newline = |out: &mut String, depth: usize| {
        if let Some(width) = style.indent {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', width * depth));
        }
    };
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let end = string_end(text, i);
                write_string(&text[i..end], style.escapes, &mut out);
                while chars.peek().is_some_and(|(j, _)| *j < end) {
                    chars.next();
                }
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                let next = text[i + 1..].trim_start().chars().next();
                if next == Some(close) {
                    // An empty container stays `{}` / `[]` in every style.
                    let skip = text[i + 1..].find(close).map_or(0, |p| p + 1);
                    out.push(close);
                    for _ in 0..skip {
                        chars.next();
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                if style.indent.is_some() {
                    out.push(',');
                    newline(&mut out, depth);
                } else {
                    out.push_str(style.item);
                }
            }
            ':' => out.push_str(style.key),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// The byte offset just past the string literal starting at `start` (a `"`).
fn string_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Writes one string literal (quotes included) with `escapes` applied.
fn write_string(literal: &str, escapes: Escapes, out: &mut String) {
    match escapes {
        Escapes::Keep => out.push_str(literal),
        Escapes::Ascii { upper } => {
            for c in literal.chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        if upper {
                            out.push_str(&format!("\\u{unit:04X}"));
                        } else {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                }
            }
        }
        Escapes::Raw => {
            let bytes = literal.as_bytes();
            let mut i = 0;
            while i < literal.len() {
                if bytes[i] == b'\\' {
                    if let Some((c, used)) = unicode_escape(&literal[i..]) {
                        out.push(c);
                        i += used;
                        continue;
                    }
                    // Any other escape is kept, with the character it escapes.
                    let next = literal[i + 1..].chars().next().map_or(0, char::len_utf8);
                    out.push_str(&literal[i..i + 1 + next]);
                    i += 1 + next;
                    continue;
                }
                let c = literal[i..].chars().next().unwrap_or('\u{fffd}');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
}

/// A `\uXXXX` escape (or surrogate pair) at the start of `text` naming a non-ASCII character:
/// the character and the bytes used. ASCII escapes (`\u0022`, control characters) are left to
/// the caller, which keeps them.
fn unicode_escape(text: &str) -> Option<(char, usize)> {
    let unit = |at: usize| -> Option<u32> {
        let hex = text.get(at..at + 6)?;
        let digits = hex.strip_prefix("\\u")?;
        u32::from_str_radix(digits, 16).ok()
    };
    let first = unit(0)?;
    if first < 0x80 {
        return None;
    }
    if (0xD800..0xDC00).contains(&first) {
        let second = unit(6)?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
        return char::from_u32(code).map(|c| (c, 12));
    }
    char::from_u32(first).map(|c| (c, 6))
}

/// The wire query split into `key=value` pairs (no pair for an empty query).
pub(crate) fn query_pairs(query: &str) -> Vec<&str> {
    if query.is_empty() { Vec::new() } else { query.split('&').collect() }
}

/// Other orders of the query's parameters, drawn lazily: sorted by key, sorted by text, then
/// (at most six pairs) every distinct permutation, each order once and the sent one left out.
/// Nothing is built before it is asked for: the caller's budget bounds the work.
pub(crate) fn query_orders(query: &str) -> impl Iterator<Item = String> + '_ {
    let pairs = query_pairs(query);
    let mut fixed = Vec::new();
    if pairs.len() >= 2 {
        let mut sorted = pairs.clone();
        sorted.sort_by_key(|pair| pair.split_once('=').map_or(*pair, |(key, _)| key));
        let mut by_text = pairs.clone();
        by_text.sort_unstable();
        fixed = vec![sorted.join("&"), by_text.join("&")];
    }
    // A permutation of a multiset, as indices into its distinct pairs: stepping through the
    // lexicographic orders of the sorted indices visits each distinct order once.
    let mut permutations = (2..=6).contains(&pairs.len()).then(|| {
        let mut distinct = pairs.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let ids: Vec<usize> = {
            let mut ids: Vec<usize> =
                pairs.iter().map(|pair| distinct.binary_search(pair).unwrap_or_default()).collect();
            ids.sort_unstable();
            ids
        };
        (distinct, ids, true)
    });
    let mut skip: Vec<String> = vec![query.to_owned()];
    let mut fixed = fixed.into_iter();
    std::iter::from_fn(move || {
        loop {
            if let Some(candidate) = fixed.next() {
                if !skip.contains(&candidate) {
                    skip.push(candidate.clone());
                    return Some(candidate);
                }
                continue;
            }
            let (distinct, ids, first) = permutations.as_mut()?;
            if !std::mem::take(first) && !next_permutation(ids) {
                permutations = None;
                return None;
            }
            let candidate = ids.iter().map(|&i| distinct[i]).collect::<Vec<_>>().join("&");
            if !skip.contains(&candidate) {
                return Some(candidate);
            }
        }
    })
}

/// Steps `items` to its next lexicographic order; `false` after the last one.
fn next_permutation(items: &mut [usize]) -> bool {
    let Some(i) = items.windows(2).rposition(|w| w[0] < w[1]) else { return false };
    let j = items.iter().rposition(|&x| x > items[i]).expect("a larger item follows position i");
    items.swap(i, j);
    items[i + 1..].reverse();
    true
}

/// Which characters an encoder leaves alone, and how it writes a space.
#[derive(Clone, Copy)]
struct Encoder {
    unreserved: &'static str,
    space_as_plus: bool,
}

/// Python's `urlencode` (`quote_plus`), `urlencode(quote_via=quote)`, JavaScript's
/// `encodeURIComponent`, and the WHATWG form encoding of `URLSearchParams`.
const ENCODERS: [Encoder; 4] = [
    Encoder { unreserved: "_.-~", space_as_plus: true },
    Encoder { unreserved: "_.-~", space_as_plus: false },
    Encoder { unreserved: "-_.!~*'()", space_as_plus: false },
    Encoder { unreserved: "*-._", space_as_plus: true },
];

fn encode_component(text: &str, encoder: Encoder, out: &mut String) {
    for byte in text.bytes() {
        match byte {
            b' ' if encoder.space_as_plus => out.push('+'),
            b if b.is_ascii_alphanumeric() || encoder.unreserved.as_bytes().contains(&b) => out.push(char::from(b)),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
}

/// The sent query re-encoded the ways HTTP libraries encode parameters, plus the sent text with
/// its escapes in the other hex case and with `+` and `%20` swapped. Each differs from `query`
/// in encoding only: decoded, they all name the same parameters.
pub(crate) fn query_encodings(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |candidate: String| {
        if candidate != query && !out.contains(&candidate) {
            out.push(candidate);
        }
    };
    let pairs = query_pairs(query);
    let decoded: Option<Vec<(String, Option<String>)>> = pairs
        .iter()
        .map(|pair| {
            let (key, value) = match pair.split_once('=') {
                Some((key, value)) => (key, Some(value)),
                None => (*pair, None),
            };
            let key = crate::decode_query(key).ok()?.into_owned();
            let value = match value {
                Some(value) => Some(crate::decode_query(value).ok()?.into_owned()),
                None => None,
            };
            Some((key, value))
        })
        .collect();
    if let Some(decoded) = decoded {
        for encoder in ENCODERS {
            let mut text = String::with_capacity(query.len() * 2);
            for (i, (key, value)) in decoded.iter().enumerate() {
                if i > 0 {
                    text.push('&');
                }
                encode_component(key, encoder, &mut text);
                if let Some(value) = value {
                    text.push('=');
                    encode_component(value, encoder, &mut text);
                }
            }
            push(text);
        }
    }
    push(escapes_in_case(query, false));
    push(escapes_in_case(query, true));
    push(query.replace('+', "%20"));
    push(query.replace("%20", "+"));
    out
}

/// `text` percent-encoded the ways HTTP libraries encode a parameter value (see
/// [`query_encodings`]), each once, without `text` itself.
pub(crate) fn component_encodings(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for encoder in ENCODERS {
        let mut encoded = String::with_capacity(text.len() * 3);
        encode_component(text, encoder, &mut encoded);
        if encoded != text && !out.contains(&encoded) {
            out.push(encoded);
        }
    }
    out
}

/// `text` with only its percent-encoded non-ASCII characters decoded (`%E9%BE%99` as `龙`, `%2C`
/// kept): what code that signs raw UTF-8 but lets the HTTP client encode the rest produces.
/// `None` when there is no such escape.
pub(crate) fn decode_non_ascii(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let hex_at = |i: usize| -> Option<u8> {
        let digits = text.get(i + 1..i + 3)?;
        if bytes.get(i) == Some(&b'%') { u8::from_str_radix(digits, 16).ok() } else { None }
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut changed = false;
    while i < bytes.len() {
        // A run of escapes of bytes >= 0x80, decoded together when it is UTF-8.
        let mut run = Vec::new();
        let mut j = i;
        while let Some(byte) = hex_at(j).filter(|b| *b >= 0x80) {
            run.push(byte);
            j += 3;
        }
        if !run.is_empty() {
            match String::from_utf8(run) {
                Ok(decoded) => {
                    out.push_str(&decoded);
                    changed = true;
                }
                Err(_) => out.push_str(&text[i..j]),
            }
            i = j;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(c);
        i += c.len_utf8();
    }
    changed.then_some(out)
}

/// `query` with the hex digits of its `%XX` escapes in lower or upper case.
fn escapes_in_case(query: &str, upper: bool) -> String {
    let mut out = String::with_capacity(query.len());
    let mut rest = 0usize;
    let bytes = query.as_bytes();
    while rest < bytes.len() {
        if bytes[rest] == b'%' && bytes.get(rest + 1..rest + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
        {
            let digits = &query[rest + 1..rest + 3];
            out.push('%');
            out.push_str(&if upper { digits.to_ascii_uppercase() } else { digits.to_ascii_lowercase() });
            rest += 3;
        } else {
            let c = query[rest..].chars().next().unwrap_or('\u{fffd}');
            out.push(c);
            rest += c.len_utf8();
        }
    }
    out
}

/// A wire query whose KuCoin-style decoding is exactly `text`: `%` and `+` escaped, and
/// whatever a wire query cannot carry percent-encoded.
pub(crate) fn kucoin_wire_for(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for byte in text.bytes() {
        match byte {
            b'%' | b'+' | b'#' => out.push_str(&format!("%{byte:02X}")),
            b if b.is_ascii_graphic() => out.push(char::from(b)),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A decoder as forgiving as Node's `Buffer.from(text, "base64")`: padding optional, stray
/// trailing bits ignored.
const FORGIVING: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The byte strings a base64 decoder turns the secret into: strict standard base64, URL-safe,
/// Python's lenient `b64decode` (characters outside the alphabet dropped) and Node's forgiving
/// decoder. Only the ones that decode, each once, and none equal to the secret's own bytes.
pub(crate) fn secret_decodings(secret: &str) -> Vec<Zeroizing<Vec<u8>>> {
    use base64::engine::general_purpose::{STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT};
    let lenient: Zeroizing<String> = Zeroizing::new(
        secret.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/' || *c == '=').collect(),
    );
    let attempts = [
        STANDARD_PAD_INDIFFERENT.decode(secret),
        URL_SAFE_PAD_INDIFFERENT.decode(secret),
        STANDARD_PAD_INDIFFERENT.decode(lenient.as_bytes()),
        FORGIVING.decode(secret),
        FORGIVING.decode(lenient.as_bytes()),
    ];
    let mut out: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    for bytes in attempts.into_iter().flatten() {
        let bytes = Zeroizing::new(bytes);
        if !bytes.is_empty() && bytes.as_slice() != secret.as_bytes() && !out.iter().any(|seen| **seen == *bytes) {
            out.push(bytes);
        }
    }
    out
}

/// The secret hex-decoded, when it is hex.
pub(crate) fn secret_hex_decoding(secret: &str) -> Option<Zeroizing<Vec<u8>>> {
    hex::decode(secret).ok().filter(|bytes| !bytes.is_empty()).map(Zeroizing::new)
}

/// Timestamps near `sent` in the same format, nearest first: what a second clock reading a
/// moment before or after the header's would give. `None` when `sent` does not parse.
pub(crate) fn nearby_timestamps(format: TimestampFormat, sent: &str) -> Option<Vec<String>> {
    use std::time::Duration;
    let at = format.parse(sent).ok()?;
    let (step, count) = match format {
        TimestampFormat::UnixSeconds => (Duration::from_secs(1), 60u32),
        TimestampFormat::UnixSecondsFraction { digits } => {
            (Duration::from_nanos(10u64.pow(9u32.saturating_sub(u32::from(digits)))), 2000)
        }
        TimestampFormat::UnixMillis | TimestampFormat::Iso8601Millis => (Duration::from_millis(1), 2000),
        TimestampFormat::UnixMicros => (Duration::from_micros(1), 2000),
    };
    let base = at.duration_since_epoch();
    let mut out = Vec::with_capacity(2 * count as usize);
    for n in 1..=count {
        let delta = step * n;
        for candidate in [base.checked_add(delta), base.checked_sub(delta)].into_iter().flatten() {
            if let Ok(text) = format.render(Timestamp::from_duration_since_epoch(candidate)) {
                out.push(text);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variants(body: &str) -> Vec<String> {
        body_variants(body.as_bytes()).into_iter().map(|(b, _)| String::from_utf8(b).unwrap()).collect()
    }

    #[test]
    fn python_default_serialisation_is_reproduced() {
        let compact = r#"{"instId":"BTC-USDT","px":"2.15","sz":2,"tags":["a","b"],"o":{}}"#;
        let all = variants(compact);
        assert!(
            all.contains(&r#"{"instId": "BTC-USDT", "px": "2.15", "sz": 2, "tags": ["a", "b"], "o": {}}"#.to_owned())
        );
        assert!(!all.contains(&compact.to_owned()), "the sent body itself is not a candidate");
        // And back: a spaced body sent, the compact one signed.
        let spaced = r#"{"instId": "BTC-USDT", "sz": 2}"#;
        assert!(variants(spaced).contains(&r#"{"instId":"BTC-USDT","sz":2}"#.to_owned()));
    }

    #[test]
    fn non_ascii_escapes_both_ways() {
        let raw = r#"{"remark":"龙 🦀","q":"a\"b"}"#;
        let all = variants(raw);
        assert!(all.contains(&r#"{"remark":"\u9f99 \ud83e\udd80","q":"a\"b"}"#.to_owned()), "{all:?}");
        assert!(all.contains(&r#"{"remark":"\u9F99 \uD83E\uDD80","q":"a\"b"}"#.to_owned()), "{all:?}");
        let escaped = r#"{"remark":"\u9f99 \ud83e\udd80","q":"a\"b\u0001"}"#;
        assert!(variants(escaped).contains(&r#"{"remark":"龙 🦀","q":"a\"b\u0001"}"#.to_owned()));
    }

    #[test]
    fn pretty_and_sorted_forms() {
        let all = variants(r#"{"b":[1,2],"a":{"c":null}}"#);
        assert!(all.contains(&"{\n  \"b\": [\n    1,\n    2\n  ],\n  \"a\": {\n    \"c\": null\n  }\n}".to_owned()));
        assert!(all.contains(&r#"{"a":{"c":null},"b":[1,2]}"#.to_owned()));
        assert!(all.contains(&r#"{"a": {"c": null}, "b": [1, 2]}"#.to_owned()));
        assert!(variants("not json").is_empty());
        assert!(variants("12").is_empty());
    }

    #[test]
    fn query_orders_and_encodings() {
        let orders: Vec<String> = query_orders("b=2&a=1&c=3").collect();
        assert_eq!(orders[0], "a=1&b=2&c=3");
        assert_eq!(orders.len(), 5, "{orders:?}");
        assert_eq!(query_orders("a=1").count(), 0);
        // Equal pairs: each distinct order once.
        assert_eq!(query_orders("a=1&a=1&b=2").collect::<Vec<_>>(), ["a=1&b=2&a=1", "b=2&a=1&a=1"]);
        // Twelve pairs: the two sorted orders, no permutations.
        let twelve: Vec<String> = (0..12).rev().map(|i| format!("k{i:02}=v")).collect();
        assert_eq!(query_orders(&twelve.join("&")).count(), 1);
        let encodings = query_encodings("product_ids=27,139&states=open");
        assert!(encodings.contains(&"product_ids=27%2C139&states=open".to_owned()), "{encodings:?}");
        assert!(query_encodings("a=%2c").contains(&"a=%2C".to_owned()));
        assert!(query_encodings("a=x+y").contains(&"a=x%20y".to_owned()));
    }

    #[test]
    fn non_ascii_escapes_alone_are_decoded() {
        assert_eq!(decode_non_ascii("symbol=%E9%BE%99%E8%99%BEUSDT&a=%2C").unwrap(), "symbol=龙虾USDT&a=%2C");
        assert!(decode_non_ascii("a=%2C&b=c").is_none());
        // Not UTF-8: kept as it is.
        assert!(decode_non_ascii("a=%FF").is_none());
        assert_eq!(component_encodings("a b,c")[0], "a+b%2Cc");
        assert!(component_encodings("abc").is_empty());
    }

    #[test]
    fn kucoin_wire_round_trips() {
        for text in ["passphrase=abc!@#11", "a=50%&b=x+y", "q=a b"] {
            assert_eq!(crate::decode_query(&kucoin_wire_for(text)).unwrap(), text);
        }
    }

    #[test]
    fn secret_decodings_are_python_lenient() {
        assert!(secret_decodings("cde06451-dbed").iter().any(|b| b.len() == 9));
        assert_eq!(secret_hex_decoding("22582BD0CFF14C41EDBF1AB98506286D").unwrap().len(), 16);
        assert!(secret_hex_decoding("cde06451-dbed").is_none());
    }

    #[test]
    fn nearby_timestamps_keep_the_format() {
        let near = nearby_timestamps(TimestampFormat::Iso8601Millis, "2020-12-08T09:08:57.715Z").unwrap();
        assert_eq!(&near[..2], ["2020-12-08T09:08:57.716Z", "2020-12-08T09:08:57.714Z"]);
        let near = nearby_timestamps(TimestampFormat::UnixSecondsFraction { digits: 3 }, "1700000000.123").unwrap();
        assert_eq!(near[0], "1700000000.124");
        assert!(nearby_timestamps(TimestampFormat::UnixMillis, "x").is_none());
    }
}
