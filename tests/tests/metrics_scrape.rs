//! The Prometheus endpoint after a small campaign through the sandbox: the
//! send counts it serves over HTTP match the sandbox's ledger, number by
//! number; refused sends are counted as parked; queue depth is current; a
//! webhook with a bad signature is counted.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use wacrm::client::*;
use wacrm::scheduler::*;
use wacrm::store::{Category, Stores};
use wacrm::webhook::{SignatureVerifier, verify_and_parse};
use wacrm::{PhoneNumberId, SharedClock, SystemClock};
use wacrm_sandbox::{Sandbox, SandboxConfig};

const A: &str = "555000301";
const B: &str = "555000302";

/// The value of one sample line (`name{labels} value`) whose labels include all of `want`.
fn sample(text: &str, name: &str, want: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (head, value) = l.rsplit_once(' ')?;
            let (n, labels) = head.split_once('{').unwrap_or((head, ""));
            (n == name
                && want
                    .iter()
                    .all(|(k, v)| labels.contains(&format!("{k}=\"{v}\""))))
            .then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrape_after_campaign_matches_the_ledger() {
    let h = Sandbox::start(SandboxConfig::default().phone_number(A).phone_number(B))
        .await
        .unwrap();
    reqwest::Client::new()
        .put(format!("{}/_sandbox/limits", h.base_url()))
        .bearer_auth(h.access_token())
        .json(&json!({"tier": "tier10k", "mps": 200}))
        .send()
        .await
        .unwrap();
    let client = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .build()
        .unwrap();
    let stores = Stores::memory();
    let server =
        wacrm::metrics::prometheus::serve("127.0.0.1:0".parse().unwrap(), Some(stores.clone()))
            .await
            .unwrap();
    let clock: SharedClock = Arc::new(SystemClock);
    let sched = Scheduler::new(
        stores.clone(),
        client,
        Arc::new(MemoryLimiter::new(LimitConfig {
            mps: 200,
            ..Default::default()
        })),
        Arc::new(TierCounter::new(Some(10_000))),
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        clock.clone(),
        SchedulerConfig {
            worker_id: "metrics-w1".into(),
            batch: 16,
            transient_retries: 0,
            ..Default::default()
        },
    );
    // 25 from A, 15 from B; two of B's use a template the sandbox does not know.
    let n = 40;
    for i in 0..n {
        let number = PhoneNumberId::new(if i < 25 { A } else { B });
        let to = format!("+1555400{i:04}");
        let name = if i >= n - 2 {
            "no_such_template"
        } else {
            "hello_world"
        };
        let msg = OutboundMessage::Template(Template::new(name, "en_US"));
        let mut m = OutgoingMessage::new(format!("m1:{to}"), &number, to, msg, Category::Utility);
        m.campaign_id = Some("m1".into());
        sched.enqueue(&m).await.unwrap();
    }
    let report = sched
        .run_until_idle(clock.now_millis(), Instant::now() + Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!((report.sent, report.parked), (n - 2, 2), "{report:?}");
    // A webhook POST with a forged signature.
    let verifier = SignatureVerifier::new("app-secret");
    assert!(verify_and_parse(&verifier, b"{}", Some("sha256=00")).is_err());

    let text = reqwest::get(server.url())
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut ledger: BTreeMap<String, f64> = BTreeMap::new();
    for e in h.ledger() {
        *ledger.entry(e.phone_number_id).or_default() += 1.0;
    }
    assert_eq!(ledger.values().sum::<f64>(), (n - 2) as f64);
    for number in [A, B] {
        let sent = sample(
            &text,
            "wacrm_outbox_sends_total",
            &[("phone_number_id", number), ("outcome", "sent")],
        );
        assert_eq!(
            sent,
            ledger.get(number).copied().unwrap_or(0.0),
            "sends of {number} as the ledger has them\n{text}"
        );
    }
    assert_eq!(
        sample(
            &text,
            "wacrm_outbox_parks_total",
            &[("phone_number_id", B), ("reason", "api_error")]
        ),
        2.0
    );
    assert_eq!(
        sample(&text, "wacrm_outbox_enqueued_total", &[("outcome", "new")]),
        n as f64
    );
    assert_eq!(
        sample(&text, "wacrm_outbox_items", &[("state", "sent")]),
        (n - 2) as f64,
        "queue depth sampled at scrape time"
    );
    assert_eq!(
        sample(
            &text,
            "wacrm_api_send_seconds_count",
            &[("phone_number_id", A), ("outcome", "ok")]
        ),
        25.0
    );
    assert_eq!(
        sample(&text, "wacrm_webhook_signature_failures_total", &[]),
        1.0
    );
    server.shutdown();
}
