//! Signed webhook bodies and their delivery with retries.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::state::{State, WebhookRecord};

/// Escape every non-ASCII character as lowercase `\uXXXX` (surrogate pairs
/// above U+FFFF), as Meta does before signing. Only valid on serialized JSON,
/// where non-ASCII can occur only inside strings.
pub fn escape_non_ascii(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut buf = [0u16; 2];
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// `sha256=<hex>` of HMAC-SHA256(app_secret, body).
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Deliver one body after `delay`, retrying non-2xx answers with backoff.
pub fn deliver(state: Arc<State>, body: Vec<u8>, delay: Duration) {
    tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        state.log.emitted(&body, state.now_ms());
        let signature = sign(&state.app_secret, &body);
        let Some(url) = state.webhook_url() else {
            record(
                &state,
                WebhookRecord {
                    body: String::from_utf8_lossy(&body).into_owned(),
                    attempts: 0,
                    delivered: false,
                    last_status: None,
                    url: None,
                    signature,
                },
            );
            return;
        };
        let mut attempts = 0u32;
        let mut last_status = None;
        let mut delivered = false;
        while attempts < state.webhook_max_attempts {
            attempts += 1;
            let res = state
                .http
                .post(&url)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", &signature)
                .body(body.clone())
                .send()
                .await;
            match res {
                Ok(r) => {
                    last_status = Some(r.status().as_u16());
                    if r.status().is_success() {
                        delivered = true;
                        break;
                    }
                }
                Err(_) => last_status = None,
            }
            // Meta retries "with decreasing frequency"; compressed here to keep tests fast.
            let backoff = Duration::from_millis(50u64.saturating_mul(1 << attempts.min(8)));
            tokio::time::sleep(backoff.min(Duration::from_secs(5))).await;
        }
        record(
            &state,
            WebhookRecord {
                body: String::from_utf8_lossy(&body).into_owned(),
                attempts,
                delivered,
                last_status,
                url: Some(url),
                signature,
            },
        );
    });
}

/// Keep the delivery record and show it on open inspector pages.
fn record(state: &State, r: WebhookRecord) {
    state
        .log
        .publish("webhook", || serde_json::to_value(&r).unwrap_or_default());
    state.record_webhook(r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_meta() {
        assert_eq!(
            escape_non_ascii(r#"{"a":"äöå"}"#),
            r#"{"a":"\u00e4\u00f6\u00e5"}"#
        );
        assert_eq!(escape_non_ascii("😀"), "\\ud83d\\ude00");
        let escaped = escape_non_ascii(r#"{"t":"こんにちは 😀"}"#);
        let v: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(v["t"], "こんにちは 😀");
    }

    #[test]
    fn signature_format() {
        let s = sign("secret", b"{}");
        assert!(s.starts_with("sha256="));
        assert_eq!(s.len(), 7 + 64);
        assert_eq!(s, sign("secret", b"{}"));
        assert_ne!(s, sign("other", b"{}"));
    }
}
