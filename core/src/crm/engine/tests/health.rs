//! Health saved in the sync state store and continued across restarts.

use super::*;
use crate::crm::{HEALTH_NAMESPACE, HealthSnapshot, StoredHealth};

/// Equal, the quantiles within rounding: saved health passes through JSON
/// text, which may move a float by an ulp.
fn assert_same(saved: &HealthSnapshot, live: &HealthSnapshot) {
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        (a, b) => a == b,
    };
    for (a, b) in [
        (saved.latency_p50_ms, live.latency_p50_ms),
        (saved.latency_p99_ms, live.latency_p99_ms),
        (saved.lag_p50_ms, live.lag_p50_ms),
        (saved.lag_p99_ms, live.lag_p99_ms),
    ] {
        assert!(close(a, b), "{saved:?}\n{live:?}");
    }
    let counts = |s: &HealthSnapshot| HealthSnapshot {
        latency_p50_ms: None,
        latency_p99_ms: None,
        lag_p50_ms: None,
        lag_p99_ms: None,
        ..s.clone()
    };
    assert_eq!(counts(saved), counts(live));
}

/// Past the millisecond the contacts were written in: a push re-reads
/// contacts stamped at its cursor (≥), which would count a refused one again.
async fn next_millisecond() {
    tokio::time::sleep(Duration::from_millis(2)).await;
}

async fn saved(stores: &Stores) -> StoredHealth {
    StoredHealth::load(stores.sync.as_ref(), "test")
        .await
        .unwrap()
        .expect("health saved under the engine's name")
}

#[tokio::test]
async fn a_push_saves_its_health_and_an_idle_one_does_not_rewrite_it() {
    let (_crm, stores, e) = setup(2).await;
    let clock = Arc::new(ManualClock::new(1_000));
    let e = e.with_clock(clock.clone());
    stores
        .contacts
        .upsert(&contact("bad", "not-an-email"), None)
        .await
        .unwrap();
    next_millisecond().await;
    e.push().await.unwrap();
    let s = saved(&stores).await;
    assert_eq!(
        (s.connector.as_str(), s.mapping.as_str()),
        ("memory", "test")
    );
    assert_eq!(s.updated_at, 1_000);
    assert_same(&s.health, &e.health().snapshot());
    assert_eq!((s.health.attempts, s.health.successes), (3, 2));
    assert_eq!(s.health.rejections["VALIDATION_ERROR"], 1);
    assert!(s.health.latency_p50_ms.is_some());

    // Nothing to push: no connector call, no new count, no write.
    clock.advance(Duration::from_secs(60));
    e.push().await.unwrap();
    assert_eq!(saved(&stores).await.updated_at, 1_000);
    let listed = stores.sync.list_cursors(HEALTH_NAMESPACE).await.unwrap();
    assert_eq!(listed.len(), 1, "one key per engine name: {listed:?}");
}

#[tokio::test]
async fn a_restarted_engine_continues_the_counts_instead_of_resetting_them() {
    let (crm, stores, first) = setup(2).await;
    stores
        .contacts
        .upsert(&contact("bad", "not-an-email"), None)
        .await
        .unwrap();
    next_millisecond().await;
    first.push().await.unwrap();
    let before = saved(&stores).await.health;
    assert_eq!((before.attempts, before.successes), (3, 2));
    drop(first);

    // A new process: same store, same name, a fresh engine.
    let second = SyncEngine::new(crm.clone(), mapping(), &stores).with_options(fast());
    stores
        .contacts
        .upsert(&contact("c7", "c7@example.com"), None)
        .await
        .unwrap();
    next_millisecond().await;
    second.push().await.unwrap();
    let after = saved(&stores).await.health;
    assert_eq!(
        (after.attempts, after.successes),
        (4, 3),
        "the saved counts plus this run's"
    );
    assert_eq!(after.rejections["VALIDATION_ERROR"], 1, "kept");
    assert_eq!(
        after.fields["email"].successes,
        before.fields["email"].successes + 1
    );
    assert_same(&after, &second.health().snapshot());

    // A pull restores too (first run of a third engine), and adds its own.
    let third = SyncEngine::new(crm.clone(), mapping(), &stores).with_options(fast());
    let id = crm.all()[0].id.clone();
    crm.edit(&id, &[("lifecyclestage", "customer")]);
    let r = third.pull().await.unwrap();
    assert!(r.applied >= 1, "{r:?}");
    let last = saved(&stores).await.health;
    assert!(last.attempts > after.attempts, "{last:?}");
    assert_eq!(last.rejections["VALIDATION_ERROR"], 1);
    assert_same(&last, &third.health().snapshot());
}
