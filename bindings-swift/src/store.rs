//! Stores opened by URL and their rows: contacts, conversations, messages and
//! the outbox, as the core's own types.

use std::sync::Arc;

use wacrm::E164;
use wacrm::contacts::{BadRow, ImportReport, LineEndings, Segment};
use wacrm::ids::{
    AgentId, Bsuid, ContactId, ConversationId, IdempotencyKey, MessageId, PhoneNumberId, Recipient,
    WaId,
};
use wacrm::store::{
    Category, Contact, ContactFilter, Conversation, ConversationStatus, Direction, Lane,
    MessageRecord, MessageStatus, OptOut, OutboxItem, OutboxState, OutboxStats,
};
use wacrm_bindings_common::{self as common, ImportArgs};

use crate::WacrmError;
use crate::contacts::{DedupeConfig, DedupeResult, MergeReport};
use crate::error::ErrorDetails;
use crate::runtime::{on_runtime, runtime};
use crate::values::{Attributes, Json, StatusTimes, StringSet};

/// A contact.
#[uniffi::remote(Record)]
pub struct Contact {
    pub id: ContactId,
    #[uniffi(default = None)]
    pub e164: Option<E164>,
    #[uniffi(default = None)]
    pub wa_id: Option<WaId>,
    #[uniffi(default = None)]
    pub bsuid: Option<Bsuid>,
    #[uniffi(default = None)]
    pub name: Option<String>,
    #[uniffi(default = None)]
    pub first_name: Option<String>,
    #[uniffi(default = None)]
    pub last_name: Option<String>,
    #[uniffi(default = None)]
    pub email: Option<String>,
    #[uniffi(default = None)]
    pub city: Option<String>,
    #[uniffi(default = None)]
    pub external_id: Option<String>,
    pub tags: StringSet,
    pub attributes: Attributes,
    #[uniffi(default = false)]
    pub opted_in: bool,
    #[uniffi(default = None)]
    pub opted_out: Option<OptOut>,
    #[uniffi(default = None)]
    pub time_zone: Option<String>,
    /// Optimistic-concurrency version (0 for a new contact).
    #[uniffi(default = 0)]
    pub version: u64,
    #[uniffi(default = 0)]
    pub created_at: i64,
    #[uniffi(default = 0)]
    pub updated_at: i64,
}

/// When and how a contact opted out of marketing and utility templates.
#[uniffi::remote(Record)]
pub struct OptOut {
    pub at: i64,
    pub source: String,
    #[uniffi(default = None)]
    pub keyword: Option<String>,
}

/// Which contacts a segment selects.
#[uniffi::remote(Record)]
pub struct ContactFilter {
    #[uniffi(default = [])]
    pub tags_all: Vec<String>,
    #[uniffi(default = [])]
    pub tags_any: Vec<String>,
    #[uniffi(default = [])]
    pub tags_none: Vec<String>,
    pub attributes: Attributes,
    #[uniffi(default = false)]
    pub has_phone: bool,
}

/// A named audience.
#[uniffi::remote(Record)]
pub struct Segment {
    pub name: String,
    pub filter: ContactFilter,
}

/// One row the import could not use, with its line number.
#[uniffi::remote(Record)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
    pub raw: Vec<String>,
    pub raw_text: String,
    pub raw_base64: Option<String>,
}

/// Line endings the import saw.
#[uniffi::remote(Record)]
pub struct LineEndings {
    pub lf: u64,
    pub crlf: u64,
    pub cr: u64,
}

/// What an import did.
#[uniffi::remote(Record)]
pub struct ImportReport {
    pub rows: u64,
    pub imported: u64,
    pub duplicates_in_file: u64,
    pub bad_rows: Vec<BadRow>,
    pub blank: u64,
    pub line_endings: LineEndings,
    pub last_committed_line: Option<u64>,
}

/// The options of `wacrm contacts import`.
#[uniffi::remote(Record)]
pub struct ImportArgs {
    /// The CSV file.
    pub path: String,
    /// `COLUMN=FIELD` mappings.
    #[uniffi(default = [])]
    pub map: Vec<String>,
    /// The column holding a stable contact id.
    #[uniffi(default = None)]
    pub id_column: Option<String>,
    /// Region for national-format phone numbers (`JP`, `BR`, ...).
    #[uniffi(default = None)]
    pub region: Option<String>,
    /// Tags added to every imported contact.
    #[uniffi(default = [])]
    pub add_tags: Vec<String>,
    /// Report rows without a valid phone as bad rows.
    #[uniffi(default = false)]
    pub require_phone: bool,
}

#[uniffi::remote(Enum)]
pub enum ConversationStatus {
    Open,
    WaitingOnCustomer,
    Closed,
    Archived,
}

/// A conversation with a contact.
#[uniffi::remote(Record)]
pub struct Conversation {
    pub id: ConversationId,
    pub contact_id: ContactId,
    pub phone_number_id: PhoneNumberId,
    pub status: ConversationStatus,
    pub agent_id: Option<AgentId>,
    pub priority: i32,
    pub opened_at: i64,
    pub assigned_at: Option<i64>,
    pub last_inbound_at: Option<i64>,
    pub last_outbound_at: Option<i64>,
    pub first_response_at: Option<i64>,
    pub last_human_reply_at: Option<i64>,
    pub closed_at: Option<i64>,
}

#[uniffi::remote(Enum)]
pub enum Direction {
    Inbound,
    Outbound,
}

#[uniffi::remote(Enum)]
pub enum MessageStatus {
    Accepted,
    Sent,
    Delivered,
    Read,
    Played,
    Failed,
}

/// The core's error details as stored on a message or outbox item.
pub type StoredError = wacrm::ErrorDetails;

uniffi::custom_type!(StoredError, ErrorDetails, {
    remote,
    lower: |d| ErrorDetails::from(d),
    try_lift: |d| Ok(d.into_core()?),
});

/// A message of either direction.
#[uniffi::remote(Record)]
pub struct MessageRecord {
    pub id: MessageId,
    pub phone_number_id: PhoneNumberId,
    pub conversation_id: Option<ConversationId>,
    pub contact_id: Option<ContactId>,
    pub direction: Direction,
    pub msg_type: String,
    /// The message body as stored.
    pub body: Json,
    pub status: Option<MessageStatus>,
    pub status_times: StatusTimes,
    pub error: Option<StoredError>,
    pub agent_id: Option<AgentId>,
    pub campaign_id: Option<String>,
    pub created_at: i64,
}

/// Meta's pricing category of a message.
#[uniffi::remote(Enum)]
pub enum Category {
    Marketing,
    Utility,
    Authentication,
    Service,
}

/// The queue a message waits in (replies before notifications before marketing).
#[uniffi::remote(Enum)]
pub enum Lane {
    Reply = 0,
    Notification = 1,
    Marketing = 2,
}

/// Where an outbox item is.
#[uniffi::remote(Enum)]
pub enum OutboxState {
    Queued,
    Leased { worker: String, until: i64 },
    Sent { message_id: MessageId },
    Deferred { reason: String },
    RetryLater,
    Parked { reason: String },
}

/// One message in the outbox.
#[uniffi::remote(Record)]
pub struct OutboxItem {
    pub id: String,
    pub idempotency_key: IdempotencyKey,
    pub phone_number_id: PhoneNumberId,
    pub recipient: Recipient,
    /// The message as queued.
    pub payload: Json,
    pub category: Category,
    pub lane: Lane,
    pub campaign_id: Option<String>,
    pub not_before: i64,
    pub attempts: u32,
    pub state: OutboxState,
    pub last_error: Option<StoredError>,
    pub history: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Outbox counts by state.
#[uniffi::remote(Record)]
pub struct OutboxStats {
    pub queued: u64,
    pub leased: u64,
    pub sent: u64,
    pub deferred: u64,
    pub retry_later: u64,
    pub parked: u64,
}

/// What `contactsDedupe` found and, when asked, merged.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DedupeOutcome {
    /// Clusters, pairs and the merge plan.
    pub result: DedupeResult,
    /// The merges executed (only with `merge`).
    pub merged: Option<MergeReport>,
}

/// Stores opened by URL (`memory:`, `sqlite://PATH`, `postgres://...`).
#[derive(uniffi::Object)]
pub struct Stores {
    pub(crate) inner: common::Stores,
}

#[uniffi::export]
impl Stores {
    /// Open (and migrate) the stores at `url`.
    #[uniffi::constructor]
    pub fn new(url: String) -> Result<Arc<Self>, WacrmError> {
        let inner = runtime().block_on(common::Stores::open(&url))?;
        Ok(Arc::new(Stores { inner }))
    }

    /// Import a CSV of contacts; bad rows are reported with their line numbers.
    pub async fn contacts_import_csv(&self, args: ImportArgs) -> Result<ImportReport, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.contacts_import_csv(args).await }).await
    }

    /// Find duplicate contacts; with `merge`, execute the merge plan.
    pub async fn contacts_dedupe(
        &self,
        config: DedupeConfig,
        merge: bool,
    ) -> Result<DedupeOutcome, WacrmError> {
        let s = self.inner.clone();
        let o = on_runtime(async move { s.contacts_dedupe(config.into(), merge).await }).await?;
        Ok(DedupeOutcome {
            result: o.result.into(),
            merged: o.merged.map(Into::into),
        })
    }

    /// One contact by id.
    pub async fn contact_get(&self, id: String) -> Result<Option<Contact>, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.contact_get(id).await }).await
    }

    /// One contact by E.164 number.
    pub async fn contact_find_by_phone(
        &self,
        phone: String,
    ) -> Result<Option<Contact>, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.contact_find_by_phone(phone).await }).await
    }

    /// Create or replace a contact; the stored version.
    pub async fn contact_upsert(&self, contact: Contact) -> Result<Contact, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.contact_upsert(contact).await }).await
    }

    /// The contacts a segment selects.
    pub async fn segment_members(&self, segment: Segment) -> Result<Vec<Contact>, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.segment_members(segment).await }).await
    }

    /// Open conversations.
    pub async fn conversations_open(&self) -> Result<Vec<Conversation>, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.conversations_open().await }).await
    }

    /// A contact's messages, both directions.
    pub async fn messages_for_contact(&self, id: String) -> Result<Vec<MessageRecord>, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.messages_for_contact(id).await }).await
    }

    /// Outbox counts by state.
    pub async fn outbox_stats(&self) -> Result<OutboxStats, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.outbox_stats().await }).await
    }

    /// Outbox items in `state` (`queued`, `sent`, ...; every state when `None`),
    /// at most `limit` per state.
    #[uniffi::method(default(state = None, limit = 100))]
    pub async fn outbox_items(
        &self,
        state: Option<String>,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.outbox_items(state, limit as usize).await }).await
    }
}
