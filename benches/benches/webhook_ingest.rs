//! C2 at campaign scale: signed status webhooks POSTed over loopback to the
//! storing endpoint (`wacrm::webhook::ingest`: verify → parse → stored in
//! PostgreSQL → 200), one status per body, a fifth of them delivered twice and
//! all shuffled, from 16 and from 64 concurrent keep-alive connections.
//! Anchor in the same run: a plain autocommit `INSERT` of the same number of
//! status rows through sqlx from 16 tasks (the floor of one durable write per
//! webhook).
//!
//! The Python anchor (issue target: ≥ 20× it) is pywa's FastAPI handler writing each
//! status to SQLite (`benches/anchors/webhook_ingest_pywa.py`, served by uvicorn),
//! sent the same signed bodies by the same connections; it runs when
//! `WACRM_BENCH_PYTHON` names a Python with pywa, fastapi and uvicorn.
//!
//! Needs `WACRM_TEST_POSTGRES_URL` (skips otherwise); `WACRM_BENCH_MESSAGES`
//! outbound messages (default 6000, three statuses each). Each run uses its
//! own schema and drops it afterwards.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use wacrm::ids::{ContactId, MessageId, PhoneNumberId};
use wacrm::store::{Direction, MessageRecord, MessageStatus, Stores};
use wacrm::webhook::{SignatureVerifier, WebhookProcessor, ingest};
use wacrm::{SharedClock, SystemClock};

const PHONE: &str = "106540352242922";
const SECRET: &str = "bench-secret";
/// Connections the plain INSERT anchor uses (its best on these two cores).
const CLIENTS: usize = 16;

/// Concurrent deliveries measured: 16, and 64, which is what a campaign's
/// status stream puts in flight (Little's law: ~3,000 webhooks/s, each open
/// for the 20 ms or more of a round trip over the internet, is 60 and more).
const CONCURRENCY: [usize; 2] = [16, 64];
const T0: i64 = 1_750_000_000;

fn status_body(i: usize, status: &str, step: i64) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE},
        "contacts": [{"wa_id": "16505551234", "profile": {"name": "Kim"}}],
        "statuses": [{"id": format!("wamid.b{i}"), "status": status,
            "timestamp": (T0 + i as i64 * 10 + step).to_string(), "recipient_id": "16505551234",
            "conversation": {"id": "c1", "origin": {"type": "marketing"}},
            "pricing": {"billable": true, "pricing_model": "PMP", "category": "marketing"}}]}}]}]}))
    .unwrap()
}

fn deliveries(n: usize) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    for i in 0..n {
        for (step, s) in ["sent", "delivered", "read"].iter().enumerate() {
            all.push(status_body(i, s, step as i64));
        }
    }
    let dups: Vec<Vec<u8>> = all.iter().step_by(5).cloned().collect();
    all.extend(dups);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..all.len()).rev() {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        all.swap(i, (x >> 33) as usize % (i + 1));
    }
    all
}

async fn schema_url(base: &str, schema: &str) -> String {
    let pool = sqlx::AnyPool::connect(base).await.expect("connect");
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

async fn ours(url: &str, n: usize, bodies: Arc<Vec<Vec<u8>>>, clients: usize) -> f64 {
    let stores = Stores::from_url(url).await.expect("open store");
    for i in 0..n {
        let rec = MessageRecord {
            id: MessageId::new(format!("wamid.b{i}")),
            phone_number_id: PhoneNumberId::new(PHONE),
            conversation_id: None,
            contact_id: Some(ContactId::new("crm-1")),
            direction: Direction::Outbound,
            msg_type: "template".into(),
            body: serde_json::json!({"type": "text", "text": {"body": "offer"}}),
            status: Some(MessageStatus::Accepted),
            status_times: Default::default(),
            error: None,
            agent_id: None,
            campaign_id: Some("bench".into()),
            created_at: T0 * 1000,
        };
        stores.messages.record_outbound(&rec).await.unwrap();
    }
    let clock: SharedClock = Arc::new(SystemClock);
    let processor = Arc::new(WebhookProcessor::new(stores.clone(), clock));
    let app = ingest::storing_router(SignatureVerifier::new(SECRET), "vt", processor, "/wh");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wh", listener.local_addr().unwrap());
    // Answers go out at once rather than waiting on Nagle's algorithm.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let start = Instant::now();
    post_all(&url, &bodies, clients).await;
    let rate = bodies.len() as f64 / start.elapsed().as_secs_f64();
    // Count from the store: nothing lost or applied out of order.
    for i in (0..n).step_by(97) {
        let m = stores
            .messages
            .get_message(&MessageId::new(format!("wamid.b{i}")))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.status, Some(MessageStatus::Read), "wamid.b{i}");
    }
    rate
}

/// POST every body, signed, from `clients` concurrent keep-alive
/// connections; each must get 200. The load generator is hyper's bare HTTP/1
/// connection (no pool, no URL parsing per request), so that on these two
/// shared cores it takes as little as it can from the servers it measures.
async fn post_all(url: &str, bodies: &[Vec<u8>], clients: usize) {
    let signer = SignatureVerifier::new(SECRET);
    let signed: Arc<Vec<(String, bytes::Bytes)>> = Arc::new(
        bodies
            .iter()
            .map(|b| (signer.sign(b), bytes::Bytes::from(b.clone())))
            .collect(),
    );
    let rest = url.strip_prefix("http://").expect("http URL");
    let (addr, path) = rest.split_at(rest.find('/').expect("path"));
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (signed, next) = (signed.clone(), next.clone());
        let (addr, path) = (addr.to_string(), path.to_string());
        tasks.push(tokio::spawn(async move {
            let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
            tcp.set_nodelay(true).unwrap();
            let (mut send, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
                    .await
                    .unwrap();
            tokio::spawn(conn);
            while let Some((sig, body)) = signed.get(next.fetch_add(1, Ordering::Relaxed)) {
                let req = hyper::Request::post(path.as_str())
                    .header("host", addr.as_str())
                    .header("x-hub-signature-256", sig.as_str())
                    .header("content-type", "application/json")
                    .body(http_body_util::Full::new(body.clone()))
                    .unwrap();
                send.ready().await.unwrap();
                let r = send.send_request(req).await.unwrap();
                assert_eq!(r.status(), 200);
                // Read the answer to its end so the connection can carry the next.
                http_body_util::BodyExt::collect(r.into_body())
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// pywa's FastAPI handler writing to SQLite, timed until every distinct
/// status is stored (pywa answers before its handler runs). `None` when no
/// Python with pywa, fastapi and uvicorn is configured.
async fn pywa_anchor(n: usize, bodies: &[Vec<u8>], clients: usize) -> Option<f64> {
    let python = std::env::var("WACRM_BENCH_PYTHON").ok()?;
    let ok = std::process::Command::new(&python)
        .args(["-c", "import pywa, fastapi, uvicorn"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        println!("pywa anchor: skipped ({python} lacks pywa, fastapi or uvicorn)");
        return None;
    }
    let db = std::env::temp_dir().join(format!("wacrm-pywa-anchor-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/anchors/webhook_ingest_pywa.py"
    );
    let mut child = tokio::process::Command::new(&python)
        .arg(script)
        .arg(port.to_string())
        .arg(&db)
        .arg(SECRET)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "pywa anchor did not start");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/wh");
    let start = Instant::now();
    post_all(&url, bodies, clients).await;
    let want = (n * 3) as i64;
    loop {
        let got: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM statuses")
            .fetch_one(&pool)
            .await
            .unwrap();
        if got >= want {
            break;
        }
        assert!(
            start.elapsed().as_secs() < 600,
            "pywa anchor stored {got} of {want}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let rate = bodies.len() as f64 / start.elapsed().as_secs_f64();
    pool.close().await;
    let _ = child.kill().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    Some(rate)
}

async fn anchor(url: &str, rows: usize) -> f64 {
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(CLIENTS as u32)
        .connect(url)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE anchor_statuses (message_id TEXT NOT NULL, status TEXT NOT NULL, at BIGINT NOT NULL, doc TEXT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (pool, next) = (pool.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= rows {
                    return;
                }
                sqlx::query("INSERT INTO anchor_statuses (message_id, status, at, doc) VALUES ($1, $2, $3, $4)")
                    .bind(format!("wamid.b{i}"))
                    .bind("delivered")
                    .bind(T0 + i as i64)
                    .bind(r#"{"status":"delivered"}"#)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let rate = rows as f64 / start.elapsed().as_secs_f64();
    pool.close().await;
    rate
}

fn main() {
    let Ok(base) = std::env::var("WACRM_TEST_POSTGRES_URL") else {
        println!("webhook_ingest: skipped (set WACRM_TEST_POSTGRES_URL)");
        return;
    };
    let n: usize = std::env::var("WACRM_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6000);
    sqlx::any::install_default_drivers();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let bodies = Arc::new(deliveries(n));
        let rows = bodies.len();
        let tag = std::process::id();
        let schemas: Vec<String> = (0..=CONCURRENCY.len())
            .map(|k| format!("bench_ingest_{tag}_{k}"))
            .collect();
        let anchor_url = schema_url(&base, &schemas[0]).await;
        let anchor_rate = anchor(&anchor_url, rows).await;
        println!(
            "webhook ingest → PostgreSQL, {rows} webhooks ({n} messages × 3 statuses + 20% redelivered, shuffled):"
        );
        println!("  anchor: plain INSERT per row, {CLIENTS} connections {anchor_rate:>10.0} rows/s");
        for (k, clients) in CONCURRENCY.into_iter().enumerate() {
            let pywa_rate = pywa_anchor(n, &bodies, clients).await;
            let url = schema_url(&base, &schemas[k + 1]).await;
            let ours_rate = ours(&url, n, bodies.clone(), clients).await;
            println!("  {clients} concurrent deliveries:");
            println!("    storing endpoint   {ours_rate:>10.0} webhooks/s");
            println!("    {:.2}x the plain INSERT loop", ours_rate / anchor_rate);
            if let Some(p) = pywa_rate {
                println!("    anchor: pywa + FastAPI + SQLite {p:>10.0} webhooks/s");
                println!("    ratio {:.1}x pywa", ours_rate / p);
            }
        }
        println!("  targets (64 concurrent deliveries): 10,000 webhooks/s and 20x pywa");
        let pool = sqlx::AnyPool::connect(&base).await.unwrap();
        for schema in &schemas {
            let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&pool)
                .await;
        }
    });
}
