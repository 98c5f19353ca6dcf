//! libphonenumber's own parsing cases (extensions, `tel:` URIs, vanity
//! letters, digits of other scripts, international prefixes after `+`,
//! national prefixes, invalid input) with the answers of libphonenumber
//! itself (`scripts/gen_phone_cases.py`), and the rule behind them: a number
//! is read right or refused, never read as a different number.

use std::collections::BTreeMap;

/// Inputs where wacrm answers differently on purpose, and why.
const DELIBERATE: &[(&str, &str, &str)] = &[
    (
        "+44 7911 123456 please",
        "",
        "words around the number are dropped; libphonenumber would dial them as letters",
    ),
    (
        "+64 3 331 6005 #",
        "",
        "a lone trailing # is dropped; libphonenumber refuses the input",
    ),
];

fn deliberate(input: &str, region: &str) -> bool {
    DELIBERATE
        .iter()
        .any(|(i, r, _)| *i == input && *r == region)
}

struct Case {
    input: String,
    region: String,
    e164: String,
    extension: String,
    lib_region: String,
    typ: String,
    valid: bool,
}

fn cases() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/phone/libphonenumber_cases.csv"
    );
    let mut rdr = csv::Reader::from_path(path).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            Case {
                input: r[0].to_string(),
                region: r[1].to_string(),
                e164: r[2].to_string(),
                extension: r[3].to_string(),
                lib_region: r[4].to_string(),
                typ: r[5].to_string(),
                valid: &r[6] == "true",
            }
        })
        .collect()
}

#[test]
fn agrees_with_libphonenumber_on_its_own_cases() {
    let all = cases();
    assert!(all.len() > 150, "cases present");
    let mut differs = BTreeMap::new();
    for c in &all {
        let region = (!c.region.is_empty()).then_some(c.region.as_str());
        let ours = wacrm::phone::parse(&c.input, region);
        let same = match &ours {
            Ok(p) => {
                p.e164.as_str() == c.e164
                    && p.extension.clone().unwrap_or_default() == c.extension
                    && p.valid == c.valid
                    && p.number_type.as_str() == c.typ
                    // libphonenumber names no region for an invalid number.
                    && (c.lib_region.is_empty() || p.region == c.lib_region)
            }
            // Both refuse, or wacrm refuses what libphonenumber calls invalid
            // (too short, or a national prefix typed twice).
            Err(_) => c.e164.is_empty() || !c.valid,
        };
        if !same {
            differs.insert(
                (c.input.clone(), c.region.clone()),
                format!(
                    "expected {:?} ext {:?} {} {} {}, got {ours:?}",
                    c.e164, c.extension, c.lib_region, c.typ, c.valid
                ),
            );
        }
    }
    for (input, region, why) in DELIBERATE {
        let key = (input.to_string(), region.to_string());
        assert!(
            differs.remove(&key).is_some(),
            "{input:?} [{region}] is listed as a deliberate difference ({why}) but agrees"
        );
    }
    let report: Vec<String> = differs
        .iter()
        .map(|((i, r), d)| format!("{i:?} [{r}]: {d}"))
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// The worst failure is a different number that looks right: whenever wacrm
/// answers where libphonenumber refuses, or both answer, the number must be
/// libphonenumber's (deliberate differences aside, which only drop text).
#[test]
fn never_a_different_number() {
    for c in cases() {
        let region = (!c.region.is_empty()).then_some(c.region.as_str());
        if deliberate(&c.input, &c.region) {
            continue;
        }
        if let (Ok(p), false) = (wacrm::phone::parse(&c.input, region), c.e164.is_empty()) {
            assert_eq!(p.e164.as_str(), c.e164, "{:?} [{}]", c.input, c.region);
        }
    }
}
