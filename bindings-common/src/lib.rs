//! What every binding calls. Each operation takes its arguments as one JSON
//! object and answers JSON, over the core's public API; the Python, Node and
//! Swift bindings translate values and errors and add nothing else. Keeping
//! the operations here means the three bindings cannot drift apart.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wacrm::client::{CloudApiClient, SendOptions};
use wacrm::{Error, Result};

pub mod engine;

pub use engine::{Assignment, Scheduler, Stores};

/// Serialize a value the core produced (cannot fail for the core's types).
pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Decode `args` into `T`, naming `what` in the validation error.
pub fn args<T: DeserializeOwned>(what: &str, args: &str) -> Result<T> {
    let text = if args.trim().is_empty() { "{}" } else { args };
    serde_json::from_str(text).map_err(|e| Error::validation(what, format!("{e}")))
}

/// The client operations a binding exposes, by name.
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

#[derive(Deserialize)]
struct SendArgs {
    from: String,
    to: String,
    message: wacrm::client::OutboundMessage,
    #[serde(default)]
    idempotency_key: Option<String>,
    #[serde(default)]
    biz_opaque_callback_data: Option<String>,
}

#[derive(Deserialize)]
struct SendTextArgs {
    from: String,
    to: String,
    body: String,
}

#[derive(Deserialize)]
struct MarkReadArgs {
    from: String,
    message_id: String,
    #[serde(default)]
    typing_indicator: bool,
}

#[derive(Deserialize)]
struct UploadArgs {
    from: String,
    path: String,
    mime_type: String,
    #[serde(default)]
    kind: Option<wacrm::client::MediaKind>,
}

#[derive(Deserialize)]
struct IdArgs {
    id: String,
}

#[derive(Deserialize)]
struct DownloadArgs {
    url: String,
    path: String,
}

#[derive(Deserialize)]
struct TemplatesArgs {
    waba: String,
    #[serde(default)]
    query: wacrm::client::TemplateQuery,
}

#[derive(Deserialize)]
struct CreateTemplateArgs {
    waba: String,
    template: wacrm::client::NewTemplate,
}

#[derive(Deserialize)]
struct DeleteTemplateArgs {
    waba: String,
    name: String,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct WabaArgs {
    waba: String,
}

#[derive(Deserialize)]
struct ProfileArgs {
    id: String,
    profile: wacrm::client::BusinessProfile,
}

async fn read_file(path: &str) -> Result<bytes::Bytes> {
    tokio::fs::read(path)
        .await
        .map(bytes::Bytes::from)
        .map_err(|e| Error::validation("path", format!("{path}: {e}")))
}

/// Run client operation `op` with `args` (a JSON object); the answer as JSON.
async fn client_call(c: &CloudApiClient, op: &str, args_json: &str) -> Result<String> {
    let a = args_json;
    let v: Value = match op {
        "send" => {
            let s: SendArgs = args("send", a)?;
            let opts = SendOptions {
                idempotency_key: s.idempotency_key.map(Into::into),
                biz_opaque_callback_data: s.biz_opaque_callback_data,
                ..Default::default()
            };
            let to = wacrm::Recipient::parse(&s.to);
            json!(c.send(&s.from.into(), &to, &s.message, &opts).await?)
        }
        "send_text" => {
            let s: SendTextArgs = args("send_text", a)?;
            let to = wacrm::Recipient::parse(&s.to);
            json!(c.send_text(&s.from.into(), &to, s.body).await?)
        }
        "mark_read" => {
            let m: MarkReadArgs = args("mark_read", a)?;
            json!(
                c.mark_read(&m.from.into(), &m.message_id.into(), m.typing_indicator)
                    .await?
            )
        }
        "upload_media" => {
            let u: UploadArgs = args("upload_media", a)?;
            let kind = match u.kind {
                Some(k) => k,
                None => wacrm::client::MediaKind::from_mime(&u.mime_type).ok_or_else(|| {
                    Error::validation("mime_type", format!("{} is not a media type", u.mime_type))
                })?,
            };
            let name = std::path::Path::new(&u.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "file".into());
            let bytes = read_file(&u.path).await?;
            let id = c
                .upload_media(&u.from.into(), kind, &u.mime_type, &name, bytes)
                .await?;
            json!({ "id": id })
        }
        "media_url" => {
            let i: IdArgs = args("media_url", a)?;
            json!(c.media_url(&i.id.into()).await?)
        }
        "download_media" => {
            let d: DownloadArgs = args("download_media", a)?;
            let bytes = c.download_media(&d.url).await?;
            tokio::fs::write(&d.path, &bytes)
                .await
                .map_err(|e| Error::validation("path", format!("{}: {e}", d.path)))?;
            json!({ "path": d.path, "bytes": bytes.len() })
        }
        "delete_media" => {
            let i: IdArgs = args("delete_media", a)?;
            json!(c.delete_media(&i.id.into()).await?)
        }
        "list_templates" => {
            let t: TemplatesArgs = args("list_templates", a)?;
            json!(c.list_templates(&t.waba.into(), &t.query).await?)
        }
        "list_all_templates" => {
            let t: TemplatesArgs = args("list_all_templates", a)?;
            json!(c.list_all_templates(&t.waba.into(), &t.query).await?)
        }
        "create_template" => {
            let t: CreateTemplateArgs = args("create_template", a)?;
            json!(c.create_template(&t.waba.into(), &t.template).await?)
        }
        "delete_template" => {
            let d: DeleteTemplateArgs = args("delete_template", a)?;
            let id = d.id.map(Into::into);
            json!(
                c.delete_template(&d.waba.into(), &d.name, id.as_ref())
                    .await?
            )
        }
        "list_phone_numbers" => {
            let w: WabaArgs = args("list_phone_numbers", a)?;
            json!(c.list_phone_numbers(&w.waba.into()).await?)
        }
        "get_phone_number" => {
            let i: IdArgs = args("get_phone_number", a)?;
            json!(c.get_phone_number(&i.id.into()).await?)
        }
        "get_business_profile" => {
            let i: IdArgs = args("get_business_profile", a)?;
            json!(c.get_business_profile(&i.id.into()).await?)
        }
        "update_business_profile" => {
            let p: ProfileArgs = args("update_business_profile", a)?;
            json!(c.update_business_profile(&p.id.into(), &p.profile).await?)
        }
        other => {
            return Err(Error::validation(
                "op",
                format!("unknown client operation {other:?}; one of {CLIENT_OPS:?}"),
            ));
        }
    };
    Ok(v.to_string())
}

/// The Cloud API client a binding's handle holds; cheap to clone.
#[derive(Clone)]
pub struct Client(Arc<CloudApiClient>);

impl Client {
    /// A client for `base_url` (the Graph host when `None`). Build it inside a
    /// tokio runtime context: the HTTP client needs one.
    pub fn new(
        access_token: String,
        base_url: Option<String>,
        api_version: Option<String>,
    ) -> Result<Self> {
        let mut b = wacrm::client::ClientBuilder::default().access_token(access_token);
        if let Some(u) = base_url {
            b = b.base_url(u);
        }
        if let Some(v) = api_version {
            b = b.api_version(v);
        }
        Ok(Client(Arc::new(b.build()?)))
    }

    /// Run client operation `op` (see [`CLIENT_OPS`]) with JSON arguments.
    pub async fn call(&self, op: &str, args_json: &str) -> Result<String> {
        client_call(&self.0, op, args_json).await
    }

    /// The core client.
    pub fn inner(&self) -> &CloudApiClient {
        &self.0
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DedupeCsvArgs {
    paths: Vec<String>,
    /// `COLUMN=FIELD` mappings.
    map: Vec<String>,
    id_column: Option<String>,
    region: Option<String>,
    /// Match the files against each other only (record linkage).
    link: bool,
    config: Option<wacrm::contacts::dedupe::DedupeConfig>,
}

/// Dedupe (or link) CSV files without a store, like `wacrm contacts dedupe`:
/// `{result, reports}` as JSON, where each report lists that file's bad rows.
pub fn dedupe_csv(args_json: &str) -> Result<String> {
    let a: DedupeCsvArgs = args("dedupe_csv", args_json)?;
    let spec = wacrm::contacts::ImportSpec {
        id_column: a.id_column,
        default_region: a.region,
        ..Default::default()
    }
    .with_maps(a.map.iter().map(String::as_str))?;
    let mut cfg = a.config.unwrap_or_default();
    cfg.cross_source_only = a.link;
    let files = a
        .paths
        .iter()
        .map(|p| {
            std::fs::File::open(p)
                .map(std::io::BufReader::new)
                .map_err(|e| Error::validation("paths", format!("{p}: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let (result, reports) = wacrm::contacts::dedupe::dedupe_csv(files, &spec, &cfg)?;
    Ok(json!({ "result": result, "reports": reports }).to_string())
}
