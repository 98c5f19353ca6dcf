//! A webhook endpoint (the ready axum handler) receiving the sandbox's signed
//! status webhooks and an inbound message, processed into a SQLite store.
//!
//! cargo run -p wacrm-examples --example webhook_server

use std::sync::Arc;
use std::time::Duration;

use wacrm::webhook::axum::WebhookEndpoint;
use wacrm::webhook::{WebhookEvent, WebhookProcessor};
use wacrm::{PhoneNumberId, Recipient, SharedClock, SystemClock};
use wacrm_sandbox::{Sandbox, SandboxConfig};

#[tokio::main]
async fn main() -> wacrm::Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let app =
        WebhookEndpoint::with_channel("my-app-secret", "my-verify-token", tx).router("/webhook");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/webhook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let sandbox = Sandbox::start(
        SandboxConfig::default()
            .phone_number("1001")
            .webhook_url(url)
            .app_secret("my-app-secret"),
    )
    .await
    .expect("sandbox");
    let client = wacrm::client::CloudApiClient::builder()
        .access_token(sandbox.access_token())
        .base_url(sandbox.base_url())
        .build()?;
    let dir = std::env::temp_dir().join(format!("wacrm-webhook-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let stores = wacrm::store::Stores::sqlite(dir.join("w.db")).await?;
    let clock: SharedClock = Arc::new(SystemClock);
    let processor = WebhookProcessor::new(stores.clone(), clock);

    sandbox
        .inbound(
            "1001",
            "447400123456",
            "Alex",
            serde_json::json!({"type": "text", "text": {"body": "Where is my parcel?"}}),
        )
        .expect("inbound");
    let sent = client
        .send_text(
            &PhoneNumberId::new("1001"),
            &Recipient::parse("+447400123456"),
            "It arrives tomorrow.",
        )
        .await?;
    // Record what we sent so its status webhooks apply (the scheduler does this for you);
    // statuses that arrive first are kept pending until then.
    stores
        .messages
        .record_outbound(&wacrm::store::MessageRecord {
            id: sent.message_id().cloned().unwrap_or_default(),
            phone_number_id: PhoneNumberId::new("1001"),
            conversation_id: None,
            contact_id: None,
            direction: wacrm::store::Direction::Outbound,
            msg_type: "text".into(),
            body: serde_json::json!({"body": "It arrives tomorrow."}),
            status: Some(wacrm::store::MessageStatus::Accepted),
            status_times: Default::default(),
            error: None,
            agent_id: None,
            campaign_id: None,
            created_at: 0,
        })
        .await?;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while let Ok(Some(events)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        for e in &events {
            match e {
                WebhookEvent::Message(m) => {
                    println!("message {} from {:?}: {:?}", m.id, m.from, m.content.text())
                }
                WebhookEvent::Status(s) => println!("status {} → {}", s.id, s.status.as_str()),
                other => println!("{} event", other.kind()),
            }
        }
        let report = processor.process(&events).await?;
        println!(
            "  processed: {} new message(s), {} status(es) applied, {} pending",
            report.new_messages.len(),
            report.statuses_applied,
            report.statuses_pending
        );
    }
    sandbox.shutdown().await;
    Ok(())
}
