//! C11: storage. Async store traits for everything wacrm keeps (contacts,
//! conversations, messages and statuses, the send outbox, CRM sync state, the
//! audit log, agents), an in-memory reference adapter, SQLite (the embedded
//! default) and PostgreSQL adapters with automatic migrations, retention, and a
//! conformance suite (feature `testing`) any adapter can run.

mod contact_doc;
pub mod logic;
mod memory;
mod memory_policy;
mod redact;
mod retention;
mod retention_task;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
mod traits;
mod types;

#[cfg(feature = "testing")]
pub mod conformance;

use std::sync::Arc;

pub use contact_doc::{INVALID_ATTRIBUTE_PREFIX, StoredContact};
pub use memory::MemoryStore;
pub use redact::{redact_in, redact_url};
pub use retention::{
    MAX_PERIOD_DAYS, MIN_PURGE_DAYS, RetentionPolicy, RetentionReport, apply_retention,
};
pub use retention_task::{RetentionRuns, RetentionTask};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sql::{Backend, SqlStore};
pub use traits::*;
pub use types::*;

/// The bundle of stores the engine and the bindings hold. Every field may point
/// at the same adapter object (that is what makes `merge` atomic).
#[derive(Clone)]
pub struct Stores {
    /// Contacts.
    pub contacts: Arc<dyn ContactStore>,
    /// Conversations.
    pub conversations: Arc<dyn ConversationStore>,
    /// Messages.
    pub messages: Arc<dyn MessageStore>,
    /// Outbox.
    pub outbox: Arc<dyn OutboxStore>,
    /// CRM sync state.
    pub sync: Arc<dyn SyncStateStore>,
    /// Audit log.
    pub audit: Arc<dyn AuditLog>,
    /// Agents.
    pub agents: Arc<dyn AgentStore>,
    /// Users, roles and memberships (C13).
    pub access: Arc<dyn AccessStore>,
    /// The sending policies' history (caps shared by every worker).
    pub policy: Arc<dyn PolicyHistoryStore>,
}

impl std::fmt::Debug for Stores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stores { .. }")
    }
}

impl Stores {
    /// All stores backed by one adapter object.
    pub fn from_adapter<A>(a: Arc<A>) -> Self
    where
        A: ContactStore
            + ConversationStore
            + MessageStore
            + OutboxStore
            + SyncStateStore
            + AuditLog
            + AgentStore
            + AccessStore
            + PolicyHistoryStore,
    {
        Stores {
            contacts: a.clone(),
            conversations: a.clone(),
            messages: a.clone(),
            outbox: a.clone(),
            sync: a.clone(),
            audit: a.clone(),
            agents: a.clone(),
            access: a.clone(),
            policy: a,
        }
    }

    /// In-memory stores.
    pub fn memory() -> Self {
        Self::from_adapter(Arc::new(MemoryStore::new()))
    }

    /// A SQLite file (created and migrated as needed).
    #[cfg(feature = "sqlite")]
    pub async fn sqlite(path: impl AsRef<std::path::Path>) -> crate::Result<Self> {
        let url = format!("sqlite://{}", path.as_ref().display());
        Ok(Self::from_adapter(Arc::new(SqlStore::open(&url).await?)))
    }

    /// A PostgreSQL database (migrated as needed).
    #[cfg(feature = "postgres")]
    pub async fn postgres(url: &str) -> crate::Result<Self> {
        Ok(Self::from_adapter(Arc::new(SqlStore::open(url).await?)))
    }

    /// `memory:`, `sqlite://path`, `sqlite::memory:` or `postgres://...`.
    pub async fn from_url(url: &str) -> crate::Result<Self> {
        if url == "memory:" || url == "memory" {
            return Ok(Self::memory());
        }
        // `SqlStore::open` redacts its own errors.
        #[cfg(feature = "sqlite")]
        if url.starts_with("sqlite:") {
            return Ok(Self::from_adapter(Arc::new(SqlStore::open(url).await?)));
        }
        #[cfg(feature = "postgres")]
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::from_adapter(Arc::new(SqlStore::open(url).await?)));
        }
        Err(crate::Error::Config(format!(
            "store url {url:?} is not supported by this build (memory:, sqlite://PATH{}{})",
            if cfg!(feature = "sqlite") {
                ""
            } else {
                " needs feature sqlite"
            },
            if cfg!(feature = "postgres") {
                ", postgres://..."
            } else {
                "; postgres needs feature postgres"
            },
            url = redact_url(url)
        )))
    }
}
