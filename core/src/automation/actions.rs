//! Carrying out a rule's (or timer's) actions once it fires: replies pass the
//! sensitive-word filter (a blocked reply is reported, never dropped
//! silently), tags change the contact's set, handoff and pauses quiet the
//! conversation.

use std::collections::BTreeSet;

use super::engine::{Engine, pause, to_dt};
use super::fold::fold;
use super::io::{ActionOut, Evaluation};
use super::rules::Action;
use super::state::ConversationState;
use super::template::RenderContext;
use crate::time::Millis;

/// Render every reply of `actions`, in order; the first missing variable
/// without a default is the reason the rule does not fire.
pub(super) fn render_all(
    actions: &[Action],
    cx: &RenderContext<'_>,
) -> Result<Vec<String>, String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Reply(t) => Some(t.render(cx)),
            _ => None,
        })
        .collect()
}

impl Engine {
    /// Apply `actions` (replies already rendered into `rendered`); returns
    /// whether the conversation was handed to a person.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn apply_actions(
        &self,
        who: &str,
        id: &str,
        actions: &[Action],
        rendered: Vec<String>,
        now: Millis,
        conv: &mut ConversationState,
        tags: &mut BTreeSet<String>,
        ev: &mut Evaluation,
    ) -> bool {
        let mut handed_off = false;
        let mut texts = rendered.into_iter();
        for a in actions {
            match a {
                Action::Reply(_) => {
                    let text = texts.next().unwrap_or_default();
                    match self.sensitive().check(&text) {
                        Ok(()) => {
                            conv.last_reply = Some(fold(text.trim(), false));
                            ev.actions.push(ActionOut::Reply {
                                rule: id.to_string(),
                                text,
                            });
                        }
                        Err(reason) => {
                            ev.blocked = true;
                            ev.actions.push(ActionOut::Block {
                                reason: format!("reply of {who}: {reason}"),
                            });
                        }
                    }
                }
                Action::SendTemplate { name, language } => {
                    ev.actions.push(ActionOut::SendTemplate {
                        rule: id.to_string(),
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
                    handed_off = true;
                    ev.handoff = true;
                    ev.actions.push(ActionOut::Handoff {
                        reason: who.to_string(),
                    });
                    let until = now + self.rules().limits.handoff_pause.as_millis() as Millis;
                    pause(conv, until, "handoff");
                    ev.actions.push(ActionOut::PauseAutomation {
                        until: to_dt(until),
                    });
                }
                Action::PauseAutomation(d) => {
                    let until = now + d.as_millis() as Millis;
                    pause(conv, until, who);
                    ev.actions.push(ActionOut::PauseAutomation {
                        until: to_dt(until),
                    });
                }
            }
        }
        handed_off
    }
}
