//! Batch normalization on all cores: every row gets a result (input kept,
//! reason given on failure); a bad row never aborts the batch.

use rayon::prelude::*;
use serde::Serialize;

use super::{parse, wa_id_candidates};

/// One normalized row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NormalizedRow {
    /// The input as given.
    pub input: String,
    /// E.164, when it parsed.
    pub e164: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Line type.
    #[serde(rename = "type")]
    pub number_type: Option<String>,
    /// Valid per libphonenumber.
    pub valid: bool,
    /// Most likely WhatsApp id.
    pub wa_id: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
}

/// Normalize one input (what [`normalize_lines`] does to each line).
pub fn normalize_one(input: &str, region: Option<&str>) -> NormalizedRow {
    match parse(input, region) {
        Ok(p) => NormalizedRow {
            input: input.to_string(),
            wa_id: wa_id_candidates(&p.e164)
                .into_iter()
                .next()
                .map(String::from),
            e164: Some(String::from(p.e164)),
            region: Some(p.region),
            number_type: Some(p.number_type.as_str().to_string()),
            valid: p.valid,
            error: None,
        },
        Err(e) => NormalizedRow {
            input: input.to_string(),
            e164: None,
            region: None,
            number_type: None,
            valid: false,
            wa_id: None,
            error: Some(format!("{}: {e}", e.reason())),
        },
    }
}

/// Normalize many inputs (in order) on all cores, each with its own region
/// (e.g. a row's `country` column) or the default.
pub fn normalize_batch(
    inputs: &[(&str, Option<&str>)],
    default_region: Option<&str>,
) -> Vec<NormalizedRow> {
    inputs
        .par_iter()
        .with_min_len(256)
        .map(|(s, r)| normalize_one(s, r.or(default_region)))
        .collect()
}

/// Normalize lines with one default region (`String`s or borrowed `&str`s).
pub fn normalize_lines<S: AsRef<str> + Sync>(
    lines: &[S],
    default_region: Option<&str>,
) -> Vec<NormalizedRow> {
    lines
        .par_iter()
        .with_min_len(256)
        .map(|s| normalize_one(s.as_ref(), default_region))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_do_not_abort_and_order_is_kept() {
        let rows = normalize_batch(
            &[
                ("090-1234-5678", None),
                ("nope", None),
                ("+44 7911 123456", Some("JP")),
            ],
            Some("JP"),
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].e164.as_deref(), Some("+819012345678"));
        assert_eq!(rows[0].wa_id.as_deref(), Some("819012345678"));
        assert!(rows[1].error.as_deref().unwrap().starts_with("no_number"));
        assert_eq!(rows[1].input, "nope");
        // libphonenumber places 7911 1xxxxx in Guernsey (GG), not GB; so do we.
        assert_eq!(rows[2].region.as_deref(), Some("GG"));
    }
}
