//! The Cloud API client: one typed async method per operation, over the
//! core's request and response types (remote records and enums).

use std::sync::Arc;

use wacrm::client::{
    BusinessProfile, CreatedTemplate, MediaKind, MediaUrl, MessageTemplate, NewTemplate,
    OutboundMessage, Page, PhoneNumber, SendResponse, SentContact, SentMessage, Success,
    TemplateCategory, TemplateQuery, TemplateStatus,
};
use wacrm::ids::{MessageId, PhoneNumberId, TemplateId};
use wacrm_bindings_common::{self as common, DownloadedMedia, SendArgs, UploadArgs};

use crate::WacrmError;
use crate::runtime::{on_runtime, runtime};
use crate::values::{Json, JsonObject};

/// The contact a message went to, as Meta resolved it.
#[uniffi::remote(Record)]
pub struct SentContact {
    pub input: String,
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
}

/// One accepted message.
#[uniffi::remote(Record)]
pub struct SentMessage {
    pub id: MessageId,
    pub message_status: Option<String>,
}

/// What `/messages` answered.
#[uniffi::remote(Record)]
pub struct SendResponse {
    pub messaging_product: String,
    pub contacts: Vec<SentContact>,
    pub messages: Vec<SentMessage>,
}

/// `{"success": true}` answers.
#[uniffi::remote(Record)]
pub struct Success {
    pub success: bool,
}

/// The kind of an uploaded media file.
#[uniffi::remote(Enum)]
pub enum MediaKind {
    Image,
    Audio,
    Video,
    Document,
    Sticker,
}

/// A media id's short-lived download URL.
#[uniffi::remote(Record)]
pub struct MediaUrl {
    pub url: String,
    pub mime_type: String,
    pub sha256: String,
    pub file_size: u64,
    pub id: String,
}

/// What `downloadMedia` wrote.
#[uniffi::remote(Record)]
pub struct DownloadedMedia {
    pub path: String,
    pub bytes: u64,
}

/// A template's category.
#[uniffi::remote(Enum)]
pub enum TemplateCategory {
    Marketing,
    Utility,
    Authentication,
    Other(String),
}

/// A template's review status.
#[uniffi::remote(Enum)]
pub enum TemplateStatus {
    Approved,
    Pending,
    Rejected,
    Paused,
    Disabled,
    InAppeal,
    PendingDeletion,
    Deleted,
    Flagged,
    Reinstated,
    Archived,
    LimitExceeded,
    Other(String),
}

/// A message template of a WABA.
#[uniffi::remote(Record)]
pub struct MessageTemplate {
    pub id: String,
    pub name: String,
    pub language: String,
    pub category: TemplateCategory,
    pub status: TemplateStatus,
    pub parameter_format: Option<String>,
    /// The template's components as Meta describes them.
    pub components: Vec<Json>,
    /// Fields this version does not model.
    pub extra: JsonObject,
}

/// Filters of a template listing; every field is optional.
#[uniffi::remote(Record)]
pub struct TemplateQuery {
    #[uniffi(default = None)]
    pub name: Option<String>,
    #[uniffi(default = None)]
    pub status: Option<TemplateStatus>,
    #[uniffi(default = None)]
    pub category: Option<TemplateCategory>,
    #[uniffi(default = None)]
    pub language: Option<String>,
    #[uniffi(default = None)]
    pub limit: Option<u32>,
    #[uniffi(default = None)]
    pub after: Option<String>,
}

/// A template to submit for review.
#[uniffi::remote(Record)]
pub struct NewTemplate {
    pub name: String,
    pub language: String,
    pub category: TemplateCategory,
    /// The components as the Graph API takes them.
    pub components: Vec<Json>,
    #[uniffi(default = None)]
    pub parameter_format: Option<String>,
}

/// A submitted template.
#[uniffi::remote(Record)]
pub struct CreatedTemplate {
    pub id: TemplateId,
    pub status: TemplateStatus,
    pub category: TemplateCategory,
}

/// A business phone number.
#[uniffi::remote(Record)]
pub struct PhoneNumber {
    pub id: PhoneNumberId,
    pub display_phone_number: String,
    pub verified_name: String,
    pub quality_rating: Option<String>,
    pub messaging_limit_tier: Option<String>,
    pub throughput: Option<Json>,
    /// Fields this version does not model.
    pub extra: JsonObject,
}

/// A number's business profile.
#[uniffi::remote(Record)]
pub struct BusinessProfile {
    #[uniffi(default = None)]
    pub about: Option<String>,
    #[uniffi(default = None)]
    pub address: Option<String>,
    #[uniffi(default = None)]
    pub description: Option<String>,
    #[uniffi(default = None)]
    pub email: Option<String>,
    #[uniffi(default = [])]
    pub websites: Vec<String>,
    #[uniffi(default = None)]
    pub vertical: Option<String>,
    #[uniffi(default = None)]
    pub profile_picture_url: Option<String>,
}

/// One page of templates.
pub type TemplatePage = Page<MessageTemplate>;
/// One page of phone numbers.
pub type PhoneNumberPage = Page<PhoneNumber>;

#[uniffi::remote(Record)]
pub struct TemplatePage {
    pub items: Vec<MessageTemplate>,
    pub next: Option<String>,
}

#[uniffi::remote(Record)]
pub struct PhoneNumberPage {
    pub items: Vec<PhoneNumber>,
    pub next: Option<String>,
}

/// The Cloud API client.
#[derive(uniffi::Object)]
pub struct Client {
    pub(crate) inner: common::Client,
}

#[uniffi::export]
impl Client {
    /// A client for `base_url` (the Graph host when `None`).
    #[uniffi::constructor(default(base_url = None, api_version = None))]
    pub fn new(
        access_token: String,
        base_url: Option<String>,
        api_version: Option<String>,
    ) -> Result<Arc<Self>, WacrmError> {
        let _guard = runtime().enter();
        Ok(Arc::new(Client {
            inner: common::Client::new(access_token, base_url, api_version)?,
        }))
    }

    /// Send any message.
    #[uniffi::method(default(idempotency_key = None, biz_opaque_callback_data = None))]
    pub async fn send(
        &self,
        from: String,
        to: String,
        message: OutboundMessage,
        idempotency_key: Option<String>,
        biz_opaque_callback_data: Option<String>,
    ) -> Result<SendResponse, WacrmError> {
        let c = self.inner.clone();
        let args = SendArgs {
            from,
            to,
            message,
            idempotency_key,
            biz_opaque_callback_data,
        };
        on_runtime(async move { c.send(args).await }).await
    }

    /// Send a plain text message.
    pub async fn send_text(
        &self,
        from: String,
        to: String,
        body: String,
    ) -> Result<SendResponse, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.send_text(from, to, body).await }).await
    }

    /// Mark an inbound message read, optionally showing the typing indicator.
    #[uniffi::method(default(typing_indicator = false))]
    pub async fn mark_read(
        &self,
        from: String,
        message_id: String,
        typing_indicator: bool,
    ) -> Result<Success, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.mark_read(from, message_id, typing_indicator).await }).await
    }

    /// Upload a local file; the media id. The kind follows the MIME type when `None`.
    #[uniffi::method(default(kind = None))]
    pub async fn upload_media(
        &self,
        from: String,
        path: String,
        mime_type: String,
        kind: Option<MediaKind>,
    ) -> Result<String, WacrmError> {
        let c = self.inner.clone();
        let args = UploadArgs {
            from,
            path,
            mime_type,
            kind,
        };
        on_runtime(async move { c.upload_media(args).await }).await
    }

    /// The short-lived download URL of a media id.
    pub async fn media_url(&self, id: String) -> Result<MediaUrl, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.media_url(id).await }).await
    }

    /// Download a media URL into `path`.
    pub async fn download_media(
        &self,
        url: String,
        path: String,
    ) -> Result<DownloadedMedia, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.download_media(url, path).await }).await
    }

    /// Delete an uploaded media id.
    pub async fn delete_media(&self, id: String) -> Result<Success, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.delete_media(id).await }).await
    }

    /// One page of a WABA's templates.
    pub async fn list_templates(
        &self,
        waba: String,
        query: TemplateQuery,
    ) -> Result<TemplatePage, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.list_templates(waba, query).await }).await
    }

    /// Every template of a WABA, following the pages.
    pub async fn list_all_templates(
        &self,
        waba: String,
        query: TemplateQuery,
    ) -> Result<Vec<MessageTemplate>, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.list_all_templates(waba, query).await }).await
    }

    /// Submit a template for review.
    pub async fn create_template(
        &self,
        waba: String,
        template: NewTemplate,
    ) -> Result<CreatedTemplate, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.create_template(waba, template).await }).await
    }

    /// Delete a template by name (every language) or by name and id (one).
    #[uniffi::method(default(id = None))]
    pub async fn delete_template(
        &self,
        waba: String,
        name: String,
        id: Option<String>,
    ) -> Result<Success, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.delete_template(waba, name, id).await }).await
    }

    /// The WABA's phone numbers.
    pub async fn list_phone_numbers(&self, waba: String) -> Result<PhoneNumberPage, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.list_phone_numbers(waba).await }).await
    }

    /// One phone number.
    pub async fn get_phone_number(&self, id: String) -> Result<PhoneNumber, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.get_phone_number(id).await }).await
    }

    /// A number's business profile.
    pub async fn get_business_profile(&self, id: String) -> Result<BusinessProfile, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.get_business_profile(id).await }).await
    }

    /// Change a number's business profile.
    pub async fn update_business_profile(
        &self,
        id: String,
        profile: BusinessProfile,
    ) -> Result<Success, WacrmError> {
        let c = self.inner.clone();
        on_runtime(async move { c.update_business_profile(id, profile).await }).await
    }
}
