//! Conformance of retention: archive, then purge archived conversations with
//! their messages, pending statuses expiring by age, nothing else touched,
//! nonsense periods refused before anything is deleted.

use super::{contact, conversation, message, status};
use crate::ids::{ContactId, ConversationId, MessageId};
use crate::store::*;
use crate::time::DAY;

const HOUR: i64 = 3_600_000;

fn closed(id: &str, at_day: i64) -> Conversation {
    Conversation {
        status: ConversationStatus::Closed,
        closed_at: Some(at_day * DAY),
        ..conversation(id, "rc1")
    }
}

/// Retention purges: a conversation archived and past the purge period is
/// gone with its messages; one archived but younger, an open one, the
/// contact and the audit log stay; old pending statuses expire, young ones
/// stay; a second run does nothing; an invalid policy deletes nothing.
pub async fn retention_purges_archived_conversations(s: Stores) {
    s.contacts
        .upsert(&contact("rc1", "+819012340001"), None)
        .await
        .unwrap();
    for c in [
        closed("rold", 10),
        closed("ryoung", 150),
        conversation("ropen", "rc1"),
    ] {
        s.conversations.create(&c).await.unwrap();
    }
    for (conv, n) in [("rold", 3), ("ryoung", 2), ("ropen", 1)] {
        for i in 0..n {
            let m = message(
                &format!("wamid.{conv}.{i}"),
                conv,
                "rc1",
                Direction::Outbound,
                DAY,
            );
            s.messages.record_outbound(&m).await.unwrap();
        }
    }
    s.messages
        .apply_status(&status("wamid.rold.0", MessageStatus::Read, 2 * DAY))
        .await
        .unwrap();
    let now = 200 * DAY;
    // Statuses whose message never came: one two days old, one an hour old.
    for (id, at) in [("wamid.lost", now - 48 * HOUR), ("wamid.late", now - HOUR)] {
        s.messages
            .apply_status(&status(id, MessageStatus::Delivered, at))
            .await
            .unwrap();
    }
    s.audit
        .append(&AuditEntry::new(1, "agent:ana", "export", "contact:rc1"))
        .await
        .unwrap();

    let policy = RetentionPolicy {
        archive_after_days: 30,
        purge_after_days: 90,
        purge_bodies_after_days: None,
        pending_status_max_age_hours: 24,
    };
    // Refused policies change nothing.
    for (bad, field) in [
        (
            RetentionPolicy {
                purge_after_days: 89,
                ..policy.clone()
            },
            "purge_after_days",
        ),
        (
            RetentionPolicy {
                purge_after_days: 40_000,
                ..policy.clone()
            },
            "purge_after_days",
        ),
        (
            RetentionPolicy {
                archive_after_days: 0,
                ..policy.clone()
            },
            "archive_after_days",
        ),
        (
            RetentionPolicy {
                archive_after_days: 91,
                ..policy.clone()
            },
            "archive_after_days",
        ),
        (
            RetentionPolicy {
                purge_bodies_after_days: Some(0),
                ..policy.clone()
            },
            "purge_bodies_after_days",
        ),
        (
            RetentionPolicy {
                pending_status_max_age_hours: 0,
                ..policy.clone()
            },
            "pending_status_max_age_hours",
        ),
    ] {
        match apply_retention(&s, &bad, now).await {
            Err(crate::Error::Validation { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{bad:?} must be refused on {field}, got {other:?}"),
        }
    }
    assert_eq!(s.messages.pending_statuses().await.unwrap().len(), 2);
    assert!(
        s.conversations
            .get(&ConversationId::new("rold"))
            .await
            .unwrap()
            .is_some()
    );

    let r = apply_retention(&s, &policy, now).await.unwrap();
    assert_eq!(
        (
            r.archived,
            r.conversations_purged,
            r.messages_purged,
            r.pending_expired
        ),
        (2, 1, 3, 1),
        "report of the first run: {r:?}"
    );
    assert_eq!(r.bodies_purged, 0, "bodies are kept until purge by default");
    assert!(
        s.conversations
            .get(&ConversationId::new("rold"))
            .await
            .unwrap()
            .is_none(),
        "the old archived conversation is deleted"
    );
    for i in 0..3 {
        let id = MessageId::new(format!("wamid.rold.{i}"));
        assert!(
            s.messages.get_message(&id).await.unwrap().is_none(),
            "{id} deleted"
        );
    }
    assert!(
        s.messages
            .list_for_conversation(&ConversationId::new("rold"))
            .await
            .unwrap()
            .is_empty()
    );
    let young = s
        .conversations
        .get(&ConversationId::new("ryoung"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        young.status,
        ConversationStatus::Archived,
        "archived, not yet purged"
    );
    let kept = s
        .messages
        .list_for_conversation(&ConversationId::new("ryoung"))
        .await
        .unwrap();
    assert_eq!(kept.len(), 2);
    assert!(
        kept.iter().all(|m| !m.body.is_null()),
        "bodies kept until purge"
    );
    let open = s
        .conversations
        .get(&ConversationId::new("ropen"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.status, ConversationStatus::Open);
    assert_eq!(
        s.messages
            .list_for_contact(&ContactId::new("rc1"))
            .await
            .unwrap()
            .len(),
        3,
        "the contact keeps the messages of its other conversations"
    );
    assert!(
        s.contacts
            .get(&ContactId::new("rc1"))
            .await
            .unwrap()
            .is_some()
    );
    let pending = s.messages.pending_statuses().await.unwrap();
    assert_eq!(
        pending
            .iter()
            .map(|p| p.message_id.as_str())
            .collect::<Vec<_>>(),
        ["wamid.late"],
        "only the young pending status is kept"
    );
    assert_eq!(
        s.audit.list(0, 10).await.unwrap().len(),
        1,
        "audit untouched"
    );

    // Idempotent: nothing left to do at the same instant.
    let again = apply_retention(&s, &policy, now).await.unwrap();
    assert_eq!(again, RetentionReport::default());

    // Later, the young archive passes its period too; bodies may go earlier.
    let later = RetentionPolicy {
        purge_bodies_after_days: Some(1),
        ..policy.clone()
    };
    let r = apply_retention(&s, &later, 250 * DAY).await.unwrap();
    assert_eq!((r.conversations_purged, r.messages_purged), (1, 2));
    assert_eq!(
        r.bodies_purged, 1,
        "the open conversation's message loses its body"
    );
    let left = s
        .messages
        .list_for_contact(&ContactId::new("rc1"))
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].body.is_null());
}
