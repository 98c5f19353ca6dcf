//! Reading a stored contact whose identifiers no longer validate.
//!
//! `Contact.e164`, `wa_id` and `bsuid` are validated newtypes, but rows written
//! before they were (or by a CRM sync or binding that stored whatever it was
//! given) can hold text that fails the check. Failing the read would make the
//! contact, and every list or segment it is in, unreadable; dropping the value
//! would lose data. So a stored document decodes strictly first and, only when
//! that fails, moves each invalid identifier into the attribute
//! `invalid_<field>` (the text unchanged) and logs a warning naming the contact
//! and field (never the value). The next write stores the contact that way,
//! which also clears the identifier's key column.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::Contact;
use crate::ids::{Bsuid, E164, WaId};

/// Prefix of the attribute an invalid stored identifier is moved to.
pub const INVALID_ATTRIBUTE_PREFIX: &str = "invalid_";

/// Whether a stored identifier field holds a valid value.
fn valid(field: &str, s: &str) -> bool {
    match field {
        "e164" => E164::try_from(s).is_ok(),
        "wa_id" => WaId::try_from(s).is_ok(),
        _ => Bsuid::try_from(s).is_ok(),
    }
}

/// The identifier fields.
const FIELDS: [&str; 3] = ["e164", "wa_id", "bsuid"];

impl Contact {
    /// Decode a stored contact document, keeping invalid identifiers as
    /// `invalid_<field>` attributes instead of failing (see the module docs).
    pub fn from_stored_value(doc: Value) -> serde_json::Result<Contact> {
        let Value::Object(mut map) = doc else {
            return serde_json::from_value(doc);
        };
        let moved = take_invalid(&mut map);
        let mut c: Contact = serde_json::from_value(Value::Object(map))?;
        for (field, value) in moved {
            tracing::warn!(
                contact = %c.id,
                field,
                "stored contact identifier fails validation; kept as attribute {INVALID_ATTRIBUTE_PREFIX}{field}"
            );
            c.attributes
                .insert(format!("{INVALID_ATTRIBUTE_PREFIX}{field}"), value);
        }
        Ok(c)
    }
}

/// Remove every identifier that is present, not null and invalid.
fn take_invalid(map: &mut Map<String, Value>) -> Vec<(&'static str, Value)> {
    let mut moved = Vec::new();
    for field in FIELDS {
        let bad = match map.get(field) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !valid(field, s),
            Some(_) => true,
        };
        if bad && let Some(v) = map.remove(field) {
            moved.push((field, v));
        }
    }
    moved
}

/// A contact decoded from a store's document with [`Contact::from_stored_value`].
#[derive(Clone, Debug, PartialEq)]
pub struct StoredContact(pub Contact);

impl<'de> Deserialize<'de> for StoredContact {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Contact::from_stored_value(v)
            .map(StoredContact)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn valid_document_decodes_unchanged() {
        let doc = json!({"id": "c1", "e164": "+16505551234", "wa_id": "16505551234",
                         "bsuid": "US.1349", "tags": [], "attributes": {}});
        let c = Contact::from_stored_value(doc).unwrap();
        assert_eq!(c.e164.as_deref(), Some("+16505551234"));
        assert_eq!(c.wa_id.as_deref(), Some("16505551234"));
        assert_eq!(c.bsuid.as_deref(), Some("US.1349"));
        assert!(c.attributes.is_empty());
    }

    #[test]
    fn invalid_identifiers_move_to_attributes() {
        let doc = json!({"id": "c1", "e164": "090-1234-5678", "wa_id": "other",
                         "bsuid": "ana", "name": "Ana"});
        // The strict decode refuses it: this is the case the fallback exists for.
        assert!(serde_json::from_value::<Contact>(doc.clone()).is_err());
        let c = Contact::from_stored_value(doc).unwrap();
        assert_eq!((c.e164, c.wa_id, c.bsuid), (None, None, None));
        assert_eq!(c.name.as_deref(), Some("Ana"));
        assert_eq!(c.attributes["invalid_e164"], json!("090-1234-5678"));
        assert_eq!(c.attributes["invalid_wa_id"], json!("other"));
        assert_eq!(c.attributes["invalid_bsuid"], json!("ana"));
    }

    #[test]
    fn other_corruption_still_fails() {
        assert!(Contact::from_stored_value(json!({"id": 5})).is_err());
        assert!(serde_json::from_str::<StoredContact>("[1]").is_err());
    }
}
