//! Status webhooks in batches: one transaction reads every message the batch
//! names (locked on PostgreSQL, in id order so two batches never deadlock),
//! applies the statuses in order with the same rule as one at a time, writes
//! the changed messages in one statement and the statuses of unknown
//! messages as pending in another.

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

impl SqlStore {
    pub(super) async fn apply_status_batch(
        &self,
        batch: &[StatusUpdate],
    ) -> StoreResult<Vec<AppliedStatus>> {
        let mut ids: Vec<&str> = batch.iter().map(|s| s.message_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let mut found: HashMap<String, MessageRecord> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, doc FROM messages WHERE id IN ({}) ORDER BY id{}",
                placeholders(1, chunk.len()),
                self.lock_clause()
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.to_string());
            }
            let rows = q.fetch_all(&mut *tx).await.map_err(backend_err)?;
            for m in dec_rows::<MessageRecord>(&rows, "messages")? {
                found.insert(m.id.0.clone(), m);
            }
        }
        let mut out = Vec::with_capacity(batch.len());
        let mut dirty: Vec<String> = Vec::new();
        let mut pending: Vec<&StatusUpdate> = Vec::new();
        let mut pending_keys: HashSet<(&str, &str)> = HashSet::new();
        for s in batch {
            match found.get_mut(s.message_id.as_str()) {
                Some(m) => {
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
                    });
                }
                None => {
                    // Decided below, once the database says which were new.
                    pending_keys.insert((s.message_id.as_str(), s.status.as_str()));
                    pending.push(s);
                    out.push(AppliedStatus {
                        outcome: StatusApplied::Pending,
                        contact_id: None,
                    });
                }
            }
        }
        dirty.sort_unstable();
        dirty.dedup();
        let changed: Vec<&MessageRecord> = dirty.iter().filter_map(|id| found.get(id)).collect();
        self.upsert_rows(&mut tx, &changed).await?;
        let inserted = self.insert_pending(&mut tx, &pending).await?;
        tx.commit().await.map_err(backend_err)?;
        // A pending status the table already held, or one repeated in this
        // batch, is a duplicate: the first occurrence alone is `Pending`.
        let mut first_seen: HashSet<(&str, &str)> = HashSet::new();
        for (s, a) in batch.iter().zip(out.iter_mut()) {
            let key = (s.message_id.as_str(), s.status.as_str());
            if a.outcome != StatusApplied::Pending || !pending_keys.contains(&key) {
                continue;
            }
            let new = inserted.contains(&(key.0.to_string(), key.1.to_string()));
            if !new || !first_seen.insert(key) {
                a.outcome =
                    StatusApplied::Ignored(format!("duplicate pending {}", s.status.as_str()));
            }
        }
        Ok(out)
    }

    /// Insert pending statuses (a repeat of a stored one is skipped); the
    /// `(message_id, status)` keys that were new.
    async fn insert_pending(
        &self,
        conn: &mut sqlx::AnyConnection,
        pending: &[&StatusUpdate],
    ) -> StoreResult<HashSet<(String, String)>> {
        let mut seen: HashSet<(&str, &str)> = HashSet::new();
        let unique: Vec<&StatusUpdate> = pending
            .iter()
            .copied()
            .filter(|s| seen.insert((s.message_id.as_str(), s.status.as_str())))
            .collect();
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
