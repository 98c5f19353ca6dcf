//! SQLite (embedded default) and PostgreSQL adapters: one implementation over
//! sqlx's `Any` driver, with per-backend migrations that run on open. SQLite
//! runs in WAL mode with a single writer connection; PostgreSQL claims outbox
//! items with `FOR UPDATE SKIP LOCKED` so several workers never share one.
//!
//! One file per store trait; `open` holds URL handling and migrations, `codec`
//! the document encoding shared by every table.

mod access;
mod agents;
mod automation;
mod codec;
mod contacts;
mod conversations;
mod messages;
mod open;
mod outbox;
mod outbox_pg;
mod policy_history;
mod row;
mod statuses;
#[cfg(feature = "postgres")]
mod statuses_pg;
mod sync_state;
mod wire_form;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use super::logic::*;
use super::traits::*;
use super::types::*;
use crate::ErrorDetails;
use crate::ids::{AgentId, ContactId, ConversationId, IdempotencyKey, MessageId, PhoneNumberId};
use crate::time::Millis;

use codec::compress_doc;
pub(crate) use codec::{dec, dec_rows, enc};

/// Which database is behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// SQL-backed store implementing every store trait.
pub struct SqlStore {
    pub(super) pool: AnyPool,
    pub(super) backend: Backend,
    compress: bool,
    /// PostgreSQL also through its native driver, for the statements where
    /// typed array parameters matter (status batches).
    #[cfg(feature = "postgres")]
    pub(super) pg: Option<sqlx::PgPool>,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &self.backend)
            .finish()
    }
}

pub(super) fn backend_err(e: sqlx::Error) -> StoreError {
    let retryable = matches!(
        e,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::Io(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
    ) || e.to_string().contains("database is locked");
    let message = e.to_string();
    if message.contains("file is not a database") {
        return StoreError::NotAWacrmDatabase(message);
    }
    StoreError::Backend { message, retryable }
}

fn now_ms() -> Millis {
    chrono::Utc::now().timestamp_millis()
}
