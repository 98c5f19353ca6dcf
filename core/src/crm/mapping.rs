//! The declarative field mapping: a TOML file (`[identity]`, one `[[fields]]`
//! table per field, `[maps.NAME]` value maps) or the same thing built in code.
//! A file with an unknown key, field, transform, direction or map is refused
//! with its line and the reason.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::fields::LocalField;
use super::transform::{Maps, Transform};
use crate::{Error, Result};

/// Which way a field flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Local → CRM only.
    ToCrm,
    /// CRM → local only.
    FromCrm,
    /// Both ways; conflicts are settled by [`Owner`].
    Both,
}

impl Direction {
    /// Whether local values are pushed.
    pub fn pushes(self) -> bool {
        matches!(self, Direction::ToCrm | Direction::Both)
    }
    /// Whether CRM values are pulled.
    pub fn pulls(self) -> bool {
        matches!(self, Direction::FromCrm | Direction::Both)
    }
}

/// Who wins when a `both` field changed on both sides since the last sync.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// wacrm's value wins.
    Local,
    /// The CRM's value wins.
    Crm,
    /// Last write wins by millisecond timestamps (a tie or a missing
    /// timestamp falls back to the CRM, the system of record).
    #[default]
    Latest,
}

/// What an empty source value means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NullPolicy {
    /// "Unknown": leave the other side as it is.
    #[default]
    Unset,
    /// "Deliberately empty": clear the other side (HubSpot clears on `""`).
    Clear,
}

/// One mapped field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMap {
    /// The contact field.
    pub local: LocalField,
    /// The CRM property.
    pub crm: String,
    /// Which way it flows.
    pub direction: Direction,
    /// Who wins a conflict.
    pub owner: Owner,
    /// Transforms, applied toward the CRM in order (and inverted back).
    pub transform: Vec<Transform>,
    /// Value used when the source is empty (e.g. rank "new customer").
    pub default: Option<String>,
    /// A record without a value here is refused (and parked) rather than sent.
    pub required: bool,
    /// "Unset" versus "clear" for empty values.
    pub null: NullPolicy,
}

impl FieldMap {
    /// A `both`, LWW, no-transform field.
    pub fn new(local: LocalField, crm: impl Into<String>) -> Self {
        FieldMap {
            local,
            crm: crm.into(),
            direction: Direction::Both,
            owner: Owner::Latest,
            transform: Vec::new(),
            default: None,
            required: false,
            null: NullPolicy::Unset,
        }
    }
    /// Set the direction.
    pub fn direction(mut self, d: Direction) -> Self {
        self.direction = d;
        self
    }
    /// Set the owner.
    pub fn owner(mut self, o: Owner) -> Self {
        self.owner = o;
        self
    }
    /// Add a transform step.
    pub fn transform(mut self, t: Transform) -> Self {
        self.transform.push(t);
        self
    }
    /// Set the default.
    pub fn default_value(mut self, v: impl Into<String>) -> Self {
        self.default = Some(v.into());
        self
    }
    /// Mark required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// Set the null policy.
    pub fn null(mut self, n: NullPolicy) -> Self {
        self.null = n;
        self
    }
}

/// How local contacts and CRM records are matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Unique CRM property holding the wacrm contact id.
    pub crm_id_property: String,
    /// Fallback match keys, in order: `email`, `phone` (local field names).
    pub fallback: Vec<LocalField>,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            crm_id_property: "wacrm_id".into(),
            fallback: vec![LocalField::Email, LocalField::Phone],
        }
    }
}

/// A whole mapping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    /// Matching rules.
    pub identity: Identity,
    /// Mapped fields.
    pub fields: Vec<FieldMap>,
    /// Value maps for `map:NAME`.
    pub maps: Maps,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    #[serde(default)]
    identity: Option<RawIdentity>,
    #[serde(default)]
    fields: Vec<toml::Spanned<RawField>>,
    #[serde(default)]
    maps: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    crm_id_property: String,
    #[serde(default)]
    fallback: Option<Vec<LocalField>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    local: LocalField,
    crm: String,
    direction: Direction,
    #[serde(default)]
    owner: Owner,
    #[serde(default)]
    transform: Vec<Transform>,
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    null: NullPolicy,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

fn refuse(line: usize, reason: impl std::fmt::Display) -> Error {
    Error::Config(format!("mapping line {line}: {reason}"))
}

impl Mapping {
    /// Parse a mapping file's text.
    pub fn from_toml(text: &str) -> Result<Mapping> {
        let raw: RawMapping = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            refuse(line, e.message())
        })?;
        let mut fields = Vec::with_capacity(raw.fields.len());
        let mut seen = BTreeMap::new();
        for f in raw.fields {
            let line = line_of(text, f.span().start);
            let f = f.into_inner();
            for t in &f.transform {
                if let Transform::Map(name) = t
                    && !raw.maps.contains_key(name)
                {
                    return Err(refuse(
                        line,
                        format!("transform `map:{name}` names no [maps.{name}] table"),
                    ));
                }
            }
            if f.crm.trim().is_empty() {
                return Err(refuse(line, "`crm` is empty"));
            }
            if let Some(prev) = seen.insert(f.crm.clone(), line) {
                return Err(refuse(
                    line,
                    format!("CRM property {:?} is already mapped on line {prev}", f.crm),
                ));
            }
            fields.push(FieldMap {
                local: f.local,
                crm: f.crm,
                direction: f.direction,
                owner: f.owner,
                transform: f.transform,
                default: f.default,
                required: f.required,
                null: f.null,
            });
        }
        let identity = match raw.identity {
            Some(i) => Identity {
                crm_id_property: i.crm_id_property,
                fallback: i.fallback.unwrap_or_else(|| Identity::default().fallback),
            },
            None => Identity::default(),
        };
        if let Some(l) = seen.get(&identity.crm_id_property) {
            return Err(refuse(
                *l,
                format!(
                    "{:?} is the identity property and cannot be mapped as a field",
                    identity.crm_id_property
                ),
            ));
        }
        Ok(Mapping {
            identity,
            fields,
            maps: raw.maps,
        })
    }

    /// Read and parse a mapping file.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Mapping> {
        let p = path.as_ref();
        let text = std::fs::read_to_string(p)
            .map_err(|e| Error::Config(format!("mapping {}: {e}", p.display())))?;
        Self::from_toml(&text).map_err(|e| {
            Error::Config(format!(
                "{}: {}",
                p.display(),
                e.to_string().trim_start_matches("config: ")
            ))
        })
    }

    /// The field mapped to a CRM property.
    pub fn field_for_crm(&self, prop: &str) -> Option<&FieldMap> {
        self.fields.iter().find(|f| f.crm == prop)
    }

    /// The CRM property a local field maps to (first match).
    pub fn crm_property_of(&self, local: &LocalField) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| &f.local == local)
            .map(|f| f.crm.as_str())
    }

    /// Every CRM property the engine reads (mapped fields and identity).
    pub fn crm_properties(&self) -> Vec<String> {
        let mut v: Vec<String> = self.fields.iter().map(|f| f.crm.clone()).collect();
        v.push(self.identity.crm_id_property.clone());
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[identity]
crm_id_property = "wacrm_id"

[[fields]]
local = "email"
crm = "email"
direction = "both"
owner = "latest"
transform = ["trim", "lowercase"]

[[fields]]
local = "attr:rank"
crm = "customer_rank"
direction = "to_crm"
default = "new customer"
null = "clear"

[[fields]]
local = "attr:product"
crm = "sku"
direction = "both"
owner = "crm"
transform = ["map:sku"]

[maps.sku]
Widget = "SKU-001"
"#;

    #[test]
    fn parses_a_full_file() {
        let m = Mapping::from_toml(GOOD).unwrap();
        assert_eq!(m.identity.crm_id_property, "wacrm_id");
        assert_eq!(
            m.identity.fallback,
            vec![LocalField::Email, LocalField::Phone]
        );
        assert_eq!(m.fields.len(), 3);
        assert_eq!(
            m.fields[0].transform,
            vec![Transform::Trim, Transform::Lowercase]
        );
        assert_eq!(m.fields[1].local, LocalField::Attr("rank".into()));
        assert_eq!(m.fields[1].default.as_deref(), Some("new customer"));
        assert_eq!(m.fields[1].null, NullPolicy::Clear);
        assert_eq!(m.fields[2].owner, Owner::Crm);
        assert_eq!(m.maps["sku"]["Widget"], "SKU-001");
    }

    fn refused(text: &str) -> String {
        Mapping::from_toml(text).unwrap_err().to_string()
    }

    #[test]
    fn refuses_unknown_field_transform_direction_with_line() {
        let e = refused("[[fields]]\nlocal = \"shoe_size\"\ncrm = \"x\"\ndirection = \"both\"\n");
        assert!(e.contains("line 2") && e.contains("shoe_size"), "{e}");
        let e = refused(
            "[[fields]]\nlocal = \"email\"\ncrm = \"email\"\ndirection = \"both\"\ntransform = [\"upper\"]\n",
        );
        assert!(
            e.contains("line 5") && e.contains("unknown transform"),
            "{e}"
        );
        let e =
            refused("[[fields]]\nlocal = \"email\"\ncrm = \"email\"\ndirection = \"sideways\"\n");
        assert!(e.contains("line 4") && e.contains("sideways"), "{e}");
        let e = refused(
            "[[fields]]\nlocal = \"email\"\ncrm = \"email\"\ndirection = \"both\"\ncolour = 1\n",
        );
        assert!(e.contains("line 1") || e.contains("line 5"), "{e}");
        assert!(e.contains("colour"), "{e}");
        let e = refused(
            "\n\n[[fields]]\nlocal = \"email\"\ncrm = \"e\"\ndirection = \"both\"\ntransform = [\"map:nope\"]\n",
        );
        assert!(e.contains("line 3") && e.contains("map:nope"), "{e}");
        let e = refused(
            "[[fields]]\nlocal = \"email\"\ncrm = \"e\"\ndirection = \"both\"\n[[fields]]\nlocal = \"city\"\ncrm = \"e\"\ndirection = \"both\"\n",
        );
        assert!(
            e.contains("line 5") && e.contains("already mapped on line 1"),
            "{e}"
        );
        let e =
            refused("[[fields]]\nlocal = \"email\"\ncrm = \"wacrm_id\"\ndirection = \"both\"\n");
        assert!(e.contains("identity property"), "{e}");
        let e = refused("[identity]\ncrm_id_property = \"x\"\nfallback = [\"shoe\"]\n");
        assert!(e.contains("line 3"), "{e}");
    }

    #[test]
    fn builds_in_code() {
        let m = Mapping {
            fields: vec![
                FieldMap::new(LocalField::Phone, "phone")
                    .transform(Transform::E164)
                    .direction(Direction::ToCrm)
                    .required(),
            ],
            ..Default::default()
        };
        assert_eq!(m.crm_property_of(&LocalField::Phone), Some("phone"));
        assert_eq!(
            m.crm_properties(),
            vec!["phone".to_string(), "wacrm_id".to_string()]
        );
    }
}
