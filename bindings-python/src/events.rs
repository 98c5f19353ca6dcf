//! Webhook events and phone rows as Python objects built here, not JSON.
//! An event stays the core's value until Python reads it: `kind` and `raw`
//! come straight from it, and the first other field read converts the event
//! once to plain Python objects (its serde form, `raw` as the object's JSON
//! text), which the `wacrm` package types. Phone rows are native records.

use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyList, PyString};
use wacrm::webhook::{SignatureVerifier, WebhookEvent};

use crate::bridge::to_py_err;
use crate::convert::to_py;

/// One parsed webhook event.
#[pyclass(name = "NativeEvent", module = "wacrm._native", frozen, freelist = 64)]
pub struct NativeEvent {
    inner: WebhookEvent,
    fields: OnceLock<Py<PyAny>>,
}

#[pymethods]
impl NativeEvent {
    /// The event's kind (`message`, `status`, ... `unknown`).
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    /// The object as received (JSON text); `None` for error events.
    #[getter]
    fn raw(&self) -> Option<&str> {
        self.inner.raw().map(|r| r.get())
    }

    /// The event's fields as plain Python objects (converted once).
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.fields.get().is_none() {
            let obj = to_py(py, &self.inner)?;
            if let Some(raw) = self.inner.raw() {
                // serde writes a raw value as a marker struct; the text itself is the passthrough.
                obj.bind(py).set_item(pyo3::intern!(py, "raw"), raw.get())?;
            }
            let _ = self.fields.set(obj);
        }
        Ok(self.fields.get().expect("set above").bind(py).clone())
    }
}

fn events_list<'py>(py: Python<'py>, events: Vec<WebhookEvent>) -> PyResult<Bound<'py, PyList>> {
    PyList::new(
        py,
        events
            .into_iter()
            .map(|inner| {
                Py::new(
                    py,
                    NativeEvent {
                        inner,
                        fields: OnceLock::new(),
                    },
                )
            })
            .collect::<PyResult<Vec<_>>>()?,
    )
}

/// The events keep the Python `bytes` object alive and read their raw JSON
/// from it: the body is never copied.
fn shared(body: PyBackedBytes) -> bytes::Bytes {
    bytes::Bytes::from_owner(body)
}

/// Parse a webhook body into events; never fails on unknown types.
#[pyfunction]
pub fn webhook_parse<'py>(py: Python<'py>, body: PyBackedBytes) -> PyResult<Bound<'py, PyList>> {
    match wacrm::webhook::parse_bytes(shared(body)) {
        Ok(events) => events_list(py, events),
        Err(e) => Err(to_py_err(py, &e)),
    }
}

/// A verifier keyed once with the app secret (never shown in repr).
#[pyclass(name = "NativeVerifier", module = "wacrm._native", frozen)]
pub struct NativeVerifier {
    inner: SignatureVerifier,
}

#[pymethods]
impl NativeVerifier {
    #[new]
    fn new(app_secret: &str) -> Self {
        NativeVerifier {
            inner: SignatureVerifier::new(app_secret),
        }
    }

    /// Raise `WebhookSignatureError` unless `signature` matches `body`.
    #[pyo3(signature = (body, signature=None))]
    fn verify(&self, py: Python<'_>, body: &[u8], signature: Option<&str>) -> PyResult<()> {
        self.inner
            .verify(body, signature)
            .map_err(|e| to_py_err(py, &e))
    }

    /// Verify, then parse.
    #[pyo3(signature = (body, signature=None))]
    fn verify_and_parse<'py>(
        &self,
        py: Python<'py>,
        body: PyBackedBytes,
        signature: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        match wacrm::webhook::verify_and_parse_bytes(&self.inner, shared(body), signature) {
            Ok(events) => events_list(py, events),
            Err(e) => Err(to_py_err(py, &e)),
        }
    }

    fn __repr__(&self) -> &'static str {
        "Verifier(secret=[redacted])"
    }
}

/// One input of `phone_normalize`: its E.164 form, region, type and WhatsApp
/// id, or why it is not a number.
#[pyclass(name = "NormalizedPhone", module = "wacrm._native", frozen, get_all)]
pub struct NormalizedPhone {
    /// The caller's own string object.
    input: Py<PyString>,
    e164: Option<String>,
    region: Option<String>,
    number_type: Option<String>,
    valid: bool,
    wa_id: Option<String>,
    error: Option<String>,
}

#[pymethods]
impl NormalizedPhone {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "NormalizedPhone(input={:?}, e164={:?}, valid={}, error={:?})",
            self.input.bind(py).to_string(),
            self.e164,
            self.valid,
            self.error
        )
    }
}

/// Normalize many inputs on all cores with the GIL released; one
/// `NormalizedPhone` per input. The inputs are read in place (no copy).
#[pyfunction]
#[pyo3(signature = (inputs, region=None))]
pub fn phone_normalize<'py>(
    py: Python<'py>,
    inputs: Vec<Bound<'py, PyString>>,
    region: Option<String>,
) -> PyResult<Bound<'py, PyList>> {
    let texts = inputs
        .iter()
        .map(|s| s.to_str())
        .collect::<PyResult<Vec<&str>>>()?;
    let rows = py.detach(|| wacrm::phone::normalize_lines(&texts, region.as_deref()));
    let out = PyList::empty(py);
    for (r, input) in rows.into_iter().zip(&inputs) {
        out.append(Py::new(
            py,
            NormalizedPhone {
                input: input.clone().unbind(),
                e164: r.e164,
                region: r.region,
                number_type: r.number_type,
                valid: r.valid,
                wa_id: r.wa_id,
                error: r.error,
            },
        )?)?;
    }
    Ok(out)
}
