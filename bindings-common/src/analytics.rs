//! Analytics (C10) as a binding holds it: the report recomputed from the
//! stores over a range and a time zone, as typed rows or rendered as the
//! documents `wacrm report` writes (self-contained HTML, CSV sections), and
//! stored webhook bodies ingested into the stores as `wacrm webhook ingest` does.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use wacrm::analytics::{Report, ReportConfig, recompute, render_csv, render_html};
use wacrm::webhook::{WebhookProcessor, parse_body};
use wacrm::{Error, Result, SharedClock, SystemClock};

use crate::Stores;

/// The range and settings of a report (the options of `wacrm report`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportArgs {
    /// Range start, epoch ms, inclusive (the beginning when absent).
    pub from: Option<i64>,
    /// Range end, epoch ms, exclusive (everything when absent).
    pub to: Option<i64>,
    /// IANA zone of days and of the hour-of-week histogram.
    pub tz: String,
    /// How many hot words.
    pub top: u32,
    /// Count automated replies as first responses.
    pub include_automated: bool,
}

impl Default for ReportArgs {
    fn default() -> Self {
        let d = ReportConfig::default();
        ReportArgs {
            from: None,
            to: None,
            tz: d.tz.name().to_string(),
            top: d.top as u32,
            include_automated: d.include_automated,
        }
    }
}

impl ReportArgs {
    fn config(&self) -> Result<ReportConfig> {
        let tz = self
            .tz
            .parse()
            .map_err(|_| Error::validation("tz", format!("unknown time zone {:?}", self.tz)))?;
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f >= t
        {
            return Err(Error::validation("to", "the range ends before it starts"));
        }
        Ok(ReportConfig {
            from: self.from,
            to: self.to,
            tz,
            top: self.top as usize,
            include_automated: self.include_automated,
        })
    }
}

impl Stores {
    /// The analytics report over `args`' range: FRT, agents, funnels,
    /// failures, the hour-of-week histogram, hot words and anomaly flags; and
    /// the CRM sync health rows (the state now, not limited to the range).
    pub async fn report(&self, args: ReportArgs) -> Result<Report> {
        recompute(&self.0, &args.config()?).await
    }

    /// The report as one self-contained HTML page titled `title`.
    pub async fn report_html(&self, args: ReportArgs, title: String) -> Result<String> {
        Ok(render_html(&self.report(args).await?, &title))
    }

    /// The report as CSV sections, each a `# name` line, a header row and its rows.
    pub async fn report_csv(&self, args: ReportArgs) -> Result<String> {
        Ok(render_csv(&self.report(args).await?))
    }
}

/// The one definition of [`IngestSummary`]'s fields, applied to the
/// attributes given: this crate derives serde on it and the Swift binding
/// declares the same record to uniffi from it.
#[macro_export]
macro_rules! ingest_summary_record {
    ($(#[$meta:meta])*) => {
        /// What ingesting one webhook body changed (the counts `wacrm webhook ingest` prints).
        $(#[$meta])*
        pub struct IngestSummary {
            /// Events in the body.
            pub events: u64,
            /// New customer messages stored.
            pub new_messages: u64,
            /// Redelivered messages ignored.
            pub duplicate_messages: u64,
            /// Outbound messages created from their status webhooks.
            pub outbound_created: u64,
            /// Statuses that moved a message forward.
            pub statuses_applied: u64,
            /// Statuses ignored (duplicate, backwards, after failed).
            pub statuses_ignored: u64,
            /// Statuses kept until their message is known.
            pub statuses_pending: u64,
            /// Errors Meta reported (system-level or on failed statuses).
            pub graph_errors: u64,
        }
    };
}

ingest_summary_record!(#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]);

impl Stores {
    /// Process one stored webhook body into the stores through the live
    /// handler's processor (contacts, inbound messages, statuses; a status of
    /// an outbound message the store does not know creates it). Idempotent.
    pub async fn webhook_ingest(&self, body: Vec<u8>) -> Result<IngestSummary> {
        let events = parse_body(&body)?;
        let clock: SharedClock = Arc::new(SystemClock);
        let processor =
            WebhookProcessor::new(self.0.clone(), clock).create_outbound_from_statuses(true);
        let r = processor.process(&events).await?;
        Ok(IngestSummary {
            events: events.len() as u64,
            new_messages: r.new_messages.len() as u64,
            duplicate_messages: r.duplicate_messages,
            outbound_created: r.outbound_created,
            statuses_applied: r.statuses_applied,
            statuses_ignored: r.statuses_ignored.len() as u64,
            statuses_pending: r.statuses_pending,
            graph_errors: r.errors.len() as u64,
        })
    }
}
