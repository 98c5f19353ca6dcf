//! Meta's wire form of the outbound message types, as serde representations.
//!
//! A message serializes to what goes inside `POST /{phone-number-id}/messages`
//! apart from the addressing and per-send fields (`messaging_product`,
//! `recipient_type`, `to`/`recipient`, `context`, `biz_opaque_callback_data`):
//! `{"type": "text", "text": {"body": "hi", "preview_url": false}}`. That is
//! also the shape of an inbound message's `type` and content in a webhook, so
//! the store keeps one shape for both directions.
//!
//! Meta tags an object with `"type": name` next to a field of that name
//! (`{"type": "image", "image": {...}}`). [`typed_serde!`] gives an enum that
//! shape from its externally tagged derive (`{"image": {...}}`, generated with
//! `#[serde(remote = "Self")]`) plus the `type` field. Types whose Rust shape
//! differs more from the wire (interactive bodies, template components and
//! parameters) convert through the private wire types below.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::messages::{
    FlowAction, Interactive, InteractiveHeader, ListSection, MediaSource, ReplyButton,
    TemplateComponent, TemplateParam,
};

/// Serialize and deserialize `$ty` as `{"type": name, name: payload}`, where
/// `$ty` derives its externally tagged form with `#[serde(remote = "Self")]`
/// and `$ty::$kind(&self) -> &str` names the variant. Deserialization checks
/// that `type` names the payload present.
macro_rules! typed_serde {
    ($ty:ident, $kind:ident) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                fn body<S: serde::Serializer>(v: &&$ty, s: S) -> Result<S::Ok, S::Error> {
                    $ty::serialize(*v, s)
                }
                #[derive(serde::Serialize)]
                struct Typed<'a> {
                    #[serde(rename = "type")]
                    kind: &'a str,
                    #[serde(flatten, serialize_with = "body")]
                    body: &'a $ty,
                }
                serde::Serialize::serialize(
                    &Typed {
                        kind: self.$kind(),
                        body: self,
                    },
                    s,
                )
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[derive(serde::Deserialize)]
                struct Typed {
                    #[serde(rename = "type")]
                    kind: String,
                    #[serde(flatten, deserialize_with = "body")]
                    body: $ty,
                }
                fn body<'de, D: serde::Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                    $ty::deserialize(d)
                }
                let t: Typed = serde::Deserialize::deserialize(d)?;
                if t.kind != t.body.$kind() {
                    return Err(serde::de::Error::custom(format!(
                        "type is {:?} but the payload is {:?}",
                        t.kind,
                        t.body.$kind()
                    )));
                }
                Ok(t.body)
            }
        }
    };
}
pub(super) use typed_serde;

/// `{"text": "..."}`: interactive body and footer.
#[derive(Serialize, Deserialize)]
pub(super) struct TextObject {
    text: String,
}

/// The `interactive` object.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum InteractiveWire {
    Button {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        header: Option<InteractiveHeader>,
        body: TextObject,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<TextObject>,
        action: ButtonsAction,
    },
    List {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        header: Option<InteractiveHeader>,
        body: TextObject,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<TextObject>,
        action: ListAction,
    },
    CtaUrl {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        header: Option<InteractiveHeader>,
        body: TextObject,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<TextObject>,
        action: NamedAction<CtaParams>,
    },
    Flow {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        header: Option<InteractiveHeader>,
        body: TextObject,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<TextObject>,
        action: NamedAction<FlowParams>,
    },
}

#[derive(Serialize, Deserialize)]
pub(super) struct ButtonsAction {
    buttons: Vec<ReplyWire>,
}

/// `{"type": "reply", "reply": {"id", "title"}}`.
#[derive(Serialize, Deserialize)]
pub(super) struct ReplyWire {
    #[serde(rename = "type")]
    kind: String,
    reply: ReplyButton,
}

#[derive(Serialize, Deserialize)]
pub(super) struct ListAction {
    button: String,
    sections: Vec<ListSection>,
}

/// `{"name": "cta_url" | "flow", "parameters": {...}}`.
#[derive(Serialize, Deserialize)]
pub(super) struct NamedAction<P> {
    name: String,
    parameters: P,
}

#[derive(Serialize, Deserialize)]
pub(super) struct CtaParams {
    display_text: String,
    url: String,
}

/// The flow version this library writes; accepted whatever its value on read.
const FLOW_MESSAGE_VERSION: &str = "3";

#[derive(Serialize, Deserialize)]
pub(super) struct FlowParams {
    flow_message_version: String,
    #[serde(flatten)]
    action: FlowAction,
}

fn text(t: String) -> TextObject {
    TextObject { text: t }
}

fn named<P>(name: &str, parameters: P) -> NamedAction<P> {
    NamedAction {
        name: name.into(),
        parameters,
    }
}

/// List, CTA URL and flow messages take a text header only.
fn text_header(h: Option<InteractiveHeader>) -> Result<Option<String>, String> {
    match h {
        None => Ok(None),
        Some(InteractiveHeader::Text(t)) => Ok(Some(t)),
        Some(_) => Err("this interactive type takes a text header only".into()),
    }
}

impl From<Interactive> for InteractiveWire {
    fn from(i: Interactive) -> Self {
        let header = |h: Option<String>| h.map(InteractiveHeader::Text);
        match i {
            Interactive::Buttons {
                header,
                body,
                footer,
                buttons,
            } => InteractiveWire::Button {
                header,
                body: text(body),
                footer: footer.map(text),
                action: ButtonsAction {
                    buttons: buttons
                        .into_iter()
                        .map(|reply| ReplyWire {
                            kind: "reply".into(),
                            reply,
                        })
                        .collect(),
                },
            },
            Interactive::List {
                header: h,
                body,
                footer,
                button,
                sections,
            } => InteractiveWire::List {
                header: header(h),
                body: text(body),
                footer: footer.map(text),
                action: ListAction { button, sections },
            },
            Interactive::CtaUrl {
                header: h,
                body,
                footer,
                display_text,
                url,
            } => InteractiveWire::CtaUrl {
                header: header(h),
                body: text(body),
                footer: footer.map(text),
                action: named("cta_url", CtaParams { display_text, url }),
            },
            Interactive::Flow {
                header: h,
                body,
                footer,
                action,
            } => InteractiveWire::Flow {
                header: header(h),
                body: text(body),
                footer: footer.map(text),
                action: named(
                    "flow",
                    FlowParams {
                        flow_message_version: FLOW_MESSAGE_VERSION.into(),
                        action,
                    },
                ),
            },
        }
    }
}

impl TryFrom<InteractiveWire> for Interactive {
    type Error = String;

    fn try_from(w: InteractiveWire) -> Result<Self, String> {
        let t = |o: Option<TextObject>| o.map(|o| o.text);
        Ok(match w {
            InteractiveWire::Button {
                header,
                body,
                footer,
                action,
            } => Interactive::Buttons {
                header,
                body: body.text,
                footer: t(footer),
                buttons: action.buttons.into_iter().map(|b| b.reply).collect(),
            },
            InteractiveWire::List {
                header,
                body,
                footer,
                action,
            } => Interactive::List {
                header: text_header(header)?,
                body: body.text,
                footer: t(footer),
                button: action.button,
                sections: action.sections,
            },
            InteractiveWire::CtaUrl {
                header,
                body,
                footer,
                action,
            } => Interactive::CtaUrl {
                header: text_header(header)?,
                body: body.text,
                footer: t(footer),
                display_text: action.parameters.display_text,
                url: action.parameters.url,
            },
            InteractiveWire::Flow {
                header,
                body,
                footer,
                action,
            } => Interactive::Flow {
                header: text_header(header)?,
                body: body.text,
                footer: t(footer),
                action: action.parameters.action,
            },
        })
    }
}

/// A template component: `{"type": "body", "parameters": [...]}`.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ComponentWire {
    Header {
        #[serde(default)]
        parameters: Vec<TemplateParam>,
    },
    Body {
        #[serde(default)]
        parameters: Vec<TemplateParam>,
    },
    Button {
        sub_type: String,
        /// Meta takes the button position as a string.
        #[serde(with = "index_string")]
        index: u8,
        #[serde(default)]
        parameters: Vec<TemplateParam>,
    },
}

impl From<TemplateComponent> for ComponentWire {
    fn from(c: TemplateComponent) -> Self {
        match c {
            TemplateComponent::Header(parameters) => ComponentWire::Header { parameters },
            TemplateComponent::Body(parameters) => ComponentWire::Body { parameters },
            TemplateComponent::Button {
                sub_type,
                index,
                parameters,
            } => ComponentWire::Button {
                sub_type,
                index,
                parameters,
            },
        }
    }
}

impl From<ComponentWire> for TemplateComponent {
    fn from(c: ComponentWire) -> Self {
        match c {
            ComponentWire::Header { parameters } => TemplateComponent::Header(parameters),
            ComponentWire::Body { parameters } => TemplateComponent::Body(parameters),
            ComponentWire::Button {
                sub_type,
                index,
                parameters,
            } => TemplateComponent::Button {
                sub_type,
                index,
                parameters,
            },
        }
    }
}

mod index_string {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(i: &u8, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(i)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

/// Template `language`: `{"code": "en_US"}` on the wire, the code in Rust.
pub(super) mod language_code {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Language<S> {
        code: S,
    }

    pub fn serialize<S: Serializer>(code: &str, s: S) -> Result<S::Ok, S::Error> {
        Language { code }.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(Language::<String>::deserialize(d)?.code)
    }
}

/// A template parameter: its typed value plus the name of named templates.
#[derive(Serialize, Deserialize)]
pub(super) struct ParamWire {
    #[serde(flatten)]
    value: ParamValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parameter_name: Option<String>,
}

/// `{"type": "currency", "currency": {...}}` and the like.
#[derive(Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "snake_case")]
pub(super) enum ParamValue {
    Text(String),
    Currency(CurrencyWire),
    DateTime(DateTimeWire),
    Image(MediaSource),
    Video(MediaSource),
    Document(DocumentWire),
    Payload(String),
    Action(Value),
}

impl ParamValue {
    fn kind(&self) -> &'static str {
        match self {
            ParamValue::Text(_) => "text",
            ParamValue::Currency(_) => "currency",
            ParamValue::DateTime(_) => "date_time",
            ParamValue::Image(_) => "image",
            ParamValue::Video(_) => "video",
            ParamValue::Document(_) => "document",
            ParamValue::Payload(_) => "payload",
            ParamValue::Action(_) => "action",
        }
    }
}

typed_serde!(ParamValue, kind);

#[derive(Serialize, Deserialize)]
pub(super) struct CurrencyWire {
    fallback_value: String,
    code: String,
    amount_1000: i64,
}

#[derive(Serialize, Deserialize)]
pub(super) struct DateTimeWire {
    fallback_value: String,
}

#[derive(Serialize, Deserialize)]
pub(super) struct DocumentWire {
    #[serde(flatten)]
    source: MediaSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    filename: Option<String>,
}

impl From<TemplateParam> for ParamWire {
    fn from(p: TemplateParam) -> Self {
        let (value, parameter_name) = match p {
            TemplateParam::Text { text, name } => (ParamValue::Text(text), name),
            TemplateParam::Currency {
                fallback_value,
                code,
                amount_1000,
                name,
            } => (
                ParamValue::Currency(CurrencyWire {
                    fallback_value,
                    code,
                    amount_1000,
                }),
                name,
            ),
            TemplateParam::DateTime {
                fallback_value,
                name,
            } => (ParamValue::DateTime(DateTimeWire { fallback_value }), name),
            TemplateParam::Image(s) => (ParamValue::Image(s), None),
            TemplateParam::Video(s) => (ParamValue::Video(s), None),
            TemplateParam::Document { source, filename } => (
                ParamValue::Document(DocumentWire { source, filename }),
                None,
            ),
            TemplateParam::Payload(p) => (ParamValue::Payload(p), None),
            TemplateParam::Action(a) => (ParamValue::Action(a), None),
        };
        ParamWire {
            value,
            parameter_name,
        }
    }
}

impl From<ParamWire> for TemplateParam {
    fn from(w: ParamWire) -> Self {
        let name = w.parameter_name;
        match w.value {
            ParamValue::Text(text) => TemplateParam::Text { text, name },
            ParamValue::Currency(c) => TemplateParam::Currency {
                fallback_value: c.fallback_value,
                code: c.code,
                amount_1000: c.amount_1000,
                name,
            },
            ParamValue::DateTime(d) => TemplateParam::DateTime {
                fallback_value: d.fallback_value,
                name,
            },
            ParamValue::Image(s) => TemplateParam::Image(s),
            ParamValue::Video(s) => TemplateParam::Video(s),
            ParamValue::Document(d) => TemplateParam::Document {
                source: d.source,
                filename: d.filename,
            },
            ParamValue::Payload(p) => TemplateParam::Payload(p),
            ParamValue::Action(a) => TemplateParam::Action(a),
        }
    }
}

/// The request body: the message in wire form plus addressing and per-send fields.
#[derive(Serialize)]
pub(super) struct GraphRequest<'a> {
    pub messaging_product: &'static str,
    pub recipient_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<&'a str>,
    #[serde(flatten)]
    pub message: &'a super::messages::OutboundMessage,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<ReplyContext<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<&'a str>,
}

/// `{"message_id": "wamid..."}`: the quoted message.
#[derive(Serialize)]
pub(super) struct ReplyContext<'a> {
    pub message_id: &'a str,
}
