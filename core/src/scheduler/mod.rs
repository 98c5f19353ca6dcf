//! C5: the send scheduler. Meta's limits (number throughput and pair
//! pacing as GCRA buckets, portfolio tier), policies with explicit send/defer/drop decisions,
//! a durable outbox worker with adaptive slow-down and retries, and campaign
//! planning with a dated rate card. Items of a template Meta paused or disabled
//! are held until it is approved again.

mod campaign;
mod campaign_spread;
#[cfg(feature = "testing")]
pub mod conformance;
mod content;
mod gcra;
mod learn;
mod limits;
mod optout;
mod policy;
mod policy_store;
mod quiet;
pub mod reconcile;
#[cfg(feature = "redis")]
mod redis_limiter;
mod slots;
mod template_holds;
mod tier;
mod worker;

pub use campaign::{CampaignInput, CampaignPlan, RATE_CARD_DATE, RateCard, plan};
pub use campaign_spread::{Spread, input_of, plan_and_spread, spread};
pub use content::{ContentPolicy, readable_text};
pub use limits::{LimitConfig, LimitKey, MemoryLimiter, RateLimiter};
pub use optout::{
    ConsentChange, OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS, OptOutConfig, OptOutDetector, set_consent,
};
pub use policy::{
    Decision, DeferReason, PolicyConfig, PolicyEngine, QuietHours, Refusal, SendContext,
    UnknownZone, ZoneSource, resolve_zone, zone_for,
};
pub use policy_store::admit;
pub use reconcile::{NoEvidence, ReconcileConfig};
#[cfg(feature = "redis")]
pub use redis_limiter::{RedisLimiter, RedisTier};
pub use template_holds::{TEMPLATE_HOLD_RECHECK, TemplateHolds};
pub use tier::{TierCounter, TierGate};
pub use worker::{OutgoingMessage, RoundReport, Scheduler, SchedulerConfig};
