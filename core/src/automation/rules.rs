//! Rule types: what a rule matches, when it may fire and what it does. Rules
//! come from a TOML file ([`super::RuleSet::from_toml`]) or are built in code.

use std::time::Duration;

use serde::Serialize;

use super::template::Template;

/// How a rule's keywords are compared with the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// Anywhere in the text.
    Contains,
    /// As a whole word in spaced scripts; anywhere in Chinese, Japanese, Thai, Korean.
    Word,
    /// The whole message (surrounding spaces and punctuation ignored).
    Exact,
    /// The message begins with the keyword (a whole word in spaced scripts).
    StartsWith,
    /// Each keyword is a regular expression over the folded text (opt-in).
    Regex,
}

impl MatchMode {
    /// Parse a mode name as written in a rules file.
    pub fn parse(s: &str) -> Option<MatchMode> {
        Some(match s {
            "contains" => MatchMode::Contains,
            "word" => MatchMode::Word,
            "exact" => MatchMode::Exact,
            "starts_with" => MatchMode::StartsWith,
            "regex" => MatchMode::Regex,
            _ => return None,
        })
    }
}

/// When, relative to business hours, a rule may fire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// At any time.
    #[default]
    Always,
    /// Only while open.
    InHours,
    /// Only while closed.
    OutOfHours,
}

impl When {
    /// Parse as written in a rules file.
    pub fn parse(s: &str) -> Option<When> {
        Some(match s {
            "always" => When::Always,
            "in_hours" => When::InHours,
            "out_of_hours" => When::OutOfHours,
            _ => return None,
        })
    }
}

/// What a rule does when it fires.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Send a free-form reply rendered from a template.
    Reply(Template),
    /// Send an approved Cloud API template.
    SendTemplate {
        /// Template name.
        name: String,
        /// Language code, e.g. `pt_BR`.
        language: String,
    },
    /// Add a tag to the contact.
    Tag(String),
    /// Remove a tag from the contact.
    Untag(String),
    /// Set a contact attribute.
    Set {
        /// Attribute name (without the `attr:` prefix).
        attr: String,
        /// Value.
        value: String,
    },
    /// Hand the conversation to a person (assignment) and pause automation.
    Handoff,
    /// Pause automation for the conversation.
    PauseAutomation(Duration),
}

/// One keyword rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Stable id (reported when the rule fires).
    pub id: String,
    /// Keywords (or regular expressions in [`MatchMode::Regex`]).
    pub keywords: Vec<String>,
    /// Match mode.
    pub mode: MatchMode,
    /// Higher is evaluated first.
    pub priority: i32,
    /// Minimum time between two firings for one contact.
    pub cooldown: Option<Duration>,
    /// Fire at most once per contact, ever.
    pub once_per_contact: bool,
    /// Business-hours condition.
    pub when: When,
    /// No lower-priority rule fires after this one.
    pub stop: bool,
    /// Fold accents before matching ("envio" matches "envío").
    pub fold_accents: bool,
    /// Fires once the contact has matched this rule this many times (auto-tag counters).
    pub min_count: u32,
    /// A match counts as a product inquiry for the lifecycle segments.
    pub inquiry: bool,
    /// What it does.
    pub actions: Vec<Action>,
}

impl Rule {
    /// A rule with defaults: `word` match, priority 0, always, no cooldown.
    pub fn new<I, S>(id: impl Into<String>, keywords: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Rule {
            id: id.into(),
            keywords: keywords.into_iter().map(Into::into).collect(),
            mode: MatchMode::Word,
            priority: 0,
            cooldown: None,
            once_per_contact: false,
            when: When::Always,
            stop: false,
            fold_accents: false,
            min_count: 1,
            inquiry: false,
            actions: Vec::new(),
        }
    }

    /// Set the match mode.
    pub fn mode(mut self, m: MatchMode) -> Self {
        self.mode = m;
        self
    }
    /// Set the priority.
    pub fn priority(mut self, p: i32) -> Self {
        self.priority = p;
        self
    }
    /// Set a cooldown.
    pub fn cooldown(mut self, d: Duration) -> Self {
        self.cooldown = Some(d);
        self
    }
    /// Fire once per contact.
    pub fn once_per_contact(mut self) -> Self {
        self.once_per_contact = true;
        self
    }
    /// Business-hours condition.
    pub fn when(mut self, w: When) -> Self {
        self.when = w;
        self
    }
    /// Stop lower-priority rules.
    pub fn stop(mut self) -> Self {
        self.stop = true;
        self
    }
    /// Fold accents.
    pub fn fold_accents(mut self) -> Self {
        self.fold_accents = true;
        self
    }
    /// Counter threshold.
    pub fn min_count(mut self, n: u32) -> Self {
        self.min_count = n.max(1);
        self
    }
    /// Count matches as product inquiries.
    pub fn inquiry(mut self) -> Self {
        self.inquiry = true;
        self
    }
    /// Add an action.
    pub fn action(mut self, a: Action) -> Self {
        self.actions.push(a);
        self
    }
    /// Add a reply action from template text.
    pub fn reply(self, template: &str) -> crate::Result<Self> {
        Ok(self.action(Action::Reply(Template::parse(template)?)))
    }
}

/// Parse a duration: `"45s"`, `"30m"`, `"12h"`, `"7d"`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let unit = s.chars().last()?;
    let n: u64 = s[..s.len() - unit.len_utf8()].parse().ok()?;
    let secs = match unit {
        's' => n,
        'm' => n.checked_mul(60)?,
        'h' => n.checked_mul(3600)?,
        'd' => n.checked_mul(86_400)?,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

/// A store for `{{nearest_store}}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreLocation {
    /// Name shown in replies.
    pub name: String,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
}

/// Thresholds of the lifecycle segments.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LifecycleConfig {
    /// Tag for contacts with many recent product inquiries.
    pub high_intent_tag: String,
    /// Inquiries needed (default 3)…
    pub high_intent_inquiries: u32,
    /// …within this window (default 7 days).
    pub high_intent_window: Duration,
    /// Tag for contacts with few recent interactions.
    pub follow_up_tag: String,
    /// Lowest interaction count (default 1)…
    pub follow_up_min: u32,
    /// …highest (default 2)…
    pub follow_up_max: u32,
    /// …within this window (default 30 days).
    pub follow_up_window: Duration,
    /// Tag for contacts who have not written for a long time.
    pub dormant_tag: String,
    /// Silence before dormant (default 60 days).
    pub dormant_after: Duration,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        LifecycleConfig {
            high_intent_tag: "high-intent".into(),
            high_intent_inquiries: 3,
            high_intent_window: Duration::from_secs(7 * 86_400),
            follow_up_tag: "follow-up-weekly".into(),
            follow_up_min: 1,
            follow_up_max: 2,
            follow_up_window: Duration::from_secs(30 * 86_400),
            dormant_tag: "dormant".into(),
            dormant_after: Duration::from_secs(60 * 86_400),
        }
    }
}

/// Loop protection and handoff settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Limits {
    /// Rule firings allowed per conversation per hour.
    pub max_firings_per_hour: u32,
    /// How long a handoff pauses automation (default 12 h).
    pub handoff_pause: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_firings_per_hour: 10,
            handoff_pause: Duration::from_secs(12 * 3600),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("45s"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("12h"), Some(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("7w"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("-3h"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn modes_and_when() {
        for m in ["contains", "word", "exact", "starts_with", "regex"] {
            assert!(MatchMode::parse(m).is_some());
        }
        assert_eq!(MatchMode::parse("fuzzy"), None);
        assert_eq!(When::parse("out_of_hours"), Some(When::OutOfHours));
        assert_eq!(When::parse("weekends"), None);
    }
}
