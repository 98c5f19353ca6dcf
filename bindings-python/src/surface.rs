//! The capability surface: phone, webhooks, sandbox. Values cross as
//! JSON (decoded to dicts in `wacrm/__init__.py`), errors as `ErrorDetails`.

use pyo3::prelude::*;

use crate::bridge::{block_on, details_json, to_py_err};
use crate::runtime;

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Parse one number; returns `PhoneInfo` as JSON or raises `ValidationError`.
#[pyfunction]
#[pyo3(signature = (input, region=None))]
pub fn phone_parse(py: Python<'_>, input: &str, region: Option<&str>) -> PyResult<String> {
    match wacrm::phone::parse(input, region) {
        Ok(p) => Ok(json(&p)),
        Err(e) => Err(to_py_err(py, &e.into())),
    }
}

/// Verify `X-Hub-Signature-256` over the raw body; raises `WebhookSignatureError`.
#[pyfunction]
#[pyo3(signature = (app_secret, body, signature=None))]
pub fn webhook_verify(
    py: Python<'_>,
    app_secret: &str,
    body: &[u8],
    signature: Option<&str>,
) -> PyResult<()> {
    wacrm::webhook::SignatureVerifier::new(app_secret)
        .verify(body, signature)
        .map_err(|e| to_py_err(py, &e))
}

/// An in-process Cloud API sandbox for tests and examples.
#[pyclass(name = "NativeSandbox", module = "wacrm._native", frozen)]
pub struct NativeSandbox {
    handle: wacrm_sandbox::SandboxHandle,
}

#[pymethods]
impl NativeSandbox {
    #[new]
    #[pyo3(signature = (webhook_url=None, app_secret=None, mps=None))]
    fn new(
        py: Python<'_>,
        webhook_url: Option<String>,
        app_secret: Option<String>,
        mps: Option<f64>,
    ) -> PyResult<Self> {
        let mut cfg = wacrm_sandbox::SandboxConfig::default().phone_number("106540352242922");
        if let Some(u) = webhook_url {
            cfg = cfg.webhook_url(u);
        }
        if let Some(s) = app_secret {
            cfg = cfg.app_secret(s);
        }
        if let Some(m) = mps {
            cfg = cfg.mps(m);
        }
        let handle = block_on(py, async move {
            wacrm_sandbox::Sandbox::start(cfg)
                .await
                .map_err(|e| wacrm::Error::Config(e.to_string()))
        })?;
        Ok(NativeSandbox { handle })
    }

    #[getter]
    fn base_url(&self) -> String {
        self.handle.base_url()
    }

    #[getter]
    fn access_token(&self) -> String {
        self.handle.access_token()
    }

    #[getter]
    fn waba_id(&self) -> String {
        self.handle.waba_id()
    }

    #[getter]
    fn phone_number_id(&self) -> String {
        self.handle.phone_number_id()
    }

    /// Inject faults (`error_rate`, `latency_ms`, `drop_rate`, ... as JSON).
    fn set_faults(&self, py: Python<'_>, faults_json: &str) -> PyResult<()> {
        let f: wacrm_sandbox::Faults =
            wacrm_bindings_common::args("faults", faults_json).map_err(|e| to_py_err(py, &e))?;
        self.handle.set_faults(f);
        Ok(())
    }

    /// Every accepted message (JSON list).
    fn ledger(&self) -> String {
        json(&self.handle.ledger())
    }

    /// Simulate a customer text message; returns its id.
    fn inbound_text(
        &self,
        py: Python<'_>,
        from_wa_id: &str,
        name: &str,
        body: &str,
    ) -> PyResult<String> {
        let number = self.phone_number_id();
        // Webhook delivery is spawned on the engine's runtime.
        let _guard = runtime::get().enter();
        self.handle
            .inbound(
                &number,
                from_wa_id,
                name,
                serde_json::json!({"type": "text", "text": {"body": body}}),
            )
            .map_err(|e| to_py_err(py, &wacrm::Error::Config(e)))
    }
}

/// `ErrorDetails` JSON of a validation error (used by the facade's tests of the mapping).
#[pyfunction]
pub fn validation_error_details(field: &str, message: &str) -> String {
    details_json(&wacrm::Error::validation(field, message))
}
