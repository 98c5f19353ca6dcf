//! One rate limiter per HubSpot portal (limits are shared by every app and
//! connector of a portal), driven by the `X-HubSpot-RateLimit-*` headers.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// A sliding-window limiter: at most `max` starts in any `interval`.
#[derive(Debug)]
pub(crate) struct Window {
    max: u32,
    interval: Duration,
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

impl Window {
    pub(crate) fn new(max: u32, interval: Duration) -> Self {
        Window {
            max: max.max(1),
            interval,
            sent: VecDeque::new(),
            blocked_until: None,
        }
    }

    /// What the client allows itself: a small margin below the server's
    /// limit, and a slightly longer window, absorb the network's jitter (the
    /// server counts arrivals, the client counts departures).
    fn budget(&self) -> (usize, Duration) {
        let margin = (self.max / 50).max(1);
        let max = self.max.saturating_sub(margin).max(1) as usize;
        (max, self.interval + Duration::from_millis(60))
    }

    /// Take a slot now, or say how long to wait.
    fn try_take(&mut self, now: Instant) -> Option<Duration> {
        if let Some(b) = self.blocked_until {
            if b > now {
                return Some(b - now);
            }
            self.blocked_until = None;
        }
        let (max, interval) = self.budget();
        while let Some(front) = self.sent.front() {
            if now.duration_since(*front) >= interval {
                self.sent.pop_front();
            } else {
                break;
            }
        }
        if self.sent.len() < max {
            self.sent.push_back(now);
            None
        } else {
            let front = *self.sent.front().expect("full window is not empty");
            Some(
                (front + interval)
                    .saturating_duration_since(now)
                    .max(Duration::from_millis(1)),
            )
        }
    }

    /// Learn from the server's headers: its limit and how much of it other
    /// clients of the portal have used.
    fn observe(
        &mut self,
        max: Option<u32>,
        interval_ms: Option<u64>,
        remaining: Option<u32>,
        now: Instant,
    ) {
        if let Some(m) = max.filter(|m| *m > 0) {
            self.max = m;
        }
        if let Some(i) = interval_ms.filter(|i| *i > 0) {
            self.interval = Duration::from_millis(i);
        }
        if let Some(rem) = remaining {
            let used_server = self.max.saturating_sub(rem) as usize;
            // Others used part of the window: count it as ours.
            while self.sent.len() < used_server {
                self.sent.push_back(now);
            }
        }
    }

    fn block_for(&mut self, d: Duration, now: Instant) {
        let until = now + d;
        if self.blocked_until.is_none_or(|b| b < until) {
            self.blocked_until = Some(until);
        }
    }
}

/// The limiter of one portal: general requests and CRM search.
#[derive(Debug)]
pub(crate) struct PortalLimiter {
    general: Mutex<Window>,
    search: Mutex<Window>,
}

/// Which budget a request draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lane {
    General,
    Search,
}

impl PortalLimiter {
    fn new(per_10s: u32, search_per_s: u32) -> Self {
        PortalLimiter {
            general: Mutex::new(Window::new(per_10s, Duration::from_secs(10))),
            search: Mutex::new(Window::new(search_per_s, Duration::from_secs(1))),
        }
    }

    fn lane(&self, l: Lane) -> &Mutex<Window> {
        match l {
            Lane::General => &self.general,
            Lane::Search => &self.search,
        }
    }

    /// Wait for a slot (a search takes one of each budget).
    pub(crate) async fn acquire(&self, l: Lane) {
        let lanes: &[Lane] = match l {
            Lane::General => &[Lane::General],
            Lane::Search => &[Lane::Search, Lane::General],
        };
        for lane in lanes {
            loop {
                let wait = self.lane(*lane).lock().try_take(Instant::now());
                match wait {
                    None => break,
                    Some(d) => tokio::time::sleep(d).await,
                }
            }
        }
    }

    pub(crate) fn observe(
        &self,
        max: Option<u32>,
        interval_ms: Option<u64>,
        remaining: Option<u32>,
    ) {
        self.general
            .lock()
            .observe(max, interval_ms, remaining, Instant::now());
    }

    pub(crate) fn rate_limited(&self, l: Lane, retry_after: Duration) {
        self.lane(l).lock().block_for(retry_after, Instant::now());
    }
}

/// The limiter shared by every connector of a portal in this process.
pub(crate) fn for_portal(key: &str, per_10s: u32, search_per_s: u32) -> Arc<PortalLimiter> {
    static ALL: OnceLock<Mutex<HashMap<String, Arc<PortalLimiter>>>> = OnceLock::new();
    ALL.get_or_init(Default::default)
        .lock()
        .entry(key.to_string())
        .or_insert_with(|| Arc::new(PortalLimiter::new(per_10s, search_per_s)))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_admits_its_budget_then_waits() {
        let mut w = Window::new(10, Duration::from_secs(10));
        let t = Instant::now();
        for _ in 0..9 {
            assert_eq!(w.try_take(t), None);
        }
        let wait = w.try_take(t).expect("budget of 9 used");
        assert!(wait > Duration::from_secs(9));
        assert_eq!(w.try_take(t + Duration::from_secs(11)), None, "window slid");
    }

    #[test]
    fn headers_shrink_the_budget_and_429_blocks() {
        let mut w = Window::new(100, Duration::from_secs(10));
        let t = Instant::now();
        assert_eq!(w.try_take(t), None);
        // The server says only 2 are left: others in the portal used the rest.
        w.observe(Some(100), Some(10_000), Some(2), t);
        assert!(w.try_take(t).is_some());
        let mut w = Window::new(100, Duration::from_secs(10));
        w.block_for(Duration::from_secs(3), t);
        assert!(w.try_take(t + Duration::from_secs(1)).is_some());
        assert_eq!(w.try_take(t + Duration::from_secs(4)), None);
    }
}
