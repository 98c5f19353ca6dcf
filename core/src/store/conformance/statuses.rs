//! Conformance of batched status application: a batch gives the answers the
//! same statuses give one at a time (applied, ignored with the same reason,
//! pending once), carries the contact of each applied message, and leaves
//! the same stored state, also past one statement's chunk of ids.

use super::{message, status};
use crate::ids::MessageId;
use crate::store::*;

async fn seeded(s: &Stores, prefix: &str) {
    for (i, contact) in [(1, "sc1"), (2, "sc2")] {
        let m = message(
            &format!("{prefix}.{i}"),
            "sconv",
            contact,
            Direction::Outbound,
            1,
        );
        s.messages.record_outbound(&m).await.unwrap();
    }
}

fn batch(prefix: &str) -> Vec<StatusUpdate> {
    let id = |n: u32| format!("{prefix}.{n}");
    vec![
        status(&id(1), MessageStatus::Delivered, 20),
        status(&id(1), MessageStatus::Sent, 10),
        status(&id(2), MessageStatus::Read, 30),
        status(&id(3), MessageStatus::Delivered, 15),
        status(&id(3), MessageStatus::Delivered, 15),
        status(&id(1), MessageStatus::Delivered, 20),
        status(&id(1), MessageStatus::Read, 40),
        status(&id(3), MessageStatus::Read, 50),
    ]
}

/// Batches answer and store exactly what one-at-a-time application does.
pub async fn status_batches_match_one_at_a_time(s: Stores) {
    // The reference: the same statuses, one call each, on a second message set.
    seeded(&s, "wamid.seq").await;
    let mut want = Vec::new();
    for u in batch("wamid.seq") {
        want.push(s.messages.apply_status(&u).await.unwrap());
    }
    seeded(&s, "wamid.bat").await;
    let got = s
        .messages
        .apply_statuses(&batch("wamid.bat"))
        .await
        .unwrap();
    let outcomes: Vec<StatusApplied> = got.iter().map(|a| a.outcome.clone()).collect();
    assert_eq!(outcomes, want);
    assert!(matches!(want[1], StatusApplied::Ignored(_)), "{want:?}");
    assert!(matches!(want[5], StatusApplied::Ignored(_)), "{want:?}");
    assert_eq!(
        want,
        vec![
            StatusApplied::Applied,
            outcomes[1].clone(),
            StatusApplied::Applied,
            StatusApplied::Pending,
            StatusApplied::Ignored("duplicate pending delivered".into()),
            outcomes[5].clone(),
            StatusApplied::Applied,
            StatusApplied::Pending,
        ]
    );
    let contacts: Vec<Option<&str>> = got
        .iter()
        .map(|a| a.contact_id.as_ref().map(|c| c.as_str()))
        .collect();
    assert_eq!(
        contacts,
        vec![
            Some("sc1"),
            None,
            Some("sc2"),
            None,
            None,
            None,
            Some("sc1"),
            None
        ]
    );
    for prefix in ["wamid.seq", "wamid.bat"] {
        let m1 = s
            .messages
            .get_message(&MessageId::new(format!("{prefix}.1")))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m1.status, Some(MessageStatus::Read), "{prefix}");
        let m2 = s
            .messages
            .get_message(&MessageId::new(format!("{prefix}.2")))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m2.status, Some(MessageStatus::Read), "{prefix}");
    }
    // Read before delivered: the late delivered is ignored, its time kept.
    seeded(&s, "wamid.ooo").await;
    s.messages
        .apply_statuses(&[
            status("wamid.ooo.1", MessageStatus::Read, 30),
            status("wamid.ooo.1", MessageStatus::Delivered, 20),
        ])
        .await
        .unwrap();
    let ooo = s
        .messages
        .get_message(&MessageId::new("wamid.ooo.1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ooo.status, Some(MessageStatus::Read));
    assert_eq!(ooo.status_times.get("delivered"), Some(&20), "{ooo:?}");
    let pending = s.messages.pending_statuses().await.unwrap();
    for prefix in ["wamid.seq", "wamid.bat"] {
        let mine: Vec<&StatusUpdate> = pending
            .iter()
            .filter(|p| p.message_id.as_str() == format!("{prefix}.3"))
            .collect();
        assert_eq!(
            mine.len(),
            2,
            "{prefix}: delivered and read once each: {pending:?}"
        );
    }
    // A later batch repeating a stored pending status: a duplicate, not pending.
    let again = s
        .messages
        .apply_statuses(&[status("wamid.bat.3", MessageStatus::Delivered, 15)])
        .await
        .unwrap();
    assert!(
        matches!(again[0].outcome, StatusApplied::Ignored(_)),
        "{again:?}"
    );
    // The message arrives: its pending statuses apply.
    let m3 = message("wamid.bat.3", "sconv", "sc1", Direction::Outbound, 1);
    s.messages.record_outbound(&m3).await.unwrap();
    let m3 = s
        .messages
        .get_message(&MessageId::new("wamid.bat.3"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m3.status, Some(MessageStatus::Read));
    // More distinct messages than one statement's chunk: every one applied.
    let many: Vec<StatusUpdate> = (0..450)
        .map(|i| status(&format!("wamid.many.{i}"), MessageStatus::Delivered, 5))
        .collect();
    for u in &many {
        let m = message(
            u.message_id.as_str(),
            "sconv",
            "sc1",
            Direction::Outbound,
            1,
        );
        s.messages.record_outbound(&m).await.unwrap();
    }
    let got = s.messages.apply_statuses(&many).await.unwrap();
    assert!(got.iter().all(|a| a.outcome == StatusApplied::Applied));
    let last = s
        .messages
        .get_message(&MessageId::new("wamid.many.449"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.status, Some(MessageStatus::Delivered));
    assert!(s.messages.apply_statuses(&[]).await.unwrap().is_empty());
}

/// Batches applied at the same time to the same messages (each status
/// delivered twice, by different callers): nothing is lost and nothing is
/// applied twice, whatever the interleaving.
pub async fn concurrent_status_batches_lose_nothing(s: Stores) {
    const MESSAGES: usize = 40;
    const CALLERS: usize = 6;
    let id = |i: usize| format!("wamid.race.{i}");
    for i in 0..MESSAGES {
        let m = message(&id(i), "sconv", "sc1", Direction::Outbound, 1);
        s.messages.record_outbound(&m).await.unwrap();
    }
    // Every message's six deliveries (sent, delivered, read, twice each) go
    // to six callers, who all walk the messages in the same order, so the
    // same message is being applied by several of them at once.
    let kinds = [
        (MessageStatus::Sent, 10),
        (MessageStatus::Delivered, 20),
        (MessageStatus::Read, 30),
    ];
    let mut tasks = Vec::new();
    for caller in 0..CALLERS {
        let s = s.clone();
        let (kind, at) = kinds[(caller + caller / 3) % 3];
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for i in 0..MESSAGES {
                let batch = vec![status(&id(i), kind, at)];
                let a = s.messages.apply_statuses(&batch).await.unwrap();
                got.push((i, kind, a[0].outcome.clone()));
            }
            got
        }));
    }
    let mut applied = std::collections::HashMap::new();
    for t in tasks {
        for (i, kind, outcome) in t.await.unwrap() {
            if outcome == StatusApplied::Applied {
                *applied.entry((i, kind.as_str())).or_insert(0) += 1;
            }
        }
    }
    for i in 0..MESSAGES {
        let m = s
            .messages
            .get_message(&MessageId::new(id(i)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.status, Some(MessageStatus::Read), "{m:?}");
        for (kind, at) in kinds {
            assert_eq!(
                m.status_times.get(kind.as_str()),
                Some(&at),
                "{} lost: {m:?}",
                kind.as_str()
            );
            let n = applied.get(&(i, kind.as_str())).copied().unwrap_or(0);
            assert!(n <= 1, "{} applied {n} times to {}", kind.as_str(), id(i));
        }
        assert_eq!(applied.get(&(i, "read")), Some(&1), "read of {}", id(i));
    }
}
