//! `wacrm phone ...` (C4).

use std::process::ExitCode;

/// Phone subcommands.
#[derive(clap::Subcommand)]
pub enum PhoneCommand {
    /// Normalize numbers to E.164.
    Normalize {
        /// Options.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
}

pub async fn run(_c: PhoneCommand) -> ExitCode {
    crate::output::not_built("phone normalize", "C4 (phone numbers)")
}
