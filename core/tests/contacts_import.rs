//! CSV import: mapped columns, BOM, Japanese names, bad rows with exact line
//! numbers, duplicates, segments through the store.

use wacrm::contacts::*;
use wacrm::store::Stores;

fn spec() -> ImportSpec {
    ImportSpec {
        id_column: Some("Customer ID".into()),
        default_region: Some("JP".into()),
        ..Default::default()
    }
    .with_maps([
        "Full Name=name",
        "Mobile=phone",
        "E-mail=email",
        "Town=city",
        "Labels=tags",
        "Country=country",
        "Bought=attr:bought",
    ])
    .unwrap()
}

fn fixture() -> std::fs::File {
    std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/contacts/mixed.csv"
    ))
    .unwrap()
}

#[tokio::test]
async fn good_rows_import_and_bad_rows_are_reported_by_line() {
    let stores = Stores::memory();
    let report = import_into_store(fixture(), &spec(), stores.contacts.as_ref())
        .await
        .unwrap();
    let bad: Vec<(u64, &str)> = report
        .bad_rows
        .iter()
        .map(|b| (b.line, b.reason.as_str()))
        .collect();
    let lines: Vec<u64> = bad.iter().map(|b| b.0).collect();
    // Header is line 1: C003 is line 4, C004 line 5, the repeated C002 line 7, ...
    assert_eq!(lines, [4, 5, 7, 8, 10, 11], "{bad:#?}");
    assert!(bad[0].1.contains("0000"));
    assert!(bad[1].1.contains("not a phone"));
    assert!(bad[2].1.contains("duplicate of line 3"));
    assert!(bad[3].1.contains("fields"));
    assert!(bad[4].1.contains("email"));
    assert_eq!(report.imported, 4);
    assert_eq!(report.rows, 10);
    let ana = stores.contacts.get(&"C001".into()).await.unwrap().unwrap();
    assert_eq!(ana.e164.as_deref(), Some("+5511987654321"));
    assert_eq!(ana.city.as_deref(), Some("São Paulo"));
    assert!(ana.tags.contains("vip") && ana.tags.contains("bought_a"));
    assert_eq!(ana.attributes["bought"], "product_a");
    let hanako = stores.contacts.get(&"C002".into()).await.unwrap().unwrap();
    assert_eq!(hanako.name.as_deref(), Some("佐藤 花子"));
    assert_eq!(
        hanako.e164.as_deref(),
        Some("+819012345678"),
        "JP default region"
    );
    let chan = stores.contacts.get(&"C005".into()).await.unwrap().unwrap();
    assert_eq!(
        chan.e164.as_deref(),
        Some("+85291234567"),
        "the row's country decides the region"
    );
    let dana = stores.contacts.get(&"C007".into()).await.unwrap().unwrap();
    assert_eq!(
        dana.wa_id.as_deref(),
        Some("5215512345678"),
        "Mexico wa_id quirk"
    );

    let seg = Segment::new("bought A in HK")
        .with_attr("bought", "product_a")
        .with_tag("vip");
    let members = seg.members(stores.contacts.as_ref()).await.unwrap();
    assert_eq!(
        members.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["C001", "C005"]
    );
    let not_vip = Segment::new("a, not vip")
        .with_tag("bought_a")
        .without_tag("vip");
    assert_eq!(
        not_vip
            .members(stores.contacts.as_ref())
            .await
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn mapping_errors_are_clear() {
    let e = ImportSpec::default().with_maps(["Mobile"]).unwrap_err();
    assert!(e.to_string().contains("COLUMN=FIELD"));
    let e = ImportSpec::default()
        .with_maps(["Mobile=telephone"])
        .unwrap_err();
    assert!(e.to_string().contains("unknown field"));
    let s = ImportSpec::default().with_maps(["Nope=phone"]).unwrap();
    let e = read_csv(fixture(), &s, 10, |_| Ok(())).unwrap_err();
    assert!(e.to_string().contains("not in the header"));
}

#[test]
fn streaming_chunks() {
    let mut data = String::from("id,phone\n");
    for i in 0..2_500 {
        data.push_str(&format!("{i},+8190{:08}\n", 10_000_000 + i));
    }
    let s = ImportSpec {
        id_column: Some("id".into()),
        ..Default::default()
    }
    .with_maps(["phone=phone"])
    .unwrap();
    let mut sizes = Vec::new();
    let report = read_csv(data.as_bytes(), &s, 1_000, |rows| {
        sizes.push(rows.len());
        Ok(())
    })
    .unwrap();
    assert_eq!(sizes, [1_000, 1_000, 500]);
    assert_eq!(report.imported, 2_500);
}

#[test]
fn parallel_reader_gives_the_same_rows_and_report() {
    let mut seq = Vec::new();
    let report = read_csv(fixture(), &spec(), 2, |rows| {
        seq.extend(rows);
        Ok(())
    })
    .unwrap();
    let (par, par_report) = read_csv_all(fixture(), &spec()).unwrap();
    assert_eq!(seq, par);
    assert_eq!(report, par_report);

    // Many batches, with bad rows spread through them.
    let mut big = String::from("id,name,phone\n");
    for i in 0..20_000 {
        match i % 997 {
            0 => big.push_str(&format!("{i},Bad {i},not a phone\n")),
            1 => big.push_str(&format!("{i},\"broken\n")),
            // An id seen batches earlier, and one seen twice before.
            2 if i > 5_000 => big.push_str(&format!("{},Again {i},+55119{:08}\n", i - 5_000, i)),
            3 if i > 9_000 => big.push_str(&format!("{},Third {i},+55119{:08}\n", i - 8_999, i)),
            _ => big.push_str(&format!("{i},Person {i},+55119{:08}\n", i)),
        }
    }
    let spec = ImportSpec {
        id_column: Some("id".into()),
        ..Default::default()
    }
    .with_maps(["name=name", "phone=phone"])
    .unwrap();
    let mut seq = Vec::new();
    let report = read_csv(big.as_bytes(), &spec, 1000, |rows| {
        seq.extend(rows);
        Ok(())
    })
    .unwrap();
    let (par, par_report) = read_csv_all(big.as_bytes(), &spec).unwrap();
    assert_eq!(report, par_report);
    assert_eq!(seq.len(), par.len());
    assert!(seq == par);
    assert!(!report.bad_rows.is_empty());
    assert!(
        report.duplicates_in_file >= 10,
        "{}",
        report.duplicates_in_file
    );
}

#[test]
fn chunked_reader_agrees_on_every_csv_shape() {
    // Big enough for many chunks; every awkward shape the csv reader accepts,
    // at varied places relative to the chunk boundaries.
    let mut f: Vec<u8> = "\u{feff}id,name,phone,note\r\n".as_bytes().to_vec();
    let mut bad_line = 0;
    for i in 0..30_000u32 {
        let row = match i % 11 {
            0 => format!("{i},\"Multi\nline {i}\",+55119{i:08},\"say \"\"hi\"\"\"\r\n"),
            1 => format!("{i},O\"Brien {i},+55119{i:08},x\n"),
            2 => "\r\n".to_string(),
            3 => format!("{i},\"quoted, comma\",+55119{i:08},\"a\"b\n"),
            4 => ",,,\n".to_string(),
            5 => format!("{i},Ünïcödé 名前 {i},+5511 9{i:08},\"\"\n"),
            6 => format!("{i},short\n"),
            7 => format!("{i},\"end quote\",+5511-9{i:08},\"x\"\"\"\n"),
            _ => format!("{i},Plain {i},+5511 9{i:08},note {i}\n"),
        };
        f.extend_from_slice(row.as_bytes());
        if i == 12_345 {
            bad_line = 1 + f.iter().filter(|b| **b == b'\n').count() as u64;
            f.extend_from_slice(b"bad,\xff\xfe name,+551190000000,x\n");
        }
    }
    f.extend_from_slice(b"last,No newline,+5511912345678,end");
    let spec = ImportSpec {
        id_column: Some("id".into()),
        ..Default::default()
    }
    .with_maps(["name=name", "phone=phone", "note=attr:note"])
    .unwrap();
    let mut seq = Vec::new();
    let report = read_csv(&f[..], &spec, 1000, |rows| {
        seq.extend(rows);
        Ok(())
    })
    .unwrap();
    let (par, par_report) = read_csv_all(&f[..], &spec).unwrap();
    assert_eq!(report.rows, par_report.rows);
    for (x, y) in report.bad_rows.iter().zip(&par_report.bad_rows) {
        assert_eq!(x, y);
    }
    assert_eq!(report, par_report);
    assert_eq!(seq.len(), par.len());
    for (x, y) in seq.iter().zip(&par) {
        assert_eq!(x, y);
    }
    assert!(report.imported > 15_000, "{}", report.imported);
    // True line numbers, whatever the line endings and blank lines before.
    let utf8: Vec<u64> = report
        .bad_rows
        .iter()
        .filter(|b| b.reason.contains("UTF-8"))
        .map(|b| b.line)
        .collect();
    assert_eq!(utf8, [bad_line]);
    let short = report
        .bad_rows
        .iter()
        .find(|b| b.raw.first().map(String::as_str) == Some("6"))
        .expect("row 6 is short");
    // Rows 0..=5 before it: row 0 spans two lines, row 2 is a blank line.
    assert_eq!(short.line, 1 + 1 + 2 + 5);
    let multi = par.iter().find(|r| r.contact.id.0 == "11").expect("row 11");
    assert_eq!(multi.contact.name.as_deref(), Some("Multi\nline 11"));
    assert_eq!(multi.contact.attributes["note"], "say \"hi\"");
    assert_eq!(par.last().unwrap().contact.id.0, "last");
}
