//! Audit log operations on top of any [`AuditLog`]: verify, checkpoint,
//! export (JSON lines or CSV) and retention of whole prefixes.

use std::io::Write;

use secrecy::{ExposeSecret, SecretString};

use super::chain::{AuditVerification, Verifier, sign_checkpoint};
use crate::store::{AuditCheckpoint, AuditEntry, AuditLog, CheckpointKind};
use crate::time::Millis;

const PAGE: usize = 2_000;

/// Walk the whole log and verify the chain and every checkpoint; `key` (the
/// retention HMAC key) also checks checkpoint signatures.
pub async fn verify(log: &dyn AuditLog, key: Option<&[u8]>) -> crate::Result<AuditVerification> {
    let mut v = Verifier::new(log.checkpoints().await?, key);
    let mut after = 0u64;
    loop {
        let page = log.list(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        // Positions may be out of order in a tampered log; page past the highest seen.
        after = after.max(page.iter().map(|e| e.seq).max().unwrap_or(last.seq));
        for e in &page {
            v.push(e);
        }
        if page.len() < PAGE {
            break;
        }
    }
    Ok(v.finish())
}

/// Record the current head as a checkpoint (signed when `key` is given), so a
/// later truncation of the tail is detected. `None` when the log is empty.
pub async fn checkpoint_head(
    log: &dyn AuditLog,
    key: Option<&[u8]>,
    now: Millis,
) -> crate::Result<Option<AuditCheckpoint>> {
    let Some(head) = log.last().await? else {
        return Ok(None);
    };
    let mut c = AuditCheckpoint {
        seq: head.seq,
        hash: head.hash,
        at: now,
        kind: CheckpointKind::Head,
        signature: None,
    };
    c.signature = key.map(|k| sign_checkpoint(&c, k));
    log.add_checkpoint(&c).await?;
    Ok(Some(c))
}

/// Export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line.
    JsonLines,
    /// CSV with a header row.
    Csv,
}

impl std::str::FromStr for ExportFormat {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "jsonl" | "ndjson" | "json-lines" => Ok(ExportFormat::JsonLines),
            "csv" => Ok(ExportFormat::Csv),
            other => Err(crate::Error::validation(
                "format",
                format!("{other:?}: use jsonl or csv"),
            )),
        }
    }
}

/// CSV columns, in order.
pub const CSV_COLUMNS: [&str; 10] = [
    "seq",
    "at",
    "actor",
    "action",
    "target",
    "client_id",
    "outcome",
    "details",
    "prev_hash",
    "hash",
];

/// Write entries with `from <= at < to` to `out`; returns how many.
pub async fn export(
    log: &dyn AuditLog,
    from: Option<Millis>,
    to: Option<Millis>,
    format: ExportFormat,
    out: &mut dyn Write,
) -> crate::Result<u64> {
    let io = |e: std::io::Error| crate::Error::Config(format!("export: {e}"));
    if format == ExportFormat::Csv {
        out.write_all(&csv_line(&CSV_COLUMNS.map(str::to_string))?)
            .map_err(io)?;
    }
    let mut n = 0u64;
    let mut after = 0u64;
    loop {
        let page = log.list(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = after.max(page.iter().map(|e| e.seq).max().unwrap_or(last.seq));
        for e in page.iter().filter(|e| in_range(e, from, to)) {
            n += 1;
            match format {
                ExportFormat::Csv => out.write_all(&csv_line(&csv_row(e))?).map_err(io)?,
                ExportFormat::JsonLines => {
                    serde_json::to_writer(&mut *out, e)?;
                    out.write_all(b"\n").map_err(io)?;
                }
            }
        }
        if page.len() < PAGE {
            break;
        }
    }
    out.flush().map_err(io)?;
    Ok(n)
}

/// One CSV record (quoted as needed) with its line end.
fn csv_line(fields: &[String; 10]) -> crate::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(256));
    w.write_record(fields)
        .map_err(|e| crate::Error::Config(format!("export: {e}")))?;
    w.into_inner()
        .map_err(|e| crate::Error::Config(format!("export: {e}")))
}

fn in_range(e: &AuditEntry, from: Option<Millis>, to: Option<Millis>) -> bool {
    from.is_none_or(|f| e.at >= f) && to.is_none_or(|t| e.at < t)
}

fn csv_row(e: &AuditEntry) -> [String; 10] {
    [
        e.seq.to_string(),
        e.at.to_string(),
        e.actor.clone(),
        e.action.clone(),
        e.target.clone(),
        e.client_id.clone().unwrap_or_default(),
        e.outcome.as_str().to_string(),
        e.details.to_string(),
        e.prev_hash.clone(),
        e.hash.clone(),
    ]
}

/// Audit retention. Without it the audit log is never purged.
pub struct AuditRetention {
    /// Purge entries older than this many days (whole prefixes only).
    pub keep_days: u32,
    /// HMAC key that signs the purge checkpoint (required: an unsigned cut could be forged).
    pub key: SecretString,
}

impl AuditRetention {
    /// Keep `keep_days` days; sign purge checkpoints with `key`.
    pub fn new(keep_days: u32, key: impl Into<String>) -> AuditRetention {
        AuditRetention {
            keep_days,
            key: SecretString::from(key.into()),
        }
    }
}

impl std::fmt::Debug for AuditRetention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditRetention")
            .field("keep_days", &self.keep_days)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// Purge the longest prefix of entries older than the retention period,
/// behind a signed `purge` checkpoint; the log must verify first (a purge never
/// hides tampering). Returns the checkpoint, or `None` when nothing was old enough.
pub async fn purge_audit(
    log: &dyn AuditLog,
    policy: Option<&AuditRetention>,
    now: Millis,
) -> crate::Result<Option<(AuditCheckpoint, u64)>> {
    let Some(policy) = policy else {
        return Ok(None);
    };
    if policy.key.expose_secret().is_empty() {
        return Err(crate::Error::Config(
            "audit retention needs a non-empty HMAC key".into(),
        ));
    }
    let key = policy.key.expose_secret().as_bytes();
    let report = verify(log, Some(key)).await?;
    if let Some(p) = report.problem {
        return Err(crate::Error::Store {
            message: format!("audit log does not verify, refusing to purge: {p}"),
            retryable: false,
        });
    }
    let cutoff = now - policy.keep_days as i64 * crate::time::DAY;
    let mut cut: Option<AuditEntry> = None;
    let mut after = 0u64;
    'scan: loop {
        let page = log.list(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            // Only sealed entries can anchor a checkpoint; stop at the first young one.
            if e.at >= cutoff {
                break 'scan;
            }
            if !e.hash.is_empty() {
                cut = Some(e.clone());
            }
        }
        if page.len() < PAGE {
            break;
        }
    }
    let Some(cut) = cut else { return Ok(None) };
    let mut c = AuditCheckpoint {
        seq: cut.seq,
        hash: cut.hash,
        at: now,
        kind: CheckpointKind::Purge,
        signature: None,
    };
    c.signature = Some(sign_checkpoint(&c, key));
    let n = log.purge_through(&c).await?;
    Ok(Some((c, n)))
}
