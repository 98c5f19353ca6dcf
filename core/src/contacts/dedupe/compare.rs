//! Records prepared for comparison, and the comparison of two records into a
//! vector of agreement levels (one small integer per field, packed in a u64).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::normalize::{date_key, edit_distance, fold, jaro_winkler, similarity, sorted_tokens};
use crate::store::Contact;

/// Level 0: a side lacks the field; the comparison says nothing.
pub const NULL: u8 = 0;
/// Level 1: both sides have the field and it differs.
pub const DIFFERS: u8 = 1;

/// A contact reduced to the folded values dedupe compares. Empty = absent.
#[derive(Clone, Debug, Default)]
pub struct DedupeRecord {
    /// The record's id, written to the output.
    pub id: String,
    pub(crate) given: Box<str>,
    pub(crate) surname: Box<str>,
    /// Sorted name tokens.
    pub(crate) full: Box<str>,
    pub(crate) split_name: bool,
    pub(crate) phone: Box<str>,
    pub(crate) wa_id: Box<str>,
    pub(crate) bsuid: Box<str>,
    pub(crate) email: Box<str>,
    pub(crate) email_local: Box<str>,
    pub(crate) email_domain: Box<str>,
    pub(crate) external_id: Box<str>,
    pub(crate) dob: Box<str>,
    pub(crate) city: Box<str>,
    pub(crate) postcode: Box<str>,
    pub(crate) address: Box<str>,
    pub(crate) attrs: Vec<Box<str>>,
    pub(crate) skus: Vec<(Box<str>, Option<i32>)>,
    /// How many fields are filled: the fullest record survives a merge.
    pub(crate) filled: u16,
    /// Which input the record came from (link mode compares across sources).
    pub(crate) source: u16,
}

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
pub(crate) const RESERVED_ATTRS: [&str; 3] = ["postcode", "address", "date_of_birth"];

fn attr_str(c: &Contact, k: &str) -> String {
    match c.attributes.get(k) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

fn boxed(s: String) -> Box<str> {
    s.into_boxed_str()
}

impl DedupeRecord {
    /// Prepare a contact (as imported or as stored) for comparison.
    pub fn from_contact(c: &Contact, schema: &RecordSchema) -> Self {
        let mut r = DedupeRecord {
            id: c.id.0.clone(),
            ..Default::default()
        };
        let first = c.first_name.as_deref().map(fold).unwrap_or_default();
        let last = c.last_name.as_deref().map(fold).unwrap_or_default();
        let full = match &c.name {
            Some(n) => fold(n),
            None => format!("{first} {last}").trim().to_string(),
        };
        r.split_name = !first.is_empty() || !last.is_empty();
        r.full = boxed(sorted_tokens(&full));
        r.given = boxed(first);
        r.surname = boxed(last);
        r.phone = boxed(c.e164.clone().unwrap_or_default());
        r.wa_id = boxed(c.wa_id.clone().unwrap_or_default());
        r.bsuid = boxed(c.bsuid.clone().unwrap_or_default());
        if let Some(e) = &c.email {
            let e = e.trim().to_ascii_lowercase();
            if let Some((l, d)) = e.split_once('@') {
                // Gmail ignores dots and +tags in the local part; so do people.
                let l = l.split('+').next().unwrap_or(l);
                r.email_local = boxed(l.replace('.', ""));
                r.email_domain = boxed(d.to_string());
            }
            r.email = boxed(e);
        }
        r.external_id = boxed(
            c.external_id
                .as_deref()
                .map(|s| s.trim().to_ascii_lowercase())
                .unwrap_or_default(),
        );
        r.dob = boxed(date_key(&attr_str(c, "date_of_birth")));
        r.city = boxed(c.city.as_deref().map(fold).unwrap_or_default());
        r.postcode = boxed(
            attr_str(c, "postcode")
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect(),
        );
        r.address = boxed(fold(&attr_str(c, "address")));
        r.attrs = schema
            .attributes
            .iter()
            .map(|a| boxed(fold(&attr_str(c, a))))
            .collect();
        let skus = attr_str(c, &schema.sku_attribute);
        if !skus.is_empty() {
            let day = parse_day(&attr_str(c, &schema.purchase_date_attribute));
            r.skus = skus
                .split([';', '|', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| (boxed(s.to_ascii_lowercase()), day))
                .collect();
        }
        r.filled = [
            &r.given,
            &r.surname,
            &r.full,
            &r.phone,
            &r.wa_id,
            &r.bsuid,
            &r.email,
            &r.external_id,
            &r.dob,
            &r.city,
            &r.postcode,
            &r.address,
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .count() as u16
            + r.attrs.iter().filter(|s| !s.is_empty()).count() as u16
            + c.tags.len().min(20) as u16;
        r
    }
}

impl DedupeRecord {
    /// Tag the record with the input it came from.
    pub fn with_source(mut self, source: u16) -> Self {
        self.source = source;
        self
    }
}

fn parse_day(s: &str) -> Option<i32> {
    let k = date_key(s.get(..10).unwrap_or(s));
    let d = NaiveDate::parse_from_str(&k, "%Y%m%d").ok()?;
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

fn name_level(a: &str, b: &str, thr: f64) -> u8 {
    if a.is_empty() || b.is_empty() {
        return NULL;
    }
    if a == b {
        return 4;
    }
    let lev = similarity(a, b);
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

fn edit_level(a: &str, b: &str) -> u8 {
    if a.is_empty() || b.is_empty() {
        return NULL;
    }
    if a == b {
        return 4;
    }
    match edit_distance(a, b) {
        1 => 3,
        2 => 2,
        _ => DIFFERS,
    }
}

fn exact_or_similar(a: &str, b: &str, similar: impl Fn(&str, &str) -> bool) -> u8 {
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
            if !(a.split_name && b.split_name) {
                return NULL;
            }
            // Given name and surname swapped between the records.
            if !a.given.is_empty()
                && !a.surname.is_empty()
                && a.given == b.surname
                && a.surname == b.given
            {
                return 3;
            }
            if matches!(c, Comparison::Given) {
                name_level(&a.given, &b.given, s.name_threshold)
            } else {
                name_level(&a.surname, &b.surname, s.name_threshold)
            }
        }
        Comparison::FullName => {
            if a.split_name && b.split_name {
                return NULL;
            }
            name_level(&a.full, &b.full, s.name_threshold)
        }
        Comparison::Phone => {
            let pairs = [
                (&a.phone, &b.phone),
                (&a.wa_id, &b.wa_id),
                (&a.bsuid, &b.bsuid),
            ];
            let mut any = false;
            for (x, y) in pairs {
                if !x.is_empty() && !y.is_empty() {
                    if x == y {
                        return 2;
                    }
                    any = true;
                }
            }
            if any { DIFFERS } else { NULL }
        }
        Comparison::Email => {
            if a.email.is_empty() || b.email.is_empty() {
                NULL
            } else if a.email == b.email {
                4
            } else if a.email_local == b.email_local && a.email_local.len() >= 4 {
                3
            } else if a.email_domain == b.email_domain {
                2
            } else {
                DIFFERS
            }
        }
        Comparison::ExternalId => edit_level(&a.external_id, &b.external_id),
        Comparison::DateOfBirth => edit_level(&a.dob, &b.dob),
        Comparison::City => exact_or_similar(&a.city, &b.city, |x, y| {
            // Winkler rewards a shared start; cities that differ there are different.
            x.chars().next() == y.chars().next() && jaro_winkler(x, y) >= 0.9
        }),
        Comparison::Postcode => {
            exact_or_similar(&a.postcode, &b.postcode, |x, y| edit_distance(x, y) <= 1)
        }
        Comparison::Address => {
            exact_or_similar(&a.address, &b.address, |x, y| similarity(x, y) >= 0.7)
        }
        Comparison::Attr(i) => {
            let (x, y) = (
                a.attrs.get(*i).map(|s| &**s).unwrap_or(""),
                b.attrs.get(*i).map(|s| &**s).unwrap_or(""),
            );
            exact_or_similar(x, y, |x, y| similarity(x, y) >= 0.8)
        }
        Comparison::Sku => {
            if a.skus.is_empty() || b.skus.is_empty() {
                return NULL;
            }
            let mut best = DIFFERS;
            for (sa, da) in &a.skus {
                for (sb, db) in &b.skus {
                    if sa == sb {
                        match (da, db) {
                            (Some(x), Some(y)) if (x - y).abs() <= s.sku_window_days => return 3,
                            _ => best = 2,
                        }
                    }
                }
            }
            best
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
    let split = count(&|r| r.split_name);
    if split {
        out.push(Comparison::Given);
        out.push(Comparison::Surname);
    }
    if !split || records.iter().any(|r| !r.split_name && !r.full.is_empty()) {
        out.push(Comparison::FullName);
    }
    type Has = fn(&DedupeRecord) -> bool;
    let standard: [(Comparison, Has); 8] = [
        (Comparison::Phone, |r| {
            !r.phone.is_empty() || !r.wa_id.is_empty() || !r.bsuid.is_empty()
        }),
        (Comparison::Email, |r| !r.email.is_empty()),
        (Comparison::ExternalId, |r| !r.external_id.is_empty()),
        (Comparison::DateOfBirth, |r| !r.dob.is_empty()),
        (Comparison::City, |r| !r.city.is_empty()),
        (Comparison::Postcode, |r| !r.postcode.is_empty()),
        (Comparison::Address, |r| !r.address.is_empty()),
        (Comparison::Sku, |r| !r.skus.is_empty()),
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
    let mut parts: Vec<String> = Vec::new();
    for (i, c) in comps.iter().enumerate() {
        let l = unpack(v, i);
        if l == NULL {
            continue;
        }
        let label = match (c, l) {
            (Comparison::Given, 2 | 3) if a.given != b.surname => {
                format!("{:.2}", similarity(&a.given, &b.given))
            }
            (Comparison::Surname, 2 | 3) if a.surname != b.given => {
                format!("{:.2}", similarity(&a.surname, &b.surname))
            }
            (Comparison::Given | Comparison::Surname, 3) => "swapped".to_string(),
            (Comparison::FullName, 2 | 3) => format!("{:.2}", similarity(&a.full, &b.full)),
            _ => c.level_label(l).to_string(),
        };
        parts.push(format!("{}={label}", c.name(schema)));
    }
    parts.join(";")
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
