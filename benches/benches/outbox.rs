//! Outbox throughput at console scale: multi-row enqueue, then 4 workers
//! claiming batches (`FOR UPDATE SKIP LOCKED`, one statement) and completing
//! them with one statement per batch. The anchor, in the same run and on the
//! same server, is the plain job-queue loop most hand-written queues use:
//! one row per round trip (`UPDATE ... WHERE id = (SELECT ... LIMIT 1 FOR
//! UPDATE SKIP LOCKED)`, then one UPDATE per completion, one INSERT per job).
//!
//! PostgreSQL when WACRM_TEST_POSTGRES_URL is set (the target is measured
//! there), SQLite always. Items: WACRM_BENCH_OUTBOX_N (default 100,000).
//! cargo bench -p wacrm-benches --bench outbox

use std::time::Instant;

use sqlx::AnyPool;
use wacrm::store::{Lane, LeaseToken, OutboxItem, OutboxState, Stores};
use wacrm::{IdempotencyKey, MessageId, PhoneNumberId};

const WORKERS: usize = 4;
/// Items claimed per round: the scheduler's default batch.
const BATCH: usize = 64;

fn item(i: usize) -> OutboxItem {
    OutboxItem {
        id: format!("ob:b{i}"),
        idempotency_key: IdempotencyKey::new(format!("k{i}")),
        phone_number_id: PhoneNumberId::new(format!("{}", 100 + i % 200)),
        recipient: format!("+1555{i:07}").into(),
        payload: serde_json::json!({"message": {"type": "text", "text": {"body": "Your order has shipped"}}}),
        category: wacrm::store::Category::Utility,
        lane: Lane::Notification,
        campaign_id: Some("bench".into()),
        not_before: 0,
        attempts: 0,
        state: OutboxState::Queued,
        last_error: None,
        history: vec![],
        created_at: i as i64,
        updated_at: i as i64,
    }
}

/// Enqueue, then claim+complete with `WORKERS` workers; (enqueues/s, claim+complete/s).
async fn wacrm_run(stores: &Stores, n: usize) -> (f64, f64) {
    let items: Vec<OutboxItem> = (0..n).map(item).collect();
    let t = Instant::now();
    let mut tasks = Vec::new();
    // Producers as a console has them: several at once, 5,000 items per call.
    for part in items.chunks(n.div_ceil(WORKERS)) {
        let (s, part) = (stores.clone(), part.to_vec());
        tasks.push(tokio::spawn(async move {
            for chunk in part.chunks(5_000) {
                s.outbox.enqueue_many(chunk).await.expect("enqueue");
            }
        }));
    }
    for t in tasks {
        t.await.expect("producer");
    }
    let enq = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let s = stores.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0usize;
            loop {
                let got = s
                    .outbox
                    .claim(&format!("w{w}"), 1, 60_000, BATCH)
                    .await
                    .expect("claim");
                if got.is_empty() {
                    return done;
                }
                let sent: Vec<(LeaseToken, MessageId)> = got
                    .into_iter()
                    .map(|l| (l.lease, MessageId::new("wamid.x")))
                    .collect();
                let ok = s.outbox.complete_many(&sent, 2).await.expect("complete");
                done += ok.iter().filter(|b| **b).count();
            }
        }));
    }
    let mut done = 0;
    for t in tasks {
        done += t.await.expect("worker");
    }
    assert_eq!(done, n, "every item completed once");
    (enq, n as f64 / t.elapsed().as_secs_f64())
}

/// The anchor: a plain SKIP LOCKED queue, one row per round trip.
async fn anchor_run(pool: &AnyPool, n: usize) -> (f64, f64) {
    sqlx::query(
        "CREATE TABLE jobs (id BIGSERIAL PRIMARY KEY, state TEXT NOT NULL, \
         locked_by TEXT, payload TEXT NOT NULL)",
    )
    .execute(pool)
    .await
    .expect("create jobs");
    sqlx::query("CREATE INDEX jobs_queued ON jobs (id) WHERE state = 'queued'")
        .execute(pool)
        .await
        .expect("index");
    let payload = serde_json::to_string(&item(0)).expect("json");
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let (pool, payload) = (pool.clone(), payload.clone());
        let mine = n / WORKERS + usize::from(w < n % WORKERS);
        tasks.push(tokio::spawn(async move {
            for _ in 0..mine {
                sqlx::query("INSERT INTO jobs (state, payload) VALUES ('queued', $1)")
                    .bind(payload.clone())
                    .execute(&pool)
                    .await
                    .expect("insert");
            }
        }));
    }
    for t in tasks {
        t.await.expect("producer");
    }
    let enq = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0usize;
            loop {
                let row = sqlx::query(
                    "UPDATE jobs SET state = 'leased', locked_by = $1 WHERE id = \
                     (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1 \
                      FOR UPDATE SKIP LOCKED) RETURNING id, payload",
                )
                .bind(format!("w{w}"))
                .fetch_optional(&pool)
                .await
                .expect("claim");
                let Some(row) = row else { return done };
                let id: i64 = sqlx::Row::try_get(&row, 0).expect("id");
                sqlx::query("UPDATE jobs SET state = 'sent' WHERE id = $1")
                    .bind(id)
                    .execute(&pool)
                    .await
                    .expect("complete");
                done += 1;
            }
        }));
    }
    let mut done = 0;
    for t in tasks {
        done += t.await.expect("worker");
    }
    assert_eq!(done, n, "every job completed once");
    (enq, n as f64 / t.elapsed().as_secs_f64())
}

async fn pg_schema(base: &str, schema: &str, drop: bool) -> String {
    let pool = AnyPool::connect(base).await.expect("connect PostgreSQL");
    let sql = if drop {
        format!("DROP SCHEMA IF EXISTS {schema} CASCADE")
    } else {
        format!("CREATE SCHEMA {schema}")
    };
    sqlx::query(&sql).execute(&pool).await.expect("schema");
    pool.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    sqlx::any::install_default_drivers();
    let n: usize = std::env::var("WACRM_BENCH_OUTBOX_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("wacrm-outbox-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let sqlite = Stores::sqlite(dir.join("outbox.db")).await.expect("sqlite");
    let (enq, done) = wacrm_run(&sqlite, n).await;
    println!(
        "outbox sqlite: {n} items, enqueue {enq:.0}/s, claim+complete {done:.0}/s \
         ({WORKERS} workers, batch {BATCH})"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let Ok(base) = std::env::var("WACRM_TEST_POSTGRES_URL") else {
        println!("outbox postgres: skipped (set WACRM_TEST_POSTGRES_URL)");
        return;
    };
    let ours = format!("bench_outbox_{}", std::process::id());
    let anchor = format!("bench_jobs_{}", std::process::id());
    let url = pg_schema(&base, &ours, false).await;
    let stores = Stores::from_url(&url).await.expect("postgres");
    let (enq, done) = wacrm_run(&stores, n).await;
    let anchor_url = pg_schema(&base, &anchor, false).await;
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(16)
        .connect(&anchor_url)
        .await
        .expect("anchor pool");
    let (a_enq, a_done) = anchor_run(&pool, n).await;
    pool.close().await;
    println!(
        "outbox postgres: {n} items, enqueue {enq:.0}/s, claim+complete {done:.0}/s \
         ({WORKERS} workers, batch {BATCH})"
    );
    println!(
        "anchor (plain SKIP LOCKED queue, one row per round trip): enqueue {a_enq:.0}/s, \
         claim+complete {a_done:.0}/s"
    );
    println!(
        "ratio vs anchor: enqueue {:.1}x, claim+complete {:.1}x (targets: >= 50,000 enqueues/s, \
         >= 20,000 claim+complete/s)",
        enq / a_enq,
        done / a_done
    );
    pg_schema(&base, &ours, true).await;
    pg_schema(&base, &anchor, true).await;
}
