//! Token buckets and the rolling unique-recipient window.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

/// A token bucket: `capacity` tokens, refilled at `rate` per second.
#[derive(Clone, Debug)]
pub struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn full(capacity: f64) -> Self {
        Bucket {
            tokens: capacity,
            last: Instant::now(),
        }
    }

    /// Take one token if available.
    pub fn try_take(&mut self, capacity: f64, rate_per_sec: f64, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate_per_sec).min(capacity);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Unique recipients reached outside a customer-service window in a rolling 24 h,
/// shared by all numbers of the portfolio.
#[derive(Debug, Default)]
pub struct TierWindow {
    last_seen: HashMap<String, i64>,
    order: VecDeque<(i64, String)>,
}

pub const DAY_MS: i64 = 24 * 3600 * 1000;

impl TierWindow {
    fn expire(&mut self, now_ms: i64) {
        while let Some((t, who)) = self.order.front() {
            if *t > now_ms - DAY_MS {
                break;
            }
            // Only forget a recipient if this is its latest contact.
            if self.last_seen.get(who) == Some(t) {
                self.last_seen.remove(who);
            }
            self.order.pop_front();
        }
    }

    /// Whether `who` may be contacted under `cap`; records it when yes.
    pub fn admit(&mut self, who: &str, cap: Option<usize>, now_ms: i64) -> bool {
        self.expire(now_ms);
        let known = self.last_seen.contains_key(who);
        if !known && cap.is_some_and(|c| self.last_seen.len() >= c) {
            return false;
        }
        self.last_seen.insert(who.to_string(), now_ms);
        self.order.push_back((now_ms, who.to_string()));
        true
    }

    pub fn unique(&mut self, now_ms: i64) -> usize {
        self.expire(now_ms);
        self.last_seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_refills() {
        let t0 = Instant::now();
        let mut b = Bucket {
            tokens: 2.0,
            last: t0,
        };
        assert!(b.try_take(2.0, 1.0, t0));
        assert!(b.try_take(2.0, 1.0, t0));
        assert!(!b.try_take(2.0, 1.0, t0));
        assert!(b.try_take(2.0, 1.0, t0 + Duration::from_secs(1)));
    }

    #[test]
    fn tier_window_rolls() {
        let mut w = TierWindow::default();
        assert!(w.admit("a", Some(2), 0));
        assert!(w.admit("b", Some(2), 1));
        assert!(!w.admit("c", Some(2), 2));
        assert!(
            w.admit("a", Some(2), 3),
            "known recipients do not count again"
        );
        assert!(w.admit("c", Some(2), DAY_MS + 2), "b expired");
        assert_eq!(w.unique(DAY_MS + 2), 2);
    }
}
