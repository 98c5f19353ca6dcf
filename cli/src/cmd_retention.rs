//! `wacrm retention`: apply a retention policy to a store once, or every
//! `--every` seconds until stopped (the task `wacrm::store::RetentionTask`
//! runs in the background of a worker or console the same way).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use wacrm::store::{RetentionPolicy, RetentionTask, Stores, apply_retention};
use wacrm::{Clock, SystemClock};

/// Arguments of `wacrm retention`.
#[derive(clap::Args)]
pub struct RetentionArgs {
    /// Store URL (`sqlite://PATH`, `postgres://...`).
    #[arg(long)]
    pub db: String,
    /// Archive conversations closed this many days ago.
    #[arg(long, default_value_t = RetentionPolicy::default().archive_after_days)]
    pub archive_after_days: u32,
    /// Delete archived conversations (and their messages) closed this many days ago (90 at least).
    #[arg(long, default_value_t = RetentionPolicy::default().purge_after_days)]
    pub purge_after_days: u32,
    /// Drop message bodies older than this many days (kept when not given).
    #[arg(long)]
    pub purge_bodies_after_days: Option<u32>,
    /// Expire statuses whose message never arrived after this many hours.
    #[arg(long, default_value_t = RetentionPolicy::default().pending_status_max_age_hours)]
    pub pending_max_age_hours: u32,
    /// Run again every this many seconds until interrupted (once when not given).
    #[arg(long)]
    pub every: Option<u64>,
}

pub async fn run(a: RetentionArgs) -> ExitCode {
    match retention(a).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::output::print_error(&e),
    }
}

async fn retention(a: RetentionArgs) -> wacrm::Result<()> {
    let policy = RetentionPolicy {
        archive_after_days: a.archive_after_days,
        purge_after_days: a.purge_after_days,
        purge_bodies_after_days: a.purge_bodies_after_days,
        pending_status_max_age_hours: a.pending_max_age_hours,
    };
    policy.validate()?;
    let stores = Stores::from_url(&a.db).await?;
    let Some(every) = a.every else {
        let report = apply_retention(&stores, &policy, SystemClock.now_millis()).await?;
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    };
    if every == 0 {
        return Err(wacrm::Error::validation(
            "every",
            "must be at least 1 second",
        ));
    }
    let task = RetentionTask::spawn(
        stores,
        policy,
        Duration::from_secs(every),
        Arc::new(SystemClock),
    )?;
    // One JSON line per run, until Ctrl-C.
    let mut printed = (0, 0);
    let mut poll = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = poll.tick() => {
                let r = task.runs();
                if (r.runs, r.failures) != printed {
                    printed = (r.runs, r.failures);
                    let line = serde_json::json!({
                        "runs": r.runs,
                        "failures": r.failures,
                        "last": r.last,
                        "last_error": r.last_error,
                    });
                    println!("{line}");
                }
            }
        }
    }
    task.stop();
    Ok(())
}
