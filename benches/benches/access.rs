//! C13: cost of a permission check (bitset; target < 50 ns) and audit append
//! throughput (hash chain sealed inside the append transaction) on SQLite and,
//! when WACRM_TEST_POSTGRES_URL is set, PostgreSQL with 1 and 4 writers.
//! cargo bench -p wacrm-benches --bench access

use std::hint::black_box;
use std::time::Instant;

use wacrm::PhoneNumberId;
use wacrm::access::{Grant, Grants, Permission, Role, Scope};
use wacrm::store::{AuditEntry, Stores};

fn checks() {
    let preset = |name: &str, scope: Scope| {
        let r = Role::preset(name).expect("preset");
        Grant {
            role: r.name,
            permissions: r.permissions,
            scope,
        }
    };
    let unscoped = Grants::new(vec![preset("agent", Scope::all())]);
    let scoped = Grants::new(vec![
        preset(
            "agent",
            Scope {
                teams: ["sales".to_string()].into(),
                numbers: [PhoneNumberId::new("pn1")].into(),
            },
        ),
        preset(
            "supervisor",
            Scope {
                teams: ["support".to_string()].into(),
                numbers: [PhoneNumberId::new("pn2"), PhoneNumberId::new("pn3")].into(),
            },
        ),
    ]);
    let perms = Permission::ALL;
    let n = 50_000_000usize;
    let t = Instant::now();
    let mut yes = 0usize;
    for i in 0..n {
        yes += black_box(&unscoped).allows(black_box(perms[i % perms.len()])) as usize;
    }
    let ns = t.elapsed().as_nanos() as f64 / n as f64;
    println!("permission check (allows, bitset): {ns:.2} ns/check ({yes} allowed of {n})");

    let pn3 = PhoneNumberId::new("pn3");
    let teams: std::collections::BTreeSet<String> = ["support".to_string()].into();
    let n = 10_000_000usize;
    let t = Instant::now();
    let mut yes = 0usize;
    for i in 0..n {
        yes += black_box(&scoped).allows_in(
            black_box(perms[i % perms.len()]),
            black_box(&pn3),
            black_box(Some(&teams)),
        ) as usize;
    }
    let ns = t.elapsed().as_nanos() as f64 / n as f64;
    println!(
        "permission check (allows_in, 2 scoped memberships, number + team): {ns:.2} ns/check ({yes} allowed of {n})"
    );
}

async fn appends(name: &str, stores: Stores, writers: usize, n: usize) {
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let s = stores.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..n / writers {
                let mut e = AuditEntry::new(
                    i as i64,
                    format!("user:u{w}"),
                    "message.send",
                    "+15550000000",
                );
                e.details = serde_json::json!({"from": "pn1", "type": "text", "i": i});
                s.audit.append(&e).await.expect("append");
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer");
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = wacrm::access::verify(stores.audit.as_ref(), None)
        .await
        .expect("verify");
    assert!(r.is_ok(), "{r:?}");
    let vrate = r.entries as f64 / t.elapsed().as_secs_f64();
    println!(
        "audit {name} ({writers} writer(s)): append {rate:.0}/s, verify {vrate:.0} entries/s ({} entries)",
        r.entries
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    checks();
    let dir = std::env::temp_dir().join(format!("wacrm-bench-access-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("a.db");
    let _ = std::fs::remove_file(&path);
    appends("memory", Stores::memory(), 1, 100_000).await;
    appends(
        "sqlite",
        Stores::sqlite(&path).await.expect("sqlite"),
        1,
        5_000,
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    match std::env::var("WACRM_TEST_POSTGRES_URL") {
        Ok(base) => {
            for writers in [1, 4] {
                let schema = format!("bench_access_{}_{writers}", std::process::id());
                sqlx_schema(&base, &schema).await;
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                let stores = Stores::from_url(&url).await.expect("postgres");
                appends("postgres", stores, writers, 4_000).await;
            }
        }
        Err(_) => println!("audit postgres: skipped (set WACRM_TEST_POSTGRES_URL)"),
    }
}

/// A fresh schema (the store then migrates it on its search_path).
async fn sqlx_schema(base: &str, schema: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(base).await.expect("connect");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&pool)
        .await
        .expect("create schema");
    pool.close().await;
}
