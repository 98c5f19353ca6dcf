//! The shared binding operations against the sandbox and real stores: what
//! every binding relies on, tested once in Rust.

use serde_json::{Value, json};
use wacrm::ErrorKind;
use wacrm_bindings_common::{Assignment, Client, Scheduler, Stores, dedupe_csv};

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
    let args = json!({"path": csv, "map": ["id=external_id", "name=name", "phone=phone", "tags=tags"], "id_column": "id", "region": "PT"});
    let report = parse(
        &st.call("contacts_import_csv", &args.to_string())
            .await
            .unwrap(),
    );
    assert_eq!(report["bad_rows"][0]["line"], 3);
    let hk = parse(
        &st.call(
            "segment_members",
            &json!({"name": "hk", "filter": {"tags_all": ["hk"], "has_phone": true}}).to_string(),
        )
        .await
        .unwrap(),
    );
    assert_eq!(hk.as_array().unwrap().len(), 1);

    let s = Scheduler::new(&st, &c, r#"{"policies": {"quiet_hours": null}}"#)
        .await
        .unwrap();
    let item = |k: &str, to: &str| {
        json!({"idempotency_key": k, "phone_number_id": "106540352242922", "recipient": to, "message": template(),
               "category": "utility", "lane": "notification", "campaign_id": null, "not_before": 0,
               "event_key": null, "promotion": false, "automated": false}).to_string()
    };
    assert_eq!(
        s.call("enqueue", &item("a", "+15550001111")).await.unwrap(),
        r#""new""#
    );
    assert_eq!(
        s.call("enqueue", &item("a", "+15550001111")).await.unwrap(),
        r#""duplicate""#
    );
    let r = parse(
        &s.call("run_until_idle", r#"{"timeout_ms": 10000}"#)
            .await
            .unwrap(),
    );
    assert_eq!(r["sent"], 1);
    assert_eq!(h.ledger().len(), 1);
    let e = Scheduler::new(&st, &sandbox().await.1, r#"{"limits": {"mps": "fast"}}"#)
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Validation);

    let a = Assignment::new(&st, r#"{"hard_cap": 1}"#).await.unwrap();
    a.call(
        "upsert_agent",
        r#"{"id": "ana", "name": "Ana", "presence": "online", "capacity": 5}"#,
    )
    .await
    .unwrap();
    let req = |c: &str| {
        json!({"conversation_id": c, "contact_id": "k", "priority": 0, "required_skills": [], "preferred_skills": [], "previous_agent": null, "team": null, "arrived_at": 0}).to_string()
    };
    assert_eq!(
        parse(&a.call("assign", &req("v1")).await.unwrap())["outcome"],
        "assigned"
    );
    assert_eq!(
        parse(&a.call("assign", &req("v2")).await.unwrap())["outcome"],
        "queued"
    );
    let released = parse(
        &a.call("release", r#"{"conversation": "v1"}"#)
            .await
            .unwrap(),
    );
    assert_eq!(released[0]["conversation_id"], "v2");
    assert!(
        Assignment::new(&st, r#"{"strategy": "coin_flip"}"#)
            .await
            .is_err()
    );

    let d = parse(&dedupe_csv(&json!({"paths": [csv], "map": ["name=name", "phone=phone"], "id_column": "id", "region": "PT"}).to_string()).unwrap());
    assert_eq!(d["reports"][0]["bad_rows"][0]["line"], 3);
    assert_eq!(d["result"]["pairs"][0]["a"], "c1");
    assert_eq!(d["result"]["pairs"][0]["b"], "c3");
}
