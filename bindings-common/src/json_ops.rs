//! Operations by name with JSON arguments and answers, over the typed methods.
//! Only for callers that hold raw JSON (a console's own RPC layer, or a
//! binding's explicit `raw` passthrough); the bindings' public APIs are typed.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wacrm::client::TemplateQuery;
use wacrm::contacts::dedupe::DedupeConfig;
use wacrm::{Error, Result};

use crate::{Assignment, Client, DedupeCsvArgs, Scheduler, Stores};

/// Serialize a value the core produced (cannot fail for the core's types).
pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Decode `args` into `T`, naming `what` in the validation error.
pub fn args<T: DeserializeOwned>(what: &str, args: &str) -> Result<T> {
    let text = if args.trim().is_empty() { "{}" } else { args };
    serde_json::from_str(text).map_err(|e| Error::validation(what, format!("{e}")))
}

/// The client operations by name.
pub const CLIENT_OPS: &[&str] = &[
    "send",
    "send_text",
    "mark_read",
    "upload_media",
    "media_url",
    "download_media",
    "delete_media",
    "list_templates",
    "list_all_templates",
    "create_template",
    "delete_template",
    "list_phone_numbers",
    "get_phone_number",
    "get_business_profile",
    "update_business_profile",
];

/// The store operations by name.
pub const STORE_OPS: &[&str] = &[
    "contacts_import_csv",
    "contacts_dedupe",
    "contact_get",
    "contact_find_by_phone",
    "contact_upsert",
    "segment_members",
    "conversations_open",
    "messages_for_contact",
    "outbox_stats",
    "outbox_items",
];

/// The scheduler operations by name.
pub const SCHEDULER_OPS: &[&str] = &["enqueue", "run_once", "run_until_idle", "recover", "stats"];

/// The assignment operations by name.
pub const ASSIGNMENT_OPS: &[&str] = &[
    "upsert_agent",
    "assign",
    "release",
    "set_presence",
    "mark_responded",
    "tick",
    "loads",
    "queue_len",
];

#[derive(Deserialize)]
struct MarkRead {
    from: String,
    message_id: String,
    #[serde(default)]
    typing_indicator: bool,
}

#[derive(Deserialize)]
struct SendText {
    from: String,
    to: String,
    body: String,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

#[derive(Deserialize)]
struct Download {
    url: String,
    path: String,
}

#[derive(Deserialize)]
struct Templates {
    waba: String,
    #[serde(default)]
    query: TemplateQuery,
}

#[derive(Deserialize)]
struct CreateTemplate {
    waba: String,
    template: wacrm::client::NewTemplate,
}

#[derive(Deserialize)]
struct DeleteTemplate {
    waba: String,
    name: String,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct Waba {
    waba: String,
}

#[derive(Deserialize)]
struct Profile {
    id: String,
    profile: wacrm::client::BusinessProfile,
}

fn unknown(kind: &str, op: &str, ops: &[&str]) -> Error {
    Error::validation(
        "op",
        format!("unknown {kind} operation {op:?}; one of {ops:?}"),
    )
}

impl Client {
    /// Run client operation `op` (see [`CLIENT_OPS`]) with JSON arguments; JSON answer.
    pub async fn call(&self, op: &str, a: &str) -> Result<String> {
        let v: Value = match op {
            "send" => json!(self.send(args("send", a)?).await?),
            "send_text" => {
                let s: SendText = args(op, a)?;
                json!(self.send_text(s.from, s.to, s.body).await?)
            }
            "mark_read" => {
                let m: MarkRead = args(op, a)?;
                json!(
                    self.mark_read(m.from, m.message_id, m.typing_indicator)
                        .await?
                )
            }
            "upload_media" => json!({ "id": self.upload_media(args(op, a)?).await? }),
            "media_url" => json!(self.media_url(args::<Id>(op, a)?.id).await?),
            "download_media" => {
                let d: Download = args(op, a)?;
                json!(self.download_media(d.url, d.path).await?)
            }
            "delete_media" => json!(self.delete_media(args::<Id>(op, a)?.id).await?),
            "list_templates" => {
                let t: Templates = args(op, a)?;
                json!(self.list_templates(t.waba, t.query).await?)
            }
            "list_all_templates" => {
                let t: Templates = args(op, a)?;
                json!(self.list_all_templates(t.waba, t.query).await?)
            }
            "create_template" => {
                let t: CreateTemplate = args(op, a)?;
                json!(self.create_template(t.waba, t.template).await?)
            }
            "delete_template" => {
                let d: DeleteTemplate = args(op, a)?;
                json!(self.delete_template(d.waba, d.name, d.id).await?)
            }
            "list_phone_numbers" => {
                json!(self.list_phone_numbers(args::<Waba>(op, a)?.waba).await?)
            }
            "get_phone_number" => json!(self.get_phone_number(args::<Id>(op, a)?.id).await?),
            "get_business_profile" => {
                json!(self.get_business_profile(args::<Id>(op, a)?.id).await?)
            }
            "update_business_profile" => {
                let p: Profile = args(op, a)?;
                json!(self.update_business_profile(p.id, p.profile).await?)
            }
            other => return Err(unknown("client", other, CLIENT_OPS)),
        };
        Ok(v.to_string())
    }
}

#[derive(Deserialize)]
struct Dedupe {
    #[serde(default)]
    config: DedupeConfig,
    #[serde(default)]
    merge: bool,
}

#[derive(Deserialize)]
struct Phone {
    phone: String,
}

#[derive(Deserialize)]
struct Items {
    #[serde(default)]
    state: Option<String>,
    #[serde(default = "hundred")]
    limit: usize,
}

fn hundred() -> usize {
    100
}

impl Stores {
    /// Run store operation `op` (see [`STORE_OPS`]) with JSON arguments; JSON answer.
    pub async fn call(&self, op: &str, a: &str) -> Result<String> {
        let v: Value = match op {
            "contacts_import_csv" => json!(self.contacts_import_csv(args(op, a)?).await?),
            "contacts_dedupe" => {
                let d: Dedupe = args(op, a)?;
                json!(self.contacts_dedupe(d.config, d.merge).await?)
            }
            "contact_get" => json!(self.contact_get(args::<Id>(op, a)?.id).await?),
            "contact_find_by_phone" => {
                json!(
                    self.contact_find_by_phone(args::<Phone>(op, a)?.phone)
                        .await?
                )
            }
            "contact_upsert" => json!(self.contact_upsert(args(op, a)?).await?),
            "segment_members" => json!(self.segment_members(args(op, a)?).await?),
            "conversations_open" => json!(self.conversations_open().await?),
            "messages_for_contact" => {
                json!(self.messages_for_contact(args::<Id>(op, a)?.id).await?)
            }
            "outbox_stats" => json!(self.outbox_stats().await?),
            "outbox_items" => {
                let l: Items = args(op, a)?;
                json!(self.outbox_items(l.state, l.limit).await?)
            }
            other => return Err(unknown("store", other, STORE_OPS)),
        };
        Ok(v.to_string())
    }
}

#[derive(Deserialize)]
struct RunArgs {
    #[serde(default)]
    horizon_ms: i64,
    #[serde(default = "thirty_s")]
    timeout_ms: u64,
}

fn thirty_s() -> u64 {
    30_000
}

impl Scheduler {
    /// Run scheduler operation `op` (see [`SCHEDULER_OPS`]) with JSON arguments; JSON answer.
    pub async fn call(&self, op: &str, a: &str) -> Result<String> {
        let v: Value = match op {
            "enqueue" => json!(self.enqueue(args(op, a)?).await?),
            "run_once" => json!(self.run_once().await?),
            "run_until_idle" => {
                let r: RunArgs = args(op, a)?;
                json!(self.run_until_idle(r.horizon_ms, r.timeout_ms).await?)
            }
            "recover" => json!(self.recover().await?),
            "stats" => json!(self.stats().await?),
            other => return Err(unknown("scheduler", other, SCHEDULER_OPS)),
        };
        Ok(v.to_string())
    }
}

#[derive(Deserialize)]
struct Presence {
    agent: String,
    presence: wacrm::store::Presence,
}

#[derive(Deserialize)]
struct Conversation {
    conversation: String,
}

impl Assignment {
    /// Run assignment operation `op` (see [`ASSIGNMENT_OPS`]) with JSON arguments; JSON answer.
    pub async fn call(&self, op: &str, a: &str) -> Result<String> {
        let v: Value = match op {
            "upsert_agent" => json!(self.upsert_agent(args(op, a)?).await?),
            "assign" => json!(self.assign(args(op, a)?).await?),
            "release" => {
                json!(
                    self.release(args::<Conversation>(op, a)?.conversation)
                        .await?
                )
            }
            "set_presence" => {
                let p: Presence = args(op, a)?;
                json!(self.set_presence(p.agent, p.presence).await?)
            }
            "mark_responded" => {
                self.mark_responded(args::<Conversation>(op, a)?.conversation)
                    .await?;
                Value::Null
            }
            "tick" => json!(self.tick().await?),
            "loads" => json!(self.loads()),
            "queue_len" => json!(self.queue_len()),
            other => return Err(unknown("assignment", other, ASSIGNMENT_OPS)),
        };
        Ok(v.to_string())
    }
}

/// [`crate::dedupe_csv`] with JSON arguments; `{result, reports}` as JSON.
pub fn dedupe_csv_json(a: &str) -> Result<String> {
    let d: DedupeCsvArgs = args("dedupe_csv", a)?;
    Ok(to_json(&crate::dedupe_csv(d)?))
}

impl Scheduler {
    /// [`Scheduler::new`] with [`crate::SchedulerSettings`] as a JSON object.
    pub async fn from_json(stores: &Stores, client: &Client, settings: &str) -> Result<Self> {
        Scheduler::new(stores, client, args("scheduler config", settings)?).await
    }
}

impl Assignment {
    /// [`Assignment::new`] with [`crate::AssignmentSettings`] as a JSON object.
    pub async fn from_json(stores: &Stores, settings: &str) -> Result<Self> {
        Assignment::new(stores, args("assignment config", settings)?).await
    }
}
