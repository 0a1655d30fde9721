//! The hard budget of one diagnosis: how many candidates it may try, how many bytes it may hash
//! and how many asymmetric operations (Ed25519 or RSA verifications or signatures) it may run,
//! and the meter the engines charge before each candidate.
//!
//! A rejected request is untrusted input: the local exchange diagnoses every rejection on its
//! server's workers, so no request — a form body of thousands of pairs, a query of a dozen, a
//! wrong RSA signature — may cost more than the budget. The engines draw candidates lazily and
//! charge each one before hashing or verifying it; a charge the budget cannot pay is refused,
//! the search stops there, and the verdict is an `Unknown` that says it was cut short (never a
//! mistake the search did not reach).

use std::cell::Cell;

/// The most one diagnosis may spend. [`Budget::default`] is what [`diagnose`](super::diagnose)
/// and [`run`](super::run) use.
///
/// ```
/// use cexsign::diagnose::Budget;
/// let budget = Budget::default();
/// assert_eq!(budget.candidates, 16_384);
/// assert_eq!(budget.bytes_hashed, 64 << 20);
/// assert_eq!(budget.asymmetric_ops, 256);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Budget {
    /// Candidate prehashes tried, across every mistake (the default leaves room for every
    /// search of an ordinary request: ±2000 nearby timestamps, 720 query orders, ...).
    pub candidates: u64,
    /// Bytes fed to a hash or a MAC, digests of bodies included, and the passes that read a
    /// form's parameters, counted like hashing (default 64 MiB: a 512 KiB body still gets every
    /// fixed check).
    pub bytes_hashed: u64,
    /// Ed25519 or RSA verifications and signatures (default 256: an RSA signature costs about a
    /// millisecond, a verification a few dozen microseconds).
    pub asymmetric_ops: u64,
}

impl Budget {
    /// A budget of these three limits.
    pub const fn new(candidates: u64, bytes_hashed: u64, asymmetric_ops: u64) -> Self {
        Self { candidates, bytes_hashed, asymmetric_ops }
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self::new(16_384, 64 << 20, 256)
    }
}

/// What a diagnosis spent of its [`Budget`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Spent {
    /// Candidate prehashes tried.
    pub candidates: u64,
    /// Bytes hashed (or read as a form's parameters).
    pub bytes_hashed: u64,
    /// Ed25519 or RSA operations.
    pub asymmetric_ops: u64,
    /// Whether some candidates were left untried: the budget ran out, or one search reached its
    /// share of it.
    pub cut_short: bool,
}

/// The meter the engines charge. Shared by reference through `&self` methods: the engines'
/// searches run behind shared borrows.
pub(crate) struct Meter {
    budget: Budget,
    spent: Cell<Spent>,
    exhausted: Cell<bool>,
}

/// One search may use this fraction of the byte budget, so that one expensive search (nearby
/// timestamps of a large body) leaves room for the others.
const SEARCH_SHARE: u64 = 4;

impl Meter {
    pub(crate) fn new(budget: Budget) -> Self {
        Self { budget, spent: Cell::new(Spent::default()), exhausted: Cell::new(false) }
    }

    /// Charges one candidate that hashes `bytes`; `false` (and nothing is charged) when the
    /// budget cannot pay for it, after which every charge is refused.
    pub(crate) fn candidate(&self, bytes: usize) -> bool {
        self.charge(1, bytes, 0)
    }

    /// Charges `bytes` more hashed for the candidate being built (a digest of its body).
    pub(crate) fn hash(&self, bytes: usize) -> bool {
        self.charge(0, bytes, 0)
    }

    /// Charges one Ed25519 or RSA operation.
    pub(crate) fn asymmetric(&self) -> bool {
        self.charge(0, 0, 1)
    }

    fn charge(&self, candidates: u64, bytes: usize, asymmetric: u64) -> bool {
        if self.exhausted.get() {
            return false;
        }
        let mut spent = self.spent.get();
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        let fits = spent.candidates + candidates <= self.budget.candidates
            && spent.bytes_hashed.saturating_add(bytes) <= self.budget.bytes_hashed
            && spent.asymmetric_ops + asymmetric <= self.budget.asymmetric_ops;
        if !fits {
            self.exhausted.set(true);
            spent.cut_short = true;
            self.spent.set(spent);
            return false;
        }
        spent.candidates += candidates;
        spent.bytes_hashed += bytes;
        spent.asymmetric_ops += asymmetric;
        self.spent.set(spent);
        true
    }

    /// Whether a charge was refused: the diagnosis must stop.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted.get()
    }

    pub(crate) fn spent(&self) -> Spent {
        self.spent.get()
    }

    /// The detail of the first candidate that `reproduces`: candidates are drawn one at a time,
    /// and none once the budget is spent (every engine's searches end here).
    pub(crate) fn first<V, D>(
        &self,
        candidates: impl IntoIterator<Item = (V, D)>,
        mut reproduces: impl FnMut(&V) -> bool,
    ) -> Option<D> {
        let mut candidates = candidates.into_iter();
        while !self.exhausted() {
            let (variant, detail) = candidates.next()?;
            if reproduces(&variant) {
                return Some(detail);
            }
        }
        None
    }

    /// At most the candidates of one search that fit its share of the byte budget (at least 16),
    /// each hashing about `bytes`; the search is marked cut short when it had more.
    pub(crate) fn share<I: Iterator>(&self, candidates: I, bytes: usize) -> Share<'_, I> {
        let per = u64::try_from(bytes.max(1)).unwrap_or(u64::MAX);
        let left = usize::try_from((self.budget.bytes_hashed / SEARCH_SHARE / per).max(16)).unwrap_or(usize::MAX);
        Share { meter: self, candidates, left }
    }

    fn truncated(&self) {
        let mut spent = self.spent.get();
        spent.cut_short = true;
        self.spent.set(spent);
    }
}

/// The candidates of one search, up to its share (see [`Meter::share`]).
pub(crate) struct Share<'m, I> {
    meter: &'m Meter,
    candidates: I,
    left: usize,
}

impl<I: Iterator> Iterator for Share<'_, I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        if self.left == 0 {
            if self.candidates.next().is_some() {
                self.meter.truncated();
            }
            return None;
        }
        self.left -= 1;
        self.candidates.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_charge_stops_every_later_one() {
        let meter = Meter::new(Budget::new(2, 100, 1));
        assert!(meter.candidate(60) && meter.asymmetric());
        assert!(!meter.candidate(41), "over the byte budget");
        assert!(meter.exhausted() && !meter.candidate(0) && !meter.hash(0));
        let spent = meter.spent();
        assert_eq!((spent.candidates, spent.bytes_hashed, spent.asymmetric_ops, spent.cut_short), (1, 60, 1, true));
    }

    #[test]
    fn a_share_marks_the_search_cut_short_only_when_it_had_more() {
        let meter = Meter::new(Budget::new(1000, 64 * 4 * 20, 0));
        assert_eq!(meter.share(0..20, 64).count(), 20);
        assert!(!meter.spent().cut_short);
        assert_eq!(meter.share(0..21, 64).count(), 20);
        assert!(meter.spent().cut_short && !meter.exhausted());
    }
}
