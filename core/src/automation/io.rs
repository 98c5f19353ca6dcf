//! What goes into the engine (a message) and what comes out (the rules that
//! fired, the actions to carry out, the reasons others did not fire).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::state::Timer;
use crate::store::Contact;

/// Who wrote a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The customer.
    #[default]
    Contact,
    /// A person at the business.
    Agent,
    /// This automation.
    Automation,
    /// Another bot (an auto-responder on either side).
    Bot,
}

/// Which way a message went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// From the contact.
    #[default]
    In,
    /// To the contact.
    Out,
}

/// One message for the engine.
#[derive(Clone, Debug)]
pub struct MessageInput {
    /// Stable contact key (contact id or wa_id).
    pub contact_key: String,
    /// Conversation key; the contact key when `None`.
    pub conversation_key: Option<String>,
    /// Text (body or caption).
    pub text: String,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// Direction.
    pub flow: Flow,
    /// Author.
    pub origin: Origin,
    /// The contact record (names, attributes, tags), when known.
    pub contact: Option<Contact>,
    /// A location the contact shared with this message.
    pub location: Option<(f64, f64)>,
    /// The contact's language tag, when known.
    pub lang: Option<String>,
}

impl MessageInput {
    /// An inbound text from a contact.
    pub fn inbound(
        contact_key: impl Into<String>,
        text: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Self {
        MessageInput {
            contact_key: contact_key.into(),
            conversation_key: None,
            text: text.into(),
            at,
            flow: Flow::In,
            origin: Origin::Contact,
            contact: None,
            location: None,
            lang: None,
        }
    }

    /// A message the business sent (agent by default).
    pub fn outbound(
        contact_key: impl Into<String>,
        text: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Self {
        MessageInput {
            flow: Flow::Out,
            origin: Origin::Agent,
            ..Self::inbound(contact_key, text, at)
        }
    }

    pub(super) fn conversation(&self) -> &str {
        self.conversation_key
            .as_deref()
            .unwrap_or(&self.contact_key)
    }
}

/// An action to carry out.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActionOut {
    /// Send this text.
    Reply {
        /// Rule (or timer) id.
        rule: String,
        /// Rendered text.
        text: String,
    },
    /// Send an approved template.
    SendTemplate {
        /// Rule id.
        rule: String,
        /// Template name.
        name: String,
        /// Language code.
        language: String,
    },
    /// Add a tag.
    Tag {
        /// Tag.
        tag: String,
    },
    /// Remove a tag.
    Untag {
        /// Tag.
        tag: String,
    },
    /// Set an attribute.
    Set {
        /// Attribute name.
        attr: String,
        /// Value.
        value: String,
    },
    /// Hand the conversation to a person.
    Handoff {
        /// Why: the phrase heard or the rule id.
        reason: String,
    },
    /// Automation paused for the conversation.
    PauseAutomation {
        /// Until when.
        until: DateTime<Utc>,
    },
    /// An outgoing text was blocked.
    Block {
        /// Why (the words found).
        reason: String,
    },
}

/// A matched rule that did not fire, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skipped {
    /// Rule id.
    pub rule: String,
    /// Reason.
    pub reason: String,
}

/// What the engine decided for one message.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Evaluation {
    /// Rules that fired, in order.
    pub rules: Vec<String>,
    /// Actions, in order.
    pub actions: Vec<ActionOut>,
    /// A handoff happened.
    pub handoff: bool,
    /// An outgoing text was blocked.
    pub blocked: bool,
    /// The contact's tags after this message.
    pub tags: BTreeSet<String>,
    /// Matched rules that did not fire.
    pub skipped: Vec<Skipped>,
    /// Why the whole message was not evaluated (loop protection, pause).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

impl Evaluation {
    /// The reply texts, in order.
    pub fn replies(&self) -> impl Iterator<Item = &str> {
        self.actions.iter().filter_map(|a| match a {
            ActionOut::Reply { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

/// A segment change found by the scheduled pass.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SegmentChange {
    /// Contact key.
    pub contact: String,
    /// Tag/untag actions.
    pub actions: Vec<ActionOut>,
    /// Tags after the change.
    pub tags: BTreeSet<String>,
}

/// A timer that came due, with what it did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimerFired {
    /// The timer.
    pub timer: Timer,
    /// Its evaluation.
    pub evaluation: Evaluation,
}
