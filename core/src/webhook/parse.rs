//! Webhook body → events. The usual body is read by the pull pass (`pull`);
//! anything it does not take is parsed here, layered over raw JSON slices, so
//! one odd entry, change, message or status becomes an `Unknown` event
//! instead of failing the whole body. The serde types below serve both.

use bytes::Bytes;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::fields;
use super::pull;
use super::raw::RawJson;
use super::scan::Reader;
use super::types::*;
use super::verify::{SignatureProblem, SignatureVerifier};
use crate::error::{Error, GraphError, Result};
use crate::ids::MessageId;

/// `T` read only from a JSON object: serde's derived structs also accept
/// arrays (fields by position), which would turn `[...]` into a silent,
/// half-empty value instead of an `Unknown` event.
pub(super) struct Obj<T>(pub(super) T);

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
pub(super) struct EnvelopeRaw<'a> {
    #[serde(borrow, default)]
    entry: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
pub(super) struct EntryRaw<'a> {
    #[serde(default)]
    id: String,
    #[serde(borrow, default)]
    changes: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct ChangeRaw<'a> {
    #[serde(default)]
    field: String,
    #[serde(borrow)]
    value: &'a RawValue,
}

#[derive(Deserialize, Default)]
pub(super) struct Metadata {
    #[serde(default)]
    display_phone_number: String,
    #[serde(default)]
    phone_number_id: String,
}

// Borrowed where the event does not keep the value as is: a string without
// escapes is then never copied twice.
type Str<'a> = std::borrow::Cow<'a, str>;

#[derive(Deserialize, Default)]
pub(super) struct Profile<'a> {
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
    #[serde(borrow, default)]
    username: Option<Str<'a>>,
}

#[derive(Deserialize)]
pub(super) struct ContactRaw<'a> {
    #[serde(borrow, default)]
    profile: Option<Profile<'a>>,
    #[serde(borrow, default)]
    wa_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    user_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    parent_user_id: Option<Str<'a>>,
}

#[derive(Deserialize)]
pub(super) struct ValueRaw<'a> {
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
pub(super) struct Ts(i64);

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Ts;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("unix seconds as a string or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Ts, E> {
                Ok(Ts::from_text(v))
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
    /// Seconds written as text; anything unreadable is 0.
    pub(super) fn from_text(v: &str) -> Ts {
        // The usual form, ten plain digits, without the general parser.
        if (1..=18).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) {
            return Ts(v.bytes().fold(0, |n, b| n * 10 + i64::from(b - b'0')));
        }
        Ts(v.trim().parse().unwrap_or(0))
    }

    fn secs(&self) -> i64 {
        self.0
    }
}

#[derive(Deserialize)]
pub(super) struct TextRaw {
    #[serde(default)]
    pub(super) body: String,
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

#[derive(Deserialize, Default)]
// Type-specific parts boxed: the struct stays small, so moving it and the
// vector of them costs nothing when a body carries one text message.
pub(super) struct MessageRaw<'a> {
    pub(super) id: String,
    #[serde(default)]
    pub(super) from: Option<String>,
    #[serde(default)]
    pub(super) from_user_id: Option<String>,
    #[serde(default)]
    pub(super) from_parent_user_id: Option<String>,
    #[serde(default)]
    pub(super) timestamp: Option<Ts>,
    #[serde(borrow, default, rename = "type")]
    pub(super) kind: Str<'a>,
    #[serde(default)]
    context: Option<Box<ReplyContext>>,
    #[serde(default)]
    referral: Option<Box<Referral>>,
    #[serde(default)]
    errors: Vec<GraphError>,
    #[serde(default)]
    pub(super) text: Option<TextRaw>,
    #[serde(default)]
    image: Option<Box<MediaInfo>>,
    #[serde(default)]
    audio: Option<Box<MediaInfo>>,
    #[serde(default)]
    video: Option<Box<MediaInfo>>,
    #[serde(default)]
    document: Option<Box<MediaInfo>>,
    #[serde(default)]
    sticker: Option<Box<MediaInfo>>,
    #[serde(default)]
    location: Option<Box<LocationInfo>>,
    #[serde(default)]
    contacts: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    interactive: Option<Box<InteractiveRaw>>,
    #[serde(default)]
    button: Option<Box<ButtonRaw>>,
    #[serde(default)]
    reaction: Option<Box<ReactionRaw>>,
    #[serde(default)]
    order: Option<Box<OrderRaw>>,
    #[serde(default)]
    system: Option<Box<SystemRaw>>,
}

#[derive(Deserialize, Default)]
pub(super) struct StatusRaw<'a> {
    pub(super) id: String,
    #[serde(borrow)]
    pub(super) status: Str<'a>,
    #[serde(default)]
    pub(super) timestamp: Option<Ts>,
    #[serde(default)]
    pub(super) recipient_id: Option<String>,
    #[serde(default)]
    pub(super) recipient_user_id: Option<String>,
    #[serde(default)]
    pub(super) biz_opaque_callback_data: Option<String>,
    #[serde(default)]
    pub(super) pricing: Option<Pricing>,
    #[serde(default)]
    pub(super) conversation: Option<serde_json::Value>,
    #[serde(default)]
    pub(super) errors: Vec<GraphError>,
}

fn unknown(
    field: &str,
    routing: Option<Routing>,
    reason: impl Into<String>,
    raw: RawJson,
) -> WebhookEvent {
    WebhookEvent::Unknown(Box::new(UnknownEvent {
        field: field.to_string(),
        routing,
        reason: reason.into(),
        raw,
    }))
}

/// The content of `m`, its type-specific part taken out (the rest stays).
fn content_of(m: &mut MessageRaw<'_>) -> MessageContent {
    let missing = |t: &str| MessageContent::Unknown {
        type_name: format!("{t} (object missing)"),
    };
    match m.kind.as_ref() {
        "text" => match m.text.take() {
            Some(t) => MessageContent::Text { body: t.body },
            None => missing("text"),
        },
        "image" => m
            .image
            .take()
            .map(|b| MessageContent::Image(*b))
            .unwrap_or_else(|| missing("image")),
        "audio" => m
            .audio
            .take()
            .map(|b| MessageContent::Audio(*b))
            .unwrap_or_else(|| missing("audio")),
        "video" => m
            .video
            .take()
            .map(|b| MessageContent::Video(*b))
            .unwrap_or_else(|| missing("video")),
        "document" => m
            .document
            .take()
            .map(|b| MessageContent::Document(*b))
            .unwrap_or_else(|| missing("document")),
        "sticker" => m
            .sticker
            .take()
            .map(|b| MessageContent::Sticker(*b))
            .unwrap_or_else(|| missing("sticker")),
        "location" => m
            .location
            .take()
            .map(|b| MessageContent::Location(*b))
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
            // Meta sends the errors instead of the reply when it could not
            // deliver it: still an interactive message, see its errors.
            None if !m.errors.is_empty() => MessageContent::Interactive(InteractiveReply::Other {
                reply_type: "unavailable".to_string(),
            }),
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
    }
}

/// Which of a change's contacts sent a message: the one with its wa_id or
/// user id, else the first. `ids` gives a contact's (wa_id, user_id).
pub(super) fn sender_of<C>(
    contacts: &[C],
    from: Option<&str>,
    user: Option<&str>,
    ids: impl Fn(&C) -> (Option<&str>, Option<&str>),
) -> Option<usize> {
    let found = contacts.iter().position(|c| {
        let (wa_id, user_id) = ids(c);
        (from.is_some() && wa_id == from) || (user.is_some() && user_id == user)
    });
    found.or((!contacts.is_empty()).then_some(0))
}

pub(super) fn contact_for(
    contacts: &[ContactRaw<'_>],
    from: Option<&str>,
    user: Option<&str>,
) -> Option<ContactInfo> {
    let c = &contacts[sender_of(contacts, from, user, |c| {
        (c.wa_id.as_deref(), c.user_id.as_deref())
    })?];
    let owned = |s: &Option<Str<'_>>| s.as_deref().map(str::to_string);
    let profile = c.profile.as_ref();
    Some(ContactInfo {
        name: profile.and_then(|p| owned(&p.name)),
        username: profile.and_then(|p| owned(&p.username)),
        wa_id: owned(&c.wa_id),
        user_id: owned(&c.user_id),
        parent_user_id: owned(&c.parent_user_id),
    })
}

/// The body being parsed: the shared bytes every event's raw JSON points
/// into, and the same bytes as checked text.
pub(super) struct Body<'a> {
    bytes: &'a Bytes,
    pub(super) text: &'a str,
}

impl<'a> Body<'a> {
    /// A body over `text`, its events' raw JSON pointing into `bytes`.
    #[cfg(test)]
    pub(super) fn for_test(bytes: &'a Bytes, text: &'a str) -> Self {
        Body { bytes, text }
    }

    pub(super) fn raw(&self, part: &RawValue) -> RawJson {
        self.raw_span(RawJson::span_of(self.text, part))
    }

    pub(super) fn raw_span(&self, span: std::ops::Range<usize>) -> RawJson {
        RawJson::spanned(self.bytes.clone(), span)
    }
}

fn parse_messages_value(
    body: &Body<'_>,
    field: &str,
    waba: &str,
    raw: &RawValue,
    out: &mut Vec<WebhookEvent>,
) {
    let value: ValueRaw = match serde_json::from_str::<Obj<ValueRaw>>(raw.get()).map(|o| o.0) {
        Ok(v) => v,
        Err(e) => {
            out.push(unknown(field, None, format!("value: {e}"), body.raw(raw)));
            return;
        }
    };
    // Contacts only enrich messages: an odd one is skipped, never fatal.
    let contacts: Vec<ContactRaw> = value
        .contacts
        .iter()
        .filter_map(|c| serde_json::from_str(c.get()).ok())
        .collect();
    let routing = routing_of(waba, value.metadata);
    for m in &value.messages {
        match serde_json::from_str::<Obj<MessageRaw>>(m.get()) {
            Ok(Obj(parsed)) => {
                let from = (parsed.from.as_deref(), parsed.from_user_id.as_deref());
                let contact = contact_for(&contacts, from.0, from.1);
                out.push(message_event(routing.clone(), contact, parsed, body.raw(m)))
            }
            Err(e) => out.push(unknown(
                field,
                Some(routing.clone()),
                format!("message: {e}"),
                body.raw(m),
            )),
        }
    }
    for s in &value.statuses {
        match serde_json::from_str::<Obj<StatusRaw>>(s.get()) {
            Ok(Obj(st)) => out.push(status_event(routing.clone(), st, body.raw(s))),
            Err(e) => out.push(unknown(
                field,
                Some(routing.clone()),
                format!("status: {e}"),
                body.raw(s),
            )),
        }
    }
    for e in value.errors {
        match serde_json::from_str::<GraphError>(e.get()) {
            Ok(error) => out.push(WebhookEvent::Error(Box::new(ErrorEvent {
                routing: routing.clone(),
                error,
            }))),
            Err(err) => out.push(unknown(
                field,
                Some(routing.clone()),
                format!("error: {err}"),
                body.raw(e),
            )),
        }
    }
}

pub(super) fn routing_of(waba: &str, metadata: Option<Metadata>) -> Routing {
    let meta = metadata.unwrap_or_default();
    Routing {
        waba_id: waba.to_string(),
        phone_number_id: meta.phone_number_id,
        display_phone_number: meta.display_phone_number,
    }
}

pub(super) fn message_event(
    routing: Routing,
    contact: Option<ContactInfo>,
    parsed: MessageRaw<'_>,
    raw: RawJson,
) -> WebhookEvent {
    WebhookEvent::Message(Box::new(inbound_event(routing, contact, parsed, raw)))
}

/// The typed message of `parsed` (also what an echo of the Business app is).
pub(super) fn inbound_event(
    routing: Routing,
    contact: Option<ContactInfo>,
    parsed: MessageRaw<'_>,
    raw: RawJson,
) -> InboundEvent {
    let mut parsed = parsed;
    let content = content_of(&mut parsed);
    InboundEvent {
        routing,
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
        raw,
    }
}

pub(super) fn status_event(routing: Routing, st: StatusRaw, raw: RawJson) -> WebhookEvent {
    WebhookEvent::Status(Box::new(StatusEvent {
        routing,
        id: MessageId::new(st.id),
        status: StatusKind::parse(&st.status),
        timestamp: st.timestamp.as_ref().map(Ts::secs).unwrap_or(0),
        recipient_id: st.recipient_id,
        recipient_user_id: st.recipient_user_id,
        biz_opaque_callback_data: st.biz_opaque_callback_data,
        pricing: st.pricing,
        conversation: st.conversation,
        errors: st.errors,
        raw,
    }))
}

/// Parse a webhook body into events. Fails only when the body is not JSON;
/// everything odd inside becomes an `Unknown` event carrying its raw JSON.
pub fn parse_body(body: &[u8]) -> Result<Vec<WebhookEvent>> {
    parse_bytes(Bytes::copy_from_slice(body))
}

/// [`parse_body`] over bytes the caller already holds (an HTTP server's body):
/// the events' raw JSON shares them, nothing is copied.
pub fn parse_bytes(bytes: Bytes) -> Result<Vec<WebhookEvent>> {
    parse_with(bytes, Path::Both)
}

/// Which way a body is parsed: both paths exist to be the same, and tests
/// and the fuzz target check that they are.
#[doc(hidden)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Path {
    /// The pull pass, then the layered path if it gives up (what
    /// [`parse_bytes`] does).
    Both,
    /// Only the pull pass: `Ok(vec![])` with no events is still possible,
    /// giving up is an error saying so.
    Fast,
    /// Only the layered path.
    Layered,
}

/// The body as text. The SIMD check first: a valid body (nearly all) is done
/// with in a fraction of the standard check's time; an invalid one is
/// described by the standard check.
fn utf8(bytes: &[u8]) -> Result<&str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => std::str::from_utf8(bytes)
            .map_err(|e| Error::Webhook(format!("body is not UTF-8: {e}"))),
    }
}

/// [`parse_bytes`] along one [`Path`] (for tests of the paths' agreement).
#[doc(hidden)]
pub fn parse_with(bytes: Bytes, path: Path) -> Result<Vec<WebhookEvent>> {
    let text = utf8(&bytes)?;
    let body = Body {
        bytes: &bytes,
        text,
    };
    if path != Path::Layered {
        match pull::parse(&mut Reader::new(text), &body) {
            Some(events) => return Ok(events),
            None if path == Path::Fast => {
                return Err(Error::Webhook("the pull pass gave up".into()));
            }
            None => {}
        }
    }
    layered(&body)
}

/// Verify and parse in one pass: the pull pass hashes the body for the
/// signature as it reads it. No event leaves before the signature matches,
/// and a body the pull pass gives up on reaches the layered path only once
/// it is verified. The outer error is the signature's, the inner the body's.
pub(super) fn parse_signed(
    bytes: Bytes,
    verifier: &SignatureVerifier,
    expected: &[u8; 32],
) -> std::result::Result<Result<Vec<WebhookEvent>>, SignatureProblem> {
    let text = match utf8(&bytes) {
        Ok(text) => text,
        Err(e) => {
            verifier.matches(verifier.start(), &bytes, expected)?;
            return Ok(Err(e));
        }
    };
    let body = Body {
        bytes: &bytes,
        text,
    };
    let mut reader = Reader::hashing(text, verifier.start());
    let fast = pull::parse(&mut reader, &body);
    // A tag not handed back is started again: the result is the same.
    let tag = reader.into_tag().unwrap_or_else(|| verifier.start());
    verifier.matches(tag, &bytes, expected)?;
    Ok(match fast {
        Some(events) => Ok(events),
        None => layered(&body),
    })
}

/// The layered, lenient path over the whole body.
fn layered(body: &Body<'_>) -> Result<Vec<WebhookEvent>> {
    let text = body.text;
    let env: EnvelopeRaw = match serde_json::from_str::<Obj<EnvelopeRaw>>(text).map(|o| o.0) {
        Ok(e) => e,
        Err(e) => {
            // Valid JSON of another shape is kept whole; anything else is an error.
            let raw: &RawValue = serde_json::from_str(text)
                .map_err(|_| Error::Webhook(format!("body is not JSON: {e}")))?;
            return Ok(vec![unknown(
                "",
                None,
                format!("not a webhook envelope: {e}"),
                body.raw(raw),
            )]);
        }
    };
    let Some(entries) = env.entry else {
        let raw: &RawValue =
            serde_json::from_str(text).map_err(|e| Error::Webhook(e.to_string()))?;
        return Ok(vec![unknown("", None, "no entry array", body.raw(raw))]);
    };
    let mut out = Vec::new();
    for entry in entries {
        let parsed: EntryRaw = match serde_json::from_str::<Obj<EntryRaw>>(entry.get()).map(|o| o.0)
        {
            Ok(p) => p,
            Err(e) => {
                out.push(unknown("", None, format!("entry: {e}"), body.raw(entry)));
                continue;
            }
        };
        for change in parsed.changes {
            match serde_json::from_str::<Obj<ChangeRaw>>(change.get()).map(|o| o.0) {
                Ok(c) if c.field == "messages" => {
                    parse_messages_value(body, &c.field, &parsed.id, c.value, &mut out)
                }
                Ok(c) if fields::parse_field(body, &c.field, &parsed.id, c.value, &mut out) => {}
                Ok(c) => out.push(unknown(
                    &c.field,
                    None,
                    "field not modelled",
                    body.raw(c.value),
                )),
                Err(e) => out.push(unknown("", None, format!("change: {e}"), body.raw(change))),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::Ts;

    #[test]
    fn timestamps_read_as_the_general_parser_reads_them() {
        for v in [
            "1749416383",
            "0",
            "007",
            "999999999999999999",
            "9999999999999999999",
            " 12 ",
            "+5",
            "-5",
            "1e3",
            "",
            "12a",
            "١٢",
        ] {
            assert_eq!(
                Ts::from_text(v).0,
                v.trim().parse::<i64>().unwrap_or(0),
                "{v}"
            );
        }
    }
}
