//! CRM sync (C8): a TOML field mapping, a push of local contacts to HubSpot
//! (here the local stand-in), a CRM user's edit pulled back, a conflict
//! settled by owner and recorded, and the health numbers.
//!
//! `cargo run -p wacrm-examples --example crm_sync`

use std::sync::Arc;

use wacrm::crm::{HubSpotConfig, HubSpotConnector, Mapping, SyncEngine, SyncOptions};
use wacrm::ids::ContactId;
use wacrm::store::{Contact, Stores};
use wacrm_crm_standin::{Standin, StandinConfig};

const MAPPING: &str = r#"
[identity]
crm_id_property = "wacrm_id"      # a unique HubSpot property holding the wacrm id

[[fields]]
local = "email"
crm = "email"
direction = "both"
owner = "latest"                  # last write wins, by millisecond timestamps
transform = ["trim", "lowercase"]

[[fields]]
local = "phone"
crm = "phone"
direction = "to_crm"
transform = ["e164"]

[[fields]]
local = "first_name"
crm = "firstname"
direction = "both"
owner = "crm"                     # the CRM is the system of record for names

[[fields]]
local = "attr:rank"
crm = "customer_rank"
direction = "to_crm"
default = "new customer"          # sent when the contact has no rank
null = "clear"

[[fields]]
local = "attr:product"
crm = "sku"
direction = "both"
transform = ["map:sku"]

[maps.sku]
"Espresso machine" = "SKU-EM-01"
"Grinder" = "SKU-GR-02"
"#;

#[tokio::main]
async fn main() -> wacrm::Result<()> {
    let standin = Standin::start(StandinConfig {
        token: "demo-token".into(),
        ..Default::default()
    })
    .await
    .map_err(|e| wacrm::Error::Config(e.to_string()))?;
    let stores = Stores::memory();
    let mut ann = Contact {
        id: ContactId::new("ann"),
        email: Some(" Ann@Example.com ".into()),
        e164: Some("+31612345678".parse().expect("valid id")),
        first_name: Some("Ann".into()),
        ..Default::default()
    };
    ann.attributes.insert("product".into(), "Grinder".into());
    stores.contacts.upsert(&ann, None).await?;

    let mapping = Mapping::from_toml(MAPPING)?;
    let cfg = HubSpotConfig::new("demo-token")
        .base_url(standin.url())
        .properties(mapping.crm_properties());
    let connector = Arc::new(HubSpotConnector::new(cfg)?);
    let engine = SyncEngine::new(connector, mapping, &stores).with_options(SyncOptions {
        name: "hubspot".into(),
        ..Default::default()
    });

    println!("push: {:?}", engine.push().await?);
    let rec = standin.records().remove(0);
    println!("in the CRM: {}", rec["properties"]);

    // Both sides rename Ann; the mapping says the CRM owns first names.
    let mut local = stores
        .contacts
        .get(&ContactId::new("ann"))
        .await?
        .expect("stored");
    local.first_name = Some("Anna (local)".into());
    stores.contacts.upsert(&local, None).await?;
    standin.edit(
        rec["id"].as_str().unwrap_or_default(),
        &[("firstname", "Anne"), ("sku", "SKU-EM-01")],
    );

    println!("sync: {:?}", engine.sync().await?);
    let after = stores
        .contacts
        .get(&ContactId::new("ann"))
        .await?
        .expect("stored");
    println!(
        "local now: first_name={:?} product={:?}",
        after.first_name, after.attributes["product"]
    );
    for d in stores.sync.list_discrepancies("hubspot").await? {
        println!(
            "discrepancy: {} local={} remote={} -> {}",
            d.field, d.local, d.remote, d.resolution
        );
    }
    println!("health: {:?}", engine.health().snapshot());
    standin.stop().await;
    Ok(())
}
