//! Access and audit (C13) as a binding holds them: a console over the stores,
//! sessions bound to one acting user, roles and users, and the audit log.
//! Every session call is checked, performed and audited by the core; a
//! refused one fails with `FORBIDDEN`.

use serde::{Deserialize, Serialize};
use wacrm::access::{self, AuditVerification, ExportFormat, Membership, Permission, Role, User};
use wacrm::scheduler::OutgoingMessage;
use wacrm::store::{
    AuditEntry, Contact, ContactFilter, Conversation, Enqueued, OutboxItem, OutboxState,
};
use wacrm::time::{Clock, SharedClock, SystemClock};
use wacrm::{Error, Result};

use crate::{Scheduler, Stores};

/// A role as a binding shows it: name, permission names, description.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInfo {
    /// `agent`, `supervisor`, `admin`, `viewer` or a custom name.
    pub name: String,
    /// Permission wire names (`send`, `broadcast`, `export_contacts`, ...).
    pub permissions: Vec<String>,
    /// What it is for.
    #[serde(default)]
    pub description: String,
}

impl From<Role> for RoleInfo {
    fn from(r: Role) -> Self {
        RoleInfo {
            name: r.name,
            permissions: r
                .permissions
                .iter()
                .map(|p| p.as_str().to_string())
                .collect(),
            description: r.description,
        }
    }
}

/// A user with the roles it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRoles {
    /// The user.
    pub user: User,
    /// Its memberships (role and scope).
    pub memberships: Vec<Membership>,
}

/// Every permission's wire name, in bit order.
pub fn permission_names() -> Vec<String> {
    Permission::ALL
        .iter()
        .map(|p| p.as_str().to_string())
        .collect()
}

/// The preset roles (`agent`, `supervisor`, `admin`, `viewer`).
pub fn role_presets() -> Vec<RoleInfo> {
    Role::presets().into_iter().map(Into::into).collect()
}

fn permission(name: &str) -> Result<Permission> {
    Permission::parse(name).ok_or_else(|| {
        Error::validation(
            "permission",
            format!(
                "unknown permission {name:?} (known: {})",
                permission_names().join(", ")
            ),
        )
    })
}

/// A custom role from permission names; a preset name, a bad name or an
/// unknown permission is a validation error.
pub fn role_custom(name: String, permissions: Vec<String>, description: String) -> Result<Role> {
    let set = permissions
        .iter()
        .map(|p| permission(p))
        .collect::<Result<wacrm::access::PermissionSet>>()?;
    Role::custom(&name, set, &description)
}

/// The console: entry point of every action a console user takes.
#[derive(Clone)]
pub struct Console(access::Console);

impl Console {
    /// A console over `stores`; sends go through `scheduler` when given.
    pub fn new(stores: &Stores, scheduler: Option<&Scheduler>) -> Console {
        let clock: SharedClock = std::sync::Arc::new(SystemClock);
        let mut c = access::Console::new(stores.0.clone(), clock);
        if let Some(s) = scheduler {
            c = c.with_scheduler(s.core());
        }
        Console(c)
    }

    /// A session acting as `user_id`; `client_id` (app, device, IP) goes into
    /// every audit entry. An unknown or disabled user is refused (`FORBIDDEN`).
    pub async fn as_user(&self, user_id: String, client_id: Option<String>) -> Result<Session> {
        let s = self.0.as_user(&user_id).await?;
        Ok(Session(match client_id {
            Some(c) => s.with_client_id(c),
            None => s,
        }))
    }

    /// An operator session (direct database access, every permission),
    /// audited as `operator:NAME`; how the first admin is created.
    pub fn operator(&self, name: String) -> Session {
        Session(self.0.operator(&name))
    }
}

/// A console user's session: every call checks, acts and audits.
#[derive(Clone)]
pub struct Session(access::Session);

impl Session {
    /// `user:ID` or `operator:NAME`.
    pub fn actor(&self) -> String {
        self.0.actor().to_string()
    }

    /// The permission names the session holds somewhere.
    pub fn permissions(&self) -> Vec<String> {
        self.0
            .grants()
            .permissions()
            .iter()
            .map(|p| p.as_str().to_string())
            .collect()
    }

    /// Whether the session holds `permission` somewhere (not audited).
    pub fn can(&self, permission_name: &str) -> Result<bool> {
        Ok(self.0.can(permission(permission_name)?))
    }

    /// Queue one message through the console's scheduler (`send` or `send_template`).
    pub async fn send(&self, message: OutgoingMessage) -> Result<Enqueued> {
        self.0.send(&message).await
    }

    /// Start a campaign: every message goes into the outbox under `campaign_id`
    /// (`broadcast` for every sending number, nothing queued otherwise).
    pub async fn broadcast(
        &self,
        campaign_id: String,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<Enqueued>> {
        let now = SystemClock.now_millis();
        let items = messages
            .into_iter()
            .map(|m| outbox_item(m, now))
            .collect::<Result<Vec<_>>>()?;
        self.0.broadcast(&campaign_id, items).await
    }

    /// Open conversations this session may view.
    pub async fn list_conversations(&self) -> Result<Vec<Conversation>> {
        self.0.list_conversations().await
    }

    /// Every contact passing `filter`.
    pub async fn export_contacts(&self, filter: ContactFilter) -> Result<Vec<Contact>> {
        self.0.export_contacts(&filter).await
    }

    /// Create or replace a user.
    pub async fn upsert_user(&self, user: User) -> Result<()> {
        self.0.upsert_user(&user).await
    }

    /// Create or replace a custom role.
    pub async fn upsert_role(&self, role: RoleInfo) -> Result<()> {
        let r = role_custom(role.name, role.permissions, role.description)?;
        self.0.upsert_role(&r).await
    }

    /// Grant a role to a user within a scope.
    pub async fn grant(&self, membership: Membership) -> Result<()> {
        self.0.grant(&membership).await
    }

    /// Revoke a role; `false` when the user did not hold it.
    pub async fn revoke(&self, user_id: String, role: String) -> Result<bool> {
        self.0.revoke(&user_id, &role).await
    }

    /// Users with their memberships.
    pub async fn list_users(&self) -> Result<Vec<UserRoles>> {
        Ok(self
            .0
            .list_users()
            .await?
            .into_iter()
            .map(|(user, memberships)| UserRoles { user, memberships })
            .collect())
    }

    /// Presets followed by custom roles.
    pub async fn list_roles(&self) -> Result<Vec<RoleInfo>> {
        Ok(self
            .0
            .list_roles()
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Verify the audit chain; the result names the first bad entry, if any.
    pub async fn audit_verify(&self) -> Result<AuditVerification> {
        self.0.verify_audit(None).await
    }

    /// Audit entries with `from <= at < to` (epoch ms), in order.
    pub async fn audit_entries(
        &self,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<AuditEntry>> {
        let buf = self
            .export(from, to, ExportFormat::JsonLines, Vec::new())
            .await?
            .1;
        buf.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| Ok(serde_json::from_slice(l)?))
            .collect()
    }

    /// Write audit entries with `from <= at < to` to `path` as `jsonl` or
    /// `csv`; how many were written.
    pub async fn audit_export(
        &self,
        path: String,
        format: String,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<u64> {
        let format: ExportFormat = format.parse()?;
        let file = std::fs::File::create(&path)
            .map_err(|e| Error::validation("path", format!("{path}: {e}")))?;
        Ok(self.export(from, to, format, file).await?.0)
    }

    /// The core's export writes through a `dyn Write` held across awaits, so
    /// its future is not `Send`; it runs to completion on a blocking thread of
    /// the same runtime instead of on the caller's task.
    async fn export<W: std::io::Write + Send + 'static>(
        &self,
        from: Option<i64>,
        to: Option<i64>,
        format: ExportFormat,
        mut out: W,
    ) -> Result<(u64, W)> {
        let session = self.0.clone();
        let rt = tokio::runtime::Handle::current();
        let job = tokio::task::spawn_blocking(move || {
            let n = rt.block_on(session.export_audit(from, to, format, &mut out))?;
            Ok((n, out))
        });
        job.await
            .map_err(|e| Error::Config(format!("audit export task failed: {e}")))?
    }
}

/// The outbox item the scheduler would write for `m` (its payload shape:
/// the message and its send flags), for campaigns queued in one batch.
fn outbox_item(m: OutgoingMessage, now: i64) -> Result<OutboxItem> {
    m.message.validate()?;
    let payload = serde_json::json!({
        "message": m.message,
        "event_key": m.event_key,
        "promotion": m.promotion,
        "automated": m.automated,
    });
    Ok(OutboxItem {
        id: format!("ob:{}", m.idempotency_key),
        idempotency_key: m.idempotency_key,
        phone_number_id: m.phone_number_id,
        recipient: m.recipient,
        payload,
        category: m.category,
        lane: m.lane,
        campaign_id: m.campaign_id,
        not_before: m.not_before.max(0),
        attempts: 0,
        state: OutboxState::Queued,
        last_error: None,
        history: Vec::new(),
        created_at: now,
        updated_at: now,
    })
}
