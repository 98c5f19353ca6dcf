//! `wacrm contacts export`: every contact of a store, streamed page by page,
//! as JSON lines or CSV with the canonical fields by name.

use std::io::Write;

use serde_json::{Value, json};
use wacrm::store::{Contact, ContactFilter, PageRequest, Stores};

/// Contacts per page read from the store.
const PAGE: usize = 1_000;

/// Columns of the CSV (and keys of each JSON object), in order.
const COLUMNS: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "name",
    "phone",
    "email",
    "city",
    "country",
    "wa_id",
    "bsuid",
    "external_id",
    "tags",
    "attributes",
];

/// The contact as an export object: canonical fields by name (`phone` is
/// E.164, `country` its region), tags as an array, attributes as an object.
fn object(c: &Contact) -> Value {
    let country = c
        .e164
        .as_deref()
        .and_then(|p| wacrm::phone::parse(p, None).ok())
        .map(|p| p.region);
    json!({
        "id": c.id.as_str(),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "name": c.name,
        "phone": c.e164,
        "email": c.email,
        "city": c.city,
        "country": country,
        "wa_id": c.wa_id,
        "bsuid": c.bsuid,
        "external_id": c.external_id,
        "tags": c.tags,
        "attributes": c.attributes,
    })
}

/// Where rows go.
enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Json(std::io::BufWriter<W>),
}

fn csv_cells(v: &Value) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|k| match &v[*k] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Array(tags) => tags
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(";"),
            other => other.to_string(),
        })
        .collect()
}

/// Write every contact to `out`; returns how many.
pub async fn export(db: &str, csv_mode: bool, out: impl Write) -> wacrm::Result<u64> {
    let stores = Stores::from_url(db).await?;
    let io = |e: std::io::Error| wacrm::Error::Config(format!("cannot write: {e}"));
    let mut sink = if csv_mode {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(COLUMNS).map_err(|e| io(e.into()))?;
        Sink::Csv(Box::new(w))
    } else {
        Sink::Json(std::io::BufWriter::new(out))
    };
    let mut page = PageRequest {
        limit: PAGE,
        after: None,
    };
    let mut n = 0u64;
    loop {
        let p = stores
            .contacts
            .list(&ContactFilter::default(), &page)
            .await?;
        for c in &p.items {
            let v = object(c);
            match &mut sink {
                Sink::Csv(w) => w.write_record(csv_cells(&v)).map_err(|e| io(e.into()))?,
                Sink::Json(w) => {
                    serde_json::to_writer(&mut *w, &v).map_err(|e| io(e.into()))?;
                    w.write_all(b"\n").map_err(io)?;
                }
            }
            n += 1;
        }
        match p.next {
            Some(next) if !p.items.is_empty() => page.after = Some(next),
            _ => break,
        }
    }
    match &mut sink {
        Sink::Csv(w) => w.flush().map_err(io)?,
        Sink::Json(w) => w.flush().map_err(io)?,
    }
    Ok(n)
}
