//! The console as the bindings hold it: a campaign a session queues is the
//! same outbox item the scheduler writes (the worker sends it), a refused
//! campaign queues nothing, and the audit log lists both attempts.

use serde_json::json;
use wacrm::ErrorKind;
use wacrm::access::User;
use wacrm::scheduler::{OutgoingMessage, PolicyConfig};
use wacrm::store::{AuditOutcome, Enqueued};
use wacrm_bindings_common::{
    Client, Console, SandboxOptions, Scheduler, SchedulerSettings, Stores, start_sandbox,
};

fn message(key: &str) -> OutgoingMessage {
    serde_json::from_value(json!({"idempotency_key": key, "phone_number_id": "106540352242922",
        "recipient": format!("+1555000{}", key.len()), "category": "utility", "lane": "notification",
        "message": {"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}},
        "campaign_id": null, "not_before": 0, "event_key": "order-7", "promotion": false, "automated": false}))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_campaign_is_what_the_scheduler_writes_and_sends() {
    let h = start_sandbox(SandboxOptions::default()).await.unwrap();
    let c = Client::new(h.access_token(), Some(h.base_url()), None).unwrap();
    let st = Stores::open("memory:").await.unwrap();
    let settings = SchedulerSettings {
        policies: Some(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        }),
        ..Default::default()
    };
    let s = Scheduler::new(&st, &c, settings).await.unwrap();
    let console = Console::new(&st, Some(&s));
    let op = console.operator("setup".into());
    let user: User = serde_json::from_value(json!({"id": "ana", "name": "Ana"})).unwrap();
    op.upsert_user(user).await.unwrap();
    op.grant(serde_json::from_value(json!({"user_id": "ana", "role": "agent"})).unwrap())
        .await
        .unwrap();

    let agent = console
        .as_user("ana".into(), Some("web".into()))
        .await
        .unwrap();
    let refused = agent.broadcast("spring".into(), vec![message("k")]).await;
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::Forbidden);
    assert!(st.outbox_items(None, 10).await.unwrap().is_empty());

    assert_eq!(s.enqueue(message("direct")).await.unwrap(), Enqueued::New);
    let queued = op
        .broadcast("spring".into(), vec![message("campaign")])
        .await
        .unwrap();
    assert_eq!(queued, vec![Enqueued::New]);
    let items = st.outbox_items(None, 10).await.unwrap();
    let by_key = |k: &str| {
        items
            .iter()
            .find(|i| i.idempotency_key.to_string() == k)
            .unwrap()
    };
    let (direct, campaign) = (by_key("direct"), by_key("campaign"));
    assert_eq!(campaign.payload, direct.payload);
    assert_eq!(campaign.campaign_id.as_deref(), Some("spring"));
    assert_eq!(s.run_until_idle(0, 10_000).await.unwrap().sent, 2);

    let entries = op.audit_entries(None, None).await.unwrap();
    let starts: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "campaign.start")
        .map(|e| (e.actor.as_str(), e.outcome, e.client_id.as_deref()))
        .collect();
    assert_eq!(
        starts,
        [
            ("user:ana", AuditOutcome::Forbidden, Some("web")),
            ("operator:setup", AuditOutcome::Ok, None)
        ]
    );
    assert!(op.audit_verify().await.unwrap().is_ok());
}
