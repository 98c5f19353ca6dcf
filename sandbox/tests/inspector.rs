//! The inspector's server side: the page is self-contained, its event stream
//! needs the token and carries messages, statuses and refusals as they happen,
//! and the page's "mark read / failed" emits real status webhooks.

use std::time::Duration;

use serde_json::{Value, json};
use wacrm_sandbox::{Sandbox, SandboxConfig, SandboxHandle, StatusDelays};

const TOKEN: &str = "inspector-token";
const NUM: &str = "106540352242922";

async fn start() -> SandboxHandle {
    Sandbox::start(
        SandboxConfig::default()
            .access_token(TOKEN)
            .phone_number(NUM)
            .status_delays(StatusDelays {
                sent_ms: 1,
                delivered_ms: 2,
                read_ms: 3,
                read_rate: 0.0,
            }),
    )
    .await
    .unwrap()
}

async fn send(h: &SandboxHandle, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/v26.0/{NUM}/messages", h.base_url()))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Reads server-sent events from a streaming response.
struct Events {
    resp: reqwest::Response,
    buf: String,
}

impl Events {
    async fn open(h: &SandboxHandle) -> Events {
        let resp = reqwest::Client::new()
            .get(format!("{}/_sandbox/events", h.base_url()))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Events {
            resp,
            buf: String::new(),
        }
    }

    /// The next event of `kind` (others are skipped), within five seconds.
    async fn next(&mut self, kind: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            while let Some(i) = self.buf.find("\n\n") {
                let chunk: String = self.buf.drain(..i + 2).collect();
                let mut ev = "";
                let mut data = String::new();
                for line in chunk.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        ev = v.trim();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if ev == kind {
                    return serde_json::from_str(&data).unwrap();
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.resp.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {kind} event"))
                .unwrap()
                .expect("stream ended");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test]
async fn the_page_is_served_without_token_and_self_contained() {
    let h = start().await;
    let http = reqwest::Client::new();
    for (path, ty) in [
        ("ui", "text/html"),
        ("ui/app.js", "text/javascript"),
        ("ui/app.css", "text/css"),
    ] {
        let r = http
            .get(format!("{}/_sandbox/{path}", h.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(ty)
        );
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
        let text = r.text().await.unwrap();
        assert!(
            !text.contains("http://") && !text.contains("https://") && !text.contains("//cdn"),
            "{path} loads nothing from elsewhere"
        );
        assert!(!text.contains(TOKEN));
    }
}

#[tokio::test]
async fn the_stream_carries_messages_statuses_and_refusals() {
    let h = start().await;
    let mut ev = Events::open(&h).await;
    let snap = ev.next("snapshot").await;
    assert_eq!(snap["usage"]["numbers"][0]["id"], NUM);
    assert!(snap["templates"].as_array().unwrap().len() >= 3);

    // The customer writes first, so the free-form text is inside the window.
    h.inbound(
        NUM,
        "+16505551234",
        "Ana",
        json!({"type": "text", "text": {"body": "hi"}}),
    )
    .unwrap();
    let inbound = ev.next("emitted").await;
    assert_eq!(
        inbound["body"]["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"],
        "hi"
    );

    let (s, v) = send(
        &h,
        json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "text", "text": {"body": "hello"}}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let wamid = v["messages"][0]["id"].as_str().unwrap().to_string();
    let msg = ev.next("message").await;
    assert_eq!(msg["id"], wamid);
    assert_eq!(msg["body"]["text"]["body"], "hello");
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let e = ev.next("emitted").await;
        let st = &e["body"]["entry"][0]["changes"][0]["value"]["statuses"][0];
        if st["id"] == wamid.as_str() {
            seen.push(st["status"].as_str().unwrap().to_string());
        }
    }
    seen.sort();
    assert_eq!(seen, ["delivered", "sent"]);

    // A refused template is shown with its Graph code and the request.
    let (s, _) = send(
        &h,
        json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "template",
            "template": {"name": "no_such_template", "language": {"code": "en_US"}}}),
    )
    .await;
    assert_eq!(s, 404);
    let rej = ev.next("rejected").await;
    assert_eq!(rej["code"], 132001);
    assert_eq!(rej["context"]["phone_number_id"], NUM);
    assert_eq!(
        rej["context"]["request"]["template"]["name"],
        "no_such_template"
    );

    // Usage arrives once a second with the open window.
    let usage = ev.next("usage").await;
    let win = &usage["windows"][0];
    assert_eq!(win["customer"], "16505551234");
    assert_eq!(win["open"], true);
    assert_eq!(usage["numbers"][0]["limits"]["mps"], 80.0);
}

#[tokio::test]
async fn marking_read_or_failed_emits_status_webhooks() {
    let h = start().await;
    h.inbound(
        NUM,
        "+447700900123",
        "Bo",
        json!({"type": "text", "text": {"body": "hey"}}),
    )
    .unwrap();
    let (_, v) = send(
        &h,
        json!({"messaging_product": "whatsapp", "to": "447700900123", "type": "text", "text": {"body": "one"}}),
    )
    .await;
    let wamid = v["messages"][0]["id"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();
    let mark = |status: Value| {
        http.post(format!("{}/_sandbox/messages/{wamid}/status", h.base_url()))
            .bearer_auth(TOKEN)
            .json(&status)
            .send()
    };
    assert_eq!(mark(json!({"status": "read"})).await.unwrap().status(), 200);
    assert_eq!(
        mark(json!({"status": "failed", "code": 131049}))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(mark(json!({"status": "lost"})).await.unwrap().status(), 400);
    let r = http
        .post(format!(
            "{}/_sandbox/messages/wamid.nope/status",
            h.base_url()
        ))
        .bearer_auth(TOKEN)
        .json(&json!({"status": "read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let mut statuses = Vec::new();
    for _ in 0..200 {
        statuses = h
            .webhooks()
            .iter()
            .filter_map(|w| {
                let v: Value = serde_json::from_str(&w.body).ok()?;
                let s = v["entry"][0]["changes"][0]["value"]["statuses"][0].clone();
                (s["id"] == wamid.as_str()).then_some(s)
            })
            .collect();
        if statuses.len() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let read = statuses
        .iter()
        .find(|s| s["status"] == "read")
        .expect("read");
    assert_eq!(read["recipient_id"], "447700900123");
    let failed = statuses
        .iter()
        .find(|s| s["status"] == "failed")
        .expect("failed");
    assert_eq!(failed["errors"][0]["code"], 131049);
    let entry = h.ledger().into_iter().find(|l| l.id == wamid).unwrap();
    assert_eq!(entry.outcome, "failed:131049");
    // Every delivery record carries its signature.
    assert!(
        h.webhooks()
            .iter()
            .all(|w| w.signature.starts_with("sha256="))
    );
}

#[tokio::test]
async fn shutdown_ends_open_streams() {
    let h = start().await;
    let mut ev = Events::open(&h).await;
    ev.next("snapshot").await;
    tokio::time::timeout(Duration::from_secs(5), h.shutdown())
        .await
        .expect("shutdown does not wait for the page");
}
