//! C13: access and audit. Permissions for every console action, preset and
//! custom roles scoped to teams and phone numbers, users and memberships
//! (stored through [`crate::store::AccessStore`]), a [`Console`] whose
//! [`Session`]s — each bound to one acting user — check, perform and audit
//! every action, and the tamper-evident audit log: a SHA-256 hash chain with
//! signed checkpoints, verification that names the first bad entry, export and
//! prefix-only retention.

mod actions;
mod admin;
pub mod audit;
pub mod chain;
mod console;
mod permission;
mod role;

pub use actions::ConversationExport;
pub use admin::permission_of;
pub use audit::{AuditRetention, ExportFormat, checkpoint_head, export, purge_audit, verify};
pub use chain::{AuditProblem, AuditVerification, ProblemKind};
pub use console::{Console, Session, Teams};
pub use permission::{Permission, PermissionSet};
pub use role::{Grant, Grants, Membership, PRESET_ROLES, Role, Scope, User};
