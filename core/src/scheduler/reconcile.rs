//! Exactly-once sends against an API that ignores `Idempotency-Key` (Meta's).
//!
//! A send whose answer is lost — the connection dropped after the request left,
//! a timeout, a 5xx, or the worker killed before it recorded the answer — may
//! or may not have been accepted. Resending at once can deliver the message
//! twice, so the scheduler proves the outcome first:
//!
//! 1. Before each send, the worker records an *attempt* for the item (sync
//!    state `outbox.attempt`, keyed by the item's callback token), and sends
//!    with `biz_opaque_callback_data` carrying that token
//!    (`client::callback`).
//! 2. Meta echoes the callback data on every status webhook of the message;
//!    `WebhookProcessor` records token → wamid (`outbox.accepted`) for each.
//! 3. An item claimed again (`attempts > 1`) with an open attempt is checked:
//!    accepted → completed as sent with that wamid (*reconciled*); no evidence
//!    yet → deferred, polling, up to [`ReconcileConfig::wait`] after the
//!    attempt; no evidence after the wait → sent again (*resent*) or parked,
//!    as [`ReconcileConfig::no_evidence`] says. A known refusal (4xx, 429, a
//!    connection that was never made) closes the attempt, so it is retried
//!    without waiting.
//!
//! What each item came to is kept in `outbox.reconcile` (`reconciled:<wamid>`,
//! `resent:<n>`, `parked`), so counts survive a killed worker. A send never
//! starts in the last quarter of its lease (see [`lease_allows_send`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::client::callback;
use crate::error::{Error, ErrorKind};
use crate::store::{OutboxItem, Stores, SyncStateStore};
use crate::time::Millis;

/// Sync-state connector of token → wamid evidence from status webhooks.
pub const ACCEPTED: &str = "outbox.accepted";
/// Sync-state connector of open send attempts (token → epoch ms; empty = closed).
pub const ATTEMPT: &str = "outbox.attempt";
/// Sync-state connector of what reconciliation decided per item.
pub const OUTCOME: &str = "outbox.reconcile";
/// Deferral reason while an unknown outcome waits for its status webhook.
pub const AWAITING: &str = "outcome unknown: awaiting a status webhook";

/// What to do when no status webhook proved an unknown outcome within the wait.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoEvidence {
    /// Send again (a double send only if the webhook is later than the wait).
    #[default]
    Resend,
    /// Park the item with a reason for a person to decide.
    Park,
}

/// Reconciliation settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReconcileConfig {
    /// Off: an unknown outcome is retried like any transient failure (and may
    /// be delivered twice by an API that ignores `Idempotency-Key`).
    pub enabled: bool,
    /// Longest wait for a status webhook after an attempt with an unknown outcome.
    pub wait: Duration,
    /// How often a waiting item is checked again.
    pub poll: Duration,
    /// What happens when the wait passes without evidence.
    pub no_evidence: NoEvidence,
    /// Resends without evidence per item before it is parked instead.
    pub max_resends: u32,
}

impl Default for ReconcileConfig {
    fn default() -> Self {
        // Meta posts the `sent` status within seconds; two minutes covers a slow
        // webhook endpoint without holding a lost message for long.
        ReconcileConfig {
            enabled: true,
            wait: Duration::from_secs(120),
            poll: Duration::from_secs(5),
            no_evidence: NoEvidence::Resend,
            max_resends: 3,
        }
    }
}

/// The decision for an item claimed again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No open attempt: send normally.
    Fresh,
    /// A status webhook proved the earlier attempt accepted as this wamid.
    Accepted(String),
    /// No evidence yet: check again at this time.
    Wait(Millis),
    /// No evidence within the wait: send again (the item's resend number).
    Resend(u32),
    /// No evidence within the wait: park with this reason.
    Park(String),
}

/// Whether an error leaves it unknown if the API accepted the message: the
/// request may have reached it (a dropped or timed-out exchange, a 5xx). A
/// connection never made and every answer with a refusal are known outcomes.
pub fn is_unknown_outcome(e: &Error) -> bool {
    match e {
        Error::Network(n) => !n.is_connect(),
        _ => e.kind() == ErrorKind::Transient,
    }
}

/// Record, from a status webhook's callback data, that the item it names was
/// accepted as `wamid`. Values the scheduler did not send are ignored.
pub async fn record_evidence(
    sync: &dyn SyncStateStore,
    callback_data: &str,
    wamid: &str,
) -> crate::Result<bool> {
    let Some(token) = callback::decode(callback_data).item else {
        return Ok(false);
    };
    sync.set_cursor(ACCEPTED, token, wamid).await?;
    Ok(true)
}

/// Open an attempt for `item` just before its request leaves.
pub async fn open_attempt(stores: &Stores, item: &OutboxItem, now: Millis) -> crate::Result<()> {
    let token = callback::item_token(&item.id);
    Ok(stores
        .sync
        .set_cursor(ATTEMPT, &token, &now.to_string())
        .await?)
}

/// Close the attempt of `item`: the API answered, and did not accept it.
pub async fn close_attempt(stores: &Stores, item: &OutboxItem) -> crate::Result<()> {
    let token = callback::item_token(&item.id);
    Ok(stores.sync.set_cursor(ATTEMPT, &token, "").await?)
}

/// Keep what reconciliation decided for `item`.
pub async fn record_outcome(
    stores: &Stores,
    item: &OutboxItem,
    outcome: &str,
) -> crate::Result<()> {
    let token = callback::item_token(&item.id);
    Ok(stores.sync.set_cursor(OUTCOME, &token, outcome).await?)
}

/// What reconciliation decided for outbox item `item_id` (`None` when it never had to).
pub async fn outcome_of(stores: &Stores, item_id: &str) -> crate::Result<Option<String>> {
    let token = callback::item_token(item_id);
    Ok(stores.sync.get_cursor(OUTCOME, &token).await?)
}

/// Whether a send may still start under a lease ending at `until`: not in its
/// last quarter (at most 5 s). Another worker claims the item only after
/// `until`, so it finds this send's attempt open and waits for its outcome
/// instead of sending the item a second time.
pub fn lease_allows_send(until: Millis, lease: Duration, now: Millis) -> bool {
    let margin = (lease.as_millis() as Millis / 4).min(5_000);
    now + margin < until
}

/// Decide for an item claimed again.
pub async fn check(
    stores: &Stores,
    cfg: &ReconcileConfig,
    item: &OutboxItem,
    now: Millis,
) -> crate::Result<Verdict> {
    let token = callback::item_token(&item.id);
    let Some(opened) = stores
        .sync
        .get_cursor(ATTEMPT, &token)
        .await?
        .and_then(|v| v.parse::<Millis>().ok())
    else {
        return Ok(Verdict::Fresh);
    };
    if let Some(wamid) = stores.sync.get_cursor(ACCEPTED, &token).await? {
        return Ok(Verdict::Accepted(wamid));
    }
    let deadline = opened + cfg.wait.as_millis() as Millis;
    if now < deadline {
        let next = now + (cfg.poll.as_millis() as Millis).max(1);
        return Ok(Verdict::Wait(next.min(deadline)));
    }
    let waited = cfg.wait.as_secs_f64();
    let resends = stores
        .sync
        .get_cursor(OUTCOME, &token)
        .await?
        .and_then(|o| {
            o.strip_prefix("resent:")
                .and_then(|n| n.parse::<u32>().ok())
        })
        .unwrap_or(0);
    Ok(match cfg.no_evidence {
        NoEvidence::Resend if resends < cfg.max_resends => Verdict::Resend(resends + 1),
        NoEvidence::Resend => Verdict::Park(format!(
            "outcome unknown: no status webhook within {waited} s of each of {} sends",
            resends + 1
        )),
        NoEvidence::Park => Verdict::Park(format!(
            "outcome unknown: no status webhook within {waited} s; not resent"
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Category, Lane, OutboxState};

    fn item(id: &str) -> OutboxItem {
        OutboxItem {
            id: id.into(),
            idempotency_key: crate::ids::IdempotencyKey::new(id),
            phone_number_id: crate::ids::PhoneNumberId::new("1"),
            recipient: "+15550001".into(),
            payload: serde_json::Value::Null,
            category: Category::Utility,
            lane: Lane::Notification,
            campaign_id: None,
            not_before: 0,
            attempts: 2,
            state: OutboxState::Queued,
            last_error: None,
            history: Vec::new(),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn cfg() -> ReconcileConfig {
        ReconcileConfig {
            wait: Duration::from_millis(1_000),
            poll: Duration::from_millis(100),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn an_open_attempt_waits_then_is_proved_by_its_status_webhook() {
        let stores = Stores::memory();
        let it = item("ob:k1");
        assert_eq!(
            check(&stores, &cfg(), &it, 0).await.unwrap(),
            Verdict::Fresh
        );
        open_attempt(&stores, &it, 10_000).await.unwrap();
        assert_eq!(
            check(&stores, &cfg(), &it, 10_050).await.unwrap(),
            Verdict::Wait(10_150)
        );
        assert_eq!(
            check(&stores, &cfg(), &it, 10_950).await.unwrap(),
            Verdict::Wait(11_000),
            "never past the deadline"
        );
        let cb = callback::encode(Some("camp"), &it.id);
        assert!(
            record_evidence(&*stores.sync, &cb, "wamid.A")
                .await
                .unwrap()
        );
        assert!(
            !record_evidence(&*stores.sync, "camp", "wamid.B")
                .await
                .unwrap()
        );
        assert_eq!(
            check(&stores, &cfg(), &it, 10_060).await.unwrap(),
            Verdict::Accepted("wamid.A".into())
        );
    }

    #[tokio::test]
    async fn no_evidence_after_the_wait_resends_or_parks_and_a_refusal_closes_the_attempt() {
        let stores = Stores::memory();
        let it = item("ob:k2");
        open_attempt(&stores, &it, 0).await.unwrap();
        assert_eq!(
            check(&stores, &cfg(), &it, 1_000).await.unwrap(),
            Verdict::Resend(1)
        );
        record_outcome(&stores, &it, "resent:3").await.unwrap();
        assert!(matches!(
            check(&stores, &cfg(), &it, 1_000).await.unwrap(),
            Verdict::Park(r) if r.contains("4 sends")
        ));
        let park = ReconcileConfig {
            no_evidence: NoEvidence::Park,
            ..cfg()
        };
        assert!(matches!(
            check(&stores, &park, &it, 5_000).await.unwrap(),
            Verdict::Park(r) if r.contains("not resent")
        ));
        close_attempt(&stores, &it).await.unwrap();
        assert_eq!(
            check(&stores, &cfg(), &it, 5_000).await.unwrap(),
            Verdict::Fresh
        );
    }

    #[test]
    fn a_send_never_starts_in_the_last_quarter_of_its_lease() {
        let lease = Duration::from_millis(1_000);
        assert!(lease_allows_send(2_000, lease, 1_000));
        assert!(lease_allows_send(2_000, lease, 1_700));
        assert!(!lease_allows_send(2_000, lease, 1_750));
        assert!(!lease_allows_send(2_000, lease, 2_500));
        assert!(!lease_allows_send(100_000, Duration::from_secs(60), 95_000));
    }

    #[test]
    fn only_answers_that_could_hide_an_acceptance_are_unknown() {
        let server = Error::from_graph(
            crate::error::GraphError {
                code: 131000,
                message: "Something went wrong".into(),
                ..Default::default()
            },
            500,
            None,
        );
        assert!(is_unknown_outcome(&server));
        let refused = Error::from_graph(
            crate::error::GraphError {
                code: 131026,
                message: "undeliverable".into(),
                ..Default::default()
            },
            400,
            None,
        );
        assert!(!is_unknown_outcome(&refused));
    }
}
