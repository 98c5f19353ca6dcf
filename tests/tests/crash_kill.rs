//! Exactly-once sends through crashes, against an API that ignores
//! `Idempotency-Key` (the sandbox's default, like Meta's): worker processes are
//! killed with SIGKILL at random points, 20 times, during a campaign with 5xx
//! answers, dropped connections and connections dropped after the message was
//! accepted. Status webhooks reach the same store through `WebhookProcessor`, so
//! a worker proves a lost answer by the status carrying its outbox item before
//! any resend. Afterwards, from the sandbox ledger: no item accepted twice, none
//! lost, and every item the outbox calls sent was accepted as exactly that
//! wamid. Once with one worker on SQLite, once with three workers sharing
//! PostgreSQL and Redis. Run with `OUTBOX_WORKER_RECONCILE=off` to see double
//! sends without reconciliation.

use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use wacrm::client::*;
use wacrm::scheduler::*;
use wacrm::store::{Category, OutboxItem, OutboxState, Stores};
use wacrm::webhook::WebhookProcessor;
use wacrm::webhook::axum::WebhookEndpoint;
use wacrm::{PhoneNumberId, SharedClock, SystemClock};
use wacrm_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

const NUM: &str = "555000301";
const N: usize = 600;

/// A webhook endpoint in this process that applies every delivery to `stores`
/// (as a deployment's webhook server does, outliving killed workers). A
/// delivery that fails to apply is applied again, as Meta redelivers.
async fn webhook_server(stores: Stores) -> String {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let app = WebhookEndpoint::with_channel("sandbox-app-secret", "sandbox-verify-token", tx)
        .router("/webhook");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let processor = WebhookProcessor::new(stores, Arc::new(SystemClock));
    tokio::spawn(async move {
        while let Some(events) = rx.recv().await {
            while let Err(e) = processor.process(&events).await {
                eprintln!("webhook apply failed, again: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });
    url
}

async fn sandbox_with_faults(stores: &Stores) -> SandboxHandle {
    let url = webhook_server(stores.clone()).await;
    let h = Sandbox::start(SandboxConfig::default().phone_number(NUM).webhook_url(url))
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

fn sent_as(item: &OutboxItem) -> Option<&str> {
    match &item.state {
        OutboxState::Sent { message_id } => Some(message_id.as_str()),
        _ => None,
    }
}

async fn verify(h: &SandboxHandle, stores: &Stores) {
    let ledger = h.ledger();
    let per_key = wacrm_tests::sends_per_key(&ledger);
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
    // What reconciliation decided, kept in the store (killed workers report nothing).
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for i in sent.iter().chain(&parked) {
        if let Some(o) = reconcile::outcome_of(stores, &i.id).await.unwrap() {
            let kind = o.split(':').next().unwrap_or("").to_string();
            let kind = ["reconciled", "resent", "parked"]
                .into_iter()
                .find(|k| *k == kind)
                .expect("a known outcome");
            *counts.entry(kind).or_default() += 1;
        }
    }
    let stats = wacrm_tests::sandbox_stats(h).await;
    eprintln!(
        "ledger {} sent {} parked {} | reconciled {} resent {} parked-unknown {} | replayed requests {} errors {}",
        ledger.len(),
        sent.len(),
        parked.len(),
        counts.get("reconciled").unwrap_or(&0),
        counts.get("resent").unwrap_or(&0),
        counts.get("parked").unwrap_or(&0),
        stats["replayed"],
        stats["errors_by_code"]
    );
    let twice: Vec<_> = per_key.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "accepted twice: {twice:?}");
    // The sandbox ignores `Idempotency-Key` (Meta's behaviour): no repeat was
    // answered from a replay cache, which would hide a double send.
    assert_eq!(stats["replayed"], 0, "a repeated key was replayed");
    // Nothing is left in flight, and every message ended sent or parked.
    assert_eq!(
        st.queued + st.leased + st.retry_later + st.deferred,
        0,
        "{st:?}"
    );
    assert_eq!(sent.len() + parked.len(), N, "{st:?}");
    // Every message the outbox calls sent was accepted once, as that very wamid.
    for s in &sent {
        let accepted: Vec<&str> = ledger
            .iter()
            .filter(|l| l.idempotency_key.as_deref() == Some(s.idempotency_key.as_str()))
            .map(|l| l.id.as_str())
            .collect();
        assert_eq!(accepted, vec![sent_as(s).unwrap()], "lost: {s:?}");
    }
    // A parked message never reached the customer: every accepted message is
    // one the outbox knows as sent.
    for p in &parked {
        assert!(
            !per_key.contains_key(p.idempotency_key.as_str()),
            "accepted yet parked: {p:?}"
        );
    }
    // Answers were lost on the wire and to kills: some sends had to be proved.
    assert!(
        counts.get("reconciled").copied().unwrap_or(0) > 0,
        "no lost answer was reconciled: the faults did not bite"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_worker_on_sqlite_killed_20_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.db");
    let stores = Stores::sqlite(&path).await.unwrap();
    let h = sandbox_with_faults(&stores).await;
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
    let stores = Stores::from_url(&db).await.unwrap();
    let h = sandbox_with_faults(&stores).await;
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
