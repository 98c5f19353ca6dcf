//! Counted samples with nearest-rank percentiles. Samples are kept as a
//! sorted multiset so the incremental engine can take one back when a
//! thread's figures change.

use std::collections::BTreeMap;

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

/// A multiset of durations in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Samples {
    counts: BTreeMap<i64, u64>,
    n: u64,
}

impl Samples {
    /// Add one.
    pub fn add(&mut self, v: i64) {
        *self.counts.entry(v).or_default() += 1;
        self.n += 1;
    }

    /// From sorted values (built in one pass).
    pub fn from_sorted(sorted: &[i64]) -> Samples {
        let counts: BTreeMap<i64, u64> = sorted
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u64))
            .collect();
        Samples {
            counts,
            n: sorted.len() as u64,
        }
    }

    /// Take one back (it must have been added).
    pub fn remove(&mut self, v: i64) {
        if let Some(c) = self.counts.get_mut(&v) {
            *c -= 1;
            self.n -= 1;
            if *c == 0 {
                self.counts.remove(&v);
            }
        }
    }

    /// How many.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Value at 1-based rank `k`.
    fn at_rank(&self, k: u64) -> Option<i64> {
        let mut seen = 0;
        for (v, c) in &self.counts {
            seen += c;
            if seen >= k {
                return Some(*v);
            }
        }
        None
    }

    /// Nearest-rank percentile.
    pub fn percentile(&self, p: f64) -> Option<i64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((p / 100.0) * self.n as f64).ceil().max(1.0) as u64;
        self.at_rank(rank.min(self.n))
    }

    /// `n`, median and p90 in seconds, with `unanswered`.
    pub fn stats(&self, unanswered: u64) -> FrtStats {
        let secs = |ms: Option<i64>| ms.map(|v| v as f64 / 1000.0);
        FrtStats {
            n: self.n,
            median_s: secs(self.percentile(50.0)),
            p90_s: secs(self.percentile(90.0)),
            unanswered,
        }
    }
}

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
}
