//! The sync engine: push (local changes → CRM), pull (CRM changes → local),
//! conflicts, retries and parking, cursors, and the real-time loop.
//!
//! All state lives in the [`SyncStateStore`] under the engine's name:
//! - `push`: the `updated_at` the next push starts from (≥);
//! - `pull`: the connector's opaque cursor, saved after the page it covers;
//! - `shadow:<contact id>`: the CRM id and the CRM-side values both sides
//!   last agreed on. It is what makes a second run a no-op and keeps values
//!   that came from the CRM from being echoed back;
//! - `crm:<crm id>`: which contact a CRM record belongs to;
//! - `retries`: records waiting for their next scheduled attempt.
//!
//! Health is saved after every push and pull under
//! [`HEALTH_NAMESPACE`](super::health::HEALTH_NAMESPACE) and the engine's
//! name, and the first run of an engine continues from what was saved there.
//! One engine per name at a time: two processes running the same name would
//! each save their own totals over the other's.

pub mod conflict;
mod health;
mod pull;
pub use pull::OVERFLOW_ATTRIBUTE;
mod push;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::connector::CrmConnector;
use super::health::{Health, HealthSnapshot};
use super::mapping::Mapping;
use crate::store::{ContactStore, Stores, SyncStateStore};
use crate::time::{Millis, SharedClock, SystemClock};
use crate::{Error, Result};

/// Tuning of a sync engine.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// The name state is kept under (one per mapping × CRM), e.g. `hubspot`.
    pub name: String,
    /// Delay between scheduled retries of a record that kept failing.
    pub retry_every: Duration,
    /// Scheduled retries before a record is parked.
    pub retry_attempts: u32,
    /// Attempts of one call within a run (transient errors only).
    pub call_attempts: u32,
    /// First backoff step within a run (doubles, capped by `backoff_max`).
    pub backoff_base: Duration,
    /// Longest backoff step (a longer `Retry-After` is still honoured).
    pub backoff_max: Duration,
    /// Records per pull page.
    pub page_size: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            name: "crm".into(),
            retry_every: Duration::from_secs(300),
            retry_attempts: 3,
            call_attempts: 8,
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(30),
            page_size: 200,
        }
    }
}

/// What a push did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushReport {
    /// New CRM records.
    pub created: u64,
    /// CRM records changed.
    pub updated: u64,
    /// Contacts with nothing new to send (or that the CRM already held).
    pub unchanged: u64,
    /// Records the CRM refused (each parked with its reason).
    pub rejected: u64,
    /// Records parked in this run (rejections, multiple matches, retries used up).
    pub parked: u64,
    /// Calls retried within the run.
    pub retries: u64,
    /// Records waiting for a scheduled retry.
    pub scheduled: u64,
    /// Connector requests made during the run.
    pub requests: u64,
    /// Rate-limited answers during the run.
    pub rate_limited: u64,
}

/// What a pull did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullReport {
    /// CRM records read.
    pub fetched: u64,
    /// Records that changed a contact.
    pub applied: u64,
    /// Contacts created from CRM records.
    pub created: u64,
    /// Fields changed on both sides.
    pub conflicts: u64,
    /// Discrepancies recorded (one per conflict).
    pub discrepancies: u64,
}

/// What a sync (pull then push) did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// The pull.
    pub pull: PullReport,
    /// The push.
    pub push: PushReport,
}

/// The agreed state of one contact (see the module doc).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Shadow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_id: Option<String>,
    #[serde(default)]
    pub props: BTreeMap<String, String>,
}

/// A record waiting for its next scheduled attempt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RetryEntry {
    pub attempts: u32,
    pub next_at: Millis,
    pub error: String,
}

/// Keeps a mapping's contacts and a CRM in step. Cheap to share (`Arc`).
pub struct SyncEngine {
    pub(crate) connector: Arc<dyn CrmConnector>,
    pub(crate) mapping: Arc<Mapping>,
    pub(crate) contacts: Arc<dyn ContactStore>,
    pub(crate) sync: Arc<dyn SyncStateStore>,
    pub(crate) clock: SharedClock,
    pub(crate) opts: SyncOptions,
    pub(crate) health: Arc<Health>,
    /// The health last saved or loaded; `None` until the first run restored it.
    pub(crate) health_saved: parking_lot::Mutex<Option<HealthSnapshot>>,
    /// One push or pull at a time: both read and write the same shadows.
    pub(crate) run_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine")
            .field("connector", &self.connector.name())
            .field("name", &self.opts.name)
            .finish()
    }
}

impl SyncEngine {
    /// An engine over `stores` (contacts and sync state) and a connector.
    pub fn new(connector: Arc<dyn CrmConnector>, mapping: Mapping, stores: &Stores) -> Self {
        SyncEngine {
            connector,
            mapping: Arc::new(mapping),
            contacts: stores.contacts.clone(),
            sync: stores.sync.clone(),
            clock: Arc::new(SystemClock),
            opts: SyncOptions::default(),
            health: Arc::new(Health::new()),
            health_saved: parking_lot::Mutex::new(None),
            run_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Replace the options.
    pub fn with_options(mut self, opts: SyncOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Use another clock (scheduled retries are timed by it).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The mapping.
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// The engine's name (state namespace).
    pub fn name(&self) -> &str {
        &self.opts.name
    }

    /// Live health: this engine's counts, plus what earlier engines of the
    /// same name saved once this one has run (restored at its first run).
    pub fn health(&self) -> Arc<Health> {
        self.health.clone()
    }

    /// Pull, then push.
    pub async fn sync(&self) -> Result<SyncReport> {
        let pull = self.pull().await?;
        let push = self.push().await?;
        Ok(SyncReport { pull, push })
    }

    /// Push changes as they arrive, checking the store every `poll`, until
    /// `stop` turns true. Each round is an ordinary incremental push, so a
    /// crash loses nothing: the next start picks up from the push cursor.
    pub async fn run_realtime(
        &self,
        poll: Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> Result<PushReport> {
        let mut total = PushReport::default();
        loop {
            if *stop.borrow() {
                return Ok(total);
            }
            match self.push().await {
                Ok(r) => add_push(&mut total, &r),
                // A failed round is retried on the next tick; it is logged, not fatal.
                Err(e) => tracing::warn!(error = %e, "crm real-time push failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = stop.changed() => {}
            }
        }
    }

    pub(crate) async fn load_shadow(&self, contact: &str) -> Result<Shadow> {
        let v = self
            .sync
            .get_cursor(&self.opts.name, &format!("shadow:{contact}"))
            .await?;
        Ok(v.and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    pub(crate) async fn save_shadow(&self, contact: &str, s: &Shadow) -> Result<()> {
        let text = serde_json::to_string(s).map_err(|e| Error::Config(e.to_string()))?;
        self.sync
            .set_cursor(&self.opts.name, &format!("shadow:{contact}"), &text)
            .await?;
        Ok(())
    }

    pub(crate) async fn load_retries(&self) -> Result<BTreeMap<String, RetryEntry>> {
        let v = self.sync.get_cursor(&self.opts.name, "retries").await?;
        Ok(v.and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    pub(crate) async fn save_retries(&self, r: &BTreeMap<String, RetryEntry>) -> Result<()> {
        let text = serde_json::to_string(r).map_err(|e| Error::Config(e.to_string()))?;
        self.sync
            .set_cursor(&self.opts.name, "retries", &text)
            .await?;
        Ok(())
    }

    /// Run one connector call with in-run retries for transient errors,
    /// honouring `Retry-After`. Returns the result and the retries made.
    pub(crate) async fn call<T, F, Fut>(&self, mut f: F) -> (Result<T>, u64)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let mut retries = 0u64;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let t0 = Instant::now();
            let r = f().await;
            self.health.latency_ms(t0.elapsed().as_secs_f64() * 1000.0);
            match r {
                Ok(v) => return (Ok(v), retries),
                Err(e) => {
                    let advice = e.retry();
                    if !advice.retryable || attempt >= self.opts.call_attempts {
                        return (Err(e), retries);
                    }
                    let step = self
                        .opts
                        .backoff_base
                        .saturating_mul(1u32 << (attempt - 1).min(16))
                        .min(self.opts.backoff_max);
                    // Jitter spreads retries of several workers apart.
                    let jitter = step.mul_f64(rand::random::<f64>() * 0.25);
                    let wait = advice.after.map_or(step + jitter, |a| a.max(step / 4));
                    tracing::debug!(error = %e, ?wait, attempt, "crm call retried");
                    tokio::time::sleep(wait).await;
                    retries += 1;
                }
            }
        }
    }
}

fn add_push(t: &mut PushReport, r: &PushReport) {
    t.created += r.created;
    t.updated += r.updated;
    t.unchanged += r.unchanged;
    t.rejected += r.rejected;
    t.parked += r.parked;
    t.retries += r.retries;
    t.scheduled = r.scheduled;
    t.requests += r.requests;
    t.rate_limited += r.rate_limited;
}

#[cfg(test)]
mod tests;
