//! Access and audit (C13): the console over the stores and the sessions of
//! acting users, over `wacrm-bindings-common`. A refused action raises the
//! `FORBIDDEN` class (`wacrm.errors.ForbiddenError`).

use pyo3::prelude::*;
use wacrm_bindings_common as common;

use crate::bridge::{block_on, to_py_err};
use crate::convert::{from_py, to_py};
use crate::engine::{NativeScheduler, NativeStores};
use crate::pending::NativePending;

/// The console: sessions of acting users.
#[pyclass(name = "NativeConsole", module = "wacrm._native", frozen)]
pub struct NativeConsole {
    inner: common::Console,
}

#[pymethods]
impl NativeConsole {
    /// A console over `stores`; sends go through `scheduler` when given.
    #[new]
    #[pyo3(signature = (stores, scheduler=None))]
    fn new(stores: &NativeStores, scheduler: Option<&NativeScheduler>) -> Self {
        NativeConsole {
            inner: common::Console::new(stores.common(), scheduler.map(|s| s.common())),
        }
    }

    /// A session acting as `user_id` (blocking: it resolves the memberships).
    #[pyo3(signature = (user_id, client_id=None))]
    fn as_user(
        &self,
        py: Python<'_>,
        user_id: String,
        client_id: Option<String>,
    ) -> PyResult<NativeSession> {
        let c = self.inner.clone();
        let inner = block_on(py, async move { c.as_user(user_id, client_id).await })?;
        Ok(NativeSession { inner })
    }

    /// An operator session (every permission, audited as `operator:NAME`).
    fn operator(&self, name: String) -> NativeSession {
        NativeSession {
            inner: self.inner.operator(name),
        }
    }
}

/// One acting user's session: every call is checked and audited.
#[pyclass(name = "NativeSession", module = "wacrm._native", frozen)]
pub struct NativeSession {
    inner: common::Session,
}

macro_rules! pending {
    ($self:ident, |$s:ident| $body:expr) => {{
        let $s = $self.inner.clone();
        NativePending::new(async move { $body.await })
    }};
}

#[pymethods]
impl NativeSession {
    #[getter]
    fn actor(&self) -> String {
        self.inner.actor()
    }

    fn permissions(&self) -> Vec<String> {
        self.inner.permissions()
    }

    fn can(&self, py: Python<'_>, permission: &str) -> PyResult<bool> {
        self.inner.can(permission).map_err(|e| to_py_err(py, &e))
    }

    fn send(&self, message: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let m = from_py("message", message)?;
        Ok(pending!(self, |s| s.send(m)))
    }

    fn broadcast(
        &self,
        campaign_id: String,
        messages: &Bound<'_, PyAny>,
    ) -> PyResult<NativePending> {
        let ms = from_py("messages", messages)?;
        Ok(pending!(self, |s| s.broadcast(campaign_id, ms)))
    }

    fn list_conversations(&self) -> NativePending {
        pending!(self, |s| s.list_conversations())
    }

    fn export_contacts(&self, filter: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let f = from_py("filter", filter)?;
        Ok(pending!(self, |s| s.export_contacts(f)))
    }

    fn upsert_user(&self, user: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let u = from_py("user", user)?;
        Ok(pending!(self, |s| s.upsert_user(u)))
    }

    fn upsert_role(&self, role: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let r = from_py("role", role)?;
        Ok(pending!(self, |s| s.upsert_role(r)))
    }

    fn grant(&self, membership: &Bound<'_, PyAny>) -> PyResult<NativePending> {
        let m = from_py("membership", membership)?;
        Ok(pending!(self, |s| s.grant(m)))
    }

    fn revoke(&self, user_id: String, role: String) -> NativePending {
        pending!(self, |s| s.revoke(user_id, role))
    }

    fn list_users(&self) -> NativePending {
        pending!(self, |s| s.list_users())
    }

    fn list_roles(&self) -> NativePending {
        pending!(self, |s| s.list_roles())
    }

    fn audit_verify(&self) -> NativePending {
        pending!(self, |s| s.audit_verify())
    }

    #[pyo3(signature = (from_=None, to=None))]
    fn audit_entries(&self, from_: Option<i64>, to: Option<i64>) -> NativePending {
        pending!(self, |s| s.audit_entries(from_, to))
    }

    #[pyo3(signature = (path, format, from_=None, to=None))]
    fn audit_export(
        &self,
        path: String,
        format: String,
        from_: Option<i64>,
        to: Option<i64>,
    ) -> NativePending {
        pending!(self, |s| s.audit_export(path, format, from_, to))
    }
}

/// The preset roles.
#[pyfunction]
pub fn role_presets(py: Python<'_>) -> PyResult<Py<PyAny>> {
    to_py(py, &common::role_presets())
}

/// Every permission's wire name.
#[pyfunction]
pub fn permission_names() -> Vec<String> {
    common::permission_names()
}
