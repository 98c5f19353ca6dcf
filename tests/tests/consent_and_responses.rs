//! Through the sandbox: an inbound "STOP" opts the contact out, the next
//! campaign skips them with the reason (a service reply in the window still
//! goes), "START" opts them back in; each change is in the audit log. And a
//! restart keeps an agent's answer: the conversation is not reassigned for a
//! missed SLA and automation stays paused 12 h after the human reply.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use wacrm::assignment::{AssignmentConfig, AssignmentService, Outcome, Request};
use wacrm::client::*;
use wacrm::scheduler::*;
use wacrm::store::{
    Agent, Category, Contact, Conversation, ConversationStatus, OutboxState, Presence, Stores,
};
use wacrm::webhook::{SignatureVerifier, WebhookProcessor, verify_and_parse};
use wacrm::{AgentId, Clock, ContactId, ConversationId, ManualClock, PhoneNumberId, SharedClock};
use wacrm_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use wacrm_tests::WebhookSink;

const NUM: &str = "555000301";
const CUSTOMER: &str = "5215512345678";
const OTHER: &str = "+34600111222";

fn scheduler(h: &SandboxHandle, stores: &Stores, clock: &SharedClock) -> Scheduler {
    let client = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .build()
        .unwrap();
    Scheduler::new(
        stores.clone(),
        client,
        Arc::new(MemoryLimiter::new(LimitConfig::default())),
        Arc::new(TierCounter::new(None)),
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        clock.clone(),
        SchedulerConfig::default(),
    )
}

async fn campaign(s: &Scheduler, clock: &SharedClock, name: &str, to: &[&str]) {
    for r in to {
        // The sandbox knows `hello_world`; the campaign's name keys the items.
        let msg = OutboundMessage::Template(Template::new("hello_world", "en_US"));
        let mut m = OutgoingMessage::new(
            format!("{name}:{r}"),
            &PhoneNumberId::new(NUM),
            *r,
            msg,
            Category::Marketing,
        );
        m.campaign_id = Some(name.into());
        s.enqueue(&m).await.unwrap();
    }
    s.run_until_idle(clock.now_millis(), Instant::now() + Duration::from_secs(10))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_opts_out_the_next_campaign_skips_start_opts_back_in() {
    let sink = WebhookSink::start().await;
    let h = Sandbox::start(
        SandboxConfig::default()
            .phone_number(NUM)
            .webhook_url(sink.url.clone()),
    )
    .await
    .unwrap();
    let stores = Stores::memory();
    let clock: SharedClock = Arc::new(wacrm::SystemClock);
    let processor = WebhookProcessor::new(stores.clone(), clock.clone());
    let verifier = SignatureVerifier::new(h.app_secret());
    let s = scheduler(&h, &stores, &clock);
    let mut seen = 0;
    let mut say = async |text: &str| {
        h.inbound(
            NUM,
            CUSTOMER,
            "Lupita",
            json!({"type": "text", "text": {"body": text}}),
        )
        .unwrap();
        let got = sink
            .wait_until(Duration::from_secs(5), |r| {
                r.iter()
                    .skip(seen)
                    .any(|x| x.json()["entry"][0]["changes"][0]["value"]["messages"].is_array())
            })
            .await;
        let mut changes = 0;
        for r in &got[seen..] {
            let events = verify_and_parse(&verifier, &r.body, r.signature.as_deref()).unwrap();
            changes += processor.process(&events).await.unwrap().consent_changes;
        }
        seen = got.len();
        changes
    };

    assert_eq!(say("Darme de BAJA").await, 1, "a Spanish opt-out");
    let contact = stores
        .contacts
        .find_by_wa_id(CUSTOMER)
        .await
        .unwrap()
        .unwrap();
    let o = contact.opted_out.clone().expect("opted out");
    assert_eq!(o.source, "keyword");
    assert_eq!(o.keyword.as_deref(), Some("darme de baja"));
    assert_eq!(say("STOP").await, 0, "already out: no second change");

    let customer = format!("+{CUSTOMER}");
    campaign(&s, &clock, "promo_mayo", &[&customer, OTHER]).await;
    let ledger = h.ledger();
    assert_eq!(ledger.len(), 1, "only the other recipient: {ledger:?}");
    assert_eq!(
        ledger[0].recipient.trim_start_matches('+'),
        OTHER.trim_start_matches('+')
    );
    let skipped = stores
        .outbox
        .get_item(&format!("ob:promo_mayo:{customer}"))
        .await
        .unwrap()
        .unwrap();
    match &skipped.state {
        OutboxState::Parked { reason } => assert!(reason.starts_with("opted_out:"), "{reason}"),
        other => panic!("not refused: {other:?}"),
    }

    // A service reply inside the customer's 24 h window still goes.
    let mut reply = OutgoingMessage::new(
        "reply-1",
        &PhoneNumberId::new(NUM),
        customer.clone(),
        OutboundMessage::text("Listo, ya no recibirás promociones."),
        Category::Service,
    );
    // An automatic confirmation: a person's reply would pause the campaigns below for 12 h.
    reply.automated = true;
    s.enqueue(&reply).await.unwrap();
    s.run_until_idle(clock.now_millis(), Instant::now() + Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(h.ledger().len(), 2, "the reply was sent");

    assert_eq!(say("start").await, 1, "opt back in");
    let contact = stores.contacts.get(&contact.id).await.unwrap().unwrap();
    assert!(contact.opted_out.is_none());
    campaign(&s, &clock, "promo_junio", &[&customer]).await;
    assert_eq!(
        h.ledger().len(),
        3,
        "opted back in: the next campaign reaches them"
    );

    let actions: Vec<String> = stores
        .audit
        .list(0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.target == contact.id.to_string())
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["contact.opt_out", "contact.opt_in"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_answered_conversations_keep_their_agent_and_the_pause() {
    let h = Sandbox::start(SandboxConfig::default().phone_number(NUM))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wacrm.db");
    let t0 = wacrm::SystemClock.now_millis();
    let manual = Arc::new(ManualClock::new(t0));
    let clock: SharedClock = manual.clone();
    let cfg = || AssignmentConfig {
        sla: Duration::from_secs(300),
        ..Default::default()
    };
    let agent = |id: &str| Agent {
        id: AgentId::new(id),
        name: id.into(),
        presence: Presence::Online,
        capacity: 1,
        skills: Default::default(),
        teams: Default::default(),
        updated_at: 0,
    };
    {
        let stores = Stores::sqlite(&path).await.unwrap();
        let svc = AssignmentService::load(stores.clone(), cfg(), clock.clone())
            .await
            .unwrap();
        for (c, phone) in [("answered", "+5215500000001"), ("silent", "+5215500000002")] {
            stores
                .contacts
                .upsert(
                    &Contact {
                        id: ContactId::new(c),
                        e164: Some(phone.parse().expect("valid id")),
                        ..Default::default()
                    },
                    None,
                )
                .await
                .unwrap();
            let conv = Conversation {
                id: ConversationId::new(c),
                contact_id: ContactId::new(c),
                phone_number_id: PhoneNumberId::new(NUM),
                status: ConversationStatus::Open,
                agent_id: None,
                priority: 0,
                opened_at: t0,
                assigned_at: None,
                last_inbound_at: Some(t0),
                last_outbound_at: None,
                first_response_at: None,
                last_human_reply_at: None,
                closed_at: None,
            };
            stores.conversations.create(&conv).await.unwrap();
            svc.upsert_agent(agent(&format!("agent-{c}")))
                .await
                .unwrap();
            assert!(matches!(
                svc.assign(Request::new(c, c, t0)).await.unwrap(),
                Outcome::Assigned { .. }
            ));
        }
        // The agent of "answered" replies through the scheduler: the core records it.
        let s = scheduler(&h, &stores, &clock);
        let mut reply = OutgoingMessage::new(
            "agent-reply",
            &PhoneNumberId::new(NUM),
            "+5215500000001",
            OutboundMessage::text("Hola, ya lo reviso."),
            Category::Service,
        );
        reply.automated = false;
        s.enqueue(&reply).await.unwrap();
        let r = s
            .run_until_idle(t0, Instant::now() + Duration::from_secs(10))
            .await
            .unwrap();
        assert_eq!(r.sent, 1, "{r:?}");
        let conv = stores
            .conversations
            .get(&ConversationId::new("answered"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(conv.first_response_at, Some(t0));
        assert_eq!(conv.last_human_reply_at, Some(t0));
    }

    // Restart: everything rebuilt from the file, ten minutes later (SLA 5 min).
    manual.set(t0 + 600_000);
    let stores = Stores::sqlite(&path).await.unwrap();
    let svc = AssignmentService::load(stores.clone(), cfg(), clock.clone())
        .await
        .unwrap();
    svc.upsert_agent(agent("agent-spare")).await.unwrap();
    let moved: Vec<String> = svc
        .tick()
        .await
        .unwrap()
        .into_iter()
        .map(|o| match o {
            Outcome::Assigned {
                conversation_id, ..
            }
            | Outcome::Queued {
                conversation_id, ..
            } => conversation_id.to_string(),
        })
        .collect();
    assert_eq!(moved, ["silent"], "only the unanswered one misses its SLA");
    let answered = stores
        .conversations
        .get(&ConversationId::new("answered"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answered.agent_id, Some(AgentId::new("agent-answered")));

    // Automation to the answered customer waits until 12 h after the human reply.
    let s = scheduler(&h, &stores, &clock);
    let auto = OutgoingMessage::new(
        "auto-followup",
        &PhoneNumberId::new(NUM),
        "+5215500000001",
        OutboundMessage::text("¿Algo más en lo que podamos ayudar?"),
        Category::Service,
    );
    s.enqueue(&auto).await.unwrap();
    let r = s.run_once().await.unwrap();
    assert_eq!(r.deferred, 1, "{r:?}");
    let item = stores
        .outbox
        .get_item("ob:auto-followup")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.not_before, t0 + 12 * 3_600_000);
    assert!(
        format!("{:?}", item.state).contains("automation paused"),
        "{:?}",
        item.state
    );
}
