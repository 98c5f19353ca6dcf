//! The rate limiter and tier conformance suite on the in-memory
//! implementations. (Redis runs the same macro in `tests/tests/redis_limiter.rs`.)

use wacrm::scheduler::conformance::{make_limiter, make_tier};
use wacrm::scheduler::{MemoryLimiter, TierCounter};

wacrm::limiter_conformance_tests!(
    limiter: make_limiter(|cfg| async move { MemoryLimiter::new(cfg) }),
    tier: make_tier(|cap| async move { TierCounter::new(cap) })
);
