//! A 10,000-message campaign over four numbers through the scheduler against the
//! sandbox with its limits on: no throughput or pair errors that were not
//! injected, nothing lost or sent twice, and each number's steady rate within
//! 2 % of the configured one (measured on the sandbox's acceptance times).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use wacrm::client::*;
use wacrm::scheduler::*;
use wacrm::store::{Category, Stores};
use wacrm::{PhoneNumberId, SharedClock, SystemClock};
use wacrm_sandbox::{Sandbox, SandboxConfig};

// The pacing under test is the limiter's, not the worker's raw speed (benchmarked
// apart): four workers share the outbox and the limits, at a rate the debug build
// sustains while the rest of the suite runs on the same two cores, so a missed rate
// means bad pacing.
const MPS: u32 = 30;
const NUMBERS: [&str; 4] = ["555000101", "555000102", "555000103", "555000104"];
const MESSAGES: usize = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_messages_paced_per_number_within_two_percent() {
    let mut cfg = SandboxConfig::default().mps(MPS as f64);
    for n in NUMBERS {
        cfg = cfg.phone_number(n);
    }
    let h = Sandbox::start(cfg).await.unwrap();
    reqwest::Client::new()
        .put(format!("{}/_sandbox/limits", h.base_url()))
        .bearer_auth(h.access_token())
        .json(&json!({"tier": "tier100k", "mps": MPS}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let client = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .build()
        .unwrap();
    let stores = Stores::memory();
    let clock: SharedClock = Arc::new(SystemClock);
    // Four workers share one outbox and one set of limits, as a deployment would; each
    // sends one request at a time, so together they keep up with 400 mps.
    let limiter: Arc<dyn RateLimiter> = Arc::new(MemoryLimiter::new(LimitConfig {
        mps: MPS,
        ..Default::default()
    }));
    let tier: Arc<dyn TierGate> = Arc::new(TierCounter::new(Some(100_000)));
    let policies = Arc::new(PolicyEngine::new(PolicyConfig {
        quiet_hours: None,
        ..Default::default()
    }));
    let workers: Vec<Scheduler> = (0..4)
        .map(|w| {
            Scheduler::new(
                stores.clone(),
                client.clone(),
                limiter.clone(),
                tier.clone(),
                policies.clone(),
                clock.clone(),
                SchedulerConfig {
                    worker_id: format!("w{w}"),
                    batch: 50,
                    ..Default::default()
                },
            )
        })
        .collect();
    for i in 0..MESSAGES {
        let number = PhoneNumberId::new(NUMBERS[i % NUMBERS.len()]);
        let to = format!("+1555{:07}", 3_000_000 + i);
        let msg = OutboundMessage::Template(Template::new("hello_world", "en_US"));
        let mut m = OutgoingMessage::new(format!("c10k:{to}"), &number, to, msg, Category::Utility);
        m.campaign_id = Some("c10k".into());
        workers[0].enqueue(&m).await.unwrap();
    }
    let started = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(240);
    // The four workers run at once: each waits on its own HTTP round trips, so the
    // rate reached is the limiter's, not one worker's latency.
    let runs: Vec<_> = workers
        .into_iter()
        .map(|w| {
            let clock = clock.clone();
            tokio::spawn(async move { w.run_until_idle(clock.now_millis(), deadline).await })
        })
        .collect();
    let mut sent = 0;
    for run in runs {
        sent += run.await.unwrap().unwrap().sent;
    }
    assert_eq!(sent, MESSAGES, "after {:?}", started.elapsed());

    let ledger = h.ledger();
    wacrm_tests::assert_each_sent_once(&ledger, MESSAGES);
    let stats = wacrm_tests::sandbox_stats(&h).await;
    for code in ["130429", "131056"] {
        assert!(
            stats["errors_by_code"].get(code).is_none(),
            "{code}: {stats}"
        );
    }

    // Steady rate per number: skip the first second (the burst), then count.
    let mut by_number: HashMap<&str, Vec<i64>> = HashMap::new();
    for l in &ledger {
        by_number
            .entry(&l.phone_number_id)
            .or_default()
            .push(l.accepted_at_ms);
    }
    for (number, mut at) in by_number {
        at.sort_unstable();
        let from = at[0] + 1_000;
        let steady: Vec<i64> = at.into_iter().filter(|t| *t >= from).collect();
        let span = (steady[steady.len() - 1] - steady[0]) as f64 / 1000.0;
        let rate = (steady.len() - 1) as f64 / span;
        let err = (rate - MPS as f64).abs() / MPS as f64;
        eprintln!(
            "{number}: {} messages, steady {rate:.2} mps over {span:.1}s",
            steady.len()
        );
        assert!(err <= 0.02, "{number}: {rate:.2} mps vs {MPS} configured");
    }
}
