//! `wacrm crm` beyond HubSpot on SQLite: the SQL table connector (push, a
//! second push that writes nothing, pull of a row another application
//! changed), the Prometheus metrics of a repeating sync, and the whole loop
//! on PostgreSQL (store and CRM table) when `WACRM_TEST_POSTGRES_URL` is set.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wacrm::ids::ContactId;
use wacrm::store::{Contact, Stores};
use wacrm_crm_standin::{Standin, StandinConfig};

const MAPPING: &str = r#"
[identity]
crm_id_property = "wacrm_id"

[[fields]]
local = "email"
crm = "email"
direction = "both"
transform = ["trim", "lowercase"]

[[fields]]
local = "first_name"
crm = "firstname"
direction = "both"
owner = "crm"
"#;

const TABLE: &str = "(pid INTEGER PRIMARY KEY, changed_ms BIGINT, wacrm_id TEXT UNIQUE, \
    email TEXT CHECK (email IS NULL OR email LIKE '%_@_%'), firstname TEXT)";

async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_wacrm"))
            .args(&args)
            .env("WACRM_HUBSPOT_TOKEN", "tok")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn json_of(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "exit {:?}: {} {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("one JSON object on stdout")
}

async fn seed(db: &str, n: usize, bad: &[usize]) {
    let stores = Stores::from_url(db).await.unwrap();
    for i in 0..n {
        let email = if bad.contains(&i) {
            format!("broken-{i}")
        } else {
            format!("P{i}@Example.com")
        };
        let c = Contact {
            id: ContactId::new(format!("p{i}")),
            email: Some(email),
            first_name: Some(format!("Name{i}")),
            ..Default::default()
        };
        stores.contacts.upsert(&c, None).await.unwrap();
    }
}

/// `crm push|pull` with the SQL connector on `table` of `sql_url`.
fn sql_args(cmd: &str, db: &str, mapping: &str, sql_url: &str, table: &str) -> Vec<String> {
    [
        "crm",
        cmd,
        "--db",
        db,
        "--mapping",
        mapping,
        "--connector",
        "sql",
        "--sql-url",
        sql_url,
        "--table",
        table,
        "--id-column",
        "pid",
        "--updated-column",
        "changed_ms",
    ]
    .map(String::from)
    .to_vec()
}

/// Push 5 contacts (one the table's CHECK refuses), push again, change a row
/// as another application would, pull it back.
async fn sql_round_trip(db: &str, sql_url: &str, table: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("m.toml");
    std::fs::write(&mapping, MAPPING).unwrap();
    let mapping = mapping.display().to_string();
    seed(db, 5, &[3]).await;
    let push = json_of(&run(sql_args("push", db, &mapping, sql_url, table)).await);
    assert_eq!(
        (push["created"].as_u64(), push["rejected"].as_u64()),
        (Some(4), Some(1)),
        "{push}"
    );
    let again = json_of(&run(sql_args("push", db, &mapping, sql_url, table)).await);
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(again["updated"], 0, "{again}");

    let pool = sqlx::AnyPool::connect(sql_url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT wacrm_id, email FROM {table} ORDER BY wacrm_id"
    ))
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["p0", "p1", "p2", "p4"]
    );
    assert_eq!(rows[0].1, "p0@example.com", "transforms applied");
    let later = chrono_ms() + 60_000;
    sqlx::query(&format!(
        "UPDATE {table} SET firstname = 'Edited', changed_ms = $1 WHERE wacrm_id = 'p2'"
    ))
    .bind(later)
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let pull = json_of(&run(sql_args("pull", db, &mapping, sql_url, table)).await);
    assert!(pull["applied"].as_u64().unwrap() >= 1, "{pull}");
    let stores = Stores::from_url(db).await.unwrap();
    let p2 = stores
        .contacts
        .get(&ContactId::new("p2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p2.first_name.as_deref(), Some("Edited"));
    let parked = stores.sync.list_parked("sql").await.unwrap();
    assert_eq!(parked.len(), 1);
    assert!(
        parked[0].error.starts_with("CONSTRAINT_VIOLATION"),
        "{:?}",
        parked[0]
    );

    // Each command above was its own process: the report shows the health
    // they saved, counted across all three (the idle push added nothing).
    let report = json_of(
        &run(["report", "--db", db, "--format", "json"]
            .map(String::from)
            .to_vec())
        .await,
    );
    let rows = report["sync"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{report}");
    let row = &rows[0];
    let fetched = pull["fetched"].as_u64().unwrap();
    assert_eq!(
        (&row["connector"], &row["mapping"]),
        (&"sql".into(), &"sql".into())
    );
    assert_eq!(row["attempts"].as_u64(), Some(5 + fetched), "{row}");
    assert_eq!(row["successes"].as_u64(), Some(4 + fetched), "{row}");
    assert_eq!(row["rejections"], 1, "{row}");
    assert_eq!(row["top_rejections"][0]["code"], "CONSTRAINT_VIOLATION");
    assert_eq!(
        (&row["parked"], &row["discrepancies"]),
        (&1.into(), &0.into())
    );
    assert!(row["latency_p50_ms"].as_f64().is_some(), "{row}");
}

fn chrono_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_connector_through_the_cli_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("w.db").display());
    let crm = format!("sqlite://{}?mode=rwc", dir.path().join("crm.db").display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&crm).await.unwrap();
    sqlx::query(&format!("CREATE TABLE people {TABLE}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    sql_round_trip(&db, &crm, "people").await;
    // Missing SQL settings are a usage error, not a crash.
    let o = run(vec![
        "crm".into(),
        "push".into(),
        "--db".into(),
        db.clone(),
        "--mapping".into(),
        dir.path().join("none.toml").display().to_string(),
        "--connector".into(),
        "nosuch".into(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_and_sql_table_through_the_cli() {
    let base = match std::env::var("WACRM_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            eprintln!("skipped: set WACRM_TEST_POSTGRES_URL to run the PostgreSQL CLI test");
            return;
        }
    };
    let schema = format!("crmcli_{}", std::process::id());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&base).await.unwrap();
    for q in [
        format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
        format!("CREATE SCHEMA {schema}"),
        format!(
            "CREATE TABLE {schema}.people {}",
            TABLE.replace("pid INTEGER PRIMARY KEY", "pid BIGSERIAL PRIMARY KEY")
        ),
    ] {
        sqlx::query(&q).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    let db = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    sql_round_trip(&db, &base, &format!("{schema}.people")).await;
}

/// `GET /metrics` over a bare socket.
async fn scrape(addr: &str) -> String {
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return String::new();
    };
    let req = format!("GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    if s.write_all(req.as_bytes()).await.is_err() {
        return String::new();
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out).await;
    out
}

/// The value of `name{...}` whose labels include all of `want`.
fn sample(text: &str, name: &str, want: &[(&str, &str)]) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (head, value) = l.rsplit_once(' ')?;
        let (n, labels) = head.split_once('{').unwrap_or((head, ""));
        (n == name
            && want
                .iter()
                .all(|(k, v)| labels.contains(&format!("{k}=\"{v}\""))))
        .then(|| value.parse::<f64>().ok())?
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_served_while_syncing_repeatedly() {
    let s = Standin::start(StandinConfig {
        token: "tok".into(),
        requests_per_10s: 1000,
        search_per_s: 50,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("w.db").display());
    seed(&db, 30, &[4, 9]).await;
    let mapping = dir.path().join("m.toml");
    std::fs::write(&mapping, MAPPING).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(["crm", "sync", "--db", &db, "--mapping"])
        .arg(&mapping)
        .args([
            "--base-url",
            &s.url(),
            "--every",
            "0.3",
            "--metrics-addr",
            &addr,
        ])
        .env("WACRM_HUBSPOT_TOKEN", "tok")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut text = String::new();
    for _ in 0..600 {
        text = scrape(&addr).await;
        let created = [("sync", "hubspot"), ("outcome", "created")];
        if sample(&text, "wacrm_crm_pushed_total", &created) == Some(28.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let created = [("sync", "hubspot"), ("outcome", "created")];
    assert_eq!(
        sample(&text, "wacrm_crm_pushed_total", &created),
        Some(28.0),
        "{text}"
    );
    let bad = [("sync", "hubspot"), ("code", "VALIDATION_ERROR")];
    assert_eq!(
        sample(&text, "wacrm_crm_rejections_total", &bad),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "wacrm_crm_lag_seconds_count", &[("sync", "hubspot")]),
        Some(28.0),
        "one lag sample per record written: {text}"
    );
    let sent = sample(&text, "wacrm_crm_requests_total", &[("result", "sent")]).unwrap_or(0.0);
    assert!(sent >= 1.0, "{text}");
}
