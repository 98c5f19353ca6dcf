//! Sync health per mapping and per field: attempts, successes, rejections by
//! code, call latency and the real-time lag (store change → CRM), as p50/p99.

use std::collections::BTreeMap;

use parking_lot::Mutex;
use serde::Serialize;

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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FieldHealth {
    /// Values sent or applied.
    pub attempts: u64,
    /// Of which accepted.
    pub successes: u64,
    /// Transform or validation failures.
    pub errors: u64,
}

/// A snapshot of one mapping's health.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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

#[derive(Debug, Default)]
struct Inner {
    snap: HealthSnapshot,
    latency: Ring,
    lag: Ring,
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

    /// The current numbers.
    pub fn snapshot(&self) -> HealthSnapshot {
        let g = self.inner.lock();
        let mut s = g.snap.clone();
        s.latency_p50_ms = g.latency.quantile(0.5);
        s.latency_p99_ms = g.latency.quantile(0.99);
        s.lag_p50_ms = g.lag.quantile(0.5);
        s.lag_p99_ms = g.lag.quantile(0.99);
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
}
