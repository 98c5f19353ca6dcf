//! `OutboxStore` over SQL. The lease, attempts, last change and message id
//! live in columns (migration 0006) so that a claim of a whole batch and a
//! batch of completions are one statement each: `FOR UPDATE SKIP LOCKED`
//! on PostgreSQL, the single writer connection on SQLite. The JSON document
//! keeps the payload, the history and the reason of a hold or park; when a
//! row is read the columns are laid over it.

use std::collections::HashSet;

use super::*;

/// Every column an item is rebuilt from.
const COLS: &str = "id, doc, state, lease_until, lease_worker, attempts, updated_at, message_id";
/// Items per multi-row INSERT on SQLite (12 parameters each: under its 32,766).
const INSERT_CHUNK: usize = 500;
/// Items per INSERT on PostgreSQL (one JSON parameter: only memory bounds it).
const PG_INSERT_CHUNK: usize = 5_000;
/// Completions per statement (4 parameters each).
const COMPLETE_CHUNK: usize = 1_000;

pub(super) fn lease_of(s: &OutboxState) -> (Option<Millis>, Option<String>) {
    match s {
        OutboxState::Leased { until, worker } => (Some(*until), Some(worker.clone())),
        _ => (None, None),
    }
}

pub(super) fn message_id_of(s: &OutboxState) -> Option<String> {
    match s {
        OutboxState::Sent { message_id } => Some(message_id.0.clone()),
        _ => None,
    }
}

/// Rebuild an item: the document, with the state columns laid over it.
fn item_of(row: &AnyRow) -> StoreResult<OutboxItem> {
    let id: String = row.try_get("id").map_err(backend_err)?;
    let mut item: OutboxItem = dec(row, &format!("outbox/{id}"))?;
    let state: String = row.try_get("state").map_err(backend_err)?;
    let attempts: i64 = row.try_get("attempts").map_err(backend_err)?;
    item.attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
    item.updated_at = row.try_get("updated_at").map_err(backend_err)?;
    let kind: OutboxStateKind = state.parse().map_err(|_| StoreError::Corrupt {
        key: format!("outbox/{id}.state"),
        message: format!("unknown state {state}"),
    })?;
    match kind {
        OutboxStateKind::Queued => item.state = OutboxState::Queued,
        OutboxStateKind::RetryLater => item.state = OutboxState::RetryLater,
        OutboxStateKind::Leased => {
            item.state = OutboxState::Leased {
                worker: row
                    .try_get::<Option<String>, _>("lease_worker")
                    .map_err(backend_err)?
                    .unwrap_or_default(),
                until: row
                    .try_get::<Option<i64>, _>("lease_until")
                    .map_err(backend_err)?
                    .unwrap_or(0),
            }
        }
        OutboxStateKind::Sent => {
            if let Some(m) = row
                .try_get::<Option<String>, _>("message_id")
                .map_err(backend_err)?
            {
                item.state = OutboxState::Sent {
                    message_id: MessageId::new(m),
                };
            }
        }
        // The reason of a hold or park is written with the document.
        OutboxStateKind::Deferred | OutboxStateKind::Parked => {}
    }
    Ok(item)
}

fn items_of(rows: &[AnyRow]) -> StoreResult<Vec<OutboxItem>> {
    rows.iter().map(item_of).collect()
}

/// Write every column and the document of an item (the rare per-item paths).
async fn write_item<'c>(
    tx: &mut sqlx::Transaction<'c, sqlx::Any>,
    i: &OutboxItem,
) -> StoreResult<()> {
    let (until, worker) = lease_of(&i.state);
    sqlx::query(
        "UPDATE outbox SET state = $1, not_before = $2, lease_until = $3, lease_worker = $4, \
         attempts = $5, updated_at = $6, message_id = $7, doc = $8 WHERE id = $9",
    )
    .bind(i.state.name())
    .bind(i.not_before)
    .bind(until)
    .bind(worker)
    .bind(i64::from(i.attempts))
    .bind(i.updated_at)
    .bind(message_id_of(&i.state))
    .bind(enc(i)?)
    .bind(i.id.clone())
    .execute(&mut **tx)
    .await
    .map_err(backend_err)?;
    Ok(())
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.to_string().to_lowercase().contains("unique")
}

impl SqlStore {
    /// Load the leased item, let `f` change it, write it back — in one transaction.
    async fn with_lease(
        &self,
        lease: &LeaseToken,
        f: impl FnOnce(&mut OutboxItem),
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let row = sqlx::query(&format!(
            "SELECT {COLS} FROM outbox WHERE id = $1{}",
            self.lock_clause()
        ))
        .bind(lease.item_id.clone())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_err)?
        .ok_or_else(|| StoreError::NotFound(lease.item_id.clone()))?;
        let mut item = item_of(&row)?;
        check_lease(&item, lease)?;
        f(&mut item);
        write_item(&mut tx, &item).await?;
        tx.commit().await.map_err(backend_err)?;
        Ok(())
    }

    /// One INSERT; the ids actually stored (a taken key stores nothing).
    async fn insert_chunk(&self, items: &[OutboxItem]) -> Result<HashSet<String>, sqlx::Error> {
        match self.backend {
            Backend::Postgres => self.insert_chunk_json(items).await,
            Backend::Sqlite => self.insert_chunk_values(items).await,
        }
    }

    /// SQLite: one multi-row INSERT (its single writer makes binds cheap).
    async fn insert_chunk_values(
        &self,
        items: &[OutboxItem],
    ) -> Result<HashSet<String>, sqlx::Error> {
        let mut sql = String::from(
            "INSERT INTO outbox (id, idem_key, state, lane, not_before, created_at, lease_until, \
             lease_worker, attempts, updated_at, message_id, doc) VALUES ",
        );
        for n in 0..items.len() {
            let b = n * 12;
            if n > 0 {
                sql.push_str(", ");
            }
            let params: Vec<String> = (1..=12).map(|k| format!("${}", b + k)).collect();
            sql.push('(');
            sql.push_str(&params.join(", "));
            sql.push(')');
        }
        sql.push_str(" ON CONFLICT (idem_key) DO NOTHING RETURNING id");
        let docs = items
            .iter()
            .map(enc)
            .collect::<StoreResult<Vec<String>>>()
            .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        let mut q = sqlx::query(&sql);
        for (item, doc) in items.iter().zip(docs) {
            let (until, worker) = lease_of(&item.state);
            q = q
                .bind(item.id.clone())
                .bind(item.idempotency_key.0.clone())
                .bind(item.state.name())
                .bind(item.lane as i32)
                .bind(item.not_before)
                .bind(item.created_at)
                .bind(until)
                .bind(worker)
                .bind(i64::from(item.attempts))
                .bind(item.updated_at)
                .bind(message_id_of(&item.state))
                .bind(doc);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
    }

    /// One UPDATE marking `done` sent where each lease still holds; the ids it changed.
    async fn complete_chunk(
        &self,
        done: &[(LeaseToken, MessageId)],
        now: Millis,
    ) -> StoreResult<HashSet<String>> {
        if self.backend == Backend::Postgres {
            return self.complete_chunk_json(done, now).await;
        }
        let mut sql = String::from("WITH v (vid, vworker, vuntil, vmid) AS (VALUES ");
        for n in 0..done.len() {
            let b = 2 + n * 4;
            if n > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${b}, ${}, CAST(${} AS BIGINT), ${})",
                b + 1,
                b + 2,
                b + 3
            ));
        }
        // The lease check of `complete` as a join: a lost lease matches no row.
        sql.push_str(
            ") UPDATE outbox SET state = 'sent', message_id = v.vmid, updated_at = $1, \
             lease_until = NULL, lease_worker = NULL FROM v \
             WHERE outbox.id = v.vid AND outbox.state = 'leased' \
             AND outbox.lease_worker = v.vworker AND outbox.lease_until = v.vuntil RETURNING id",
        );
        let mut q = sqlx::query(&sql).bind(now);
        for (lease, mid) in done {
            q = q
                .bind(lease.item_id.clone())
                .bind(lease.worker.clone())
                .bind(lease.until)
                .bind(mid.0.clone());
        }
        let rows = q.fetch_all(&self.pool).await.map_err(backend_err)?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(backend_err))
            .collect()
    }
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<Enqueued> {
        match self.insert_chunk(std::slice::from_ref(item)).await {
            Ok(ids) if ids.contains(&item.id) => Ok(Enqueued::New),
            Ok(_) => Ok(Enqueued::Duplicate),
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::Duplicate(format!("outbox item id {}", item.id)))
            }
            Err(e) => Err(backend_err(e)),
        }
    }

    async fn enqueue_many(&self, items: &[OutboxItem]) -> StoreResult<Vec<Enqueued>> {
        let mut out = Vec::with_capacity(items.len());
        let size = match self.backend {
            Backend::Postgres => PG_INSERT_CHUNK,
            Backend::Sqlite => INSERT_CHUNK,
        };
        for chunk in items.chunks(size) {
            match self.insert_chunk(chunk).await {
                Ok(mut ids) => out.extend(chunk.iter().map(|i| {
                    // The first of two items with one id is the one stored.
                    if ids.remove(&i.id) {
                        Enqueued::New
                    } else {
                        Enqueued::Duplicate
                    }
                })),
                // A reused item id fails the whole statement (nothing of it
                // is stored): one by one tells which item it was.
                Err(e) if is_unique_violation(&e) => {
                    for i in chunk {
                        out.push(self.enqueue(i).await?);
                    }
                }
                Err(e) => return Err(backend_err(e)),
            }
        }
        Ok(out)
    }

    async fn claim(
        &self,
        worker: &str,
        now: Millis,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LeasedItem>> {
        let lock = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        // Waiting items and expired leases each come from their own partial
        // index in claim order; the best `limit` of both are leased in place.
        let sql = format!(
            "WITH due AS (SELECT id, lane, not_before, created_at FROM outbox \
               WHERE state IN ('queued', 'retry_later', 'deferred') AND not_before <= $1 \
               ORDER BY lane, not_before, created_at, id LIMIT $2{lock}), \
             expired AS (SELECT id, lane, not_before, created_at FROM outbox \
               WHERE state = 'leased' AND lease_until <= $3 \
               ORDER BY lane, not_before, created_at, id LIMIT $4{lock}), \
             pick AS (SELECT id FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) AS u \
               ORDER BY lane, not_before, created_at, id LIMIT $5) \
             UPDATE outbox SET state = 'leased', lease_worker = $6, lease_until = $7, \
               attempts = attempts + 1, updated_at = $8 \
             WHERE id IN (SELECT id FROM pick) RETURNING {COLS}"
        );
        let until = now + lease_ms;
        let limit = limit as i64;
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(limit)
            .bind(now)
            .bind(limit)
            .bind(limit)
            .bind(worker.to_string())
            .bind(until)
            .bind(now)
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        let mut items = items_of(&rows)?;
        items.sort_by(claim_order);
        Ok(items
            .into_iter()
            .map(|item| LeasedItem {
                lease: LeaseToken {
                    item_id: item.id.clone(),
                    worker: worker.to_string(),
                    until,
                },
                item,
            })
            .collect())
    }

    async fn complete(
        &self,
        lease: &LeaseToken,
        message_id: &MessageId,
        now: Millis,
    ) -> StoreResult<()> {
        let done = [(lease.clone(), message_id.clone())];
        if !self.complete_chunk(&done, now).await?.is_empty() {
            return Ok(());
        }
        // Refused: say why, as the per-item check does.
        let item = self
            .get_item(&lease.item_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(lease.item_id.clone()))?;
        check_lease(&item, lease)?;
        Err(StoreError::LeaseLost(format!(
            "item {} changed while it was completed",
            lease.item_id
        )))
    }

    async fn complete_many(
        &self,
        done: &[(LeaseToken, MessageId)],
        now: Millis,
    ) -> StoreResult<Vec<bool>> {
        let mut out = Vec::with_capacity(done.len());
        for chunk in done.chunks(COMPLETE_CHUNK) {
            let mut ids = self.complete_chunk(chunk, now).await?;
            out.extend(chunk.iter().map(|(l, _)| ids.remove(&l.item_id)));
        }
        Ok(out)
    }

    async fn retry_later(
        &self,
        lease: &LeaseToken,
        at: Millis,
        error: &ErrorDetails,
    ) -> StoreResult<()> {
        self.with_lease(lease, |i| {
            i.state = OutboxState::RetryLater;
            i.not_before = at;
            i.history
                .push(format!("retry: {} {}", error.code, error.message));
            i.last_error = Some(error.clone());
        })
        .await
    }

    async fn defer(&self, lease: &LeaseToken, until: Millis, reason: &str) -> StoreResult<()> {
        self.with_lease(lease, |i| {
            i.state = OutboxState::Deferred {
                reason: reason.to_string(),
            };
            i.not_before = until;
            i.attempts = i.attempts.saturating_sub(1);
            i.history.push(format!("deferred: {reason}"));
        })
        .await
    }

    async fn park(
        &self,
        lease: &LeaseToken,
        reason: &str,
        error: Option<&ErrorDetails>,
    ) -> StoreResult<()> {
        self.with_lease(lease, |i| {
            i.state = OutboxState::Parked {
                reason: reason.to_string(),
            };
            i.history.push(format!("parked: {reason}"));
            if let Some(e) = error {
                i.last_error = Some(e.clone());
            }
        })
        .await
    }

    async fn release_expired(&self, now: Millis) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM outbox WHERE state = 'leased' AND lease_until <= $1{}",
            match self.backend {
                Backend::Sqlite => "",
                Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            }
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        let items = items_of(&rows)?;
        for mut i in items.iter().cloned() {
            i.state = OutboxState::Queued;
            i.history.push("lease expired: released".into());
            write_item(&mut tx, &i).await?;
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(items.len() as u64)
    }

    async fn get_item(&self, id: &str) -> StoreResult<Option<OutboxItem>> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM outbox WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_err)?;
        row.as_ref().map(item_of).transpose()
    }

    async fn get_by_key(&self, key: &IdempotencyKey) -> StoreResult<Option<OutboxItem>> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM outbox WHERE idem_key = $1"))
            .bind(key.as_str().to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_err)?;
        row.as_ref().map(item_of).transpose()
    }

    async fn list_by_state(
        &self,
        state: OutboxStateKind,
        limit: usize,
    ) -> StoreResult<Vec<OutboxItem>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM outbox WHERE state = $1 ORDER BY created_at, id LIMIT $2"
        ))
        .bind(state.as_str())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_err)?;
        items_of(&rows)
    }

    async fn stats(&self) -> StoreResult<OutboxStats> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        let mut s = OutboxStats::default();
        for r in rows {
            let state: String = r.try_get(0).map_err(backend_err)?;
            let n: i64 = r.try_get(1).map_err(backend_err)?;
            let n = n as u64;
            let kind: OutboxStateKind = state.parse().map_err(|_| StoreError::Corrupt {
                key: "outbox.state".into(),
                message: format!("unknown state {state}"),
            })?;
            match kind {
                OutboxStateKind::Queued => s.queued = n,
                OutboxStateKind::Leased => s.leased = n,
                OutboxStateKind::Sent => s.sent = n,
                OutboxStateKind::Deferred => s.deferred = n,
                OutboxStateKind::RetryLater => s.retry_later = n,
                OutboxStateKind::Parked => s.parked = n,
            }
        }
        Ok(s)
    }
}
