//! The conformance suite every store adapter must pass (feature `testing`).
//!
//! Each check is a plain `async fn(Stores)`; `store_conformance_tests!` expands
//! them into `#[tokio::test]`s for an adapter factory:
//!
//! ```text
//! wacrm::store_conformance_tests!(async { my_adapter_stores().await });
//! ```
//!
//! Checks panic with a message naming the broken contract.

use std::collections::HashSet;
use std::sync::Arc;

use super::*;

mod contacts_batch;
mod outbox_batch;
mod retention;
mod statuses;
mod sync_state;
use crate::ids::{AgentId, ContactId, ConversationId, IdempotencyKey, MessageId, PhoneNumberId};
pub use contacts_batch::*;
pub use outbox_batch::*;
pub use retention::*;
pub use statuses::*;
pub use sync_state::*;

fn contact(id: &str, phone: &str) -> Contact {
    Contact {
        id: ContactId::new(id),
        e164: Some(phone.parse().expect("conformance phones are E.164")),
        wa_id: Some(phone[1..].parse().expect("E.164 digits are a wa_id")),
        name: Some(format!("Name {id}")),
        ..Default::default()
    }
}

/// An open conversation for tests.
pub fn conversation(id: &str, contact: &str) -> Conversation {
    Conversation {
        id: ConversationId::new(id),
        contact_id: ContactId::new(contact),
        phone_number_id: PhoneNumberId::new("pn1"),
        status: ConversationStatus::Open,
        agent_id: None,
        priority: 0,
        opened_at: 1,
        assigned_at: None,
        last_inbound_at: None,
        last_outbound_at: None,
        first_response_at: None,
        last_human_reply_at: None,
        closed_at: None,
    }
}

/// A text message record for tests.
pub fn message(id: &str, conv: &str, contact: &str, dir: Direction, at: i64) -> MessageRecord {
    MessageRecord {
        id: MessageId::new(id),
        phone_number_id: PhoneNumberId::new("pn1"),
        conversation_id: Some(ConversationId::new(conv)),
        contact_id: Some(ContactId::new(contact)),
        direction: dir,
        msg_type: "text".into(),
        body: serde_json::json!({"type": "text", "text": {"body": format!("body of {id}")}}),
        status: if dir == Direction::Outbound {
            Some(MessageStatus::Accepted)
        } else {
            None
        },
        status_times: Default::default(),
        error: None,
        agent_id: None,
        campaign_id: None,
        created_at: at,
    }
}

/// An outbox item for tests.
pub fn outbox_item(id: &str, key: &str, lane: Lane, not_before: i64) -> OutboxItem {
    OutboxItem {
        id: id.to_string(),
        idempotency_key: IdempotencyKey::new(key),
        phone_number_id: PhoneNumberId::new("pn1"),
        recipient: "+819012345678".into(),
        payload: serde_json::json!({"type": "text", "text": {"body": "hi", "preview_url": false}}),
        category: Category::Utility,
        lane,
        campaign_id: Some("c1".into()),
        not_before,
        attempts: 0,
        state: OutboxState::Queued,
        last_error: None,
        history: Vec::new(),
        created_at: not_before,
        updated_at: not_before,
    }
}

fn status(id: &str, s: MessageStatus, at: i64) -> StatusUpdate {
    StatusUpdate {
        message_id: MessageId::new(id),
        status: s,
        at,
        error: None,
    }
}

/// Contacts: create, optimistic versions, lookups, filters, paging, delete.
pub async fn contacts_crud_and_versions(s: Stores) {
    let c = s
        .contacts
        .upsert(&contact("c1", "+819012345678"), Some(0))
        .await
        .expect("create");
    assert_eq!(c.version, 1, "first write gives version 1");
    assert!(c.created_at > 0);
    let err = s
        .contacts
        .upsert(&contact("c1", "+819012345678"), Some(0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 0,
                found: 1
            }
        ),
        "create twice conflicts: {err:?}"
    );
    let mut upd = c.clone();
    upd.tags.insert("vip".into());
    upd.attributes
        .insert("region".into(), serde_json::json!("HK"));
    let v2 = s
        .contacts
        .upsert(&upd, Some(1))
        .await
        .expect("update with right version");
    assert_eq!(v2.version, 2);
    assert!(matches!(
        s.contacts.upsert(&upd, Some(1)).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        s.contacts
            .find_by_wa_id("819012345678")
            .await
            .unwrap()
            .unwrap()
            .id,
        c.id
    );
    assert_eq!(
        s.contacts
            .find_by_e164("+819012345678")
            .await
            .unwrap()
            .unwrap()
            .id,
        c.id
    );
    assert!(s.contacts.find_by_bsuid("JP.1").await.unwrap().is_none());
    let mut b = contact("c2", "+819011112222");
    b.bsuid = Some("JP.1".parse().unwrap());
    b.tags.insert("bought_a".into());
    s.contacts
        .upsert_many(&[b, contact("c3", "+819033334444")])
        .await
        .expect("bulk");
    assert_eq!(
        s.contacts
            .find_by_bsuid("JP.1")
            .await
            .unwrap()
            .unwrap()
            .id
            .as_str(),
        "c2"
    );
    let vip = s
        .contacts
        .list(
            &ContactFilter {
                tags_all: vec!["vip".into()],
                ..Default::default()
            },
            &PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(vip.items.len(), 1);
    let any = ContactFilter {
        tags_any: vec!["vip".into(), "bought_a".into()],
        ..Default::default()
    };
    assert_eq!(
        s.contacts
            .list(&any, &PageRequest::default())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    let not_vip = ContactFilter {
        tags_none: vec!["vip".into()],
        ..Default::default()
    };
    assert_eq!(
        s.contacts
            .list(&not_vip, &PageRequest::default())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    let mut attrs = ContactFilter::default();
    attrs
        .attributes
        .insert("region".into(), serde_json::json!("HK"));
    assert_eq!(
        s.contacts
            .list(&attrs, &PageRequest::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    // Paging visits everything once.
    let mut seen = Vec::new();
    let mut page = PageRequest {
        limit: 2,
        after: None,
    };
    loop {
        let p = s
            .contacts
            .list(&ContactFilter::default(), &page)
            .await
            .unwrap();
        seen.extend(p.items.iter().map(|c| c.id.0.clone()));
        match p.next {
            Some(n) => page.after = Some(n),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["c1", "c2", "c3"],
        "paging in id order without gaps or repeats"
    );
    assert!(s.contacts.delete(&ContactId::new("c3")).await.unwrap());
    assert!(!s.contacts.delete(&ContactId::new("c3")).await.unwrap());
}

/// Merge re-points conversations and messages and unites identities.
pub async fn merge_keeps_all_history(s: Stores) {
    let mut a = contact("a", "+819012345678");
    a.tags.insert("vip".into());
    let mut b = contact("b", "+819099998888");
    b.email = Some("b@example.com".into());
    b.tags.insert("bought_a".into());
    s.contacts.upsert_many(&[a, b]).await.unwrap();
    s.conversations
        .create(&conversation("cv-a", "a"))
        .await
        .unwrap();
    s.conversations
        .create(&conversation("cv-b", "b"))
        .await
        .unwrap();
    s.messages
        .record_inbound(&message("m1", "cv-a", "a", Direction::Inbound, 1))
        .await
        .unwrap();
    s.messages
        .record_inbound(&message("m2", "cv-b", "b", Direction::Inbound, 2))
        .await
        .unwrap();
    s.messages
        .record_outbound(&message("m3", "cv-b", "b", Direction::Outbound, 3))
        .await
        .unwrap();
    let merged = s
        .contacts
        .merge(&ContactId::new("a"), &ContactId::new("b"))
        .await
        .expect("merge");
    assert_eq!(merged.email.as_deref(), Some("b@example.com"));
    assert!(merged.tags.contains("vip") && merged.tags.contains("bought_a"));
    assert_eq!(
        merged.e164.as_deref(),
        Some("+819012345678"),
        "survivor keeps its phone"
    );
    assert!(
        s.contacts
            .get(&ContactId::new("b"))
            .await
            .unwrap()
            .is_none(),
        "absorbed is gone"
    );
    let convs = s
        .conversations
        .list_for_contact(&ContactId::new("a"))
        .await
        .unwrap();
    assert_eq!(
        convs.len(),
        2,
        "both conversations now belong to the survivor"
    );
    let msgs = s
        .messages
        .list_for_contact(&ContactId::new("a"))
        .await
        .unwrap();
    assert_eq!(
        msgs.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["m1", "m2", "m3"]
    );
    assert!(
        s.messages
            .list_for_contact(&ContactId::new("b"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        s.contacts
            .merge(&ContactId::new("a"), &ContactId::new("zz"))
            .await,
        Err(StoreError::NotFound(_))
    ));
}

/// Merges stay atomic while other writers touch the same contacts.
pub async fn merge_atomic_under_concurrent_writes(s: Stores) {
    for i in 0..10 {
        s.contacts
            .upsert(
                &contact(&format!("s{i}"), &format!("+8190100000{i:02}")),
                None,
            )
            .await
            .unwrap();
        s.contacts
            .upsert(
                &contact(&format!("x{i}"), &format!("+8190200000{i:02}")),
                None,
            )
            .await
            .unwrap();
        s.messages
            .record_inbound(&message(
                &format!("mx{i}"),
                &format!("cx{i}"),
                &format!("x{i}"),
                Direction::Inbound,
                i,
            ))
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for i in 0..10 {
        let st = s.clone();
        tasks.push(tokio::spawn(async move {
            st.contacts
                .merge(
                    &ContactId::new(format!("s{i}")),
                    &ContactId::new(format!("x{i}")),
                )
                .await
                .map(|_| ())
        }));
        let st = s.clone();
        tasks.push(tokio::spawn(async move {
            st.messages
                .record_inbound(&message(
                    &format!("my{i}"),
                    &format!("cx{i}"),
                    &format!("x{i}"),
                    Direction::Inbound,
                    100 + i,
                ))
                .await
                .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.expect("task").expect("store call");
    }
    for i in 0..10 {
        assert!(
            s.contacts
                .get(&ContactId::new(format!("x{i}")))
                .await
                .unwrap()
                .is_none()
        );
        let survivor = s
            .messages
            .list_for_contact(&ContactId::new(format!("s{i}")))
            .await
            .unwrap();
        let orphan = s
            .messages
            .list_for_contact(&ContactId::new(format!("x{i}")))
            .await
            .unwrap();
        // A message written before the merge moved; one written after it may still name the
        // absorbed id, but nothing is lost: both lists together hold every message.
        assert_eq!(
            survivor.len() + orphan.len(),
            2,
            "contact {i}: nothing lost"
        );
        assert!(survivor.iter().any(|m| m.id.as_str() == format!("mx{i}")));
    }
}

/// Conversations: open lookup, agent lists, update, archive.
pub async fn conversations_lifecycle(s: Stores) {
    let mut c = conversation("cv1", "c1");
    s.conversations.create(&c).await.unwrap();
    assert!(matches!(
        s.conversations.create(&c).await,
        Err(StoreError::Duplicate(_))
    ));
    let open = s
        .conversations
        .open_for_contact(&ContactId::new("c1"), &PhoneNumberId::new("pn1"))
        .await
        .unwrap();
    assert_eq!(open.unwrap().id, c.id);
    c.agent_id = Some(AgentId::new("ag1"));
    c.assigned_at = Some(5);
    s.conversations.update(&c).await.unwrap();
    assert_eq!(
        s.conversations
            .list_open_by_agent(&AgentId::new("ag1"))
            .await
            .unwrap()
            .len(),
        1
    );
    c.status = ConversationStatus::Closed;
    c.closed_at = Some(10);
    s.conversations.update(&c).await.unwrap();
    assert!(s.conversations.list_open().await.unwrap().is_empty());
    assert!(
        s.conversations
            .open_for_contact(&ContactId::new("c1"), &PhoneNumberId::new("pn1"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(s.conversations.archive_closed_before(11).await.unwrap(), 1);
    assert_eq!(
        s.conversations.get(&c.id).await.unwrap().unwrap().status,
        ConversationStatus::Archived
    );
    assert!(matches!(
        s.conversations.update(&conversation("nope", "c1")).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Messages: idempotent recording, monotone statuses, pending statuses, retention.
pub async fn messages_idempotent_and_monotone(s: Stores) {
    let m = message("wamid.1", "cv1", "c1", Direction::Inbound, 1);
    assert_eq!(s.messages.record_inbound(&m).await.unwrap(), Recorded::New);
    assert_eq!(
        s.messages.record_inbound(&m).await.unwrap(),
        Recorded::Duplicate
    );
    // Statuses before their message are kept, then applied in order.
    assert_eq!(
        s.messages
            .apply_status(&status("wamid.2", MessageStatus::Delivered, 20))
            .await
            .unwrap(),
        StatusApplied::Pending
    );
    assert!(matches!(
        s.messages
            .apply_status(&status("wamid.2", MessageStatus::Delivered, 20))
            .await
            .unwrap(),
        StatusApplied::Ignored(_)
    ));
    assert_eq!(
        s.messages
            .apply_status(&status("wamid.2", MessageStatus::Sent, 10))
            .await
            .unwrap(),
        StatusApplied::Pending
    );
    assert_eq!(s.messages.pending_statuses().await.unwrap().len(), 2);
    s.messages
        .record_outbound(&message("wamid.2", "cv1", "c1", Direction::Outbound, 5))
        .await
        .unwrap();
    assert!(s.messages.pending_statuses().await.unwrap().is_empty());
    let got = s
        .messages
        .get_message(&MessageId::new("wamid.2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.status, Some(MessageStatus::Delivered));
    assert_eq!(got.status_times.get("sent"), Some(&10));
    assert_eq!(
        s.messages
            .apply_status(&status("wamid.2", MessageStatus::Read, 30))
            .await
            .unwrap(),
        StatusApplied::Applied
    );
    assert!(matches!(
        s.messages
            .apply_status(&status("wamid.2", MessageStatus::Delivered, 40))
            .await
            .unwrap(),
        StatusApplied::Ignored(_)
    ));
    assert_eq!(
        s.messages
            .get_message(&MessageId::new("wamid.2"))
            .await
            .unwrap()
            .unwrap()
            .status,
        Some(MessageStatus::Read)
    );
    let mut failed = status("wamid.2", MessageStatus::Failed, 50);
    failed.error = Some(crate::Error::validation("x", "y").details());
    assert_eq!(
        s.messages.apply_status(&failed).await.unwrap(),
        StatusApplied::Applied
    );
    assert!(matches!(
        s.messages
            .apply_status(&status("wamid.2", MessageStatus::Played, 60))
            .await
            .unwrap(),
        StatusApplied::Ignored(_)
    ));
    let got = s
        .messages
        .get_message(&MessageId::new("wamid.2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.status, Some(MessageStatus::Failed));
    assert!(got.error.is_some());
    assert_eq!(
        s.messages
            .list_for_conversation(&ConversationId::new("cv1"))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(s.messages.purge_bodies_before(3).await.unwrap(), 1);
    let purged = s
        .messages
        .get_message(&MessageId::new("wamid.1"))
        .await
        .unwrap()
        .unwrap();
    assert!(purged.body.is_null(), "body purged, record kept");
}

/// Outbox: unique keys, lane order, lease rules, every transition, stats.
pub async fn outbox_lifecycle(s: Stores) {
    let o = &s.outbox;
    assert_eq!(
        o.enqueue(&outbox_item("i1", "k1", Lane::Marketing, 0))
            .await
            .unwrap(),
        Enqueued::New
    );
    assert_eq!(
        o.enqueue(&outbox_item("i1b", "k1", Lane::Marketing, 0))
            .await
            .unwrap(),
        Enqueued::Duplicate
    );
    o.enqueue(&outbox_item("i2", "k2", Lane::Reply, 5))
        .await
        .unwrap();
    o.enqueue(&outbox_item("i3", "k3", Lane::Notification, 1000))
        .await
        .unwrap();
    let got = o.claim("w1", 10, 100, 10).await.unwrap();
    assert_eq!(
        got.iter().map(|l| l.item.id.as_str()).collect::<Vec<_>>(),
        ["i2", "i1"],
        "lane order; future items wait"
    );
    assert!(
        o.claim("w2", 20, 100, 10).await.unwrap().is_empty(),
        "leased items are not claimed twice"
    );
    let (a, b) = (&got[0], &got[1]);
    assert_eq!(a.item.attempts, 1);
    o.complete(&a.lease, &MessageId::new("wamid.x"), 30)
        .await
        .unwrap();
    let stale = LeaseToken {
        until: a.lease.until + 1,
        ..a.lease.clone()
    };
    assert!(matches!(
        o.complete(&stale, &MessageId::new("wamid.y"), 30).await,
        Err(StoreError::LeaseLost(_))
    ));
    o.retry_later(
        &b.lease,
        50,
        &crate::Error::validation("x", "transient").details(),
    )
    .await
    .unwrap();
    assert!(
        o.claim("w1", 40, 100, 10).await.unwrap().is_empty(),
        "retry waits for its time"
    );
    let again = o.claim("w1", 60, 100, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].item.attempts, 2);
    o.defer(&again[0].lease, 500, "quiet hours in Asia/Tokyo")
        .await
        .unwrap();
    let deferred = o.get_item("i1").await.unwrap().unwrap();
    assert_eq!(
        deferred.state,
        OutboxState::Deferred {
            reason: "quiet hours in Asia/Tokyo".into()
        }
    );
    assert!(deferred.history.iter().any(|h| h.contains("quiet hours")));
    let later = o.claim("w1", 600, 100, 10).await.unwrap();
    assert_eq!(later.len(), 1);
    o.park(&later[0].lease, "template rejected", None)
        .await
        .unwrap();
    assert_eq!(
        o.list_by_state(OutboxStateKind::Parked, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    // Crash recovery: an expired lease comes back.
    let i3 = o.claim("w-dead", 2000, 100, 10).await.unwrap();
    assert_eq!(i3.len(), 1);
    assert_eq!(o.release_expired(2050).await.unwrap(), 0, "not expired yet");
    assert_eq!(o.release_expired(2200).await.unwrap(), 1);
    let re = o.claim("w-new", 2200, 100, 10).await.unwrap();
    assert_eq!(re[0].item.id, "i3");
    assert!(matches!(
        o.complete(&i3[0].lease, &MessageId::new("wamid.z"), 2300)
            .await,
        Err(StoreError::LeaseLost(_))
    ));
    o.complete(&re[0].lease, &MessageId::new("wamid.z"), 2300)
        .await
        .unwrap();
    let st = o.stats().await.unwrap();
    assert_eq!((st.sent, st.parked, st.pending()), (2, 1, 0));
    assert_eq!(
        o.get_by_key(&IdempotencyKey::new("k3"))
            .await
            .unwrap()
            .unwrap()
            .id,
        "i3"
    );
}

/// N workers claiming at once never hold the same item.
pub async fn outbox_never_double_claims(s: Stores) {
    for i in 0..200 {
        s.outbox
            .enqueue(&outbox_item(
                &format!("n{i:03}"),
                &format!("nk{i}"),
                Lane::Marketing,
                0,
            ))
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..8 {
        let st = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = st
                    .outbox
                    .claim(&format!("w{w}"), 10, 60_000, 7)
                    .await
                    .expect("claim");
                if got.is_empty() {
                    return mine;
                }
                for l in got {
                    st.outbox
                        .complete(
                            &l.lease,
                            &MessageId::new(format!("wamid.{}", l.item.id)),
                            11,
                        )
                        .await
                        .expect("complete");
                    mine.push(l.item.id);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 200, "every item claimed exactly once");
    assert_eq!(unique.len(), 200, "no item claimed twice");
    assert_eq!(s.outbox.stats().await.unwrap().sent, 200);
}

/// Audit log is append-only and ordered.
pub async fn audit_append_only(s: Stores) {
    let e = |a: &str| AuditEntry {
        details: serde_json::json!({"n": 1}),
        ..AuditEntry::new(1, "agent:ana", a, "contact:c1")
    };
    let s1 = s.audit.append(&e("send")).await.unwrap();
    let s2 = s.audit.append(&e("export")).await.unwrap();
    assert!(s2 > s1);
    let all = s.audit.list(0, 10).await.unwrap();
    assert_eq!(
        all.iter().map(|x| x.action.as_str()).collect::<Vec<_>>(),
        ["send", "export"]
    );
    assert_eq!(s.audit.list(s1, 10).await.unwrap().len(), 1);
}

/// Agents and sync state.
pub async fn agents_and_sync_state(s: Stores) {
    let a = Agent {
        id: AgentId::new("ag1"),
        name: "Ana".into(),
        presence: Presence::Online,
        capacity: 7,
        skills: ["ja".to_string()].into_iter().collect(),
        teams: Default::default(),
        updated_at: 0,
    };
    s.agents.upsert_agent(&a).await.unwrap();
    s.agents
        .set_presence(&a.id, Presence::Offline, 9)
        .await
        .unwrap();
    let got = s.agents.get_agent(&a.id).await.unwrap().unwrap();
    assert_eq!((got.presence, got.updated_at), (Presence::Offline, 9));
    assert_eq!(s.agents.list_agents().await.unwrap().len(), 1);
    assert!(matches!(
        s.agents
            .set_presence(&AgentId::new("none"), Presence::Online, 1)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(
        s.sync
            .get_cursor("hubspot", "contacts")
            .await
            .unwrap()
            .is_none()
    );
    s.sync
        .set_cursor("hubspot", "contacts", "c1")
        .await
        .unwrap();
    s.sync
        .set_cursor("hubspot", "contacts", "c2")
        .await
        .unwrap();
    assert_eq!(
        s.sync
            .get_cursor("hubspot", "contacts")
            .await
            .unwrap()
            .as_deref(),
        Some("c2")
    );
    s.sync
        .park_push(&ParkedPush {
            id: "p1".into(),
            connector: "hubspot".into(),
            key: "c1".into(),
            payload: serde_json::json!({}),
            error: "429".into(),
            attempts: 3,
            at: 1,
        })
        .await
        .unwrap();
    assert_eq!(s.sync.list_parked("hubspot").await.unwrap().len(), 1);
    s.sync
        .record_discrepancy(&Discrepancy {
            id: "d1".into(),
            connector: "hubspot".into(),
            key: "c1".into(),
            field: "email".into(),
            local: serde_json::json!("a@x"),
            remote: serde_json::json!("b@x"),
            resolution: "remote".into(),
            at: 1,
        })
        .await
        .unwrap();
    assert_eq!(
        s.sync.list_discrepancies("hubspot").await.unwrap()[0].field,
        "email"
    );
}

/// Concurrent appends form one verifiable chain; checkpoints and prefix purge.
pub async fn audit_hash_chain(s: Stores) {
    use crate::access::audit::{checkpoint_head, verify};
    let mut tasks = Vec::new();
    for t in 0..8 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                let mut e = AuditEntry::new(i, format!("user:u{t}"), "send", format!("c{i}"));
                e.client_id = Some(format!("app-{t}"));
                e.details = serde_json::json!({"t": t, "i": i});
                s.audit.append(&e).await.expect("append");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let key = b"retention-key";
    let r = verify(s.audit.as_ref(), Some(key)).await.unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!((r.entries, r.last_seq), (80, 80));
    let all = s.audit.list(0, 1000).await.unwrap();
    assert_eq!(all.len(), 80);
    assert_eq!(all[0].prev_hash, crate::access::chain::GENESIS);
    assert!(
        all.windows(2)
            .all(|w| w[1].prev_hash == w[0].hash && w[1].seq == w[0].seq + 1)
    );
    assert_eq!(s.audit.last().await.unwrap().unwrap().seq, 80);

    let head = checkpoint_head(s.audit.as_ref(), Some(key), 99)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((head.seq, head.kind), (80, CheckpointKind::Head));
    assert_eq!(s.audit.checkpoints().await.unwrap(), vec![head]);

    // A purge must name an entry by its exact hash.
    let mut bad = AuditCheckpoint {
        seq: 30,
        hash: all[0].hash.clone(),
        at: 100,
        kind: CheckpointKind::Purge,
        signature: None,
    };
    assert!(s.audit.purge_through(&bad).await.is_err());
    assert_eq!(s.audit.list(0, 1000).await.unwrap().len(), 80);
    bad.hash = all[29].hash.clone();
    bad.signature = Some(crate::access::chain::sign_checkpoint(&bad, key));
    assert_eq!(s.audit.purge_through(&bad).await.unwrap(), 30);
    let rest = s.audit.list(0, 1000).await.unwrap();
    assert_eq!(rest.first().map(|e| e.seq), Some(31));
    let seq = s
        .audit
        .append(&AuditEntry::new(5, "user:u0", "export", "contacts"))
        .await
        .unwrap();
    assert_eq!(seq, 81);
    let r = verify(s.audit.as_ref(), Some(key)).await.unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!((r.entries, r.checkpoints), (51, 2));
}

/// Users, custom roles and memberships.
pub async fn access_records(s: Stores) {
    use crate::access::{Membership, PermissionSet, Role, Scope, User};
    let u = User {
        id: "ana".into(),
        name: "Ana".into(),
        agent_id: Some(AgentId::new("ag1")),
        disabled: false,
        created_at: 3,
    };
    s.access.upsert_user(&u).await.unwrap();
    assert_eq!(s.access.get_user("ana").await.unwrap(), Some(u.clone()));
    assert_eq!(s.access.get_user("bob").await.unwrap(), None);
    let mut u2 = u.clone();
    u2.disabled = true;
    s.access.upsert_user(&u2).await.unwrap();
    assert!(s.access.get_user("ana").await.unwrap().unwrap().disabled);
    assert_eq!(s.access.list_users().await.unwrap().len(), 1);

    let r = Role::custom(
        "campaigner",
        PermissionSet::parse_list("broadcast,view_reports").unwrap(),
        "runs campaigns",
    )
    .unwrap();
    s.access.upsert_role(&r).await.unwrap();
    assert_eq!(
        s.access.get_role("campaigner").await.unwrap(),
        Some(r.clone())
    );
    assert_eq!(s.access.list_roles().await.unwrap(), vec![r]);

    let m = Membership {
        user_id: "ana".into(),
        role: "agent".into(),
        scope: Scope {
            teams: ["sales".to_string()].into(),
            numbers: [PhoneNumberId::new("pn1")].into(),
        },
    };
    s.access.grant(&m).await.unwrap();
    s.access.grant(&m).await.unwrap();
    s.access
        .grant(&Membership {
            user_id: "ana".into(),
            role: "campaigner".into(),
            scope: Scope::all(),
        })
        .await
        .unwrap();
    let ms = s.access.memberships("ana").await.unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0], m);
    assert!(s.access.revoke("ana", "campaigner").await.unwrap());
    assert!(!s.access.revoke("ana", "campaigner").await.unwrap());
    assert_eq!(s.access.memberships("ana").await.unwrap(), vec![m]);
    assert!(s.access.memberships("bob").await.unwrap().is_empty());
}

/// Lookups follow a record's current fields: after an update changes a
/// number, an agent or a status, finding by the new value works and by the old
/// one does not (SQL adapters keep these in key columns next to the document).
pub async fn key_columns_follow_updates(s: Stores) {
    let c = s
        .contacts
        .upsert(&contact("kc1", "+819011110000"), None)
        .await
        .unwrap();
    let mut moved = c.clone();
    moved.e164 = Some("+819022220000".parse().unwrap());
    moved.wa_id = Some("819022220000".parse().unwrap());
    moved.bsuid = Some("JP.kc1".parse().unwrap());
    s.contacts.upsert(&moved, Some(c.version)).await.unwrap();
    let by = |v: Option<Contact>| v.map(|c| c.id.0);
    assert_eq!(
        by(s.contacts.find_by_e164("+819022220000").await.unwrap()).as_deref(),
        Some("kc1")
    );
    assert_eq!(
        by(s.contacts.find_by_wa_id("819022220000").await.unwrap()).as_deref(),
        Some("kc1")
    );
    assert_eq!(
        by(s.contacts.find_by_bsuid("JP.kc1").await.unwrap()).as_deref(),
        Some("kc1")
    );
    assert!(
        s.contacts
            .find_by_e164("+819011110000")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.contacts
            .find_by_wa_id("819011110000")
            .await
            .unwrap()
            .is_none()
    );

    let mut cv = conversation("kcv1", "kc1");
    s.conversations.create(&cv).await.unwrap();
    cv.agent_id = Some(AgentId::new("ag1"));
    s.conversations.update(&cv).await.unwrap();
    let of = |v: Vec<Conversation>| v.into_iter().map(|c| c.id.0).collect::<Vec<_>>();
    assert_eq!(
        of(s.conversations
            .list_open_by_agent(&AgentId::new("ag1"))
            .await
            .unwrap()),
        ["kcv1"]
    );
    cv.status = ConversationStatus::Closed;
    cv.closed_at = Some(5);
    s.conversations.update(&cv).await.unwrap();
    assert!(s.conversations.list_open().await.unwrap().is_empty());
    assert!(
        s.conversations
            .list_open_by_agent(&AgentId::new("ag1"))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Policy history: admission reads the recipient's window, replaces an
/// item's own record, and concurrent admissions never pass a cap of one.
pub async fn policy_history_admits_atomically(s: Stores) {
    let p = &s.policy;
    let send = |item: &str, at: i64| PolicySend {
        recipient: "+819012345678".into(),
        item_id: item.into(),
        at,
        marketing: true,
        content_hash: 7,
        promotion: false,
        event_key: Some("order-1".into()),
    };
    let cap_one = |h: &[PolicySend]| h.iter().filter(|x| x.marketing).count() < 1;
    assert!(p.admit_send(&send("a", 100), 0, &cap_one).await.unwrap());
    assert!(
        !p.admit_send(&send("b", 110), 0, &cap_one).await.unwrap(),
        "a second marketing send is refused by the cap"
    );
    assert!(
        p.admit_send(&send("a", 120), 0, &cap_one).await.unwrap(),
        "an item does not count against itself (retry)"
    );
    let got = p.sends_since("+819012345678", 0).await.unwrap();
    assert_eq!(got, vec![send("a", 120)], "the retry replaced the record");
    assert!(
        p.admit_send(&send("c", 130), 121, &cap_one).await.unwrap(),
        "sends before `since` are out of the window"
    );
    assert_eq!(
        p.sends_since("+819012345678", 125).await.unwrap(),
        vec![send("c", 130)]
    );
    assert!(p.forget_send("+819012345678", "c").await.unwrap());
    assert!(!p.forget_send("+819012345678", "c").await.unwrap());
    assert!(p.sends_since("+34600000000", 0).await.unwrap().is_empty());
    assert_eq!(p.prune_sends_before(121).await.unwrap(), 1);
    assert!(p.sends_since("+819012345678", 0).await.unwrap().is_empty());

    // Sixteen concurrent admissions for one recipient with a cap of one: one passes.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let p = p.clone();
        tasks.push(tokio::spawn(async move {
            let e = PolicySend {
                recipient: "+5511987654321".into(),
                item_id: format!("race-{i}"),
                at: 1_000 + i,
                marketing: true,
                ..Default::default()
            };
            p.admit_send(&e, 0, &|h: &[PolicySend]| h.is_empty())
                .await
                .unwrap()
        }));
    }
    let mut admitted = 0;
    for t in tasks {
        admitted += usize::from(t.await.unwrap());
    }
    assert_eq!(admitted, 1, "concurrent admissions passed a cap of one");
    assert_eq!(p.sends_since("+5511987654321", 0).await.unwrap().len(), 1);
}

/// Every check name, for reports.
pub const CHECKS: &[&str] = &[
    "contacts_crud_and_versions",
    "contacts_batched_lookups",
    "merge_keeps_all_history",
    "merge_atomic_under_concurrent_writes",
    "conversations_lifecycle",
    "messages_idempotent_and_monotone",
    "outbox_lifecycle",
    "outbox_never_double_claims",
    "outbox_enqueue_many",
    "outbox_batch_claims_never_overlap",
    "outbox_batch_complete_checks_leases",
    "audit_append_only",
    "agents_and_sync_state",
    "audit_hash_chain",
    "access_records",
    "range_listings_page_in_order",
    "key_columns_follow_updates",
    "policy_history_admits_atomically",
];

/// Keep the `Arc` import used when adapters build `Stores` by hand.
pub fn stores_of<A>(a: Arc<A>) -> Stores
where
    A: ContactStore
        + ConversationStore
        + MessageStore
        + OutboxStore
        + SyncStateStore
        + AuditLog
        + AgentStore
        + AccessStore
        + PolicyHistoryStore,
{
    Stores::from_adapter(a)
}

/// Range listings for analytics: messages between two times in
/// `(created_at, id)` order across pages, conversations by id across pages.
pub async fn range_listings_page_in_order(s: Stores) {
    let m = &s.messages;
    for (i, at) in [50i64, 10, 30, 30, 20, 70, 60].iter().enumerate() {
        let dir = if i % 2 == 0 {
            Direction::Inbound
        } else {
            Direction::Outbound
        };
        let rec = message(&format!("rl{i}"), "rl-conv", "rl-c", dir, *at);
        if dir == Direction::Inbound {
            m.record_inbound(&rec).await.unwrap();
        } else {
            m.record_outbound(&rec).await.unwrap();
        }
    }
    let mut seen = Vec::new();
    let mut page = PageRequest {
        limit: 2,
        after: None,
    };
    loop {
        let p = m.list_between(20, 70, &page).await.unwrap();
        assert!(p.items.len() <= 2, "a page holds at most `limit` items");
        seen.extend(p.items.iter().map(|x| (x.created_at, x.id.0.clone())));
        match p.next {
            Some(n) => page.after = Some(n),
            None => break,
        }
    }
    let want: Vec<(i64, String)> = vec![
        (20, "rl4".into()),
        (30, "rl2".into()),
        (30, "rl3".into()),
        (50, "rl0".into()),
        (60, "rl6".into()),
    ];
    assert_eq!(
        seen, want,
        "from inclusive, to exclusive, (created_at, id) order, no repeats"
    );

    let c = &s.conversations;
    for id in ["rl-b", "rl-a", "rl-c", "rl-d", "rl-e"] {
        c.create(&conversation(id, "rl-c")).await.unwrap();
    }
    let mut ids = Vec::new();
    let mut page = PageRequest {
        limit: 2,
        after: None,
    };
    loop {
        let p = c.list_all(&page).await.unwrap();
        ids.extend(p.items.iter().map(|x| x.id.0.clone()));
        match p.next {
            Some(n) => page.after = Some(n),
            None => break,
        }
    }
    assert_eq!(
        ids,
        ["rl-a", "rl-b", "rl-c", "rl-d", "rl-e"],
        "every conversation once, by id"
    );
}

/// The value of the environment variable `var`, or `None` after saying once
/// per test process that `suite` is skipped. Written to stderr directly, past
/// the test harness's capture, so a skipped suite is one visible line rather
/// than silence in every test.
pub fn env_or_skip(var: &str, suite: &str) -> Option<String> {
    if let Ok(v) = std::env::var(var)
        && !v.is_empty()
    {
        return Some(v);
    }
    static TOLD: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut told = TOLD.lock().unwrap_or_else(|p| p.into_inner());
    if !told.iter().any(|t| t == var) {
        told.push(var.to_string());
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: the {suite} suite (set {var} to run it)"
        );
    }
    None
}

/// Expand every conformance check into a `#[tokio::test]` for `$factory`, an
/// expression producing a future of a fresh, empty `Stores`; with `optional`,
/// a future of `Option<Stores>`, `None` skipping the test (a backend that is
/// not configured; see [`env_or_skip`]).
#[macro_export]
macro_rules! store_conformance_tests {
    (optional $factory:expr) => {
        $crate::store_conformance_tests!(@list [optional] $factory);
    };
    ($factory:expr) => {
        $crate::store_conformance_tests!(@list [] $factory);
    };
    (@list [$($opt:ident)?] $factory:expr) => {
        $crate::store_conformance_tests!(@one [$($opt)?] $factory,
            contacts_crud_and_versions, contacts_batched_lookups, merge_keeps_all_history,
            merge_atomic_under_concurrent_writes,
            conversations_lifecycle, messages_idempotent_and_monotone, outbox_lifecycle,
            outbox_never_double_claims, outbox_enqueue_many, outbox_batch_claims_never_overlap,
            outbox_batch_complete_checks_leases, audit_append_only, agents_and_sync_state,
            audit_hash_chain, access_records, range_listings_page_in_order,
            key_columns_follow_updates, policy_history_admits_atomically,
            retention_purges_archived_conversations, status_batches_match_one_at_a_time,
            concurrent_status_batches_lose_nothing,
            sync_cursors_listed_by_namespace);
    };
    (@one [] $factory:expr, $($check:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let stores = $factory.await;
                $crate::store::conformance::$check(stores).await;
            }
        )*
    };
    (@one [optional] $factory:expr, $($check:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let Some(stores) = $factory.await else { return };
                $crate::store::conformance::$check(stores).await;
            }
        )*
    };
}
