//! Metrics of the send pipeline and the webhooks, through the `metrics`
//! facade: every name is here, and recording costs nothing until the
//! application installs a recorder (for Prometheus: the `prometheus`
//! feature's [`prometheus::install`] and [`prometheus::serve`]).
//!
//! Label values are bounded: phone number ids, outbox states, outcome and
//! reason classes — never recipients, message ids or free text.

pub mod crm;
mod outbox;
#[cfg(feature = "prometheus")]
pub mod prometheus;

use std::time::Duration;

pub use outbox::MeteredOutbox;

use crate::store::{OutboxStateKind, OutboxStats};

/// Counter: leased outbox items that left their lease, by `phone_number_id`
/// and `outcome` (`sent`, `retried`, `parked`).
pub const SENDS: &str = "wacrm_outbox_sends_total";
/// Counter: items held back, by `phone_number_id` and `reason`
/// ([`DeferReason`]).
pub const DEFERRALS: &str = "wacrm_outbox_deferrals_total";
/// Counter: items given up, by `phone_number_id` and `reason` ([`ParkReason`]).
pub const PARKS: &str = "wacrm_outbox_parks_total";
/// Counter: enqueue answers, by `outcome` (`new`, `duplicate`).
pub const ENQUEUED: &str = "wacrm_outbox_enqueued_total";
/// Gauge: items per `state` (sampled from the store's counts).
pub const QUEUE_DEPTH: &str = "wacrm_outbox_items";
/// Histogram: how long a due item waited for a worker (claim time minus the
/// later of its creation and its `not_before`), seconds.
pub const QUEUE_WAIT: &str = "wacrm_outbox_wait_seconds";
/// Histogram: Cloud API send latency, by `phone_number_id` and `outcome`
/// (`ok`, `error`), seconds.
pub const API_LATENCY: &str = "wacrm_api_send_seconds";
/// Counter: sends the rate limiter held back (number throughput or pair
/// pacing), by `phone_number_id`: limit pressure per number.
pub const RATE_LIMITED: &str = "wacrm_rate_limited_total";
/// Gauge: messages the local sandbox accepted, by `phone_number_id` and
/// `outcome` (`accepted`, `failed`), sampled from its ledger by
/// `wacrm sandbox --metrics-addr`.
pub const SANDBOX_SENDS: &str = "wacrm_sandbox_sends";
/// Counter: webhook events processed, by `kind` (`message`, `status`, ...).
pub const WEBHOOK_EVENTS: &str = "wacrm_webhook_events_total";
/// Counter: webhook deliveries repeated (an inbound message seen before,
/// a status already applied).
pub const WEBHOOK_DUPLICATES: &str = "wacrm_webhook_duplicates_total";
/// Counter: webhook bodies refused for their signature.
pub const WEBHOOK_SIGNATURE_FAILURES: &str = "wacrm_webhook_signature_failures_total";
/// Counter: status webhooks, by `status` and `result` (`applied`, `ignored`, `pending`).
pub const WEBHOOK_STATUSES: &str = "wacrm_webhook_statuses_total";

/// Why an item was held, as a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeferReason {
    /// The rate limiter: number throughput or pair pacing.
    RateLimit,
    /// The messaging-limit tier's unique recipients per 24 h.
    Tier,
    /// A paused, disabled or unapproved template.
    TemplateHold,
    /// A policy: quiet hours, frequency caps, human-reply pause, ...
    Policy,
}

impl DeferReason {
    /// Class of a recorded hold reason (the scheduler writes these prefixes).
    pub fn of(reason: &str) -> Self {
        let r = reason.to_ascii_lowercase();
        if r.starts_with("rate limit") {
            DeferReason::RateLimit
        } else if r.starts_with("messaging-limit tier") {
            DeferReason::Tier
        } else if r.starts_with("template ") {
            DeferReason::TemplateHold
        } else {
            DeferReason::Policy
        }
    }

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            DeferReason::RateLimit => "rate_limit",
            DeferReason::Tier => "tier",
            DeferReason::TemplateHold => "template_hold",
            DeferReason::Policy => "policy",
        }
    }
}

/// Why an item was given up, as a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParkReason {
    /// A policy dropped it.
    Policy,
    /// The stored payload does not decode.
    Payload,
    /// The Cloud API refused it (or retries ran out).
    ApiError,
}

impl ParkReason {
    /// Class of a recorded park reason.
    pub fn of(reason: &str) -> Self {
        if reason.starts_with("policy:") {
            ParkReason::Policy
        } else if reason.starts_with("payload") {
            ParkReason::Payload
        } else {
            ParkReason::ApiError
        }
    }

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            ParkReason::Policy => "policy",
            ParkReason::Payload => "payload",
            ParkReason::ApiError => "api_error",
        }
    }
}

/// Record one Cloud API send answer.
pub fn api_answer(phone_number_id: &str, took: Duration, ok: bool) {
    metrics::histogram!(
        API_LATENCY,
        "phone_number_id" => phone_number_id.to_string(),
        "outcome" => if ok { "ok" } else { "error" }
    )
    .record(took.as_secs_f64());
}

/// Set the queue-depth gauges from the store's counts.
pub fn queue_depth(s: &OutboxStats) {
    for kind in OutboxStateKind::ALL {
        let n = match kind {
            OutboxStateKind::Queued => s.queued,
            OutboxStateKind::Leased => s.leased,
            OutboxStateKind::Sent => s.sent,
            OutboxStateKind::Deferred => s.deferred,
            OutboxStateKind::RetryLater => s.retry_later,
            OutboxStateKind::Parked => s.parked,
        };
        metrics::gauge!(QUEUE_DEPTH, "state" => kind.as_str()).set(n as f64);
    }
}

/// Record processed webhook events of one `kind`.
pub fn webhook_events(kind: &str, n: u64) {
    if n > 0 {
        metrics::counter!(WEBHOOK_EVENTS, "kind" => kind.to_string()).increment(n);
    }
}

/// Record repeated webhook deliveries.
pub fn webhook_duplicates(n: u64) {
    if n > 0 {
        metrics::counter!(WEBHOOK_DUPLICATES).increment(n);
    }
}

/// Record a webhook body refused for its signature.
pub fn webhook_signature_failure() {
    metrics::counter!(WEBHOOK_SIGNATURE_FAILURES).increment(1);
}

/// Record one status webhook and what it did.
pub fn webhook_status(status: &'static str, result: &'static str) {
    metrics::counter!(WEBHOOK_STATUSES, "status" => status, "result" => result).increment(1);
}

/// Help texts, for exporters that show them.
pub fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        SENDS,
        "Outbox items finished by a send attempt, by number and outcome"
    );
    describe_counter!(DEFERRALS, "Outbox items held back, by number and reason");
    describe_counter!(PARKS, "Outbox items given up, by number and reason");
    describe_counter!(ENQUEUED, "Enqueue answers (new or duplicate)");
    describe_gauge!(QUEUE_DEPTH, "Outbox items per state");
    describe_histogram!(QUEUE_WAIT, "Seconds a due item waited for a worker");
    describe_histogram!(API_LATENCY, "Cloud API send latency in seconds");
    describe_counter!(
        RATE_LIMITED,
        "Sends held back by the rate limiter, by number"
    );
    describe_counter!(WEBHOOK_EVENTS, "Webhook events processed, by kind");
    describe_counter!(WEBHOOK_DUPLICATES, "Webhook deliveries seen before");
    describe_counter!(
        WEBHOOK_SIGNATURE_FAILURES,
        "Webhook bodies refused for their signature"
    );
    describe_counter!(WEBHOOK_STATUSES, "Status webhooks, by status and result");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_fall_in_bounded_classes() {
        assert_eq!(
            DeferReason::of("rate limit (number throughput or pair pacing)"),
            DeferReason::RateLimit
        );
        assert_eq!(
            DeferReason::of("messaging-limit tier of 250 unique recipients per 24 h reached"),
            DeferReason::Tier
        );
        assert_eq!(
            DeferReason::of(
                "template order_update (en) is PAUSED; held until it is approved again"
            ),
            DeferReason::TemplateHold
        );
        assert_eq!(
            DeferReason::of("quiet hours in Asia/Tokyo"),
            DeferReason::Policy
        );
        assert_eq!(
            DeferReason::of("at most 1 marketing template(s) per 24 h without opt-in"),
            DeferReason::Policy
        );
        assert_eq!(ParkReason::of("policy: opted out"), ParkReason::Policy);
        assert_eq!(
            ParkReason::of("payload does not decode: eof"),
            ParkReason::Payload
        );
        assert_eq!(
            ParkReason::of("invalid_request (graph 131026): undeliverable"),
            ParkReason::ApiError
        );
    }
}
