//! Contact dedupe: wacrm vs Splink (DuckDB backend) on FEBRL3 and FEBRL4 in the
//! same run, and a generated million-contact list.
//! cargo bench -p wacrm-benches --bench dedupe
//! Env: WACRM_BENCH_PYTHON (an interpreter with splink installed),
//! WACRM_BENCH_DEDUPE_ROWS (default 1000000), WACRM_BENCH_SPLINK_1M=1 to also
//! run Splink on the generated list (slow).

use std::time::Instant;

use wacrm::contacts::dedupe::{self, DedupeConfig, FEBRL_MAPS, Quality, synth};
use wacrm::contacts::{ImportSpec, read_csv_all};
use wacrm::store::Contact;
use wacrm_benches::{run_anchor, workspace_path};

fn spec(id: &str, maps: &[&str]) -> ImportSpec {
    ImportSpec {
        id_column: Some(id.into()),
        ..Default::default()
    }
    .with_maps(maps.iter().copied())
    .expect("maps")
}

fn read(path: &str, spec: &ImportSpec) -> Vec<Contact> {
    let f = std::fs::File::open(path).expect("data file");
    let (rows, report) = read_csv_all(std::io::BufReader::new(f), spec).expect("csv");
    assert!(report.bad_rows.is_empty());
    rows.into_iter().map(|r| r.contact).collect()
}

fn truth(path: &str) -> Vec<(String, String)> {
    let mut r = csv::Reader::from_path(path).expect("truth");
    r.records()
        .map(|x| {
            let x = x.expect("row");
            (x[0].to_string(), x[1].to_string())
        })
        .collect()
}

fn quality(res: &dedupe::DedupeResult, t: &[(String, String)]) -> Quality {
    dedupe::evaluate(
        res.pairs.iter().map(|p| (p.a.as_str(), p.b.as_str())),
        t.iter().map(|(a, b)| (a.as_str(), b.as_str())),
    )
}

/// Median seconds of `runs` runs of the whole job (read the CSVs, dedupe).
fn time_job(
    runs: usize,
    mut job: impl FnMut() -> dedupe::DedupeResult,
) -> (f64, dedupe::DedupeResult) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let r = job();
        times.push(start.elapsed().as_secs_f64());
        last = Some(r);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], last.expect("one run"))
}

fn splink(set: &str) -> Option<(f64, f64)> {
    match run_anchor(
        &workspace_path("benches/anchors/dedupe_splink.py"),
        &[&workspace_path("data/febrl"), set],
    ) {
        Ok(s) => {
            let v: serde_json::Value = serde_json::from_str(&s).ok()?;
            Some((v["seconds"].as_f64()?, v["f1"].as_f64()?))
        }
        Err(e) => {
            println!(
                "  splink anchor skipped: {e} (set WACRM_BENCH_PYTHON to a python with splink)"
            );
            None
        }
    }
}

/// Print wacrm's time and quality on a FEBRL set, then Splink's on the same set.
fn compare_with_splink(
    set: &str,
    job: &str,
    secs: f64,
    res: &dedupe::DedupeResult,
    truth_path: &str,
) {
    let q = quality(res, &truth(truth_path));
    println!(
        "{set} {job}: wacrm {secs:.3}s (read + {job}, median of 5), P {:.4} R {:.4} F1 {:.4}, {} candidates",
        q.precision, q.recall, q.f1, res.stats.candidate_pairs
    );
    if let Some((ss, sf1)) = splink(set) {
        println!(
            "  splink {ss:.3}s F1 {sf1:.4}; wacrm is {:.1}x faster, F1 {:+.4}",
            ss / secs,
            q.f1 - sf1
        );
    }
}

fn main() {
    let cfg = DedupeConfig::default();
    let febrl = |f: &str| workspace_path(&format!("data/febrl/{f}"));
    let s = spec("rec_id", &FEBRL_MAPS);

    // FEBRL3: dedupe of 5,000 records.
    let (secs, res) = time_job(5, || dedupe::dedupe(&read(&febrl("febrl3.csv"), &s), &cfg));
    compare_with_splink(
        "febrl3",
        "dedupe",
        secs,
        &res,
        &febrl("febrl3_true_pairs.csv"),
    );

    // FEBRL4: linkage of two 5,000-record files.
    let (secs, res) = time_job(5, || {
        let a = read(&febrl("febrl4a.csv"), &s);
        let b = read(&febrl("febrl4b.csv"), &s);
        dedupe::link(&[&a, &b], &cfg)
    });
    compare_with_splink(
        "febrl4",
        "link",
        secs,
        &res,
        &febrl("febrl4_true_pairs.csv"),
    );

    // A generated list: multi-script names, several numbers per person.
    let rows: usize = std::env::var("WACRM_BENCH_DEDUPE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("wacrm-dedupe-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("contacts.csv");
    let t = synth::write_csv(
        rows,
        1,
        std::io::BufWriter::new(std::fs::File::create(&path).expect("create")),
    )
    .expect("generate");
    let gs = spec("id", &synth::MAPS);
    let schema = dedupe::schema_for_spec(&gs, &cfg);
    let start = Instant::now();
    // As `wacrm contacts dedupe` does: rows become comparison records on the reading threads.
    let f = std::fs::File::open(&path).expect("generated file");
    let (records, report) = wacrm::contacts::read_csv_values(
        std::io::BufReader::new(f),
        &gs,
        |row| dedupe::DedupeRecord::from_row(row, &schema),
        |r| vec![r.id.clone()],
    )
    .expect("csv");
    assert!(report.bad_rows.is_empty());
    let read_s = start.elapsed().as_secs_f64();
    let res = dedupe::dedupe_records(&records, &schema, &cfg);
    let total = start.elapsed().as_secs_f64();
    let q = quality(&res, &t);
    println!(
        "generated {rows} contacts on {} threads: {:.2}s total ({:.2}s reading + normalizing + preparing, {:.2}s dedupe; phases {:?}), {} candidates, P {:.4} R {:.4} F1 {:.4}; target < 4s",
        rayon::current_num_threads(),
        total,
        read_s,
        res.stats.millis as f64 / 1000.0,
        res.stats.phase_millis,
        res.stats.candidate_pairs,
        q.precision,
        q.recall,
        q.f1
    );
    let _ = std::fs::remove_dir_all(&dir);
}
