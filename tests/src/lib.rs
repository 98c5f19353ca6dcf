//! Helpers shared by the cross-crate end-to-end tests in `tests/tests/`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use sha2::Sha256;

/// One received webhook.
#[derive(Clone, Debug)]
pub struct Received {
    /// `X-Hub-Signature-256` header.
    pub signature: Option<String>,
    /// Raw body bytes.
    pub body: Vec<u8>,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }

    /// Whether the signature matches `secret` over the exact bytes.
    pub fn signature_valid(&self, secret: &str) -> bool {
        let Some(sig) = &self.signature else {
            return false;
        };
        let Some(hexsig) = sig.strip_prefix("sha256=") else {
            return false;
        };
        let Ok(raw) = hex::decode(hexsig) else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(&self.body);
        mac.verify_slice(&raw).is_ok()
    }
}

struct Shared {
    received: Mutex<Vec<Received>>,
    answer: AtomicU16,
}

/// A local HTTP endpoint that records webhook posts.
pub struct WebhookSink {
    /// URL to give the sandbox.
    pub url: String,
    shared: Arc<Shared>,
}

impl WebhookSink {
    /// Listen on an ephemeral port; answers 200 until told otherwise.
    pub async fn start() -> WebhookSink {
        let shared = Arc::new(Shared {
            received: Mutex::new(Vec::new()),
            answer: AtomicU16::new(200),
        });
        let app = Router::new()
            .route("/webhook", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        WebhookSink {
            url: format!("http://{addr}/webhook"),
            shared,
        }
    }

    /// Answer future posts with this status (e.g. 500 to exercise retries).
    pub fn answer_with(&self, status: u16) {
        self.shared.answer.store(status, Ordering::SeqCst);
    }

    /// Everything received so far (including posts answered with an error).
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().clone()
    }

    /// Wait until `pred` holds over the received posts, or panic after `timeout`.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        pred: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.received();
            if pred(&got) {
                return got;
            }
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "webhook condition not met within {timeout:?}; received {} posts",
                    got.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn receive(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    s.received.lock().push(Received {
        signature,
        body: body.to_vec(),
    });
    StatusCode::from_u16(s.answer.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
}

/// All `statuses[]` objects in the received webhooks, in arrival order.
pub fn statuses(received: &[Received]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for r in received {
        let v = r.json();
        for e in v["entry"].as_array().into_iter().flatten() {
            for c in e["changes"].as_array().into_iter().flatten() {
                for s in c["value"]["statuses"].as_array().into_iter().flatten() {
                    out.push(s.clone());
                }
            }
        }
    }
    out
}

/// The sandbox's `/_sandbox/stats` (accepted, replayed, errors by code, ...).
pub async fn sandbox_stats(h: &wacrm_sandbox::SandboxHandle) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!("{}/_sandbox/stats", h.base_url()))
        .bearer_auth(h.access_token())
        .send()
        .await
        .expect("sandbox stats")
        .json()
        .await
        .expect("stats JSON")
}

/// How many times each `Idempotency-Key` reached the sandbox (every send carries one).
pub fn sends_per_key(
    ledger: &[wacrm_sandbox::LedgerEntry],
) -> std::collections::HashMap<String, usize> {
    let mut per_key = std::collections::HashMap::new();
    for l in ledger {
        let key = l
            .idempotency_key
            .clone()
            .expect("every send carries its key");
        *per_key.entry(key).or_default() += 1;
    }
    per_key
}

/// Assert that the ledger holds exactly `n` sends, each key once.
pub fn assert_each_sent_once(ledger: &[wacrm_sandbox::LedgerEntry], n: usize) {
    assert_eq!(ledger.len(), n, "nothing lost");
    let per_key = sends_per_key(ledger);
    assert_eq!(per_key.len(), n, "nothing sent twice");
}
