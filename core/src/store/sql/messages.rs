//! `MessageStore` over SQL.

use super::row::OnConflict;
use super::*;

impl SqlStore {
    /// Message documents, compressed when the store was opened with `wacrm_compress=zstd`.
    pub(super) fn enc_msg(&self, m: &MessageRecord) -> StoreResult<String> {
        let doc = enc(m)?;
        if self.compress {
            compress_doc(doc)
        } else {
            Ok(doc)
        }
    }

    async fn insert_message<'c>(
        &self,
        tx: &mut sqlx::Transaction<'c, sqlx::Any>,
        m: &MessageRecord,
    ) -> StoreResult<Recorded> {
        Ok(if self.insert_row(tx, m, OnConflict::Ignore).await? == 0 {
            Recorded::Duplicate
        } else {
            Recorded::New
        })
    }
}

#[async_trait]
impl MessageStore for SqlStore {
    async fn record_inbound(&self, m: &MessageRecord) -> StoreResult<Recorded> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let r = self.insert_message(&mut tx, m).await?;
        tx.commit().await.map_err(backend_err)?;
        Ok(r)
    }

    async fn record_outbound(&self, m: &MessageRecord) -> StoreResult<Recorded> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let pending_rows = sqlx::query(&format!(
            "SELECT message_id, doc FROM pending_statuses WHERE message_id = $1{}",
            self.lock_clause()
        ))
        .bind(m.id.0.clone())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        let mut pending: Vec<StatusUpdate> = dec_rows(&pending_rows, "pending_statuses")?;
        pending.sort_by_key(|s| s.at);
        let mut rec = m.clone();
        for s in &pending {
            apply_status_to(&mut rec, s);
        }
        let r = self.insert_message(&mut tx, &rec).await?;
        if r == Recorded::New {
            sqlx::query("DELETE FROM pending_statuses WHERE message_id = $1")
                .bind(m.id.0.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(r)
    }

    async fn apply_status(&self, s: &StatusUpdate) -> StoreResult<StatusApplied> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let row = sqlx::query(&format!(
            "SELECT id, doc FROM messages WHERE id = $1{}",
            self.lock_clause()
        ))
        .bind(s.message_id.0.clone())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_err)?;
        let out = match row {
            Some(r) => {
                let mut m: MessageRecord = dec(&r, &format!("messages/{}", s.message_id))?;
                let applied = apply_status_to(&mut m, s);
                self.update_row(&mut tx, &m).await?;
                applied
            }
            None => {
                let r = sqlx::query(
                    "INSERT INTO pending_statuses (message_id, status, at, doc) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(s.message_id.0.clone())
                .bind(s.status.as_str())
                .bind(s.at)
                .bind(enc(s)?)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
                if r.rows_affected() == 0 {
                    StatusApplied::Ignored(format!("duplicate pending {}", s.status.as_str()))
                } else {
                    StatusApplied::Pending
                }
            }
        };
        tx.commit().await.map_err(backend_err)?;
        Ok(out)
    }

    async fn apply_statuses(&self, batch: &[StatusUpdate]) -> StoreResult<Vec<AppliedStatus>> {
        self.apply_status_batch(batch).await
    }

    async fn get_message(&self, id: &MessageId) -> StoreResult<Option<MessageRecord>> {
        self.one(
            "SELECT id, doc FROM messages WHERE id = $1",
            id.as_str(),
            "messages",
        )
        .await
    }

    async fn list_for_conversation(&self, c: &ConversationId) -> StoreResult<Vec<MessageRecord>> {
        self.many(
            "SELECT id, doc FROM messages WHERE conversation_id = $1 ORDER BY created_at, id",
            c.as_str(),
            "messages",
        )
        .await
    }

    async fn list_for_contact(&self, c: &ContactId) -> StoreResult<Vec<MessageRecord>> {
        self.many(
            "SELECT id, doc FROM messages WHERE contact_id = $1 ORDER BY created_at, id",
            c.as_str(),
            "messages",
        )
        .await
    }

    async fn pending_statuses(&self) -> StoreResult<Vec<StatusUpdate>> {
        let rows = sqlx::query("SELECT message_id, doc FROM pending_statuses ORDER BY message_id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        dec_rows(&rows, "pending_statuses")
    }

    async fn list_between(
        &self,
        from: Millis,
        to: Millis,
        page: &PageRequest,
    ) -> StoreResult<Page<MessageRecord>> {
        let limit = page.limit.max(1);
        // Keyset paging on (created_at, id): the created_at index serves it.
        let (after_t, after_id) = match &page.after {
            Some(c) => crate::store::logic::parse_time_cursor(c)?,
            None => (Millis::MIN, String::new()),
        };
        let rows = sqlx::query(
            "SELECT id, doc FROM messages WHERE created_at >= $1 AND created_at < $2 \
             AND (created_at > $3 OR (created_at = $3 AND id > $4)) \
             ORDER BY created_at, id LIMIT $5",
        )
        .bind(from)
        .bind(to)
        .bind(after_t)
        .bind(after_id)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_err)?;
        let items: Vec<MessageRecord> = dec_rows(&rows, "messages")?;
        let next = (items.len() == limit)
            .then(|| {
                items
                    .last()
                    .map(|m| crate::store::logic::time_cursor(m.created_at, m.id.as_str()))
            })
            .flatten();
        Ok(Page { items, next })
    }

    async fn purge_bodies_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let rows = sqlx::query(&format!(
            "SELECT id, doc FROM messages WHERE created_at < $1{}",
            self.lock_clause()
        ))
        .bind(cutoff)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        let mut n = 0;
        for mut m in dec_rows::<MessageRecord>(&rows, "messages")? {
            if m.body.is_null() {
                continue;
            }
            m.body = serde_json::Value::Null;
            self.update_row(&mut tx, &m).await?;
            n += 1;
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(n)
    }

    async fn expire_pending_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM pending_statuses WHERE at < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(r.rows_affected())
    }
}
