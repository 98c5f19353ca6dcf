//! A scheduler worker process for the crash tests: drains the outbox of a store
//! into the Cloud API (the sandbox), then exits. Tests kill it with SIGKILL at
//! random points and start it again.
//!
//! outbox_worker DB_URL API_BASE TOKEN WORKER_ID [REDIS_URL REDIS_PREFIX]
//!
//! `OUTBOX_WORKER_RECONCILE=off` turns reconciliation of unknown outcomes off
//! (to show the crash test failing without it).

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
            // The sandbox posts statuses within milliseconds, but one process
            // applies them all to the store, and under load it lags seconds
            // behind three workers: the wait must cover that backlog.
            reconcile: ReconcileConfig {
                enabled: std::env::var("OUTBOX_WORKER_RECONCILE").as_deref() != Ok("off"),
                wait: Duration::from_secs(15),
                poll: Duration::from_millis(100),
                ..Default::default()
            },
            ..Default::default()
        },
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut total = RoundReport::default();
    loop {
        // A busy database (another process writing the same SQLite file) and a
        // lost lease are retried, as a deployed worker would; an item whose answer was lost
        // meanwhile is reconciled by the next claim.
        let round = async {
            sched.recover().await?;
            sched
                .run_until_idle(clock.now_millis() + 60_000, deadline)
                .await
        };
        let r = match round.await {
            Ok(r) => r,
            // A lease lost to another worker (this one was slow) is normal too.
            Err(e)
                if (e.retry().retryable || e.kind() == wacrm::ErrorKind::Store)
                    && Instant::now() < deadline =>
            {
                eprintln!("retrying after: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        total.sent += r.sent;
        total.parked += r.parked;
        total.reconciled += r.reconciled;
        total.resent += r.resent;
        let st = stores.outbox.stats().await?;
        let pending = st.queued + st.retry_later + st.leased + st.deferred;
        if pending == 0 || Instant::now() > deadline {
            println!(
                "{}",
                serde_json::json!({"sent": total.sent, "parked": total.parked,
                    "reconciled": total.reconciled, "resent": total.resent})
            );
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
