//! `wacrm demo`: the main job end to end on embedded defaults.

use std::process::ExitCode;

/// Arguments of `wacrm demo`.
#[derive(clap::Args)]
pub struct DemoArgs {}

pub async fn run(_a: DemoArgs) -> ExitCode {
    crate::output::not_built("demo", "C1 + C3 (client and sandbox)")
}
