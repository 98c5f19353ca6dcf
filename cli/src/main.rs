//! `wacrm`: one binary for operators and scripts. Each subcommand lives in its
//! own module; machine-readable output goes to stdout, progress to stderr.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod cmd_audit;
mod cmd_automation;
mod cmd_contacts;
mod cmd_crm;
mod cmd_demo;
mod cmd_phone;
mod cmd_report;
mod cmd_retention;
mod cmd_sandbox;
mod cmd_send;
mod cmd_users;
mod cmd_webhook;
mod output;
mod secrets;

#[derive(Parser)]
#[command(
    name = "wacrm",
    version,
    about = "WhatsApp Business Cloud API engine: send, sandbox, phone, webhook, contacts, demo"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Send one message through the Cloud API client.
    Send(cmd_send::SendArgs),
    /// Run the local Cloud API sandbox.
    Sandbox(cmd_sandbox::SandboxArgs),
    /// Phone number tools.
    Phone {
        #[command(subcommand)]
        command: cmd_phone::PhoneCommand,
    },
    /// Webhook tools.
    Webhook {
        #[command(subcommand)]
        command: cmd_webhook::WebhookCommand,
    },
    /// Contact import and dedupe.
    Contacts {
        #[command(subcommand)]
        command: cmd_contacts::ContactsCommand,
    },
    /// Run the end-to-end demo on embedded defaults.
    Demo(cmd_demo::DemoArgs),
    /// Automation rules: test a rules file against messages.
    Automation {
        #[command(subcommand)]
        command: cmd_automation::AutomationCommand,
    },
    /// Audit log: verify, checkpoint, export.
    Audit {
        #[command(subcommand)]
        command: cmd_audit::AuditCommand,
    },
    /// Console users and their roles.
    Users {
        #[command(subcommand)]
        command: cmd_users::UsersCommand,
    },
    /// Preset and custom roles.
    Roles {
        #[command(subcommand)]
        command: cmd_users::RolesCommand,
    },
    /// Analytics report from a store (JSON, CSV or HTML).
    ///
    /// Sections: first response, agents, campaign funnels, failures by error
    /// code, inbound by hour of week, hot words, anomalies, and CRM sync
    /// health (per connector and mapping, as `wacrm crm` runs saved it).
    Report(cmd_report::ReportArgs),
    /// CRM field mapping and sync.
    Crm {
        #[command(subcommand)]
        command: cmd_crm::CrmCommand,
    },
    /// Retention: archive, purge and expire by policy, once or on a timer.
    Retention(cmd_retention::RetentionArgs),
}

fn main() -> ExitCode {
    // `wacrm phone ...` is run once per number by scripts: it skips the
    // logger, the async runtime and the full command tree, which cost more
    // than normalizing a line.
    if std::env::args_os().nth(1).is_some_and(|a| a == "phone") {
        return cmd_phone::main();
    }
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WACRM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    // Parsed through the hardened command tree: env values never reach `--help`.
    let cli = match Cli::from_arg_matches(&secrets::harden(Cli::command()).get_matches()) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start runtime: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(async move {
        match cli.command {
            Command::Send(a) => cmd_send::run(a).await,
            Command::Sandbox(a) => cmd_sandbox::run(a).await,
            Command::Phone { command } => cmd_phone::run(command),
            Command::Webhook { command } => cmd_webhook::run(command).await,
            Command::Contacts { command } => cmd_contacts::run(command).await,
            Command::Demo(a) => cmd_demo::run(a).await,
            Command::Automation { command } => cmd_automation::run(command).await,
            Command::Audit { command } => cmd_audit::run(command).await,
            Command::Users { command } => cmd_users::run_users(command).await,
            Command::Roles { command } => cmd_users::run_roles(command).await,
            Command::Report(a) => cmd_report::run(a).await,
            Command::Crm { command } => cmd_crm::run(command).await,
            Command::Retention(a) => cmd_retention::run(a).await,
        }
    })
}
