//! A whole automation configuration: rules, business hours, sensitive words,
//! handoff phrases, stores, lifecycle thresholds, limits and timers.

use std::time::Duration;

use super::hours::BusinessHours;
use super::i18n::Lang;
use super::rules::{Action, LifecycleConfig, Limits, Rule, StoreLocation, When};

/// A "no reply within X" timer: started when the business writes to the
/// contact, cancelled when the contact writes, its actions run when it comes due.
#[derive(Clone, Debug, PartialEq)]
pub struct TimerRule {
    /// Id.
    pub id: String,
    /// Silence before it fires.
    pub after: Duration,
    /// What it does (replies render like rule replies).
    pub actions: Vec<Action>,
}

/// Everything automation is configured with.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSet {
    /// Keyword rules.
    pub rules: Vec<Rule>,
    /// Business hours (needed by `when` and `{{next_open}}`).
    pub hours: Option<BusinessHours>,
    /// Words that block an outgoing message.
    pub sensitive_words: Vec<String>,
    /// Stores for `{{nearest_store}}`.
    pub stores: Vec<StoreLocation>,
    /// Lifecycle segment thresholds.
    pub lifecycle: LifecycleConfig,
    /// Firing budget and handoff pause.
    pub limits: Limits,
    /// Use the built-in handoff phrases.
    pub handoff_builtin: bool,
    /// More handoff phrases.
    pub handoff_phrases: Vec<String>,
    /// Language when the contact's is unknown or unsupported.
    pub language: Lang,
    /// No-reply timers.
    pub timers: Vec<TimerRule>,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet {
            rules: Vec::new(),
            hours: None,
            sensitive_words: Vec::new(),
            stores: Vec::new(),
            lifecycle: LifecycleConfig::default(),
            limits: Limits::default(),
            handoff_builtin: true,
            handoff_phrases: Vec::new(),
            language: Lang::En,
            timers: Vec::new(),
        }
    }
}

impl RuleSet {
    /// Empty set with defaults (built-in handoff phrases on).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a rule.
    pub fn rule(mut self, r: Rule) -> Self {
        self.rules.push(r);
        self
    }

    /// Set business hours.
    pub fn hours(mut self, h: BusinessHours) -> Self {
        self.hours = Some(h);
        self
    }

    /// Set sensitive words.
    pub fn sensitive_words<I: IntoIterator<Item = S>, S: Into<String>>(mut self, w: I) -> Self {
        self.sensitive_words = w.into_iter().map(Into::into).collect();
        self
    }

    /// Add a store.
    pub fn store(mut self, s: StoreLocation) -> Self {
        self.stores.push(s);
        self
    }

    /// Add a timer.
    pub fn timer(mut self, t: TimerRule) -> Self {
        self.timers.push(t);
        self
    }

    /// Check what the TOML parser checks for rules built in code: unique ids,
    /// keywords present, hours present when a rule depends on them.
    pub fn validate(&self) -> crate::Result<()> {
        let mut seen = std::collections::HashSet::new();
        for r in &self.rules {
            if r.id.trim().is_empty() {
                return Err(crate::Error::Config("a rule has an empty id".into()));
            }
            if !seen.insert(r.id.as_str()) {
                return Err(crate::Error::Config(format!(
                    "rule id {:?} is used twice",
                    r.id
                )));
            }
            if r.keywords.is_empty() {
                return Err(crate::Error::Config(format!(
                    "rule {:?} has no keywords",
                    r.id
                )));
            }
            if r.when != When::Always && self.hours.is_none() {
                return Err(crate::Error::Config(format!(
                    "rule {:?} uses `when` but there are no [business_hours]",
                    r.id
                )));
            }
        }
        Ok(())
    }
}
