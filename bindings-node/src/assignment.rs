//! Conversation assignment.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use wacrm::store::Presence;
use wacrm::{AgentId, ContactId, ConversationId};
use wacrm_bindings_common as common;

use crate::convert::{from_js, js_error, js_result, promise, wait};
use crate::stores::NativeStores;

/// Assignment settings; every field is optional.
#[napi(object)]
pub struct AssignmentSettings {
    /// `least_loaded` (default) or `round_robin`.
    #[napi(ts_type = "'least_loaded' | 'round_robin'")]
    pub strategy: Option<String>,
    /// Conversations an agent should have before others get more.
    pub target_min: Option<u32>,
    /// Conversations beyond which an agent gets none while others have room.
    pub target_max: Option<u32>,
    /// Never more than this many per agent.
    pub hard_cap: Option<u32>,
    /// Reassign when the first response takes longer (ms).
    pub sla_ms: Option<i64>,
    /// A returning customer goes back to their last agent within this time (ms).
    pub sticky_for_ms: Option<i64>,
}

/// An agent to add or change.
#[napi(object)]
pub struct Agent {
    pub id: String,
    /// The id when absent.
    pub name: Option<String>,
    /// Open conversations at most (10).
    pub capacity: Option<u32>,
    pub skills: Option<Vec<String>>,
    pub teams: Option<Vec<String>>,
    /// `online` when absent.
    #[napi(ts_type = "T.Presence")]
    pub presence: Option<String>,
}

/// A conversation to assign.
#[napi(object)]
pub struct Request {
    pub conversation_id: String,
    pub contact_id: String,
    /// Higher first in the queue (0).
    pub priority: Option<i32>,
    /// Only agents with every one of these skills.
    pub required_skills: Option<Vec<String>>,
    /// Agents with these skills first.
    pub preferred_skills: Option<Vec<String>>,
    /// The customer's last agent (sticky routing).
    pub previous_agent: Option<String>,
    pub team: Option<String>,
    /// When the customer wrote (ms since the epoch; 0 = now).
    pub arrived_at: Option<i64>,
}

fn presence(p: String) -> wacrm::Result<Presence> {
    from_js("presence", Value::from(p))
}

fn ms(field: &str, v: Option<i64>) -> wacrm::Result<Option<u64>> {
    v.map(|n| u64::try_from(n).map_err(|_| wacrm::Error::validation(field, "must not be negative")))
        .transpose()
}

fn to_common(o: AssignmentSettings) -> wacrm::Result<common::AssignmentSettings> {
    Ok(common::AssignmentSettings {
        strategy: o.strategy,
        target_min: o.target_min,
        target_max: o.target_max,
        hard_cap: o.hard_cap,
        sla_ms: ms("sla_ms", o.sla_ms)?,
        sticky_for_ms: ms("sticky_for_ms", o.sticky_for_ms)?,
    })
}

/// Conversation assignment (least-loaded or round-robin, skills, caps, queue) with its
/// state in the stores.
#[napi]
pub struct NativeAssignment {
    inner: Arc<common::Assignment>,
}

#[napi]
impl NativeAssignment {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        stores: &NativeStores,
        settings: Option<AssignmentSettings>,
    ) -> Result<Self> {
        let s = match settings {
            Some(o) => to_common(o).map_err(|e| js_error(&env, &e))?,
            None => common::AssignmentSettings::default(),
        };
        let inner = wait(&env, common::Assignment::new(&stores.inner, s))?;
        Ok(NativeAssignment {
            inner: Arc::new(inner),
        })
    }

    /// Add or change an agent; resolves with the assignments that follow.
    #[napi(ts_return_type = "Promise<T.Outcome[]>")]
    pub fn upsert_agent<'env>(
        &self,
        env: &'env Env,
        agent: Agent,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move {
            let agent = wacrm::store::Agent {
                name: agent.name.unwrap_or_else(|| agent.id.clone()),
                id: AgentId::new(agent.id),
                presence: presence(agent.presence.unwrap_or_else(|| "online".into()))?,
                capacity: agent.capacity.unwrap_or(10),
                skills: agent.skills.unwrap_or_default().into_iter().collect(),
                teams: agent.teams.unwrap_or_default().into_iter().collect(),
                updated_at: 0,
            };
            s.upsert_agent(agent).await
        })
    }

    /// Assign a conversation.
    #[napi(ts_return_type = "Promise<T.Outcome>")]
    pub fn assign<'env>(
        &self,
        env: &'env Env,
        request: Request,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        let r = wacrm::assignment::Request {
            conversation_id: ConversationId::new(request.conversation_id),
            contact_id: ContactId::new(request.contact_id),
            priority: request.priority.unwrap_or(0),
            required_skills: request
                .required_skills
                .unwrap_or_default()
                .into_iter()
                .collect(),
            preferred_skills: request
                .preferred_skills
                .unwrap_or_default()
                .into_iter()
                .collect(),
            previous_agent: request.previous_agent.map(AgentId::new),
            team: request.team,
            arrived_at: request.arrived_at.unwrap_or(0),
        };
        promise(env, async move { s.assign(r).await })
    }

    /// Close a conversation; resolves with the assignments that follow.
    #[napi(ts_return_type = "Promise<T.Outcome[]>")]
    pub fn release<'env>(
        &self,
        env: &'env Env,
        conversation: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.release(conversation).await })
    }

    /// Change an agent's presence; resolves with the assignments that follow.
    #[napi(
        ts_args_type = "agent: string, presence: T.Presence",
        ts_return_type = "Promise<T.Outcome[]>"
    )]
    pub fn set_presence<'env>(
        &self,
        env: &'env Env,
        agent: String,
        presence_name: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move {
            s.set_presence(agent, presence(presence_name)?).await
        })
    }

    /// The agent answered: the SLA timer stops.
    #[napi(ts_return_type = "Promise<null>")]
    pub fn mark_responded<'env>(
        &self,
        env: &'env Env,
        conversation: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.mark_responded(conversation).await })
    }

    /// Apply SLA reassignment and drain the queue; the assignments made.
    #[napi(ts_return_type = "Promise<T.Outcome[]>")]
    pub fn tick<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.tick().await })
    }

    /// Open conversations per agent.
    #[napi(ts_return_type = "Record<string, number>")]
    pub fn loads(&self, env: Env) -> Result<Value> {
        js_result(&env, Ok(self.inner.loads()))
    }

    /// Conversations waiting for an agent.
    #[napi]
    pub fn queue_len(&self) -> u32 {
        self.inner.queue_len() as u32
    }
}
