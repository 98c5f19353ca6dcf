//! Client, stores, scheduler and assignment handles: each has `call_async` (an
//! awaitable) and `call_blocking` (GIL released) over `wacrm-bindings-common`,
//! which holds the operations.

use std::sync::Arc;

use pyo3::prelude::*;
use wacrm_bindings_common as common;

use crate::bridge::{block_on, spawn_async};
use crate::runtime;

/// An awaitable of `fut`'s JSON answer.
pub(crate) fn awaitable<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: std::future::Future<Output = wacrm::Result<String>> + Send + 'static,
{
    spawn_async(py, fut, |py, s| {
        Ok(s.into_pyobject(py)?.into_any().unbind())
    })
}

/// A handle class: its constructor plus the two `call` methods every handle has.
macro_rules! handle {
    ($ty:ident, $name:literal, $inner:ty, { $($ctor:tt)* }) => {
        #[pyclass(name = $name, module = "wacrm._native", frozen)]
        pub struct $ty {
            inner: $inner,
        }

        #[pymethods]
        impl $ty {
            $($ctor)*

            /// Run an operation by name; awaitable of the JSON answer.
            fn call_async<'py>(
                &self,
                py: Python<'py>,
                op: String,
                args_json: String,
            ) -> PyResult<Bound<'py, PyAny>> {
                let s = self.inner.clone();
                awaitable(py, async move { s.call(&op, &args_json).await })
            }

            /// Run an operation by name, blocking with the GIL released.
            fn call_blocking(&self, py: Python<'_>, op: &str, args_json: &str) -> PyResult<String> {
                block_on(py, self.inner.call(op, args_json))
            }
        }
    };
}

handle!(NativeClient, "NativeClient", common::Client, {
    /// A client for `base_url` (the Graph host when `None`); operations by name
    /// (`send`, `upload_media`, `list_templates`, ...).
    #[new]
    #[pyo3(signature = (access_token, base_url=None, api_version=None))]
    fn new(
        py: Python<'_>,
        access_token: String,
        base_url: Option<String>,
        api_version: Option<String>,
    ) -> PyResult<Self> {
        // The HTTP client needs a runtime context when it is built.
        let _guard = runtime::get().enter();
        common::Client::new(access_token, base_url, api_version)
            .map(|inner| NativeClient { inner })
            .map_err(|e| crate::bridge::to_py_err(py, &e))
    }
});

handle!(NativeStores, "NativeStores", common::Stores, {
    /// Open the stores at `url` (`memory:`, `sqlite://PATH`, `postgres://...`).
    #[new]
    fn new(py: Python<'_>, url: &str) -> PyResult<Self> {
        let inner = block_on(py, common::Stores::open(url))?;
        Ok(NativeStores { inner })
    }
});

handle!(
    NativeScheduler,
    "NativeScheduler",
    Arc<common::Scheduler>,
    {
        /// The send scheduler over `stores`, sending with `client`.
        #[new]
        fn new(
            py: Python<'_>,
            stores: &NativeStores,
            client: &NativeClient,
            config_json: &str,
        ) -> PyResult<Self> {
            let (s, c) = (stores.inner.clone(), client.inner.clone());
            let inner = block_on(py, async move {
                common::Scheduler::from_json(&s, &c, config_json).await
            })?;
            Ok(NativeScheduler {
                inner: Arc::new(inner),
            })
        }
    }
);

handle!(
    NativeAssignment,
    "NativeAssignment",
    Arc<common::Assignment>,
    {
        /// Conversation assignment over `stores`.
        #[new]
        fn new(py: Python<'_>, stores: &NativeStores, config_json: &str) -> PyResult<Self> {
            let s = stores.inner.clone();
            let inner = block_on(py, async move {
                common::Assignment::from_json(&s, config_json).await
            })?;
            Ok(NativeAssignment {
                inner: Arc::new(inner),
            })
        }
    }
);

/// Dedupe or link CSV files without a store (arguments as JSON: `paths`,
/// `map`, `id_column`, `region`, `link`, `config`); the GIL is released.
#[pyfunction]
pub fn contacts_dedupe_csv(py: Python<'_>, args_json: &str) -> PyResult<String> {
    py.detach(|| common::json_ops::dedupe_csv_json(args_json))
        .map_err(|e| crate::bridge::to_py_err(py, &e))
}
