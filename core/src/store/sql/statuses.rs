//! Status webhooks in batches. Every message the batch names is read in one
//! statement (with which ids its contact has), the statuses are applied in
//! order with the same rule as one at a time, and the changed messages and
//! the statuses of unknown messages (kept pending) are written.
//!
//! On PostgreSQL the read takes no lock and the write is conditioned on each
//! row's version (`statuses_pg.rs`). On SQLite (one connection) and in that
//! path's fallback, one transaction reads the messages locked, in id order
//! so two batches never deadlock, and writes them.

use std::collections::{HashMap, HashSet};

use super::*;

/// Ids per `IN (...)` list and rows per multi-row statement: far below both
/// backends' parameter limits.
const CHUNK: usize = 200;

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns every batch read selects besides `id` and `doc`: what the
/// message's contact has (0/1, portable to both backends).
const CONTACT_HAS: &str = "CAST(CASE WHEN c.id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS c_exists, \
     CAST(CASE WHEN c.wa_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS c_wa_id, \
     CAST(CASE WHEN c.bsuid IS NULL THEN 0 ELSE 1 END AS BIGINT) AS c_bsuid";

fn contact_has(row: &AnyRow) -> StoreResult<ContactHas> {
    let flag = |name: &str| -> StoreResult<bool> {
        Ok(row.try_get::<i64, _>(name).map_err(backend_err)? != 0)
    };
    Ok(ContactHas {
        exists: flag("c_exists")?,
        wa_id: flag("c_wa_id")?,
        bsuid: flag("c_bsuid")?,
    })
}

/// A message read for a batch.
pub(super) struct Read {
    pub(super) rec: MessageRecord,
    /// Row version (`xmin` on PostgreSQL; empty when read locked).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(super) ver: String,
    pub(super) has: ContactHas,
}

/// The batch applied in memory to the messages read.
pub(super) struct Applied<'a> {
    pub(super) out: Vec<AppliedStatus>,
    /// Ids of the messages to write, sorted.
    pub(super) dirty: Vec<String>,
    /// Statuses of unknown messages, in batch order.
    pub(super) pending: Vec<&'a StatusUpdate>,
}

pub(super) fn apply_in_memory<'a>(
    batch: &[&'a StatusUpdate],
    found: &mut HashMap<String, Read>,
) -> Applied<'a> {
    let mut out = Vec::with_capacity(batch.len());
    let mut dirty: Vec<String> = Vec::new();
    let mut pending: Vec<&StatusUpdate> = Vec::new();
    for s in batch.iter().copied() {
        match found.get_mut(s.message_id.as_str()) {
            Some(r) => {
                let m = &mut r.rec;
                // An out-of-order status is ignored but its time is kept:
                // that too is a change to write.
                let times = m.status_times.len();
                let outcome = apply_status_to(m, s);
                let applied = outcome == StatusApplied::Applied;
                if applied || m.status_times.len() != times {
                    dirty.push(m.id.0.clone());
                }
                let contact_id = applied.then(|| m.contact_id.clone()).flatten();
                out.push(AppliedStatus {
                    outcome,
                    contact_id,
                    contact_has: applied.then_some(r.has),
                });
            }
            None => {
                // Decided once the database says which were new.
                pending.push(s);
                out.push(AppliedStatus {
                    outcome: StatusApplied::Pending,
                    contact_id: None,
                    contact_has: None,
                });
            }
        }
    }
    dirty.sort_unstable();
    dirty.dedup();
    Applied {
        out,
        dirty,
        pending,
    }
}

/// A pending status the table already held, or one seen before in this
/// batch, is a duplicate: the first occurrence alone is `Pending`.
pub(super) fn settle_pending(
    batch: &[&StatusUpdate],
    out: &mut [AppliedStatus],
    inserted: &HashSet<(String, String)>,
    first_seen: &mut HashSet<(String, String)>,
) {
    for (s, a) in batch.iter().zip(out.iter_mut()) {
        if a.outcome != StatusApplied::Pending {
            continue;
        }
        let key = (s.message_id.0.clone(), s.status.as_str().to_string());
        if !inserted.contains(&key) || !first_seen.insert(key) {
            a.outcome = StatusApplied::Ignored(format!("duplicate pending {}", s.status.as_str()));
        }
    }
}

/// Distinct `(message_id, status)` pending statuses, first occurrences.
pub(super) fn unique_pending<'a>(pending: &[&'a StatusUpdate]) -> Vec<&'a StatusUpdate> {
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    pending
        .iter()
        .copied()
        .filter(|s| seen.insert((s.message_id.as_str(), s.status.as_str())))
        .collect()
}

impl SqlStore {
    pub(super) async fn apply_status_batch(
        &self,
        batch: &[StatusUpdate],
    ) -> StoreResult<Vec<AppliedStatus>> {
        let all: Vec<&StatusUpdate> = batch.iter().collect();
        #[cfg(feature = "postgres")]
        if let Some(pg) = &self.pg {
            return self.apply_status_batch_pg(pg, &all).await;
        }
        let mut first_seen = HashSet::new();
        self.apply_status_batch_locked(&all, &mut first_seen).await
    }

    /// One transaction: read the messages locked (in id order), apply,
    /// write the changed ones and insert the pending statuses.
    pub(super) async fn apply_status_batch_locked(
        &self,
        batch: &[&StatusUpdate],
        first_seen: &mut HashSet<(String, String)>,
    ) -> StoreResult<Vec<AppliedStatus>> {
        let mut ids: Vec<&str> = batch.iter().map(|s| s.message_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let lock = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE OF m",
        };
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let mut found: HashMap<String, Read> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT m.id AS id, m.doc AS doc, {CONTACT_HAS} \
                 FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id \
                 WHERE m.id IN ({}) ORDER BY m.id{lock}",
                placeholders(1, chunk.len()),
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.to_string());
            }
            let rows = q.fetch_all(&mut *tx).await.map_err(backend_err)?;
            let recs = dec_rows::<MessageRecord>(&rows, "messages")?;
            for (row, rec) in rows.iter().zip(recs) {
                let has = contact_has(row)?;
                found.insert(
                    rec.id.0.clone(),
                    Read {
                        rec,
                        ver: String::new(),
                        has,
                    },
                );
            }
        }
        let mut applied = apply_in_memory(batch, &mut found);
        let changed: Vec<&MessageRecord> = applied
            .dirty
            .iter()
            .filter_map(|id| found.get(id).map(|r| &r.rec))
            .collect();
        self.upsert_rows(&mut tx, &changed).await?;
        let inserted = self.insert_pending(&mut tx, &applied.pending).await?;
        tx.commit().await.map_err(backend_err)?;
        settle_pending(batch, &mut applied.out, &inserted, first_seen);
        Ok(applied.out)
    }

    /// Insert pending statuses (a repeat of a stored one is skipped); the
    /// `(message_id, status)` keys that were new.
    async fn insert_pending(
        &self,
        conn: &mut sqlx::AnyConnection,
        pending: &[&StatusUpdate],
    ) -> StoreResult<HashSet<(String, String)>> {
        let unique = unique_pending(pending);
        let mut inserted = HashSet::new();
        for chunk in unique.chunks(CHUNK) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|r| format!("({})", placeholders(r * 4 + 1, 4)))
                .collect();
            let sql = format!(
                "INSERT INTO pending_statuses (message_id, status, at, doc) VALUES {} \
                 ON CONFLICT DO NOTHING RETURNING message_id, status",
                rows.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = q
                    .bind(s.message_id.0.clone())
                    .bind(s.status.as_str())
                    .bind(s.at)
                    .bind(enc(s)?);
            }
            for r in q.fetch_all(&mut *conn).await.map_err(backend_err)? {
                let id: String = r.try_get(0).map_err(backend_err)?;
                let status: String = r.try_get(1).map_err(backend_err)?;
                inserted.insert((id, status));
            }
        }
        Ok(inserted)
    }
}
