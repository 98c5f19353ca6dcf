//! Agreement with libphonenumber (Python `phonenumbers`) on a generated corpus
//! (`scripts/gen_phone_corpus.py`), reported per region.

use std::collections::BTreeMap;

#[test]
fn agrees_with_libphonenumber() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/phone/corpus.csv");
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let mut per_region: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut diffs = Vec::new();
    let mut total = 0;
    let mut agree = 0;
    for rec in rdr.records() {
        let r = rec.unwrap();
        let (input, default, e164, region, typ, valid) =
            (&r[0], &r[1], &r[2], &r[3], &r[4], &r[5] == "true");
        let ours = wacrm::phone::parse(
            input,
            if default.is_empty() {
                None
            } else {
                Some(default)
            },
        );
        let same = match &ours {
            Ok(p) => {
                !e164.is_empty()
                    && p.e164.as_str() == e164
                    && p.region == region
                    && p.number_type.as_str() == typ
                    && p.valid == valid
            }
            // Both refuse, or libphonenumber parses something it then calls invalid.
            Err(_) => e164.is_empty() || !valid,
        };
        total += 1;
        let key = if region.is_empty() {
            "(unparsed)".to_string()
        } else {
            region.to_string()
        };
        let entry = per_region.entry(key).or_default();
        entry.1 += 1;
        if same {
            agree += 1;
            entry.0 += 1;
        } else if diffs.len() < 40 {
            diffs.push(format!(
                "{input:?} [{default}] expected {e164} {region} {typ} {valid}, got {ours:?}"
            ));
        }
    }
    let pct = 100.0 * agree as f64 / total as f64;
    eprintln!("agreement with libphonenumber: {agree}/{total} = {pct:.2}%");
    for (region, (a, n)) in &per_region {
        if a != n {
            eprintln!("  {region}: {a}/{n}");
        }
    }
    for d in &diffs {
        eprintln!("  differs: {d}");
    }
    assert!(total > 10_000, "corpus present");
    // The README claims full agreement on this corpus; the test holds it there.
    assert_eq!(agree, total, "agreement dropped to {pct:.2}%");
}
