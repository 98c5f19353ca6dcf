//! The shared binding operations against the sandbox and real stores: what
//! every binding relies on, tested once in Rust.

use serde_json::{Value, json};
use wacrm::ErrorKind;
use wacrm::assignment::{Outcome, Request};
use wacrm::contacts::Segment;
use wacrm::scheduler::{OutgoingMessage, PolicyConfig};
use wacrm::store::{Agent, Enqueued};
use wacrm_bindings_common::{
    Assignment, AssignmentSettings, Client, DedupeCsvArgs, ImportArgs, Scheduler,
    SchedulerSettings, Stores, dedupe_csv, json_ops,
};

async fn sandbox() -> (wacrm_sandbox::SandboxHandle, Client) {
    let h = wacrm_sandbox::Sandbox::start(
        wacrm_sandbox::SandboxConfig::default().phone_number("106540352242922"),
    )
    .await
    .expect("sandbox");
    let c = Client::new(h.access_token(), Some(h.base_url()), None).expect("client");
    (h, c)
}

fn template() -> Value {
    json!({"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}})
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).expect("operations answer JSON")
}

#[tokio::test]
async fn client_operations_answer_json_and_keep_error_kinds() {
    let (h, c) = sandbox().await;
    let from = "106540352242922";
    let sent = parse(
        &c.call("send", &json!({"from": from, "to": "+15550001111", "message": template(), "idempotency_key": "k1"}).to_string())
            .await
            .unwrap(),
    );
    assert!(
        sent["messages"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("wamid.")
    );
    assert_eq!(h.ledger().len(), 1);
    let numbers = parse(
        &c.call(
            "list_phone_numbers",
            &json!({"waba": h.waba_id()}).to_string(),
        )
        .await
        .unwrap(),
    );
    assert_eq!(numbers["items"][0]["id"], from);
    // A Graph error keeps its kind and code through the operation layer.
    let bad = json!({"from": from, "to": "+15550001111", "message": {"type": "template", "template": {"name": "nope", "language": {"code": "en_US"}}}});
    let e = c.call("send", &bad.to_string()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Template);
    assert_eq!(e.details().graph_code, Some(132001));
    // Unknown operations and malformed arguments are validation errors naming them.
    let e = c.call("launch", "{}").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("launch"), "{e}");
    let e = c.call("send", r#"{"to": 1}"#).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("send"), "{e}");
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
    let e = Scheduler::from_json(&st, &sandbox().await.1, r#"{"limits": {"mps": "fast"}}"#)
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Validation);

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
    assert_eq!(d.reports[0].bad_rows[0].line, 3);
    assert_eq!(d.result.pairs[0].a, "c1");
    assert_eq!(d.result.pairs[0].b, "c3");
    // The same operation by name with JSON, for callers that hold raw JSON.
    let j = parse(&json_ops::dedupe_csv_json(&json!({"paths": [csv], "map": ["name=name", "phone=phone"], "id_column": "id", "region": "PT"}).to_string()).unwrap());
    assert_eq!(j["result"]["pairs"][0]["a"], "c1");
}
