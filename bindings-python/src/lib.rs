//! Python binding of wacrm: translation only. Values cross as Python objects
//! (never JSON text) and the `wacrm` package gives them their typed classes;
//! errors cross as `ErrorDetails` and become the exception classes of
//! `wacrm/errors.py`; async calls run on one fork-safe tokio runtime and
//! resolve asyncio futures.

use pyo3::prelude::*;

mod access;
mod automation;
mod bridge;
mod client;
mod convert;
mod crm;
mod engine;
mod events;
mod pending;
mod runtime;
mod surface;

/// Classify a Graph API error body; `None` when the body is not an error envelope.
/// Returns the `ErrorDetails` (typed by `wacrm.errors`).
#[pyfunction]
#[pyo3(signature = (body, http_status, retry_after_ms=None))]
fn graph_error_details<'py>(
    py: Python<'py>,
    body: &[u8],
    http_status: u16,
    retry_after_ms: Option<u64>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(graph) = wacrm::GraphError::from_body(body) else {
        return Ok(None);
    };
    let err = wacrm::Error::from_graph(
        graph,
        http_status,
        retry_after_ms.map(std::time::Duration::from_millis),
    );
    bridge::details_dict(py, &err).map(Some)
}

/// The stable error codes, in `ErrorKind` order.
#[pyfunction]
fn error_codes() -> Vec<&'static str> {
    wacrm::ErrorKind::ALL.iter().map(|k| k.code()).collect()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(graph_error_details, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(surface::phone_parse, m)?)?;
    m.add_function(wrap_pyfunction!(events::phone_normalize, m)?)?;
    m.add_function(wrap_pyfunction!(surface::webhook_verify, m)?)?;
    m.add_function(wrap_pyfunction!(events::webhook_parse, m)?)?;
    m.add_function(wrap_pyfunction!(surface::validation_error_details, m)?)?;
    m.add_function(wrap_pyfunction!(surface::policy_defaults, m)?)?;
    m.add_class::<client::NativeClient>()?;
    m.add_class::<surface::NativeSandbox>()?;
    m.add_class::<events::NativeEvent>()?;
    m.add_class::<events::NativeVerifier>()?;
    m.add_class::<engine::NativeStores>()?;
    m.add_class::<engine::NativeScheduler>()?;
    m.add_class::<engine::NativeAssignment>()?;
    m.add_class::<pending::NativePending>()?;
    m.add_class::<access::NativeConsole>()?;
    m.add_class::<crm::NativeMapping>()?;
    m.add_class::<crm::NativeCrmSync>()?;
    m.add_class::<crm::NativeCrmStandin>()?;
    m.add_class::<access::NativeSession>()?;
    m.add_class::<automation::NativeRules>()?;
    m.add_class::<automation::NativeAutomation>()?;
    m.add_function(wrap_pyfunction!(access::role_presets, m)?)?;
    m.add_function(wrap_pyfunction!(access::permission_names, m)?)?;
    m.add_class::<events::NormalizedPhone>()?;
    m.add_function(wrap_pyfunction!(engine::contacts_dedupe_csv, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    let shutdown = wrap_pyfunction!(bridge::_shutdown, m)?;
    m.py()
        .import("atexit")?
        .call_method1("register", (shutdown,))?;
    Ok(())
}
