//! Stores opened by URL and the contact operations over them.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use wacrm::store::ContactFilter;
use wacrm_bindings_common as common;

use crate::convert::{from_js, from_js_or_default, promise, wait};

/// A CSV of contacts to import and how to read it.
#[napi(object)]
pub struct ImportArgs {
    /// The CSV file.
    pub path: String,
    /// `COLUMN=FIELD` mappings (fields as in `wacrm contacts import --map`).
    pub map: Vec<String>,
    /// The column holding a stable contact id.
    pub id_column: Option<String>,
    /// Region for national-format phone numbers (`JP`, `BR`, ...).
    pub region: Option<String>,
    /// Tags added to every imported contact.
    pub add_tags: Option<Vec<String>>,
    /// Report rows without a valid phone as bad rows.
    pub require_phone: Option<bool>,
}

/// Which contacts a segment selects; every field is optional.
#[napi(object)]
pub struct SegmentFilter {
    /// Contacts with every one of these tags.
    pub tags_all: Option<Vec<String>>,
    /// Contacts with at least one of these tags.
    pub tags_any: Option<Vec<String>>,
    /// Contacts with none of these tags.
    pub tags_none: Option<Vec<String>>,
    /// Attribute values that must match exactly.
    #[napi(ts_type = "Record<string, T.JsonValue>")]
    pub attributes: Option<Value>,
    /// Only contacts with a phone number (the default).
    pub has_phone: Option<bool>,
}

/// A named segment of contacts.
#[napi(object)]
pub struct Segment {
    pub name: String,
    /// Every contact with a phone when absent.
    pub filter: Option<SegmentFilter>,
}

/// Stores by URL (`memory:`, `sqlite://PATH`, `postgres://...`): contacts, conversations,
/// messages, outbox.
#[napi]
pub struct NativeStores {
    pub(crate) inner: common::Stores,
}

#[napi]
impl NativeStores {
    /// Open (and migrate) the stores at `url` (`memory:` when absent).
    #[napi(constructor)]
    pub fn new(env: Env, url: Option<String>) -> Result<Self> {
        let url = url.unwrap_or_else(|| "memory:".into());
        Ok(NativeStores {
            inner: wait(&env, common::Stores::open(&url))?,
        })
    }

    /// Import a CSV of contacts; bad rows are reported with their line numbers.
    #[napi(ts_return_type = "Promise<T.ImportReport>")]
    pub fn contacts_import_csv<'env>(
        &self,
        env: &'env Env,
        args: ImportArgs,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        let args = common::ImportArgs {
            path: args.path,
            map: args.map,
            id_column: args.id_column,
            region: args.region,
            add_tags: args.add_tags.unwrap_or_default(),
            require_phone: args.require_phone.unwrap_or(false),
        };
        promise(env, async move { s.contacts_import_csv(args).await })
    }

    /// Find duplicate contacts; with `merge`, execute the merge plan.
    #[napi(
        ts_args_type = "config?: Partial<T.DedupeConfig> | undefined | null, merge?: boolean | undefined | null",
        ts_return_type = "Promise<T.DedupeOutcome>"
    )]
    pub fn contacts_dedupe<'env>(
        &self,
        env: &'env Env,
        config: Option<Value>,
        merge: Option<bool>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        let merge = merge.unwrap_or(false);
        promise(env, async move {
            s.contacts_dedupe(from_js_or_default("config", config)?, merge)
                .await
        })
    }

    /// One contact by id.
    #[napi(ts_return_type = "Promise<T.Contact | null>")]
    pub fn contact_get<'env>(&self, env: &'env Env, id: String) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.contact_get(id).await })
    }

    /// One contact by E.164 number.
    #[napi(ts_return_type = "Promise<T.Contact | null>")]
    pub fn contact_find_by_phone<'env>(
        &self,
        env: &'env Env,
        phone: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.contact_find_by_phone(phone).await })
    }

    /// Create or replace a contact; resolves with the stored version.
    #[napi(
        ts_args_type = "contact: T.ContactInput",
        ts_return_type = "Promise<T.Contact>"
    )]
    pub fn contact_upsert<'env>(
        &self,
        env: &'env Env,
        contact: Value,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move {
            s.contact_upsert(from_js("contact", contact)?).await
        })
    }

    /// The contacts a named segment selects.
    #[napi(ts_return_type = "Promise<T.Contact[]>")]
    pub fn segment_members<'env>(
        &self,
        env: &'env Env,
        segment: Segment,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move {
            let filter = match segment.filter {
                Some(f) => ContactFilter {
                    tags_all: f.tags_all.unwrap_or_default(),
                    tags_any: f.tags_any.unwrap_or_default(),
                    tags_none: f.tags_none.unwrap_or_default(),
                    attributes: from_js_or_default("attributes", f.attributes)?,
                    has_phone: f.has_phone.unwrap_or(true),
                },
                None => ContactFilter {
                    has_phone: true,
                    ..Default::default()
                },
            };
            let segment = wacrm::contacts::Segment {
                name: segment.name,
                filter,
            };
            s.segment_members(segment).await
        })
    }

    /// Open conversations.
    #[napi(ts_return_type = "Promise<T.Conversation[]>")]
    pub fn conversations_open<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.conversations_open().await })
    }

    /// A contact's messages, both directions.
    #[napi(ts_return_type = "Promise<T.MessageRecord[]>")]
    pub fn messages_for_contact<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.messages_for_contact(id).await })
    }

    /// Outbox counts by state.
    #[napi(ts_return_type = "Promise<T.OutboxStats>")]
    pub fn outbox_stats<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        promise(env, async move { s.outbox_stats().await })
    }

    /// Outbox items in `state` (every state when absent), at most `limit` (100) per state.
    #[napi(
        ts_args_type = "state?: T.OutboxStateName | undefined | null, limit?: number | undefined | null",
        ts_return_type = "Promise<T.OutboxItem[]>"
    )]
    pub fn outbox_items<'env>(
        &self,
        env: &'env Env,
        state: Option<String>,
        limit: Option<u32>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        // An unknown state name is refused by bindings-common with a validation error.
        promise(env, async move {
            s.outbox_items(state, limit.unwrap_or(100) as usize).await
        })
    }

    /// The analytics report (FRT, agents, funnels, failures, hour of week, hot
    /// words, anomalies) over `args`' range, all data when absent; and the CRM
    /// sync health the sync engines saved (`sync`, whatever the range).
    #[napi(ts_return_type = "Promise<T.Report>")]
    pub fn report<'env>(
        &self,
        env: &'env Env,
        args: Option<ReportArgs>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        let a = report_args(args);
        promise(env, async move { s.report(a).await })
    }

    /// The report as one self-contained HTML page.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn report_html<'env>(
        &self,
        env: &'env Env,
        args: Option<ReportArgs>,
        title: Option<String>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        let a = report_args(args);
        let title = title.unwrap_or_else(|| "wacrm report".into());
        promise(env, async move { s.report_html(a, title).await })
    }

    /// The report as CSV sections: a `# name` line, a header row and the rows.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn report_csv<'env>(
        &self,
        env: &'env Env,
        args: Option<ReportArgs>,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        let a = report_args(args);
        promise(env, async move { s.report_csv(a).await })
    }

    /// Process one stored webhook body into the stores as the live handler
    /// would (idempotent).
    #[napi(ts_return_type = "Promise<T.IngestSummary>")]
    pub fn webhook_ingest<'env>(
        &self,
        env: &'env Env,
        body: Buffer,
    ) -> Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        let body = body.to_vec();
        promise(env, async move { s.webhook_ingest(body).await })
    }
}

/// The range and settings of an analytics report; every field is optional.
#[napi(object)]
pub struct ReportArgs {
    /// Range start, epoch ms, inclusive (the beginning when absent).
    pub from: Option<i64>,
    /// Range end, epoch ms, exclusive (everything when absent).
    pub to: Option<i64>,
    /// IANA zone of days and of the hour-of-week histogram (`UTC`).
    pub tz: Option<String>,
    /// How many hot words (20).
    pub top: Option<u32>,
    /// Count automated replies as first responses.
    pub include_automated: Option<bool>,
}

fn report_args(a: Option<ReportArgs>) -> common::ReportArgs {
    let d = common::ReportArgs::default();
    let Some(a) = a else { return d };
    common::ReportArgs {
        from: a.from,
        to: a.to,
        tz: a.tz.unwrap_or(d.tz),
        top: a.top.unwrap_or(d.top),
        include_automated: a.include_automated.unwrap_or(d.include_automated),
    }
}
