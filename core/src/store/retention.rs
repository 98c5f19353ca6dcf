//! Retention (C11): archive closed conversations after a period, purge archived
//! conversations with their messages after a longer one (90 days to many
//! years), optionally drop message bodies earlier, and expire statuses whose
//! message never arrived. The audit log has its own retention
//! (`crate::access::audit`) and is never touched here.

use serde::{Deserialize, Serialize};

use super::Stores;
use crate::time::{DAY, Millis};

/// The shortest purge period accepted: archived conversations are kept at
/// least this many days.
pub const MIN_PURGE_DAYS: u32 = 90;
/// The longest period accepted (100 years); anything longer is a typo.
pub const MAX_PERIOD_DAYS: u32 = 36_500;

const HOUR: Millis = 3_600_000;

/// How long to keep things. Every period counts from the conversation's close
/// (archive and purge), the message's creation (bodies) or the status's time
/// (pending statuses).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// Archive conversations closed longer ago than this many days
    /// (1 to `purge_after_days`).
    pub archive_after_days: u32,
    /// Delete archived conversations, their messages and statuses, closed
    /// longer ago than this many days (`MIN_PURGE_DAYS` to `MAX_PERIOD_DAYS`).
    pub purge_after_days: u32,
    /// Drop message bodies (metadata and statuses stay) older than this many
    /// days; `None` keeps bodies, compressed or not, until their conversation
    /// is purged.
    #[serde(default)]
    pub purge_bodies_after_days: Option<u32>,
    /// Delete statuses that arrived before their message and are older than
    /// this many hours (the message will not come any more).
    pub pending_status_max_age_hours: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            archive_after_days: 90,
            purge_after_days: 365 * 2,
            purge_bodies_after_days: None,
            pending_status_max_age_hours: 24 * 7,
        }
    }
}

impl RetentionPolicy {
    /// Refuse periods that make no sense (a typed validation error naming the field).
    pub fn validate(&self) -> crate::Result<()> {
        let p = self.purge_after_days;
        if !(MIN_PURGE_DAYS..=MAX_PERIOD_DAYS).contains(&p) {
            return Err(crate::Error::validation(
                "purge_after_days",
                format!("{p} is outside {MIN_PURGE_DAYS}..={MAX_PERIOD_DAYS} days"),
            ));
        }
        let a = self.archive_after_days;
        if a == 0 || a > p {
            return Err(crate::Error::validation(
                "archive_after_days",
                format!("{a} must be between 1 and purge_after_days ({p})"),
            ));
        }
        if let Some(b) = self
            .purge_bodies_after_days
            .filter(|b| *b == 0 || *b > MAX_PERIOD_DAYS)
        {
            return Err(crate::Error::validation(
                "purge_bodies_after_days",
                format!("{b} is outside 1..={MAX_PERIOD_DAYS} days"),
            ));
        }
        let h = self.pending_status_max_age_hours;
        if h == 0 || h as u64 > p as u64 * 24 {
            return Err(crate::Error::validation(
                "pending_status_max_age_hours",
                format!("{h} must be between 1 and the purge period ({p} days) in hours"),
            ));
        }
        Ok(())
    }
}

/// What a retention run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RetentionReport {
    /// Conversations archived.
    pub archived: u64,
    /// Archived conversations deleted.
    pub conversations_purged: u64,
    /// Messages deleted with them.
    pub messages_purged: u64,
    /// Message bodies dropped (records kept).
    pub bodies_purged: u64,
    /// Pending statuses expired.
    pub pending_expired: u64,
}

/// Apply `policy` as of `now`: validate, archive, purge, drop bodies, expire
/// pending statuses. Each step is atomic on its own and idempotent, so a run
/// cut short is completed by the next.
pub async fn apply_retention(
    stores: &Stores,
    policy: &RetentionPolicy,
    now: Millis,
) -> crate::Result<RetentionReport> {
    policy.validate()?;
    let days = |d: u32| now - d as i64 * DAY;
    let archived = stores
        .conversations
        .archive_closed_before(days(policy.archive_after_days))
        .await?;
    let purged = stores
        .conversations
        .purge_archived_before(days(policy.purge_after_days))
        .await?;
    let bodies_purged = match policy.purge_bodies_after_days {
        Some(d) => stores.messages.purge_bodies_before(days(d)).await?,
        None => 0,
    };
    let pending_expired = stores
        .messages
        .expire_pending_before(now - policy.pending_status_max_age_hours as i64 * HOUR)
        .await?;
    Ok(RetentionReport {
        archived,
        conversations_purged: purged.conversations,
        messages_purged: purged.messages,
        bodies_purged,
        pending_expired,
    })
}
