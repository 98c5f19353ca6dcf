//! The in-process Cloud API sandbox for tests and examples, started by
//! `wacrm-bindings-common` the same way in every binding.

use std::sync::Arc;

use wacrm_bindings_common::{self as common, Faults, LedgerEntry, SandboxHandle, SandboxOptions};

use crate::WacrmError;
use crate::runtime::runtime;
use crate::values::Json;

/// How to start a sandbox; every field is optional.
#[uniffi::remote(Record)]
pub struct SandboxOptions {
    /// Where to deliver webhooks.
    #[uniffi(default = None)]
    pub webhook_url: Option<String>,
    /// The app secret that signs webhooks.
    #[uniffi(default = None)]
    pub app_secret: Option<String>,
    /// Messages per second per number before 130429.
    #[uniffi(default = None)]
    pub mps: Option<f64>,
}

/// Faults the sandbox injects (rates in 0..=1).
#[uniffi::remote(Record)]
pub struct Faults {
    #[uniffi(default = 0.0)]
    pub error_rate: f64,
    #[uniffi(default = 0)]
    pub latency_ms: u64,
    #[uniffi(default = 0.0)]
    pub drop_rate: f64,
    #[uniffi(default = 0.0)]
    pub drop_after_accept_rate: f64,
    #[uniffi(default = 0.0)]
    pub duplicate_webhook_rate: f64,
    #[uniffi(default = 0.0)]
    pub out_of_order_rate: f64,
}

/// One message the sandbox accepted (or refused).
#[uniffi::remote(Record)]
pub struct LedgerEntry {
    pub seq: u64,
    pub id: String,
    pub phone_number_id: String,
    pub to: String,
    pub recipient: String,
    pub msg_type: String,
    /// The request body as sent.
    pub body: Json,
    pub idempotency_key: Option<String>,
    pub callback_data: Option<String>,
    pub accepted_at_ms: i64,
    pub outcome: String,
}

/// An in-process Cloud API sandbox on a free loopback port.
#[derive(uniffi::Object)]
pub struct Sandbox {
    handle: SandboxHandle,
}

#[uniffi::export]
impl Sandbox {
    /// Start a sandbox.
    #[uniffi::constructor]
    pub fn new(options: SandboxOptions) -> Result<Arc<Self>, WacrmError> {
        let handle = runtime().block_on(common::start_sandbox(options))?;
        Ok(Arc::new(Sandbox { handle }))
    }

    /// Base URL to give the client.
    pub fn base_url(&self) -> String {
        self.handle.base_url()
    }

    /// The token the sandbox accepts.
    pub fn access_token(&self) -> String {
        self.handle.access_token()
    }

    /// The business account id.
    pub fn waba_id(&self) -> String {
        self.handle.waba_id()
    }

    /// The sandbox's business number.
    pub fn phone_number_id(&self) -> String {
        self.handle.phone_number_id()
    }

    /// Every message the sandbox saw, in order.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.handle.ledger()
    }

    /// Inject faults.
    pub fn set_faults(&self, faults: Faults) {
        self.handle.set_faults(faults);
    }

    /// Simulate a customer text message; returns its id.
    pub fn inbound_text(
        &self,
        from_wa_id: String,
        name: String,
        body: String,
    ) -> Result<String, WacrmError> {
        let _guard = runtime().enter();
        Ok(common::inbound_text(
            &self.handle,
            &from_wa_id,
            &name,
            &body,
        )?)
    }
}
