//! The in-memory reference adapter: one lock over all records, so every
//! multi-record operation (merge, claim) is atomic.

use std::collections::{BTreeMap, HashMap, HashSet};

use async_trait::async_trait;
use parking_lot::Mutex;

use super::logic::*;
use super::traits::*;
use super::types::*;
use crate::ErrorDetails;
use crate::ids::{AgentId, ContactId, ConversationId, IdempotencyKey, MessageId, PhoneNumberId};
use crate::time::Millis;

#[derive(Default)]
struct Inner {
    contacts: BTreeMap<String, Contact>,
    conversations: BTreeMap<String, Conversation>,
    messages: HashMap<String, MessageRecord>,
    pending: HashMap<String, Vec<StatusUpdate>>,
    outbox: BTreeMap<String, OutboxItem>,
    outbox_keys: HashMap<String, String>,
    cursors: HashMap<(String, String), String>,
    parked: Vec<ParkedPush>,
    discrepancies: Vec<Discrepancy>,
    audit: Vec<AuditEntry>,
    checkpoints: Vec<AuditCheckpoint>,
    agents: BTreeMap<String, Agent>,
    users: BTreeMap<String, crate::access::User>,
    roles: BTreeMap<String, crate::access::Role>,
    memberships: BTreeMap<(String, String), crate::access::Membership>,
}

/// In-memory store implementing every store trait.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
    /// Policy history per recipient (`memory_policy.rs`).
    pub(super) policy: Mutex<HashMap<String, Vec<PolicySend>>>,
}

impl MemoryStore {
    /// Empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

fn now_ms() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

fn upsert_in(g: &mut Inner, c: &Contact, expected: Option<u64>) -> StoreResult<Contact> {
    let found = g
        .contacts
        .get(c.id.as_str())
        .map(|x| x.version)
        .unwrap_or(0);
    if let Some(exp) = expected
        && exp != found
    {
        return Err(StoreError::Conflict {
            expected: exp,
            found,
        });
    }
    let mut stored = c.clone();
    stored.version = found + 1;
    let now = now_ms();
    if found == 0 && stored.created_at == 0 {
        stored.created_at = now;
    }
    stored.updated_at = now;
    g.contacts.insert(c.id.0.clone(), stored.clone());
    Ok(stored)
}

#[async_trait]
impl ContactStore for MemoryStore {
    async fn get(&self, id: &ContactId) -> StoreResult<Option<Contact>> {
        Ok(self.inner.lock().contacts.get(id.as_str()).cloned())
    }

    async fn find_by_wa_id(&self, wa_id: &str) -> StoreResult<Option<Contact>> {
        Ok(self
            .inner
            .lock()
            .contacts
            .values()
            .find(|c| c.wa_id.as_deref() == Some(wa_id))
            .cloned())
    }

    async fn find_by_e164(&self, e164: &str) -> StoreResult<Option<Contact>> {
        Ok(self
            .inner
            .lock()
            .contacts
            .values()
            .find(|c| c.e164.as_deref() == Some(e164))
            .cloned())
    }

    async fn find_by_bsuid(&self, bsuid: &str) -> StoreResult<Option<Contact>> {
        Ok(self
            .inner
            .lock()
            .contacts
            .values()
            .find(|c| c.bsuid.as_deref() == Some(bsuid))
            .cloned())
    }

    async fn get_many(&self, ids: &[ContactId]) -> StoreResult<Vec<Contact>> {
        let g = self.inner.lock();
        Ok(ids
            .iter()
            .filter_map(|id| g.contacts.get(id.as_str()).cloned())
            .collect())
    }

    async fn find_many_by_e164(&self, e164s: &[String]) -> StoreResult<Vec<Contact>> {
        // One pass over the contacts (in id order, so the first holder of a
        // number is the lowest id), not one pass per number.
        let wanted: std::collections::HashSet<&str> = e164s.iter().map(String::as_str).collect();
        let mut found: std::collections::HashMap<&str, Contact> = Default::default();
        let g = self.inner.lock();
        for c in g.contacts.values() {
            if let Some(e) = c.e164.as_deref()
                && let Some(w) = wanted.get(e)
            {
                found.entry(w).or_insert_with(|| c.clone());
            }
        }
        Ok(found.into_values().collect())
    }

    async fn upsert(&self, c: &Contact, expected_version: Option<u64>) -> StoreResult<Contact> {
        upsert_in(&mut self.inner.lock(), c, expected_version)
    }

    async fn upsert_many(&self, cs: &[Contact]) -> StoreResult<Vec<Contact>> {
        let mut g = self.inner.lock();
        cs.iter().map(|c| upsert_in(&mut g, c, None)).collect()
    }

    async fn list(&self, f: &ContactFilter, page: &PageRequest) -> StoreResult<Page<Contact>> {
        let g = self.inner.lock();
        let start = page.after.clone().unwrap_or_default();
        let range = g
            .contacts
            .range::<String, _>((std::ops::Bound::Excluded(start), std::ops::Bound::Unbounded));
        let mut items = Vec::new();
        let mut next = None;
        for (_, c) in range {
            if !f.matches(c) {
                continue;
            }
            if items.len() == page.limit.max(1) {
                next = items.last().map(|x: &Contact| x.id.0.clone());
                break;
            }
            items.push(c.clone());
        }
        Ok(Page { items, next })
    }

    async fn merge(&self, survivor: &ContactId, absorbed: &ContactId) -> StoreResult<Contact> {
        if survivor == absorbed {
            return Err(StoreError::Duplicate(
                "cannot merge a contact into itself".into(),
            ));
        }
        let mut g = self.inner.lock();
        let s = g
            .contacts
            .get(survivor.as_str())
            .cloned()
            .ok_or_else(|| StoreError::NotFound(survivor.0.clone()))?;
        let a = g
            .contacts
            .get(absorbed.as_str())
            .cloned()
            .ok_or_else(|| StoreError::NotFound(absorbed.0.clone()))?;
        let merged = merged_contact(&s, &a, now_ms());
        for c in g.conversations.values_mut() {
            if c.contact_id == *absorbed {
                c.contact_id = survivor.clone();
            }
        }
        for m in g.messages.values_mut() {
            if m.contact_id.as_ref() == Some(absorbed) {
                m.contact_id = Some(survivor.clone());
            }
        }
        g.contacts.remove(absorbed.as_str());
        g.contacts.insert(survivor.0.clone(), merged.clone());
        Ok(merged)
    }

    async fn delete(&self, id: &ContactId) -> StoreResult<bool> {
        Ok(self.inner.lock().contacts.remove(id.as_str()).is_some())
    }
}

fn is_open(c: &Conversation) -> bool {
    matches!(
        c.status,
        ConversationStatus::Open | ConversationStatus::WaitingOnCustomer
    )
}

#[async_trait]
impl ConversationStore for MemoryStore {
    async fn create(&self, c: &Conversation) -> StoreResult<()> {
        let mut g = self.inner.lock();
        if g.conversations.contains_key(c.id.as_str()) {
            return Err(StoreError::Duplicate(c.id.0.clone()));
        }
        g.conversations.insert(c.id.0.clone(), c.clone());
        Ok(())
    }

    async fn update(&self, c: &Conversation) -> StoreResult<()> {
        let mut g = self.inner.lock();
        match g.conversations.get_mut(c.id.as_str()) {
            Some(x) => {
                *x = c.clone();
                Ok(())
            }
            None => Err(StoreError::NotFound(c.id.0.clone())),
        }
    }

    async fn get(&self, id: &ConversationId) -> StoreResult<Option<Conversation>> {
        Ok(self.inner.lock().conversations.get(id.as_str()).cloned())
    }

    async fn open_for_contact(
        &self,
        contact: &ContactId,
        number: &PhoneNumberId,
    ) -> StoreResult<Option<Conversation>> {
        Ok(self
            .inner
            .lock()
            .conversations
            .values()
            .find(|c| c.contact_id == *contact && c.phone_number_id == *number && is_open(c))
            .cloned())
    }

    async fn list_open(&self) -> StoreResult<Vec<Conversation>> {
        Ok(self
            .inner
            .lock()
            .conversations
            .values()
            .filter(|c| is_open(c))
            .cloned()
            .collect())
    }

    async fn list_open_by_agent(&self, agent: &AgentId) -> StoreResult<Vec<Conversation>> {
        Ok(self
            .inner
            .lock()
            .conversations
            .values()
            .filter(|c| is_open(c) && c.agent_id.as_ref() == Some(agent))
            .cloned()
            .collect())
    }

    async fn list_for_contact(&self, contact: &ContactId) -> StoreResult<Vec<Conversation>> {
        Ok(self
            .inner
            .lock()
            .conversations
            .values()
            .filter(|c| c.contact_id == *contact)
            .cloned()
            .collect())
    }

    async fn list_all(&self, page: &PageRequest) -> StoreResult<Page<Conversation>> {
        let g = self.inner.lock();
        let after = page.after.clone().unwrap_or_default();
        let limit = page.limit.max(1);
        let items: Vec<Conversation> = g
            .conversations
            .range::<String, _>((
                std::ops::Bound::Excluded(&after),
                std::ops::Bound::Unbounded,
            ))
            .take(limit)
            .map(|(_, c)| c.clone())
            .collect();
        let next = (items.len() == limit)
            .then(|| items.last().map(|c| c.id.0.clone()))
            .flatten();
        Ok(Page { items, next })
    }

    async fn archive_closed_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let mut g = self.inner.lock();
        let mut n = 0;
        for c in g.conversations.values_mut() {
            if c.status == ConversationStatus::Closed && c.closed_at.is_some_and(|t| t < cutoff) {
                c.status = ConversationStatus::Archived;
                n += 1;
            }
        }
        Ok(n)
    }

    async fn purge_archived_before(&self, cutoff: Millis) -> StoreResult<PurgeCounts> {
        let mut g = self.inner.lock();
        let gone: HashSet<String> = g
            .conversations
            .values()
            .filter(|c| {
                c.status == ConversationStatus::Archived && c.closed_at.is_some_and(|t| t < cutoff)
            })
            .map(|c| c.id.0.clone())
            .collect();
        let mut out = PurgeCounts::default();
        if gone.is_empty() {
            return Ok(out);
        }
        g.conversations.retain(|id, _| !gone.contains(id));
        out.conversations = gone.len() as u64;
        let dropped: Vec<String> = g
            .messages
            .values()
            .filter(|m| {
                m.conversation_id
                    .as_ref()
                    .is_some_and(|c| gone.contains(c.as_str()))
            })
            .map(|m| m.id.0.clone())
            .collect();
        for id in &dropped {
            g.messages.remove(id);
        }
        out.messages = dropped.len() as u64;
        Ok(out)
    }
}

#[async_trait]
impl MessageStore for MemoryStore {
    async fn record_inbound(&self, m: &MessageRecord) -> StoreResult<Recorded> {
        let mut g = self.inner.lock();
        if g.messages.contains_key(m.id.as_str()) {
            return Ok(Recorded::Duplicate);
        }
        g.messages.insert(m.id.0.clone(), m.clone());
        Ok(Recorded::New)
    }

    async fn record_outbound(&self, m: &MessageRecord) -> StoreResult<Recorded> {
        let mut g = self.inner.lock();
        if g.messages.contains_key(m.id.as_str()) {
            return Ok(Recorded::Duplicate);
        }
        let mut rec = m.clone();
        if let Some(mut pending) = g.pending.remove(m.id.as_str()) {
            // Held statuses apply in time order, as the SQL adapter does.
            pending.sort_by_key(|s| s.at);
            for s in &pending {
                apply_status_to(&mut rec, s);
            }
        }
        g.messages.insert(m.id.0.clone(), rec);
        Ok(Recorded::New)
    }

    async fn apply_status(&self, s: &StatusUpdate) -> StoreResult<StatusApplied> {
        let mut g = self.inner.lock();
        match g.messages.get_mut(s.message_id.as_str()) {
            Some(m) => Ok(apply_status_to(m, s)),
            None => {
                let list = g.pending.entry(s.message_id.0.clone()).or_default();
                if list.iter().any(|x| x.status == s.status) {
                    return Ok(StatusApplied::Ignored(format!(
                        "duplicate pending {}",
                        s.status.as_str()
                    )));
                }
                list.push(s.clone());
                Ok(StatusApplied::Pending)
            }
        }
    }

    async fn get_message(&self, id: &MessageId) -> StoreResult<Option<MessageRecord>> {
        Ok(self.inner.lock().messages.get(id.as_str()).cloned())
    }

    async fn list_for_conversation(&self, c: &ConversationId) -> StoreResult<Vec<MessageRecord>> {
        let mut v: Vec<MessageRecord> = self
            .inner
            .lock()
            .messages
            .values()
            .filter(|m| m.conversation_id.as_ref() == Some(c))
            .cloned()
            .collect();
        v.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(v)
    }

    async fn list_for_contact(&self, c: &ContactId) -> StoreResult<Vec<MessageRecord>> {
        let mut v: Vec<MessageRecord> = self
            .inner
            .lock()
            .messages
            .values()
            .filter(|m| m.contact_id.as_ref() == Some(c))
            .cloned()
            .collect();
        v.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(v)
    }

    async fn pending_statuses(&self) -> StoreResult<Vec<StatusUpdate>> {
        Ok(self
            .inner
            .lock()
            .pending
            .values()
            .flatten()
            .cloned()
            .collect())
    }

    async fn list_between(
        &self,
        from: Millis,
        to: Millis,
        page: &PageRequest,
    ) -> StoreResult<Page<MessageRecord>> {
        let after = match &page.after {
            Some(c) => Some(super::logic::parse_time_cursor(c)?),
            None => None,
        };
        let limit = page.limit.max(1);
        let g = self.inner.lock();
        let mut v: Vec<&MessageRecord> = g
            .messages
            .values()
            .filter(|m| m.created_at >= from && m.created_at < to)
            .filter(|m| match &after {
                Some((t, id)) => (m.created_at, m.id.as_str()) > (*t, id.as_str()),
                None => true,
            })
            .collect();
        v.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        v.truncate(limit);
        let items: Vec<MessageRecord> = v.into_iter().cloned().collect();
        let next = (items.len() == limit)
            .then(|| {
                items
                    .last()
                    .map(|m| super::logic::time_cursor(m.created_at, m.id.as_str()))
            })
            .flatten();
        Ok(Page { items, next })
    }

    async fn purge_bodies_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let mut g = self.inner.lock();
        let mut n = 0;
        for m in g.messages.values_mut() {
            if m.created_at < cutoff && !m.body.is_null() {
                m.body = serde_json::Value::Null;
                n += 1;
            }
        }
        Ok(n)
    }

    async fn expire_pending_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let mut g = self.inner.lock();
        let mut n = 0;
        g.pending.retain(|_, list| {
            let before = list.len();
            list.retain(|s| s.at >= cutoff);
            n += (before - list.len()) as u64;
            !list.is_empty()
        });
        Ok(n)
    }
}

impl Inner {
    fn leased_mut(&mut self, lease: &LeaseToken) -> StoreResult<&mut OutboxItem> {
        let item = self
            .outbox
            .get_mut(&lease.item_id)
            .ok_or_else(|| StoreError::NotFound(lease.item_id.clone()))?;
        check_lease(item, lease)?;
        Ok(item)
    }
}

#[async_trait]
impl OutboxStore for MemoryStore {
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<Enqueued> {
        let mut g = self.inner.lock();
        if g.outbox_keys.contains_key(item.idempotency_key.as_str()) {
            return Ok(Enqueued::Duplicate);
        }
        if g.outbox.contains_key(&item.id) {
            return Err(StoreError::Duplicate(format!("outbox item id {}", item.id)));
        }
        g.outbox_keys
            .insert(item.idempotency_key.0.clone(), item.id.clone());
        g.outbox.insert(item.id.clone(), item.clone());
        Ok(Enqueued::New)
    }

    async fn claim(
        &self,
        worker: &str,
        now: Millis,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LeasedItem>> {
        let mut g = self.inner.lock();
        let mut due: Vec<&OutboxItem> = g.outbox.values().filter(|i| claimable(i, now)).collect();
        due.sort_by(|a, b| claim_order(a, b));
        let ids: Vec<String> = due.into_iter().take(limit).map(|i| i.id.clone()).collect();
        let until = now + lease_ms;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let item = g.outbox.get_mut(&id).expect("listed above");
            item.state = OutboxState::Leased {
                worker: worker.to_string(),
                until,
            };
            item.attempts += 1;
            item.updated_at = now;
            out.push(LeasedItem {
                item: item.clone(),
                lease: LeaseToken {
                    item_id: id,
                    worker: worker.to_string(),
                    until,
                },
            });
        }
        Ok(out)
    }

    async fn complete(
        &self,
        lease: &LeaseToken,
        message_id: &MessageId,
        now: Millis,
    ) -> StoreResult<()> {
        let mut g = self.inner.lock();
        let item = g.leased_mut(lease)?;
        item.state = OutboxState::Sent {
            message_id: message_id.clone(),
        };
        item.updated_at = now;
        Ok(())
    }

    async fn complete_many(
        &self,
        done: &[(LeaseToken, MessageId)],
        now: Millis,
    ) -> StoreResult<Vec<bool>> {
        let mut g = self.inner.lock();
        Ok(done
            .iter()
            .map(|(lease, id)| match g.leased_mut(lease) {
                Ok(item) => {
                    item.state = OutboxState::Sent {
                        message_id: id.clone(),
                    };
                    item.updated_at = now;
                    true
                }
                Err(_) => false,
            })
            .collect())
    }

    async fn retry_later(
        &self,
        lease: &LeaseToken,
        at: Millis,
        error: &ErrorDetails,
    ) -> StoreResult<()> {
        let mut g = self.inner.lock();
        let item = g.leased_mut(lease)?;
        item.state = OutboxState::RetryLater;
        item.not_before = at;
        item.history
            .push(format!("retry: {} {}", error.code, error.message));
        item.last_error = Some(error.clone());
        Ok(())
    }

    async fn defer(&self, lease: &LeaseToken, until: Millis, reason: &str) -> StoreResult<()> {
        let mut g = self.inner.lock();
        let item = g.leased_mut(lease)?;
        item.state = OutboxState::Deferred {
            reason: reason.to_string(),
        };
        item.not_before = until;
        // A hold is not a send attempt.
        item.attempts = item.attempts.saturating_sub(1);
        item.history.push(format!("deferred: {reason}"));
        Ok(())
    }

    async fn park(
        &self,
        lease: &LeaseToken,
        reason: &str,
        error: Option<&ErrorDetails>,
    ) -> StoreResult<()> {
        let mut g = self.inner.lock();
        let item = g.leased_mut(lease)?;
        item.state = OutboxState::Parked {
            reason: reason.to_string(),
        };
        item.history.push(format!("parked: {reason}"));
        if let Some(e) = error {
            item.last_error = Some(e.clone());
        }
        Ok(())
    }

    async fn release_expired(&self, now: Millis) -> StoreResult<u64> {
        let mut g = self.inner.lock();
        let mut n = 0;
        for item in g.outbox.values_mut() {
            if let OutboxState::Leased { until, .. } = item.state
                && until <= now
            {
                item.state = OutboxState::Queued;
                item.history.push("lease expired: released".into());
                n += 1;
            }
        }
        Ok(n)
    }

    async fn get_item(&self, id: &str) -> StoreResult<Option<OutboxItem>> {
        Ok(self.inner.lock().outbox.get(id).cloned())
    }

    async fn get_by_key(&self, key: &IdempotencyKey) -> StoreResult<Option<OutboxItem>> {
        let g = self.inner.lock();
        Ok(g.outbox_keys
            .get(key.as_str())
            .and_then(|id| g.outbox.get(id))
            .cloned())
    }

    async fn list_by_state(
        &self,
        state: OutboxStateKind,
        limit: usize,
    ) -> StoreResult<Vec<OutboxItem>> {
        let g = self.inner.lock();
        let mut items: Vec<&OutboxItem> = g
            .outbox
            .values()
            .filter(|i| i.state.kind() == state)
            .collect();
        // Oldest first, as the SQL adapters list them.
        items.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(items.into_iter().take(limit).cloned().collect())
    }

    async fn stats(&self) -> StoreResult<OutboxStats> {
        let g = self.inner.lock();
        let mut s = OutboxStats::default();
        for i in g.outbox.values() {
            count_state(&mut s, &i.state);
        }
        Ok(s)
    }
}

#[async_trait]
impl SyncStateStore for MemoryStore {
    async fn get_cursor(&self, connector: &str, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .inner
            .lock()
            .cursors
            .get(&(connector.to_string(), key.to_string()))
            .cloned())
    }

    async fn set_cursor(&self, connector: &str, key: &str, value: &str) -> StoreResult<()> {
        self.inner
            .lock()
            .cursors
            .insert((connector.to_string(), key.to_string()), value.to_string());
        Ok(())
    }

    async fn list_cursors(&self, connector: &str) -> StoreResult<Vec<(String, String)>> {
        let mut out: Vec<(String, String)> = self
            .inner
            .lock()
            .cursors
            .iter()
            .filter(|((c, _), _)| c == connector)
            .map(|((_, k), v)| (k.clone(), v.clone()))
            .collect();
        out.sort();
        Ok(out)
    }

    async fn park_push(&self, p: &ParkedPush) -> StoreResult<()> {
        self.inner.lock().parked.push(p.clone());
        Ok(())
    }

    async fn list_parked(&self, connector: &str) -> StoreResult<Vec<ParkedPush>> {
        Ok(self
            .inner
            .lock()
            .parked
            .iter()
            .filter(|p| p.connector == connector)
            .cloned()
            .collect())
    }

    async fn record_discrepancy(&self, d: &Discrepancy) -> StoreResult<()> {
        self.inner.lock().discrepancies.push(d.clone());
        Ok(())
    }

    async fn list_discrepancies(&self, connector: &str) -> StoreResult<Vec<Discrepancy>> {
        Ok(self
            .inner
            .lock()
            .discrepancies
            .iter()
            .filter(|d| d.connector == connector)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl AuditLog for MemoryStore {
    async fn append(&self, e: &AuditEntry) -> StoreResult<u64> {
        let mut g = self.inner.lock();
        // The head is the last entry, or the last purge checkpoint when retention emptied the log.
        let (seq, prev) = match g.audit.last() {
            Some(last) => (last.seq + 1, last.hash.clone()),
            None => g
                .checkpoints
                .iter()
                .filter(|c| c.kind == CheckpointKind::Purge)
                .max_by_key(|c| c.seq)
                .map(|c| (c.seq + 1, c.hash.clone()))
                .unwrap_or((1, String::new())),
        };
        let prev = if prev.is_empty() {
            crate::access::chain::GENESIS.to_string()
        } else {
            prev
        };
        let mut e = e.clone();
        crate::access::chain::seal(&mut e, seq, &prev);
        g.audit.push(e);
        Ok(seq)
    }

    async fn list(&self, after_seq: u64, limit: usize) -> StoreResult<Vec<AuditEntry>> {
        Ok(self
            .inner
            .lock()
            .audit
            .iter()
            .filter(|e| e.seq > after_seq)
            .take(limit)
            .cloned()
            .collect())
    }

    async fn last(&self) -> StoreResult<Option<AuditEntry>> {
        Ok(self.inner.lock().audit.last().cloned())
    }

    async fn checkpoints(&self) -> StoreResult<Vec<AuditCheckpoint>> {
        Ok(self.inner.lock().checkpoints.clone())
    }

    async fn add_checkpoint(&self, c: &AuditCheckpoint) -> StoreResult<()> {
        self.inner.lock().checkpoints.push(c.clone());
        Ok(())
    }

    async fn purge_through(&self, c: &AuditCheckpoint) -> StoreResult<u64> {
        let mut g = self.inner.lock();
        check_purge(c, g.audit.iter().find(|e| e.seq == c.seq))?;
        let before = g.audit.len();
        g.audit.retain(|e| e.seq > c.seq);
        g.checkpoints.push(c.clone());
        Ok((before - g.audit.len()) as u64)
    }
}

#[async_trait]
impl AccessStore for MemoryStore {
    async fn upsert_user(&self, u: &crate::access::User) -> StoreResult<()> {
        self.inner.lock().users.insert(u.id.clone(), u.clone());
        Ok(())
    }

    async fn get_user(&self, id: &str) -> StoreResult<Option<crate::access::User>> {
        Ok(self.inner.lock().users.get(id).cloned())
    }

    async fn list_users(&self) -> StoreResult<Vec<crate::access::User>> {
        Ok(self.inner.lock().users.values().cloned().collect())
    }

    async fn upsert_role(&self, r: &crate::access::Role) -> StoreResult<()> {
        self.inner.lock().roles.insert(r.name.clone(), r.clone());
        Ok(())
    }

    async fn get_role(&self, name: &str) -> StoreResult<Option<crate::access::Role>> {
        Ok(self.inner.lock().roles.get(name).cloned())
    }

    async fn list_roles(&self) -> StoreResult<Vec<crate::access::Role>> {
        Ok(self.inner.lock().roles.values().cloned().collect())
    }

    async fn grant(&self, m: &crate::access::Membership) -> StoreResult<()> {
        self.inner
            .lock()
            .memberships
            .insert((m.user_id.clone(), m.role.clone()), m.clone());
        Ok(())
    }

    async fn revoke(&self, user_id: &str, role: &str) -> StoreResult<bool> {
        Ok(self
            .inner
            .lock()
            .memberships
            .remove(&(user_id.to_string(), role.to_string()))
            .is_some())
    }

    async fn memberships(&self, user_id: &str) -> StoreResult<Vec<crate::access::Membership>> {
        Ok(self
            .inner
            .lock()
            .memberships
            .values()
            .filter(|m| m.user_id == user_id)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl AgentStore for MemoryStore {
    async fn upsert_agent(&self, a: &Agent) -> StoreResult<()> {
        self.inner.lock().agents.insert(a.id.0.clone(), a.clone());
        Ok(())
    }

    async fn get_agent(&self, id: &AgentId) -> StoreResult<Option<Agent>> {
        Ok(self.inner.lock().agents.get(id.as_str()).cloned())
    }

    async fn list_agents(&self) -> StoreResult<Vec<Agent>> {
        Ok(self.inner.lock().agents.values().cloned().collect())
    }

    async fn set_presence(&self, id: &AgentId, p: Presence, at: Millis) -> StoreResult<()> {
        let mut g = self.inner.lock();
        let a = g
            .agents
            .get_mut(id.as_str())
            .ok_or_else(|| StoreError::NotFound(id.0.clone()))?;
        a.presence = p;
        a.updated_at = at;
        Ok(())
    }
}
