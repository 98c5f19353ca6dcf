//! The shared binding operations against the sandbox and real stores: what
//! every binding relies on, tested once in Rust.

use serde_json::{Value, json};
use wacrm::ErrorKind;
use wacrm::assignment::{Outcome, Request};
use wacrm::contacts::Segment;
use wacrm::scheduler::{OutgoingMessage, PolicyConfig};
use wacrm::store::{Agent, Enqueued};
use wacrm_bindings_common::{
    Assignment, AssignmentSettings, Client, DedupeCsvArgs, ImportArgs, SANDBOX_PHONE_NUMBER_ID,
    SandboxOptions, Scheduler, SchedulerSettings, SendArgs, Stores, dedupe_csv, start_sandbox,
};

async fn sandbox() -> (wacrm_bindings_common::SandboxHandle, Client) {
    let h = start_sandbox(SandboxOptions::default())
        .await
        .expect("sandbox");
    let c = Client::new(h.access_token(), Some(h.base_url()), None).expect("client");
    (h, c)
}

fn template() -> Value {
    json!({"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}})
}

fn send_args(to: &str, message: Value) -> SendArgs {
    let key = format!("k-{to}-{message}");
    SendArgs {
        from: SANDBOX_PHONE_NUMBER_ID.into(),
        to: to.into(),
        message: serde_json::from_value(message).expect("wire form"),
        idempotency_key: Some(key),
        biz_opaque_callback_data: None,
    }
}

#[tokio::test]
async fn client_operations_are_typed_and_keep_error_kinds() {
    let (h, c) = sandbox().await;
    let sent = c.send(send_args("+15550001111", template())).await.unwrap();
    assert!(sent.messages[0].id.as_str().starts_with("wamid."));
    assert_eq!(h.ledger().len(), 1);
    let numbers = c.list_phone_numbers(h.waba_id()).await.unwrap();
    assert_eq!(numbers.items[0].id.as_str(), SANDBOX_PHONE_NUMBER_ID);
    // A Graph error keeps its kind and code through the operation layer.
    let bad =
        json!({"type": "template", "template": {"name": "nope", "language": {"code": "en_US"}}});
    let e = c.send(send_args("+15550001111", bad)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Template);
    assert_eq!(e.details().graph_code, Some(132001));
    // A bad outbox state name is a validation error naming the known ones.
    let st = Stores::open("memory:").await.unwrap();
    let e = st.outbox_items(Some("lost".into()), 10).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("parked"), "{e}");
}

#[tokio::test]
async fn stores_scheduler_and_assignment_end_to_end() {
    let (h, c) = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("c.csv");
    std::fs::write(
        &csv,
        "id,name,phone,tags\nc1,Ana Sousa,+351 912 345 678,hk\nc2,Bad,nope,\nc3,Ana Souza,+351 912 345 678,\n",
    )
    .unwrap();
    let url = format!("sqlite://{}", dir.path().join("crm.db").display());
    let st = Stores::open(&url).await.unwrap();
    let report = st
        .contacts_import_csv(ImportArgs {
            path: csv.display().to_string(),
            map: ["id=external_id", "name=name", "phone=phone", "tags=tags"]
                .map(String::from)
                .to_vec(),
            id_column: Some("id".into()),
            region: Some("PT".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(report.bad_rows[0].line, 3);
    let seg: Segment = serde_json::from_value(
        json!({"name": "hk", "filter": {"tags_all": ["hk"], "has_phone": true}}),
    )
    .unwrap();
    assert_eq!(st.segment_members(seg).await.unwrap().len(), 1);

    let settings = SchedulerSettings {
        policies: Some(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        }),
        ..Default::default()
    };
    let s = Scheduler::new(&st, &c, settings).await.unwrap();
    let item = |k: &str, to: &str| -> OutgoingMessage {
        serde_json::from_value(json!({"idempotency_key": k, "phone_number_id": "106540352242922", "recipient": to, "message": template(),
               "category": "utility", "lane": "notification", "campaign_id": null, "not_before": 0,
               "event_key": null, "promotion": false, "automated": false}))
        .unwrap()
    };
    assert_eq!(
        s.enqueue(item("a", "+15550001111")).await.unwrap(),
        Enqueued::New
    );
    assert_eq!(
        s.enqueue(item("a", "+15550001111")).await.unwrap(),
        Enqueued::Duplicate
    );
    let r = s.run_until_idle(0, 10_000).await.unwrap();
    assert_eq!(r.sent, 1);
    assert_eq!(h.ledger().len(), 1);

    let settings = AssignmentSettings {
        hard_cap: Some(1),
        ..Default::default()
    };
    let a = Assignment::new(&st, settings).await.unwrap();
    let agent: Agent = serde_json::from_value(
        json!({"id": "ana", "name": "Ana", "presence": "online", "capacity": 5}),
    )
    .unwrap();
    a.upsert_agent(agent).await.unwrap();
    let req = |c: &str| -> Request {
        serde_json::from_value(json!({"conversation_id": c, "contact_id": "k", "priority": 0, "required_skills": [], "preferred_skills": [], "previous_agent": null, "team": null, "arrived_at": 0})).unwrap()
    };
    assert!(matches!(
        a.assign(req("v1")).await.unwrap(),
        Outcome::Assigned { .. }
    ));
    assert!(matches!(
        a.assign(req("v2")).await.unwrap(),
        Outcome::Queued { .. }
    ));
    let released = a.release("v1".into()).await.unwrap();
    assert!(
        matches!(&released[0], Outcome::Assigned { conversation_id, .. } if conversation_id.as_str() == "v2"),
        "{released:?}"
    );
    let coin = AssignmentSettings {
        strategy: Some("coin_flip".into()),
        ..Default::default()
    };
    assert!(Assignment::new(&st, coin).await.is_err());

    let d = dedupe_csv(DedupeCsvArgs {
        paths: vec![csv.display().to_string()],
        map: vec!["name=name".into(), "phone=phone".into()],
        id_column: Some("id".into()),
        region: Some("PT".into()),
        ..Default::default()
    })
    .unwrap();
    // The row whose phone does not validate is compared by its other fields,
    // not reported as bad (the store import above does refuse it).
    assert!(d.reports[0].bad_rows.is_empty());
    assert_eq!(d.result.stats.rows_left_out, 0);
    assert_eq!(d.result.pairs[0].a, "c1");
    assert_eq!(d.result.pairs[0].b, "c3");
}
