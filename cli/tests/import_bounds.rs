//! Contact import limits that keep memory bounded without losing a row: a
//! giant line outside quotes is cut to a prefix and reported at its line,
//! in-file duplicates are reported with the bytes they were read from (also
//! when the first copy is far back in a large file), and a re-import looks
//! stored contacts up by id and by phone in batches.

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

/// Reads `data`, checking rows in = imported + bad + blank.
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
    (report, rows)
}

#[test]
fn a_giant_unquoted_line_is_cut_to_a_prefix_and_reading_resumes() {
    let giant = format!("2,{},+5511987654302,x", "y".repeat(5 << 20));
    let f = format!(
        "id,name,phone,note\r1,A,+5511987654301,a\r{giant}\r3,C,+5511987654303,c\r\n4,\"{}\",+5511987654304,d\n5,E,+5511987654305,e\n",
        "z".repeat(3 << 20)
    );
    let (report, rows) = read(f.as_bytes(), &spec());
    let ids: Vec<&str> = rows.iter().map(|r| r.contact.id.as_str()).collect();
    assert_eq!(ids, ["1", "3", "5"]);
    assert_eq!(report.bad_rows.len(), 2, "{:?}", report.bad_rows.len());
    let (long, quoted) = (&report.bad_rows[0], &report.bad_rows[1]);
    assert_eq!((long.line, quoted.line), (3, 5));
    assert!(long.reason.contains("a line runs past"), "{}", long.reason);
    assert!(
        long.reason
            .contains(&format!("the line holds {} bytes", giant.len())),
        "{}",
        long.reason
    );
    assert!(long.raw_text.len() <= 4096 && long.raw_text.starts_with("2,yyy"));
    assert!(quoted.reason.contains("quoted field"), "{}", quoted.reason);
    assert!(quoted.raw_text.len() <= 4096 && quoted.raw_text.starts_with("4,\"zzz"));
}

#[test]
fn duplicates_keep_their_original_bytes_even_far_apart() {
    // More ids than the importer keeps in memory, so the first copies of the
    // late duplicates are only on disk by then.
    let n = 140_000;
    let mut f = String::from("id,name,phone,note\n");
    for i in 0..n {
        f.push_str(&format!(
            "{i},Person {i},+55 11 9{:08},n{i}\n",
            10_000_000 + i
        ));
    }
    let dups = [
        (3, "3,  Other name ,+55 11 9 1000 0003,\"quoted, note\""),
        (130_000, "130000,P,+5511910130000,z"),
    ];
    for (_, line) in dups {
        f.push_str(line);
        f.push('\n');
    }
    let (report, rows) = read(f.as_bytes(), &spec());
    assert_eq!(report.imported, n as u64);
    assert_eq!(report.duplicates_in_file, 2);
    for (b, (first, line)) in report.bad_rows.iter().zip(dups) {
        assert_eq!(
            b.reason,
            format!("duplicate of line {} (same id {first})", first + 2)
        );
        assert_eq!(b.raw_text, line, "the bytes as read, not the parsed row");
    }
    assert_eq!(report.bad_rows[1].line, n as u64 + 3);
    assert_eq!(rows[3].contact.name.as_deref(), Some("Person 3"));
}

#[tokio::test]
async fn reimport_finds_stored_contacts_by_id_and_by_phone_in_batches() {
    let stores = Stores::memory();
    // Contacts a webhook created under their WhatsApp ids, with opt-in.
    for i in 0..30 {
        let c = Contact {
            id: format!("wa-{i}").as_str().into(),
            e164: Some(
                format!("+55119{:08}", 87_654_300 + i)
                    .parse()
                    .expect("valid E.164"),
            ),
            opted_in: true,
            ..Default::default()
        };
        stores.contacts.upsert(&c, None).await.unwrap();
    }
    let s = ImportSpec::default()
        .with_maps(["name=name", "phone=phone"])
        .unwrap();
    let mut f = String::from("name,phone\n");
    for i in 0..60 {
        f.push_str(&format!("N{i},+55119{:08}\n", 87_654_300 + i));
    }
    let opts = ImportOptions {
        batch: 7,
        ..Default::default()
    };
    let report = import_into_store_with(f.as_bytes(), &s, &opts, stores.contacts.as_ref())
        .await
        .unwrap();
    assert_eq!(report.imported, 60);
    let all = stores
        .contacts
        .list(
            &ContactFilter::default(),
            &PageRequest {
                limit: 1_000,
                after: None,
            },
        )
        .await
        .unwrap()
        .items;
    assert_eq!(all.len(), 60, "30 merged by phone, 30 new");
    let wa3 = all.iter().find(|c| c.id.as_str() == "wa-3").unwrap();
    assert_eq!(wa3.name.as_deref(), Some("N3"));
    assert!(wa3.opted_in);
    let new = all
        .iter()
        .find(|c| c.name.as_deref() == Some("N45"))
        .unwrap();
    assert_eq!(new.id.as_str(), "+5511987654345");
    assert!(!new.opted_in);
    // Again, now everything is found by id.
    import_into_store_with(f.as_bytes(), &s, &opts, stores.contacts.as_ref())
        .await
        .unwrap();
    let again = stores.contacts.get(&"wa-3".into()).await.unwrap().unwrap();
    assert_eq!(again.version, 3);
}
