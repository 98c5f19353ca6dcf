//! What the analytics read: compact facts taken from stored records or
//! events, the status ladder they follow, and the report settings.

use chrono_tz::Tz;

use crate::store::{
    Conversation, ConversationStatus, Direction, MessageRecord, MessageStatus, StatusUpdate,
};
use crate::time::Millis;

/// One hour in milliseconds.
pub(crate) const HOUR_MS: Millis = 3_600_000;
/// The gap that starts a new conversation.
pub(crate) const START_GAP_MS: Millis = 24 * HOUR_MS;
/// How long after a campaign message a reply still counts.
pub(crate) const REPLY_WINDOW_MS: Millis = 72 * HOUR_MS;
/// The contact tag the complaint rule looks for.
pub const COMPLAINT_TAG: &str = "complaint";

/// What a report covers and how it is computed.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportConfig {
    /// Start of the range (inclusive); `None`: from the beginning.
    pub from: Option<Millis>,
    /// End of the range (exclusive); `None`: everything.
    pub to: Option<Millis>,
    /// Time zone of days and of the hour-of-week histogram.
    pub tz: Tz,
    /// How many hot words to list; 0 skips counting words at all.
    pub top: usize,
    /// Count automated messages as first responses.
    pub include_automated: bool,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            from: None,
            to: None,
            tz: Tz::UTC,
            top: 20,
            include_automated: false,
        }
    }
}

impl ReportConfig {
    /// Whether `at` lies in the range.
    pub fn contains(&self, at: Millis) -> bool {
        self.from.is_none_or(|f| at >= f) && self.to.is_none_or(|t| at < t)
    }

    /// Whether `at` is before the range end.
    pub(crate) fn before_end(&self, at: Millis) -> bool {
        self.to.is_none_or(|t| at < t)
    }
}

/// Where an outbound message stands on the status ladder, mirroring the
/// store's rule (`store::logic::apply_status_to`) so that incremental and
/// stored figures agree even for out-of-order or duplicate statuses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusFact {
    /// Current status (`None`: no status yet).
    pub current: Option<MessageStatus>,
    /// Time of each status seen, indexed by [`MessageStatus::rank`].
    pub times: [Option<Millis>; 6],
    /// Graph error code of a failure.
    pub fail_code: Option<i64>,
}

impl StatusFact {
    /// From a stored record's status, status times and error.
    pub fn of_record(m: &MessageRecord) -> StatusFact {
        let mut f = StatusFact {
            current: m.status,
            ..Default::default()
        };
        for (k, t) in &m.status_times {
            if let Some(s) = MessageStatus::parse(k) {
                f.times[s.rank() as usize] = Some(*t);
            }
        }
        f.fail_code = m.error.as_ref().and_then(|e| e.graph_code);
        f
    }

    /// Apply one status the way the store does; `true` when anything changed.
    pub fn apply(&mut self, status: MessageStatus, at: Millis, code: Option<i64>) -> bool {
        let current = self.current.unwrap_or(MessageStatus::Accepted);
        if current == MessageStatus::Failed || status == current {
            return false;
        }
        let slot = &mut self.times[status.rank() as usize];
        if status != MessageStatus::Failed && status.rank() < current.rank() {
            // Late status: its time is remembered, the ladder does not move.
            if slot.is_none() {
                *slot = Some(at);
                return true;
            }
            return false;
        }
        self.current = Some(status);
        *slot = Some(at);
        if code.is_some() {
            self.fail_code = code;
        }
        true
    }

    /// Whether a status at or past `s` was seen (by time or by the ladder).
    pub fn reached(&self, s: MessageStatus) -> bool {
        let r = s.rank();
        (r..=MessageStatus::Played.rank()).any(|k| self.times[k as usize].is_some())
            || self
                .current
                .is_some_and(|c| c != MessageStatus::Failed && c.rank() >= r)
    }

    /// Whether the message failed.
    pub fn failed(&self) -> bool {
        self.current == Some(MessageStatus::Failed)
    }
}

/// One message, reduced to what the analytics use.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageFact {
    /// Message id.
    pub id: String,
    /// Business number.
    pub number: String,
    /// The customer side of the thread (contact id, else conversation or message id).
    pub customer: String,
    /// From the customer.
    pub inbound: bool,
    /// Record time (inbound: message timestamp; outbound: send or first status).
    pub at: Millis,
    /// Human agent who wrote it.
    pub agent: Option<String>,
    /// Sent by automation.
    pub automated: bool,
    /// Campaign: the user's part of `biz_opaque_callback_data` (the engine's
    /// reserved suffix naming the outbox item stripped, see `client::callback`).
    pub campaign: Option<String>,
    /// Readable inbound text.
    pub text: Option<String>,
    /// The customer carries the `complaint` tag.
    pub complaint: bool,
    /// Status state (outbound).
    pub status: StatusFact,
}

/// A status update event.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusEvent {
    /// Message.
    pub message_id: String,
    /// Status.
    pub status: MessageStatus,
    /// When.
    pub at: Millis,
    /// Graph error code of a failure.
    pub code: Option<i64>,
}

impl From<&StatusUpdate> for StatusEvent {
    fn from(s: &StatusUpdate) -> Self {
        StatusEvent {
            message_id: s.message_id.0.clone(),
            status: s.status,
            at: s.at,
            code: s.error.as_ref().and_then(|e| e.graph_code),
        }
    }
}

/// A conversation's assignment and resolution state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationFact {
    /// Conversation id.
    pub id: String,
    /// Assigned agent.
    pub agent: Option<String>,
    /// Not closed or archived.
    pub open: bool,
    /// Opened.
    pub opened_at: Millis,
    /// Resolved.
    pub closed_at: Option<Millis>,
}

impl From<&Conversation> for ConversationFact {
    fn from(c: &Conversation) -> Self {
        ConversationFact {
            id: c.id.0.clone(),
            agent: c.agent_id.as_ref().map(|a| a.0.clone()),
            open: matches!(
                c.status,
                ConversationStatus::Open | ConversationStatus::WaitingOnCustomer
            ),
            opened_at: c.opened_at,
            closed_at: c.closed_at,
        }
    }
}

/// What the incremental engine is fed.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// An inbound message, or an outbound message recorded (sent, or known
    /// from its first status webhook).
    Message(MessageFact),
    /// A status webhook.
    Status(StatusEvent),
    /// A conversation assigned, reassigned or resolved (latest state wins).
    Conversation(ConversationFact),
    /// A send that failed for good (the outbox parked it).
    SendFailed {
        /// Business number.
        number: String,
        /// When.
        at: Millis,
        /// Graph error code.
        code: Option<i64>,
    },
}

/// Whether a stored outbound message was sent by automation: the scheduler
/// marks such bodies with `"automated": true`.
pub fn is_automated(m: &MessageRecord) -> bool {
    m.body.get("automated").and_then(|v| v.as_bool()) == Some(true)
}

/// The sent time of an outbound message: the earliest of its record time and
/// its status times (statuses may arrive before the send is recorded).
pub fn sent_time(at: Millis, s: &StatusFact) -> Millis {
    s.times.iter().flatten().fold(at, |a, t| a.min(*t))
}

/// Readable text of a message body (text, captions, button and list titles).
/// Both directions are stored in Meta's wire form, so one reader serves both.
fn body_text(body: &serde_json::Value) -> Option<String> {
    let pick = |path: &[&str]| {
        let mut v = body;
        for p in path {
            v = v.get(*p)?;
        }
        v.as_str().map(str::to_string)
    };
    pick(&["text", "body"])
        .or_else(|| pick(&["button", "text"]))
        .or_else(|| pick(&["interactive", "button_reply", "title"]))
        .or_else(|| pick(&["interactive", "list_reply", "title"]))
        .or_else(|| pick(&["interactive", "body", "text"]))
        .or_else(|| pick(&["image", "caption"]))
        .or_else(|| pick(&["video", "caption"]))
        .or_else(|| pick(&["document", "caption"]))
}

/// The fact of a stored message; `complaint`: its contact carries the complaint tag.
pub fn message_fact(m: &MessageRecord, complaint: bool) -> MessageFact {
    let inbound = m.direction == Direction::Inbound;
    let customer = m
        .contact_id
        .as_ref()
        .map(|c| c.0.clone())
        .or_else(|| m.conversation_id.as_ref().map(|c| format!("conv:{c}")))
        .unwrap_or_else(|| format!("msg:{}", m.id));
    MessageFact {
        id: m.id.0.clone(),
        number: m.phone_number_id.0.clone(),
        customer,
        inbound,
        at: m.created_at,
        agent: m.agent_id.as_ref().map(|a| a.0.clone()),
        automated: !inbound && is_automated(m),
        campaign: m.campaign_id.clone(),
        // Only what customers write feeds the keyword tallies.
        text: if inbound { body_text(&m.body) } else { None },
        complaint,
        status: if inbound {
            StatusFact::default()
        } else {
            StatusFact::of_record(m)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reader_for_both_directions() {
        use crate::client::{Interactive, OutboundMessage, ReplyButton};
        let inbound = serde_json::json!({"from": "1", "type": "text", "text": {"body": "hi"}});
        let outbound = serde_json::to_value(OutboundMessage::text("hi")).unwrap();
        assert_eq!(body_text(&inbound).as_deref(), Some("hi"));
        assert_eq!(body_text(&outbound).as_deref(), Some("hi"));
        let buttons = OutboundMessage::Interactive(Interactive::Buttons {
            header: None,
            body: "Confirm?".into(),
            footer: None,
            buttons: vec![ReplyButton {
                id: "y".into(),
                title: "Yes".into(),
            }],
        });
        let v = serde_json::to_value(buttons).unwrap();
        assert_eq!(body_text(&v).as_deref(), Some("Confirm?"));
    }

    #[test]
    fn ladder_matches_the_store() {
        let mut s = StatusFact::default();
        assert!(s.apply(MessageStatus::Read, 30, None));
        assert!(
            s.apply(MessageStatus::Delivered, 20, None),
            "late time kept"
        );
        assert_eq!(s.current, Some(MessageStatus::Read));
        assert!(
            !s.apply(MessageStatus::Delivered, 25, None),
            "first time wins"
        );
        assert!(s.apply(MessageStatus::Failed, 40, Some(131026)));
        assert!(
            !s.apply(MessageStatus::Sent, 5, None),
            "nothing after failed"
        );
        assert_eq!(s.times[MessageStatus::Sent.rank() as usize], None);
        assert_eq!(s.fail_code, Some(131026));
    }

    #[test]
    fn read_without_delivered_reaches_delivered_and_sent() {
        let mut s = StatusFact::default();
        s.apply(MessageStatus::Read, 30, None);
        assert!(s.reached(MessageStatus::Sent));
        assert!(s.reached(MessageStatus::Delivered));
        assert!(s.reached(MessageStatus::Read));
        assert_eq!(sent_time(100, &s), 30);
    }
}
