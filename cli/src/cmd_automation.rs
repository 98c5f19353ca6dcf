//! `wacrm automation test` (C9): run a rules file over messages, one JSON
//! object per input line, with state (cooldowns, counters, timers, pauses)
//! kept across lines exactly as the engine keeps it.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use wacrm::automation::{
    ActionOut, Engine, Evaluation, Flow, MemoryAutomationStore, MessageInput, Origin, RuleSet,
};
use wacrm::store::Contact;

/// Automation subcommands.
#[derive(clap::Subcommand)]
pub enum AutomationCommand {
    /// Evaluate messages (JSON lines) against a rules file.
    Test {
        /// The rules file (TOML).
        #[arg(long)]
        rules: PathBuf,
        /// Time zone for the business hours (overrides the file's) and for
        /// `at` values written without an offset.
        #[arg(long)]
        tz: Option<String>,
        /// Messages, one JSON object per line (stdin when absent):
        /// {"text", "from", "at", "direction": "in"|"out", "name"}.
        file: Option<PathBuf>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default)]
    text: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    direction: Option<String>,
    #[serde(default)]
    name: Option<String>,
    /// `contact` (default), `agent`, `automation` or `bot`.
    #[serde(default)]
    origin: Option<String>,
    /// Language tag of the contact (`es`, `pt_BR`, …).
    #[serde(default)]
    lang: Option<String>,
    /// A shared location: {"lat": …, "lon": …}.
    #[serde(default)]
    location: Option<Location>,
    /// Contact attributes to merge (e.g. `last_order`).
    #[serde(default)]
    attributes: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Location {
    lat: f64,
    lon: f64,
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("wacrm automation test: {msg}");
    println!(
        "{}",
        json!({"error": {"kind": "config", "code": "CONFIG", "message": msg.to_string()}})
    );
    ExitCode::from(1)
}

fn parse_at(s: &str, tz: Option<chrono_tz::Tz>) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .map_err(|_| format!("`at` {s:?} is not an RFC 3339 time"))?;
    let tz = tz.ok_or_else(|| format!("`at` {s:?} has no offset; add one or pass --tz"))?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("`at` {s:?} does not exist in {tz}"))
}

fn output(ev: &Evaluation, timers: Vec<Value>) -> Value {
    let mut v = json!({
        "rules": ev.rules,
        "actions": ev.actions,
        "handoff": ev.handoff,
        "blocked": ev.blocked,
        "tags": ev.tags,
    });
    if !ev.skipped.is_empty() {
        v["skipped"] = json!(ev.skipped);
    }
    if let Some(i) = &ev.ignored {
        v["ignored"] = json!(i);
    }
    if !timers.is_empty() {
        v["timers"] = json!(timers);
    }
    v
}

fn apply(contact: &mut Contact, actions: &[ActionOut], tags: &std::collections::BTreeSet<String>) {
    for a in actions {
        if let ActionOut::Set { attr, value } = a {
            contact.attributes.insert(attr.clone(), json!(value));
        }
    }
    contact.tags = tags.clone();
}

pub async fn run(c: AutomationCommand) -> ExitCode {
    let AutomationCommand::Test { rules, tz, file } = c;
    let tz: Option<chrono_tz::Tz> = match tz.as_deref().map(str::parse) {
        None => None,
        Some(Ok(z)) => Some(z),
        Some(Err(_)) => return fail(format!("unknown time zone {:?}", tz.unwrap_or_default())),
    };
    let src = match std::fs::read_to_string(&rules) {
        Ok(s) => s,
        Err(e) => return fail(format!("cannot read {}: {e}", rules.display())),
    };
    let mut set = match RuleSet::from_toml(&src) {
        Ok(s) => s,
        Err(e) => return fail(format!("{}: {e}", rules.display())),
    };
    if let (Some(z), Some(h)) = (tz, set.hours.as_mut()) {
        h.tz = z;
    }
    let engine = match Engine::new(set, Arc::new(MemoryAutomationStore::new())) {
        Ok(e) => e,
        Err(e) => return fail(format!("{}: {e}", rules.display())),
    };
    let reader: Box<dyn BufRead> = match &file {
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => return fail(format!("cannot read {}: {e}", p.display())),
        },
        None => Box::new(std::io::BufReader::new(std::io::stdin())),
    };
    let mut contacts: HashMap<String, Contact> = HashMap::new();
    let mut stdout = std::io::stdout().lock();
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => return fail(format!("line {n}: {e}")),
        };
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = match serde_json::from_str(&line) {
            Ok(l) => l,
            Err(e) => return fail(format!("line {n}: {e}")),
        };
        let at = match l.at.as_deref() {
            Some(s) => match parse_at(s, tz) {
                Ok(t) => t,
                Err(e) => return fail(format!("line {n}: {e}")),
            },
            None => Utc::now(),
        };
        let flow = match l.direction.as_deref().unwrap_or("in") {
            "in" => Flow::In,
            "out" => Flow::Out,
            d => return fail(format!("line {n}: unknown direction {d:?} (in, out)")),
        };
        let origin = match l.origin.as_deref() {
            None if flow == Flow::Out => Origin::Agent,
            None | Some("contact") => Origin::Contact,
            Some("agent") => Origin::Agent,
            Some("automation") => Origin::Automation,
            Some("bot") => Origin::Bot,
            Some(o) => {
                return fail(format!(
                    "line {n}: unknown origin {o:?} (contact, agent, automation, bot)"
                ));
            }
        };
        let from = l.from.clone().unwrap_or_else(|| "contact".into());
        // Timers due by this line's time fire first, as they would have in real time.
        let mut fired_timers = Vec::new();
        let known = contacts.clone();
        match engine.run_due_timers(at, |k| known.get(k).cloned()).await {
            Ok(fired) => {
                for f in fired {
                    if let Some(c) = contacts.get_mut(&f.timer.contact) {
                        apply(c, &f.evaluation.actions, &f.evaluation.tags);
                    }
                    fired_timers.push(json!({
                        "timer": f.timer.timer_id, "contact": f.timer.contact,
                        "rules": f.evaluation.rules, "actions": f.evaluation.actions,
                        "tags": f.evaluation.tags,
                    }));
                }
            }
            Err(e) => return fail(format!("line {n}: {e}")),
        }
        let contact = contacts.entry(from.clone()).or_insert_with(|| Contact {
            id: wacrm::ContactId::new(from.clone()),
            // `from` names the contact; it is its wa_id only when it is one
            // (the default "contact" is not), and stays the id either way.
            wa_id: wacrm::WaId::try_from(from.as_str()).ok(),
            ..Default::default()
        });
        if let Some(name) = &l.name {
            contact.name = Some(name.clone());
        }
        contact.attributes.extend(l.attributes.clone());
        let input = MessageInput {
            contact_key: from.clone(),
            conversation_key: None,
            text: l.text,
            at,
            flow,
            origin,
            contact: Some(contact.clone()),
            location: l.location.map(|p| (p.lat, p.lon)),
            lang: l.lang,
        };
        let ev = match engine.evaluate(&input).await {
            Ok(ev) => ev,
            Err(e) => return fail(format!("line {n}: {e}")),
        };
        apply(contact, &ev.actions, &ev.tags);
        if writeln!(stdout, "{}", output(&ev, fired_timers)).is_err() {
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
