//! One native object per started operation, run either way: `wait()` blocks
//! with the GIL released, `start()` returns an asyncio future. Each native
//! method is written once and the package's blocking and async classes share
//! it (see `wacrm/_ops.py`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use serde::Serialize;

use crate::bridge::{block_on, spawn_async};
use crate::convert::to_py;

/// Builds the Python value once the GIL is held again.
type Convert = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;
type Job = Pin<Box<dyn Future<Output = wacrm::Result<Convert>> + Send>>;

/// An operation not yet run.
#[pyclass(name = "NativePending", module = "wacrm._native", frozen)]
pub struct NativePending {
    job: Mutex<Option<Job>>,
}

impl NativePending {
    /// Wrap `fut`; its value crosses as plain Python objects.
    pub fn new<T, F>(fut: F) -> Self
    where
        T: Serialize + Send + 'static,
        F: Future<Output = wacrm::Result<T>> + Send + 'static,
    {
        let job: Job = Box::pin(async move {
            let v = fut.await?;
            Ok(Box::new(move |py: Python<'_>| to_py(py, &v)) as Convert)
        });
        NativePending {
            job: Mutex::new(Some(job)),
        }
    }

    fn take(&self) -> PyResult<Job> {
        self.job
            .lock()
            .map_err(|_| PyRuntimeError::new_err("operation state poisoned"))?
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this operation already ran"))
    }
}

#[pymethods]
impl NativePending {
    /// Run to completion, blocking with the GIL released.
    fn wait(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let job = self.take()?;
        block_on(py, job)?(py)
    }

    /// Run on the engine's runtime; an asyncio future of the running loop.
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let job = self.take()?;
        spawn_async(py, job, |py, convert| convert(py))
    }
}
