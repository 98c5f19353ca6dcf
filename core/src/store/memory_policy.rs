//! `PolicyHistoryStore` in memory: one lock over every recipient's sends.

use async_trait::async_trait;

use super::memory::MemoryStore;
use super::traits::PolicyHistoryStore;
use super::types::{PolicySend, StoreResult};
use crate::time::Millis;

#[async_trait]
impl PolicyHistoryStore for MemoryStore {
    async fn admit_send(
        &self,
        entry: &PolicySend,
        since: Millis,
        admit: &(dyn for<'h> Fn(&'h [PolicySend]) -> bool + Send + Sync),
    ) -> StoreResult<bool> {
        let mut g = self.policy.lock();
        let sends = g.entry(entry.recipient.clone()).or_default();
        let seen: Vec<PolicySend> = sends
            .iter()
            .filter(|s| s.at >= since && s.item_id != entry.item_id)
            .cloned()
            .collect();
        if !admit(&seen) {
            return Ok(false);
        }
        sends.retain(|s| s.item_id != entry.item_id);
        sends.push(entry.clone());
        sends.sort_by_key(|s| s.at);
        Ok(true)
    }

    async fn forget_send(&self, recipient: &str, item_id: &str) -> StoreResult<bool> {
        let mut g = self.policy.lock();
        let Some(sends) = g.get_mut(recipient) else {
            return Ok(false);
        };
        let before = sends.len();
        sends.retain(|s| s.item_id != item_id);
        Ok(sends.len() < before)
    }

    async fn sends_since(&self, recipient: &str, since: Millis) -> StoreResult<Vec<PolicySend>> {
        let g = self.policy.lock();
        Ok(g.get(recipient)
            .map(|v| v.iter().filter(|s| s.at >= since).cloned().collect())
            .unwrap_or_default())
    }

    async fn prune_sends_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let mut g = self.policy.lock();
        let mut n = 0;
        for sends in g.values_mut() {
            let before = sends.len();
            sends.retain(|s| s.at >= cutoff);
            n += (before - sends.len()) as u64;
        }
        g.retain(|_, v| !v.is_empty());
        Ok(n)
    }
}
