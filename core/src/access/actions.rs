//! The console actions of a [`Session`]: sends and campaigns, exports and
//! reports, conversation views and assignment, contact changes, templates and
//! numbers, users and roles, and the audit log itself.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::console::{Session, Teams};
use super::permission::Permission::{self, *};
use super::role::{Membership, Role, User, check_name};
use crate::client::{
    BusinessProfile, CreatedTemplate, NewTemplate, OutboundMessage, SendOptions, SendResponse,
    Success,
};
use crate::ids::{AgentId, ContactId, ConversationId, PhoneNumberId, Recipient, WabaId};
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
        let details = json!({"recipients": items.len(), "numbers": numbers});
        let outside = numbers
            .iter()
            .find(|n| !self.can_in(Broadcast, n, Teams::None));
        let target = format!("campaign:{campaign_id}");
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
        self.perform(
            Broadcast,
            "campaign.start",
            &target,
            None,
            details,
            || async {
                let mut out = Vec::with_capacity(items.len());
                for mut item in items {
                    item.campaign_id = Some(campaign_id.to_string());
                    out.push(self.console.stores.outbox.enqueue(&item).await?);
                }
                Ok(out)
            },
        )
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

    // ---- templates, numbers, rules, integrations -------------------------------

    /// Submit a template for review.
    pub async fn create_template(
        &self,
        waba: &WabaId,
        t: &NewTemplate,
    ) -> crate::Result<CreatedTemplate> {
        self.perform(
            ManageTemplates,
            "template.create",
            &t.name,
            None,
            json!({"waba": waba}),
            || async { self.client()?.create_template(waba, t).await },
        )
        .await
    }

    /// Delete a template by name.
    pub async fn delete_template(&self, waba: &WabaId, name: &str) -> crate::Result<Success> {
        self.perform(
            ManageTemplates,
            "template.delete",
            name,
            None,
            json!({"waba": waba}),
            || async { self.client()?.delete_template(waba, name, None).await },
        )
        .await
    }

    /// Change a number's business profile (within the number scope).
    pub async fn update_business_profile(
        &self,
        number: &PhoneNumberId,
        profile: &BusinessProfile,
    ) -> crate::Result<Success> {
        self.perform(
            ManageNumbers,
            "number.profile.update",
            number.as_str(),
            Some((number, Teams::None)),
            json!({}),
            || async {
                self.client()?
                    .update_business_profile(number, profile)
                    .await
            },
        )
        .await
    }

    /// Change automation rules: `apply` performs the change (e.g. saving a
    /// rules file) once `manage_rules` is checked; the attempt is audited.
    pub async fn change_rules<T, F, Fut>(
        &self,
        target: &str,
        details: serde_json::Value,
        apply: F,
    ) -> crate::Result<T>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::Result<T>>,
    {
        self.perform(ManageRules, "rules.change", target, None, details, apply)
            .await
    }

    /// Change CRM connector settings: `apply` performs the change once
    /// `manage_integrations` is checked; the attempt is audited.
    pub async fn change_integration<T, F, Fut>(
        &self,
        connector: &str,
        details: serde_json::Value,
        apply: F,
    ) -> crate::Result<T>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::Result<T>>,
    {
        self.perform(
            ManageIntegrations,
            "integration.change",
            connector,
            None,
            details,
            apply,
        )
        .await
    }

    // ---- users and roles -----------------------------------------------------

    /// Create or replace a user.
    pub async fn upsert_user(&self, u: &User) -> crate::Result<()> {
        self.perform(
            ManageUsersAndRoles,
            "user.upsert",
            &u.id,
            None,
            json!({"name": u.name, "agent_id": u.agent_id, "disabled": u.disabled}),
            || async {
                check_name("user.id", &u.id)?;
                Ok(self.console.stores.access.upsert_user(u).await?)
            },
        )
        .await
    }

    /// Create or replace a custom role (presets cannot be redefined).
    pub async fn upsert_role(&self, r: &Role) -> crate::Result<()> {
        self.perform(
            ManageUsersAndRoles,
            "role.upsert",
            &r.name,
            None,
            json!({"permissions": r.permissions}),
            || async {
                let r = Role::custom(&r.name, r.permissions, &r.description)?;
                Ok(self.console.stores.access.upsert_role(&r).await?)
            },
        )
        .await
    }

    /// Grant a role (preset or stored custom role) to an existing user within a scope.
    pub async fn grant(&self, m: &Membership) -> crate::Result<()> {
        self.perform(
            ManageUsersAndRoles,
            "user.grant",
            &m.user_id,
            None,
            json!({"role": m.role, "scope": m.scope}),
            || async {
                let access = &self.console.stores.access;
                if access.get_user(&m.user_id).await?.is_none() {
                    return Err(crate::Error::validation(
                        "user",
                        format!("no user {:?}", m.user_id),
                    ));
                }
                if Role::preset(&m.role).is_none() && access.get_role(&m.role).await?.is_none() {
                    return Err(crate::Error::validation(
                        "role",
                        format!(
                            "no role {:?} (presets: agent, supervisor, admin, viewer)",
                            m.role
                        ),
                    ));
                }
                Ok(access.grant(m).await?)
            },
        )
        .await
    }

    /// Revoke a role; `false` when the user did not hold it.
    pub async fn revoke(&self, user_id: &str, role: &str) -> crate::Result<bool> {
        self.perform(
            ManageUsersAndRoles,
            "user.revoke",
            user_id,
            None,
            json!({"role": role}),
            || async { Ok(self.console.stores.access.revoke(user_id, role).await?) },
        )
        .await
    }

    /// Users with their memberships.
    pub async fn list_users(&self) -> crate::Result<Vec<(User, Vec<Membership>)>> {
        self.perform(
            ManageUsersAndRoles,
            "user.list",
            "users",
            None,
            json!({}),
            || async {
                let access = &self.console.stores.access;
                let mut out = Vec::new();
                for u in access.list_users().await? {
                    let ms = access.memberships(&u.id).await?;
                    out.push((u, ms));
                }
                Ok(out)
            },
        )
        .await
    }

    /// Presets followed by custom roles.
    pub async fn list_roles(&self) -> crate::Result<Vec<Role>> {
        self.perform(
            ManageUsersAndRoles,
            "role.list",
            "roles",
            None,
            json!({}),
            || async {
                let mut out = Role::presets();
                out.extend(self.console.stores.access.list_roles().await?);
                Ok(out)
            },
        )
        .await
    }

    // ---- the audit log ---------------------------------------------------------

    /// Verify the audit log (`key` also checks checkpoint signatures).
    pub async fn verify_audit(
        &self,
        key: Option<&[u8]>,
    ) -> crate::Result<super::chain::AuditVerification> {
        self.perform(
            ViewAudit,
            "audit.verify",
            "audit",
            None,
            json!({}),
            || async { super::audit::verify(self.console.stores.audit.as_ref(), key).await },
        )
        .await
    }

    /// Export audit entries with `from <= at < to`.
    pub async fn export_audit(
        &self,
        from: Option<crate::time::Millis>,
        to: Option<crate::time::Millis>,
        format: super::audit::ExportFormat,
        out: &mut (dyn std::io::Write + std::marker::Send),
    ) -> crate::Result<u64> {
        let details = json!({"from": from, "to": to, "format": format!("{format:?}")});
        self.perform(
            ViewAudit,
            "audit.export",
            "audit",
            None,
            details,
            || async {
                super::audit::export(self.console.stores.audit.as_ref(), from, to, format, out)
                    .await
            },
        )
        .await
    }
}

/// The permission an action name needs, for tables and tooling.
pub fn permission_of(action: &str) -> Option<Permission> {
    Some(match action {
        "message.enqueue" | "message.send" | "message.send_now" => Send,
        "campaign.start" => Broadcast,
        "contacts.export" => ExportContacts,
        "conversations.export" => ExportConversations,
        "report.view" => ViewReports,
        "report.export" => ExportReports,
        "conversation.assign" => Assign,
        "conversation.reassign" => Reassign,
        "contact.edit" => EditContacts,
        "contact.merge" => MergeContacts,
        "contact.delete" => DeleteContacts,
        "template.create" | "template.delete" => ManageTemplates,
        "number.profile.update" => ManageNumbers,
        "rules.change" => ManageRules,
        "integration.change" => ManageIntegrations,
        "user.upsert" | "user.grant" | "user.revoke" | "user.list" | "role.upsert"
        | "role.list" => ManageUsersAndRoles,
        "audit.verify" | "audit.export" => ViewAudit,
        _ => return None,
    })
}
