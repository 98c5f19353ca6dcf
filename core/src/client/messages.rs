//! Outbound message types of `POST /{phone-number-id}/messages`, their
//! validation (Meta's documented limits) and their JSON form, which is Meta's
//! wire form (see `wire.rs`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::wire::{GraphRequest, ReplyContext, typed_serde};
use crate::error::{Error, Result};
use crate::ids::{MediaId, MessageId, Recipient};

/// Text body limit.
pub const TEXT_BODY_MAX: usize = 4096;
/// Media caption limit.
pub const CAPTION_MAX: usize = 1024;
/// Interactive body limit.
pub const INTERACTIVE_BODY_MAX: usize = 1024;
/// Interactive header and footer limit.
pub const INTERACTIVE_HEADER_MAX: usize = 60;
/// `biz_opaque_callback_data` limit.
pub const CALLBACK_DATA_MAX: usize = 512;

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn check_len(field: &str, value: &str, min: usize, max: usize) -> Result<()> {
    let n = chars(value);
    if n < min {
        return Err(Error::validation(field, "must not be empty"));
    }
    if n > max {
        return Err(Error::validation(
            field,
            format!("{n} characters, at most {max} allowed"),
        ));
    }
    Ok(())
}

fn check_link(field: &str, link: &str) -> Result<()> {
    let parsed =
        url::Url::parse(link).map_err(|e| Error::validation(field, format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::validation(field, "must be an http(s) URL"));
    }
    Ok(())
}

/// Where a media object comes from: an uploaded media id or a public link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaSource {
    /// Uploaded media id.
    Id(MediaId),
    /// Public https link.
    Link(String),
}

impl MediaSource {
    fn validate(&self, field: &str) -> Result<()> {
        match self {
            MediaSource::Id(id) => check_len(&format!("{field}.id"), id.as_str(), 1, 256),
            MediaSource::Link(l) => check_link(&format!("{field}.link"), l),
        }
    }
}

/// Image, audio, video, document or sticker: `{"id" | "link", "caption", "filename"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Media {
    /// The media.
    #[serde(flatten)]
    pub source: MediaSource,
    /// Caption (image, video, document only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// File name shown to the user (document only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

impl Media {
    /// Media by uploaded id.
    pub fn id(id: impl Into<String>) -> Self {
        Media {
            source: MediaSource::Id(MediaId::new(id)),
            caption: None,
            filename: None,
        }
    }

    /// Media by public link.
    pub fn link(link: impl Into<String>) -> Self {
        Media {
            source: MediaSource::Link(link.into()),
            caption: None,
            filename: None,
        }
    }

    /// Set a caption.
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    /// Set a file name.
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }
}

/// A location pin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Place name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// A contact card (`contacts[]`), kept close to Meta's shape.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactCard {
    /// `name` object; `formatted_name` is required.
    pub name: ContactName,
    /// Phone entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<ContactPhone>,
    /// Email entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<ContactEmail>,
    /// Organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<ContactOrg>,
    /// URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<ContactUrl>,
    /// Birthday `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
}

/// Contact name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactName {
    /// Full name as displayed.
    pub formatted_name: String,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

/// Contact phone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactPhone {
    /// Number as typed.
    pub phone: String,
    /// `CELL`, `MAIN`, `IPHONE`, `HOME`, `WORK`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// WhatsApp id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
}

/// Contact email.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactEmail {
    /// Address.
    pub email: String,
    /// `HOME` or `WORK`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Contact organisation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactOrg {
    /// Company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// Contact URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactUrl {
    /// The URL.
    pub url: String,
    /// `HOME` or `WORK`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A reply button.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplyButton {
    /// Id echoed in the `button_reply` webhook (≤ 256).
    pub id: String,
    /// Title (≤ 20).
    pub title: String,
}

/// A list row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListRow {
    /// Id echoed in the `list_reply` webhook (≤ 200).
    pub id: String,
    /// Title (≤ 24).
    pub title: String,
    /// Description (≤ 72).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A list section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListSection {
    /// Title (≤ 24; required when there is more than one section).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Rows (10 in all sections together at most).
    pub rows: Vec<ListRow>,
}

/// Header of an interactive message: `{"type": "text", "text": "..."}`,
/// `{"type": "image", "image": {"link": "..."}}`, ...
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "snake_case")]
pub enum InteractiveHeader {
    /// Text header (≤ 60).
    Text(String),
    /// Image header (link only for interactive headers in practice).
    Image(MediaSource),
    /// Video header.
    Video(MediaSource),
    /// Document header.
    Document(MediaSource),
}

impl InteractiveHeader {
    fn kind(&self) -> &'static str {
        match self {
            InteractiveHeader::Text(_) => "text",
            InteractiveHeader::Image(_) => "image",
            InteractiveHeader::Video(_) => "video",
            InteractiveHeader::Document(_) => "document",
        }
    }
}

typed_serde!(InteractiveHeader, kind);

/// Flow parameters of an interactive `flow` message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowAction {
    /// Published flow id (or use `flow_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_id: Option<String>,
    /// Flow name (instead of id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_name: Option<String>,
    /// Button text (≤ 30; Meta advises ≤ 20).
    pub flow_cta: String,
    /// Token echoed in the `nfm_reply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_token: Option<String>,
    /// `navigate` or `data_exchange`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_action: Option<String>,
    /// `{screen, data}` for `navigate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_action_payload: Option<Value>,
    /// `draft` or `published`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// Interactive message bodies; serialized as Meta's `interactive` object
/// (`{"type": "button", "header", "body": {"text"}, "footer", "action"}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    into = "super::wire::InteractiveWire",
    try_from = "super::wire::InteractiveWire"
)]
pub enum Interactive {
    /// Up to three reply buttons.
    Buttons {
        /// Optional header.
        header: Option<InteractiveHeader>,
        /// Body text (≤ 1024).
        body: String,
        /// Footer (≤ 60).
        footer: Option<String>,
        /// 1 to 3 buttons.
        buttons: Vec<ReplyButton>,
    },
    /// A list picker.
    List {
        /// Text header only.
        header: Option<String>,
        /// Body text.
        body: String,
        /// Footer.
        footer: Option<String>,
        /// Label of the button that opens the list (≤ 20).
        button: String,
        /// 1 to 10 sections.
        sections: Vec<ListSection>,
    },
    /// A call-to-action URL button.
    CtaUrl {
        /// Text header only.
        header: Option<String>,
        /// Body text.
        body: String,
        /// Footer.
        footer: Option<String>,
        /// Button text (≤ 20).
        display_text: String,
        /// Target URL.
        url: String,
    },
    /// A WhatsApp Flow.
    Flow {
        /// Text header only.
        header: Option<String>,
        /// Body text.
        body: String,
        /// Footer.
        footer: Option<String>,
        /// Flow parameters.
        action: FlowAction,
    },
}

/// A template parameter; serialized as Meta's (`{"type": "text", "text": "...",
/// "parameter_name": "..."}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "super::wire::ParamWire", into = "super::wire::ParamWire")]
pub enum TemplateParam {
    /// Text.
    Text {
        /// Value.
        text: String,
        /// Name for templates created with `parameter_format: NAMED`.
        name: Option<String>,
    },
    /// Currency.
    Currency {
        /// Shown when localisation fails.
        fallback_value: String,
        /// ISO 4217 code.
        code: String,
        /// Amount × 1000.
        amount_1000: i64,
        /// Parameter name (named templates).
        name: Option<String>,
    },
    /// Date and time.
    DateTime {
        /// Shown text.
        fallback_value: String,
        /// Parameter name (named templates).
        name: Option<String>,
    },
    /// Image (headers).
    Image(MediaSource),
    /// Document (headers).
    Document {
        /// Media.
        source: MediaSource,
        /// File name.
        filename: Option<String>,
    },
    /// Video (headers).
    Video(MediaSource),
    /// Quick-reply button payload.
    Payload(String),
    /// Flow button action.
    Action(Value),
}

impl TemplateParam {
    /// A positional text parameter.
    pub fn text(t: impl Into<String>) -> Self {
        TemplateParam::Text {
            text: t.into(),
            name: None,
        }
    }

    /// A named text parameter.
    pub fn named(name: impl Into<String>, t: impl Into<String>) -> Self {
        TemplateParam::Text {
            text: t.into(),
            name: Some(name.into()),
        }
    }

    fn name(&self) -> Option<&str> {
        match self {
            TemplateParam::Text { name, .. }
            | TemplateParam::Currency { name, .. }
            | TemplateParam::DateTime { name, .. } => name.as_deref(),
            _ => None,
        }
    }

    fn validate(&self, field: &str) -> Result<()> {
        match self {
            TemplateParam::Text { text, .. } => {
                check_len(&format!("{field}.text"), text, 1, 32768)?
            }
            TemplateParam::Currency {
                fallback_value,
                code,
                ..
            } => {
                check_len(&format!("{field}.fallback_value"), fallback_value, 1, 1024)?;
                if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(Error::validation(
                        format!("{field}.code"),
                        "must be an ISO 4217 code such as USD",
                    ));
                }
            }
            TemplateParam::DateTime { fallback_value, .. } => {
                check_len(&format!("{field}.fallback_value"), fallback_value, 1, 1024)?
            }
            TemplateParam::Image(s) | TemplateParam::Video(s) => s.validate(field)?,
            TemplateParam::Document { source, .. } => source.validate(field)?,
            TemplateParam::Payload(p) => check_len(&format!("{field}.payload"), p, 1, 1000)?,
            TemplateParam::Action(_) => {}
        }
        if let Some(n) = self.name()
            && (n.is_empty()
                || chars(n) > 20
                || !n
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()))
        {
            return Err(Error::validation(
                format!("{field}.parameter_name"),
                "1 to 20 characters of a-z, 0-9 and _",
            ));
        }
        Ok(())
    }
}

/// A template component with its parameters; serialized as Meta's
/// (`{"type": "button", "sub_type", "index": "0", "parameters"}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    from = "super::wire::ComponentWire",
    into = "super::wire::ComponentWire"
)]
pub enum TemplateComponent {
    /// Header parameters.
    Header(Vec<TemplateParam>),
    /// Body parameters.
    Body(Vec<TemplateParam>),
    /// A button's parameters.
    Button {
        /// `quick_reply`, `url`, `flow`, `copy_code`, ...
        sub_type: String,
        /// Button position, 0-based.
        index: u8,
        /// Parameters.
        parameters: Vec<TemplateParam>,
    },
}

/// A template message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Template name.
    pub name: String,
    /// Language code, e.g. `en_US` (`{"code": "en_US"}` on the wire).
    #[serde(with = "super::wire::language_code")]
    pub language: String,
    /// Components with parameters (omit for templates without variables).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<TemplateComponent>,
}

impl Template {
    /// A template without parameters.
    pub fn new(name: impl Into<String>, language: impl Into<String>) -> Self {
        Template {
            name: name.into(),
            language: language.into(),
            components: Vec::new(),
        }
    }

    /// Add body parameters.
    pub fn body(mut self, params: Vec<TemplateParam>) -> Self {
        self.components.push(TemplateComponent::Body(params));
        self
    }

    /// Add header parameters.
    pub fn header(mut self, params: Vec<TemplateParam>) -> Self {
        self.components.push(TemplateComponent::Header(params));
        self
    }

    /// Add a button component.
    pub fn button(
        mut self,
        sub_type: impl Into<String>,
        index: u8,
        params: Vec<TemplateParam>,
    ) -> Self {
        self.components.push(TemplateComponent::Button {
            sub_type: sub_type.into(),
            index,
            parameters: params,
        });
        self
    }

    fn validate(&self) -> Result<()> {
        check_len("template.name", &self.name, 1, 512)?;
        check_len("template.language", &self.language, 2, 15)?;
        let mut named: Option<bool> = None;
        let mut headers = 0;
        for (ci, c) in self.components.iter().enumerate() {
            let (params, field) = match c {
                TemplateComponent::Header(p) => {
                    headers += 1;
                    if p.len() > 1 {
                        return Err(Error::validation(
                            format!("template.components[{ci}]"),
                            "a header takes at most one parameter",
                        ));
                    }
                    (p, format!("template.components[{ci}]"))
                }
                TemplateComponent::Body(p) => (p, format!("template.components[{ci}]")),
                TemplateComponent::Button {
                    sub_type,
                    index,
                    parameters,
                } => {
                    check_len(
                        &format!("template.components[{ci}].sub_type"),
                        sub_type,
                        1,
                        32,
                    )?;
                    if *index > 9 {
                        return Err(Error::validation(
                            format!("template.components[{ci}].index"),
                            "button index must be 0 to 9",
                        ));
                    }
                    if sub_type == "url" && parameters.len() != 1 {
                        return Err(Error::validation(
                            format!("template.components[{ci}].parameters"),
                            "a dynamic URL button takes exactly one parameter",
                        ));
                    }
                    (parameters, format!("template.components[{ci}]"))
                }
            };
            for (pi, p) in params.iter().enumerate() {
                let f = format!("{field}.parameters[{pi}]");
                p.validate(&f)?;
                if matches!(
                    p,
                    TemplateParam::Text { .. }
                        | TemplateParam::Currency { .. }
                        | TemplateParam::DateTime { .. }
                ) && matches!(c, TemplateComponent::Body(_) | TemplateComponent::Header(_))
                {
                    let is_named = p.name().is_some();
                    match named {
                        None => named = Some(is_named),
                        Some(prev) if prev != is_named => {
                            return Err(Error::validation(
                                f,
                                "parameters are all named or all positional",
                            ));
                        }
                        _ => {}
                    }
                }
            }
        }
        if headers > 1 {
            return Err(Error::validation(
                "template.components",
                "at most one header component",
            ));
        }
        Ok(())
    }

    /// Total parameters in the body (what Meta checks against the template, 132000).
    pub fn body_param_count(&self) -> usize {
        self.components
            .iter()
            .map(|c| match c {
                TemplateComponent::Body(p) => p.len(),
                _ => 0,
            })
            .sum()
    }
}

/// Every outbound message type. Serialized in Meta's wire form, the request
/// body without its addressing: `{"type": "text", "text": {"body": "hi",
/// "preview_url": false}}`, the shape inbound messages have in webhooks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "snake_case")]
pub enum OutboundMessage {
    /// Text, optionally with a link preview.
    Text {
        /// Body (≤ 4096).
        body: String,
        /// Render a preview of the first URL.
        #[serde(default)]
        preview_url: bool,
    },
    /// Image (JPEG/PNG).
    Image(Media),
    /// Audio.
    Audio(Media),
    /// Video.
    Video(Media),
    /// Document.
    Document(Media),
    /// Sticker (WebP).
    Sticker(Media),
    /// Location pin.
    Location(Location),
    /// Contact cards.
    Contacts(Vec<ContactCard>),
    /// Reaction to a message; an empty emoji removes the reaction.
    Reaction {
        /// Message reacted to.
        message_id: MessageId,
        /// Emoji, or empty to remove.
        emoji: String,
    },
    /// Interactive message.
    Interactive(Interactive),
    /// Template message.
    Template(Template),
}

typed_serde!(OutboundMessage, type_name);

impl OutboundMessage {
    /// Plain text.
    pub fn text(body: impl Into<String>) -> Self {
        OutboundMessage::Text {
            body: body.into(),
            preview_url: false,
        }
    }

    /// The Cloud API `type` string.
    pub fn type_name(&self) -> &'static str {
        match self {
            OutboundMessage::Text { .. } => "text",
            OutboundMessage::Image(_) => "image",
            OutboundMessage::Audio(_) => "audio",
            OutboundMessage::Video(_) => "video",
            OutboundMessage::Document(_) => "document",
            OutboundMessage::Sticker(_) => "sticker",
            OutboundMessage::Location(_) => "location",
            OutboundMessage::Contacts(_) => "contacts",
            OutboundMessage::Reaction { .. } => "reaction",
            OutboundMessage::Interactive(_) => "interactive",
            OutboundMessage::Template(_) => "template",
        }
    }

    /// Whether this is a template (the only kind allowed outside the 24 h window).
    pub fn is_template(&self) -> bool {
        matches!(self, OutboundMessage::Template(_))
    }

    /// Check Meta's documented limits before sending.
    pub fn validate(&self) -> Result<()> {
        match self {
            OutboundMessage::Text { body, .. } => check_len("text.body", body, 1, TEXT_BODY_MAX),
            OutboundMessage::Image(m) | OutboundMessage::Video(m) => {
                let f = self.type_name();
                m.source.validate(f)?;
                if let Some(c) = &m.caption {
                    check_len(&format!("{f}.caption"), c, 1, CAPTION_MAX)?;
                }
                if m.filename.is_some() {
                    return Err(Error::validation(
                        format!("{f}.filename"),
                        "only documents take a file name",
                    ));
                }
                Ok(())
            }
            OutboundMessage::Document(m) => {
                m.source.validate("document")?;
                if let Some(c) = &m.caption {
                    check_len("document.caption", c, 1, CAPTION_MAX)?;
                }
                if let Some(f) = &m.filename {
                    check_len("document.filename", f, 1, 240)?;
                }
                Ok(())
            }
            OutboundMessage::Audio(m) | OutboundMessage::Sticker(m) => {
                let f = self.type_name();
                m.source.validate(f)?;
                if m.caption.is_some() || m.filename.is_some() {
                    return Err(Error::validation(
                        f,
                        "audio and stickers take no caption or file name",
                    ));
                }
                Ok(())
            }
            OutboundMessage::Location(l) => {
                if !(-90.0..=90.0).contains(&l.latitude) || l.latitude.is_nan() {
                    return Err(Error::validation("location.latitude", "must be -90 to 90"));
                }
                if !(-180.0..=180.0).contains(&l.longitude) || l.longitude.is_nan() {
                    return Err(Error::validation(
                        "location.longitude",
                        "must be -180 to 180",
                    ));
                }
                Ok(())
            }
            OutboundMessage::Contacts(cards) => {
                if cards.is_empty() {
                    return Err(Error::validation("contacts", "at least one contact"));
                }
                for (i, c) in cards.iter().enumerate() {
                    check_len(
                        &format!("contacts[{i}].name.formatted_name"),
                        &c.name.formatted_name,
                        1,
                        1024,
                    )?;
                }
                Ok(())
            }
            OutboundMessage::Reaction { message_id, emoji } => {
                check_len("reaction.message_id", message_id.as_str(), 1, 512)?;
                if chars(emoji) > 10 {
                    return Err(Error::validation("reaction.emoji", "one emoji expected"));
                }
                Ok(())
            }
            OutboundMessage::Interactive(i) => validate_interactive(i),
            OutboundMessage::Template(t) => t.validate(),
        }
    }

    /// The JSON body for `POST /{phone-number-id}/messages`: the message's own
    /// serialization plus addressing, reply context and callback data.
    pub fn to_request_json(&self, to: &Recipient, opts: &SendOptions) -> Result<Value> {
        let (to, recipient) = match to {
            Recipient::Phone(p) => (Some(p.as_str()), None),
            Recipient::Bsuid(b) => (None, Some(b.as_str())),
        };
        Ok(serde_json::to_value(GraphRequest {
            messaging_product: "whatsapp",
            recipient_type: "individual",
            to,
            recipient,
            message: self,
            context: opts.reply_to.as_ref().map(|m| ReplyContext {
                message_id: m.as_str(),
            }),
            biz_opaque_callback_data: opts.biz_opaque_callback_data.as_deref(),
        })?)
    }
}

fn validate_interactive(i: &Interactive) -> Result<()> {
    let (body, footer) = match i {
        Interactive::Buttons { body, footer, .. }
        | Interactive::List { body, footer, .. }
        | Interactive::CtaUrl { body, footer, .. }
        | Interactive::Flow { body, footer, .. } => (body, footer),
    };
    check_len("interactive.body.text", body, 1, INTERACTIVE_BODY_MAX)?;
    if let Some(f) = footer {
        check_len("interactive.footer.text", f, 1, INTERACTIVE_HEADER_MAX)?;
    }
    match i {
        Interactive::Buttons {
            header, buttons, ..
        } => {
            match header {
                Some(InteractiveHeader::Text(t)) => {
                    check_len("interactive.header.text", t, 1, INTERACTIVE_HEADER_MAX)?
                }
                Some(InteractiveHeader::Image(s))
                | Some(InteractiveHeader::Video(s))
                | Some(InteractiveHeader::Document(s)) => s.validate("interactive.header")?,
                None => {}
            }
            if buttons.is_empty() || buttons.len() > 3 {
                return Err(Error::validation(
                    "interactive.action.buttons",
                    format!("{} buttons, 1 to 3 allowed", buttons.len()),
                ));
            }
            let mut ids = std::collections::HashSet::new();
            for (n, b) in buttons.iter().enumerate() {
                check_len(
                    &format!("interactive.action.buttons[{n}].id"),
                    &b.id,
                    1,
                    256,
                )?;
                check_len(
                    &format!("interactive.action.buttons[{n}].title"),
                    &b.title,
                    1,
                    20,
                )?;
                if !ids.insert(&b.id) {
                    return Err(Error::validation(
                        format!("interactive.action.buttons[{n}].id"),
                        "button ids must be unique",
                    ));
                }
            }
        }
        Interactive::List {
            header,
            button,
            sections,
            ..
        } => {
            if let Some(h) = header {
                check_len("interactive.header.text", h, 1, INTERACTIVE_HEADER_MAX)?;
            }
            check_len("interactive.action.button", button, 1, 20)?;
            if sections.is_empty() || sections.len() > 10 {
                return Err(Error::validation(
                    "interactive.action.sections",
                    format!("{} sections, 1 to 10 allowed", sections.len()),
                ));
            }
            let mut rows = 0;
            let mut ids = std::collections::HashSet::new();
            for (s, sec) in sections.iter().enumerate() {
                match &sec.title {
                    Some(t) => {
                        check_len(&format!("interactive.action.sections[{s}].title"), t, 1, 24)?
                    }
                    None if sections.len() > 1 => {
                        return Err(Error::validation(
                            format!("interactive.action.sections[{s}].title"),
                            "required when there is more than one section",
                        ));
                    }
                    None => {}
                }
                if sec.rows.is_empty() {
                    return Err(Error::validation(
                        format!("interactive.action.sections[{s}].rows"),
                        "at least one row",
                    ));
                }
                for (r, row) in sec.rows.iter().enumerate() {
                    let f = format!("interactive.action.sections[{s}].rows[{r}]");
                    check_len(&format!("{f}.id"), &row.id, 1, 200)?;
                    check_len(&format!("{f}.title"), &row.title, 1, 24)?;
                    if let Some(d) = &row.description {
                        check_len(&format!("{f}.description"), d, 1, 72)?;
                    }
                    if !ids.insert(&row.id) {
                        return Err(Error::validation(
                            format!("{f}.id"),
                            "row ids must be unique",
                        ));
                    }
                    rows += 1;
                }
            }
            if rows > 10 {
                return Err(Error::validation(
                    "interactive.action.sections",
                    format!("{rows} rows, at most 10 in all sections"),
                ));
            }
        }
        Interactive::CtaUrl {
            header,
            display_text,
            url,
            ..
        } => {
            if let Some(h) = header {
                check_len("interactive.header.text", h, 1, INTERACTIVE_HEADER_MAX)?;
            }
            check_len(
                "interactive.action.parameters.display_text",
                display_text,
                1,
                20,
            )?;
            check_link("interactive.action.parameters.url", url)?;
        }
        Interactive::Flow { header, action, .. } => {
            if let Some(h) = header {
                check_len("interactive.header.text", h, 1, INTERACTIVE_HEADER_MAX)?;
            }
            check_len(
                "interactive.action.parameters.flow_cta",
                &action.flow_cta,
                1,
                30,
            )?;
            match (&action.flow_id, &action.flow_name) {
                (Some(_), None) | (None, Some(_)) => {}
                _ => {
                    return Err(Error::validation(
                        "interactive.action.parameters",
                        "exactly one of flow_id and flow_name",
                    ));
                }
            }
            if let Some(a) = &action.flow_action
                && a != "navigate"
                && a != "data_exchange"
            {
                return Err(Error::validation(
                    "interactive.action.parameters.flow_action",
                    "navigate or data_exchange",
                ));
            }
        }
    }
    Ok(())
}

/// Per-send options.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SendOptions {
    /// Quote this message (reply context).
    pub reply_to: Option<MessageId>,
    /// Echoed on every status webhook of this message (≤ 512).
    pub biz_opaque_callback_data: Option<String>,
    /// Sent as the `Idempotency-Key` header; the scheduler sets it per outbox item.
    pub idempotency_key: Option<crate::ids::IdempotencyKey>,
}

impl SendOptions {
    pub(crate) fn validate(&self) -> Result<()> {
        if let Some(cb) = &self.biz_opaque_callback_data {
            check_len("biz_opaque_callback_data", cb, 1, CALLBACK_DATA_MAX)?;
        }
        Ok(())
    }
}
