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
#[derive(Default)]
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
    let mut chunks = Chunks::new(input, spec)?;
    let mut acc = Acceptor::default();
    let mut buf = Vec::with_capacity(chunk);
    while let Some(part) = chunks.next_chunk()? {
        let Parsed { ids, out } = parse_chunk(&part, &chunks.layout, spec, |v| v.to_row(spec));
        for o in out {
            match o {
                Outcome::Blank => acc.report.rows += 1,
                Outcome::Bad(b) => acc.bad(b),
                Outcome::Row(line, id, row) => {
                    let id = ids[id.0 as usize..id.1 as usize].to_string();
                    // The row's data stays in the report, as the parsed contact.
                    let raw = || vec![serde_json::to_string(&row.contact).unwrap_or_default()];
                    if acc.admit_id(line, id, raw) {
                        buf.push(row);
                        if buf.len() >= chunk {
                            on_chunk(std::mem::take(&mut buf))?;
                        }
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
pub fn read_csv_map<R: Read, T: Send + Sync>(
    input: R,
    spec: &ImportSpec,
    map: impl Fn(ImportedRow) -> T + Sync,
    dup_raw: impl Fn(&T) -> Vec<String>,
) -> crate::Result<(Vec<T>, ImportReport)> {
    read_csv_values(input, spec, |v| map(v.to_row(spec)), dup_raw)
}

/// Like [`read_csv_map`], but `map` sees the row's values borrowed from the
/// CSV record, before any contact is built: the cheapest way to turn a large
/// file into another shape. Bad rows and duplicate ids are reported the same.
pub fn read_csv_values<R: Read, T: Send + Sync>(
    input: R,
    spec: &ImportSpec,
    map: impl Fn(&RowValues<'_>) -> T + Sync,
    dup_raw: impl Fn(&T) -> Vec<String>,
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
                        let out = parse_chunk(&chunk, layout, spec, map);
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
    // The report, in file order.
    for (_, chunk) in &done {
        for o in &chunk.out {
            acc.report.rows += 1;
            match o {
                Outcome::Blank => {}
                Outcome::Bad(b) => acc.report.bad_rows.push(b.clone()),
                Outcome::Row(line, id, value) => match repeats.get(line) {
                    Some(first) => {
                        acc.report.duplicates_in_file += 1;
                        acc.report.bad_rows.push(BadRow {
                            line: *line,
                            reason: format!(
                                "duplicate of line {first} (same id {})",
                                chunk.id(*id)
                            ),
                            raw: dup_raw(value),
                        });
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
            Outcome::Row(line, _, value) if !repeats.contains_key(&line) => Some(value),
            _ => None,
        }));
    }
    Ok((rows, acc.report))
}

/// A CSV input cut into chunks of whole records, after its header.
struct Chunks<R> {
    input: R,
    layout: Layout,
    buf: Vec<u8>,
    eof: bool,
    /// Line on which the next chunk starts.
    line: u64,
}

impl<R: Read> Chunks<R> {
    /// Chunks of about this size (a few thousand contacts): small files still
    /// spread over the cores.
    const SIZE: usize = 256 * 1024;

    fn new(input: R, spec: &ImportSpec) -> crate::Result<Self> {
        let mut c = Chunks {
            input,
            layout: Layout::default(),
            buf: Vec::with_capacity(2 * Self::SIZE),
            eof: false,
            line: 1,
        };
        let mut scan = RecordEnds::default();
        let header_end = loop {
            c.fill()?;
            if let Some(end) = scan.next_end(&c.buf) {
                break end;
            }
            if c.eof {
                break c.buf.len();
            }
        };
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(&c.buf[..header_end]);
        c.layout = Layout::read(&mut rdr, spec)?;
        c.line += memchr::memchr_iter(b'\n', &c.buf[..header_end]).count() as u64;
        c.buf.drain(..header_end);
        Ok(c)
    }

    /// Read up to `SIZE` more bytes.
    fn fill(&mut self) -> crate::Result<()> {
        let start = self.buf.len();
        self.buf.resize(start + Self::SIZE, 0);
        let mut got = start;
        while got < self.buf.len() {
            match self.input.read(&mut self.buf[got..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(crate::Error::validation("csv", format!("cannot read: {e}")));
                }
            }
        }
        self.buf.truncate(got);
        Ok(())
    }

    /// The next chunk of whole records.
    fn next_chunk(&mut self) -> crate::Result<Option<Chunk>> {
        loop {
            let cut = if self.eof {
                self.buf.len()
            } else {
                RecordEnds::default().last_end(&self.buf).unwrap_or(0)
            };
            if cut > 0 {
                let chunk: Vec<u8> = self.buf.drain(..cut).collect();
                let first = self.line;
                let lines = memchr::memchr_iter(b'\n', &chunk).count();
                self.line += lines as u64;
                return Ok(Some(Chunk {
                    bytes: chunk,
                    first_line: first,
                    lines,
                }));
            }
            if self.eof {
                return Ok(None);
            }
            self.fill()?;
        }
    }
}

/// A parsed chunk: what each record became, and the good rows' ids in one
/// string (one allocation per chunk, not per row).
struct Parsed<T> {
    ids: String,
    out: Vec<Outcome<T>>,
}

impl<T> Parsed<T> {
    fn id(&self, (start, end): (u32, u32)) -> &str {
        &self.ids[start as usize..end as usize]
    }
}

/// Whole records of the input, the line they start on and how many line
/// breaks they hold.
struct Chunk {
    bytes: Vec<u8>,
    first_line: u64,
    lines: usize,
}

/// What one CSV record became.
enum Outcome<T> {
    /// A good row: its line, id (a range of [`Parsed::ids`]) and value.
    Row(u64, (u32, u32), T),
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
    let (chunk, first_line) = (&c.bytes[..], c.first_line);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(chunk);
    // The reader dates a record from where its read began, before the blank
    // lines and the `\n` of a `\r\n` it skips: count those too, so every row
    // has its true line.
    let line_of = |p: &csv::Position| {
        let mut line = p.line();
        for &b in chunk.get(p.byte() as usize..).unwrap_or_default() {
            match b {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
        }
        first_line + line - 1
    };
    let mut record = csv::StringRecord::new();
    // About one record a line: sized once, not grown by doubling.
    let lines = c.lines + 1;
    let mut out = Vec::with_capacity(lines);
    let mut ids = String::with_capacity(lines * 8);
    loop {
        out.push(match next_record(&mut rdr, &mut record, line_of) {
            Next::End => break,
            Next::Blank => Outcome::Blank,
            Next::Bad(b) => Outcome::Bad(b),
            Next::Row(line) => match convert(layout, spec, line, &record) {
                Ok(v) => {
                    let start = ids.len() as u32;
                    ids.push_str(&v.id);
                    Outcome::Row(v.line, (start, ids.len() as u32), map(&v))
                }
                Err(b) => Outcome::Bad(b),
            },
        });
    }
    Parsed { ids, out }
}

/// Finds where CSV records end: a line feed outside quotes, with quotes read
/// as the csv reader reads them (a quote opens a field only at its start;
/// a doubled quote inside one is literal). Chunks cut there parse alike.
#[derive(Default)]
struct RecordEnds {
    quoted: bool,
    at: usize,
}

impl RecordEnds {
    /// The index just past the last record end in `data`.
    fn last_end(&mut self, data: &[u8]) -> Option<usize> {
        let mut last = None;
        while let Some(e) = self.next_end(data) {
            last = Some(e);
        }
        last
    }

    /// The index just past the next record end, continuing the scan.
    fn next_end(&mut self, data: &[u8]) -> Option<usize> {
        while self.at < data.len() {
            if self.quoted {
                let q = memchr::memchr(b'"', &data[self.at..])?;
                let i = self.at + q;
                match data.get(i + 1) {
                    Some(b'"') => self.at = i + 2,
                    // A quote at the very end: wait for the next byte.
                    None => return None,
                    Some(_) => {
                        self.quoted = false;
                        self.at = i + 1;
                    }
                }
                continue;
            }
            let j = memchr::memchr2(b'"', b'\n', &data[self.at..])?;
            let i = self.at + j;
            self.at = i + 1;
            if data[i] == b'\n' {
                return Some(i + 1);
            }
            // A quote opens a quoted field only where a field starts.
            if i == 0 || matches!(data[i - 1], b',' | b'\n' | b'\r') {
                self.quoted = true;
            }
        }
        None
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
                Outcome::Row(line, id, _) => {
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

/// What the reader produced next.
enum Next {
    End,
    Row(u64),
    Blank,
    Bad(BadRow),
}

fn next_record<R: Read>(
    rdr: &mut csv::Reader<R>,
    record: &mut csv::StringRecord,
    line_of: impl Fn(&csv::Position) -> u64,
) -> Next {
    let before = rdr.position().clone();
    match rdr.read_record(record) {
        Ok(false) => Next::End,
        Ok(true) if record.iter().all(|f| f.trim().is_empty()) => Next::Blank,
        Ok(true) => Next::Row(line_of(record.position().unwrap_or(&before))),
        Err(e) => Next::Bad(BadRow {
            line: line_of(e.position().unwrap_or(&before)),
            // No byte offsets in the reason: they are relative to a chunk.
            reason: match e.kind() {
                csv::ErrorKind::Utf8 { err, .. } => format!(
                    "malformed CSV: invalid UTF-8 in field {} after {} valid bytes",
                    err.field() + 1,
                    err.valid_up_to()
                ),
                _ => format!("malformed CSV: {e}"),
            },
            raw: Vec::new(),
        }),
    }
}

fn convert<'a>(
    layout: &'a Layout,
    spec: &ImportSpec,
    line: u64,
    record: &'a csv::StringRecord,
) -> Result<RowValues<'a>, BadRow> {
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
    row_values(record, &layout.cols, layout.id_col, spec, line).map_err(|reason| BadRow {
        line,
        reason,
        raw: raw(),
    })
}

/// Counts rows and drops repeated ids, in file order.
#[derive(Default)]
struct Acceptor {
    seen: HashMap<String, u64, foldhash::fast::RandomState>,
    report: ImportReport,
}

impl Acceptor {
    fn bad(&mut self, b: BadRow) {
        self.report.rows += 1;
        self.report.bad_rows.push(b);
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

/// A good row's values after mapping, validation and phone normalization,
/// borrowed from the CSV record. Empty = absent.
#[derive(Clone, Debug, Default)]
pub struct RowValues<'a> {
    /// Line number.
    pub line: u64,
    /// The row's id (the id column, else the phone, the email or `row:<line>`).
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
            e164: opt(&self.e164),
            wa_id: opt(&self.wa_id),
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
    rec: &'a csv::StringRecord,
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
                if !valid {
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
        let (e164, valid) =
            phone::parse_valid(p, region).map_err(|e| format!("phone {p:?}: {e}"))?;
        if !valid {
            // Rare: the full parse names the region for the report.
            let region = phone::parse(p, region)
                .map(|i| i.region)
                .unwrap_or_default();
            return Err(format!("phone {p:?} is not a valid number in {region}"));
        }
        if let Some(w) = phone::wa_id_candidates(&e164).into_iter().next() {
            v.wa_id = w.0;
        }
        v.e164 = String::from(e164);
    } else if spec.require_phone {
        return Err("no phone".into());
    }
    v.id = match id_col.map(|i| rec.get(i).unwrap_or("").trim()) {
        Some("") => return Err("empty id".into()),
        Some(id) => std::borrow::Cow::Borrowed(id),
        None if !v.e164.is_empty() => std::borrow::Cow::Owned(v.e164.clone()),
        None if !v.email.is_empty() => std::borrow::Cow::Owned(v.email.clone()),
        None => std::borrow::Cow::Owned(format!("row:{line}")),
    };
    Ok(v)
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
