//! `wacrm sandbox` (C3): run the local Cloud API simulator until Ctrl-C.

use std::process::ExitCode;

use wacrm_sandbox::{IdempotencyMode, Sandbox, SandboxConfig, Tier, WindowMode};

/// Arguments of `wacrm sandbox`.
#[derive(clap::Args)]
pub struct SandboxArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8089)]
    pub port: u16,
    /// Host to listen on (loopback by default; anything else is warned about).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Also answer requests whose Host header names this (loopback names and IP
    /// literals are always answered; other names are refused against DNS rebinding).
    #[arg(long = "allowed-host")]
    pub allowed_hosts: Vec<String>,
    /// Bearer token clients must send (generated and printed when absent).
    #[arg(long, env = "WACRM_ACCESS_TOKEN")]
    pub access_token: Option<String>,
    /// Business phone number ids to serve (one is created when absent).
    #[arg(long = "phone-number-id")]
    pub phone_number_ids: Vec<String>,
    /// WhatsApp Business Account id.
    #[arg(long, default_value = "102290129340398")]
    pub waba_id: String,
    /// Messages per second per number (a positive finite number).
    #[arg(long, default_value_t = 80.0, value_parser = parse_mps)]
    pub mps: f64,
    /// Where to post webhooks.
    #[arg(long, env = "WACRM_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// App secret used to sign webhooks.
    #[arg(long, env = "WACRM_APP_SECRET", default_value = "sandbox-app-secret")]
    pub app_secret: String,
    /// Verify token for the subscription handshake.
    #[arg(
        long,
        env = "WACRM_VERIFY_TOKEN",
        default_value = "sandbox-verify-token"
    )]
    pub verify_token: String,
    /// Messaging-limit tier: 250, 2k, 10k, 100k or unlimited.
    #[arg(long, default_value = "250")]
    pub tier: String,
    /// Answer free-form messages outside the 24 h window synchronously (default: failed status webhook).
    #[arg(long)]
    pub sync_window_errors: bool,
    /// Serve Prometheus metrics of this process on this address (`GET /metrics`).
    #[arg(long)]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// A repeated `Idempotency-Key`: `ignore` (a second send, as Meta's API does)
    /// or `replay` (the first answer again, nothing sent).
    #[arg(long, default_value = "ignore", value_parser = parse_idempotency)]
    pub idempotency: IdempotencyMode,
}

fn parse_idempotency(s: &str) -> Result<IdempotencyMode, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "ignore" => Ok(IdempotencyMode::Ignore),
        "replay" => Ok(IdempotencyMode::Replay),
        other => Err(format!("{other:?}: use ignore or replay")),
    }
}

fn parse_mps(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim().parse().map_err(|e| format!("{e}"))?;
    wacrm_sandbox::check_mps(v)
}

pub async fn run(a: SandboxArgs) -> ExitCode {
    let tier = match a.tier.to_ascii_lowercase().as_str() {
        "250" => Tier::Tier250,
        "2k" | "2000" => Tier::Tier2k,
        "10k" | "10000" => Tier::Tier10k,
        "100k" | "100000" => Tier::Tier100k,
        "unlimited" => Tier::Unlimited,
        other => {
            eprintln!("--tier {other:?}: use 250, 2k, 10k, 100k or unlimited");
            return ExitCode::from(2);
        }
    };
    let mut cfg = SandboxConfig::default()
        .port(a.port)
        .waba_id(a.waba_id)
        .app_secret(a.app_secret)
        .verify_token(a.verify_token)
        .tier(tier)
        .mps(a.mps)
        .idempotency(a.idempotency);
    cfg.host = a.host;
    cfg.allowed_hosts = a.allowed_hosts;
    if a.sync_window_errors {
        cfg = cfg.window_mode(WindowMode::Sync);
    }
    if let Some(t) = a.access_token {
        cfg = cfg.access_token(t);
    }
    for id in a.phone_number_ids {
        cfg = cfg.phone_number(id);
    }
    if let Some(u) = a.webhook_url {
        cfg = cfg.webhook_url(u);
    }
    if let Err(e) = cfg.validate() {
        eprintln!("sandbox: {e}");
        return ExitCode::from(2);
    }
    let metrics = match a.metrics_addr {
        Some(addr) => match wacrm::metrics::prometheus::serve(addr, None).await {
            Ok(m) => Some(m),
            Err(e) => {
                eprintln!("sandbox: --metrics-addr: {e}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let handle = match Sandbox::start(cfg).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("sandbox: {e}");
            return ExitCode::from(1);
        }
    };
    let info = serde_json::json!({
        "base_url": handle.base_url(),
        "access_token": handle.access_token(),
        "phone_number_ids": handle.phone_number_ids(),
        "waba_id": handle.waba_id(),
        "control": format!("{}/_sandbox/", handle.base_url()),
        "inspector": handle.inspector_url(),
        "metrics": metrics.as_ref().map(|m| m.url()),
    });
    println!("{info}");
    eprintln!(
        "sandbox listening on {} — export WACRM_BASE_URL={} WACRM_ACCESS_TOKEN=<token above>; \
         the control API takes the same token; inspector page: {}; Ctrl-C stops it",
        handle.base_url(),
        handle.base_url(),
        handle.inspector_url()
    );
    // With metrics on, the ledger is sampled every 2 s until Ctrl-C.
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = tick.tick(), if metrics.is_some() => sample_ledger(&handle),
        }
    }
    handle.shutdown().await;
    ExitCode::SUCCESS
}

/// Accepted and failed sends per number, from the sandbox's ledger.
fn sample_ledger(handle: &wacrm_sandbox::SandboxHandle) {
    let mut counts: std::collections::BTreeMap<(String, &'static str), u64> = Default::default();
    for e in handle.ledger() {
        let outcome = if e.outcome.starts_with("failed") {
            "failed"
        } else {
            "accepted"
        };
        *counts.entry((e.phone_number_id, outcome)).or_default() += 1;
    }
    for ((number, outcome), n) in counts {
        metrics::gauge!(wacrm::metrics::SANDBOX_SENDS, "phone_number_id" => number, "outcome" => outcome)
            .set(n as f64);
    }
}
