//! Durable "no reply within X" timers: started when the business writes
//! (an agent's message or an automated reply), cancelled when the contact
//! writes, run by [`Engine::run_due_timers`] from a scheduled loop. They live
//! in the [`super::AutomationStore`], so a restart does not lose them.

use chrono::{DateTime, Utc};

use super::actions::render_all;
use super::engine::Engine;
use super::io::{Evaluation, MessageInput, Skipped, TimerFired};
use super::state::Timer;
use super::template::{RenderContext, location_of};
use crate::store::Contact;
use crate::time::Millis;

impl Engine {
    pub(super) async fn start_timers(
        &self,
        contact: &str,
        conversation: &str,
        now: Millis,
    ) -> crate::Result<()> {
        for t in &self.rules().timers {
            self.store()
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
    /// A paused conversation (handoff) consumes the timer without acting.
    pub async fn run_due_timers(
        &self,
        now: DateTime<Utc>,
        contact_of: impl Fn(&str) -> Option<Contact>,
    ) -> crate::Result<Vec<TimerFired>> {
        let _g = self.gate.lock().await;
        let now_ms = now.timestamp_millis();
        let mut out = Vec::new();
        for timer in self.store().take_due_timers(now_ms).await? {
            let Some(def) = self.rules().timers.iter().find(|t| t.id == timer.timer_id) else {
                // A timer of a definition removed since it was stored: nothing to run.
                continue;
            };
            let mut ev = Evaluation::default();
            let mut conv = self.store().conversation_state(&timer.conversation).await?;
            let mut cs = self.store().contact_state(&timer.contact).await?;
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
                    hours: self.rules().hours.as_ref(),
                    stores: &self.rules().stores,
                    location: contact.as_ref().and_then(location_of).or(cs.location),
                };
                match render_all(&def.actions, &cx) {
                    Err(reason) => ev.skipped.push(Skipped {
                        rule: def.id.clone(),
                        reason,
                    }),
                    Ok(rendered) => {
                        ev.rules.push(def.id.clone());
                        self.apply_actions(
                            &format!("timer {:?}", def.id),
                            &def.id,
                            &def.actions,
                            rendered,
                            now_ms,
                            &mut conv,
                            &mut tags,
                            &mut ev,
                        );
                    }
                }
            }
            cs.tags = tags.clone();
            ev.tags = tags;
            self.store().save_contact_state(&timer.contact, &cs).await?;
            self.store()
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
