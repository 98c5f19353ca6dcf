//! Push: contacts changed since the push cursor (and records whose scheduled
//! retry is due) go to the CRM in batches; only properties that differ from
//! the shadow are sent.

use std::collections::BTreeMap;

use super::conflict::{Outgoing, outgoing};
use super::{PushReport, RetryEntry, Shadow, SyncEngine};
use crate::crm::connector::{UpsertInput, UpsertOutcome};
use crate::crm::mapping::Direction;
use crate::store::{Contact, ContactFilter, PageRequest, ParkedPush};
use crate::time::{Clock, Millis, SystemClock};
use crate::{Error, Result};

/// A record refused before anything was sent.
struct LocalReject {
    code: &'static str,
    message: String,
}

impl SyncEngine {
    /// Push local changes since the last push (every contact on the first run).
    pub async fn push(&self) -> Result<PushReport> {
        let _run = self.run_lock.lock().await;
        self.restore_health().await?;
        let r = self.push_locked().await;
        self.save_health_after(r).await
    }

    async fn push_locked(&self) -> Result<PushReport> {
        let stats0 = self.connector.stats();
        let name = self.opts.name.clone();
        let now = self.clock.now_millis();
        // Stores stamp `updated_at` with the wall clock. A change written while
        // we list is stamped at or after this instant, so the next push (≥)
        // sees it even if it landed on a page already read.
        let list_start = SystemClock.now_millis();
        let since: Millis = self
            .sync
            .get_cursor(&name, "push")
            .await?
            .and_then(|s| s.parse().ok())
            .unwrap_or(Millis::MIN);
        let mut retries = self.load_retries().await?;
        let mut report = PushReport::default();

        let mut candidates: Vec<Contact> = Vec::new();
        let mut page = PageRequest {
            limit: 1000,
            after: None,
        };
        loop {
            let p = self.contacts.list(&ContactFilter::default(), &page).await?;
            for c in p.items {
                match retries.get(c.id.as_str()) {
                    Some(r) if r.next_at <= now => candidates.push(c),
                    // Waits for its scheduled attempt.
                    Some(_) => {}
                    None if c.updated_at >= since => candidates.push(c),
                    None => {}
                }
            }
            match p.next {
                Some(n) => page.after = Some(n),
                None => break,
            }
        }

        let mut inputs: Vec<(UpsertInput, Millis)> = Vec::new();
        for c in &candidates {
            let shadow = self.load_shadow(c.id.as_str()).await?;
            match self.build_input(c, &shadow) {
                Ok(Some(i)) => inputs.push((i, c.updated_at)),
                Ok(None) => {
                    report.unchanged += 1;
                    retries.remove(c.id.as_str());
                }
                Err(r) => {
                    self.health.reject(r.code);
                    crate::metrics::crm::rejection(&name, r.code);
                    let payload = serde_json::json!({"key": c.id.as_str()});
                    self.park(c.id.as_str(), payload, r.code, &r.message, 0, now)
                        .await?;
                    retries.remove(c.id.as_str());
                    report.rejected += 1;
                    report.parked += 1;
                }
            }
        }

        let batch = self.connector.limits().max_batch.max(1);
        for chunk in inputs.chunks(batch) {
            let only: Vec<UpsertInput> = chunk.iter().map(|(i, _)| i.clone()).collect();
            let (r, n) = self.call(|| self.connector.upsert(&only)).await;
            report.retries += n;
            match r {
                Ok(outcomes) if outcomes.len() == only.len() => {
                    for ((input, changed_at), o) in chunk.iter().zip(outcomes) {
                        self.settle(input, *changed_at, o, now, &mut retries, &mut report)
                            .await?;
                    }
                }
                Ok(outcomes) => {
                    return Err(Error::Decode {
                        message: format!(
                            "connector answered {} outcomes for {} records",
                            outcomes.len(),
                            only.len()
                        ),
                        raw: String::new(),
                    });
                }
                Err(e) if e.retry().retryable => {
                    self.health.record(false, only.len() as u64);
                    for input in &only {
                        let entry = retries.entry(input.key.clone()).or_default();
                        entry.attempts += 1;
                        entry.error = e.to_string();
                        if entry.attempts > self.opts.retry_attempts {
                            let (attempts, error) = (entry.attempts, entry.error.clone());
                            retries.remove(&input.key);
                            let payload = serde_json::to_value(input).unwrap_or_default();
                            self.park(
                                &input.key,
                                payload,
                                "RETRIES_EXHAUSTED",
                                &error,
                                attempts,
                                now,
                            )
                            .await?;
                            report.parked += 1;
                        } else {
                            entry.next_at = now + self.opts.retry_every.as_millis() as Millis;
                        }
                    }
                }
                Err(e) => {
                    // Not worth retrying (auth, configuration): stop without
                    // moving the cursor; what went through is in the shadows.
                    self.save_retries(&retries).await?;
                    return Err(e);
                }
            }
        }
        self.save_retries(&retries).await?;
        self.sync
            .set_cursor(&name, "push", &list_start.max(since).to_string())
            .await?;
        report.scheduled = retries.len() as u64;
        let stats1 = self.connector.stats();
        report.requests = stats1.requests.saturating_sub(stats0.requests);
        report.rate_limited = stats1.rate_limited.saturating_sub(stats0.rate_limited);
        crate::metrics::crm::push(&name, &report);
        Ok(report)
    }

    /// The upsert for a contact, `None` when the CRM already holds everything.
    fn build_input(
        &self,
        c: &Contact,
        shadow: &Shadow,
    ) -> std::result::Result<Option<UpsertInput>, LocalReject> {
        let m = &self.mapping;
        let id_prop = &m.identity.crm_id_property;
        let mut props = BTreeMap::new();
        for f in m.fields.iter().filter(|f| f.direction.pushes()) {
            let out = match outgoing(f, c, &m.maps) {
                Ok(o) => o,
                Err(e) => {
                    self.health.field(&f.crm, false, true);
                    if f.required {
                        return Err(LocalReject {
                            code: "TRANSFORM_ERROR",
                            message: format!("{} ({}): {e}", f.local, f.crm),
                        });
                    }
                    // One bad value skips its field, not the record.
                    continue;
                }
            };
            if f.required && !matches!(out, Outgoing::Value(_)) {
                return Err(LocalReject {
                    code: "REQUIRED_FIELD_MISSING",
                    message: format!("{} ({}) is required and empty", f.local, f.crm),
                });
            }
            let known = shadow.props.get(&f.crm).map(String::as_str);
            let send = match &out {
                Outgoing::Unset => false,
                Outgoing::Clear => match known {
                    Some(v) => !v.is_empty(),
                    None => shadow.crm_id.is_some(),
                },
                Outgoing::Value(v) => known != Some(v.as_str()),
            };
            if send {
                props.insert(f.crm.clone(), out.as_text().to_string());
            }
        }
        let id_known = shadow.props.get(id_prop).map(String::as_str) == Some(c.id.as_str());
        if props.is_empty() && shadow.crm_id.is_some() && id_known {
            return Ok(None);
        }
        let fallbacks = m
            .identity
            .fallback
            .iter()
            .filter_map(|lf| {
                let f = m
                    .fields
                    .iter()
                    .find(|f| &f.local == lf && f.direction != Direction::FromCrm)?;
                match outgoing(f, c, &m.maps).ok()? {
                    Outgoing::Value(v) => Some((f.crm.clone(), v)),
                    _ => None,
                }
            })
            .collect();
        Ok(Some(UpsertInput {
            key: c.id.as_str().to_string(),
            crm_id: shadow.crm_id.clone(),
            id_property: id_prop.clone(),
            id_value: c.id.as_str().to_string(),
            fallbacks,
            properties: props,
        }))
    }

    async fn settle(
        &self,
        input: &UpsertInput,
        changed_at: Millis,
        o: UpsertOutcome,
        now: Millis,
        retries: &mut BTreeMap<String, RetryEntry>,
        report: &mut PushReport,
    ) -> Result<()> {
        retries.remove(&input.key);
        match &o {
            UpsertOutcome::Created { .. } => report.created += 1,
            UpsertOutcome::Updated { .. } => report.updated += 1,
            UpsertOutcome::Unchanged { .. } => report.unchanged += 1,
            UpsertOutcome::Rejected { code, message } => {
                self.health.reject(code);
                crate::metrics::crm::rejection(&self.opts.name, code);
                for p in input.properties.keys() {
                    self.health.field(p, false, false);
                }
                let payload = serde_json::to_value(input).unwrap_or_default();
                self.park(&input.key, payload, code, message, 1, now)
                    .await?;
                report.rejected += 1;
                report.parked += 1;
                return Ok(());
            }
            UpsertOutcome::MultipleMatches { ids } => {
                self.health.reject("MULTIPLE_MATCHES");
                crate::metrics::crm::rejection(&self.opts.name, "MULTIPLE_MATCHES");
                let payload = serde_json::to_value(input).unwrap_or_default();
                let msg = format!("fallback keys match CRM records {}", ids.join(", "));
                self.park(&input.key, payload, "MULTIPLE_MATCHES", &msg, 1, now)
                    .await?;
                report.parked += 1;
                return Ok(());
            }
        }
        let id = o
            .crm_id()
            .expect("written outcomes carry an id")
            .to_string();
        self.health.record(true, 1);
        for p in input.properties.keys() {
            self.health.field(p, true, false);
        }
        let lag = (SystemClock.now_millis() - changed_at) as f64;
        self.health.lag_ms(lag);
        crate::metrics::crm::lag(&self.opts.name, lag);
        let mut shadow = self.load_shadow(&input.key).await?;
        if shadow.crm_id.as_deref() != Some(id.as_str()) {
            self.sync
                .set_cursor(&self.opts.name, &format!("crm:{id}"), &input.key)
                .await?;
        }
        shadow.crm_id = Some(id);
        shadow.props.extend(input.properties.clone());
        shadow
            .props
            .insert(input.id_property.clone(), input.id_value.clone());
        self.save_shadow(&input.key, &shadow).await
    }

    async fn park(
        &self,
        key: &str,
        payload: serde_json::Value,
        code: &str,
        message: &str,
        attempts: u32,
        now: Millis,
    ) -> Result<()> {
        let p = ParkedPush {
            id: format!("{}:{key}", self.opts.name),
            connector: self.opts.name.clone(),
            key: key.to_string(),
            payload,
            error: format!("{code}: {message}"),
            attempts,
            at: now,
        };
        self.sync.park_push(&p).await?;
        Ok(())
    }
}
