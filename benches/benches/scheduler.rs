//! Scheduler decision cost in memory (policies + tier + number bucket + pair)
//! vs a bare and a keyed governor check, same run: the lean path (quiet hours
//! off, no history, unlimited tier) and the full one (every policy on), the
//! full one twice:
//! - as a worker on a SQL store runs it: each recipient's context and history
//!   freshly decoded just before the decision (here: cloned from a template
//!   outside the timed window), while the tier and pair maps hold all 10k
//!   recipients and are as cold as a campaign leaves them;
//! - with every context and history held in memory for all 10k recipients
//!   and visited in turn, so each is a cold read (the memory store's case).
//!
//! Each sample is one decision between two TSC reads (quanta), so the timer
//! costs a few nanoseconds of each sample rather than two `clock_gettime`s.
//! cargo bench -p wacrm-benches --bench scheduler

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{Quota, RateLimiter};
use wacrm::scheduler::{
    LimitConfig, MemoryLimiter, PolicyConfig, PolicyEngine, SendContext, TierCounter,
};
use wacrm::store::{Category, PolicySend};
use wacrm_benches::time_for;

fn main() {
    let huge = NonZeroU32::new(u32::MAX).expect("nonzero");
    let bare = RateLimiter::direct(Quota::per_second(huge));
    let (n, t) = time_for(Duration::from_secs(2), || {
        std::hint::black_box(bare.check().is_ok());
    });
    let bare_ns = t.as_nanos() as f64 / n as f64;
    let keyed = RateLimiter::<u64, _, _>::keyed(Quota::per_second(huge));
    let mut k = 0u64;
    let (n, t) = time_for(Duration::from_secs(2), || {
        k = (k + 1) % 10_000;
        std::hint::black_box(keyed.check_key(&k).is_ok());
    });
    let keyed_ns = t.as_nanos() as f64 / n as f64;

    let limiter = MemoryLimiter::new(LimitConfig {
        mps: 1_000_000,
        pair_burst: 1_000_000,
        ..Default::default()
    });
    let now = 1_800_000_000_000i64;

    // Lean path: quiet hours off, no history, unlimited tier.
    let lean_tier = TierCounter::new(None);
    let lean = PolicyEngine::new(PolicyConfig {
        quiet_hours: None,
        ..Default::default()
    });
    let us: Vec<String> = (0..10_000).map(|i| format!("+1555{i:07}")).collect();
    let empty: Vec<PolicySend> = Vec::new();
    let lean_ctx = |r: &String| SendContext {
        recipient: r.clone(),
        category: Some(Category::Utility),
        is_template: true,
        content_hash: 7,
        ..Default::default()
    };
    let (lean_mean, lean_s) = measure(
        &us,
        &lean_ctx,
        &|_| &empty,
        &lean,
        &lean_tier,
        &limiter,
        now,
        Held::AllInMemory,
    );

    // Every policy on: quiet hours with the zone looked up from the number
    // (numbers of 12 countries, several with many zones), three earlier sends
    // per recipient, a finite tier (counted, not reached).
    let full_tier = TierCounter::new(Some(100_000));
    let full = PolicyEngine::new(PolicyConfig::default());
    let prefixes = [
        "+1212", "+1310", "+1907", "+5511", "+5592", "+7495", "+7383", "+6128", "+6189", "+5255",
        "+6221", "+8190", "+3461", "+4915", "+9198", "+2348",
    ];
    let mixed: Vec<String> = (0..10_000)
        .map(|i| format!("{}{:07}", prefixes[i % prefixes.len()], i))
        .collect();
    let histories: std::collections::HashMap<String, Vec<PolicySend>> = mixed
        .iter()
        .map(|r| {
            let h = (1..=3)
                .map(|k| PolicySend {
                    recipient: r.clone(),
                    item_id: format!("ob:{r}:{k}"),
                    at: now - k * 3 * 86_400_000,
                    marketing: k == 3,
                    content_hash: 100 + k as u64,
                    promotion: k == 2,
                    event_key: Some(format!("order-{k}")),
                })
                .collect();
            (r.clone(), h)
        })
        .collect();
    let full_ctx = |r: &String| SendContext {
        recipient: r.clone(),
        category: Some(Category::Marketing),
        is_template: true,
        is_promotion: true,
        event_key: Some("order-1".into()),
        content_hash: 101,
        automated: true,
        last_human_reply_at: Some(now - 20 * 3_600_000),
        ..Default::default()
    };
    let full_run = |held| {
        measure(
            &mixed,
            &full_ctx,
            &|r| &histories[r],
            &full,
            &full_tier,
            &limiter,
            now,
            held,
        )
    };
    let (full_mean, full_s) = full_run(Held::AllInMemory);
    let (loaded_mean, loaded_s) = full_run(Held::LoadedBefore);

    for (name, mean, s) in [
        (
            "lean (quiet hours off, no history, unlimited tier)",
            lean_mean,
            &lean_s,
        ),
        (
            "full (every policy on: quiet hours with zone lookup by number, 3 sends of history, finite tier), context and history loaded just before",
            loaded_mean,
            &loaded_s,
        ),
        (
            "full (every policy on, as above), every context and history held in memory and visited in turn",
            full_mean,
            &full_s,
        ),
    ] {
        println!(
            "scheduler decision {name} + number + pair, 1 thread, 10k recipients: mean {mean:.0} ns, p50 {} ns, p99 {} ns, {:.2}M decisions/s",
            wacrm_benches::percentile(s, 0.5),
            wacrm_benches::percentile(s, 0.99),
            1e3 / mean
        );
    }
    println!(
        "anchors: bare governor check {bare_ns:.1} ns, keyed governor check {keyed_ns:.1} ns; full decision (loaded just before) = {:.1}x a keyed check, held in memory = {:.1}x, lean = {:.1}x",
        loaded_mean / keyed_ns,
        full_mean / keyed_ns,
        lean_mean / keyed_ns
    );
    println!("target: full decision p50 <= 200 ns");
}

/// Where the decision's inputs are when it runs.
#[derive(Clone, Copy, PartialEq)]
enum Held {
    /// Every context and history built up front and visited in turn.
    AllInMemory,
    /// Each built (cloned) just before its decision, as a store read leaves it.
    LoadedBefore,
}

/// Mean and sorted per-decision samples of policies (with the given history,
/// passed in memory: the store read is not part of it) + tier + limiter.
#[allow(clippy::too_many_arguments)]
fn measure<'a>(
    recipients: &'a [String],
    ctx_of: &dyn Fn(&String) -> SendContext,
    history_of: &dyn Fn(&String) -> &'a Vec<PolicySend>,
    policies: &PolicyEngine,
    tier: &TierCounter,
    limiter: &MemoryLimiter,
    now: i64,
    held: Held,
) -> (f64, Vec<u64>) {
    // Contexts built up front: the loader, not the decision, allocates them.
    // Each history is held as the slice the decision takes (not as a reference
    // to the map's `Vec`, whose header would be one more cold read per sample).
    let ctxs: Vec<(SendContext, &[PolicySend])> = recipients
        .iter()
        .map(|r| (ctx_of(r), history_of(r).as_slice()))
        .collect();
    let clock = quanta::Clock::new();
    let mut i = 0usize;
    let mut samples = Vec::with_capacity(1 << 20);
    let decide = |ctx: &SendContext, hist: &[PolicySend]| {
        let t0 = clock.raw();
        let d = policies.decide_with(ctx, hist, now);
        let ok = tier.admit(&ctx.recipient, now).is_ok()
            && limiter.check("106540352242922", &ctx.recipient).is_ok();
        let t1 = clock.raw();
        std::hint::black_box((d, ok));
        clock.delta_as_nanos(t0, t1)
    };
    time_for(Duration::from_secs(3), || {
        i = (i + 1) % ctxs.len();
        let (ctx, hist) = &ctxs[i];
        let ns = if held == Held::LoadedBefore {
            // What a store read hands over: fresh allocations, just written.
            let (ctx, hist) = (ctx.clone(), hist.to_vec());
            decide(&ctx, &hist)
        } else {
            decide(ctx, hist)
        };
        if samples.len() < (1 << 20) {
            samples.push(ns);
        }
    });
    samples.sort_unstable();
    let mean = samples.iter().sum::<u64>() as f64 / samples.len().max(1) as f64;
    (mean, samples)
}
