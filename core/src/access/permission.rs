//! Permissions and the bitset that makes a check one AND.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! permissions {
    ($( $(#[$doc:meta])* $name:ident = $bit:literal, $wire:literal; )*) => {
        /// One console action a role may grant.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Permission {
            $( $(#[$doc])* $name = $bit, )*
        }

        impl Permission {
            /// Every permission, in bit order.
            pub const ALL: &'static [Permission] = &[$(Permission::$name),*];

            /// Stable wire name (`send`, `export_contacts`, ...).
            pub const fn as_str(self) -> &'static str {
                match self { $(Permission::$name => $wire,)* }
            }

            /// Parse a wire name.
            pub fn parse(s: &str) -> Option<Permission> {
                match s { $($wire => Some(Permission::$name),)* _ => None }
            }
        }
    };
}

permissions! {
    /// Send a free-form message to a customer.
    Send = 0, "send";
    /// Send a template message.
    SendTemplate = 1, "send_template";
    /// Start a campaign (broadcast to many recipients).
    Broadcast = 2, "broadcast";
    /// Export contacts.
    ExportContacts = 3, "export_contacts";
    /// Export conversations and their messages.
    ExportConversations = 4, "export_conversations";
    /// Export reports.
    ExportReports = 5, "export_reports";
    /// See conversations assigned to oneself.
    ViewOwn = 6, "view_own";
    /// See conversations of one's teams and numbers.
    ViewTeam = 7, "view_team";
    /// See every conversation (within the membership's numbers).
    ViewAll = 8, "view_all";
    /// Assign an unassigned conversation.
    Assign = 9, "assign";
    /// Move a conversation from one agent to another.
    Reassign = 10, "reassign";
    /// Edit a contact.
    EditContacts = 11, "edit_contacts";
    /// Merge two contacts.
    MergeContacts = 12, "merge_contacts";
    /// Delete a contact.
    DeleteContacts = 13, "delete_contacts";
    /// Change automation rules.
    ManageRules = 14, "manage_rules";
    /// Create or delete message templates.
    ManageTemplates = 15, "manage_templates";
    /// Change CRM connector settings.
    ManageIntegrations = 16, "manage_integrations";
    /// Change business phone numbers and their profiles.
    ManageNumbers = 17, "manage_numbers";
    /// Create users and roles, grant and revoke memberships.
    ManageUsersAndRoles = 18, "manage_users_and_roles";
    /// Read reports.
    ViewReports = 19, "view_reports";
    /// Read, verify and export the audit log.
    ViewAudit = 20, "view_audit";
}

impl Permission {
    /// The bit of this permission.
    #[inline(always)]
    pub const fn bit(self) -> u32 {
        1u32 << self as u8
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Permission::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown permission {s:?}")))
    }
}

/// A set of permissions as a bitset: a check is one AND.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PermissionSet(u32);

impl PermissionSet {
    /// No permission.
    pub const EMPTY: PermissionSet = PermissionSet(0);

    /// Every permission.
    pub const fn all() -> PermissionSet {
        let mut bits = 0u32;
        let mut i = 0;
        while i < Permission::ALL.len() {
            bits |= Permission::ALL[i].bit();
            i += 1;
        }
        PermissionSet(bits)
    }

    /// From a list.
    pub const fn of(ps: &[Permission]) -> PermissionSet {
        let mut bits = 0u32;
        let mut i = 0;
        while i < ps.len() {
            bits |= ps[i].bit();
            i += 1;
        }
        PermissionSet(bits)
    }

    /// Whether `p` is in the set.
    #[inline(always)]
    pub const fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    /// Union.
    #[inline(always)]
    pub const fn union(self, other: PermissionSet) -> PermissionSet {
        PermissionSet(self.0 | other.0)
    }

    /// Add one.
    pub fn insert(&mut self, p: Permission) {
        self.0 |= p.bit();
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions, in bit order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(move |p| self.contains(*p))
    }

    /// Parse a comma-separated list of wire names (`send,export_contacts`).
    pub fn parse_list(s: &str) -> crate::Result<PermissionSet> {
        let mut set = PermissionSet::EMPTY;
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let p = Permission::parse(name).ok_or_else(|| {
                crate::Error::validation(
                    "permissions",
                    format!(
                        "unknown permission {name:?} (known: {})",
                        Permission::ALL
                            .iter()
                            .map(|p| p.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            set.insert(p);
        }
        Ok(set)
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(it: I) -> Self {
        let mut s = PermissionSet::EMPTY;
        for p in it {
            s.insert(p);
        }
        s
    }
}

impl fmt::Debug for PermissionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

// Stored as a list of names, so a renumbered bit never changes what a stored role means.
impl Serialize for PermissionSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for PermissionSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<Permission>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_bits_are_distinct() {
        let mut seen = 0u32;
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
            assert_eq!(seen & p.bit(), 0, "{p} shares a bit");
            seen |= p.bit();
        }
        assert_eq!(PermissionSet::all().iter().count(), Permission::ALL.len());
    }

    #[test]
    fn list_parsing_names_the_unknown_permission() {
        let s = PermissionSet::parse_list("send, export_contacts").unwrap();
        assert!(s.contains(Permission::Send) && s.contains(Permission::ExportContacts));
        assert!(!s.contains(Permission::Broadcast));
        let e = PermissionSet::parse_list("send,fly").unwrap_err();
        assert!(e.to_string().contains("\"fly\""), "{e}");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"["send","export_contacts"]"#);
        assert_eq!(serde_json::from_str::<PermissionSet>(&json).unwrap(), s);
    }
}
