//! `ConversationStore` over SQL.

use super::*;

#[async_trait]
impl ConversationStore for SqlStore {
    async fn create(&self, c: &Conversation) -> StoreResult<()> {
        let r = sqlx::query(
            "INSERT INTO conversations (id, contact_id, phone_number_id, agent_id, status, closed_at, doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.id.0.clone())
        .bind(c.contact_id.0.clone())
        .bind(c.phone_number_id.0.clone())
        .bind(c.agent_id.as_ref().map(|a| a.0.clone()))
        .bind(c.status.as_str())
        .bind(c.closed_at)
        .bind(enc(c)?)
        .execute(&self.pool)
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.to_string().to_lowercase().contains("unique") => {
                Err(StoreError::Duplicate(c.id.0.clone()))
            }
            Err(e) => Err(backend_err(e)),
        }
    }

    async fn update(&self, c: &Conversation) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE conversations SET contact_id = $1, phone_number_id = $2, agent_id = $3, status = $4, closed_at = $5, doc = $6 WHERE id = $7",
        )
        .bind(c.contact_id.0.clone())
        .bind(c.phone_number_id.0.clone())
        .bind(c.agent_id.as_ref().map(|a| a.0.clone()))
        .bind(c.status.as_str())
        .bind(c.closed_at)
        .bind(enc(c)?)
        .bind(c.id.0.clone())
        .execute(&self.pool)
        .await
        .map_err(backend_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(c.id.0.clone()));
        }
        Ok(())
    }

    async fn get(&self, id: &ConversationId) -> StoreResult<Option<Conversation>> {
        self.one(
            "SELECT id, doc FROM conversations WHERE id = $1",
            id.as_str(),
            "conversations",
        )
        .await
    }

    async fn open_for_contact(
        &self,
        contact: &ContactId,
        number: &PhoneNumberId,
    ) -> StoreResult<Option<Conversation>> {
        let row = sqlx::query(
            "SELECT id, doc FROM conversations WHERE contact_id = $1 AND phone_number_id = $2 \
             AND status IN ('open', 'waiting_on_customer') ORDER BY id LIMIT 1",
        )
        .bind(contact.0.clone())
        .bind(number.0.clone())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_err)?;
        row.map(|r| dec(&r, "conversations")).transpose()
    }

    async fn list_open(&self) -> StoreResult<Vec<Conversation>> {
        let rows = sqlx::query("SELECT id, doc FROM conversations WHERE status IN ('open', 'waiting_on_customer') ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        dec_rows(&rows, "conversations")
    }

    async fn list_open_by_agent(&self, agent: &AgentId) -> StoreResult<Vec<Conversation>> {
        self.many(
            "SELECT id, doc FROM conversations WHERE agent_id = $1 AND status IN ('open', 'waiting_on_customer') ORDER BY id",
            agent.as_str(),
            "conversations",
        )
        .await
    }

    async fn list_for_contact(&self, contact: &ContactId) -> StoreResult<Vec<Conversation>> {
        self.many(
            "SELECT id, doc FROM conversations WHERE contact_id = $1 ORDER BY id",
            contact.as_str(),
            "conversations",
        )
        .await
    }

    async fn list_all(&self, page: &PageRequest) -> StoreResult<Page<Conversation>> {
        let limit = page.limit.max(1);
        let rows =
            sqlx::query("SELECT id, doc FROM conversations WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(page.after.clone().unwrap_or_default())
                .bind(limit as i64)
                .fetch_all(&self.pool)
                .await
                .map_err(backend_err)?;
        let items: Vec<Conversation> = dec_rows(&rows, "conversations")?;
        let next = (items.len() == limit)
            .then(|| items.last().map(|c| c.id.0.clone()))
            .flatten();
        Ok(Page { items, next })
    }

    async fn archive_closed_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let rows = sqlx::query(&format!(
            "SELECT id, doc FROM conversations WHERE status = 'closed' AND closed_at < $1{}",
            self.lock_clause()
        ))
        .bind(cutoff)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend_err)?;
        let convs: Vec<Conversation> = dec_rows(&rows, "conversations")?;
        for mut c in convs.iter().cloned() {
            c.status = ConversationStatus::Archived;
            sqlx::query("UPDATE conversations SET status = 'archived', doc = $1 WHERE id = $2")
                .bind(enc(&c)?)
                .bind(c.id.0.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(convs.len() as u64)
    }
}
