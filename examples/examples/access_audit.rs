//! Roles and audit: an admin sets up an agent and a team supervisor, each
//! works through a console session bound to them, a refused action comes back
//! as FORBIDDEN, and the hash-chained audit log verifies and exports.
//! cargo run -p wacrm-examples --example access_audit

use std::sync::Arc;

use wacrm::access::{Console, ExportFormat, Membership, Scope, User};
use wacrm::ids::{AgentId, ContactId, ConversationId, PhoneNumberId};
use wacrm::store::{Agent, ContactFilter, Conversation, ConversationStatus, Presence, Stores};
use wacrm::{ErrorKind, SystemClock};

#[tokio::main]
async fn main() -> wacrm::Result<()> {
    let dir = std::env::temp_dir().join(format!("wacrm-access-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| wacrm::Error::Config(e.to_string()))?;
    let stores = Stores::sqlite(dir.join("console.db")).await?;

    // Two agents in two teams, one conversation each.
    for (id, team) in [("ana", "sales"), ("bob", "support")] {
        stores
            .agents
            .upsert_agent(&Agent {
                id: AgentId::new(id),
                name: id.into(),
                presence: Presence::Online,
                capacity: 5,
                skills: Default::default(),
                teams: [team.to_string()].into(),
                updated_at: 0,
            })
            .await?;
        stores
            .conversations
            .create(&Conversation {
                id: ConversationId::new(format!("cv_{id}")),
                contact_id: ContactId::new(format!("c_{id}")),
                phone_number_id: PhoneNumberId::new("1234"),
                status: ConversationStatus::Open,
                agent_id: Some(AgentId::new(id)),
                priority: 0,
                opened_at: 0,
                assigned_at: None,
                last_inbound_at: None,
                last_outbound_at: None,
                first_response_at: None,
                last_human_reply_at: None,
                closed_at: None,
            })
            .await?;
    }

    let console = Console::new(stores.clone(), Arc::new(SystemClock));
    // The first admin is created by an operator with database access.
    let op = console.operator("setup");
    for (id, agent, role, team) in [
        ("root", None, "admin", None),
        ("ana", Some("ana"), "agent", None),
        ("sue", None, "supervisor", Some("sales")),
    ] {
        op.upsert_user(&User {
            id: id.into(),
            name: id.into(),
            agent_id: agent.map(AgentId::new),
            disabled: false,
            created_at: 0,
        })
        .await?;
        op.grant(&Membership {
            user_id: id.into(),
            role: role.into(),
            scope: Scope {
                teams: team.map(|t| t.to_string()).into_iter().collect(),
                numbers: Default::default(),
            },
        })
        .await?;
    }

    let ana = console.as_user("ana").await?.with_client_id("web:10.0.0.7");
    let mine: Vec<_> = ana
        .list_conversations()
        .await?
        .into_iter()
        .map(|c| c.id.0)
        .collect();
    println!("ana sees {mine:?}");
    match ana.export_contacts(&ContactFilter::default()).await {
        Err(e) if e.kind() == ErrorKind::Forbidden => println!("ana export: {} ({e})", e.code()),
        other => println!("ana export: unexpected {other:?}"),
    }
    let sue = console.as_user("sue").await?;
    let team: Vec<_> = sue
        .list_conversations()
        .await?
        .into_iter()
        .map(|c| c.id.0)
        .collect();
    println!("sue (supervisor, sales) sees {team:?}");

    let root = console.as_user("root").await?;
    let report = root.verify_audit(None).await?;
    println!(
        "audit log: {} entries, head {}, ok = {}",
        report.entries,
        &report.head_hash[..16],
        report.is_ok()
    );
    let mut out = Vec::new();
    root.export_audit(None, None, ExportFormat::JsonLines, &mut out)
        .await?;
    for line in String::from_utf8_lossy(&out).lines().rev().take(3) {
        println!("{line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
