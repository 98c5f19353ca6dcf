//! Meta's sending limits: a token bucket per business number (GCRA, as governor)
//! and a pair limit per (number, recipient) with a burst then one per ~6 s
//! (the portfolio's messaging-limit tier is `tier.rs`). Adaptive: a 130429 /
//! 131056 slows the number or pair down.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use async_trait::async_trait;
use std::time::Instant;

use governor::Quota;
use governor::clock::{Clock as GovClock, DefaultClock, Reference};
use parking_lot::Mutex;

use super::gcra::Gcra;
use super::slots::{SlotHint, SlotMap};

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
    /// Hint that `number` → `recipient` is about to be decided, so the
    /// limiter can start loading its state (no effect on any answer;
    /// nothing by default).
    fn prefetch(&self, _number: &str, _recipient: &str) {}
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

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Pairs are keyed by a 64-bit hash of (number, recipient): no allocation per
/// decision, and a collision (about one in 10^19 pairs) only shares a budget.
fn pair_key(number: &str, recipient: &str) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = foldhash::fast::FixedState::with_seed(0x9a1e).build_hasher();
    number.hash(&mut h);
    recipient.hash(&mut h);
    h.finish()
}

/// A number's bucket, and the slower one a 130429 put in its place until `until`.
struct NumberState {
    gcra: Gcra,
    tat: u64,
    slowed: Option<(Gcra, u64, Instant)>,
}

/// One shard of the pairs: their buckets and their 131056 blocks.
#[derive(Default)]
struct PairShard {
    tats: SlotMap,
    blocked: FastMap<u64, Instant>,
    /// Prune spent buckets when the map reaches this size.
    prune_at: usize,
}

/// Shards of the pair map: workers deciding for different recipients rarely
/// take the same lock.
const PAIR_SHARDS: usize = 16;

fn shard_of(pair: u64) -> usize {
    (pair >> 60) as usize % PAIR_SHARDS
}

/// In-process limiter: GCRA buckets (governor's arithmetic, `gcra.rs`) in plain
/// maps, one clock read per decision.
pub struct MemoryLimiter {
    cfg: LimitConfig,
    numbers: Mutex<FastMap<String, NumberState>>,
    pair_gcra: Gcra,
    pairs: [Mutex<PairShard>; PAIR_SHARDS],
    /// Where each shard's buckets are, for [`MemoryLimiter::prefetch`].
    pair_hints: [SlotHint; PAIR_SHARDS],
    clock: DefaultClock,
    start: <DefaultClock as GovClock>::Instant,
}

impl MemoryLimiter {
    /// Limiter with `cfg`.
    pub fn new(cfg: LimitConfig) -> Self {
        let pair_quota = Quota::with_period(cfg.pair_interval.max(Duration::from_millis(1)))
            .expect("non-zero period")
            .allow_burst(NonZeroU32::new(cfg.pair_burst.max(1)).expect("non-zero burst"));
        let clock = DefaultClock::default();
        MemoryLimiter {
            pair_gcra: Gcra::new(pair_quota),
            cfg,
            numbers: Mutex::new(FastMap::default()),
            pairs: std::array::from_fn(|_| Mutex::new(PairShard::default())),
            pair_hints: std::array::from_fn(|_| SlotHint::default()),
            start: clock.now(),
            clock,
        }
    }

    /// Configured rate of a number.
    pub fn mps_of(&self, number: &str) -> u32 {
        self.cfg
            .mps_by_number
            .get(number)
            .copied()
            .unwrap_or(self.cfg.mps)
    }

    fn number_state(&self, number: &str) -> NumberState {
        NumberState {
            gcra: Gcra::per_second(self.mps_of(number)),
            tat: 0,
            slowed: None,
        }
    }

    fn now_ns(&self) -> u64 {
        u64::from(self.clock.now().duration_since(self.start))
    }

    /// Take a cell of `number`'s bucket (the slowed one while a penalty runs).
    fn take_number(&self, number: &str, now: u64) -> Result<(), Duration> {
        let mut numbers = self.numbers.lock();
        let state = match numbers.get_mut(number) {
            Some(s) => s,
            // First send of the number: the only allocation, once per number.
            None => numbers
                .entry(number.to_string())
                .or_insert_with(|| self.number_state(number)),
        };
        if let Some((gcra, tat, until)) = &mut state.slowed {
            if *until > Instant::now() {
                *tat = gcra.check(*tat, now)?;
                return Ok(());
            }
            state.slowed = None;
        }
        state.tat = state.gcra.check(state.tat, now)?;
        Ok(())
    }

    /// Hint that `number` → `recipient` is about to be decided: the CPU
    /// starts loading the pair's bucket, without the lock, while the caller
    /// does other work. Changes no answer.
    pub fn prefetch(&self, number: &str, recipient: &str) {
        let key = pair_key(number, recipient);
        self.pair_hints[shard_of(key)].prefetch(key);
    }

    /// Synchronous decision (the hot path; the trait method wraps it).
    pub fn check(&self, number: &str, recipient: &str) -> Result<(), Duration> {
        let key = pair_key(number, recipient);
        let at = shard_of(key);
        // Lock order: a pair shard, then the numbers (never the reverse).
        let mut shard = self.pairs[at].lock();
        let admitted = self.check_locked(&mut shard, key, number);
        self.pair_hints[at].publish(&shard.tats);
        admitted
    }

    fn check_locked(&self, shard: &mut PairShard, key: u64, number: &str) -> Result<(), Duration> {
        if !shard.blocked.is_empty()
            && let Some(until) = shard.blocked.get(&key).copied()
        {
            let now = Instant::now();
            if until > now {
                return Err(until - now);
            }
        }
        let now = self.now_ns();
        // Number first: workers retry number refusals often, and those must not
        // use up the recipient's pair budget (a pair refusal only wastes one number slot).
        self.take_number(number, now)?;
        if let Some(tat) = shard.tats.get_mut(key) {
            *tat = self.pair_gcra.check(*tat, now)?;
            return Ok(());
        }
        let next = self.pair_gcra.check(0, now)?;
        shard.tats.insert(key, next);
        if shard.tats.len() >= shard.prune_at {
            // A bucket whose arrival time has passed admits exactly as a new
            // one does, so dropping it changes no decision; it bounds memory.
            shard.tats.retain(|_, tat| tat > now);
            shard.prune_at = (shard.tats.len() * 2).max(4_096);
        }
        Ok(())
    }
}

#[async_trait]
impl RateLimiter for MemoryLimiter {
    async fn try_acquire(&self, number: &str, recipient: &str) -> Result<(), Duration> {
        self.check(number, recipient)
    }

    async fn penalize_number(&self, number: &str, for_: Duration) {
        let slower = Gcra::per_second((self.mps_of(number) / 2).max(1));
        self.numbers
            .lock()
            .entry(number.to_string())
            .or_insert_with(|| self.number_state(number))
            .slowed = Some((slower, 0, Instant::now() + for_));
    }

    async fn penalize_pair(&self, number: &str, recipient: &str, for_: Duration) {
        let key = pair_key(number, recipient);
        self.pairs[shard_of(key)]
            .lock()
            .blocked
            .insert(key, Instant::now() + for_);
    }

    fn config(&self) -> Option<&LimitConfig> {
        Some(&self.cfg)
    }

    fn prefetch(&self, number: &str, recipient: &str) {
        MemoryLimiter::prefetch(self, number, recipient)
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
}
