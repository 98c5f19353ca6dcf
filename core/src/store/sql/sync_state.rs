//! `SyncStateStore` over SQL.

use super::*;

#[async_trait]
impl SyncStateStore for SqlStore {
    async fn get_cursor(&self, connector: &str, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM sync_cursors WHERE connector = $1 AND key = $2")
            .bind(connector.to_string())
            .bind(key.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_err)?;
        row.map(|r| r.try_get::<String, _>(0).map_err(backend_err))
            .transpose()
    }

    async fn set_cursor(&self, connector: &str, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sync_cursors (connector, key, value) VALUES ($1, $2, $3) \
             ON CONFLICT (connector, key) DO UPDATE SET value = excluded.value",
        )
        .bind(connector.to_string())
        .bind(key.to_string())
        .bind(value.to_string())
        .execute(&self.pool)
        .await
        .map_err(backend_err)?;
        Ok(())
    }

    async fn list_cursors(&self, connector: &str) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT key, value FROM sync_cursors WHERE connector = $1")
            .bind(connector.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        let mut out = rows
            .iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(backend_err)?;
        // Sorted here, not by ORDER BY: PostgreSQL orders text by the
        // database's collation, and every adapter must give the same order.
        out.sort();
        Ok(out)
    }

    async fn park_push(&self, p: &ParkedPush) -> StoreResult<()> {
        sqlx::query("INSERT INTO parked_pushes (id, connector, doc) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc")
            .bind(p.id.clone())
            .bind(p.connector.clone())
            .bind(enc(p)?)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn list_parked(&self, connector: &str) -> StoreResult<Vec<ParkedPush>> {
        self.many(
            "SELECT id, doc FROM parked_pushes WHERE connector = $1 ORDER BY id",
            connector,
            "parked_pushes",
        )
        .await
    }

    async fn record_discrepancy(&self, d: &Discrepancy) -> StoreResult<()> {
        sqlx::query("INSERT INTO discrepancies (id, connector, doc) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc")
            .bind(d.id.clone())
            .bind(d.connector.clone())
            .bind(enc(d)?)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn list_discrepancies(&self, connector: &str) -> StoreResult<Vec<Discrepancy>> {
        self.many(
            "SELECT id, doc FROM discrepancies WHERE connector = $1 ORDER BY id",
            connector,
            "discrepancies",
        )
        .await
    }
}

// The audit log (hash chain, checkpoints) and access records live in `sql_access.rs`.
