//! The generic cell rate algorithm on plain integers: the same arithmetic as
//! governor's GCRA (a theoretical arrival time per key, an emission interval
//! `t`, a tolerance `tau = t * (burst - 1)`), so admissions and named waits
//! are those governor gave. Kept as bare state the caller stores in its own
//! maps: a decision then costs one clock read for the number and the pair
//! together and no keyed-store lookup of governor's (a third of a decision).

use std::num::NonZeroU32;
use std::time::Duration;

use governor::Quota;

/// Emission interval and burst tolerance of one bucket, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Gcra {
    t: u64,
    tau: u64,
}

impl Gcra {
    /// The bucket governor builds for `quota`.
    pub(super) fn new(quota: Quota) -> Self {
        let period = quota.replenish_interval().max(Duration::from_nanos(1));
        let t = u64::try_from(period.as_nanos()).unwrap_or(u64::MAX);
        Gcra {
            t,
            tau: t.saturating_mul(u64::from(quota.burst_size().get() - 1)),
        }
    }

    /// `mps` per second with a quarter-second burst (the number bucket).
    pub(super) fn per_second(mps: u32) -> Self {
        let n = NonZeroU32::new(mps.clamp(1, 10_000)).expect("clamped above zero");
        // A quarter-second burst: the steady rate is the configured one, but sends are
        // spread so network jitter never packs more than Meta's per-second bucket holds.
        let burst = NonZeroU32::new((n.get() / 4).max(1)).expect("at least one");
        Gcra::new(Quota::per_second(n).allow_burst(burst))
    }

    /// Take one cell at `now` (ns since the limiter's start) from the bucket
    /// whose theoretical arrival time is `tat` (0: never used): `Ok` and the
    /// new `tat`, or the wait until a cell is free.
    #[inline]
    pub(super) fn check(&self, tat: u64, now: u64) -> Result<u64, Duration> {
        let tat = if tat == 0 { now } else { tat };
        let earliest = tat.saturating_sub(self.tau);
        if now < earliest {
            return Err(Duration::from_nanos(earliest - now));
        }
        Ok(tat.max(now) + self.t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_one_per_interval() {
        let g = Gcra::new(
            Quota::with_period(Duration::from_secs(6))
                .expect("period")
                .allow_burst(NonZeroU32::new(3).expect("nonzero")),
        );
        let now = 1_000;
        let mut tat = 0;
        for _ in 0..3 {
            tat = g.check(tat, now).expect("burst");
        }
        assert_eq!(
            g.check(tat, now),
            Err(Duration::from_secs(6)),
            "the 4th waits one interval"
        );
        assert!(g.check(tat, now + 6_000_000_000).is_ok());
    }

    #[test]
    fn number_bucket_is_a_quarter_second_burst() {
        let g = Gcra::per_second(20);
        let mut tat = 0;
        let ok = (0..40)
            .filter(|_| match g.check(tat, 5) {
                Ok(t) => {
                    tat = t;
                    true
                }
                Err(_) => false,
            })
            .count();
        assert_eq!(ok, 5);
    }
}
