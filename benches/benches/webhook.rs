//! Webhook verify + parse throughput on one core, vs pywa doing the same in this run.
//! cargo bench -p wacrm-benches --bench webhook

use std::time::Duration;

use wacrm::webhook::{SignatureVerifier, verify_and_parse};
use wacrm_benches::{run_anchor, time_for, workspace_path};

fn main() {
    let secret = "s3cret";
    let v = SignatureVerifier::new(secret);
    for (name, file) in [
        ("1 KB text message", "benches/data/text_1k.json"),
        ("20-status batch", "benches/data/statuses_20.json"),
    ] {
        let path = workspace_path(file);
        let body = std::fs::read(&path).expect("fixture");
        let sig = v.sign(&body);
        let events = verify_and_parse(&v, &body, Some(&sig))
            .expect("parses")
            .len();
        let (n, t) = time_for(Duration::from_secs(3), || {
            let e = verify_and_parse(&v, std::hint::black_box(&body), Some(&sig)).expect("valid");
            std::hint::black_box(e);
        });
        let ours = n as f64 / t.as_secs_f64();
        print!(
            "webhook {name} ({} bytes, {events} events): wacrm {ours:.0} bodies/s/core",
            body.len()
        );
        match run_anchor(
            &workspace_path("benches/anchors/webhook_pywa.py"),
            &[&path, secret, &sig],
        ) {
            Ok(s) => {
                let py: f64 = s.parse().unwrap_or(f64::NAN);
                println!(", pywa {py:.0} bodies/s, ratio {:.1}x", ours / py);
            }
            Err(e) => {
                println!(", pywa anchor skipped ({e}; pip install pywa and set WACRM_BENCH_PYTHON)")
            }
        }
    }
}
