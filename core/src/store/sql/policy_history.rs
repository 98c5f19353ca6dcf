//! `PolicyHistoryStore` over SQL. An admission first writes the recipient's
//! lock row: on PostgreSQL that row lock queues concurrent admissions for the
//! same recipient (other recipients proceed); on SQLite the write takes the
//! database's writer lock before anything is read, so a second process waits
//! instead of deciding on a stale snapshot.

use super::*;

#[async_trait]
impl PolicyHistoryStore for SqlStore {
    async fn admit_send(
        &self,
        entry: &PolicySend,
        since: Millis,
        admit: &(dyn for<'h> Fn(&'h [PolicySend]) -> bool + Send + Sync),
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        sqlx::query(
            "INSERT INTO policy_recipient_locks (recipient, at) VALUES ($1, $2) \
             ON CONFLICT (recipient) DO UPDATE SET at = excluded.at",
        )
        .bind(entry.recipient.clone())
        .bind(entry.at)
        .execute(&mut *tx)
        .await
        .map_err(backend_err)?;
        let rows = sqlx::query(
            "SELECT item_id, doc FROM policy_sends WHERE recipient = $1 AND at >= $2 \
             AND item_id <> $3 ORDER BY at",
        )
        .bind(entry.recipient.clone())
        .bind(since)
        .bind(entry.item_id.clone())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        let seen: Vec<PolicySend> = dec_rows(&rows, "policy_sends")?;
        if !admit(&seen) {
            // Nothing written but the lock row's time; dropping rolls it back.
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO policy_sends (recipient, item_id, at, doc) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (recipient, item_id) DO UPDATE SET at = excluded.at, doc = excluded.doc",
        )
        .bind(entry.recipient.clone())
        .bind(entry.item_id.clone())
        .bind(entry.at)
        .bind(enc(entry)?)
        .execute(&mut *tx)
        .await
        .map_err(backend_err)?;
        tx.commit().await.map_err(backend_err)?;
        Ok(true)
    }

    async fn forget_send(&self, recipient: &str, item_id: &str) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM policy_sends WHERE recipient = $1 AND item_id = $2")
            .bind(recipient.to_string())
            .bind(item_id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn sends_since(&self, recipient: &str, since: Millis) -> StoreResult<Vec<PolicySend>> {
        let rows = sqlx::query(
            "SELECT item_id, doc FROM policy_sends WHERE recipient = $1 AND at >= $2 ORDER BY at",
        )
        .bind(recipient.to_string())
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_err)?;
        dec_rows(&rows, "policy_sends")
    }

    async fn prune_sends_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM policy_sends WHERE at < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        // Lock rows of recipients with no history left are recreated on demand.
        sqlx::query(
            "DELETE FROM policy_recipient_locks WHERE at < $1 AND recipient NOT IN \
             (SELECT recipient FROM policy_sends)",
        )
        .bind(cutoff)
        .execute(&self.pool)
        .await
        .map_err(backend_err)?;
        Ok(r.rows_affected())
    }
}
