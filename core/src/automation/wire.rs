//! Automation wired to the rest of the engine: an inbound webhook event (after
//! the [`crate::webhook::WebhookProcessor`] stored it) runs the rules; replies
//! and templates go into the scheduler's outbox (sent through the Cloud API by
//! its worker, under its limits and policies); tags, attributes and segments
//! are written to the contact store; a handoff goes to assignment (C6); blocks
//! and handoffs are written to the audit log.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::engine::Engine;
use super::io::{ActionOut, Evaluation, MessageInput, SegmentChange};
use crate::assignment::{AssignmentService, Outcome, Request};
use crate::client::{OutboundMessage, Template as CloudTemplate};
use crate::ids::{ContactId, PhoneNumberId};
use crate::scheduler::{OutgoingMessage, Scheduler};
use crate::store::{AuditEntry, Category, Contact, ContactStore, Enqueued, StoreError, Stores};
use crate::webhook::{InboundEvent, MessageContent, WebhookEvent};

/// What automation did for one inbound message.
#[derive(Clone, Debug, Serialize)]
pub struct Handled {
    /// The contact.
    pub contact_id: ContactId,
    /// The engine's decision.
    pub evaluation: Evaluation,
    /// Idempotency keys of the messages put in the outbox.
    pub enqueued: Vec<String>,
    /// The assignment outcome of a handoff.
    pub assignment: Option<Outcome>,
}

/// Automation over the stores, the scheduler and (optionally) assignment.
pub struct AutomationService {
    engine: Arc<Engine>,
    stores: Stores,
    scheduler: Arc<Scheduler>,
    assignment: Option<Arc<AssignmentService>>,
}

impl std::fmt::Debug for AutomationService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutomationService")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

impl AutomationService {
    /// Build over an engine, the stores and the scheduler that sends replies.
    pub fn new(engine: Arc<Engine>, stores: Stores, scheduler: Arc<Scheduler>) -> Self {
        AutomationService {
            engine,
            stores,
            scheduler,
            assignment: None,
        }
    }

    /// Hand conversations to this assignment service on handoff.
    pub fn with_assignment(mut self, a: Arc<AssignmentService>) -> Self {
        self.assignment = Some(a);
        self
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Run the rules for every inbound message of a processed batch.
    pub async fn handle_events(&self, events: &[WebhookEvent]) -> crate::Result<Vec<Handled>> {
        let mut out = Vec::new();
        for e in events {
            if let WebhookEvent::Message(m) = e {
                out.push(self.handle_inbound(m).await?);
            }
        }
        Ok(out)
    }

    /// Run the rules for one inbound message. The message must have been
    /// processed into the stores first (that creates its contact and conversation).
    pub async fn handle_inbound(&self, m: &InboundEvent) -> crate::Result<Handled> {
        let contact = self.find_contact(m).await?;
        let number = PhoneNumberId::new(m.routing.phone_number_id.clone());
        let conv = self
            .stores
            .conversations
            .open_for_contact(&contact.id, &number)
            .await?;
        let at = DateTime::<Utc>::from_timestamp(m.timestamp, 0).unwrap_or_else(Utc::now);
        let location = match &m.content {
            MessageContent::Location(l) => Some((l.latitude, l.longitude)),
            _ => None,
        };
        let text = match &m.content {
            MessageContent::Interactive(_) | MessageContent::Button { .. } => {
                m.content.text().unwrap_or_default().to_string()
            }
            c => c.text().unwrap_or_default().to_string(),
        };
        let input = MessageInput {
            contact_key: contact.id.0.clone(),
            conversation_key: conv.as_ref().map(|c| c.id.0.clone()),
            text,
            at,
            flow: super::io::Flow::In,
            origin: super::io::Origin::Contact,
            contact: Some(contact.clone()),
            location,
            lang: None,
        };
        let ev = self.engine.evaluate(&input).await?;
        let recipient = contact
            .wa_id
            .clone()
            .map(String::from)
            .or_else(|| contact.bsuid.clone().map(String::from))
            .or_else(|| m.from.clone())
            .unwrap_or_default();
        let mut enqueued = Vec::new();
        let mut assignment = None;
        for (i, a) in ev.actions.iter().enumerate() {
            // Keys derive from the inbound message id: a redelivered webhook never sends twice.
            let key = format!("auto:{}:{i}", m.id);
            let msg = match a {
                ActionOut::Reply { text, .. } => {
                    Some((OutboundMessage::text(text.clone()), Category::Service))
                }
                ActionOut::SendTemplate { name, language, .. } => Some((
                    OutboundMessage::Template(CloudTemplate::new(name.clone(), language.clone())),
                    Category::Utility,
                )),
                ActionOut::Handoff { reason } => {
                    // A conversation that already has its agent keeps it.
                    if let (Some(svc), Some(c)) = (&self.assignment, &conv)
                        && c.agent_id.is_none()
                    {
                        let mut req = Request::new(
                            c.id.0.clone(),
                            c.contact_id.0.clone(),
                            at.timestamp_millis(),
                        );
                        req.priority = c.priority;
                        assignment = Some(svc.assign(req).await?);
                    }
                    self.audit(
                        at,
                        "automation.handoff",
                        &contact.id.0,
                        json!({ "reason": reason }),
                    )
                    .await?;
                    None
                }
                ActionOut::Block { reason } => {
                    self.audit(
                        at,
                        "automation.block",
                        &contact.id.0,
                        json!({ "reason": reason }),
                    )
                    .await?;
                    None
                }
                _ => None,
            };
            if let Some((message, category)) = msg {
                let mut om = OutgoingMessage::new(
                    key.clone(),
                    &number,
                    recipient.clone(),
                    message,
                    category,
                );
                om.automated = true;
                if self.scheduler.enqueue(&om).await? == Enqueued::New {
                    enqueued.push(key);
                }
            }
        }
        self.write_contact(&contact.id, &ev.actions, location)
            .await?;
        Ok(Handled {
            contact_id: contact.id,
            evaluation: ev,
            enqueued,
            assignment,
        })
    }

    /// The scheduled lifecycle pass, with the segment tags written to the contact store.
    pub async fn lifecycle_pass(&self, now: DateTime<Utc>) -> crate::Result<Vec<SegmentChange>> {
        let changes = self.engine.lifecycle_pass(now).await?;
        for ch in &changes {
            self.write_contact(&ContactId::new(ch.contact.clone()), &ch.actions, None)
                .await?;
        }
        Ok(changes)
    }

    async fn find_contact(&self, m: &InboundEvent) -> crate::Result<Contact> {
        let s = &self.stores.contacts;
        if let Some(w) = &m.from
            && let Some(c) = s.find_by_wa_id(w).await?
        {
            return Ok(c);
        }
        if let Some(u) = &m.from_user_id
            && let Some(c) = s.find_by_bsuid(u).await?
        {
            return Ok(c);
        }
        Err(crate::Error::validation(
            "message.from",
            format!(
                "no contact for message {}: process the webhook before automation",
                m.id
            ),
        ))
    }

    async fn write_contact(
        &self,
        id: &ContactId,
        actions: &[ActionOut],
        location: Option<(f64, f64)>,
    ) -> crate::Result<()> {
        write_contact(self.stores.contacts.as_ref(), id, actions, location).await
    }

    async fn audit(
        &self,
        at: DateTime<Utc>,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> crate::Result<()> {
        self.stores
            .audit
            .append(&AuditEntry {
                details,
                ..AuditEntry::new(at.timestamp_millis(), "automation", action, target)
            })
            .await?;
        Ok(())
    }
}

/// Apply an evaluation's tag and attribute changes (and a shared location) to
/// the stored contact, retrying on a concurrent update (the changes are
/// re-applied to the fresh record). Every caller that runs the engine against
/// a contact store writes through this one function.
pub async fn write_contact(
    contacts: &dyn ContactStore,
    id: &ContactId,
    actions: &[ActionOut],
    location: Option<(f64, f64)>,
) -> crate::Result<()> {
    let touches = location.is_some()
        || actions.iter().any(|a| {
            matches!(
                a,
                ActionOut::Tag { .. } | ActionOut::Untag { .. } | ActionOut::Set { .. }
            )
        });
    if !touches {
        return Ok(());
    }
    for _ in 0..5 {
        let Some(mut c) = contacts.get(id).await? else {
            return Ok(());
        };
        for a in actions {
            match a {
                ActionOut::Tag { tag } => {
                    c.tags.insert(tag.clone());
                }
                ActionOut::Untag { tag } => {
                    c.tags.remove(tag);
                }
                ActionOut::Set { attr, value } => {
                    c.attributes.insert(attr.clone(), json!(value));
                }
                _ => {}
            }
        }
        if let Some((lat, lon)) = location {
            c.attributes.insert("latitude".into(), json!(lat));
            c.attributes.insert("longitude".into(), json!(lon));
        }
        match contacts.upsert(&c, Some(c.version)).await {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(crate::Error::Store {
        message: format!("contact {id} kept changing while automation wrote its tags"),
        retryable: true,
    })
}
