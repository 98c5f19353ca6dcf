//! `ConversationStore` over SQL.

use super::row::OnConflict;
use super::*;

#[async_trait]
impl ConversationStore for SqlStore {
    async fn create(&self, c: &Conversation) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(backend_err)?;
        self.insert_row(&mut conn, c, OnConflict::Fail).await?;
        Ok(())
    }

    async fn update(&self, c: &Conversation) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(backend_err)?;
        if self.update_row(&mut conn, c).await? == 0 {
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
            self.update_row(&mut tx, &c).await?;
        }
        tx.commit().await.map_err(backend_err)?;
        Ok(convs.len() as u64)
    }

    async fn purge_archived_before(&self, cutoff: Millis) -> StoreResult<PurgeCounts> {
        // Two set-based deletes in one transaction, messages first, both
        // naming the doomed conversations by the same predicate (the
        // `(status, closed_at)` index serves it; archived is terminal, so the
        // set cannot change between the statements).
        let mut tx = self.pool.begin().await.map_err(backend_err)?;
        let messages = sqlx::query(
            "DELETE FROM messages WHERE conversation_id IN \
             (SELECT id FROM conversations WHERE status = 'archived' AND closed_at < $1)",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await
        .map_err(backend_err)?;
        let conversations =
            sqlx::query("DELETE FROM conversations WHERE status = 'archived' AND closed_at < $1")
                .bind(cutoff)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
        tx.commit().await.map_err(backend_err)?;
        Ok(PurgeCounts {
            conversations: conversations.rows_affected(),
            messages: messages.rows_affected(),
        })
    }
}
