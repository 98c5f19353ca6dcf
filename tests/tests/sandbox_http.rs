//! The sandbox over plain HTTP and raw JSON: endpoints, limits, error codes,
//! signed webhooks, faults, clock and ledger.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wacrm_sandbox::{
    Faults, IdempotencyMode, Sandbox, SandboxConfig, SandboxHandle, StatusDelays, Tier, WindowMode,
};
use wacrm_tests::{WebhookSink, statuses};

const TOKEN: &str = "test-token";
const NUM: &str = "111222333";

async fn start(cfg: SandboxConfig) -> (SandboxHandle, WebhookSink) {
    let sink = WebhookSink::start().await;
    let cfg = cfg
        .access_token(TOKEN)
        .phone_number(NUM)
        .webhook_url(sink.url.clone());
    (Sandbox::start(cfg).await.unwrap(), sink)
}

fn fast() -> SandboxConfig {
    SandboxConfig::default().status_delays(StatusDelays {
        sent_ms: 1,
        delivered_ms: 5,
        read_ms: 10,
        read_rate: 1.0,
    })
}

async fn post(h: &SandboxHandle, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/v26.0/{path}", h.base_url()))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn get(h: &SandboxHandle, path: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}/v26.0/{path}", h.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn control(h: &SandboxHandle, method: reqwest::Method, path: &str, body: Value) -> Value {
    reqwest::Client::new()
        .request(method, format!("{}/_sandbox/{path}", h.base_url()))
        .bearer_auth(h.access_token())
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn text(to: &str, body: &str) -> Value {
    json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text", "text": {"body": body}})
}

fn template(to: &str, name: &str, lang: &str, params: &[&str]) -> Value {
    let p: Vec<Value> = params
        .iter()
        .map(|t| json!({"type": "text", "text": t}))
        .collect();
    json!({"messaging_product": "whatsapp", "to": to, "type": "template",
        "template": {"name": name, "language": {"code": lang}, "components": [{"type": "body", "parameters": p}]}})
}

fn code(v: &Value) -> i64 {
    v["error"]["code"].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn auth_version_and_error_envelope() {
    let (h, _sink) = start(fast()).await;
    let c = reqwest::Client::new();
    let r = c
        .post(format!("{}/v26.0/{NUM}/messages", h.base_url()))
        .bearer_auth("wrong")
        .json(&text("15551234567", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(code(&v), 190);
    assert_eq!(v["error"]["type"], "OAuthException");
    assert!(
        v["error"]["fbtrace_id"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    let r = c
        .post(format!("{}/v26.0/{NUM}/messages", h.base_url()))
        .json(&text("1", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = c
        .get(format!("{}/latest/{NUM}", h.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let (s, v) = post(&h, "999/messages", text("15551234567", "x")).await;
    assert_eq!(
        (s, code(&v), v["error"]["error_subcode"].as_i64()),
        (400, 100, Some(33))
    );
    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        json!({"messaging_product": "whatsapp", "to": "15551234567", "type": "text"}),
    )
    .await;
    assert_eq!((s, code(&v)), (400, 131008));
    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        text("15551234567", &"x".repeat(4097)),
    )
    .await;
    assert_eq!((s, code(&v)), (400, 100));
    assert!(
        v["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .contains("4096")
    );
    let bad_buttons = json!({"messaging_product": "whatsapp", "to": "15551234567", "type": "interactive",
        "interactive": {"type": "button", "body": {"text": "b"}, "action": {"buttons": [
            {"type": "reply", "reply": {"id": "1", "title": "a"}}, {"type": "reply", "reply": {"id": "2", "title": "b"}},
            {"type": "reply", "reply": {"id": "3", "title": "c"}}, {"type": "reply", "reply": {"id": "4", "title": "d"}}]}}});
    let (s, v) = post(&h, &format!("{NUM}/messages"), bad_buttons).await;
    assert_eq!((s, code(&v)), (400, 131009));
}

#[tokio::test]
async fn in_window_send_gets_signed_status_ladder_and_ledger_entry() {
    let (h, sink) = start(fast()).await;
    let inbound = h
        .inbound(
            NUM,
            "15551234567",
            "Ana",
            json!({"type": "text", "text": {"body": "こんにちは 😀"}}),
        )
        .unwrap();
    assert!(inbound.starts_with("wamid."));
    let r = reqwest::Client::new()
        .post(format!("{}/v26.0/{NUM}/messages", h.base_url()))
        .bearer_auth(TOKEN)
        .header("Idempotency-Key", "k-1")
        .json(
            &json!({"messaging_product": "whatsapp", "to": "+1 (555) 123-4567", "type": "text",
            "text": {"body": "hi"}, "biz_opaque_callback_data": "cb-9"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["contacts"][0]["input"], "+1 (555) 123-4567");
    assert_eq!(v["contacts"][0]["wa_id"], "15551234567");
    let id = v["messages"][0]["id"].as_str().unwrap().to_string();
    let got = sink
        .wait_until(Duration::from_secs(5), |r| {
            statuses(r)
                .iter()
                .filter(|s| s["id"] == id.as_str())
                .count()
                >= 3
        })
        .await;
    for r in &got {
        assert!(
            r.signature_valid(&h.app_secret()),
            "every webhook is signed"
        );
        assert!(r.body.is_ascii(), "non-ASCII is escaped before signing");
    }
    let inbound_body = got
        .iter()
        .find(|r| r.json()["entry"][0]["changes"][0]["value"]["messages"].is_array())
        .unwrap();
    let msg = &inbound_body.json()["entry"][0]["changes"][0]["value"];
    assert_eq!(msg["messages"][0]["text"]["body"], "こんにちは 😀");
    assert_eq!(msg["contacts"][0]["profile"]["name"], "Ana");
    assert_eq!(msg["metadata"]["phone_number_id"], NUM);
    let st: Vec<Value> = statuses(&got)
        .into_iter()
        .filter(|s| s["id"] == id.as_str())
        .collect();
    let names: Vec<&str> = st.iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(names, ["sent", "delivered", "read"]);
    assert_eq!(st[0]["biz_opaque_callback_data"], "cb-9");
    assert_eq!(st[0]["pricing"]["type"], "free_customer_service");
    let ledger = h.ledger();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].idempotency_key.as_deref(), Some("k-1"));
    assert_eq!(ledger[0].id, id);
    let via_http = control(&h, reqwest::Method::GET, "ledger", Value::Null).await;
    assert_eq!(via_http["data"][0]["idempotency_key"], "k-1");
}

#[tokio::test]
async fn outside_window_free_form_fails_async_or_sync_and_templates_pass() {
    let (h, sink) = start(fast()).await;
    let (s, v) = post(&h, &format!("{NUM}/messages"), text("15550001111", "hello")).await;
    assert_eq!(s, 200, "accepted first, as Meta does");
    let id = v["messages"][0]["id"].as_str().unwrap().to_string();
    let got = sink
        .wait_until(Duration::from_secs(5), |r| {
            statuses(r).iter().any(|s| s["id"] == id.as_str())
        })
        .await;
    let failed = statuses(&got)
        .into_iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap();
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["errors"][0]["code"], 131047);
    assert_eq!(h.ledger()[0].outcome, "failed:131047");

    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15550001111", "order_update", "en_US", &["Ana", "#42"]),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["messages"][0]["message_status"], "accepted");
    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15550001111", "nope", "en_US", &[]),
    )
    .await;
    assert_eq!((s, code(&v)), (404, 132001));
    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15550001111", "order_update", "fr", &["a", "b"]),
    )
    .await;
    assert_eq!((s, code(&v)), (404, 132001));
    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15550001111", "order_update", "en_US", &["only one"]),
    )
    .await;
    assert_eq!((s, code(&v)), (400, 132000));

    control(
        &h,
        reqwest::Method::PUT,
        "limits",
        json!({"window_mode": "sync"}),
    )
    .await;
    let (s, v) = post(&h, &format!("{NUM}/messages"), text("15550001111", "hello")).await;
    assert_eq!((s, code(&v)), (400, 131047));
    // An inbound message opens the window; 25 hours later it is closed again.
    h.inbound(
        NUM,
        "15550001111",
        "Bo",
        json!({"type": "text", "text": {"body": "hi"}}),
    )
    .unwrap();
    let (s, _) = post(&h, &format!("{NUM}/messages"), text("15550001111", "hello")).await;
    assert_eq!(s, 200);
    control(
        &h,
        reqwest::Method::POST,
        "clock",
        json!({"advance_ms": 25 * 3600 * 1000}),
    )
    .await;
    let (s, v) = post(&h, &format!("{NUM}/messages"), text("15550001111", "hello")).await;
    assert_eq!((s, code(&v)), (400, 131047));
}

#[tokio::test]
async fn pair_rate_limit_then_other_recipients_unaffected() {
    let (h, _sink) = start(fast()).await;
    control(
        &h,
        reqwest::Method::PUT,
        "limits",
        json!({"pair_burst": 3, "pair_interval_ms": 6000}),
    )
    .await;
    for i in 0..3 {
        let (s, v) = post(
            &h,
            &format!("{NUM}/messages"),
            template("15557770000", "hello_world", "en_US", &[]),
        )
        .await;
        assert_eq!(s, 200, "send {i}: {v}");
    }
    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15557770000", "hello_world", "en_US", &[]),
    )
    .await;
    assert_eq!((s, code(&v)), (400, 131056));
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("(#131056)")
    );
    let (s, _) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15557770001", "hello_world", "en_US", &[]),
    )
    .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn tier_caps_unique_recipients_outside_the_window() {
    let (h, _sink) = start(fast().tier(Tier::Tier250)).await;
    control(&h, reqwest::Method::PUT, "limits", json!({"mps": 5000})).await;
    for i in 0..250 {
        let (s, v) = post(
            &h,
            &format!("{NUM}/messages"),
            template(&format!("1555100{i:04}"), "hello_world", "en_US", &[]),
        )
        .await;
        assert_eq!(s, 200, "recipient {i}: {v}");
    }
    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15559999999", "hello_world", "en_US", &[]),
    )
    .await;
    assert_eq!((s, code(&v)), (400, 131048));
    let (s, _) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15551000007", "hello_world", "en_US", &[]),
    )
    .await;
    assert_eq!(s, 200, "a recipient already counted may be contacted again");
    control(
        &h,
        reqwest::Method::PUT,
        "limits",
        json!({"tier_answer": {"mode": "failed_status", "code": 131049}}),
    )
    .await;
    let (s, _) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15559999998", "hello_world", "en_US", &[]),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(h.ledger().last().unwrap().outcome, "failed:131049");
    control(
        &h,
        reqwest::Method::POST,
        "clock",
        json!({"advance_ms": 24 * 3600 * 1000 + 1}),
    )
    .await;
    let (s, _) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15559999997", "hello_world", "en_US", &[]),
    )
    .await;
    assert_eq!(s, 200, "the rolling window expired");
    let stats = control(&h, reqwest::Method::GET, "stats", Value::Null).await;
    assert_eq!(stats["errors_by_code"]["131048"], 1);
}

#[tokio::test]
async fn throughput_limit_answers_130429_at_the_configured_rate() {
    let (h, _sink) = start(fast()).await;
    control(
        &h,
        reqwest::Method::PUT,
        "limits",
        json!({"mps": 50, "pair_burst": 100000}),
    )
    .await;
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..300 {
        let c = client.clone();
        let url = format!("{}/v26.0/{NUM}/messages", h.base_url());
        tasks.push(tokio::spawn(async move {
            let r = c
                .post(url)
                .bearer_auth(TOKEN)
                .json(&template(
                    &format!("1555200{i:04}"),
                    "hello_world",
                    "en_US",
                    &[],
                ))
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            let v: Value = r.json().await.unwrap();
            (s, code(&v), r_retry(&v))
        }));
    }
    let mut ok = 0;
    let mut limited = 0;
    for t in tasks {
        match t.await.unwrap() {
            (200, _, _) => ok += 1,
            (429, 130429, _) => limited += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    // A full bucket of 50 plus 50/s refill while the burst lasted (generous slack for slow machines).
    let upper = 50.0 + 50.0 * elapsed + 5.0;
    assert!(
        ok >= 50 && (ok as f64) <= upper,
        "accepted {ok} in {elapsed:.2}s (upper bound {upper:.0})"
    );
    assert_eq!(ok + limited, 300);
    assert!(limited > 0);
}

fn r_retry(v: &Value) -> Option<String> {
    v["error"]["error_data"]["details"]
        .as_str()
        .map(str::to_string)
}

#[tokio::test]
async fn media_upload_lookup_download_delete() {
    let (h, _sink) = start(fast()).await;
    let c = reqwest::Client::new();
    let form = reqwest::multipart::Form::new()
        .text("messaging_product", "whatsapp")
        .text("type", "image/png")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"\x89PNG-bytes".to_vec())
                .file_name("a.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let v: Value = c
        .post(format!("{}/v26.0/{NUM}/media", h.base_url()))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let (s, m) = get(&h, &id).await;
    assert_eq!(s, 200);
    assert_eq!(m["mime_type"], "image/png");
    assert_eq!(m["file_size"], "10");
    let url = m["url"].as_str().unwrap();
    assert_eq!(
        c.get(url).send().await.unwrap().status().as_u16(),
        401,
        "download needs the token"
    );
    let bytes = c
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"\x89PNG-bytes");
    let r = c
        .delete(format!("{}/v26.0/{id}", h.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (s, v) = get(&h, &id).await;
    assert_eq!(
        (s, code(&v), v["error"]["error_subcode"].as_i64()),
        (400, 100, Some(33))
    );
    let form = reqwest::multipart::Form::new()
        .text("messaging_product", "whatsapp")
        .text("type", "image/gif")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"GIF89a".to_vec()).file_name("a.gif"),
        );
    let v: Value = c
        .post(format!("{}/v26.0/{NUM}/media", h.base_url()))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(code(&v), 131053);
}

#[tokio::test]
async fn templates_numbers_and_profile() {
    let (h, sink) = start(fast()).await;
    let waba = h.waba_id();
    let (s, v) = get(&h, &format!("{waba}/message_templates?limit=2")).await;
    assert_eq!(s, 200);
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    let after = v["paging"]["cursors"]["after"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(v["paging"]["next"].is_string());
    let (_, v2) = get(
        &h,
        &format!("{waba}/message_templates?limit=2&after={after}"),
    )
    .await;
    assert_eq!(v2["data"].as_array().unwrap().len(), 2);
    let (s, created) = post(
        &h,
        &format!("{waba}/message_templates"),
        json!({"name": "winback", "language": "en", "category": "MARKETING",
        "components": [{"type": "BODY", "text": "We miss you {{1}}"}]}),
    )
    .await;
    assert_eq!((s, created["status"].as_str()), (200, Some("PENDING")));
    let (s, _) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15553334444", "winback", "en", &["Ana"]),
    )
    .await;
    assert_eq!(s, 200, "auto-approved");
    control(
        &h,
        reqwest::Method::PUT,
        "templates/winback/status",
        json!({"status": "PAUSED"}),
    )
    .await;
    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15553334444", "winback", "en", &["Ana"]),
    )
    .await;
    assert_eq!((s, code(&v)), (400, 132015));
    sink.wait_until(Duration::from_secs(5), |r| {
        r.iter().any(|x| {
            x.json()["entry"][0]["changes"][0]["field"] == "message_template_status_update"
        })
    })
    .await;
    let r = reqwest::Client::new()
        .delete(format!(
            "{}/v26.0/{waba}/message_templates?name=winback",
            h.base_url()
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (_, v) = get(&h, &format!("{waba}/message_templates?name=winback")).await;
    assert!(v["data"].as_array().unwrap().is_empty());

    let (s, v) = get(&h, &format!("{waba}/phone_numbers")).await;
    assert_eq!(s, 200);
    assert_eq!(v["data"][0]["id"], NUM);
    let (_, v) = get(&h, NUM).await;
    assert_eq!(v["quality_rating"], "GREEN");
    let (s, _) = post(
        &h,
        &format!("{NUM}/whatsapp_business_profile"),
        json!({"messaging_product": "whatsapp", "about": "Open 9-18"}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, v) = get(&h, &format!("{NUM}/whatsapp_business_profile")).await;
    assert_eq!(v["data"][0]["about"], "Open 9-18");
    let (s, v) = post(
        &h,
        &format!("{NUM}/whatsapp_business_profile"),
        json!({"messaging_product": "whatsapp", "about": "x".repeat(140)}),
    )
    .await;
    assert_eq!((s, code(&v)), (400, 100));
}

#[tokio::test]
async fn faults_errors_drops_duplicates_out_of_order_and_webhook_retries() {
    // Status steps hundreds of milliseconds apart: the reversed ladder's order must
    // not depend on how fast a busy machine runs the delivery tasks.
    let (h, sink) = start(fast().status_delays(StatusDelays {
        sent_ms: 1,
        delivered_ms: 300,
        read_ms: 600,
        read_rate: 1.0,
    }))
    .await;
    h.set_faults(Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15554440000", "hello_world", "en_US", &[]),
    )
    .await;
    assert_eq!((s, code(&v)), (500, 131000));
    h.set_faults(Faults {
        drop_rate: 1.0,
        ..Default::default()
    });
    let r = reqwest::Client::new()
        .post(format!("{}/v26.0/{NUM}/messages", h.base_url()))
        .bearer_auth(TOKEN)
        .json(&template("15554440000", "hello_world", "en_US", &[]))
        .send()
        .await;
    assert!(r.is_err(), "connection dropped without an answer");
    assert!(
        h.ledger().is_empty(),
        "dropped before acceptance: nothing recorded"
    );
    h.set_faults(Faults {
        drop_after_accept_rate: 1.0,
        ..Default::default()
    });
    let r = reqwest::Client::new()
        .post(format!("{}/v26.0/{NUM}/messages", h.base_url()))
        .bearer_auth(TOKEN)
        .json(&template("15554440000", "hello_world", "en_US", &[]))
        .send()
        .await;
    assert!(r.is_err());
    assert_eq!(h.ledger().len(), 1, "accepted, then the answer was lost");

    h.set_faults(Faults {
        duplicate_webhook_rate: 1.0,
        out_of_order_rate: 1.0,
        ..Default::default()
    });
    let (_, v) = post(
        &h,
        &format!("{NUM}/messages"),
        template("15554440001", "hello_world", "en_US", &[]),
    )
    .await;
    let id = v["messages"][0]["id"].as_str().unwrap().to_string();
    let got = sink
        .wait_until(Duration::from_secs(5), |r| {
            statuses(r)
                .iter()
                .filter(|s| s["id"] == id.as_str())
                .count()
                >= 6
        })
        .await;
    let order: Vec<String> = statuses(&got)
        .into_iter()
        .filter(|s| s["id"] == id.as_str())
        .map(|s| s["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        order.iter().filter(|s| *s == "read").count(),
        2,
        "duplicated: {order:?}"
    );
    assert_eq!(order[0], "read", "reversed ladder: {order:?}");

    h.set_faults(Faults::default());
    sink.answer_with(500);
    h.inbound(
        NUM,
        "15554440002",
        "Cy",
        json!({"type": "text", "text": {"body": "retry me"}}),
    )
    .unwrap();
    sink.wait_until(Duration::from_secs(5), |r| {
        r.iter()
            .filter(|x| String::from_utf8_lossy(&x.body).contains("retry me"))
            .count()
            >= 3
    })
    .await;
    sink.answer_with(200);
    tokio::time::sleep(Duration::from_millis(900)).await;
    let records = control(&h, reqwest::Method::GET, "webhooks", Value::Null).await;
    let rec = records["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["body"].as_str().unwrap().contains("retry me"))
        .unwrap()
        .clone();
    assert!(rec["attempts"].as_u64().unwrap() >= 3);
    assert_eq!(rec["delivered"], true);
}

#[tokio::test]
async fn bsuid_recipients_and_mexico_canonical_wa_id() {
    let (h, sink) = start(fast().window_mode(WindowMode::FailedStatus)).await;
    let (s, v) = post(
        &h,
        &format!("{NUM}/messages"),
        json!({"messaging_product": "whatsapp", "recipient": "US.13491208655302741918",
        "type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["contacts"][0]["user_id"], "US.13491208655302741918");
    assert!(v["contacts"][0].get("wa_id").is_none());
    let id = v["messages"][0]["id"].as_str().unwrap().to_string();
    let got = sink
        .wait_until(Duration::from_secs(5), |r| {
            statuses(r).iter().any(|s| s["id"] == id.as_str())
        })
        .await;
    let st = statuses(&got)
        .into_iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap();
    assert_eq!(st["recipient_user_id"], "US.13491208655302741918");
    let (_, v) = post(
        &h,
        &format!("{NUM}/messages"),
        template("+52 55 1234 5678", "hello_world", "en_US", &[]),
    )
    .await;
    assert_eq!(v["contacts"][0]["wa_id"], "5215512345678");
}

/// Sends a text to one recipient with `Idempotency-Key: key`; answers the body.
async fn send_with_key(h: &SandboxHandle, key: &str) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/v26.0/{NUM}/messages", h.base_url()))
        .bearer_auth(TOKEN)
        .header("Idempotency-Key", key)
        .json(
            &json!({"messaging_product": "whatsapp", "to": "+15551234567",
            "type": "text", "text": {"body": "hi"}, "biz_opaque_callback_data": "cb-1"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()
}

#[tokio::test]
async fn a_repeated_idempotency_key_is_a_second_send_like_meta() {
    let (h, _sink) = start(fast()).await;
    let first = send_with_key(&h, "k-1").await;
    let again = send_with_key(&h, "k-1").await;
    assert_ne!(
        first["messages"][0]["id"], again["messages"][0]["id"],
        "Meta ignores the header: a repeat is a new message"
    );
    let ledger = h.ledger();
    assert_eq!(ledger.len(), 2, "both requests were sent");
    assert_eq!(wacrm_tests::sends_per_key(&ledger)["k-1"], 2);
    assert!(
        ledger
            .iter()
            .all(|l| l.callback_data.as_deref() == Some("cb-1")),
        "the ledger keeps the callback data of every send: {ledger:?}"
    );
    let (_, stats) = get_control_stats(&h).await;
    assert_eq!(stats["replayed"], 0);
}

#[tokio::test]
async fn replay_mode_answers_a_repeated_idempotency_key_once_and_sends_once() {
    let (h, _sink) = start(fast().idempotency(IdempotencyMode::Replay)).await;
    let first = send_with_key(&h, "k-1").await;
    let again = send_with_key(&h, "k-1").await;
    let other = send_with_key(&h, "k-2").await;
    assert_eq!(first, again, "the retry gets the first answer");
    assert_ne!(first["messages"][0]["id"], other["messages"][0]["id"]);
    assert_eq!(h.ledger().len(), 2, "the retry sent nothing");
    let (_, stats) = get_control_stats(&h).await;
    assert_eq!(stats["replayed"], 1);
    // The control API switches back to Meta's behaviour.
    let r = reqwest::Client::new()
        .put(format!("{}/_sandbox/limits", h.base_url()))
        .bearer_auth(TOKEN)
        .json(&json!({"idempotency": "ignore"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["idempotency"], "ignore");
    send_with_key(&h, "k-1").await;
    assert_eq!(wacrm_tests::sends_per_key(&h.ledger())["k-1"], 2);
}

#[tokio::test]
async fn limits_with_a_wrongly_typed_field_are_refused_with_the_reason() {
    let (h, _sink) = start(fast()).await;
    let r = reqwest::Client::new()
        .put(format!("{}/_sandbox/limits", h.base_url()))
        .bearer_auth(TOKEN)
        .json(&json!({"pair_interval_ms": "soon"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"].as_str().unwrap().contains("pair_interval_ms"),
        "{v}"
    );
}

async fn get_control_stats(h: &SandboxHandle) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}/_sandbox/stats", h.base_url()))
        .bearer_auth(h.access_token())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}
