//! CRM field mapping and sync (C8): mappings, the HubSpot sync engine and the
//! in-process HubSpot stand-in.

use std::collections::HashMap;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use wacrm_bindings_common as common;

use crate::convert::{from_js, js_error, js_result, promise, wait};
use crate::stores::NativeStores;

/// How to reach HubSpot; only `token` is required.
#[napi(object)]
pub struct HubSpotSettings {
    /// Access token (never logged).
    pub token: String,
    /// API root (HubSpot's public API when absent; a stand-in's `url` in tests).
    pub base_url: Option<String>,
    /// The name sync state is kept under (`hubspot`).
    pub name: Option<String>,
    /// Inputs per batch call (HubSpot: at most 100).
    pub batch_size: Option<u32>,
}

/// A field mapping between contacts and CRM properties.
#[napi]
pub struct NativeMapping {
    inner: common::CrmMapping,
}

#[napi]
impl NativeMapping {
    /// Parse a mapping file's text (`ConfigError` naming the line when refused).
    #[napi(factory)]
    pub fn parse(env: Env, text: String) -> Result<Self> {
        let inner = common::CrmMapping::parse(&text).map_err(|e| js_error(&env, &e))?;
        Ok(NativeMapping { inner })
    }

    /// Read and parse a mapping file.
    #[napi(factory)]
    pub fn load(env: Env, path: String) -> Result<Self> {
        let inner = common::CrmMapping::load(&path).map_err(|e| js_error(&env, &e))?;
        Ok(NativeMapping { inner })
    }

    /// `null` when the text loads, otherwise the line and reason it is refused with.
    #[napi(ts_return_type = "T.MappingProblem | null")]
    pub fn check(env: Env, text: String) -> Result<Value> {
        js_result(&env, Ok(common::CrmMapping::check(&text)))
    }

    /// Identity rules and fields.
    #[napi(ts_return_type = "T.MappingInfo")]
    pub fn info(&self, env: Env) -> Result<Value> {
        js_result(&env, Ok(self.inner.info()))
    }

    /// The CRM properties a push would write (`""` clears; the identity property included).
    #[napi(
        ts_args_type = "contact: T.ContactInput",
        ts_return_type = "Record<string, string>"
    )]
    pub fn to_crm(&self, env: Env, contact: Value) -> Result<Value> {
        let r = from_js("contact", contact).and_then(|c| self.inner.to_crm(&c));
        js_result(&env, r)
    }

    /// `contact` with the CRM `properties` a pull would apply.
    #[napi(
        ts_args_type = "contact: T.ContactInput, properties: Record<string, string>",
        ts_return_type = "T.Contact"
    )]
    pub fn from_crm(
        &self,
        env: Env,
        contact: Value,
        properties: HashMap<String, String>,
    ) -> Result<Value> {
        let r = from_js("contact", contact)
            .and_then(|c| self.inner.from_crm(c, properties.into_iter().collect()));
        js_result(&env, r)
    }
}

/// A sync engine between the stores' contacts and HubSpot.
#[napi]
pub struct NativeCrmSync {
    inner: common::CrmSync,
}

#[napi]
impl NativeCrmSync {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        stores: &NativeStores,
        mapping: &NativeMapping,
        settings: HubSpotSettings,
    ) -> Result<Self> {
        let s = common::HubSpotSettings {
            token: settings.token,
            base_url: settings.base_url,
            name: settings.name,
            batch_size: settings.batch_size,
        };
        let inner = common::CrmSync::hubspot(&stores.inner, &mapping.inner, s)
            .map_err(|e| js_error(&env, &e))?;
        Ok(NativeCrmSync { inner })
    }

    /// Push local changes since the last push (every contact the first time).
    #[napi(ts_return_type = "Promise<T.PushReport>")]
    pub fn push<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.push().await })
    }

    /// Pull CRM changes since the stored cursor into contacts.
    #[napi(ts_return_type = "Promise<T.PullReport>")]
    pub fn pull<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.pull().await })
    }

    /// Pull, then push.
    #[napi(ts_return_type = "Promise<T.SyncReport>")]
    pub fn sync<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.sync().await })
    }

    /// Every discrepancy recorded (both values, the decision).
    #[napi(ts_return_type = "Promise<T.Discrepancy[]>")]
    pub fn discrepancies<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.discrepancies().await })
    }

    /// Attempts, successes, rejections by code, latency, per field.
    #[napi(ts_return_type = "T.HealthSnapshot")]
    pub fn health(&self, env: Env) -> Result<Value> {
        js_result(&env, Ok(self.inner.health()))
    }
}

/// A HubSpot CRM v3 stand-in on a free loopback port.
#[napi]
pub struct NativeCrmStandin {
    inner: common::CrmStandin,
    token: String,
}

#[napi]
impl NativeCrmStandin {
    /// Start one accepting `token` (`standin-token` when absent).
    #[napi(constructor)]
    pub fn new(env: Env, token: Option<String>) -> Result<Self> {
        let token = token.unwrap_or_else(|| "standin-token".into());
        let inner = wait(&env, common::CrmStandin::start(token.clone()))?;
        Ok(NativeCrmStandin { inner, token })
    }

    /// The `baseUrl` of a HubSpot sync.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.inner.url()
    }

    /// The token it accepts.
    #[napi(getter)]
    pub fn token(&self) -> String {
        self.token.clone()
    }

    /// Every contact it holds.
    #[napi(ts_return_type = "T.StandinRecord[]")]
    pub fn records(&self, env: Env) -> Result<Value> {
        js_result(&env, Ok(self.inner.records()))
    }

    /// Change a record as a CRM user would (`""` clears); `null` when absent.
    #[napi(ts_return_type = "T.StandinRecord | null")]
    pub fn edit(&self, env: Env, id: String, properties: HashMap<String, String>) -> Result<Value> {
        js_result(
            &env,
            Ok(self.inner.edit(&id, properties.into_iter().collect())),
        )
    }

    /// Requests, refusals over the limit, faults, records.
    #[napi(ts_return_type = "T.StandinStats")]
    pub fn stats(&self, env: Env) -> Result<Value> {
        js_result(&env, Ok(self.inner.stats()))
    }
}
