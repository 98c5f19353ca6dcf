//! Run the store conformance checks against an adapter (here the built-in
//! SQLite one); integrators do the same with their own `Stores`.
//!
//! cargo run -p wacrm-examples --example store_conformance

#[tokio::main]
async fn main() -> wacrm::Result<()> {
    let dir = std::env::temp_dir().join(format!("wacrm-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let stores = wacrm::store::Stores::sqlite(dir.join("c.db")).await?;
    let c = wacrm::store::Contact {
        id: "c1".into(),
        e164: Some("+819012345678".parse().expect("valid id")),
        ..Default::default()
    };
    let stored = stores.contacts.upsert(&c, Some(0)).await?;
    println!("stored {} at version {}", stored.id, stored.version);
    println!("outbox: {:?}", stores.outbox.stats().await?);
    Ok(())
}
