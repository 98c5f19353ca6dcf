//! Assignment decision latency with 500 agents and 10k open conversations.
//! cargo bench -p wacrm-benches --bench assignment

use std::time::Instant;

use wacrm::AgentId;
use wacrm::assignment::{AssignmentConfig, Engine, Request};
use wacrm::store::{Agent, Presence};

fn main() {
    let mut e = Engine::new(AssignmentConfig {
        hard_cap: 40,
        ..Default::default()
    });
    for i in 0..500 {
        e.upsert_agent(Agent {
            id: AgentId::new(format!("agent{i:03}")),
            name: format!("Agent {i}"),
            presence: Presence::Online,
            capacity: 40,
            skills: [["en", "ja", "es", "pt"][i % 4].to_string()]
                .into_iter()
                .collect(),
            teams: Default::default(),
            updated_at: 0,
        });
    }
    let mut now = 0i64;
    for i in 0..10_000 {
        now += 1;
        e.assign(Request::new(format!("open{i}"), format!("c{i}"), now), now);
    }
    let mut samples = Vec::with_capacity(200_000);
    let start = Instant::now();
    for i in 0..200_000u64 {
        now += 1;
        let mut r = Request::new(format!("new{i}"), format!("n{i}"), now);
        if i % 3 == 0 {
            r.preferred_skills.insert("ja".into());
        }
        let id = r.conversation_id.clone();
        let t0 = Instant::now();
        let out = e.assign(r, now);
        samples.push(t0.elapsed().as_nanos() as u64);
        std::hint::black_box(out);
        // Keep 10k open: close one as one opens.
        e.release(&id, now);
    }
    let total = start.elapsed();
    samples.sort_unstable();
    println!(
        "assignment, 500 agents, 10k open: p50 {:.2} µs, p99 {:.2} µs, max {:.2} µs; {:.0} assign+release/s",
        wacrm_benches::percentile(&samples, 0.5) as f64 / 1e3,
        wacrm_benches::percentile(&samples, 0.99) as f64 / 1e3,
        *samples.last().unwrap_or(&0) as f64 / 1e3,
        200_000.0 / total.as_secs_f64()
    );
}
