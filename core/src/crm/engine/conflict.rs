//! Conflict rules for `both` fields, and the null policy on each side.
//!
//! Change detection compares against the *shadow*: the CRM-side value both
//! sides last agreed on. A side "changed" when its value differs from the
//! shadow; only a field changed on both sides to different values is a
//! conflict.

use crate::crm::mapping::{FieldMap, NullPolicy, Owner};
use crate::crm::transform::{Maps, TransformError, apply_to_crm};
use crate::store::Contact;
use crate::time::Millis;

/// What the local side wants the CRM to hold for a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// This value.
    Value(String),
    /// Empty, and the policy says clear (`""` on the wire).
    Clear,
    /// Empty, and the policy says leave the CRM alone.
    Unset,
}

impl Outgoing {
    /// The CRM-side text this stands for (`""` for both empty forms).
    pub fn as_text(&self) -> &str {
        match self {
            Outgoing::Value(v) => v,
            _ => "",
        }
    }
}

/// The local value of a field as it would be sent: default for an empty
/// source, then the transforms, then the null policy.
pub fn outgoing(f: &FieldMap, c: &Contact, maps: &Maps) -> Result<Outgoing, TransformError> {
    match f.local.get(c).or_else(|| f.default.clone()) {
        Some(v) => {
            let out = apply_to_crm(&f.transform, &v, maps)?;
            Ok(if out.is_empty() {
                empty(f.null)
            } else {
                Outgoing::Value(out)
            })
        }
        None => Ok(empty(f.null)),
    }
}

fn empty(p: NullPolicy) -> Outgoing {
    match p {
        NullPolicy::Clear => Outgoing::Clear,
        NullPolicy::Unset => Outgoing::Unset,
    }
}

/// Who won a conflict and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Winner {
    /// The local value stays and is pushed.
    Local(&'static str),
    /// The CRM value is applied locally.
    Crm(&'static str),
}

impl Winner {
    /// `local (owner)`, `crm (latest)`, ... for the discrepancy record.
    pub fn describe(&self) -> String {
        match self {
            Winner::Local(why) => format!("local ({why})"),
            Winner::Crm(why) => format!("crm ({why})"),
        }
    }
}

/// Settle a conflict by owner, or by last write (milliseconds) when the owner
/// is `latest`. A tie or a missing timestamp is never guessed: the CRM, the
/// system of record, wins and the discrepancy says so.
pub fn resolve(owner: Owner, local_at: Millis, remote_at: Millis) -> Winner {
    match owner {
        Owner::Local => Winner::Local("owner"),
        Owner::Crm => Winner::Crm("owner"),
        Owner::Latest => {
            if local_at <= 0 || remote_at <= 0 {
                Winner::Crm("latest: timestamp missing, crm fallback")
            } else if local_at > remote_at {
                Winner::Local("latest")
            } else if remote_at > local_at {
                Winner::Crm("latest")
            } else {
                Winner::Crm("latest: same millisecond, crm fallback")
            }
        }
    }
}

/// Whether the local side changed a field since the shadow.
pub fn local_changed(out: &Outgoing, shadow: Option<&str>) -> bool {
    match (out, shadow) {
        // Unset means "no opinion": it never counts as a change.
        (Outgoing::Unset, _) => false,
        (o, None) => !o.as_text().is_empty(),
        (o, Some(s)) => o.as_text() != s,
    }
}

/// How an empty CRM value lands locally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incoming {
    /// Set the local field to this (already transformed) value.
    Set(String),
    /// Clear the local field.
    Clear,
    /// Leave the local field as it is.
    Keep,
}

/// Null policy for values coming from the CRM: an empty value clears the
/// local field only under `clear`; a default fills it in.
pub fn incoming_empty(f: &FieldMap) -> Incoming {
    if let Some(d) = &f.default {
        return Incoming::Set(d.clone());
    }
    match f.null {
        NullPolicy::Clear => Incoming::Clear,
        NullPolicy::Unset => Incoming::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::fields::LocalField;
    use crate::crm::transform::Transform;

    #[test]
    fn owner_rules() {
        assert_eq!(resolve(Owner::Local, 1, 999), Winner::Local("owner"));
        assert_eq!(resolve(Owner::Crm, 999, 1), Winner::Crm("owner"));
    }

    #[test]
    fn latest_rules_by_millisecond_with_crm_fallback() {
        assert_eq!(resolve(Owner::Latest, 1001, 1000), Winner::Local("latest"));
        assert_eq!(resolve(Owner::Latest, 1000, 1001), Winner::Crm("latest"));
        assert!(
            matches!(resolve(Owner::Latest, 1000, 1000), Winner::Crm(w) if w.contains("same millisecond"))
        );
        assert!(matches!(resolve(Owner::Latest, 0, 1000), Winner::Crm(w) if w.contains("missing")));
        assert!(matches!(resolve(Owner::Latest, 1000, 0), Winner::Crm(w) if w.contains("missing")));
        assert_eq!(resolve(Owner::Latest, 5, 4).describe(), "local (latest)");
    }

    #[test]
    fn null_policy_outgoing_unset_vs_clear() {
        let c = Contact::default();
        let maps = Maps::new();
        let unset = FieldMap::new(LocalField::City, "city");
        assert_eq!(outgoing(&unset, &c, &maps).unwrap(), Outgoing::Unset);
        let clear = FieldMap::new(LocalField::City, "city").null(NullPolicy::Clear);
        assert_eq!(outgoing(&clear, &c, &maps).unwrap(), Outgoing::Clear);
        let dflt =
            FieldMap::new(LocalField::Attr("rank".into()), "rank").default_value("new customer");
        assert_eq!(
            outgoing(&dflt, &c, &maps).unwrap(),
            Outgoing::Value("new customer".into())
        );
        // A transform that leaves nothing behaves like an empty source.
        let c2 = Contact {
            city: Some("   ".into()),
            ..Default::default()
        };
        let trimmed = FieldMap::new(LocalField::City, "city")
            .transform(Transform::Trim)
            .null(NullPolicy::Clear);
        assert_eq!(outgoing(&trimmed, &c2, &maps).unwrap(), Outgoing::Clear);
    }

    #[test]
    fn null_policy_incoming_unset_vs_clear() {
        assert_eq!(
            incoming_empty(&FieldMap::new(LocalField::City, "city")),
            Incoming::Keep
        );
        assert_eq!(
            incoming_empty(&FieldMap::new(LocalField::City, "city").null(NullPolicy::Clear)),
            Incoming::Clear
        );
        assert_eq!(
            incoming_empty(&FieldMap::new(LocalField::City, "city").default_value("Amsterdam")),
            Incoming::Set("Amsterdam".into())
        );
    }

    #[test]
    fn change_detection_against_the_shadow() {
        let v = Outgoing::Value("a".into());
        assert!(!local_changed(&v, Some("a")));
        assert!(local_changed(&v, Some("b")));
        assert!(local_changed(&v, None));
        assert!(!local_changed(&Outgoing::Unset, Some("a")));
        assert!(local_changed(&Outgoing::Clear, Some("a")));
        assert!(!local_changed(&Outgoing::Clear, Some("")));
        assert!(!local_changed(&Outgoing::Clear, None));
    }
}
