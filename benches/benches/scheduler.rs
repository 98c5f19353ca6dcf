//! Scheduler decision cost in memory (policies + tier + number bucket + pair)
//! vs a bare and a keyed governor check, same run: the lean path (quiet hours
//! off, no history, unlimited tier) and the full one (every policy on:
//! quiet hours with the zone looked up from the number, three earlier sends
//! per recipient, a finite tier of 100k), the full one as:
//! - a worker on a SQL store runs it: each recipient's context and history
//!   freshly decoded just before the decision (here: cloned from a template,
//!   untimed), while the tier and pair tables hold every recipient of the
//!   campaign and are as cold as a campaign leaves them; for 10k recipients
//!   and for 100k (the 100k tier's whole window: tables of megabytes, which
//!   the cache does not keep);
//! - with every context and history held in memory for all 10k recipients
//!   and visited in turn, so each is a cold read (the memory store's case);
//! - and, to show what the prefetch hints are worth, the worker's runs again
//!   without them.
//!
//! Items are decided in claimed batches of 64, as the worker does: each
//! item's tier and pair entries are asked of the CPU (prefetch hints) 16
//! items before its turn, inside the timed decision of the item 16 places
//! earlier; the batch's first 16 are asked for before its first decision
//! (timed, each decision charged an equal share).
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

/// Items the worker claims at once (`SchedulerConfig::batch`'s default).
const BATCH: usize = 64;

/// How many items ahead of its decision an item's entries are asked for.
const AHEAD: usize = 16;

/// The business number every decision sends from.
const NUMBER: &str = "106540352242922";

const NOW: i64 = 1_800_000_000_000;

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

    let lean = Run {
        recipients: 10_000,
        full: false,
        held: Held::AllInMemory,
        hints: true,
    };
    let worker = |recipients, hints| Run {
        recipients,
        full: true,
        held: Held::LoadedBefore,
        hints,
    };
    let runs = [
        (
            "lean (quiet hours off, no history, unlimited tier), 10k recipients",
            lean,
        ),
        (
            "full (every policy on: quiet hours with zone lookup by number, 3 sends of history, tier of 100k), 10k recipients, context and history loaded just before",
            worker(10_000, true),
        ),
        (
            "full (as above), 100k recipients, loaded just before",
            worker(100_000, true),
        ),
        (
            "full (as above), 10k recipients, every context and history held in memory and visited in turn",
            Run {
                held: Held::AllInMemory,
                ..worker(10_000, true)
            },
        ),
        (
            "full, 10k recipients, loaded just before, WITHOUT prefetch hints",
            worker(10_000, false),
        ),
        (
            "full, 100k recipients, loaded just before, WITHOUT prefetch hints",
            worker(100_000, false),
        ),
    ];
    let mut means = Vec::new();
    for (name, run) in runs {
        let (mean, s) = run.measure();
        println!(
            "scheduler decision {name} + number + pair, 1 thread: mean {mean:.0} ns, p50 {} ns, p99 {} ns, {:.2}M decisions/s",
            wacrm_benches::percentile(&s, 0.5),
            wacrm_benches::percentile(&s, 0.99),
            1e3 / mean
        );
        means.push(mean);
    }
    println!(
        "anchors: bare governor check {bare_ns:.1} ns, keyed governor check {keyed_ns:.1} ns; full decision (10k, loaded just before) = {:.1}x a keyed check, 100k = {:.1}x, held in memory = {:.1}x, lean = {:.1}x",
        means[1] / keyed_ns,
        means[2] / keyed_ns,
        means[3] / keyed_ns,
        means[0] / keyed_ns
    );
    println!(
        "target: full decision p50 <= 200 ns, as the worker runs it (loaded just before, with hints), at 10k and 100k recipients"
    );
}

/// Where the decision's inputs are when it runs.
#[derive(Clone, Copy, PartialEq)]
enum Held {
    /// Every context and history built up front and visited in turn.
    AllInMemory,
    /// Each built (cloned) just before its decision, as a store read leaves it.
    LoadedBefore,
}

/// One measured configuration; each has its own tier and limiter, so their
/// tables hold exactly its recipients.
#[derive(Clone, Copy)]
struct Run {
    recipients: usize,
    /// Every policy on (else the lean path).
    full: bool,
    held: Held,
    /// Ask for each claimed batch's tier and pair entries first.
    hints: bool,
}

impl Run {
    fn contexts(&self) -> Vec<(SendContext, Vec<PolicySend>)> {
        // Numbers of 16 countries, several with many zones.
        let prefixes = [
            "+1212", "+1310", "+1907", "+5511", "+5592", "+7495", "+7383", "+6128", "+6189",
            "+5255", "+6221", "+8190", "+3461", "+4915", "+9198", "+2348",
        ];
        (0..self.recipients)
            .map(|i| {
                if !self.full {
                    let ctx = SendContext {
                        recipient: format!("+1555{i:07}"),
                        category: Some(Category::Utility),
                        is_template: true,
                        content_hash: 7,
                        ..Default::default()
                    };
                    return (ctx, Vec::new());
                }
                let r = format!("{}{:07}", prefixes[i % prefixes.len()], i);
                let history = (1..=3)
                    .map(|k| PolicySend {
                        recipient: r.clone(),
                        item_id: format!("ob:{r}:{k}"),
                        at: NOW - k * 3 * 86_400_000,
                        marketing: k == 3,
                        content_hash: 100 + k as u64,
                        promotion: k == 2,
                        event_key: Some(format!("order-{k}")),
                    })
                    .collect();
                let ctx = SendContext {
                    recipient: r,
                    category: Some(Category::Marketing),
                    is_template: true,
                    is_promotion: true,
                    event_key: Some("order-1".into()),
                    content_hash: 101,
                    automated: true,
                    last_human_reply_at: Some(NOW - 20 * 3_600_000),
                    ..Default::default()
                };
                (ctx, history)
            })
            .collect()
    }

    /// Mean and sorted per-decision samples of policies (with the given
    /// history, passed in memory: the store read is not part of it) + tier +
    /// limiter.
    fn measure(&self) -> (f64, Vec<u64>) {
        let ctxs = self.contexts();
        let policies = PolicyEngine::new(if self.full {
            PolicyConfig::default()
        } else {
            PolicyConfig {
                quiet_hours: None,
                ..Default::default()
            }
        });
        let tier = TierCounter::new(self.full.then_some(100_000));
        let limiter = MemoryLimiter::new(LimitConfig {
            mps: 1_000_000,
            pair_burst: 1_000_000,
            ..Default::default()
        });
        let clock = quanta::Clock::new();
        let hint = |ctx: &SendContext| {
            tier.prefetch(&ctx.recipient);
            limiter.prefetch(NUMBER, &ctx.recipient);
        };
        let decide = |ctx: &SendContext, hist: &[PolicySend], ahead: Option<&SendContext>| {
            let t0 = clock.raw();
            if let Some(next) = ahead {
                hint(next);
            }
            let d = policies.decide_with(ctx, hist, NOW);
            let ok = tier.admit(&ctx.recipient, NOW).is_ok()
                && limiter.check(NUMBER, &ctx.recipient).is_ok();
            let t1 = clock.raw();
            std::hint::black_box((d, ok));
            clock.delta_as_nanos(t0, t1)
        };
        let mut i = 0usize;
        let mut samples = Vec::with_capacity(1 << 20);
        let mut loaded: Vec<(SendContext, Vec<PolicySend>)> = Vec::with_capacity(BATCH);
        time_for(Duration::from_secs(3), || {
            // One claimed batch. Loaded just before: what a store read hands
            // over, fresh allocations just written (untimed).
            let batch: Vec<(&SendContext, &[PolicySend])> = if self.held == Held::LoadedBefore {
                loaded.clear();
                loaded.extend((0..BATCH).map(|k| {
                    let (ctx, hist) = &ctxs[(i + k) % ctxs.len()];
                    (ctx.clone(), hist.clone())
                }));
                loaded.iter().map(|(c, h)| (c, h.as_slice())).collect()
            } else {
                (0..BATCH)
                    .map(|k| {
                        let (c, h) = &ctxs[(i + k) % ctxs.len()];
                        (c, h.as_slice())
                    })
                    .collect()
            };
            i = (i + BATCH) % ctxs.len();
            // The first items' hints before any decision (timed, each
            // decision charged an equal share), then each decision hints the
            // item `AHEAD` places after it.
            let mut hints = 0;
            if self.hints {
                let t0 = clock.raw();
                batch.iter().take(AHEAD).for_each(|(ctx, _)| hint(ctx));
                hints = clock.delta_as_nanos(t0, clock.raw()) / BATCH as u64;
            }
            for (k, (ctx, hist)) in batch.iter().enumerate() {
                let ahead = batch.get(k + AHEAD).filter(|_| self.hints);
                let ns = decide(ctx, hist, ahead.map(|(c, _)| *c));
                if samples.len() < (1 << 20) {
                    samples.push(ns + hints);
                }
            }
        });
        samples.sort_unstable();
        let mean = samples.iter().sum::<u64>() as f64 / samples.len().max(1) as f64;
        (mean, samples)
    }
}
