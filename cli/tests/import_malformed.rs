//! Contact import under hostile-but-ordinary input: generated files with CR,
//! LF, CRLF and mixed line endings, stray quotes at the start, middle and end
//! of large files, invalid UTF-8, a BOM. Every file keeps the identity
//! rows in = imported + bad (+ blank), every bad row has its line and raw
//! bytes; re-imports merge; a store failing part-way still reports what it
//! committed. Also `phone normalize` on invalid UTF-8 and `contacts export`.

use std::io::Write;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use base64::Engine;
use proptest::prelude::*;
use wacrm::contacts::*;
use wacrm::store::*;

fn spec() -> ImportSpec {
    ImportSpec {
        id_column: Some("id".into()),
        ..Default::default()
    }
    .with_maps(["name=name", "phone=phone", "note=attr:note"])
    .unwrap()
}

fn row(i: usize) -> String {
    format!("{i},Person {i},+55 11 9{:08},note {i}", 10_000_000 + i)
}

/// Reads `data` and checks the count identity; returns the report and rows.
fn read(data: &[u8], spec: &ImportSpec) -> (ImportReport, Vec<ImportedRow>) {
    let mut rows = Vec::new();
    let report = read_csv(data, spec, 1_000, |r| {
        rows.extend(r);
        Ok(())
    })
    .unwrap();
    assert_eq!(
        report.rows,
        report.imported + report.bad_rows.len() as u64 + report.blank,
        "count identity"
    );
    assert_eq!(rows.len() as u64, report.imported);
    for b in &report.bad_rows {
        assert!(b.line >= 2, "{b:?}");
        assert!(!b.raw_text.is_empty() || !b.raw.is_empty(), "{b:?}");
    }
    (report, rows)
}

#[test]
fn cr_only_lf_crlf_and_mixed_endings_all_import() {
    for (ending, kind) in [("\r", "cr"), ("\n", "lf"), ("\r\n", "crlf")] {
        let mut f = format!("id,name,phone,note{ending}");
        for i in 0..500 {
            f.push_str(&row(i));
            f.push_str(ending);
        }
        let (report, rows) = read(f.as_bytes(), &spec());
        assert_eq!(report.imported, 500, "{kind}");
        assert_eq!(report.line_endings.kind(), kind);
        assert_eq!(rows[499].line, 501, "{kind}");
    }
    // Mixed, with a quoted field over two lines and a bad row after it.
    let f = "id,name,phone,note\r\n1,A,+5511987654301,x\r2,\"Two\nlines\",+5511987654302,y\n3,C,not a phone,z\r\n4,D,+5511987654304,w";
    let (report, rows) = read(f.as_bytes(), &spec());
    assert_eq!(report.line_endings.kind(), "mixed");
    assert_eq!(report.imported, 3);
    assert_eq!(rows[1].contact.name.as_deref(), Some("Two\nlines"));
    assert_eq!(report.bad_rows[0].line, 5, "{:?}", report.bad_rows);
    assert_eq!(rows[2].line, 6);
}

#[test]
fn stray_quotes_break_one_row_each_and_the_rest_imports() {
    let n = 60_000;
    let stray = [2usize, n / 2, n - 3];
    let mut f = String::from("id,name,phone,note\n");
    for i in 0..n {
        if stray.contains(&i) {
            // A quote opening the name field that never closes on its line.
            f.push_str(&format!(
                "{i},\"Person {i},+55 11 9{:08},note\n",
                i % 100_000
            ));
        } else if i == 7 {
            // A quote inside a field is literal, not an error.
            f.push_str(&format!("{i},O\"Brien,+55 11 9{:08},n\n", 10_000_000 + i));
        } else {
            f.push_str(&row(i));
            f.push('\n');
        }
    }
    let (report, rows) = read(f.as_bytes(), &spec());
    assert_eq!(report.rows, n as u64);
    let lines: Vec<u64> = report.bad_rows.iter().map(|b| b.line).collect();
    let want: Vec<u64> = stray.iter().map(|i| *i as u64 + 2).collect();
    assert_eq!(lines, want, "{:#?}", report.bad_rows);
    assert_eq!(report.imported, (n - 3) as u64);
    assert!(report.bad_rows[0].raw_text.starts_with("2,\"Person 2"));
    assert!(report.bad_rows[0].reason.contains("quoted field"));
    let obrien = rows.iter().find(|r| r.contact.id.as_str() == "7").unwrap();
    assert_eq!(obrien.contact.name.as_deref(), Some("O\"Brien"));
    // The row right after each stray quote imports.
    for i in stray {
        assert!(
            rows.iter()
                .any(|r| r.contact.id.as_str() == (i + 1).to_string())
        );
    }
}

#[test]
fn a_stray_quote_closed_rows_later_keeps_the_rows_between() {
    let f = "id,name,phone,note\n1,\"Ann,+5511987654301,x\n2,Bob,+5511987654302,y\n3,Cy,+5511987654303,\"z\"\n4,Di,+5511987654304,w\n";
    let (report, rows) = read(f.as_bytes(), &spec());
    assert_eq!(report.bad_rows.len(), 1, "{:?}", report.bad_rows);
    assert_eq!(report.bad_rows[0].line, 2);
    let ids: Vec<&str> = rows.iter().map(|r| r.contact.id.as_str()).collect();
    assert_eq!(ids, ["2", "3", "4"]);
}

#[test]
fn quoted_fields_are_bounded_by_the_limits() {
    let mut s = spec();
    s.quote_limits = QuoteLimits {
        max_lines: 2,
        max_bytes: 64,
    };
    let f = "id,name,phone,note\n1,A,+5511987654301,\"a\nb\nc\nd\"\n2,B,+5511987654302,\"ok\nok\"\n3,C,+5511987654303,\"".to_string()
        + &"x".repeat(100)
        + "\"\n4,D,+5511987654304,fine\n";
    let (report, rows) = read(f.as_bytes(), &s);
    let lines: Vec<u64> = report.bad_rows.iter().map(|b| b.line).collect();
    // Row 1 is broken at line 2; its other lines parse as rows of their own
    // (short ones, reported), row 2 imports, row 3's field is too long.
    assert!(
        lines.contains(&2) && lines.contains(&8),
        "{:#?}",
        report.bad_rows
    );
    let ids: Vec<&str> = rows.iter().map(|r| r.contact.id.as_str()).collect();
    assert_eq!(ids, ["2", "4"]);
    // A long quoted field of doubled quotes under the limit reads once, whole.
    let f = format!(
        "id,name,phone,note\n1,A,+5511987654301,\"{}\"\n",
        "\"\"".repeat(200_000)
    );
    let (report, rows) = read(f.as_bytes(), &spec());
    assert_eq!(report.imported, 1);
    assert_eq!(
        rows[0].contact.attributes["note"].as_str().unwrap().len(),
        200_000
    );
}

#[test]
fn invalid_utf8_rows_keep_their_bytes_and_a_bom_is_ignored() {
    let mut f = b"\xEF\xBB\xBFid,name,phone,note\n1,A,+5511987654301,x\n".to_vec();
    let bad = b"2,B\xff\xfe,+5511987654302,y".to_vec();
    f.extend_from_slice(&bad);
    f.extend_from_slice(b"\n3,C,+5511987654303,z\n");
    let (report, rows) = read(&f, &spec());
    assert_eq!(report.imported, 2);
    assert_eq!(
        rows[0].contact.id.as_str(),
        "1",
        "BOM stripped from the header"
    );
    let b = &report.bad_rows[0];
    assert_eq!(b.line, 3);
    assert!(b.reason.contains("UTF-8"), "{}", b.reason);
    assert_eq!(b.raw.len(), 4);
    assert!(b.raw_text.starts_with("2,B\u{fffd}"));
    let orig = base64::engine::general_purpose::STANDARD
        .decode(b.raw_base64.as_deref().unwrap())
        .unwrap();
    assert_eq!(orig, bad);
}

#[tokio::test]
async fn reimport_merges_and_keeps_unmapped_fields_tags_and_opt_in() {
    let dir = tempfile::tempdir().unwrap();
    let stores = Stores::sqlite(dir.path().join("c.db")).await.unwrap();
    let first = "id,name,phone,city,labels\n1,Ana Souza,+5511987654321,São Paulo,vip\n";
    let s1 = ImportSpec {
        id_column: Some("id".into()),
        ..Default::default()
    }
    .with_maps(["name=name", "phone=phone", "city=city", "labels=tags"])
    .unwrap();
    import_into_store(first.as_bytes(), &s1, stores.contacts.as_ref())
        .await
        .unwrap();
    // What webhooks and consent flows add later.
    let mut c = stores.contacts.get(&"1".into()).await.unwrap().unwrap();
    c.opted_in = true;
    c.bsuid = Some("BR.123".parse().expect("valid id"));
    c.time_zone = Some("America/Sao_Paulo".into());
    stores.contacts.upsert(&c, None).await.unwrap();

    let second = "id,city,labels\n1,Rio,buyer\n";
    let s2 = ImportSpec {
        id_column: Some("id".into()),
        ..Default::default()
    }
    .with_maps(["city=city", "labels=tags"])
    .unwrap();
    import_into_store(second.as_bytes(), &s2, stores.contacts.as_ref())
        .await
        .unwrap();
    let c = stores.contacts.get(&"1".into()).await.unwrap().unwrap();
    assert_eq!(c.name.as_deref(), Some("Ana Souza"));
    assert_eq!(c.e164.as_deref(), Some("+5511987654321"));
    assert_eq!(c.city.as_deref(), Some("Rio"));
    assert!(c.opted_in);
    assert_eq!(c.bsuid.as_deref(), Some("BR.123"));
    assert_eq!(c.time_zone.as_deref(), Some("America/Sao_Paulo"));
    assert_eq!(
        c.tags.iter().map(String::as_str).collect::<Vec<_>>(),
        ["buyer", "vip"]
    );
    // --tags replace
    let opts = ImportOptions {
        tags: TagsMode::Replace,
        ..Default::default()
    };
    import_into_store_with(second.as_bytes(), &s2, &opts, stores.contacts.as_ref())
        .await
        .unwrap();
    let c = stores.contacts.get(&"1".into()).await.unwrap().unwrap();
    assert_eq!(
        c.tags.iter().map(String::as_str).collect::<Vec<_>>(),
        ["buyer"]
    );
    assert!(c.opted_in);
}

#[tokio::test]
async fn rows_without_a_key_get_content_ids_not_row_numbers() {
    let stores = Stores::memory();
    let s = ImportSpec::default()
        .with_maps(["name=name", "city=city"])
        .unwrap();
    let a = "name,city\nAna,Lisbon\nBo,Oslo\n";
    let b = "name,city\nCy,Rome\nAna,Lisbon\n";
    import_into_store(a.as_bytes(), &s, stores.contacts.as_ref())
        .await
        .unwrap();
    import_into_store(b.as_bytes(), &s, stores.contacts.as_ref())
        .await
        .unwrap();
    let all = stores
        .contacts
        .list(&ContactFilter::default(), &PageRequest::default())
        .await
        .unwrap()
        .items;
    let names: std::collections::BTreeSet<_> =
        all.iter().map(|c| c.name.clone().unwrap()).collect();
    assert_eq!(all.len(), 3, "{all:#?}");
    assert_eq!(names.len(), 3);
    assert!(all.iter().all(|c| !c.id.as_str().starts_with("row:2")));
}

/// A contact store that fails its `fail_at`-th transaction.
struct Flaky {
    inner: MemoryStore,
    calls: AtomicUsize,
    fail_at: usize,
}

#[async_trait]
impl ContactStore for Flaky {
    async fn get(&self, id: &wacrm::ContactId) -> StoreResult<Option<Contact>> {
        ContactStore::get(&self.inner, id).await
    }
    async fn find_by_wa_id(&self, w: &str) -> StoreResult<Option<Contact>> {
        self.inner.find_by_wa_id(w).await
    }
    async fn find_by_e164(&self, e: &str) -> StoreResult<Option<Contact>> {
        self.inner.find_by_e164(e).await
    }
    async fn find_by_bsuid(&self, b: &str) -> StoreResult<Option<Contact>> {
        self.inner.find_by_bsuid(b).await
    }
    async fn upsert(&self, c: &Contact, v: Option<u64>) -> StoreResult<Contact> {
        self.inner.upsert(c, v).await
    }
    async fn upsert_many(&self, cs: &[Contact]) -> StoreResult<Vec<Contact>> {
        if self.calls.fetch_add(1, Ordering::SeqCst) + 1 == self.fail_at {
            return Err(StoreError::Backend {
                message: "disk full".into(),
                retryable: false,
            });
        }
        self.inner.upsert_many(cs).await
    }
    async fn list(&self, f: &ContactFilter, p: &PageRequest) -> StoreResult<Page<Contact>> {
        ContactStore::list(&self.inner, f, p).await
    }
    async fn merge(&self, s: &wacrm::ContactId, a: &wacrm::ContactId) -> StoreResult<Contact> {
        self.inner.merge(s, a).await
    }
    async fn delete(&self, id: &wacrm::ContactId) -> StoreResult<bool> {
        ContactStore::delete(&self.inner, id).await
    }
}

#[tokio::test]
async fn a_store_failure_part_way_still_reports_the_last_committed_line() {
    let store = Arc::new(Flaky {
        inner: MemoryStore::new(),
        calls: AtomicUsize::new(0),
        fail_at: 3,
    });
    let mut f = String::from("id,name,phone,note\n");
    for i in 0..1_000 {
        f.push_str(&row(i));
        f.push('\n');
    }
    let opts = ImportOptions {
        batch: 100,
        ..Default::default()
    };
    let fail = import_into_store_with(f.as_bytes(), &spec(), &opts, store.as_ref())
        .await
        .unwrap_err();
    assert!(fail.error.to_string().contains("disk full"));
    assert_eq!(fail.report.imported, 200);
    // Rows 0..199 are lines 2..201.
    assert_eq!(fail.report.last_committed_line, Some(201));
    assert!(fail.to_string().contains("line 201"));
}

/// Damage applied to a generated CSV.
#[derive(Debug, Clone)]
enum Damage {
    Quote(usize),
    DropComma(usize),
    BadByte(usize),
    Cr(usize),
    Blank(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Quote),
        any::<usize>().prop_map(Damage::DropComma),
        any::<usize>().prop_map(Damage::BadByte),
        any::<usize>().prop_map(Damage::Cr),
        any::<usize>().prop_map(Damage::Blank),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn every_damaged_csv_keeps_the_count_identity(
        n in 1usize..300,
        ending in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        damages in proptest::collection::vec(damage(), 0..12),
    ) {
        let mut lines: Vec<Vec<u8>> = (0..n).map(|i| row(i).into_bytes()).collect();
        let mut blanks = 0u64;
        for d in damages {
            match d {
                Damage::Quote(k) => { let l = &mut lines[k % n]; let at = (k / n) % (l.len() + 1); l.insert(at, b'"'); }
                Damage::DropComma(k) => { let l = &mut lines[k % n]; if let Some(p) = l.iter().position(|b| *b == b',') { l.remove(p); } }
                Damage::BadByte(k) => { let l = &mut lines[k % n]; let at = (k / n) % (l.len() + 1); l.insert(at, 0xFF); }
                Damage::Cr(k) => { let l = &mut lines[k % n]; let at = (k / n) % (l.len() + 1); l.insert(at, b'\r'); }
                Damage::Blank(k) => { lines[k % n] = b",,,".to_vec(); blanks += 1; }
            }
        }
        let mut f = format!("id,name,phone,note{ending}").into_bytes();
        for l in &lines {
            f.extend_from_slice(l);
            f.extend_from_slice(ending.as_bytes());
        }
        let (report, _) = read(&f, &spec());
        // Damage never loses a row: without stray line breaks, every line
        // is one row (imported, bad or blank).
        let _ = blanks;
        prop_assert!(report.rows >= 1);
        prop_assert_eq!(report.rows, report.imported + report.bad_rows.len() as u64 + report.blank);
    }
}

#[test]
fn phone_normalize_writes_one_line_per_input_line_whatever_the_bytes() {
    let mut p = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(["phone", "normalize", "--format", "jsonl"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    p.stdin
        .take()
        .unwrap()
        .write_all(b"+447700900123\n\xff\xfe12\r\n+14155550100\r+33612345678\n")
        .unwrap();
    let out = p.wait_with_output().unwrap();
    assert!(out.status.success());
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4, "{rows:#?}");
    assert_eq!(rows[0]["e164"], "+447700900123");
    assert_eq!(rows[1]["error"], "invalid_utf8");
    assert_eq!(rows[1]["input"], "\u{fffd}\u{fffd}12");
    assert_eq!(rows[2]["e164"], "+14155550100");
    assert_eq!(rows[3]["e164"], "+33612345678");
}

#[test]
fn cli_imports_a_cr_only_file_and_exports_every_contact() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("mac.csv");
    std::fs::write(
        &csv,
        "id,first,last,phone,labels\r1,Ana,Souza,+5511987654321,vip;buyer\r2,Bo,Berg,+46701234567,\r3,Bad,Row,0000,\r",
    )
    .unwrap();
    let db = format!("sqlite://{}", dir.path().join("c.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(["contacts", "import", "--id", "id", "--batch", "1"])
        .args(["--map", "first=first_name", "--map", "last=last_name"])
        .args(["--map", "phone=phone", "--map", "labels=tags", "--db", &db])
        .arg(&csv)
        .env_remove("WACRM_DB")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(report["bad_rows"][0]["line"], 4);
    assert_eq!(report["last_committed_line"], 3);
    assert_eq!(report["line_endings"]["cr"], 4);

    let out = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(["contacts", "export", "--db", &db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "1");
    assert_eq!(rows[0]["first_name"], "Ana");
    assert_eq!(rows[0]["name"], "Ana Souza");
    assert_eq!(rows[0]["phone"], "+5511987654321");
    assert_eq!(rows[0]["country"], "BR");
    assert_eq!(rows[0]["tags"], serde_json::json!(["buyer", "vip"]));
    assert!(rows[0]["attributes"].is_object());
    assert_eq!(rows[1]["country"], "SE");

    let out = Command::new(env!("CARGO_BIN_EXE_wacrm"))
        .args(["contacts", "export", "--format", "csv", "--db", &db])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,first_name,last_name,name,phone,email,city,country,wa_id,bsuid,external_id,tags,attributes"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("1,Ana,Souza,Ana Souza,+5511987654321,,,BR,")
    );
    assert_eq!(lines.count(), 1);
}
