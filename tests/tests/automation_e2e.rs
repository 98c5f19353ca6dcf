//! Automation end to end through the sandbox: an inbound webhook runs the
//! rules, the reply goes through the scheduler's outbox to the Cloud API, tags
//! land in the contact store, and "talk to a person" is handed to an agent
//! with automation quiet afterwards.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use wacrm::assignment::{AssignmentConfig, AssignmentService, Outcome};
use wacrm::automation::{AutomationService, Engine, MemoryAutomationStore, RuleSet};
use wacrm::client::{CloudApiClient, RetryPolicy};
use wacrm::scheduler::*;
use wacrm::store::{Agent, Presence, Stores};
use wacrm::webhook::{SignatureVerifier, WebhookProcessor, verify_and_parse};
use wacrm::{AgentId, ManualClock, SharedClock};
use wacrm_sandbox::{Sandbox, SandboxConfig, StatusDelays};
use wacrm_tests::WebhookSink;

const NUM: &str = "555000111";
const CUSTOMER: &str = "5511988887777";

const RULES: &str = r#"
[business_hours]
timezone = "America/Sao_Paulo"
[business_hours.weekly]
mon = "09:00-18:00"
tue = "09:00-18:00"
wed = "09:00-18:00"
thu = "09:00-18:00"
fri = "09:00-18:00"

[[rules]]
id = "price-closed"
keywords = ["price", "preço"]
when = "out_of_hours"
actions = [
  { reply = 'Hi {{first_name|default:"there"}}! We are closed now; we will answer at {{next_open}}.' },
  { tag = "asked-price" },
]

[[rules]]
id = "price-open"
keywords = ["price", "preço"]
when = "in_hours"
actions = [{ reply = "An agent will send you the price shortly." }]
"#;

#[tokio::test]
async fn inbound_webhook_to_reply_and_handoff_through_the_sandbox() {
    // Wednesday 2026-03-04, 22:00 in São Paulo (UTC-3).
    // 2026-03-05T01:00:00Z.
    let start: i64 = 1_772_672_400_000;
    let sink = WebhookSink::start().await;
    let mut cfg = SandboxConfig::default()
        .phone_number(NUM)
        .webhook_url(sink.url.clone())
        .status_delays(StatusDelays {
            sent_ms: 1,
            delivered_ms: 5,
            read_ms: 10,
            read_rate: 1.0,
        });
    cfg.start_time_ms = Some(start);
    let h = Sandbox::start(cfg).await.unwrap();
    let client = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .retry_policy(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .build()
        .unwrap();

    let stores = Stores::memory();
    // The engine's clock reads the sandbox's time (the 24 h window is checked against it).
    let clock: SharedClock = Arc::new(ManualClock::new(start));
    let processor = WebhookProcessor::new(stores.clone(), clock.clone());
    let verifier = SignatureVerifier::new(h.app_secret());
    let scheduler = Arc::new(Scheduler::new(
        stores.clone(),
        client,
        Arc::new(MemoryLimiter::new(LimitConfig::default())),
        Arc::new(TierCounter::new(None)),
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        clock.clone(),
        SchedulerConfig {
            worker_id: "auto".into(),
            ..Default::default()
        },
    ));
    let assignment = Arc::new(
        AssignmentService::load(stores.clone(), AssignmentConfig::default(), clock.clone())
            .await
            .unwrap(),
    );
    assignment
        .upsert_agent(Agent {
            id: AgentId::new("agent-1"),
            name: "Bia".into(),
            presence: Presence::Online,
            capacity: 5,
            skills: Default::default(),
            teams: Default::default(),
            updated_at: 0,
        })
        .await
        .unwrap();
    let engine = Arc::new(
        Engine::new(
            RuleSet::from_toml(RULES).unwrap(),
            Arc::new(MemoryAutomationStore::new()),
        )
        .unwrap(),
    );
    let automation = AutomationService::new(engine, stores.clone(), scheduler.clone())
        .with_assignment(assignment.clone());

    // Deliver one inbound message through webhook → processor → automation.
    let mut seen = 0;
    let mut deliver = async |text: &str| {
        h.inbound(
            NUM,
            CUSTOMER,
            "Ana Souza",
            json!({"type": "text", "text": {"body": text}}),
        )
        .unwrap();
        let received = sink
            .wait_until(Duration::from_secs(5), |r| {
                r.iter()
                    .skip(seen)
                    .any(|x| x.json()["entry"][0]["changes"][0]["value"]["messages"].is_array())
            })
            .await;
        let mut handled = Vec::new();
        for r in &received[seen..] {
            let events = verify_and_parse(&verifier, &r.body, r.signature.as_deref()).unwrap();
            processor.process(&events).await.unwrap();
            handled.extend(automation.handle_events(&events).await.unwrap());
        }
        seen = received.len();
        handled
    };

    // 1. "price?" at 22:00 local: the out-of-hours reply, in Portuguese for a Brazilian number.
    let handled = deliver("price?").await;
    assert_eq!(handled.len(), 1);
    assert_eq!(handled[0].evaluation.rules, ["price-closed"]);
    assert_eq!(handled[0].enqueued.len(), 1);
    let report = scheduler
        .run_until_idle(clock.now_millis(), Instant::now() + Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let ledger = h.ledger();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].recipient, CUSTOMER);
    assert_eq!(
        ledger[0].body["text"]["body"],
        "Hi Ana! We are closed now; we will answer at amanhã às 9:00."
    );
    let contact = stores
        .contacts
        .find_by_wa_id(CUSTOMER)
        .await
        .unwrap()
        .unwrap();
    assert!(contact.tags.contains("asked-price"), "{:?}", contact.tags);
    assert!(
        contact.tags.contains("follow-up-weekly"),
        "{:?}",
        contact.tags
    );

    // 2. "I want to talk to a person": handed to the online agent, automation paused.
    let handled = deliver("I want to talk to a person").await;
    assert!(handled[0].evaluation.handoff);
    match &handled[0].assignment {
        Some(Outcome::Assigned { agent_id, .. }) => assert_eq!(agent_id.as_str(), "agent-1"),
        other => panic!("expected an assignment, got {other:?}"),
    }
    let conv = stores
        .conversations
        .list_for_contact(&contact.id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(conv.agent_id.as_ref().map(|a| a.as_str()), Some("agent-1"));
    let audit = stores.audit.list(0, 100).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "automation.handoff"));

    // 3. Automation stays quiet: the same question gets no automated answer.
    let handled = deliver("price?").await;
    assert!(handled[0].evaluation.rules.is_empty());
    assert!(handled[0].enqueued.is_empty());
    assert!(
        handled[0]
            .evaluation
            .ignored
            .as_deref()
            .unwrap()
            .starts_with("automation paused")
    );
    scheduler
        .run_until_idle(clock.now_millis(), Instant::now() + Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(h.ledger().len(), 1, "nothing more was sent");

    // A redelivered webhook never sends twice: the reply keys derive from the message id.
    let first = &sink.received()[0];
    let events = verify_and_parse(&verifier, &first.body, first.signature.as_deref()).unwrap();
    let again = automation.handle_events(&events).await.unwrap();
    assert!(again[0].enqueued.is_empty());
}
