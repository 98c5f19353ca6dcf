//! Automation (C9) as a binding holds it: a rules file loaded from TOML
//! (refused with its line and reason), an engine that evaluates one message
//! at a time with its state (cooldowns, counters, pauses, segments) kept in
//! memory or in a SQL store, and a contact's tags and lifecycle segments.
//! Contacts live in a contact store (the caller's stores, or an in-memory one),
//! written the way the live webhook path writes them.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wacrm::automation::{
    AutomationStore, Engine, Evaluation, Flow, MemoryAutomationStore, MessageInput, Origin,
    RuleSet, SegmentChange, write_contact,
};
use wacrm::store::{Contact, SqlStore};
use wacrm::{ContactId, Error, Result, WaId};

use crate::Stores;
use crate::problem::line_problem;

/// Why a rules file is refused: the line and the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesProblem {
    /// 1-based line of the offending entry (0: the file as a whole).
    pub line: u32,
    /// What is wrong.
    pub reason: String,
}

/// What a loaded rules file holds, in the file's words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesInfo {
    /// Rule ids in evaluation order (higher priority first, then file order).
    pub rules: Vec<String>,
    /// No-reply timer ids.
    pub timers: Vec<String>,
    /// The business hours' time zone, when the file has business hours.
    pub timezone: Option<String>,
    /// Words that block an outgoing message.
    pub sensitive_words: Vec<String>,
}

/// A parsed rules file.
#[derive(Clone, Debug)]
pub struct Rules(RuleSet);

impl Rules {
    /// Parse a rules file's text; a bad file is a `CONFIG` error naming the line.
    pub fn parse(text: &str) -> Result<Rules> {
        Ok(Rules(RuleSet::from_toml(text)?))
    }

    /// Read and parse a rules file.
    pub fn load(path: &str) -> Result<Rules> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read {path}: {e}")))?;
        Rules::parse(&text)
    }

    /// `None` when the text loads, otherwise the line and reason it is refused with.
    pub fn check(text: &str) -> Option<RulesProblem> {
        let e = RuleSet::from_toml(text).and_then(|s| s.validate()).err()?;
        let (line, reason) = line_problem(&e.details().message, "rules line ");
        Some(RulesProblem { line, reason })
    }

    /// Rule and timer ids, time zone and sensitive words.
    pub fn info(&self) -> RulesInfo {
        let mut rules = self.0.rules.clone();
        // The engine's order: higher priority first, file order among equals.
        rules.sort_by_key(|r| std::cmp::Reverse(r.priority));
        RulesInfo {
            rules: rules.into_iter().map(|r| r.id).collect(),
            timers: self.0.timers.iter().map(|t| t.id.clone()).collect(),
            timezone: self.0.hours.as_ref().map(|h| h.tz.name().to_string()),
            sensitive_words: self.0.sensitive_words.clone(),
        }
    }
}

/// Where the engine keeps its state and how it reads times.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AutomationSettings {
    /// `memory:` (the default) or a `sqlite://` / `postgres://` URL: cooldowns,
    /// counters, pauses and segments survive a restart there.
    pub state_url: Option<String>,
    /// IANA zone replacing the business hours' own.
    pub tz: Option<String>,
}

/// One message for the engine, as `wacrm automation test` reads a line.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AutomationMessage {
    /// Body or caption.
    pub text: String,
    /// The contact's WhatsApp id (or a stored contact's id).
    pub wa_id: String,
    /// When it was written, epoch ms (now when absent).
    pub at: Option<i64>,
    /// `in` (the default) or `out`.
    pub direction: Option<String>,
    /// The contact's profile name.
    pub name: Option<String>,
    /// `contact` (default for `in`), `agent` (default for `out`), `automation` or `bot`.
    pub origin: Option<String>,
    /// The contact's language tag (`es`, `pt_BR`, ...).
    pub lang: Option<String>,
}

fn flow(direction: Option<&str>) -> Result<Flow> {
    match direction.unwrap_or("in") {
        "in" => Ok(Flow::In),
        "out" => Ok(Flow::Out),
        d => Err(Error::validation(
            "direction",
            format!("unknown direction {d:?} (in, out)"),
        )),
    }
}

fn origin(origin: Option<&str>, flow: Flow) -> Result<Origin> {
    match origin {
        None if flow == Flow::Out => Ok(Origin::Agent),
        None | Some("contact") => Ok(Origin::Contact),
        Some("agent") => Ok(Origin::Agent),
        Some("automation") => Ok(Origin::Automation),
        Some("bot") => Ok(Origin::Bot),
        Some(o) => Err(Error::validation(
            "origin",
            format!("unknown origin {o:?} (contact, agent, automation, bot)"),
        )),
    }
}

pub(crate) fn time(ms: Option<i64>) -> Result<DateTime<Utc>> {
    match ms {
        None => Ok(Utc::now()),
        Some(ms) => DateTime::from_timestamp_millis(ms)
            .ok_or_else(|| Error::validation("at", format!("{ms} ms is out of range"))),
    }
}

/// The rules compiled over their state, with the contacts they tag.
#[derive(Clone)]
pub struct Automation {
    pub(crate) engine: Arc<Engine>,
    pub(crate) contacts: wacrm::store::Stores,
}

impl Automation {
    /// Compile `rules`; contacts are read from and written to `stores` (an
    /// in-memory contact store when `None`).
    pub async fn new(
        rules: &Rules,
        stores: Option<&Stores>,
        settings: AutomationSettings,
    ) -> Result<Automation> {
        let mut set = rules.0.clone();
        if let Some(z) = &settings.tz {
            let tz = z
                .parse()
                .map_err(|_| Error::validation("tz", format!("unknown time zone {z:?}")))?;
            if let Some(h) = set.hours.as_mut() {
                h.tz = tz;
            }
        }
        let state: Arc<dyn AutomationStore> = match settings.state_url.as_deref() {
            None | Some("memory:") | Some("memory") => Arc::new(MemoryAutomationStore::new()),
            Some(url) => Arc::new(SqlStore::open(url).await?),
        };
        Ok(Automation {
            engine: Arc::new(Engine::new(set, state)?),
            contacts: stores
                .map(|s| s.0.clone())
                .unwrap_or_else(wacrm::store::Stores::memory),
        })
    }

    /// The stored contact for a wa_id or contact id.
    async fn find(&self, key: &str) -> Result<Option<Contact>> {
        let s = &self.contacts.contacts;
        if let Some(c) = s.find_by_wa_id(key).await? {
            return Ok(Some(c));
        }
        Ok(s.get(&ContactId::new(key)).await?)
    }

    /// The contact a message is from, created on its first message.
    async fn contact_for(&self, m: &AutomationMessage) -> Result<Contact> {
        if m.wa_id.is_empty() {
            return Err(Error::validation(
                "wa_id",
                "a message needs the contact's wa_id",
            ));
        }
        let found = self.find(&m.wa_id).await?;
        let fresh = found.is_none();
        let mut c = match found {
            Some(c) => c,
            None => Contact {
                id: ContactId::new(m.wa_id.clone()),
                wa_id: Some(WaId::try_from(m.wa_id.as_str())?),
                ..Default::default()
            },
        };
        let renamed = m.name.is_some() && m.name != c.name;
        if renamed {
            c.name = m.name.clone();
        }
        if fresh || renamed {
            c = self.contacts.contacts.upsert(&c, None).await?;
        }
        Ok(c)
    }

    /// Evaluate one message and keep the state it changes; tags and
    /// attributes the rules set are written to the contact.
    pub async fn evaluate(&self, m: AutomationMessage) -> Result<Evaluation> {
        let flow = flow(m.direction.as_deref())?;
        let origin = origin(m.origin.as_deref(), flow)?;
        let at = time(m.at)?;
        let contact = self.contact_for(&m).await?;
        let input = MessageInput {
            contact_key: contact.id.0.clone(),
            conversation_key: None,
            text: m.text,
            at,
            flow,
            origin,
            contact: Some(contact.clone()),
            location: None,
            lang: m.lang,
        };
        let ev = self.engine.evaluate(&input).await?;
        write_contact(
            self.contacts.contacts.as_ref(),
            &contact.id,
            &ev.actions,
            None,
        )
        .await?;
        Ok(ev)
    }

    /// Rule ids whose keywords match `text` (no state, no conditions).
    pub fn matching_rules(&self, text: &str) -> Vec<String> {
        self.engine
            .matching_rules(text)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// A contact's tags (empty for an unknown contact).
    pub async fn contact_tags(&self, contact: String) -> Result<BTreeSet<String>> {
        Ok(self
            .find(&contact)
            .await?
            .map(|c| c.tags)
            .unwrap_or_default())
    }

    /// Replace a contact's tags (creating the contact when unknown); the tags stored.
    pub async fn set_contact_tags(
        &self,
        contact: String,
        tags: Vec<String>,
    ) -> Result<BTreeSet<String>> {
        // `contact` is a wa_id or a contact id; only a wa_id is stored as one
        // (a contact id is kept as the new contact's id either way).
        let mut c = self.find(&contact).await?.unwrap_or_else(|| Contact {
            id: ContactId::new(contact.clone()),
            wa_id: WaId::try_from(contact.as_str()).ok(),
            ..Default::default()
        });
        c.tags = tags.into_iter().collect();
        Ok(self.contacts.contacts.upsert(&c, None).await?.tags)
    }

    /// The lifecycle segments automation keeps for a contact (`high-intent`,
    /// `follow-up-weekly`, `dormant`).
    pub async fn contact_segments(&self, contact: String) -> Result<BTreeSet<String>> {
        let key = self.key_of(contact).await?;
        Ok(self.engine.store().contact_state(&key).await?.segments)
    }

    /// A contact given as a wa_id or a stored contact's id: the key automation
    /// state is kept under (the stored contact's id when there is one).
    pub(crate) async fn key_of(&self, contact: String) -> Result<String> {
        Ok(match self.find(&contact).await? {
            Some(c) => c.id.0,
            None => contact,
        })
    }

    /// The scheduled lifecycle pass at `at` (epoch ms, now when absent): every
    /// contact's segments recomputed, the segment tags written to its record.
    pub async fn lifecycle_pass(&self, at: Option<i64>) -> Result<Vec<SegmentChange>> {
        let changes = self.engine.lifecycle_pass(time(at)?).await?;
        for ch in &changes {
            let id = ContactId::new(ch.contact.clone());
            write_contact(self.contacts.contacts.as_ref(), &id, &ch.actions, None).await?;
        }
        Ok(changes)
    }
}
