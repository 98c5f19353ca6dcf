//! Metrics of CRM sync (C8), labelled by `sync` (the engine's name, e.g.
//! `hubspot`): what push and pull did, rejections by CRM code, conflicts and
//! the real-time lag from a store change to the CRM write.

use crate::crm::{PullReport, PushReport};

/// Counter: pushed records, by `sync` and `outcome` (`created`, `updated`,
/// `unchanged`, `rejected`, `parked`).
pub const CRM_PUSHED: &str = "wacrm_crm_pushed_total";
/// Counter: pulled records, by `sync` and `outcome` (`fetched`, `applied`, `created`).
pub const CRM_PULLED: &str = "wacrm_crm_pulled_total";
/// Counter: CRM rejections, by `sync` and `code` (the CRM's error category).
pub const CRM_REJECTIONS: &str = "wacrm_crm_rejections_total";
/// Counter: fields changed on both sides and settled (each one recorded as a
/// discrepancy), by `sync`.
pub const CRM_CONFLICTS: &str = "wacrm_crm_conflicts_total";
/// Counter: connector requests and rate-limited answers, by `sync` and
/// `result` (`sent`, `rate_limited`, `retried`).
pub const CRM_REQUESTS: &str = "wacrm_crm_requests_total";
/// Gauge: records waiting for a scheduled retry, by `sync`.
pub const CRM_SCHEDULED: &str = "wacrm_crm_scheduled_retries";
/// Histogram: store change → CRM write, by `sync`, seconds.
pub const CRM_LAG: &str = "wacrm_crm_lag_seconds";

/// Count what one push did.
pub fn push(sync: &str, r: &PushReport) {
    let s = sync.to_string();
    for (outcome, n) in [
        ("created", r.created),
        ("updated", r.updated),
        ("unchanged", r.unchanged),
        ("rejected", r.rejected),
        ("parked", r.parked),
    ] {
        metrics::counter!(CRM_PUSHED, "sync" => s.clone(), "outcome" => outcome).increment(n);
    }
    for (result, n) in [
        ("sent", r.requests),
        ("rate_limited", r.rate_limited),
        ("retried", r.retries),
    ] {
        metrics::counter!(CRM_REQUESTS, "sync" => s.clone(), "result" => result).increment(n);
    }
    metrics::gauge!(CRM_SCHEDULED, "sync" => s).set(r.scheduled as f64);
}

/// Count what one pull did.
pub fn pull(sync: &str, r: &PullReport) {
    let s = sync.to_string();
    for (outcome, n) in [
        ("fetched", r.fetched),
        ("applied", r.applied),
        ("created", r.created),
    ] {
        metrics::counter!(CRM_PULLED, "sync" => s.clone(), "outcome" => outcome).increment(n);
    }
    metrics::counter!(CRM_CONFLICTS, "sync" => s).increment(r.conflicts);
}

/// One rejection by the CRM (or by the mapping before sending).
pub fn rejection(sync: &str, code: &str) {
    metrics::counter!(CRM_REJECTIONS, "sync" => sync.to_string(), "code" => code.to_string())
        .increment(1);
}

/// One record written to the CRM `ms` milliseconds after its store change.
pub fn lag(sync: &str, ms: f64) {
    metrics::histogram!(CRM_LAG, "sync" => sync.to_string()).record(ms.max(0.0) / 1000.0);
}
