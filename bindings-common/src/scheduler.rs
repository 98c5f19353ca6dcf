//! The send scheduler as a binding holds it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use wacrm::Result;
use wacrm::scheduler::{
    LimitConfig, MemoryLimiter, OutgoingMessage, PolicyConfig, PolicyEngine, RateLimiter,
    RedisLimiter, RoundReport, SchedulerConfig, TierCounter,
};
use wacrm::store::{Enqueued, OutboxStats};
use wacrm::time::{Clock, SharedClock, SystemClock};

use crate::{Client, Stores};

/// Scheduler settings: limits, policies, worker and an optional Redis URL for
/// limits shared by several processes. Every field is optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SchedulerSettings {
    /// Per-number and pair limits.
    pub limits: Option<LimitConfig>,
    /// Send policies (window, caps, quiet hours).
    pub policies: Option<PolicyConfig>,
    /// Worker settings (batch, lease, retries).
    pub worker: Option<SchedulerConfig>,
    /// Unique recipients per rolling 24 h (the messaging tier); unlimited when absent.
    pub tier_cap: Option<usize>,
    /// Redis for limits shared by several processes.
    pub redis_url: Option<String>,
    /// Key prefix in Redis (`wacrm` when absent).
    pub redis_prefix: Option<String>,
}

/// A send scheduler over stores and a client.
pub struct Scheduler {
    inner: Arc<wacrm::scheduler::Scheduler>,
    stores: wacrm::store::Stores,
}

impl Scheduler {
    /// A scheduler with `settings`.
    pub async fn new(
        stores: &Stores,
        client: &Client,
        settings: SchedulerSettings,
    ) -> Result<Self> {
        let limits = settings.limits.unwrap_or_default();
        let limiter: Arc<dyn RateLimiter> = match &settings.redis_url {
            Some(url) => Arc::new(
                RedisLimiter::connect(
                    url,
                    settings.redis_prefix.as_deref().unwrap_or("wacrm"),
                    limits,
                )
                .await?,
            ),
            None => Arc::new(MemoryLimiter::new(limits)),
        };
        let clock: SharedClock = Arc::new(SystemClock);
        let inner = wacrm::scheduler::Scheduler::new(
            stores.0.clone(),
            client.inner().clone(),
            limiter,
            Arc::new(TierCounter::new(settings.tier_cap)),
            Arc::new(PolicyEngine::new(settings.policies.unwrap_or_default())),
            clock,
            settings.worker.unwrap_or_default(),
        );
        Ok(Scheduler {
            inner: Arc::new(inner),
            stores: stores.0.clone(),
        })
    }

    /// The core scheduler (a console sends through it).
    pub(crate) fn core(&self) -> Arc<wacrm::scheduler::Scheduler> {
        self.inner.clone()
    }

    /// Put a message in the outbox.
    pub async fn enqueue(&self, m: OutgoingMessage) -> Result<Enqueued> {
        self.inner.enqueue(&m).await
    }

    /// One round: claim due items, decide, send.
    pub async fn run_once(&self) -> Result<RoundReport> {
        self.inner.run_once().await
    }

    /// Run rounds until nothing is due within `horizon_ms` from now, or `timeout_ms` passed.
    pub async fn run_until_idle(&self, horizon_ms: i64, timeout_ms: u64) -> Result<RoundReport> {
        let now = SystemClock.now_millis();
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        self.inner.run_until_idle(now + horizon_ms, deadline).await
    }

    /// Return expired leases to the queue; how many.
    pub async fn recover(&self) -> Result<u64> {
        self.inner.recover().await
    }

    /// Outbox counts by state.
    pub async fn stats(&self) -> Result<OutboxStats> {
        Ok(self.stores.outbox.stats().await?)
    }
}
