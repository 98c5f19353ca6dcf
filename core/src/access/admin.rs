//! The administrative actions of a [`Session`]: templates and numbers,
//! automation rules and CRM settings, users and roles, and the audit log.

use serde_json::json;

use super::console::{Session, Teams};
use super::permission::Permission::{self, *};
use super::role::{Membership, Role, User, check_name};
use crate::client::{BusinessProfile, CreatedTemplate, NewTemplate, Success};
use crate::ids::{PhoneNumberId, WabaId};

impl Session {
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
