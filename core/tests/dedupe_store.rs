//! Dedupe through a store: find duplicates among stored contacts, execute the
//! merge plan, and check that every conversation and message survives on the
//! surviving contact. Runs on the in-memory store and on SQLite.

use std::collections::HashSet;

use wacrm::contacts::dedupe::{self, DedupeConfig, ReviewDecision, ReviewQueue};
use wacrm::contacts::{ImportSpec, import_into_store};
use wacrm::ids::ContactId;
use wacrm::store::conformance::{conversation, message};
use wacrm::store::{Direction, Stores};

async fn seeded(stores: &Stores) -> Vec<(String, String)> {
    let mut csv = Vec::new();
    let truth = dedupe::synth::write_csv(1_500, 11, &mut csv).unwrap();
    let spec = ImportSpec {
        id_column: Some("id".into()),
        ..Default::default()
    }
    .with_maps(dedupe::synth::MAPS)
    .unwrap();
    let report = import_into_store(&csv[..], &spec, stores.contacts.as_ref())
        .await
        .unwrap();
    assert!(report.bad_rows.is_empty());
    // Every contact has a conversation with an inbound and an outbound message.
    for i in 0..1_500 {
        let id = format!("c{i:07}");
        let cv = format!("cv-{id}");
        stores
            .conversations
            .create(&conversation(&cv, &id))
            .await
            .unwrap();
        stores
            .messages
            .record_inbound(&message(
                &format!("in-{id}"),
                &cv,
                &id,
                Direction::Inbound,
                1,
            ))
            .await
            .unwrap();
        stores
            .messages
            .record_outbound(&message(
                &format!("out-{id}"),
                &cv,
                &id,
                Direction::Outbound,
                2,
            ))
            .await
            .unwrap();
    }
    truth
}

async fn merge_keeps_history(stores: Stores) {
    let truth = seeded(&stores).await;
    let result = dedupe::dedupe_store(stores.contacts.as_ref(), &DedupeConfig::default())
        .await
        .unwrap();
    let q = dedupe::evaluate(
        result.pairs.iter().map(|p| (p.a.as_str(), p.b.as_str())),
        truth.iter().map(|(a, b)| (a.as_str(), b.as_str())),
    );
    assert!(q.precision > 0.95 && q.recall > 0.6, "{q:?}");
    assert!(!result.plan.is_empty());
    let report = dedupe::execute_plan(&result.plan, stores.contacts.as_ref())
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.merged as usize, result.plan.len());

    let left = dedupe::load_all(stores.contacts.as_ref()).await.unwrap();
    assert_eq!(left.len(), 1_500 - result.plan.len());
    let alive: HashSet<String> = left.iter().map(|c| c.id.0.clone()).collect();
    // Every message and conversation of every original contact is still there,
    // now on a contact that exists.
    let mut messages = 0;
    let mut conversations = 0;
    for c in &left {
        let convs = stores.conversations.list_for_contact(&c.id).await.unwrap();
        conversations += convs.len();
        let msgs = stores.messages.list_for_contact(&c.id).await.unwrap();
        messages += msgs.len();
        for m in msgs {
            assert!(alive.contains(&m.contact_id.unwrap().0));
        }
    }
    assert_eq!(conversations, 1_500);
    assert_eq!(messages, 3_000);
    for step in &result.plan {
        assert!(!alive.contains(&step.absorbed));
        assert!(alive.contains(&step.survivor));
        let msgs = stores
            .messages
            .list_for_contact(&ContactId::new(step.survivor.clone()))
            .await
            .unwrap();
        let ids: HashSet<String> = msgs.iter().map(|m| m.id.0.clone()).collect();
        assert!(ids.contains(&format!("in-{}", step.absorbed)));
        assert!(ids.contains(&format!("out-{}", step.absorbed)));
    }
}

#[tokio::test]
async fn merge_plan_keeps_history_in_memory() {
    merge_keeps_history(Stores::memory()).await;
}

#[tokio::test]
async fn merge_plan_keeps_history_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let stores = Stores::sqlite(dir.path().join("w.db")).await.unwrap();
    merge_keeps_history(stores).await;
}

#[tokio::test]
async fn review_queue_merges_or_remembers_distinct_pairs() {
    let stores = Stores::memory();
    seeded(&stores).await;
    // A high threshold sends more pairs to review.
    let cfg = DedupeConfig {
        threshold: 0.999_999,
        review_threshold: 0.3,
        ..Default::default()
    };
    let result = dedupe::dedupe_store(stores.contacts.as_ref(), &cfg)
        .await
        .unwrap();
    let mut q = ReviewQueue::from_result(&result, Vec::new());
    assert!(q.pending.len() >= 2, "{}", q.pending.len());
    let first = q.pending[0].clone();
    let merged = q
        .decide(
            &first.b,
            &first.a,
            ReviewDecision::Merge,
            stores.contacts.as_ref(),
        )
        .await
        .unwrap()
        .expect("merged contact");
    assert_eq!(merged.id.0, first.a);
    assert!(
        stores
            .contacts
            .get(&ContactId::new(first.b.clone()))
            .await
            .unwrap()
            .is_none()
    );
    let second = q.pending[0].clone();
    let none = q
        .decide(
            &second.a,
            &second.b,
            ReviewDecision::Distinct,
            stores.contacts.as_ref(),
        )
        .await
        .unwrap();
    assert!(none.is_none());
    assert_eq!(q.distinct, vec![(second.a.clone(), second.b.clone())]);
    // A later queue skips the pair judged distinct.
    let again = ReviewQueue::from_result(&result, q.distinct.clone());
    assert!(
        !again
            .pending
            .iter()
            .any(|p| p.a == second.a && p.b == second.b)
    );
    // Deciding a pair that is not pending is a clear error.
    assert!(
        q.decide(
            "nope",
            "none",
            ReviewDecision::Merge,
            stores.contacts.as_ref()
        )
        .await
        .is_err()
    );
}
