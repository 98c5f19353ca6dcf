//! How the core's plain values cross the FFI: identifier newtypes as strings,
//! sets as lists, ordered maps as dictionaries, arbitrary JSON (a flow payload,
//! a template component, a contact's attributes) as the typed `JsonValue` tree,
//! and a webhook's untouched source as the `raw` string.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use wacrm::E164;
use wacrm::ids::{
    AgentId, ContactId, ConversationId, IdempotencyKey, MediaId, MessageId, PhoneNumberId,
    TemplateId,
};
use wacrm::ids::{Bsuid, Recipient, WaId};
use wacrm::webhook::RawJson;

/// Any JSON value, as a typed tree (never a string to parse).
#[derive(Clone, Debug, PartialEq, uniffi::Enum)]
pub enum JsonValue {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool { value: bool },
    /// A number that fits a signed 64-bit integer.
    Int { value: i64 },
    /// Any other number.
    Float { value: f64 },
    /// A string.
    Text { value: String },
    /// An array.
    Array { items: Vec<JsonValue> },
    /// An object.
    Object { fields: HashMap<String, JsonValue> },
}

/// The core's JSON value type, renamed so the generated code names the bridge `Json`.
pub type Json = serde_json::Value;
/// A JSON object (unknown fields kept next to the typed ones).
pub type JsonObject = serde_json::Map<String, Json>;
/// Free-form contact or filter attributes.
pub type Attributes = BTreeMap<String, Json>;
/// When a message reached each status (milliseconds since the epoch).
pub type StatusTimes = BTreeMap<String, i64>;
/// An ordered set of names (tags, skills, teams).
pub type StringSet = BTreeSet<String>;

impl From<Json> for JsonValue {
    fn from(v: Json) -> Self {
        match v {
            Json::Null => JsonValue::Null,
            Json::Bool(value) => JsonValue::Bool { value },
            Json::Number(n) => match n.as_i64() {
                Some(value) => JsonValue::Int { value },
                None => JsonValue::Float {
                    value: n.as_f64().unwrap_or(f64::NAN),
                },
            },
            Json::String(value) => JsonValue::Text { value },
            Json::Array(a) => JsonValue::Array {
                items: a.into_iter().map(Into::into).collect(),
            },
            Json::Object(o) => JsonValue::Object {
                fields: object_out(o),
            },
        }
    }
}

impl From<JsonValue> for Json {
    fn from(v: JsonValue) -> Self {
        match v {
            JsonValue::Null => Json::Null,
            JsonValue::Bool { value } => Json::Bool(value),
            JsonValue::Int { value } => Json::from(value),
            // JSON has no NaN or infinity: those become null, as serde_json does.
            JsonValue::Float { value } => Json::from(value),
            JsonValue::Text { value } => Json::String(value),
            JsonValue::Array { items } => Json::Array(items.into_iter().map(Into::into).collect()),
            JsonValue::Object { fields } => Json::Object(object_in(fields)),
        }
    }
}

fn object_out(o: JsonObject) -> HashMap<String, JsonValue> {
    o.into_iter().map(|(k, v)| (k, v.into())).collect()
}

fn object_in(m: HashMap<String, JsonValue>) -> JsonObject {
    m.into_iter().map(|(k, v)| (k, v.into())).collect()
}

uniffi::custom_type!(Json, JsonValue, {
    remote,
    lower: |v| JsonValue::from(v),
    try_lift: |v| Ok(Json::from(v)),
});

uniffi::custom_type!(JsonObject, HashMap<String, JsonValue>, {
    remote,
    lower: |v| object_out(v),
    try_lift: |v| Ok(object_in(v)),
});

uniffi::custom_type!(Attributes, HashMap<String, JsonValue>, {
    remote,
    lower: |v| v.into_iter().map(|(k, v)| (k, v.into())).collect(),
    try_lift: |v| Ok(v.into_iter().map(|(k, v)| (k, Json::from(v))).collect()),
});

uniffi::custom_type!(StatusTimes, HashMap<String, i64>, {
    remote,
    lower: |v| v.into_iter().collect(),
    try_lift: |v| Ok(v.into_iter().collect()),
});

uniffi::custom_type!(StringSet, Vec<String>, {
    remote,
    lower: |v| v.into_iter().collect(),
    try_lift: |v| Ok(v.into_iter().collect()),
});

// The untouched JSON a webhook event came from: the one JSON string the API
// hands out, always in a field named `raw`.
uniffi::custom_type!(RawJson, String, {
    remote,
    lower: |v| v.get().to_string(),
    try_lift: |v| Ok(RawJson::from_string(v)),
});

/// Validated identifiers cross as plain strings; a string that does not
/// validate is a `WacrmError::Validation` naming the field.
macro_rules! checked_ids {
    ($($t:ident),*) => {$(
        uniffi::custom_type!($t, String, {
            remote,
            lower: |v| String::from(v),
            try_lift: |v| Ok($t::try_from(v)?),
        });
    )*};
}

checked_ids!(E164, WaId, Bsuid);

// Any string is a recipient (a BSUID when it reads as one, else a phone that
// the send checks), so lifting cannot fail.
uniffi::custom_type!(Recipient, String, {
    remote,
    lower: |v| String::from(v),
    try_lift: |v| Ok(Recipient::from(v)),
});

/// Identifier newtypes cross as plain strings.
macro_rules! string_ids {
    ($($t:ident),*) => {$(
        uniffi::custom_type!($t, String, {
            remote,
            lower: |v| v.0,
            try_lift: |v| Ok($t(v)),
        });
    )*};
}

string_ids!(
    AgentId,
    ContactId,
    ConversationId,
    IdempotencyKey,
    MediaId,
    MessageId,
    PhoneNumberId,
    TemplateId
);
