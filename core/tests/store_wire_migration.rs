//! Migration 0004: a store written before messages were kept in Meta's wire
//! form (outbound bodies and outbox messages as `{"type", "content"}`) reads
//! back in the wire form after opening, compressed documents included.

use serde_json::{Value, json};
use sqlx::Row;
use wacrm::client::{OutboundMessage, Template, TemplateParam};
use wacrm::store::conformance::{message, outbox_item};
use wacrm::store::*;

fn legacy(name: &str) -> Value {
    let p = format!(
        "{}/tests/fixtures/client/legacy/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

async fn raw(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}

/// A document as stored with `wacrm_compress=zstd`.
fn zstd_doc(doc: &str) -> String {
    use base64::Engine as _;
    let packed = zstd::bulk::compress(doc.as_bytes(), 3).unwrap();
    format!(
        "zstd:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(packed)
    )
}

/// A version-3 database (migrations 0001 to 0003, as the previous release left
/// it) holding documents in the old shape, written with raw SQL.
async fn write_old_store(dir: &std::path::Path, url: &str) {
    let v3 = dir.join("v3");
    std::fs::create_dir_all(&v3).unwrap();
    for f in [
        "0001_init.sql",
        "0002_retention_indexes.sql",
        "0003_access_audit_chain.sql",
    ] {
        let from = format!("{}/migrations/sqlite/{f}", env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(from, v3.join(f)).unwrap();
    }
    let pool = raw(&format!("{url}?mode=rwc")).await;
    sqlx::migrate::Migrator::new(v3.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let mut out = message("wamid.o", "cv", "ct", Direction::Outbound, 1);
    out.body = json!({"type": "text", "content": {"body": "hi", "preview_url": false},
        "automated": true});
    let mut zipped = message("wamid.z", "cv", "ct", Direction::Outbound, 2);
    zipped.body = legacy("template");
    let mut inbound = message("wamid.i", "cv", "ct", Direction::Inbound, 3);
    // An inbound body is Meta's JSON, which may hold keys named like the old ones.
    inbound.body = json!({"from": "81", "type": "text", "text": {"body": "yo"}, "content": 1});
    let docs = [
        (&out, serde_json::to_string(&out).unwrap()),
        (&zipped, zstd_doc(&serde_json::to_string(&zipped).unwrap())),
        (&inbound, serde_json::to_string(&inbound).unwrap()),
    ];
    for (m, doc) in docs {
        sqlx::query("INSERT INTO messages (id, conversation_id, contact_id, created_at, doc) VALUES ($1, 'cv', 'ct', $2, $3)")
            .bind(m.id.0.clone())
            .bind(m.created_at)
            .bind(doc)
            .execute(&pool)
            .await
            .unwrap();
    }
    let mut item = outbox_item("ob1", "k1", Lane::Reply, 0);
    item.payload = json!({"message": legacy("buttons"), "event_key": null,
        "promotion": false, "automated": false});
    sqlx::query("INSERT INTO outbox (id, idem_key, state, lane, not_before, created_at, lease_until, doc) VALUES ('ob1', 'k1', 'queued', 0, 0, 0, NULL, $1)")
        .bind(serde_json::to_string(&item).unwrap())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn old_shape_rows_read_back_in_wire_form() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("w.db").display());
    write_old_store(dir.path(), &url).await;

    let s = SqlStore::open(&url).await.unwrap();
    assert_eq!(
        s.schema_versions().await.unwrap(),
        SqlStore::known_schema_versions(Backend::Sqlite)
    );
    let get = |id: &'static str| {
        let s = &s;
        async move { s.get_message(&id.into()).await.unwrap().unwrap().body }
    };
    assert_eq!(
        get("wamid.o").await,
        json!({"type": "text", "text": {"body": "hi", "preview_url": false}, "automated": true})
    );
    let tpl: OutboundMessage = serde_json::from_value(get("wamid.z").await).unwrap();
    let OutboundMessage::Template(t) = tpl else {
        panic!("template expected")
    };
    assert_eq!(
        (t.name.as_str(), t.language.as_str()),
        ("order_update", "en_US")
    );
    assert_eq!(t.body_param_count(), 3);
    assert_eq!(
        get("wamid.i").await,
        json!({"from": "81", "type": "text", "text": {"body": "yo"}, "content": 1}),
        "inbound bodies untouched"
    );
    let item = s.get_item("ob1").await.unwrap().unwrap();
    let m: OutboundMessage = serde_json::from_value(item.payload["message"].clone()).unwrap();
    assert_eq!(m.type_name(), "interactive");
    assert_eq!(item.payload["message"]["interactive"]["type"], "button");

    // Compressed documents stay compressed.
    let pool = raw(&url).await;
    let doc: String = sqlx::query("SELECT doc FROM messages WHERE id = 'wamid.z'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    assert!(doc.starts_with("zstd:"));
    let marker: String = sqlx::query("SELECT value FROM wacrm_meta WHERE key = 'wire_form_bodies'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(marker, "done");
    pool.close().await;

    // New writes use the same shape; a template round-trips.
    let t = Template::new("hello", "en").body(vec![TemplateParam::text("x")]);
    let v = serde_json::to_value(OutboundMessage::Template(t)).unwrap();
    assert_eq!(v["template"]["language"], json!({"code": "en"}));
}
