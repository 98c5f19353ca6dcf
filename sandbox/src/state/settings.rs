//! `PUT /_sandbox/limits`: a typed update of the number limits, the tier, the
//! window and status settings, unreachable recipients and the `Idempotency-Key`
//! mode. Every field is optional; absent ones keep their value.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::State;
use crate::limits::Bucket;
use crate::{IdempotencyMode, NumberLimits, StatusDelays, Tier, TierAnswer, WindowMode};

/// One update of the sandbox's limits and answers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LimitsUpdate {
    /// The number whose rates change (every number, and the default for numbers
    /// added later, when absent).
    pub phone_number_id: Option<String>,
    /// Messages per second (positive, capped at 10,000).
    pub mps: Option<f64>,
    /// Pair burst (at least 1).
    pub pair_burst: Option<f64>,
    /// Pair interval, milliseconds (at least 1).
    pub pair_interval_ms: Option<u64>,
    /// Portfolio messaging-limit tier.
    pub tier: Option<Tier>,
    /// Answer when the tier is exhausted.
    pub tier_answer: Option<TierAnswer>,
    /// Answer to free-form messages outside the window.
    pub window_mode: Option<WindowMode>,
    /// Status ladder timing.
    pub status_delays: Option<StatusDelays>,
    /// Recipients (digits) that are not on WhatsApp.
    pub unreachable: Option<Vec<String>>,
    /// How a repeated `Idempotency-Key` is answered.
    pub idempotency: Option<IdempotencyMode>,
}

impl LimitsUpdate {
    fn apply_rates(&self, l: &mut NumberLimits, mps: Option<f64>) {
        if let Some(x) = mps {
            l.mps = x;
        }
        if let Some(x) = self.pair_burst {
            l.pair_burst = x.max(1.0);
        }
        if let Some(x) = self.pair_interval_ms {
            l.pair_interval_ms = x.max(1);
        }
    }
}

impl State {
    /// Apply a limits update; answers the resulting settings.
    pub fn update_limits(&self, u: &LimitsUpdate) -> Result<Value, String> {
        let mps = u
            .mps
            .map(|x| crate::check_mps(x).map(|m| m.min(10_000.0)))
            .transpose()?;
        let mut g = self.inner.lock();
        match &u.phone_number_id {
            Some(id) => {
                let n = g
                    .numbers
                    .get_mut(id)
                    .ok_or_else(|| format!("unknown phone_number_id {id}"))?;
                u.apply_rates(&mut n.cfg.limits, mps);
                n.bucket = Bucket::full(n.cfg.limits.mps.max(1.0));
            }
            None => {
                let mut dl = g.default_limits.clone();
                u.apply_rates(&mut dl, mps);
                g.default_limits = dl.clone();
                for n in g.numbers.values_mut() {
                    n.cfg.limits = dl.clone();
                    n.bucket = Bucket::full(dl.mps.max(1.0));
                    n.pairs.clear();
                }
            }
        }
        if let Some(t) = u.tier {
            g.tier = t;
        }
        if let Some(t) = &u.tier_answer {
            g.tier_answer = t.clone();
        }
        if let Some(t) = u.window_mode {
            g.window_mode = t;
        }
        if let Some(t) = &u.status_delays {
            g.delays = t.clone();
        }
        if let Some(t) = &u.unreachable {
            g.unreachable = t.iter().cloned().collect();
        }
        if let Some(m) = u.idempotency {
            g.idempotency = m;
            if m == IdempotencyMode::Ignore {
                g.replays.clear();
            }
        }
        Ok(json!({
            "numbers": g.numbers.values().map(|n| json!({"id": n.cfg.id, "limits": n.cfg.limits})).collect::<Vec<_>>(),
            "tier": g.tier, "tier_answer": g.tier_answer, "window_mode": g.window_mode,
            "status_delays": g.delays, "idempotency": g.idempotency,
        }))
    }
}
