//! What every binding calls: the core's operations as typed methods over the
//! core's own types (`Client::send(SendArgs) -> SendResponse`, ...), the
//! handles a binding keeps (client, stores, scheduler, assignment) and the
//! sandbox every binding starts the same way. The Python, Node and Swift
//! bindings translate these values and errors into their own types and add
//! nothing else, so the three cannot drift apart.

mod access;
mod analytics;
mod assignment;
mod automation;
mod client;
mod crm;
mod dedupe_csv;
mod problem;
mod sandbox;
mod scheduler;
mod stores;
mod timers;

pub use access::{
    Console, RoleInfo, Session, UserRoles, permission_names, role_custom, role_presets,
};
pub use analytics::{IngestSummary, ReportArgs};
pub use assignment::{Assignment, AssignmentSettings};
pub use automation::{
    Automation, AutomationMessage, AutomationSettings, Rules, RulesInfo, RulesProblem,
};
pub use client::{Client, DownloadedMedia, SendArgs, UploadArgs};
pub use crm::{
    CrmMapping, CrmStandin, CrmSync, HubSpotSettings, MappingField, MappingInfo, MappingProblem,
    StandinRecord, StandinStats,
};
pub use dedupe_csv::{DedupeCsvArgs, DedupeCsvOutcome, dedupe_csv};
pub use sandbox::{
    Faults, LedgerEntry, SANDBOX_PHONE_NUMBER_ID, SandboxHandle, SandboxOptions, inbound_text,
    start_sandbox,
};
pub use scheduler::{Scheduler, SchedulerSettings};
pub use stores::{DedupeOutcome, ImportArgs, Stores};
