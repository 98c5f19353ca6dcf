//! An in-memory CRM: the reference connector, used by tests and as the model
//! the conformance suite describes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use parking_lot::Mutex;

use super::connector::*;
use crate::Result;
use crate::time::{Clock, Millis, SystemClock};

/// An in-memory CRM with unique id-property semantics and "≥ cursor" paging.
#[derive(Debug, Default)]
pub struct MemoryConnector {
    inner: Mutex<Inner>,
    /// A logical clock so modification times are strictly increasing even
    /// within one millisecond (keeps paging deterministic in tests).
    clock: AtomicI64,
}

#[derive(Debug, Default)]
struct Inner {
    records: BTreeMap<String, CrmRecord>,
    next_id: u64,
    requests: u64,
}

impl MemoryConnector {
    /// An empty CRM.
    pub fn new() -> Self {
        Self::default()
    }

    fn tick(&self) -> Millis {
        let now = SystemClock.now_millis();
        let mut cur = self.clock.load(Ordering::SeqCst);
        loop {
            // Strictly after anything handed out before, and never behind the wall clock.
            let next = (cur + 1).max(now);
            match self
                .clock
                .compare_exchange(cur, next, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return next,
                Err(c) => cur = c,
            }
        }
    }

    /// Edit a record as a CRM user would (sets or clears properties; an empty
    /// value clears). Creates the record when `id` is unknown.
    pub fn edit(&self, id: &str, props: &[(&str, &str)]) -> CrmRecord {
        let at = self.tick();
        let mut g = self.inner.lock();
        let r = g
            .records
            .entry(id.to_string())
            .or_insert_with(|| CrmRecord {
                id: id.to_string(),
                ..Default::default()
            });
        for (k, v) in props {
            if v.is_empty() {
                r.properties.remove(*k);
            } else {
                r.properties.insert(k.to_string(), v.to_string());
            }
        }
        r.updated_at = at;
        r.clone()
    }

    /// Every record, by id.
    pub fn all(&self) -> Vec<CrmRecord> {
        self.inner.lock().records.values().cloned().collect()
    }
}

fn find<'a>(g: &'a Inner, prop: &str, value: &str) -> Vec<&'a CrmRecord> {
    g.records
        .values()
        .filter(|r| r.properties.get(prop).map(String::as_str) == Some(value))
        .collect()
}

#[async_trait]
impl CrmConnector for MemoryConnector {
    fn name(&self) -> &str {
        "memory"
    }

    fn limits(&self) -> CrmLimits {
        CrmLimits {
            max_batch: 100,
            max_page: 200,
            requests_per_10s: 0,
        }
    }

    async fn upsert(&self, batch: &[UpsertInput]) -> Result<Vec<UpsertOutcome>> {
        let mut out = Vec::with_capacity(batch.len());
        for input in batch {
            let at = self.tick();
            let mut g = self.inner.lock();
            g.requests += 1;
            if let Some(bad) = input
                .properties
                .get("email")
                .filter(|e| !e.is_empty() && !e.contains('@'))
            {
                out.push(UpsertOutcome::Rejected {
                    code: "VALIDATION_ERROR".into(),
                    message: format!("Email address {bad} is invalid"),
                });
                continue;
            }
            // Match: known CRM id, then the unique id property, then fallbacks.
            let mut target: Option<String> =
                input.crm_id.clone().filter(|id| g.records.contains_key(id));
            if target.is_none() {
                target = find(&g, &input.id_property, &input.id_value)
                    .first()
                    .map(|r| r.id.clone());
            }
            let mut multiple = None;
            if target.is_none() {
                for (prop, value) in &input.fallbacks {
                    let hits = find(&g, prop, value);
                    match hits.len() {
                        0 => continue,
                        1 => target = Some(hits[0].id.clone()),
                        _ => multiple = Some(hits.iter().map(|r| r.id.clone()).collect()),
                    }
                    break;
                }
            }
            if let Some(ids) = multiple {
                out.push(UpsertOutcome::MultipleMatches { ids });
                continue;
            }
            let mut props = input.properties.clone();
            props.insert(input.id_property.clone(), input.id_value.clone());
            match target {
                Some(id) => {
                    let r = g.records.get_mut(&id).expect("matched above");
                    let mut changed = false;
                    for (k, v) in props {
                        if v.is_empty() {
                            changed |= r.properties.remove(&k).is_some();
                        } else if r.properties.get(&k) != Some(&v) {
                            r.properties.insert(k, v);
                            changed = true;
                        }
                    }
                    if changed {
                        r.updated_at = at;
                        out.push(UpsertOutcome::Updated { id });
                    } else {
                        out.push(UpsertOutcome::Unchanged { id });
                    }
                }
                None => {
                    g.next_id += 1;
                    let id = format!("{}", 1000 + g.next_id);
                    props.retain(|_, v| !v.is_empty());
                    g.records.insert(
                        id.clone(),
                        CrmRecord {
                            id: id.clone(),
                            properties: props,
                            updated_at: at,
                        },
                    );
                    out.push(UpsertOutcome::Created { id });
                }
            }
        }
        Ok(out)
    }

    async fn fetch(&self, ids: &[String]) -> Result<Vec<CrmRecord>> {
        let mut g = self.inner.lock();
        g.requests += 1;
        Ok(ids
            .iter()
            .filter_map(|id| g.records.get(id).cloned())
            .collect())
    }

    async fn changed_since(&self, cursor: Option<&str>, limit: usize) -> Result<ChangePage> {
        let from: Millis = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        let mut g = self.inner.lock();
        g.requests += 1;
        let mut rs: Vec<CrmRecord> = g
            .records
            .values()
            .filter(|r| r.updated_at >= from)
            .cloned()
            .collect();
        rs.sort_by(|a, b| a.updated_at.cmp(&b.updated_at).then(a.id.cmp(&b.id)));
        let has_more = rs.len() > limit.max(1);
        rs.truncate(limit.max(1));
        // Modification times here are strictly increasing, so the next page
        // starts just after the last record seen.
        let next_cursor = rs
            .last()
            .map(|r| (r.updated_at + 1).to_string())
            .or_else(|| cursor.map(str::to_string));
        Ok(ChangePage {
            records: rs,
            next_cursor,
            has_more,
        })
    }

    fn stats(&self) -> ConnectorStats {
        ConnectorStats {
            requests: self.inner.lock().requests,
            rate_limited: 0,
        }
    }
}
