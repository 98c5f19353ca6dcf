//! Identifier newtypes. Each wraps a `String` so a phone number id can never be
//! passed where a WABA id or a recipient is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wrap a string.
            pub fn new(s: impl Into<String>) -> Self { Self(s.into()) }
            /// The inner string.
            pub fn as_str(&self) -> &str { &self.0 }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) }
        }
        impl From<&str> for $name {
            fn from(s: &str) -> Self { Self(s.to_string()) }
        }
        impl From<String> for $name {
            fn from(s: String) -> Self { Self(s) }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str { &self.0 }
        }
    )*};
}

string_id! {
    /// A business phone number's Graph id (the sender in every send call).
    PhoneNumberId,
    /// A WhatsApp Business Account id (templates and number listings live under it).
    WabaId,
    /// A WhatsApp user id as it appears in webhooks and send responses (digits only).
    WaId,
    /// A business-scoped user id, e.g. `US.13491208655302741918`.
    Bsuid,
    /// A WhatsApp message id (`wamid.…`).
    MessageId,
    /// An uploaded media object's id.
    MediaId,
    /// A message template's id.
    TemplateId,
    /// A contact record id in the store.
    ContactId,
    /// A conversation id in the store.
    ConversationId,
    /// An agent id.
    AgentId,
    /// A key that makes a send idempotent across retries and restarts.
    IdempotencyKey,
}

/// A phone number in E.164 form (`+` and 5–15 digits). Construct through
/// [`E164::parse_strict`] or the phone module's parser.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct E164(String);

impl E164 {
    /// Accept only an already-canonical E.164 string (`+` then 5–15 digits, no leading 0).
    pub fn parse_strict(s: &str) -> crate::Result<Self> {
        Self::check(s)?;
        Ok(E164(s.to_string()))
    }

    fn check(s: &str) -> crate::Result<()> {
        let digits = s.strip_prefix('+').ok_or_else(|| {
            crate::Error::validation("e164", format!("{s:?} does not start with '+'"))
        })?;
        if !(5..=15).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(crate::Error::validation(
                "e164",
                format!("{s:?} is not + and 5 to 15 digits"),
            ));
        }
        Ok(())
    }

    /// The string with `+`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits only (the form WhatsApp uses in `wa_id`).
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for E164 {
    type Error = crate::Error;
    fn try_from(s: String) -> crate::Result<Self> {
        E164::check(&s)?;
        Ok(E164(s))
    }
}

impl From<E164> for String {
    fn from(e: E164) -> String {
        e.0
    }
}

/// Who a message goes to: a phone number / wa_id (`to`) or a BSUID (`recipient`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Recipient {
    /// Phone number or wa_id, sent as `to`.
    Phone(String),
    /// Business-scoped user id, sent as `recipient`.
    Bsuid(Bsuid),
}

impl Recipient {
    /// Interpret a user string: `CC.xxxx` is a BSUID, anything else a phone number.
    pub fn parse(s: &str) -> Self {
        let b = s.as_bytes();
        if b.len() > 3 && b[0].is_ascii_alphabetic() && b[1].is_ascii_alphabetic() && b[2] == b'.' {
            Recipient::Bsuid(Bsuid::new(s))
        } else {
            Recipient::Phone(s.to_string())
        }
    }

    /// The string as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Recipient::Phone(p) => p,
            Recipient::Bsuid(b) => b.as_str(),
        }
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_strict() {
        assert!(E164::parse_strict("+819012345678").is_ok());
        assert!(E164::parse_strict("819012345678").is_err());
        assert!(E164::parse_strict("+0123456789").is_err());
        assert!(E164::parse_strict("+12").is_err());
        assert_eq!(
            E164::parse_strict("+5511987654321").unwrap().digits(),
            "5511987654321"
        );
    }

    #[test]
    fn recipient_detects_bsuid() {
        assert!(matches!(
            Recipient::parse("US.13491208655302741918"),
            Recipient::Bsuid(_)
        ));
        assert!(matches!(
            Recipient::parse("+16505551234"),
            Recipient::Phone(_)
        ));
    }
}
