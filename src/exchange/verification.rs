//! How a verifier (the local exchange) recognises and checks an exchange's signed requests,
//! written down as data in each exchange's home: [`Routing`] says which requests are the
//! exchange's.

use http::HeaderMap;

/// Which REST requests are meant for an exchange: the headers that mark them, and the paths it
/// owns.
///
/// A verifier serving several exchanges on one address routes a request to the exchange, among
/// those with a [`Mark`] the request carries, of lowest [`precedence`](Self::precedence); a
/// request that carries no exchange's marks goes to the exchange owning the longest prefix of
/// its path.
///
/// ```
/// use cexsign::Scheme;
/// let routing = Scheme::Okx.exchange().routing;
/// let mut headers = http::HeaderMap::new();
/// headers.insert("OK-ACCESS-KEY", http::HeaderValue::from_static("key"));
/// assert!(routing.marks_request(&headers, "/api/v5/account/balance"));
/// assert!(routing.paths.contains(&"/api/v5/"));
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Routing {
    /// The headers that mark a request as this exchange's: any one of them does.
    pub marks: &'static [Mark],
    /// The path prefixes the exchange owns, for requests that carry no exchange's marks (the
    /// longest matching prefix wins; `""` owns whatever no other exchange owns).
    pub paths: &'static [&'static str],
    /// Which exchange a request carrying the marks of several is for: the lowest number wins.
    /// Exchanges with distinctive header names come first; those sharing generic names (`api-key`,
    /// `key`, `sign`) order among themselves by it (Kraken's `API-Sign` before Delta's `api-key`),
    /// and the Coinbase APIs, which share `CB-ACCESS-*`, come last. Every exchange has its own.
    pub precedence: u8,
}

impl Routing {
    /// Marks and paths.
    pub const fn new(marks: &'static [Mark], paths: &'static [&'static str], precedence: u8) -> Self {
        Self { marks, paths, precedence }
    }

    /// Whether a request to `path` with these headers carries one of the exchange's marks.
    pub fn marks_request(&self, headers: &HeaderMap, path: &str) -> bool {
        self.marks.iter().any(|mark| mark.matches(headers, path))
    }

    /// The length of the longest of the exchange's path prefixes `path` starts with.
    pub fn owns(&self, path: &str) -> Option<usize> {
        self.paths.iter().filter(|prefix| path.starts_with(**prefix)).map(|prefix| prefix.len()).max()
    }
}

/// A header that marks a request as an exchange's, optionally only under a path prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mark {
    /// The header.
    pub header: HeaderMatch,
    /// Only requests whose path starts with this mark the exchange's (Coinbase Advanced Trade's
    /// `CB-ACCESS-*` under `/api/v3/`, Kraken's `API-Key` under `/0/`).
    pub under: Option<&'static str>,
}

/// How a [`Mark`] names its header (names are compared ignoring case, as HTTP does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderMatch {
    /// A header of exactly this name.
    Named(&'static str),
    /// Any header whose name starts with this (`ok-access-`).
    Prefixed(&'static str),
    /// `Authorization: Bearer <token>` (the scheme name in any case).
    Bearer,
}

impl Mark {
    /// A header of exactly this name.
    pub const fn named(name: &'static str) -> Self {
        Self { header: HeaderMatch::Named(name), under: None }
    }

    /// Any header whose name starts with `prefix`.
    pub const fn prefixed(prefix: &'static str) -> Self {
        Self { header: HeaderMatch::Prefixed(prefix), under: None }
    }

    /// An `Authorization: Bearer <token>` header.
    pub const BEARER: Mark = Mark { header: HeaderMatch::Bearer, under: None };

    /// The same mark, counted only for paths starting with `prefix`.
    pub const fn under(self, prefix: &'static str) -> Self {
        Self { header: self.header, under: Some(prefix) }
    }

    /// Whether a request to `path` with these headers carries the mark.
    pub fn matches(&self, headers: &HeaderMap, path: &str) -> bool {
        if self.under.is_some_and(|prefix| !path.starts_with(prefix)) {
            return false;
        }
        match self.header {
            HeaderMatch::Named(name) => headers.contains_key(name),
            HeaderMatch::Prefixed(prefix) => headers.keys().any(|name| {
                name.as_str()
                    .as_bytes()
                    .get(..prefix.len())
                    .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
            }),
            HeaderMatch::Bearer => headers
                .get(http::header::AUTHORIZATION)
                .and_then(|value| value.as_bytes().get(..7))
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case(b"bearer ")),
        }
    }
}
