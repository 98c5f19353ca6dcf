//! The engine: one message in, the rules that fired and their actions out.
//! Order of checks for an inbound message: loop protection, state updates
//! (counters, lifecycle, location), pause, handoff phrases, then the matched
//! rules by priority with `stop`, `when`, `once_per_contact`, cooldown,
//! `min_count`, the firing budget and template rendering.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::actions::render_all;
use super::fold::fold;
use super::handoff::HandoffDetector;
use super::i18n::Lang;
use super::io::{ActionOut, Evaluation, Flow, MessageInput, Origin, SegmentChange, Skipped};
use super::lifecycle::segments_for;
use super::matcher::{Entry, KeywordSet};
use super::rules::When;
use super::ruleset::RuleSet;
use super::sensitive::SensitiveFilter;
use super::state::{AutomationStore, ContactState, ConversationState};
use super::template::{RenderContext, location_of};
use crate::store::Contact;
use crate::time::Millis;

/// Rules compiled for matching, plus the state they run against.
pub struct Engine {
    rules: RuleSet,
    keywords: KeywordSet,
    handoff: HandoffDetector,
    sensitive: SensitiveFilter,
    store: Arc<dyn AutomationStore>,
    /// Evaluation is load–decide–save; one at a time keeps that atomic per process.
    pub(super) gate: tokio::sync::Mutex<()>,
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

    pub(super) fn lang_for(&self, input: &MessageInput, contact: Option<&Contact>) -> Lang {
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
            let rendered = match render_all(&rule.actions, cx) {
                Ok(r) => r,
                Err(reason) => {
                    skip(ev, reason);
                    continue;
                }
            };
            ev.rules.push(rule.id.clone());
            cs.last_fired.insert(rule.id.clone(), now);
            cs.fired_once.insert(rule.id.clone());
            conv.firings.push(now);
            let handed_off = self.apply_actions(
                &format!("rule {:?}", rule.id),
                &rule.id,
                &rule.actions,
                rendered,
                now,
                conv,
                tags,
                ev,
            );
            if handed_off {
                // A person takes over: nothing else speaks for the business now.
                stopped_by = Some(rule.id.clone());
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
}

pub(super) fn pause(conv: &mut ConversationState, until: Millis, reason: &str) {
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

pub(super) fn to_dt(ms: Millis) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn fmt_ms(ms: Millis) -> String {
    to_dt(ms).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
