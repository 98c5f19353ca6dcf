//! The engine's own tokio runtime: servers and long work run here whatever
//! executor the caller awaits from, so there is never "no reactor running".

use std::sync::OnceLock;

use crate::WacrmError;

pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wacrm")
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// Run `fut` on the engine's runtime and await it from any executor.
pub(crate) async fn on_runtime<T, F>(fut: F) -> Result<T, WacrmError>
where
    T: Send + 'static,
    F: std::future::Future<Output = wacrm::Result<T>> + Send + 'static,
{
    match runtime().spawn(fut).await {
        Ok(r) => r.map_err(Into::into),
        Err(e) => Err(wacrm::Error::Config(format!("engine task failed: {e}")).into()),
    }
}

/// Run blocking work (file reads, CPU-bound matching) off the async threads.
pub(crate) async fn on_blocking<T, F>(f: F) -> Result<T, WacrmError>
where
    T: Send + 'static,
    F: FnOnce() -> wacrm::Result<T> + Send + 'static,
{
    match runtime().spawn_blocking(f).await {
        Ok(r) => r.map_err(Into::into),
        Err(e) => Err(wacrm::Error::Config(format!("engine task failed: {e}")).into()),
    }
}
