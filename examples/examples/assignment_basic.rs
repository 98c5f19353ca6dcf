//! Assign conversations to agents: staged routing, capacity, queue, presence.
//!
//! cargo run -p wacrm-examples --example assignment_basic

use wacrm::AgentId;
use wacrm::assignment::{AssignmentConfig, Engine, Outcome, Request};
use wacrm::store::{Agent, Presence};

fn main() {
    let mut e = Engine::new(AssignmentConfig {
        hard_cap: 2,
        ..Default::default()
    });
    for (id, skills) in [("ken", vec!["ja"]), ("ana", vec!["pt", "es"])] {
        e.upsert_agent(Agent {
            id: AgentId::new(id),
            name: id.into(),
            presence: Presence::Online,
            capacity: 2,
            skills: skills.into_iter().map(String::from).collect(),
            teams: Default::default(),
            updated_at: 0,
        });
    }
    for i in 0..5 {
        let mut r = Request::new(format!("conv-{i}"), format!("cust-{i}"), i);
        if i == 0 {
            r.preferred_skills.insert("ja".into());
        }
        match e.assign(r, i) {
            Outcome::Assigned {
                conversation_id,
                agent_id,
                reason,
            } => {
                println!(
                    "{conversation_id} → {agent_id} ({}, stage {}, load {})",
                    reason.strategy,
                    reason.stage,
                    reason.load_after.unwrap_or(0)
                )
            }
            Outcome::Queued {
                conversation_id,
                position,
                reason,
            } => println!("{conversation_id} queued #{position}: {}", reason.note),
        }
    }
    println!("loads {:?}, queue {}", e.loads(), e.queue_len());
    for o in e.set_presence(&AgentId::new("ken"), Presence::Offline, 10) {
        println!("ken went offline: {o:?}");
    }
}
