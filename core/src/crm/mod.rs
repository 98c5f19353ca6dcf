//! C8: CRM field mapping and sync.
//!
//! - [`CrmConnector`]: what a CRM must offer (batch upsert by a unique
//!   property, fetch, changed-since paging); [`MemoryConnector`] is the
//!   reference, [`HubSpotConnector`] speaks HubSpot CRM v3 contacts,
//!   `SqlTableConnector` keeps the CRM in a SQLite or PostgreSQL table, and the
//!   conformance suite (feature `testing`) checks any connector.
//! - [`Mapping`]: the declarative field mapping (TOML or code) with
//!   directions, owners, transforms, defaults, required fields and the
//!   "unset" versus "clear" null policy.
//! - [`SyncEngine`]: push, pull and sync by cursor, real-time push, conflict
//!   resolution with every discrepancy recorded, in-run retries honouring
//!   `Retry-After`, scheduled retries and parking; [`Health`] per mapping and
//!   per field.

mod connector;
pub mod engine;
mod fields;
mod health;
pub mod hubspot;
mod mapping;
mod memory;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod sql;
pub mod transform;

#[cfg(feature = "testing")]
pub mod conformance;

pub use connector::*;
pub use engine::{PullReport, PushReport, SyncEngine, SyncOptions, SyncReport};
pub use fields::LocalField;
pub use health::{FieldHealth, HEALTH_NAMESPACE, Health, HealthSnapshot, StoredHealth};
pub use hubspot::{HubSpotConfig, HubSpotConnector};
pub use mapping::{Direction, FieldMap, Identity, Mapping, NullPolicy, Owner};
pub use memory::MemoryConnector;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sql::{SqlTableConfig, SqlTableConnector};
pub use transform::Transform;
