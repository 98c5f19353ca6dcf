//! The engine behind a mutex, persisted through the store traits: every
//! decision is written to the conversation and the audit log, and a restart
//! rebuilds loads, assignments and the queue from the stores.

use parking_lot::Mutex;

use super::{AssignmentConfig, Engine, Outcome, Request};
use crate::ids::{AgentId, ConversationId};
use crate::store::{Agent, AuditEntry, Conversation, Presence, Stores};
use crate::time::SharedClock;

/// Assignment with persistence.
pub struct AssignmentService {
    engine: Mutex<Engine>,
    stores: Stores,
    clock: SharedClock,
}

/// A request for an open conversation (skills and team come from the caller's routing rules).
pub fn request_for(c: &Conversation) -> Request {
    Request {
        conversation_id: c.id.clone(),
        contact_id: c.contact_id.clone(),
        priority: c.priority,
        required_skills: Default::default(),
        preferred_skills: Default::default(),
        previous_agent: None,
        team: None,
        arrived_at: c.last_inbound_at.unwrap_or(c.opened_at),
    }
}

impl AssignmentService {
    /// Rebuild from the stores: agents, open conversations with their agents
    /// (loads), and unassigned open conversations (served or queued).
    pub async fn load(
        stores: Stores,
        cfg: AssignmentConfig,
        clock: SharedClock,
    ) -> crate::Result<Self> {
        let mut engine = Engine::new(cfg);
        for a in stores.agents.list_agents().await? {
            engine.upsert_agent(a);
        }
        let mut waiting = Vec::new();
        for c in stores.conversations.list_open().await? {
            match &c.agent_id {
                Some(a) => {
                    let responded = super::answered_since_assignment(&c);
                    engine.restore_assigned(
                        request_for(&c),
                        a,
                        c.assigned_at.unwrap_or(c.opened_at),
                        responded,
                        c.status == crate::store::ConversationStatus::WaitingOnCustomer,
                    );
                }
                None => waiting.push(c),
            }
        }
        let svc = AssignmentService {
            engine: Mutex::new(engine),
            stores,
            clock,
        };
        for c in waiting {
            svc.assign(request_for(&c)).await?;
        }
        Ok(svc)
    }

    /// Add or update an agent (persisted).
    pub async fn upsert_agent(&self, a: Agent) -> crate::Result<Vec<Outcome>> {
        self.stores.agents.upsert_agent(&a).await?;
        let now = self.clock.now_millis();
        let out = {
            let mut e = self.engine.lock();
            e.upsert_agent(a);
            e.drain_queue(now)
        };
        self.persist(&out).await?;
        Ok(out)
    }

    /// Assign (or queue) a conversation.
    pub async fn assign(&self, req: Request) -> crate::Result<Outcome> {
        let now = self.clock.now_millis();
        let out = self.engine.lock().assign(req, now);
        self.persist(std::slice::from_ref(&out)).await?;
        Ok(out)
    }

    /// Presence change (persisted); offline hands conversations over.
    pub async fn set_presence(&self, agent: &AgentId, p: Presence) -> crate::Result<Vec<Outcome>> {
        let now = self.clock.now_millis();
        self.stores.agents.set_presence(agent, p, now).await?;
        let out = self.engine.lock().set_presence(agent, p, now);
        self.persist(&out).await?;
        Ok(out)
    }

    /// A conversation closed.
    pub async fn release(&self, c: &ConversationId) -> crate::Result<Vec<Outcome>> {
        let now = self.clock.now_millis();
        let out = self.engine.lock().release(c, now);
        self.persist(&out).await?;
        Ok(out)
    }

    /// The agent replied: stops the SLA clock, persisted on the conversation
    /// (`first_response_at`, `last_human_reply_at`) so a restart keeps it.
    pub async fn mark_responded(&self, c: &ConversationId) -> crate::Result<()> {
        let now = self.clock.now_millis();
        super::record_human_reply(&self.stores, c, now).await?;
        self.engine.lock().mark_responded(c);
        Ok(())
    }

    /// SLA check. A conversation answered through the scheduler (which
    /// records the reply on the conversation) is not moved.
    pub async fn tick(&self) -> crate::Result<Vec<Outcome>> {
        let now = self.clock.now_millis();
        let overdue = self.engine.lock().overdue(now);
        for id in overdue {
            if let Some(c) = self.stores.conversations.get(&id).await?
                && super::answered_since_assignment(&c)
            {
                self.engine.lock().mark_responded(&id);
            }
        }
        let out = self.engine.lock().tick(now);
        self.persist(&out).await?;
        Ok(out)
    }

    /// Loads per agent.
    pub fn loads(&self) -> Vec<(AgentId, u32)> {
        self.engine.lock().loads()
    }

    /// Waiting conversations.
    pub fn queue_len(&self) -> usize {
        self.engine.lock().queue_len()
    }

    async fn persist(&self, outcomes: &[Outcome]) -> crate::Result<()> {
        let now = self.clock.now_millis();
        for o in outcomes {
            let (id, agent, reason) = match o {
                Outcome::Assigned {
                    conversation_id,
                    agent_id,
                    reason,
                } => (conversation_id, Some(agent_id), reason),
                Outcome::Queued {
                    conversation_id,
                    reason,
                    ..
                } => (conversation_id, None, reason),
            };
            if let Some(mut c) = self.stores.conversations.get(id).await?
                && c.agent_id.as_ref() != agent
            {
                c.agent_id = agent.cloned();
                c.assigned_at = agent.map(|_| now);
                self.stores.conversations.update(&c).await?;
            }
            self.stores
                .audit
                .append(&AuditEntry {
                    details: serde_json::json!({"agent": agent, "reason": reason}),
                    ..AuditEntry::new(
                        now,
                        "assignment",
                        if agent.is_some() {
                            "conversation.assign"
                        } else {
                            "conversation.queue"
                        },
                        id.to_string(),
                    )
                })
                .await?;
        }
        Ok(())
    }
}
