//! A scheduler worker process for the crash tests: drains the outbox of a store
//! into the Cloud API (the sandbox), then exits. Tests kill it with SIGKILL at
//! random points and start it again.
//!
//! outbox_worker DB_URL API_BASE TOKEN WORKER_ID [REDIS_URL REDIS_PREFIX]

use std::sync::Arc;
use std::time::{Duration, Instant};

use wacrm::client::{CloudApiClient, RetryPolicy};
use wacrm::scheduler::*;
use wacrm::store::Stores;
use wacrm::{SharedClock, SystemClock};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, base, token, worker, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: outbox_worker DB_URL API_BASE TOKEN WORKER_ID [REDIS_URL PREFIX]".into(),
        );
    };
    let stores = Stores::from_url(db).await?;
    let client = CloudApiClient::builder()
        .access_token(token.clone())
        .base_url(base.clone())
        .retry_policy(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .build()?;
    let limits = LimitConfig {
        mps: 80,
        ..Default::default()
    };
    // With Redis, the number, pair and tier limits are shared by every worker.
    let (limiter, tier): (Arc<dyn RateLimiter>, Arc<dyn TierGate>) = match rest {
        [url, prefix] => (
            Arc::new(RedisLimiter::connect(url, prefix, limits).await?),
            Arc::new(RedisTier::connect(url, prefix, "portfolio", Some(100_000)).await?),
        ),
        _ => (
            Arc::new(MemoryLimiter::new(limits)),
            Arc::new(TierCounter::new(None)),
        ),
    };
    let clock: SharedClock = Arc::new(SystemClock);
    let sched = Scheduler::new(
        stores.clone(),
        client,
        limiter,
        tier,
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        clock.clone(),
        SchedulerConfig {
            worker_id: worker.clone(),
            batch: 20,
            // Short leases: a killed worker's items return to the queue quickly.
            lease: Duration::from_millis(1500),
            ..Default::default()
        },
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        sched.recover().await?;
        let r = sched
            .run_until_idle(clock.now_millis() + 60_000, deadline)
            .await?;
        let st = stores.outbox.stats().await?;
        let pending = st.queued + st.retry_later + st.leased + st.deferred;
        if pending == 0 || Instant::now() > deadline {
            println!(
                "{}",
                serde_json::json!({"sent": r.sent, "parked": r.parked})
            );
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
