//! Scheduler decision cost in memory (number bucket + pair + tier + policies)
//! vs a bare and a keyed governor check, same run.
//! cargo bench -p wacrm-benches --bench scheduler

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{Quota, RateLimiter};
use wacrm::scheduler::{
    LimitConfig, MemoryLimiter, PolicyConfig, PolicyEngine, SendContext, TierCounter,
};
use wacrm::store::Category;
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
    let tier = TierCounter::new(None);
    let policies = PolicyEngine::new(PolicyConfig {
        quiet_hours: None,
        ..Default::default()
    });
    let recipients: Vec<String> = (0..10_000).map(|i| format!("+1555{i:07}")).collect();
    let mut ctx = SendContext {
        category: Some(Category::Utility),
        is_template: true,
        content_hash: 7,
        ..Default::default()
    };
    let mut i = 0usize;
    let now = 1_800_000_000_000i64;
    let mut samples = Vec::with_capacity(1 << 20);
    let (n, t) = time_for(Duration::from_secs(3), || {
        i = (i + 1) % recipients.len();
        let r = &recipients[i];
        let t0 = std::time::Instant::now();
        ctx.recipient.clone_from(r);
        let d = policies.decide(&ctx, now);
        let ok = tier.admit(r, now).is_ok() && limiter.check("106540352242922", r).is_ok();
        std::hint::black_box((d, ok));
        if samples.len() < (1 << 20) {
            samples.push(t0.elapsed().as_nanos() as u64);
        }
    });
    samples.sort_unstable();
    let full_ns = t.as_nanos() as f64 / n as f64;
    println!(
        "scheduler decision (policies + tier + number + pair), 1 thread: mean {full_ns:.0} ns, p50 {} ns, p99 {} ns, {:.2}M decisions/s",
        wacrm_benches::percentile(&samples, 0.5),
        wacrm_benches::percentile(&samples, 0.99),
        1e3 / full_ns
    );
    println!(
        "anchors: bare governor check {bare_ns:.1} ns, keyed governor check {keyed_ns:.1} ns; full decision = {:.1}x a keyed check",
        full_ns / keyed_ns
    );
}
