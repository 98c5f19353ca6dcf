//! `wacrm contacts ...` (C7): CSV import into a store, and dedupe of CSV files
//! into scored pairs, clusters, a merge plan and a review queue.

use std::process::ExitCode;

use wacrm::contacts::{ImportOptions, ImportSpec, QuoteLimits, TagsMode, import_into_store_with};
use wacrm::store::Stores;

mod export;

/// Contacts subcommands.
#[derive(clap::Subcommand)]
pub enum ContactsCommand {
    /// Import a CSV into a store, merging into stored contacts; prints the report (imported
    /// rows, bad rows with line numbers and raw bytes, the last committed line).
    Import {
        /// CSV file.
        file: std::path::PathBuf,
        /// Column whose value becomes the contact id.
        #[arg(long = "id")]
        id_column: Option<String>,
        /// `COLUMN=FIELD` (repeat); fields: first_name, last_name, name, phone, email, city,
        /// postcode, address, date_of_birth, country, tags, external_id, attr:NAME.
        #[arg(long = "map", required = true)]
        maps: Vec<String>,
        /// Default phone region (ISO alpha-2).
        #[arg(long)]
        region: Option<String>,
        /// Store URL (`sqlite://path`, `postgres://...`, `memory:`).
        #[arg(long, env = "WACRM_DB", hide_env_values = true, value_parser = clap::builder::NonEmptyStringValueParser::new())]
        db: String,
        /// Rows per store transaction.
        #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1..))]
        batch: u64,
        /// Stored tags: `union` with the file's, or `replace` them (when the file has tags).
        #[arg(long, default_value = "union")]
        tags: TagsMode,
        /// Line breaks a quoted field may hold before its row counts as broken.
        #[arg(long, default_value_t = QuoteLimits::default().max_lines)]
        max_quoted_lines: u32,
        /// Bytes a quoted field may hold before its row counts as broken.
        #[arg(long, default_value_t = QuoteLimits::default().max_bytes)]
        max_quoted_bytes: usize,
    },
    /// Write every contact of a store (JSON lines or CSV) to stdout.
    Export {
        /// Store URL (`sqlite://path`, `postgres://...`).
        #[arg(long, env = "WACRM_DB", hide_env_values = true, value_parser = clap::builder::NonEmptyStringValueParser::new())]
        db: String,
        /// Output format.
        #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "csv"])]
        format: String,
    },
    /// Find duplicate contacts in CSV files: scored pairs, clusters, merge plan, review queue.
    Dedupe(DedupeArgs),
    /// Write a synthetic contact list with known duplicates (multi-script names, several
    /// numbers per person) and its true pairs, for trying dedupe at scale.
    Generate {
        /// Rows to write.
        rows: usize,
        /// Output CSV.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Output: the true duplicate pairs.
        #[arg(long)]
        truth: Option<std::path::PathBuf>,
        /// Seed (same seed, same file).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// `wacrm contacts dedupe`.
#[derive(clap::Args)]
pub struct DedupeArgs {
    /// CSV files (several are deduped together, or linked with --link).
    #[arg(required = true)]
    files: Vec<std::path::PathBuf>,
    /// Column whose value is the record id written to the output.
    #[arg(long = "id", required = true)]
    id_column: String,
    /// `COLUMN=FIELD` (repeat); fields as for import.
    #[arg(long = "map", required = true)]
    maps: Vec<String>,
    /// Default phone region (ISO alpha-2); a mapped `country` column overrides it per row.
    #[arg(long)]
    region: Option<String>,
    /// Pairs scoring at least this are duplicates (match probability).
    #[arg(long, default_value_t = 0.8)]
    threshold: f64,
    /// Pairs from this score up to --threshold go to the review queue.
    #[arg(long, default_value_t = 0.5)]
    review_threshold: f64,
    /// Lowest normalized Levenshtein similarity at which names count as similar.
    #[arg(long, default_value_t = 0.8)]
    name_threshold: f64,
    /// Only pairs across files (linking one list to another).
    #[arg(long)]
    link: bool,
    /// Output: `id_a,id_b,score,evidence` (id_a < id_b).
    #[arg(long)]
    pairs: std::path::PathBuf,
    /// Output: `cluster,id,survivor` per member of each cluster.
    #[arg(long)]
    clusters: Option<std::path::PathBuf>,
    /// Output: the merge plan, `survivor,absorbed` per step.
    #[arg(long)]
    plan: Option<std::path::PathBuf>,
    /// Output: the review queue, `id_a,id_b,score,evidence`.
    #[arg(long)]
    review: Option<std::path::PathBuf>,
    /// Known true pairs (`id_a,id_b` with a header): prints precision, recall and F1.
    #[arg(long)]
    truth: Option<std::path::PathBuf>,
}

pub async fn run(c: ContactsCommand) -> ExitCode {
    match c {
        ContactsCommand::Import {
            file,
            id_column,
            maps,
            region,
            db,
            batch,
            tags,
            max_quoted_lines,
            max_quoted_bytes,
        } => {
            let opts = ImportOptions {
                batch: batch as usize,
                tags,
            };
            let limits = QuoteLimits {
                max_lines: max_quoted_lines,
                max_bytes: max_quoted_bytes,
            };
            import(&file, id_column, &maps, region, limits, &opts, &db).await
        }
        ContactsCommand::Export { db, format } => {
            match export::export(&db, format == "csv", std::io::stdout().lock()).await {
                Ok(n) => {
                    eprintln!("exported {n} contacts");
                    ExitCode::SUCCESS
                }
                Err(e) => crate::output::print_error(&e),
            }
        }
        ContactsCommand::Generate {
            rows,
            out,
            truth,
            seed,
        } => match generate(rows, &out, truth.as_deref(), seed) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => crate::output::print_error(&e),
        },
        ContactsCommand::Dedupe(a) => match dedupe(a) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => crate::output::print_error(&e),
        },
    }
}

async fn import(
    file: &std::path::Path,
    id_column: Option<String>,
    maps: &[String],
    region: Option<String>,
    quote_limits: QuoteLimits,
    opts: &ImportOptions,
    db: &str,
) -> ExitCode {
    let setup = async {
        let spec = ImportSpec {
            id_column,
            default_region: region,
            quote_limits,
            ..Default::default()
        }
        .with_maps(maps.iter().map(String::as_str))?;
        let f = open_with_progress(file)?;
        let stores = Stores::from_url(db).await?;
        Ok::<_, wacrm::Error>((spec, f, stores))
    };
    let (spec, f, stores) = match setup.await {
        Ok(x) => x,
        Err(e) => return crate::output::print_error(&e),
    };
    let (report, error) =
        match import_into_store_with(f, &spec, opts, stores.contacts.as_ref()).await {
            Ok(r) => (r, None),
            Err(fail) => (fail.report, Some(fail.error)),
        };
    // The report is printed whatever happened, so what was committed is known.
    let mut v = serde_json::to_value(&report).unwrap_or_default();
    if let Some(e) = &error {
        v["error"] = serde_json::to_value(e.details()).unwrap_or_default();
    }
    println!("{v}");
    for b in &report.bad_rows {
        eprintln!("line {}: {}", b.line, b.reason);
    }
    eprintln!(
        "imported {} of {} rows, {} bad, {} blank ({} line endings)",
        report.imported,
        report.rows,
        report.bad_rows.len(),
        report.blank,
        report.line_endings.kind()
    );
    match error {
        None => ExitCode::SUCCESS,
        Some(e) => {
            match report.last_committed_line {
                Some(l) => eprintln!("stopped: {e}; rows up to line {l} are stored"),
                None => eprintln!("stopped: {e}; no row was stored"),
            }
            ExitCode::from(1)
        }
    }
}

fn io_err(path: &std::path::Path, e: impl std::fmt::Display) -> wacrm::Error {
    wacrm::Error::Config(format!("{}: {e}", path.display()))
}

/// A progress bar over a file's bytes (hidden when stderr is not a terminal).
fn open_with_progress(
    path: &std::path::Path,
) -> wacrm::Result<indicatif::ProgressBarIter<std::io::BufReader<std::fs::File>>> {
    let f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(len).with_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(format!("reading {}", path.display()));
    Ok(bar.wrap_read(std::io::BufReader::new(f)))
}

fn dedupe(a: DedupeArgs) -> wacrm::Result<()> {
    use wacrm::contacts::dedupe::{self, DedupeConfig};
    let spec = ImportSpec {
        id_column: Some(a.id_column.clone()),
        default_region: a.region.clone(),
        ..Default::default()
    }
    .with_maps(a.maps.iter().map(String::as_str))?;
    let cfg = DedupeConfig {
        threshold: a.threshold,
        review_threshold: a.review_threshold.min(a.threshold),
        name_threshold: a.name_threshold,
        ..Default::default()
    };
    let read_start = std::time::Instant::now();
    let inputs = a
        .files
        .iter()
        .map(|p| open_with_progress(p))
        .collect::<wacrm::Result<Vec<_>>>()?;
    let cfg = DedupeConfig {
        cross_source_only: a.link,
        ..cfg
    };
    let (result, reports) = dedupe::dedupe_csv(inputs, &spec, &cfg)?;
    let mut bad = 0usize;
    for (path, report) in a.files.iter().zip(&reports) {
        for b in &report.bad_rows {
            eprintln!("{}: line {}: {}", path.display(), b.line, b.reason);
        }
        bad += report.bad_rows.len();
    }
    let read_millis = (read_start.elapsed().as_millis() as u64).saturating_sub(result.stats.millis);
    write_pairs(&a.pairs, &result.pairs)?;
    if let Some(p) = &a.review {
        write_pairs(p, &result.review)?;
    }
    if let Some(p) = &a.clusters {
        let mut w = csv::Writer::from_path(p).map_err(|e| io_err(p, e))?;
        w.write_record(["cluster", "id", "survivor"])
            .map_err(|e| io_err(p, e))?;
        for (i, c) in result.clusters.iter().enumerate() {
            for m in &c.members {
                let survivor = if *m == c.survivor { "true" } else { "false" };
                w.write_record([&(i + 1).to_string(), m, survivor])
                    .map_err(|e| io_err(p, e))?;
            }
        }
        w.flush().map_err(|e| io_err(p, e))?;
    }
    if let Some(p) = &a.plan {
        let mut w = csv::Writer::from_path(p).map_err(|e| io_err(p, e))?;
        w.write_record(["survivor", "absorbed"])
            .map_err(|e| io_err(p, e))?;
        for s in &result.plan {
            w.write_record([&s.survivor, &s.absorbed])
                .map_err(|e| io_err(p, e))?;
        }
        w.flush().map_err(|e| io_err(p, e))?;
    }
    let quality = match &a.truth {
        Some(p) => {
            let mut r = csv::Reader::from_path(p).map_err(|e| io_err(p, e))?;
            let mut truth = Vec::new();
            for rec in r.records() {
                let rec = rec.map_err(|e| io_err(p, e))?;
                if rec.len() >= 2 {
                    truth.push((rec[0].to_string(), rec[1].to_string()));
                }
            }
            Some(dedupe::evaluate(
                result.pairs.iter().map(|p| (p.a.as_str(), p.b.as_str())),
                truth.iter().map(|(x, y)| (x.as_str(), y.as_str())),
            ))
        }
        None => None,
    };
    let summary = serde_json::json!({
        "records": result.stats.records,
        "rows_read": result.stats.rows_read,
        "rows_left_out": result.stats.rows_left_out,
        "invalid_phones": result.stats.invalid_phones,
        "model": result.stats.model,
        "model_reason": result.stats.model_reason,
        "bad_rows": bad,
        "pairs": result.pairs.len(),
        "review": result.review.len(),
        "clusters": result.clusters.len(),
        "merges": result.plan.len(),
        "candidate_pairs": result.stats.candidate_pairs,
        "comparisons": result.comparisons,
        "blocking_rules": result.stats.blocking_rules,
        "matches_by_rule": result.stats.matches_by_rule,
        "read_millis": read_millis,
        "millis": result.stats.millis,
        "phase_millis": result.stats.phase_millis,
        "quality": quality,
    });
    println!("{summary}");
    Ok(())
}

fn generate(
    rows: usize,
    out: &std::path::Path,
    truth: Option<&std::path::Path>,
    seed: u64,
) -> wacrm::Result<()> {
    let f = std::fs::File::create(out).map_err(|e| io_err(out, e))?;
    let pairs = wacrm::contacts::dedupe::synth::write_csv(rows, seed, std::io::BufWriter::new(f))
        .map_err(|e| io_err(out, e))?;
    if let Some(t) = truth {
        let mut w = csv::Writer::from_path(t).map_err(|e| io_err(t, e))?;
        w.write_record(["id_a", "id_b"]).map_err(|e| io_err(t, e))?;
        for (a, b) in &pairs {
            w.write_record([a, b]).map_err(|e| io_err(t, e))?;
        }
        w.flush().map_err(|e| io_err(t, e))?;
    }
    eprintln!(
        "wrote {rows} rows to {} ({} true pairs); dedupe with: --id id {}",
        out.display(),
        pairs.len(),
        wacrm::contacts::dedupe::synth::MAPS
            .iter()
            .map(|m| format!("--map {m}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    Ok(())
}

fn write_pairs(
    path: &std::path::Path,
    pairs: &[wacrm::contacts::dedupe::ScoredPair],
) -> wacrm::Result<()> {
    let mut w = csv::Writer::from_path(path).map_err(|e| io_err(path, e))?;
    w.write_record(["id_a", "id_b", "score", "evidence"])
        .map_err(|e| io_err(path, e))?;
    for p in pairs {
        w.write_record([&p.a, &p.b, &format!("{:.4}", p.score), &p.evidence])
            .map_err(|e| io_err(path, e))?;
    }
    w.flush().map_err(|e| io_err(path, e))
}
