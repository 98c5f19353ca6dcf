//! Duplicate detection: the same person under another number or spelling.
//!
//! Exact keys (E.164, wa_id, BSUID, email, external id) and fuzzy names
//! (normalized Levenshtein over folded text in any script, default threshold
//! 0.8) are weighed together with corroborating evidence — same date of birth,
//! city, postcode, email domain, same SKU bought within 90 days — in a
//! Fellegi–Sunter model fitted to the data. Blocking keeps a million contacts
//! to seconds. The output is scored pairs with their evidence, clusters, a
//! merge plan that the store executes atomically pair by pair (every
//! conversation and message kept), and a review queue for uncertain pairs.

mod blocking;
mod compare;
mod model;
pub mod normalize;
pub mod synth;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

pub use blocking::{BlockRule, BlockingStats};
pub use compare::{Comparison, DedupeRecord, RecordSchema};
pub use model::Model;

use crate::ids::ContactId;
use crate::store::{Contact, ContactFilter, ContactStore, PageRequest};

/// `--map` arguments for the FEBRL record-linkage sets in `data/febrl/` (ids in
/// `rec_id`; the social security number serves as an external id).
pub const FEBRL_MAPS: [&str; 10] = [
    "given_name=first_name",
    "surname=last_name",
    "street_number=attr:street_number",
    "address_1=address",
    "address_2=attr:address_2",
    "suburb=city",
    "postcode=postcode",
    "state=attr:state",
    "date_of_birth=date_of_birth",
    "soc_sec_id=external_id",
];

/// Settings of a dedupe run.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DedupeConfig {
    /// Pairs scoring at least this are duplicates: reported, clustered and merged.
    pub threshold: f64,
    /// Pairs scoring from this up to `threshold` go to the review queue; below
    /// it they are rejected.
    pub review_threshold: f64,
    /// Lowest normalized Levenshtein similarity at which names count as similar.
    pub name_threshold: f64,
    /// Custom attributes compared (None: every attribute the records carry).
    pub attributes: Option<Vec<String>>,
    /// Attribute listing SKUs bought.
    pub sku_attribute: String,
    /// Attribute with the purchase date.
    pub purchase_date_attribute: String,
    /// Same SKU within this many days corroborates.
    pub sku_window_days: i32,
    /// Blocks larger than this are compared within a sorted window.
    pub max_block: usize,
    /// Window size for oversized blocks.
    pub window: usize,
    /// Random pairs sampled to measure chance agreement.
    pub sample_pairs: usize,
    /// Seed for the sample (runs are reproducible).
    pub seed: u64,
    /// Link mode: only pairs whose records come from different sources
    /// (see [`DedupeRecord::with_source`]), as when matching one list to another.
    pub cross_source_only: bool,
}

impl Default for DedupeConfig {
    fn default() -> Self {
        DedupeConfig {
            threshold: 0.8,
            review_threshold: 0.5,
            name_threshold: 0.8,
            attributes: None,
            sku_attribute: "sku".into(),
            purchase_date_attribute: "purchased_at".into(),
            sku_window_days: 90,
            max_block: 12,
            window: 1,
            sample_pairs: 50_000,
            seed: 0x00DE_DE9E,
            cross_source_only: false,
        }
    }
}

/// A scored pair, `a < b`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoredPair {
    /// Smaller id.
    pub a: String,
    /// Larger id.
    pub b: String,
    /// Match probability in [0, 1].
    pub score: f64,
    /// What agreed and what did not, e.g. `surname=exact;dob=one_edit;city=differs`.
    pub evidence: String,
}

/// Records that are one person.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cluster {
    /// Member ids, sorted.
    pub members: Vec<String>,
    /// The record that survives a merge: the fullest, then the smallest id.
    pub survivor: String,
    /// Lowest score of the pairs that joined the cluster.
    pub min_score: f64,
}

/// One merge of the plan: `absorbed` into `survivor`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MergeStep {
    /// Kept record.
    pub survivor: String,
    /// Record merged into it and removed.
    pub absorbed: String,
}

/// Counts and timings of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DedupeStats {
    /// Records read.
    pub records: u64,
    /// Candidate pairs compared.
    pub candidate_pairs: u64,
    /// Blocks compared within a window.
    pub windowed_blocks: u64,
    /// Distinct comparison patterns.
    pub patterns: u64,
    /// Blocking rules that applied, in the order pairs are attributed to them,
    /// with the pairs each contributed.
    pub blocking_rules: Vec<(String, u64)>,
    /// Duplicates found per blocking rule (attributed like `blocking_rules`):
    /// a rule that finds none on a list only costs time there.
    pub matches_by_rule: Vec<(String, u64)>,
    /// Milliseconds spent.
    pub millis: u64,
    /// Milliseconds per phase (sample, block, compare, fit, score, cluster).
    pub phase_millis: Vec<(String, u64)>,
    /// Rows read (CSV rows that were not blank, or contacts given).
    pub rows_read: u64,
    /// Rows read that were not compared (malformed CSV, a repeated id):
    /// never a row for one bad field.
    pub rows_left_out: u64,
    /// Records whose phone did not validate: kept, compared by the number's
    /// digits and their other fields.
    pub invalid_phones: u64,
    /// `em` (fitted to this list) or `priors` (see `model_reason`).
    pub model: String,
    /// Why the fit was not used, when `model` is `priors`.
    pub model_reason: Option<String>,
}

/// What a run found.
#[derive(Clone, Debug, Serialize)]
pub struct DedupeResult {
    /// Duplicates, best first.
    pub pairs: Vec<ScoredPair>,
    /// Uncertain pairs for a person to decide.
    pub review: Vec<ScoredPair>,
    /// Clusters of duplicates (two or more members).
    pub clusters: Vec<Cluster>,
    /// Merges that collapse each cluster into its survivor.
    pub plan: Vec<MergeStep>,
    /// The fitted model.
    pub model: Model,
    /// Comparisons made, by name.
    pub comparisons: Vec<String>,
    /// Counts and timings.
    pub stats: DedupeStats,
}

/// The schema for a set of contacts under a config.
pub fn schema_for(contacts: &[Contact], cfg: &DedupeConfig) -> RecordSchema {
    schema_with(cfg, |skip| compare::attribute_names(contacts.iter(), skip))
}

/// The schema for rows read with `spec`: the custom attributes it maps.
pub fn schema_for_spec(spec: &crate::contacts::ImportSpec, cfg: &DedupeConfig) -> RecordSchema {
    schema_with(cfg, |skip| {
        // Sorted and distinct, as `schema_for` finds them on contacts: the
        // same list read either way compares (and explains) alike.
        let names: std::collections::BTreeSet<String> = spec
            .map
            .iter()
            .filter_map(|(_, f)| match f {
                crate::contacts::Field::Attr(a)
                    if !skip.contains(&a.as_str())
                        && !compare::RESERVED_ATTRS.contains(&a.as_str()) =>
                {
                    Some(a.clone())
                }
                _ => None,
            })
            .collect();
        names.into_iter().collect()
    })
}

/// A schema comparing `cfg.attributes`, else the attributes `found` lists
/// (given the SKU and purchase-date attributes, which are compared as evidence).
fn schema_with(cfg: &DedupeConfig, found: impl FnOnce(&[&str]) -> Vec<String>) -> RecordSchema {
    let skip = [
        cfg.sku_attribute.as_str(),
        cfg.purchase_date_attribute.as_str(),
    ];
    RecordSchema {
        attributes: cfg.attributes.clone().unwrap_or_else(|| found(&skip)),
        sku_attribute: cfg.sku_attribute.clone(),
        purchase_date_attribute: cfg.purchase_date_attribute.clone(),
    }
}

/// Prepare contacts for dedupe (in parallel).
pub fn prepare(contacts: &[Contact], schema: &RecordSchema) -> Vec<DedupeRecord> {
    contacts
        .par_iter()
        .map(|c| DedupeRecord::from_contact(c, schema))
        .collect()
}

/// Find duplicates among contacts.
pub fn dedupe(contacts: &[Contact], cfg: &DedupeConfig) -> DedupeResult {
    let start = Instant::now();
    let schema = schema_for(contacts, cfg);
    let records = prepare(contacts, &schema);
    let prepared = start.elapsed().as_millis() as u64;
    let mut r = dedupe_records(&records, &schema, cfg);
    r.stats.phase_millis.insert(0, ("prepare".into(), prepared));
    r.stats.millis += prepared;
    r
}

/// Link several lists: only pairs across lists are compared and reported.
pub fn link(lists: &[&[Contact]], cfg: &DedupeConfig) -> DedupeResult {
    let all: Vec<Contact> = lists.iter().flat_map(|l| l.iter().cloned()).collect();
    let schema = schema_for(&all, cfg);
    let mut records = Vec::with_capacity(all.len());
    for (i, l) in lists.iter().enumerate() {
        records.extend(
            prepare(l, &schema)
                .into_iter()
                .map(|r| r.with_source(i as u16)),
        );
    }
    let cfg = DedupeConfig {
        cross_source_only: true,
        ..cfg.clone()
    };
    dedupe_records(&records, &schema, &cfg)
}

/// Dedupe CSV inputs (with `cfg.cross_source_only`, link them: each input is
/// one source). Rows become comparison records on the reading threads, so no
/// contact list is held on the side; each input's report keeps its bad rows
/// with their line numbers.
pub fn dedupe_csv<R: std::io::Read>(
    inputs: impl IntoIterator<Item = R>,
    spec: &crate::contacts::ImportSpec,
    cfg: &DedupeConfig,
) -> crate::Result<(DedupeResult, Vec<crate::contacts::ImportReport>)> {
    // A contact is not bad because one field is: a phone or e-mail that does
    // not validate is kept as typed and the row compared like any other.
    let spec = &crate::contacts::ImportSpec {
        keep_invalid_fields: true,
        ..spec.clone()
    };
    let schema = schema_for_spec(spec, cfg);
    let mut records = Vec::new();
    let mut reports = Vec::new();
    for (source, input) in inputs.into_iter().enumerate() {
        let (recs, report) = crate::contacts::read_csv_values(input, spec, |row| {
            DedupeRecord::from_row(row, &schema).with_source(source as u16)
        })?;
        if records.is_empty() {
            // One input (the usual case): keep its vector, no copy.
            records = recs;
        } else {
            records.extend(recs);
        }
        reports.push(report);
    }
    let mut result = dedupe_records(&records, &schema, cfg);
    let read: u64 = reports.iter().map(|r| r.rows - r.blank).sum();
    result.stats.rows_read = read;
    result.stats.rows_left_out = read.saturating_sub(records.len() as u64);
    Ok((result, reports))
}

/// Find duplicates among prepared records.
pub fn dedupe_records(
    records: &[DedupeRecord],
    schema: &RecordSchema,
    cfg: &DedupeConfig,
) -> DedupeResult {
    let start = Instant::now();
    let mut phases: Vec<(String, u64)> = Vec::new();
    let mut lap = Instant::now();
    let mut phase = |name: &str| {
        phases.push((name.to_string(), lap.elapsed().as_millis() as u64));
        lap = Instant::now();
    };
    let comps = compare::active_comparisons(records, schema);
    let settings = compare::CompareSettings {
        name_threshold: cfg.name_threshold,
        sku_window_days: cfg.sku_window_days,
    };
    let cmp = |a: u32, b: u32| {
        compare::compare(
            &comps,
            &records[a as usize],
            &records[b as usize],
            &settings,
        )
    };
    let u = Model::estimate_u(&comps, records.len(), cfg.sample_pairs, cfg.seed, cmp);
    phase("sample");
    let keys = blocking::BlockKeys::build(records);
    phase("keys");
    let prefetch = |i: u32, text: bool| records[i as usize].prefetch(text);
    let (cands, bstats) =
        blocking::candidates(&keys, cfg.max_block, cfg.window, prefetch, |a, b| {
            if cfg.cross_source_only && records[a as usize].source == records[b as usize].source {
                return None;
            }
            Some((a, b, cmp(a, b)))
        });
    phase("compare");
    let mut patterns: HashMap<u64, u64> = HashMap::new();
    for &(_, (_, _, p)) in &cands {
        *patterns.entry(p).or_default() += 1;
    }
    let model = Model::fit(&comps, u, &patterns);
    phase("fit");
    let scores: HashMap<u64, f64> = patterns.keys().map(|&p| (p, model.posterior(p))).collect();

    let mut matched: Vec<(u32, u32, u64, f64)> = Vec::new();
    let mut review: Vec<(u32, u32, u64, f64)> = Vec::new();
    let mut matches_by_rule = vec![0u64; keys.rules.len()];
    for &(ri, (a, b, p)) in &cands {
        let s = scores[&p];
        if s >= cfg.threshold {
            matches_by_rule[ri as usize] += 1;
            matched.push((a, b, p, s));
        } else if s >= cfg.review_threshold {
            review.push((a, b, p, s));
        }
    }
    let scored = |v: Vec<(u32, u32, u64, f64)>| -> Vec<ScoredPair> {
        let mut out: Vec<ScoredPair> = v
            .par_iter()
            .map(|&(a, b, p, s)| {
                let (ra, rb) = (&records[a as usize], &records[b as usize]);
                let (ra, rb) = if ra.id <= rb.id { (ra, rb) } else { (rb, ra) };
                ScoredPair {
                    a: ra.id.clone(),
                    b: rb.id.clone(),
                    score: s,
                    evidence: compare::evidence(&comps, schema, ra, rb, p),
                }
            })
            .collect();
        out.par_sort_unstable_by(|x, y| {
            y.score
                .total_cmp(&x.score)
                .then_with(|| x.a.cmp(&y.a))
                .then_with(|| x.b.cmp(&y.b))
        });
        out
    };
    phase("select");
    let clusters = cluster(records, &matched);
    let plan = clusters
        .iter()
        .flat_map(|c| {
            c.members
                .iter()
                .filter(|m| **m != c.survivor)
                .map(|m| MergeStep {
                    survivor: c.survivor.clone(),
                    absorbed: m.clone(),
                })
        })
        .collect();
    let stats = DedupeStats {
        records: records.len() as u64,
        candidate_pairs: bstats.candidate_pairs,
        windowed_blocks: bstats.windowed_blocks,
        patterns: patterns.len() as u64,
        blocking_rules: keys
            .rules
            .iter()
            .zip(&bstats.pairs_by_rule)
            .map(|(r, n)| (format!("{r:?}"), *n))
            .collect(),
        matches_by_rule: keys
            .rules
            .iter()
            .zip(&matches_by_rule)
            .map(|(r, n)| (format!("{r:?}"), *n))
            .collect(),
        millis: 0,
        phase_millis: Vec::new(),
        rows_read: records.len() as u64,
        rows_left_out: 0,
        invalid_phones: records.iter().filter(|r| r.phone_unvalidated()).count() as u64,
        model: model.kind.clone(),
        model_reason: model.reason.clone(),
    };
    let pairs = scored(matched);
    let review = scored(review);
    phase("cluster+evidence");
    let mut result = DedupeResult {
        pairs,
        review,
        clusters,
        plan,
        comparisons: comps.iter().map(|c| c.name(schema).into_owned()).collect(),
        model,
        stats,
    };
    result.stats.millis = start.elapsed().as_millis() as u64;
    result.stats.phase_millis = phases;
    result
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let p = parent[x as usize];
        parent[x as usize] = parent[p as usize];
        x = p;
    }
    x
}

/// Union the matched pairs into clusters; pick each cluster's survivor.
fn cluster(records: &[DedupeRecord], matched: &[(u32, u32, u64, f64)]) -> Vec<Cluster> {
    let mut parent: Vec<u32> = (0..records.len() as u32).collect();
    for &(a, b, _, _) in matched {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let mut groups: BTreeMap<u32, (Vec<u32>, f64)> = BTreeMap::new();
    for &(a, _, _, s) in matched {
        let r = find(&mut parent, a);
        let e = groups.entry(r).or_insert((Vec::new(), 1.0));
        e.1 = e.1.min(s);
    }
    // Only records of matched pairs belong to a cluster: visit those, not
    // every record.
    let mut members: Vec<u32> = matched.iter().flat_map(|&(a, b, _, _)| [a, b]).collect();
    members.sort_unstable();
    members.dedup();
    for i in members {
        let r = find(&mut parent, i);
        if let Some(g) = groups.get_mut(&r) {
            g.0.push(i);
        }
    }
    let mut out: Vec<Cluster> = groups
        .into_values()
        .map(|(m, min_score)| {
            let survivor = m
                .iter()
                .map(|&i| &records[i as usize])
                .max_by(|x, y| x.filled.cmp(&y.filled).then_with(|| y.id.cmp(&x.id)))
                .map(|r| r.id.clone())
                .unwrap_or_default();
            let mut members: Vec<String> =
                m.iter().map(|&i| records[i as usize].id.clone()).collect();
            members.sort();
            Cluster {
                members,
                survivor,
                min_score,
            }
        })
        .collect();
    out.sort_by(|a, b| a.members[0].cmp(&b.members[0]));
    out
}

/// What executing a merge plan did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MergeReport {
    /// Merges done.
    pub merged: u64,
    /// Merges that failed, with the reason; the records involved are untouched.
    pub failed: Vec<(MergeStep, String)>,
}

/// Execute a merge plan through the store: each step is one atomic merge that
/// re-points every conversation and message of the absorbed record.
pub async fn execute_plan(
    plan: &[MergeStep],
    store: &dyn ContactStore,
) -> crate::Result<MergeReport> {
    let mut report = MergeReport::default();
    for step in plan {
        match store
            .merge(
                &ContactId::new(step.survivor.clone()),
                &ContactId::new(step.absorbed.clone()),
            )
            .await
        {
            Ok(_) => report.merged += 1,
            Err(e) => report.failed.push((step.clone(), e.to_string())),
        }
    }
    Ok(report)
}

/// Every contact of a store.
pub async fn load_all(store: &dyn ContactStore) -> crate::Result<Vec<Contact>> {
    let mut out = Vec::new();
    let mut page = PageRequest {
        limit: 5_000,
        after: None,
    };
    let filter = ContactFilter::default();
    loop {
        let p = store.list(&filter, &page).await?;
        out.extend(p.items);
        match p.next {
            Some(n) => page.after = Some(n),
            None => return Ok(out),
        }
    }
}

/// Dedupe every contact of a store.
pub async fn dedupe_store(
    store: &dyn ContactStore,
    cfg: &DedupeConfig,
) -> crate::Result<DedupeResult> {
    let contacts = load_all(store).await?;
    let cfg = cfg.clone();
    tokio::task::spawn_blocking(move || dedupe(&contacts, &cfg))
        .await
        .map_err(|e| crate::Error::Store {
            message: format!("dedupe task failed: {e}"),
            retryable: false,
        })
}

/// A review queue decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// Same person: merge.
    Merge,
    /// Different people: never propose again.
    Distinct,
}

/// Uncertain pairs waiting for a person, and the decisions taken.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReviewQueue {
    /// Pending pairs, best first.
    pub pending: Vec<ScoredPair>,
    /// Pairs a person said are distinct (kept so later runs skip them).
    pub distinct: Vec<(String, String)>,
}

impl ReviewQueue {
    /// A queue from a run's review pairs, minus pairs already judged distinct.
    pub fn from_result(r: &DedupeResult, distinct: Vec<(String, String)>) -> Self {
        let pending = r
            .review
            .iter()
            .filter(|p| !distinct.iter().any(|(a, b)| *a == p.a && *b == p.b))
            .cloned()
            .collect();
        ReviewQueue { pending, distinct }
    }

    /// Decide a pending pair; a merge runs through the store at once.
    pub async fn decide(
        &mut self,
        a: &str,
        b: &str,
        decision: ReviewDecision,
        store: &dyn ContactStore,
    ) -> crate::Result<Option<Contact>> {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let pos = self
            .pending
            .iter()
            .position(|p| p.a == a && p.b == b)
            .ok_or_else(|| {
                crate::Error::from(crate::store::StoreError::NotFound(format!(
                    "review pair {a} / {b}"
                )))
            })?;
        let pair = self.pending.remove(pos);
        match decision {
            ReviewDecision::Distinct => {
                self.distinct.push((pair.a, pair.b));
                Ok(None)
            }
            ReviewDecision::Merge => {
                let merged = store
                    .merge(
                        &ContactId::new(pair.a.clone()),
                        &ContactId::new(pair.b.clone()),
                    )
                    .await;
                match merged {
                    Ok(c) => Ok(Some(c)),
                    Err(e) => {
                        // Nothing changed in the store: put the pair back.
                        self.pending.insert(pos, pair);
                        Err(e.into())
                    }
                }
            }
        }
    }
}

/// Precision, recall and F1 of predicted pairs against true pairs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Quality {
    /// True positives.
    pub true_positives: u64,
    /// Predicted pairs.
    pub predicted: u64,
    /// True pairs.
    pub actual: u64,
    /// Share of predicted pairs that are true.
    pub precision: f64,
    /// Share of true pairs found.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

/// Score predicted pairs against known true pairs (order within a pair ignored).
pub fn evaluate<'a>(
    predicted: impl IntoIterator<Item = (&'a str, &'a str)>,
    truth: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Quality {
    let key = |a: &'a str, b: &'a str| if a <= b { (a, b) } else { (b, a) };
    let truth: std::collections::HashSet<(&str, &str)> =
        truth.into_iter().map(|(a, b)| key(a, b)).collect();
    let predicted: std::collections::HashSet<(&str, &str)> =
        predicted.into_iter().map(|(a, b)| key(a, b)).collect();
    let tp = predicted.iter().filter(|p| truth.contains(p)).count() as u64;
    let ratio = |n: u64, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    let precision = ratio(tp, predicted.len());
    let recall = ratio(tp, truth.len());
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Quality {
        true_positives: tp,
        predicted: predicted.len() as u64,
        actual: truth.len() as u64,
        precision,
        recall,
        f1,
    }
}
