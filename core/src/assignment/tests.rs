use std::collections::BTreeSet;

use super::*;
use crate::store::Presence;

fn agent(id: &str, cap: u32, skills: &[&str]) -> Agent {
    Agent {
        id: AgentId::new(id),
        name: id.to_uppercase(),
        presence: Presence::Online,
        capacity: cap,
        skills: skills.iter().map(|s| s.to_string()).collect(),
        teams: BTreeSet::new(),
        updated_at: 0,
    }
}

fn engine(agents: &[Agent], cfg: AssignmentConfig) -> Engine {
    let mut e = Engine::new(cfg);
    for a in agents {
        e.upsert_agent(a.clone());
    }
    e
}

fn agent_of(o: &Outcome) -> Option<&str> {
    match o {
        Outcome::Assigned { agent_id, .. } => Some(agent_id.as_str()),
        Outcome::Queued { .. } => None,
    }
}

#[test]
fn least_loaded_spreads_within_the_band() {
    let mut e = engine(
        &[
            agent("a", 15, &[]),
            agent("b", 15, &[]),
            agent("c", 15, &[]),
        ],
        AssignmentConfig::default(),
    );
    for i in 0..18 {
        e.assign(Request::new(format!("cv{i}"), format!("ct{i}"), i), i);
    }
    let loads: Vec<u32> = e.loads().into_iter().map(|(_, l)| l).collect();
    assert_eq!(loads, [6, 6, 6]);
}

#[test]
fn round_robin_takes_least_recently_assigned() {
    let cfg = AssignmentConfig {
        strategy: Arc::new(RoundRobin),
        ..Default::default()
    };
    let mut e = engine(&[agent("a", 15, &[]), agent("b", 15, &[])], cfg);
    let order: Vec<String> = (0..4)
        .map(|i| {
            agent_of(&e.assign(Request::new(format!("c{i}"), format!("k{i}"), i), i))
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(order, ["a", "b", "a", "b"]);
}

#[test]
fn required_and_preferred_skills_and_reasons() {
    let mut e = engine(
        &[
            agent("en", 15, &["en"]),
            agent("ja", 15, &["ja"]),
            agent("ja_vip", 15, &["ja", "vip"]),
        ],
        AssignmentConfig::default(),
    );
    let mut r = Request::new("c1", "k1", 0);
    r.required_skills.insert("ja".into());
    r.preferred_skills.insert("vip".into());
    match e.assign(r, 0) {
        Outcome::Assigned {
            agent_id, reason, ..
        } => {
            assert_eq!(agent_id.as_str(), "ja_vip");
            assert_eq!(reason.stage, "skilled");
            assert_eq!(reason.strategy, "least_loaded");
            assert!(reason.candidates >= 1);
        }
        o => panic!("{o:?}"),
    }
    let mut r = Request::new("c2", "k2", 0);
    r.required_skills.insert("fr".into());
    assert!(
        matches!(e.assign(r, 0), Outcome::Queued { .. }),
        "nobody speaks French: queued, not lost"
    );
}

#[test]
fn sticky_to_previous_agent() {
    let mut e = engine(
        &[agent("a", 15, &[]), agent("b", 15, &[])],
        AssignmentConfig::default(),
    );
    assert_eq!(
        agent_of(&e.assign(Request::new("c1", "cust", 0), 0)),
        Some("a")
    );
    e.release(&ConversationId::new("c1"), 1);
    e.assign(Request::new("x", "other", 2), 2); // a gets more recent work
    match e.assign(Request::new("c2", "cust", 3), 3) {
        Outcome::Assigned {
            agent_id, reason, ..
        } => {
            assert_eq!(agent_id.as_str(), "a");
            assert_eq!(reason.stage, "previous_agent");
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn queue_when_full_then_served_in_priority_and_arrival_order() {
    let mut e = engine(&[agent("a", 1, &[])], AssignmentConfig::default());
    assert_eq!(
        agent_of(&e.assign(Request::new("c0", "k0", 0), 0)),
        Some("a")
    );
    let mut low = Request::new("low", "k1", 1);
    low.priority = 0;
    let mut high = Request::new("high", "k2", 2);
    high.priority = 5;
    let early = Request::new("early", "k3", 0);
    assert!(matches!(e.assign(low, 1), Outcome::Queued { .. }));
    assert!(matches!(e.assign(high, 2), Outcome::Queued { .. }));
    assert!(matches!(e.assign(early, 3), Outcome::Queued { .. }));
    assert_eq!(e.queue_len(), 3);
    assert_eq!(e.oldest_wait(10), Some(Duration::from_millis(10)));
    let served = e.release(&ConversationId::new("c0"), 10);
    assert_eq!(served.len(), 1);
    assert!(
        matches!(&served[0], Outcome::Assigned { conversation_id, .. } if conversation_id.as_str() == "high")
    );
    let served = e.release(&ConversationId::new("high"), 11);
    assert!(
        matches!(&served[0], Outcome::Assigned { conversation_id, .. } if conversation_id.as_str() == "early"),
        "equal priority: arrival order"
    );
}

#[test]
fn offline_agent_hands_over_and_sla_reassigns() {
    let cfg = AssignmentConfig {
        sla: Duration::from_secs(60),
        ..Default::default()
    };
    let mut e = engine(&[agent("a", 15, &[]), agent("b", 15, &[])], cfg);
    e.assign(Request::new("c1", "k1", 0), 0);
    e.assign(Request::new("c2", "k2", 0), 0);
    let a_had: Vec<ConversationId> = ["c1", "c2"]
        .iter()
        .map(|c| ConversationId::new(*c))
        .filter(|c| e.agent_of(c).map(|a| a.as_str()) == Some("a"))
        .collect();
    let moved = e.set_presence(&AgentId::new("a"), Presence::Offline, 5);
    assert_eq!(moved.len(), a_had.len());
    for c in ["c1", "c2"] {
        assert_eq!(
            e.agent_of(&ConversationId::new(c)).map(|a| a.as_str()),
            Some("b")
        );
    }
    e.set_presence(&AgentId::new("a"), Presence::Online, 6);
    e.mark_responded(&ConversationId::new("c1"));
    let moved = e.tick(5 + 60_000);
    assert_eq!(moved.len(), 1, "only the unanswered one moves");
    assert!(
        matches!(&moved[0], Outcome::Assigned { agent_id, reason, .. } if agent_id.as_str() == "a" && reason.stage == "sla")
    );
}

#[test]
fn business_hours_close_a_team() {
    let mut hours = HashMap::new();
    hours.insert(
        "tokyo".to_string(),
        BusinessHours {
            time_zone: "Asia/Tokyo".into(),
            open_hour: 9,
            close_hour: 18,
            days: (1..=5).collect(),
        },
    );
    let cfg = AssignmentConfig {
        business_hours: hours,
        ..Default::default()
    };
    let mut tokyo = agent("t", 15, &[]);
    tokyo.teams.insert("tokyo".into());
    let mut e = engine(&[tokyo], cfg);
    // Tuesday 2026-11-24 03:00 UTC = 12:00 Tokyo: open. 12:00 UTC = 21:00 Tokyo: closed.
    let noon = chrono::Utc
        .with_ymd_and_hms(2026, 11, 24, 3, 0, 0)
        .unwrap()
        .timestamp_millis();
    let night = chrono::Utc
        .with_ymd_and_hms(2026, 11, 24, 12, 0, 0)
        .unwrap()
        .timestamp_millis();
    assert!(matches!(
        e.assign(Request::new("c1", "k1", noon), noon),
        Outcome::Assigned { .. }
    ));
    assert!(matches!(
        e.assign(Request::new("c2", "k2", night), night),
        Outcome::Queued { .. }
    ));
}

#[test]
fn simulation_twenty_agents_bursts_and_departures() {
    let cfg = AssignmentConfig {
        sla: Duration::from_secs(120),
        ..Default::default()
    };
    let agents: Vec<Agent> = (0..20)
        .map(|i| agent(&format!("ag{i:02}"), 15, &[]))
        .collect();
    let mut e = engine(&agents, cfg);
    let mut now = 0;
    let mut seen = 0usize;
    for burst in 0..3 {
        for i in 0..1000 {
            e.assign(
                Request::new(format!("b{burst}-{i}"), format!("k{burst}-{i}"), now),
                now,
            );
            seen += 1;
        }
        // Two agents leave mid-run.
        for gone in [burst * 2, burst * 2 + 1] {
            e.set_presence(
                &AgentId::new(format!("ag{gone:02}")),
                Presence::Offline,
                now,
            );
        }
        now += 130_000;
        e.tick(now);
        // Agents close some conversations.
        let closing: Vec<ConversationId> = (0..300)
            .map(|i| ConversationId::new(format!("b{burst}-{i}")))
            .collect();
        for c in closing {
            e.release(&c, now);
        }
    }
    let assigned = e.active.len();
    let closed = 900;
    assert_eq!(
        assigned + e.queue_len() + closed,
        seen,
        "every conversation assigned, queued or closed"
    );
    for a in e.agents() {
        assert!(a.load <= 15, "{} over cap", a.agent.id);
        if a.agent.presence == Presence::Offline {
            assert_eq!(a.load, 0, "{} is offline with conversations", a.agent.id);
        }
    }
    for act in e.active.values() {
        let ag = &e.agents[e.index[&act.agent]];
        assert_eq!(ag.agent.presence, Presence::Online);
    }
}
