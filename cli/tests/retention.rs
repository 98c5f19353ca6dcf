//! `wacrm retention` on a SQLite file: a conversation closed long ago is
//! archived and purged with its messages, a second run changes nothing, and
//! a policy outside the allowed periods is refused.

use std::process::Command;

use wacrm::ids::{ContactId, ConversationId, MessageId, PhoneNumberId};
use wacrm::store::{Conversation, ConversationStatus, Direction, MessageRecord, Stores};

const DAY: i64 = 86_400_000;

fn run(db: &str, extra: &[&str]) -> (bool, serde_json::Value, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(["retention", "--db", db])
        .args(extra)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let json = serde_json::from_str(out.trim()).unwrap_or(serde_json::Value::Null);
    (
        o.status.success(),
        json,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn old_conversations_are_archived_then_purged_and_bad_policies_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    let now = chrono::Utc::now().timestamp_millis();
    {
        let stores = Stores::from_url(&db).await.unwrap();
        for (id, closed_days_ago) in [("old", 800), ("recent", 10)] {
            let at = now - closed_days_ago * DAY;
            stores
                .conversations
                .create(&Conversation {
                    id: ConversationId::new(id),
                    contact_id: ContactId::new("c1"),
                    phone_number_id: PhoneNumberId::new("n1"),
                    status: ConversationStatus::Closed,
                    agent_id: None,
                    priority: 0,
                    opened_at: at,
                    assigned_at: None,
                    last_inbound_at: Some(at),
                    last_outbound_at: None,
                    first_response_at: None,
                    last_human_reply_at: None,
                    closed_at: Some(at),
                })
                .await
                .unwrap();
            stores
                .messages
                .record_inbound(&MessageRecord {
                    id: MessageId::new(format!("wamid.{id}")),
                    phone_number_id: PhoneNumberId::new("n1"),
                    conversation_id: Some(ConversationId::new(id)),
                    contact_id: Some(ContactId::new("c1")),
                    direction: Direction::Inbound,
                    msg_type: "text".into(),
                    body: serde_json::json!({"text": {"body": "hi"}}),
                    status: None,
                    status_times: Default::default(),
                    error: None,
                    agent_id: None,
                    campaign_id: None,
                    created_at: at,
                })
                .await
                .unwrap();
        }
    }
    let (ok, first, err) = run(&db, &[]);
    assert!(ok, "{err}");
    assert_eq!(first["archived"], 1, "{first}");
    assert_eq!(first["conversations_purged"], 1, "{first}");
    assert_eq!(first["messages_purged"], 1, "{first}");
    let (ok, second, err) = run(&db, &[]);
    assert!(ok, "{err}");
    assert_eq!(second["archived"], 0, "{second}");
    assert_eq!(second["conversations_purged"], 0, "{second}");
    let stores = Stores::from_url(&db).await.unwrap();
    assert!(
        stores
            .messages
            .get_message(&MessageId::new("wamid.old"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        stores
            .messages
            .get_message(&MessageId::new("wamid.recent"))
            .await
            .unwrap()
            .is_some()
    );
    let (ok, refused, _) = run(&db, &["--purge-after-days", "10"]);
    assert!(!ok, "a 10-day purge must be refused");
    assert_eq!(refused["error"]["code"], "VALIDATION", "{refused}");
    let why = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(why.contains("purge_after_days"), "{refused}");
}
