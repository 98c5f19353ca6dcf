//! Conformance of the contacts' batched look-ups and writes: `get_many`,
//! `find_many_by_e164` and `upsert_many` over more keys than one query binds.

use std::collections::BTreeMap;

use super::contact;
use crate::ids::ContactId;
use crate::store::*;

/// `get_many` returns exactly the stored contacts among the ids (missing and
/// repeated ids included); `find_many_by_e164` returns, per number, the
/// contact `find_by_e164` returns; `upsert_many` versions a contact repeated
/// in one call as if written one after the other.
pub async fn contacts_batched_lookups(s: Stores) {
    let c = &s.contacts;
    let all: Vec<Contact> = (0..1_203)
        .map(|i| contact(&format!("b{i:04}"), &format!("+4477009{i:05}")))
        .collect();
    let stored = c.upsert_many(&all).await.unwrap();
    assert!(stored.iter().all(|x| x.version == 1 && x.created_at > 0));
    // A second holder of a number: the lowest id is the one found.
    c.upsert(&contact("a-first", "+447700900007"), None)
        .await
        .unwrap();
    let mut ids: Vec<ContactId> = (0..1_203)
        .rev()
        .map(|i| ContactId::new(format!("b{i:04}")))
        .collect();
    ids.push(ContactId::new("missing"));
    ids.push(ContactId::new("b0001"));
    let got: BTreeMap<String, Contact> = c
        .get_many(&ids)
        .await
        .unwrap()
        .into_iter()
        .map(|x| (x.id.0.clone(), x))
        .collect();
    assert_eq!(got.len(), 1_203);
    assert!(!got.contains_key("missing"));
    assert_eq!(got["b0042"].e164.as_deref(), Some("+447700900042"));
    assert!(c.get_many(&[]).await.unwrap().is_empty());

    let mut phones: Vec<String> = (0..1_203).map(|i| format!("+4477009{i:05}")).collect();
    phones.push("+447700999999".into());
    phones.push("+447700900007".into());
    let by_phone: BTreeMap<String, String> = c
        .find_many_by_e164(&phones)
        .await
        .unwrap()
        .into_iter()
        .map(|x| (x.e164.clone().unwrap().into(), x.id.0))
        .collect();
    assert_eq!(by_phone.len(), 1_203, "one contact per number held");
    assert_eq!(by_phone["+447700900007"], "a-first");
    assert_eq!(by_phone["+447700900008"], "b0008");
    for p in ["+447700900007", "+447700900500"] {
        let one = c.find_by_e164(p).await.unwrap().unwrap();
        assert_eq!(by_phone[p], one.id.0, "same answer as find_by_e164");
    }

    let mut again = got["b0003"].clone();
    again.city = Some("Leeds".into());
    let mut twice = again.clone();
    twice.city = Some("York".into());
    let out = c
        .upsert_many(&[again, contact("b-new", "+447700888888"), twice])
        .await
        .unwrap();
    assert_eq!(out.iter().map(|x| x.version).collect::<Vec<_>>(), [2, 1, 3]);
    let back = c.get(&ContactId::new("b0003")).await.unwrap().unwrap();
    assert_eq!((back.version, back.city.as_deref()), (3, Some("York")));
    assert_eq!(
        back.created_at, got["b0003"].created_at,
        "creation time kept"
    );
}
