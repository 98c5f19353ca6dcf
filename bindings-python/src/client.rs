//! The Cloud API client handle: one native method per operation of
//! `wacrm-bindings-common::Client`, named and parametered as there, each
//! returning a `NativePending` the package runs blocking or awaited.

use pyo3::prelude::*;
use wacrm_bindings_common as common;

use crate::bridge::to_py_err;
use crate::convert::{from_py, from_py_or_default};
use crate::pending::NativePending;
use crate::runtime;

/// The Cloud API client.
#[pyclass(name = "NativeClient", module = "wacrm._native", frozen)]
pub struct NativeClient {
    inner: common::Client,
}

impl NativeClient {
    /// The common client this handle holds.
    pub fn inner(&self) -> &common::Client {
        &self.inner
    }
}

#[pymethods]
impl NativeClient {
    /// A client for `base_url` (the Graph host when `None`).
    #[new]
    #[pyo3(signature = (access_token, base_url=None, api_version=None))]
    fn new(
        py: Python<'_>,
        access_token: String,
        base_url: Option<String>,
        api_version: Option<String>,
    ) -> PyResult<Self> {
        // The HTTP client needs a runtime context when it is built.
        let _guard = runtime::get().enter();
        common::Client::new(access_token, base_url, api_version)
            .map(|inner| NativeClient { inner })
            .map_err(|e| to_py_err(py, &e))
    }

    #[pyo3(signature = (from_, to, message, idempotency_key=None, biz_opaque_callback_data=None))]
    fn send(
        &self,
        from_: String,
        to: String,
        message: &Bound<'_, PyAny>,
        idempotency_key: Option<String>,
        biz_opaque_callback_data: Option<String>,
    ) -> PyResult<NativePending> {
        let args = common::SendArgs {
            from: from_,
            to,
            message: from_py("message", message)?,
            idempotency_key,
            biz_opaque_callback_data,
        };
        let c = self.inner.clone();
        Ok(NativePending::new(async move { c.send(args).await }))
    }

    fn send_text(&self, from_: String, to: String, body: String) -> NativePending {
        let c = self.inner.clone();
        NativePending::new(async move { c.send_text(from_, to, body).await })
    }

    fn mark_read(
        &self,
        from_: String,
        message_id: String,
        typing_indicator: bool,
    ) -> NativePending {
        let c = self.inner.clone();
        NativePending::new(async move { c.mark_read(from_, message_id, typing_indicator).await })
    }

    #[pyo3(signature = (from_, path, mime_type, kind=None))]
    fn upload_media(
        &self,
        from_: String,
        path: String,
        mime_type: String,
        kind: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<NativePending> {
        let kind = match kind {
            Some(k) if !k.is_none() => Some(from_py("kind", k)?),
            _ => None,
        };
        let args = common::UploadArgs {
            from: from_,
            path,
            mime_type,
            kind,
        };
        let c = self.inner.clone();
        Ok(NativePending::new(
            async move { c.upload_media(args).await },
        ))
    }

    fn media_url(&self, id: String) -> NativePending {
        let c = self.inner.clone();
        NativePending::new(async move { c.media_url(id).await })
    }

    fn download_media(&self, url: String, path: String) -> NativePending {
        let c = self.inner.clone();
        NativePending::new(async move { c.download_media(url, path).await })
    }

    fn delete_media(&self, id: String) -> NativePending {
        let c = self.inner.clone();
        NativePending::new(async move { c.delete_media(id).await })
    }

    #[pyo3(signature = (waba, query=None))]
    fn list_templates(
        &self,
        waba: String,
        query: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<NativePending> {
        let q = from_py_or_default("query", query)?;
        let c = self.inner.clone();
        Ok(NativePending::new(async move {
            c.list_templates(waba, q).await
        }))
    }

    #[pyo3(signature = (waba, query=None))]
    fn list_all_templates(
        &self,
        waba: String,
        query: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<NativePending> {
        let q = from_py_or_default("query", query)?;
        let c = self.inner.clone();
        Ok(NativePending::new(async move {
            c.list_all_templates(waba, q).await
        }))
    }

    fn create_template(
        &self,
        waba: String,
        template: &Bound<'_, PyAny>,
    ) -> PyResult<NativePending> {
        let t = from_py("template", template)?;
        let c = self.inner.clone();
        Ok(NativePending::new(async move {
            c.create_template(waba, t).await
        }))
    }

    #[pyo3(signature = (waba, name, id=None))]
    fn delete_template(&self, waba: String, name: String, id: Option<String>) -> NativePending {
        let c = self.inner.clone();
        NativePending::new(async move { c.delete_template(waba, name, id).await })
    }

    fn list_phone_numbers(&self, waba: String) -> NativePending {
        let c = self.inner.clone();
        NativePending::new(async move { c.list_phone_numbers(waba).await })
    }

    fn get_phone_number(&self, id: String) -> NativePending {
        let c = self.inner.clone();
        NativePending::new(async move { c.get_phone_number(id).await })
    }

    fn get_business_profile(&self, id: String) -> NativePending {
        let c = self.inner.clone();
        NativePending::new(async move { c.get_business_profile(id).await })
    }

    fn update_business_profile(
        &self,
        id: String,
        profile: &Bound<'_, PyAny>,
    ) -> PyResult<NativePending> {
        let p = from_py("profile", profile)?;
        let c = self.inner.clone();
        Ok(NativePending::new(async move {
            c.update_business_profile(id, p).await
        }))
    }
}
