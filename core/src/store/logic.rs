//! Rules every adapter applies the same way: the status ladder, contact merge,
//! lease checks and claim order.

use super::types::*;
use crate::time::Millis;

/// Apply `s` to a message record in place.
pub fn apply_status_to(m: &mut MessageRecord, s: &StatusUpdate) -> StatusApplied {
    let current = m.status.unwrap_or(MessageStatus::Accepted);
    if current == MessageStatus::Failed {
        return StatusApplied::Ignored(format!("{} after failed", s.status.as_str()));
    }
    if s.status == current {
        return StatusApplied::Ignored(format!("duplicate {}", s.status.as_str()));
    }
    if s.status != MessageStatus::Failed && s.status.rank() < current.rank() {
        // Out of order: remember when it happened, but never move backwards.
        m.status_times
            .entry(s.status.as_str().to_string())
            .or_insert(s.at);
        return StatusApplied::Ignored(format!("{} after {}", s.status.as_str(), current.as_str()));
    }
    m.status = Some(s.status);
    m.status_times.insert(s.status.as_str().to_string(), s.at);
    if s.error.is_some() {
        m.error = s.error.clone();
    }
    StatusApplied::Applied
}

/// Unite `absorbed` into `survivor` (survivor's values win where both are set).
pub fn merged_contact(survivor: &Contact, absorbed: &Contact, now: Millis) -> Contact {
    let mut c = survivor.clone();
    macro_rules! fill {
        ($($f:ident),*) => {$( if c.$f.is_none() { c.$f = absorbed.$f.clone(); } )*};
    }
    fill!(
        e164,
        wa_id,
        bsuid,
        name,
        first_name,
        last_name,
        email,
        city,
        external_id,
        time_zone
    );
    c.tags.extend(absorbed.tags.iter().cloned());
    for (k, v) in &absorbed.attributes {
        c.attributes.entry(k.clone()).or_insert_with(|| v.clone());
    }
    // Keep the absorbed record's other phone, so no identity is lost.
    if let (Some(a), Some(s)) = (&absorbed.e164, &survivor.e164)
        && a != s
    {
        c.attributes
            .entry("merged_phones".into())
            .or_insert_with(|| serde_json::json!([]));
        if let Some(arr) = c
            .attributes
            .get_mut("merged_phones")
            .and_then(|v| v.as_array_mut())
            && !arr.iter().any(|x| x == a.as_str())
        {
            arr.push(serde_json::json!(a));
        }
    }
    c.opted_in |= absorbed.opted_in;
    c.created_at = survivor.created_at.min(absorbed.created_at);
    c.updated_at = now;
    c.version = survivor.version + 1;
    c
}

/// Whether an item may be claimed at `now`.
pub fn claimable(item: &OutboxItem, now: Millis) -> bool {
    match &item.state {
        OutboxState::Queued | OutboxState::RetryLater | OutboxState::Deferred { .. } => {
            item.not_before <= now
        }
        OutboxState::Leased { until, .. } => *until <= now,
        _ => false,
    }
}

/// Claim order: lane, then due time, then age.
pub fn claim_order(a: &OutboxItem, b: &OutboxItem) -> std::cmp::Ordering {
    (a.lane, a.not_before, a.created_at, &a.id).cmp(&(b.lane, b.not_before, b.created_at, &b.id))
}

/// Check that `lease` still holds `item`.
pub fn check_lease(item: &OutboxItem, lease: &LeaseToken) -> StoreResult<()> {
    match &item.state {
        OutboxState::Leased { worker, until }
            if *worker == lease.worker && *until == lease.until =>
        {
            Ok(())
        }
        other => Err(StoreError::LeaseLost(format!(
            "item {} is {} (lease of {} until {})",
            item.id,
            other.name(),
            lease.worker,
            lease.until
        ))),
    }
}

/// The cursor of a time-ordered listing: `created_at` and id of the last item.
pub fn time_cursor(at: Millis, id: &str) -> String {
    format!("{at}:{id}")
}

/// Read a cursor made by [`time_cursor`].
pub fn parse_time_cursor(c: &str) -> StoreResult<(Millis, String)> {
    c.split_once(':')
        .and_then(|(t, id)| Some((t.parse::<Millis>().ok()?, id.to_string())))
        .ok_or_else(|| StoreError::Corrupt {
            key: "cursor".into(),
            message: format!("not a time cursor: {c:?}"),
        })
}

/// Count items per state.
pub fn count_state(stats: &mut OutboxStats, s: &OutboxState) {
    match s {
        OutboxState::Queued => stats.queued += 1,
        OutboxState::Leased { .. } => stats.leased += 1,
        OutboxState::Sent { .. } => stats.sent += 1,
        OutboxState::Deferred { .. } => stats.deferred += 1,
        OutboxState::RetryLater => stats.retry_later += 1,
        OutboxState::Parked { .. } => stats.parked += 1,
    }
}

/// A purge checkpoint must name an existing entry by its exact hash, so
/// retention can only cut the chain at a point the verifier can pick up from.
pub(crate) fn check_purge(c: &AuditCheckpoint, entry: Option<&AuditEntry>) -> StoreResult<()> {
    if c.kind != CheckpointKind::Purge {
        return Err(StoreError::Backend {
            message: "purge_through needs a purge checkpoint".into(),
            retryable: false,
        });
    }
    match entry {
        Some(e) if e.hash == c.hash && !e.hash.is_empty() => Ok(()),
        Some(_) => Err(StoreError::Corrupt {
            key: format!("audit_log/{}", c.seq),
            message: "the entry's hash is not the one the purge checkpoint names".into(),
        }),
        None => Err(StoreError::NotFound(format!("audit entry {}", c.seq))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{MessageId, PhoneNumberId};

    fn msg() -> MessageRecord {
        MessageRecord {
            id: MessageId::new("wamid.1"),
            phone_number_id: PhoneNumberId::new("1"),
            conversation_id: None,
            contact_id: None,
            direction: Direction::Outbound,
            msg_type: "text".into(),
            body: serde_json::Value::Null,
            status: Some(MessageStatus::Accepted),
            status_times: Default::default(),
            error: None,
            agent_id: None,
            campaign_id: None,
            created_at: 0,
        }
    }

    fn st(s: MessageStatus, at: Millis) -> StatusUpdate {
        StatusUpdate {
            message_id: MessageId::new("wamid.1"),
            status: s,
            at,
            error: None,
        }
    }

    #[test]
    fn ladder_is_monotone_and_failed_terminal() {
        let mut m = msg();
        assert_eq!(
            apply_status_to(&mut m, &st(MessageStatus::Read, 3)),
            StatusApplied::Applied
        );
        assert!(matches!(
            apply_status_to(&mut m, &st(MessageStatus::Delivered, 2)),
            StatusApplied::Ignored(_)
        ));
        assert_eq!(m.status, Some(MessageStatus::Read));
        assert_eq!(
            m.status_times.get("delivered"),
            Some(&2),
            "late statuses still record their time"
        );
        assert!(matches!(
            apply_status_to(&mut m, &st(MessageStatus::Read, 4)),
            StatusApplied::Ignored(_)
        ));
        assert_eq!(
            apply_status_to(&mut m, &st(MessageStatus::Failed, 5)),
            StatusApplied::Applied
        );
        assert!(matches!(
            apply_status_to(&mut m, &st(MessageStatus::Played, 6)),
            StatusApplied::Ignored(_)
        ));
    }
}
