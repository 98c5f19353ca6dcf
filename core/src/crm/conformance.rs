//! The conformance suite every CRM connector must pass (feature `testing`).
//!
//! Each check is a plain `async fn(Arc<dyn CrmConnector>)` that starts from an
//! empty CRM; `crm_connector_conformance_tests!` expands them into
//! `#[tokio::test]`s for a connector factory:
//!
//! ```text
//! wacrm::crm_connector_conformance_tests!(async { my_connector().await });
//! ```
//!
//! The CRM must accept the properties `wacrm_id` (unique), `email`,
//! `firstname` and `city`. Checks panic with a message naming the contract.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::connector::*;

fn input(key: &str, props: &[(&str, &str)]) -> UpsertInput {
    UpsertInput {
        key: key.to_string(),
        crm_id: None,
        id_property: "wacrm_id".into(),
        id_value: key.to_string(),
        fallbacks: Vec::new(),
        properties: props
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

async fn one(c: &Arc<dyn CrmConnector>, id: &str) -> CrmRecord {
    let mut rs = c.fetch(&[id.to_string()]).await.expect("fetch");
    assert_eq!(rs.len(), 1, "fetch of a written id returns it");
    rs.remove(0)
}

async fn all_changed(
    c: &Arc<dyn CrmConnector>,
    from: Option<String>,
    limit: usize,
) -> (Vec<CrmRecord>, Option<String>) {
    let mut cursor = from;
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let p = c
            .changed_since(cursor.as_deref(), limit)
            .await
            .expect("changed_since");
        out.extend(p.records.iter().cloned());
        if p.next_cursor.is_some() {
            cursor = p.next_cursor.clone();
        }
        if !p.has_more || p.records.is_empty() {
            return (out, cursor);
        }
    }
    panic!("changed_since never finished paging");
}

/// Create, then update by the unique property: one outcome per input, in
/// order, and no duplicates.
pub async fn upsert_creates_then_updates(c: Arc<dyn CrmConnector>) {
    let batch: Vec<UpsertInput> = (0..5)
        .map(|i| {
            input(
                &format!("k{i}"),
                &[
                    ("firstname", &format!("F{i}")),
                    ("email", &format!("k{i}@example.com")),
                ],
            )
        })
        .collect();
    let out = c.upsert(&batch).await.expect("upsert");
    assert_eq!(out.len(), 5, "one outcome per input");
    let ids: Vec<String> = out
        .iter()
        .map(|o| match o {
            UpsertOutcome::Created { id } => id.clone(),
            other => panic!("a new record is Created, got {other:?}"),
        })
        .collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 5, "distinct ids");
    let mut again = batch.clone();
    again[2]
        .properties
        .insert("firstname".into(), "Changed".into());
    let out2 = c.upsert(&again).await.expect("upsert again");
    for (i, o) in out2.iter().enumerate() {
        assert_eq!(
            o.crm_id(),
            Some(ids[i].as_str()),
            "same record on the second upsert, in order"
        );
        assert!(
            !matches!(o, UpsertOutcome::Created { .. }),
            "no duplicate on the second upsert"
        );
    }
    assert!(
        matches!(out2[2], UpsertOutcome::Updated { .. }),
        "a change is Updated"
    );
    let r = one(&c, &ids[2]).await;
    assert_eq!(
        r.properties.get("firstname").map(String::as_str),
        Some("Changed")
    );
    assert_eq!(
        r.properties.get("wacrm_id").map(String::as_str),
        Some("k2"),
        "identity property written"
    );
    let (everything, _) = all_changed(&c, None, 100).await;
    let distinct: BTreeSet<&str> = everything.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(distinct.len(), 5, "exactly five records exist");
}

/// A bad record is rejected alone; the good records of its batch go through.
pub async fn bad_record_rejected_alone(c: Arc<dyn CrmConnector>) {
    let batch = vec![
        input("g1", &[("email", "g1@example.com")]),
        input("b1", &[("email", "not-an-email")]),
        input("g2", &[("email", "g2@example.com")]),
    ];
    let out = c
        .upsert(&batch)
        .await
        .expect("a partly bad batch is not an error");
    assert_eq!(out.len(), 3);
    assert!(
        matches!(out[0], UpsertOutcome::Created { .. }),
        "{:?}",
        out[0]
    );
    match &out[1] {
        UpsertOutcome::Rejected { code, message } => {
            assert!(
                !code.is_empty() && !message.is_empty(),
                "a rejection says why"
            )
        }
        other => panic!("an invalid email is Rejected, got {other:?}"),
    }
    assert!(
        matches!(out[2], UpsertOutcome::Created { .. }),
        "{:?}",
        out[2]
    );
}

/// Only the given properties change; `""` clears one; fetch leaves out
/// unknown ids.
pub async fn writes_only_given_properties_and_clears(c: Arc<dyn CrmConnector>) {
    let out = c
        .upsert(&[input("p1", &[("firstname", "Ann"), ("city", "Utrecht")])])
        .await
        .expect("upsert");
    let id = out[0].crm_id().expect("created").to_string();
    c.upsert(&[input("p1", &[("city", "")])])
        .await
        .expect("clear");
    let r = one(&c, &id).await;
    assert_eq!(
        r.properties.get("firstname").map(String::as_str),
        Some("Ann"),
        "untouched property kept"
    );
    assert!(
        r.properties.get("city").is_none_or(|v| v.is_empty()),
        "empty string clears"
    );
    let mut by_id = input("other-key", &[("city", "Delft")]);
    by_id.crm_id = Some(id.clone());
    by_id.id_value = "p1".into();
    let o = c.upsert(&[by_id]).await.expect("update by crm id");
    assert_eq!(
        o[0].crm_id(),
        Some(id.as_str()),
        "a known CRM id is updated, not duplicated"
    );
    let got = c
        .fetch(&[id.clone(), "999999999".into()])
        .await
        .expect("fetch");
    assert_eq!(got.len(), 1, "unknown ids are left out");
}

/// Paging never skips a record and a saved cursor sees later changes.
pub async fn changed_since_pages_and_resumes(c: Arc<dyn CrmConnector>) {
    let batch: Vec<UpsertInput> = (0..25)
        .map(|i| input(&format!("c{i}"), &[("firstname", &format!("N{i}"))]))
        .collect();
    let mut ids = Vec::new();
    for chunk in batch.chunks(c.limits().max_batch.clamp(1, 10)) {
        for o in c.upsert(chunk).await.expect("upsert") {
            ids.push(o.crm_id().expect("created").to_string());
        }
    }
    let (seen, cursor) = all_changed(&c, None, 7).await;
    let seen_ids: BTreeSet<&str> = seen.iter().map(|r| r.id.as_str()).collect();
    for id in &ids {
        assert!(
            seen_ids.contains(id.as_str()),
            "record {id} was skipped by paging"
        );
    }
    let mut order: BTreeMap<&str, i64> = BTreeMap::new();
    for r in &seen {
        order.insert(r.id.as_str(), r.updated_at);
    }
    // Later change: visible from the saved cursor.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    c.upsert(&[input("c3", &[("firstname", "Later")])])
        .await
        .expect("update");
    let (later, _) = all_changed(&c, cursor, 7).await;
    let hit = later
        .iter()
        .find(|r| r.id == ids[3])
        .expect("a change after the cursor is returned");
    assert_eq!(
        hit.properties.get("firstname").map(String::as_str),
        Some("Later")
    );
    assert!(
        hit.updated_at >= order[ids[3].as_str()],
        "modification time moves forward"
    );
}

/// Expand the suite into tests for a connector factory (an `async` block
/// returning `Arc<dyn CrmConnector>` over an empty CRM). With `optional`, the
/// factory returns `Option<Arc<dyn CrmConnector>>` and `None` skips the test
/// (a backend that is not configured).
#[macro_export]
macro_rules! crm_connector_conformance_tests {
    (optional $factory:expr) => {
        $crate::crm_connector_conformance_tests!(@list [optional] $factory);
    };
    ($factory:expr) => {
        $crate::crm_connector_conformance_tests!(@list [] $factory);
    };
    (@list [$($opt:ident)?] $factory:expr) => {
        $crate::crm_connector_conformance_tests!(@one [$($opt)?] $factory,
            upsert_creates_then_updates, bad_record_rejected_alone,
            writes_only_given_properties_and_clears, changed_since_pages_and_resumes);
    };
    (@one [] $factory:expr, $($check:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let connector = $factory.await;
                $crate::crm::conformance::$check(connector).await;
            }
        )*
    };
    (@one [optional] $factory:expr, $($check:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let Some(connector) = $factory.await else { return };
                $crate::crm::conformance::$check(connector).await;
            }
        )*
    };
}
