//! `AgentStore` over SQL.

use super::*;

#[async_trait]
impl AgentStore for SqlStore {
    async fn upsert_agent(&self, a: &Agent) -> StoreResult<()> {
        sqlx::query("INSERT INTO agents (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc")
            .bind(a.id.0.clone())
            .bind(enc(a)?)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }

    async fn get_agent(&self, id: &AgentId) -> StoreResult<Option<Agent>> {
        self.one(
            "SELECT id, doc FROM agents WHERE id = $1",
            id.as_str(),
            "agents",
        )
        .await
    }

    async fn list_agents(&self) -> StoreResult<Vec<Agent>> {
        let rows = sqlx::query("SELECT id, doc FROM agents ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        dec_rows(&rows, "agents")
    }

    async fn set_presence(&self, id: &AgentId, p: Presence, at: Millis) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let row = sqlx::query(&format!(
            "SELECT id, doc FROM agents WHERE id = $1{}",
            self.lock_clause()
        ))
        .bind(id.0.clone())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_err)?
        .ok_or_else(|| StoreError::NotFound(id.0.clone()))?;
        let mut a: Agent = dec(&row, &format!("agents/{id}"))?;
        a.presence = p;
        a.updated_at = at;
        sqlx::query("UPDATE agents SET doc = $1 WHERE id = $2")
            .bind(enc(&a)?)
            .bind(a.id.0.clone())
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?;
        tx.commit().await.map_err(backend_err)?;
        Ok(())
    }
}
