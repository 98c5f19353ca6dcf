//! The demo's console team: an admin, a supervisor who runs the campaign and
//! agents who answer. Every step goes through an access session, so it is
//! checked against the user's role and lands in the hash-chained audit log.

use std::collections::HashMap;
use std::sync::Arc;

use wacrm::access::{Console, Membership, Scope, Session, User};
use wacrm::scheduler::Scheduler;
use wacrm::store::{AuditOutcome, Stores};
use wacrm::{AgentId, SharedClock};

/// The users of the demo and their open sessions.
pub struct Team {
    pub admin: Session,
    pub supervisor: Session,
    agents: HashMap<AgentId, Session>,
}

/// Add the users (as the operator who installs the console) and open one
/// session per user. `agents` are the agent records the agent users work as.
pub async fn set_up(
    stores: &Stores,
    clock: SharedClock,
    scheduler: Arc<Scheduler>,
    agents: &[(&str, &str)],
) -> wacrm::Result<Team> {
    let console = Console::new(stores.clone(), clock.clone()).with_scheduler(scheduler);
    let op = console.operator("demo-install");
    let now = clock.now_millis();
    let mut users = vec![
        ("maria", "Maria (admin)", None, "admin"),
        ("sam", "Sam (supervisor)", None, "supervisor"),
    ];
    for (agent_id, name) in agents {
        users.push((agent_id, name, Some(AgentId::new(*agent_id)), "agent"));
    }
    for (id, name, agent_id, role) in users {
        op.upsert_user(&User {
            id: id.to_string(),
            name: name.to_string(),
            agent_id,
            disabled: false,
            created_at: now,
        })
        .await?;
        op.grant(&Membership {
            user_id: id.to_string(),
            role: role.to_string(),
            scope: Scope::all(),
        })
        .await?;
    }
    let mut by_agent = HashMap::new();
    for (agent_id, _) in agents {
        let s = console.as_user(agent_id).await?.with_client_id("demo");
        by_agent.insert(AgentId::new(*agent_id), s);
    }
    Ok(Team {
        admin: console.as_user("maria").await?.with_client_id("demo"),
        supervisor: console.as_user("sam").await?.with_client_id("demo"),
        agents: by_agent,
    })
}

impl Team {
    /// The session of the user who works as `agent`.
    pub fn agent(&self, agent: &AgentId) -> wacrm::Result<&Session> {
        self.agents
            .get(agent)
            .ok_or_else(|| wacrm::Error::Config(format!("no demo user works as agent {agent}")))
    }

    /// Any agent's session (for the refused attempt the demo shows).
    pub fn some_agent(&self) -> wacrm::Result<&Session> {
        self.agents
            .values()
            .next()
            .ok_or_else(|| wacrm::Error::Config("the demo team has no agent".into()))
    }
}

/// What the audit log holds at the end of the demo, verified.
#[derive(serde::Serialize)]
pub struct AuditSummary {
    pub entries: u64,
    pub forbidden: u64,
    pub verified: bool,
    pub head_hash: String,
}

/// Verify the whole log as the admin (the verification is itself logged,
/// after it ran) and count the refused attempts in it.
pub async fn verify(team: &Team, stores: &Stores) -> wacrm::Result<AuditSummary> {
    let v = team.admin.verify_audit(None).await?;
    if let Some(p) = &v.problem {
        return Err(wacrm::Error::Config(format!(
            "the audit log does not verify: {p:?}"
        )));
    }
    let mut forbidden = 0;
    let mut after = 0;
    loop {
        let page = stores.audit.list(after, 500).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        forbidden += page
            .iter()
            .filter(|e| e.outcome == AuditOutcome::Forbidden)
            .count() as u64;
    }
    Ok(AuditSummary {
        entries: v.entries,
        forbidden,
        verified: true,
        head_hash: v.head_hash,
    })
}
