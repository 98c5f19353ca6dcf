//! A local stand-in of HubSpot's CRM v3 contacts API for tests and demos: a
//! real axum HTTP server with HubSpot's documented paths and JSON shapes
//! (`batch/upsert` by a unique `idProperty`, `batch/update`, `batch/read`,
//! `search` by `lastmodifieddate` with `after` paging and the 10,000-result
//! cap), unique-property semantics (`email` and the configured unique
//! properties), `lastmodifieddate` updates, validation errors (an invalid
//! email fails its batch with `VALIDATION_ERROR` naming that record), the
//! rolling 10-second limit and the search limit with the
//! `X-HubSpot-RateLimit-*` headers, fault injection, a control endpoint to
//! edit records as a CRM user would, and a count of requests that went over
//! the limit.
//!
//! It shares no types with the `wacrm` connector: requests are read as plain
//! JSON, as HubSpot documents them, so a connector mistake shows up here
//! instead of being mirrored on both sides.

mod routes;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use serde::Serialize;

/// Settings of the stand-in.
#[derive(Clone, Debug)]
pub struct StandinConfig {
    /// Host to listen on.
    pub host: String,
    /// Port (0: any free port).
    pub port: u16,
    /// Bearer token clients must send.
    pub token: String,
    /// Requests per rolling 10 s (HubSpot OAuth apps: 100).
    pub requests_per_10s: u32,
    /// Search requests per second (HubSpot: 4).
    pub search_per_s: u32,
    /// Unique properties besides `email` (usable as `idProperty`).
    pub unique_properties: Vec<String>,
    /// Injected faults: HTTP status and probability per request.
    pub faults: Vec<(u16, f64)>,
}

impl Default for StandinConfig {
    fn default() -> Self {
        StandinConfig {
            host: "127.0.0.1".into(),
            port: 0,
            token: "standin-token".into(),
            requests_per_10s: 100,
            search_per_s: 4,
            unique_properties: vec!["wacrm_id".into()],
            faults: Vec::new(),
        }
    }
}

impl StandinConfig {
    /// Parse `--fault 429=0.05`.
    pub fn parse_fault(s: &str) -> Result<(u16, f64), String> {
        let (code, p) = s
            .split_once('=')
            .ok_or_else(|| format!("fault {s:?}: expected STATUS=PROBABILITY, e.g. 429=0.05"))?;
        let code: u16 = code
            .trim()
            .parse()
            .map_err(|_| format!("fault {s:?}: bad status"))?;
        let p: f64 = p
            .trim()
            .parse()
            .map_err(|_| format!("fault {s:?}: bad probability"))?;
        if !(code == 429 || (500..600).contains(&code)) || !(0.0..=1.0).contains(&p) {
            return Err(format!(
                "fault {s:?}: status must be 429 or 5xx and probability within 0..1"
            ));
        }
        Ok((code, p))
    }

    /// Parse `--burst 100/10s`.
    pub fn parse_burst(s: &str) -> Result<u32, String> {
        let n = s.strip_suffix("/10s").unwrap_or(s);
        n.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("burst {s:?}: expected N/10s, e.g. 100/10s"))
    }
}

/// Counters a test can assert on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StandinStats {
    /// API requests received (control endpoint excluded).
    pub requests: u64,
    /// Requests refused because they went over the limit.
    pub over_limit: u64,
    /// Faults injected.
    pub faults: u64,
    /// Contacts stored.
    pub records: u64,
}

/// A running stand-in.
pub struct Standin {
    addr: SocketAddr,
    state: Arc<state::State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Standin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Standin").field("addr", &self.addr).finish()
    }
}

impl Standin {
    /// Bind and serve in the background.
    pub async fn start(cfg: StandinConfig) -> std::io::Result<Standin> {
        let listener = tokio::net::TcpListener::bind((cfg.host.as_str(), cfg.port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(state::State::new(cfg));
        let app = routes::router(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Standin {
            addr,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://host:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Counters.
    pub fn stats(&self) -> StandinStats {
        self.state.stats()
    }

    /// Every stored contact as HubSpot would return it (all properties).
    pub fn records(&self) -> Vec<serde_json::Value> {
        self.state.all()
    }

    /// Edit a contact as a CRM user would (an empty value clears).
    pub fn edit(&self, id: &str, props: &[(&str, &str)]) -> Option<serde_json::Value> {
        let map = props
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
            .collect();
        self.state.edit(id, &map)
    }

    /// Change the fault probabilities while running.
    pub fn set_faults(&self, faults: Vec<(u16, f64)>) {
        self.state.set_faults(faults);
    }

    /// Stop serving.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}
