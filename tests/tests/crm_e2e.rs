//! C8 end to end: 10,000 contacts pushed and pulled through the HubSpot
//! stand-in with 429s and 5xx injected — nothing lost, nothing duplicated,
//! rejected records parked with their reason, the stand-in's over-limit count
//! within 1 % of requests — then both sides change the same fields and every
//! conflict is settled by owner / last write and recorded.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use wacrm::crm::{HubSpotConfig, HubSpotConnector, Mapping, SyncEngine, SyncOptions};
use wacrm::ids::ContactId;
use wacrm::store::{Contact, ContactFilter, PageRequest, Stores};
use wacrm_crm_standin::{Standin, StandinConfig};

const N: usize = 10_000;
const BAD: usize = 20;

const MAPPING: &str = r#"
[identity]
crm_id_property = "wacrm_id"

[[fields]]
local = "email"
crm = "email"
direction = "both"
owner = "latest"
transform = ["trim", "lowercase"]

[[fields]]
local = "first_name"
crm = "firstname"
direction = "both"
owner = "local"

[[fields]]
local = "city"
crm = "city"
direction = "both"
owner = "crm"

[[fields]]
local = "last_name"
crm = "lastname"
direction = "both"
owner = "latest"
"#;

async fn all_contacts(stores: &Stores) -> Vec<Contact> {
    let mut out = Vec::new();
    let mut page = PageRequest {
        limit: 1000,
        after: None,
    };
    loop {
        let p = stores
            .contacts
            .list(&ContactFilter::default(), &page)
            .await
            .unwrap();
        out.extend(p.items);
        match p.next {
            Some(n) => page.after = Some(n),
            None => return out,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_contacts_through_a_faulty_stand_in() {
    let standin = Standin::start(StandinConfig {
        token: "e2e".into(),
        requests_per_10s: 2000,
        search_per_s: 50,
        faults: vec![(429, 0.05), (500, 0.02)],
        ..Default::default()
    })
    .await
    .unwrap();
    let stores = Stores::memory();
    let mut batch = Vec::with_capacity(N);
    for i in 0..N {
        let bad = i % (N / BAD) == 7;
        batch.push(Contact {
            id: ContactId::new(format!("c{i:05}")),
            email: Some(if bad {
                format!("broken-{i}")
            } else {
                format!(" User{i}@Example.com ")
            }),
            first_name: Some(format!("First{i}")),
            last_name: Some(format!("Last{i}")),
            city: Some("Utrecht".into()),
            ..Default::default()
        });
    }
    stores.contacts.upsert_many(&batch).await.unwrap();
    let mapping = Mapping::from_toml(MAPPING).unwrap();
    let mut cfg = HubSpotConfig::new("e2e")
        .base_url(standin.url())
        .properties(mapping.crm_properties());
    cfg.requests_per_10s = 2000;
    cfg.search_per_s = 50;
    let connector = Arc::new(HubSpotConnector::new(cfg).unwrap());
    let engine = SyncEngine::new(connector, mapping, &stores).with_options(SyncOptions {
        name: "hubspot".into(),
        call_attempts: 12,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(200),
        ..Default::default()
    });

    // Push everything.
    let push = engine.push().await.unwrap();
    assert_eq!(push.created as usize, N - BAD, "{push:?}");
    assert_eq!(
        (push.rejected as usize, push.parked as usize),
        (BAD, BAD),
        "{push:?}"
    );
    assert_eq!(
        push.scheduled, 0,
        "in-run retries absorbed every fault: {push:?}"
    );
    assert!(
        push.retries > 0,
        "faults were injected and retried: {push:?}"
    );
    let parked = stores.sync.list_parked("hubspot").await.unwrap();
    assert_eq!(parked.len(), BAD);
    assert!(
        parked
            .iter()
            .all(|p| p.error.starts_with("VALIDATION_ERROR") && p.error.contains("broken-")),
        "{:?}",
        parked[0]
    );

    // Nothing lost, nothing duplicated.
    let recs = standin.records();
    assert_eq!(recs.len(), N - BAD);
    let ids: BTreeSet<String> = recs
        .iter()
        .map(|r| r["properties"]["wacrm_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), N - BAD, "no duplicates");
    for i in (0..N).filter(|i| i % (N / BAD) != 7) {
        assert!(ids.contains(&format!("c{i:05}")), "c{i:05} lost");
    }
    assert!(recs.iter().all(|r| {
        r["properties"]["email"]
            .as_str()
            .unwrap()
            .starts_with("user")
    }));

    // Pull the echo back: nothing changes; a push right after sends nothing.
    let pull = engine.pull().await.unwrap();
    assert_eq!(
        (pull.applied, pull.created, pull.conflicts),
        (0, 0, 0),
        "{pull:?}"
    );
    assert!(pull.fetched as usize >= N - BAD, "{pull:?}");
    let again = engine.push().await.unwrap();
    assert_eq!(again.created + again.updated, 0, "{again:?}");

    // CRM users edit and create; both sides change the same fields of five contacts.
    let crm_id = |w: &str| -> String {
        standin
            .records()
            .iter()
            .find(|r| r["properties"]["wacrm_id"] == w)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let rec_of: BTreeMap<String, String> = recs
        .iter()
        .map(|r| {
            (
                r["properties"]["wacrm_id"].as_str().unwrap().to_string(),
                r["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for i in 100..150 {
        standin
            .edit(&rec_of[&format!("c{i:05}")], &[("city", "Rotterdam")])
            .unwrap();
    }
    for i in 0..10 {
        standin
            .edit(
                "new",
                &[
                    ("email", &format!("walkin{i}@example.com")),
                    ("firstname", "Walk"),
                ],
            )
            .unwrap();
    }
    let both: Vec<String> = (200..205).map(|i| format!("c{i:05}")).collect();
    for id in &both {
        let mut c = stores
            .contacts
            .get(&ContactId::new(id.as_str()))
            .await
            .unwrap()
            .unwrap();
        c.first_name = Some("LocalFirst".into());
        c.city = Some("LocalCity".into());
        c.last_name = Some("LocalLast".into());
        stores.contacts.upsert(&c, None).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    for id in &both {
        standin
            .edit(
                &crm_id(id),
                &[
                    ("firstname", "CrmFirst"),
                    ("city", "CrmCity"),
                    ("lastname", "CrmLast"),
                ],
            )
            .unwrap();
    }
    let sync = engine.sync().await.unwrap();
    assert_eq!(sync.pull.created, 10, "{sync:?}");
    assert_eq!(sync.pull.conflicts, 15, "{sync:?}");
    assert_eq!(sync.pull.discrepancies, 15, "{sync:?}");
    let ds = stores.sync.list_discrepancies("hubspot").await.unwrap();
    assert_eq!(ds.len(), 15);
    for id in &both {
        let mine: BTreeMap<&str, &str> = ds
            .iter()
            .filter(|d| &d.key == id)
            .map(|d| (d.field.as_str(), d.resolution.as_str()))
            .collect();
        assert_eq!(
            mine.get("firstname"),
            Some(&"local (owner)"),
            "{id}: {mine:?}"
        );
        assert_eq!(mine.get("city"), Some(&"crm (owner)"), "{id}: {mine:?}");
        assert_eq!(
            mine.get("lastname"),
            Some(&"crm (latest)"),
            "{id}: {mine:?}"
        );
        let c = stores
            .contacts
            .get(&ContactId::new(id.as_str()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                c.first_name.as_deref(),
                c.city.as_deref(),
                c.last_name.as_deref()
            ),
            (Some("LocalFirst"), Some("CrmCity"), Some("CrmLast"))
        );
        let r = standin
            .records()
            .into_iter()
            .find(|r| r["properties"]["wacrm_id"] == id.as_str())
            .unwrap();
        assert_eq!(
            r["properties"]["firstname"], "LocalFirst",
            "the local owner's value reached the CRM"
        );
    }
    let contacts = all_contacts(&stores).await;
    assert_eq!(contacts.len(), N + 10, "CRM-created contacts arrived");
    assert_eq!(
        contacts
            .iter()
            .filter(|c| c.city.as_deref() == Some("Rotterdam"))
            .count(),
        50
    );
    assert_eq!(
        standin.records().len(),
        N - BAD + 10,
        "walk-ins got our id, not a twin"
    );

    // A second sync changes nothing.
    let quiet = engine.sync().await.unwrap();
    assert_eq!(
        (quiet.pull.applied, quiet.pull.conflicts),
        (0, 0),
        "{quiet:?}"
    );
    assert_eq!(quiet.push.created + quiet.push.updated, 0, "{quiet:?}");

    let st = standin.stats();
    assert!(st.faults > 0);
    assert!(
        st.over_limit * 100 <= st.requests,
        "over-limit {} of {} requests",
        st.over_limit,
        st.requests
    );
    eprintln!("stand-in: {st:?}; push: {push:?}");
    standin.stop().await;
}
