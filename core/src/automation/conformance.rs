//! The conformance suite every [`AutomationStore`] must pass (feature
//! `testing`), and the restart scenario durable stores must pass.
//! `automation_store_conformance_tests!` expands the checks into tests for an
//! adapter factory, like `store_conformance_tests!` does for the other stores.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::*;

fn timer(contact: &str, id: &str, due_at: i64) -> Timer {
    Timer {
        timer_id: id.into(),
        contact: contact.into(),
        conversation: format!("conv-{contact}"),
        due_at,
    }
}

/// Unknown keys read as default state; saved state reads back whole and is
/// replaced by the next save; `contacts` lists every contact with state.
pub async fn state_round_trips(s: Arc<dyn AutomationStore>) {
    assert_eq!(
        s.contact_state("c1").await.unwrap(),
        ContactState::default()
    );
    assert_eq!(
        s.conversation_state("v1").await.unwrap(),
        ConversationState::default()
    );
    let mut cs = ContactState::default();
    cs.last_fired.insert("price".into(), 1_000);
    cs.fired_once.insert("welcome".into());
    cs.counts.insert("discount".into(), 3);
    cs.inbound = vec![10, 20];
    cs.inquiries = vec![20];
    cs.last_inbound_at = Some(20);
    cs.segments.insert("high-intent".into());
    cs.location = Some((-23.5505, -46.6333));
    cs.tags.insert("vip".into());
    s.save_contact_state("c1", &cs).await.unwrap();
    s.save_contact_state("c0", &ContactState::default())
        .await
        .unwrap();
    assert_eq!(s.contact_state("c1").await.unwrap(), cs, "read back whole");
    cs.counts.insert("discount".into(), 4);
    s.save_contact_state("c1", &cs).await.unwrap();
    assert_eq!(s.contact_state("c1").await.unwrap(), cs, "replaced");
    assert_eq!(s.contacts().await.unwrap(), ["c0", "c1"]);

    let conv = ConversationState {
        paused_until: Some(5_000),
        pause_reason: Some("handoff".into()),
        firings: vec![1, 2, 3],
        last_reply: Some("hi there".into()),
    };
    s.save_conversation_state("v1", &conv).await.unwrap();
    assert_eq!(s.conversation_state("v1").await.unwrap(), conv);
    assert_eq!(
        s.conversation_state("v2").await.unwrap(),
        ConversationState::default(),
        "other conversations untouched"
    );
}

/// A timer replaces the contact's timer of the same id; cancelling removes
/// only that contact's timers; due timers are taken once, earliest first.
pub async fn timers_replace_cancel_and_come_due(s: Arc<dyn AutomationStore>) {
    s.put_timer(&timer("a", "nudge", 100)).await.unwrap();
    s.put_timer(&timer("a", "nudge", 300)).await.unwrap(); // replaces
    s.put_timer(&timer("a", "survey", 250)).await.unwrap();
    s.put_timer(&timer("b", "nudge", 150)).await.unwrap();
    s.put_timer(&timer("c", "nudge", 200)).await.unwrap();
    assert_eq!(
        s.list_timers(Some("a")).await.unwrap(),
        vec![timer("a", "survey", 250), timer("a", "nudge", 300)],
        "one contact's timers, earliest first"
    );
    assert_eq!(
        s.list_timers(None).await.unwrap().len(),
        4,
        "listing takes nothing"
    );
    assert!(s.take_due_timers(120).await.unwrap().is_empty(), "replaced");
    assert_eq!(s.cancel_timers("b").await.unwrap(), 1);
    assert_eq!(s.cancel_timers("b").await.unwrap(), 0);
    assert_eq!(
        s.take_due_timers(260).await.unwrap(),
        vec![timer("c", "nudge", 200), timer("a", "survey", 250)],
        "earliest first"
    );
    assert!(
        s.take_due_timers(260).await.unwrap().is_empty(),
        "taken once"
    );
    assert_eq!(
        s.list_timers(None).await.unwrap(),
        vec![timer("a", "nudge", 300)]
    );
    assert_eq!(
        s.take_due_timers(10_000).await.unwrap(),
        vec![timer("a", "nudge", 300)]
    );
    assert!(s.list_timers(Some("a")).await.unwrap().is_empty());
}

/// Concurrent takers never run the same timer twice, and none is lost.
pub async fn timers_taken_once_under_concurrency(s: Arc<dyn AutomationStore>) {
    for i in 0..60 {
        s.put_timer(&timer(&format!("k{i:02}"), "nudge", i))
            .await
            .unwrap();
    }
    let tasks: Vec<_> = (0..4)
        .map(|w| {
            let s = s.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                for step in 0..8 {
                    got.extend(s.take_due_timers(step * 10 + w).await.unwrap());
                }
                got
            })
        })
        .collect();
    let mut seen = BTreeSet::new();
    for t in tasks {
        for timer in t.await.unwrap() {
            assert!(seen.insert(timer.contact.clone()), "{timer:?} taken twice");
        }
    }
    seen.extend(
        s.take_due_timers(1_000)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.contact),
    );
    assert_eq!(seen.len(), 60, "every timer taken exactly once");
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test time")
        .with_timezone(&Utc)
}

const RESTART_RULES: &str = r#"
[[rules]]
id = "price"
keywords = ["price"]
once_per_contact = true
actions = [{ reply = "It costs 10." }]

[[rules]]
id = "hours"
keywords = ["hours"]
cooldown = "1h"
actions = [{ reply = "9 to 5." }]

[[timers]]
id = "nudge"
after = "24h"
actions = [{ reply = "Still interested?" }, { tag = "nudged" }]
"#;

/// Through the engine: a "no reply" timer, a once-per-contact rule, a
/// cooldown and a handoff pause, each set before a restart (`open` called a
/// second time on the same database, the first store dropped), all still in
/// force after it.
pub async fn state_survives_restart<F, Fut>(open: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn AutomationStore>>,
{
    let rules = || RuleSet::from_toml(RESTART_RULES).expect("rules");
    let t = at("2026-03-04T12:00:00Z");
    {
        let e = Engine::new(rules(), open().await).expect("engine");
        e.evaluate(&MessageInput::outbound("a", "Here is the quote", t))
            .await
            .unwrap();
        e.evaluate(&MessageInput::outbound("b", "Here is the quote", t))
            .await
            .unwrap();
        let ev = e
            .evaluate(&MessageInput::inbound("b", "price?", t))
            .await
            .unwrap();
        assert_eq!(ev.rules, ["price"], "b's reply cancels b's timer");
        let ev = e
            .evaluate(&MessageInput::inbound("c", "opening hours?", t))
            .await
            .unwrap();
        assert_eq!(ev.rules, ["hours"]);
        let ev = e
            .evaluate(&MessageInput::inbound("d", "I want to talk to a person", t))
            .await
            .unwrap();
        assert!(ev.handoff);
    }
    let e = Engine::new(rules(), open().await).expect("engine after restart");
    let later = t + Duration::minutes(30);
    let ev = e
        .evaluate(&MessageInput::inbound("b", "price again?", later))
        .await
        .unwrap();
    assert!(ev.rules.is_empty(), "once per contact survives: {ev:?}");
    let ev = e
        .evaluate(&MessageInput::inbound("c", "hours?", later))
        .await
        .unwrap();
    assert!(ev.rules.is_empty(), "cooldown survives: {ev:?}");
    let ev = e
        .evaluate(&MessageInput::inbound("d", "price?", later))
        .await
        .unwrap();
    assert!(
        ev.rules.is_empty() && ev.ignored.as_deref().unwrap_or("").contains("paused"),
        "handoff pause survives: {ev:?}"
    );
    let fired = e
        .run_due_timers(t + Duration::hours(24), |_| None)
        .await
        .unwrap();
    let who: Vec<&str> = fired.iter().map(|f| f.timer.contact.as_str()).collect();
    assert_eq!(who, ["a"], "a's timer survives, b's stays cancelled");
    assert_eq!(
        fired[0].evaluation.replies().next(),
        Some("Still interested?")
    );
    assert!(fired[0].evaluation.tags.contains("nudged"));
    assert!(
        e.run_due_timers(t + Duration::hours(48), |_| None)
            .await
            .unwrap()
            .is_empty(),
        "a fired timer is gone"
    );
}

/// Expand every automation-store check into a `#[tokio::test]` for
/// `$factory`, a future of a fresh, empty `Arc<dyn AutomationStore>`; with
/// `optional`, of an `Option` of one (`None` skips).
#[macro_export]
macro_rules! automation_store_conformance_tests {
    (optional $factory:expr) => {
        $crate::automation_store_conformance_tests!(@one [optional] $factory,
            state_round_trips, timers_replace_cancel_and_come_due,
            timers_taken_once_under_concurrency);
    };
    ($factory:expr) => {
        $crate::automation_store_conformance_tests!(@one [] $factory,
            state_round_trips, timers_replace_cancel_and_come_due,
            timers_taken_once_under_concurrency);
    };
    (@one [] $factory:expr, $($check:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let store = $factory.await;
                $crate::automation::conformance::$check(store).await;
            }
        )*
    };
    (@one [optional] $factory:expr, $($check:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let Some(store) = $factory.await else { return };
                $crate::automation::conformance::$check(store).await;
            }
        )*
    };
}
