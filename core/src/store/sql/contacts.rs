//! `ContactStore` over SQL.

use super::row::OnConflict;
use super::*;

impl SqlStore {
    async fn upsert_tx<'c>(
        &self,
        tx: &mut sqlx::Transaction<'c, sqlx::Any>,
        c: &Contact,
        expected: Option<u64>,
    ) -> StoreResult<Contact> {
        let sql = format!(
            "SELECT id, doc FROM contacts WHERE id = $1{}",
            self.lock_clause()
        );
        let row = sqlx::query(&sql)
            .bind(c.id.0.clone())
            .fetch_optional(&mut **tx)
            .await
            .map_err(backend_err)?;
        let existing: Option<Contact> = row
            .map(|r| dec(&r, &format!("contacts/{}", c.id)))
            .transpose()?;
        let found = existing.as_ref().map(|x| x.version).unwrap_or(0);
        if let Some(exp) = expected
            && exp != found
        {
            return Err(StoreError::Conflict {
                expected: exp,
                found,
            });
        }
        let mut stored = c.clone();
        stored.version = found + 1;
        let now = now_ms();
        stored.created_at = existing
            .map(|e| e.created_at)
            .unwrap_or(if c.created_at == 0 { now } else { c.created_at });
        stored.updated_at = now;
        self.insert_row(tx, &stored, OnConflict::Replace).await?;
        Ok(stored)
    }
}

#[async_trait]
impl ContactStore for SqlStore {
    async fn get(&self, id: &ContactId) -> StoreResult<Option<Contact>> {
        self.one(
            "SELECT id, doc FROM contacts WHERE id = $1",
            id.as_str(),
            &format!("contacts/{id}"),
        )
        .await
    }

    async fn find_by_wa_id(&self, wa_id: &str) -> StoreResult<Option<Contact>> {
        self.one(
            "SELECT id, doc FROM contacts WHERE wa_id = $1 ORDER BY id LIMIT 1",
            wa_id,
            "contacts",
        )
        .await
    }

    async fn find_by_e164(&self, e164: &str) -> StoreResult<Option<Contact>> {
        self.one(
            "SELECT id, doc FROM contacts WHERE e164 = $1 ORDER BY id LIMIT 1",
            e164,
            "contacts",
        )
        .await
    }

    async fn find_by_bsuid(&self, bsuid: &str) -> StoreResult<Option<Contact>> {
        self.one(
            "SELECT id, doc FROM contacts WHERE bsuid = $1 ORDER BY id LIMIT 1",
            bsuid,
            "contacts",
        )
        .await
    }

    async fn upsert(&self, c: &Contact, expected_version: Option<u64>) -> StoreResult<Contact> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let out = self.upsert_tx(&mut tx, c, expected_version).await?;
        tx.commit().await.map_err(backend_err)?;
        Ok(out)
    }

    async fn upsert_many(&self, cs: &[Contact]) -> StoreResult<Vec<Contact>> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let mut out = Vec::with_capacity(cs.len());
        for c in cs {
            out.push(self.upsert_tx(&mut tx, c, None).await?);
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(out)
    }

    async fn list(&self, f: &ContactFilter, page: &PageRequest) -> StoreResult<Page<Contact>> {
        // Filters run over the documents in id order, a batch at a time.
        let limit = page.limit.max(1);
        let mut after = page.after.clone().unwrap_or_default();
        let mut items: Vec<Contact> = Vec::new();
        loop {
            let rows =
                sqlx::query("SELECT id, doc FROM contacts WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after.clone())
                    .bind(500i64)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend_err)?;
            let batch: Vec<Contact> = dec_rows(&rows, "contacts")?;
            let exhausted = batch.len() < 500;
            for c in batch {
                after = c.id.0.clone();
                if !f.matches(&c) {
                    continue;
                }
                if items.len() == limit {
                    let next = items.last().map(|x| x.id.0.clone());
                    return Ok(Page { items, next });
                }
                items.push(c);
            }
            if exhausted {
                return Ok(Page { items, next: None });
            }
        }
    }

    async fn merge(&self, survivor: &ContactId, absorbed: &ContactId) -> StoreResult<Contact> {
        if survivor == absorbed {
            return Err(StoreError::Duplicate(
                "cannot merge a contact into itself".into(),
            ));
        }
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let sql = format!(
            "SELECT id, doc FROM contacts WHERE id = $1{}",
            self.lock_clause()
        );
        let mut load = async |id: &ContactId| -> StoreResult<Contact> {
            let row = sqlx::query(&sql)
                .bind(id.0.clone())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend_err)?;
            row.map(|r| dec(&r, &format!("contacts/{id}")))
                .transpose()?
                .ok_or_else(|| StoreError::NotFound(id.0.clone()))
        };
        let s = load(survivor).await?;
        let a = load(absorbed).await?;
        let merged = merged_contact(&s, &a, now_ms());
        // Re-point conversations and messages, document and key column alike.
        let convs = sqlx::query(&format!(
            "SELECT id, doc FROM conversations WHERE contact_id = $1{}",
            self.lock_clause()
        ))
        .bind(absorbed.0.clone())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        for mut c in dec_rows::<Conversation>(&convs, "conversations")? {
            c.contact_id = survivor.clone();
            self.update_row(&mut tx, &c).await?;
        }
        let msgs = sqlx::query(&format!(
            "SELECT id, doc FROM messages WHERE contact_id = $1{}",
            self.lock_clause()
        ))
        .bind(absorbed.0.clone())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        for mut m in dec_rows::<MessageRecord>(&msgs, "messages")? {
            m.contact_id = Some(survivor.clone());
            self.update_row(&mut tx, &m).await?;
        }
        sqlx::query("DELETE FROM contacts WHERE id = $1")
            .bind(absorbed.0.clone())
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?;
        self.insert_row(&mut tx, &merged, OnConflict::Replace)
            .await?;
        tx.commit().await.map_err(backend_err)?;
        Ok(merged)
    }

    async fn delete(&self, id: &ContactId) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM contacts WHERE id = $1")
            .bind(id.0.clone())
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(r.rows_affected() > 0)
    }
}
