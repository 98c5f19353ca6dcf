//! Retention on a timer: a background task that applies a
//! [`RetentionPolicy`] at start and then at a fixed period, so archives and
//! purges happen without an operator remembering to run them. Every run is
//! idempotent (see [`apply_retention`]), so several processes running the
//! task against one PostgreSQL store only repeat each other's work.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::task::JoinHandle;

use super::{RetentionPolicy, RetentionReport, Stores, apply_retention};
use crate::time::SharedClock;

/// What the task has done so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetentionRuns {
    /// Runs that completed.
    pub runs: u64,
    /// Runs that failed (the next run tries again).
    pub failures: u64,
    /// The report of the last completed run.
    pub last: Option<RetentionReport>,
    /// The error of the last failed run.
    pub last_error: Option<String>,
}

/// A running retention task; stops when dropped or on [`RetentionTask::stop`].
pub struct RetentionTask {
    handle: JoinHandle<()>,
    runs: Arc<Mutex<RetentionRuns>>,
}

impl RetentionTask {
    /// Validate `policy`, then apply it now and every `every` (the time it
    /// is applied as of comes from `clock`). Needs a Tokio runtime.
    pub fn spawn(
        stores: Stores,
        policy: RetentionPolicy,
        every: Duration,
        clock: SharedClock,
    ) -> crate::Result<RetentionTask> {
        policy.validate()?;
        if every.is_zero() {
            return Err(crate::Error::validation(
                "every",
                "the retention period must be longer than zero",
            ));
        }
        let runs = Arc::new(Mutex::new(RetentionRuns::default()));
        let seen = runs.clone();
        let handle = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let outcome = apply_retention(&stores, &policy, clock.now_millis()).await;
                let mut r = seen.lock();
                match outcome {
                    Ok(report) => {
                        tracing::info!(
                            archived = report.archived,
                            conversations_purged = report.conversations_purged,
                            messages_purged = report.messages_purged,
                            bodies_purged = report.bodies_purged,
                            pending_expired = report.pending_expired,
                            "retention applied"
                        );
                        r.runs += 1;
                        r.last = Some(report);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "retention run failed; the next run retries");
                        r.failures += 1;
                        r.last_error = Some(e.to_string());
                    }
                }
            }
        });
        Ok(RetentionTask { handle, runs })
    }

    /// Runs so far.
    pub fn runs(&self) -> RetentionRuns {
        self.runs.lock().clone()
    }

    /// Stop the task (a run in progress is abandoned; its steps are atomic).
    pub fn stop(self) {
        self.handle.abort();
    }
}

impl Drop for RetentionTask {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AgentId, ContactId, ConversationId, PhoneNumberId};
    use crate::store::{Conversation, ConversationStatus};
    use crate::time::{DAY, ManualClock};

    fn closed(id: &str, at: i64) -> Conversation {
        Conversation {
            id: ConversationId::new(id),
            contact_id: ContactId::new("c1"),
            phone_number_id: PhoneNumberId::new("n1"),
            status: ConversationStatus::Closed,
            agent_id: Some(AgentId::new("a1")),
            priority: 0,
            opened_at: at,
            assigned_at: None,
            last_inbound_at: None,
            last_outbound_at: None,
            first_response_at: None,
            last_human_reply_at: None,
            closed_at: Some(at),
        }
    }

    async fn wait_for_runs(task: &RetentionTask, n: u64) -> RetentionRuns {
        for _ in 0..400 {
            let r = task.runs();
            if r.runs >= n {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("retention task ran {:?}", task.runs());
    }

    #[tokio::test]
    async fn runs_at_start_and_again_as_time_passes() {
        let stores = Stores::memory();
        let t0 = 1_750_000_000_000;
        let clock = Arc::new(ManualClock::new(t0));
        stores
            .conversations
            .create(&closed("old", t0 - 100 * DAY))
            .await
            .unwrap();
        let policy = RetentionPolicy::default();
        let task = RetentionTask::spawn(
            stores.clone(),
            policy.clone(),
            Duration::from_millis(20),
            clock.clone(),
        )
        .unwrap();
        // First run: archived (closed 100 days ago), not purged yet.
        let first = wait_for_runs(&task, 1).await;
        assert_eq!(first.last.as_ref().unwrap().archived, 1, "{first:?}");
        assert_eq!(first.last.as_ref().unwrap().conversations_purged, 0);
        // Two years later the next run purges it.
        clock.advance(Duration::from_millis(
            (policy.purge_after_days as u64) * DAY as u64,
        ));
        let later = wait_for_runs(&task, first.runs + 2).await;
        assert_eq!(later.failures, 0, "{later:?}");
        assert!(
            stores
                .conversations
                .get(&ConversationId::new("old"))
                .await
                .unwrap()
                .is_none(),
            "purged by a later run: {later:?}"
        );
        task.stop();
    }

    #[tokio::test]
    async fn a_bad_policy_or_period_is_refused() {
        let stores = Stores::memory();
        let clock = Arc::new(ManualClock::new(0));
        let bad = RetentionPolicy {
            purge_after_days: 10,
            ..Default::default()
        };
        assert!(
            RetentionTask::spawn(stores.clone(), bad, Duration::from_secs(1), clock.clone())
                .is_err()
        );
        assert!(
            RetentionTask::spawn(stores, RetentionPolicy::default(), Duration::ZERO, clock)
                .is_err()
        );
    }
}
