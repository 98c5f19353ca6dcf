//! Media, templates, phone numbers and business profiles.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Body, CloudApiClient, Success};
use crate::error::{Error, Result};
use crate::ids::{MediaId, PhoneNumberId, TemplateId, WabaId};

/// Media kinds with their upload limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// JPEG/PNG, 5 MB.
    Image,
    /// AAC/AMR/MPEG/MP4/OGG(opus), 16 MB.
    Audio,
    /// MP4/3GPP, 16 MB.
    Video,
    /// Text/PDF/Office, 100 MB.
    Document,
    /// WebP: static 100 KB, animated 500 KB.
    Sticker,
}

const MB: u64 = 1024 * 1024;

impl MediaKind {
    /// MIME types the Cloud API accepts for this kind.
    pub fn allowed_mime_types(self) -> &'static [&'static str] {
        match self {
            MediaKind::Image => &["image/jpeg", "image/png"],
            MediaKind::Audio => &[
                "audio/aac",
                "audio/amr",
                "audio/mpeg",
                "audio/mp4",
                "audio/ogg",
            ],
            MediaKind::Video => &["video/mp4", "video/3gpp", "video/3gp"],
            MediaKind::Document => &[
                "text/plain",
                "application/pdf",
                "application/msword",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.ms-excel",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ],
            MediaKind::Sticker => &["image/webp"],
        }
    }

    /// Maximum size in bytes (animated stickers may reach 500 KB).
    pub fn max_bytes(self) -> u64 {
        match self {
            MediaKind::Image => 5 * MB,
            MediaKind::Audio | MediaKind::Video => 16 * MB,
            MediaKind::Document => 100 * MB,
            MediaKind::Sticker => 500 * 1024,
        }
    }

    /// The kind a MIME type belongs to (`image/webp` counts as a sticker).
    pub fn from_mime(mime: &str) -> Option<MediaKind> {
        let m = mime.split(';').next().unwrap_or("").trim();
        [
            MediaKind::Sticker,
            MediaKind::Image,
            MediaKind::Audio,
            MediaKind::Video,
            MediaKind::Document,
        ]
        .into_iter()
        .find(|k| k.allowed_mime_types().contains(&m))
    }

    /// Check MIME type and size before uploading.
    pub fn check(self, mime: &str, len: u64) -> Result<()> {
        let m = mime.split(';').next().unwrap_or("").trim();
        if !self.allowed_mime_types().contains(&m) {
            return Err(Error::validation(
                "media.type",
                format!(
                    "{m:?} is not accepted for {self:?}; allowed: {}",
                    self.allowed_mime_types().join(", ")
                ),
            ));
        }
        if len == 0 {
            return Err(Error::validation("media.file", "empty file"));
        }
        if len > self.max_bytes() {
            return Err(Error::validation(
                "media.file",
                format!(
                    "{len} bytes exceeds the {:?} limit of {} bytes",
                    self,
                    self.max_bytes()
                ),
            ));
        }
        Ok(())
    }
}

/// `{"id": ...}` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdResponse {
    /// The new object's id.
    pub id: String,
}

/// Media URL lookup answer (the URL is valid for 5 minutes and needs the token).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaUrl {
    /// Download URL.
    pub url: String,
    /// MIME type.
    #[serde(default)]
    pub mime_type: String,
    /// SHA-256 of the file.
    #[serde(default)]
    pub sha256: String,
    /// Size; Meta sends it as a string or a number.
    #[serde(default, deserialize_with = "de_u64_lenient")]
    pub file_size: u64,
    /// Media id.
    #[serde(default)]
    pub id: String,
}

fn de_u64_lenient<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<u64, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    })
}

/// A page of results with the cursor for the next one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// Items on this page.
    pub items: Vec<T>,
    /// Cursor to pass as `after` for the next page.
    pub next: Option<String>,
}

#[derive(Deserialize)]
struct GraphPage<T> {
    #[serde(default = "Vec::new")]
    data: Vec<T>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    cursors: Option<Cursors>,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct Cursors {
    #[serde(default)]
    after: Option<String>,
}

impl<T> From<GraphPage<T>> for Page<T> {
    fn from(p: GraphPage<T>) -> Self {
        // Graph sends `cursors.after` even on the last page; `next` tells whether more exist.
        let next = p.paging.and_then(|pg| match (pg.next, pg.cursors) {
            (Some(_), Some(Cursors { after: Some(a) })) => Some(a),
            _ => None,
        });
        Page {
            items: p.data,
            next,
        }
    }
}

/// Template category.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TemplateCategory {
    /// Marketing.
    Marketing,
    /// Utility.
    Utility,
    /// Authentication.
    Authentication,
    /// A value this version does not know.
    Other(String),
}

/// Template review status.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TemplateStatus {
    /// Approved and usable.
    Approved,
    /// In review.
    Pending,
    /// Rejected.
    Rejected,
    /// Paused for low quality.
    Paused,
    /// Disabled.
    Disabled,
    /// Appealed.
    InAppeal,
    /// Being deleted.
    PendingDeletion,
    /// Deleted.
    Deleted,
    /// Flagged for quality.
    Flagged,
    /// Reinstated.
    Reinstated,
    /// Archived.
    Archived,
    /// Limit exceeded.
    LimitExceeded,
    /// A value this version does not know.
    Other(String),
}

macro_rules! string_enum_serde {
    ($t:ident { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self { $($t::$v => $s,)* $t::Other(s) => s.as_str() }
            }
        }
        impl From<&str> for $t {
            fn from(s: &str) -> Self {
                match s { $($s => $t::$v,)* other => $t::Other(other.to_string()) }
            }
        }
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($t::from(s.as_str()))
            }
        }
    };
}

string_enum_serde!(TemplateCategory {
    Marketing => "MARKETING",
    Utility => "UTILITY",
    Authentication => "AUTHENTICATION",
});

string_enum_serde!(TemplateStatus {
    Approved => "APPROVED",
    Pending => "PENDING",
    Rejected => "REJECTED",
    Paused => "PAUSED",
    Disabled => "DISABLED",
    InAppeal => "IN_APPEAL",
    PendingDeletion => "PENDING_DELETION",
    Deleted => "DELETED",
    Flagged => "FLAGGED",
    Reinstated => "REINSTATED",
    Archived => "ARCHIVED",
    LimitExceeded => "LIMIT_EXCEEDED",
});

/// A message template as listed by the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageTemplate {
    /// Template id.
    #[serde(default)]
    pub id: String,
    /// Name.
    pub name: String,
    /// Language code.
    #[serde(default)]
    pub language: String,
    /// Category.
    #[serde(default = "unknown_category")]
    pub category: TemplateCategory,
    /// Review status.
    #[serde(default = "unknown_status")]
    pub status: TemplateStatus,
    /// `POSITIONAL` or `NAMED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_format: Option<String>,
    /// Components as Meta sends them.
    #[serde(default)]
    pub components: Vec<Value>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

fn unknown_category() -> TemplateCategory {
    TemplateCategory::Other(String::new())
}
fn unknown_status() -> TemplateStatus {
    TemplateStatus::Other(String::new())
}

/// Filters for listing templates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateQuery {
    /// Exact name.
    pub name: Option<String>,
    /// Status filter.
    pub status: Option<TemplateStatus>,
    /// Category filter.
    pub category: Option<TemplateCategory>,
    /// Language filter.
    pub language: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// Cursor from a previous page.
    pub after: Option<String>,
}

/// A new template submitted for review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewTemplate {
    /// Lowercase name with underscores (≤ 512).
    pub name: String,
    /// Language code.
    pub language: String,
    /// Category.
    pub category: TemplateCategory,
    /// Components as in Meta's create call (HEADER/BODY/FOOTER/BUTTONS with examples).
    pub components: Vec<Value>,
    /// `POSITIONAL` or `NAMED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_format: Option<String>,
}

/// Answer of a template creation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedTemplate {
    /// New id.
    pub id: TemplateId,
    /// Usually `PENDING`.
    #[serde(default = "unknown_status")]
    pub status: TemplateStatus,
    /// Category Meta assigned.
    #[serde(default = "unknown_category")]
    pub category: TemplateCategory,
}

/// A business phone number.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumber {
    /// Phone number id (the sender id).
    pub id: PhoneNumberId,
    /// Display number.
    #[serde(default)]
    pub display_phone_number: String,
    /// Verified business name.
    #[serde(default)]
    pub verified_name: String,
    /// GREEN / YELLOW / RED / NA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_rating: Option<String>,
    /// Messaging-limit tier (legacy field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_limit_tier: Option<String>,
    /// Throughput level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput: Option<Value>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// A WhatsApp business profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BusinessProfile {
    /// About text (≤ 139).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// Address (≤ 256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Description (≤ 512).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Email (≤ 128).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Up to two websites.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<String>,
    /// Industry vertical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertical: Option<String>,
    /// Profile picture URL (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_picture_url: Option<String>,
}

impl BusinessProfile {
    fn validate(&self) -> Result<()> {
        let limits = [
            ("about", &self.about, 139),
            ("address", &self.address, 256),
            ("description", &self.description, 512),
            ("email", &self.email, 128),
        ];
        for (f, v, max) in limits {
            if let Some(v) = v
                && v.chars().count() > max
            {
                return Err(Error::validation(
                    format!("business_profile.{f}"),
                    format!("at most {max} characters"),
                ));
            }
        }
        if self.websites.len() > 2 {
            return Err(Error::validation(
                "business_profile.websites",
                "at most two websites",
            ));
        }
        Ok(())
    }
}

impl CloudApiClient {
    /// Upload media for `from`; MIME type and size are checked first.
    pub async fn upload_media(
        &self,
        from: &PhoneNumberId,
        kind: MediaKind,
        mime_type: &str,
        file_name: &str,
        bytes: bytes::Bytes,
    ) -> Result<MediaId> {
        kind.check(mime_type, bytes.len() as u64)?;
        let mime = mime_type.to_string();
        let name = file_name.to_string();
        let make = move || {
            let part = reqwest::multipart::Part::stream(bytes.clone())
                .file_name(name.clone())
                .mime_str(&mime)
                .unwrap_or_else(|_| reqwest::multipart::Part::bytes(Vec::new()));
            reqwest::multipart::Form::new()
                .text("messaging_product", "whatsapp")
                .text("type", mime.clone())
                .part("file", part)
        };
        let r: IdResponse = self
            .request_json(
                Method::POST,
                &self.url(&format!("{}/media", from.as_str())),
                Body::Multipart(Box::new(make)),
                &[],
            )
            .await?;
        Ok(MediaId::new(r.id))
    }

    /// Look up a media id's download URL (valid for 5 minutes).
    pub async fn media_url(&self, media: &MediaId) -> Result<MediaUrl> {
        self.request_json(Method::GET, &self.url(media.as_str()), Body::None, &[])
            .await
    }

    /// Download media bytes from a URL returned by [`CloudApiClient::media_url`].
    pub async fn download_media(&self, url: &str) -> Result<bytes::Bytes> {
        url::Url::parse(url).map_err(|e| Error::validation("url", e.to_string()))?;
        self.request_bytes(Method::GET, url, Body::None, &[]).await
    }

    /// Delete uploaded media.
    pub async fn delete_media(&self, media: &MediaId) -> Result<Success> {
        self.request_json(Method::DELETE, &self.url(media.as_str()), Body::None, &[])
            .await
    }

    /// One page of templates.
    pub async fn list_templates(
        &self,
        waba: &WabaId,
        q: &TemplateQuery,
    ) -> Result<Page<MessageTemplate>> {
        let mut url = url::Url::parse(&self.url(&format!("{}/message_templates", waba.as_str())))
            .map_err(|e| Error::Config(e.to_string()))?;
        {
            let mut qp = url.query_pairs_mut();
            if let Some(v) = &q.name {
                qp.append_pair("name", v);
            }
            if let Some(v) = &q.status {
                qp.append_pair("status", v.as_str());
            }
            if let Some(v) = &q.category {
                qp.append_pair("category", v.as_str());
            }
            if let Some(v) = &q.language {
                qp.append_pair("language", v);
            }
            if let Some(v) = q.limit {
                qp.append_pair("limit", &v.to_string());
            }
            if let Some(v) = &q.after {
                qp.append_pair("after", v);
            }
        }
        let page: GraphPage<MessageTemplate> = self
            .request_json(Method::GET, url.as_str(), Body::None, &[])
            .await?;
        Ok(page.into())
    }

    /// Every template, following the cursors.
    pub async fn list_all_templates(
        &self,
        waba: &WabaId,
        q: &TemplateQuery,
    ) -> Result<Vec<MessageTemplate>> {
        let mut q = q.clone();
        let mut out = Vec::new();
        loop {
            let page = self.list_templates(waba, &q).await?;
            out.extend(page.items);
            match page.next {
                Some(c) if q.after.as_deref() != Some(c.as_str()) => q.after = Some(c),
                _ => return Ok(out),
            }
        }
    }

    /// Submit a template for review.
    pub async fn create_template(&self, waba: &WabaId, t: &NewTemplate) -> Result<CreatedTemplate> {
        if t.name.is_empty()
            || t.name.len() > 512
            || !t
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Error::validation(
                "template.name",
                "lowercase letters, digits and underscores, at most 512",
            ));
        }
        if t.components.is_empty() {
            return Err(Error::validation(
                "template.components",
                "at least a BODY component",
            ));
        }
        let body = serde_json::to_value(t)?;
        self.request_json(
            Method::POST,
            &self.url(&format!("{}/message_templates", waba.as_str())),
            Body::Json(body),
            &[],
        )
        .await
    }

    /// Delete a template by name (all languages), or one by `hsm_id`.
    pub async fn delete_template(
        &self,
        waba: &WabaId,
        name: &str,
        hsm_id: Option<&TemplateId>,
    ) -> Result<Success> {
        if name.is_empty() {
            return Err(Error::validation("name", "must not be empty"));
        }
        let mut url = url::Url::parse(&self.url(&format!("{}/message_templates", waba.as_str())))
            .map_err(|e| Error::Config(e.to_string()))?;
        url.query_pairs_mut().append_pair("name", name);
        if let Some(id) = hsm_id {
            url.query_pairs_mut().append_pair("hsm_id", id.as_str());
        }
        self.request_json(Method::DELETE, url.as_str(), Body::None, &[])
            .await
    }

    /// Phone numbers of a WABA (one page).
    pub async fn list_phone_numbers(&self, waba: &WabaId) -> Result<Page<PhoneNumber>> {
        let page: GraphPage<PhoneNumber> = self
            .request_json(
                Method::GET,
                &self.url(&format!("{}/phone_numbers", waba.as_str())),
                Body::None,
                &[],
            )
            .await?;
        Ok(page.into())
    }

    /// One phone number.
    pub async fn get_phone_number(&self, id: &PhoneNumberId) -> Result<PhoneNumber> {
        self.request_json(Method::GET, &self.url(id.as_str()), Body::None, &[])
            .await
    }

    /// The business profile of a number.
    pub async fn get_business_profile(&self, id: &PhoneNumberId) -> Result<BusinessProfile> {
        let page: GraphPage<BusinessProfile> = self
            .request_json(
                Method::GET,
                &self.url(&format!(
                    "{}/whatsapp_business_profile?fields=about,address,description,email,profile_picture_url,websites,vertical",
                    id.as_str()
                )),
                Body::None,
                &[],
            )
            .await?;
        page.data.into_iter().next().ok_or_else(|| Error::Decode {
            message: "business profile response has no data".into(),
            raw: String::new(),
        })
    }

    /// Update the business profile of a number (only the fields that are set).
    pub async fn update_business_profile(
        &self,
        id: &PhoneNumberId,
        p: &BusinessProfile,
    ) -> Result<Success> {
        p.validate()?;
        let mut body = serde_json::to_value(p)?;
        body["messaging_product"] = Value::String("whatsapp".into());
        if let Some(o) = body.as_object_mut() {
            o.remove("profile_picture_url");
        }
        self.request_json(
            Method::POST,
            &self.url(&format!("{}/whatsapp_business_profile", id.as_str())),
            Body::Json(body),
            &[],
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_limits() {
        assert!(MediaKind::Image.check("image/jpeg", 1000).is_ok());
        assert!(MediaKind::Image.check("image/gif", 1000).is_err());
        assert!(MediaKind::Image.check("image/png", 6 * MB).is_err());
        assert!(MediaKind::Sticker.check("image/webp", 400 * 1024).is_ok());
        assert!(MediaKind::Sticker.check("image/webp", 600 * 1024).is_err());
        assert!(MediaKind::Document.check("application/pdf", 0).is_err());
        assert_eq!(MediaKind::from_mime("image/webp"), Some(MediaKind::Sticker));
        assert_eq!(MediaKind::from_mime("video/mp4"), Some(MediaKind::Video));
        assert_eq!(MediaKind::from_mime("application/zip"), None);
    }

    #[test]
    fn template_enums_keep_unknown_values() {
        let t: TemplateStatus = serde_json::from_str("\"APPROVED\"").unwrap();
        assert_eq!(t, TemplateStatus::Approved);
        let t: TemplateStatus = serde_json::from_str("\"SOMETHING_NEW\"").unwrap();
        assert_eq!(t, TemplateStatus::Other("SOMETHING_NEW".into()));
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"SOMETHING_NEW\"");
    }

    #[test]
    fn page_next_only_when_more() {
        let p: GraphPage<Value> =
            serde_json::from_str(r#"{"data":[1],"paging":{"cursors":{"before":"a","after":"b"}}}"#)
                .unwrap();
        assert_eq!(Page::from(p).next, None);
        let p: GraphPage<Value> = serde_json::from_str(
            r#"{"data":[1],"paging":{"cursors":{"after":"b"},"next":"https://x"}}"#,
        )
        .unwrap();
        assert_eq!(Page::from(p).next.as_deref(), Some("b"));
    }
}
