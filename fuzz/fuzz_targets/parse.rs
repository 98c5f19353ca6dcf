//! Fuzz the webhook parser and signature check: no input may panic, a body
//! that parses once parses the same way again, and the pull pass and the
//! layered path give the same events whenever the pull pass takes a body,
//! and verifying while parsing gives what parsing alone gives (and nothing
//! but the signature error under another signature).
//!
//! Run with `cargo +nightly fuzz run parse` from the repository root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wacrm::webhook::{Path, SignatureVerifier, parse_body, parse_with, verify_and_parse};

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
        for (e, e2) in events.iter().zip(&again) {
            let _ = e.kind();
            let _ = e.phone_number_id();
            // The raw JSON is the same object both times and always JSON; the event serializes.
            let raw = |e: &wacrm::webhook::WebhookEvent| e.raw().map(|r| r.get().to_string());
            let (r1, r2) = (raw(e), raw(e2));
            assert_eq!(r1, r2);
            if let Some(r) = r1 {
                serde_json::from_str::<serde::de::IgnoredAny>(&r).expect("raw is JSON");
            }
            serde_json::to_string(e).expect("event serializes");
        }
    }
    let json = |path| {
        parse_with(bytes::Bytes::copy_from_slice(data), path)
            .ok()
            .map(|ev| serde_json::to_string(&ev).expect("events serialize"))
    };
    if let Some(fast) = json(Path::Fast) {
        assert_eq!(Some(fast), json(Path::Layered), "paths disagree");
    }
    let outcome = |r: wacrm::Result<Vec<wacrm::webhook::WebhookEvent>>| {
        r.map(|ev| serde_json::to_string(&ev).expect("events serialize"))
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        outcome(verify_and_parse(&verifier, data, Some(&sig))),
        outcome(parse_body(data)),
        "signed parse disagrees"
    );
    let other = SignatureVerifier::new("another-secret").sign(data);
    let e = verify_and_parse(&verifier, data, Some(&other)).expect_err("wrong signature");
    assert!(e.to_string().contains("does not match"));
});
