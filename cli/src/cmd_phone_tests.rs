//! Tests of `cmd_phone.rs`: line splitting, CSV quoting, and rows equal to
//! the core normalizer's on the phone corpus.

use super::*;

#[test]
fn lines_split_on_any_ending_without_a_trailing_empty_line() {
    let l = |b: &[u8]| split_lines(b).len();
    assert_eq!(l(b""), 0);
    assert_eq!(l(b"a\n"), 1);
    assert_eq!(l(b"a"), 1);
    assert_eq!(l(b"a\r\nb\rc\n\n"), 4);
    assert_eq!(split_lines(b"a\r\nb\rc"), [&b"a"[..], b"b", b"c"]);
}

#[test]
fn csv_rows_are_quoted_like_the_csv_crate() {
    let error = "no_number: \"x\", y";
    for input in ["plain", "a,b", "say \"hi\"", " spaced ", "", "全角"] {
        let row = Row::failed(input, error);
        let mut ours = Vec::new();
        write_csv_row(&mut ours, &row);
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.write_record([input, "", "", "", "false", "", error])
            .unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        );
    }
}

/// The rows as the core's `normalize_one` gives them, written the plain
/// way (serde for JSON, the `csv` crate for CSV).
fn reference(lines: &[&[u8]], region: Option<&str>, csv_mode: bool) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let mut json = Vec::new();
    for line in lines {
        let row = match std::str::from_utf8(line) {
            Ok(s) => wacrm::phone::normalize_one(s, region),
            Err(_) => wacrm::phone::NormalizedRow {
                input: String::from_utf8_lossy(line).into_owned(),
                e164: None,
                region: None,
                number_type: None,
                valid: false,
                wa_id: None,
                error: Some("invalid_utf8".into()),
            },
        };
        if csv_mode {
            let valid = if row.valid { "true" } else { "false" };
            w.write_record([
                row.input.as_str(),
                row.e164.as_deref().unwrap_or(""),
                row.region.as_deref().unwrap_or(""),
                row.number_type.as_deref().unwrap_or(""),
                valid,
                row.wa_id.as_deref().unwrap_or(""),
                row.error.as_deref().unwrap_or(""),
            ])
            .unwrap();
        } else {
            serde_json::to_writer(&mut json, &row).unwrap();
            json.push(b'\n');
        }
    }
    if csv_mode {
        w.into_inner().unwrap()
    } else {
        json
    }
}

#[test]
fn rows_match_the_core_normalizer_on_the_corpus() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/data/phone/corpus.csv"
    );
    let mut inputs: Vec<Vec<u8>> = csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].as_bytes().to_vec())
        .collect();
    assert!(inputs.len() > 10_000, "{} inputs", inputs.len());
    inputs.extend([
        b"\xff\xfe 555".to_vec(),
        b"".to_vec(),
        b"+52 55 1234 5678".to_vec(),
        b"+55 11 8765 4321".to_vec(),
        b"+54 11 2345 6789".to_vec(),
    ]);
    let lines: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    for region in [Some("US"), Some("JP"), Some("BR"), None] {
        for csv_mode in [true, false] {
            let (ours, bad) = format_lines(&lines, region, csv_mode);
            let want = reference(&lines, region, csv_mode);
            assert!(bad > 0 && bad < lines.len(), "{region:?}: {bad} bad");
            if ours != want {
                let o = String::from_utf8_lossy(&ours);
                let w = String::from_utf8_lossy(&want);
                let diff = o.lines().zip(w.lines()).find(|(a, b)| a != b);
                panic!("{region:?} csv={csv_mode}: first difference {diff:?}");
            }
        }
    }
}
