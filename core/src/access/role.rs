//! Roles (presets and custom), users, memberships and the compiled grants of
//! one user.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::permission::{Permission, PermissionSet};
use crate::ids::{AgentId, PhoneNumberId};
use crate::time::Millis;

use Permission::*;

/// A named set of permissions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Name (`agent`, `supervisor`, `admin`, `viewer` or a custom name).
    pub name: String,
    /// What it grants.
    pub permissions: PermissionSet,
    /// What it is for.
    #[serde(default)]
    pub description: String,
}

/// The preset role names.
pub const PRESET_ROLES: [&str; 4] = ["agent", "supervisor", "admin", "viewer"];

const AGENT: PermissionSet = PermissionSet::of(&[Send, SendTemplate, ViewOwn, EditContacts]);
const SUPERVISOR: PermissionSet = PermissionSet::of(&[
    Send,
    SendTemplate,
    Broadcast,
    ExportContacts,
    ExportConversations,
    ExportReports,
    ViewOwn,
    ViewTeam,
    Assign,
    Reassign,
    EditContacts,
    MergeContacts,
    ViewReports,
]);
const VIEWER: PermissionSet = PermissionSet::of(&[ViewAll, ViewReports]);

impl Role {
    /// A preset by name: `agent` sends and sees its own conversations;
    /// `supervisor` adds campaigns, exports, team view, (re)assignment and merges;
    /// `admin` has everything; `viewer` reads every conversation and reports.
    pub fn preset(name: &str) -> Option<Role> {
        let (permissions, description) = match name {
            "agent" => (AGENT, "handles own conversations"),
            "supervisor" => (
                SUPERVISOR,
                "runs a team: campaigns, exports, assignment, merges",
            ),
            "admin" => (
                PermissionSet::all(),
                "everything, including users and rules",
            ),
            "viewer" => (VIEWER, "reads conversations and reports"),
            _ => return None,
        };
        Some(Role {
            name: name.to_string(),
            permissions,
            description: description.to_string(),
        })
    }

    /// Every preset.
    pub fn presets() -> Vec<Role> {
        PRESET_ROLES
            .iter()
            .filter_map(|n| Role::preset(n))
            .collect()
    }

    /// A custom role; its name must not be a preset's and must be a plain word.
    pub fn custom(
        name: &str,
        permissions: PermissionSet,
        description: &str,
    ) -> crate::Result<Role> {
        if PRESET_ROLES.contains(&name) {
            return Err(crate::Error::validation(
                "role.name",
                format!("{name:?} is a preset role and cannot be redefined"),
            ));
        }
        check_name("role.name", name)?;
        Ok(Role {
            name: name.to_string(),
            permissions,
            description: description.to_string(),
        })
    }
}

/// Names of users, roles and teams: 1–64 of `[A-Za-z0-9._@-]`.
pub(crate) fn check_name(field: &str, s: &str) -> crate::Result<()> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
    if ok {
        Ok(())
    } else {
        Err(crate::Error::validation(
            field,
            format!("{s:?}: use 1-64 letters, digits, '.', '_', '-' or '@'"),
        ))
    }
}

/// A console user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Id (login name).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The agent record this user works as (conversations are assigned to agents).
    #[serde(default)]
    pub agent_id: Option<AgentId>,
    /// A disabled user can do nothing.
    #[serde(default)]
    pub disabled: bool,
    /// Created.
    #[serde(default)]
    pub created_at: Millis,
}

/// Where a membership applies: empty sets mean "all".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Teams (as on [`crate::store::Agent::teams`]).
    #[serde(default)]
    pub teams: BTreeSet<String>,
    /// Business phone numbers.
    #[serde(default)]
    pub numbers: BTreeSet<PhoneNumberId>,
}

impl Scope {
    /// Everything.
    pub fn all() -> Scope {
        Scope::default()
    }

    /// Whether `number` is inside.
    pub fn has_number(&self, number: &PhoneNumberId) -> bool {
        self.numbers.is_empty() || self.numbers.contains(number)
    }

    /// Whether any of `teams` is inside (any team when the scope has none).
    pub fn has_any_team<'a>(&self, teams: impl IntoIterator<Item = &'a String>) -> bool {
        self.teams.is_empty() || teams.into_iter().any(|t| self.teams.contains(t))
    }
}

/// A user holds a role within a scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// User id.
    pub user_id: String,
    /// Role name.
    pub role: String,
    /// Where it applies.
    #[serde(default)]
    pub scope: Scope,
}

/// One resolved membership: its permissions and scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// Role name.
    pub role: String,
    /// Permissions of the role.
    pub permissions: PermissionSet,
    /// Where.
    pub scope: Scope,
}

/// Everything one user may do, compiled once per session so a check is cheap.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    any: PermissionSet,
    unscoped: PermissionSet,
    grants: Vec<Grant>,
}

impl Grants {
    /// Compile resolved memberships.
    pub fn new(grants: Vec<Grant>) -> Grants {
        let mut any = PermissionSet::EMPTY;
        let mut unscoped = PermissionSet::EMPTY;
        for g in &grants {
            any = any.union(g.permissions);
            if g.scope == Scope::all() {
                unscoped = unscoped.union(g.permissions);
            }
        }
        Grants {
            any,
            unscoped,
            grants,
        }
    }

    /// Whether some membership grants `p` (somewhere).
    #[inline(always)]
    pub fn allows(&self, p: Permission) -> bool {
        self.any.contains(p)
    }

    /// Whether `p` is granted for an object on the phone number `number`;
    /// `teams` are the teams the object belongs to (`None`: no team, so only
    /// the number scope applies; `Some(empty)`: a team-less object, visible only
    /// to memberships not restricted to teams).
    #[inline]
    pub fn allows_in(
        &self,
        p: Permission,
        number: &PhoneNumberId,
        teams: Option<&BTreeSet<String>>,
    ) -> bool {
        if self.unscoped.contains(p) {
            return true;
        }
        if !self.any.contains(p) {
            return false;
        }
        self.grants.iter().any(|g| {
            g.permissions.contains(p)
                && g.scope.has_number(number)
                && teams.is_none_or(|t| g.scope.has_any_team(t))
        })
    }

    /// The resolved memberships.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// Union of all permissions.
    pub fn permissions(&self) -> PermissionSet {
        self.any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_grant_what_their_names_say() {
        let admin = Role::preset("admin").unwrap();
        assert_eq!(admin.permissions, PermissionSet::all());
        let agent = Role::preset("agent").unwrap();
        assert!(agent.permissions.contains(Send));
        assert!(!agent.permissions.contains(Broadcast));
        assert!(!agent.permissions.contains(ViewTeam));
        assert!(Role::preset("root").is_none());
        assert!(Role::custom("admin", PermissionSet::EMPTY, "").is_err());
        assert!(Role::custom("has space", PermissionSet::EMPTY, "").is_err());
        assert!(Role::custom("campaigner", PermissionSet::of(&[Broadcast]), "").is_ok());
    }

    #[test]
    fn scoped_grants_apply_only_inside_their_scope() {
        let n1 = PhoneNumberId::new("n1");
        let n2 = PhoneNumberId::new("n2");
        let g = Grants::new(vec![Grant {
            role: "supervisor".into(),
            permissions: SUPERVISOR,
            scope: Scope {
                teams: ["sales".to_string()].into(),
                numbers: [n1.clone()].into(),
            },
        }]);
        assert!(g.allows(Broadcast));
        let sales: BTreeSet<String> = ["sales".to_string()].into();
        let support: BTreeSet<String> = ["support".to_string()].into();
        assert!(g.allows_in(Broadcast, &n1, None));
        assert!(!g.allows_in(Broadcast, &n2, None));
        assert!(g.allows_in(ViewTeam, &n1, Some(&sales)));
        assert!(!g.allows_in(ViewTeam, &n1, Some(&support)));
        assert!(!g.allows_in(ViewTeam, &n1, Some(&BTreeSet::new())));
        assert!(!g.allows_in(ManageRules, &n1, None));
    }
}
