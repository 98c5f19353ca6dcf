//! A paced campaign through the durable outbox (SQLite) against the sandbox,
//! with a plan (duration, cost) first.
//!
//! cargo run -p wacrm-examples --example scheduler_campaign

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wacrm::client::{OutboundMessage, Template};
use wacrm::scheduler::*;
use wacrm::store::{Category, Stores};
use wacrm::{PhoneNumberId, SharedClock, SystemClock};

#[tokio::main]
async fn main() -> wacrm::Result<()> {
    let (sandbox, client, number) =
        wacrm_examples::sandbox_and_client(wacrm_sandbox::SandboxConfig::default().mps(40.0)).await;
    let mut by_country = BTreeMap::new();
    by_country.insert("US".to_string(), 200u64);
    let estimate = plan(
        &CampaignInput {
            recipients_by_country: by_country,
            category: Category::Utility,
            numbers: 1,
            mps_per_number: 40,
            tier_cap: Some(2_000),
            tier_used: 0,
            ..Default::default()
        },
        &RateCard::shipped(),
    );
    println!(
        "plan: {} recipients in ~{:.1}s for ~${:.2}",
        estimate.recipients, estimate.send_seconds, estimate.cost_usd
    );

    let dir = std::env::temp_dir().join(format!("wacrm-campaign-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let stores = Stores::sqlite(dir.join("outbox.db")).await?;
    let clock: SharedClock = Arc::new(SystemClock);
    let sched = Scheduler::new(
        stores.clone(),
        client,
        Arc::new(MemoryLimiter::new(LimitConfig {
            mps: 40,
            ..Default::default()
        })),
        Arc::new(TierCounter::new(Some(2_000))),
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        clock.clone(),
        SchedulerConfig::default(),
    );
    sched.recover().await?;
    let from = PhoneNumberId::new(number);
    for i in 0..200 {
        let to = format!("+1202555{i:04}");
        let m = OutgoingMessage::new(
            format!("shipping-notice:{to}"),
            &from,
            to,
            OutboundMessage::Template(Template::new("hello_world", "en_US")),
            Category::Utility,
        );
        sched.enqueue(&m).await?;
    }
    let t = Instant::now();
    let r = sched
        .run_until_idle(clock.now_millis(), Instant::now() + Duration::from_secs(60))
        .await?;
    println!(
        "sent {} in {:.2}s ({:.1}/s), parked {}",
        r.sent,
        t.elapsed().as_secs_f64(),
        r.sent as f64 / t.elapsed().as_secs_f64(),
        r.parked
    );
    println!("outbox: {:?}", stores.outbox.stats().await?);
    if let Some(s) = sandbox {
        println!("sandbox ledger: {} accepted", s.ledger().len());
    }
    Ok(())
}
