//! Engine behaviour against the in-memory CRM and store.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::crm::connector::*;
use crate::crm::{FieldMap, LocalField, MemoryConnector, Transform};
use crate::ids::ContactId;
use crate::store::{Contact, Stores};
use crate::time::ManualClock;

mod health;

fn mapping() -> Mapping {
    Mapping::from_toml(
        r#"
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
local = "city"
crm = "city"
direction = "both"
owner = "crm"
null = "clear"

[[fields]]
local = "last_name"
crm = "lastname"
direction = "both"
owner = "latest"

[[fields]]
local = "attr:rank"
crm = "rank"
direction = "to_crm"
default = "new customer"

[[fields]]
local = "attr:stage"
crm = "lifecyclestage"
direction = "from_crm"
"#,
    )
    .unwrap()
}

fn contact(id: &str, email: &str) -> Contact {
    Contact {
        id: ContactId::new(id),
        email: Some(email.into()),
        first_name: Some(format!("F-{id}")),
        city: Some("Utrecht".into()),
        last_name: Some("Jansen".into()),
        ..Default::default()
    }
}

fn fast() -> SyncOptions {
    SyncOptions {
        name: "test".into(),
        backoff_base: Duration::from_millis(1),
        backoff_max: Duration::from_millis(2),
        ..Default::default()
    }
}

async fn setup(n: usize) -> (Arc<MemoryConnector>, Stores, SyncEngine) {
    let crm = Arc::new(MemoryConnector::new());
    let stores = Stores::memory();
    for i in 0..n {
        stores
            .contacts
            .upsert(
                &contact(&format!("c{i}"), &format!(" C{i}@Example.com ")),
                None,
            )
            .await
            .unwrap();
    }
    let e = SyncEngine::new(crm.clone(), mapping(), &stores).with_options(fast());
    (crm, stores, e)
}

fn by_wacrm_id(crm: &MemoryConnector, id: &str) -> CrmRecord {
    crm.all()
        .into_iter()
        .find(|r| r.properties.get("wacrm_id").map(String::as_str) == Some(id))
        .expect("record in the CRM")
}

#[tokio::test]
async fn push_is_idempotent_and_applies_transforms_and_defaults() {
    let (crm, _stores, e) = setup(3).await;
    let r = e.push().await.unwrap();
    assert_eq!((r.created, r.updated, r.rejected), (3, 0, 0));
    let rec = by_wacrm_id(&crm, "c1");
    assert_eq!(
        rec.properties["email"], "c1@example.com",
        "trim + lowercase"
    );
    assert_eq!(
        rec.properties["rank"], "new customer",
        "default for an empty source"
    );
    assert!(
        !rec.properties.contains_key("lifecyclestage"),
        "from_crm fields are not pushed"
    );
    let again = e.push().await.unwrap();
    assert_eq!(again.requests, 0, "a second push sends nothing");
    assert_eq!((again.created, again.updated), (0, 0));
    assert_eq!(crm.all().len(), 3);
}

#[tokio::test]
async fn pull_creates_contacts_and_a_push_after_it_sends_nothing() {
    let (crm, stores, e) = setup(0).await;
    crm.edit(
        "900",
        &[
            ("email", "new@example.com"),
            ("firstname", "Nia"),
            ("lifecyclestage", "lead"),
            ("favourite_colour", "teal"),
        ],
    );
    let p = e.pull().await.unwrap();
    assert_eq!((p.fetched, p.created, p.conflicts), (1, 1, 0));
    let c = stores
        .contacts
        .get(&ContactId::new("crm-test-900"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.first_name.as_deref(), Some("Nia"));
    assert_eq!(c.attributes["stage"], "lead");
    assert_eq!(
        c.attributes[OVERFLOW_ATTRIBUTE]["favourite_colour"], "teal",
        "unmapped kept"
    );
    let push = e.push().await.unwrap();
    // Only what the CRM lacks goes out: our id and the rank default.
    assert_eq!(push.updated, 1);
    let rec = crm.all().pop().unwrap();
    assert_eq!(rec.properties["wacrm_id"], "crm-test-900");
    assert_eq!(crm.all().len(), 1, "matched by CRM id, no duplicate");
    // Now nothing: values that came from the CRM are not echoed back.
    let before = crm.stats().requests;
    let s = e.sync().await.unwrap();
    assert_eq!(s.pull.applied, 0, "{s:?}");
    assert_eq!(s.push.created + s.push.updated, 0, "{s:?}");
    let s2 = e.sync().await.unwrap();
    assert_eq!((s2.pull.applied, s2.push.updated), (0, 0));
    assert!(crm.stats().requests - before <= 3, "only the change scans");
}

#[tokio::test]
async fn conflicts_follow_owner_and_latest_and_are_all_recorded() {
    let (crm, stores, e) = setup(1).await;
    e.push().await.unwrap();
    e.pull().await.unwrap();
    let id = by_wacrm_id(&crm, "c0").id;
    // Local edits first, CRM edits later: LWW picks the CRM.
    let mut c = stores
        .contacts
        .get(&ContactId::new("c0"))
        .await
        .unwrap()
        .unwrap();
    c.first_name = Some("LocalFirst".into());
    c.city = Some("LocalCity".into());
    c.last_name = Some("LocalLast".into());
    stores.contacts.upsert(&c, None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(3)).await;
    crm.edit(
        &id,
        &[
            ("firstname", "CrmFirst"),
            ("city", "CrmCity"),
            ("lastname", "CrmLast"),
        ],
    );
    let p = e.pull().await.unwrap();
    assert_eq!((p.conflicts, p.discrepancies), (3, 3));
    let c = stores
        .contacts
        .get(&ContactId::new("c0"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.first_name.as_deref(), Some("LocalFirst"), "owner local");
    assert_eq!(c.city.as_deref(), Some("CrmCity"), "owner crm");
    assert_eq!(
        c.last_name.as_deref(),
        Some("CrmLast"),
        "latest: the CRM wrote last"
    );
    let ds = stores.sync.list_discrepancies("test").await.unwrap();
    assert_eq!(ds.len(), 3);
    let first = ds.iter().find(|d| d.field == "firstname").unwrap();
    assert_eq!(first.resolution, "local (owner)");
    assert_eq!(first.local["value"], "LocalFirst");
    assert_eq!(first.remote["value"], "CrmFirst");
    assert!(first.local["at"].as_i64().unwrap() > 0 && first.remote["at"].as_i64().unwrap() > 0);
    assert_eq!(
        ds.iter()
            .find(|d| d.field == "lastname")
            .unwrap()
            .resolution,
        "crm (latest)"
    );
    // The local winner goes out on the next push; then both sides agree.
    e.push().await.unwrap();
    assert_eq!(
        by_wacrm_id(&crm, "c0").properties["firstname"],
        "LocalFirst"
    );
    let s = e.sync().await.unwrap();
    assert_eq!((s.pull.conflicts, s.push.updated), (0, 0), "{s:?}");

    // Now the CRM is older: the local write wins under `latest`.
    crm.edit(&id, &[("lastname", "CrmAgain")]);
    tokio::time::sleep(Duration::from_millis(3)).await;
    let mut c = stores
        .contacts
        .get(&ContactId::new("c0"))
        .await
        .unwrap()
        .unwrap();
    c.last_name = Some("LocalAgain".into());
    stores.contacts.upsert(&c, None).await.unwrap();
    let s = e.sync().await.unwrap();
    assert_eq!(s.pull.conflicts, 1);
    assert_eq!(by_wacrm_id(&crm, "c0").properties["lastname"], "LocalAgain");
    let ds = stores.sync.list_discrepancies("test").await.unwrap();
    assert_eq!(ds.len(), 4);
    assert!(ds.iter().any(|d| d.resolution == "local (latest)"));
}

#[tokio::test]
async fn null_policy_clear_versus_unset() {
    let (crm, stores, e) = setup(1).await;
    e.push().await.unwrap();
    let mut c = stores
        .contacts
        .get(&ContactId::new("c0"))
        .await
        .unwrap()
        .unwrap();
    c.city = None; // null = "clear": the CRM value is cleared
    c.last_name = None; // null = "unset": the CRM value stays
    stores.contacts.upsert(&c, None).await.unwrap();
    e.push().await.unwrap();
    let rec = by_wacrm_id(&crm, "c0");
    assert!(
        !rec.properties.contains_key("city"),
        "cleared with an empty string"
    );
    assert_eq!(
        rec.properties["lastname"], "Jansen",
        "unset leaves the CRM alone"
    );
    // And from the CRM: an emptied `clear` field clears locally, `unset` does not.
    crm.edit(&rec.id, &[("city", "Leiden")]);
    e.pull().await.unwrap();
    crm.edit(&rec.id, &[("city", ""), ("firstname", "")]);
    e.pull().await.unwrap();
    let c = stores
        .contacts
        .get(&ContactId::new("c0"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.city, None);
    assert_eq!(c.first_name.as_deref(), Some("F-c0"));
}

#[tokio::test]
async fn rejected_and_required_records_are_parked_with_their_reason() {
    let (crm, stores, mut e) = setup(2).await;
    let mut bad = contact("bad", "not-an-email");
    bad.first_name = None;
    stores.contacts.upsert(&bad, None).await.unwrap();
    let r = e.push().await.unwrap();
    assert_eq!((r.created, r.rejected, r.parked), (2, 1, 1));
    let parked = stores.sync.list_parked("test").await.unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].key, "bad");
    assert!(
        parked[0].error.starts_with("VALIDATION_ERROR"),
        "{}",
        parked[0].error
    );
    assert_eq!(e.health().snapshot().rejections["VALIDATION_ERROR"], 1);
    assert_eq!(crm.all().len(), 2);

    let mut m = mapping();
    m.fields.push(
        FieldMap::new(LocalField::Phone, "phone")
            .transform(Transform::E164)
            .required(),
    );
    e.mapping = Arc::new(m);
    let mut c = contact("c9", "c9@example.com");
    c.e164 = None;
    stores.contacts.upsert(&c, None).await.unwrap();
    e.push().await.unwrap();
    let parked = stores.sync.list_parked("test").await.unwrap();
    assert!(
        parked
            .iter()
            .any(|p| p.key == "c9" && p.error.starts_with("REQUIRED_FIELD_MISSING")),
        "{parked:?}"
    );
}

/// A connector that fails with HTTP 503 a number of times, then delegates.
struct Flaky {
    inner: MemoryConnector,
    fail: AtomicU32,
}

#[async_trait]
impl CrmConnector for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }
    fn limits(&self) -> CrmLimits {
        self.inner.limits()
    }
    async fn upsert(&self, batch: &[UpsertInput]) -> crate::Result<Vec<UpsertOutcome>> {
        if self.fail.load(Ordering::SeqCst) > 0 {
            self.fail.fetch_sub(1, Ordering::SeqCst);
            return Err(crate::Error::Http {
                status: 503,
                body: "busy".into(),
                retry_after: Some(Duration::from_millis(1)),
            });
        }
        self.inner.upsert(batch).await
    }
    async fn fetch(&self, ids: &[String]) -> crate::Result<Vec<CrmRecord>> {
        self.inner.fetch(ids).await
    }
    async fn changed_since(&self, c: Option<&str>, l: usize) -> crate::Result<ChangePage> {
        self.inner.changed_since(c, l).await
    }
}

#[tokio::test]
async fn transient_failures_retry_in_run_then_on_schedule_then_park() {
    let stores = Stores::memory();
    stores
        .contacts
        .upsert(&contact("c0", "c0@example.com"), None)
        .await
        .unwrap();
    let flaky = Arc::new(Flaky {
        inner: MemoryConnector::new(),
        fail: AtomicU32::new(2),
    });
    let clock = ManualClock::new(1_000_000);
    let opts = SyncOptions {
        call_attempts: 3,
        ..fast()
    };
    let e = SyncEngine::new(flaky.clone(), mapping(), &stores)
        .with_options(opts)
        .with_clock(Arc::new(clock.clone()));
    let r = e.push().await.unwrap();
    assert_eq!(
        (r.created, r.retries),
        (1, 2),
        "two in-run retries, then through"
    );

    // Now it keeps failing: scheduled every 5 minutes, 3 times, then parked.
    let mut c = stores
        .contacts
        .get(&ContactId::new("c0"))
        .await
        .unwrap()
        .unwrap();
    c.city = Some("Gouda".into());
    stores.contacts.upsert(&c, None).await.unwrap();
    flaky.fail.store(1000, Ordering::SeqCst);
    let r = e.push().await.unwrap();
    assert_eq!((r.scheduled, r.parked), (1, 0));
    let r = e.push().await.unwrap();
    assert_eq!(r.scheduled, 1, "not due yet: nothing tried");
    for round in 1..=3 {
        clock.advance(Duration::from_secs(300));
        let r = e.push().await.unwrap();
        if round < 3 {
            assert_eq!((r.scheduled, r.parked), (1, 0), "round {round}");
        } else {
            assert_eq!((r.scheduled, r.parked), (0, 1), "round {round}");
        }
    }
    let parked = stores.sync.list_parked("test").await.unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].attempts, 4);
    assert!(parked[0].error.contains("RETRIES_EXHAUSTED") && parked[0].error.contains("503"));
    assert_eq!(
        parked[0].payload["properties"]["city"], "Gouda",
        "the payload is kept"
    );
}

#[tokio::test]
async fn realtime_pushes_changes_as_they_arrive() {
    let (crm, stores, e) = setup(0).await;
    let e = Arc::new(e);
    let (tx, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn({
        let e = e.clone();
        async move { e.run_realtime(Duration::from_millis(20), rx).await }
    });
    stores
        .contacts
        .upsert(&contact("rt", "rt@example.com"), None)
        .await
        .unwrap();
    let mut seen = false;
    for _ in 0..200 {
        if crm
            .all()
            .iter()
            .any(|r| r.properties.get("wacrm_id").map(String::as_str) == Some("rt"))
        {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tx.send(true).unwrap();
    let total = task.await.unwrap().unwrap();
    assert!(seen, "the change reached the CRM");
    assert_eq!(total.created, 1);
    assert!(e.health().snapshot().lag_p99_ms.is_some());
}

/// A connector whose process "dies" (a non-retryable error) on one call.
struct DiesOnce {
    inner: MemoryConnector,
    calls: AtomicU32,
    die_at: u32,
}

#[async_trait]
impl CrmConnector for DiesOnce {
    fn name(&self) -> &str {
        "dies-once"
    }
    fn limits(&self) -> CrmLimits {
        self.inner.limits()
    }
    async fn upsert(&self, batch: &[UpsertInput]) -> crate::Result<Vec<UpsertOutcome>> {
        if self.calls.fetch_add(1, Ordering::SeqCst) + 1 == self.die_at {
            return Err(crate::Error::Config("killed mid-run".into()));
        }
        self.inner.upsert(batch).await
    }
    async fn fetch(&self, ids: &[String]) -> crate::Result<Vec<CrmRecord>> {
        self.inner.fetch(ids).await
    }
    async fn changed_since(&self, c: Option<&str>, l: usize) -> crate::Result<ChangePage> {
        self.inner.changed_since(c, l).await
    }
}

#[tokio::test]
async fn a_run_stopped_mid_batch_resumes_without_doubles() {
    let stores = Stores::memory();
    let cs: Vec<Contact> = (0..250)
        .map(|i| contact(&format!("k{i:03}"), &format!("k{i}@example.com")))
        .collect();
    stores.contacts.upsert_many(&cs).await.unwrap();
    let crm = Arc::new(DiesOnce {
        inner: MemoryConnector::new(),
        calls: AtomicU32::new(0),
        die_at: 3,
    });
    let e = SyncEngine::new(crm.clone(), mapping(), &stores).with_options(fast());
    assert!(e.push().await.is_err(), "the third batch call dies");
    assert_eq!(crm.inner.all().len(), 200);
    let r = e.push().await.unwrap();
    assert_eq!(r.created, 50, "only the rest is sent: {r:?}");
    assert_eq!(r.unchanged, 200, "{r:?}");
    let ids: std::collections::BTreeSet<String> = crm
        .inner
        .all()
        .iter()
        .map(|r| r.properties["wacrm_id"].clone())
        .collect();
    assert_eq!((crm.inner.all().len(), ids.len()), (250, 250));
}
