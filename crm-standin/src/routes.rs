//! HTTP routes: the HubSpot API paths and the control endpoints.

// Refusals are returned as ready responses; they are built once per refused
// request, so their size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::HashSet;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxState};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use crate::state::{Gate, State, valid_email, value_text};

type S = Arc<State>;

const MAX_INPUTS: usize = 100;
const MAX_SEARCH_LIMIT: usize = 200;
const SEARCH_CAP: usize = 10_000;

pub(crate) fn router(state: S) -> Router {
    Router::new()
        .route("/crm/v3/objects/contacts/batch/upsert", post(upsert))
        .route("/crm/v3/objects/contacts/batch/update", post(update))
        .route("/crm/v3/objects/contacts/batch/read", post(read))
        .route("/crm/v3/objects/contacts/search", post(search))
        .route("/_standin/contacts", get(list_all))
        .route("/_standin/contacts/{id}", post(edit))
        .route("/_standin/stats", get(stats))
        .with_state(state)
}

fn error(status: StatusCode, category: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "status": "error",
            "message": message,
            "correlationId": format!("{:032x}", rand::random::<u128>()),
            "category": category,
        })),
    )
        .into_response()
}

/// Auth, limits and faults; `Ok(remaining)` when the request may proceed.
fn admit(s: &S, headers: &HeaderMap, search: bool) -> Result<u32, Response> {
    let expected = format!("Bearer {}", s.cfg.token);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found.",
        ));
    }
    match s.gate(search) {
        Gate::Pass { remaining } => Ok(remaining),
        Gate::OverLimit { retry_after } => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITS",
                if search {
                    "You have reached your secondly limit."
                } else {
                    "You have reached your ten_secondly_rolling limit."
                },
            );
            let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
            limit_headers(s, &mut r, 0, search);
            Err(r)
        }
        Gate::Fault(429) => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITS",
                "You have reached your ten_secondly_rolling limit.",
            );
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(1u64));
            Err(r)
        }
        Gate::Fault(code) => Err(error(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "INTERNAL_ERROR",
            "internal error",
        )),
    }
}

fn limit_headers(s: &S, r: &mut Response, remaining: u32, search: bool) {
    if search {
        return; // HubSpot's search answers carry no rate-limit headers.
    }
    let h = r.headers_mut();
    h.insert(
        "x-hubspot-ratelimit-max",
        HeaderValue::from(s.cfg.requests_per_10s),
    );
    h.insert(
        "x-hubspot-ratelimit-remaining",
        HeaderValue::from(remaining),
    );
    h.insert(
        "x-hubspot-ratelimit-interval-milliseconds",
        HeaderValue::from(10_000u32),
    );
}

fn body_json(b: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(b).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            &format!("Invalid input JSON on line 1 : {e}"),
        )
    })
}

fn inputs(v: &Value) -> Result<&Vec<Value>, Response> {
    let a = v.get("inputs").and_then(Value::as_array).ok_or_else(|| {
        error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "inputs is required",
        )
    })?;
    if a.len() > MAX_INPUTS {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            &format!("inputs size must be <= {MAX_INPUTS}, was {}", a.len()),
        ));
    }
    Ok(a)
}

fn trace_ctx(input: &Value, fallback_key: &str, fallback: &str) -> Value {
    match input.get("objectWriteTraceId").and_then(Value::as_str) {
        Some(t) => json!({"objectWriteTraceId": [t]}),
        None => json!({fallback_key: [fallback]}),
    }
}

/// An invalid email fails the whole batch (HubSpot validates before writing),
/// with one error per bad record.
fn validate(items: &[Value]) -> Result<(), Response> {
    let mut errors = Vec::new();
    for i in items {
        if let Some(e) = i.pointer("/properties/email").map(value_text)
            && !e.is_empty()
            && !valid_email(&e)
        {
            errors.push(json!({
                "status": "error",
                "category": "VALIDATION_ERROR",
                "message": format!("Property values were not valid: [{{\"isValid\":false,\"message\":\"Email address {e} is invalid\",\"error\":\"INVALID_EMAIL\",\"name\":\"email\"}}]"),
                "context": trace_ctx(i, "email", &e),
            }));
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    let msg = errors[0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Err((
        StatusCode::BAD_REQUEST,
        axum::Json(json!({
            "status": "error",
            "message": msg,
            "category": "VALIDATION_ERROR",
            "correlationId": format!("{:032x}", rand::random::<u128>()),
            "errors": errors,
        })),
    )
        .into_response())
}

fn batch_response(s: &S, results: Vec<Value>, errors: Vec<Value>, remaining: u32) -> Response {
    let now = s.now_ms();
    let stamp = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now)
        .unwrap_or_default()
        .to_rfc3339();
    let mut body =
        json!({"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp});
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        body["numErrors"] = json!(errors.len());
        body["errors"] = json!(errors);
        StatusCode::MULTI_STATUS
    };
    let mut r = (status, axum::Json(body)).into_response();
    limit_headers(s, &mut r, remaining, false);
    r
}

fn props_of(i: &Value) -> Map<String, Value> {
    i.get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

async fn upsert(AxState(s): AxState<S>, headers: HeaderMap, body: Bytes) -> Response {
    let remaining = match admit(&s, &headers, false) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let items = match inputs(&v) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Err(r) = validate(items) {
        return r;
    }
    let mut seen = HashSet::new();
    for i in items {
        let key = (value_text(&i["idProperty"]), value_text(&i["id"]));
        if key.0.is_empty() || key.1.is_empty() {
            return error(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                "every input needs idProperty and id",
            );
        }
        if key.0 != "email" && !s.cfg.unique_properties.contains(&key.0) {
            return error(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                &format!(
                    "Property {} is not a unique property and cannot be used as idProperty",
                    key.0
                ),
            );
        }
        if !seen.insert(key) {
            return error(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                "Duplicate IDs found in batch input",
            );
        }
    }
    let now = s.now_ms();
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    let mut db = s.db.lock();
    for i in items {
        let (idp, idv) = (value_text(&i["idProperty"]), value_text(&i["id"]));
        let mut props = props_of(i);
        props.insert(idp.clone(), json!(idv));
        let existing = db.find(&idp, &idv);
        match db.write(&s.cfg.unique_properties, existing, &props, now) {
            Ok((id, _)) => {
                let mut r = db.recs[&id].json(None);
                r["new"] = json!(existing.is_none());
                if let Some(t) = i.get("objectWriteTraceId") {
                    r["objectWriteTraceId"] = t.clone();
                }
                results.push(r);
            }
            Err(e) => errors.push(json!({
                "status": "error", "category": e.category, "message": e.message,
                "context": trace_ctx(i, "id", &idv),
            })),
        }
    }
    drop(db);
    batch_response(&s, results, errors, remaining)
}

async fn update(AxState(s): AxState<S>, headers: HeaderMap, body: Bytes) -> Response {
    let remaining = match admit(&s, &headers, false) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let items = match inputs(&v) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Err(r) = validate(items) {
        return r;
    }
    let now = s.now_ms();
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    let mut db = s.db.lock();
    for i in items {
        let raw_id = value_text(&i["id"]);
        let Some(id) = raw_id
            .parse::<u64>()
            .ok()
            .filter(|n| db.recs.contains_key(n))
        else {
            errors.push(json!({"status": "error", "category": "OBJECT_NOT_FOUND",
                "message": "Could not get some CONTACT objects, they may be deleted or not exist.",
                "context": {"ids": [raw_id]}}));
            continue;
        };
        match db.write(&s.cfg.unique_properties, Some(id), &props_of(i), now) {
            Ok((id, _)) => {
                let mut r = db.recs[&id].json(None);
                if let Some(t) = i.get("objectWriteTraceId") {
                    r["objectWriteTraceId"] = t.clone();
                }
                results.push(r);
            }
            Err(e) => errors.push(
                json!({"status": "error", "category": e.category, "message": e.message,
                "context": trace_ctx(i, "ids", &raw_id)}),
            ),
        }
    }
    drop(db);
    batch_response(&s, results, errors, remaining)
}

fn wanted(v: &Value) -> Option<Vec<String>> {
    v.get("properties").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

async fn read(AxState(s): AxState<S>, headers: HeaderMap, body: Bytes) -> Response {
    let remaining = match admit(&s, &headers, false) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let items = match inputs(&v) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let props = wanted(&v).unwrap_or_default();
    let (mut results, mut missing) = (Vec::new(), Vec::new());
    let db = s.db.lock();
    for i in items {
        let raw = value_text(&i["id"]);
        match raw.parse::<u64>().ok().and_then(|n| db.recs.get(&n)) {
            Some(r) => results.push(r.json(Some(&props))),
            None => missing.push(json!(raw)),
        }
    }
    drop(db);
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        vec![json!({"status": "error", "category": "OBJECT_NOT_FOUND",
            "message": "Could not get some CONTACT objects, they may be deleted or not exist.",
            "context": {"ids": missing}})]
    };
    batch_response(&s, results, errors, remaining)
}

fn parse_ms(v: &Value) -> Option<i64> {
    let t = value_text(v);
    t.parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(&t)
            .ok()
            .map(|d| d.timestamp_millis())
    })
}

async fn search(AxState(s): AxState<S>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = admit(&s, &headers, true) {
        return r;
    }
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let limit = v.get("limit").and_then(Value::as_u64).unwrap_or(10) as usize;
    if limit == 0 || limit > MAX_SEARCH_LIMIT {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            &format!("limit must be 1..={MAX_SEARCH_LIMIT}"),
        );
    }
    let after: usize = match v.get("after").map(value_text) {
        None => 0,
        Some(a) => match a.parse() {
            Ok(n) => n,
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "VALIDATION_ERROR",
                    "after must be a number",
                );
            }
        },
    };
    if after + limit > SEARCH_CAP {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "The search API returns at most 10,000 results per query; narrow the filter.",
        );
    }
    // Filters: groups are OR-ed, filters within a group AND-ed.
    let groups: Vec<Vec<(String, String, Value)>> = v
        .get("filterGroups")
        .and_then(Value::as_array)
        .map(|gs| {
            gs.iter()
                .map(|g| {
                    g.get("filters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|f| {
                            (
                                value_text(&f["propertyName"]),
                                value_text(&f["operator"]),
                                f.get("value").cloned().unwrap_or(Value::Null),
                            )
                        })
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    for g in &groups {
        for (_, op, _) in g {
            if !matches!(op.as_str(), "EQ" | "NEQ" | "GT" | "GTE" | "LT" | "LTE") {
                return error(
                    StatusCode::BAD_REQUEST,
                    "VALIDATION_ERROR",
                    &format!("operator {op} is not supported here"),
                );
            }
        }
    }
    let sort = v.pointer("/sorts/0").cloned();
    let props = wanted(&v);
    let db = s.db.lock();
    let matches = |r: &crate::state::Rec| -> bool {
        groups.is_empty()
            || groups.iter().any(|g| {
                g.iter().all(|(p, op, val)| {
                    let ord = if p == "lastmodifieddate" || p == "createdate" {
                        let have = if p == "createdate" {
                            r.created
                        } else {
                            r.updated
                        };
                        match parse_ms(val) {
                            Some(want) => have.cmp(&want),
                            None => return false,
                        }
                    } else {
                        r.props
                            .get(p)
                            .map(String::as_str)
                            .unwrap_or("")
                            .cmp(value_text(val).as_str())
                    };
                    match op.as_str() {
                        "EQ" => ord.is_eq(),
                        "NEQ" => ord.is_ne(),
                        "GT" => ord.is_gt(),
                        "GTE" => ord.is_ge(),
                        "LT" => ord.is_lt(),
                        _ => ord.is_le(),
                    }
                })
            })
    };
    let mut hits: Vec<&crate::state::Rec> = db.recs.values().filter(|r| matches(r)).collect();
    if let Some(so) = sort {
        let prop = value_text(&so["propertyName"]);
        let desc = value_text(&so["direction"]) == "DESCENDING";
        hits.sort_by(|a, b| {
            let o = if prop == "lastmodifieddate" {
                a.updated.cmp(&b.updated)
            } else {
                a.props.get(&prop).cmp(&b.props.get(&prop))
            };
            let o = o.then(a.id.cmp(&b.id));
            if desc { o.reverse() } else { o }
        });
    }
    let total = hits.len();
    let page: Vec<Value> = hits
        .iter()
        .skip(after)
        .take(limit)
        .map(|r| r.json(props.as_deref()))
        .collect();
    drop(db);
    let mut out = json!({"total": total, "results": page});
    if after + limit < total.min(SEARCH_CAP) {
        out["paging"] = json!({"next": {"after": (after + limit).to_string()}});
    }
    (StatusCode::OK, axum::Json(out)).into_response()
}

async fn list_all(AxState(s): AxState<S>) -> Response {
    axum::Json(json!({"results": s.all()})).into_response()
}

async fn edit(AxState(s): AxState<S>, Path(id): Path<String>, body: Bytes) -> Response {
    let v = match body_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    match s.edit(&id, &props_of(&v)) {
        Some(r) => axum::Json(r).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            "no such contact, or a unique value is taken",
        ),
    }
}

async fn stats(AxState(s): AxState<S>) -> Response {
    axum::Json(json!(s.stats())).into_response()
}
