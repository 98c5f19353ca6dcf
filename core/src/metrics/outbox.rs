//! An `OutboxStore` that records what happens to each item: sends by number
//! and outcome, deferrals and parks by reason, enqueue answers and how long
//! due items waited — with no change to the code that drives the outbox.
//! Each transition is also a `tracing` event carrying the item id, so one
//! item's path (enqueue, claim, send, outcome) can be followed in the logs.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;

use super::*;
use crate::ErrorDetails;
use crate::ids::{IdempotencyKey, MessageId};
use crate::store::*;
use crate::time::Millis;

/// Wraps a store; see the module docs. Metrics go to the installed recorder.
pub struct MeteredOutbox {
    inner: Arc<dyn OutboxStore>,
    /// Sending number of each item leased through this store, so outcomes
    /// (which carry only the lease) are counted per number.
    numbers: Mutex<HashMap<String, String>>,
}

impl MeteredOutbox {
    /// Record around `inner`.
    pub fn new(inner: Arc<dyn OutboxStore>) -> Self {
        MeteredOutbox {
            inner,
            numbers: Mutex::new(HashMap::new()),
        }
    }

    fn number_of(&self, lease: &LeaseToken) -> String {
        self.numbers
            .lock()
            .remove(&lease.item_id)
            .unwrap_or_else(|| "unknown".into())
    }

    fn sent(&self, lease: &LeaseToken) {
        let number = self.number_of(lease);
        tracing::debug!(item_id = %lease.item_id, phone_number_id = %number, "outbox item sent");
        metrics::counter!(SENDS, "phone_number_id" => number, "outcome" => "sent").increment(1);
    }

    fn enqueued(&self, item: &OutboxItem, e: Enqueued) {
        tracing::debug!(item_id = %item.id, outcome = ?e, "outbox item enqueued");
        let outcome = match e {
            Enqueued::New => "new",
            Enqueued::Duplicate => "duplicate",
        };
        metrics::counter!(ENQUEUED, "outcome" => outcome).increment(1);
    }
}

#[async_trait]
impl OutboxStore for MeteredOutbox {
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<Enqueued> {
        let e = self.inner.enqueue(item).await?;
        self.enqueued(item, e);
        Ok(e)
    }

    async fn enqueue_many(&self, items: &[OutboxItem]) -> StoreResult<Vec<Enqueued>> {
        let out = self.inner.enqueue_many(items).await?;
        for (item, e) in items.iter().zip(&out) {
            self.enqueued(item, *e);
        }
        Ok(out)
    }

    async fn claim(
        &self,
        worker: &str,
        now: Millis,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LeasedItem>> {
        let got = self.inner.claim(worker, now, lease_ms, limit).await?;
        let mut numbers = self.numbers.lock();
        for l in &got {
            let i = &l.item;
            tracing::debug!(item_id = %i.id, worker, attempt = i.attempts, "outbox item claimed");
            numbers.insert(i.id.clone(), i.phone_number_id.as_str().to_string());
            let waited = now - i.created_at.max(i.not_before);
            if waited >= 0 {
                metrics::histogram!(QUEUE_WAIT).record(waited as f64 / 1000.0);
            }
        }
        Ok(got)
    }

    async fn complete(
        &self,
        lease: &LeaseToken,
        message_id: &MessageId,
        now: Millis,
    ) -> StoreResult<()> {
        self.inner.complete(lease, message_id, now).await?;
        self.sent(lease);
        Ok(())
    }

    async fn complete_many(
        &self,
        done: &[(LeaseToken, MessageId)],
        now: Millis,
    ) -> StoreResult<Vec<bool>> {
        let ok = self.inner.complete_many(done, now).await?;
        for ((lease, _), ok) in done.iter().zip(&ok) {
            if *ok {
                self.sent(lease);
            }
        }
        Ok(ok)
    }

    async fn retry_later(
        &self,
        lease: &LeaseToken,
        at: Millis,
        error: &ErrorDetails,
    ) -> StoreResult<()> {
        self.inner.retry_later(lease, at, error).await?;
        let number = self.number_of(lease);
        tracing::debug!(item_id = %lease.item_id, phone_number_id = %number, code = %error.code, "outbox item retried later");
        metrics::counter!(SENDS, "phone_number_id" => number, "outcome" => "retried").increment(1);
        Ok(())
    }

    async fn defer(&self, lease: &LeaseToken, until: Millis, reason: &str) -> StoreResult<()> {
        self.inner.defer(lease, until, reason).await?;
        let number = self.number_of(lease);
        let class = DeferReason::of(reason);
        tracing::debug!(item_id = %lease.item_id, phone_number_id = %number, reason, "outbox item deferred");
        if class == DeferReason::RateLimit {
            metrics::counter!(RATE_LIMITED, "phone_number_id" => number.clone()).increment(1);
        }
        metrics::counter!(DEFERRALS, "phone_number_id" => number, "reason" => class.as_str())
            .increment(1);
        Ok(())
    }

    async fn park(
        &self,
        lease: &LeaseToken,
        reason: &str,
        error: Option<&ErrorDetails>,
    ) -> StoreResult<()> {
        self.inner.park(lease, reason, error).await?;
        let number = self.number_of(lease);
        tracing::info!(item_id = %lease.item_id, phone_number_id = %number, reason, "outbox item parked");
        let class = ParkReason::of(reason).as_str();
        metrics::counter!(PARKS, "phone_number_id" => number.clone(), "reason" => class)
            .increment(1);
        metrics::counter!(SENDS, "phone_number_id" => number, "outcome" => "parked").increment(1);
        Ok(())
    }

    async fn release_expired(&self, now: Millis) -> StoreResult<u64> {
        let n = self.inner.release_expired(now).await?;
        if n > 0 {
            tracing::info!(released = n, "expired outbox leases returned to the queue");
        }
        Ok(n)
    }

    async fn get_item(&self, id: &str) -> StoreResult<Option<OutboxItem>> {
        self.inner.get_item(id).await
    }

    async fn get_by_key(&self, key: &IdempotencyKey) -> StoreResult<Option<OutboxItem>> {
        self.inner.get_by_key(key).await
    }

    async fn list_by_state(
        &self,
        state: OutboxStateKind,
        limit: usize,
    ) -> StoreResult<Vec<OutboxItem>> {
        self.inner.list_by_state(state, limit).await
    }

    async fn stats(&self) -> StoreResult<OutboxStats> {
        let s = self.inner.stats().await?;
        queue_depth(&s);
        Ok(s)
    }
}
