//! A template Meta pauses holds the outbox items that use it, end to end
//! through the sandbox: PAUSED through the control API → its status webhook
//! (or the send's 132015) holds the items, none fails → APPROVED → sent.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use wacrm::client::*;
use wacrm::scheduler::*;
use wacrm::store::{Category, OutboxState, Stores};
use wacrm::time::ManualClock;
use wacrm::webhook::{WebhookProcessor, parse_body};
use wacrm::{PhoneNumberId, SharedClock};
use wacrm_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use wacrm_tests::WebhookSink;

const NUM: &str = "555000111";

struct Rig {
    h: SandboxHandle,
    sink: WebhookSink,
    stores: Stores,
    client: CloudApiClient,
    clock: Arc<ManualClock>,
    sched: Scheduler,
    processor: WebhookProcessor,
}

/// The scheduler and webhook processor of one process, sharing holds kept
/// in the store (a restart loads them again).
async fn engine(
    stores: &Stores,
    client: &CloudApiClient,
    clock: &Arc<ManualClock>,
) -> (Scheduler, WebhookProcessor) {
    let shared: SharedClock = clock.clone();
    let holds = Arc::new(TemplateHolds::load(stores.sync.clone()).await.unwrap());
    let sched = Scheduler::new(
        stores.clone(),
        client.clone(),
        Arc::new(MemoryLimiter::new(LimitConfig::default())),
        Arc::new(TierCounter::new(None)),
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        shared.clone(),
        SchedulerConfig::default(),
    )
    .with_template_holds(holds.clone());
    let processor = WebhookProcessor::new(stores.clone(), shared).with_template_holds(holds);
    (sched, processor)
}

async fn rig() -> Rig {
    let sink = WebhookSink::start().await;
    let h = Sandbox::start(
        SandboxConfig::default()
            .phone_number(NUM)
            .webhook_url(sink.url.clone()),
    )
    .await
    .unwrap();
    let client = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .build()
        .unwrap();
    let stores = Stores::memory();
    let clock = Arc::new(ManualClock::new(1_750_000_000_000));
    let (sched, processor) = engine(&stores, &client, &clock).await;
    Rig {
        h,
        sink,
        stores,
        client,
        clock,
        sched,
        processor,
    }
}

impl Rig {
    /// A new scheduler and processor over the same store, as after a restart.
    async fn restart(&mut self) {
        let (sched, processor) = engine(&self.stores, &self.client, &self.clock).await;
        self.sched = sched;
        self.processor = processor;
    }

    /// Set the template's status in the sandbox; with `feed`, wait for its
    /// status webhook and process it.
    async fn template_status(&self, status: &str, feed: bool) {
        let before = self.sink.received().len();
        let r = reqwest::Client::new()
            .put(format!(
                "{}/_sandbox/templates/hello_world/status",
                self.h.base_url()
            ))
            .bearer_auth(self.h.access_token())
            .json(&json!({"status": status, "language": "en_US"}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        if !feed {
            return;
        }
        let is_template = |r: &wacrm_tests::Received| {
            r.json()["entry"][0]["changes"][0]["field"] == "message_template_status_update"
        };
        let got = self
            .sink
            .wait_until(Duration::from_secs(10), |r| {
                r.iter().skip(before).any(is_template)
            })
            .await;
        let body = &got
            .iter()
            .skip(before)
            .find(|r| is_template(r))
            .unwrap()
            .body;
        let report = self
            .processor
            .process(&parse_body(body).unwrap())
            .await
            .unwrap();
        assert_eq!(report.other["template_status"], 1, "{report:?}");
    }

    async fn enqueue(&self, n: usize) {
        for i in 0..n {
            let to = format!("+1555400{i:04}");
            let msg = OutboundMessage::Template(Template::new("hello_world", "en_US"));
            let m = OutgoingMessage::new(
                format!("t:{to}"),
                &PhoneNumberId::new(NUM),
                to,
                msg,
                Category::Utility,
            );
            self.sched.enqueue(&m).await.unwrap();
        }
    }

    async fn deferred_reasons(&self) -> Vec<String> {
        self.stores
            .outbox
            .list_by_state(wacrm::store::OutboxStateKind::Deferred, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|i| match i.state {
                OutboxState::Deferred { reason } => reason,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    /// Past the hold's recheck, then rounds until nothing is due.
    async fn resume(&self) -> RoundReport {
        self.clock
            .advance(TEMPLATE_HOLD_RECHECK + Duration::from_secs(1));
        let mut total = RoundReport::default();
        for _ in 0..5 {
            let r = self.sched.run_once().await.unwrap();
            total.sent += r.sent;
            total.deferred += r.deferred;
            total.parked += r.parked;
            if r.claimed == 0 {
                break;
            }
        }
        total
    }
}

#[tokio::test]
async fn a_paused_template_holds_its_items_until_approved() {
    let rig = rig().await;
    rig.template_status("PAUSED", true).await;
    rig.enqueue(5).await;
    let r = rig.sched.run_once().await.unwrap();
    assert_eq!((r.sent, r.deferred, r.parked), (0, 5, 0), "{r:?}");
    // Held without a single send: nothing failed with 132015.
    assert!(rig.h.ledger().is_empty());
    let reasons = rig.deferred_reasons().await;
    assert_eq!(reasons.len(), 5);
    assert!(reasons.iter().all(|r| r.contains("PAUSED")), "{reasons:?}");
    // Still paused after the recheck: held again.
    let r = rig.resume().await;
    assert_eq!((r.sent, r.parked), (0, 0), "{r:?}");
    rig.template_status("APPROVED", true).await;
    let r = rig.resume().await;
    assert_eq!((r.sent, r.parked), (5, 0), "{r:?}");
    assert_eq!(
        rig.stores
            .outbox
            .list_by_state(wacrm::store::OutboxStateKind::Sent, 100)
            .await
            .unwrap()
            .len(),
        5
    );
    wacrm_tests::assert_each_sent_once(&rig.h.ledger(), 5);
}

#[tokio::test]
async fn a_132015_answer_holds_the_template_without_its_webhook() {
    let rig = rig().await;
    // Paused, but its webhook is never processed: the first send learns it.
    rig.template_status("PAUSED", false).await;
    rig.enqueue(4).await;
    let r = rig.sched.run_once().await.unwrap();
    assert_eq!((r.sent, r.parked), (0, 0), "{r:?}");
    assert_eq!(r.deferred, 4, "{r:?}");
    assert_eq!(rig.deferred_reasons().await.len(), 4);
    let stats = wacrm_tests::sandbox_stats(&rig.h).await;
    assert_eq!(
        stats["errors_by_code"]["132015"], 1,
        "one send answered 132015: {stats}"
    );
    rig.template_status("APPROVED", true).await;
    let r = rig.resume().await;
    assert_eq!((r.sent, r.parked), (4, 0), "{r:?}");
}

#[tokio::test]
async fn a_hold_survives_a_restart() {
    let mut rig = rig().await;
    rig.template_status("PAUSED", true).await;
    rig.restart().await;
    rig.enqueue(3).await;
    let r = rig.sched.run_once().await.unwrap();
    assert_eq!((r.sent, r.deferred, r.parked), (0, 3, 0), "{r:?}");
    assert!(rig.h.ledger().is_empty(), "nothing sent while paused");
    // Held from the stored hold: not one send was tried and answered 132015
    // (the send error would hold the items too, but only after a failed send).
    let stats = wacrm_tests::sandbox_stats(&rig.h).await;
    assert!(
        stats["errors_by_code"].get("132015").is_none(),
        "a send was tried while the stored hold should have held it: {stats}"
    );
    assert!(
        rig.deferred_reasons()
            .await
            .iter()
            .all(|r| r.contains("PAUSED"))
    );
    rig.restart().await;
    rig.template_status("APPROVED", true).await;
    rig.restart().await;
    let r = rig.resume().await;
    assert_eq!((r.sent, r.parked), (3, 0), "{r:?}");
    wacrm_tests::assert_each_sent_once(&rig.h.ledger(), 3);
}
