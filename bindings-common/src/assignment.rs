//! Conversation assignment as a binding holds it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wacrm::assignment::{
    AssignmentConfig, AssignmentService, LeastLoaded, Outcome, Request, RoundRobin,
};
use wacrm::store::{Agent, Presence};
use wacrm::time::{SharedClock, SystemClock};
use wacrm::{AgentId, ConversationId, Error, Result};

use crate::Stores;

/// Assignment settings; every field is optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignmentSettings {
    /// `least_loaded` (default) or `round_robin`.
    pub strategy: Option<String>,
    /// Conversations an agent should have before others get more.
    pub target_min: Option<u32>,
    /// Conversations beyond which an agent gets none while others have room.
    pub target_max: Option<u32>,
    /// Never more than this many per agent.
    pub hard_cap: Option<u32>,
    /// Reassign when the first response takes longer (ms).
    pub sla_ms: Option<u64>,
    /// A returning customer goes back to their last agent within this time (ms).
    pub sticky_for_ms: Option<u64>,
}

impl AssignmentSettings {
    fn config(&self) -> Result<AssignmentConfig> {
        let mut cfg = AssignmentConfig::default();
        match self.strategy.as_deref() {
            None | Some("least_loaded") => cfg.strategy = Arc::new(LeastLoaded),
            Some("round_robin") => cfg.strategy = Arc::new(RoundRobin),
            Some(other) => {
                return Err(Error::validation(
                    "strategy",
                    format!("{other:?} is not least_loaded or round_robin"),
                ));
            }
        }
        if let Some(v) = self.target_min {
            cfg.target_min = v;
        }
        if let Some(v) = self.target_max {
            cfg.target_max = v;
        }
        if let Some(v) = self.hard_cap {
            cfg.hard_cap = v;
        }
        if let Some(v) = self.sla_ms {
            cfg.sla = Duration::from_millis(v);
        }
        if let Some(v) = self.sticky_for_ms {
            cfg.sticky_for = Duration::from_millis(v);
        }
        Ok(cfg)
    }
}

/// Conversation assignment with its state in the stores.
pub struct Assignment(AssignmentService);

impl Assignment {
    /// Load agents and open conversations from the stores.
    pub async fn new(stores: &Stores, settings: AssignmentSettings) -> Result<Self> {
        let clock: SharedClock = Arc::new(SystemClock);
        Ok(Assignment(
            AssignmentService::load(stores.0.clone(), settings.config()?, clock).await?,
        ))
    }

    /// Add or change an agent; the assignments that follow.
    pub async fn upsert_agent(&self, agent: Agent) -> Result<Vec<Outcome>> {
        self.0.upsert_agent(agent).await
    }

    /// Assign a conversation.
    pub async fn assign(&self, request: Request) -> Result<Outcome> {
        self.0.assign(request).await
    }

    /// Close a conversation; the assignments that follow.
    pub async fn release(&self, conversation: String) -> Result<Vec<Outcome>> {
        self.0.release(&ConversationId::new(conversation)).await
    }

    /// Change an agent's presence; the assignments that follow.
    pub async fn set_presence(&self, agent: String, presence: Presence) -> Result<Vec<Outcome>> {
        self.0.set_presence(&AgentId::new(agent), presence).await
    }

    /// The agent answered: the SLA timer stops.
    pub async fn mark_responded(&self, conversation: String) -> Result<()> {
        self.0
            .mark_responded(&ConversationId::new(conversation))
            .await
    }

    /// Apply SLA reassignment and drain the queue.
    pub async fn tick(&self) -> Result<Vec<Outcome>> {
        self.0.tick().await
    }

    /// Open conversations per agent.
    pub fn loads(&self) -> BTreeMap<String, u32> {
        self.0
            .loads()
            .into_iter()
            .map(|(a, n)| (a.to_string(), n))
            .collect()
    }

    /// Conversations waiting for an agent.
    pub fn queue_len(&self) -> usize {
        self.0.queue_len()
    }
}
