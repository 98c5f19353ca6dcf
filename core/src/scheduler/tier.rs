//! The portfolio's messaging-limit tier: unique recipients reached outside
//! a customer-service window per rolling 24 h.

use std::collections::VecDeque;

use async_trait::async_trait;
use parking_lot::Mutex;

use super::slots::{SlotHint, SlotMap};
use crate::time::{DAY, Millis};

/// The messaging-limit tier: unique recipients reached outside a
/// customer-service window per rolling 24 h, shared by every number of a
/// business portfolio (in memory, or in Redis for several processes).
#[async_trait]
pub trait TierGate: Send + Sync + 'static {
    /// Admit `recipient` at `now`, or say when a slot frees up (epoch ms).
    async fn admit(&self, recipient: &str, now: Millis) -> Result<(), Millis>;
    /// The cap (`None`: unlimited).
    fn cap(&self) -> Option<usize>;
    /// Unique recipients already reached in the window (as far as this gate
    /// knows; a campaign plan starts from it).
    async fn used(&self, _now: Millis) -> usize {
        0
    }
    /// Hint that `recipient` is about to be admitted, so the gate can start
    /// loading its state (no effect on any answer; nothing by default).
    fn prefetch(&self, _recipient: &str) {}
}

#[async_trait]
impl TierGate for TierCounter {
    async fn admit(&self, recipient: &str, now: Millis) -> Result<(), Millis> {
        TierCounter::admit(self, recipient, now)
    }

    fn cap(&self) -> Option<usize> {
        self.cap
    }

    async fn used(&self, _now: Millis) -> usize {
        TierCounter::used(self)
    }

    fn prefetch(&self, recipient: &str) {
        TierCounter::prefetch(self, recipient)
    }
}

/// Unique recipients reached outside a customer-service window per rolling
/// 24 h, shared by every number of a business portfolio, in this process.
pub struct TierCounter {
    cap: Option<usize>,
    inner: Mutex<TierWindow>,
    /// Where the window's table is, for [`TierCounter::prefetch`].
    hint: SlotHint,
}

/// Last contact per recipient (by a 64-bit hash of the recipient, so admitting
/// allocates nothing), and contacts in time order for expiry.
type TierWindow = (SlotMap, VecDeque<(Millis, u64)>);

fn recipient_key(recipient: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x7e12).hash_one(recipient)
}

impl TierCounter {
    /// `cap`: 250, 2,000, 10,000, 100,000 or `None` for unlimited.
    pub fn new(cap: Option<usize>) -> Self {
        TierCounter {
            cap,
            inner: Mutex::new((SlotMap::default(), VecDeque::new())),
            hint: SlotHint::default(),
        }
    }

    /// The cap.
    pub fn cap(&self) -> Option<usize> {
        self.cap
    }

    /// Hint that `recipient` is about to be admitted: the CPU starts loading
    /// its entry, without the lock, while the caller does other work (the
    /// policies). Changes no answer.
    pub fn prefetch(&self, recipient: &str) {
        self.hint.prefetch(recipient_key(recipient));
    }

    /// Admit `recipient` at `now`, or say when a slot frees up.
    pub fn admit(&self, recipient: &str, now: Millis) -> Result<(), Millis> {
        let who_key = recipient_key(recipient);
        let mut g = self.inner.lock();
        let admitted = Self::admit_locked(&mut g, self.cap, who_key, now);
        self.hint.publish(&g.0);
        admitted
    }

    fn admit_locked(
        (seen, order): &mut TierWindow,
        cap: Option<usize>,
        who_key: u64,
        now: Millis,
    ) -> Result<(), Millis> {
        // Drop expired contacts (and stale entries of recipients seen again
        // since). An entry inside the window stops the sweep without a lookup:
        // stale or not, it is not due yet.
        while let Some(&(t, who)) = order.front() {
            if t > now - DAY {
                break;
            }
            if seen.get(who) == Some(t as u64) {
                seen.remove(who);
            }
            order.pop_front();
        }
        // A recipient already in the window is one lookup (the common case
        // in a campaign's retries and follow-ups).
        if let Some(last) = seen.get_mut(who_key) {
            // Seen again at the same instant: nothing to move.
            if std::mem::replace(last, now as u64) != now as u64 {
                order.push_back((now, who_key));
            }
            return Ok(());
        }
        if let Some(cap) = cap
            && seen.len() >= cap
        {
            // The slot frees when the oldest live contact expires: skip the
            // stale entries in front of it.
            while let Some((t, who)) = order.front()
                && seen.get(*who) != Some(*t as u64)
            {
                order.pop_front();
            }
            let oldest = order.front().map(|(t, _)| *t).unwrap_or(now);
            return Err(oldest + DAY);
        }
        seen.insert(who_key, now as u64);
        order.push_back((now, who_key));
        Ok(())
    }

    /// Unique recipients in the window.
    pub fn used(&self) -> usize {
        self.inner.lock().0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_window() {
        let t = TierCounter::new(Some(2));
        assert!(t.admit("a", 0).is_ok());
        assert!(t.admit("b", 10).is_ok());
        assert_eq!(t.admit("c", 20), Err(DAY));
        assert!(t.admit("a", 30).is_ok());
        // a's first contact is stale now: the slot frees when b's expires.
        assert_eq!(t.admit("c", 40), Err(DAY + 10));
        assert!(t.admit("c", DAY + 11).is_ok());
    }
}
