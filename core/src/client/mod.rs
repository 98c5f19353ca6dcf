//! C1: the typed WhatsApp Business Cloud API client.
//!
//! Owns the HTTP conversation with the Graph API: every outbound message type
//! (validated before sending), media, templates, phone numbers and business
//! profiles, error classification and retries of transient failures. It keeps
//! no per-number state: every call names the sending phone number id (or WABA).

pub mod callback;
mod legacy;
mod management;
mod messages;
mod retry;
mod wire;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(crate) use legacy::legacy_body_to_wire;
pub use management::*;
pub use messages::*;
pub use retry::{RetryPolicy, parse_retry_after};

use crate::error::{Error, GraphError, Result};
use crate::ids::{MessageId, PhoneNumberId, Recipient};

/// Default Graph API host.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
/// Default Graph API version.
pub const DEFAULT_API_VERSION: &str = "v26.0";
/// Header carrying an outbox item's idempotency key (ignored by Meta, recorded by the sandbox).
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// Builds a [`CloudApiClient`].
#[derive(Clone)]
pub struct ClientBuilder {
    token: Option<SecretString>,
    base_url: String,
    api_version: String,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            token: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            api_version: DEFAULT_API_VERSION.to_string(),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent: concat!("wacrm/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

impl ClientBuilder {
    /// The access token (system-user or temporary token).
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretString::from(token.into()));
        self
    }

    /// Graph host without the version, e.g. the sandbox's `http://127.0.0.1:PORT`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_string();
        self
    }

    /// Graph API version, e.g. `v26.0`.
    pub fn api_version(mut self, v: impl Into<String>) -> Self {
        self.api_version = v.into();
        self
    }

    /// Per-request timeout.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Retry policy for transient failures.
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.retry = p;
        self
    }

    /// Read `WACRM_ACCESS_TOKEN`, `WACRM_BASE_URL` and `WACRM_API_VERSION`.
    pub fn from_env() -> Self {
        let mut b = ClientBuilder::default();
        if let Ok(t) = std::env::var("WACRM_ACCESS_TOKEN") {
            b = b.access_token(t);
        }
        if let Ok(u) = std::env::var("WACRM_BASE_URL")
            && !u.is_empty()
        {
            b = b.base_url(u);
        }
        if let Ok(v) = std::env::var("WACRM_API_VERSION")
            && !v.is_empty()
        {
            b = b.api_version(v);
        }
        b
    }

    /// Build the client.
    pub fn build(self) -> Result<CloudApiClient> {
        let token = self
            .token
            .ok_or_else(|| Error::Config("access token missing (WACRM_ACCESS_TOKEN)".into()))?;
        if token.expose_secret().trim().is_empty() {
            return Err(Error::Config("access token is empty".into()));
        }
        let v = self.api_version.as_str();
        let ok_version = v
            .strip_prefix('v')
            .and_then(|r| r.split_once('.'))
            .is_some_and(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && a.bytes().all(|c| c.is_ascii_digit())
                    && b.bytes().all(|c| c.is_ascii_digit())
            });
        if !ok_version {
            return Err(Error::Config(format!(
                "api version {v:?} is not of the form vNN.N"
            )));
        }
        url::Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("base url {:?}: {e}", self.base_url)))?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| Error::Config(format!("http client: {e}")))?;
        Ok(CloudApiClient {
            inner: Arc::new(Inner {
                http,
                token,
                base_url: self.base_url,
                api_version: self.api_version,
                retry: self.retry,
            }),
        })
    }
}

struct Inner {
    http: reqwest::Client,
    token: SecretString,
    base_url: String,
    api_version: String,
    retry: RetryPolicy,
}

/// The Cloud API client. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct CloudApiClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for CloudApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudApiClient")
            .field("base_url", &self.inner.base_url)
            .field("api_version", &self.inner.api_version)
            .field("token", &"[redacted]")
            .finish()
    }
}

/// One contact entry of a send response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SentContact {
    /// What was sent as `to` / `recipient`.
    #[serde(default)]
    pub input: String,
    /// Canonical WhatsApp id (may differ from the input: MX/BR quirks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// BSUID when the message was addressed to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// One message entry of a send response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    /// The `wamid.…` id that status webhooks refer to.
    pub id: MessageId,
    /// `accepted`, `held_for_quality_assessment` or `paused`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_status: Option<String>,
}

/// Response of a send: "accepted", not delivered — delivery arrives as status webhooks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SendResponse {
    /// `whatsapp`.
    #[serde(default)]
    pub messaging_product: String,
    /// Recipients with their canonical ids.
    #[serde(default)]
    pub contacts: Vec<SentContact>,
    /// Accepted messages.
    #[serde(default)]
    pub messages: Vec<SentMessage>,
}

impl SendResponse {
    /// Id of the (first) accepted message.
    pub fn message_id(&self) -> Option<&MessageId> {
        self.messages.first().map(|m| &m.id)
    }
}

/// `{"success": true}` answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Success {
    /// Whether the call succeeded.
    #[serde(default)]
    pub success: bool,
}

pub(crate) enum Body {
    None,
    Json(Value),
    Multipart(Box<dyn Fn() -> reqwest::multipart::Form + Send + Sync>),
}

impl CloudApiClient {
    /// Start building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Graph host (without version).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Graph API version in use.
    pub fn api_version(&self) -> &str {
        &self.inner.api_version
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!(
            "{}/{}/{}",
            self.inner.base_url,
            self.inner.api_version,
            path.trim_start_matches('/')
        )
    }

    /// Send one message from `from` to `to`. The message validates itself first;
    /// a validation failure never reaches the network.
    pub async fn send(
        &self,
        from: &PhoneNumberId,
        to: &Recipient,
        message: &OutboundMessage,
        opts: &SendOptions,
    ) -> Result<SendResponse> {
        self.send_with(from, to, message, opts, true).await
    }

    /// Send one message in a single HTTP attempt, never retried here: Meta's
    /// API ignores `Idempotency-Key`, so a retry after a dropped connection or a
    /// 5xx can deliver the message twice. The scheduler uses this and decides
    /// itself (see `scheduler::reconcile`) whether an unknown outcome is resent.
    pub async fn send_once(
        &self,
        from: &PhoneNumberId,
        to: &Recipient,
        message: &OutboundMessage,
        opts: &SendOptions,
    ) -> Result<SendResponse> {
        self.send_with(from, to, message, opts, false).await
    }

    async fn send_with(
        &self,
        from: &PhoneNumberId,
        to: &Recipient,
        message: &OutboundMessage,
        opts: &SendOptions,
        retry: bool,
    ) -> Result<SendResponse> {
        message.validate()?;
        opts.validate()?;
        if to.as_str().trim().is_empty() {
            return Err(Error::validation("to", "recipient must not be empty"));
        }
        let body = Body::Json(message.to_request_json(to, opts)?);
        let headers: Vec<(&str, String)> = opts
            .idempotency_key
            .iter()
            .map(|k| (IDEMPOTENCY_HEADER, k.as_str().to_string()))
            .collect();
        let url = self.url(&format!("{}/messages", from.as_str()));
        if !retry {
            return decode_json(&self.attempt(Method::POST, &url, &body, &headers).await?);
        }
        self.request_json(Method::POST, &url, body, &headers).await
    }

    /// Send a text message.
    pub async fn send_text(
        &self,
        from: &PhoneNumberId,
        to: &Recipient,
        body: impl Into<String>,
    ) -> Result<SendResponse> {
        self.send(
            from,
            to,
            &OutboundMessage::text(body),
            &SendOptions::default(),
        )
        .await
    }

    /// Mark an inbound message as read, optionally showing the typing indicator.
    pub async fn mark_read(
        &self,
        from: &PhoneNumberId,
        message_id: &MessageId,
        typing_indicator: bool,
    ) -> Result<Success> {
        if message_id.as_str().is_empty() {
            return Err(Error::validation("message_id", "must not be empty"));
        }
        let mut body = serde_json::json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": message_id.as_str(),
        });
        if typing_indicator {
            body["typing_indicator"] = serde_json::json!({"type": "text"});
        }
        self.request_json(
            Method::POST,
            &self.url(&format!("{}/messages", from.as_str())),
            Body::Json(body),
            &[],
        )
        .await
    }

    /// Execute a request with retries of transient failures; decode JSON.
    pub(crate) async fn request_json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Body,
        headers: &[(&str, String)],
    ) -> Result<T> {
        decode_json(&self.request_bytes(method, url, body, headers).await?)
    }

    pub(crate) async fn request_bytes(
        &self,
        method: Method,
        url: &str,
        body: Body,
        headers: &[(&str, String)],
    ) -> Result<bytes::Bytes> {
        let policy = &self.inner.retry;
        let mut attempt = 0u32;
        loop {
            let result = self.attempt(method.clone(), url, &body, headers).await;
            match result {
                Ok(b) => return Ok(b),
                Err(e) => {
                    let advice = e.retry();
                    if !is_client_retryable(&e) || attempt >= policy.max_retries {
                        tracing::debug!(code = e.code(), attempt, "graph request failed");
                        return Err(e);
                    }
                    let wait = policy.delay(attempt, advice.after);
                    tracing::debug!(
                        code = e.code(),
                        attempt,
                        ?wait,
                        "retrying transient failure"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(
        &self,
        method: Method,
        url: &str,
        body: &Body,
        headers: &[(&str, String)],
    ) -> Result<bytes::Bytes> {
        let mut req = self
            .inner
            .http
            .request(method, url)
            .bearer_auth(self.inner.token.expose_secret());
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req.json(v),
            Body::Multipart(make) => req.multipart(make()),
        };
        let resp = req
            .send()
            .await
            .map_err(|e| Error::Network(Arc::new(e.without_url())))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| Error::Network(Arc::new(e.without_url())))?;
        if status.is_success() {
            return Ok(bytes);
        }
        Err(error_from_response(status, &bytes, retry_after))
    }
}

fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::Decode {
        message: e.to_string(),
        raw: String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned(),
    })
}

/// Retried inside the client: network errors, transient server errors, and HTTP 429
/// answers carrying a wait that are not messaging throttles. Messaging throttles
/// (130429 number, 131056 pair, 80007 WABA) go back to the caller with their wait.
fn is_client_retryable(e: &Error) -> bool {
    match e.kind() {
        crate::ErrorKind::Transient | crate::ErrorKind::Network => true,
        crate::ErrorKind::RateLimited => {
            let throttle = e
                .graph()
                .is_some_and(|g| matches!(g.code, 130429 | 131056 | 80007));
            !throttle && e.http_status() == Some(429) && e.retry().after.is_some()
        }
        _ => false,
    }
}

fn error_from_response(status: StatusCode, body: &[u8], retry_after: Option<Duration>) -> Error {
    match GraphError::from_body(body) {
        Some(g) => Error::from_graph(g, status.as_u16(), retry_after),
        None => Error::Http {
            status: status.as_u16(),
            body: String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
            retry_after,
        },
    }
}
