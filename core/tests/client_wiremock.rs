//! The client against an HTTP mock: every endpoint, every error class, every retry path.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use wacrm::client::*;
use wacrm::{ErrorKind, IdempotencyKey, MediaId, MessageId, PhoneNumberId, Recipient, WabaId};
use wiremock::matchers::{body_json, header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "EAAJ-secret-token-123";

fn client(server: &MockServer) -> CloudApiClient {
    CloudApiClient::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .retry_policy(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(20),
        })
        .build()
        .unwrap()
}

fn from() -> PhoneNumberId {
    PhoneNumberId::new("106540352242922")
}

fn sent(id: &str) -> serde_json::Value {
    json!({"messaging_product": "whatsapp",
        "contacts": [{"input": "+16505551234", "wa_id": "16505551234"}],
        "messages": [{"id": id, "message_status": "accepted"}]})
}

fn graph_error(code: i64, msg: &str) -> serde_json::Value {
    json!({"error": {"message": format!("(#{code}) {msg}"), "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": msg}, "fbtrace_id": "AbC123"}})
}

#[tokio::test]
async fn send_text_posts_documented_json_with_bearer_and_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v26.0/106540352242922/messages"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("idempotency-key", "campaign-7:+16505551234"))
        .and(body_json(
            json!({"messaging_product": "whatsapp", "recipient_type": "individual",
            "to": "+16505551234", "type": "text", "text": {"body": "hello", "preview_url": false}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(sent("wamid.A1")))
        .expect(1)
        .mount(&server)
        .await;
    let opts = SendOptions {
        idempotency_key: Some(IdempotencyKey::new("campaign-7:+16505551234")),
        ..Default::default()
    };
    let r = client(&server)
        .send(
            &from(),
            &Recipient::parse("+16505551234"),
            &OutboundMessage::text("hello"),
            &opts,
        )
        .await
        .unwrap();
    assert_eq!(r.message_id().unwrap().as_str(), "wamid.A1");
    assert_eq!(r.contacts[0].wa_id.as_deref(), Some("16505551234"));
    assert_eq!(r.messages[0].message_status.as_deref(), Some("accepted"));
}

#[tokio::test]
async fn validation_failure_never_reaches_the_network() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let e = client(&server)
        .send(
            &from(),
            &Recipient::parse("1"),
            &OutboundMessage::text(""),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let e = client(&server)
        .upload_media(
            &from(),
            MediaKind::Image,
            "image/gif",
            "a.gif",
            bytes::Bytes::from_static(b"GIF"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
}

#[tokio::test]
async fn mark_read_with_typing_indicator() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v26.0/106540352242922/messages"))
        .and(body_json(
            json!({"messaging_product": "whatsapp", "status": "read",
            "message_id": "wamid.IN1", "typing_indicator": {"type": "text"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let r = client(&server)
        .mark_read(&from(), &MessageId::new("wamid.IN1"), true)
        .await
        .unwrap();
    assert!(r.success);
}

async fn error_for(status: u16, code: i64) -> (wacrm::Error, usize) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status).set_body_json(graph_error(code, "failure")))
        .mount(&server)
        .await;
    let e = client(&server)
        .send(
            &from(),
            &Recipient::parse("+16505551234"),
            &OutboundMessage::text("x"),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    let n = server.received_requests().await.unwrap().len();
    (e, n)
}

#[tokio::test]
async fn every_error_class_is_classified_and_permanent_ones_are_not_retried() {
    let cases = [
        (401, 190, ErrorKind::Auth, false),
        (429, 130429, ErrorKind::RateLimited, true),
        (429, 80007, ErrorKind::RateLimited, true),
        (400, 131056, ErrorKind::PairRateLimited, true),
        (400, 131047, ErrorKind::OutsideWindow, false),
        (400, 132000, ErrorKind::Template, false),
        (400, 132001, ErrorKind::Template, false),
        (400, 131026, ErrorKind::RecipientInvalid, false),
        (403, 368, ErrorKind::PolicyBlock, false),
        (400, 131049, ErrorKind::PolicyBlock, false),
        (400, 100, ErrorKind::Validation, false),
    ];
    for (status, code, kind, retryable) in cases {
        let (e, requests) = error_for(status, code).await;
        assert_eq!(e.kind(), kind, "code {code}");
        assert_eq!(e.retry().retryable, retryable, "code {code}");
        // Only transient failures are retried inside the client; throttles go back to the caller.
        assert_eq!(requests, 1, "code {code} must not be retried by the client");
        let d = e.details();
        assert_eq!(d.graph_code, Some(code));
        assert_eq!(d.fbtrace_id.as_deref(), Some("AbC123"));
        assert_eq!(d.http_status, Some(status));
        assert_eq!(d.graph_details.as_deref(), Some("failure"));
    }
    let (e, _) = error_for(429, 130429).await;
    assert_eq!(e.retry().after, Some(Duration::from_secs(1)));
    let (e, _) = error_for(400, 131056).await;
    assert_eq!(e.retry().after, Some(Duration::from_secs(6)));
}

#[tokio::test]
async fn transient_failures_are_retried_then_succeed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(graph_error(131000, "something went wrong")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(sent("wamid.OK")))
        .mount(&server)
        .await;
    let r = client(&server)
        .send_text(&from(), &Recipient::parse("+16505551234"), "x")
        .await
        .unwrap();
    assert_eq!(r.message_id().unwrap().as_str(), "wamid.OK");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn transient_failures_give_up_after_the_policy() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(graph_error(2, "service unavailable")),
        )
        .mount(&server)
        .await;
    let e = client(&server)
        .send_text(&from(), &Recipient::parse("1"), "x")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert!(e.retry().retryable);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        3,
        "1 attempt + 2 retries"
    );
}

#[tokio::test]
async fn http_429_with_retry_after_is_retried_honoring_the_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(graph_error(4, "application request limit reached")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v26.0/106540352242922"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "106540352242922",
            "display_phone_number": "15550783881", "verified_name": "Jasper's Market",
            "quality_rating": "GREEN", "platform_type": "CLOUD_API"})),
        )
        .mount(&server)
        .await;
    let n = client(&server).get_phone_number(&from()).await.unwrap();
    assert_eq!(n.verified_name, "Jasper's Market");
    assert_eq!(n.extra["platform_type"], "CLOUD_API");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn network_errors_are_classified_and_retried() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = CloudApiClient::builder()
        .access_token(TOKEN)
        .base_url(format!("http://{addr}"))
        .retry_policy(RetryPolicy {
            max_retries: 1,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .build()
        .unwrap();
    let e = c
        .send_text(&from(), &Recipient::parse("1"), "x")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert!(e.retry().retryable);
    assert!(!format!("{e} {e:?}").contains(TOKEN));
}

#[tokio::test]
async fn media_upload_lookup_download_delete() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v26.0/106540352242922/media"))
        .and(header_exists("content-type"))
        .respond_with(|req: &Request| {
            let ct = req
                .headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            let body = String::from_utf8_lossy(&req.body).to_string();
            if ct.starts_with("multipart/form-data")
                && body.contains("name=\"messaging_product\"")
                && body.contains("image/png")
                && body.contains("PNGDATA")
            {
                ResponseTemplate::new(200).set_body_json(json!({"id": "media-1"}))
            } else {
                ResponseTemplate::new(400).set_body_json(graph_error(100, "bad upload"))
            }
        })
        .expect(1)
        .mount(&server)
        .await;
    let url = format!("{}/files/media-1", server.uri());
    Mock::given(method("GET"))
        .and(path("/v26.0/media-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messaging_product": "whatsapp",
            "url": url, "mime_type": "image/png", "sha256": "abc", "file_size": "7", "id": "media-1"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/media-1"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"PNGDATA".to_vec()))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v26.0/media-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .mount(&server)
        .await;
    let c = client(&server);
    let id = c
        .upload_media(
            &from(),
            MediaKind::Image,
            "image/png",
            "a.png",
            bytes::Bytes::from_static(b"PNGDATA"),
        )
        .await
        .unwrap();
    assert_eq!(id, MediaId::new("media-1"));
    let u = c.media_url(&id).await.unwrap();
    assert_eq!(u.file_size, 7);
    assert_eq!(&c.download_media(&u.url).await.unwrap()[..], b"PNGDATA");
    assert!(c.delete_media(&id).await.unwrap().success);
    // An expired media id: 400 / code 100 / subcode 33.
    Mock::given(method("GET"))
        .and(path("/v26.0/expired"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"message": "Unsupported get request",
            "type": "GraphMethodException", "code": 100, "error_subcode": 33, "fbtrace_id": "X"}})),
        )
        .mount(&server)
        .await;
    let e = c.media_url(&MediaId::new("expired")).await.unwrap_err();
    assert_eq!(e.graph().unwrap().subcode, Some(33));
}

#[tokio::test]
async fn templates_list_with_paging_create_delete() {
    let server = MockServer::start().await;
    let waba = WabaId::new("102290129340398");
    Mock::given(method("GET"))
        .and(path("/v26.0/102290129340398/message_templates"))
        .and(query_param("after", "CURSOR2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": "3", "name": "c", "language": "ja", "category": "MARKETING", "status": "PAUSED"}],
            "paging": {"cursors": {"before": "x", "after": "END"}}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v26.0/102290129340398/message_templates"))
        .and(query_param("status", "APPROVED"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {"id": "1", "name": "a", "language": "en_US", "category": "UTILITY", "status": "APPROVED",
                 "components": [{"type": "BODY", "text": "Hi {{1}}"}], "quality_score": {"score": "GREEN"}},
                {"id": "2", "name": "b", "language": "en_US", "category": "BRAND_NEW", "status": "APPROVED"}],
            "paging": {"cursors": {"before": "x", "after": "CURSOR2"}, "next": "https://graph/next"}})))
        .mount(&server)
        .await;
    let c = client(&server);
    let q = TemplateQuery {
        status: Some(TemplateStatus::Approved),
        ..Default::default()
    };
    let first = c.list_templates(&waba, &q).await.unwrap();
    assert_eq!(first.items.len(), 2);
    assert_eq!(first.next.as_deref(), Some("CURSOR2"));
    assert_eq!(
        first.items[1].category,
        TemplateCategory::Other("BRAND_NEW".into())
    );
    assert!(first.items[0].extra.contains_key("quality_score"));
    let all = c.list_all_templates(&waba, &q).await.unwrap();
    assert_eq!(
        all.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert_eq!(all[2].status, TemplateStatus::Paused);

    Mock::given(method("POST"))
        .and(path("/v26.0/102290129340398/message_templates"))
        .and(body_json(json!({"name": "order_update", "language": "en_US", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Order {{1}} shipped", "example": {"body_text": [["42"]]}}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "9", "status": "PENDING", "category": "UTILITY"})))
        .expect(1)
        .mount(&server)
        .await;
    let created = c
        .create_template(&waba, &NewTemplate {
            name: "order_update".into(),
            language: "en_US".into(),
            category: TemplateCategory::Utility,
            components: vec![json!({"type": "BODY", "text": "Order {{1}} shipped", "example": {"body_text": [["42"]]}})],
            parameter_format: None,
        })
        .await
        .unwrap();
    assert_eq!(created.status, TemplateStatus::Pending);
    let bad = c
        .create_template(
            &waba,
            &NewTemplate {
                name: "Order Update".into(),
                language: "en".into(),
                category: TemplateCategory::Utility,
                components: vec![json!({"type": "BODY", "text": "x"})],
                parameter_format: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::Validation);

    Mock::given(method("DELETE"))
        .and(path("/v26.0/102290129340398/message_templates"))
        .and(query_param("name", "order_update"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    assert!(
        c.delete_template(&waba, "order_update", None)
            .await
            .unwrap()
            .success
    );
}

#[tokio::test]
async fn phone_numbers_and_business_profile() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v26.0/102290129340398/phone_numbers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"id": "1", "display_phone_number": "+1 555-0100", "verified_name": "A", "quality_rating": "GREEN",
             "messaging_limit_tier": "TIER_1K", "status": "CONNECTED"}]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v26.0/106540352242922/whatsapp_business_profile"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"about": "Fresh food", "websites": ["https://a.example"], "vertical": "GROCERY", "messaging_product": "whatsapp"}]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v26.0/106540352242922/whatsapp_business_profile"))
        .and(body_json(
            json!({"messaging_product": "whatsapp", "about": "Open 9-18"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .mount(&server)
        .await;
    let c = client(&server);
    let nums = c
        .list_phone_numbers(&WabaId::new("102290129340398"))
        .await
        .unwrap();
    assert_eq!(
        nums.items[0].messaging_limit_tier.as_deref(),
        Some("TIER_1K")
    );
    let p = c.get_business_profile(&from()).await.unwrap();
    assert_eq!(p.about.as_deref(), Some("Fresh food"));
    let upd = BusinessProfile {
        about: Some("Open 9-18".into()),
        ..Default::default()
    };
    let body = serde_json::to_value(&upd).unwrap();
    assert!(
        body.get("websites").is_none(),
        "empty websites are not sent"
    );
    assert!(
        c.update_business_profile(&from(), &upd)
            .await
            .unwrap()
            .success
    );
    let e = c
        .update_business_profile(
            &from(),
            &BusinessProfile {
                about: Some("x".repeat(140)),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_never_appears_in_logs_debug_or_errors() {
    let capture = Capture::default();
    let sink = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(graph_error(131000, "boom")))
        .mount(&server)
        .await;
    let c = client(&server);
    let e = c
        .send_text(&from(), &Recipient::parse("1"), "x")
        .await
        .unwrap_err();
    tracing::info!(client = ?c, error = %e, details = ?e.details(), "failed call");
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("retrying transient failure"),
        "logs were captured: {logs}"
    );
    assert!(!logs.contains(TOKEN), "token leaked into logs");
    assert!(!format!("{c:?}").contains(TOKEN));
    assert!(!format!("{:?}", CloudApiClient::builder().access_token(TOKEN)).contains(TOKEN));
    assert!(!format!("{e} {e:?}").contains(TOKEN));
}

#[test]
fn builder_rejects_bad_configuration() {
    assert_eq!(
        CloudApiClient::builder().build().unwrap_err().kind(),
        ErrorKind::Config
    );
    let e = CloudApiClient::builder()
        .access_token("t")
        .api_version("26")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let e = CloudApiClient::builder()
        .access_token("t")
        .base_url("not a url")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let c = CloudApiClient::builder()
        .access_token("t")
        .base_url("http://h:1/")
        .build()
        .unwrap();
    assert_eq!(c.base_url(), "http://h:1");
    assert_eq!(c.api_version(), DEFAULT_API_VERSION);
}
