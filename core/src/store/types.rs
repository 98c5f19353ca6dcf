//! Records the stores keep. Timestamps are epoch milliseconds.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ErrorDetails;
use crate::ids::{
    AgentId, Bsuid, ContactId, ConversationId, E164, IdempotencyKey, MessageId, PhoneNumberId,
    Recipient, WaId,
};
use crate::time::Millis;

/// One store failure type for every adapter.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The record does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Optimistic concurrency: someone else wrote first.
    #[error("version conflict (expected {expected}, found {found})")]
    Conflict {
        /// Version the caller had.
        expected: u64,
        /// Version in the store.
        found: u64,
    },
    /// A unique key is taken.
    #[error("duplicate key: {0}")]
    Duplicate(String),
    /// A stored record could not be decoded.
    #[error("corrupt record {key}: {message}")]
    Corrupt {
        /// Which record.
        key: String,
        /// Decoder message.
        message: String,
    },
    /// Schema problem.
    #[error("migration: {0}")]
    Migration(String),
    /// The file or database is not a wacrm store.
    #[error("not a wacrm database: {0}")]
    NotAWacrmDatabase(String),
    /// A lease expired or belongs to another worker.
    #[error("lease lost: {0}")]
    LeaseLost(String),
    /// The backend failed.
    #[error("backend: {message}")]
    Backend {
        /// What failed.
        message: String,
        /// Connection or timeout trouble that a retry may fix.
        retryable: bool,
    },
}

impl StoreError {
    /// Whether retrying the operation may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StoreError::Backend {
                retryable: true,
                ..
            }
        )
    }
}

impl From<StoreError> for crate::Error {
    fn from(e: StoreError) -> Self {
        crate::Error::Store {
            retryable: e.is_retryable(),
            message: e.to_string(),
        }
    }
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// A contact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Store id.
    pub id: ContactId,
    /// Phone in E.164.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e164: Option<E164>,
    /// WhatsApp id learned from webhooks or send responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<WaId>,
    /// Business-scoped user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bsuid: Option<Bsuid>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Id in an external system (CRM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeSet<String>,
    /// Custom attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, Value>,
    /// Marketing opt-in.
    #[serde(default)]
    pub opted_in: bool,
    /// Set while the contact has opted out (STOP, ...): marketing and utility
    /// templates are refused until they opt in again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opted_out: Option<OptOut>,
    /// IANA time zone, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Optimistic-concurrency version (0 = never stored).
    #[serde(default)]
    pub version: u64,
    /// Created.
    #[serde(default)]
    pub created_at: Millis,
    /// Last change.
    #[serde(default)]
    pub updated_at: Millis,
}

/// Filters for listing contacts (segments are built on this).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactFilter {
    /// Every one of these tags.
    #[serde(default)]
    pub tags_all: Vec<String>,
    /// At least one of these tags (ignored when empty).
    #[serde(default)]
    pub tags_any: Vec<String>,
    /// None of these tags.
    #[serde(default)]
    pub tags_none: Vec<String>,
    /// Attributes equal to these values.
    #[serde(default)]
    pub attributes: BTreeMap<String, Value>,
    /// Only contacts with a phone.
    #[serde(default)]
    pub has_phone: bool,
}

impl ContactFilter {
    /// Whether a contact passes.
    pub fn matches(&self, c: &Contact) -> bool {
        self.tags_all.iter().all(|t| c.tags.contains(t))
            && (self.tags_any.is_empty() || self.tags_any.iter().any(|t| c.tags.contains(t)))
            && !self.tags_none.iter().any(|t| c.tags.contains(t))
            && self
                .attributes
                .iter()
                .all(|(k, v)| c.attributes.get(k) == Some(v))
            && (!self.has_phone || c.e164.is_some() || c.wa_id.is_some() || c.bsuid.is_some())
    }
}

/// Cursor paging request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Items per page.
    pub limit: usize,
    /// Opaque cursor from the previous page.
    pub after: Option<String>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            limit: 100,
            after: None,
        }
    }
}

/// A page of results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// Items.
    pub items: Vec<T>,
    /// Cursor for the next page.
    pub next: Option<String>,
}

/// Conversation state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// Waiting for an agent or being handled.
    Open,
    /// Agent waits on the customer.
    WaitingOnCustomer,
    /// Closed.
    Closed,
    /// Archived by retention.
    Archived,
}

impl ConversationStatus {
    /// Wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Open => "open",
            ConversationStatus::WaitingOnCustomer => "waiting_on_customer",
            ConversationStatus::Closed => "closed",
            ConversationStatus::Archived => "archived",
        }
    }
}

/// A conversation between a contact and a business number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// Id.
    pub id: ConversationId,
    /// Contact.
    pub contact_id: ContactId,
    /// Business number.
    pub phone_number_id: PhoneNumberId,
    /// State.
    pub status: ConversationStatus,
    /// Assigned agent.
    #[serde(default)]
    pub agent_id: Option<AgentId>,
    /// Higher is more urgent.
    #[serde(default)]
    pub priority: i32,
    /// Opened.
    pub opened_at: Millis,
    /// Last assignment.
    #[serde(default)]
    pub assigned_at: Option<Millis>,
    /// Last customer message.
    #[serde(default)]
    pub last_inbound_at: Option<Millis>,
    /// Last business message.
    #[serde(default)]
    pub last_outbound_at: Option<Millis>,
    /// First human reply after opening.
    #[serde(default)]
    pub first_response_at: Option<Millis>,
    /// Last reply written by a human agent (automation pauses after it).
    #[serde(default)]
    pub last_human_reply_at: Option<Millis>,
    /// Closed.
    #[serde(default)]
    pub closed_at: Option<Millis>,
}

/// Direction of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the customer.
    Inbound,
    /// From the business.
    Outbound,
}

/// Delivery status of an outbound message, ordered: sent < delivered < read < played; failed is terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Accepted by the API, no webhook yet.
    Accepted,
    /// Sent.
    Sent,
    /// Delivered.
    Delivered,
    /// Read.
    Read,
    /// Voice message played.
    Played,
    /// Failed.
    Failed,
}

impl MessageStatus {
    /// Position on the ladder; `failed` is above everything (terminal).
    pub fn rank(self) -> u8 {
        match self {
            MessageStatus::Accepted => 0,
            MessageStatus::Sent => 1,
            MessageStatus::Delivered => 2,
            MessageStatus::Read => 3,
            MessageStatus::Played => 4,
            MessageStatus::Failed => 5,
        }
    }

    /// Parse the webhook string.
    pub fn parse(s: &str) -> Option<MessageStatus> {
        Some(match s {
            "accepted" => MessageStatus::Accepted,
            "sent" => MessageStatus::Sent,
            "delivered" => MessageStatus::Delivered,
            "read" => MessageStatus::Read,
            "played" => MessageStatus::Played,
            "failed" => MessageStatus::Failed,
            _ => return None,
        })
    }

    /// Wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Accepted => "accepted",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Played => "played",
            MessageStatus::Failed => "failed",
        }
    }
}

/// A stored message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    /// WhatsApp message id.
    pub id: MessageId,
    /// Business number.
    pub phone_number_id: PhoneNumberId,
    /// Conversation.
    #[serde(default)]
    pub conversation_id: Option<ConversationId>,
    /// Contact.
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    /// Direction.
    pub direction: Direction,
    /// Message type.
    pub msg_type: String,
    /// Body (JSON); `Null` after retention purged it.
    #[serde(default)]
    pub body: Value,
    /// Outbound status.
    #[serde(default)]
    pub status: Option<MessageStatus>,
    /// When each status arrived.
    #[serde(default)]
    pub status_times: BTreeMap<String, Millis>,
    /// Error of a failed message.
    #[serde(default)]
    pub error: Option<ErrorDetails>,
    /// Human agent who wrote it (outbound).
    #[serde(default)]
    pub agent_id: Option<AgentId>,
    /// Campaign it belongs to.
    #[serde(default)]
    pub campaign_id: Option<String>,
    /// Created (message timestamp).
    pub created_at: Millis,
}

/// A status to apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    /// Message.
    pub message_id: MessageId,
    /// New status.
    pub status: MessageStatus,
    /// When (epoch ms).
    pub at: Millis,
    /// Error of a failed status.
    #[serde(default)]
    pub error: Option<ErrorDetails>,
}

/// Outcome of recording a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recorded {
    /// First time seen.
    New,
    /// Already recorded (redelivery).
    Duplicate,
}

/// Outcome of applying a status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusApplied {
    /// Moved the message forward.
    Applied,
    /// Not applied, with the reason (duplicate, backwards, after failed).
    Ignored(String),
    /// The message is not known yet; kept until it is.
    Pending,
}

/// One answer of [`MessageStore::apply_statuses`](super::MessageStore::apply_statuses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedStatus {
    /// What applying the status did.
    pub outcome: StatusApplied,
    /// The contact of the message it applied to (`None` unless applied).
    pub contact_id: Option<ContactId>,
    /// Which ids that contact had when the status was applied (`None`: not
    /// looked up), so a caller can skip learning ids the contact already has.
    pub contact_has: Option<ContactHas>,
}

/// What a store saw of a message's contact while applying a status to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContactHas {
    /// The contact exists.
    pub exists: bool,
    /// It has a wa_id.
    pub wa_id: bool,
    /// It has a BSUID.
    pub bsuid: bool,
}

/// Message category, for policies and pricing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Marketing template.
    Marketing,
    /// Utility template.
    Utility,
    /// Authentication template.
    Authentication,
    /// Free-form service message.
    Service,
}

/// Priority lane: replies before notifications before marketing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// Replies to customers.
    Reply = 0,
    /// Transactional notifications.
    Notification = 1,
    /// Marketing and campaigns.
    Marketing = 2,
}

/// State of an outbox item. Unsent items are never deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum OutboxState {
    /// Waiting to be claimed.
    Queued,
    /// Claimed by a worker until `until`.
    Leased {
        /// Worker.
        worker: String,
        /// Lease expiry.
        until: Millis,
    },
    /// Sent; the message id is known.
    Sent {
        /// WhatsApp message id.
        message_id: MessageId,
    },
    /// Held by a policy until a time.
    Deferred {
        /// Reason recorded.
        reason: String,
    },
    /// A transient failure; retried at `not_before`.
    RetryLater,
    /// Given up, with the error; kept for review.
    Parked {
        /// Why.
        reason: String,
    },
}

impl OutboxState {
    /// Which state this is, without its details.
    pub fn kind(&self) -> OutboxStateKind {
        match self {
            OutboxState::Queued => OutboxStateKind::Queued,
            OutboxState::Leased { .. } => OutboxStateKind::Leased,
            OutboxState::Sent { .. } => OutboxStateKind::Sent,
            OutboxState::Deferred { .. } => OutboxStateKind::Deferred,
            OutboxState::RetryLater => OutboxStateKind::RetryLater,
            OutboxState::Parked { .. } => OutboxStateKind::Parked,
        }
    }

    /// Short name (the stored string, see [`OutboxStateKind::as_str`]).
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }
}

/// The name of an outbox state, as stored in the `state` column and accepted
/// by the CLI and the bindings (`queued`, `leased`, `sent`, `deferred`,
/// `retry_later`, `parked`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStateKind {
    /// Waiting to be claimed.
    Queued,
    /// Claimed by a worker.
    Leased,
    /// Sent.
    Sent,
    /// Held by a policy or limit.
    Deferred,
    /// Waiting for a retry after a transient failure.
    RetryLater,
    /// Given up; kept for review.
    Parked,
}

impl OutboxStateKind {
    /// Every state, in lifecycle order.
    pub const ALL: [OutboxStateKind; 6] = [
        OutboxStateKind::Queued,
        OutboxStateKind::Leased,
        OutboxStateKind::RetryLater,
        OutboxStateKind::Deferred,
        OutboxStateKind::Sent,
        OutboxStateKind::Parked,
    ];

    /// States a worker claims once `not_before` has passed.
    pub const WAITING: [OutboxStateKind; 3] = [
        OutboxStateKind::Queued,
        OutboxStateKind::RetryLater,
        OutboxStateKind::Deferred,
    ];

    /// The stored string.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStateKind::Queued => "queued",
            OutboxStateKind::Leased => "leased",
            OutboxStateKind::Sent => "sent",
            OutboxStateKind::Deferred => "deferred",
            OutboxStateKind::RetryLater => "retry_later",
            OutboxStateKind::Parked => "parked",
        }
    }
}

impl std::fmt::Display for OutboxStateKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for OutboxStateKind {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OutboxStateKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                crate::Error::validation(
                    "state",
                    format!(
                        "unknown outbox state {s:?}; one of {}",
                        OutboxStateKind::ALL.map(|k| k.as_str()).join(", ")
                    ),
                )
            })
    }
}

/// One message waiting to be sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// Item id.
    pub id: String,
    /// Unique per message: a re-enqueue is a duplicate, never a second send.
    pub idempotency_key: IdempotencyKey,
    /// Sender.
    pub phone_number_id: PhoneNumberId,
    /// Recipient (E.164/wa_id or BSUID), stored as the plain string.
    pub recipient: Recipient,
    /// The message (the client's `OutboundMessage` as JSON).
    pub payload: Value,
    /// Category.
    pub category: Category,
    /// Lane.
    pub lane: Lane,
    /// Campaign.
    #[serde(default)]
    pub campaign_id: Option<String>,
    /// Not before (epoch ms).
    pub not_before: Millis,
    /// Attempts so far.
    #[serde(default)]
    pub attempts: u32,
    /// State.
    pub state: OutboxState,
    /// Last error.
    #[serde(default)]
    pub last_error: Option<ErrorDetails>,
    /// Every hold/park reason, in order.
    #[serde(default)]
    pub history: Vec<String>,
    /// Created.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
}

/// A claim on an outbox item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseToken {
    /// Item.
    pub item_id: String,
    /// Worker.
    pub worker: String,
    /// Lease expiry (also distinguishes successive leases of one item).
    pub until: Millis,
}

/// A claimed item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeasedItem {
    /// The item.
    pub item: OutboxItem,
    /// The lease.
    pub lease: LeaseToken,
}

/// Outcome of an enqueue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Enqueued {
    /// Stored.
    New,
    /// The idempotency key exists: nothing stored.
    Duplicate,
}

/// Counts per state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxStats {
    /// Queued.
    pub queued: u64,
    /// Leased.
    pub leased: u64,
    /// Sent.
    pub sent: u64,
    /// Deferred.
    pub deferred: u64,
    /// Waiting for a retry.
    pub retry_later: u64,
    /// Parked.
    pub parked: u64,
}

impl OutboxStats {
    /// Everything not yet sent or parked.
    pub fn pending(&self) -> u64 {
        self.queued + self.leased + self.deferred + self.retry_later
    }
}

/// Agent presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Takes conversations.
    Online,
    /// Keeps conversations, takes no new ones.
    Away,
    /// Gone: conversations are reassigned.
    Offline,
}

/// An agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    /// Id.
    pub id: AgentId,
    /// Name.
    pub name: String,
    /// Presence.
    pub presence: Presence,
    /// Hard cap of open conversations.
    pub capacity: u32,
    /// Skills (language, product, vip, ...).
    #[serde(default)]
    pub skills: BTreeSet<String>,
    /// Teams.
    #[serde(default)]
    pub teams: BTreeSet<String>,
    /// Last change.
    #[serde(default)]
    pub updated_at: Millis,
}

/// One audit log entry (append-only, hash-chained: see `crate::access::chain`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position, assigned by the store.
    #[serde(default)]
    pub seq: u64,
    /// When.
    pub at: Millis,
    /// Who.
    pub actor: String,
    /// What (`send`, `broadcast`, `export`, `rule.update`, ...).
    pub action: String,
    /// On what.
    pub target: String,
    /// Details.
    #[serde(default)]
    pub details: Value,
    /// From where: the console client (app, IP, device) that asked, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// How it ended.
    #[serde(default)]
    pub outcome: AuditOutcome,
    /// Hash of the previous entry (hex), set by the store on append.
    #[serde(default)]
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and this entry's canonical bytes (hex), set by the store.
    #[serde(default)]
    pub hash: String,
}

impl AuditEntry {
    /// A new entry (outcome `ok`, no client id); the store fills `seq` and the hashes.
    pub fn new(
        at: Millis,
        actor: impl Into<String>,
        action: impl Into<String>,
        target: impl Into<String>,
    ) -> AuditEntry {
        AuditEntry {
            at,
            actor: actor.into(),
            action: action.into(),
            target: target.into(),
            ..AuditEntry::default()
        }
    }
}

/// The outcome of an audited action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// Allowed and done.
    #[default]
    Ok,
    /// Refused: the actor lacks the permission or the object is out of scope.
    Forbidden,
    /// Allowed but failed (the error is in `details.error`).
    Failed,
}

impl AuditOutcome {
    /// Wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Ok => "ok",
            AuditOutcome::Forbidden => "forbidden",
            AuditOutcome::Failed => "failed",
        }
    }
}

/// A signed mark in the audit chain: `head` records the chain head at a moment
/// (so truncating the tail later is detected); `purge` records the last entry
/// removed by retention (the log then starts right after it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCheckpoint {
    /// The entry the checkpoint names.
    pub seq: u64,
    /// That entry's hash.
    pub hash: String,
    /// When it was taken.
    pub at: Millis,
    /// `head` or `purge`.
    pub kind: CheckpointKind,
    /// HMAC-SHA256 (hex) over the checkpoint's canonical text, when a key was configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// Kind of [`AuditCheckpoint`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointKind {
    /// The chain head at a moment.
    Head,
    /// Entries up to and including `seq` were purged by retention.
    Purge,
}

impl CheckpointKind {
    /// Wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckpointKind::Head => "head",
            CheckpointKind::Purge => "purge",
        }
    }
}

/// A CRM push that failed for good, kept for review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParkedPush {
    /// Id.
    pub id: String,
    /// Connector name.
    pub connector: String,
    /// Record key.
    pub key: String,
    /// Payload that did not go through.
    pub payload: Value,
    /// Last error.
    pub error: String,
    /// Attempts made.
    pub attempts: u32,
    /// When parked.
    pub at: Millis,
}

/// A field whose values disagree between wacrm and a CRM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Discrepancy {
    /// Id.
    pub id: String,
    /// Connector name.
    pub connector: String,
    /// Record key.
    pub key: String,
    /// Field.
    pub field: String,
    /// Local value.
    pub local: Value,
    /// Remote value.
    pub remote: Value,
    /// Which won.
    pub resolution: String,
    /// When.
    pub at: Millis,
}

/// One send remembered for the sending policies (frequency caps, same-content
/// caps, promotion and notification spacing). Shared by every worker through
/// [`PolicyHistoryStore`](super::PolicyHistoryStore), so caps survive restarts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySend {
    /// Recipient key (E.164, wa_id or BSUID), as on the outbox item.
    pub recipient: String,
    /// The outbox item sent; recording it again replaces the earlier record.
    pub item_id: String,
    /// When it was admitted (epoch ms).
    pub at: Millis,
    /// A marketing message (counts against the per-day marketing cap).
    #[serde(default)]
    pub marketing: bool,
    /// Hash of the rendered content (0 = none).
    #[serde(default)]
    pub content_hash: u64,
    /// A promotion.
    #[serde(default)]
    pub promotion: bool,
    /// The event a notification was about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_key: Option<String>,
}

/// When and how a contact opted out of business messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOut {
    /// When (epoch ms).
    pub at: Millis,
    /// Where it came from: `keyword` (an inbound message), `api`, `console`, `import`.
    pub source: String,
    /// The keyword the contact wrote, for `keyword`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
}

/// What one retention purge of archived conversations removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeCounts {
    /// Conversations deleted.
    pub conversations: u64,
    /// Their messages deleted (statuses live in the message record and go with it).
    pub messages: u64,
}
