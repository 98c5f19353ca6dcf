//! The automation-store conformance suite and automation state across a
//! restart on PostgreSQL (when `WACRM_TEST_POSTGRES_URL` is set; otherwise the
//! suite skips with one line). Each test gets its own schema.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use wacrm::automation::AutomationStore;
use wacrm::store::{Backend, SqlStore};

static N: AtomicU32 = AtomicU32::new(0);

async fn fresh_url() -> Option<String> {
    let base = wacrm::store::conformance::env_or_skip("WACRM_TEST_POSTGRES_URL", "PostgreSQL")?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let schema = format!(
        "auto_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
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

async fn open(url: &str) -> Arc<dyn AutomationStore> {
    Arc::new(SqlStore::open(url).await.expect("open PostgreSQL store"))
}

async fn fresh() -> Option<Arc<dyn AutomationStore>> {
    Some(open(&fresh_url().await?).await)
}

wacrm::automation_store_conformance_tests!(optional fresh());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timers_pauses_and_once_per_contact_survive_a_restart_on_postgres() {
    let Some(url) = fresh_url().await else { return };
    wacrm::automation::conformance::state_survives_restart(|| open(&url)).await;
    let s = SqlStore::open(&url).await.unwrap();
    let known = SqlStore::known_schema_versions(Backend::Postgres);
    assert!(known.contains(&9), "automation state migration: {known:?}");
    assert_eq!(s.schema_versions().await.unwrap(), known);
}
