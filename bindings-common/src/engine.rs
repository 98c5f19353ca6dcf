//! Stores, the scheduler and assignment as handles a binding keeps, and the
//! contact operations that run over a store.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use wacrm::assignment::{AssignmentConfig, AssignmentService, LeastLoaded, Request, RoundRobin};
use wacrm::contacts::dedupe::{self, DedupeConfig};
use wacrm::contacts::{ImportSpec, Segment};
use wacrm::scheduler::{
    LimitConfig, MemoryLimiter, OutgoingMessage, PolicyConfig, PolicyEngine, RateLimiter,
    RedisLimiter, SchedulerConfig, TierCounter,
};
use wacrm::store::{Agent, Presence};
use wacrm::time::Clock;
use wacrm::time::{SharedClock, SystemClock};
use wacrm::{AgentId, ContactId, ConversationId};
use wacrm::{Error, Result};

use crate::{Client, args};

/// Stores opened by URL: `memory:`, `sqlite://PATH`, `postgres://...`.
#[derive(Clone)]
pub struct Stores(pub wacrm::store::Stores);

#[derive(Deserialize)]
struct ImportArgs {
    path: String,
    /// `COLUMN=FIELD` mappings (fields as in `wacrm contacts import --map`).
    #[serde(default)]
    map: Vec<String>,
    #[serde(default)]
    id_column: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    add_tags: Vec<String>,
    #[serde(default)]
    require_phone: bool,
}

#[derive(Deserialize)]
struct DedupeArgs {
    #[serde(default)]
    config: DedupeConfig,
    /// Execute the merge plan through the store.
    #[serde(default)]
    merge: bool,
}

#[derive(Deserialize)]
struct IdArg {
    id: String,
}

#[derive(Deserialize)]
struct PhoneArg {
    phone: String,
}

#[derive(Deserialize)]
struct LimitArg {
    #[serde(default)]
    state: Option<String>,
    #[serde(default = "hundred")]
    limit: usize,
}

fn hundred() -> usize {
    100
}

/// The operations of [`Stores::call`].
pub const STORE_OPS: &[&str] = &[
    "contacts_import_csv",
    "contacts_dedupe",
    "contact_get",
    "contact_find_by_phone",
    "contact_upsert",
    "segment_members",
    "conversations_open",
    "messages_for_contact",
    "outbox_stats",
    "outbox_items",
];

impl Stores {
    /// Open (and migrate) the stores at `url`.
    pub async fn open(url: &str) -> Result<Self> {
        Ok(Stores(wacrm::store::Stores::from_url(url).await?))
    }

    /// Run store operation `op` with `args` (a JSON object); the answer as JSON.
    pub async fn call(&self, op: &str, a: &str) -> Result<String> {
        let s = &self.0;
        let v: Value = match op {
            "contacts_import_csv" => {
                let i: ImportArgs = args("contacts_import_csv", a)?;
                let spec = ImportSpec {
                    id_column: i.id_column,
                    default_region: i.region,
                    add_tags: i.add_tags,
                    require_phone: i.require_phone,
                    ..Default::default()
                }
                .with_maps(i.map.iter().map(String::as_str))?;
                let file = std::fs::File::open(&i.path)
                    .map_err(|e| Error::validation("path", format!("{}: {e}", i.path)))?;
                json!(wacrm::contacts::import_into_store(file, &spec, s.contacts.as_ref()).await?)
            }
            "contacts_dedupe" => {
                let d: DedupeArgs = args("contacts_dedupe", a)?;
                let result = dedupe::dedupe_store(s.contacts.as_ref(), &d.config).await?;
                let merged = if d.merge {
                    Some(dedupe::execute_plan(&result.plan, s.contacts.as_ref()).await?)
                } else {
                    None
                };
                json!({ "result": result, "merged": merged })
            }
            "contact_get" => {
                let i: IdArg = args("contact_get", a)?;
                json!(s.contacts.get(&ContactId::new(i.id)).await?)
            }
            "contact_find_by_phone" => {
                let p: PhoneArg = args("contact_find_by_phone", a)?;
                json!(s.contacts.find_by_e164(&p.phone).await?)
            }
            "contact_upsert" => {
                let c: wacrm::store::Contact = args("contact_upsert", a)?;
                json!(s.contacts.upsert(&c, None).await?)
            }
            "segment_members" => {
                let seg: Segment = args("segment_members", a)?;
                json!(seg.members(s.contacts.as_ref()).await?)
            }
            "conversations_open" => json!(s.conversations.list_open().await?),
            "messages_for_contact" => {
                let i: IdArg = args("messages_for_contact", a)?;
                json!(s.messages.list_for_contact(&ContactId::new(i.id)).await?)
            }
            "outbox_stats" => json!(s.outbox.stats().await?),
            "outbox_items" => {
                let l: LimitArg = args("outbox_items", a)?;
                let mut items = Vec::new();
                let states = match &l.state {
                    Some(st) => vec![st.as_str()],
                    None => vec![
                        "queued",
                        "leased",
                        "retry_later",
                        "deferred",
                        "sent",
                        "parked",
                    ],
                };
                for st in states {
                    items.extend(s.outbox.list_by_state(st, l.limit).await?);
                }
                json!(items)
            }
            other => {
                return Err(Error::validation(
                    "op",
                    format!("unknown store operation {other:?}; one of {STORE_OPS:?}"),
                ));
            }
        };
        Ok(v.to_string())
    }
}

/// Scheduler settings from a binding: limits, policies, worker and an
/// optional Redis URL for limits shared by several processes.
#[derive(Default, Deserialize)]
#[serde(default)]
struct SchedulerArgs {
    limits: Option<LimitConfig>,
    policies: Option<PolicyConfig>,
    worker: Option<SchedulerConfig>,
    tier_cap: Option<usize>,
    redis_url: Option<String>,
    redis_prefix: Option<String>,
}

/// A send scheduler over stores and a client.
pub struct Scheduler {
    inner: Arc<wacrm::scheduler::Scheduler>,
    stores: wacrm::store::Stores,
}

#[derive(Deserialize)]
struct RunArgs {
    /// Stop when nothing is due within this many ms from now.
    #[serde(default)]
    horizon_ms: i64,
    /// Give up after this long.
    #[serde(default = "thirty_s")]
    timeout_ms: u64,
}

fn thirty_s() -> u64 {
    30_000
}

/// The operations of [`Scheduler::call`].
pub const SCHEDULER_OPS: &[&str] = &["enqueue", "run_once", "run_until_idle", "recover", "stats"];

impl Scheduler {
    /// A scheduler; `config` is a JSON object (`limits`, `policies`, `worker`,
    /// `tier_cap`, `redis_url`, `redis_prefix`, all optional).
    pub async fn new(stores: &Stores, client: &Client, config: &str) -> Result<Self> {
        let c: SchedulerArgs = args("scheduler config", config)?;
        let limits = c.limits.unwrap_or_default();
        let limiter: Arc<dyn RateLimiter> = match &c.redis_url {
            Some(url) => Arc::new(
                RedisLimiter::connect(url, c.redis_prefix.as_deref().unwrap_or("wacrm"), limits)
                    .await?,
            ),
            None => Arc::new(MemoryLimiter::new(limits)),
        };
        let clock: SharedClock = Arc::new(SystemClock);
        let inner = wacrm::scheduler::Scheduler::new(
            stores.0.clone(),
            client.inner().clone(),
            limiter,
            Arc::new(TierCounter::new(c.tier_cap)),
            Arc::new(PolicyEngine::new(c.policies.unwrap_or_default())),
            clock,
            c.worker.unwrap_or_default(),
        );
        Ok(Scheduler {
            inner: Arc::new(inner),
            stores: stores.0.clone(),
        })
    }

    /// Run scheduler operation `op` with `args` (a JSON object).
    pub async fn call(&self, op: &str, a: &str) -> Result<String> {
        let v: Value = match op {
            "enqueue" => {
                let m: OutgoingMessage = args("enqueue", a)?;
                json!(self.inner.enqueue(&m).await?)
            }
            "run_once" => json!(self.inner.run_once().await?),
            "run_until_idle" => {
                let r: RunArgs = args("run_until_idle", a)?;
                let now = SystemClock.now_millis();
                let deadline = Instant::now() + Duration::from_millis(r.timeout_ms);
                json!(
                    self.inner
                        .run_until_idle(now + r.horizon_ms, deadline)
                        .await?
                )
            }
            "recover" => json!(self.inner.recover().await?),
            "stats" => json!(self.stores.outbox.stats().await?),
            other => {
                return Err(Error::validation(
                    "op",
                    format!("unknown scheduler operation {other:?}; one of {SCHEDULER_OPS:?}"),
                ));
            }
        };
        Ok(v.to_string())
    }
}

/// Assignment settings from a binding.
#[derive(Default, Deserialize)]
#[serde(default)]
struct AssignmentArgs {
    strategy: Option<String>,
    target_min: Option<u32>,
    target_max: Option<u32>,
    hard_cap: Option<u32>,
    sla_ms: Option<u64>,
    sticky_for_ms: Option<u64>,
}

#[derive(Deserialize)]
struct PresenceArgs {
    agent: String,
    presence: Presence,
}

#[derive(Deserialize)]
struct ConversationArg {
    conversation: String,
}

/// Conversation assignment with its state in the stores.
pub struct Assignment(AssignmentService);

/// The operations of [`Assignment::call`].
pub const ASSIGNMENT_OPS: &[&str] = &[
    "upsert_agent",
    "assign",
    "release",
    "set_presence",
    "mark_responded",
    "tick",
    "loads",
    "queue_len",
];

impl Assignment {
    /// Load agents and open conversations from the stores.
    pub async fn new(stores: &Stores, config: &str) -> Result<Self> {
        let c: AssignmentArgs = args("assignment config", config)?;
        let mut cfg = AssignmentConfig::default();
        match c.strategy.as_deref() {
            None | Some("least_loaded") => cfg.strategy = Arc::new(LeastLoaded),
            Some("round_robin") => cfg.strategy = Arc::new(RoundRobin),
            Some(other) => {
                return Err(Error::validation(
                    "strategy",
                    format!("{other:?} is not least_loaded or round_robin"),
                ));
            }
        }
        if let Some(v) = c.target_min {
            cfg.target_min = v;
        }
        if let Some(v) = c.target_max {
            cfg.target_max = v;
        }
        if let Some(v) = c.hard_cap {
            cfg.hard_cap = v;
        }
        if let Some(v) = c.sla_ms {
            cfg.sla = Duration::from_millis(v);
        }
        if let Some(v) = c.sticky_for_ms {
            cfg.sticky_for = Duration::from_millis(v);
        }
        let clock: SharedClock = Arc::new(SystemClock);
        Ok(Assignment(
            AssignmentService::load(stores.0.clone(), cfg, clock).await?,
        ))
    }

    /// Run assignment operation `op` with `args` (a JSON object).
    pub async fn call(&self, op: &str, a: &str) -> Result<String> {
        let s = &self.0;
        let v: Value = match op {
            "upsert_agent" => {
                let agent: Agent = args("upsert_agent", a)?;
                json!(s.upsert_agent(agent).await?)
            }
            "assign" => {
                let r: Request = args("assign", a)?;
                json!(s.assign(r).await?)
            }
            "release" => {
                let c: ConversationArg = args("release", a)?;
                json!(s.release(&ConversationId::new(c.conversation)).await?)
            }
            "set_presence" => {
                let p: PresenceArgs = args("set_presence", a)?;
                json!(s.set_presence(&AgentId::new(p.agent), p.presence).await?)
            }
            "mark_responded" => {
                let c: ConversationArg = args("mark_responded", a)?;
                s.mark_responded(&ConversationId::new(c.conversation))
                    .await?;
                Value::Null
            }
            "tick" => json!(s.tick().await?),
            "loads" => json!(
                s.loads()
                    .into_iter()
                    .map(|(a, n)| (a.to_string(), n))
                    .collect::<std::collections::BTreeMap<_, _>>()
            ),
            "queue_len" => json!(s.queue_len()),
            other => {
                return Err(Error::validation(
                    "op",
                    format!("unknown assignment operation {other:?}; one of {ASSIGNMENT_OPS:?}"),
                ));
            }
        };
        Ok(v.to_string())
    }
}
