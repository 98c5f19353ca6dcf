//! Health across restarts: restored from the sync state store before an
//! engine's first run, saved after each run that changed it.

use super::SyncEngine;
use crate::Result;
use crate::crm::health::StoredHealth;

impl SyncEngine {
    /// Before a run (under the run lock): the first one adds the saved
    /// health of this engine's name to the live counts, so a restart goes on
    /// counting instead of overwriting the history with a fresh zero.
    pub(crate) async fn restore_health(&self) -> Result<()> {
        if self.health_saved.lock().is_some() {
            return Ok(());
        }
        if let Some(saved) = StoredHealth::load(self.sync.as_ref(), &self.opts.name).await? {
            self.health.restore(&saved.health);
        }
        *self.health_saved.lock() = Some(self.health.snapshot());
        Ok(())
    }

    /// After a run (under the run lock), whatever its outcome: what was
    /// counted before a failure happened too. Skipped when nothing changed,
    /// so an idle real-time loop does not write on every tick. The run's
    /// error comes first; a failed save fails an otherwise good run, as any
    /// other state write of the run would.
    pub(crate) async fn save_health_after<T>(&self, run: Result<T>) -> Result<T> {
        let saved = self.save_health().await;
        match (run, saved) {
            (Ok(v), Ok(())) => Ok(v),
            (Ok(_), Err(e)) => Err(e),
            (Err(e), Ok(())) => Err(e),
            (Err(e), Err(s)) => {
                tracing::warn!(error = %s, "crm health not saved after a failed run");
                Err(e)
            }
        }
    }

    async fn save_health(&self) -> Result<()> {
        let snap = self.health.snapshot();
        if self.health_saved.lock().as_ref() == Some(&snap) {
            return Ok(());
        }
        StoredHealth {
            connector: self.connector.name().to_string(),
            mapping: self.opts.name.clone(),
            updated_at: self.clock.now_millis(),
            health: snap.clone(),
        }
        .save(self.sync.as_ref())
        .await?;
        *self.health_saved.lock() = Some(snap);
        Ok(())
    }
}
