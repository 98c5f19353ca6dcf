//! Duplicate detection (over the stores or over CSV files) and phone numbers.
//! The core's dedupe results use `usize` counts and tuples, which uniffi does
//! not carry, so they cross as the records below.

use wacrm::E164;
use wacrm::contacts::ImportReport;
use wacrm::contacts::dedupe::{self as core, Cluster, MergeStep, ScoredPair};
use wacrm::phone::{NormalizedRow, NumberType, PhoneInfo};
use wacrm_bindings_common as common;

use crate::WacrmError;
use crate::runtime::on_blocking;

/// Matching settings of a dedupe run; `dedupeConfigDefault()` gives the defaults.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct DedupeConfig {
    /// Match probability above which a pair is a duplicate.
    pub threshold: f64,
    /// Probability above which a pair goes to review.
    pub review_threshold: f64,
    /// Name similarity counted as agreement.
    pub name_threshold: f64,
    /// Attributes compared besides the built-in fields.
    pub attributes: Option<Vec<String>>,
    /// The attribute holding a product SKU.
    pub sku_attribute: String,
    /// The attribute holding a purchase date.
    pub purchase_date_attribute: String,
    /// Purchases of one SKU this many days apart still match.
    pub sku_window_days: i32,
    /// Blocks larger than this are compared in a sliding window.
    pub max_block: u64,
    /// The sliding window's width.
    pub window: u64,
    /// Pairs sampled to train the model.
    pub sample_pairs: u64,
    /// Seed of the sampling.
    pub seed: u64,
    /// Match records of different sources only (record linkage).
    pub cross_source_only: bool,
}

impl From<core::DedupeConfig> for DedupeConfig {
    fn from(c: core::DedupeConfig) -> Self {
        DedupeConfig {
            threshold: c.threshold,
            review_threshold: c.review_threshold,
            name_threshold: c.name_threshold,
            attributes: c.attributes,
            sku_attribute: c.sku_attribute,
            purchase_date_attribute: c.purchase_date_attribute,
            sku_window_days: c.sku_window_days,
            max_block: c.max_block as u64,
            window: c.window as u64,
            sample_pairs: c.sample_pairs as u64,
            seed: c.seed,
            cross_source_only: c.cross_source_only,
        }
    }
}

impl From<DedupeConfig> for core::DedupeConfig {
    fn from(c: DedupeConfig) -> Self {
        core::DedupeConfig {
            threshold: c.threshold,
            review_threshold: c.review_threshold,
            name_threshold: c.name_threshold,
            attributes: c.attributes,
            sku_attribute: c.sku_attribute,
            purchase_date_attribute: c.purchase_date_attribute,
            sku_window_days: c.sku_window_days,
            max_block: usize::try_from(c.max_block).unwrap_or(usize::MAX),
            window: usize::try_from(c.window).unwrap_or(usize::MAX),
            sample_pairs: usize::try_from(c.sample_pairs).unwrap_or(usize::MAX),
            seed: c.seed,
            cross_source_only: c.cross_source_only,
        }
    }
}

/// The default matching settings.
#[uniffi::export]
pub fn dedupe_config_default() -> DedupeConfig {
    core::DedupeConfig::default().into()
}

/// A scored pair of record ids, `a < b`.
#[uniffi::remote(Record)]
pub struct ScoredPair {
    pub a: String,
    pub b: String,
    pub score: f64,
    /// Which fields agreed.
    pub evidence: String,
}

/// A group of duplicates and the record that survives the merge.
#[uniffi::remote(Record)]
pub struct Cluster {
    pub members: Vec<String>,
    pub survivor: String,
    pub min_score: f64,
}

/// One merge of the plan.
#[uniffi::remote(Record)]
pub struct MergeStep {
    pub survivor: String,
    pub absorbed: String,
}

/// A name with a count (blocking rules, matches per rule, milliseconds per phase).
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct NamedCount {
    pub name: String,
    pub count: u64,
}

fn named(v: Vec<(String, u64)>) -> Vec<NamedCount> {
    v.into_iter()
        .map(|(name, count)| NamedCount { name, count })
        .collect()
}

/// How a dedupe run went.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct DedupeStats {
    pub records: u64,
    pub candidate_pairs: u64,
    pub windowed_blocks: u64,
    pub patterns: u64,
    pub blocking_rules: Vec<NamedCount>,
    pub matches_by_rule: Vec<NamedCount>,
    pub millis: u64,
    pub phase_millis: Vec<NamedCount>,
}

/// What a dedupe run found.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct DedupeResult {
    /// Pairs above the threshold.
    pub pairs: Vec<ScoredPair>,
    /// Pairs to review by hand.
    pub review: Vec<ScoredPair>,
    pub clusters: Vec<Cluster>,
    /// The merges that would resolve the clusters.
    pub plan: Vec<MergeStep>,
    /// The fields compared.
    pub comparisons: Vec<String>,
    pub stats: DedupeStats,
}

impl From<core::DedupeResult> for DedupeResult {
    fn from(r: core::DedupeResult) -> Self {
        let s = r.stats;
        DedupeResult {
            pairs: r.pairs,
            review: r.review,
            clusters: r.clusters,
            plan: r.plan,
            comparisons: r.comparisons,
            stats: DedupeStats {
                records: s.records,
                candidate_pairs: s.candidate_pairs,
                windowed_blocks: s.windowed_blocks,
                patterns: s.patterns,
                blocking_rules: named(s.blocking_rules),
                matches_by_rule: named(s.matches_by_rule),
                millis: s.millis,
                phase_millis: named(s.phase_millis),
            },
        }
    }
}

/// A merge that failed, and why.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct MergeFailure {
    pub step: MergeStep,
    pub error: String,
}

/// The merges executed.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct MergeReport {
    pub merged: u64,
    pub failed: Vec<MergeFailure>,
}

impl From<core::MergeReport> for MergeReport {
    fn from(r: core::MergeReport) -> Self {
        MergeReport {
            merged: r.merged,
            failed: r
                .failed
                .into_iter()
                .map(|(step, error)| MergeFailure { step, error })
                .collect(),
        }
    }
}

/// Arguments of `contactsDedupeCsv`.
#[derive(Clone, Debug, uniffi::Record)]
pub struct DedupeCsvArgs {
    /// The CSV files.
    pub paths: Vec<String>,
    /// `COLUMN=FIELD` mappings.
    #[uniffi(default = [])]
    pub map: Vec<String>,
    /// The column holding a stable record id.
    #[uniffi(default = None)]
    pub id_column: Option<String>,
    /// Region for national-format phone numbers.
    #[uniffi(default = None)]
    pub region: Option<String>,
    /// Match the files against each other only (record linkage).
    #[uniffi(default = false)]
    pub link: bool,
    /// Matching settings; the defaults when absent.
    #[uniffi(default = None)]
    pub config: Option<DedupeConfig>,
}

/// What `contactsDedupeCsv` found, and each file's bad rows.
#[derive(Clone, Debug, uniffi::Record)]
pub struct DedupeCsvOutcome {
    pub result: DedupeResult,
    /// One import report per file, listing its bad rows.
    pub reports: Vec<ImportReport>,
}

/// Dedupe (or link) CSV files without a store.
#[uniffi::export]
pub async fn contacts_dedupe_csv(args: DedupeCsvArgs) -> Result<DedupeCsvOutcome, WacrmError> {
    let a = common::DedupeCsvArgs {
        paths: args.paths,
        map: args.map,
        id_column: args.id_column,
        region: args.region,
        link: args.link,
        config: args.config.map(Into::into),
    };
    let o = on_blocking(move || common::dedupe_csv(a)).await?;
    Ok(DedupeCsvOutcome {
        result: o.result.into(),
        reports: o.reports,
    })
}

#[uniffi::remote(Enum)]
pub enum NumberType {
    FixedLine,
    Mobile,
    FixedLineOrMobile,
    TollFree,
    PremiumRate,
    SharedCost,
    PersonalNumber,
    Voip,
    Pager,
    Uan,
    Emergency,
    Voicemail,
    ShortCode,
    StandardRate,
    CarrierSpecific,
    SmsServices,
    Unknown,
}

/// A parsed phone number.
#[uniffi::remote(Record)]
pub struct PhoneInfo {
    pub e164: E164,
    pub region: String,
    pub country_code: u16,
    pub number_type: NumberType,
    pub valid: bool,
    pub extension: Option<String>,
}

/// One line of a batch normalization; `error` says why a line failed.
#[uniffi::remote(Record)]
pub struct NormalizedRow {
    pub input: String,
    pub e164: Option<String>,
    pub region: Option<String>,
    pub number_type: Option<String>,
    pub valid: bool,
    pub wa_id: Option<String>,
    pub error: Option<String>,
}

/// Parse one phone number with a default region.
#[uniffi::export(default(region = None))]
pub fn phone_parse(input: String, region: Option<String>) -> Result<PhoneInfo, WacrmError> {
    wacrm::phone::parse(&input, region.as_deref()).map_err(|e| wacrm::Error::from(e).into())
}

/// Normalize many numbers on all cores; bad lines carry `error`.
#[uniffi::export(default(region = None))]
pub fn phone_normalize(inputs: Vec<String>, region: Option<String>) -> Vec<NormalizedRow> {
    wacrm::phone::normalize_lines(&inputs, region.as_deref())
}
