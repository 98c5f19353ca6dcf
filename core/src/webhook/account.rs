//! Typed events of the change `field`s other than `messages`: calls, template
//! and phone-number updates, account alerts and updates, and the WhatsApp
//! Business app coexistence fields (echoes, history, contact sync). Shapes
//! follow Meta's webhook reference; every event keeps its raw JSON, so a field
//! not modelled here is never lost.

use serde::{Deserialize, Serialize};

use super::raw::RawJson;
use super::types::{ContactInfo, MessageContent, Routing};
use crate::error::GraphError;

/// One non-message change (or one element of its array), typed as `T`.
#[derive(Clone, Debug, Serialize)]
pub struct Update<T> {
    /// Which account (`entry[].id`) and, when the value carries `metadata`,
    /// which business number.
    pub routing: Routing,
    /// The change `field` as received.
    pub field: String,
    /// The typed part.
    pub data: T,
    /// The object as received (the change's value, or the array element).
    pub raw: RawJson,
}

/// An id Meta sends as a number in some fields and as a string in others,
/// kept as text.
pub(super) mod id_text {
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Int(u64),
        Signed(i64),
    }

    pub(in super::super) fn de<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<String>, D::Error> {
        Ok(Option::<Either>::deserialize(d)?.map(|e| match e {
            Either::Text(s) => s,
            Either::Int(n) => n.to_string(),
            Either::Signed(n) => n.to_string(),
        }))
    }
}

/// Seconds or other integers Meta sends as a number or as a string.
pub(super) mod int_text {
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Int(i64),
        Float(f64),
        Text(String),
    }

    pub(in super::super) fn de<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<i64>, D::Error> {
        Ok(Option::<Either>::deserialize(d)?.and_then(|e| match e {
            Either::Int(n) => Some(n),
            Either::Float(f) => Some(f as i64),
            Either::Text(s) => s.trim().parse().ok(),
        }))
    }
}

/// `message_template_status_update`: a template was approved, rejected,
/// paused, disabled, archived, ...
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateStatus {
    /// `APPROVED`, `REJECTED`, `PAUSED`, `DISABLED`, `PENDING_DELETION`, ...
    #[serde(default)]
    pub event: String,
    /// Template id.
    #[serde(
        default,
        rename = "message_template_id",
        deserialize_with = "id_text::de"
    )]
    pub template_id: Option<String>,
    /// Template name.
    #[serde(default, rename = "message_template_name")]
    pub template_name: Option<String>,
    /// Language and locale (`en_US`).
    #[serde(default, rename = "message_template_language")]
    pub language: Option<String>,
    /// Why (`NONE` on approval, a rejection reason, ...).
    #[serde(default)]
    pub reason: Option<String>,
    /// Template category, when sent.
    #[serde(default, rename = "message_template_category")]
    pub category: Option<String>,
    /// When a disabled template stops working (`disable_info`).
    #[serde(default)]
    pub disable_info: Option<serde_json::Value>,
    /// Title and description of a lock or unlock (`other_info`).
    #[serde(default)]
    pub other_info: Option<serde_json::Value>,
}

/// `message_template_quality_update`: a template's quality score changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateQuality {
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    #[serde(default)]
    pub previous_quality_score: Option<String>,
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    #[serde(default)]
    pub new_quality_score: Option<String>,
    /// Template id.
    #[serde(
        default,
        rename = "message_template_id",
        deserialize_with = "id_text::de"
    )]
    pub template_id: Option<String>,
    /// Template name.
    #[serde(default, rename = "message_template_name")]
    pub template_name: Option<String>,
    /// Language and locale.
    #[serde(default, rename = "message_template_language")]
    pub language: Option<String>,
}

/// `template_category_update`: a template's category changed, or will.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateCategory {
    /// Template id.
    #[serde(
        default,
        rename = "message_template_id",
        deserialize_with = "id_text::de"
    )]
    pub template_id: Option<String>,
    /// Template name.
    #[serde(default, rename = "message_template_name")]
    pub template_name: Option<String>,
    /// Language and locale.
    #[serde(default, rename = "message_template_language")]
    pub language: Option<String>,
    /// The category before a completed change.
    #[serde(default)]
    pub previous_category: Option<String>,
    /// The category now (or, for an impending change, the current one).
    #[serde(default)]
    pub new_category: Option<String>,
    /// For an impending change: the category it will get.
    #[serde(default)]
    pub correct_category: Option<String>,
    /// For an impending change: when it happens (unix seconds).
    #[serde(default, deserialize_with = "int_text::de")]
    pub category_update_timestamp: Option<i64>,
}

/// `phone_number_quality_update`: a number's messaging limit or throughput
/// changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumberQuality {
    /// The business display number.
    #[serde(default)]
    pub display_phone_number: Option<String>,
    /// `FLAGGED`, `UNFLAGGED`, `UPGRADE`, `DOWNGRADE`, `THROUGHPUT_UPGRADE`, ...
    #[serde(default)]
    pub event: String,
    /// The previous limit (limit changes only).
    #[serde(default)]
    pub old_limit: Option<String>,
    /// The limit now (`TIER_1K`, ...; being replaced by the next field).
    #[serde(default)]
    pub current_limit: Option<String>,
    /// The portfolio's daily limit.
    #[serde(default)]
    pub max_daily_conversations_per_business: Option<String>,
}

/// `phone_number_name_update`: a display-name review decided.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumberName {
    /// The business display number.
    #[serde(default)]
    pub display_phone_number: Option<String>,
    /// `APPROVED`, `REJECTED`, `DEFERRED`, `PENDING`.
    #[serde(default)]
    pub decision: String,
    /// The name asked for.
    #[serde(default)]
    pub requested_verified_name: Option<String>,
    /// Why it was rejected.
    #[serde(default)]
    pub rejection_reason: Option<String>,
}

/// `alert_info` of an account alert.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertInfo {
    /// `CRITICAL`, `WARNING`, `INFORMATIONAL`.
    #[serde(default)]
    pub alert_severity: Option<String>,
    /// `ACTIVE`, `NONE`.
    #[serde(default)]
    pub alert_status: Option<String>,
    /// `OBA_APPROVED`, `PROFILE_PICTURE_LOST`, ...
    #[serde(default)]
    pub alert_type: Option<String>,
    /// Human-readable text.
    #[serde(default)]
    pub alert_description: Option<String>,
}

/// `account_alerts`: messaging-limit, profile or Official Business Account
/// alerts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountAlert {
    /// `BUSINESS`, `WABA`, `PHONE_NUMBER`.
    #[serde(default)]
    pub entity_type: Option<String>,
    /// The id of that entity.
    #[serde(default, deserialize_with = "id_text::de")]
    pub entity_id: Option<String>,
    /// The alert.
    #[serde(default)]
    pub alert_info: Option<AlertInfo>,
}

/// `account_update`: verification, bans, restrictions, violations, partner
/// changes, pricing tier changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountUpdate {
    /// `VERIFIED_ACCOUNT`, `DISABLED_UPDATE`, `ACCOUNT_VIOLATION`,
    /// `ACCOUNT_RESTRICTION`, `PARTNER_ADDED`, `VOLUME_BASED_PRICING_TIER_UPDATE`, ...
    #[serde(default)]
    pub event: String,
    /// The number concerned, when one is.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// `ban_info` (ban state and date).
    #[serde(default)]
    pub ban_info: Option<serde_json::Value>,
    /// `violation_info`.
    #[serde(default)]
    pub violation_info: Option<serde_json::Value>,
    /// `restriction_info` (restriction types and expiry).
    #[serde(default)]
    pub restriction_info: Option<serde_json::Value>,
    /// `waba_info` (partner and owner ids).
    #[serde(default)]
    pub waba_info: Option<serde_json::Value>,
}

/// The SDP of a call connect.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CallSession {
    /// `offer` (user-initiated) or `answer` (business-initiated).
    #[serde(default)]
    pub sdp_type: Option<String>,
    /// The SDP text (RFC 4566).
    #[serde(default)]
    pub sdp: Option<String>,
}

/// One element of `calls[]` in a `calls` change: a call connected or ended.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// Call id (`wacid.…`).
    #[serde(default)]
    pub id: String,
    /// `connect` or `terminate`.
    #[serde(default)]
    pub event: String,
    /// Caller wa_id (or the business number, business-initiated).
    #[serde(default)]
    pub from: Option<String>,
    /// Callee.
    #[serde(default)]
    pub to: Option<String>,
    /// `USER_INITIATED` or `BUSINESS_INITIATED`.
    #[serde(default)]
    pub direction: Option<String>,
    /// Unix seconds.
    #[serde(default, deserialize_with = "int_text::de")]
    pub timestamp: Option<i64>,
    /// The SDP (connect).
    #[serde(default)]
    pub session: Option<CallSession>,
    /// `COMPLETED` or `FAILED` (terminate; Meta has sent both cases).
    #[serde(default)]
    pub status: Option<String>,
    /// Unix seconds the call started (terminate).
    #[serde(default, deserialize_with = "int_text::de")]
    pub start_time: Option<i64>,
    /// Unix seconds the call ended (terminate).
    #[serde(default, deserialize_with = "int_text::de")]
    pub end_time: Option<i64>,
    /// Seconds (terminate).
    #[serde(default, deserialize_with = "int_text::de")]
    pub duration: Option<i64>,
    /// Echo of `biz_opaque_callback_data`.
    #[serde(default)]
    pub biz_opaque_callback_data: Option<String>,
    /// Errors of a failed call.
    #[serde(default)]
    pub errors: Vec<GraphError>,
    /// The caller's profile from the change's `contacts[]`.
    #[serde(skip_deserializing)]
    pub contact: Option<ContactInfo>,
}

/// One element of `statuses[]` in a `calls` change: a business-initiated
/// call is ringing, accepted or rejected.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CallStatus {
    /// Call id.
    #[serde(default)]
    pub id: String,
    /// `RINGING`, `ACCEPTED`, `REJECTED`.
    #[serde(default)]
    pub status: String,
    /// `call`.
    #[serde(default, rename = "type")]
    pub status_type: Option<String>,
    /// Unix seconds.
    #[serde(default, deserialize_with = "int_text::de")]
    pub timestamp: Option<i64>,
    /// The callee's wa_id.
    #[serde(default)]
    pub recipient_id: Option<String>,
    /// The callee's BSUID.
    #[serde(default)]
    pub recipient_user_id: Option<String>,
    /// Echo of `biz_opaque_callback_data`.
    #[serde(default)]
    pub biz_opaque_callback_data: Option<String>,
}

/// One element of `message_echoes[]`: a message the business sent from the
/// WhatsApp Business app (coexistence).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MessageEcho {
    /// Message id.
    pub id: String,
    /// The business number it was sent from.
    pub from: Option<String>,
    /// The customer it was sent to.
    pub to: Option<String>,
    /// Unix seconds.
    pub timestamp: i64,
    /// Content, typed as an inbound message's.
    pub content: MessageContent,
}

/// `metadata` of a history chunk.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryChunk {
    /// 0 (day 0–1), 1 (day 1–90), 2 (day 90–180).
    #[serde(default, deserialize_with = "int_text::de")]
    pub phase: Option<i64>,
    /// Order of this chunk in its phase.
    #[serde(default, deserialize_with = "int_text::de")]
    pub chunk_order: Option<i64>,
    /// Percent done.
    #[serde(default, deserialize_with = "int_text::de")]
    pub progress: Option<i64>,
}

/// One chat of a history chunk.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryThread {
    /// The customer's wa_id.
    #[serde(default)]
    pub id: String,
    /// Its messages, as received (each with a `history_context`).
    #[serde(default)]
    pub messages: Vec<serde_json::Value>,
}

/// One element of `history[]`: a chunk of WhatsApp Business app chat history
/// shared at onboarding, or the errors of a declined share.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Phase, chunk and progress.
    #[serde(default)]
    pub metadata: Option<HistoryChunk>,
    /// Chats.
    #[serde(default)]
    pub threads: Vec<HistoryThread>,
    /// Errors (history sharing declined: code 2593109).
    #[serde(default)]
    pub errors: Vec<GraphError>,
}

/// A contact of the WhatsApp Business app's address book.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncedContact {
    /// Full name.
    #[serde(default)]
    pub full_name: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Number as saved.
    #[serde(default)]
    pub phone_number: Option<String>,
}

/// `metadata` of a state sync.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncMeta {
    /// Unix seconds.
    #[serde(default, deserialize_with = "int_text::de")]
    pub timestamp: Option<i64>,
}

/// One element of `state_sync[]` in `smb_app_state_sync`: a WhatsApp Business
/// app contact added, edited or removed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AppStateSync {
    /// `contact`.
    #[serde(default, rename = "type")]
    pub sync_type: String,
    /// The contact.
    #[serde(default)]
    pub contact: Option<SyncedContact>,
    /// `add` or `remove`.
    #[serde(default)]
    pub action: Option<String>,
    /// When.
    #[serde(default)]
    pub metadata: Option<SyncMeta>,
}
