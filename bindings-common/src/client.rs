//! The Cloud API client as a binding holds it: one typed method per operation,
//! over the core's own request and response types.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use wacrm::client::{
    BusinessProfile, CloudApiClient, CreatedTemplate, MediaKind, MediaUrl, MessageTemplate,
    NewTemplate, OutboundMessage, Page, PhoneNumber, SendOptions, SendResponse, Success,
    TemplateQuery,
};
use wacrm::{Error, Recipient, Result};

/// Arguments of [`Client::send`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SendArgs {
    /// The business phone number id sending.
    pub from: String,
    /// The recipient: E.164, wa_id or BSUID.
    pub to: String,
    /// What to send.
    pub message: OutboundMessage,
    /// Kept on the request for the engine's own bookkeeping (Meta ignores it).
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Echoed back by Meta on the message's status webhooks.
    #[serde(default)]
    pub biz_opaque_callback_data: Option<String>,
}

/// Arguments of [`Client::upload_media`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UploadArgs {
    /// The business phone number id that owns the media.
    pub from: String,
    /// A local file to upload.
    pub path: String,
    /// Its MIME type (`image/jpeg`, ...).
    pub mime_type: String,
    /// The media kind; derived from the MIME type when absent.
    #[serde(default)]
    pub kind: Option<MediaKind>,
}

/// What [`Client::download_media`] wrote.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DownloadedMedia {
    /// The file written.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The Cloud API client a binding's handle holds; cheap to clone.
#[derive(Clone)]
pub struct Client(Arc<CloudApiClient>);

async fn read_file(path: &str) -> Result<bytes::Bytes> {
    tokio::fs::read(path)
        .await
        .map(bytes::Bytes::from)
        .map_err(|e| Error::validation("path", format!("{path}: {e}")))
}

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

    /// The core client.
    pub fn inner(&self) -> &CloudApiClient {
        &self.0
    }

    /// Send any message.
    pub async fn send(&self, a: SendArgs) -> Result<SendResponse> {
        let opts = SendOptions {
            idempotency_key: a.idempotency_key.map(Into::into),
            biz_opaque_callback_data: a.biz_opaque_callback_data,
            ..Default::default()
        };
        let to = Recipient::parse(&a.to);
        self.0.send(&a.from.into(), &to, &a.message, &opts).await
    }

    /// Send a plain text message.
    pub async fn send_text(&self, from: String, to: String, body: String) -> Result<SendResponse> {
        self.0
            .send_text(&from.into(), &Recipient::parse(&to), body)
            .await
    }

    /// Mark an inbound message read, optionally showing the typing indicator.
    pub async fn mark_read(
        &self,
        from: String,
        message_id: String,
        typing_indicator: bool,
    ) -> Result<Success> {
        self.0
            .mark_read(&from.into(), &message_id.into(), typing_indicator)
            .await
    }

    /// Upload a local file; the media id.
    pub async fn upload_media(&self, u: UploadArgs) -> Result<String> {
        let kind = match u.kind {
            Some(k) => k,
            None => MediaKind::from_mime(&u.mime_type).ok_or_else(|| {
                Error::validation("mime_type", format!("{} is not a media type", u.mime_type))
            })?,
        };
        let name = std::path::Path::new(&u.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let bytes = read_file(&u.path).await?;
        let id = self
            .0
            .upload_media(&u.from.into(), kind, &u.mime_type, &name, bytes)
            .await?;
        Ok(id.to_string())
    }

    /// The short-lived download URL of a media id.
    pub async fn media_url(&self, id: String) -> Result<MediaUrl> {
        self.0.media_url(&id.into()).await
    }

    /// Download a media URL into `path`.
    pub async fn download_media(&self, url: String, path: String) -> Result<DownloadedMedia> {
        let bytes = self.0.download_media(&url).await?;
        tokio::fs::write(&path, &bytes)
            .await
            .map_err(|e| Error::validation("path", format!("{path}: {e}")))?;
        Ok(DownloadedMedia {
            path,
            bytes: bytes.len() as u64,
        })
    }

    /// Delete an uploaded media id.
    pub async fn delete_media(&self, id: String) -> Result<Success> {
        self.0.delete_media(&id.into()).await
    }

    /// One page of a WABA's templates.
    pub async fn list_templates(
        &self,
        waba: String,
        query: TemplateQuery,
    ) -> Result<Page<MessageTemplate>> {
        self.0.list_templates(&waba.into(), &query).await
    }

    /// Every template of a WABA, following the pages.
    pub async fn list_all_templates(
        &self,
        waba: String,
        query: TemplateQuery,
    ) -> Result<Vec<MessageTemplate>> {
        self.0.list_all_templates(&waba.into(), &query).await
    }

    /// Submit a template for review.
    pub async fn create_template(
        &self,
        waba: String,
        template: NewTemplate,
    ) -> Result<CreatedTemplate> {
        self.0.create_template(&waba.into(), &template).await
    }

    /// Delete a template by name (every language) or by name and id (one).
    pub async fn delete_template(
        &self,
        waba: String,
        name: String,
        id: Option<String>,
    ) -> Result<Success> {
        let id = id.map(Into::into);
        self.0
            .delete_template(&waba.into(), &name, id.as_ref())
            .await
    }

    /// The WABA's phone numbers.
    pub async fn list_phone_numbers(&self, waba: String) -> Result<Page<PhoneNumber>> {
        self.0.list_phone_numbers(&waba.into()).await
    }

    /// One phone number.
    pub async fn get_phone_number(&self, id: String) -> Result<PhoneNumber> {
        self.0.get_phone_number(&id.into()).await
    }

    /// A number's business profile.
    pub async fn get_business_profile(&self, id: String) -> Result<BusinessProfile> {
        self.0.get_business_profile(&id.into()).await
    }

    /// Change a number's business profile.
    pub async fn update_business_profile(
        &self,
        id: String,
        profile: BusinessProfile,
    ) -> Result<Success> {
        self.0.update_business_profile(&id.into(), &profile).await
    }
}
