//! Typed webhook events. Every event keeps its raw JSON, so fields this version
//! does not model are never lost.

pub use super::raw::RawJson;
use serde::{Deserialize, Serialize};

use super::account::*;

use crate::error::GraphError;
use crate::ids::MessageId;

/// One event out of a webhook body.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WebhookEvent {
    /// An inbound customer message.
    Message(Box<InboundEvent>),
    /// A status of an outbound message.
    Status(Box<StatusEvent>),
    /// A system-level error (`value.errors[]`).
    Error(Box<ErrorEvent>),
    /// A call connected or ended (`calls`, `calls[]`).
    Call(Box<Update<Call>>),
    /// A business-initiated call ringing, accepted or rejected (`calls`,
    /// `statuses[]`).
    CallStatus(Box<Update<CallStatus>>),
    /// `message_template_status_update`.
    TemplateStatus(Box<Update<TemplateStatus>>),
    /// `message_template_quality_update`.
    TemplateQuality(Box<Update<TemplateQuality>>),
    /// `template_category_update`.
    TemplateCategory(Box<Update<TemplateCategory>>),
    /// `phone_number_quality_update`.
    PhoneNumberQuality(Box<Update<PhoneNumberQuality>>),
    /// `phone_number_name_update`.
    PhoneNumberName(Box<Update<PhoneNumberName>>),
    /// `account_alerts`.
    AccountAlert(Box<Update<AccountAlert>>),
    /// `account_update`.
    AccountUpdate(Box<Update<AccountUpdate>>),
    /// `message_echoes` / `smb_message_echoes`: sent from the Business app.
    MessageEcho(Box<Update<MessageEcho>>),
    /// `history`: a chunk of Business app chat history.
    History(Box<Update<History>>),
    /// `smb_app_state_sync`: a Business app contact added or removed.
    AppStateSync(Box<Update<AppStateSync>>),
    /// Anything else: another `field`, a new shape, an entry that did not parse.
    Unknown(Box<UnknownEvent>),
}

/// Which business number and account a change belongs to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Routing {
    /// WABA id (`entry[].id`).
    pub waba_id: String,
    /// `metadata.phone_number_id`: route on this, not on the display number.
    pub phone_number_id: String,
    /// `metadata.display_phone_number`.
    pub display_phone_number: String,
}

/// Sender identity from `contacts[]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactInfo {
    /// Profile name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Username, for users who adopted one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// WhatsApp id (may be absent for username users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// Business-scoped user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Parent BSUID shared across linked portfolios.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<String>,
}

/// Media metadata of an inbound media message (download with the client).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaInfo {
    /// Media id (valid 7 days).
    #[serde(default)]
    pub id: String,
    /// MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Caption (image, video, document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// File name (document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Voice note (audio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<bool>,
    /// Animated (sticker).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animated: Option<bool>,
    /// Fields this version does not model, kept as received.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A shared location.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LocationInfo {
    /// Latitude.
    #[serde(default)]
    pub latitude: f64,
    /// Longitude.
    #[serde(default)]
    pub longitude: f64,
    /// Place name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Fields this version does not model, kept as received.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Reply to an interactive message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InteractiveReply {
    /// A reply button was tapped.
    ButtonReply {
        /// Button id.
        id: String,
        /// Button title.
        title: String,
    },
    /// A list row was chosen.
    ListReply {
        /// Row id.
        id: String,
        /// Row title.
        title: String,
        /// Row description.
        description: Option<String>,
    },
    /// A Flow (or address message) was completed.
    NfmReply {
        /// `flow` or `address_message`.
        name: Option<String>,
        /// Body text.
        body: Option<String>,
        /// The Flow's answer, a JSON string.
        response_json: Option<String>,
    },
    /// Another interactive reply type.
    Other {
        /// Its `type`.
        reply_type: String,
    },
}

/// What an inbound message carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageContent {
    /// Text.
    Text {
        /// Body.
        body: String,
    },
    /// Image.
    Image(MediaInfo),
    /// Audio or voice note.
    Audio(MediaInfo),
    /// Video.
    Video(MediaInfo),
    /// Document.
    Document(MediaInfo),
    /// Sticker.
    Sticker(MediaInfo),
    /// Location.
    Location(LocationInfo),
    /// Shared contact cards (kept as JSON).
    Contacts {
        /// The cards.
        contacts: Vec<serde_json::Value>,
    },
    /// Interactive reply.
    Interactive(InteractiveReply),
    /// A template quick-reply button tap.
    Button {
        /// Button text.
        text: String,
        /// Developer payload.
        payload: Option<String>,
    },
    /// Reaction; `emoji` absent means the reaction was removed.
    Reaction {
        /// Message reacted to.
        message_id: String,
        /// Emoji.
        emoji: Option<String>,
    },
    /// A cart sent from a catalog.
    Order {
        /// Catalog id.
        catalog_id: Option<String>,
        /// Items (kept as JSON).
        product_items: Vec<serde_json::Value>,
        /// Text.
        text: Option<String>,
    },
    /// A system notice (number or identity changed).
    System {
        /// Text.
        body: Option<String>,
        /// `user_changed_number`, `customer_identity_changed`, `user_changed_user_id`.
        system_type: Option<String>,
        /// New wa_id.
        wa_id: Option<String>,
        /// New user id.
        user_id: Option<String>,
    },
    /// First contact from a user opening the chat.
    RequestWelcome,
    /// A type the Cloud API does not support (carries errors, code 131051).
    Unsupported,
    /// A type this version does not know; see the raw JSON.
    Unknown {
        /// Its `type`.
        type_name: String,
    },
}

impl MessageContent {
    /// The text a human would read, for keyword rules and analytics.
    pub fn text(&self) -> Option<&str> {
        match self {
            MessageContent::Text { body } => Some(body),
            MessageContent::Image(m) | MessageContent::Video(m) | MessageContent::Document(m) => {
                m.caption.as_deref()
            }
            MessageContent::Button { text, .. } => Some(text),
            MessageContent::Interactive(InteractiveReply::ButtonReply { title, .. })
            | MessageContent::Interactive(InteractiveReply::ListReply { title, .. }) => Some(title),
            MessageContent::Order { text, .. } => text.as_deref(),
            MessageContent::System { body, .. } => body.as_deref(),
            _ => None,
        }
    }

    /// The `type` string.
    pub fn type_name(&self) -> &str {
        match self {
            MessageContent::Text { .. } => "text",
            MessageContent::Image(_) => "image",
            MessageContent::Audio(_) => "audio",
            MessageContent::Video(_) => "video",
            MessageContent::Document(_) => "document",
            MessageContent::Sticker(_) => "sticker",
            MessageContent::Location(_) => "location",
            MessageContent::Contacts { .. } => "contacts",
            MessageContent::Interactive(_) => "interactive",
            MessageContent::Button { .. } => "button",
            MessageContent::Reaction { .. } => "reaction",
            MessageContent::Order { .. } => "order",
            MessageContent::System { .. } => "system",
            MessageContent::RequestWelcome => "request_welcome",
            MessageContent::Unsupported => "unsupported",
            MessageContent::Unknown { type_name } => type_name,
        }
    }
}

/// `context`: the message this one replies to (or a forwarded/product mark).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplyContext {
    /// Sender of the quoted message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Id of the quoted message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Forwarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded: Option<bool>,
    /// Forwarded many times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequently_forwarded: Option<bool>,
    /// Product asked about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_product: Option<serde_json::Value>,
    /// Fields this version does not model, kept as received.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Click-to-WhatsApp ad or post referral.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    /// Ad or post URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Ad or post id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// `ad` or `post`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// Headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Click id for attribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctwa_clid: Option<String>,
    /// Fields this version does not model, kept as received.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An inbound customer message.
#[derive(Clone, Debug, Serialize)]
pub struct InboundEvent {
    /// Routing.
    pub routing: Routing,
    /// Message id (dedupe key).
    pub id: MessageId,
    /// Sender wa_id (absent for username-only users).
    pub from: Option<String>,
    /// Sender BSUID.
    pub from_user_id: Option<String>,
    /// Sender parent BSUID (shared across linked portfolios).
    pub from_parent_user_id: Option<String>,
    /// Unix seconds.
    pub timestamp: i64,
    /// Sender profile from `contacts[]`.
    pub contact: Option<ContactInfo>,
    /// Reply context.
    pub context: Option<Box<ReplyContext>>,
    /// Ad referral.
    pub referral: Option<Box<Referral>>,
    /// Content.
    pub content: MessageContent,
    /// Errors attached to the message (unsupported types).
    pub errors: Vec<GraphError>,
    /// The message object as received.
    pub raw: RawJson,
}

/// Status of an outbound message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// Accepted by WhatsApp.
    Sent,
    /// On the device.
    Delivered,
    /// Read (only with read receipts on).
    Read,
    /// Voice message played.
    Played,
    /// Failed (terminal).
    Failed,
    /// A value this version does not know.
    Other(String),
}

impl StatusKind {
    /// Parse the wire string.
    pub fn parse(s: &str) -> Self {
        match s {
            "sent" => StatusKind::Sent,
            "delivered" => StatusKind::Delivered,
            "read" => StatusKind::Read,
            "played" => StatusKind::Played,
            "failed" => StatusKind::Failed,
            other => StatusKind::Other(other.to_string()),
        }
    }

    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            StatusKind::Sent => "sent",
            StatusKind::Delivered => "delivered",
            StatusKind::Read => "read",
            StatusKind::Played => "played",
            StatusKind::Failed => "failed",
            StatusKind::Other(s) => s,
        }
    }
}

/// `pricing` of a status. Unmodelled pricing fields stay in the status's `raw`
/// (no `extra` map here: statuses come in bulk and flattening costs a buffer).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Pricing {
    /// `PMP` (or legacy `CBP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing_model: Option<String>,
    /// `marketing`, `utility`, `authentication`, `service`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `regular`, `free_customer_service`, `free_entry_point`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub pricing_type: Option<String>,
    /// Deprecated under PMP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable: Option<bool>,
}

/// A status webhook.
#[derive(Clone, Debug, Serialize)]
pub struct StatusEvent {
    /// Routing.
    pub routing: Routing,
    /// The outbound message id.
    pub id: MessageId,
    /// The status.
    pub status: StatusKind,
    /// Unix seconds.
    pub timestamp: i64,
    /// Recipient wa_id (absent when sent to a BSUID).
    pub recipient_id: Option<String>,
    /// Recipient BSUID.
    pub recipient_user_id: Option<String>,
    /// Echo of `biz_opaque_callback_data`.
    pub biz_opaque_callback_data: Option<String>,
    /// Pricing.
    pub pricing: Option<Pricing>,
    /// Legacy conversation object.
    pub conversation: Option<serde_json::Value>,
    /// Errors of a failed status.
    pub errors: Vec<GraphError>,
    /// The status object as received.
    pub raw: RawJson,
}

/// A system-level error.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorEvent {
    /// Routing.
    pub routing: Routing,
    /// The error.
    pub error: GraphError,
}

/// Something this version does not model, kept whole.
#[derive(Clone, Debug, Serialize)]
pub struct UnknownEvent {
    /// The change `field` (`messages`, `message_template_status_update`, ...).
    pub field: String,
    /// Routing, when present.
    pub routing: Option<Routing>,
    /// Why it is unknown.
    pub reason: String,
    /// The raw JSON.
    pub raw: RawJson,
}

impl WebhookEvent {
    /// `message`, `status`, `error`, `call`, `call_status`, `template_status`,
    /// `template_quality`, `template_category`, `phone_number_quality`,
    /// `phone_number_name`, `account_alert`, `account_update`,
    /// `message_echo`, `history`, `app_state_sync` or `unknown`.
    pub fn kind(&self) -> &'static str {
        match self {
            WebhookEvent::Message(_) => "message",
            WebhookEvent::Status(_) => "status",
            WebhookEvent::Error(_) => "error",
            WebhookEvent::Call(_) => "call",
            WebhookEvent::CallStatus(_) => "call_status",
            WebhookEvent::TemplateStatus(_) => "template_status",
            WebhookEvent::TemplateQuality(_) => "template_quality",
            WebhookEvent::TemplateCategory(_) => "template_category",
            WebhookEvent::PhoneNumberQuality(_) => "phone_number_quality",
            WebhookEvent::PhoneNumberName(_) => "phone_number_name",
            WebhookEvent::AccountAlert(_) => "account_alert",
            WebhookEvent::AccountUpdate(_) => "account_update",
            WebhookEvent::MessageEcho(_) => "message_echo",
            WebhookEvent::History(_) => "history",
            WebhookEvent::AppStateSync(_) => "app_state_sync",
            WebhookEvent::Unknown(_) => "unknown",
        }
    }

    /// The routing of the event, when it has one.
    pub fn routing(&self) -> Option<&Routing> {
        Some(match self {
            WebhookEvent::Message(m) => &m.routing,
            WebhookEvent::Status(s) => &s.routing,
            WebhookEvent::Error(e) => &e.routing,
            WebhookEvent::Call(u) => &u.routing,
            WebhookEvent::CallStatus(u) => &u.routing,
            WebhookEvent::TemplateStatus(u) => &u.routing,
            WebhookEvent::TemplateQuality(u) => &u.routing,
            WebhookEvent::TemplateCategory(u) => &u.routing,
            WebhookEvent::PhoneNumberQuality(u) => &u.routing,
            WebhookEvent::PhoneNumberName(u) => &u.routing,
            WebhookEvent::AccountAlert(u) => &u.routing,
            WebhookEvent::AccountUpdate(u) => &u.routing,
            WebhookEvent::MessageEcho(u) => &u.routing,
            WebhookEvent::History(u) => &u.routing,
            WebhookEvent::AppStateSync(u) => &u.routing,
            WebhookEvent::Unknown(u) => return u.routing.as_ref(),
        })
    }

    /// The routing to fill in (an unknown event without one gets one).
    pub(super) fn routing_mut(&mut self) -> &mut Routing {
        match self {
            WebhookEvent::Message(m) => &mut m.routing,
            WebhookEvent::Status(s) => &mut s.routing,
            WebhookEvent::Error(e) => &mut e.routing,
            WebhookEvent::Call(u) => &mut u.routing,
            WebhookEvent::CallStatus(u) => &mut u.routing,
            WebhookEvent::TemplateStatus(u) => &mut u.routing,
            WebhookEvent::TemplateQuality(u) => &mut u.routing,
            WebhookEvent::TemplateCategory(u) => &mut u.routing,
            WebhookEvent::PhoneNumberQuality(u) => &mut u.routing,
            WebhookEvent::PhoneNumberName(u) => &mut u.routing,
            WebhookEvent::AccountAlert(u) => &mut u.routing,
            WebhookEvent::AccountUpdate(u) => &mut u.routing,
            WebhookEvent::MessageEcho(u) => &mut u.routing,
            WebhookEvent::History(u) => &mut u.routing,
            WebhookEvent::AppStateSync(u) => &mut u.routing,
            WebhookEvent::Unknown(u) => u.routing.get_or_insert_with(Routing::default),
        }
    }

    /// The business number the event belongs to (none for account-level
    /// updates, which carry no `metadata`).
    pub fn phone_number_id(&self) -> Option<&str> {
        match self {
            WebhookEvent::Message(_)
            | WebhookEvent::Status(_)
            | WebhookEvent::Error(_)
            | WebhookEvent::Unknown(_) => self.routing().map(|r| r.phone_number_id.as_str()),
            _ => self
                .routing()
                .map(|r| r.phone_number_id.as_str())
                .filter(|id| !id.is_empty()),
        }
    }

    /// The event's JSON as received (none for a system error, which is typed
    /// whole).
    pub fn raw(&self) -> Option<&RawJson> {
        Some(match self {
            WebhookEvent::Message(m) => &m.raw,
            WebhookEvent::Status(s) => &s.raw,
            WebhookEvent::Error(_) => return None,
            WebhookEvent::Call(u) => &u.raw,
            WebhookEvent::CallStatus(u) => &u.raw,
            WebhookEvent::TemplateStatus(u) => &u.raw,
            WebhookEvent::TemplateQuality(u) => &u.raw,
            WebhookEvent::TemplateCategory(u) => &u.raw,
            WebhookEvent::PhoneNumberQuality(u) => &u.raw,
            WebhookEvent::PhoneNumberName(u) => &u.raw,
            WebhookEvent::AccountAlert(u) => &u.raw,
            WebhookEvent::AccountUpdate(u) => &u.raw,
            WebhookEvent::MessageEcho(u) => &u.raw,
            WebhookEvent::History(u) => &u.raw,
            WebhookEvent::AppStateSync(u) => &u.raw,
            WebhookEvent::Unknown(u) => &u.raw,
        })
    }
}
