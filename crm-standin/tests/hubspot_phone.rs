//! Phone as a HubSpot identity fallback: a record with no e-mail and no
//! known CRM id is matched by `phone` (HubSpot cannot upsert by it, so the
//! connector searches) — one match is updated, several are `MultipleMatches`,
//! none creates, and a record already holding the wacrm id wins over phone.

use wacrm::crm::{CrmConnector, HubSpotConfig, HubSpotConnector, UpsertInput, UpsertOutcome};
use wacrm_crm_standin::{Standin, StandinConfig};

fn input(key: &str, phone: &str, first: &str) -> UpsertInput {
    UpsertInput {
        key: key.into(),
        crm_id: None,
        id_property: "wacrm_id".into(),
        id_value: key.into(),
        fallbacks: vec![("phone".into(), phone.into())],
        properties: [("firstname".to_string(), first.to_string())].into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_matches_when_nothing_else_identifies_a_record() {
    let s = Standin::start(StandinConfig {
        token: "ph".into(),
        requests_per_10s: 1000,
        search_per_s: 50,
        ..Default::default()
    })
    .await
    .unwrap();
    // Records a CRM user typed in: one with a unique phone, two sharing one.
    let lone = s
        .edit("new", &[("phone", "+31611111111"), ("firstname", "Lone")])
        .unwrap();
    let lone_id = lone["id"].as_str().unwrap().to_string();
    s.edit("new", &[("phone", "+31622222222")]).unwrap();
    s.edit("new", &[("phone", "+31622222222")]).unwrap();
    let mut cfg = HubSpotConfig::new("ph").base_url(s.url()).properties(vec![
        "firstname".into(),
        "phone".into(),
        "wacrm_id".into(),
    ]);
    cfg.requests_per_10s = 1000;
    cfg.search_per_s = 50;
    let c = HubSpotConnector::new(cfg).unwrap();

    let out = c
        .upsert(&[
            input("k1", "+31611111111", "Ann"),
            input("k2", "+31622222222", "Bob"),
            input("k3", "+31633333333", "Cy"),
        ])
        .await
        .unwrap();
    assert_eq!(
        out[0],
        UpsertOutcome::Updated {
            id: lone_id.clone()
        },
        "{out:?}"
    );
    match &out[1] {
        UpsertOutcome::MultipleMatches { ids } => assert_eq!(ids.len(), 2),
        other => panic!("two records share the phone: {other:?}"),
    }
    assert!(matches!(out[2], UpsertOutcome::Created { .. }), "{out:?}");
    assert_eq!(s.stats().records, 4, "nothing duplicated");
    let got = c.fetch(std::slice::from_ref(&lone_id)).await.unwrap();
    assert_eq!(got[0].properties["wacrm_id"], "k1");
    assert_eq!(got[0].properties["firstname"], "Ann");

    // The identity now matches: the same record, not the phone's.
    s.edit("new", &[("phone", "+31644444444")]).unwrap();
    let again = c
        .upsert(&[input("k1", "+31644444444", "Ann")])
        .await
        .unwrap();
    assert_eq!(again[0].crm_id(), Some(lone_id.as_str()), "{again:?}");
    assert_eq!(s.stats().records, 5);
}
