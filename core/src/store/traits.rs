//! The store traits. Each write that must be atomic is one method (merge,
//! claim); methods are idempotent and monotone by contract, and the
//! conformance suite checks that.

use async_trait::async_trait;

use super::types::*;
use crate::access::{Membership, Role, User};
use crate::ids::{AgentId, ContactId, ConversationId, IdempotencyKey, MessageId, PhoneNumberId};
use crate::time::Millis;

/// Contacts.
#[async_trait]
pub trait ContactStore: Send + Sync + 'static {
    /// By id.
    async fn get(&self, id: &ContactId) -> StoreResult<Option<Contact>>;
    /// By WhatsApp id.
    async fn find_by_wa_id(&self, wa_id: &str) -> StoreResult<Option<Contact>>;
    /// By E.164.
    async fn find_by_e164(&self, e164: &str) -> StoreResult<Option<Contact>>;
    /// By BSUID.
    async fn find_by_bsuid(&self, bsuid: &str) -> StoreResult<Option<Contact>>;
    /// Those of `ids` that exist, in any order (a few queries for the lot,
    /// not one per id: an import looks up thousands at a time).
    async fn get_many(&self, ids: &[ContactId]) -> StoreResult<Vec<Contact>> {
        let mut out = Vec::new();
        for id in ids {
            out.extend(self.get(id).await?);
        }
        Ok(out)
    }
    /// For each of `e164s` held by some contact, the one [`Self::find_by_e164`]
    /// returns (the lowest id), in any order, looked up together.
    async fn find_many_by_e164(&self, e164s: &[String]) -> StoreResult<Vec<Contact>> {
        let mut out = Vec::new();
        for e in e164s {
            out.extend(self.find_by_e164(e).await?);
        }
        Ok(out)
    }
    /// Create or update. `expected_version`: `None` overwrites; `Some(v)` requires
    /// the stored version to be `v` (`Some(0)`: must not exist). Returns the stored
    /// record with its new version.
    async fn upsert(&self, c: &Contact, expected_version: Option<u64>) -> StoreResult<Contact>;
    /// Create or overwrite many in one transaction.
    async fn upsert_many(&self, cs: &[Contact]) -> StoreResult<Vec<Contact>>;
    /// Filtered list with cursor paging (ordered by id).
    async fn list(&self, f: &ContactFilter, page: &PageRequest) -> StoreResult<Page<Contact>>;
    /// Atomically merge `absorbed` into `survivor`: identities, tags and attributes
    /// are united, every conversation and message of `absorbed` re-points to
    /// `survivor`, and `absorbed` is deleted.
    async fn merge(&self, survivor: &ContactId, absorbed: &ContactId) -> StoreResult<Contact>;
    /// Delete; `false` when absent.
    async fn delete(&self, id: &ContactId) -> StoreResult<bool>;
}

/// Conversations.
#[async_trait]
pub trait ConversationStore: Send + Sync + 'static {
    /// Store a new conversation.
    async fn create(&self, c: &Conversation) -> StoreResult<()>;
    /// Replace a conversation.
    async fn update(&self, c: &Conversation) -> StoreResult<()>;
    /// By id.
    async fn get(&self, id: &ConversationId) -> StoreResult<Option<Conversation>>;
    /// The open (or waiting) conversation of a contact on a number.
    async fn open_for_contact(
        &self,
        contact: &ContactId,
        number: &PhoneNumberId,
    ) -> StoreResult<Option<Conversation>>;
    /// Every conversation that is not closed or archived.
    async fn list_open(&self) -> StoreResult<Vec<Conversation>>;
    /// Open conversations of one agent.
    async fn list_open_by_agent(&self, agent: &AgentId) -> StoreResult<Vec<Conversation>>;
    /// Every conversation of a contact.
    async fn list_for_contact(&self, contact: &ContactId) -> StoreResult<Vec<Conversation>>;
    /// Archive conversations closed before `cutoff`; returns how many.
    async fn archive_closed_before(&self, cutoff: Millis) -> StoreResult<u64>;
    /// Retention: in one atomic step, delete every archived conversation closed
    /// before `cutoff` together with its messages (and the statuses they hold).
    /// Other conversations, contacts and the audit log are untouched.
    async fn purge_archived_before(&self, cutoff: Millis) -> StoreResult<PurgeCounts>;
    /// Every conversation, a page at a time, ordered by id (analytics reads
    /// them all; the cursor is the last id of the previous page).
    async fn list_all(&self, page: &PageRequest) -> StoreResult<Page<Conversation>>;
}

/// Messages and their statuses.
#[async_trait]
pub trait MessageStore: Send + Sync + 'static {
    /// Idempotent on the message id (webhooks are at-least-once).
    async fn record_inbound(&self, m: &MessageRecord) -> StoreResult<Recorded>;
    /// Record a sent message; statuses that arrived before it are applied now.
    async fn record_outbound(&self, m: &MessageRecord) -> StoreResult<Recorded>;
    /// Monotone: sent < delivered < read < played, failed terminal; a duplicate
    /// or a step backwards is ignored; a status before its message is kept pending.
    async fn apply_status(&self, s: &StatusUpdate) -> StoreResult<StatusApplied>;
    /// Apply statuses in order with the answers [`Self::apply_status`] would
    /// give one by one, in few round trips (webhook ingest batches a
    /// campaign's statuses through this). Each answer carries the contact of
    /// the message the status applied to.
    async fn apply_statuses(&self, batch: &[StatusUpdate]) -> StoreResult<Vec<AppliedStatus>> {
        let mut out = Vec::with_capacity(batch.len());
        for s in batch {
            let outcome = self.apply_status(s).await?;
            let contact_id = if outcome == StatusApplied::Applied {
                self.get_message(&s.message_id)
                    .await?
                    .and_then(|m| m.contact_id)
            } else {
                None
            };
            out.push(AppliedStatus {
                outcome,
                contact_id,
                contact_has: None,
            });
        }
        Ok(out)
    }
    /// By id.
    async fn get_message(&self, id: &MessageId) -> StoreResult<Option<MessageRecord>>;
    /// Messages of a conversation in time order.
    async fn list_for_conversation(&self, c: &ConversationId) -> StoreResult<Vec<MessageRecord>>;
    /// Messages of a contact in time order.
    async fn list_for_contact(&self, c: &ContactId) -> StoreResult<Vec<MessageRecord>>;
    /// Statuses waiting for their message.
    async fn pending_statuses(&self) -> StoreResult<Vec<StatusUpdate>>;
    /// Drop bodies of messages created before `cutoff` (retention); returns how many.
    async fn purge_bodies_before(&self, cutoff: Millis) -> StoreResult<u64>;
    /// Retention: delete pending statuses (their message never arrived) whose
    /// time is before `cutoff`; returns how many.
    async fn expire_pending_before(&self, cutoff: Millis) -> StoreResult<u64>;
    /// Messages with `from <= created_at < to`, a page at a time, ordered by
    /// `(created_at, id)` (analytics recomputes over a range with this).
    async fn list_between(
        &self,
        from: Millis,
        to: Millis,
        page: &PageRequest,
    ) -> StoreResult<Page<MessageRecord>>;
}

/// The durable send queue.
#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// Store unless the idempotency key exists.
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<Enqueued>;
    /// Store many items in few round trips: one answer per item, in order
    /// (`Duplicate` for a key that exists or repeats an earlier item's).
    /// Stops at the first error; the items before it are stored.
    async fn enqueue_many(&self, items: &[OutboxItem]) -> StoreResult<Vec<Enqueued>> {
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            out.push(self.enqueue(i).await?);
        }
        Ok(out)
    }
    /// Lease up to `limit` due items (queued, retry-later or deferred with
    /// `not_before <= now`, or leases that expired) to `worker` until
    /// `now + lease_ms`, best lane first. Two workers never hold the same item.
    async fn claim(
        &self,
        worker: &str,
        now: Millis,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LeasedItem>>;
    /// Mark sent.
    async fn complete(
        &self,
        lease: &LeaseToken,
        message_id: &MessageId,
        now: Millis,
    ) -> StoreResult<()>;
    /// Mark many leased items sent at once: `true` where the lease still
    /// held, `false` where it was lost (that item is left as it is, as
    /// [`complete`](Self::complete) refuses it).
    async fn complete_many(
        &self,
        done: &[(LeaseToken, MessageId)],
        now: Millis,
    ) -> StoreResult<Vec<bool>> {
        let mut out = Vec::with_capacity(done.len());
        for (lease, id) in done {
            out.push(match self.complete(lease, id, now).await {
                Ok(()) => true,
                Err(StoreError::LeaseLost(_) | StoreError::NotFound(_)) => false,
                Err(e) => return Err(e),
            });
        }
        Ok(out)
    }
    /// Transient failure: try again at `at`.
    async fn retry_later(
        &self,
        lease: &LeaseToken,
        at: Millis,
        error: &crate::ErrorDetails,
    ) -> StoreResult<()>;
    /// A policy or limit holds the message until `until`, with the reason.
    async fn defer(&self, lease: &LeaseToken, until: Millis, reason: &str) -> StoreResult<()>;
    /// Give up (kept for review, never deleted).
    async fn park(
        &self,
        lease: &LeaseToken,
        reason: &str,
        error: Option<&crate::ErrorDetails>,
    ) -> StoreResult<()>;
    /// Return expired leases to the queue (crash recovery); returns how many.
    async fn release_expired(&self, now: Millis) -> StoreResult<u64>;
    /// By id.
    async fn get_item(&self, id: &str) -> StoreResult<Option<OutboxItem>>;
    /// By idempotency key.
    async fn get_by_key(&self, key: &IdempotencyKey) -> StoreResult<Option<OutboxItem>>;
    /// Items in a state, oldest first.
    async fn list_by_state(
        &self,
        state: OutboxStateKind,
        limit: usize,
    ) -> StoreResult<Vec<OutboxItem>>;
    /// Counts per state.
    async fn stats(&self) -> StoreResult<OutboxStats>;
}

/// CRM sync bookkeeping.
#[async_trait]
pub trait SyncStateStore: Send + Sync + 'static {
    /// A cursor.
    async fn get_cursor(&self, connector: &str, key: &str) -> StoreResult<Option<String>>;
    /// Set a cursor.
    async fn set_cursor(&self, connector: &str, key: &str, value: &str) -> StoreResult<()>;
    /// Every `(key, value)` cursor of one namespace, ordered by key (byte
    /// order, whatever the database's collation). Readers that do not know
    /// the keys in advance use it: the analytics report lists the sync health
    /// every CRM engine saved under one namespace.
    async fn list_cursors(&self, connector: &str) -> StoreResult<Vec<(String, String)>>;
    /// Park a push that failed for good.
    async fn park_push(&self, p: &ParkedPush) -> StoreResult<()>;
    /// Parked pushes of a connector.
    async fn list_parked(&self, connector: &str) -> StoreResult<Vec<ParkedPush>>;
    /// Record a discrepancy.
    async fn record_discrepancy(&self, d: &Discrepancy) -> StoreResult<()>;
    /// Discrepancies of a connector.
    async fn list_discrepancies(&self, connector: &str) -> StoreResult<Vec<Discrepancy>>;
}

/// Append-only, hash-chained audit log: there is no update, and entries are
/// deleted only as a whole prefix behind a purge checkpoint (retention).
#[async_trait]
pub trait AuditLog: Send + Sync + 'static {
    /// Append: atomically take the next sequence number and seal the entry onto
    /// the chain (`crate::access::chain::seal`), so concurrent appends form one
    /// chain. Returns the entry's sequence number.
    async fn append(&self, e: &AuditEntry) -> StoreResult<u64>;
    /// Entries after `after_seq`, oldest first, as stored (a verifier must see
    /// tampering, so adapters never repair what they read).
    async fn list(&self, after_seq: u64, limit: usize) -> StoreResult<Vec<AuditEntry>>;
    /// The last entry (the chain head), if any.
    async fn last(&self) -> StoreResult<Option<AuditEntry>>;
    /// Every checkpoint, oldest first.
    async fn checkpoints(&self) -> StoreResult<Vec<AuditCheckpoint>>;
    /// Record a checkpoint (append-only too).
    async fn add_checkpoint(&self, c: &AuditCheckpoint) -> StoreResult<()>;
    /// Retention: atomically record the `purge` checkpoint `c` and delete every
    /// entry up to and including `c.seq`, whose hash must be `c.hash`. Returns
    /// how many entries were deleted.
    async fn purge_through(&self, c: &AuditCheckpoint) -> StoreResult<u64>;
}

/// Console users, custom roles and memberships (C13). Preset roles live in
/// code ([`crate::access::Role::preset`]) and are never stored.
#[async_trait]
pub trait AccessStore: Send + Sync + 'static {
    /// Create or replace a user.
    async fn upsert_user(&self, u: &User) -> StoreResult<()>;
    /// By id.
    async fn get_user(&self, id: &str) -> StoreResult<Option<User>>;
    /// All users, by id.
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    /// Create or replace a custom role.
    async fn upsert_role(&self, r: &Role) -> StoreResult<()>;
    /// A custom role by name.
    async fn get_role(&self, name: &str) -> StoreResult<Option<Role>>;
    /// Custom roles, by name.
    async fn list_roles(&self) -> StoreResult<Vec<Role>>;
    /// Grant (or re-scope) a membership; one per user and role.
    async fn grant(&self, m: &Membership) -> StoreResult<()>;
    /// Revoke; `false` when there was none.
    async fn revoke(&self, user_id: &str, role: &str) -> StoreResult<bool>;
    /// Memberships of a user, by role name.
    async fn memberships(&self, user_id: &str) -> StoreResult<Vec<Membership>>;
}

/// Agents.
#[async_trait]
pub trait AgentStore: Send + Sync + 'static {
    /// Create or replace.
    async fn upsert_agent(&self, a: &Agent) -> StoreResult<()>;
    /// By id.
    async fn get_agent(&self, id: &AgentId) -> StoreResult<Option<Agent>>;
    /// All agents.
    async fn list_agents(&self) -> StoreResult<Vec<Agent>>;
    /// Change presence.
    async fn set_presence(&self, id: &AgentId, p: Presence, at: Millis) -> StoreResult<()>;
}

/// The sending policies' memory of past sends, shared by every worker on the
/// store. Checking a cap and recording the send is one atomic step per
/// recipient, so two workers never both pass a cap of one.
#[async_trait]
pub trait PolicyHistoryStore: Send + Sync + 'static {
    /// Atomically for `entry.recipient` (against every worker on the store):
    /// read its sends with `at >= since`, leaving out an earlier record of
    /// `entry.item_id` itself, and when `admit` accepts them record `entry`
    /// (replacing that earlier record). Returns whether `entry` was recorded.
    async fn admit_send(
        &self,
        entry: &PolicySend,
        since: Millis,
        admit: &(dyn for<'h> Fn(&'h [PolicySend]) -> bool + Send + Sync),
    ) -> StoreResult<bool>;
    /// Remove the record of an item whose send did not happen; `false` when absent.
    async fn forget_send(&self, recipient: &str, item_id: &str) -> StoreResult<bool>;
    /// Sends to `recipient` with `at >= since`, oldest first.
    async fn sends_since(&self, recipient: &str, since: Millis) -> StoreResult<Vec<PolicySend>>;
    /// Retention: delete records with `at < cutoff`; returns how many.
    async fn prune_sends_before(&self, cutoff: Millis) -> StoreResult<u64>;
}
