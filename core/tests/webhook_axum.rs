//! The ready axum endpoint over real HTTP: handshake, 401 on bad signatures,
//! 200 and events handed over on good ones.

use std::sync::{Arc, Mutex};

use wacrm::webhook::axum::WebhookEndpoint;
use wacrm::webhook::{SignatureVerifier, WebhookEvent};

async fn serve(ep: WebhookEndpoint) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, ep.router("/webhook")).await });
    url
}

fn body() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/webhook/nonascii_raw.json"
    ))
    .unwrap()
}

#[tokio::test]
async fn handshake_and_signed_posts_through_a_channel() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let url = serve(WebhookEndpoint::with_channel("app-secret", "vt", tx)).await;
    let http = reqwest::Client::new();

    let ok = http
        .get(format!(
            "{url}?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=8675309"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "8675309");
    let bad = http
        .get(format!(
            "{url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 403);

    let body = body();
    let sig = SignatureVerifier::new("app-secret").sign(&body);
    for (header, want) in [
        (None, 401),
        (Some("sha256=zz".to_string()), 401),
        (Some(SignatureVerifier::new("other").sign(&body)), 401),
        (Some(sig.clone()), 200),
    ] {
        let mut req = http.post(&url).body(body.clone());
        if let Some(h) = header {
            req = req.header("X-Hub-Signature-256", h);
        }
        assert_eq!(req.send().await.unwrap().status(), want);
    }
    let events = rx.recv().await.unwrap();
    let [WebhookEvent::Message(m)] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!(m.from.as_deref(), Some("16505551234"));
    // Only the one good POST reached the channel.
    assert!(rx.try_recv().is_err());
}

#[tokio::test]
async fn callback_sink() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let ep = WebhookEndpoint::with_callback(
        SignatureVerifier::from_secret("cb-secret".to_string().into()),
        "vt",
        move |events| seen2.lock().unwrap().extend(events),
    );
    let url = serve(ep).await;
    let body = body();
    let sig = SignatureVerifier::new("cb-secret").sign(&body);
    let resp = reqwest::Client::new()
        .post(&url)
        .header("X-Hub-Signature-256", sig)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(seen.lock().unwrap().len(), 1);
}
