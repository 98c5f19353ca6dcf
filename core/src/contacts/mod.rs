//! C7: contacts. CSV import with arbitrary column mappings and a bad-row
//! report, tags and segments a campaign targets, and duplicate detection.

pub mod dedupe;
mod import;
mod import_store;
mod records;
mod seen;

pub use import::{
    BadRow, Field, ImportReport, ImportSpec, ImportedRow, RowStream, RowValues, read_csv,
    read_csv_all, read_csv_map, read_csv_values,
};
pub use import_store::{
    ImportFailure, ImportOptions, TagsMode, import_into_store, import_into_store_with,
};
pub use records::{LineEndings, QuoteLimits};

use crate::store::{Contact, ContactFilter, ContactStore, PageRequest};

/// A named audience: tag and attribute filters evaluated through the store.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    /// Name.
    pub name: String,
    /// Filter.
    pub filter: ContactFilter,
}

impl Segment {
    /// A segment named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Segment {
            name: name.into(),
            filter: ContactFilter {
                has_phone: true,
                ..Default::default()
            },
        }
    }

    /// Require a tag.
    pub fn with_tag(mut self, t: impl Into<String>) -> Self {
        self.filter.tags_all.push(t.into());
        self
    }

    /// Require one of these tags.
    pub fn any_tag<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.filter
            .tags_any
            .extend(tags.into_iter().map(Into::into));
        self
    }

    /// Exclude a tag.
    pub fn without_tag(mut self, t: impl Into<String>) -> Self {
        self.filter.tags_none.push(t.into());
        self
    }

    /// Require an attribute value.
    pub fn with_attr(mut self, k: impl Into<String>, v: impl Into<serde_json::Value>) -> Self {
        self.filter.attributes.insert(k.into(), v.into());
        self
    }

    /// Every contact in the segment, paging through the store.
    pub async fn members(&self, store: &dyn ContactStore) -> crate::Result<Vec<Contact>> {
        let mut out = Vec::new();
        let mut page = PageRequest {
            limit: 1_000,
            after: None,
        };
        loop {
            let p = store.list(&self.filter, &page).await?;
            out.extend(p.items);
            match p.next {
                Some(n) => page.after = Some(n),
                None => return Ok(out),
            }
        }
    }
}
