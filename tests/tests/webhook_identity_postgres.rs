//! Contact identity through webhooks on PostgreSQL (when
//! `WACRM_TEST_POSTGRES_URL` is set); each test gets its own schema.

#[path = "../../core/tests/common/identity_scenario.rs"]
mod scenario;

use std::sync::atomic::{AtomicU32, Ordering};

use wacrm::store::Stores;

static N: AtomicU32 = AtomicU32::new(0);

async fn fresh() -> Option<Stores> {
    let Ok(base) = std::env::var("WACRM_TEST_POSTGRES_URL") else {
        eprintln!("skipped: no PostgreSQL (set WACRM_TEST_POSTGRES_URL)");
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000)
        .unwrap_or(0);
    let schema = format!(
        "ident_{}_{}_{nanos}",
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
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    Some(Stores::from_url(&url).await.expect("open PostgreSQL store"))
}

macro_rules! on_postgres {
    ($($name:ident),*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let Some(stores) = fresh().await else { return };
            scenario::$name(stores).await;
        }
    )*};
}

on_postgres!(
    one_person_one_contact,
    imported_and_out_of_order,
    status_teaches_the_recipient,
    send_teaches_the_recipient
);
