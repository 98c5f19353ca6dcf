//! The send scheduler: typed settings, outgoing messages and round reports.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use wacrm::client::OutboundMessage;
use wacrm::ids::{IdempotencyKey, PhoneNumberId, Recipient};
use wacrm::scheduler::{
    LimitConfig, OutgoingMessage, PolicyConfig, QuietHours, SchedulerConfig, UnknownZone,
};
use wacrm::store::{Category, Enqueued, Lane, OutboxStats};
use wacrm_bindings_common as common;

use crate::WacrmError;
use crate::client::Client;
use crate::runtime::{on_runtime, runtime};
use crate::store::Stores;

/// Per-number and pair limits.
#[uniffi::remote(Record)]
pub struct LimitConfig {
    /// Messages per second per business number.
    pub mps: u32,
    /// Per-number overrides.
    pub mps_by_number: HashMap<String, u32>,
    /// Messages to one recipient in a burst.
    pub pair_burst: u32,
    /// Then one per this interval.
    pub pair_interval: Duration,
}

/// Local hours in which nothing automated is sent.
#[uniffi::remote(Record)]
pub struct QuietHours {
    pub start_hour: u32,
    pub end_hour: u32,
    pub business_time_zone: String,
    pub unknown_zone: UnknownZone,
}

/// What quiet hours do when the recipient's zone is unknown.
#[uniffi::remote(Enum)]
pub enum UnknownZone {
    BusinessHours,
    Send,
}

/// Send policies.
#[uniffi::remote(Record)]
pub struct PolicyConfig {
    pub window_templates_only: bool,
    pub marketing_per_day_without_opt_in: Option<u32>,
    pub same_content_per_month: Option<u32>,
    pub promotion_interval: Option<Duration>,
    pub notification_min_gap: Option<Duration>,
    pub automation_pause_after_human: Option<Duration>,
    pub quiet_hours: Option<QuietHours>,
    pub honor_opt_out: bool,
}

/// Worker settings (batch, lease, retries).
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct WorkerSettings {
    pub worker_id: String,
    pub lease: Duration,
    pub batch: u32,
    pub transient_retries: u32,
    pub throttle_retries: u32,
    pub max_inline_wait: Duration,
}

impl From<SchedulerConfig> for WorkerSettings {
    fn from(c: SchedulerConfig) -> Self {
        WorkerSettings {
            worker_id: c.worker_id,
            lease: c.lease,
            batch: u32::try_from(c.batch).unwrap_or(u32::MAX),
            transient_retries: c.transient_retries,
            throttle_retries: c.throttle_retries,
            max_inline_wait: c.max_inline_wait,
        }
    }
}

impl From<WorkerSettings> for SchedulerConfig {
    fn from(w: WorkerSettings) -> Self {
        SchedulerConfig {
            worker_id: w.worker_id,
            lease: w.lease,
            batch: w.batch as usize,
            transient_retries: w.transient_retries,
            throttle_retries: w.throttle_retries,
            max_inline_wait: w.max_inline_wait,
            // Reconciliation needs status webhooks to reach the store; its
            // defaults apply (see the core's `ReconcileConfig`).
            reconcile: Default::default(),
        }
    }
}

/// The default limits, policies and worker settings, to change before use.
#[uniffi::export]
pub fn limit_config_default() -> LimitConfig {
    LimitConfig::default()
}

/// See [`limit_config_default`].
#[uniffi::export]
pub fn policy_config_default() -> PolicyConfig {
    PolicyConfig::default()
}

/// See [`limit_config_default`].
#[uniffi::export]
pub fn worker_settings_default() -> WorkerSettings {
    SchedulerConfig::default().into()
}

/// Scheduler settings; the core's defaults for every field left `nil`.
#[derive(Clone, Debug, Default, uniffi::Record)]
pub struct SchedulerSettings {
    #[uniffi(default = None)]
    pub limits: Option<LimitConfig>,
    #[uniffi(default = None)]
    pub policies: Option<PolicyConfig>,
    #[uniffi(default = None)]
    pub worker: Option<WorkerSettings>,
    /// Unique recipients per rolling 24 h (the messaging tier); unlimited when absent.
    #[uniffi(default = None)]
    pub tier_cap: Option<u64>,
    /// Redis for limits shared by several processes.
    #[uniffi(default = None)]
    pub redis_url: Option<String>,
    /// Key prefix in Redis (`wacrm` when absent).
    #[uniffi(default = None)]
    pub redis_prefix: Option<String>,
}

impl From<SchedulerSettings> for common::SchedulerSettings {
    fn from(s: SchedulerSettings) -> Self {
        common::SchedulerSettings {
            limits: s.limits,
            policies: s.policies,
            worker: s.worker.map(Into::into),
            tier_cap: s.tier_cap.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            redis_url: s.redis_url,
            redis_prefix: s.redis_prefix,
        }
    }
}

/// A message for the outbox.
#[uniffi::remote(Record)]
pub struct OutgoingMessage {
    /// The same key twice enqueues once.
    pub idempotency_key: IdempotencyKey,
    pub phone_number_id: PhoneNumberId,
    /// E.164, wa_id or BSUID.
    pub recipient: Recipient,
    pub message: OutboundMessage,
    pub category: Category,
    pub lane: Lane,
    #[uniffi(default = None)]
    pub campaign_id: Option<String>,
    /// Not before this time (ms since the epoch; 0 for now).
    #[uniffi(default = 0)]
    pub not_before: i64,
    #[uniffi(default = None)]
    pub event_key: Option<String>,
    #[uniffi(default = false)]
    pub promotion: bool,
    #[uniffi(default = false)]
    pub automated: bool,
}

/// Whether an enqueue added a message.
#[uniffi::remote(Enum)]
pub enum Enqueued {
    New,
    Duplicate,
}

/// What one or more rounds did.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct RoundReport {
    pub claimed: u64,
    pub sent: u64,
    pub deferred: u64,
    pub retried: u64,
    pub parked: u64,
    pub reconciled: u64,
    pub resent: u64,
    pub unknown_outcomes: u64,
}

impl From<wacrm::scheduler::RoundReport> for RoundReport {
    fn from(r: wacrm::scheduler::RoundReport) -> Self {
        RoundReport {
            claimed: r.claimed as u64,
            sent: r.sent as u64,
            deferred: r.deferred as u64,
            retried: r.retried as u64,
            parked: r.parked as u64,
            reconciled: r.reconciled as u64,
            resent: r.resent as u64,
            unknown_outcomes: r.unknown_outcomes as u64,
        }
    }
}

/// The send scheduler.
#[derive(uniffi::Object)]
pub struct Scheduler {
    inner: Arc<common::Scheduler>,
}

impl Scheduler {
    pub(crate) fn common(&self) -> &common::Scheduler {
        &self.inner
    }
}

#[uniffi::export]
impl Scheduler {
    /// A scheduler over `stores` sending with `client`.
    #[uniffi::constructor]
    pub fn new(
        stores: Arc<Stores>,
        client: Arc<Client>,
        settings: SchedulerSettings,
    ) -> Result<Arc<Self>, WacrmError> {
        let inner = runtime().block_on(common::Scheduler::new(
            &stores.inner,
            &client.inner,
            settings.into(),
        ))?;
        Ok(Arc::new(Scheduler {
            inner: Arc::new(inner),
        }))
    }

    /// Put a message in the outbox.
    pub async fn enqueue(&self, message: OutgoingMessage) -> Result<Enqueued, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.enqueue(message).await }).await
    }

    /// One round: claim due items, decide, send.
    pub async fn run_once(&self) -> Result<RoundReport, WacrmError> {
        let s = self.inner.clone();
        Ok(on_runtime(async move { s.run_once().await }).await?.into())
    }

    /// Run rounds until nothing is due within `horizon_ms` from now, or `timeout_ms` passed.
    #[uniffi::method(default(horizon_ms = 0, timeout_ms = 30000))]
    pub async fn run_until_idle(
        &self,
        horizon_ms: i64,
        timeout_ms: u64,
    ) -> Result<RoundReport, WacrmError> {
        let s = self.inner.clone();
        Ok(
            on_runtime(async move { s.run_until_idle(horizon_ms, timeout_ms).await })
                .await?
                .into(),
        )
    }

    /// Return expired leases to the queue; how many.
    pub async fn recover(&self) -> Result<u64, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.recover().await }).await
    }

    /// Outbox counts by state.
    pub async fn stats(&self) -> Result<OutboxStats, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.stats().await }).await
    }
}
