//! Swift binding of wacrm (uniffi). Translation only: the core's
//! `ErrorDetails` becomes a Swift error enum with one case per kind, each case
//! carrying the same fields.

// Error cases carry the ErrorDetails fields inline so Swift sees them as associated
// values; boxing them would hide the fields from foreign code.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

/// `ErrorDetails` as a record.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ErrorInfo {
    /// Stable code string ("RATE_LIMITED", ...).
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Graph `code`.
    pub graph_code: Option<i64>,
    /// Graph `error_subcode`.
    pub graph_subcode: Option<i64>,
    /// Graph `error_data.details`.
    pub graph_details: Option<String>,
    /// Graph `fbtrace_id`.
    pub fbtrace_id: Option<String>,
    /// HTTP status.
    pub http_status: Option<u16>,
    /// Worth retrying.
    pub retryable: bool,
    /// Suggested wait in milliseconds.
    pub retry_after_ms: Option<u64>,
}

impl From<wacrm::ErrorDetails> for ErrorInfo {
    fn from(d: wacrm::ErrorDetails) -> Self {
        ErrorInfo {
            code: d.code,
            message: d.message,
            graph_code: d.graph_code,
            graph_subcode: d.graph_subcode,
            graph_details: d.graph_details,
            fbtrace_id: d.fbtrace_id,
            http_status: d.http_status,
            retryable: d.retryable,
            retry_after_ms: d.retry_after_ms,
        }
    }
}

macro_rules! error_enum {
    ($($variant:ident => $kind:ident),* $(,)?) => {
        /// Every wacrm failure, one case per error kind.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum WacrmError {
            $(
                #[allow(missing_docs)]
                #[error("{message}")]
                $variant {
                    code: String,
                    message: String,
                    graph_code: Option<i64>,
                    graph_subcode: Option<i64>,
                    graph_details: Option<String>,
                    fbtrace_id: Option<String>,
                    http_status: Option<u16>,
                    retryable: bool,
                    retry_after_ms: Option<u64>,
                },
            )*
        }

        impl From<wacrm::Error> for WacrmError {
            fn from(e: wacrm::Error) -> Self {
                let d = e.details();
                let info = ErrorInfo::from(d.clone());
                match d.kind {
                    $(wacrm::ErrorKind::$kind => WacrmError::$variant {
                        code: info.code,
                        message: info.message,
                        graph_code: info.graph_code,
                        graph_subcode: info.graph_subcode,
                        graph_details: info.graph_details,
                        fbtrace_id: info.fbtrace_id,
                        http_status: info.http_status,
                        retryable: info.retryable,
                        retry_after_ms: info.retry_after_ms,
                    },)*
                    _ => WacrmError::Unknown {
                        code: info.code,
                        message: info.message,
                        graph_code: info.graph_code,
                        graph_subcode: info.graph_subcode,
                        graph_details: info.graph_details,
                        fbtrace_id: info.fbtrace_id,
                        http_status: info.http_status,
                        retryable: info.retryable,
                        retry_after_ms: info.retry_after_ms,
                    },
                }
            }
        }
    };
}

error_enum! {
    Auth => Auth,
    RateLimited => RateLimited,
    PairRateLimited => PairRateLimited,
    OutsideWindow => OutsideWindow,
    Template => Template,
    RecipientInvalid => RecipientInvalid,
    PolicyBlock => PolicyBlock,
    Transient => Transient,
    Validation => Validation,
    Network => Network,
    Store => Store,
    Config => Config,
    Webhook => Webhook,
    Forbidden => Forbidden,
    Unknown => Unknown,
}

/// Classify a Graph API error body; `None` when it is not an error envelope.
#[uniffi::export]
pub fn graph_error_details(body: String, http_status: u16) -> Option<ErrorInfo> {
    let g = wacrm::GraphError::from_body(body.as_bytes())?;
    Some(
        wacrm::Error::from_graph(g, http_status, None)
            .details()
            .into(),
    )
}

/// Throw the classified error for a Graph API error body.
#[uniffi::export]
pub fn raise_graph_error(body: String, http_status: u16) -> Result<(), WacrmError> {
    match wacrm::GraphError::from_body(body.as_bytes()) {
        Some(g) => Err(wacrm::Error::from_graph(g, http_status, None).into()),
        None => Ok(()),
    }
}

/// The stable error codes, in `ErrorKind` order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    wacrm::ErrorKind::ALL
        .iter()
        .map(|k| k.code().to_string())
        .collect()
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Parse one phone number with a default region; returns `PhoneInfo` as JSON.
#[uniffi::export]
pub fn phone_parse(input: String, region: Option<String>) -> Result<String, WacrmError> {
    wacrm::phone::parse(&input, region.as_deref())
        .map(|p| json(&p))
        .map_err(|e| wacrm::Error::from(e).into())
}

/// Normalize many numbers on all cores; rows as JSON (bad rows carry `error`).
#[uniffi::export]
pub fn phone_normalize(inputs: Vec<String>, region: Option<String>) -> String {
    json(&wacrm::phone::normalize_lines(&inputs, region.as_deref()))
}

/// Verify `X-Hub-Signature-256` over the raw body bytes.
#[uniffi::export]
pub fn webhook_verify(
    app_secret: String,
    body: Vec<u8>,
    signature: Option<String>,
) -> Result<(), WacrmError> {
    wacrm::webhook::SignatureVerifier::new(app_secret)
        .verify(&body, signature.as_deref())
        .map_err(Into::into)
}

/// Parse a webhook body into events (JSON list); never fails on unknown types.
#[uniffi::export]
pub fn webhook_parse(body: Vec<u8>) -> Result<String, WacrmError> {
    wacrm::webhook::parse_body(&body)
        .map(|e| json(&e))
        .map_err(Into::into)
}

// ---------- engine objects: the operations live in wacrm-bindings-common ----------

use std::sync::{Arc, OnceLock};

use wacrm_bindings_common as common;

/// The engine's own tokio runtime: servers and long work run here whatever
/// executor the caller awaits from, so there is never "no reactor running".
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wacrm")
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// Run `fut` on the engine's runtime and await it from any executor.
async fn on_runtime<T, F>(fut: F) -> Result<T, WacrmError>
where
    T: Send + 'static,
    F: std::future::Future<Output = wacrm::Result<T>> + Send + 'static,
{
    match runtime().spawn(fut).await {
        Ok(r) => r.map_err(Into::into),
        Err(e) => Err(wacrm::Error::Config(format!("engine task failed: {e}")).into()),
    }
}

/// The Cloud API client; `call` runs an operation by name with JSON arguments.
#[derive(uniffi::Object)]
pub struct Client {
    inner: common::Client,
}

#[uniffi::export]
impl Client {
    /// A client for `base_url` (the Graph host when `None`).
    #[uniffi::constructor]
    pub fn new(
        access_token: String,
        base_url: Option<String>,
        api_version: Option<String>,
    ) -> Result<Arc<Self>, WacrmError> {
        let _guard = runtime().enter();
        Ok(Arc::new(Client {
            inner: common::Client::new(access_token, base_url, api_version)?,
        }))
    }

    /// Run a client operation (`send`, `upload_media`, `list_templates`, ...).
    pub async fn call(&self, op: String, args_json: String) -> Result<String, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.call(&op, &args_json).await }).await
    }
}

/// An in-process Cloud API sandbox for tests and examples.
#[derive(uniffi::Object)]
pub struct Sandbox {
    handle: wacrm_sandbox::SandboxHandle,
}

#[uniffi::export]
impl Sandbox {
    /// Start on a free port, optionally signing webhooks to `webhook_url`.
    #[uniffi::constructor]
    pub fn new(
        webhook_url: Option<String>,
        app_secret: Option<String>,
    ) -> Result<Arc<Self>, WacrmError> {
        let mut cfg = wacrm_sandbox::SandboxConfig::default().phone_number("106540352242922");
        if let Some(u) = webhook_url {
            cfg = cfg.webhook_url(u);
        }
        if let Some(s) = app_secret {
            cfg = cfg.app_secret(s);
        }
        let handle = runtime()
            .block_on(wacrm_sandbox::Sandbox::start(cfg))
            .map_err(|e| wacrm::Error::Config(e.to_string()))?;
        Ok(Arc::new(Sandbox { handle }))
    }

    /// Base URL to give the client.
    pub fn base_url(&self) -> String {
        self.handle.base_url()
    }

    /// The token the sandbox accepts.
    pub fn access_token(&self) -> String {
        self.handle.access_token()
    }

    /// The business account id.
    pub fn waba_id(&self) -> String {
        self.handle.waba_id()
    }

    /// The sandbox's business number.
    pub fn phone_number_id(&self) -> String {
        self.handle.phone_number_id()
    }

    /// Every accepted message (JSON list).
    pub fn ledger(&self) -> String {
        json(&self.handle.ledger())
    }

    /// Inject faults (`error_rate`, `latency_ms`, ... as JSON).
    pub fn set_faults(&self, faults_json: String) -> Result<(), WacrmError> {
        self.handle
            .set_faults(common::args::<wacrm_sandbox::Faults>(
                "faults",
                &faults_json,
            )?);
        Ok(())
    }

    /// Simulate a customer text message; returns its id.
    pub fn inbound_text(
        &self,
        from_wa_id: String,
        name: String,
        body: String,
    ) -> Result<String, WacrmError> {
        let _guard = runtime().enter();
        self.handle
            .inbound(
                &self.phone_number_id(),
                &from_wa_id,
                &name,
                serde_json::json!({"type": "text", "text": {"body": body}}),
            )
            .map_err(|e| wacrm::Error::Config(e).into())
    }
}

/// Stores opened by URL (`memory:`, `sqlite://PATH`, `postgres://...`).
#[derive(uniffi::Object)]
pub struct Stores {
    inner: common::Stores,
}

#[uniffi::export]
impl Stores {
    /// Open (and migrate) the stores at `url`.
    #[uniffi::constructor]
    pub fn new(url: String) -> Result<Arc<Self>, WacrmError> {
        let inner = runtime().block_on(common::Stores::open(&url))?;
        Ok(Arc::new(Stores { inner }))
    }

    /// Run a store operation (`contacts_import_csv`, `segment_members`, ...).
    pub async fn call(&self, op: String, args_json: String) -> Result<String, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.call(&op, &args_json).await }).await
    }
}

/// The send scheduler.
#[derive(uniffi::Object)]
pub struct Scheduler {
    inner: Arc<common::Scheduler>,
}

#[uniffi::export]
impl Scheduler {
    /// A scheduler over `stores` sending with `client` (`config_json`: `limits`,
    /// `policies`, `worker`, `tier_cap`, `redis_url`, `redis_prefix`).
    #[uniffi::constructor]
    pub fn new(
        stores: Arc<Stores>,
        client: Arc<Client>,
        config_json: String,
    ) -> Result<Arc<Self>, WacrmError> {
        let inner = runtime().block_on(common::Scheduler::from_json(
            &stores.inner,
            &client.inner,
            &config_json,
        ))?;
        Ok(Arc::new(Scheduler {
            inner: Arc::new(inner),
        }))
    }

    /// Run a scheduler operation (`enqueue`, `run_until_idle`, `stats`, ...).
    pub async fn call(&self, op: String, args_json: String) -> Result<String, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.call(&op, &args_json).await }).await
    }
}

/// Conversation assignment over the stores.
#[derive(uniffi::Object)]
pub struct Assignment {
    inner: Arc<common::Assignment>,
}

#[uniffi::export]
impl Assignment {
    /// Load agents and open conversations from `stores`.
    #[uniffi::constructor]
    pub fn new(stores: Arc<Stores>, config_json: String) -> Result<Arc<Self>, WacrmError> {
        let inner =
            runtime().block_on(common::Assignment::from_json(&stores.inner, &config_json))?;
        Ok(Arc::new(Assignment {
            inner: Arc::new(inner),
        }))
    }

    /// Run an assignment operation (`upsert_agent`, `assign`, `release`, ...).
    pub async fn call(&self, op: String, args_json: String) -> Result<String, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.call(&op, &args_json).await }).await
    }
}

/// Dedupe or link CSV files without a store (arguments as JSON: `paths`, `map`,
/// `id_column`, `region`, `link`, `config`).
#[uniffi::export]
pub async fn contacts_dedupe_csv(args_json: String) -> Result<String, WacrmError> {
    match runtime()
        .spawn_blocking(move || common::json_ops::dedupe_csv_json(&args_json))
        .await
    {
        Ok(r) => r.map_err(Into::into),
        Err(e) => Err(wacrm::Error::Config(format!("dedupe task failed: {e}")).into()),
    }
}

/// Receives webhook events, implemented in Swift (or any foreign language).
#[uniffi::export(with_foreign)]
pub trait EventSink: Send + Sync {
    /// One event as JSON (`kind`: message, status, error, call, call_status,
    /// template_status, template_quality, template_category,
    /// phone_number_quality, phone_number_name, account_alert,
    /// account_update, message_echo, history, app_state_sync, unknown; every
    /// kind but error carries `raw`).
    fn on_event(&self, event_json: String);
}

/// Verify a webhook body's signature, parse it and hand each event to `sink`
/// in order; returns how many events were delivered.
#[uniffi::export]
pub fn webhook_dispatch(
    app_secret: String,
    body: Vec<u8>,
    signature: Option<String>,
    sink: Arc<dyn EventSink>,
) -> Result<u32, WacrmError> {
    let verifier = wacrm::webhook::SignatureVerifier::new(app_secret);
    let events = wacrm::webhook::verify_and_parse(&verifier, &body, signature.as_deref())?;
    for e in &events {
        sink.on_event(json(e));
    }
    Ok(events.len() as u32)
}
