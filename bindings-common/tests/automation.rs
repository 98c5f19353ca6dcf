//! Automation and analytics as the bindings hold them, over the fixtures the
//! Python, Node and Swift tests share: a rule fires a reply and a tag written
//! to the stored contact, the cooldown holds across calls, a bad rules file
//! names its line; webhook bodies ingested give a report with known figures.

use wacrm::automation::ActionOut;
use wacrm_bindings_common::{
    Automation, AutomationMessage, AutomationSettings, ReportArgs, Rules, Stores,
};

const RULES: &str = include_str!("../../tests/fixtures/automation_rules.toml");
const BODIES: &str = include_str!("../../tests/fixtures/report_webhooks.jsonl");
const T0: i64 = 1_764_662_400_000;
const ANA: &str = "5511999990001";

fn msg(text: &str, at: i64) -> AutomationMessage {
    AutomationMessage {
        text: text.into(),
        wa_id: "5511999990001".into(),
        at: Some(at),
        name: Some("Ana Silva".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_rule_fires_a_reply_and_a_tag_written_to_the_contact() {
    let bad = RULES.replace("cooldown = \"30m\"", "cooldown = \"3x\"");
    let problem = Rules::check(&bad).expect("refused");
    assert_eq!(problem.line, 10);
    assert!(problem.reason.contains("3x"), "{}", problem.reason);
    assert!(Rules::check(RULES).is_none());

    let st = Stores::open("memory:").await.unwrap();
    let rules = Rules::parse(RULES).unwrap();
    let auto = Automation::new(&rules, Some(&st), AutomationSettings::default())
        .await
        .unwrap();
    let ev = auto
        .evaluate(msg("How much is shipping?", T0))
        .await
        .unwrap();
    assert_eq!(ev.rules, ["shipping"]);
    assert!(ev.actions.contains(&ActionOut::Reply {
        rule: "shipping".into(),
        text: "Hi Ana, shipping takes 2 days.".into()
    }));
    let stored = st
        .contact_get("5511999990001".into())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.tags.contains("asked-shipping"));
    let again = auto.evaluate(msg("shipping?", T0 + 60_000)).await.unwrap();
    assert!(again.rules.is_empty());
}

#[tokio::test]
async fn ingested_webhooks_give_the_known_report() {
    let st = Stores::open("memory:").await.unwrap();
    for line in BODIES.lines() {
        st.webhook_ingest(line.as_bytes().to_vec()).await.unwrap();
    }
    let r = st.report(ReportArgs::default()).await.unwrap();
    assert_eq!(
        (r.frt.n, r.frt.median_s, r.frt.unanswered),
        (1, Some(120.0), 0)
    );
    let f = &r.funnel[0];
    assert_eq!(
        (
            f.campaign.as_str(),
            f.sent,
            f.delivered,
            f.read,
            f.failed,
            f.replied
        ),
        ("spring", 2, 1, 1, 1, 1)
    );
    assert_eq!(r.hour_of_week[24 + 8], 2);
    let bad = ReportArgs {
        tz: "Mars/Olympus".into(),
        ..Default::default()
    };
    assert!(st.report(bad).await.is_err());
}

/// No-reply timers: the business writing arms one, listing shows it, the
/// contact writing cancels it; armed by hand it fires once when due, renders
/// with the stored contact and tags it; an unknown timer id is refused.
#[tokio::test]
async fn no_reply_timers_arm_list_cancel_and_fire() {
    let st = Stores::open("memory:").await.unwrap();
    let rules = Rules::parse(RULES).unwrap();
    assert_eq!(rules.info().timers, ["nudge"]);
    let auto = Automation::new(&rules, Some(&st), AutomationSettings::default())
        .await
        .unwrap();
    auto.evaluate(msg("hello", T0)).await.unwrap();
    let out = AutomationMessage {
        direction: Some("out".into()),
        ..msg("How can we help?", T0 + 1_000)
    };
    auto.evaluate(out).await.unwrap();
    let armed = auto.timers(Some(ANA.into())).await.unwrap();
    assert_eq!(armed.len(), 1);
    assert_eq!(
        (armed[0].timer_id.as_str(), armed[0].due_at),
        ("nudge", T0 + 1_000 + 3_600_000)
    );
    // The contact answers: the timer is cancelled.
    auto.evaluate(msg("thanks", T0 + 2_000)).await.unwrap();
    assert!(auto.timers(None).await.unwrap().is_empty());

    let t = auto.arm_timer("nudge", ANA, None, Some(T0)).await.unwrap();
    assert_eq!((t.contact.as_str(), t.due_at), (ANA, T0 + 3_600_000));
    assert!(
        auto.run_due_timers(Some(T0 + 60_000))
            .await
            .unwrap()
            .is_empty()
    );
    let fired = auto.run_due_timers(Some(T0 + 3_600_000)).await.unwrap();
    assert_eq!(fired.len(), 1);
    assert!(fired[0].evaluation.actions.contains(&ActionOut::Reply {
        rule: "nudge".into(),
        text: "Still there, Ana?".into()
    }));
    let stored = st.contact_get(ANA.into()).await.unwrap().unwrap();
    assert!(stored.tags.contains("nudged"));
    assert!(
        auto.run_due_timers(Some(T0 + 7_200_000))
            .await
            .unwrap()
            .is_empty()
    );

    auto.arm_timer("nudge", ANA, None, Some(T0)).await.unwrap();
    assert_eq!(auto.cancel_timers(ANA.into()).await.unwrap(), 1);
    let e = auto
        .arm_timer("missing", ANA, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), wacrm::ErrorKind::Validation);
}
