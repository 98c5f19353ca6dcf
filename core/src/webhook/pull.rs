//! The fast path of webhook parsing: one pull pass (`scan`) over the usual
//! body. It builds the events as it reads, knows each event's span when it
//! passes the object, and copies only the strings the events keep. A message
//! or status with more than the common fields (media, context, errors, ...) is
//! read from its span by the same serde types the layered path uses; any other
//! surprise makes the pass give up, and the layered path in `parse` decides.
//! So both paths give the same events (checked by a differential test and the
//! fuzz target).

use std::borrow::Cow;
use std::ops::Range;

use smallvec::SmallVec;

use super::parse::{
    Body, MessageRaw, Obj, StatusRaw, TextRaw, Ts, message_event, sender_of, status_event,
};
use super::scan::{GiveUp, Peek, R, Reader};
use super::types::*;
use crate::error::GraphError;

/// Object keys the pass reads, by name wherever they appear: what a key means
/// depends on the object it is in. A key an object's reader does not take
/// sends that object off the pass (see `Other`); a test checks that every
/// field of the serde types has a key here.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Entry,
    Id,
    Changes,
    Field,
    Value,
    Metadata,
    DisplayPhoneNumber,
    PhoneNumberId,
    Contacts,
    Profile,
    Name,
    Username,
    WaId,
    UserId,
    ParentUserId,
    Messages,
    Statuses,
    Errors,
    From,
    FromUserId,
    FromParentUserId,
    Timestamp,
    Type,
    Text,
    Body,
    Status,
    RecipientId,
    RecipientUserId,
    BizOpaqueCallbackData,
    Pricing,
    PricingModel,
    Category,
    Billable,
    Conversation,
    /// A part of a message that the serde types read (media, context,
    /// referral, interactive, ...).
    Part,
    /// Keys no serde type reads and the pass skips where it expects them
    /// (`object` of the envelope, `messaging_product` of a value).
    Ignored,
    /// Any other key: the object it is in leaves the pass (a message or
    /// status goes to serde, anything else hands the body to the layered
    /// path), so a key this pass forgets costs speed, never correctness.
    Other,
}

fn key(raw: &[u8]) -> Key {
    match raw {
        b"entry" => Key::Entry,
        b"id" => Key::Id,
        b"changes" => Key::Changes,
        b"field" => Key::Field,
        b"value" => Key::Value,
        b"metadata" => Key::Metadata,
        b"display_phone_number" => Key::DisplayPhoneNumber,
        b"phone_number_id" => Key::PhoneNumberId,
        b"contacts" => Key::Contacts,
        b"profile" => Key::Profile,
        b"name" => Key::Name,
        b"username" => Key::Username,
        b"wa_id" => Key::WaId,
        b"user_id" => Key::UserId,
        b"parent_user_id" => Key::ParentUserId,
        b"messages" => Key::Messages,
        b"statuses" => Key::Statuses,
        b"errors" => Key::Errors,
        b"from" => Key::From,
        b"from_user_id" => Key::FromUserId,
        b"from_parent_user_id" => Key::FromParentUserId,
        b"timestamp" => Key::Timestamp,
        b"type" => Key::Type,
        b"text" => Key::Text,
        b"body" => Key::Body,
        b"status" => Key::Status,
        b"recipient_id" => Key::RecipientId,
        b"recipient_user_id" => Key::RecipientUserId,
        b"biz_opaque_callback_data" => Key::BizOpaqueCallbackData,
        b"pricing" => Key::Pricing,
        b"pricing_model" => Key::PricingModel,
        b"category" => Key::Category,
        b"billable" => Key::Billable,
        b"conversation" => Key::Conversation,
        b"object" | b"messaging_product" => Key::Ignored,
        b"context" | b"referral" | b"image" | b"audio" | b"video" | b"document" | b"sticker"
        | b"location" | b"interactive" | b"button" | b"reaction" | b"order" | b"system" => {
            Key::Part
        }
        // Escaped keys never get here: the reader gives them to the layered
        // path, since one may spell a known key.
        _ => Key::Other,
    }
}

/// Each key of the object `j` is at, with `f` to read or skip its value.
fn fields<'a>(j: &mut Reader<'a>, mut f: impl FnMut(&mut Reader<'a>, Key) -> R<()>) -> R<()> {
    let mut next = j.next_object_bytes()?.map(key);
    while let Some(k) = next {
        f(j, k)?;
        next = j.next_key_bytes()?.map(key);
    }
    Ok(())
}

/// A string where serde wants one (`String`, no null).
fn string(j: &mut Reader<'_>) -> R<String> {
    Ok(j.next_str()?.into_owned())
}

/// A set-once field: a repeated key is an error for serde's derived types.
fn once<T>(slot: &mut Option<T>, v: T) -> R<()> {
    if slot.replace(v).is_some() {
        return Err(GiveUp);
    }
    Ok(())
}

/// `Option<String>` as serde reads it: null is `None`.
fn opt_string(j: &mut Reader<'_>) -> R<Option<String>> {
    match j.peek()? {
        Peek::Null => {
            j.known_null()?;
            Ok(None)
        }
        Peek::String => Ok(Some(j.known_str()?.into_owned())),
        _ => Err(GiveUp),
    }
}

/// Inside a message or status: reading a field this pass does not handle in
/// the usual way (null, another type, a repeat) hands the whole object to
/// serde, which decides exactly as the layered path would.
struct Hot {
    complex: bool,
}

impl Hot {
    fn skip(&mut self, j: &mut Reader<'_>) -> R<()> {
        self.complex = true;
        j.next_skip()
    }

    /// A string into a `String` or, where the event does not keep it, a
    /// `Cow` that borrows the body.
    fn string<'a, T: From<Cow<'a, str>>>(
        &mut self,
        j: &mut Reader<'a>,
        slot: &mut Option<T>,
    ) -> R<()> {
        if slot.is_some() || j.peek()? != Peek::String {
            return self.skip(j);
        }
        *slot = Some(T::from(j.known_str()?));
        Ok(())
    }

    /// A value serde reads from its own span (the status's errors, its
    /// legacy conversation): the rest of the object stays on this pass.
    fn part<T: serde::de::DeserializeOwned>(
        &mut self,
        j: &mut Reader<'_>,
        body: &Body<'_>,
        slot: &mut Option<T>,
    ) -> R<()> {
        match by_serde(j, body)? {
            Some(v) if slot.is_none() => *slot = Some(v),
            _ => self.complex = true,
        }
        Ok(())
    }

    fn timestamp(&mut self, j: &mut Reader<'_>, slot: &mut Option<Ts>) -> R<()> {
        if slot.is_some() || j.peek()? != Peek::String {
            return self.skip(j);
        }
        *slot = Some(Ts::from_text(&j.known_str()?));
        Ok(())
    }

    /// Loop over an object's keys with `f`; anything but an object, or a key
    /// seen twice (`seen`), goes to serde.
    fn object<'a>(
        &mut self,
        j: &mut Reader<'a>,
        seen: &mut bool,
        mut f: impl FnMut(&mut Self, &mut Reader<'a>, Key) -> R<()>,
    ) -> R<()> {
        if std::mem::replace(seen, true) || j.peek()? != Peek::Object {
            return self.skip(j);
        }
        fields(j, |j, key| f(self, j, key))
    }
}

/// The next value, passed over here and read by serde from its span (`None`
/// when serde refuses it).
fn by_serde<T: serde::de::DeserializeOwned>(j: &mut Reader<'_>, body: &Body<'_>) -> R<Option<T>> {
    let peek = j.peek()?;
    let start = j.current_index();
    j.known_skip(peek)?;
    Ok(serde_json::from_str(&body.text[start..j.current_index()]).ok())
}

/// The object at `span` read by its serde type, as the layered path reads it.
fn whole<'a, T: serde::Deserialize<'a>>(body: &Body<'a>, span: Range<usize>) -> R<T> {
    let text: &'a str = body.text;
    match serde_json::from_str::<Obj<T>>(&text[span]) {
        Ok(Obj(v)) => Ok(v),
        Err(_) => Err(GiveUp),
    }
}

fn message<'a>(j: &mut Reader<'a>, body: &Body<'a>, out: &mut Vec<WebhookEvent>) -> R<()> {
    let start = j.current_index();
    let mut hot = Hot { complex: false };
    let mut m = MessageRaw::default();
    let (mut id, mut kind, mut text) = (None, None, None::<Option<String>>);
    let mut text_seen = false;
    fields(j, |j, key| {
        match key {
            Key::Id => hot.string(j, &mut id)?,
            Key::From => hot.string(j, &mut m.from)?,
            Key::FromUserId => hot.string(j, &mut m.from_user_id)?,
            Key::FromParentUserId => hot.string(j, &mut m.from_parent_user_id)?,
            Key::Timestamp => hot.timestamp(j, &mut m.timestamp)?,
            Key::Type => hot.string(j, &mut kind)?,
            Key::Text => {
                let mut t = None;
                hot.object(j, &mut text_seen, |hot, j, key| match key {
                    Key::Body => hot.string(j, &mut t),
                    _ => hot.skip(j),
                })?;
                text = Some(t);
            }
            // Parts serde reads, and any key this pass does not read.
            _ => hot.skip(j)?,
        }
        Ok(())
    })?;
    let span = start..j.current_index();
    let parsed = match id {
        Some(id) if !hot.complex => {
            m.id = id;
            m.kind = kind.unwrap_or(Cow::Borrowed(""));
            m.text = text.map(|body| TextRaw {
                body: body.unwrap_or_default(),
            });
            m
        }
        _ => whole(body, span.clone())?,
    };
    // Contacts may come after the messages: they are matched when the value ends.
    out.push(message_event(
        Routing::default(),
        None,
        parsed,
        body.raw_span(span),
    ));
    Ok(())
}

fn status<'a>(j: &mut Reader<'a>, body: &Body<'a>, out: &mut Vec<WebhookEvent>) -> R<()> {
    let start = j.current_index();
    let mut hot = Hot { complex: false };
    let mut s = StatusRaw::default();
    let (mut id, mut state, mut pricing_seen) = (None, None, false);
    let (mut errors, mut conversation) = (None, None);
    fields(j, |j, key| {
        match key {
            Key::Id => hot.string(j, &mut id)?,
            Key::Status => hot.string(j, &mut state)?,
            Key::Timestamp => hot.timestamp(j, &mut s.timestamp)?,
            Key::RecipientId => hot.string(j, &mut s.recipient_id)?,
            Key::RecipientUserId => hot.string(j, &mut s.recipient_user_id)?,
            Key::BizOpaqueCallbackData => hot.string(j, &mut s.biz_opaque_callback_data)?,
            Key::Pricing => {
                let mut p = Pricing::default();
                let mut billable_seen = false;
                hot.object(j, &mut pricing_seen, |hot, j, key| match key {
                    Key::PricingModel => hot.string(j, &mut p.pricing_model),
                    Key::Category => hot.string(j, &mut p.category),
                    Key::Type => hot.string(j, &mut p.pricing_type),
                    Key::Billable => match j.peek()? {
                        Peek::True | Peek::False if !billable_seen => {
                            billable_seen = true;
                            p.billable = Some(j.next_bool()?);
                            Ok(())
                        }
                        _ => hot.skip(j),
                    },
                    _ => hot.skip(j),
                })?;
                s.pricing = Some(p);
            }
            Key::Errors => hot.part(j, body, &mut errors)?,
            Key::Conversation => hot.part(j, body, &mut conversation)?,
            _ => hot.skip(j)?,
        }
        Ok(())
    })?;
    let span = start..j.current_index();
    let parsed = match (id, state) {
        (Some(id), Some(status)) if !hot.complex => {
            s.id = id;
            s.status = status;
            s.errors = errors.unwrap_or_default();
            s.conversation = conversation.flatten();
            s
        }
        _ => whole(body, span.clone())?,
    };
    out.push(status_event(
        Routing::default(),
        parsed,
        body.raw_span(span),
    ));
    Ok(())
}

type Pair<T> = Option<(Option<T>, Option<T>)>;

/// An object that may be null (`None`), read for two set-once fields `a`
/// and `b` (a contact's profile, a change's metadata).
fn pair<'a, T>(
    j: &mut Reader<'a>,
    a: Key,
    b: Key,
    read: fn(&mut Reader<'a>) -> R<T>,
) -> R<Pair<T>> {
    if j.peek()? == Peek::Null {
        j.known_null()?;
        return Ok(None);
    }
    let (mut first, mut second) = (None, None);
    fields(j, |j, key| {
        match key {
            k if k == a => once(&mut first, read(j)?)?,
            k if k == b => once(&mut second, read(j)?)?,
            _ => return Err(GiveUp),
        }
        Ok(())
    })?;
    Ok(Some((first, second)))
}

fn contact(j: &mut Reader<'_>) -> R<ContactInfo> {
    let (mut profile_seen, mut name, mut username) = (false, None, None);
    let (mut wa_id, mut user_id, mut parent) = (None, None, None);
    fields(j, |j, key| {
        match key {
            Key::Profile => {
                if std::mem::replace(&mut profile_seen, true) {
                    return Err(GiveUp);
                }
                if let Some((n, u)) = pair(j, Key::Name, Key::Username, opt_string)? {
                    (name, username) = (n, u);
                }
            }
            Key::WaId => once(&mut wa_id, opt_string(j)?)?,
            Key::UserId => once(&mut user_id, opt_string(j)?)?,
            Key::ParentUserId => once(&mut parent, opt_string(j)?)?,
            _ => return Err(GiveUp),
        }
        Ok(())
    })?;
    Ok(ContactInfo {
        name: name.flatten(),
        username: username.flatten(),
        wa_id: wa_id.flatten(),
        user_id: user_id.flatten(),
        parent_user_id: parent.flatten(),
    })
}

/// Each element of an array of objects, with `f`.
fn objects<'a>(j: &mut Reader<'a>, mut f: impl FnMut(&mut Reader<'a>) -> R<()>) -> R<()> {
    let mut next = j.next_array()?;
    while let Some(peek) = next {
        if peek != Peek::Object {
            return Err(GiveUp);
        }
        f(j)?;
        next = j.array_step()?;
    }
    Ok(())
}

/// Give every event one routing field; the last event takes the string.
fn spread(events: &mut [WebhookEvent], value: String, field: fn(&mut Routing) -> &mut String) {
    if let Some((last, rest)) = events.split_last_mut() {
        for e in rest {
            *field(e.routing_mut()) = value.clone();
        }
        *field(last.routing_mut()) = value;
    }
}

/// Where an event goes in its change: messages, then statuses, then errors.
fn rank(e: &WebhookEvent) -> u8 {
    match e {
        WebhookEvent::Message(_) => 0,
        WebhookEvent::Status(_) => 1,
        WebhookEvent::Error(_) => 2,
        // The pass makes only the three above.
        _ => 3,
    }
}

fn value<'a>(j: &mut Reader<'a>, body: &Body<'a>, out: &mut Vec<WebhookEvent>) -> R<()> {
    let start = out.len();
    let mut meta: Option<Option<(String, String)>> = None;
    // Nearly always one contact: kept inline, not on the heap.
    let mut contacts: SmallVec<[ContactInfo; 1]> = SmallVec::new();
    let (mut contacts_seen, mut messages_seen, mut statuses_seen, mut errors_seen) =
        (false, false, false, false);
    fields(j, |j, key| {
        match key {
            Key::Metadata => {
                let m = pair(j, Key::PhoneNumberId, Key::DisplayPhoneNumber, string)?;
                let m =
                    m.map(|(id, display)| (id.unwrap_or_default(), display.unwrap_or_default()));
                once(&mut meta, m)?;
            }
            Key::Contacts if !std::mem::replace(&mut contacts_seen, true) => objects(j, |j| {
                contacts.push(contact(j)?);
                Ok(())
            })?,
            Key::Messages if !std::mem::replace(&mut messages_seen, true) => {
                objects(j, |j| message(j, body, out))?
            }
            Key::Statuses if !std::mem::replace(&mut statuses_seen, true) => {
                objects(j, |j| status(j, body, out))?
            }
            Key::Errors if !std::mem::replace(&mut errors_seen, true) => {
                let errors: Vec<GraphError> = by_serde(j, body)?.ok_or(GiveUp)?;
                out.extend(errors.into_iter().map(|error| {
                    WebhookEvent::Error(Box::new(ErrorEvent {
                        routing: Routing::default(),
                        error,
                    }))
                }));
            }
            Key::Ignored => j.next_skip()?,
            _ => return Err(GiveUp),
        }
        Ok(())
    })?;
    let events = &mut out[start..];
    // The keys may come in any order; the events keep the layered path's.
    if !events.is_sorted_by_key(rank) {
        events.sort_by_key(rank);
    }
    // A lone message takes its contact; several share copies.
    let lone = events.iter().filter(|e| rank(e) == 0).count() == 1;
    for e in events.iter_mut() {
        if let WebhookEvent::Message(m) = e {
            let at = sender_of(
                &contacts,
                m.from.as_deref(),
                m.from_user_id.as_deref(),
                |c| (c.wa_id.as_deref(), c.user_id.as_deref()),
            );
            m.contact = at.map(|i| match lone {
                true => std::mem::take(&mut contacts[i]),
                false => contacts[i].clone(),
            });
        }
    }
    let (id, display) = meta.flatten().unwrap_or_default();
    spread(events, id, |r| &mut r.phone_number_id);
    spread(events, display, |r| &mut r.display_phone_number);
    Ok(())
}

fn change<'a>(j: &mut Reader<'a>, body: &Body<'a>, out: &mut Vec<WebhookEvent>) -> R<()> {
    let (mut field, mut value_seen) = (None, false);
    fields(j, |j, key| {
        match key {
            Key::Field => once(&mut field, j.next_str()? == "messages")?,
            Key::Value if !std::mem::replace(&mut value_seen, true) => {
                if j.peek()? != Peek::Object {
                    return Err(GiveUp);
                }
                value(j, body, out)?
            }
            _ => return Err(GiveUp),
        }
        Ok(())
    })?;
    // Other fields (template updates, account alerts, ...) take the layered path.
    match (field, value_seen) {
        (Some(true), true) => Ok(()),
        _ => Err(GiveUp),
    }
}

fn entry<'a>(j: &mut Reader<'a>, body: &Body<'a>, out: &mut Vec<WebhookEvent>) -> R<()> {
    let start = out.len();
    let (mut waba, mut changes_seen) = (None, false);
    fields(j, |j, key| {
        match key {
            Key::Id => once(&mut waba, string(j)?)?,
            Key::Changes if !std::mem::replace(&mut changes_seen, true) => {
                objects(j, |j| change(j, body, out))?
            }
            _ => return Err(GiveUp),
        }
        Ok(())
    })?;
    if !changes_seen {
        return Err(GiveUp);
    }
    spread(&mut out[start..], waba.unwrap_or_default(), |r| {
        &mut r.waba_id
    });
    Ok(())
}

/// The events of the usual body read by `j`, or `None` to let the layered
/// path decide.
pub(super) fn parse<'a>(j: &mut Reader<'a>, body: &Body<'a>) -> Option<Vec<WebhookEvent>> {
    let mut out = Vec::with_capacity(1);
    let mut entry_seen = false;
    let run = (|| {
        fields(j, |j, key| {
            match key {
                Key::Entry if !std::mem::replace(&mut entry_seen, true) => {
                    objects(j, |j| entry(j, body, &mut out))?
                }
                Key::Ignored => j.next_skip()?,
                _ => return Err(GiveUp),
            }
            Ok(())
        })?;
        j.finish()?;
        if entry_seen { Ok(()) } else { Err(GiveUp) }
    })();
    run.ok().map(|()| out)
}

/// The span of the value `j` is about to read (for tests of span handling).
#[cfg(test)]
fn span_of_next(j: &mut Reader<'_>) -> Range<usize> {
    let at = j.current_index();
    j.next_skip().ok();
    at..j.current_index()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::parse::{
        ChangeRaw, ContactRaw, EntryRaw, EnvelopeRaw, Metadata, Profile, ValueRaw,
    };

    /// The wire names of a derived `Deserialize` struct's fields: serde hands
    /// them to `deserialize_struct`, which this deserializer records and then
    /// refuses.
    fn serde_fields<'de, T: serde::Deserialize<'de>>() -> &'static [&'static str] {
        use serde::de::value::Error;

        struct Fields<'a>(&'a mut &'static [&'static str]);

        impl<'de> serde::Deserializer<'de> for Fields<'_> {
            type Error = Error;

            fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
                Err(serde::de::Error::custom("not a struct"))
            }

            fn deserialize_struct<V: serde::de::Visitor<'de>>(
                self,
                _name: &'static str,
                fields: &'static [&'static str],
                _visitor: V,
            ) -> Result<V::Value, Error> {
                *self.0 = fields;
                Err(serde::de::Error::custom("recorded"))
            }

            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
                bytes byte_buf option unit unit_struct newtype_struct seq tuple
                tuple_struct map enum identifier ignored_any
            }
        }

        let mut fields: &'static [&'static str] = &[];
        let _ = T::deserialize(Fields(&mut fields));
        assert!(
            !fields.is_empty(),
            "{} is not a derived struct",
            std::any::type_name::<T>()
        );
        fields
    }

    /// Every field the serde types read (the layered path and the pull
    /// pass's fallback) has a key on the pull pass: a field added to a serde
    /// type without teaching the pass its key fails here. (Were it let
    /// through, the object holding it would still leave the pass, correct
    /// but slow.)
    #[test]
    fn every_serde_field_is_a_key_of_the_pull_pass() {
        let structs: [(&str, &[&str]); 11] = [
            ("envelope", serde_fields::<EnvelopeRaw>()),
            ("entry", serde_fields::<EntryRaw>()),
            ("change", serde_fields::<ChangeRaw>()),
            ("value", serde_fields::<ValueRaw>()),
            ("metadata", serde_fields::<Metadata>()),
            ("contact", serde_fields::<ContactRaw>()),
            ("profile", serde_fields::<Profile>()),
            ("message", serde_fields::<MessageRaw>()),
            ("text", serde_fields::<TextRaw>()),
            ("status", serde_fields::<StatusRaw>()),
            ("pricing", serde_fields::<Pricing>()),
        ];
        let mut checked = 0;
        for (object, fields) in structs {
            for field in fields {
                let k = key(field.as_bytes());
                assert!(
                    k != Key::Other && k != Key::Ignored,
                    "{object}.{field} is read by serde but unknown to the pull pass"
                );
                checked += 1;
            }
        }
        // The message type alone has two dozen fields.
        assert!(checked > 50, "{checked}");
        // The recorder sees renamed fields by their wire names.
        assert!(serde_fields::<MessageRaw>().contains(&"type"));
        assert!(serde_fields::<Pricing>().contains(&"type"));
    }

    /// A key no reader takes sends its object to the layered path, and both
    /// paths still agree.
    #[test]
    fn an_unread_key_leaves_the_pass() {
        let usual = r#"{"object":"whatsapp_business_account","entry":[{"id":"w","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"2"},"contacts":[{"profile":{"name":"A"},"wa_id":"1"}],"messages":[{"from":"1","id":"m","timestamp":"1","type":"text","text":{"body":"hi"}}]}}]}]}"#;
        assert!(parse(&mut Reader::new(usual), &body_of(usual)).is_some());
        for (from, to) in [
            (r#""object":"#, r#""objekt":"#),
            (r#""id":"w","#, r#""id":"w","time":1,"#),
            (r#""field":"#, r#""new":0,"field":"#),
            (r#""messaging_product":"#, r#""message_product":"#),
            (r#""phone_number_id":"2""#, r#""phone_number_id":"2","x":1"#),
            (r#""wa_id":"1"}"#, r#""wa_id":"1","identity_key_hash":"h"}"#),
            (r#""name":"A""#, r#""name":"A","x":1"#),
        ] {
            let odd = usual.replacen(from, to, 1);
            assert_ne!(odd, usual);
            assert!(
                parse(&mut Reader::new(&odd), &body_of(&odd)).is_none(),
                "{odd}"
            );
        }
    }

    fn body_of(text: &str) -> Body<'_> {
        // The events' raw JSON is not looked at here.
        static EMPTY: bytes::Bytes = bytes::Bytes::new();
        Body::for_test(&EMPTY, text)
    }

    #[test]
    fn spans_start_at_the_value_and_end_after_it() {
        let text = "[ {\"a\" : [1, 2]} ,\n\t{\"b\":\"c\"}  ]";
        let mut j = Reader::new(text);
        assert_eq!(j.next_array().ok().flatten(), Some(Peek::Object));
        let first = span_of_next(&mut j);
        assert_eq!(&text[first], "{\"a\" : [1, 2]}");
        assert_eq!(j.array_step().ok().flatten(), Some(Peek::Object));
        let second = span_of_next(&mut j);
        assert_eq!(&text[second], "{\"b\":\"c\"}");
    }

    #[test]
    fn escaped_keys_give_up() {
        assert!(key(b"id") == Key::Id);
        assert!(key(b"something_new") == Key::Other);
        let mut j = Reader::new("{\"i\\u0064\":\"x\"}");
        assert!(j.next_object_bytes().is_err());
        let mut j = Reader::new("{\"a\":1,\"i\\u0064\":\"x\"}");
        assert!(
            j.next_object_bytes()
                .is_ok_and(|k| k == Some(b"a".as_slice()))
        );
        assert!(j.next_skip().is_ok());
        assert!(j.next_key_bytes().is_err());
    }
}
