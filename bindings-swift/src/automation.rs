//! Automation (C9): a rules file (a bad one is `WacrmError.Config` naming its
//! line; `rules_check` gives the line and reason), and the engine that
//! evaluates messages with its state, with actions as a Swift enum.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use wacrm::automation::{ActionOut, Evaluation, SegmentChange, Skipped, Timer, TimerFired};
use wacrm_bindings_common::{
    self as common, AutomationMessage, AutomationSettings, RulesInfo, RulesProblem,
};

use crate::WacrmError;
use crate::runtime::{on_runtime, runtime};
use crate::store::Stores;
use crate::values::StringSet;

/// A time as RFC 3339 text (UTC), as the other bindings show it.
pub type UtcTime = DateTime<Utc>;

uniffi::custom_type!(UtcTime, String, {
    remote,
    lower: |t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
    try_lift: |s| Ok(DateTime::parse_from_rfc3339(&s)?.with_timezone(&Utc)),
});

/// Why a rules file is refused: the line (0: the file as a whole) and the reason.
#[uniffi::remote(Record)]
pub struct RulesProblem {
    pub line: u32,
    pub reason: String,
}

#[uniffi::remote(Record)]
pub struct RulesInfo {
    pub rules: Vec<String>,
    pub timers: Vec<String>,
    pub timezone: Option<String>,
    pub sensitive_words: Vec<String>,
}

/// Where the engine keeps its state (`memory:`, `sqlite://`, `postgres://`) and a zone override.
#[uniffi::remote(Record)]
pub struct AutomationSettings {
    #[uniffi(default = None)]
    pub state_url: Option<String>,
    #[uniffi(default = None)]
    pub tz: Option<String>,
}

/// One message: `direction` `in` (default) or `out`; `at` in epoch ms (now when nil).
#[uniffi::remote(Record)]
pub struct AutomationMessage {
    pub text: String,
    pub wa_id: String,
    #[uniffi(default = None)]
    pub at: Option<i64>,
    #[uniffi(default = None)]
    pub direction: Option<String>,
    #[uniffi(default = None)]
    pub name: Option<String>,
    #[uniffi(default = None)]
    pub origin: Option<String>,
    #[uniffi(default = None)]
    pub lang: Option<String>,
}

/// An action a rule (or the lifecycle pass) decided.
#[uniffi::remote(Enum)]
pub enum ActionOut {
    Reply {
        rule: String,
        text: String,
    },
    SendTemplate {
        rule: String,
        name: String,
        language: String,
    },
    Tag {
        tag: String,
    },
    Untag {
        tag: String,
    },
    Set {
        attr: String,
        value: String,
    },
    Handoff {
        reason: String,
    },
    PauseAutomation {
        until: UtcTime,
    },
    Block {
        reason: String,
    },
}

#[uniffi::remote(Record)]
pub struct Skipped {
    pub rule: String,
    pub reason: String,
}

#[uniffi::remote(Record)]
pub struct Evaluation {
    pub rules: Vec<String>,
    pub actions: Vec<ActionOut>,
    pub handoff: bool,
    pub blocked: bool,
    pub tags: StringSet,
    pub skipped: Vec<Skipped>,
    pub ignored: Option<String>,
}

#[uniffi::remote(Record)]
pub struct SegmentChange {
    pub contact: String,
    pub actions: Vec<ActionOut>,
    pub tags: StringSet,
}

/// A pending no-reply timer: a `[[timers]]` entry armed for a contact, due at
/// `due_at` (epoch ms).
#[uniffi::remote(Record)]
pub struct Timer {
    pub timer_id: String,
    pub contact: String,
    pub conversation: String,
    pub due_at: i64,
}

/// A timer that came due, with what its actions did.
#[uniffi::remote(Record)]
pub struct TimerFired {
    pub timer: Timer,
    pub evaluation: Evaluation,
}

/// `nil` when `text` loads as a rules file, otherwise the line and reason.
#[uniffi::export]
pub fn rules_check(text: String) -> Option<RulesProblem> {
    common::Rules::check(&text)
}

/// A parsed rules file.
#[derive(uniffi::Object)]
pub struct Rules {
    inner: common::Rules,
}

#[uniffi::export]
impl Rules {
    /// Parse a rules file's text.
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Self>, WacrmError> {
        Ok(Arc::new(Rules {
            inner: common::Rules::parse(&text)?,
        }))
    }

    /// Read and parse a rules file.
    #[uniffi::constructor]
    pub fn load(path: String) -> Result<Arc<Self>, WacrmError> {
        Ok(Arc::new(Rules {
            inner: common::Rules::load(&path)?,
        }))
    }

    /// Rule ids in evaluation order, timers, time zone, sensitive words.
    pub fn info(&self) -> RulesInfo {
        self.inner.info()
    }
}

/// The rules compiled over their state; contacts in `stores` (in memory when nil).
#[derive(uniffi::Object)]
pub struct Automation {
    inner: common::Automation,
}

#[uniffi::export]
impl Automation {
    #[uniffi::constructor(default(stores = None, settings = None))]
    pub fn new(
        rules: Arc<Rules>,
        stores: Option<Arc<Stores>>,
        settings: Option<AutomationSettings>,
    ) -> Result<Arc<Self>, WacrmError> {
        let stores = stores.map(|s| s.inner.clone());
        let fut =
            common::Automation::new(&rules.inner, stores.as_ref(), settings.unwrap_or_default());
        Ok(Arc::new(Automation {
            inner: runtime().block_on(fut)?,
        }))
    }

    /// Evaluate one message and keep the state it changes.
    pub async fn evaluate(&self, message: AutomationMessage) -> Result<Evaluation, WacrmError> {
        let a = self.inner.clone();
        on_runtime(async move { a.evaluate(message).await }).await
    }

    /// Rule ids whose keywords match `text` (no state, no conditions).
    pub fn matching_rules(&self, text: String) -> Vec<String> {
        self.inner.matching_rules(&text)
    }

    /// A contact's tags (by wa_id or contact id).
    pub async fn contact_tags(&self, contact: String) -> Result<StringSet, WacrmError> {
        let a = self.inner.clone();
        on_runtime(async move { a.contact_tags(contact).await }).await
    }

    /// Replace a contact's tags; the tags stored.
    pub async fn set_contact_tags(
        &self,
        contact: String,
        tags: Vec<String>,
    ) -> Result<StringSet, WacrmError> {
        let a = self.inner.clone();
        on_runtime(async move { a.set_contact_tags(contact, tags).await }).await
    }

    /// The lifecycle segments automation keeps for a contact.
    pub async fn contact_segments(&self, contact: String) -> Result<StringSet, WacrmError> {
        let a = self.inner.clone();
        on_runtime(async move { a.contact_segments(contact).await }).await
    }

    /// The scheduled lifecycle pass at `at` (epoch ms; now when nil).
    #[uniffi::method(default(at = None))]
    pub async fn lifecycle_pass(&self, at: Option<i64>) -> Result<Vec<SegmentChange>, WacrmError> {
        let a = self.inner.clone();
        on_runtime(async move { a.lifecycle_pass(at).await }).await
    }

    /// Pending no-reply timers of `contact` (wa_id or contact id), or of
    /// everyone when nil; earliest first.
    #[uniffi::method(default(contact = None))]
    pub async fn timers(&self, contact: Option<String>) -> Result<Vec<Timer>, WacrmError> {
        let a = self.inner.clone();
        on_runtime(async move { a.timers(contact).await }).await
    }

    /// Arm rules timer `timer_id` for `contact`, due its delay after `at`
    /// (epoch ms; now when nil); an id the rules do not define is
    /// `WacrmError.Validation`.
    #[uniffi::method(default(conversation = None, at = None))]
    pub async fn arm_timer(
        &self,
        timer_id: String,
        contact: String,
        conversation: Option<String>,
        at: Option<i64>,
    ) -> Result<Timer, WacrmError> {
        let a = self.inner.clone();
        on_runtime(async move { a.arm_timer(&timer_id, &contact, conversation, at).await }).await
    }

    /// Cancel every pending timer of `contact`; how many.
    pub async fn cancel_timers(&self, contact: String) -> Result<u64, WacrmError> {
        let a = self.inner.clone();
        on_runtime(async move { a.cancel_timers(contact).await }).await
    }

    /// Run the timers due at `at` (epoch ms; now when nil), each once; tags
    /// they set are written to the contact.
    #[uniffi::method(default(at = None))]
    pub async fn run_due_timers(&self, at: Option<i64>) -> Result<Vec<TimerFired>, WacrmError> {
        let a = self.inner.clone();
        on_runtime(async move { a.run_due_timers(at).await }).await
    }
}
