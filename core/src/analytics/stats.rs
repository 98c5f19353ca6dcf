//! Counted samples with nearest-rank percentiles. The incremental engine
//! adds a sample per answered conversation start and takes one back when a
//! thread's figures change, so adding and taking back must cost O(1): values
//! are appended to a vector and take-backs to another, and the two are
//! cancelled against each other only when a report sorts them (or when
//! take-backs pile up). A sorted map kept every insert a tree walk and a node
//! allocation, a fifth of the engine's time per event.

use super::report::FrtStats;

/// Nearest-rank percentile of sorted values: the value at rank
/// `ceil(p/100 · n)` (1-based); `None` when empty.
pub fn nearest_rank(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(n) - 1])
}

/// Take-backs below this many are never compacted early.
const COMPACT_MIN: usize = 4096;

/// A multiset of durations in milliseconds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Samples {
    /// Values added, in no particular order.
    added: Vec<i64>,
    /// Values taken back (each one added before), not yet cancelled.
    removed: Vec<i64>,
}

impl Samples {
    /// Add one.
    pub fn add(&mut self, v: i64) {
        self.added.push(v);
    }

    /// From values in any order (built in one pass).
    pub fn from_values(values: Vec<i64>) -> Samples {
        Samples {
            added: values,
            removed: Vec::new(),
        }
    }

    /// Take one back (it must have been added).
    pub fn remove(&mut self, v: i64) {
        self.removed.push(v);
        // Compacting when take-backs outnumber half the values costs
        // O(n log n) at most once per n take-backs: O(log n) each.
        if self.removed.len() > COMPACT_MIN && self.removed.len() * 2 > self.added.len() {
            self.added = self.sorted();
            self.removed.clear();
        }
    }

    /// How many.
    pub fn len(&self) -> u64 {
        self.added.len().saturating_sub(self.removed.len()) as u64
    }

    /// The values, sorted, with the take-backs cancelled.
    pub fn sorted(&self) -> Vec<i64> {
        let mut live = self.added.clone();
        live.sort_unstable();
        if self.removed.is_empty() {
            return live;
        }
        let mut gone = self.removed.clone();
        gone.sort_unstable();
        let mut out = Vec::with_capacity(live.len().saturating_sub(gone.len()));
        let mut g = gone.iter().peekable();
        for v in live {
            // Skip take-backs of values that are not there (a broken
            // contract), then cancel one equal value.
            while g.next_if(|x| **x < v).is_some() {}
            if g.next_if(|x| **x == v).is_none() {
                out.push(v);
            }
        }
        out
    }

    /// Nearest-rank percentile.
    #[cfg(test)]
    pub fn percentile(&self, p: f64) -> Option<i64> {
        nearest_rank(&self.sorted(), p)
    }

    /// `n`, median and p90 in seconds, with `unanswered`.
    pub fn stats(&self, unanswered: u64) -> FrtStats {
        let sorted = self.sorted();
        let secs = |ms: Option<i64>| ms.map(|v| v as f64 / 1000.0);
        FrtStats {
            n: sorted.len() as u64,
            median_s: secs(nearest_rank(&sorted, 50.0)),
            p90_s: secs(nearest_rank(&sorted, 90.0)),
            unanswered,
        }
    }
}

/// Equal as multisets, however they were built.
impl PartialEq for Samples {
    fn eq(&self, other: &Self) -> bool {
        self.sorted() == other.sorted()
    }
}

impl Eq for Samples {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_definition() {
        let v = [15, 20, 35, 40, 50];
        assert_eq!(nearest_rank(&v, 50.0), Some(35));
        assert_eq!(nearest_rank(&v, 90.0), Some(50));
        assert_eq!(nearest_rank(&v[..4], 50.0), Some(20), "rank ceil(2) = 2nd");
        assert_eq!(nearest_rank(&[], 50.0), None);
        assert_eq!(nearest_rank(&[7], 90.0), Some(7));
    }

    #[test]
    fn multiset_agrees_with_sorted_slice() {
        let mut s = Samples::default();
        let mut v = vec![];
        for x in [5i64, 1, 9, 9, 3, 7, 2, 8, 8, 8, 6] {
            s.add(x);
            v.push(x);
        }
        s.remove(9);
        v.remove(v.iter().position(|x| *x == 9).unwrap());
        v.sort();
        for p in [1.0, 10.0, 50.0, 90.0, 100.0] {
            assert_eq!(s.percentile(p), nearest_rank(&v, p), "p{p}");
        }
        assert_eq!(s.len(), v.len() as u64);
    }

    /// Many take-backs (compactions included) leave the same multiset as a
    /// plain list with the same values removed.
    #[test]
    fn take_backs_and_compaction_keep_the_multiset() {
        let mut s = Samples::default();
        let mut v: Vec<i64> = Vec::new();
        let mut x: i64 = 7;
        for i in 0..40_000 {
            x = (x * 1_103_515_245 + 12_345) % 1_000_003;
            let val = x % 500;
            s.add(val);
            v.push(val);
            if i % 3 != 0 {
                let k = (x as usize) % v.len();
                let gone = v.swap_remove(k);
                s.remove(gone);
            }
            if i % 9_999 == 0 {
                let mut sorted = v.clone();
                sorted.sort_unstable();
                assert_eq!(s.sorted(), sorted, "after {i}");
            }
        }
        let mut sorted = v.clone();
        sorted.sort_unstable();
        assert_eq!(s.len(), v.len() as u64);
        assert_eq!(s, Samples::from_values(sorted.clone()));
        for p in [1.0, 50.0, 90.0, 100.0] {
            assert_eq!(s.percentile(p), nearest_rank(&sorted, p), "p{p}");
        }
    }
}
