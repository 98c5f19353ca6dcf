//! Engine behaviour: priorities, stop, cooldowns, once per contact, counters,
//! business hours, handoff and pauses, loop protection, lifecycle, timers.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::*;
use crate::store::Contact;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn engine(src: &str) -> Engine {
    Engine::new(
        RuleSet::from_toml(src).unwrap(),
        Arc::new(MemoryAutomationStore::new()),
    )
    .unwrap()
}

fn fired(ev: &Evaluation) -> Vec<&str> {
    ev.rules.iter().map(String::as_str).collect()
}

const HOURS: &str = r#"
[business_hours]
timezone = "America/Sao_Paulo"
holidays = ["2026-12-25"]
[business_hours.weekly]
mon = "09:00-18:00"
tue = "09:00-18:00"
wed = "09:00-18:00"
thu = "09:00-18:00"
fri = "09:00-18:00"
"#;

#[tokio::test]
async fn priorities_and_stop() {
    let e = engine(
        r#"
[[rules]]
id = "low"
keywords = ["price"]
priority = 1
actions = [{ tag = "low" }]
[[rules]]
id = "high"
keywords = ["price"]
priority = 10
actions = [{ tag = "high" }]
[[rules]]
id = "top"
keywords = ["vip price"]
match = "contains"
priority = 99
stop = true
actions = [{ reply = "VIP desk" }]
"#,
    );
    let t = at("2026-03-04T12:00:00Z");
    let ev = e
        .evaluate(&MessageInput::inbound("c1", "price?", t))
        .await
        .unwrap();
    assert_eq!(fired(&ev), ["high", "low"]);
    let ev = e
        .evaluate(&MessageInput::inbound("c2", "vip price please", t))
        .await
        .unwrap();
    assert_eq!(fired(&ev), ["top"]);
    assert_eq!(ev.skipped.len(), 2);
    assert!(ev.skipped[0].reason.contains("stopped by"));
}

#[tokio::test]
async fn cooldown_per_contact_per_rule() {
    let e = engine(
        r#"
[[rules]]
id = "ship"
keywords = ["shipping"]
cooldown = "30m"
actions = [{ reply = "2 days" }]
"#,
    );
    let t = at("2026-03-04T12:00:00Z");
    let ask = |who: &str, t| MessageInput::inbound(who, "shipping?", t);
    assert_eq!(fired(&e.evaluate(&ask("a", t)).await.unwrap()), ["ship"]);
    let ev = e
        .evaluate(&ask("a", t + chrono::Duration::minutes(29)))
        .await
        .unwrap();
    assert!(ev.rules.is_empty());
    assert!(
        ev.skipped[0]
            .reason
            .starts_with("cooldown until 2026-03-04T12:30:00Z")
    );
    // Another contact is not affected.
    assert_eq!(fired(&e.evaluate(&ask("b", t)).await.unwrap()), ["ship"]);
    assert_eq!(
        fired(
            &e.evaluate(&ask("a", t + chrono::Duration::minutes(30)))
                .await
                .unwrap()
        ),
        ["ship"]
    );
}

#[tokio::test]
async fn once_per_contact_and_min_count_counters() {
    let e = engine(
        r#"
[[rules]]
id = "welcome"
keywords = ["hi"]
once_per_contact = true
actions = [{ reply = "Welcome!" }]
[[rules]]
id = "price-sensitive"
keywords = ["discount", "desconto", "折扣"]
min_count = 3
actions = [{ tag = "price-sensitive" }]
"#,
    );
    let t = at("2026-03-04T12:00:00Z");
    assert_eq!(
        fired(
            &e.evaluate(&MessageInput::inbound("a", "hi", t))
                .await
                .unwrap()
        ),
        ["welcome"]
    );
    let ev = e
        .evaluate(&MessageInput::inbound("a", "hi", t))
        .await
        .unwrap();
    assert!(ev.rules.is_empty());
    assert!(ev.skipped[0].reason.contains("once"));
    // "discount" said three times (any language of the rule) → tagged.
    for (i, text) in ["any discount?", "desconto?", "有折扣吗"]
        .iter()
        .enumerate()
    {
        let ev = e
            .evaluate(&MessageInput::inbound("a", *text, t))
            .await
            .unwrap();
        if i < 2 {
            assert!(ev.rules.is_empty());
            assert_eq!(
                ev.skipped[0].reason,
                format!("matched {} of 3 times", i + 1)
            );
            assert!(!ev.tags.contains("price-sensitive"));
        } else {
            assert_eq!(fired(&ev), ["price-sensitive"]);
            assert!(ev.tags.contains("price-sensitive"));
        }
    }
}

#[tokio::test]
async fn out_of_hours_reply_names_the_next_opening_across_dst_and_holidays() {
    let e = engine(&format!(
        "{HOURS}\n{}",
        r#"
[[rules]]
id = "closed"
keywords = ["price", "preço", "precio", "价格"]
when = "out_of_hours"
actions = [{ reply = "We are closed; we will answer at {{next_open}}." }]
[[rules]]
id = "open"
keywords = ["price", "preço"]
when = "in_hours"
actions = [{ reply = "An agent will answer shortly." }]
"#
    ));
    // Wednesday 22:00 local (UTC-3).
    let ev = e
        .evaluate(&MessageInput::inbound(
            "1555",
            "price?",
            at("2026-03-05T01:00:00Z"),
        ))
        .await
        .unwrap();
    assert_eq!(
        ev.replies().collect::<Vec<_>>(),
        ["We are closed; we will answer at 9:00 tomorrow."]
    );
    assert_eq!(ev.skipped[0].reason, "only in business hours");
    // In hours.
    let ev = e
        .evaluate(&MessageInput::inbound(
            "1556",
            "price?",
            at("2026-03-04T13:00:00Z"),
        ))
        .await
        .unwrap();
    assert_eq!(fired(&ev), ["open"]);
    // Christmas Eve evening, contact in Brazil (language from the number): Monday.
    let ev = e
        .evaluate(&MessageInput::inbound(
            "5511999",
            "preço",
            at("2026-12-24T22:00:00Z"),
        ))
        .await
        .unwrap();
    assert_eq!(
        ev.replies().next().unwrap(),
        "We are closed; we will answer at segunda-feira às 9:00."
    );
    // Chinese contact on a Saturday.
    let ev = e
        .evaluate(&MessageInput::inbound(
            "8613800000000",
            "价格",
            at("2026-03-07T15:00:00Z"),
        ))
        .await
        .unwrap();
    assert_eq!(
        ev.replies().next().unwrap(),
        "We are closed; we will answer at 星期一 9:00."
    );
}

#[tokio::test]
async fn missing_variable_means_the_rule_does_not_fire() {
    let e = engine(
        r#"
[[rules]]
id = "order"
keywords = ["order"]
priority = 2
actions = [{ reply = "Your last order was {{last_order|relative}}." }, { tag = "order" }]
[[rules]]
id = "hello"
keywords = ["order"]
actions = [{ reply = 'Hi {{first_name|default:"there"}}' }]
"#,
    );
    let t = at("2026-03-04T12:00:00Z");
    let ev = e
        .evaluate(&MessageInput::inbound("a", "my order", t))
        .await
        .unwrap();
    assert_eq!(fired(&ev), ["hello"]);
    assert_eq!(ev.skipped[0].reason, "no value for {{last_order}}");
    assert!(
        !ev.tags.contains("order"),
        "a rule fires whole or not at all"
    );
    assert_eq!(ev.replies().next().unwrap(), "Hi there");
    let mut c = Contact {
        first_name: Some("Rosa".into()),
        ..Default::default()
    };
    c.attributes
        .insert("last_order".into(), json!("2026-03-01T12:00:00Z"));
    c.attributes.insert("language".into(), json!("es"));
    let mut input = MessageInput::inbound("b", "my order", t);
    input.contact = Some(c);
    let ev = e.evaluate(&input).await.unwrap();
    assert_eq!(
        ev.replies().collect::<Vec<_>>(),
        ["Your last order was hace 3 días.", "Hi Rosa"]
    );
}

#[tokio::test]
async fn nearest_store_from_a_shared_location_is_remembered() {
    let e = engine(
        r#"
[[stores]]
name = "Paulista"
lat = -23.5614
lon = -46.6559
[[stores]]
name = "Copacabana"
lat = -22.9711
lon = -43.1822
[[rules]]
id = "store"
keywords = ["loja", "store"]
actions = [{ reply = 'Nearest: {{nearest_store|default:"send us your location"}}' }]
"#,
    );
    let t = at("2026-03-04T12:00:00Z");
    let ev = e
        .evaluate(&MessageInput::inbound("a", "store?", t))
        .await
        .unwrap();
    assert_eq!(
        ev.replies().next().unwrap(),
        "Nearest: send us your location"
    );
    let mut loc = MessageInput::inbound("a", "", t);
    loc.location = Some((-22.95, -43.19));
    e.evaluate(&loc).await.unwrap();
    let ev = e
        .evaluate(&MessageInput::inbound("a", "qual a loja?", t))
        .await
        .unwrap();
    assert_eq!(ev.replies().next().unwrap(), "Nearest: Copacabana");
}

#[tokio::test]
async fn handoff_pauses_automation_for_twelve_hours() {
    let e = engine(
        r#"
[[rules]]
id = "price"
keywords = ["price"]
actions = [{ reply = "It costs 10." }]
"#,
    );
    let t = at("2026-03-04T12:00:00Z");
    let ev = e
        .evaluate(&MessageInput::inbound(
            "a",
            "I want to talk to a person about the price",
            t,
        ))
        .await
        .unwrap();
    assert!(ev.handoff);
    assert!(ev.rules.is_empty());
    // The first message also puts the contact in a lifecycle segment (a tag action first).
    assert!(ev.actions.iter().any(
        |a| matches!(a, ActionOut::Handoff { reason } if reason.contains("talk to a person"))
    ));
    assert!(ev.actions.contains(&ActionOut::PauseAutomation {
        until: t + chrono::Duration::hours(12)
    }));
    // Quiet afterwards…
    let ev = e
        .evaluate(&MessageInput::inbound(
            "a",
            "price?",
            t + chrono::Duration::hours(11),
        ))
        .await
        .unwrap();
    assert!(ev.rules.is_empty() && ev.actions.is_empty());
    assert!(
        ev.ignored
            .as_deref()
            .unwrap()
            .starts_with("automation paused until")
    );
    // …and back after 12 h.
    let ev = e
        .evaluate(&MessageInput::inbound(
            "a",
            "price?",
            t + chrono::Duration::hours(12),
        ))
        .await
        .unwrap();
    assert_eq!(fired(&ev), ["price"]);
    // Other languages.
    for (who, text) in [
        ("b", "quero falar com um atendente"),
        ("c", "我要人工客服"),
        ("d", "상담원 연결"),
    ] {
        assert!(
            e.evaluate(&MessageInput::inbound(who, text, t))
                .await
                .unwrap()
                .handoff,
            "{text}"
        );
    }
}

#[tokio::test]
async fn handoff_and_pause_actions_from_rules() {
    let e = engine(
        r#"
[[rules]]
id = "complaint"
keywords = ["refund"]
priority = 5
actions = [{ reply = "Passing you to a person." }, { handoff = true }]
[[rules]]
id = "other"
keywords = ["refund"]
actions = [{ tag = "x" }]
[[rules]]
id = "snooze"
keywords = ["later"]
actions = [{ pause_automation = "1h" }]
"#,
    );
    let t = at("2026-03-04T12:00:00Z");
    let ev = e
        .evaluate(&MessageInput::inbound("a", "refund", t))
        .await
        .unwrap();
    assert!(ev.handoff);
    assert_eq!(fired(&ev), ["complaint"]);
    assert!(ev.skipped[0].reason.contains("stopped by"));
    let ev = e
        .evaluate(&MessageInput::inbound("b", "later", t))
        .await
        .unwrap();
    assert_eq!(fired(&ev), ["snooze"]);
    let ev = e
        .evaluate(&MessageInput::inbound(
            "b",
            "refund",
            t + chrono::Duration::minutes(59),
        ))
        .await
        .unwrap();
    assert!(ev.rules.is_empty());
    let ev = e
        .evaluate(&MessageInput::inbound(
            "b",
            "refund",
            t + chrono::Duration::minutes(60),
        ))
        .await
        .unwrap();
    assert_eq!(fired(&ev), ["complaint"]);
}

#[tokio::test]
async fn loop_protection() {
    let e = engine(
        r#"
[limits]
max_firings_per_hour = 3
[[rules]]
id = "echo"
keywords = ["hello"]
actions = [{ reply = "hello, how can we help?" }]
"#,
    );
    let t = at("2026-03-04T12:00:00Z");
    // Never reacts to outbound, own or bot messages.
    let mut out = MessageInput::outbound("a", "hello", t);
    assert!(e.evaluate(&out).await.unwrap().ignored.is_some());
    out.origin = Origin::Automation;
    assert!(e.evaluate(&out).await.unwrap().rules.is_empty());
    let mut bot = MessageInput::inbound("a", "hello", t);
    bot.origin = Origin::Bot;
    let ev = e.evaluate(&bot).await.unwrap();
    assert!(ev.rules.is_empty() && ev.ignored.unwrap().contains("loop protection"));
    // An auto-responder echoing our reply back is not answered.
    assert_eq!(
        fired(
            &e.evaluate(&MessageInput::inbound("a", "hello", t))
                .await
                .unwrap()
        ),
        ["echo"]
    );
    let ev = e
        .evaluate(&MessageInput::inbound("a", "Hello, how can we help?", t))
        .await
        .unwrap();
    assert!(ev.rules.is_empty() && ev.ignored.unwrap().contains("repeats"));
    // Budget: 3 firings per conversation per hour.
    for i in 1..3 {
        let ev = e
            .evaluate(&MessageInput::inbound(
                "a",
                "hello",
                t + chrono::Duration::minutes(i),
            ))
            .await
            .unwrap();
        assert_eq!(fired(&ev), ["echo"]);
    }
    let ev = e
        .evaluate(&MessageInput::inbound(
            "a",
            "hello",
            t + chrono::Duration::minutes(5),
        ))
        .await
        .unwrap();
    assert!(ev.rules.is_empty());
    assert!(ev.skipped[0].reason.contains("firing budget of 3"));
    let ev = e
        .evaluate(&MessageInput::inbound(
            "a",
            "hello",
            t + chrono::Duration::minutes(61),
        ))
        .await
        .unwrap();
    assert_eq!(fired(&ev), ["echo"]);
}

#[tokio::test]
async fn sensitive_words_block_outgoing_text_with_the_reason() {
    let e = engine(
        r#"
[sensitive_words]
words = ["senha", "password"]
[[rules]]
id = "reset"
keywords = ["reset"]
actions = [{ reply = "Send us your senha" }, { tag = "reset" }]
"#,
    );
    let t = at("2026-03-04T12:00:00Z");
    let ev = e
        .evaluate(&MessageInput::inbound("a", "reset", t))
        .await
        .unwrap();
    assert!(ev.blocked);
    assert_eq!(ev.replies().count(), 0);
    assert!(
        ev.actions
            .iter()
            .any(|a| matches!(a, ActionOut::Block { reason } if reason.contains("\"senha\"")))
    );
    assert!(
        ev.tags.contains("reset"),
        "the rule's other actions still apply"
    );
    let ev = e
        .evaluate(&MessageInput::outbound("a", "your PASSWORD is 1234", t))
        .await
        .unwrap();
    assert!(ev.blocked);
    assert!(matches!(&ev.actions[0], ActionOut::Block { reason } if reason.contains("password")));
    assert!(
        !e.evaluate(&MessageInput::outbound("a", "all fine", t))
            .await
            .unwrap()
            .blocked
    );
}

#[tokio::test]
async fn lifecycle_segments_incremental_and_scheduled() {
    let e = engine(
        r#"
[[rules]]
id = "product"
keywords = ["price", "stock", "size"]
inquiry = true
actions = [{ tag = "asked" }]
"#,
    );
    let t = at("2026-03-04T12:00:00Z");
    let ev = e
        .evaluate(&MessageInput::inbound("a", "hi", t))
        .await
        .unwrap();
    assert!(ev.tags.contains("follow-up-weekly"));
    e.evaluate(&MessageInput::inbound(
        "a",
        "price?",
        t + chrono::Duration::days(1),
    ))
    .await
    .unwrap();
    let ev = e
        .evaluate(&MessageInput::inbound(
            "a",
            "stock?",
            t + chrono::Duration::days(2),
        ))
        .await
        .unwrap();
    assert!(!ev.tags.contains("follow-up-weekly"), "3 interactions");
    assert!(!ev.tags.contains("high-intent"), "2 inquiries");
    let ev = e
        .evaluate(&MessageInput::inbound(
            "a",
            "size?",
            t + chrono::Duration::days(3),
        ))
        .await
        .unwrap();
    assert!(ev.tags.contains("high-intent"));
    assert!(ev.actions.contains(&ActionOut::Tag {
        tag: "high-intent".into()
    }));
    // The scheduled pass: a week later high intent is gone; 60 days later dormant.
    let ch = e
        .lifecycle_pass(t + chrono::Duration::days(11))
        .await
        .unwrap();
    assert_eq!(ch.len(), 1);
    assert!(ch[0].actions.contains(&ActionOut::Untag {
        tag: "high-intent".into()
    }));
    assert!(!ch[0].tags.contains("high-intent"));
    let ch = e
        .lifecycle_pass(t + chrono::Duration::days(63))
        .await
        .unwrap();
    assert!(ch[0].tags.contains("dormant"));
    assert!(
        e.lifecycle_pass(t + chrono::Duration::days(64))
            .await
            .unwrap()
            .is_empty()
    );
    // Writing again leaves dormant.
    let ev = e
        .evaluate(&MessageInput::inbound(
            "a",
            "back",
            t + chrono::Duration::days(70),
        ))
        .await
        .unwrap();
    assert!(!ev.tags.contains("dormant"));
    assert!(ev.tags.contains("follow-up-weekly"));
}

#[tokio::test]
async fn no_reply_timers_start_on_outbound_and_cancel_on_inbound() {
    let store = Arc::new(MemoryAutomationStore::new());
    let src = r#"
[[timers]]
id = "nudge"
after = "24h"
actions = [{ reply = 'Still interested, {{first_name|default:"friend"}}?' }, { tag = "nudged" }]
"#;
    let e = Engine::new(RuleSet::from_toml(src).unwrap(), store.clone()).unwrap();
    let t = at("2026-03-04T12:00:00Z");
    e.evaluate(&MessageInput::outbound("a", "Here is the quote", t))
        .await
        .unwrap();
    e.evaluate(&MessageInput::outbound("b", "Here is the quote", t))
        .await
        .unwrap();
    // b answers: its timer is cancelled.
    e.evaluate(&MessageInput::inbound(
        "b",
        "thanks",
        t + chrono::Duration::hours(2),
    ))
    .await
    .unwrap();
    assert!(
        e.run_due_timers(t + chrono::Duration::hours(23), |_| None)
            .await
            .unwrap()
            .is_empty()
    );
    // The state lives in the store: a new engine over it (a restart) still fires a's timer.
    let e2 = Engine::new(RuleSet::from_toml(src).unwrap(), store).unwrap();
    let fired = e2
        .run_due_timers(t + chrono::Duration::hours(24), |_| None)
        .await
        .unwrap();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].timer.contact, "a");
    assert_eq!(
        fired[0].evaluation.replies().next().unwrap(),
        "Still interested, friend?"
    );
    assert!(fired[0].evaluation.tags.contains("nudged"));
    assert!(
        e2.run_due_timers(t + chrono::Duration::hours(48), |_| None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn rules_built_in_code() {
    let rules = RuleSet::new()
        .rule(
            Rule::new("ship", ["envío", "frete"])
                .fold_accents()
                .priority(5)
                .cooldown(Duration::from_secs(60))
                .reply("Envío en 2 días")
                .unwrap()
                .action(Action::Tag("shipping".into())),
        )
        .sensitive_words(["senha"]);
    let e = Engine::new(rules, Arc::new(MemoryAutomationStore::new())).unwrap();
    let ev = e
        .evaluate(&MessageInput::inbound(
            "a",
            "ENVIO??",
            at("2026-03-04T12:00:00Z"),
        ))
        .await
        .unwrap();
    assert_eq!(fired(&ev), ["ship"]);
    assert!(ev.tags.contains("shipping"));
    assert_eq!(e.matching_rules("frete"), ["ship"]);
    // Validation of rules built in code.
    let dup = RuleSet::new()
        .rule(Rule::new("a", ["x"]))
        .rule(Rule::new("a", ["y"]));
    assert!(Engine::new(dup, Arc::new(MemoryAutomationStore::new())).is_err());
    let hours = RuleSet::new().rule(Rule::new("a", ["x"]).when(When::InHours));
    assert!(Engine::new(hours, Arc::new(MemoryAutomationStore::new())).is_err());
}
