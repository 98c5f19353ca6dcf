//! The data half of migration 0004: outbound message bodies and outbox
//! messages written in the earlier `{"type", "content"}` shape are rewritten
//! in Meta's wire form. It runs on open while `wacrm_meta.wire_form_bodies` is
//! `pending`, batch by batch; rows already in the wire form are left as they
//! are, so an interrupted run simply continues on the next open.

use super::codec::expand_doc;
use super::*;
use crate::client::legacy_body_to_wire;

const MARKER: &str = "wire_form_bodies";
const BATCH: i64 = 500;

/// Rewrite one stored document if it holds a message in the earlier shape.
fn rewrite(table: &str, doc: &mut serde_json::Value) -> bool {
    let body = match table {
        // Inbound bodies are Meta's own JSON already.
        "messages" if doc.get("direction").and_then(|d| d.as_str()) == Some("outbound") => {
            doc.get_mut("body")
        }
        "outbox" => doc.get_mut("payload").and_then(|p| p.get_mut("message")),
        _ => None,
    };
    let Some(body) = body else { return false };
    match legacy_body_to_wire(body) {
        Some(wire) => {
            *body = wire;
            true
        }
        None => false,
    }
}

impl SqlStore {
    pub(super) async fn rewrite_legacy_bodies(&self) -> StoreResult<()> {
        let pending = sqlx::query("SELECT value FROM wacrm_meta WHERE key = $1")
            .bind(MARKER)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_err)?
            .and_then(|r| r.try_get::<String, _>(0).ok())
            .is_some_and(|v| v == "pending");
        if !pending {
            return Ok(());
        }
        for table in ["messages", "outbox"] {
            self.rewrite_table(table).await?;
        }
        sqlx::query("UPDATE wacrm_meta SET value = 'done' WHERE key = $1")
            .bind(MARKER)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn rewrite_table(&self, table: &str) -> StoreResult<()> {
        let mut after = String::new();
        loop {
            let mut tx = self.pool.begin().await.map_err(backend_err)?;
            let rows = sqlx::query(&format!(
                "SELECT id, doc FROM {table} WHERE id > $1 ORDER BY id LIMIT {BATCH}{}",
                self.lock_clause()
            ))
            .bind(after.clone())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend_err)?;
            let Some(last) = rows.last() else { break };
            after = last.try_get(0).map_err(backend_err)?;
            for r in &rows {
                let id: String = r.try_get(0).map_err(backend_err)?;
                let stored: String = r.try_get(1).map_err(backend_err)?;
                let key = format!("{table}/{id}");
                let mut doc: serde_json::Value = serde_json::from_str(&expand_doc(&stored, &key)?)
                    .map_err(|e| StoreError::Corrupt {
                        key: key.clone(),
                        message: e.to_string(),
                    })?;
                if !rewrite(table, &mut doc) {
                    continue;
                }
                // Keep each document's encoding: compressed stays compressed.
                let mut out = enc(&doc)?;
                if stored.starts_with(codec::ZSTD_PREFIX) {
                    out = compress_doc(out)?;
                }
                sqlx::query(&format!("UPDATE {table} SET doc = $1 WHERE id = $2"))
                    .bind(out)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)?;
        }
        Ok(())
    }
}
