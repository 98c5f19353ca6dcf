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
