//! The stand-in's own behaviour over raw HTTP, and the HubSpot connector's
//! handling of limits, conflicts and faults against it.

use std::sync::Arc;

use serde_json::{Value, json};
use wacrm::crm::{CrmConnector, HubSpotConfig, HubSpotConnector, UpsertInput, UpsertOutcome};
use wacrm_crm_standin::{Standin, StandinConfig};

async fn standin(per_10s: u32) -> Standin {
    Standin::start(StandinConfig {
        token: "tok".into(),
        requests_per_10s: per_10s,
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn post(s: &Standin, path: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{path}", s.url()))
        .bearer_auth("tok")
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn auth_limits_headers_and_over_limit_count() {
    let s = standin(3).await;
    let r = reqwest::Client::new()
        .post(format!("{}/crm/v3/objects/contacts/batch/read", s.url()))
        .json(&json!({"inputs": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body = json!({"inputs": []});
    let r = post(&s, "/crm/v3/objects/contacts/batch/read", body.clone()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-hubspot-ratelimit-max"], "3");
    assert_eq!(r.headers()["x-hubspot-ratelimit-remaining"], "2");
    post(&s, "/crm/v3/objects/contacts/batch/read", body.clone()).await;
    post(&s, "/crm/v3/objects/contacts/batch/read", body.clone()).await;
    let r = post(&s, "/crm/v3/objects/contacts/batch/read", body.clone()).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let st = s.stats();
    assert_eq!(
        (st.requests, st.over_limit),
        (4, 1),
        "unauthenticated calls are not counted"
    );
}

#[tokio::test]
async fn validation_uniqueness_paging_and_cap() {
    let s = standin(1000).await;
    let bad = post(
        &s,
        "/crm/v3/objects/contacts/batch/upsert",
        json!({"inputs": [
            {"idProperty": "wacrm_id", "id": "a", "objectWriteTraceId": "a", "properties": {"email": "a@x.io"}},
            {"idProperty": "wacrm_id", "id": "b", "objectWriteTraceId": "b", "properties": {"email": "nope"}}
        ]}),
    )
    .await;
    assert_eq!(bad.status(), 400);
    let v: Value = bad.json().await.unwrap();
    assert_eq!(v["category"], "VALIDATION_ERROR");
    assert_eq!(v["errors"][0]["context"]["objectWriteTraceId"][0], "b");
    assert_eq!(s.stats().records, 0, "a failed batch writes nothing");

    let ok = post(
        &s,
        "/crm/v3/objects/contacts/batch/upsert",
        json!({"inputs": [{"idProperty": "wacrm_id", "id": "a", "properties": {"email": "a@x.io"}}]}),
    )
    .await;
    assert_eq!(ok.status(), 200);
    let v: Value = ok.json().await.unwrap();
    assert_eq!(v["results"][0]["new"], true);
    assert!(v["results"][0]["properties"]["lastmodifieddate"].is_string());
    // Same email under another wacrm id: CONFLICT for that record (207).
    let dup = post(
        &s,
        "/crm/v3/objects/contacts/batch/upsert",
        json!({"inputs": [{"idProperty": "wacrm_id", "id": "z", "properties": {"email": "a@x.io"}}]}),
    )
    .await;
    assert_eq!(dup.status(), 207);
    let v: Value = dup.json().await.unwrap();
    assert_eq!(v["errors"][0]["category"], "CONFLICT");
    let notunique = post(
        &s,
        "/crm/v3/objects/contacts/batch/upsert",
        json!({"inputs": [{"idProperty": "city", "id": "x", "properties": {}}]}),
    )
    .await;
    assert_eq!(notunique.status(), 400);
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!({"idProperty": "wacrm_id", "id": format!("m{i}"), "properties": {}}))
        .collect();
    assert_eq!(
        post(
            &s,
            "/crm/v3/objects/contacts/batch/upsert",
            json!({"inputs": too_many})
        )
        .await
        .status(),
        400
    );
    let search = |after: Option<&str>| {
        let mut b = json!({
            "filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}]}],
            "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
            "limit": 200,
        });
        if let Some(a) = after {
            b["after"] = json!(a);
        }
        b
    };
    let r: Value = post(&s, "/crm/v3/objects/contacts/search", search(None))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["total"], 1);
    assert!(r.get("paging").is_none());
    let capped = post(&s, "/crm/v3/objects/contacts/search", search(Some("9900"))).await;
    assert_eq!(
        capped.status(),
        400,
        "after + limit beyond 10,000 is refused"
    );
}

#[tokio::test]
async fn connector_falls_back_to_email_and_rides_out_faults() {
    let s = standin(1000).await;
    // A CRM user created the contact by hand: no wacrm id yet.
    s.edit("new", &[("email", "ann@example.com"), ("firstname", "Ann")])
        .unwrap();
    s.set_faults(vec![(429, 0.2), (500, 0.2)]);
    let mut cfg = HubSpotConfig::new("tok").base_url(s.url());
    cfg.requests_per_10s = 1000;
    let c = Arc::new(HubSpotConnector::new(cfg).unwrap());
    let input = UpsertInput {
        key: "c1".into(),
        id_property: "wacrm_id".into(),
        id_value: "c1".into(),
        fallbacks: vec![("email".into(), "ann@example.com".into())],
        properties: [("city".to_string(), "Delft".to_string())]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    let mut out = None;
    for _ in 0..50 {
        match c.upsert(std::slice::from_ref(&input)).await {
            Ok(o) => {
                out = Some(o);
                break;
            }
            Err(e) => assert!(e.retry().retryable, "faults are retryable: {e}"),
        }
    }
    s.set_faults(Vec::new());
    let out = out.expect("went through despite faults");
    assert!(matches!(out[0], UpsertOutcome::Updated { .. }), "{out:?}");
    let recs = s.records();
    assert_eq!(recs.len(), 1, "matched by email, not duplicated");
    assert_eq!(recs[0]["properties"]["wacrm_id"], "c1");
    assert_eq!(recs[0]["properties"]["city"], "Delft");
    assert!(c.stats().requests >= 2);
}
