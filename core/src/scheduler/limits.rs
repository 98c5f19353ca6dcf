//! Meta's sending limits: a token bucket per business number (governor), a
//! pair limit per (number, recipient) with a burst then one per ~6 s, and the
//! portfolio messaging-limit tier on unique recipients outside the window per
//! rolling 24 h. Adaptive: a 130429 / 131056 slows the number or pair down.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use governor::clock::{Clock as GovClock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter as Gov};
use parking_lot::Mutex;

use crate::time::{DAY, Millis};

/// What a limit applies to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LimitKey {
    /// A business number's throughput.
    Number(String),
    /// One recipient of one number.
    Pair(String, String),
}

/// Shared rate limits (in memory, or in Redis for several processes).
#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// Take one send for `number` → `recipient`: `Ok` when admitted now, else the
    /// earliest time to try again.
    async fn try_acquire(&self, number: &str, recipient: &str) -> Result<(), Duration>;
    /// Slow a number down after a throughput error (130429): halve its rate for `for_`.
    async fn penalize_number(&self, number: &str, for_: Duration);
    /// Block a pair after a pair-rate error (131056).
    async fn penalize_pair(&self, number: &str, recipient: &str, for_: Duration);
    /// Decide several sends at once, in order (a shared limiter answers them in
    /// one round trip). Same answers as calling `try_acquire` for each.
    async fn try_acquire_many(&self, sends: &[(&str, &str)]) -> Vec<Result<(), Duration>> {
        let mut out = Vec::with_capacity(sends.len());
        for (n, r) in sends {
            out.push(self.try_acquire(n, r).await);
        }
        out
    }
    /// The limits this limiter enforces, when it knows them (a campaign is
    /// laid out by them before it is queued).
    fn config(&self) -> Option<&LimitConfig> {
        None
    }
}

/// Limits configuration.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LimitConfig {
    /// Messages per second per number (80 default, up to 1,000).
    pub mps: u32,
    /// Per-number overrides.
    pub mps_by_number: HashMap<String, u32>,
    /// Pair burst.
    pub pair_burst: u32,
    /// Pair refill interval.
    pub pair_interval: Duration,
}

impl Default for LimitConfig {
    fn default() -> Self {
        LimitConfig {
            mps: 80,
            mps_by_number: HashMap::new(),
            pair_burst: 45,
            pair_interval: Duration::from_secs(6),
        }
    }
}

type Direct = Gov<NotKeyed, InMemoryState, DefaultClock>;
/// Pairs are keyed by a 64-bit hash of (number, recipient): no allocation per
/// decision, and a collision (about one in 10^19 pairs) only shares a budget.
type Keyed = Gov<u64, DefaultKeyedStateStore<u64>, DefaultClock>;
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

fn pair_key(number: &str, recipient: &str) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = foldhash::fast::FixedState::with_seed(0x9a1e).build_hasher();
    number.hash(&mut h);
    recipient.hash(&mut h);
    h.finish()
}

/// In-process limiter on governor.
pub struct MemoryLimiter {
    cfg: LimitConfig,
    numbers: Mutex<FastMap<String, Arc<Direct>>>,
    slowed: Mutex<FastMap<String, (Arc<Direct>, std::time::Instant)>>,
    pairs: Keyed,
    blocked_pairs: Mutex<FastMap<u64, std::time::Instant>>,
    clock: DefaultClock,
}

fn quota_per_second(mps: u32) -> Quota {
    let n = NonZeroU32::new(mps.clamp(1, 10_000)).expect("clamped above zero");
    // A quarter-second burst: the steady rate is the configured one, but sends are
    // spread so network jitter never packs more than Meta's per-second bucket holds.
    let burst = NonZeroU32::new((n.get() / 4).max(1)).expect("at least one");
    Quota::per_second(n).allow_burst(burst)
}

impl MemoryLimiter {
    /// Limiter with `cfg`.
    pub fn new(cfg: LimitConfig) -> Self {
        let pair_quota = Quota::with_period(cfg.pair_interval.max(Duration::from_millis(1)))
            .expect("non-zero period")
            .allow_burst(NonZeroU32::new(cfg.pair_burst.max(1)).expect("non-zero burst"));
        MemoryLimiter {
            pairs: Gov::keyed(pair_quota),
            cfg,
            numbers: Mutex::new(FastMap::default()),
            slowed: Mutex::new(FastMap::default()),
            blocked_pairs: Mutex::new(FastMap::default()),
            clock: DefaultClock::default(),
        }
    }

    fn number_limiter(&self, number: &str) -> Arc<Direct> {
        {
            let mut slowed = self.slowed.lock();
            if !slowed.is_empty()
                && let Some((l, until)) = slowed.get(number)
            {
                if *until > std::time::Instant::now() {
                    return l.clone();
                }
                slowed.remove(number);
            }
        }
        let mut numbers = self.numbers.lock();
        if let Some(l) = numbers.get(number) {
            return l.clone();
        }
        numbers
            .entry(number.to_string())
            .or_insert_with(|| {
                let mps = self
                    .cfg
                    .mps_by_number
                    .get(number)
                    .copied()
                    .unwrap_or(self.cfg.mps);
                Arc::new(Gov::direct(quota_per_second(mps)))
            })
            .clone()
    }

    /// Configured rate of a number.
    pub fn mps_of(&self, number: &str) -> u32 {
        self.cfg
            .mps_by_number
            .get(number)
            .copied()
            .unwrap_or(self.cfg.mps)
    }

    /// Synchronous decision (the hot path; the trait method wraps it).
    pub fn check(&self, number: &str, recipient: &str) -> Result<(), Duration> {
        let key = pair_key(number, recipient);
        {
            let blocked = self.blocked_pairs.lock();
            if !blocked.is_empty()
                && let Some(until) = blocked.get(&key).copied()
            {
                let now = std::time::Instant::now();
                if until > now {
                    return Err(until - now);
                }
            }
        }
        // Number first: workers retry number refusals often, and those must not
        // use up the recipient's pair budget (a pair refusal only wastes one number slot).
        self.number_limiter(number)
            .check()
            .map_err(|nu| nu.wait_time_from(self.clock.now()))?;
        self.pairs
            .check_key(&key)
            .map_err(|nu| nu.wait_time_from(self.clock.now()))
    }
}

#[async_trait]
impl RateLimiter for MemoryLimiter {
    async fn try_acquire(&self, number: &str, recipient: &str) -> Result<(), Duration> {
        self.check(number, recipient)
    }

    async fn penalize_number(&self, number: &str, for_: Duration) {
        let slower = (self.mps_of(number) / 2).max(1);
        self.slowed.lock().insert(
            number.to_string(),
            (
                Arc::new(Gov::direct(quota_per_second(slower))),
                std::time::Instant::now() + for_,
            ),
        );
    }

    async fn penalize_pair(&self, number: &str, recipient: &str, for_: Duration) {
        self.blocked_pairs.lock().insert(
            pair_key(number, recipient),
            std::time::Instant::now() + for_,
        );
    }

    fn config(&self) -> Option<&LimitConfig> {
        Some(&self.cfg)
    }
}

/// The messaging-limit tier: unique recipients reached outside a
/// customer-service window per rolling 24 h, shared by every number of a
/// business portfolio (in memory, or in Redis for several processes).
#[async_trait]
pub trait TierGate: Send + Sync + 'static {
    /// Admit `recipient` at `now`, or say when a slot frees up (epoch ms).
    async fn admit(&self, recipient: &str, now: Millis) -> Result<(), Millis>;
    /// The cap (`None`: unlimited).
    fn cap(&self) -> Option<usize>;
    /// Unique recipients already reached in the window (as far as this gate
    /// knows; a campaign plan starts from it).
    async fn used(&self, _now: Millis) -> usize {
        0
    }
}

#[async_trait]
impl TierGate for TierCounter {
    async fn admit(&self, recipient: &str, now: Millis) -> Result<(), Millis> {
        TierCounter::admit(self, recipient, now)
    }

    fn cap(&self) -> Option<usize> {
        self.cap
    }

    async fn used(&self, _now: Millis) -> usize {
        TierCounter::used(self)
    }
}

/// Unique recipients reached outside a customer-service window per rolling
/// 24 h, shared by every number of a business portfolio, in this process.
pub struct TierCounter {
    cap: Option<usize>,
    inner: Mutex<TierWindow>,
}

/// Last contact per recipient (by a 64-bit hash of the recipient, so admitting
/// allocates nothing), and contacts in time order for expiry.
type TierWindow = (FastMap<u64, Millis>, VecDeque<(Millis, u64)>);

fn recipient_key(recipient: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x7e12).hash_one(recipient)
}

impl TierCounter {
    /// `cap`: 250, 2,000, 10,000, 100,000 or `None` for unlimited.
    pub fn new(cap: Option<usize>) -> Self {
        TierCounter {
            cap,
            inner: Mutex::new((FastMap::default(), VecDeque::new())),
        }
    }

    /// The cap.
    pub fn cap(&self) -> Option<usize> {
        self.cap
    }

    /// Admit `recipient` at `now`, or say when a slot frees up.
    pub fn admit(&self, recipient: &str, now: Millis) -> Result<(), Millis> {
        let who_key = recipient_key(recipient);
        let mut g = self.inner.lock();
        let (seen, order) = &mut *g;
        // Drop expired contacts, and stale entries of recipients seen again
        // since, so the front is the oldest live contact.
        while let Some((t, who)) = order.front() {
            let live = seen.get(who) == Some(t);
            if live && *t > now - DAY {
                break;
            }
            if live {
                seen.remove(who);
            }
            order.pop_front();
        }
        if !seen.contains_key(&who_key)
            && let Some(cap) = self.cap
            && seen.len() >= cap
        {
            let oldest = order.front().map(|(t, _)| *t).unwrap_or(now);
            return Err(oldest + DAY);
        }
        // Seen again at the same instant: nothing to move.
        if seen.insert(who_key, now) != Some(now) {
            order.push_back((now, who_key));
        }
        Ok(())
    }

    /// Unique recipients in the window.
    pub fn used(&self) -> usize {
        self.inner.lock().0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_burst_then_paced() {
        let l = MemoryLimiter::new(LimitConfig {
            mps: 1000,
            pair_burst: 3,
            ..Default::default()
        });
        for _ in 0..3 {
            assert!(l.check("n", "r").is_ok());
        }
        let wait = l.check("n", "r").unwrap_err();
        assert!(
            wait > Duration::from_secs(5) && wait <= Duration::from_secs(6),
            "{wait:?}"
        );
        assert!(l.check("n", "other").is_ok(), "pairs are independent");
    }

    #[test]
    fn number_bucket() {
        let l = MemoryLimiter::new(LimitConfig {
            mps: 20,
            ..Default::default()
        });
        let ok = (0..40)
            .filter(|i| l.check("n", &format!("r{i}")).is_ok())
            .count();
        assert_eq!(ok, 5, "a quarter-second burst of a 20 mps bucket");
        assert!(l.check("other-number", "r").is_ok());
    }

    #[test]
    fn tier_window() {
        let t = TierCounter::new(Some(2));
        assert!(t.admit("a", 0).is_ok());
        assert!(t.admit("b", 10).is_ok());
        assert_eq!(t.admit("c", 20), Err(DAY));
        assert!(t.admit("a", 30).is_ok());
        assert!(t.admit("c", DAY + 11).is_ok());
    }
}
