//! `wacrm contacts ...` (C7): CSV import into a store; dedupe waits for its build.

use std::process::ExitCode;

use wacrm::contacts::{ImportSpec, import_into_store};
use wacrm::store::Stores;

/// Contacts subcommands.
#[derive(clap::Subcommand)]
pub enum ContactsCommand {
    /// Import a CSV into a store; prints the report (imported rows, bad rows with line numbers).
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
        #[arg(long, env = "WACRM_DB")]
        db: String,
    },
    /// Find duplicate contacts in a CSV.
    Dedupe {
        /// Options.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
}

pub async fn run(c: ContactsCommand) -> ExitCode {
    match c {
        ContactsCommand::Import {
            file,
            id_column,
            maps,
            region,
            db,
        } => {
            let result = async {
                let spec = ImportSpec {
                    id_column,
                    default_region: region,
                    ..Default::default()
                }
                .with_maps(maps.iter().map(String::as_str))?;
                let f = std::fs::File::open(&file)
                    .map_err(|e| wacrm::Error::Config(format!("{}: {e}", file.display())))?;
                let stores = Stores::from_url(&db).await?;
                import_into_store(std::io::BufReader::new(f), &spec, stores.contacts.as_ref()).await
            }
            .await;
            match result {
                Ok(report) => {
                    println!("{}", serde_json::to_string(&report).unwrap_or_default());
                    for b in &report.bad_rows {
                        eprintln!("line {}: {}", b.line, b.reason);
                    }
                    eprintln!(
                        "imported {} of {} rows, {} bad",
                        report.imported,
                        report.rows,
                        report.bad_rows.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => crate::output::print_error(&e),
            }
        }
        ContactsCommand::Dedupe { .. } => {
            crate::output::not_built("contacts dedupe", "C7 (contacts dedupe)")
        }
    }
}
