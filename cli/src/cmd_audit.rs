//! `wacrm audit ...` (C13): verify the hash-chained audit log, record a head
//! checkpoint, and export entries as JSON lines or CSV.

use std::process::ExitCode;
use std::sync::Arc;

use wacrm::access::{Console, ExportFormat};
use wacrm::store::Stores;

use crate::output::print_error;

/// Audit subcommands.
#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Verify the chain: exit 0 with the entry count, or exit 1 naming the first
    /// entry that does not verify and why.
    Verify {
        /// Store URL (`sqlite://path`, `postgres://...`).
        #[arg(long, env = "WACRM_DB")]
        db: String,
        /// HMAC key of the checkpoints (also checks their signatures).
        #[arg(long, env = "WACRM_AUDIT_KEY", hide_env_values = true)]
        key: Option<String>,
    },
    /// Record the current chain head as a checkpoint, so a truncated tail is detected later.
    Checkpoint {
        /// Store URL.
        #[arg(long, env = "WACRM_DB")]
        db: String,
        /// HMAC key that signs the checkpoint.
        #[arg(long, env = "WACRM_AUDIT_KEY", hide_env_values = true)]
        key: Option<String>,
    },
    /// Export entries (`from <= at < to`) to stdout.
    Export {
        /// Store URL.
        #[arg(long, env = "WACRM_DB")]
        db: String,
        /// From (RFC 3339 or epoch milliseconds), inclusive.
        #[arg(long)]
        from: Option<String>,
        /// To (RFC 3339 or epoch milliseconds), exclusive.
        #[arg(long)]
        to: Option<String>,
        /// `jsonl` or `csv`.
        #[arg(long, default_value = "jsonl")]
        format: String,
    },
}

/// RFC 3339 or epoch milliseconds.
pub fn parse_time(field: &str, s: &str) -> wacrm::Result<i64> {
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|e| {
            wacrm::Error::validation(
                field,
                format!("{s:?} is neither RFC 3339 nor epoch milliseconds: {e}"),
            )
        })
}

/// The console an operator acts through (audited as `operator:cli`).
pub async fn console(db: &str) -> wacrm::Result<Console> {
    let stores = Stores::from_url(db).await?;
    Ok(Console::new(stores, Arc::new(wacrm::SystemClock)))
}

/// Run an audit subcommand.
pub async fn run(cmd: AuditCommand) -> ExitCode {
    match go(cmd).await {
        Ok(code) => code,
        Err(e) => print_error(&e),
    }
}

async fn go(cmd: AuditCommand) -> wacrm::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify { db, key } => {
            let console = console(&db).await?;
            let op = console.operator("cli");
            let r = op.verify_audit(key.as_deref().map(str::as_bytes)).await?;
            println!("{}", serde_json::to_string(&r)?);
            match &r.problem {
                None => {
                    eprintln!(
                        "ok: {} entries verified ({} before the chain, {} checkpoints)",
                        r.entries, r.legacy, r.checkpoints
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(p) => {
                    eprintln!("audit log does not verify: {p}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        AuditCommand::Checkpoint { db, key } => {
            let console = console(&db).await?;
            let c = wacrm::access::checkpoint_head(
                console.stores().audit.as_ref(),
                key.as_deref().map(str::as_bytes),
                chrono::Utc::now().timestamp_millis(),
            )
            .await?;
            println!("{}", serde_json::to_string(&c)?);
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Export {
            db,
            from,
            to,
            format,
        } => {
            let format: ExportFormat = format.parse()?;
            let from = from.map(|s| parse_time("from", &s)).transpose()?;
            let to = to.map(|s| parse_time("to", &s)).transpose()?;
            let console = console(&db).await?;
            let op = console.operator("cli");
            let mut out = std::io::BufWriter::new(std::io::stdout());
            let n = op.export_audit(from, to, format, &mut out).await?;
            drop(out);
            eprintln!("exported {n} entries");
            Ok(ExitCode::SUCCESS)
        }
    }
}
