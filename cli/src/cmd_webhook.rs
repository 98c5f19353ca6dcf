//! `wacrm webhook parse` (C2): one JSON object per event; never fails on unknown types.
//! `wacrm webhook ingest` (C10): stored webhook bodies into a store through the
//! live handler's processor.

use std::process::ExitCode;

use serde_json::{Value, json};
use wacrm::webhook::{SignatureVerifier, WebhookEvent, parse_body};

#[path = "cmd_webhook_ingest.rs"]
mod ingest;

/// Webhook subcommands.
#[derive(clap::Subcommand)]
pub enum WebhookCommand {
    /// Verify (optionally) and parse webhook bodies.
    Parse {
        /// App secret to verify `--signature` with (unused without `--signature`).
        #[arg(long, env = "WACRM_APP_SECRET", hide_env_values = true, value_parser = clap::builder::NonEmptyStringValueParser::new())]
        app_secret: Option<String>,
        /// The `X-Hub-Signature-256` header value (`sha256=...`).
        #[arg(long, requires = "app_secret")]
        signature: Option<String>,
        /// Body files.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
    /// Process stored webhook bodies (one JSON body per file, or JSON lines)
    /// into a store; idempotent; prints a JSON summary.
    Ingest {
        /// Store URL (`sqlite://PATH`).
        #[arg(long)]
        db: String,
        /// Body files.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
}

fn event_json(e: &WebhookEvent) -> Value {
    match e {
        WebhookEvent::Message(m) => json!({
            "kind": "message", "phone_number_id": m.routing.phone_number_id, "id": m.id, "from": m.from,
            "from_user_id": m.from_user_id, "type": m.content.type_name(), "timestamp": m.timestamp,
            "text": m.content.text(), "name": m.contact.as_ref().and_then(|c| c.name.clone()),
            "context": m.context.as_ref().and_then(|c| c.id.clone()), "content": m.content,
        }),
        WebhookEvent::Status(s) => json!({
            "kind": "status", "phone_number_id": s.routing.phone_number_id, "id": s.id,
            "recipient_id": s.recipient_id, "recipient_user_id": s.recipient_user_id, "status": s.status.as_str(),
            "timestamp": s.timestamp, "pricing": s.pricing,
            "errors": s.errors.iter().map(|g| json!({"code": g.code, "title": g.title, "message": g.message,
                "details": g.details(), "class": wacrm::error::classify_code(g.code, None, None).code()})).collect::<Vec<_>>(),
        }),
        WebhookEvent::Error(er) => json!({
            "kind": "error", "phone_number_id": er.routing.phone_number_id, "code": er.error.code,
            "message": er.error.message, "details": er.error.details(),
        }),
        WebhookEvent::Unknown(u) => json!({
            "kind": "unknown", "phone_number_id": u.routing.as_ref().map(|r| r.phone_number_id.clone()),
            "field": u.field, "reason": u.reason,
            "raw": serde_json::from_str::<Value>(u.raw.get()).unwrap_or(Value::Null),
        }),
        // Calls, template, number and account updates, Business app sync:
        // the typed event as it serializes (kind, routing, field, data, raw).
        other => serde_json::to_value(other)
            .unwrap_or_else(|e| json!({"kind": other.kind(), "error": e.to_string()})),
    }
}

pub async fn run(c: WebhookCommand) -> ExitCode {
    let (app_secret, signature, files) = match c {
        WebhookCommand::Parse {
            app_secret,
            signature,
            files,
        } => (app_secret, signature, files),
        WebhookCommand::Ingest { db, files } => return ingest::run(&db, &files).await,
    };
    // Verify only when a signature was given; an app secret from the
    // environment alone does not turn verification on.
    let verifier = app_secret
        .filter(|_| signature.is_some())
        .map(SignatureVerifier::new);
    let mut status = ExitCode::SUCCESS;
    for f in files {
        let body = match std::fs::read(&f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                status = ExitCode::from(1);
                continue;
            }
        };
        if let Some(v) = &verifier
            && let Err(e) = v.verify(&body, signature.as_deref())
        {
            eprintln!("{}: {e}", f.display());
            status = ExitCode::from(1);
            continue;
        }
        match parse_body(&body) {
            Ok(events) => {
                for e in &events {
                    println!("{}", event_json(e));
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                status = ExitCode::from(1);
            }
        }
    }
    status
}
