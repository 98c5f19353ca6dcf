//! Webhook events and phone rows as Python objects built here, not JSON: a
//! JSON round trip per body cost more than the whole Rust parse. Events are
//! typed objects with the common fields as attributes; the full event is
//! converted to a dict only when indexed like one (`event["content"]`).

use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyDict, PyList, PyString};
use wacrm::webhook::{SignatureVerifier, WebhookEvent};

use crate::bridge::to_py_err;

/// One webhook event.
#[pyclass(name = "NativeEvent", module = "wacrm._native", frozen, freelist = 64)]
pub struct NativeEvent {
    inner: WebhookEvent,
    dict: OnceLock<Py<PyAny>>,
}

impl NativeEvent {
    fn new(inner: WebhookEvent) -> Self {
        NativeEvent {
            inner,
            dict: OnceLock::new(),
        }
    }

    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<&Bound<'py, PyAny>> {
        if self.dict.get().is_none() {
            let text = serde_json::to_string(&self.inner).unwrap_or_else(|_| "{}".into());
            let d = py.import("json")?.call_method1("loads", (text,))?.unbind();
            let _ = self.dict.set(d);
        }
        Ok(self.dict.get().expect("set above").bind(py))
    }
}

#[pymethods]
impl NativeEvent {
    /// `message`, `status`, `error`, `call`, `call_status`,
    /// `template_status`, `template_quality`, `template_category`,
    /// `phone_number_quality`, `phone_number_name`, `account_alert`,
    /// `account_update`, `message_echo`, `history`, `app_state_sync` or
    /// `unknown`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    /// The message id (inbound message or the outbound message of a status).
    #[getter]
    fn id(&self) -> Option<&str> {
        match &self.inner {
            WebhookEvent::Message(m) => Some(m.id.as_str()),
            WebhookEvent::Status(s) => Some(s.id.as_str()),
            _ => None,
        }
    }

    /// The business number (`metadata.phone_number_id`): route on this.
    #[getter]
    fn phone_number_id(&self) -> Option<&str> {
        self.inner.phone_number_id()
    }

    /// The customer: sender wa_id of a message, recipient of a status.
    #[getter]
    fn wa_id(&self) -> Option<&str> {
        match &self.inner {
            WebhookEvent::Message(m) => m.from.as_deref(),
            WebhookEvent::Status(s) => s.recipient_id.as_deref(),
            _ => None,
        }
    }

    /// Business-scoped user id of the customer.
    #[getter]
    fn user_id(&self) -> Option<&str> {
        match &self.inner {
            WebhookEvent::Message(m) => m.from_user_id.as_deref(),
            WebhookEvent::Status(s) => s.recipient_user_id.as_deref(),
            _ => None,
        }
    }

    /// Unix seconds.
    #[getter]
    fn timestamp(&self) -> Option<i64> {
        match &self.inner {
            WebhookEvent::Message(m) => Some(m.timestamp),
            WebhookEvent::Status(s) => Some(s.timestamp),
            _ => None,
        }
    }

    /// The message `type` (`text`, `image`, `interactive`, ...).
    #[getter]
    fn message_type(&self) -> Option<&str> {
        match &self.inner {
            WebhookEvent::Message(m) => Some(m.content.type_name()),
            _ => None,
        }
    }

    /// The text a person would read (body, caption, button title).
    #[getter]
    fn text(&self) -> Option<&str> {
        match &self.inner {
            WebhookEvent::Message(m) => m.content.text(),
            _ => None,
        }
    }

    /// The sender's profile name.
    #[getter]
    fn profile_name(&self) -> Option<&str> {
        match &self.inner {
            WebhookEvent::Message(m) => m.contact.as_ref().and_then(|c| c.name.as_deref()),
            _ => None,
        }
    }

    /// `sent`, `delivered`, `read`, `played`, `failed` (statuses).
    #[getter]
    fn status(&self) -> Option<&str> {
        match &self.inner {
            WebhookEvent::Status(s) => Some(s.status.as_str()),
            _ => None,
        }
    }

    /// The object as received, every field kept.
    #[getter]
    fn raw(&self) -> Option<&str> {
        self.inner.raw().map(|r| r.get())
    }

    /// The whole event as JSON.
    fn to_json(&self) -> String {
        serde_json::to_string(&self.inner).unwrap_or_else(|_| "{}".into())
    }

    /// The whole event as a dict (built on first use).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.as_dict(py)?.clone())
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        self.as_dict(py)?.get_item(key)
    }

    fn __contains__(&self, py: Python<'_>, key: &str) -> PyResult<bool> {
        self.as_dict(py)?.contains(key)
    }

    fn __repr__(&self) -> String {
        match self.id() {
            Some(id) => format!("Event(kind={:?}, id={id:?})", self.kind()),
            None => format!("Event(kind={:?})", self.kind()),
        }
    }
}

fn events_list<'py>(py: Python<'py>, events: Vec<WebhookEvent>) -> PyResult<Bound<'py, PyList>> {
    PyList::new(
        py,
        events
            .into_iter()
            .map(|e| Py::new(py, NativeEvent::new(e)))
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

/// Normalize many inputs on all cores with the GIL released; one dict per
/// input (`input`, `e164`, `region`, `type`, `valid`, `wa_id`, `error`).
/// The inputs are read in place (no copy) and each dict's `input` is the
/// caller's own string object.
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
    let keys = [
        pyo3::intern!(py, "input"),
        pyo3::intern!(py, "e164"),
        pyo3::intern!(py, "region"),
        pyo3::intern!(py, "type"),
        pyo3::intern!(py, "valid"),
        pyo3::intern!(py, "wa_id"),
        pyo3::intern!(py, "error"),
    ];
    let out = PyList::empty(py);
    for (r, input) in rows.into_iter().zip(&inputs) {
        let d = PyDict::new(py);
        d.set_item(keys[0], input)?;
        d.set_item(keys[1], r.e164)?;
        d.set_item(keys[2], r.region)?;
        d.set_item(keys[3], r.number_type)?;
        d.set_item(keys[4], r.valid)?;
        d.set_item(keys[5], r.wa_id)?;
        d.set_item(keys[6], r.error)?;
        out.append(d)?;
    }
    Ok(out)
}
