//! What automation remembers between messages — cooldowns, counters, segment
//! inputs, pauses, firing budgets and timers — behind an async trait, with an
//! in-memory implementation. Records are plain serde types so a durable
//! adapter can store them as JSON.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::time::Millis;

/// Per-contact automation state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactState {
    /// Last firing time per rule id (cooldowns).
    #[serde(default)]
    pub last_fired: BTreeMap<String, Millis>,
    /// Rules that fired at least once (`once_per_contact`).
    #[serde(default)]
    pub fired_once: BTreeSet<String>,
    /// Matches per rule id (`min_count` counters).
    #[serde(default)]
    pub counts: BTreeMap<String, u32>,
    /// Times of recent inbound messages (interactions), oldest first.
    #[serde(default)]
    pub inbound: Vec<Millis>,
    /// Times of recent product inquiries, oldest first.
    #[serde(default)]
    pub inquiries: Vec<Millis>,
    /// Last message from the contact.
    #[serde(default)]
    pub last_inbound_at: Option<Millis>,
    /// Lifecycle segments the contact is in.
    #[serde(default)]
    pub segments: BTreeSet<String>,
    /// The last location the contact shared (lat, lon).
    #[serde(default)]
    pub location: Option<(f64, f64)>,
    /// Tags as automation last saw and left them.
    #[serde(default)]
    pub tags: BTreeSet<String>,
}

/// Per-conversation automation state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationState {
    /// Automation is quiet until this time (handoff, `pause_automation`).
    #[serde(default)]
    pub paused_until: Option<Millis>,
    /// Why it is paused.
    #[serde(default)]
    pub pause_reason: Option<String>,
    /// Rule firings in the last hour (the firing budget).
    #[serde(default)]
    pub firings: Vec<Millis>,
    /// The last automated reply, folded: the same text coming back is an echo.
    #[serde(default)]
    pub last_reply: Option<String>,
}

/// A durable "no reply within X" timer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// Timer definition id (from the rules file).
    pub timer_id: String,
    /// Contact key.
    pub contact: String,
    /// Conversation key.
    pub conversation: String,
    /// When it fires (epoch ms).
    pub due_at: Millis,
}

/// Where automation state lives.
#[async_trait]
pub trait AutomationStore: Send + Sync + 'static {
    /// A contact's state (default when unknown).
    async fn contact_state(&self, contact: &str) -> crate::Result<ContactState>;
    /// Replace a contact's state.
    async fn save_contact_state(&self, contact: &str, s: &ContactState) -> crate::Result<()>;
    /// A conversation's state (default when unknown).
    async fn conversation_state(&self, conversation: &str) -> crate::Result<ConversationState>;
    /// Replace a conversation's state.
    async fn save_conversation_state(
        &self,
        conversation: &str,
        s: &ConversationState,
    ) -> crate::Result<()>;
    /// Every contact with state (for the scheduled lifecycle pass).
    async fn contacts(&self) -> crate::Result<Vec<String>>;
    /// Store a timer, replacing one with the same contact and timer id.
    async fn put_timer(&self, t: &Timer) -> crate::Result<()>;
    /// Cancel a contact's timers (the event they wait for happened); returns how many.
    async fn cancel_timers(&self, contact: &str) -> crate::Result<u64>;
    /// Remove and return the timers due at `now`, earliest first.
    async fn take_due_timers(&self, now: Millis) -> crate::Result<Vec<Timer>>;
    /// The pending timers (of one contact, or all), earliest first, then by
    /// contact and timer id; nothing is removed.
    async fn list_timers(&self, contact: Option<&str>) -> crate::Result<Vec<Timer>>;
}

#[derive(Default)]
struct Inner {
    contacts: BTreeMap<String, ContactState>,
    conversations: HashMap<String, ConversationState>,
    timers: BTreeMap<(String, String), Timer>,
}

/// In-memory [`AutomationStore`].
#[derive(Default)]
pub struct MemoryAutomationStore {
    inner: Mutex<Inner>,
}

impl MemoryAutomationStore {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl AutomationStore for MemoryAutomationStore {
    async fn contact_state(&self, contact: &str) -> crate::Result<ContactState> {
        Ok(self
            .inner
            .lock()
            .contacts
            .get(contact)
            .cloned()
            .unwrap_or_default())
    }
    async fn save_contact_state(&self, contact: &str, s: &ContactState) -> crate::Result<()> {
        self.inner
            .lock()
            .contacts
            .insert(contact.to_string(), s.clone());
        Ok(())
    }
    async fn conversation_state(&self, conversation: &str) -> crate::Result<ConversationState> {
        Ok(self
            .inner
            .lock()
            .conversations
            .get(conversation)
            .cloned()
            .unwrap_or_default())
    }
    async fn save_conversation_state(
        &self,
        conversation: &str,
        s: &ConversationState,
    ) -> crate::Result<()> {
        self.inner
            .lock()
            .conversations
            .insert(conversation.to_string(), s.clone());
        Ok(())
    }
    async fn contacts(&self) -> crate::Result<Vec<String>> {
        Ok(self.inner.lock().contacts.keys().cloned().collect())
    }
    async fn put_timer(&self, t: &Timer) -> crate::Result<()> {
        self.inner
            .lock()
            .timers
            .insert((t.contact.clone(), t.timer_id.clone()), t.clone());
        Ok(())
    }
    async fn cancel_timers(&self, contact: &str) -> crate::Result<u64> {
        let mut g = self.inner.lock();
        let before = g.timers.len();
        g.timers.retain(|(c, _), _| c != contact);
        Ok((before - g.timers.len()) as u64)
    }
    async fn take_due_timers(&self, now: Millis) -> crate::Result<Vec<Timer>> {
        let mut g = self.inner.lock();
        let due: Vec<(String, String)> = g
            .timers
            .iter()
            .filter(|(_, t)| t.due_at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        let mut out: Vec<Timer> = due.iter().filter_map(|k| g.timers.remove(k)).collect();
        out.sort_by_key(|t| t.due_at);
        Ok(out)
    }
    async fn list_timers(&self, contact: Option<&str>) -> crate::Result<Vec<Timer>> {
        let g = self.inner.lock();
        let mut out: Vec<Timer> = g
            .timers
            .values()
            .filter(|t| contact.is_none_or(|c| t.contact == c))
            .cloned()
            .collect();
        out.sort_by(|a, b| {
            (a.due_at, &a.contact, &a.timer_id).cmp(&(b.due_at, &b.contact, &b.timer_id))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn timers_replace_cancel_and_come_due() {
        let s = MemoryAutomationStore::new();
        let t = |c: &str, id: &str, due| Timer {
            timer_id: id.into(),
            contact: c.into(),
            conversation: c.into(),
            due_at: due,
        };
        s.put_timer(&t("a", "nudge", 100)).await.unwrap();
        s.put_timer(&t("a", "nudge", 200)).await.unwrap(); // replaces
        s.put_timer(&t("b", "nudge", 150)).await.unwrap();
        assert!(s.take_due_timers(120).await.unwrap().is_empty());
        assert_eq!(s.cancel_timers("b").await.unwrap(), 1);
        let due = s.take_due_timers(250).await.unwrap();
        assert_eq!(due, vec![t("a", "nudge", 200)]);
        assert!(s.take_due_timers(1000).await.unwrap().is_empty());
    }
}
