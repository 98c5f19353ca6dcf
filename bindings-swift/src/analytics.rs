//! Analytics (C10): the report over the stores as records, its HTML and CSV
//! documents, and stored webhook bodies ingested into the stores.

use wacrm::analytics::{
    AgentRow, Anomaly, FailureRow, FrtStats, FunnelRow, RangeInfo, RejectionCount, Report,
    SyncHealthRow, WordCount,
};
use wacrm_bindings_common::{IngestSummary, ReportArgs};

use crate::WacrmError;
use crate::runtime::on_runtime;
use crate::store::Stores;

/// The range (epoch ms, `to` exclusive; everything when nil), zone and top N.
#[uniffi::remote(Record)]
pub struct ReportArgs {
    #[uniffi(default = None)]
    pub from: Option<i64>,
    #[uniffi(default = None)]
    pub to: Option<i64>,
    #[uniffi(default = "UTC")]
    pub tz: String,
    #[uniffi(default = 20)]
    pub top: u32,
    #[uniffi(default = false)]
    pub include_automated: bool,
}

/// Durations in seconds: `n` counted, nearest-rank median and p90.
#[uniffi::remote(Record)]
pub struct FrtStats {
    pub n: u64,
    pub median_s: Option<f64>,
    pub p90_s: Option<f64>,
    pub unanswered: u64,
}

/// One agent's figures; agent `*` is the whole team.
#[uniffi::remote(Record)]
pub struct AgentRow {
    pub agent: String,
    pub frt: FrtStats,
    pub handled: u64,
    pub handle_time: FrtStats,
    pub open: u64,
    pub resolved: u64,
    pub load: u64,
}

#[uniffi::remote(Record)]
pub struct FunnelRow {
    pub campaign: String,
    pub sent: u64,
    pub delivered: u64,
    pub read: u64,
    pub failed: u64,
    pub replied: u64,
}

#[uniffi::remote(Record)]
pub struct FailureRow {
    pub code: Option<i64>,
    pub count: u64,
}

#[uniffi::remote(Record)]
pub struct WordCount {
    pub word: String,
    pub count: u64,
}

#[uniffi::remote(Record)]
pub struct Anomaly {
    pub rule: String,
    pub number: Option<String>,
    pub days: Vec<String>,
    pub values: Vec<f64>,
    pub threshold: f64,
    pub detail: String,
}

#[uniffi::remote(Record)]
pub struct RangeInfo {
    pub from: Option<String>,
    pub to: Option<String>,
    pub tz: String,
    pub include_automated: bool,
}

/// How often the CRM (or the mapping) refused records with one error code.
#[uniffi::remote(Record)]
pub struct RejectionCount {
    pub code: String,
    pub count: u64,
}

/// One CRM mapping's sync health: counts over the engine's whole history, its
/// parked pushes and discrepancies now, latency and lag in milliseconds (nil:
/// nothing measured), saved at `updated_at` (epoch ms).
#[uniffi::remote(Record)]
pub struct SyncHealthRow {
    pub connector: String,
    pub mapping: String,
    pub attempts: u64,
    pub successes: u64,
    pub success_rate: f64,
    pub rejections: u64,
    pub top_rejections: Vec<RejectionCount>,
    pub parked: u64,
    pub discrepancies: u64,
    pub latency_p50_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    pub lag_p50_ms: Option<f64>,
    pub lag_p99_ms: Option<f64>,
    pub updated_at: i64,
}

/// The analytics report; `hour_of_week`: 168 inbound counts, Monday 00:00
/// first; `sync`: CRM sync health per connector and mapping.
#[uniffi::remote(Record)]
pub struct Report {
    pub range: RangeInfo,
    pub frt: FrtStats,
    pub agents: Vec<AgentRow>,
    pub funnel: Vec<FunnelRow>,
    pub failures: Vec<FailureRow>,
    pub hour_of_week: Vec<u64>,
    pub hot_words: Vec<WordCount>,
    pub anomalies: Vec<Anomaly>,
    pub sync: Vec<SyncHealthRow>,
}

// The field list lives in bindings-common; declared to uniffi from there.
wacrm_bindings_common::ingest_summary_record!(#[uniffi::remote(Record)]);

#[uniffi::export]
impl Stores {
    /// The analytics report over `args`' range.
    pub async fn report(&self, args: ReportArgs) -> Result<Report, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.report(args).await }).await
    }

    /// The report as one self-contained HTML page titled `title`.
    #[uniffi::method(default(title = "wacrm report"))]
    pub async fn report_html(&self, args: ReportArgs, title: String) -> Result<String, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.report_html(args, title).await }).await
    }

    /// The report as CSV sections: a `# name` line, a header row and the rows.
    pub async fn report_csv(&self, args: ReportArgs) -> Result<String, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.report_csv(args).await }).await
    }

    /// Process one stored webhook body into the stores as the live handler would (idempotent).
    pub async fn webhook_ingest(&self, body: Vec<u8>) -> Result<IngestSummary, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.webhook_ingest(body).await }).await
    }
}
