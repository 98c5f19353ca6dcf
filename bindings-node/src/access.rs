//! Access and audit (C13): the console and the sessions of acting users. A
//! refused action rejects with the `FORBIDDEN` class (`ForbiddenError`).

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use wacrm_bindings_common as common;

use crate::convert::{from_js, from_js_or_default, js_error, js_result, promise, wait};
use crate::scheduler::NativeScheduler;
use crate::stores::NativeStores;

/// The engine seen from an agent console: sessions bound to one acting user.
#[napi]
pub struct NativeConsole {
    inner: common::Console,
}

#[napi]
impl NativeConsole {
    /// A console over `stores`; sends go through `scheduler` when given.
    #[napi(constructor)]
    pub fn new(stores: &NativeStores, scheduler: Option<&NativeScheduler>) -> Self {
        NativeConsole {
            inner: common::Console::new(&stores.inner, scheduler.map(|s| s.common())),
        }
    }

    /// A session acting as `userId`; `clientId` (app, device, IP) goes into every
    /// audit entry. An unknown or disabled user throws `ForbiddenError`.
    #[napi]
    pub fn as_user(
        &self,
        env: Env,
        user_id: String,
        client_id: Option<String>,
    ) -> Result<NativeSession> {
        let inner = wait(&env, self.inner.as_user(user_id, client_id))?;
        Ok(NativeSession { inner })
    }

    /// An operator session (every permission), audited as `operator:NAME`.
    #[napi]
    pub fn operator(&self, name: String) -> NativeSession {
        NativeSession {
            inner: self.inner.operator(name),
        }
    }
}

/// One acting user's session: every call is checked and audited.
#[napi]
pub struct NativeSession {
    inner: common::Session,
}

/// Start `$call` on a clone of the session; the promise resolves with its result.
macro_rules! run {
    ($self:ident, $env:ident, |$s:ident| $call:expr) => {{
        let $s = $self.inner.clone();
        promise($env, async move { $call.await })
    }};
}

#[napi]
impl NativeSession {
    /// `user:ID` or `operator:NAME`.
    #[napi(getter)]
    pub fn actor(&self) -> String {
        self.inner.actor()
    }

    /// The permissions the session holds somewhere.
    #[napi(ts_return_type = "string[]")]
    pub fn permissions(&self) -> Vec<String> {
        self.inner.permissions()
    }

    /// Whether the session holds `permission` somewhere (not audited).
    #[napi(ts_args_type = "permission: T.Permission")]
    pub fn can(&self, env: Env, permission: String) -> Result<bool> {
        self.inner.can(&permission).map_err(|e| js_error(&env, &e))
    }

    /// Queue one message through the console's scheduler.
    #[napi(
        ts_args_type = "message: T.OutgoingMessage",
        ts_return_type = "Promise<T.Enqueued>"
    )]
    pub fn send<'env>(&self, env: &'env Env, message: Value) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| async move {
            s.send(from_js("message", message)?).await
        })
    }

    /// Start a campaign (`broadcast` for every sending number; nothing queued otherwise).
    #[napi(
        ts_args_type = "campaignId: string, messages: T.OutgoingMessage[]",
        ts_return_type = "Promise<T.Enqueued[]>"
    )]
    pub fn broadcast<'env>(
        &self,
        env: &'env Env,
        campaign_id: String,
        messages: Value,
    ) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| async move {
            s.broadcast(campaign_id, from_js("messages", messages)?)
                .await
        })
    }

    /// Open conversations in this user's scope (an agent sees its own).
    #[napi(ts_return_type = "Promise<T.Conversation[]>")]
    pub fn list_conversations<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| s.list_conversations())
    }

    /// Every contact passing `filter` (all when absent).
    #[napi(
        ts_args_type = "filter?: Partial<T.ContactFilter>",
        ts_return_type = "Promise<T.Contact[]>"
    )]
    pub fn export_contacts<'env>(
        &self,
        env: &'env Env,
        filter: Option<Value>,
    ) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| async move {
            s.export_contacts(from_js_or_default("filter", filter)?)
                .await
        })
    }

    /// Create or replace a user.
    #[napi(ts_args_type = "user: T.UserInput", ts_return_type = "Promise<null>")]
    pub fn upsert_user<'env>(
        &self,
        env: &'env Env,
        user: Value,
    ) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| async move {
            s.upsert_user(from_js("user", user)?).await
        })
    }

    /// Create or replace a custom role (presets cannot be redefined).
    #[napi(ts_args_type = "role: T.Role", ts_return_type = "Promise<null>")]
    pub fn upsert_role<'env>(
        &self,
        env: &'env Env,
        role: Value,
    ) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| async move {
            s.upsert_role(from_js("role", role)?).await
        })
    }

    /// Grant a role to a user within a scope (everywhere when absent).
    #[napi(
        ts_args_type = "membership: T.MembershipInput",
        ts_return_type = "Promise<null>"
    )]
    pub fn grant<'env>(
        &self,
        env: &'env Env,
        membership: Value,
    ) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| async move {
            s.grant(from_js("membership", membership)?).await
        })
    }

    /// Revoke a role; `false` when the user did not hold it.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn revoke<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        role: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| s.revoke(user_id, role))
    }

    /// Users with their memberships.
    #[napi(ts_return_type = "Promise<T.UserRoles[]>")]
    pub fn list_users<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| s.list_users())
    }

    /// Presets followed by custom roles.
    #[napi(ts_return_type = "Promise<T.Role[]>")]
    pub fn list_roles<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| s.list_roles())
    }

    /// Verify the hash chain; `problem` names the first bad entry.
    #[napi(ts_return_type = "Promise<T.AuditVerification>")]
    pub fn audit_verify<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| s.audit_verify())
    }

    /// Entries with `from <= at < to` (epoch ms), in order.
    #[napi(ts_return_type = "Promise<T.AuditEntry[]>")]
    pub fn audit_entries<'env>(
        &self,
        env: &'env Env,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| s.audit_entries(from, to))
    }

    /// Write entries to `path` as `jsonl` or `csv`; resolves with how many.
    #[napi(
        ts_args_type = "path: string, format: 'jsonl' | 'csv', from?: number | undefined | null, to?: number | undefined | null",
        ts_return_type = "Promise<number>"
    )]
    pub fn audit_export<'env>(
        &self,
        env: &'env Env,
        path: String,
        format: String,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<PromiseRaw<'env, Value>> {
        run!(self, env, |s| s.audit_export(path, format, from, to))
    }
}

/// The preset roles (`agent`, `supervisor`, `admin`, `viewer`).
#[napi(ts_return_type = "T.Role[]")]
pub fn role_presets(env: Env) -> Result<Value> {
    js_result(&env, Ok(common::role_presets()))
}

/// Every permission's wire name.
#[napi(ts_return_type = "string[]")]
pub fn permission_names() -> Vec<String> {
    common::permission_names()
}
