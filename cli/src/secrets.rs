//! Secrets on the command line. Applied to the whole command tree at start,
//! so a subcommand added later is covered without remembering: every
//! argument read from the environment keeps its value out of `--help`, and the
//! secret ones (tokens, app secret, store URL) refuse an empty value.

use clap::Command;
use clap::builder::NonEmptyStringValueParser;

/// Environment variables whose values are secrets (or URLs that may carry one).
const SECRET_ENVS: &[&str] = &[
    "WACRM_ACCESS_TOKEN",
    "WACRM_APP_SECRET",
    "WACRM_VERIFY_TOKEN",
    "WACRM_DB",
];

/// `cmd` and all its subcommands with env values hidden and secrets non-empty.
pub fn harden(cmd: Command) -> Command {
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let mut cmd = cmd.mut_args(|a| {
        let Some(env) = a.get_env().and_then(|e| e.to_str()).map(str::to_string) else {
            return a;
        };
        let a = a.hide_env_values(true);
        if SECRET_ENVS.contains(&env.as_str()) {
            a.value_parser(NonEmptyStringValueParser::new())
        } else {
            a
        }
    });
    for s in subs {
        cmd = cmd.mut_subcommand(s, harden);
    }
    cmd
}
