//! Fuzz the webhook parser and signature check: no input may panic, and a body
//! that parses once parses the same way again.
//!
//! Run with `cargo +nightly fuzz run parse` from the repository root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wacrm::webhook::{SignatureVerifier, parse_body};

fuzz_target!(|data: &[u8]| {
    let verifier = SignatureVerifier::new("fuzz-secret");
    // The first line (if any) doubles as a signature header.
    let header = data
        .split(|b| *b == b'\n')
        .next()
        .and_then(|l| std::str::from_utf8(l).ok());
    let _ = verifier.check(data, header);
    let sig = verifier.sign(data);
    assert!(verifier.check(data, Some(&sig)).is_ok());
    if let Ok(events) = parse_body(data) {
        let again = parse_body(data).expect("deterministic");
        assert_eq!(events.len(), again.len());
        for e in &events {
            let _ = e.kind();
            let _ = e.phone_number_id();
        }
    }
});
