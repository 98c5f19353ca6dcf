//! SQLite specifics: persistence across reopen, migrations, bad files, retention.

use wacrm::ErrorKind;
use wacrm::store::*;

#[tokio::test]
async fn data_survives_reopen_and_schema_is_versioned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    {
        let s = Stores::sqlite(&path).await.unwrap();
        s.contacts
            .upsert(
                &Contact {
                    id: "c1".into(),
                    e164: Some("+819012345678".parse().unwrap()),
                    ..Default::default()
                },
                None,
            )
            .await
            .unwrap();
        s.outbox
            .enqueue(&conformance::outbox_item("i1", "k1", Lane::Reply, 0))
            .await
            .unwrap();
    }
    let s = Stores::sqlite(&path).await.unwrap();
    assert!(s.contacts.get(&"c1".into()).await.unwrap().is_some());
    assert_eq!(s.outbox.stats().await.unwrap().queued, 1);
    let raw = SqlStore::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert_eq!(
        raw.schema_versions().await.unwrap(),
        SqlStore::known_schema_versions(Backend::Sqlite)
    );
    assert_eq!(raw.backend(), Backend::Sqlite);
}

#[tokio::test]
async fn a_file_that_is_not_a_wacrm_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.db");
    std::fs::write(
        &garbage,
        b"this is not sqlite at all, just some bytes that go on and on .........",
    )
    .unwrap();
    let e = Stores::sqlite(&garbage).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Store);
    assert!(e.to_string().contains("not a wacrm database"), "{e}");

    // A real SQLite file of another application.
    let other = dir.path().join("other.db");
    {
        let s = SqlStore::open(&format!("sqlite://{}", dir.path().join("tmp.db").display()))
            .await
            .unwrap();
        drop(s);
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}?mode=rwc", other.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let e = Stores::sqlite(&other).await.unwrap_err();
    assert!(e.to_string().contains("not a wacrm database"), "{e}");
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    drop(Stores::sqlite(&path).await.unwrap());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (99, 'from the future', '2030-01-01', 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let e = Stores::sqlite(&path).await.unwrap_err();
    assert!(e.to_string().contains("newer wacrm"), "{e}");
}

#[tokio::test]
async fn corrupt_rows_are_reported_with_their_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let s = Stores::sqlite(&path).await.unwrap();
    s.contacts
        .upsert(
            &Contact {
                id: "c1".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE contacts SET doc = '{broken' WHERE id = 'c1'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let s = Stores::sqlite(&path).await.unwrap();
    let e = s.contacts.get(&"c1".into()).await.unwrap_err();
    assert!(
        matches!(&e, StoreError::Corrupt { key, .. } if key == "contacts/c1"),
        "{e:?}"
    );
}

/// A row written before identifiers were validated (or by SQL by hand) can
/// hold a phone, wa_id or BSUID that no longer validates: it is read, not
/// refused, and the text is kept in `invalid_<field>` attributes.
#[tokio::test]
async fn legacy_rows_with_invalid_identifiers_stay_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let s = Stores::sqlite(&path).await.unwrap();
    s.contacts
        .upsert(
            &Contact {
                id: "ok".into(),
                e164: Some("+819012345678".parse().unwrap()),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    drop(s);
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO contacts (id, e164, wa_id, bsuid, version, doc) VALUES \
         ('old', '090-1234', 'abc', 'ana', 1, \
          '{\"id\":\"old\",\"e164\":\"090-1234\",\"wa_id\":\"abc\",\"bsuid\":\"ana\",\"name\":\"Old\",\"version\":1}')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let s = Stores::sqlite(&path).await.unwrap();
    let old = s.contacts.get(&"old".into()).await.unwrap().unwrap();
    assert_eq!((&old.e164, &old.wa_id, &old.bsuid), (&None, &None, &None));
    assert_eq!(old.name.as_deref(), Some("Old"));
    assert_eq!(old.attributes["invalid_e164"], "090-1234");
    assert_eq!(old.attributes["invalid_wa_id"], "abc");
    assert_eq!(old.attributes["invalid_bsuid"], "ana");
    // Lookups by the stale key column still find it, and listing is not broken.
    let found = s.contacts.find_by_e164("090-1234").await.unwrap().unwrap();
    assert_eq!(found.id, old.id);
    let all = s
        .contacts
        .list(&ContactFilter::default(), &PageRequest::default())
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
    // Writing it back stores the repaired document and clears the key column.
    s.contacts.upsert(&old, Some(old.version)).await.unwrap();
    assert!(s.contacts.find_by_e164("090-1234").await.unwrap().is_none());
    let again = s.contacts.get(&"old".into()).await.unwrap().unwrap();
    assert_eq!(again.attributes["invalid_e164"], "090-1234");
}

#[tokio::test]
async fn audit_log_rows_cannot_be_changed_even_with_sql() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let s = Stores::sqlite(&path).await.unwrap();
    s.audit
        .append(&AuditEntry::new(1, "a", "send", "t"))
        .await
        .unwrap();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(
        sqlx::query("DELETE FROM audit_log")
            .execute(&pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("UPDATE audit_log SET at = 2")
            .execute(&pool)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn retention_archives_and_purges() {
    let s = Stores::from_url("sqlite::memory:").await.unwrap();
    let day = 86_400_000i64;
    let conv = Conversation {
        id: "cv".into(),
        contact_id: "c".into(),
        phone_number_id: "pn".into(),
        status: ConversationStatus::Closed,
        agent_id: None,
        priority: 0,
        opened_at: 0,
        assigned_at: None,
        last_inbound_at: None,
        last_outbound_at: None,
        first_response_at: None,
        last_human_reply_at: None,
        closed_at: Some(day),
    };
    s.conversations.create(&conv).await.unwrap();
    let policy = RetentionPolicy {
        archive_after_days: 90,
        purge_after_days: 365,
        purge_bodies_after_days: Some(365),
        pending_status_max_age_hours: 24,
    };
    let r = apply_retention(&s, &policy, day * 50).await.unwrap();
    assert_eq!(r.archived, 0);
    let r = apply_retention(&s, &policy, day * 200).await.unwrap();
    assert_eq!(r.archived, 1);
    assert!(Stores::from_url("mysql://x").await.is_err());
    assert!(Stores::from_url("memory:").await.is_ok());
}

#[tokio::test]
async fn an_older_schema_is_migrated_forward_keeping_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // Build a version-1 database with only the first migration, as an older wacrm left it.
    let v1 = dir.path().join("v1");
    std::fs::create_dir_all(&v1).unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/migrations/sqlite/0001_init.sql"
        ),
        v1.join("0001_init.sql"),
    )
    .unwrap();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(v1.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO contacts (id, e164, wa_id, bsuid, version, doc) VALUES ('old', '+819012345678', NULL, NULL, 1, '{\"id\":\"old\",\"e164\":\"+819012345678\",\"version\":1}')")
        .execute(&pool)
        .await
        .unwrap();
    // An audit entry as wacrm wrote it before the hash chain existed.
    sqlx::query("INSERT INTO audit_log (at, doc) VALUES (5, '{\"seq\":0,\"at\":5,\"actor\":\"assignment\",\"action\":\"conversation.assign\",\"target\":\"cv1\",\"details\":null}')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let store = SqlStore::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert_eq!(
        store.schema_versions().await.unwrap(),
        SqlStore::known_schema_versions(Backend::Sqlite),
        "migrated forward on open"
    );
    let s = Stores::sqlite(&path).await.unwrap();
    let c = s.contacts.get(&"old".into()).await.unwrap().unwrap();
    assert_eq!(c.e164.as_deref(), Some("+819012345678"));
    // The old audit entry still reads; the chain starts after it.
    let old = s.audit.list(0, 10).await.unwrap();
    assert_eq!((old[0].seq, old[0].actor.as_str()), (1, "assignment"));
    assert_eq!(
        s.audit
            .append(&AuditEntry::new(6, "a", "send", "t"))
            .await
            .unwrap(),
        2
    );
    let r = wacrm::access::verify(s.audit.as_ref(), None).await.unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!((r.legacy, r.entries), (1, 1));
}

#[tokio::test]
async fn message_documents_can_be_stored_zstd_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("z.db");
    let s = Stores::from_url(&format!("sqlite://{}?wacrm_compress=zstd", path.display()))
        .await
        .unwrap();
    let body = serde_json::json!({"text": {"body": "あ".repeat(2000)}});
    s.messages
        .record_inbound(&MessageRecord {
            id: "wamid.big".into(),
            phone_number_id: "pn".into(),
            conversation_id: None,
            contact_id: None,
            direction: Direction::Inbound,
            msg_type: "text".into(),
            body: body.clone(),
            status: None,
            status_times: Default::default(),
            error: None,
            agent_id: None,
            campaign_id: None,
            created_at: 1,
        })
        .await
        .unwrap();
    assert_eq!(
        s.messages
            .get_message(&"wamid.big".into())
            .await
            .unwrap()
            .unwrap()
            .body,
        body
    );
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let row: (String,) = sqlx::query_as("SELECT doc FROM messages WHERE id = 'wamid.big'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(row.0.starts_with("zstd:"), "stored compressed");
    assert!(
        row.0.len() < 1000,
        "2,000 repeated characters compress: {} bytes",
        row.0.len()
    );
}
