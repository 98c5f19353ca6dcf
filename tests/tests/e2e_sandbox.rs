//! End to end through the sandbox: the client against every endpoint and error
//! class, webhooks with duplicate and out-of-order deliveries processed into
//! the store, and a campaign through the scheduler with the limits on.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use wacrm::client::*;
use wacrm::scheduler::*;
use wacrm::store::{Category, MessageStatus, OutboxState, Stores};
use wacrm::webhook::{SignatureVerifier, WebhookProcessor, parse_body};
use wacrm::{
    ErrorKind, MediaId, MessageId, PhoneNumberId, Recipient, SharedClock, SystemClock, WabaId,
};
use wacrm_sandbox::{Faults, Sandbox, SandboxConfig, SandboxHandle, StatusDelays, WindowMode};
use wacrm_tests::WebhookSink;

const NUM: &str = "555000111";

async fn sandbox(cfg: SandboxConfig) -> (SandboxHandle, WebhookSink, CloudApiClient) {
    let sink = WebhookSink::start().await;
    let h = Sandbox::start(
        cfg.phone_number(NUM)
            .webhook_url(sink.url.clone())
            .status_delays(StatusDelays {
                sent_ms: 1,
                delivered_ms: 5,
                read_ms: 10,
                read_rate: 1.0,
            }),
    )
    .await
    .unwrap();
    let c = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .retry_policy(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .build()
        .unwrap();
    (h, sink, c)
}

fn from() -> PhoneNumberId {
    PhoneNumberId::new(NUM)
}

#[tokio::test]
async fn client_against_sandbox_every_endpoint() {
    let (h, _sink, c) = sandbox(SandboxConfig::default()).await;
    let to = Recipient::parse("+81 90-1234-5678");
    h.inbound(
        NUM,
        "819012345678",
        "Hanako",
        json!({"type": "text", "text": {"body": "hi"}}),
    )
    .unwrap();
    // Every message type the client builds is accepted by the sandbox's own validation.
    let msgs = vec![
        OutboundMessage::Text {
            body: "hello https://example.com".into(),
            preview_url: true,
        },
        OutboundMessage::Image(Media::link("https://example.com/a.jpg").caption("c")),
        OutboundMessage::Audio(Media::id("123")),
        OutboundMessage::Video(Media::id("123").caption("v")),
        OutboundMessage::Document(Media::id("123").filename("a.pdf")),
        OutboundMessage::Sticker(Media::link("https://example.com/s.webp")),
        OutboundMessage::Location(Location {
            latitude: 35.68,
            longitude: 139.76,
            name: Some("Tokyo".into()),
            address: None,
        }),
        OutboundMessage::Contacts(vec![ContactCard {
            name: ContactName {
                formatted_name: "Ken".into(),
                ..Default::default()
            },
            ..Default::default()
        }]),
        OutboundMessage::Reaction {
            message_id: MessageId::new("wamid.X"),
            emoji: "👍".into(),
        },
        OutboundMessage::Interactive(Interactive::Buttons {
            header: None,
            body: "Choose".into(),
            footer: None,
            buttons: vec![ReplyButton {
                id: "y".into(),
                title: "Yes".into(),
            }],
        }),
        OutboundMessage::Interactive(Interactive::List {
            header: Some("Stores".into()),
            body: "Pick".into(),
            footer: None,
            button: "Open".into(),
            sections: vec![ListSection {
                title: None,
                rows: vec![ListRow {
                    id: "r".into(),
                    title: "Shibuya".into(),
                    description: None,
                }],
            }],
        }),
        OutboundMessage::Interactive(Interactive::CtaUrl {
            header: None,
            body: "Track".into(),
            footer: None,
            display_text: "Open".into(),
            url: "https://example.com".into(),
        }),
        OutboundMessage::Interactive(Interactive::Flow {
            header: None,
            body: "Sign up".into(),
            footer: None,
            action: FlowAction {
                flow_id: Some("1".into()),
                flow_name: None,
                flow_cta: "Go".into(),
                flow_token: None,
                flow_action: None,
                flow_action_payload: None,
                mode: None,
            },
        }),
        OutboundMessage::Template(
            Template::new("order_update", "en_US")
                .body(vec![TemplateParam::text("Ana"), TemplateParam::text("#1")]),
        ),
    ];
    for m in &msgs {
        let r = c
            .send(&from(), &to, m, &SendOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", m.type_name()));
        assert_eq!(r.contacts[0].wa_id.as_deref(), Some("819012345678"));
    }
    assert_eq!(h.ledger().len(), msgs.len());
    assert!(
        c.mark_read(&from(), &MessageId::new("wamid.IN"), true)
            .await
            .unwrap()
            .success
    );

    // Media, templates, numbers, profile.
    let id = c
        .upload_media(
            &from(),
            MediaKind::Document,
            "application/pdf",
            "a.pdf",
            bytes::Bytes::from_static(b"%PDF-1.4"),
        )
        .await
        .unwrap();
    let url = c.media_url(&id).await.unwrap();
    assert_eq!(url.mime_type, "application/pdf");
    assert_eq!(&c.download_media(&url.url).await.unwrap()[..], b"%PDF-1.4");
    assert!(c.delete_media(&id).await.unwrap().success);
    let e = c.media_url(&MediaId::new(id.0.clone())).await.unwrap_err();
    assert_eq!(e.graph().unwrap().subcode, Some(33));
    let waba = WabaId::new(h.waba_id());
    let all = c
        .list_all_templates(
            &waba,
            &TemplateQuery {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(all.len() >= 4, "paged through every template");
    let created = c
        .create_template(
            &waba,
            &NewTemplate {
                name: "winback".into(),
                language: "en".into(),
                category: TemplateCategory::Marketing,
                components: vec![json!({"type": "BODY", "text": "We miss you {{1}}"})],
                parameter_format: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(created.status, TemplateStatus::Pending);
    assert!(
        c.delete_template(&waba, "winback", None)
            .await
            .unwrap()
            .success
    );
    let nums = c.list_phone_numbers(&waba).await.unwrap();
    assert_eq!(nums.items[0].id.as_str(), NUM);
    assert_eq!(
        c.get_phone_number(&from())
            .await
            .unwrap()
            .quality_rating
            .as_deref(),
        Some("GREEN")
    );
    c.update_business_profile(
        &from(),
        &BusinessProfile {
            about: Some("Open 9-18".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        c.get_business_profile(&from())
            .await
            .unwrap()
            .about
            .as_deref(),
        Some("Open 9-18")
    );
}

#[tokio::test]
async fn client_classifies_every_sandbox_error() {
    let (h, _sink, c) = sandbox(SandboxConfig::default().window_mode(WindowMode::Sync)).await;
    let to = Recipient::parse("15550001234");
    let e = c
        .send(
            &from(),
            &to,
            &OutboundMessage::text("hi"),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.graph().unwrap().code),
        (ErrorKind::OutsideWindow, 131047)
    );
    let tpl = |name: &str, params: usize| {
        OutboundMessage::Template(
            Template::new(name, "en_US").body(
                (0..params)
                    .map(|i| TemplateParam::text(format!("p{i}")))
                    .collect(),
            ),
        )
    };
    let e = c
        .send(&from(), &to, &tpl("nope", 0), &SendOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.graph().unwrap().code),
        (ErrorKind::Template, 132001)
    );
    let e = c
        .send(
            &from(),
            &to,
            &tpl("order_update", 1),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.graph().unwrap().code),
        (ErrorKind::Template, 132000)
    );
    let bad = CloudApiClient::builder()
        .access_token("wrong")
        .base_url(h.base_url())
        .build()
        .unwrap();
    let e = bad
        .send(
            &from(),
            &to,
            &tpl("hello_world", 0),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Auth, Some(401)));
    reqwest::Client::new()
        .put(format!("{}/_sandbox/limits", h.base_url()))
        .bearer_auth(h.access_token())
        .json(&json!({"pair_burst": 1, "mps": 1000}))
        .send()
        .await
        .unwrap();
    c.send(
        &from(),
        &to,
        &tpl("hello_world", 0),
        &SendOptions::default(),
    )
    .await
    .unwrap();
    let e = c
        .send(
            &from(),
            &to,
            &tpl("hello_world", 0),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PairRateLimited);
    assert!(e.retry().retryable);
    reqwest::Client::new()
        .put(format!("{}/_sandbox/limits", h.base_url()))
        .bearer_auth(h.access_token())
        .json(&json!({"mps": 1}))
        .send()
        .await
        .unwrap();
    let other = |i: usize| Recipient::parse(&format!("1555100{i:04}"));
    let mut throttled = None;
    for i in 0..5 {
        if let Err(e) = c
            .send(
                &from(),
                &other(i),
                &tpl("hello_world", 0),
                &SendOptions::default(),
            )
            .await
        {
            throttled = Some(e);
            break;
        }
    }
    let e = throttled.expect("1 mps must throttle a burst");
    assert_eq!(
        (e.kind(), e.graph().unwrap().code),
        (ErrorKind::RateLimited, 130429)
    );
    // Injected 5xx are retried by the client; with every request failing it gives up with TRANSIENT.
    h.set_faults(Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    let e = c.get_phone_number(&from()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
}

#[tokio::test]
async fn webhooks_with_duplicates_and_out_of_order_end_in_the_right_state() {
    let (h, sink, c) = sandbox(SandboxConfig::default()).await;
    h.set_faults(Faults {
        duplicate_webhook_rate: 1.0,
        out_of_order_rate: 1.0,
        ..Default::default()
    });
    let stores = Stores::memory();
    let clock: SharedClock = Arc::new(SystemClock);
    let processor = WebhookProcessor::new(stores.clone(), clock);
    let verifier = SignatureVerifier::new(h.app_secret());
    // Inbound first (delivered twice), then replies whose statuses arrive reversed and doubled.
    h.inbound(
        NUM,
        "819011112222",
        "佐藤",
        json!({"type": "text", "text": {"body": "こんにちは"}}),
    )
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let r = c
            .send(
                &from(),
                &Recipient::parse("819011112222"),
                &OutboundMessage::text(format!("reply {i}")),
                &SendOptions::default(),
            )
            .await
            .unwrap();
        let id = r.message_id().unwrap().clone();
        // The outbound record may land after its statuses: that is the point.
        ids.push(id);
    }
    let received = sink
        .wait_until(Duration::from_secs(5), |r| {
            wacrm_tests::statuses(r).len() >= 5 * 6
        })
        .await;
    let mut handled = 0;
    let mut dup_msgs = 0;
    for (n, r) in received.iter().enumerate() {
        let events =
            wacrm::webhook::verify_and_parse(&verifier, &r.body, r.signature.as_deref()).unwrap();
        let report = processor.process(&events).await.unwrap();
        handled += report.new_messages.len();
        dup_msgs += report.duplicate_messages;
        if n == 0 {
            // Record the outbound messages after the first webhook: statuses so far stayed pending.
            for id in &ids {
                stores
                    .messages
                    .record_outbound(&wacrm::store::MessageRecord {
                        id: id.clone(),
                        phone_number_id: from(),
                        conversation_id: None,
                        contact_id: None,
                        direction: wacrm::store::Direction::Outbound,
                        msg_type: "text".into(),
                        body: json!({}),
                        status: Some(MessageStatus::Accepted),
                        status_times: Default::default(),
                        error: None,
                        agent_id: None,
                        campaign_id: None,
                        created_at: 0,
                    })
                    .await
                    .unwrap();
            }
        }
    }
    assert_eq!(handled, 1, "the inbound message is handled once");
    assert!(dup_msgs >= 1, "its duplicate was recognised");
    for id in &ids {
        let m = stores.messages.get_message(id).await.unwrap().unwrap();
        assert_eq!(
            m.status,
            Some(MessageStatus::Read),
            "{id}: read despite reversed order"
        );
        assert!(m.status_times.contains_key("sent") && m.status_times.contains_key("delivered"));
    }
    assert!(stores.messages.pending_statuses().await.unwrap().is_empty());
    // A body with a new, unknown type still parses.
    let odd = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"id":"wamid.Z","from":"1","timestamp":"1","type":"hologram","hologram":{}}]}}]}]}"#;
    let ev = parse_body(odd).unwrap();
    assert!(
        matches!(&ev[0], wacrm::webhook::WebhookEvent::Message(m) if m.content.type_name() == "hologram")
    );
}

#[tokio::test]
async fn campaign_through_the_scheduler_respects_limits_and_loses_nothing() {
    let (h, _sink, c) = sandbox(SandboxConfig::default().mps(50.0)).await;
    // Two numbers so the per-number limits are exercised side by side.
    reqwest::Client::new()
        .post(format!("{}/_sandbox/numbers", h.base_url()))
        .bearer_auth(h.access_token())
        .json(&json!({"id": "555000222"}))
        .send()
        .await
        .unwrap();
    reqwest::Client::new()
        .put(format!("{}/_sandbox/limits", h.base_url()))
        .bearer_auth(h.access_token())
        .json(&json!({"tier": "tier10k", "mps": 50}))
        .send()
        .await
        .unwrap();
    let stores = Stores::memory();
    let clock: SharedClock = Arc::new(SystemClock);
    let sched = Scheduler::new(
        stores.clone(),
        c,
        Arc::new(MemoryLimiter::new(LimitConfig {
            mps: 50,
            ..Default::default()
        })),
        Arc::new(TierCounter::new(Some(10_000))),
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        clock.clone(),
        SchedulerConfig {
            worker_id: "w1".into(),
            batch: 50,
            ..Default::default()
        },
    );
    let n = 300;
    for i in 0..n {
        let number = PhoneNumberId::new(if i % 2 == 0 { NUM } else { "555000222" });
        let to = format!("+1555300{i:04}");
        let msg = OutboundMessage::Template(Template::new("hello_world", "en_US"));
        let mut m = OutgoingMessage::new(format!("c1:{to}"), &number, to, msg, Category::Utility);
        m.campaign_id = Some("c1".into());
        assert_eq!(
            sched.enqueue(&m).await.unwrap(),
            wacrm::store::Enqueued::New
        );
        // Enqueuing again never sends twice.
        assert_eq!(
            sched.enqueue(&m).await.unwrap(),
            wacrm::store::Enqueued::Duplicate
        );
    }
    let started = Instant::now();
    let report = sched
        .run_until_idle(clock.now_millis(), Instant::now() + Duration::from_secs(60))
        .await
        .unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(report.sent, n, "{report:?}");
    wacrm_tests::assert_each_sent_once(&h.ledger(), n);
    let stats = wacrm_tests::sandbox_stats(&h).await;
    assert!(
        stats["errors_by_code"].get("130429").is_none(),
        "no throughput errors: {stats}"
    );
    assert!(
        stats["errors_by_code"].get("131056").is_none(),
        "no pair errors: {stats}"
    );
    // Two numbers at 50 mps each: at least ~3 s minus the initial one-second bursts.
    assert!(elapsed > 1.5, "paced, not blasted: {elapsed:.2}s");
    for item in stores
        .outbox
        .list_by_state(wacrm::store::OutboxStateKind::Sent, 1000)
        .await
        .unwrap()
    {
        assert!(matches!(item.state, OutboxState::Sent { .. }));
    }
}

/// A scheduler on memory stores with default limits and no quiet hours.
fn memory_scheduler(c: CloudApiClient) -> (Stores, SharedClock, Scheduler) {
    let stores = Stores::memory();
    let clock: SharedClock = Arc::new(SystemClock);
    let sched = Scheduler::new(
        stores.clone(),
        c,
        Arc::new(MemoryLimiter::new(LimitConfig::default())),
        Arc::new(TierCounter::new(None)),
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        clock.clone(),
        SchedulerConfig {
            // No webhook reaches these stores: an unknown outcome (an injected
            // 5xx) is resent after a short wait instead of proved.
            reconcile: ReconcileConfig {
                wait: Duration::from_millis(200),
                poll: Duration::from_millis(50),
                ..Default::default()
            },
            ..Default::default()
        },
    );
    (stores, clock, sched)
}

#[tokio::test]
async fn scheduler_parks_policy_drops_and_retries_transient_failures() {
    let (h, _sink, c) = sandbox(SandboxConfig::default()).await;
    let (stores, clock, sched) = memory_scheduler(c);
    // Free-form outside the window: a policy drop, parked with the reason, never sent.
    let m = OutgoingMessage::new(
        "free-1",
        &from(),
        "+15550009999",
        OutboundMessage::text("hi"),
        Category::Service,
    );
    sched.enqueue(&m).await.unwrap();
    // An unknown template: parked with the Graph code.
    let t = OutgoingMessage::new(
        "tpl-1",
        &from(),
        "+15550009998",
        OutboundMessage::Template(Template::new("nope", "en")),
        Category::Utility,
    );
    sched.enqueue(&t).await.unwrap();
    sched
        .run_until_idle(clock.now_millis(), Instant::now() + Duration::from_secs(10))
        .await
        .unwrap();
    let parked = stores
        .outbox
        .list_by_state(wacrm::store::OutboxStateKind::Parked, 10)
        .await
        .unwrap();
    assert_eq!(parked.len(), 2);
    let reasons: Vec<String> = parked.iter().map(|p| p.history.join(" | ")).collect();
    assert!(reasons.iter().any(|r| r.contains("24 h")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("132001")), "{reasons:?}");
    assert!(h.ledger().is_empty());
    // Half the requests fail with 5xx: retried, then sent; the errors are recorded.
    h.set_faults(Faults {
        error_rate: 0.5,
        ..Default::default()
    });
    for i in 0..20 {
        let m = OutgoingMessage::new(
            format!("ok-{i}"),
            &from(),
            format!("+1555001{i:04}"),
            OutboundMessage::Template(Template::new("hello_world", "en_US")),
            Category::Utility,
        );
        sched.enqueue(&m).await.unwrap();
    }
    sched
        .run_until_idle(
            clock.now_millis() + 60_000,
            Instant::now() + Duration::from_secs(30),
        )
        .await
        .unwrap();
    let stats = stores.outbox.stats().await.unwrap();
    assert_eq!(stats.pending(), 0, "{stats:?}");
    assert_eq!(stats.sent + stats.parked, 22);
    assert_eq!(
        h.ledger().len() as u64,
        stats.sent,
        "every sent item is in the ledger exactly once"
    );
}

/// Sends are rate-limited in runs (one limiter call per run), yet the policies
/// still see an earlier send to the same recipient in the same claimed batch:
/// of two marketing templates to one recipient without opt-in, one is sent and
/// the other deferred with the reason.
#[tokio::test]
async fn policies_see_earlier_sends_of_the_same_batch() {
    let (h, _sink, c) = sandbox(SandboxConfig::default()).await;
    let (stores, _clock, sched) = memory_scheduler(c);
    for (i, to) in ["+15550001001", "+15550001002", "+15550001001"]
        .iter()
        .enumerate()
    {
        let m = OutgoingMessage::new(
            format!("mkt-{i}"),
            &from(),
            *to,
            OutboundMessage::Template(Template::new("hello_world", "en_US")),
            Category::Marketing,
        );
        sched.enqueue(&m).await.unwrap();
    }
    let r = sched.run_once().await.unwrap();
    assert_eq!((r.claimed, r.sent, r.deferred), (3, 2, 1), "{r:?}");
    let deferred = stores
        .outbox
        .list_by_state(wacrm::store::OutboxStateKind::Deferred, 10)
        .await
        .unwrap();
    assert_eq!(deferred.len(), 1);
    assert_eq!(deferred[0].recipient, "+15550001001");
    assert!(
        deferred[0].history.join(" ").contains("marketing"),
        "{:?}",
        deferred[0].history
    );
    assert_eq!(h.ledger().len(), 2);
}
