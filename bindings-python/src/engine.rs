//! Stores, scheduler and assignment handles over `wacrm-bindings-common`:
//! one native method per operation, named and parametered as there, each
//! returning a `NativePending` that the package runs blocking or awaited.
//! Arguments arrive as Python objects and are read into the core's types;
//! results leave the same way.

use std::sync::Arc;

use pyo3::prelude::*;
use wacrm_bindings_common as common;

use crate::bridge::{block_on, to_py_err};
use crate::client::NativeClient;
use crate::convert::{from_py, from_py_or_default, to_py};
use crate::pending::NativePending;

/// Stores opened by URL.
#[pyclass(name = "NativeStores", module = "wacrm._native", frozen)]
pub struct NativeStores {
    inner: common::Stores,
}

impl NativeStores {
    pub(crate) fn common(&self) -> &common::Stores {
        &self.inner
    }
}

#[pymethods]
impl NativeStores {
    /// Open the stores at `url` (`memory:`, `sqlite://PATH`, `postgres://...`).
    #[new]
    fn new(py: Python<'_>, url: &str) -> PyResult<Self> {
        let inner = block_on(py, common::Stores::open(url))?;
        Ok(NativeStores { inner })
    }

    fn contacts_import_csv(&self, args: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let a = from_py("args", args)?;
        let s = self.inner.clone();
        Ok(NativePending::new(
            async move { s.contacts_import_csv(a).await },
        ))
    }

    #[pyo3(signature = (config=None, merge=false))]
    fn contacts_dedupe(
        &self,
        config: Option<&Bound<'_, PyAny>>,
        merge: bool,
    ) -> PyResult<NativePending> {
        let cfg = from_py_or_default("config", config)?;
        let s = self.inner.clone();
        Ok(NativePending::new(async move {
            s.contacts_dedupe(cfg, merge).await
        }))
    }

    fn contact_get(&self, id: String) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.contact_get(id).await })
    }

    fn contact_find_by_phone(&self, phone: String) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.contact_find_by_phone(phone).await })
    }

    fn contact_upsert(&self, contact: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let c = from_py("contact", contact)?;
        let s = self.inner.clone();
        Ok(NativePending::new(async move { s.contact_upsert(c).await }))
    }

    fn segment_members(&self, segment: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let seg = from_py("segment", segment)?;
        let s = self.inner.clone();
        Ok(NativePending::new(
            async move { s.segment_members(seg).await },
        ))
    }

    fn conversations_open(&self) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.conversations_open().await })
    }

    fn messages_for_contact(&self, id: String) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.messages_for_contact(id).await })
    }

    fn outbox_stats(&self) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.outbox_stats().await })
    }

    #[pyo3(signature = (state=None, limit=100))]
    fn outbox_items(&self, state: Option<String>, limit: usize) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.outbox_items(state, limit).await })
    }

    #[pyo3(signature = (args=None))]
    fn report(&self, args: Option<&Bound<'_, PyAny>>) -> PyResult<NativePending> {
        let a = from_py_or_default("args", args)?;
        let s = self.inner.clone();
        Ok(NativePending::new(async move { s.report(a).await }))
    }

    #[pyo3(signature = (args=None, title="wacrm report".to_string()))]
    fn report_html(
        &self,
        args: Option<&Bound<'_, PyAny>>,
        title: String,
    ) -> PyResult<NativePending> {
        let a = from_py_or_default("args", args)?;
        let s = self.inner.clone();
        Ok(NativePending::new(
            async move { s.report_html(a, title).await },
        ))
    }

    #[pyo3(signature = (args=None))]
    fn report_csv(&self, args: Option<&Bound<'_, PyAny>>) -> PyResult<NativePending> {
        let a = from_py_or_default("args", args)?;
        let s = self.inner.clone();
        Ok(NativePending::new(async move { s.report_csv(a).await }))
    }

    fn webhook_ingest(&self, body: Vec<u8>) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.webhook_ingest(body).await })
    }
}

/// The send scheduler.
#[pyclass(name = "NativeScheduler", module = "wacrm._native", frozen)]
pub struct NativeScheduler {
    inner: Arc<common::Scheduler>,
}

impl NativeScheduler {
    pub(crate) fn common(&self) -> &common::Scheduler {
        &self.inner
    }
}

#[pymethods]
impl NativeScheduler {
    /// The send scheduler over `stores`, sending with `client`.
    #[new]
    fn new(
        py: Python<'_>,
        stores: &NativeStores,
        client: &NativeClient,
        settings: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let settings: common::SchedulerSettings = from_py("settings", settings)?;
        let (s, c) = (stores.inner.clone(), client.inner().clone());
        let inner = block_on(
            py,
            async move { common::Scheduler::new(&s, &c, settings).await },
        )?;
        Ok(NativeScheduler {
            inner: Arc::new(inner),
        })
    }

    fn enqueue(&self, message: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let m = from_py("message", message)?;
        let s = self.inner.clone();
        Ok(NativePending::new(async move { s.enqueue(m).await }))
    }

    fn run_once(&self) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.run_once().await })
    }

    fn run_until_idle(&self, horizon_ms: i64, timeout_ms: u64) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.run_until_idle(horizon_ms, timeout_ms).await })
    }

    fn recover(&self) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.recover().await })
    }

    fn stats(&self) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.stats().await })
    }
}

/// Conversation assignment.
#[pyclass(name = "NativeAssignment", module = "wacrm._native", frozen)]
pub struct NativeAssignment {
    inner: Arc<common::Assignment>,
}

#[pymethods]
impl NativeAssignment {
    /// Conversation assignment over `stores`.
    #[new]
    fn new(py: Python<'_>, stores: &NativeStores, settings: &Bound<'_, PyAny>) -> PyResult<Self> {
        let settings: common::AssignmentSettings = from_py("settings", settings)?;
        let s = stores.inner.clone();
        let inner = block_on(
            py,
            async move { common::Assignment::new(&s, settings).await },
        )?;
        Ok(NativeAssignment {
            inner: Arc::new(inner),
        })
    }

    fn upsert_agent(&self, agent: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let a = from_py("agent", agent)?;
        let s = self.inner.clone();
        Ok(NativePending::new(async move { s.upsert_agent(a).await }))
    }

    fn assign(&self, request: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let r = from_py("request", request)?;
        let s = self.inner.clone();
        Ok(NativePending::new(async move { s.assign(r).await }))
    }

    fn release(&self, conversation: String) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.release(conversation).await })
    }

    fn set_presence(&self, agent: String, presence: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let p = from_py("presence", presence)?;
        let s = self.inner.clone();
        Ok(NativePending::new(
            async move { s.set_presence(agent, p).await },
        ))
    }

    fn mark_responded(&self, conversation: String) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.mark_responded(conversation).await })
    }

    fn tick(&self) -> NativePending {
        let s = self.inner.clone();
        NativePending::new(async move { s.tick().await })
    }

    /// Open conversations per agent (read now).
    fn loads(&self) -> NativePending {
        let loads = self.inner.loads();
        NativePending::new(async move { Ok(loads) })
    }

    /// Conversations waiting for an agent (read now).
    fn queue_len(&self) -> NativePending {
        let n = self.inner.queue_len();
        NativePending::new(async move { Ok(n) })
    }
}

/// Dedupe or link CSV files without a store; the GIL is released.
#[pyfunction]
pub fn contacts_dedupe_csv(py: Python<'_>, args: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let a: common::DedupeCsvArgs = from_py("args", args)?;
    let out = py
        .detach(|| common::dedupe_csv(a))
        .map_err(|e| to_py_err(py, &e))?;
    to_py(py, &out)
}
