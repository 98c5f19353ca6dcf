//! Automation (C9) over `wacrm-bindings-common`: a rules file (a bad one
//! raises `ConfigError` naming its line), and the engine that evaluates
//! messages with its state and reads and writes contacts' tags and segments.

use pyo3::prelude::*;
use wacrm_bindings_common as common;

use crate::bridge::{block_on, to_py_err};
use crate::convert::{from_py, from_py_or_default, to_py};
use crate::engine::NativeStores;
use crate::pending::NativePending;

/// A parsed rules file.
#[pyclass(name = "NativeRules", module = "wacrm._native", frozen)]
pub struct NativeRules {
    inner: common::Rules,
}

#[pymethods]
impl NativeRules {
    /// Parse a rules file's text.
    #[staticmethod]
    fn parse(py: Python<'_>, text: &str) -> PyResult<Self> {
        let inner = common::Rules::parse(text).map_err(|e| to_py_err(py, &e))?;
        Ok(NativeRules { inner })
    }

    /// Read and parse a rules file.
    #[staticmethod]
    fn load(py: Python<'_>, path: &str) -> PyResult<Self> {
        let inner = common::Rules::load(path).map_err(|e| to_py_err(py, &e))?;
        Ok(NativeRules { inner })
    }

    /// `None` when the text loads, otherwise the line and reason.
    #[staticmethod]
    fn check(py: Python<'_>, text: &str) -> PyResult<Py<PyAny>> {
        to_py(py, &common::Rules::check(text))
    }

    fn info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &self.inner.info())
    }
}

/// The rules compiled over their state.
#[pyclass(name = "NativeAutomation", module = "wacrm._native", frozen)]
pub struct NativeAutomation {
    inner: common::Automation,
}

#[pymethods]
impl NativeAutomation {
    /// Compile `rules` (blocking: a SQL state store is opened and migrated).
    #[new]
    #[pyo3(signature = (rules, stores=None, settings=None))]
    fn new(
        py: Python<'_>,
        rules: &NativeRules,
        stores: Option<&NativeStores>,
        settings: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let settings = from_py_or_default("settings", settings)?;
        let stores = stores.map(|s| s.common().clone());
        let rules = &rules.inner;
        let inner = block_on(py, async move {
            common::Automation::new(rules, stores.as_ref(), settings).await
        })?;
        Ok(NativeAutomation { inner })
    }

    fn evaluate(&self, message: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let m = from_py("message", message)?;
        let a = self.inner.clone();
        Ok(NativePending::new(async move { a.evaluate(m).await }))
    }

    fn matching_rules(&self, text: &str) -> Vec<String> {
        self.inner.matching_rules(text)
    }

    fn contact_tags(&self, contact: String) -> NativePending {
        let a = self.inner.clone();
        NativePending::new(async move { a.contact_tags(contact).await })
    }

    fn set_contact_tags(&self, contact: String, tags: Vec<String>) -> NativePending {
        let a = self.inner.clone();
        NativePending::new(async move { a.set_contact_tags(contact, tags).await })
    }

    fn contact_segments(&self, contact: String) -> NativePending {
        let a = self.inner.clone();
        NativePending::new(async move { a.contact_segments(contact).await })
    }

    #[pyo3(signature = (at=None))]
    fn lifecycle_pass(&self, at: Option<i64>) -> NativePending {
        let a = self.inner.clone();
        NativePending::new(async move { a.lifecycle_pass(at).await })
    }

    #[pyo3(signature = (contact=None))]
    fn timers(&self, contact: Option<String>) -> NativePending {
        let a = self.inner.clone();
        NativePending::new(async move { a.timers(contact).await })
    }

    #[pyo3(signature = (timer_id, contact, conversation=None, at=None))]
    fn arm_timer(
        &self,
        timer_id: String,
        contact: String,
        conversation: Option<String>,
        at: Option<i64>,
    ) -> NativePending {
        let a = self.inner.clone();
        NativePending::new(async move { a.arm_timer(&timer_id, &contact, conversation, at).await })
    }

    fn cancel_timers(&self, contact: String) -> NativePending {
        let a = self.inner.clone();
        NativePending::new(async move { a.cancel_timers(contact).await })
    }

    #[pyo3(signature = (at=None))]
    fn run_due_timers(&self, at: Option<i64>) -> NativePending {
        let a = self.inner.clone();
        NativePending::new(async move { a.run_due_timers(at).await })
    }
}
