//! Who may use the sandbox and with what: the control API needs the token, the
//! Host header must name the listen address, secrets stay out of Debug, bad
//! settings are refused, and media uploads get their per-kind limits.

use serde_json::{Value, json};
use wacrm_sandbox::{Sandbox, SandboxConfig, SandboxError};

const TOKEN: &str = "hardening-token-123";
const NUM: &str = "111222333";

async fn start() -> wacrm_sandbox::SandboxHandle {
    Sandbox::start(
        SandboxConfig::default()
            .access_token(TOKEN)
            .phone_number(NUM),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn control_api_refuses_without_the_token() {
    let h = start().await;
    let http = reqwest::Client::new();
    let routes = [
        (reqwest::Method::GET, "ledger"),
        (reqwest::Method::GET, "stats"),
        (reqwest::Method::GET, "faults"),
        (reqwest::Method::PUT, "faults"),
        (reqwest::Method::PUT, "webhook"),
        (reqwest::Method::POST, "inbound"),
        (reqwest::Method::GET, "events"),
        (reqwest::Method::GET, "snapshot"),
        (reqwest::Method::POST, "messages/wamid.x/status"),
    ];
    for (method, path) in routes {
        let url = format!("{}/_sandbox/{path}", h.base_url());
        let none = http
            .request(method.clone(), &url)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(none.status(), 401, "{method} {path} without a token");
        let wrong = http
            .request(method.clone(), &url)
            .bearer_auth("hardening-token-124")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401, "{method} {path} with a wrong token");
    }
    // Nothing changed: the faults are still off, no webhook URL was set.
    let faults: Value = http
        .get(format!("{}/_sandbox/faults", h.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults["error_rate"], 0.0);
    assert!(h.webhooks().is_empty());
    let ok = http
        .get(format!("{}/_sandbox/ledger", h.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn a_foreign_host_header_is_refused() {
    let h = start().await;
    let http = reqwest::Client::new();
    for (host, want) in [
        ("evil.example", 421),
        (&*format!("attacker.test:{}", h.addr().port()), 421),
        (&*format!("localhost:{}", h.addr().port()), 200),
        (&*h.addr().to_string(), 200),
    ] {
        let r = http
            .get(format!("{}/_sandbox/stats", h.base_url()))
            .header("host", host)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), want, "Host: {host}");
        let r = http
            .get(format!("{}/v26.0/{NUM}", h.base_url()))
            .header("host", host)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), want, "Graph with Host: {host}");
    }
}

#[tokio::test]
async fn an_allowed_host_name_is_answered() {
    let h = Sandbox::start(
        SandboxConfig::default()
            .access_token(TOKEN)
            .allowed_host("sandbox.internal"),
    )
    .await
    .unwrap();
    let r = reqwest::Client::new()
        .get(format!("{}/_sandbox/stats", h.base_url()))
        .header("host", "sandbox.internal:8089")
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn debug_shows_no_secret() {
    let cfg = SandboxConfig::default()
        .access_token("tok-SECRET-1")
        .app_secret("app-SECRET-2")
        .verify_token("verify-SECRET-3");
    let shown = format!("{cfg:?} {cfg:#?}");
    for secret in ["tok-SECRET-1", "app-SECRET-2", "verify-SECRET-3"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(shown.contains("redacted"));
    assert!(shown.contains("127.0.0.1"), "the rest is still shown");
}

#[tokio::test]
async fn empty_secrets_and_bad_rates_are_refused() {
    let refused = |cfg: SandboxConfig| async move {
        match Sandbox::start(cfg).await {
            Err(SandboxError::Config(m)) => m,
            Err(e) => panic!("wrong error {e}"),
            Ok(_) => panic!("accepted"),
        }
    };
    assert!(
        refused(SandboxConfig::default().access_token(""))
            .await
            .contains("access token")
    );
    assert!(
        refused(SandboxConfig::default().app_secret(""))
            .await
            .contains("app secret")
    );
    assert!(
        refused(SandboxConfig::default().verify_token(""))
            .await
            .contains("verify token")
    );
    for mps in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let m = refused(SandboxConfig::default().mps(mps)).await;
        assert!(m.contains("mps"), "{mps}: {m}");
    }
    assert!(wacrm_sandbox::check_mps(0.5).is_ok());
}

#[tokio::test]
async fn limits_refuse_a_zero_rate() {
    let h = start().await;
    let r = reqwest::Client::new()
        .put(format!("{}/_sandbox/limits", h.base_url()))
        .bearer_auth(TOKEN)
        .json(&json!({"mps": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn non_ascii_phone_number_ids_are_served() {
    let h = Sandbox::start(
        SandboxConfig::default()
            .access_token(TOKEN)
            .phone_number("número-ñ")
            .phone_number("電話1234567890"),
    )
    .await
    .unwrap();
    let ids = h.phone_number_ids();
    assert!(ids.contains(&"número-ñ".to_string()));
    let r: Value = reqwest::Client::new()
        .get(format!("{}/v26.0/電話1234567890", h.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["display_phone_number"], "15554567890");
}

async fn upload(h: &wacrm_sandbox::SandboxHandle, mime: &str, len: usize) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text("messaging_product", "whatsapp")
        .text("type", mime.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![7u8; len])
                .file_name("f.bin")
                .mime_str(mime)
                .unwrap(),
        );
    let r = reqwest::Client::new()
        .post(format!("{}/v26.0/{NUM}/media", h.base_url()))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn media_limits_follow_the_declared_kind() {
    let h = start().await;
    let (s, v) = upload(&h, "video/mp4", 10_000_000).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["id"].is_string());
    let (s, v) = upload(&h, "image/jpeg", 6_000_000).await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["error"]["code"], 131053);
    let (s, v) = upload(&h, "image/png", 4_000_000).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = upload(&h, "application/pdf", 30_000_000).await;
    assert_eq!(s, 200, "{v}");
}
