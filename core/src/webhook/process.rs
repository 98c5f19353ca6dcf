//! Processing parsed events into the stores: at-least-once and unordered
//! deliveries become exactly-once, monotone state.

use serde::Serialize;

use super::identity::{self, Identity};
use super::types::*;
use crate::error::{Error, GraphError};
use crate::ids::{ContactId, ConversationId, MessageId, PhoneNumberId};
use crate::scheduler::TemplateHolds;
use crate::store::{
    Contact, Conversation, ConversationStatus, Direction, MessageRecord, MessageStatus, Recorded,
    StatusApplied, StatusUpdate, Stores,
};
use crate::time::SharedClock;

/// A customer message seen for the first time.
#[derive(Clone, Debug, Serialize)]
pub struct NewInbound {
    /// Message id.
    pub message_id: MessageId,
    /// Contact (created when unknown).
    pub contact_id: ContactId,
    /// Conversation (opened when none was open).
    pub conversation_id: ConversationId,
    /// Whether this message opened the conversation.
    pub new_conversation: bool,
    /// Business number.
    pub phone_number_id: PhoneNumberId,
    /// Readable text, when there is some.
    pub text: Option<String>,
}

/// What one batch of events did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ProcessReport {
    /// New customer messages.
    pub new_messages: Vec<NewInbound>,
    /// Redelivered messages ignored.
    pub duplicate_messages: u64,
    /// Statuses that moved a message forward.
    pub statuses_applied: u64,
    /// Statuses ignored (duplicate, backwards, after failed), with reasons.
    pub statuses_ignored: Vec<String>,
    /// Statuses kept until their message is known.
    pub statuses_pending: u64,
    /// Errors reported by Meta (system-level or on failed statuses).
    pub errors: Vec<GraphError>,
    /// Events this version does not model (kept raw by the parser).
    pub unknown: u64,
    /// Typed events that change no store here (calls, template, number and
    /// account updates, Business app sync), by kind.
    pub other: std::collections::BTreeMap<String, u64>,
    /// Outbound messages created from their status webhooks (see
    /// [`WebhookProcessor::create_outbound_from_statuses`]).
    pub outbound_created: u64,
    /// Contacts who opted out or back in by keyword (STOP, baja, 停止, START, ...).
    #[serde(default)]
    pub consent_changes: u64,
    /// Statuses that named a scheduler outbox item in their callback data
    /// (recorded as proof the item was accepted).
    pub sends_proved: u64,
}

/// Applies webhook events to the stores. Deliveries are serialised so two
/// copies of one message never race to open two conversations.
pub struct WebhookProcessor {
    stores: Stores,
    clock: SharedClock,
    gate: tokio::sync::Mutex<()>,
    outbound_from_statuses: bool,
    holds: Option<std::sync::Arc<TemplateHolds>>,
    opt_out: crate::scheduler::OptOutDetector,
    /// Callback-data/wamid pairs already recorded as send evidence.
    proved: parking_lot::Mutex<std::collections::HashSet<String>>,
}

fn status_of(k: &StatusKind) -> Option<MessageStatus> {
    match k {
        StatusKind::Sent => Some(MessageStatus::Sent),
        StatusKind::Delivered => Some(MessageStatus::Delivered),
        StatusKind::Read => Some(MessageStatus::Read),
        StatusKind::Played => Some(MessageStatus::Played),
        StatusKind::Failed => Some(MessageStatus::Failed),
        StatusKind::Other(_) => None,
    }
}

impl WebhookProcessor {
    /// Process into `stores`, timing with `clock`.
    pub fn new(stores: Stores, clock: SharedClock) -> Self {
        WebhookProcessor {
            stores,
            clock,
            gate: tokio::sync::Mutex::new(()),
            outbound_from_statuses: false,
            holds: None,
            opt_out: Default::default(),
            proved: Default::default(),
        }
    }

    /// Opt-out / opt-in keyword lists (on by default with the built-in lists;
    /// `enabled: false` turns detection off).
    pub fn with_opt_out(mut self, cfg: &crate::scheduler::OptOutConfig) -> Self {
        self.opt_out = crate::scheduler::OptOutDetector::new(cfg);
        self
    }

    /// A status for a message the store does not know creates that outbound
    /// message (recipient, campaign from the user's part of
    /// `biz_opaque_callback_data`, time
    /// from the status) instead of waiting for it. For stored webhook bodies
    /// of messages sent by another tool; a live handler keeps it off, since
    /// there the status may simply have overtaken our own send.
    pub fn create_outbound_from_statuses(mut self, on: bool) -> Self {
        self.outbound_from_statuses = on;
        self
    }

    /// Hold and release templates on `message_template_status_update`
    /// events (share `holds` with the `Scheduler`, so items of a paused
    /// template wait instead of failing).
    pub fn with_template_holds(mut self, holds: std::sync::Arc<TemplateHolds>) -> Self {
        self.holds = Some(holds);
        self
    }

    /// Apply a batch of events. Statuses are applied together, in order, in
    /// few store round trips (a campaign's status webhooks are the bulk of
    /// the traffic); other events one by one, in order.
    pub async fn process(&self, events: &[WebhookEvent]) -> crate::Result<ProcessReport> {
        let _serial = self.gate.lock().await;
        let mut report = ProcessReport::default();
        let mut statuses: Vec<&StatusEvent> = Vec::new();
        for e in events {
            crate::metrics::webhook_events(e.kind(), 1);
            match e {
                WebhookEvent::Message(m) => self.inbound(m, &mut report).await?,
                WebhookEvent::Status(s) => statuses.push(s),
                WebhookEvent::Error(err) => report.errors.push(err.error.clone()),
                WebhookEvent::Unknown(_) => report.unknown += 1,
                other => {
                    if let (WebhookEvent::TemplateStatus(_), Some(h)) = (other, &self.holds)
                        && h.apply(std::slice::from_ref(other)) > 0
                    {
                        h.save().await?;
                    }
                    *report.other.entry(other.kind().to_string()).or_default() += 1
                }
            }
        }
        self.statuses(&statuses, &mut report).await?;
        crate::metrics::webhook_duplicates(report.duplicate_messages);
        Ok(report)
    }

    async fn contact_for(&self, m: &InboundEvent) -> crate::Result<Contact> {
        let id = Identity {
            wa_id: m.from.as_deref(),
            bsuid: m.from_user_id.as_deref(),
            username: m.contact.as_ref().and_then(|c| c.username.as_deref()),
            name: m.contact.as_ref().and_then(|c| c.name.as_deref()),
        };
        let s = &self.stores.contacts;
        let mut c = match identity::find(&self.stores, &id).await? {
            Some(mut c) => {
                if identity::learn(&mut c, &id) {
                    c = s.upsert(&c, Some(c.version)).await?;
                }
                c
            }
            None => s.upsert(&identity::new_contact(&id, &m.id.0), None).await?,
        };
        // A number or user-id change applies to the person who wrote it.
        if let MessageContent::System {
            system_type,
            wa_id,
            user_id,
            ..
        } = &m.content
        {
            match (system_type.as_deref(), wa_id, user_id) {
                (Some("user_changed_number"), Some(new), _) => {
                    c = identity::changed_number(&self.stores, c, new).await?;
                }
                (Some("user_changed_user_id"), _, Some(new)) => {
                    c = identity::changed_user_id(&self.stores, c, new).await?;
                }
                _ => {}
            }
        }
        Ok(c)
    }

    /// The contact a status is addressed to (created when unknown), found
    /// through the same identity rules as inbound messages (wa_id forms, BSUID).
    async fn recipient_contact(&self, s: &StatusEvent) -> crate::Result<Option<ContactId>> {
        let id = Identity {
            wa_id: s.recipient_id.as_deref(),
            bsuid: s.recipient_user_id.as_deref(),
            username: None,
            name: None,
        };
        if id.wa_id.is_none() && id.bsuid.is_none() {
            return Ok(None);
        }
        if let Some(found) = identity::find(&self.stores, &id).await? {
            return Ok(Some(found.id));
        }
        let created = identity::new_contact(&id, &s.id.0);
        Ok(Some(self.stores.contacts.upsert(&created, None).await?.id))
    }

    async fn inbound(&self, m: &InboundEvent, report: &mut ProcessReport) -> crate::Result<()> {
        if self.stores.messages.get_message(&m.id).await?.is_some() {
            report.duplicate_messages += 1;
            return Ok(());
        }
        let now = self.clock.now_millis();
        let at = if m.timestamp > 0 {
            m.timestamp * 1000
        } else {
            now
        };
        let contact = self.contact_for(m).await?;
        let number = PhoneNumberId::new(m.routing.phone_number_id.clone());
        let (mut conv, new_conversation) = match self
            .stores
            .conversations
            .open_for_contact(&contact.id, &number)
            .await?
        {
            Some(c) => (c, false),
            None => {
                let c = Conversation {
                    id: ConversationId::new(format!("conv:{}", m.id)),
                    contact_id: contact.id.clone(),
                    phone_number_id: number.clone(),
                    status: ConversationStatus::Open,
                    agent_id: None,
                    priority: 0,
                    opened_at: at,
                    assigned_at: None,
                    last_inbound_at: None,
                    last_outbound_at: None,
                    first_response_at: None,
                    last_human_reply_at: None,
                    closed_at: None,
                };
                self.stores.conversations.create(&c).await?;
                (c, true)
            }
        };
        let body: serde_json::Value =
            serde_json::from_str(m.raw.get()).unwrap_or(serde_json::Value::Null);
        let rec = MessageRecord {
            id: m.id.clone(),
            phone_number_id: number.clone(),
            conversation_id: Some(conv.id.clone()),
            contact_id: Some(contact.id.clone()),
            direction: Direction::Inbound,
            msg_type: m.content.type_name().to_string(),
            body,
            status: None,
            status_times: Default::default(),
            error: None,
            agent_id: None,
            campaign_id: None,
            created_at: at,
        };
        if self.stores.messages.record_inbound(&rec).await? == Recorded::Duplicate {
            report.duplicate_messages += 1;
            return Ok(());
        }
        conv.last_inbound_at = Some(at);
        if conv.status == ConversationStatus::WaitingOnCustomer {
            conv.status = ConversationStatus::Open;
        }
        self.stores.conversations.update(&conv).await?;
        if let Some((change, keyword)) = m.content.text().and_then(|t| self.opt_out.detect(t))
            && crate::scheduler::set_consent(
                &self.stores,
                &contact.id,
                change,
                "keyword",
                Some(&keyword),
                "contact",
                at,
            )
            .await?
        {
            report.consent_changes += 1;
        }
        report.new_messages.push(NewInbound {
            message_id: m.id.clone(),
            contact_id: contact.id,
            conversation_id: conv.id,
            new_conversation,
            phone_number_id: number,
            text: m.content.text().map(str::to_string),
        });
        Ok(())
    }

    async fn statuses(
        &self,
        list: &[&StatusEvent],
        report: &mut ProcessReport,
    ) -> crate::Result<()> {
        let mut updates = Vec::with_capacity(list.len());
        let mut applied_to: Vec<&StatusEvent> = Vec::with_capacity(list.len());
        for s in list.iter().copied() {
            // Any status carrying the scheduler's callback token proves its
            // outbox item was accepted as this message (see `scheduler::reconcile`).
            if let Some(cb) = &s.biz_opaque_callback_data
                && self.prove(cb, &s.id.0).await?
            {
                report.sends_proved += 1;
            }
            let Some(status) = status_of(&s.status) else {
                report
                    .statuses_ignored
                    .push(format!("unknown status {}", s.status.as_str()));
                continue;
            };
            let error = s.errors.first().map(|g| {
                report.errors.push(g.clone());
                Error::from_graph(g.clone(), 0, None).details()
            });
            let at = if s.timestamp > 0 {
                s.timestamp * 1000
            } else {
                self.clock.now_millis()
            };
            if self.outbound_from_statuses {
                self.outbound_from_status(s, at, report).await?;
            }
            updates.push(StatusUpdate {
                message_id: s.id.clone(),
                status,
                at,
                error,
            });
            applied_to.push(s);
        }
        if updates.is_empty() {
            return Ok(());
        }
        let answers = self.stores.messages.apply_statuses(&updates).await?;
        let mut learn: Vec<(&StatusEvent, ContactId)> = Vec::new();
        for ((s, upd), a) in applied_to.iter().copied().zip(&updates).zip(answers) {
            // The callback data carries the outbox item (or campaign) the
            // message was sent for: the item's trace continues here.
            let span = tracing::info_span!(
                "webhook.status",
                message_id = %s.id,
                status = s.status.as_str(),
                callback_data = s.biz_opaque_callback_data.as_deref(),
            );
            let _in = span.enter();
            let name = upd.status.as_str();
            match a.outcome {
                StatusApplied::Applied => {
                    crate::metrics::webhook_status(name, "applied");
                    report.statuses_applied += 1;
                    // The recipient's ids are looked up once per message (its
                    // `sent` status) unless the status carries a BSUID, so a
                    // campaign's other statuses cost no extra reads; not at
                    // all when the store saw that the contact is missing or
                    // already has every id the status carries.
                    let may_learn = a.contact_has.is_none_or(|h| {
                        h.exists
                            && ((s.recipient_user_id.is_some() && !h.bsuid)
                                || (s.recipient_id.is_some() && !h.wa_id))
                    });
                    if (s.recipient_user_id.is_some() || s.status == StatusKind::Sent)
                        && may_learn
                        && let Some(c) = a.contact_id
                    {
                        learn.push((s, c));
                    }
                }
                StatusApplied::Ignored(r) => {
                    crate::metrics::webhook_status(name, "ignored");
                    report.statuses_ignored.push(format!("{}: {r}", s.id))
                }
                StatusApplied::Pending => {
                    crate::metrics::webhook_status(name, "pending");
                    report.statuses_pending += 1
                }
            }
        }
        self.learn_recipients(&learn).await
    }

    /// Record that the outbox item named by `callback_data` was accepted as
    /// `wamid`. A pair this processor already recorded is not written again
    /// (a message's `sent`, `delivered` and `read` all carry it).
    async fn prove(&self, callback_data: &str, wamid: &str) -> crate::Result<bool> {
        let key = format!("{callback_data}\u{1f}{wamid}");
        if self.proved.lock().contains(&key) {
            return Ok(true);
        }
        let proved =
            crate::scheduler::reconcile::record_evidence(&*self.stores.sync, callback_data, wamid)
                .await?;
        if proved {
            let mut seen = self.proved.lock();
            // Bounded: forgetting only costs a repeated (idempotent) write.
            if seen.len() >= 100_000 {
                seen.clear();
            }
            seen.insert(key);
        }
        Ok(proved)
    }

    /// A status for a message the store does not know creates that outbound
    /// message (see [`Self::create_outbound_from_statuses`]).
    async fn outbound_from_status(
        &self,
        s: &StatusEvent,
        at: i64,
        report: &mut ProcessReport,
    ) -> crate::Result<()> {
        if self.stores.messages.get_message(&s.id).await?.is_some() {
            return Ok(());
        }
        let contact = self.recipient_contact(s).await?;
        let rec = MessageRecord {
            id: s.id.clone(),
            phone_number_id: PhoneNumberId::new(s.routing.phone_number_id.clone()),
            conversation_id: None,
            contact_id: contact,
            direction: Direction::Outbound,
            msg_type: "unknown".into(),
            body: serde_json::json!({"source": "status_webhook"}),
            status: None,
            status_times: Default::default(),
            error: None,
            agent_id: None,
            // The user's part of the callback data, without the engine's suffix.
            campaign_id: s
                .biz_opaque_callback_data
                .as_deref()
                .and_then(crate::client::callback::user_value)
                .map(str::to_string),
            created_at: at,
        };
        if self.stores.messages.record_outbound(&rec).await? == Recorded::New {
            report.outbound_created += 1;
        }
        Ok(())
    }

    /// The recipients' BSUIDs (and wa_ids) from statuses, stored on the
    /// contacts the messages were sent to (found by the message, not by
    /// comparing numbers): one read for the batch, one write per changed contact.
    async fn learn_recipients(&self, learn: &[(&StatusEvent, ContactId)]) -> crate::Result<()> {
        if learn.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<ContactId> = learn.iter().map(|(_, c)| c.clone()).collect();
        ids.sort_unstable();
        ids.dedup();
        let contacts = &self.stores.contacts;
        let mut found: std::collections::HashMap<ContactId, (Contact, bool)> = contacts
            .get_many(&ids)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), (c, false)))
            .collect();
        for (s, id) in learn {
            let Some((c, changed)) = found.get_mut(id) else {
                continue;
            };
            if c.bsuid.is_none()
                && let Some(u) = &s.recipient_user_id
            {
                c.bsuid = identity::checked(c, "bsuid", u);
                *changed = true;
            }
            if c.wa_id.is_none()
                && let Some(w) = &s.recipient_id
            {
                c.wa_id = identity::checked(c, "wa_id", w);
                *changed = true;
            }
        }
        let mut changed: Vec<&Contact> = found
            .values()
            .filter(|(_, ch)| *ch)
            .map(|(c, _)| c)
            .collect();
        changed.sort_by(|a, b| a.id.cmp(&b.id));
        for c in changed {
            contacts.upsert(c, Some(c.version)).await?;
        }
        Ok(())
    }
}
