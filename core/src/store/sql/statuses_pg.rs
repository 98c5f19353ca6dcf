//! The PostgreSQL form of status batches, on a native `sqlx::PgPool` beside
//! the `Any` pool: the ids, documents and pending statuses travel as typed
//! arrays (`ANY($1::text[])`, `UNNEST(...)`), so each statement's text is
//! the same for every batch size and is prepared once per connection, and
//! nothing is converted per value through the `Any` driver or packed into
//! JSON for the server to parse again.
//!
//! The read takes no lock and the write is one statement: each changed
//! message is written only if its row version (`xmin`) is still the one
//! read, so a batch costs two round trips and no transaction; a message
//! changed in between is read and applied again (after a few such rounds
//! the rest goes through the locking path of `statuses.rs`).

use std::collections::{HashMap, HashSet};

use sqlx::postgres::PgConnection;

use super::codec::dec_doc;
use super::row::Keyed;
use super::statuses::{Applied, Read, apply_in_memory, settle_pending, unique_pending};
use super::*;

/// Optimistic rounds before the remaining statuses are applied under row locks.
const OPTIMISTIC_ROUNDS: usize = 3;

/// Every message named, its row version and what its contact has.
const READ: &str = "SELECT m.id, m.doc, m.xmin::text, c.id IS NOT NULL, c.wa_id IS NOT NULL, \
     c.bsuid IS NOT NULL FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id \
     WHERE m.id = ANY($1::text[])";

/// Update each changed message whose row version is still the one read and
/// insert the pending statuses (a repeat of a stored one is skipped); which
/// ids were written and which pending keys were new. Only `doc` is written:
/// a status changes the status fields of the document (`apply_status_to`),
/// never a key column, and a row still as read keeps its columns matching.
const WRITE: &str = "WITH w AS (SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[]) AS x(id, ver, doc)), \
     u AS (UPDATE messages m SET doc = w.doc FROM w \
           WHERE m.id = ANY($1::text[]) AND m.id = w.id AND m.xmin::text = w.ver RETURNING m.id), \
     p AS (INSERT INTO pending_statuses (message_id, status, at, doc) \
           SELECT * FROM UNNEST($4::text[], $5::text[], $6::int8[], $7::text[]) \
           ON CONFLICT DO NOTHING RETURNING message_id, status) \
     SELECT true, id, '' FROM u UNION ALL SELECT false, message_id, status FROM p";

impl SqlStore {
    /// Read without locks, write only rows still as read, and apply again
    /// the statuses of the messages changed in between.
    pub(super) async fn apply_status_batch_pg(
        &self,
        pg: &sqlx::PgPool,
        batch: &[&StatusUpdate],
    ) -> StoreResult<Vec<AppliedStatus>> {
        let mut out: Vec<Option<AppliedStatus>> = vec![None; batch.len()];
        let mut todo: Vec<usize> = (0..batch.len()).collect();
        let mut first_seen: HashSet<(String, String)> = HashSet::new();
        // One connection for the batch's statements (one acquire).
        let mut conn = pg.acquire().await.map_err(backend_err)?;
        for _ in 0..OPTIMISTIC_ROUNDS {
            if todo.is_empty() {
                break;
            }
            let sub: Vec<&StatusUpdate> = todo.iter().map(|&i| batch[i]).collect();
            let mut found = read_for_batch(&mut conn, &sub).await?;
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

    /// The changed messages and pending statuses in one statement ([`WRITE`]).
    async fn write_if_unchanged(
        &self,
        conn: &mut PgConnection,
        found: &HashMap<String, Read>,
        applied: &Applied<'_>,
    ) -> StoreResult<(HashSet<String>, HashSet<(String, String)>)> {
        let pending = unique_pending(&applied.pending);
        if applied.dirty.is_empty() && pending.is_empty() {
            return Ok(Default::default());
        }
        let n = applied.dirty.len();
        let (mut ids, mut vers, mut docs) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for r in applied.dirty.iter().filter_map(|id| found.get(id)) {
            ids.push(r.rec.id.0.as_str());
            vers.push(r.ver.as_str());
            docs.push(r.rec.doc(self)?);
        }
        let mut p_ids = Vec::with_capacity(pending.len());
        let mut p_status = Vec::with_capacity(pending.len());
        let mut p_at = Vec::with_capacity(pending.len());
        let mut p_doc = Vec::with_capacity(pending.len());
        for s in &pending {
            p_ids.push(s.message_id.as_str());
            p_status.push(s.status.as_str());
            p_at.push(s.at);
            p_doc.push(enc(s)?);
        }
        let result = sqlx::query(WRITE)
            .bind(ids)
            .bind(vers)
            .bind(docs)
            .bind(p_ids)
            .bind(p_status)
            .bind(p_at)
            .bind(p_doc)
            .fetch_all(&mut *conn)
            .await
            .map_err(backend_err)?;
        let mut written = HashSet::new();
        let mut inserted = HashSet::new();
        for r in result {
            let updated: bool = r.try_get(0).map_err(backend_err)?;
            let a: String = r.try_get(1).map_err(backend_err)?;
            if updated {
                written.insert(a);
            } else {
                let b: String = r.try_get(2).map_err(backend_err)?;
                inserted.insert((a, b));
            }
        }
        Ok((written, inserted))
    }
}

/// Every message `batch` names with its row version and what its contact
/// has, in one statement.
async fn read_for_batch(
    conn: &mut PgConnection,
    batch: &[&StatusUpdate],
) -> StoreResult<HashMap<String, Read>> {
    let mut ids: Vec<&str> = batch.iter().map(|s| s.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows = sqlx::query(READ)
        .bind(ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend_err)?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get(0).map_err(backend_err)?;
        let doc: &str = row.try_get(1).map_err(backend_err)?;
        let rec: MessageRecord = dec_doc(doc, &format!("messages/{id}"))?;
        let flag = |i: usize| row.try_get::<bool, _>(i).map_err(backend_err);
        let has = ContactHas {
            exists: flag(3)?,
            wa_id: flag(4)?,
            bsuid: flag(5)?,
        };
        let ver: String = row.try_get(2).map_err(backend_err)?;
        found.insert(id, Read { rec, ver, has });
    }
    Ok(found)
}
