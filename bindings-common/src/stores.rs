//! Stores opened by URL and the contact operations that run over them.

use serde::{Deserialize, Serialize};
use wacrm::contacts::dedupe::{self, DedupeConfig, DedupeResult, MergeReport};
use wacrm::contacts::{ImportReport, ImportSpec, Segment};
use wacrm::store::{
    Contact, Conversation, MessageRecord, OutboxItem, OutboxStateKind, OutboxStats,
};
use wacrm::{ContactId, Error, Result};

/// Stores opened by URL: `memory:`, `sqlite://PATH`, `postgres://...`.
#[derive(Clone)]
pub struct Stores(pub wacrm::store::Stores);

/// Arguments of [`Stores::contacts_import_csv`] (the options of `wacrm contacts import`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
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
    pub add_tags: Vec<String>,
    /// Report rows without a valid phone as bad rows.
    pub require_phone: bool,
}

/// What [`Stores::contacts_dedupe`] found and, when asked, merged.
#[derive(Debug, Serialize)]
pub struct DedupeOutcome {
    /// Clusters, pairs and the merge plan.
    pub result: DedupeResult,
    /// The merges executed (only with `merge`).
    pub merged: Option<MergeReport>,
}

impl Stores {
    /// Open (and migrate) the stores at `url`.
    pub async fn open(url: &str) -> Result<Self> {
        Ok(Stores(wacrm::store::Stores::from_url(url).await?))
    }

    /// Import a CSV of contacts; bad rows are reported with their line numbers.
    pub async fn contacts_import_csv(&self, i: ImportArgs) -> Result<ImportReport> {
        let spec = ImportSpec {
            id_column: i.id_column,
            default_region: i.region,
            add_tags: i.add_tags,
            require_phone: i.require_phone,
            ..Default::default()
        }
        .with_maps(i.map.iter().map(String::as_str))?;
        let file = std::fs::File::open(&i.path)
            .map_err(|e| Error::validation("path", format!("{}: {e}", i.path)))?;
        wacrm::contacts::import_into_store(file, &spec, self.0.contacts.as_ref()).await
    }

    /// Find duplicate contacts; with `merge`, execute the merge plan.
    pub async fn contacts_dedupe(
        &self,
        config: DedupeConfig,
        merge: bool,
    ) -> Result<DedupeOutcome> {
        let store = self.0.contacts.as_ref();
        let result = dedupe::dedupe_store(store, &config).await?;
        let merged = if merge {
            Some(dedupe::execute_plan(&result.plan, store).await?)
        } else {
            None
        };
        Ok(DedupeOutcome { result, merged })
    }

    /// One contact by id.
    pub async fn contact_get(&self, id: String) -> Result<Option<Contact>> {
        Ok(self.0.contacts.get(&ContactId::new(id)).await?)
    }

    /// One contact by E.164 number.
    pub async fn contact_find_by_phone(&self, phone: String) -> Result<Option<Contact>> {
        Ok(self.0.contacts.find_by_e164(&phone).await?)
    }

    /// Create or replace a contact; the stored version.
    pub async fn contact_upsert(&self, c: Contact) -> Result<Contact> {
        Ok(self.0.contacts.upsert(&c, None).await?)
    }

    /// The contacts a segment selects.
    pub async fn segment_members(&self, segment: Segment) -> Result<Vec<Contact>> {
        segment.members(self.0.contacts.as_ref()).await
    }

    /// Open conversations.
    pub async fn conversations_open(&self) -> Result<Vec<Conversation>> {
        Ok(self.0.conversations.list_open().await?)
    }

    /// A contact's messages, both directions.
    pub async fn messages_for_contact(&self, id: String) -> Result<Vec<MessageRecord>> {
        Ok(self
            .0
            .messages
            .list_for_contact(&ContactId::new(id))
            .await?)
    }

    /// Outbox counts by state.
    pub async fn outbox_stats(&self) -> Result<OutboxStats> {
        Ok(self.0.outbox.stats().await?)
    }

    /// Outbox items in `state` (every state when `None`), at most `limit` per
    /// state. An unknown state name is a validation error naming the known ones.
    pub async fn outbox_items(
        &self,
        state: Option<String>,
        limit: usize,
    ) -> Result<Vec<OutboxItem>> {
        let states: Vec<OutboxStateKind> = match &state {
            Some(s) => vec![s.parse()?],
            None => OutboxStateKind::ALL.to_vec(),
        };
        let mut items = Vec::new();
        for st in states {
            items.extend(self.0.outbox.list_by_state(st, limit).await?);
        }
        Ok(items)
    }
}
