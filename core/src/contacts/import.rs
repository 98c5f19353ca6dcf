//! CSV import: arbitrary column names mapped onto canonical fields, phones
//! normalized to E.164, every bad row reported with its line number and raw
//! bytes while the good rows import. Rows stream through in chunks of whole
//! records cut by [`super::records`] (any line endings, bounded quoted fields).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use serde::{Deserialize, Serialize};

use super::records::{Chunk, LineEndings, QuoteLimits, Record, Splitter, lossy_fields};
use crate::ids::{ContactId, E164, WaId};
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
    /// Column whose value becomes the contact id (else the phone, the email,
    /// `ext:<external id>`, or an id derived from the row's content).
    pub id_column: Option<String>,
    /// Region for phones without a country code.
    pub default_region: Option<String>,
    /// Tags added to every imported contact.
    pub add_tags: Vec<String>,
    /// Rows without a phone are bad rows (needed for messaging).
    pub require_phone: bool,
    /// Bounds on a quoted field before its row counts as broken.
    #[serde(default)]
    pub quote_limits: QuoteLimits,
    /// Keep rows whose phone or email does not validate, with the raw value
    /// (dedupe compares such a row by its other fields and the phone's
    /// digits); an import into a store refuses them.
    #[serde(default)]
    pub keep_invalid_fields: bool,
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
    /// The raw fields (lossy UTF-8).
    pub raw: Vec<String>,
    /// The record as read, without its line ending (lossy UTF-8).
    #[serde(default)]
    pub raw_text: String,
    /// The record's original bytes in base64, when they are not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_base64: Option<String>,
}

impl BadRow {
    /// A bad row keeping `bytes` (lossy, and base64 when not UTF-8).
    pub(crate) fn with_bytes(line: u64, reason: String, bytes: &[u8]) -> Self {
        let utf8 = simdutf8::basic::from_utf8(bytes).is_ok();
        BadRow {
            line,
            reason,
            raw: lossy_fields(bytes),
            raw_text: String::from_utf8_lossy(bytes).into_owned(),
            raw_base64: (!utf8).then(|| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode(bytes)
            }),
        }
    }
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
    /// Rows whose fields are all empty (counted in `rows`, neither imported nor bad).
    #[serde(default)]
    pub blank: u64,
    /// Record terminators seen (LF, CRLF, CR).
    #[serde(default)]
    pub line_endings: LineEndings,
    /// The last line of the last row committed to the store (imports only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_committed_line: Option<u64>,
}

/// Header names and the columns the spec maps, checked against the header.
#[derive(Default)]
struct Layout {
    names: Vec<String>,
    cols: Vec<(usize, Field)>,
    id_col: Option<usize>,
}

impl Layout {
    fn new(names: Vec<String>, spec: &ImportSpec) -> crate::Result<Self> {
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
        drop(index);
        Ok(Layout {
            names,
            cols,
            id_col,
        })
    }
}

/// A CSV input after its header: the splitter and the header's layout.
struct Chunks<R> {
    split: Splitter<R>,
    layout: Layout,
}

impl<R: Read> Chunks<R> {
    fn new(input: R, spec: &ImportSpec) -> crate::Result<Self> {
        let mut split = Splitter::new(input, spec.quote_limits)?;
        let names = split.header()?.ok_or_else(|| {
            crate::Error::validation("csv", "cannot read the header: the file is empty")
        })?;
        let layout = Layout::new(names, spec)?;
        Ok(Chunks { split, layout })
    }

    fn next_chunk(&mut self) -> crate::Result<Option<Chunk>> {
        self.split.next_chunk()
    }
}

/// Good rows of a CSV in file order, pulled in batches, with the report of
/// what was read so far. Holds one chunk of the file at a time.
pub struct RowStream<'s, R> {
    chunks: Chunks<R>,
    spec: &'s ImportSpec,
    acc: Acceptor,
    ready: std::collections::VecDeque<ImportedRow>,
    done: bool,
}

impl<'s, R: Read> RowStream<'s, R> {
    /// Read the header and check the spec against it.
    pub fn new(input: R, spec: &'s ImportSpec) -> crate::Result<Self> {
        Ok(RowStream {
            chunks: Chunks::new(input, spec)?,
            spec,
            acc: Acceptor::default(),
            ready: Default::default(),
            done: false,
        })
    }

    /// Up to `n` more good rows (fewer only at the end; empty when done).
    /// Bad rows go to the report as they are met.
    pub fn next_batch(&mut self, n: usize) -> crate::Result<Vec<ImportedRow>> {
        while self.ready.len() < n.max(1) && !self.done {
            let Some(part) = self.chunks.next_chunk()? else {
                self.done = true;
                break;
            };
            self.acc.report.line_endings = self.chunks.split.endings;
            let spec = self.spec;
            let Parsed { ids, out, .. } =
                parse_chunk(&part, &self.chunks.layout, spec, |v| v.to_row(spec));
            let id = |(start, end): (u32, u32)| &ids[start as usize..end as usize];
            // The chunk's ids checked against the file's earlier ones at once.
            let keys: Vec<(u64, u64)> = out
                .iter()
                .filter_map(|o| match o {
                    Outcome::Row(line, i, ..) => Some((id_hash(id(*i)), *line)),
                    _ => None,
                })
                .collect();
            let mut firsts = self.acc.seen.admit(&keys)?.into_iter();
            for o in out {
                match o {
                    Outcome::Blank => {
                        self.acc.report.rows += 1;
                        self.acc.report.blank += 1;
                    }
                    Outcome::Bad(b) => self.acc.bad(b),
                    Outcome::Row(line, i, row, (start, end)) => {
                        self.acc.report.rows += 1;
                        match firsts.next().flatten() {
                            None => {
                                self.acc.report.imported += 1;
                                self.ready.push_back(row);
                            }
                            Some(first) => {
                                // Kept in the report as the bytes it was read from.
                                self.acc.report.duplicates_in_file += 1;
                                self.acc.report.bad_rows.push(BadRow::with_bytes(
                                    line,
                                    format!("duplicate of line {first} (same id {})", id(i)),
                                    &part.bytes[start as usize..end as usize],
                                ));
                            }
                        }
                    }
                }
            }
        }
        let take = n.max(1).min(self.ready.len());
        Ok(self.ready.drain(..take).collect())
    }

    /// What was read so far.
    pub fn report(&self) -> &ImportReport {
        &self.acc.report
    }

    /// What was read so far, to update (counts of what was stored).
    pub fn report_mut(&mut self) -> &mut ImportReport {
        &mut self.acc.report
    }

    /// The report.
    pub fn into_report(self) -> ImportReport {
        self.acc.report
    }
}

/// Read a CSV (UTF-8, with or without BOM; LF, CRLF or CR line endings) into
/// rows; `on_chunk` receives good rows in chunks of `chunk` as they are read
/// so large files stream.
pub fn read_csv<R: Read>(
    input: R,
    spec: &ImportSpec,
    chunk: usize,
    mut on_chunk: impl FnMut(Vec<ImportedRow>) -> crate::Result<()>,
) -> crate::Result<ImportReport> {
    let mut rows = RowStream::new(input, spec)?;
    loop {
        let batch = rows.next_batch(chunk)?;
        if batch.is_empty() {
            break;
        }
        on_chunk(batch)?;
    }
    Ok(rows.into_report())
}

/// Read a whole CSV into rows, converting rows on every core while the file
/// is still being read. Same rows, order and report as [`read_csv`].
pub fn read_csv_all<R: Read>(
    input: R,
    spec: &ImportSpec,
) -> crate::Result<(Vec<ImportedRow>, ImportReport)> {
    read_csv_map(input, spec, |row| row)
}

/// Like [`read_csv_all`], but each good row is turned into a `T` by `map` on
/// the converting threads (so a caller that needs another shape never holds
/// every row twice).
pub fn read_csv_map<R: Read, T: Send + Sync>(
    input: R,
    spec: &ImportSpec,
    map: impl Fn(ImportedRow) -> T + Sync,
) -> crate::Result<(Vec<T>, ImportReport)> {
    read_csv_values(input, spec, |v| map(v.to_row(spec)))
}

/// Like [`read_csv_map`], but `map` sees the row's values borrowed from the
/// CSV record, before any contact is built: the cheapest way to turn a large
/// file into another shape. Bad rows and duplicate ids are reported the same.
pub fn read_csv_values<R: Read, T: Send + Sync>(
    input: R,
    spec: &ImportSpec,
    map: impl Fn(&RowValues<'_>) -> T + Sync,
) -> crate::Result<(Vec<T>, ImportReport)> {
    // The file is cut into chunks of whole records and every chunk is parsed
    // and converted on its own core: one reading thread parsing CSV was the
    // slowest stage of a large import.
    let mut chunks = Chunks::new(input, spec)?;
    let done: parking_lot::Mutex<Vec<(usize, Parsed<T>)>> = parking_lot::Mutex::new(Vec::new());
    let mut failed = None;
    let layout = std::mem::take(&mut chunks.layout);
    rayon::in_place_scope(|scope| {
        let (layout, done, map) = (&layout, &done, &map);
        let mut n = 0usize;
        loop {
            match chunks.next_chunk() {
                Ok(Some(chunk)) => {
                    let idx = n;
                    n += 1;
                    scope.spawn(move |_| {
                        let mut out = parse_chunk(&chunk, layout, spec, map);
                        // Kept until the report is written: a duplicate is
                        // reported as the bytes it was read from.
                        out.bytes = chunk.bytes;
                        done.lock().push((idx, out));
                    });
                }
                Ok(None) => break,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let mut done = done.into_inner();
    done.sort_unstable_by_key(|(n, _)| *n);
    let repeats = repeated_ids(&done);
    let mut acc = Acceptor::default();
    acc.report.line_endings = chunks.split.endings;
    // The report, in file order.
    for (_, chunk) in &done {
        for o in &chunk.out {
            acc.report.rows += 1;
            match o {
                Outcome::Blank => acc.report.blank += 1,
                Outcome::Bad(b) => acc.report.bad_rows.push(b.clone()),
                Outcome::Row(line, id, _, (start, end)) => match repeats.get(line) {
                    Some(first) => {
                        acc.report.duplicates_in_file += 1;
                        acc.report.bad_rows.push(BadRow::with_bytes(
                            *line,
                            format!("duplicate of line {first} (same id {})", chunk.id(*id)),
                            &chunk.bytes[*start as usize..*end as usize],
                        ));
                    }
                    None => acc.report.imported += 1,
                },
            }
        }
    }
    // The good rows move once, in file order, into a vector of their exact
    // size (collecting in parallel grew and concatenated per-thread vectors,
    // moving every row several times).
    let mut rows: Vec<T> = Vec::with_capacity(acc.report.imported as usize);
    for (_, chunk) in done {
        rows.extend(chunk.out.into_iter().filter_map(|o| match o {
            Outcome::Row(line, _, value, _) if !repeats.contains_key(&line) => Some(value),
            _ => None,
        }));
    }
    Ok((rows, acc.report))
}

/// A parsed chunk: what each record became, and the good rows' ids in one
/// string (one allocation per chunk, not per row).
struct Parsed<T> {
    ids: String,
    out: Vec<Outcome<T>>,
    /// The chunk's bytes, when the caller keeps them for the report.
    bytes: Vec<u8>,
}

impl<T> Parsed<T> {
    fn id(&self, (start, end): (u32, u32)) -> &str {
        &self.ids[start as usize..end as usize]
    }
}

/// What one CSV record became.
enum Outcome<T> {
    /// A good row: its line, id (a range of [`Parsed::ids`]), value, and
    /// its record's span in the chunk's bytes.
    Row(u64, (u32, u32), T, (u32, u32)),
    /// A bad row.
    Bad(BadRow),
    /// A row of empty fields (counted, not reported).
    Blank,
}

/// Parse a chunk of whole records.
fn parse_chunk<T>(
    c: &Chunk,
    layout: &Layout,
    spec: &ImportSpec,
    map: impl Fn(&RowValues<'_>) -> T,
) -> Parsed<T> {
    let mut record = Record::default();
    let mut scratch = Vec::new();
    let mut out = Vec::with_capacity(c.recs.len());
    let mut ids = String::with_capacity(c.recs.len() * 8);
    for r in &c.recs {
        let bytes = &c.bytes[r.start..r.end];
        if let Some(reason) = &r.broken {
            out.push(Outcome::Bad(BadRow::with_bytes(
                r.line,
                format!("malformed CSV: {reason}; reading resumed on the next line"),
                bytes,
            )));
            continue;
        }
        if let Err((field, valid)) = record.decode(bytes, &mut scratch) {
            out.push(Outcome::Bad(BadRow::with_bytes(
                r.line,
                format!(
                    "malformed CSV: invalid UTF-8 in field {} after {valid} valid bytes",
                    field + 1
                ),
                bytes,
            )));
            continue;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            out.push(Outcome::Blank);
            continue;
        }
        out.push(match convert(layout, spec, r.line, &record, bytes) {
            Ok(v) => {
                let start = ids.len() as u32;
                ids.push_str(&v.id);
                let span = (r.start as u32, r.end as u32);
                Outcome::Row(v.line, (start, ids.len() as u32), map(&v), span)
            }
            Err(b) => Outcome::Bad(b),
        });
    }
    Parsed {
        ids,
        out,
        bytes: Vec::new(),
    }
}

/// Lines whose id repeats an earlier good row's, mapped to that row's line.
/// Found on every core: rows sorted by the hash of their id, and only
/// neighbours with equal hashes compared (no table of a million ids).
fn repeated_ids<T: Sync>(done: &[(usize, Parsed<T>)]) -> HashMap<u64, u64> {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let hasher = foldhash::fast::FixedState::with_seed(0x1D5);
    let mut keyed: Vec<(u64, u64, &str)> = done
        .par_iter()
        .flat_map_iter(|(_, b)| {
            b.out.iter().filter_map(|o| match o {
                Outcome::Row(line, id, _, _) => {
                    let id = b.id(*id);
                    Some((hasher.hash_one(id), *line, id))
                }
                _ => None,
            })
        })
        .collect();
    keyed.par_sort_unstable_by_key(|k| (k.0, k.1));
    let mut out = HashMap::new();
    for run in keyed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        // A run is in line order: an id's first line comes first.
        for (i, (_, line, id)) in run.iter().enumerate() {
            if let Some((_, first, _)) = run[..i].iter().find(|(_, _, x)| x == id) {
                out.insert(*line, *first);
            }
        }
    }
    out
}

fn convert<'a>(
    layout: &'a Layout,
    spec: &ImportSpec,
    line: u64,
    record: &'a Record,
    bytes: &[u8],
) -> Result<RowValues<'a>, BadRow> {
    if record.len() != layout.names.len() {
        return Err(BadRow::with_bytes(
            line,
            format!(
                "{} fields, the header has {}",
                record.len(),
                layout.names.len()
            ),
            bytes,
        ));
    }
    row_values(record, &layout.cols, layout.id_col, spec, line)
        .map_err(|reason| BadRow::with_bytes(line, reason, bytes))
}

/// The hash an id is remembered by.
fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x1D5).hash_one(id)
}

/// The report so far and the ids already read (in memory that does not grow
/// with the file).
#[derive(Default)]
struct Acceptor {
    seen: super::seen::SeenIds,
    report: ImportReport,
}

impl Acceptor {
    fn bad(&mut self, b: BadRow) {
        self.report.rows += 1;
        self.report.bad_rows.push(b);
    }
}

/// A good row's values after mapping, validation and phone normalization,
/// borrowed from the CSV record. Empty = absent.
#[derive(Clone, Debug, Default)]
pub struct RowValues<'a> {
    /// Line number.
    pub line: u64,
    /// The row's id: the id column, else the phone, the email,
    /// `ext:<external id>`, or `row:<hash of the row's values>`.
    pub id: std::borrow::Cow<'a, str>,
    /// First name.
    pub first_name: &'a str,
    /// Last name.
    pub last_name: &'a str,
    /// Full name as given (not joined from first and last).
    pub name: &'a str,
    /// Phone in E.164.
    pub e164: String,
    /// The phone's WhatsApp id.
    pub wa_id: String,
    /// The phone as typed, when it did not validate (only with
    /// [`ImportSpec::keep_invalid_fields`]; `e164` is then empty).
    pub phone_raw: &'a str,
    /// Email, lowercased.
    pub email: String,
    /// City.
    pub city: &'a str,
    /// Postcode.
    pub postcode: &'a str,
    /// Street address.
    pub address: &'a str,
    /// Date of birth as typed.
    pub date_of_birth: &'a str,
    /// External id.
    pub external_id: &'a str,
    /// Tags of the row (without the spec's added tags).
    pub tags: Vec<&'a str>,
    /// Custom attributes, name and value.
    pub attributes: Vec<(&'a str, &'a str)>,
}

impl RowValues<'_> {
    /// The value of a custom attribute, or "".
    pub fn attribute(&self, name: &str) -> &str {
        self.attributes
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .unwrap_or("")
    }

    /// The row as a contact to store.
    pub fn to_row(&self, spec: &ImportSpec) -> ImportedRow {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let mut c = Contact {
            id: ContactId::new(self.id.to_string()),
            first_name: opt(self.first_name),
            last_name: opt(self.last_name),
            name: opt(self.name),
            // Both are empty or were built from a parsed `E164` (see
            // `accept_phone`), so only the empty case gives `None`.
            e164: E164::try_from(self.e164.as_str()).ok(),
            wa_id: WaId::try_from(self.wa_id.as_str()).ok(),
            email: opt(&self.email),
            city: opt(self.city),
            external_id: opt(self.external_id),
            ..Default::default()
        };
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
        for (k, v) in &self.attributes {
            c.attributes
                .insert(k.to_string(), serde_json::Value::String(v.to_string()));
        }
        let mut extra = BTreeMap::new();
        for (k, v) in [
            ("phone_raw", self.phone_raw),
            ("postcode", self.postcode),
            ("address", self.address),
            ("date_of_birth", self.date_of_birth),
        ] {
            if !v.is_empty() {
                extra.insert(k.to_string(), v.to_string());
                c.attributes
                    .insert(k.to_string(), serde_json::Value::String(v.to_string()));
            }
        }
        c.tags.extend(self.tags.iter().map(|t| t.to_string()));
        c.tags.extend(spec.add_tags.iter().cloned());
        ImportedRow {
            line: self.line,
            contact: c,
            extra,
        }
    }
}

fn row_values<'a>(
    rec: &'a Record,
    cols: &'a [(usize, Field)],
    id_col: Option<usize>,
    spec: &ImportSpec,
    line: u64,
) -> Result<RowValues<'a>, String> {
    let mut v = RowValues {
        line,
        ..Default::default()
    };
    let mut phone_raw = "";
    let mut region: Option<&str> = spec.default_region.as_deref();
    let mut country = String::new();
    for (i, f) in cols {
        let s = rec.get(*i).unwrap_or("").trim();
        if s.is_empty() {
            continue;
        }
        match f {
            Field::FirstName => v.first_name = s,
            Field::LastName => v.last_name = s,
            Field::Name => v.name = s,
            Field::Phone => phone_raw = s,
            Field::Email => {
                let valid = s.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty()
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                });
                if !valid && !spec.keep_invalid_fields {
                    return Err(format!("email {s:?} is not an address"));
                }
                v.email = s.to_ascii_lowercase();
            }
            Field::City => v.city = s,
            Field::Postcode => v.postcode = s,
            Field::Address => v.address = s,
            Field::DateOfBirth => v.date_of_birth = s,
            Field::Country => country = s.to_ascii_uppercase(),
            Field::Tags => v
                .tags
                .extend(s.split([';', '|']).map(str::trim).filter(|t| !t.is_empty())),
            Field::ExternalId => v.external_id = s,
            Field::Attr(name) => v.attributes.push((name.as_str(), s)),
        }
    }
    if !country.is_empty() {
        region = Some(&country);
    }
    if !phone_raw.is_empty() {
        let p = phone_raw;
        let parsed = phone::parse_valid(p, region);
        if spec.keep_invalid_fields && !matches!(parsed, Ok((_, true))) {
            // A contact is not bad because one field is: keep the raw value.
            v.phone_raw = p;
        } else {
            let (e164, valid) = parsed.map_err(|e| format!("phone {p:?}: {e}"))?;
            accept_phone(&mut v, p, region, e164, valid)?;
        }
    } else if spec.require_phone {
        return Err("no phone".into());
    }
    v.id = match id_col.map(|i| rec.get(i).unwrap_or("").trim()) {
        Some("") => return Err("empty id".into()),
        Some(id) => std::borrow::Cow::Borrowed(id),
        None if !v.e164.is_empty() => std::borrow::Cow::Owned(v.e164.clone()),
        None if !v.email.is_empty() => std::borrow::Cow::Owned(v.email.clone()),
        None if !v.external_id.is_empty() => {
            std::borrow::Cow::Owned(format!("ext:{}", v.external_id))
        }
        None => std::borrow::Cow::Owned(content_id(&v)),
    };
    Ok(v)
}

/// A parsed phone into the row: refused when invalid, else its E.164 and wa_id.
fn accept_phone(
    v: &mut RowValues<'_>,
    p: &str,
    region: Option<&str>,
    e164: crate::ids::E164,
    valid: bool,
) -> Result<(), String> {
    if !valid {
        // Rare: the full parse names the region for the report.
        let region = phone::parse(p, region)
            .map(|i| i.region)
            .unwrap_or_default();
        return Err(format!("phone {p:?} is not a valid number in {region}"));
    }
    if let Some(w) = phone::wa_id_candidates(&e164).into_iter().next() {
        v.wa_id = w.into();
    }
    v.e164 = String::from(e164);
    Ok(())
}

/// An id for a row with no key: a hash of its values (names, city, address,
/// postcode, date of birth, attributes), so the same row imported again —
/// from this file or another — is the same contact, never "row N".
fn content_id(v: &RowValues<'_>) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for part in [
        v.first_name,
        v.last_name,
        v.name,
        v.city,
        v.address,
        v.postcode,
        v.date_of_birth,
    ] {
        h.update(part.trim().to_lowercase().as_bytes());
        h.update([0x1F]);
    }
    let mut attrs = v.attributes.clone();
    attrs.sort_unstable();
    for (k, val) in attrs {
        h.update(k.as_bytes());
        h.update([0x1E]);
        h.update(val.trim().as_bytes());
        h.update([0x1F]);
    }
    let d = h.finalize();
    let mut out = String::from("row:");
    for b in &d[..10] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}
