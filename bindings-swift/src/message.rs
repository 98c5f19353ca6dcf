//! Outbound messages as Swift enums and structs: the core's own types, declared
//! to uniffi as remote types so values convert without hand-written copies.
//! Every message type has its constructor (`OutboundMessage.text(body:previewUrl:)`,
//! `.image(Media)`, `.interactive(.buttons(...))`, `.template(Template)`, ...).

use wacrm::client::{
    ContactCard, ContactEmail, ContactName, ContactOrg, ContactPhone, ContactUrl, FlowAction,
    Interactive, InteractiveHeader, ListRow, ListSection, Location, Media, MediaSource,
    OutboundMessage, ReplyButton, Template, TemplateComponent, TemplateParam,
};
use wacrm::ids::{MediaId, MessageId};

use crate::values::Json;

/// Uploaded media by id, or a public link.
#[uniffi::remote(Enum)]
pub enum MediaSource {
    /// A media id from an upload.
    Id(MediaId),
    /// A public HTTPS link.
    Link(String),
}

/// An image, audio, video, document or sticker.
#[uniffi::remote(Record)]
pub struct Media {
    /// Where the media is.
    pub source: MediaSource,
    /// Caption (image, video, document).
    #[uniffi(default = None)]
    pub caption: Option<String>,
    /// File name shown for a document.
    #[uniffi(default = None)]
    pub filename: Option<String>,
}

/// A location pin.
#[uniffi::remote(Record)]
pub struct Location {
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Place name.
    #[uniffi(default = None)]
    pub name: Option<String>,
    /// Street address.
    #[uniffi(default = None)]
    pub address: Option<String>,
}

/// One contact card of a contacts message.
#[uniffi::remote(Record)]
pub struct ContactCard {
    /// The name (formatted name required).
    pub name: ContactName,
    /// Phone numbers.
    #[uniffi(default = [])]
    pub phones: Vec<ContactPhone>,
    /// Email addresses.
    #[uniffi(default = [])]
    pub emails: Vec<ContactEmail>,
    /// Organization.
    #[uniffi(default = None)]
    pub org: Option<ContactOrg>,
    /// Web addresses.
    #[uniffi(default = [])]
    pub urls: Vec<ContactUrl>,
    /// Birthday, `YYYY-MM-DD`.
    #[uniffi(default = None)]
    pub birthday: Option<String>,
}

/// A contact card's name.
#[uniffi::remote(Record)]
pub struct ContactName {
    /// The full name as displayed.
    pub formatted_name: String,
    /// First name.
    #[uniffi(default = None)]
    pub first_name: Option<String>,
    /// Last name.
    #[uniffi(default = None)]
    pub last_name: Option<String>,
}

/// A contact card's phone number.
#[uniffi::remote(Record)]
pub struct ContactPhone {
    /// The number.
    pub phone: String,
    /// `CELL`, `HOME`, `WORK`, ...
    #[uniffi(default = None)]
    pub kind: Option<String>,
    /// The WhatsApp id, when known.
    #[uniffi(default = None)]
    pub wa_id: Option<String>,
}

/// A contact card's email address.
#[uniffi::remote(Record)]
pub struct ContactEmail {
    /// The address.
    pub email: String,
    /// `HOME`, `WORK`, ...
    #[uniffi(default = None)]
    pub kind: Option<String>,
}

/// A contact card's organization.
#[uniffi::remote(Record)]
pub struct ContactOrg {
    /// Company.
    #[uniffi(default = None)]
    pub company: Option<String>,
    /// Department.
    #[uniffi(default = None)]
    pub department: Option<String>,
    /// Job title.
    #[uniffi(default = None)]
    pub title: Option<String>,
}

/// A contact card's web address.
#[uniffi::remote(Record)]
pub struct ContactUrl {
    /// The URL.
    pub url: String,
    /// `HOME`, `WORK`, ...
    #[uniffi(default = None)]
    pub kind: Option<String>,
}

/// A quick-reply button.
#[uniffi::remote(Record)]
pub struct ReplyButton {
    /// Returned in the reply webhook.
    pub id: String,
    /// Button text (20 characters at most).
    pub title: String,
}

/// One row of a list message.
#[uniffi::remote(Record)]
pub struct ListRow {
    /// Returned in the reply webhook.
    pub id: String,
    /// Row title.
    pub title: String,
    /// Row description.
    #[uniffi(default = None)]
    pub description: Option<String>,
}

/// A section of a list message.
#[uniffi::remote(Record)]
pub struct ListSection {
    /// Section title (required with several sections).
    #[uniffi(default = None)]
    pub title: Option<String>,
    /// Its rows.
    pub rows: Vec<ListRow>,
}

/// Header of a button message.
#[uniffi::remote(Enum)]
pub enum InteractiveHeader {
    /// A text header.
    Text(String),
    /// An image header.
    Image(MediaSource),
    /// A video header.
    Video(MediaSource),
    /// A document header.
    Document(MediaSource),
}

/// The action of a flow message.
#[uniffi::remote(Record)]
pub struct FlowAction {
    /// The flow id (or `flow_name`).
    #[uniffi(default = None)]
    pub flow_id: Option<String>,
    /// The flow name (or `flow_id`).
    #[uniffi(default = None)]
    pub flow_name: Option<String>,
    /// Button text.
    pub flow_cta: String,
    /// Token echoed in the flow's reply.
    #[uniffi(default = None)]
    pub flow_token: Option<String>,
    /// `navigate` or `data_exchange`.
    #[uniffi(default = None)]
    pub flow_action: Option<String>,
    /// The first screen and its data.
    #[uniffi(default = None)]
    pub flow_action_payload: Option<Json>,
    /// `draft` or `published`.
    #[uniffi(default = None)]
    pub mode: Option<String>,
}

/// An interactive message.
#[uniffi::remote(Enum)]
pub enum Interactive {
    /// Up to three quick-reply buttons.
    Buttons {
        header: Option<InteractiveHeader>,
        body: String,
        footer: Option<String>,
        buttons: Vec<ReplyButton>,
    },
    /// A list behind one button.
    List {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        button: String,
        sections: Vec<ListSection>,
    },
    /// A call-to-action URL button.
    CtaUrl {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        display_text: String,
        url: String,
    },
    /// A WhatsApp Flow.
    Flow {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        action: FlowAction,
    },
}

/// One template parameter.
#[uniffi::remote(Enum)]
pub enum TemplateParam {
    /// Text, positional or named.
    Text { text: String, name: Option<String> },
    /// An amount with its fallback text.
    Currency {
        fallback_value: String,
        code: String,
        amount_1000: i64,
        name: Option<String>,
    },
    /// A date and time with its fallback text.
    DateTime {
        fallback_value: String,
        name: Option<String>,
    },
    /// An image header.
    Image(MediaSource),
    /// A document header.
    Document {
        source: MediaSource,
        filename: Option<String>,
    },
    /// A video header.
    Video(MediaSource),
    /// A quick-reply button's payload.
    Payload(String),
    /// A button action (flow, catalog, ...).
    Action(Json),
}

/// One component of a template message.
#[uniffi::remote(Enum)]
pub enum TemplateComponent {
    /// Header parameters.
    Header(Vec<TemplateParam>),
    /// Body parameters.
    Body(Vec<TemplateParam>),
    /// A button's parameters.
    Button {
        sub_type: String,
        index: u8,
        parameters: Vec<TemplateParam>,
    },
}

/// A template message.
#[uniffi::remote(Record)]
pub struct Template {
    /// The approved template's name.
    pub name: String,
    /// Its language code (`en_US`).
    pub language: String,
    /// Parameters by component.
    #[uniffi(default = [])]
    pub components: Vec<TemplateComponent>,
}

/// Anything the Cloud API can send.
#[uniffi::remote(Enum)]
pub enum OutboundMessage {
    /// Text, with an optional link preview.
    Text { body: String, preview_url: bool },
    /// An image.
    Image(Media),
    /// An audio file or voice note.
    Audio(Media),
    /// A video.
    Video(Media),
    /// A document.
    Document(Media),
    /// A sticker.
    Sticker(Media),
    /// A location pin.
    Location(Location),
    /// Contact cards.
    Contacts(Vec<ContactCard>),
    /// A reaction to a message (an empty emoji removes it).
    Reaction {
        message_id: MessageId,
        emoji: String,
    },
    /// Buttons, a list, a CTA URL or a flow.
    Interactive(Interactive),
    /// An approved template.
    Template(Template),
}
