//! `wacrm users`, `wacrm roles` and `wacrm audit` end to end on a SQLite file:
//! operators create users and roles, a user without the permission is refused
//! with FORBIDDEN, and the audit log verifies, exports, and names a tampered entry.

use std::process::{Command, Output};

fn wacrm(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(args)
        .env("WACRM_DB", db)
        .env_remove("WACRM_AUDIT_KEY")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn operators_manage_users_and_the_audit_log_verifies_exports_and_catches_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let db = format!("sqlite://{}", path.display());

    let o = wacrm(
        &db,
        &["users", "add", "root", "--name", "Root", "--role", "admin"],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let o = wacrm(
        &db,
        &[
            "users", "add", "ana", "--agent", "ag1", "--role", "agent", "--team", "sales",
            "--number", "pn1",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = wacrm(
        &db,
        &[
            "roles",
            "create",
            "campaigner",
            "--permissions",
            "broadcast,view_reports",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = wacrm(
        &db,
        &["roles", "create", "bad", "--permissions", "send,fly"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("unknown permission \\\"fly"),
        "{}",
        stdout(&o)
    );
    let o = wacrm(
        &db,
        &["users", "role", "ana", "campaigner", "--number", "pn1"],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    let o = wacrm(&db, &["roles", "list"]);
    let names: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        names,
        ["agent", "supervisor", "admin", "viewer", "campaigner"]
    );

    let o = wacrm(&db, &["users", "list", "--as", "root"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let users: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(users.len(), 2);
    let ana = users.iter().find(|u| u["user"]["id"] == "ana").unwrap();
    assert_eq!(ana["memberships"].as_array().unwrap().len(), 2);

    // An agent may not manage users: FORBIDDEN, exit 1, and the attempt is logged.
    let o = wacrm(
        &db,
        &["users", "add", "eve", "--role", "admin", "--as", "ana"],
    );
    assert_eq!(o.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(err["error"]["code"], "FORBIDDEN");
    assert_eq!(err["error"]["retryable"], false);

    let o = wacrm(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let report: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let entries = report["entries"].as_u64().unwrap();
    assert!(entries >= 8, "{report}");
    assert!(stderr(&o).contains(&format!("{entries} entries verified")));

    let o = wacrm(&db, &["audit", "export", "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The export itself and the verify are audited too.
    assert_eq!(lines.len() as u64, entries + 1);
    let refused = lines
        .iter()
        .find(|e| e["outcome"] == "forbidden")
        .expect("the refused attempt is in the log");
    assert_eq!(refused["actor"], "user:ana");
    assert_eq!(refused["action"], "user.upsert");

    let o = wacrm(
        &db,
        &[
            "audit", "export", "--format", "csv", "--from", "0", "--to", "1",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "seq,at,actor,action,target,client_id,outcome,details,prev_hash,hash"
    );
    let o = wacrm(&db, &["audit", "export", "--format", "csv"]);
    assert!(stdout(&o).lines().count() as u64 >= entries + 2);
    let o = wacrm(&db, &["audit", "export", "--format", "xml"]);
    assert_eq!(o.status.code(), Some(1));
    let o = wacrm(&db, &["audit", "export", "--from", "yesterday"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("RFC 3339"), "{}", stdout(&o));

    // Tamper with a field behind the triggers' back: verify exits 1 naming the entry.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db).await.unwrap();
    assert!(
        sqlx::query("UPDATE audit_log SET doc = REPLACE(doc, 'Root', 'Mallory') WHERE seq = 1")
            .execute(&pool)
            .await
            .is_err(),
        "the trigger refuses updates"
    );
    sqlx::query("DROP TRIGGER audit_no_update")
        .execute(&pool)
        .await
        .unwrap();
    let changed =
        sqlx::query("UPDATE audit_log SET doc = REPLACE(doc, 'Root', 'Mallory') WHERE seq = 1")
            .execute(&pool)
            .await
            .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    pool.close().await;
    let o = wacrm(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("entry 1: edited"), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(report["problem"]["seq"], 1);
    assert_eq!(report["problem"]["kind"], "edited");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_checkpoint_catches_a_truncated_tail() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    for u in ["a", "b", "c"] {
        assert!(wacrm(&db, &["users", "add", u]).status.success());
    }
    let o = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(["audit", "checkpoint", "--db", &db])
        .env("WACRM_AUDIT_KEY", "k")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db).await.unwrap();
    sqlx::query("DROP TRIGGER audit_no_delete")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq >= 2")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let o = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(["audit", "verify", "--db", &db])
        .env("WACRM_AUDIT_KEY", "k")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("entry 2: truncated"), "{}", stderr(&o));
}
