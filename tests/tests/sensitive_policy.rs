//! The automation sensitive-word filter installed as a scheduler content
//! policy, end to end through the sandbox: a message with a blocked word is
//! parked with the word as its reason and never reaches the Cloud API; the
//! others are sent.

use std::sync::Arc;

use wacrm::SharedClock;
use wacrm::automation::SensitiveFilter;
use wacrm::client::*;
use wacrm::scheduler::*;
use wacrm::store::{Category, OutboxState, OutboxStateKind, Stores};
use wacrm::time::ManualClock;
use wacrm_sandbox::{Sandbox, SandboxConfig};

const NUM: &str = "555000222";

#[tokio::test]
async fn a_message_with_a_sensitive_word_is_parked_with_the_word() {
    let h = Sandbox::start(SandboxConfig::default().phone_number(NUM))
        .await
        .unwrap();
    let client = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .build()
        .unwrap();
    let stores = Stores::memory();
    let clock: SharedClock = Arc::new(ManualClock::new(1_750_000_000_000));
    let filter = SensitiveFilter::new(&["senha".into(), "password".into()]).unwrap();
    let sched = Scheduler::new(
        stores.clone(),
        client,
        Arc::new(MemoryLimiter::new(LimitConfig::default())),
        Arc::new(TierCounter::new(None)),
        Arc::new(PolicyEngine::new(PolicyConfig {
            window_templates_only: false,
            quiet_hours: None,
            ..Default::default()
        })),
        clock,
        SchedulerConfig::default(),
    )
    .with_content_policy(Arc::new(filter));
    let texts = [
        "Your order ships tomorrow",
        "Please send me your SENHA to confirm",
        "Thanks for waiting",
    ];
    for (i, text) in texts.iter().enumerate() {
        let m = OutgoingMessage::new(
            format!("s:{i}"),
            &wacrm::PhoneNumberId::new(NUM),
            format!("+1555400{i:04}"),
            OutboundMessage::text(*text),
            Category::Service,
        );
        sched.enqueue(&m).await.unwrap();
    }
    let r = sched.run_once().await.unwrap();
    assert_eq!((r.sent, r.parked), (2, 1), "{r:?}");
    let parked = stores
        .outbox
        .list_by_state(OutboxStateKind::Parked, 10)
        .await
        .unwrap();
    assert_eq!(parked.len(), 1);
    assert!(
        parked[0].recipient.ends_with("5554000001"),
        "{:?}",
        parked[0]
    );
    match &parked[0].state {
        OutboxState::Parked { reason } => {
            assert_eq!(reason, "content policy: sensitive word \"senha\"")
        }
        other => panic!("{other:?}"),
    }
    // Only the two clean messages reached the Cloud API.
    wacrm_tests::assert_each_sent_once(&h.ledger(), 2);
}
