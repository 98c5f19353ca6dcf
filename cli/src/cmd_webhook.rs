//! `wacrm webhook ...` (C2).

use std::process::ExitCode;

/// Webhook subcommands.
#[derive(clap::Subcommand)]
pub enum WebhookCommand {
    /// Verify and parse webhook bodies.
    Parse {
        /// Options.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
}

pub async fn run(_c: WebhookCommand) -> ExitCode {
    crate::output::not_built("webhook parse", "C2 (webhooks)")
}
