//! C2 bench: verify `X-Hub-Signature-256` + parse a 1 KB text-message body and
//! a 20-status batch body, bodies per second on one core, against pywa doing the
//! same in the same run (`benches/anchors/webhook_pywa.py`).
//!
//! The anchor runs with `$WACRM_BENCH_PYTHON` (default `python3`); when pywa is
//! not importable the anchor is reported as missing and no ratio is printed.
//!
//! Every figure is the median of `$WACRM_BENCH_ROUNDS` rounds (default 7) of
//! `$WACRM_BENCH_SECS` seconds each (default 0.5), the measurements taking
//! turns within a round: a machine whose speed drifts over minutes then
//! shifts them all alike instead of whichever ran during a slow spell. The
//! range over the rounds is printed beside the median.

use std::hint::black_box;
use std::time::{Duration, Instant};

use wacrm::webhook::{
    Path, SignatureVerifier, WebhookEvent, parse_body, parse_with, verify_and_parse,
    verify_and_parse_bytes,
};

const SECRET: &str = "bench-app-secret";

fn text_body() -> String {
    // Pad the text so the whole body is ~1 KB, like a real inbound message.
    let mut text = String::from("Hello, I would like to know more about the order I placed ");
    loop {
        let body = format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Sheena Nelson"}},"wa_id":"16505551234","user_id":"US.13491208655302741918"}}],"messages":[{{"from":"16505551234","from_user_id":"US.13491208655302741918","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{{"body":"{text}"}}}}]}},"field":"messages"}}]}}]}}"#
        );
        if body.len() >= 1024 {
            return body;
        }
        text.push_str("and when it ships. ");
    }
}

fn status_batch_body() -> String {
    let statuses: Vec<String> = (0..20)
        .map(|i| {
            let status = ["sent", "delivered", "read", "failed"][i % 4];
            let errors = if status == "failed" {
                r#","errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable","error_data":{"details":"Message Undeliverable."}}]"#
            } else {
                ""
            };
            format!(
                r#"{{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI{i:04}QUQ0Q0E3NzRGAA==","status":"{status}","timestamp":"17494163{i:02}","recipient_id":"16505551234","pricing":{{"billable":true,"pricing_model":"PMP","category":"marketing","type":"regular"}}{errors}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Sheena Nelson"}},"wa_id":"16505551234"}}],"statuses":[{}]}},"field":"messages"}}]}}]}}"#,
        statuses.join(",")
    )
}

/// Bodies per second verifying and parsing `body` for about `dur`, as a server
/// does: the body arrives as `Bytes` and the events share it.
fn measure(verifier: &SignatureVerifier, body: &[u8], sig: &str, dur: Duration) -> f64 {
    let body = bytes::Bytes::copy_from_slice(body);
    let mut n = 0u64;
    let start = Instant::now();
    while start.elapsed() < dur {
        for _ in 0..1000 {
            let events: Vec<WebhookEvent> =
                verify_and_parse_bytes(verifier, black_box(body.clone()), Some(sig))
                    .expect("valid body");
            black_box(events);
        }
        n += 1000;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// Per second for `f` over about `dur` (for the verify / parse breakdown).
fn rate(dur: Duration, mut f: impl FnMut()) -> f64 {
    let mut n = 0u64;
    let start = Instant::now();
    while start.elapsed() < dur {
        for _ in 0..1000 {
            f();
        }
        n += 1000;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn anchor(bodies: &[(&str, &str, &str)]) -> Option<Vec<f64>> {
    let dir = std::env::temp_dir().join(format!("wacrm-bench-webhook-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let mut args = vec![
        concat!(env!("CARGO_MANIFEST_DIR"), "/anchors/webhook_pywa.py").to_string(),
        SECRET.to_string(),
    ];
    for (name, body, sig) in bodies {
        let p = dir.join(format!("{name}.json"));
        std::fs::write(&p, body).ok()?;
        args.push(p.display().to_string());
        args.push(sig.to_string());
    }
    let python = std::env::var("WACRM_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .args(&args)
        .env("WACRM_ANCHOR_ROUNDS", "5")
        .env("WACRM_ANCHOR_SECS", "0.6")
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let out = out.ok()?;
    if !out.status.success() {
        eprintln!(
            "anchor failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().parse::<f64>().ok())
        .collect()
}

/// Median and range of the rounds.
struct Spread {
    median: f64,
    low: f64,
    high: f64,
}

fn spread(mut rounds: Vec<f64>) -> Spread {
    rounds.sort_by(f64::total_cmp);
    Spread {
        median: rounds[rounds.len() / 2],
        low: rounds[0],
        high: rounds[rounds.len() - 1],
    }
}

fn main() {
    let secs: f64 = std::env::var("WACRM_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.5);
    let rounds: usize = std::env::var("WACRM_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7)
        .max(1);
    let verifier = SignatureVerifier::new(SECRET);
    let text = text_body();
    let batch = status_batch_body();
    let text_sig = verifier.sign(text.as_bytes());
    let batch_sig = verifier.sign(batch.as_bytes());
    // Sanity: the bodies parse into what they claim.
    assert_eq!(
        verify_and_parse(&verifier, text.as_bytes(), Some(&text_sig))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        verify_and_parse(&verifier, batch.as_bytes(), Some(&batch_sig))
            .unwrap()
            .len(),
        20
    );
    // Both bodies are what the fast path exists for: one that fell to the
    // layered path would measure serde_json instead of the server's path.
    for body in [&text, &batch] {
        let bytes = bytes::Bytes::copy_from_slice(body.as_bytes());
        assert!(
            parse_with(bytes, Path::Fast).is_ok(),
            "the pull pass gave up on a bench body"
        );
    }
    let dur = Duration::from_secs_f64(secs);
    // text, batch, verify only, parse only, from a borrowed slice, serde pass
    let mut seen: [Vec<f64>; 6] = Default::default();
    for _ in 0..rounds {
        seen[0].push(measure(&verifier, text.as_bytes(), &text_sig, dur));
        seen[1].push(measure(&verifier, batch.as_bytes(), &batch_sig, dur));
        seen[2].push(rate(dur, || {
            verifier
                .check(black_box(text.as_bytes()), Some(&text_sig))
                .unwrap()
        }));
        seen[3].push(rate(dur, || {
            black_box(parse_body(black_box(text.as_bytes())).unwrap());
        }));
        seen[4].push(rate(dur, || {
            black_box(
                verify_and_parse(&verifier, black_box(text.as_bytes()), Some(&text_sig)).unwrap(),
            );
        }));
        // Floor: one serde pass over the body that builds nothing.
        seen[5].push(rate(dur, || {
            black_box(
                serde_json::from_slice::<serde::de::IgnoredAny>(black_box(text.as_bytes()))
                    .unwrap(),
            );
        }));
    }
    let [
        ours_text,
        ours_batch,
        verify_only,
        parse_only,
        copying,
        scan_only,
    ] = seen.map(spread);
    let ours = [ours_text, ours_batch];
    let pywa = anchor(&[("text", &text, &text_sig), ("batch", &batch, &batch_sig)]);
    let names = [
        format!("text message ({} B)", text.len()),
        format!("20-status batch ({} B)", batch.len()),
    ];
    println!(
        "C2 webhooks: verify + parse, bodies/s on one core (median of {rounds} rounds of {secs} s, range in brackets)"
    );
    let show = |s: &Spread| format!("{:.0} [{:.0}–{:.0}]", s.median, s.low, s.high);
    println!(
        "breakdown, text message: verify only {}/s, parse only (copies the body) {}/s, one serde pass building nothing {}/s, verify + parse from a borrowed slice (one copy of the body) {}/s",
        show(&verify_only),
        show(&parse_only),
        show(&scan_only),
        show(&copying)
    );
    for (i, name) in names.iter().enumerate() {
        match &pywa {
            Some(p) if p.len() == 2 => println!(
                "{name:<28} wacrm {:>28}/s   pywa {:>10.0}/s   ratio {:>6.1}x",
                show(&ours[i]),
                p[i],
                ours[i].median / p[i]
            ),
            _ => println!(
                "{name:<28} wacrm {:>28}/s   pywa (not available)",
                show(&ours[i])
            ),
        }
    }
}
