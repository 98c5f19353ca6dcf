//! Keyword rules in any script, business hours and handoff (C9), without the
//! Cloud API: load a rules file, feed messages, print what each would do.
//!
//! cargo run -p wacrm-examples --example automation_rules

use std::sync::Arc;

use chrono::{DateTime, Utc};
use wacrm::automation::{Engine, MemoryAutomationStore, MessageInput, RuleSet};
use wacrm::store::Contact;

const RULES: &str = include_str!("data/automation_rules.toml");

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("a valid time")
        .with_timezone(&Utc)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> wacrm::Result<()> {
    let rules = RuleSet::from_toml(RULES).map_err(|e| wacrm::Error::Config(e.to_string()))?;
    let engine = Engine::new(rules, Arc::new(MemoryAutomationStore::new()))?;
    let ana = Contact {
        first_name: Some("Ana".into()),
        ..Default::default()
    };
    let messages = [
        // Tuesday 22:00 in São Paulo: out of hours, the reply names the next opening.
        (
            "5511999990000",
            "qual o preço?",
            "2026-03-03T22:00:00-03:00",
        ),
        // Japanese without spaces still matches inside the text.
        (
            "819012345678",
            "配送はいつですか",
            "2026-03-04T10:00:00-03:00",
        ),
        // The third "discount" tags the contact.
        ("5511999990000", "discount?", "2026-03-04T10:00:00-03:00"),
        ("5511999990000", "any discount", "2026-03-04T10:01:00-03:00"),
        (
            "5511999990000",
            "discount please",
            "2026-03-04T10:02:00-03:00",
        ),
        // Asking for a person hands the conversation over and pauses automation.
        (
            "5511999990000",
            "quero falar com um atendente",
            "2026-03-04T10:03:00-03:00",
        ),
        ("5511999990000", "frete?", "2026-03-04T10:04:00-03:00"),
    ];
    let mut last = None;
    for (from, text, when) in messages {
        let mut input = MessageInput::inbound(from, text, at(when));
        input.contact = Some(ana.clone());
        let ev = engine.evaluate(&input).await?;
        println!(
            "{text:32} rules={:?} replies={:?} handoff={} tags={:?}",
            ev.rules,
            ev.replies().collect::<Vec<_>>(),
            ev.handoff,
            ev.tags
        );
        last = Some(ev);
    }
    // After the handoff, automation stays quiet for this contact.
    let last = last.expect("at least one message");
    assert!(
        last.rules.is_empty(),
        "automation is paused after a handoff"
    );
    Ok(())
}
