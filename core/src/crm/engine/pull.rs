//! Pull: CRM records changed since the stored cursor are applied to contacts
//! (creating the ones wacrm does not know), field by field, with the conflict
//! rules; the cursor moves only after its page is committed.

use serde_json::{Value, json};

use super::conflict::{
    Incoming, Outgoing, Winner, incoming_empty, local_changed, outgoing, resolve,
};
use super::{PullReport, SyncEngine};
use crate::Result;
use crate::crm::connector::CrmRecord;
use crate::crm::fields::LocalField;
use crate::crm::mapping::Direction;
use crate::crm::transform::apply_from_crm;
use crate::ids::ContactId;
use crate::store::{Contact, Discrepancy};

/// Contact attribute that keeps CRM properties the mapping does not name.
pub const OVERFLOW_ATTRIBUTE: &str = "crm_overflow";

impl SyncEngine {
    /// Pull CRM changes since the stored cursor.
    pub async fn pull(&self) -> Result<PullReport> {
        let _run = self.run_lock.lock().await;
        self.restore_health().await?;
        let r = self.pull_locked().await;
        self.save_health_after(r).await
    }

    async fn pull_locked(&self) -> Result<PullReport> {
        let name = self.opts.name.clone();
        let mut cursor = self.sync.get_cursor(&name, "pull").await?;
        let mut report = PullReport::default();
        loop {
            let (r, _) = self
                .call(|| {
                    self.connector
                        .changed_since(cursor.as_deref(), self.opts.page_size)
                })
                .await;
            let page = r?;
            report.fetched += page.records.len() as u64;
            for rec in &page.records {
                self.apply_record(rec, &mut report).await?;
            }
            // Saved only now: every record of the page is committed.
            if let Some(c) = &page.next_cursor
                && cursor.as_deref() != Some(c.as_str())
            {
                self.sync.set_cursor(&name, "pull", c).await?;
                cursor = Some(c.clone());
            }
            if !page.has_more || page.records.is_empty() {
                break;
            }
        }
        crate::metrics::crm::pull(&name, &report);
        Ok(report)
    }

    async fn locate(&self, rec: &CrmRecord) -> Result<(Contact, bool)> {
        let m = &self.mapping;
        let own_id = rec
            .properties
            .get(&m.identity.crm_id_property)
            .filter(|v| !v.is_empty());
        if let Some(v) = own_id
            && let Some(c) = self.contacts.get(&ContactId::new(v.as_str())).await?
        {
            return Ok((c, false));
        }
        if let Some(cid) = self
            .sync
            .get_cursor(&self.opts.name, &format!("crm:{}", rec.id))
            .await?
            && let Some(c) = self.contacts.get(&ContactId::new(cid)).await?
        {
            return Ok((c, false));
        }
        if m.identity.fallback.contains(&LocalField::Phone)
            && let Some(f) = m.fields.iter().find(|f| f.local == LocalField::Phone)
            && let Some(raw) = rec.properties.get(&f.crm)
            && let Ok(e164) = apply_from_crm(&f.transform, raw, &m.maps)
            && let Some(c) = self.contacts.find_by_e164(&e164).await?
        {
            return Ok((c, false));
        }
        // A deterministic id: a pull rerun after a crash finds it again.
        let id = own_id
            .cloned()
            .unwrap_or_else(|| format!("crm-{}-{}", self.opts.name, rec.id));
        Ok((
            Contact {
                id: ContactId::new(id),
                ..Default::default()
            },
            true,
        ))
    }

    async fn apply_record(&self, rec: &CrmRecord, report: &mut PullReport) -> Result<()> {
        let m = self.mapping.clone();
        let now = self.clock.now_millis();
        let (mut contact, is_new) = self.locate(rec).await?;
        let key = contact.id.as_str().to_string();
        let mut shadow = self.load_shadow(&key).await?;
        let before = contact.clone();
        let mut discrepancies = Vec::new();
        for f in m.fields.iter().filter(|f| f.direction.pulls()) {
            let raw = rec.properties.get(&f.crm).cloned().unwrap_or_default();
            let known = shadow.props.get(&f.crm).cloned();
            if known.as_deref() == Some(raw.as_str()) {
                continue; // The CRM did not change it since we last agreed.
            }
            let mut apply = true;
            if f.direction == Direction::Both {
                let out = outgoing(f, &before, &m.maps).unwrap_or(Outgoing::Unset);
                let keeps = raw.is_empty() && incoming_empty(f) == Incoming::Keep;
                if out.as_text() == raw || keeps {
                    // Same value on both sides, or an empty CRM value that
                    // means "unknown" here: nothing to settle.
                    apply = false;
                } else if local_changed(&out, known.as_deref()) {
                    let w = resolve(f.owner, before.updated_at, rec.updated_at);
                    report.conflicts += 1;
                    discrepancies.push(Discrepancy {
                        id: format!("{}:{key}:{}:{}", self.opts.name, f.crm, rec.updated_at),
                        connector: self.opts.name.clone(),
                        key: key.clone(),
                        field: f.crm.clone(),
                        local: json!({"field": f.local.to_string(), "value": out.as_text(), "at": before.updated_at}),
                        remote: json!({"id": rec.id, "value": raw, "at": rec.updated_at}),
                        resolution: w.describe(),
                        at: now,
                    });
                    apply = matches!(w, Winner::Crm(_));
                }
            }
            if apply {
                if raw.is_empty() {
                    match incoming_empty(f) {
                        Incoming::Set(d) => f.local.set(&mut contact, Some(d))?,
                        Incoming::Clear => f.local.set(&mut contact, None)?,
                        Incoming::Keep => {}
                    }
                    self.health.field(&f.crm, true, false);
                } else {
                    let applied = apply_from_crm(&f.transform, &raw, &m.maps)
                        .map_err(|e| e.to_string())
                        .and_then(|v| {
                            f.local
                                .set(&mut contact, Some(v))
                                .map_err(|e| e.to_string())
                        });
                    match applied {
                        Ok(()) => {
                            self.health.field(&f.crm, true, false);
                        }
                        Err(e) => {
                            tracing::warn!(field = %f.crm, record = %rec.id, error = %e, "crm value not applied");
                            self.health.field(&f.crm, false, true);
                        }
                    }
                }
            }
            shadow.props.insert(f.crm.clone(), raw);
        }
        // Properties the mapping does not name are kept, never dropped.
        let id_prop = &m.identity.crm_id_property;
        let overflow: serde_json::Map<String, Value> = rec
            .properties
            .iter()
            .filter(|(k, _)| *k != id_prop && m.field_for_crm(k).is_none())
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        if !overflow.is_empty() || contact.attributes.contains_key(OVERFLOW_ATTRIBUTE) {
            let v = Value::Object(overflow);
            if contact.attributes.get(OVERFLOW_ATTRIBUTE) != Some(&v) {
                contact.attributes.insert(OVERFLOW_ATTRIBUTE.to_string(), v);
            }
        }
        let changed = is_new || contact != before;
        if changed {
            self.contacts.upsert(&contact, None).await?;
            report.applied += 1;
            if is_new {
                report.created += 1;
            }
        }
        self.health.record(true, 1);
        for d in &discrepancies {
            self.sync.record_discrepancy(d).await?;
            report.discrepancies += 1;
        }
        if shadow.crm_id.as_deref() != Some(rec.id.as_str()) {
            self.sync
                .set_cursor(&self.opts.name, &format!("crm:{}", rec.id), &key)
                .await?;
            shadow.crm_id = Some(rec.id.clone());
        }
        if let Some(v) = rec.properties.get(id_prop) {
            shadow.props.insert(id_prop.clone(), v.clone());
        }
        self.save_shadow(&key, &shadow).await
    }
}
