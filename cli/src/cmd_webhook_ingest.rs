//! `wacrm webhook ingest`: stored webhook bodies through the same
//! `WebhookProcessor` the live handler uses. A status for a message the
//! store does not know creates that outbound message. Redelivery is
//! harmless, so ingesting the same files twice changes nothing.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::json;
use wacrm::store::Stores;
use wacrm::webhook::{WebhookProcessor, parse_body};
use wacrm::{SharedClock, SystemClock};

/// The bodies of one file: the whole file when it is one JSON value, else
/// one body per non-empty line (with its line number).
fn bodies(raw: &[u8]) -> Vec<(usize, &[u8])> {
    if serde_json::from_slice::<serde::de::IgnoredAny>(raw).is_ok() {
        return vec![(1, raw)];
    }
    raw.split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, l)| l.iter().any(|b| !b.is_ascii_whitespace()))
        .map(|(i, l)| (i + 1, l))
        .collect()
}

pub async fn run(db: &str, files: &[PathBuf]) -> ExitCode {
    let stores = match Stores::from_url(db).await {
        Ok(s) => s,
        Err(e) => return crate::output::print_error(&e),
    };
    let clock: SharedClock = Arc::new(SystemClock);
    let processor = WebhookProcessor::new(stores, clock).create_outbound_from_statuses(true);
    let mut n_bodies = 0u64;
    let mut events = 0u64;
    let (mut new_messages, mut duplicates, mut applied, mut ignored, mut pending) = (0, 0, 0, 0, 0);
    let (mut created, mut errors, mut unknown) = (0, 0, 0);
    let mut bad = Vec::new();
    for f in files {
        let raw = match std::fs::read(f) {
            Ok(r) => r,
            Err(e) => {
                bad.push(
                    json!({"file": f.display().to_string(), "line": null, "error": e.to_string()}),
                );
                continue;
            }
        };
        for (line, body) in bodies(&raw) {
            let parsed = match parse_body(body) {
                Ok(p) => p,
                Err(e) => {
                    bad.push(json!({"file": f.display().to_string(), "line": line, "error": e.to_string()}));
                    continue;
                }
            };
            n_bodies += 1;
            events += parsed.len() as u64;
            match processor.process(&parsed).await {
                Ok(r) => {
                    new_messages += r.new_messages.len() as u64;
                    duplicates += r.duplicate_messages;
                    applied += r.statuses_applied;
                    ignored += r.statuses_ignored.len() as u64;
                    pending += r.statuses_pending;
                    created += r.outbound_created;
                    errors += r.errors.len() as u64;
                    unknown += r.unknown;
                }
                // A store failure stops the run: later bodies must not be
                // applied around a hole. What was applied stays (idempotent).
                Err(e) => return crate::output::print_error(&e),
            }
        }
    }
    let ok = bad.is_empty();
    println!(
        "{}",
        json!({
            "files": files.len(),
            "bodies": n_bodies,
            "events": events,
            "new_messages": new_messages,
            "duplicate_messages": duplicates,
            "outbound_created": created,
            "statuses_applied": applied,
            "statuses_ignored": ignored,
            "statuses_pending": pending,
            "graph_errors": errors,
            "unknown_events": unknown,
            "bad_bodies": bad,
        })
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
