//! Identifier newtypes. Each wraps a `String` so a phone number id can never be
//! passed where a WABA id or a recipient is expected.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

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

/// The conversions every validated string newtype shares: it serializes as the
/// plain string (so stored JSON and fixtures are unchanged) and can only be
/// built through its `check`, which returns a typed validation error.
macro_rules! checked_string {
    ($name:ident) => {
        impl $name {
            /// The string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = crate::Error;
            fn try_from(s: String) -> crate::Result<Self> {
                $name::check(&s)?;
                Ok($name(s))
            }
        }
        impl TryFrom<&str> for $name {
            type Error = crate::Error;
            fn try_from(s: &str) -> crate::Result<Self> {
                $name::check(s)?;
                Ok($name(s.to_string()))
            }
        }
        impl FromStr for $name {
            type Err = crate::Error;
            fn from_str(s: &str) -> crate::Result<Self> {
                $name::try_from(s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        // Reading a validated id as text is always safe; `Deref` lets
        // `Option<Self>::as_deref()` and `&str` APIs take it without copies.
        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
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

    /// Digits only (the form WhatsApp uses in `wa_id`).
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }
}

checked_string!(E164);

/// A WhatsApp user id as webhooks and send responses write it: the account's
/// phone number as 5–20 ASCII digits, no `+` (Meta writes the E.164 digits;
/// 20 leaves room past E.164's 15 without accepting arbitrary text).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WaId(String);

impl WaId {
    fn check(s: &str) -> crate::Result<()> {
        if !(5..=20).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(crate::Error::validation(
                "wa_id",
                format!("{s:?} is not 5 to 20 digits"),
            ));
        }
        Ok(())
    }
}

checked_string!(WaId);

/// Longest BSUID accepted. Meta documents a country prefix and up to 128
/// characters; the margin keeps enterprise forms (`US.ENT.…`) while still
/// refusing a pasted document.
const BSUID_MAX: usize = 256;

/// A business-scoped user id, e.g. `US.13491208655302741918`: opaque to us
/// apart from the two-letter country prefix and dot that tell it from a phone
/// number (the same test [`Recipient::parse`] and the Graph API apply), with
/// no whitespace or control characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bsuid(String);

impl Bsuid {
    fn check(s: &str) -> crate::Result<()> {
        let b = s.as_bytes();
        let prefixed =
            b.len() > 3 && b[0].is_ascii_alphabetic() && b[1].is_ascii_alphabetic() && b[2] == b'.';
        if !prefixed {
            return Err(crate::Error::validation(
                "bsuid",
                format!("{s:?} does not start with a country code and '.'"),
            ));
        }
        if b.len() > BSUID_MAX || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(crate::Error::validation(
                "bsuid",
                format!("{s:?} is longer than {BSUID_MAX} bytes or holds whitespace"),
            ));
        }
        Ok(())
    }
}

checked_string!(Bsuid);

/// Who a message goes to: a phone number / wa_id (`to`) or a BSUID (`recipient`).
/// Serializes as the plain string the user gave (an outbox item's stored
/// `recipient` is that string); reading it back runs [`Recipient::parse`],
/// which accepts every string, so no stored item becomes unreadable.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Recipient {
    /// Phone number or wa_id, sent as `to`.
    Phone(String),
    /// Business-scoped user id, sent as `recipient`.
    Bsuid(Bsuid),
}

impl Recipient {
    /// Interpret a user string: a valid BSUID (`CC.xxxx`) is a BSUID, anything
    /// else a phone number (checked when the message is sent).
    pub fn parse(s: &str) -> Self {
        match Bsuid::try_from(s) {
            Ok(b) => Recipient::Bsuid(b),
            Err(_) => Recipient::Phone(s.to_string()),
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

impl From<String> for Recipient {
    fn from(s: String) -> Self {
        match Bsuid::try_from(s.as_str()) {
            Ok(b) => Recipient::Bsuid(b),
            Err(_) => Recipient::Phone(s),
        }
    }
}

impl From<Recipient> for String {
    fn from(r: Recipient) -> String {
        match r {
            Recipient::Phone(p) => p,
            Recipient::Bsuid(b) => b.into(),
        }
    }
}

// Schedulers, limiters and stores key on the recipient text; `Deref` lets
// them take `&item.recipient` as `&str` directly.
impl Deref for Recipient {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<E164> for Recipient {
    fn from(e: E164) -> Self {
        Recipient::Phone(e.into())
    }
}

impl From<WaId> for Recipient {
    fn from(w: WaId) -> Self {
        Recipient::Phone(w.into())
    }
}

impl From<Bsuid> for Recipient {
    fn from(b: Bsuid) -> Self {
        Recipient::Bsuid(b)
    }
}

impl From<&str> for Recipient {
    fn from(s: &str) -> Self {
        Recipient::parse(s)
    }
}

// Tests and callers compare a recipient with the text they sent it to.
impl PartialEq<str> for Recipient {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Recipient {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
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

    #[test]
    fn wa_id_is_digits_only() {
        assert_eq!(WaId::try_from("16505551234").unwrap(), "16505551234");
        for bad in [
            "",
            "1234",
            "+16505551234",
            "1650555123a",
            "123456789012345678901",
        ] {
            let e = WaId::try_from(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Validation, "{bad:?}");
        }
        assert!("16505551234".parse::<WaId>().is_ok());
    }

    #[test]
    fn bsuid_needs_prefix_and_no_space() {
        for ok in [
            "US.13491208655302741918",
            "US.ENT.11815799212886844830",
            "JP.kc1",
        ] {
            assert_eq!(Bsuid::try_from(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "US.",
            "13491208655302741918",
            "U1.123",
            "US.12 34",
            "ana",
        ] {
            assert!(Bsuid::try_from(bad).is_err(), "{bad:?}");
        }
        assert!(Bsuid::try_from(format!("US.{}", "1".repeat(300))).is_err());
    }

    #[test]
    fn newtypes_serialize_as_the_plain_string() {
        let w = WaId::try_from("16505551234").unwrap();
        assert_eq!(serde_json::to_string(&w).unwrap(), r#""16505551234""#);
        let b: Bsuid = serde_json::from_str(r#""US.777""#).unwrap();
        assert_eq!(b.to_string(), "US.777");
        assert!(serde_json::from_str::<WaId>(r#""abc""#).is_err());
        assert!(serde_json::from_str::<E164>(r#""123""#).is_err());
        for s in [
            "US.13491208655302741918",
            "+81 90-1234-5678",
            "anything at all",
        ] {
            let r: Recipient = serde_json::from_value(serde_json::json!(s)).unwrap();
            assert_eq!(serde_json::to_value(&r).unwrap(), serde_json::json!(s));
        }
    }
}
