//! The store conformance suite on PostgreSQL (when `WACRM_TEST_POSTGRES_URL` is set).
//! Each test gets its own schema so runs never collide.

use std::sync::atomic::{AtomicU32, Ordering};

use wacrm::store::Stores;

static N: AtomicU32 = AtomicU32::new(0);

async fn fresh() -> Option<Stores> {
    let url = fresh_url().await?;
    Some(Stores::from_url(&url).await.expect("open PostgreSQL store"))
}

async fn fresh_url() -> Option<String> {
    let Ok(base) = std::env::var("WACRM_TEST_POSTGRES_URL") else {
        eprintln!("skipped: no PostgreSQL (set WACRM_TEST_POSTGRES_URL)");
        return None;
    };
    let schema = format!(
        "t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        chrono_free_nanos()
    );
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&base)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&pool)
        .await
        .expect("create schema");
    pool.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}

fn chrono_free_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
        % 1_000_000_000
}

macro_rules! pg_checks {
    ($($check:ident),*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $check() {
            let Some(stores) = fresh().await else { return };
            wacrm::store::conformance::$check(stores).await;
        }
    )*};
}

pg_checks!(
    contacts_crud_and_versions,
    merge_keeps_all_history,
    merge_atomic_under_concurrent_writes,
    conversations_lifecycle,
    messages_idempotent_and_monotone,
    outbox_lifecycle,
    outbox_never_double_claims,
    outbox_enqueue_many,
    outbox_batch_claims_never_overlap,
    outbox_batch_complete_checks_leases,
    audit_append_only,
    agents_and_sync_state,
    audit_hash_chain,
    access_records,
    range_listings_page_in_order
);

#[tokio::test]
async fn several_processes_share_one_outbox_without_double_claims() {
    // Independent pools (as separate worker processes have) on one schema.
    let Some(url) = fresh_url().await else { return };
    let first = Stores::from_url(&url).await.unwrap();
    for i in 0..100 {
        first
            .outbox
            .enqueue(&wacrm::store::conformance::outbox_item(
                &format!("p{i:03}"),
                &format!("pk{i}"),
                wacrm::store::Lane::Marketing,
                0,
            ))
            .await
            .unwrap();
    }
    let mut handles = Vec::new();
    for w in 0..4 {
        let st = Stores::from_url(&url).await.unwrap();
        handles.push(tokio::spawn(async move {
            let mut n = Vec::new();
            loop {
                let got = st
                    .outbox
                    .claim(&format!("proc{w}"), 1, 60_000, 5)
                    .await
                    .unwrap();
                if got.is_empty() {
                    return n;
                }
                for l in got {
                    st.outbox
                        .complete(
                            &l.lease,
                            &wacrm::MessageId::new(format!("wamid.{}", l.item.id)),
                            2,
                        )
                        .await
                        .unwrap();
                    n.push(l.item.id);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!((before, all.len()), (100, 100));
}
