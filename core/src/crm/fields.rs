//! The canonical contact fields a mapping can name, and how each is read
//! from and written to a [`Contact`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::ids::{Bsuid, E164, WaId};
use crate::store::Contact;

/// A contact field: one of the canonical names or `attr:NAME`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LocalField {
    /// `first_name`.
    FirstName,
    /// `last_name`.
    LastName,
    /// `name` (display name).
    Name,
    /// `phone` (E.164).
    Phone,
    /// `email`.
    Email,
    /// `city`.
    City,
    /// `country` (kept in the contact's `country` attribute).
    Country,
    /// `tags` (written to the CRM as `;`-separated values, sorted).
    Tags,
    /// `wa_id`.
    WaId,
    /// `bsuid`.
    Bsuid,
    /// `external_id`.
    ExternalId,
    /// `attr:NAME`, a custom attribute.
    Attr(String),
}

const NAMES: &str = "first_name, last_name, name, phone, email, city, country, tags, wa_id, bsuid, external_id or attr:NAME";

impl FromStr for LocalField {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "first_name" => LocalField::FirstName,
            "last_name" => LocalField::LastName,
            "name" => LocalField::Name,
            "phone" => LocalField::Phone,
            "email" => LocalField::Email,
            "city" => LocalField::City,
            "country" => LocalField::Country,
            "tags" => LocalField::Tags,
            "wa_id" => LocalField::WaId,
            "bsuid" => LocalField::Bsuid,
            "external_id" => LocalField::ExternalId,
            _ => match s.strip_prefix("attr:") {
                Some(n) if !n.is_empty() => LocalField::Attr(n.to_string()),
                _ => return Err(format!("unknown contact field `{s}` (expected {NAMES})")),
            },
        })
    }
}

impl fmt::Display for LocalField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LocalField::FirstName => "first_name",
            LocalField::LastName => "last_name",
            LocalField::Name => "name",
            LocalField::Phone => "phone",
            LocalField::Email => "email",
            LocalField::City => "city",
            LocalField::Country => "country",
            LocalField::Tags => "tags",
            LocalField::WaId => "wa_id",
            LocalField::Bsuid => "bsuid",
            LocalField::ExternalId => "external_id",
            LocalField::Attr(n) => return write!(f, "attr:{n}"),
        })
    }
}

impl<'de> Deserialize<'de> for LocalField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

fn attr_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl LocalField {
    /// The contact's value as text (`None` when empty).
    pub fn get(&self, c: &Contact) -> Option<String> {
        let v = match self {
            LocalField::FirstName => c.first_name.clone(),
            LocalField::LastName => c.last_name.clone(),
            LocalField::Name => c.name.clone(),
            LocalField::Phone => c.e164.clone().map(String::from),
            LocalField::Email => c.email.clone(),
            LocalField::City => c.city.clone(),
            LocalField::Country => c.attributes.get("country").and_then(attr_text),
            LocalField::Tags => {
                (!c.tags.is_empty()).then(|| c.tags.iter().cloned().collect::<Vec<_>>().join(";"))
            }
            LocalField::WaId => c.wa_id.clone().map(String::from),
            LocalField::Bsuid => c.bsuid.clone().map(String::from),
            LocalField::ExternalId => c.external_id.clone(),
            LocalField::Attr(n) => c.attributes.get(n).and_then(attr_text),
        };
        v.filter(|s| !s.is_empty())
    }

    /// Set (or with `None`, clear) the contact's value. A phone, wa_id or
    /// BSUID that does not validate is a validation error naming the field,
    /// and the contact is left unchanged.
    pub fn set(&self, c: &mut Contact, v: Option<String>) -> crate::Result<()> {
        let v = v.filter(|s| !s.is_empty());
        match self {
            LocalField::FirstName => c.first_name = v,
            LocalField::LastName => c.last_name = v,
            LocalField::Name => c.name = v,
            LocalField::Phone => c.e164 = v.map(E164::try_from).transpose()?,
            LocalField::Email => c.email = v,
            LocalField::City => c.city = v,
            LocalField::Country => set_attr(c, "country", v),
            LocalField::Tags => {
                c.tags = v
                    .map(|s| {
                        s.split(';')
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default()
            }
            LocalField::WaId => c.wa_id = v.map(WaId::try_from).transpose()?,
            LocalField::Bsuid => c.bsuid = v.map(Bsuid::try_from).transpose()?,
            LocalField::ExternalId => c.external_id = v,
            LocalField::Attr(n) => set_attr(c, n, v),
        }
        Ok(())
    }
}

fn set_attr(c: &mut Contact, name: &str, v: Option<String>) {
    match v {
        Some(s) => {
            c.attributes.insert(name.to_string(), Value::String(s));
        }
        None => {
            c.attributes.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_round_trips() {
        let all = [
            "first_name",
            "last_name",
            "name",
            "phone",
            "email",
            "city",
            "country",
            "tags",
            "wa_id",
            "bsuid",
            "external_id",
            "attr:rank",
        ];
        for name in all {
            let f: LocalField = name.parse().unwrap();
            assert_eq!(f.to_string(), name);
            let mut c = Contact::default();
            assert_eq!(f.get(&c), None);
            // Identifiers must validate; other fields take any text.
            let (given, read) = match name {
                "phone" => ("+819012345678", "+819012345678"),
                "wa_id" => ("819012345678", "819012345678"),
                "bsuid" => ("JP.1", "JP.1"),
                "tags" => ("b;a", "a;b"),
                _ => ("b;a", "b;a"),
            };
            f.set(&mut c, Some(given.into())).unwrap();
            assert_eq!(f.get(&c).as_deref(), Some(read), "{name}");
            f.set(&mut c, Some(String::new())).unwrap();
            assert_eq!(f.get(&c), None, "{name}: empty clears");
        }
        // An identifier that does not validate is refused and changes nothing.
        for name in ["phone", "wa_id", "bsuid"] {
            let f: LocalField = name.parse().unwrap();
            let mut c = Contact::default();
            let e = f.set(&mut c, Some("b;a".into())).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Validation, "{name}");
            assert_eq!(c, Contact::default());
        }
        assert!("attr:".parse::<LocalField>().is_err());
        assert!(
            "shoe"
                .parse::<LocalField>()
                .unwrap_err()
                .contains("unknown contact field")
        );
    }
}
