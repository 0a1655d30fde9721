//! Finding one parameter in a `k=v&k=v` query or form body, as the exchanges read them, without
//! splitting the form into pairs.
//!
//! A form of a megabyte can hold half a million pairs (`a&a&a…`); splitting it, even lazily,
//! costs a step per pair. The name is looked for instead (a substring search, fast whatever
//! the form holds), and each occurrence is kept only when it is a whole parameter name: at the
//! start of the form or after `&`, and followed by `=`, `&` or the end. A name never contains
//! `&`, so no parameter is missed by a match that overlaps it. A short form (a GET's query) is
//! cheaper read pair by pair (`pairs`, crate-internal), with its length as the bound.

use memchr::memmem::Finder;

/// One parameter of a form: where its pair starts and ends, and where its value starts (`None`
/// for a bare name without `=`, whose value reads as empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FormPair {
    /// The offset of the pair's first byte (its name's).
    pub start: usize,
    /// The offset just past the pair's last byte (at `&` or the end of the form).
    pub end: usize,
    /// The offset of the value's first byte, just past `=`; `None` when the pair has no `=`.
    pub value_start: Option<usize>,
}

impl FormPair {
    /// The raw (still percent-encoded) value in `form`: empty for a bare name.
    pub fn value<'a>(&self, form: &'a [u8]) -> &'a [u8] {
        self.value_start.map_or(&[][..], |start| &form[start..self.end])
    }
}

/// Every parameter called `name` in `form`, in order.
///
/// ```
/// use cexsign::form::pairs_named;
///
/// let form = b"symbol=BTC&timestamp=1&xtimestamp=2&timestamp&timestamp=3";
/// let values: Vec<&[u8]> = pairs_named(form, "timestamp").map(|pair| pair.value(form)).collect();
/// assert_eq!(values, [&b"1"[..], b"", b"3"]);
/// ```
pub fn pairs_named<'a>(form: &'a [u8], name: &'a str) -> impl Iterator<Item = FormPair> + 'a {
    let finder = (!name.is_empty()).then(|| Finder::new(name.as_bytes()));
    let mut from = 0;
    std::iter::from_fn(move || {
        let finder = finder.as_ref()?;
        loop {
            let at = from + finder.find(form.get(from..)?)?;
            from = at + name.len();
            if let Some(pair) = pair_at(form, at, name.len()) {
                return Some(pair);
            }
        }
    })
}

/// Every `(name, raw value)` pair of `form`, in order (a bare name's value is empty, as
/// [`FormPair::value`] reads it): a step per pair, for short forms, where setting up a finder per
/// name costs more than reading the few pairs.
pub(crate) fn pairs(form: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    // An empty form has no pairs; otherwise the last pair ends at the end.
    let ends = memchr::memchr_iter(b'&', form).chain((!form.is_empty()).then_some(form.len()));
    let mut start = 0;
    ends.map(move |end| {
        let pair = &form[start..end];
        start = end + 1;
        match memchr::memchr(b'=', pair) {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &[][..]),
        }
    })
}

/// The first parameter `finder` (built once, for a hot path) finds in `form`.
pub(crate) fn first_named(form: &[u8], finder: &Finder<'_>) -> Option<FormPair> {
    let name_len = finder.needle().len();
    finder.find_iter(form).find_map(|at| pair_at(form, at, name_len))
}

/// The pair whose name occupies `at..at + name_len`, if that is a whole parameter name.
fn pair_at(form: &[u8], at: usize, name_len: usize) -> Option<FormPair> {
    if at > 0 && form.get(at - 1) != Some(&b'&') {
        return None;
    }
    let after = at + name_len;
    let value_start = match form.get(after) {
        None | Some(b'&') => None,
        Some(b'=') => Some(after + 1),
        Some(_) => return None,
    };
    let end = match value_start {
        None => after,
        Some(start) => memchr::memchr(b'&', &form[start..]).map_or(form.len(), |offset| start + offset),
    };
    Some(FormPair { start: at, end, value_start })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// `pairs` reads a form as splitting it on `&`, then each pair on its first `=`, does.
        #[test]
        fn pairs_read_as_splitting(form in "[ab=&]{0,24}") {
            let expected: Vec<(&[u8], &[u8])> = if form.is_empty() {
                Vec::new()
            } else {
                form.split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some((name, value)) => (name.as_bytes(), value.as_bytes()),
                        None => (pair.as_bytes(), &b""[..]),
                    })
                    .collect()
            };
            proptest::prop_assert_eq!(pairs(form.as_bytes()).collect::<Vec<_>>(), expected);
        }
    }

    /// The same answer as splitting the form on `&` and each pair on its first `=`.
    fn by_splitting<'a>(form: &'a str, name: &str) -> Vec<(usize, &'a str, Option<&'a str>)> {
        let mut start = 0;
        let mut found = Vec::new();
        if form.is_empty() {
            return found;
        }
        for pair in form.split('&') {
            let (key, value) = match pair.split_once('=') {
                Some((key, value)) => (key, Some(value)),
                None => (pair, None),
            };
            if key == name {
                found.push((start, pair, value));
            }
            start += pair.len() + 1;
        }
        found
    }

    #[test]
    fn finds_exactly_the_pairs_splitting_finds() {
        let forms = [
            "",
            "timestamp",
            "timestamp=",
            "timestamp=1",
            "a=1&timestamp=2&timestamp=3",
            "xtimestamp=1&timestampx=2&timestamp=3",
            "a=timestamp=1&timestamp&b",
            "timestamptimestamp=1&timestamp=2",
            "&&timestamp=&&",
            "timestamp=a=b&timestamp=c",
            "é=timestamp&timestamp=é",
        ];
        for form in forms {
            let found: Vec<_> = pairs_named(form.as_bytes(), "timestamp")
                .map(|pair| {
                    let text = &form[pair.start..pair.end];
                    let value = pair.value_start.map(|start| &form[start..pair.end]);
                    (pair.start, text, value)
                })
                .collect();
            assert_eq!(found, by_splitting(form, "timestamp"), "{form:?}");
            let finder = Finder::new("timestamp");
            assert_eq!(
                first_named(form.as_bytes(), &finder).map(|pair| pair.start),
                found.first().map(|(start, ..)| *start),
                "{form:?}"
            );
        }
        assert_eq!(pairs_named(b"a&&b", "").count(), 0, "an empty name names nothing");
    }

    #[test]
    fn a_dense_form_is_searched_not_split() {
        let form = "a&".repeat(1 << 19) + "timestamp=7";
        let pair = pairs_named(form.as_bytes(), "timestamp").next().unwrap();
        assert_eq!(pair.value(form.as_bytes()), b"7");
    }
}
