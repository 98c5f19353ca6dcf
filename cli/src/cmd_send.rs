//! `wacrm send KIND ...` (C1).

use std::process::ExitCode;

/// Arguments of `wacrm send`.
#[derive(clap::Args)]
pub struct SendArgs {
    /// Message kind (text, template, image, ...).
    pub kind: String,
    /// Remaining options.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<String>,
}

pub async fn run(_a: SendArgs) -> ExitCode {
    crate::output::not_built("send", "C1 (typed client)")
}
