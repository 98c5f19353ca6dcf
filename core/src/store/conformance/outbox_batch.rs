//! Conformance of the outbox's batch methods: multi-row enqueue, claims of a
//! whole batch by concurrent workers, and batch completion with lease checks.

use std::collections::HashSet;

use super::outbox_item;
use crate::ids::{IdempotencyKey, MessageId};
use crate::store::*;

/// `enqueue_many`: one answer per item, duplicates of stored and of earlier
/// keys in the same call, an item id reused under a new key refused; the
/// stored items read back as enqueued.
pub async fn outbox_enqueue_many(s: Stores) {
    let o = &s.outbox;
    o.enqueue(&outbox_item("em0", "emk0", Lane::Reply, 0))
        .await
        .unwrap();
    let mut items: Vec<OutboxItem> = (1..=700)
        .map(|i| outbox_item(&format!("em{i}"), &format!("emk{i}"), Lane::Marketing, 5))
        .collect();
    // An existing key, and keys repeated inside the call (far apart and near).
    items.push(outbox_item("em-dup-old", "emk0", Lane::Marketing, 5));
    items.push(outbox_item("em-dup-new", "emk3", Lane::Marketing, 5));
    items.push(outbox_item("em-dup-near", "emk600", Lane::Marketing, 5));
    let got = o.enqueue_many(&items).await.unwrap();
    assert_eq!(got.len(), items.len(), "one answer per item");
    assert!(got[..700].iter().all(|e| *e == Enqueued::New));
    assert_eq!(got[700..], [Enqueued::Duplicate; 3]);
    assert_eq!(o.stats().await.unwrap().queued, 701);
    let back = o
        .get_by_key(&IdempotencyKey::new("emk650"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back, items[649], "stored as given");
    assert!(o.get_item("em-dup-new").await.unwrap().is_none());
    // An id reused under another key is an error, as with `enqueue`; the
    // items before it are stored.
    let clash = vec![
        outbox_item("em-fresh", "emk-fresh", Lane::Marketing, 5),
        outbox_item("em1", "emk-other", Lane::Marketing, 5),
    ];
    assert!(matches!(
        o.enqueue_many(&clash).await,
        Err(StoreError::Duplicate(_))
    ));
    assert!(o.get_item("em-fresh").await.unwrap().is_some());
    assert_eq!(o.enqueue_many(&[]).await.unwrap(), Vec::<Enqueued>::new());
}

/// Eight workers claiming batches and completing them with `complete_many`
/// never hold the same item; every item is sent once; claims come in claim
/// order.
pub async fn outbox_batch_claims_never_overlap(s: Stores) {
    let items: Vec<OutboxItem> = (0..600)
        .map(|i| {
            let lane = [Lane::Marketing, Lane::Notification, Lane::Reply][i % 3];
            outbox_item(
                &format!("bc{i:04}"),
                &format!("bck{i}"),
                lane,
                (i % 7) as i64,
            )
        })
        .collect();
    s.outbox.enqueue_many(&items).await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let st = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = st
                    .outbox
                    .claim(&format!("bw{w}"), 10, 60_000, 25)
                    .await
                    .expect("claim");
                if got.is_empty() {
                    return mine;
                }
                let keys: Vec<_> = got
                    .iter()
                    .map(|l| (l.item.lane, l.item.not_before, l.item.id.clone()))
                    .collect();
                assert!(keys.is_sorted(), "a batch comes in claim order");
                let done: Vec<(LeaseToken, MessageId)> = got
                    .iter()
                    .map(|l| {
                        (
                            l.lease.clone(),
                            MessageId::new(format!("wamid.{}", l.item.id)),
                        )
                    })
                    .collect();
                let ok = st.outbox.complete_many(&done, 11).await.expect("complete");
                assert!(ok.iter().all(|b| *b), "own leases complete");
                mine.extend(got.into_iter().map(|l| l.item.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "no item claimed twice");
    assert_eq!(all.len(), 600, "every item claimed");
    let st = s.outbox.stats().await.unwrap();
    assert_eq!((st.sent, st.pending()), (600, 0));
    let one = s.outbox.get_item("bc0042").await.unwrap().unwrap();
    assert_eq!(
        one.state,
        OutboxState::Sent {
            message_id: MessageId::new("wamid.bc0042")
        }
    );
    assert_eq!((one.attempts, one.updated_at), (1, 11));
}

/// A batch completion honours leases item by item: a lease that expired and
/// was claimed again by another worker is refused (left with the new
/// holder), the others in the same batch complete; a crashed worker's items
/// come back one by one.
pub async fn outbox_batch_complete_checks_leases(s: Stores) {
    let o = &s.outbox;
    let items: Vec<OutboxItem> = (0..4)
        .map(|i| outbox_item(&format!("bl{i}"), &format!("blk{i}"), Lane::Notification, 0))
        .collect();
    o.enqueue_many(&items).await.unwrap();
    let old = o.claim("w-slow", 100, 50, 10).await.unwrap();
    assert_eq!(old.len(), 4);
    // Two of them: their lease expires and another worker claims them.
    let retaken = o.claim("w-new", 150, 1_000, 2).await.unwrap();
    assert_eq!(
        retaken
            .iter()
            .map(|l| l.item.id.as_str())
            .collect::<Vec<_>>(),
        ["bl0", "bl1"],
        "expired leases are claimed again, in claim order"
    );
    assert_eq!(retaken[0].item.attempts, 2, "a reclaim is another attempt");
    let done: Vec<(LeaseToken, MessageId)> = old
        .iter()
        .map(|l| {
            (
                l.lease.clone(),
                MessageId::new(format!("wamid.old.{}", l.item.id)),
            )
        })
        .collect();
    let ok = o.complete_many(&done, 160).await.unwrap();
    assert_eq!(ok, [false, false, true, true], "lost leases are refused");
    let bl0 = o.get_item("bl0").await.unwrap().unwrap();
    assert_eq!(
        bl0.state,
        OutboxState::Leased {
            worker: "w-new".into(),
            until: 1_150
        },
        "a refused completion leaves the new holder's lease"
    );
    assert!(matches!(
        o.complete(&old[0].lease, &MessageId::new("wamid.x"), 170)
            .await,
        Err(StoreError::LeaseLost(_))
    ));
    // A token for an item that does not exist is refused, not an error.
    let ghost = LeaseToken {
        item_id: "bl-none".into(),
        ..old[0].lease.clone()
    };
    let ok = o
        .complete_many(
            &[
                (ghost, MessageId::new("wamid.g")),
                (retaken[1].lease.clone(), MessageId::new("wamid.bl1")),
            ],
            180,
        )
        .await
        .unwrap();
    assert_eq!(ok, [false, true]);
    // The new holder crashes: its remaining lease comes back and is claimed once more.
    assert_eq!(o.release_expired(5_000).await.unwrap(), 1);
    let back = o.claim("w-3", 5_000, 100, 10).await.unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].item.id, "bl0");
    assert!(
        back[0]
            .item
            .history
            .iter()
            .any(|h| h.contains("lease expired")),
        "recovery is recorded on the item"
    );
    assert_eq!(
        o.complete_many(
            &[(back[0].lease.clone(), MessageId::new("wamid.bl0"))],
            5_010
        )
        .await
        .unwrap(),
        [true]
    );
    let st = o.stats().await.unwrap();
    assert_eq!((st.sent, st.pending()), (4, 0));
    let sent: Vec<String> = o
        .list_by_state(OutboxStateKind::Sent, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(sent, ["bl0", "bl1", "bl2", "bl3"]);
}
