//! Crash safety of the durable outbox: worker processes are killed with SIGKILL
//! at random points, 20 times, during a campaign with 5xx answers, latency and
//! dropped connections injected; afterwards the sandbox ledger and the outbox
//! agree: every message sent exactly once, none lost. Once with one worker on
//! SQLite, once with three workers sharing PostgreSQL and Redis.

use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use wacrm::client::*;
use wacrm::scheduler::*;
use wacrm::store::{Category, Stores};
use wacrm::{PhoneNumberId, SharedClock, SystemClock};
use wacrm_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

const NUM: &str = "555000301";
const N: usize = 600;

async fn sandbox_with_faults() -> SandboxHandle {
    let h = Sandbox::start(SandboxConfig::default().phone_number(NUM))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    http.put(format!("{}/_sandbox/limits", h.base_url()))
        .bearer_auth(h.access_token())
        .json(&json!({"tier": "tier100k"}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    http.put(format!("{}/_sandbox/faults", h.base_url()))
        .bearer_auth(h.access_token())
        .json(&json!({
            "error_rate": 0.05,
            "latency_ms": 3,
            "drop_rate": 0.03,
            "drop_after_accept_rate": 0.05
        }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    h
}

async fn enqueue(stores: Stores, h: &SandboxHandle) {
    let client = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .build()
        .unwrap();
    let clock: SharedClock = Arc::new(SystemClock);
    let sched = Scheduler::new(
        stores,
        client,
        Arc::new(MemoryLimiter::new(LimitConfig::default())),
        Arc::new(TierCounter::new(None)),
        Arc::new(PolicyEngine::new(PolicyConfig::default())),
        clock,
        SchedulerConfig::default(),
    );
    let from = PhoneNumberId::new(NUM);
    for i in 0..N {
        let to = format!("+1555{:07}", 4_000_000 + i);
        let msg = OutboundMessage::Template(Template::new("hello_world", "en_US"));
        let mut m = OutgoingMessage::new(format!("crash:{to}"), &from, to, msg, Category::Utility);
        m.campaign_id = Some("crash".into());
        sched.enqueue(&m).await.unwrap();
    }
}

fn worker(db: &str, h: &SandboxHandle, id: &str, redis: Option<(&str, &str)>) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_outbox_worker"));
    c.args([db, &h.base_url(), &h.access_token(), id]);
    if let Some((url, prefix)) = redis {
        c.args([url, prefix]);
    }
    c.stdout(std::process::Stdio::null())
        .spawn()
        .expect("start worker")
}

/// Wait for a worker to drain the outbox and exit cleanly (150 s from `start` at most).
async fn finish(w: &mut Child, start: Instant) {
    let status = loop {
        if let Some(s) = w.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(150),
            "worker did not finish"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
}

/// A cheap deterministic jitter (no RNG needed for kill points).
fn jitter(i: u64, lo: u64, hi: u64) -> Duration {
    let x = i
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        >> 33;
    Duration::from_millis(lo + x % (hi - lo))
}

async fn verify(h: &SandboxHandle, stores: &Stores) {
    let ledger = h.ledger();
    let per_key = wacrm_tests::sends_per_key(&ledger);
    let dups: Vec<_> = per_key.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "sent twice: {dups:?}");
    let st = stores.outbox.stats().await.unwrap();
    let sent = stores
        .outbox
        .list_by_state(wacrm::store::OutboxStateKind::Sent, N)
        .await
        .unwrap();
    let parked = stores
        .outbox
        .list_by_state(wacrm::store::OutboxStateKind::Parked, N)
        .await
        .unwrap();
    // Nothing is left in flight, and every message ended sent or parked with its
    // reason: none vanished.
    assert_eq!(
        st.queued + st.leased + st.retry_later + st.deferred,
        0,
        "{st:?}"
    );
    assert_eq!(sent.len() + parked.len(), N, "{st:?}");
    // Every message the outbox calls sent reached the API exactly once.
    for s in &sent {
        assert_eq!(per_key.get(&s.idempotency_key.0), Some(&1), "lost: {s:?}");
    }
    // A parked message normally never reached the API; one that did had its
    // answer lost on the wire on every attempt (dropped after acceptance), and
    // its history says so. Either way it reached the customer at most once.
    for p in &parked {
        if per_key.contains_key(&p.idempotency_key.0) {
            assert!(!p.history.is_empty(), "parked without a reason: {p:?}");
        }
    }
    assert!(ledger.len() <= N);
    let stats = wacrm_tests::sandbox_stats(h).await;
    eprintln!(
        "ledger {} parked {} replayed requests {} errors {}",
        ledger.len(),
        parked.len(),
        stats["replayed"],
        stats["errors_by_code"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_worker_on_sqlite_killed_20_times() {
    let h = sandbox_with_faults().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.db");
    let stores = Stores::sqlite(&path).await.unwrap();
    enqueue(stores.clone(), &h).await;
    let db = format!("sqlite://{}", path.display());
    for i in 0..20u64 {
        let mut w = worker(&db, &h, "w1", None);
        tokio::time::sleep(jitter(i, 100, 450)).await;
        w.kill().expect("SIGKILL");
        w.wait().unwrap();
    }
    let mut w = worker(&db, &h, "w1", None);
    finish(&mut w, Instant::now()).await;
    verify(&h, &stores).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_on_postgres_and_redis_killed_20_times() {
    let (Ok(pg), Ok(redis)) = (
        std::env::var("WACRM_TEST_POSTGRES_URL"),
        std::env::var("WACRM_TEST_REDIS_URL"),
    ) else {
        eprintln!("skipped: needs WACRM_TEST_POSTGRES_URL and WACRM_TEST_REDIS_URL");
        return;
    };
    // Own schema per run.
    let schema = format!("crash_{}", std::process::id());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&pg).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let sep = if pg.contains('?') { '&' } else { '?' };
    let db = format!("{pg}{sep}options=-c%20search_path%3D{schema}");
    let h = sandbox_with_faults().await;
    let stores = Stores::from_url(&db).await.unwrap();
    enqueue(stores.clone(), &h).await;
    let prefix = format!("crash:{}", std::process::id());
    let ids = ["w1", "w2", "w3"];
    let mut ws: Vec<Child> = ids
        .iter()
        .map(|id| worker(&db, &h, id, Some((&redis, &prefix))))
        .collect();
    for i in 0..20u64 {
        tokio::time::sleep(jitter(i, 100, 350)).await;
        let k = (i % 3) as usize;
        ws[k].kill().expect("SIGKILL");
        ws[k].wait().unwrap();
        ws[k] = worker(&db, &h, ids[k], Some((&redis, &prefix)));
    }
    let start = Instant::now();
    for w in &mut ws {
        finish(w, start).await;
    }
    verify(&h, &stores).await;
}
