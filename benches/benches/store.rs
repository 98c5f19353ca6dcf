//! Outbox enqueue → claim → complete throughput (SQLite; PostgreSQL when
//! WACRM_TEST_POSTGRES_URL is set) with 1 and 4 workers, and contact upserts.
//! cargo bench -p wacrm-benches --bench store

use std::time::Instant;

use wacrm::store::{Contact, Lane, OutboxItem, OutboxState, Stores};
use wacrm::{IdempotencyKey, MessageId, PhoneNumberId};

fn item(i: usize) -> OutboxItem {
    OutboxItem {
        id: format!("b{i}"),
        idempotency_key: IdempotencyKey::new(format!("k{i}")),
        phone_number_id: PhoneNumberId::new("1"),
        recipient: format!("+1555{i:07}").into(),
        payload: serde_json::json!({"type": "text"}),
        category: wacrm::store::Category::Utility,
        lane: Lane::Notification,
        campaign_id: None,
        not_before: 0,
        attempts: 0,
        state: OutboxState::Queued,
        last_error: None,
        history: vec![],
        created_at: 0,
        updated_at: 0,
    }
}

async fn run(name: &str, stores: Stores, workers: usize, n: usize) {
    let t = Instant::now();
    for i in 0..n {
        stores.outbox.enqueue(&item(i)).await.expect("enqueue");
    }
    let enq = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let s = stores.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let got = s
                    .outbox
                    .claim(&format!("w{w}"), 1, 60_000, 50)
                    .await
                    .expect("claim");
                if got.is_empty() {
                    return;
                }
                for l in got {
                    s.outbox
                        .complete(&l.lease, &MessageId::new("wamid.x"), 2)
                        .await
                        .expect("complete");
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    let done = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let contacts: Vec<Contact> = (0..n)
        .map(|i| Contact {
            id: format!("c{i}").into(),
            e164: Some(format!("+1555{i:07}").parse().expect("valid E.164")),
            ..Default::default()
        })
        .collect();
    for chunk in contacts.chunks(500) {
        stores.contacts.upsert_many(chunk).await.expect("upsert");
    }
    let up = n as f64 / t.elapsed().as_secs_f64();
    println!(
        "store {name} ({workers} worker(s)): enqueue {enq:.0}/s, claim+complete {done:.0}/s, contact upsert {up:.0}/s"
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let dir = std::env::temp_dir().join(format!("wacrm-store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for workers in [1, 4] {
        let s = Stores::sqlite(dir.join(format!("b{workers}.db")))
            .await
            .expect("sqlite");
        run("sqlite", s, workers, 5_000).await;
    }
    match std::env::var("WACRM_TEST_POSTGRES_URL") {
        Ok(url) => {
            for workers in [1, 4] {
                let schema = format!("bench_{}_{workers}", std::process::id());
                sqlx_schema(&url, &schema).await;
                let s = Stores::from_url(&format!("{url}?options=-c%20search_path%3D{schema}"))
                    .await
                    .expect("postgres");
                run("postgres", s, workers, 5_000).await;
            }
        }
        Err(_) => println!("store postgres: skipped (set WACRM_TEST_POSTGRES_URL)"),
    }
}

async fn sqlx_schema(url: &str, schema: &str) {
    // The store opens on a search_path; the schema must exist first.
    let out = std::process::Command::new("psql")
        .arg(url)
        .arg("-c")
        .arg(format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
        .output();
    if out.map(|o| !o.status.success()).unwrap_or(true) {
        eprintln!("could not create schema {schema} with psql");
    }
}
