//! C13 through the sandbox: what a session sends (`send` through the
//! scheduler, `send_now` through the client, `start_campaign`) reaches the
//! API only when the user's role and number scope allow it; every attempt is
//! in the audit log and the log verifies.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wacrm::access::{Console, Membership, Scope, User};
use wacrm::client::{CloudApiClient, OutboundMessage, SendOptions, Template};
use wacrm::ids::Recipient;
use wacrm::scheduler::*;
use wacrm::store::{AuditOutcome, Category, Stores};
use wacrm::{ErrorKind, PhoneNumberId, SharedClock, SystemClock};
use wacrm_sandbox::{Sandbox, SandboxConfig};

const PN1: &str = "555000201";
const PN2: &str = "555000202";

struct Rig {
    console: Console,
    scheduler: Arc<Scheduler>,
    clock: SharedClock,
    sandbox: wacrm_sandbox::SandboxHandle,
}

async fn rig() -> Rig {
    let sandbox = Sandbox::start(SandboxConfig::default().phone_number(PN1).phone_number(PN2))
        .await
        .unwrap();
    let client = CloudApiClient::builder()
        .access_token(sandbox.access_token())
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let stores = Stores::memory();
    let clock: SharedClock = Arc::new(SystemClock);
    let scheduler = Arc::new(Scheduler::new(
        stores.clone(),
        client.clone(),
        Arc::new(MemoryLimiter::new(LimitConfig::default())),
        Arc::new(TierCounter::new(None)),
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        clock.clone(),
        SchedulerConfig::default(),
    ));
    let console = Console::new(stores, clock.clone())
        .with_client(client)
        .with_scheduler(scheduler.clone());
    let op = console.operator("test");
    // An agent on number 1 only, a supervisor everywhere, a viewer.
    for (id, role, numbers) in [
        ("agent1", "agent", vec![PN1]),
        ("sup", "supervisor", vec![]),
        ("view", "viewer", vec![]),
    ] {
        op.upsert_user(&User {
            id: id.into(),
            name: id.into(),
            agent_id: None,
            disabled: false,
            created_at: 0,
        })
        .await
        .unwrap();
        let mut scope = Scope::all();
        scope.numbers = numbers.into_iter().map(PhoneNumberId::new).collect();
        op.grant(&Membership {
            user_id: id.into(),
            role: role.into(),
            scope,
        })
        .await
        .unwrap();
    }
    Rig {
        console,
        scheduler,
        clock,
        sandbox,
    }
}

fn text(key: &str, from: &str, to: &str) -> OutgoingMessage {
    OutgoingMessage::new(
        key,
        &PhoneNumberId::new(from),
        to,
        OutboundMessage::text("hello"),
        Category::Service,
    )
}

fn forbidden<T: std::fmt::Debug>(r: wacrm::Result<T>) {
    let e = r.expect_err("must be refused");
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    assert_eq!(e.details().code, "FORBIDDEN");
}

async fn drain(r: &Rig) {
    r.scheduler
        .run_until_idle(
            r.clock.now_millis(),
            Instant::now() + Duration::from_secs(20),
        )
        .await
        .unwrap();
}

async fn outcomes(r: &Rig) -> Vec<(String, String, AuditOutcome)> {
    let entries = r.console.stores().audit.list(0, 1_000).await.unwrap();
    entries
        .into_iter()
        .map(|e| (e.actor, e.action, e.outcome))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_reach_the_api_only_within_role_and_number_scope() {
    let r = rig().await;
    let agent = r.console.as_user("agent1").await.unwrap();
    let viewer = r.console.as_user("view").await.unwrap();

    // Allowed: a template from the agent's own number, queued and sent by the
    // scheduler (a free-form text would wait for the customer's 24 h window).
    let mut first = text("a1", PN1, "+15550001001");
    first.message = OutboundMessage::Template(Template::new("hello_world", "en_US"));
    agent.send(&first).await.unwrap();
    // Refused: another number, and a viewer on any number.
    forbidden(agent.send(&text("a2", PN2, "+15550001002")).await);
    forbidden(viewer.send(&text("v1", PN1, "+15550001003")).await);
    // send_now goes straight through the client, under the same checks.
    let to = Recipient::parse("+15550001004");
    let resp = agent
        .send_now(
            &PhoneNumberId::new(PN1),
            &to,
            &OutboundMessage::text("now"),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    assert!(resp.message_id().is_some());
    forbidden(
        agent
            .send_now(
                &PhoneNumberId::new(PN2),
                &to,
                &OutboundMessage::text("now"),
                &SendOptions::default(),
            )
            .await,
    );
    drain(&r).await;

    let ledger = r.sandbox.ledger();
    let mut to_numbers: Vec<(&str, &str)> = ledger
        .iter()
        .map(|l| (l.phone_number_id.as_str(), l.to.as_str()))
        .collect();
    to_numbers.sort();
    assert_eq!(
        to_numbers,
        vec![(PN1, "+15550001001"), (PN1, "+15550001004")],
        "only the allowed sends reached the API"
    );
    let log = outcomes(&r).await;
    let count = |actor: &str, action: &str, o: AuditOutcome| {
        log.iter()
            .filter(|(a, x, y)| a == actor && x == action && *y == o)
            .count()
    };
    assert_eq!(count("user:agent1", "message.send", AuditOutcome::Ok), 1);
    assert_eq!(
        count("user:agent1", "message.send", AuditOutcome::Forbidden),
        1
    );
    assert_eq!(
        count("user:view", "message.send", AuditOutcome::Forbidden),
        1
    );
    assert_eq!(
        count("user:agent1", "message.send_now", AuditOutcome::Ok),
        1
    );
    assert_eq!(
        count("user:agent1", "message.send_now", AuditOutcome::Forbidden),
        1
    );
    let v = wacrm::access::verify(r.console.stores().audit.as_ref(), None)
        .await
        .unwrap();
    assert!(v.is_ok(), "{v:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaigns_start_whole_for_a_supervisor_and_not_at_all_for_an_agent() {
    let r = rig().await;
    let agent = r.console.as_user("agent1").await.unwrap();
    let sup = r.console.as_user("sup").await.unwrap();
    let msgs: Vec<OutgoingMessage> = (0..5)
        .map(|i| {
            let mut m = text(
                &format!("c{i}"),
                [PN1, PN2][i % 2],
                &format!("+1555000200{i}"),
            );
            m.message = OutboundMessage::Template(Template::new("hello_world", "en_US"));
            m.category = Category::Marketing;
            m
        })
        .collect();
    forbidden(agent.start_campaign("promo", &msgs).await);
    assert_eq!(r.console.stores().outbox.stats().await.unwrap().queued, 0);

    // One invalid message: the supervisor's campaign queues nothing.
    let mut bad = msgs.clone();
    bad[3].message = OutboundMessage::text("");
    let e = sup.start_campaign("promo", &bad).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    assert_eq!(r.console.stores().outbox.stats().await.unwrap().queued, 0);

    let queued = sup.start_campaign("promo", &msgs).await.unwrap();
    assert_eq!(queued.len(), 5);
    drain(&r).await;
    let ledger = r.sandbox.ledger();
    assert_eq!(ledger.len(), 5);
    let items = r
        .console
        .stores()
        .outbox
        .list_by_state(wacrm::store::OutboxStateKind::Sent, 100)
        .await
        .unwrap();
    assert!(
        items
            .iter()
            .all(|i| i.campaign_id.as_deref() == Some("promo"))
    );
    let log = outcomes(&r).await;
    let starts: Vec<_> = log
        .iter()
        .filter(|(_, a, _)| a == "campaign.start")
        .map(|(who, _, o)| (who.as_str(), *o))
        .collect();
    assert_eq!(
        starts,
        vec![
            ("user:agent1", AuditOutcome::Forbidden),
            ("user:sup", AuditOutcome::Failed),
            ("user:sup", AuditOutcome::Ok),
        ]
    );
}
