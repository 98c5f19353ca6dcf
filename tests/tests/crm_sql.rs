//! The CRM connector conformance suite on the SQL table connector: on SQLite
//! (a fresh file per test) and on PostgreSQL (a fresh schema per test, when
//! `WACRM_TEST_POSTGRES_URL` is set; otherwise those tests skip with one line).
//!
//! The table is created the way an in-house CRM might have it: a generated id,
//! a millisecond `updated_at`, text columns, the identity column `UNIQUE` and
//! a `CHECK` that refuses an e-mail without `@` (the database's own
//! validation, which the connector reports as a per-record rejection).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use wacrm::crm::{CrmConnector, SqlTableConfig, SqlTableConnector};

static N: AtomicU32 = AtomicU32::new(0);

const COLUMNS: &str = "wacrm_id TEXT UNIQUE, \
    email TEXT CHECK (email IS NULL OR email LIKE '%_@_%'), \
    firstname TEXT, city TEXT";

fn props() -> Vec<String> {
    ["wacrm_id", "email", "firstname", "city"]
        .map(String::from)
        .to_vec()
}

/// A fresh SQLite file with the table; its URL.
async fn sqlite_table() -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("crm.db");
    // The directory lives for the rest of the test.
    std::mem::forget(dir);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.expect("open sqlite");
    sqlx::query(&format!(
        "CREATE TABLE people (pid INTEGER PRIMARY KEY, changed_ms BIGINT, {COLUMNS})"
    ))
    .execute(&pool)
    .await
    .expect("create table");
    pool.close().await;
    url
}

async fn sqlite() -> Arc<dyn CrmConnector> {
    let url = sqlite_table().await;
    let cfg = SqlTableConfig::new(url, "people", "pid", "changed_ms").properties(props());
    Arc::new(SqlTableConnector::connect(cfg).await.expect("connect"))
}

async fn postgres() -> Option<Arc<dyn CrmConnector>> {
    let base = wacrm::store::conformance::env_or_skip("WACRM_TEST_POSTGRES_URL", "PostgreSQL")?;
    let schema = format!(
        "crmsql_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&base).await.expect("connect");
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&pool)
        .await
        .expect("drop schema");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&pool)
        .await
        .expect("create schema");
    sqlx::query(&format!(
        "CREATE TABLE {schema}.people (pid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
         changed_ms BIGINT, {COLUMNS})"
    ))
    .execute(&pool)
    .await
    .expect("create table");
    pool.close().await;
    let cfg = SqlTableConfig::new(base, format!("{schema}.people"), "pid", "changed_ms")
        .properties(props());
    Some(Arc::new(
        SqlTableConnector::connect(cfg).await.expect("connect"),
    ))
}

mod on_sqlite {
    use super::*;
    wacrm::crm_connector_conformance_tests!(sqlite());
}

mod on_postgres {
    use super::*;
    wacrm::crm_connector_conformance_tests!(optional postgres());
}

#[tokio::test]
async fn a_missing_column_is_refused_at_connect() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE people (pid INTEGER PRIMARY KEY, changed_ms BIGINT, email TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    let cfg = SqlTableConfig::new(&url, "people", "pid", "changed_ms")
        .properties(vec!["email".into(), "city".into()]);
    let e = SqlTableConnector::connect(cfg).await.unwrap_err();
    assert_eq!(e.code(), "CONFIG", "{e}");
    assert!(e.to_string().contains("city"), "{e}");
    let bad = SqlTableConfig::new(&url, "people; drop table people", "pid", "changed_ms");
    assert!(SqlTableConnector::connect(bad).await.is_err());
}

#[tokio::test]
async fn many_records_with_one_timestamp_page_without_loss() {
    // Rows another application wrote in one statement share a stamp: paging
    // by (updated_at, id) must still return each exactly once.
    let url = sqlite_table().await;
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    for i in 0..30 {
        sqlx::query("INSERT INTO people (changed_ms, wacrm_id, city) VALUES (1000, $1, 'Gouda')")
            .bind(format!("k{i}"))
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    let cfg = SqlTableConfig::new(url, "people", "pid", "changed_ms").properties(props());
    let c = SqlTableConnector::connect(cfg).await.unwrap();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let p = c.changed_since(cursor.as_deref(), 4).await.unwrap();
        assert!(p.records.len() <= 4);
        seen.extend(p.records.iter().map(|r| r.id.clone()));
        cursor = p.next_cursor;
        if !p.has_more {
            break;
        }
    }
    let distinct: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!((seen.len(), distinct.len()), (30, 30));
    // Nothing changed since: the saved cursor yields nothing.
    let after = c.changed_since(cursor.as_deref(), 4).await.unwrap();
    assert!(after.records.is_empty() && !after.has_more);
}
