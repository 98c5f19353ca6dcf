//! Node binding of wacrm: translation only. Errors carry the core's
//! `ErrorDetails` as JSON in their message prefix; `index.js` turns them into
//! `WacrmError` subclasses (async napi functions cannot carry custom codes).

use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Prefix that marks a structured error payload in a napi error message.
const DETAILS_PREFIX: &str = "WACRM_ERROR_DETAILS:";

/// Convert a core error into a napi error whose message carries `ErrorDetails`.
pub(crate) fn to_napi_err(e: &wacrm::Error) -> Error {
    let json = serde_json::to_string(&e.details()).unwrap_or_else(|_| "{}".into());
    Error::new(Status::GenericFailure, format!("{DETAILS_PREFIX}{json}"))
}

/// Classify a Graph API error body; returns `ErrorDetails` as JSON, or null
/// when the body is not an error envelope.
#[napi]
pub fn graph_error_details(
    body: String,
    http_status: u32,
    retry_after_ms: Option<u32>,
) -> Option<String> {
    let graph = wacrm::GraphError::from_body(body.as_bytes())?;
    let err = wacrm::Error::from_graph(
        graph,
        http_status as u16,
        retry_after_ms.map(|ms| std::time::Duration::from_millis(ms as u64)),
    );
    Some(serde_json::to_string(&err.details()).unwrap_or_default())
}

/// Throw the classified error for a Graph API error body (sync path).
#[napi]
pub fn raise_graph_error(body: String, http_status: u32) -> Result<()> {
    match wacrm::GraphError::from_body(body.as_bytes()) {
        Some(g) => Err(to_napi_err(&wacrm::Error::from_graph(
            g,
            http_status as u16,
            None,
        ))),
        None => Ok(()),
    }
}

/// The stable error codes, in `ErrorKind` order.
#[napi]
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
#[napi]
pub fn phone_parse(input: String, region: Option<String>) -> Result<String> {
    wacrm::phone::parse(&input, region.as_deref())
        .map(|p| json(&p))
        .map_err(|e| to_napi_err(&e.into()))
}

/// Normalize many numbers on all cores; rows as JSON (bad rows carry `error`).
#[napi]
pub fn phone_normalize(inputs: Vec<String>, region: Option<String>) -> String {
    json(&wacrm::phone::normalize_lines(&inputs, region.as_deref()))
}

/// Verify `X-Hub-Signature-256` over the raw body bytes.
#[napi]
pub fn webhook_verify(app_secret: String, body: Buffer, signature: Option<String>) -> Result<()> {
    wacrm::webhook::SignatureVerifier::new(app_secret)
        .verify(&body, signature.as_deref())
        .map_err(|e| to_napi_err(&e))
}

/// Verify `X-Hub-Signature-256` and parse in one pass (JSON list of events):
/// no events unless the signature matches.
#[napi]
pub fn webhook_verify_and_parse(
    app_secret: String,
    body: Buffer,
    signature: Option<String>,
) -> Result<String> {
    let verifier = wacrm::webhook::SignatureVerifier::new(app_secret);
    wacrm::webhook::verify_and_parse(&verifier, &body, signature.as_deref())
        .map(|events| json(&events))
        .map_err(|e| to_napi_err(&e))
}

/// Parse a webhook body into events (JSON list); never fails on unknown types.
#[napi]
pub fn webhook_parse(body: Buffer) -> Result<String> {
    wacrm::webhook::parse_body(&body)
        .map(|events| json(&events))
        .map_err(|e| to_napi_err(&e))
}

// ---------- engine handles: the operations live in wacrm-bindings-common ----------

use std::sync::Arc;

use napi::bindgen_prelude::block_on;
use wacrm_bindings_common as common;

fn napi_result<T>(r: wacrm::Result<T>) -> Result<T> {
    r.map_err(|e| to_napi_err(&e))
}

/// The Cloud API client; `call` runs an operation by name with JSON arguments.
#[napi]
pub struct NativeClient {
    inner: common::Client,
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(
        access_token: String,
        base_url: Option<String>,
        api_version: Option<String>,
    ) -> Result<Self> {
        // The HTTP client needs a runtime context when it is built.
        let built = napi::bindgen_prelude::within_runtime_if_available(|| {
            common::Client::new(access_token, base_url, api_version)
        });
        Ok(NativeClient {
            inner: napi_result(built)?,
        })
    }

    /// Run a client operation (`send`, `upload_media`, `list_templates`, ...).
    #[napi]
    pub async fn call(&self, op: String, args_json: String) -> Result<String> {
        napi_result(self.inner.call(&op, &args_json).await)
    }
}

/// An in-process Cloud API sandbox for tests and examples.
#[napi]
pub struct NativeSandbox {
    handle: wacrm_sandbox::SandboxHandle,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SandboxArgs {
    webhook_url: Option<String>,
    app_secret: Option<String>,
    mps: Option<f64>,
}

#[napi]
impl NativeSandbox {
    /// Start on a free port; `config_json`: `webhook_url`, `app_secret`, `mps`.
    #[napi(constructor)]
    pub fn new(config_json: Option<String>) -> Result<Self> {
        let a: SandboxArgs = napi_result(common::args(
            "sandbox",
            config_json.as_deref().unwrap_or("{}"),
        ))?;
        let mut cfg = wacrm_sandbox::SandboxConfig::default().phone_number("106540352242922");
        if let Some(u) = a.webhook_url {
            cfg = cfg.webhook_url(u);
        }
        if let Some(s) = a.app_secret {
            cfg = cfg.app_secret(s);
        }
        if let Some(m) = a.mps {
            cfg = cfg.mps(m);
        }
        let handle = block_on(wacrm_sandbox::Sandbox::start(cfg))
            .map_err(|e| to_napi_err(&wacrm::Error::Config(e.to_string())))?;
        Ok(NativeSandbox { handle })
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.handle.base_url()
    }

    #[napi(getter)]
    pub fn access_token(&self) -> String {
        self.handle.access_token()
    }

    #[napi(getter)]
    pub fn waba_id(&self) -> String {
        self.handle.waba_id()
    }

    #[napi(getter)]
    pub fn phone_number_id(&self) -> String {
        self.handle.phone_number_id()
    }

    /// Every accepted message (JSON list).
    #[napi]
    pub fn ledger(&self) -> String {
        json(&self.handle.ledger())
    }

    /// Inject faults (`error_rate`, `latency_ms`, ... as JSON).
    #[napi]
    pub fn set_faults(&self, faults_json: String) -> Result<()> {
        let f: wacrm_sandbox::Faults = napi_result(common::args("faults", &faults_json))?;
        self.handle.set_faults(f);
        Ok(())
    }

    /// Simulate a customer text message; returns its id.
    #[napi]
    pub fn inbound_text(&self, from_wa_id: String, name: String, body: String) -> Result<String> {
        let number = self.phone_number_id();
        napi::bindgen_prelude::within_runtime_if_available(|| {
            self.handle.inbound(
                &number,
                &from_wa_id,
                &name,
                serde_json::json!({"type": "text", "text": {"body": body}}),
            )
        })
        .map_err(|e| to_napi_err(&wacrm::Error::Config(e)))
    }
}

/// Stores opened by URL (`memory:`, `sqlite://PATH`, `postgres://...`).
#[napi]
pub struct NativeStores {
    inner: common::Stores,
}

#[napi]
impl NativeStores {
    #[napi(constructor)]
    pub fn new(url: String) -> Result<Self> {
        Ok(NativeStores {
            inner: napi_result(block_on(common::Stores::open(&url)))?,
        })
    }

    /// Run a store operation (`contacts_import_csv`, `segment_members`, ...).
    #[napi]
    pub async fn call(&self, op: String, args_json: String) -> Result<String> {
        napi_result(self.inner.call(&op, &args_json).await)
    }
}

/// The send scheduler.
#[napi]
pub struct NativeScheduler {
    inner: Arc<common::Scheduler>,
}

#[napi]
impl NativeScheduler {
    #[napi(constructor)]
    pub fn new(stores: &NativeStores, client: &NativeClient, config_json: String) -> Result<Self> {
        let inner = block_on(common::Scheduler::from_json(
            &stores.inner,
            &client.inner,
            &config_json,
        ));
        Ok(NativeScheduler {
            inner: Arc::new(napi_result(inner)?),
        })
    }

    /// Run a scheduler operation (`enqueue`, `run_until_idle`, `stats`, ...).
    #[napi]
    pub async fn call(&self, op: String, args_json: String) -> Result<String> {
        napi_result(self.inner.call(&op, &args_json).await)
    }
}

/// Conversation assignment over the stores.
#[napi]
pub struct NativeAssignment {
    inner: Arc<common::Assignment>,
}

#[napi]
impl NativeAssignment {
    #[napi(constructor)]
    pub fn new(stores: &NativeStores, config_json: String) -> Result<Self> {
        let inner = block_on(common::Assignment::from_json(&stores.inner, &config_json));
        Ok(NativeAssignment {
            inner: Arc::new(napi_result(inner)?),
        })
    }

    /// Run an assignment operation (`upsert_agent`, `assign`, `release`, ...).
    #[napi]
    pub async fn call(&self, op: String, args_json: String) -> Result<String> {
        napi_result(self.inner.call(&op, &args_json).await)
    }
}

/// Dedupe or link CSV files without a store (arguments as JSON: `paths`, `map`,
/// `id_column`, `region`, `link`, `config`).
#[napi]
pub async fn contacts_dedupe_csv(args_json: String) -> Result<String> {
    let r = napi::bindgen_prelude::spawn_blocking(move || {
        common::json_ops::dedupe_csv_json(&args_json)
    })
    .await
    .map_err(|e| Error::from_reason(e.to_string()))?;
    napi_result(r)
}
