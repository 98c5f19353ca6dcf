//! `wacrm demo`: the main job end to end on embedded defaults — the sandbox
//! in-process, a SQLite file, a contact CSV import, a campaign through the
//! scheduler, signed status webhooks through the webhook handler, an inbound
//! reply assigned to an agent, and a report. The people in it (a supervisor
//! who starts the campaign, agents who answer, an admin who checks the audit
//! log) act through access sessions: every step is checked and audited.

mod team;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wacrm::assignment::{AssignmentConfig, AssignmentService, Outcome, Request};
use wacrm::client::{CloudApiClient, OutboundMessage, RetryPolicy, Template, TemplateParam};
use wacrm::contacts::{ImportSpec, Segment, import_into_store};
use wacrm::scheduler::{
    CampaignInput, LimitConfig, MemoryLimiter, OutgoingMessage, PolicyConfig, PolicyEngine,
    RateCard, Scheduler, SchedulerConfig, TierCounter, plan,
};
use wacrm::store::{Agent, Category, Lane, MessageStatus, Presence, Stores};
use wacrm::webhook::WebhookProcessor;
use wacrm::webhook::axum::WebhookEndpoint;
use wacrm::{AgentId, PhoneNumberId, SharedClock, SystemClock};
use wacrm_sandbox::{Sandbox, SandboxConfig, StatusDelays, Tier};

const CONTACTS_CSV: &str = include_str!("../../data/demo_contacts.csv");

/// Arguments of `wacrm demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// SQLite file to use (a fresh temporary file when absent).
    #[arg(long)]
    pub db: Option<std::path::PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Leave the sandbox and its inspector page running after the report (Ctrl-C stops it).
    #[arg(long)]
    pub keep_open: bool,
    /// Also write the analytics report as one self-contained HTML file.
    #[arg(long)]
    pub html: Option<std::path::PathBuf>,
    /// Serve Prometheus metrics of the run on this address (`GET /metrics`).
    #[arg(long)]
    pub metrics_addr: Option<std::net::SocketAddr>,
}

fn step(msg: &str) {
    eprintln!("• {msg}");
}

pub async fn run(a: DemoArgs) -> ExitCode {
    match demo(a).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::output::print_error(&e),
    }
}

async fn demo(a: DemoArgs) -> wacrm::Result<()> {
    let started = Instant::now();
    let clock: SharedClock = Arc::new(SystemClock);

    // 1. Storage: a SQLite file.
    let tmp;
    let db_path = match a.db {
        Some(p) => p,
        None => {
            tmp = std::env::temp_dir().join(format!("wacrm-demo-{}", std::process::id()));
            std::fs::create_dir_all(&tmp).map_err(|e| wacrm::Error::Config(e.to_string()))?;
            tmp.join("wacrm.db")
        }
    };
    let stores = Stores::sqlite(&db_path).await?;
    step(&format!("opened SQLite store {}", db_path.display()));
    let _metrics = match a.metrics_addr {
        Some(addr) => {
            let m = wacrm::metrics::prometheus::serve(addr, Some(stores.clone())).await?;
            step(&format!("metrics at {}", m.url()));
            Some(m)
        }
        None => None,
    };

    // 2. Webhook endpoint (the ready axum handler) feeding the processor.
    let app_secret = "demo-app-secret";
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let endpoint =
        WebhookEndpoint::with_channel(app_secret, "demo-verify-token", tx).router("/webhook");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| wacrm::Error::Config(format!("bind webhook port: {e}")))?;
    let webhook_url = format!(
        "http://{}/webhook",
        listener
            .local_addr()
            .map_err(|e| wacrm::Error::Config(e.to_string()))?
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, endpoint).await;
    });
    let processor = Arc::new(WebhookProcessor::new(stores.clone(), clock.clone()));
    let (new_tx, mut new_rx) = tokio::sync::mpsc::unbounded_channel();
    let proc2 = processor.clone();
    tokio::spawn(async move {
        while let Some(events) = rx.recv().await {
            match proc2.process(&events).await {
                Ok(report) => {
                    for m in report.new_messages {
                        let _ = new_tx.send(m);
                    }
                }
                Err(e) => eprintln!("webhook processing failed: {e}"),
            }
        }
    });

    // 3. The sandbox, in-process, signing webhooks to our endpoint.
    let number = "106540352242922";
    let sandbox = Sandbox::start(
        SandboxConfig::default()
            .phone_number(number)
            .webhook_url(webhook_url.clone())
            .app_secret(app_secret)
            .tier(Tier::Tier2k)
            .status_delays(StatusDelays {
                sent_ms: 20,
                delivered_ms: 80,
                read_ms: 200,
                read_rate: 0.7,
            }),
    )
    .await
    .map_err(|e| wacrm::Error::Config(e.to_string()))?;
    step(&format!(
        "sandbox Cloud API at {} (webhooks → {webhook_url})",
        sandbox.base_url()
    ));
    let client = CloudApiClient::builder()
        .access_token(sandbox.access_token())
        .base_url(sandbox.base_url())
        .retry_policy(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(1),
        })
        .build()?;

    // 4. Contacts from CSV.
    let spec = ImportSpec {
        id_column: Some("Customer ID".into()),
        default_region: Some("JP".into()),
        ..Default::default()
    }
    .with_maps([
        "Full Name=name",
        "Mobile=phone",
        "Email=email",
        "City=city",
        "Tags=tags",
        "Country=country",
    ])?;
    let report =
        import_into_store(CONTACTS_CSV.as_bytes(), &spec, stores.contacts.as_ref()).await?;
    step(&format!(
        "imported {} contacts, {} bad row(s)",
        report.imported,
        report.bad_rows.len()
    ));
    for b in &report.bad_rows {
        eprintln!("    line {}: {}", b.line, b.reason);
    }
    // The same customer under a second number: found and merged before the campaign,
    // so nobody gets the message twice.
    let dups = wacrm::contacts::dedupe::dedupe_store(
        stores.contacts.as_ref(),
        &wacrm::contacts::dedupe::DedupeConfig::default(),
    )
    .await?;
    for p in &dups.pairs {
        step(&format!(
            "duplicate: {} ~ {} (score {:.2}; {})",
            p.a, p.b, p.score, p.evidence
        ));
    }
    let merged = wacrm::contacts::dedupe::execute_plan(&dups.plan, stores.contacts.as_ref())
        .await?
        .merged;
    step(&format!("merged {merged} duplicate contact(s)"));

    // 5. A campaign to the "spring" segment through the scheduler.
    let audience = Segment::new("spring")
        .with_tag("spring")
        .members(stores.contacts.as_ref())
        .await?;
    let mut by_country: BTreeMap<String, u64> = BTreeMap::new();
    for c in &audience {
        let region = c
            .e164
            .as_deref()
            .and_then(wacrm::phone::region_of)
            .unwrap_or_else(|| "*".into());
        *by_country.entry(region).or_default() += 1;
    }
    let estimate = plan(
        &CampaignInput {
            recipients_by_country: by_country,
            category: Category::Marketing,
            numbers: 1,
            mps_per_number: 80,
            tier_cap: Some(2_000),
            tier_used: 0,
            ..Default::default()
        },
        &RateCard::shipped(),
    );
    step(&format!(
        "campaign plan: {} recipients, ~{:.2}s of sending, ~${:.2} (rate card {}), batched: {}",
        estimate.recipients,
        estimate.send_seconds,
        estimate.cost_usd,
        estimate.rate_card,
        estimate.batched
    ));
    let scheduler = Arc::new(Scheduler::new(
        stores.clone(),
        client.clone(),
        Arc::new(MemoryLimiter::new(LimitConfig::default())),
        Arc::new(TierCounter::new(Some(2_000))),
        // Quiet hours would hold back recipients where it is night now; the demo sends at once.
        Arc::new(PolicyEngine::new(PolicyConfig {
            quiet_hours: None,
            ..Default::default()
        })),
        clock.clone(),
        SchedulerConfig {
            worker_id: "demo-worker".into(),
            ..Default::default()
        },
    ));
    let agents = [("ag-ana", "Ana"), ("ag-ken", "Ken"), ("ag-li", "Li")];
    let team = team::set_up(&stores, clock.clone(), scheduler.clone(), &agents).await?;
    step("team: maria (admin), sam (supervisor), ana, ken and li (agents)");
    let from = PhoneNumberId::new(number);
    let mut campaign = Vec::new();
    for c in &audience {
        let Some(to) = c.e164.clone() else { continue };
        let first = c
            .name
            .clone()
            .unwrap_or_default()
            .split(' ')
            .next()
            .unwrap_or("")
            .to_string();
        let msg = OutboundMessage::Template(
            Template::new("spring_sale", "en")
                .body(vec![TemplateParam::text(first), TemplateParam::text("20%")]),
        );
        let mut out = OutgoingMessage::new(
            format!("spring-2026:{to}"),
            &from,
            to,
            msg,
            Category::Marketing,
        );
        out.promotion = true;
        campaign.push(out);
    }
    // An agent may not start campaigns: refused with FORBIDDEN, and logged.
    let refused = team
        .some_agent()?
        .start_campaign("spring-2026", &campaign)
        .await;
    match refused {
        Err(e) if e.kind() == wacrm::ErrorKind::Forbidden => step(&format!("refused: {e}")),
        Err(e) => return Err(e),
        Ok(_) => {
            return Err(wacrm::Error::Config(
                "an agent was allowed to start a campaign".into(),
            ));
        }
    }
    team.supervisor
        .start_campaign("spring-2026", &campaign)
        .await?;
    step(&format!(
        "sam started campaign spring-2026 ({} messages)",
        campaign.len()
    ));
    let round = scheduler
        .run_until_idle(clock.now_millis(), Instant::now() + Duration::from_secs(30))
        .await?;
    step(&format!(
        "scheduler: sent {}, deferred {}, parked {}",
        round.sent, round.deferred, round.parked
    ));

    // 6. Wait for the status webhooks.
    let sent_ids: Vec<_> = stores
        .outbox
        .list_by_state(wacrm::store::OutboxStateKind::Sent, 10_000)
        .await?;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut settled = 0;
        for item in &sent_ids {
            if let wacrm::store::OutboxState::Sent { message_id } = &item.state
                && let Some(m) = stores.messages.get_message(message_id).await?
                && matches!(
                    m.status,
                    Some(MessageStatus::Delivered | MessageStatus::Read | MessageStatus::Failed)
                )
            {
                settled += 1;
            }
        }
        if settled == sent_ids.len() || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // 7. A customer replies; the conversation is assigned.
    let assignment =
        AssignmentService::load(stores.clone(), AssignmentConfig::default(), clock.clone()).await?;
    for ((id, name), skills) in
        agents
            .into_iter()
            .zip([vec!["pt", "es"], vec!["ja", "en"], vec!["zh", "en"]])
    {
        assignment
            .upsert_agent(Agent {
                id: AgentId::new(id),
                name: name.into(),
                presence: Presence::Online,
                capacity: 7,
                skills: skills.into_iter().map(String::from).collect(),
                teams: Default::default(),
                updated_at: clock.now_millis(),
            })
            .await?;
    }
    let replier = audience
        .iter()
        .find(|c| c.id.as_str() == "C002")
        .or(audience.first())
        .cloned();
    let mut assigned_line = String::from("no reply arrived");
    let mut reply_ms = None;
    if let Some(c) = replier
        && let Some(wa) = c.wa_id.clone()
    {
        let inbound_at = Instant::now();
        sandbox
            .inbound(number, &wa, c.name.as_deref().unwrap_or("Customer"), serde_json::json!({"type": "text", "text": {"body": "セールは店舗でも使えますか？ Is the sale valid in store?"}}))
            .map_err(wacrm::Error::Config)?;
        let new = tokio::time::timeout(Duration::from_secs(5), new_rx.recv())
            .await
            .map_err(|_| wacrm::Error::Config("the inbound webhook did not arrive".into()))?
            .ok_or_else(|| wacrm::Error::Config("webhook processor stopped".into()))?;
        let mut req = Request::new(
            new.conversation_id.as_str(),
            new.contact_id.as_str(),
            clock.now_millis(),
        );
        req.preferred_skills.insert("ja".into());
        match assignment.assign(req).await? {
            Outcome::Assigned {
                agent_id, reason, ..
            } => {
                assigned_line = format!(
                    "conversation {} → {agent_id} (strategy {}, stage {}, {} candidate(s), load now {})",
                    new.conversation_id,
                    reason.strategy,
                    reason.stage,
                    reason.candidates,
                    reason.load_after.unwrap_or(0)
                );
                // The agent answers inside the window (a reply lane message).
                let reply = OutgoingMessage {
                    lane: Lane::Reply,
                    automated: false,
                    ..OutgoingMessage::new(
                        format!("reply:{}", new.message_id),
                        &from,
                        c.e164.as_deref().unwrap_or(&wa).to_string(),
                        OutboundMessage::text(
                            "はい、店舗でもご利用いただけます。Yes, it is valid in store too.",
                        ),
                        Category::Service,
                    )
                };
                // The assigned agent sends it: checked against the agent's role.
                team.agent(&agent_id)?.send(&reply).await?;
                scheduler
                    .run_until_idle(clock.now_millis(), Instant::now() + Duration::from_secs(10))
                    .await?;
                reply_ms = Some(inbound_at.elapsed().as_millis());
                // The scheduler recorded the agent's reply on the conversation
                // (first_response_at, last_human_reply_at); tell assignment too.
                assignment.mark_responded(&new.conversation_id).await?;
            }
            Outcome::Queued { position, .. } => {
                assigned_line = format!("queued at position {position}")
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // 8. Report: the analytics module recomputes the figures from the store.
    let analytics =
        wacrm::analytics::recompute(&stores, &wacrm::analytics::ReportConfig::default()).await?;
    if let Some(path) = &a.html {
        std::fs::write(
            path,
            wacrm::analytics::render_html(&analytics, "wacrm demo report"),
        )
        .map_err(|e| wacrm::Error::Config(format!("write {}: {e}", path.display())))?;
        step(&format!("HTML report written to {}", path.display()));
    }
    let funnel = analytics
        .funnel
        .iter()
        .find(|f| f.campaign == "spring-2026")
        .cloned()
        .unwrap_or_default();
    let failures: BTreeMap<String, u64> = analytics
        .failures
        .iter()
        .map(|f| (f.code.map(|c| c.to_string()).unwrap_or_default(), f.count))
        .collect();
    let parked = stores
        .outbox
        .list_by_state(wacrm::store::OutboxStateKind::Parked, 10_000)
        .await?;
    let exported = team
        .supervisor
        .export_contacts(&wacrm::store::ContactFilter::default())
        .await?
        .len();
    let audit = team::verify(&team, &stores).await?;
    step(&format!(
        "audit log: {} entries, {} refused, hash chain verified",
        audit.entries, audit.forbidden
    ));
    let ledger = sandbox.ledger();
    let report = serde_json::json!({
        "contacts_imported": report.imported,
        "bad_rows": report.bad_rows.len(),
        "duplicates_merged": merged,
        "campaign": {
            "recipients": estimate.recipients,
            "sent": funnel.sent,
            "delivered": funnel.delivered,
            "read": funnel.read,
            "failed": funnel.failed,
            "replied": funnel.replied,
            "failed_by_code": failures,
            "parked": parked.iter().map(|p| serde_json::json!({"to": p.recipient, "reason": p.history.last()})).collect::<Vec<_>>(),
            "estimated_cost_usd": (estimate.cost_usd * 100.0).round() / 100.0,
        },
        "assignment": assigned_line,
        "reply_round_trip_ms": reply_ms,
        "analytics": analytics,
        "contacts_exported": exported,
        "audit": audit,
        "sandbox_ledger_entries": ledger.len(),
        "elapsed_ms": started.elapsed().as_millis(),
    });
    if a.json {
        println!("{report}");
    } else {
        let c = &report["campaign"];
        println!("wacrm demo report");
        println!(
            "  contacts imported   {} ({} bad rows reported with line numbers)",
            report["contacts_imported"], report["bad_rows"]
        );
        println!("  duplicates merged   {}", report["duplicates_merged"]);
        println!("  campaign recipients {}", c["recipients"]);
        println!("  sent                {}", c["sent"]);
        println!("  delivered           {}", c["delivered"]);
        println!("  read                {}", c["read"]);
        println!("  replied             {}", c["replied"]);
        println!(
            "  parked              {}",
            c["parked"].as_array().map(|a| a.len()).unwrap_or(0)
        );
        println!("  estimated cost      ${}", c["estimated_cost_usd"]);
        println!(
            "  assignment          {}",
            report["assignment"].as_str().unwrap_or("")
        );
        match reply_ms {
            Some(ms) => {
                println!("  reply round trip    {ms} ms (inbound webhook to agent reply sent)")
            }
            None => println!("  reply round trip    -"),
        }
        match analytics.frt.median_s {
            Some(m) => println!(
                "  first response      median {m:.1} s over {} conversation(s)",
                analytics.frt.n
            ),
            None => println!(
                "  first response      none: the reply came within 24 h of our campaign message, so it opened no new conversation"
            ),
        }
        println!(
            "  inbound by hour     {} message(s); hot words: {}",
            analytics.hour_of_week.iter().sum::<u64>(),
            analytics
                .hot_words
                .iter()
                .take(5)
                .map(|w| format!("{} ({})", w.word, w.count))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!("  sandbox ledger      {} accepted message(s)", ledger.len());
        println!(
            "  audit log           {} entries ({} refused), hash chain verified",
            audit.entries, audit.forbidden
        );
    }
    if a.keep_open {
        eprintln!(
            "sandbox inspector: {} — Ctrl-C stops it",
            sandbox.inspector_url()
        );
        let _ = tokio::signal::ctrl_c().await;
    }
    sandbox.shutdown().await;
    Ok(())
}
