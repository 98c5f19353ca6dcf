//! C8 → C10: a CRM sync through the HubSpot stand-in (rejections, parked
//! pushes, a conflict), a restart of the sync engine, then the analytics
//! report recomputed from the same stores shows the sync health saved there:
//! counts over both engines, parked pushes and discrepancies, in the rows and
//! in the CSV and HTML documents.

use std::sync::Arc;
use std::time::Duration;

use wacrm::analytics::{RejectionCount, ReportConfig, recompute, render_csv, render_html};
use wacrm::crm::{HubSpotConfig, HubSpotConnector, Mapping, PushReport, SyncEngine, SyncOptions};
use wacrm::ids::ContactId;
use wacrm::store::{Contact, Stores};
use wacrm_crm_standin::{Standin, StandinConfig};

const MAPPING: &str = r#"
[identity]
crm_id_property = "wacrm_id"

[[fields]]
local = "email"
crm = "email"
direction = "both"
transform = ["trim", "lowercase"]

[[fields]]
local = "first_name"
crm = "firstname"
direction = "both"
owner = "local"

[[fields]]
local = "last_name"
crm = "lastname"
direction = "to_crm"
required = true
"#;

fn contact(i: usize, email: &str, last: Option<&str>) -> Contact {
    Contact {
        id: ContactId::new(format!("c{i}")),
        email: Some(email.into()),
        first_name: Some(format!("First{i}")),
        last_name: last.map(str::to_string),
        ..Default::default()
    }
}

fn engine(standin: &Standin, stores: &Stores) -> SyncEngine {
    let mapping = Mapping::from_toml(MAPPING).unwrap();
    let cfg = HubSpotConfig::new("rep")
        .base_url(standin.url())
        .properties(mapping.crm_properties());
    let connector = Arc::new(HubSpotConnector::new(cfg).unwrap());
    SyncEngine::new(connector, mapping, stores).with_options(SyncOptions {
        name: "hubspot-contacts".into(),
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(20),
        ..Default::default()
    })
}

/// Records a push sent or refused: each is one health attempt.
fn tried(p: &PushReport) -> (u64, u64) {
    (p.created + p.updated + p.rejected, p.created + p.updated)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_health_from_the_store_in_the_report() {
    let standin = Standin::start(StandinConfig {
        token: "rep".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let stores = Stores::memory();
    let mut batch = Vec::new();
    for i in 0..4 {
        batch.push(contact(i, &format!("user{i}@example.com"), Some("Silva")));
    }
    // Refused before sending: two bad emails, one without its required field.
    batch.push(contact(4, "broken-4", Some("Silva")));
    batch.push(contact(5, "broken-5", Some("Silva")));
    batch.push(contact(6, "user6@example.com", None));
    stores.contacts.upsert_many(&batch).await.unwrap();
    // A push re-reads contacts stamped in its cursor's millisecond (≥); past
    // it, the refused ones are counted once.
    tokio::time::sleep(Duration::from_millis(2)).await;

    let first = engine(&standin, &stores);
    let push = first.push().await.unwrap();
    assert_eq!(
        (push.created, push.rejected, push.parked),
        (4, 3, 3),
        "{push:?}"
    );

    // Both sides change c0's first name: a conflict the local side wins.
    let crm_id = standin
        .records()
        .iter()
        .find(|r| r["properties"]["wacrm_id"] == "c0")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    standin.edit(&crm_id, &[("firstname", "Remote")]).unwrap();
    let mut c0 = stores
        .contacts
        .get(&ContactId::new("c0"))
        .await
        .unwrap()
        .unwrap();
    c0.first_name = Some("Local".into());
    stores.contacts.upsert(&c0, None).await.unwrap();
    let pull = first.pull().await.unwrap();
    assert_eq!((pull.conflicts, pull.discrepancies), (1, 1), "{pull:?}");
    drop(first);

    // A restart: a new engine of the same name goes on from the saved health.
    stores
        .contacts
        .upsert(&contact(7, "user7@example.com", Some("Silva")), None)
        .await
        .unwrap();
    let second = engine(&standin, &stores);
    let again = second.push().await.unwrap();
    assert!(again.created >= 1, "{again:?}");

    let (a1, s1) = tried(&push);
    let (a2, s2) = tried(&again);
    let attempts = a1 + a2 + pull.fetched;
    let successes = s1 + s2 + pull.fetched;

    let report = recompute(&stores, &ReportConfig::default()).await.unwrap();
    assert_eq!(report.sync.len(), 1, "{:?}", report.sync);
    let row = &report.sync[0];
    assert_eq!(
        (row.connector.as_str(), row.mapping.as_str()),
        ("hubspot", "hubspot-contacts")
    );
    assert_eq!((row.attempts, row.successes), (attempts, successes));
    assert!((row.success_rate - successes as f64 / attempts as f64).abs() < 1e-12);
    assert_eq!(row.rejections, 3);
    assert_eq!(
        row.top_rejections,
        [
            RejectionCount {
                code: "VALIDATION_ERROR".into(),
                count: 2
            },
            RejectionCount {
                code: "REQUIRED_FIELD_MISSING".into(),
                count: 1
            },
        ]
    );
    assert_eq!((row.parked, row.discrepancies), (3, 1));
    assert!(row.latency_p50_ms.is_some() && row.latency_p99_ms >= row.latency_p50_ms);
    assert!(row.lag_p50_ms.is_some(), "pushes measure the lag");
    assert!(row.updated_at > 0);
    assert_eq!(
        second.health().snapshot().attempts,
        attempts,
        "the live health is the saved one"
    );

    let csv = render_csv(&report);
    let expected = format!(
        "# sync\nconnector,mapping,attempts,successes,success_rate,rejections,top_rejections,parked,discrepancies,\
         latency_p50_ms,latency_p99_ms,lag_p50_ms,lag_p99_ms,updated_at\n\
         hubspot,hubspot-contacts,{attempts},{successes},{},3,VALIDATION_ERROR:2 REQUIRED_FIELD_MISSING:1,3,1,",
        row.success_rate
    );
    assert!(csv.contains(&expected), "{csv}");
    let html = render_html(&report, "t");
    assert!(
        html.contains(r#"data-k="sync-parked:hubspot-contacts">3<"#),
        "{html}"
    );
    assert!(html.contains(&format!(
        r#"data-k="sync-attempts:hubspot-contacts">{attempts}<"#
    )));
    assert!(html.contains(r#"data-k="sync-discrepancies:hubspot-contacts">1<"#));

    // Nothing synced on a store: no rows (as the incremental engine gives).
    let empty = recompute(&Stores::memory(), &ReportConfig::default())
        .await
        .unwrap();
    assert!(empty.sync.is_empty());
    standin.stop().await;
}
