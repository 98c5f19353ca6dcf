//! The Redis limiter against a real Redis (when `WACRM_TEST_REDIS_URL` is set;
//! `scripts/test.sh` starts one). Each test uses its own key prefix.

use std::time::{Duration, Instant};

use wacrm::scheduler::{LimitConfig, RateLimiter, RedisLimiter};

fn prefix(name: &str) -> String {
    format!(
        "wacrm-test:{name}:{}:{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

fn redis_url() -> Option<String> {
    wacrm::store::conformance::env_or_skip("WACRM_TEST_REDIS_URL", "Redis limiter")
}

async fn limiter(name: &str, cfg: LimitConfig) -> Option<(RedisLimiter, String)> {
    let url = redis_url()?;
    let p = prefix(name);
    Some((
        RedisLimiter::connect(&url, &p, cfg)
            .await
            .expect("connect to Redis"),
        p,
    ))
}

/// The conformance suite every limiter passes, on Redis: each limiter or tier
/// gets its own key prefix.
mod conformance {
    use wacrm::scheduler::conformance::{make_limiter, make_tier};
    use wacrm::scheduler::{RedisLimiter, RedisTier};

    fn url() -> String {
        super::redis_url().expect("checked by `ready`")
    }

    wacrm::limiter_conformance_tests!(
        limiter: make_limiter(|cfg| async move {
            RedisLimiter::connect(&url(), &super::prefix("conf"), cfg)
                .await
                .expect("connect to Redis")
        }),
        tier: make_tier(|cap| async move {
            RedisTier::connect(&url(), &super::prefix("conf-tier"), "portfolio", cap)
                .await
                .expect("connect to Redis")
        }),
        ready: super::redis_url().is_some()
    );
}

#[tokio::test]
async fn pair_burst_then_one_per_interval_and_refusals_cost_nothing() {
    let Some((l, _)) = limiter(
        "pair",
        LimitConfig {
            mps: 1000,
            pair_burst: 3,
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    for _ in 0..3 {
        assert!(l.try_acquire("n", "r").await.is_ok());
    }
    let wait = l.try_acquire("n", "r").await.unwrap_err();
    assert!(
        wait > Duration::from_secs(5) && wait <= Duration::from_secs(6),
        "{wait:?}"
    );
    // 250 number slots (quarter-second burst of 1000 mps) are intact after pair refusals.
    for _ in 0..100 {
        assert!(l.try_acquire("n", "r").await.is_err());
    }
    let admitted = {
        let mut n = 0;
        for i in 0..250 {
            if l.try_acquire("n", &format!("x{i}")).await.is_ok() {
                n += 1;
            }
        }
        n
    };
    assert!(admitted >= 245, "{admitted}");
}

#[tokio::test]
async fn several_workers_share_one_budget() {
    let cfg = LimitConfig {
        mps: 100,
        ..Default::default()
    };
    let Some((a, p)) = limiter("shared", cfg.clone()).await else {
        return;
    };
    let url = std::env::var("WACRM_TEST_REDIS_URL").unwrap();
    // Four limiters, four connections, one key prefix: like four worker processes.
    let mut ls = vec![a];
    for _ in 0..3 {
        ls.push(RedisLimiter::connect(&url, &p, cfg.clone()).await.unwrap());
    }
    let ls = std::sync::Arc::new(ls);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..4 {
        let ls = ls.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0u32;
            let mut i = 0u32;
            while start.elapsed() < Duration::from_secs(2) {
                i += 1;
                match ls[w].try_acquire("n", &format!("w{w}-{i}")).await {
                    Ok(()) => ok += 1,
                    Err(wait) => tokio::time::sleep(wait.min(Duration::from_millis(5))).await,
                }
            }
            ok
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    // 2 s at 100 mps plus a 25-message burst, shared by all four: never 4× that.
    assert!((200..=235).contains(&total), "{total}");
}

#[tokio::test]
async fn many_decisions_in_one_round_trip_match_single_ones() {
    let Some((l, _)) = limiter(
        "many",
        LimitConfig {
            mps: 20,
            pair_burst: 3,
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let recipients: Vec<String> = (0..40).map(|i| format!("r{i}")).collect();
    let sends: Vec<(&str, &str)> = recipients.iter().map(|r| ("n", r.as_str())).collect();
    let out = l.try_acquire_many(&sends).await;
    assert_eq!(out.len(), 40);
    assert_eq!(
        out.iter().filter(|r| r.is_ok()).count(),
        5,
        "quarter-second burst"
    );
    assert!(out[..5].iter().all(Result::is_ok), "in order");
    let same: Vec<(&str, &str)> = vec![("m", "x"); 4];
    let out = l.try_acquire_many(&same).await;
    assert!(out[..3].iter().all(Result::is_ok));
    let wait = out[3].unwrap_err();
    assert!(wait > Duration::from_secs(5), "{wait:?}");
    assert!(l.try_acquire_many(&[]).await.is_empty());
    // Numbers interleaved in one batch each spend their own burst.
    let mixed: Vec<(String, String)> = (0..20)
        .map(|i| (["a", "b"][i % 2].to_string(), format!("q{i}")))
        .collect();
    let refs: Vec<(&str, &str)> = mixed
        .iter()
        .map(|(n, r)| (n.as_str(), r.as_str()))
        .collect();
    let out = l.try_acquire_many(&refs).await;
    for number in ["a", "b"] {
        let ok = refs
            .iter()
            .zip(&out)
            .filter(|((n, _), r)| *n == number && r.is_ok())
            .count();
        assert_eq!(ok, 5, "{number}");
    }
    // A batch larger than one script call is split and keeps its order.
    let big: Vec<(String, String)> = (0..1_200)
        .map(|i| (format!("big{}", i % 400), format!("z{i}")))
        .collect();
    let refs: Vec<(&str, &str)> = big.iter().map(|(n, r)| (n.as_str(), r.as_str())).collect();
    let out = l.try_acquire_many(&refs).await;
    assert_eq!(out.len(), 1_200);
    assert!(
        out.iter().all(Result::is_ok),
        "3 sends per number fit the burst"
    );
}

#[tokio::test]
async fn the_tier_is_shared_by_every_process_of_a_portfolio() {
    use wacrm::scheduler::{RedisTier, TierGate};
    let Some(url) = redis_url() else { return };
    let p = prefix("tier");
    // Two workers of one portfolio with a cap of 3 unique recipients.
    let a = RedisTier::connect(&url, &p, "portfolio-1", Some(3))
        .await
        .unwrap();
    let b = RedisTier::connect(&url, &p, "portfolio-1", Some(3))
        .await
        .unwrap();
    let day = 86_400_000i64;
    let t0 = 1_900_000_000_000i64;
    assert!(a.admit("r1", t0).await.is_ok());
    assert!(b.admit("r2", t0 + 10).await.is_ok());
    assert!(a.admit("r3", t0 + 20).await.is_ok());
    assert_eq!(b.admit("r4", t0 + 30).await, Err(t0 + day), "full for both");
    assert!(
        b.admit("r1", t0 + 40).await.is_ok(),
        "a recipient already counted"
    );
    assert_eq!(a.used(t0 + 50).await.unwrap(), 3);
    // r1 was seen again at t0 + 40, so r2 is the first to age out.
    assert!(a.admit("r4", t0 + day + 11).await.is_ok());
    let other = RedisTier::connect(&url, &p, "portfolio-2", Some(3))
        .await
        .unwrap();
    assert!(
        other.admit("r9", t0 + 60).await.is_ok(),
        "portfolios are separate"
    );
}
