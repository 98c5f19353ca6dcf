//! The rules file (TOML). Every value the engine does not know — a match
//! mode, duration, day, time, action or template variable — is refused with
//! its line and the reason; nothing is silently ignored.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::hours::{BusinessHours, parse_day};
use super::i18n::{Lang, weekday};
use super::rules::{Action, MatchMode, Rule, StoreLocation, When, parse_duration};
use super::ruleset::{RuleSet, TimerRule};
use super::template::Template;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    language: Option<Spanned<String>>,
    #[serde(default)]
    business_hours: Option<RawHours>,
    #[serde(default)]
    sensitive_words: Option<RawWords>,
    #[serde(default)]
    handoff: Option<RawHandoff>,
    #[serde(default)]
    limits: Option<RawLimits>,
    #[serde(default)]
    lifecycle: Option<RawLifecycle>,
    #[serde(default)]
    stores: Vec<RawStore>,
    #[serde(default)]
    rules: Vec<Spanned<RawRule>>,
    #[serde(default)]
    timers: Vec<Spanned<RawTimer>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    timezone: Spanned<String>,
    #[serde(default)]
    holidays: Vec<Spanned<String>>,
    #[serde(default)]
    weekly: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWords {
    #[serde(default)]
    words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHandoff {
    #[serde(default)]
    builtin: Option<bool>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    pause: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    #[serde(default)]
    max_firings_per_hour: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLifecycle {
    #[serde(default)]
    high_intent_tag: Option<String>,
    #[serde(default)]
    high_intent_inquiries: Option<u32>,
    #[serde(default)]
    high_intent_window: Option<Spanned<String>>,
    #[serde(default)]
    follow_up_tag: Option<String>,
    #[serde(default)]
    follow_up_min: Option<u32>,
    #[serde(default)]
    follow_up_max: Option<u32>,
    #[serde(default)]
    follow_up_window: Option<Spanned<String>>,
    #[serde(default)]
    dormant_tag: Option<String>,
    #[serde(default)]
    dormant_after: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    name: String,
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    keywords: Vec<String>,
    #[serde(default, rename = "match")]
    mode: Option<Spanned<String>>,
    #[serde(default)]
    priority: Option<i32>,
    #[serde(default)]
    cooldown: Option<Spanned<String>>,
    #[serde(default)]
    once_per_contact: Option<bool>,
    #[serde(default)]
    when: Option<Spanned<String>>,
    #[serde(default)]
    stop: Option<bool>,
    #[serde(default)]
    fold_accents: Option<bool>,
    #[serde(default)]
    min_count: Option<Spanned<u32>>,
    #[serde(default)]
    inquiry: Option<bool>,
    #[serde(default)]
    actions: Vec<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimer {
    id: String,
    after: Spanned<String>,
    #[serde(default)]
    actions: Vec<Spanned<toml::Table>>,
}

/// 1-based line of a byte offset.
fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

struct Ctx<'a> {
    src: &'a str,
}

impl Ctx<'_> {
    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        msg: impl std::fmt::Display,
    ) -> crate::Result<T> {
        Err(crate::Error::Config(format!(
            "rules line {}: {msg}",
            line_of(self.src, span.start)
        )))
    }

    fn duration(&self, s: &Spanned<String>) -> crate::Result<std::time::Duration> {
        match parse_duration(s.get_ref()) {
            Some(d) => Ok(d),
            None => self.err(
                s.span(),
                format!(
                    "unknown duration {:?} (use a number and s, m, h or d: \"45s\", \"30m\", \"12h\", \"7d\")",
                    s.get_ref()
                ),
            ),
        }
    }

    fn actions(&self, raw: &[Spanned<toml::Table>]) -> crate::Result<Vec<Action>> {
        raw.iter().map(|a| self.action(a)).collect()
    }

    fn action(&self, a: &Spanned<toml::Table>) -> crate::Result<Action> {
        let t = a.get_ref();
        let span = a.span();
        let s = |k: &str| -> crate::Result<String> {
            match t.get(k) {
                Some(toml::Value::String(v)) => Ok(v.clone()),
                Some(other) => self.err(
                    span.clone(),
                    format!("`{k}` must be a string, not {}", other.type_str()),
                ),
                None => self.err(span.clone(), format!("`{k}` is missing")),
            }
        };
        let allowed = |extra: &[&str]| -> crate::Result<()> {
            for k in t.keys() {
                if !extra.contains(&k.as_str()) {
                    return self.err(span.clone(), format!("unknown key `{k}` in action"));
                }
            }
            Ok(())
        };
        let kinds: Vec<&str> = t
            .keys()
            .map(String::as_str)
            .filter(|k| !matches!(*k, "language" | "value"))
            .collect();
        let [kind] = kinds.as_slice() else {
            return self.err(
                span,
                format!(
                    "an action needs exactly one of reply, send_template, tag, untag, set, handoff, pause_automation (found {:?})",
                    kinds
                ),
            );
        };
        match *kind {
            "reply" => {
                allowed(&["reply"])?;
                match Template::parse(&s("reply")?) {
                    Ok(tpl) => Ok(Action::Reply(tpl)),
                    Err(crate::Error::Config(m)) => self.err(span, m),
                    Err(e) => Err(e),
                }
            }
            "send_template" => {
                allowed(&["send_template", "language"])?;
                Ok(Action::SendTemplate {
                    name: s("send_template")?,
                    language: s("language")?,
                })
            }
            "tag" => {
                allowed(&["tag"])?;
                Ok(Action::Tag(s("tag")?))
            }
            "untag" => {
                allowed(&["untag"])?;
                Ok(Action::Untag(s("untag")?))
            }
            "set" => {
                allowed(&["set", "value"])?;
                let target = s("set")?;
                let Some(attr) = target.strip_prefix("attr:").filter(|a| !a.is_empty()) else {
                    return self.err(span, format!("`set` takes \"attr:NAME\", not {target:?}"));
                };
                let value = match t.get("value") {
                    Some(toml::Value::String(v)) => v.clone(),
                    Some(toml::Value::Integer(i)) => i.to_string(),
                    Some(toml::Value::Float(f)) => f.to_string(),
                    Some(toml::Value::Boolean(b)) => b.to_string(),
                    Some(other) => {
                        return self.err(
                            span,
                            format!("`value` must be a scalar, not {}", other.type_str()),
                        );
                    }
                    None => return self.err(span, "`set` needs a `value`"),
                };
                Ok(Action::Set {
                    attr: attr.to_string(),
                    value,
                })
            }
            "handoff" => {
                allowed(&["handoff"])?;
                match t.get("handoff") {
                    Some(toml::Value::Boolean(true)) => Ok(Action::Handoff),
                    _ => self.err(span, "`handoff` takes `true`"),
                }
            }
            "pause_automation" => {
                allowed(&["pause_automation"])?;
                let v = s("pause_automation")?;
                match parse_duration(&v) {
                    Some(d) => Ok(Action::PauseAutomation(d)),
                    None => self.err(span, format!("unknown duration {v:?}")),
                }
            }
            other => self.err(span, format!("unknown action `{other}`")),
        }
    }
}

impl RuleSet {
    /// Parse a rules file. Errors carry the line and the reason.
    pub fn from_toml(src: &str) -> crate::Result<RuleSet> {
        let raw: RawFile = match toml::from_str(src) {
            Ok(r) => r,
            Err(e) => {
                let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(1);
                return Err(crate::Error::Config(format!(
                    "rules line {line}: {}",
                    e.message().trim()
                )));
            }
        };
        let cx = Ctx { src };
        let mut set = RuleSet::new();
        if let Some(l) = &raw.language {
            set.language = match Lang::from_tag(l.get_ref()) {
                Some(x) => x,
                None => {
                    return cx.err(
                        l.span(),
                        format!(
                            "unsupported language {:?} (en, es, pt, ja, zh)",
                            l.get_ref()
                        ),
                    );
                }
            };
        }
        if let Some(h) = &raw.business_hours {
            let tz: chrono_tz::Tz = match h.timezone.get_ref().parse() {
                Ok(tz) => tz,
                Err(_) => {
                    return cx.err(
                        h.timezone.span(),
                        format!("unknown time zone {:?}", h.timezone.get_ref()),
                    );
                }
            };
            let mut bh = BusinessHours::new(tz);
            for d in &h.holidays {
                match chrono::NaiveDate::parse_from_str(d.get_ref(), "%Y-%m-%d") {
                    Ok(date) => bh = bh.holiday(date),
                    Err(_) => {
                        return cx.err(
                            d.span(),
                            format!("unknown date {:?} (use YYYY-MM-DD)", d.get_ref()),
                        );
                    }
                }
            }
            for (k, v) in &h.weekly {
                let Some(day) = weekday(k) else {
                    return cx.err(
                        v.span(),
                        format!("unknown day `{k}` (mon, tue, wed, thu, fri, sat, sun)"),
                    );
                };
                match parse_day(v.get_ref()) {
                    Ok(iv) => bh.weekly[day.num_days_from_monday() as usize] = iv,
                    Err(reason) => return cx.err(v.span(), reason),
                }
            }
            set.hours = Some(bh);
        }
        if let Some(w) = raw.sensitive_words {
            set.sensitive_words = w.words;
        }
        if let Some(h) = &raw.handoff {
            set.handoff_builtin = h.builtin.unwrap_or(true);
            set.handoff_phrases = h.phrases.clone();
            if let Some(p) = &h.pause {
                set.limits.handoff_pause = cx.duration(p)?;
            }
        }
        if let Some(l) = &raw.limits
            && let Some(n) = l.max_firings_per_hour
        {
            set.limits.max_firings_per_hour = n;
        }
        if let Some(l) = &raw.lifecycle {
            let c = &mut set.lifecycle;
            if let Some(v) = &l.high_intent_tag {
                c.high_intent_tag = v.clone();
            }
            if let Some(v) = l.high_intent_inquiries {
                c.high_intent_inquiries = v;
            }
            if let Some(v) = &l.high_intent_window {
                c.high_intent_window = cx.duration(v)?;
            }
            if let Some(v) = &l.follow_up_tag {
                c.follow_up_tag = v.clone();
            }
            if let Some(v) = l.follow_up_min {
                c.follow_up_min = v;
            }
            if let Some(v) = l.follow_up_max {
                c.follow_up_max = v;
            }
            if let Some(v) = &l.follow_up_window {
                c.follow_up_window = cx.duration(v)?;
            }
            if let Some(v) = &l.dormant_tag {
                c.dormant_tag = v.clone();
            }
            if let Some(v) = &l.dormant_after {
                c.dormant_after = cx.duration(v)?;
            }
        }
        set.stores = raw
            .stores
            .into_iter()
            .map(|s| StoreLocation {
                name: s.name,
                lat: s.lat,
                lon: s.lon,
            })
            .collect();
        let mut ids = std::collections::HashSet::new();
        for sr in &raw.rules {
            let r = sr.get_ref();
            let id = r.id.get_ref().trim().to_string();
            if id.is_empty() {
                return cx.err(r.id.span(), "empty rule id");
            }
            if !ids.insert(id.clone()) {
                return cx.err(r.id.span(), format!("rule id {id:?} is used twice"));
            }
            if r.keywords.is_empty() || r.keywords.iter().any(|k| k.trim().is_empty()) {
                return cx.err(r.id.span(), format!("rule {id:?} needs non-empty keywords"));
            }
            let mut rule = Rule::new(id.clone(), r.keywords.clone());
            if let Some(m) = &r.mode {
                rule.mode = match MatchMode::parse(m.get_ref()) {
                    Some(m) => m,
                    None => return cx.err(
                        m.span(),
                        format!(
                            "unknown match mode {:?} (contains, word, exact, starts_with, regex)",
                            m.get_ref()
                        ),
                    ),
                };
            }
            rule.priority = r.priority.unwrap_or(0);
            if let Some(c) = &r.cooldown {
                rule.cooldown = Some(cx.duration(c)?);
            }
            rule.once_per_contact = r.once_per_contact.unwrap_or(false);
            if let Some(w) = &r.when {
                rule.when = match When::parse(w.get_ref()) {
                    Some(w) => w,
                    None => {
                        return cx.err(
                            w.span(),
                            format!(
                                "unknown `when` {:?} (always, in_hours, out_of_hours)",
                                w.get_ref()
                            ),
                        );
                    }
                };
                if rule.when != When::Always && set.hours.is_none() {
                    return cx.err(
                        w.span(),
                        format!(
                            "`when = {:?}` needs a [business_hours] section",
                            w.get_ref()
                        ),
                    );
                }
            }
            rule.stop = r.stop.unwrap_or(false);
            rule.fold_accents = r.fold_accents.unwrap_or(false);
            if let Some(n) = &r.min_count {
                if *n.get_ref() == 0 {
                    return cx.err(n.span(), "min_count must be at least 1");
                }
                rule.min_count = *n.get_ref();
            }
            rule.inquiry = r.inquiry.unwrap_or(false);
            rule.actions = cx.actions(&r.actions)?;
            if rule.actions.is_empty() {
                return cx.err(sr.span(), format!("rule {id:?} has no actions"));
            }
            if rule.mode == MatchMode::Regex {
                for k in &rule.keywords {
                    if let Err(e) = regex::Regex::new(k) {
                        return cx.err(r.id.span(), format!("rule {id:?}: bad regex {k:?}: {e}"));
                    }
                }
            }
            set.rules.push(rule);
        }
        for st in &raw.timers {
            let t = st.get_ref();
            let actions = cx.actions(&t.actions)?;
            if actions.is_empty() {
                return cx.err(st.span(), format!("timer {:?} has no actions", t.id));
            }
            set.timers.push(TimerRule {
                id: t.id.clone(),
                after: cx.duration(&t.after)?,
                actions,
            });
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests;
