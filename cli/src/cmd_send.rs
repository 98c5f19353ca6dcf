//! `wacrm send KIND --from PHONE_NUMBER_ID --to NUMBER [options]` (C1): one
//! message through the client, configured like the library (WACRM_ACCESS_TOKEN,
//! WACRM_BASE_URL, WACRM_API_VERSION). Prints the response JSON, or the
//! classified error JSON and exits 1.

use std::process::ExitCode;

use serde_json::json;
use wacrm::client::*;
use wacrm::{MessageId, PhoneNumberId, Recipient};

/// Options every kind takes.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// Sending phone number id.
    #[arg(long, env = "WACRM_PHONE_NUMBER_ID", hide_env_values = true)]
    pub from: String,
    /// Recipient: phone number / wa_id, or a BSUID (`CC.xxxx`).
    #[arg(long)]
    pub to: String,
    /// Quote this message id (reply).
    #[arg(long)]
    pub reply_to: Option<String>,
    /// Idempotency key (sent as the Idempotency-Key header).
    #[arg(long)]
    pub idempotency_key: Option<String>,
    /// Access token (default WACRM_ACCESS_TOKEN).
    #[arg(long, env = "WACRM_ACCESS_TOKEN", hide_env_values = true, value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub token: Option<String>,
    /// Graph host (default WACRM_BASE_URL or graph.facebook.com).
    #[arg(long, env = "WACRM_BASE_URL", hide_env_values = true)]
    pub base_url: Option<String>,
    /// Graph API version (default WACRM_API_VERSION or the current one).
    #[arg(long, env = "WACRM_API_VERSION", hide_env_values = true)]
    pub api_version: Option<String>,
}

/// Arguments of `wacrm send`.
#[derive(clap::Args)]
pub struct SendArgs {
    #[command(subcommand)]
    pub kind: Kind,
}

/// Message kinds.
#[derive(clap::Subcommand)]
pub enum Kind {
    /// Text message.
    Text {
        #[command(flatten)]
        common: Common,
        /// Body.
        #[arg(long)]
        body: String,
        /// Show a link preview.
        #[arg(long)]
        preview_url: bool,
    },
    /// Template message (body parameters positional, or NAME=VALUE for named templates).
    Template {
        #[command(flatten)]
        common: Common,
        /// Template name.
        #[arg(long)]
        name: String,
        /// Language code.
        #[arg(long, default_value = "en_US")]
        language: String,
        /// Body parameter (repeat in order).
        #[arg(long = "param")]
        params: Vec<String>,
    },
    /// Image by link or media id.
    Image(MediaArgs),
    /// Audio by link or media id.
    Audio(MediaArgs),
    /// Video by link or media id.
    Video(MediaArgs),
    /// Document by link or media id.
    Document(MediaArgs),
    /// Sticker by link or media id.
    Sticker(MediaArgs),
    /// Location pin.
    Location {
        #[command(flatten)]
        common: Common,
        /// Latitude.
        #[arg(long, allow_hyphen_values = true)]
        latitude: f64,
        /// Longitude.
        #[arg(long, allow_hyphen_values = true)]
        longitude: f64,
        /// Name.
        #[arg(long)]
        name: Option<String>,
        /// Address.
        #[arg(long)]
        address: Option<String>,
    },
    /// Reaction (empty emoji removes it).
    Reaction {
        #[command(flatten)]
        common: Common,
        /// Message reacted to.
        #[arg(long)]
        message_id: String,
        /// Emoji.
        #[arg(long, default_value = "")]
        emoji: String,
    },
    /// A contact card.
    Contacts {
        #[command(flatten)]
        common: Common,
        /// Formatted name.
        #[arg(long)]
        name: String,
        /// Phone of the card.
        #[arg(long)]
        phone: Option<String>,
    },
    /// Up to three reply buttons (`--button id:title`).
    Buttons {
        #[command(flatten)]
        common: Common,
        /// Body text.
        #[arg(long)]
        body: String,
        /// Button as `id:title` (repeat).
        #[arg(long = "button")]
        buttons: Vec<String>,
    },
    /// A list (`--row id:title[:description]`, one section).
    List {
        #[command(flatten)]
        common: Common,
        /// Body text.
        #[arg(long)]
        body: String,
        /// Button label that opens the list.
        #[arg(long)]
        button: String,
        /// Row as `id:title[:description]` (repeat).
        #[arg(long = "row")]
        rows: Vec<String>,
    },
    /// Call-to-action URL button.
    CtaUrl {
        #[command(flatten)]
        common: Common,
        /// Body text.
        #[arg(long)]
        body: String,
        /// Button text.
        #[arg(long)]
        display_text: String,
        /// URL.
        #[arg(long)]
        url: String,
    },
    /// A published WhatsApp Flow.
    Flow {
        #[command(flatten)]
        common: Common,
        /// Body text.
        #[arg(long)]
        body: String,
        /// Flow id.
        #[arg(long)]
        flow_id: String,
        /// Button text.
        #[arg(long)]
        cta: String,
        /// Flow token.
        #[arg(long)]
        flow_token: Option<String>,
    },
    /// Mark an inbound message read (optionally with the typing indicator).
    Read {
        /// Sending phone number id.
        #[arg(long, env = "WACRM_PHONE_NUMBER_ID", hide_env_values = true)]
        from: String,
        /// Inbound message id.
        #[arg(long)]
        message_id: String,
        /// Show the typing indicator.
        #[arg(long)]
        typing: bool,
        /// Access token.
        #[arg(long, env = "WACRM_ACCESS_TOKEN", hide_env_values = true, value_parser = clap::builder::NonEmptyStringValueParser::new())]
        token: Option<String>,
        /// Graph host.
        #[arg(long, env = "WACRM_BASE_URL", hide_env_values = true)]
        base_url: Option<String>,
        /// Graph API version.
        #[arg(long, env = "WACRM_API_VERSION", hide_env_values = true)]
        api_version: Option<String>,
    },
}

/// Media options.
#[derive(clap::Args)]
pub struct MediaArgs {
    #[command(flatten)]
    common: Common,
    /// Public link.
    #[arg(long, conflicts_with = "media_id")]
    link: Option<String>,
    /// Uploaded media id.
    #[arg(long)]
    media_id: Option<String>,
    /// Caption.
    #[arg(long)]
    caption: Option<String>,
    /// File name (documents).
    #[arg(long)]
    filename: Option<String>,
}

fn client(
    token: Option<String>,
    base: Option<String>,
    version: Option<String>,
) -> wacrm::Result<CloudApiClient> {
    let mut b = ClientBuilder::from_env();
    if let Some(t) = token {
        b = b.access_token(t);
    }
    if let Some(u) = base.filter(|u| !u.is_empty()) {
        b = b.base_url(u);
    }
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        b = b.api_version(v);
    }
    b.build()
}

fn pair(s: &str, what: &str) -> wacrm::Result<(String, String, Option<String>)> {
    let mut it = s.splitn(3, ':');
    match (it.next(), it.next(), it.next()) {
        (Some(a), Some(b), c) if !a.is_empty() => {
            Ok((a.to_string(), b.to_string(), c.map(str::to_string)))
        }
        _ => Err(wacrm::Error::validation(
            what,
            format!("{s:?} is not id:title"),
        )),
    }
}

fn media(m: MediaArgs) -> wacrm::Result<(Common, Media)> {
    let source = match (m.link, m.media_id) {
        (Some(l), None) => MediaSource::Link(l),
        (None, Some(id)) => MediaSource::Id(id.into()),
        _ => {
            return Err(wacrm::Error::validation(
                "media",
                "give --link or --media-id",
            ));
        }
    };
    Ok((
        m.common,
        Media {
            source,
            caption: m.caption,
            filename: m.filename,
        },
    ))
}

fn build(kind: Kind) -> wacrm::Result<(Common, OutboundMessage)> {
    Ok(match kind {
        Kind::Text {
            common,
            body,
            preview_url,
        } => (common, OutboundMessage::Text { body, preview_url }),
        Kind::Template {
            common,
            name,
            language,
            params,
        } => {
            let ps: Vec<TemplateParam> = params
                .iter()
                .map(|p| match p.split_once('=') {
                    Some((n, v))
                        if !n.is_empty()
                            && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
                    {
                        TemplateParam::named(n, v)
                    }
                    _ => TemplateParam::text(p.clone()),
                })
                .collect();
            let mut t = Template::new(name, language);
            if !ps.is_empty() {
                t = t.body(ps);
            }
            (common, OutboundMessage::Template(t))
        }
        Kind::Image(m) => media(m).map(|(c, m)| (c, OutboundMessage::Image(m)))?,
        Kind::Audio(m) => media(m).map(|(c, m)| (c, OutboundMessage::Audio(m)))?,
        Kind::Video(m) => media(m).map(|(c, m)| (c, OutboundMessage::Video(m)))?,
        Kind::Document(m) => media(m).map(|(c, m)| (c, OutboundMessage::Document(m)))?,
        Kind::Sticker(m) => media(m).map(|(c, m)| (c, OutboundMessage::Sticker(m)))?,
        Kind::Location {
            common,
            latitude,
            longitude,
            name,
            address,
        } => (
            common,
            OutboundMessage::Location(Location {
                latitude,
                longitude,
                name,
                address,
            }),
        ),
        Kind::Reaction {
            common,
            message_id,
            emoji,
        } => (
            common,
            OutboundMessage::Reaction {
                message_id: MessageId::new(message_id),
                emoji,
            },
        ),
        Kind::Contacts {
            common,
            name,
            phone,
        } => (
            common,
            OutboundMessage::Contacts(vec![ContactCard {
                name: ContactName {
                    formatted_name: name,
                    ..Default::default()
                },
                phones: phone
                    .into_iter()
                    .map(|p| ContactPhone {
                        phone: p,
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }]),
        ),
        Kind::Buttons {
            common,
            body,
            buttons,
        } => {
            let buttons = buttons
                .iter()
                .map(|b| pair(b, "button").map(|(id, title, _)| ReplyButton { id, title }))
                .collect::<wacrm::Result<Vec<_>>>()?;
            (
                common,
                OutboundMessage::Interactive(Interactive::Buttons {
                    header: None,
                    body,
                    footer: None,
                    buttons,
                }),
            )
        }
        Kind::List {
            common,
            body,
            button,
            rows,
        } => {
            let rows = rows
                .iter()
                .map(|r| {
                    pair(r, "row").map(|(id, title, description)| ListRow {
                        id,
                        title,
                        description,
                    })
                })
                .collect::<wacrm::Result<Vec<_>>>()?;
            (
                common,
                OutboundMessage::Interactive(Interactive::List {
                    header: None,
                    body,
                    footer: None,
                    button,
                    sections: vec![ListSection { title: None, rows }],
                }),
            )
        }
        Kind::CtaUrl {
            common,
            body,
            display_text,
            url,
        } => (
            common,
            OutboundMessage::Interactive(Interactive::CtaUrl {
                header: None,
                body,
                footer: None,
                display_text,
                url,
            }),
        ),
        Kind::Flow {
            common,
            body,
            flow_id,
            cta,
            flow_token,
        } => (
            common,
            OutboundMessage::Interactive(Interactive::Flow {
                header: None,
                body,
                footer: None,
                action: FlowAction {
                    flow_id: Some(flow_id),
                    flow_name: None,
                    flow_cta: cta,
                    flow_token,
                    flow_action: Some("navigate".into()),
                    flow_action_payload: None,
                    mode: None,
                },
            }),
        ),
        Kind::Read { .. } => {
            return Err(wacrm::Error::validation(
                "kind",
                "read marks a message; it is not one",
            ));
        }
    })
}

pub async fn run(a: SendArgs) -> ExitCode {
    let result = match a.kind {
        Kind::Read {
            from,
            message_id,
            typing,
            token,
            base_url,
            api_version,
        } => match client(token, base_url, api_version) {
            Ok(c) => c
                .mark_read(
                    &PhoneNumberId::new(from),
                    &MessageId::new(message_id),
                    typing,
                )
                .await
                .map(|r| json!(r)),
            Err(e) => Err(e),
        },
        kind => match build(kind) {
            Ok((common, msg)) => match client(
                common.token.clone(),
                common.base_url.clone(),
                common.api_version.clone(),
            ) {
                Ok(c) => {
                    let opts = SendOptions {
                        reply_to: common.reply_to.map(MessageId::new),
                        biz_opaque_callback_data: None,
                        idempotency_key: common.idempotency_key.map(Into::into),
                    };
                    c.send(
                        &PhoneNumberId::new(common.from),
                        &Recipient::parse(&common.to),
                        &msg,
                        &opts,
                    )
                    .await
                    .map(|r| json!(r))
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(v) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(e) => crate::output::print_error(&e),
    }
}
