//! The Cloud API client.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use wacrm_bindings_common as common;

use crate::convert::{from_js, from_js_or_default, js_error, promise};

/// Cloud API client: messages of every type, read receipts, media, templates,
/// numbers, business profile. The access token is never shown.
#[napi]
pub struct NativeClient {
    pub(crate) inner: common::Client,
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        access_token: String,
        base_url: Option<String>,
        api_version: Option<String>,
    ) -> Result<Self> {
        // The HTTP client needs a runtime context when it is built.
        let built = within_runtime_if_available(|| {
            common::Client::new(access_token, base_url, api_version)
        });
        Ok(NativeClient {
            inner: built.map_err(|e| js_error(&env, &e))?,
        })
    }

    /// Send any message. `idempotencyKey` is kept for the engine's own bookkeeping (Meta
    /// ignores it); `bizOpaqueCallbackData` comes back on the message's status webhooks.
    #[napi(
        ts_args_type = "from: string, to: string, message: T.OutboundMessage, idempotencyKey?: string | undefined | null, bizOpaqueCallbackData?: string | undefined | null",
        ts_return_type = "Promise<T.SendResponse>"
    )]
    pub fn send<'env>(
        &self,
        env: &'env Env,
        from: String,
        to: String,
        message: Value,
        idempotency_key: Option<String>,
        biz_opaque_callback_data: Option<String>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move {
            let args = common::SendArgs {
                from,
                to,
                message: from_js("message", message)?,
                idempotency_key,
                biz_opaque_callback_data,
            };
            c.send(args).await
        })
    }

    /// Send a plain text message.
    #[napi(ts_return_type = "Promise<T.SendResponse>")]
    pub fn send_text<'env>(
        &self,
        env: &'env Env,
        from: String,
        to: String,
        body: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move { c.send_text(from, to, body).await })
    }

    /// Mark an inbound message read, optionally showing the typing indicator.
    #[napi(ts_return_type = "Promise<T.Success>")]
    pub fn mark_read<'env>(
        &self,
        env: &'env Env,
        from: String,
        message_id: String,
        typing_indicator: Option<bool>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move {
            c.mark_read(from, message_id, typing_indicator.unwrap_or(false))
                .await
        })
    }

    /// Upload a local file; resolves with the media id.
    #[napi(
        ts_args_type = "from: string, path: string, mimeType: string, kind?: T.MediaKind | undefined | null",
        ts_return_type = "Promise<string>"
    )]
    pub fn upload_media<'env>(
        &self,
        env: &'env Env,
        from: String,
        path: String,
        mime_type: String,
        kind: Option<String>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move {
            let kind = kind.map(|k| from_js("kind", Value::from(k))).transpose()?;
            let args = common::UploadArgs {
                from,
                path,
                mime_type,
                kind,
            };
            c.upload_media(args).await
        })
    }

    /// The short-lived download URL of a media id.
    #[napi(ts_return_type = "Promise<T.MediaUrl>")]
    pub fn media_url<'env>(&self, env: &'env Env, id: String) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move { c.media_url(id).await })
    }

    /// Download a media URL into `path`.
    #[napi(ts_return_type = "Promise<T.DownloadedMedia>")]
    pub fn download_media<'env>(
        &self,
        env: &'env Env,
        url: String,
        path: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move { c.download_media(url, path).await })
    }

    /// Delete an uploaded media id.
    #[napi(ts_return_type = "Promise<T.Success>")]
    pub fn delete_media<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move { c.delete_media(id).await })
    }

    /// One page of a WABA's templates.
    #[napi(
        ts_args_type = "waba: string, query?: T.TemplateQuery | undefined | null",
        ts_return_type = "Promise<T.Page<T.MessageTemplate>>"
    )]
    pub fn list_templates<'env>(
        &self,
        env: &'env Env,
        waba: String,
        query: Option<Value>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move {
            c.list_templates(waba, from_js_or_default("query", query)?)
                .await
        })
    }

    /// Every template of a WABA, following the pages.
    #[napi(
        ts_args_type = "waba: string, query?: T.TemplateQuery | undefined | null",
        ts_return_type = "Promise<T.MessageTemplate[]>"
    )]
    pub fn list_all_templates<'env>(
        &self,
        env: &'env Env,
        waba: String,
        query: Option<Value>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move {
            c.list_all_templates(waba, from_js_or_default("query", query)?)
                .await
        })
    }

    /// Submit a template for review.
    #[napi(
        ts_args_type = "waba: string, template: T.NewTemplate",
        ts_return_type = "Promise<T.CreatedTemplate>"
    )]
    pub fn create_template<'env>(
        &self,
        env: &'env Env,
        waba: String,
        template: Value,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move {
            c.create_template(waba, from_js("template", template)?)
                .await
        })
    }

    /// Delete a template by name (every language) or by name and id (one).
    #[napi(ts_return_type = "Promise<T.Success>")]
    pub fn delete_template<'env>(
        &self,
        env: &'env Env,
        waba: String,
        name: String,
        id: Option<String>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move { c.delete_template(waba, name, id).await })
    }

    /// The WABA's phone numbers.
    #[napi(ts_return_type = "Promise<T.Page<T.PhoneNumber>>")]
    pub fn list_phone_numbers<'env>(
        &self,
        env: &'env Env,
        waba: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move { c.list_phone_numbers(waba).await })
    }

    /// One phone number.
    #[napi(ts_return_type = "Promise<T.PhoneNumber>")]
    pub fn get_phone_number<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move { c.get_phone_number(id).await })
    }

    /// A number's business profile.
    #[napi(ts_return_type = "Promise<T.BusinessProfile>")]
    pub fn get_business_profile<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move { c.get_business_profile(id).await })
    }

    /// Change a number's business profile.
    #[napi(
        ts_args_type = "id: string, profile: T.BusinessProfile",
        ts_return_type = "Promise<T.Success>"
    )]
    pub fn update_business_profile<'env>(
        &self,
        env: &'env Env,
        id: String,
        profile: Value,
    ) -> Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(env, async move {
            c.update_business_profile(id, from_js("profile", profile)?)
                .await
        })
    }
}
