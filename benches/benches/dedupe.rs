//! Contact dedupe: wacrm vs Splink (DuckDB backend) on FEBRL3 and FEBRL4 in the
//! same run, and a generated million-contact list.
//! cargo bench -p wacrm-benches --bench dedupe
//! Env: WACRM_BENCH_PYTHON (an interpreter with splink installed),
//! WACRM_BENCH_DEDUPE_ROWS (default 1000000), WACRM_BENCH_DEDUPE_RUNS (default 3).

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

/// Set to a generated file: run one dedupe of it and print the timings as JSON.
const CHILD: &str = "WACRM_BENCH_DEDUPE_CHILD";

fn child(path: &str) {
    let cfg = DedupeConfig::default();
    let gs = spec("id", &synth::MAPS);
    let start = Instant::now();
    let f = std::fs::File::open(path).expect("generated file");
    let (res, reports) = dedupe::dedupe_csv([std::io::BufReader::new(f)], &gs, &cfg).expect("csv");
    let total = start.elapsed().as_secs_f64();
    assert!(reports[0].bad_rows.is_empty());
    let dedupe_s = res.stats.millis as f64 / 1000.0;
    let pairs: Vec<(&str, &str)> = res
        .pairs
        .iter()
        .map(|p| (p.a.as_str(), p.b.as_str()))
        .collect();
    println!(
        "{}",
        serde_json::json!({
            "total": total,
            "read": total - dedupe_s,
            "dedupe": dedupe_s,
            "phases": res.stats.phase_millis,
            "candidates": res.stats.candidate_pairs,
            "pairs": pairs,
        })
    );
}

fn main() {
    if let Ok(path) = std::env::var(CHILD) {
        return child(&path);
    }
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
    // As `wacrm contacts dedupe` does, each run in a fresh process: the file
    // is read, rows become comparison records on every core, then dedupe.
    // Median of three runs.
    let runs: usize = std::env::var("WACRM_BENCH_DEDUPE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut timed: Vec<(f64, serde_json::Value)> = (0..runs.max(1))
        .map(|_| {
            let out = std::process::Command::new(std::env::current_exe().expect("bench binary"))
                .env(CHILD, &path)
                .output()
                .expect("run the bench in a fresh process");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("child JSON");
            (v["total"].as_f64().expect("total"), v)
        })
        .collect();
    let totals: Vec<String> = timed.iter().map(|(t, _)| format!("{t:.2}")).collect();
    timed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (total, v) = &timed[timed.len() / 2];
    let pairs: Vec<(String, String)> = serde_json::from_value(v["pairs"].clone()).expect("pairs");
    let q = dedupe::evaluate(
        pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())),
        t.iter().map(|(a, b)| (a.as_str(), b.as_str())),
    );
    println!(
        "generated {rows} contacts on {} threads: {total:.2}s total, median of {} fresh processes {totals:?} ({:.2}s reading + normalizing + preparing, {:.2}s dedupe; phases {}), {} candidates, P {:.4} R {:.4} F1 {:.4}; target < 4s",
        rayon::current_num_threads(),
        timed.len(),
        v["read"].as_f64().unwrap_or_default(),
        v["dedupe"].as_f64().unwrap_or_default(),
        v["phases"],
        v["candidates"],
        q.precision,
        q.recall,
        q.f1
    );
    let _ = std::fs::remove_dir_all(&dir);
}
