//! Retention: archive closed conversations after a period and purge message
//! bodies past it. Periods from 90 days to many years are typical.

use serde::{Deserialize, Serialize};

use super::Stores;
use crate::time::Millis;

/// How long to keep things.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// Archive conversations closed longer ago than this many days.
    pub archive_after_days: u32,
    /// Drop message bodies older than this many days (metadata and statuses stay).
    pub purge_bodies_after_days: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            archive_after_days: 90,
            purge_bodies_after_days: 365,
        }
    }
}

/// What a retention run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RetentionReport {
    /// Conversations archived.
    pub archived: u64,
    /// Message bodies purged.
    pub purged: u64,
}

/// Apply `policy` as of `now`.
pub async fn apply_retention(
    stores: &Stores,
    policy: &RetentionPolicy,
    now: Millis,
) -> crate::Result<RetentionReport> {
    let archived = stores
        .conversations
        .archive_closed_before(now - policy.archive_after_days as i64 * crate::time::DAY)
        .await?;
    let purged = stores
        .messages
        .purge_bodies_before(now - policy.purge_bodies_after_days as i64 * crate::time::DAY)
        .await?;
    Ok(RetentionReport { archived, purged })
}
