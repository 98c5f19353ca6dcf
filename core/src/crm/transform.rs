//! Value transforms of a field mapping: `e164`, `trim`, `lowercase`,
//! `date:FORMAT` and `map:NAME`. Each runs toward the CRM as written and
//! back from the CRM in its inverse sense (a value map is looked up in
//! reverse; a date is parsed from FORMAT into ISO `YYYY-MM-DD`), so a value
//! that went out and came back is the value that went out.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer};

/// One transform step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transform {
    /// Normalize a phone number to E.164 (numbers without a country code need
    /// one; no default region is assumed).
    E164,
    /// Strip surrounding whitespace.
    Trim,
    /// Lower-case.
    Lowercase,
    /// Format a date with a chrono format string (e.g. `%d/%m/%Y`).
    Date(String),
    /// Replace a value through a `[maps.NAME]` table.
    Map(String),
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transform::E164 => f.write_str("e164"),
            Transform::Trim => f.write_str("trim"),
            Transform::Lowercase => f.write_str("lowercase"),
            Transform::Date(x) => write!(f, "date:{x}"),
            Transform::Map(x) => write!(f, "map:{x}"),
        }
    }
}

impl FromStr for Transform {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "e164" => return Ok(Transform::E164),
            "trim" => return Ok(Transform::Trim),
            "lowercase" => return Ok(Transform::Lowercase),
            _ => {}
        }
        if let Some(f) = s.strip_prefix("date:") {
            if f.is_empty() {
                return Err("transform `date:` needs a format, e.g. `date:%Y-%m-%d`".into());
            }
            // A format chrono cannot render is refused now, not at sync time.
            if chrono::format::StrftimeItems::new(f)
                .any(|i| matches!(i, chrono::format::Item::Error))
            {
                return Err(format!("transform `{s}`: invalid date format"));
            }
            return Ok(Transform::Date(f.to_string()));
        }
        if let Some(name) = s.strip_prefix("map:") {
            if name.is_empty() {
                return Err("transform `map:` needs a map name".into());
            }
            return Ok(Transform::Map(name.to_string()));
        }
        Err(format!(
            "unknown transform `{s}` (expected e164, trim, lowercase, date:FORMAT or map:NAME)"
        ))
    }
}

impl<'de> Deserialize<'de> for Transform {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Value maps by name (`[maps.NAME]`).
pub type Maps = BTreeMap<String, BTreeMap<String, String>>;

/// Why a value could not be transformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransformError {
    /// The step that failed.
    pub step: String,
    /// Why.
    pub message: String,
}

impl fmt::Display for TransformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.step, self.message)
    }
}

fn err(t: &Transform, message: impl Into<String>) -> TransformError {
    TransformError {
        step: t.to_string(),
        message: message.into(),
    }
}

/// Parse a date written as ISO date, RFC 3339, `YYYY-MM-DD HH:MM:SS`,
/// epoch milliseconds (HubSpot date properties), or in `format`.
fn parse_date(v: &str, format: Option<&str>) -> Option<NaiveDate> {
    if let Some(f) = format {
        if let Ok(d) = NaiveDate::parse_from_str(v, f) {
            return Some(d);
        }
        if let Ok(d) = NaiveDateTime::parse_from_str(v, f) {
            return Some(d.date());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(v) {
        return Some(d.date_naive());
    }
    if let Ok(d) = NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S") {
        return Some(d.date());
    }
    if v.len() >= 10 && v.bytes().all(|b| b.is_ascii_digit()) {
        let ms: i64 = v.parse().ok()?;
        return DateTime::from_timestamp_millis(ms).map(|d| d.date_naive());
    }
    None
}

impl Transform {
    /// Apply toward the CRM.
    pub fn to_crm(&self, v: &str, maps: &Maps) -> Result<String, TransformError> {
        match self {
            Transform::Trim => Ok(v.trim().to_string()),
            Transform::Lowercase => Ok(v.to_lowercase()),
            Transform::E164 => crate::phone::parse(v, None)
                .map(|p| p.e164.to_string())
                .map_err(|e| err(self, format!("{v:?} is not a phone number: {}", e.reason()))),
            Transform::Date(f) => parse_date(v, None)
                .or_else(|| parse_date(v, Some(f)))
                .map(|d| d.format(f).to_string())
                .ok_or_else(|| err(self, format!("{v:?} is not a date"))),
            Transform::Map(name) => {
                let m = maps
                    .get(name)
                    .ok_or_else(|| err(self, format!("no map named {name:?}")))?;
                m.get(v)
                    .cloned()
                    .ok_or_else(|| err(self, format!("{v:?} is not in map {name:?}")))
            }
        }
    }

    /// Apply in the inverse sense, for a value coming from the CRM.
    pub fn from_crm(&self, v: &str, maps: &Maps) -> Result<String, TransformError> {
        match self {
            Transform::Trim | Transform::Lowercase | Transform::E164 => self.to_crm(v, maps),
            Transform::Date(f) => parse_date(v, Some(f))
                .map(|d| d.format("%Y-%m-%d").to_string())
                .ok_or_else(|| err(self, format!("{v:?} is not a date in {f:?}"))),
            Transform::Map(name) => {
                let m = maps
                    .get(name)
                    .ok_or_else(|| err(self, format!("no map named {name:?}")))?;
                m.iter()
                    .find(|(_, to)| to.as_str() == v)
                    .map(|(from, _)| from.clone())
                    .ok_or_else(|| err(self, format!("{v:?} is no value of map {name:?}")))
            }
        }
    }
}

/// Run a pipeline toward the CRM.
pub fn apply_to_crm(steps: &[Transform], v: &str, maps: &Maps) -> Result<String, TransformError> {
    steps
        .iter()
        .try_fold(v.to_string(), |acc, t| t.to_crm(&acc, maps))
}

/// Run a pipeline from the CRM (steps in reverse order, each inverted).
pub fn apply_from_crm(steps: &[Transform], v: &str, maps: &Maps) -> Result<String, TransformError> {
    steps
        .iter()
        .rev()
        .try_fold(v.to_string(), |acc, t| t.from_crm(&acc, maps))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maps() -> Maps {
        let mut m = Maps::new();
        m.insert(
            "sku".into(),
            [("Widget".to_string(), "SKU-001".to_string())]
                .into_iter()
                .collect(),
        );
        m
    }

    #[test]
    fn parses_every_step_and_refuses_unknown() {
        assert_eq!("e164".parse(), Ok(Transform::E164));
        assert_eq!("trim".parse(), Ok(Transform::Trim));
        assert_eq!("lowercase".parse(), Ok(Transform::Lowercase));
        assert_eq!(
            "date:%d/%m/%Y".parse(),
            Ok(Transform::Date("%d/%m/%Y".into()))
        );
        assert_eq!("map:sku".parse(), Ok(Transform::Map("sku".into())));
        assert!(
            "upper"
                .parse::<Transform>()
                .unwrap_err()
                .contains("unknown transform")
        );
        assert!("date:".parse::<Transform>().is_err());
        assert!("date:%Q".parse::<Transform>().is_err());
        assert!("map:".parse::<Transform>().is_err());
    }

    #[test]
    fn e164_normalizes_and_refuses_garbage() {
        let m = maps();
        assert_eq!(
            Transform::E164.to_crm("+31 6 1234 5678", &m).unwrap(),
            "+31612345678"
        );
        assert_eq!(
            Transform::E164.from_crm("+31 (6) 12345678", &m).unwrap(),
            "+31612345678"
        );
        let e = Transform::E164.to_crm("call me", &m).unwrap_err();
        assert_eq!(e.step, "e164");
    }

    #[test]
    fn trim_and_lowercase() {
        let m = maps();
        assert_eq!(Transform::Trim.to_crm("  Ann ", &m).unwrap(), "Ann");
        assert_eq!(
            Transform::Lowercase.to_crm("A@B.Com", &m).unwrap(),
            "a@b.com"
        );
        assert_eq!(
            Transform::Lowercase.from_crm("X@Y.NL", &m).unwrap(),
            "x@y.nl"
        );
    }

    #[test]
    fn date_formats_both_ways() {
        let m = maps();
        let t = Transform::Date("%d/%m/%Y".into());
        assert_eq!(t.to_crm("2026-03-01", &m).unwrap(), "01/03/2026");
        assert_eq!(t.to_crm("2026-03-01T10:00:00Z", &m).unwrap(), "01/03/2026");
        assert_eq!(t.to_crm("1772359200000", &m).unwrap(), "01/03/2026");
        assert_eq!(t.from_crm("01/03/2026", &m).unwrap(), "2026-03-01");
        assert!(t.to_crm("soon", &m).is_err());
        assert!(t.from_crm("2026/99/99", &m).is_err());
    }

    #[test]
    fn map_looks_up_forward_and_backward() {
        let m = maps();
        let t = Transform::Map("sku".into());
        assert_eq!(t.to_crm("Widget", &m).unwrap(), "SKU-001");
        assert_eq!(t.from_crm("SKU-001", &m).unwrap(), "Widget");
        assert!(t.to_crm("Gadget", &m).is_err());
        assert!(t.from_crm("SKU-999", &m).is_err());
        assert!(Transform::Map("none".into()).to_crm("x", &m).is_err());
    }

    #[test]
    fn pipelines_run_in_order_and_invert_in_reverse() {
        let m = maps();
        let steps = vec![Transform::Trim, Transform::Map("sku".into())];
        assert_eq!(apply_to_crm(&steps, " Widget ", &m).unwrap(), "SKU-001");
        assert_eq!(apply_from_crm(&steps, "SKU-001", &m).unwrap(), "Widget");
    }
}
