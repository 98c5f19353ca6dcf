//! Automation (C9): a rules file (a bad one throws `ConfigError` naming its
//! line) and the engine that evaluates messages with its state and reads and
//! writes contacts' tags and segments.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use wacrm_bindings_common as common;

use crate::convert::{js_error, js_result, promise, wait};
use crate::stores::NativeStores;

/// Where the engine keeps its state and how it reads times.
#[napi(object)]
pub struct AutomationSettings {
    /// `memory:` (the default), `sqlite://PATH` or `postgres://...`.
    pub state_url: Option<String>,
    /// IANA zone replacing the business hours' own.
    pub tz: Option<String>,
}

/// One message, as `wacrm automation test` reads a line.
#[napi(object)]
pub struct AutomationMessage {
    /// Body or caption.
    pub text: String,
    /// The contact's WhatsApp id (or a stored contact's id).
    pub wa_id: String,
    /// Epoch ms; now when absent.
    pub at: Option<i64>,
    /// `in` (the default) or `out`.
    #[napi(ts_type = "'in' | 'out'")]
    pub direction: Option<String>,
    /// The contact's profile name.
    pub name: Option<String>,
    /// Who wrote it (`contact` for `in`, `agent` for `out` when absent).
    #[napi(ts_type = "'contact' | 'agent' | 'automation' | 'bot'")]
    pub origin: Option<String>,
    /// The contact's language tag (`es`, `pt_BR`, ...).
    pub lang: Option<String>,
}

/// A parsed rules file.
#[napi]
pub struct NativeRules {
    inner: common::Rules,
}

#[napi]
impl NativeRules {
    /// Parse a rules file's text (`ConfigError` naming the line when refused).
    #[napi(factory)]
    pub fn parse(env: Env, text: String) -> Result<Self> {
        let inner = common::Rules::parse(&text).map_err(|e| js_error(&env, &e))?;
        Ok(NativeRules { inner })
    }

    /// Read and parse a rules file.
    #[napi(factory)]
    pub fn load(env: Env, path: String) -> Result<Self> {
        let inner = common::Rules::load(&path).map_err(|e| js_error(&env, &e))?;
        Ok(NativeRules { inner })
    }

    /// `null` when the text loads, otherwise the line and reason it is refused with.
    #[napi(ts_return_type = "T.RulesProblem | null")]
    pub fn check(env: Env, text: String) -> Result<Value> {
        js_result(&env, Ok(common::Rules::check(&text)))
    }

    /// Rule ids in evaluation order, timers, time zone, sensitive words.
    #[napi(ts_return_type = "T.RulesInfo")]
    pub fn info(&self, env: Env) -> Result<Value> {
        js_result(&env, Ok(self.inner.info()))
    }
}

/// The rules compiled over their state; contacts in the given stores (in memory when absent).
#[napi]
pub struct NativeAutomation {
    inner: common::Automation,
}

#[napi]
impl NativeAutomation {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        rules: &NativeRules,
        stores: Option<&NativeStores>,
        settings: Option<AutomationSettings>,
    ) -> Result<Self> {
        let settings = settings
            .map(|s| common::AutomationSettings {
                state_url: s.state_url,
                tz: s.tz,
            })
            .unwrap_or_default();
        let fut = common::Automation::new(&rules.inner, stores.map(|s| &s.inner), settings);
        Ok(NativeAutomation {
            inner: wait(&env, fut)?,
        })
    }

    /// Evaluate one message and keep the state it changes.
    #[napi(ts_return_type = "Promise<T.Evaluation>")]
    pub fn evaluate<'env>(
        &self,
        env: &'env Env,
        message: AutomationMessage,
    ) -> Result<PromiseRaw<'env, Value>> {
        let m = common::AutomationMessage {
            text: message.text,
            wa_id: message.wa_id,
            at: message.at,
            direction: message.direction,
            name: message.name,
            origin: message.origin,
            lang: message.lang,
        };
        let a = self.inner.clone();
        promise(env, async move { a.evaluate(m).await })
    }

    /// Rule ids whose keywords match `text` (no state, no conditions).
    #[napi(ts_return_type = "string[]")]
    pub fn matching_rules(&self, text: String) -> Vec<String> {
        self.inner.matching_rules(&text)
    }

    /// A contact's tags (by wa_id or contact id).
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn contact_tags<'env>(
        &self,
        env: &'env Env,
        contact: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let a = self.inner.clone();
        promise(env, async move { a.contact_tags(contact).await })
    }

    /// Replace a contact's tags; resolves with the tags stored.
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn set_contact_tags<'env>(
        &self,
        env: &'env Env,
        contact: String,
        tags: Vec<String>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let a = self.inner.clone();
        promise(env, async move { a.set_contact_tags(contact, tags).await })
    }

    /// The lifecycle segments automation keeps for a contact.
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn contact_segments<'env>(
        &self,
        env: &'env Env,
        contact: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let a = self.inner.clone();
        promise(env, async move { a.contact_segments(contact).await })
    }

    /// The scheduled lifecycle pass at `at` (epoch ms; now when absent).
    #[napi(ts_return_type = "Promise<T.SegmentChange[]>")]
    pub fn lifecycle_pass<'env>(
        &self,
        env: &'env Env,
        at: Option<i64>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let a = self.inner.clone();
        promise(env, async move { a.lifecycle_pass(at).await })
    }

    /// Pending no-reply timers of `contact` (wa_id or contact id), or of
    /// everyone when absent; earliest first.
    #[napi(ts_return_type = "Promise<T.Timer[]>")]
    pub fn timers<'env>(
        &self,
        env: &'env Env,
        contact: Option<String>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let a = self.inner.clone();
        promise(env, async move { a.timers(contact).await })
    }

    /// Arm rules timer `timerId` for `contact`, due its delay after `at`
    /// (epoch ms; now when absent); an id the rules do not define rejects
    /// with `ValidationError`.
    #[napi(ts_return_type = "Promise<T.Timer>")]
    pub fn arm_timer<'env>(
        &self,
        env: &'env Env,
        timer_id: String,
        contact: String,
        conversation: Option<String>,
        at: Option<i64>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let a = self.inner.clone();
        promise(env, async move {
            a.arm_timer(&timer_id, &contact, conversation, at).await
        })
    }

    /// Cancel every pending timer of `contact`; resolves with how many.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn cancel_timers<'env>(
        &self,
        env: &'env Env,
        contact: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let a = self.inner.clone();
        promise(env, async move { a.cancel_timers(contact).await })
    }

    /// Run the timers due at `at` (epoch ms; now when absent), each once;
    /// tags they set are written to the contact.
    #[napi(ts_return_type = "Promise<T.TimerFired[]>")]
    pub fn run_due_timers<'env>(
        &self,
        env: &'env Env,
        at: Option<i64>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let a = self.inner.clone();
        promise(env, async move { a.run_due_timers(at).await })
    }
}
