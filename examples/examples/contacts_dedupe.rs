//! Find the same person under other numbers and spellings, review the
//! uncertain pairs, and merge duplicates in the store without losing a
//! conversation or message.
//!
//! cargo run -p wacrm-examples --example contacts_dedupe

use wacrm::contacts::dedupe::{self, DedupeConfig, ReviewQueue};
use wacrm::contacts::{ImportSpec, import_into_store};
use wacrm::store::Stores;

const CSV: &str = "\
id,First,Last,Phone,Country,Email,City,Born,Bought,On
1,José,Gonçalves,+55 11 98765-4321,BR,jose.goncalves@example.com,São Paulo,1990-02-19,SKU-100,2026-03-01
2,Jose,Goncalves,+55 21 99876-5432,BR,jose.goncalves@example.com,Sao Paulo,,SKU-100,2026-03-20
3,Hanako,Sato,090-1234-5678,JP,hanako@example.jp,Tokyo,1985-07-11,,
4,Hanaco,Sato,080-9876-5432,JP,,Tokyo,1985-07-11,,
5,Maria,Silva,+55 11 91234-5678,BR,maria@example.com,Recife,1970-01-01,,
6,Mario,Silva,+55 11 97654-3210,BR,mario.silva@example.org,Curitiba,1992-05-05,,
";

#[tokio::main]
async fn main() -> wacrm::Result<()> {
    let stores = Stores::from_url("sqlite::memory:").await?;
    let spec = ImportSpec {
        id_column: Some("id".into()),
        ..Default::default()
    }
    .with_maps([
        "First=first_name",
        "Last=last_name",
        "Phone=phone",
        "Country=country",
        "Email=email",
        "City=city",
        "Born=date_of_birth",
        "Bought=attr:sku",
        "On=attr:purchased_at",
    ])?;
    import_into_store(CSV.as_bytes(), &spec, stores.contacts.as_ref()).await?;

    let result = dedupe::dedupe_store(stores.contacts.as_ref(), &DedupeConfig::default()).await?;
    println!("duplicates:");
    for p in &result.pairs {
        println!("  {} ~ {}  score {:.3}  {}", p.a, p.b, p.score, p.evidence);
    }
    let queue = ReviewQueue::from_result(&result, Vec::new());
    println!("for review: {}", queue.pending.len());
    for p in &queue.pending {
        println!("  {} ? {}  score {:.3}  {}", p.a, p.b, p.score, p.evidence);
    }
    let report = dedupe::execute_plan(&result.plan, stores.contacts.as_ref()).await?;
    println!(
        "merged {} records; {} contacts left",
        report.merged,
        dedupe::load_all(stores.contacts.as_ref()).await?.len()
    );
    Ok(())
}
