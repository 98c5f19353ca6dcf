//! Conversation assignment: agents, requests and outcomes as records.

use std::collections::HashMap;
use std::sync::Arc;

use wacrm::assignment::Request;
use wacrm::ids::{AgentId, ContactId, ConversationId};
use wacrm::store::{Agent, Presence};
use wacrm_bindings_common::{self as common, AssignmentSettings};

use crate::WacrmError;
use crate::runtime::{on_runtime, runtime};
use crate::store::Stores;
use crate::values::StringSet;

/// Assignment settings; the core's defaults for every field left `nil`.
#[uniffi::remote(Record)]
pub struct AssignmentSettings {
    /// `least_loaded` (default) or `round_robin`.
    #[uniffi(default = None)]
    pub strategy: Option<String>,
    #[uniffi(default = None)]
    pub target_min: Option<u32>,
    #[uniffi(default = None)]
    pub target_max: Option<u32>,
    #[uniffi(default = None)]
    pub hard_cap: Option<u32>,
    #[uniffi(default = None)]
    pub sla_ms: Option<u64>,
    #[uniffi(default = None)]
    pub sticky_for_ms: Option<u64>,
}

#[uniffi::remote(Enum)]
pub enum Presence {
    Online,
    Away,
    Offline,
}

/// An agent.
#[uniffi::remote(Record)]
pub struct Agent {
    pub id: AgentId,
    pub name: String,
    pub presence: Presence,
    /// Conversations at once.
    pub capacity: u32,
    pub skills: StringSet,
    pub teams: StringSet,
    #[uniffi(default = 0)]
    pub updated_at: i64,
}

/// A conversation to assign.
#[uniffi::remote(Record)]
pub struct Request {
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    #[uniffi(default = 0)]
    pub priority: i32,
    pub required_skills: StringSet,
    pub preferred_skills: StringSet,
    #[uniffi(default = None)]
    pub previous_agent: Option<AgentId>,
    #[uniffi(default = None)]
    pub team: Option<String>,
    #[uniffi(default = 0)]
    pub arrived_at: i64,
}

/// Why an outcome happened.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct Reason {
    pub strategy: String,
    pub stage: String,
    pub candidates: u64,
    pub load_after: Option<u32>,
    pub note: String,
}

/// Where a conversation went.
#[derive(Clone, Debug, PartialEq, uniffi::Enum)]
pub enum Outcome {
    Assigned {
        conversation_id: String,
        agent_id: String,
        reason: Reason,
    },
    Queued {
        conversation_id: String,
        position: u64,
        reason: Reason,
    },
}

impl From<wacrm::assignment::Reason> for Reason {
    fn from(r: wacrm::assignment::Reason) -> Self {
        Reason {
            strategy: r.strategy,
            stage: r.stage,
            candidates: r.candidates as u64,
            load_after: r.load_after,
            note: r.note,
        }
    }
}

impl From<wacrm::assignment::Outcome> for Outcome {
    fn from(o: wacrm::assignment::Outcome) -> Self {
        use wacrm::assignment::Outcome as O;
        match o {
            O::Assigned {
                conversation_id,
                agent_id,
                reason,
            } => Outcome::Assigned {
                conversation_id: conversation_id.0,
                agent_id: agent_id.0,
                reason: reason.into(),
            },
            O::Queued {
                conversation_id,
                position,
                reason,
            } => Outcome::Queued {
                conversation_id: conversation_id.0,
                position: position as u64,
                reason: reason.into(),
            },
        }
    }
}

fn outcomes(v: Vec<wacrm::assignment::Outcome>) -> Vec<Outcome> {
    v.into_iter().map(Into::into).collect()
}

/// Conversation assignment over the stores.
#[derive(uniffi::Object)]
pub struct Assignment {
    inner: Arc<common::Assignment>,
}

#[uniffi::export]
impl Assignment {
    /// Load agents and open conversations from `stores`.
    #[uniffi::constructor]
    pub fn new(stores: Arc<Stores>, settings: AssignmentSettings) -> Result<Arc<Self>, WacrmError> {
        let inner = runtime().block_on(common::Assignment::new(&stores.inner, settings))?;
        Ok(Arc::new(Assignment {
            inner: Arc::new(inner),
        }))
    }

    /// Add or change an agent; the assignments that follow.
    pub async fn upsert_agent(&self, agent: Agent) -> Result<Vec<Outcome>, WacrmError> {
        let s = self.inner.clone();
        Ok(outcomes(
            on_runtime(async move { s.upsert_agent(agent).await }).await?,
        ))
    }

    /// Assign a conversation.
    pub async fn assign(&self, request: Request) -> Result<Outcome, WacrmError> {
        let s = self.inner.clone();
        Ok(on_runtime(async move { s.assign(request).await })
            .await?
            .into())
    }

    /// Close a conversation; the assignments that follow.
    pub async fn release(&self, conversation: String) -> Result<Vec<Outcome>, WacrmError> {
        let s = self.inner.clone();
        Ok(outcomes(
            on_runtime(async move { s.release(conversation).await }).await?,
        ))
    }

    /// Change an agent's presence; the assignments that follow.
    pub async fn set_presence(
        &self,
        agent: String,
        presence: Presence,
    ) -> Result<Vec<Outcome>, WacrmError> {
        let s = self.inner.clone();
        Ok(outcomes(
            on_runtime(async move { s.set_presence(agent, presence).await }).await?,
        ))
    }

    /// The agent answered: the SLA timer stops.
    pub async fn mark_responded(&self, conversation: String) -> Result<(), WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.mark_responded(conversation).await }).await
    }

    /// Apply SLA reassignment and drain the queue.
    pub async fn tick(&self) -> Result<Vec<Outcome>, WacrmError> {
        let s = self.inner.clone();
        Ok(outcomes(on_runtime(async move { s.tick().await }).await?))
    }

    /// Open conversations per agent.
    pub fn loads(&self) -> HashMap<String, u32> {
        self.inner.loads().into_iter().collect()
    }

    /// Conversations waiting for an agent.
    pub fn queue_len(&self) -> u64 {
        self.inner.queue_len() as u64
    }
}
