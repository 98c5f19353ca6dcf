//! `wacrm crm` end to end against the HubSpot stand-in: push, a second push
//! that sends nothing, pull of a CRM user's edit, a conflict in the
//! discrepancy list, and a bad mapping refused with its line.

use std::process::{Command, Output};

use serde_json::Value;
use wacrm::ids::ContactId;
use wacrm::store::{Contact, Stores};
use wacrm_crm_standin::{Standin, StandinConfig};

const MAPPING: &str = r#"
[identity]
crm_id_property = "wacrm_id"

[[fields]]
local = "email"
crm = "email"
direction = "both"
transform = ["trim", "lowercase"]

[[fields]]
local = "first_name"
crm = "firstname"
direction = "both"
owner = "crm"

[[fields]]
local = "attr:rank"
crm = "rank"
direction = "to_crm"
default = "new customer"
"#;

async fn run(args: Vec<String>, token: &str) -> Output {
    let token = token.to_string();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_wacrm"))
            .args(&args)
            .env("WACRM_HUBSPOT_TOKEN", token)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn json_of(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "exit {:?}: {} {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("one JSON object on stdout")
}

#[tokio::test(flavor = "multi_thread")]
async fn push_pull_sync_and_discrepancies_through_the_stand_in() {
    let s = Standin::start(StandinConfig {
        token: "secret-token".into(),
        requests_per_10s: 1000,
        search_per_s: 50,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("w.db").display());
    let mapping = dir.path().join("mapping.toml");
    std::fs::write(&mapping, MAPPING).unwrap();
    {
        let stores = Stores::from_url(&db).await.unwrap();
        for i in 0..3 {
            let c = Contact {
                id: ContactId::new(format!("c{i}")),
                email: Some(format!("C{i}@Example.com")),
                first_name: Some(format!("First{i}")),
                ..Default::default()
            };
            stores.contacts.upsert(&c, None).await.unwrap();
        }
    }
    let base = |cmd: &str| -> Vec<String> {
        vec![
            "crm".into(),
            cmd.into(),
            "--db".into(),
            db.clone(),
            "--mapping".into(),
            mapping.display().to_string(),
            "--base-url".into(),
            s.url(),
        ]
    };
    let push = json_of(&run(base("push"), "secret-token").await);
    assert_eq!(push["created"], 3, "{push}");
    assert_eq!(push["rejected"], 0);
    for k in [
        "updated",
        "unchanged",
        "parked",
        "retries",
        "requests",
        "rate_limited",
    ] {
        assert!(push.get(k).is_some(), "summary has {k}: {push}");
    }
    let again = json_of(&run(base("push"), "secret-token").await);
    assert_eq!(again["requests"], 0, "a second push sends nothing: {again}");
    let recs = s.records();
    assert_eq!(recs.len(), 3);
    assert!(
        recs.iter()
            .all(|r| r["properties"]["rank"] == "new customer")
    );

    // A CRM user edits one contact; both sides change another.
    let id_of = |w: &str| {
        recs.iter()
            .find(|r| r["properties"]["wacrm_id"] == w)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    {
        let stores = Stores::from_url(&db).await.unwrap();
        let mut c = stores
            .contacts
            .get(&ContactId::new("c2"))
            .await
            .unwrap()
            .unwrap();
        c.first_name = Some("LocalName".into());
        stores.contacts.upsert(&c, None).await.unwrap();
    }
    s.edit(&id_of("c1"), &[("firstname", "Renamed")]).unwrap();
    s.edit(&id_of("c2"), &[("firstname", "CrmName")]).unwrap();
    let sync = json_of(&run(base("sync"), "secret-token").await);
    assert_eq!(sync["pull"]["conflicts"], 1, "{sync}");
    assert_eq!(sync["pull"]["discrepancies"], 1, "{sync}");
    assert!(sync["pull"]["applied"].as_u64().unwrap() >= 2, "{sync}");
    {
        let stores = Stores::from_url(&db).await.unwrap();
        let c1 = stores
            .contacts
            .get(&ContactId::new("c1"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c1.first_name.as_deref(), Some("Renamed"));
        let c2 = stores
            .contacts
            .get(&ContactId::new("c2"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c2.first_name.as_deref(), Some("CrmName"), "owner = crm");
    }
    let twice = json_of(&run(base("sync"), "secret-token").await);
    assert_eq!(twice["pull"]["applied"], 0, "{twice}");
    assert_eq!(
        twice["push"]["created"].as_u64().unwrap() + twice["push"]["updated"].as_u64().unwrap(),
        0,
        "{twice}"
    );

    let d = run(
        vec![
            "crm".into(),
            "discrepancies".into(),
            "--db".into(),
            db.clone(),
            "--format".into(),
            "csv".into(),
        ],
        "",
    )
    .await;
    assert!(d.status.success());
    let text = String::from_utf8_lossy(&d.stdout);
    assert!(text.starts_with("id,key,field,local_value"), "{text}");
    assert!(
        text.contains("LocalName") && text.contains("CrmName") && text.contains("crm (owner)"),
        "{text}"
    );

    // Wrong token: a classified error, and the token is not echoed.
    let bad = run(base("pull"), "wrong-token").await;
    assert_eq!(bad.status.code(), Some(1));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(
        out.contains("\"error\"") && !out.contains("wrong-token"),
        "{out}"
    );

    // A mapping with an unknown transform is refused with its line.
    std::fs::write(&mapping, "[[fields]]\nlocal = \"email\"\ncrm = \"email\"\ndirection = \"both\"\ntransform = [\"shout\"]\n").unwrap();
    let refused = run(base("push"), "secret-token").await;
    assert_eq!(refused.status.code(), Some(1));
    let out = String::from_utf8_lossy(&refused.stdout);
    assert!(
        out.contains("line 5") && out.contains("unknown transform"),
        "{out}"
    );
}
