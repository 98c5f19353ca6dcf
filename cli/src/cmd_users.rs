//! `wacrm users ...` and `wacrm roles ...` (C13): console users, their roles
//! and scopes, and custom roles. Every change is audited; `--as USER` acts as
//! that user (and is refused with FORBIDDEN without `manage_users_and_roles`),
//! otherwise as the operator `operator:cli`.

use std::process::ExitCode;

use wacrm::access::{Membership, PermissionSet, Role, Scope, Session, User};
use wacrm::ids::{AgentId, PhoneNumberId};

use crate::cmd_audit::console;
use crate::output::print_error;

/// Where a role applies.
#[derive(clap::Args)]
pub struct ScopeArgs {
    /// Restrict to a team (repeat); none means all teams.
    #[arg(long = "team")]
    teams: Vec<String>,
    /// Restrict to a business phone number id (repeat); none means all numbers.
    #[arg(long = "number")]
    numbers: Vec<String>,
}

impl ScopeArgs {
    fn scope(&self) -> Scope {
        Scope {
            teams: self.teams.iter().cloned().collect(),
            numbers: self.numbers.iter().map(PhoneNumberId::new).collect(),
        }
    }
}

/// Users subcommands.
#[derive(clap::Subcommand)]
pub enum UsersCommand {
    /// Create (or replace) a user, optionally granting a role.
    Add {
        /// User id (login name).
        id: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// The agent record this user works as.
        #[arg(long)]
        agent: Option<String>,
        /// Role to grant (agent, supervisor, admin, viewer or a custom role).
        #[arg(long)]
        role: Option<String>,
        #[command(flatten)]
        scope: ScopeArgs,
        /// Store URL.
        #[arg(long, env = "WACRM_DB")]
        db: String,
        /// Act as this user instead of the operator.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Grant a role to a user (or revoke it with --revoke).
    Role {
        /// User id.
        id: String,
        /// Role name.
        role: String,
        #[command(flatten)]
        scope: ScopeArgs,
        /// Revoke instead of grant.
        #[arg(long)]
        revoke: bool,
        /// Store URL.
        #[arg(long, env = "WACRM_DB")]
        db: String,
        /// Act as this user instead of the operator.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// List users with their roles (JSON lines).
    List {
        /// Store URL.
        #[arg(long, env = "WACRM_DB")]
        db: String,
        /// Act as this user instead of the operator.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
}

/// Roles subcommands.
#[derive(clap::Subcommand)]
pub enum RolesCommand {
    /// List preset and custom roles (JSON lines).
    List {
        /// Store URL.
        #[arg(long, env = "WACRM_DB")]
        db: String,
        /// Act as this user instead of the operator.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Create (or replace) a custom role.
    Create {
        /// Role name.
        name: String,
        /// Comma-separated permissions (send, send_template, broadcast, export_contacts, ...).
        #[arg(long)]
        permissions: String,
        /// What the role is for.
        #[arg(long, default_value = "")]
        description: String,
        /// Store URL.
        #[arg(long, env = "WACRM_DB")]
        db: String,
        /// Act as this user instead of the operator.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
}

async fn session(db: &str, as_user: Option<&str>) -> wacrm::Result<Session> {
    let c = console(db).await?;
    match as_user {
        Some(u) => c.as_user(u).await,
        None => Ok(c.operator("cli")),
    }
}

/// Run a users subcommand.
pub async fn run_users(cmd: UsersCommand) -> ExitCode {
    match users(cmd).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => print_error(&e),
    }
}

/// Run a roles subcommand.
pub async fn run_roles(cmd: RolesCommand) -> ExitCode {
    match roles(cmd).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => print_error(&e),
    }
}

async fn users(cmd: UsersCommand) -> wacrm::Result<()> {
    match cmd {
        UsersCommand::Add {
            id,
            name,
            agent,
            role,
            scope,
            db,
            as_user,
        } => {
            let s = session(&db, as_user.as_deref()).await?;
            let u = User {
                name: name.unwrap_or_else(|| id.clone()),
                id,
                agent_id: agent.map(AgentId::new),
                disabled: false,
                created_at: chrono::Utc::now().timestamp_millis(),
            };
            s.upsert_user(&u).await?;
            if let Some(role) = role {
                s.grant(&Membership {
                    user_id: u.id.clone(),
                    role,
                    scope: scope.scope(),
                })
                .await?;
            }
            println!("{}", serde_json::to_string(&u)?);
        }
        UsersCommand::Role {
            id,
            role,
            scope,
            revoke,
            db,
            as_user,
        } => {
            let s = session(&db, as_user.as_deref()).await?;
            if revoke {
                let done = s.revoke(&id, &role).await?;
                println!(
                    "{}",
                    serde_json::json!({"user": id, "role": role, "revoked": done})
                );
            } else {
                let m = Membership {
                    user_id: id,
                    role,
                    scope: scope.scope(),
                };
                s.grant(&m).await?;
                println!("{}", serde_json::to_string(&m)?);
            }
        }
        UsersCommand::List { db, as_user } => {
            let s = session(&db, as_user.as_deref()).await?;
            for (u, ms) in s.list_users().await? {
                println!("{}", serde_json::json!({"user": u, "memberships": ms}));
            }
        }
    }
    Ok(())
}

async fn roles(cmd: RolesCommand) -> wacrm::Result<()> {
    match cmd {
        RolesCommand::List { db, as_user } => {
            let s = session(&db, as_user.as_deref()).await?;
            for r in s.list_roles().await? {
                println!("{}", serde_json::to_string(&r)?);
            }
        }
        RolesCommand::Create {
            name,
            permissions,
            description,
            db,
            as_user,
        } => {
            let permissions = PermissionSet::parse_list(&permissions)?;
            let r = Role::custom(&name, permissions, &description)?;
            let s = session(&db, as_user.as_deref()).await?;
            s.upsert_role(&r).await?;
            println!("{}", serde_json::to_string(&r)?);
        }
    }
    Ok(())
}
