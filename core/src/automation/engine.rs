//! The engine: one message in, the rules that fired and their actions out.
//! Order of checks for an inbound message: loop protection, state updates
//! (counters, lifecycle, location), pause, handoff phrases, then the matched
//! rules by priority with `stop`, `when`, `once_per_contact`, cooldown,
//! `min_count`, the firing budget and template rendering.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::fold::fold;
use super::handoff::HandoffDetector;
use super::i18n::Lang;
use super::lifecycle::segments_for;
use super::matcher::{Entry, KeywordSet};
use super::rules::{Action, When};
use super::ruleset::RuleSet;
use super::sensitive::SensitiveFilter;
use super::state::{AutomationStore, ContactState, ConversationState, Timer};
use super::template::{RenderContext, location_of};
use crate::store::Contact;
use crate::time::Millis;

/// Who wrote a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The customer.
    #[default]
    Contact,
    /// A person at the business.
    Agent,
    /// This automation.
    Automation,
    /// Another bot (an auto-responder on either side).
    Bot,
}

/// Which way a message went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// From the contact.
    #[default]
    In,
    /// To the contact.
    Out,
}

/// One message for the engine.
#[derive(Clone, Debug)]
pub struct MessageInput {
    /// Stable contact key (contact id or wa_id).
    pub contact_key: String,
    /// Conversation key; the contact key when `None`.
    pub conversation_key: Option<String>,
    /// Text (body or caption).
    pub text: String,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// Direction.
    pub flow: Flow,
    /// Author.
    pub origin: Origin,
    /// The contact record (names, attributes, tags), when known.
    pub contact: Option<Contact>,
    /// A location the contact shared with this message.
    pub location: Option<(f64, f64)>,
    /// The contact's language tag, when known.
    pub lang: Option<String>,
}

impl MessageInput {
    /// An inbound text from a contact.
    pub fn inbound(
        contact_key: impl Into<String>,
        text: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Self {
        MessageInput {
            contact_key: contact_key.into(),
            conversation_key: None,
            text: text.into(),
            at,
            flow: Flow::In,
            origin: Origin::Contact,
            contact: None,
            location: None,
            lang: None,
        }
    }

    /// A message the business sent (agent by default).
    pub fn outbound(
        contact_key: impl Into<String>,
        text: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Self {
        MessageInput {
            flow: Flow::Out,
            origin: Origin::Agent,
            ..Self::inbound(contact_key, text, at)
        }
    }

    fn conversation(&self) -> &str {
        self.conversation_key
            .as_deref()
            .unwrap_or(&self.contact_key)
    }
}

/// An action to carry out.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActionOut {
    /// Send this text.
    Reply {
        /// Rule (or timer) id.
        rule: String,
        /// Rendered text.
        text: String,
    },
    /// Send an approved template.
    SendTemplate {
        /// Rule id.
        rule: String,
        /// Template name.
        name: String,
        /// Language code.
        language: String,
    },
    /// Add a tag.
    Tag {
        /// Tag.
        tag: String,
    },
    /// Remove a tag.
    Untag {
        /// Tag.
        tag: String,
    },
    /// Set an attribute.
    Set {
        /// Attribute name.
        attr: String,
        /// Value.
        value: String,
    },
    /// Hand the conversation to a person.
    Handoff {
        /// Why: the phrase heard or the rule id.
        reason: String,
    },
    /// Automation paused for the conversation.
    PauseAutomation {
        /// Until when.
        until: DateTime<Utc>,
    },
    /// An outgoing text was blocked.
    Block {
        /// Why (the words found).
        reason: String,
    },
}

/// A matched rule that did not fire, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skipped {
    /// Rule id.
    pub rule: String,
    /// Reason.
    pub reason: String,
}

/// What the engine decided for one message.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Evaluation {
    /// Rules that fired, in order.
    pub rules: Vec<String>,
    /// Actions, in order.
    pub actions: Vec<ActionOut>,
    /// A handoff happened.
    pub handoff: bool,
    /// An outgoing text was blocked.
    pub blocked: bool,
    /// The contact's tags after this message.
    pub tags: BTreeSet<String>,
    /// Matched rules that did not fire.
    pub skipped: Vec<Skipped>,
    /// Why the whole message was not evaluated (loop protection, pause).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

impl Evaluation {
    /// The reply texts, in order.
    pub fn replies(&self) -> impl Iterator<Item = &str> {
        self.actions.iter().filter_map(|a| match a {
            ActionOut::Reply { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

/// A segment change found by the scheduled pass.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SegmentChange {
    /// Contact key.
    pub contact: String,
    /// Tag/untag actions.
    pub actions: Vec<ActionOut>,
    /// Tags after the change.
    pub tags: BTreeSet<String>,
}

/// A timer that came due, with what it did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimerFired {
    /// The timer.
    pub timer: Timer,
    /// Its evaluation.
    pub evaluation: Evaluation,
}

/// Rules compiled for matching, plus the state they run against.
pub struct Engine {
    rules: RuleSet,
    keywords: KeywordSet,
    handoff: HandoffDetector,
    sensitive: SensitiveFilter,
    store: Arc<dyn AutomationStore>,
    /// Evaluation is load–decide–save; one at a time keeps that atomic per process.
    gate: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.rules.len())
            .finish_non_exhaustive()
    }
}

const HOUR_MS: Millis = 3_600_000;

impl Engine {
    /// Compile a rule set over a state store. Rules are ordered by priority
    /// (higher first; file order among equals).
    pub fn new(mut rules: RuleSet, store: Arc<dyn AutomationStore>) -> crate::Result<Engine> {
        rules.validate()?;
        rules.rules.sort_by_key(|r| std::cmp::Reverse(r.priority));
        let keywords = KeywordSet::build(rules.rules.iter().enumerate().flat_map(|(i, r)| {
            r.keywords.iter().map(move |k| Entry {
                keyword: k.clone(),
                target: i as u32,
                mode: r.mode,
                fold_accents: r.fold_accents,
            })
        }))
        .map_err(crate::Error::Config)?;
        let handoff = HandoffDetector::new(rules.handoff_builtin, &rules.handoff_phrases)
            .map_err(crate::Error::Config)?;
        let sensitive =
            SensitiveFilter::new(&rules.sensitive_words).map_err(crate::Error::Config)?;
        Ok(Engine {
            rules,
            keywords,
            handoff,
            sensitive,
            store,
            gate: tokio::sync::Mutex::new(()),
        })
    }

    /// The rule set (rules in evaluation order).
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The sensitive-word filter, for agents' messages and the scheduler.
    pub fn sensitive(&self) -> &SensitiveFilter {
        &self.sensitive
    }

    /// The state store.
    pub fn store(&self) -> &Arc<dyn AutomationStore> {
        &self.store
    }

    /// Rule ids whose keywords match `text` (no state, no conditions): the
    /// single automaton pass on its own.
    pub fn matching_rules(&self, text: &str) -> Vec<&str> {
        self.keywords
            .find(text)
            .into_iter()
            .map(|h| self.rules.rules[h.target as usize].id.as_str())
            .collect()
    }

    fn lang_for(&self, input: &MessageInput, contact: Option<&Contact>) -> Lang {
        let from_attr = contact.and_then(|c| {
            ["language", "lang"].iter().find_map(|k| {
                c.attributes
                    .get(*k)
                    .and_then(|v| v.as_str())
                    .and_then(Lang::from_tag)
            })
        });
        input
            .lang
            .as_deref()
            .and_then(Lang::from_tag)
            .or(from_attr)
            .or_else(|| {
                contact
                    .and_then(|c| c.wa_id.as_deref())
                    .and_then(Lang::from_wa_id)
            })
            .or_else(|| Lang::from_wa_id(&input.contact_key))
            .unwrap_or(self.rules.language)
    }

    /// Evaluate one message and update the state.
    pub async fn evaluate(&self, input: &MessageInput) -> crate::Result<Evaluation> {
        let _g = self.gate.lock().await;
        let now = input.at.timestamp_millis();
        let mut cs = self.store.contact_state(&input.contact_key).await?;
        let mut ev = Evaluation::default();
        let mut tags = match &input.contact {
            Some(c) => c.tags.clone(),
            None => cs.tags.clone(),
        };

        if input.flow == Flow::Out {
            // Outgoing text from agents or automation: the sensitive-word filter,
            // then the no-reply timers start. Rules never react to it.
            ev.ignored =
                Some("outgoing message: rules do not react to the business's own messages".into());
            if let Err(reason) = self.sensitive.check(&input.text) {
                ev.blocked = true;
                ev.actions.push(ActionOut::Block { reason });
            } else {
                self.start_timers(&input.contact_key, input.conversation(), now)
                    .await?;
            }
            ev.tags = tags;
            return Ok(ev);
        }
        if input.origin != Origin::Contact {
            ev.ignored = Some(format!(
                "loop protection: message from {:?}, not the contact",
                input.origin
            ));
            ev.tags = tags;
            return Ok(ev);
        }

        let mut conv = self.store.conversation_state(input.conversation()).await?;
        self.store.cancel_timers(&input.contact_key).await?;
        let folded = fold(input.text.trim(), false);
        if !folded.is_empty() && conv.last_reply.as_deref() == Some(folded.as_str()) {
            // Another auto-responder repeating our reply back: answering it would loop.
            ev.ignored =
                Some("loop protection: the message repeats automation's last reply".into());
            ev.tags = tags;
            return Ok(ev);
        }

        // State that changes whatever fires: location, counters, lifecycle.
        if let Some(l) = input.location {
            cs.location = Some(l);
        }
        let hits = self.keywords.find(&input.text);
        let cfg = &self.rules.lifecycle;
        cs.last_inbound_at = Some(now);
        cs.inbound.push(now);
        let mut inquiry = false;
        for h in &hits {
            let r = &self.rules.rules[h.target as usize];
            *cs.counts.entry(r.id.clone()).or_insert(0) += 1;
            inquiry |= r.inquiry;
        }
        if inquiry {
            cs.inquiries.push(now);
        }
        prune(&mut cs, now, cfg);
        self.apply_segments(&mut cs, now, &mut tags, &mut ev.actions);

        let paused = conv.paused_until.filter(|u| *u > now);
        if let Some(until) = paused {
            ev.ignored = Some(format!(
                "automation paused until {} ({})",
                fmt_ms(until),
                conv.pause_reason.as_deref().unwrap_or("paused")
            ));
            for h in &hits {
                ev.skipped.push(Skipped {
                    rule: self.rules.rules[h.target as usize].id.clone(),
                    reason: "automation paused".into(),
                });
            }
        } else if let Some(phrase) = self.handoff.detect(&input.text) {
            ev.handoff = true;
            ev.actions.push(ActionOut::Handoff {
                reason: format!("asked for a person: {phrase:?}"),
            });
            let until = now + self.rules.limits.handoff_pause.as_millis() as Millis;
            pause(&mut conv, until, "handoff");
            ev.actions.push(ActionOut::PauseAutomation {
                until: to_dt(until),
            });
            for h in &hits {
                ev.skipped.push(Skipped {
                    rule: self.rules.rules[h.target as usize].id.clone(),
                    reason: "handoff to a person".into(),
                });
            }
        } else {
            let contact = input.contact.as_ref();
            let location = input
                .location
                .or_else(|| contact.and_then(location_of))
                .or(cs.location);
            let cx = RenderContext {
                contact,
                now: input.at,
                lang: self.lang_for(input, contact),
                hours: self.rules.hours.as_ref(),
                stores: &self.rules.stores,
                location,
            };
            self.fire_rules(&hits, &cx, now, &mut cs, &mut conv, &mut tags, &mut ev);
        }

        cs.tags = tags.clone();
        ev.tags = tags;
        self.store
            .save_contact_state(&input.contact_key, &cs)
            .await?;
        self.store
            .save_conversation_state(input.conversation(), &conv)
            .await?;
        if ev.replies().next().is_some() {
            self.start_timers(&input.contact_key, input.conversation(), now)
                .await?;
        }
        Ok(ev)
    }

    #[allow(clippy::too_many_arguments)]
    fn fire_rules(
        &self,
        hits: &[super::matcher::Hit],
        cx: &RenderContext<'_>,
        now: Millis,
        cs: &mut ContactState,
        conv: &mut ConversationState,
        tags: &mut BTreeSet<String>,
        ev: &mut Evaluation,
    ) {
        let open = self.rules.hours.as_ref().map(|h| h.is_open(cx.now));
        let budget = self.rules.limits.max_firings_per_hour as usize;
        conv.firings.retain(|t| now - *t < HOUR_MS);
        let mut stopped_by: Option<String> = None;
        // Hits come in target order, and targets are rule indices in priority order.
        for h in hits {
            let rule = &self.rules.rules[h.target as usize];
            let skip = |ev: &mut Evaluation, reason: String| {
                ev.skipped.push(Skipped {
                    rule: rule.id.clone(),
                    reason,
                })
            };
            if let Some(s) = &stopped_by {
                skip(ev, format!("stopped by higher-priority rule {s:?}"));
                continue;
            }
            match (rule.when, open) {
                (When::InHours, Some(false)) => {
                    skip(ev, "only in business hours".into());
                    continue;
                }
                (When::OutOfHours, Some(true)) => {
                    skip(ev, "only out of business hours".into());
                    continue;
                }
                _ => {}
            }
            if rule.once_per_contact && cs.fired_once.contains(&rule.id) {
                skip(ev, "already fired once for this contact".into());
                continue;
            }
            if let (Some(cd), Some(last)) = (rule.cooldown, cs.last_fired.get(&rule.id)) {
                let until = last + cd.as_millis() as Millis;
                if now < until {
                    skip(ev, format!("cooldown until {}", fmt_ms(until)));
                    continue;
                }
            }
            let count = cs.counts.get(&rule.id).copied().unwrap_or(0);
            if count < rule.min_count {
                skip(ev, format!("matched {count} of {} times", rule.min_count));
                continue;
            }
            if conv.firings.len() >= budget {
                skip(
                    ev,
                    format!(
                        "loop protection: firing budget of {budget} per conversation per hour used"
                    ),
                );
                continue;
            }
            // Render every reply first: a rule fires whole or not at all.
            let mut rendered = Vec::new();
            let mut failed = None;
            for a in &rule.actions {
                if let Action::Reply(t) = a {
                    match t.render(cx) {
                        Ok(s) => rendered.push(s),
                        Err(reason) => {
                            failed = Some(reason);
                            break;
                        }
                    }
                }
            }
            if let Some(reason) = failed {
                skip(ev, reason);
                continue;
            }
            ev.rules.push(rule.id.clone());
            cs.last_fired.insert(rule.id.clone(), now);
            cs.fired_once.insert(rule.id.clone());
            conv.firings.push(now);
            let mut texts = rendered.into_iter();
            for a in &rule.actions {
                match a {
                    Action::Reply(_) => {
                        let text = texts.next().unwrap_or_default();
                        match self.sensitive.check(&text) {
                            Ok(()) => {
                                conv.last_reply = Some(fold(text.trim(), false));
                                ev.actions.push(ActionOut::Reply {
                                    rule: rule.id.clone(),
                                    text,
                                });
                            }
                            Err(reason) => {
                                ev.blocked = true;
                                ev.actions.push(ActionOut::Block {
                                    reason: format!("reply of rule {:?}: {reason}", rule.id),
                                });
                            }
                        }
                    }
                    Action::SendTemplate { name, language } => {
                        ev.actions.push(ActionOut::SendTemplate {
                            rule: rule.id.clone(),
                            name: name.clone(),
                            language: language.clone(),
                        })
                    }
                    Action::Tag(t) => {
                        tags.insert(t.clone());
                        ev.actions.push(ActionOut::Tag { tag: t.clone() });
                    }
                    Action::Untag(t) => {
                        tags.remove(t);
                        ev.actions.push(ActionOut::Untag { tag: t.clone() });
                    }
                    Action::Set { attr, value } => ev.actions.push(ActionOut::Set {
                        attr: attr.clone(),
                        value: value.clone(),
                    }),
                    Action::Handoff => {
                        ev.handoff = true;
                        ev.actions.push(ActionOut::Handoff {
                            reason: format!("rule {:?}", rule.id),
                        });
                        let until = now + self.rules.limits.handoff_pause.as_millis() as Millis;
                        pause(conv, until, "handoff");
                        ev.actions.push(ActionOut::PauseAutomation {
                            until: to_dt(until),
                        });
                        stopped_by = Some(rule.id.clone());
                    }
                    Action::PauseAutomation(d) => {
                        let until = now + d.as_millis() as Millis;
                        pause(conv, until, &format!("rule {:?}", rule.id));
                        ev.actions.push(ActionOut::PauseAutomation {
                            until: to_dt(until),
                        });
                    }
                }
            }
            if rule.stop {
                stopped_by = Some(rule.id.clone());
            }
        }
    }

    fn apply_segments(
        &self,
        cs: &mut ContactState,
        now: Millis,
        tags: &mut BTreeSet<String>,
        actions: &mut Vec<ActionOut>,
    ) {
        let want = segments_for(cs, now, &self.rules.lifecycle);
        for gone in cs.segments.difference(&want) {
            tags.remove(gone);
            actions.push(ActionOut::Untag { tag: gone.clone() });
        }
        for new in want.difference(&cs.segments) {
            tags.insert(new.clone());
            actions.push(ActionOut::Tag { tag: new.clone() });
        }
        cs.segments = want;
    }

    /// The scheduled lifecycle pass: recompute every contact's segments at
    /// `now` (e.g. dormant after 60 silent days) and report the changes.
    pub async fn lifecycle_pass(&self, now: DateTime<Utc>) -> crate::Result<Vec<SegmentChange>> {
        let _g = self.gate.lock().await;
        let now_ms = now.timestamp_millis();
        let mut out = Vec::new();
        for key in self.store.contacts().await? {
            let mut cs = self.store.contact_state(&key).await?;
            prune(&mut cs, now_ms, &self.rules.lifecycle);
            let mut tags = cs.tags.clone();
            let mut actions = Vec::new();
            self.apply_segments(&mut cs, now_ms, &mut tags, &mut actions);
            cs.tags = tags.clone();
            self.store.save_contact_state(&key, &cs).await?;
            if !actions.is_empty() {
                out.push(SegmentChange {
                    contact: key,
                    actions,
                    tags,
                });
            }
        }
        Ok(out)
    }

    async fn start_timers(
        &self,
        contact: &str,
        conversation: &str,
        now: Millis,
    ) -> crate::Result<()> {
        for t in &self.rules.timers {
            self.store
                .put_timer(&Timer {
                    timer_id: t.id.clone(),
                    contact: contact.to_string(),
                    conversation: conversation.to_string(),
                    due_at: now + t.after.as_millis() as Millis,
                })
                .await?;
        }
        Ok(())
    }

    /// Run the timers due at `now`: each one's actions for its contact
    /// (`contact_of` supplies the contact record for templates, when known).
    pub async fn run_due_timers(
        &self,
        now: DateTime<Utc>,
        contact_of: impl Fn(&str) -> Option<Contact>,
    ) -> crate::Result<Vec<TimerFired>> {
        let _g = self.gate.lock().await;
        let now_ms = now.timestamp_millis();
        let mut out = Vec::new();
        for timer in self.store.take_due_timers(now_ms).await? {
            let Some(def) = self.rules.timers.iter().find(|t| t.id == timer.timer_id) else {
                continue;
            };
            let mut ev = Evaluation::default();
            let mut conv = self.store.conversation_state(&timer.conversation).await?;
            let mut cs = self.store.contact_state(&timer.contact).await?;
            let contact = contact_of(&timer.contact);
            let mut tags = contact
                .as_ref()
                .map(|c| c.tags.clone())
                .unwrap_or_else(|| cs.tags.clone());
            if conv.paused_until.is_some_and(|u| u > now_ms) {
                ev.ignored = Some("automation paused".into());
            } else {
                let input = MessageInput::inbound(timer.contact.clone(), "", now);
                let cx = RenderContext {
                    contact: contact.as_ref(),
                    now,
                    lang: self.lang_for(&input, contact.as_ref()),
                    hours: self.rules.hours.as_ref(),
                    stores: &self.rules.stores,
                    location: contact.as_ref().and_then(location_of).or(cs.location),
                };
                let mut texts = Vec::new();
                let mut failed = None;
                for a in &def.actions {
                    if let Action::Reply(t) = a {
                        match t.render(&cx) {
                            Ok(s) => texts.push(s),
                            Err(r) => failed = Some(r),
                        }
                    }
                }
                if let Some(reason) = failed {
                    ev.skipped.push(Skipped {
                        rule: def.id.clone(),
                        reason,
                    });
                } else {
                    ev.rules.push(def.id.clone());
                    let mut texts = texts.into_iter();
                    for a in &def.actions {
                        match a {
                            Action::Reply(_) => {
                                let text = texts.next().unwrap_or_default();
                                match self.sensitive.check(&text) {
                                    Ok(()) => {
                                        conv.last_reply = Some(fold(text.trim(), false));
                                        ev.actions.push(ActionOut::Reply {
                                            rule: def.id.clone(),
                                            text,
                                        });
                                    }
                                    Err(reason) => {
                                        ev.blocked = true;
                                        ev.actions.push(ActionOut::Block { reason });
                                    }
                                }
                            }
                            Action::Tag(t) => {
                                tags.insert(t.clone());
                                ev.actions.push(ActionOut::Tag { tag: t.clone() });
                            }
                            Action::Untag(t) => {
                                tags.remove(t);
                                ev.actions.push(ActionOut::Untag { tag: t.clone() });
                            }
                            Action::SendTemplate { name, language } => {
                                ev.actions.push(ActionOut::SendTemplate {
                                    rule: def.id.clone(),
                                    name: name.clone(),
                                    language: language.clone(),
                                })
                            }
                            Action::Set { attr, value } => ev.actions.push(ActionOut::Set {
                                attr: attr.clone(),
                                value: value.clone(),
                            }),
                            Action::Handoff => {
                                ev.handoff = true;
                                ev.actions.push(ActionOut::Handoff {
                                    reason: format!("timer {:?}", def.id),
                                });
                                let until =
                                    now_ms + self.rules.limits.handoff_pause.as_millis() as Millis;
                                pause(&mut conv, until, "handoff");
                            }
                            Action::PauseAutomation(d) => {
                                let until = now_ms + d.as_millis() as Millis;
                                pause(&mut conv, until, &format!("timer {:?}", def.id));
                                ev.actions.push(ActionOut::PauseAutomation {
                                    until: to_dt(until),
                                });
                            }
                        }
                    }
                }
            }
            cs.tags = tags.clone();
            ev.tags = tags;
            self.store.save_contact_state(&timer.contact, &cs).await?;
            self.store
                .save_conversation_state(&timer.conversation, &conv)
                .await?;
            out.push(TimerFired {
                timer,
                evaluation: ev,
            });
        }
        Ok(out)
    }
}

fn pause(conv: &mut ConversationState, until: Millis, reason: &str) {
    if conv.paused_until.is_none_or(|u| u < until) {
        conv.paused_until = Some(until);
        conv.pause_reason = Some(reason.to_string());
    }
}

/// Drop history older than every window that still needs it.
fn prune(cs: &mut ContactState, now: Millis, cfg: &super::rules::LifecycleConfig) {
    let keep = cfg.follow_up_window.max(cfg.high_intent_window).as_millis() as Millis;
    cs.inbound.retain(|t| now - *t < keep);
    let hi = cfg.high_intent_window.as_millis() as Millis;
    cs.inquiries.retain(|t| now - *t < hi);
}

fn to_dt(ms: Millis) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn fmt_ms(ms: Millis) -> String {
    to_dt(ms).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
