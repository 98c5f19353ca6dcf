//! The campaign plan drives the sender, end to end through the sandbox: a
//! campaign larger than the messaging-limit tier is queued in daily batches
//! (day 2's items cannot be claimed before day 2) and goes out without one
//! refusal from the sandbox's own tier; a recipient's messages past the pair
//! burst are paced by their queued times.

use std::sync::Arc;
use std::time::Duration;

use wacrm::client::*;
use wacrm::scheduler::*;
use wacrm::store::{Category, OutboxStateKind, Stores};
use wacrm::time::ManualClock;
use wacrm::{PhoneNumberId, SharedClock};
use wacrm_sandbox::{Sandbox, SandboxConfig, SandboxHandle, Tier};

const NUM: &str = "555000222";
const START: i64 = 1_750_000_000_000;

struct Rig {
    h: SandboxHandle,
    stores: Stores,
    clock: Arc<ManualClock>,
    sched: Scheduler,
}

async fn rig(tier: Option<usize>, limits: LimitConfig) -> Rig {
    let h = Sandbox::start(
        SandboxConfig::default()
            .phone_number(NUM)
            .tier(Tier::Tier250),
    )
    .await
    .unwrap();
    let c = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .build()
        .unwrap();
    let stores = Stores::memory();
    let clock = Arc::new(ManualClock::new(START));
    let shared: SharedClock = clock.clone();
    let sched = Scheduler::new(
        stores.clone(),
        c,
        Arc::new(MemoryLimiter::new(limits)),
        Arc::new(TierCounter::new(tier)),
        // Only the limits under test: no caps or quiet hours in the way.
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            marketing_per_day_without_opt_in: None,
            same_content_per_month: None,
            promotion_interval: None,
            notification_min_gap: None,
            ..Default::default()
        })),
        shared,
        SchedulerConfig::default(),
    );
    Rig {
        h,
        stores,
        clock,
        sched,
    }
}

fn message(i: usize, to: &str) -> OutgoingMessage {
    OutgoingMessage::new(
        format!("spring:{i}"),
        &PhoneNumberId::new(NUM),
        to,
        OutboundMessage::Template(Template::new("hello_world", "en_US")),
        Category::Utility,
    )
}

impl Rig {
    /// Rounds at the current fake time until nothing more is claimed.
    async fn drain(&self) -> RoundReport {
        let mut total = RoundReport::default();
        loop {
            let r = self.sched.run_once().await.unwrap();
            total.sent += r.sent;
            total.deferred += r.deferred;
            total.parked += r.parked;
            if r.claimed == 0 {
                return total;
            }
        }
    }

    async fn queued(&self) -> usize {
        self.stores
            .outbox
            .list_by_state(OutboxStateKind::Queued, 10_000)
            .await
            .unwrap()
            .len()
    }
}

#[tokio::test]
async fn a_campaign_past_the_tier_goes_out_in_daily_batches() {
    // The sandbox enforces a 250 tier; so does wacrm's gate.
    let rig = rig(Some(250), LimitConfig::default()).await;
    let msgs: Vec<_> = (0..300)
        .map(|i| message(i, &format!("+1555300{i:04}")))
        .collect();
    let (plan, queued) = rig.sched.enqueue_campaign("spring", &msgs).await.unwrap();
    assert_eq!(queued.len(), 300);
    assert!(plan.batched, "{plan:?}");
    assert_eq!((plan.batch_size, plan.days), (200, 2), "80 % of 250 a day");
    assert!(
        plan.send_seconds > 86_400.0,
        "the wait for day 2 is in the estimate"
    );

    // Day 1: the first 200 go out; nothing is deferred by the tier, because
    // the other 100 are not due yet.
    let r = rig.drain().await;
    assert_eq!((r.sent, r.deferred, r.parked), (200, 0, 0), "{r:?}");
    assert_eq!(rig.queued().await, 100);
    // Nearly a day later, day 2's items still cannot be claimed.
    let almost = START + 86_400_000 - 1;
    let early = rig.stores.outbox.claim("probe", almost, 60_000, 500).await;
    assert!(early.unwrap().is_empty(), "day 2 claimable before day 2");

    // Day 2 (its start: a full window plus day 1's sending time).
    let step = 86_400_000 + (200.0_f64 / 80.0 * 1_000.0).ceil() as i64;
    rig.clock.advance(Duration::from_millis(step as u64));
    rig.h.advance_clock(step);
    let r = rig.drain().await;
    assert_eq!((r.sent, r.deferred, r.parked), (100, 0, 0), "{r:?}");
    assert_eq!(rig.queued().await, 0);
    // The sandbox's tier refused nothing: each item accepted exactly once.
    wacrm_tests::assert_each_sent_once(&rig.h.ledger(), 300);
    let ledger = rig.h.ledger();
    let first = ledger.iter().map(|e| e.accepted_at_ms).min().unwrap();
    let day2 = ledger
        .iter()
        .filter(|e| e.accepted_at_ms >= first + 86_400_000)
        .count();
    assert_eq!(day2, 100, "day 2's batch was sent on day 2");
}

#[tokio::test]
async fn a_recipients_messages_past_the_pair_burst_are_paced() {
    // A short interval: the limiter paces in real time (waiting in place),
    // the queued times pace on the fake clock.
    let limits = LimitConfig {
        pair_burst: 2,
        pair_interval: Duration::from_millis(300),
        ..Default::default()
    };
    let rig = rig(None, limits).await;
    let mut msgs: Vec<_> = (0..5).map(|i| message(i, "+15553100001")).collect();
    msgs.push(message(9, "+15553100002"));
    let (plan, _) = rig.sched.enqueue_campaign("pairs", &msgs).await.unwrap();
    assert!(!plan.batched);
    assert!(
        (plan.pair_seconds - 0.9).abs() < 1e-9,
        "3 messages past a burst of 2, 0.3 s apart: {plan:?}"
    );
    assert!(plan.send_seconds >= plan.pair_seconds, "{plan:?}");

    // At the start: the burst of two, and the other recipient.
    let r = rig.drain().await;
    assert_eq!((r.sent, r.deferred), (3, 0), "{r:?}");
    // Then one per interval: never two inside one.
    for _ in 0..3 {
        rig.clock.advance(Duration::from_millis(299));
        assert_eq!(rig.drain().await.sent, 0, "paced: not before its time");
        rig.clock.advance(Duration::from_millis(1));
        assert_eq!(rig.drain().await.sent, 1);
    }
    wacrm_tests::assert_each_sent_once(&rig.h.ledger(), 6);
}
