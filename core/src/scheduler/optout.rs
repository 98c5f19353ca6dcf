//! Opt-out and opt-in by keyword. A customer message that is, as a whole, one
//! of the configured keywords (folded like automation keywords: case, full-
//! and half-width forms, accents; surrounding punctuation ignored) changes
//! the contact's consent: `opted_out` is set with its time and source, or
//! cleared. The sending policies refuse marketing and utility templates while
//! it is set; every change is appended to the audit log.
//!
//! Only whole messages count: "please don't stop my order" is not an opt-out.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::automation::fold;
use crate::ids::ContactId;
use crate::store::{AuditEntry, OptOut, Stores};
use crate::time::Millis;

/// Built-in opt-out keywords (English, Spanish, Portuguese, French, German,
/// Italian, Dutch, Japanese, Chinese, Korean, Russian, Arabic, Hindi,
/// Indonesian, Turkish).
pub const OPT_OUT_KEYWORDS: &[&str] = &[
    "stop",
    "stopall",
    "stop all",
    "unsubscribe",
    "opt out",
    "optout",
    "cancel",
    "end",
    "quit",
    "baja",
    "darme de baja",
    "dar de baja",
    "alto",
    "parar",
    "cancelar suscripcion",
    "sair",
    "descadastrar",
    "cancelar inscricao",
    "arrêt",
    "arreter",
    "désabonner",
    "désinscrire",
    "stopp",
    "abmelden",
    "abbestellen",
    "basta",
    "disiscrivi",
    "afmelden",
    "停止",
    "配信停止",
    "配信解除",
    "退订",
    "取消订阅",
    "중지",
    "수신거부",
    "стоп",
    "отписаться",
    "توقف",
    "إلغاء الاشتراك",
    "रोकें",
    "berhenti",
    "dur",
    "abonelikten çık",
];

/// Built-in opt-in keywords.
pub const OPT_IN_KEYWORDS: &[&str] = &[
    "start",
    "unstop",
    "subscribe",
    "alta",
    "darme de alta",
    "suscribirme",
    "voltar",
    "inscrever",
    "reprendre",
    "abonnieren",
    "iscrivi",
    "aanmelden",
    "配信再開",
    "订阅",
    "구독",
    "старт",
    "mulai",
    "başla",
];

/// A consent change a message asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentChange {
    /// Stop business messages (marketing, utility templates).
    OptOut,
    /// Receive them again.
    OptIn,
}

/// Configurable keyword lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptOutConfig {
    /// Watch inbound messages for the keywords.
    pub enabled: bool,
    /// Keywords that opt a contact out.
    pub opt_out: Vec<String>,
    /// Keywords that opt a contact back in.
    pub opt_in: Vec<String>,
}

impl Default for OptOutConfig {
    fn default() -> Self {
        OptOutConfig {
            enabled: true,
            opt_out: OPT_OUT_KEYWORDS.iter().map(|s| s.to_string()).collect(),
            opt_in: OPT_IN_KEYWORDS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// Detects consent keywords in message text.
#[derive(Clone, Debug)]
pub struct OptOutDetector {
    opt_out: HashSet<String>,
    opt_in: HashSet<String>,
    enabled: bool,
}

/// Fold, drop surrounding punctuation and symbols, collapse inner spaces.
fn normalize(text: &str) -> String {
    let folded = fold(text, true);
    let trimmed = folded.trim_matches(|c: char| !c.is_alphanumeric());
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl OptOutDetector {
    /// A detector over `cfg`'s lists.
    pub fn new(cfg: &OptOutConfig) -> Self {
        let set = |v: &[String]| {
            v.iter()
                .map(|k| normalize(k))
                .filter(|k| !k.is_empty())
                .collect()
        };
        OptOutDetector {
            opt_out: set(&cfg.opt_out),
            opt_in: set(&cfg.opt_in),
            enabled: cfg.enabled,
        }
    }

    /// The change `text` asks for, with the keyword as matched (folded).
    pub fn detect(&self, text: &str) -> Option<(ConsentChange, String)> {
        if !self.enabled || text.len() > 64 {
            return None;
        }
        let n = normalize(text);
        if self.opt_out.contains(&n) {
            Some((ConsentChange::OptOut, n))
        } else if self.opt_in.contains(&n) {
            Some((ConsentChange::OptIn, n))
        } else {
            None
        }
    }
}

impl Default for OptOutDetector {
    fn default() -> Self {
        Self::new(&OptOutConfig::default())
    }
}

/// Apply a consent change to a contact at `now`: opt-out sets `opted_out`
/// (and withdraws the marketing opt-in), opt-in clears it. `source` is
/// `keyword`, `api`, `console`, ...; `actor` goes to the audit entry. Returns
/// `false` when the contact does not exist or was already in that state
/// (nothing is written then).
pub async fn set_consent(
    stores: &Stores,
    contact: &ContactId,
    change: ConsentChange,
    source: &str,
    keyword: Option<&str>,
    actor: &str,
    now: Millis,
) -> crate::Result<bool> {
    // A concurrent edit of the contact: read again and retry.
    for _ in 0..5 {
        let Some(mut c) = stores.contacts.get(contact).await? else {
            return Ok(false);
        };
        match change {
            ConsentChange::OptOut if c.opted_out.is_some() => return Ok(false),
            ConsentChange::OptIn if c.opted_out.is_none() => return Ok(false),
            ConsentChange::OptOut => {
                c.opted_out = Some(OptOut {
                    at: now,
                    source: source.to_string(),
                    keyword: keyword.map(str::to_string),
                });
                c.opted_in = false;
            }
            ConsentChange::OptIn => c.opted_out = None,
        }
        match stores.contacts.upsert(&c, Some(c.version)).await {
            Ok(_) => {}
            Err(crate::store::StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
        let action = match change {
            ConsentChange::OptOut => "contact.opt_out",
            ConsentChange::OptIn => "contact.opt_in",
        };
        stores
            .audit
            .append(&AuditEntry {
                details: serde_json::json!({"source": source, "keyword": keyword}),
                ..AuditEntry::new(now, actor, action, contact.to_string())
            })
            .await?;
        return Ok(true);
    }
    Err(crate::Error::Config(format!(
        "contact {contact} kept changing while its consent was updated"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_in_many_languages_and_forms() {
        let d = OptOutDetector::default();
        for t in [
            "STOP",
            "stop.",
            " Stop! ",
            "ＳＴＯＰ",
            "Unsubscribe",
            "baja",
            "Darme de BAJA",
            "停止",
            "退订",
            "配信停止",
            "sair",
            "parar",
            "stopp",
            "arrêt",
            "ARRET",
            "стоп",
        ] {
            assert_eq!(
                d.detect(t).map(|x| x.0),
                Some(ConsentChange::OptOut),
                "{t:?}"
            );
        }
        for t in ["START", "alta", "Darme de alta", "配信再開"] {
            assert_eq!(
                d.detect(t).map(|x| x.0),
                Some(ConsentChange::OptIn),
                "{t:?}"
            );
        }
        for t in [
            "please don't stop my order",
            "stopping by later",
            "hola",
            "",
        ] {
            assert_eq!(d.detect(t), None, "{t:?}");
        }
    }

    #[test]
    fn lists_are_configurable() {
        let d = OptOutDetector::new(&OptOutConfig {
            opt_out: vec!["Nein Danke".into()],
            opt_in: vec![],
            ..Default::default()
        });
        assert_eq!(
            d.detect("nein danke!").map(|x| x.0),
            Some(ConsentChange::OptOut)
        );
        assert_eq!(d.detect("STOP"), None, "only the configured list");
        let off = OptOutDetector::new(&OptOutConfig {
            enabled: false,
            ..Default::default()
        });
        assert_eq!(off.detect("STOP"), None);
    }
}
