//! Templates Meta paused or disabled. An outbox item that uses one is held
//! (deferred with the reason, looked at again every `RECHECK`) instead of
//! failing with 132015 / 132016, and goes out once the template is approved
//! again. The holds follow `message_template_status_update` webhooks (see
//! `WebhookProcessor::with_template_holds`) and the send errors themselves.
//! Holds opened with [`TemplateHolds::load`] are kept in the store's sync
//! state, so a restarted worker still holds what Meta paused before.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;

use crate::store::SyncStateStore;
use crate::webhook::WebhookEvent;

/// Where durable holds live in the sync state (one JSON document).
const STATE_NAMESPACE: &str = "scheduler.template_holds";
const STATE_KEY: &str = "held";

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
#[derive(Default)]
pub struct TemplateHolds {
    // name → language → status that holds it.
    held: RwLock<HashMap<String, HashMap<String, String>>>,
    /// Where [`Self::save`] keeps them, when durable.
    store: Option<Arc<dyn SyncStateStore>>,
}

impl std::fmt::Debug for TemplateHolds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateHolds")
            .field("held", &*self.held.read())
            .field("durable", &self.store.is_some())
            .finish()
    }
}

impl TemplateHolds {
    /// No template held, in memory only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Durable holds: the ones `sync` keeps are loaded now, and
    /// [`Self::save`] writes every change back (share the result with the
    /// scheduler and the webhook processor, as with [`Self::new`]).
    pub async fn load(sync: Arc<dyn SyncStateStore>) -> crate::Result<Self> {
        let held = match sync.get_cursor(STATE_NAMESPACE, STATE_KEY).await? {
            Some(doc) => serde_json::from_str(&doc).map_err(|e| {
                crate::Error::Config(format!("stored template holds are not readable: {e}"))
            })?,
            None => HashMap::new(),
        };
        Ok(TemplateHolds {
            held: RwLock::new(held),
            store: Some(sync),
        })
    }

    /// Write the holds to the store they were loaded from (nothing when
    /// in memory only). Called after every change by the webhook processor
    /// and the scheduler.
    pub async fn save(&self) -> crate::Result<()> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let doc = serde_json::to_string(&*self.held.read())
            .map_err(|e| crate::Error::Config(format!("template holds: {e}")))?;
        store.set_cursor(STATE_NAMESPACE, STATE_KEY, &doc).await?;
        Ok(())
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

    #[tokio::test]
    async fn durable_holds_survive_a_restart() {
        let stores = crate::store::Stores::memory();
        let h = TemplateHolds::load(stores.sync.clone()).await.unwrap();
        h.set_status("promo", Some("en_US"), "PAUSED");
        h.save().await.unwrap();
        let again = TemplateHolds::load(stores.sync.clone()).await.unwrap();
        assert!(again.held("promo", "en_US").is_some());
        again.set_status("promo", Some("en_US"), "APPROVED");
        again.save().await.unwrap();
        let third = TemplateHolds::load(stores.sync.clone()).await.unwrap();
        assert!(third.held("promo", "en_US").is_none());
        // In memory only: nothing is written.
        let mem = TemplateHolds::new();
        mem.set_status("x", None, "PAUSED");
        mem.save().await.unwrap();
        let fresh = TemplateHolds::load(stores.sync.clone()).await.unwrap();
        assert!(fresh.held("x", "en_US").is_none());
    }
}
