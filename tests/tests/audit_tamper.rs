//! C13: the audit log is append-only in the database (triggers refuse UPDATE
//! and DELETE) and tamper-evident beyond it: with the triggers dropped, an
//! edited field, a removed middle entry, two swapped entries and a truncated
//! tail are each named by `verify()`. Runs on SQLite, and on PostgreSQL when
//! `WACRM_TEST_POSTGRES_URL` is set (one schema per test).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::json;
use sqlx::AnyPool;
use wacrm::ManualClock;
use wacrm::access::{Console, ProblemKind, checkpoint_head, verify};
use wacrm::store::Stores;

static N: AtomicU32 = AtomicU32::new(0);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Db {
    Sqlite,
    Postgres,
}

/// A fresh database URL, or `None` when PostgreSQL is not configured.
async fn fresh_url(db: Db) -> Option<String> {
    sqlx::any::install_default_drivers();
    match db {
        Db::Sqlite => {
            let dir = std::env::temp_dir().join(format!(
                "wacrm-audit-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("a.db");
            let _ = std::fs::remove_file(&path);
            Some(format!("sqlite://{}", path.display()))
        }
        Db::Postgres => {
            let Ok(base) = std::env::var("WACRM_TEST_POSTGRES_URL") else {
                eprintln!("skipped: no PostgreSQL (set WACRM_TEST_POSTGRES_URL)");
                return None;
            };
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() % 1_000_000_000)
                .unwrap_or(0);
            let schema = format!(
                "a_{}_{}_{nanos}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            );
            let pool = AnyPool::connect(&base)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            let sep = if base.contains('?') { '&' } else { '?' };
            Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
        }
    }
}

/// Six audited console actions and a head checkpoint; returns the stores and a raw pool.
async fn seeded(db: Db) -> Option<(Stores, AnyPool)> {
    let url = fresh_url(db).await?;
    let stores = Stores::from_url(&url).await.unwrap();
    let console = Console::new(stores.clone(), Arc::new(ManualClock::new(1_000)));
    let op = console.operator("ops");
    for i in 0..6 {
        op.change_rules(
            &format!("rule-{i}"),
            json!({"by": "user:ana", "i": i}),
            || async { Ok(()) },
        )
        .await
        .unwrap();
    }
    checkpoint_head(stores.audit.as_ref(), None, 2_000)
        .await
        .unwrap()
        .unwrap();
    let r = verify(stores.audit.as_ref(), None).await.unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(r.entries, 6);
    let raw = AnyPool::connect(&url).await.unwrap();
    Some((stores, raw))
}

async fn drop_triggers(db: Db, raw: &AnyPool) {
    let stmts: &[&str] = match db {
        Db::Sqlite => &[
            "DROP TRIGGER audit_no_update",
            "DROP TRIGGER audit_no_delete",
        ],
        Db::Postgres => &["DROP TRIGGER audit_no_change ON audit_log"],
    };
    for s in stmts {
        sqlx::query(s).execute(raw).await.unwrap();
    }
}

async fn exec(raw: &AnyPool, sql: &str) -> Result<u64, sqlx::Error> {
    sqlx::query(sql)
        .execute(raw)
        .await
        .map(|r| r.rows_affected())
}

async fn triggers_refuse_update_and_delete(db: Db) {
    let Some((stores, raw)) = seeded(db).await else {
        return;
    };
    for sql in [
        "UPDATE audit_log SET at = at + 1 WHERE seq = 2",
        "UPDATE audit_log SET doc = REPLACE(doc, 'ana', 'eve') WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 6",
        "DELETE FROM audit_log",
        "UPDATE audit_checkpoints SET seq = 1",
        "DELETE FROM audit_checkpoints",
    ] {
        let e = exec(&raw, sql).await.expect_err(sql);
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    if db == Db::Postgres {
        assert!(exec(&raw, "TRUNCATE audit_log").await.is_err());
    }
    let r = verify(stores.audit.as_ref(), None).await.unwrap();
    assert!(r.is_ok(), "{r:?}");
}

async fn tamper(db: Db, how: &str) -> Option<wacrm::access::AuditProblem> {
    let (stores, raw) = seeded(db).await?;
    drop_triggers(db, &raw).await;
    match how {
        "edit" => {
            let n = exec(
                &raw,
                "UPDATE audit_log SET doc = REPLACE(doc, 'user:ana', 'user:eve') WHERE seq = 3",
            )
            .await
            .unwrap();
            assert_eq!(n, 1);
        }
        "delete" => {
            assert_eq!(
                exec(&raw, "DELETE FROM audit_log WHERE seq = 3")
                    .await
                    .unwrap(),
                1
            );
        }
        "swap" => {
            use sqlx::Row;
            let doc = |seq: i64| {
                let raw = raw.clone();
                async move {
                    sqlx::query("SELECT doc FROM audit_log WHERE seq = $1")
                        .bind(seq)
                        .fetch_one(&raw)
                        .await
                        .unwrap()
                        .get::<String, _>(0)
                }
            };
            let (d3, d4) = (doc(3).await, doc(4).await);
            for (seq, d) in [(3i64, d4), (4, d3)] {
                sqlx::query("UPDATE audit_log SET doc = $1 WHERE seq = $2")
                    .bind(d)
                    .bind(seq)
                    .execute(&raw)
                    .await
                    .unwrap();
            }
        }
        "truncate" => {
            assert_eq!(
                exec(&raw, "DELETE FROM audit_log WHERE seq >= 5")
                    .await
                    .unwrap(),
                2
            );
        }
        other => panic!("{other}"),
    }
    let r = verify(stores.audit.as_ref(), None).await.unwrap();
    assert!(r.problem.is_some(), "{how} on {db:?} went unnoticed: {r:?}");
    r.problem
}

async fn every_tampering_is_named(db: Db) {
    let cases = [
        ("edit", 3, ProblemKind::Edited),
        ("delete", 3, ProblemKind::Removed),
        ("swap", 4, ProblemKind::Reordered),
        ("truncate", 5, ProblemKind::Truncated),
    ];
    for (how, seq, kind) in cases {
        let Some(p) = tamper(db, how).await else {
            return;
        };
        assert_eq!((p.seq, p.kind), (seq, kind), "{how} on {db:?}: {p}");
    }
}

#[tokio::test]
async fn sqlite_triggers_refuse_update_and_delete() {
    triggers_refuse_update_and_delete(Db::Sqlite).await;
}

#[tokio::test]
async fn sqlite_every_tampering_is_named() {
    every_tampering_is_named(Db::Sqlite).await;
}

#[tokio::test]
async fn postgres_triggers_refuse_update_and_delete() {
    triggers_refuse_update_and_delete(Db::Postgres).await;
}

#[tokio::test]
async fn postgres_every_tampering_is_named() {
    every_tampering_is_named(Db::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_appends_from_two_pools_form_one_chain() {
    let Some(url) = fresh_url(Db::Postgres).await else {
        return;
    };
    let a = Stores::from_url(&url).await.unwrap();
    let b = Stores::from_url(&url).await.unwrap();
    let mut tasks = Vec::new();
    for (k, s) in [a.clone(), b].into_iter().enumerate() {
        for t in 0..4 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..25 {
                    let e = wacrm::store::AuditEntry::new(i, format!("p{k}t{t}"), "send", "x");
                    s.audit.append(&e).await.unwrap();
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let r = verify(a.audit.as_ref(), None).await.unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(r.entries, 200);
}

#[tokio::test]
async fn retention_purges_only_a_signed_prefix_and_the_rest_still_verifies() {
    use wacrm::access::{AuditRetention, purge_audit};
    for db in [Db::Sqlite, Db::Postgres] {
        let Some(url) = fresh_url(db).await else {
            continue;
        };
        let stores = Stores::from_url(&url).await.unwrap();
        for at in [10, 20, 30, 40_000_000_000i64, 50_000_000_000] {
            stores
                .audit
                .append(&wacrm::store::AuditEntry::new(at, "a", "send", "t"))
                .await
                .unwrap();
        }
        // Not configured: nothing is purged.
        let none = purge_audit(stores.audit.as_ref(), None, 60_000_000_000)
            .await
            .unwrap();
        assert!(none.is_none());
        let policy = AuditRetention::new(1, "s3cret");
        assert!(!format!("{policy:?}").contains("s3cret"));
        let (cp, n) = purge_audit(stores.audit.as_ref(), Some(&policy), 40_000_000_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((cp.seq, n), (3, 3), "{db:?}");
        let r = verify(stores.audit.as_ref(), Some(b"s3cret"))
            .await
            .unwrap();
        assert!(r.is_ok(), "{db:?}: {r:?}");
        assert_eq!(r.entries, 2);
        // A wrong key makes the purge checkpoint suspicious.
        let r = verify(stores.audit.as_ref(), Some(b"other")).await.unwrap();
        assert_eq!(r.problem.unwrap().kind, ProblemKind::Checkpoint);
        // Entries younger than the cut can never be deleted by raw SQL.
        let raw = AnyPool::connect(&url).await.unwrap();
        assert!(
            exec(&raw, "DELETE FROM audit_log WHERE seq = 4")
                .await
                .is_err()
        );
    }
}
