//! C3: a local WhatsApp Business Cloud API simulator — a real axum HTTP server
//! with the same paths, JSON and error envelopes as the Cloud API, and Meta's
//! limits enforced: per-number throughput (130429), pair rate (131056), the
//! portfolio messaging-limit tier, the 24-hour customer-service window (131047)
//! and template validation (132000 / 132001). It signs and posts status and
//! inbound webhooks, injects faults, and records every accepted message in a
//! ledger so tests can prove "nothing lost, nothing sent twice".
//!
//! It deliberately shares no types with the `wacrm` client: requests are read
//! and checked as plain JSON, as Meta documents them.

mod access;
mod control;
mod graph;
mod inspector;
mod limits;
mod state;
mod validate;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use state::{LedgerEntry, LimitsUpdate, WebhookRecord};
pub use webhook::{escape_non_ascii, sign};

/// What happens when the portfolio's unique-recipient tier is exhausted. Meta
/// documents no error code for it, so both the channel and the code are settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum TierAnswer {
    /// Refuse the send synchronously with this Graph code (HTTP 400).
    Sync {
        /// Graph code to answer with.
        code: i64,
    },
    /// Accept, then post a `failed` status with this code.
    FailedStatus {
        /// Graph code carried in the status.
        code: i64,
    },
}

/// How a free-form message outside the customer-service window is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowMode {
    /// Accepted, then a `failed` status webhook with 131047 (what Meta does).
    FailedStatus,
    /// Refused synchronously with 131047.
    Sync,
}

/// How a repeated `Idempotency-Key` is answered. Meta's Cloud API ignores the
/// header, so `Ignore` (every request is a send of its own) is the default;
/// `Replay` answers a repeat on the same number with the first response and
/// sends nothing, for users who want a kinder API than the real one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdempotencyMode {
    /// A repeat is a second, new send with a new wamid (what Meta does).
    #[default]
    Ignore,
    /// A repeat gets the first response and is not sent again.
    Replay,
}

/// Messaging-limit tiers (unique recipients outside a window per rolling 24 h).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 250.
    Tier250,
    /// 2,000.
    Tier2k,
    /// 10,000.
    Tier10k,
    /// 100,000.
    Tier100k,
    /// No cap.
    Unlimited,
}

impl Tier {
    /// The cap, `None` for unlimited.
    pub fn cap(self) -> Option<usize> {
        match self {
            Tier::Tier250 => Some(250),
            Tier::Tier2k => Some(2_000),
            Tier::Tier10k => Some(10_000),
            Tier::Tier100k => Some(100_000),
            Tier::Unlimited => None,
        }
    }
}

/// Limits of one business number (defaults are Meta's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NumberLimits {
    /// Messages per second (80 default, up to 1,000).
    pub mps: f64,
    /// Pair burst (messages to one recipient before pacing applies).
    pub pair_burst: f64,
    /// Pair refill interval in milliseconds (one message per 6 s).
    pub pair_interval_ms: u64,
}

impl Default for NumberLimits {
    fn default() -> Self {
        NumberLimits {
            mps: 80.0,
            pair_burst: 45.0,
            pair_interval_ms: 6_000,
        }
    }
}

/// Runtime faults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Share of Graph requests answered with a 500 (code 131000) before processing.
    pub error_rate: f64,
    /// Added latency per Graph request, milliseconds.
    pub latency_ms: u64,
    /// Share of requests whose connection is dropped before processing.
    pub drop_rate: f64,
    /// Share of sends whose connection is dropped after the message was accepted.
    pub drop_after_accept_rate: f64,
    /// Share of webhooks delivered twice.
    pub duplicate_webhook_rate: f64,
    /// Share of messages whose status webhooks are delivered in reverse order.
    pub out_of_order_rate: f64,
}

/// Delays of the simulated status ladder, milliseconds after acceptance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusDelays {
    /// `sent`.
    pub sent_ms: u64,
    /// `delivered`.
    pub delivered_ms: u64,
    /// `read` (only when `read_rate` picks the message).
    pub read_ms: u64,
    /// Share of delivered messages that are read.
    pub read_rate: f64,
}

impl Default for StatusDelays {
    fn default() -> Self {
        StatusDelays {
            sent_ms: 5,
            delivered_ms: 20,
            read_ms: 40,
            read_rate: 1.0,
        }
    }
}

/// A business number the sandbox serves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumberConfig {
    /// Phone number id (the Graph object id).
    pub id: String,
    /// Display number.
    pub display_phone_number: String,
    /// Verified name.
    pub verified_name: String,
    /// Limits.
    pub limits: NumberLimits,
}

/// Sandbox configuration. `Default` gives one number, a generated token and
/// Meta's limits; setters chain. Its `Debug` output redacts the token and secrets.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Listen port (0 = ephemeral).
    pub port: u16,
    /// Listen host (loopback by default; anything else is logged as a warning).
    pub host: String,
    /// Host names answered besides loopback names and IP literals (the Host
    /// header of every request is checked, against DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// Bearer token clients must present (generated when `None`).
    pub access_token: Option<String>,
    /// Business numbers (one generated when empty).
    pub numbers: Vec<NumberConfig>,
    /// Default limits for numbers added later.
    pub default_limits: NumberLimits,
    /// WhatsApp Business Account id.
    pub waba_id: String,
    /// Where webhooks go.
    pub webhook_url: Option<String>,
    /// App secret for X-Hub-Signature-256.
    pub app_secret: String,
    /// Verify token for the subscription handshake.
    pub verify_token: String,
    /// Portfolio messaging-limit tier.
    pub tier: Tier,
    /// Answer when the tier is exhausted.
    pub tier_answer: TierAnswer,
    /// Answer to free-form messages outside the window.
    pub window_mode: WindowMode,
    /// Status ladder timing.
    pub status_delays: StatusDelays,
    /// Webhook delivery attempts before giving up (Meta retries for days).
    pub webhook_max_attempts: u32,
    /// Approve created templates right away (as if review passed).
    pub auto_approve_templates: bool,
    /// Recipients (digits) that are not on WhatsApp: their sends fail with 131026.
    pub unreachable: Vec<String>,
    /// Start the clock at this epoch-millisecond time (real time when `None`).
    pub start_time_ms: Option<i64>,
    /// How a repeated `Idempotency-Key` is answered (ignored, as Meta does, by default).
    pub idempotency: IdempotencyMode,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            host: "127.0.0.1".into(),
            allowed_hosts: Vec::new(),
            access_token: None,
            numbers: Vec::new(),
            default_limits: NumberLimits::default(),
            waba_id: "102290129340398".into(),
            webhook_url: None,
            app_secret: "sandbox-app-secret".into(),
            verify_token: "sandbox-verify-token".into(),
            tier: Tier::Tier250,
            tier_answer: TierAnswer::Sync { code: 131048 },
            window_mode: WindowMode::FailedStatus,
            status_delays: StatusDelays::default(),
            webhook_max_attempts: 8,
            auto_approve_templates: true,
            unreachable: Vec::new(),
            start_time_ms: None,
            idempotency: IdempotencyMode::Ignore,
        }
    }
}

impl SandboxConfig {
    /// Listen on this port.
    pub fn port(mut self, p: u16) -> Self {
        self.port = p;
        self
    }
    /// Require this token.
    pub fn access_token(mut self, t: impl Into<String>) -> Self {
        self.access_token = Some(t.into());
        self
    }
    /// Also answer requests whose Host header names `name`.
    pub fn allowed_host(mut self, name: impl Into<String>) -> Self {
        self.allowed_hosts.push(name.into());
        self
    }
    /// Serve a number with default limits.
    pub fn phone_number(mut self, id: impl Into<String>) -> Self {
        let id = id.into();
        // The display number ends with the id's last digits; ids of any text
        // (non-ASCII included) are accepted, so pick digits, never byte-slice.
        let mut tail: Vec<char> = id
            .chars()
            .rev()
            .filter(char::is_ascii_digit)
            .take(7)
            .collect();
        tail.reverse();
        let display = format!("1555{:0>7}", tail.into_iter().collect::<String>());
        self.numbers.push(NumberConfig {
            id,
            display_phone_number: display,
            verified_name: "Sandbox Business".into(),
            limits: self.default_limits.clone(),
        });
        self
    }
    /// Messages per second for every number.
    pub fn mps(mut self, mps: f64) -> Self {
        self.default_limits.mps = mps;
        for n in &mut self.numbers {
            n.limits.mps = mps;
        }
        self
    }
    /// Post webhooks here.
    pub fn webhook_url(mut self, u: impl Into<String>) -> Self {
        self.webhook_url = Some(u.into());
        self
    }
    /// Sign webhooks with this secret.
    pub fn app_secret(mut self, s: impl Into<String>) -> Self {
        self.app_secret = s.into();
        self
    }
    /// Verify token.
    pub fn verify_token(mut self, s: impl Into<String>) -> Self {
        self.verify_token = s.into();
        self
    }
    /// WABA id.
    pub fn waba_id(mut self, s: impl Into<String>) -> Self {
        self.waba_id = s.into();
        self
    }
    /// Messaging-limit tier.
    pub fn tier(mut self, t: Tier) -> Self {
        self.tier = t;
        self
    }
    /// Window answer.
    pub fn window_mode(mut self, m: WindowMode) -> Self {
        self.window_mode = m;
        self
    }
    /// Status ladder timing.
    pub fn status_delays(mut self, d: StatusDelays) -> Self {
        self.status_delays = d;
        self
    }
    /// How a repeated `Idempotency-Key` is answered.
    pub fn idempotency(mut self, m: IdempotencyMode) -> Self {
        self.idempotency = m;
        self
    }
}

impl SandboxConfig {
    /// Refuse settings the sandbox cannot honour: empty token or secrets, and
    /// message rates that are not a positive finite number.
    pub fn validate(&self) -> Result<(), SandboxError> {
        let bad = |m: String| Err(SandboxError::Config(m));
        if self
            .access_token
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return bad("the access token must not be empty".into());
        }
        if self.app_secret.is_empty() {
            return bad("the app secret must not be empty".into());
        }
        if self.verify_token.is_empty() {
            return bad("the verify token must not be empty".into());
        }
        let rates = std::iter::once(("default", self.default_limits.mps))
            .chain(self.numbers.iter().map(|n| (n.id.as_str(), n.limits.mps)));
        for (who, mps) in rates {
            if let Err(m) = check_mps(mps) {
                return bad(format!("mps of {who}: {m}"));
            }
        }
        Ok(())
    }
}

/// A message rate must be a finite number above zero.
pub fn check_mps(mps: f64) -> Result<f64, String> {
    if mps.is_finite() && mps > 0.0 {
        Ok(mps)
    } else {
        Err(format!(
            "{mps} is not a positive finite number of messages per second"
        ))
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const HIDDEN: &str = "<redacted>";
        f.debug_struct("SandboxConfig")
            .field("port", &self.port)
            .field("host", &self.host)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("access_token", &self.access_token.as_ref().map(|_| HIDDEN))
            .field("numbers", &self.numbers)
            .field("default_limits", &self.default_limits)
            .field("waba_id", &self.waba_id)
            .field("webhook_url", &self.webhook_url)
            .field("app_secret", &HIDDEN)
            .field("verify_token", &HIDDEN)
            .field("tier", &self.tier)
            .field("tier_answer", &self.tier_answer)
            .field("window_mode", &self.window_mode)
            .field("status_delays", &self.status_delays)
            .field("webhook_max_attempts", &self.webhook_max_attempts)
            .field("auto_approve_templates", &self.auto_approve_templates)
            .field("unreachable", &self.unreachable)
            .field("start_time_ms", &self.start_time_ms)
            .field("idempotency", &self.idempotency)
            .finish()
    }
}

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A setting was refused.
    #[error("invalid sandbox setting: {0}")]
    Config(String),
    /// Binding the port failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
}

/// The sandbox server.
pub struct Sandbox;

impl Sandbox {
    /// Start serving in the background; returns once the port is bound.
    pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
        config.validate()?;
        let addr = format!("{}:{}", config.host, config.port);
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: addr.clone(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: addr.clone(),
            source,
        })?;
        if !local.ip().is_loopback() {
            tracing::warn!(
                addr = %local,
                "the sandbox listens beyond loopback: anyone who can reach {local} and knows the access token can send, read the ledger and change faults"
            );
        }
        let state = state::State::new(config, local);
        let app = graph::router(state.clone())
            .merge(control::router(state.clone()))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                access::host_guard,
            ));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(SandboxHandle {
            addr: local,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// A running sandbox.
pub struct SandboxHandle {
    addr: SocketAddr,
    state: Arc<state::State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SandboxHandle {
    /// `http://host:port` — the Graph host without version.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// The bearer token clients must present.
    pub fn access_token(&self) -> String {
        self.state.access_token.clone()
    }
    /// Served phone number ids.
    pub fn phone_number_ids(&self) -> Vec<String> {
        self.state.phone_number_ids()
    }
    /// The first served phone number id (the one a single-number sandbox has).
    pub fn phone_number_id(&self) -> String {
        self.phone_number_ids()
            .into_iter()
            .next()
            .unwrap_or_default()
    }
    /// WABA id.
    pub fn waba_id(&self) -> String {
        self.state.waba_id.clone()
    }
    /// App secret used to sign webhooks.
    pub fn app_secret(&self) -> String {
        self.state.app_secret.clone()
    }
    /// Verify token.
    pub fn verify_token(&self) -> String {
        self.state.verify_token.clone()
    }
    /// Every accepted message so far.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.state.ledger()
    }
    /// Webhook deliveries so far.
    pub fn webhooks(&self) -> Vec<WebhookRecord> {
        self.state.webhooks()
    }
    /// Point webhooks at a (new) URL.
    pub fn set_webhook_url(&self, url: Option<String>) {
        self.state.set_webhook_url(url);
    }
    /// Replace the faults.
    pub fn set_faults(&self, f: Faults) {
        self.state.set_faults(f);
    }
    /// Simulate an inbound customer message (opens the 24 h window). `message`
    /// is the webhook `messages[]` object without `from`/`id`/`timestamp`
    /// (e.g. `{"type":"text","text":{"body":"hi"}}`). Returns the message id.
    pub fn inbound(
        &self,
        phone_number_id: &str,
        from: &str,
        name: &str,
        message: serde_json::Value,
    ) -> Result<String, String> {
        self.state.inbound(&state::InboundRequest {
            phone_number_id: Some(phone_number_id.to_string()),
            from: Some(from.to_string()),
            user_id: None,
            name: Some(name.to_string()),
            message,
        })
    }
    /// Move the sandbox clock forward.
    pub fn advance_clock(&self, ms: i64) {
        self.state.advance_clock(ms);
    }
    /// The inspector page (the token goes in the fragment, which browsers never send).
    pub fn inspector_url(&self) -> String {
        format!(
            "{}/_sandbox/ui#token={}",
            self.base_url(),
            self.access_token()
        )
    }
    /// Stop serving and wait for the server task.
    pub async fn shutdown(mut self) {
        self.state.log.close();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.state.log.close();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
