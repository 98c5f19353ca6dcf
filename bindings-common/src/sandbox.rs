//! The in-process Cloud API sandbox every binding offers for tests and
//! examples, started the same way everywhere.

use serde::{Deserialize, Serialize};
use wacrm::{Error, Result};
pub use wacrm_sandbox::{Faults, LedgerEntry, SandboxHandle};

/// The business phone number id the bindings' sandbox serves.
pub const SANDBOX_PHONE_NUMBER_ID: &str = "106540352242922";

/// How to start a binding's sandbox; every field is optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SandboxOptions {
    /// Where to deliver webhooks.
    pub webhook_url: Option<String>,
    /// The app secret that signs webhooks.
    pub app_secret: Option<String>,
    /// Messages per second per number before 130429.
    pub mps: Option<f64>,
}

/// Start a sandbox on a free loopback port. Call inside a tokio runtime.
pub async fn start_sandbox(o: SandboxOptions) -> Result<SandboxHandle> {
    let mut cfg = wacrm_sandbox::SandboxConfig::default().phone_number(SANDBOX_PHONE_NUMBER_ID);
    if let Some(u) = o.webhook_url {
        cfg = cfg.webhook_url(u);
    }
    if let Some(s) = o.app_secret {
        cfg = cfg.app_secret(s);
    }
    if let Some(m) = o.mps {
        cfg = cfg.mps(m);
    }
    wacrm_sandbox::Sandbox::start(cfg)
        .await
        .map_err(|e| Error::Config(e.to_string()))
}

/// A customer writes `body` to the sandbox's number; the inbound message id.
/// Webhook delivery is spawned, so call inside a tokio runtime context.
pub fn inbound_text(h: &SandboxHandle, from_wa_id: &str, name: &str, body: &str) -> Result<String> {
    h.inbound(
        &h.phone_number_id(),
        from_wa_id,
        name,
        serde_json::json!({"type": "text", "text": {"body": body}}),
    )
    .map_err(Error::Config)
}
