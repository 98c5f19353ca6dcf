//! The day-to-day console actions of a [`Session`]: sends and campaigns,
//! exports and reports, conversation views and assignment, contact changes.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::console::{Session, Teams};
use super::permission::Permission::*;
use crate::client::{OutboundMessage, SendOptions, SendResponse};
use crate::ids::{AgentId, ContactId, ConversationId, PhoneNumberId, Recipient};
use crate::scheduler::OutgoingMessage;
use crate::store::{
    Agent, Contact, ContactFilter, Conversation, Enqueued, MessageRecord, OutboxItem, OutboxStats,
    PageRequest,
};

/// One exported conversation with its messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationExport {
    /// The conversation.
    pub conversation: Conversation,
    /// Its messages in time order.
    pub messages: Vec<MessageRecord>,
}

fn is_template_payload(item: &OutboxItem) -> bool {
    let p = &item.payload;
    p.pointer("/message/type").or_else(|| p.get("type")) == Some(&json!("template"))
}

impl Session {
    // ---- sends and campaigns -------------------------------------------------

    /// Write one message into the outbox (the scheduler sends it):
    /// `send_template` for a template payload, `send` otherwise.
    pub async fn enqueue(&self, item: &OutboxItem) -> crate::Result<Enqueued> {
        let p = if is_template_payload(item) {
            SendTemplate
        } else {
            Send
        };
        let details =
            json!({"from": item.phone_number_id, "key": item.idempotency_key, "item": item.id});
        self.perform(
            p,
            "message.enqueue",
            &item.recipient,
            Some((&item.phone_number_id, Teams::None)),
            details,
            || async { Ok(self.console.stores.outbox.enqueue(item).await?) },
        )
        .await
    }

    /// Send one message now through the client.
    pub async fn send_now(
        &self,
        from: &PhoneNumberId,
        to: &Recipient,
        message: &OutboundMessage,
        opts: &SendOptions,
    ) -> crate::Result<SendResponse> {
        let p = if message.is_template() {
            SendTemplate
        } else {
            Send
        };
        let details = json!({"from": from, "type": message.type_name()});
        self.perform(
            p,
            "message.send_now",
            to.as_str(),
            Some((from, Teams::None)),
            details,
            || async { self.client()?.send(from, to, message, opts).await },
        )
        .await
    }

    /// Start a campaign: every item goes into the outbox under `campaign_id`.
    /// Needs `broadcast` for every sending number; nothing is queued otherwise.
    pub async fn broadcast(
        &self,
        campaign_id: &str,
        items: Vec<OutboxItem>,
    ) -> crate::Result<Vec<Enqueued>> {
        let numbers: BTreeSet<&PhoneNumberId> = items.iter().map(|i| &i.phone_number_id).collect();
        self.campaign(campaign_id, numbers, items.len(), || async {
            let items: Vec<_> = items
                .iter()
                .map(|item| OutboxItem {
                    campaign_id: Some(campaign_id.to_string()),
                    ..item.clone()
                })
                .collect();
            // Multi-row inserts: a campaign of 100,000 is a few hundred statements.
            Ok(self.console.stores.outbox.enqueue_many(&items).await?)
        })
        .await
    }

    /// Start a campaign of messages through the console's scheduler (each
    /// message validated, `campaign_id` set on every one, laid out by the
    /// campaign plan: daily batches past the tier, pair pacing). Needs
    /// `broadcast` for every sending number; nothing is queued otherwise.
    pub async fn start_campaign(
        &self,
        campaign_id: &str,
        messages: &[OutgoingMessage],
    ) -> crate::Result<Vec<Enqueued>> {
        let numbers: BTreeSet<&PhoneNumberId> =
            messages.iter().map(|m| &m.phone_number_id).collect();
        self.campaign(campaign_id, numbers, messages.len(), || async {
            // Validated whole before any is queued: a campaign starts whole or not at all.
            let (_plan, queued) = self
                .scheduler()?
                .enqueue_campaign(campaign_id, messages)
                .await?;
            Ok(queued)
        })
        .await
    }

    /// Check `broadcast` on every sending number (refused and logged as
    /// `campaign.start` when one is outside the user's scope), then queue.
    async fn campaign<F, Fut>(
        &self,
        campaign_id: &str,
        numbers: BTreeSet<&PhoneNumberId>,
        recipients: usize,
        queue: F,
    ) -> crate::Result<Vec<Enqueued>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = crate::Result<Vec<Enqueued>>>,
    {
        let details = json!({"recipients": recipients, "numbers": numbers});
        let target = format!("campaign:{campaign_id}");
        let outside = numbers
            .iter()
            .find(|n| !self.can_in(Broadcast, n, Teams::None));
        if let Some(n) = outside {
            let reason = if self.can(Broadcast) {
                format!("broadcast is not granted for number {n}")
            } else {
                "needs permission broadcast".into()
            };
            return self
                .refuse("campaign.start", &target, reason, details)
                .await;
        }
        self.perform(Broadcast, "campaign.start", &target, None, details, queue)
            .await
    }

    // ---- exports and reports -------------------------------------------------

    /// Every contact passing `filter`.
    pub async fn export_contacts(&self, filter: &ContactFilter) -> crate::Result<Vec<Contact>> {
        let details = json!({"filter": filter});
        self.perform(
            ExportContacts,
            "contacts.export",
            "contacts",
            None,
            details,
            || async {
                let mut out = Vec::new();
                let mut page = PageRequest {
                    limit: 500,
                    after: None,
                };
                loop {
                    let got = self.console.stores.contacts.list(filter, &page).await?;
                    out.extend(got.items);
                    match got.next {
                        Some(n) => page.after = Some(n),
                        None => return Ok(out),
                    }
                }
            },
        )
        .await
    }

    /// Every conversation this session may view (any state), with messages.
    pub async fn export_conversations(&self) -> crate::Result<Vec<ConversationExport>> {
        self.perform(
            ExportConversations,
            "conversations.export",
            "conversations",
            None,
            json!({}),
            || async {
                let agents = self.agents().await?;
                let stores = &self.console.stores;
                let mut out = Vec::new();
                let mut page = PageRequest {
                    limit: 500,
                    after: None,
                };
                loop {
                    let got = stores
                        .contacts
                        .list(&ContactFilter::default(), &page)
                        .await?;
                    for c in &got.items {
                        for conv in stores.conversations.list_for_contact(&c.id).await? {
                            if self.visible(&conv, &agents) {
                                let messages =
                                    stores.messages.list_for_conversation(&conv.id).await?;
                                out.push(ConversationExport {
                                    conversation: conv,
                                    messages,
                                });
                            }
                        }
                    }
                    match got.next {
                        Some(n) => page.after = Some(n),
                        None => return Ok(out),
                    }
                }
            },
        )
        .await
    }

    /// The send report (outbox counts per state).
    pub async fn report(&self) -> crate::Result<OutboxStats> {
        self.perform(
            ViewReports,
            "report.view",
            "outbox",
            None,
            json!({}),
            || async { Ok(self.console.stores.outbox.stats().await?) },
        )
        .await
    }

    /// The send report, for export.
    pub async fn export_report(&self) -> crate::Result<OutboxStats> {
        self.perform(
            ExportReports,
            "report.export",
            "outbox",
            None,
            json!({}),
            || async { Ok(self.console.stores.outbox.stats().await?) },
        )
        .await
    }

    // ---- conversations -------------------------------------------------------

    async fn agents(&self) -> crate::Result<HashMap<String, Agent>> {
        Ok(self
            .console
            .stores
            .agents
            .list_agents()
            .await?
            .into_iter()
            .map(|a| (a.id.0.clone(), a))
            .collect())
    }

    /// Whether the session may view `c`: `view_all` on its number, `view_team`
    /// for the assigned agent's teams (or an unassigned one on a number in
    /// scope), or `view_own` for its own.
    pub fn visible(&self, c: &Conversation, agents: &HashMap<String, Agent>) -> bool {
        static NO_TEAMS: BTreeSet<String> = BTreeSet::new();
        let n = &c.phone_number_id;
        if self.can_in(ViewAll, n, Teams::None) {
            return true;
        }
        let teams = match &c.agent_id {
            None => Teams::None,
            Some(a) => Teams::Of(
                agents
                    .get(a.as_str())
                    .map(|a| &a.teams)
                    .unwrap_or(&NO_TEAMS),
            ),
        };
        if self.can_in(ViewTeam, n, teams) {
            return true;
        }
        c.agent_id.is_some() && c.agent_id == self.agent && self.can_in(ViewOwn, n, Teams::None)
    }

    fn can_view_some(&self) -> bool {
        self.can(ViewOwn) || self.can(ViewTeam) || self.can(ViewAll)
    }

    /// Open conversations this session may view.
    pub async fn list_conversations(&self) -> crate::Result<Vec<Conversation>> {
        if !self.can_view_some() {
            return self
                .refuse(
                    "conversations.list",
                    "conversations",
                    "needs permission view_own, view_team or view_all".into(),
                    json!({}),
                )
                .await;
        }
        let agents = self.agents().await?;
        let all = self.console.stores.conversations.list_open().await?;
        let visible: Vec<Conversation> = all
            .into_iter()
            .filter(|c| self.visible(c, &agents))
            .collect();
        self.audit(
            "conversations.list",
            "conversations",
            crate::store::AuditOutcome::Ok,
            json!({"count": visible.len()}),
        )
        .await?;
        Ok(visible)
    }

    /// Load a conversation and check that the session may view it; `action` names the attempt.
    async fn viewable(&self, id: &ConversationId, action: &str) -> crate::Result<Conversation> {
        let Some(c) = self.console.stores.conversations.get(id).await? else {
            return Err(crate::Error::validation(
                "conversation",
                format!("no conversation {id}"),
            ));
        };
        let mut agents = HashMap::new();
        if let Some(a) = &c.agent_id
            && let Some(agent) = self.console.stores.agents.get_agent(a).await?
        {
            agents.insert(a.0.clone(), agent);
        }
        if !self.visible(&c, &agents) {
            return self
                .refuse(
                    action,
                    id.as_str(),
                    "the conversation is outside this user's scope".into(),
                    json!({"number": c.phone_number_id}),
                )
                .await;
        }
        Ok(c)
    }

    /// One conversation, if the session may view it.
    pub async fn conversation(&self, id: &ConversationId) -> crate::Result<Conversation> {
        let c = self.viewable(id, "conversation.view").await?;
        self.audit(
            "conversation.view",
            id.as_str(),
            crate::store::AuditOutcome::Ok,
            json!({}),
        )
        .await?;
        Ok(c)
    }

    /// Messages of a conversation, if the session may view it.
    pub async fn messages(&self, id: &ConversationId) -> crate::Result<Vec<MessageRecord>> {
        self.viewable(id, "conversation.messages").await?;
        let ms = self
            .console
            .stores
            .messages
            .list_for_conversation(id)
            .await?;
        self.audit(
            "conversation.messages",
            id.as_str(),
            crate::store::AuditOutcome::Ok,
            json!({"count": ms.len()}),
        )
        .await?;
        Ok(ms)
    }

    /// Assign a conversation to `agent` (`assign` when unassigned, `reassign`
    /// when it moves from another agent), within the number's scope.
    pub async fn assign(
        &self,
        id: &ConversationId,
        agent: &AgentId,
    ) -> crate::Result<Conversation> {
        let Some(mut c) = self.console.stores.conversations.get(id).await? else {
            return Err(crate::Error::validation(
                "conversation",
                format!("no conversation {id}"),
            ));
        };
        let p = if c.agent_id.is_some() && c.agent_id.as_ref() != Some(agent) {
            Reassign
        } else {
            Assign
        };
        let action = if p == Reassign {
            "conversation.reassign"
        } else {
            "conversation.assign"
        };
        let details = json!({"from": c.agent_id, "to": agent});
        let number = c.phone_number_id.clone();
        self.perform(
            p,
            action,
            id.as_str(),
            Some((&number, Teams::None)),
            details,
            || async {
                if self.console.stores.agents.get_agent(agent).await?.is_none() {
                    return Err(crate::Error::validation(
                        "agent",
                        format!("no agent {agent}"),
                    ));
                }
                c.agent_id = Some(agent.clone());
                c.assigned_at = Some(self.console.clock.now_millis());
                self.console.stores.conversations.update(&c).await?;
                Ok(c)
            },
        )
        .await
    }

    // ---- contacts ------------------------------------------------------------

    /// Create or edit a contact (optimistic: see `ContactStore::upsert`).
    pub async fn edit_contact(
        &self,
        c: &Contact,
        expected_version: Option<u64>,
    ) -> crate::Result<Contact> {
        self.perform(
            EditContacts,
            "contact.edit",
            c.id.as_str(),
            None,
            json!({"expected_version": expected_version}),
            || async {
                Ok(self
                    .console
                    .stores
                    .contacts
                    .upsert(c, expected_version)
                    .await?)
            },
        )
        .await
    }

    /// Merge `absorbed` into `survivor`.
    pub async fn merge_contacts(
        &self,
        survivor: &ContactId,
        absorbed: &ContactId,
    ) -> crate::Result<Contact> {
        self.perform(
            MergeContacts,
            "contact.merge",
            survivor.as_str(),
            None,
            json!({"absorbed": absorbed}),
            || async {
                Ok(self
                    .console
                    .stores
                    .contacts
                    .merge(survivor, absorbed)
                    .await?)
            },
        )
        .await
    }

    /// Delete a contact; `false` when absent.
    pub async fn delete_contact(&self, id: &ContactId) -> crate::Result<bool> {
        self.perform(
            DeleteContacts,
            "contact.delete",
            id.as_str(),
            None,
            json!({}),
            || async { Ok(self.console.stores.contacts.delete(id).await?) },
        )
        .await
    }
}
