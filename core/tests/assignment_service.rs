//! Assignment persisted through the stores: a restart resumes the same loads,
//! assignments and queue.

use std::sync::Arc;

use wacrm::assignment::{AssignmentConfig, AssignmentService, Outcome, Request};
use wacrm::store::{Agent, Conversation, ConversationStatus, Presence, Stores};
use wacrm::{AgentId, ManualClock, SharedClock};

fn conv(id: &str, contact: &str) -> Conversation {
    Conversation {
        id: id.into(),
        contact_id: contact.into(),
        phone_number_id: "pn".into(),
        status: ConversationStatus::Open,
        agent_id: None,
        priority: 0,
        opened_at: 1,
        assigned_at: None,
        last_inbound_at: Some(1),
        last_outbound_at: None,
        first_response_at: None,
        last_human_reply_at: None,
        closed_at: None,
    }
}

#[tokio::test]
async fn restart_rebuilds_the_same_state_from_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let clock: SharedClock = Arc::new(ManualClock::new(1_000));
    let loads_before;
    {
        let stores = Stores::sqlite(&path).await.unwrap();
        let svc = AssignmentService::load(
            stores.clone(),
            AssignmentConfig {
                hard_cap: 2,
                ..Default::default()
            },
            clock.clone(),
        )
        .await
        .unwrap();
        for id in ["a", "b"] {
            svc.upsert_agent(Agent {
                id: AgentId::new(id),
                name: id.into(),
                presence: Presence::Online,
                capacity: 2,
                skills: Default::default(),
                teams: Default::default(),
                updated_at: 0,
            })
            .await
            .unwrap();
        }
        for i in 0..5 {
            let c = conv(&format!("c{i}"), &format!("k{i}"));
            stores.conversations.create(&c).await.unwrap();
            let out = svc
                .assign(Request::new(c.id.as_str(), c.contact_id.as_str(), 1))
                .await
                .unwrap();
            if i == 4 {
                assert!(
                    matches!(out, Outcome::Queued { .. }),
                    "two agents with cap 2: the fifth waits"
                );
            }
        }
        loads_before = svc.loads();
        assert_eq!(svc.queue_len(), 1);
        let audit = stores.audit.list(0, 100).await.unwrap();
        assert_eq!(audit.len(), 5, "every decision is audited");
    }
    // "Restart": a new service over the same file.
    let stores = Stores::sqlite(&path).await.unwrap();
    let svc = AssignmentService::load(
        stores.clone(),
        AssignmentConfig {
            hard_cap: 2,
            ..Default::default()
        },
        clock,
    )
    .await
    .unwrap();
    assert_eq!(svc.loads(), loads_before);
    assert_eq!(
        svc.queue_len(),
        1,
        "the waiting conversation is queued again"
    );
    let c0 = stores
        .conversations
        .get(&"c0".into())
        .await
        .unwrap()
        .unwrap();
    let served = svc.release(&c0.id).await.unwrap();
    assert_eq!(
        served.len(),
        1,
        "capacity freed after the restart serves the queue"
    );
    let c4 = stores
        .conversations
        .get(&"c4".into())
        .await
        .unwrap()
        .unwrap();
    assert!(
        c4.agent_id.is_some(),
        "the assignment was written to the store"
    );
}
