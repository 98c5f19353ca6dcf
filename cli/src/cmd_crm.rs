//! `wacrm crm` (C8): push, pull and sync contacts with a CRM through a field
//! mapping, list recorded discrepancies, and run the HubSpot stand-in.

use std::process::ExitCode;
use std::sync::Arc;

use serde_json::json;
use wacrm::crm::{
    CrmConnector, HubSpotConfig, HubSpotConnector, Mapping, SqlTableConfig, SqlTableConnector,
    SyncEngine, SyncOptions,
};
use wacrm::store::Stores;
use wacrm_crm_standin::{Standin, StandinConfig};

use crate::output::print_error;

/// `wacrm crm ...`.
#[derive(clap::Subcommand)]
pub enum CrmCommand {
    /// Push local contact changes since the last push (all contacts on the first run).
    Push(SyncArgs),
    /// Pull CRM changes since the stored cursor into contacts.
    Pull(SyncArgs),
    /// Pull, then push.
    Sync(SyncArgs),
    /// List the recorded discrepancies (both values, both timestamps, the decision).
    Discrepancies(DiscrepancyArgs),
    /// Run the HubSpot CRM v3 stand-in until Ctrl-C.
    Standin(StandinArgs),
}

/// Options shared by push, pull and sync.
#[derive(clap::Args)]
pub struct SyncArgs {
    /// Store URL: `sqlite://PATH`, `postgres://...` or `memory:`.
    #[arg(long)]
    pub db: String,
    /// The mapping file (TOML).
    #[arg(long)]
    pub mapping: std::path::PathBuf,
    /// `hubspot` or `sql`.
    #[arg(long, default_value = "hubspot")]
    pub connector: String,
    /// HubSpot API root (a stand-in's URL in tests).
    #[arg(long, default_value = "https://api.hubapi.com")]
    pub base_url: String,
    /// HubSpot access token.
    #[arg(long, env = "WACRM_HUBSPOT_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Inputs per batch call (HubSpot: at most 100).
    #[arg(long, default_value_t = 100)]
    pub batch_size: usize,
    /// Requests per 10 s until the server's headers say otherwise.
    #[arg(long, default_value_t = 100)]
    pub requests_per_10s: u32,
    /// Name sync state is kept under (defaults to the connector's name:
    /// `hubspot` or `sql`).
    #[arg(long)]
    pub name: Option<String>,
    /// Serve Prometheus metrics (`GET /metrics`) on this address while running.
    #[arg(long)]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Repeat every SECS seconds until Ctrl-C (one JSON summary per round).
    #[arg(long, value_name = "SECS")]
    pub every: Option<f64>,
    /// SQL connector: database URL.
    #[arg(long)]
    pub sql_url: Option<String>,
    /// SQL connector: table.
    #[arg(long)]
    pub table: Option<String>,
    /// SQL connector: id column.
    #[arg(long)]
    pub id_column: Option<String>,
    /// SQL connector: updated-at column.
    #[arg(long)]
    pub updated_column: Option<String>,
}

/// Options of `crm discrepancies`.
#[derive(clap::Args)]
pub struct DiscrepancyArgs {
    /// Store URL.
    #[arg(long)]
    pub db: String,
    /// `jsonl` or `csv`.
    #[arg(long, default_value = "jsonl")]
    pub format: String,
    /// Sync state name (the connector's name by default).
    #[arg(long, default_value = "hubspot")]
    pub name: String,
}

/// Options of `crm standin`.
#[derive(clap::Args)]
pub struct StandinArgs {
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 8091)]
    pub port: u16,
    /// Host.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Bearer token clients must send.
    #[arg(long, env = "WACRM_HUBSPOT_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Request limit, `N/10s` (HubSpot OAuth apps: 100/10s).
    #[arg(long, default_value = "100/10s")]
    pub burst: String,
    /// Search requests per second.
    #[arg(long, default_value_t = 4)]
    pub search_per_s: u32,
    /// Injected fault, `STATUS=PROBABILITY` (repeatable), e.g. `429=0.05`.
    #[arg(long)]
    pub fault: Vec<String>,
}

async fn connector(a: &SyncArgs, mapping: &Mapping) -> wacrm::Result<Arc<dyn CrmConnector>> {
    if a.connector == "sql" {
        let need = |v: &Option<String>, flag: &str| {
            v.clone()
                .ok_or_else(|| wacrm::Error::Config(format!("--connector sql needs {flag}")))
        };
        let mut cfg = SqlTableConfig::new(
            need(&a.sql_url, "--sql-url")?,
            need(&a.table, "--table")?,
            need(&a.id_column, "--id-column")?,
            need(&a.updated_column, "--updated-column")?,
        )
        .properties(mapping.crm_properties());
        cfg.batch_size = a.batch_size;
        return Ok(Arc::new(SqlTableConnector::connect(cfg).await?));
    }
    let token = a.token.clone().ok_or_else(|| {
        wacrm::Error::Config("a HubSpot token is needed: --token or WACRM_HUBSPOT_TOKEN".into())
    })?;
    let mut cfg = HubSpotConfig::new(token)
        .base_url(&a.base_url)
        .properties(mapping.crm_properties());
    cfg.batch_size = a.batch_size;
    cfg.requests_per_10s = a.requests_per_10s;
    Ok(Arc::new(HubSpotConnector::new(cfg)?))
}

async fn engine(a: &SyncArgs) -> wacrm::Result<SyncEngine> {
    let mapping = Mapping::from_file(&a.mapping)?;
    let stores = Stores::from_url(&a.db).await?;
    let connector = connector(a, &mapping).await?;
    let opts = SyncOptions {
        name: a.name.clone().unwrap_or_else(|| a.connector.clone()),
        ..Default::default()
    };
    Ok(SyncEngine::new(connector, mapping, &stores).with_options(opts))
}

fn push_json(r: &wacrm::crm::PushReport) -> serde_json::Value {
    json!({"created": r.created, "updated": r.updated, "unchanged": r.unchanged,
        "rejected": r.rejected, "parked": r.parked, "retries": r.retries,
        "requests": r.requests, "rate_limited": r.rate_limited})
}

fn pull_json(r: &wacrm::crm::PullReport) -> serde_json::Value {
    json!({"fetched": r.fetched, "applied": r.applied, "created": r.created,
        "conflicts": r.conflicts, "discrepancies": r.discrepancies})
}

async fn once(which: &str, e: &SyncEngine) -> wacrm::Result<serde_json::Value> {
    match which {
        "push" => e.push().await.map(|r| push_json(&r)),
        "pull" => e.pull().await.map(|r| pull_json(&r)),
        _ => e
            .sync()
            .await
            .map(|r| json!({"pull": pull_json(&r.pull), "push": push_json(&r.push)})),
    }
}

async fn run_sync(which: &str, a: SyncArgs) -> ExitCode {
    if a.connector != "hubspot" && a.connector != "sql" {
        eprintln!("--connector {:?}: use hubspot or sql", a.connector);
        return ExitCode::from(2);
    }
    let every = match a.every.map(std::time::Duration::try_from_secs_f64) {
        None => None,
        Some(Ok(d)) if !d.is_zero() => Some(d),
        Some(_) => {
            eprintln!("--every: a positive number of seconds");
            return ExitCode::from(2);
        }
    };
    let e = match engine(&a).await {
        Ok(e) => e,
        Err(e) => return print_error(&e),
    };
    let _metrics = match a.metrics_addr {
        Some(addr) => match wacrm::metrics::prometheus::serve(addr, None).await {
            Ok(m) => {
                eprintln!("metrics at {}", m.url());
                Some(m)
            }
            Err(e) => return print_error(&e),
        },
        None => None,
    };
    let via = if a.connector == "sql" {
        wacrm::store::redact_url(a.sql_url.as_deref().unwrap_or_default())
    } else {
        a.base_url.clone()
    };
    eprintln!("crm {which}: {} via {via}", wacrm::store::redact_url(&a.db));
    loop {
        match once(which, &e).await {
            Ok(v) => println!("{v}"),
            Err(err) => return print_error(&err),
        }
        let Some(pause) = every else {
            return ExitCode::SUCCESS;
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = tokio::signal::ctrl_c() => return ExitCode::SUCCESS,
        }
    }
}

async fn discrepancies(a: DiscrepancyArgs) -> ExitCode {
    let stores = match Stores::from_url(&a.db).await {
        Ok(s) => s,
        Err(e) => return print_error(&e),
    };
    let ds = match stores.sync.list_discrepancies(&a.name).await {
        Ok(d) => d,
        Err(e) => return print_error(&e.into()),
    };
    match a.format.as_str() {
        "jsonl" => {
            for d in ds {
                println!("{}", serde_json::to_string(&d).unwrap_or_default());
            }
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let _ = w.write_record([
                "id",
                "key",
                "field",
                "local_value",
                "local_at",
                "remote_value",
                "remote_at",
                "resolution",
                "at",
            ]);
            for d in ds {
                let text = |v: &serde_json::Value| match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    o => o.to_string(),
                };
                let _ = w.write_record([
                    d.id.clone(),
                    d.key.clone(),
                    d.field.clone(),
                    text(&d.local["value"]),
                    text(&d.local["at"]),
                    text(&d.remote["value"]),
                    text(&d.remote["at"]),
                    d.resolution.clone(),
                    d.at.to_string(),
                ]);
            }
            let _ = w.flush();
        }
        other => {
            eprintln!("--format {other:?}: use jsonl or csv");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

async fn standin(a: StandinArgs) -> ExitCode {
    let mut cfg = StandinConfig {
        host: a.host,
        port: a.port,
        token: a.token,
        search_per_s: a.search_per_s,
        ..Default::default()
    };
    match StandinConfig::parse_burst(&a.burst) {
        Ok(n) => cfg.requests_per_10s = n,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    for f in &a.fault {
        match StandinConfig::parse_fault(f) {
            Ok(x) => cfg.faults.push(x),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    let s = match Standin::start(cfg).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("crm standin: cannot listen: {e}");
            return ExitCode::from(1);
        }
    };
    println!("{}", json!({"url": s.url()}));
    eprintln!("HubSpot stand-in on {} (Ctrl-C stops)", s.url());
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("{}", json!(s.stats()));
    s.stop().await;
    ExitCode::SUCCESS
}

/// Run a `crm` subcommand.
pub async fn run(c: CrmCommand) -> ExitCode {
    match c {
        CrmCommand::Push(a) => run_sync("push", a).await,
        CrmCommand::Pull(a) => run_sync("pull", a).await,
        CrmCommand::Sync(a) => run_sync("sync", a).await,
        CrmCommand::Discrepancies(a) => discrepancies(a).await,
        CrmCommand::Standin(a) => standin(a).await,
    }
}
