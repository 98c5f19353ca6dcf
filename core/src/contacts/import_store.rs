//! CSV import into the contact store: rows stream through in transactions of
//! a configurable size (constant memory whatever the file), and each row
//! merges into the stored contact instead of replacing it — fields present in
//! the file update, absent ones stay, tags unite (or are replaced on
//! request), and opt-in, time zone, BSUID and version are never touched by a
//! file that cannot say anything about them.

use std::collections::HashMap;
use std::io::Read;

use serde::{Deserialize, Serialize};

use super::import::{Field, ImportReport, ImportSpec, RowStream};
use crate::store::{Contact, ContactStore};

/// What a re-import does with a contact's stored tags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TagsMode {
    /// Stored tags and the row's tags together.
    #[default]
    Union,
    /// The row's tags (and the spec's added tags) replace the stored ones,
    /// when the file has a tags column; otherwise stored tags stay.
    Replace,
}

impl std::str::FromStr for TagsMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "union" => Ok(TagsMode::Union),
            "replace" => Ok(TagsMode::Replace),
            o => Err(format!("tags mode {o:?}: union or replace")),
        }
    }
}

/// How an import writes to the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// Rows per transaction.
    pub batch: usize,
    /// Stored tags: united with the row's or replaced.
    pub tags: TagsMode,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            batch: 5_000,
            tags: TagsMode::Union,
        }
    }
}

/// An import the store stopped part-way: the error, and the report of what
/// was read and committed until then (`last_committed_line`).
#[derive(Debug)]
pub struct ImportFailure {
    /// Why it stopped.
    pub error: crate::Error,
    /// Rows read, bad rows and what was committed before the failure.
    pub report: ImportReport,
}

impl std::fmt::Display for ImportFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.report.last_committed_line {
            Some(l) => write!(f, "{} (rows up to line {l} are stored)", self.error),
            None => write!(f, "{} (no row was stored)", self.error),
        }
    }
}

impl std::error::Error for ImportFailure {}

/// Import a CSV into the contact store in transactions of 5,000 rows,
/// merging into stored contacts.
pub async fn import_into_store<R: Read>(
    input: R,
    spec: &ImportSpec,
    contacts: &dyn ContactStore,
) -> crate::Result<ImportReport> {
    import_into_store_with(input, spec, &ImportOptions::default(), contacts)
        .await
        .map_err(|f| f.error)
}

/// Import a CSV into the contact store: streamed, one transaction per
/// `opts.batch` rows, each row merged into the stored contact. When the
/// store fails part-way the report of what was committed comes with the error.
pub async fn import_into_store_with<R: Read>(
    input: R,
    spec: &ImportSpec,
    opts: &ImportOptions,
    contacts: &dyn ContactStore,
) -> Result<ImportReport, ImportFailure> {
    let fail = |error, report| ImportFailure { error, report };
    let mut rows = RowStream::new(input, spec).map_err(|e| fail(e, ImportReport::default()))?;
    let replace_tags = opts.tags == TagsMode::Replace
        && (spec.map.iter().any(|(_, f)| *f == Field::Tags) || !spec.add_tags.is_empty());
    let mut committed = 0u64;
    loop {
        let batch = match rows.next_batch(opts.batch.max(1)) {
            Ok(b) => b,
            Err(e) => return Err(fail(e, finish(rows.into_report(), committed))),
        };
        let Some(last_line) = batch.last().map(|r| r.line) else {
            break;
        };
        let batch: Vec<Contact> = batch.into_iter().map(|r| r.contact).collect();
        let mut stored = match stored_for(contacts, &batch, spec.id_column.is_some()).await {
            Ok(s) => s,
            Err(e) => return Err(fail(e, finish(rows.into_report(), committed))),
        };
        let merged: Vec<Contact> = batch
            .into_iter()
            .zip(stored.iter_mut())
            .map(|(row, old)| match old.take() {
                Some(old) => merge(old, row, replace_tags),
                None => row,
            })
            .collect();
        let n = merged.len() as u64;
        if let Err(e) = contacts.upsert_many(&merged).await {
            return Err(fail(e.into(), finish(rows.into_report(), committed)));
        }
        committed += n;
        rows.report_mut().last_committed_line = Some(last_line);
    }
    Ok(finish(rows.into_report(), committed))
}

/// `imported` counts what reached the store.
fn finish(mut report: ImportReport, committed: u64) -> ImportReport {
    report.imported = committed;
    report
}

/// The stored contact each row updates, in the rows' order: by id, else
/// (when the id is not from an id column) the contact that already has the
/// row's phone. Two batched look-ups for the lot, not one per row.
async fn stored_for(
    contacts: &dyn ContactStore,
    rows: &[Contact],
    explicit_id: bool,
) -> crate::Result<Vec<Option<Contact>>> {
    let ids: Vec<_> = rows.iter().map(|c| c.id.clone()).collect();
    let mut by_id: HashMap<String, Contact> = contacts
        .get_many(&ids)
        .await?
        .into_iter()
        .map(|c| (c.id.0.clone(), c))
        .collect();
    let mut out: Vec<Option<Contact>> = rows.iter().map(|c| by_id.remove(c.id.as_str())).collect();
    if explicit_id {
        return Ok(out);
    }
    let phones: Vec<String> = rows
        .iter()
        .zip(&out)
        .filter(|(_, old)| old.is_none())
        .filter_map(|(c, _)| c.e164.clone().map(String::from))
        .collect();
    if phones.is_empty() {
        return Ok(out);
    }
    let by_phone: HashMap<String, Contact> = contacts
        .find_many_by_e164(&phones)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.e164.clone()?.into(), c)))
        .collect();
    for (c, old) in rows.iter().zip(out.iter_mut()) {
        if old.is_none()
            && let Some(e) = &c.e164
        {
            *old = by_phone.get(e.as_str()).cloned();
        }
    }
    Ok(out)
}

/// `row` merged into `old`: present fields win, absent ones stay.
fn merge(mut old: Contact, row: Contact, replace_tags: bool) -> Contact {
    fn set<T>(slot: &mut Option<T>, v: Option<T>) {
        if v.is_some() {
            *slot = v;
        }
    }
    // A wa_id learned from webhooks beats one guessed from the same phone.
    let same_phone = row.e164.is_some() && row.e164 == old.e164;
    if !(same_phone && old.wa_id.is_some()) {
        set(&mut old.wa_id, row.wa_id);
    }
    set(&mut old.e164, row.e164);
    set(&mut old.name, row.name);
    set(&mut old.first_name, row.first_name);
    set(&mut old.last_name, row.last_name);
    set(&mut old.email, row.email);
    set(&mut old.city, row.city);
    set(&mut old.external_id, row.external_id);
    if replace_tags {
        old.tags = row.tags;
    } else {
        old.tags.extend(row.tags);
    }
    old.attributes.extend(row.attributes);
    old
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_what_the_row_does_not_say() {
        let mut old = Contact {
            id: "c1".into(),
            e164: "+447700900123".parse().ok(),
            wa_id: "447700900123".parse().ok(),
            bsuid: "GB.123".parse().ok(),
            name: Some("Ana".into()),
            city: Some("Leeds".into()),
            opted_in: true,
            time_zone: Some("Europe/London".into()),
            version: 3,
            ..Default::default()
        };
        old.tags.insert("vip".into());
        old.attributes.insert("plan".into(), "gold".into());
        let mut row = Contact {
            id: "c1".into(),
            e164: "+447700900123".parse().ok(),
            wa_id: "447700900999".parse().ok(),
            city: Some("York".into()),
            ..Default::default()
        };
        row.tags.insert("new".into());
        row.attributes.insert("source".into(), "csv".into());
        let m = merge(old.clone(), row.clone(), false);
        assert!(m.opted_in);
        assert_eq!(m.bsuid.as_deref(), Some("GB.123"));
        assert_eq!(m.time_zone.as_deref(), Some("Europe/London"));
        assert_eq!(m.name.as_deref(), Some("Ana"));
        assert_eq!(m.city.as_deref(), Some("York"));
        assert_eq!(m.wa_id.as_deref(), Some("447700900123"));
        assert_eq!(m.version, 3);
        assert!(m.tags.contains("vip") && m.tags.contains("new"));
        assert_eq!(m.attributes["plan"], "gold");
        assert_eq!(m.attributes["source"], "csv");
        let r = merge(old, row, true);
        assert_eq!(r.tags.iter().collect::<Vec<_>>(), ["new"]);
    }
}
