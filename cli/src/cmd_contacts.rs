//! `wacrm contacts ...` (C7).

use std::process::ExitCode;

/// Contacts subcommands.
#[derive(clap::Subcommand)]
pub enum ContactsCommand {
    /// Import a CSV into a store.
    Import {
        /// Options.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
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
        ContactsCommand::Import { .. } => {
            crate::output::not_built("contacts import", "C7 (contacts)")
        }
        ContactsCommand::Dedupe { .. } => {
            crate::output::not_built("contacts dedupe", "C7 (contacts)")
        }
    }
}
