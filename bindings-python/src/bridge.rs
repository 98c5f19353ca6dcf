//! Moving results and errors across: asyncio futures resolved from tokio tasks,
//! blocking calls that release the GIL, and `wacrm::Error` → Python exception.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use pyo3::prelude::*;
use pyo3::types::PyAny;

use crate::runtime;

/// `ErrorDetails` of an error as a dict.
pub fn details_dict<'py>(py: Python<'py>, e: &wacrm::Error) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, &e.details())
        .map_err(|err| pyo3::exceptions::PyRuntimeError::new_err(err.to_string()))
}

/// Build the matching `wacrm.errors` exception.
pub fn to_py_err(py: Python<'_>, e: &wacrm::Error) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let errors = py.import("wacrm.errors")?;
        let exc = errors
            .getattr("from_details")?
            .call1((details_dict(py, e)?,))?;
        Ok(PyErr::from_value(exc))
    })();
    made.unwrap_or_else(|err| err)
}

// Engine threads call into Python only to resolve asyncio futures. Once the
// interpreter starts finalizing, a thread that takes the GIL is torn down
// under our frames (a crash seen when a script ends right after its last
// await). An atexit hook therefore stops new callbacks and waits for the ones
// in flight; a callback counts itself in before it looks at the flag.
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Registered with `atexit`: no engine thread enters Python after this returns.
#[pyfunction]
pub fn _shutdown(py: Python<'_>) {
    SHUTTING_DOWN.store(true, Ordering::SeqCst);
    py.detach(|| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    });
}

/// Run `fut` on the runtime and return an asyncio future for the running loop.
/// Must be called from a coroutine (the Python facade wraps it in `async def`).
pub fn spawn_async<'py, T, F, C>(py: Python<'py>, fut: F, convert: C) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + 'static,
    F: Future<Output = wacrm::Result<T>> + Send + 'static,
    C: FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let asyncio = py.import("asyncio")?;
    let event_loop = asyncio.getattr("get_running_loop")?.call0()?;
    let py_future = event_loop.call_method0("create_future")?;
    let resolve = py.import("wacrm._aio")?.getattr("resolve")?.unbind();
    let loop_ref = event_loop.unbind();
    let fut_ref = py_future.clone().unbind();
    runtime::get().spawn(async move {
        let out = fut.await;
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        if SHUTTING_DOWN.load(Ordering::SeqCst) {
            // Nobody can await any more; the Python references are left alone.
            std::mem::forget((loop_ref, fut_ref, resolve));
            IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
            return;
        }
        Python::attach(|py| {
            let (ok, value) = match out {
                Ok(v) => match convert(py, v) {
                    Ok(obj) => (true, obj),
                    Err(e) => (false, e.into_value(py).into_any()),
                },
                Err(e) => (false, to_py_err(py, &e).into_value(py).into_any()),
            };
            // call_soon_threadsafe: the future belongs to the loop's thread.
            if let Err(e) =
                loop_ref.call_method1(py, "call_soon_threadsafe", (resolve, fut_ref, ok, value))
            {
                // The loop is closed; nobody is waiting any more.
                e.print(py);
            }
        });
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    });
    Ok(py_future)
}

/// Run `fut` to completion on the runtime with the GIL released.
pub fn block_on<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    T: Send,
    F: Future<Output = wacrm::Result<T>> + Send,
{
    let out = py.detach(|| runtime::get().block_on(fut));
    out.map_err(|e| to_py_err(py, &e))
}
