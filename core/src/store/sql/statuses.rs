//! Status webhooks in batches. Every message the batch names is read in one
//! statement (with which ids its contact has), the statuses are applied in
//! order with the same rule as one at a time, and the changed messages and
//! the statuses of unknown messages (kept pending) are written.
//!
//! On PostgreSQL the read takes no lock and the write is one statement: each
//! changed message is written only if its row version (`xmin`) is still the
//! one read, so a batch costs two round trips and no transaction; a message
//! changed in between is read and applied again (after a few such rounds the
//! rest goes through the locking path). On SQLite (one connection) and in
//! that fallback, one transaction reads the messages locked, in id order so
//! two batches never deadlock, and writes them.

use std::collections::{HashMap, HashSet};

use super::row::{Col, Keyed};
use super::*;

/// Ids per `IN (...)` list and rows per multi-row statement: far below both
/// backends' parameter limits.
const CHUNK: usize = 200;

/// Optimistic rounds on PostgreSQL before the remaining statuses are applied
/// under row locks.
const OPTIMISTIC_ROUNDS: usize = 3;

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
struct Read {
    rec: MessageRecord,
    /// Row version (`xmin` on PostgreSQL; empty when read locked).
    ver: String,
    has: ContactHas,
}

/// The batch applied in memory to the messages read.
struct Applied<'a> {
    out: Vec<AppliedStatus>,
    /// Ids of the messages to write, sorted.
    dirty: Vec<String>,
    /// Statuses of unknown messages, in batch order.
    pending: Vec<&'a StatusUpdate>,
}

fn apply_in_memory<'a>(
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
fn settle_pending(
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
fn unique_pending<'a>(pending: &[&'a StatusUpdate]) -> Vec<&'a StatusUpdate> {
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
        match self.backend {
            Backend::Postgres => self.apply_status_batch_pg(&all).await,
            Backend::Sqlite => {
                let mut first_seen = HashSet::new();
                self.apply_status_batch_locked(&all, &mut first_seen).await
            }
        }
    }

    /// PostgreSQL: read without locks, write only rows still as read, and
    /// apply again the statuses of the messages changed in between.
    async fn apply_status_batch_pg(
        &self,
        batch: &[&StatusUpdate],
    ) -> StoreResult<Vec<AppliedStatus>> {
        let mut out: Vec<Option<AppliedStatus>> = vec![None; batch.len()];
        let mut todo: Vec<usize> = (0..batch.len()).collect();
        let mut first_seen: HashSet<(String, String)> = HashSet::new();
        // One connection for the batch's statements (one acquire).
        let mut conn = self.pool.acquire().await.map_err(backend_err)?;
        for _ in 0..OPTIMISTIC_ROUNDS {
            if todo.is_empty() {
                break;
            }
            let sub: Vec<&StatusUpdate> = todo.iter().map(|&i| batch[i]).collect();
            let mut found = self.read_for_batch(&mut conn, &sub).await?;
            let mut applied = apply_in_memory(&sub, &mut found);
            let (written, inserted) = self.write_if_unchanged(&mut conn, &found, &applied).await?;
            settle_pending(&sub, &mut applied.out, &inserted, &mut first_seen);
            // A message written by someone else since it was read: its
            // statuses are applied again from the new row.
            let lost: HashSet<&str> = applied
                .dirty
                .iter()
                .map(String::as_str)
                .filter(|id| !written.contains(*id))
                .collect();
            let mut again = Vec::new();
            for ((i, s), a) in todo.iter().copied().zip(&sub).zip(applied.out) {
                if lost.contains(s.message_id.as_str()) {
                    again.push(i);
                } else {
                    out[i] = Some(a);
                }
            }
            todo = again;
        }
        drop(conn);
        if !todo.is_empty() {
            let sub: Vec<&StatusUpdate> = todo.iter().map(|&i| batch[i]).collect();
            let answers = self
                .apply_status_batch_locked(&sub, &mut first_seen)
                .await?;
            for (i, a) in todo.into_iter().zip(answers) {
                out[i] = Some(a);
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// Every message `batch` names with its row version and what its
    /// contact has, in one statement.
    async fn read_for_batch(
        &self,
        conn: &mut sqlx::AnyConnection,
        batch: &[&StatusUpdate],
    ) -> StoreResult<HashMap<String, Read>> {
        let mut ids: Vec<&str> = batch.iter().map(|s| s.message_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let sql = format!(
            "SELECT m.id AS id, m.doc AS doc, m.xmin::text AS ver, {CONTACT_HAS} \
             FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id \
             WHERE m.id = ANY(ARRAY(SELECT json_array_elements_text($1::json)))"
        );
        let rows = sqlx::query(&sql)
            .bind(enc(&ids)?)
            .fetch_all(&mut *conn)
            .await
            .map_err(backend_err)?;
        let recs = dec_rows::<MessageRecord>(&rows, "messages")?;
        let mut found = HashMap::with_capacity(recs.len());
        for (row, rec) in rows.iter().zip(recs) {
            let ver: String = row.try_get("ver").map_err(backend_err)?;
            let has = contact_has(row)?;
            found.insert(rec.id.0.clone(), Read { rec, ver, has });
        }
        Ok(found)
    }

    /// One statement: update each changed message whose row version is
    /// still the one read, and insert the pending statuses (a repeat of a
    /// stored one is skipped). The ids written and the pending keys that
    /// were new.
    async fn write_if_unchanged(
        &self,
        conn: &mut sqlx::AnyConnection,
        found: &HashMap<String, Read>,
        applied: &Applied<'_>,
    ) -> StoreResult<(HashSet<String>, HashSet<(String, String)>)> {
        let pending = unique_pending(&applied.pending);
        if applied.dirty.is_empty() && pending.is_empty() {
            return Ok(Default::default());
        }
        let mut rows = Vec::with_capacity(applied.dirty.len());
        let mut types: Vec<(&'static str, &'static str)> = Vec::new();
        for r in applied.dirty.iter().filter_map(|id| found.get(id)) {
            let mut row = serde_json::Map::new();
            row.insert("id".into(), r.rec.id.0.clone().into());
            row.insert("ver".into(), r.ver.clone().into());
            let cols = r.rec.columns();
            if types.is_empty() {
                types = cols
                    .iter()
                    .map(|(n, c)| {
                        let t = match c {
                            Col::Text(_) => "text",
                            Col::Int(_) => "bigint",
                        };
                        (*n, t)
                    })
                    .collect();
            }
            for (name, c) in cols {
                let v = match c {
                    Col::Text(t) => t.map_or(serde_json::Value::Null, Into::into),
                    Col::Int(i) => i.map_or(serde_json::Value::Null, Into::into),
                };
                row.insert(name.into(), v);
            }
            row.insert("doc".into(), r.rec.doc(self)?.into());
            rows.push(serde_json::Value::Object(row));
        }
        let mut pend = Vec::with_capacity(pending.len());
        for s in &pending {
            pend.push(serde_json::json!({
                "message_id": s.message_id.0,
                "status": s.status.as_str(),
                "at": s.at,
                "doc": enc(s)?,
            }));
        }
        // Without rows the column list is only needed to be valid.
        if types.is_empty() {
            types = vec![("created_at", "bigint")];
        }
        let decl: String = types.iter().map(|(n, t)| format!(", {n} {t}")).collect();
        let sets: String = types
            .iter()
            .map(|(n, _)| format!("{n} = w.{n}, "))
            .collect();
        let sql = format!(
            "WITH w AS (SELECT * FROM json_to_recordset($1::json) AS x(id text, ver text{decl}, doc text)), \
             u AS (UPDATE messages m SET {sets}doc = w.doc FROM w \
                   WHERE m.id = ANY(ARRAY(SELECT id FROM w)) AND m.id = w.id AND m.xmin::text = w.ver \
                   RETURNING m.id), \
             p AS (INSERT INTO pending_statuses (message_id, status, at, doc) \
                   SELECT message_id, status, at, doc FROM json_to_recordset($2::json) \
                   AS y(message_id text, status text, at bigint, doc text) \
                   ON CONFLICT DO NOTHING RETURNING message_id, status) \
             SELECT CAST('u' AS TEXT) AS k, id AS a, CAST('' AS TEXT) AS b FROM u \
             UNION ALL SELECT CAST('p' AS TEXT), message_id, status FROM p"
        );
        let result = sqlx::query(&sql)
            .bind(serde_json::Value::Array(rows).to_string())
            .bind(serde_json::Value::Array(pend).to_string())
            .fetch_all(&mut *conn)
            .await
            .map_err(backend_err)?;
        let mut written = HashSet::new();
        let mut inserted = HashSet::new();
        for r in result {
            let k: String = r.try_get(0).map_err(backend_err)?;
            let a: String = r.try_get(1).map_err(backend_err)?;
            if k == "u" {
                written.insert(a);
            } else {
                let b: String = r.try_get(2).map_err(backend_err)?;
                inserted.insert((a, b));
            }
        }
        Ok((written, inserted))
    }

    /// One transaction: read the messages locked (in id order), apply,
    /// write the changed ones and insert the pending statuses.
    async fn apply_status_batch_locked(
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
