//! Swift binding of wacrm (uniffi). Translation only: the operations live in
//! `wacrm-bindings-common`; this crate declares the core's types to uniffi
//! (as remote records and enums where they cross unchanged, as records of its
//! own where uniffi cannot carry the core's field types) and turns the core's
//! errors into a Swift error enum with one case per kind. No JSON string
//! crosses the FFI except a webhook event's `raw` source.

// Error cases carry the ErrorDetails fields inline so Swift sees them as associated
// values; boxing them would hide the fields from foreign code.
#![allow(clippy::result_large_err)]
// The core's types are declared again for uniffi (`#[uniffi::remote]`); their
// documentation is the core's.
#![allow(missing_docs)]

uniffi::setup_scaffolding!();

mod access;
mod analytics;
mod assignment;
mod automation;
mod client;
mod contacts;
mod crm;
mod error;
mod message;
mod runtime;
mod sandbox;
mod scheduler;
mod store;
mod values;
mod webhook;

pub use access::{Console, Session, permission_names, role_presets};
pub use assignment::{Assignment, Outcome, Reason};
pub use automation::{Automation, Rules, rules_check};
pub use client::Client;
pub use contacts::{contacts_dedupe_csv, phone_normalize, phone_parse};
pub use crm::{CrmStandin, CrmSync, FieldHealth, HealthSnapshot, Mapping, mapping_check};
pub use error::{ErrorDetails, WacrmError, error_codes, graph_error_details, raise_graph_error};
pub use sandbox::Sandbox;
pub use scheduler::{RoundReport, Scheduler, SchedulerSettings};
pub use store::Stores;
pub use values::JsonValue;
pub use webhook::{
    EventSink, InboundEvent, WebhookEvent, webhook_dispatch, webhook_parse, webhook_verify,
};
