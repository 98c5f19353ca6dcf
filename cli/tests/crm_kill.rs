//! `wacrm crm sync` killed with SIGKILL mid-batch 10 times, then rerun to
//! completion, reaches the same end state as an uninterrupted run: every
//! contact in the CRM once (the stand-in's unique `wacrm_id`), the same
//! values on both sides, the CRM's own records pulled into contacts once,
//! the same records parked, nothing lost.
//!
//! Kill points are chosen by progress, not by time: each run is killed a
//! random 1–4 API requests after it started sending, plus a random few
//! milliseconds, so the kill lands while a batch is on the wire or while its
//! outcomes are being written, whatever the machine's speed.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use wacrm::ids::ContactId;
use wacrm::store::{Contact, ContactFilter, PageRequest, Stores};
use wacrm_crm_standin::{Standin, StandinConfig};

const N: usize = 1500;
const CRM_ONLY: usize = 60;
const TOKEN: &str = "kill-token";

const MAPPING: &str = r#"
[identity]
crm_id_property = "wacrm_id"
fallback = ["email"]

[[fields]]
local = "email"
crm = "email"
direction = "both"
transform = ["trim", "lowercase"]

[[fields]]
local = "first_name"
crm = "firstname"
direction = "both"
owner = "crm"

[[fields]]
local = "city"
crm = "city"
direction = "both"
owner = "local"
"#;

/// A small deterministic generator (the seed is printed to replay a run).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A stand-in with CRM-only records, and a store with N contacts (a few with
/// an e-mail the CRM refuses).
async fn world(dir: &std::path::Path, name: &str) -> (Standin, String) {
    let s = Standin::start(StandinConfig {
        token: TOKEN.into(),
        requests_per_10s: 400,
        search_per_s: 50,
        ..Default::default()
    })
    .await
    .unwrap();
    for i in 0..CRM_ONLY {
        let email = format!("crm{i}@example.org");
        let first = format!("Crm{i}");
        s.edit("new", &[("email", &email), ("firstname", &first)])
            .unwrap();
    }
    let db = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    let stores = Stores::from_url(&db).await.unwrap();
    let batch: Vec<Contact> = (0..N)
        .map(|i| Contact {
            id: ContactId::new(format!("c{i:04}")),
            email: Some(if i % 250 == 3 {
                format!("broken-{i}")
            } else {
                format!(" C{i}@Example.com ")
            }),
            first_name: Some(format!("First{i}")),
            city: Some(format!("City{}", i % 7)),
            ..Default::default()
        })
        .collect();
    stores.contacts.upsert_many(&batch).await.unwrap();
    (s, db)
}

fn sync_cmd(db: &str, mapping: &std::path::Path, url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wacrm"));
    c.args(["crm", "sync", "--db", db, "--mapping"])
        .arg(mapping)
        .args([
            "--base-url",
            url,
            "--batch-size",
            "20",
            "--requests-per-10s",
            "400",
        ])
        .env("WACRM_HUBSPOT_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn run_to_end(mut c: Command) {
    let st = c.status().unwrap();
    assert!(st.success(), "sync exits 0: {st:?}");
}

/// What the CRM holds, by wacrm id: (email, firstname, city); and how many
/// records carry each wacrm id.
fn crm_state(s: &Standin) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, usize>) {
    let mut state = BTreeMap::new();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for r in s.records() {
        let p = &r["properties"];
        let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
        let key = text("wacrm_id");
        *count.entry(key.clone()).or_default() += 1;
        state.insert(key, vec![text("email"), text("firstname"), text("city")]);
    }
    (state, count)
}

/// Contacts by id: (email, first name, city).
async fn store_state(db: &str) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let stores = Stores::from_url(db).await.unwrap();
    let mut out = BTreeMap::new();
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
        for c in p.items {
            let v = |x: &Option<String>| x.clone().unwrap_or_default();
            out.insert(
                c.id.as_str().to_string(),
                vec![v(&c.email), v(&c.first_name), v(&c.city)],
            );
        }
        match p.next {
            Some(n) => page.after = Some(n),
            None => break,
        }
    }
    let mut parked: Vec<String> = stores
        .sync
        .list_parked("hubspot")
        .await
        .unwrap()
        .into_iter()
        .map(|p| format!("{} {}", p.key, p.error))
        .collect();
    parked.sort();
    (out, parked)
}

async fn wait_exit(child: &mut Child) {
    for _ in 0..12_000 {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("sync did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_killed_mid_batch_ten_times_reaches_the_uninterrupted_end_state() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("mapping.toml");
    std::fs::write(&mapping, MAPPING).unwrap();

    // The reference: one uninterrupted run.
    let (reference, ref_db) = world(dir.path(), "reference").await;
    run_to_end(sync_cmd(&ref_db, &mapping, &reference.url()));
    let (want_crm, want_counts) = crm_state(&reference);
    let (want_store, want_parked) = store_state(&ref_db).await;
    assert_eq!(want_crm.len(), N - N / 250 + CRM_ONLY, "reference run");
    assert!(want_counts.values().all(|n| *n == 1));
    assert_eq!(want_store.len(), N + CRM_ONLY);
    assert_eq!(want_parked.len(), N / 250);

    // The same world, killed 10 times.
    let (s, db) = world(dir.path(), "killed").await;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("kill seed {seed}");
    let mut rng = Lcg(seed);
    let mut kills = 0;
    let mut partial = 0;
    while kills < 10 {
        let before = s.stats().requests;
        let target = before + 1 + rng.below(4);
        let mut child = sync_cmd(&db, &mapping, &s.url()).spawn().unwrap();
        loop {
            if s.stats().requests >= target {
                tokio::time::sleep(Duration::from_millis(rng.below(15))).await;
                child.kill().expect("SIGKILL");
                child.wait().unwrap();
                kills += 1;
                break;
            }
            if let Some(st) = child.try_wait().unwrap() {
                panic!("a run finished before its kill point ({st:?}): the test needs more work");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let n = s.stats().records as usize;
        if n > CRM_ONLY && n < want_crm.len() {
            partial += 1;
        }
    }
    assert!(partial > 0, "at least one kill left the CRM half written");
    let mut last = sync_cmd(&db, &mapping, &s.url()).spawn().unwrap();
    wait_exit(&mut last).await;
    assert!(last.wait().unwrap().success());

    let (got_crm, got_counts) = crm_state(&s);
    let doubled: Vec<_> = got_counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "doubled in the CRM: {doubled:?}");
    assert_eq!(got_crm, want_crm, "CRM end state");
    let (got_store, got_parked) = store_state(&db).await;
    assert_eq!(got_store, want_store, "store end state");
    assert_eq!(got_parked, want_parked, "parked records");
    // One more run changes nothing on either side.
    run_to_end(sync_cmd(&db, &mapping, &s.url()));
    assert_eq!(crm_state(&s).0, want_crm);
    assert_eq!(store_state(&db).await.0, want_store);
}
