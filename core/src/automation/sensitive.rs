//! The sensitive-word filter for outgoing text (automation replies, agents'
//! messages, the scheduler's sends as a policy): a hit blocks the message and
//! names the word; nothing is dropped silently.

use super::matcher::{Entry, KeywordSet};
use super::rules::MatchMode;

/// Configured risky words.
#[derive(Debug, Default)]
pub struct SensitiveFilter {
    set: KeywordSet,
}

impl SensitiveFilter {
    /// Compile a word list (whole words in spaced scripts, accents folded).
    pub fn new(words: &[String]) -> Result<Self, String> {
        let set = KeywordSet::build(words.iter().enumerate().map(|(i, w)| Entry {
            keyword: w.clone(),
            target: i as u32,
            mode: MatchMode::Word,
            fold_accents: true,
        }))?;
        Ok(SensitiveFilter { set })
    }

    /// Whether there are words to check.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// `Err(reason)` when `text` must not be sent.
    pub fn check(&self, text: &str) -> Result<(), String> {
        if self.set.is_empty() {
            return Ok(());
        }
        let hits = self.set.find(text);
        if hits.is_empty() {
            return Ok(());
        }
        let words: Vec<String> = hits
            .into_iter()
            .map(|h| format!("{:?}", h.keyword))
            .collect();
        Err(format!("sensitive word {}", words.join(", ")))
    }

    /// As a scheduler policy: the reason to hold an outgoing message back, if any.
    pub fn policy(&self, text: &str) -> Option<String> {
        self.check(text).err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_with_the_word_named() {
        let f = SensitiveFilter::new(&["senha".into(), "password".into(), "密码".into()]).unwrap();
        assert_eq!(
            f.check("Sua SENHA é 1234").unwrap_err(),
            "sensitive word \"senha\""
        );
        assert!(
            f.check("send me your password and senha")
                .unwrap_err()
                .contains("\"password\"")
        );
        assert!(f.check("请告诉我密码").is_err());
        assert!(f.check("passwords manager").is_ok());
        assert!(f.check("all good").is_ok());
        assert!(SensitiveFilter::new(&[]).unwrap().check("password").is_ok());
    }
}
