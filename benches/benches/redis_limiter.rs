//! Shared rate-limit decisions through one Redis from several processes:
//! wacrm's limiter (number + pair, one atomic script) vs a bare EVALSHA of a
//! minimal single-key GCRA script, same clients, same run.
//! cargo bench -p wacrm-benches --bench redis_limiter
//! Env: WACRM_BENCH_REDIS_URL (else WACRM_TEST_REDIS_URL, else redis://127.0.0.1:6379/).
//!
//! The bench re-runs itself as `PROCESSES` child processes with
//! `CLIENTS_PER_PROCESS` concurrent clients each; a child prints how many
//! decisions it made in `SECONDS`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wacrm::scheduler::{LimitConfig, RateLimiter, RedisLimiter};

const PROCESSES: usize = 4;
const CLIENTS_PER_PROCESS: usize = 4;
const SECONDS: u64 = 3;

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

/// What a child measures.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Bare single-key GCRA, one EVALSHA per decision (the anchor).
    Bare,
    /// wacrm, one decision per call.
    Single,
    /// wacrm, batches of 20 sends, each to a different one of 200 numbers.
    Spread,
    /// wacrm, batches of 64 sends over 8 numbers: one claimed scheduler batch
    /// of a campaign.
    Campaign,
}

impl Mode {
    fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "bare" => Mode::Bare,
            "single" => Mode::Single,
            "spread" => Mode::Spread,
            "campaign" => Mode::Campaign,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Mode::Bare => "bare",
            Mode::Single => "single",
            Mode::Spread => "spread",
            Mode::Campaign => "campaign",
        }
    }
    /// Sends per call and how many numbers they spread over.
    fn shape(self) -> (usize, usize) {
        match self {
            Mode::Bare | Mode::Single => (1, 200),
            Mode::Spread => (20, 200),
            Mode::Campaign => (64, 8),
        }
    }
}

/// Decisions per second of `CLIENTS_PER_PROCESS` clients in this process.
async fn child(url: &str, prefix: &str, mode: Mode, proc_no: usize) -> u64 {
    let cfg = LimitConfig {
        // High enough that most decisions admit: a refusal costs the same.
        mps: 10_000,
        ..Default::default()
    };
    let client = redis::Client::open(url).expect("redis url");
    let script = Arc::new(redis::Script::new(BARE_GCRA));
    let count = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS_PER_PROCESS {
        let me = proc_no * CLIENTS_PER_PROCESS + c;
        let limiter = RedisLimiter::connect(url, prefix, cfg.clone())
            .await
            .expect("connect");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let (count, script, prefix) = (count.clone(), script.clone(), prefix.to_string());
        tasks.push(tokio::spawn(async move {
            let (per_call, numbers) = mode.shape();
            let mut done = 0u64;
            let mut i = 0usize;
            while start.elapsed() < Duration::from_secs(SECONDS) {
                let sends: Vec<(String, String)> = (0..per_call)
                    .map(|j| {
                        let k = i * per_call + j;
                        (format!("pn{}", (k + me) % numbers), format!("r{me}-{k}"))
                    })
                    .collect();
                match mode {
                    Mode::Bare => {
                        let _: redis::RedisResult<i64> = script
                            .key(format!("{prefix}:bare:{}", sends[0].0))
                            .arg(100)
                            .arg(2500)
                            .invoke_async(&mut conn)
                            .await;
                    }
                    Mode::Single => {
                        let _ = limiter.try_acquire(&sends[0].0, &sends[0].1).await;
                    }
                    Mode::Spread | Mode::Campaign => {
                        let refs: Vec<(&str, &str)> = sends
                            .iter()
                            .map(|(a, b)| (a.as_str(), b.as_str()))
                            .collect();
                        let _ = limiter.try_acquire_many(&refs).await;
                    }
                }
                done += per_call as u64;
                i += 1;
            }
            count.fetch_add(done, Ordering::Relaxed);
        }));
    }
    for t in tasks {
        t.await.expect("client task");
    }
    count.load(Ordering::Relaxed)
}

/// Decisions per second of all child processes together.
fn parent(url: &str, mode: Mode) -> f64 {
    let exe = std::env::current_exe().expect("own path");
    let prefix = format!("wacrm-bench:{}:{}", std::process::id(), mode.name());
    let start = Instant::now();
    let children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            std::process::Command::new(&exe)
                .env("WACRM_BENCH_REDIS_CHILD", mode.name())
                .env("WACRM_BENCH_REDIS_PREFIX", &prefix)
                .env("WACRM_BENCH_REDIS_PROC", p.to_string())
                .env("WACRM_BENCH_REDIS_URL", url)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    let mut total = 0u64;
    for c in children {
        let out = c.wait_with_output().expect("child");
        assert!(out.status.success(), "child failed");
        total += String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u64>()
            .expect("child count");
    }
    // Children run SECONDS each from their own start; the spawn skew is small.
    let secs = SECONDS as f64;
    debug_assert!(start.elapsed().as_secs_f64() >= secs);
    total as f64 / secs
}

fn main() {
    let url = std::env::var("WACRM_BENCH_REDIS_URL")
        .or_else(|_| std::env::var("WACRM_TEST_REDIS_URL"))
        .unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    if let Some(mode) = std::env::var("WACRM_BENCH_REDIS_CHILD")
        .ok()
        .and_then(|m| Mode::parse(&m))
    {
        let prefix = std::env::var("WACRM_BENCH_REDIS_PREFIX").unwrap_or_default();
        let proc_no = std::env::var("WACRM_BENCH_REDIS_PROC")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        println!("{}", rt.block_on(child(&url, &prefix, mode, proc_no)));
        return;
    }
    let reachable = redis::Client::open(url.as_str())
        .and_then(|c| c.get_connection())
        .is_ok();
    if !reachable {
        return println!("redis limiter bench skipped: no Redis at {url}");
    }
    let bare = parent(&url, Mode::Bare);
    println!(
        "redis limiter: {PROCESSES} processes x {CLIENTS_PER_PROCESS} clients, {SECONDS} s each, one Redis"
    );
    println!("  bare single-key GCRA EVALSHA (anchor)      {bare:>10.0} decisions/s");
    for (mode, label) in [
        (Mode::Single, "wacrm number+pair, 1 per call"),
        (Mode::Spread, "wacrm, 20 per call over 200 numbers"),
        (Mode::Campaign, "wacrm, 64 per call over 8 numbers"),
    ] {
        let ours = parent(&url, mode);
        println!(
            "  {label:<40} {ours:>10.0} decisions/s  ({:.2}x the anchor)",
            ours / bare
        );
    }
}
