//! The engine's use of `biz_opaque_callback_data`: Meta echoes the value on
//! every status webhook of the message, so the scheduler appends a reserved
//! suffix naming the outbox item to the user's own value (the campaign id):
//!
//! ```text
//! <user value>~wacrm:ob:<item token>
//! ```
//!
//! The item token is the outbox item id when it is at most
//! [`ITEM_TOKEN_MAX`] characters long and free of the marker, otherwise `#`
//! and 32 hex digits of its SHA-256. Decoding splits at the *last* marker, so a
//! user value that itself contains the marker comes back unchanged. A user
//! value too long to fit beside the suffix (over [`USER_VALUE_MAX`] characters)
//! is not carried.

use sha2::Digest;

use super::CALLBACK_DATA_MAX;

/// The reserved marker between the user's value and the engine's item token.
pub const ITEM_MARKER: &str = "~wacrm:ob:";
/// Longest outbox item id carried as it is (longer ones are carried hashed).
pub const ITEM_TOKEN_MAX: usize = 100;
/// Longest user value carried beside the suffix.
pub const USER_VALUE_MAX: usize = CALLBACK_DATA_MAX - ITEM_MARKER.len() - ITEM_TOKEN_MAX;

/// A decoded `biz_opaque_callback_data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackData<'a> {
    /// The user's own value (the campaign id for scheduler sends), if any.
    pub user: Option<&'a str>,
    /// The outbox item token, for values the scheduler sent.
    pub item: Option<&'a str>,
}

/// The token naming outbox item `item_id` in callback data (and in the
/// reconciliation records keyed by it).
pub fn item_token(item_id: &str) -> String {
    if item_id.chars().count() <= ITEM_TOKEN_MAX && !item_id.contains(ITEM_MARKER) {
        return item_id.to_string();
    }
    let digest = sha2::Sha256::digest(item_id.as_bytes());
    format!("#{}", const_hex::encode(&digest[..16]))
}

/// The callback data of one outbox item's send: `user` (when it fits) plus the
/// item's token. Always within Meta's 512-character limit.
pub fn encode(user: Option<&str>, item_id: &str) -> String {
    let user = user
        .filter(|u| u.chars().count() <= USER_VALUE_MAX)
        .unwrap_or("");
    format!("{user}{ITEM_MARKER}{}", item_token(item_id))
}

/// Split a received value into the user's part and the engine's item token.
/// Values without the marker are the user's alone.
pub fn decode(value: &str) -> CallbackData<'_> {
    match value.rsplit_once(ITEM_MARKER) {
        Some((user, item)) if !item.is_empty() => CallbackData {
            user: Some(user).filter(|u| !u.is_empty()),
            item: Some(item),
        },
        _ => CallbackData {
            user: Some(value).filter(|u| !u.is_empty()),
            item: None,
        },
    }
}

/// The user's part of a received value (the campaign id of scheduler sends).
pub fn user_value(value: &str) -> Option<&str> {
    decode(value).user
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_value_and_the_item_come_back_apart() {
        let v = encode(Some("spring-sale"), "ob:crash:+15550001");
        assert_eq!(v, "spring-sale~wacrm:ob:ob:crash:+15550001");
        let d = decode(&v);
        assert_eq!(d.user, Some("spring-sale"));
        assert_eq!(d.item, Some("ob:crash:+15550001"));
        assert_eq!(decode(&encode(None, "ob:1")).user, None);
    }

    #[test]
    fn values_from_elsewhere_are_the_users_alone() {
        let d = decode("campaign-7");
        assert_eq!(d.user, Some("campaign-7"));
        assert_eq!(d.item, None);
        assert_eq!(decode("").user, None);
    }

    #[test]
    fn a_user_value_containing_the_marker_survives() {
        let user = "a~wacrm:ob:b";
        let v = encode(Some(user), "ob:9");
        let d = decode(&v);
        assert_eq!(d.user, Some(user));
        assert_eq!(d.item, Some("ob:9"));
    }

    #[test]
    fn long_ids_are_hashed_and_everything_fits_the_limit() {
        let long_id = format!("ob:{}", "é".repeat(300));
        let token = item_token(&long_id);
        assert!(token.starts_with('#') && token.len() == 33, "{token}");
        assert_eq!(token, item_token(&long_id), "deterministic");
        let user = "u".repeat(USER_VALUE_MAX);
        let v = encode(Some(&user), &long_id);
        assert!(v.chars().count() <= CALLBACK_DATA_MAX);
        assert_eq!(decode(&v).user, Some(user.as_str()));
        assert_eq!(decode(&v).item, Some(token.as_str()));
        let too_long = "u".repeat(USER_VALUE_MAX + 1);
        let v = encode(Some(&too_long), &"x".repeat(ITEM_TOKEN_MAX));
        assert!(v.chars().count() <= CALLBACK_DATA_MAX);
        assert_eq!(decode(&v).user, None);
    }
}
