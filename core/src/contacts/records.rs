//! CSV bytes → records, before any field is decoded. Line endings (LF, CRLF,
//! CR, mixed) are read from the data; a quoted field is bounded (lines and
//! bytes) so one stray quote breaks one row — reported at its line — and the
//! reader resynchronises on the next line instead of swallowing the file; the
//! scan of a record resumes where it stopped when more bytes arrive, so no
//! input is ever rescanned.

use std::io::Read;

use serde::{Deserialize, Serialize};

/// Bounds on one quoted field: past either, the row is broken at its first
/// line and reading resumes on the line after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLimits {
    /// Line breaks a quoted field may hold.
    pub max_lines: u32,
    /// Bytes a quoted field may hold.
    pub max_bytes: usize,
}

impl Default for QuoteLimits {
    fn default() -> Self {
        // Generous for notes and addresses; small enough that a stray quote
        // costs little.
        QuoteLimits {
            max_lines: 100,
            max_bytes: 1 << 20,
        }
    }
}

/// Record terminators seen in a file, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineEndings {
    /// `\n`.
    pub lf: u64,
    /// `\r\n`.
    pub crlf: u64,
    /// `\r` alone (classic Mac, Excel "CSV (Macintosh)").
    pub cr: u64,
}

impl LineEndings {
    /// `lf`, `crlf`, `cr`, `mixed`, or `none` (a single line).
    pub fn kind(&self) -> &'static str {
        match (self.lf > 0, self.crlf > 0, self.cr > 0) {
            (false, false, false) => "none",
            (true, false, false) => "lf",
            (false, true, false) => "crlf",
            (false, false, true) => "cr",
            _ => "mixed",
        }
    }

    fn count(&mut self, t: Term) {
        match t {
            Term::Lf => self.lf += 1,
            Term::CrLf => self.crlf += 1,
            Term::Cr => self.cr += 1,
            Term::Eof => {}
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Term {
    Lf,
    CrLf,
    Cr,
    Eof,
}

/// One record of a chunk: its bytes (without terminator), the line it
/// starts on, and why it is broken, if it is.
pub(crate) struct Rec {
    pub start: usize,
    pub end: usize,
    pub line: u64,
    pub broken: Option<String>,
}

/// Whole records of the input.
pub(crate) struct Chunk {
    pub bytes: Vec<u8>,
    pub recs: Vec<Rec>,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum St {
    #[default]
    FieldStart,
    Unquoted,
    Quoted,
    /// Broken: the record is its first physical line.
    SkipLine,
}

/// Where the scan of the current record stands (offsets from its start).
#[derive(Default)]
struct Scan {
    at: usize,
    st: St,
    commas: u32,
    breaks: u32,
    quote_open: usize,
    quote_line: u32,
    broken: Option<String>,
    /// Bytes of a broken record's line dropped after its kept prefix.
    dropped: u64,
}

/// Bytes of a broken, over-long line kept for the report; the rest of the
/// line is skipped as it streams past, so no line is ever held whole.
pub(crate) const KEEP_PREFIX: usize = 4096;

enum Step {
    More,
    Done { end: usize, next: usize, term: Term },
}

impl Scan {
    fn step(&mut self, b: &[u8], eof: bool, lim: &QuoteLimits, expect: Option<usize>) -> Step {
        loop {
            match self.st {
                St::FieldStart if self.at > lim.max_bytes => self.oversize(lim),
                St::FieldStart => match b.get(self.at) {
                    None if eof => return self.finish(b.len(), b.len(), Term::Eof, expect),
                    None => return Step::More,
                    Some(b'"') => {
                        self.st = St::Quoted;
                        self.quote_open = self.at;
                        self.quote_line = self.breaks;
                        self.at += 1;
                    }
                    Some(_) => self.st = St::Unquoted,
                },
                St::Unquoted => {
                    let Some(j) = memchr::memchr3(b',', b'\n', b'\r', &b[self.at..]) else {
                        self.at = b.len();
                        if self.at > lim.max_bytes {
                            self.oversize(lim);
                            continue;
                        }
                        if eof {
                            return self.finish(b.len(), b.len(), Term::Eof, expect);
                        }
                        return Step::More;
                    };
                    let i = self.at + j;
                    match b[i] {
                        b',' => {
                            self.commas += 1;
                            self.at = i + 1;
                            self.st = St::FieldStart;
                        }
                        b'\n' => return self.finish(i, i + 1, Term::Lf, expect),
                        _ => match b.get(i + 1) {
                            Some(b'\n') => return self.finish(i, i + 2, Term::CrLf, expect),
                            Some(_) => return self.finish(i, i + 1, Term::Cr, expect),
                            None if eof => return self.finish(i, i + 1, Term::Cr, expect),
                            None => {
                                self.at = i;
                                return Step::More;
                            }
                        },
                    }
                }
                St::Quoted => {
                    let Some(j) = memchr::memchr3(b'"', b'\n', b'\r', &b[self.at..]) else {
                        self.at = b.len();
                        if b.len() - self.quote_open > lim.max_bytes {
                            self.break_row(format!(
                                "a quoted field runs past {} bytes (unbalanced quote?)",
                                lim.max_bytes
                            ));
                            continue;
                        }
                        if eof {
                            self.break_row("a quoted field is not closed before the end of the file (stray quote?)".into());
                            continue;
                        }
                        return Step::More;
                    };
                    let i = self.at + j;
                    if i - self.quote_open > lim.max_bytes {
                        self.break_row(format!(
                            "a quoted field runs past {} bytes (unbalanced quote?)",
                            lim.max_bytes
                        ));
                        continue;
                    }
                    match b[i] {
                        b'"' => match b.get(i + 1) {
                            Some(b'"') => self.at = i + 2,
                            // A field over several lines whose closing quote
                            // runs into text is a stray quote closed by a
                            // quote of a later row.
                            Some(c)
                                if self.breaks > self.quote_line
                                    && !matches!(c, b',' | b'\n' | b'\r') =>
                            {
                                self.break_row(format!(
                                    "a quoted field over {} lines closes inside a field (unbalanced quote?)",
                                    self.breaks - self.quote_line + 1
                                ));
                            }
                            Some(_) => {
                                self.at = i + 1;
                                self.st = St::Unquoted;
                            }
                            None if eof => {
                                self.at = i + 1;
                                self.st = St::Unquoted;
                            }
                            None => {
                                self.at = i;
                                return Step::More;
                            }
                        },
                        b'\n' => {
                            self.breaks += 1;
                            self.at = i + 1;
                        }
                        // `\r`: a break of its own unless a `\n` follows (counted there).
                        _ => match b.get(i + 1) {
                            Some(b'\n') => self.at = i + 1,
                            Some(_) => {
                                self.breaks += 1;
                                self.at = i + 1;
                            }
                            None if eof => {
                                self.breaks += 1;
                                self.at = i + 1;
                            }
                            None => {
                                self.at = i;
                                return Step::More;
                            }
                        },
                    }
                    if self.st != St::Quoted {
                        continue;
                    }
                    if self.breaks - self.quote_line > lim.max_lines {
                        self.break_row(format!(
                            "a quoted field runs past {} lines (unbalanced quote?)",
                            lim.max_lines
                        ));
                    } else if self.at - self.quote_open > lim.max_bytes {
                        self.break_row(format!(
                            "a quoted field runs past {} bytes (unbalanced quote?)",
                            lim.max_bytes
                        ));
                    }
                }
                St::SkipLine => {
                    let Some(j) = memchr::memchr2(b'\n', b'\r', &b[self.at..]) else {
                        self.at = b.len();
                        if eof {
                            return Step::Done {
                                end: b.len(),
                                next: b.len(),
                                term: Term::Eof,
                            };
                        }
                        return Step::More;
                    };
                    let i = self.at + j;
                    let (next, term) = match (b[i], b.get(i + 1)) {
                        (b'\n', _) => (i + 1, Term::Lf),
                        (_, Some(b'\n')) => (i + 2, Term::CrLf),
                        (_, Some(_)) => (i + 1, Term::Cr),
                        (_, None) if eof => (i + 1, Term::Cr),
                        (_, None) => {
                            self.at = i;
                            return Step::More;
                        }
                    };
                    return Step::Done { end: i, next, term };
                }
            }
        }
    }

    /// A line longer than the byte limit outside quotes: broken, and the
    /// rest of its line skipped as it streams (the first line again when an
    /// earlier quoted field spanned lines).
    fn oversize(&mut self, lim: &QuoteLimits) {
        let reason = format!("a line runs past {} bytes", lim.max_bytes);
        if self.breaks == 0 {
            self.broken = Some(reason);
            self.st = St::SkipLine;
        } else {
            self.break_row(reason);
        }
    }

    /// The record is broken: it becomes its first line, scanned again from
    /// its start (bounded by the limits, so never more than once per byte
    /// of those limits).
    fn break_row(&mut self, reason: String) {
        self.broken = Some(reason);
        self.st = St::SkipLine;
        self.breaks = 0;
        self.quote_line = 0;
        self.at = 0;
    }

    fn finish(&mut self, end: usize, next: usize, term: Term, expect: Option<usize>) -> Step {
        // A record over several lines whose field count is wrong is a stray
        // quote that closed on a later row: keep those rows, break this one.
        if self.breaks > 0
            && let Some(n) = expect
            && self.commas as usize + 1 != n
        {
            self.break_row(format!(
                "a quoted field spans {} lines and leaves {} fields, the header has {n} (unbalanced quote?)",
                self.breaks + 1,
                self.commas + 1
            ));
            return Step::More;
        }
        Step::Done { end, next, term }
    }
}

/// A CSV input cut into chunks of whole records.
pub(crate) struct Splitter<R> {
    input: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Line of the record at `pos`.
    line: u64,
    scan: Scan,
    limits: QuoteLimits,
    /// Field count of the header, once read.
    expect: Option<usize>,
    /// Terminators seen so far.
    pub endings: LineEndings,
}

impl<R: Read> Splitter<R> {
    /// Chunks of about this size (a few thousand contacts).
    const SIZE: usize = 256 * 1024;

    pub fn new(input: R, limits: QuoteLimits) -> crate::Result<Self> {
        let mut s = Splitter {
            input,
            buf: Vec::with_capacity(2 * Self::SIZE),
            pos: 0,
            eof: false,
            line: 1,
            scan: Scan::default(),
            limits,
            expect: None,
            endings: LineEndings::default(),
        };
        while s.buf.len() < 3 && !s.eof {
            s.fill()?;
        }
        if s.buf.starts_with(&[0xFF, 0xFE]) || s.buf.starts_with(&[0xFE, 0xFF]) {
            return Err(crate::Error::validation(
                "csv",
                "the file is UTF-16; save it as UTF-8 (CSV UTF-8)",
            ));
        }
        if s.buf.starts_with(b"\xEF\xBB\xBF") {
            s.pos = 3;
        }
        Ok(s)
    }

    /// The header's field names (lossy), or `None` for an empty input. Later
    /// records spanning lines must have as many fields.
    pub fn header(&mut self) -> crate::Result<Option<Vec<String>>> {
        loop {
            let Some(rec) = self.next_record()? else {
                return Ok(None);
            };
            if rec.start == rec.end {
                continue;
            }
            let mut scratch = Vec::new();
            let mut ends = Vec::new();
            unescape(&self.buf[rec.start..rec.end], &mut scratch, &mut ends);
            let names: Vec<String> = fields(&scratch, &ends)
                .map(|f| String::from_utf8_lossy(f).trim().to_string())
                .collect();
            self.expect = Some(names.len());
            return Ok(Some(names));
        }
    }

    /// The next chunk of whole records (empty lines left out).
    pub fn next_chunk(&mut self) -> crate::Result<Option<Chunk>> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let mut recs = Vec::new();
        while self.pos < Self::SIZE {
            let Some(r) = self.next_record()? else {
                break;
            };
            if r.start == r.end && r.broken.is_none() {
                continue;
            }
            // The buffer starts at this chunk and is only appended to while
            // it is built, so buffer offsets are chunk offsets.
            recs.push(r);
        }
        if recs.is_empty() && self.eof && self.pos >= self.buf.len() {
            return Ok(None);
        }
        let bytes = self.buf[..self.pos].to_vec();
        Ok(Some(Chunk { bytes, recs }))
    }

    /// The next record (offsets into `buf`), reading more input as needed.
    fn next_record(&mut self) -> crate::Result<Option<Rec>> {
        loop {
            if self.pos >= self.buf.len() && self.eof {
                return Ok(None);
            }
            match self
                .scan
                .step(&self.buf[self.pos..], self.eof, &self.limits, self.expect)
            {
                Step::More => {
                    if self.eof {
                        // `step` never asks for more at the end of input.
                        return Ok(None);
                    }
                    if self.scan.st == St::SkipLine && self.scan.at > KEEP_PREFIX {
                        // A broken line: keep its prefix, drop what was
                        // scanned after it.
                        let from = self.pos + KEEP_PREFIX;
                        self.buf.drain(from..self.pos + self.scan.at);
                        self.scan.dropped += (self.scan.at - KEEP_PREFIX) as u64;
                        self.scan.at = KEEP_PREFIX;
                    }
                    self.fill()?;
                }
                Step::Done { end, next, term } => {
                    let scan = std::mem::take(&mut self.scan);
                    // A broken line is reported by its prefix and its length.
                    let (broken, kept) = match scan.broken {
                        Some(r) if scan.dropped > 0 || end > KEEP_PREFIX => (
                            Some(format!(
                                "{r}; the line holds {} bytes, the first {KEEP_PREFIX} are kept",
                                end as u64 + scan.dropped
                            )),
                            KEEP_PREFIX,
                        ),
                        r => (r, end),
                    };
                    let rec = Rec {
                        start: self.pos,
                        end: self.pos + kept,
                        line: self.line,
                        broken,
                    };
                    self.endings.count(term);
                    self.line += scan.breaks as u64 + u64::from(term != Term::Eof);
                    self.pos += next;
                    return Ok(Some(rec));
                }
            }
        }
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
}

/// Decode a record's fields into `out` (quotes removed, `""` → `"`), with
/// each field's end offset in `ends`. Reads quotes as common CSV readers do:
/// a quote opens a field only at its start; text after a closing quote joins
/// the field.
pub(crate) fn unescape(rec: &[u8], out: &mut Vec<u8>, ends: &mut Vec<usize>) {
    out.clear();
    ends.clear();
    let mut i = 0;
    loop {
        if rec.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match memchr::memchr(b'"', &rec[i..]) {
                    None => {
                        out.extend_from_slice(&rec[i..]);
                        i = rec.len();
                        break;
                    }
                    Some(q) => {
                        out.extend_from_slice(&rec[i..i + q]);
                        i += q + 1;
                        if rec.get(i) == Some(&b'"') {
                            out.push(b'"');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
        }
        match memchr::memchr(b',', &rec[i..]) {
            Some(c) => {
                out.extend_from_slice(&rec[i..i + c]);
                ends.push(out.len());
                i += c + 1;
            }
            None => {
                out.extend_from_slice(&rec[i..]);
                ends.push(out.len());
                return;
            }
        }
    }
}

/// The fields `unescape` produced.
pub(crate) fn fields<'a>(out: &'a [u8], ends: &'a [usize]) -> impl Iterator<Item = &'a [u8]> {
    ends.iter().scan(0, move |start, &end| {
        let f = &out[*start..end];
        *start = end;
        Some(f)
    })
}

/// A decoded record: UTF-8 text with field boundaries.
#[derive(Default)]
pub(crate) struct Record {
    text: String,
    ends: Vec<usize>,
}

impl Record {
    /// Decode `rec`; `Err((field, valid_up_to_in_field))` on invalid UTF-8,
    /// with `scratch` and `ends` holding the unescaped bytes.
    pub fn decode(&mut self, rec: &[u8], scratch: &mut Vec<u8>) -> Result<(), (usize, usize)> {
        unescape(rec, scratch, &mut self.ends);
        match simdutf8::basic::from_utf8(scratch) {
            Ok(s) => {
                self.text.clear();
                self.text.push_str(s);
                Ok(())
            }
            Err(_) => {
                let e = std::str::from_utf8(scratch)
                    .err()
                    .map(|e| e.valid_up_to())
                    .unwrap_or(0);
                let field = self.ends.partition_point(|&end| end <= e);
                let start = if field == 0 { 0 } else { self.ends[field - 1] };
                Err((field, e - start))
            }
        }
    }

    /// Field count.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    /// Every field.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// The fields of undecodable bytes, lossy (for a bad row's report).
pub(crate) fn lossy_fields(rec: &[u8]) -> Vec<String> {
    let (mut out, mut ends) = (Vec::new(), Vec::new());
    unescape(rec, &mut out, &mut ends);
    fields(&out, &ends)
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}
