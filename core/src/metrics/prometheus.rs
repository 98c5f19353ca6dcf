//! The Prometheus endpoint (feature `prometheus`): install the recorder once
//! per process, then serve `GET /metrics` in the text exposition format.

use std::net::SocketAddr;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::store::Stores;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Latency buckets (seconds): from a loopback answer to a slow Graph call.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 600.0,
];

/// Install the Prometheus recorder as the process's metrics recorder (the
/// first call does; later calls return the same handle). Fails when another
/// recorder was installed first.
pub fn install() -> crate::Result<PrometheusHandle> {
    if let Some(h) = HANDLE.get() {
        return Ok(h.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
        .and_then(|b| b.install_recorder())
        .map_err(|e| crate::Error::validation("metrics", format!("recorder: {e}")))?;
    super::describe();
    Ok(HANDLE.get_or_init(|| handle).clone())
}

/// A running endpoint.
#[derive(Debug)]
pub struct MetricsServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl MetricsServer {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The scrape URL.
    pub fn url(&self) -> String {
        format!("http://{}/metrics", self.addr)
    }

    /// Stop serving.
    pub fn shutdown(self) {
        self.task.abort();
    }
}

/// Install the recorder (see [`install`]) and serve `GET /metrics` on
/// `addr` (port 0 picks one). With `stores`, each scrape first samples the
/// outbox's counts per state, so queue depth is current.
pub async fn serve(addr: SocketAddr, stores: Option<Stores>) -> crate::Result<MetricsServer> {
    let handle = install()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| crate::Error::validation("metrics_addr", format!("{addr}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| crate::Error::validation("metrics_addr", e.to_string()))?;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let (handle, stores) = (handle.clone(), stores.clone());
            async move {
                if let Some(s) = &stores
                    && let Ok(stats) = s.outbox.stats().await
                {
                    super::queue_depth(&stats);
                }
                (
                    [("content-type", "text/plain; version=0.0.4")],
                    handle.render(),
                )
            }
        }),
    );
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "metrics endpoint stopped");
        }
    });
    Ok(MetricsServer { addr, task })
}
