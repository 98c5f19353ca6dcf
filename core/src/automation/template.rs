//! Reply templates: `{{first_name}}`, `{{name}}`, `{{attr:NAME}}`,
//! `{{last_order|relative}}`, `{{nearest_store}}`, `{{next_open}}`, each with
//! an optional `|default:"…"`. Templates are parsed when rules load, so an
//! unknown variable is refused then; at send time a missing value takes its
//! default or the render fails with the reason — never a `{{…}}` or a gap.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::hours::BusinessHours;
use super::i18n::{self, Lang};
use super::rules::StoreLocation;
use crate::store::Contact;

/// A variable a template may use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Var {
    /// The contact's first name (or the first word of the profile name).
    FirstName,
    /// The contact's full or profile name.
    Name,
    /// A custom attribute.
    Attr(String),
    /// The `last_order` attribute (a date).
    LastOrder,
    /// The closest configured store.
    NearestStore,
    /// The next opening time.
    NextOpen,
}

/// One `{{…}}` placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    /// The variable.
    pub var: Var,
    /// Render a date as "3 days ago".
    pub relative: bool,
    /// Used when the variable has no value.
    pub default: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Lit(String),
    Var(Placeholder),
}

/// A parsed reply template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

/// What a template is rendered against.
#[derive(Clone, Copy, Debug)]
pub struct RenderContext<'a> {
    /// The contact (names, attributes).
    pub contact: Option<&'a Contact>,
    /// Now.
    pub now: DateTime<Utc>,
    /// The contact's language.
    pub lang: Lang,
    /// Business hours, for `{{next_open}}`.
    pub hours: Option<&'a BusinessHours>,
    /// Configured stores, for `{{nearest_store}}`.
    pub stores: &'a [StoreLocation],
    /// The contact's location (shared in the chat or from attributes).
    pub location: Option<(f64, f64)>,
}

impl Template {
    /// Parse; an unknown variable or filter is an error with the reason.
    pub fn parse(src: &str) -> crate::Result<Template> {
        parse(src).map_err(crate::Error::Config)
    }

    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The placeholders used.
    pub fn placeholders(&self) -> impl Iterator<Item = &Placeholder> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v),
            Part::Lit(_) => None,
        })
    }

    /// Render; `Err(reason)` names the variable that had neither a value nor a default.
    pub fn render(&self, cx: &RenderContext<'_>) -> Result<String, String> {
        let mut out = String::with_capacity(self.source.len() + 16);
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Var(ph) => match value(ph, cx).filter(|v| !v.trim().is_empty()) {
                    Some(v) => out.push_str(&v),
                    None => match &ph.default {
                        Some(d) => out.push_str(d),
                        None => return Err(format!("no value for {{{{{}}}}}", var_name(&ph.var))),
                    },
                },
            }
        }
        Ok(out)
    }
}

fn var_name(v: &Var) -> String {
    match v {
        Var::FirstName => "first_name".into(),
        Var::Name => "name".into(),
        Var::Attr(a) => format!("attr:{a}"),
        Var::LastOrder => "last_order".into(),
        Var::NearestStore => "nearest_store".into(),
        Var::NextOpen => "next_open".into(),
    }
}

fn parse(src: &str) -> Result<Template, String> {
    let mut parts = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("{{") {
        if i > 0 {
            parts.push(Part::Lit(rest[..i].to_string()));
        }
        let after = &rest[i + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed {{{{ in template {src:?}"))?;
        parts.push(Part::Var(parse_placeholder(&after[..end])?));
        rest = &after[end + 2..];
    }
    if rest.contains("}}") {
        return Err(format!("stray }}}} in template {src:?}"));
    }
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_string()));
    }
    Ok(Template {
        source: src.to_string(),
        parts,
    })
}

/// Split on `|` outside double quotes.
fn split_filters(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '|' if !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn parse_placeholder(inner: &str) -> Result<Placeholder, String> {
    let mut pieces = split_filters(inner).into_iter();
    let name = pieces.next().unwrap_or("").trim();
    let var = match name {
        "first_name" => Var::FirstName,
        "name" => Var::Name,
        "last_order" => Var::LastOrder,
        "nearest_store" => Var::NearestStore,
        "next_open" => Var::NextOpen,
        n if n.starts_with("attr:") && n.len() > 5 => Var::Attr(n[5..].to_string()),
        n => return Err(format!("unknown template variable {{{{{n}}}}}")),
    };
    let mut ph = Placeholder {
        var,
        relative: false,
        default: None,
    };
    for f in pieces {
        let f = f.trim();
        if f == "relative" {
            ph.relative = true;
        } else if let Some(d) = f.strip_prefix("default:") {
            let d = d.trim();
            let lit = d
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .ok_or_else(|| format!("default needs a quoted value: {f:?}"))?;
            ph.default = Some(lit.to_string());
        } else {
            return Err(format!("unknown template filter {f:?} on {name}"));
        }
    }
    Ok(ph)
}

fn attr<'a>(c: Option<&'a Contact>, k: &str) -> Option<&'a Value> {
    c?.attributes.get(k).filter(|v| !v.is_null())
}

fn value(ph: &Placeholder, cx: &RenderContext<'_>) -> Option<String> {
    let c = cx.contact;
    let raw = match &ph.var {
        Var::FirstName => c.and_then(|c| {
            c.first_name.clone().or_else(|| {
                c.name
                    .as_deref()
                    .and_then(|n| n.split_whitespace().next())
                    .map(str::to_string)
            })
        }),
        Var::Name => c.and_then(|c| {
            c.name
                .clone()
                .or_else(|| match (&c.first_name, &c.last_name) {
                    (Some(f), Some(l)) => Some(format!("{f} {l}")),
                    (Some(f), None) => Some(f.clone()),
                    _ => None,
                })
        }),
        Var::Attr(k) => attr(c, k).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        Var::LastOrder => attr(c, "last_order").map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        Var::NearestStore => nearest(cx.stores, cx.location).map(|s| s.name.clone()),
        Var::NextOpen => cx.hours.and_then(|h| h.render_next_open(cx.now, cx.lang)),
    }?;
    if ph.relative || ph.var == Var::LastOrder {
        let at = parse_when(&raw)?;
        if ph.relative {
            return Some(i18n::relative((cx.now - at).num_seconds(), cx.lang));
        }
        return Some(at.format("%Y-%m-%d").to_string());
    }
    Some(raw)
}

/// RFC 3339, a plain date, or epoch seconds/milliseconds.
fn parse_when(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim().trim_matches('"');
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc());
    }
    let n: i64 = s.parse().ok()?;
    // Values past the year 2286 in seconds are milliseconds.
    let ms = if n.abs() > 9_999_999_999 { n } else { n * 1000 };
    DateTime::from_timestamp_millis(ms)
}

/// Great-circle (haversine) distance in kilometres.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
}

/// The closest store to `at`.
pub fn nearest(stores: &[StoreLocation], at: Option<(f64, f64)>) -> Option<&StoreLocation> {
    let at = at?;
    stores
        .iter()
        .min_by(|a, b| distance_km(at, (a.lat, a.lon)).total_cmp(&distance_km(at, (b.lat, b.lon))))
}

/// A contact's location from attributes: `latitude`/`longitude` (numbers or
/// strings) or `location: {"lat", "lon"}`.
pub fn location_of(c: &Contact) -> Option<(f64, f64)> {
    let num = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    if let (Some(a), Some(b)) = (c.attributes.get("latitude"), c.attributes.get("longitude")) {
        return Some((num(a)?, num(b)?));
    }
    let l = c.attributes.get("location")?;
    Some((
        num(l.get("lat").or_else(|| l.get("latitude"))?)?,
        num(l.get("lon").or_else(|| l.get("longitude"))?)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;
    use serde_json::json;

    fn contact() -> Contact {
        let mut c = Contact {
            name: Some("Ana Souza".into()),
            ..Default::default()
        };
        c.attributes
            .insert("last_order".into(), json!("2026-03-01T10:00:00Z"));
        c.attributes.insert("plan".into(), json!("gold"));
        c.attributes.insert("points".into(), json!(120));
        c
    }

    fn stores() -> Vec<StoreLocation> {
        vec![
            StoreLocation {
                name: "Paulista".into(),
                lat: -23.5614,
                lon: -46.6559,
            },
            StoreLocation {
                name: "Copacabana".into(),
                lat: -22.9711,
                lon: -43.1822,
            },
        ]
    }

    fn cx<'a>(
        c: Option<&'a Contact>,
        s: &'a [StoreLocation],
        h: Option<&'a BusinessHours>,
        lang: Lang,
    ) -> RenderContext<'a> {
        RenderContext {
            contact: c,
            now: DateTime::parse_from_rfc3339("2026-03-04T22:00:00-03:00")
                .unwrap()
                .with_timezone(&Utc),
            lang,
            hours: h,
            stores: s,
            location: None,
        }
    }

    #[test]
    fn every_variable_renders() {
        let c = contact();
        let s = stores();
        let h = BusinessHours::new(chrono_tz::America::Sao_Paulo)
            .day(Weekday::Thu, "09:00-17:00")
            .unwrap();
        let mut x = cx(Some(&c), &s, Some(&h), Lang::En);
        x.location = Some((-22.95, -43.2)); // Rio
        let t = Template::parse(
            "{{first_name}}|{{name}}|{{attr:plan}}|{{attr:points}}|{{last_order|relative}}|{{last_order}}|{{nearest_store}}|{{next_open}}",
        )
        .unwrap();
        assert_eq!(
            t.render(&x).unwrap(),
            "Ana|Ana Souza|gold|120|3 days ago|2026-03-01|Copacabana|9:00 tomorrow"
        );
        x.lang = Lang::Pt;
        let t = Template::parse("{{last_order|relative}}, {{next_open}}").unwrap();
        assert_eq!(t.render(&x).unwrap(), "há 3 dias, amanhã às 9:00");
        for (l, want) in [
            (Lang::Es, "hace 3 días"),
            (Lang::Ja, "3日前"),
            (Lang::Zh, "3天前"),
        ] {
            x.lang = l;
            assert_eq!(
                Template::parse("{{last_order|relative}}")
                    .unwrap()
                    .render(&x)
                    .unwrap(),
                want
            );
        }
    }

    #[test]
    fn defaults_fill_every_missing_variable() {
        let s = stores();
        let x = cx(None, &s, None, Lang::En);
        let t = Template::parse(
            r#"Hi {{first_name|default:"there"}} {{name|default:"friend"}} {{attr:plan|default:"basic"}} {{last_order|relative|default:"never"}} {{nearest_store|default:"our site"}} {{next_open|default:"soon"}}"#,
        )
        .unwrap();
        assert_eq!(
            t.render(&x).unwrap(),
            "Hi there friend basic never our site soon"
        );
    }

    #[test]
    fn missing_without_default_is_a_reason_not_a_gap() {
        let s = stores();
        let x = cx(None, &s, None, Lang::En);
        for (src, var) in [
            ("Hi {{first_name}}!", "{{first_name}}"),
            ("{{name}}", "{{name}}"),
            ("{{attr:plan}}", "{{attr:plan}}"),
            ("{{last_order|relative}}", "{{last_order}}"),
            ("{{nearest_store}}", "{{nearest_store}}"),
            ("{{next_open}}", "{{next_open}}"),
        ] {
            let err = Template::parse(src).unwrap().render(&x).unwrap_err();
            assert!(err.contains(var), "{src}: {err}");
        }
        // An empty attribute counts as missing.
        let mut c = contact();
        c.attributes.insert("plan".into(), json!("  "));
        let x = cx(Some(&c), &s, None, Lang::En);
        assert!(
            Template::parse("{{attr:plan}}")
                .unwrap()
                .render(&x)
                .is_err()
        );
    }

    #[test]
    fn unknown_variables_and_filters_are_refused() {
        assert!(Template::parse("{{surname}}").is_err());
        assert!(Template::parse("{{name|upper}}").is_err());
        assert!(Template::parse("{{name|default:there}}").is_err());
        assert!(Template::parse("{{name").is_err());
        assert!(Template::parse("name}}").is_err());
        let t = Template::parse(r#"{{name|default:"a|b"}}"#).unwrap();
        assert_eq!(
            t.placeholders().next().unwrap().default.as_deref(),
            Some("a|b")
        );
    }

    #[test]
    fn nearest_store_from_attributes() {
        let mut c = contact();
        c.attributes.insert("latitude".into(), json!("-23.55"));
        c.attributes.insert("longitude".into(), json!(-46.63));
        let loc = location_of(&c).unwrap();
        assert_eq!(nearest(&stores(), Some(loc)).unwrap().name, "Paulista");
        let mut c2 = contact();
        c2.attributes
            .insert("location".into(), json!({"lat": -22.9, "lon": -43.2}));
        assert_eq!(
            nearest(&stores(), location_of(&c2)).unwrap().name,
            "Copacabana"
        );
        // São Paulo–Rio is about 360 km.
        let d = distance_km((-23.5614, -46.6559), (-22.9711, -43.1822));
        assert!((340.0..380.0).contains(&d), "{d}");
    }
}
