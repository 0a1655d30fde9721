//! What HTTP clients do to a request target after you signed it.
//!
//! `url::Url` — and so reqwest and most Rust clients — percent-encodes characters it does not
//! allow in a path or query (a space, `"`, `<`, `>`, `'` in a query, non-ASCII, ...). A request
//! signed over the text as typed and sent through such a client goes out with other bytes and is
//! rejected. [`url_rewrite`] tells, before signing, whether that would happen.

use url::Url;

/// The path and query a URL parser would send instead of the ones given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRewrite {
    /// The path as it would be sent.
    pub path: String,
    /// The query as it would be sent (without `?`).
    pub query: String,
}

/// Returns what `url::Url` would send for this path and query (query without `?`), or `None`
/// when it would send them unchanged. Sign the returned form, or encode your input so that
/// this returns `None`.
///
/// ```
/// use cexsign::url_rewrite;
/// assert_eq!(url_rewrite("/api/v5/account/balance", "ccy=BTC"), None);
/// let rewritten = url_rewrite("/api/v1/ledgers", "remark=long term").unwrap();
/// assert_eq!(rewritten.query, "remark=long%20term");
/// assert_eq!(url_rewrite("/x", "q='a'").unwrap().query, "q=%27a%27");
/// ```
pub fn url_rewrite(path: &str, query: &str) -> Option<UrlRewrite> {
    let mut url = Url::parse("http://localhost/").expect("a fixed valid URL");
    url.set_path(path);
    url.set_query((!query.is_empty()).then_some(query));
    let sent_path = url.path();
    let sent_query = url.query().unwrap_or_default();
    if sent_path == path && sent_query == query {
        None
    } else {
        Some(UrlRewrite { path: sent_path.to_owned(), query: sent_query.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_input_is_left_alone() {
        for (path, query) in [
            ("/api/v5/account/balance", ""),
            ("/api/v1/orders", "symbol=BTC-USDT&status=done"),
            ("/x", "a=%20&b=+&c=%2F&d=%E9%BE%99&a=&a=2"),
            ("/v2/orders/123", "x=1,2:3"),
        ] {
            assert_eq!(url_rewrite(path, query), None, "{path}?{query}");
        }
    }

    #[test]
    fn characters_the_url_parser_encodes_are_reported() {
        for (query, sent) in [
            ("a=b c", "a=b%20c"),
            ("a=\"x\"", "a=%22x%22"),
            ("a=<x>", "a=%3Cx%3E"),
            ("a='x'", "a=%27x%27"),
            ("a=龙", "a=%E9%BE%99"),
        ] {
            assert_eq!(url_rewrite("/x", query).unwrap().query, sent, "{query}");
        }
        assert_eq!(url_rewrite("/a b", "").unwrap().path, "/a%20b");
        assert_eq!(url_rewrite("/é", "").unwrap().path, "/%C3%A9");
        assert_eq!(url_rewrite("/x?y", "").unwrap().path, "/x%3Fy");
    }
}
