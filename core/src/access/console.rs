//! The console entry point: every action a console user takes goes through a
//! [`Session`] bound to that user, which checks the permission (and the scope
//! of the object), runs the action and appends the attempt — allowed, refused
//! or failed — to the audit log.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use serde_json::{Value, json};

use super::permission::{Permission, PermissionSet};
use super::role::{Grant, Grants, Role, Scope, User};
use crate::client::CloudApiClient;
use crate::ids::{AgentId, PhoneNumberId};
use crate::scheduler::{OutgoingMessage, Scheduler};
use crate::store::{AuditEntry, AuditOutcome, Stores};
use crate::time::SharedClock;

/// The engine seen from an agent console.
#[derive(Clone)]
pub struct Console {
    pub(super) stores: Stores,
    pub(super) clock: SharedClock,
    pub(super) client: Option<CloudApiClient>,
    pub(super) scheduler: Option<Arc<Scheduler>>,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("client", &self.client.is_some())
            .field("scheduler", &self.scheduler.is_some())
            .finish()
    }
}

impl Console {
    /// A console over `stores`.
    pub fn new(stores: Stores, clock: SharedClock) -> Console {
        Console {
            stores,
            clock,
            client: None,
            scheduler: None,
        }
    }

    /// Direct sends and template management go through this client.
    pub fn with_client(mut self, client: CloudApiClient) -> Console {
        self.client = Some(client);
        self
    }

    /// Queued sends and campaigns go through this scheduler (otherwise they
    /// are written to the outbox for a scheduler elsewhere).
    pub fn with_scheduler(mut self, scheduler: Arc<Scheduler>) -> Console {
        self.scheduler = Some(scheduler);
        self
    }

    /// The stores.
    pub fn stores(&self) -> &Stores {
        &self.stores
    }

    /// A session acting as `user_id`: its memberships are resolved once. An
    /// unknown or disabled user, or a membership naming an unknown role, is
    /// refused with `FORBIDDEN` (and logged).
    pub async fn as_user(&self, user_id: &str) -> crate::Result<Session> {
        let actor = format!("user:{user_id}");
        let refuse = |why: String| async move {
            self.append(
                &format!("user:{user_id}"),
                "session.open",
                user_id,
                AuditOutcome::Forbidden,
                None,
                json!({"reason": why.clone()}),
            )
            .await?;
            Err::<Session, _>(crate::Error::Forbidden(why))
        };
        let Some(user) = self.stores.access.get_user(user_id).await? else {
            return refuse(format!("no user {user_id:?}")).await;
        };
        if user.disabled {
            return refuse(format!("user {user_id:?} is disabled")).await;
        }
        let mut grants = Vec::new();
        for m in self.stores.access.memberships(user_id).await? {
            let role = match Role::preset(&m.role) {
                Some(r) => r,
                None => match self.stores.access.get_role(&m.role).await? {
                    Some(r) => r,
                    None => {
                        return refuse(format!("user {user_id:?} holds unknown role {:?}", m.role))
                            .await;
                    }
                },
            };
            grants.push(Grant {
                role: role.name,
                permissions: role.permissions,
                scope: m.scope,
            });
        }
        Ok(Session {
            console: self.clone(),
            actor,
            agent: user.agent_id.clone(),
            user: Some(user),
            grants: Grants::new(grants),
            client_id: None,
        })
    }

    /// A session for an operator with direct access to the database (the CLI):
    /// every permission, audited as `operator:NAME`.
    pub fn operator(&self, name: &str) -> Session {
        Session {
            console: self.clone(),
            actor: format!("operator:{name}"),
            agent: None,
            user: None,
            grants: Grants::new(vec![Grant {
                role: "admin".into(),
                permissions: PermissionSet::all(),
                scope: Scope::all(),
            }]),
            client_id: None,
        }
    }

    pub(super) async fn append(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        outcome: AuditOutcome,
        client_id: Option<&str>,
        details: Value,
    ) -> crate::Result<u64> {
        let mut e = AuditEntry::new(self.clock.now_millis(), actor, action, target);
        e.outcome = outcome;
        e.client_id = client_id.map(str::to_string);
        e.details = details;
        Ok(self.stores.audit.append(&e).await?)
    }
}

/// A console user's session: every method checks, acts and audits.
#[derive(Clone, Debug)]
pub struct Session {
    pub(super) console: Console,
    pub(super) actor: String,
    pub(super) agent: Option<AgentId>,
    pub(super) user: Option<User>,
    pub(super) grants: Grants,
    pub(super) client_id: Option<String>,
}

/// The team membership of the object an action touches, for scope checks.
#[derive(Clone, Copy, Debug)]
pub enum Teams<'a> {
    /// The object belongs to no team (e.g. an unassigned conversation).
    None,
    /// The object belongs to these teams (e.g. the assigned agent's).
    Of(&'a BTreeSet<String>),
}

impl Session {
    /// Record where requests come from (app, device, IP); it goes into every entry.
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Session {
        self.client_id = Some(client_id.into());
        self
    }

    /// `user:ID` or `operator:NAME`.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The user, unless an operator session.
    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    /// The compiled grants.
    pub fn grants(&self) -> &Grants {
        &self.grants
    }

    /// Whether the session holds `p` somewhere (no audit; for showing buttons).
    #[inline]
    pub fn can(&self, p: Permission) -> bool {
        self.grants.allows(p)
    }

    /// Whether `p` holds for an object on `number` belonging to `teams`.
    pub fn can_in(&self, p: Permission, number: &PhoneNumberId, teams: Teams<'_>) -> bool {
        match teams {
            Teams::None => self.grants.allows_in(p, number, None),
            Teams::Of(t) => self.grants.allows_in(p, number, Some(t)),
        }
    }

    /// Append an entry as this session.
    pub async fn audit(
        &self,
        action: &str,
        target: &str,
        outcome: AuditOutcome,
        details: Value,
    ) -> crate::Result<u64> {
        self.console
            .append(
                &self.actor,
                action,
                target,
                outcome,
                self.client_id.as_deref(),
                details,
            )
            .await
    }

    /// Refuse `action` on `target`: logged as forbidden, returned as `FORBIDDEN`.
    pub async fn refuse<T>(
        &self,
        action: &str,
        target: &str,
        reason: String,
        details: Value,
    ) -> crate::Result<T> {
        let mut d = details;
        if let Value::Object(m) = &mut d {
            m.insert("reason".into(), Value::String(reason.clone()));
        } else {
            d = json!({"reason": reason});
        }
        self.audit(action, target, AuditOutcome::Forbidden, d)
            .await?;
        Err(crate::Error::Forbidden(format!(
            "{} may not {action} {target}: {reason}",
            self.actor
        )))
    }

    /// Check `p` (optionally within a number and teams), run `f`, and log the
    /// attempt with its outcome. This is also the entry point for actions of
    /// modules that manage their own state (automation rules, CRM settings):
    /// they pass their change as `f`.
    pub async fn perform<T, F, Fut>(
        &self,
        p: Permission,
        action: &str,
        target: &str,
        scope: Option<(&PhoneNumberId, Teams<'_>)>,
        details: Value,
        f: F,
    ) -> crate::Result<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = crate::Result<T>>,
    {
        let allowed = match scope {
            Some((number, teams)) => self.can_in(p, number, teams),
            None => self.can(p),
        };
        if !allowed {
            let reason = if self.can(p) {
                format!("{p} is not granted for this number or team")
            } else {
                format!("needs permission {p}")
            };
            return self.refuse(action, target, reason, details).await;
        }
        match f().await {
            Ok(v) => {
                self.audit(action, target, AuditOutcome::Ok, details)
                    .await?;
                Ok(v)
            }
            Err(e) => {
                let mut d = details;
                let err = json!({"code": e.code(), "message": e.to_string()});
                if let Value::Object(m) = &mut d {
                    m.insert("error".into(), err);
                } else {
                    d = json!({"error": err});
                }
                self.audit(action, target, AuditOutcome::Failed, d).await?;
                Err(e)
            }
        }
    }

    pub(super) fn scheduler(&self) -> crate::Result<&Arc<Scheduler>> {
        self.console.scheduler.as_ref().ok_or_else(|| {
            crate::Error::Config("this console has no scheduler (Console::with_scheduler)".into())
        })
    }

    pub(super) fn client(&self) -> crate::Result<&CloudApiClient> {
        self.console.client.as_ref().ok_or_else(|| {
            crate::Error::Config("this console has no client (Console::with_client)".into())
        })
    }

    /// Queue one message through the scheduler: `send_template` for templates,
    /// `send` otherwise, for the sending number.
    pub async fn send(&self, m: &OutgoingMessage) -> crate::Result<crate::store::Enqueued> {
        let p = if m.message.is_template() {
            Permission::SendTemplate
        } else {
            Permission::Send
        };
        let details = json!({"from": m.phone_number_id, "type": m.message.type_name(), "key": m.idempotency_key});
        self.perform(
            p,
            "message.send",
            &m.recipient,
            Some((&m.phone_number_id, Teams::None)),
            details,
            || async { self.scheduler()?.enqueue(m).await },
        )
        .await
    }
}
