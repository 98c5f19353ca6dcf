//! Access and audit (C13): the console, sessions of acting users, roles,
//! users and the audit log as records. A refused action throws
//! `WacrmError.Forbidden`.

use std::collections::BTreeSet;
use std::sync::Arc;

use wacrm::access::{AuditProblem, AuditVerification, Membership, ProblemKind, Scope, User};
use wacrm::ids::{AgentId, PhoneNumberId};
use wacrm::scheduler::OutgoingMessage;
use wacrm::store::{AuditEntry, AuditOutcome, Contact, ContactFilter, Conversation, Enqueued};
use wacrm_bindings_common::{self as common, RoleInfo, UserRoles};

use crate::WacrmError;
use crate::runtime::on_runtime;
use crate::scheduler::Scheduler;
use crate::store::Stores;
use crate::values::{Json, StringSet};

/// Business phone numbers of a scope.
pub type NumberSet = BTreeSet<PhoneNumberId>;

uniffi::custom_type!(NumberSet, Vec<PhoneNumberId>, {
    remote,
    lower: |v| v.into_iter().collect(),
    try_lift: |v| Ok(v.into_iter().collect()),
});

/// A console user; `agent_id` is the agent it works as.
#[uniffi::remote(Record)]
pub struct User {
    pub id: String,
    pub name: String,
    #[uniffi(default = None)]
    pub agent_id: Option<AgentId>,
    #[uniffi(default = false)]
    pub disabled: bool,
    #[uniffi(default = 0)]
    pub created_at: i64,
}

/// Where a membership applies; empty means everywhere.
#[uniffi::remote(Record)]
pub struct Scope {
    pub teams: StringSet,
    pub numbers: NumberSet,
}

/// A user holds a role within a scope.
#[uniffi::remote(Record)]
pub struct Membership {
    pub user_id: String,
    pub role: String,
    pub scope: Scope,
}

/// A named set of permissions (wire names).
#[uniffi::remote(Record)]
pub struct RoleInfo {
    pub name: String,
    pub permissions: Vec<String>,
    #[uniffi(default = "")]
    pub description: String,
}

#[uniffi::remote(Record)]
pub struct UserRoles {
    pub user: User,
    pub memberships: Vec<Membership>,
}

#[uniffi::remote(Enum)]
pub enum AuditOutcome {
    Ok,
    Forbidden,
    Failed,
}

/// One audited attempt.
#[uniffi::remote(Record)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: Json,
    pub client_id: Option<String>,
    pub outcome: AuditOutcome,
    pub prev_hash: String,
    pub hash: String,
}

#[uniffi::remote(Enum)]
pub enum ProblemKind {
    Edited,
    Removed,
    Reordered,
    Truncated,
    Unsealed,
    Checkpoint,
}

/// The first entry that does not verify, and why.
#[uniffi::remote(Record)]
pub struct AuditProblem {
    pub seq: u64,
    pub kind: ProblemKind,
    pub reason: String,
}

/// Result of verifying the audit log; `problem` is `nil` when it verifies.
#[uniffi::remote(Record)]
pub struct AuditVerification {
    pub entries: u64,
    pub legacy: u64,
    pub last_seq: u64,
    pub head_hash: String,
    pub checkpoints: u64,
    pub signatures_checked: bool,
    pub problem: Option<AuditProblem>,
}

/// The engine seen from an agent console.
#[derive(uniffi::Object)]
pub struct Console {
    inner: common::Console,
}

#[uniffi::export]
impl Console {
    /// A console over `stores`; sends go through `scheduler` when given.
    #[uniffi::constructor]
    pub fn new(stores: Arc<Stores>, scheduler: Option<Arc<Scheduler>>) -> Arc<Self> {
        Arc::new(Console {
            inner: common::Console::new(&stores.inner, scheduler.as_deref().map(Scheduler::common)),
        })
    }

    /// A session acting as `user_id`; `client_id` goes into every audit entry.
    pub async fn as_user(
        &self,
        user_id: String,
        client_id: Option<String>,
    ) -> Result<Arc<Session>, WacrmError> {
        let c = self.inner.clone();
        let inner = on_runtime(async move { c.as_user(user_id, client_id).await }).await?;
        Ok(Arc::new(Session { inner }))
    }

    /// An operator session (every permission), audited as `operator:NAME`.
    pub fn operator(&self, name: String) -> Arc<Session> {
        Arc::new(Session {
            inner: self.inner.operator(name),
        })
    }
}

/// One acting user's session: every call is checked and audited.
#[derive(uniffi::Object)]
pub struct Session {
    inner: common::Session,
}

/// Run `$call` on a clone of the session on the engine's runtime.
macro_rules! on_session {
    ($self:ident, |$s:ident| $call:expr) => {{
        let $s = $self.inner.clone();
        on_runtime(async move { $call.await }).await
    }};
}

#[uniffi::export]
impl Session {
    /// `user:ID` or `operator:NAME`.
    pub fn actor(&self) -> String {
        self.inner.actor()
    }

    /// The permissions the session holds somewhere.
    pub fn permissions(&self) -> Vec<String> {
        self.inner.permissions()
    }

    /// Whether the session holds `permission` somewhere (not audited).
    pub fn can(&self, permission: String) -> Result<bool, WacrmError> {
        Ok(self.inner.can(&permission)?)
    }

    /// Queue one message through the console's scheduler.
    pub async fn send(&self, message: OutgoingMessage) -> Result<Enqueued, WacrmError> {
        on_session!(self, |s| s.send(message))
    }

    /// Start a campaign (`broadcast` for every sending number; nothing queued otherwise).
    pub async fn broadcast(
        &self,
        campaign_id: String,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<Enqueued>, WacrmError> {
        on_session!(self, |s| s.broadcast(campaign_id, messages))
    }

    /// Open conversations in this user's scope.
    pub async fn list_conversations(&self) -> Result<Vec<Conversation>, WacrmError> {
        on_session!(self, |s| s.list_conversations())
    }

    /// Every contact passing `filter`.
    pub async fn export_contacts(&self, filter: ContactFilter) -> Result<Vec<Contact>, WacrmError> {
        on_session!(self, |s| s.export_contacts(filter))
    }

    /// Create or replace a user.
    pub async fn upsert_user(&self, user: User) -> Result<(), WacrmError> {
        on_session!(self, |s| s.upsert_user(user))
    }

    /// Create or replace a custom role.
    pub async fn upsert_role(&self, role: RoleInfo) -> Result<(), WacrmError> {
        on_session!(self, |s| s.upsert_role(role))
    }

    /// Grant a role to a user within a scope.
    pub async fn grant(&self, membership: Membership) -> Result<(), WacrmError> {
        on_session!(self, |s| s.grant(membership))
    }

    /// Revoke a role; `false` when the user did not hold it.
    pub async fn revoke(&self, user_id: String, role: String) -> Result<bool, WacrmError> {
        on_session!(self, |s| s.revoke(user_id, role))
    }

    /// Users with their memberships.
    pub async fn list_users(&self) -> Result<Vec<UserRoles>, WacrmError> {
        on_session!(self, |s| s.list_users())
    }

    /// Presets followed by custom roles.
    pub async fn list_roles(&self) -> Result<Vec<RoleInfo>, WacrmError> {
        on_session!(self, |s| s.list_roles())
    }

    /// Verify the hash chain; `problem` names the first bad entry.
    pub async fn audit_verify(&self) -> Result<AuditVerification, WacrmError> {
        on_session!(self, |s| s.audit_verify())
    }

    /// Entries with `from <= at < to` (ms since the epoch), in order.
    pub async fn audit_entries(
        &self,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<AuditEntry>, WacrmError> {
        on_session!(self, |s| s.audit_entries(from, to))
    }

    /// Write entries to `path` as `jsonl` or `csv`; how many.
    pub async fn audit_export(
        &self,
        path: String,
        format: String,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<u64, WacrmError> {
        on_session!(self, |s| s.audit_export(path, format, from, to))
    }
}

/// The preset roles (`agent`, `supervisor`, `admin`, `viewer`).
#[uniffi::export]
pub fn role_presets() -> Vec<RoleInfo> {
    common::role_presets()
}

/// Every permission's wire name.
#[uniffi::export]
pub fn permission_names() -> Vec<String> {
    common::permission_names()
}
