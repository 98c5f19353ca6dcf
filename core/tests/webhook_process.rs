//! C2 processing through the store traits: redeliveries are idempotent, statuses
//! only move forward, and statuses that precede their message wait for it.

use std::sync::Arc;

use wacrm::ids::{MessageId, PhoneNumberId};
use wacrm::store::{Direction, MessageRecord, MessageStatus, Recorded, Stores};
use wacrm::time::{ManualClock, SharedClock};
use wacrm::webhook::{SignatureVerifier, WebhookProcessor, parse_body, verify_and_parse};

const PHONE: &str = "106540352242922";

fn processor() -> (Stores, WebhookProcessor) {
    let stores = Stores::memory();
    let clock: SharedClock = Arc::new(ManualClock::new(1_750_000_000_000));
    (stores.clone(), WebhookProcessor::new(stores, clock))
}

fn status_body(id: &str, statuses: &[(&str, u64)]) -> Vec<u8> {
    let items: Vec<serde_json::Value> = statuses
        .iter()
        .map(|(s, ts)| {
            let mut v = serde_json::json!({"id": id, "status": s, "timestamp": ts.to_string(), "recipient_id": "16505551234"});
            if *s == "failed" {
                v["errors"] = serde_json::json!([{"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable", "error_data": {"details": "Message Undeliverable."}}]);
            }
            v
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE}, "statuses": items}}]}]})).unwrap()
}

async fn outbound(stores: &Stores, id: &str) {
    let rec = MessageRecord {
        id: MessageId::new(id),
        phone_number_id: PhoneNumberId::new(PHONE),
        conversation_id: None,
        contact_id: None,
        direction: Direction::Outbound,
        msg_type: "text".into(),
        body: serde_json::json!({"body": "hello"}),
        status: None,
        status_times: Default::default(),
        error: None,
        agent_id: None,
        campaign_id: None,
        created_at: 1_750_000_000_000,
    };
    assert_eq!(
        stores.messages.record_outbound(&rec).await.unwrap(),
        Recorded::New
    );
}

async fn status_of(stores: &Stores, id: &str) -> Option<MessageStatus> {
    stores
        .messages
        .get_message(&MessageId::new(id))
        .await
        .unwrap()
        .unwrap()
        .status
}

#[tokio::test]
async fn redelivered_inbound_is_handled_once() {
    let (stores, p) = processor();
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/webhook/text.json"
    ))
    .unwrap();
    let v = SignatureVerifier::new("s");
    let sig = v.sign(&body);
    let first = p
        .process(&verify_and_parse(&v, &body, Some(&sig)).unwrap())
        .await
        .unwrap();
    assert_eq!(first.new_messages.len(), 1);
    assert!(first.new_messages[0].new_conversation);
    assert_eq!(
        first.new_messages[0].text.as_deref(),
        Some("Does it come in another color?")
    );
    for _ in 0..3 {
        let again = p.process(&parse_body(&body).unwrap()).await.unwrap();
        assert!(again.new_messages.is_empty());
        assert_eq!(again.duplicate_messages, 1);
    }
    let c = stores
        .contacts
        .find_by_wa_id("16505551234")
        .await
        .unwrap()
        .expect("contact created");
    assert_eq!(c.name.as_deref(), Some("Sheena Nelson"));
    let msgs = stores.messages.list_for_contact(&c.id).await.unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].direction, Direction::Inbound);
}

#[tokio::test]
async fn statuses_only_move_forward() {
    let (stores, p) = processor();
    outbound(&stores, "wamid.A").await;
    // read arrives first, then the late delivered and sent, then read again.
    let r = p
        .process(
            &parse_body(&status_body(
                "wamid.A",
                &[("read", 3), ("delivered", 2), ("sent", 1), ("read", 3)],
            ))
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.statuses_applied, 1, "{r:?}");
    assert_eq!(r.statuses_ignored.len(), 3, "{r:?}");
    assert_eq!(
        status_of(&stores, "wamid.A").await,
        Some(MessageStatus::Read)
    );
    // played is at least read.
    let r = p
        .process(&parse_body(&status_body("wamid.A", &[("played", 4)])).unwrap())
        .await
        .unwrap();
    assert_eq!(r.statuses_applied, 1);
    assert_eq!(
        status_of(&stores, "wamid.A").await,
        Some(MessageStatus::Played)
    );
}

#[tokio::test]
async fn failed_is_terminal_and_reports_the_error() {
    let (stores, p) = processor();
    outbound(&stores, "wamid.F").await;
    let r = p
        .process(
            &parse_body(&status_body(
                "wamid.F",
                &[("sent", 1), ("failed", 2), ("delivered", 3)],
            ))
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.statuses_applied, 2, "{r:?}");
    assert_eq!(r.statuses_ignored.len(), 1);
    assert_eq!(r.errors[0].code, 131026);
    let m = stores
        .messages
        .get_message(&MessageId::new("wamid.F"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, Some(MessageStatus::Failed));
    assert_eq!(m.error.unwrap().code, "RECIPIENT_INVALID");
}

#[tokio::test]
async fn status_before_its_message_waits_for_it() {
    let (stores, p) = processor();
    let r = p
        .process(
            &parse_body(&status_body(
                "wamid.EARLY",
                &[("delivered", 2), ("delivered", 2)],
            ))
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        r.statuses_pending + r.statuses_ignored.len() as u64,
        2,
        "{r:?}"
    );
    assert!(r.statuses_pending >= 1);
    assert!(
        stores
            .messages
            .get_message(&MessageId::new("wamid.EARLY"))
            .await
            .unwrap()
            .is_none()
    );
    // The send is recorded afterwards: the pending status applies.
    outbound(&stores, "wamid.EARLY").await;
    assert_eq!(
        status_of(&stores, "wamid.EARLY").await,
        Some(MessageStatus::Delivered)
    );
    // A late sent changes nothing.
    let r = p
        .process(&parse_body(&status_body("wamid.EARLY", &[("sent", 1)])).unwrap())
        .await
        .unwrap();
    assert_eq!(r.statuses_applied, 0);
    assert_eq!(
        status_of(&stores, "wamid.EARLY").await,
        Some(MessageStatus::Delivered)
    );
}

#[tokio::test]
async fn unknown_events_and_system_errors_are_counted() {
    let (_stores, p) = processor();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/webhook/");
    let mut events = Vec::new();
    for name in [
        "unknown_field",
        "errors_system",
        "template_status_update",
        "calls_status",
    ] {
        events.extend(parse_body(&std::fs::read(format!("{dir}{name}.json")).unwrap()).unwrap());
    }
    let r = p.process(&events).await.unwrap();
    assert_eq!(r.unknown, 1);
    assert_eq!(r.errors[0].code, 131000);
    // Typed events with no store effect are counted by kind.
    assert_eq!(r.other["template_status"], 1);
    assert_eq!(r.other["call_status"], 3);
}

/// A status body whose statuses carry `biz_opaque_callback_data`.
fn status_with_callback(id: &str, callback: &str) -> Vec<u8> {
    let body = status_body(id, &[("sent", 1_750_000_001)]);
    let mut v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    v["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] =
        serde_json::json!(callback);
    serde_json::to_vec(&v).unwrap()
}

#[tokio::test]
async fn a_status_naming_an_outbox_item_proves_it_and_the_campaign_is_the_users_part() {
    let stores = Stores::memory();
    let clock: SharedClock = Arc::new(ManualClock::new(1_750_000_000_000));
    let p = WebhookProcessor::new(stores.clone(), clock).create_outbound_from_statuses(true);
    let cb = wacrm::client::callback::encode(Some("spring"), "ob:spring:+16505551234");
    let r = p
        .process(&parse_body(&status_with_callback("wamid.CB1", &cb)).unwrap())
        .await
        .unwrap();
    assert_eq!(r.sends_proved, 1);
    let token = wacrm::client::callback::item_token("ob:spring:+16505551234");
    let proof = stores
        .sync
        .get_cursor(wacrm::scheduler::reconcile::ACCEPTED, &token)
        .await
        .unwrap();
    assert_eq!(proof.as_deref(), Some("wamid.CB1"));
    let m = stores
        .messages
        .get_message(&MessageId::new("wamid.CB1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.campaign_id.as_deref(), Some("spring"), "suffix stripped");
    // A value another tool sent is the campaign as it is, and proves nothing.
    let r = p
        .process(&parse_body(&status_with_callback("wamid.CB2", "autumn")).unwrap())
        .await
        .unwrap();
    assert_eq!(r.sends_proved, 0);
    let m = stores
        .messages
        .get_message(&MessageId::new("wamid.CB2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.campaign_id.as_deref(), Some("autumn"));
}
