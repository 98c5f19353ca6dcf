//! Records prepared for comparison, and the comparison of two records into a
//! vector of agreement levels (one small integer per field, packed in a u64).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::normalize::{
    date_key, date_key_into, edit_distance, fold, fold_into, jaro_winkler, similarity,
    similarity_at_least, sorted_tokens_into,
};
use crate::store::Contact;

/// Level 0: a side lacks the field; the comparison says nothing.
pub const NULL: u8 = 0;
/// Level 1: both sides have the field and it differs.
pub const DIFFERS: u8 = 1;

/// The fields of a comparison record, in the order their text is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum F {
    Given,
    Surname,
    /// Sorted name tokens.
    Full,
    Phone,
    WaId,
    Bsuid,
    /// The phone's last eight digits, however it was typed (valid or not).
    PhoneTail,
    Email,
    /// Mailbox without dots and `+tags`.
    EmailLocal,
    EmailDomain,
    ExternalId,
    /// `YYYYMMDD` (or the digits typed).
    Dob,
    City,
    Postcode,
    Address,
    /// SKUs bought, lowercased, `;`-separated.
    Skus,
}

const NF: usize = F::Skus as usize + 1;

/// `sku_day` when the purchase date is unknown.
const NO_DAY: i32 = i32::MIN;

/// A contact reduced to the folded values dedupe compares. Empty = absent.
///
/// Every field's text sits in one buffer and every field has a hash, so a
/// comparison of two records reads two structs and two buffers (a million
/// records compared at random would otherwise miss the cache once per field),
/// and most inequalities are settled on the hashes alone.
#[derive(Clone, Debug, Default)]
// Field order is layout: what a comparison reads fills the first two cache
// lines; the id and custom attributes (read rarely) come after.
#[repr(C, align(64))]
pub struct DedupeRecord {
    /// Hash of each field (0 = empty); equal text, equal hash, whatever the field.
    hash: [u32; NF],
    /// End offset of each field in `text`.
    ends: [u16; NF],
    text: Box<str>,
    /// Day (from the common era) the SKUs were bought, or [`NO_DAY`].
    sku_day: i32,
    /// Which input the record came from (link mode compares across sources).
    pub(crate) source: u16,
    /// How many fields are filled: the fullest record survives a merge.
    pub(crate) filled: u16,
    /// The record's id, written to the output.
    pub id: String,
    pub(crate) attrs: Box<[Box<str>]>,
}

/// Longest text a record keeps for all its fields together (offsets are
/// 16-bit); a field that would overflow it is cut at a character boundary.
const MAX_TEXT: usize = u16::MAX as usize;

/// Which attributes a record carries beyond the standard fields.
#[derive(Clone, Debug, Default)]
pub struct RecordSchema {
    /// Attribute names compared, in order.
    pub attributes: Vec<String>,
    /// Attribute holding SKUs bought (`;` or `|` separated).
    pub sku_attribute: String,
    /// Attribute holding the purchase date.
    pub purchase_date_attribute: String,
}

/// Attributes the importer fills from canonical fields; compared as fields.
pub(crate) const RESERVED_ATTRS: [&str; 4] = ["postcode", "address", "date_of_birth", "phone_raw"];

/// The values a comparison record is built from, borrowed from a contact or
/// straight from a CSV row. Empty = absent.
#[derive(Clone, Debug, Default)]
pub struct RecordInput<'a> {
    /// Record id.
    pub id: &'a str,
    /// First name.
    pub first_name: &'a str,
    /// Last name.
    pub last_name: &'a str,
    /// Full name; compared as a whole (token-sorted) when given, else first
    /// and last name joined are.
    pub name: &'a str,
    /// Phone in E.164.
    pub e164: &'a str,
    /// WhatsApp id.
    pub wa_id: &'a str,
    /// Business-scoped user id.
    pub bsuid: &'a str,
    /// The phone as typed when it did not validate (its digits still compare).
    pub phone_raw: &'a str,
    /// Email.
    pub email: &'a str,
    /// External id.
    pub external_id: &'a str,
    /// Date of birth as typed.
    pub date_of_birth: &'a str,
    /// City.
    pub city: &'a str,
    /// Postcode.
    pub postcode: &'a str,
    /// Street address.
    pub address: &'a str,
    /// Values of the schema's attributes, in its order.
    pub attributes: Vec<std::borrow::Cow<'a, str>>,
    /// SKUs bought (`;`, `|` or `,` separated).
    pub skus: std::borrow::Cow<'a, str>,
    /// Purchase date.
    pub purchased_at: std::borrow::Cow<'a, str>,
    /// Number of tags.
    pub tags: usize,
}

fn attr_str<'a>(c: &'a Contact, k: &str) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    match c.attributes.get(k) {
        Some(serde_json::Value::String(s)) => Cow::Borrowed(s),
        Some(serde_json::Value::Null) | None => Cow::Borrowed(""),
        Some(v) => Cow::Owned(v.to_string()),
    }
}

fn field_hash(s: &str) -> u32 {
    use std::hash::BuildHasher;
    if s.is_empty() {
        return 0;
    }
    // 32 bits settle inequality; equal hashes are confirmed on the text.
    // 0 means "empty"; move a real zero hash out of the way.
    (foldhash::fast::FixedState::with_seed(0xF1E1D).hash_one(s) as u32).max(1)
}

/// Lays the fields out in order into one buffer.
struct Layout<'b> {
    text: &'b mut String,
    hash: [u32; NF],
    ends: [u16; NF],
    next: usize,
}

impl Layout<'_> {
    /// Append field `f` (fields come in order) by writing it into the buffer.
    fn push_with(&mut self, f: F, write: impl FnOnce(&mut String)) {
        debug_assert_eq!(f as usize, self.next, "fields are pushed in order");
        let start = self.text.len();
        write(self.text);
        if self.text.len() > MAX_TEXT {
            let mut cut = MAX_TEXT;
            while !self.text.is_char_boundary(cut) {
                cut -= 1;
            }
            self.text.truncate(cut);
        }
        self.hash[self.next] = field_hash(&self.text[start..]);
        self.ends[self.next] = self.text.len() as u16;
        self.next += 1;
    }

    fn push(&mut self, f: F, s: &str) {
        self.push_with(f, |t| t.push_str(s));
    }

    fn field(&self, f: F) -> &str {
        let i = f as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

thread_local! {
    // Per-thread text and scratch buffers: a record costs one allocation of
    // its exact size, however many fields it folds.
    static BUFFERS: std::cell::RefCell<(String, String)> =
        std::cell::RefCell::new((String::with_capacity(256), String::with_capacity(128)));
}

impl DedupeRecord {
    /// Prepare a contact (as imported or as stored) for comparison.
    pub fn from_contact(c: &Contact, schema: &RecordSchema) -> Self {
        fn s(o: &Option<String>) -> &str {
            o.as_deref().unwrap_or("")
        }
        let (dob, postcode, address, phone_raw) = (
            attr_str(c, "date_of_birth"),
            attr_str(c, "postcode"),
            attr_str(c, "address"),
            attr_str(c, "phone_raw"),
        );
        Self::build(
            &RecordInput {
                id: &c.id.0,
                first_name: s(&c.first_name),
                last_name: s(&c.last_name),
                name: s(&c.name),
                e164: c.e164.as_deref().unwrap_or(""),
                wa_id: c.wa_id.as_deref().unwrap_or(""),
                bsuid: c.bsuid.as_deref().unwrap_or(""),
                phone_raw: &phone_raw,
                email: c.email.as_deref().unwrap_or(""),
                external_id: c.external_id.as_deref().unwrap_or(""),
                date_of_birth: &dob,
                city: c.city.as_deref().unwrap_or(""),
                postcode: &postcode,
                address: &address,
                attributes: schema.attributes.iter().map(|a| attr_str(c, a)).collect(),
                skus: attr_str(c, &schema.sku_attribute),
                purchased_at: attr_str(c, &schema.purchase_date_attribute),
                tags: c.tags.len(),
            },
            schema,
        )
    }

    /// Prepare a CSV row's values for comparison (no contact is built).
    pub fn from_row(v: &crate::contacts::RowValues<'_>, schema: &RecordSchema) -> Self {
        Self::build(
            &RecordInput {
                id: &v.id,
                first_name: v.first_name,
                last_name: v.last_name,
                name: v.name,
                e164: &v.e164,
                wa_id: &v.wa_id,
                bsuid: "",
                phone_raw: v.phone_raw,
                email: &v.email,
                external_id: v.external_id,
                date_of_birth: v.date_of_birth,
                city: v.city,
                postcode: v.postcode,
                address: v.address,
                attributes: schema
                    .attributes
                    .iter()
                    .map(|a| std::borrow::Cow::Borrowed(v.attribute(a)))
                    .collect(),
                skus: std::borrow::Cow::Borrowed(v.attribute(&schema.sku_attribute)),
                purchased_at: std::borrow::Cow::Borrowed(
                    v.attribute(&schema.purchase_date_attribute),
                ),
                tags: v.tags.len(),
            },
            schema,
        )
    }

    /// Prepare borrowed values for comparison.
    pub fn build(v: &RecordInput<'_>, _schema: &RecordSchema) -> Self {
        BUFFERS.with_borrow_mut(|(text, tmp)| {
            text.clear();
            let mut l = Layout {
                text,
                hash: [0; NF],
                ends: [0; NF],
                next: 0,
            };
            l.push_with(F::Given, |o| fold_into(v.first_name, o));
            l.push_with(F::Surname, |o| fold_into(v.last_name, o));
            let (given, surname) = (l.field(F::Given), l.field(F::Surname));
            tmp.clear();
            if !v.name.trim().is_empty() {
                fold_into(v.name, tmp);
            } else {
                tmp.push_str(given);
                if !given.is_empty() && !surname.is_empty() {
                    tmp.push(' ');
                }
                tmp.push_str(surname);
            }
            l.push_with(F::Full, |o| sorted_tokens_into(tmp, o));
            l.push(F::Phone, v.e164.trim());
            l.push(F::WaId, v.wa_id.trim());
            l.push(F::Bsuid, v.bsuid.trim());
            l.push_with(F::PhoneTail, |o| {
                let number = [v.e164, v.wa_id, v.phone_raw]
                    .into_iter()
                    .find(|s| !s.trim().is_empty())
                    .unwrap_or("");
                phone_tail_into(number, o)
            });
            l.push_with(F::Email, |o| {
                o.extend(v.email.trim().chars().flat_map(char::to_lowercase))
            });
            tmp.clear();
            tmp.push_str(l.field(F::Email));
            let (local, domain) = tmp.split_once('@').unwrap_or(("", ""));
            // Gmail ignores dots and +tags in the local part; so do people.
            let local = local.split('+').next().unwrap_or(local);
            l.push_with(F::EmailLocal, |o| {
                o.extend(local.chars().filter(|c| *c != '.'))
            });
            l.push(F::EmailDomain, domain);
            l.push_with(F::ExternalId, |o| {
                o.extend(v.external_id.trim().chars().map(|c| c.to_ascii_lowercase()))
            });
            l.push_with(F::Dob, |o| date_key_into(v.date_of_birth, o));
            l.push_with(F::City, |o| fold_into(v.city, o));
            l.push_with(F::Postcode, |o| {
                o.extend(
                    v.postcode
                        .chars()
                        .filter(|c| c.is_alphanumeric())
                        .flat_map(char::to_lowercase),
                )
            });
            l.push_with(F::Address, |o| fold_into(v.address, o));
            let attrs: Box<[Box<str>]> = v
                .attributes
                .iter()
                .map(|a| fold(a).into_boxed_str())
                .collect();
            l.push_with(F::Skus, |o| {
                let start = o.len();
                for sku in v.skus.split([';', '|', ',']).map(str::trim) {
                    if !sku.is_empty() {
                        if o.len() > start {
                            o.push(';');
                        }
                        o.extend(sku.chars().map(|c| c.to_ascii_lowercase()));
                    }
                }
            });
            let sku_day = if l.hash[F::Skus as usize] != 0 {
                parse_day(&v.purchased_at).unwrap_or(NO_DAY)
            } else {
                NO_DAY
            };
            // The email's parts are derived, not filled in by anyone; SKUs
            // are evidence, not contact data.
            let derived = [
                F::PhoneTail as usize,
                F::EmailLocal as usize,
                F::EmailDomain as usize,
                F::Skus as usize,
            ];
            let filled = (0..NF)
                .filter(|i| !derived.contains(i) && l.hash[*i] != 0)
                .count()
                + attrs.iter().filter(|s| !s.is_empty()).count()
                + v.tags.min(20);
            DedupeRecord {
                id: v.id.to_string(),
                hash: l.hash,
                ends: l.ends,
                text: l.text.as_str().into(),
                filled: filled as u16,
                source: 0,
                attrs,
                sku_day,
            }
        })
    }

    /// Ask for the record's hot lines and text ahead of a comparison.
    #[inline]
    /// `text`: the text (read the record's pointer: its lines should be in
    /// by now); else the record's own two lines (no read at all).
    pub(crate) fn prefetch(&self, text: bool) {
        if text {
            crate::mem::prefetch_ptr(self.text.as_ptr());
        } else {
            let base = self as *const Self as *const u8;
            crate::mem::prefetch_ptr(base);
            crate::mem::prefetch_ptr(base.wrapping_add(64));
        }
    }

    /// Whether the record has a given name or surname (else only a full name).
    #[inline]
    pub(crate) fn split_name(&self) -> bool {
        self.has(F::Given) || self.has(F::Surname)
    }

    /// The text of a field.
    #[inline]
    pub(crate) fn get(&self, f: F) -> &str {
        let i = f as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// Whether a field is filled.
    #[inline]
    pub(crate) fn has(&self, f: F) -> bool {
        self.hash[f as usize] != 0
    }

    /// Whether field `f` of this record equals field `g` of `o`, both filled.
    /// Different hashes settle it without touching the text.
    #[inline]
    pub(crate) fn same(&self, f: F, o: &DedupeRecord, g: F) -> bool {
        let h = self.hash[f as usize];
        h != 0 && h == o.hash[g as usize] && self.get(f) == o.get(g)
    }
}

/// Digits of a phone's tail compared when a number does not validate.
const TAIL_DIGITS: usize = 8;

/// The last [`TAIL_DIGITS`] digits of a phone however it was typed (digits of
/// any script and full width folded; an extension dropped), or nothing when
/// it has fewer than six. Everything people and WhatsApp vary sits before
/// them: the country code, `+` or `00` or another international prefix, the
/// trunk 0, Mexico's `1` after 52, Brazil's ninth digit, Argentina's `9` after
/// 54 and `15` after the area code.
fn phone_tail_into(number: &str, out: &mut String) {
    let mut buf = [0u8; TAIL_DIGITS];
    let mut n = 0usize;
    let mut push = |d: u8| {
        buf[n % TAIL_DIGITS] = d;
        n += 1;
    };
    if number.is_ascii() {
        for b in number.bytes() {
            if b.is_ascii_digit() {
                push(b);
            } else if b.is_ascii_alphabetic() || b == b'#' || b == b';' {
                // `x508`, `ext. 508`, `;ext=508`: what follows is an extension.
                break;
            }
        }
    } else {
        for c in crate::phone::clean_input(number).bytes() {
            if c.is_ascii_digit() {
                push(c);
            }
        }
    }
    if n < 6 {
        return;
    }
    let k = n.min(TAIL_DIGITS);
    for i in n - k..n {
        out.push(char::from(buf[i % TAIL_DIGITS]));
    }
}

impl DedupeRecord {
    /// Whether the record's phone is only as typed: it did not validate.
    #[inline]
    pub(crate) fn phone_unvalidated(&self) -> bool {
        self.has(F::PhoneTail) && !self.has(F::Phone) && !self.has(F::WaId)
    }

    /// Tag the record with the input it came from.
    pub fn with_source(mut self, source: u16) -> Self {
        self.source = source;
        self
    }
}

fn parse_day(s: &str) -> Option<i32> {
    let k = date_key(s.get(..10).unwrap_or(s));
    // The usual key, eight digits, read directly (chrono's format parser is
    // a visible cost over a million rows); anything else as before.
    let d = if k.len() == 8 && k.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| k[r].parse::<u32>().ok();
        NaiveDate::from_ymd_opt(i32::try_from(n(0..4)?).ok()?, n(4..6)?, n(6..8)?)?
    } else {
        NaiveDate::parse_from_str(&k, "%Y%m%d").ok()?
    };
    Some(d.num_days_from_ce())
}

/// One comparison of the model: a field, how many levels it has, and labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Given names (when both sides have split names).
    Given,
    /// Surnames (when both sides have split names).
    Surname,
    /// Whole names, token-sorted (when a side has only a full name).
    FullName,
    /// E.164, wa_id or BSUID shared.
    Phone,
    /// Email: same address, same mailbox at another domain, same domain.
    Email,
    /// External id, with typo tolerance.
    ExternalId,
    /// Date of birth.
    DateOfBirth,
    /// City.
    City,
    /// Postcode.
    Postcode,
    /// Street address.
    Address,
    /// A custom attribute, by index into the schema.
    Attr(usize),
    /// Same SKU bought within the window.
    Sku,
}

/// At most 16 comparisons of 4 bits each fit the packed vector.
pub const MAX_COMPARISONS: usize = 16;

impl Comparison {
    /// Highest level (levels run 1..=top; 0 is null).
    pub fn top(&self) -> u8 {
        match self {
            Comparison::Given
            | Comparison::Surname
            | Comparison::FullName
            | Comparison::Email
            | Comparison::ExternalId
            | Comparison::DateOfBirth => 4,
            Comparison::Phone => 2,
            Comparison::City
            | Comparison::Postcode
            | Comparison::Address
            | Comparison::Attr(_)
            | Comparison::Sku => 3,
        }
    }

    /// Least share of duplicates that differ on this comparison. A person
    /// writes from several numbers (about one customer in six) and uses more
    /// than one e-mail address, so a different phone or e-mail is weak
    /// evidence against a match, never a veto, whatever a fit on one list says.
    pub fn min_m_differs(&self) -> f64 {
        match self {
            Comparison::Phone => 0.2,
            Comparison::Email => 0.1,
            _ => 0.0,
        }
    }

    /// m (share of duplicates at each level) assumed when the model is not
    /// fitted: most duplicates agree exactly, a few only closely, and
    /// contact data differ between duplicates as often as people keep several
    /// numbers, addresses and spellings.
    pub fn prior_m(&self) -> [f64; 5] {
        match self {
            Comparison::Phone => [0.0, 0.35, 0.65, 0.0, 0.0],
            Comparison::Email => [0.0, 0.25, 0.03, 0.07, 0.65],
            Comparison::Given | Comparison::Surname | Comparison::FullName => {
                [0.0, 0.04, 0.08, 0.18, 0.7]
            }
            Comparison::ExternalId | Comparison::DateOfBirth => [0.0, 0.05, 0.05, 0.1, 0.8],
            Comparison::City
            | Comparison::Postcode
            | Comparison::Address
            | Comparison::Attr(_)
            | Comparison::Sku => [0.0, 0.25, 0.1, 0.65, 0.0],
        }
    }

    /// Name used in evidence strings.
    pub fn name<'a>(&self, schema: &'a RecordSchema) -> std::borrow::Cow<'a, str> {
        use std::borrow::Cow;
        match self {
            Comparison::Given => Cow::Borrowed("given_name"),
            Comparison::Surname => Cow::Borrowed("surname"),
            Comparison::FullName => Cow::Borrowed("name"),
            Comparison::Phone => Cow::Borrowed("phone"),
            Comparison::Email => Cow::Borrowed("email"),
            Comparison::ExternalId => Cow::Borrowed("external_id"),
            Comparison::DateOfBirth => Cow::Borrowed("date_of_birth"),
            Comparison::City => Cow::Borrowed("city"),
            Comparison::Postcode => Cow::Borrowed("postcode"),
            Comparison::Address => Cow::Borrowed("address"),
            Comparison::Attr(i) => Cow::Owned(format!(
                "attr:{}",
                schema.attributes.get(*i).map(String::as_str).unwrap_or("?")
            )),
            Comparison::Sku => Cow::Borrowed("sku"),
        }
    }

    /// Label of a level for evidence.
    pub fn level_label(&self, level: u8) -> &'static str {
        match (self, level) {
            (_, NULL) => "null",
            (_, DIFFERS) => "differs",
            (Comparison::Phone, 2) => "same",
            (Comparison::Email, 4) => "same",
            (Comparison::Email, 3) => "same_mailbox",
            (Comparison::Email, 2) => "same_domain",
            (Comparison::Sku, 3) => "same_sku_within_window",
            (Comparison::Sku, 2) => "same_sku",
            (Comparison::Given | Comparison::Surname | Comparison::FullName, 4) => "exact",
            (Comparison::Given | Comparison::Surname | Comparison::FullName, 3) => "close",
            (Comparison::Given | Comparison::Surname | Comparison::FullName, 2) => "similar",
            (Comparison::ExternalId | Comparison::DateOfBirth, 4) => "exact",
            (Comparison::ExternalId | Comparison::DateOfBirth, 3) => "one_edit",
            (Comparison::ExternalId | Comparison::DateOfBirth, 2) => "two_edits",
            (_, 3) => "exact",
            (_, 2) => "similar",
            _ => "?",
        }
    }
}

/// Settings comparisons need.
#[derive(Clone, Debug)]
pub struct CompareSettings {
    /// Lowest name similarity that counts as similar.
    pub name_threshold: f64,
    /// SKU window in days.
    pub sku_window_days: i32,
}

/// Level of a name comparison; the exact case is settled by the caller.
fn name_level(a: &str, b: &str, thr: f64) -> u8 {
    // Below 0.5 (or the threshold, if lower) names differ whatever else holds.
    let Some(lev) = similarity_at_least(a, b, thr.min(0.5)) else {
        return DIFFERS;
    };
    if lev >= 0.9 {
        3
    } else if lev >= thr {
        if jaro_winkler(a, b) >= 0.95 { 3 } else { 2 }
    } else if lev >= 0.5 && jaro_winkler(a, b) >= 0.9 {
        // Jaro–Winkler only where Levenshtein says the names are near: it is
        // the costlier measure and far names never reach 0.9.
        2
    } else {
        DIFFERS
    }
}

/// Whether one name is the other's tokens run together in some order: CJK
/// names are written with and without a space between family and given name
/// ("山田太郎", "山田 太郎", "太郎 山田" once tokens are sorted).
fn same_run_together(a: &str, b: &str) -> bool {
    let (joined, spaced) = match (a.contains(' '), b.contains(' ')) {
        (false, true) => (a, b),
        (true, false) => (b, a),
        _ => return false,
    };
    if joined.len() + spaced.matches(' ').count() != spaced.len() {
        return false;
    }
    let mut tokens = [""; 4];
    let mut n = 0;
    for t in spaced.split(' ') {
        if n == tokens.len() {
            return false;
        }
        tokens[n] = t;
        n += 1;
    }
    fn covers(rest: &str, tokens: &[&str], used: u8) -> bool {
        if rest.is_empty() {
            return used.count_ones() as usize == tokens.len();
        }
        tokens.iter().enumerate().any(|(i, t)| {
            used & (1 << i) == 0
                && rest
                    .strip_prefix(t)
                    .is_some_and(|r| covers(r, tokens, used | (1 << i)))
        })
    }
    covers(joined, &tokens[..n], 0)
}

fn name_field(a: &DedupeRecord, b: &DedupeRecord, f: F, thr: f64) -> u8 {
    if !a.has(f) || !b.has(f) {
        NULL
    } else if a.same(f, b, f) || (f == F::Full && same_run_together(a.get(f), b.get(f))) {
        4
    } else {
        name_level(a.get(f), b.get(f), thr)
    }
}

fn edit_level(a: &DedupeRecord, b: &DedupeRecord, f: F) -> u8 {
    if !a.has(f) || !b.has(f) {
        return NULL;
    }
    if a.same(f, b, f) {
        return 4;
    }
    match edit_distance(a.get(f), b.get(f)) {
        1 => 3,
        2 => 2,
        _ => DIFFERS,
    }
}

fn exact_or_similar(
    a: &DedupeRecord,
    b: &DedupeRecord,
    f: F,
    similar: impl Fn(&str, &str) -> bool,
) -> u8 {
    if !a.has(f) || !b.has(f) {
        NULL
    } else if a.same(f, b, f) {
        3
    } else if similar(a.get(f), b.get(f)) {
        2
    } else {
        DIFFERS
    }
}

fn exact_or_similar_str(a: &str, b: &str, similar: impl Fn(&str, &str) -> bool) -> u8 {
    if a.is_empty() || b.is_empty() {
        NULL
    } else if a == b {
        3
    } else if similar(a, b) {
        2
    } else {
        DIFFERS
    }
}

/// The level of one comparison for a pair.
pub fn level(c: &Comparison, a: &DedupeRecord, b: &DedupeRecord, s: &CompareSettings) -> u8 {
    match c {
        Comparison::Given | Comparison::Surname => {
            if !(a.split_name() && b.split_name()) {
                return NULL;
            }
            // Given name and surname swapped between the records.
            if a.same(F::Given, b, F::Surname) && a.same(F::Surname, b, F::Given) {
                return 3;
            }
            let f = if matches!(c, Comparison::Given) {
                F::Given
            } else {
                F::Surname
            };
            name_field(a, b, f, s.name_threshold)
        }
        Comparison::FullName => {
            if a.split_name() && b.split_name() {
                return NULL;
            }
            name_field(a, b, F::Full, s.name_threshold)
        }
        Comparison::Phone => {
            let mut any = false;
            for f in [F::Phone, F::WaId, F::Bsuid] {
                if a.has(f) && b.has(f) {
                    if a.same(f, b, f) {
                        return 2;
                    }
                    any = true;
                }
            }
            if a.has(F::PhoneTail) && b.has(F::PhoneTail) {
                // A number that did not validate still compares by its digits;
                // two valid numbers that differ are different numbers.
                if (a.phone_unvalidated() || b.phone_unvalidated())
                    && a.same(F::PhoneTail, b, F::PhoneTail)
                {
                    return 2;
                }
                any = true;
            }
            if any { DIFFERS } else { NULL }
        }
        Comparison::Email => {
            if !a.has(F::Email) || !b.has(F::Email) {
                NULL
            } else if a.same(F::Email, b, F::Email) {
                4
            } else if a.same(F::EmailLocal, b, F::EmailLocal) && a.get(F::EmailLocal).len() >= 4 {
                3
            } else if a.same(F::EmailDomain, b, F::EmailDomain) {
                2
            } else {
                DIFFERS
            }
        }
        Comparison::ExternalId => edit_level(a, b, F::ExternalId),
        Comparison::DateOfBirth => edit_level(a, b, F::Dob),
        Comparison::City => exact_or_similar(a, b, F::City, |x, y| {
            // Winkler rewards a shared start; cities that differ there are different.
            x.chars().next() == y.chars().next() && jaro_winkler(x, y) >= 0.9
        }),
        Comparison::Postcode => {
            exact_or_similar(a, b, F::Postcode, |x, y| edit_distance(x, y) <= 1)
        }
        Comparison::Address => exact_or_similar(a, b, F::Address, |x, y| similarity(x, y) >= 0.7),
        Comparison::Attr(i) => {
            let (x, y) = (
                a.attrs.get(*i).map(|s| &**s).unwrap_or(""),
                b.attrs.get(*i).map(|s| &**s).unwrap_or(""),
            );
            exact_or_similar_str(x, y, |x, y| similarity_at_least(x, y, 0.8).is_some())
        }
        Comparison::Sku => {
            if !a.has(F::Skus) || !b.has(F::Skus) {
                return NULL;
            }
            let bought_same = a.same(F::Skus, b, F::Skus)
                || a.get(F::Skus)
                    .split(';')
                    .any(|x| b.get(F::Skus).split(';').any(|y| x == y));
            if !bought_same {
                DIFFERS
            } else if a.sku_day != NO_DAY
                && b.sku_day != NO_DAY
                && (a.sku_day as i64 - b.sku_day as i64).abs() <= s.sku_window_days as i64
            {
                3
            } else {
                2
            }
        }
    }
}

/// Compare two records over every comparison, packed 4 bits each.
pub fn compare(
    comps: &[Comparison],
    a: &DedupeRecord,
    b: &DedupeRecord,
    s: &CompareSettings,
) -> u64 {
    let mut v = 0u64;
    for (i, c) in comps.iter().enumerate() {
        v |= (level(c, a, b, s) as u64) << (4 * i);
    }
    v
}

/// The level of comparison `i` in a packed vector.
pub fn unpack(v: u64, i: usize) -> u8 {
    ((v >> (4 * i)) & 0xF) as u8
}

/// The comparisons worth making for these records: those whose field is
/// filled in at least two records.
pub fn active_comparisons(records: &[DedupeRecord], schema: &RecordSchema) -> Vec<Comparison> {
    let count =
        |f: &dyn Fn(&DedupeRecord) -> bool| records.iter().filter(|r| f(r)).take(2).count() >= 2;
    let mut out = Vec::new();
    let split = count(&|r| r.split_name());
    if split {
        out.push(Comparison::Given);
        out.push(Comparison::Surname);
    }
    if !split || records.iter().any(|r| !r.split_name() && r.has(F::Full)) {
        out.push(Comparison::FullName);
    }
    type Has = fn(&DedupeRecord) -> bool;
    let standard: [(Comparison, Has); 8] = [
        (Comparison::Phone, |r| {
            r.has(F::Phone) || r.has(F::WaId) || r.has(F::Bsuid) || r.has(F::PhoneTail)
        }),
        (Comparison::Email, |r| r.has(F::Email)),
        (Comparison::ExternalId, |r| r.has(F::ExternalId)),
        (Comparison::DateOfBirth, |r| r.has(F::Dob)),
        (Comparison::City, |r| r.has(F::City)),
        (Comparison::Postcode, |r| r.has(F::Postcode)),
        (Comparison::Address, |r| r.has(F::Address)),
        (Comparison::Sku, |r| r.has(F::Skus)),
    ];
    for (c, f) in standard {
        if count(&f) {
            out.push(c);
        }
    }
    for i in 0..schema.attributes.len() {
        if out.len() >= MAX_COMPARISONS {
            break;
        }
        if count(&|r: &DedupeRecord| r.attrs.get(i).is_some_and(|s| !s.is_empty())) {
            out.push(Comparison::Attr(i));
        }
    }
    out.truncate(MAX_COMPARISONS);
    out
}

/// Human-readable evidence for a pair: every comparison that had something to
/// say, with name similarities as numbers.
pub fn evidence(
    comps: &[Comparison],
    schema: &RecordSchema,
    a: &DedupeRecord,
    b: &DedupeRecord,
    v: u64,
) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(96);
    for (i, c) in comps.iter().enumerate() {
        let l = unpack(v, i);
        if l == NULL {
            continue;
        }
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(&c.name(schema));
        out.push('=');
        let sim = |f: F| similarity(a.get(f), b.get(f));
        // Writing to a String cannot fail.
        let _ = match (c, l) {
            (Comparison::Given, 2 | 3) if !a.same(F::Given, b, F::Surname) => {
                write!(out, "{:.2}", sim(F::Given))
            }
            (Comparison::Surname, 2 | 3) if !a.same(F::Surname, b, F::Given) => {
                write!(out, "{:.2}", sim(F::Surname))
            }
            (Comparison::Given | Comparison::Surname, 3) => out.write_str("swapped"),
            (Comparison::FullName, 2 | 3) => write!(out, "{:.2}", sim(F::Full)),
            _ => out.write_str(c.level_label(l)),
        };
    }
    out
}

/// Attribute names found across contacts, minus those compared as fields.
pub fn attribute_names<'a>(
    contacts: impl Iterator<Item = &'a Contact>,
    skip: &[&str],
) -> Vec<String> {
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    for c in contacts {
        for k in c.attributes.keys() {
            if !RESERVED_ATTRS.contains(&k.as_str()) && !skip.contains(&k.as_str()) {
                seen.insert(k.clone(), ());
            }
        }
    }
    seen.into_keys().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_directly_agree_with_chrono() {
        let chrono_day = |s: &str| {
            NaiveDate::parse_from_str(&date_key(s.get(..10).unwrap_or(s)), "%Y%m%d")
                .ok()
                .map(|d| d.num_days_from_ce())
        };
        // Every month and day number 0..=32 over a spread of years, valid or not,
        // in the forms people write.
        let mut checked = 0;
        for y in (0..=9999).step_by(37).chain([1900, 2000, 2024, 2100]) {
            for m in 0..=13 {
                for d in 0..=32 {
                    for s in [
                        format!("{y:04}{m:02}{d:02}"),
                        format!("{y:04}-{m}-{d}"),
                        format!("{d}/{m}/{y:04}"),
                    ] {
                        assert_eq!(parse_day(&s), chrono_day(&s), "{s}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100_000);
        assert_eq!(parse_day("2024-02-29"), chrono_day("2024-02-29"));
        assert!(parse_day("2024-02-29").is_some() && parse_day("2023-02-29").is_none());
    }

    fn rec(name: &str, e164: &str, raw: &str, email: &str) -> DedupeRecord {
        let wa = if e164.is_empty() {
            String::new()
        } else {
            let e = crate::ids::E164::parse_strict(e164).unwrap();
            crate::phone::wa_id_candidates(&e)[0].to_string()
        };
        DedupeRecord::build(
            &RecordInput {
                id: "x",
                name,
                e164,
                wa_id: &wa,
                phone_raw: raw,
                email,
                ..Default::default()
            },
            &RecordSchema::default(),
        )
    }

    fn phone_level(a: &DedupeRecord, b: &DedupeRecord) -> u8 {
        let s = CompareSettings {
            name_threshold: 0.8,
            sku_window_days: 90,
        };
        level(&Comparison::Phone, a, b, &s)
    }

    #[test]
    fn phones_that_do_not_validate_compare_by_their_last_digits() {
        let valid = rec("", "+819012345678", "", "");
        for raw in [
            "０９０－１２３４－５６７８",
            "００８１９０１２３４５６７８",
            "090 1234 5678 ext. 12",
            "819012345678",
        ] {
            let r = rec("", "", raw, "");
            assert!(r.phone_unvalidated(), "{raw}");
            assert_eq!(phone_level(&valid, &r), 2, "{raw}");
        }
        // Brazil without the ninth digit, Mexico's 521, Argentina's 549 and 15.
        let br = rec("", "+5511987654321", "", "");
        assert_eq!(phone_level(&br, &rec("", "", "+55 11 8765-4321", "")), 2);
        let mx = rec("", "+525512345678", "", "");
        assert_eq!(phone_level(&mx, &rec("", "", "+52 1 55 1234 5678", "")), 2);
        let ar = rec("", "+5491123456789", "", "");
        assert_eq!(phone_level(&ar, &rec("", "", "011 15-2345-6789", "")), 2);
        // Two valid numbers that differ are different numbers, even when
        // their last digits agree; a different tail differs.
        let other_country = rec("", "+33612345678", "", "");
        assert_eq!(
            phone_level(&other_country, &rec("", "+34612345678", "", "")),
            DIFFERS
        );
        assert_eq!(
            phone_level(&valid, &rec("", "", "090-9999-0000", "")),
            DIFFERS
        );
        // Too few digits to say anything.
        assert_eq!(phone_level(&valid, &rec("", "", "12-34", "")), NULL);
    }

    #[test]
    fn names_across_forms_compare_exactly() {
        let s = CompareSettings {
            name_threshold: 0.8,
            sku_window_days: 90,
        };
        let full = |a: &str, b: &str| {
            level(
                &Comparison::FullName,
                &rec(a, "", "", ""),
                &rec(b, "", "", ""),
                &s,
            )
        };
        for (a, b) in [
            ("山田太郎", "山田 太郎"),
            ("山田\u{3000}太郎", "山田太郎"),
            ("山田 太郎", "太郎 山田"),
            ("Yamada, Taro", "Taro Yamada"),
            ("YAMADA Taro", "taro yamada"),
            ("José García Pérez", "Jose Garcia Perez"),
            ("ＴＡＲＯ　ＹＡＭＡＤＡ", "Taro Yamada"),
        ] {
            assert_eq!(full(a, b), 4, "{a} / {b}");
        }
        assert_eq!(full("山田太郎", "山田 花子"), DIFFERS);
        assert!(!same_run_together("山田太郎", "山田 太"));
        assert!(!same_run_together("abab", "ab ab ab"));
    }

    #[test]
    fn email_compares_without_case_or_spaces() {
        let a = rec("", "", "", " Taro.Yamada@Example.COM ");
        let b = rec("", "", "", "taro.yamada@example.com");
        assert!(a.same(F::Email, &b, F::Email));
    }

    #[test]
    fn what_a_comparison_reads_fits_two_cache_lines() {
        use std::mem::offset_of;
        assert!(offset_of!(DedupeRecord, sku_day) + 4 <= 128);
        assert!(offset_of!(DedupeRecord, filled) + 2 <= 128);
        assert_eq!(std::mem::align_of::<DedupeRecord>(), 64);
    }

    #[test]
    fn fields_keep_their_text_and_overlong_text_is_cut() {
        let long = "x".repeat(70_000);
        let r = DedupeRecord::build(
            &RecordInput {
                id: "r1",
                first_name: "José",
                last_name: "Müller",
                e164: "+819012345678",
                email: "Jo.Se+shop@Example.com",
                date_of_birth: "19/02/1990",
                address: &long,
                city: "Tōkyō",
                ..Default::default()
            },
            &RecordSchema::default(),
        );
        assert_eq!(r.get(F::Given), "jose");
        assert_eq!(r.get(F::Surname), "muller");
        assert_eq!(r.get(F::Full), "jose muller");
        assert_eq!(r.get(F::Email), "jo.se+shop@example.com");
        assert_eq!(r.get(F::EmailLocal), "jose");
        assert_eq!(r.get(F::EmailDomain), "example.com");
        assert_eq!(r.get(F::Dob), "19900219");
        assert_eq!(r.get(F::City), "tokyo");
        assert!(r.split_name());
        assert!(r.get(F::Address).len() < long.len());
        assert!(r.text.len() <= MAX_TEXT);
        let mut other = r.clone();
        other.id = "r2".into();
        assert!(r.same(F::Email, &other, F::Email));
        assert!(!r.same(F::Given, &other, F::Surname));
    }
}
