//! Webhook body → events. Parsing is layered over raw JSON slices so one odd
//! entry, change, message or status becomes an `Unknown` event instead of
//! failing the whole body.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::types::*;
use crate::error::{Error, GraphError, Result};
use crate::ids::MessageId;

/// `T` read only from a JSON object: serde's derived structs also accept
/// arrays (fields by position), which would turn `[...]` into a silent,
/// half-empty value instead of an `Unknown` event.
struct Obj<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Obj<T>, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Obj)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct EnvelopeRaw<'a> {
    #[serde(borrow, default)]
    entry: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct EntryRaw<'a> {
    #[serde(default)]
    id: String,
    #[serde(borrow, default)]
    changes: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct ChangeRaw<'a> {
    #[serde(default)]
    field: String,
    #[serde(borrow)]
    value: &'a RawValue,
}

#[derive(Deserialize, Default)]
struct Metadata {
    #[serde(default)]
    display_phone_number: String,
    #[serde(default)]
    phone_number_id: String,
}

#[derive(Deserialize, Default)]
struct Profile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    username: Option<String>,
}

#[derive(Deserialize)]
struct ContactRaw {
    #[serde(default)]
    profile: Option<Profile>,
    #[serde(default)]
    wa_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    parent_user_id: Option<String>,
}

#[derive(Deserialize)]
struct ValueRaw<'a> {
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(borrow, default)]
    contacts: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    messages: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    statuses: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    errors: Vec<&'a RawValue>,
}

/// Seconds as Meta sends them: a string, sometimes a number. A hand-written
/// visitor rather than an untagged enum, which would buffer every value.
struct Ts(i64);

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Ts;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("unix seconds as a string or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Ts, E> {
                Ok(Ts(v.trim().parse().unwrap_or(0)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Ts, E> {
                Ok(Ts(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Ts, E> {
                Ok(Ts(i64::try_from(v).unwrap_or(0)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Ts, E> {
                Ok(Ts(v as i64))
            }
        }
        d.deserialize_any(V)
    }
}

impl Ts {
    fn secs(&self) -> i64 {
        self.0
    }
}

#[derive(Deserialize)]
struct TextRaw {
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
struct ButtonRaw {
    #[serde(default)]
    text: String,
    #[serde(default)]
    payload: Option<String>,
}

#[derive(Deserialize)]
struct ReactionRaw {
    #[serde(default)]
    message_id: String,
    #[serde(default)]
    emoji: Option<String>,
}

#[derive(Deserialize)]
struct OrderRaw {
    #[serde(default)]
    catalog_id: Option<String>,
    #[serde(default)]
    product_items: Vec<serde_json::Value>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct SystemRaw {
    #[serde(default)]
    body: Option<String>,
    #[serde(default, rename = "type")]
    system_type: Option<String>,
    #[serde(default)]
    wa_id: Option<String>,
    #[serde(default)]
    new_wa_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
}

#[derive(Deserialize)]
struct IdTitle {
    #[serde(default)]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct NfmRaw {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    response_json: Option<String>,
}

#[derive(Deserialize)]
struct InteractiveRaw {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    button_reply: Option<IdTitle>,
    #[serde(default)]
    list_reply: Option<IdTitle>,
    #[serde(default)]
    nfm_reply: Option<NfmRaw>,
}

#[derive(Deserialize)]
struct MessageRaw {
    id: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    from_user_id: Option<String>,
    #[serde(default)]
    from_parent_user_id: Option<String>,
    #[serde(default)]
    timestamp: Option<Ts>,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    context: Option<ReplyContext>,
    #[serde(default)]
    referral: Option<Referral>,
    #[serde(default)]
    errors: Vec<GraphError>,
    #[serde(default)]
    text: Option<TextRaw>,
    #[serde(default)]
    image: Option<MediaInfo>,
    #[serde(default)]
    audio: Option<MediaInfo>,
    #[serde(default)]
    video: Option<MediaInfo>,
    #[serde(default)]
    document: Option<MediaInfo>,
    #[serde(default)]
    sticker: Option<MediaInfo>,
    #[serde(default)]
    location: Option<LocationInfo>,
    #[serde(default)]
    contacts: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    interactive: Option<InteractiveRaw>,
    #[serde(default)]
    button: Option<ButtonRaw>,
    #[serde(default)]
    reaction: Option<ReactionRaw>,
    #[serde(default)]
    order: Option<OrderRaw>,
    #[serde(default)]
    system: Option<SystemRaw>,
}

#[derive(Deserialize)]
struct StatusRaw {
    id: String,
    status: String,
    #[serde(default)]
    timestamp: Option<Ts>,
    #[serde(default)]
    recipient_id: Option<String>,
    #[serde(default)]
    recipient_user_id: Option<String>,
    #[serde(default)]
    biz_opaque_callback_data: Option<String>,
    #[serde(default)]
    pricing: Option<Pricing>,
    #[serde(default)]
    conversation: Option<serde_json::Value>,
    #[serde(default)]
    errors: Vec<GraphError>,
}

fn unknown(
    field: &str,
    routing: Option<Routing>,
    reason: impl Into<String>,
    raw: &RawValue,
) -> WebhookEvent {
    WebhookEvent::Unknown(UnknownEvent {
        field: field.to_string(),
        routing,
        reason: reason.into(),
        raw: raw.to_owned(),
    })
}

fn content_of(m: MessageRaw) -> (MessageRaw, MessageContent) {
    let mut m = m;
    let missing = |t: &str| MessageContent::Unknown {
        type_name: format!("{t} (object missing)"),
    };
    let content = match m.kind.as_str() {
        "text" => match m.text.take() {
            Some(t) => MessageContent::Text { body: t.body },
            None => missing("text"),
        },
        "image" => m
            .image
            .take()
            .map(MessageContent::Image)
            .unwrap_or_else(|| missing("image")),
        "audio" => m
            .audio
            .take()
            .map(MessageContent::Audio)
            .unwrap_or_else(|| missing("audio")),
        "video" => m
            .video
            .take()
            .map(MessageContent::Video)
            .unwrap_or_else(|| missing("video")),
        "document" => m
            .document
            .take()
            .map(MessageContent::Document)
            .unwrap_or_else(|| missing("document")),
        "sticker" => m
            .sticker
            .take()
            .map(MessageContent::Sticker)
            .unwrap_or_else(|| missing("sticker")),
        "location" => m
            .location
            .take()
            .map(MessageContent::Location)
            .unwrap_or_else(|| missing("location")),
        "contacts" => MessageContent::Contacts {
            contacts: m.contacts.take().unwrap_or_default(),
        },
        "interactive" => match m.interactive.take() {
            Some(i) => MessageContent::Interactive(
                match (i.kind.as_str(), i.button_reply, i.list_reply, i.nfm_reply) {
                    ("button_reply", Some(b), _, _) => InteractiveReply::ButtonReply {
                        id: b.id,
                        title: b.title,
                    },
                    ("list_reply", _, Some(l), _) => InteractiveReply::ListReply {
                        id: l.id,
                        title: l.title,
                        description: l.description,
                    },
                    ("nfm_reply", _, _, Some(n)) => InteractiveReply::NfmReply {
                        name: n.name,
                        body: n.body,
                        response_json: n.response_json,
                    },
                    (other, ..) => InteractiveReply::Other {
                        reply_type: other.to_string(),
                    },
                },
            ),
            None => missing("interactive"),
        },
        "button" => match m.button.take() {
            Some(b) => MessageContent::Button {
                text: b.text,
                payload: b.payload,
            },
            None => missing("button"),
        },
        "reaction" => match m.reaction.take() {
            Some(r) => MessageContent::Reaction {
                message_id: r.message_id,
                // An empty emoji, like an absent one, means the reaction was removed.
                emoji: r.emoji.filter(|e| !e.is_empty()),
            },
            None => missing("reaction"),
        },
        "order" => match m.order.take() {
            Some(o) => MessageContent::Order {
                catalog_id: o.catalog_id,
                product_items: o.product_items,
                text: o.text,
            },
            None => missing("order"),
        },
        "system" => match m.system.take() {
            Some(s) => MessageContent::System {
                body: s.body,
                system_type: s.system_type,
                wa_id: s.wa_id.or(s.new_wa_id),
                user_id: s.user_id,
            },
            None => missing("system"),
        },
        "request_welcome" => MessageContent::RequestWelcome,
        "unsupported" | "unknown" => MessageContent::Unsupported,
        other => MessageContent::Unknown {
            type_name: other.to_string(),
        },
    };
    (m, content)
}

fn contact_for(
    contacts: &[ContactRaw],
    from: Option<&str>,
    user: Option<&str>,
) -> Option<ContactInfo> {
    let c = contacts
        .iter()
        .find(|c| {
            (from.is_some() && c.wa_id.as_deref() == from)
                || (user.is_some() && c.user_id.as_deref() == user)
        })
        .or(contacts.first())?;
    let profile = c.profile.as_ref();
    Some(ContactInfo {
        name: profile.and_then(|p| p.name.clone()),
        username: profile.and_then(|p| p.username.clone()),
        wa_id: c.wa_id.clone(),
        user_id: c.user_id.clone(),
        parent_user_id: c.parent_user_id.clone(),
    })
}

fn parse_messages_value(field: &str, waba: &str, raw: &RawValue, out: &mut Vec<WebhookEvent>) {
    let value: ValueRaw = match serde_json::from_str::<Obj<ValueRaw>>(raw.get()).map(|o| o.0) {
        Ok(v) => v,
        Err(e) => {
            out.push(unknown(field, None, format!("value: {e}"), raw));
            return;
        }
    };
    // Contacts only enrich messages: an odd one is skipped, never fatal.
    let contacts: Vec<ContactRaw> = value
        .contacts
        .iter()
        .filter_map(|c| serde_json::from_str(c.get()).ok())
        .collect();
    let meta = value.metadata.unwrap_or_default();
    let routing = Routing {
        waba_id: waba.to_string(),
        phone_number_id: meta.phone_number_id,
        display_phone_number: meta.display_phone_number,
    };
    emit(
        field,
        &routing,
        &contacts,
        &value.messages,
        &value.statuses,
        out,
    );
    for e in value.errors {
        match serde_json::from_str::<GraphError>(e.get()) {
            Ok(error) => out.push(WebhookEvent::Error(ErrorEvent {
                routing: routing.clone(),
                error,
            })),
            Err(err) => out.push(unknown(
                field,
                Some(routing.clone()),
                format!("error: {err}"),
                e,
            )),
        }
    }
}

/// Messages and statuses of one change value, each parsed on its own.
fn emit(
    field: &str,
    routing: &Routing,
    contacts: &[ContactRaw],
    messages: &[&RawValue],
    statuses: &[&RawValue],
    out: &mut Vec<WebhookEvent>,
) {
    for m in messages {
        match serde_json::from_str::<Obj<MessageRaw>>(m.get()).map(|o| o.0) {
            Ok(parsed) => {
                let (parsed, content) = content_of(parsed);
                let contact = contact_for(
                    contacts,
                    parsed.from.as_deref(),
                    parsed.from_user_id.as_deref(),
                );
                out.push(WebhookEvent::Message(Box::new(InboundEvent {
                    routing: routing.clone(),
                    id: MessageId::new(parsed.id),
                    from: parsed.from,
                    from_user_id: parsed.from_user_id,
                    from_parent_user_id: parsed.from_parent_user_id,
                    timestamp: parsed.timestamp.as_ref().map(Ts::secs).unwrap_or(0),
                    contact,
                    context: parsed.context,
                    referral: parsed.referral,
                    content,
                    errors: parsed.errors,
                    raw: (*m).to_owned(),
                })));
            }
            Err(e) => out.push(unknown(
                field,
                Some(routing.clone()),
                format!("message: {e}"),
                m,
            )),
        }
    }
    for s in statuses {
        match serde_json::from_str::<Obj<StatusRaw>>(s.get()).map(|o| o.0) {
            Ok(st) => out.push(WebhookEvent::Status(Box::new(StatusEvent {
                routing: routing.clone(),
                id: MessageId::new(st.id),
                status: StatusKind::parse(&st.status),
                timestamp: st.timestamp.as_ref().map(Ts::secs).unwrap_or(0),
                recipient_id: st.recipient_id,
                recipient_user_id: st.recipient_user_id,
                biz_opaque_callback_data: st.biz_opaque_callback_data,
                pricing: st.pricing,
                conversation: st.conversation,
                errors: st.errors,
                raw: (*s).to_owned(),
            }))),
            Err(e) => out.push(unknown(
                field,
                Some(routing.clone()),
                format!("status: {e}"),
                s,
            )),
        }
    }
}

// The fast path: the usual body (only `messages` changes, every envelope level
// well-formed) is read in one pass, messages and statuses captured raw and then
// parsed once each. Anything unusual falls back to the layered lenient path.
#[derive(Deserialize)]
struct FastEnvelope<'a> {
    #[serde(borrow)]
    entry: Vec<Obj<FastEntry<'a>>>,
}

#[derive(Deserialize)]
struct FastEntry<'a> {
    #[serde(default)]
    id: String,
    #[serde(borrow)]
    changes: Vec<Obj<FastChange<'a>>>,
}

#[derive(Deserialize)]
struct FastChange<'a> {
    field: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    value: Obj<FastValue<'a>>,
}

#[derive(Deserialize)]
struct FastValue<'a> {
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    contacts: Vec<ContactRaw>,
    #[serde(borrow, default)]
    messages: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    statuses: Vec<&'a RawValue>,
    #[serde(default)]
    errors: Vec<GraphError>,
}

fn parse_fast(text: &str) -> Option<Vec<WebhookEvent>> {
    let Obj(env) = serde_json::from_str::<Obj<FastEnvelope>>(text).ok()?;
    if env
        .entry
        .iter()
        .any(|e| e.0.changes.iter().any(|c| c.0.field != "messages"))
    {
        return None;
    }
    let mut out = Vec::new();
    for Obj(entry) in env.entry {
        for Obj(change) in entry.changes {
            let v = change.value.0;
            let meta = v.metadata.unwrap_or_default();
            let routing = Routing {
                waba_id: entry.id.clone(),
                phone_number_id: meta.phone_number_id,
                display_phone_number: meta.display_phone_number,
            };
            emit(
                "messages",
                &routing,
                &v.contacts,
                &v.messages,
                &v.statuses,
                &mut out,
            );
            for error in v.errors {
                out.push(WebhookEvent::Error(ErrorEvent {
                    routing: routing.clone(),
                    error,
                }));
            }
        }
    }
    Some(out)
}

/// Parse a webhook body into events. Fails only when the body is not JSON;
/// everything odd inside becomes an `Unknown` event carrying its raw JSON.
pub fn parse_body(body: &[u8]) -> Result<Vec<WebhookEvent>> {
    let text =
        std::str::from_utf8(body).map_err(|e| Error::Webhook(format!("body is not UTF-8: {e}")))?;
    if let Some(events) = parse_fast(text) {
        return Ok(events);
    }
    let env: EnvelopeRaw = match serde_json::from_str::<Obj<EnvelopeRaw>>(text).map(|o| o.0) {
        Ok(e) => e,
        Err(e) => {
            // Valid JSON of another shape is kept whole; anything else is an error.
            let raw: Box<RawValue> = serde_json::from_str(text)
                .map_err(|_| Error::Webhook(format!("body is not JSON: {e}")))?;
            return Ok(vec![unknown(
                "",
                None,
                format!("not a webhook envelope: {e}"),
                &raw,
            )]);
        }
    };
    let Some(entries) = env.entry else {
        let raw: Box<RawValue> =
            serde_json::from_str(text).map_err(|e| Error::Webhook(e.to_string()))?;
        return Ok(vec![unknown("", None, "no entry array", &raw)]);
    };
    let mut out = Vec::new();
    for entry in entries {
        let parsed: EntryRaw = match serde_json::from_str::<Obj<EntryRaw>>(entry.get()).map(|o| o.0)
        {
            Ok(p) => p,
            Err(e) => {
                out.push(unknown("", None, format!("entry: {e}"), entry));
                continue;
            }
        };
        for change in parsed.changes {
            match serde_json::from_str::<Obj<ChangeRaw>>(change.get()).map(|o| o.0) {
                Ok(c) if c.field == "messages" => {
                    parse_messages_value(&c.field, &parsed.id, c.value, &mut out)
                }
                Ok(c) => out.push(unknown(&c.field, None, "field not modelled", c.value)),
                Err(e) => out.push(unknown("", None, format!("change: {e}"), change)),
            }
        }
    }
    Ok(out)
}
