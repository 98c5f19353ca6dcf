//! `wacrm webhook ingest` then `wacrm report` on generated webhook bodies
//! whose figures are known; ingesting twice changes nothing; the HTML report
//! rendered in headless Chromium shows the same figures.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn wacrm() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wacrm"))
}

/// Monday 2 March 2026, 09:00 UTC.
const T: i64 = 1_772_442_000;
const NUMBER: &str = "106540352242922";

fn envelope(value: Value) -> Value {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1029384756", "changes": [{
    "field": "messages",
    "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": NUMBER},
        "contacts": value.get("contacts").cloned().unwrap_or(json!([])),
        "messages": value.get("messages").cloned().unwrap_or(json!([])),
        "statuses": value.get("statuses").cloned().unwrap_or(json!([])),
    }}]}]})
}

fn inbound(id: &str, from: &str, at: i64, text: &str) -> Value {
    envelope(json!({
        "contacts": [{"profile": {"name": format!("Customer {from}")}, "wa_id": from}],
        "messages": [{"from": from, "id": id, "timestamp": at.to_string(), "type": "text", "text": {"body": text}}],
    }))
}

fn status(
    id: &str,
    to: &str,
    st: &str,
    at: i64,
    campaign: Option<&str>,
    code: Option<i64>,
) -> Value {
    let mut s = json!({"id": id, "status": st, "timestamp": at.to_string(), "recipient_id": to});
    if let Some(c) = campaign {
        s["biz_opaque_callback_data"] = json!(c);
    }
    if let Some(c) = code {
        s["errors"] = json!([{"code": c, "title": "Message undeliverable", "message": "Message undeliverable"}]);
    }
    envelope(json!({"statuses": [s]}))
}

/// The bodies, as files: a campaign of three (one read without delivered,
/// one failed), replies within and after 72 h, a reply sent from another
/// tool (known only from its statuses), an unanswered customer.
fn write_bodies(dir: &Path) -> Vec<PathBuf> {
    let c = Some("spring-2026");
    let single = [
        // m1: read arrives before delivered.
        status("wamid.m1", "15550001", "sent", T, c, None),
        status("wamid.m1", "15550001", "read", T + 120, c, None),
        status("wamid.m1", "15550001", "delivered", T + 60, c, None),
        // m2: read without delivered.
        status("wamid.m2", "15550002", "sent", T, c, None),
        status("wamid.m2", "15550002", "read", T + 300, c, None),
        // m3: failed.
        status("wamid.m3", "15550003", "failed", T + 10, c, Some(131026)),
    ];
    let mut files = Vec::new();
    for (i, b) in single.iter().enumerate() {
        let p = dir.join(format!("body{i}.json"));
        std::fs::write(&p, serde_json::to_vec_pretty(b).unwrap()).unwrap();
        files.push(p);
    }
    // The rest as JSON lines in one file.
    let lines = [
        inbound(
            "wamid.i1",
            "15550001",
            T + 3_600,
            "Is the sale valid in store?",
        ),
        inbound(
            "wamid.i3",
            "15550003",
            T + 7_200,
            "Where is my order? refund",
        ),
        inbound("wamid.i4", "15550004", T + 18_000, "refund please"),
        // After 72 h: not a campaign reply, but a new conversation.
        inbound(
            "wamid.i2",
            "15550002",
            T + 100 * 3_600,
            "refund for the shirt",
        ),
        // Answered 90 s later from another tool.
        status(
            "wamid.m4",
            "15550002",
            "sent",
            T + 100 * 3_600 + 90,
            None,
            None,
        ),
        status(
            "wamid.m4",
            "15550002",
            "delivered",
            T + 100 * 3_600 + 95,
            None,
            None,
        ),
    ];
    let p = dir.join("more.jsonl");
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&p, text.join("\n") + "\n").unwrap();
    files.push(p);
    files
}

fn ingest(db: &str, files: &[PathBuf]) -> Value {
    let out = wacrm()
        .args(["webhook", "ingest", "--db", db])
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ingest failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn report(db: &str, extra: &[&str]) -> Vec<u8> {
    let out = wacrm()
        .args(["report", "--db", db])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "report failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn ingest_then_report_gives_the_known_figures_and_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("w.db").display());
    ingest_then_report(dir.path(), &db);
}

/// The same on PostgreSQL, in a fresh schema (skipped without
/// `WACRM_TEST_POSTGRES_URL`).
#[test]
fn ingest_then_report_on_postgres() {
    let Ok(base) = std::env::var("WACRM_TEST_POSTGRES_URL") else {
        eprintln!("skipped: no PostgreSQL (set WACRM_TEST_POSTGRES_URL)");
        return;
    };
    let schema = format!(
        "report_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() % 1_000_000_000)
            .unwrap_or(0)
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let run = |sql: String| {
        rt.block_on(async {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&base).await.expect("connect");
            sqlx::query(&sql).execute(&pool).await.expect(&sql);
            pool.close().await;
        })
    };
    run(format!("CREATE SCHEMA {schema}"));
    let sep = if base.contains('?') { '&' } else { '?' };
    let db = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let dir = tempfile::tempdir().unwrap();
    ingest_then_report(dir.path(), &db);
    run(format!("DROP SCHEMA {schema} CASCADE"));
}

fn ingest_then_report(dir: &Path, db: &str) {
    let files = write_bodies(dir);
    let db = db.to_string();

    let first = ingest(&db, &files);
    assert_eq!(first["bodies"], 12);
    assert_eq!(first["new_messages"], 4);
    assert_eq!(
        first["outbound_created"], 4,
        "m1..m4 known only from statuses"
    );
    assert_eq!(first["bad_bodies"], json!([]));
    let r1: Value = serde_json::from_slice(&report(&db, &["--format", "json"])).unwrap();

    assert_eq!(
        r1["funnel"],
        json!([{"campaign": "spring-2026", "sent": 2, "delivered": 2, "read": 2, "failed": 1, "replied": 2}])
    );
    assert_eq!(r1["failures"], json!([{"code": 131026, "count": 1}]));
    assert_eq!(
        r1["frt"],
        json!({"n": 1, "median_s": 90.0, "p90_s": 90.0, "unanswered": 1})
    );
    let how = r1["hour_of_week"].as_array().unwrap();
    assert_eq!(how.len(), 168);
    assert_eq!(how[10], 1, "Monday 10:00");
    assert_eq!(how[11], 1);
    assert_eq!(how[14], 1);
    assert_eq!(how[4 * 24 + 13], 1, "Friday 13:00");
    assert_eq!(how.iter().map(|v| v.as_u64().unwrap()).sum::<u64>(), 4);
    assert_eq!(r1["hot_words"][0], json!({"word": "refund", "count": 3}));
    // The team row: `handled` counts conversations (every one is open in an
    // unbounded range), handle time has its own key.
    let team = r1["agents"].as_array().unwrap().last().unwrap();
    assert_eq!(team["agent"], "*");
    assert_eq!(team["handled"], 4, "{team}");
    assert_eq!(team["open"], 4);
    assert_eq!(
        team["handle_time"],
        json!({"n": 0, "median_s": null, "p90_s": null, "unanswered": 0})
    );
    let keys: Vec<&str> = r1.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "agents",
            "anomalies",
            "failures",
            "frt",
            "funnel",
            "hot_words",
            "hour_of_week",
            "range",
            "sync"
        ]
    );
    assert_eq!(r1["sync"], json!([]), "no CRM sync ran on this store");

    // A second ingest of the same files changes nothing.
    let second = ingest(&db, &files);
    assert_eq!(second["new_messages"], 0);
    assert_eq!(second["outbound_created"], 0);
    assert_eq!(second["statuses_applied"], 0);
    assert_eq!(second["duplicate_messages"], 4);
    let r2: Value = serde_json::from_slice(&report(&db, &["--format", "json"])).unwrap();
    assert_eq!(r1, r2);

    // A range and a zone: only the first day, in Tokyo (T is 18:00 there).
    let day: Value = serde_json::from_slice(&report(
        &db,
        &[
            "--format",
            "json",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-02",
            "--tz",
            "Asia/Tokyo",
        ],
    ))
    .unwrap();
    assert_eq!(day["range"]["tz"], "Asia/Tokyo");
    assert_eq!(day["range"]["from"], "2026-03-01T15:00:00Z");
    assert_eq!(day["range"]["to"], "2026-03-02T15:00:00Z");
    assert_eq!(day["funnel"][0]["sent"], 2);
    assert_eq!(
        day["hour_of_week"][18 + 1],
        1,
        "10:00 UTC is 19:00 in Tokyo"
    );
    assert_eq!(day["frt"]["n"], 0, "the answered start is days later");

    // CSV: sections with header rows.
    let csv = String::from_utf8(report(&db, &["--format", "csv"])).unwrap();
    assert!(
        csv.contains(
            "# funnel\ncampaign,sent,delivered,read,failed,replied\nspring-2026,2,2,2,1,2\n"
        ),
        "{csv}"
    );
    assert!(csv.contains("# failures\ncode,count\n131026,1\n"));
    assert!(csv.contains(
        "# agents\nagent,frt_n,frt_median_s,frt_p90_s,frt_unanswered,handled,handle_n,handle_median_s,handle_p90_s,open,resolved,load\n"
    ), "{csv}");
    assert!(csv.contains("# frt\nn,median_s,p90_s,unanswered\n1,90,90,1\n"));
    assert!(
        csv.ends_with("\n# sync\nconnector,mapping,attempts,successes,success_rate,rejections,top_rejections,parked,discrepancies,latency_p50_ms,latency_p99_ms,lag_p50_ms,lag_p99_ms,updated_at\n"),
        "{csv}"
    );
}

/// A CRM push (`wacrm crm push`, the SQL connector on a table of a second
/// SQLite file) over the store at `db`, with one contact the table's CHECK
/// refuses: its health is what the report's sync section shows.
fn crm_push_with_a_rejection(dir: &Path, db: &str) {
    let crm = format!("sqlite://{}?mode=rwc", dir.join("crm.db").display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&crm).await.expect("crm table file");
        sqlx::query(
            "CREATE TABLE people (pid INTEGER PRIMARY KEY, changed_ms BIGINT, wacrm_id TEXT UNIQUE, \
             email TEXT CHECK (email IS NULL OR email LIKE '%_@_%'))",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
        let stores = wacrm::store::Stores::from_url(db).await.unwrap();
        let c = wacrm::store::Contact {
            id: "broken".into(),
            email: Some("no-at-sign".into()),
            ..Default::default()
        };
        stores.contacts.upsert(&c, None).await.unwrap();
    });
    let mapping = dir.join("mapping.toml");
    std::fs::write(
        &mapping,
        "[identity]\ncrm_id_property = \"wacrm_id\"\n\n[[fields]]\nlocal = \"email\"\ncrm = \"email\"\ndirection = \"to_crm\"\n",
    )
    .unwrap();
    let out = wacrm()
        .args(["crm", "push", "--db", db, "--mapping"])
        .arg(&mapping)
        .args([
            "--connector",
            "sql",
            "--sql-url",
            &crm,
            "--table",
            "people",
            "--id-column",
            "pid",
            "--updated-column",
            "changed_ms",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "crm push failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let push: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(push["rejected"], 1, "{push}");
}

#[test]
fn bad_bodies_and_arguments_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("w.db").display());
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        format!(
            "{}\nnot json\n",
            inbound("wamid.x", "15550009", T, "hi there")
        ),
    )
    .unwrap();
    let out = wacrm()
        .args(["webhook", "ingest", "--db", &db])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["new_messages"], 1, "the good line is kept");
    assert_eq!(v["bad_bodies"][0]["line"], 2);

    let out = wacrm()
        .args([
            "report",
            "--db",
            &db,
            "--format",
            "json",
            "--tz",
            "Mars/Olympus",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("unknown time zone"));
    let out = wacrm()
        .args([
            "report",
            "--db",
            &db,
            "--format",
            "json",
            "--from",
            "yesterday",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("neither a date"));
}

fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var("WACRM_CHROMIUM").ok(),
        Some("/usr/bin/chromium".into()),
        Some("/usr/bin/chromium-browser".into()),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn headless(browser: &Path, profile: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn html_report_shows_the_figures_in_a_real_browser() {
    let Some(browser) = chromium() else {
        if std::env::var("WACRM_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("skipped: no chromium and WACRM_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "chromium is not installed (apt-get install chromium, or set WACRM_CHROMIUM); \
             set WACRM_SKIP_BROWSER=1 to skip this check"
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let files = write_bodies(dir.path());
    let db = format!("sqlite://{}", dir.path().join("w.db").display());
    ingest(&db, &files);
    crm_push_with_a_rejection(dir.path(), &db);
    let html = dir.path().join("report.html");
    report(&db, &["--format", "html", "--out", html.to_str().unwrap()]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no network references"
    );
    assert!(!page.contains("<script"), "no scripts");

    let url = format!("file://{}", html.display());
    let profile = tempfile::tempdir().unwrap();
    let out = headless(&browser, profile.path())
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    for (k, v) in [
        ("funnel-sent:spring-2026", "2"),
        ("funnel-delivered:spring-2026", "2"),
        ("funnel-read:spring-2026", "2"),
        ("funnel-failed:spring-2026", "1"),
        ("funnel-replied:spring-2026", "2"),
        ("failure:131026", "1"),
        ("frt-n", "1"),
        ("frt-median", "90 s"),
        ("frt-unanswered", "1"),
        ("inbound-total", "4"),
        ("word:refund", "3"),
        ("sync-rejections:sql", "1"),
        ("sync-parked:sql", "1"),
        ("sync-discrepancies:sql", "0"),
    ] {
        let needle = format!("data-k=\"{k}\">{v}<");
        assert!(dom.contains(&needle), "rendered page lacks {needle}");
    }
    assert!(dom.contains("<svg"), "charts are inline SVG");

    // A phone-sized screenshot kept as a test artifact.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("analytics-report.png");
    let _ = std::fs::remove_file(&shot);
    let profile = tempfile::tempdir().unwrap();
    let out = headless(&browser, profile.path())
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=412,1800")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    eprintln!("screenshot: {}", shot.display());
}
