//! Webhook events as a Swift enum with one case per kind; every payload is the
//! core's own type (remote records), and each carries the untouched source JSON
//! in its `raw` field.

use std::sync::Arc;

use wacrm::GraphError;
use wacrm::error::ErrorData;
use wacrm::ids::MessageId;
use wacrm::webhook::{
    AccountAlert, AccountUpdate, AlertInfo, AppStateSync, Call, CallSession, CallStatus,
    ContactInfo, ErrorEvent, History, HistoryChunk, HistoryThread, InteractiveReply, LocationInfo,
    MediaInfo, MessageContent, MessageEcho, PhoneNumberName, PhoneNumberQuality, Pricing, RawJson,
    Referral, ReplyContext, Routing, StatusEvent, StatusKind, SyncMeta, SyncedContact,
    UnknownEvent, Update,
};

use crate::WacrmError;
use crate::values::{Json, JsonObject};

/// Which business account and number an event is for.
#[uniffi::remote(Record)]
pub struct Routing {
    pub waba_id: String,
    pub phone_number_id: String,
    pub display_phone_number: String,
}

/// The customer as the webhook names them.
#[uniffi::remote(Record)]
pub struct ContactInfo {
    pub name: Option<String>,
    pub username: Option<String>,
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
    pub parent_user_id: Option<String>,
}

/// Media received (download it with `Client.mediaUrl`).
#[uniffi::remote(Record)]
pub struct MediaInfo {
    pub id: String,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub filename: Option<String>,
    pub voice: Option<bool>,
    pub animated: Option<bool>,
    /// Fields this version does not model.
    pub extra: JsonObject,
}

/// A location received.
#[uniffi::remote(Record)]
pub struct LocationInfo {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
    /// Fields this version does not model.
    pub extra: JsonObject,
}

/// The customer tapped a button or a list row, or answered a flow.
#[uniffi::remote(Enum)]
pub enum InteractiveReply {
    ButtonReply {
        id: String,
        title: String,
    },
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    NfmReply {
        name: Option<String>,
        body: Option<String>,
        response_json: Option<String>,
    },
    Other {
        reply_type: String,
    },
}

/// What an inbound (or echoed) message holds.
#[uniffi::remote(Enum)]
pub enum MessageContent {
    Text {
        body: String,
    },
    Image(MediaInfo),
    Audio(MediaInfo),
    Video(MediaInfo),
    Document(MediaInfo),
    Sticker(MediaInfo),
    Location(LocationInfo),
    Contacts {
        contacts: Vec<Json>,
    },
    Interactive(InteractiveReply),
    Button {
        text: String,
        payload: Option<String>,
    },
    Reaction {
        message_id: String,
        emoji: Option<String>,
    },
    Order {
        catalog_id: Option<String>,
        product_items: Vec<Json>,
        text: Option<String>,
    },
    System {
        body: Option<String>,
        system_type: Option<String>,
        wa_id: Option<String>,
        user_id: Option<String>,
    },
    RequestWelcome,
    Unsupported,
    Unknown {
        type_name: String,
    },
}

/// The message a customer replied to or forwarded.
#[uniffi::remote(Record)]
pub struct ReplyContext {
    pub from: Option<String>,
    pub id: Option<String>,
    pub forwarded: Option<bool>,
    pub frequently_forwarded: Option<bool>,
    pub referred_product: Option<Json>,
    /// Fields this version does not model.
    pub extra: JsonObject,
}

/// The ad or post a conversation started from.
#[uniffi::remote(Record)]
pub struct Referral {
    pub source_url: Option<String>,
    pub source_id: Option<String>,
    pub source_type: Option<String>,
    pub headline: Option<String>,
    pub body: Option<String>,
    pub ctwa_clid: Option<String>,
    /// Fields this version does not model.
    pub extra: JsonObject,
}

/// A delivery status.
#[uniffi::remote(Enum)]
pub enum StatusKind {
    Sent,
    Delivered,
    Read,
    Played,
    Failed,
    Other(String),
}

/// How a message is billed.
#[uniffi::remote(Record)]
pub struct Pricing {
    pub pricing_model: Option<String>,
    pub category: Option<String>,
    pub pricing_type: Option<String>,
    pub billable: Option<bool>,
}

/// Graph `error_data`: an object or plain text.
#[uniffi::remote(Enum)]
pub enum ErrorData {
    Object {
        details: Option<String>,
        messaging_product: Option<String>,
    },
    Text(String),
}

/// A Graph API error object.
#[uniffi::remote(Record)]
pub struct GraphError {
    pub code: i64,
    pub subcode: Option<i64>,
    pub message: String,
    pub error_type: Option<String>,
    pub title: Option<String>,
    pub error_data: Option<ErrorData>,
    pub fbtrace_id: Option<String>,
    pub is_transient: Option<bool>,
    pub error_user_title: Option<String>,
    pub error_user_msg: Option<String>,
    pub href: Option<String>,
}

/// A customer message.
#[derive(Clone, Debug, uniffi::Record)]
pub struct InboundEvent {
    pub routing: Routing,
    pub id: MessageId,
    /// The sender's phone-based id, when shared.
    pub from: Option<String>,
    /// The sender's business-scoped user id.
    pub from_user_id: Option<String>,
    pub from_parent_user_id: Option<String>,
    /// Seconds since the epoch.
    pub timestamp: i64,
    pub contact: Option<ContactInfo>,
    pub context: Option<ReplyContext>,
    pub referral: Option<Referral>,
    pub content: MessageContent,
    pub errors: Vec<GraphError>,
    /// The message's source JSON.
    pub raw: RawJson,
}

impl From<wacrm::webhook::InboundEvent> for InboundEvent {
    fn from(m: wacrm::webhook::InboundEvent) -> Self {
        InboundEvent {
            routing: m.routing,
            id: m.id,
            from: m.from,
            from_user_id: m.from_user_id,
            from_parent_user_id: m.from_parent_user_id,
            timestamp: m.timestamp,
            contact: m.contact,
            context: m.context.map(|c| *c),
            referral: m.referral.map(|r| *r),
            content: m.content,
            errors: m.errors,
            raw: m.raw,
        }
    }
}

/// A status of a message the business sent.
#[uniffi::remote(Record)]
pub struct StatusEvent {
    pub routing: Routing,
    pub id: MessageId,
    pub status: StatusKind,
    pub timestamp: i64,
    pub recipient_id: Option<String>,
    pub recipient_user_id: Option<String>,
    pub biz_opaque_callback_data: Option<String>,
    pub pricing: Option<Pricing>,
    pub conversation: Option<Json>,
    pub errors: Vec<GraphError>,
    pub raw: RawJson,
}

/// An error Meta reports for the number or account.
#[uniffi::remote(Record)]
pub struct ErrorEvent {
    pub routing: Routing,
    pub error: GraphError,
}

/// A change this version does not know, kept whole in `raw`.
#[uniffi::remote(Record)]
pub struct UnknownEvent {
    pub field: String,
    pub routing: Option<Routing>,
    pub reason: String,
    pub raw: RawJson,
}

/// Names the core's webhook types so they do not clash with the template
/// types of the management API.
pub type TemplateStatusChange = wacrm::webhook::TemplateStatus;
/// See [`TemplateStatusChange`].
pub type TemplateQualityChange = wacrm::webhook::TemplateQuality;
/// See [`TemplateStatusChange`].
pub type TemplateCategoryChange = wacrm::webhook::TemplateCategory;

#[uniffi::remote(Record)]
pub struct TemplateStatusChange {
    pub event: String,
    pub template_id: Option<String>,
    pub template_name: Option<String>,
    pub language: Option<String>,
    pub reason: Option<String>,
    pub category: Option<String>,
    pub disable_info: Option<Json>,
    pub other_info: Option<Json>,
}

#[uniffi::remote(Record)]
pub struct TemplateQualityChange {
    pub previous_quality_score: Option<String>,
    pub new_quality_score: Option<String>,
    pub template_id: Option<String>,
    pub template_name: Option<String>,
    pub language: Option<String>,
}

#[uniffi::remote(Record)]
pub struct TemplateCategoryChange {
    pub template_id: Option<String>,
    pub template_name: Option<String>,
    pub language: Option<String>,
    pub previous_category: Option<String>,
    pub new_category: Option<String>,
    pub correct_category: Option<String>,
    pub category_update_timestamp: Option<i64>,
}

#[uniffi::remote(Record)]
pub struct PhoneNumberQuality {
    pub display_phone_number: Option<String>,
    pub event: String,
    pub old_limit: Option<String>,
    pub current_limit: Option<String>,
    pub max_daily_conversations_per_business: Option<String>,
}

#[uniffi::remote(Record)]
pub struct PhoneNumberName {
    pub display_phone_number: Option<String>,
    pub decision: String,
    pub requested_verified_name: Option<String>,
    pub rejection_reason: Option<String>,
}

#[uniffi::remote(Record)]
pub struct AlertInfo {
    pub alert_severity: Option<String>,
    pub alert_status: Option<String>,
    pub alert_type: Option<String>,
    pub alert_description: Option<String>,
}

#[uniffi::remote(Record)]
pub struct AccountAlert {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub alert_info: Option<AlertInfo>,
}

#[uniffi::remote(Record)]
pub struct AccountUpdate {
    pub event: String,
    pub phone_number: Option<String>,
    pub ban_info: Option<Json>,
    pub violation_info: Option<Json>,
    pub restriction_info: Option<Json>,
    pub waba_info: Option<Json>,
}

#[uniffi::remote(Record)]
pub struct CallSession {
    pub sdp_type: Option<String>,
    pub sdp: Option<String>,
}

#[uniffi::remote(Record)]
pub struct Call {
    pub id: String,
    pub event: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub direction: Option<String>,
    pub timestamp: Option<i64>,
    pub session: Option<CallSession>,
    pub status: Option<String>,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    pub duration: Option<i64>,
    pub biz_opaque_callback_data: Option<String>,
    pub errors: Vec<GraphError>,
    pub contact: Option<ContactInfo>,
}

#[uniffi::remote(Record)]
pub struct CallStatus {
    pub id: String,
    pub status: String,
    pub status_type: Option<String>,
    pub timestamp: Option<i64>,
    pub recipient_id: Option<String>,
    pub recipient_user_id: Option<String>,
    pub biz_opaque_callback_data: Option<String>,
}

#[uniffi::remote(Record)]
pub struct MessageEcho {
    pub id: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub timestamp: i64,
    pub content: MessageContent,
}

#[uniffi::remote(Record)]
pub struct HistoryChunk {
    pub phase: Option<i64>,
    pub chunk_order: Option<i64>,
    pub progress: Option<i64>,
}

#[uniffi::remote(Record)]
pub struct HistoryThread {
    pub id: String,
    pub messages: Vec<Json>,
}

#[uniffi::remote(Record)]
pub struct History {
    pub metadata: Option<HistoryChunk>,
    pub threads: Vec<HistoryThread>,
    pub errors: Vec<GraphError>,
}

#[uniffi::remote(Record)]
pub struct SyncedContact {
    pub full_name: Option<String>,
    pub first_name: Option<String>,
    pub phone_number: Option<String>,
}

#[uniffi::remote(Record)]
pub struct SyncMeta {
    pub timestamp: Option<i64>,
}

#[uniffi::remote(Record)]
pub struct AppStateSync {
    pub sync_type: String,
    pub contact: Option<SyncedContact>,
    pub action: Option<String>,
    pub metadata: Option<SyncMeta>,
}

/// Each account-level change: the routing, the webhook `field`, the typed data
/// and the change's source JSON in `raw`.
macro_rules! updates {
    ($($alias:ident = $data:ident),* $(,)?) => {$(
        #[doc = concat!("A `", stringify!($data), "` change with its routing and source JSON.")]
        pub type $alias = Update<$data>;

        #[uniffi::remote(Record)]
        pub struct $alias {
            pub routing: Routing,
            pub field: String,
            pub data: $data,
            pub raw: RawJson,
        }
    )*};
}

updates! {
    CallUpdate = Call,
    CallStatusUpdate = CallStatus,
    TemplateStatusUpdate = TemplateStatusChange,
    TemplateQualityUpdate = TemplateQualityChange,
    TemplateCategoryUpdate = TemplateCategoryChange,
    PhoneNumberQualityUpdate = PhoneNumberQuality,
    PhoneNumberNameUpdate = PhoneNumberName,
    AccountAlertUpdate = AccountAlert,
    AccountUpdateUpdate = AccountUpdate,
    MessageEchoUpdate = MessageEcho,
    HistoryUpdate = History,
    AppStateSyncUpdate = AppStateSync,
}

/// One webhook event, one case per kind.
// Unboxed on purpose: uniffi carries no `Box`, and an event only lives while it
// crosses the FFI.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, uniffi::Enum)]
pub enum WebhookEvent {
    Message {
        event: InboundEvent,
    },
    Status {
        event: StatusEvent,
    },
    Error {
        event: ErrorEvent,
    },
    Call {
        event: CallUpdate,
    },
    CallStatus {
        event: CallStatusUpdate,
    },
    TemplateStatus {
        event: TemplateStatusUpdate,
    },
    TemplateQuality {
        event: TemplateQualityUpdate,
    },
    TemplateCategory {
        event: TemplateCategoryUpdate,
    },
    PhoneNumberQuality {
        event: PhoneNumberQualityUpdate,
    },
    PhoneNumberName {
        event: PhoneNumberNameUpdate,
    },
    AccountAlert {
        event: AccountAlertUpdate,
    },
    AccountUpdate {
        event: AccountUpdateUpdate,
    },
    MessageEcho {
        event: MessageEchoUpdate,
    },
    History {
        event: HistoryUpdate,
    },
    AppStateSync {
        event: AppStateSyncUpdate,
    },
    /// A field or shape this version does not model; `raw` holds it whole.
    Unknown {
        event: UnknownEvent,
    },
}

impl From<wacrm::webhook::WebhookEvent> for WebhookEvent {
    fn from(e: wacrm::webhook::WebhookEvent) -> Self {
        use wacrm::webhook::WebhookEvent as E;
        match e {
            E::Message(m) => WebhookEvent::Message { event: (*m).into() },
            E::Status(s) => WebhookEvent::Status { event: *s },
            E::Error(x) => WebhookEvent::Error { event: *x },
            E::Call(u) => WebhookEvent::Call { event: *u },
            E::CallStatus(u) => WebhookEvent::CallStatus { event: *u },
            E::TemplateStatus(u) => WebhookEvent::TemplateStatus { event: *u },
            E::TemplateQuality(u) => WebhookEvent::TemplateQuality { event: *u },
            E::TemplateCategory(u) => WebhookEvent::TemplateCategory { event: *u },
            E::PhoneNumberQuality(u) => WebhookEvent::PhoneNumberQuality { event: *u },
            E::PhoneNumberName(u) => WebhookEvent::PhoneNumberName { event: *u },
            E::AccountAlert(u) => WebhookEvent::AccountAlert { event: *u },
            E::AccountUpdate(u) => WebhookEvent::AccountUpdate { event: *u },
            E::MessageEcho(u) => WebhookEvent::MessageEcho { event: *u },
            E::History(u) => WebhookEvent::History { event: *u },
            E::AppStateSync(u) => WebhookEvent::AppStateSync { event: *u },
            E::Unknown(u) => WebhookEvent::Unknown { event: *u },
        }
    }
}

/// Verify `X-Hub-Signature-256` over the raw body bytes.
#[uniffi::export]
pub fn webhook_verify(
    app_secret: String,
    body: Vec<u8>,
    signature: Option<String>,
) -> Result<(), WacrmError> {
    wacrm::webhook::SignatureVerifier::new(app_secret)
        .verify(&body, signature.as_deref())
        .map_err(Into::into)
}

/// Parse a webhook body into typed events; never fails on unknown types.
#[uniffi::export]
pub fn webhook_parse(body: Vec<u8>) -> Result<Vec<WebhookEvent>, WacrmError> {
    Ok(wacrm::webhook::parse_body(&body)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Receives webhook events, implemented in Swift (or any foreign language).
#[uniffi::export(with_foreign)]
pub trait EventSink: Send + Sync {
    /// One event.
    fn on_event(&self, event: WebhookEvent);
}

/// Verify a webhook body's signature, parse it and hand each event to `sink`
/// in order; returns how many events were delivered.
#[uniffi::export]
pub fn webhook_dispatch(
    app_secret: String,
    body: Vec<u8>,
    signature: Option<String>,
    sink: Arc<dyn EventSink>,
) -> Result<u32, WacrmError> {
    let verifier = wacrm::webhook::SignatureVerifier::new(app_secret);
    let events = wacrm::webhook::verify_and_parse(&verifier, &body, signature.as_deref())?;
    let n = events.len() as u32;
    for e in events {
        sink.on_event(e.into());
    }
    Ok(n)
}
