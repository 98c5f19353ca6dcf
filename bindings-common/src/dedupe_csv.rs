//! Dedupe (or link) CSV files without a store, like `wacrm contacts dedupe`.

use serde::{Deserialize, Serialize};
use wacrm::contacts::ImportReport;
use wacrm::contacts::dedupe::{DedupeConfig, DedupeResult};
use wacrm::{Error, Result};

/// Arguments of [`dedupe_csv`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DedupeCsvArgs {
    /// The CSV files.
    pub paths: Vec<String>,
    /// `COLUMN=FIELD` mappings.
    pub map: Vec<String>,
    /// The column holding a stable record id.
    pub id_column: Option<String>,
    /// Region for national-format phone numbers.
    pub region: Option<String>,
    /// Match the files against each other only (record linkage).
    pub link: bool,
    /// Matching settings; the defaults when absent.
    pub config: Option<DedupeConfig>,
}

/// What [`dedupe_csv`] found, and each file's bad rows.
#[derive(Debug, Serialize)]
pub struct DedupeCsvOutcome {
    /// Clusters, pairs and the merge plan.
    pub result: DedupeResult,
    /// One import report per file, listing its bad rows.
    pub reports: Vec<ImportReport>,
}

/// Dedupe (or link) CSV files without a store.
pub fn dedupe_csv(a: DedupeCsvArgs) -> Result<DedupeCsvOutcome> {
    let spec = wacrm::contacts::ImportSpec {
        id_column: a.id_column,
        default_region: a.region,
        ..Default::default()
    }
    .with_maps(a.map.iter().map(String::as_str))?;
    let mut cfg = a.config.unwrap_or_default();
    cfg.cross_source_only = a.link;
    let files = a
        .paths
        .iter()
        .map(|p| {
            std::fs::File::open(p)
                .map(std::io::BufReader::new)
                .map_err(|e| Error::validation("paths", format!("{p}: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let (result, reports) = wacrm::contacts::dedupe::dedupe_csv(files, &spec, &cfg)?;
    Ok(DedupeCsvOutcome { result, reports })
}
