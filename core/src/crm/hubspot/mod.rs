//! HubSpot CRM v3 contacts, from HubSpot's public API documentation:
//! `batch/upsert` by a unique `idProperty` (≤ 100 inputs a call,
//! configurable), `batch/update` for records known by id, `batch/read`, and
//! `search` by `lastmodifieddate` (`GTE`, ascending, `after` paging, 200 a
//! page, re-anchored on the last timestamp before the 10,000-result cap).
//! Partial failures (207 `errors[]`, 400 `VALIDATION_ERROR`) become
//! per-record rejections while the good records go through. One rate limiter
//! per portal follows the `X-HubSpot-RateLimit-*` headers; 429 `Retry-After`
//! is honoured. The token never appears in Debug output or logs.

mod limiter;
mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::connector::*;
use crate::{Error, Result};
use limiter::{Lane, PortalLimiter};

/// Settings of the HubSpot connector.
#[derive(Clone)]
pub struct HubSpotConfig {
    /// API root, `https://api.hubapi.com` (a stand-in's URL in tests).
    pub base_url: String,
    /// Private-app or OAuth access token.
    pub token: SecretString,
    /// Inputs per batch call (HubSpot: at most 100).
    pub batch_size: usize,
    /// Results per search page (HubSpot: at most 200).
    pub page_size: usize,
    /// Requests per 10 s until the headers say otherwise.
    pub requests_per_10s: u32,
    /// CRM search requests per second.
    pub search_per_s: u32,
    /// Properties to read (the mapped ones and the identity property).
    pub properties: Vec<String>,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl std::fmt::Debug for HubSpotConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubSpotConfig")
            .field("base_url", &self.base_url)
            .field("token", &"[redacted]")
            .field("batch_size", &self.batch_size)
            .field("page_size", &self.page_size)
            .field("requests_per_10s", &self.requests_per_10s)
            .field("search_per_s", &self.search_per_s)
            .field("properties", &self.properties)
            .finish()
    }
}

impl HubSpotConfig {
    /// Defaults for a token: HubSpot's public API, 100 inputs a batch, 200
    /// results a page, 100 requests per 10 s, search 4/s.
    pub fn new(token: impl Into<String>) -> Self {
        HubSpotConfig {
            base_url: "https://api.hubapi.com".into(),
            token: SecretString::from(token.into()),
            batch_size: 100,
            page_size: 200,
            requests_per_10s: 100,
            search_per_s: 4,
            properties: Vec::new(),
            timeout: Duration::from_secs(30),
        }
    }

    /// Use another API root.
    pub fn base_url(mut self, u: impl Into<String>) -> Self {
        self.base_url = u.into().trim_end_matches('/').to_string();
        self
    }

    /// Properties to read.
    pub fn properties(mut self, p: Vec<String>) -> Self {
        self.properties = p;
        self
    }
}

/// The HubSpot CRM v3 contacts connector.
pub struct HubSpotConnector {
    cfg: HubSpotConfig,
    http: reqwest::Client,
    limiter: Arc<PortalLimiter>,
    requests: AtomicU64,
    rate_limited: AtomicU64,
}

impl std::fmt::Debug for HubSpotConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubSpotConnector")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl HubSpotConnector {
    /// A connector; connectors of the same portal (base URL and token) share
    /// one rate limiter.
    pub fn new(cfg: HubSpotConfig) -> Result<Self> {
        if cfg.batch_size == 0 || cfg.batch_size > 100 {
            return Err(Error::Config("hubspot batch size must be 1..=100".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .build()
            .map_err(|e| Error::Network(Arc::new(e)))?;
        // The portal key is a digest so the token is not kept as a map key.
        let digest = Sha256::digest(cfg.token.expose_secret().as_bytes());
        let key = format!("{}#{}", cfg.base_url, const_hex::encode(&digest[..8]));
        let limiter = limiter::for_portal(&key, cfg.requests_per_10s, cfg.search_per_s);
        Ok(HubSpotConnector {
            cfg,
            http,
            limiter,
            requests: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
        })
    }

    /// POST JSON through the limiter; 429 and 5xx come back as retryable errors.
    async fn post(
        &self,
        lane: Lane,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<(u16, bytes::Bytes)> {
        self.limiter.acquire(lane).await;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let resp = self
            .http
            .post(format!("{}{path}", self.cfg.base_url))
            .bearer_auth(self.cfg.token.expose_secret())
            .json(body)
            .send()
            .await
            .map_err(|e| Error::Network(Arc::new(e)))?;
        let status = resp.status().as_u16();
        let h = resp.headers();
        let num = |name: &str| -> Option<u64> { h.get(name)?.to_str().ok()?.trim().parse().ok() };
        if lane == Lane::General {
            self.limiter.observe(
                num("x-hubspot-ratelimit-max").map(|v| v as u32),
                num("x-hubspot-ratelimit-interval-milliseconds"),
                num("x-hubspot-ratelimit-remaining").map(|v| v as u32),
            );
        }
        let retry_after = num("retry-after").map(Duration::from_secs);
        let body = resp
            .bytes()
            .await
            .map_err(|e| Error::Network(Arc::new(e)))?;
        if status == 429 {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
            let wait = retry_after.unwrap_or(Duration::from_secs(1));
            self.limiter.rate_limited(lane, wait);
            return Err(http_err(status, &body, Some(wait)));
        }
        if status >= 500 || status == 401 || status == 403 || status == 404 {
            return Err(http_err(status, &body, retry_after));
        }
        Ok((status, body))
    }
}

fn http_err(status: u16, body: &[u8], retry_after: Option<Duration>) -> Error {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
    Error::Http {
        status,
        body: text,
        retry_after,
    }
}

#[async_trait]
impl CrmConnector for HubSpotConnector {
    fn name(&self) -> &str {
        "hubspot"
    }

    fn limits(&self) -> CrmLimits {
        CrmLimits {
            max_batch: self.cfg.batch_size,
            max_page: self.cfg.page_size,
            requests_per_10s: self.cfg.requests_per_10s,
        }
    }

    async fn upsert(&self, batch: &[UpsertInput]) -> Result<Vec<UpsertOutcome>> {
        wire::upsert(self, batch).await
    }

    async fn fetch(&self, ids: &[String]) -> Result<Vec<CrmRecord>> {
        wire::fetch(self, ids).await
    }

    async fn changed_since(&self, cursor: Option<&str>, limit: usize) -> Result<ChangePage> {
        wire::search(self, cursor, limit).await
    }

    fn stats(&self) -> ConnectorStats {
        ConnectorStats {
            requests: self.requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }
}
