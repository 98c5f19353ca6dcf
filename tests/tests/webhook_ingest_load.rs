//! Webhook ingest under concurrent load, bounded and on loopback only: signed
//! bodies POSTed to the storing endpoint (`wacrm::webhook::ingest`) from
//! several clients at once, every fifth body delivered twice and the whole
//! set shuffled (so `read` often lands before `delivered`). Counted from the
//! store afterwards: every inbound message stored once, every outbound message
//! ends `read` with each status time recorded once, nothing left pending.
//! On SQLite always, on PostgreSQL when `WACRM_TEST_POSTGRES_URL` is set.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use wacrm::ids::{ContactId, MessageId, PhoneNumberId};
use wacrm::store::{Direction, MessageRecord, MessageStatus, Stores};
use wacrm::webhook::{SignatureVerifier, WebhookProcessor, ingest};
use wacrm::{SharedClock, SystemClock};

const PHONE: &str = "106540352242922";
const SECRET: &str = "load-secret";
const OUTBOUND: usize = 150;
const INBOUND: usize = 60;
const CLIENTS: usize = 8;
const T0: i64 = 1_750_000_000;

fn envelope(value: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}))
    .unwrap()
}

fn status_body(i: usize, status: &str, step: i64) -> Vec<u8> {
    envelope(serde_json::json!({"messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE},
        "statuses": [{"id": format!("wamid.out{i}"), "status": status,
            "timestamp": (T0 + i as i64 * 10 + step).to_string(),
            "recipient_id": "16505551234"}]}))
}

fn inbound_body(i: usize) -> Vec<u8> {
    envelope(serde_json::json!({"messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": "16505551234"}],
        "messages": [{"from": "16505551234", "id": format!("wamid.in{i}"),
            "timestamp": (T0 + i as i64).to_string(), "type": "text",
            "text": {"body": format!("message {i}")}}]}))
}

/// Every body once, every fifth twice, in a fixed pseudo-random order.
fn deliveries() -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    for i in 0..OUTBOUND {
        for (step, s) in ["sent", "delivered", "read"].iter().enumerate() {
            all.push(status_body(i, s, step as i64));
        }
    }
    all.extend((0..INBOUND).map(inbound_body));
    let dups: Vec<Vec<u8>> = all.iter().step_by(5).cloned().collect();
    all.extend(dups);
    // Fisher-Yates with a fixed LCG: reordered, and the same order every run.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in (1..all.len()).rev() {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        all.swap(i, (x >> 33) as usize % (i + 1));
    }
    all
}

async fn ingest_and_check(stores: Stores) {
    for i in 0..OUTBOUND {
        let rec = MessageRecord {
            id: MessageId::new(format!("wamid.out{i}")),
            phone_number_id: PhoneNumberId::new(PHONE),
            conversation_id: None,
            contact_id: Some(ContactId::new("crm-1")),
            direction: Direction::Outbound,
            msg_type: "text".into(),
            body: serde_json::json!({"type": "text", "text": {"body": "hi"}}),
            status: Some(MessageStatus::Accepted),
            status_times: Default::default(),
            error: None,
            agent_id: None,
            campaign_id: Some("load".into()),
            created_at: T0 * 1000,
        };
        stores.messages.record_outbound(&rec).await.unwrap();
    }
    let clock: SharedClock = Arc::new(SystemClock);
    let processor = Arc::new(WebhookProcessor::new(stores.clone(), clock));
    let app = ingest::storing_router(SignatureVerifier::new(SECRET), "vt", processor, "/webhook");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let bodies = Arc::new(deliveries());
    let total = bodies.len();
    let next = Arc::new(AtomicU32::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (bodies, next, url) = (bodies.clone(), next.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let signer = SignatureVerifier::new(SECRET);
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst) as usize;
                let Some(body) = bodies.get(i) else { return };
                let r = http
                    .post(&url)
                    .header("x-hub-signature-256", signer.sign(body))
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "body {i} stored");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert!(total > OUTBOUND * 3 + INBOUND, "duplicates were delivered");

    for i in 0..OUTBOUND {
        let m = stores
            .messages
            .get_message(&MessageId::new(format!("wamid.out{i}")))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.status, Some(MessageStatus::Read), "wamid.out{i}: {m:?}");
        for (step, s) in ["sent", "delivered", "read"].iter().enumerate() {
            let at = (T0 + i as i64 * 10 + step as i64) * 1000;
            assert_eq!(m.status_times.get(*s), Some(&at), "wamid.out{i} {s} time");
        }
    }
    let mut inbound = 0;
    for i in 0..INBOUND {
        let got = stores
            .messages
            .get_message(&MessageId::new(format!("wamid.in{i}")))
            .await
            .unwrap();
        inbound += usize::from(got.is_some_and(|m| m.direction == Direction::Inbound));
    }
    assert_eq!(inbound, INBOUND, "every inbound message stored");
    let contact = stores
        .contacts
        .find_by_wa_id("16505551234")
        .await
        .unwrap()
        .unwrap();
    let theirs = stores.messages.list_for_contact(&contact.id).await.unwrap();
    assert_eq!(theirs.len(), INBOUND, "each inbound message stored once");
    assert!(stores.messages.pending_statuses().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_ingest_under_duplicates_and_reordering() {
    let dir = tempfile::tempdir().unwrap();
    ingest_and_check(Stores::sqlite(dir.path().join("ingest.db")).await.unwrap()).await;
}

static N: AtomicU32 = AtomicU32::new(0);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_ingest_under_duplicates_and_reordering() {
    let Some(base) =
        wacrm::store::conformance::env_or_skip("WACRM_TEST_POSTGRES_URL", "PostgreSQL")
    else {
        return;
    };
    let schema = format!(
        "ingest_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&base).await.unwrap();
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
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    ingest_and_check(Stores::from_url(&url).await.unwrap()).await;
}
