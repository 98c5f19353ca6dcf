//! Sync health per mapping and per field: attempts, successes, rejections by
//! code, call latency and the real-time lag (store change → CRM), as p50/p99.
//!
//! The engine saves each mapping's snapshot in the sync state store (see
//! [`StoredHealth`]) so the numbers outlive the process and other processes
//! (`wacrm report`, the analytics of a console) can read them.

use std::collections::BTreeMap;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::store::SyncStateStore;
use crate::time::Millis;

/// The sync state namespace health is saved under, one key per engine name.
pub const HEALTH_NAMESPACE: &str = "crm.health";

/// Latency samples kept (a ring: the newest window).
const SAMPLES: usize = 8192;

#[derive(Debug, Default)]
struct Ring {
    v: Vec<f64>,
    next: usize,
}

impl Ring {
    fn push(&mut self, x: f64) {
        if self.v.len() < SAMPLES {
            self.v.push(x);
        } else {
            self.v[self.next] = x;
            self.next = (self.next + 1) % SAMPLES;
        }
    }
    fn quantile(&self, q: f64) -> Option<f64> {
        if self.v.is_empty() {
            return None;
        }
        let mut s = self.v.clone();
        s.sort_by(|a, b| a.total_cmp(b));
        let i = ((s.len() as f64 - 1.0) * q).round() as usize;
        Some(s[i])
    }
}

/// Counters of one field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldHealth {
    /// Values sent or applied.
    pub attempts: u64,
    /// Of which accepted.
    pub successes: u64,
    /// Transform or validation failures.
    pub errors: u64,
}

/// A snapshot of one mapping's health.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthSnapshot {
    /// Records pushed or pulled.
    pub attempts: u64,
    /// Of which written.
    pub successes: u64,
    /// Rejections by CRM error code.
    pub rejections: BTreeMap<String, u64>,
    /// Connector call latency, milliseconds.
    pub latency_p50_ms: Option<f64>,
    /// Connector call latency, milliseconds.
    pub latency_p99_ms: Option<f64>,
    /// Real-time lag from store change to CRM write, milliseconds.
    pub lag_p50_ms: Option<f64>,
    /// Real-time lag from store change to CRM write, milliseconds.
    pub lag_p99_ms: Option<f64>,
    /// Per CRM property.
    pub fields: BTreeMap<String, FieldHealth>,
}

impl HealthSnapshot {
    /// Successes over attempts (1.0 when nothing was tried).
    pub fn success_rate(&self) -> f64 {
        if self.attempts == 0 {
            1.0
        } else {
            self.successes as f64 / self.attempts as f64
        }
    }
}

/// One mapping's health as saved in the sync state store, under
/// [`HEALTH_NAMESPACE`] and the engine's name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoredHealth {
    /// The connector's name (`hubspot`, `memory`, `sql`, ...).
    pub connector: String,
    /// The engine's name: its state namespace, one per mapping × CRM.
    pub mapping: String,
    /// When it was saved, epoch ms.
    pub updated_at: Millis,
    /// The numbers.
    pub health: HealthSnapshot,
}

impl StoredHealth {
    /// The saved health of one engine name, if any. A document this version
    /// cannot read counts as none (logged): health is bookkeeping, and a
    /// sync must not stop over it.
    pub async fn load(sync: &dyn SyncStateStore, mapping: &str) -> Result<Option<StoredHealth>> {
        let text = sync.get_cursor(HEALTH_NAMESPACE, mapping).await?;
        Ok(text.and_then(|t| decode(mapping, &t)))
    }

    /// Save under the engine's name.
    pub async fn save(&self, sync: &dyn SyncStateStore) -> Result<()> {
        let text = serde_json::to_string(self).map_err(|e| crate::Error::Config(e.to_string()))?;
        sync.set_cursor(HEALTH_NAMESPACE, &self.mapping, &text)
            .await?;
        Ok(())
    }

    /// The saved health of every engine on the store, by engine name.
    pub async fn list(sync: &dyn SyncStateStore) -> Result<Vec<StoredHealth>> {
        Ok(sync
            .list_cursors(HEALTH_NAMESPACE)
            .await?
            .into_iter()
            .filter_map(|(k, t)| decode(&k, &t))
            .collect())
    }
}

fn decode(mapping: &str, text: &str) -> Option<StoredHealth> {
    match serde_json::from_str::<StoredHealth>(text) {
        // The key is the name it was saved under, whatever the document says.
        Ok(s) => Some(StoredHealth {
            mapping: mapping.to_string(),
            ..s
        }),
        Err(e) => {
            tracing::warn!(mapping, error = %e, "unreadable saved crm health ignored");
            None
        }
    }
}

/// Quantiles carried over from a saved snapshot. The samples themselves are
/// not saved (thousands per mapping), so a restarted engine reports the saved
/// quantiles until it has measured calls of its own.
#[derive(Debug, Default)]
struct Carried {
    latency: (Option<f64>, Option<f64>),
    lag: (Option<f64>, Option<f64>),
}

#[derive(Debug, Default)]
struct Inner {
    snap: HealthSnapshot,
    latency: Ring,
    lag: Ring,
    carried: Carried,
}

/// Live health of one mapping (shared by the engine's runs).
#[derive(Debug, Default)]
pub struct Health {
    inner: Mutex<Inner>,
}

impl Health {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }
    pub(crate) fn record(&self, ok: bool, n: u64) {
        let mut g = self.inner.lock();
        g.snap.attempts += n;
        if ok {
            g.snap.successes += n;
        }
    }
    pub(crate) fn reject(&self, code: &str) {
        let mut g = self.inner.lock();
        g.snap.attempts += 1;
        *g.snap.rejections.entry(code.to_string()).or_default() += 1;
    }
    pub(crate) fn field(&self, prop: &str, ok: bool, error: bool) {
        let mut g = self.inner.lock();
        let f = g.snap.fields.entry(prop.to_string()).or_default();
        f.attempts += 1;
        if ok {
            f.successes += 1;
        }
        if error {
            f.errors += 1;
        }
    }
    pub(crate) fn latency_ms(&self, ms: f64) {
        self.inner.lock().latency.push(ms);
    }
    pub(crate) fn lag_ms(&self, ms: f64) {
        self.inner.lock().lag.push(ms.max(0.0));
    }

    /// Add a saved snapshot's counts to these (an engine starting over a
    /// store that holds its earlier health continues from it rather than
    /// from zero) and carry its quantiles until new samples exist.
    pub(crate) fn restore(&self, saved: &HealthSnapshot) {
        let mut g = self.inner.lock();
        g.snap.attempts += saved.attempts;
        g.snap.successes += saved.successes;
        for (code, n) in &saved.rejections {
            *g.snap.rejections.entry(code.clone()).or_default() += n;
        }
        for (prop, f) in &saved.fields {
            let mine = g.snap.fields.entry(prop.clone()).or_default();
            mine.attempts += f.attempts;
            mine.successes += f.successes;
            mine.errors += f.errors;
        }
        g.carried = Carried {
            latency: (saved.latency_p50_ms, saved.latency_p99_ms),
            lag: (saved.lag_p50_ms, saved.lag_p99_ms),
        };
    }

    /// The current numbers.
    pub fn snapshot(&self) -> HealthSnapshot {
        let g = self.inner.lock();
        let mut s = g.snap.clone();
        let q = |r: &Ring, carried: (Option<f64>, Option<f64>)| {
            if r.v.is_empty() {
                carried
            } else {
                (r.quantile(0.5), r.quantile(0.99))
            }
        };
        (s.latency_p50_ms, s.latency_p99_ms) = q(&g.latency, g.carried.latency);
        (s.lag_p50_ms, s.lag_p99_ms) = q(&g.lag, g.carried.lag);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_quantiles() {
        let h = Health::new();
        h.record(true, 3);
        h.reject("VALIDATION_ERROR");
        h.field("email", false, true);
        for i in 1..=100 {
            h.latency_ms(i as f64);
        }
        let s = h.snapshot();
        assert_eq!((s.attempts, s.successes), (4, 3));
        assert_eq!(s.rejections["VALIDATION_ERROR"], 1);
        assert_eq!(s.fields["email"].errors, 1);
        assert_eq!(s.latency_p50_ms, Some(51.0));
        assert_eq!(s.latency_p99_ms, Some(99.0));
        assert_eq!(s.lag_p99_ms, None);
        assert!((s.success_rate() - 0.75).abs() < 1e-9);
    }

    #[test]
    fn a_restored_snapshot_adds_its_counts_and_carries_its_quantiles() {
        let saved = {
            let h = Health::new();
            h.record(true, 5);
            h.reject("INVALID_EMAIL");
            h.field("email", true, false);
            h.latency_ms(40.0);
            h.snapshot()
        };
        let h = Health::new();
        h.record(true, 1);
        h.restore(&saved);
        let s = h.snapshot();
        assert_eq!((s.attempts, s.successes), (7, 6));
        assert_eq!(s.rejections["INVALID_EMAIL"], 1);
        assert_eq!(s.fields["email"].successes, 1);
        assert_eq!(s.latency_p50_ms, Some(40.0), "carried while unmeasured");
        h.latency_ms(10.0);
        assert_eq!(h.snapshot().latency_p50_ms, Some(10.0), "own samples win");
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(
            serde_json::from_str::<HealthSnapshot>(&text).unwrap(),
            saved
        );
    }
}
