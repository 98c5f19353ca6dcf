//! `wacrm sandbox` (C3).

use std::process::ExitCode;

/// Arguments of `wacrm sandbox`.
#[derive(clap::Args)]
pub struct SandboxArgs {
    /// Options.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<String>,
}

pub async fn run(_a: SandboxArgs) -> ExitCode {
    crate::output::not_built("sandbox", "C3 (sandbox)")
}
