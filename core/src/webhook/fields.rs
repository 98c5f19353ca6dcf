//! The layered parse of change `field`s other than `messages`. Each value (or
//! each element of its array) becomes one typed event; one that does not fit
//! its type becomes an `Unknown` event with the reason, never failing the
//! rest of the body.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::account::*;
use super::parse::{Body, ContactRaw, Metadata, Obj, contact_for, inbound_event, routing_of};
use super::types::*;
use crate::error::GraphError;

/// A value that carries `metadata` and arrays (calls, echoes, history, sync).
#[derive(Deserialize)]
struct ArraysRaw<'a> {
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(borrow, default)]
    contacts: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    calls: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    statuses: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    errors: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    message_echoes: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    history: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    state_sync: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct EchoTo {
    #[serde(default)]
    to: Option<String>,
}

/// Where the events of one change go, and how they are made.
struct Out<'b, 'a> {
    body: &'b Body<'a>,
    field: &'b str,
    routing: Routing,
    out: &'b mut Vec<WebhookEvent>,
}

impl Out<'_, '_> {
    fn unknown(&mut self, reason: String, raw: &RawValue) {
        self.out.push(WebhookEvent::Unknown(Box::new(UnknownEvent {
            field: self.field.to_string(),
            routing: Some(self.routing.clone()),
            reason,
            raw: self.body.raw(raw),
        })));
    }

    /// `raw` read as `T`, wrapped by `wrap`; an `Unknown` event when it does
    /// not fit.
    fn typed<T: DeserializeOwned>(
        &mut self,
        raw: &RawValue,
        wrap: fn(Box<Update<T>>) -> WebhookEvent,
        adjust: impl FnOnce(&mut T),
    ) {
        match serde_json::from_str::<Obj<T>>(raw.get()) {
            Ok(Obj(mut data)) => {
                adjust(&mut data);
                let ev = wrap(Box::new(Update {
                    routing: self.routing.clone(),
                    field: self.field.to_string(),
                    data,
                    raw: self.body.raw(raw),
                }));
                self.out.push(ev);
            }
            Err(e) => self.unknown(format!("{}: {e}", self.field), raw),
        }
    }
}

/// Parse the value of a change whose `field` is not `messages`. Returns
/// `false` when the field is not modelled (the caller keeps it as `Unknown`).
pub(super) fn parse_field(
    body: &Body<'_>,
    field: &str,
    waba: &str,
    value: &RawValue,
    out: &mut Vec<WebhookEvent>,
) -> bool {
    let single: Option<fn(&mut Out<'_, '_>, &RawValue)> = match field {
        "message_template_status_update" => {
            Some(|o, v| o.typed(v, WebhookEvent::TemplateStatus, |_| {}))
        }
        "message_template_quality_update" => {
            Some(|o, v| o.typed(v, WebhookEvent::TemplateQuality, |_| {}))
        }
        "template_category_update" => {
            Some(|o, v| o.typed(v, WebhookEvent::TemplateCategory, |_| {}))
        }
        "phone_number_quality_update" => {
            Some(|o, v| o.typed(v, WebhookEvent::PhoneNumberQuality, |_| {}))
        }
        "phone_number_name_update" => {
            Some(|o, v| o.typed(v, WebhookEvent::PhoneNumberName, |_| {}))
        }
        "account_alerts" => Some(|o, v| o.typed(v, WebhookEvent::AccountAlert, |_| {})),
        "account_update" => Some(|o, v| o.typed(v, WebhookEvent::AccountUpdate, |_| {})),
        "calls" | "message_echoes" | "smb_message_echoes" | "history" | "smb_app_state_sync" => {
            None
        }
        _ => return false,
    };
    let mut o = Out {
        body,
        field,
        routing: routing_of(waba, None),
        out,
    };
    if let Some(parse) = single {
        parse(&mut o, value);
        return true;
    }
    let arrays = match serde_json::from_str::<Obj<ArraysRaw>>(value.get()) {
        Ok(Obj(a)) => a,
        Err(e) => {
            o.unknown(format!("value: {e}"), value);
            return true;
        }
    };
    o.routing = routing_of(waba, arrays.metadata);
    let before = o.out.len();
    let contacts: Vec<ContactRaw> = arrays
        .contacts
        .iter()
        .filter_map(|c| serde_json::from_str(c.get()).ok())
        .collect();
    for c in &arrays.calls {
        o.typed(c, WebhookEvent::Call, |call: &mut Call| {
            // The caller of a user-initiated call, else the callee.
            let user = match call.direction.as_deref() {
                Some("BUSINESS_INITIATED") => call.to.as_deref(),
                _ => call.from.as_deref(),
            };
            call.contact = contact_for(&contacts, user, None);
        });
    }
    for s in &arrays.statuses {
        o.typed(s, WebhookEvent::CallStatus, |_| {});
    }
    for e in &arrays.message_echoes {
        echo(&mut o, e);
    }
    for h in &arrays.history {
        o.typed(h, WebhookEvent::History, |_| {});
    }
    for s in &arrays.state_sync {
        o.typed(s, WebhookEvent::AppStateSync, |_| {});
    }
    for e in &arrays.errors {
        match serde_json::from_str::<GraphError>(e.get()) {
            Ok(error) => o.out.push(WebhookEvent::Error(Box::new(ErrorEvent {
                routing: o.routing.clone(),
                error,
            }))),
            Err(err) => o.unknown(format!("error: {err}"), e),
        }
    }
    // A value with none of the arrays this field is known to carry is kept
    // whole as an `Unknown` event: nothing Meta sends is silently dropped.
    if o.out.len() == before {
        o.unknown(format!("{field}: no element this version models"), value);
    }
    true
}

/// An echo is a message the business sent: typed with the inbound message
/// types, plus its recipient.
fn echo(o: &mut Out<'_, '_>, raw: &RawValue) {
    let parsed = serde_json::from_str::<Obj<super::parse::MessageRaw>>(raw.get());
    let to = serde_json::from_str::<EchoTo>(raw.get());
    let (Ok(Obj(m)), Ok(to)) = (parsed, to) else {
        o.unknown(format!("{}: not a message echo", o.field), raw);
        return;
    };
    let m = inbound_event(o.routing.clone(), None, m, o.body.raw(raw));
    o.out.push(WebhookEvent::MessageEcho(Box::new(Update {
        routing: m.routing,
        field: o.field.to_string(),
        data: MessageEcho {
            id: m.id.0,
            from: m.from,
            to: to.to,
            timestamp: m.timestamp,
            content: m.content,
        },
        raw: m.raw,
    })));
}
