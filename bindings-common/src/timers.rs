//! No-reply timers as a binding drives them: the rules file defines them
//! (`[[timers]]`), the engine arms them when the business writes and cancels
//! them when the contact writes; these operations let an application see the
//! pending ones, arm or cancel them itself, and run the due ones from its own
//! scheduled loop (with the actions written to the contact like `evaluate`).

use std::collections::HashMap;

use wacrm::automation::{Timer, TimerFired, write_contact};
use wacrm::{ContactId, Error, Result};

use crate::automation::{Automation, time};

impl Automation {
    /// The pending no-reply timers of `contact` (a wa_id or contact id), or of
    /// every contact when `None`, earliest first.
    pub async fn timers(&self, contact: Option<String>) -> Result<Vec<Timer>> {
        let key = match contact {
            Some(c) => Some(self.key_of(c).await?),
            None => None,
        };
        self.engine.store().list_timers(key.as_deref()).await
    }

    /// Arm timer `timer_id` (defined in the rules file) for `contact`, due its
    /// `after` past `at` (epoch ms, now when absent); an armed timer of the
    /// same id for the contact is replaced. The conversation defaults to the
    /// contact. An id the rules do not define is a validation error.
    pub async fn arm_timer(
        &self,
        timer_id: &str,
        contact: &str,
        conversation: Option<String>,
        at: Option<i64>,
    ) -> Result<Timer> {
        let def = self
            .engine
            .rules()
            .timers
            .iter()
            .find(|t| t.id == timer_id)
            .ok_or_else(|| {
                let known: Vec<&str> = self
                    .engine
                    .rules()
                    .timers
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect();
                Error::validation(
                    "timer_id",
                    format!("no timer {timer_id:?} in the rules (defined: {known:?})"),
                )
            })?;
        let after = i64::try_from(def.after.as_millis())
            .map_err(|_| Error::validation("timer_id", "timer delay out of range"))?;
        let contact = self.key_of(contact.to_string()).await?;
        let timer = Timer {
            timer_id: timer_id.to_string(),
            conversation: conversation.unwrap_or_else(|| contact.clone()),
            contact,
            due_at: time(at)?.timestamp_millis().saturating_add(after),
        };
        self.engine.store().put_timer(&timer).await?;
        Ok(timer)
    }

    /// Cancel every pending timer of `contact` (a wa_id or contact id); how many.
    pub async fn cancel_timers(&self, contact: String) -> Result<u64> {
        let key = self.key_of(contact).await?;
        self.engine.store().cancel_timers(&key).await
    }

    /// Run the timers due at `at` (epoch ms, now when absent): each fires once
    /// (another process running them concurrently never runs the same one),
    /// its actions rendered with the contact's record and its tags written to
    /// the contact.
    pub async fn run_due_timers(&self, at: Option<i64>) -> Result<Vec<TimerFired>> {
        let now = time(at)?;
        // The engine renders with a synchronous lookup: load the records of
        // the contacts whose timers are due first (one racing arm at most
        // renders without its record, as a timer of an unknown contact does).
        let due: Vec<ContactId> = self
            .engine
            .store()
            .list_timers(None)
            .await?
            .into_iter()
            .filter(|t| t.due_at <= now.timestamp_millis())
            .map(|t| ContactId::new(t.contact))
            .collect();
        let records: HashMap<String, wacrm::store::Contact> = self
            .contacts
            .contacts
            .get_many(&due)
            .await?
            .into_iter()
            .map(|c| (c.id.0.clone(), c))
            .collect();
        let fired = self
            .engine
            .run_due_timers(now, |k| records.get(k).cloned())
            .await?;
        for f in &fired {
            let id = ContactId::new(f.timer.contact.clone());
            // A contact with no record has nothing to write (automation state
            // still keeps its tags).
            write_contact(
                self.contacts.contacts.as_ref(),
                &id,
                &f.evaluation.actions,
                None,
            )
            .await?;
        }
        Ok(fired)
    }
}
