//! The connector contract: what the sync engine asks of a CRM, and the
//! per-record answers it gets back.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::time::Millis;

/// One CRM record as the engine sees it: string properties (what HubSpot and
/// most CRMs speak on the wire) and the record's last-modified time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmRecord {
    /// The CRM's own object id.
    pub id: String,
    /// Properties with a value; a property the CRM holds as empty/null is absent.
    pub properties: BTreeMap<String, String>,
    /// Last modification in the CRM, milliseconds since the epoch (0 when unknown).
    pub updated_at: Millis,
}

/// One record to create or update.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertInput {
    /// The local key (wacrm contact id), echoed in outcomes and errors.
    pub key: String,
    /// The CRM object id when the engine already knows it: the connector then
    /// updates that record and matches by nothing else.
    pub crm_id: Option<String>,
    /// The unique CRM property that holds the wacrm id (e.g. `wacrm_id`).
    pub id_property: String,
    /// Its value (the wacrm contact id).
    pub id_value: String,
    /// Further match keys tried in order when `id_property` matches nothing
    /// (`("email", "a@b.c")`, then `("phone", "+3161...")`).
    pub fallbacks: Vec<(String, String)>,
    /// Properties to write. An empty string clears the property (HubSpot's
    /// rule); a property that is absent is left as it is.
    pub properties: BTreeMap<String, String>,
}

/// What happened to one record of an upsert batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum UpsertOutcome {
    /// A new CRM record.
    Created {
        /// Its CRM id.
        id: String,
    },
    /// An existing record was changed.
    Updated {
        /// Its CRM id.
        id: String,
    },
    /// An existing record already held these values.
    Unchanged {
        /// Its CRM id.
        id: String,
    },
    /// A fallback key matched several records: nothing was written.
    MultipleMatches {
        /// The ids that matched.
        ids: Vec<String>,
    },
    /// The CRM refused this record (the others of the batch are unaffected).
    Rejected {
        /// The CRM's error category, e.g. `VALIDATION_ERROR`.
        code: String,
        /// Its message.
        message: String,
    },
}

impl UpsertOutcome {
    /// The CRM id when the record was written or found.
    pub fn crm_id(&self) -> Option<&str> {
        match self {
            UpsertOutcome::Created { id }
            | UpsertOutcome::Updated { id }
            | UpsertOutcome::Unchanged { id } => Some(id),
            _ => None,
        }
    }
}

/// A page of changed records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangePage {
    /// Records modified at or after the cursor, oldest first. A record may
    /// repeat across pages or runs (cursors use "≥"); the engine is idempotent.
    pub records: Vec<CrmRecord>,
    /// The cursor to persist once these records are committed.
    pub next_cursor: Option<String>,
    /// Whether more pages follow right now.
    pub has_more: bool,
}

/// Documented limits of a connector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmLimits {
    /// Most records one upsert call takes.
    pub max_batch: usize,
    /// Most records one read or changed-since page returns.
    pub max_page: usize,
    /// Requests per 10 seconds (0: unlimited).
    pub requests_per_10s: u32,
}

/// Request counters a connector keeps (for summaries and health).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorStats {
    /// HTTP (or SQL) requests made.
    pub requests: u64,
    /// Answers that said "rate limited" (HTTP 429).
    pub rate_limited: u64,
}

/// A CRM the sync engine can talk to. Used as `Arc<dyn CrmConnector>`.
///
/// Contract (checked by [`crate::crm_connector_conformance_tests!`]):
/// - `upsert` returns exactly one outcome per input, in input order; a bad
///   record never fails the good ones; an `Err` means nothing is known about
///   the batch (transient: the engine retries it whole, which is safe because
///   upserts by unique property are idempotent);
/// - only the given properties and the identity property are written;
/// - `changed_since` pages in modification order and never skips a record
///   modified at or after the cursor.
#[async_trait]
pub trait CrmConnector: Send + Sync + 'static {
    /// A short name (`hubspot`, `sql`, `memory`).
    fn name(&self) -> &str;
    /// Limits the engine batches by.
    fn limits(&self) -> CrmLimits;
    /// Create or update a batch (at most `limits().max_batch`).
    async fn upsert(&self, batch: &[UpsertInput]) -> Result<Vec<UpsertOutcome>>;
    /// Read records by CRM id; unknown ids are left out.
    async fn fetch(&self, ids: &[String]) -> Result<Vec<CrmRecord>>;
    /// Records changed at or after `cursor` (`None`: from the beginning).
    async fn changed_since(&self, cursor: Option<&str>, limit: usize) -> Result<ChangePage>;
    /// Request counters so far.
    fn stats(&self) -> ConnectorStats {
        ConnectorStats::default()
    }
}
