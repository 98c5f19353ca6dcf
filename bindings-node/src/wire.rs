//! Outbound messages arrive from JS in the Cloud API wire form (the `/messages`
//! body minus `messaging_product`/`to`) and are built into the core's
//! `OutboundMessage` here, variant by variant, so the binding's message shape
//! does not depend on how the core serializes its own type.

use serde::Deserialize;
use serde_json::Value;
use wacrm::client::{
    ContactCard, FlowAction, Interactive, InteractiveHeader, ListSection, Location, Media,
    MediaSource, OutboundMessage, ReplyButton, Template, TemplateComponent, TemplateParam,
};
use wacrm::{Error, MediaId, MessageId, Result};

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Message {
    Text { text: Text },
    Image { image: MediaBody },
    Audio { audio: MediaBody },
    Video { video: MediaBody },
    Document { document: MediaBody },
    Sticker { sticker: MediaBody },
    Location { location: Location },
    Contacts { contacts: Vec<ContactCard> },
    Reaction { reaction: Reaction },
    Interactive { interactive: Box<InteractiveBody> },
    Template { template: TemplateBody },
}

#[derive(Deserialize)]
struct Text {
    body: String,
    #[serde(default)]
    preview_url: bool,
}

#[derive(Deserialize)]
struct MediaBody {
    id: Option<String>,
    link: Option<String>,
    caption: Option<String>,
    filename: Option<String>,
}

impl MediaBody {
    fn source(&self, field: &str) -> Result<MediaSource> {
        match (&self.id, &self.link) {
            (Some(id), None) => Ok(MediaSource::Id(MediaId::new(id.clone()))),
            (None, Some(link)) => Ok(MediaSource::Link(link.clone())),
            _ => Err(Error::validation(field, "exactly one of `id` and `link`")),
        }
    }

    fn media(self, field: &str) -> Result<Media> {
        Ok(Media {
            source: self.source(field)?,
            caption: self.caption,
            filename: self.filename,
        })
    }
}

#[derive(Deserialize)]
struct Reaction {
    message_id: String,
    emoji: String,
}

#[derive(Deserialize)]
struct BodyText {
    text: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Header {
    Text { text: String },
    Image { image: MediaBody },
    Video { video: MediaBody },
    Document { document: MediaBody },
}

impl Header {
    fn interactive(self) -> Result<InteractiveHeader> {
        let f = "interactive.header";
        Ok(match self {
            Header::Text { text } => InteractiveHeader::Text(text),
            Header::Image { image } => InteractiveHeader::Image(image.source(f)?),
            Header::Video { video } => InteractiveHeader::Video(video.source(f)?),
            Header::Document { document } => InteractiveHeader::Document(document.source(f)?),
        })
    }

    fn text(self) -> Result<String> {
        match self {
            Header::Text { text } => Ok(text),
            _ => Err(Error::validation(
                "interactive.header",
                "only a text header is allowed here",
            )),
        }
    }
}

#[derive(Deserialize)]
struct InteractiveBody {
    #[serde(rename = "type")]
    kind: String,
    header: Option<Header>,
    body: BodyText,
    footer: Option<BodyText>,
    action: Value,
}

#[derive(Deserialize)]
struct Buttons {
    buttons: Vec<ButtonReply>,
}

#[derive(Deserialize)]
struct ButtonReply {
    reply: ReplyButton,
}

#[derive(Deserialize)]
struct List {
    button: String,
    sections: Vec<ListSection>,
}

#[derive(Deserialize)]
struct Named<P> {
    parameters: P,
}

#[derive(Deserialize)]
struct CtaUrl {
    display_text: String,
    url: String,
}

fn action<T: serde::de::DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::validation("interactive.action", e.to_string()))
}

impl InteractiveBody {
    fn build(self) -> Result<Interactive> {
        let body = self.body.text;
        let footer = self.footer.map(|f| f.text);
        let text_header = |h: Option<Header>| h.map(Header::text).transpose();
        Ok(match self.kind.as_str() {
            "button" => Interactive::Buttons {
                header: self.header.map(Header::interactive).transpose()?,
                body,
                footer,
                buttons: action::<Buttons>(self.action)?
                    .buttons
                    .into_iter()
                    .map(|b| b.reply)
                    .collect(),
            },
            "list" => {
                let l: List = action(self.action)?;
                Interactive::List {
                    header: text_header(self.header)?,
                    body,
                    footer,
                    button: l.button,
                    sections: l.sections,
                }
            }
            "cta_url" => {
                let c: Named<CtaUrl> = action(self.action)?;
                Interactive::CtaUrl {
                    header: text_header(self.header)?,
                    body,
                    footer,
                    display_text: c.parameters.display_text,
                    url: c.parameters.url,
                }
            }
            "flow" => Interactive::Flow {
                header: text_header(self.header)?,
                body,
                footer,
                action: action::<Named<FlowAction>>(self.action)?.parameters,
            },
            other => {
                return Err(Error::validation(
                    "interactive.type",
                    format!("{other:?} is not button, list, cta_url or flow"),
                ));
            }
        })
    }
}

#[derive(Deserialize)]
struct TemplateBody {
    name: String,
    language: Language,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Language {
    code: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Index {
    Number(u8),
    Text(String),
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Component {
    Header {
        #[serde(default)]
        parameters: Vec<Param>,
    },
    Body {
        #[serde(default)]
        parameters: Vec<Param>,
    },
    Button {
        sub_type: String,
        index: Index,
        #[serde(default)]
        parameters: Vec<Param>,
    },
}

#[derive(Deserialize)]
struct Currency {
    fallback_value: String,
    code: String,
    amount_1000: i64,
}

#[derive(Deserialize)]
struct Fallback {
    fallback_value: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Param {
    Text {
        text: String,
        parameter_name: Option<String>,
    },
    Currency {
        currency: Currency,
        parameter_name: Option<String>,
    },
    DateTime {
        date_time: Fallback,
        parameter_name: Option<String>,
    },
    Image {
        image: MediaBody,
    },
    Video {
        video: MediaBody,
    },
    Document {
        document: MediaBody,
    },
    Payload {
        payload: String,
    },
    Action {
        action: Value,
    },
}

impl Param {
    fn build(self) -> Result<TemplateParam> {
        let f = "template.components.parameters";
        Ok(match self {
            Param::Text {
                text,
                parameter_name,
            } => TemplateParam::Text {
                text,
                name: parameter_name,
            },
            Param::Currency {
                currency,
                parameter_name,
            } => TemplateParam::Currency {
                fallback_value: currency.fallback_value,
                code: currency.code,
                amount_1000: currency.amount_1000,
                name: parameter_name,
            },
            Param::DateTime {
                date_time,
                parameter_name,
            } => TemplateParam::DateTime {
                fallback_value: date_time.fallback_value,
                name: parameter_name,
            },
            Param::Image { image } => TemplateParam::Image(image.source(f)?),
            Param::Video { video } => TemplateParam::Video(video.source(f)?),
            Param::Document { document } => TemplateParam::Document {
                source: document.source(f)?,
                filename: document.filename,
            },
            Param::Payload { payload } => TemplateParam::Payload(payload),
            Param::Action { action } => TemplateParam::Action(action),
        })
    }
}

fn params(p: Vec<Param>) -> Result<Vec<TemplateParam>> {
    p.into_iter().map(Param::build).collect()
}

impl Component {
    fn build(self) -> Result<TemplateComponent> {
        Ok(match self {
            Component::Header { parameters } => TemplateComponent::Header(params(parameters)?),
            Component::Body { parameters } => TemplateComponent::Body(params(parameters)?),
            Component::Button {
                sub_type,
                index,
                parameters,
            } => TemplateComponent::Button {
                sub_type,
                index: match index {
                    Index::Number(n) => n,
                    Index::Text(t) => t.parse().map_err(|_| {
                        Error::validation(
                            "template.components.index",
                            format!("{t:?} is not 0-255"),
                        )
                    })?,
                },
                parameters: params(parameters)?,
            },
        })
    }
}

/// The core message for a wire-form JS object; a shape error names the field.
pub(crate) fn outbound(v: Value) -> Result<OutboundMessage> {
    let m: Message =
        serde_json::from_value(v).map_err(|e| Error::validation("message", e.to_string()))?;
    Ok(match m {
        Message::Text { text } => OutboundMessage::Text {
            body: text.body,
            preview_url: text.preview_url,
        },
        Message::Image { image } => OutboundMessage::Image(image.media("image")?),
        Message::Audio { audio } => OutboundMessage::Audio(audio.media("audio")?),
        Message::Video { video } => OutboundMessage::Video(video.media("video")?),
        Message::Document { document } => OutboundMessage::Document(document.media("document")?),
        Message::Sticker { sticker } => OutboundMessage::Sticker(sticker.media("sticker")?),
        Message::Location { location } => OutboundMessage::Location(location),
        Message::Contacts { contacts } => OutboundMessage::Contacts(contacts),
        Message::Reaction { reaction } => OutboundMessage::Reaction {
            message_id: MessageId::new(reaction.message_id),
            emoji: reaction.emoji,
        },
        Message::Interactive { interactive } => OutboundMessage::Interactive(interactive.build()?),
        Message::Template { template } => OutboundMessage::Template(Template {
            name: template.name,
            language: template.language.code,
            components: template
                .components
                .into_iter()
                .map(Component::build)
                .collect::<Result<_>>()?,
        }),
    })
}

/// The core outbox message for a JS `OutgoingMessage` whose `message` is in the wire form.
pub(crate) fn outgoing(mut v: Value) -> Result<wacrm::scheduler::OutgoingMessage> {
    let wire = v
        .get_mut("message")
        .map(Value::take)
        .ok_or_else(|| Error::validation("message", "missing"))?;
    // The rest of the record is the core's own serde form; the message goes in as
    // the core serializes it, whatever that form is.
    v["message"] = serde_json::to_value(outbound(wire)?)
        .map_err(|e| Error::validation("message", e.to_string()))?;
    serde_json::from_value(v).map_err(|e| Error::validation("message", e.to_string()))
}
