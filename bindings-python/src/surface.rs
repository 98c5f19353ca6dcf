//! The capability surface: phone, webhooks, sandbox. Values cross as Python
//! objects (typed by the `wacrm` package), errors as `ErrorDetails`.

use pyo3::prelude::*;
use wacrm_bindings_common as common;

use crate::bridge::{block_on, details_dict, to_py_err};
use crate::convert::{from_py_or_default, to_py};
use crate::runtime;

/// Parse one number; its `PhoneInfo`, or raises `ValidationError`.
#[pyfunction]
#[pyo3(signature = (input, region=None))]
pub fn phone_parse(py: Python<'_>, input: &str, region: Option<&str>) -> PyResult<Py<PyAny>> {
    match wacrm::phone::parse(input, region) {
        Ok(p) => to_py(py, &p),
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
    handle: common::SandboxHandle,
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
        let options = common::SandboxOptions {
            webhook_url,
            app_secret,
            mps,
        };
        let handle = block_on(py, common::start_sandbox(options))?;
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

    /// Inject faults (the fields of the sandbox's `Faults`; absent ones are 0).
    #[pyo3(signature = (faults=None))]
    fn set_faults(&self, faults: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let f: common::Faults = from_py_or_default("faults", faults)?;
        self.handle.set_faults(f);
        Ok(())
    }

    /// Every accepted message.
    fn ledger(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &self.handle.ledger())
    }

    /// Simulate a customer text message; returns its id.
    fn inbound_text(
        &self,
        py: Python<'_>,
        from_wa_id: &str,
        name: &str,
        body: &str,
    ) -> PyResult<String> {
        // Webhook delivery is spawned on the engine's runtime.
        let _guard = runtime::get().enter();
        common::inbound_text(&self.handle, from_wa_id, name, body).map_err(|e| to_py_err(py, &e))
    }
}

/// `ErrorDetails` of a validation error (used by the tests of the mapping).
#[pyfunction]
pub fn validation_error_details<'py>(
    py: Python<'py>,
    field: &str,
    message: &str,
) -> PyResult<Bound<'py, PyAny>> {
    details_dict(py, &wacrm::Error::validation(field, message))
}

/// The core's default send policies; the package's `PolicyConfig` defaults
/// mirror them and a test keeps the two equal.
#[pyfunction]
pub fn policy_defaults(py: Python<'_>) -> PyResult<Py<PyAny>> {
    to_py(py, &wacrm::scheduler::PolicyConfig::default())
}
