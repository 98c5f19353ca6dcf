//! Conformance checks every [`RateLimiter`] and [`TierGate`] must pass (the
//! in-memory ones and Redis alike), expanded into tests by
//! [`limiter_conformance_tests!`](crate::limiter_conformance_tests).
//!
//! Counts are decided in one batch or against budgets that cannot refill
//! during a test (long intervals), so the checks do not depend on how fast the
//! machine is; where a check waits, it waits the time the limiter named and then
//! asserts the decision, never a duration.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::limits::{LimitConfig, RateLimiter};
use super::tier::TierGate;
use crate::time::DAY;

/// Builds a fresh limiter (its own state) with a configuration.
pub type MakeLimiter = Arc<
    dyn Fn(LimitConfig) -> Pin<Box<dyn Future<Output = Arc<dyn RateLimiter>> + Send>> + Send + Sync,
>;
/// Builds a fresh tier gate (its own state) with a cap.
pub type MakeTier = Arc<
    dyn Fn(Option<usize>) -> Pin<Box<dyn Future<Output = Arc<dyn TierGate>> + Send>> + Send + Sync,
>;

/// A [`MakeLimiter`] from an async constructor.
pub fn make_limiter<F, Fut, L>(f: F) -> MakeLimiter
where
    F: Fn(LimitConfig) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = L> + Send + 'static,
    L: RateLimiter,
{
    let f = Arc::new(f);
    Arc::new(move |c| {
        let f = f.clone();
        Box::pin(async move { Arc::new(f(c).await) as Arc<dyn RateLimiter> })
    })
}

/// A [`MakeTier`] from an async constructor.
pub fn make_tier<F, Fut, T>(f: F) -> MakeTier
where
    F: Fn(Option<usize>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: TierGate,
{
    let f = Arc::new(f);
    Arc::new(move |cap| {
        let f = f.clone();
        Box::pin(async move { Arc::new(f(cap).await) as Arc<dyn TierGate> })
    })
}

fn cfg(mps: u32, pair_burst: u32, pair_interval: Duration) -> LimitConfig {
    LimitConfig {
        mps,
        pair_burst,
        pair_interval,
        ..Default::default()
    }
}

fn admitted(out: &[Result<(), Duration>]) -> usize {
    out.iter().filter(|r| r.is_ok()).count()
}

/// Per-number rate: a quarter-second burst at the configured rate, numbers
/// independent, per-number overrides honoured, refusals name a wait within one
/// emission interval.
pub async fn number_rate(make: MakeLimiter) {
    let mut c = cfg(8, 45, Duration::from_secs(6));
    c.mps_by_number.insert("fast".into(), 40);
    let l = make(c).await;
    let rs: Vec<String> = (0..20).map(|i| format!("r{i}")).collect();
    let sends: Vec<(&str, &str)> = rs.iter().map(|r| ("n", r.as_str())).collect();
    let out = l.try_acquire_many(&sends).await;
    assert_eq!(admitted(&out), 2, "8 mps: a burst of 2");
    assert!(out[..2].iter().all(Result::is_ok), "decided in order");
    for r in &out[2..] {
        let wait = r.unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(125),
            "within one 125 ms emission interval: {wait:?}"
        );
    }
    let other: Vec<(&str, &str)> = rs.iter().map(|r| ("other", r.as_str())).collect();
    assert_eq!(
        admitted(&l.try_acquire_many(&other).await),
        2,
        "numbers are independent"
    );
    let fast: Vec<(&str, &str)> = rs.iter().map(|r| ("fast", r.as_str())).collect();
    assert_eq!(
        admitted(&l.try_acquire_many(&fast).await),
        10,
        "override: 40 mps"
    );
}

/// Pair pacing: the pair burst, then one per interval; pairs independent.
pub async fn pair_pacing(make: MakeLimiter) {
    let l = make(cfg(1000, 3, Duration::from_secs(6))).await;
    for i in 0..3 {
        assert!(l.try_acquire("n", "r").await.is_ok(), "burst send {i}");
    }
    let wait = l.try_acquire("n", "r").await.unwrap_err();
    assert!(
        wait > Duration::from_secs(5) && wait <= Duration::from_secs(6),
        "next in about one pair interval: {wait:?}"
    );
    assert!(
        l.try_acquire("n", "r2").await.is_ok(),
        "pairs are independent"
    );
    assert!(
        l.try_acquire("m", "r").await.is_ok(),
        "the same recipient of another number is another pair"
    );
}

/// Bursts refill: after waiting the time a refusal names, a send is admitted,
/// and no more than the burst is ever admitted at once.
pub async fn burst_refills_after_the_named_wait(make: MakeLimiter) {
    let l = make(cfg(8, 45, Duration::from_secs(6))).await;
    let rs: Vec<String> = (0..10).map(|i| format!("b{i}")).collect();
    let sends: Vec<(&str, &str)> = rs.iter().map(|r| ("n", r.as_str())).collect();
    let out = l.try_acquire_many(&sends).await;
    assert_eq!(admitted(&out), 2);
    let wait = out[2].unwrap_err();
    tokio::time::sleep(wait + Duration::from_millis(5)).await;
    assert!(
        l.try_acquire("n", "after").await.is_ok(),
        "admitted after the wait"
    );
    // However long the pause, the burst caps what is admitted at once.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let out = l.try_acquire_many(&sends).await;
    assert_eq!(
        admitted(&out),
        2,
        "a pause never admits more than the burst"
    );
}

/// Penalties: a penalized pair is refused for the block and admitted after it;
/// a penalized number paces at half the rate and is back at its rate after.
pub async fn penalties_expire(make: MakeLimiter) {
    let l = make(cfg(8, 3, Duration::from_secs(6))).await;
    l.penalize_pair("n", "r", Duration::from_millis(300)).await;
    let wait = l.try_acquire("n", "r").await.unwrap_err();
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_millis(300),
        "refused for at most the block: {wait:?}"
    );
    assert!(
        l.try_acquire("n", "r2").await.is_ok(),
        "other pairs unaffected"
    );
    tokio::time::sleep(wait + Duration::from_millis(20)).await;
    assert!(l.try_acquire("n", "r").await.is_ok(), "the block expired");

    l.penalize_number("slow", Duration::from_millis(300)).await;
    let rs: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
    let sends: Vec<(&str, &str)> = rs.iter().map(|r| ("slow", r.as_str())).collect();
    let out = l.try_acquire_many(&sends).await;
    let ok = admitted(&out);
    assert!((1..=2).contains(&ok), "at most the normal burst: {ok}");
    let wait = out[ok].unwrap_err();
    assert!(
        wait > Duration::from_millis(125),
        "half the rate: the next slot is more than one normal interval away ({wait:?})"
    );
    // After the penalty and a full refill, the normal burst and pace return.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let out = l.try_acquire_many(&sends).await;
    assert_eq!(admitted(&out), 2, "normal burst again");
    let wait = out[2].unwrap_err();
    assert!(
        wait <= Duration::from_millis(125),
        "normal pace again: {wait:?}"
    );
}

/// Several tasks deciding at once never admit more than the budget: a pair
/// budget that cannot refill during the test, contended by eight tasks.
pub async fn concurrent_tasks_never_exceed(make: MakeLimiter) {
    let l = make(cfg(10_000, 5, Duration::from_secs(3600))).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let l = l.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for _ in 0..10 {
                if l.try_acquire("n", "contended").await.is_ok() {
                    ok += 1;
                }
            }
            let batch = vec![("n", "contended"); 5];
            ok + admitted(&l.try_acquire_many(&batch).await)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    assert_eq!(total, 5, "exactly the pair burst across all tasks");
}

/// The tier counts unique recipients in a rolling 24 h: a recipient seen again
/// is not counted twice, a full tier names when its oldest contact ages out,
/// and a contact ages out exactly one day later.
pub async fn tier_unique_recipients_rolling_day(make: MakeTier) {
    let t = make(Some(3)).await;
    assert_eq!(t.cap(), Some(3));
    let t0 = 1_900_000_000_000i64;
    assert!(t.admit("r1", t0).await.is_ok());
    assert!(t.admit("r2", t0 + 10).await.is_ok());
    assert!(
        t.admit("r1", t0 + 15).await.is_ok(),
        "seen again: not a second slot"
    );
    assert!(t.admit("r3", t0 + 20).await.is_ok());
    assert_eq!(
        t.admit("r4", t0 + 30).await,
        Err(t0 + 10 + DAY),
        "r2 ages out first"
    );
    assert!(
        t.admit("r2", t0 + 40).await.is_ok(),
        "a counted recipient is admitted"
    );
    // r1 was last seen at t0 + 15, r3 at t0 + 20, r2 at t0 + 40: a contact
    // counts until exactly one day later.
    assert_eq!(
        t.admit("r4", t0 + 14 + DAY).await,
        Err(t0 + 15 + DAY),
        "not yet"
    );
    assert!(t.admit("r4", t0 + 15 + DAY).await.is_ok(), "r1 aged out");
    assert_eq!(
        t.admit("r5", t0 + 16 + DAY).await,
        Err(t0 + 20 + DAY),
        "r3, r2 and r4 in the window"
    );

    let unlimited = make(None).await;
    assert_eq!(unlimited.cap(), None);
    for i in 0..300 {
        assert!(unlimited.admit(&format!("u{i}"), t0).await.is_ok());
    }
}

/// Concurrent admissions never push the tier past its cap.
pub async fn tier_concurrent_admissions_never_exceed(make: MakeTier) {
    let t = make(Some(10)).await;
    let now = 1_900_000_000_000i64;
    let mut tasks = Vec::new();
    for w in 0..8 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for i in 0..10 {
                if t.admit(&format!("w{w}-{i}"), now).await.is_ok() {
                    ok += 1;
                }
            }
            ok
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("task");
    }
    assert_eq!(total, 10, "exactly the cap of unique recipients");
}

/// Expand every limiter and tier check into a `#[tokio::test]`. `$limiter` is
/// a [`MakeLimiter`] expression, `$tier` a [`MakeTier`] expression; `$ready` an
/// expression that is `false` when the backend is not configured, so every
/// test returns at once (print the reason once, see
/// [`env_or_skip`](crate::store::conformance::env_or_skip)).
#[macro_export]
macro_rules! limiter_conformance_tests {
    (limiter: $limiter:expr, tier: $tier:expr) => {
        $crate::limiter_conformance_tests!(limiter: $limiter, tier: $tier, ready: true);
    };
    (limiter: $limiter:expr, tier: $tier:expr, ready: $ready:expr) => {
        $crate::limiter_conformance_tests!(@each $limiter, $ready,
            number_rate, pair_pacing, burst_refills_after_the_named_wait,
            penalties_expire, concurrent_tasks_never_exceed);
        $crate::limiter_conformance_tests!(@each $tier, $ready,
            tier_unique_recipients_rolling_day, tier_concurrent_admissions_never_exceed);
    };
    (@each $make:expr, $ready:expr, $($check:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                if !$ready {
                    return;
                }
                $crate::scheduler::conformance::$check($make).await;
            }
        )*
    };
}
