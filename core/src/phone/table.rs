//! libphonenumber's region metadata as a compact table compiled into the
//! binary (`data/regions.tsv`, one region a line).
//!
//! The `phonenumber` crate loads its whole database on first use and checks
//! the syntax of every pattern of every region: tens of milliseconds that a
//! one-line `wacrm phone normalize` paid in full. This table carries only the
//! pattern sources and lengths wacrm reads; a calling code's lines are parsed
//! when a number of that code is first seen, and each pattern when first
//! matched (`meta.rs`, `pattern.rs`). The table is
//! generated from the crate's metadata, and a test fails when they differ
//! (`WACRM_REGEN_PHONE_TABLE=1 cargo test -p wacrm --lib phone::table`
//! rewrites it).

#[cfg(test)]
use std::sync::OnceLock;

static TABLE: &str = include_str!("data/regions.tsv");

/// The descriptors a region may have, in the table's column order.
pub(crate) const KINDS: [&str; 11] = [
    "general",
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
];

/// Columns before the descriptors.
const HEAD: usize = 8;

/// One number-type descriptor: the national-number pattern and lengths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DescMeta {
    pub pattern: &'static str,
    pub lengths: Vec<u16>,
    pub local_lengths: Vec<u16>,
}

/// One region's metadata, as libphonenumber's XML gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegionMeta {
    pub id: &'static str,
    pub code: u16,
    pub main_for_code: bool,
    pub international_prefix: Option<&'static str>,
    pub national_prefix_for_parsing: Option<&'static str>,
    pub national_prefix: Option<&'static str>,
    pub transform: Option<&'static str>,
    pub leading_digits: Option<&'static str>,
    /// Indexed like [`KINDS`]; `general` is always present.
    pub descs: [Option<DescMeta>; 11],
}

impl RegionMeta {
    pub fn desc(&self, kind: &str) -> Option<&DescMeta> {
        let i = KINDS.iter().position(|k| *k == kind)?;
        self.descs[i].as_ref()
    }
}

fn opt(s: &'static str) -> Option<&'static str> {
    (!s.is_empty()).then_some(s)
}

fn lengths(s: &str) -> Vec<u16> {
    s.split(',').filter_map(|x| x.parse().ok()).collect()
}

fn parse_line(line: &'static str) -> RegionMeta {
    let f: Vec<&'static str> = line.split('\t').collect();
    assert_eq!(f.len(), HEAD + 3 * KINDS.len(), "phone table line: {line}");
    let descs = std::array::from_fn(|i| {
        let at = HEAD + 3 * i;
        opt(f[at]).map(|pattern| DescMeta {
            pattern,
            lengths: lengths(f[at + 1]),
            local_lengths: lengths(f[at + 2]),
        })
    });
    RegionMeta {
        id: f[0],
        code: f[1].parse().expect("phone table: calling code"),
        main_for_code: f[2] == "1",
        international_prefix: opt(f[3]),
        national_prefix_for_parsing: opt(f[4]),
        national_prefix: opt(f[5]),
        transform: opt(f[6]),
        leading_digits: opt(f[7]),
        descs,
    }
}

/// Every region, in the table's order (by calling code, then id).
#[cfg(test)]
pub(crate) fn regions() -> &'static [RegionMeta] {
    static ALL: OnceLock<Vec<RegionMeta>> = OnceLock::new();
    ALL.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.is_empty())
            .map(parse_line)
            .collect()
    })
}

/// The calling code of a table line, read without splitting the rest.
fn line_code(line: &str) -> Option<u16> {
    let mut f = line.split('\t');
    f.next()?;
    f.next()?.parse().ok()
}

/// The regions of a calling code. Only their lines are parsed: a one-line
/// run looks up one or two codes, and parsing every region's ~35 columns
/// showed in its profile.
pub(crate) fn by_code(code: u16) -> Vec<RegionMeta> {
    TABLE
        .lines()
        .filter(|l| line_code(l) == Some(code))
        .map(parse_line)
        .collect()
}

/// The calling code of a region by its ISO id (upper case, as the table has it).
pub(crate) fn code_of(id: &str) -> Option<u16> {
    TABLE
        .lines()
        .find(|l| l.split('\t').next() == Some(id))
        .and_then(line_code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonenumber::metadata::{DATABASE, Descriptor, Metadata};

    /// `(?x)` makes whitespace in libphonenumber's patterns meaningless (also
    /// inside classes), so the table keeps them without it.
    fn squeeze(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn join(l: &[u16]) -> String {
        l.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
    }

    fn desc_cols(d: Option<&Descriptor>) -> [String; 3] {
        match d {
            Some(d) => [
                squeeze(d.national_number().as_str()),
                join(d.possible_length()),
                join(d.possible_local_length()),
            ],
            None => Default::default(),
        }
    }

    fn line(m: &Metadata) -> String {
        let d = m.descriptors();
        let mut cols = vec![
            m.id().to_string(),
            m.country_code().to_string(),
            if m.is_main_country_for_code() {
                "1"
            } else {
                "0"
            }
            .to_string(),
            m.international_prefix()
                .map(|r| squeeze(r.as_str()))
                .unwrap_or_default(),
            m.national_prefix_for_parsing()
                .map(|r| squeeze(r.as_str()))
                .unwrap_or_default(),
            m.national_prefix().unwrap_or_default().to_string(),
            m.national_prefix_transform_rule()
                .unwrap_or_default()
                .to_string(),
            m.leading_digits()
                .map(|r| squeeze(r.as_str()))
                .unwrap_or_default(),
        ];
        for x in [
            Some(d.general()),
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ] {
            cols.extend(desc_cols(x));
        }
        for c in &cols {
            assert!(!c.contains(['\t', '\n']), "{}: {c}", m.id());
        }
        cols.join("\t")
    }

    fn generated() -> String {
        // By calling code: the non-geographic entities (+800, +808, +870, ...)
        // all carry the id "001", so a listing by id keeps only one of them.
        let mut metas: Vec<&Metadata> = (1..1000u16)
            .filter_map(|code| DATABASE.by_code(&code))
            .flatten()
            .collect();
        metas.sort_by(|a, b| (a.country_code(), a.id()).cmp(&(b.country_code(), b.id())));
        let mut out = String::new();
        for m in metas {
            out.push_str(&line(m));
            out.push('\n');
        }
        out
    }

    #[test]
    fn table_is_the_phonenumber_crates_metadata() {
        let want = generated();
        if std::env::var_os("WACRM_REGEN_PHONE_TABLE").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/phone/data/regions.tsv");
            std::fs::write(path, &want).expect("write the phone table");
            return;
        }
        assert!(
            TABLE == want,
            "core/src/phone/data/regions.tsv differs from the phonenumber crate's metadata: \
             regenerate it with WACRM_REGEN_PHONE_TABLE=1"
        );
    }

    #[test]
    fn every_region_parses_and_is_found() {
        let all = regions();
        assert!(all.len() > 240, "{} regions", all.len());
        for r in all {
            assert!(r.descs[0].is_some(), "{} has no general descriptor", r.id);
            if r.id != "001" {
                assert_eq!(code_of(r.id), Some(r.code));
            }
            assert!(by_code(r.code).iter().any(|x| x.id == r.id));
        }
        assert_eq!(by_code(800).first().map(|r| r.id), Some("001"));
        let nanp = by_code(1);
        assert!(nanp.iter().filter(|r| r.main_for_code).count() == 1);
        assert_eq!(code_of("BR"), Some(55));
        assert_eq!(code_of("XX"), None);
        assert!(by_code(999).is_empty());
    }
}
