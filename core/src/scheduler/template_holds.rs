//! Templates Meta paused or disabled. An outbox item that uses one is held
//! (deferred with the reason, looked at again every `RECHECK`) instead of
//! failing with 132015 / 132016, and goes out once the template is approved
//! again. The holds follow `message_template_status_update` webhooks (see
//! `WebhookProcessor::with_template_holds`) and the send errors themselves.

use std::collections::HashMap;
use std::time::Duration;

use parking_lot::RwLock;

use crate::webhook::WebhookEvent;

/// How long a held item waits before it is looked at again.
pub const TEMPLATE_HOLD_RECHECK: Duration = Duration::from_secs(60);

/// Statuses that stop a template from sending.
fn holds(status: &str) -> bool {
    matches!(
        status,
        "PAUSED" | "DISABLED" | "PENDING_DELETION" | "DELETED" | "LOCKED"
    )
}

/// Templates on hold, by name and language (`*`: every language). Shared by
/// the webhook processor (which learns) and the scheduler (which holds).
#[derive(Debug, Default)]
pub struct TemplateHolds {
    // name → language → status that holds it.
    held: RwLock<HashMap<String, HashMap<String, String>>>,
}

impl TemplateHolds {
    /// No template held.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record a template's status (`language` `None`: every language).
    /// `PAUSED`, `DISABLED`, `PENDING_DELETION`, `DELETED` and `LOCKED` hold
    /// it; any other status (`APPROVED`, `REINSTATED`, `UNLOCKED`, ...)
    /// releases it. Returns whether it is held now.
    pub fn set_status(&self, name: &str, language: Option<&str>, status: &str) -> bool {
        let lang = language.unwrap_or("*").to_string();
        let mut held = self.held.write();
        if holds(status) {
            held.entry(name.to_string())
                .or_default()
                .insert(lang, status.to_string());
            return true;
        }
        if let Some(langs) = held.get_mut(name) {
            if lang == "*" {
                langs.clear();
            } else {
                langs.remove(&lang);
                // A release of one language also lifts a hold of them all
                // (the webhook that held them carried no language).
                langs.remove("*");
            }
            if langs.is_empty() {
                held.remove(name);
            }
        }
        false
    }

    /// Why `name` in `language` may not be sent now, if it may not.
    pub fn held(&self, name: &str, language: &str) -> Option<String> {
        let held = self.held.read();
        let langs = held.get(name)?;
        let status = langs.get(language).or_else(|| langs.get("*"))?;
        Some(format!(
            "template {name} ({language}) is {status}; held until it is approved again"
        ))
    }

    /// Learn from `message_template_status_update` events; returns how many
    /// were applied.
    pub fn apply(&self, events: &[WebhookEvent]) -> usize {
        let mut n = 0;
        for e in events {
            if let WebhookEvent::TemplateStatus(t) = e
                && let Some(name) = &t.data.template_name
            {
                self.set_status(name, t.data.language.as_deref(), &t.data.event);
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paused_holds_approved_releases() {
        let h = TemplateHolds::new();
        assert!(h.held("promo", "en_US").is_none());
        assert!(h.set_status("promo", Some("en_US"), "PAUSED"));
        let why = h.held("promo", "en_US").unwrap();
        assert!(why.contains("PAUSED"), "{why}");
        assert!(h.held("promo", "pt_BR").is_none(), "other languages go");
        assert!(!h.set_status("promo", Some("en_US"), "APPROVED"));
        assert!(h.held("promo", "en_US").is_none());
        // Without a language: every language, released by any approval.
        h.set_status("promo", None, "DISABLED");
        assert!(h.held("promo", "pt_BR").is_some());
        h.set_status("promo", Some("pt_BR"), "REINSTATED");
        assert!(h.held("promo", "pt_BR").is_none());
    }

    #[test]
    fn learns_from_template_status_webhooks() {
        let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
            {"field":"message_template_status_update","value":{"event":"PAUSED","message_template_id":1,
             "message_template_name":"promo","message_template_language":"en_US","reason":"NONE"}}]}]}"#;
        let h = TemplateHolds::new();
        assert_eq!(h.apply(&crate::webhook::parse_body(body).unwrap()), 1);
        assert!(h.held("promo", "en_US").is_some());
    }
}
