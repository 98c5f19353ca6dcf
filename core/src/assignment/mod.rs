//! C6: conversation assignment. An in-memory decision structure with loads kept
//! incrementally (no recount per decision), staged routing (previous agent →
//! skilled pool → everyone), pluggable strategies, presence and business
//! hours, SLA reassignment, a priority waiting queue, and a reason recorded for
//! every decision. `AssignmentService` persists through the store traits and
//! rebuilds its state from them after a restart.

mod responded;
mod service;

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, TimeZone, Timelike};
use serde::{Deserialize, Serialize};

pub use responded::{answered_since_assignment, record_human_reply};
pub use service::AssignmentService;

use crate::ids::{AgentId, ContactId, ConversationId};
use crate::store::{Agent, Presence};
use crate::time::Millis;

/// A conversation waiting for an agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Conversation.
    pub conversation_id: ConversationId,
    /// Customer.
    pub contact_id: ContactId,
    /// Higher is served first.
    pub priority: i32,
    /// Skills an agent must have (e.g. `ja`, `vip`).
    pub required_skills: BTreeSet<String>,
    /// Skills preferred (stage two of staged routing).
    pub preferred_skills: BTreeSet<String>,
    /// The customer's previous agent (sticky routing).
    pub previous_agent: Option<AgentId>,
    /// Team that owns the conversation.
    pub team: Option<String>,
    /// When it started waiting.
    pub arrived_at: Millis,
}

impl Request {
    /// A plain request.
    pub fn new(
        conversation: impl Into<String>,
        contact: impl Into<String>,
        arrived_at: Millis,
    ) -> Self {
        Request {
            conversation_id: ConversationId::new(conversation),
            contact_id: ContactId::new(contact),
            priority: 0,
            required_skills: BTreeSet::new(),
            preferred_skills: BTreeSet::new(),
            previous_agent: None,
            team: None,
            arrived_at,
        }
    }
}

/// Why a decision came out as it did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Strategy name.
    pub strategy: String,
    /// Stage that decided (`previous_agent`, `skilled`, `everyone`, `queue`, `sla`, `offline`).
    pub stage: String,
    /// Agents considered at that stage (with an indexed strategy: examined in order until one fit).
    pub candidates: usize,
    /// Load of the chosen agent after the assignment.
    pub load_after: Option<u32>,
    /// Free text.
    pub note: String,
}

/// A decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Assigned.
    Assigned {
        /// Conversation.
        conversation_id: ConversationId,
        /// Agent.
        agent_id: AgentId,
        /// Why.
        reason: Reason,
    },
    /// Nobody can take it now: waiting in the queue.
    Queued {
        /// Conversation.
        conversation_id: ConversationId,
        /// Position (1 = next).
        position: usize,
        /// Why.
        reason: Reason,
    },
}

/// An agent as the engine sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentView {
    /// Store record.
    pub agent: Agent,
    /// Conversations counted as load.
    pub load: u32,
    /// Last assignment time (round robin).
    pub last_assigned_at: Millis,
}

/// Orders the engine keeps indexed so built-in strategies decide without scanning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexedOrder {
    /// (over target band, load, last assigned).
    LeastLoaded,
    /// (last assigned).
    RoundRobin,
}

/// Picks an agent among eligible candidates (users plug in their own).
pub trait AssignmentStrategy: Send + Sync + 'static {
    /// Name recorded in reasons.
    fn name(&self) -> &str;
    /// Choose one candidate index, or none.
    fn choose(
        &self,
        req: &Request,
        candidates: &[&AgentView],
        cfg: &AssignmentConfig,
    ) -> Option<usize>;
    /// When the choice is "first eligible agent in this order", the engine walks
    /// an index instead of building the candidate list (microseconds at 500 agents).
    fn indexed_order(&self) -> Option<IndexedOrder> {
        None
    }
}

/// Least recently assigned among eligible agents.
pub struct RoundRobin;

impl AssignmentStrategy for RoundRobin {
    fn name(&self) -> &str {
        "round_robin"
    }
    fn choose(&self, _req: &Request, c: &[&AgentView], _cfg: &AssignmentConfig) -> Option<usize> {
        (0..c.len()).min_by_key(|i| (c[*i].last_assigned_at, &c[*i].agent.id))
    }
    fn indexed_order(&self) -> Option<IndexedOrder> {
        Some(IndexedOrder::RoundRobin)
    }
}

/// Least loaded, preferring agents below the target band's top; ties go to the
/// least recently assigned so work spreads evenly.
pub struct LeastLoaded;

impl AssignmentStrategy for LeastLoaded {
    fn name(&self) -> &str {
        "least_loaded"
    }
    fn choose(&self, _req: &Request, c: &[&AgentView], cfg: &AssignmentConfig) -> Option<usize> {
        (0..c.len()).min_by_key(|i| {
            let a = c[*i];
            (
                a.load >= cfg.target_max,
                a.load,
                a.last_assigned_at,
                &a.agent.id,
            )
        })
    }
    fn indexed_order(&self) -> Option<IndexedOrder> {
        Some(IndexedOrder::LeastLoaded)
    }
}

/// Weekly business hours of a team in its time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// IANA zone.
    pub time_zone: String,
    /// Open hour (inclusive), e.g. 9.
    pub open_hour: u32,
    /// Close hour (exclusive), e.g. 18.
    pub close_hour: u32,
    /// Days open, 1 = Monday … 7 = Sunday.
    pub days: BTreeSet<u32>,
}

impl BusinessHours {
    /// Whether `now` is within the hours.
    pub fn is_open(&self, now: Millis) -> bool {
        let Ok(tz) = self.time_zone.parse::<chrono_tz::Tz>() else {
            return true;
        };
        let Some(t) = tz.timestamp_millis_opt(now).single() else {
            return true;
        };
        self.days.contains(&t.weekday().number_from_monday())
            && t.hour() >= self.open_hour
            && t.hour() < self.close_hour
    }
}

/// Engine settings.
#[derive(Clone)]
pub struct AssignmentConfig {
    /// Bottom of the target band (informational; spread is kept by least-loaded).
    pub target_min: u32,
    /// Top of the target band: agents at or above it are used only when nobody is below.
    pub target_max: u32,
    /// Hard cap of open conversations per agent (an agent's own capacity can be lower).
    pub hard_cap: u32,
    /// Reassign a conversation its agent left unanswered this long.
    pub sla: Duration,
    /// Sticky routing only within this time of the previous agent's last contact (0 = always).
    pub sticky_for: Duration,
    /// Staged routing: when the previous agent is online but full, wait this long for a
    /// free slot before trying the skilled pool and everyone else (0 = do not wait).
    pub previous_agent_wait: Duration,
    /// Whether conversations waiting on the customer count as load.
    pub count_waiting_on_customer: bool,
    /// Team business hours; agents of a closed team get nothing new.
    pub business_hours: HashMap<String, BusinessHours>,
    /// Strategy inside each stage.
    pub strategy: Arc<dyn AssignmentStrategy>,
}

impl std::fmt::Debug for AssignmentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssignmentConfig")
            .field("target", &(self.target_min, self.target_max))
            .field("hard_cap", &self.hard_cap)
            .field("sla", &self.sla)
            .field("strategy", &self.strategy.name())
            .finish()
    }
}

impl Default for AssignmentConfig {
    fn default() -> Self {
        AssignmentConfig {
            target_min: 5,
            target_max: 7,
            hard_cap: 15,
            sla: Duration::from_secs(5 * 60),
            sticky_for: Duration::ZERO,
            previous_agent_wait: Duration::ZERO,
            count_waiting_on_customer: false,
            business_hours: HashMap::new(),
            strategy: Arc::new(LeastLoaded),
        }
    }
}

#[derive(Clone, Debug)]
struct Active {
    req: Request,
    agent: AgentId,
    assigned_at: Millis,
    responded: bool,
    /// Waiting on the customer (not counted as load unless configured).
    waiting: bool,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct QueueKey(Reverse<i32>, Millis, u64);

/// The decision structure. Not thread-safe by itself: `AssignmentService` (or
/// your own mutex) serialises access; each call is microseconds.
pub struct Engine {
    cfg: AssignmentConfig,
    /// Online agents below their cap, in the strategy's order (when it has one).
    order: std::collections::BTreeSet<(bool, u32, Millis, usize)>,
    agents: Vec<AgentView>,
    index: HashMap<AgentId, usize>,
    active: HashMap<ConversationId, Active>,
    queue: BinaryHeap<Reverse<(QueueKey, ConversationId)>>,
    queued: HashMap<ConversationId, Request>,
    seq: u64,
    last_agent_of: HashMap<ContactId, (AgentId, Millis)>,
}

impl Engine {
    /// Empty engine.
    pub fn new(cfg: AssignmentConfig) -> Self {
        Engine {
            cfg,
            order: std::collections::BTreeSet::new(),
            agents: Vec::new(),
            index: HashMap::new(),
            active: HashMap::new(),
            queue: BinaryHeap::new(),
            queued: HashMap::new(),
            seq: 0,
            last_agent_of: HashMap::new(),
        }
    }

    fn order_key(&self, i: usize) -> Option<(bool, u32, Millis, usize)> {
        let a = &self.agents[i];
        if a.agent.presence != Presence::Online || a.load >= self.cap_of(a) {
            return None;
        }
        match self.cfg.strategy.indexed_order() {
            Some(IndexedOrder::LeastLoaded) => {
                Some((a.load >= self.cfg.target_max, a.load, a.last_assigned_at, i))
            }
            Some(IndexedOrder::RoundRobin) => Some((false, 0, a.last_assigned_at, i)),
            None => None,
        }
    }

    /// Change agent `i` keeping the index in step.
    fn update_agent(&mut self, i: usize, f: impl FnOnce(&mut AgentView)) {
        if let Some(k) = self.order_key(i) {
            self.order.remove(&k);
        }
        f(&mut self.agents[i]);
        if let Some(k) = self.order_key(i) {
            self.order.insert(k);
        }
    }

    /// Add or update an agent.
    pub fn upsert_agent(&mut self, a: Agent) {
        match self.index.get(&a.id).copied() {
            Some(i) => self.update_agent(i, |v| v.agent = a),
            None => {
                let i = self.agents.len();
                self.index.insert(a.id.clone(), i);
                self.agents.push(AgentView {
                    agent: a,
                    load: 0,
                    last_assigned_at: 0,
                });
                if let Some(k) = self.order_key(i) {
                    self.order.insert(k);
                }
            }
        }
    }

    fn cap_of(&self, a: &AgentView) -> u32 {
        a.agent.capacity.min(self.cfg.hard_cap)
    }

    fn eligible(&self, a: &AgentView, req: &Request, now: Millis) -> bool {
        a.agent.presence == Presence::Online
            && a.load < self.cap_of(a)
            && req
                .required_skills
                .iter()
                .all(|s| a.agent.skills.contains(s))
            && req.team.as_ref().is_none_or(|t| a.agent.teams.contains(t))
            && a.agent.teams.iter().all(|t| {
                self.cfg
                    .business_hours
                    .get(t)
                    .is_none_or(|h| h.is_open(now))
            })
    }

    fn pick(
        &self,
        req: &Request,
        now: Millis,
        exclude: Option<&AgentId>,
    ) -> Option<(usize, &'static str, usize)> {
        let ok = |a: &&AgentView| exclude != Some(&a.agent.id) && self.eligible(a, req, now);
        // Stage 1: the customer's previous agent.
        let previous = req.previous_agent.clone().or_else(|| {
            self.last_agent_of.get(&req.contact_id).and_then(|(a, t)| {
                (self.cfg.sticky_for.is_zero()
                    || now - t <= self.cfg.sticky_for.as_millis() as Millis)
                    .then(|| a.clone())
            })
        });
        if let Some(p) = previous
            && let Some(i) = self.index.get(&p)
            && ok(&&self.agents[*i])
        {
            return Some((*i, "previous_agent", 1));
        }
        // Stage 2: agents with the preferred skills; stage 3: everyone eligible.
        for (stage, need_preferred) in [("skilled", true), ("everyone", false)] {
            if need_preferred && req.preferred_skills.is_empty() {
                continue;
            }
            if self.cfg.strategy.indexed_order().is_some() {
                let fits = |i: usize| {
                    let a = &self.agents[i];
                    ok(&a)
                        && (!need_preferred
                            || req
                                .preferred_skills
                                .iter()
                                .all(|s| a.agent.skills.contains(s)))
                };
                // `candidates` here counts the agents examined in index order.
                if let Some((n, &(_, _, _, i))) =
                    self.order.iter().enumerate().find(|(_, k)| fits(k.3))
                {
                    return Some((i, stage, n + 1));
                }
                continue;
            }
            let idx: Vec<usize> = (0..self.agents.len())
                .filter(|i| {
                    let a = &self.agents[*i];
                    ok(&a)
                        && (!need_preferred
                            || req
                                .preferred_skills
                                .iter()
                                .all(|s| a.agent.skills.contains(s)))
                })
                .collect();
            if idx.is_empty() {
                continue;
            }
            let views: Vec<&AgentView> = idx.iter().map(|i| &self.agents[*i]).collect();
            if let Some(k) = self.cfg.strategy.choose(req, &views, &self.cfg) {
                return Some((idx[k], stage, idx.len()));
            }
        }
        None
    }

    fn place(
        &mut self,
        req: Request,
        i: usize,
        stage: &str,
        candidates: usize,
        now: Millis,
    ) -> Outcome {
        self.update_agent(i, |a| {
            a.load += 1;
            a.last_assigned_at = now.max(a.last_assigned_at + 1);
        });
        let agent_id = self.agents[i].agent.id.clone();
        let load_after = self.agents[i].load;
        self.last_agent_of
            .insert(req.contact_id.clone(), (agent_id.clone(), now));
        let conversation_id = req.conversation_id.clone();
        self.active.insert(
            conversation_id.clone(),
            Active {
                req,
                agent: agent_id.clone(),
                assigned_at: now,
                responded: false,
                waiting: false,
            },
        );
        Outcome::Assigned {
            conversation_id,
            agent_id,
            reason: Reason {
                strategy: self.cfg.strategy.name().to_string(),
                stage: stage.to_string(),
                candidates,
                load_after: Some(load_after),
                note: String::new(),
            },
        }
    }

    fn enqueue(&mut self, req: Request, note: &str) -> Outcome {
        self.seq += 1;
        let id = req.conversation_id.clone();
        self.queue.push(Reverse((
            QueueKey(Reverse(req.priority), req.arrived_at, self.seq),
            id.clone(),
        )));
        self.queued.insert(id.clone(), req);
        let position = self.queued.len();
        Outcome::Queued {
            conversation_id: id,
            position,
            reason: Reason {
                strategy: self.cfg.strategy.name().to_string(),
                stage: "queue".into(),
                candidates: 0,
                load_after: None,
                note: note.to_string(),
            },
        }
    }

    /// Assign a conversation now, or queue it.
    pub fn assign(&mut self, req: Request, now: Millis) -> Outcome {
        if let Some(a) = self.active.get(&req.conversation_id) {
            return Outcome::Assigned {
                conversation_id: req.conversation_id.clone(),
                agent_id: a.agent.clone(),
                reason: Reason {
                    strategy: self.cfg.strategy.name().to_string(),
                    stage: "already_assigned".into(),
                    candidates: 0,
                    load_after: None,
                    note: String::new(),
                },
            };
        }
        if self.queued.contains_key(&req.conversation_id) {
            let position = self.queued.len();
            return Outcome::Queued {
                conversation_id: req.conversation_id,
                position,
                reason: Reason {
                    strategy: self.cfg.strategy.name().to_string(),
                    stage: "queue".into(),
                    candidates: 0,
                    load_after: None,
                    note: "already waiting".into(),
                },
            };
        }
        if let Some(p) = self.hold_for_previous(&req, now) {
            return self.enqueue(
                req,
                &format!("waiting for previous agent {p} (staged routing)"),
            );
        }
        match self.pick(&req, now, None) {
            Some((i, stage, n)) => self.place(req, i, stage, n, now),
            None => self.enqueue(req, "every eligible agent is full, away or offline"),
        }
    }

    /// Serve the queue in priority, then arrival order while capacity allows.
    pub fn drain_queue(&mut self, now: Millis) -> Vec<Outcome> {
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        while let Some(Reverse((key, id))) = self.queue.pop() {
            let Some(req) = self.queued.remove(&id) else {
                continue;
            };
            if self.hold_for_previous(&req, now).is_some() {
                self.queued.insert(id.clone(), req);
                skipped.push(Reverse((key, id)));
                continue;
            }
            match self.pick(&req, now, None) {
                Some((i, stage, n)) => {
                    let mut o = self.place(req, i, stage, n, now);
                    if let Outcome::Assigned { reason, .. } = &mut o {
                        reason.note = "served from the waiting queue".into();
                    }
                    out.push(o);
                }
                None => {
                    // This one needs skills nobody free has; others behind it may still fit.
                    self.queued.insert(id.clone(), req);
                    skipped.push(Reverse((key, id)));
                }
            }
            if !self
                .agents
                .iter()
                .any(|a| a.agent.presence == Presence::Online && a.load < self.cap_of(a))
            {
                break;
            }
        }
        self.queue.extend(skipped);
        out
    }

    /// A conversation closed (or stopped counting as load): free the agent and serve the queue.
    pub fn release(&mut self, conversation: &ConversationId, now: Millis) -> Vec<Outcome> {
        if let Some(a) = self.active.remove(conversation)
            && self.counts(&a)
            && let Some(i) = self.index.get(&a.agent).copied()
        {
            self.update_agent(i, |v| v.load = v.load.saturating_sub(1));
        }
        if self.queued.remove(conversation).is_some() {
            self.queue.retain(|Reverse((_, id))| id != conversation);
        }
        self.drain_queue(now)
    }

    fn counts(&self, a: &Active) -> bool {
        !a.waiting || self.cfg.count_waiting_on_customer
    }

    /// The conversation now waits on the customer (or no longer does). Unless
    /// configured otherwise, waiting conversations do not count as load, so the
    /// agent can take new ones; the queue is served when capacity frees.
    pub fn set_waiting(
        &mut self,
        conversation: &ConversationId,
        waiting: bool,
        now: Millis,
    ) -> Vec<Outcome> {
        let Some(a) = self.active.get_mut(conversation) else {
            return Vec::new();
        };
        if a.waiting == waiting {
            return Vec::new();
        }
        a.waiting = waiting;
        let agent = a.agent.clone();
        if self.cfg.count_waiting_on_customer {
            return Vec::new();
        }
        if let Some(i) = self.index.get(&agent).copied() {
            self.update_agent(i, |v| {
                if waiting {
                    v.load = v.load.saturating_sub(1)
                } else {
                    v.load += 1
                }
            });
        }
        if waiting {
            self.drain_queue(now)
        } else {
            Vec::new()
        }
    }

    /// Staged routing: hold for the previous agent while they are online but full.
    fn hold_for_previous(&self, req: &Request, now: Millis) -> Option<AgentId> {
        if self.cfg.previous_agent_wait.is_zero()
            || now - req.arrived_at >= self.cfg.previous_agent_wait.as_millis() as Millis
        {
            return None;
        }
        let p = req.previous_agent.clone().or_else(|| {
            self.last_agent_of
                .get(&req.contact_id)
                .map(|(a, _)| a.clone())
        })?;
        let a = &self.agents[*self.index.get(&p)?];
        (a.agent.presence == Presence::Online && a.load >= self.cap_of(a)).then_some(p)
    }

    /// The agent answered the customer (stops the SLA clock).
    pub fn mark_responded(&mut self, conversation: &ConversationId) {
        if let Some(a) = self.active.get_mut(conversation) {
            a.responded = true;
        }
    }

    fn reassign_from(
        &mut self,
        conversation: &ConversationId,
        now: Millis,
        stage: &str,
    ) -> Option<Outcome> {
        let a = self.active.remove(conversation)?;
        if self.counts(&a)
            && let Some(i) = self.index.get(&a.agent).copied()
        {
            self.update_agent(i, |v| v.load = v.load.saturating_sub(1));
        }
        let mut req = a.req;
        req.previous_agent = None;
        self.last_agent_of.remove(&req.contact_id);
        Some(match self.pick(&req, now, Some(&a.agent)) {
            Some((i, _, n)) => {
                let mut o = self.place(req, i, stage, n, now);
                if let Outcome::Assigned { reason, .. } = &mut o {
                    reason.note = format!("moved from {}", a.agent);
                }
                o
            }
            None => self.enqueue(
                req,
                &format!("{stage}: taken from {}, nobody free", a.agent),
            ),
        })
    }

    /// Change presence. Going offline hands every conversation of the agent to
    /// others (or the queue); coming online serves the queue.
    pub fn set_presence(&mut self, agent: &AgentId, p: Presence, now: Millis) -> Vec<Outcome> {
        let Some(i) = self.index.get(agent).copied() else {
            return Vec::new();
        };
        self.update_agent(i, |v| {
            v.agent.presence = p;
            v.agent.updated_at = now;
        });
        let mut out = Vec::new();
        if p == Presence::Offline {
            let mine: Vec<ConversationId> = self
                .active
                .iter()
                .filter(|(_, a)| a.agent == *agent)
                .map(|(c, _)| c.clone())
                .collect();
            for c in mine {
                out.extend(self.reassign_from(&c, now, "offline"));
            }
        } else if p == Presence::Online {
            out.extend(self.drain_queue(now));
        }
        out
    }

    /// Conversations unanswered past the SLA (what [`tick`](Self::tick) would move).
    pub fn overdue(&self, now: Millis) -> Vec<ConversationId> {
        let sla = self.cfg.sla.as_millis() as Millis;
        self.active
            .iter()
            .filter(|(_, a)| !a.responded && now - a.assigned_at >= sla)
            .map(|(c, _)| c.clone())
            .collect()
    }

    /// Reassign conversations left unanswered past the SLA.
    pub fn tick(&mut self, now: Millis) -> Vec<Outcome> {
        let sla = self.cfg.sla.as_millis() as Millis;
        let late: Vec<ConversationId> = self
            .active
            .iter()
            .filter(|(_, a)| !a.responded && now - a.assigned_at >= sla)
            .map(|(c, _)| c.clone())
            .collect();
        let mut out = Vec::new();
        for c in late {
            out.extend(self.reassign_from(&c, now, "sla"));
        }
        // Staged-routing holds expire with time: serve what can now go elsewhere.
        out.extend(self.drain_queue(now));
        out
    }

    /// Current load per agent.
    pub fn loads(&self) -> Vec<(AgentId, u32)> {
        self.agents
            .iter()
            .map(|a| (a.agent.id.clone(), a.load))
            .collect()
    }

    /// Agent of a conversation.
    pub fn agent_of(&self, c: &ConversationId) -> Option<&AgentId> {
        self.active.get(c).map(|a| &a.agent)
    }

    /// Agents.
    pub fn agents(&self) -> &[AgentView] {
        &self.agents
    }

    /// Conversations waiting.
    pub fn queue_len(&self) -> usize {
        self.queued.len()
    }

    /// How long the oldest waiting conversation has waited.
    pub fn oldest_wait(&self, now: Millis) -> Option<Duration> {
        self.queued
            .values()
            .map(|r| r.arrived_at)
            .min()
            .map(|t| Duration::from_millis((now - t).max(0) as u64))
    }

    /// Restore an assignment from the store (no decision is made).
    pub fn restore_assigned(
        &mut self,
        req: Request,
        agent: &AgentId,
        assigned_at: Millis,
        responded: bool,
        waiting: bool,
    ) {
        let counts = !waiting || self.cfg.count_waiting_on_customer;
        if let Some(i) = self.index.get(agent).copied() {
            self.update_agent(i, |v| {
                v.load += u32::from(counts);
                v.last_assigned_at = v.last_assigned_at.max(assigned_at);
            });
        }
        self.last_agent_of
            .insert(req.contact_id.clone(), (agent.clone(), assigned_at));
        self.active.insert(
            req.conversation_id.clone(),
            Active {
                req,
                agent: agent.clone(),
                assigned_at,
                responded,
                waiting,
            },
        );
    }
}

#[cfg(test)]
mod tests;
