//! The send scheduler.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use wacrm_bindings_common as common;

use crate::client::NativeClient;
use crate::convert::{from_js, from_js_opt, js_error, promise, wait};
use crate::stores::NativeStores;

/// Scheduler settings; every field is optional.
#[napi(object)]
pub struct SchedulerSettings {
    /// Per-number and pair limits.
    #[napi(ts_type = "Partial<T.LimitConfig>")]
    pub limits: Option<Value>,
    /// Send policies (window, caps, quiet hours).
    #[napi(ts_type = "Partial<T.PolicyConfig>")]
    pub policies: Option<Value>,
    /// Worker settings (batch, lease, retries).
    #[napi(ts_type = "Partial<T.SchedulerConfig>")]
    pub worker: Option<Value>,
    /// Unique recipients per rolling 24 h (the messaging tier); unlimited when absent.
    pub tier_cap: Option<u32>,
    /// Redis for limits shared by several processes.
    pub redis_url: Option<String>,
    /// Key prefix in Redis (`wacrm` when absent).
    pub redis_prefix: Option<String>,
}

fn to_common(o: SchedulerSettings) -> wacrm::Result<common::SchedulerSettings> {
    Ok(common::SchedulerSettings {
        limits: from_js_opt("limits", o.limits)?,
        policies: from_js_opt("policies", o.policies)?,
        worker: from_js_opt("worker", o.worker)?,
        tier_cap: o.tier_cap.map(|n| n as usize),
        redis_url: o.redis_url,
        redis_prefix: o.redis_prefix,
    })
}

/// The send scheduler: every Meta limit, the policies, a durable outbox.
#[napi]
pub struct NativeScheduler {
    inner: Arc<common::Scheduler>,
}

impl NativeScheduler {
    pub(crate) fn common(&self) -> &common::Scheduler {
        &self.inner
    }
}

#[napi]
impl NativeScheduler {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        stores: &NativeStores,
        client: &NativeClient,
        settings: Option<SchedulerSettings>,
    ) -> Result<Self> {
        let s = match settings {
            Some(o) => to_common(o).map_err(|e| js_error(&env, &e))?,
            None => common::SchedulerSettings::default(),
        };
        let inner = wait(
            &env,
            common::Scheduler::new(&stores.inner, &client.inner, s),
        )?;
        Ok(NativeScheduler {
            inner: Arc::new(inner),
        })
    }

    /// Put a message in the outbox (build it with `outgoing`).
    #[napi(
        ts_args_type = "message: T.OutgoingMessage",
        ts_return_type = "Promise<T.Enqueued>"
    )]
    pub fn enqueue<'env>(&self, env: &'env Env, message: Value) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(
            env,
            async move { s.enqueue(from_js("message", message)?).await },
        )
    }

    /// One round: claim due items, decide, send.
    #[napi(ts_return_type = "Promise<T.RoundReport>")]
    pub fn run_once<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.run_once().await })
    }

    /// Run rounds until nothing is due within `horizonMs` from now (0), or `timeoutMs`
    /// (30000) passed.
    #[napi(ts_return_type = "Promise<T.RoundReport>")]
    pub fn run_until_idle<'env>(
        &self,
        env: &'env Env,
        horizon_ms: Option<i64>,
        timeout_ms: Option<u32>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        let (horizon, timeout) = (horizon_ms.unwrap_or(0), timeout_ms.unwrap_or(30_000));
        promise(env, async move {
            s.run_until_idle(horizon, timeout as u64).await
        })
    }

    /// Return expired leases to the queue; resolves with how many.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn recover<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.recover().await })
    }

    /// Outbox counts by state.
    #[napi(ts_return_type = "Promise<T.OutboxStats>")]
    pub fn stats<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.stats().await })
    }
}
