//! CRM field mapping and sync (C8) over `wacrm-bindings-common`: mappings,
//! the HubSpot sync engine and the in-process HubSpot stand-in.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use wacrm_bindings_common as common;

use crate::bridge::{block_on, to_py_err};
use crate::convert::{from_py, to_py};
use crate::engine::NativeStores;
use crate::pending::NativePending;

/// A field mapping between contacts and CRM properties.
#[pyclass(name = "NativeMapping", module = "wacrm._native", frozen)]
pub struct NativeMapping {
    inner: common::CrmMapping,
}

#[pymethods]
impl NativeMapping {
    /// Parse a mapping file's text (`ConfigError` naming the line when refused).
    #[staticmethod]
    fn parse(py: Python<'_>, text: &str) -> PyResult<Self> {
        let inner = common::CrmMapping::parse(text).map_err(|e| to_py_err(py, &e))?;
        Ok(NativeMapping { inner })
    }

    /// Read and parse a mapping file.
    #[staticmethod]
    fn load(py: Python<'_>, path: &str) -> PyResult<Self> {
        let inner = common::CrmMapping::load(path).map_err(|e| to_py_err(py, &e))?;
        Ok(NativeMapping { inner })
    }

    /// `None` when the text loads, otherwise the line and reason.
    #[staticmethod]
    fn check(py: Python<'_>, text: &str) -> PyResult<Py<PyAny>> {
        to_py(py, &common::CrmMapping::check(text))
    }

    fn info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &self.inner.info())
    }

    fn to_crm(&self, py: Python<'_>, contact: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let c = from_py("contact", contact)?;
        let props = self.inner.to_crm(&c).map_err(|e| to_py_err(py, &e))?;
        to_py(py, &props)
    }

    // The name is the operation's in every binding (parity list): "apply CRM values".
    #[allow(clippy::wrong_self_convention)]
    fn from_crm(
        &self,
        py: Python<'_>,
        contact: &Bound<'_, PyAny>,
        properties: BTreeMap<String, String>,
    ) -> PyResult<Py<PyAny>> {
        let c = from_py("contact", contact)?;
        let out = self
            .inner
            .from_crm(c, properties)
            .map_err(|e| to_py_err(py, &e))?;
        to_py(py, &out)
    }
}

/// A sync engine between the stores' contacts and HubSpot.
#[pyclass(name = "NativeCrmSync", module = "wacrm._native", frozen)]
pub struct NativeCrmSync {
    inner: common::CrmSync,
}

#[pymethods]
impl NativeCrmSync {
    #[new]
    fn new(
        py: Python<'_>,
        stores: &NativeStores,
        mapping: &NativeMapping,
        settings: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let s: common::HubSpotSettings = from_py("settings", settings)?;
        let inner = common::CrmSync::hubspot(stores.common(), &mapping.inner, s)
            .map_err(|e| to_py_err(py, &e))?;
        Ok(NativeCrmSync { inner })
    }

    fn push(&self) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.push().await })
    }

    fn pull(&self) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.pull().await })
    }

    fn sync(&self) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.sync().await })
    }

    fn discrepancies(&self) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.discrepancies().await })
    }

    /// Read now.
    fn health(&self) -> NativePending {
        let h = self.inner.health();
        NativePending::new(async move { Ok(h) })
    }
}

/// The HubSpot stand-in on a free loopback port.
#[pyclass(name = "NativeCrmStandin", module = "wacrm._native", frozen)]
pub struct NativeCrmStandin {
    inner: common::CrmStandin,
}

#[pymethods]
impl NativeCrmStandin {
    #[new]
    #[pyo3(signature = (token="standin-token".to_string()))]
    fn new(py: Python<'_>, token: String) -> PyResult<Self> {
        let inner = block_on(py, common::CrmStandin::start(token))?;
        Ok(NativeCrmStandin { inner })
    }

    #[getter]
    fn url(&self) -> String {
        self.inner.url()
    }

    fn records(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &self.inner.records())
    }

    fn edit(
        &self,
        py: Python<'_>,
        id: &str,
        properties: BTreeMap<String, String>,
    ) -> PyResult<Py<PyAny>> {
        to_py(py, &self.inner.edit(id, properties))
    }

    fn stats(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &self.inner.stats())
    }
}
