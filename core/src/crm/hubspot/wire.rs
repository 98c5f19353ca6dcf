//! HubSpot's JSON: request bodies, result and error matching, paging.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::limiter::Lane;
use super::{HubSpotConnector, http_err};
use crate::crm::connector::*;
use crate::time::Millis;
use crate::{Error, Result};

/// HubSpot's own bookkeeping properties: carried as `id`/`updated_at`, not as
/// data (they change on every write and would look like CRM edits).
const META: [&str; 3] = ["hs_object_id", "createdate", "lastmodifieddate"];

/// Search returns at most this many results per query, whatever the paging.
const SEARCH_CAP: usize = 10_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `batch/update` by CRM id.
    Update,
    /// `batch/upsert` by the identity property.
    Upsert,
    /// `batch/upsert` by `email` (identity fallback after a CONFLICT).
    UpsertByEmail,
}

fn decode(body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        message: e.to_string(),
        raw: String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
    })
}

fn email_of(i: &UpsertInput) -> Option<&str> {
    i.fallbacks
        .iter()
        .find(|(p, _)| p == "email")
        .map(|(_, v)| v.as_str())
        .or_else(|| i.properties.get("email").map(String::as_str))
        .filter(|v| !v.is_empty())
}

fn input_json(i: &UpsertInput, mode: Mode) -> Value {
    let mut props = i.properties.clone();
    props.insert(i.id_property.clone(), i.id_value.clone());
    if mode == Mode::Upsert
        && let Some(e) = email_of(i)
    {
        // Email is HubSpot's unique contact key: sending it makes a record a
        // CRM user created by hand answer CONFLICT instead of being duplicated.
        props.entry("email".into()).or_insert_with(|| e.to_string());
    }
    match mode {
        Mode::Update => json!({"id": i.crm_id, "objectWriteTraceId": i.key, "properties": props}),
        Mode::Upsert => {
            json!({"idProperty": i.id_property, "id": i.id_value, "objectWriteTraceId": i.key, "properties": props})
        }
        Mode::UpsertByEmail => {
            json!({"idProperty": "email", "id": email_of(i), "objectWriteTraceId": i.key, "properties": props})
        }
    }
}

/// Upsert a batch: records known by id are updated, the others upserted.
pub(super) async fn upsert(
    c: &HubSpotConnector,
    batch: &[UpsertInput],
) -> Result<Vec<UpsertOutcome>> {
    let mut out: Vec<Option<UpsertOutcome>> = vec![None; batch.len()];
    let mut owned: Option<Vec<UpsertInput>> = None;
    for i in 0..batch.len() {
        if let Some(phone) = phone_fallback(&batch[i]) {
            match by_phone(c, &batch[i], phone).await? {
                PhoneMatch::Identity | PhoneMatch::Nothing => {}
                PhoneMatch::One(id) => {
                    owned.get_or_insert_with(|| batch.to_vec())[i].crm_id = Some(id);
                }
                PhoneMatch::Many(ids) => out[i] = Some(UpsertOutcome::MultipleMatches { ids }),
            }
        }
    }
    let batch: &[UpsertInput] = owned.as_deref().unwrap_or(batch);
    let (known, new): (Vec<usize>, Vec<usize>) = (0..batch.len())
        .filter(|i| out[*i].is_none())
        .partition(|i| batch[*i].crm_id.is_some());
    if !known.is_empty() {
        send(c, batch, known, Mode::Update, &mut out).await?;
    }
    if !new.is_empty() {
        send(c, batch, new, Mode::Upsert, &mut out).await?;
    }
    Ok(out
        .into_iter()
        .map(|o| {
            o.unwrap_or(UpsertOutcome::Rejected {
                code: "NO_RESULT".into(),
                message: "HubSpot returned neither a result nor an error for this record".into(),
            })
        })
        .collect())
}

/// The phone to match by: a record not known by id, with no e-mail (HubSpot
/// matches e-mail itself) and a `phone` fallback.
fn phone_fallback(i: &UpsertInput) -> Option<&str> {
    if i.crm_id.is_some() || email_of(i).is_some() {
        return None;
    }
    i.fallbacks
        .iter()
        .find(|(p, v)| p == "phone" && !v.is_empty())
        .map(|(_, v)| v.as_str())
}

enum PhoneMatch {
    /// A record already holds this input's identity: the upsert finds it.
    Identity,
    Nothing,
    One(String),
    Many(Vec<String>),
}

/// HubSpot cannot upsert by phone (it is not a unique property), so search:
/// the identity property first, then the phone, in one query (filter groups
/// are OR-ed).
async fn by_phone(c: &HubSpotConnector, i: &UpsertInput, phone: &str) -> Result<PhoneMatch> {
    let body = json!({
        "filterGroups": [
            {"filters": [{"propertyName": i.id_property, "operator": "EQ", "value": i.id_value}]},
            {"filters": [{"propertyName": "phone", "operator": "EQ", "value": phone}]},
        ],
        "properties": [i.id_property, "phone"],
        "limit": 10,
    });
    let (status, raw) = c
        .post(Lane::Search, "/crm/v3/objects/contacts/search", &body)
        .await?;
    if status != 200 {
        return Err(http_err(status, &raw, None));
    }
    let v = decode(&raw)?;
    let hits: Vec<CrmRecord> = v
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(record)
        .collect();
    if hits
        .iter()
        .any(|r| r.properties.get(&i.id_property) == Some(&i.id_value))
    {
        return Ok(PhoneMatch::Identity);
    }
    let mut ids: Vec<String> = hits.into_iter().map(|r| r.id).collect();
    Ok(match ids.len() {
        0 => PhoneMatch::Nothing,
        1 => PhoneMatch::One(ids.remove(0)),
        _ => PhoneMatch::Many(ids),
    })
}

/// Which inputs an error names (`context.objectWriteTraceId`, or ids).
fn targets(e: &Value, batch: &[UpsertInput], idx: &[usize]) -> Vec<usize> {
    let mut names: Vec<&str> = Vec::new();
    if let Some(ctx) = e.get("context").and_then(Value::as_object) {
        for key in ["objectWriteTraceId", "ids", "id"] {
            if let Some(a) = ctx.get(key).and_then(Value::as_array) {
                names.extend(a.iter().filter_map(Value::as_str));
            }
        }
    }
    idx.iter()
        .copied()
        .filter(|i| {
            let b = &batch[*i];
            names
                .iter()
                .any(|n| *n == b.key || Some(*n) == b.crm_id.as_deref() || *n == b.id_value)
        })
        .collect()
}

fn send<'a>(
    c: &'a HubSpotConnector,
    batch: &'a [UpsertInput],
    idx: Vec<usize>,
    mode: Mode,
    out: &'a mut Vec<Option<UpsertOutcome>>,
) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>> {
    Box::pin(async move {
        let path = match mode {
            Mode::Update => "/crm/v3/objects/contacts/batch/update",
            _ => "/crm/v3/objects/contacts/batch/upsert",
        };
        let body =
            json!({"inputs": idx.iter().map(|i| input_json(&batch[*i], mode)).collect::<Vec<_>>()});
        let (status, raw) = c.post(Lane::General, path, &body).await?;
        let v = decode(&raw)?;
        if !matches!(status, 200 | 201 | 207 | 400 | 409) {
            return Err(http_err(status, &raw, None));
        }
        let by_key: HashMap<&str, usize> =
            idx.iter().map(|i| (batch[*i].key.as_str(), *i)).collect();
        for r in v
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = r
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let slot = r
                .get("objectWriteTraceId")
                .and_then(Value::as_str)
                .and_then(|t| by_key.get(t).copied())
                .or_else(|| {
                    idx.iter().copied().find(|i| {
                        let b = &batch[*i];
                        b.crm_id.as_deref() == Some(id.as_str())
                            || r.pointer(&format!("/properties/{}", b.id_property))
                                .and_then(Value::as_str)
                                == Some(b.id_value.as_str())
                    })
                });
            if let Some(i) = slot {
                let new = r.get("new").and_then(Value::as_bool).unwrap_or(false);
                out[i] = Some(if new {
                    UpsertOutcome::Created { id }
                } else {
                    UpsertOutcome::Updated { id }
                });
            }
        }
        // Errors: per record in `errors[]` (207, 400), or the body itself (400/409).
        let mut errors: Vec<&Value> = v
            .get("errors")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        if errors.is_empty() && status >= 400 {
            errors.push(&v);
        }
        let mut by_email = Vec::new();
        let mut named_any = false;
        for e in &errors {
            let code = e
                .get("category")
                .and_then(Value::as_str)
                .unwrap_or("HTTP_ERROR")
                .to_string();
            let message = e
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let mut hit = targets(e, batch, &idx);
            // A whole-batch error about a single record names that record.
            if hit.is_empty() && status >= 400 && idx.len() == 1 {
                hit = idx.clone();
            }
            for i in hit {
                if out[i].is_some() {
                    continue;
                }
                named_any = true;
                if code == "CONFLICT" && mode == Mode::Upsert && email_of(&batch[i]).is_some() {
                    // The email already belongs to a record without our id:
                    // fall back to matching by email.
                    by_email.push(i);
                } else {
                    out[i] = Some(UpsertOutcome::Rejected {
                        code: code.clone(),
                        message: message.clone(),
                    });
                }
            }
        }
        let rest: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|i| out[*i].is_none() && !by_email.contains(i))
            .collect();
        if !rest.is_empty() {
            if status >= 400 && !named_any && rest.len() > 1 {
                // A failed batch that names nobody: halve it so the good
                // records still go through and the bad one is found.
                let (a, b) = rest.split_at(rest.len() / 2);
                send(c, batch, a.to_vec(), mode, out).await?;
                send(c, batch, b.to_vec(), mode, out).await?;
            } else if status >= 400 || rest.len() < idx.len() {
                // The failure named others (or results came back for some):
                // the remaining records were not written; send them again.
                if rest.len() < idx.len() {
                    send(c, batch, rest, mode, out).await?;
                }
            }
        }
        if !by_email.is_empty() {
            send(c, batch, by_email, Mode::UpsertByEmail, out).await?;
        }
        Ok(())
    })
}

fn parse_time(v: &Value) -> Option<Millis> {
    let s = v.as_str()?;
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis())
}

fn record(v: &Value) -> Option<CrmRecord> {
    let id = v.get("id")?.as_str()?.to_string();
    let props = v.get("properties").and_then(Value::as_object);
    let updated_at = props
        .and_then(|p| p.get("lastmodifieddate"))
        .and_then(parse_time)
        .or_else(|| v.get("updatedAt").and_then(parse_time))
        .unwrap_or(0);
    let properties = props
        .into_iter()
        .flatten()
        .filter(|(k, _)| !META.contains(&k.as_str()))
        .filter_map(|(k, v)| {
            let s = match v {
                Value::Null => return None,
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (!s.is_empty()).then(|| (k.clone(), s))
        })
        .collect();
    Some(CrmRecord {
        id,
        properties,
        updated_at,
    })
}

fn read_properties(c: &HubSpotConnector) -> Vec<String> {
    let mut p = c.cfg.properties.clone();
    for m in ["email", "lastmodifieddate"] {
        if !p.iter().any(|x| x == m) {
            p.push(m.to_string());
        }
    }
    p
}

/// `batch/read` by id, 100 a call.
pub(super) async fn fetch(c: &HubSpotConnector, ids: &[String]) -> Result<Vec<CrmRecord>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(c.cfg.batch_size) {
        let body = json!({
            "properties": read_properties(c),
            "inputs": chunk.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
        });
        let (status, raw) = c
            .post(Lane::General, "/crm/v3/objects/contacts/batch/read", &body)
            .await?;
        let v = decode(&raw)?;
        if !matches!(status, 200 | 207) {
            // 404/400 when none of the ids exist: nothing to return.
            if status == 400 || status == 404 {
                continue;
            }
            return Err(http_err(status, &raw, None));
        }
        out.extend(
            v.get("results")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(record),
        );
    }
    Ok(out)
}

/// The search cursor: a timestamp anchor and, only within one timestamp, an
/// offset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct SearchCursor {
    since: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<String>,
}

/// `search` by `lastmodifieddate ≥ since`, ascending. Every page re-anchors
/// on the last timestamp it saw, so paging offsets never grow toward the
/// 10,000-result cap and records edited mid-scan cannot shift a page past
/// unseen ones. Ties at the anchor repeat (the engine absorbs them); only a
/// run of more than 10,000 records in one millisecond is stepped over.
pub(super) async fn search(
    c: &HubSpotConnector,
    cursor: Option<&str>,
    limit: usize,
) -> Result<ChangePage> {
    let cur: SearchCursor = cursor
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let limit = limit.clamp(1, c.cfg.page_size.clamp(1, 200));
    let mut body = json!({
        "filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": cur.since.to_string()}]}],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "properties": read_properties(c),
        "limit": limit,
    });
    if let Some(a) = &cur.after {
        body["after"] = json!(a);
    }
    let (status, raw) = c
        .post(Lane::Search, "/crm/v3/objects/contacts/search", &body)
        .await?;
    if status != 200 {
        return Err(http_err(status, &raw, None));
    }
    let v = decode(&raw)?;
    let records: Vec<CrmRecord> = v
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(record)
        .collect();
    let next_after = v
        .pointer("/paging/next/after")
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(last_ts) = records.last().map(|r| r.updated_at) else {
        return Ok(ChangePage {
            records,
            next_cursor: cursor.map(str::to_string),
            has_more: false,
        });
    };
    let next = if last_ts > cur.since {
        SearchCursor {
            since: last_ts,
            after: None,
        }
    } else {
        // The whole page sits on the anchor: page within it by offset, and
        // step past it only where the cap would stop us.
        match &next_after {
            Some(a) if a.parse::<usize>().unwrap_or(0) + limit <= SEARCH_CAP => SearchCursor {
                since: cur.since,
                after: Some(a.clone()),
            },
            Some(_) => SearchCursor {
                since: cur.since + 1,
                after: None,
            },
            None => SearchCursor {
                since: cur.since,
                after: None,
            },
        }
    };
    let has_more = next_after.is_some();
    Ok(ChangePage {
        records,
        next_cursor: Some(serde_json::to_string(&next).map_err(|e| Error::Config(e.to_string()))?),
        has_more,
    })
}
