//! `wacrm report` (C10): the analytics report recomputed from a store, as
//! JSON, CSV sections or one self-contained HTML page.

use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, TimeZone};
use chrono_tz::Tz;
use wacrm::analytics::{ReportConfig, recompute, render_csv, render_html};
use wacrm::store::Stores;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The report as one JSON object.
    Json,
    /// CSV sections, each with a header row.
    Csv,
    /// One self-contained HTML file.
    Html,
}

/// Arguments of `wacrm report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// Store URL (`sqlite://PATH`, `memory:`).
    #[arg(long)]
    pub db: String,
    /// Range start: a date (midnight in `--tz`) or an RFC 3339 time. Default: the beginning.
    #[arg(long)]
    pub from: Option<String>,
    /// Range end: a date (that whole day included) or an RFC 3339 time (exclusive). Default: everything.
    #[arg(long)]
    pub to: Option<String>,
    /// IANA time zone of days and of the hour-of-week histogram.
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// How many hot words.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Count automated replies as first responses.
    #[arg(long)]
    pub include_automated: bool,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Format,
    /// Write here instead of stdout.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

/// A `--from`/`--to` value in milliseconds; `end`: a bare date means the end of that day.
pub fn parse_time(field: &str, s: &str, tz: Tz, end: bool) -> wacrm::Result<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        wacrm::Error::validation(
            field,
            format!("{s:?} is neither a date (YYYY-MM-DD) nor an RFC 3339 time"),
        )
    })?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A midnight skipped by a DST change resolves to the first valid instant.
    let local = tz
        .from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                .earliest()
        })
        .ok_or_else(|| wacrm::Error::validation(field, format!("{s} does not exist in {tz}")))?;
    Ok(local.timestamp_millis())
}

/// Parse the range settings.
pub fn config(a: &ReportArgs) -> wacrm::Result<ReportConfig> {
    let tz: Tz =
        a.tz.parse()
            .map_err(|_| wacrm::Error::validation("tz", format!("unknown time zone {:?}", a.tz)))?;
    let from = a
        .from
        .as_deref()
        .map(|s| parse_time("from", s, tz, false))
        .transpose()?;
    let to =
        a.to.as_deref()
            .map(|s| parse_time("to", s, tz, true))
            .transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err(wacrm::Error::validation(
            "to",
            "the range ends before it starts",
        ));
    }
    Ok(ReportConfig {
        from,
        to,
        tz,
        top: a.top,
        include_automated: a.include_automated,
    })
}

pub async fn run(a: ReportArgs) -> ExitCode {
    match report(&a).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::output::print_error(&e),
    }
}

async fn report(a: &ReportArgs) -> wacrm::Result<()> {
    let cfg = config(a)?;
    let stores = Stores::from_url(&a.db).await?;
    let r = recompute(&stores, &cfg).await?;
    let text = match a.format {
        Format::Json => format!("{}\n", serde_json::to_string_pretty(&r)?),
        Format::Csv => render_csv(&r),
        Format::Html => render_html(&r, "wacrm report"),
    };
    match &a.out {
        Some(p) => std::fs::write(p, text)
            .map_err(|e| wacrm::Error::Config(format!("write {}: {e}", p.display())))?,
        None => print!("{text}"),
    }
    Ok(())
}
