//! Policy caps held by the store: two workers (each with its own store
//! connection and policy engine, as two processes would have) share one
//! outbox, then both restart; no recipient ever gets more marketing
//! templates than the per-day cap. On SQLite, and on PostgreSQL when
//! `WACRM_TEST_POSTGRES_URL` is set.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use wacrm::client::*;
use wacrm::scheduler::*;
use wacrm::store::{Category, Stores};
use wacrm::{PhoneNumberId, SharedClock, SystemClock};
use wacrm_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

const NUM: &str = "555000201";
const CAP: usize = 2;
const RECIPIENTS: usize = 8;

fn worker(h: &SandboxHandle, stores: Stores, id: &str) -> Scheduler {
    let client = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .build()
        .unwrap();
    Scheduler::new(
        stores,
        client,
        Arc::new(MemoryLimiter::new(LimitConfig::default())),
        Arc::new(TierCounter::new(None)),
        // Its own engine: nothing in this process's memory is shared.
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            marketing_per_day_without_opt_in: Some(CAP as u32),
            same_content_per_month: None,
            ..Default::default()
        })),
        Arc::new(SystemClock) as SharedClock,
        SchedulerConfig {
            worker_id: id.into(),
            batch: 4,
            // Short leases: items of a round cut short by a busy store come back soon.
            lease: Duration::from_secs(5),
            ..Default::default()
        },
    )
}

async fn enqueue_round(s: &Scheduler, round: &str, per_recipient: usize) {
    for r in 0..RECIPIENTS {
        for k in 0..per_recipient {
            let to = format!("+3460000{r:04}");
            let msg = OutboundMessage::Template(Template::new("hello_world", "en_US"));
            let m = OutgoingMessage::new(
                format!("{round}:{to}:{k}"),
                &PhoneNumberId::new(NUM),
                to,
                msg,
                Category::Marketing,
            );
            s.enqueue(&m).await.unwrap();
        }
    }
}

/// Run a worker until idle; a retryable store error (SQLite answers "database
/// is locked" when two connections write at once) is retried as a worker loop would.
async fn run(s: &Scheduler) {
    let horizon = SystemClock.now_millis() + 60_000;
    let deadline = Instant::now() + Duration::from_secs(30);
    for _ in 0..50 {
        match s.run_until_idle(horizon, deadline).await {
            Ok(_) => return,
            Err(e) if e.retry().retryable => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(e) => panic!("{e}"),
        }
    }
    panic!("the store stayed busy");
}

async fn run_pair(a: &Scheduler, b: &Scheduler) {
    tokio::join!(run(a), run(b));
}

use wacrm::Clock;

/// Two workers, a restart, two workers again: sends per recipient from the
/// sandbox's ledger never exceed the cap, and the held items say why.
async fn caps_hold(open: impl AsyncFn() -> Stores) {
    let h = Sandbox::start(SandboxConfig::default().phone_number(NUM))
        .await
        .unwrap();
    {
        let (a, b) = (
            worker(&h, open().await, "w1"),
            worker(&h, open().await, "w2"),
        );
        enqueue_round(&a, "r1", 3).await;
        run_pair(&a, &b).await;
    }
    // Restart: new connections, new engines; only the store remembers.
    let (a, b) = (
        worker(&h, open().await, "w1"),
        worker(&h, open().await, "w2"),
    );
    a.recover().await.unwrap();
    enqueue_round(&b, "r2", 2).await;
    run_pair(&a, &b).await;

    let mut per: HashMap<String, usize> = HashMap::new();
    for l in h.ledger() {
        *per.entry(l.recipient.trim_start_matches('+').to_string())
            .or_default() += 1;
    }
    assert_eq!(per.len(), RECIPIENTS, "{per:?}");
    for (r, n) in &per {
        assert_eq!(*n, CAP, "{r} got {n} marketing templates, cap {CAP}");
    }
    let stores = open().await;
    let deferred = stores
        .outbox
        .list_by_state(wacrm::store::OutboxStateKind::Deferred, 1000)
        .await
        .unwrap();
    assert_eq!(deferred.len(), RECIPIENTS * (3 + 2 - CAP));
    for d in deferred {
        let why = format!("{:?}", d.state);
        assert!(why.contains("marketing template(s) per 24 h"), "{why}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_and_a_restart_never_exceed_a_cap_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wacrm.db");
    caps_hold(async || Stores::sqlite(&path).await.unwrap()).await;
}

static N: AtomicU32 = AtomicU32::new(0);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_and_a_restart_never_exceed_a_cap_postgres() {
    let Ok(base) = std::env::var("WACRM_TEST_POSTGRES_URL") else {
        eprintln!("skipped: no PostgreSQL (set WACRM_TEST_POSTGRES_URL)");
        return;
    };
    let schema = format!(
        "policy_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&pool)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    caps_hold(async || Stores::from_url(&url).await.unwrap()).await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&pool)
        .await
        .unwrap();
}
