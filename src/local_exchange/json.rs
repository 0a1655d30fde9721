//! A small JSON writer for response bodies that keeps fields in the order they are written.
//!
//! The exchanges' bodies have a field order (`{"msg":…,"code":…}` for OKX, `{"code":…,"msg":…}`
//! for KuCoin) and some numbers must be written verbatim (Coinbase Exchange's decimal `epoch`).
//! `serde_json::Value` sorts keys unless a feature elsewhere in the build turns `preserve_order`
//! on, so the bodies are written with this instead.

use std::borrow::Cow;

/// One JSON value, written in the order it was built.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    /// A string, escaped when written.
    Str(String),
    /// An integer.
    Int(i128),
    /// A number written exactly as given (digits, optional `.` and fraction; built here only).
    Number(String),
    /// `true` / `false`.
    Bool(bool),
    /// An array.
    Array(Vec<Json>),
    /// An object, fields in insertion order.
    Object(Vec<(Cow<'static, str>, Json)>),
}

impl Json {
    /// An object from fixed fields.
    pub(crate) fn object<const N: usize>(fields: [(&'static str, Json); N]) -> Self {
        Json::Object(fields.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect())
    }

    /// Appends a field (no-op on anything but an object).
    pub(crate) fn with(mut self, key: impl Into<Cow<'static, str>>, value: Json) -> Self {
        if let Json::Object(fields) = &mut self {
            fields.push((key.into(), value));
        }
        self
    }

    /// Appends a field when `value` is `Some`.
    pub(crate) fn with_opt(self, key: &'static str, value: Option<Json>) -> Self {
        match value {
            Some(value) => self.with(key, value),
            None => self,
        }
    }

    /// The compact JSON text.
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::with_capacity(128);
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Str(text) => write_str(text, out),
            Json::Int(value) => out.push_str(&value.to_string()),
            Json::Number(text) => out.push_str(text),
            Json::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A JSON string value.
pub(crate) fn s(text: impl Into<String>) -> Json {
    Json::Str(text.into())
}

/// A JSON integer value.
pub(crate) fn int(value: impl Into<i128>) -> Json {
    Json::Int(value.into())
}

/// Writes `text` as a JSON string literal: quotes, backslashes and control characters escaped,
/// everything else (non-ASCII included) as is.
fn write_str(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `text` as the inside of a JSON string literal restricted to visible ASCII and space: what a
/// response header can carry. Non-ASCII and control characters become `\uXXXX` (UTF-16 units),
/// so wrapping the result in quotes and JSON-decoding it gives back the text.
pub(crate) fn ascii_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_field_order_and_escapes() {
        let body = Json::object([("msg", s("a\"b\\c\n")), ("code", s("50113"))])
            .with("n", int(5))
            .with("raw", Json::Number("1.250".into()))
            .with("list", Json::Array(vec![Json::Bool(true), Json::Bool(false)]))
            .with_opt("absent", None);
        assert_eq!(body.to_text(), r#"{"msg":"a\"b\\c\n","code":"50113","n":5,"raw":1.250,"list":[true,false]}"#);
        let parsed: serde_json::Value = serde_json::from_str(&body.to_text()).unwrap();
        assert_eq!(parsed["msg"], "a\"b\\c\n");
        let control = s("\u{1}é").to_text();
        assert_eq!(serde_json::from_str::<String>(&control).unwrap(), "\u{1}é");
    }

    #[test]
    fn ascii_escape_round_trips_through_json() {
        for text in ["plain", "tab\there", "quote\" back\\slash", "é 龙 🦀", "\u{7f}\u{0}"] {
            let escaped = ascii_escape(text);
            assert!(escaped.bytes().all(|b| b == b' ' || b.is_ascii_graphic()), "{escaped}");
            let decoded: String = serde_json::from_str(&format!("\"{escaped}\"")).unwrap();
            assert_eq!(decoded, text);
        }
        assert_eq!(ascii_escape("é"), "\\u00e9");
    }
}
