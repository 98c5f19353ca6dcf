//! Phone normalization: wacrm on one thread and on all cores vs Python
//! `phonenumbers` on one thread, same corpus, same run.
//! cargo bench -p wacrm-benches --bench phone

use std::time::{Duration, Instant};

use rayon::prelude::*;
use wacrm_benches::{run_anchor, workspace_path};

fn main() {
    let path = workspace_path("core/tests/data/phone/corpus.csv");
    let mut rdr = csv::Reader::from_path(&path).expect("corpus");
    let rows: Vec<(String, Option<String>)> = rdr
        .records()
        .map(|r| {
            let r = r.expect("row");
            (
                r[0].to_string(),
                Some(r[1].to_string()).filter(|s| !s.is_empty()),
            )
        })
        .collect();
    // Warm the compiled-metadata cache once, as a long-running process would be.
    for (s, r) in &rows {
        let _ = wacrm::phone::parse(s, r.as_deref());
    }
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed() < Duration::from_secs(3) {
        for (s, r) in &rows {
            std::hint::black_box(wacrm::phone::parse(s, r.as_deref()).ok());
        }
        n += rows.len();
    }
    let single = n as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed() < Duration::from_secs(3) {
        rows.par_iter().with_min_len(512).for_each(|(s, r)| {
            std::hint::black_box(wacrm::phone::parse(s, r.as_deref()).ok());
        });
        n += rows.len();
    }
    let multi = n as f64 / start.elapsed().as_secs_f64();
    let threads = rayon::current_num_threads();
    println!(
        "phone parse+E.164 ({} inputs, mixed regions/formats): wacrm {single:.0}/s on 1 thread, {multi:.0}/s on {threads} threads; 1M would take {:.2}s on {threads}",
        rows.len(),
        1e6 / multi
    );
    match run_anchor(&workspace_path("benches/anchors/phone_py.py"), &[&path]) {
        Ok(s) => {
            let py: f64 = s.parse().unwrap_or(f64::NAN);
            println!(
                "python phonenumbers {py:.0}/s on 1 thread; ratio single-thread {:.1}x, all cores {:.1}x",
                single / py,
                multi / py
            );
        }
        Err(e) => println!(
            "phonenumbers anchor skipped ({e}; pip install phonenumbers and set WACRM_BENCH_PYTHON)"
        ),
    }
}
