//! The in-process Cloud API sandbox, started as every binding starts it.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use wacrm_bindings_common as common;

use crate::convert::{from_js, js_error, js_result, wait};

/// How to start the sandbox; every field is optional.
#[napi(object)]
pub struct SandboxOptions {
    /// Where to deliver webhooks.
    pub webhook_url: Option<String>,
    /// The app secret that signs webhooks.
    pub app_secret: Option<String>,
    /// Messages per second per number before 130429.
    pub mps: Option<f64>,
}

/// In-process Cloud API sandbox (a real HTTP server on a free port).
#[napi]
pub struct NativeSandbox {
    handle: common::SandboxHandle,
}

#[napi]
impl NativeSandbox {
    #[napi(constructor)]
    pub fn new(env: Env, opts: Option<SandboxOptions>) -> Result<Self> {
        let o = opts.map_or_else(common::SandboxOptions::default, |o| {
            common::SandboxOptions {
                webhook_url: o.webhook_url,
                app_secret: o.app_secret,
                mps: o.mps,
            }
        });
        Ok(NativeSandbox {
            handle: wait(&env, common::start_sandbox(o))?,
        })
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.handle.base_url()
    }

    #[napi(getter)]
    pub fn access_token(&self) -> String {
        self.handle.access_token()
    }

    #[napi(getter)]
    pub fn waba_id(&self) -> String {
        self.handle.waba_id()
    }

    #[napi(getter)]
    pub fn phone_number_id(&self) -> String {
        self.handle.phone_number_id()
    }

    /// Every accepted message.
    #[napi(ts_return_type = "T.LedgerEntry[]")]
    pub fn ledger(&self, env: Env) -> Result<Value> {
        js_result(&env, Ok(self.handle.ledger()))
    }

    /// Inject faults; absent fields are off.
    #[napi(ts_args_type = "faults: Partial<T.Faults>")]
    pub fn set_faults(&self, env: Env, faults: Value) -> Result<()> {
        let f: common::Faults = from_js("faults", faults).map_err(|e| js_error(&env, &e))?;
        self.handle.set_faults(f);
        Ok(())
    }

    /// Simulate a customer text message; returns its id.
    #[napi]
    pub fn inbound_text(
        &self,
        env: Env,
        from_wa_id: String,
        name: String,
        body: String,
    ) -> Result<String> {
        within_runtime_if_available(|| {
            common::inbound_text(&self.handle, &from_wa_id, &name, &body)
        })
        .map_err(|e| js_error(&env, &e))
    }
}
