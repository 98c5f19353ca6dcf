//! Automation state (`crate::automation::AutomationStore`) over SQL: contact
//! and conversation state as JSON documents, timers as rows so the due ones
//! are found by index and taken with one `DELETE … RETURNING` (two workers
//! never both run the same timer).

use super::*;
use crate::automation::{AutomationStore, ContactState, ConversationState, Timer};

impl SqlStore {
    async fn put_doc(&self, sql: &str, key: &str, doc: String) -> crate::Result<()> {
        sqlx::query(sql)
            .bind(key.to_string())
            .bind(doc)
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(())
    }
}

#[async_trait]
impl AutomationStore for SqlStore {
    async fn contact_state(&self, contact: &str) -> crate::Result<ContactState> {
        let s = self
            .one(
                "SELECT doc FROM automation_contacts WHERE contact = $1",
                contact,
                "automation_contacts",
            )
            .await?;
        Ok(s.unwrap_or_default())
    }

    async fn save_contact_state(&self, contact: &str, s: &ContactState) -> crate::Result<()> {
        self.put_doc(
            "INSERT INTO automation_contacts (contact, doc) VALUES ($1, $2) \
             ON CONFLICT (contact) DO UPDATE SET doc = excluded.doc",
            contact,
            enc(s)?,
        )
        .await
    }

    async fn conversation_state(&self, conversation: &str) -> crate::Result<ConversationState> {
        let s = self
            .one(
                "SELECT doc FROM automation_conversations WHERE conversation = $1",
                conversation,
                "automation_conversations",
            )
            .await?;
        Ok(s.unwrap_or_default())
    }

    async fn save_conversation_state(
        &self,
        conversation: &str,
        s: &ConversationState,
    ) -> crate::Result<()> {
        self.put_doc(
            "INSERT INTO automation_conversations (conversation, doc) VALUES ($1, $2) \
             ON CONFLICT (conversation) DO UPDATE SET doc = excluded.doc",
            conversation,
            enc(s)?,
        )
        .await
    }

    async fn contacts(&self) -> crate::Result<Vec<String>> {
        let rows = sqlx::query("SELECT contact FROM automation_contacts ORDER BY contact")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(rows
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()
            .map_err(backend_err)?)
    }

    async fn put_timer(&self, t: &Timer) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO automation_timers (contact, timer_id, conversation, due_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (contact, timer_id) DO UPDATE \
             SET conversation = excluded.conversation, due_at = excluded.due_at",
        )
        .bind(t.contact.clone())
        .bind(t.timer_id.clone())
        .bind(t.conversation.clone())
        .bind(t.due_at)
        .execute(&self.pool)
        .await
        .map_err(backend_err)?;
        Ok(())
    }

    async fn cancel_timers(&self, contact: &str) -> crate::Result<u64> {
        let r = sqlx::query("DELETE FROM automation_timers WHERE contact = $1")
            .bind(contact.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend_err)?;
        Ok(r.rows_affected())
    }

    async fn take_due_timers(&self, now: Millis) -> crate::Result<Vec<Timer>> {
        let rows = sqlx::query(
            "DELETE FROM automation_timers WHERE due_at <= $1 \
             RETURNING contact, timer_id, conversation, due_at",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_err)?;
        let mut out = rows
            .iter()
            .map(timer_of_row)
            .collect::<Result<Vec<Timer>, sqlx::Error>>()
            .map_err(backend_err)?;
        out.sort_by(|a, b| (a.due_at, &a.contact).cmp(&(b.due_at, &b.contact)));
        Ok(out)
    }

    async fn list_timers(&self, contact: Option<&str>) -> crate::Result<Vec<Timer>> {
        // One statement for both cases (`$2 = 1`: every contact) on SQLite and PostgreSQL.
        let rows = sqlx::query(
            "SELECT contact, timer_id, conversation, due_at FROM automation_timers \
             WHERE contact = $1 OR $2 = 1 ORDER BY due_at, contact, timer_id",
        )
        .bind(contact.unwrap_or_default().to_string())
        .bind(i64::from(contact.is_none()))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_err)?;
        Ok(rows
            .iter()
            .map(timer_of_row)
            .collect::<Result<Vec<Timer>, sqlx::Error>>()
            .map_err(backend_err)?)
    }
}

/// A timer from a row selected as `contact, timer_id, conversation, due_at`.
fn timer_of_row(r: &sqlx::any::AnyRow) -> Result<Timer, sqlx::Error> {
    Ok(Timer {
        contact: r.try_get(0)?,
        timer_id: r.try_get(1)?,
        conversation: r.try_get(2)?,
        due_at: r.try_get(3)?,
    })
}
