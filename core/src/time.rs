//! Time source. Everything that depends on "now" (windows, limits, SLAs,
//! retention) takes a [`Clock`] so tests can move time by hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// One day in milliseconds: the customer-service window, the tier's rolling
/// window and every retention period count in these.
pub const DAY: Millis = 86_400_000;

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// Now, in milliseconds since the epoch.
    fn now_millis(&self) -> Millis;

    /// Now as a `DateTime<Utc>`.
    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.now_millis())
            .single()
            .unwrap_or_default()
    }
}

/// The system wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> Millis {
        Utc::now().timestamp_millis()
    }
}

/// A clock that only moves when told to. Cheap to clone; clones share time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<AtomicI64>,
}

impl ManualClock {
    /// Start at `start_millis`.
    pub fn new(start_millis: Millis) -> Self {
        Self {
            now: Arc::new(AtomicI64::new(start_millis)),
        }
    }

    /// Start at a calendar time.
    pub fn at(t: DateTime<Utc>) -> Self {
        Self::new(t.timestamp_millis())
    }

    /// Move forward.
    pub fn advance(&self, d: Duration) {
        self.now.fetch_add(d.as_millis() as i64, Ordering::SeqCst);
    }

    /// Jump to an absolute time.
    pub fn set(&self, millis: Millis) {
        self.now.store(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> Millis {
        self.now.load(Ordering::SeqCst)
    }
}

/// Shared clock handle.
pub type SharedClock = Arc<dyn Clock>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(1_000);
        let c2 = c.clone();
        assert_eq!(c.now_millis(), 1_000);
        c.advance(Duration::from_secs(2));
        assert_eq!(c2.now_millis(), 3_000);
        c.set(5);
        assert_eq!(c2.now_millis(), 5);
        assert!(SystemClock.now_millis() > 1_600_000_000_000);
    }
}
