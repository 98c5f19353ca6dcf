//! The PostgreSQL forms of the outbox's batch writes: a whole chunk of
//! items or completions travels as one JSON array parameter and the server
//! unpacks it (`json_to_recordset`). One parameter instead of a dozen per row
//! keeps the statement text, and so its prepared plan, the same for every
//! chunk and spares the driver thousands of binds per statement.

use std::collections::HashSet;

use super::outbox::{lease_of, message_id_of};
use super::*;

/// One new item as the INSERT unpacks it (short keys: the array is parsed per chunk).
#[derive(Serialize)]
struct NewRow<'a> {
    id: &'a str,
    k: &'a str,
    s: &'static str,
    l: i32,
    nb: Millis,
    c: Millis,
    lu: Option<Millis>,
    lw: Option<String>,
    a: i64,
    u: Millis,
    m: Option<String>,
    d: String,
}

/// One completion: the lease to check and the message id to record.
#[derive(Serialize)]
struct DoneRow<'a> {
    i: &'a str,
    w: &'a str,
    u: Millis,
    m: &'a str,
}

impl SqlStore {
    /// Insert a chunk of items; the ids actually stored (a taken key stores nothing).
    pub(super) async fn insert_chunk_json(
        &self,
        items: &[OutboxItem],
    ) -> Result<HashSet<String>, sqlx::Error> {
        let rows = items
            .iter()
            .map(|item| {
                let (lu, lw) = lease_of(&item.state);
                Ok(NewRow {
                    id: &item.id,
                    k: item.idempotency_key.as_str(),
                    s: item.state.name(),
                    l: item.lane as i32,
                    nb: item.not_before,
                    c: item.created_at,
                    lu,
                    lw,
                    a: i64::from(item.attempts),
                    u: item.updated_at,
                    m: message_id_of(&item.state),
                    d: enc(item)?,
                })
            })
            .collect::<StoreResult<Vec<NewRow>>>()
            .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        let rows =
            serde_json::to_string(&rows).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        let stored = sqlx::query(
            "INSERT INTO outbox (id, idem_key, state, lane, not_before, created_at, lease_until, \
             lease_worker, attempts, updated_at, message_id, doc) \
             SELECT id, k, s, l, nb, c, lu, lw, a, u, m, d FROM json_to_recordset(CAST($1 AS JSON)) \
             AS x(id TEXT, k TEXT, s TEXT, l INTEGER, nb BIGINT, c BIGINT, lu BIGINT, lw TEXT, \
             a BIGINT, u BIGINT, m TEXT, d TEXT) \
             ON CONFLICT (idem_key) DO NOTHING RETURNING id",
        )
        .bind(rows)
        .fetch_all(&self.pool)
        .await?;
        stored.iter().map(|r| r.try_get::<String, _>(0)).collect()
    }

    /// Mark sent where each lease still holds (the lease check as a join); the ids changed.
    pub(super) async fn complete_chunk_json(
        &self,
        done: &[(LeaseToken, MessageId)],
        now: Millis,
    ) -> StoreResult<HashSet<String>> {
        let rows: Vec<DoneRow> = done
            .iter()
            .map(|(lease, mid)| DoneRow {
                i: &lease.item_id,
                w: &lease.worker,
                u: lease.until,
                m: mid.as_str(),
            })
            .collect();
        let rows = serde_json::to_string(&rows).map_err(|e| StoreError::Corrupt {
            key: "outbox.complete".into(),
            message: e.to_string(),
        })?;
        let changed = sqlx::query(
            "UPDATE outbox SET state = 'sent', message_id = v.m, updated_at = $1, \
             lease_until = NULL, lease_worker = NULL \
             FROM json_to_recordset(CAST($2 AS JSON)) AS v(i TEXT, w TEXT, u BIGINT, m TEXT) \
             WHERE outbox.id = v.i AND outbox.state = 'leased' \
             AND outbox.lease_worker = v.w AND outbox.lease_until = v.u RETURNING outbox.id",
        )
        .bind(now)
        .bind(rows)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_err)?;
        changed
            .iter()
            .map(|r| r.try_get::<String, _>(0).map_err(backend_err))
            .collect()
    }
}
