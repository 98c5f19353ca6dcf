//! `ContactStore` over SQL.

use super::row::OnConflict;
use super::*;
use crate::store::StoredContact;

/// Decode contact rows through [`StoredContact`], so a legacy identifier
/// that no longer validates is kept as an attribute instead of failing the read.
fn contacts(rows: &[AnyRow]) -> StoreResult<Vec<Contact>> {
    Ok(dec_rows::<StoredContact>(rows, "contacts")?
        .into_iter()
        .map(|s| s.0)
        .collect())
}

fn contact(row: &AnyRow, key: &str) -> StoreResult<Contact> {
    dec::<StoredContact>(row, key).map(|s| s.0)
}

/// Keys bound per `IN (...)` query: well under SQLite's and PostgreSQL's
/// parameter limits, and few queries for an import's batch.
const IN_CHUNK: usize = 500;

/// `$1, $2, ..., $n`.
fn in_list(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl SqlStore {
    async fn one_contact(&self, sql: &str, arg: &str, key: &str) -> StoreResult<Option<Contact>> {
        Ok(self.one::<StoredContact>(sql, arg, key).await?.map(|s| s.0))
    }

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
            .map(|r| contact(&r, &format!("contacts/{}", c.id)))
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
        self.one_contact(
            "SELECT id, doc FROM contacts WHERE id = $1",
            id.as_str(),
            &format!("contacts/{id}"),
        )
        .await
    }

    async fn find_by_wa_id(&self, wa_id: &str) -> StoreResult<Option<Contact>> {
        self.one_contact(
            "SELECT id, doc FROM contacts WHERE wa_id = $1 ORDER BY id LIMIT 1",
            wa_id,
            "contacts",
        )
        .await
    }

    async fn find_by_e164(&self, e164: &str) -> StoreResult<Option<Contact>> {
        self.one_contact(
            "SELECT id, doc FROM contacts WHERE e164 = $1 ORDER BY id LIMIT 1",
            e164,
            "contacts",
        )
        .await
    }

    async fn find_by_bsuid(&self, bsuid: &str) -> StoreResult<Option<Contact>> {
        self.one_contact(
            "SELECT id, doc FROM contacts WHERE bsuid = $1 ORDER BY id LIMIT 1",
            bsuid,
            "contacts",
        )
        .await
    }

    async fn get_many(&self, ids: &[ContactId]) -> StoreResult<Vec<Contact>> {
        let mut out = Vec::with_capacity(ids.len());
        for part in ids.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT id, doc FROM contacts WHERE id IN ({})",
                in_list(part.len())
            );
            let mut q = sqlx::query(&sql);
            for id in part {
                q = q.bind(id.0.clone());
            }
            let rows = q.fetch_all(&self.pool).await.map_err(backend_err)?;
            out.extend(contacts(&rows)?);
        }
        Ok(out)
    }

    async fn find_many_by_e164(&self, e164s: &[String]) -> StoreResult<Vec<Contact>> {
        let mut wanted: Vec<&str> = e164s.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut out = Vec::new();
        for part in wanted.chunks(IN_CHUNK) {
            // In id order, so the first holder of a number is the one
            // `find_by_e164` returns.
            let sql = format!(
                "SELECT id, doc FROM contacts WHERE e164 IN ({}) ORDER BY id",
                in_list(part.len())
            );
            let mut q = sqlx::query(&sql);
            for e in part {
                q = q.bind(e.to_string());
            }
            let rows = q.fetch_all(&self.pool).await.map_err(backend_err)?;
            let mut seen = std::collections::HashSet::new();
            for c in contacts(&rows)? {
                if c.e164.as_ref().is_some_and(|e| seen.insert(e.clone())) {
                    out.push(c);
                }
            }
        }
        Ok(out)
    }

    async fn upsert(&self, c: &Contact, expected_version: Option<u64>) -> StoreResult<Contact> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let out = self.upsert_tx(&mut tx, c, expected_version).await?;
        tx.commit().await.map_err(backend_err)?;
        Ok(out)
    }

    async fn upsert_many(&self, cs: &[Contact]) -> StoreResult<Vec<Contact>> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        // The stored versions and creation times of the lot, a few queries
        // in all (one query per contact was most of an import's time).
        let mut stored: std::collections::HashMap<String, (u64, Millis)> = Default::default();
        for part in cs.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT id, doc FROM contacts WHERE id IN ({}){}",
                in_list(part.len()),
                self.lock_clause()
            );
            let mut q = sqlx::query(&sql);
            for c in part {
                q = q.bind(c.id.0.clone());
            }
            let rows = q.fetch_all(&mut *tx).await.map_err(backend_err)?;
            for e in contacts(&rows)? {
                stored.insert(e.id.0, (e.version, e.created_at));
            }
        }
        let now = now_ms();
        let mut out = Vec::with_capacity(cs.len());
        for c in cs {
            let mut s = c.clone();
            let (found, created) = stored.get(c.id.as_str()).copied().unwrap_or((0, 0));
            s.version = found + 1;
            s.created_at = match (found, c.created_at) {
                (0, 0) => now,
                (0, given) => given,
                _ => created,
            };
            s.updated_at = now;
            self.insert_row(&mut tx, &s, OnConflict::Replace).await?;
            // A later copy of the same id in `cs` follows this one.
            stored.insert(s.id.0.clone(), (s.version, s.created_at));
            out.push(s);
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
            let batch = contacts(&rows)?;
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
            row.map(|r| contact(&r, &format!("contacts/{id}")))
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
