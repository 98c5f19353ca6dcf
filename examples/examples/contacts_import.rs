//! Import a contact CSV with arbitrary columns into SQLite; bad rows are
//! reported with line numbers; then select a segment.
//!
//! cargo run -p wacrm-examples --example contacts_import

use wacrm::contacts::{ImportSpec, Segment, import_into_store};
use wacrm::store::Stores;

const CSV: &str = "id,Name,Phone,Tags,Bought\n1,Ana,+55 11 98765-4321,vip,product_a\n2,花子,090-1234-5678,,product_a\n3,Bad,abc,,\n";

#[tokio::main]
async fn main() -> wacrm::Result<()> {
    let stores = Stores::from_url("sqlite::memory:").await?;
    let spec = ImportSpec {
        id_column: Some("id".into()),
        default_region: Some("JP".into()),
        ..Default::default()
    }
    .with_maps([
        "Name=name",
        "Phone=phone",
        "Tags=tags",
        "Bought=attr:bought",
    ])?;
    let report = import_into_store(CSV.as_bytes(), &spec, stores.contacts.as_ref()).await?;
    println!("imported {} of {} rows", report.imported, report.rows);
    for b in &report.bad_rows {
        println!("  line {}: {}", b.line, b.reason);
    }
    let seg = Segment::new("bought A").with_attr("bought", "product_a");
    for c in seg.members(stores.contacts.as_ref()).await? {
        println!(
            "  {} {} {}",
            c.id,
            c.name.unwrap_or_default(),
            c.e164.map(|e| e.to_string()).unwrap_or_default()
        );
    }
    Ok(())
}
