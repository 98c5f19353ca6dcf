//! `OutboxStore` over SQL: claims with `FOR UPDATE SKIP LOCKED` on PostgreSQL.

use super::*;

fn lease_until(s: &OutboxState) -> Option<Millis> {
    match s {
        OutboxState::Leased { until, .. } => Some(*until),
        _ => None,
    }
}

async fn write_item<'c>(
    tx: &mut sqlx::Transaction<'c, sqlx::Any>,
    i: &OutboxItem,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE outbox SET state = $1, not_before = $2, lease_until = $3, doc = $4 WHERE id = $5",
    )
    .bind(i.state.name())
    .bind(i.not_before)
    .bind(lease_until(&i.state))
    .bind(enc(i)?)
    .bind(i.id.clone())
    .execute(&mut **tx)
    .await
    .map_err(backend_err)?;
    Ok(())
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
            "SELECT id, doc FROM outbox WHERE id = $1{}",
            self.lock_clause()
        ))
        .bind(lease.item_id.clone())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_err)?
        .ok_or_else(|| StoreError::NotFound(lease.item_id.clone()))?;
        let mut item: OutboxItem = dec(&row, &format!("outbox/{}", lease.item_id))?;
        check_lease(&item, lease)?;
        f(&mut item);
        write_item(&mut tx, &item).await?;
        tx.commit().await.map_err(backend_err)?;
        Ok(())
    }
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<Enqueued> {
        let r = sqlx::query(
            "INSERT INTO outbox (id, idem_key, state, lane, not_before, created_at, lease_until, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (idem_key) DO NOTHING",
        )
        .bind(item.id.clone())
        .bind(item.idempotency_key.0.clone())
        .bind(item.state.name())
        .bind(item.lane as i32)
        .bind(item.not_before)
        .bind(item.created_at)
        .bind(lease_until(&item.state))
        .bind(enc(item)?)
        .execute(&self.pool)
        .await;
        match r {
            Ok(r) if r.rows_affected() == 0 => Ok(Enqueued::Duplicate),
            Ok(_) => Ok(Enqueued::New),
            Err(e) if e.to_string().to_lowercase().contains("unique") => {
                Err(StoreError::Duplicate(format!("outbox item id {}", item.id)))
            }
            Err(e) => Err(backend_err(e)),
        }
    }

    async fn claim(
        &self,
        worker: &str,
        now: Millis,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LeasedItem>> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let lock = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "SELECT id, doc FROM outbox WHERE (state IN ('queued', 'retry_later', 'deferred') AND not_before <= $1) \
             OR (state = 'leased' AND lease_until <= $2) ORDER BY lane, not_before, created_at, id LIMIT $3{lock}"
        );
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(now)
            .bind(limit as i64)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend_err)?;
        let until = now + lease_ms;
        let mut out = Vec::with_capacity(rows.len());
        for mut item in dec_rows::<OutboxItem>(&rows, "outbox")? {
            item.state = OutboxState::Leased {
                worker: worker.to_string(),
                until,
            };
            item.attempts += 1;
            item.updated_at = now;
            write_item(&mut tx, &item).await?;
            out.push(LeasedItem {
                lease: LeaseToken {
                    item_id: item.id.clone(),
                    worker: worker.to_string(),
                    until,
                },
                item,
            });
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(out)
    }

    async fn complete(
        &self,
        lease: &LeaseToken,
        message_id: &MessageId,
        now: Millis,
    ) -> StoreResult<()> {
        self.with_lease(lease, |i| {
            i.state = OutboxState::Sent {
                message_id: message_id.clone(),
            };
            i.updated_at = now;
        })
        .await
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
            "SELECT id, doc FROM outbox WHERE state = 'leased' AND lease_until <= $1{}",
            match self.backend {
                Backend::Sqlite => "",
                Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            }
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        let items: Vec<OutboxItem> = dec_rows(&rows, "outbox")?;
        for mut i in items.iter().cloned() {
            i.state = OutboxState::Queued;
            i.history.push("lease expired: released".into());
            write_item(&mut tx, &i).await?;
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(items.len() as u64)
    }

    async fn get_item(&self, id: &str) -> StoreResult<Option<OutboxItem>> {
        self.one("SELECT id, doc FROM outbox WHERE id = $1", id, "outbox")
            .await
    }

    async fn get_by_key(&self, key: &IdempotencyKey) -> StoreResult<Option<OutboxItem>> {
        self.one(
            "SELECT id, doc FROM outbox WHERE idem_key = $1",
            key.as_str(),
            "outbox",
        )
        .await
    }

    async fn list_by_state(
        &self,
        state: OutboxStateKind,
        limit: usize,
    ) -> StoreResult<Vec<OutboxItem>> {
        let rows = sqlx::query(
            "SELECT id, doc FROM outbox WHERE state = $1 ORDER BY created_at, id LIMIT $2",
        )
        .bind(state.as_str())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_err)?;
        dec_rows(&rows, "outbox")
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
            match state.as_str() {
                "queued" => s.queued = n,
                "leased" => s.leased = n,
                "sent" => s.sent = n,
                "deferred" => s.deferred = n,
                "retry_later" => s.retry_later = n,
                "parked" => s.parked = n,
                other => {
                    return Err(StoreError::Corrupt {
                        key: "outbox.state".into(),
                        message: format!("unknown state {other}"),
                    });
                }
            }
        }
        Ok(s)
    }
}
