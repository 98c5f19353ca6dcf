//! Shared rate-limit decisions through one Redis: wacrm's limiter (number +
//! pair, one atomic script) from 16 concurrent clients vs a bare EVALSHA of a
//! minimal single-key GCRA script from the same 16 clients, same run.
//! cargo bench -p wacrm-benches --bench redis_limiter
//! Env: WACRM_BENCH_REDIS_URL (else WACRM_TEST_REDIS_URL, else redis://127.0.0.1:6379/).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wacrm::scheduler::{LimitConfig, RateLimiter, RedisLimiter};

const CLIENTS: usize = 16;
const SECONDS: u64 = 3;
const BATCH: usize = 20;

const BARE_GCRA: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + tonumber(ARGV[1])
if new_tat - tonumber(ARGV[1]) * tonumber(ARGV[2]) > now then return 1 end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', 1000)
return 0
"#;

async fn run<F, Fut>(make: F) -> f64
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let count = Arc::new(AtomicU64::new(0));
    let make = Arc::new(make);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (count, make) = (count.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while start.elapsed() < Duration::from_secs(SECONDS) {
                make(c, i).await;
                i += 1;
            }
            count.fetch_add(i, Ordering::Relaxed);
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    count.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let url = std::env::var("WACRM_BENCH_REDIS_URL")
        .or_else(|_| std::env::var("WACRM_TEST_REDIS_URL"))
        .unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let client = match redis::Client::open(url.as_str()) {
        Ok(c) => c,
        Err(e) => return println!("redis limiter bench skipped: {e}"),
    };
    let mut conns = Vec::new();
    for _ in 0..CLIENTS {
        match client.get_multiplexed_async_connection().await {
            Ok(c) => conns.push(c),
            Err(e) => return println!("redis limiter bench skipped: no Redis at {url}: {e}"),
        }
    }
    let cfg = LimitConfig {
        mps: 1000,
        ..Default::default()
    };
    let prefix = format!("wacrm-bench:{}", std::process::id());
    let mut limiters = Vec::new();
    for _ in 0..CLIENTS {
        limiters.push(
            RedisLimiter::connect(&url, &prefix, cfg.clone())
                .await
                .expect("connect"),
        );
    }
    let limiters = Arc::new(limiters);
    // 200 numbers, so most decisions admit (a refusal is as cheap as an admit).
    let ours = {
        let limiters = limiters.clone();
        run(move |c, i| {
            let limiters = limiters.clone();
            async move {
                let n = format!("pn{}", (i as usize * CLIENTS + c) % 200);
                let _ = limiters[c].try_acquire(&n, &format!("r{c}-{i}")).await;
            }
        })
        .await
    };
    // The scheduler claims batches: 20 decisions per round trip.
    let batched = {
        let limiters = limiters.clone();
        run(move |c, i| {
            let limiters = limiters.clone();
            async move {
                let sends: Vec<(String, String)> = (0..BATCH as u64)
                    .map(|j| {
                        (
                            format!(
                                "pn{}",
                                ((i * BATCH as u64 + j) as usize * CLIENTS + c) % 200
                            ),
                            format!("b{c}-{i}-{j}"),
                        )
                    })
                    .collect();
                let refs: Vec<(&str, &str)> = sends
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                let _ = limiters[c].try_acquire_many(&refs).await;
            }
        })
        .await
            * BATCH as f64
    };
    let script = Arc::new(redis::Script::new(BARE_GCRA));
    let conns = Arc::new(conns);
    let bare = {
        let (script, conns) = (script.clone(), conns.clone());
        run(move |c, i| {
            let (script, conns) = (script.clone(), conns.clone());
            let key = format!("{prefix}:bare:{}", (i as usize * CLIENTS + c) % 200);
            async move {
                let mut conn = conns[c].clone();
                let _: redis::RedisResult<i64> = script
                    .key(key)
                    .arg(1000)
                    .arg(250)
                    .invoke_async(&mut conn)
                    .await;
            }
        })
        .await
    };
    println!(
        "redis limiter, {CLIENTS} clients, {SECONDS}s: wacrm number+pair decision {ours:.0}/s one per call, {batched:.0}/s in batches of {BATCH}; bare single-key GCRA EVALSHA {bare:.0}/s; ratios {:.2} and {:.2}",
        ours / bare,
        batched / bare
    );
}
