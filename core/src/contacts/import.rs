//! CSV import: arbitrary column names mapped onto canonical fields, phones
//! normalized to E.164, every bad row reported with its line number while the
//! good rows import. Rows stream through in chunks.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::ids::ContactId;
use crate::phone;
use crate::store::Contact;

/// A canonical contact field a CSV column maps onto.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// First name.
    FirstName,
    /// Last name.
    LastName,
    /// Full name.
    Name,
    /// Phone number.
    Phone,
    /// Email.
    Email,
    /// City.
    City,
    /// Postcode.
    Postcode,
    /// Street address.
    Address,
    /// Date of birth.
    DateOfBirth,
    /// The row's phone region (ISO alpha-2).
    Country,
    /// Tags separated by `;` or `|`.
    Tags,
    /// Id in another system.
    ExternalId,
    /// A custom attribute.
    Attr(String),
}

impl std::str::FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "first_name" => Field::FirstName,
            "last_name" => Field::LastName,
            "name" => Field::Name,
            "phone" => Field::Phone,
            "email" => Field::Email,
            "city" => Field::City,
            "postcode" => Field::Postcode,
            "address" => Field::Address,
            "date_of_birth" => Field::DateOfBirth,
            "country" => Field::Country,
            "tags" => Field::Tags,
            "external_id" => Field::ExternalId,
            other => match other.strip_prefix("attr:") {
                Some(a) if !a.is_empty() => Field::Attr(a.to_string()),
                _ => {
                    return Err(format!(
                        "unknown field {other:?} (first_name, last_name, name, phone, email, city, postcode, address, date_of_birth, country, tags, external_id, attr:NAME)"
                    ));
                }
            },
        })
    }
}

/// How to read a CSV.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportSpec {
    /// Column → field. Columns not listed are ignored.
    pub map: Vec<(String, Field)>,
    /// Column whose value becomes the contact id (else `row:<line>` or the phone).
    pub id_column: Option<String>,
    /// Region for phones without a country code.
    pub default_region: Option<String>,
    /// Tags added to every imported contact.
    pub add_tags: Vec<String>,
    /// Rows without a phone are bad rows (needed for messaging).
    pub require_phone: bool,
}

impl ImportSpec {
    /// Parse `COLUMN=FIELD` mappings.
    pub fn with_maps<'a>(mut self, maps: impl IntoIterator<Item = &'a str>) -> crate::Result<Self> {
        for m in maps {
            let (col, field) = m.split_once('=').ok_or_else(|| {
                crate::Error::validation("map", format!("{m:?} is not COLUMN=FIELD"))
            })?;
            let f: Field = field
                .parse()
                .map_err(|e: String| crate::Error::validation("map", e))?;
            self.map.push((col.to_string(), f));
        }
        Ok(self)
    }
}

/// A row that did not import.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BadRow {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// Why.
    pub reason: String,
    /// The raw fields, so nothing is lost.
    pub raw: Vec<String>,
}

/// A parsed row ready to store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportedRow {
    /// Line number.
    pub line: u64,
    /// The contact.
    pub contact: Contact,
    /// Extra canonical values not stored as contact fields (postcode, address, dob).
    pub extra: BTreeMap<String, String>,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Rows read (excluding the header).
    pub rows: u64,
    /// Rows imported.
    pub imported: u64,
    /// Rows whose id or phone repeated an earlier row of the same file (merged into it).
    pub duplicates_in_file: u64,
    /// Bad rows with line numbers.
    pub bad_rows: Vec<BadRow>,
}

/// Header names and the columns the spec maps, checked against the header.
struct Layout {
    names: Vec<String>,
    cols: Vec<(usize, Field)>,
    id_col: Option<usize>,
}

impl Layout {
    fn read<R: Read>(rdr: &mut csv::Reader<R>, spec: &ImportSpec) -> crate::Result<Self> {
        let headers = rdr
            .headers()
            .map_err(|e| crate::Error::validation("csv", format!("cannot read the header: {e}")))?
            .clone();
        let names: Vec<String> = headers
            .iter()
            .enumerate()
            // The csv crate keeps a UTF-8 BOM on the first header name.
            .map(|(i, h)| {
                if i == 0 {
                    h.trim_start_matches('\u{feff}').trim().to_string()
                } else {
                    h.trim().to_string()
                }
            })
            .collect();
        let index: HashMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        for (col, _) in &spec.map {
            if !index.contains_key(col.as_str()) {
                return Err(crate::Error::validation(
                    "map",
                    format!("column {col:?} is not in the header {names:?}"),
                ));
            }
        }
        if let Some(idc) = &spec.id_column
            && !index.contains_key(idc.as_str())
        {
            return Err(crate::Error::validation(
                "id",
                format!("id column {idc:?} is not in the header"),
            ));
        }
        let cols = spec
            .map
            .iter()
            .map(|(c, f)| (index[c.as_str()], f.clone()))
            .collect();
        let id_col = spec.id_column.as_ref().map(|c| index[c.as_str()]);
        Ok(Layout {
            names,
            cols,
            id_col,
        })
    }
}

/// Read a CSV (UTF-8, with or without BOM) into rows; `on_chunk` receives
/// good rows in chunks as they are read so large files stream.
pub fn read_csv<R: Read>(
    input: R,
    spec: &ImportSpec,
    chunk: usize,
    mut on_chunk: impl FnMut(Vec<ImportedRow>) -> crate::Result<()>,
) -> crate::Result<ImportReport> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let layout = Layout::read(&mut rdr, spec)?;
    let mut acc = Acceptor::default();
    let mut buf = Vec::with_capacity(chunk);
    let mut record = csv::StringRecord::new();
    loop {
        match next_record(&mut rdr, &mut record) {
            Next::End => break,
            Next::Bad(b) => acc.bad(b),
            Next::Blank(_) => acc.report.rows += 1,
            Next::Row(line) => {
                if let Some(row) = acc.accept(convert(&layout, spec, line, &record)) {
                    buf.push(row);
                    if buf.len() >= chunk {
                        on_chunk(std::mem::take(&mut buf))?;
                    }
                }
            }
        }
    }
    if !buf.is_empty() {
        on_chunk(buf)?;
    }
    Ok(acc.report)
}

/// Read a whole CSV into rows, converting rows on every core while the file
/// is still being read. Same rows, order and report as [`read_csv`].
pub fn read_csv_all<R: Read>(
    input: R,
    spec: &ImportSpec,
) -> crate::Result<(Vec<ImportedRow>, ImportReport)> {
    read_csv_map(
        input,
        spec,
        |row| row,
        |row| vec![serde_json::to_string(&row.contact).unwrap_or_default()],
    )
}

/// Like [`read_csv_all`], but each good row is turned into a `T` by `map` on
/// the converting threads (so a caller that needs another shape never holds
/// every row twice). `dup_raw` gives the raw data reported for a row whose id
/// repeats an earlier one.
pub fn read_csv_map<R: Read, T: Send>(
    input: R,
    spec: &ImportSpec,
    map: impl Fn(ImportedRow) -> T + Sync,
    dup_raw: impl Fn(&T) -> Vec<String>,
) -> crate::Result<(Vec<T>, ImportReport)> {
    const BATCH: usize = 4096;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let layout = Layout::read(&mut rdr, spec)?;
    type Converted<T> = Vec<Result<(u64, String, T), BadRow>>;
    let done: parking_lot::Mutex<Vec<(usize, Converted<T>)>> = parking_lot::Mutex::new(Vec::new());
    // Reader-side outcomes (malformed and blank rows), tagged with batch order.
    let mut early: Vec<(usize, Next)> = Vec::new();
    rayon::in_place_scope(|scope| {
        let mut batch: Vec<(u64, csv::StringRecord)> = Vec::with_capacity(BATCH);
        let mut n = 0usize;
        let mut record = csv::StringRecord::new();
        let (layout, done, map) = (&layout, &done, &map);
        let flush = |batch: Vec<(u64, csv::StringRecord)>, n: usize| {
            scope.spawn(move |_| {
                let out = batch
                    .iter()
                    .map(|(line, rec)| {
                        convert(layout, spec, *line, rec).map(|row| {
                            let id = row.contact.id.0.clone();
                            (row.line, id, map(row))
                        })
                    })
                    .collect();
                done.lock().push((n, out));
            });
        };
        loop {
            match next_record(&mut rdr, &mut record) {
                Next::End => break,
                Next::Row(line) => {
                    batch.push((line, std::mem::take(&mut record)));
                    if batch.len() == BATCH {
                        flush(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)), n);
                        n += 1;
                    }
                }
                other => early.push((n, other)),
            }
        }
        if !batch.is_empty() {
            flush(batch, n);
        }
    });
    let mut done = done.into_inner();
    done.sort_unstable_by_key(|(n, _)| *n);
    let mut acc = Acceptor::default();
    let mut rows = Vec::with_capacity(done.iter().map(|(_, b)| b.len()).sum());
    // Replay in file order so duplicate ids point at their first line: each
    // batch's rows merge with what the reader reported while filling it. Rows
    // move once, into `rows`.
    let mut early = early.into_iter().peekable();
    let replay_early = |acc: &mut Acceptor, e: Next| match e {
        Next::Bad(b) => acc.bad(b),
        _ => acc.report.rows += 1,
    };
    for (n, batch) in done {
        for r in batch {
            let line = match &r {
                Ok((line, _, _)) => *line,
                Err(b) => b.line,
            };
            while let Some((_, e)) = early.next_if(|(m, e)| *m < n || (*m == n && e.line() < line))
            {
                replay_early(&mut acc, e);
            }
            match r {
                Err(b) => {
                    acc.report.rows += 1;
                    acc.report.bad_rows.push(b);
                }
                Ok((line, id, value)) => {
                    if acc.admit_id(line, id, || dup_raw(&value)) {
                        rows.push(value);
                    }
                }
            }
        }
    }
    for (_, e) in early {
        replay_early(&mut acc, e);
    }
    Ok((rows, acc.report))
}

/// What the reader produced next.
enum Next {
    End,
    Row(u64),
    Blank(u64),
    Bad(BadRow),
}

impl Next {
    fn line(&self) -> u64 {
        match self {
            Next::Row(l) | Next::Blank(l) => *l,
            Next::Bad(b) => b.line,
            Next::End => u64::MAX,
        }
    }
}

fn next_record<R: Read>(rdr: &mut csv::Reader<R>, record: &mut csv::StringRecord) -> Next {
    let line = rdr.position().line() + 1;
    match rdr.read_record(record) {
        Ok(false) => Next::End,
        Ok(true) if record.iter().all(|f| f.trim().is_empty()) => {
            Next::Blank(record.position().map(|p| p.line()).unwrap_or(line))
        }
        Ok(true) => Next::Row(record.position().map(|p| p.line()).unwrap_or(line)),
        Err(e) => Next::Bad(BadRow {
            line: e.position().map(|p| p.line()).unwrap_or(line),
            reason: format!("malformed CSV: {e}"),
            raw: Vec::new(),
        }),
    }
}

fn convert(
    layout: &Layout,
    spec: &ImportSpec,
    line: u64,
    record: &csv::StringRecord,
) -> Result<ImportedRow, BadRow> {
    let raw = || record.iter().map(str::to_string).collect();
    if record.len() != layout.names.len() {
        return Err(BadRow {
            line,
            reason: format!(
                "{} fields, the header has {}",
                record.len(),
                layout.names.len()
            ),
            raw: raw(),
        });
    }
    row_to_contact(record, &layout.cols, layout.id_col, spec, line).map_err(|reason| BadRow {
        line,
        reason,
        raw: raw(),
    })
}

/// Counts rows and drops repeated ids, in file order.
#[derive(Default)]
struct Acceptor {
    seen: HashMap<String, u64>,
    report: ImportReport,
}

impl Acceptor {
    fn bad(&mut self, b: BadRow) {
        self.report.rows += 1;
        self.report.bad_rows.push(b);
    }

    fn accept(&mut self, r: Result<ImportedRow, BadRow>) -> Option<ImportedRow> {
        match r {
            Err(b) => {
                self.report.rows += 1;
                self.report.bad_rows.push(b);
                None
            }
            Ok(row) => {
                let id = row.contact.id.0.clone();
                // The row's data stays in the report, as the parsed contact.
                self.admit_id(row.line, id, || {
                    vec![serde_json::to_string(&row.contact).unwrap_or_default()]
                })
                .then_some(row)
            }
        }
    }

    /// Count a good row; `false` (and a bad row with `raw()`) when its id repeats.
    fn admit_id(&mut self, line: u64, id: String, raw: impl FnOnce() -> Vec<String>) -> bool {
        self.report.rows += 1;
        if let Some(first) = self.seen.get(&id) {
            self.report.duplicates_in_file += 1;
            self.report.bad_rows.push(BadRow {
                line,
                reason: format!("duplicate of line {first} (same id {id})"),
                raw: raw(),
            });
            return false;
        }
        self.seen.insert(id, line);
        self.report.imported += 1;
        true
    }
}

fn row_to_contact(
    rec: &csv::StringRecord,
    cols: &[(usize, Field)],
    id_col: Option<usize>,
    spec: &ImportSpec,
    line: u64,
) -> Result<ImportedRow, String> {
    let mut c = Contact::default();
    let mut extra: BTreeMap<String, String> = BTreeMap::new();
    let mut phone_raw = None;
    let mut region = spec.default_region.clone();
    for (i, f) in cols {
        let v = rec.get(*i).unwrap_or("").trim();
        if v.is_empty() {
            continue;
        }
        let s = Some(v.to_string());
        match f {
            Field::FirstName => c.first_name = s,
            Field::LastName => c.last_name = s,
            Field::Name => c.name = s,
            Field::Phone => phone_raw = s,
            Field::Email => {
                let valid = v.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty()
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                });
                if !valid {
                    return Err(format!("email {v:?} is not an address"));
                }
                c.email = Some(v.to_ascii_lowercase());
            }
            Field::City => c.city = s,
            Field::Postcode => {
                extra.insert("postcode".into(), v.to_string());
            }
            Field::Address => {
                extra.insert("address".into(), v.to_string());
            }
            Field::DateOfBirth => {
                extra.insert("date_of_birth".into(), v.to_string());
            }
            Field::Country => region = Some(v.to_ascii_uppercase()),
            Field::Tags => {
                for t in v.split([';', '|']).map(str::trim).filter(|t| !t.is_empty()) {
                    c.tags.insert(t.to_string());
                }
            }
            Field::ExternalId => c.external_id = s,
            Field::Attr(name) => {
                c.attributes
                    .insert(name.clone(), serde_json::Value::String(v.to_string()));
            }
        }
    }
    if let Some(p) = &phone_raw {
        let info = phone::parse(p, region.as_deref()).map_err(|e| format!("phone {p:?}: {e}"))?;
        if !info.valid {
            return Err(format!(
                "phone {p:?} is not a valid number in {}",
                info.region
            ));
        }
        c.wa_id = phone::wa_id_candidates(&info.e164)
            .into_iter()
            .next()
            .map(|w| w.0);
        c.e164 = Some(info.e164.to_string());
    } else if spec.require_phone {
        return Err("no phone".into());
    }
    if c.name.is_none() {
        let joined = [c.first_name.as_deref(), c.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !joined.is_empty() {
            c.name = Some(joined);
        }
    }
    for (k, v) in &extra {
        c.attributes
            .insert(k.clone(), serde_json::Value::String(v.clone()));
    }
    c.tags.extend(spec.add_tags.iter().cloned());
    let id = match id_col.map(|i| rec.get(i).unwrap_or("").trim()) {
        Some("") => return Err("empty id".into()),
        Some(v) => v.to_string(),
        None => c
            .e164
            .clone()
            .or_else(|| c.email.clone())
            .unwrap_or_else(|| format!("row:{line}")),
    };
    c.id = ContactId::new(id);
    Ok(ImportedRow {
        line,
        contact: c,
        extra,
    })
}

/// Import a CSV into the contact store in transactions of `chunk` rows.
pub async fn import_into_store<R: Read>(
    input: R,
    spec: &ImportSpec,
    contacts: &dyn crate::store::ContactStore,
) -> crate::Result<ImportReport> {
    // Parsing is synchronous; storing is async: collect chunks, then store them.
    let mut chunks: Vec<Vec<Contact>> = Vec::new();
    let report = read_csv(input, spec, 5_000, |rows| {
        chunks.push(rows.into_iter().map(|r| r.contact).collect());
        Ok(())
    })?;
    for c in chunks {
        contacts.upsert_many(&c).await?;
    }
    Ok(report)
}
